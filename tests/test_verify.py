"""thidua verify: unchanged inputs first, then every output recomputed and compared."""

from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl
import pytest

from thidua.commands.verify import arguments
from thidua.input import shipped
from thidua.trust import manifest as mf

from .util import SMALL_CRITERIA, SMALL_DATA, write_case
from .util import run_cli as run

CRITERIA = SMALL_CRITERIA
DATA = SMALL_DATA
UNCHANGED = "criteria c.yaml: unchanged\ndata d.csv: unchanged\n"


def differs(manifest: str) -> str:
    """verify's standard error when one output of one differs."""
    return (f"Error: {manifest}: 1 problem\n"
            f"{manifest}: 1 of 1 output differs from the recomputation\n")


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.chdir(tmp_path)
    return write_case(CRITERIA, DATA)


def test_the_demo_is_confirmed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("demo", "-o", "demo.csv").exit_code == 0
    result = run("verify", "demo.csv.manifest.json")
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"criteria {shipped('dvcq-xa.yaml')}: unchanged\n"
                             f"data {shipped('dvcq-xa.csv')}: unchanged\n"
                             "demo.csv: identical\n")
    assert result.stderr == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.csv", "demo.csv.manifest.json"]


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet", "xlsx", "markdown", "html", "table"])
@pytest.mark.parametrize("command", ["score", "awards"])
def test_every_format_is_confirmed(files, command, fmt):
    assert run(command, *files, "--format", fmt, "-o", f"out.{fmt}").exit_code == 0
    result = run("verify", f"out.{fmt}.manifest.json")
    assert result.exit_code == 0, result.output
    assert result.stdout == UNCHANGED + f"out.{fmt}: identical\n"


def test_options_are_given_again(files):
    Path("vn.csv").write_text("ma;ten;cum;ty_le;bao_cao\nX1;A;C;95,5;có\n", encoding="utf-8")
    assert run("score", "c.yaml", "vn.csv", "--decimal-comma", "-o", "out.json").exit_code == 0
    assert run("verify", "out.json.manifest.json").exit_code == 0


def test_a_changed_input_is_named_and_nothing_is_recomputed(files, monkeypatch):
    assert run("score", *files, "-o", "out.csv").exit_code == 0
    before = mf.read("out.csv.manifest.json").input("data")
    Path("d.csv").write_text(DATA.replace("X2,Xã Hai,Cụm 1,75", "X2,Xã Hai,Cụm 1,95"),
                             encoding="utf-8")
    monkeypatch.setattr("thidua.commands.verify._rerun", lambda *a: pytest.fail("recomputed"))
    result = run("verify", "out.csv.manifest.json")
    assert result.exit_code == 1
    assert result.stdout == ""
    now = mf.digest("d.csv")
    assert result.stderr == (
        "Error: out.csv.manifest.json: 1 problem\n"
        f"out.csv.manifest.json::inputs[1]: the data file d.csv has changed since the run (sha256 "
        f"{before.sha256[:12]}… then, {now[:12]}… now); nothing was recomputed\n")  # type: ignore[union-attr]


def test_a_missing_input_is_named(files):
    assert run("score", *files, "-o", "out.csv").exit_code == 0
    os.remove("c.yaml")
    result = run("verify", "out.csv.manifest.json")
    assert result.exit_code == 1
    assert result.stderr == ("Error: out.csv.manifest.json: 1 problem\n"
                             "out.csv.manifest.json::inputs[0]: the criteria file c.yaml is missing\n")


def test_inputs_are_found_where_they_were_from_another_folder(files, tmp_path, monkeypatch):
    assert run("score", *files, "-o", "out.csv").exit_code == 0
    elsewhere = tmp_path / "khac"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = run("verify", str(tmp_path / "out.csv.manifest.json"))
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("out.csv: identical\n")


def test_an_edited_output_is_named_and_not_read(files):
    assert run("score", *files, "-o", "out.csv").exit_code == 0
    recorded = mf.digest("out.csv")
    table = pl.read_csv("out.csv", infer_schema=False)
    table.with_columns(pl.when(pl.col("id") == "X2").then(pl.lit("9.9")).otherwise("total")
                       .alias("total")).write_csv("out.csv")
    result = run("verify", "out.csv.manifest.json")
    assert result.exit_code == 1
    assert result.stdout == UNCHANGED + (
        "out.csv: changed since the run (the rerun still gives the recorded bytes, sha256 "
        f"{recorded[:12]}…); a file that is not the recorded one is not read\n")
    assert result.stderr == ("Error: out.csv.manifest.json: 1 problem\n"
                             "out.csv.manifest.json: 1 of 1 output differs from the recomputation\n")


def _as_if_recorded(path: str, edit) -> None:  # type: ignore[no-untyped-def]
    """Change an output and its manifest together, as if the run had given other results (an
    older thidua, another engine): the rerun must then differ."""
    edit(path)
    document = json.loads(Path(path + mf.SUFFIX).read_text(encoding="utf-8"))
    document["outputs"][0] |= {"sha256": mf.digest(path), "bytes": Path(path).stat().st_size}
    Path(path + mf.SUFFIX).write_text(json.dumps(document), encoding="utf-8")


