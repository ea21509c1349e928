"""The engine's arithmetic on hand-computed cases: overflow, extreme weights, empty bonus groups."""

from __future__ import annotations

import pytest

from thidua.errors import DataError

from .util import column, criteria, leaf, run

LIN = {"type": "linear", "zero_at": 0, "full_at": 100}


def group(code, max_points, children, **extra):
    return {"code": code, "name": code, "max_points": max_points, "children": children, **extra}


# --- item 8: nothing that is not a finite number is ever ranked -----------------------------------


def test_minmax_over_the_whole_float_range_computes_right():
    doc = criteria([leaf("A", 10, type="minmax", indicator="x", scope="all")], precision=None)
    result = run(doc, [{"x": -1e308}, {"x": 0.0}, {"x": 1e308}])
    assert column(result, "points.A") == {"U01": 0.0, "U02": 5.0, "U03": 10.0}
    assert column(result, "rank") == {"U03": 1, "U02": 2, "U01": 3}


def test_minmax_lower_is_better_over_the_whole_float_range():
    doc = criteria([leaf("A", 10, type="minmax", indicator="x", scope="all", direction="lower")])
    result = run(doc, [{"x": -1.5e308}, {"x": 0.75e308}, {"x": 1.5e308}])
    assert column(result, "points.A") == {"U01": 10.0, "U02": 2.5, "U03": 0.0}


def test_a_formula_that_overflows_is_bad_input_naming_unit_and_criterion():
    rule = {"type": "formula", "expr": "x * x - y * y", "then": LIN}
    doc = criteria([{"code": "A", "name": "A", "max_points": 10, "rule": rule}])
    with pytest.raises(DataError) as caught:
        run(doc, [{"x": 2.0, "y": 1.0}, {"id": "X02", "x": 1e200, "y": 1e200}])
    assert caught.value.lines() == [(
        "<data>::row 3, A: unit X02: the formula x * x - y * y has no finite value "
        "(an intermediate result overflows past ±1.8e308)")]


def test_a_rule_whose_arithmetic_overflows_is_bad_input_naming_unit_and_criterion():
    kids = [leaf("I.1", 10, type="target_leader", indicator="x", target=1e-300, scope="all"),
            leaf("I.2", 10, indicator="y", **LIN)]
    doc = criteria([group("I", 20, kids)])
    with pytest.raises(DataError) as caught:
        run(doc, [{"id": "X01", "x": 1e300, "y": 1.0}, {"id": "X02", "x": 1.0, "y": 1.0}])
    # the leader's ratio is 1e600: every share of the range above the target is inf / inf
    assert caught.value.lines() == [(
        "<data>::row 2, I.1: unit X01: criterion I.1 has no finite value "
        "(an intermediate result overflows past ±1.8e308)")]


# --- item 9: weights are compared as the ratios the file writes -----------------------------------


@pytest.mark.parametrize("how", ["weighted_mean", "geometric_mean"])
def test_subnormal_weights_weigh_as_their_ratios(how):
    kids = [leaf("W.1", 10, indicator="a", weight=5e-324, **LIN),
            leaf("W.2", 10, indicator="b", weight=1e-323, **LIN)]  # 1 : 2
    doc = criteria([group("W", 100, kids, aggregate=how)])
    result = column(run(doc, [{"a": 10, "b": 80}]), "total")
    # (1·0.1 + 2·0.8) / 3 = 0.5666… → 56.67; geometric: (0.1 · 0.8²)^(1/3) = 0.4 → 40
    assert result == {"U01": 56.67 if how == "weighted_mean" else 40.0}


def test_same_points_with_every_weight_scaled_to_the_bottom_of_the_float_range():
    rows = [{"a": 10, "b": 80}, {"a": 55, "b": 35}]

    def total(scale):
        kids = [leaf("W.1", 10, indicator="a", weight=3 * scale, **LIN),
                leaf("W.2", 10, indicator="b", weight=1 * scale, **LIN)]
        return column(run(criteria([group("W", 100, kids, aggregate="weighted_mean")]), rows), "total")

    assert total(2.0**-1073) == total(1.0) == {"U01": 27.5, "U02": 50.0}


