from __future__ import annotations

from typing import Any

import click

from thidua.commands.common import choose_format, meta, output_options, render, reports_errors
from thidua.commands.history import earlier, history_option
from thidua.commands.membership import members_of, members_option
from thidua.commands.staged import stage_options
from thidua.output.formats import UNITS


@click.command()
@click.argument("criteria", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False), required=False, metavar="DATA")
@stage_options()
@history_option
@members_option
@output_options(UNITS)
@reports_errors
def score(criteria: str, data: str | None, fmt: str | None, output: str | None, decimal_comma: bool,
          sheet: str | None, history: str | None, members: str | None, **stages: Any) -> None:
    """Score, classify, rank and shortlist every unit.

    \b
    Example:
      thidua score criteria.yaml data.csv
      thidua score criteria.yaml data.xlsx --sheet "Năm 2026" -o ket-qua.xlsx
      thidua score criteria.yaml --self tu-cham.csv --verified tham-dinh.csv
    """
    from thidua.commands import staged
    from thidua.core.engine import score as run

    fmt = choose_format(UNITS, fmt, output)
    c, frame, source, record = staged.read(criteria, data, stages, decimal_comma=decimal_comma,
                                           sheet=sheet)
    past = earlier(c, criteria, history, frame, decimal_comma)
    held = members_of(c, members, frame, criteria)
    # the frame read is handed to the engine out of a list, so that the engine's is its only
    # reference: its memory is free once the points are computed, before the rows are ordered
    # and written (a million-unit file is not held through the sort)
    read = [frame]
    del frame
    result = staged.with_stages(run(c, read.pop(), source, earlier=past, members_data=held), record)
    render(UNITS, fmt, result, output, meta(criteria, source, result.units.height))
