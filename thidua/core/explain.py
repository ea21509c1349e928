"""One unit's whole trace, as data: every criterion's values and points, bonus, penalty, caps,
knockouts, classification, rank, its neighbours' margins and each award's reason.

Built from a traced result (engine.score(..., trace=True)); the words are render_explain.py's.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from thidua import model as m
from thidua.core import decisions, expr
from thidua.core.engine import Result
from thidua.core.reasons import reasons
from thidua.core.scoring import leaves, points_col, rule_columns, work_col, work_names
from thidua.errors import Problem, UsageError
from thidua.i18n import _, ngettext


@dataclass(frozen=True)
class NodeTrace:
    node: m.Node
    points: float | None
    raw: float | None = None  # a leaf's points before rounding
    missing: bool = False  # a leaf whose value was missing (its policy decided the points)
    policy: str = "error"
    values: tuple[tuple[str, Any], ...] = ()  # a leaf's data: (column, value)
    children: tuple[NodeTrace, ...] = ()
    origins: tuple[str, ...] = ()  # review stages: the stage of each value ("" for one file)
    working: tuple[tuple[str, float | None], ...] = ()  # a normalisation's: (z|rank|n|min|max, value)


@dataclass(frozen=True)
class Neighbour:
    id: str
    name: str
    rank: int
    total: float


@dataclass(frozen=True)
class KnockoutTrace:
    knockout: m.Knockout
    hit: bool
    values: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Explanation:
    criteria: m.Criteria
    unit: dict[str, Any]
    main: tuple[NodeTrace, ...]
    bonus: tuple[NodeTrace, ...]
    penalty: tuple[NodeTrace, ...]
    knockouts: tuple[KnockoutTrace, ...]
    band: str | None  # the classification the total alone gives, before any knockout cap
    group_size: int
    units: int
    above: Neighbour | None
    below: Neighbour | None
    awards: tuple[dict[str, Any], ...]
    # review stages (core/stages.py): indicator → the stage its value came from; {}: one file
    origin: dict[str, str] = field(default_factory=dict)
    treated: tuple[dict[str, Any], ...] = ()  # the unit's cells a `treatment:` changed (treatment.CHANGES)

    @property
    def bonus_sum(self) -> float:
        return sum(t.points or 0.0 for t in self.bonus)

    @property
    def penalty_sum(self) -> float:
        return sum(t.points or 0.0 for t in self.penalty)


def find_unit(result: Result, unit_id: str, source: str = "<data>") -> dict[str, Any]:
    """The unit's row; UsageError naming the id and the nearest ids when it is not there."""
    import unicodedata

    wanted = unicodedata.normalize("NFC", unit_id).strip()
    rows = result.units.filter(pl.col("id") == wanted)
    if rows.height:
        return rows.row(0, named=True)
    ids = result.units.get_column("id").to_list()
    near = difflib.get_close_matches(wanted, ids, n=3, cutoff=0.5)
    hint = _("; nearest: {ids}", ids=", ".join(near)) if near else ""
    raise UsageError(source, [Problem("", ngettext("no unit has id {id} ({count} unit)",
                                                   "no unit has id {id} ({count} units)",
                                                   len(ids), id=repr(unit_id), count=len(ids))
                                      + hint)])


