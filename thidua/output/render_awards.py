"""Award shortlists and their reasons for people (Vietnamese) and for scripts (codes)."""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from thidua import model as m
from thidua.core.engine import Result
from thidua.core.reasons import REASON_COLUMNS, quotas, reasons
from thidua.output.render import (
    document,
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
    "knockout": "bị loại trừ ({knockouts})",
    "min_total": "tổng điểm {total} thấp hơn {min_total}",
    "classification": "xếp loại “{classification}” không thuộc: {labels}",
    "no_knockout": "vướng điều kiện loại trừ ({knockouts})",
    "max_rank": "hạng {rank} sau hạng {max_rank}",
    "when": "không thỏa điều kiện {when}",
    "exclusive": "đã được đề nghị {held}",
}


def _tie_keys(c: m.Criteria, row: dict[str, Any]) -> str:
    parts = [f"tổng điểm {vn_number(row['total'], c.precision)}"]
    for i, tb in enumerate(c.ranking.tie_break, start=1):
        value = row[f"__key{i}"]
        if tb.order == "asc" and value is not None:
            value = -value
        what = f"điểm tiêu chí {tb.criterion}" if tb.criterion else tb.indicator
        parts.append(f"{what} {vn_number(value, c.precision if tb.criterion else None)}")
    return ", ".join(parts)


def sentence(c: m.Criteria, award: m.Award, r: dict[str, Any], unit: dict[str, Any]) -> str:
    """One reason (a row of reasons.reasons) in the council's words; `unit` is the unit's row."""
    p = c.precision
    status = r["status"]
    if status == "on_list":
        return f"Có tên: hạng {r['rank']}, vị trí {r['place']} trong hạn mức {r['quota']}."
    if status in ("tied_flag", "tie_included", "tie_excluded"):
        others = [u for u in (r["tied_with"] or "").split(";") if u and u != r["id"]]
        left = r["quota"] - (r["place"] - 1)
        keys = _tie_keys(c, unit)
        head = {"tied_flag": "Đồng hạng tại vị trí cuối hạn mức",
                "tie_included": "Có tên do đồng hạng tại vị trí cuối hạn mức (vượt hạn mức)",
                "tie_excluded": "Không có tên: đồng hạng tại vị trí cuối hạn mức, cả nhóm bị loại"}[status]
        text = (f"{head} với {', '.join(others)}: bằng nhau về {keys}; còn {left} vị trí cho "
                f"{len(others) + 1} đơn vị")
        return text + (". Hội đồng biểu quyết." if status == "tied_flag" else ".")
    if status == "beyond_quota":
        head = f"Đủ điều kiện nhưng ngoài hạn mức: vị trí {r['place']}, hạn mức {r['quota']}; "
        if r["behind_last_in"] is None:  # nobody on the list (a quota of 0, or a whole tie left out)
            return head + "danh sách không có đơn vị nào."
        if r["behind_last_in"] == 0:
            return head + "bằng tổng điểm đơn vị cuối danh sách, xếp sau theo thứ tự phá hòa."
        return head + f"kém đơn vị cuối danh sách {vn_number(r['behind_last_in'], p)} điểm."
    e = award.eligible
    held = [a for a in (unit["awards"] or "").split(";") if a]
    values = {"knockouts": (r["knockouts"] or "").replace(";", ", "), "total": vn_number(r["total"], p),
              "min_total": vn_number(e.min_total, p), "classification": r["classification"] or "không xếp loại",
              "labels": ", ".join(e.classification or []), "rank": r["rank"], "max_rank": e.max_rank,
              "when": e.when, "held": ", ".join(held)}
    failed = []
    names = [n for n in (r["failed"] or "").split(";") if n]
    if "knockout" in names and "no_knockout" in names and "ineligible" not in names:
        names.remove("no_knockout")  # one knockout, said once
    for name in names:
        if name.startswith("award:"):
            failed.append(f"chưa có tên trong danh sách {name.removeprefix('award:')}")
        elif name:
            failed.append(_CONDITION[name].format(**values))
    return "Không đủ điều kiện: " + "; ".join(failed) + "."


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


