"""What every output promises, for any criteria file and any data (Hypothesis): no non-finite
number in any format, and as many units out as in, for `score` and for `awards`.

Documents and data come from the general strategy (tests/strategies.py). The @example cases are
the smallest cases of the issue-10 defects these properties found (items 1, 8, 15), kept as
regression cases.
"""

from __future__ import annotations

import io
import json
import math
import re

import polars as pl
from hypothesis import event, example, given

from thidua.core.engine import score
from thidua.core.reasons import reasons
from thidua.errors import DataError
from thidua.input.load import parse_criteria
from thidua.output import render, render_awards
from thidua.output.formats import UNITS

from .strategies import frame, scenarios

NON_FINITE = re.compile(r"\b(nan|inf|infinity)\b", re.IGNORECASE)


def _doc(*leaves, **top):
    return {"format": 1, "id": "vi-du", "name": "Ví dụ", "version": "1",
            "total": sum(n["max_points"] for n in leaves),
            "units": {"id": "id", "name": "name", "group": "group"}, "criteria": list(leaves), **top}


def _units(*values, group="Cụm 1", column="x0"):
    return [{"id": f"U{i:02d}", "name": f"Đơn vị {i}", "group": group, column: v}
            for i, v in enumerate(values, start=1)]


LINEAR = {"code": "A", "name": "A", "max_points": 10,
          "rule": {"type": "linear", "indicator": "x0", "zero_at": 0, "full_at": 100}}
# formula → then: manual (item 15)
FORMULA_THEN_MANUAL = (_doc({"code": "A", "name": "A", "max_points": 10, "rule": {
    "type": "formula", "expr": "x0 / 2", "then": {"type": "manual"}}},
    awards=[{"code": "A1", "name": "A1", "quota": {"count": 1}}]), _units(4.0, 8.0))
# a log rule worth 0 points at a value of 0: 0 × -inf (item 8)
LOG_AT_ZERO = (_doc(LINEAR, {"code": "B", "name": "B", "max_points": 0, "rule": {
    "type": "linear", "indicator": "x0", "zero_at": 1, "full_at": 2, "transform": "log"}},
    awards=[{"code": "A1", "name": "A1", "quota": {"count": 1}}]), _units(0.0, 50.0))
# minmax over ±1e308 (item 8)
MINMAX_HUGE = (_doc({"code": "A", "name": "A", "max_points": 10, "rule": {
    "type": "minmax", "indicator": "x0"}}, awards=[{"code": "A1", "name": "A1", "quota": {"count": 1}}]),
    _units(-1e308, 0.0, 1e308))
# a per: all award in a file with units.group (item 1)
PER_ALL = (_doc(LINEAR, awards=[{"code": "A1", "name": "A1", "per": "all", "quota": {"count": 1}}]),
           _units(40.0, 80.0))


def scored(doc, data):
    """The result, or None when the data is bad input for this file (thidua's own error)."""
    try:
        return score(parse_criteria(doc), frame(data))
    except DataError as e:
        assert e.problems
        event("bad data")
        return None


