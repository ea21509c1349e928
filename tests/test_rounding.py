from decimal import ROUND_HALF_UP, Decimal

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from thidua.rounding import round_expr, round_quota, round_value


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
