"""Audits and sensitivity analyses → table, csv, json, markdown, html, parquet, xlsx.

A report is a list of sections, each a polars frame with English keys (what csv, parquet and
json carry) and a way to show it to people (Vietnamese headings, decimal commas, percentages),
used by table, markdown, html and xlsx. csv and parquet hold one section (`--section`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from thidua import model as m
from thidua.core.audit import Audit
from thidua.core.sensitivity import Margins, Sensitivity
from thidua.i18n import N_, _, marks
from thidua.output.lists import as_text
from thidua.output.render import (
    document,
    en_number,
    esc,
    html_head,
    html_table,
    md,
    md_table,
    neutralised,
    plain,
    text_table,
    vn_number,
)
from thidua.output.workbook import new_workbook

People = Callable[[pl.DataFrame], tuple[list[str], list[list[Any]]]]


@dataclass(frozen=True)
class Section:
    key: str  # its name in json, and for --section
    title: str  # its heading for people
    frame: pl.DataFrame
    people: People
    by_group: bool = False  # people read it one group at a time
    sheet: str = ""  # xlsx sheet name (≤ 31 characters)


@dataclass(frozen=True)
class Report:
    title: str
    lines: tuple[str, ...]  # policies and notes, for people
    settings: dict[str, Any]  # the same for json
    sections: tuple[Section, ...]
    meta: dict[str, Any] = field(default_factory=dict)
    criteria: m.Criteria | None = None  # for the title block and signatures of a workbook

    def section(self, key: str | None) -> Section:
        if key is None:
            return self.sections[0]
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)


# --- numbers for people --------------------------------------------------------------------------


def pct(x: float | None, digits: int = 1) -> str:
    """0.123 → '12,3 %'; None → '—'. Rounded half away from zero on the decimal, except that a
    share which is not exactly 100 % never reads 100 % (0.9995 → '99,9 %') and one that is not
    exactly 0 never reads 0 % (0.0004 → '0,1 %'): the last digit moves toward the truth."""
    if x is None:
        return "—"
    step = 10.0 ** -digits
    shown = 100 * x
    text = vn_number(shown, digits)
    if x != 1 and text == vn_number(100, digits):
        text = vn_number(100 - step, digits)
    elif x != 0 and text == vn_number(0, digits):
        text = vn_number(step if x > 0 else -step, digits)
    return f"{text} %"


def num(x: float | None, digits: int = 2) -> str:
    return vn_number(x, digits)


def as_written(x: float | None) -> str:
    """A number of the file (a weight) as the file writes it: vn_number when that reads back as
    the same float, else its shortest form (5e-324, 0,1234), with the language's marks."""
    if x is None:
        return vn_number(x, None)
    text = en_number(x, None)
    if float(text.replace(",", "")) == x:
        return marks(text)
    return marks(repr(float(x)).removesuffix(".0"))


def ids(values: list[str] | None) -> str:
    return ", ".join(values) if values else "—"


PART = {"main": N_("main"), "bonus": N_("bonus part"), "penalty": N_("penalty part")}


# --- the audit ----------------------------------------------------------------------------------

Rows = tuple[list[str], list[list[Any]]]


def _criteria(frame: pl.DataFrame) -> Rows:
    head = [_("Code"), _("Criterion"), _("Part"), _("Max points"), _("Weight"), _("How scored"),
            _("Nominal share")]
    rows = [["  " * r["depth"] + r["code"], r["name"], _(PART[r["part"]]), num(r["max_points"]),
             as_written(r["weight"]), r["rule"] or r["aggregate"] or "", pct(r["share"], 2)]
            for r in frame.to_dicts()]
    return head, rows


def _warning_vi(r: dict[str, Any]) -> str:
    kind, code = r["kind"], r["code"]
    if kind == "tiny":
        return _("Criterion {code} holds only {share} of the total (under 1 %): it can hardly change a "
                 "rank.", code=code, share=pct(r["value"], 2))
    if kind == "relative_only":
        return _("Every criterion of group {code} is scored against the other units (relative, minmax, "
                 "target_leader): the group's points depend on which units are scored with it.", code=code)
    if kind == "weight_unused":
        return _("The weight {weight} of {code} has no effect while its parent group adds up (sum); only "
                 "the max points count (use aggregate: weighted_mean for weights).",
                 weight=vn_number(r["value"], None), code=code)
    if kind == "bonus_overturns":
        return _("The bonus of at most {points} points makes up for the whole of {count}/{of} main "
                 "criteria (the smallest: {detail}): a unit that leaves such a criterion blank can still "
                 "make it up with bonus points.", points=vn_number(r["value"], None), count=r["count"],
                 of=r["of"], detail=r["detail"])
    return str(r["message"])


