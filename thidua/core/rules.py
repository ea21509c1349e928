"""Each rule type is one small function from its model to a polars expression of raw points.

`value` is the indicator (or the formula's result); the points are clamped to [0, max_points]
and not yet rounded. A missing value stays missing (null): the scorer applies the policy.
Every comparison (a band's bounds, the best or worst unit, a range of equal values) is made on
the value snapped to the decimal a person computes (rounding.snap). Differences of values that
may have opposite signs are taken of halves (exact), so that a range from -1e308 to 1e308 does
not overflow.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from thidua import model as m
from thidua.core import expr, normalise

if TYPE_CHECKING:
    from polars.expr.whenthen import ChainedThen, Then
from thidua.core.rounding import divide, snap, threshold

F64 = pl.Float64


@dataclass(frozen=True)
class Context:
    """What a rule needs besides its own fields."""

    group: str | None           # the cluster column, for scope: group
    part: str = "main"          # main | bonus | penalty (per_count counts up in bonus and penalty)


def lit(x: float) -> pl.Expr:
    return pl.lit(float(x), dtype=F64)


def target_expr(target: m.Target) -> pl.Expr:
    return pl.col(target.indicator).cast(F64) if isinstance(target, m.IndicatorRef) else lit(target)


def within(e: pl.Expr, rule_scope: str, ctx: Context) -> pl.Expr:
    """A window over the unit's cluster (scope: group) or over every unit (scope: all)."""
    return e.over(ctx.group) if rule_scope == "group" and ctx.group else e


def clamp(points: pl.Expr, top: float) -> pl.Expr:
    return points.clip(0.0, top)


def boolean(r: m.Boolean, v: pl.Expr, top: float, ctx: Context) -> pl.Expr:
    truth = v.cast(pl.Boolean)
    truth = ~truth if r.invert else truth
    return pl.when(truth).then(lit(top)).when(truth.is_not_null()).then(lit(0.0))


def linear(r: m.Linear, v: pl.Expr, top: float, ctx: Context) -> pl.Expr:
    zero, full = r.zero_at, r.full_at
    if r.transform == "log":
        zero, full = math.log(zero), math.log(full)
        v = pl.when(v > 0).then(v.log()).when(v.is_not_null()).then(lit(float("-inf")))
    return clamp(top * divide(v * 0.5 - zero / 2, full / 2 - zero / 2), top)


def over_target(v: pl.Expr, target: m.Target) -> pl.Expr:
    if isinstance(target, m.IndicatorRef):
        return v / pl.col(target.indicator).cast(F64)
    return divide(v, target)


def ratio(r: m.Ratio, v: pl.Expr, top: float, ctx: Context) -> pl.Expr:
    return clamp(top * over_target(v, r.target), top)


def shortfall(r: m.Shortfall, v: pl.Expr, top: float, ctx: Context) -> pl.Expr:
    t = target_expr(r.target)
    gap = (t - v) if r.direction == "higher" else (v - t)
    return clamp(top - r.per_unit * gap.clip(lower_bound=0.0), top)


def bands(r: m.Bands, v: pl.Expr, top: float, ctx: Context) -> pl.Expr:
    chain: Then | ChainedThen | None = None
    for band in r.bands:
        cond = pl.lit(True)
        if band.min is not None:
            cond = cond & (v >= threshold(band.min))
        if band.max is not None:
            cond = cond & (v <= threshold(band.max))
        chain = (pl.when(cond) if chain is None else chain.when(cond)).then(lit(band.points))
    assert chain is not None
    return pl.when(v.is_null()).then(None).otherwise(chain.otherwise(lit(0.0)))


def per_count(r: m.PerCount, v: pl.Expr, top: float, ctx: Context) -> pl.Expr:
    if ctx.part == "main":
        return clamp(top - r.each * v, top)
    return clamp(r.each * v, top)


def relative(r: m.Relative, v: pl.Expr, top: float, ctx: Context) -> pl.Expr:
    if r.direction == "higher":
        best = within(v.max(), r.scope, ctx)
        return pl.when(best > 0).then(clamp(top * divide(v, best), top)).when(v.is_not_null()).then(lit(0.0))
    best = within(v.min(), r.scope, ctx)
    return (pl.when(v == best).then(lit(top))
            .when((v > 0) & (best >= 0)).then(clamp(top * divide(best, v), top))
            .when(v.is_not_null()).then(lit(0.0)))


def minmax(r: m.MinMax, v: pl.Expr, top: float, ctx: Context) -> pl.Expr:
    lo, hi = within(v.min(), r.scope, ctx), within(v.max(), r.scope, ctx)
    # of halves: hi - lo overflows from -1e308 to 1e308; halving is exact and keeps the ratio
    gained = v * 0.5 - lo * 0.5 if r.direction == "higher" else hi * 0.5 - v * 0.5
    share = divide(gained, hi * 0.5 - lo * 0.5)
    return (pl.when(v.is_null()).then(None)
            .when(hi == lo).then(lit(top)).otherwise(clamp(top * share, top)))


def target_leader(r: m.TargetLeader, v: pl.Expr, top: float, ctx: Context) -> pl.Expr:
    ratio_ = snap(over_target(v, r.target))
    base = r.base_share * top
    leader = within(ratio_.max(), r.scope, ctx)
    above = base + (top - base) * divide(ratio_ - 1.0, leader - 1.0)
    return clamp(pl.when(ratio_ <= 1.0).then(base * ratio_).otherwise(above), top)


def manual(r: m.Manual, v: pl.Expr, top: float, ctx: Context) -> pl.Expr:
    return v  # checked to lie in [0, max_points] before scoring; never clamped


RULES: dict[type, Callable[..., pl.Expr]] = {
    m.Boolean: boolean, m.Linear: linear, m.Ratio: ratio, m.Shortfall: shortfall, m.Bands: bands,
    m.PerCount: per_count, m.Relative: relative, m.MinMax: minmax, m.TargetLeader: target_leader,
    m.Manual: manual,
}
RULES.update(normalise.RULES)  # COINr's normalisations (normalise.py)


def value_expr(rule: m.Rule) -> pl.Expr:
    """The value a rule turns into points: its indicator, or what its formula computes."""
    if isinstance(rule, m.Formula):
        return expr.to_polars(expr.check(rule.expr, "number"))
    assert rule.indicator is not None
    return pl.col(rule.indicator)


# the rules that compare their value with others or with a threshold: they are given it at the
# decimal a person computes (rounding.snap)
COMPARING = (m.Bands, m.Relative, m.MinMax, *m.NORMALISATIONS)


def compared_value(rule: m.Rule) -> pl.Expr | None:
    """The value the rule compares, snapped; None for a rule that compares none. The scoring
    query computes it once as a column (snap reads its operand several times, and these rules
    read the value many times: inline, polars would compute it again at every use)."""
    inner = rule.then if isinstance(rule, m.Formula) else rule
    return snap(value_expr(rule)) if isinstance(inner, COMPARING) else None


def raw_points(rule: m.Rule, top: float, ctx: Context, v: pl.Expr | None = None) -> pl.Expr:
    """Points in [0, top] before rounding; null where the value is missing. `v`: the value,
    when the caller has it as a column already (compared_value)."""
    if v is None:
        v = compared_value(rule)
    if v is None:
        v = value_expr(rule)
    inner = rule.then if isinstance(rule, m.Formula) else rule
    return RULES[type(inner)](inner, v, float(top), ctx)
