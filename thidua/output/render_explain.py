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
from thidua.i18n import N_, _
from thidua.output.lists import value_text
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
    return (_("the target given ({indicator})", indicator=t.indicator) if isinstance(t, m.IndicatorRef)
            else _("target {target}", target=_n(t)))


def describe(rule: m.Rule, top: float, part: str = "main") -> str:
    """A rule as a council writes it: "đạt 100%: 10 điểm; mỗi 1% thiếu trừ 0,5 điểm"."""
    t = _n(top)
    if isinstance(rule, m.Formula):
        return _("value = {expr}; then {then}", expr=expr.render(expr.check(rule.expr, "number")),
                 then=describe(rule.then, top, part))
    if isinstance(rule, m.Boolean):
        return _("{yes}: {points} points; otherwise 0", yes=_("no") if rule.invert else _("yes"), points=t)
    if isinstance(rule, m.Linear):
        scale = _(" (logarithmic scale)") if rule.transform == "log" else ""
        return _("{zero} → 0 points, {full} → {points} points, in proportion between{scale}",
                 zero=_n(rule.zero_at), full=_n(rule.full_at), points=t, scale=scale)
    if isinstance(rule, m.Ratio):
        return _("{points} × value / {target}, at most {points}", points=t, target=_target(rule.target))
    if isinstance(rule, m.Shortfall):
        # a target of 100 is a percentage; any other (a number, or each unit's own target) is
        # counted in the indicator's units: "mỗi 1 đơn vị thiếu", never a bare "mỗi 1 thiếu"
        per = "%" if rule.target == 100 else _(" unit")
        side = _("short") if rule.direction == "higher" else _("over")
        goal = (_("reaching {target}", target=f"{_n(rule.target)}{'%' if rule.target == 100 else ''}")
                if not isinstance(rule.target, m.IndicatorRef) else _("reaching {target}", target=_target(rule.target)))
        return _("{goal}: {points} points; each 1{per} {side} takes off {each} points", goal=goal, points=t,
                 per=per, side=side, each=_n(rule.per_unit))
    if isinstance(rule, m.Bands):
        parts = []
        for b in rule.bands:
            cond = _(" and ").join(x for x in (f"≥ {_n(b.min)}" if b.min is not None else "",
                                           f"≤ {_n(b.max)}" if b.max is not None else "") if x)
            parts.append(f"{cond}: {_n(b.points)}")
        return "; ".join(parts) + _("; otherwise 0")
    if isinstance(rule, m.PerCount):
        if part == "main":
            return _("{points} points, each time takes off {each} points", points=t, each=_n(rule.each))
        return _("{each} points each time, at most {points}", each=_n(rule.each), points=t)
    where = _("in the cluster") if getattr(rule, "scope", "all") == "group" else _("overall")
    if isinstance(rule, m.Relative):
        if rule.direction == "higher":
            return _("{points} × value / highest value {where}", points=t, where=where)
        return _("{points} × lowest value {where} / value", points=t, where=where)
    if isinstance(rule, m.MinMax):
        way = _("the highest gets full points") if rule.direction == "higher" else _("the lowest gets full points")
        return _("along the range from the lowest to the highest {where}, {way}", where=where, way=way)
    if isinstance(rule, m.TargetLeader):
        base = _n(rule.base_share * top)
        return _("up to {target}: {base} × value / target; beyond: the rest in proportion to the excess "
                 "against the leading unit {where}; the leader gets {points}", target=_target(rule.target),
                 base=base, where=where, points=t)
    if isinstance(rule, m.NORMALISATIONS):
        return _normalisation(rule, t, where)
    assert isinstance(rule, m.Manual)
    return _("points given in the data (already scored)")


