"""The command line: exact output on a small case, formats, files written whole or not at all."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from .util import SMALL_CRITERIA, SMALL_DATA, workbook_tables
from .util import run_cli as run

CRITERIA = SMALL_CRITERIA
DATA = SMALL_DATA + 'X4,=HYPERLINK("http://x"),Cụm 2,95,x\n'


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    (tmp_path / "c.yaml").write_text(CRITERIA, encoding="utf-8")
    (tmp_path / "d.csv").write_text(DATA, encoding="utf-8")
    return str(tmp_path / "c.yaml"), str(tmp_path / "d.csv")


def test_score_csv_exact(files):
    result = run("score", *files, "--format", "csv")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == (
        "id,name,group,total,classification,rank,rank_overall,bonus,penalty,knockouts,awards,flagged,"
        "earned,attainable,points.A,points.B\n"
        "X1,Xã Một,Cụm 1,10.0,Tốt,1,1,0.0,0.0,,BK,,10.0,10.0,6.0,4.0\n"
        "X2,Xã Hai,Cụm 1,7.0,Đạt,2,3,0.0,0.0,,,,7.0,10.0,3.0,4.0\n"
        "X4,\"'=HYPERLINK(\"\"http://x\"\")\",Cụm 2,9.4,Tốt,1,2,0.0,0.0,,BK,,9.4,10.0,5.4,4.0\n"
        "X3,Xã Ba,Cụm 2,4.8,Đạt,2,4,0.0,0.0,,,,4.8,10.0,4.8,0.0\n")


def test_score_table_exact(files, vietnamese):
    result = run("score", *files)
    assert result.exit_code == 0
    assert result.stdout == """\
Bảng nhỏ (phiên bản 1)

Cụm 1 — 2 đơn vị
Hạng    Mã    Đơn vị    A     B     Tổng điểm    Xếp loại    Khen thưởng    Ghi chú
------  ----  --------  ----  ----  -----------  ----------  -------------  ---------
1       X1    Xã Một    6,00  4,00  10,00        Tốt         BK
2       X2    Xã Hai    3,00  4,00  7,00         Đạt

Cụm 2 — 2 đơn vị
Hạng    Mã    Đơn vị                  A     B     Tổng điểm    Xếp loại    Khen thưởng    Ghi chú
------  ----  ----------------------  ----  ----  -----------  ----------  -------------  ---------
1       X4    =HYPERLINK("http://x")  5,40  4,00  9,40         Tốt         BK
2       X3    Xã Ba                   4,80  0,00  4,80         Đạt

Danh sách đề nghị khen thưởng:
  BK — Cụm 1: hạn mức 1: X1
  BK — Cụm 2: hạn mức 1: X4

