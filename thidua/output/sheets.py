"""Worksheets a council prints and signs: a title block, one Excel table (Vietnamese headers,
number formats, autofilter, frozen header), notes, a place-and-date line and the signatures.

Every data block is an Excel table (a ListObject) with a fixed ASCII name, so a program reads
it back by name whatever the title block above it holds (`thidua verify` does:
fastexcel's `load_table`). Pages are A4 landscape, one page wide, the header row repeated on
every page, the page number in the footer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from thidua import model as m
from thidua.i18n import N_, _

if TYPE_CHECKING:
    from xlsxwriter import Workbook
    from xlsxwriter.worksheet import Worksheet

Kind = Literal["text", "long", "int", "points", "number", "percent"]
WIDTH = {"text": 12.0, "long": 50.0, "int": 6.0, "points": 9.0, "number": 9.0, "percent": 9.0}
LINE = 15.0  # points a line of 11-point text takes
BLANK_DATE = N_("day …… month …… year ……")  # translated where written


@dataclass(frozen=True)
class Col:
    head: str
    kind: Kind = "text"
    width: float | None = None
    digits: int | None = None  # decimals of a number or percent column (None: the file's precision)


def number_format(digits: int | None, percent: bool = False) -> str:
    """'0.00' for two decimals (shown with the reader's decimal mark); 'General' for none given."""
    if digits is None:
        return "0.0%" if percent else "General"
    base = "0" + ("." + "0" * digits if digits > 0 else "")
    return base + ("%" if percent else "")


class Book:
    """A workbook's shared formats and the title block of its criteria file."""

    def __init__(self, wb: Workbook, c: m.Criteria, document: str) -> None:
        self.wb, self.c, self.document = wb, c, document
        self._formats: dict[tuple[Any, ...], Any] = {}
        self.tables: set[str] = set()

    def fmt(self, **props: Any) -> Any:
        """One format per set of properties (a workbook keeps each it is given)."""
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.wb.add_format({"font_name": "Times New Roman", "font_size": 11, **props})
        return self._formats[key]

    def cell(self, col: Col) -> Any:
        """A bordered cell of the column's kind: text wrapped, numbers in their format."""
        base = {"border": 1, "valign": "top"}
        if col.kind in ("text", "long"):
            return self.fmt(**base, text_wrap=True)
        if col.kind == "int":
            return self.fmt(**base, num_format="0", align="center")
        digits = col.digits if col.digits is not None or col.kind != "points" else self.c.precision
        return self.fmt(**base, num_format=number_format(digits, col.kind == "percent"))

    def title_lines(self) -> list[tuple[str, dict[str, Any]]]:
        """The council (when given), the document, the criteria file's name, its version and the
        period (when given): each line with its font."""
        r = self.c.printed
        lines: list[tuple[str, dict[str, Any]]] = []
        if r.council:
            lines.append((r.council.upper(), {"bold": True, "font_size": 12}))
        lines.append((self.document.upper(), {"bold": True, "font_size": 14}))
        lines.append((self.c.name, {"bold": True}))
        when = f"; {r.period}" if r.period else ""
        lines.append((_("Version {version}", version=self.c.version) + when, {"italic": True}))
        return lines

    def table_name(self, wanted: str) -> str:
        """An Excel table name: ASCII letters, digits and '_', starting with a letter, unique."""
        base = "T_" + re.sub(r"[^A-Za-z0-9_]", "_", wanted)
        name, n = base, 1
        while name.casefold() in self.tables:
            n += 1
            name = f"{base}_{n}"
        self.tables.add(name.casefold())
        return name

    def sheet(self, sheet_name: str, table: str, cols: list[Col], rows: list[list[Any]], *,
              heading: str | None = None, notes: list[str] | None = None, breaks: list[int] | None = None,
              signed: bool = True, freeze: int = 0) -> Worksheet:
        """A printed worksheet: title block, `heading`, the table `table` of `cols` and `rows`
        (values as Python numbers or text; None left blank), `notes` below it, then the place and
        date line and the signatures. `breaks`: indexes of rows that start a new printed page
        (a new cluster). `freeze`: columns kept in view beside the frozen header."""
        ws = self.wb.add_worksheet(sheet_name)
        ncols = max(len(cols), 1)
        widths = [col.width or _width(col, [row[i] for row in rows]) for i, col in enumerate(cols)]
        at = 0
        for text, props in self.title_lines():
            f = self.fmt(align="center", valign="vcenter", text_wrap=True, **props)
            write_across(ws, at, 0, ncols - 1, text, f)
            size = props.get("font_size", 11) / 11
            ws.set_row(at, LINE * size * _lines([text], [sum(widths) / size]) + 2)
            at += 1
        if heading:
            ws.write_string(at, 0, safe(heading), self.fmt(bold=True))
            at += 1
        at += 1
        top = at
        header = self.fmt(bold=True, text_wrap=True, valign="vcenter", align="center", border=1, bg_color="#D9E1F2")
        data = [[None if v is None or v == "" else safe(v) for v in row] for row in rows]
        columns = [{"header": col.head, "header_format": header, "format": self.cell(col)} for col in cols]
        ws.add_table(top, 0, top + max(len(data), 1), ncols - 1, {
            "name": self.table_name(table), "columns": columns, "data": data or [[None] * ncols],
            "style": "Table Style Light 1", "autofilter": True})
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        # a spreadsheet does not grow a row for wrapped text that was written, only typed: every
        # row gets the height of its tallest cell
        ws.set_row(top, LINE * _lines([col.head for col in cols], widths) + 4)
        # only text wraps: the columns holding no text are left out of the measure
        # (a row shorter than the columns loses a suffix of them, as zip does)
        texty = [i for i in range(len(cols))
                 if any(isinstance(row[i], str) for row in data if i < len(row))]
        tw = [widths[i] for i in texty]
        for n, row in enumerate(data, start=top + 1):
            ws.set_row(n, LINE * _lines([row[i] for i in texty if i < len(row)], tw) + 2)
        ws.freeze_panes(top + 1, freeze)
        ws.repeat_rows(top)
        if breaks:
            ws.set_h_pagebreaks([top + 1 + b for b in breaks if b > 0])
        at = top + max(len(data), 1) + 2
        for line in notes or []:
            write_across(ws, at, 0, ncols - 1, line, self.fmt(text_wrap=True, valign="top"))
            ws.set_row(at, LINE * _lines([line], [sum(widths)]) + 2)
            at += 1
        if signed:
            at = self.signatures(ws, at + 1, ncols)
        ws.print_area(0, 0, at, ncols - 1)
        page(ws)
        return ws

    def signatures(self, ws: Worksheet, at: int, ncols: int, signers: list[m.Signer] | None = None) -> int:
        """The place-and-date line (right) and one block per signer (the file's `report.signers`
        unless given), side by side, the last on the right; the last row used."""
        r = self.c.printed
        place = f"{r.place}, " if r.place else "……………, "
        line = place + (r.date or _(BLANK_DATE))
        half = ncols // 2
        right = (half, ncols - 1) if ncols > 1 else (0, 0)
        write_across(ws, at, *right, line, self.fmt(italic=True, align="center"))
        signers = signers or r.signers or list(m.SIGNERS)
        spans = _spans(ncols, len(signers)) if len(signers) > 1 else [right]
        for (a, b), s in zip(spans, signers, strict=True):
            title = s.title.replace(" — ", "\n")
            write_across(ws, at + 1, a, b, title, self.fmt(bold=True, align="center", text_wrap=True, valign="top"))
            write_across(ws, at + 2, a, b, _("(Signature and full name)"), self.fmt(italic=True, align="center"))
            write_across(ws, at + 6, a, b, s.name or "", self.fmt(bold=True, align="center"))
        ws.set_row(at + 1, 32)
        return at + 6


_FORMULA = re.compile(r"^[=+\-@\t\r]")


def safe(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula once edited (=, +, -, @, tab, CR) starts
    with ' (as in render.neutralised); anything else as it is."""
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def page(ws: Worksheet) -> None:
    """A4 landscape, one page wide, centred, page numbers in the footer."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.7)
    ws.center_horizontally()
    ws.set_footer("&C" + _("Page &P/&N"), {"margin": 0.3})


def write_across(ws: Worksheet, row: int, a: int, b: int, text: str, f: Any) -> None:
    """`text` (made safe) in one cell or merged across columns a..b of `row`."""
    text = safe(text)
    if b > a:
        ws.merge_range(row, a, row, b, text, f)
    else:
        ws.write_string(row, a, text, f)


def _spans(ncols: int, n: int) -> list[tuple[int, int]]:
    """`n` column ranges side by side over `ncols` columns (one column each when too few)."""
    if n <= 0:
        return []
    if ncols < n:
        return [(i, i) for i in range(n)]
    step = ncols // n
    return [(i * step, (ncols - 1) if i == n - 1 else (i + 1) * step - 1) for i in range(n)]


def _lines(cells: list[Any], widths: list[float]) -> int:
    """How many lines the tallest of `cells` wraps to in columns of `widths` characters."""
    import math

    most = 1
    for v, w in zip(cells, widths, strict=False):
        if isinstance(v, str):
            count = sum(max(1, math.ceil(len(part) * 1.05 / max(w - 1, 1))) for part in v.split("\n"))
            most = max(most, count)
    return most


def _width(col: Col, values: list[Any]) -> float:
    """A column wide enough for its header words and most of its values, within the kind's bounds."""
    if col.kind == "long":
        return WIDTH["long"]
    longest = max((len(str(v)) for v in values if v is not None), default=0)
    words = max((len(w) for w in col.head.split()), default=4)
    if col.kind == "text":
        return float(min(max(longest + 2, words + 2, 8), 30))
    return float(min(max(WIDTH[col.kind], words + 2, longest + 2), 16))


# --- the chart ------------------------------------------------------------------------------------


def chart(book: Book, units: list[dict[str, Any]], marked: set[str], title: str) -> None:
    """A chart sheet "Biểu đồ": each unit's total as a bar, grouped by cluster (two-level
    categories), the units on an award list in their own colour (series "Có tên trong danh sách
    đề nghị khen thưởng"). Its numbers sit on a hidden worksheet beside it."""
    wb = book.wb
    cs = wb.add_chartsheet(_("Chart"))  # first, so that it is the first page printed
    data_name = _("Chart data")
    data = wb.add_worksheet(data_name)
    data.hide()
    head = [_("Cluster"), _("Unit"), _("On an award proposal list"), _("The other units")]
    data.write_row(0, 0, head)
    grouped = any(u["group"] is not None for u in units)
    last_group: object = object()
    for i, u in enumerate(units, start=1):
        if grouped and u["group"] != last_group:
            data.write_string(i, 0, safe(str(u["group"])))
            last_group = u["group"]
        data.write_string(i, 1, safe(f"{u['name']} ({u['id']})"))
        data.write_number(i, 2 if u["id"] in marked else 3, u["total"] or 0.0)
    n = len(units)
    sheet = "'" + data_name.replace("'", "''") + "'"
    categories = f"={sheet}!$A$2:$B${n + 1}" if grouped else f"={sheet}!$B$2:$B${n + 1}"
    ch = wb.add_chart({"type": "bar", "subtype": "stacked"})
    for letter, colour in (("C", "#C00000"), ("D", "#8EA9DB")):
        ch.add_series({"name": f"={sheet}!${letter}$1", "categories": categories,
                       "values": f"={sheet}!${letter}$2:${letter}${n + 1}",
                       "fill": {"color": colour}, "gap": 40})
    ch.set_title({"name": title, "name_font": {"size": 12}})
    top = book.c.total + (book.c.bonus.max_points if book.c.bonus else 0)
    ch.set_x_axis({"name": _("Total"), "min": 0, "max": top, "major_gridlines": {"visible": True}})
    # every label shown (a spreadsheet hides those that overlap): smaller type for more units
    ch.set_y_axis({"reverse": True, "num_font": {"size": max(4, min(8, 280 // max(n, 1)))}, "interval_unit": 1})
    ch.set_legend({"position": "bottom"})
    cs.set_chart(ch)
    cs.set_paper(9)
    cs.set_landscape()
