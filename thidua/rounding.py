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


def round_expr(e: pl.Expr, precision: int | None) -> pl.Expr:
    """`e` rounded to `precision` decimals, half away from zero; unchanged when precision is None."""
    if precision is None:
        return e
    scale = 10.0**precision
    scaled = (e.abs() * scale).round(SNAP)
    return (scaled + 0.5).floor() / scale * e.sign()


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
    snapped = x.round(9)
    if how == "floor":
        return snapped.floor()
    if how == "ceil":
        return snapped.ceil()
    return (snapped + 0.5).floor()
