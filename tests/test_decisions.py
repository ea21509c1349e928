"""The one decision engine (thidua/core/decisions.py): what `score` returns is its scenario 0, and
the sensitivity analysis' draws with nothing changed are that scenario again, field by field."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from thidua.core import decisions
from thidua.core import sensitivity as s
from thidua.core.awards import col
from thidua.core.engine import score
from thidua.errors import DataError
from thidua.input.load import parse_criteria

from .strategies import frame, scenarios
from .util import criteria


def _fields(c: Any, units: pl.DataFrame) -> dict[str, list[Any]]:
    """Every decision field of the engine's unit table (in the order of `units`)."""
    out = {name: units.get_column(name).to_list()
           for name in ("rank", "rank_overall", "classification", "awards", "flagged")}
    for a in c.awards:
        for what in ("eligible", "base", "quota", "better", "upto", "on", "flag", "tied", "failed"):
            values = units.get_column(col(what, a.code)).to_list()
            if what == "failed":  # the reasons read it for the units not eligible only
                e = units.get_column(col("eligible", a.code)).to_list()
                values = [None if ok else v for v, ok in zip(values, e)]
            out[col(what, a.code)] = values
    return out


def _decided(c: Any, d: decisions.Decision, row: int) -> dict[str, list[Any]]:
    """The same fields from one row of a decision, as the engine lays them out."""
    labels = [b.label for b in c.classification]
    assert d.rank_overall is not None
    out: dict[str, list[Any]] = {
        "rank": d.rank[row].tolist(), "rank_overall": d.rank_overall[row].tolist(),
        "classification": [labels[k] if k >= 0 else None for k in d.klass[row].tolist()]}
    names: list[list[str]] = [[] for _ in range(d.rank.shape[1])]
    flagged: list[list[str]] = [[] for _ in range(d.rank.shape[1])]
    for a, detail, on, flag in zip(c.awards, d.details, d.on, d.flag):
        e = detail.eligible[row]
        out[col("eligible", a.code)] = e.tolist()
        out[col("base", a.code)] = detail.base[row].tolist()
        out[col("quota", a.code)] = detail.quota[row].tolist()
        for what, values in (("better", detail.better), ("upto", detail.upto)):
            out[col(what, a.code)] = [int(v) if ok else None for v, ok in zip(values[row], e)]
        out[col("on", a.code)] = on[row].tolist()
        out[col("flag", a.code)] = flag[row].tolist()
        out[col("tied", a.code)] = detail.tied[row].tolist()
        out[col("failed", a.code)] = [
            None if ok else [name for name, met in detail.checks if not met[row][k]]
            for k, ok in enumerate(e)]
        for k in range(len(e)):
            if on[row][k]:
                names[k].append(a.code)
            if flag[row][k]:
                flagged[k].append(a.code)
    out["awards"] = names
    out["flagged"] = flagged
    return out


@given(scenarios(), st.integers(1, 4))
def test_score_is_scenario_zero_and_every_draw_with_spread_zero_is_it_again(case, draws):
    """For random documents of every rule, award and tie option: the decisions made over the
    sensitivity analysis' rows (the engine's points re-weighted by factors of 1) are, row by row
    and field by field, what `score` returned."""
    doc, rows = case
    c = parse_criteria(doc)
    try:
        result = score(c, frame(rows))
    except DataError as e:
        assert e.problems
        event("bad data")
        return
    try:
        basis = s.basis_of(c, result)
    except DataError as e:  # refused, with the reason: never approximate
        assert "cannot be analysed exactly" in e.problems[0].message
        event("refused")
        return
    units = s.in_group_order(result.units)
    u = s.factors(basis, draws, 0.0, seed=draws)
    assert (u == 1).all()
    main, ref = basis.reweigher.main(u), basis.reweigher.main(u[:1])
    total, q = s.totals(basis, main, ref)
    d = decisions.decide(basis.rules, basis.facts, total, q, overall=True, detail=True)
    expected = _fields(c, units)
    for row in range(draws):
        assert _decided(c, d, row) == expected
    plain = s.draw(basis, u)  # as the Monte Carlo draws them
    assert (plain.rank == d.rank).all() and (plain.klass == d.klass).all()
    assert all((x == y).all() for x, y in zip(plain.on + plain.flag, d.on + d.flag))


