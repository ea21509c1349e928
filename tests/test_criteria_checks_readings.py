"""The readings the contract leaves open, as docs/criteria-format.md states them (item 24):
`when` with a missing value (three-valued logic), yes/no words, negative counts."""

from __future__ import annotations

import pytest

from thidua.errors import DataError

from .util import column, criteria, leaf, run

LIN = {"type": "linear", "zero_at": 0, "full_at": 100}
ROWS = [  # x is missing for U01 and U02
    {"a": 50, "x": None, "y": 1}, {"a": 50, "x": None, "y": 0}, {"a": 50, "x": 5, "y": 0},
    {"a": 50, "x": 0, "y": 0},
]


def _hits(when: str, missing: str) -> dict[str, str]:
    doc = criteria([leaf("A", 10, indicator="a", **LIN)], missing=missing,
                   knockouts=[{"code": "K", "name": "k", "when": when}])
    return column(run(doc, ROWS), "knockouts")


@pytest.mark.parametrize("missing", ["full", "exclude"])
@pytest.mark.parametrize(("when", "hit"), [
    ("x > 0 or y > 0", {"U01", "U03"}),       # unknown or true = true
    ("x > 0 and y == 0", {"U03"}),            # unknown and true = unknown: not met
    ("x > 0 or y == 0", {"U02", "U03", "U04"}),  # U02: unknown or true
    ("not (x > 0)", {"U04"}),                 # not unknown = unknown: not met, never flipped
    ("not (x > 0) or y > 0", {"U01", "U04"}),
])
def test_a_missing_value_in_a_condition_is_unknown_and_unknown_is_not_met(missing, when, hit):
    hits = _hits(when, missing)
    assert {unit for unit, codes in hits.items() if codes == ["K"]} == hit


def test_under_missing_zero_a_condition_reads_a_missing_value_as_zero():
    hits = _hits("not (x > 0)", "zero")
    assert {unit for unit, codes in hits.items() if codes == ["K"]} == {"U01", "U02", "U04"}


def test_under_missing_error_a_value_a_condition_reads_is_reported():
    with pytest.raises(DataError) as caught:
        _hits("x > 0 or y > 0", "error")
    assert caught.value.lines()[0].endswith(
        "row 2, x: unit U01: missing value (a knockout or award condition reads it; missing: error)")


def test_a_negative_count_is_refused_not_counted_as_a_bonus():
    doc = criteria([leaf("A", 10, indicator="n", type="per_count", each=1)])
    with pytest.raises(DataError) as caught:
        run(doc, [{"n": -2}])
    assert caught.value.lines() == ["<data>::row 2, n: unit U01: -2 is a negative count (criterion A)"]


def test_a_value_other_than_yes_or_no_in_a_boolean_csv_column_is_refused(tmp_path):
    from click.testing import CliRunner

    from thidua.cli import cli

    from .util import SMALL_CRITERIA

    (tmp_path / "c.yaml").write_text(SMALL_CRITERIA, encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("ma,ten,cum,ty_le,bao_cao\nX1,Một,Cụm 1,80,Đạt\nX2,Hai,Cụm 1,80,2\n"
                    "X3,Ba,Cụm 1,80,không  đạt\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["score", str(tmp_path / "c.yaml"), str(data)],
                                catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (f"Error: {data}: 1 problem\n{data}::row 3, bao_cao: unit X2: '2' is not a "
                             "yes/no value (có/không, x, 1/0, true/false)\n")
