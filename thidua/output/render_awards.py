"""Award shortlists and their reasons for people (Vietnamese) and for scripts (codes)."""

from __future__ import annotations

import json
import math
from typing import Any

import polars as pl

from thidua import model as m
from thidua.core import members as members_core
from thidua.core.ballots import Decided
from thidua.core.engine import Result
from thidua.core.reasons import HISTORY, REASON_COLUMNS, quotas, reasons
from thidua.core.schema import CODES
from thidua.i18n import N_, _
from thidua.output import render_ballots as rb
from thidua.output import render_members
from thidua.output.lists import as_text
from thidua.output.render import (
    document,
    document_notes,
    empty_as_null,
    esc,
    html_head,
    html_table,
    md,
    md_table,
    neutralised,
    no_negative_zero,
    plain,
    policy_lines,
    sheet_names,
    text_table,
    vn_number,
)
from thidua.output.workbook import new_workbook

_CONDITION = {
    "knockout": N_("knocked out ({knockouts})"),
    "min_total": N_("total {total} below {min_total}"),
    "classification": N_("classification “{classification}” not among: {labels}"),
    "no_knockout": N_("caught by a knockout condition ({knockouts})"),
    "max_rank": N_("rank {rank} after rank {max_rank}"),
    "when": N_("condition {when} not met"),
    "exclusive": N_("already proposed for {held}"),
}


def _tie_keys(c: m.Criteria, row: dict[str, Any]) -> str:
    parts = [_("total {total}", total=vn_number(row['total'], c.precision))]
    for i, tb in enumerate(c.ranking.tie_break, start=1):
        value = row[f"__key{i}"]
        if tb.order == "asc" and value is not None:
            value = -value
        what = _("points on criterion {criterion}", criterion=tb.criterion) if tb.criterion else tb.indicator
        # ranking puts a missing value last as ±inf: for people it is no value at all
        shown = _("(empty)") if value is None or not math.isfinite(value) else \
            vn_number(value, c.precision if tb.criterion else None)
        parts.append(f"{what} {shown}")
    return ", ".join(parts)


def sentence(c: m.Criteria, award: m.Award, r: dict[str, Any], unit: dict[str, Any]) -> str:
    """One reason (a row of reasons.reasons) in the council's words; `unit` is the unit's row."""
    evidence = render_members.sentence_part(award, unit)
    text = _sentence(c, award, r, unit)
    return f"{text} {evidence}" if evidence else text


def _sentence(c: m.Criteria, award: m.Award, r: dict[str, Any], unit: dict[str, Any]) -> str:
    p = c.precision
    status = r["status"]
    if status == "on_list":
        return _("Listed: rank {rank}, place {place} within the quota of {quota}.", rank=r["rank"],
                 place=r["place"], quota=r["quota"])
    if status in ("tied_flag", "tie_included", "tie_excluded"):
        others = [u for u in r["tied_with"] or [] if u and u != r["id"]]
        left = r["quota"] - (r["place"] - 1)
        keys = _tie_keys(c, unit)
        head = {"tied_flag": _("Tied at the last place of the quota"),
                "tie_included": _("Listed for a tie at the last place of the quota (beyond the quota)"),
                "tie_excluded": _("Not listed: tied at the last place of the quota, the whole group left "
                                  "out")}[status]
        text = _("{head} with {others}: equal on {keys}; {left} places left for {count} units", head=head,
                 others=", ".join(others), keys=keys, left=left, count=len(others) + 1)
        return text + (_(". The council votes.") if status == "tied_flag" else ".")
    if status == "beyond_quota":
        head = _("Eligible but beyond the quota: place {place}, quota {quota}; ", place=r["place"],
                 quota=r["quota"])
        if r["behind_last_in"] is None:  # nobody on the list (a quota of 0, or a whole tie left out)
            return head + _("the list has no unit.")
        if r["behind_last_in"] == 0:
            return head + _("equal to the total of the last unit on the list, placed after it by the "
                            "tie-breaks.")
        return head + _("{points} points behind the last unit on the list.",
                        points=vn_number(r["behind_last_in"], p))
    e = award.eligible
    held = unit["awards"]
    values = {"knockouts": ", ".join(r["knockouts"]), "total": vn_number(r["total"], p),
              "min_total": vn_number(e.min_total, p), "classification": r["classification"] or _("not classified"),
              "labels": ", ".join(e.classification or []), "rank": r["rank"], "max_rank": e.max_rank,
              "when": e.when, "held": ", ".join(held)}
    failed = []
    names = list(r["failed"] or [])
    if "knockout" in names and "no_knockout" in names and "ineligible" not in names:
        names.remove("no_knockout")  # one knockout, said once
    for name in names:
        if name.startswith("history:"):
            failed.append(history_failed(c, award, int(name.removeprefix("history:")), r["history"]))
        elif name.startswith("members:"):
            if "members" not in failed:
                failed.append("members")  # said once, with the evidence after the sentence
        elif name.startswith("award:"):
            failed.append(_("not on the list of {award}", award=name.removeprefix("award:")))
        elif name:
            failed.append(_(_CONDITION[name]).format(**values))
    if "members" in failed:  # which, by name; their counts follow the sentence
        missed = [render_members.label(cond) for j, cond in enumerate(e.members or [])
                  if f"members:{j}" in names]
        said = _("members conditions not met: {names}", names=", ".join(missed))
        failed = [said if f == "members" else f for f in failed]
    return _("Not eligible: {failed}.", failed="; ".join(failed))


