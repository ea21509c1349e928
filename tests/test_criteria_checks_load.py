"""Reading a criteria file: the version label as written (item 14), file kinds and sizes checked
before anything is read (item 30)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from thidua.cli import cli
from thidua.errors import CriteriaError
from thidua.input.load import MAX_BYTES, load_criteria

CASES = Path(__file__).parent / "cases" / "valid"


def _validate(path: Path):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["validate", str(path)], catch_exceptions=False)


@pytest.mark.parametrize(("name", "old", "new"), [
    ("minimal.yaml", 'version: "1"', "version: 2026.10"),
    ("minimal.json", '"version": "1"', '"version": 2026.10'),
    ("minimal.toml", 'version = "1"', "version = 2026.10"),
    ("minimal.yaml", 'version: "1"', "version: 2026.100"),
    ("minimal.json", '"version": "1"', '"version": 1.0e1'),
    ("minimal.toml", 'version = "1"', "version = 2_026.1_0"),
])
def test_a_version_written_as_a_number_keeps_its_text(tmp_path: Path, name: str, old: str, new: str):
    source = (CASES / name).read_text(encoding="utf-8")
    assert old in source
    path = tmp_path / name
    path.write_text(source.replace(old, new), encoding="utf-8")
    written = new.split(" ", 2)[-1]
    assert load_criteria(path).version == written
    result = _validate(path)
    assert result.exit_code == 0
    assert f" {written}, 2 scored criteria" in result.stdout


def test_other_numbers_read_from_json_are_plain_floats(tmp_path: Path):
    source = (CASES / "minimal.json").read_text(encoding="utf-8")
    path = tmp_path / "c.json"
    path.write_text(source.replace('"total": 10', '"total": 10.0'), encoding="utf-8")
    c = load_criteria(path)
    assert c.total == 10.0
    assert type(c.criteria[0].max_points) is float


def _refused(path: Path, message: str) -> None:
    result = _validate(path)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: {path}: 1 problem\n{path}: {message}\n"


def test_a_2_gb_file_is_refused_by_its_size_before_it_is_read(tmp_path: Path):
    path = tmp_path / "lon.yaml"
    with open(path, "wb") as f:
        f.truncate(2 * 1024**3)  # sparse: 2 GB long, nothing on disk
    _refused(path, f"the file is {2 * 1024**3:,} bytes; a criteria file is at most {MAX_BYTES:,}")


def test_a_file_one_byte_over_the_limit_is_refused(tmp_path: Path):
    path = tmp_path / "lon.yaml"
    with open(path, "wb") as f:
        f.truncate(MAX_BYTES + 1)
    _refused(path, f"the file is {MAX_BYTES + 1:,} bytes; a criteria file is at most {MAX_BYTES:,}")


def test_dev_zero_behind_a_criteria_name_is_refused(tmp_path: Path):
    path = tmp_path / "zero.yaml"
    path.symlink_to("/dev/zero")
    _refused(path, "not a regular file (a device); a criteria file is a file on disk")


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path):
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    done = threading.Event()
    outcome: list[object] = []

    def run() -> None:
        outcome.append(_validate(path))
        done.set()

    threading.Thread(target=run, daemon=True).start()
    if not done.wait(20):
        with open(path, "wb"):  # unblock the reader so that the thread ends, then fail
            pass
        pytest.fail("validate waited on the FIFO")
    result = outcome[0]
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert result.stderr == (f"Error: {path}: 1 problem\n{path}: not a regular file "  # type: ignore[attr-defined]
                             "(a named pipe); a criteria file is a file on disk\n")


def test_a_folder_is_refused_by_the_library_too(tmp_path: Path):
    path = tmp_path / "folder.yaml"  # the command line refuses it before the loader sees it
    path.mkdir()
    with pytest.raises(CriteriaError) as caught:
        load_criteria(path)
    assert caught.value.lines() == [(f"{path}: not a regular file (a folder); a criteria file is a "
                                     "file on disk")]
