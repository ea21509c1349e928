"""The list columns at the output edge: the one place they are joined into text.

Inside the program a unit's `knockouts`, `awards` and `flagged`, an award's `failed` conditions
and a reason's `tied_with` are List(String) columns (core/schema.py). The formats that need
text write them as their codes joined by ';' (docs/cli.md, "Machine-readable output"): CSV,
Parquet, the workbooks, the JSON of `explain`, and `verify` when it reads a file back. Every one
of them joins here; a writer for people (table, Markdown, HTML) lists the codes in words.
"""

from __future__ import annotations

from typing import Any

import polars as pl

SEPARATOR = ";"


def as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with every list column as text: its items joined by ';' (an empty list: "", a
    null: null). Only the rows with items are joined: most units have no knockout, award or
    flag, and joining a million empty lists costs half again as much as finding them."""
    return frame.with_columns(_joined(frame.get_column(c)) for c, t in frame.schema.items()
                              if isinstance(t, pl.List))


def _joined(lists: pl.Series) -> pl.Series:
    items = lists.list.eval(pl.element().cast(pl.String))
    some = (items.list.len() > 0).arg_true()
    text = pl.repeat("", len(items), dtype=pl.String, eager=True).alias(lists.name)
    return text.scatter(some, items.gather(some).list.join(SEPARATOR)).set(items.is_null(), None)


def value_text(value: Any) -> Any:
    """One cell as the text formats write it: a list's items joined by ';'; any other value as
    it is."""
    if isinstance(value, list | tuple):
        return SEPARATOR.join(map(str, value))
    return value