def history_failed(c: m.Criteria, award: m.Award, k: int, said: str) -> str:
    """A history item not met: what it asks and the years held and missing."""
    from thidua.core import history as hs

    alternatives = hs.terms(c, c.awards.index(award))[k]
    asked = _(" or ").join(hs.described(c, term) for term in alternatives)
    return _("not met: {asked} ({evidence})", asked=asked, evidence=said.split(" | ")[k])


def _award_sections(result: Result) -> list[tuple[m.Award, str | None, dict[str, Any], list[dict[str, Any]]]]:
    """Per award and group (one section over all units for an award of `per: all`): the award,
    the group, the quota's arithmetic and every unit's reason, in reasons' order."""
    c = result.criteria
    why = reasons(result)
    arith = quotas(result)
    out = []
    for award in c.awards:
        for q in arith.filter(pl.col("award") == award.code).to_dicts():
            mine = why.filter(pl.col("award") == award.code)
            if c.award_scope(award) == "group":
                mine = mine.filter(pl.col("group").eq_missing(q["group"]))
            out.append((award, q["group"], q, mine.to_dicts()))
    return out


def _base_words(of: str) -> str:
    """What a quota's percent is taken of, in words: `units`, `eligible`, or the JSON of
    {classification: LABEL} / {award: CODE} as reasons.quotas records it."""
    words = {"units": N_("units"), "eligible": N_("eligible units")}
    if of in words:
        return _(words[of])
    base = json.loads(of)
    if "classification" in base:
        return _("units classified “{classification}”", classification=base["classification"])
    return _("units on the list of {award}", award=base["award"])


def arithmetic(q: dict[str, Any]) -> str:
    if q["percent"] is None:
        text = _("{count} units", count=q["count"])
    else:
        of = _base_words(q["of"])
        rounding = {"floor": _("rounded down"), "round": _("rounded"), "ceil": _("rounded up")}[q["rounding"]]
        text = (f"{vn_number(q['percent'], None)}% × {q['base']} ({of}) = {vn_number(q['raw'], None)}, "
                f"{rounding}")
        if q["min"]:
            text += _(", at least {min}", min=q["min"])
        text += f" → {q['quota']}"
    text += _("; eligible {eligible}, listed {listed}", eligible=q["eligible"], listed=q["listed"])
    if q["flagged"]:
        text += _(", tied awaiting the vote {flagged}", flagged=q["flagged"])
    if q["unfillable"]:
        text += _("; not enough units to fill the quota ({eligible} eligible / {quota} places)",
                  eligible=q["eligible"], quota=q["quota"])
    return text


