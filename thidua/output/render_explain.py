"""One unit's explanation in the council's words (table, markdown) or as data (json)."""

from __future__ import annotations

import json
from typing import Any

from thidua import model as m
from thidua.core import expr
from thidua.core.explain import Explanation, NodeTrace
from thidua.core.rounding import SNAP, round_value
from thidua.output.render import document, md, md_table, plain, text_table, vn_number
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
    assert isinstance(rule, m.Manual)
    return "điểm có sẵn trong số liệu (đã chấm)"


def _value(v: Any) -> str:
    if v is None:
        return "(trống)"
    if isinstance(v, bool):
        return "có" if v else "không"
    return _n(v) if isinstance(v, float) else str(v)


_POLICY = {"zero": "thiếu số liệu → 0 điểm", "full": "thiếu số liệu → đủ điểm (không phát sinh)",
           "exclude": "không áp dụng (không giao chỉ tiêu)", "error": "thiếu số liệu"}


def _rows(t: NodeTrace, depth: int, part: str, p: int | None) -> list[list[str]]:
    node = t.node
    name = node.name if len(node.name) <= 48 else node.name[:47] + "…"
    label = "· " * depth + f"{node.code}  {name}"  # tabulate strips leading spaces
    if node.rule is None:
        how = {"sum": "cộng các tiêu chí con", "weighted_mean": "trung bình có trọng số",
               "geometric_mean": "trung bình nhân có trọng số"}[node.how]
        rows = [[label, "", how, "", vn_number(t.points, p), _n(node.max_points)]]
        for child in t.children:
            rows += _rows(child, depth + 1, part, p)
        return rows
    data = ", ".join(f"{col} = {_value(v)}" for col, v in t.values)
    how = describe(node.rule, node.max_points, part)
    if t.missing:
        how += f" [{_POLICY[t.policy]}]"
    return [[label, data, how, _n(t.raw) if t.raw is not None else "—", vn_number(t.points, p),
             _n(node.max_points)]]


def _lines(e: Explanation, table) -> list[str]:
    c, u, p = e.criteria, e.unit, e.criteria.precision
    node_p = p if c.round_at == "leaves" else None  # under round_at: total, points keep their decimals
    where = f" — {u['group']}" if u["group"] is not None else ""
    out = [f"{u['name']} ({u['id']}){where}; dòng {u['row']} của tệp số liệu",
           f"{c.name} (phiên bản {c.version})", ""]
    head = ["Tiêu chí", "Số liệu", "Cách tính", "Điểm tính", "Điểm", "Tối đa"]
    rows: list[list[str]] = []
    for t in e.main:
        rows += _rows(t, 0, "main", node_p)
    out.append(table(head, rows))
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
            sub += _rows(t, 0, "bonus" if part == "Điểm thưởng" else "penalty", node_p)
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
    return out


class _Table(str):
    """A table already rendered (its cells escaped) among the lines of an explanation."""


def to_table(e: Explanation) -> str:
    lines = _lines(e, lambda h, r: _Table(text_table(h, r)))
    return document("\n".join(x if isinstance(x, _Table) else plain(x) for x in lines) + "\n")


def to_markdown(e: Explanation) -> str:
    lines = [x if isinstance(x, _Table) else md(x) for x in _lines(e, lambda h, r: _Table(md_table(h, r)))]
    return document("# " + lines[0] + "\n\n" + "\n".join(lines[1:]) + "\n")


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
                    "raw": _clean(t.raw, None if p is None else p + SNAP), "missing": t.missing,
                    "policy": t.policy})
    else:
        out.update({"aggregate": t.node.how, "children": [_node_json(k, p, unrounded) for k in t.children]})
    return out


def to_json(e: Explanation) -> str:
    u, p = e.unit, e.criteria.precision
    unrounded = p + SNAP if p is not None and e.criteria.round_at == "total" else None
    keep = ("id", "name", "group", "row", "earned", "attainable", "bonus", "penalty", "total", "classification",
            "rank", "rank_overall", "knockouts", "awards", "flagged")
    doc = {
        "unit": {k: _clean(u[k], unrounded if k == "earned" else None) for k in keep},
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
        "awards": [{k: v for k, v in r.items() if not k.startswith("__")} for r in e.awards],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n"