def arithmetic(q: dict[str, Any]) -> str:
    if q["percent"] is None:
        text = f"{q['count']} đơn vị"
    else:
        of = {"units": "số đơn vị", "eligible": "số đơn vị đủ điều kiện"}.get(q["of"], q["of"])
        rounding = {"floor": "làm tròn xuống", "round": "làm tròn", "ceil": "làm tròn lên"}[q["rounding"]]
        text = (f"{vn_number(q['percent'], None)}% × {q['base']} ({of}) = {vn_number(q['raw'], None)}, "
                f"{rounding}")
        if q["min"]:
            text += f", tối thiểu {q['min']}"
        text += f" → {q['quota']}"
    text += f"; đủ điều kiện {q['eligible']}, có tên {q['listed']}"
    if q["flagged"]:
        text += f", đồng hạng chờ biểu quyết {q['flagged']}"
    if q["unfillable"]:
        text += f"; không đủ đơn vị để lấp hạn mức ({q['eligible']} đủ điều kiện / {q['quota']} vị trí)"
    return text


def unit_rows(result: Result) -> dict[str, dict[str, Any]]:
    """What the sentences read about each unit, by id."""
    keys = [k for k in result.units.columns if k.startswith("__key")]
    return {row["id"]: row for row in result.units.select("id", "total", "awards", *keys).to_dicts()}


NO_AWARDS = "Tệp tiêu chí không có danh hiệu khen thưởng nào."

# reasons() of a file without awards has no columns; the machine formats still write these
_REASON_SCHEMA = {"award": pl.String, "group": pl.String, "id": pl.String, "name": pl.String,
                  "rank": pl.Int64, "total": pl.Float64, "status": pl.String, "place": pl.Int64,
                  "quota": pl.Int64, "base": pl.Int64, "behind_last_in": pl.Float64,
                  "tied_with": pl.String, "failed": pl.String}


def _people_parts(result: Result) -> list[tuple[str, Any]]:
    """Per section: ("heading", text), ("text", the quota's arithmetic), ("table", (head, rows))."""
    c, units = result.criteria, unit_rows(result)
    parts: list[tuple[str, Any]] = [] if c.awards else [("text", NO_AWARDS)]
    for award, group, q, rows in _award_sections(result):
        where = f" — {group}" if group is not None else ""
        parts.append(("heading", f"{award.code} {award.name}{where}"))
        parts.append(("text", f"Hạn mức: {arithmetic(q)}."))
        body = [[r["rank"], r["id"], r["name"], vn_number(r["total"], c.precision),
                 sentence(c, award, r, units[r["id"]])] for r in rows]
        parts.append(("table", (["Hạng", "Mã", "Đơn vị", "Tổng điểm", "Lý do"], body)))
    return parts


def to_table(result: Result) -> str:
    c = result.criteria
    parts = [plain(f"{c.name} (phiên bản {c.version}) — danh sách đề nghị khen thưởng")]
    for kind, text in _people_parts(result):
        parts.append(text_table(*text) if kind == "table" else
                     f"\n{plain(text)}" if kind == "heading" else plain(text))
    parts += ["", *map(plain, policy_lines(c))]
    return document("\n".join(parts) + "\n")


def to_markdown(result: Result) -> str:
    c = result.criteria
    parts = [f"# {md(c.name)}: danh sách đề nghị khen thưởng", "", f"Phiên bản {md(c.version)}."]
    for kind, text in _people_parts(result):
        parts.append(md_table(*text) if kind == "table" else
                     f"\n## {md(text)}\n" if kind == "heading" else md(text))
    parts += ["", "## Chính sách", "", *[f"- {md(x)}" for x in policy_lines(c)]]
    return document("\n".join(parts) + "\n")