def test_a_tiny_weight_beside_a_large_one_under_exclusion():
    kids = [leaf("W.1", 10, indicator="a", weight=1e15, missing="exclude", **LIN),
            leaf("W.2", 10, indicator="b", weight=5e-324, **LIN),
            leaf("W.3", 10, indicator="c", weight=1e-323, **LIN)]
    doc = criteria([group("W", 30, kids, aggregate="weighted_mean")])
    result = run(doc, [{"a": 40, "b": 10, "c": 80}, {"a": None, "b": 10, "c": 80}])
    # U01: W.1 outweighs the others: 0.4 → 12; U02: W.1 does not apply, (0.1 + 2·0.8) / 3 → 17
    assert column(result, "total") == {"U01": 12.0, "U02": 17.0}


# --- item 23: a bonus group with nothing that applies is empty, as in the main tree -------------


def test_a_bonus_group_whose_children_do_not_apply_is_empty():
    bonus = {"max_points": 5, "criteria": [group("T", 5, [
        leaf("T.1", 3, type="per_count", indicator="k", each=1, missing="exclude"),
        leaf("T.2", 2, type="per_count", indicator="m", each=1, missing="exclude")])]}
    doc = criteria(bonus=bonus)
    result = run(doc, [{"x": 50, "k": None, "m": None}, {"x": 50, "k": 1, "m": None}])
    assert column(result, "points.T") == {"U01": None, "U02": 1.0}
    assert column(result, "bonus") == {"U01": 0.0, "U02": 1.0}
    assert column(result, "total") == {"U01": 5.0, "U02": 6.0}


def test_a_bonus_mean_counts_only_the_children_that_apply():
    bonus = {"max_points": 4, "criteria": [group("T", 4, [
        leaf("T.1", 4, type="boolean", indicator="k", missing="exclude"),
        leaf("T.2", 4, type="boolean", indicator="m", missing="exclude")], aggregate="weighted_mean")]}
    doc = criteria(bonus=bonus)
    result = run(doc, [{"x": 50, "k": True, "m": None}, {"x": 50, "k": True, "m": False}])
    assert column(result, "points.T") == {"U01": 4.0, "U02": 2.0}


# --- a tie-break indicator follows the file's missing policy ---------------------------------------


def test_a_missing_tie_break_indicator_counts_as_zero_under_missing_zero():
    for order, first in (("asc", "U02"), ("desc", "U01")):
        doc = criteria(missing="zero", ranking={"tie_break": [{"indicator": "k", "order": order}]})
        result = run(doc, [{"x": 50, "k": 1}, {"x": 50, "k": None}])
        assert result.units.get_column("id").to_list()[0] == first, order
        assert sorted(column(result, "rank").values()) == [1, 2]


def test_a_missing_tie_break_indicator_ranks_last_under_exclude():
    doc = criteria(missing="exclude", ranking={"tie_break": [{"indicator": "k", "order": "asc"}]})
    result = run(doc, [{"x": 50, "k": 3}, {"x": 50, "k": None}])
    assert column(result, "rank") == {"U01": 1, "U02": 2}


def test_a_condition_whose_arithmetic_overflows_is_bad_input_naming_unit_and_condition():
    doc = criteria(knockouts=[{"code": "KO", "name": "Tràn", "when": "x * x - y * y > 0",
                               "effect": "ineligible"}],
                   awards=[{"code": "BK", "name": "Bằng khen", "quota": {"count": 1},
                            "eligible": {"when": "x * x * x < 1"}}])
    with pytest.raises(DataError) as caught:  # NaN > 0 is true in polars: the unit was knocked out
        run(doc, [{"x": 2.0, "y": 1.0}, {"id": "X02", "x": 1e200, "y": 1e200}])
    assert caught.value.lines() == [
        ("<data>::row 3, KO: unit X02: the condition x * x - y * y > 0 of knockout KO has no "
         "finite value (an intermediate result overflows past ±1.8e308)"),
        ("<data>::row 3, BK: unit X02: the condition x * x * x < 1 of the eligibility of award BK "
         "has no finite value (an intermediate result overflows past ±1.8e308)")]


def test_points_that_are_not_finite_in_a_bonus_group_are_bad_input():
    bonus = {"max_points": 5, "criteria": [group("T", 5, [
        leaf("T.1", 5, type="target_leader", indicator="k", target=1e-300, scope="all")])]}
    doc = criteria(bonus=bonus)
    with pytest.raises(DataError) as caught:  # the cap of the bonus would have hidden the NaN
        run(doc, [{"x": 50, "k": 1.0}, {"id": "X02", "x": 50, "k": 1e300}])
    assert caught.value.lines() == [(
        "<data>::row 3, T.1: unit X02: criterion T.1 has no finite value "
        "(an intermediate result overflows past ±1.8e308)")]