def _finite_everywhere(value, where):
    if isinstance(value, float):
        assert math.isfinite(value), where
    elif isinstance(value, dict):
        for k, v in value.items():
            _finite_everywhere(v, f"{where}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _finite_everywhere(v, f"{where}[{i}]")


def _strict_json(text):
    def refuse(constant):
        raise AssertionError(f"JSON holds {constant}")
    return json.loads(text, parse_constant=refuse)


def _assert_finite_frame(table: pl.DataFrame, what: str):
    for name, dtype in table.schema.items():
        if dtype.is_float():
            assert table.get_column(name).is_finite().fill_null(True).all(), (what, name)


def _csv_fields(text):
    return [field for line in text.splitlines() for field in line.split(",")]


def _tables(text: str, fmt: str) -> int:
    """How many body rows the unit tables of a text output hold (a `treatment:` section's table
    of changed cells, after them, is not one)."""
    text = text.split("(treatment):")[0]
    if fmt == "html":
        return text.count("<tr><td")
    lines = text.splitlines()
    if fmt == "markdown":
        return sum(1 for i, line in enumerate(lines) if line.startswith("|")
                   and not re.fullmatch(r"\|[-:| ]+\|", line)
                   and i + 1 < len(lines) and not re.fullmatch(r"\|[-:| ]+\|", lines[i + 1]))
    rows, inside = 0, False  # tabulate "simple": a rule of dashes, then rows to a blank line
    for line in lines:
        if re.fullmatch(r"[- ]+", line) and "-" in line:
            inside = True
        elif not line.strip():
            inside = False
        elif inside:
            rows += 1
    return rows


@given(scenarios())
@example(case=LOG_AT_ZERO)
@example(case=MINMAX_HUGE)
@example(case=FORMULA_THEN_MANUAL)
def test_no_machine_output_of_score_holds_a_non_finite_number(tmp_path_factory, case):
    result = scored(*case)
    if result is None:
        return
    for field in _csv_fields(render.to_csv(result)):
        assert not NON_FINITE.fullmatch(field), field
    _finite_everywhere(_strict_json(render.to_json(result, {})), "json")
    path = tmp_path_factory.mktemp("parquet") / "out.parquet"
    render.write_parquet(result, str(path))
    _assert_finite_frame(pl.read_parquet(path), "parquet")


@given(scenarios())
@example(case=LOG_AT_ZERO)
@example(case=MINMAX_HUGE)
@example(case=FORMULA_THEN_MANUAL)
def test_no_text_output_of_score_shows_nan_or_inf(case):
    result = scored(*case)
    if result is None:
        return
    for fmt in ("table", "markdown", "html"):
        text = UNITS.render(fmt, result)
        assert not NON_FINITE.search(text), (fmt, NON_FINITE.search(text))


@given(scenarios(min_awards=1))
@example(case=LOG_AT_ZERO)
@example(case=MINMAX_HUGE)
@example(case=FORMULA_THEN_MANUAL)
def test_no_output_of_awards_holds_a_non_finite_number(case):
    result = scored(*case)
    if result is None:
        return
    for field in _csv_fields(render_awards.to_csv(result)):
        assert not NON_FINITE.fullmatch(field), field
    _finite_everywhere(_strict_json(render_awards.to_json(result, {})), "json")
    _assert_finite_frame(reasons(result), "reasons")
    for fmt, render_text in (("table", render_awards.to_table), ("markdown", render_awards.to_markdown),
                             ("html", render_awards.to_html)):
        text = render_text(result)
        assert not NON_FINITE.search(text), (fmt, NON_FINITE.search(text))


@given(scenarios())
@example(case=LOG_AT_ZERO)
@example(case=FORMULA_THEN_MANUAL)
def test_score_puts_out_every_unit_it_reads_in_every_format(tmp_path_factory, case):
    doc, data = case
    result = scored(doc, data)
    if result is None:
        return
    n = len(data)
    ids = sorted(r["id"] for r in data)
    assert sorted(pl.read_csv(io.StringIO(render.to_csv(result)), infer_schema=False)
                  .get_column("id")) == ids
    assert sorted(u["id"] for u in _strict_json(render.to_json(result, {}))["units"]) == ids
    path = tmp_path_factory.mktemp("parquet") / "out.parquet"
    render.write_parquet(result, str(path))
    assert sorted(pl.read_parquet(path).get_column("id")) == ids
    for fmt in ("table", "markdown", "html"):
        assert _tables(UNITS.render(fmt, result), fmt) == n, fmt


@given(scenarios(min_awards=1))
@example(case=PER_ALL)
@example(case=FORMULA_THEN_MANUAL)
def test_awards_puts_out_every_unit_once_per_award_in_every_format(case):
    doc, data = case
    result = scored(doc, data)
    if result is None:
        return
    n, ids = len(data), sorted(r["id"] for r in data)
    codes = [a["code"] for a in doc["awards"]]
    table = pl.read_csv(io.StringIO(render_awards.to_csv(result)), infer_schema=False)
    for code in codes:
        assert sorted(table.filter(pl.col("award") == code).get_column("id")) == ids, code
    out = _strict_json(render_awards.to_json(result, {}))["awards"]
    for code in codes:
        assert sorted(r["id"] for a in out if a["code"] == code for r in a["reasons"]) == ids, code
    for fmt, render_text in (("table", render_awards.to_table), ("markdown", render_awards.to_markdown),
                             ("html", render_awards.to_html)):
        assert _tables(render_text(result), fmt) == n * len(codes), fmt