def test_a_file_whose_totals_cannot_be_told_apart_is_refused_not_approximated():
    """Two totals 1e-20 apart (precision: null) are two ranks for `score`, but no whole unit of
    eps the analysis can afford tells them apart: the analysis is refused, naming why."""
    doc = criteria([{"code": "A", "name": "A", "max_points": 10,
                     "rule": {"type": "manual", "indicator": "x"}}], precision=None)
    c = parse_criteria(doc)
    result = score(c, frame([{"id": "U1", "name": "a", "group": "G", "x": 1e-20},
                             {"id": "U2", "name": "b", "group": "G", "x": 2e-20},
                             {"id": "U3", "name": "c", "group": "G", "x": 10.0}]))
    assert result.units.get_column("rank").to_list() == [1, 2, 3]
    with pytest.raises(DataError) as raised:
        s.basis_of(c, result, "data.csv")
    (problem,) = raised.value.problems
    assert problem.message.startswith("the weights cannot be analysed exactly: two totals differ "
                                      "by only 1e-20 points")


def test_the_decisions_of_many_rows_are_each_rows_own():
    """Rows of a scenarios × units table are decided independently: deciding them together or
    one at a time gives the same ranks, classes and lists."""
    doc = criteria([{"code": "A", "name": "A", "max_points": 10,
                     "rule": {"type": "manual", "indicator": "x"}}],
                   classification=[{"label": "Tốt", "min": 5}, {"label": "Đạt", "min": 0}],
                   awards=[{"code": "BK", "name": "BK", "quota": {"count": 1},
                            "on_tie_at_quota": "flag"}])
    c = parse_criteria(doc)
    result = score(c, frame([{"id": f"U{i}", "name": "a", "group": "G", "x": float(i)}
                             for i in range(5)]))
    basis = s.basis_of(c, result)
    total = np.array([[4.0, 3.0, 2.0, 1.0, 0.0], [1.0, 1.0, 5.0, 5.0, 0.0], [0.0, 0.0, 0.0, 0.0, 9.0]])
    q = decisions.compared(basis.rules, total)
    together = decisions.decide(basis.rules, basis.facts, total, q, overall=True, detail=True)
    for r in range(len(total)):
        alone = decisions.decide(basis.rules, basis.facts, total[r:r + 1], q[r:r + 1], overall=True,
                                 detail=True)
        assert _decided(c, alone, 0) == _decided(c, together, r)
    assert together.flag[0][1].tolist() == [False, False, True, True, False]  # tied at the line


def test_an_explanation_names_the_band_the_engine_decides():
    """explain's band (the class before any cap) is decided as the classification is: on the
    decimal value, so 0.1 + 0.7 reaches `min: 0.8` under precision: null (the explanation
    compared the float 0.7999999999999999 and named the lower band)."""
    from thidua.core.explain import explain

    doc = criteria([{"code": "P", "name": "P", "max_points": 1, "rule": {"type": "manual", "indicator": "p"}},
                    {"code": "Q", "name": "Q", "max_points": 1, "rule": {"type": "manual", "indicator": "q"}}],
                   precision=None, classification=[{"label": "Tốt", "min": 0.8}, {"label": "Đạt", "min": 0}])
    c = parse_criteria(doc)
    result = score(c, frame([{"id": "U1", "name": "a", "group": "G", "p": 0.1, "q": 0.7}]), trace=True)
    assert result.units.get_column("classification").to_list() == ["Tốt"]
    assert explain(result, "U1").band == "Tốt"


def test_a_sum_with_a_criterion_left_out_is_its_share_of_what_it_could_earn_in_a_mean():
    """Found by the property above: under `missing: exclude`, a sum group (1.2) one of whose
    criteria does not apply shares in its parent's mean as its points over its attainable points
    (1 of 1), as `score` has it, not over its max (1 of 3, which put U1 second)."""
    doc = criteria([{"code": "1", "name": "Nhóm 1", "aggregate": "weighted_mean", "max_points": 10,
                     "children": [
                         {"code": "1.1", "name": "A", "max_points": 1,
                          "rule": {"type": "manual", "indicator": "a"}},
                         {"code": "1.2", "name": "B", "max_points": 3, "children": [
                             {"code": "1.2.1", "name": "B1", "max_points": 1,
                              "rule": {"type": "manual", "indicator": "b"}},
                             {"code": "1.2.2", "name": "B2", "max_points": 2,
                              "rule": {"type": "manual", "indicator": "c"}}]}]}],
                   total=10, missing="exclude")
    rows = [{"id": "U1", "name": "a", "group": "G", "a": 0.5, "b": 1.0, "c": None},
            {"id": "U2", "name": "b", "group": "G", "a": 1.0, "b": 1.0, "c": 0.0}]
    inner = test_score_is_scenario_zero_and_every_draw_with_spread_zero_is_it_again.hypothesis.inner_test
    inner((doc, rows), 2)
    result = score(parse_criteria(doc), frame(rows))
    assert result.units.sort("id").get_column("total").to_list() == [7.5, 6.67]
