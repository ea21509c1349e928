"""The council's vote on each shortlist, and the amount of each award (docs/criteria-format.md, "Ballots and money").

Pure: a scored Result and the votes (a frame of `award`, `id`, `yes`, `row`, as
thidua/input/votes.py reads them) in, frozen frames out.

- The candidates of an award with `ballot` are its shortlist: the units on the list (also those
  included by a tie) and the units tied at the quota line for the council's vote. Units a tie
  policy of `exclude` left out are not on the shortlist, so not candidates.
- A candidate passes when yes / council.members ≥ min_share / 100. This is decided on whole
  numbers: the votes a candidate needs are ⌈min_share × members / 100⌉, computed once per award
  in Decimal from the decimal written in the file (80 % of 9 members: 7,2 → 8 votes), and
  `yes ≥ need` is an integer comparison. The share shown is yes × 100 / members rounded half up
  to 2 decimals, for people; it never decides.
- More passing candidates than the quota: they are taken by yes votes (more first), then by
  rank (better first); the units still equal on both at the last place are left to the
  chairman (`chair`): on the final list neither, and the quota's remaining places with them.
- An award without `ballot` is not voted on: its final list is its list.
- An amount is coefficient × money.base, rounded up to a multiple of money.round_up_to, in
  Decimal; an award's total is the amount × the units on its final list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

import polars as pl

from thidua import model as m
from thidua.core.engine import Result
from thidua.core.reasons import reasons
from thidua.errors import DataError, Problem
from thidua.i18n import _

SHORTLIST = ("on_list", "tie_included", "tied_flag")  # the statuses that make a candidate
RESULTS = ("final", "chair", "over_quota", "failed")  # a candidate's result after the vote


def decimal(x: float | int) -> Decimal:
    """The decimal a person wrote (80, 66.67, 2340000): the shortest text of the float."""
    return Decimal(repr(x)) if isinstance(x, float) else Decimal(x)


def needed(members: int, min_share: float) -> int:
    """The fewest yes votes that reach min_share % of `members`: ⌈min_share × members / 100⌉."""
    exact = decimal(min_share) * members / 100
    return int(exact.to_integral_value(rounding=ROUND_CEILING))


def amount(coefficient: float, money: m.Money) -> int:
    """coefficient × base, rounded up to a multiple of round_up_to (đồng), exactly."""
    step = decimal(money.round_up_to)
    raw = decimal(coefficient) * decimal(money.base)
    return int((raw / step).to_integral_value(rounding=ROUND_CEILING) * step)


def has_ballots(c: m.Criteria) -> bool:
    return any(a.ballot is not None for a in c.awards)


def applies(c: m.Criteria) -> bool:
    """Whether the file asks for anything of this module (a ballot or money)."""
    return has_ballots(c) or c.money is not None


@dataclass(frozen=True)
class Outcome:
    """`candidates`: one row per ballot award and candidate (award, group, id, name, rank,
    total, need, yes, share, passed, result, order), in the order of the tally; `lists`: one row
    per award and group (award, group, quota, voted, need, members, min_share, final, chair,
    amount, total_amount), `final` and `chair` as lists of ids in order (null when the award's
    ballot has no votes yet)."""

    candidates: pl.DataFrame
    lists: pl.DataFrame
    voted: bool

    def of(self, code: str, group: str | None) -> dict[str, Any]:
        """The `lists` row of an award and group."""
        row = self.lists.filter((pl.col("award") == code) & pl.col("group").eq_missing(group))
        return row.row(0, named=True)

    def tally(self, code: str, group: str | None) -> list[dict[str, Any]]:
        """The candidates of an award and group, in the tally's order."""
        return self.candidates.filter(
            (pl.col("award") == code) & pl.col("group").eq_missing(group)).to_dicts()


@dataclass(frozen=True)
class Decided:
    """A scored result with the council's vote and the amounts: what `thidua awards` writes."""

    result: Result
    outcome: Outcome


_CANDIDATES: dict[str, Any] = {"award": pl.String, "group": pl.String, "id": pl.String, "name": pl.String,
               "rank": pl.Int64, "total": pl.Float64, "need": pl.Int64, "yes": pl.Int64,
               "share": pl.Float64, "passed": pl.Boolean, "result": pl.String, "order": pl.Int64}


