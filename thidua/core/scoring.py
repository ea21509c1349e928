"""A criteria tree compiled to stages of one lazy query: points per node, bonus, penalty, total
and knockouts. What follows from them (classification, ranks, awards) is decided in decisions.py.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from thidua import model as m
from thidua.core import expr, normalise
from thidua.core.rounding import divide, round_expr
from thidua.core.rules import Context, compared_value, lit, raw_points
from thidua.core.schema import (
    ATTAINABLE,
    BONUS,
    EARNED,
    GROUP,
    MAIN,
    PENALTY,
    SNAPPED,
    TOTAL,
    missing_col,
    raw_col,
    work_col,
)
from thidua.core.schema import attain_col as attain_col
from thidua.core.schema import points_col as points_col

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class Leaf:
    """A leaf with what scoring needs: where it sits, its policy for missing values, its part."""

    node: m.Node
    rule: m.Rule
    where: str
    policy: m.Policy
    part: str  # main | bonus | penalty


def _walk(nodes: list[m.Node], where: str, policy: m.Policy, part: str) -> Iterator[Leaf]:
    for i, node in enumerate(nodes):
        here, mine = f"{where}[{i}]", node.missing or policy
        if node.rule is not None:
            yield Leaf(node, node.rule, here, mine, part)
        else:
            yield from _walk(node.children or [], f"{here}.children", mine, part)


def leaves(c: m.Criteria) -> list[Leaf]:
    out = list(_walk(c.criteria, "criteria", c.missing, "main"))
    for part in ("bonus", "penalty"):
        extra = getattr(c, part)
        if extra is not None:
            out += _walk(extra.criteria, f"{part}.criteria", c.missing, part)
    return out


def parts(c: m.Criteria) -> Iterator[tuple[str, list[m.Node]]]:
    yield "main", c.criteria
    for part in ("bonus", "penalty"):
        extra = getattr(c, part)
        if extra is not None:
            yield part, extra.criteria


def working_of(rule: m.Rule, group: str | None) -> list[tuple[str, pl.Expr]]:
    """A normalisation rule's working (normalise.working) on its snapped value; [] otherwise."""
    inner = rule.then if isinstance(rule, m.Formula) else rule
    v = compared_value(rule)
    return normalise.working(inner, v, Context(group)) if v is not None else []


def work_names(rule: m.Rule) -> list[str]:
    """The names of a rule's working (normalise.working), without building it."""
    return [what for what, _e in working_of(rule, None)]


def uses_exclude(c: m.Criteria) -> bool:
    return any(leaf.policy == "exclude" and leaf.part == "main" for leaf in leaves(c))


def rule_columns(rule: m.Rule) -> list[str]:
    """The data columns a rule reads, in a stable order."""
    cols: list[str] = []
    if isinstance(rule, m.Formula):
        cols += sorted(expr.names(expr.check(rule.expr, "number")))
        rule = rule.then
    if rule.indicator:
        cols.append(rule.indicator)
    target = getattr(rule, "target", None)
    if isinstance(target, m.IndicatorRef):
        cols.append(target.indicator)
    return cols


def expression_columns(c: m.Criteria) -> list[str]:
    """Columns read by knockout and eligibility conditions."""
    texts = [k.when for k in c.knockouts] + [a.eligible.when for a in c.awards if a.eligible.when]
    return sorted({name for text in texts for name in expr.names(expr.check(text, "bool"))})


def indicators(c: m.Criteria) -> tuple[frozenset[str], frozenset[str]]:
    """(numeric columns, yes/no columns) that the file reads from the data."""
    numbers: set[str] = set(expression_columns(c))
    flags: set[str] = set()
    for leaf in leaves(c):
        cols = rule_columns(leaf.rule)
        if isinstance(leaf.rule, m.Boolean):
            flags.update(cols)
        else:
            numbers.update(cols)
    numbers.update(tb.indicator for tb in c.ranking.tie_break if tb.indicator)
    return frozenset(numbers), frozenset(flags - numbers)


TINY = 2.0**-1074  # the smallest float above 0
NORMAL = 2.0**-969  # a scaled weight at least this keeps 53 bits in every product with a share


