"""A comparison of two results (thidua/core/compare.py) → table, csv, json, markdown, html,
parquet, xlsx.

It is a report of sections like an audit (render_audit.py): English keys in csv, json and parquet
(csv and parquet hold one section, `--section`, else the units), words for people in the
language of the run, numbers with a decimal comma. The workbook has one printed sheet per
section, each an Excel table `T_<section>`; a comparison has no criteria file of its own, so its
title block names the two files and it carries no signatures.
"""

from __future__ import annotations

from typing import Any, cast

import polars as pl

from thidua import model as m
from thidua.core.compare import Comparison
from thidua.i18n import N_, _
from thidua.output.render_audit import Report, Section, _groups, _typed, ids, num
from thidua.output.workbook import new_workbook

Rows = tuple[list[str], list[list[Any]]]


def _signed(x: float | int | None, digits: int = 2) -> str:
    if x is None:
        return "—"
    text = num(abs(x), digits)
    return num(0, digits) if x == 0 else ("+" if x > 0 else "−") + text


def _rank_move(x: int | None) -> str:
    if x is None:
        return "—"
    return "=" if x == 0 else (f"↑{x}" if x > 0 else f"↓{-x}")


def _units(frame: pl.DataFrame) -> Rows:
    head = [_("Code"), _("Unit"), _("Group in A"), _("Group in B"), _("Total in A"),
            _("Total in B"), _("Change"), _("Rank in A"), _("Rank in B"), _("Moved"),
            _("Class in A"), _("Class in B"), _("Awards in A"), _("Awards in B")]
    rows = [[r["id"], r["name"], r["group_a"] or "", r["group_b"] or "", num(r["total_a"]),
             num(r["total_b"]), _signed(r["total_change"]), r["rank_a"], r["rank_b"],
             _rank_move(r["rank_change"]), r["class_a"] or "—", r["class_b"] or "—",
             ids(r["awards_a"]), ids(r["awards_b"])] for r in frame.to_dicts()]
    return head, rows


def _lists(frame: pl.DataFrame) -> Rows:
    head = [_("Award"), _("Group"), _("Entered the list"), _("Left the list")]
    rows: list[list[Any]] = []
    seen: dict[tuple[str, str | None], dict[str, list[str]]] = {}
    for r in frame.to_dicts():
        seen.setdefault((r["award"], r["group"]), {"entered": [], "left": []})[r["change"]].append(
            r["id"])
    for (award, group), moved in seen.items():
        rows.append([award, group or "", ids(moved["entered"]), ids(moved["left"])])
    return head, rows


def _criteria(frame: pl.DataFrame) -> Rows:
    head = [_("Criterion"), _("Units compared"), _("Units changed"), _("Mean change"),
            _("Mean absolute change"), _("Largest change"), _("For unit")]
    rows = [[r["code"], r["units"], r["changed"], _signed(r["mean_change"], 3),
             num(r["mean_abs_change"], 3), num(r["max_abs_change"], 3), r["largest_for"] or "—"]
            for r in frame.to_dicts()]
    return head, rows


def _only(frame: pl.DataFrame) -> Rows:
    head = [_("In file"), _("Code"), _("Unit"), _("Group"), _("Total"), _("Rank")]
    rows = [[r["file"].upper(), r["id"], r["name"], r["group"] or "", num(r["total"]), r["rank"]]
            for r in frame.to_dicts()]
    return head, rows


KINDS = {
    "criteria_id": N_("the criteria files differ"),
    "criteria_version": N_("the versions of the criteria file differ"),
    "criterion_only_in_a": N_("criteria only in A (not compared)"),
    "criterion_only_in_b": N_("criteria only in B (not compared)"),
    "award_only_in_a": N_("awards only in A"),
    "award_only_in_b": N_("awards only in B"),
}


def difference_text(kind: str) -> str:
    return _(KINDS[kind]) if kind in KINDS else kind


