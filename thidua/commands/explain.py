from __future__ import annotations

import click

from thidua.commands.common import choose_format, emit, reports_errors

FORMATS = ("table", "markdown", "html", "json")


@click.command()
@click.argument("criteria", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
@click.argument("unit_id")
@click.argument("other", required=False)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="table (default), markdown, html or json; with -o chosen by the extension.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to FILE (whole or not at all); the format follows its extension.")
@click.option("--decimal-comma", is_flag=True, help="Read numbers written the Vietnamese way: 95,5.")
@click.option("--sheet", default=None, help="Worksheet of an .xlsx data file (default: the first).")
@reports_errors
def explain(criteria: str, data: str, unit_id: str, other: str | None, fmt: str | None, output: str | None,
            decimal_comma: bool, sheet: str | None) -> None:
    """One unit's whole trace: each criterion's data, rule and points, bonus, penalty, knockouts,
    classification, rank, the margin to its neighbours, and each award's reason. With a second
    unit (OTHER): the two side by side, criterion by criterion, where they differ, and why the
    one ranks above the other.

    \b
    Example:
      thidua explain criteria.yaml data.csv X07
      thidua explain criteria.yaml data.csv X07 X12
    """
    from thidua.core.engine import score
    from thidua.core.explain import explain as trace
    from thidua.input import read_inputs
    from thidua.output import render_explain as r

    fmt = choose_format(fmt, output, FORMATS)
    c, frame = read_inputs(criteria, data, decimal_comma=decimal_comma, sheet=sheet)
    result = score(c, frame, data, trace=True)
    if other is not None:
        from thidua.core.explain import compare

        pair = compare(result, unit_id, other, data)
        emit({"table": r.compare_table, "markdown": r.compare_markdown, "html": r.compare_html,
              "json": r.compare_json}[fmt](pair), output)
        return
    e = trace(result, unit_id, data)
    emit({"table": r.to_table, "markdown": r.to_markdown, "html": r.to_html, "json": r.to_json}[fmt](e), output)
