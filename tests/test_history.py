"""Titles of earlier years (thidua/core/history.py, thidua/input/history.py): conditions worked out
by hand, the year scored as each scenario decides it, the evidence in reasons and explanations,
and the command line with --history.

Every expected value below was worked out by hand from the rows written here: the history rows
are the years before 2025; 2025 is this run's (CS's list: a total of at least 8; the class
Xuất sắc: a total of at least 9).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import thidua
from thidua.core import decisions, engine
from thidua.core.history import held

from .util import run_cli

CRITERIA = """\
format: 1
id: lich-su
name: "Danh hiệu có lịch sử"
version: "1"
total: 10
year: 2025
units: {id: ma, name: ten}
history: {id: ma, year: nam, title: danh_hieu}
criteria:
  - {code: A, name: "Điểm", max_points: 10, rule: {type: manual, indicator: diem}}
classification:
  - {label: "Xuất sắc", min: 9}
  - {label: "Tốt", min: 0}
awards:
  - {code: CS, name: "Chiến sĩ", quota: {percent: 100}, eligible: {min_total: 8}, on_tie_at_quota: include}
  - code: STREAK3
    name: "Ba năm liên tục"
    quota: {percent: 100}
    on_tie_at_quota: include
    eligible:
      history: [{title: CS, streak: 3}]
  - code: PREV2
    name: "Hai năm liên tục trước năm xét"
    quota: {percent: 100}
    on_tie_at_quota: include
    eligible:
      history: [{title: CS, streak: 2, through: previous}]
  - code: COUNT
    name: "Hai lần trong bốn năm"
    quota: {percent: 100}
    on_tie_at_quota: include
    eligible:
      history: [{title: BK, count: 2, within: 4}]
  - code: CLASS
    name: "Xuất sắc hai trong ba năm"
    quota: {percent: 100}
    on_tie_at_quota: include
    eligible:
      history: [{classification: "Xuất sắc", count: 2, within: 3}]
  - code: ANY
    name: "Một trong hai"
    quota: {percent: 100}
    on_tie_at_quota: include
    eligible:
      history:
        - any: [{title: CS, streak: 3}, {classification: "Xuất sắc", count: 2, within: 3}]
