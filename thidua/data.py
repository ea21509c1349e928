"""A council's data file → one clean polars frame, or every problem in it at once.

The frame holds `id`, `name`, `group` (when configured), one column per indicator (Float64 for
numbers, Boolean for yes/no) and `row`, where a person finds the unit in the file. Nothing is
guessed: a value that is not what it must be is a problem naming its row, column and value.
Values are parsed by polars expressions over whole columns; Python only writes the messages for
the few rows that are wrong.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl

from .errors import DataError, Problem

LIMIT = 50  # problems listed per column before "… and N more"
TEXT = ("id", "name", "group")
RESERVED = (*TEXT, "row")
YES_NO = "(có/không, x, 1/0, true/false)"

# Dot convention: 95.5, -3, .5, 1e3.  Decimal-comma convention: 95,5, 1.234,5, 1.234, -0,25.
DOT = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
COMMA = r"^[+-]?(?:(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d*)?|,\d+)(?:[eE][+-]?\d+)?$"
NUMBERISH = re.compile(r"[+-]?[\d.,]+(?:[eE][+-]?\d+)?")
NOT_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)
NAN = pl.lit(float("nan"))  # a bad number while checking; never returned

YES = ("1", "true", "có", "co", "x", "yes", "y", "đạt")
NO = ("0", "false", "không", "khong", "no", "n", "không đạt", "chưa đạt")
FLAG_WORDS = {**{w: True for w in YES}, **{w: False for w in NO}}

# Text made only of these characters is NFC already (Latin with Vietnamese letters, punctuation,
# currency; tests/test_data.py checks it), so most columns skip normalisation.
NFC_SAFE = ((0x0000, 0x02FF), (0x1E00, 0x1EFF), (0x2002, 0x206F), (0x20A0, 0x20CF))
NOT_SURELY_NFC = "[^" + "".join(f"\\x{{{a:04X}}}-\\x{{{b:04X}}}" for a, b in NFC_SAFE) + "]"


@dataclass(frozen=True)
class Columns:
    """Which columns of the file hold the unit id, name, group and the indicators."""

    id: str
    name: str
    group: str | None
    numbers: frozenset[str]
    flags: frozenset[str]

    def __post_init__(self) -> None:
        both = set(self.numbers) & set(self.flags)
        if both:
            raise ValueError(f"columns read both as numbers and as yes/no: {sorted(both)}")


def read_data(path: str | Path, columns: Columns, *, decimal_comma: bool = False,
              sheet: str | None = None) -> pl.DataFrame:
    """Read a .csv, .xlsx, .parquet or .json file; raise one DataError listing every problem."""
    source = str(path)
    try:
        table = _open(Path(path), sheet, columns.id, decimal_comma)
        positions, problems = _match(table.header, columns)
        if not positions:
            raise DataError(source, problems)
        fields = _fields(positions, columns)
        plan = _plan(table, positions)
        wide = _collect(table, plan.select(_values(fields, plan.collect_schema(), decimal_comma)))
        if wide.height == 0:
            raise DataError(source, [*problems, Problem("", table.no_units)])
        wide = _tidy_text(wide)
        problems += _problems(table, wide, plan, fields, decimal_comma)
    except _Unreadable as e:
        raise DataError(source, e.problems) from None
    if problems:
        raise DataError(source, problems)
    return wide.select(*(f.out for f in fields), "row").rechunk()  # one chunk: the later sort gathers faster


def sha256_file(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, read in chunks (hex)."""
    with Path(path).open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


# --- opening a file: its header, and a plan that loads the columns we use ------------------------


class _Unreadable(Exception):
    """The file cannot be read as a table at all."""

    def __init__(self, *problems: Problem | str):
        self.problems = [p if isinstance(p, Problem) else Problem("", p) for p in problems]
        super().__init__("; ".join(p.message for p in self.problems))


