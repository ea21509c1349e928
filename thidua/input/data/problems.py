"""Every problem with the values, found over whole columns, written only for the rows that are
wrong (at most LIMIT per column): empty and duplicate ids, text that holds control characters or
looks mis-encoded, numbers and yes/no values that are not."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet

import polars as pl

from thidua.errors import Problem
from thidua.i18n import N_, _
from thidua.input.data.columns import _bad, _collect, _Field, _mask
from thidua.input.data.formats import _Table
from thidua.input.data.messages import KINDS, LIMIT, _capped, _rows, _short, _show, _visible, at
from thidua.input.data.parse import (
    COMMA,
    CONTROL,
    DOT,
    LEGACY_SIGN,
    NOT_FINITE,
    NUMBERISH,
    SHEET_ERROR,
    TEXT,
    YES_NO,
)


def _text_problems(table: _Table, wide: pl.DataFrame, fields: list[_Field],
                   survey: dict[str, bool], floats: AbstractSet[str] = frozenset()) -> list[Problem]:
    """Ids, names and groups that hold a control character, look like text in an old encoding
    (TCVN3, or UTF-8 read as Windows-1252), hold a spreadsheet's error, were a list or an object
    in a JSON file, or a NaN or an infinity in a number column (`floats`: those columns).
    `survey`: parse._text_survey of the columns."""
    text = [f for f in fields if f.kind in TEXT]
    found: list[tuple[int, int, Problem]] = []
    for f in text:
        nested = table.nested(int(f.key[1:]))
        found += [(r, int(f.key[1:]), Problem(at(r, f.column),
                                               _("a JSON {kind} is not a unit's {what}",
                                                 kind=_(JSON_KINDS.get(kind, kind)),
                                                 what=_(KINDS[f.kind]))))
                  for r, kind in nested[:LIMIT]]
        if f.out in floats:  # a number column as id, name or group: NaN and ±inf are no text
            odd = wide.filter(pl.col(f.out).is_in(["NaN", "inf", "-inf"])).select("row", f.out)
            found += [(r, int(f.key[1:]), Problem(at(r, f.column),
                                                  _("{value} is not a finite number, so not a "
                                                    "unit's {what}", value=_show(v),
                                                    what=_(KINDS[f.kind]))))
                      for r, v in odd.head(LIMIT).rows()]
        if not survey[f"odd:{f.out}"]:
            continue
        control = pl.col(f.out).str.contains(CONTROL)
        legacy = pl.col(f.out).str.count_matches(LEGACY_SIGN) >= 2
        error = pl.col(f.out).str.strip_chars().str.contains(f"^{SHEET_ERROR}$")
        bad = (wide.filter(control | legacy | error)
               .select("row", f.out, control.alias("control"), error.alias("error")))
        for r, value, is_control, is_error in bad.head(LIMIT).rows():
            char = re.search(CONTROL, value) if is_control else None
            message = (_("{value} holds the control character U+{code}", value=_show(value),
                         code=f"{ord(char[0]):04X}")
                       if char else
                       _("{value} is an error in the workbook (a formula that failed), "
                         "not a unit's {what}", value=_show(value), what=_(KINDS[f.kind]))
                       if is_error else
                       _("{value} looks like text in an old encoding (TCVN3/ABC, or UTF-8 "
                         "opened as Windows-1252), not Unicode; convert the file to Unicode "
                         "(e.g. with Unikey's converter) and save it again", value=_show(value)))
            found.append((r, int(f.key[1:]), Problem(at(r, f.column), message)))
        if bad.height > LIMIT:
            found.append((1 << 62, int(f.key[1:]),
                          Problem(f.column, _("… and {count} more such values", count=bad.height - LIMIT))))
    return [p for *_, p in sorted(found, key=lambda t: t[:2])]


def _problems(table: _Table, wide: pl.DataFrame, plan: pl.LazyFrame, fields: list[_Field],
              decimal_comma: bool) -> list[Problem]:
    checked = [f for f in fields if f.kind == "number" or _mask(f) in wide.columns]
    ident = next((f for f in fields if f.kind == "id"), None)
    counts = wide.select(_bad(f).sum().alias(f.out) for f in checked).row(0, named=True) if checked else {}
    if ident:
        ids = wide.get_column("id")
        counts |= {"\0empty": ids.null_count(), "\0unique": _different(ids.drop_nulls())}
    problems = _id_problems(wide, ident, counts) if ident else []
    bad = [f for f in checked if counts[f.out]]
    if not bad:
        return problems
    listed = {f.out: wide.filter(_bad(f)).get_column("row").head(LIMIT).to_list() for f in bad}
    wanted = sorted({r for rows in listed.values() for r in rows})
    keys = sorted({f.key for f in bad})
    raw = _collect(table, plan.filter(pl.col("row").is_in(wanted)).select("row", *keys))
    lookup = {k: dict(zip(raw.get_column("row"), raw.get_column(k), strict=True)) for k in keys}
    unit = _units(wide, wanted)
    found = []
    for f in bad:
        for r in listed[f.out]:
            value = lookup[f.key][r]
            message = (_number_message(value, decimal_comma) if f.kind == "number"
                       else _flag_message(value))
            found.append((r, int(f.key[1:]), Problem(at(r, f.column), unit(r) + message)))
    more = [Problem(f.column, _("… and {count} more bad values", count=counts[f.out] - LIMIT))
            for f in bad if counts[f.out] > LIMIT]
    return problems + [p for *_, p in sorted(found, key=lambda t: t[:2])] + more


def _marked_problems(table: _Table, wide: pl.DataFrame, fields: list[_Field],
                     problems: list[Problem]) -> list[Problem]:
    """Cells the file itself marks as untrustworthy (table.marked: XLSX formulas), at most LIMIT
    per column; a cell already named for its value is not named twice."""
    taken = {p.where for p in problems}
    found: list[tuple[int, int, Problem]] = []
    for f in fields:
        position = int(f.key[1:])
        marks = [(r, m) for r, m in table.marked(position) if at(r, f.column) not in taken]
        unit = _units(wide, [r for r, _m in marks[:LIMIT]]) if f.kind != "id" else lambda r: ""
        found += [(r, position, Problem(at(r, f.column), unit(r) + m))
                  for r, m in marks[:LIMIT]]
        if len(marks) > LIMIT:
            found.append((1 << 62, position,
                          Problem(f.column, _("… and {count} more such cells", count=len(marks) - LIMIT))))
    return [p for *_, p in sorted(found, key=lambda t: t[:2])]


def _units(wide: pl.DataFrame, rows: list[int]) -> Callable[[int], str]:
    """'unit X01: ' for a row, as a value's problem names its unit (nothing for an empty id)."""
    if "id" not in wide.columns:
        return lambda r: ""
    found = wide.filter(pl.col("row").is_in(rows)).select("row", "id")
    ids = dict(zip(found.get_column("row"), found.get_column("id"), strict=True))
    return lambda r: "" if ids.get(r) is None else _("unit {id}: ", id=_short(_visible(ids[r])))


