"""The whole computation: a checked criteria model and a clean data frame in, the unit table out.

Pure: no files, no printing. The stages of scoring.py, ranking.py and awards.py run as one
lazy polars query.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from . import awards, ranking, scoring
from . import model as m
from .collation import sort_key
from .errors import DataError
from .values import problems as value_problems

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


def query(c: m.Criteria, frame: pl.LazyFrame) -> pl.LazyFrame:
    """The lazy query from data to the full unit table (before ordering)."""
    if not c.units.group:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("group"))
    for stage in scoring.Compiler(c).stages() + ranking.stages(c) + awards.stages(c):
        frame = frame.with_columns(stage)
    return frame


def score(c: m.Criteria, frame: pl.DataFrame, source: str = "<data>") -> Result:
    """Score, classify, rank and shortlist every unit of `frame` (as read by data.read_data)."""
    problems = value_problems(c, frame)
    if problems:
        raise DataError(source, problems)
    table = query(c, frame.lazy()).select(*columns(c)).collect()
    return Result(c, order(table))


def columns(c: m.Criteria) -> list[str]:
    """What the unit table keeps: the contract, the data row, the points, each award's details."""
    kept = [*CONTRACT, "row", "earned", "attainable", *(scoring.points_col(k) for k in node_codes(c))]
    kept += [awards.col(what, a.code) for a in c.awards for what in awards.COLUMNS]
    kept += [f"ko.{k.code}" for k in c.knockouts]
    return kept


def order(table: pl.DataFrame) -> pl.DataFrame:
    """Group (in Vietnamese order, numbers by value), then rank, then id."""
    groups = sorted(table.get_column("group").unique().drop_nulls().to_list(), key=sort_key)
    if len(groups) <= 1:
        return table.sort("rank", "id")
    position = pl.col("group").cast(pl.Enum(groups)).to_physical()
    return table.sort(position, "rank", "id", nulls_last=True)
