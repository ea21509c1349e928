"""The changes between review stages (thidua/core/stages.py), in every format of the unit table:
a section of the text table, Markdown and HTML, a list in JSON, rows after the units in CSV
(after one empty line, with a header of their own), a sheet of the workbook. Written only when a
later stage was given: a run of one stage writes what a run of its file as DATA writes."""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from thidua.core.engine import Result
from thidua.core.scoring import indicators
from thidua.core.stages import CHANGES, label
from thidua.i18n import _


def changes(result: Result) -> pl.DataFrame | None:
    return None if result.stages is None else result.stages.changes


def _value(result: Result, indicator: str, x: float | None) -> Any:
    from thidua.output.render import vn_number

    if x is None:
        return "—"
    if indicator in indicators(result.criteria)[1]:
        return _("yes") if x else _("no")
    return vn_number(x, None)


def heading(result: Result) -> str:
    assert result.stages is not None
    chain = " → ".join(label(s) for s, _path in result.stages.stages)
    return _("Changes between the review stages: {chain}", chain=chain)


def people_rows(result: Result) -> tuple[list[str], list[list[Any]]]:
    """Headings and rows of the changes as a person reads them."""
    frame = changes(result)
    assert frame is not None
    head = [_("Code"), _("Unit"), _("Criteria"), _("Indicator"), _("From stage"), _("To stage"),
            _("From"), _("To"), _("By"), _("Reason"), _("Row in the stage's file")]
    rows = [[r["id"], r["name"], (r["criteria"] or "").replace(";", ", "), r["indicator"],
             label(r["from_stage"]), label(r["to_stage"]),
             _value(result, r["indicator"], r["from"]), _value(result, r["indicator"], r["to"]),
             r["by"] or "", r["reason"] or "", r["row"]] for r in frame.to_dicts()]
    return head, rows


def none_line() -> str:
    return _("(no value changed)")


def text_section(result: Result) -> list[str]:
    from thidua.output.render import plain, text_table

    if changes(result) is None:
        return []
    head, rows = people_rows(result)
    return ["", plain(heading(result)), text_table(head, rows) if rows else none_line()]


def markdown_section(result: Result) -> list[str]:
    from thidua.output.render import md, md_table

    if changes(result) is None:
        return []
    head, rows = people_rows(result)
    return ["", f"## {md(heading(result))}", "", md_table(head, rows) if rows else md(none_line())]


def html_section(result: Result) -> list[str]:
    from thidua.output.render import esc, html_table

    if changes(result) is None:
        return []
    head, rows = people_rows(result)
    return [f"<h2>{esc(heading(result))}</h2>",
            html_table(head, rows) if rows else f"<p>{esc(none_line())}</p>"]


def json_part(result: Result) -> dict[str, Any]:
    """{"stages": […], "changes": […]}, or {} for one stage."""
    frame = changes(result)
    if frame is None or result.stages is None:
        return {}
    flags = indicators(result.criteria)[1]

    def value(indicator: str, x: float | None) -> Any:
        if x is None:
            return None
        if indicator in flags:
            return bool(x)
        return int(x) if x.is_integer() else x

    rows = []
    for r in frame.to_dicts():
        rows.append({**r, "criteria": [k for k in (r["criteria"] or "").split(";") if k],
                     "from": value(r["indicator"], r["from"]), "to": value(r["indicator"], r["to"])})
    from thidua.input.data import sha256_file

    return {"stages": [{"stage": s, "sha256": sha256_file(path)} for s, path in result.stages.stages],
            "changes": rows}


def json_text(document: str, result: Result) -> str:
    """A JSON document with the stages' part added at its end."""
    part = json_part(result)
    if not part:
        return document
    whole = json.loads(document)
    whole.update(part)
    return json.dumps(whole, ensure_ascii=False, indent=2) + "\n"


def csv_block(result: Result) -> str:
    """The changes as CSV rows after the units (an empty line, then their own header)."""
    from thidua.output.render import empty_as_null, neutralised

    frame = changes(result)
    if frame is None:
        return ""
    return "\n" + empty_as_null(neutralised(frame.select(CHANGES))).write_csv()


def xlsx_sheet(book: Any, result: Result) -> None:
    """A sheet of the changes in the council's workbook."""
    from thidua.output.sheets import Col

    if changes(result) is None:
        return
    head, rows = people_rows(result)
    kinds: list[Any] = ["text", "text", "text", "text", "text", "text", "text", "text", "text", "long", "int"]
    cols = [Col(h, k) for h, k in zip(head, kinds, strict=True)]
    book.sheet(_("Stage changes"), "ThayDoi", cols, rows or [[none_line(), *[""] * 9, None]],
               heading=heading(result))
