from __future__ import annotations

import click

from thidua.commands.common import choose_format, meta, output_options, render, reports_errors
from thidua.output.formats import UNITS


@click.command()
@click.argument("criteria", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
@output_options(UNITS)
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
    from thidua.input import read_inputs

    fmt = choose_format(UNITS, fmt, output)
    c, frame = read_inputs(criteria, data, decimal_comma=decimal_comma, sheet=sheet)
    result = run(c, frame, data, consume=True)
    render(UNITS, fmt, result, output, meta(criteria, data, result.units.height))
