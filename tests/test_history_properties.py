"""What the history conditions promise (../shared/spec/council-path.md §5), for random conditions,
units and history rows (tests/strategies.py, history_cases): more history never takes a unit off
a list of streaks and counts, the order of the history rows changes nothing, and a streak of N
holds exactly when each of its N years does."""

from __future__ import annotations

from typing import Any

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from thidua.core.engine import Result, score
from thidua.input.load import parse_criteria

from .strategies import YEAR, history_cases, history_frame
from .util import frame


def _run(doc: dict[str, Any], rows: list[dict[str, Any]], history: list[tuple[str, int, str]]) -> Result:
    return score(parse_criteria(doc), frame(rows), earlier=history_frame(history))


def _lists(result: Result) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {"CS": set(), "H": set(), "ANY": set()}
    for unit, awards in result.units.select("id", "awards").rows():
        for code in awards:
            out[code].add(unit)
    return out


@given(history_cases(), st.data())
def test_more_history_never_takes_a_unit_off_a_list(case, data):
    doc, rows, history = case
    more = data.draw(st.lists(st.tuples(st.sampled_from([r["id"] for r in rows]),
                                        st.integers(YEAR - 6, YEAR - 1),
                                        st.sampled_from(["CS", "BK", "Xuất sắc"])), max_size=10))
    before = _lists(_run(doc, rows, history))
    after = _lists(_run(doc, rows, sorted(set(history) | set(more))))
    assert before["CS"] == after["CS"]  # the year scored does not read the history
    assert before["H"] <= after["H"]
    assert before["ANY"] <= after["ANY"]


@given(history_cases(), st.randoms(use_true_random=False))
def test_the_order_of_the_history_rows_changes_nothing(case, random):
    doc, rows, history = case
    shuffled = list(history)
    random.shuffle(shuffled)
    assert _run(doc, rows, shuffled).units.equals(_run(doc, rows, history).units)


@given(history_cases())
def test_a_streak_holds_only_when_every_year_of_it_holds(case):
    doc, rows, history = case
    result = _run(doc, rows, history)
    cs = _lists(result)["CS"]
    klass = dict(result.units.select("id", "classification").rows())
    eligible = dict(result.units.select("id", "award.H.eligible").rows())
    held = set(history)
    for unit in klass:
        every = True
        for cond in doc["awards"][1]["eligible"]["history"]:
            title = cond.get("title", cond.get("classification"))
            last = YEAR - 1 if cond.get("through") == "previous" else YEAR
            window = cond.get("streak", cond.get("within"))
            years = range(last - window + 1, last + 1)

            count = sum(_holds(unit, year, title, held, cs, klass) for year in years)
            every &= count == window if "streak" in cond else count >= cond["count"]
        assert eligible[unit] == every, (unit, doc["awards"][1]["eligible"]["history"])


def _holds(unit: str, year: int, title: str, held: set[tuple[str, int, str]], cs: set[str],
           klass: dict[str, str]) -> bool:
    """Whether `unit` holds `title` in `year`: a history row before YEAR; in YEAR, this run's CS
    list or class (BK is decided elsewhere: never in YEAR)."""
    if year < YEAR:
        return (unit, year, title) in held
    if title == "CS":
        return unit in cs
    return title == "Xuất sắc" and klass[unit] == title


def test_the_history_frame_is_what_the_reader_gives():
    assert history_frame([("U01", 2024, "CS")]).schema == pl.Schema(
        {"id": pl.String, "year": pl.Int64, "title": pl.String})