Làm tròn: 2 chữ số thập phân, nửa xa số 0, tại từng tiêu chí, nhóm và tổng.
Xếp hạng: đồng hạng kiểu thi đấu (1, 2, 2, 4); phá hòa: không; còn bằng nhau thì đồng hạng.
Thiếu số liệu: báo lỗi (mọi số liệu phải có).
Hạn mức BK: 1 đơn vị mỗi cụm; đồng hạng tại hạn mức: Hội đồng biểu quyết giữa các đơn vị đồng hạng.
"""


def test_score_table_in_english(files):
    """--lang en (THIDUA_LANG=en here): the same table, its headings, shortlist and policies in
    English words."""
    lines = run("score", *files).stdout.splitlines()
    assert lines[:3] == ["Bảng nhỏ (version 1)", "", "Cụm 1 — 2 units"]
    assert lines[3].split() == ["Rank", "Code", "Unit", "A", "B", "Total", "Class", "Awards", "Note"]
    assert lines[-8:] == [
        "Award proposals:", "  BK — Cụm 1: quota 1: X1", "  BK — Cụm 2: quota 1: X4", "",
        "Rounding: 2 decimal places, half away from zero, at each criterion, group and the total.",
        "Ranking: shared ranks, competition style (1, 2, 2, 4); tie-breaks: none; units still "
        "equal share a rank.",
        "Missing data: an error (every value must be given).",
        "Quota BK: 1 unit per cluster; a tie at the quota: the tied units are put to the council's "
        "vote."]


def test_score_json_keys_are_the_contract(files):
    doc = json.loads(run("score", *files, "--format", "json").stdout)
    assert set(doc) >= {"criteria", "data", "units", "awards"}
    assert set(doc["criteria"]) >= {"id", "version", "sha256"}
    assert doc["data"]["rows"] == 4
    unit = doc["units"][0]
    assert set(unit) >= {"id", "name", "group", "points", "bonus", "penalty", "total", "classification", "rank",
                         "rank_overall", "knockouts", "awards", "flagged"}
    assert unit["points"] == {"A": 6, "B": 4}
    assert doc["awards"][0] == {"code": "BK", "name": "Bằng khen", "group": "Cụm 1", "quota": 1,
                                "units": ["X1"], "flagged": [], "eligible": 1}


@pytest.mark.parametrize("ext", ["csv", "json", "md", "html", "parquet", "xlsx"])
def test_output_file_by_extension(files, tmp_path, ext):
    out = tmp_path / f"ket-qua.{ext}"
    result = run("score", *files, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert out.stat().st_size > 0
    if ext == "parquet":
        assert pl.read_parquet(out).get_column("id").to_list() == ["X1", "X2", "X4", "X3"]


def test_html_escapes_everything(files):
    out = run("score", *files, "--format", "html").stdout
    assert "=HYPERLINK(&quot;http://x&quot;)" in out
    assert "<script" not in out


def test_binary_format_needs_an_output_file(files, vietnamese):
    result = run("score", *files, "--format", "parquet")
    assert result.exit_code == 2
    assert result.stderr.endswith("Lỗi: --format parquet ghi ra tệp: hãy cho -o TỆP\n")


def test_bad_data_leaves_no_output_and_an_existing_file_untouched(files, tmp_path):
    c, _ = files
    bad = tmp_path / "bad.csv"
    bad.write_text(DATA.replace("100,có", "9,5,có"), encoding="utf-8")
    out = tmp_path / "out.csv"
    out.write_text("old", encoding="utf-8")
    result = run("score", c, str(bad), "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {bad}: ")  # in English: THIDUA_LANG=en (conftest)
    assert out.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "c.yaml", "d.csv", "out.csv"]


def test_decimal_comma(files, tmp_path):
    c, _ = files
    data = tmp_path / "vn.csv"
    data.write_text(DATA.replace(",100,", ',"99,5",'), encoding="utf-8")
    refused = run("score", c, str(data))
    assert refused.exit_code == 1
    assert refused.stdout == ""
    assert refused.stderr == (f"Error: {data}: 1 problem\n{data}::row 2, ty_le: unit X1: '99,5' is not a "
                              "number; written with a decimal comma it needs --decimal-comma\n")
    result = run("score", c, str(data), "--decimal-comma", "--format", "csv")
    assert result.exit_code == 0
    assert "X1,Xã Một,Cụm 1,9.94," in result.stdout


def test_awards_command_gives_every_unit_a_reason(files):
    result = run("awards", *files, "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout == (
        "award,group,id,name,rank,total,status,place,quota,base,behind_last_in,tied_with,failed\n"
        "BK,Cụm 1,X1,Xã Một,1,10.0,on_list,1,1,2,,,\n"
        "BK,Cụm 1,X2,Xã Hai,2,7.0,not_eligible,,1,2,,,min_total\n"
        "BK,Cụm 2,X4,\"'=HYPERLINK(\"\"http://x\"\")\",1,9.4,on_list,1,1,2,,,\n"
        "BK,Cụm 2,X3,Xã Ba,2,4.8,not_eligible,,1,2,,,min_total\n")


def test_a_quota_that_cannot_be_filled_is_reported_not_an_error(files, tmp_path, vietnamese):
    c = tmp_path / "c2.yaml"
    c.write_text(CRITERIA.replace("{count: 1}", "{count: 3}"), encoding="utf-8")
    result = run("score", str(c), files[1])
    assert result.exit_code == 0
    assert "BK — Cụm 1: hạn mức 3: X1; không đủ đơn vị để lấp hạn mức (1 đủ điều kiện cho 3 vị trí)" \
        in result.stdout


def test_validate_ok(files, vietnamese):
    result = run("validate", files[0])
    assert result.exit_code == 0
    assert result.stdout == (f"{files[0]}: hợp lệ (định dạng 1, nho 1, 2 tiêu chí được chấm, tổng "
                             "điểm 10)\n")


def test_validate_ok_in_english(files):
    result = run("validate", files[0])
    assert result.stdout == f"{files[0]}: valid (format 1, nho 1, 2 scored criteria, total 10)\n"


def test_missing_file_is_bad_input_not_a_traceback(tmp_path, vietnamese):
    path = tmp_path / "none.yaml"
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert result.stderr == (f"Lỗi: {path}: 1 lỗi\n{path}: không đọc được tệp: không có tệp hoặc "
                             "thư mục này\n")
    assert "Traceback" not in result.stderr


def test_demo_prints_the_ranking_and_the_shortlist(vietnamese):
    result = run("demo")
    assert result.exit_code == 0
    assert "Cụm 1 — 10 đơn vị" in result.stdout
    assert "BANG_KHEN — Cụm 3: hạn mức 2: X21; đồng hạng, Hội đồng biểu quyết: X23, X26" in result.stdout


def test_an_output_file_has_an_ordinary_mode(files, tmp_path):
    import os

    out = tmp_path / "r.csv"
    old = os.umask(0o022)
    try:
        assert run("score", *files, "-o", str(out)).exit_code == 0
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("given, seen", [(None, "narenas:1,dirty_decay_ms:300,muzzy_decay_ms:0"),
                                         ("narenas:4", "narenas:4")])
def test_the_command_line_asks_polars_for_one_arena_and_pages_returned_soon_unless_told_otherwise(
        given, seen):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    if given is not None:
        env["_RJEM_MALLOC_CONF"] = given
    code = "import os, thidua.cli; print(os.environ['_RJEM_MALLOC_CONF'])"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == seen


def test_the_thidua_command_runs_and_keeps_its_exit_status(tmp_path):
    import subprocess
    import sys

    code = "import sys; from thidua.cli import main; sys.argv[0] = 'thidua'; main()"
    ok = subprocess.run([sys.executable, "-c", code, "--version"], capture_output=True, text=True)
    assert (ok.returncode, ok.stdout.strip()) == (0, "thidua, version 0.1.0")
    bad = subprocess.run([sys.executable, "-c", code, "validate", str(tmp_path / "none.yaml")],
                         capture_output=True, text=True)
    assert bad.returncode == 1
    assert "cannot read the file" in bad.stderr


def test_csv_and_parquet_read_back_the_same_with_no_codes_as_empty_fields(files, tmp_path):
    assert run("score", *files, "-o", str(tmp_path / "a.csv")).exit_code == 0
    assert run("score", *files, "-o", str(tmp_path / "a.parquet")).exit_code == 0
    from_csv = pl.read_csv(tmp_path / "a.csv", schema_overrides={"flagged": pl.String, "knockouts": pl.String})
    from_parquet = pl.read_parquet(tmp_path / "a.parquet")
    assert from_parquet.get_column("awards").to_list() == ["BK", None, "BK", None]
    assert from_parquet.get_column("flagged").null_count() == 4
    assert from_parquet.drop("name").equals(from_csv.drop("name"))


NEGATIVE_ZERO_CRITERIA = """\
format: 1
id: nz
name: "Số không âm"
version: "1"
total: 10
units: {id: ma, name: ten}
criteria:
  - {code: A, name: "Tỷ lệ", max_points: 6, rule: {type: linear, indicator: ty_le, zero_at: 0, full_at: 100}}
  - {code: B, name: "Âm", max_points: 4, rule: {type: formula, expr: "-ty_le", then: {type: linear, zero_at: 0, full_at: 100}}}
