"""The council's vote and the amounts in the outputs of `thidua awards` (docs/criteria-format.md, "Ballots and money"):
the ballot papers to fill, the tally (biên bản kiểm phiếu), the final lists with each unit's
amount and the award's total, and the list annexed to the decision (Danh sách kèm theo Quyết
định). render_awards.py calls these for a `Decided` result; a file without `ballot` or `money`
is written as before.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from thidua import model as m
from thidua.core.ballots import Decided, Outcome
from thidua.core.engine import Result
from thidua.i18n import N_, _, thousands
from thidua.output.render import vn_number

# the results of a vote in the reader's language, for the documents and the workbook's tally
RESULT_WORDS = {"final": N_("Elected (on the final list)"),
                "chair": N_("Equal votes at the last place: the council's chair decides"),
                "over_quota": N_("Reached the share but beyond the quota"), "failed": N_("Did not reach the share of votes")}


def split(shown: Result | Decided) -> tuple[Result, Outcome | None]:
    """The scored result and, for a file with a ballot or money, the outcome of the vote."""
    if isinstance(shown, Decided):
        return shown.result, shown.outcome
    return shown, None


def dong(n: int | None) -> str:
    """2340000 → '2.340.000 đ'."""
    return "—" if n is None else _("{amount} VND", amount=thousands(n))


def coefficient(k: float) -> str:
    """A coefficient as NĐ 152 writes it: 1,0; 0,3; 4,5."""
    return vn_number(k, 1 if float(k).is_integer() else None)


def threshold(r: dict[str, Any]) -> str:
    """'cần ít nhất 8/9 phiếu đồng ý (80% số thành viên Hội đồng)'."""
    return _("needs at least {need}/{members} yes votes ({share}% of the council's members)", need=r["need"],
             members=r["members"], share=vn_number(r["min_share"], None))


def money_line(c: m.Criteria, award: m.Award, r: dict[str, Any]) -> str | None:
    """The amount's arithmetic and the total of the final list, or None without an amount."""
    if r["amount"] is None or c.money is None or award.coefficient is None:
        return None
    k = award.coefficient
    text = _("Amount: {k} × {base} (the base salary), rounded up to a multiple of {step} → {amount} per unit",
             k=coefficient(k), base=dong(int(c.money.base)), step=dong(int(c.money.round_up_to)),
             amount=dong(r["amount"]))
    if r["final"] is None:
        return text + _("; the total is worked out once the vote is in.")
    return text + _("; {count} units: total {total}.", count=len(r["final"]), total=dong(r["total_amount"]))


def final_line(r: dict[str, Any]) -> str | None:
    if r["voted"] is None:  # not voted on: the list is final
        return None
    if r["final"] is None:
        return None
    text = _("Final list: {units}", units=", ".join(r["final"]) or _("no unit"))
    if r["chair"]:
        text += _("; the council's chair decides between: {units}", units=", ".join(r["chair"]))
    return text + "."


def section_parts(c: m.Criteria, award: m.Award, group: str | None, outcome: Outcome
                  ) -> list[tuple[str, Any]]:
    """What follows an award's reasons for people: the ballot paper (no votes yet) or the tally,
    the final list, and the money."""
    r = outcome.of(award.code, group)
    parts: list[tuple[str, Any]] = []
    if award.ballot is not None:
        tally = outcome.tally(award.code, group)
        if r["final"] is None:
            parts.append(("text", _("Ballot: {count} candidates, quota {quota}; {threshold}.", count=len(tally),
                                    quota=r["quota"], threshold=threshold(r))))
            parts.append(("table", ([_("No."), _("Code"), _("Unit"), _("Rank"), _("Yes"), _("No")],
                                    [[t["order"], t["id"], t["name"], t["rank"], "", ""] for t in tally])))
        else:
            parts.append(("text", _("Tally: {members} members of the council; {threshold}.", members=r["members"],
                                    threshold=threshold(r))))
            parts.append(("table", ([_("No."), _("Code"), _("Unit"), _("Rank"), _("Yes"), _("Share"), _("Result")],
                                    [[t["order"], t["id"], t["name"], t["rank"], f"{t['yes']}/{r['members']}",
                                      f"{vn_number(t['share'], 2)}%", _(RESULT_WORDS[t["result"]])]
                                     for t in tally])))
    for line in (final_line(r), money_line(c, award, r)):
        if line:
            parts.append(("text", line))
    return parts


