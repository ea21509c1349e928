"""ordered: the sums, means and standard deviations behind zscore, imputation and winsorising
give the same float for the same values in any row order."""

import math

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from thidua.core import ordered
from thidua.core.engine import score
from thidua.input.load import parse_criteria

from .strategies import frame

VALUES = st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)), max_size=40)


def _aggregates(values):
    x = pl.col("x")
    return pl.DataFrame({"x": values}, schema={"x": pl.Float64}).lazy().select(
        ordered.total(x).alias("total"), ordered.mean(x).alias("mean"),
        ordered.std(x).alias("std"), ordered.moment(x, 3).alias("m3")).collect().row(0)


@given(VALUES, st.randoms(use_true_random=False))
def test_the_same_values_in_another_order_give_the_same_floats(values, rnd):
    shuffled = list(values)
    rnd.shuffle(shuffled)
    assert _aggregates(values) == _aggregates(shuffled)


@given(VALUES)
def test_they_are_the_sum_mean_and_sample_standard_deviation(values):
    got = dict(zip(("total", "mean", "std", "m3"), _aggregates(values), strict=True))
    xs = [v for v in values if v is not None]
    if not xs:
        assert got == {"total": None, "mean": None, "std": None, "m3": None}
        return
    mean = math.fsum(xs) / len(xs)
    assert math.isclose(got["total"], math.fsum(xs), rel_tol=1e-9, abs_tol=1e-6)
    assert math.isclose(got["mean"], mean, rel_tol=1e-9, abs_tol=1e-6)
    if len(xs) == 1:
        assert got["std"] is None
    else:
        sd = math.sqrt(math.fsum((v - mean) ** 2 for v in xs) / (len(xs) - 1))
        assert math.isclose(got["std"], sd, rel_tol=1e-6, abs_tol=1e-6)


def test_polars_keeps_the_sort_it_adds_in():
    """Polars drops a sort before sum or std (it ran `x.sort().std()` as `x.std()`, and a
    zscore then moved in the last place when two units swapped rows); a cumulative sum
    keeps it."""
    plan = pl.LazyFrame({"x": [1.0]}).select(ordered.std(pl.col("x"))).explain()
    assert "sort" in plan


ZSCORE = {"format": 1, "id": "z", "name": "Z", "version": "1", "total": 10, "precision": 2,
          "round_at": "total", "units": {"id": "id", "name": "name"}, "missing": "zero",
          "criteria": [{"code": "1", "name": "Nhóm 1", "aggregate": "weighted_mean",
                        "max_points": 10, "children": [{
                            "code": "1.1", "name": "Tiêu chí 1.1", "max_points": 1,
                            "rule": {"type": "zscore", "indicator": "x0", "scope": "group"}}]}]}


def test_two_units_swapping_rows_leave_every_zscore_as_it_was():
    """Found by test_row_order_never_matters: X03 and X04 swapped, 4.1 moved from
    0.3991529268338239 to 0.399152926833824."""
    xs = [0.0, 107.0, None, 0.0, 3.0, 0.71]
    rows = [{"id": f"X0{i}", "name": f"Đơn vị {i}", "group": "Cụm 1", "x0": x}
            for i, x in enumerate(xs, 1)]
    c = parse_criteria(ZSCORE)
    a = score(c, frame(rows)).units
    b = score(c, frame([rows[i] for i in (0, 1, 3, 2, 4, 5)])).units
    assert a.drop("row").equals(b.drop("row"), null_equal=True)
