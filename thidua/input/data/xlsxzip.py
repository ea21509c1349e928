"""What an .xlsx workbook holds, read from its zip before the reader opens it: every member
inflated once under a byte counter (a zip directory can lie about sizes), the workbook's index
(which sheet is read), whether its formulas' stored values were computed, and one pass over the
sheet's cells: their extent, and every cell that is not a plain number (text, yes/no, error,
formula), which the reader would otherwise turn into numbers or empty cells without a word."""

from __future__ import annotations

import html
import itertools
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import polars as pl

from thidua.i18n import _, thousands
from thidua.input.data.messages import _first_line, _letters, _Unreadable, _visible
from thidua.input.data.parse import _nfc

# Programs that compute a formula's value before they store it. A workbook written by anything
# else (a library such as xlsxwriter or openpyxl, a report generator) stores whatever it was
# given, often 0, or nothing. Matched at the start of docProps/app.xml's <Application>.
SPREADSHEETS = ("Microsoft Excel", "Microsoft Macintosh Excel", "LibreOffice", "OpenOffice",
                "Apache OpenOffice")
TEXT_KINDS = ("s", "str", "inlineStr")  # t="…" of a cell holding text (shared, formula, inline)


@dataclass(frozen=True)
class _Sheet:
    name: str  # as the workbook names it
    member: str | None  # its zip member, None when the workbook's index does not say
    visible: bool


@dataclass(frozen=True)
class _Scan:
    """The sheet to read and what its cells are, where the reader would not tell."""

    sheet: str | None  # the sheet chosen; None when the workbook has no index (the reader's first)
    kinds: pl.DataFrame  # row, col (1-based), kind: every cell that is not a plain number
    errors: pl.DataFrame  # row, col, text: every error cell (#DIV/0!, #N/A, …) and its text
    formulas: pl.DataFrame  # row, col, valued: every formula cell, and whether it stores a value
    distrust: str | None  # why stored formula values cannot be trusted; None when they can
    percent: pl.DataFrame  # row, col: every cell whose number format shows a percentage (0.955 shown as 95,5 %)
    merges: tuple[tuple[int, int, int, int], ...] = ()  # (row, col, last row, last col), 1-based


def _scan(path: Path, wanted: str | None, max_expanded: int, max_cells: int) -> _Scan:
    """Refuse a workbook that would blow up in the reader: more than max_expanded bytes once
    unzipped (told by its directory, or found while inflating), or cells spanning more than
    max_cells (the reader allocates the whole rectangle, so one far cell in a 5 kB file asks for
    hundreds of gigabytes). The limits: thidua.input.data's MAX_XLSX_EXPANDED and MAX_SHEET_CELLS."""
    try:
        with zipfile.ZipFile(path) as z, path.open("rb") as raw:
            names = z.namelist()
            if "[Content_Types].xml" not in names:
                raise _Unreadable(_("is a zip archive but not an .xlsx workbook"))
            declared = sum(i.file_size for i in z.infolist())
            if declared > max_expanded:
                raise _Unreadable(_("unzips to {size} bytes; an .xlsx data file may unzip to "
                                    "at most {limit} (a zip bomb?)", size=thousands(declared),
                                    limit=thousands(max_expanded)))
            budget = _Budget(max_expanded)
            small = {i.filename: b"".join(_inflate(raw, i, budget)) for i in z.infolist()
                     if i.filename in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                                       "docProps/app.xml", "xl/styles.xml")}
            sheets, active = _index(small, set(names))
            chosen = _choose(sheets, active, wanted)
            # The sheet to read; every worksheet when the index cannot tell (each then checked
            # for its extent, and no cell known: the reader's own reading stands).
            members = ([chosen.member] if chosen and chosen.member else
                       [n for n in sorted(names)
                        if n.startswith("xl/worksheets/") and n.endswith(".xml")])
            cells = _Cells(_percent_styles(small.get("xl/styles.xml")))
            for info in z.infolist():
                if info.filename in small:
                    continue
                chunks = _inflate(raw, info, budget)
                if info.filename in members:
                    if chosen and chosen.member:
                        cells.read(chunks, chosen.name, max_cells)
                    else:
                        _Cells().read(chunks, info.filename.rsplit("/", 1)[-1], max_cells)
                else:
                    for _chunk in chunks:
                        pass
    except zipfile.BadZipFile:
        raise _Unreadable(_("is not an .xlsx workbook (it is not a zip archive)")) from None
    except (OSError, EOFError, ValueError, zlib.error) as e:
        raise _Unreadable(_("cannot be read as {kind}: {error}", kind=_("an .xlsx workbook"),
                            error=_first_line(e))) from None
    return _Scan(chosen.name if chosen else None, cells.kinds(), cells.errors(), cells.formulas(),
                 _distrust(small), cells.percent(), tuple(cells.merges))


