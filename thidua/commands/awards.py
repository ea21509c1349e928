from __future__ import annotations

from typing import Any

import click

from thidua.commands.common import choose_format, meta, output_options, render, reports_errors
from thidua.commands.history import earlier, history_option
from thidua.commands.membership import members_of, members_option
from thidua.commands.staged import stage_options
from thidua.output.formats import REASONS


@click.command()
@click.argument("criteria", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False), required=False, metavar="DATA")
@stage_options()
@history_option
@members_option
@output_options(REASONS)
@reports_errors
def awards(criteria: str, data: str | None, fmt: str | None, output: str | None, decimal_comma: bool,
           sheet: str | None, history: str | None, members: str | None, **stages: Any) -> None:
    """The award shortlists: each award's quota and its arithmetic, and every unit with its
    reason (on the list, not eligible and why, beyond the quota, tied for the council's vote).

    \b
    Example:
      thidua awards criteria.yaml data.csv
      thidua awards criteria.yaml data.csv -o de-nghi.xlsx   # one sheet per award, a ballot for ties
    """
    from thidua.commands import staged
    from thidua.core.engine import score

    fmt = choose_format(REASONS, fmt, output)
    c, frame, source, record = staged.read(criteria, data, stages, decimal_comma=decimal_comma,
                                           sheet=sheet)
    result = staged.with_stages(score(c, frame, source,
                                      earlier=earlier(c, criteria, history, frame, decimal_comma),
                                      members_data=members_of(c, members, frame, criteria)), record)
    render(REASONS, fmt, result, output, meta(criteria, source, result.units.height))
