from __future__ import annotations

from typing import Any

import click

from thidua.commands.common import choose_format, output_options, render, reports_errors
from thidua.commands.history import earlier, history_option
from thidua.commands.membership import members_of, members_option
from thidua.commands.staged import StagedPositionals, stage_options
from thidua.output.formats import COMPARISON, EXPLANATION


@click.command(cls=StagedPositionals)
@click.argument("criteria", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False), required=False, metavar="DATA")
@click.argument("unit_id", required=False, metavar="UNIT_ID")
@click.argument("other", required=False)
@stage_options()
@history_option
@members_option
@output_options(EXPLANATION)
@reports_errors
def explain(criteria: str, data: str | None, unit_id: str | None, other: str | None,
            fmt: str | None, output: str | None, decimal_comma: bool, sheet: str | None,
            history: str | None, members: str | None, **stages: Any) -> None:
    """One unit's whole trace: each criterion's data, rule and points, bonus, penalty, knockouts,
    classification, rank, the margin to its neighbours, and each award's reason. With a second
    unit (OTHER): the two side by side, criterion by criterion, where they differ, and why the
    one ranks above the other.

    \b
    Example:
      thidua explain criteria.yaml data.csv X07
      thidua explain criteria.yaml data.csv X07 X12
      thidua explain criteria.yaml --self tu-cham.csv --verified tham-dinh.csv X07
    """
    from thidua.commands import staged
    from thidua.core.engine import score
    from thidua.core.explain import explain as trace

    fmt = choose_format(EXPLANATION, fmt, output)
    if unit_id is None:
        ctx = click.get_current_context()
        raise click.MissingParameter(ctx=ctx, param=next(p for p in ctx.command.params
                                                         if p.name == "unit_id"))
    c, frame, data, record = staged.read(criteria, data, stages, decimal_comma=decimal_comma,
                                         sheet=sheet)
    past = earlier(c, criteria, history, frame, decimal_comma)
    held = members_of(c, members, frame, criteria)
    # the frame read is handed to the engine out of a list, as `score` does: the engine's is its
    # only reference, so its memory is free once the points are computed
    read = [frame]
    del frame
    result = staged.with_stages(score(c, read.pop(), data, trace=True, earlier=past,
                                      members_data=held), record)
    if other is not None:
        from thidua.core.explain import compare

        render(COMPARISON, fmt, compare(result, unit_id, other, data), output)
        return
    render(EXPLANATION, fmt, trace(result, unit_id, data), output)
