"""The options of sensitivity and audit: every range checked by click (exit 2, before any file is
read), and draws that cannot fit in the memory available refused with the bytes they need."""

from __future__ import annotations

from pathlib import Path

import pytest

from thidua.commands import sensitivity as command
from thidua.core.engine import score
from thidua.core.sensitivity import basis_of
from thidua.core.sensitivity.basis import rows_per_batch
from thidua.core.sensitivity.montecarlo import bytes_needed
from thidua.input import read_inputs

from .util import run_cli as run
from .util import write_case


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.chdir(tmp_path)
    return write_case()


def usage(command_name: str, arguments: str, message: str) -> str:
    return (f"Usage: thidua {command_name} [OPTIONS] {arguments}\n"
            f"Try 'thidua {command_name} --help' for help.\n\nError: {message}\n")


@pytest.mark.parametrize(("option", "message"), [
    (["--spread", "nan"], "Invalid value for '--spread': nan is not in the range 0<=x<1."),
    (["--spread", "-nan"], "Invalid value for '--spread': nan is not in the range 0<=x<1."),
    (["--spread", "inf"], "Invalid value for '--spread': inf is not in the range 0<=x<1."),
    (["--spread", "1"], "Invalid value for '--spread': 1.0 is not in the range 0<=x<1."),
    (["--spread", "-0.1"], "Invalid value for '--spread': -0.1 is not in the range 0<=x<1."),
    (["--seed", "-1"], "Invalid value for '--seed': -1 is not in the range x>=0."),
    (["--draws", "0"], "Invalid value for '--draws': 0 is not in the range x>=1."),
    (["--draws", "1e9"], "Invalid value for '--draws': '1e9' is not a valid integer range."),
    (["--section", "nope"], "--section: no table 'nope' here; choose from units, lists, margins"),
    (["--no-margins", "--section", "margins"],
     "--section: no table 'margins' here; choose from units, lists"),
])
def test_a_sensitivity_option_out_of_range_is_a_usage_error(tmp_path, monkeypatch, option,
                                                            message):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("thidua.input.read_inputs", lambda *a, **k: pytest.fail("read the files"))
    result = run("sensitivity", "c.yaml", "d.csv", *option)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == usage("sensitivity", "CRITERIA DATA", message)


@pytest.mark.parametrize(("option", "message"), [
    (["--top", "0"], "Invalid value for '--top': 0 is not in the range 1<=x<=1000000."),
    (["--top", str(10**26)],
     f"Invalid value for '--top': {10**26} is not in the range 1<=x<=1000000."),
    (["--section", "realised"], "--section: no table 'realised' here; choose from criteria, warnings"),
    (["--section", "self"], "--section: no table 'self' here; choose from criteria, warnings"),
])
def test_an_audit_option_out_of_range_is_a_usage_error(tmp_path, monkeypatch, option, message):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("thidua.input.load.load_criteria", lambda *a, **k: pytest.fail("read"))
    result = run("audit", "c.yaml", *option)
    assert result.exit_code == 2
    assert result.stderr == usage("audit", "CRITERIA [DATA]", message)


def test_the_largest_top_lists_every_row(files):
    Path("s.csv").write_text(Path("d.csv").read_text(encoding="utf-8").replace(",75,", ",95,"),
                             encoding="utf-8")
    small = run("audit", *files, "--self", "s.csv", "--section", "self_criteria",
                "--format", "csv", "--top", "1000")
    large = run("audit", *files, "--self", "s.csv", "--section", "self_criteria",
                "--format", "csv", "--top", "1000000")
    assert small.exit_code == large.exit_code == 0
    assert small.stdout == large.stdout


def test_draws_that_cannot_fit_in_memory_are_refused_before_anything_is_drawn(files,
                                                                              monkeypatch):
    monkeypatch.setattr(command, "available_memory", lambda: 10**9)
    monkeypatch.setattr("thidua.core.sensitivity.simulate", lambda *a, **k: pytest.fail("drew"))
    c, frame = read_inputs(*files)
    need = bytes_needed(basis_of(c, score(c, frame)), 10**9)
    result = run("sensitivity", *files, "--draws", str(10**9), "-o", "out.csv")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: --draws 1000000000: 1 problem\n--draws 1000000000: 1,000,000,000 draws over 3 "
        f"units would need about {need:,} bytes of memory; 1,000,000,000 bytes are available. "
        f"Give fewer draws (about {10**9 * 10**9 // need:,} would fit).\n")
    assert sorted(p.name for p in Path().iterdir()) == ["c.yaml", "d.csv"]


def test_draws_are_refused_against_the_memory_the_machine_has(files, monkeypatch):
    monkeypatch.setattr("thidua.core.sensitivity.simulate", lambda *a, **k: pytest.fail("drew"))
    result = run("sensitivity", *files, "--draws", str(10**15))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: --draws 1000000000000000: 1 problem\n--draws "
                                    "1000000000000000: 1,000,000,000,000,000 draws over 3 units "
                                    "would need about ")


def test_draws_that_fit_run(files, monkeypatch):
    monkeypatch.setattr(command, "available_memory", lambda: 10**12)
    result = run("sensitivity", *files, "--draws", "30", "--no-margins", "--format", "csv")
    assert result.exit_code == 0, result.output


def test_the_estimate_grows_with_the_draws_by_the_arrays_they_keep(files):
    c, frame = read_inputs(*files)
    basis = basis_of(c, score(c, frame))
    n, nodes = basis.facts.n, len(basis.tree.codes)
    d = rows_per_batch(n)  # from here on a batch is full
    assert bytes_needed(basis, 2 * d) - bytes_needed(basis, d) == d * (8 * nodes + 8 * n)
    assert bytes_needed(basis, 10**30) > 10**30  # Python integers: no overflow


def test_available_memory_reads_the_system():
    have = command.available_memory()
    assert have is None or have > 0
    if Path("/proc/meminfo").exists():
        line = next(x for x in Path("/proc/meminfo").read_text().splitlines()
                    if x.startswith("MemAvailable:"))
        assert have <= int(line.split()[1]) * 1024 + 2**30  # read a moment apart


@pytest.mark.parametrize(("files", "room"), [
    ({"memory.max": "1000\n", "memory.current": "300\n"}, 700),
    ({"memory.max": "max\n", "memory.current": "300\n"}, None),
    ({"memory.max": "100\n", "memory.current": "300\n"}, 0),
    ({"memory/memory.limit_in_bytes": "2000\n", "memory/memory.usage_in_bytes": "500\n"}, 1500),
    ({"memory/memory.limit_in_bytes": "9223372036854771712\n",
      "memory/memory.usage_in_bytes": "500\n"}, None),
    ({}, None),
])
def test_the_room_under_a_control_groups_limit(tmp_path, files, room):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="ascii")
    assert command.cgroup_room(tmp_path) == room
