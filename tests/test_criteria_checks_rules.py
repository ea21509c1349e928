"""Checks on rules and classification bands: a shortfall target of 0 is a real target (item 21);
bands that can never match are errors (item 13, and the same class in a `bands` rule)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from thidua.cli import cli
from thidua.errors import CriteriaError
from thidua.input.load import parse_criteria

from .util import criteria, one_criterion_file


def _score_csv(tmp_path: Path, rule: str, data: str) -> dict[str, str]:
    path = one_criterion_file(tmp_path / "c.yaml", rule, name="Đơn thư quá hạn")
    (tmp_path / "d.csv").write_text(data, encoding="utf-8")
    result = CliRunner().invoke(cli, ["score", str(path), str(tmp_path / "d.csv"), "--format", "csv"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return {line.split(",")[0]: line.split(",")[3] for line in result.stdout.splitlines()[1:]}


def test_a_shortfall_target_of_zero_scores_each_unit_above_it(tmp_path: Path):
    # "0 đơn thư quá hạn, mỗi đơn trừ 2 điểm": 10 − 2 × count, never below 0
    totals = _score_csv(tmp_path, "{type: shortfall, indicator: qua_han, target: 0, per_unit: 2, "
                                  "direction: lower}",
                        "ma,ten,qua_han\nX1,Một,0\nX2,Hai,1\nX3,Ba,3\nX4,Bốn,6\nX5,Năm,2.5\n")
    assert totals == {"X1": "10.0", "X2": "8.0", "X3": "4.0", "X4": "0.0", "X5": "5.0"}


def test_a_shortfall_target_of_zero_higher_is_better_gives_full_points_from_zero_up(tmp_path: Path):
    totals = _score_csv(tmp_path, "{type: shortfall, indicator: v, target: 0, per_unit: 2}",
                        "ma,ten,v\nX1,Một,0\nX2,Hai,4\nX3,Ba,-1\n")
    assert totals == {"X1": "10.0", "X2": "10.0", "X3": "8.0"}


@pytest.mark.parametrize("rule", [
    {"type": "ratio", "indicator": "x", "target": 0},
    {"type": "target_leader", "indicator": "x", "target": 0},
    {"type": "ratio", "indicator": "x", "target": -5},
])
def test_rules_that_divide_by_the_target_still_need_it_above_zero(rule):
    doc = criteria([{"code": "A", "name": "A", "max_points": 10, "rule": rule}])
    with pytest.raises(CriteriaError) as caught:
        parse_criteria(doc)
    assert caught.value.lines() == [
        f"<criteria>::criteria[0].rule.target (criterion A “A”): must be more than 0, got "
        f"{rule['target']}"]


def test_a_band_equal_to_the_top_reachable_total_is_allowed():
    doc = criteria(classification=[{"label": "Tuyệt đối", "min": 10}, {"label": "Đạt", "min": 0}])
    assert parse_criteria(doc).classification[0].min == 10


def test_a_classification_band_above_the_total_without_bonus_names_the_total():
    doc = criteria(classification=[{"label": "Ảo", "min": 10.5}, {"label": "Đạt", "min": 0}])
    with pytest.raises(CriteriaError) as caught:
        parse_criteria(doc)
    assert caught.value.lines() == [
        ("<criteria>::classification[0].min: 10.5 is above 10, the highest total a unit can reach "
         "(total 10): 'Ảo' can never be given")]
