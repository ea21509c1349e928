"""Manifests beside every output, and outputs that depend only on their inputs and options."""

from __future__ import annotations

import json
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import thidua
from thidua.input import shipped
from thidua.input.data import sha256_file
from thidua.trust import manifest as mf

from .util import SMALL_CRITERIA, write_case
from .util import run_cli as run

CRITERIA = SMALL_CRITERIA
DATA = """\
ma;ten;cum;ty_le;bao_cao
X1;Xã Một;Cụm 1;100;có
X2;Xã Hai;Cụm 1;75,5;có
X3;Xã Ba;Cụm 2;90;không
"""
FORMATS = ("csv", "json", "markdown", "html", "table", "parquet", "xlsx")


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.chdir(tmp_path)
    return write_case(CRITERIA, DATA)


def test_a_run_with_an_output_writes_its_manifest_beside_it(files):
    before = datetime.now(UTC).replace(microsecond=0)
    result = run("score", *files, "--decimal-comma", "-o", "ket-qua.csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == result.stderr == ""
    document = json.loads(Path("ket-qua.csv.manifest.json").read_text(encoding="utf-8"))
    created = document.pop("created")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", created)
    assert before <= datetime.fromisoformat(created) <= datetime.now(UTC) + timedelta(seconds=1)
    assert document == {
        "manifest": 1, "thidua": thidua.__version__, "command": "score",
        "arguments": {"criteria": "c.yaml", "data": "d.csv"},
        # the review stages' files (none here) are options of every scoring command
        "options": {"self": None, "verified": None, "approved": None, "self_sheet": None,
                    "verified_sheet": None, "approved_sheet": None, "history": None,
                    "members": None, "format": None, "output": "ket-qua.csv",
                    "decimal_comma": True, "sheet": None},
        "inputs": [
            {"role": "criteria", "path": "c.yaml", "absolute": str(Path("c.yaml").resolve()),
             "sha256": sha256_file("c.yaml")},
            {"role": "data", "path": "d.csv", "absolute": str(Path("d.csv").resolve()),
             "sha256": sha256_file("d.csv"), "rows": 3, "units": 3, "blank_rows_skipped": 0,
             "blank_rows": []},
        ],
        "outputs": [{"path": "ket-qua.csv", "format": "csv", "sha256": sha256_file("ket-qua.csv"),
                     "bytes": Path("ket-qua.csv").stat().st_size}],
        "language": "en",  # the suite runs in English
    }


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("command", ["score", "awards"])
def test_every_format_records_its_output(files, command, fmt):
    assert run(command, *files, "--decimal-comma", "--format", fmt, "-o", f"r.{fmt}").exit_code == 0
    m = mf.read(f"r.{fmt}.manifest.json")
    assert m.command == command and m.options["format"] == fmt
    assert m.outputs == (mf.Output(f"r.{fmt}", fmt, sha256_file(f"r.{fmt}"),
                                   Path(f"r.{fmt}").stat().st_size),)


def test_the_format_from_the_extension_is_recorded(files):
    assert run("awards", *files, "--decimal-comma", "-o", "de-nghi.md").exit_code == 0
    assert mf.read("de-nghi.md.manifest.json").outputs[0].format == "markdown"


def test_the_demo_records_its_shipped_files(files):
    assert run("demo", "-o", "demo.csv").exit_code == 0
    m = mf.read("demo.csv.manifest.json")
    assert (m.command, m.arguments, m.options) == ("demo", {}, {"format": None, "output": "demo.csv"})
    criteria, data = m.inputs
    assert (criteria.role, criteria.path, criteria.sha256) == (
        "criteria", str(shipped("dvcq-xa.yaml")), sha256_file(shipped("dvcq-xa.yaml")))
    assert (data.role, data.path, data.units, data.blank) == ("data", str(shipped("dvcq-xa.csv")),
                                                             30, 0)


def test_no_manifest_without_an_output_file(files):
    result = run("score", *files, "--decimal-comma", "--format", "csv")
    assert result.exit_code == 0
    assert sorted(p.name for p in Path().iterdir()) == ["c.yaml", "d.csv"]


def test_a_failed_run_leaves_no_manifest(files):
    result = run("score", *files, "-o", "ket-qua.csv")  # 75,5 without --decimal-comma
    assert result.exit_code == 1
    assert result.stderr == ("Error: d.csv: 1 problem\nd.csv::row 3, ty_le: unit X2: '75,5' is not a "
                             "number; written with a decimal comma it needs --decimal-comma\n")
    assert sorted(p.name for p in Path().iterdir()) == ["c.yaml", "d.csv"]


class _Clock(type):
    """Stands in for xlsxwriter's `datetime`: real datetimes are still its instances, and now()
    is 400 days later."""

    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, datetime)


