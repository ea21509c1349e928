"""Opening an .xlsx workbook as a `_Table`: refused from its zip directory when it would blow up
in the reader, its header found below any title rows, its cells typed from every row."""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

import fastexcel
import polars as pl

from .formats import _Table
from .messages import _first_line, _letters, _quoted, _Unreadable, _visible
from .parse import DOT, _nfc


def _open_xlsx(path: Path, sheet: str | None, id_column: str, decimal_comma: bool,
               max_expanded: int, max_cells: int) -> _Table:
    errors = _check_zip(path, sheet, max_expanded, max_cells)
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
        if errors:
            frame = _with_error_cells(frame, table, errors, top)
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


def _with_error_cells(frame: pl.DataFrame, table: fastexcel.ExcelSheet,
                      errors: list[tuple[int, int, str]], top: int) -> pl.DataFrame:
    """The reader gives an error cell (#DIV/0!, #N/A, …) as an empty one, which the missing-value
    policy would then excuse. Put its text back, so that it is reported as the bad value it is."""
    names = {c.absolute_index: c.name for c in table.available_columns()}
    by_column: dict[str, tuple[list[int], list[str]]] = {}
    for row, col, text in errors:
        index = row - (top + 2)  # the sheet's row → the frame's row (the header is sheet row top + 1)
        if col - 1 in names and 0 <= index < frame.height:
            rows, texts = by_column.setdefault(names[col - 1], ([], []))
            rows.append(index)
            texts.append(text)
    fixes = [frame.get_column(name).cast(pl.String).scatter(rows, texts)
             for name, (rows, texts) in by_column.items()]
    return frame.with_columns(fixes) if fixes else frame


def _check_zip(path: Path, sheet: str | None, max_expanded: int,
               max_cells: int) -> list[tuple[int, int, str]]:
    """Refuse a workbook that would blow up in the reader, from its zip directory and the cell
    references of the sheet to read: more than max_expanded bytes once unzipped, or cells
    spanning more than max_cells (the reader allocates the whole rectangle, so one far cell
    in a 5 kB file asks for hundreds of gigabytes). The limits: thidua.data's MAX_XLSX_EXPANDED
    and MAX_SHEET_CELLS. Returns the sheet's error cells (row, column, text): see _check_extent."""
    errors: list[tuple[int, int, str]] = []
    try:
        with zipfile.ZipFile(path) as z:
            if "[Content_Types].xml" not in z.namelist():
                raise _Unreadable("is a zip archive but not an .xlsx workbook")
            expanded = sum(i.file_size for i in z.infolist())
            if expanded > max_expanded:
                raise _Unreadable(f"unzips to {expanded:,} bytes; an .xlsx data file may unzip to "
                                  f"at most {max_expanded:,} (a zip bomb?)")
            for member, name in _sheet_members(z, sheet):
                errors += _check_extent(z, member, name, max_cells)
    except zipfile.BadZipFile:
        raise _Unreadable("is not an .xlsx workbook (it is not a zip archive)") from None
    except (OSError, EOFError, NotImplementedError, ValueError) as e:
        raise _Unreadable(f"cannot be read as an .xlsx workbook: {_first_line(e)}") from None
    return errors


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
_ERROR_CELL = re.compile(r'<c\b([^>]*\bt="e"[^>]*)>(.*?)</c>', re.S)  # t="e": #DIV/0!, #N/A, …
_REF = re.compile(r'\br="([A-Z]{1,3})([0-9]{1,7})"')
_VALUE = re.compile(r"<v>([^<]*)</v>")
MAX_ERRORS = 1000


def _error_cells(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in _ERROR_CELL.finditer(text):
        ref, value = _REF.search(m[1]), _VALUE.search(m[2])
        if ref:
            out.append((int(ref[2]), _column_number(ref[1]), html.unescape(value[1]) if value else "#ERROR"))
    return out


def _check_extent(z: zipfile.ZipFile, member: str, sheet: str,
                  max_cells: int) -> list[tuple[int, int, str]]:
    """Rows × columns spanned by the sheet's cells that hold something (a self-closing <c/> is
    formatting only, which the reader skips). Read in chunks; a tag cut by a chunk's end is
    carried over to the next. Returns the error cells met on the way (at most MAX_ERRORS)."""
    low_row, high_row, low_col, high_col = 1 << 30, 0, 1 << 30, 0
    errors: list[tuple[int, int, str]] = []
    carry = b""
    with z.open(member) as f:
        while True:
            chunk = f.read(1 << 24)
            data = carry + chunk
            cut = data.rfind(b"<c ")  # carry over the last cell, which the chunk may have cut
            carry = data[cut:] if chunk and cut >= 0 and data.find(b"</c>", cut) < 0 else b""
            data = data[: len(data) - len(carry)]
            if b't="e"' in data and len(errors) < MAX_ERRORS:
                errors += _error_cells(data.decode("utf-8", "replace"))[: MAX_ERRORS - len(errors)]
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
    if high_row and (high_row - low_row + 1) * (high_col - low_col + 1) > max_cells:
        raise _Unreadable(f"the sheet '{sheet}' spans rows {low_row:,} to {high_row:,} and columns "
                          f"{_letters(low_col - 1)} to {_letters(high_col - 1)}, more than "
                          f"{max_cells:,} cells; delete what lies far from the table")
    return errors


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
    raise _Unreadable(f"no sheet '{_visible(wanted)}'; the workbook has {_quoted(names)}")


def _not_xlsx(error: Exception) -> str:
    if "zip" in str(error).lower():
        return "is not an .xlsx workbook (it is not a zip archive)"
    return f"cannot be read as an .xlsx workbook: {_first_line(error)}"