# --- machine formats ---------------------------------------------------------------------------


def json_list(award: m.Award, group: str | None, outcome: Outcome, units: list[str]) -> dict[str, Any]:
    """What an `awards[]` entry of the JSON gains: final, chair, the ballot and the amounts."""
    r = outcome.of(award.code, group)
    out: dict[str, Any] = {"final": r["final"] if award.ballot is not None else units,
                           "chair": r["chair"] if award.ballot is not None else []}
    if award.ballot is not None:
        out["ballot"] = {"members": r["members"], "min_share": award.ballot.min_share, "need": r["need"],
                         "voted": r["voted"]}
    out["amount"] = r["amount"]
    out["total_amount"] = (r["amount"] * len(out["final"]) if r["amount"] is not None
                           and out["final"] is not None else None)
    return out


def json_reason(award: m.Award, outcome: Outcome, group: str | None) -> dict[str, dict[str, Any]]:
    """Per candidate id: yes, share (a percentage) and passed (none without votes)."""
    if award.ballot is None or not outcome.voted:
        return {}
    return {t["id"]: {"yes": t["yes"], "share": t["share"], "passed": t["passed"]}
            for t in outcome.tally(award.code, group)}


VOTE_COLUMNS = ("yes", "share", "passed", "result", "final", "amount")


def with_votes(frame: pl.DataFrame, result: Result, outcome: Outcome) -> pl.DataFrame:
    """The reasons table with, per award and unit, the vote (yes, share, passed, result), whether
    it is on the final list and its amount there."""
    c = result.criteria
    finals = outcome.lists.select("award", "group", "final", "amount").explode("final") \
        .rename({"final": "id"}).drop_nulls("id").with_columns(pl.lit(True).alias("final"))
    votes = outcome.candidates.select("award", "id", "yes", "share", "passed", "result")
    out = (frame.join(votes, on=["award", "id"], how="left", maintain_order="left")
           .join(finals.drop("group"), on=["award", "id"], how="left", maintain_order="left"))
    voted = [a.code for a in c.awards if a.ballot is None or outcome.voted]
    return out.with_columns(
        pl.when(pl.col("award").is_in(voted)).then(pl.col("final").fill_null(False)).alias("final"))


# --- the workbook ------------------------------------------------------------------------------


def _named(result: Result, outcome: Outcome) -> dict[str, tuple[str, str | None]]:
    """The name and cluster of each unit the outcome names (a candidate, or on a final list or
    left to the chairman): the few a council votes on, picked from the unit table by one filter
    rather than read for every unit."""
    lists = outcome.lists
    ids = pl.concat([outcome.candidates.get_column("id").cast(pl.String),
                     *(lists.get_column(k).explode().cast(pl.String) for k in ("final", "chair"))])
    picked = result.units.filter(pl.col("id").is_in(ids.drop_nulls().unique()))
    return {u: (name, group) for u, name, group in picked.select("id", "name", "group").iter_rows()}


def tally_rows(result: Result, outcome: Outcome) -> list[list[Any]]:
    c = result.criteria
    named = _named(result, outcome)
    rows: list[list[Any]] = []
    for award in c.awards:
        if award.ballot is None:
            continue
        for r in outcome.lists.filter(pl.col("award") == award.code).to_dicts():
            for t in outcome.tally(award.code, r["group"]):
                rows.append([f"{award.code} {award.name}", named[t["id"]][1] or "", t["order"], t["id"], t["name"],
                             t["rank"], r["members"], r["need"], t["yes"], t["share"],
                             _("Yes, reached") if t["passed"] else _("Not reached"), _(RESULT_WORDS[t["result"]])])
    return rows


