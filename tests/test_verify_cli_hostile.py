"""thidua verify on manifests nobody should trust: it reruns only the commands that compute a
result, with the options they have, reads only recorded files with their recorded SHA-256,
writes only to a temporary folder, and shows what it prints with control characters escaped."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

from thidua.trust import manifest as mf

from .util import SMALL_CRITERIA, SMALL_DATA, write_case
from .util import run_cli as run

UNCHANGED = "criteria c.yaml: unchanged\ndata d.csv: unchanged\n"
M = "out.csv.manifest.json"


def refused(*lines: str) -> str:
    """verify's standard error for these problems of out.csv.manifest.json."""
    n = len(lines)
    return f"Error: {M}: {n} problem{'s' * (n != 1)}\n" + "".join(f"{M}{x}\n" for x in lines)


@pytest.fixture
def recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """c.yaml, d.csv, out.csv and its manifest in the working folder; the manifest's document."""
    monkeypatch.chdir(tmp_path)
    write_case(SMALL_CRITERIA, SMALL_DATA)
    assert run("score", "c.yaml", "d.csv", "-o", "out.csv").exit_code == 0
    return json.loads(Path(M).read_text(encoding="utf-8"))


def verify_with(document: dict[str, Any], **fields: Any):  # type: ignore[no-untyped-def]
    """Write the manifest with these fields replaced, then verify it."""
    Path(M).write_text(json.dumps(document | fields, ensure_ascii=False), encoding="utf-8")
    return run("verify", M)


def listing(folder: Path = Path()) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# --- the command -------------------------------------------------------------------------------


def test_init_is_not_rerun_and_writes_nowhere(recorded, tmp_path):
    before = listing()
    result = verify_with(recorded, command="init", arguments={"name": "cum-xa",
                                                              "dest": str(tmp_path / "pwned")},
                         options={})
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == refused(
        "::command: not a command that computes a result: 'init'; thidua verify reruns only "
        "score, awards, explain, audit, sensitivity, demo, report, compare")
    assert listing() == before


@pytest.mark.parametrize("command", ["validate", "list", "verify"])
def test_only_the_commands_that_compute_a_result_are_rerun(recorded, command):
    result = verify_with(recorded, command=command)
    assert result.exit_code == 1
    assert result.stderr == refused(
        f"::command: not a command that computes a result: {command!r}; thidua verify reruns "
        "only score, awards, explain, audit, sensitivity, demo, report, compare")


def test_an_unknown_option_or_argument_is_refused(recorded):
    result = verify_with(recorded, arguments=recorded["arguments"] | {"dest": "/tmp"},
                         options=recorded["options"] | {"evil_flag": True, "help": True})
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == refused("::arguments.dest: thidua score has no argument dest",
                                    "::options.evil_flag: thidua score has no option --evil-flag",
                                    "::options.help: thidua score has no option --help")


@pytest.mark.parametrize(("key", "value", "message"), [
    ("decimal_comma", "yes", 'must be true or false, got "yes"'),
    ("decimal_comma", None, "must be true or false, got null"),
    ("sheet", ["a"], 'must be text or a number, got ["a"]'),
    ("sheet", True, "must be text or a number, got true"),
    ("format", {"x": 1}, 'must be text or a number, got {"x": 1}'),
])
def test_an_option_of_the_wrong_type_is_refused(recorded, key, value, message):
    result = verify_with(recorded, options=recorded["options"] | {key: value})
    assert result.exit_code == 1
    assert result.stderr == refused(f"::options.{key}: {message}")


def test_an_argument_of_the_wrong_type_is_refused(recorded):
    result = verify_with(recorded, arguments={"criteria": 7, "data": "d.csv"})
    assert result.exit_code == 1
    assert result.stderr == refused("::arguments.criteria: must be a file name, got 7")


def test_an_option_value_is_checked_by_the_command_itself(recorded):
    result = verify_with(recorded, options=recorded["options"] | {"format": "pdf"})
    assert result.exit_code == 1
    assert result.stdout == UNCHANGED
    assert result.stderr == refused(
        ": cannot rerun thidua score: Invalid value for '--format': 'pdf' is not one of "
        "'table', 'csv', 'json', 'markdown', 'html', 'parquet', 'xlsx'.")


def test_a_value_that_looks_like_an_option_stays_a_value(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_case(SMALL_CRITERIA, SMALL_DATA)
    assert run("explain", "c.yaml", "d.csv", "X1", "-o", "out.txt").exit_code == 0
    manifest = "out.txt.manifest.json"
    document = json.loads(Path(manifest).read_text(encoding="utf-8"))
    document["arguments"]["unit_id"] = "--output=evil.txt"
    Path(manifest).write_text(json.dumps(document), encoding="utf-8")
    before = listing()
    result = run("verify", manifest)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {manifest}: 1 problem\n{manifest}: rerunning thidua "
                                    "explain failed: ")
    assert "--output=evil.txt" in result.stderr
    assert listing() == before