def _different(ids: pl.Series) -> int:
    """How many different ids; counted between neighbours when the ids are in order, as a file
    usually lists them (20 times faster than hashing a million ids)."""
    if ids.is_sorted():
        return ids.len() - int((ids == ids.shift(1)).sum())
    return ids.n_unique()


def _id_problems(wide: pl.DataFrame, ident: _Field, counts: dict[str, int]) -> list[Problem]:
    problems: list[Problem] = []
    if counts["\0empty"]:
        empty = wide.filter(pl.col("id").is_null()).get_column("row")
        problems += _capped((Problem(at(r, ident.column), _("the unit id is empty"))
                             for r in empty), ident.column, N_("empty ids"))
    if counts["\0unique"] < wide.height - counts["\0empty"]:
        twice = (wide.filter(pl.col("id").is_duplicated() & pl.col("id").is_not_null())
                 .group_by("id", maintain_order=True).agg("row"))
        problems += _capped((Problem(ident.column, _("id {id} appears in rows {rows}",
                                                         id=f"'{_short(_visible(i))}'",
                                                         rows=_rows(r)))
                             for i, r in twice.rows()), ident.column, N_("duplicate ids"))
    return problems


def _number_message(value: object, decimal_comma: bool) -> str:
    shown = _show(value)
    if isinstance(value, float) and not math.isfinite(value):
        return _("{value} is not a finite number", value=shown)
    if not isinstance(value, str):
        return _("{value} is not a number", value=shown)
    text = value.strip()
    if EXCEL_ERROR.fullmatch(text):
        return _("{value} is an error in the workbook (a formula that failed), not a number",
                 value=shown)
    canon = text.replace(".", "").replace(",", ".") if decimal_comma else text
    if NOT_FINITE.fullmatch(text) or (re.fullmatch(DOT, canon) and math.isinf(float(canon))):
        return _("{value} is not a finite number", value=shown)
    if decimal_comma and NUMBERISH.fullmatch(text):
        return _("{value} is not a number in the decimal-comma convention", value=shown)
    if not decimal_comma and "," in text and re.fullmatch(COMMA, text):
        return _("{value} is not a number; written with a decimal comma it needs "
                 "--decimal-comma", value=shown)
    return _("{value} is not a number", value=shown)


def _flag_message(value: object) -> str:
    if isinstance(value, str) and EXCEL_ERROR.fullmatch(value.strip()):
        return _("{value} is an error in the workbook (a formula that failed), not a yes/no "
                 "value", value=_show(value))
    if isinstance(value, str) and value.strip().endswith("%"):
        return _("{value} is a percentage, not a yes/no value {choices}", value=_show(value),
                 choices=_(YES_NO))
    return _("{value} is not a yes/no value {choices}", value=_show(value), choices=_(YES_NO))


EXCEL_ERROR = re.compile(SHEET_ERROR)

JSON_KINDS = {"list": N_("list"), "object": N_("object")}

