"""Opening an .xlsx workbook as a `_Table`: checked from its zip first (xlsxzip.py), its header
found below any title rows, its cells typed from every row and then put back as they are
written where the reader would change them: a text cell in a number column stays text (read by
the rules of text numbers, as in CSV), a yes/no cell is not the number 1, an error cell is not
an empty one, and a formula whose stored value no spreadsheet computed is named."""

from __future__ import annotations

import logging
from collections.abc import Collection
from pathlib import Path

import fastexcel
import polars as pl

from thidua.i18n import N_, _, ngettext
from thidua.input.data.columns import Columns
from thidua.input.data.formats import _Table
from thidua.input.data.messages import _first_line, _letters, _quoted, _Unreadable, _visible
from thidua.input.data.parse import _nfc, header_key, header_keys
from thidua.input.data.xlsxzip import TEXT_KINDS, _Scan, _scan

# The reader logs "Could not determine dtype for column 5, falling back to string" for every
# empty or mixed column; with no handler configured, Python prints that on standard error,
# where only our own messages belong. What it means is decided here, cell by cell.
logging.getLogger("fastexcel").addHandler(logging.NullHandler())


def _open_xlsx(path: Path, sheet: str | None, columns: Columns, decimal_comma: bool,
               max_expanded: int, max_cells: int) -> _Table:
    scan = _scan(path, sheet, max_expanded, max_cells)
    try:
        book = fastexcel.read_excel(path)
        name = _sheet(book.sheet_names, scan.sheet or sheet)
        # Read as text from the sheet's first row to find the header: the first row that names
        # the id column (title rows may stand above the table), else the first filled row. Its
        # first MAX_TITLE_ROWS + 1 rows are read, where the header must be (the whole sheet
        # only when they are all empty): reading every row as text cost as much as the typed
        # read below. A column empty in those rows has no header, and so is none we read.
        whole = book.load_sheet(name, header_row=None, skip_rows=0, dtypes="string",
                                n_rows=MAX_TITLE_ROWS + 1)
        raw = whole.to_polars()
        filled = _filled_rows(raw)
        if not filled.any():
            whole = book.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
            raw = whole.to_polars()
            filled = _filled_rows(raw)
        if raw.width == 0 or not filled.any():
            raise _Unreadable(_("the sheet {name} is empty", name=f"'{_visible(name)}'"))
        label = header_key(columns.header(columns.id))
        named = raw.head(MAX_TITLE_ROWS + 1).select(
            pl.any_horizontal(header_keys(pl.col(c)) == label for c in raw.columns)).to_series()
        top = int((named if named.any() else filled).arg_true()[0])
        header = tuple("" if v is None else v for v in raw.row(top))
        # Then typed from every row of each column (a sample could turn a text cell into null);
        # a column with an error cell as text (some errors stop the reader's typing).
        failed = {col - 1: "string" for col in
                  scan.errors.filter(pl.col("row") > top + 1).get_column("col").unique()}
        table = book.load_sheet(name, header_row=top, schema_sample_rows=None,
                                dtypes=failed or None)  # type: ignore[arg-type]
        # Columns are matched by their place in the sheet: empty columns are left out of `frame`.
        sheet_column = [c.absolute_index for c in whole.available_columns()]
        names = {c.absolute_index: c.name for c in table.available_columns()}
        def frame_columns(wanted: Collection[str]) -> set[str]:
            keys = {header_key(columns.header(n)) for n in wanted}
            return {names[sheet_column[i]] for i, h in enumerate(header)
                    if header_key(h) in keys and sheet_column[i] in names}

        number_columns = frame_columns(columns.numbers)
        flag_columns = frame_columns(columns.flags)
        group_columns = frame_columns([columns.group] if columns.group else [])
        notes: list[str] = []
        frame = _as_written(book, name, top + 2, table.to_polars(), names, scan, number_columns,
                            decimal_comma)
        frame = _percent_cells(frame, top + 2, names, scan, number_columns, flag_columns,
                               header, sheet_column, notes)
        frame, merges = _merged(frame, top + 2, names, scan, group_columns, header, sheet_column,
                                notes)
    except fastexcel.FastExcelError as e:
        raise _Unreadable(_not_xlsx(e)) from None

    def marked(position: int) -> list[tuple[int, str]]:
        return _formula_problems(scan, sheet_column[position] + 1, top + 2)

    return _Table(N_("an .xlsx workbook"), header,
                  lambda positions: frame.lazy().select(names[sheet_column[i]] for i in positions),
                  first_row=top + 2, spreadsheet=True, marked=marked, sheet=name,
                  notes=tuple(notes), merges=merges)


MAX_TITLE_ROWS = 200  # the header (the row naming the id column) is looked for this far down


