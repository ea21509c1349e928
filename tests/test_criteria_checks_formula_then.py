"""Every rule type under `formula.then` scores the formula's value (item 15: `per_count` and
`manual` validated, then crashed `score`), and the values those two refuse are named."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from thidua.cli import cli

from .util import one_criterion_file

DATA = "ma,ten,a,b,t\nX1,Một,3,1,8\nX2,Hai,6,2,4\n"

# then → (points of X1, whose a + b is 4; points of X2, whose a + b is 8), max_points 10
THENS = {
    "boolean": ("{type: boolean}", 10, 10),                                   # not zero: true
    "linear": ("{type: linear, zero_at: 0, full_at: 10}", 4, 8),
    "ratio": ("{type: ratio, target: 10}", 4, 8),
    "ratio per unit": ("{type: ratio, target: {indicator: t}}", 5, 10),       # 4/8, 8/4 capped
    "shortfall": ("{type: shortfall, target: 10, per_unit: 1}", 4, 8),
    "bands": ("{type: bands, bands: [{min: 5, points: 10}, {min: 2, points: 4}]}", 4, 10),
    "per_count": ("{type: per_count, each: 2}", 2, 0),                        # 10 - 2×4; 10 - 16 → 0
    "relative": ("{type: relative}", 5, 10),                                  # 4/8 of the best
    "minmax": ("{type: minmax}", 0, 10),
    "target_leader": ("{type: target_leader, target: 5}", 4, 10),             # 0.5×10×4/5; leader
    "manual": ("{type: manual}", 4, 8),
}


def _criteria(folder: Path, expr: str, then: str) -> Path:
    return one_criterion_file(folder / "c.yaml", f'{{type: formula, expr: "{expr}", then: {then}}}')


def _score(tmp_path: Path, expr: str, then: str, data: str = DATA):  # type: ignore[no-untyped-def]
    criteria = _criteria(tmp_path, expr, then)
    (tmp_path / "d.csv").write_text(data, encoding="utf-8")
    return criteria, tmp_path / "d.csv", CliRunner().invoke(
        cli, ["score", str(criteria), str(tmp_path / "d.csv"), "--format", "csv"],
        catch_exceptions=False)


@pytest.mark.parametrize("name", THENS)
def test_every_then_scores_the_formulas_value(tmp_path: Path, name: str):
    then, x1, x2 = THENS[name]
    criteria, _, result = _score(tmp_path, "a + b", then)
    assert result.exit_code == 0, result.stderr
    rows = dict(line.split(",")[0::14][:2] for line in result.stdout.splitlines()[1:])
    assert rows == {"X1": f"{x1:.1f}", "X2": f"{x2:.1f}"}
    validated = CliRunner().invoke(cli, ["validate", str(criteria)], catch_exceptions=False)
    assert validated.exit_code == 0


def test_a_manual_formula_outside_the_points_is_named(tmp_path: Path):
    _, data, result = _score(tmp_path, "a * b", "{type: manual}")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {data}: 1 problem\n"
        f"{data}::row 3, A: unit X2: 12 is outside 0..10, the points of criterion A, the formula "
        "a * b (a manual score is never clamped)\n")


def test_a_negative_count_from_a_formula_is_named(tmp_path: Path):
    _, data, result = _score(tmp_path, "b - a", "{type: per_count, each: 2}")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {data}: 2 problems\n"
        f"{data}::row 2, A: unit X1: -2 is a negative count (criterion A, the formula b - a)\n"
        f"{data}::row 3, A: unit X2: -4 is a negative count (criterion A, the formula b - a)\n")


def test_explain_shows_a_per_count_formula(tmp_path: Path, vietnamese):
    criteria, data, _ = _score(tmp_path, "a + b", "{type: per_count, each: 2}")
    result = CliRunner().invoke(cli, ["explain", str(criteria), str(data), "X1"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "Tổng điểm: 2" in result.stdout
