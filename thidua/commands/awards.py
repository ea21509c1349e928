from __future__ import annotations

from typing import Any

import click

from thidua.commands.common import choose_format, meta, output_options, render, reports_errors
from thidua.commands.history import earlier, history_option
from thidua.commands.membership import members_of, members_option
from thidua.commands.staged import stage_options
from thidua.i18n import _
from thidua.output.formats import REASONS


@click.command()
@click.argument("criteria", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False), required=False, metavar="DATA")
@stage_options()
@history_option
@members_option
@click.option("--votes", type=click.Path(dir_okay=False), default=None,
              help="The council's votes (award, id, yes; any data format): the final lists, the "
                   "tally and the decision list.")
@output_options(REASONS)
@reports_errors
def awards(criteria: str, data: str | None, votes: str | None, fmt: str | None, output: str | None,
           decimal_comma: bool, sheet: str | None, history: str | None, members: str | None,
           **stages: Any) -> None:
    """The award shortlists: each award's quota and its arithmetic, and every unit with its
    reason (on the list, not eligible and why, beyond the quota, tied for the council's vote).

    \b
    Example:
      thidua awards criteria.yaml data.csv
      thidua awards criteria.yaml data.csv -o de-nghi.xlsx   # one sheet per award, a ballot for ties
      thidua awards criteria.yaml data.csv --votes phieu.csv -o quyet-dinh.xlsx   # the decision list

    With `ballot:` awards and no --votes, the ballot papers to fill; with --votes, the tally
    (biên bản kiểm phiếu) and the final lists, with the amounts under `money:`.
    """
    from thidua.commands import staged
    from thidua.core import ballots
    from thidua.core.engine import score
    from thidua.errors import Problem
    from thidua.input.data import sha256_file
    from thidua.input.votes import read_votes

    fmt = choose_format(REASONS, fmt, output)
    c, frame, source, record = staged.read(criteria, data, stages, decimal_comma=decimal_comma,
                                           sheet=sheet)
    past = earlier(c, criteria, history, frame, decimal_comma)
    held = members_of(c, members, frame, criteria)
    # the frame read is handed to the engine out of a list, as `score` does: the engine's is its
    # only reference, so its memory is free once the points are computed
    read = [frame]
    del frame
    result = staged.with_stages(score(c, read.pop(), source, earlier=past, members_data=held),
                                record)
    files = meta(criteria, source, result.units.height)
    shown: object = result
    if votes is not None or ballots.applies(c):
        if votes is not None and not ballots.has_ballots(c):
            raise click.UsageError(_("--votes: the criteria file has no award with a ballot"))
        cast, found = None, list[Problem]()
        if votes is not None:
            cast, found = read_votes(votes, c, decimal_comma=decimal_comma, sheet=None)
            files["votes"] = {"sha256": sha256_file(votes), "rows": cast.height}
        shown = ballots.Decided(result, ballots.decide(result, cast, votes or "<votes>", found))
    render(REASONS, fmt, shown, output, files)
