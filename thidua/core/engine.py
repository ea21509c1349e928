"""The whole computation: a checked criteria model and a clean data frame in, the unit table out.

Pure: no files, no printing. The criteria file compiles to one lazy polars query (scores:
every point, total, knockout, class and ranking key); the table is then put in its final order
by one sort, which also gives the overall rank, and a second lazy query (standing) reads the
group ranks and the award counts along that order and draws the shortlists. No Python loop over
rows anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from thidua import model as m
from thidua.core import awards, ranking, scoring
from thidua.core.values import LIMIT
from thidua.core.values import problems as value_problems
from thidua.errors import DataError, Problem

CONTRACT = ("id", "name", "group", "total", "classification", "rank", "rank_overall", "bonus",
            "penalty", "knockouts", "awards", "flagged")


@dataclass(frozen=True)
class Result:
    """Every unit's row (contract columns, points, per-award details), in rank order."""

    criteria: m.Criteria
    units: pl.DataFrame

    @property
    def point_columns(self) -> list[str]:
        return [scoring.points_col(code) for code in node_codes(self.criteria)]


def node_codes(c: m.Criteria) -> list[str]:
    """Every node's code, main tree first (parents before children), then bonus, then penalty."""
    out: list[str] = []

    def visit(nodes: list[m.Node]) -> None:
        for node in nodes:
            out.append(node.code)
            visit(node.children or [])

    for _, nodes in scoring.parts(c):
        visit(nodes)
    return out


def scores(c: m.Criteria, frame: pl.LazyFrame, places: pl.DataFrame | None = None,
           trace: bool = False) -> pl.LazyFrame:
    """Points, totals, knockouts, classification and ranking keys of every unit, not yet in
    order (ranking.in_rank_order orders them and adds the overall rank). `places`: each group's
    place in the output (ranking.group_positions)."""
    if not c.units.group:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("group"))
    stages = scoring.Compiler(c, trace).stages()
    if places is not None:  # computed beside the leaves, where it costs no extra pass
        stages[0] = [*stages[0], pl.col("group").replace_strict(
            places.get_column("group"), places.get_column("__group"), default=len(places),
            return_dtype=pl.Int64).alias("__group")]
    for stage in stages:
        frame = frame.with_columns(stage)
    keys = ranking.key_columns(c)
    conditions = awards.fixed_conditions(c)
    kept = [*_BASE, *(scoring.points_col(k) for k in node_codes(c)), *(f"ko.{k.code}" for k in c.knockouts),
            "__barred", "__knocked", *(["__group"] if places is not None else []), *_traced(c, trace)]
    return frame.select(*kept, *(e.alias(name) for name, e in keys), *conditions)


def _traced(c: m.Criteria, trace: bool) -> list[str]:
    """With trace: each leaf's unrounded points, whether its value was missing, and the data read."""
    if not trace:
        return []
    codes = [leaf.node.code for leaf in scoring.leaves(c)]
    numbers, flags = scoring.indicators(c)
    return [*(f"raw.{k}" for k in codes), *(f"missing.{k}" for k in codes), *sorted(numbers | flags)]


def standing(c: m.Criteria, ordered: pl.DataFrame, trace: bool = False) -> pl.DataFrame:
    """Ranks and award shortlists, for a table already in rank order.

    Only the new columns are computed (one lazy query); they are then laid out in the chunks of
    the ordered table, so that the whole table is written out without being copied again.
    """
    stages = ranking.stages(c) + awards.stages(c)
    plan = ordered.lazy()
    for stage in stages:
        plan = plan.with_columns(stage)
    added = plan.select(e.meta.output_name() for stage in stages for e in stage).collect()
    table = ordered.hstack(ranking.chunked_like(added, ordered).get_columns())
    return table.select(*columns(c), *_traced(c, trace))


def score(c: m.Criteria, frame: pl.DataFrame, source: str = "<data>", *,
          consume: bool = False, trace: bool = False) -> Result:
    """Score, classify, rank and shortlist every unit of `frame` (as read by data.read_data).

    With consume=True the indicator columns are dropped from `frame` once they are scored, so
    that a million-unit run does not hold them through the sort (the caller's frame keeps only
    id, name, group and row). With trace=True the unit table also keeps, for explanations,
    each leaf's unrounded points (`raw.<code>`), `missing.<code>`, and the indicator columns.
    """
    problems = value_problems(c, frame)
    if problems:
        raise DataError(source, problems)
    places = ranking.group_positions(frame.get_column("group")) if c.units.group else None
    # each column as a Series of its own: a constant column the caller built with pl.lit is held
    # as one repeated value, which polars divides by inexactly (see rounding.divide)
    whole = pl.DataFrame([frame.get_column(n) for n in frame.columns])
    table = scores(c, whole.lazy(), places, trace).collect()
    del whole
    problems = not_finite(c, table)
    if problems:
        raise DataError(source, problems)
    if consume:
        for name in [n for n in frame.columns if n not in ("id", "name", "group", "row")]:
            frame.drop_in_place(name)
    ordered = ranking.in_rank_order(table, c)
    del table
    return Result(c, standing(c, ordered, trace))


def not_finite(c: m.Criteria, table: pl.DataFrame) -> list[Problem]:
    """Every unit with points or a total that are not a finite number (an intermediate result
    overflowed past ±1.8e308, as x * x - y * y at 1e200 does), named with the first criterion
    where it appears (leaves first, then each group after the groups below it). One aggregate
    pass over the few columns a NaN reaches from anywhere below (sums and means keep it; the
    caps and the floor at 0 would not) finds whether there is any; the data's own values are
    already known to be finite."""
    tops = ["earned", "total", *(scoring.points_col(node.code) for part, nodes in scoring.parts(c)
                                 if part != "main" for node in nodes)]
    if table.select(pl.sum_horizontal(tops).is_finite().all()).item() is not False:
        return []
    codes = [leaf.node.code for leaf in scoring.leaves(c)]
    codes += [node.code for _, nodes in scoring.parts(c) for node in scoring.groups(nodes)]
    columns = [(code, scoring.points_col(code)) for code in codes] + [("total", "total")]
    bad = [~pl.col(name).is_finite() for _, name in columns]
    first = pl.coalesce([pl.when(b).then(pl.lit(at)) for b, (at, _) in zip(bad, columns)])
    found = table.filter(pl.any_horizontal(bad).fill_null(False)).select("row", "id", first.alias("at"))
    out = [Problem(f"row {row}, {at}", f"unit {unit}: " + ("the total" if at == "total" else
                   f"criterion {at}") + " has no finite value (an intermediate result overflows "
                   "past ±1.8e308)") for row, unit, at in found.head(LIMIT).rows()]
    if found.height > LIMIT:
        out.append(Problem("", f"… and {found.height - LIMIT} more"))
    return out


_BASE = ("id", "name", "group", "row", "total", "classification", "bonus", "penalty", "knockouts",
         "earned", "attainable")


def columns(c: m.Criteria) -> list[str]:
    """What the unit table keeps: the contract, the data row, the points, each award's details."""
    kept = [*CONTRACT, "row", "earned", "attainable", *(scoring.points_col(k) for k in node_codes(c))]
    kept += [awards.col(what, a.code) for a in c.awards for what in awards.COLUMNS]
    kept += [awards.col("when", a.code) for a in c.awards if a.eligible.when is not None]
    kept += [f"ko.{k.code}" for k in c.knockouts]
    kept += ["__barred", "__knocked", *ranking.key_names(c)]  # what reasons and explanations read
    return kept
