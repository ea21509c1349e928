"""Results → what people and scripts read: table, csv, json, markdown, html, parquet, xlsx.

`csv`, `json` and `parquet` keep the contract's English keys; `table`, `markdown`, `html` and
`xlsx` are for people, with Vietnamese headings and numbers written with a decimal comma.
"""

from __future__ import annotations

import html as html_lib
import json
import math
import re
from collections.abc import Callable
from typing import Any

import polars as pl
from tabulate import tabulate

from thidua import model as m
from thidua.core.engine import CONTRACT, Result
from thidua.core.rounding import SNAP, round_value
from thidua.core.scoring import points_col
from thidua.errors import printable
from thidua.i18n import N_, _, language, marks, ngettext
from thidua.output.lists import as_text
from thidua.output.workbook import new_workbook

_FORMULA_START = r"^[=+\-@\t\r]"
_NUMBER = re.compile(r"-?[\d.]+(,\d+)?( %)?|—")


# --- the unit table (machine formats) -----------------------------------------------------------


def unit_table(result: Result) -> pl.DataFrame:
    """The contract's columns, then earned and attainable, then every node's points. Under
    `round_at: total` the bonus and penalty sums, unrounded as the points they add up, are
    written like them (see _points)."""
    c = result.criteria
    if c.round_at != "total" or c.precision is None:
        return result.units.select(*CONTRACT, *_points(result))
    sums = {"bonus", "penalty"}
    return result.units.select(
        *(pl.col(n).round(c.precision + SNAP) + 0.0 if n in sums else pl.col(n) for n in CONTRACT),
        *_points(result))


def _points(result: Result) -> list[pl.Expr]:
    """earned, attainable and every node's points as machine outputs write them. Under
    `round_at: total` points and earned are not rounded, and are written to SNAP decimals beyond
    the file's precision: the value a person computes (0.7, not 0.7000000000000001), the value
    the total is rounded from."""
    c = result.criteria
    names = ["earned", "attainable", *result.point_columns]
    if c.round_at != "total" or c.precision is None:
        return [pl.col(name) for name in names]
    return [pl.col("attainable"), *(pl.col(name).round(c.precision + SNAP) + 0.0
                                    for name in names if name != "attainable")]


def neutralised(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) start with '."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_FORMULA_START)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c))
        .alias(c) for c in text)


def empty_as_null(frame: pl.DataFrame) -> pl.DataFrame:
    """Empty text (a unit with no knockout, award or flag) as an empty field: null. CSV writes
    it so, and Parquet with it reads back the same; polars also writes a text column that is
    nearly all "" ten times slower than one of nulls (0.07 s a column on 1,000,000 units)."""
    return frame.with_columns(pl.when(pl.col(c) != "").then(pl.col(c)).alias(c)
                              for c, t in frame.schema.items() if t == pl.String)


def no_negative_zero(frame: pl.DataFrame) -> pl.DataFrame:
    """Every float column with -0.0 written as 0.0 (not x + 0.0: polars returns a column plus a
    literal 0.0 unchanged)."""
    return frame.with_columns(pl.when(pl.col(c) == 0).then(0.0).otherwise(pl.col(c)).alias(c)
                              for c, t in frame.schema.items() if t == pl.Float64)


def to_csv(result: Result) -> str:
    from thidua.output import render_stages

    return (empty_as_null(neutralised(no_negative_zero(as_text(_treated(result, unit_table(result))))))
            .write_csv()
            + render_stages.csv_block(result))


def _treated(result: Result, table: pl.DataFrame) -> pl.DataFrame:
    """The unit table with the cells a `treatment:` changed beside it (render_treatment.py)."""
    if result.criteria.treatment is None:
        return table
    from thidua.output import render_treatment

    return table.hstack(render_treatment.columns(result.criteria, result.units, result.treated).get_columns())


def _number(x: Any) -> Any:
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return x


def award_lists(result: Result) -> list[dict[str, Any]]:
    """Per award and group (or for all units): the quota and the units on the list, flagged."""
    c, units = result.criteria, result.units
    out = []
    for award in c.awards:
        per_group = c.award_scope(award) == "group"
        keys = ["group"] if per_group else []
        on, flag, quota, eligible = (f"award.{award.code}.{k}" for k in ("on", "flag", "quota", "eligible"))
        frames = units.partition_by(keys, maintain_order=True) if keys else [units]
        for part in frames:
            group = part.get_column("group")[0] if per_group else None
            out.append({
                "code": award.code, "name": award.name, "group": group,
                "quota": int(part.get_column(quota)[0]) if part.height else 0,
                "units": part.filter(pl.col(on)).get_column("id").to_list(),
                "flagged": part.filter(pl.col(flag)).get_column("id").to_list(),
                "eligible": int(part.get_column(eligible).sum()),
            })
    return out