def _normalisation(rule: m.Rule, t: str, where: str) -> str:
    """COINr's normalisations (docs/criteria-format.md, "Normalisations") in the council's words."""
    lower = getattr(rule, "direction", "higher") == "lower"
    rank = (_("rank {where} (1 is the highest, equal values share the lower rank)", where=where) if lower
            else _("rank {where} (1 is the lowest, equal values share the lower rank)", where=where))
    if isinstance(rule, m.ZScore):
        k = _n(rule.clip)
        if lower:
            return _("z = (mean − value) / standard deviation {where}, clipped to ±{k}; "
                     "points = {points} × (z + {k}) / (2 × {k})", where=where, k=k, points=t)
        return _("z = (value − mean) / standard deviation {where}, clipped to ±{k}; "
                 "points = {points} × (z + {k}) / (2 × {k})", where=where, k=k, points=t)
    if isinstance(rule, m.RankRule):
        return _("{points} × rank / units with data; {rank}", points=t, rank=rank)
    if isinstance(rule, m.PercentileRank):
        return _("{points} × (rank − 1) / (units with data − 1); {rank}", points=t, rank=rank)
    if isinstance(rule, m.Borda):
        each = (_n(rule.each) if rule.each is not None
                else _("{points} / (units with data − 1)", points=t))
        return _("{each} points for each unit ranked below (rank − 1), at most {points}; {rank}",
                 each=each, points=t, rank=rank)
    if isinstance(rule, m.DistanceToTarget):
        if lower:
            return _("target {target} met (not above): {points} points; not met: {points} × (highest − value) / "
                     "(highest − target), highest {where}", target=_n(rule.target), points=t, where=where)
        return _("target {target} met: {points} points; not met: {points} × (value − lowest) / "
                 "(target − lowest), lowest {where}", target=_n(rule.target), points=t, where=where)
    if isinstance(rule, m.DistanceToBest):
        if lower:
            return _("{points} × (1 − (value − lowest) / (highest − lowest)) {where}; every unit equal: {points}",
                     points=t, where=where)
        return _("{points} × (1 − (highest − value) / (highest − lowest)) {where}; every unit equal: {points}",
                 points=t, where=where)
    assert isinstance(rule, m.FractionOfMax)
    if lower:
        return _("{points} × lowest value {where} / value", points=t, where=where)
    return _("{points} × value / highest value {where}", points=t, where=where)


_WORK = {"z": "z", "rank": N_("rank"), "n": N_("units"), "min": N_("lowest"), "max": N_("highest")}


def _value(v: Any) -> str:
    if v is None:
        return _("(empty)")
    if isinstance(v, bool):
        return _("yes") if v else _("no")
    return _n(v) if isinstance(v, float) else str(v)


_POLICY = {"zero": N_("missing value → 0 points"), "full": N_("missing value → full points (nothing arose)"),
           "exclude": N_("does not apply (no target given)"), "error": N_("missing value")}