# --- inputs --------------------------------------------------------------------------------------


def test_a_manifest_without_its_inputs_is_not_identical(recorded):
    result = verify_with(recorded, inputs=[])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == refused(
        "::inputs: the criteria file c.yaml is missing from the manifest's inputs, so its "
        "SHA-256 cannot be checked; nothing was recomputed",
        "::inputs: the data file d.csv is missing from the manifest's inputs, so its SHA-256 "
        "cannot be checked; nothing was recomputed")


def test_an_input_the_command_does_not_read_is_refused(recorded):
    extra = recorded["inputs"][0] | {"role": "self_data"}
    result = verify_with(recorded, inputs=[*recorded["inputs"], extra])
    assert result.exit_code == 1
    assert result.stderr == refused(
        "::inputs[2].role: thidua score read no 'self_data' file in this run; it reads "
        "criteria, data")


def test_a_second_input_of_one_role_is_refused(recorded):
    result = verify_with(recorded, inputs=[*recorded["inputs"], recorded["inputs"][1]])
    assert result.exit_code == 1
    assert result.stderr == refused("::inputs[2].role: a second data file (the first is "
                                    "inputs[1])")


def test_an_input_that_is_not_the_file_the_run_was_given_is_refused(recorded):
    shutil.copy("d.csv", "other.csv")
    other = recorded["inputs"][1] | {"path": "other.csv",
                                     "absolute": str(Path("other.csv").resolve())}
    result = verify_with(recorded, inputs=[recorded["inputs"][0], other])
    assert result.exit_code == 1
    assert result.stderr == refused("::inputs[1].path: other.csv is not the data file the run "
                                    "was given (d.csv)")


def test_inputs_are_found_beside_a_moved_manifest_not_in_the_working_folder(recorded, tmp_path,
                                                                             monkeypatch):
    moved = tmp_path / "moved"
    moved.mkdir()
    for name in ("c.yaml", "d.csv", "out.csv", M):
        shutil.move(name, moved / name)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    write_case(SMALL_CRITERIA.replace("Bảng nhỏ", "Bảng khác"), SMALL_DATA)  # decoys here
    result = run("verify", f"../moved/{M}")
    assert result.exit_code == 0, result.output
    assert result.stdout == UNCHANGED + "out.csv: identical\n"


def test_an_output_in_a_subfolder_finds_its_inputs_in_the_run_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path / "..")
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    write_case(SMALL_CRITERIA, SMALL_DATA)
    Path("ket-qua").mkdir()
    assert run("score", "c.yaml", "d.csv", "-o", "ket-qua/out.csv").exit_code == 0
    moved = tmp_path / "copy"
    shutil.copytree(project, moved)
    shutil.rmtree(project)
    monkeypatch.chdir(tmp_path)
    result = run("verify", f"copy/ket-qua/{M}")
    assert result.exit_code == 0, result.output
    assert result.stdout == UNCHANGED + "ket-qua/out.csv: identical\n"


# --- outputs -------------------------------------------------------------------------------------


def test_a_file_named_as_an_output_elsewhere_is_never_read(recorded):
    outputs = [{"path": "/etc/passwd", "format": "table", "sha256": "0" * 64, "bytes": 1}]
    result = verify_with(recorded, outputs=outputs)
    assert result.exit_code == 1
    assert "root" not in result.stdout
    assert result.stdout == UNCHANGED + "/etc/passwd: missing (no such file beside the manifest)\n"
    assert result.stderr == refused(": 1 of 1 output differs from the recomputation")


