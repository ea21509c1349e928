"""The review-stage options every scoring command takes (--self, --verified, --approved) and
the reading of DATA or of the stage files into the frame to score (thidua/input/stages.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    import polars as pl

    from thidua import model as m
    from thidua.core.engine import Result
    from thidua.core.stages import Staged

HELP = {
    "self": "The units' own scores (tự chấm): the first stage, with `stages:` in the criteria.",
    "verified": "The verified values (thẩm định): a later stage, changing the ones before it.",
    "approved": "The approved values (phê duyệt): the last stage.",
}


def stage_options(*stages: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--self, --verified, --approved (or those of `stages`): each a data file of one stage."""
    chosen = stages or ("self", "verified", "approved")

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        for stage in reversed(chosen):
            command = click.option(f"--{stage}", f"{stage}_data", default=None,
                                   type=click.Path(dir_okay=False), help=HELP[stage])(command)
        return command

    return decorate


def read(criteria: str, data: str | None, files: dict[str, str | None], *,
         decimal_comma: bool, sheet: str | None
         ) -> tuple[m.Criteria, pl.DataFrame, str, Staged | None]:
    """(the criteria, the frame to score, the file its rows are in, the stages' record): from
    DATA, or from the stage files merged."""
    from thidua.input import columns_for
    from thidua.input.data import read_data
    from thidua.input.load import load_criteria
    from thidua.input.stages import check_request, given, read_stages

    staged = given(files)
    if data is None and not staged:  # as click says a missing argument: DATA is still the rule
        ctx = click.get_current_context()
        raise click.MissingParameter(ctx=ctx, param=next(p for p in ctx.command.params
                                                         if p.name == "data"))
    c = load_criteria(criteria)
    check_request(c, data, staged, criteria)
    if data is not None:
        return c, read_data(data, columns_for(c), decimal_comma=decimal_comma, sheet=sheet), data, None
    frame, record = read_stages(c, staged, decimal_comma=decimal_comma, sheet=sheet)
    return c, frame, staged[0][1], record


def with_stages(result: Result, record: Staged | None) -> Result:
    """The result carrying the stages' record (the changes, each value's stage)."""
    return result if record is None else replace(result, stages=record)


class StagedPositionals(click.Command):
    """`explain CRITERIA [DATA] UNIT_ID [OTHER]`: with stage files there is no DATA, so the
    arguments after CRITERIA are the unit ids (DATA naming an existing file is kept as DATA,
    and refused with the stage files)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        from pathlib import Path

        rest = super().parse_args(ctx, args)
        p = ctx.params
        staged = any(p.get(f"{s}_data") for s in ("self", "verified", "approved"))
        if staged and p.get("other") is None and p.get("data") is not None \
                and not Path(p["data"]).is_file():
            p["data"], p["unit_id"], p["other"] = None, p["data"], p.get("unit_id")
        return rest