def _rows(t: NodeTrace, depth: int, part: str, p: int | None, full: bool = False) -> list[list[str]]:
    """A criterion's row and its children's; its name cut at 48 characters for a terminal
    (`full`: whole, for Markdown and HTML)."""
    node = t.node
    name = node.name if full or len(node.name) <= 48 else node.name[:47] + "…"
    label = "· " * depth + f"{node.code}  {name}"  # tabulate strips leading spaces
    if node.rule is None:
        how = {"sum": _("sum of the sub-criteria"), "weighted_mean": _("weighted mean"),
               "geometric_mean": _("weighted geometric mean")}[node.how]
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
        how += " [" + ", ".join(f"{_(_WORK[what])} = {_value(v)}" for what, v in t.working) + "]"
    if t.missing:
        how += f" [{_(_POLICY[t.policy])}]"
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
    out = [_("{name} ({id}){where}; row {row} of the data file", name=u["name"], id=u["id"], where=where,
             row=u["row"]),
           _("{name} (version {version})", name=c.name, version=c.version), ""]
    head = [_("Criterion"), _("Data"), _("How scored"), _("Computed"), _("Points"), _("Max")]
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
    out.append(_("Points on the main criteria: {earned} / {attainable}", earned=vn_number(u["earned"], node_p),
                 attainable=_n(u["attainable"])))
    if c.round_at == "total" and p is not None:
        out.append(_("Rounding: at the total only ({p} decimals); the criteria's points above are not rounded "
                     "(3 decimals shown).", p=p))
    if u["attainable"] != c.total:
        out.append(_("Rescaled to {scale}: {earned} × {scale} / {attainable} (a criterion that does not apply "
                     "is left out of the maximum)", scale=_n(c.total), earned=vn_number(u["earned"], p),
                     attainable=_n(u["attainable"])))
    for kind, traces, total, cap in (("bonus", e.bonus, e.bonus_sum, c.bonus),
                                     ("penalty", e.penalty, e.penalty_sum, c.penalty)):
        if cap is None:
            continue
        out.append("")
        sub: list[list[str]] = []
        for t in traces:
            sub += _rows(t, 0, kind, node_p, full)
        out.append(table(head, sub))
        applied = u[kind]
        capped = _(" → capped at {cap}", cap=_n(cap.max_points)) if total > cap.max_points else ""
        part = _("Bonus points") if kind == "bonus" else _("Penalty points")
        out.append(_("{part}: {total}{capped}; counted {applied}", part=part, total=vn_number(total, p),
                     capped=capped, applied=vn_number(applied, p)))
    out.append("")
    sign = "+" if c.bonus else ""
    out.append(_("Total: {total}", total=vn_number(u["total"], p)) + (
        (_(" (= main + bonus − penalty, not below zero)") if sign else _(" (= main + bonus − penalty)"))
        if c.bonus or c.penalty else ""))
    if c.classification:
        cls = u["classification"] or _("not classified")
        text = _("Classification: {classification}", classification=cls)
        if e.band != u["classification"]:
            caps = [k.knockout.code for k in e.knockouts if k.hit and isinstance(k.knockout.effect, m.Cap)]
            text += _(" (by points: {band}; capped by {caps})", band=e.band, caps=", ".join(caps))
        out.append(text)
    for k in e.knockouts:
        values = ", ".join(f"{n} = {_value(v)}" for n, v in k.values)
        outcome = k.knockout.effect
        effect = _("classification at most “{cap}”", cap=outcome.cap) if isinstance(outcome, m.Cap) else \
            _("no award")
        state = _("YES — {effect}", effect=effect) if k.hit else _("no")
        out.append(_("Knockout {code} ({name}; {when}; {values}): {state}", code=k.knockout.code,
                     name=k.knockout.name, when=k.knockout.when, values=values, state=state))
    group = _(" in {group}", group=u["group"]) if u["group"] is not None else ""
    out.append(_("Rank: {rank}/{size}{group}; overall {overall}/{units}", rank=u["rank"], size=e.group_size,
                 group=group, overall=u["rank_overall"], units=e.units))
    for label, other, word in ((_("Above"), e.above, _("ahead by")), (_("Below"), e.below, _("behind by"))):
        if other is None:
            continue
        gap = abs(other.total - u["total"])
        margin = (_("{word} {gap} points", word=word, gap=vn_number(gap, p)) if gap else
                  _("same rank") if other.rank == u["rank"] else _("equal points, set apart by the tie-breaks"))
        out.append(_("{label}: {id} {name}, rank {rank}, {total} ({margin})", label=label, id=other.id,
                     name=other.name, rank=other.rank, total=vn_number(other.total, p), margin=margin))
    if e.awards:
        out.append(_("Awards:"))
        awards = {a.code: a for a in c.awards}
        for r in e.awards:
            out.append(f"  {r['award']}: {sentence(c, awards[r['award']], r, e.unit)}")
            out += history_lines(r)
    return out


