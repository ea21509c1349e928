"""What award shortlists promise, for any scores and any quota (Hypothesis)."""

from __future__ import annotations

import copy
import random

import polars as pl
from hypothesis import event, example, given
from hypothesis import strategies as st

from thidua import model as m
from thidua.core.engine import score
from thidua.errors import DataError
from thidua.input.load import parse_criteria

from .strategies import ABSOLUTE, MONOTONE, frame, rising_only, scenarios

# formula → then: manual (item 15), with an award
FORMULA_THEN_MANUAL = ({
    "format": 1, "id": "vi-du", "name": "Ví dụ", "version": "1", "total": 10,
    "units": {"id": "id", "name": "name", "group": "group"},
    "criteria": [{"code": "A", "name": "A", "max_points": 10, "rule": {
        "type": "formula", "expr": "x0 / 2", "then": {"type": "manual"}}}],
    "awards": [{"code": "A1", "name": "A1", "quota": {"count": 1}}]},
    [{"id": "U01", "name": "Một", "group": "Cụm 1", "x0": 4.0},
     {"id": "U02", "name": "Hai", "group": "Cụm 1", "x0": 8.0}])

awarded = scenarios(min_awards=1)


def run(doc, rows):
    """The unit table, or None when the data is bad input for this file (thidua's own error)."""
    try:
        return score(parse_criteria(doc), frame(rows)).units
    except DataError as e:
        assert e.problems
        event("bad data")
        return None


def lists(units: pl.DataFrame, code: str) -> set[str]:
    return set(units.filter(pl.col(f"award.{code}.on")).get_column("id").to_list())


def _scope(doc, a):
    return a.get("per") or ("group" if "group" in doc["units"] else "all")


@given(awarded)
@example(case=FORMULA_THEN_MANUAL)
def test_a_list_holds_only_eligible_units_and_respects_its_quota(case):
    doc, rows = case
    units = run(doc, rows)
    if units is None:
        return
    held: dict[str, set[str]] = {}
    for a in doc["awards"]:
        code, on = a["code"], f"award.{a['code']}.on"
        scope = ["group"] if _scope(doc, a) == "group" else []
        rank = "rank" if scope else "rank_overall"
        listed = units.filter(pl.col(on))
        assert listed.filter(~pl.col(f"award.{code}.eligible")).is_empty()
        e = a.get("eligible", {})  # each condition, read again from the unit table
        for u in listed.to_dicts():
            if "min_total" in e:
                assert u["total"] >= e["min_total"] - 1e-9, (code, u["id"])
            if "classification" in e:
                assert u["classification"] in e["classification"], (code, u["id"])
            if e.get("no_knockout"):
                assert not u["knockouts"], (code, u["id"])
            if "max_rank" in e:
                assert u[rank] <= e["max_rank"], (code, u["id"])
            for earlier in e.get("awards", []):
                assert u["id"] in held[earlier], (code, u["id"])
            barred = {k["code"] for k in doc.get("knockouts", []) if k.get("effect", "ineligible") == "ineligible"}
            assert not barred & set(u["knockouts"]), (code, u["id"])
        held[code] = set(listed.get_column("id"))
        parts = units.partition_by(scope) if scope else [units]
        for part in parts:
            count = part.get_column(on).sum()
            quota = part.get_column(f"award.{code}.quota")[0]
            if count > quota:  # only a tie at the line under include may pass the quota
                assert a.get("on_tie_at_quota", "flag") == "include"
                last = part.filter(pl.col(on)).get_column(rank).max()
                tied = part.filter(pl.col(f"award.{code}.eligible") & (pl.col(rank) == last))
                assert tied.height > 1


@given(awarded)
@example(case=FORMULA_THEN_MANUAL)
def test_knocked_out_units_are_never_on_a_list_that_requires_no_knockout(case):
    doc, rows = case
    units = run(doc, rows)
    if units is None:
        return
    for a in doc["awards"]:
        if a.get("eligible", {}).get("no_knockout"):
            assert units.filter(pl.col(f"award.{a['code']}.on") & (pl.col("knockouts").list.len() > 0)).is_empty()