@dataclass(frozen=True)
class _Table:
    kind: str  # for messages: "cannot be read as {kind}"
    header: tuple[str, ...]  # column names as written in the file, in order
    load: Callable[[list[int]], pl.LazyFrame]  # the columns at these positions, every row
    first_row: int  # where a person finds the first unit: spreadsheet row or record number
    spreadsheet: bool  # CSV and XLSX: a wholly blank row is a gap, not a unit
    no_units: str = "the file has a header row but no units"


def _open(path: Path, sheet: str | None, id_column: str, decimal_comma: bool) -> _Table:
    ext = path.suffix.lower()
    if ext not in (".csv", ".xlsx", ".parquet", ".json"):
        raise _Unreadable(f"cannot read '{ext or path.name}' files; "
                          "use .csv, .xlsx, .parquet or .json")
    if sheet is not None and ext != ".xlsx":
        raise _Unreadable(f"a sheet ('{sheet}') was asked for, but a {ext} file has no sheets")
    try:
        with path.open("rb") as f:
            empty = not f.read(1)
    except FileNotFoundError:
        raise _Unreadable("no such file") from None
    except IsADirectoryError:
        raise _Unreadable("is a folder, not a file") from None
    except OSError as e:
        raise _Unreadable(f"cannot be read: {e.strerror}") from None
    if empty:
        raise _Unreadable("the file is empty")
    if ext == ".csv":
        return _open_csv(path)
    if ext == ".xlsx":
        return _open_xlsx(path, sheet, id_column, decimal_comma)
    if ext == ".parquet":
        return _open_parquet(path)
    return _open_json(path, decimal_comma)


def _open_csv(path: Path) -> _Table:
    header = _csv_header(path, ",")
    sep = ";" if len(header) == 1 and ";" in header[0] else ","  # Excel's CSV on vi-VN systems
    if sep == ";":
        header = _csv_header(path, sep)

    def load(positions: list[int]) -> pl.LazyFrame:
        try:  # everything as text: "007" stays "007", numbers follow our rules
            return pl.read_csv(path, separator=sep, infer_schema=False, columns=positions).lazy()
        except pl.exceptions.ComputeError as e:
            raise _Unreadable(*_csv_failure(path, sep, len(header), e)) from None

    return _Table("CSV", tuple(header), load, first_row=2, spreadsheet=True)


def _csv_header(path: Path, sep: str) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            header = next(csv.reader(f, delimiter=sep), [])
    except UnicodeDecodeError:
        raise _Unreadable(_not_utf8(path.read_bytes())) from None
    except csv.Error as e:
        raise _Unreadable(f"cannot be read as CSV: {e}") from None
    if not any(h.strip() for h in header):
        raise _Unreadable("the first row is empty; it must hold the column names")
    return header


def _csv_failure(path: Path, sep: str, width: int, error: Exception) -> list[Problem]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [Problem("", _not_utf8(data))]
    hint = "; a value written with a decimal comma must be quoted (\"95,5\")" if sep == "," else ""
    long_rows = (
        Problem(f"row {n}", f"{len(rec)} values but the header has {width} columns{hint}")
        for n, rec in enumerate(csv.reader(text.splitlines(keepends=True), delimiter=sep), 1)
        if len(rec) > width
    )
    problems = _capped(long_rows, "", "rows with too many values")
    return problems or [Problem("", f"cannot be read as CSV: {_first_line(error)}")]


def _not_utf8(data: bytes) -> str:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        return (f"is not UTF-8 text (byte 0x{data[e.start]:02X} on line {line}); "
                "save it as 'CSV UTF-8' (or use the .xlsx file)")
    return "is not UTF-8 text"


