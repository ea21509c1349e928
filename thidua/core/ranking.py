"""Ranks inside each group and overall: competition, dense or ordinal, after the tie-break chain.

The unit table is first put in its final order (group, then the ranking keys from best to
worst, then unit id in Vietnamese order); ranks inside a group then follow from one pass over
neighbouring rows, with no second sort. The result never depends on row order: ties left after
every tie-break share a rank (competition, dense) or are ordered by unit id (ordinal).
"""

from __future__ import annotations

from itertools import accumulate
from typing import Literal

import numpy as np
import polars as pl

from thidua import model as m
from thidua.core.collation import ranks, sort_key
from thidua.core.rounding import compared, snap
from thidua.core.scoring import points_col

_METHOD: dict[str, Literal["min", "dense"]] = {
    "competition": "min", "dense": "dense", "ordinal": "min"}


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


def _sort_keys(c: m.Criteria) -> list[pl.Expr]:
    """The ranking keys as whole numbers where they are rounded (faster to sort), else as they are."""
    rounded = c.precision is not None and c.round_at == "leaves"
    out = []
    for (name, _), tb in zip(key_columns(c), [None, *c.ranking.tie_break]):
        exact = rounded and (tb is None or tb.criterion is not None)
        if exact:
            scale = 10.0 ** (c.precision or 0)
            out.append((pl.col(name) * scale).round().cast(pl.Int64, strict=False)
                       .fill_null(-(1 << 62)).alias(name))
        else:
            out.append(pl.col(name))
    return out


def _packed(frame: pl.DataFrame, columns: list[tuple[str, bool]]) -> pl.Expr | None:
    """One Int64 that sorts like the whole-number columns together (descending ones reversed),
    or None when they do not fit in 62 bits; one key sorts several times faster than many."""
    if any(frame.schema[name] != pl.Int64 for name, _ in columns):
        return None
    bounds = frame.select(*(pl.col(n).min().alias(f"{n}.lo") for n, _ in columns),
                          *(pl.col(n).max().alias(f"{n}.hi") for n, _ in columns)).row(0, named=True)
    packed: pl.Expr = pl.lit(0, dtype=pl.Int64)
    bits = 0
    for name, descending in columns:
        lo, hi = bounds[f"{name}.lo"], bounds[f"{name}.hi"]
        if lo is None:
            continue
        width = int(hi - lo).bit_length()
        bits += width
        if bits > 62:
            return None
        part = (hi - pl.col(name)) if descending else (pl.col(name) - lo)
        packed = packed * (1 << width) + part
    return packed


def in_rank_order(table: pl.DataFrame, c: m.Criteria) -> pl.DataFrame:
    """The table sorted by group (in Vietnamese order), keys best first, then unit id (in
    Vietnamese order too), with `rank_overall` added. Empties `table`."""
    ids = table.get_column("id")
    frame = table.select(*_sort_keys(c), "id")
    if c.ranking.method == "ordinal":  # the overall rank follows the ids of tied units
        frame = frame.with_columns(ranks(ids).alias("__id"))
    keys = [(name, True) for name in key_names(c)]
    columns = keys
    if "__group" in table.columns:  # each group's place, from group_positions
        frame = frame.with_columns(table.get_column("__group"))
        columns = [("__group", False), *keys]
    packed = _packed(frame, columns)
    by = [packed] if packed is not None else [pl.col(name) for name, _ in columns]
    descending = [False] if packed is not None else [d for _, d in columns]
    if ids.is_sorted():  # ties are already in id order: a stable sort keeps it
        order = pl.arg_sort_by(by, descending=descending, maintain_order=True)
    else:
        order = pl.arg_sort_by([*by, pl.col("id")], descending=[*descending, False])
    found = frame.select(_overall_rank(frame, keys, c), order.alias("order"))  # side by side
    order_ = _ties_collated(frame, found.get_column("order"), by)
    table.hstack([found.get_column("rank_overall")], in_place=True)  # in place: take frees as it goes
    return take(table, order_)


