from __future__ import annotations

import click

from thidua.commands.common import choose_format, meta, output_options, render, reports_errors
from thidua.commands.history import earlier, history_option
from thidua.commands.membership import members_of, members_option
from thidua.output.formats import UNITS


@click.command()
@click.argument("criteria", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
@history_option
@members_option
@output_options(UNITS)
@reports_errors
def score(criteria: str, data: str, fmt: str | None, output: str | None, decimal_comma: bool,
          sheet: str | None, history: str | None, members: str | None) -> None:
    """Score, classify, rank and shortlist every unit.

    \b
    Example:
      thidua score criteria.yaml data.csv
      thidua score criteria.yaml data.xlsx --sheet "Năm 2026" -o ket-qua.xlsx
    """
    from thidua.core import history as hs
    from thidua.core import members as ms
    from thidua.core.engine import score as run
    from thidua.input import columns_for, read_data
    from thidua.input.load import load_criteria

    fmt = choose_format(UNITS, fmt, output)
    c = load_criteria(criteria)
    if history is not None or hs.used(c) or members is not None or ms.needed(c):
        frame = read_data(data, columns_for(c), decimal_comma=decimal_comma, sheet=sheet)
        result = run(c, frame, data, earlier=earlier(c, criteria, history, frame, decimal_comma),
                     members_data=members_of(c, members, frame, criteria))
        render(UNITS, fmt, result, output, meta(criteria, data, result.units.height))
        return
    # the frame read is handed to the engine without a name here, so that the engine's is its
    # only reference: its memory is free once the points are computed, before the rows are
    # ordered and written (a million-unit file is not held through the sort)
    result = run(c, read_data(data, columns_for(c), decimal_comma=decimal_comma, sheet=sheet), data)
    render(UNITS, fmt, result, output, meta(criteria, data, result.units.height))
