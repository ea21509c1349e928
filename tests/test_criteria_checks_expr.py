"""Expression work is bounded (item 32): a division repeats none of its operands, so the polars
plan grows linearly with the text; and a file's expressions together hold at most
expr.MAX_FILE_NODES nodes, checked before anything is compiled."""

from __future__ import annotations

import time

import polars as pl
import pytest

from thidua.core import expr
from thidua.errors import CriteriaError
from thidua.input.load import parse_criteria

from .util import criteria


def _plan_size(text: str) -> int:
    return len(str(expr.to_polars(expr.parse(text))))


@pytest.mark.parametrize("shape", [
    lambda n: "a" + " / b" * n,                      # a / b / b / …, nested on the left
    lambda n: "(" * n + "a" + ") / 2" * n,           # ((a / 2) / 2) / …
    lambda n: "a" + " / (b + 1)" * n,
])
def test_a_chain_of_divisions_compiles_to_a_plan_linear_in_its_length(shape):
    small, large = _plan_size(shape(8)), _plan_size(shape(16))
    assert large < 2.5 * small  # doubling the text doubles the plan, not squares it


def test_120_divisions_in_a_row_score_at_once():
    text = "a" + "".join(" / (b + 1)" if j % 2 else " / b" for j in range(120))
    start = time.perf_counter()
    frame = pl.DataFrame({"a": [2.0**60, 0.0], "b": [1.0, 1.0]})
    out = frame.select(expr.to_polars(expr.check(text, "number")).alias("v"))["v"].to_list()
    assert out == [1.0, 0.0]  # 2**60 / 2**60 (60 divisions by 2), 0 / anything
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("text", ["a / 3", "a / (1 + 2)", "a / 3 / 1", "min(a, 1000) / 7"])
def test_a_constant_denominator_is_a_true_division_in_every_row(text):
    values = [i / 100 for i in range(1, 3001)]  # long enough for polars' reciprocal shortcut
    denominator = 7.0 if "7" in text else 3.0
    frame = pl.DataFrame({"a": values})
    out = frame.select(expr.to_polars(expr.check(text, "number")).alias("v"))["v"].to_list()
    assert out == [v / denominator for v in values]


def test_a_formula_of_numbers_only_still_divides():
    out = pl.DataFrame({"a": [1.0, 2.0]}).select(
        expr.to_polars(expr.check("1 / 4 + a * 0", "number")).alias("v"))["v"].to_list()
    assert out == [0.25, 0.25]


def _formulas(count: int, text: str) -> dict:  # type: ignore[type-arg]
    return criteria([{"code": f"F{i}", "name": "f", "max_points": 1,
                      "rule": {"type": "formula", "expr": text,
                               "then": {"type": "linear", "zero_at": 0, "full_at": 1}}}
                     for i in range(count)])


def test_the_expressions_of_a_file_are_bounded_together():
    text = " + ".join(["a"] * 200)  # 399 nodes: well within the limit of one expression
    assert expr.size(expr.parse(text)) == 399
    parse_criteria(_formulas(12, text))  # 4,788 nodes
    with pytest.raises(CriteriaError) as caught:
        parse_criteria(_formulas(13, text))
    assert caught.value.lines() == [
        ("<criteria>::criteria[12].rule.expr (criterion F12 “f”): the file's expressions reach 5,187 parts (numbers, "
         "names, operators) here, more than the 5,000 a criteria file may hold in all")]


def test_knockout_and_award_conditions_count_towards_the_bound():
    text = " + ".join(["a"] * 200)
    doc = _formulas(12, text)
    doc["knockouts"] = [{"code": "K", "name": "k", "when": f"{text} > 1"}]
    with pytest.raises(CriteriaError) as caught:
        parse_criteria(doc)
    assert caught.value.lines() == [
        ("<criteria>::knockouts[0].when (knockout K “k”): the file's expressions reach 5,189 parts (numbers, names, "
         "operators) here, more than the 5,000 a criteria file may hold in all")]


def test_a_name_with_a_tab_or_a_line_break_is_shown_escaped_in_a_message():
    with pytest.raises(expr.ExprError) as caught:
        expr.check("`a\nb` `c\td`", "number")
    assert str(caught.value) == "expected an operator, found `c\\x09d` at column 7"