def unit_rows(result: Result) -> dict[str, dict[str, Any]]:
    """What the sentences read about each unit, by id."""
    keys = [k for k in result.units.columns if k.startswith("__key")]
    held = members_core.columns(result.criteria)
    return {row["id"]: row for row in result.units.select("id", "total", "awards", *keys, *held).to_dicts()}


NO_AWARDS = N_("The criteria file has no award.")

# reasons() of a file without awards has no columns; the machine formats still write these
_REASON_SCHEMA: dict[str, Any] = {"award": pl.String, "group": pl.String, "id": pl.String, "name": pl.String,
                  "rank": pl.Int64, "total": pl.Float64, "status": pl.String, "place": pl.Int64,
                  "quota": pl.Int64, "base": pl.Int64, "behind_last_in": pl.Float64,
                  "tied_with": CODES, "failed": CODES}


def _people_parts(shown: Result | Decided) -> list[tuple[str, Any]]:
    """Per section: ("heading", text), ("text", the quota's arithmetic), ("table", (head, rows));
    with a ballot or money, the ballot paper or tally, the final list and the amounts after it."""
    result, outcome = rb.split(shown)
    c, units = result.criteria, unit_rows(result)
    parts: list[tuple[str, Any]] = [] if c.awards else [("text", _(NO_AWARDS))]
    for award, group, q, rows in _award_sections(result):
        where = f" — {group}" if group is not None else ""
        parts.append(("heading", f"{award.code} {award.name}{where}"))
        parts.append(("text", _("Quota: {arithmetic}.", arithmetic=arithmetic(q))))
        body = [[r["rank"], r["id"], r["name"], vn_number(r["total"], c.precision),
                 sentence(c, award, r, units[r["id"]])] for r in rows]
        parts.append(("table", ([_("Rank"), _("Code"), _("Unit"), _("Total"), _("Reason")], body)))
        if outcome is not None:
            parts += rb.section_parts(c, award, group, outcome)
    return parts


def to_table(shown: Result | Decided) -> str:
    result, _outcome = rb.split(shown)
    c = result.criteria
    parts = [plain(_("{name} (version {version}) — award shortlists", name=c.name, version=c.version))]
    for kind, text in _people_parts(shown):
        parts.append(text_table(*text) if kind == "table" else
                     f"\n{plain(text)}" if kind == "heading" else plain(text))
    parts += ["", *map(plain, policy_lines(c))]
    return document("\n".join(parts) + "\n")


def to_markdown(shown: Result | Decided) -> str:
    result, _outcome = rb.split(shown)
    c = result.criteria
    parts = ["# " + _("{name}: award shortlists", name=md(c.name)), "",
             _("Version {version}.", version=md(c.version))]
    for kind, text in _people_parts(shown):
        parts.append(md_table(*text) if kind == "table" else
                     f"\n## {md(text)}\n" if kind == "heading" else md(text))
    parts += ["", "## " + _("Policies, grounds and notes"), "", *[f"- {md(x)}" for x in document_notes(c)]]
    return document("\n".join(parts) + "\n")


def to_html(shown: Result | Decided) -> str:
    result, _outcome = rb.split(shown)
    c = result.criteria
    parts = html_head(_("{name}: award shortlists", name=c.name))
    for kind, text in _people_parts(shown):
        parts.append(html_table(*text) if kind == "table" else
                     f"<h2>{esc(text)}</h2>" if kind == "heading" else f"<p>{esc(text)}</p>")
    parts += ["<h2>" + _("Policies, grounds and notes") + "</h2>", "<ul>", *[f"<li>{esc(x)}</li>" for x in document_notes(c)],
              "</ul>", "</body>", "</html>"]
    return document("\n".join(parts) + "\n")


