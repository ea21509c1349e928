"""Every rule type on hand-computed values (points after rounding to 2 decimals)."""

from __future__ import annotations

import math

import pytest

from thidua.errors import DataError

from .util import column, criteria, leaf, run


def points(rule: dict, values: list[dict], max_points: float = 10, **top) -> list[float]:
    result = run(criteria([leaf("A", max_points, **rule)], **top), values)
    got = column(result, "points.A")
    return [got[f"U{i + 1:02d}"] for i in range(len(values))]


def test_boolean_accepts_true_and_false_and_invert():
    assert points({"type": "boolean", "indicator": "x"}, [{"x": True}, {"x": False}]) == [10, 0]
    assert points({"type": "boolean", "indicator": "x", "invert": True}, [{"x": True}, {"x": False}]) == [0, 10]


def test_linear_clamps_and_interpolates():
    rule = {"type": "linear", "indicator": "x", "zero_at": 50, "full_at": 100}
    assert points(rule, [{"x": 40}, {"x": 50}, {"x": 75}, {"x": 100}, {"x": 120}]) == [0, 0, 5, 10, 10]


def test_linear_lower_is_better():
    rule = {"type": "linear", "indicator": "x", "zero_at": 10, "full_at": 0}
    assert points(rule, [{"x": 0}, {"x": 2.5}, {"x": 10}, {"x": 30}]) == [10, 7.5, 0, 0]


def test_linear_log():
    rule = {"type": "linear", "indicator": "x", "zero_at": 10, "full_at": 1000, "transform": "log"}
    assert points(rule, [{"x": 100}, {"x": 10}, {"x": 0}, {"x": 5000}]) == [5, 0, 0, 10]


def test_ratio_with_a_per_unit_target():
    rule = {"type": "ratio", "indicator": "x", "target": {"indicator": "t"}}
    assert points(rule, [{"x": 45, "t": 60}, {"x": 90, "t": 60}, {"x": 0, "t": 5}]) == [7.5, 10, 0]


def test_ratio_target_not_above_zero_is_an_error_for_that_unit():
    rule = {"type": "ratio", "indicator": "x", "target": {"indicator": "t"}}
    with pytest.raises(DataError) as e:
        points(rule, [{"x": 1, "t": 5}, {"x": 1, "t": 0}])
    assert e.value.lines() == ["<data>::row 3, t: unit U02: 0 is not above 0; criterion A divides by this target"]


def test_shortfall_each_percent_missing_costs_half_a_point():
    rule = {"type": "shortfall", "indicator": "x", "target": 100, "per_unit": 0.5}
    assert points(rule, [{"x": 100}, {"x": 96.5}, {"x": 70}, {"x": 105}]) == [10, 8.25, 0, 10]


def test_shortfall_lower_direction():
    rule = {"type": "shortfall", "indicator": "x", "target": 2, "per_unit": 3, "direction": "lower"}
    assert points(rule, [{"x": 0}, {"x": 2}, {"x": 3}, {"x": 9}]) == [10, 10, 7, 0]


def test_bands_first_match_in_order_written():
    rule = {"type": "bands", "indicator": "x", "bands": [{"min": 95, "points": 10}, {"min": 85, "points": 7},
                                                          {"min": 50, "max": 60, "points": 2}]}
    assert points(rule, [{"x": 99}, {"x": 95}, {"x": 90}, {"x": 70}, {"x": 55}, {"x": 10}]) == [10, 10, 7, 0, 2, 0]


def test_bands_lower_is_better_with_max():
    rule = {"type": "bands", "indicator": "x", "bands": [{"max": 0, "points": 10}, {"max": 2, "points": 5}]}
    assert points(rule, [{"x": 0}, {"x": 1}, {"x": 2}, {"x": 3}]) == [10, 5, 5, 0]