def tally_sheet(book: Any, result: Result, outcome: Outcome) -> None:
    """"Biên bản kiểm phiếu": every candidate's votes, share, passed and result, one table a
    program reads back (T_KiemPhieu), the threshold of each award in the notes, the signers."""
    from thidua.output import sheets

    Col = sheets.Col
    c = result.criteria
    notes = []
    for award in c.awards:
        for r in outcome.lists.filter(pl.col("award") == award.code).to_dicts():
            where = f" — {r['group']}" if r["group"] else ""
            if award.ballot is not None:
                line = final_line(r) or ""
                notes.append(_("{code}{where}: quota {quota}; {threshold}. {line}", code=award.code, where=where,
                                 quota=r["quota"], threshold=threshold(r), line=line))
    notes.append(_("The share is rounded to 2 decimals for reading; whether it is reached is decided on "
                   "the votes (yes votes ≥ votes needed)."))
    own = sheets.Book(book.wb, c, _(TALLY))
    own.tables = book.tables
    own.sheet(_(TALLY), "KiemPhieu", [
        Col(_("Award"), "text", 24), Col(_("Cluster, block")), Col(_("No."), "int", 5), Col(_("Code")),
        Col(_("Unit"), "text", 22), Col(_("Rank"), "int", 6), Col(_("Council members"), "int", 9),
        Col(_("Votes needed"), "int", 8), Col(_("Yes"), "int", 8), Col(_("Share (%)"), "number", 9, 2),
        Col(_("Share reached"), "text", 8), Col(_("Result"), "text", 26)], tally_rows(result, outcome),
        notes=notes)


def papers_sheet(book: Any, result: Result, outcome: Outcome) -> None:
    """"Phiếu bầu": one ballot paper per award and cluster, each on its page: the candidates,
    the places and the threshold in votes, boxes to tick, the signer's line."""
    from thidua.output import sheets

    c = result.criteria
    ws = book.wb.add_worksheet(_(PAPERS))
    widths = [6, 10, 32, 8, 14, 14]
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    ncols = len(widths)
    f = book.fmt
    head = f(bold=True, border=1, align="center", valign="vcenter", text_wrap=True, bg_color="#D9E1F2")
    cell = f(border=1, valign="vcenter", text_wrap=True)
    centre = f(border=1, align="center", valign="vcenter")
    box = f(border=1, align="center", valign="vcenter", font_size=14)
    at, breaks = 0, []
    for award in c.awards:
        if award.ballot is None:
            continue
        for r in outcome.lists.filter(pl.col("award") == award.code).to_dicts():
            if at:
                breaks.append(at)
            if c.printed.council:
                sheets.write_across(ws, at, 0, ncols - 1, c.printed.council.upper(), f(bold=True, align="center"))
                at += 1
            where = f" — {r['group']}" if r["group"] else ""
            sheets.write_across(ws, at, 0, ncols - 1, _("BALLOT PAPER"), f(bold=True, font_size=14, align="center"))
            sheets.write_across(ws, at + 1, 0, ncols - 1, sheets.safe(f"{award.code} {award.name}{where}\n{c.name}"),
                                f(bold=True, align="center", text_wrap=True))
            ws.set_row(at + 1, 36)
            tally = outcome.tally(award.code, r["group"])
            sheets.write_across(
                ws, at + 3, 0, ncols - 1,
                _("Mark X in the “Yes” or the “No” box for each candidate (a quota of {quota} units, "
                  "{count} candidates); each candidate {threshold}.", quota=r["quota"], count=len(tally),
                  threshold=threshold(r)), f(text_wrap=True, valign="top"))
            ws.set_row(at + 3, 48)
            at += 5
            ws.write_row(at, 0, [_("No."), _("Code"), _("Unit"), _("Rank"), _("Yes"), _("No")], head)
            ws.set_row(at, 30)
            at += 1
            for t in tally:
                ws.write_number(at, 0, t["order"], centre)
                ws.write_string(at, 1, sheets.safe(t["id"]), cell)
                ws.write_string(at, 2, sheets.safe(t["name"]), cell)
                ws.write_number(at, 3, t["rank"], centre)
                ws.write_blank(at, 4, None, box)
                ws.write_blank(at, 5, None, box)
                ws.set_row(at, 30)
                at += 1
            at = book.signatures(ws, at + 2, ncols, [m.Signer(title=_("Member of the council"))]) + 2
    ws.set_h_pagebreaks(breaks)
    ws.print_area(0, 0, max(at, 1), ncols - 1)
    sheets.page(ws)


