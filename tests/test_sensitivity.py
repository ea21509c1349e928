"""The Monte Carlo over the weights and the stability margins: what they promise (Hypothesis),
a hand-computed margin, and the command's exact output on a small case."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import polars as pl
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from thidua.cli import cli
from thidua.core import sensitivity as s
from thidua.core.engine import score
from thidua.input.load import parse_criteria

from .strategies import MONOTONE_V0 as MONOTONE
from .strategies import criteria_docs_v0 as criteria_docs
from .strategies import rows_v0 as rows
from .util import criteria, frame, leaf, workbook_tables

# --- documents with everything that decides an award ----------------------------------------------


@st.composite
def decided_docs(draw: Any, **kwargs: Any) -> dict[str, Any]:
    """A random criteria document (tests/strategies.py) with classification, bonus, penalty,
    knockouts, tie-breaks and awards of every kind added."""
    doc = draw(criteria_docs(**kwargs))
    total = doc["total"]
    labels = []
    if draw(st.booleans()):
        cuts = draw(st.lists(st.integers(0, 100), min_size=1, max_size=3, unique=True))
        doc["classification"] = [{"label": f"L{i}", "min": total * cut / 100}
                                 for i, cut in enumerate(sorted(cuts, reverse=True))]
        labels = [band["label"] for band in doc["classification"]]
    if draw(st.booleans()):
        doc["bonus"] = {"max_points": draw(st.sampled_from([1, 2.5, 5])), "criteria": [
            leaf("T1", 2, type="boolean", indicator="f0"),
            leaf("T2", 3, type="per_count", indicator="x4", each=0.01)]}
    if draw(st.booleans()):
        doc["penalty"] = {"max_points": draw(st.sampled_from([1, 3])),
                          "criteria": [leaf("P1", 5, type="per_count", indicator="x3", each=0.02)]}
    knockouts = []
    if draw(st.booleans()):
        effect: Any = "ineligible"
        if labels and draw(st.booleans()):
            effect = {"cap": draw(st.sampled_from(labels))}
        when = f"x2 > {draw(st.integers(100, 200))}"
        knockouts.append({"code": "K", "name": "K", "when": when, "effect": effect})
    doc["knockouts"] = knockouts
    breaks = draw(st.sampled_from([[], [{"criterion": doc["criteria"][0]["code"]}],
                                   [{"indicator": "x1", "order": "asc"}]]))
    doc["ranking"]["tie_break"] = breaks
    awards = []
    for i in range(draw(st.integers(0, 3))):
        quota: dict[str, Any] = draw(st.one_of(
            st.builds(lambda n: {"count": n}, st.integers(0, 3)),
            st.builds(lambda p, r, lo: {"percent": p, "rounding": r, "min": lo},
                      st.sampled_from([10, 20, 33.3, 50]),
                      st.sampled_from(["floor", "round", "ceil"]), st.integers(0, 1))))
        ofs = ["units", "eligible", *[{"classification": x} for x in labels],
               *[{"award": a["code"]} for a in awards]]
        if "percent" in quota:
            quota["of"] = draw(st.sampled_from(ofs))
        eligible: dict[str, Any] = {}
        if draw(st.booleans()):
            eligible["min_total"] = total * draw(st.integers(0, 90)) / 100
        if labels and draw(st.booleans()):
            eligible["classification"] = labels[: draw(st.integers(1, len(labels)))]
        if draw(st.booleans()):
            eligible["no_knockout"] = True
        if draw(st.booleans()):
            eligible["max_rank"] = draw(st.integers(1, 4))
        if draw(st.booleans()):
            eligible["when"] = "x0 >= 20"
        if awards and draw(st.booleans()):
            eligible["awards"] = [awards[0]["code"]]
        awards.append({"code": f"A{i}", "name": f"A{i}",
                       "per": draw(st.sampled_from(["group", "all"])),
                       "quota": quota, "eligible": eligible, "exclusive": draw(st.booleans()),
                       "on_tie_at_quota": draw(st.sampled_from(["include", "exclude", "flag"]))})
    doc["awards"] = awards
    return doc


def prepared(doc: dict[str, Any], data: list[dict[str, Any]]) -> tuple[s.Basis, pl.DataFrame]:
    c, table = parse_criteria(doc), frame(data)
    result = score(c, table)
    return s.basis_of(c, result), s.in_group_order(result.units)


def assert_nominal(basis: s.Basis, units: pl.DataFrame, d: s.Decision, rows: np.ndarray) -> None:
    """Every row of the decision is the engine's result (rows: which units each row holds)."""
    f = basis.facts
    real = rows < f.n  # the rest are padding
    assert (d.rank[real] == f.rank[rows][real]).all()
    for i in range(len(basis.rules.awards)):
        assert (d.on[i] == f.on[i][rows]).all(), basis.rules.awards[i].code
        assert (d.flag[i] == f.flag[i][rows]).all(), basis.rules.awards[i].code
    labels = {label: i for i, label in enumerate(basis.rules.labels)}
    names = units.get_column("classification").to_list()
    klass = np.array([labels.get(x, -1) for x in names] + [-1])
    assert (d.klass[real] == klass[rows][real]).all()


