"""The review-stage options every scoring command takes (--self, --verified, --approved) and
the reading of DATA or of the stage files into the frame to score (thidua/input/stages.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import click

from thidua.i18n import _

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


SHEET_HELP = "Worksheet of an .xlsx {flag} file (default: --sheet, else the first)."


def stage_options(*stages: str, sheets: tuple[str, ...] = ()
                  ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--self, --verified, --approved (or those of `stages`), each a data file of one stage,
    and --self-sheet, --verified-sheet, --approved-sheet, its worksheet (so that the stages may
    be sheets of one workbook); `sheets`: stages that get only the sheet option here."""
    chosen = stages or ("self", "verified", "approved")

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        for stage in reversed([*sheets, *chosen]):
            command = click.option(f"--{stage}-sheet", f"{stage}_sheet", default=None,
                                   metavar="NAME",
                                   help=SHEET_HELP.format(flag=f"--{stage}"))(command)
        for stage in reversed(chosen):
            command = click.option(f"--{stage}", f"{stage}_data", default=None,
                                   type=click.Path(dir_okay=False), help=HELP[stage])(command)
        return command

    return decorate


def read(criteria: str, data: str | None, stages: dict[str, Any], *,
         decimal_comma: bool, sheet: str | None
         ) -> tuple[m.Criteria, pl.DataFrame, str, Staged | None]:
    """(the criteria, the frame to score, the file its rows are in, the stages' record): from
    DATA, or from the stage files merged. `stages`: the stage options as the command got them
    (self_data, self_sheet, verified_data, …)."""
    from thidua.input import columns_for
    from thidua.input.data import read_data
    from thidua.input.load import load_criteria
    from thidua.input.stages import check_request, given, read_stages

    files = {s: stages.get(f"{s}_data") for s in ("self", "verified", "approved")}
    sheets = {s: stages.get(f"{s}_sheet") for s in ("self", "verified", "approved")}
    staged = given(files)
    lone = [s for s in sheets if sheets[s] and not files[s] and f"{s}_data" in stages]
    if lone:
        raise click.UsageError(", ".join(
            _("--{stage}-sheet names a sheet of --{stage}: give --{stage} too", stage=s)
            for s in lone))
    if data is None and not staged:  # as click says a missing argument: DATA is still the rule
        ctx = click.get_current_context()
        raise click.MissingParameter(ctx=ctx, param=next(p for p in ctx.command.params
                                                         if p.name == "data"))
    c = load_criteria(criteria)
    check_request(c, data, staged, criteria)
    if data is not None:
        return c, read_data(data, columns_for(c), decimal_comma=decimal_comma, sheet=sheet), data, None
    frame, record = read_stages(c, staged, decimal_comma=decimal_comma, sheet=sheet,
                                sheets=sheets)
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
