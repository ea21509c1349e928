from __future__ import annotations

import click

from thidua.commands.common import choose_format, emit, meta, output_options, reports_errors


@click.command()
@click.argument("criteria", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
@output_options
@reports_errors
def awards(criteria: str, data: str, fmt: str | None, output: str | None, decimal_comma: bool,
           sheet: str | None) -> None:
    """The award shortlists: each award's quota and its arithmetic, and every unit with its
    reason (on the list, not eligible and why, beyond the quota, tied for the council's vote).

    \b
    Example:
      thidua awards criteria.yaml data.csv
      thidua awards criteria.yaml data.csv -o de-nghi.xlsx   # one sheet per award, a ballot for ties
    """
    from thidua.core.engine import score
    from thidua.input import read_inputs
    from thidua.output import render_awards as r

    fmt = choose_format(fmt, output)
    c, frame = read_inputs(criteria, data, decimal_comma=decimal_comma, sheet=sheet)
    result = score(c, frame, data)
    if fmt == "xlsx":
        emit(lambda tmp: r.write_xlsx(result, tmp), output)
    elif fmt == "parquet":
        emit(lambda tmp: r.write_parquet(result, tmp), output)
    elif fmt == "json":
        emit(r.to_json(result, meta(criteria, data, result.units.height)), output)
    else:
        emit({"table": r.to_table, "csv": r.to_csv, "markdown": r.to_markdown, "html": r.to_html}[fmt](result),
             output)
