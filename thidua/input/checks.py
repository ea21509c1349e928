"""The rules that tie a criteria file's parts together, each problem reported at its place."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterator

from thidua import model as m
from thidua.core import expr
from thidua.errors import Problem

TOLERANCE = 1e-9


def _fmt(x: float) -> str:
    return f"{x:g}"


def _fits(x: float, precision: int) -> bool:
    scaled = x * 10**precision
    return not math.isfinite(scaled) or abs(scaled - round(scaled)) < 1e-6


def walk(nodes: list[m.Node], path: str) -> Iterator[tuple[str, m.Node]]:
    """Every node below `path` with its location, parents first."""
    for i, node in enumerate(nodes):
        here = f"{path}[{i}]"
        yield here, node
        if node.children:
            yield from walk(node.children, f"{here}.children")


def all_nodes(criteria: m.Criteria) -> Iterator[tuple[str, m.Node]]:
    yield from walk(criteria.criteria, "criteria")
    if criteria.bonus:
        yield from walk(criteria.bonus.criteria, "bonus.criteria")
    if criteria.penalty:
        yield from walk(criteria.penalty.criteria, "penalty.criteria")


def check_criteria(c: m.Criteria) -> list[Problem]:
    problems: list[Problem] = []
    add = lambda where, message: problems.append(Problem(where, message))  # noqa: E731

    if c.total <= 0:
        add("total", f"must be more than 0, got {_fmt(c.total)}")
    if c.precision is not None and not 0 <= c.precision <= 10:
        add("precision", f"must be from 0 to 10 decimals (or null: never round), got {c.precision}")
    for key in ("id", "name", "group"):
        if getattr(c.units, key) == "":
            add(f"units.{key}", "must name a data column")
    if not c.criteria:
        add("criteria", "needs at least one criterion")
    top = sum(n.max_points for n in c.criteria)
    if c.criteria and abs(top - c.total) > TOLERANCE:
        add("total", f"the top-level criteria add up to {_fmt(top)}, not {_fmt(c.total)}")

    if c.precision is not None and 0 <= c.precision <= 10:
        for where, node in all_nodes(c):
            if not _fits(node.max_points, c.precision):
                add(f"{where}.max_points", f"{_fmt(node.max_points)} has more decimals than precision "
                    f"{c.precision}: rounded points could pass it")

    seen: dict[str, str] = {}
    for where, node in all_nodes(c):
        if node.code in seen:
            add(f"{where}.code", f"duplicate code {node.code!r} (also at {seen[node.code]})")
        else:
            seen[node.code] = where
        _check_node(where, node, add)
    for key in ("bonus", "penalty"):
        extra = getattr(c, key)
        if extra is not None and extra.max_points < 0:
            add(f"{key}.max_points", f"must be 0 or more, got {_fmt(extra.max_points)}")

    labels = [band.label for band in c.classification]
    _check_columns(c, add)
    _check_expression_budget(c, add)
    _check_yes_no_columns(c, add)
    _check_classification(c, add)
    _check_knockouts(c, labels, add)
    _check_ranking(c, seen, add)
    _check_awards(c, labels, add)
    return problems


def _check_node(where: str, node: m.Node, add) -> None:
    if node.code.strip() == "":
        add(f"{where}.code", "must not be empty")
    if node.max_points < 0:
        add(f"{where}.max_points", f"must be 0 or more, got {_fmt(node.max_points)}")
    if node.weight <= 0:
        add(f"{where}.weight", f"must be more than 0, got {_fmt(node.weight)}")
    if node.children is not None and node.rule is not None:
        add(where, "a criterion has either children or a rule, not both")
        return
    if node.children is None and node.rule is None:
        add(where, "needs either children (a group) or a rule (a leaf)")
        return
    if node.rule is not None:
        if node.aggregate is not None:
            add(f"{where}.aggregate", "only a group (a criterion with children) aggregates")
        _check_rule(f"{where}.rule", node.rule, node.max_points, add, inside_formula=False)
        return
    assert node.children is not None
    if not node.children:
        add(f"{where}.children", "a group needs at least one child")
        return
    if node.how == "sum":
        below = sum(child.max_points for child in node.children)
        if abs(below - node.max_points) > TOLERANCE:
            add(f"{where}.max_points", f"the children add up to {_fmt(below)}, "
                                       f"not {_fmt(node.max_points)}")
    else:
        for i, child in enumerate(node.children):
            if child.max_points <= 0:
                add(f"{where}.children[{i}].max_points",
                    f"must be more than 0 under {node.how} (a share of 0 points has no meaning)")


def _check_rule(where: str, rule: m.Rule, max_points: float, add, *, inside_formula: bool) -> None:
    if isinstance(rule, m.Formula):
        try:
            expr.check(rule.expr, "number")
        except expr.ExprError as e:
            add(f"{where}.expr", str(e))
        _check_rule(f"{where}.then", rule.then, max_points, add, inside_formula=True)
        return
    if inside_formula and rule.indicator is not None:
        add(f"{where}.indicator", "not allowed under formula.then: the formula gives the value")
    if not inside_formula and not rule.indicator:
        add(f"{where}.indicator", "required: the data column this rule reads")
    target = getattr(rule, "target", None)
    if isinstance(target, float) and target <= 0 and isinstance(rule, (m.Ratio, m.TargetLeader)):
        # ratio and target_leader divide by the target; shortfall only subtracts it, and
        # "0 đơn thư quá hạn, mỗi đơn trừ 2 điểm" is a target of 0
        add(f"{where}.target", f"must be more than 0, got {_fmt(target)}")
    if isinstance(target, m.IndicatorRef) and not target.indicator:
        add(f"{where}.target.indicator", "must name a data column")
    if isinstance(rule, m.Linear):
        if rule.zero_at == rule.full_at:
            add(f"{where}.full_at", f"must differ from zero_at (both {_fmt(rule.zero_at)})")
        if rule.transform == "log":
            for key in ("zero_at", "full_at"):
                if getattr(rule, key) <= 0:
                    add(f"{where}.{key}", "must be more than 0 with transform: log")
    elif isinstance(rule, m.Shortfall) and rule.per_unit <= 0:
        add(f"{where}.per_unit", f"must be more than 0, got {_fmt(rule.per_unit)}")
    elif isinstance(rule, m.PerCount) and rule.each <= 0:
        add(f"{where}.each", f"must be more than 0, got {_fmt(rule.each)}")
    elif isinstance(rule, m.TargetLeader) and not 0 <= rule.base_share <= 1:
        add(f"{where}.base_share", f"must be from 0 to 1, got {_fmt(rule.base_share)}")
    elif isinstance(rule, m.Bands):
        if not rule.bands:
            add(f"{where}.bands", "needs at least one band")
        for i, band in enumerate(rule.bands):
            if band.min is None and band.max is None:
                add(f"{where}.bands[{i}]", "needs min (value at least) or max (value at most)")
            if band.points < 0 or band.points > max_points + TOLERANCE:
                add(f"{where}.bands[{i}].points",
                    f"{_fmt(band.points)} is outside 0..{_fmt(max_points)} (the criterion's max_points)")
            if band.min is not None and band.max is not None and band.min > band.max:
                add(f"{where}.bands[{i}]", f"can never match: min {_fmt(band.min)} is above "
                    f"max {_fmt(band.max)}")
                continue
            earlier = next((k for k, e in enumerate(rule.bands[:i]) if _covers(e, band)), None)
            if earlier is not None and (band.min is not None or band.max is not None):
                add(f"{where}.bands[{i}]", f"can never match: bands[{earlier}] comes first and "
                    "matches every value it does (the first band that matches gives the points)")


def _covers(first: m.Band, later: m.Band) -> bool:
    """Whether every value that `later` matches is already matched by `first`."""
    low = first.min is None or (later.min is not None and first.min <= later.min)
    high = first.max is None or (later.max is not None and first.max >= later.max)
    return low and high and (first.min is not None or first.max is not None)


def expressions(c: m.Criteria) -> Iterator[tuple[str, str]]:
    """Every expression of the file with its place: formulas, knockouts, eligibility."""
    for where, node in all_nodes(c):
        if isinstance(node.rule, m.Formula):
            yield f"{where}.rule.expr", node.rule.expr
    for i, ko in enumerate(c.knockouts):
        yield f"knockouts[{i}].when", ko.when
    for i, award in enumerate(c.awards):
        if award.eligible.when is not None:
            yield f"awards[{i}].eligible.when", award.eligible.when


def _check_expression_budget(c: m.Criteria, add) -> None:
    """All expressions together stay within expr.MAX_FILE_NODES: each is bounded on its own,
    but a file of many long formulas would make scoring need gigabytes."""
    total = 0
    for where, text in expressions(c):
        try:
            total += expr.size(expr.parse(text))
        except expr.ExprError:
            continue  # reported at its place
        if total > expr.MAX_FILE_NODES:
            add(where, f"the file's expressions reach {total:,} parts (numbers, names, operators) "
                f"here, more than the {expr.MAX_FILE_NODES:,} a criteria file may hold in all")
            return


def _check_columns(c: m.Criteria, add) -> None:
    """`columns:` maps names this file reads to headers: each key must be one of them, each label
    a header of its own; `units.groups` lists clusters once each, and needs `units.group`."""
    from thidua.core.scoring import indicators
    from thidua.input.data.columns import did_you_mean
    from thidua.input.data.parse import header_key

    try:
        numbers, flags = indicators(c)
    except Exception:
        numbers, flags = frozenset(), frozenset()
    read = [c.units.id, c.units.name, *([c.units.group] if c.units.group else []),
            *sorted(numbers | flags)]
    taken: dict[str, str] = {}
    for name, label in c.columns.items():
        if name not in read:
            add(f"columns.{name}", f"{name!r} is not a name this file reads (its units' columns, "
                f"indicators and tie-breaks){did_you_mean(name, read)}")
        if not label.strip():
            add(f"columns.{name}", "the label is empty; write the header as the data file has it")
            continue
        key = header_key(label)
        if key in taken:
            add(f"columns.{name}", f"the label {label!r} is also the label of {taken[key]!r}: "
                "one header cannot hold two columns")
        else:
            taken[key] = name
    for name in read:
        key = header_key(name)
        if name not in c.columns and key in taken and taken[key] != name:
            add(f"columns.{taken[key]}", f"the label {c.columns[taken[key]]!r} is also the name "
                f"of {name!r}, which this file reads under its own name")
    if c.units.groups is not None:
        if not c.units.group:
            add("units.groups", "lists clusters, but units.group names no group column")
        seen: set[str] = set()
        for i, g in enumerate(c.units.groups):
            text = unicodedata.normalize("NFC", g).strip()
            if not text:
                add(f"units.groups[{i}]", "is empty; write the cluster's name")
            elif text in seen:
                add(f"units.groups[{i}]", f"{g!r} is listed twice")
            seen.add(text)
    for i, s in enumerate(c.units.skip):
        if not s.strip():
            add(f"units.skip[{i}]", "is empty; write the text of the row's id or name cell")


def _check_yes_no_columns(c: m.Criteria, add) -> None:
    """A column a `boolean` rule reads holds yes/no values (có/không); the contract reads every
    other indicator as a number. An expression or a tie-break that reads it as a number would
    make every có/không in the data "not a number": one error here names both places."""
    flags: dict[str, str] = {}
    for where, node in all_nodes(c):
        if isinstance(node.rule, m.Boolean) and node.rule.indicator:
            flags.setdefault(node.rule.indicator, f"{where}.rule")
    if not flags:
        return
    for where, node in all_nodes(c):
        rule = node.rule
        if rule is None or isinstance(rule, m.Boolean):
            continue
        formula = isinstance(rule, m.Formula)
        inner = rule.then if isinstance(rule, m.Formula) else rule
        at = f"{where}.rule.then" if formula else f"{where}.rule"
        target = getattr(inner, "target", None)
        columns: list[tuple[str, str | None]] = [
            ("target.indicator", target.indicator if isinstance(target, m.IndicatorRef) else None),
            ("indicator", None if formula else inner.indicator),  # under then: the formula's value
        ]
        for key, name in columns:
            if name is not None and name in flags:
                add(f"{at}.{key}", f"{name!r} is a yes/no column (the boolean rule at {flags[name]} "
                    f"reads it); a {inner.type} rule reads it as a number")
    for where, text in expressions(c):
        try:
            names = expr.names(expr.parse(text))
        except expr.ExprError:
            continue  # reported at its place
        for name in sorted(names & flags.keys()):
            add(where, f"{name!r} is a yes/no column (the boolean rule at {flags[name]} reads it); "
                "an expression reads it as a number")
    for i, tb in enumerate(c.ranking.tie_break):
        if tb.indicator in flags:
            add(f"ranking.tie_break[{i}].indicator", f"{tb.indicator!r} is a yes/no column (the "
                f"boolean rule at {flags[tb.indicator]} reads it); a tie-break reads it as a number "
                "(break the tie on that criterion instead: {criterion: <code>})")


def reachable_total(c: m.Criteria) -> float:
    """The highest total a unit can get: every main point and the whole bonus."""
    return c.total + (c.bonus.max_points if c.bonus else 0.0)


def _check_classification(c: m.Criteria, add) -> None:
    seen: set[str] = set()
    top = reachable_total(c)
    floor: m.ClassBand | None = None  # the first band that takes every total
    for i, band in enumerate(c.classification):
        where = f"classification[{i}]"
        if band.label in seen:
            add(f"{where}.label", f"duplicate label {band.label!r}")
        seen.add(band.label)
        before = c.classification[i - 1] if i else None
        if before is not None and band.min > before.min:
            add(f"{where}.min", f"{_fmt(band.min)} is above the band before it "
                f"({_fmt(before.min)}); list bands from the highest down")
        elif before is not None and band.min == before.min:
            add(f"{where}.min", f"{_fmt(band.min)} equals the min of the band before it "
                f"({before.label!r}), which matches first: {band.label!r} can never be given")
        elif band.min > top + TOLERANCE:
            how = f"total {_fmt(c.total)}" + (f" + bonus {_fmt(c.bonus.max_points)}" if c.bonus else "")
            add(f"{where}.min", f"{_fmt(band.min)} is above {_fmt(top)}, the highest total a unit "
                f"can reach ({how}): {band.label!r} can never be given")
        elif floor is not None:
            add(f"{where}", f"{band.label!r} can never be given: {floor.label!r} before it (min "
                f"{_fmt(floor.min)}) takes every total, which is never below 0")
        if floor is None and band.min <= 0:
            floor = band


def _check_knockouts(c: m.Criteria, labels: list[str], add) -> None:
    seen: set[str] = set()
    for i, ko in enumerate(c.knockouts):
        if ko.code in seen:
            add(f"knockouts[{i}].code", f"duplicate code {ko.code!r}")
        seen.add(ko.code)
        try:
            expr.check(ko.when, "bool")
        except expr.ExprError as e:
            add(f"knockouts[{i}].when", str(e))
        if isinstance(ko.effect, m.Cap) and ko.effect.cap not in labels:
            add(f"knockouts[{i}].effect.cap", f"{ko.effect.cap!r} is not a classification label"
                + (f" (labels: {', '.join(labels)})" if labels else " (the file has no classification)"))


def _check_ranking(c: m.Criteria, codes: dict[str, str], add) -> None:
    for i, tb in enumerate(c.ranking.tie_break):
        where = f"ranking.tie_break[{i}]"
        if (tb.criterion is None) == (tb.indicator is None):
            add(where, "needs exactly one of criterion or indicator")
        elif tb.criterion is not None and tb.criterion not in codes:
            add(f"{where}.criterion", f"no criterion has code {tb.criterion!r}")


def _check_awards(c: m.Criteria, labels: list[str], add) -> None:
    codes = [a.code for a in c.awards]
    for i, award in enumerate(c.awards):
        where = f"awards[{i}]"
        if award.code in codes[:i]:
            add(f"{where}.code", f"duplicate code {award.code!r}")
        if award.per == "group" and not c.units.group:
            add(f"{where}.per", "per: group needs units.group (the cluster column)")
        q = award.quota
        if (q.count is None) == (q.percent is None):
            add(f"{where}.quota", "needs exactly one of count or percent")
        if q.count is not None and q.count < 0:
            add(f"{where}.quota.count", f"must be 0 or more, got {q.count}")
        if q.percent is not None and not 0 < q.percent <= 100:
            add(f"{where}.quota.percent", f"must be more than 0 and at most 100, got {_fmt(q.percent)}")
        if q.min < 0:
            add(f"{where}.quota.min", f"must be 0 or more, got {q.min}")
        if isinstance(q.of, m.ByClassification) and q.of.classification not in labels:
            add(f"{where}.quota.of.classification",
                f"{q.of.classification!r} is not a classification label")
        if isinstance(q.of, m.ByAward):
            if q.of.award == award.code:
                add(f"{where}.quota.of.award", "an award's quota cannot count its own list")
            elif q.of.award not in codes:
                add(f"{where}.quota.of.award", f"no award has code {q.of.award!r}")
            elif q.of.award not in codes[:i]:
                add(f"{where}.quota.of.award", f"{q.of.award!r} comes later; a quota can only count "
                    "an award listed before it")
        e = award.eligible
        for label in e.classification or []:
            if label not in labels:
                add(f"{where}.eligible.classification", f"{label!r} is not a classification label")
        for j, needed in enumerate(e.awards or []):
            if needed not in codes:
                add(f"{where}.eligible.awards[{j}]", f"no award has code {needed!r}")
            elif needed not in codes[:i]:
                add(f"{where}.eligible.awards[{j}]", f"{needed!r} is not listed before this award; "
                    "an award can only require an earlier one")
        if e.max_rank is not None and e.max_rank < 1:
            add(f"{where}.eligible.max_rank", f"must be 1 or more, got {e.max_rank}")
        if e.when is not None:
            try:
                expr.check(e.when, "bool")
            except expr.ExprError as err:
                add(f"{where}.eligible.when", str(err))
