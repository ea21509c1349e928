"""Text numbers and yes/no words read fast when they are plain: a CSV of a million units is mostly
numbers written as Python and polars both read them ("95.5", "12", "1e3") and yes/no written as
the words are listed ("1", "0", "có").

`parse._number` reads a text number by our rules: stripped, a percent sign taken off, matched
against the dot convention, then cast; it is exact and slow (about ten times a bare cast). A bare
cast of the same text gives the same number whenever it gives a finite one: polars' float parser
reads no more than the dot convention does (no spaces, no '%', no commas, no '_', no other digits;
tests/test_fast_read.py compares the two on every kind of text), and NaN and the infinities it
also reads are bad values either way. So every column is read first by the bare cast, with a mask
of the rows where the cast gave a finite number or the cell was empty; a column where any row
falls outside the mask is read again, whole, by `parse._number`, with its percent mask. The
decimal-comma convention (1.234 is a thousand and more) is never read this way.

A yes/no column likewise: `parse._flag` strips, normalises, lowers the case and spaces every word
before it looks it up; a word already written as it is listed (parse.FLAG_WORDS, each stripped,
in NFC, lower case, single-spaced) is looked up as it is, and a column where any word is not is
read again, whole, by `parse._flag`.

Whether a spreadsheet's row is blank (every column we read empty) is told, for its text columns,
from the values once read (`filled`) rather than by stripping every cell once more: a number or a
word is there exactly when its value is (or, for a word, when it is a bad one), an id or a group
when its stripped text is not empty, a name when it is not empty once stripped.
"""

from __future__ import annotations

import polars as pl

from thidua.core.chunks import few_chunks
from thidua.input.data.parse import FLAG_WORDS, _flag, _number, percent_text

CLEAN = "\0plain "  # while reading: which rows of a text column the plain reading read


def plain_columns(kinds: dict[str, tuple[str, pl.DataType]], decimal_comma: bool) -> set[str]:
    """The loaded columns (key → (kind, dtype)) read first the plain way: text yes/no columns,
    and text number columns under the dot convention."""
    return {key for key, (kind, dtype) in kinds.items() if dtype == pl.String
            and (kind == "flag" or (kind == "number" and not decimal_comma))}


def plain_number(key: str, out: str) -> list[pl.Expr]:
    """The bare cast of a text column, and its mask of rows read (finite, or an empty cell)."""
    c = pl.col(key)
    number = c.cast(pl.Float64, strict=False)
    return [number.alias(out), (number.is_finite() | c.is_null()).fill_null(False).alias(CLEAN + out)]


def plain_flag(key: str, out: str) -> list[pl.Expr]:
    """A text column's words looked up as they are written, and its mask of rows read (a listed
    word, or an empty cell)."""
    c = pl.col(key)
    value = c.replace_strict(FLAG_WORDS, default=None, return_dtype=pl.Boolean)
    return [value.alias(out), (value.is_not_null() | c.is_null()).alias(CLEAN + out)]


def settle(plan: pl.LazyFrame, wide: pl.DataFrame, plain: dict[str, tuple[str, str, str]],
           percent: str) -> pl.DataFrame:
    """`wide` with every column of `plain` (out → (key, kind, name of its bad mask)) the plain
    reading did not read whole read again by parse._number (with its percent mask, named
    `percent` + out) or parse._flag (with its bad mask), the plain masks dropped. `plan` is the
    plan `wide` was collected from: its rows are in the same order."""
    if not plain:
        return wide
    whole = wide.select(pl.col(CLEAN + out).all().alias(out) for out in plain).row(0, named=True)
    wide = wide.drop([CLEAN + out for out in plain])
    again = [out for out in plain if not whole[out]]
    if not again:
        return wide.with_columns(pl.lit(False).alias(bad) for key, kind, bad in plain.values()
                                 if kind == "flag")
    exprs: list[pl.Expr] = []
    for out in again:
        key, kind, bad = plain[out]
        if kind == "flag":
            value, mask = _flag(key, pl.String())
            assert mask is not None  # a text column
            exprs += [value.alias(out), mask.fill_null(False).alias(bad)]
            continue
        exprs.append(_number(key, pl.String(), False).alias(out))
        pct = percent_text(key, pl.String())
        assert pct is not None  # a text column
        exprs.append(pct.alias(percent + out))
    slow = plan.select(exprs).collect()
    read = [pl.lit(False).alias(bad) for out, (key, kind, bad) in plain.items()
            if kind == "flag" and out not in again]
    return few_chunks(wide.with_columns(*slow.get_columns(), *read))


def filled(wide: pl.DataFrame, text: list[tuple[str, str, str]], column: str) -> pl.DataFrame:
    """`wide` with its filled mask (`column`: whether the row holds anything, so far told from its
    other columns) told from the text columns too: `text` lists (out, kind, name of its bad
    mask) for one field of each loaded text column."""
    if not text or column not in wide.columns:
        return wide
    told = []
    for out, kind, bad in text:
        c = pl.col(out)
        if kind == "number":
            told.append(c.is_not_null())
        elif kind == "flag":
            told.append(c.is_not_null() | pl.col(bad))
        elif kind == "name":
            told.append(c.str.strip_chars().fill_null("") != "")
        else:  # id and group are read stripped
            told.append(c.fill_null("") != "")
    return wide.with_columns((pl.col(column) | pl.any_horizontal(told)).alias(column))