def decision_rows(result: Result, outcome: Outcome) -> list[list[Any]]:
    """Every unit on a final list: award, cluster, number, id, name, amount."""
    c = result.criteria
    names = _named(result, outcome)
    rows: list[list[Any]] = []
    for award in c.awards:
        for r in outcome.lists.filter(pl.col("award") == award.code).to_dicts():
            for n, uid in enumerate(r["final"] or [], start=1):
                rows.append([f"{award.code} {award.name}", names[uid][1] or "", n, uid, names[uid][0],
                             r["amount"]])
    return rows


def decision_sheet(book: Any, result: Result, outcome: Outcome) -> None:
    """"Quyết định": the final lists as the annex to the decision — the state's heading, "DANH
    SÁCH … (Kèm theo Quyết định số …/QĐ-UBND ngày … của …)", per award a bordered table of the
    units (number, name, cluster, amount) with its total, then the signers (the same rows, as
    a table a program reads back, are on "Danh sách cuối cùng": final_sheet)."""
    from thidua.output import sheets

    c = result.criteria
    ws = book.wb.add_worksheet(_(DECISION))
    widths = [6, 10, 28, 20, 22]
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    ncols = len(widths)
    f = book.fmt
    head = f(bold=True, border=1, align="center", valign="vcenter", text_wrap=True)
    cell = f(border=1, valign="vcenter", text_wrap=True)
    centre = f(border=1, align="center", valign="vcenter")
    money = f(border=1, valign="vcenter", num_format="#,##0")
    bold_money = f(border=1, bold=True, valign="vcenter", num_format="#,##0")
    bold = f(border=1, bold=True, valign="vcenter")
    heading = f(border=1, bold=True, valign="vcenter", text_wrap=True)
    top_left = (c.printed.council or _("PEOPLE'S COMMITTEE")).upper()
    sheets.write_across(ws, 0, 0, 2, top_left, f(bold=True, align="center", valign="top", text_wrap=True))
    sheets.write_across(ws, 0, 3, ncols - 1, _("SOCIALIST REPUBLIC OF VIETNAM\nIndependence - Freedom - Happiness"),
                        f(bold=True, align="center", text_wrap=True))
    ws.set_row(0, 48)
    sheets.write_across(ws, 2, 0, ncols - 1, _("LIST OF AWARDS"), f(bold=True, font_size=14, align="center"))
    sheets.write_across(ws, 3, 0, ncols - 1, sheets.safe(c.name), f(bold=True, align="center", text_wrap=True))
    ws.set_row(3, 34)
    sheets.write_across(ws, 4, 0, ncols - 1, _("(Annexed to Decision No. …/QĐ-UBND of day …… month …… year …… "
                                               "of the Chair of the People's Committee of ……)"), f(italic=True, align="center", text_wrap=True))
    ws.set_row(4, 32)
    at = 6
    ws.write_row(at, 0, [_("No."), _("Code"), _("Name of the unit"), _("Cluster, block"), _("Amount (VND)")], head)
    ws.set_row(at, 30)
    first = at
    at += 1
    grand = 0
    names = _named(result, outcome)
    for award in c.awards:
        for r in outcome.lists.filter(pl.col("award") == award.code).to_dicts():
            where = f" — {r['group']}" if r["group"] else ""
            each = (_(" (coefficient {k}, {amount} per unit)", k=coefficient(award.coefficient),
                      amount=dong(r["amount"]))
                    if r["amount"] is not None and award.coefficient is not None else "")
            title = sheets.safe(f"{award.name}{where}") + each
            sheets.write_across(ws, at, 0, ncols - 1, title, heading)
            ws.set_row(at, sheets.LINE * sheets._lines([title], [sum(widths)]) + 3)
            at += 1
            for n, uid in enumerate(r["final"] or [], start=1):
                ws.write_number(at, 0, n, centre)
                ws.write_string(at, 1, sheets.safe(uid), cell)
                ws.write_string(at, 2, sheets.safe(names[uid][0]), cell)
                ws.write_string(at, 3, sheets.safe(names[uid][1] or ""), cell)
                if r["amount"] is not None:
                    ws.write_number(at, 4, r["amount"], money)
                else:
                    ws.write_blank(at, 4, None, cell)
                # as tall as the longest id, name or cluster wraps to (a client does not grow a
                # row whose height the file does not give)
                ws.set_row(at, sheets.LINE * sheets._lines([uid, names[uid][0], names[uid][1] or ""],
                                                           [float(w) for w in widths[1:4]]) + 3)
                at += 1
            if r["chair"]:
                sheets.write_across(ws, at, 0, ncols - 1, _("The council's chair decides between: ")
                                    + sheets.safe(", ".join(r["chair"])), f(border=1, italic=True))
                at += 1
            count = len(r["final"] or [])
            sheets.write_across(ws, at, 0, 3, _("Sum: {count} units", count=count), bold)
            if r["total_amount"] is not None:
                ws.write_number(at, 4, r["total_amount"], bold_money)
                grand += r["total_amount"]
            else:
                ws.write_blank(at, 4, None, bold)
            at += 1
    if c.money is not None:
        sheets.write_across(ws, at, 0, 3, _("Grand total"), bold)
        ws.write_number(at, 4, grand, bold_money)
        at += 1
    ws.repeat_rows(first)
    at = book.signatures(ws, at + 2, ncols)
    ws.print_area(0, 0, at, ncols - 1)
    sheets.page(ws)


