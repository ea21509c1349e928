"""Rounding half away from zero on the decimal value a person would compute.

71.6 / 80 × 25 is 22.375 on paper but 22.374999999999996 in binary floating point; a council
rounding by hand writes 22.38, and so must we. The value is first snapped to the nearest
10⁻⁶ of the last kept decimal, which removes the float noise of a few operations without
touching any real difference, and only then rounded half away from zero.

Comparisons follow the same idea (`snap`): a value is compared at DIGITS significant decimal
digits, what a person's calculator shows, so that 0.1 + 0.7 (0.7999999999999999 in binary) is
0.8 for every band, class, rank, tie, quota and threshold. `snap` (polars) and `snap_array`
(numpy, for the sensitivity analysis) compute the same floats.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import polars as pl

SNAP = 6  # decimals, in units of the last kept decimal, below which a difference is float noise


DIGITS = 15  # significant decimal digits at which values are compared: any decimal a person
# types with up to 15 digits survives the trip through a float, and the noise of a few
# operations (about 10⁻¹⁶ of the value) stays far below the 15th digit
_KEEP = (14 - 308, 308)  # the decimals kept lie in this range: no power of ten overflows
TINY = 1e-308  # values nearer to 0 compare as 0 (kept to 308 decimals, from 0.5e-308 they would
# round to ±1e-308)
# 10⁰ … 10³⁰⁸, each the float nearest the power of ten (scales are looked up, not computed):
# polars' pow(10, k) misses it at k = 23 and 210, which snapped 1e-09 to 9.999999999999999e-10,
# and numpy's power at 18 values of k from 106
_EXPONENTS = list(range(_KEEP[1] + 1))
_TENS = np.array([float(10**k) for k in _EXPONENTS])


def snap(e: pl.Expr) -> pl.Expr:
    """`e` at DIGITS significant decimal digits (the nearest float to that decimal): equal decimal
    values, however they were computed, become the same float. Null, ±inf and NaN stay as they
    are; values nearer to 0 than 10⁻³⁰⁸ become 0."""
    keep = (DIGITS - 1 - e.abs().log10().floor()).clip(*_KEEP)  # decimals kept
    # replace_strict, not a gather from the table: it keeps the length of a literal operand (a
    # NaN's scale is any: its result is NaN)
    scale = keep.abs().fill_nan(0.0).cast(pl.Int64).replace_strict(_EXPONENTS, _TENS,
                                                                     return_dtype=pl.Float64)
    # `e.abs() * 0.0`, not the literal 0.0: polars 2.1 gives a when/then whose predicate holds in
    # every row its literal `then` as one value, which a comparison with another literal then
    # cannot broadcast to the frame (0.0 > snap(b) over a column b of zeros)
    return (pl.when(e.abs() < TINY).then(e.abs() * 0.0)
            .when(keep >= 0).then((e * scale).round() / scale)
            .otherwise((e / scale).round() * scale))


def snap_array(a: np.ndarray) -> np.ndarray:
    """`snap` for a numpy array: the same floats, bit for bit (polars' log10 of an exact power
    of ten can be a hair below it, log10(1000) = 2.9999999999999996, which keeps one digit more
    there: the same float but from 10³⁷, where the scales are not exact)."""
    a = np.asarray(a, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        keep = np.clip(DIGITS - 1 - np.floor(np.log10(np.abs(a))), *_KEEP)
        scale = _TENS[np.nan_to_num(np.abs(keep), nan=0.0).astype(np.int64)]
        return np.where(np.abs(a) < TINY, 0.0,
                        np.where(keep >= 0, np.rint(a * scale) / scale, np.rint(a / scale) * scale))


def snap_value(x: float) -> float:
    """`snap` for one Python float."""
    return float(snap_array(np.array([x]))[0])


def divide(e: pl.Expr, by: float | pl.Expr) -> pl.Expr:
    """`e / by`, correctly rounded in every row, also when `by` is one value (a constant or an
    aggregate such as the best of all units).

    Polars divides a column by a single value as a multiplication by its reciprocal on longer
    columns, which is off by one unit in the last place for about one value in seven
    (0.35 becomes 0.35000000000000003) and differs from the division it does on a column of
    length one, so a result could depend on the size of a group or on where a unit sits in
    the file. It does the same with a column it holds as one repeated value: a constant column
    of the caller's frame, or a criterion's attainable points when they are the same for every
    unit (2.33 / 3 came out as 0.7766666666666666 in the first row and 0.7766666666666667 in
    the last). Dividing by a column built beside `e`, which repeats the value, is true division
    everywhere.
    """
    value = pl.lit(float(by), dtype=pl.Float64) if isinstance(by, (int, float)) else by
    repeated = e.is_null().cast(pl.Float64) * 0.0 + value  # a column, never a single value
    return e / repeated


def round_expr(e: pl.Expr, precision: int | None) -> pl.Expr:
    """`e` rounded to `precision` decimals, half away from zero; unchanged when precision is None
    but for -0.0, which becomes 0.0, so that no output shows "-0"."""
    if precision is None:
        return _no_negative_zero(e)
    scale = 10.0**precision
    scaled = (e.abs() * scale).round(SNAP)
    magnitude = divide((scaled + 0.5).floor(), scale)
    return pl.when(magnitude == 0).then(0.0).otherwise(magnitude * e.sign())


def round_array(x: np.ndarray, precision: int | None) -> np.ndarray:
    """`round_expr` for a numpy array of floats: the same floats, bit for bit (tests compare
    them on millions of values, ties and near ties). Polars' float `round(SNAP)` is numpy's
    rint(x × 10^SNAP) / 10^SNAP (ties to even of the scaled float); a value whose scaled
    float overflows, and ±inf and NaN, go through round_expr itself."""
    x = np.asarray(x, dtype=float)
    if precision is None:
        return np.where(x == 0, 0.0, x)
    scale, snap_scale = 10.0**precision, float(10**SNAP)
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = np.abs(x) * scale * snap_scale
        if not np.all(np.isfinite(scaled)):
            flat = pl.Series("x", np.ascontiguousarray(x).reshape(-1))
            out = flat.to_frame().select(round_expr(pl.col("x"), precision)).to_series()
            return out.to_numpy().reshape(x.shape)
    snapped = np.rint((np.abs(x) * scale) * snap_scale) / snap_scale
    magnitude = np.floor(snapped + 0.5) / scale
    return np.where(magnitude == 0, 0.0, magnitude * np.sign(x))


def _no_negative_zero(e: pl.Expr) -> pl.Expr:
    """`e` with -0.0 as 0.0. Not `e + 0.0`: polars returns a column plus a literal 0 unchanged."""
    return pl.when(e == 0).then(0.0).otherwise(e)


def round_value(x: float, precision: int | None) -> float:
    """The same rounding for one Python float (used in explanations and reference checks)."""
    if precision is None:
        return x
    snapped = round(abs(x) * 10**precision, SNAP)
    whole = Decimal(repr(snapped)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    result = float(whole) / 10**precision
    return -result if x < 0 and result else result


def compared(e: pl.Expr, precision: int | None) -> pl.Expr:
    """A total as comparisons see it: snapped, unless rounding to `precision` decimals made it
    the float of its decimal already."""
    return snap(e) if precision is None else e


def threshold(x: float, precision: int | None = None) -> float:
    """A constant of the file (a band's min, min_total) as compared() values meet it: snapped
    the same way, so that a bound and a value of the same decimal are the same float even where
    a power of ten is not exact (below 10⁻⁸ or from 10³⁷)."""
    return snap_value(x) if precision is None else x


def round_quota(x: pl.Expr, how: str) -> pl.Expr:
    """A quota's raw value (base × percent / 100) rounded the way the award says."""
    snapped = x.round(9)  # the product base × percent / 100 computed by the caller with divide()
    if how == "floor":
        return snapped.floor()
    if how == "ceil":
        return snapped.ceil()
    return (snapped + 0.5).floor()
