"""A council's data file → one clean polars frame, or every problem in it at once.

The frame holds `id`, `name`, `group` (when configured), one column per indicator (Float64 for
numbers, Boolean for yes/no) and `row`, where a person finds the unit in the file. Nothing is
guessed: a value that is not what it must be is a problem naming its row, column and value.
Values are parsed by polars expressions over whole columns; Python only writes the messages for
the few rows that are wrong.

No row is lost: every row of the file becomes a unit, or the run fails naming the row, or (CSV
and XLSX only) it is a blank row, one where every column the criteria read is empty, which is
skipped and counted (`Reading`; the CLI says "skipped N blank rows (…)" and the manifest keeps
the count). Hostile files meet limits before any real work: an .xlsx is refused from its zip
directory when it would unzip past MAX_XLSX_EXPANDED, or when its cells span more than
MAX_SHEET_CELLS (the reader would allocate the whole rectangle); JSON nested too deeply, an
integer too long, a key named twice in a record, text that holds control characters or looks
like TCVN3 or mis-decoded UTF-8 are each reported at their row.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import html
import json
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import polars as pl

from .errors import DataError, Problem

LIMIT = 50  # problems listed per column before "… and N more"
MAX_XLSX_EXPANDED = 200_000_000  # bytes an .xlsx may unzip to; a zip bomb is refused unopened
MAX_SHEET_CELLS = 30_000_000  # rows × columns a sheet's cells may span: the reader allocates all
TEXT = ("id", "name", "group")
RESERVED = (*TEXT, "row")
YES_NO = "(có/không, x, 1/0, true/false)"

# Dot convention: 95.5, -3, .5, 1e3.  Decimal-comma convention: 95,5, 1.234,5, 1.234, -0,25.
DOT = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
COMMA = r"^[+-]?(?:(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d*)?|,\d+)(?:[eE][+-]?\d+)?$"
NUMBERISH = re.compile(r"[+-]?[\d.,]+(?:[eE][+-]?\d+)?")
NOT_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)
NAN = pl.lit(float("nan"))  # a bad number while checking; never returned
FILLED = "\0filled"  # while reading a spreadsheet: does the row hold anything we use?

YES = ("1", "true", "có", "co", "x", "yes", "y", "đạt")
NO = ("0", "false", "không", "khong", "no", "n", "không đạt", "chưa đạt")
FLAG_WORDS = {**{w: True for w in YES}, **{w: False for w in NO}}

# Text a person cannot have meant: control characters (tab and line breaks aside), and two or more
# of the signs U+00A1-U+00BF, which Vietnamese never uses but TCVN3 (ABC) text read as Latin-1, or
# UTF-8 read as Windows-1252, is full of ("X· Qu¶ng L­u", "XÃ£ Quáº£ng").
CONTROL = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]"
LEGACY_SIGN = r"[\u00A1-\u00BF]"

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
        table = _open(Path(path), sheet, columns.id, decimal_comma)
        positions, problems = _match(table, columns)
        if not positions:
            raise DataError(source, problems)
        fields = _fields(positions, columns)
        plan = _plan(table, positions)
        _check_types(plan.collect_schema(), fields)
        wide = _collect(table, plan.select(_values(fields, plan.collect_schema(), decimal_comma)))
        rows = wide.height
        blank = pl.Series("row", [], dtype=pl.Int64)
        if FILLED in wide.columns:
            if not wide.get_column(FILLED).all():
                blank = wide.filter(~pl.col(FILLED)).get_column("row")
                wide = wide.filter(pl.col(FILLED))
            wide = wide.drop(FILLED)
        if wide.height == 0:
            raise DataError(source, [*problems, Problem("", table.no_units)])
        wide = _tidy_text(wide)
        problems += _text_problems(table, wide, fields)
        problems += _problems(table, wide, plan, fields, decimal_comma)
    except _Unreadable as e:
        raise DataError(source, e.problems) from None
    if problems:
        raise DataError(source, problems)
    found = _readings.get()
    if found is not None:
        found.append(Reading(source, rows, wide.height, blank.len(), tuple(blank.head(LIMIT))))
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
    # JSON: the records (row, "list" or "object") whose value at this position is not a value
    nested: Callable[[int], list[tuple[int, str]]] = lambda position: []


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
    with path.open("rb") as f:
        start = f.read(1 << 16)
    if b"\r" in start and b"\n" not in start:
        raise _Unreadable("its lines end with a lone carriage return (an old Mac format) that "
                          "the reader does not split on; save it again as 'CSV UTF-8'")
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
    return problems or _unclosed_quote(text, sep) or [
        Problem("", f"cannot be read as CSV: {_first_line(error)}")]


def _unclosed_quote(text: str, sep: str) -> list[Problem]:
    reader = csv.reader(text.splitlines(keepends=True), delimiter=sep, strict=True)
    row = 1
    try:
        for row, _ in enumerate(reader, 1):
            pass
    except csv.Error:
        return [Problem(f"row {row + 1}", 'a quote (") opens a value that is never closed; '
                                          'write a quote inside a value as two ("")')]
    return []


def _not_utf8(data: bytes) -> str:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        return (f"is not UTF-8 text (byte 0x{data[e.start]:02X} on line {line}); "
                "save it as 'CSV UTF-8' (or use the .xlsx file)")
    return "is not UTF-8 text"


def _open_xlsx(path: Path, sheet: str | None, id_column: str, decimal_comma: bool) -> _Table:
    _check_zip(path, sheet)
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


def _check_zip(path: Path, sheet: str | None) -> None:
    """Refuse a workbook that would blow up in the reader, from its zip directory and the cell
    references of the sheet to read: more than MAX_XLSX_EXPANDED bytes once unzipped, or cells
    spanning more than MAX_SHEET_CELLS (the reader allocates the whole rectangle, so one far cell
    in a 5 kB file asks for hundreds of gigabytes)."""
    try:
        with zipfile.ZipFile(path) as z:
            if "[Content_Types].xml" not in z.namelist():
                raise _Unreadable("is a zip archive but not an .xlsx workbook")
            expanded = sum(i.file_size for i in z.infolist())
            if expanded > MAX_XLSX_EXPANDED:
                raise _Unreadable(f"unzips to {expanded:,} bytes; an .xlsx data file may unzip to "
                                  f"at most {MAX_XLSX_EXPANDED:,} (a zip bomb?)")
            for member, name in _sheet_members(z, sheet):
                _check_extent(z, member, name)
    except zipfile.BadZipFile:
        raise _Unreadable("is not an .xlsx workbook (it is not a zip archive)") from None
    except (OSError, EOFError, NotImplementedError, ValueError) as e:
        raise _Unreadable(f"cannot be read as an .xlsx workbook: {_first_line(e)}") from None


def _sheet_members(z: zipfile.ZipFile, wanted: str | None) -> list[tuple[str, str]]:
    """(zip member, sheet name) of the sheet that will be read; every worksheet when the
    workbook's own index cannot tell."""
    names = set(z.namelist())
    every = [(n, n.rsplit("/", 1)[-1]) for n in sorted(names)
             if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    try:
        book = z.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        return every
    targets = {}
    for tag in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", rels):
        ident, target = re.search(r'\bId="([^"]*)"', tag), re.search(r'\bTarget="([^"]*)"', tag)
        if ident and target:
            path = html.unescape(target[1])
            targets[ident[1]] = path.lstrip("/") if path.startswith("/") else f"xl/{path}"
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", book):
        name, ident = re.search(r'\bname="([^"]*)"', tag), re.search(r'\b\w+:id="([^"]*)"', tag)
        if not (name and ident):
            continue
        sheet = html.unescape(name[1])
        if wanted is None or _nfc(sheet) == _nfc(wanted):
            member = targets.get(ident[1])
            return [(member, sheet)] if member in names else every
    return every


_CELL = r'\br="[A-Z]{1,3}[0-9]{1,7}"[^>]*>'  # a cell's reference, to the end of its tag


def _check_extent(z: zipfile.ZipFile, member: str, sheet: str) -> None:
    """Rows × columns spanned by the sheet's cells that hold something (a self-closing <c/> is
    formatting only, which the reader skips). Read in chunks; a tag cut by a chunk's end is
    carried over to the next."""
    low_row, high_row, low_col, high_col = 1 << 30, 0, 1 << 30, 0
    carry = b""
    with z.open(member) as f:
        while True:
            chunk = f.read(1 << 24)
            data = carry + chunk
            cut = data.rfind(b"<")
            carry = data[cut:] if chunk and cut >= 0 and data.find(b">", cut) < 0 else b""
            data = data[: len(data) - len(carry)]
            refs = (pl.Series([data.decode("utf-8", "replace")]).str.extract_all(_CELL).explode()
                    .drop_nulls())
            refs = refs.filter(~refs.str.ends_with("/>"))
            if not refs.is_empty():
                parts = refs.str.extract_groups(r'"([A-Z]+)([0-9]+)"').struct.unnest()
                rows = parts.get_column("2").cast(pl.Int64)
                cols = [_column_number(c) for c in parts.get_column("1").unique()]
                low_row = min(low_row, int(rows.min()))  # type: ignore[arg-type]
                high_row = max(high_row, int(rows.max()))  # type: ignore[arg-type]
                low_col, high_col = min(low_col, *cols), max(high_col, *cols)
            if not chunk:
                break
    if high_row and (high_row - low_row + 1) * (high_col - low_col + 1) > MAX_SHEET_CELLS:
        raise _Unreadable(f"the sheet '{sheet}' spans rows {low_row:,} to {high_row:,} and columns "
                          f"{_letters(low_col - 1)} to {_letters(high_col - 1)}, more than "
                          f"{MAX_SHEET_CELLS:,} cells; delete what lies far from the table")


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


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


class _Twice(dict):  # type: ignore[type-arg]
    """A JSON object that named one key twice (json would silently keep the last value)."""

    key: str


def _pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    record = dict(pairs)
    if len(record) == len(pairs):
        return record
    seen: set[str] = set()
    twice = _Twice(record)
    for key, _ in pairs:
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
        records = json.loads(data.decode("utf-8-sig"), object_pairs_hook=_pairs,
                             parse_int=_big_int)
    except UnicodeDecodeError:
        raise _Unreadable(_not_utf8(data)) from None
    except json.JSONDecodeError as e:
        where = f"line {e.lineno}, column {e.colno}"
        raise _Unreadable(f"is not valid JSON ({where}: {e.msg})") from None
    except RecursionError:
        raise _Unreadable("is nested too deeply (lists or objects inside each other) to be a "
                          "table of units") from None
    if not isinstance(records, list):
        raise _Unreadable("must hold an array of objects, one per unit")
    if not records:
        raise _Unreadable("the file has no units")
    strays = (Problem(f"row {n}", "is not an object") for n, r in enumerate(records, 1)
              if not isinstance(r, dict))
    if problems := _capped(strays, "", "records that are not objects"):
        raise _Unreadable(*problems)
    twice = (Problem(f"row {n}", f"names the key '{_short(r.key)}' twice")
             for n, r in enumerate(records, 1) if isinstance(r, _Twice))
    if problems := _capped(twice, "", "records that name a key twice"):
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
                  no_units="the file has no units", nested=nested)


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