@given(awarded)
@example(case=FORMULA_THEN_MANUAL)
def test_no_unit_holds_two_exclusive_awards(case):
    doc, rows = case
    units = run(doc, rows)
    if units is None:
        return
    exclusive = [a["code"] for a in doc["awards"] if a.get("exclusive")]
    if len(exclusive) > 1:
        held = units.select(pl.sum_horizontal([pl.col(f"award.{c}.on").cast(pl.Int32) for c in exclusive]))
        assert held.to_series().max() <= 1


@given(awarded, st.randoms(use_true_random=False))
@example(case=FORMULA_THEN_MANUAL, rnd=random.Random(0))
def test_row_order_changes_no_list(case, rnd):
    doc, rows = case
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    a, b = run(doc, rows), run(doc, shuffled)
    assert (a is None) == (b is None)
    if a is None:
        return
    for aw in doc["awards"]:
        assert lists(a, aw["code"]) == lists(b, aw["code"])
    def key(units):
        return dict(zip(units.get_column("id").to_list(), units.get_column("flagged").to_list()))
    assert key(a) == key(b)


@given(scenarios(min_awards=1, min_units=2, kinds=[k for k in ABSOLUTE if k in MONOTONE],
                 indicators=["x0"], rising=True), st.data())
def test_raising_a_score_never_takes_a_unit_off_a_list(case, data):
    doc, rows = case
    doc = rising_only(doc)
    # quotas that do not grow with the list they count, classes that do not move a unit out
    for a in doc["awards"]:
        a["exclusive"] = False
        if "of" in a["quota"]:
            a["quota"]["of"] = "units"
        a.get("eligible", {}).pop("classification", None)
    i = data.draw(st.integers(0, len(rows) - 1))
    raised = copy.deepcopy(rows)
    if raised[i]["x0"] is not None:
        raised[i]["x0"] += data.draw(st.sampled_from([1.0, 5.0, 20.0, 1e6]))
    before, after = run(doc, rows), run(doc, raised)
    if before is None or after is None:
        return
    unit = rows[i]["id"]
    for a in doc["awards"]:
        if unit in lists(before, a["code"]):
            assert unit in lists(after, a["code"])


@given(awarded)
@example(case=FORMULA_THEN_MANUAL)
def test_counts_read_along_the_rank_order_equal_the_window_counts(case):
    """base, better and upto (counted along the table in rank order) are what windows over the
    award's scope compute: the base counted there, and how many eligible units rank above this
    one, and up to it."""
    doc, rows = case
    c = parse_criteria(doc)
    units = run(doc, rows)
    if units is None:
        return
    for a in c.awards:
        scope = ["group"] if c.award_scope(a) == "group" else []
        rank = pl.col("rank" if scope else "rank_overall")
        e = pl.col(f"award.{a.code}.eligible")
        of = a.quota.of
        if of == "units":
            counted = pl.len()
        elif of == "eligible":
            counted = e.sum()
        elif isinstance(of, m.ByClassification):
            counted = (pl.col("classification") == of.classification).fill_null(False).sum()
        else:
            counted = pl.col(f"award.{of.award}.on").sum()
        over = (lambda x, scope=scope: x.over(scope)) if scope else (lambda x: x)
        expected = units.select(
            over(counted).cast(pl.Int64).alias("base"),
            pl.when(e).then(rank.rank("min").over([*scope, e]) - 1).cast(pl.Int64).alias("better"),
            pl.when(e).then(rank.rank("max").over([*scope, e])).cast(pl.Int64).alias("upto"))
        got = units.select(*(pl.col(f"award.{a.code}.{k}").alias(k) for k in ("base", "better", "upto")))
        assert got.equals(expected), a.code