def _warnings(frame: pl.DataFrame) -> Rows:
    rows = [[r["kind"], r["code"], _warning_vi(r)] for r in frame.to_dicts()]
    return [_("Kind"), _("Code"), _("What")], rows


DEAD = N_("sets no unit apart (every unit has the same points)")
DOMINANT = N_("outsized (realised > 2 × nominal and > 10 percentage points)")


def _realised(frame: pl.DataFrame) -> Rows:
    head = [_("Code"), _("Criterion"), _("Nominal"), _("Realised"), _("Correlation"), _("Units"),
            _("Full points"), _("0 points"), _("Ranks moved without it"), _("Note")]
    rows = []
    for r in frame.to_dicts():
        notes = [_(text) for text, on in ((DEAD, r["dead"]), (DOMINANT, r["dominant"])) if on]
        rows.append([r["code"], r["name"], pct(r["nominal"]), pct(r["realised"]),
                     num(r["corr"], 2), r["units"], r["full"], r["zero"],
                     "—" if r["moved"] is None else r["moved"], "; ".join(notes)])
    return head, rows


def _self_units(frame: pl.DataFrame) -> Rows:
    head = [_("Code"), _("Unit"), _("Verified"), _("Self-scored"), _("Difference"), _("Rank"),
            _("Rank if self-scored"), _("Awards"), _("If self-scored")]
    rows = [[r["id"], r["name"], num(r["verified"]), num(r["self"]), num(r["difference"]),
             r["rank"], r["rank_alone"], ids(r["awards"]), ids(r["awards_alone"])]
            for r in frame.to_dicts()]
    return head, rows


def _self_criteria(frame: pl.DataFrame) -> Rows:
    head = [_("Code"), _("Unit"), _("Criterion"), _("Verified"), _("Self-scored"), _("Difference"),
            _("Effect on the total")]
    rows = [[r["id"], r["name"], f"{r['code']} {r['criterion']}", num(r["verified"]),
             num(r["self"]), num(r["difference"]), num(r["effect"])]
            for r in frame.to_dicts()]
    return head, rows


def _self_gains(frame: pl.DataFrame) -> Rows:
    head = [_("Code"), _("Unit"), _("Group"), _("Verified"), _("Self-scored"), _("Rank"),
            _("Rank if self-scored"), _("Gained")]
    rows = [[r["id"], r["name"], r["group"] or "", num(r["verified"]), num(r["self"]), r["rank"],
             r["rank_alone"], ids(r["gained"])] for r in frame.to_dicts()]
    return head, rows


AUDIT_LINES = (
    N_("Nominal share: the max points divided by the total (under a weighted mean: the weight divided "
       "by the sum of the weights), multiplied down from the top."),
    N_("Warnings: a criterion under 1 % of the total; a group made only of criteria scored against the "
       "other units; a bonus at most ≥ the smallest main criterion; a weight under a group that adds up."),
)
REALISED_LINES = (
    N_("Realised share: Cov(the criterion's contribution, the total) / Var(the total) within the cluster "
       "(or all units); the sub-criteria add up to their parent as the total adds up."),
    N_("Sets no unit apart: every unit (2 or more) has the same points. Outsized: realised > 2 × nominal "
       "and higher by more than 10 percentage points."),
    N_("Ranks moved without it: how many units change rank within the cluster when the criterion's points "
       "are taken out of every unit's total (under a mean: the criteria of the same group share out the "
       "weight again)."),
)
SELF_LINE = N_("If self-scored: that unit's own self-scored total set beside the verified points of every "
               "other unit (ranks, classes and awards worked out again).")