@given(decided_docs(), rows())
def test_with_spread_zero_every_draw_is_the_engines_result(doc, data):
    basis, units = prepared(doc, data)
    d = s.draw(basis, s.factors(basis, 3, 0.0, seed=7))
    assert_nominal(basis, units, d, np.broadcast_to(np.arange(basis.facts.n), d.rank.shape))


@given(decided_docs(), rows(), st.data())
def test_changing_one_criterion_by_nothing_is_the_engines_result(doc, data, pick):
    """What the margins start from, for every unit at once and one group at a time."""
    basis, units = prepared(doc, data)
    leaves = [i for i in basis.tree.leaves if basis.tree.top[i] > 0]
    node = np.array([pick.draw(st.sampled_from(leaves))] * 2) if leaves else np.array([s.ROOT] * 2)
    d = s._evaluate(basis, node, np.ones(2), None)
    assert_nominal(basis, units, d, np.broadcast_to(np.arange(basis.facts.n), d.rank.shape))
    if not basis.rules.overall:
        cols = s.members(basis.facts)
        d = s._evaluate(basis, np.full(len(cols), node[0]), np.ones(len(cols)), cols)
        assert_nominal(basis, units, d, cols)


@given(criteria_docs(), rows(), st.data())
def test_one_change_agrees_with_the_whole_tree(doc, data, pick):
    doc["precision"] = None  # compare the arithmetic, not where rounding falls
    basis, _ = prepared(doc, data)
    leaves = [i for i in basis.tree.leaves if basis.tree.top[i] > 0]
    if not leaves:
        return
    i = pick.draw(st.sampled_from(leaves))
    f = np.array([0.0, 0.5, 1.0, 1.7])
    u = np.ones((len(f), len(basis.tree.codes)))
    u[:, i] = f
    whole = basis.reweigher.main(u)
    path = s.change_one(basis, i, f)
    assert np.allclose(whole, path, rtol=1e-9, atol=1e-9)


@given(decided_docs(kinds=MONOTONE), rows(min_size=2), st.data())
def test_a_unit_better_on_every_criterion_never_has_a_worse_median_rank(doc, data, pick):
    doc.pop("bonus", None), doc.pop("penalty", None), doc.update(knockouts=[])
    doc["ranking"]["tie_break"] = [tb for tb in doc["ranking"]["tie_break"] if "criterion" in tb]
    weaker = pick.draw(st.sampled_from(data))
    better = copy.deepcopy(weaker)
    better.update(id="A00", name="Better")  # sorts first: an exact tie cannot favour the weaker
    for x in ("x0", "x1", "x2", "x3", "x4"):
        better[x] += pick.draw(st.sampled_from([0.0, 0.5, 10.0]))
    basis, units = prepared(doc, [*data, better])
    points = units.select("id", *(c for c in units.columns if c.startswith("points.")))
    a = points.filter(pl.col("id") == "A00").drop("id").row(0)
    b = points.filter(pl.col("id") == weaker["id"]).drop("id").row(0)
    assert all(x >= y - 1e-9 for x, y in zip(a, b))  # the premise: better everywhere
    d = s.draw(basis, s.factors(basis, 40, 0.3, seed=pick.draw(st.integers(0, 9))))
    where = {u: k for k, u in enumerate(basis.facts.ids)}
    ra, rb = d.rank[:, where["A00"]], d.rank[:, where[weaker["id"]]]
    assert (ra <= rb).all()
    result = s.simulate(basis, 40, 0.3, seed=3)
    med = dict(zip(result.units["id"], result.units["rank_median"]))
    assert med["A00"] <= med[weaker["id"]]


@given(decided_docs(), rows(), st.integers(0, 2**32 - 1))
def test_the_same_seed_gives_the_same_result_whatever_the_batch_size(doc, data, seed):
    basis, _ = prepared(doc, data)
    first = s.simulate(basis, 12, 0.25, seed)
    again = s.simulate(basis, 12, 0.25, seed)
    assert first.units.equals(again.units) and first.lists.equals(again.lists)
    small = pytest.MonkeyPatch()
    small.setattr(s.basis, "CHUNK", 1)  # one draw per batch
    try:
        batched = s.simulate(basis, 12, 0.25, seed)
    finally:
        small.undo()
    assert first.units.equals(batched.units) and first.lists.equals(batched.lists)


def test_progress_is_reported_draw_by_draw():
    basis, _ = prepared(TWO, THREE)
    seen: list[int] = []
    s.simulate(basis, 7, 0.1, seed=0, progress=seen.append)
    assert sum(seen) == 7


def test_spread_must_stay_below_one():
    basis, _ = prepared(criteria(), [{"x": 1}])
    with pytest.raises(ValueError, match="spread"):
        s.factors(basis, 1, 1.0, None)


# --- a margin by hand -----------------------------------------------------------------------------

