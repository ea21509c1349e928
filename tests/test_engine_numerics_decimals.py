"""Equal decimal values compare equal: 0.1 + 0.7 is 0.8 for every band, class, rank, tie, quota
and threshold, although its float is 0.7999999999999999 (item 22)."""

from __future__ import annotations

import itertools
from decimal import Decimal

import numpy as np
import polars as pl
from hypothesis import assume, given
from hypothesis import strategies as st

from thidua.core.engine import score
from thidua.core.rounding import snap, snap_array, snap_value
from thidua.core.sensitivity.basis import basis_of, draw
from thidua.input.load import parse_criteria

from .util import column, criteria, frame, leaf, run

MANUAL = {"type": "manual"}


def two_parts(**top):
    """Points typed by hand in two parts: total = p + q, nothing rounded."""
    leaves = [leaf("P", 2, indicator="p", **MANUAL), leaf("Q", 1, indicator="q", **MANUAL)]
    return criteria(leaves, precision=None, **top)


def test_a_total_of_0_1_plus_0_7_ties_with_0_8_and_reaches_the_class_and_the_award():
    doc = two_parts(
        classification=[{"label": "Tốt", "min": 0.8}, {"label": "Đạt", "min": 0}],
        awards=[{"code": "BK", "name": "Bằng khen", "quota": {"count": 1},
                 "eligible": {"min_total": 0.8}, "on_tie_at_quota": "flag"}])
    result = run(doc, [{"p": 0.1, "q": 0.7}, {"p": 0.8, "q": 0.0}, {"p": 0.5, "q": 0.2}])
    assert column(result, "total")["U01"] == 0.1 + 0.7 == 0.7999999999999999  # shown as computed
    assert column(result, "classification") == {"U01": "Tốt", "U02": "Tốt", "U03": "Đạt"}
    assert column(result, "rank") == {"U01": 1, "U02": 1, "U03": 3}
    assert column(result, "rank_overall") == {"U01": 1, "U02": 1, "U03": 3}
    assert column(result, "flagged") == {"U01": ["BK"], "U02": ["BK"], "U03": []}


def test_a_product_of_3_by_0_6_reaches_a_band_at_1_8():
    rule = {"type": "formula", "expr": "a * b", "then": {"type": "bands", "bands": [
        {"min": 1.8, "points": 10}, {"min": 0, "points": 4}]}}
    doc = criteria([{"code": "A", "name": "A", "max_points": 10, "rule": rule}])
    assert 3 * 0.6 < 1.8
    assert column(run(doc, [{"a": 3, "b": 0.6}, {"a": 1, "b": 1.7}]), "points.A") == {"U01": 10.0, "U02": 4.0}


def test_equal_formula_values_share_the_top_of_a_minmax_range():
    rule = {"type": "formula", "expr": "x + y", "then": {"type": "minmax", "scope": "all"}}
    doc = criteria([{"code": "A", "name": "A", "max_points": 10, "rule": rule}], precision=None)
    result = run(doc, [{"x": 0.1, "y": 0.2}, {"x": 0.3, "y": 0.0}, {"x": 0.1, "y": 0.0}])
    assert column(result, "points.A") == {"U01": 10.0, "U02": 10.0, "U03": 0.0}


def test_equal_formula_values_are_both_the_best_of_a_relative_rule():
    rule = {"type": "formula", "expr": "x + y", "then": {"type": "relative", "direction": "lower",
                                                         "scope": "all"}}
    doc = criteria([{"code": "A", "name": "A", "max_points": 10, "rule": rule}], precision=None)
    result = run(doc, [{"x": 0.1, "y": 0.2}, {"x": 0.3, "y": 0.0}, {"x": 0.6, "y": 0.0}])
    assert column(result, "points.A") == {"U01": 10.0, "U02": 10.0, "U03": 5.0}


def test_knockout_and_award_conditions_compare_the_decimal():
    doc = criteria(knockouts=[{"code": "KO", "name": "Vượt ngưỡng", "when": "x + y >= 0.3",
                               "effect": "ineligible"}],
                   awards=[{"code": "BK", "name": "Bằng khen", "quota": {"count": 5},
                            "eligible": {"when": "x * 3 == 0.3"}}])
    result = run(doc, [{"x": 0.1, "y": 0.2}, {"x": 0.1, "y": 0.1}])
    assert column(result, "knockouts") == {"U01": ["KO"], "U02": []}
    assert column(result, "awards") == {"U01": [], "U02": ["BK"]}


def test_tie_break_values_equal_as_decimals_leave_the_units_tied():
    doc = two_parts(ranking={"method": "competition", "tie_break": [
        {"indicator": "k", "order": "asc"}, {"criterion": "P"}]})
    rows = [{"p": 0.5, "q": 0.3, "k": 0.1 + 0.2}, {"p": 0.5, "q": 0.3, "k": 0.3}]
    assert column(run(doc, rows), "rank") == {"U01": 1, "U02": 1}