def _match(table: _Table, columns: Columns) -> tuple[dict[str, int], list[Problem]]:
    header = table.header
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
    unnamed = [i for i, name in enumerate(clean) if not name]
    if table.spreadsheet and len(positions) < len(list(_wanted(columns))) and unnamed:
        letters = ", ".join(_letters(i) for i in unnamed[:10]) + ", …" * (len(unnamed) > 10)
        problems.append(Problem("header", (
            f"row {table.first_row - 1} (the header) has no name in column"
            f"{'s' if len(unnamed) > 1 else ''} {letters} (merged cells?); write every "
            "column's name in its own cell of one header row")))
    return positions, problems


def _letters(index: int) -> str:
    """0 → 'A', 25 → 'Z', 26 → 'AA': the column as a spreadsheet shows it."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


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
    if table.spreadsheet:  # a blank row is no unit; read_data counts and skips it
        plan = plan.with_columns(pl.any_horizontal(_filled(k, t) for k, t in schema.items())
                                 .alias(FILLED))
    return plan


def _collect(table: _Table, plan: pl.LazyFrame) -> pl.DataFrame:
    try:
        return plan.collect()
    except pl.exceptions.ComputeError as e:
        raise _Unreadable(f"cannot be read as {table.kind}: {_first_line(e)}") from None


def _values(fields: list[_Field], schema: pl.Schema, decimal_comma: bool) -> list[pl.Expr]:
    """Every field as its frame column, plus a mask of bad values for yes/no that can be bad."""
    exprs = [pl.col("row"), *([pl.col(FILLED)] if FILLED in schema else [])]
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


def _check_types(schema: pl.Schema, fields: list[_Field]) -> None:
    """A unit's id, name or group must be text or a number, not a list or a record (Parquet)."""
    problems = [Problem(f.column, f"holds {schema[f.key]} values, not text: a unit's {f.kind} must "
                                  "be text or a number")
                for f in fields if f.kind in TEXT and schema[f.key].is_nested()]
    if problems:
        raise _Unreadable(*problems)


