"""A council's data file → one clean polars frame, or every problem in it at once.

The frame holds `id`, `name`, `group` (when configured), one column per indicator (Float64 for
numbers, Boolean for yes/no) and `row`, where a person finds the unit in the file. Nothing is
guessed: a value that is not what it must be is a problem naming its row, column and value.
Values are parsed by polars expressions over whole columns; Python only writes the messages for
the few rows that are wrong.

No row is lost: every row of the file becomes a unit, or the run fails naming the row, or (CSV
and XLSX only) it is a blank row, one where every column the criteria read is empty, which is
skipped and counted (`Reading`; the CLI says "skipped N blank rows (…)" and the manifest keeps
the count). Hostile files meet limits before any real work: only a regular file is read, no
larger than MAX_FILE_BYTES allows for its format; an .xlsx is refused when it would unzip past
MAX_XLSX_EXPANDED (told by its zip directory, or counted while every member is inflated once
before the reader sees it), or when its cells span more than MAX_SHEET_CELLS (the reader would
allocate the whole rectangle); JSON nested too deeply, an integer too long, a key named twice in
a record, a lone surrogate, text that holds control characters, a spreadsheet's error (#N/A) or
looks like TCVN3 or mis-decoded UTF-8 are each reported at their row. A workbook's formula
whose stored value no spreadsheet application computed is named at its cell.

The modules, in the order of the reading: formats, xlsxzip and xlsx (opening a file as a table)
→ columns (the header, and the columns we load) → parse (values as expressions over whole
columns) → problems (the rows that are wrong, each named); messages writes them.
"""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from thidua.core.chunks import few_chunks
from thidua.errors import DataError, Problem
from thidua.i18n import _, ngettext, system, thousands
from thidua.input.data.columns import (
    FILLED,
    PERCENT,
    RESERVED,
    Columns,
    _check_types,
    _collect,
    _Field,
    _fields,
    _mask,
    _match,
    _plan,
    _values,
    told_filled,
)
from thidua.input.data.fast import plain_columns, settle
from thidua.input.data.formats import _open_csv, _open_json, _open_parquet, _Table
from thidua.input.data.messages import LIMIT, _Unreadable, _visible
from thidua.input.data.parse import (
    COMMA,
    CONTROL,
    DOT,
    FLAG_WORDS,
    LEGACY_SIGN,
    NAN,
    NFC_SAFE,
    NO,
    NOT_FINITE,
    NOT_SURELY_NFC,
    NUMBERISH,
    TEXT,
    YES,
    YES_NO,
    _text_survey,
    _tidy_text,
)
from thidua.input.data.problems import _marked_problems, _problems, _text_problems
from thidua.input.data.rows import merge_problems, not_units, skipped_note, unit_problems
from thidua.input.data.xlsx import _open_xlsx

__all__ = [
    "COMMA", "CONTROL", "DOT", "FILLED", "FLAG_WORDS", "LEGACY_SIGN", "LIMIT", "MAX_FILE_BYTES",
    "MAX_SHEET_CELLS", "MAX_XLSX_EXPANDED", "NAN", "NFC_SAFE", "NO", "NOT_FINITE", "NOT_SURELY_NFC",
    "NUMBERISH", "RESERVED", "TEXT", "YES", "YES_NO",
    "Columns", "Reading", "read_data", "readings", "sha256_file",
]

MAX_XLSX_EXPANDED = 200_000_000  # bytes an .xlsx may unzip to; a zip bomb is refused unopened
MAX_SHEET_CELLS = 30_000_000  # rows × columns a sheet's cells may span: the reader allocates all
# Bytes a data file may have on disk, checked before it is opened. CSV and Parquet are read by
# polars, only the columns the criteria use (a million units is about 220 MB of CSV); JSON is
# parsed whole into Python objects, several times its size; an .xlsx is bounded again by what
# it unzips to.
MAX_FILE_BYTES = {".csv": 1_000_000_000, ".parquet": 1_000_000_000, ".json": 200_000_000,
                  ".xlsx": 200_000_000}


@dataclass(frozen=True)
class Reading:
    """What became of a data file's rows: every row is a unit, or a blank row that was skipped.

    A blank row is a CSV or XLSX row where every column the criteria use is empty (a gap, a
    spacer line, a row holding only notes in other columns). It is no unit, and it is counted
    here so that no row leaves the file unnoticed; the CLI reports the count.
    """

    source: str
    rows: int  # data rows below the header (records in Parquet and JSON)
    units: int
    blank: int  # rows skipped as blank: rows == units + blank
    blank_rows: tuple[int, ...] = field(default=())  # the first LIMIT of them, as row numbers
    sheet: str | None = None  # .xlsx: the worksheet read (see docs/cli.md: which sheet)
    # what was read otherwise than written, for the CLI's notes: percentages, merged group
    # cells, rows listed under units.skip (not counted in `rows`), listed clusters without units
    notes: tuple[str, ...] = ()


_readings: ContextVar[list[Reading] | None] = ContextVar("thidua_readings", default=None)


@contextmanager
def readings() -> Iterator[list[Reading]]:
    """Within the block, every successful read_data appends its Reading to the list yielded."""
    found: list[Reading] = []
    token = _readings.set(found)
    try:
        yield found
    finally:
        _readings.reset(token)