def explain(result: Result, unit_id: str, source: str = "<data>") -> Explanation:
    c = result.criteria
    row = find_unit(result, unit_id, source)
    policy = {leaf.node.code: leaf.policy for leaf in leaves(c)}
    origin = result.stages.origin_of(row["id"]) if result.stages is not None else {}

    def trace(node: m.Node) -> NodeTrace:
        points = row[points_col(node.code)]
        if node.rule is None:
            return NodeTrace(node, points, children=tuple(trace(k) for k in node.children or []))
        values = tuple((col, row.get(col)) for col in rule_columns(node.rule))
        working = tuple((what, row[work_col(node.code, what)]) for what in work_names(node.rule))
        return NodeTrace(node, points, row[f"raw.{node.code}"], bool(row[f"missing.{node.code}"]),
                         policy[node.code], values, working=working,
                         origins=tuple(origin.get(col, "") for col, _v in values) if origin else ())

    knocks = []
    for k in c.knockouts:
        names = sorted(expr.names(expr.check(k.when, "bool")))
        knocks.append(KnockoutTrace(k, bool(row[f"ko.{k.code}"]), tuple((n, row.get(n)) for n in names)))
    band = decisions.band(c, row["total"])
    mates = result.units.filter(pl.col("group").eq_missing(row["group"])).select("id", "name", "rank", "total")
    ids = mates.get_column("id").to_list()
    at = ids.index(row["id"])

    def neighbour(i: int) -> Neighbour | None:
        return Neighbour(**mates.row(i, named=True)) if 0 <= i < len(ids) else None

    why = reasons(result)
    mine = why.filter(pl.col("id") == row["id"]).to_dicts() if why.height else []
    return Explanation(
        criteria=c, unit=row, main=tuple(trace(n) for n in c.criteria),
        bonus=tuple(trace(n) for n in (c.bonus.criteria if c.bonus else [])),
        penalty=tuple(trace(n) for n in (c.penalty.criteria if c.penalty else [])),
        knockouts=tuple(knocks), band=band, group_size=len(ids), units=result.units.height,
        above=neighbour(at - 1), below=neighbour(at + 1), awards=tuple(mine),
        origin=origin,
        treated=tuple(result.treated.filter(pl.col("id") == row["id"]).to_dicts()),
    )


@dataclass(frozen=True)
class Difference:
    """One criterion (or bonus, penalty, total) of two units: both points, and b − a."""

    code: str
    name: str
    depth: int
    a: float | None
    b: float | None
    part: str = "main"  # main, bonus or penalty

    @property
    def gap(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a

    @property
    def lead(self) -> float:
        """How far the first unit is ahead here (a penalty point puts it behind)."""
        gap = self.gap or 0.0
        return gap if self.part == "penalty" else -gap


@dataclass(frozen=True)
class Comparison:
    """Two units side by side: `upper` ranks above `lower` (by overall rank, then as asked)."""

    upper: Explanation
    lower: Explanation
    rows: tuple[Difference, ...]  # every criterion of the tree, bonus and penalty criteria, in order
    decided_by: str | None  # "total", a tie-break ("criterion:II", "indicator:x") or None (still tied)


def compare(result: Result, first: str, second: str, source: str = "<data>") -> Comparison:
    """The two units' explanations and each criterion's points side by side; which one ranks
    above the other and what decided it (the total, else the first tie-break that differs)."""
    a, b = explain(result, first, source), explain(result, second, source)
    if (b.unit["rank_overall"], b.unit["id"]) < (a.unit["rank_overall"], a.unit["id"]):
        a, b = b, a
    rows: list[Difference] = []

    def walk(x: NodeTrace, y: NodeTrace, depth: int, part: str) -> None:
        rows.append(Difference(x.node.code, x.node.name, depth, x.points, y.points, part))
        for cx, cy in zip(x.children, y.children, strict=True):
            walk(cx, cy, depth + 1, part)

    for part, xs, ys in (("main", a.main, b.main), ("bonus", a.bonus, b.bonus), ("penalty", a.penalty, b.penalty)):
        for x, y in zip(xs, ys, strict=True):
            walk(x, y, 0, part)
    c = result.criteria
    decided: str | None = None
    if a.unit.get("__key0", a.unit["total"]) != b.unit.get("__key0", b.unit["total"]):
        decided = "total"
    else:
        for i, tb in enumerate(c.ranking.tie_break, start=1):
            if a.unit.get(f"__key{i}") != b.unit.get(f"__key{i}"):
                decided = f"criterion:{tb.criterion}" if tb.criterion else f"indicator:{tb.indicator}"
                break
        if decided is None and a.unit["rank_overall"] != b.unit["rank_overall"]:
            decided = "id"  # ranking method ordinal: the unit id decides
    return Comparison(a, b, tuple(rows), decided)
