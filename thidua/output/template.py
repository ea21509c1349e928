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
from thidua.i18n import N_, _, marks
from thidua.output.workbook import new_workbook

SHEET = N_("Data entry")  # the sheets' names, in the language of the run
GUIDE = N_("Instructions")
EMPTY_ROWS = 200  # rows carrying the validation when no unit is known
YES_NO_LIST = ["có", "không"]
TEXT_WIDTH, NUMBER_WIDTH = 28, 18


def _n(x: float) -> str:
    return marks(f"{x:g}")


def _target(t: m.Target) -> str:
    return _("column {name}", name=t.indicator) if isinstance(t, m.IndicatorRef) else _n(t)


def rule_words(rule: m.Rule) -> str:
    """A rule as a secretary reads it, in the language of the run."""
    if isinstance(rule, m.Formula):
        return _("by the formula {expr}, then {then}", expr=rule.expr, then=rule_words(rule.then))
    better = (_("the higher the better") if getattr(rule, "direction", "higher") == "higher"
              else _("the lower the better"))
    if isinstance(rule, m.Boolean):
        return (_('"không" gets the full points, "có" gets 0 points') if rule.invert
                else _('"có" gets the full points, "không" gets 0 points'))
    if isinstance(rule, m.Linear):
        return (_("linear: 0 points at {zero}, the full points at {full}", zero=_n(rule.zero_at),
                  full=_n(rule.full_at))
                + (_(" (logarithmic scale)") if rule.transform == "log" else ""))
    if isinstance(rule, m.Ratio):
        return _("by the share of the target {target} reached", target=_target(rule.target))
    if isinstance(rule, m.Shortfall):
        return _("{points} points off for each unit short of the target {target} ({better})",
                 points=_n(rule.per_unit), target=_target(rule.target), better=better)
    if isinstance(rule, m.Bands):
        parts = []
        for b in rule.bands:
            low = _("from {value}", value=_n(b.min)) if b.min is not None else ""
            high = _("to {value}", value=_n(b.max)) if b.max is not None else ""
            parts.append(_("{range}: {points} points", range=" ".join(x for x in (low, high) if x),
                           points=_n(b.points)))
        return _("by bands: {bands}", bands="; ".join(parts))
    if isinstance(rule, m.PerCount):
        return _("{points} points for each time (a count, not negative)", points=_n(rule.each))
    if isinstance(rule, m.Relative):
        return _("against the best unit ({better})", better=better)
    if isinstance(rule, m.MinMax):
        return _("by the place between the lowest and the highest ({better})", better=better)
    if isinstance(rule, m.TargetLeader):
        return _("by the target {target} and the leading unit", target=_target(rule.target))
    if isinstance(rule, m.NORMALISATIONS):
        return _("against the other units: {rule} ({better})", rule=rule.type, better=better)
    return _("points given directly (type the points)")


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
        elif isinstance(inner, (m.Relative, m.MinMax, *m.NORMALISATIONS)):
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

    out = [_Column(c.units.id, label(c.units.id), "id",
                   _("Unit code: required, one code for each unit")),
           _Column(c.units.name, label(c.units.name), "name", _("Unit name: required"))]
    if c.units.group:
        out.append(_Column(c.units.group, label(c.units.group), "group",
                           _("The unit's cluster ({clusters}): required",
                             clusters=", ".join(c.units.groups)) if c.units.groups else
                           _("The unit's cluster: required")))
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
        lines = [_("Criterion {code} – {name} ({points} points): {rule}", code=node.code,
                   name=node.name, points=_n(node.max_points), rule=rule_words(rule))
                 for node, rule in rules]
        if not rules:
            lines = [_("Used in a formula, a condition or a tie-break of the criteria")]
        if name in flags:
            out.append(_Column(name, label(name), "flag",
                               "\n".join([*lines, _("Type: có or không")])))
        else:
            low, high = _bounds(name, label(name), rules)
            where = (_("from {low} to {high}", low=_n(low), high=_n(high))
                     if low is not None and high is not None
                     else _("{low} or more", low=_n(low)) if low is not None else _("a number"))
            percent = (_(" (a percentage: type 95,5 for 95,5 %)") if "%" in label(name) else "")
            out.append(_Column(name, label(name), "number",
                               "\n".join([*lines, _("Type: {what}", what=where) + percent]),
                               low, high))
    return out


def guide(c: m.Criteria, cols: list[_Column]) -> Iterator[str]:
    yield _("Data-entry workbook: {name} (version {version})", name=c.name, version=c.version)
    yield ""
    yield _('1. Type the data in the sheet "{sheet}", one row for each unit, from row 2.',
            sheet=_(SHEET))
    yield _("2. Do not rename, delete or merge the header cells of row 1.")
    yield _("3. Add no total row, no row numbering the columns and no signature line to the table.")
    yield _("4. Write decimals as Excel shows them (95,5); type a percentage as its number (95,5).")
    yield _('5. Yes/no columns: choose "có" or "không" from the list.')
    if c.units.groups:
        yield _("6. Clusters: choose from the list ({clusters}).",
                clusters=", ".join(c.units.groups))
    yield ""
    yield _("The columns:")
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
    sheet = wb.add_worksheet(_(SHEET))
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
                "error_title": _("Có or không"), "error_message": _("Choose có or không.")})
        elif col.kind == "group" and c.units.groups:
            sheet.data_validation(1, j, last, j, {
                "validate": "list", "source": list(c.units.groups),
                "error_title": _("Cluster"), "error_message": _("Choose a cluster from the list.")})
        elif col.kind == "number":
            if col.low is not None and col.high is not None:
                rule = {"criteria": "between", "minimum": _whole(col.low),
                        "maximum": _whole(col.high)}
                message = _("Type a number from {low} to {high}.", low=_n(col.low),
                            high=_n(col.high))
            elif col.low is not None:
                rule = {"criteria": ">=", "value": _whole(col.low)}
                message = _("Type a number of {low} or more.", low=_n(col.low))
            else:
                rule = {"criteria": "between", "minimum": -1e15, "maximum": 1e15}
                message = _("Type a number.")
            sheet.data_validation(1, j, last, j, {
                "validate": "decimal", **rule, "error_title": _("Data"),
                "error_message": message})
    for i, unit in enumerate(units, 1):
        for j, col in enumerate(cols):
            value = dict(zip(("id", "name", "group"), unit, strict=True)).get(col.kind)
            if value is not None:
                sheet.write_string(i, j, value)
    sheet.freeze_panes(1, 0)
    notes = wb.add_worksheet(_(GUIDE))
    notes.set_column(0, 0, 110)
    for i, line in enumerate(guide(c, cols)):
        notes.write_string(i, 0, line)
    wb.close()
