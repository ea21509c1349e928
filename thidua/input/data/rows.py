"""Rows that are not units, and units that cannot be told apart from their cluster.

A council's sheet carries rows that are no units: a numbering row "(1) (2) …" under the header, a
total ("Tổng cộng") and a signature line ("TM. Hội đồng", "Người lập biểu") at the bottom. Each
is named with a hint (delete it, or list it under `units.skip`); a listed one is skipped and
told in a note. None is scored, none is dropped in silence (docs/criteria-format.md: rows that
are not units).

Then the units themselves: a name that is empty; a cluster that is not one of `units.groups`,
or, without that list, two spellings of one cluster ("Cụm Đồng Bằng" / "Cum Dong bang"), which
would each make a cluster and an award of their own.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable

import polars as pl

from thidua.errors import Problem
from thidua.i18n import N_, _, ngettext
from thidua.input.data.columns import Columns, _collect, _Field, did_you_mean
from thidua.input.data.formats import _Table
from thidua.input.data.messages import (
    LIMIT,
    _capped,
    _letters,
    _rows,
    _short,
    _show,
    _visible,
    at,
)
from thidua.input.data.parse import header_key, header_keys

# Matched on the cell's text as headers are matched (NFC, spaces collapsed, case folded).
TOTAL = r"^(?:tổng cộng|tổng số|tổng|cộng|cộng chung|total)(?:\s*[:(].*)?$"
SIGNATURE = (r"^(?:tm\.?\s|kt\.?\s|người lập|người kiểm tra|người duyệt|thủ trưởng|"
             r"chủ tịch|thư ký|xác nhận|ký tên|\(ký|.+,\s*ngày\b.*\btháng\b)")
NUMBERING = re.compile(r"\(\s*\d+\s*\)")
NUMBERISH = re.compile(r"\(?\s*\d+\s*\)?")
# What every total or signature cell begins with, or holds (a place and date), on NFC text: an
# anchored pattern and a literal, 50 times faster over a million names than one search
SIEVE = r"^\s*(?i:tổng|cộng|total|tm|kt|người|thủ|chủ|thư|xác|ký|\(ký)"
DATED = ("ngày", "Ngày", "NGÀY")
MAX_LOOKED = 1000  # rows with an empty id whose cells are looked at for a signature line (the
# rows whose id or name reads as a total or a signature are all looked at)


def not_units(table: _Table, wide: pl.DataFrame, plan: pl.LazyFrame, fields: list[_Field],
              columns: Columns) -> tuple[pl.DataFrame, list[Problem], list[tuple[int, str]]]:
    """(the units, a problem for each row that is no unit, the rows skipped as units.skip
    lists them: (row, the cell's text))."""
    text = [f for f in fields if f.kind in ("id", "name") and f.out in wide.columns]
    if not text:
        return wide, [], []
    # a cheap first sieve over the whole column (the text is NFC already); the rows it lets
    # through are decided in Python as headers are matched
    marked = pl.any_horizontal(
        (pl.col(f.out).str.contains(SIEVE) | pl.col(f.out).str.contains_any(list(DATED)))
        .fill_null(False) for f in text)
    skip_keys = {header_key(x) for x in columns.skip}
    if columns.skip:
        marked |= pl.any_horizontal(header_keys(pl.col(f.out)).is_in(sorted(skip_keys)).fill_null(False)
                                    for f in text)
    empty_id = pl.col("id").is_null() if "id" in wide.columns else pl.lit(False)
    top = wide.head(1)
    numbered = any(NUMBERISH.fullmatch(str(top.get_column(f.out)[0] or "").strip())
                   for f in text)  # the first row may be the columns' numbers
    first = pl.col("row") == top.get_column("row")[0]
    # every row whose id or name reads as a total or a signature line (or is listed under
    # units.skip) is looked at, however many pass the sieve: 1,100 units named "Thư viện …"
    # once filled the first MAX_LOOKED and let a "Tổng cộng" row below them be scored as a unit.
    # Rows without an id are errors anyway; of those, the first MAX_LOOKED are looked at.
    sieved = wide.filter(marked)
    keys = [header_keys(pl.col(f.out)) for f in text]
    certain = pl.any_horizontal((k.str.contains(TOTAL) | k.str.contains(SIGNATURE)).fill_null(False)
                                for k in keys)
    if columns.skip:
        certain |= pl.any_horizontal(k.is_in(sorted(skip_keys)).fill_null(False) for k in keys)
    candidates = pl.concat([
        sieved.filter(certain).get_column("row"),
        wide.filter(empty_id | (first & numbered)).get_column("row").head(MAX_LOOKED),
    ]).unique().sort()
    if candidates.is_empty():
        return wide, [], []
    if numbered or wide.select(empty_id.any()).item():  # cells of every column are needed
        raw = _collect(table, plan.filter(pl.col("row").is_in(candidates.implode()))
                       .select("row", *dict.fromkeys(f.key for f in fields)))
    else:  # the id and name cells tell: no second reading of the file
        fields = text
        raw = (wide.filter(pl.col("row").is_in(candidates.implode()))
               .select("row", *(pl.col(f.out).alias(f.key) for f in text)))
    skip = {header_key(s) for s in columns.skip}
    problems: list[tuple[int, int, Problem]] = []
    skipped: list[tuple[int, str]] = []
    gone: set[int] = set()
    for record in raw.iter_rows(named=True):  # the few candidate rows only
        r = record["row"]
        cells = [(f, _cell(record[f.key])) for f in fields]
        filled = [(f, v) for f, v in cells if v]
        listed = next((v for f, v in filled if header_key(v) in skip), None)
        if listed is not None:
            skipped.append((r, listed))
            gone.add(r)
            continue
        found = _what(r, filled, is_first=r == raw.get_column("row").min()
                      and r == wide.get_column("row").min())
        if found:
            f, message = found
            problems.append((r, int(f.key[1:]), Problem(at(r, f.column), message)))
            gone.add(r)
    units = wide.filter(~pl.col("row").is_in(sorted(gone))) if gone else wide
    return units, [p for *_, p in sorted(problems, key=lambda t: t[:2])], skipped


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return str(int(value))
    return str(value).strip()


def _what(row: int, filled: list[tuple[_Field, str]], *, is_first: bool
          ) -> tuple[_Field, str] | None:
    """The cell that shows a row is no unit, and the message; None for a unit."""
    if is_first and len(filled) >= 2 and _numbering([v for _, v in filled]):
        f, v = filled[0]
        shown = ", ".join(f"'{_short(x, 8)}'" for _f, x in filled[:3])
        return f, _("{shown}, … is a numbering row under the header (the columns' numbers), "
                    "not a unit: delete the row, or list {value} under units.skip", shown=shown,
                    value=f"'{_visible(v)}'")
    for f, v in filled:
        key = header_key(v)
        if f.kind in ("id", "name") and re.search(TOTAL, key):
            return f, _("{value} is a total row, not a unit: it is never scored; delete the "
                        "row, or list {short} under units.skip", value=_show(v),
                        short=f"'{_short(_visible(v))}'")
    for f, v in filled:
        if re.search(SIGNATURE, header_key(v)) and (f.kind in ("id", "name")
                                                    or not any(g.kind == "id" for g, _v in filled)):
            return f, _("{value} is a signature line, not a unit: delete the row, or list "
                        "{short} under units.skip", value=_show(v),
                        short=f"'{_short(_visible(v))}'")
    return None


def _numbering(values: list[str]) -> bool:
    """"(1)", "(2)", … in every filled cell, or whole numbers rising from left to right."""
    if all(NUMBERING.fullmatch(v) for v in values):
        return True
    if not all(v.isdigit() for v in values):
        return False
    numbers = [int(v) for v in values]
    return all(a < b for a, b in itertools.pairwise(numbers))


def merge_problems(table: _Table, wide: pl.DataFrame) -> list[Problem]:
    """Merged cells that meet a unit's row anywhere but down the group column (xlsx.py fills
    those): a merged cell holds its value in its first cell only, so the others would read as
    empty or as a neighbour's value."""
    if not table.merges:
        return []
    rows = wide.get_column("row")
    low, high = int(rows.min()), int(rows.max())  # type: ignore[arg-type]
    units = set(rows.filter(rows.is_between(low, high)).to_list())
    found = []
    for r1, c1, r2, c2, head in table.merges:
        hit = next((r for r in range(max(r1, low), min(r2, high) + 1) if r in units), None)
        if hit is None:
            continue
        ref = f"{_letters(c1 - 1)}{r1}" + (f":{_letters(c2 - 1)}{r2}" if (r1, c1) != (r2, c2) else "")
        found.append(Problem(at(r1, _visible(head)) if head else _("row {row}", row=r1), _(
            "the cells {ref} are merged; only the group column's cells may be merged, down the "
            "units of one cluster: unmerge them and write each unit's value in its own cell",
            ref=ref)))
    return _capped(found, "", N_("merged ranges"))


def _fold(text: str) -> str:
    """A cluster's name without case, spacing or diacritics ("cum dong bang")."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(ch for ch in plain if not unicodedata.combining(ch)).split()).casefold()


def _folds(values: list[str]) -> list[str]:
    """_fold of every value, over the whole column: _fold is a mapping of each character (NFD,
    combining marks dropped, case folded, white space made a space) and then the spaces made
    single and trimmed, so each distinct character is folded once, in Python."""
    def one(ch: str) -> str:
        plain = unicodedata.normalize("NFD", ch.replace("đ", "d").replace("Đ", "D"))
        kept = "".join(" " if x.isspace() else x for x in plain if not unicodedata.combining(x))
        return kept.casefold()

    chars = sorted({ch for ch in set("".join(values)) if one(ch) != ch})
    folded = pl.Series(values, dtype=pl.String)
    if chars:
        folded = folded.str.replace_many(chars, [one(ch) for ch in chars])
    return folded.str.replace_all(" +", " ").str.strip_chars(" ").to_list()


def unit_problems(wide: pl.DataFrame, fields: list[_Field], columns: Columns
                  ) -> tuple[list[Problem], list[str]]:
    """(problems, notes): empty names; clusters not listed in units.groups, or spelled two ways
    without the list; a listed cluster no unit belongs to (a note)."""
    problems: list[Problem] = []
    notes: list[str] = []
    by = {f.out: f for f in fields}
    ident: Callable[[int], str] = (lambda r: "") if "id" not in wide.columns else _unit_of(wide)
    if "name" in by and "name" in wide.columns:
        nameless = pl.col("name").str.strip_chars().fill_null("") == ""
        if "id" in wide.columns:  # a row without its id is named for that already
            nameless &= pl.col("id").is_not_null()
        empty = wide.filter(nameless).get_column("row")
        problems += _capped((Problem(at(r, by["name"].column),
                                     ident(r) + _("the unit name is empty")) for r in empty),
                            by["name"].column, N_("empty names"))
    if "group" not in by or "group" not in wide.columns:
        return problems, notes
    column = by["group"].column
    seen = (wide.lazy().filter(pl.col("group").is_not_null())
            .group_by("group", maintain_order=True)
            .agg(pl.col("row").head(5), pl.len().alias("n")).collect())
    values = dict(zip(seen.get_column("group").to_list(), seen.get_column("row").to_list(),
                      strict=True))
    counts = dict(zip(seen.get_column("group").to_list(), seen.get_column("n").to_list(),
                      strict=True))
    if columns.groups is not None:
        listed = [unicodedata.normalize("NFC", g).strip() for g in columns.groups]
        odd = [v for v in values if v not in listed]
        strays = (wide.filter(pl.col("group").is_in(odd)).select("row", "group")
                  .head(LIMIT + 1).rows() if odd else [])
        more = sum(counts[v] for v in odd) - min(len(strays), LIMIT)
        problems += [Problem(at(r, column), ident(r) + _(
            "the cluster {value} is not one of units.groups ({listed})", value=_show(v),
            listed=", ".join(repr(g) for g in listed[:10])) + did_you_mean(v, listed))
            for r, v in strays[:LIMIT]]
        if more > 0:
            problems.append(Problem(column, _("… and {count} more units outside the listed "
                                              "clusters", count=more)))
        notes += [_("units.groups lists {name}, but no unit belongs to it",
                    name=f"'{_visible(g)}'")
                  for g in listed if g not in values]
        return problems, notes
    spellings: dict[str, list[str]] = {}
    for v, key in zip(values, _folds(list(values)), strict=True):
        spellings.setdefault(key, []).append(v)
    for names in spellings.values():
        if len(names) > 1:
            shown = _(" and ").join(
                ngettext("{name} (row {rows})", "{name} (rows {rows})", counts[n], name=_show(n),
                         rows=_rows(values[n], 5) + ", …" * (counts[n] > 5))
                for n in names)
            problems.append(Problem(column, _(
                "{shown} differ only in case, spacing or diacritics: a typo would make a cluster "
                "(and an award) of its own; write each cluster's name one way, or list the "
                "clusters under units.groups", shown=shown)))
    return problems, notes


def _unit_of(wide: pl.DataFrame) -> Callable[[int], str]:
    """'unit X01: ' for a row (looked up only for the few rows named)."""
    def of(r: int) -> str:
        found = wide.filter(pl.col("row") == r).get_column("id")
        return "" if found.is_empty() or found[0] is None else _("unit {id}: ", id=_short(_visible(found[0])))
    return of


def skipped_note(skipped: Iterable[tuple[int, str]]) -> str | None:
    listed = list(skipped)
    if not listed:
        return None
    shown = ", ".join(f"{r} ('{_short(_visible(v))}')" for r, v in listed[:LIMIT])
    more = _(", … ({count} rows)", count=len(listed)) if len(listed) > LIMIT else ""
    return ngettext("skipped row {rows}: listed under units.skip, not units",
                    "skipped rows {rows}: listed under units.skip, not units", len(listed),
                    rows=shown + more)
