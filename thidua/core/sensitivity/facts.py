"""What decides ranks and awards besides the total: the fixed facts of every unit (groups,
tie-break keys, knockouts: engine.fixed_of, read from the engine's result) and the engine's
own totals, ranks and lists, as arrays in the engine's order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from thidua import model as m
from thidua.core import awards as aw
from thidua.core.decisions import Fixed
from thidua.core.engine import Result, fixed_of
from thidua.core.rounding import round_expr
from thidua.core.scoring import uses_exclude


@dataclass(frozen=True)
class Facts(Fixed):
    """Per unit, in the engine's order with each group's units together, then one pad unit:
    what decides besides the total (Fixed), and the engine's own result."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    groups: tuple[str | None, ...]  # each unit's group name
    total: np.ndarray  # the engine's total
    pre: np.ndarray  # main + bonus − penalty before the floor at 0
    extra: np.ndarray  # bonus − penalty
    rank: np.ndarray  # the engine's rank in the group
    on: tuple[np.ndarray, ...]  # the engine's lists, per award
    flag: tuple[np.ndarray, ...]

    @property
    def n(self) -> int:
        return len(self.ids)

    def group_starts(self) -> np.ndarray:
        g = self.group[:-1]
        return np.flatnonzero(np.r_[True, g[1:] != g[:-1]])


def _pad(a: np.ndarray, value: object) -> np.ndarray:
    return np.concatenate([a, np.array([value], dtype=a.dtype)])


def in_group_order(units: pl.DataFrame) -> pl.DataFrame:
    """The engine's order, with each group's units brought together (they already are)."""
    return (units.with_row_index("__i").with_columns(pl.col("__i").min().over("group").alias("__g"))
            .sort("__g", "__i").drop("__i", "__g"))


def facts_of(c: m.Criteria, result: Result, order: pl.Series | None = None) -> Facts:
    """The fixed facts of every unit; `order` (ids) puts them in another table's order."""
    units = in_group_order(result.units)
    if order is not None:
        units = pl.DataFrame({"id": order}).join(units, on="id", how="left", maintain_order="left")
    fixed = fixed_of(c, units)
    main = pl.col("earned")
    if uses_exclude(c):
        rescaled = pl.col("earned") * c.total / pl.col("attainable")
        main = pl.when(pl.col("attainable") > 0).then(rescaled).otherwise(0.0)
        main = round_expr(main, c.precision) if c.round_at == "leaves" else main
    extra = units.select(pl.col("bonus") - pl.col("penalty")).to_series().to_numpy()
    pre = units.select(main).to_series().to_numpy() + extra
    group = units.select(pl.col("group").rle_id()).to_series().to_numpy().astype(np.int64)
    on = [units.get_column(aw.col("on", a.code)).to_numpy() for a in c.awards]
    flag = [units.get_column(aw.col("flag", a.code)).to_numpy() for a in c.awards]
    return Facts(
        ids=tuple(units.get_column("id").to_list()),
        names=tuple(units.get_column("name").to_list()),
        groups=tuple(units.get_column("group").to_list()),
        group=_pad(group, int(group.max(initial=-1)) + 1),
        total=_pad(units.get_column("total").to_numpy().astype(float), -1.0),
        pre=_pad(pre, -1.0), extra=_pad(extra, -1.0),
        keys=fixed.keys, id_rank=fixed.id_rank, barred=fixed.barred, knocked=fixed.knocked,
        cap=fixed.cap, when_ok=fixed.when_ok, history=fixed.history, members_ok=fixed.members_ok,
        rank=_pad(units.get_column("rank").to_numpy().astype(np.int64), 0),
        on=tuple(_pad(x.astype(bool), False) for x in on),
        flag=tuple(_pad(x.astype(bool), False) for x in flag))


def joined(a: Facts, b: Facts) -> Facts:
    """b's units after a's (one pad at the end): a population where either version can stand."""
    def cat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.concatenate([x[:-1], y])
    def each(x: tuple[np.ndarray, ...], y: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
        return tuple(cat(p, q) for p, q in zip(x, y))

    return Facts(ids=a.ids + b.ids, names=a.names + b.names, groups=a.groups + b.groups,
                 group=cat(a.group, b.group), total=cat(a.total, b.total), pre=cat(a.pre, b.pre),
                 extra=cat(a.extra, b.extra), keys=each(a.keys, b.keys),
                 id_rank=cat(a.id_rank, b.id_rank), barred=cat(a.barred, b.barred),
                 knocked=cat(a.knocked, b.knocked), cap=cat(a.cap, b.cap),
                 when_ok=each(a.when_ok, b.when_ok), rank=cat(a.rank, b.rank),
                 history=tuple(each(x, y) for x, y in zip(a.history, b.history)),
                 members_ok=tuple(each(x, y) for x, y in zip(a.members_ok, b.members_ok)),
                 on=each(a.on, b.on), flag=each(a.flag, b.flag))
