"""Rounding half away from zero on the decimal value a person would compute.

71.6 / 80 × 25 is 22.375 on paper but 22.374999999999996 in binary floating point; a council
rounding by hand writes 22.38, and so must we. The value is first snapped to the nearest
10⁻⁶ of the last kept decimal, which removes the float noise of a few operations without
touching any real difference, and only then rounded half away from zero.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import polars as pl

SNAP = 6  # decimals, in units of the last kept decimal, below which a difference is float noise


def divide(e: pl.Expr, by: float | pl.Expr) -> pl.Expr:
    """`e / by`, correctly rounded in every row, also when `by` is one value (a constant or an
    aggregate such as the best of all units).

    Polars divides a column by a single value as a multiplication by its reciprocal on longer
    columns, which is off by one unit in the last place for about one value in seven
    (0.35 becomes 0.35000000000000003) and differs from the division it does on a column of
    length one, so a result could depend on the size of a group. Dividing by a column that
    repeats the value is true division everywhere.
    """
    value = pl.lit(float(by), dtype=pl.Float64) if isinstance(by, (int, float)) else by
    repeated = e.is_null().cast(pl.Float64) * 0.0 + value  # a column, never a single value
    return e / repeated


def round_expr(e: pl.Expr, precision: int | None) -> pl.Expr:
    """`e` rounded to `precision` decimals, half away from zero; unchanged when precision is None."""
    if precision is None:
        return e
    scale = 10.0**precision
    scaled = (e.abs() * scale).round(SNAP)
    return divide((scaled + 0.5).floor(), scale) * e.sign()


def round_value(x: float, precision: int | None) -> float:
    """The same rounding for one Python float (used in explanations and reference checks)."""
    if precision is None:
        return x
    snapped = round(abs(x) * 10**precision, SNAP)
    whole = Decimal(repr(snapped)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    result = float(whole) / 10**precision
    return -result if x < 0 else result


def round_quota(x: pl.Expr, how: str) -> pl.Expr:
    """A quota's raw value (base × percent / 100) rounded the way the award says."""
    snapped = x.round(9)  # the product base × percent / 100 computed by the caller with divide()
    if how == "floor":
        return snapped.floor()
    if how == "ceil":
        return snapped.ceil()
    return (snapped + 0.5).floor()
