"""Sobol indices of the decisions (thidua/core/sensitivity/sobol.py, `sensitivity --sobol`): the
estimators against a model with known indices, the dummy's noise floor, a criterion that moves
nothing, the same seed, and the command's exact output and errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from thidua.core import sensitivity as s
from thidua.core.engine import score
from thidua.core.sensitivity import sobol as sb
from thidua.input.load import parse_criteria

from .util import criteria, frame, leaf, run_cli

# --- the estimators on an additive model --------------------------------------------------------


def additive(c: np.ndarray, n: int, seed: int, bootstrap: int = 200):
    """S1 and ST (estimate, low, high) per input of f = Σ c_g x_g, x_g independent uniform
    (the inputs' factors), and the dummy's, from the module's own sampling and estimators."""
    k = len(c)
    a, b = sb.saltelli(k + 1, n, seed)
    f = lambda x: (x[:, :k] @ c)[:, None]  # noqa: E731  (the dummy, column k, is read by nothing)
    est = sb.Jansen(f(a), f(b), bootstrap, seed)
    out = []
    for g in range(k):
        ab = a.copy()
        ab[:, g] = b[:, g]
        out.append(tuple(sb.summary(x) for x in est.first_total(f(ab))))
    return out, est.dummy()


def test_an_additive_model_has_its_analytic_indices_within_the_intervals():
    # Var(c_g x_g) = c_g² / 12 for x uniform, no interaction: S1_g = ST_g = c_g² / Σ c²
    c = np.array([1.0, 2.0, 3.0])
    truth = c**2 / (c**2).sum()
    inside = []
    for seed in range(8):
        found, _ = additive(c, 1024, seed)
        for g, ((s1, s1_low, s1_high), (st, st_low, st_high)) in enumerate(found):
            assert abs(s1[0] - truth[g]) < 0.05 and abs(st[0] - truth[g]) < 0.05
            inside += [bool(s1_low[0] <= truth[g] <= s1_high[0]),
                       bool(st_low[0] <= truth[g] <= st_high[0])]
    # 5–95 % intervals: about 90 % of them hold the truth
    assert np.mean(inside) >= 0.75, np.mean(inside)
    found, _ = additive(c, 1024, 0)
    assert all(low[0] <= truth[g] <= high[0] for g, pair in enumerate(found)
               for _, low, high in pair)


def test_the_dummy_is_near_zero_and_its_total_index_is_zero():
    _, (s1, st) = additive(np.array([1.0, 2.0, 3.0]), 1024, 4)
    assert np.all(st == 0)
    assert abs(s1[0, 0]) < 0.05
    low, high = sb.summary(s1)[1:]
    assert low[0] <= 0 <= high[0]  # the noise floor: an interval about 0


def test_an_interaction_shows_in_the_total_index_only():
    # f = x0 · x1 + x2: x0 and x1 interact, so their ST exceeds their S1
    k = 3
    a, b = sb.saltelli(k + 1, 2048, 1)
    f = lambda x: (x[:, 0] * x[:, 1] * 4 + x[:, 2])[:, None]  # noqa: E731
    est = sb.Jansen(f(a), f(b), 0, 1)
    ab = a.copy()
    ab[:, 0] = b[:, 0]
    s1, st = est.first_total(f(ab))
    assert st[0, 0] - s1[0, 0] > 0.05


# --- the indices of the engine's decisions ---------------------------------------------------------

# A and B trade off (U1 leads on A, U2 on B); everyone has the same points on C, whose weight is
# the largest: changing it rescales every unit alike and moves nothing.
DOC = criteria([leaf("A", 30, type="linear", indicator="a", zero_at=0, full_at=100),
                leaf("B", 30, type="linear", indicator="b", zero_at=0, full_at=100),
                leaf("C", 40, type="linear", indicator="c", zero_at=0, full_at=100)],
               precision=None,
               awards=[{"code": "BK", "name": "Bằng khen", "quota": {"count": 1}}])
ROWS = [{"id": "U1", "a": 61.0, "b": 40.0, "c": 50.0}, {"id": "U2", "a": 40.0, "b": 60.0, "c": 50.0},
        {"id": "U3", "a": 30.0, "b": 45.0, "c": 50.0}, {"id": "U4", "a": 10.0, "b": 10.0, "c": 50.0}]


def analysed(samples: int = 128, seed: int = 2, asked=()):  # type: ignore[no-untyped-def]
    c = parse_criteria(DOC)
    basis = s.basis_of(c, score(c, frame(ROWS)))
    return sb.sobol(basis, sb.groups_of(basis.tree, asked), samples, 50, 0.2, seed)


def test_a_criterion_that_moves_nothing_has_no_total_index_and_is_flagged():
    r = analysed()
    rows = r.indices.to_dicts()
    on_c = [x for x in rows if x["criterion"] == "C"]
    assert on_c and all(x["ST"] == 0 and x["ST_high"] == 0 for x in on_c)
    targets = {x["target"] for x in rows}
    assert {"rank_shift", "award:BK:U1", "award:BK:U2", "rank:U1", "rank:U2"} <= targets
    assert "award:BK:U4" not in targets and r.constant == 4  # U3, U4 never on the list: left out
    crit = {x["criterion"]: x for x in r.criteria.to_dicts()}
    assert crit["C"]["nominal_weight"] == pytest.approx(0.4)
    assert crit["C"]["flag"] == "weight_without_influence"
    assert crit["A"]["flag"] is None and crit["B"]["flag"] is None
    assert crit["A"]["ST_lists"] > 0.3 and crit["B"]["ST_lists"] > 0.3
    assert crit["dummy"]["ST_lists"] == 0 and crit["dummy"]["influence"] is None


def test_the_same_seed_gives_the_same_indices_and_another_seed_others():
    first, again, other = analysed(seed=7), analysed(seed=7), analysed(seed=8)
    assert first.indices.equals(again.indices) and first.criteria.equals(again.criteria)
    assert not first.indices.equals(other.indices)


def test_named_groups_and_their_nominal_weights():
    r = analysed(asked=[("AB", ["A", "B"])])
    crit = r.criteria.to_dicts()
    assert [x["criterion"] for x in crit] == ["AB", "dummy"]
    assert crit[0]["codes"] == ["A", "B"] and crit[0]["nominal_weight"] == 1.0


def test_shares_follow_the_tree():
    doc = criteria([{"code": "G", "name": "G", "max_points": 60, "aggregate": "weighted_mean",
                     "children": [leaf("G1", 10, type="boolean", indicator="p", weight=3),
                                  leaf("G2", 10, type="boolean", indicator="q", weight=1)]},
                    leaf("H", 40, type="boolean", indicator="r")])
    tree = s.tree_of(parse_criteria(doc))
    share = dict(zip(tree.codes, sb.shares(tree)))
    assert share == pytest.approx({"": 1.0, "G": 0.6, "G1": 0.45, "G2": 0.15, "H": 0.4})


def test_every_problem_of_the_groups_at_once():
    c = parse_criteria(DOC)
    tree = s.tree_of(c)
    with pytest.raises(sb.UsageError) as e:
        sb.groups_of(tree, [("dummy", ["C"]), ("X", ["A", "Q"]), ("X", ["B"]), ("Y", ["A"])])
    assert e.value.lines() == [
        "sensitivity: --group dummy: the name 'dummy' is kept for the dummy input",
        "sensitivity: --group X: no main criterion 'Q' in the criteria file",
        "sensitivity: --group X: the group 'X' is named twice",
        "sensitivity: --group Y: the criterion 'A' is already in the group 'X' (itself, a "
        "criterion above it or one below it)",
    ]


# --- the command ----------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    path, data = tmp_path / "c.yaml", tmp_path / "d.csv"
    path.write_text(yaml.safe_dump(DOC, allow_unicode=True), encoding="utf-8")
    data.write_text("id,name,group,a,b,c\nU1,Một,G1,61,40,50\nU2,Hai,G1,40,60,50\n"
                    "U3,Ba,G1,30,45,50\nU4,Bốn,G1,10,10,50\n", encoding="utf-8")
    return str(path), str(data)


def test_sobol_criteria_as_csv(files):
    result = run_cli("sensitivity", *files, "--sobol", "--samples", "64", "--bootstrap", "20",
                     "--seed", "1", "--section", "sobol_criteria", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout == EXPECTED_CRITERIA


# C moves nothing: f(AB_C) is f(A), so its S1 is the dummy's (the noise floor) and its ST is 0
EXPECTED_CRITERIA = (
    "criterion,codes,nominal_weight,S1_rank_shift,ST_rank_shift,ST_lists,influence,flag\n"
    "A,A,0.3,0.17334,0.595195,0.595195,0.461538,\n"
    "B,B,0.3,0.272539,0.694394,0.694394,0.538462,\n"
    "C,C,0.4,-0.091191,0.0,0.0,0.0,weight_without_influence\n"
    'dummy,"",0.0,-0.091191,0.0,0.0,,\n')


def test_sobol_json_has_its_list_and_the_seed(files, tmp_path):
    out = tmp_path / "s.json"
    args = ["sensitivity", *files, "--sobol", "--samples", "32", "--seed", "5", "-o", str(out)]
    result = run_cli(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    document = json.loads(out.read_text(encoding="utf-8"))
    assert set(document) == {"criteria", "data", "settings", "sobol", "sobol_criteria"}
    assert document["settings"]["seed"] == 5 and document["settings"]["samples"] == 32
    assert set(document["sobol"][0]) == {"target", "criterion", "S1", "S1_low", "S1_high", "ST",
                                         "ST_low", "ST_high"}
    assert document["sobol"][0]["target"] == "rank_shift"
    assert [r["criterion"] for r in document["sobol"][:4]] == ["A", "B", "C", "dummy"]
    manifest = json.loads((tmp_path / "s.json.manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"]["seed"] == 5 and manifest["options"]["sobol"] is True
    first = out.read_bytes()
    assert run_cli(*args).exit_code == 0
    assert out.read_bytes() == first  # the same seed, the same bytes


@pytest.mark.parametrize("name", ["s.json", "s.csv", "s.xlsx", "s.md", "s.html", "s.parquet"])
def test_verify_reruns_a_sobol_output(files, tmp_path, name):
    out = tmp_path / name
    result = run_cli("sensitivity", *files, "--sobol", "--samples", "16", "--group", "AB=A,B",
                     "--group", "C=C", "--bootstrap", "10", "--seed", "4", "-o", str(out))
    assert (result.exit_code, result.stderr) == (0, "")
    result = run_cli("verify", f"{out}.manifest.json")
    assert result.exit_code == 0, result.output


def test_sobol_table_for_people(files, vietnamese):
    result = run_cli("sensitivity", *files, "--sobol", "--samples", "16", "--bootstrap", "10",
                     "--section", "sobol")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:10] == [
        "Chỉ số Sobol theo trọng số: test (phiên bản 1)",
        "",
        "Chỉ số Sobol của từng kết quả theo trọng số",
        "===========================================",
        "Mục tiêu                    Tiêu chí          Trọng số danh nghĩa    S1     S1 5 %–95 %     ST     ST 5 %–95 %",
        "--------------------------  ----------------  ---------------------  -----  --------------  -----  -------------",
        "Dịch chuyển hạng bình quân  A                 30,00 %                0,467  -0,259 – 0,592  0,800  0,537 – 1,309",
        "Dịch chuyển hạng bình quân  B                 30,00 %                0,200  -0,517 – 0,493  0,533  0,267 – 0,714",
        "Dịch chuyển hạng bình quân  C                 40,00 %                0,200  -0,210 – 0,398  0,000  0,000 – 0,000",
        "Dịch chuyển hạng bình quân  (giả: mức nhiễu)  0,00 %                 0,200  -0,210 – 0,398  0,000  0,000 – 0,000",
    ]


def test_bad_sobol_options_are_all_reported(files):
    result = run_cli("sensitivity", *files, "--sobol", "--samples", "1", "--bootstrap", "0",
                     "--group", "A", "--group", "=A", "--group", "B=A,")
    assert (result.exit_code, result.stdout) == (1, "")
    form = ("write NAME=CODE,CODE… (a name without spaces, '=' or ',', then the codes of main "
            "criteria, comma-separated)")
    assert result.stderr == (
        "Error: sensitivity: 5 problems\n"
        "sensitivity: --samples 1: give 2 base samples or more\n"
        "sensitivity: --bootstrap 0: give 1 resample or more\n"
        f"sensitivity: --group A: {form}\n"
        f"sensitivity: --group =A: {form}\n"
        f"sensitivity: --group B=A,: {form}\n")


def test_sobol_options_without_sobol(files):
    result = run_cli("sensitivity", *files, "--samples", "8", "--group", "X=A")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Error: sensitivity: 2 problems\n"
                             "sensitivity: --samples: is used only with --sobol\n"
                             "sensitivity: --group: is used only with --sobol\n")


def test_a_group_naming_no_criterion_of_the_file(files):
    result = run_cli("sensitivity", *files, "--sobol", "--group", "X=A,Z", "--group", "Y=A")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: sensitivity: 2 problems\n"
        "sensitivity: --group X: no main criterion 'Z' in the criteria file\n"
        "sensitivity: --group Y: the criterion 'A' is already in the group 'X' (itself, a "
        "criterion above it or one below it)\n")


def test_an_unknown_sobol_section(files):
    result = run_cli("sensitivity", *files, "--sobol", "--section", "units")
    assert result.exit_code == 2
    assert "no table 'units' here; choose from sobol, sobol_criteria" in result.stderr


def test_with_spread_zero_nothing_varies_and_every_target_is_left_out():
    c = parse_criteria(DOC)
    basis = s.basis_of(c, score(c, frame(ROWS)))
    r = sb.sobol(basis, sb.groups_of(basis.tree), 16, 10, 0.0, 1)
    assert r.indices.height == 0 and r.constant == r.targets == 1 + 4 * 2
    assert r.criteria.get_column("flag").null_count() == 4


def test_a_workbook_has_a_sheet_for_each_section(files, tmp_path):
    from .util import workbook_tables

    out = tmp_path / "s.xlsx"
    result = run_cli("sensitivity", *files, "--sobol", "--samples", "8", "-o", str(out))
    assert (result.exit_code, result.stderr) == (0, "")
    sheets = workbook_tables(out)
    assert list(sheets) == ["Sobol", "Weights and influence"]  # the run's language (the suite's: English)


def test_a_run_that_would_not_fit_in_memory_is_refused(files, monkeypatch):
    from thidua.commands import sensitivity as command

    monkeypatch.setattr(command, "available_memory", lambda: 1000)
    result = run_cli("sensitivity", *files, "--sobol", "--samples", "8")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("Error: --samples 8: 1 problem\n--samples 8: 8 base samples "
                                    "would need about ")
    assert result.stderr.endswith(" bytes of memory; 1,000 bytes are available. Give fewer base "
                                  "samples.\n")
