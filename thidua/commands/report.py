from __future__ import annotations

from typing import Any

import click

from thidua.commands.common import choose_format, output_options, render, reports_errors
from thidua.commands.history import earlier, history_option
from thidua.commands.membership import members_of, members_option
from thidua.commands.staged import stage_options
from thidua.output.formats import PAGE


@click.command()
@click.argument("criteria", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False), required=False, metavar="DATA")
@stage_options()
@history_option
@members_option
@output_options(PAGE)
@reports_errors
def report(criteria: str, data: str | None, fmt: str | None, output: str | None, decimal_comma: bool,
           sheet: str | None, history: str | None, members: str | None, **stages: Any) -> None:
    """One self-contained page for the council: summary, a chart and the ranking per cluster,
    the award proposals with their quota arithmetic and reasons, every unit's explanation, the
    policies, basis and note, and the signatures; it prints on A4 landscape.

    \b
    Example:
      thidua report criteria.yaml data.csv -o bao-cao.html
    """
    from thidua.commands import staged
    from thidua.core.engine import score

    fmt = choose_format(PAGE, fmt, output)
    c, frame, source, record = staged.read(criteria, data, stages, decimal_comma=decimal_comma,
                                           sheet=sheet)
    past = earlier(c, criteria, history, frame, decimal_comma)
    held = members_of(c, members, frame, criteria)
    # the frame read is handed to the engine out of a list, as `score` does: the engine's is its
    # only reference, so its memory is free once the points are computed
    read = [frame]
    del frame
    render(PAGE, fmt, staged.with_stages(score(c, read.pop(), source, trace=True, earlier=past,
                                               members_data=held), record), output)
