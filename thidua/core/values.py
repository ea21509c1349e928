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
from thidua.i18n import _

LIMIT = 200  # problems listed before "… and N more"
VALUE = "{value}"  # kept in a check's message, filled with each row's value


@dataclass(frozen=True)
class Check:
    """One rule about values: `bad` marks the offending rows."""

    bad: pl.Expr
    column: str
    message: str  # in the reader's language; may use {value}
    label: str | None = None  # the column's name in the file, when the frame renamed it
    value: pl.Expr | None = None  # the value shown, when it is not the column's (a formula's)


def _fmt(x: float) -> str:
    return f"{x:g}"


def checks(c: m.Criteria) -> list[Check]:
    out: list[Check] = []
    if c.units.group:
        out.append(Check(pl.col("group").is_null(), "group", _("the group (cụm, khối) is empty: the unit "
                                                      "cannot be ranked inside its cluster"),
                         label=c.units.group))
    seen_missing: set[str] = set()
    for leaf in leaves(c):
        rule, code = leaf.rule, leaf.node.code
        inner = rule.then if isinstance(rule, m.Formula) else rule
        if leaf.policy == "error":
            for name in rule_columns(rule):
                if name not in seen_missing:
                    seen_missing.add(name)
                    out.append(Check(pl.col(name).is_null(), name,
                                     _("missing value (criterion {code} has missing: error)",
                                       code=code)))
            if isinstance(rule, m.Formula):
                parsed = expr.check(rule.expr, "number")
                known = pl.all_horizontal([pl.col(n).is_not_null() for n in sorted(expr.names(parsed))] or [pl.lit(True)])
                out.append(Check(known & value_expr(rule).is_null(), code,
                                 _("the formula {formula} gives no value (a division by zero)",
                                   formula=expr.render(parsed))))
        if isinstance(rule, m.Formula):
            parsed = expr.check(rule.expr, "number")
            out.append(Check(~value_expr(rule).is_finite(), code,
                             _("the formula {formula} has no finite value (an intermediate "
                               "result overflows past ±1.8e308)", formula=expr.render(parsed))))
        # the value the rule turns into points: its indicator's, or what its formula computes
        if isinstance(rule, m.Formula):
            v, column, shown = value_expr(rule), code, value_expr(rule)
            source = _("criterion {code}, the formula {formula}", code=code,
                       formula=expr.render(expr.check(rule.expr, "number")))
        else:
            assert rule.indicator is not None
            v, column, shown = pl.col(rule.indicator), rule.indicator, None
            source = _("criterion {code}", code=code)
        if isinstance(inner, m.Manual):
            out.append(Check((v < 0) | (v > leaf.node.max_points), column,
                             _("{value} is outside 0..{most}, the points of {source} (a manual "
                               "score is never clamped)", value=VALUE,
                               most=_fmt(leaf.node.max_points), source=source), value=shown))
        if isinstance(inner, m.PerCount):
            out.append(Check(v < 0, column, _("{value} is a negative count ({source})", value=VALUE,
                                              source=source), value=shown))
        target = getattr(inner, "target", None)
        if isinstance(target, m.IndicatorRef) and isinstance(inner, (m.Ratio, m.TargetLeader)):
            out.append(Check(pl.col(target.indicator) <= 0, target.indicator,
                             _("{value} is not above 0; criterion {code} divides by this target",
                               value=VALUE, code=code)))
    if c.missing == "error":
        for name in expression_columns(c):
            if name not in seen_missing:
                seen_missing.add(name)
                out.append(Check(pl.col(name).is_null(), name,
                                 _("missing value (a knockout or award condition reads it; "
                                   "missing: error)")))
    conditions = [(k.when, k.code, _("knockout {code}", code=k.code)) for k in c.knockouts]
    conditions += [(a.eligible.when, a.code, _("the eligibility of award {code}", code=a.code))
                   for a in c.awards if a.eligible.when]
    for text, code, owner in conditions:
        parsed = expr.check(text, "bool")
        read: Callable[[str], pl.Expr] = ((lambda name: pl.col(name).fill_null(0.0))
                                          if c.missing == "zero" else pl.col)
        sides = [~expr.to_polars(side, read).is_finite() for side in _compared(parsed)]
        out.append(Check(pl.any_horizontal(sides), code,
                         _("the condition {condition} of {owner} has no finite value (an "
                           "intermediate result overflows past ±1.8e308)",
                           condition=expr.render(parsed), owner=owner)))
    for tb in c.ranking.tie_break:
        if tb.indicator and c.missing == "error" and tb.indicator not in seen_missing:
            seen_missing.add(tb.indicator)
            out.append(Check(pl.col(tb.indicator).is_null(), tb.indicator,
                             _("missing value (the ranking's tie-break reads it; missing: "
                               "error)")))
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
            out.append(Problem(_("row {row}, {column}", row=row, column=where),
                               _("unit {unit}: {problem}", unit=unit,
                                 problem=ch.message.format(value=shown))))
    if total > len(out):
        out.append(Problem("", _("… and {count} more", count=total - len(out))))
    return out
