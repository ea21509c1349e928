"""Fuzzing the edges a council's file goes through: whatever the document, the YAML text or the
expression, the outcome is a checked model or thidua's own error at a place, never another
exception. Short under the "ci" profile; `make fuzz` runs it long (HYPOTHESIS_PROFILE=fuzz).
"""

from __future__ import annotations

import copy
import math
import random
from pathlib import Path
from typing import Any

import polars as pl
import yaml
from hypothesis import event, example, given
from hypothesis import strategies as st

from thidua import model as m
from thidua.core import expr
from thidua.core.engine import score
from thidua.core.scoring import indicators
from thidua.errors import CriteriaError, DataError
from thidua.input import shipped
from thidua.input.load import parse_criteria, read_document

from .strategies import criteria_docs

HERE = Path(__file__).parent
SEEDS = [*sorted((HERE / "cases" / "valid").glob("*.*")),
         *sorted(p for p in shipped("").iterdir() if p.suffix == ".yaml")]
DOCUMENTS = [read_document(p) for p in SEEDS]


def _words() -> list[str]:
    words: set[str] = set(m.RULE_TYPES)
    for cls in vars(m).values():
        if isinstance(cls, type) and hasattr(cls, "model_fields"):
            words.update(cls.model_fields)
    return sorted(words)


WORDS = _words()

# --- strategies -----------------------------------------------------------------------------------

numbers = st.one_of(st.integers(-10**6, 10**6), st.integers(), st.just(10**400),
                    st.floats(allow_nan=True, allow_infinity=True))
scalars = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=12),
                    st.sampled_from(WORDS), st.sampled_from(["x > 1", "a / b", "min(a, 1)",
                                                            "ky_luat.__class__", "Tốt"]))
keys = st.one_of(st.sampled_from(WORDS), st.text(max_size=8))
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5),
                            st.dictionaries(keys, inner, max_size=6)),
    max_leaves=40)


HOW = ["replace", "drop", "add", "twice", "wrap", "text", "nudge"]


@st.composite
def mutated(draw: st.DrawFn, how: list[str] = HOW, most: int = 4) -> Any:
    """A shipped or valid case document with one to `most` random changes at random places."""
    document = copy.deepcopy(draw(st.sampled_from(DOCUMENTS)))
    for _ in range(draw(st.integers(1, most))):
        document = _mutate(draw, document, how)
    return document


def _mutate(draw: st.DrawFn, node: Any, hows: list[str]) -> Any:
    """Walk down from `node` to a random place and change what is there."""
    if isinstance(node, dict | list) and node and draw(st.integers(0, 3)) > 0:
        where = draw(st.sampled_from(list(node) if isinstance(node, dict) else range(len(node))))
        node[where] = _mutate(draw, node[where], hows)
        return node
    how = draw(st.sampled_from(hows))
    if how == "replace":
        return draw(documents)
    if how == "drop" and isinstance(node, dict | list) and node:
        if isinstance(node, dict):
            del node[draw(st.sampled_from(list(node)))]
        else:
            del node[draw(st.integers(0, len(node) - 1))]
        return node
    if how == "add" and isinstance(node, dict):
        node[draw(keys)] = draw(documents)
        return node
    if how == "twice" and isinstance(node, list) and node:
        return [*node, copy.deepcopy(draw(st.sampled_from(node)))]
    if how == "wrap":
        return draw(st.sampled_from([[node], {"x": node}]))
    if how == "text":
        return str(node)
    if how == "nudge" and isinstance(node, int | float) and not isinstance(node, bool):
        return draw(st.sampled_from([-node, node * 2, node + 1, 0, 0.5, 1e300]))
    return draw(scalars)


