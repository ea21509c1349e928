"""The tree, missing values, bonus and penalty, knockouts and classification on hand-computed cases."""

from __future__ import annotations

import pytest

from thidua.errors import DataError

from .util import column, criteria, leaf, run

LIN = {"type": "linear", "zero_at": 0, "full_at": 100}


def group(code, max_points, children, **extra):
    return {"code": code, "name": code, "max_points": max_points, "children": children, **extra}


def test_sum_group_rounds_leaves_then_the_subtotal():
    doc = criteria([group("I", 20, [leaf("I.1", 10, indicator="a", **LIN), leaf("I.2", 10, indicator="b", **LIN)])])
    result = run(doc, [{"a": 33.333, "b": 33.333}])
    assert column(result, "points.I.1") == {"U01": 3.33}
    assert column(result, "points.I") == {"U01": 6.66}  # 3.33 + 3.33, not round(6.6666)
    assert column(result, "total") == {"U01": 6.66}


def test_round_at_total_keeps_full_values_until_the_end():
    doc = criteria([group("I", 20, [leaf("I.1", 10, indicator="a", **LIN), leaf("I.2", 10, indicator="b", **LIN)])],
                   round_at="total")
    result = run(doc, [{"a": 33.333, "b": 33.333}])
    assert column(result, "total") == {"U01": 6.67}


def test_weighted_mean_and_geometric_mean():
    kids = [leaf("W.1", 10, indicator="a", weight=3, **LIN), leaf("W.2", 5, indicator="b", weight=1, **LIN)]
    doc = criteria([group("W", 100, kids, aggregate="weighted_mean")])
    # a = 50 → 5/10 = 0.5; b = 100 → 5/5 = 1; (3·0.5 + 1·1) / 4 = 0.625 → 62.5
    assert column(run(doc, [{"a": 50, "b": 100}]), "total") == {"U01": 62.5}
    geo = criteria([group("G", 100, [leaf("G.1", 10, indicator="a", **LIN), leaf("G.2", 10, indicator="b", **LIN)],
                          aggregate="geometric_mean")])
    # √(0.25 · 1) = 0.5
    result = run(geo, [{"a": 25, "b": 100}, {"a": 0, "b": 100}])
    assert column(result, "total") == {"U01": 50, "U02": 0}


def test_scaling_weights_changes_nothing():
    def total(w1, w2):
        kids = [leaf("W.1", 10, indicator="a", weight=w1, **LIN), leaf("W.2", 10, indicator="b", weight=w2, **LIN)]
        return column(run(criteria([group("W", 100, kids, aggregate="weighted_mean")]), [{"a": 30, "b": 90}]), "total")
    assert total(1, 2) == total(10, 20) == {"U01": 70}


def test_zero_max_criterion_is_kept_but_scores_nothing():
    # the DTI's "đô thị thông minh": kept in the tree with 0 points
    doc = criteria([leaf("A", 10, indicator="a", **LIN), leaf("Z", 0, indicator="z", **LIN)])
    result = run(doc, [{"a": 50, "z": 100}])
    assert column(result, "points.Z") == {"U01": 0}
    assert column(result, "total") == {"U01": 5}


def test_missing_error_lists_every_unit_and_indicator():
    doc = criteria([leaf("A", 10, indicator="a", **LIN), leaf("B", 10, indicator="b", **LIN)])
    with pytest.raises(DataError) as e:
        run(doc, [{"a": None, "b": 1}, {"a": 2, "b": None}, {"a": None, "b": None}])
    assert e.value.lines() == [
        "<data>::row 2, a: unit U01: missing value (criterion A has missing: error)",
        "<data>::row 4, a: unit U03: missing value (criterion A has missing: error)",
        "<data>::row 3, b: unit U02: missing value (criterion B has missing: error)",
        "<data>::row 4, b: unit U03: missing value (criterion B has missing: error)",
    ]


def test_missing_zero_and_full():
    doc = criteria([leaf("A", 10, indicator="a", missing="zero", **LIN), leaf("B", 10, indicator="b", missing="full", **LIN)])
    result = run(doc, [{"a": None, "b": None}])
    assert column(result, "points.A") == {"U01": 0}
    assert column(result, "points.B") == {"U01": 10}


def test_missing_exclude_rescales_to_the_total():
    # B does not apply to U01 (không giao chỉ tiêu): 6 of 10 attainable, 4.5 earned → 4.5 × 20/10 = 9
    doc = criteria([leaf("A", 10, indicator="a", **LIN), leaf("B", 10, indicator="b", missing="exclude", **LIN)])
    result = run(doc, [{"a": 45, "b": None}, {"a": 45, "b": 50}])
    assert column(result, "earned") == {"U01": 4.5, "U02": 9.5}
    assert column(result, "attainable") == {"U01": 10, "U02": 20}
    assert column(result, "total") == {"U01": 9, "U02": 9.5}
    assert column(result, "points.B") == {"U01": None, "U02": 5}


def test_exclude_under_a_weighted_mean_renormalises_the_weights():
    kids = [leaf("W.1", 10, indicator="a", weight=1, **LIN), leaf("W.2", 10, indicator="b", weight=3, missing="exclude", **LIN)]
    result = run(criteria([group("W", 100, kids, aggregate="weighted_mean")]), [{"a": 40, "b": None}])
    assert column(result, "total") == {"U01": 40}