def audit_report(audit: Audit, c: m.Criteria, top: int = 20) -> Report:
    s = audit.structure
    sections = [Section("criteria", _("Structure of the points and nominal shares"), s.nodes, _criteria,
                        sheet=_("Structure")),
                Section("warnings", _("Warnings about the structure"), s.warnings, _warnings,
                        sheet=_("Warnings"))]
    lines = [_(x) for x in AUDIT_LINES]
    settings: dict[str, Any] = {"tiny": 0.01, "dominant": {"ratio": 2.0, "gap": 0.10}}
    if audit.realised is not None:
        sections.insert(0, Section("realised", _("Realised share of each criterion"),
                                   audit.realised, _realised, by_group=True, sheet=_("Realised")))
        lines += [_(x) for x in REALISED_LINES]
    if audit.diagnostics is not None:  # structure diagnostics: after the realised shares
        from thidua.output import render_diagnostics as rd

        sections[1:1] = rd.sections(audit.diagnostics)
        lines += rd.lines()
        settings["diagnostics"] = rd.SETTINGS
    sc = audit.self_check
    if sc is not None:
        gains = sc.units.filter(pl.col("gained").list.len() > 0)
        sections += [
            Section("self", _("Self-scored against verified"), sc.units, _self_units, by_group=True,
                    sheet=_("Self-scored")),
            Section("self_criteria", _("Self-scored most above verified (the first {top} rows)", top=top),
                    sc.criteria.head(top), _self_criteria, sheet=_("Scored high")),
            Section("self_gains", _("Units that could be awarded on their self-scored points"), gains,
                    _self_gains, sheet=_("Gained if self-scored")),
        ]
        lines.append(_(SELF_LINE))
        if sc.missing:
            lines.append(_("No self-scored points: {ids}.", ids=ids(list(sc.missing))))
        if sc.extra:
            lines.append(_("Self-scored points but not in the verified data: {ids}.",
                           ids=ids(list(sc.extra))))
        settings["self"] = {"missing": list(sc.missing), "extra": list(sc.extra), "top": top}
    if audit.notes:
        settings["notes"] = list(audit.notes)
        lines += [_("Please note: {note}", note=x) for x in audit.notes]
    return Report(_("Weight check: {name} (version {version})", name=c.name, version=c.version),
                  tuple(lines), settings,
                  tuple(sections))


# --- the sensitivity analysis -------------------------------------------------------------------


def _units(frame: pl.DataFrame) -> Rows:
    chances = [k for k in frame.columns if k.startswith(("award.", "class."))]
    head = [_("Code"), _("Unit"), _("Rank"), _("Median rank"), _("Rank 5 %–95 %"),
            *[f"P({k.split('.', 1)[1]})" for k in chances]]
    rows = [[r["id"], r["name"], r["rank"], r["rank_median"], f"{r['rank_p05']}–{r['rank_p95']}",
             *[pct(r[k], 1) for k in chances]] for r in frame.to_dicts()]
    return head, rows


def _lists(frame: pl.DataFrame) -> Rows:
    head = [_("Awards"), _("Group"), _("List"), _("Tied at the quota"), _("Unchanged")]
    rows = [[r["award"], r["group"] or _("(all)"), ids(r["units"]), ids(r["flagged"]),
             pct(r["same"])] for r in frame.to_dicts()]
    return head, rows


def _change(x: float | None, resolution: float) -> str:
    if x is None:
        return "—"
    if abs(x) <= resolution:
        return f"{'+' if x > 0 else '−'}< {vn_number(resolution, None)}"
    return ("+" if x > 0 else "−") + vn_number(abs(x), 2)


def _places(units: pl.DataFrame) -> dict[str | None, str]:
    """Per group, its first two places as they stand: places apart by ", ", units sharing a place
    by " = " ("X1, X2 = X3" when two share the second place)."""
    out: dict[str | None, str] = {}
    for part in units.partition_by("group", maintain_order=True):
        part = part.sort("rank", maintain_order=True)
        ranks = part.get_column("rank").to_list()
        if len(ranks) < 2:
            continue
        mine = part.filter(pl.col("rank") <= ranks[1])
        places: dict[int, list[str]] = {}
        for unit, rank in zip(mine.get_column("id").to_list(), mine.get_column("rank").to_list()):
            places.setdefault(rank, []).append(unit)
        out[part.get_column("group")[0]] = ", ".join(" = ".join(ids_) for ids_ in places.values())
    return out