def _open_xlsx(path: Path, sheet: str | None, id_column: str, decimal_comma: bool) -> _Table:
    try:
        book = fastexcel.read_excel(path)
        name = _sheet(book.sheet_names, sheet)
        # Read once as text from the sheet's first row to find the header: the first row that
        # names the id column (title rows may stand above the table), else the first filled row.
        whole = book.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
        raw = whole.to_polars()
        cells = [pl.col(c).str.strip_chars() for c in raw.columns]
        filled = raw.select(pl.any_horizontal(c.fill_null("") != "" for c in cells)).to_series()
        if raw.width == 0 or not filled.any():
            raise _Unreadable(f"the sheet '{name}' is empty")
        label = _nfc(id_column).strip()
        named = raw.select(pl.any_horizontal(c.str.normalize("NFC") == label for c in cells))
        top = int((named.to_series() if named.to_series().any() else filled).arg_true()[0])
        header = tuple("" if v is None else v for v in raw.row(top))
        # Then typed from every row of each column (a sample could turn a text cell into null).
        table = book.load_sheet(name, header_row=top, schema_sample_rows=None)
        frame = table.to_polars()
        if decimal_comma:
            frame = _numbers_in_text_columns(book, name, top, frame)
    except fastexcel.FastExcelError as e:
        raise _Unreadable(_not_xlsx(e)) from None
    # Columns are matched by their place in the sheet: empty columns are left out of `frame`.
    sheet_column = [c.absolute_index for c in whole.available_columns()]
    names = {c.absolute_index: c.name for c in table.available_columns()}
    return _Table("an .xlsx workbook", header,
                  lambda positions: frame.lazy().select(names[sheet_column[i]] for i in positions),
                  first_row=top + 2, spreadsheet=True)


def _numbers_in_text_columns(book: fastexcel.ExcelReader, name: str, top: int,
                             frame: pl.DataFrame) -> pl.DataFrame:
    """A column mixing text and number cells comes as text, its numbers written '95.5'. With a
    decimal comma, write them '95,5' like the typed text, so that both read as what they are."""
    mixed = [c for c, t in frame.schema.items() if t == pl.String]
    if not mixed:
        return frame
    numbers = book.load_sheet(name, header_row=top, schema_sample_rows=None,
                              dtypes={c: "float" for c in mixed}).to_polars()
    fixes = []
    for c in mixed:
        text = pl.col(c).str.strip_chars()
        native = text.str.contains(DOT) & (text.cast(pl.Float64, strict=False) == numbers[c])
        fixes.append(pl.when(native).then(text.str.replace(".", ",", literal=True))
                     .otherwise(pl.col(c)).alias(c))
    return frame.with_columns(fixes)


def _sheet(names: list[str], wanted: str | None) -> str:
    if wanted is None:
        return names[0]
    for name in names:
        if _nfc(name) == _nfc(wanted):
            return name
    raise _Unreadable(f"no sheet '{wanted}'; the workbook has {_quoted(names)}")


def _not_xlsx(error: Exception) -> str:
    if "zip" in str(error).lower():
        return "is not an .xlsx workbook (it is not a zip archive)"
    return f"cannot be read as an .xlsx workbook: {_first_line(error)}"


def _open_parquet(path: Path) -> _Table:
    try:
        header = tuple(pl.read_parquet_schema(path))
    except pl.exceptions.ComputeError as e:
        raise _Unreadable(f"is not a Parquet file: {_first_line(e)}") from None
    return _Table("Parquet", header,
                  lambda positions: pl.scan_parquet(path).select(header[i] for i in positions),
                  first_row=1, spreadsheet=False, no_units="the file has no units")


def _open_json(path: Path, decimal_comma: bool) -> _Table:
    data = path.read_bytes()
    try:
        records = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise _Unreadable(_not_utf8(data)) from None
    except json.JSONDecodeError as e:
        where = f"line {e.lineno}, column {e.colno}"
        raise _Unreadable(f"is not valid JSON ({where}: {e.msg})") from None
    if not isinstance(records, list):
        raise _Unreadable("must hold an array of objects, one per unit")
    if not records:
        raise _Unreadable("the file has no units")
    strays = (Problem(f"row {n}", "is not an object") for n, r in enumerate(records, 1)
              if not isinstance(r, dict))
    if problems := _capped(strays, "", "records that are not objects"):
        raise _Unreadable(*problems)
    keys: dict[str, None] = {}
    for record in records:
        keys.update(dict.fromkeys(record))
    header = tuple(keys)

    def load(positions: list[int]) -> pl.LazyFrame:
        return pl.DataFrame([_json_column(records, header[i], decimal_comma)
                             for i in positions]).lazy()

    return _Table("JSON", header, load, first_row=1, spreadsheet=False,
                  no_units="the file has no units")


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