def weights(kids: list[m.Node]) -> list[float]:
    """The children's weights scaled by one power of two, so that the largest lies in [1, 2).

    The scaling is exact and changes no ratio (nor any point of ordinary weights, bit for bit),
    while weights such as 5e-324 (a float with one significant bit) no longer round every
    product w × share to that same bit. A weight below 2⁻¹⁰⁷⁴ of its largest sibling is kept
    at the smallest float above 0: it weighs nothing beside the others, but a share of 0 still
    sends a geometric mean to 0."""
    _, exponent = math.frexp(max(k.weight for k in kids))
    return [max(math.ldexp(k.weight, 1 - exponent), TINY) for k in kids]


def _height(node: m.Node) -> int:
    return 0 if not node.children else 1 + max(_height(ch) for ch in node.children)


def _open_groups(nodes: list[m.Node], policy: m.Policy) -> Iterator[str]:
    """The codes of the groups with a criterion below them that may not apply (missing: exclude)."""
    for node in nodes:
        mine = node.missing or policy
        if node.children:
            below = list(_open_groups(node.children, mine))
            yield from below
            if below or any(ch.rule is not None and (ch.missing or mine) == "exclude"
                            for ch in node.children):
                yield node.code


def groups(nodes: list[m.Node]) -> Iterator[m.Node]:
    """The groups among `nodes` and below them, each after the groups below it."""
    for node in nodes:
        if node.children:
            yield from groups(node.children)
            yield node