def _numbers_in_rules(document: Any) -> list[tuple[Any, Any]]:
    """(container, key) of every number inside a rule, a band or a target of the document."""
    found: list[tuple[Any, Any]] = []
    stack = [(document, False)]
    while stack:
        node, in_rule = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) \
            if isinstance(node, list) else []
        for key, value in items:
            inside = in_rule or key == "rule"
            if inside and isinstance(value, int | float) and not isinstance(value, bool):
                found.append((node, key))
            elif isinstance(value, dict | list):
                stack.append((value, inside))
    return found


@st.composite
def rules_nudged(draw: st.DrawFn) -> Any:
    """A real file whose rules' numbers (zero_at, full_at, target, each, band bounds, …) take
    odd values: the file mostly stays valid, and the engine meets what councils rarely write."""
    document = copy.deepcopy(draw(st.sampled_from(DOCUMENTS)))
    places = _numbers_in_rules(document)
    odd = st.sampled_from([0, -1, 1e-300, 1e300, 0.5, 123456789, -1e-9, 1e15]) | st.floats(
        allow_nan=False, allow_infinity=False)
    for _ in range(draw(st.integers(1, 3)) if places else 0):
        node, key = draw(st.sampled_from(places))
        node[key] = draw(odd)
    return document


YAML_NOISE = st.text(alphabet="&*!|>{}[]:,-#%@`'\"?\t\n \\<=", min_size=1, max_size=6)


@st.composite
def yaml_texts(draw: st.DrawFn) -> str:
    """YAML of a random or mutated document, then cut, spliced and sprinkled with YAML's own
    signs (anchors, aliases, tags, flow brackets, indentation)."""
    document = draw(st.one_of(mutated(), documents))
    try:
        text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    except (yaml.YAMLError, RecursionError):
        text = str(document)
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + draw(YAML_NOISE) + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 20)):]
    return text


TOKENS = ["x", "y", "ty_le", "Tỷ_lệ", "`cột có dấu`", "1", "0", "2.5", ".5", "1e3", "1e999", "+",
          "-", "*", "/", "(", ")", ",", ">", ">=", "<", "<=", "==", "!=", "=", "and", "or", "not",
          "true", "false", "min", "max", "abs", "__import__", "eval", ".", "[", "]", "'", '"', "**",
          "//", "%", "@", ";", "lambda", ":", "if", "else", "\\", "\n", "\t", "\x00", "é", "x.y"]