# --- the header: every column we need, found once ------------------------------------------------


def _wanted(columns: Columns) -> Iterator[tuple[str, str, str]]:
    """(output name, file column, role) for every column the frame holds."""
    yield "id", columns.id, "unit id"
    yield "name", columns.name, "unit name"
    if columns.group is not None:
        yield "group", columns.group, "group"
    for indicator in sorted(columns.numbers | columns.flags):
        yield indicator, indicator, "indicator"


def _match(header: tuple[str, ...], columns: Columns) -> tuple[dict[str, int], list[Problem]]:
    clean = [_nfc(h).strip() for h in header]
    where: dict[str, list[int]] = {}
    for i, name in enumerate(clean):
        where.setdefault(name, []).append(i)
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    for out, column, role in _wanted(columns):
        hits = where.get(_nfc(column).strip(), [])
        if role == "indicator" and out in RESERVED:
            message = (f"indicator '{column}' has the name of a column the frame adds "
                       f"({', '.join(RESERVED)}); rename it")
        elif len(hits) == 1:
            positions[out] = hits[0]
            continue
        elif not hits:
            message = _missing(column, role, clean)
        else:
            message = f"the header has {len(hits)} columns named '{column}'"
        if Problem("header", message) not in problems:
            problems.append(Problem("header", message))
    return positions, problems


def _missing(column: str, role: str, header: list[str]) -> str:
    names = [h for h in header if h]
    message = f"no column '{column}' ({role}); the file has {_quoted(names) or 'no column names'}"
    folded = {h.casefold(): h for h in reversed(names)}
    close = difflib.get_close_matches(_nfc(column).strip().casefold(), folded, n=1, cutoff=0.6)
    return message + (f"; did you mean '{folded[close[0]]}'?" if close else "")


# --- values: whole columns at once; messages only for the rows that are wrong --------------------


@dataclass(frozen=True)
class _Field:
    out: str  # its name in the frame
    column: str  # its name in the file, as configured
    key: str  # the loaded column: c<position in the file>
    kind: str  # id, name, group, number or flag


def _fields(positions: dict[str, int], columns: Columns) -> list[_Field]:
    text = [_Field(out, getattr(columns, out), f"c{positions[out]}", out)
            for out in TEXT if out in positions]
    indicators = sorted((p, out) for out, p in positions.items() if out not in TEXT)
    return text + [_Field(out, out, f"c{p}", "number" if out in columns.numbers else "flag")
                   for p, out in indicators]


def _plan(table: _Table, positions: dict[str, int]) -> pl.LazyFrame:
    order = sorted(set(positions.values()))
    plan = table.load(order)
    plan = plan.rename(dict(zip(plan.collect_schema().names(), (f"c{i}" for i in order),
                                strict=True)))
    schema = plan.collect_schema()
    plan = plan.with_row_index("row", offset=table.first_row)
    plan = plan.with_columns(pl.col("row").cast(pl.Int64))
    if table.spreadsheet:
        plan = plan.filter(pl.any_horizontal(_filled(k, t) for k, t in schema.items()))
    return plan


def _collect(table: _Table, plan: pl.LazyFrame) -> pl.DataFrame:
    try:
        return plan.collect()
    except pl.exceptions.ComputeError as e:
        raise _Unreadable(f"cannot be read as {table.kind}: {_first_line(e)}") from None


def _values(fields: list[_Field], schema: pl.Schema, decimal_comma: bool) -> list[pl.Expr]:
    """Every field as its frame column, plus a mask of bad values for yes/no that can be bad."""
    exprs = [pl.col("row")]
    for f in fields:
        dtype = schema[f.key]
        if f.kind in TEXT:
            exprs.append(_text(f.key, dtype, strip=f.kind != "name").alias(f.out))
        elif f.kind == "number":
            exprs.append(_number(f.key, dtype, decimal_comma).alias(f.out))
        else:
            value, bad = _flag(f.key, dtype)
            exprs.append(value.alias(f.out))
            if bad is not None:
                exprs.append(bad.fill_null(False).alias(_mask(f)))
    return exprs