"""


@pytest.mark.parametrize("precision", ["", "precision: 2\n"])
def test_a_negative_zero_in_the_data_never_reaches_an_output(tmp_path: Path, precision: str):
    import math
    import re

    (tmp_path / "c.yaml").write_text(NEGATIVE_ZERO_CRITERIA + precision, encoding="utf-8")
    (tmp_path / "d.csv").write_text("ma,ten,ty_le\nX1,Một,-0\nX2,Hai,50\n", encoding="utf-8")
    files = str(tmp_path / "c.yaml"), str(tmp_path / "d.csv")
    minus_zero = re.compile(r"(?<![\d.])-0(\.0*)?(?![\d.eE])")
    runs = [("score", *files, "--format", fmt) for fmt in ("table", "csv", "json", "markdown", "html")]
    runs += [("explain", *files, "X1", "--format", fmt) for fmt in ("table", "json", "markdown")]
    for args in runs:
        result = run(*args)
        assert result.exit_code == 0, (args, result.stderr)
        assert not minus_zero.search(result.stdout), (args, result.stdout)
    out = tmp_path / "s.parquet"
    assert run("score", *files, "-o", str(out)).exit_code == 0
    frame = pl.read_parquet(out)
    zeros = [(c, v) for c, t in frame.schema.items() if t == pl.Float64
             for v in frame.get_column(c).to_list() if v == 0]
    assert zeros and all(math.copysign(1.0, v) == 1.0 for _, v in zeros), zeros
    book = tmp_path / "s.xlsx"
    assert run("score", *files, "-o", str(book)).exit_code == 0
    sheet = workbook_tables(book)["Ranking"]  # the ranking's table, under its title block
    cells = [v for c, t in sheet.schema.items() if t == pl.Float64
             for v in sheet.get_column(c).to_list() if v == 0]
    assert cells and all(math.copysign(1.0, v) == 1.0 for v in cells), cells


def test_awards_on_a_file_without_awards_says_so_in_every_format(tmp_path: Path, vietnamese):
    minimal = str(Path(__file__).parent / "cases" / "valid" / "minimal.yaml")
    data = tmp_path / "d.csv"
    data.write_text("ma,ten,ty_le,bao_cao\nX1,Một,50,có\n", encoding="utf-8")
    none = "Tệp tiêu chí không có danh hiệu khen thưởng nào."
    for fmt in ("table", "markdown", "html"):
        result = run("awards", minimal, str(data), "--format", fmt)
        assert (result.exit_code, result.stderr) == (0, "")
        assert none in result.stdout, fmt
    result = run("awards", minimal, str(data), "--format", "csv")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == ("award,group,id,name,rank,total,status,place,quota,base,behind_last_in,"
                             "tied_with,failed\n")
    result = run("awards", minimal, str(data), "--format", "json")
    assert (result.exit_code, result.stderr, json.loads(result.stdout)["awards"]) == (0, "", [])
    out = tmp_path / "a.parquet"
    assert run("awards", minimal, str(data), "-o", str(out)).exit_code == 0
    frame = pl.read_parquet(out)
    assert (frame.height, frame.columns[:3], frame.schema["rank"]) == (0, ["award", "group", "id"], pl.Int64)
    assert run("awards", minimal, str(data), "-o", str(tmp_path / "a.xlsx")).exit_code == 0
    for args in (("explain", minimal, str(data), "X1"), ("sensitivity", minimal, str(data))):
        result = run(*args)
        assert (result.exit_code, result.stderr) == (0, ""), args
