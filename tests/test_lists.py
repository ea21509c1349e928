"""output/lists.py: list columns joined into text where a format needs text."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from thidua.output.lists import as_text

CODES = st.lists(st.one_of(st.none(), st.lists(st.sampled_from(["CO", "BK", "Đ", "a b", ""]), max_size=3)))
NUMBERS = st.lists(st.one_of(st.none(), st.lists(st.integers(-5, 5), max_size=2)))


def test_lists_become_their_items_joined_by_semicolons():
    frame = pl.DataFrame({"awards": pl.Series([["CO", "BK"], [], None, ["Đ"]], dtype=pl.List(pl.String)),
                          "n": [1, 2, 3, 4]})
    assert as_text(frame).to_dict(as_series=False) == {"awards": ["CO;BK", "", None, "Đ"], "n": [1, 2, 3, 4]}


@given(CODES, NUMBERS)
def test_joining_only_the_rows_with_items_is_joining_every_row(codes, numbers):
    n = min(len(codes), len(numbers))
    frame = pl.DataFrame({"codes": pl.Series(codes[:n], dtype=pl.List(pl.String)),
                          "numbers": pl.Series(numbers[:n], dtype=pl.List(pl.Int64)), "row": list(range(n))})
    every = frame.with_columns(pl.col(c).list.eval(pl.element().cast(pl.String)).list.join(";")
                               for c in ("codes", "numbers"))
    assert as_text(frame).equals(every)
