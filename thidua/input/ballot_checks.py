"""The rules of `council`, `ballot`, `money` and `coefficient` (docs/criteria-format.md, "Ballots and money"): each
problem at its place in the criteria file."""

from __future__ import annotations

from decimal import Decimal

from thidua import model as m
from thidua.errors import Problem
from thidua.i18n import _


def _fmt(x: float) -> str:
    """The number as written: -2340000, 0.5 (never 2.34e+06)."""
    return format(Decimal(repr(x)).normalize(), "f")


def check_ballots(c: m.Criteria) -> list[Problem]:
    """A ballot needs council.members; a coefficient needs money; no amount, base or share may be
    negative, and a council has at least one member."""
    problems: list[Problem] = []
    if c.council is not None and c.council.members < 1:
        problems.append(Problem("council.members", _("must be 1 or more, got {value}",
                                                      value=c.council.members)))
    if c.money is not None:
        if c.money.base <= 0:
            problems.append(Problem("money.base", _("must be more than 0 (đồng), got {value}",
                                                    value=_fmt(c.money.base))))
        step = c.money.round_up_to
        if step <= 0 or not float(step).is_integer():
            problems.append(Problem("money.round_up_to", _(
                "must be a whole number of đồng, 1 or more, got {value}", value=_fmt(step))))
    for i, award in enumerate(c.awards):
        where = f"awards[{i}]"
        if award.ballot is not None:
            if c.council is None:
                problems.append(Problem(f"{where}.ballot", _(
                    "a ballot needs council.members (every member of the council, present or "
                    "voting in writing): add council with members: N")))
            share = award.ballot.min_share
            if not 0 < share <= 100:
                problems.append(Problem(f"{where}.ballot.min_share", _(
                    "must be more than 0 and at most 100, got {value}", value=_fmt(share))))
        if award.coefficient is not None:
            if c.money is None:
                problems.append(Problem(f"{where}.coefficient", _(
                    "a coefficient needs money: its base (mức lương cơ sở) is what the "
                    "coefficient multiplies")))
            if award.coefficient < 0:
                problems.append(Problem(f"{where}.coefficient", _(
                    "must be 0 or more, got {value}", value=_fmt(award.coefficient))))
    return problems
