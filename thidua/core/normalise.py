"""COINr's normalisations as rules: each scores a unit against the other units of its scope
(its cluster, or every unit), like `relative` and `minmax`, and is one polars expression of
window aggregates over that scope. The formulas, with COINr's, are in docs/criteria-format.md
("Normalisations").

`v` is the value snapped to the decimal a person computes (rules.COMPARING), so that equal
decimals share a rank, a minimum or a maximum. The aggregates a sum decides (mean, standard
deviation) are added in ascending order (ordered), so that they do not depend on the order of
the rows, and of the values scaled by one power of two (exact), so that no square overflows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import polars as pl

from thidua import model as m
from thidua.core import ordered
from thidua.core.rounding import divide

if TYPE_CHECKING:
    from thidua.core.rules import Context

F64 = pl.Float64


def _lit(x: float) -> pl.Expr:
    return pl.lit(float(x), dtype=F64)


def _within(e: pl.Expr, scope: str, ctx: Context) -> pl.Expr:
    return e.over(ctx.group) if scope == "group" and ctx.group else e


def _clamp(points: pl.Expr, top: float) -> pl.Expr:
    return points.clip(0.0, top)


def _oriented(v: pl.Expr, direction: str) -> pl.Expr:
    """The value with higher better: negated for lower-is-better (exact)."""
    return v if direction == "higher" else -v


def scaled(x: pl.Expr) -> pl.Expr:
    """`x` times 2^-e, e the exponent of its largest magnitude, which brings that to [1, 2):
    exact, and no power of the values overflows. In two steps (2^1074 alone overflows). The
    aggregate is of the context: wrap the expression that uses it in one window (within())."""
    e = x.abs().max().log(2).floor().clip(-1074.0, 1023.0)
    half = (e / 2).floor()
    two = _lit(2.0)
    return pl.when(e.is_finite()).then(x * two.pow(-half) * two.pow(half - e)).otherwise(x)


def z_value(r: m.ZScore, v: pl.Expr, ctx: Context) -> pl.Expr:
    """(v − mean)/sd over the scope, sd the sample standard deviation (n − 1, as R's sd and
    COINr's n_zscore); 0 where the scope has one value or every value is the same. One window
    over the whole expression (a window inside another is computed again for every group)."""
    u = scaled(_oriented(v, r.direction))
    mean, sd = ordered.mean(u), ordered.std(u)
    # divide: polars would multiply by the reciprocal of the group's one sd (rounding.divide)
    z = pl.when(sd.is_null() | (sd == 0)).then(_lit(0.0)).otherwise(divide(u - mean, sd))
    return pl.when(v.is_null()).then(None).otherwise(_within(z, r.scope, ctx))


def zscore(r: m.ZScore, v: pl.Expr, top: float, ctx: Context) -> pl.Expr:
    k = r.clip
    z = z_value(r, v, ctx).clip(-k, k)
    return _clamp(top * divide(z + k, 2 * k), top)


def rank_of(r: m.RankRule | m.PercentileRank | m.Borda, v: pl.Expr, ctx: Context) -> pl.Expr:
    """COINr's rank(x, ties.method = "min"): 1 for the worst value of the scope, ties at the
    lower rank (equal decimals are equal: `v` is snapped); null where the value is missing."""
    return _within(_oriented(v, r.direction).rank("min"), r.scope, ctx).cast(F64)


def counted(r: m.RankRule | m.PercentileRank | m.Borda, v: pl.Expr, ctx: Context) -> pl.Expr:
    """n: the units of the scope with a value."""
    return _within(v.count(), r.scope, ctx).cast(F64)


def rank(r: m.RankRule, v: pl.Expr, top: float, ctx: Context) -> pl.Expr:
    return _clamp(top * divide(rank_of(r, v, ctx), counted(r, v, ctx)), top)


def percentile_rank(r: m.PercentileRank, v: pl.Expr, top: float, ctx: Context) -> pl.Expr:
    below, n = rank_of(r, v, ctx) - 1.0, counted(r, v, ctx)
    return (pl.when(v.is_null()).then(None).when(n <= 1).then(_lit(top))
            .otherwise(_clamp(top * divide(below, n - 1.0), top)))


def borda(r: m.Borda, v: pl.Expr, top: float, ctx: Context) -> pl.Expr:
    below = rank_of(r, v, ctx) - 1.0
    if r.each is not None:
        return _clamp(below * r.each, top)
    n = counted(r, v, ctx)
    return (pl.when(v.is_null()).then(None).when(n <= 1).then(_lit(top))
            .otherwise(_clamp(top * divide(below, n - 1.0), top)))


def distance_to_target(r: m.DistanceToTarget, v: pl.Expr, top: float, ctx: Context) -> pl.Expr:
    """higher: (v − min)/(target − min); lower: (max − v)/(max − target); taken of halves (a
    range from −1e308 to 1e308 does not overflow)."""
    t = r.target
    if r.direction == "higher":
        far = _within(v.min(), r.scope, ctx)
        reached, gained, span = v >= t, v * 0.5 - far * 0.5, t / 2 - far * 0.5
    else:
        far = _within(v.max(), r.scope, ctx)
        reached, gained, span = v <= t, far * 0.5 - v * 0.5, far * 0.5 - t / 2
    # not reached: the farthest unit is at least as far, so span > 0
    return (pl.when(v.is_null()).then(None).when(reached).then(_lit(top))
            .otherwise(_clamp(top * divide(gained, span), top)))


def distance_to_best(r: m.DistanceToBest, v: pl.Expr, top: float, ctx: Context) -> pl.Expr:
    """1 − (best − v)/(max − min), as COINr's n_dist2max writes it; every unit equal → full."""
    lo, hi = _within(v.min(), r.scope, ctx), _within(v.max(), r.scope, ctx)
    short = hi * 0.5 - v * 0.5 if r.direction == "higher" else v * 0.5 - lo * 0.5
    share = 1.0 - divide(short, hi * 0.5 - lo * 0.5)
    return (pl.when(v.is_null()).then(None).when(hi == lo).then(_lit(top))
            .otherwise(_clamp(top * share, top)))


def fraction_of_max(r: m.FractionOfMax, v: pl.Expr, top: float, ctx: Context) -> pl.Expr:
    """higher: v / max (COINr's n_fracmax), 0 when max ≤ 0; lower: min / v (full at the least
    value, 0 when v ≤ 0 or min < 0)."""
    if r.direction == "higher":
        best = _within(v.max(), r.scope, ctx)
        return (pl.when(best > 0).then(_clamp(top * divide(v, best), top))
                .when(v.is_not_null()).then(_lit(0.0)))
    best = _within(v.min(), r.scope, ctx)
    return (pl.when(v == best).then(_lit(top))
            .when((v > 0) & (best >= 0)).then(_clamp(top * divide(best, v), top))
            .when(v.is_not_null()).then(_lit(0.0)))


RULES: dict[type, Callable[..., pl.Expr]] = {m.ZScore: zscore, m.RankRule: rank, m.PercentileRank: percentile_rank, m.Borda: borda,
         m.DistanceToTarget: distance_to_target, m.DistanceToBest: distance_to_best,
         m.FractionOfMax: fraction_of_max}


def working(rule: m.Rule, v: pl.Expr, ctx: Context) -> list[tuple[str, pl.Expr]]:
    """What a normalisation computed for the unit, by name (schema.work_col), for explanations:
    z; the rank and n; the scope's min and/or max. Empty for any other rule."""
    if isinstance(rule, m.ZScore):
        return [("z", z_value(rule, v, ctx))]
    if isinstance(rule, (m.RankRule, m.PercentileRank, m.Borda)):
        return [("rank", rank_of(rule, v, ctx)), ("n", counted(rule, v, ctx))]
    if isinstance(rule, (m.DistanceToTarget, m.FractionOfMax)):
        which = "min" if (rule.direction == "higher") == isinstance(rule, m.DistanceToTarget) else "max"
        return [(which, _within(getattr(v, which)(), rule.scope, ctx))]
    if isinstance(rule, m.DistanceToBest):
        return [("min", _within(v.min(), rule.scope, ctx)), ("max", _within(v.max(), rule.scope, ctx))]
    return []
