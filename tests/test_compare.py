"""thidua compare: a result compared with itself shows no change (Hypothesis, every format of
score read back); golden cases for rank, class and list changes; bad input; exact output."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings

from thidua.core.compare import Side, compare
from thidua.core.engine import score
from thidua.errors import ThiduaError
from thidua.input.load import parse_criteria
from thidua.input.results import read_result
from thidua.output import render

from .strategies import frame, scenarios
from .util import SMALL_CRITERIA, run_cli, workbook_tables

# each example scores once and writes and reads three files
FEWER = settings(max_examples=max(1, settings().max_examples // 3))


def side(path: str | Path) -> Side:
    r = read_result(str(path))
    return Side(r.units, r.codes, r.awards, r.criteria, r.awards_listed)


def no_change(c) -> bool:  # type: ignore[no-untyped-def]
    u = c.units
    return (u.filter(pl.col("total_change") != 0).height == 0
            and u.filter(pl.col("rank_change") != 0).height == 0
            and u.filter(pl.col("rank_overall_change") != 0).height == 0
            and not u.get_column("class_changed").any()
            and u.get_column("rank_change").null_count() == 0
            and c.lists.height == 0 and c.only.height == 0 and c.differences.height == 0
            and c.criteria.filter(pl.col("changed") > 0).height == 0)


@FEWER
@given(scenarios(min_units=1))
def test_a_result_compared_with_itself_shows_no_change(scenario):
    """Through every format score writes that compare reads (JSON, CSV, Parquet), and across two
    of them: the same result, read back any way, is the same result."""
    doc, rows = scenario
    try:
        c = parse_criteria(doc)
        result = score(c, frame(rows))
    except ThiduaError:  # data the engine refuses: nothing to compare
        return
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        (here / "r.json").write_text(render.to_json(result, {}), encoding="utf-8")
        (here / "r.csv").write_text(render.to_csv(result), encoding="utf-8")
        render.write_parquet(result, str(here / "r.parquet"))
        json_, csv_, parquet = (side(here / f"r.{ext}") for ext in ("json", "csv", "parquet"))
        for a, b in ((json_, json_), (csv_, csv_), (parquet, parquet), (json_, csv_),
                     (csv_, parquet)):
            compared = compare(a, b)
            assert no_change(compared)
            assert compared.units.height == result.units.height
            assert compared.criteria.height == len(result.point_columns)


# --- golden cases ---------------------------------------------------------------------------------

Y2025 = "ma,ten,cum,ty_le,bao_cao\nX1,Xã Một,Cụm 1,100,có\nX2,Xã Hai,Cụm 1,75,có\nX3,Xã Ba,Cụm 2,90,không\n"
Y2026 = "ma,ten,cum,ty_le,bao_cao\nX1,Xã Một,Cụm 1,80,có\nX2,Xã Hai,Cụm 1,95,có\nX4,Xã Bốn,Cụm 2,100,có\n"


@pytest.fixture
def years(tmp_path, monkeypatch):
    """Last year's and this year's results of the small criteria file, as JSON, in the working
    folder: X1 and X2 swap places (and classes, and the award of Cụm 1), X3 leaves, X4 comes."""
    monkeypatch.chdir(tmp_path)
    Path("c.yaml").write_text(SMALL_CRITERIA, encoding="utf-8")
    for year, data in (("2025", Y2025), ("2026", Y2026)):
        Path(f"d{year}.csv").write_text(data, encoding="utf-8")
        assert run_cli("score", "c.yaml", f"d{year}.csv", "-o", f"r{year}.json").exit_code == 0
    return "r2025.json", "r2026.json"


def test_rank_class_and_list_changes(years):
    c = compare(*map(side, years))
    assert c.units.select("id", "total_a", "total_b", "total_change", "rank_a", "rank_b",
                          "rank_change", "class_a", "class_b", "class_changed").rows() == [
        ("X2", 7.0, 9.4, 2.4, 2, 1, 1, "Đạt", "Tốt", True),
        ("X1", 10.0, 7.6, -2.4, 1, 2, -1, "Tốt", "Đạt", True)]
    assert c.lists.rows() == [("BK", "entered", "X2", "Xã Hai", "Cụm 1"),
                              ("BK", "entered", "X4", "Xã Bốn", "Cụm 2"),
                              ("BK", "left", "X1", "Xã Một", "Cụm 1")]
    assert c.criteria.rows() == [("A", 2, 2, 0.0, 2.4, 2.4, "X2"), ("B", 2, 0, 0.0, 0.0, 0.0, None)]
    assert c.only.select("file", "id").rows() == [("a", "X3"), ("b", "X4")]
    assert c.differences.height == 0


def test_a_unit_in_another_group_has_no_rank_change(tmp_path):
    """Ranks of two groups do not compare: X2 moves to Cụm 2 and keeps rank 2 there."""
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    head = "id,name,group,total,classification,rank,rank_overall,awards\n"
    a.write_text(head + "X1,Một,Cụm 1,9,,1,1,\nX2,Hai,Cụm 1,8,,2,2,\n", encoding="utf-8")
    b.write_text(head + "X1,Một,Cụm 1,9,,1,1,\nX2,Hai,Cụm 2,8,,1,2,\n", encoding="utf-8")
    c = compare(side(a), side(b))
    assert c.units.select("id", "group_a", "group_b", "rank_change",
                          "rank_overall_change").rows() == [
        ("X1", "Cụm 1", "Cụm 1", 0, 0), ("X2", "Cụm 1", "Cụm 2", None, 0)]


def test_differences_are_subtracted_as_decimals(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    head = "id,total,rank,points.A\n"
    a.write_text(head + "X1,98.58,1,98.58\n", encoding="utf-8")
    b.write_text(head + "X1,93.21,1,93.21\n", encoding="utf-8")
    c = compare(side(a), side(b))
    assert 93.21 - 98.58 != -5.37  # the float noise the decimal rule removes
    assert c.units.get_column("total_change").to_list() == [-5.37]
    assert c.criteria.get_column("mean_change").to_list() == [-5.37]


# --- the command ----------------------------------------------------------------------------------


def test_compare_lists_as_a_table(years):
    result = run_cli("compare", *years, "--section", "lists")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "Comparison of two results: r2025.json → r2026.json\n"
        "\n"
        "Who entered and who left each award list\n"
        "========================================\n"
        "Award    Group    Entered the list    Left the list\n"
        "-------  -------  ------------------  ---------------\n"
        "BK       Cụm 1    X2                  X1\n"
        "BK       Cụm 2    X4                  —\n"
        "\n"
        "A: r2025.json; B: r2026.json.\n"
        "Units in both: 2; only in A: 1; only in B: 1.\n"
        "Changed: total 2, rank 2, class 2; award lists: 2 entered, 1 left.\n"
        "Units are matched by id; a change is B − A, as the decimal a person computes; a move up "
        "in rank is ↑ (no rank change is shown for a unit in another group in B); the criteria "
        "that moved most come first, by the mean absolute change of their points.\n")


def test_compare_units_as_csv(years):
    result = run_cli("compare", *years, "--format", "csv")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "id,name,group_a,group_b,total_a,total_b,total_change,rank_a,rank_b,rank_change,"
        "rank_overall_a,rank_overall_b,rank_overall_change,class_a,class_b,class_changed,"
        "awards_a,awards_b\n"
        "X2,Xã Hai,Cụm 1,Cụm 1,7.0,9.4,2.4,2,1,1,2,2,0,Đạt,Tốt,true,\"\",BK\n"  # no award: ""
        "X1,Xã Một,Cụm 1,Cụm 1,10.0,7.6,-2.4,1,2,-1,1,3,-2,Tốt,Đạt,true,BK,\"\"\n")


def test_compare_in_vietnamese_by_default(years, vietnamese):
    result = run_cli("compare", *years, "--section", "only")
    assert result.stdout.splitlines()[:8] == [
        "So sánh hai kết quả: r2025.json → r2026.json",
        "",
        "Đơn vị chỉ có ở một tệp",
        "=======================",
        "Ở tệp    Mã    Đơn vị    Cụm    Tổng điểm    Hạng",
        "-------  ----  --------  -----  -----------  ------",
        "A        X3    Xã Ba     Cụm 2  4,80         1",
        "B        X4    Xã Bốn    Cụm 2  10,00        1",
    ]


def test_every_format_is_written_and_verified(years):
    for ext in ("json", "csv", "parquet", "xlsx", "md", "html", "txt"):
        out = f"so-sanh.{ext}"
        result = run_cli("compare", *years, "-o", out)
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", ""), ext
        assert Path(f"{out}.manifest.json").is_file()
        verified = run_cli("verify", f"{out}.manifest.json")
        assert verified.exit_code == 0, (ext, verified.output)
        assert verified.stdout.endswith(f"{out}: identical\n"), verified.stdout
    document = json.loads(Path("so-sanh.json").read_text(encoding="utf-8"))
    assert list(document) == ["a", "b", "settings", "units", "lists", "criteria", "only",
                              "differences"]
    assert document["a"]["file"] == "r2025.json"
    assert document["a"]["criteria"] == {"id": "nho", "version": "1"}
    assert pl.read_parquet("so-sanh.parquet").get_column("id").to_list() == ["X2", "X1"]
    sheets = workbook_tables("so-sanh.xlsx")
    assert list(sheets) == ["Units", "Award lists", "Criteria", "One file only", "Differences"]
    assert sheets["Award lists"].get_column("Entered the list").to_list() == ["X2", "X4"]


def test_a_different_structure_is_said_and_the_rest_compared(years):
    Path("c2.yaml").write_text(SMALL_CRITERIA.replace('version: "1"', 'version: "2"').replace(
        "total: 10", "total: 12").replace(
        "  - {code: B,", "  - {code: C, name: \"Thêm\", max_points: 2, rule: {type: boolean, "
        "indicator: bao_cao}}\n  - {code: B,"), encoding="utf-8")
    assert run_cli("score", "c2.yaml", "d2026.csv", "-o", "v2.json").exit_code == 0
    result = run_cli("compare", "r2026.json", "v2.json", "--section", "differences",
                     "--format", "csv")
    assert result.exit_code == 0
    assert result.stderr == (
        "note: r2026.json and v2.json differ in structure (the versions of the criteria file "
        "differ; criteria only in B (not compared)); only what both hold is compared\n")
    assert result.stdout == "kind,a,b\ncriteria_version,1,2\ncriterion_only_in_b,,C\n"
    criteria = run_cli("compare", "r2026.json", "v2.json", "--section", "criteria",
                       "--format", "json")
    assert [r["code"] for r in json.loads(criteria.stdout)["criteria"]] == ["A", "B"]


def test_a_file_that_is_not_a_result(years):
    result = run_cli("compare", "d2025.csv", "r2026.json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("Error: d2025.csv: 1 problem\n"
                             "d2025.csv: not a result of thidua score: no column id, total, rank\n")
    Path("x.json").write_text('{"criteria": {}}', encoding="utf-8")
    result = run_cli("compare", "r2025.json", "x.json")
    assert result.stderr == ("Error: x.json: 1 problem\n"
                             "x.json: not a result of thidua score: no list of units (the key "
                             "units)\n")
    result = run_cli("compare", "c.yaml", "r2026.json")
    assert result.stderr == ("Error: c.yaml: 1 problem\n"
                             "c.yaml: cannot read '.yaml' files as a result of thidua score; use "
                             ".json, .csv or .parquet\n")


def test_every_problem_of_both_files_at_once(years):
    head = "id,name,group,total,classification,rank,rank_overall,awards\n"
    Path("a.csv").write_text(head + "X1,Một,,9,,1,1,\nX1,Một lại,,8,,2,2,\nX2,Hai,,x,,2.5,3,\n",
                             encoding="utf-8")
    document = json.loads(Path("r2026.json").read_text(encoding="utf-8"))
    document["units"][1]["rank"] = 0
    del document["units"][0]["total"]
    Path("b.json").write_text(json.dumps(document), encoding="utf-8")
    result = run_cli("compare", "a.csv", "b.json", "-o", "out.json")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: a.csv, b.json: 5 problems\n"
        "a.csv::row 3, id: unit 'X1' appears 2 times (row 2, row 3); a result holds each unit "
        "once\n"
        "a.csv::row 4, total: 'x' is not a number\n"
        "a.csv::row 4, rank: '2.5' is not a rank, a whole number from 1\n"
        "b.json::units[0]: no total: not a unit of thidua score\n"
        "b.json::units[1].rank: '0' is not a rank, a whole number from 1\n")
    assert not Path("out.json").exists() and not Path("out.json.manifest.json").exists()


def test_units_in_one_file_are_listed_not_an_error(years):
    result = run_cli("compare", *years, "--section", "only", "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    document = json.loads(result.stdout)
    assert [(u["file"], u["id"]) for u in document["only"]] == [("a", "X3"), ("b", "X4")]
    assert document["settings"]["counts"]["only_in_a"] == 1


def test_the_output_must_not_be_an_input(years):
    result = run_cli("compare", *years, "-o", "r2025.json")
    assert result.exit_code == 1
    assert "r2025.json" in result.stderr and result.stdout == ""