def _margins(resolution: float, places: dict[str | None, str] | None = None) -> People:
    def people(frame: pl.DataFrame) -> Rows:
        head = [_("List"), _("Group"), _("Now"), _("Criterion"), _("Max points"), _("Change (points)"),
                _("Then")]
        rows = []
        for r in frame.to_dicts():
            award = r["target"] == "award"
            top = "—" if r["max_points"] is None else num(r["max_points"])
            then = ids(r["after"]) if award or not r["after_tied"] else " = ".join(r["after"])
            if award and r["after_tied"]:
                then += _("; tied at the quota: {units}", units=ids(r["after_tied"]))
            now = ids(r["nominal"]) if award else (places or {}).get(r["group"], ids(r["nominal"]))
            rows.append([r["award"] if award else _("First, second"), r["group"] or _("(all)"),
                         now, r["criterion"] or _("stable"), top,
                         _change(r["change"], resolution), then])
        return head, rows
    return people


def _sensitivity_lines(result: Sensitivity, c: m.Criteria) -> list[str]:
    spread = result.spread
    low, high = vn_number(1 - spread, None), vn_number(1 + spread, None)
    return [
        _("Random draws: {draws}; spread ±{spread} %; seed: {seed}.", draws=result.draws,
          spread=vn_number(100 * spread, None), seed=result.seed),
        _("Each draw: every leaf criterion's max points (under a mean: its weight) times a factor uniform "
          "in [{low}; {high}], then every main criterion rescaled so the total stays {total}; each "
          "criterion's points change in the same proportion.", low=low, high=high,
          total=vn_number(c.total, None)),
        _("Bonus, penalty, knockouts and `when` conditions stay as they are; classes, ranks, quotas and "
          "award lists are worked out again as the scoring engine does. A criterion's points times the "
          "factor are not rounded again; means and the total are rounded as in the score table; equal "
          "totals are settled by the tie-breaks on their current values."),
        _("Rank 5 %–95 %: in 5 % of the draws the unit ranks as well as the first number or better; in "
          "95 % as well as the second or better. Unchanged: the share of the draws in which the list is "
          "exactly as it is now."),
        *_members_line(c),
    ]


def _members_line(c: m.Criteria) -> list[str]:
    """For a file of collectives: its members conditions do not move with the weights."""
    from thidua.core.members import needed
    from thidua.i18n import _

    return [_("The members conditions (--members) are the same in every draw: the members' "
              "result does not depend on these weights.")] if needed(c) else []


def _margin_line(resolution: float) -> str:
    res, half = vn_number(resolution, None), vn_number(resolution / 2, None)
    return _("Stability margin: the max points of each leaf criterion changed (under a mean: the weight in "
             "the same proportion; the other criteria rescaled so the total does not change), up or down "
             "to the criterion's whole points; searched on a doubling grid from {res} points, then halved "
             "down to {half} points. “< {res}”: a tie now, any change changes the result. “stable”: no "
             "criterion changes the result within that range.", res=res, half=half)


def sensitivity_report(result: Sensitivity, margins: Margins | None, c: m.Criteria) -> Report:
    lines = _sensitivity_lines(result, c)
    settings: dict[str, Any] = {
        "draws": result.draws, "spread": result.spread, "seed": result.seed,
        "model": "each main leaf's max points (its weight under a mean) times a factor uniform "
                 "in [1 - spread, 1 + spread], every main max then rescaled so the total is "
                 "unchanged; a leaf's points scale with its max and are not rounded again; means "
                 "and the total are rounded as the file says; bonus, penalty, knockouts and "
                 "`when` fixed; tie-break keys nominal",
        "rounding": {"precision": c.precision, "round_at": c.round_at, "eps": result.eps},
        "drawn": list(result.leaves),
    }
    sections = [Section("units", _("Ranks and chances of an award as the weights change"),
                        result.units, _units, by_group=True, sheet=_("Each unit")),
                Section("lists", _("Stability of the award lists"), result.lists, _lists,
                        sheet=_("Lists"))]
    if margins is not None:
        sections.append(Section("margins", _("Stability margin: the smallest change of one criterion that "
                                             "changes the result"), margins.frame,
                                _margins(margins.resolution, _places(result.units)),
                                sheet=_("Stability margins")))
        lines.append(_margin_line(margins.resolution))
        settings["margins"] = {"resolution": margins.resolution,
                               "range": "from -max_points to +max_points"}
    if result.notes:
        settings["notes"] = list(result.notes)
        lines += [_("Please note: {note}", note=x) for x in result.notes]
    return Report(_("Sensitivity of the results to the weights: {name} (version {version})", name=c.name,
                    version=c.version),
                  tuple(lines), settings, tuple(sections))


