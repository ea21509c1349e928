"""A knockout comparing a yes/no column to a number: one message naming the knockout and the
column, not "'có' is not a number" for every row of the data."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from thidua.cli import cli

from .util import SMALL_CRITERIA, SMALL_DATA


def test_score_names_the_knockout_and_the_column_once(tmp_path: Path):
    criteria = tmp_path / "c.yaml"
    criteria.write_text(SMALL_CRITERIA + 'knockouts:\n  - {code: KB, name: "Không báo cáo", '
                        'when: "bao_cao == 0"}\n', encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text(SMALL_DATA, encoding="utf-8")
    out = tmp_path / "ket-qua.csv"
    result = CliRunner().invoke(cli, ["score", str(criteria), str(data), "-o", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {criteria}: 1 problem\n"
        f"{criteria}::knockouts[0].when (line 16, knockout KB “Không báo cáo”): 'bao_cao' is a "
        "yes/no column (the boolean rule at "
        "criteria[1].rule reads it); an expression reads it as a number\n")
    assert not out.exists()


def test_a_number_column_beside_a_yes_no_one_is_fine(tmp_path: Path):
    criteria = tmp_path / "c.yaml"
    criteria.write_text(SMALL_CRITERIA + 'knockouts:\n  - {code: KT, name: "Tỷ lệ thấp", '
                        'when: "ty_le < 80"}\n', encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text(SMALL_DATA, encoding="utf-8")
    result = CliRunner().invoke(cli, ["score", str(criteria), str(data), "--format", "csv"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    knocked = {line.split(",")[0]: line.split(",")[9] for line in result.stdout.splitlines()[1:]}
    assert knocked == {"X1": "", "X2": "KT", "X3": ""}