def history_lines(r: dict[str, Any]) -> list[str]:
    """An award's history evidence under its reason: one line per condition (core/history.py)."""
    said = r.get("history")
    if said is None or any("history:" in f for f in r.get("failed") or []):  # a failed one's reason says it
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
    headings = [h for h, part in ((_("Main criteria"), True), (_("Bonus points"), e.criteria.bonus),
                                  (_("Penalty points"), e.criteria.penalty)) if part]
    out: list[str] = []
    tables = 0
    for x in lines[1:]:
        if isinstance(x, _Table):
            out += [f"## {headings[tables]}", "", x, ""]
            tables += 1
            if tables == len(headings):
                out += ["## " + _("Result"), ""]
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
        "unit": {k: _clean(value_text(u[k]), unrounded if k in ("earned", "bonus", "penalty") else None) for k in keep},
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
        "awards": [{k: value_text(v) for k, v in r.items() if not k.startswith("__")} | _members(e, r["award"])
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
    return {"main": _("criterion"), "bonus": _("bonus"), "penalty": _("penalty")}[d.part] + f" {d.code}"


def why(cmp: Comparison) -> str:
    """The sentence "why UPPER above LOWER", in the council's words."""
    a, b, c = cmp.upper.unit, cmp.lower.unit, cmp.upper.criteria
    p = c.precision
    head = _("Why {a} ({a_name}) ranks above {b} ({b_name}): ", a=a["id"], a_name=a["name"], b=b["id"],
             b_name=b["name"])
    if cmp.decided_by is None:
        return _("{a} and {b} are equal on the total {total} and on every tie-break: the same rank.", a=a["id"],
                 b=b["id"], total=vn_number(a["total"], p))
    if cmp.decided_by == "id":
        return head + _("equal on the total and on every tie-break; ranking {method} orders them by unit code.",
                        method=c.ranking.method)
    if cmp.decided_by == "total":
        gap = a["total"] - b["total"]
        tops = [d for d in cmp.rows if d.depth == 0 and d.gap]
        ahead = sorted((d for d in tops if d.lead > 0), key=lambda d: -d.lead)[:3]
        behind = sorted((d for d in tops if d.lead < 0), key=lambda d: d.lead)[:2]
        text = _("a total higher by {gap} points ({a} against {b})", gap=vn_number(gap, p),
                 a=vn_number(a["total"], p), b=vn_number(b["total"], p))
        if ahead:
            text += _("; ahead most on ") + ", ".join(
                _("{what} (ahead by {lead})", what=_what(d), lead=vn_number(d.lead, p)) for d in ahead)
        if behind:
            text += _("; {b} ahead on ", b=b["id"]) + ", ".join(
                _("{what} (ahead by {lead})", what=_what(d), lead=vn_number(-d.lead, p)) for d in behind)
        if (a["group"] != b["group"]) and c.units.group:
            text += _("; the two units are in different clusters ({a}, {b}): compared by the overall rank",
                      a=a["group"], b=b["group"])
        return head + text + "."
    kind, _sep, what = cmp.decided_by.partition(":")
    i = next(n for n, tb in enumerate(c.ranking.tie_break, start=1)
             if (tb.criterion if kind == "criterion" else tb.indicator) == what)
    tb = c.ranking.tie_break[i - 1]

    def key(u: dict[str, Any]) -> str:
        value = u.get(f"__key{i}")
        if value is None or not math.isfinite(value):  # a missing value, ranked last as ±inf
            return _("(empty)")
        if tb.order == "asc":
            value = -value
        return vn_number(value, p if kind == "criterion" else None)

    label = _("points on criterion {criterion}", criterion=what) if kind == "criterion" else what
    order = _(" (lower ranks first)") if tb.order == "asc" else ""
    return head + _("equal total {total}; the tie-break by {label}{order}: {a} against {b}.",
                    total=vn_number(a["total"], p), label=label, order=order, a=key(a), b=key(b))


def _compare_lines(cmp: Comparison, table: Any, full: bool = False) -> list[Any]:
    a, b, c = cmp.upper.unit, cmp.lower.unit, cmp.upper.criteria
    p = c.precision
    node_p = p if c.round_at == "leaves" else None
    out: list[Any] = [_("{a} ({a_name}) compared with {b} ({b_name})", a=a["id"], a_name=a["name"], b=b["id"],
                        b_name=b["name"]),
                      _("{name} (version {version})", name=c.name, version=c.version), ""]
    head = [_("Criterion"), f"{a['id']}", f"{b['id']}", _("Difference ({b} − {a})", a=a["id"], b=b["id"]), ""]
    rows = []
    for d in cmp.rows:
        name = d.name if full or len(d.name) <= 48 else d.name[:47] + "…"
        mark = _("differs") if d.gap else ""
        rows.append(["· " * d.depth + f"{d.code}  {name}", vn_number(d.a, node_p), vn_number(d.b, node_p),
                     _signed(d.gap, node_p) if d.gap else "", mark])
    for label, key in ((_("Bonus points"), "bonus"), (_("Penalty points"), "penalty"), (_("Total"), "total")):
        if key == "total" or getattr(c, key) is not None:
            gap = (b[key] or 0.0) - (a[key] or 0.0)
            rows.append([label, vn_number(a[key], p), vn_number(b[key], p), _signed(gap, p) if gap else "",
                         _("differs") if gap else ""])
    out.append(table(head, rows))
    out.append("")
    differ = [d.code for d in cmp.rows if d.gap and d.depth == 0]
    out.append(_("They differ on {count} criteria", count=len([d for d in cmp.rows if d.gap])) +
               (_(" (groups {codes}).", codes=", ".join(differ)) if differ else "."))
    for u in (a, b):
        where = _(" in {group}", group=u["group"]) if u["group"] is not None else ""
        out.append(_("{id}: rank {rank}{where}, overall {overall}; classification {classification}; awards: "
                     "{awards}", id=u["id"], rank=u["rank"], where=where, overall=u["rank_overall"],
                     classification=u["classification"] or _("not classified"),
                     awards=", ".join(u["awards"]) or "—"))
    out.append(why(cmp))
    return out


def compare_table(cmp: Comparison) -> str:
    lines = _compare_lines(cmp, lambda h, r: _Table(text_table(h, r)))
    return document("\n".join(x if isinstance(x, _Table) else plain(x) for x in lines) + "\n")


def compare_markdown(cmp: Comparison) -> str:
    lines = _compare_lines(cmp, lambda h, r: _Table(md_table(h, r)), full=True)
    out = [f"# {md(lines[0])}", "", md(lines[1]), "", "## " + _("Criterion by criterion"), "", lines[3], "",
           "## " + _("Conclusion"), ""]
    out += [x for line in lines[5:] for x in (md(line), "")]
    return document("\n".join(out).rstrip("\n") + "\n")


def compare_html(cmp: Comparison) -> str:
    lines = _compare_lines(cmp, lambda h, r: _Table(html_table(h, r)), full=True)
    page = [*html_head(lines[0]), f"<p>{esc(lines[1])}</p>", "<h2>" + _("Criterion by criterion") + "</h2>",
            str(lines[3]), "<h2>" + _("Conclusion") + "</h2>", *[f"<p>{esc(x)}</p>" for x in lines[5:]], "</body>", "</html>"]
    return document("\n".join(page) + "\n")


def compare_json(cmp: Comparison) -> str:
    p = cmp.upper.criteria.precision
    unrounded = p + SNAP if p is not None and cmp.upper.criteria.round_at == "total" else p
    doc = {
        "upper": cmp.upper.unit["id"], "lower": cmp.lower.unit["id"], "decided_by": cmp.decided_by,
        "why": why(cmp),
        "criteria": [{"code": d.code, "a": _clean(d.a, unrounded), "b": _clean(d.b, unrounded),
                      "difference": _clean(d.gap, unrounded)} for d in cmp.rows],
        "units": [{k: _clean(value_text(u[k]), None) for k in ("id", "name", "group", "total", "bonus", "penalty", "rank",
                                                     "rank_overall", "classification", "awards")}
                  for u in (cmp.upper.unit, cmp.lower.unit)],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