# --- formats --------------------------------------------------------------------------------------


def _groups(section: Section) -> list[tuple[str | None, pl.DataFrame]]:
    frame = section.frame
    grouped = section.by_group and "group" in frame.columns
    if not grouped or frame.get_column("group").null_count() == frame.height:
        return [(None, frame)]
    return [(part.get_column("group")[0], part)
            for part in frame.partition_by("group", maintain_order=True)]


def _blocks(report: Report, table: Callable[[list[str], list[list[Any]]], str],
            heading: Callable[[str, int], str], empty: str | None = None) -> list[str]:
    out = []
    for s in report.sections:
        out.append(heading(s.title, 2))
        if s.frame.height == 0:
            out.append(_("(none)") if empty is None else empty)
            continue
        for group, part in _groups(s):
            if group is not None or len(_groups(s)) > 1:
                out.append(heading(group if group is not None else _("All units"), 3))
            out.append(table(*s.people(part)))
    return out


def to_table(report: Report) -> str:
    def heading(text: str, level: int) -> str:
        text = plain(text)
        return f"\n{text}\n{('=' if level == 2 else '-') * len(text)}"
    parts = [plain(report.title), *_blocks(report, text_table, heading),
             "", *map(plain, report.lines)]
    return document("\n".join(parts) + "\n")


def to_markdown(report: Report) -> str:
    parts = [f"# {md(report.title)}",
             *_blocks(report, md_table, lambda text, level: f"\n{'#' * level} {md(text)}\n",
                      md(_("(none)"))),
             "", "## " + _("Notes"), "", *[f"- {md(x)}" for x in report.lines]]
    return document("\n".join(parts) + "\n")


def to_html(report: Report) -> str:
    parts = [*html_head(report.title),
             *_blocks(report, html_table, lambda text, level: f"<h{level}>{esc(text)}</h{level}>",
                      "<p>" + esc(_("(none)")) + "</p>"),
             "<h2>" + _("Notes") + "</h2><ul>", *[f"<li>{esc(x)}</li>" for x in report.lines], "</ul>",
             "</body>", "</html>"]
    return document("\n".join(parts) + "\n")


SHARE_DIGITS = 6
"""Decimals of every computed number in the machine outputs (csv, json, parquet, xlsx) of audit
and sensitivity: shares, probabilities and correlations to 0.0001 %, points to 0.000001."""
AS_WRITTEN = ("max_points", "weight")  # the file's own numbers, written as the file gives them
DIFFERENCES = ("difference",)  # a difference of two rounded scores: to the file's precision


def machine(frame: pl.DataFrame, precision: int | None = None) -> pl.DataFrame:
    """`frame` without float noise (0.039999999999999994 → 0.04) and without -0: every computed
    float to SHARE_DIGITS decimals, a difference of rounded scores to the file's precision."""
    def digits(name: str) -> int:
        return precision if name in DIFFERENCES and precision is not None else SHARE_DIGITS
    def rounded(name: str) -> pl.Expr:  # when(== 0), not + 0.0: polars keeps -0.0 + 0.0 as -0.0
        x = pl.col(name).round(digits(name))
        return pl.when(x == 0).then(0.0).otherwise(x).alias(name)
    return frame.with_columns(rounded(name) for name, kind in frame.schema.items()
                              if kind == pl.Float64 and name not in AS_WRITTEN)


def _json_value(x: Any) -> Any:
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return x


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return [{k: _json_value(v) for k, v in row.items()} for row in machine(frame).to_dicts()]


def to_json(report: Report) -> str:
    document_ = {**report.meta, "settings": report.settings,
                 **{s.key: _rows(s.frame) for s in report.sections}}
    return json.dumps(document_, ensure_ascii=False, indent=2) + "\n"


