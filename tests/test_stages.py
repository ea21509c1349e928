"""Review stages (thidua/core/stages.py, thidua/input/stages.py, --self/--verified/--approved):
the merge, the changes in every format, explain naming the stage, the bad stage files, and the
property that a run of the first stage alone is the run of its file as DATA."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thidua.core import stages as core
from thidua.input.load import parse_criteria
from thidua.trust import manifest as mf

from .util import SMALL_CRITERIA, SMALL_DATA, run_cli

CASES = Path(__file__).parent / "cases" / "stages"
STAGES = """\
stages:
  - stage: self
  - stage: verified
  - stage: approved
    may: lower
"""
CRITERIA = SMALL_CRITERIA + STAGES
VERIFIED = """\
ma,ty_le,bao_cao,ly_do,nguoi_dieu_chinh
X1,90,,Hồ sơ thiếu,Tổ thẩm định
X3,,có,Đã nộp báo cáo,Tổ thẩm định
"""
APPROVED = """\
ma,ty_le,ly_do,nguoi_dieu_chinh
X1,85,Trừ thêm,Hội đồng
"""


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.yaml").write_text(CRITERIA, encoding="utf-8")
    (tmp_path / "self.csv").write_text(SMALL_DATA, encoding="utf-8")
    (tmp_path / "ver.csv").write_text(VERIFIED, encoding="utf-8")
    (tmp_path / "app.csv").write_text(APPROVED, encoding="utf-8")
    return tmp_path


def model(text: str = CRITERIA):  # type: ignore[no-untyped-def]
    import yaml

    return parse_criteria(yaml.safe_load(text))


def frame(rows: dict[str, list]) -> pl.DataFrame:  # type: ignore[type-arg]
    return pl.DataFrame(rows).with_columns(pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias("row"))


BASE = core.StageFrame("self", "self.csv", frame(
    {"id": ["X1", "X2"], "name": ["Một", "Hai"], "group": ["C", "C"], "ty_le": [100.0, 75.0],
     "bao_cao": [True, False]}))


# --- the merge (pure) -----------------------------------------------------------------------------


def test_the_latest_stage_that_gives_a_value_is_scored_and_every_change_is_recorded():
    later = [core.StageFrame("verified", "v.csv", frame(
                {"id": ["X2", "X1"], "ty_le": [80.0, None], "bao_cao": [True, None],
                 core.REASON: ["nộp bổ sung", None], core.BY: ["Tổ", None]})),
             core.StageFrame("approved", "a.csv", frame(
                 {"id": ["X2"], "ty_le": [70.0], core.REASON: ["hạ"], core.BY: [None]}))]
    merged, staged = core.merge(model(), BASE, later)
    assert merged.to_dict(as_series=False) == {
        "id": ["X1", "X2"], "name": ["Một", "Hai"], "group": ["C", "C"], "ty_le": [100.0, 70.0],
        "bao_cao": [True, True], "row": [2, 3]}
    assert staged.origin_of("X2") == {"bao_cao": "verified", "ty_le": "approved"}
    assert staged.origin_of("X1") == {"bao_cao": "self", "ty_le": "self"}
    assert staged.changes.select("id", "criteria", "indicator", "from_stage", "to_stage", "from",
                                 "to", "by", "reason", "row").rows() == [
        ("X2", "B", "bao_cao", "self", "verified", 0.0, 1.0, "Tổ", "nộp bổ sung", 2),
        ("X2", "A", "ty_le", "self", "verified", 75.0, 80.0, "Tổ", "nộp bổ sung", 2),
        ("X2", "A", "ty_le", "verified", "approved", 80.0, 70.0, None, "hạ", 2)]


def test_a_stage_that_may_only_lower_a_value_may_not_raise_it():
    later = [core.StageFrame("approved", "a.csv", frame(
        {"id": ["X1", "X2"], "ty_le": [90.0, 80.0], core.REASON: ["hạ", "nâng"],
         core.BY: [None, None]}))]
    with pytest.raises(core.StageError) as e:
        core.merge(model(), BASE, later)
    assert e.value.lines() == [
        "a.csv::row 3, column 'ty_le': unit X2: stage approval may only lower a value; it raises "
        "it from 75 to 80"]


def test_a_change_without_the_reason_the_rule_demands_names_the_cell():
    later = [core.StageFrame("verified", "v.csv", frame(
        {"id": ["X1", "X2"], "ty_le": [100.0, 60.0], core.REASON: [None, None],
         core.BY: [None, None]}))]
    with pytest.raises(core.StageError) as e:
        core.merge(model(), BASE, later)
    assert e.value.lines() == [
        "v.csv::row 3, column 'ty_le': unit X2: the value changes from 75 to 60 with no reason "
        "(stage verification needs one in column 'ly_do')"]
    optional = model(CRITERIA.replace("  - stage: verified\n",
                                      "  - stage: verified\n    reason: optional\n"))
    merged, staged = core.merge(optional, BASE, later)
    assert merged.get_column("ty_le").to_list() == [100.0, 60.0]
    assert staged.changes.height == 1  # the same value given again is no change


def test_stages_section_is_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    Path("bad.yaml").write_text(SMALL_CRITERIA + (
        "stages:\n  - {stage: verified, reason: optional}\n  - {stage: self, may: lower}\n"
        "  - {stage: self}\n"), encoding="utf-8")
    result = run_cli("--lang", "en", "validate", "bad.yaml")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: bad.yaml: 3 problems\n"
        "bad.yaml::stages[0].reason (line 16): the first stage changes nothing before it: reason "
        "belongs to a later stage\n"
        "bad.yaml::stages[1].stage (line 17): stage self is listed after verified: the order is "
        "self, verified, approved\n"
        "bad.yaml::stages[2].stage (line 18): stage self is listed twice\n")
    Path("one.yaml").write_text(SMALL_CRITERIA + "stages:\n  - {stage: self}\n", encoding="utf-8")
    assert run_cli("--lang", "en", "validate", "one.yaml").stderr == (
        "Error: one.yaml: 1 problem\none.yaml::stages (line 15): needs at least two stages (a "
        "later stage changes an earlier one); without them leave stages: out\n")


# --- the command line -----------------------------------------------------------------------------


CHANGES_TABLE = """\
Changes between the review stages: self-assessment → verification → approval
Code    Unit    Criteria    Indicator    From stage       To stage      From    To    By            Reason          Row in the stage's file
------  ------  ----------  -----------  ---------------  ------------  ------  ----  ------------  --------------  -------------------------
X1      Xã Một  A           ty_le        self-assessment  verification  100     90    Tổ thẩm định  Hồ sơ thiếu     2
X1      Xã Một  A           ty_le        verification     approval      90      85    Hội đồng      Trừ thêm        2
X3      Xã Ba   B           bao_cao      self-assessment  verification  no      yes   Tổ thẩm định  Đã nộp báo cáo  3
"""


def test_score_with_stages_scores_the_latest_values_and_lists_the_changes(here: Path):
    result = run_cli("score", "c.yaml", "--self", "self.csv", "--verified", "ver.csv",
                     "--approved", "app.csv")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert CHANGES_TABLE in result.stdout
    points = run_cli("score", "c.yaml", "--self", "self.csv", "--verified", "ver.csv",
                     "--approved", "app.csv", "--format", "csv").stdout
    units, changes = points.split("\n\n")
    assert units.splitlines()[1:] == [
        "X1,Xã Một,Cụm 1,8.2,Tốt,1,2,0.0,0.0,,BK,,8.2,10.0,4.2,4.0",
        "X2,Xã Hai,Cụm 1,7.0,Đạt,2,3,0.0,0.0,,,,7.0,10.0,3.0,4.0",
        "X3,Xã Ba,Cụm 2,8.8,Tốt,1,1,0.0,0.0,,BK,,8.8,10.0,4.8,4.0"]
    assert changes.splitlines() == [
        "id,name,group,criteria,indicator,from_stage,to_stage,from,to,by,reason,row",
        "X1,Xã Một,Cụm 1,A,ty_le,self,verified,100.0,90.0,Tổ thẩm định,Hồ sơ thiếu,2",
        "X1,Xã Một,Cụm 1,A,ty_le,verified,approved,90.0,85.0,Hội đồng,Trừ thêm,2",
        "X3,Xã Ba,Cụm 2,B,bao_cao,self,verified,0.0,1.0,Tổ thẩm định,Đã nộp báo cáo,3"]


def test_json_lists_the_stages_and_the_changes(here: Path):
    result = run_cli("score", "c.yaml", "--self", "self.csv", "--verified", "ver.csv",
                     "--format", "json")
    document = json.loads(result.stdout)
    assert [s["stage"] for s in document["stages"]] == ["self", "verified"]
    assert document["changes"][1] == {
        "id": "X3", "name": "Xã Ba", "group": "Cụm 2", "criteria": ["B"], "indicator": "bao_cao",
        "from_stage": "self", "to_stage": "verified", "from": False, "to": True,
        "by": "Tổ thẩm định", "reason": "Đã nộp báo cáo", "row": 3}


@pytest.mark.parametrize("fmt,marker", [("markdown", "## Changes between the review stages"),
                                        ("html", "<h2>Changes between the review stages")])
def test_markdown_and_html_have_a_section_of_changes(here: Path, fmt: str, marker: str):
    result = run_cli("score", "c.yaml", "--self", "self.csv", "--verified", "ver.csv",
                     "--format", fmt)
    assert result.exit_code == 0
    assert marker in result.stdout
    assert "Hồ sơ thiếu" in result.stdout


def test_the_workbook_has_a_sheet_of_changes_and_verify_reruns_every_stage(here: Path):
    import fastexcel

    assert run_cli("score", "c.yaml", "--self", "self.csv", "--verified", "ver.csv",
                   "--approved", "app.csv", "-o", "k.xlsx").exit_code == 0
    assert "Stage changes" in fastexcel.read_excel("k.xlsx").sheet_names
    m = mf.read("k.xlsx.manifest.json")
    assert [i.role for i in m.inputs] == ["criteria", "self_data", "verified_data", "approved_data"]
    result = run_cli("verify", "k.xlsx.manifest.json")
    assert result.exit_code == 0, result.output
    assert result.stdout == ("criteria c.yaml: unchanged\n"
                             "self-assessment data (--self) self.csv: unchanged\n"
                             "verified data (--verified) ver.csv: unchanged\n"
                             "approved data (--approved) app.csv: unchanged\n"
                             "k.xlsx: identical\n")
    Path("app.csv").write_text(APPROVED.replace("85", "80"), encoding="utf-8")
    changed = run_cli("verify", "k.xlsx.manifest.json")
    assert changed.exit_code == 1
    assert "app.csv" in changed.stderr


def test_explain_names_the_stage_each_value_came_from(here: Path):
    result = run_cli("explain", "c.yaml", "--self", "self.csv", "--verified", "ver.csv",
                     "--approved", "app.csv", "X1")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[5:7] == [
        "A  Tỷ lệ     ty_le = 85 (approval)            50 → 0 points, 100 → 6 points, in proportion between"
        "  4.2         4.20      6",
        "B  Báo cáo   bao_cao = yes (self-assessment)  yes: 4 points; otherwise 0                         "
        "   4           4.00      4"]
    plain = run_cli("explain", "c.yaml", "self.csv", "X1").stdout.splitlines()[5]
    assert plain.split()[:6] == ["A", "Tỷ", "lệ", "ty_le", "=", "100"]  # one file: no stage named
    document = json.loads(run_cli("explain", "c.yaml", "--self", "self.csv", "--verified",
                                  "ver.csv", "X3", "--format", "json").stdout)
    assert [c["stages"] for c in document["criteria"]] == [{"ty_le": "self"},
                                                           {"bao_cao": "verified"}]


def test_without_data_or_stage_files_data_is_missing_as_before(here: Path):
    result = run_cli("score", "c.yaml")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith("Error: Missing argument 'DATA'.\n")


def test_awards_and_report_take_the_stages(here: Path):
    awards = run_cli("awards", "c.yaml", "--self", "self.csv", "--verified", "ver.csv")
    assert awards.exit_code == 0
    assert run_cli("report", "c.yaml", "--self", "self.csv", "--verified", "ver.csv",
                   "-o", "r.html").exit_code == 0
    assert run_cli("verify", "r.html.manifest.json").exit_code == 0


@pytest.mark.parametrize("args,expected", [
    ("c.yaml self.csv --verified ver.csv",
     "Error: c.yaml: 1 problem\nc.yaml: give DATA or the stage files (--verified), not both\n"),
    ("c.yaml --verified ver.csv",
     "Error: c.yaml: 1 problem\nc.yaml::stages: --self is missing: the first stage (self) is "
     "the file every later stage changes\n"),
    ("small.yaml --self self.csv",
     "Error: small.yaml: 1 problem\nsmall.yaml: --self: the criteria file has no stages: "
     "section; add one, or give the file as DATA\n"),
    ("c.yaml --self self.csv --verified self.csv",
     "Error: self.csv: 1 problem\nself.csv: --verified and --self are the same file "
     "(self.csv); each stage needs its own file or sheet\n"),
    ("c.yaml --self self.csv --verified copy.csv",
     "Error: copy.csv: 1 problem\ncopy.csv: --verified and --self are the same content "
     "(SHA-256) (self.csv); each stage needs its own file or sheet\n"),
])
def test_a_wrong_request_is_refused_and_nothing_is_written(here: Path, args: str, expected: str):
    Path("small.yaml").write_text(SMALL_CRITERIA, encoding="utf-8")
    Path("copy.csv").write_text(SMALL_DATA, encoding="utf-8")
    result = run_cli("--lang", "en", "score", *shlex.split(args), "-o", "out.csv")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", expected)
    assert not Path("out.csv").exists()


# --- case folders: tests/cases/stages/<name>/ ------------------------------------------------------

FOLDERS = sorted(p for p in CASES.iterdir() if p.is_dir())


def test_there_are_stage_cases():
    assert len(FOLDERS) >= 4


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_stage_case_reports_exactly_its_problems_and_writes_nothing(
        folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import shutil

    for f in folder.iterdir():
        shutil.copy(f, tmp_path / f.name)
    monkeypatch.chdir(tmp_path)
    args = shlex.split((folder / "args").read_text(encoding="utf-8"))
    for lang, name in (("en", "expected"), ("vi", "vi.expected")):
        result = run_cli("--lang", lang, "score", "criteria.yaml", *args, "-o", "out.csv")
        assert result.exit_code == 1, result.output
        assert result.stdout == ""
        assert result.stderr == (folder / name).read_text(encoding="utf-8")
        assert not Path("out.csv").exists()


# --- the property: the first stage alone is the run of its file as DATA ----------------------------

FORMATS = ("table", "csv", "json", "markdown", "html", "xlsx", "parquet")
ROW = st.tuples(st.integers(0, 100), st.booleans())


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, min_size=1, max_size=6), fmt=st.sampled_from(FORMATS),
       declared=st.booleans())
def test_with_no_later_stage_the_result_is_the_self_score_run_exactly(
        tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[int, bool]], fmt: str,
        declared: bool):
    import os

    folder = tmp_path_factory.mktemp("alone")
    before = Path.cwd()
    os.chdir(folder)
    try:
        Path("c.yaml").write_text(CRITERIA, encoding="utf-8")
        Path("plain.yaml").write_text(SMALL_CRITERIA, encoding="utf-8")
        lines = ["ma,ten,cum,ty_le,bao_cao"]
        lines += [f"X{i},Xã {i},Cụm {i % 2},{v},{'có' if b else 'không'}"
                  for i, (v, b) in enumerate(rows)]
        Path("tu-cham.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        ext = {"table": "txt", "markdown": "md"}.get(fmt, fmt)
        assert run_cli("score", "plain.yaml" if not declared else "c.yaml", "tu-cham.csv",
                       "-o", f"a.{ext}").exit_code == 0
        assert run_cli("score", "c.yaml", "--self", "tu-cham.csv", "-o", f"b.{ext}").exit_code == 0
        one, other = Path(f"a.{ext}").read_bytes(), Path(f"b.{ext}").read_bytes()
        if fmt == "json" and not declared:  # another criteria file: only its SHA-256 differs
            first, second = json.loads(one), json.loads(other)
            assert first["criteria"].pop("sha256") != second["criteria"].pop("sha256")
            assert first == second
        else:
            assert one == other
        a, b = mf.read(f"a.{ext}.manifest.json"), mf.read(f"b.{ext}.manifest.json")
        assert [(i.sha256, i.rows, i.units) for i in a.inputs[1:]] == \
               [(i.sha256, i.rows, i.units) for i in b.inputs[1:]]
        if declared or fmt != "json":
            assert [o.sha256 for o in a.outputs] == [o.sha256 for o in b.outputs]
    finally:
        os.chdir(before)


def test_audit_compares_the_self_scores_with_the_stages_merged(here: Path):
    result = run_cli("audit", "c.yaml", "--self", "self.csv", "--verified", "ver.csv",
                     "--approved", "app.csv", "--section", "self", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "id,name,group,verified,self,difference,rank,rank_alone,awards,awards_alone,gained",
        "X1,Xã Một,Cụm 1,8.2,10.0,1.8,1,1,BK,BK,\"\"",
        "X2,Xã Hai,Cụm 1,7.0,7.0,0.0,2,2,\"\",\"\",\"\"",
        "X3,Xã Ba,Cụm 2,8.8,4.8,-4.0,1,1,BK,\"\",\"\""]
    document = json.loads(run_cli("audit", "c.yaml", "--self", "self.csv", "--verified",
                                  "ver.csv", "--format", "json").stdout)
    assert [s["stage"] for s in document["stages"]] == ["self", "verified"]
    assert "data" not in document


def test_sensitivity_draws_over_the_stages_merged(here: Path):
    staged = run_cli("sensitivity", "c.yaml", "--self", "self.csv", "--verified", "ver.csv",
                     "--approved", "app.csv", "--draws", "20", "--no-margins", "--format", "csv")
    Path("merged.csv").write_text("ma,ten,cum,ty_le,bao_cao\nX1,Xã Một,Cụm 1,85,có\n"
                                  "X2,Xã Hai,Cụm 1,75,có\nX3,Xã Ba,Cụm 2,90,có\n", encoding="utf-8")
    plain = run_cli("sensitivity", "c.yaml", "merged.csv", "--draws", "20", "--no-margins",
                    "--format", "csv")
    assert staged.exit_code == plain.exit_code == 0
    assert staged.stdout == plain.stdout


VALUE = st.one_of(st.none(), st.integers(0, 100).map(float))


@given(base=st.lists(st.integers(0, 100).map(float), min_size=1, max_size=8),
       later=st.lists(st.lists(VALUE, min_size=8, max_size=8), min_size=1, max_size=2))
def test_the_scored_value_is_the_latest_given_and_every_change_is_listed(
        base: list[float], later: list[list[float | None]]):
    """Whatever the stages give: each unit's value is the last non-empty one, its stage is the
    stage that gave it, and the changes are exactly the steps where the value moved."""
    n = len(base)
    ids = [f"X{i}" for i in range(n)]
    first = core.StageFrame("self", "s.csv", frame(
        {"id": ids, "name": ids, "group": ["C"] * n, "ty_le": base, "bao_cao": [True] * n}))
    names = ("verified", "approved")[:len(later)]
    c = model(SMALL_CRITERIA + "stages:\n  - {stage: self}\n  - {stage: verified, reason: optional}\n"
              "  - {stage: approved, reason: optional}\n")
    stages = [core.StageFrame(name, f"{name}.csv", pl.DataFrame(
        {"id": ids, "ty_le": values[:n]}, schema={"id": pl.String, "ty_le": pl.Float64})
        .with_columns(pl.int_range(2, n + 2, dtype=pl.Int64).alias("row"),
                      pl.lit(None, pl.String).alias(core.REASON), pl.lit(None, pl.String).alias(core.BY)))
        for name, values in zip(names, later, strict=False)]
    merged, staged = core.merge(c, first, stages)
    expected, origin, steps = [], [], []
    for i in range(n):
        value, stage = base[i], "self"
        for name, values in zip(names, later, strict=False):
            if values[i] is not None:
                if values[i] != value:
                    steps.append((ids[i], stage, name, value, values[i]))
                value, stage = values[i], name
        expected.append(value)
        origin.append(stage)
    assert merged.get_column("ty_le").to_list() == expected
    assert merged.get_column("id").to_list() == ids
    assert [staged.origin_of(u)["ty_le"] for u in ids] == origin
    assert staged.changes.select("id", "from_stage", "to_stage", "from", "to").rows() == steps


def test_the_stages_may_be_sheets_of_one_workbook(here: Path):
    import csv

    import xlsxwriter

    book = xlsxwriter.Workbook("so-lieu.xlsx")
    for name, text in (("Tự chấm", SMALL_DATA), ("Thẩm định", VERIFIED)):
        sheet = book.add_worksheet(name)
        for r, row in enumerate(csv.reader(text.splitlines())):
            for col, value in enumerate(row):
                number = r and value.replace(".", "", 1).isdigit()
                sheet.write_number(r, col, float(value)) if number else sheet.write(r, col, value)
    book.close()
    from_sheets = run_cli("score", "c.yaml", "--self", "so-lieu.xlsx", "--verified",
                          "so-lieu.xlsx", "--verified-sheet", "Thẩm định", "--format", "csv")
    from_files = run_cli("score", "c.yaml", "--self", "self.csv", "--verified", "ver.csv",
                         "--format", "csv")
    assert from_sheets.exit_code == 0, from_sheets.output
    assert from_sheets.stdout == from_files.stdout
    one = run_cli("--lang", "en", "score", "c.yaml", "--self", "so-lieu.xlsx", "--verified",
                  "so-lieu.xlsx")
    assert (one.exit_code, one.stdout, one.stderr) == (1, "", (
        "Error: so-lieu.xlsx: 1 problem\nso-lieu.xlsx: --verified and --self are the same file "
        "(so-lieu.xlsx); each stage needs its own file or sheet\n"))
    lone = run_cli("--lang", "en", "score", "c.yaml", "--self", "self.csv", "--approved-sheet",
                   "X")
    assert lone.exit_code == 2
    assert lone.stderr.endswith(
        "Error: --approved-sheet names a sheet of --approved: give --approved too\n")
