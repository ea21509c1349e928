"""Ranks inside each group and overall: competition, dense or ordinal, after the tie-break chain.

The result never depends on row order: ties left after every tie-break share a rank
(competition, dense) or are ordered by unit id (ordinal).
"""

from __future__ import annotations

import polars as pl

from . import model as m
from .scoring import points_col

_METHOD = {"competition": "min", "dense": "dense", "ordinal": "min"}


def key_columns(c: m.Criteria) -> list[tuple[str, pl.Expr]]:
    """The ranking keys, each oriented so that higher is better, missing values last."""
    keys = [("__key0", pl.col("total"))]
    for i, tb in enumerate(c.ranking.tie_break, start=1):
        col = pl.col(points_col(tb.criterion)) if tb.criterion else pl.col(tb.indicator).cast(pl.Float64)
        oriented = -col if tb.order == "asc" else col
        keys.append((f"__key{i}", oriented.fill_null(float("-inf"))))
    return keys


def _rank(names: list[str], method: str, over: list[str]) -> pl.Expr:
    key = pl.col(names[0]) if len(names) == 1 else pl.struct(names)
    ranked = key.rank(_METHOD[method], descending=True)
    if method == "ordinal":  # the tied units follow one another in order of their ids
        ranked = ranked + pl.col("id").rank("ordinal").over([*over, *names]) - 1
    return (ranked.over(over) if over else ranked).cast(pl.Int64)


def stages(c: m.Criteria) -> list[list[pl.Expr]]:
    keys = key_columns(c)
    names = [name for name, _ in keys]
    method = c.ranking.method
    overall = _rank(names, method, [])
    by_group = _rank(names, method, ["group"]) if c.units.group else overall
    return [[e.alias(name) for name, e in keys],
            [by_group.alias("rank"), overall.alias("rank_overall")]]
