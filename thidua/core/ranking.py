"""What ranking compares, and the table put in rank order: the ranking keys (the total, then
the tie-break chain, each compared at its decimal), each group's place in Vietnamese order, and
the rows taken in the order decisions.py decides (group, keys best first, then unit id in
Vietnamese order), without holding two whole tables at once.
"""

from __future__ import annotations

from itertools import accumulate

import polars as pl

from thidua import model as m
from thidua.core.collation import sort_key
from thidua.core.rounding import compared, snap
from thidua.core.scoring import points_col


def key_columns(c: m.Criteria) -> list[tuple[str, pl.Expr]]:
    """The ranking keys, each oriented so that higher is better, missing values last (an
    indicator's counts as 0 under `missing: zero`); each compared at the decimal a person
    computes (rounding.snap), so that equal decimals tie."""
    keys = [("__key0", compared(pl.col("total"), c.precision))]
    leafwise = c.precision if c.round_at == "leaves" else None  # points rounded at every node
    for i, tb in enumerate(c.ranking.tie_break, start=1):
        if tb.criterion is not None:
            col = compared(pl.col(points_col(tb.criterion)), leafwise)
        else:  # a missing value counts as 0 under missing: zero, as in conditions; else last
            assert tb.indicator is not None  # checks.py: exactly one of criterion and indicator
            col = snap(pl.col(tb.indicator).cast(pl.Float64))
            col = col.fill_null(0.0) if c.missing == "zero" else col
        oriented = -col if tb.order == "asc" else col
        keys.append((f"__key{i}", oriented.fill_null(float("-inf"))))
    return keys


def key_names(c: m.Criteria) -> list[str]:
    return [name for name, _ in key_columns(c)]


def group_positions(groups: pl.Series) -> pl.DataFrame:
    """Each distinct group with its place in Vietnamese order, numbers by value ("Cụm 2" before
    "Cụm 10"). Only the distinct texts before a trailing number are sorted in Python."""
    distinct = pl.DataFrame({"group": groups.unique().drop_nulls()}).with_columns(
        pl.col("group").str.extract(r"^(.*?)\d*$", 1).alias("__stem"),
        pl.col("group").str.extract(r"(\d+)$", 1).cast(pl.Float64).alias("__number"))
    stems = sorted(distinct.get_column("__stem").unique().to_list(), key=sort_key)
    return (distinct.with_columns(pl.col("__stem").replace_strict(stems, list(range(len(stems))),
                                                                  return_dtype=pl.Int64))
            .sort("__stem", "__number", "group", nulls_last=False)
            .select("group", pl.int_range(pl.len(), dtype=pl.Int64).alias("__group")))


def take(table: pl.DataFrame, order: pl.Series) -> pl.DataFrame:
    """The rows of `table` in `order`, one column at a time, each original released as soon as
    its copy exists (so two whole tables are never in memory together). Empties `table`.

    Each column is made one array before the gather (a gather from the chunks a streaming query
    leaves is several times slower), and its copy is built in pieces the size of those chunks,
    so that the memory the originals free is reused for the copies rather than kept besides.
    """
    names = list(table.columns)
    # any cut of the order gives the same rows; the sizes only save memory
    cuts = _cut(order, table.get_column(names[0]).chunk_lengths()) or [order]
    out = []
    for name in names:
        column = pl.DataFrame([table.drop_in_place(name).rechunk()])
        pieces = [column[cut] for cut in cuts]
        del column
        out.append(pl.concat(pieces, rechunk=False))
    return pl.concat(out, how="horizontal")


def chunked_like(frame: pl.DataFrame, like: pl.DataFrame) -> pl.DataFrame:
    """`frame` cut into the chunks of `like` (same height), without copying beyond one rechunk:
    a table whose columns share one layout is written to Parquet without being copied, while
    columns of many small or unequal chunks are copied whole by the writer."""
    lengths = like.get_column(like.columns[0]).chunk_lengths() if like.width else []
    if len(lengths) <= 1:
        return frame.rechunk()
    columns = frame.rechunk().get_columns()
    return pl.DataFrame([pl.concat(_cut(column, lengths), rechunk=False) for column in columns])


def _cut(series: pl.Series, lengths: list[int]) -> list[pl.Series]:
    """`series` in consecutive slices of these lengths (views of it, not copies)."""
    starts = accumulate(lengths, initial=0)
    return [series.slice(start, length) for start, length in zip(starts, lengths)]
