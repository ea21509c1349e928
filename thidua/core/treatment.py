"""Opt-in data treatment (`treatment:`): imputation of missing values by the mean or median of
the unit's scope, and winsorisation of outliers to declared quantiles or by COINr's
skew/kurtosis rule. Never by default; every cell it changes is listed (changes()).

It runs first, before anything reads a value: one lazy query over the treated columns (each
step a `with_columns` of window expressions over the scope; COINr's rule is at most `winmax`
steps, never a loop over rows). The values the engine checks (missing values, manual scores)
and scores are the treated ones. docs/criteria-format.md ("Treatment") says what each does,
with COINr's definitions.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from thidua import model as m
from thidua.core import ordered
from thidua.core.normalise import scaled
from thidua.core.rounding import snap

F64 = pl.Float64
ORIGINAL = "__orig."  # the value as read
STEP = "__step."  # the step of COINr's rule that changed the value
CHANGES = ("id", "name", "group", "row", "indicator", "from", "to", "treatment", "step")


@dataclass(frozen=True)
class Treated:
    frame: pl.DataFrame  # the data with the treated columns, the others as read
    changes: pl.DataFrame  # one row per changed cell (CHANGES), in data order, then by indicator


def _within(e: pl.Expr, scope: str, group: str | None) -> pl.Expr:
    return e.over(group) if scope == "group" and group else e


def impute(rule: m.Impute, group: str | None) -> pl.Expr:
    """A missing value → the mean or median of the scope's values (snapped: the decimal a person
    computes); added in ascending order (ordered), so that no row order changes it. A scope
    without any value leaves it missing."""
    x = pl.col(rule.indicator).cast(F64)
    by = ordered.mean(x) if rule.by == "mean" else x.median()
    return x.fill_null(snap(_within(by, rule.scope, group)))


def quantiles(rule: m.Winsorise, group: str | None) -> pl.Expr:
    """A value below the `low` quantile of its scope → that quantile; above `high` → that one
    (R's quantile type 7, linear interpolation; compared at the decimal value)."""
    x = pl.col(rule.indicator).cast(F64)
    out = x
    if rule.low is not None:
        lo = snap(_within(x.quantile(rule.low, "linear"), rule.scope, group))
        out = pl.when(snap(x) < lo).then(lo).otherwise(out)
    if rule.high is not None:
        hi = snap(_within(x.quantile(rule.high, "linear"), rule.scope, group))
        out = pl.when(snap(x) > hi).then(hi).otherwise(out)
    return out


def skew_kurtosis(x: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """COINr's skew and kurt (e1071 type 2, Excel's SKEW and KURT) of the values of the
    context: G1 = g1 √(n(n − 1)) / (n − 2), G2 = ((n + 1) g2 + 6)(n − 1) / ((n − 2)(n − 3)),
    with g1 = m3 / m2^1.5, g2 = m4 / m2² − 3 and m_r the central moments. Of the values in order
    scaled by a power of two (neither changes them, and no fourth power overflows)."""
    u = scaled(x)
    n = u.count().cast(F64)
    m2, m3, m4 = (ordered.moment(u, k) for k in (2, 3, 4))
    g1 = m3 / m2.pow(1.5)
    g2 = m4 / (m2 * m2) - 3.0
    skew = g1 * (n * (n - 1.0)).sqrt() / (n - 2.0)
    kurt = ((n + 1.0) * g2 + 6.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0))
    return skew, kurt


def coinr_step(rule: m.Winsorise, group: str | None, step: int) -> list[pl.Expr]:
    """One step of COINr's winsorise(): when |skew| ≥ skew and kurtosis ≥ kurtosis (COINr's
    check_SkewKurt fails), the highest value (skew > 0) or the lowest (skew < 0) becomes the
    next one in. Every unit at that value moves (COINr's which.max moves the first only: which
    one would depend on the row order). One window over each expression."""
    name = rule.indicator
    x = pl.col(name)
    skew, kurt = skew_kurtosis(x)
    fails = (skew.abs() >= rule.skew) & (kurt >= rule.kurtosis)
    v = x  # the data's own values (or a snapped mean): equal decimals are equal floats already
    top, bottom = v.max(), v.min()
    below, above = x.filter(v < top).max(), x.filter(v > bottom).min()
    high = (fails & (skew > 0) & (v == top) & below.is_not_null()).fill_null(False)
    low = (fails & (skew < 0) & (v == bottom) & above.is_not_null()).fill_null(False)
    new = pl.when(high).then(below).when(low).then(above).otherwise(x)
    moved = pl.when(high | low).then(pl.lit(step, dtype=pl.Int64)).otherwise(pl.col(STEP + name))
    return [_within(new, rule.scope, group).alias(name),
            _within(moved, rule.scope, group).alias(STEP + name)]


def treated_columns(t: m.Treatment) -> list[str]:
    return list(dict.fromkeys([r.indicator for r in t.impute] + [r.indicator for r in t.winsorise]))


def treat(c: m.Criteria, frame: pl.DataFrame) -> Treated:
    """The data with the file's treatment applied, and every cell it changed."""
    t = c.treatment
    if t is None or not (t.impute or t.winsorise):
        return Treated(frame, empty_changes())
    group = "group" if c.units.group else None
    names = treated_columns(t)
    q = frame.lazy().with_columns(
        *(pl.col(n).cast(F64).alias(ORIGINAL + n) for n in names),
        *(pl.lit(None, dtype=pl.Int64).alias(STEP + n) for n in names))
    if t.impute:
        q = q.with_columns(impute(r, group).alias(r.indicator) for r in t.impute)
    for r in t.winsorise:
        if r.method == "quantiles":
            q = q.with_columns(quantiles(r, group).alias(r.indicator))
        else:
            for step in range(1, r.winmax + 1):
                q = q.with_columns(coinr_step(r, group, step))
    done = q.collect()
    return Treated(done.drop([ORIGINAL + n for n in names] + [STEP + n for n in names]),
                   changes(c, done, names))


def empty_changes() -> pl.DataFrame:
    return pl.DataFrame(schema={"id": pl.String, "name": pl.String, "group": pl.String,
                                "row": pl.Int64, "indicator": pl.String, "from": F64, "to": F64,
                                "treatment": pl.String, "step": pl.Int64})


def changes(c: m.Criteria, done: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """Every cell the treatment changed: unit, indicator, from (null: missing), to, what changed
    it (impute_mean, impute_median, winsorise_quantiles, winsorise_skew_kurtosis; an imputed value
    then winsorised names both, joined by "+") and the step of COINr's rule."""
    t = c.treatment
    assert t is not None
    group = pl.col("group") if c.units.group else pl.lit(None, dtype=pl.String)
    parts = []
    for n in names:
        imputed = next((f"impute_{r.by}" for r in t.impute if r.indicator == n), None)
        winsorised = next((f"winsorise_{r.method}" for r in t.winsorise if r.indicator == n), None)
        before, after = pl.col(ORIGINAL + n), pl.col(n).cast(F64)
        was_missing = before.is_null() & after.is_not_null()
        moved = before.is_not_null() & (before != after)
        if imputed and winsorised:
            # an imputed value that winsorisation moved: it is not the scope's mean or median
            label = pl.when(was_missing).then(pl.lit(imputed)).otherwise(pl.lit(winsorised))
        else:
            label = pl.lit(imputed or winsorised)
        parts.append(done.lazy().filter((was_missing | moved).fill_null(False)).select(
            "id", "name", group.alias("group"), "row", pl.lit(n).alias("indicator"),
            before.alias("from"), after.alias("to"), label.alias("treatment"),
            pl.col(STEP + n).alias("step")))
    if not parts:
        return empty_changes()
    return pl.concat(parts).sort("row", "indicator", maintain_order=True).collect()