def _text_problems(table: _Table, wide: pl.DataFrame, fields: list[_Field]) -> list[Problem]:
    """Ids, names and groups that hold a control character, look like text in an old encoding
    (TCVN3, or UTF-8 read as Windows-1252), or were a list or an object in a JSON file."""
    text = [f for f in fields if f.kind in TEXT]
    odd = f"{CONTROL}|{LEGACY_SIGN}"
    suspect = wide.select(pl.col(f.out).str.contains(odd).any().alias(f.out) for f in text)
    found: list[tuple[int, int, Problem]] = []
    for f in text:
        nested = table.nested(int(f.key[1:]))
        found += [(r, int(f.key[1:]), Problem(f"row {r}, {f.column}",
                                               f"a JSON {kind} is not a unit's {f.kind}"))
                  for r, kind in nested[:LIMIT]]
        if not suspect.get_column(f.out)[0]:
            continue
        control = pl.col(f.out).str.contains(CONTROL)
        legacy = pl.col(f.out).str.count_matches(LEGACY_SIGN) >= 2
        bad = wide.filter(control | legacy).select("row", f.out, control.alias("control"))
        for r, value, is_control in bad.head(LIMIT).iter_rows():
            char = re.search(CONTROL, value) if is_control else None
            message = (f"{_show(value)} holds the control character U+{ord(char[0]):04X}"
                       if char else
                       f"{_show(value)} looks like text in an old encoding (TCVN3/ABC, or UTF-8 "
                       "opened as Windows-1252), not Unicode; convert the file to Unicode "
                       "(e.g. with Unikey's converter) and save it again")
            found.append((r, int(f.key[1:]), Problem(f"row {r}, {f.column}", message)))
        if bad.height > LIMIT:
            found.append((1 << 62, int(f.key[1:]),
                          Problem(f.column, f"… and {bad.height - LIMIT} more such values")))
    return [p for *_, p in sorted(found, key=lambda t: t[:2])]


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
    """A value as a message quotes it: stripped, on one line, cut short when long."""
    if isinstance(value, pl.Series):
        value = value.to_list()
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and math.isnan(value):
        text = "NaN"
    elif isinstance(value, str):
        text = value.strip()
    else:
        text = str(value)
    text = re.sub(r"[\x00-\x1F\x7F]", lambda m: f"\\x{ord(m[0]):02X}", text)
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
