"""Case folders: every valid file validates; every invalid file fails with exactly its expected lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from thidua.cli import cli
from thidua.load import dump, load_criteria, parse_criteria

CASES = Path(__file__).parent / "cases"
VALID = sorted((CASES / "valid").glob("*.*"))
INVALID = sorted((CASES / "invalid").glob("*.yaml"))


def test_there_are_enough_cases():
    assert len(VALID) >= 4
    assert len(INVALID) >= 25


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_file_validates(path: Path):
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{path}: valid (format 1, ")
    assert result.stderr == ""


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_file_round_trips(path: Path):
    model = load_criteria(path)
    assert parse_criteria(dump(model)) == model


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_file_reports_exactly_its_problems(path: Path):
    expected = path.with_suffix(".expected").read_text(encoding="utf-8").replace("{file}", str(path))
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == expected