def _filled_rows(raw: pl.DataFrame) -> pl.Series:
    """Whether each row of cells read as text holds anything but spaces."""
    cells = [pl.col(c).str.strip_chars().fill_null("") != "" for c in raw.columns]
    return raw.select(pl.any_horizontal(cells) if cells else pl.lit(False)).to_series()


def _percent_cells(frame: pl.DataFrame, first: int, names: dict[int, str], scan: _Scan,
                   number_columns: set[str], flag_columns: set[str], header: tuple[str, ...],
                   sheet_column: list[int], notes: list[str]) -> pl.DataFrame:
    """A number cell formatted as a percentage holds the fraction (0.955 shown as 95,5 %): in a
    number column it is read as the percent shown, 95.5 (the decimal point moved on the
    number's shortest decimal text, so 0.07 is 7, not 7.000000000000001), and a note names the
    column; in a yes/no column it becomes the text '95,5 %', which is no yes/no value."""
    below = scan.percent.filter(pl.col("row").is_between(first, first + frame.height - 1))
    if below.is_empty():
        return frame
    heading = {names[c]: header[i].strip() for i, c in enumerate(sheet_column) if c in names}
    fixes = []
    for c in sorted(number_columns | flag_columns):
        rows = below.filter(pl.col("col") == _sheet_col(names, c)).get_column("row") - first
        if rows.is_empty():
            continue
        if c in number_columns:
            notes.append(ngettext("column {name}: {count} cell formatted as percentages read "
                                  "as the percent shown (95,5 % as 95.5)",
                                  "column {name}: {count} cells formatted as percentages read "
                                  "as the percent shown (95,5 % as 95.5)", rows.len(),
                                  name=f"'{_visible(heading[c])}'", count=rows.len()))
        if c in number_columns and not frame.schema[c].is_numeric():
            continue  # a number column holding text too: _as_written moved the point
        mask = pl.Series(c, [False] * frame.height).scatter(rows, True)
        value = pl.col(c).cast(pl.Float64, strict=False)
        shown = _as_percent(value)
        hit = pl.lit(mask)
        if c in number_columns:
            fixes.append(pl.when(hit).then(shown).otherwise(value).alias(c))
        else:
            kept = pl.col(c) if frame.schema[c] == pl.String else _written(value, False)
            fixes.append(pl.when(hit).then(_written(shown, False) + " %").otherwise(kept).alias(c))
    return frame.with_columns(fixes) if fixes else frame


def _as_percent(value: pl.Expr) -> pl.Expr:
    """The percent a fraction shows: its shortest decimal text with the point moved two places
    (exact: 0.07 is 7, where 0.07 × 100 is 7.000000000000001)."""
    text = value.cast(pl.String)
    return (pl.when(text.str.contains("[eE]|inf|NaN")).then(value * 100)
            .otherwise((text + "e2").cast(pl.Float64, strict=False)))


def _sheet_col(names: dict[int, str], column: str) -> int:
    return next(i for i, n in names.items() if n == column) + 1


def _merged(frame: pl.DataFrame, first: int, names: dict[int, str], scan: _Scan,
            group_columns: set[str], header: tuple[str, ...], sheet_column: list[int],
            notes: list[str]) -> tuple[pl.DataFrame, tuple[tuple[int, int, int, int, str], ...]]:
    """A group cell merged down its units holds its value in its first cell only: the cells
    below it are filled from it, and a note says so. Every other merge that reaches below the
    header is handed on (sheet row, col, last row, last col, its header) to be named where it meets a unit."""
    group_col = {_sheet_col(names, c): c for c in group_columns}
    heads = {s + 1: header[i].strip() for i, s in enumerate(sheet_column)}
    others = []
    filled: list[str] = []
    fixes: dict[str, pl.Series] = {}
    for r1, c1, r2, c2 in sorted(scan.merges):
        if r2 < first:
            continue  # a title above the header
        if c1 == c2 and c1 in group_col and r1 >= first and r2 < first + frame.height:
            c = group_col[c1]
            series = fixes.get(c, frame.get_column(c))
            value = series[r1 - first]
            if value is not None:
                series = series.scatter(list(range(r1 - first + 1, r2 - first + 1)),
                                        pl.Series([value] * (r2 - r1), dtype=series.dtype))
                fixes[c] = series
                filled.append(f"{r1}–{r2}")
                continue
        others.append((r1, c1, r2, c2, heads.get(c1, "")))
    if filled:
        c = next(iter(group_col.values()))
        heading = next(header[i].strip() for i, s in enumerate(sheet_column) if names.get(s) == c)
        notes.append(_("column {name}: merged cells filled down from their first cell (rows "
                       "{rows})", name=f"'{_visible(heading)}'",
                       rows=", ".join(filled[:10]) + ", …" * (len(filled) > 10)))
    frame = frame.with_columns(s.alias(c) for c, s in fixes.items()) if fixes else frame
    return frame, tuple(others)