def to_html(result: Result) -> str:
    c = result.criteria
    parts = html_head(f"{c.name}: danh sách đề nghị khen thưởng")
    for kind, text in _people_parts(result):
        parts.append(html_table(*text) if kind == "table" else
                     f"<h2>{esc(text)}</h2>" if kind == "heading" else f"<p>{esc(text)}</p>")
    parts += ["<ul>", *[f"<li>{esc(x)}</li>" for x in policy_lines(c)], "</ul>", "</body>", "</html>"]
    return document("\n".join(parts) + "\n")


def reason_table(result: Result) -> pl.DataFrame:
    """What csv, parquet and each award's xlsx sheet hold: REASON_COLUMNS, in reasons' order."""
    frame = reasons(result)
    if not result.criteria.awards:
        return pl.DataFrame(schema={k: _REASON_SCHEMA[k] for k in REASON_COLUMNS})
    return no_negative_zero(frame.select(REASON_COLUMNS)) if frame.width else frame


def to_csv(result: Result) -> str:
    frame = reason_table(result)
    if frame.is_empty() and result.criteria.awards:
        return ""
    return neutralised(frame).write_csv()


def write_parquet(result: Result, path: str) -> None:
    empty_as_null(reason_table(result)).write_parquet(path, compression="lz4")


def to_json(result: Result, meta: dict[str, Any]) -> str:
    c = result.criteria
    out = []
    for award, group, q, rows in _award_sections(result):
        out.append({
            "code": award.code, "name": award.name, "group": group, "quota": q["quota"],
            "arithmetic": {k: q[k] for k in ("of", "base", "count", "percent", "raw", "rounding", "min")},
            "eligible": q["eligible"], "unfillable": q["unfillable"],
            "on_tie_at_quota": award.on_tie_at_quota,
            "units": [r["id"] for r in rows if r["status"] in ("on_list", "tie_included")],
            "flagged": [r["id"] for r in rows if r["status"] == "tied_flag"],
            "reasons": [{k: r[k] for k in ("id", "rank", "total", "status", "place", "behind_last_in")}
                        | {"tied_with": [u for u in (r["tied_with"] or "").split(";") if u],
                           "failed": [f for f in (r["failed"] or "").split(";") if f]} for r in rows],
        })
    document = {"criteria": {"id": c.id, "version": c.version, **meta.get("criteria", {})},
                "data": meta.get("data", {}), "awards": out}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def ballots(result: Result) -> pl.DataFrame:
    """The council's ballot for every tie at a quota line: the tied units, the places to fill,
    blank vote columns."""
    rows = []
    for award, group, _q, units in _award_sections(result):
        tied = [r for r in units if r["status"] == "tied_flag"]
        if not tied:
            continue
        left = tied[0]["quota"] - (tied[0]["place"] - 1)
        for r in tied:
            rows.append({"Danh hiệu": f"{award.code} {award.name}", "Cụm/khối": group or "",
                         "Số vị trí cần chọn": left, "Mã": r["id"], "Đơn vị": r["name"],
                         "Tổng điểm": r["total"], "Đồng ý": "", "Không đồng ý": "", "Ghi chú": ""})
    return pl.DataFrame(rows)


def write_xlsx(result: Result, path: str) -> None:
    c = result.criteria
    why = reasons(result)
    units = unit_rows(result)
    with new_workbook(path) as wb:
        neutralised(quotas(result)).write_excel(wb, worksheet="Hạn mức", autofit=True)
        sheets = sheet_names([a.code for a in c.awards], ("Hạn mức", "Phiếu biểu quyết"))
        for award, name in zip(c.awards, sheets, strict=True):
            mine = why.filter(pl.col("award") == award.code)
            sentences = [sentence(c, award, r, units[r["id"]]) for r in mine.to_dicts()]
            sheet = mine.select(REASON_COLUMNS).with_columns(pl.Series("Lý do", sentences, dtype=pl.String))
            neutralised(sheet).write_excel(wb, worksheet=name, autofit=True)
        ballot = ballots(result)
        if ballot.height:
            neutralised(ballot).write_excel(wb, worksheet="Phiếu biểu quyết", autofit=True)
