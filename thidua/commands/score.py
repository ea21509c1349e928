from __future__ import annotations

import click

from thidua.commands.common import choose_format, output_options, render_result, reports_errors


@click.command()
@click.argument("criteria", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
@output_options
@reports_errors
def score(criteria: str, data: str, fmt: str | None, output: str | None, decimal_comma: bool,
          sheet: str | None) -> None:
    """Score, classify, rank and shortlist every unit.

    \b
    Example:
      thidua score criteria.yaml data.csv
      thidua score criteria.yaml data.xlsx --sheet "Năm 2026" -o ket-qua.xlsx
    """
    from thidua.core.engine import score as run
    from thidua.input import load

    fmt = choose_format(fmt, output)
    c, frame = load(criteria, data, decimal_comma=decimal_comma, sheet=sheet)
    render_result(run(c, frame, data), fmt, output, (criteria, data))