def policies(c: m.Criteria) -> dict[str, Any]:
    """Every policy the result depends on, as the file set it or by default."""
    return {
        "precision": c.precision, "round_at": c.round_at, "rounding": "half away from zero",
        "missing": c.missing, "rank_method": c.ranking.method,
        "tie_break": [tb.model_dump(exclude_none=True) for tb in c.ranking.tie_break],
        "quotas": {a.code: a.quota.model_dump(mode="json", exclude_none=True) | {
            "per": c.award_scope(a), "on_tie_at_quota": a.on_tie_at_quota} for a in c.awards},
    }


def to_json(result: Result, meta: dict[str, Any]) -> str:
    c = result.criteria
    codes = [col.removeprefix("points.") for col in result.point_columns]
    rows = unit_table(result).to_dicts()
    units = []
    for row in rows:
        units.append({
            "id": row["id"], "name": row["name"], "group": row["group"],
            "points": {code: _number(row[points_col(code)]) for code in codes},
            "bonus": _number(row["bonus"]), "penalty": _number(row["penalty"]),
            "earned": _number(row["earned"]), "attainable": _number(row["attainable"]),
            "total": _number(row["total"]), "classification": row["classification"],
            "rank": row["rank"], "rank_overall": row["rank_overall"],
            "knockouts": row["knockouts"], "awards": row["awards"], "flagged": row["flagged"],
        })
    document = {
        "criteria": {"id": c.id, "version": c.version, **meta.get("criteria", {})},
        "data": meta.get("data", {}),
        "policies": policies(c),
        "units": units,
        "awards": award_lists(result),
    }
    from thidua.output import render_stages

    document.update(render_stages.json_part(result))
    if c.treatment is not None:
        from thidua.output import render_treatment

        document["treatment"] = render_treatment.to_json(c, result.treated)
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# --- for people ---------------------------------------------------------------------------------


def vn_number(x: float | None, precision: int | None) -> str:
    """95.5 → '95,50' (precision 2); 1234.5 → '1.234,50'; None → '—'. Rounded half away from
    zero on the decimal value (0,125 → 0,13); never a negative zero (-0,001 → '0,00'). The marks
    are the language's (i18n.marks): in English 95.50 and 1,234.50."""
    return "—" if x is None else marks(en_number(x, precision))


def en_number(x: float, precision: int | None) -> str:
    """`x` as vn_number writes it, with English marks: 1,234.50."""
    digits = 3 if precision is None else precision
    if math.isfinite(x) and abs(x) < 1e15:  # beyond, a float has no decimals left to round
        x = round_value(x, digits) + 0.0  # + 0.0: -0.0 becomes 0.0
    text = f"{x:,.{digits}f}"
    if precision is None and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]
    return text


# --- text for people: every cell and line shown, never obeyed --------------------------------------


def plain(x: Any) -> str:
    """A cell or line for a terminal: control characters escaped (errors.printable)."""
    return printable(str(x))


_MARKDOWN = re.compile(r"([\\`*_\[\]|#])")


def md(x: Any) -> str:
    """A cell or line for Markdown: control characters escaped, a line break as `\\n`, Markdown's
    own characters (`|`, `*`, `_`, …) backslash-escaped and HTML (`<`, `>`, `&`) as entities, so a
    name can neither break the table nor pass HTML through."""
    text = _MARKDOWN.sub(r"\\\1", plain(x))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def text_table(head: list[str], rows: list[list[Any]]) -> str:
    """A plain-text table (tabulate's `simple`), every cell through plain()."""
    return tabulate([[plain(v) for v in row] for row in rows], [plain(h) for h in head],
                    tablefmt="simple", disable_numparse=True)