def test_a_file_beside_the_manifest_without_the_recorded_hash_is_not_shown(recorded, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("mật khẩu: 1234\n", encoding="utf-8")
    os.symlink(secret, "passwd")
    outputs = [{"path": "/etc/passwd", "format": "table", "sha256": "0" * 64,
                "bytes": secret.stat().st_size}]
    result = verify_with(recorded, outputs=outputs)
    assert result.exit_code == 1
    assert "1234" not in result.stdout + result.stderr
    assert result.stdout == UNCHANGED + ("/etc/passwd: changed since the run, and the rerun gives "
                                         "yet other bytes; a file that is not the recorded one is "
                                         "not read\n")
    assert result.stderr == refused(": 1 of 1 output differs from the recomputation")


def test_nothing_is_written_but_to_a_temporary_folder_that_goes_away(recorded, tmp_path,
                                                                      monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    before = listing()
    result = run("verify", M)
    assert result.exit_code == 0, result.output
    assert listing() == before
    assert list(scratch.iterdir()) == []


# --- the manifest itself -------------------------------------------------------------------------


def test_a_huge_manifest_is_not_read(recorded):
    Path(M).write_text(json.dumps(recorded | {"pad": "x" * mf.LIMIT}), encoding="utf-8")
    result = run("verify", M)
    assert result.exit_code == 1
    assert result.stderr == refused(": is larger than 1,048,576 bytes, the most a manifest may "
                                    "hold; it was not read")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_is_not_read():
    result = run("verify", "/dev/zero")
    assert result.exit_code == 1
    assert result.stderr == "Error: /dev/zero: 1 problem\n/dev/zero: is not a regular file\n"


def test_a_fifo_is_not_waited_on(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkfifo("m.manifest.json")
    result = run("verify", "m.manifest.json")
    assert result.exit_code == 1
    assert result.stderr == ("Error: m.manifest.json: 1 problem\n"
                             "m.manifest.json: is not a regular file\n")


@pytest.mark.parametrize(("text", "message"), [
    ("[" * 100_000 + "]" * 100_000, "is not a JSON manifest: nested too deeply"),
    ('{"manifest": ' + "9" * 5000 + "}", ("is not a JSON manifest: Exceeds the limit (4300 "
     "digits) for integer string conversion: value has 5000 digits; use "
     "sys.set_int_max_str_digits() to increase the limit")),
    ('{"manifest": NaN}', "is not a JSON manifest: NaN is not a JSON value"),
    ('{"manifest": 1', "is not a JSON manifest: Expecting ',' delimiter: line 1 column 15 (char 14)"),
    ("\ufeff{}".encode("utf-16").decode("latin-1"), "is not UTF-8 text: invalid start byte at byte 0"),
])
def test_a_json_bomb_or_a_broken_document_is_named(recorded, text, message):
    Path(M).write_text(text, encoding="latin-1")
    result = run("verify", M)
    assert result.exit_code == 1
    assert result.stderr == refused(f": {message}")


GOOD_SHA = "a" * 64


@pytest.mark.parametrize(("edit", "line"), [
    (lambda d: d | {"manifest": True}, "::manifest: must be 1, got true"),
    (lambda d: d | {"manifest": 1.0}, "::manifest: must be 1, got 1.0"),
    (lambda d: d | {"thidua": 1}, "::thidua: must be text"),
    (lambda d: d | {"created": None}, "::created: must be text"),
    (lambda d: d | {"command": ["score"]}, "::command: must be text"),
    (lambda d: d | {"arguments": "c.yaml"}, "::arguments: must be an object"),
    (lambda d: d | {"options": []}, "::options: must be an object"),
    (lambda d: d | {"inputs": {}}, "::inputs: must be a list"),
    (lambda d: d | {"outputs": "out.csv"}, "::outputs: must be a list"),
    (lambda d: d | {"inputs": ["c.yaml"]}, "::inputs[0]: must be an object"),
    (lambda d: d | {"inputs": [d["inputs"][0] | {"role": 1}]}, "::inputs[0].role: must be text"),
    (lambda d: d | {"inputs": [d["inputs"][0] | {"path": ""}]},
     "::inputs[0].path: must name a file, got ''"),
    (lambda d: d | {"inputs": [d["inputs"][0] | {"absolute": "a\x00b"}]},
     "::inputs[0].absolute: must name a file, got 'a\\x00b'"),
    (lambda d: d | {"inputs": [d["inputs"][0] | {"absolute": "c.yaml"}]},
     "::inputs[0].absolute: must be an absolute path, got 'c.yaml'"),
    (lambda d: d | {"outputs": [d["outputs"][0] | {"path": "ket-qua/.."}]},
     "::outputs[0].path: must name a file, got 'ket-qua/..'"),
    (lambda d: d | {"outputs": [d["outputs"][0] | {"path": "/"}]},
     "::outputs[0].path: must name a file, got '/'"),
    (lambda d: d | {"inputs": [d["inputs"][0] | {"sha256": "ABC"}]},
     "::inputs[0].sha256: must be 64 hexadecimal digits (a-f, 0-9), got 'ABC'"),
    (lambda d: d | {"inputs": [d["inputs"][1] | {"rows": -1}]},
     "::inputs[0].rows: must not be negative, got -1"),
    (lambda d: d | {"inputs": [d["inputs"][1] | {"units": "3"}]},
     "::inputs[0].units: must be a whole number"),
    (lambda d: d | {"inputs": [d["inputs"][1] | {"blank_rows": [1, "2"]}]},
     "::inputs[0].blank_rows: must be a list of row numbers"),
    (lambda d: d | {"outputs": [d["outputs"][0] | {"format": "pdf"}]},
     ("::outputs[0].format: must be one of table, csv, json, markdown, html, parquet, xlsx, got "
      "'pdf'")),
    (lambda d: d | {"outputs": [d["outputs"][0] | {"bytes": 1.5}]},
     "::outputs[0].bytes: must be a whole number"),
    (lambda d: d | {"outputs": [d["outputs"][0] | {"sha256": GOOD_SHA + "a"}]},
     f"::outputs[0].sha256: must be 64 hexadecimal digits (a-f, 0-9), got '{GOOD_SHA}a'"),
])
def test_a_field_of_the_wrong_type_is_named(recorded, edit, line):
    Path(M).write_text(json.dumps(edit(recorded)), encoding="utf-8")
    result = run("verify", M)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == refused(line)


def test_control_characters_in_paths_are_shown_escaped(recorded):
    inputs = [recorded["inputs"][0] | {"path": "c\x1b[2J.yaml", "absolute": "/nowhere/c\x1b.yaml"},
              recorded["inputs"][1]]
    arguments = {"criteria": "c\x1b[2J.yaml", "data": "d.csv"}
    result = verify_with(recorded, inputs=inputs, arguments=arguments)
    assert result.exit_code == 1
    assert "\x1b" not in result.stdout + result.stderr
    assert result.stderr == refused("::inputs[0]: the criteria file c\\x1b[2J.yaml is missing")


def test_control_characters_in_an_output_name_and_the_version_are_shown_escaped(recorded):
    name = "out\x1b]0;pwned\x07.csv"
    os.rename("out.csv", name)
    outputs = [recorded["outputs"][0] | {"path": name}]
    result = verify_with(recorded, outputs=outputs, thidua="0\x1b[2J")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout + result.stderr
    assert result.stdout == UNCHANGED + "out\\x1b]0;pwned\\x07.csv: identical\n"
    assert result.stderr.startswith("note: the run used thidua 0\\x1b[2J; this is thidua ")


# --- every command that computes a result is rerun ----------------------------------------------


@pytest.mark.parametrize("command", [
    ["explain", "c.yaml", "d.csv", "X2", "--format", "json"],
    ["audit", "c.yaml", "d.csv", "--self", "s.csv", "--top", "3"],
    ["audit", "c.yaml"],
    ["sensitivity", "c.yaml", "d.csv", "--draws", "20", "--spread", "0.3", "--seed", "7",
     "--no-margins"],
])
def test_every_scoring_command_is_confirmed(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    write_case(SMALL_CRITERIA, SMALL_DATA)
    Path("s.csv").write_text(SMALL_DATA.replace(",75,", ",95,"), encoding="utf-8")
    assert run(*command, "-o", "out.json").exit_code == 0
    result = run("verify", "out.json.manifest.json")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("out.json: identical\n")
    assert result.stderr == ""


def test_a_recorded_sensitivity_run_too_large_for_memory_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_case(SMALL_CRITERIA, SMALL_DATA)
    assert run("sensitivity", "c.yaml", "d.csv", "--draws", "5", "-o", "out.csv").exit_code == 0
    manifest = "out.csv.manifest.json"
    document = json.loads(Path(manifest).read_text(encoding="utf-8"))
    document["options"]["draws"] = 10**30
    Path(manifest).write_text(json.dumps(document), encoding="utf-8")
    monkeypatch.setattr("thidua.core.sensitivity.simulate", lambda *a, **k: pytest.fail("allocated"))
    result = run("verify", manifest)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: {manifest}: 1 problem\n{manifest}: rerunning thidua sensitivity failed: --draws "
        f"{10**30}: {10**30:,} draws over 3 units would need about ")


def test_a_recorded_format_the_output_does_not_have_is_named(recorded):
    result = verify_with(recorded, options=recorded["options"] | {"format": "xlsx"})
    assert result.exit_code == 1
    assert result.stdout == UNCHANGED
    assert result.stderr == refused(": rerunning thidua score failed: out.csv: the extension "
                                    ".csv says csv, --format says xlsx: make them agree")


def test_an_output_name_too_long_to_rerun_is_an_error_not_a_traceback(recorded):
    outputs = [recorded["outputs"][0] | {"path": "x" * 300 + ".csv"}]
    result = verify_with(recorded, outputs=outputs)
    assert result.exit_code == 1
    assert result.stdout == UNCHANGED + f"{'x' * 300}.csv: missing (no such file beside the manifest)\n"
    assert result.stderr == refused(": 1 of 1 output differs from the recomputation")
