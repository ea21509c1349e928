"""Award shortlists on hand-computed cases: quotas, the tie at the quota line, cascades."""

from __future__ import annotations

import pytest

from .util import column, criteria, leaf, run

SCORE = {"type": "manual", "indicator": "s"}


def award(code, quota, **extra):
    return {"code": code, "name": code, "quota": quota, **extra}


def doc(*awards, **top):
    return criteria([leaf("A", 100, **SCORE)], awards=list(awards), **top)


def listed(result, code):
    units = result.units
    return sorted(units.filter(units[f"award.{code}.on"]).get_column("id").to_list())


def flagged(result, code):
    units = result.units
    return sorted(units.filter(units[f"award.{code}.flag"]).get_column("id").to_list())


SEVEN = [{"s": s} for s in (90, 85, 80, 75, 70, 65, 60)]


def test_twenty_percent_of_seven_floors_to_one():
    result = run(doc(award("BK", {"percent": 20, "rounding": "floor", "min": 1})), SEVEN)
    assert column(result, "award.BK.quota") == dict.fromkeys(column(result, "id"), 1)
    assert listed(result, "BK") == ["U01"]


def test_min_lifts_a_quota_that_rounds_to_zero():
    result = run(doc(award("BK", {"percent": 20, "rounding": "floor", "min": 1})), SEVEN[:3])
    assert listed(result, "BK") == ["U01"]
    result = run(doc(award("BK", {"percent": 20, "rounding": "floor"})), SEVEN[:3])
    assert listed(result, "BK") == []


@pytest.mark.parametrize("rounding, places", [("floor", 1), ("round", 1), ("ceil", 2)])
def test_quota_rounding(rounding, places):
    result = run(doc(award("BK", {"percent": 20, "rounding": rounding})), SEVEN)
    assert len(listed(result, "BK")) == places


TIED = [{"s": 95}, {"s": 90}, {"s": 90}, {"s": 90}, {"s": 80}]  # quota 2: the second place is shared by three


@pytest.mark.parametrize("policy, on, flags", [
    ("include", ["U01", "U02", "U03", "U04"], []),
    ("exclude", ["U01"], []),
    ("flag", ["U01"], ["U02", "U03", "U04"]),
])
def test_three_way_tie_across_the_quota_line(policy, on, flags):
    result = run(doc(award("BK", {"count": 2}, on_tie_at_quota=policy)), TIED)
    assert listed(result, "BK") == on
    assert flagged(result, "BK") == flags
    assert column(result, "flagged")["U02"] == (["BK"] if policy == "flag" else [])


def test_a_tie_inside_the_quota_is_no_tie_at_the_line():
    result = run(doc(award("BK", {"count": 4})), TIED)
    assert listed(result, "BK") == ["U01", "U02", "U03", "U04"]
    assert flagged(result, "BK") == []


def test_cascade_of_three_exclusive_awards():
    result = run(doc(award("CO", {"count": 1}, exclusive=True), award("BK", {"count": 2}, exclusive=True),
                     award("GK", {"count": 3}, exclusive=True)), SEVEN)
    assert listed(result, "CO") == ["U01"]
    assert listed(result, "BK") == ["U02", "U03"]
    assert listed(result, "GK") == ["U04", "U05", "U06"]
    assert column(result, "awards")["U02"] == ["BK"]


def test_without_exclusive_a_unit_takes_both():
    result = run(doc(award("CO", {"count": 1}), award("BK", {"count": 2})), SEVEN)
    assert column(result, "awards")["U01"] == ["CO", "BK"]


def test_eligibility_conditions():
    rows = [{"s": 95, "kl": 1}, {"s": 92, "kl": 0}, {"s": 88, "kl": 0}, {"s": 70, "kl": 0}]
    result = run(doc(award("BK", {"count": 3}, eligible={"min_total": 80, "no_knockout": True}),
                     knockouts=[{"code": "KL", "name": "Kỷ luật", "when": "kl > 0", "effect": {"cap": "Tốt"}}],
                     classification=[{"label": "Tốt", "min": 0}]), rows)
    assert listed(result, "BK") == ["U02", "U03"]


def test_an_ineligible_knockout_bars_every_award():
    rows = [{"s": 95, "kl": 1}, {"s": 92, "kl": 0}]
    result = run(doc(award("BK", {"count": 1}), knockouts=[{"code": "KL", "name": "Kỷ luật", "when": "kl > 0"}]), rows)
    assert listed(result, "BK") == ["U02"]


def test_quota_bases():
    rows = [{"s": s} for s in (95, 91, 85, 82, 80, 79, 60, 55, 50, 40)]
    classes = [{"label": "Xuất sắc", "min": 90}, {"label": "Tốt", "min": 75}, {"label": "Đạt", "min": 0}]
    result = run(doc(
        award("LEAD", {"count": 1}),
        award("X", {"percent": 50, "of": {"classification": "Tốt"}}, eligible={"min_total": 75}),  # 4 rated Tốt → 2
        award("Y", {"percent": 50, "of": "eligible"}, eligible={"min_total": 80}),  # 5 eligible → 2
        award("Z", {"percent": 100, "of": {"award": "LEAD"}}),  # 1 on LEAD → 1
        classification=classes), rows)
    assert column(result, "award.X.base")["U01"] == 4
    assert listed(result, "X") == ["U01", "U02"]
    assert column(result, "award.Y.base")["U01"] == 5
    assert listed(result, "Y") == ["U01", "U02"]
    assert listed(result, "Z") == ["U01"]


def test_per_all_ranks_on_the_overall_rank():
    rows = [{"s": 90, "group": "G1"}, {"s": 80, "group": "G1"}, {"s": 85, "group": "G2"}]
    result = run(doc(award("CO", {"count": 2}, per="all")), rows)
    assert listed(result, "CO") == ["U01", "U03"]
    result = run(doc(award("CO", {"count": 1})), rows)  # per group by default when groups exist
    assert listed(result, "CO") == ["U01", "U03"]


def test_eligible_awards_requires_an_earlier_list():
    result = run(doc(award("LDTT", {"percent": 100}, eligible={"min_total": 70}),
                     award("CSTD", {"count": 5}, eligible={"awards": ["LDTT"], "min_total": 80})), SEVEN)
    assert listed(result, "CSTD") == ["U01", "U02", "U03"]


@pytest.mark.parametrize("of", ["units", "eligible"])
def test_the_counted_units_of_every_quota_base(of):
    """The quota's base counts every unit under `units` and the eligible ones under `eligible`
    (the engine's `base` column, as decisions.py counts it)."""
    result = run(doc(award("A", {"percent": 100, "of": of}, eligible={"min_total": 75})), SEVEN)
    assert set(column(result, "award.A.base").values()) == {{"units": 7, "eligible": 4}[of]}
    assert listed(result, "A") == (["U01", "U02", "U03", "U04"])