def _text(key: str, dtype: pl.DataType, *, strip: bool) -> pl.Expr:
    c = pl.col(key)
    if dtype == pl.String:
        text = c
    elif dtype.is_float():  # a spreadsheet stores the id 7 as 7.0
        whole = pl.when(c == c.round()).then(c.cast(pl.Int64, strict=False))
        text = pl.coalesce(whole.cast(pl.String), c.cast(pl.String))
    elif dtype == pl.Null:
        text = pl.lit(None, pl.String)
    else:
        text = c.cast(pl.String)
    return text.str.strip_chars() if strip else text


def _number(key: str, dtype: pl.DataType, decimal_comma: bool) -> pl.Expr:
    """Float64: empty is missing (null); NaN marks a bad value (NaN, ±inf, text, yes/no)."""
    c = pl.col(key)
    if dtype == pl.String:
        text = c.str.strip_chars()
        if decimal_comma:
            ok = text.str.contains(COMMA)
            text = text.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
        else:
            ok = text.str.contains(DOT)
        number = text.cast(pl.Float64, strict=False).fill_null(NAN)
        return pl.when(ok).then(number).when(c.str.strip_chars() != "").then(NAN)
    if dtype.is_numeric():
        return c.cast(pl.Float64)
    if dtype == pl.Null:
        return pl.lit(None, pl.Float64)
    return pl.when(c.is_not_null()).then(NAN)


def _flag(key: str, dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr | None]:
    """(Boolean value, bad mask or None when nothing can be bad); empty is missing."""
    c = pl.col(key)
    if dtype == pl.Boolean:
        return c, None
    if dtype.is_integer():
        return c != 0, None
    if dtype.is_numeric():
        number = c.cast(pl.Float64)
        return number != 0, ~number.is_finite()
    if dtype == pl.String:
        word = (c.str.strip_chars().str.normalize("NFC").str.to_lowercase()
                .str.replace_all(r"\s+", " "))
        value = word.replace_strict(FLAG_WORDS, default=None, return_dtype=pl.Boolean)
        return value, value.is_null() & (word != "")
    if dtype == pl.Null:
        return pl.lit(None, pl.Boolean), None
    return pl.lit(None, pl.Boolean), c.is_not_null()


def _filled(key: str, dtype: pl.DataType) -> pl.Expr:
    c = pl.col(key)
    return c.str.strip_chars().fill_null("") != "" if dtype == pl.String else c.is_not_null()


def _mask(f: _Field) -> str:
    return f"\0bad {f.out}"


def _tidy_text(wide: pl.DataFrame) -> pl.DataFrame:
    """Text columns in NFC; an empty id or group is missing. Only columns that need it change."""
    present = [t for t in TEXT if t in wide.columns]
    need = wide.select(
        *(pl.col(t).str.contains(NOT_SURELY_NFC).any().alias(t) for t in present),
        *(pl.col(t).eq("").any().alias(f"\0{t}") for t in present if t != "name"),
    ).row(0, named=True)
    fixes = []
    for t in present:
        text = pl.col(t).str.normalize("NFC") if need[t] else pl.col(t)
        if need.get(f"\0{t}"):
            text = pl.when(text != "").then(text)
        if need[t] or need.get(f"\0{t}"):
            fixes.append(text.alias(t))
    return wide.with_columns(fixes) if fixes else wide


def _bad(f: _Field) -> pl.Expr:
    if f.kind == "number":
        return ~pl.col(f.out).is_finite().fill_null(True)
    return pl.col(_mask(f))