def _percent_styles(styles: bytes | None) -> frozenset[int]:
    """The cell styles (the s="…" of a cell) whose number format shows a percentage. The
    stylesheet is read by openpyxl, which knows the built-in formats (9: 0%, 10: 0.00%) and the
    workbook's own; a format is a percentage when its section for positive numbers holds a % that
    is not quoted or escaped."""
    if not styles or b"%" not in styles:
        return frozenset()
    from openpyxl.styles.numbers import BUILTIN_FORMATS_MAX_SIZE, builtin_format_code
    from openpyxl.styles.stylesheet import Stylesheet
    from openpyxl.xml.functions import fromstring

    try:
        sheet = Stylesheet.from_tree(fromstring(styles))
    except Exception as e:  # openpyxl raises whatever its XML parser or its models raise
        # read on, a percent cell would be taken for its fraction (95,5 % as 0.955) in silence
        raise _Unreadable(_("is a damaged .xlsx workbook: its cell formats (xl/styles.xml) cannot "
                            "be read, so percentage cells cannot be told from the others "
                            "({error})", error=type(e).__name__)) from None
    found = set()
    for index, style in enumerate(sheet.cell_styles):
        number = style.numFmtId or 0
        code = (builtin_format_code(number) if number < BUILTIN_FORMATS_MAX_SIZE
                else sheet.number_formats[number - BUILTIN_FORMATS_MAX_SIZE]
                if number - BUILTIN_FORMATS_MAX_SIZE < len(sheet.number_formats) else None)
        if code and _shows_percent(code):
            found.add(index)
    return frozenset(found)


def _shows_percent(code: str) -> bool:
    plain = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code).split(";")[0]
    return "%" in plain


_MERGE = re.compile(r'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?"')


# --- every member inflated under one counter -----------------------------------------------------