TWO = criteria([leaf("A", 50, type="manual", indicator="a"),
                leaf("B", 50, type="manual", indicator="b")],
               awards=[{"code": "CO", "name": "Cờ", "quota": {"count": 1}}])
THREE = [{"id": u, "a": a, "b": b} for u, a, b in (("U1", 50, 0), ("U2", 0, 40), ("U3", 10, 10))]


def test_the_margin_is_where_the_second_overtakes_the_first():
    """U1 50 = A 50; U2 40 = B 40. Cutting A's max by δ (the rest rescaled to 100): U1 has
    (50 − δ)·100/(100 − δ), U2 40·100/(100 − δ), U1 − U2 = 100·(10 − δ)/(100 − δ). Rounded to two
    decimals they print the same (44,44) once U1 falls below 44,445: δ > 9,999; at δ = 10 exactly
    they tie. The list then changes (a tie at the quota line, for the council): the margin lies in
    (9,99; 10], found to 0,005. Raising B instead needs 12,5 (40·(50 + δ)/50 reaches 50)."""
    basis, _ = prepared(TWO, THREE)
    found = s.margins(basis).frame
    row = found.filter(pl.col("target") == "award").row(0, named=True)
    assert row["nominal"] == ["U1"] and row["criterion"] == "A"
    assert -10.0 <= row["change"] <= -9.99
    assert row["after"] == [] and row["after_tied"] == ["U1", "U2"]  # flagged, nobody listed
    order = found.filter(pl.col("target") == "order").row(0, named=True)
    assert order["nominal"] == ["U1", "U2"] and order["criterion"] == "A"
    assert order["change"] == row["change"]
    assert order["after_tied"] == ["U1", "U2"]


def test_monte_carlo_on_the_hand_case():
    basis, _ = prepared(TWO, THREE)
    result = s.simulate(basis, 400, 0.1, seed=1)  # ±10 %: U1 50·(1 ± .1) against U2 40·(1 ± .1)
    units = {r["id"]: r for r in result.units.iter_rows(named=True)}
    assert units["U1"]["award.CO"] == 1.0 and units["U1"]["rank_p95"] == 1
    assert units["U3"]["rank_median"] == 3
    assert result.lists["same"].to_list() == [1.0]


# --- the command ----------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path):
    doc = copy.deepcopy(TWO)
    doc["units"] = {"id": "ma", "name": "ten"}
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("ma,ten,a,b\nU1,Một,50,0\nU2,Hai,0,40\nU3,Ba,10,10\n", encoding="utf-8")
    return str(path), str(data)


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_sensitivity_csv_of_the_units(files):
    result = invoke("sensitivity", *files, "--draws", "50", "--spread", "0.1", "--seed", "3",
                    "--no-margins", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout == (
        "id,name,group,rank,rank_p05,rank_median,rank_p95,award.CO,flag.CO\n"
        "U1,Một,,1,1,1,1,1.0,0.0\n"
        "U2,Hai,,2,2,2,2,0.0,0.0\n"
        "U3,Ba,,3,3,3,3,0.0,0.0\n")


def test_sensitivity_margins_as_csv(files):
    result = invoke("sensitivity", *files, "--draws", "10", "--section", "margins",
                    "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines == [
        "target,award,group,nominal,criterion,change,max_points,new_max,after,after_tied",
        'award,CO,,U1,A,-10.0,50.0,40.0,"",U1;U2',
        "order,,,U1;U2,A,-10.0,50.0,40.0,U1;U2,U1;U2",
    ]


def test_sensitivity_table_for_people(files, vietnamese):
    result = invoke("sensitivity", *files, "--draws", "10", "--spread", "0", "--section", "lists")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:7] == [
        "Độ nhạy của kết quả theo trọng số: test (phiên bản 1)",
        "",
        "Độ ổn định của danh sách khen thưởng",
        "====================================",
        "Khen thưởng    Cụm      Danh sách    Đồng hạng tại hạn mức    Giữ nguyên",
        "-------------  -------  -----------  -----------------------  ------------",
        "CO             (chung)  U1           —                        100,0 %",
    ]


def test_an_unknown_section_is_a_usage_error(files):
    result = invoke("sensitivity", *files, "--draws", "5", "--no-margins", "--section", "nope")
    assert result.exit_code == 2
    assert "no table 'nope' here; choose from units, lists" in result.stderr


def test_json_and_xlsx(vietnamese, files, tmp_path):
    import json

    result = invoke("sensitivity", *files, "--draws", "5", "--format", "json")
    document = json.loads(result.stdout)
    assert set(document) == {"criteria", "data", "settings", "units", "lists", "margins"}
    assert document["settings"]["draws"] == 5 and document["criteria"]["id"] == "t"
    out = tmp_path / "x.xlsx"
    result = invoke("sensitivity", *files, "--draws", "5", "-o", str(out))
    assert result.exit_code == 0, result.output
    # one printed worksheet a section; the notes under the last one (was a sheet of their own)
    sheets = workbook_tables(out)
    assert list(sheets) == ["Đơn vị", "Danh sách", "Biên ổn định"]
