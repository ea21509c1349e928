"""An output and its manifest are committed together or not at all: a failure at any step
(a full disk, a folder appearing where the manifest goes) leaves every existing file as it
was, and two runs writing the same -o leave the pair of one of them, never a mix."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.output.formats import UNITS

from .output_safety import COMMANDS, command_line, invoke, leftovers, snapshot, write_inputs
from .util import SMALL_DATA

ROOT = os.geteuid() == 0


@pytest.fixture
def inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write_inputs(tmp_path)
    Path("ket-qua.xlsx").write_bytes(b"old output\n")
    Path("ket-qua.xlsx.manifest.json").write_bytes(b"old manifest\n")
    return tmp_path


def sha(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# --- a failure after the output is written (item 11) ----------------------------------------------

@pytest.mark.parametrize("old", [True, False])
def test_a_folder_appearing_where_the_manifest_goes_puts_the_old_output_back(inputs, monkeypatch,
                                                                             old):
    """The place is checked before the run; a folder made there while the output is written
    (by anyone) makes the manifest's rename fail after the output's: the output is put back."""
    if not old:
        Path("ket-qua.xlsx").unlink()
        Path("ket-qua.xlsx.manifest.json").unlink()
    real = UNITS.writers["xlsx"]

    def meanwhile(result, asked):  # type: ignore[no-untyped-def]
        def write(path: str) -> None:
            real(result, asked)(path)
            Path("ket-qua.xlsx.manifest.json").unlink(missing_ok=True)
            Path("ket-qua.xlsx.manifest.json").mkdir()
        return write

    monkeypatch.setitem(UNITS.writers, "xlsx", meanwhile)
    before = snapshot(inputs)
    result = invoke("score", "c.yaml", "d.csv", "-o", "ket-qua.xlsx")
    assert result.exit_code == 1
    assert result.stderr == ("Error: ket-qua.xlsx.manifest.json: 1 problem\n"
                             "ket-qua.xlsx.manifest.json: cannot be written: it is a folder; only "
                             "a regular file or a new path is written\n")
    after = snapshot(inputs)
    assert after.pop("ket-qua.xlsx.manifest.json") == "folder"
    before.pop("ket-qua.xlsx.manifest.json", None)
    assert after == before
    assert leftovers() == []


@pytest.fixture
def small_disk(tmp_path: Path):
    """A folder on its own tmpfs of `pages` pages, as root; the test chooses the size."""
    if not ROOT:
        pytest.skip("only root mounts a tmpfs")
    folder = tmp_path / "disk"
    folder.mkdir()

    def mount(pages: int) -> Path:
        if os.system(f"mount -t tmpfs -o size={pages * 4096} tmpfs {folder} 2>/dev/null") != 0:
            pytest.skip("cannot mount a tmpfs here")
        return folder

    yield mount
    os.system(f"umount -l {folder} 2>/dev/null")


@pytest.mark.parametrize("fmt", ["csv", "json", "html", "parquet", "xlsx"])
def test_a_full_disk_is_a_clear_error_and_leaves_the_old_files(inputs, small_disk, fmt):
    disk = small_disk(2)
    (disk / "x").write_bytes(b"1" * 4096)  # one page of the two left free
    target = str(disk / f"ket-qua.{fmt}")
    Path(target).write_bytes(b"old\n")
    before = snapshot(disk)
    big = "ma,ten,cum,ty_le,bao_cao\n" + "".join(f"X{i},Xã {i},Cụm {i % 3},{i % 100},có\n"
                                                 for i in range(3000))
    Path("d.csv").write_text(big, encoding="utf-8")
    result = invoke("score", "c.yaml", "d.csv", "--format", fmt, "-o", target)
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {target}: 1 problem\n"
                             f"{target}: cannot be written: No space left on device\n")
    assert snapshot(disk) == before
    assert leftovers() == []


def test_a_disk_full_for_the_manifest_puts_the_old_output_back(inputs, small_disk, tmp_path):
    assert invoke("score", "c.yaml", "d.csv", "-o", str(tmp_path / "sized.csv")).exit_code == 0
    pages = -(-(tmp_path / "sized.csv").stat().st_size // 4096)
    disk = small_disk(pages + 1)
    target = disk / "ket-qua.csv"
    target.write_bytes(b"old\n")  # its page, and the new output's: no page for the manifest
    before = snapshot(disk)
    result = invoke("score", "c.yaml", "d.csv", "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {target}.manifest.json: 1 problem\n{target}.manifest.json: "
                             f"cannot be written: No space left on device\n")
    assert snapshot(disk) == before


def test_a_full_disk_anywhere_without_root(inputs, monkeypatch):
    """The same promise where no tmpfs can be mounted: the disk fills while the parquet is
    written (the writer raising what polars raises then)."""
    import polars as pl

    def full(self, path, **options):  # type: ignore[no-untyped-def]
        Path(path).write_bytes(b"PAR1 half")
        raise pl.exceptions.ComputeError("parquet: File out of specification: underlying IO "
                                         "error: No space left on device (os error 28)")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)
    before = snapshot(inputs)
    result = invoke("score", "c.yaml", "d.csv", "-o", "ket-qua.parquet")
    assert result.exit_code == 1
    assert result.stderr == ("Error: ket-qua.parquet: 1 problem\n"
                             f"ket-qua.parquet: cannot be written: {os.strerror(errno.ENOSPC)}\n")
    assert snapshot(inputs) == before


# --- a failed run leaves every existing file byte-identical ---------------------------------------

def _bad_data(folder: Path, target: str) -> list[str]:
    (folder / "d.csv").write_text(SMALL_DATA.replace("100", "abc"), encoding="utf-8")
    return ["-o", target]


def _manifest_is_a_folder(folder: Path, target: str) -> list[str]:
    beside = folder / f"{target}.manifest.json"
    beside.unlink(missing_ok=True)
    beside.mkdir()
    return ["-o", target]


def _unknown_extension(folder: Path, target: str) -> list[str]:
    return ["-o", str(Path(target).with_suffix(".pdf"))]


def _an_input(folder: Path, target: str) -> list[str]:
    return ["-o", "c.yaml"]


FAILURES = {"bad data": _bad_data, "a folder where the manifest goes": _manifest_is_a_folder,
            "unknown extension": _unknown_extension, "-o names an input": _an_input}


@given(command=st.sampled_from([c for c in COMMANDS if c != "demo"]),
       failure=st.sampled_from(sorted(FAILURES)), fmt=st.sampled_from(["xlsx", "json"]))
def test_a_failed_run_leaves_every_existing_file_byte_identical(tmp_path_factory, command,
                                                                failure, fmt):
    folder = tmp_path_factory.mktemp("run")
    write_inputs(folder)
    (folder / "out").mkdir()
    for name in ("ket-qua.xlsx", "ket-qua.xlsx.manifest.json", "ket-qua.json"):
        (folder / "out" / name).write_bytes(b"old " + name.encode())
    if command == "explain":
        fmt = "json"
    args = [*command_line(command), *FAILURES[failure](folder, f"out/ket-qua.{fmt}")]
    before = snapshot(folder)
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        result = invoke(*args)
    finally:
        os.chdir(cwd)
    assert result.exit_code == 1, (args, result.output)
    assert result.stdout == "" and result.stderr.startswith("Error: ")
    assert snapshot(folder) == before
    assert leftovers() == []


# --- two runs writing the same -o (item 10) -------------------------------------------------------

def _thidua(*args: str, cwd: Path) -> subprocess.Popen[str]:
    thidua = str(Path(sys.executable).parent / "thidua")
    return subprocess.Popen([thidua, *args], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_run_commits_only_while_no_other_run_does(inputs):
    """The commit takes the folder's lock: while another run holds it, nothing is renamed."""
    fd = os.open(inputs, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        run = _thidua("score", "c.yaml", "d.csv", "-o", "ket-qua.csv", cwd=inputs)
        deadline = time.monotonic() + 60
        while not any(n.startswith(".thidua-") and os.path.getsize(inputs / n) > 0
                      for n in os.listdir(inputs)) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        assert run.poll() is None
        assert not Path("ket-qua.csv").exists()
    finally:
        os.close(fd)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 0, err
    assert json.loads(Path("ket-qua.csv.manifest.json").read_text())["outputs"][0]["sha256"] == \
        sha("ket-qua.csv")


def test_concurrent_runs_leave_an_output_and_manifest_of_one_run(inputs):
    runs = []
    for n in range(4):
        data = f"d{n}.csv"
        Path(data).write_text(SMALL_DATA.replace("75", str(60 + n)), encoding="utf-8")
        runs.append(_thidua("score", "c.yaml", data, "-o", "ket-qua.csv", cwd=inputs))
    assert [(r.communicate(timeout=120)[1], r.returncode) for r in runs] == [("", 0)] * 4
    manifest = json.loads(Path("ket-qua.csv.manifest.json").read_text(encoding="utf-8"))
    assert manifest["outputs"][0]["sha256"] == sha("ket-qua.csv")
    data = manifest["arguments"]["data"]
    assert manifest["inputs"][1]["sha256"] == sha(data)
    check = invoke("verify", "ket-qua.csv.manifest.json")
    assert check.exit_code == 0, check.output
    assert sorted(n for n in os.listdir(inputs) if n.startswith(".")) == []


def test_a_full_disk_that_also_holds_tmpdir_keeps_no_writer_temporary_file(inputs, small_disk,
                                                                           monkeypatch):
    """xlsxwriter keeps each sheet in a temporary file of its own; with TMPDIR on the full disk
    they were left behind (18 of them for a large workbook)."""
    import tempfile

    disk = small_disk(2)
    (disk / "tmp").mkdir()
    (disk / "x").write_bytes(b"1" * 8192)  # full
    monkeypatch.setenv("TMPDIR", str(disk / "tmp"))
    monkeypatch.setattr(tempfile, "tempdir", None)
    before = snapshot(disk)
    result = invoke("score", "c.yaml", "d.csv", "-o", str(disk / "ket-qua.xlsx"))
    assert result.exit_code == 1
    assert result.stderr.endswith("cannot be written: No space left on device\n")
    assert snapshot(disk) == before
