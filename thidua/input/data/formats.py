"""Opening a CSV, Parquet or JSON file (an .xlsx workbook: xlsx.py) as a `_Table`: its header as
written, and a loader of the columns at given positions, every row."""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from thidua.errors import Problem
from thidua.i18n import N_, _, thousands
from thidua.input.data.messages import (
    _capped,
    _first_line,
    _short,
    _show,
    _Unreadable,
    _visible,
    at,
)


@dataclass(frozen=True)
class _Table:
    kind: str  # for messages: "cannot be read as {kind}"
    header: tuple[str, ...]  # column names as written in the file, in order
    load: Callable[[list[int]], pl.LazyFrame]  # the columns at these positions, every row
    first_row: int  # where a person finds the first unit: spreadsheet row or record number
    spreadsheet: bool  # CSV and XLSX: a wholly blank row is a gap, not a unit
    no_units: str = N_("the file has a header row but no units")  # translated where shown
    # JSON: the records (row, "list" or "object") whose value at this position is not a value
    nested: Callable[[int], list[tuple[int, str]]] = lambda position: []
    # XLSX: (row, message) of the cells at this position whose value cannot be trusted
    marked: Callable[[int], list[tuple[int, str]]] = lambda position: []
    sheet: str | None = None  # XLSX: the worksheet read
    # Parquet: the problems that explain why loading failed, found column by column ([]: none)
    explain: Callable[[], list[Problem]] = list
    notes: tuple[str, ...] = ()  # XLSX: what was read otherwise than the reader gives it
    merges: tuple[tuple[int, int, int, int, str], ...] = ()  # XLSX: merged cells below the header


def _open_csv(path: Path) -> _Table:
    with path.open("rb") as f:
        start = f.read(1 << 16)
    if b"\r" in start and b"\n" not in start:
        raise _Unreadable(_("its lines end with a lone carriage return (an old Mac format) that "
                            "the reader does not split on; save it again as 'CSV UTF-8'"))
    header = _csv_header(path, ",")
    sep = ";" if len(header) == 1 and ";" in header[0] else ","  # Excel's CSV on vi-VN systems
    if sep == ";":
        header = _csv_header(path, sep)

    def load(positions: list[int]) -> pl.LazyFrame:
        try:  # everything as text: "007" stays "007", numbers follow our rules
            return pl.read_csv(path, separator=sep, infer_schema=False, columns=positions, glob=False).lazy()
        except pl.exceptions.ComputeError as e:
            raise _Unreadable(*_csv_failure(path, sep, len(header), e)) from None

    return _Table("CSV", tuple(header), load, first_row=2, spreadsheet=True)


MAX_HEADER_BYTES = 1 << 20  # the header row must end within the file's first MiB


def _csv_header(path: Path, sep: str) -> list[str]:
    with path.open("rb") as f:
        start = f.read(MAX_HEADER_BYTES + 1)
    if len(start) > MAX_HEADER_BYTES:
        end = start.find(b"\n")
        if end < 0:
            raise _Unreadable(_("the first row (the header) does not end within the first "
                                "{size} bytes; it must hold only the column names",
                                size=thousands(MAX_HEADER_BYTES)))
        start = start[: end + 1]
    try:
        text = start.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        if e.start < len(start) - 3:  # not only a character cut at the end of what was read
            raise _Unreadable(_not_utf8_in(start, e.start)) from None
        text = start[: e.start].decode("utf-8-sig")
    try:
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=sep), [])
    except csv.Error as e:
        raise _Unreadable(_("cannot be read as {kind}: {error}", kind="CSV", error=e)) from None
    if not any(h.strip() for h in header):
        raise _Unreadable(_("the first row is empty; it must hold the column names"))
    return header


def _csv_failure(path: Path, sep: str, width: int, error: Exception) -> list[Problem]:
    """Why polars could not read the file, found by reading it again as a stream of records."""
    if (bad := _first_bad_byte(path)) is not None:
        return [Problem("", _not_utf8(*bad))]
    hint = _("; a value written with a decimal comma must be quoted (\"95,5\")") if sep == "," else ""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            long_rows = [
                Problem(_("row {row}", row=n), _("{count} values but the header has {width} "
                                                 "columns", count=len(rec), width=width) + hint)
                for n, rec in enumerate(csv.reader(f, delimiter=sep), 1) if len(rec) > width]
    except csv.Error:
        long_rows = []
    problems = _capped(long_rows, "", N_("rows with too many values"))
    return problems or _unclosed_quote(path, sep) or [
        Problem("", _("cannot be read as {kind}: {error}", kind="CSV", error=_first_line(error)))]