def md_table(head: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table (GitHub's), every cell through md()."""
    return tabulate([[md(v) for v in row] for row in rows], [md(h) for h in head],
                    tablefmt="github", disable_numparse=True)


def esc(x: Any) -> str:
    """Text for HTML: control characters escaped, then every `<`, `>`, `&` and quote."""
    return html_lib.escape(plain(x))


def document(text: str) -> str:
    """A whole text output: whatever control character a renderer let through, escaped; the line
    breaks between lines stay."""
    return printable(text, keep_newlines=True)


def people_rows(result: Result) -> tuple[list[str], list[list[Any]], list[str | None]]:
    """Headings and rows for the ranking as a council prints it, with each row's group."""
    c = result.criteria
    p = c.precision
    top = [n.code for n in c.criteria]
    head = [_("Rank"), _("Code"), _("Unit"), *top]
    extras = [k for k in ("bonus", "penalty") if getattr(c, k) is not None]
    head += [{"bonus": _("Bonus"), "penalty": _("Penalty")}[k] for k in extras]
    head += [_("Total"), _("Class"), _("Awards"), _("Note")]
    rows, groups = [], []
    for r in result.units.to_dicts():
        note = []
        if r["knockouts"]:
            note.append(_("knocked out: {codes}", codes=", ".join(r["knockouts"])))
        if r["flagged"]:
            note.append(_("tied at the quota of {codes}: for the council's vote",
                          codes=", ".join(r["flagged"])))
        rows.append([r["rank"], r["id"], r["name"], *[vn_number(r[points_col(k)], p) for k in top],
                     *[vn_number(r[k], p) for k in extras], vn_number(r["total"], p),
                     r["classification"] or "", ", ".join(r["awards"]), "; ".join(note)])
        groups.append(r["group"])
    return head, rows, groups


# Each policy a file names by a keyword, said in words (the keyword stays in the file and in the
# JSON's policies; a person reads these).
METHODS = {
    "competition": N_("shared ranks, competition style (1, 2, 2, 4)"),
    "dense": N_("shared ranks, no number skipped (1, 2, 2, 3)"),
    "ordinal": N_("one rank for each unit (1, 2, 3, 4)"),
}
_TIES = {
    "competition": N_("units still equal share a rank"),
    "dense": N_("units still equal share a rank (the next rank skips no number: 1, 1, 2)"),
    "ordinal": N_("units still equal do not share a rank: they are ordered by unit code, one rank "
                  "each (1, 2, 3)"),
}
MISSING = {
    "error": N_("an error (every value must be given)"),
    "zero": N_("0 points for the criterion"),
    "full": N_("the criterion's full points"),
    "exclude": N_("the criterion does not apply to the unit; its points are rescaled to the "
                  "total"),
}
QUOTA_ROUNDING = {"floor": N_("rounded down"), "round": N_("rounded to the nearest"),
                  "ceil": N_("rounded up")}
TIE_AT_QUOTA = {
    "include": N_("every tied unit is listed"),
    "exclude": N_("no tied unit is listed"),
    "flag": N_("the tied units are put to the council's vote"),
}


def policy_lines(c: m.Criteria) -> list[str]:
    if c.precision is None:
        rounding = _("none (ranked on the full value)")
    else:
        where = (_("each criterion, group and the total") if c.round_at == "leaves" else
                 _("the total only"))
        rounding = ngettext("{digits} decimal place, half away from zero, at {where}",
                            "{digits} decimal places, half away from zero, at {where}",
                            c.precision, digits=c.precision, where=where)
    ties = ", ".join(_("criterion {code}", code=tb.criterion) if tb.criterion else
                     (_("{indicator} (lower ranks above)", indicator=tb.indicator)
                      if tb.order == "asc" else
                      _("{indicator} (higher ranks above)", indicator=tb.indicator))
                     for tb in c.ranking.tie_break) or _("none")
    lines = [_("Rounding: {rounding}.", rounding=rounding),
             _("Ranking: {method}; tie-breaks: {ties}; {rule}.",
               method=_(METHODS[c.ranking.method]), ties=ties, rule=_(_TIES[c.ranking.method])),
             _("Missing data: {policy}.", policy=_(MISSING[c.missing]))]
    for a in c.awards:
        q = a.quota
        amount = (ngettext("{count} unit", "{count} units", q.count, count=q.count)
                  if q.count is not None else
                  _("{percent}% ({rounding}, at least {min})", percent=vn_number(q.percent, None),
                    rounding=_(QUOTA_ROUNDING[q.rounding]), min=q.min))
        line = (_("Quota {code}: {amount} per cluster; a tie at the quota: {tie}.", code=a.code,
                  amount=amount, tie=_(TIE_AT_QUOTA[a.on_tie_at_quota]))
                if c.award_scope(a) == "group" else
                _("Quota {code}: {amount} of the whole list; a tie at the quota: {tie}.",
                  code=a.code, amount=amount, tie=_(TIE_AT_QUOTA[a.on_tie_at_quota])))
        lines.append(line)
    lines += _history_policy(c)
    return lines


def _history_policy(c: m.Criteria) -> list[str]:
    """A file with history conditions (../shared/spec/council-path.md §5): the year scored and
    how the years are counted."""
    from thidua.core import history as hs

    if not hs.used(c):
        return []
    return [_("Earlier years: the year scored is {year}, decided by this run; the years before "
              "come from the history file; a year without its row is not held, so it breaks a "
              "streak.", year=c.year)]


def _sections(result: Result, fmt: Callable[[list[str], list[list[Any]]], str],
              heading: Callable[[str], str]) -> list[str]:
    head, rows, groups = people_rows(result)
    if not result.criteria.units.group:
        return [fmt(head, rows)]
    out: list[str] = []
    for g in dict.fromkeys(groups):
        mine = [row for row, gg in zip(rows, groups) if gg == g]
        out.append(heading(ngettext("{group} — {count} unit", "{group} — {count} units",
                                    len(mine), group=g, count=len(mine))))
        out.append(fmt(head, mine))
    return out


def _shortlist_lines(result: Result) -> list[str]:
    lines = []
    for entry in award_lists(result):
        where = f" — {entry['group']}" if entry["group"] is not None else ""
        units = ", ".join(entry["units"]) or _("(none)")
        line = _("{code}{where}: quota {quota}: {units}", code=entry["code"], where=where,
                 quota=entry["quota"], units=units)
        if entry["flagged"]:
            line += _("; tied, for the council's vote: {units}", units=", ".join(entry["flagged"]))
        if entry["eligible"] < entry["quota"]:
            line += _("; too few units to fill the quota ({eligible} eligible for {quota} places)",
                      eligible=entry["eligible"], quota=entry["quota"])
        lines.append(line)
    return lines


def _treatment_lines(result: Result, table: Callable[[list[str], list[list[Any]]], str],
                     title: Callable[[str], str]) -> list[str]:
    """The cells a `treatment:` changed, under their heading (nothing without one)."""
    if result.criteria.treatment is None:
        return []
    from thidua.output import render_treatment

    found = render_treatment.lines(result.criteria, result.treated, table)
    return [found[0], title(found[1]), *found[2:]]


def to_table(result: Result) -> str:
    c = result.criteria
    parts = [plain(_("{name} (version {version})", name=c.name, version=c.version))]
    parts += _sections(result, text_table, lambda title: f"\n{plain(title)}")
    if c.awards:
        parts += ["", _("Award proposals:"), *[f"  {plain(x)}" for x in _shortlist_lines(result)]]
    from thidua.output import render_stages

    parts += render_stages.text_section(result)
    parts += _treatment_lines(result, text_table, plain)
    parts += ["", *map(plain, policy_lines(c))]
    return document("\n".join(parts) + "\n")


def to_markdown(result: Result) -> str:
    c = result.criteria
    parts = [f"# {md(c.name)}", "", _("Version {version}.", version=md(c.version))]
    parts += _sections(result, md_table, lambda title: f"\n## {md(title)}\n")
    if c.awards:
        parts += ["", "## " + _("Award proposals"), "", *[f"- {md(x)}" for x in _shortlist_lines(result)]]
    from thidua.output import render_stages

    parts += render_stages.markdown_section(result)
    parts += _treatment_lines(result, md_table, lambda x: f"## {md(x)}\n")
    parts += ["", "## " + _("Scoring policies, basis and note"), "",
              *[f"- {md(x)}" for x in document_notes(c)]]
    return document("\n".join(parts) + "\n")


def html_table(head: list[str], rows: list[list[Any]]) -> str:
    """A table with every cell escaped."""
    th = "".join(f"<th>{esc(h)}</th>" for h in head)

    def cell(v: Any) -> str:
        text = str(v)
        kind = ' class="n"' if _NUMBER.fullmatch(text) else ""  # numbers line up on the right
        return f"<td{kind}>{esc(text)}</td>"

    body = "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>\n" for row in rows)
    return f"<table>\n<thead><tr>{th}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>"


# Screen and print: numbers kept on one line, a text column never narrower than a few words (a
# classification on one or two lines, not five), and printed on A4 landscape with the header
# row on every page and no row split across two pages.
PAGE_STYLE = ("body{font-family:\"Times New Roman\",serif}table{border-collapse:collapse;margin-bottom:1em;width:100%}"
              "td,th{border:1px solid #999;padding:2px 6px;vertical-align:top}th{background:#d9e1f2}"
              "td{min-width:4em}td.n{text-align:right;white-space:nowrap;min-width:0}"
              "@page{size:A4 landscape;margin:12mm}"
              "@media print{body{font-size:10pt}tr{break-inside:avoid}thead{display:table-header-group}"
              "h2,h3{break-after:avoid}}")


def html_head(title: str) -> list[str]:
    """The opening of a page, up to and including its <h1>."""
    return ["<!DOCTYPE html>", f'<html lang="{language()}">', '<head><meta charset="utf-8">',
            f"<title>{esc(title)}</title>",
            f"<style>{PAGE_STYLE}</style>",
            "</head>", "<body>", f"<h1>{esc(title)}</h1>"]


def to_html(result: Result) -> str:
    c = result.criteria
    parts = [*html_head(c.name), "<p>" + _("Version {version}", version=esc(c.version)) + "</p>"]
    parts += _sections(result, html_table, lambda title: f"<h2>{esc(title)}</h2>")
    if c.awards:
        parts.append("<h2>" + esc(_("Award proposals")) + "</h2><ul>")
        parts += [f"<li>{esc(x)}</li>" for x in _shortlist_lines(result)]
        parts.append("</ul>")
    from thidua.output import render_stages

    parts += render_stages.html_section(result)
    parts += [x for x in _treatment_lines(result, html_table, lambda x: f"<h2>{esc(x)}</h2>") if x]
    parts.append("<h2>" + esc(_("Scoring policies, basis and note")) + "</h2><ul>")
    parts += [f"<li>{esc(x)}</li>" for x in document_notes(c)]
    parts += ["</ul>", "</body>", "</html>"]
    return document("\n".join(parts) + "\n")


def write_parquet(result: Result, path: str) -> None:
    empty_as_null(as_text(_treated(result, unit_table(result)))).write_parquet(path, compression="lz4")  # lz4: about 40 % faster to write than zstd


def write_xlsx(result: Result, path: str) -> None:
    """The ranking as a council prints and signs it (thidua/output/sheets.py): a chart sheet of
    the totals, the ranking (every cluster from a new page, the policies, `basis` and `note`
    under it) and the award lists, in Vietnamese, numbers to the file's precision."""
    from thidua.output import sheets

    c = result.criteria
    units = result.units.to_dicts()
    with new_workbook(path) as wb:
        book = sheets.Book(wb, c, _("Emulation ranking"))
        marked = {r["id"] for r in units if r["awards"]}
        sheets.chart(book, units, marked, _("Total — {name}", name=c.name))
        cols, rows, groups = ranking_sheet(result)
        breaks = [i for i, g in enumerate(groups) if i and g != groups[i - 1]]
        ws = book.sheet(_("Ranking"), "XepHang", cols, rows, notes=document_notes(c), breaks=breaks,
                        freeze=3)
        ws.activate()
        if c.awards:
            head, body = award_list_rows(result)
            book.sheet(_("Awards"), "KhenThuong", head, body,
                       heading=_("Award proposals by quota"))
        from thidua.output import render_stages

        render_stages.xlsx_sheet(book, result)
        if c.treatment is not None:
            from thidua.output import render_treatment
            from thidua.output.sheets import Col

            t_cols = [Col(h, "long" if i == 6 else "text", 50 if i == 6 else None)
                      for i, h in enumerate(render_treatment.head())]
            book.sheet(_("Data treatment"), "XuLySoLieu", t_cols,
                       render_treatment.rows(c, result.treated),
                       heading=render_treatment.heading(c, result.treated))


def award_name(c: m.Criteria, code: str) -> str:
    return next((a.name for a in c.awards if a.code == code), code)


def ranking_sheet(result: Result) -> tuple[list[Any], list[list[Any]], list[str | None]]:
    """The ranking's columns and rows for a workbook: numbers as numbers (to the file's
    precision), criteria named under their codes, awards and knockouts by their names."""
    from thidua.output.sheets import Col

    c = result.criteria
    p = c.precision
    grouped = c.units.group is not None
    top = list(c.criteria)
    extras = [k for k in ("bonus", "penalty") if getattr(c, k) is not None]
    cols = [Col(_("Rank"), "int"), Col(_("Code"), "text"), Col(_("Unit"), "text", 20)]
    cols += [Col(_("Cluster, block"), "text")] if grouped else []
    cols += [Col(f"{n.code}\n{n.name}", "points", 14) for n in top]
    cols += [Col({"bonus": _("Bonus points"), "penalty": _("Penalty points")}[k], "points")
             for k in extras]
    cols += [Col(_("Total"), "points"), Col(_("Class"), "text", 16),
             Col(_("Proposed awards"), "text", 22), Col(_("Note"), "text", 20)]
    knockout = {k.code: k.name for k in c.knockouts}
    # points take few values across the units: each is rounded for its cell once (to a
    # precision, -0.0 and 0.0 both show as 0.0, so that they may share their entry)
    seen: dict[float | None, float | None] = {}

    def shown(x: float | None) -> float | None:
        if p is None:
            return x
        if x not in seen:
            seen[x] = _shown(x, p)
        return seen[x]

    names = [points_col(n.code) for n in top] + extras + ["total"]
    # read column by column (no dict per unit); the award lists and notes take few distinct
    # values across the units: each is written out once
    u = result.units
    col = {k: u.get_column(k).to_list() for k in dict.fromkeys(
        ["rank", "id", "name", "group", *names, "classification", "awards", "knockouts", "flagged"])}
    points = [[shown(x) for x in col[k]] for k in names]
    listed: dict[tuple[str, ...], str] = {}
    noted: dict[tuple[tuple[str, ...], tuple[str, ...]], str] = {}
    rows = []
    for i, lists in enumerate(zip(col["knockouts"], col["flagged"], col["awards"], strict=True)):
        ko, fl, aw = (tuple(x) for x in lists)
        if (ko, fl) not in noted:
            note = [_("Knocked out: {name}", name=knockout.get(k, k)) for k in ko]
            note += [_("Tied at the quota of {award}: for the council's vote", award=award_name(c, a))
                     for a in fl]
            noted[(ko, fl)] = "; ".join(note)
        if aw not in listed:
            listed[aw] = "; ".join(award_name(c, a) for a in aw)
        rows.append([col["rank"][i], col["id"][i], col["name"][i], *([col["group"][i]] if grouped else []),
                     *[p[i] for p in points], col["classification"][i] or "", listed[aw], noted[(ko, fl)]])
    return cols, rows, list(col["group"])


def _shown(x: float | None, precision: int | None) -> float | None:
    """A number as a person reads it in a cell: rounded to the file's precision, never -0."""
    if x is None or precision is None or not math.isfinite(x) or abs(x) >= 1e15:
        return x
    return round_value(x, precision) + 0.0


def award_list_rows(result: Result) -> tuple[list[Any], list[list[Any]]]:
    """Per award and cluster: the quota, how many are eligible, the units listed and those tied
    for the council's vote (ids with names)."""
    from thidua.output.sheets import Col

    names = dict(zip(result.units.get_column("id").to_list(), result.units.get_column("name").to_list(), strict=True))

    def who(ids: list[str]) -> str:
        return "; ".join(f"{names.get(i, i)} ({i})" for i in ids)

    cols = [Col(_("Award code"), "text"), Col(_("Award"), "text", 30), Col(_("Cluster, block"), "text"),
            Col(_("Quota"), "int"), Col(_("Eligible"), "int"), Col(_("On the list"), "long", 45),
            Col(_("Tied, for the council's vote"), "text", 30)]
    rows = [[e["code"], e["name"], e["group"] or _("All units"), e["quota"], e["eligible"],
             who(e["units"]) or _("(none)"), who(e["flagged"])] for e in award_lists(result)]
    return cols, rows


def document_notes(c: m.Criteria) -> list[str]:
    """What a printed document says under its table: the policies, then `basis` and `note`."""
    lines = policy_lines(c)
    if c.basis:
        lines.append(_("Basis: {basis}", basis=c.basis))
    if c.note:
        lines.append(_("Note: {note}", note=c.note))
    return lines


_SHEET_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def sheet_names(wanted: list[str], taken: tuple[str, ...] = ()) -> list[str]:
    """Worksheet names Excel accepts for `wanted`: the characters it refuses ([ ] : * ? / \\
    and controls) as '_', at most 31 characters, no leading or trailing apostrophe, and each
    distinct from the others and from `taken` as Excel compares them (ignoring case), by a
    ' (2)', ' (3)' … suffix."""
    seen = {t.casefold() for t in taken}
    out = []
    for name in wanted:
        base = _SHEET_BAD.sub("_", name).strip("'")[:31] or "_"
        candidate, n = base, 1
        while candidate.casefold() in seen:
            n += 1
            suffix = f" ({n})"
            candidate = base[:31 - len(suffix)] + suffix
        seen.add(candidate.casefold())
        out.append(candidate)
    return out