"""

DATA = """\
ma,ten,diem
U1,Một,9
U2,Hai,9
U3,Ba,7
U4,Bốn,9.5
"""

# U1: CS 2023, 2024 (+ 2025 from this run); BK 2022, 2024.
# U2: CS 2022, 2024 (2023 missing); BK 2021 (before the window 2022–2025); Xuất sắc 2023.
# U3: CS 2023, 2024, but 7 points in 2025: no CS this year; BK 2023.
# U4: nothing before (X9 is a person of earlier years, not in the data: ignored).
HISTORY = """\
ma,nam,danh_hieu
U1,2023,CS
U1,2024,CS
U1,2022,BK
U1,2024,BK
U2,2022,CS
U2,2024,CS
U2,2021,BK
U2,2023,Xuất sắc
U3,2023,CS
U3,2024,CS
U3,2023,BK
X9,2024,CS
"""

EXPECTED = {
    # 2023, 2024 held, 2025 from this run's CS: the streak of 3 holds
    "STREAK3": {"U1"},
    # U2: 2023 is missing, the gap breaks the streak; U3: 2025 needs this run's own CS, which
    # U3 (7 points) does not get; U4: no year before
    # through: previous is 2023–2024: U1 and U3 (U3's 2025 does not count)
    "PREV2": {"U1", "U3"},
    # BK in at least 2 of 2022–2025: U1 (2022, 2024); U2's 2021 is outside; U3 only 2023; BK is
    # no award of this file, so 2025 holds it for nobody
    "COUNT": {"U1"},
    # Xuất sắc in 2 of 2023–2025: U2 (2023 + this run's 9 points); U1 and U4 only 2025; U3 none
    "CLASS": {"U2"},
    "ANY": {"U1", "U2"},
}


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str, str]:
    paths = (tmp_path / "c.yaml", tmp_path / "d.csv", tmp_path / "lich-su.csv")
    for path, text in zip(paths, (CRITERIA, DATA, HISTORY)):
        path.write_text(text, encoding="utf-8")
    return str(paths[0]), str(paths[1]), str(paths[2])


def _result(files: tuple[str, str, str], history: str | None = None, trace: bool = False) -> thidua.Result:
    criteria, data, past = files
    c, frame = thidua.load(criteria, data)
    return thidua.score(c, frame, trace=trace,
                        history=thidua.load_history(criteria, history or past, frame))


def _lists(result: thidua.Result) -> dict[str, set[str]]:
    rows = result.units.select("id", "awards").rows()
    return {code: {i for i, awards in rows if code in awards} for code in EXPECTED}


def test_each_condition_decides_as_worked_out_by_hand(files):
    assert _lists(_result(files)) == EXPECTED


def test_the_evidence_names_the_years_held_and_missing(files):
    from thidua.core.reasons import reasons

    why = reasons(_result(files))
    said = {(a, i): (s, f if f is None else ";".join(f), h)  # failed: a list of the conditions
            for a, i, s, f, h in why.select("award", "id", "status", "failed", "history").rows()}
    assert said["STREAK3", "U2"] == ("not_eligible", "history:0", "CS: 2024, 2025; missing 2023")
    assert said["STREAK3", "U3"] == ("not_eligible", "history:0", "CS: 2023, 2024; missing 2025")
    assert said["STREAK3", "U1"] == ("on_list", None, "CS: 2023, 2024, 2025")
    assert said["PREV2", "U4"] == ("not_eligible", "history:0", "CS: no year; missing 2023, 2024")
    assert said["COUNT", "U3"] == ("not_eligible", "history:0", "BK: 2023; missing 2022, 2024, 2025")
    assert said["ANY", "U3"] == ("not_eligible", "history:0", "[CS: 2023, 2024; missing 2025] or "
                                 "[Xuất sắc: no year; missing 2023, 2024, 2025]")
    assert said["CS", "U1"][2] is None  # an award without history conditions


def test_the_year_scored_moves_with_each_scenario_the_history_does_not(files):
    """Two scenarios of the same units: U3 at 7 points (as written) and at 9: with 9 it gets CS
    this year, and its streak of 3 (2023, 2024 from the history) holds."""
    result = _result(files)
    c, units = result.criteria, result.units
    total = units.get_column("total").to_numpy().astype(float)
    row = int(np.flatnonzero(units.get_column("id").to_numpy() == "U3")[0])
    raised = total.copy()
    raised[row] = 9.0
    totals = np.stack([total, raised])
    rules = decisions.rules_of(c, totals.reshape(-1))
    fixed = engine.fixed_of(c, units)
    d = decisions.decide(rules, fixed, totals, decisions.compared(rules, totals))
    streak = [a.code for a in c.awards].index("STREAK3")
    assert d.on[streak][0][row] == np.False_ and d.on[streak][1][row] == np.True_
    assert list(held(units.get_column("history.STREAK3.0.0").to_numpy())) == [
        {"U1": 2, "U2": 1, "U3": 2, "U4": 0}[i] for i in units.get_column("id")]


def test_the_mask_holds_the_years_of_the_window_only(files):
    masks = dict(_result(files).units.select("id", "history.COUNT.0.0").rows())
    # bit b is 2025 − b: U1 2024 (bit 1) and 2022 (bit 3); U2's 2021 lies outside the window
    assert masks == {"U1": 0b1010, "U2": 0, "U3": 0b0100, "U4": 0}


def test_shuffled_history_rows_decide_the_same(files, tmp_path):
    lines = HISTORY.splitlines()
    shuffled = tmp_path / "lich-su-dao.csv"
    shuffled.write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n", encoding="utf-8")
    assert _result(files, str(shuffled)).units.equals(_result(files).units)


def test_the_history_can_be_any_data_format(files, tmp_path):
    rows = pl.read_csv(files[2])
    for ext in ("parquet", "json", "xlsx"):
        path = tmp_path / f"lich-su.{ext}"
        if ext == "parquet":
            rows.write_parquet(path)
        elif ext == "json":
            path.write_text(json.dumps(rows.to_dicts(), ensure_ascii=False), encoding="utf-8")
        else:
            rows.write_excel(path)
        assert _lists(_result(files, str(path))) == EXPECTED, ext


def test_explain_shows_the_years_of_a_condition_met_and_of_one_failed(files, vietnamese):
    shown = run_cli("explain", *files[:2], "U1", "--history", files[2])
    assert shown.exit_code == 0, shown.stderr
    assert ("  STREAK3: Có tên: hạng 2, vị trí 1 trong hạn mức 4.\n"
            "    theo năm: CS: 2023, 2024, 2025\n") in shown.stdout
    assert ("  CLASS: Không đủ điều kiện: chưa đạt: Xuất sắc ít nhất 2 trong 3 năm (2023–2025) "
            "(Xuất sắc: 2025; thiếu 2023, 2024).\n") in shown.stdout
    why = {r["award"]: r for r in thidua.explain(_result(files, trace=True), "U1").awards}
    assert why["STREAK3"]["history"] == "CS: 2023, 2024, 2025"


# --- the command line ---------------------------------------------------------------------------------


def test_awards_csv_carries_the_history_column(files):
    criteria, data, past = files
    result = run_cli("awards", criteria, data, "--history", past, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == ("award,group,id,name,rank,total,status,place,quota,base,behind_last_in,"
                        "tied_with,failed,history")
    assert "STREAK3,,U2,Hai,2,9.0,not_eligible,,4,4,,,history:0,\"CS: 2024, 2025; missing 2023\"" in lines
    assert "PREV2,,U3,Ba,4,7.0,on_list,2,4,4,,,,\"CS: 2023, 2024\"" in lines


def test_awards_json_gives_the_evidence_per_condition(files):
    criteria, data, past = files
    result = run_cli("awards", criteria, data, "--history", past, "--format", "json")
    assert result.exit_code == 0, result.stderr
    awards = {a["code"]: a for a in json.loads(result.stdout)["awards"]}
    u2 = next(r for r in awards["ANY"]["reasons"] if r["id"] == "U2")
    assert u2["history"] == ["[CS: 2024, 2025; missing 2023] or [Xuất sắc: 2023, 2025; missing 2024]"]
    assert next(r for r in awards["CS"]["reasons"] if r["id"] == "U2")["history"] is None


def test_the_table_says_it_in_vietnamese_by_default(files, vietnamese):
    criteria, data, past = files
    result = run_cli("awards", criteria, data, "--history", past)
    assert result.exit_code == 0, result.stderr
    assert ("Không đủ điều kiện: chưa đạt: CS 3 năm liên tục (2023–2025) "
            "(CS: 2024, 2025; thiếu 2023).") in result.stdout


def test_a_file_with_history_conditions_needs_the_history_file(files, tmp_path):
    criteria, data, _past = files
    out = tmp_path / "ket-qua.csv"
    result = run_cli("--lang", "en", "score", criteria, data, "-o", str(out))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"Error: {criteria}: 1 problem\n{criteria}: the criteria file has "
                             "history conditions (awards … eligible.history): give the history "
                             "file with --history FILE\n")
    assert not out.exists()


def test_a_history_file_for_a_file_without_conditions_is_refused(tmp_path, monkeypatch):
    from .util import write_case

    monkeypatch.chdir(tmp_path)
    criteria, data = write_case()
    Path("h.csv").write_text("ma,nam,danh_hieu\nX1,2024,BK\n", encoding="utf-8")
    result = run_cli("--lang", "en", "score", criteria, data, "--history", "h.csv")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Error: h.csv: 1 problem\nh.csv: the criteria file has no history "
                             "conditions, so nothing reads this history file\n")


def test_every_problem_of_a_history_file_at_once(files, tmp_path):
    criteria, data, _past = files
    bad = tmp_path / "sai.csv"
    bad.write_text("ma,nam,danh_hieu\nU1,2025,CS\nU1,2024,CS\nU1,2024,CS\nu 1,2023,CS\n,2022,CS\n"
                   "U2,2023.5,\n", encoding="utf-8")
    result = run_cli("--lang", "en", "awards", criteria, data, "--history", str(bad))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: {bad}: 6 problems\n"
        f"{bad}::row 6, ma: the cell is empty\n"
        f"{bad}::row 7, danh_hieu: the cell is empty\n"
        f"{bad}::row 7, nam: '2023.5': a year must be a whole number\n"
        f"{bad}::row 2, nam: '2025' is not before the year scored (2025): this run decides 2025, "
        "the history file holds only earlier years\n"
        f"{bad}::row 4, ma: 'U1', 2024, 'CS' appears in rows 3, 4\n"
        f"{bad}::row 5, ma: the id 'u 1' is no unit's, but differs from the unit 'U1' only in "
        "case, spacing or diacritics: write it as the data file does\n")


def test_the_manifest_keeps_the_history_file_and_verify_checks_it(files, tmp_path):
    criteria, data, past = files
    out = tmp_path / "ket-qua.csv"
    assert run_cli("score", criteria, data, "--history", past, "-o", str(out)).exit_code == 0
    manifest = tmp_path / "ket-qua.csv.manifest.json"
    record = json.loads(manifest.read_text(encoding="utf-8"))
    assert [i["role"] for i in record["inputs"]] == ["criteria", "data", "history"]
    assert record["options"]["history"] == past
    again = run_cli("--lang", "en", "verify", str(manifest))
    assert again.exit_code == 0, again.stderr
    assert f"history {past}: unchanged\n" in again.stdout
    Path(past).write_text(HISTORY + "U4,2024,CS\n", encoding="utf-8")
    changed = run_cli("--lang", "en", "verify", str(manifest))
    assert changed.exit_code == 1
    assert "the history file" in changed.stderr and "has changed since the run" in changed.stderr


def test_every_draw_of_sensitivity_decides_the_history_conditions(files):
    """One criterion: every draw gives the totals as written, so each list's share is 1 for the
    units on it and 0 for the others, history conditions included."""
    criteria, data, past = files
    result = run_cli("sensitivity", criteria, data, "--history", past, "--draws", "20",
                     "--format", "json", "--no-margins")
    assert result.exit_code == 0, result.stderr
    units = {u["id"]: u for u in json.loads(result.stdout)["units"]}
    for code, listed in EXPECTED.items():
        assert {i for i, u in units.items() if u[f"award.{code}"] == 1} == listed, code
        assert all(u[f"award.{code}"] in (0, 1) for u in units.values())
    audit = run_cli("audit", criteria, data, "--history", past, "--format", "json")
    assert audit.exit_code == 0, audit.stderr
