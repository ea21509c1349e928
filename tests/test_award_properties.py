"""What award shortlists promise, for any scores and any quota (Hypothesis)."""

from __future__ import annotations

import copy
from typing import Any

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from thidua import model as m
from thidua.engine import score
from thidua.load import parse_criteria

from .util import frame

CLASSES = [{"label": "Xuất sắc", "min": 90}, {"label": "Tốt", "min": 70}, {"label": "Đạt", "min": 0}]


@st.composite
def award(draw, code: str, earlier: list[str]) -> dict[str, Any]:
    quota: dict[str, Any] = draw(st.one_of(
        st.integers(0, 4).map(lambda n: {"count": n}),
        st.builds(lambda p, r, mn: {"percent": p, "rounding": r, "min": mn},
                  st.sampled_from([10, 20, 25, 50, 100]), st.sampled_from(["floor", "round", "ceil"]),
                  st.integers(0, 2))))
    if "percent" in quota:
        quota["of"] = draw(st.sampled_from(["units", "eligible", {"classification": "Tốt"},
                                            *({"award": e} for e in earlier)]))
    eligible: dict[str, Any] = {}
    if draw(st.booleans()):
        eligible["min_total"] = draw(st.sampled_from([50, 70, 90]))
    if draw(st.booleans()):
        eligible["no_knockout"] = True
    if draw(st.booleans()):
        eligible["classification"] = draw(st.sampled_from([["Xuất sắc"], ["Xuất sắc", "Tốt"]]))
    return {"code": code, "name": code, "per": draw(st.sampled_from(["group", "all"])), "quota": quota,
            "eligible": eligible, "exclusive": draw(st.booleans()),
            "on_tie_at_quota": draw(st.sampled_from(["include", "exclude", "flag"]))}


@st.composite
def documents(draw) -> dict[str, Any]:
    codes = ["A1", "A2", "A3"][: draw(st.integers(1, 3))]
    awards = [draw(award(code, codes[:i])) for i, code in enumerate(codes)]
    return {
        "format": 1, "id": "giai", "name": "Giải", "version": "1", "total": 100,
        "units": {"id": "id", "name": "name", "group": "group"},
        "criteria": [{"code": "S", "name": "Điểm", "max_points": 100,
                      "rule": {"type": "linear", "indicator": "x", "zero_at": 0, "full_at": 100}}],
        "knockouts": [{"code": "KL", "name": "Kỷ luật", "when": "kl > 0", "effect": {"cap": "Tốt"}}],
        "classification": CLASSES, "awards": awards,
    }


@st.composite
def unit_rows(draw) -> list[dict[str, Any]]:
    n = draw(st.integers(1, 14))
    return [{"id": f"U{i:02d}", "group": draw(st.sampled_from(["Cụm 1", "Cụm 2"])),
             "x": float(draw(st.sampled_from([40, 60, 70, 75, 80, 85, 90, 95, 100]))),
             "kl": float(draw(st.sampled_from([0, 0, 0, 1])))} for i in range(n)]


def run(doc, rows):
    return score(parse_criteria(doc), frame(rows)).units


def lists(units: pl.DataFrame, code: str) -> set[str]:
    return set(units.filter(pl.col(f"award.{code}.on")).get_column("id").to_list())


@given(documents(), unit_rows())
def test_a_list_holds_only_eligible_units_and_respects_its_quota(doc, rows):
    units = run(doc, rows)
    for a in doc["awards"]:
        code, on = a["code"], f"award.{a['code']}.on"
        assert units.filter(pl.col(on) & ~pl.col(f"award.{code}.eligible")).is_empty()
        scope = ["group"] if a["per"] == "group" else []
        parts = units.partition_by(scope) if scope else [units]
        for part in parts:
            listed = part.get_column(on).sum()
            quota = part.get_column(f"award.{code}.quota")[0]
            if listed > quota:  # only a tie at the line under include may pass the quota
                assert a["on_tie_at_quota"] == "include"
                last = part.filter(pl.col(on)).get_column("rank" if scope else "rank_overall").max()
                tied = part.filter(pl.col(f"award.{code}.eligible") &
                                   (pl.col("rank" if scope else "rank_overall") == last))
                assert tied.height > 1


@given(documents(), unit_rows())
def test_knocked_out_units_are_never_on_a_list_that_requires_no_knockout(doc, rows):
    units = run(doc, rows)
    for a in doc["awards"]:
        if a["eligible"].get("no_knockout"):
            assert units.filter(pl.col(f"award.{a['code']}.on") & (pl.col("knockouts") != "")).is_empty()


@given(documents(), unit_rows())
def test_no_unit_holds_two_exclusive_awards(doc, rows):
    units = run(doc, rows)
    exclusive = [a["code"] for a in doc["awards"] if a["exclusive"]]
    if len(exclusive) > 1:
        held = units.select(pl.sum_horizontal([pl.col(f"award.{c}.on").cast(pl.Int32) for c in exclusive]))
        assert held.to_series().max() <= 1


@given(documents(), unit_rows(), st.randoms(use_true_random=False))
def test_row_order_changes_no_list(doc, rows, rnd):
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    a, b = run(doc, rows), run(doc, shuffled)
    for aw in doc["awards"]:
        assert lists(a, aw["code"]) == lists(b, aw["code"])
    assert a.get_column("flagged").to_list() == b.get_column("flagged").to_list()


@given(documents(), unit_rows(), st.data())
def test_raising_a_score_never_takes_a_unit_off_a_list(doc, rows, data):
    # absolute rules, quotas that do not grow with the list they count
    for a in doc["awards"]:
        a["exclusive"] = False
        if isinstance(a["quota"].get("of"), str) and a["quota"]["of"] == "eligible":
            a["quota"]["of"] = "units"
        if isinstance(a["quota"].get("of"), dict):
            a["quota"]["of"] = "units"
        a["eligible"].pop("classification", None)
    i = data.draw(st.integers(0, len(rows) - 1))
    raised = copy.deepcopy(rows)
    raised[i]["x"] = min(100.0, raised[i]["x"] + data.draw(st.sampled_from([1.0, 5.0, 20.0])))
    before, after = run(doc, rows), run(doc, raised)
    unit = rows[i]["id"]
    for a in doc["awards"]:
        if unit in lists(before, a["code"]):
            assert unit in lists(after, a["code"])


@given(documents(), unit_rows())
def test_counts_read_along_the_rank_order_equal_the_window_counts(doc, rows):
    """base, better and upto (counted along the table in rank order) are what windows over the
    award's scope compute: the base counted there, and how many eligible units rank above this
    one, and up to it."""
    c = parse_criteria(doc)
    units = score(c, frame(rows)).units
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
        over = (lambda x: x.over(scope)) if scope else (lambda x: x)  # noqa: E731
        expected = units.select(
            over(counted).cast(pl.Int64).alias("base"),
            pl.when(e).then(rank.rank("min").over([*scope, e]) - 1).cast(pl.Int64).alias("better"),
            pl.when(e).then(rank.rank("max").over([*scope, e])).cast(pl.Int64).alias("upto"))
        got = units.select(*(pl.col(f"award.{a.code}.{k}").alias(k) for k in ("base", "better", "upto")))
        assert got.equals(expected), a.code