def test_a_rerun_that_differs_lists_totals_ranks_and_awards(files):
    assert run("score", *files, "-o", "out.json").exit_code == 0

    def edit(path: str) -> None:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        for unit in document["units"]:
            if unit["id"] == "X1":
                unit |= {"total": 6, "rank": 2, "awards": []}
            if unit["id"] == "X2":
                unit |= {"rank": 1, "awards": ["BK"]}
        Path(path).write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")

    _as_if_recorded("out.json", edit)
    result = run("verify", "out.json.manifest.json")
    assert result.exit_code == 1
    assert result.stderr == differs("out.json.manifest.json")
    assert result.stdout == UNCHANGED + (
        "out.json: the rerun gives different bytes from the recorded output\n"
        "  units: X1: total 6 → 10, rank 2 → 1, awards (empty) → BK\n"
        "  units: X2: rank 1 → 2, awards BK → (empty)\n")


def test_award_reasons_are_compared_per_award_and_unit(files):
    assert run("awards", *files, "-o", "out.parquet").exit_code == 0

    def edit(path: str) -> None:
        frame = pl.read_parquet(path)
        frame.with_columns(pl.when(pl.col("id") == "X1").then(pl.lit("beyond_quota"))
                           .otherwise("status").alias("status")).write_parquet(path)

    _as_if_recorded("out.parquet", edit)
    result = run("verify", "out.parquet.manifest.json")
    assert result.exit_code == 1
    assert result.stderr == differs("out.parquet.manifest.json")
    assert result.stdout.endswith("  BK X1: status beyond_quota → on_list\n")


def test_a_report_in_json_is_compared_table_by_table(files):
    assert run("sensitivity", *files, "--draws", "20", "-o", "out.json").exit_code == 0
    document = json.loads(Path("out.json").read_text(encoding="utf-8"))
    median = next(u["rank_median"] for u in document["units"] if u["id"] == "X2")

    def edit(path: str) -> None:
        for unit in document["units"]:
            if unit["id"] == "X2":
                unit["rank_median"] = median + 5
        document["settings"]["seed"] = 7
        Path(path).write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")

    _as_if_recorded("out.json", edit)
    result = run("verify", "out.json.manifest.json")
    assert result.exit_code == 1
    assert result.stderr == differs("out.json.manifest.json")
    assert result.stdout == UNCHANGED + (
        "out.json: the rerun gives different bytes from the recorded output\n"
        "  settings: row 1: seed 7 → 0\n"
        f"  units: X2: rank_median {median + 5} → {median}\n")


def test_a_table_for_people_is_compared_line_by_line(files):
    assert run("score", *files, "-o", "out.txt").exit_code == 0

    def edit(path: str) -> None:
        text = Path(path).read_text(encoding="utf-8")
        Path(path).write_text(text.replace("Xã Hai", "Xã Hải"), encoding="utf-8")

    _as_if_recorded("out.txt", edit)
    result = run("verify", "out.txt.manifest.json")
    assert result.exit_code == 1
    assert result.stderr == differs("out.txt.manifest.json")
    lines = result.stdout.splitlines()
    assert lines[2] == "out.txt: the rerun gives different bytes from the recorded output"
    assert lines[3].startswith("  line ") and "Xã Hải" in lines[3]
    assert lines[4].startswith("  line ") and "Xã Hai" in lines[4]


def test_a_missing_output_differs(files):
    assert run("score", *files, "-o", "out.csv").exit_code == 0
    os.remove("out.csv")
    result = run("verify", "out.csv.manifest.json")
    assert result.exit_code == 1
    assert result.stderr == differs("out.csv.manifest.json")
    assert result.stdout == UNCHANGED + "out.csv: missing (no such file beside the manifest)\n"


def _verify_as_recorded_with(files: tuple[str, str], key: str, value: str):  # type: ignore[no-untyped-def]
    """Score to out.csv, set one field of its manifest as if the run had recorded it, verify."""
    assert run("score", *files, "-o", "out.csv").exit_code == 0
    manifest = Path("out.csv.manifest.json")
    document = json.loads(manifest.read_text(encoding="utf-8"))
    document[key] = value
    manifest.write_text(json.dumps(document), encoding="utf-8")
    return run("verify", "out.csv.manifest.json")


def test_another_version_is_noted(files):
    result = _verify_as_recorded_with(files, "thidua", "0.0.1")
    assert result.exit_code == 0
    assert result.stderr.startswith("note: the run used thidua 0.0.1; this is thidua ")


def test_an_unknown_command_cannot_be_rerun(files):
    result = _verify_as_recorded_with(files, "command", "rm")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: out.csv.manifest.json: 1 problem\n"
        "out.csv.manifest.json::command: no command 'rm'; thidua verify reruns only score, "
        "awards, explain, audit, sensitivity, demo, report, compare\n")


def test_a_manifest_that_is_not_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("verify", "nowhere.manifest.json")
    assert result.exit_code == 1
    assert result.stderr == "Error: nowhere.manifest.json: 1 problem\nnowhere.manifest.json: no such file\n"


def test_the_rerun_command_line_keeps_every_option():
    from thidua.commands.score import score

    args = arguments(score, {"criteria": "c.yaml", "data": "d.xlsx"},
                     {"format": "json", "output": "x.json", "decimal_comma": True,
                      "sheet": "Năm 2026"}, {"criteria": "c.yaml", "data": "/nay/d.xlsx"},
                     "/tmp/x.json")
    assert args == ["--format=json", "--output=/tmp/x.json", "--decimal-comma",
                    "--sheet=Năm 2026", "--", "c.yaml", "/nay/d.xlsx"]
