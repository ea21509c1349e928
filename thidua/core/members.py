"""Collectives judged on their members (council-path §6): per collective and condition, how many
of its members hold the award, classification or knockout named, of how many members, and
whether the condition holds.

Pure: the members' result comes in as a frame (thidua/input/members.py reads it), one row a
member: `collective` (the collective's id in this file), `awards` and `knockouts` (lists of
codes), `classification`. The counts do not move with the weights: the decision engine takes
each condition as a fixed array per collective (decisions.Fixed.members_ok).

Shares are decided exactly: `share: 70` holds for 8 of 11 members because 8 × 100 × 1 ≥ 70 × 11
in whole numbers (the share read as the decimal it is written as), never by a float quotient.
A collective with no members fails every members condition.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import polars as pl

from thidua import model as m
from thidua.core.awards import col

MEMBER_SCHEMA: dict[str, pl.DataType] = {"collective": pl.String(), "awards": pl.List(pl.String()),
                 "classification": pl.String(), "knockouts": pl.List(pl.String())}


@dataclass(frozen=True)
class MembersData:
    """The members' result: one row a member (MEMBER_SCHEMA), and the file it came from."""

    frame: pl.DataFrame
    source: str = "<members>"


def conditions(c: m.Criteria) -> list[tuple[m.Award, int, m.MembersCondition]]:
    """Every members condition of the file: (award, its index in the award's list, condition)."""
    return [(a, j, cond) for a in c.awards for j, cond in enumerate(a.eligible.members or [])]


def needed(c: m.Criteria) -> bool:
    return bool(conditions(c))


def column(what: str, code: str, j: int) -> str:
    """The unit table's column of an award's j-th members condition: count, of (members), met."""
    return col(f"members.{j}.{what}", code)


def columns(c: m.Criteria) -> list[str]:
    return [column(what, a.code, j) for a, j, _ in conditions(c) for what in ("count", "of", "met")]


def check_name(j: int) -> str:
    """The name the decision engine and the reasons give the j-th members condition."""
    return f"members:{j}"


def _hit(cond: m.MembersCondition) -> pl.Expr:
    codes = cond.codes
    if cond.kind == "classification":
        return pl.col("classification").is_in(codes).fill_null(False)
    name = "awards" if cond.kind == "award" else "knockouts"
    return pl.col(name).list.eval(pl.element().is_in(codes)).list.any().fill_null(False)


def fraction(share: float) -> Fraction:
    """A share as the decimal a person wrote (70, 66.67), exactly."""
    return Fraction(Decimal(repr(float(share))))


def holds(cond: m.MembersCondition, count: int, of: int) -> bool:
    """Whether `count` members of `of` meet the condition: exact, in whole numbers."""
    if of == 0:
        return False
    if cond.share is not None:
        s = fraction(cond.share)
        return count * 100 * s.denominator >= s.numerator * of
    if cond.count is not None:
        return count >= cond.count
    assert cond.count_max is not None
    return count <= cond.count_max


def meets(cond: m.MembersCondition, count: pl.Series, of: pl.Series) -> pl.Series:
    """holds() for every collective at once: `count` of its `of` members meet the condition,
    decided in whole numbers. A share's least count is computed once for each distinct size of
    collective (N members make at most √(2N) distinct sizes), exactly in Python integers, and
    compared in polars; no collective is visited in Python."""
    there = of > 0
    if cond.share is not None:
        s = fraction(cond.share)
        sizes = of.unique().drop_nulls().to_list()
        # the least whole count with count × 100 × den ≥ num × of: the ceiling, at most `of`
        least = [-(-(s.numerator * n) // (100 * s.denominator)) for n in sizes]
        needed = of.replace_strict(sizes, least, return_dtype=pl.Int64) if sizes else of
        return there & (count >= needed)
    if cond.count is not None:
        return there & (count >= cond.count)
    assert cond.count_max is not None
    return there & (count <= cond.count_max)


def evidence(c: m.Criteria, ids: pl.Series, members: MembersData) -> pl.DataFrame:
    """Per unit of `ids` (in their order): every members condition's count, of and met columns."""
    found = conditions(c)
    if not found:
        return pl.DataFrame()
    frame = members.frame
    counted = frame.group_by("collective").agg(
        pl.len().alias("__of"),
        *(_hit(cond).sum().alias(f"__c{i}") for i, (_a, _j, cond) in enumerate(found)))
    joined = pl.DataFrame({"collective": ids}).join(counted, on="collective", how="left",
                                                    maintain_order="left")
    of = joined.get_column("__of").fill_null(0).cast(pl.Int64)
    out: list[pl.Series] = []
    for i, (a, j, cond) in enumerate(found):
        count = joined.get_column(f"__c{i}").fill_null(0).cast(pl.Int64)
        met = meets(cond, count, of)
        out += [count.alias(column("count", a.code, j)), of.alias(column("of", a.code, j)),
                met.fill_null(False).alias(column("met", a.code, j))]
    return pl.DataFrame(out)