def reason_table(shown: Result | Decided) -> pl.DataFrame:
    """What csv, parquet and each award's xlsx sheet hold: REASON_COLUMNS, in reasons' order;
    with a ballot or money, then rb.VOTE_COLUMNS."""
    result, outcome = rb.split(shown)
    frame = reasons(result)
    if not result.criteria.awards:
        return pl.DataFrame(schema={k: _REASON_SCHEMA[k] for k in REASON_COLUMNS})
    kept = [*REASON_COLUMNS, *([HISTORY] if HISTORY in frame.columns else [])]
    if not frame.width:
        return frame
    table = frame.select(kept)
    if members_core.needed(result.criteria):  # the members evidence, in words
        table = table.with_columns(_members_texts(result, table))
    if outcome is not None:  # a ballot or money: the votes and amounts last
        extra = [name for name in table.columns if name not in REASON_COLUMNS]
        table = rb.with_votes(table, result, outcome).select(*REASON_COLUMNS, *extra, *rb.VOTE_COLUMNS)
    return no_negative_zero(table)


def _members_texts(result: Result, frame: pl.DataFrame) -> pl.Series:
    """Each reason row's members evidence in words (None for an award without members
    conditions). The words depend only on each condition's count, of and met: they are written
    once for each distinct evidence of an award (a few for a thousand collectives) and laid on
    the rows by a join, not for every row."""
    out = pl.Series("members", [None] * frame.height, dtype=pl.String)
    rows = frame.select("award", "id").with_row_index("__row")
    for award in result.criteria.awards:
        conditions = award.eligible.members or []
        if not conditions:
            continue
        cols = [members_core.column(w, award.code, j) for j in range(len(conditions))
                for w in ("count", "of", "met")]
        mine = rows.filter(pl.col("award") == award.code).join(
            result.units.select("id", *cols), on="id", how="left", maintain_order="left")
        distinct = mine.select(cols).unique(maintain_order=True)
        words = [render_members.evidence(award, dict(zip(cols, values, strict=True))) or None
                 for values in distinct.iter_rows()]
        said = mine.join(distinct.with_columns(pl.Series("__words", words, dtype=pl.String)),
                         on=cols, how="left", maintain_order="left", nulls_equal=True)
        out = out.scatter(said.get_column("__row"), said.get_column("__words"))
    return out


def to_csv(shown: Result | Decided) -> str:
    result, _outcome = rb.split(shown)
    frame = reason_table(shown)
    if frame.is_empty() and result.criteria.awards:
        return ""
    return neutralised(as_text(frame)).write_csv()


def write_parquet(shown: Result | Decided, path: str) -> None:
    empty_as_null(as_text(reason_table(shown))).write_parquet(path, compression="lz4")


def to_json(shown: Result | Decided, meta: dict[str, Any]) -> str:
    result, outcome = rb.split(shown)
    c = result.criteria
    units = unit_rows(result)
    out = []
    for award, group, q, rows in _award_sections(result):
        votes = rb.json_reason(award, outcome, group) if outcome is not None else {}
        out.append({
            "code": award.code, "name": award.name, "group": group, "quota": q["quota"],
            "arithmetic": {k: q[k] for k in ("of", "base", "count", "percent", "raw", "rounding", "min")},
            "eligible": q["eligible"], "unfillable": q["unfillable"],
            "on_tie_at_quota": award.on_tie_at_quota,
            "units": [r["id"] for r in rows if r["status"] in ("on_list", "tie_included")],
            "flagged": [r["id"] for r in rows if r["status"] == "tied_flag"],
            "reasons": [{k: r[k] for k in ("id", "rank", "total", "status", "place", "behind_last_in")}
                        | {"tied_with": r["tied_with"] or [], "failed": r["failed"] or []}
                        | ({"history": r[HISTORY].split(" | ") if r[HISTORY] is not None else None}
                           if HISTORY in r else {})
                        | ({"members": render_members.records(award, units[r["id"]])}
                           if award.eligible.members else {})
                        | votes.get(r["id"], {}) for r in rows],
        })
        if outcome is not None:
            out[-1] |= rb.json_list(award, group, outcome, out[-1]["units"])
    document = {"criteria": {"id": c.id, "version": c.version, **meta.get("criteria", {})},
                "data": meta.get("data", {}), **({"votes": meta["votes"]} if "votes" in meta else {}),
                "awards": out}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def ballots(result: Result) -> pl.DataFrame:
    """The council's ballot for every tie at a quota line: the tied units, the places to fill,
    blank vote columns (not for an award with `ballot:`, whose whole shortlist is voted on)."""
    rows = []
    for award, group, _q, units in _award_sections(result):
        tied = [r for r in units if r["status"] == "tied_flag" and award.ballot is None]
        if not tied:
            continue
        left = tied[0]["quota"] - (tied[0]["place"] - 1)
        for r in tied:
            rows.append({"Danh hiệu": f"{award.code} {award.name}", "Cụm/khối": group or "",
                         "Số vị trí cần chọn": left, "Mã": r["id"], "Đơn vị": r["name"],
                         "Tổng điểm": r["total"], "Đồng ý": "", "Không đồng ý": "", "Ghi chú": ""})
    return pl.DataFrame(rows)




