"""One unit's explanation in the council's words (table, markdown) or as data (json)."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from thidua import model as m
from thidua.core import expr
from thidua.core.explain import Comparison, Explanation, NodeTrace
from thidua.core.rounding import SNAP, round_value
from thidua.i18n import _
from thidua.output.render import (
    document,
    esc,
    html_head,
    html_table,
    md,
    md_table,
    plain,
    text_table,
    vn_number,
)
from thidua.output.render_awards import sentence


def _n(x: float | None) -> str:
    return vn_number(x, None)


def _target(t: m.Target) -> str:
    return f"chỉ tiêu giao ({t.indicator})" if isinstance(t, m.IndicatorRef) else f"chỉ tiêu {_n(t)}"


def describe(rule: m.Rule, top: float, part: str = "main") -> str:
    """A rule as a council writes it: "đạt 100%: 10 điểm; mỗi 1% thiếu trừ 0,5 điểm"."""
    t = _n(top)
    if isinstance(rule, m.Formula):
        return f"giá trị = {expr.render(expr.check(rule.expr, 'number'))}; rồi {describe(rule.then, top, part)}"
    if isinstance(rule, m.Boolean):
        return f"{'không có' if rule.invert else 'có'}: {t} điểm; ngược lại 0"
    if isinstance(rule, m.Linear):
        scale = " (thang logarit)" if rule.transform == "log" else ""
        return f"{_n(rule.zero_at)} → 0 điểm, {_n(rule.full_at)} → {t} điểm, tỷ lệ ở giữa{scale}"
    if isinstance(rule, m.Ratio):
        return f"{t} × giá trị / {_target(rule.target)}, tối đa {t}"
    if isinstance(rule, m.Shortfall):
        # a target of 100 is a percentage; any other (a number, or each unit's own target) is
        # counted in the indicator's units: "mỗi 1 đơn vị thiếu", never a bare "mỗi 1 thiếu"
        per = "%" if rule.target == 100 else " đơn vị"
        side = "thiếu" if rule.direction == "higher" else "vượt"
        goal = (f"đạt {_n(rule.target)}{'%' if rule.target == 100 else ''}"
                if not isinstance(rule.target, m.IndicatorRef) else f"đạt {_target(rule.target)}")
        return f"{goal}: {t} điểm; mỗi 1{per} {side} trừ {_n(rule.per_unit)} điểm"
    if isinstance(rule, m.Bands):
        parts = []
        for b in rule.bands:
            cond = " và ".join(x for x in (f"≥ {_n(b.min)}" if b.min is not None else "",
                                           f"≤ {_n(b.max)}" if b.max is not None else "") if x)
            parts.append(f"{cond}: {_n(b.points)}")
        return "; ".join(parts) + "; còn lại 0"
    if isinstance(rule, m.PerCount):
        if part == "main":
            return f"{t} điểm, mỗi lần trừ {_n(rule.each)} điểm"
        return f"mỗi lần {_n(rule.each)} điểm, tối đa {t}"
    where = "trong cụm" if getattr(rule, "scope", "all") == "group" else "toàn bộ"
    if isinstance(rule, m.Relative):
        if rule.direction == "higher":
            return f"{t} × giá trị / giá trị cao nhất {where}"
        return f"{t} × giá trị thấp nhất {where} / giá trị"
    if isinstance(rule, m.MinMax):
        way = "cao nhất được đủ điểm" if rule.direction == "higher" else "thấp nhất được đủ điểm"
        return f"theo khoảng từ thấp nhất đến cao nhất {where}, {way}"
    if isinstance(rule, m.TargetLeader):
        base = _n(rule.base_share * top)
        return (f"đến {_target(rule.target)}: {base} × giá trị / chỉ tiêu; vượt: thêm phần còn lại theo tỷ lệ "
                f"vượt so với đơn vị dẫn đầu {where}; dẫn đầu được {t}")
    if isinstance(rule, m.NORMALISATIONS):
        return _normalisation(rule, t, where)
    assert isinstance(rule, m.Manual)
    return "điểm có sẵn trong số liệu (đã chấm)"


def _normalisation(rule: m.Rule, t: str, where: str) -> str:
    """COINr's normalisations (docs/criteria-format.md, "Normalisations") in the council's words."""
    lower = getattr(rule, "direction", "higher") == "lower"
    rank = f"hạng {where} (1 là {'cao' if lower else 'thấp'} nhất, đồng giá trị cùng hạng thấp hơn)"
    if isinstance(rule, m.ZScore):
        k = _n(rule.clip)
        z = "(trung bình − giá trị)" if lower else "(giá trị − trung bình)"
        return (f"z = {z} / độ lệch chuẩn {where}, giới hạn ±{k}; điểm = {t} × (z + {k}) / (2 × {k})")
    if isinstance(rule, m.RankRule):
        return f"{t} × hạng / số đơn vị có số liệu; {rank}"
    if isinstance(rule, m.PercentileRank):
        return f"{t} × (hạng − 1) / (số đơn vị có số liệu − 1); {rank}"
    if isinstance(rule, m.Borda):
        each = _n(rule.each) if rule.each is not None else f"{t} / (số đơn vị có số liệu − 1)"
        return f"mỗi đơn vị xếp dưới {each} điểm (hạng − 1), tối đa {t}; {rank}"
    if isinstance(rule, m.DistanceToTarget):
        if lower:
            return (f"đạt chỉ tiêu {_n(rule.target)} (không quá): {t} điểm; chưa đạt: {t} × (cao nhất − giá trị) / "
                    f"(cao nhất − chỉ tiêu), cao nhất {where}")
        return (f"đạt chỉ tiêu {_n(rule.target)}: {t} điểm; chưa đạt: {t} × (giá trị − thấp nhất) / "
                f"(chỉ tiêu − thấp nhất), thấp nhất {where}")
    if isinstance(rule, m.DistanceToBest):
        gap = "(giá trị − thấp nhất)" if lower else "(cao nhất − giá trị)"
        return f"{t} × (1 − {gap} / (cao nhất − thấp nhất)) {where}; mọi đơn vị bằng nhau: {t}"
    assert isinstance(rule, m.FractionOfMax)
    if lower:
        return f"{t} × giá trị thấp nhất {where} / giá trị"
    return f"{t} × giá trị / giá trị cao nhất {where}"


_WORK = {"z": "z", "rank": "hạng", "n": "số đơn vị", "min": "thấp nhất", "max": "cao nhất"}


def _value(v: Any) -> str:
    if v is None:
        return "(trống)"
    if isinstance(v, bool):
        return "có" if v else "không"
    return _n(v) if isinstance(v, float) else str(v)


_POLICY = {"zero": "thiếu số liệu → 0 điểm", "full": "thiếu số liệu → đủ điểm (không phát sinh)",
           "exclude": "không áp dụng (không giao chỉ tiêu)", "error": "thiếu số liệu"}


def _rows(t: NodeTrace, depth: int, part: str, p: int | None, full: bool = False) -> list[list[str]]:
    """A criterion's row and its children's; its name cut at 48 characters for a terminal
    (`full`: whole, for Markdown and HTML)."""
    node = t.node
    name = node.name if full or len(node.name) <= 48 else node.name[:47] + "…"
    label = "· " * depth + f"{node.code}  {name}"  # tabulate strips leading spaces
    if node.rule is None:
        how = {"sum": "cộng các tiêu chí con", "weighted_mean": "trung bình có trọng số",
               "geometric_mean": "trung bình nhân có trọng số"}[node.how]
        rows = [[label, "", how, "", vn_number(t.points, p), _n(node.max_points)]]
        for child in t.children:
            rows += _rows(child, depth + 1, part, p, full)
        return rows
    data = ", ".join(f"{col} = {_value(v)}" for col, v in t.values)
    if t.origins:  # review stages: the stage each value came from
        from thidua.core.stages import label as stage

        data = ", ".join(f"{col} = {_value(v)} ({stage(o)})" if o else f"{col} = {_value(v)}"
                         for (col, v), o in zip(t.values, t.origins, strict=True))
    how = describe(node.rule, node.max_points, part)
    if t.working and not t.missing:
        how += " [" + ", ".join(f"{_WORK[what]} = {_value(v)}" for what, v in t.working) + "]"
    if t.missing:
        how += f" [{_POLICY[t.policy]}]"
    return [[label, data, how, _n(t.raw) if t.raw is not None else "—", vn_number(t.points, p),
             _n(node.max_points)]]


def _frame(changes: tuple[dict[str, Any], ...]) -> Any:
    import polars as pl

    from thidua.core.treatment import empty_changes

    return pl.DataFrame(list(changes), schema=empty_changes().schema)


def _lines(e: Explanation, table, full: bool = False) -> list[str]:
    c, u, p = e.criteria, e.unit, e.criteria.precision
    node_p = p if c.round_at == "leaves" else None  # under round_at: total, points keep their decimals
    where = f" — {u['group']}" if u["group"] is not None else ""
    out = [f"{u['name']} ({u['id']}){where}; dòng {u['row']} của tệp số liệu",
           f"{c.name} (phiên bản {c.version})", ""]
    head = ["Tiêu chí", "Số liệu", "Cách tính", "Điểm tính", "Điểm", "Tối đa"]
    rows: list[list[str]] = []
    for t in e.main:
        rows += _rows(t, 0, "main", node_p, full)
    out.append(table(head, rows))
    if e.treated:
        from thidua.output import render_treatment

        out.append("")
        out.append(render_treatment.heading(c, _frame(e.treated)))
        out.append(table(render_treatment.head(), render_treatment.rows(c, _frame(e.treated))))
    out.append("")
    out.append(f"Điểm các tiêu chí chính: {vn_number(u['earned'], node_p)} / {_n(u['attainable'])}")
    if c.round_at == "total" and p is not None:
        out.append(f"Làm tròn: chỉ ở tổng điểm ({p} chữ số thập phân); điểm từng tiêu chí ở trên chưa làm tròn (hiện 3 chữ số lẻ).")
    if u["attainable"] != c.total:
        out.append(f"Quy đổi về thang {_n(c.total)}: {vn_number(u['earned'], p)} × {_n(c.total)} / "
                   f"{_n(u['attainable'])} (tiêu chí không áp dụng được loại khỏi điểm tối đa)")
    for part, traces, total, cap in (("Điểm thưởng", e.bonus, e.bonus_sum, c.bonus),
                                     ("Điểm trừ", e.penalty, e.penalty_sum, c.penalty)):
        if cap is None:
            continue
        out.append("")
        sub: list[list[str]] = []
        for t in traces:
            sub += _rows(t, 0, "bonus" if part == "Điểm thưởng" else "penalty", node_p, full)
        out.append(table(head, sub))
        applied = u["bonus"] if part == "Điểm thưởng" else u["penalty"]
        capped = f" → giới hạn {_n(cap.max_points)}" if total > cap.max_points else ""
        out.append(f"{part}: {vn_number(total, p)}{capped}; tính {vn_number(applied, p)}")
    out.append("")
    sign = "+" if c.bonus else ""
    out.append(f"Tổng điểm: {vn_number(u['total'], p)}" + (
        f" (= chính + thưởng − trừ{', không âm' if sign else ''})" if c.bonus or c.penalty else ""))
    if c.classification:
        cls = u["classification"] or "không xếp loại"
        text = f"Xếp loại: {cls}"
        if e.band != u["classification"]:
            caps = [k.knockout.code for k in e.knockouts if k.hit and isinstance(k.knockout.effect, m.Cap)]
            text += f" (theo điểm: {e.band}; bị giới hạn bởi {', '.join(caps)})"
        out.append(text)
    for k in e.knockouts:
        values = ", ".join(f"{n} = {_value(v)}" for n, v in k.values)
        outcome = k.knockout.effect
        effect = f"xếp loại tối đa “{outcome.cap}”" if isinstance(outcome, m.Cap) else \
            "không được khen thưởng"
        state = f"CÓ — {effect}" if k.hit else "không"
        out.append(f"Loại trừ {k.knockout.code} ({k.knockout.name}; {k.knockout.when}; {values}): {state}")
    group = f" trong {u['group']}" if u["group"] is not None else ""
    out.append(f"Hạng: {u['rank']}/{e.group_size}{group}; chung {u['rank_overall']}/{e.units}")
    for label, other, word in (("Xếp trên", e.above, "hơn"), ("Xếp dưới", e.below, "kém")):
        if other is None:
            continue
        gap = abs(other.total - u["total"])
        margin = (f"{word} {vn_number(gap, p)} điểm" if gap else
                  "đồng hạng" if other.rank == u["rank"] else "bằng điểm, phân định theo thứ tự phá hòa")
        out.append(f"{label}: {other.id} {other.name}, hạng {other.rank}, {vn_number(other.total, p)} ({margin})")
    if e.awards:
        out.append("Khen thưởng:")
        awards = {a.code: a for a in c.awards}
        for r in e.awards:
            out.append(f"  {r['award']}: {sentence(c, awards[r['award']], r, e.unit)}")
            out += history_lines(r)
    return out


def history_lines(r: dict[str, Any]) -> list[str]:
    """An award's history evidence under its reason: one line per condition (core/history.py)."""
    said = r.get("history")
    if said is None or "history:" in (r.get("failed") or ""):  # a failed one's reason says it
        return []
    return [_("    by year: {evidence}", evidence=part) for part in said.split(" | ")]