def test_per_count_deducts_in_main_and_counts_up_in_bonus():
    rule = {"type": "per_count", "indicator": "n", "each": 2.5}
    assert points(rule, [{"n": 0}, {"n": 1}, {"n": 5}]) == [10, 7.5, 0]
    doc = criteria(bonus={"max_points": 5, "criteria": [leaf("T", 5, **rule)]})
    result = run(doc, [{"x": 100, "n": 0}, {"x": 100, "n": 1}, {"x": 100, "n": 9}])
    assert column(result, "bonus") == {"U01": 0, "U02": 2.5, "U03": 5}
    assert column(result, "total") == {"U01": 10, "U02": 12.5, "U03": 15}


def test_negative_count_is_bad_input():
    with pytest.raises(DataError) as e:
        points({"type": "per_count", "indicator": "n", "each": 1}, [{"n": -1}])
    assert e.value.lines() == ["<data>::row 2, n: unit U01: -1 is a negative count (criterion A)"]


def test_relative_to_the_best_of_the_group():
    rule = {"type": "relative", "indicator": "x"}
    rows = [{"x": 200, "group": "G1"}, {"x": 100, "group": "G1"}, {"x": 50, "group": "G2"}, {"x": 0, "group": "G2"}]
    assert points(rule, rows) == [10, 5, 10, 0]
    assert points({**rule, "scope": "all"}, rows) == [10, 5, 2.5, 0]


def test_relative_lower_is_better():
    rule = {"type": "relative", "indicator": "x", "direction": "lower", "scope": "all"}
    assert points(rule, [{"x": 2}, {"x": 4}, {"x": 8}]) == [10, 5, 2.5]


def test_relative_best_zero_gives_zero():
    assert points({"type": "relative", "indicator": "x"}, [{"x": 0}, {"x": 0}]) == [0, 0]


def test_minmax_over_all_and_everyone_equal():
    rule = {"type": "minmax", "indicator": "x"}
    rows = [{"x": 10, "group": "G1"}, {"x": 20, "group": "G1"}, {"x": 30, "group": "G2"}]
    assert points(rule, rows) == [0, 5, 10]
    assert points({**rule, "direction": "lower"}, rows) == [10, 5, 0]
    assert points({**rule, "scope": "group"}, rows) == [0, 10, 10]
    assert points(rule, [{"x": 7}, {"x": 7}]) == [10, 10]


def test_target_leader_the_dinh_luong_rule():
    # target 100: below it half of max in proportion; above it, in proportion to the leader's excess
    rule = {"type": "target_leader", "indicator": "x", "target": 100}
    rows = [{"x": 80}, {"x": 100}, {"x": 110}, {"x": 120}]
    assert points(rule, rows) == [4, 5, 7.5, 10]


def test_manual_score_outside_its_range_is_an_error_never_clamped():
    assert points({"type": "manual", "indicator": "d"}, [{"d": 7.25}]) == [7.25]
    with pytest.raises(DataError) as e:
        points({"type": "manual", "indicator": "d"}, [{"d": 11}])
    assert "11 is outside 0..10" in e.value.lines()[0]


def test_formula_then_rule():
    rule = {"type": "formula", "expr": "a / b * 100", "then": {"type": "linear", "zero_at": 0, "full_at": 50}}
    assert points(rule, [{"a": 1, "b": 4}, {"a": 3, "b": 4}]) == [5, 10]


def test_formula_division_by_zero_is_missing():
    rule = {"type": "formula", "expr": "a / b", "then": {"type": "linear", "zero_at": 0, "full_at": 1}}
    with pytest.raises(DataError) as e:
        points(rule, [{"a": 1, "b": 0}])
    assert e.value.lines() == ["<data>::row 2, A: unit U01: the formula a / b gives no value (a division by zero)"]
    assert points(rule, [{"a": 1, "b": 0}], missing="full") == [10]


def test_the_spec_rounding_example():
    # 71.6 / 80 × 25 = 22.375 → 22.38, though the float lies just below
    rule = {"type": "ratio", "indicator": "x", "target": 80}
    assert points(rule, [{"x": 71.6}], max_points=25) == [22.38]
    assert 71.6 / 80 * 25 < 22.375
    assert not math.isclose(points(rule, [{"x": 71.6}], max_points=25, precision=None)[0], 22.38)
