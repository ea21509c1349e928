"""What the engine promises, for any criteria file and any data (Hypothesis)."""

from __future__ import annotations

import copy

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from thidua.engine import score
from thidua.load import dump, parse_criteria

from .strategies import ABSOLUTE, MONOTONE, criteria_docs, rows
from .util import frame


def nodes(doc):
    stack = list(doc["criteria"])
    while stack:
        n = stack.pop()
        yield n
        stack += n.get("children", [])


def result_of(doc, data):
    return score(parse_criteria(doc), frame(data)).units


@given(criteria_docs(), rows())
def test_points_stay_within_zero_and_max_at_every_node(doc, data):
    units = result_of(doc, data)
    for n in nodes(doc):
        col = units.get_column(f"points.{n['code']}")
        assert col.min() >= 0, n
        assert col.max() <= n["max_points"] + 1e-9, n
    assert units.get_column("total").min() >= 0


@given(criteria_docs(), rows(min_size=2), st.randoms(use_true_random=False))
def test_row_order_never_matters(doc, data, rnd):
    shuffled = list(data)
    rnd.shuffle(shuffled)
    a, b = result_of(doc, data), result_of(doc, shuffled)
    assert a.drop("row").equals(b.drop("row"), null_equal=True)  # row: where each unit sat in the file


@given(criteria_docs(kinds=MONOTONE, indicators=["x0"]), rows(min_size=2), st.data())
def test_raising_a_higher_is_better_indicator_never_lowers_that_units_points(doc, data, draw):
    i = draw.draw(st.integers(0, len(data) - 1))
    raised = copy.deepcopy(data)
    raised[i]["x0"] += draw.draw(st.sampled_from([0.1, 1.0, 7.5, 50.0]))
    before, after = result_of(doc, data), result_of(doc, raised)
    unit = data[i]["id"]
    pick = lambda units, col: units.filter(pl.col("id") == unit).get_column(col)[0]  # noqa: E731
    for n in nodes(doc):
        assert pick(after, f"points.{n['code']}") >= pick(before, f"points.{n['code']}") - 1e-9, n
    assert pick(after, "total") >= pick(before, "total") - 1e-9


@given(criteria_docs(kinds=[k for k in ABSOLUTE if k in MONOTONE], indicators=["x0"]), rows(min_size=2), st.data())
def test_under_absolute_rules_raising_an_indicator_never_worsens_the_rank(doc, data, draw):
    doc["ranking"] = {"method": draw.draw(st.sampled_from(["competition", "dense"]))}
    i = draw.draw(st.integers(0, len(data) - 1))
    raised = copy.deepcopy(data)
    raised[i]["x0"] += draw.draw(st.sampled_from([0.1, 1.0, 7.5, 50.0]))
    before, after = result_of(doc, data), result_of(doc, raised)
    unit = data[i]["id"]
    for col in ("rank", "rank_overall"):
        rank = lambda units: units.filter(pl.col("id") == unit).get_column(col)[0]  # noqa: E731
        assert rank(after) <= rank(before)


@given(criteria_docs(), rows(min_size=2), st.sampled_from([0.5, 2.0, 3.0, 10.0]))
def test_scaling_every_weight_of_a_weighted_mean_changes_no_rank(doc, data, factor):
    scaled = copy.deepcopy(doc)
    for n in nodes(scaled):
        if n.get("aggregate") == "weighted_mean":
            for kid in n["children"]:
                kid["weight"] = kid.get("weight", 1) * factor
    a, b = result_of(doc, data), result_of(scaled, data)
    assert a.get_column("rank").to_list() == b.get_column("rank").to_list()
    assert a.get_column("id").to_list() == b.get_column("id").to_list()


@given(criteria_docs())
def test_load_of_dump_is_the_same_model(doc):
    model = parse_criteria(doc)
    assert parse_criteria(dump(model)) == model