class Compiler:
    """Builds the stages for one criteria file."""

    def __init__(self, c: m.Criteria, trace: bool = False):
        self.c = c
        self.trace = trace  # also keep each leaf's unrounded points and whether its value was missing
        self.ctx_group = GROUP if c.units.group else None
        self.exclude = uses_exclude(c)
        self.leafwise = c.round_at == "leaves"
        self.open = {code for part, nodes in parts(c) for code in _open_groups(nodes, c.missing)}

    def r(self, e: pl.Expr) -> pl.Expr:
        """Rounding of a leaf or subtotal (only under round_at: leaves)."""
        return round_expr(e, self.c.precision) if self.leafwise else e

    def leaf(self, leaf: Leaf) -> list[pl.Expr]:
        top = leaf.node.max_points
        snapped = SNAPPED + leaf.node.code if compared_value(leaf.rule) is not None else None
        raw = raw_points(leaf.rule, top, Context(self.ctx_group, leaf.part),
                         None if snapped is None else pl.col(snapped))
        missing = raw.is_null()
        if leaf.policy == "zero":
            raw = raw.fill_null(0.0)
        elif leaf.policy == "full":
            raw = raw.fill_null(lit(top))
        code = leaf.node.code
        out = [self.r(raw).alias(points_col(code))]
        if self.trace:
            out += [raw.alias(raw_col(code)), missing.alias(missing_col(code))]
            out += [e.alias(work_col(code, what)) for what, e in working_of(leaf.rule, self.ctx_group)]
        if self.exclude and leaf.part == "main":
            out.append(pl.when(raw.is_null()).then(lit(0.0)).otherwise(lit(top)).alias(attain_col(code)))
        return out

    def group(self, node: m.Node, part: str) -> list[pl.Expr]:
        kids = node.children or []
        cols = [pl.col(points_col(k.code)) for k in kids]
        none_there = pl.all_horizontal([col.is_null() for col in cols])
        # a child may be absent (a criterion below it does not apply): the mean is of those there
        absent = self.exclude if part == "main" else node.code in self.open
        if node.how == "sum":
            value = pl.sum_horizontal(cols)
        else:
            ws: list[float | pl.Expr] = list(weights(kids))
            if absent and min(weights(kids)) < NORMAL:  # weights too far apart for one scale:
                # scaled in each row by the largest weight of the children there
                there = pl.max_horizontal([pl.when(col.is_not_null()).then(lit(k.weight))
                                           for k, col in zip(kids, cols)])
                ws = [divide(lit(k.weight), there).clip(lower_bound=TINY) for k in kids]
            weight = (pl.sum_horizontal([pl.when(col.is_not_null()).then(w) for w, col in zip(ws, cols)])
                      if absent else lit(sum(weights(kids))))
            # each child's share of what it could earn: of its max, or (when criteria below it may
            # not apply) of its own attainable points, so that a criterion left out counts as absent
            if self.exclude and part == "main":
                shares = [divide(col, pl.col(attain_col(k.code))) for k, col in zip(kids, cols)]
            else:
                shares = [divide(col, k.max_points) for k, col in zip(kids, cols)]
            if node.how == "weighted_mean":
                share = pl.sum_horizontal([w * x for w, x in zip(ws, shares)])
            else:  # geometric_mean; a child at 0 sends the log to -inf and the mean to 0
                share = pl.sum_horizontal([w * x.log() for w, x in zip(ws, shares)])
            share = divide(share, weight if absent else sum(weights(kids)))
            value = node.max_points * (share if node.how == "weighted_mean" else share.exp())
        points = pl.when(none_there).then(None).otherwise(value) if absent else value
        out = [self.r(points).alias(points_col(node.code))]
        if self.exclude and part == "main":
            attains = [pl.col(attain_col(k.code)) for k in kids]
            if node.how == "sum":
                attain = pl.sum_horizontal(attains)
            else:
                attain = pl.when(pl.all_horizontal([a == 0 for a in attains])).then(lit(0.0)) \
                    .otherwise(lit(node.max_points))
            out.append(attain.alias(attain_col(node.code)))
        return out

    def stages(self) -> list[list[pl.Expr]]:
        """Lists of expressions, each list computed from the columns of the lists before it."""
        c = self.c
        values = [v.alias(SNAPPED + leaf.node.code) for leaf in leaves(c)
                  if (v := compared_value(leaf.rule)) is not None]
        first = [e for leaf in leaves(c) for e in self.leaf(leaf)]
        by_height: dict[int, list[pl.Expr]] = {}
        for part, nodes in parts(c):
            for node in groups(nodes):
                by_height.setdefault(_height(node), []).extend(self.group(node, part))
        stages = [*([values] if values else []), first] + [by_height[h] for h in sorted(by_height)]
        stages.append(self.totals())
        stages.append(self.total())
        stages.append(self.knockouts_and_class())
        return stages

    def spent(self) -> list[str]:
        """The columns only the leaves read (each comparing rule's snapped value): the query drops
        them once the leaves are computed, so that they are not held to its end (a million units'
        bench.yaml held 25 of them, 200 MB, at the peak)."""
        return [SNAPPED + leaf.node.code for leaf in leaves(self.c)
                if compared_value(leaf.rule) is not None]

    def _sum_part(self, part: str) -> pl.Expr:
        nodes = dict(parts(self.c)).get(part)
        if not nodes:
            return lit(0.0)
        return self.r(pl.sum_horizontal([pl.col(points_col(n.code)) for n in nodes]))

    def totals(self) -> list[pl.Expr]:
        c = self.c
        earned = self._sum_part("main")
        if self.exclude:
            attainable = pl.sum_horizontal([pl.col(attain_col(n.code)) for n in c.criteria])
            main = self.r(pl.when(attainable > 0).then(divide(earned * c.total, attainable)).otherwise(lit(0.0)))
        else:
            attainable, main = lit(c.total), earned
        out = [earned.alias(EARNED), attainable.alias(ATTAINABLE), main.alias(MAIN)]
        for part in ("bonus", "penalty"):
            extra = getattr(c, part)
            value = (pl.min_horizontal(self._sum_part(part), lit(extra.max_points))
                     if extra is not None else lit(0.0))
            out.append(value.alias(part))
        return out

    def total(self) -> list[pl.Expr]:
        raw = pl.max_horizontal(pl.col(MAIN) + pl.col(BONUS) - pl.col(PENALTY), lit(0.0))
        return [round_expr(raw, self.c.precision).alias(TOTAL)]

    def knockouts_and_class(self) -> list[pl.Expr]:
        """Each knockout's hit (engine.standing lists their codes); the classification, which knockouts may cap,
        is decided with the ranks (decisions.py)."""
        c = self.c
        out = [self.knockout_hit(k).alias(f"ko.{k.code}") for k in c.knockouts]
        barred = [self.knockout_hit(k) for k in c.knockouts if k.effect == "ineligible"]
        out.append((pl.any_horizontal(barred) if barred else pl.lit(False)).alias("__barred"))
        out.append((pl.any_horizontal([self.knockout_hit(k) for k in c.knockouts])
                    if c.knockouts else pl.lit(False)).alias("__knocked"))
        return out

    def knockout_hit(self, k: m.Knockout) -> pl.Expr:
        return condition(k.when, self.c.missing)


def condition(text: str, policy: m.Policy) -> pl.Expr:
    """A knockout or eligibility condition; a missing value counts as 0 under `missing: zero`,
    and otherwise leaves the condition unmet (under `missing: error` it was reported before)."""
    parsed = expr.check(text, "bool")
    column = (lambda name: pl.col(name).fill_null(0.0)) if policy == "zero" else pl.col
    return expr.to_polars(parsed, column).fill_null(False)