def _as_written(book: fastexcel.ExcelReader, name: str, first: int, frame: pl.DataFrame,
                names: dict[int, str], scan: _Scan, number_columns: set[str],
                decimal_comma: bool) -> pl.DataFrame:
    """The reader turns a text cell of a number column into the number it reads ('1.234' is
    1.234 even with a decimal comma), a yes/no cell into 1 or 0 and an error cell into an empty
    one. Put them back: a number column that holds other cells than numbers becomes text, its
    number cells written in the file's convention (95,5 with a decimal comma) and every other
    cell as written, so that the rules of text numbers decide, as they do for a CSV file; an
    error cell becomes its text (#DIV/0!, #N/A) in any column, to be reported."""
    below = pl.col("row").is_between(first, first + frame.height - 1)
    kinds = scan.kinds.filter(below)
    errors = scan.errors.filter(below)
    column = {c: i + 1 for i, c in names.items()}  # frame column → sheet column (1-based)
    odd = set(kinds.filter(pl.col("kind").is_in([*TEXT_KINDS, "b"])).get_column("col"))
    redo = [c for c in number_columns
            if frame.schema[c] == pl.String or column[c] in odd]
    fixes = {}
    if redo:
        as_text = book.load_sheet(name, header_row=first - 2, schema_sample_rows=None,
                                  use_columns=redo, dtypes="string").to_polars()
        as_number = book.load_sheet(name, header_row=first - 2, schema_sample_rows=None,
                                    use_columns=redo, dtypes="float").to_polars()
        for c in redo:
            rows = (kinds.filter((pl.col("col") == column[c]) & pl.col("kind").ne("e"))
                    .get_column("row") - first)
            text = pl.Series(c, [False] * frame.height).scatter(rows, True)
            percent = scan.percent.filter(pl.col("col") == column[c]).get_column("row") - first
            percent = percent.filter(percent.is_between(0, frame.height - 1))
            shown = pl.Series(c, [False] * frame.height).scatter(percent, True)
            n = pl.when("percent").then(_as_percent(pl.col("n"))).otherwise("n")
            fixes[c] = (pl.DataFrame({"text": text, "t": as_text[c], "n": as_number[c],
                                      "percent": shown})
                        .select(pl.when("text").then("t")
                                .otherwise(_written(n, decimal_comma))).to_series()
                        .alias(c))
    for c in frame.columns:
        here = errors.filter(pl.col("col") == column[c])
        if not here.is_empty():
            base = fixes.get(c, frame.get_column(c))
            if base.dtype != pl.String:
                base = frame.select(_written(pl.col(c), decimal_comma and c in number_columns)
                                    ).to_series()
            fixes[c] = base.scatter(here.get_column("row") - first, here.get_column("text"))
    return frame.with_columns(s.alias(c) for c, s in fixes.items()) if fixes else frame


def _written(number: pl.Expr, decimal_comma: bool) -> pl.Expr:
    """A number cell as text in the file's convention: 7 (not 7.0), 95.5, or 95,5."""
    whole = pl.when(number == number.round()).then(number.cast(pl.Int64, strict=False))
    text = pl.coalesce(whole.cast(pl.String), number.cast(pl.String))
    return text.str.replace(".", ",", literal=True) if decimal_comma else text


def _formula_problems(scan: _Scan, col: int, first: int) -> list[tuple[int, str]]:
    """(row, message) for every formula cell of a sheet column, below the header, whose value
    cannot be trusted: it stores none, or the workbook's stored values were not computed."""
    cells = scan.formulas.filter((pl.col("col") == col) & (pl.col("row") >= first))
    if scan.distrust is None:
        cells = cells.filter(~pl.col("valued"))
    out = []
    for row, valued in cells.select("row", "valued").sort("row").rows():
        ref = f"{_letters(col - 1)}{row}"
        out.append((row, (
            _("the formula in {ref} has a stored value that no spreadsheet application "
              "calculated ({why}); open the workbook in Excel or LibreOffice and save it "
              "again, or type the value", ref=ref, why=scan.distrust) if valued else
            _("the formula in {ref} has no stored value (it was never calculated); open the "
              "workbook in Excel or LibreOffice and save it again, or type the value", ref=ref))))
    return out


def _sheet(names: list[str], wanted: str | None) -> str:
    if wanted is None:
        return names[0]
    for name in names:
        if _nfc(name) == _nfc(wanted):
            return name
    raise _Unreadable(_("no sheet {name}; the workbook has {names}", name=f"'{_visible(wanted)}'",
                        names=_quoted(names)))


def _not_xlsx(error: Exception) -> str:
    if "zip" in str(error).lower():
        return _("is not an .xlsx workbook (it is not a zip archive)")
    return _("cannot be read as {kind}: {error}", kind=_("an .xlsx workbook"),
             error=_first_line(error))