def final_sheet(book: Any, result: Result, outcome: Outcome) -> None:
    """"Danh sách cuối cùng": every unit on a final list with its amount, one table a program
    reads back (T_DanhSachCuoiCung), each award's total in the notes."""
    from thidua.output import sheets

    Col = sheets.Col
    c = result.criteria
    notes = []
    for award in c.awards:
        for r in outcome.lists.filter(pl.col("award") == award.code).to_dicts():
            where = f" — {r['group']}" if r["group"] else ""
            total = _("; in all {amount}", amount=dong(r["total_amount"])) if r["total_amount"] is not None else ""
            notes.append(_("{code}{where}: {count} units{total}.", code=award.code, where=where,
                           count=len(r["final"] or []), total=total))
    own = sheets.Book(book.wb, c, _("Final lists after the vote"))
    own.tables = book.tables
    own.sheet(_(FINAL), "DanhSachCuoiCung", [
        Col(_("Award"), "text", 28), Col(_("Cluster, block")), Col(_("No."), "int", 5), Col(_("Code")),
        Col(_("Unit"), "text", 26), Col(_("Amount (VND)"), "int", 14)], decision_rows(result, outcome),
        notes=notes)


TALLY, PAPERS, FINAL, DECISION = N_("Tally"), N_("Ballot papers"), N_("Final lists"), N_("Decision")
SHEETS = (TALLY, PAPERS, FINAL, DECISION)  # the sheets' names, translated where written


def sheets_for(book: Any, result: Result, outcome: Outcome) -> None:
    """The sheets a ballot or money adds: the ballot papers while an award's vote is to come, the
    tally once voted; the final lists and the decision's annex once every list is final."""
    c = result.criteria
    voted = [a for a in c.awards if a.ballot is not None]
    if voted and not outcome.voted:
        papers_sheet(book, result, outcome)
    if voted and outcome.voted:
        tally_sheet(book, result, outcome)
    if not voted or outcome.voted:
        final_sheet(book, result, outcome)
        decision_sheet(book, result, outcome)
