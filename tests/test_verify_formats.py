"""verify confirms every output format of every command that computes a result, as the registry
of formats lists them (thidua/output/formats.py), so that a format added there is covered here.

Every output is written first, then, after a pause longer than a second (so that a clock stamped
into an output, as xlsxwriter stamps a workbook's creation time, would show), each is verified:
the rerun must give the same bytes.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from thidua.input import shipped
from thidua.output import formats

from .util import SMALL_CRITERIA, SMALL_DATA
from .util import run_cli as run

PAUSE = 1.1  # seconds: more than the second a creation time is written to

SELF = SMALL_DATA.replace("X2,Xã Hai,Cụm 1,75", "X2,Xã Hai,Cụm 1,85")
ARGUMENTS = {  # each command's arguments, given the folder of c.yaml, d.csv and s.csv
    "score": lambda d: [f"{d}/c.yaml", f"{d}/d.csv"],
    "awards": lambda d: [f"{d}/c.yaml", f"{d}/d.csv"],
    "explain": lambda d: [f"{d}/c.yaml", f"{d}/d.csv", "X2"],
    "audit": lambda d: [f"{d}/c.yaml", f"{d}/d.csv", "--self", f"{d}/s.csv"],
    "sensitivity": lambda d: [f"{d}/c.yaml", f"{d}/d.csv", "--draws", "50"],
    "demo": lambda d: [],
    "report": lambda d: [f"{d}/c.yaml", f"{d}/d.csv"],
    # two results of score written above (compare comes after score in the registry)
    "compare": lambda d: [f"{d}/score-json.json", f"{d}/score-csv.csv"],
}
CASES = [(command, fmt) for command, kind in formats.BY_COMMAND.items() for fmt in kind.formats]


def extension(fmt: str) -> str:
    return next(e for e, name in formats.EXTENSIONS.items() if name == fmt)


def written(folder: Path, command: str, fmt: str) -> Path:
    return folder / f"{command}-{fmt}{extension(fmt)}"


def test_every_command_verify_reruns_has_its_arguments_here():
    assert set(ARGUMENTS) == set(formats.BY_COMMAND)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every command's every format written once into one folder, then a pause."""
    folder = tmp_path_factory.mktemp("outputs")
    (folder / "c.yaml").write_text(SMALL_CRITERIA, encoding="utf-8")
    (folder / "d.csv").write_text(SMALL_DATA, encoding="utf-8")
    (folder / "s.csv").write_text(SELF, encoding="utf-8")
    for command, fmt in CASES:
        result = run(command, *ARGUMENTS[command](folder), "-o", str(written(folder, command, fmt)))
        assert (result.exit_code, result.stderr) == (0, ""), (command, fmt)
    time.sleep(PAUSE)
    return folder


@pytest.mark.parametrize(("command", "fmt"), CASES)
def test_verify_confirms_every_format_of_every_command(outputs, command, fmt):
    output = written(outputs, command, fmt)
    result = run("verify", f"{output}.manifest.json")
    inputs = {"criteria": outputs / "c.yaml", "data": outputs / "d.csv", "self_data": outputs / "s.csv"}
    if command == "demo":
        inputs = {"criteria": shipped("dvcq-xa.yaml"), "data": shipped("dvcq-xa.csv")}
    if command == "compare":
        inputs = {"a": outputs / "score-json.json", "b": outputs / "score-csv.csv"}
    read = [role for role in inputs if command == "audit" or role != "self_data"]
    said = {"self_data": "self-assessment data (--self)"}  # verify names a stage's file by its stage
    assert result.stdout == "".join(f"{said.get(role, role)} {inputs[role]}: unchanged\n"
                                    for role in read) + \
        f"{output}: identical\n"
    assert (result.exit_code, result.stderr) == (0, "")


@pytest.mark.parametrize("fmt", formats.COMPARISON.formats)
def test_verify_confirms_explain_of_two_units(outputs, fmt):
    output = outputs / f"explain-two{extension(fmt)}"
    assert run("explain", f"{outputs}/c.yaml", f"{outputs}/d.csv", "X1", "X2", "-o", str(output)).exit_code == 0
    result = run("verify", f"{output}.manifest.json")
    assert result.stdout == f"criteria {outputs}/c.yaml: unchanged\ndata {outputs}/d.csv: unchanged\n" \
        f"{output}: identical\n"
    assert (result.exit_code, result.stderr) == (0, "")