class _Table(str):
    """A table already rendered (its cells escaped) among the lines of an explanation."""


def to_table(e: Explanation) -> str:
    lines = _lines(e, lambda h, r: _Table(text_table(h, r)))
    return document("\n".join(x if isinstance(x, _Table) else plain(x) for x in lines) + "\n")


def to_markdown(e: Explanation) -> str:
    """The explanation as a Markdown document: headings in Vietnamese before each table (the
    main criteria, the bonus, the penalty) and before the result, criteria names whole, and each
    line a paragraph of its own outside the tables (the bonus and penalty sums included)."""
    lines = _lines(e, lambda h, r: _Table(md_table(h, r)), full=True)
    headings = [h for h, part in (("Các tiêu chí chính", True), ("Điểm thưởng", e.criteria.bonus),
                                  ("Điểm trừ", e.criteria.penalty)) if part]
    out: list[str] = []
    tables = 0
    for x in lines[1:]:
        if isinstance(x, _Table):
            out += [f"## {headings[tables]}", "", x, ""]
            tables += 1
            if tables == len(headings):
                out += ["## Kết quả", ""]
        elif x.startswith("    "):  # under an award: its years (history_lines), nested
            out.append("  - " + md(x.strip()))
        elif x.startswith("  "):
            out.append("- " + md(x.strip()))
        elif x:
            out += [md(x), ""]
    text = "\n".join(out)
    return document("# " + md(lines[0]) + "\n\n" + re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n")


def fragment(e: Explanation) -> str:
    """The explanation as HTML inside a page (a <details> of the report): paragraphs and tables,
    every text escaped, criteria names whole."""
    out = []
    for x in _lines(e, lambda h, r: _Table(html_table(h, r)), full=True)[1:]:
        if isinstance(x, _Table):
            out.append(str(x))
        elif x:
            out.append(f"<p>{esc(x)}</p>")
    return "\n".join(out)


def to_html(e: Explanation) -> str:
    """The explanation as a page of its own."""
    first = _lines(e, lambda h, r: _Table(""))[0]
    page = [*html_head(first), fragment(e), "</body>", "</html>"]
    return document("\n".join(page) + "\n")


def _clean(x: Any, digits: int | None) -> Any:
    """A number for json without float noise: rounded to `digits` decimals (None: as it is), no -0."""
    if x is None or not isinstance(x, float):
        return x
    return (x if digits is None else round_value(x, digits)) + 0.0


def _node_json(t: NodeTrace, p: int | None, unrounded: int | None) -> dict[str, Any]:
    """A criterion's trace; `raw` (the points before rounding) to SNAP decimals beyond the file's
    precision, the value the engine rounds (22.375, not 22.374999999999996); points the same way
    when they are not rounded (`unrounded`: round_at total), else as they are."""
    out: dict[str, Any] = {"code": t.node.code, "name": t.node.name, "max_points": t.node.max_points,
                           "points": _clean(t.points, unrounded)}
    if t.node.rule is not None:
        out.update({"rule": t.node.rule.model_dump(mode="json", exclude_none=True),
                    "rule_text": describe(t.node.rule, t.node.max_points),
                    "values": {k: _clean(v, None) for k, v in t.values},
                    **({"stages": {k: o for (k, _v), o in zip(t.values, t.origins, strict=True) if o}}
                       if t.origins else {}),
                    "raw": _clean(t.raw, None if p is None else p + SNAP), "missing": t.missing,
                    "policy": t.policy})
        if t.working:
            # z is computed (a quotient by a square root), so written like `raw`; the scope's
            # rank, count, min and max are the data's own values
            out["working"] = {k: _clean(v, None if p is None or k != "z" else p + SNAP)
                              for k, v in t.working}
    else:
        out.update({"aggregate": t.node.how, "children": [_node_json(k, p, unrounded) for k in t.children]})
    return out


def _members(e: Explanation, code: str) -> dict[str, Any]:
    """An award's members evidence for the unit (render_members), for an award that has some."""
    from thidua.output import render_members

    award = next(a for a in e.criteria.awards if a.code == code)
    return {"members": render_members.records(award, e.unit)} if award.eligible.members else {}


def to_json(e: Explanation) -> str:
    u, p = e.unit, e.criteria.precision
    unrounded = p + SNAP if p is not None and e.criteria.round_at == "total" else None
    keep = ("id", "name", "group", "row", "earned", "attainable", "bonus", "penalty", "total", "classification",
            "rank", "rank_overall", "knockouts", "awards", "flagged")
    doc = {
        "unit": {k: _clean(u[k], unrounded if k in ("earned", "bonus", "penalty") else None) for k in keep},
        "criteria": [_node_json(t, p, unrounded) for t in e.main],
        "bonus": {"criteria": [_node_json(t, p, unrounded) for t in e.bonus],
                  "sum": _clean(e.bonus_sum, p if unrounded is None else unrounded)},
        "penalty": {"criteria": [_node_json(t, p, unrounded) for t in e.penalty],
                    "sum": _clean(e.penalty_sum, p if unrounded is None else unrounded)},
        "classification_by_total": e.band,
        "knockouts": [{"code": k.knockout.code, "when": k.knockout.when, "hit": k.hit,
                       "values": {n: _clean(v, None) for n, v in k.values}}
                      for k in e.knockouts],
        "group_size": e.group_size,
        "above": e.above.__dict__ if e.above else None, "below": e.below.__dict__ if e.below else None,
        "awards": [{k: v for k, v in r.items() if not k.startswith("__")} | _members(e, r["award"])
                   for r in e.awards],
    }
    if e.criteria.treatment is not None:
        from thidua.output import render_treatment

        doc["treatment"] = [{**ch, "why": render_treatment.why(e.criteria, ch)} for ch in e.treated]
    return json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n"


# --- two units side by side ------------------------------------------------------------------------


def _signed(x: float | None, p: int | None) -> str:
    if x is None:
        return "—"
    text = vn_number(abs(x), p)
    return "0" if text.strip("0,.") == "" else ("+" if x > 0 else "−") + text


def _what(d: Any) -> str:
    return {"main": "tiêu chí", "bonus": "điểm thưởng", "penalty": "điểm trừ"}[d.part] + f" {d.code}"


def why(cmp: Comparison) -> str:
    """The sentence "why UPPER above LOWER", in the council's words."""
    a, b, c = cmp.upper.unit, cmp.lower.unit, cmp.upper.criteria
    p = c.precision
    head = f"Vì sao {a['id']} ({a['name']}) xếp trên {b['id']} ({b['name']}): "
    if cmp.decided_by is None:
        return (f"{a['id']} và {b['id']} bằng nhau về tổng điểm {vn_number(a['total'], p)} và mọi tiêu chí "
                "phá hòa: đồng hạng.")
    if cmp.decided_by == "id":
        return head + f"bằng nhau về tổng điểm và mọi tiêu chí phá hòa; xếp hạng {c.ranking.method} xếp theo mã đơn vị."
    if cmp.decided_by == "total":
        gap = a["total"] - b["total"]
        tops = [d for d in cmp.rows if d.depth == 0 and d.gap]
        ahead = sorted((d for d in tops if d.lead > 0), key=lambda d: -d.lead)[:3]
        behind = sorted((d for d in tops if d.lead < 0), key=lambda d: d.lead)[:2]
        text = (f"tổng điểm cao hơn {vn_number(gap, p)} điểm ({vn_number(a['total'], p)} so với "
                f"{vn_number(b['total'], p)})")
        if ahead:
            text += "; hơn nhiều nhất ở " + ", ".join(f"{_what(d)} (hơn {vn_number(d.lead, p)})" for d in ahead)
        if behind:
            text += f"; {b['id']} hơn ở " + ", ".join(f"{_what(d)} (hơn {vn_number(-d.lead, p)})" for d in behind)
        if (a["group"] != b["group"]) and c.units.group:
            text += f"; hai đơn vị ở hai cụm khác nhau ({a['group']}, {b['group']}): so theo hạng chung"
        return head + text + "."
    kind, _, what = cmp.decided_by.partition(":")
    i = next(n for n, tb in enumerate(c.ranking.tie_break, start=1)
             if (tb.criterion if kind == "criterion" else tb.indicator) == what)
    tb = c.ranking.tie_break[i - 1]

    def key(u: dict[str, Any]) -> str:
        value = u.get(f"__key{i}")
        if value is None or not math.isfinite(value):  # a missing value, ranked last as ±inf
            return "(trống)"
        if tb.order == "asc":
            value = -value
        return vn_number(value, p if kind == "criterion" else None)

    label = f"điểm tiêu chí {what}" if kind == "criterion" else what
    order = " (thấp hơn xếp trên)" if tb.order == "asc" else ""
    return head + (f"bằng tổng điểm {vn_number(a['total'], p)}; phá hòa theo {label}{order}: "
                   f"{key(a)} so với {key(b)}.")


def _compare_lines(cmp: Comparison, table: Any, full: bool = False) -> list[Any]:
    a, b, c = cmp.upper.unit, cmp.lower.unit, cmp.upper.criteria
    p = c.precision
    node_p = p if c.round_at == "leaves" else None
    out: list[Any] = [f"So sánh {a['id']} ({a['name']}) và {b['id']} ({b['name']})", f"{c.name} (phiên bản {c.version})", ""]
    head = ["Tiêu chí", f"{a['id']}", f"{b['id']}", f"Chênh lệch ({b['id']} − {a['id']})", ""]
    rows = []
    for d in cmp.rows:
        name = d.name if full or len(d.name) <= 48 else d.name[:47] + "…"
        mark = "khác" if d.gap else ""
        rows.append(["· " * d.depth + f"{d.code}  {name}", vn_number(d.a, node_p), vn_number(d.b, node_p),
                     _signed(d.gap, node_p) if d.gap else "", mark])
    for label, key in (("Điểm thưởng", "bonus"), ("Điểm trừ", "penalty"), ("Tổng điểm", "total")):
        if key == "total" or getattr(c, key) is not None:
            gap = (b[key] or 0.0) - (a[key] or 0.0)
            rows.append([label, vn_number(a[key], p), vn_number(b[key], p), _signed(gap, p) if gap else "",
                         "khác" if gap else ""])
    out.append(table(head, rows))
    out.append("")
    differ = [d.code for d in cmp.rows if d.gap and d.depth == 0]
    out.append(f"Khác nhau ở {len([d for d in cmp.rows if d.gap])} tiêu chí" +
               (f" (nhóm {', '.join(differ)})." if differ else "."))
    for u in (a, b):
        where = f" trong {u['group']}" if u["group"] is not None else ""
        out.append(f"{u['id']}: hạng {u['rank']}{where}, chung {u['rank_overall']}; xếp loại "
                   f"{u['classification'] or 'không xếp loại'}; khen thưởng: {(u['awards'] or '—').replace(';', ', ')}")
    out.append(why(cmp))
    return out


def compare_table(cmp: Comparison) -> str:
    lines = _compare_lines(cmp, lambda h, r: _Table(text_table(h, r)))
    return document("\n".join(x if isinstance(x, _Table) else plain(x) for x in lines) + "\n")


def compare_markdown(cmp: Comparison) -> str:
    lines = _compare_lines(cmp, lambda h, r: _Table(md_table(h, r)), full=True)
    out = [f"# {md(lines[0])}", "", md(lines[1]), "", "## Từng tiêu chí", "", lines[3], "", "## Kết luận", ""]
    out += [x for line in lines[5:] for x in (md(line), "")]
    return document("\n".join(out).rstrip("\n") + "\n")


def compare_html(cmp: Comparison) -> str:
    lines = _compare_lines(cmp, lambda h, r: _Table(html_table(h, r)), full=True)
    page = [*html_head(lines[0]), f"<p>{esc(lines[1])}</p>", "<h2>Từng tiêu chí</h2>", str(lines[3]),
            "<h2>Kết luận</h2>", *[f"<p>{esc(x)}</p>" for x in lines[5:]], "</body>", "</html>"]
    return document("\n".join(page) + "\n")


def compare_json(cmp: Comparison) -> str:
    p = cmp.upper.criteria.precision
    unrounded = p + SNAP if p is not None and cmp.upper.criteria.round_at == "total" else p
    doc = {
        "upper": cmp.upper.unit["id"], "lower": cmp.lower.unit["id"], "decided_by": cmp.decided_by,
        "why": why(cmp),
        "criteria": [{"code": d.code, "a": _clean(d.a, unrounded), "b": _clean(d.b, unrounded),
                      "difference": _clean(d.gap, unrounded)} for d in cmp.rows],
        "units": [{k: _clean(u[k], None) for k in ("id", "name", "group", "total", "bonus", "penalty", "rank",
                                                     "rank_overall", "classification", "awards")}
                  for u in (cmp.upper.unit, cmp.lower.unit)],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
