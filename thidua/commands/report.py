from __future__ import annotations

import click

from thidua.commands.common import choose_format, emit, reports_errors

FORMATS = ("html",)


@click.command()
@click.argument("criteria", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to FILE (whole or not at all), .html; without it the page is printed.")
@click.option("--decimal-comma", is_flag=True, help="Read numbers written the Vietnamese way: 95,5 and 1.234,5.")
@click.option("--sheet", default=None, help="Worksheet of an .xlsx data file (default: the first).")
@reports_errors
def report(criteria: str, data: str, output: str | None, decimal_comma: bool, sheet: str | None) -> None:
    """One self-contained page for the council: summary, a chart and the ranking per cluster,
    the award proposals with their quota arithmetic and reasons, every unit's explanation, the
    policies, basis and note, and the signatures; it prints on A4 landscape.

    \b
    Example:
      thidua report criteria.yaml data.csv -o bao-cao.html
    """
    from thidua.core.engine import score
    from thidua.input import read_inputs
    from thidua.output.report import to_report

    choose_format("html" if output is None else None, output, FORMATS)
    c, frame = read_inputs(criteria, data, decimal_comma=decimal_comma, sheet=sheet)
    emit(to_report(score(c, frame, data, trace=True)), output)
