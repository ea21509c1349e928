"""Ranks per group and overall, the three methods, the tie-break chain, row order."""

from __future__ import annotations

import pytest

from .util import column, criteria, leaf, run

LIN = {"type": "linear", "indicator": "a", "zero_at": 0, "full_at": 100}


def doc(method="competition", tie_break=()):
    return criteria([leaf("A", 10, **LIN), leaf("B", 10, type="linear", indicator="b", zero_at=0, full_at=100)],
                    ranking={"method": method, "tie_break": list(tie_break)})


ROWS = [  # totals: U01 15, U02 15, U03 15, U04 10 in G1; U05 12 in G2
    {"id": "U01", "a": 100, "b": 50, "c": 3},
    {"id": "U02", "a": 50, "b": 100, "c": 1},
    {"id": "U03", "a": 70, "b": 80, "c": 1},
    {"id": "U04", "a": 50, "b": 50, "c": 0},
    {"id": "U05", "a": 60, "b": 60, "c": 0, "group": "G2"},
]


@pytest.mark.parametrize("method, ranks", [
    ("competition", {"U01": 1, "U02": 1, "U03": 1, "U04": 4, "U05": 1}),
    ("dense", {"U01": 1, "U02": 1, "U03": 1, "U04": 2, "U05": 1}),
    ("ordinal", {"U01": 1, "U02": 2, "U03": 3, "U04": 4, "U05": 1}),
])
def test_methods(method, ranks):
    result = run(doc(method), ROWS)
    assert column(result, "rank") == ranks


def test_overall_rank_spans_groups():
    result = run(doc(), ROWS)
    assert column(result, "rank_overall") == {"U01": 1, "U02": 1, "U03": 1, "U05": 4, "U04": 5}


def test_tie_break_chain():
    # first higher points on A, then fewer of c
    result = run(doc(tie_break=[{"criterion": "B"}, {"indicator": "c", "order": "asc"}]), ROWS)
    assert column(result, "rank") == {"U02": 1, "U03": 2, "U01": 3, "U04": 4, "U05": 1}
    result = run(doc(tie_break=[{"indicator": "c", "order": "asc"}]), ROWS)
    assert column(result, "rank") == {"U02": 1, "U03": 1, "U01": 3, "U04": 4, "U05": 1}


def test_output_is_in_group_then_rank_then_id_order():
    result = run(doc(), list(reversed(ROWS)))
    assert result.units.get_column("id").to_list() == ["U01", "U02", "U03", "U04", "U05"]


def test_groups_sort_the_vietnamese_way_with_numbers_by_value():
    rows = [{"id": f"U{i}", "a": 50, "b": 50, "group": g} for i, g in enumerate(
        ["Cụm 10", "Cụm 2", "Khối Đảng", "Khối Dân vận", "Cụm 1"])]
    result = run(doc(), rows)
    assert list(dict.fromkeys(result.units.get_column("group").to_list())) == [
        "Cụm 1", "Cụm 2", "Cụm 10", "Khối Dân vận", "Khối Đảng"]


def test_without_groups_rank_is_the_overall_rank():
    doc = criteria([leaf("A", 10, **LIN)], units={"id": "id", "name": "name"})
    result = run(doc, [{"a": 50}, {"a": 70}, {"a": 50}])
    assert column(result, "rank") == {"U02": 1, "U01": 2, "U03": 2}
    assert column(result, "rank_overall") == column(result, "rank")


def test_take_puts_the_rows_of_a_chunked_table_in_order_and_empties_it():
    import polars as pl

    from thidua.core.ranking import take

    table = pl.concat([pl.DataFrame({"n": [10, 11, 12], "s": ["a", "b", "c"]}),
                       pl.DataFrame({"n": [13, 14], "s": ["d", None]})], rechunk=False)
    order = pl.Series([4, 0, 3, 1, 2], dtype=pl.UInt32)
    assert take(table, order).to_dict(as_series=False) == {"n": [14, 10, 13, 11, 12], "s": [None, "a", "d", "b", "c"]}
    assert table.width == 0
    empty = pl.DataFrame({"n": []}, schema={"n": pl.Int64})
    assert take(empty, pl.Series([], dtype=pl.UInt32)).shape == (0, 1)


def test_chunked_like_lays_a_frame_out_in_the_chunks_of_another_without_changing_it():
    import polars as pl

    from thidua.core.ranking import chunked_like

    like = pl.concat([pl.DataFrame({"a": [1, 2]}), pl.DataFrame({"a": [3, 4, 5]})], rechunk=False)
    frame = pl.DataFrame({"b": ["v", "w", "x", "y", "z"], "c": [0.5, 1.5, 2.5, 3.5, None]})
    out = chunked_like(frame, like)
    assert out.equals(frame)
    assert [out.get_column(n).chunk_lengths() for n in out.columns] == [[2, 3], [2, 3]]
    assert chunked_like(frame, like.rechunk()).n_chunks("all") == [1, 1]


@pytest.mark.parametrize("method", ["competition", "dense", "ordinal"])
@pytest.mark.parametrize("tie_break", [[], [{"criterion": "B"}], [{"indicator": "c", "order": "asc"}]])
def test_the_overall_rank_is_the_rank_of_the_keys(method, tie_break):
    """rank_overall (decisions.py) is the rank the ranking keys give, counted by hand: the units
    sorted by every key best first, then by id in Vietnamese order (was: the packed path against
    the unpacked one, two code paths that are now one)."""
    import random

    from thidua.core.collation import sort_key
    from thidua.core.ranking import key_names

    document = doc(method, tie_break) | {"precision": 1}
    rnd = random.Random(7)
    rows = [{"id": f"U{i:03d}", "a": rnd.choice([20, 40, 50, 60, 100]), "b": rnd.choice([0, 50, 100]),
             "c": rnd.choice([0, 1, 2])} for i in range(60)]
    rnd.shuffle(rows)
    result = run(document, rows)
    table = result.units
    names = key_names(result.criteria)
    keyed = sorted(table.select("id", *names).rows(), key=lambda r: ([-k for k in r[1:]], sort_key(r[0])))
    expected, place, distinct = {}, 0, 0
    for i, row in enumerate(keyed):
        new = i == 0 or row[1:] != keyed[i - 1][1:]
        distinct += new
        place = i + 1 if new or method == "ordinal" else place
        expected[row[0]] = distinct if method == "dense" else place
    got = dict(table.select("id", "rank_overall").rows())
    assert got == expected
    assert len(set(got.values())) > 5