def candidates(result: Result, why: pl.DataFrame | None = None) -> pl.DataFrame:
    """The shortlist of every award with a ballot: award, group, id, name, rank, total, in
    reasons' order (`why`: reasons(result), when at hand)."""
    c = result.criteria
    voted = [a.code for a in c.awards if a.ballot is not None]
    if not voted:
        return pl.DataFrame(schema={k: _CANDIDATES[k] for k in ("award", "group", "id", "name",
                                                                "rank", "total")})
    why = reasons(result) if why is None else why
    return (why.filter(pl.col("award").is_in(voted) & pl.col("status").is_in(SHORTLIST))
            .select("award", "group", "id", "name", "rank", "total"))


def check_votes(result: Result, votes: pl.DataFrame, source: str,
                found: Sequence[Problem] = (), shortlist: pl.DataFrame | None = None) -> None:
    """Every candidate has exactly one vote row, and every row is for a candidate of an award
    with a ballot: else a DataError naming each row (or candidate) and value, after the
    problems `found` in the file's values (thidua/input/votes.py)."""
    c = result.criteria
    codes = {a.code for a in c.awards}
    voted = {a.code for a in c.awards if a.ballot is not None}
    shortlist = (candidates(result) if shortlist is None else shortlist).select("award", "id", "group")
    problems: list[Problem] = list(found)
    named = votes.filter(pl.col("award").is_not_null() & pl.col("id").is_not_null())
    strays = named.join(shortlist, on=["award", "id"], how="anti", maintain_order="left")
    known = sorted(codes)
    for r in strays.select("row", "award", "id").to_dicts():  # the few rows that are wrong
        where = _("row {row}, {column}", row=r["row"], column="award")
        if r["award"] not in codes:
            problems.append(Problem(where, _(
                "{value} is not an award code of the criteria file (its awards: {codes})",
                value=repr(r["award"]), codes=", ".join(known) or "—")))
        elif r["award"] not in voted:
            problems.append(Problem(where, _(
                "award {code} has no ballot in the criteria file: it is not voted on",
                code=r["award"])))
        else:
            problems.append(Problem(_("row {row}, {column}", row=r["row"], column="id"), _(
                "{value} is not a candidate of {code} (its candidates are the units on its "
                "shortlist)", value=repr(r["id"]), code=r["award"])))
    twice = named.filter(pl.struct("award", "id").is_duplicated()).group_by(
        "award", "id", maintain_order=True).agg("row")
    for r in twice.to_dicts():
        problems.append(Problem("id", _(
            "{code} {id}: voted on in rows {rows}; one row a candidate",
            code=r["award"], id=repr(r["id"]), rows=", ".join(map(str, r["row"])))))
    missing = shortlist.join(votes, on=["award", "id"], how="anti")
    for r in missing.to_dicts():
        problems.append(Problem("", _("{code}: the candidate {id} has no vote row (award, id, yes)",
                                      code=r["award"], id=repr(r["id"]))))
    if problems:
        raise DataError(source, problems)


def decide(result: Result, votes: pl.DataFrame | None = None, source: str = "<votes>",
           found: Sequence[Problem] = ()) -> Outcome:
    """The final list of every award: by the vote (`votes`, checked against the shortlists, with
    the problems `found` in its values) for an award with `ballot`, its list otherwise; and each
    award's amount and total."""
    c = result.criteria
    listed = reasons(result) if c.awards else pl.DataFrame()
    shortlist = candidates(result, listed if c.awards else None)
    if votes is not None:
        check_votes(result, votes, source, found, shortlist)
    tallies, lists = [], []
    for award in c.awards:
        scope = ["group"] if c.award_scope(award) == "group" else []
        mine = listed.filter(pl.col("award") == award.code)
        own = shortlist.filter(pl.col("award") == award.code)
        if not scope:  # one list over all units: no group (as reasons.quotas has it)
            mine = mine.with_columns(pl.lit(None, dtype=pl.String).alias("group"))
            own = own.with_columns(pl.lit(None, dtype=pl.String).alias("group"))
        quotas = mine.group_by("group", maintain_order=True).agg(pl.col("quota").first())
        pay = amount(award.coefficient, c.money) if award.coefficient is not None and c.money else None
        members = need = None
        min_share = None
        if award.ballot is None:
            got = mine.group_by("group", maintain_order=True).agg(
                pl.col("id").filter(pl.col("status").is_in(["on_list", "tie_included"])).alias("final"))
        else:
            assert c.council is not None  # checks.py: a ballot needs council.members
            members, min_share = c.council.members, award.ballot.min_share
            need = needed(members, min_share)
            tally = _tally(own, votes, scope, need, members, quotas)
            tallies.append(tally)
            got = tally.group_by("group", maintain_order=True).agg(
                pl.col("id").filter(pl.col("result") == "final").alias("final"),
                pl.col("id").filter(pl.col("result") == "chair").alias("chair"))
        if "chair" not in got.columns:
            got = got.with_columns(pl.lit(None, dtype=pl.List(pl.String)).alias("chair"))
        empty = pl.lit([], dtype=pl.List(pl.String))
        done = award.ballot is None or votes is not None
        frame = quotas.join(got, on="group", how="left", nulls_equal=True, maintain_order="left").with_columns(
            *((pl.coalesce(pl.col(k), empty) if done else pl.lit(None, dtype=pl.List(pl.String))).alias(k)
              for k in ("final", "chair")))
        lists.append(frame.with_columns(
            pl.lit(award.code).alias("award"),
            pl.lit(None if award.ballot is None else votes is not None, dtype=pl.Boolean).alias("voted"),
            pl.lit(need, dtype=pl.Int64).alias("need"), pl.lit(members, dtype=pl.Int64).alias("members"),
            pl.lit(min_share, dtype=pl.Float64).alias("min_share"),
            pl.lit(pay, dtype=pl.Int64).alias("amount"),
            (pl.lit(pay, dtype=pl.Int64) * pl.col("final").list.len()).alias("total_amount"),
        ).select(list(_LISTS)))
    frame = (pl.concat(tallies, how="vertical_relaxed") if tallies
             else pl.DataFrame(schema=_CANDIDATES))
    return Outcome(frame.select(list(_CANDIDATES)), pl.concat(lists) if lists else pl.DataFrame(schema=_LISTS),
                   votes is not None)


