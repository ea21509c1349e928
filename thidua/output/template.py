"""The data-entry workbook a council sends to its units (`thidua template`).

Sheet "Nhập liệu": the id, name and group columns and one column per indicator, each under the
header the criteria file reads it by (its `columns:` label, else its name); a comment on every
header gives the criterion and its rule in words; data validation keeps values readable (numbers
within bounds, có/không for yes/no columns, the listed clusters); the header row is frozen. One
row per unit when the units are known (`--from DATA`), else empty rows that carry the
validation. Sheet "Hướng dẫn": how to fill it. docs/cli.md (thidua template) tells every choice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from thidua import model as m
from thidua.core.scoring import indicators, leaves, rule_columns
from thidua.output.workbook import new_workbook

SHEET = "Nhập liệu"
GUIDE = "Hướng dẫn"
EMPTY_ROWS = 200  # rows carrying the validation when no unit is known
YES_NO_LIST = ["có", "không"]
TEXT_WIDTH, NUMBER_WIDTH = 28, 18


def _n(x: float) -> str:
    return f"{x:g}".replace(".", ",")


def _target(t: m.Target) -> str:
    return f"cột {t.indicator}" if isinstance(t, m.IndicatorRef) else _n(t)


def rule_words(rule: m.Rule) -> str:
    """A rule as a secretary reads it (Vietnamese)."""
    if isinstance(rule, m.Formula):
        return f"theo công thức {rule.expr}, rồi {rule_words(rule.then)}"
    better = "càng cao càng tốt" if getattr(rule, "direction", "higher") == "higher" \
        else "càng thấp càng tốt"
    if isinstance(rule, m.Boolean):
        return ("\"không\" được đủ điểm, \"có\" được 0 điểm" if rule.invert
                else "\"có\" được đủ điểm, \"không\" được 0 điểm")
    if isinstance(rule, m.Linear):
        return (f"tuyến tính: 0 điểm tại {_n(rule.zero_at)}, đủ điểm tại {_n(rule.full_at)}"
                + (" (thang logarit)" if rule.transform == "log" else ""))
    if isinstance(rule, m.Ratio):
        return f"theo tỷ lệ đạt so với chỉ tiêu {_target(rule.target)}"
    if isinstance(rule, m.Shortfall):
        return (f"trừ {_n(rule.per_unit)} điểm cho mỗi đơn vị thiếu so với chỉ tiêu "
                f"{_target(rule.target)} ({better})")
    if isinstance(rule, m.Bands):
        parts = []
        for b in rule.bands:
            low = f"từ {_n(b.min)}" if b.min is not None else ""
            high = f"đến {_n(b.max)}" if b.max is not None else ""
            parts.append(f"{' '.join(x for x in (low, high) if x)}: {_n(b.points)} điểm")
        return "theo khoảng: " + "; ".join(parts)
    if isinstance(rule, m.PerCount):
        return f"{_n(rule.each)} điểm cho mỗi lần (số đếm, không âm)"
    if isinstance(rule, m.Relative):
        return f"so với đơn vị tốt nhất ({better})"
    if isinstance(rule, m.MinMax):
        return f"theo vị trí giữa thấp nhất và cao nhất ({better})"
    if isinstance(rule, m.TargetLeader):
        return f"theo chỉ tiêu {_target(rule.target)} và đơn vị dẫn đầu"
    return "điểm chấm trực tiếp (nhập số điểm)"


@dataclass(frozen=True)
class _Column:
    name: str  # the criteria file's name
    header: str  # the header written (its label)
    kind: str  # id, name, group, number, flag
    comment: str
    low: float | None = None
    high: float | None = None


def _bounds(name: str, header: str, rules: list[tuple[m.Node, m.Rule]]) -> tuple[float | None,
                                                                                 float | None]:
    """Sensible bounds of a number column: a manual score within 0..its points; a column whose
    header says % within 0..100; 0 or more when every rule reading it reads a non-negative
    quantity (its thresholds, targets and bands all 0 or more); else none."""
    highs: list[float] = []
    nonnegative = True
    for node, rule in rules:
        inner = rule.then if isinstance(rule, m.Formula) else rule
        if isinstance(rule, m.Formula):
            nonnegative = False
        elif isinstance(inner, m.Manual):
            highs.append(node.max_points)
        elif isinstance(inner, m.Linear):
            nonnegative &= min(inner.zero_at, inner.full_at) >= 0
        elif isinstance(inner, m.Bands):
            nonnegative &= all((b.min is None or b.min >= 0) and (b.max is None or b.max >= 0)
                               for b in inner.bands)
        elif isinstance(inner, (m.Relative, m.MinMax)):
            nonnegative = False
    if "%" in header:
        return 0.0, 100.0
    if highs:
        return 0.0, min(highs)
    return (0.0, None) if nonnegative and rules else (None, None)


def columns(c: m.Criteria) -> list[_Column]:
    numbers, flags = indicators(c)

    def label(name: str) -> str:
        return c.columns.get(name, name)

    out = [_Column(c.units.id, label(c.units.id), "id", "Mã đơn vị: bắt buộc, mỗi đơn vị một mã"),
           _Column(c.units.name, label(c.units.name), "name", "Tên đơn vị: bắt buộc")]
    if c.units.group:
        listed = (f" ({', '.join(c.units.groups)})" if c.units.groups else "")
        out.append(_Column(c.units.group, label(c.units.group), "group",
                           f"Cụm, khối thi đua của đơn vị{listed}: bắt buộc"))
    readers: dict[str, list[tuple[m.Node, m.Rule]]] = {}
    order: list[str] = []
    for leaf in leaves(c):
        for name in rule_columns(leaf.rule):
            if name not in readers:
                order.append(name)
            readers.setdefault(name, []).append((leaf.node, leaf.rule))
    order += sorted((numbers | flags) - set(order))
    for name in order:
        rules = readers.get(name, [])
        lines = [f"Tiêu chí {node.code} – {node.name} ({_n(node.max_points)} điểm): "
                 f"{rule_words(rule)}" for node, rule in rules]
        if not rules:
            lines = ["Dùng trong công thức, điều kiện hoặc phá hòa của bộ tiêu chí"]
        if name in flags:
            out.append(_Column(name, label(name), "flag",
                               "\n".join([*lines, "Nhập: có hoặc không"])))
        else:
            low, high = _bounds(name, label(name), rules)
            where = (f"từ {_n(low)} đến {_n(high)}" if low is not None and high is not None
                     else f"từ {_n(low)} trở lên" if low is not None else "một số")
            percent = " (tỷ lệ phần trăm: nhập 95,5 cho 95,5 %)" if "%" in label(name) else ""
            out.append(_Column(name, label(name), "number",
                               "\n".join([*lines, f"Nhập: {where}{percent}"]), low, high))
    return out


def guide(c: m.Criteria, cols: list[_Column]) -> Iterator[str]:
    yield f"Bảng nhập số liệu: {c.name} (phiên bản {c.version})"
    yield ""
    yield f"1. Nhập số liệu vào trang \"{SHEET}\", mỗi đơn vị một dòng, bắt đầu từ dòng 2."
    yield "2. Không đổi tên, không xóa, không gộp (merge) các ô tiêu đề ở dòng 1."
    yield "3. Không thêm dòng tổng cộng, dòng đánh số cột hay dòng chữ ký vào bảng."
    yield "4. Số thập phân viết như Excel hiển thị (95,5); tỷ lệ phần trăm nhập số phần trăm (95,5)."
    yield "5. Cột có/không: chọn \"có\" hoặc \"không\" trong danh sách."
    if c.units.groups:
        yield f"6. Cụm thi đua: chọn trong danh sách ({', '.join(c.units.groups)})."
    yield ""
    yield "Các cột:"
    for col in cols:
        yield f"- {col.header}: {col.comment.splitlines()[0]}"


def _whole(x: float) -> float | int:
    return int(x) if x == int(x) else x


def write_template(c: m.Criteria, path: str, units: list[tuple[str, str, str | None]]) -> None:
    """Write the data-entry workbook to `path`."""
    cols = columns(c)
    wb = new_workbook(path)
    bold = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7",
                          "border": 1})
    text = wb.add_format({"num_format": "@"})
    sheet = wb.add_worksheet(SHEET)
    rows = max(len(units), 1) if units else EMPTY_ROWS
    for j, col in enumerate(cols):
        sheet.write_string(0, j, col.header, bold)
        sheet.write_comment(0, j, col.comment, {"x_scale": 3, "y_scale": 2})
        width = TEXT_WIDTH if col.kind in ("id", "name", "group") else NUMBER_WIDTH
        sheet.set_column(j, j, width, text if col.kind == "id" else None)
        last = rows
        if col.kind == "flag":
            sheet.data_validation(1, j, last, j, {
                "validate": "list", "source": YES_NO_LIST,
                "error_title": "Có hoặc không", "error_message": "Chọn có hoặc không."})
        elif col.kind == "group" and c.units.groups:
            sheet.data_validation(1, j, last, j, {
                "validate": "list", "source": list(c.units.groups),
                "error_title": "Cụm thi đua", "error_message": "Chọn một cụm trong danh sách."})
        elif col.kind == "number":
            if col.low is not None and col.high is not None:
                rule = {"criteria": "between", "minimum": _whole(col.low),
                        "maximum": _whole(col.high)}
                message = f"Nhập một số từ {_n(col.low)} đến {_n(col.high)}."
            elif col.low is not None:
                rule = {"criteria": ">=", "value": _whole(col.low)}
                message = f"Nhập một số từ {_n(col.low)} trở lên."
            else:
                rule = {"criteria": "between", "minimum": -1e15, "maximum": 1e15}
                message = "Nhập một số."
            sheet.data_validation(1, j, last, j, {
                "validate": "decimal", **rule, "error_title": "Số liệu",
                "error_message": message})
    for i, unit in enumerate(units, 1):
        for j, col in enumerate(cols):
            value = dict(zip(("id", "name", "group"), unit, strict=True)).get(col.kind)
            if value is not None:
                sheet.write_string(i, j, value)
    sheet.freeze_panes(1, 0)
    notes = wb.add_worksheet(GUIDE)
    notes.set_column(0, 0, 110)
    for i, line in enumerate(guide(c, cols)):
        notes.write_string(i, 0, line)
    wb.close()