def test_unrounded_tie_break_points_equal_as_decimals_tie():
    leaves = [leaf("P", 1, indicator="p", **MANUAL), leaf("Q", 1, indicator="q", **MANUAL),
              {"code": "R", "name": "R", "max_points": 1,
               "rule": {"type": "formula", "expr": "r + s",
                        "then": {"type": "linear", "zero_at": 0, "full_at": 1}}}]
    doc = criteria(leaves, round_at="total", ranking={"tie_break": [{"criterion": "R"}]})
    rows = [{"p": 0.5, "q": 0.2, "r": 0.1, "s": 0.2}, {"p": 0.5, "q": 0.2, "r": 0.3, "s": 0.0}]
    assert column(run(doc, rows), "rank") == {"U01": 1, "U02": 1}


def test_the_sensitivity_analysis_compares_totals_as_the_engine_does():
    doc = two_parts(classification=[{"label": "Tốt", "min": 0.8}, {"label": "Đạt", "min": 0}],
                    awards=[{"code": "BK", "name": "Bằng khen", "quota": {"count": 1},
                             "eligible": {"min_total": 0.8}, "on_tie_at_quota": "flag"}])
    c = parse_criteria(doc)
    result = run(doc, [{"p": 0.1, "q": 0.7}, {"p": 0.8, "q": 0.0}, {"p": 0.5, "q": 0.2}])
    basis = basis_of(c, result)
    d = draw(basis, np.ones((1, len(basis.tree.codes))))  # every weight as written: the engine's
    assert (d.rank[0] == basis.facts.rank[:-1]).all()
    assert all((d.on[i][0] == basis.facts.on[i][:-1]).all() and (d.flag[i][0] == basis.facts.flag[i][:-1]).all()
               for i in range(len(c.awards)))


# --- the snap itself ------------------------------------------------------------------------------


def test_snap_gives_the_float_of_the_decimal_a_person_computes():
    values = [0.1 + 0.7, 3 * 0.6, 0.1 + 0.2, 22.374999999999996, 0.0, -0.7999999999999999,
              1e308, -1.7976931348623157e308, 0.9999999999999999]
    assert snap_array(np.array(values)).tolist() == [0.8, 1.8, 0.3, 22.375, 0.0, -0.8, 1e308,
                                                     -1.79769313486232e308, 1.0]
    assert snap_value(1 / 3) == 0.333333333333333


def test_snap_scales_by_the_float_nearest_each_power_of_ten():
    """polars' pow(10, 23) is not the float nearest 10²³ (nor numpy's power(10, 106) that of
    10¹⁰⁶): a scale computed so snapped 1e-09 to 9.999999999999999e-10 in polars, and numpy's
    snap of the same value was another float. Every power of ten from 10⁻¹⁷ to 10³⁶ (where the
    scales used are exact or the same table's) snaps to itself in both."""
    tens = [float(f"1e{k}") for k in range(-17, 37)]
    polars = pl.DataFrame({"x": tens}).select(snap(pl.col("x"))).to_series().to_list()
    assert polars == snap_array(np.array(tens)).tolist() == tens
    assert snap_value(9.999999999999999e-10) == 1e-09


def test_snap_keeps_what_is_not_a_number():
    out = pl.DataFrame({"x": [None, float("inf"), float("-inf"), float("nan")]}).select(snap(pl.col("x")))
    got = out.to_series().to_list()
    assert got[:3] == [None, float("inf"), float("-inf")] and got[3] != got[3]


DECIMALS = st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False,
                       allow_infinity=False)
SCALES = st.sampled_from([Decimal(10) ** k for k in range(-30, 31, 3)])


@given(st.lists(DECIMALS, min_size=1, max_size=5), SCALES)
def test_sums_equal_as_decimals_snap_to_the_same_float(parts, scale):
    """Sums of decimals of the same sign, as totals of points are (a difference of two nearly
    equal large values can leave float noise beyond the 15th digit of a small result)."""
    parts = [p * scale for p in parts]
    exact = float(sum(parts))
    computed = 0.0
    for p in parts:
        computed += float(p)
    assert snap_value(computed) == snap_value(exact)
    if exact == 0 or 1e-8 <= exact < 1e37:  # where every power of ten used is exact
        assert snap_value(exact) == float(f"{exact:.15g}")


@given(st.lists(st.floats(allow_nan=False, allow_infinity=True, width=64), max_size=50))
def test_snap_is_the_same_float_in_polars_and_numpy_and_changes_no_snapped_value(xs):
    polars = pl.DataFrame({"x": xs}, schema={"x": pl.Float64}).select(snap(pl.col("x"))).to_series()
    once = snap_array(np.array(xs, dtype=float))
    assert polars.to_list() == once.tolist()
    assert snap_array(once).tolist() == once.tolist()