def flat(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists joined with ';' (csv, xlsx), text that a spreadsheet would run as a formula quoted."""
    return neutralised(as_text(machine(frame)))


def to_csv(report: Report, section: str | None) -> str:
    return flat(report.section(section).frame).write_csv()


def write_parquet(report: Report, section: str | None, path: str) -> None:
    machine(report.section(section).frame).write_parquet(path, compression="lz4")


def write_xlsx(report: Report, path: str) -> None:
    """Every section as a printed, signed worksheet (thidua/output/sheets.py): the cells people
    read in the table, numbers as numbers and shares as percentages, every cluster from a new
    page; the notes under the last section."""
    from thidua.output import sheets

    c = report.criteria
    assert c is not None, "write_xlsx needs a report made by headed()"
    with new_workbook(path) as wb:
        book = sheets.Book(wb, c, report.title)
        for n, s in enumerate(report.sections):
            last = n == len(report.sections) - 1
            parts = _groups(s)
            grouped = len(parts) > 1 or parts[0][0] is not None
            head, _people = s.people(s.frame.clear())
            rows: list[list[Any]] = []
            breaks: list[int] = []
            for group, part in parts:
                if rows:
                    breaks.append(len(rows))
                label = group if group is not None else _("All units")
                rows += [[*([label] if grouped else []), *row] for row in s.people(part)[1]]
            names = [*([_("Cluster, block")] if grouped else []), *head]
            cols, cells = _typed(names, rows)
            book.sheet(s.sheet or s.key, s.key, cols, cells, heading=s.title, breaks=breaks,
                       notes=list(report.lines) if last else None, signed=last)


_CELL = re.compile(r"(-?\d{1,3}(?:,\d{3})*)(?:\.(\d+))?( %)?")  # English marks: marks() turns a cell to them
_TEXT_HEADS = frozenset({"Mã", "Tiêu chí", "Đơn vị", "Cụm, khối", "Phần", "Mã đơn vị"})
_TEXT_HEADS_EN = (N_("Code"), N_("Criterion"), N_("Unit"), N_("Cluster, block"), N_("Part"), N_("Unit code"))


def _typed(head: list[str], rows: list[list[Any]]) -> tuple[list[Any], list[list[Any]]]:
    """The columns and cells of a section for a workbook: a column whose every cell reads as a
    number ("95,50", "12,3 %", in English "95.50", "12.3 %"; "—" for none) holds numbers, percentages as fractions (0.123 with
    the format 0.0%) to the decimals shown; any other column holds the text shown."""
    from thidua.output.sheets import Col

    cols, out = [], [list(r) for r in rows]
    for i, name in enumerate(head):
        texts = [str(r[i]) for r in rows]
        found = [_CELL.fullmatch(marks(t)) for t in texts if t not in ("—", "")]
        text_heads = _TEXT_HEADS | {_(x) for x in _TEXT_HEADS_EN}
        numeric = name not in text_heads and bool(found) and all(found)
        if not numeric:
            long = max((len(t) for t in texts), default=0) > 40
            cols.append(Col(name, "long" if long else "text", 45 if long else None))
            continue
        percent = any(f and f.group(3) for f in found)
        digits = max((len(f.group(2) or "") for f in found if f), default=0)
        cols.append(Col(name, "percent" if percent else "int" if digits == 0 else "number", digits=digits))
        for r in out:
            match = _CELL.fullmatch(marks(str(r[i])))
            if match is None:
                r[i] = None
                continue
            value = float(match.group(1).replace(",", "") + "." + (match.group(2) or "0"))
            r[i] = round(value / 100, digits + 2) if percent else value
    return cols, out


def headed(report: Report, c: m.Criteria, files: dict[str, Any]) -> Report:
    """The report with what json puts first: the criteria file (id, version, hash) and the data
    files (hash, rows)."""
    meta = {"criteria": {"id": c.id, "version": c.version, **files.get("criteria", {})},
            **{k: v for k, v in files.items() if k != "criteria"}}
    return Report(report.title, report.lines, report.settings, report.sections, meta, c)


def only(report: Report, section: str | None) -> Report:
    """The report with one section (for --section), or whole."""
    if section is None:
        return report
    return Report(report.title, report.lines, report.settings, (report.section(section),),
                  report.meta, report.criteria)
