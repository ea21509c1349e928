"""Values the criteria cannot score, found before scoring: every one named with its row.

Missing values under `missing: error`, a formula that divides by zero or overflows, a manual
score outside [0, max_points], a negative count, a per-unit target that is not above 0. One
aggregate pass finds whether anything is wrong; only then are the offending rows looked up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from thidua import model as m
from thidua.core import expr
from thidua.core.rules import value_expr
from thidua.core.scoring import expression_columns, leaves, rule_columns
from thidua.errors import Problem

LIMIT = 200  # problems listed before "… and N more"


@dataclass(frozen=True)
class Check:
    """One rule about values: `bad` marks the offending rows."""

    bad: pl.Expr
    column: str
    message: str  # may use {value}
    label: str | None = None  # the column's name in the file, when the frame renamed it
    value: pl.Expr | None = None  # the value shown, when it is not the column's (a formula's)


def _fmt(x: float) -> str:
    return f"{x:g}"


def checks(c: m.Criteria) -> list[Check]:
    out: list[Check] = []
    if c.units.group:
        out.append(Check(pl.col("group").is_null(), "group", "the group (cụm, khối) is empty: the unit "
                         "cannot be ranked inside its cluster", label=c.units.group))
    seen_missing: set[str] = set()
    for leaf in leaves(c):
        rule, code = leaf.rule, leaf.node.code
        inner = rule.then if isinstance(rule, m.Formula) else rule
        if leaf.policy == "error":
            for name in rule_columns(rule):
                if name not in seen_missing:
                    seen_missing.add(name)
                    out.append(Check(pl.col(name).is_null(), name,
                                     f"missing value (criterion {code} has missing: error)"))
            if isinstance(rule, m.Formula):
                parsed = expr.check(rule.expr, "number")
                known = pl.all_horizontal([pl.col(n).is_not_null() for n in sorted(expr.names(parsed))] or [pl.lit(True)])
                out.append(Check(known & value_expr(rule).is_null(), code,
                                 f"the formula {expr.render(parsed)} gives no value (a division by zero)"))
        if isinstance(rule, m.Formula):
            parsed = expr.check(rule.expr, "number")
            out.append(Check(~value_expr(rule).is_finite(), code,
                             f"the formula {expr.render(parsed)} has no finite value (an "
                             "intermediate result overflows past ±1.8e308)"))
        # the value the rule turns into points: its indicator's, or what its formula computes
        if isinstance(rule, m.Formula):
            v, column, shown = value_expr(rule), code, value_expr(rule)
            source = f"criterion {code}, the formula {expr.render(expr.check(rule.expr, 'number'))}"
        else:
            assert rule.indicator is not None
            v, column, shown, source = pl.col(rule.indicator), rule.indicator, None, f"criterion {code}"
        if isinstance(inner, m.Manual):
            out.append(Check((v < 0) | (v > leaf.node.max_points), column,
                             f"{{value}} is outside 0..{_fmt(leaf.node.max_points)}, the points of "
                             f"{source} (a manual score is never clamped)", value=shown))
        if isinstance(inner, m.PerCount):
            out.append(Check(v < 0, column, f"{{value}} is a negative count ({source})", value=shown))
        target = getattr(inner, "target", None)
        if isinstance(target, m.IndicatorRef) and isinstance(inner, (m.Ratio, m.TargetLeader)):
            out.append(Check(pl.col(target.indicator) <= 0, target.indicator,
                             f"{{value}} is not above 0; criterion {code} divides by this target"))
    if c.missing == "error":
        for name in expression_columns(c):
            if name not in seen_missing:
                seen_missing.add(name)
                out.append(Check(pl.col(name).is_null(), name,
                                 "missing value (a knockout or award condition reads it; missing: error)"))
    conditions = [(k.when, k.code, f"knockout {k.code}") for k in c.knockouts]
    conditions += [(a.eligible.when, a.code, f"the eligibility of award {a.code}")
                   for a in c.awards if a.eligible.when]
    for text, code, owner in conditions:
        parsed = expr.check(text, "bool")
        read: Callable[[str], pl.Expr] = ((lambda name: pl.col(name).fill_null(0.0))
                                          if c.missing == "zero" else pl.col)
        sides = [~expr.to_polars(side, read).is_finite() for side in _compared(parsed)]
        out.append(Check(pl.any_horizontal(sides), code,
                         f"the condition {expr.render(parsed)} of {owner} has no finite value "
                         "(an intermediate result overflows past ±1.8e308)"))
    for tb in c.ranking.tie_break:
        if tb.indicator and c.missing == "error" and tb.indicator not in seen_missing:
            seen_missing.add(tb.indicator)
            out.append(Check(pl.col(tb.indicator).is_null(), tb.indicator,
                             "missing value (the ranking's tie-break reads it; missing: error)"))
    return out


def _compared(e: expr.Expr) -> list[expr.Expr]:
    """The numbers compared in a condition: both sides of every comparison."""
    out: list[expr.Expr] = []
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, expr.Compare):
            out += [node.left, node.right]
        else:
            stack.extend(expr._children(node))
    return out


def problems(c: m.Criteria, frame: pl.DataFrame) -> list[Problem]:
    """Every value in `frame` that the criteria cannot score, at most LIMIT of them listed."""
    found = checks(c)
    if not found or frame.height == 0:
        return []
    counts = frame.select([ch.bad.fill_null(False).sum().alias(str(i)) for i, ch in enumerate(found)]).row(0)
    out: list[Problem] = []
    total = sum(counts)
    for ch, n in zip(found, counts):
        if not n or len(out) >= LIMIT:
            continue
        value = ch.value if ch.value is not None else (
            pl.col(ch.column) if ch.column in frame.columns else pl.lit(None))
        rows = frame.filter(ch.bad.fill_null(False)).select("row", "id", value.alias("__v")).head(LIMIT - len(out))
        for row, unit, v in rows.rows():
            shown = _fmt(v) if isinstance(v, float) else repr(v)
            where = c.columns.get(ch.label or ch.column, ch.label or ch.column)  # the header
            out.append(Problem(f"row {row}, {where}", f"unit {unit}: " + ch.message.format(value=shown)))
    if total > len(out):
        out.append(Problem("", f"… and {total - len(out)} more"))
    return out