TWO_PLACES = st.decimals(min_value=0, max_value=1, places=2)


@given(st.lists(st.tuples(TWO_PLACES, TWO_PLACES), min_size=2, max_size=8), st.data())
def test_units_with_equal_decimal_values_get_the_same_class_rank_and_points(pairs, data):
    """Each unit's two parts a, b beside a twin typed as (a + b, 0): the twins are equal as
    decimals, so they share everything a comparison decides: the class and the rank from their
    totals, and the points of rules that compare the value p + q (a band at one of the sums, a
    range from the lowest to the highest)."""
    sums = sorted({float(a + b) for a, b in pairs if a + b > 0})
    assume(sums)  # a band at 0 would repeat the band "min 0" below it, which validate refuses
    at = data.draw(st.sampled_from(sums))
    rows = []
    for i, (a, b) in enumerate(pairs):
        rows.append({"id": f"A{i:02d}", "p": float(a), "q": float(b)})
        rows.append({"id": f"B{i:02d}", "p": float(a + b), "q": 0.0})
    totals = two_parts(classification=[{"label": "Tốt", "min": at}, {"label": "Đạt", "min": 0}])
    compared = criteria([
        {"code": "M", "name": "M", "max_points": 1, "rule": {
            "type": "formula", "expr": "p + q", "then": {"type": "minmax", "scope": "all"}}},
        {"code": "B", "name": "B", "max_points": 1, "rule": {
            "type": "formula", "expr": "p + q", "then": {"type": "bands", "bands": [
                {"min": at, "points": 1}, {"min": 0, "max": at, "points": 0.5}]}}}],
        precision=None)
    for doc, names in ((totals, ("rank", "rank_overall", "classification")),
                       (compared, ("points.M", "points.B"))):
        result = run(doc, rows)
        for name in names:
            got = column(result, name)
            assert all(got[f"A{i:02d}"] == got[f"B{i:02d}"] for i in range(len(pairs))), name


def _mean_of_a_group_worth_3(first):
    """A weighted mean over one group worth 3 (2 + 1, a criterion left out when its value is
    missing), with the unit at 2.33 points first or last in the file."""
    doc = criteria([{"code": "M", "name": "M", "max_points": 10, "aggregate": "weighted_mean",
                     "children": [{"code": "M1", "name": "M1", "max_points": 3, "children": [
                         leaf("A", 2, indicator="a", missing="exclude", **MANUAL),
                         leaf("B", 1, indicator="b", **MANUAL)]}]}], precision=None)
    rows = [{"id": "X", "a": 2.0, "b": 0.33}, {"id": "Y", "a": 0.0, "b": 0.33},
            {"id": "Z", "a": 0.0, "b": 0.33}]
    return run(doc, rows if first else rows[::-1])


def test_a_share_of_attainable_points_equal_for_all_units_is_divided_exactly_in_every_row():
    # 2.33 / 3 × 10 = 7.766666666666667; polars, dividing by a column that holds one repeated
    # value, gave 7.766666666666666 in the first row (the row order then changed the points)
    for first in (True, False):
        assert column(_mean_of_a_group_worth_3(first), "points.M")["X"] == 2.33 / 3 * 10


def test_a_constant_column_the_caller_built_divides_exactly():
    doc = criteria([leaf("A", 10, type="ratio", indicator="x", target={"indicator": "t"})],
                   precision=None)
    data = frame([{"id": "X", "x": 2.33}, {"id": "Y", "x": 0.33}, {"id": "Z", "x": 0.33}])
    got = score(parse_criteria(doc), data.with_columns(t=pl.lit(3.0)))
    assert column(got, "points.A")["X"] == 10 * (2.33 / 3)


def test_a_weighted_mean_of_weights_far_apart_is_the_same_in_every_row_order():
    # found by test_row_order_never_matters: the sum of the weights there, equal for every unit,
    # was a column polars held as one value, and dividing by it depended on the row
    doc = criteria([{"code": "M", "name": "M", "max_points": 10, "aggregate": "weighted_mean",
                     "missing": "exclude", "children": [
                         leaf("A", 10, type="shortfall", indicator="x", target=71, per_unit=0.01,
                              weight=166155.25815472152, missing="error"),
                         leaf("B", 10, type="relative", indicator="x")]}], precision=None)
    rows = [{"id": "X", "x": 0.0}, {"id": "Y", "x": 0.0}, {"id": "Z", "x": 1.0}]
    seen = {tuple(sorted(column(run(doc, order), "points.M").items()))
            for order in itertools.permutations(rows)}
    assert len(seen) == 1