def read_data(path: str | Path, columns: Columns, *, decimal_comma: bool = False,
              sheet: str | None = None) -> pl.DataFrame:
    """Read a .csv, .xlsx, .parquet or .json file; raise one DataError listing every problem."""
    source = str(path)
    try:
        table = _open(Path(path), sheet, columns, decimal_comma)
        positions, problems = _match(table, columns)
        if not positions:
            raise DataError(source, problems)
        fields = _fields(positions, columns)
        plan = _plan(table, positions)
        _check_types(plan.collect_schema(), fields)
        loaded = plan.collect_schema()
        plain = plain_columns({f.key: (f.kind, loaded[f.key]) for f in fields}, decimal_comma)
        wide = few_chunks(_collect(table, plan.select(_values(fields, loaded, decimal_comma, plain))))
        wide = settle(plan, wide, {f.out: (f.key, f.kind, _mask(f)) for f in fields
                                   if f.key in plain and f.kind not in TEXT},
                      PERCENT)
        wide = told_filled(wide, fields, loaded)
        rows = wide.height
        blank = pl.Series("row", [], dtype=pl.Int64)
        if FILLED in wide.columns:
            if not wide.get_column(FILLED).all():
                blank = wide.filter(~pl.col(FILLED)).get_column("row")
                wide = wide.filter(pl.col(FILLED))
            wide = wide.drop(FILLED)
        if wide.height == 0:
            raise DataError(source, [*problems, Problem("", _(table.no_units))])
        survey = _text_survey(wide)
        wide = _tidy_text(wide, survey)
        wide, not_unit, skipped = not_units(table, wide, plan, fields, columns)
        problems += not_unit
        if wide.height == 0:
            raise DataError(source, [*problems, Problem("", _(table.no_units))])
        notes = [*table.notes, *_percent_notes(wide, fields)]
        schema = plan.collect_schema()
        floats = {f.out for f in fields if f.kind in TEXT and schema[f.key].is_float()}
        problems += _text_problems(table, wide, fields, survey, floats)
        problems += _problems(table, wide, plan, fields, decimal_comma)
        problems += _marked_problems(table, wide, fields, problems)
        problems += merge_problems(table, wide)
        unit, unit_notes = unit_problems(wide, fields, columns)
        problems += unit
        notes += unit_notes
        if (note := skipped_note(skipped)) is not None:
            notes.append(note)
    except _Unreadable as e:
        raise DataError(source, e.problems) from None
    if problems:
        raise DataError(source, problems)
    found = _readings.get()
    if found is not None:
        found.append(Reading(source, rows - len(skipped), wide.height, blank.len(),
                             tuple(blank.head(LIMIT)), table.sheet, tuple(notes)))
    return wide.select(*(f.out for f in fields), "row")


def _percent_notes(wide: pl.DataFrame, fields: list[_Field]) -> list[str]:
    """A note for each number column with text values written with a percent sign."""
    masks = [f for f in fields if PERCENT + f.out in wide.columns]
    if not masks:
        return []
    counts = wide.select(pl.col(PERCENT + f.out).sum().alias(f.out) for f in masks).row(0, named=True)
    return [ngettext("column {name}: {count} value written with '%' read as the percent (95,5% "
                     "as 95.5)", "column {name}: {count} values written with '%' read as the "
                     "percent (95,5% as 95.5)", counts[f.out], name=f"'{_visible(f.column)}'",
                     count=counts[f.out]) for f in masks if counts[f.out]]


def sha256_file(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, read in chunks (hex)."""
    with Path(path).open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _check_file(path: Path, ext: str) -> None:
    """Before any reading: a regular file (not a folder, a device such as /dev/zero, a pipe),
    not empty, and no larger than MAX_FILE_BYTES allows for its format."""
    try:
        info = path.stat()
        if stat.S_ISREG(info.st_mode):
            with path.open("rb") as f:
                empty = not f.read(1)
    except (FileNotFoundError, NotADirectoryError):
        raise _Unreadable(_("no such file")) from None
    except OSError as e:
        raise _Unreadable(_("cannot be read: {reason}", reason=system(e))) from None
    if stat.S_ISDIR(info.st_mode):
        raise _Unreadable(_("is a folder, not a file"))
    if not stat.S_ISREG(info.st_mode):
        raise _Unreadable(_("is not a regular file (a device, a pipe or a socket); "
                            "give the path of a data file"))
    if empty:
        raise _Unreadable(_("the file is empty"))
    limit = MAX_FILE_BYTES[ext]
    if info.st_size > limit:
        advice = _("; use CSV or Parquet for more") if ext == ".json" else ""
        raise _Unreadable(_("is {size} bytes; a {ext} data file may be at most {limit}",
                            size=thousands(info.st_size), ext=ext, limit=thousands(limit))
                          + advice)


def _open(path: Path, sheet: str | None, columns: Columns, decimal_comma: bool) -> _Table:
    ext = path.suffix.lower()
    if ext not in (".csv", ".xlsx", ".parquet", ".json"):
        raise _Unreadable(_("cannot read {ext} files; use .csv, .xlsx, .parquet or .json",
                            ext=f"'{ext or path.name}'"))
    if sheet is not None and ext != ".xlsx":
        raise _Unreadable(_("a sheet ({sheet}) was asked for, but a {ext} file has no sheets",
                            sheet=f"'{sheet}'", ext=ext))
    _check_file(path, ext)
    if ext == ".csv":
        return _open_csv(path)
    if ext == ".xlsx":  # the limits are read when called: they can be set on thidua.input.data
        return _open_xlsx(path, sheet, columns, decimal_comma, MAX_XLSX_EXPANDED,
                          MAX_SHEET_CELLS)
    if ext == ".parquet":
        return _open_parquet(path)
    return _open_json(path, decimal_comma)
