import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from thidua.core.rounding import (
    round_array,
    round_expr,
    round_quota,
    round_value,
    snap,
    snap_array,
    snap_value,
)


def rounded(values, precision):
    return pl.DataFrame({"x": values}).select(round_expr(pl.col("x"), precision)).to_series().to_list()


def test_the_spec_example_rounds_up_although_the_float_lies_below():
    x = 71.6 / 80 * 25
    assert x < 22.375
    assert rounded([x], 2) == [22.38]
    assert round_value(x, 2) == 22.38


def test_half_away_from_zero_on_both_sides():
    assert rounded([0.125, -0.125, 2.5, -2.5, 0.0], 2) == [0.13, -0.13, 2.5, -2.5, 0.0]
    assert rounded([2.5, -2.5, 3.5], 0) == [3.0, -3.0, 4.0]


def test_none_precision_never_rounds():
    assert rounded([1 / 3], None) == [1 / 3]


def test_nulls_stay_missing():
    assert rounded([None, 1.005], 2) == [None, 1.01]


def test_quota_rounding():
    frame = pl.DataFrame({"x": [1.4, 1.5, 2.0000000001, 0.2 * 7]})
    out = {how: frame.select(round_quota(pl.col("x"), how)).to_series().to_list()
           for how in ("floor", "round", "ceil")}
    assert out == {"floor": [1, 1, 2, 1], "round": [1, 2, 2, 1], "ceil": [2, 2, 2, 2]}


decimals = st.decimals(min_value=-10_000, max_value=10_000, places=4, allow_nan=False,
                       allow_infinity=False)


@given(a=decimals, b=st.decimals(min_value=1, max_value=1000, places=2), m=st.integers(1, 100))
def test_agrees_with_decimal_half_up_on_the_decimal_value(a, b, m):
    exact = a / b * m  # what a person computes from the decimal inputs
    expected = float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    x = float(a) / float(b) * m
    assert rounded([x], 2) == [expected]
    assert round_value(x, 2) == expected


def _signs(values):
    return [None if v is None else math.copysign(1.0, v) for v in values]


def test_a_negative_zero_rounds_to_zero():
    # -0.0 printed in a score file would read "-0"; rounding must give 0.0, the sign included
    for precision in (0, 2):
        got = rounded([-0.0, -0.001, 0.0], precision)
        assert got == [0.0, 0.0, 0.0] and _signs(got) == [1.0, 1.0, 1.0]
        assert _signs([round_value(-0.0, precision), round_value(-0.001, precision)]) == [1.0, 1.0]


def test_values_nearer_to_zero_than_1e_308_snap_to_zero():
    tiny = [7e-309, -7e-309, 5e-309, 2.225073858507e-311, -2.225073858507e-311, 5e-324, -0.0]
    polars_side = pl.DataFrame({"x": tiny}).select(snap(pl.col("x"))).to_series().to_list()
    for got in (polars_side, list(snap_array(tiny)), [snap_value(x) for x in tiny]):
        assert got == [0.0] * len(tiny) and _signs(got) == [1.0] * len(tiny)
    assert snap_value(1e-308) == 1e-308 and snap_value(-1e-308) == -1e-308


def _by_polars(x, precision):
    return pl.DataFrame({"x": x}).select(round_expr(pl.col("x"), precision)).to_series().to_numpy()


def _same_floats(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return bool(np.all(((a == b) & (np.signbit(a) == np.signbit(b))) | (np.isnan(a) & np.isnan(b))))


def test_the_numpy_rounding_is_the_engines_bit_for_bit_on_ties_and_near_ties():
    """round_array (the sensitivity analysis' rounding of every draw) gives round_expr's floats:
    on exact ties of the sixth decimal after the kept ones (k/2^m), on values one float either
    side of a hundredth, on the decimals a person types, on large, tiny and odd values."""
    rng = np.random.default_rng(7)
    hundredths = np.round(rng.uniform(-100, 100, 20_000), 2)
    x = np.concatenate([
        rng.uniform(-100, 100, 50_000), np.round(rng.uniform(-100, 100, 50_000), 3),
        np.nextafter(hundredths, np.inf), np.nextafter(hundredths, -np.inf), hundredths,
        (np.arange(-50_000, 50_000) + 0.5) / 1e3, np.arange(0, 2**16) / 2**16 * 7,
        rng.uniform(-4e9, 4e9, 20_000), rng.uniform(-1e-3, 1e-3, 10_000),
        [0.0, -0.0, 1e-300, -1e-300, 5e-324, 22.374999999999996, 0.125, 2.675, 1.005, 0.0078125,
         1e300, -1e300, 1.7e308, np.inf, -np.inf, np.nan]])
    for precision in (None, 0, 1, 2, 3, 4, 6):
        assert _same_floats(round_array(x, precision), _by_polars(x, precision)), precision


@given(st.lists(st.floats(allow_nan=False), min_size=1, max_size=30), st.integers(0, 6))
def test_the_numpy_rounding_is_the_engines_for_any_float(values, precision):
    assert _same_floats(round_array(np.array(values), precision), _by_polars(values, precision))