expressions = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="xyz0123456789.+-*/()<>=!,` andortfu", max_size=80),
    st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join),
    st.lists(st.sampled_from(TOKENS), max_size=40).map("".join),
    st.integers(0, 120).map(lambda n: "(" * n + "x" + ")" * n),
    st.integers(0, 3000).map(lambda n: "x" + " + x" * (n // 4)),
)

# --- what every outcome must be -------------------------------------------------------------------


def assert_placed(error: CriteriaError) -> None:
    """thidua's own error: at least one problem, each one line, at a place or the whole file."""
    assert error.problems
    for problem in error.problems:
        assert isinstance(problem.where, str) and isinstance(problem.message, str)
        assert problem.message and "\n" not in problem.message and "\n" not in problem.where
        assert "Traceback" not in problem.message


def parse_or_placed(document: Any) -> m.Criteria | None:
    try:
        model = parse_criteria(document, "fuzz.yaml")
    except CriteriaError as e:
        assert_placed(e)
        event("criteria error")
        return None
    event("valid model")
    return model


@given(documents)
def test_any_document_is_a_model_or_placed_problems(document):
    parse_or_placed(document)


@given(mutated())
def test_any_change_to_a_real_file_is_a_model_or_placed_problems(document):
    parse_or_placed(document)


@given(yaml_texts())
def test_any_yaml_text_is_a_model_or_placed_problems(tmp_path_factory, text):
    path = tmp_path_factory.getbasetemp() / "fuzz.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        document = read_document(path)
    except CriteriaError as e:
        assert_placed(e)
        event("unreadable text")
        return
    parse_or_placed(document)


@given(expressions, st.sampled_from(["number", "bool"]))
def test_any_expression_is_a_tree_or_an_error_at_a_column(text, kind):
    try:
        tree = expr.check(text, kind)  # type: ignore[arg-type]
    except expr.ExprError as e:
        assert isinstance(e.message, str) and e.message and "\n" not in e.message
        assert 0 <= e.position <= max(len(text), expr.MAX_CHARS)
        event("expression error")
        return
    event("valid expression")
    assert expr.kind(tree) == kind
    assert expr.check(expr.render(tree), kind) == tree  # what a report shows reads back the same


@given(st.one_of(rules_nudged(), mutated(how=["nudge", "drop", "twice"], most=2)),
       st.lists(st.floats(0, 5), min_size=1, max_size=6),
       st.sampled_from([1, 1, 1, 1, 20, 40, -1, 1e6, 1e-9]), st.randoms(use_true_random=False))
def test_a_model_that_passes_scores_or_names_bad_data(document, values, scale, rng):
    """Whatever a mutated file still says, a model that passed its checks scores a small table
    or reports a data problem; it never crashes the engine."""
    _scores_or_names_bad_data(document, values, scale, rng)


# formula → then: manual (issue 10 item 15)
FORMULA_THEN_MANUAL = {
    "format": 1, "id": "vi-du", "name": "Ví dụ", "version": "1", "total": 10,
    "units": {"id": "id", "name": "name", "group": "group"},
    "criteria": [{"code": "A", "name": "A", "max_points": 10, "rule": {
        "type": "formula", "expr": "x0 / 2", "then": {"type": "manual"}}}]}


@given(criteria_docs(), st.lists(st.floats(0, 5), min_size=1, max_size=6),
       st.sampled_from([1, 1, 1, 1, 20, 40, -1, 1e6, 1e-9]), st.randoms(use_true_random=False))
@example(FORMULA_THEN_MANUAL, [1.0, 2.0], 1, random.Random(0))
def test_a_document_of_the_general_strategy_scores_or_names_bad_data(document, values, scale, rng):
    """Any document the general strategy draws (every rule, policy, option) scores any small
    table or reports a data problem; it never crashes the engine."""
    _scores_or_names_bad_data(document, values, scale, rng)


def _scores_or_names_bad_data(document, values, scale, rng):
    c = parse_or_placed(document)
    if c is None:
        return
    numbers, flags = indicators(c)
    n = len(values)
    table: dict[str, list[Any]] = {
        "id": [f"U{i}" for i in range(n)], "name": [f"Đơn vị {i}" for i in range(n)],
        "group": [rng.choice(["Cụm 1", "Cụm 2"]) for _ in range(n)], "row": list(range(2, n + 2))}
    for column in sorted(numbers):
        table[column] = [None if rng.random() < 0.02 else v * scale * rng.random()
                         for v in values]
    for column in sorted(flags):
        table[column] = [rng.choice([True, False]) for _ in values]
    frame = pl.DataFrame(table, schema_overrides={
        **dict.fromkeys(numbers, pl.Float64), **dict.fromkeys(flags, pl.Boolean),
        "row": pl.Int64})
    from thidua.core import members

    held = members.MembersData(pl.DataFrame(
        {"collective": [rng.choice(table["id"]) for _ in range(2 * n)], "awards": [["LDTT"]] * (2 * n),
         "classification": [None] * (2 * n), "knockouts": [[]] * (2 * n)},
        schema=members.MEMBER_SCHEMA)) if members.needed(c) else None  # a file of collectives
    try:
        result = score(c, frame, "fuzz.csv", members_data=held)
    except DataError as e:
        assert_placed(e)  # type: ignore[arg-type]
        event("data error")
        return
    event("scored")
    assert sorted(result.units.get_column("id")) == sorted(table["id"])  # no unit lost
    totals = result.units.get_column("total").to_list()
    assert all(t is not None and math.isfinite(t) and t >= 0 for t in totals)