def _ties_collated(frame: pl.DataFrame, order: pl.Series, by: list[pl.Expr]) -> pl.Series:
    """`order` (tied units in code-point order of their ids) with each run of units equal on
    every key put in Vietnamese order of their ids ("An Giang", "Ánh Sáng", "Yên Bái"; X2
    before X10). Only the ids of tied units are collated."""
    keyed = frame.select(*(e.alias(f"__k{i}") for i, e in enumerate(by)))[order]
    same = keyed.select(pl.all_horizontal([pl.col(k) == pl.col(k).shift(1) for k in keyed.columns])
                        .fill_null(False)).to_series()
    if not same.any():
        return order
    at = (same | same.shift(-1, fill_value=False)).arg_true()  # places in a run of ties
    run = (~same).cum_sum().gather(at).to_numpy()
    rows = order.gather(at).to_numpy()
    place = ranks(frame.get_column("id").gather(rows)).to_numpy()
    out = order.to_numpy().copy()
    out[at.to_numpy()] = rows[np.lexsort((place, run))]
    return pl.Series("order", out)


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


def group_starts() -> pl.Expr:
    """True on the first row of each group, for a table in rank order."""
    first = pl.int_range(pl.len(), dtype=pl.Int64) == 0
    return first | pl.col("group").ne_missing(pl.col("group").shift(1))


def _within_group(keys: list[str], method: str) -> pl.Expr:
    """Ranks from neighbouring rows of a table in rank order."""
    row = pl.int_range(pl.len(), dtype=pl.Int64)
    new_group = group_starts()
    new_key = new_group | pl.any_horizontal([pl.col(k) != pl.col(k).shift(1) for k in keys]).fill_null(True)
    position = row - pl.when(new_group).then(row).forward_fill()  # 0 for the first of its group
    if method == "ordinal":
        return position + 1
    if method == "competition":
        return pl.when(new_key).then(position + 1).forward_fill()
    distinct = new_key.cast(pl.Int64).cum_sum()
    return distinct - pl.when(new_group).then(distinct).forward_fill() + 1


def _overall(keys: list[str], method: str) -> pl.Expr:
    key = pl.col(keys[0]) if len(keys) == 1 else pl.struct(keys)
    ranked = key.rank(_METHOD[method], descending=True)
    if method == "ordinal":  # the tied units follow one another in order of their ids
        ranked = ranked + pl.col("__id").rank("ordinal").over(keys) - 1
    return ranked


def overall(c: m.Criteria) -> pl.Expr:
    """`rank_overall`, from the keys and `__id` (each id's place in Vietnamese order, from
    collation.ranks) alone, in any row order; the group rank when there are no groups."""
    return _overall(key_names(c), c.ranking.method).cast(pl.Int64).alias("rank_overall")


def _overall_rank(keys: pl.DataFrame, columns: list[tuple[str, bool]], c: m.Criteria) -> pl.Expr:
    """`rank_overall` (as overall() computes it) over `keys` (the sort keys and `__id`), from
    the keys packed in one whole number when they fit: ranking one Int64 is about three times
    faster than ranking a struct of keys."""
    packed = _packed(keys, columns)
    if packed is None:
        return overall(c)
    method = c.ranking.method
    ranked = packed.rank(_METHOD[method])  # packed: smaller is better
    if method == "ordinal":  # the tied units follow one another in order of their ids
        ranked = ranked + pl.col("__id").rank("ordinal").over(packed) - 1
    return ranked.cast(pl.Int64).alias("rank_overall")


def stages(c: m.Criteria) -> list[list[pl.Expr]]:
    """For a table in rank order (see in_rank_order): `rank` inside the group."""
    return [[_within_group(key_names(c), c.ranking.method).cast(pl.Int64).alias("rank")]]