def _unclosed_quote(path: Path, sep: str) -> list[Problem]:
    row = 1
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            for row, _record in enumerate(csv.reader(f, delimiter=sep, strict=True), 1):  # noqa: B007 (row: read after the loop)
                pass
    except csv.Error:
        return [Problem(_("row {row}", row=row + 1), _('a quote (") opens a value that is never '
                                                       'closed; write a quote inside a value as '
                                                       'two ("")'))]
    return []


def _first_bad_byte(path: Path) -> tuple[int, int, bytes] | None:
    """(line, byte, the file's first bytes) of the first byte that is not UTF-8, the file read in
    chunks; None when it is all UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 0
    with path.open("rb") as f:
        start = f.read(4)
        f.seek(0)
        while chunk := f.read(1 << 22):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as e:
                at = e.start - len(e.object) + len(chunk)  # e.object: what was held over + chunk
                return lines + chunk.count(b"\n", 0, max(at, 0)) + 1, e.object[e.start], start
            lines += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as e:
            return lines + 1, e.object[e.start], start
    return None


def _not_utf8_in(data: bytes, at: int, kind: str = "CSV") -> str:
    return _not_utf8(data.count(b"\n", 0, at) + 1, data[at], data[:4], kind)


def _not_utf8(line: int, byte: int, start: bytes, kind: str = "CSV") -> str:
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        what = _("is UTF-16 text, not UTF-8")
    else:
        what = _("is not UTF-8 text (byte {byte} on line {line})", byte=f"0x{byte:02X}", line=line)
    if kind == "JSON":
        return what + _("; save it with the encoding UTF-8")
    return what + _("; save it as 'CSV UTF-8' (or use the .xlsx file)")


def _open_parquet(path: Path) -> _Table:
    try:
        schema = pl.read_parquet_schema(path)
    except pl.exceptions.ComputeError as e:
        raise _Unreadable(_("is not a Parquet file: {error}", error=_first_line(e))) from None
    header = tuple(schema)

    def load(positions: list[int]) -> pl.LazyFrame:
        # categorical and enum columns are text with a dictionary: read as the text they hold
        return pl.scan_parquet(path, glob=False).select(
            pl.col(header[i]).cast(pl.String)
            if isinstance(schema[header[i]], pl.Categorical | pl.Enum) else pl.col(header[i])
            for i in positions)

    return _Table("Parquet", header, load, first_row=1, spreadsheet=False,
                  no_units=N_("the file has no units"), explain=lambda: _bad_text(path, schema))


def _bad_text(path: Path, schema: dict[str, pl.DataType]) -> list[Problem]:
    """The text columns that hold bytes that are not UTF-8, each with the first such record
    (found by halving: a slice of a column is decoded alone)."""
    def fails(column: str, offset: int, length: int) -> bool:
        try:
            pl.scan_parquet(path, glob=False).select(column).slice(offset, length).collect()
        except pl.exceptions.ComputeError:
            return True
        return False

    problems: list[Problem] = []
    height = pl.scan_parquet(path, glob=False).select(pl.len()).collect().item()
    for column, dtype in schema.items():
        if dtype != pl.String or not fails(column, 0, height):
            continue
        low, high = 0, height
        while high - low > 1:  # the first bad record lies in [low, high)
            middle = (low + high) // 2
            if fails(column, low, middle - low):
                high = middle
            else:
                low = middle
        if low == 0 and height > 1 and fails(column, height - 1, 1):  # first and last fail:
            where = _visible(column)  # the column's dictionary of values holds the bad text
        else:
            where = at(low + 1, _visible(column))
        problems.append(Problem(where, _("holds text that is not UTF-8; write the file again "
                                         "with its text encoded as UTF-8")))
    return problems


class _Twice(dict):
    """A JSON object that named one key twice (json would silently keep the last value)."""

    key: str


def _pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    record = dict(pairs)
    if len(record) == len(pairs):
        return record
    seen: set[str] = set()
    twice = _Twice(record)
    for key, _value in pairs:
        if key in seen:
            twice.key = key
            break
        seen.add(key)
    return twice


def _big_int(text: str) -> int | str:
    """An integer too long for a float stays text, to be reported as not a finite number."""
    return text if len(text) > 300 else int(text)


def _open_json(path: Path, decimal_comma: bool) -> _Table:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
        records = json.loads(text, object_pairs_hook=_pairs, parse_int=_big_int)
    except UnicodeDecodeError as e:
        raise _Unreadable(_not_utf8_in(data, e.start, "JSON")) from None
    except json.JSONDecodeError as e:
        where = _("line {line}, column {column}", line=e.lineno, column=e.colno)
        raise _Unreadable(_("is not valid JSON ({where}: {error})", where=where, error=e.msg)) from None
    except RecursionError:
        raise _Unreadable(_("is nested too deeply (lists or objects inside each other) to be a "
                            "table of units")) from None
    if not isinstance(records, list):
        raise _Unreadable(_("must hold an array of objects, one per unit"))
    if not records:
        raise _Unreadable(_("the file has no units"))
    strays = (Problem(_("row {row}", row=n), _("is not an object")) for n, r in enumerate(records, 1)
              if not isinstance(r, dict))
    if problems := _capped(strays, "", N_("records that are not objects")):
        raise _Unreadable(*problems)
    twice = (Problem(_("row {row}", row=n), _("names the key {key} twice",
                                              key=f"'{_short(_visible(r.key))}'"))
             for n, r in enumerate(records, 1) if isinstance(r, _Twice))
    if problems := _capped(twice, "", N_("records that name a key twice")):
        raise _Unreadable(*problems)
    if LONE_SURROGATE.search(text) and (problems := _capped(_surrogates(records), "",
                                                           N_("values that hold a lone "
                                                              "surrogate"))):
        raise _Unreadable(*problems)
    keys: dict[str, None] = {}
    for record in records:
        keys.update(dict.fromkeys(record))
    header = tuple(keys)

    def load(positions: list[int]) -> pl.LazyFrame:
        return pl.DataFrame([_json_column(records, header[i], decimal_comma)
                             for i in positions]).lazy()

    def nested(position: int) -> list[tuple[int, str]]:
        key = header[position]
        return [(n, "list" if isinstance(v, list) else "object")
                for n, r in enumerate(records, 1) if isinstance(v := r.get(key), list | dict)]

    return _Table("JSON", header, load, first_row=1, spreadsheet=False,
                  no_units=N_("the file has no units"), nested=nested)


LONE_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")  # the escape of one half of a pair


def _surrogates(records: list[dict[str, object]]) -> Iterator[Problem]:
    """Keys and values holding half of a UTF-16 pair ("\\ud800" alone): JSON can write it, but it
    is no character, and no text of the program can hold it."""
    for n, record in enumerate(records, 1):
        for key, value in record.items():
            if not _encodes(key):
                yield Problem(_("row {row}", row=n), _("the key {key} {what}",
                                                       key=f"'{_visible(key)}'", what=_(_HALF)))
            elif not _encodes(value if isinstance(value, str)
                              else json.dumps(value, ensure_ascii=False)):
                yield Problem(at(n, _visible(key)), f"{_show(value)} {_(_HALF)}")


_HALF = N_("holds a lone surrogate (half of a \\u escape pair), which is no character; write "
           "the character itself, or both halves of its pair")


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _json_column(records: list[dict[str, object]], key: str, decimal_comma: bool) -> pl.Series:
    """One field of every record. A field that mixes kinds is kept as text, its numbers written
    in the file's convention so that they read back as the same numbers."""
    values = [r.get(key) for r in records]
    kinds = set(map(type, values)) - {type(None)}
    if kinds <= {str} or kinds == {bool}:
        return pl.Series(key, values, dtype=pl.Boolean if kinds == {bool} else pl.String)
    if kinds == {int}:
        try:
            return pl.Series(key, values, dtype=pl.Int64)
        except (OverflowError, TypeError):
            pass
    elif kinds <= {int, float}:
        return pl.Series(key, values, dtype=pl.Float64)
    text = [None if v is None else _json_text(v, decimal_comma) for v in values]
    return pl.Series(key, text, dtype=pl.String)


def _json_text(value: object, decimal_comma: bool) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float) and decimal_comma and math.isfinite(value):
        return repr(value).replace(".", ",")
    return json.dumps(value, ensure_ascii=False)
