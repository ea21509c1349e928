from __future__ import annotations

import click

from thidua.commands.common import choose_format, meta, output_options, render, reports_errors
from thidua.commands.membership import members_of, members_option
from thidua.output.formats import UNITS


@click.command()
@click.argument("criteria", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
@members_option
@output_options(UNITS)
@reports_errors
def score(criteria: str, data: str, members: str | None, fmt: str | None, output: str | None, decimal_comma: bool,
          sheet: str | None) -> None:
    """Score, classify, rank and shortlist every unit.

    \b
    Example:
      thidua score criteria.yaml data.csv
      thidua score criteria.yaml data.xlsx --sheet "Năm 2026" -o ket-qua.xlsx
    """
    from thidua.core.engine import score as run
    from thidua.input import columns_for, read_data
    from thidua.input.load import load_criteria

    fmt = choose_format(UNITS, fmt, output)
    c = load_criteria(criteria)
    # the frame read is handed to the engine without a name here, so that the engine's is its
    # only reference: its memory is free once the points are computed, before the rows are
    # ordered and written (a million-unit file is not held through the sort)
    frame = read_data(data, columns_for(c), decimal_comma=decimal_comma, sheet=sheet)
    held = members_of(c, members, frame, criteria)
    result = run(c, frame, data, members_data=held)
    render(UNITS, fmt, result, output, meta(criteria, data, result.units.height))