STATUS = {"on_list": N_("Listed"), "tie_included": N_("Listed (tied, beyond the quota)"),
          "tied_flag": N_("Tied: the council votes"), "tie_excluded": N_("Not listed (tied, the whole group left out)"),
          "beyond_quota": N_("Beyond the quota"), "not_eligible": N_("Not eligible")}  # translated where written
QUOTAS, BALLOT = N_("Quotas"), N_("Council's vote")  # the sheets' names


def write_xlsx(shown: Result | Decided, path: str) -> None:
    """The proposals as a council prints and signs them (thidua/output/sheets.py): a chart sheet,
    the quotas with their arithmetic, a sheet per award (statuses in words, every reason), and a
    ballot for every tie at a quota line, one award and cluster a page. With `ballot:` awards:
    the ballot papers (no votes yet) or the tally; once every final list is known, the final
    lists and the decision's annex (render_ballots.py)."""
    from thidua.output import sheets
    result, outcome = rb.split(shown)
    c = result.criteria
    units = unit_rows(result)
    sections = _award_sections(result)
    Col = sheets.Col
    with new_workbook(path) as wb:
        book = sheets.Book(wb, c, _("Award proposals"))
        everyone = result.units.select("id", "name", "group", "total", "awards").to_dicts()
        sheets.chart(book, everyone, {u["id"] for u in everyone if u["awards"]}, _("Total — {name}", name=c.name))
        quota_rows = [[award.code, award.name, group or _("All units"), f"{arithmetic(q)}.", q["quota"],
                       q["eligible"], q["listed"], q["flagged"]] for award, group, q, _mine in sections]
        first = book.sheet(_(QUOTAS), "HanMuc", [
            Col(_("Award code")), Col(_("Award"), "text", 28), Col(_("Cluster, block")),
            Col(_("How the quota is reckoned"), "long", 55), Col(_("Quota"), "int", 8), Col(_("Eligible"), "int", 9),
            Col(_("Listed"), "int", 7), Col(_("Tied, awaiting the vote"), "int", 11)], quota_rows,
            notes=document_notes(c) if c.awards else [_(NO_AWARDS)])
        first.activate()
        names = sheet_names([a.code for a in c.awards], (_(QUOTAS), _(BALLOT), _("Chart"), _("Chart data"),
                                                         *map(_, rb.SHEETS)))
        by_year = any(HISTORY in r for _a, _g, _q, mine in sections for r in mine)  # history conditions
        for i, (award, name) in enumerate(zip(c.awards, names, strict=True), start=1):
            rows: list[list[Any]] = []
            groups: list[str | None] = []
            for _award, group, _q, mine in (x for x in sections if x[0].code == award.code):
                for r in mine:
                    rows.append([r["rank"], r["id"], r["name"], group or "", r["total"],
                                 _(STATUS[r["status"]]) if r["status"] in STATUS else r["status"], sentence(c, award, r, units[r["id"]]),
                                 *([(r[HISTORY] or "").replace(" | ", "; ")] if by_year else [])])
                    groups.append(group)
            breaks = [n for n, g in enumerate(groups) if n and g != groups[n - 1]]
            book.sheet(name, f"DeNghi_{i}", [
                Col(_("Rank"), "int"), Col(_("Code")), Col(_("Unit"), "text", 20), Col(_("Cluster, block")),
                Col(_("Total"), "points"), Col(_("Status"), "text", 16), Col(_("Reason"), "long", 70),
                *([Col(_("By year"), "long", 40)] if by_year else [])], rows,
                heading=f"{award.code} — {award.name}", breaks=breaks, freeze=3)
        if outcome is not None:  # before the ballots for ties, which stay the last pages
            rb.sheets_for(book, result, outcome)
        ballot = ballots(result)
        if ballot.height:
            _ballot_sheet(book, ballot)


