"""SIGTERM and SIGHUP while an output is written remove its temporary files; SIGKILL cannot be
caught, so the next run that writes into the folder removes what the killed one left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from thidua.output import writing

from .output_safety import invoke, leftovers, snapshot, write_inputs

# thidua score with an xlsx writer that, once the workbook is written to its temporary file,
# says so and waits: the signal comes while the output is not yet in place.
SLOW = """
import sys, time
from thidua.output import render
real = render.FILE_WRITERS["xlsx"]
def slow(result, path):
    real(result, path)
    print("written", flush=True)
    time.sleep(60)
render.FILE_WRITERS["xlsx"] = slow
from thidua.cli import main
main()
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write_inputs(tmp_path)
    Path("ket-qua.xlsx").write_bytes(b"old\n")
    (tmp_path / "tmp").mkdir()
    return tmp_path


def interrupted(folder: Path, signum: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TMPDIR": str(folder / "tmp")}
    run = subprocess.Popen([sys.executable, "-c", SLOW, "score", "c.yaml", "d.csv", "-o",
                            "ket-qua.xlsx"], cwd=folder, env=env, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert run.stdout is not None
    guard = threading.Timer(120, run.kill)  # never hang the suite on a run that does not start
    guard.start()
    try:
        line = run.stdout.readline()
    finally:
        guard.cancel()
    assert line == "written\n", run.communicate()[1]
    run.send_signal(signum)
    out, err = run.communicate(timeout=60)
    return subprocess.CompletedProcess(run.args, run.returncode, line + out, err)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_remove_the_temporary_files(folder, signum):
    before = snapshot(folder)
    done = interrupted(folder, signum)
    assert done.returncode == 128 + signum
    assert done.stderr == f"Error: stopped by {signal.Signals(signum).name}; nothing was written\n"
    assert snapshot(folder) == before  # the old output, no temporary file, an empty TMPDIR


def test_a_signal_the_process_ignores_stays_ignored(folder):
    """Under nohup SIGHUP is ignored: the run goes on (here until the writer's sleep is over,
    which SIGTERM then cuts short)."""
    env = {**os.environ, "TMPDIR": str(folder / "tmp")}
    script = f"import signal; signal.signal(signal.SIGHUP, signal.SIG_IGN)\n{SLOW}"
    run = subprocess.Popen([sys.executable, "-c", script, "score", "c.yaml", "d.csv", "-o",
                            "ket-qua.xlsx"], cwd=folder, env=env, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert run.stdout is not None
    assert run.stdout.readline() == "written\n"
    run.send_signal(signal.SIGHUP)
    with pytest.raises(subprocess.TimeoutExpired):
        run.wait(1)  # still running
    run.send_signal(signal.SIGTERM)
    _, err = run.communicate(timeout=60)
    assert (run.returncode, err) == (128 + signal.SIGTERM,
                                     "Error: stopped by SIGTERM; nothing was written\n")


def test_the_next_run_removes_what_a_killed_run_left(folder, monkeypatch):
    done = interrupted(folder, signal.SIGKILL)
    assert done.returncode == -signal.SIGKILL
    left = sorted(n for n in os.listdir(folder) if n.startswith(writing.PREFIX))
    assert len(left) == 1 and len(os.listdir(folder / "tmp")) == 1  # output; xlsxwriter's folder
    assert Path("ket-qua.xlsx").read_bytes() == b"old\n"
    monkeypatch.setenv("TMPDIR", str(folder / "tmp"))
    monkeypatch.setattr(tempfile, "tempdir", None)  # found again from TMPDIR
    assert invoke("score", "c.yaml", "d.csv", "-o", "khac.csv").exit_code == 0
    assert sorted(os.listdir(folder)) == ["c.yaml", "d.csv", "ket-qua.xlsx", "khac.csv",
                                          "khac.csv.manifest.json", "tmp"]
    assert os.listdir(folder / "tmp") == []


def test_the_temporary_files_of_a_live_run_or_another_host_are_kept(folder):
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        live = writing.temporary_name(folder).name.replace(f"-{os.getpid()}-",
                                                           f"-{sleeper.pid}-")
        other_host = f"{writing.PREFIX}00000000-{sleeper.pid + 10**6}-abcd.tmp"
        for name in (live, other_host):
            Path(name).write_bytes(b"")
        assert invoke("score", "c.yaml", "d.csv", "-o", "khac.csv").exit_code == 0
        assert Path(live).exists() and Path(other_host).exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_signal_during_the_renames_is_acted_on_once_both_are_done(folder, monkeypatch):
    real = os.replace
    calls = []

    def replace(src, dst):  # type: ignore[no-untyped-def]
        calls.append(dst)
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGTERM)  # between the output's rename and the manifest's
        real(src, dst)

    with monkeypatch.context() as patched:
        patched.setattr(writing.os, "replace", replace)
        result = invoke("score", "c.yaml", "d.csv", "-o", "ket-qua.csv")
    assert result.exit_code == 128 + signal.SIGTERM
    assert result.stderr == "Error: stopped by SIGTERM after its files were written\n"
    assert [Path(p).name for p in calls] == ["ket-qua.csv", "ket-qua.csv.manifest.json"]
    check = invoke("verify", "ket-qua.csv.manifest.json")
    assert check.exit_code == 0, check.output
    assert leftovers() == []