class _Budget:
    def __init__(self, limit: int):
        self.limit, self.used = limit, 0

    def spend(self, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise _Unreadable(_("unzips to more than {limit} bytes, although its zip directory "
                                "says less; an .xlsx data file may unzip to at most {limit} (a "
                                "zip bomb?)", limit=thousands(self.limit)))


def _inflate(raw: IO[bytes], info: zipfile.ZipInfo, budget: _Budget) -> Iterator[bytes]:
    """A member's bytes, inflated here from its place in the file in pieces of at most 4 MiB,
    each counted before it is handed on. A member that does not inflate to the size its
    directory entry gives is a damaged (or hostile) archive."""
    if info.flag_bits & 1:
        raise _Unreadable(_("is an encrypted workbook; save it without a password"))
    raw.seek(info.header_offset)
    head = raw.read(30)
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        raise _Unreadable(_("is a damaged .xlsx workbook (the zip member {member} is not where "
                            "its directory says)", member=repr(info.filename)))
    raw.seek(info.header_offset + 30 + sum(struct.unpack("<HH", head[26:30])))
    left, size = info.compress_size, 0
    if info.compress_type == zipfile.ZIP_STORED:
        while left > 0 and (piece := raw.read(min(left, 1 << 22))):
            left -= len(piece)
            budget.spend(len(piece))
            size += len(piece)
            yield piece
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
        while not inflater.eof:
            data = inflater.unconsumed_tail
            if not data:
                if left <= 0 or not (data := raw.read(min(left, 1 << 20))):
                    break
                left -= len(data)
            piece = inflater.decompress(data, 1 << 22)
            budget.spend(len(piece))
            size += len(piece)
            yield piece
        if not inflater.eof:
            size = -1
    else:
        raise _Unreadable(_("cannot be read as {kind}: {error}", kind=_("an .xlsx workbook"),
                            error=_("the zip member {member} uses compression method {method}, "
                                    "which workbooks do not", member=repr(info.filename),
                                    method=info.compress_type)))
    if size != info.file_size:
        raise _Unreadable(_("is a damaged .xlsx workbook: the zip member {member} does not "
                            "unzip to the {size} bytes its directory says",
                            member=repr(info.filename), size=thousands(info.file_size)))


# --- the workbook's index: which sheet, and were its formulas computed ---------------------------


def _index(small: dict[str, bytes], names: set[str]) -> tuple[list[_Sheet], int]:
    """The sheets in the workbook's order (name, zip member, visible) and the active one."""
    book = small.get("xl/workbook.xml", b"").decode("utf-8", "replace")
    rels = small.get("xl/_rels/workbook.xml.rels", b"").decode("utf-8", "replace")
    targets = {}
    for tag in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", rels):
        ident, target = _attr(tag, "Id"), _attr(tag, "Target")
        if ident and target:
            targets[ident] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    sheets = []
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", book):
        name, rid = _attr(tag, "name"), re.search(r'\b\w+:id="([^"]*)"', tag)
        if name is not None:
            member = targets.get(html.unescape(rid[1])) if rid else None
            sheets.append(_Sheet(name, member if member in names else None,
                                 _attr(tag, "state") in (None, "visible")))
    view = re.search(r"<(?:\w+:)?workbookView\b[^>]*>", book)
    active = _attr(view[0], "activeTab") if view else None
    return sheets, int(active) if active and active.isdigit() else 0


def _choose(sheets: list[_Sheet], active: int, wanted: str | None) -> _Sheet | None:
    """--sheet NAME: that sheet, hidden or not (a person named it). Without it: the sheet the
    workbook opens on (its active tab) when that is visible, else its first visible sheet: a
    hidden sheet is often a template or an old year's table, never what a person sees first."""
    if wanted is not None:
        for sheet in sheets:
            if _nfc(sheet.name) == _nfc(wanted):
                return sheet
        return None  # the reader's list of names makes the message
    if not sheets:
        return None
    if active < len(sheets) and sheets[active].visible:
        return sheets[active]
    return next((s for s in sheets if s.visible), sheets[0])


def _distrust(small: dict[str, bytes]) -> str | None:
    """Why the values stored with the formulas cannot be taken as computed, or None. They can
    when a spreadsheet application (SPREADSHEETS) wrote the file and the workbook does not ask
    to be recalculated when opened (<calcPr fullCalcOnLoad="1">: what libraries write, since
    they store values they never computed), nor says it was saved uncalculated (calcMode
    "manual" with calcOnSave="0")."""
    app = re.search(r"<(?:\w+:)?Application>([^<]*)</", small.get("docProps/app.xml", b"")
                    .decode("utf-8", "replace"))
    writer = html.unescape(app[1]).strip() if app else ""
    calc = re.search(r"<(?:\w+:)?calcPr\b[^>]*>", small.get("xl/workbook.xml", b"")
                     .decode("utf-8", "replace"))
    if not writer:
        return _("the workbook does not say which program wrote it")
    if not writer.startswith(SPREADSHEETS):
        return _("it was written by {writer}, not by a spreadsheet application",
                 writer=f"'{_visible(writer)}'")
    if calc and _attr(calc[0], "fullCalcOnLoad") in ("1", "true"):
        return _("the workbook asks to be recalculated when it is opened, so they were not")
    if calc and _attr(calc[0], "calcMode") == "manual" and _attr(calc[0], "calcOnSave") in (
            "0", "false"):
        return _("the workbook calculates only by hand and was saved without calculating")
    return None


def _attr(tag: str, name: str) -> str | None:
    found = re.search(rf'\b{name}="([^"]*)"', tag)
    return html.unescape(found[1]) if found else None


# --- one pass over the sheet's cells -------------------------------------------------------------

# Tags may carry a namespace prefix (<x:c>, as the .NET Open XML SDK writes them).
_TAG = r"<(?:\w+:)?c\s[^>]*>"  # a cell's opening tag; one ending in "/>" is formatting only
_FORMULA = (r"<(?:\w+:)?c\s[^>]*>\s*<(?:\w+:)?f\b[^>]*(?:/>|>[^<]*</(?:\w+:)?f>)\s*"
            r"(?:<(?:\w+:)?v>[^<]*</(?:\w+:)?v>|<(?:\w+:)?v/>)?")
_VALUED = r"<(?:\w+:)?v>\s*[^<\s][^<]*</"
# t="e": #DIV/0!, #N/A, …; an error cell that closes its own tag holds nothing, and is skipped
_ERROR_CELL = r'(?s)<(?:\w+:)?c\s[^>]*\bt="e"(?:[^>]*[^/>])?>.*?</(?:\w+:)?c>'
_CLOSE = re.compile(rb"</(?:\w+:)?(?:c|row)>")  # where a whole cell or row ends
_VALUE = r"<(?:\w+:)?v>([^<]*)</"


class _Cells:
    """The sheet read in pieces of about 16 MiB; a cell cut by a piece's end is carried over."""

    def __init__(self, percent_styles: frozenset[int] = frozenset()) -> None:
        self.percent_styles = percent_styles
        self._percent: list[pl.DataFrame] = []
        self.merges: list[tuple[int, int, int, int]] = []
        self.low_row, self.high_row, self.low_col, self.high_col = 1 << 30, 0, 1 << 30, 0
        self._errors: list[pl.DataFrame] = []
        self._kinds: list[pl.DataFrame] = []
        self._formulas: list[pl.DataFrame] = []

    def read(self, chunks: Iterator[bytes], sheet: str, max_cells: int) -> None:
        carry, pending, held = b"", [], 0
        for piece in itertools.chain(chunks, [b""]):
            pending.append(piece)
            held += len(piece)
            if piece and held < 1 << 24:
                continue
            data = carry + b"".join(pending)
            pending, held = [], 0
            if piece:  # keep what follows the last whole cell for the next piece
                tail = max(len(data) - (1 << 20), 0)
                cut = max((m.end() for m in _CLOSE.finditer(data, tail)), default=0)
            else:
                cut = len(data)
            carry, data = data[cut:], data[:cut]
            if data:
                self._piece(data.decode("utf-8", "replace"))
        rows = self.high_row - self.low_row + 1
        if self.high_row and rows * (self.high_col - self.low_col + 1) > max_cells:
            raise _Unreadable(
                _("the sheet {name} spans rows {low} to {high} and columns {first} to {last}, "
                  "more than {limit} cells; delete what lies far from the table",
                  name=f"'{_visible(sheet)}'", low=thousands(self.low_row),
                  high=thousands(self.high_row), first=_letters(self.low_col - 1),
                  last=_letters(self.high_col - 1), limit=thousands(max_cells)))

    def _piece(self, text: str) -> None:
        if 't="e"' in text:
            found = pl.Series([text]).str.extract_all(_ERROR_CELL).explode().drop_nulls()
            self._errors.append(_refs(found, text=pl.col("tag").str.extract(_VALUE)
                                      .fill_null("#ERROR")))
        if "mergeCell" in text:
            for m in _MERGE.finditer(text):
                a, r1, b, r2 = m.groups()
                self.merges.append((int(r1), _column_number(a), int(r2 or r1),
                                    _column_number(b or a)))
        tags = pl.Series([text]).str.extract_all(_TAG).explode().drop_nulls()
        tags = tags.filter(~tags.str.ends_with("/>"))
        styled = {"style": pl.col("tag").str.extract(r'\bs="([0-9]+)"').cast(pl.Int64)}
        cells = _refs(tags, kind=pl.col("tag").str.extract(r'\bt="([A-Za-z]+)"'),
                      **(styled if self.percent_styles else {}))
        if cells.is_empty():
            return
        if self.percent_styles:
            percent = cells.filter(pl.col("style").is_in(list(self.percent_styles))
                                   & (pl.col("kind").is_null() | (pl.col("kind") == "n")))
            if not percent.is_empty():
                self._percent.append(percent.select("row", "col"))
            cells = cells.drop("style")
        self.low_row = min(self.low_row, int(cells.get_column("row").min()))  # type: ignore[arg-type]
        self.high_row = max(self.high_row, int(cells.get_column("row").max()))  # type: ignore[arg-type]
        self.low_col = min(self.low_col, int(cells.get_column("col").min()))  # type: ignore[arg-type]
        self.high_col = max(self.high_col, int(cells.get_column("col").max()))  # type: ignore[arg-type]
        odd = cells.filter(pl.col("kind").is_in([*TEXT_KINDS, "b", "e"]))
        if not odd.is_empty():
            self._kinds.append(odd)
        if "<f" in text or ":f" in text:
            found = pl.Series([text]).str.extract_all(_FORMULA).explode().drop_nulls()
            self._formulas.append(_refs(found, valued=pl.col("tag").str.contains(
                _VALUED)))

    def kinds(self) -> pl.DataFrame:
        empty = pl.DataFrame(schema={"row": pl.Int64, "col": pl.Int64, "kind": pl.String})
        return pl.concat([empty, *self._kinds])

    def errors(self) -> pl.DataFrame:
        empty = pl.DataFrame(schema={"row": pl.Int64, "col": pl.Int64, "text": pl.String})
        return pl.concat([empty, *self._errors])

    def percent(self) -> pl.DataFrame:
        empty = pl.DataFrame(schema={"row": pl.Int64, "col": pl.Int64})
        return pl.concat([empty, *self._percent])

    def formulas(self) -> pl.DataFrame:
        empty = pl.DataFrame(schema={"row": pl.Int64, "col": pl.Int64, "valued": pl.Boolean})
        return pl.concat([empty, *self._formulas])


def _refs(tags: pl.Series, **extra: pl.Expr) -> pl.DataFrame:
    """row and col (1-based) of each cell tag's reference, with `extra` computed from the tag
    (pl.col("tag")); tags without a reference are left out."""
    parts = tags.str.extract_groups(r'\br="([A-Z]{1,3})([0-9]{1,7})"').struct.unnest()
    letters = parts.get_column("1")
    numbers = {x: _column_number(x) for x in letters.drop_nulls().unique()}
    return (pl.DataFrame({"tag": tags, "letters": letters, "digits": parts.get_column("2")})
            .filter(pl.col("letters").is_not_null())
            .select(row=pl.col("digits").cast(pl.Int64),
                    # no cell at all: polars keeps text for an empty mapping (a workbook with
                    # "<f" in its sheet but no formula cell, as a data validation's <formula1>)
                    col=pl.col("letters").replace_strict(numbers, return_dtype=pl.Int64)
                    if numbers else pl.lit(None, pl.Int64),
                    **extra))


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n
