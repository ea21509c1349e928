"""Units equal after every tie-break follow their ids in Vietnamese order (collation.sort_key),
in the table, under ordinal ranks (in the group and overall) and in the sensitivity analysis."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from thidua.core.collation import ranks, sort_key
from thidua.core.sensitivity.basis import basis_of, draw
from thidua.input.load import parse_criteria

from .util import column, criteria, run

IDS = ["Yên Bái", "Ánh Sáng", "An Giang", "Đông Hà", "Dương Minh"]
ORDER = ["An Giang", "Ánh Sáng", "Dương Minh", "Đông Hà", "Yên Bái"]


def test_tied_units_follow_their_ids_in_vietnamese_order():
    result = run(criteria(), [{"id": i, "x": 50} for i in IDS])
    assert result.units.get_column("id").to_list() == ORDER
    assert column(result, "rank") == dict.fromkeys(IDS, 1)


def test_ordinal_ranks_follow_vietnamese_order_in_the_group_and_overall():
    doc = criteria(ranking={"method": "ordinal"})
    rows = [{"id": i, "x": 50, "group": "G1" if n % 2 else "G2"} for n, i in enumerate(IDS)]
    rows.append({"id": "X", "x": 90, "group": "G2"})
    result = run(doc, rows)
    assert column(result, "rank_overall") == {"X": 1, "An Giang": 2, "Ánh Sáng": 3, "Dương Minh": 4,
                                              "Đông Hà": 5, "Yên Bái": 6}
    assert column(result, "rank") == {"X": 1, "An Giang": 2, "Dương Minh": 3, "Yên Bái": 4,
                                      "Ánh Sáng": 1, "Đông Hà": 2}


def test_plain_ids_sort_their_numbers_by_value():
    doc = criteria(ranking={"method": "ordinal"})
    ids = ["X10", "X9", "x2", "X1"]
    result = run(doc, [{"id": i, "x": 50} for i in ids])
    assert result.units.get_column("id").to_list() == ["X1", "x2", "X9", "X10"]
    assert column(result, "rank") == {"X1": 1, "x2": 2, "X9": 3, "X10": 4}


def test_the_sensitivity_analysis_breaks_ties_as_the_engine_does():
    doc = criteria(ranking={"method": "ordinal"},
                   awards=[{"code": "BK", "name": "Bằng khen", "quota": {"count": 2}}])
    rows = [{"id": i, "x": 50} for i in IDS]
    c = parse_criteria(doc)
    result = run(doc, rows)
    assert column(result, "awards") == {"An Giang": ["BK"], "Ánh Sáng": ["BK"], "Dương Minh": [],
                                        "Đông Hà": [], "Yên Bái": []}
    basis = basis_of(c, result)
    d = draw(basis, np.ones((1, len(basis.tree.codes))))  # every weight as written: the engine's
    assert (d.rank[0] == basis.facts.rank[:-1]).all()
    assert all((d.on[i][0] == basis.facts.on[i][:-1]).all() and (d.flag[i][0] == basis.facts.flag[i][:-1]).all()
               for i in range(len(c.awards)))


TEXTS = st.text(st.sampled_from("aAăâbdđĐeêoôơuưxX0129 -"), max_size=6)


@given(st.lists(TEXTS, unique=True, max_size=30))
def test_ranks_are_the_places_in_sort_key_order(texts):
    places = ranks(pl.Series(texts, dtype=pl.String)).to_list()
    assert [t for _, t in sorted(zip(places, texts))] == sorted(texts, key=sort_key)


@given(st.lists(st.from_regex(r"[A-Za-z]{0,3}[0-9]{0,4}", fullmatch=True), unique=True, max_size=30))
def test_plain_ids_rank_as_sort_key_orders_them(texts):
    places = ranks(pl.Series(texts, dtype=pl.String)).to_list()
    assert [t for _, t in sorted(zip(places, texts))] == sorted(texts, key=sort_key)