def test_bonus_and_penalty_caps_and_the_floor_at_zero():
    pc = {"type": "per_count", "indicator": "n", "each": 4}
    doc = criteria([leaf("A", 10, indicator="a", **LIN)],
                   bonus={"max_points": 5, "criteria": [leaf("T", 8, **pc)]},
                   penalty={"max_points": 10, "criteria": [leaf("P", 20, type="per_count", indicator="v", each=3)]})
    result = run(doc, [{"a": 100, "n": 2, "v": 0}, {"a": 20, "n": 0, "v": 4}, {"a": 50, "n": 1, "v": 1}])
    assert column(result, "bonus") == {"U01": 5, "U02": 0, "U03": 4}
    assert column(result, "penalty") == {"U01": 0, "U02": 10, "U03": 3}
    assert column(result, "total") == {"U01": 15, "U02": 0, "U03": 6}


def test_knockouts_bar_awards_or_cap_the_classification():
    doc = criteria(
        [leaf("A", 100, indicator="a", **LIN)],
        knockouts=[{"code": "KL", "name": "Kỷ luật", "when": "kl > 0"},
                   {"code": "CH", "name": "Chậm", "when": "cham >= 10", "effect": {"cap": "Khá"}}],
        classification=[{"label": "Xuất sắc", "min": 90}, {"label": "Khá", "min": 70}, {"label": "Đạt", "min": 0}],
    )
    rows = [{"a": 95, "kl": 0, "cham": 0}, {"a": 95, "kl": 1, "cham": 0}, {"a": 95, "kl": 0, "cham": 12},
            {"a": 60, "kl": 0, "cham": 12}]
    result = run(doc, rows)
    assert column(result, "knockouts") == {"U01": [], "U02": ["KL"], "U03": ["CH"], "U04": ["CH"]}
    assert column(result, "classification") == {"U01": "Xuất sắc", "U02": "Xuất sắc", "U03": "Khá", "U04": "Đạt"}
    assert column(result, "rank") == {"U01": 1, "U02": 1, "U03": 1, "U04": 4}


def test_no_band_matches_gives_no_classification():
    doc = criteria(classification=[{"label": "Đạt", "min": 5}])  # reachable (total 10), not reached
    assert column(run(doc, [{"x": 10}]), "classification") == {"U01": None}


def test_an_empty_group_is_bad_input_when_the_file_ranks_by_group():
    with pytest.raises(DataError) as e:
        run(criteria(), [{"x": 50}, {"x": 60, "group": None}])
    assert e.value.lines() == ["<data>::row 3, group: unit U02: the group (cụm, khối) is empty: the unit "
                               "cannot be ranked inside its cluster"]


def test_exclude_inside_a_sum_under_a_weighted_mean_counts_as_absent():
    # S.2 does not apply to U01: S is 5 of an attainable 5, a full share of the mean
    inner = group("S", 10, [leaf("S.1", 5, indicator="x", **LIN),
                            leaf("S.2", 5, indicator="y", missing="exclude", **LIN)])
    doc = criteria([group("G", 10, [inner, leaf("L", 10, indicator="z", **LIN)], aggregate="weighted_mean")])
    result = run(doc, [{"x": 100, "y": None, "z": 100}, {"x": 100, "y": 100, "z": 100}])
    assert column(result, "points.S") == {"U01": 5, "U02": 10}
    assert column(result, "total") == {"U01": 10, "U02": 10}


def test_a_frame_of_many_chunks_scores_as_the_same_frame_rechunked_and_is_left_as_it_is():
    """score() does not depend on the caller's memory layout (one chunk per row here) and
    never changes the caller's frame (issue 11, item 4)."""
    import random

    import polars as pl

    from thidua.core.engine import score
    from thidua.input.load import parse_criteria

    from .util import frame

    doc = criteria([leaf("A", 6, indicator="a", **LIN),
                    leaf("B", 4, indicator="b", type="relative")],
                   classification=[{"label": "Tốt", "min": 6}, {"label": "Đạt", "min": 0}],
                   ranking={"tie_break": [{"criterion": "B"}]},
                   awards=[{"code": "BK", "name": "BK", "quota": {"percent": 30}},
                           {"code": "CT", "name": "CT", "per": "all", "quota": {"count": 3},
                            "on_tie_at_quota": "include"}])
    rnd = random.Random(11)
    rows = [{"id": f"U{i:03d}", "group": f"Cụm {i % 3}", "a": float(rnd.choice([40, 55, 70, 100])),
             "b": float(rnd.choice([1, 2, 3]))} for i in range(300)]
    whole = frame(rows)
    chunked = pl.concat([whole.slice(i, 1) for i in range(whole.height)], rechunk=False)
    assert chunked.n_chunks() == 300
    before = chunked.clone()
    c = parse_criteria(doc)
    many, one = score(c, chunked), score(c, whole)
    assert many.units.equals(one.units)
    assert chunked.equals(before) and chunked.columns == before.columns
    assert chunked.n_chunks() == 300  # not rechunked in place either


def test_every_expression_is_parsed_once_per_run(monkeypatch):
    """A condition read by the knockouts, the award's `when` and the formula is parsed the first
    time it is asked for only, however many places compile it (issue 11, item 2)."""
    from thidua.core import expr
    from thidua.core.engine import score
    from thidua.input.load import parse_criteria

    from .util import frame

    parsed: list[str] = []
    real = expr._tokenize  # one call per text parsed
    monkeypatch.setattr(expr, "_tokenize", lambda text: parsed.append(text) or real(text))
    expr.parse.cache_clear()
    expr.check.cache_clear()
    doc = criteria([leaf("A", 10, type="formula", expr="a / 10", then={"type": "manual"})],
                   knockouts=[{"code": "K", "name": "K", "when": "a > 90"}],
                   awards=[{"code": "BK", "name": "BK", "quota": {"count": 1},
                            "eligible": {"when": "a > 90"}}])
    c = parse_criteria(doc)
    score(c, frame([{"a": 5.0}, {"a": 95.0}]))
    score(c, frame([{"a": 1.0}]))
    assert sorted(parsed) == ["a / 10", "a > 90"]