_LISTS: dict[str, Any] = {"award": pl.String, "group": pl.String, "quota": pl.Int64, "voted": pl.Boolean,
                          "need": pl.Int64, "members": pl.Int64, "min_share": pl.Float64,
                          "final": pl.List(pl.String), "chair": pl.List(pl.String), "amount": pl.Int64,
                          "total_amount": pl.Int64}


def _tally(shortlist: pl.DataFrame, votes: pl.DataFrame | None, scope: list[str], need: int,
           members: int, quotas: pl.DataFrame) -> pl.DataFrame:
    """The candidates of one award with their votes, share, passed and result, in the order of
    the final list inside each group: the passed by yes votes, then rank; then the others by
    rank. Without votes: the shortlist in its order, the vote columns empty."""
    frame = shortlist.join(quotas, on="group", how="left", nulls_equal=True, maintain_order="left")
    if votes is None:
        frame = frame.with_columns(
            pl.lit(need, dtype=pl.Int64).alias("need"), pl.lit(None, dtype=pl.Int64).alias("yes"),
            pl.lit(None, dtype=pl.Float64).alias("share"),
            pl.lit(None, dtype=pl.Boolean).alias("passed"), pl.lit(None, dtype=pl.String).alias("result"))
        return frame.with_columns(_order(scope))
    frame = frame.join(votes.select("award", "id", "yes"), on=["award", "id"], how="left",
                       maintain_order="left")
    yes, rank = pl.col("yes"), pl.col("rank")
    passed = yes >= need
    # one whole-number key, smaller is better: more votes first, then the better rank (a rank
    # is below `width`); the candidates who failed come after every one who passed
    width = int(frame.get_column("rank").max() or 0) + 1  # type: ignore[arg-type]
    key = pl.when(passed).then((members - yes) * width + rank).otherwise((members + 1) * width + rank)
    frame = frame.with_columns(key.alias("__key"))
    by = [*scope, "__key"]
    place = pl.col("__key").rank("min")
    frame = frame.with_columns((place.over(scope) if scope else place).alias("__place"),
                               pl.len().over(by).alias("__tied"))
    last = pl.col("__place") + pl.col("__tied") - 1
    result = (pl.when(~passed).then(pl.lit("failed"))
              .when(last <= pl.col("quota")).then(pl.lit("final"))
              .when(pl.col("__place") <= pl.col("quota")).then(pl.lit("chair"))
              .otherwise(pl.lit("over_quota")))
    share = (yes * 20000 + members) // (2 * members) / 100  # half up to 2 decimals, for people
    frame = frame.with_columns(pl.lit(need, dtype=pl.Int64).alias("need"), share.alias("share"),
                               passed.alias("passed"), result.alias("result"))
    frame = frame.with_row_index("__i")
    first = pl.col("__i").min().over("group") if scope else pl.lit(0)
    frame = (frame.with_columns(first.alias("__first"))
             .sort("__first", "__key", maintain_order=True))
    return frame.with_columns(_order(scope))


def _order(scope: list[str]) -> pl.Expr:
    """1, 2, … inside each group (over all units without one)."""
    n = pl.int_range(1, pl.len() + 1)
    return (n.over(scope) if scope else n).cast(pl.Int64).alias("order")