def _differences(frame: pl.DataFrame) -> Rows:
    head = [_("What differs"), "A", "B"]
    rows = [[difference_text(r["kind"]), (r["a"] or "—").replace(";", ", "),
             (r["b"] or "—").replace(";", ", ")] for r in frame.to_dicts()]
    return head, rows


def compare_report(c: Comparison, a: str, b: str) -> Report:
    """The comparison of the result `a` (file name) with `b`."""
    u = c.units
    changed = {
        "units": u.height,
        "only_in_a": c.only.filter(pl.col("file") == "a").height,
        "only_in_b": c.only.filter(pl.col("file") == "b").height,
        "total_changed": u.filter(pl.col("total_change") != 0).height,
        "rank_changed": u.filter(pl.col("rank_a") != pl.col("rank_b")).height,
        "class_changed": u.filter(pl.col("class_changed")).height,
        "entered": c.lists.filter(pl.col("change") == "entered").height,
        "left": c.lists.filter(pl.col("change") == "left").height,
    }
    lines = [
        _("A: {a}; B: {b}.", a=a, b=b),
        _("Units in both: {units}; only in A: {only_a}; only in B: {only_b}.",
          units=changed["units"], only_a=changed["only_in_a"], only_b=changed["only_in_b"]),
        _("Changed: total {total}, rank {rank}, class {cls}; award lists: {entered} entered, "
          "{left} left.", total=changed["total_changed"], rank=changed["rank_changed"],
          cls=changed["class_changed"], entered=changed["entered"], left=changed["left"]),
        _("Units are matched by id; a change is B − A, as the decimal a person computes; a move "
          "up in rank is ↑ (no rank change is shown for a unit in another group in B); the "
          "criteria that moved most come first, by the mean absolute change of their points."),
    ]
    if c.differences.height:
        lines.append(_("The two results differ in structure (see the last table): only what both "
                       "hold is compared."))
    settings: dict[str, Any] = {
        "a": a, "b": b, "counts": changed, "matched_by": "id",
        "change": "B - A, snapped to 15 significant digits",
        "rank_change": "rank in A - rank in B (positive: moved up); null when the group differs",
    }
    sections = (
        Section("units", _("Each unit in A and in B"), c.units, _units, sheet=_("Units")),
        Section("lists", _("Who entered and who left each award list"), c.lists, _lists,
                sheet=_("Award lists")),
        Section("criteria", _("The criteria that moved most"), c.criteria, _criteria,
                sheet=_("Criteria")),
        Section("only", _("Units in one file only"), c.only, _only, sheet=_("One file only")),
        Section("differences", _("What differs in the structure of the two results"),
                c.differences, _differences, sheet=_("Differences")),
    )
    return Report(_("Comparison of two results: {a} → {b}", a=a, b=b), tuple(lines), settings,
                  sections)


def headed(report: Report, files: dict[str, Any]) -> Report:
    """The report with the two files read (path, sha256, criteria id and version) first in JSON."""
    return Report(report.title, report.lines, report.settings, report.sections, files,
                  report.criteria)


def write_xlsx(report: Report, path: str) -> None:
    """Every section as a printed worksheet (thidua/output/sheets.py), the notes under the last."""
    from thidua.output import sheets

    class Book(sheets.Book):
        def title_lines(self) -> list[tuple[str, dict[str, Any]]]:
            return [(self.document.upper(), {"bold": True, "font_size": 14})]

    with new_workbook(path) as wb:
        # no criteria file of its own: the title block is the document's name alone, and no
        # column of a comparison is of the kind "points" that reads the file's precision
        book = Book(wb, cast(m.Criteria, None), report.title)
        for n, s in enumerate(report.sections):
            head, _people = s.people(s.frame.clear())
            rows: list[list[Any]] = []
            for _group, part in _groups(s):
                rows += s.people(part)[1]
            cols, cells = _typed(head, rows)
            last = n == len(report.sections) - 1
            book.sheet(s.sheet or s.key, s.key, cols, cells, heading=s.title,
                       notes=list(report.lines) if last else None, signed=False)