def _ballot_sheet(book: Any, ballot: pl.DataFrame) -> None:
    """"Phiếu biểu quyết": one block per award and cluster, each on its own page: the title, the
    instructions, the places to fill, a bordered table of the tied units with boxes to tick, the
    place and date and the signatures. Also a table (T_PhieuBieuQuyet) a program reads back."""
    from thidua.output import sheets

    ws = book.wb.add_worksheet(_(BALLOT))
    widths = [6, 10, 30, 12, 14, 14, 30]
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    ncols = len(widths)
    f = book.fmt
    head = f(bold=True, border=1, align="center", valign="vcenter", text_wrap=True, bg_color="#D9E1F2")
    cell = f(border=1, valign="vcenter", text_wrap=True)
    num = f(border=1, valign="vcenter", num_format=sheets.number_format(book.c.precision))
    box = f(border=1, align="center", valign="vcenter", font_size=14)
    at, breaks = 0, []
    for n, part in enumerate(ballot.partition_by(["Danh hiệu", "Cụm/khối"], maintain_order=True)):
        if n:
            breaks.append(at)
        first = part.row(0, named=True)
        if book.c.printed.council:
            sheets.write_across(ws, at, 0, ncols - 1, book.c.printed.council.upper(), f(bold=True, align="center"))
            at += 1
        where = f" — {first['Cụm/khối']}" if first["Cụm/khối"] else ""
        sheets.write_across(ws, at, 0, ncols - 1, _("COUNCIL'S VOTE"), f(bold=True, font_size=14, align="center"))
        sheets.write_across(ws, at + 1, 0, ncols - 1, sheets.safe(f"{first['Danh hiệu']}{where}\n{book.c.name}"),
                            f(bold=True, align="center", text_wrap=True))
        ws.set_row(at + 1, 36)
        left = int(first["Số vị trí cần chọn"])
        sheets.write_across(
            ws, at + 3, 0, ncols - 1,
            _("The units below are equal after every tie-break at the last place of the quota: {left} places "
              "for {count} units. Mark X in the “Yes” box for exactly {left} units and in the “No” box "
              "for each other unit; a ballot that chooses more units than there are places is void.",
              left=left, count=part.height),
            f(text_wrap=True, valign="top"))
        ws.set_row(at + 3, 48)
        at += 5
        ws.write_row(at, 0, [_("No."), _("Code"), _("Unit"), _("Total"), _("Yes"), _("No"), _("Note")], head)
        ws.set_row(at, 30)
        at += 1
        for k, r in enumerate(part.to_dicts(), start=1):
            ws.write_number(at, 0, k, f(border=1, align="center", valign="vcenter"))
            ws.write_string(at, 1, sheets.safe(r["Mã"]), cell)
            ws.write_string(at, 2, sheets.safe(r["Đơn vị"]), cell)
            ws.write_number(at, 3, r["Tổng điểm"], num)
            ws.write_blank(at, 4, None, box)
            ws.write_blank(at, 5, None, box)
            ws.write_blank(at, 6, None, cell)
            ws.set_row(at, 30)
            at += 1
        sheets.write_across(ws, at + 1, 0, ncols - 1, _("Units chosen: ……… / {left}", left=left), f(italic=True))
        at = book.signatures(ws, at + 3, ncols, [m.Signer(title=_("Member of the council, voting"))]) + 2
    ws.set_h_pagebreaks(breaks)
    ws.print_area(0, 0, at, ncols - 1)
    sheets.page(ws)