def _problems(table: _Table, wide: pl.DataFrame, plan: pl.LazyFrame, fields: list[_Field],
              decimal_comma: bool) -> list[Problem]:
    checked = [f for f in fields if f.kind == "number" or _mask(f) in wide.columns]
    ident = next((f for f in fields if f.kind == "id"), None)
    ids = [pl.col("id").null_count().alias("\0empty"),
           pl.col("id").drop_nulls().n_unique().alias("\0unique")] if ident else []
    counts = wide.select(*(_bad(f).sum().alias(f.out) for f in checked), *ids).row(0, named=True)
    problems = _id_problems(wide, ident, counts) if ident else []
    bad = [f for f in checked if counts[f.out]]
    if not bad:
        return problems
    listed = {f.out: wide.filter(_bad(f)).get_column("row").head(LIMIT).to_list() for f in bad}
    wanted = sorted({r for rows in listed.values() for r in rows})
    keys = sorted({f.key for f in bad})
    raw = _collect(table, plan.filter(pl.col("row").is_in(wanted)).select("row", *keys))
    lookup = {k: dict(zip(raw.get_column("row"), raw.get_column(k), strict=True)) for k in keys}
    found = []
    for f in bad:
        for r in listed[f.out]:
            value = lookup[f.key][r]
            message = (_number_message(value, decimal_comma) if f.kind == "number"
                       else _flag_message(value))
            found.append((r, int(f.key[1:]), Problem(f"row {r}, {f.out}", message)))
    more = [Problem(f.out, f"… and {counts[f.out] - LIMIT} more bad values")
            for f in bad if counts[f.out] > LIMIT]
    return problems + [p for *_, p in sorted(found, key=lambda t: t[:2])] + more


def _id_problems(wide: pl.DataFrame, ident: _Field, counts: dict[str, int]) -> list[Problem]:
    problems: list[Problem] = []
    if counts["\0empty"]:
        empty = wide.filter(pl.col("id").is_null()).get_column("row")
        problems += _capped((Problem(f"row {r}, {ident.column}", "the unit id is empty")
                             for r in empty), ident.column, "empty ids")
    if counts["\0unique"] < wide.height - counts["\0empty"]:
        twice = (wide.filter(pl.col("id").is_duplicated() & pl.col("id").is_not_null())
                 .group_by("id", maintain_order=True).agg("row"))
        problems += _capped((Problem(ident.column, f"id '{_short(i)}' appears in rows {_rows(r)}")
                             for i, r in twice.iter_rows()), ident.column, "duplicate ids")
    return problems


def _number_message(value: object, decimal_comma: bool) -> str:
    shown = _show(value)
    if isinstance(value, float) and not math.isfinite(value):
        return f"{shown} is not a finite number"
    if not isinstance(value, str):
        return f"{shown} is not a number"
    text = value.strip()
    canon = text.replace(".", "").replace(",", ".") if decimal_comma else text
    if NOT_FINITE.fullmatch(text) or (re.fullmatch(DOT, canon) and math.isinf(float(canon))):
        return f"{shown} is not a finite number"
    if decimal_comma and NUMBERISH.fullmatch(text):
        return f"{shown} is not a number in the decimal-comma convention"
    if not decimal_comma and "," in text and re.fullmatch(COMMA, text):
        return f"{shown} is not a number; written with a decimal comma it needs --decimal-comma"
    return f"{shown} is not a number"


def _flag_message(value: object) -> str:
    return f"{_show(value)} is not a yes/no value {YES_NO}"


# --- small helpers --------------------------------------------------------------------------------


def _show(value: object) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and math.isnan(value):
        text = "NaN"
    elif isinstance(value, str):
        text = value.strip()
    else:
        text = str(value)
    return f"'{_short(text)}'"


def _short(text: str, size: int = 40) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _rows(rows: list[int], size: int = 10) -> str:
    shown = ", ".join(map(str, rows[:size]))
    return shown if len(rows) <= size else f"{shown}, … ({len(rows)} rows)"


def _quoted(names: list[str], size: int = 40) -> str:
    shown = ", ".join(f"'{n}'" for n in names[:size])
    return shown if len(names) <= size else f"{shown}, … ({len(names) - size} more)"


def _capped(problems: Iterable[Problem], where: str, what: str) -> list[Problem]:
    listed: list[Problem] = []
    extra = 0
    for problem in problems:
        if len(listed) < LIMIT:
            listed.append(problem)
        else:
            extra += 1
    return listed + ([Problem(where, f"… and {extra} more {what}")] if extra else [])


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