class _Later(metaclass=_Clock):
    @staticmethod
    def now(tz=None):  # type: ignore[no-untyped-def]
        return datetime.now(tz) + timedelta(days=400, seconds=7)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("command", ["score", "awards", "demo"])
def test_the_same_inputs_and_options_give_the_same_bytes(files, command, fmt, monkeypatch):
    args = [] if command == "demo" else [*files, "--decimal-comma"]
    assert run(command, *args, "--format", fmt, "-o", f"a.{fmt}").exit_code == 0
    monkeypatch.setattr("xlsxwriter.core.datetime", _Later)
    assert run(command, *args, "--format", fmt, "-o", f"b.{fmt}").exit_code == 0
    assert Path(f"a.{fmt}").read_bytes() == Path(f"b.{fmt}").read_bytes()


def test_the_clock_would_show_in_a_workbook_left_to_itself(tmp_path, monkeypatch):
    import xlsxwriter

    xlsxwriter.Workbook(tmp_path / "a.xlsx").close()
    monkeypatch.setattr("xlsxwriter.core.datetime", _Later)
    xlsxwriter.Workbook(tmp_path / "b.xlsx").close()
    assert (tmp_path / "a.xlsx").read_bytes() != (tmp_path / "b.xlsx").read_bytes()


def test_an_xlsx_carries_a_fixed_creation_date(files):
    assert run("score", *files, "--decimal-comma", "-o", "r.xlsx").exit_code == 0
    core = zipfile.ZipFile("r.xlsx").read("docProps/core.xml").decode("utf-8")
    assert "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2000-01-01T00:00:00Z</dcterms:created>" in core


# --- reading a manifest ---------------------------------------------------------------------------


def test_a_manifest_reads_back_to_what_was_written(files):
    assert run("score", *files, "--decimal-comma", "-o", "r.json").exit_code == 0
    m = mf.read("r.json.manifest.json")
    assert mf.from_document(json.loads(mf.dumps(m)), "x") == m
    assert m.input("data") is not None and m.input("data").units == 3  # type: ignore[union-attr]
    assert mf.output_for("r.json.manifest.json") == Path("r.json")


@pytest.mark.parametrize(("document", "lines"), [
    ("[]", ["m.json: a manifest is a JSON object; this is not one"]),
    ("{}", [f"m.json::{k}: required" for k in ("manifest", "thidua", "created", "command",
                                               "arguments", "options", "inputs", "outputs")]),
    ('{"manifest": 2, "thidua": "0", "created": "", "command": "score", "arguments": {}, '
     '"options": {}, "inputs": [], "outputs": []}', ["m.json::manifest: must be 1, got 2"]),
    ('{"manifest": 1, "thidua": "0", "created": "", "command": 7, "arguments": [], '
     '"options": {}, "inputs": [], "outputs": []}',
     ["m.json::command: must be text", "m.json::arguments: must be an object"]),
    ('{"manifest": 1, "thidua": "0", "created": "", "command": "score", "arguments": {}, '
     '"options": {}, "inputs": [{"role": "data"}], "outputs": [{"path": "x", "format": "csv", '
     '"sha256": "ab", "bytes": true}]}',
     ["m.json::inputs[0].path: must be text", "m.json::inputs[0].absolute: must be text",
      "m.json::inputs[0].sha256: must be text",
      "m.json::outputs[0].sha256: must be 64 hexadecimal digits (a-f, 0-9), got 'ab'",
      "m.json::outputs[0].bytes: must be a whole number"]),
    ('{"manifest": 1, "thidua": "0", "created": "", "command": "score", "arguments": {}, '
     '"options": {}, "inputs": [], "outputs": []}', ["m.json::outputs: lists no output"]),
    ("{not json", ["m.json: is not a JSON manifest: Expecting property name enclosed in double "
                   "quotes: line 1 column 2 (char 1)"]),
])
def test_a_bad_manifest_is_named_at_its_keys(tmp_path, document, lines, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("m.json").write_text(document, encoding="utf-8")
    with pytest.raises(mf.ManifestError) as caught:
        mf.read("m.json")
    assert caught.value.lines() == lines
