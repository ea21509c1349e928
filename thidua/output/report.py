"""`thidua report`: one self-contained page a council member opens by double-click.

Summary, a bar chart per cluster, the ranking per cluster, the award proposals with their quota
arithmetic and reasons, every unit's explanation one click away (<details>), the policies,
`basis` and `note`, and the signatures. No network and no other file: the style, the charts and
the script are inside the page.

Charts are native SVG written here: about 250 bytes a unit (7.5 KB for the 30 units of dvcq-xa,
in a page of 296 KB, most of it the 30 explanations), crisp when printed, nothing to download or
keep up to date; a charting library would add 100–300 KB of script to every page for bars a few
lines of SVG draw. Tables sort by a click on a
heading (a dozen lines of inline script); printing (A4 landscape) never splits a row or an
explanation across pages.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from thidua import model as m
from thidua.core.engine import Result
from thidua.core.explain import explain
from thidua.i18n import N_, _, language
from thidua.output.render import (
    _shortlist_lines,
    award_name,
    document,
    document_notes,
    esc,
    html_table,
    people_rows,
    vn_number,
)
from thidua.output.render_awards import NO_AWARDS, _people_parts
from thidua.output.render_explain import fragment

STYLE = """
body{font-family:"Times New Roman",serif;margin:1.5em;color:#111}
h1{font-size:1.5em;text-align:center;margin:.2em 0}.council{text-align:center;font-weight:bold}
.sub{text-align:center;font-style:italic;margin-bottom:1em}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.92em}
th,td{border:1px solid #999;padding:.2em .45em;vertical-align:top}
th{background:#d9e1f2;cursor:pointer}td.n{text-align:right;white-space:nowrap}
th.asc::after{content:" ▲"}th.desc::after{content:" ▼"}
tr.on td{background:#fde9e7}
details{margin:.15em 0;border:1px solid #ddd;padding:.2em .5em}summary{cursor:pointer}
.chart{max-width:100%;height:auto}.sign{display:flex;justify-content:space-around;margin-top:2em}
.sign div{text-align:center;min-width:16em}.sign .date{font-style:italic}
.sign b{display:block}
@page{size:A4 landscape;margin:12mm}
@media print{body{margin:0;font-size:10pt}details{break-inside:avoid}details>summary{list-style:none}
tr,img,svg,.sign{break-inside:avoid}thead{display:table-header-group}h2,h3{break-after:avoid}
th{cursor:auto}th.asc::after,th.desc::after{content:""}}
"""

SCRIPT = """
document.querySelectorAll("table.sort").forEach(function(t){
 t.querySelectorAll("th").forEach(function(th,i){th.addEventListener("click",function(){
  var b=t.tBodies[0],r=Array.from(b.rows),d=th.classList.contains("asc")?-1:1;
  t.querySelectorAll("th").forEach(function(x){x.classList.remove("asc","desc")});
  th.classList.add(d>0?"asc":"desc");
  function v(x){var s=x.cells[i].textContent.trim(),n=s.replace(/\\./g,"").replace(",",".").replace(" %","");
   return s!==""&&!isNaN(n)?parseFloat(n):s}
  r.sort(function(x,y){var a=v(x),c=v(y);
   return (typeof a==="number"&&typeof c==="number"?a-c:String(a).localeCompare(String(c),"vi"))*d});
  r.forEach(function(x){b.appendChild(x)})})})});
"""


def svg_chart(rows: list[tuple[str, float | None, bool]], top: float, precision: int | None) -> str:
    """Horizontal bars: (label, total, on an award list), the listed in red."""
    bar, gap, left, width = 16, 4, 230, 560
    height = len(rows) * (bar + gap) + 30
    out = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{left + width + 70}" '
           f'height="{height}" viewBox="0 0 {left + width + 70} {height}" role="img" font-size="12">']
    step = next((s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000) if top / s <= 8), 10 ** len(str(int(top))))
    for tick in range(0, int(top) + 1, step):
        x = left + width * tick / top
        out.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 20}" stroke="#ddd"/>'
                   f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle">{tick}</text>')
    for i, (label, total, on) in enumerate(rows):
        y = i * (bar + gap)
        w = width * max(total or 0.0, 0.0) / top
        colour = "#c00000" if on else "#8ea9db"
        out.append(f'<text x="{left - 6}" y="{y + bar - 4}" text-anchor="end">{esc(label)}</text>'
                   f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar}" fill="{colour}"/>'
                   f'<text x="{left + w + 4:.1f}" y="{y + bar - 4}">{vn_number(total, precision)}</text>')
    out.append("</svg>")
    return "".join(out)


def _table(head: list[str], rows: list[list[Any]], marked: list[bool] | None = None) -> str:
    """html_table, sortable, rows on an award list marked."""
    text = html_table(head, rows).replace("<table>", '<table class="sort">', 1)
    if marked:
        parts = text.split("<tr>")
        # parts[0] before thead's row, parts[1] the heading row, then one per body row
        text = "<tr>".join(parts[:2]) + "".join(
            ('<tr class="on">' if on else "<tr>") + part for part, on in zip(parts[2:], marked, strict=True))
    return text


# The signers a file gets when it names none (model.SIGNERS), in the reader's language; a council's
# own signers are its words and stay as written.
_DEFAULT_SIGNERS = {"Người lập biểu": N_("Prepared by"), "TM. Hội đồng — Chủ tịch": N_("For the council — Chair")}


def _signer_title(c: m.Criteria, title: str) -> str:
    return _(_DEFAULT_SIGNERS[title]) if tuple(c.printed.signers) == m.SIGNERS and title in _DEFAULT_SIGNERS \
        else title


def signatures(c: m.Criteria) -> list[str]:
    r = c.printed
    place = f"{esc(r.place)}, " if r.place else "……………, "
    date = esc(r.date) if r.date else _("day …… month …… year ……")
    signature = esc(_("(Signature and full name)"))
    blocks = [f"<div><b>{esc(_signer_title(c, s.title)).replace(' — ', '<br>')}</b><i>{signature}</i><br><br><br><br>"
              f"{esc(s.name or '')}</div>" for s in r.signers]
    return [f'<p class="sign"><span></span><span class="date">{place}{date}</span></p>',
            '<div class="sign">', *blocks, "</div>"]


def to_report(result: Result) -> str:
    """The whole page (`result` scored with trace=True, for the explanations)."""
    c = result.criteria
    r = c.printed
    p = c.precision
    head, rows, groups = people_rows(result)
    units = result.units.to_dicts()
    at = len(head) - 2  # the awards, by their names (the terminal table keeps the codes)
    for row, u in zip(rows, units, strict=True):
        row[at] = ", ".join(award_name(c, a) for a in u["awards"])
    parts = ["<!DOCTYPE html>", f'<html lang="{language()}">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             "<title>" + esc(_("{name}: report of the results", name=c.name)) + "</title>", f"<style>{STYLE}</style>", "</head>", "<body>"]
    if r.council:
        parts.append(f'<p class="council">{esc(r.council.upper())}</p>')
    parts += ["<h1>" + esc(_("REPORT OF THE EMULATION SCORES")) + "</h1>",
              f'<p class="sub">{esc(c.name)}<br>'
              + esc(_("Version {version}", version=c.version)) + f"{'; ' + esc(r.period) if r.period else ''}</p>"]
    parts += ["<h2>" + esc(_("Summary")) + "</h2>", "<ul>", *[f"<li>{esc(x)}</li>" for x in _summary(result)], "</ul>"]
    top = c.total + (c.bonus.max_points if c.bonus else 0)
    for g in dict.fromkeys(groups):
        mine = [i for i, gg in enumerate(groups) if gg == g]
        title = _("{group} — {count} units", group=g if c.units.group else _("All units"), count=len(mine))
        parts.append("<h2>" + esc(_("Ranking: {title}", title=title)) + "</h2>")
        bars = [(f"{units[i]['name']} ({units[i]['id']})", units[i]["total"], bool(units[i]["awards"])) for i in mine]
        parts.append(svg_chart(bars, top, p))
        parts.append('<p><span style="color:#c00000">■</span> ' + esc(_("on an award shortlist")) +
                     ' <span style="color:#8ea9db">■</span> ' + esc(_("the other units")) + '</p>')
        parts.append(_table(head, [rows[i] for i in mine], [bool(units[i]["awards"]) for i in mine]))
    parts.append("<h2>" + esc(_("Award shortlists")) + "</h2>")
    if not c.awards:
        parts.append(f"<p>{esc(_(NO_AWARDS))}</p>")
    else:
        parts += ["<ul>", *[f"<li>{esc(x)}</li>" for x in _shortlist_lines(result)], "</ul>"]
        for kind, text in _people_parts(result):
            if kind == "heading":
                parts.append(f"<h3>{esc(text)}</h3>")
            elif kind == "table":
                parts.append(_table(*text))
            else:
                parts.append(f"<p>{esc(text)}</p>")
    from thidua.output import render_stages  # review stages: every value a later stage changed

    parts += render_stages.html_section(result)
    parts.append("<h2>" + esc(_("Each unit's points explained")) + "</h2>")
    parts.append("<p>" + esc(_("Click a unit's name to see each criterion: data, how it is scored, points, "
                               "bonus points, penalty points, knockouts, classification, rank and the "
                               "award reasons.")) + "</p>")
    for u in units:
        where = f" — {u['group']}" if u["group"] is not None else ""
        summary = (_("{name} ({id}){where}: rank {rank}, total {total}", name=u["name"], id=u["id"], where=where,
                     rank=u["rank"], total=vn_number(u["total"], p))
                   + (_(", proposed for {awards}", awards=", ".join(
                       award_name(c, a) for a in u["awards"])) if u["awards"] else ""))
        parts.append(f"<details><summary>{esc(summary)}</summary>")
        parts.append(fragment(explain(result, u["id"])))
        parts.append("</details>")
    parts += ["<h2>" + esc(_("Scoring policies, basis and note")) + "</h2>", "<ul>",
              *[f"<li>{esc(x)}</li>" for x in document_notes(c)], "</ul>"]
    parts += signatures(c)
    parts += [f"<script>{SCRIPT}</script>", "</body>", "</html>"]
    return document("\n".join(parts) + "\n")


def _summary(result: Result) -> list[str]:
    c = result.criteria
    units = result.units
    p = c.precision
    groups = units.get_column("group").unique(maintain_order=True).to_list() if c.units.group else []
    lines = [_("{count} units", count=units.height)
             + (_(" in {count} clusters, blocks", count=len(groups)) if groups else "")
             + _("; a scale of {total} points.", total=vn_number(c.total, None))]
    totals = units.get_column("total")
    if units.height:
        lines.append(_("Highest total {high}, lowest {low}, mean {mean}.",
                       high=vn_number(totals.max(), p), low=vn_number(totals.min(), p),  # type: ignore[arg-type]
                       mean=vn_number(totals.mean(), p)))  # type: ignore[arg-type]
    if c.classification:
        counts = units.get_column("classification").value_counts()
        by = {row["classification"]: row["count"] for row in counts.to_dicts()}
        lines.append(_("Classification: {classification}", classification="; ".join(
            f"{b.label}: {by.get(b.label, 0)}" for b in c.classification)) + ".")
    for a in c.awards:
        listed = units.filter(pl.col("awards").list.contains(a.code)).height
        flagged = units.filter(pl.col("flagged").list.contains(a.code)).height
        text = _("{name} ({code}): {listed} units listed", name=a.name, code=a.code, listed=listed)
        lines.append(text + (_(", {flagged} units tied, awaiting the council's vote.", flagged=flagged)
                             if flagged else "."))
    return lines
