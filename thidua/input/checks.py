"""The rules that tie a criteria file's parts together, each problem reported at its place."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterator

from thidua import model as m
from thidua.core import expr
from thidua.errors import Problem
from thidua.i18n import _, thousands
from thidua.input.ballot_checks import check_ballots
from thidua.input.checks_treatment import check_treatment
from thidua.input.history_checks import check_history
from thidua.input.members import check_model as check_members

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
        add("total", _("must be more than 0, got {value}", value=_fmt(c.total)))
    if c.precision is not None and not 0 <= c.precision <= 10:
        add("precision", _("must be from 0 to 10 decimals (or null: never round), got {value}",
                             value=c.precision))
    for key in ("id", "name", "group"):
        if getattr(c.units, key) == "":
            add(f"units.{key}", _("must name a data column"))
    if not c.criteria:
        add("criteria", _("needs at least one criterion"))
    top = sum(n.max_points for n in c.criteria)
    if c.criteria and abs(top - c.total) > TOLERANCE:
        add("total", _("the top-level criteria add up to {sum}, not {total}", sum=_fmt(top),
                         total=_fmt(c.total)))

    if c.precision is not None and 0 <= c.precision <= 10:
        for where, node in all_nodes(c):
            if not _fits(node.max_points, c.precision):
                add(f"{where}.max_points", _("{value} has more decimals than precision {precision}: "
                                              "rounded points could pass it",
                                              value=_fmt(node.max_points), precision=c.precision))

    seen: dict[str, str] = {}
    for where, node in all_nodes(c):
        if node.code in seen:
            add(f"{where}.code", _("duplicate code {code} (also at {place})", code=repr(node.code),
                                    place=seen[node.code]))
        else:
            seen[node.code] = where
        _check_node(where, node, add)
    for key in ("bonus", "penalty"):
        extra = getattr(c, key)
        if extra is not None and extra.max_points < 0:
            add(f"{key}.max_points", _("must be 0 or more, got {value}", value=_fmt(extra.max_points)))

    labels = [band.label for band in c.classification]
    _check_columns(c, add)
    _check_expression_budget(c, add)
    _check_yes_no_columns(c, add)
    _check_classification(c, add)
    _check_knockouts(c, labels, add)
    _check_ranking(c, seen, add)
    _check_awards(c, labels, add)
    check_history(c, add)  # council-path §5 (input/history_checks.py)
    check_members(c, add)  # the members conditions (input/members.py)
    problems += _stage_problems(c)
    problems += check_ballots(c)  # council, ballot, money, coefficient (ballot_checks.py)
    check_treatment(c, add)  # treatment: (checks_treatment.py)
    return problems


def _stage_problems(c: m.Criteria) -> list[Problem]:
    """`stages:` (an addition): thidua/core/stages.py says what it may hold."""
    from thidua.core.stages import check_stages

    return check_stages(c)


def _check_node(where: str, node: m.Node, add) -> None:
    if node.code.strip() == "":
        add(f"{where}.code", _("must not be empty"))
    if node.max_points < 0:
        add(f"{where}.max_points", _("must be 0 or more, got {value}", value=_fmt(node.max_points)))
    if node.weight <= 0:
        add(f"{where}.weight", _("must be more than 0, got {value}", value=_fmt(node.weight)))
    if node.children is not None and node.rule is not None:
        add(where, _("a criterion has either children or a rule, not both"))
        return
    if node.children is None and node.rule is None:
        add(where, _("needs either children (a group) or a rule (a leaf)"))
        return
    if node.rule is not None:
        if node.aggregate is not None:
            add(f"{where}.aggregate", _("only a group (a criterion with children) aggregates"))
        _check_rule(f"{where}.rule", node.rule, node.max_points, add, inside_formula=False)
        return
    assert node.children is not None
    if not node.children:
        add(f"{where}.children", _("a group needs at least one child"))
        return
    if node.how == "sum":
        below = sum(child.max_points for child in node.children)
        if abs(below - node.max_points) > TOLERANCE:
            add(f"{where}.max_points", _("the children add up to {sum}, not {max_points}",
                                         sum=_fmt(below), max_points=_fmt(node.max_points)))
    else:
        for i, child in enumerate(node.children):
            if child.max_points <= 0:
                add(f"{where}.children[{i}].max_points",
                    _("must be more than 0 under {how} (a share of 0 points has no meaning)",
                      how=node.how))


def _check_rule(where: str, rule: m.Rule, max_points: float, add, *, inside_formula: bool) -> None:
    if isinstance(rule, m.Formula):
        try:
            expr.check(rule.expr, "number")
        except expr.ExprError as e:
            add(f"{where}.expr", str(e))
        _check_rule(f"{where}.then", rule.then, max_points, add, inside_formula=True)
        return
    if inside_formula and rule.indicator is not None:
        add(f"{where}.indicator", _("not allowed under formula.then: the formula gives the value"))
    if not inside_formula and not rule.indicator:
        add(f"{where}.indicator", _("required: the data column this rule reads"))
    target = getattr(rule, "target", None)
    if isinstance(target, float) and target <= 0 and isinstance(rule, (m.Ratio, m.TargetLeader)):
        # ratio and target_leader divide by the target; shortfall only subtracts it, and
        # "0 đơn thư quá hạn, mỗi đơn trừ 2 điểm" is a target of 0
        add(f"{where}.target", _("must be more than 0, got {value}", value=_fmt(target)))
    if isinstance(target, m.IndicatorRef) and not target.indicator:
        add(f"{where}.target.indicator", _("must name a data column"))
    if isinstance(rule, m.Linear):
        if rule.zero_at == rule.full_at:
            add(f"{where}.full_at", _("must differ from zero_at (both {value})",
                                         value=_fmt(rule.zero_at)))
        if rule.transform == "log":
            for key in ("zero_at", "full_at"):
                if getattr(rule, key) <= 0:
                    add(f"{where}.{key}", _("must be more than 0 with transform: log"))
    elif isinstance(rule, m.Shortfall) and rule.per_unit <= 0:
        add(f"{where}.per_unit", _("must be more than 0, got {value}", value=_fmt(rule.per_unit)))
    elif isinstance(rule, m.PerCount) and rule.each <= 0:
        add(f"{where}.each", _("must be more than 0, got {value}", value=_fmt(rule.each)))
    elif isinstance(rule, m.TargetLeader) and not 0 <= rule.base_share <= 1:
        add(f"{where}.base_share", _("must be from 0 to 1, got {value}", value=_fmt(rule.base_share)))
    elif isinstance(rule, m.ZScore) and rule.clip <= 0:
        add(f"{where}.clip", _("must be more than 0 (standard deviations), got {value}",
                               value=_fmt(rule.clip)))
    elif isinstance(rule, m.Borda) and rule.each is not None and rule.each <= 0:
        add(f"{where}.each", _("must be more than 0, got {value}", value=_fmt(rule.each)))
    elif isinstance(rule, m.Bands):
        if not rule.bands:
            add(f"{where}.bands", _("needs at least one band"))
        for i, band in enumerate(rule.bands):
            if band.min is None and band.max is None:
                add(f"{where}.bands[{i}]", _("needs min (value at least) or max (value at most)"))
            if band.points < 0 or band.points > max_points + TOLERANCE:
                add(f"{where}.bands[{i}].points",
                    _("{value} is outside 0..{max_points} (the criterion's max_points)",
                      value=_fmt(band.points), max_points=_fmt(max_points)))
            if band.min is not None and band.max is not None and band.min > band.max:
                add(f"{where}.bands[{i}]", _("can never match: min {min} is above max {max}",
                                            min=_fmt(band.min), max=_fmt(band.max)))
                continue
            earlier = next((k for k, e in enumerate(rule.bands[:i]) if _covers(e, band)), None)
            if earlier is not None and (band.min is not None or band.max is not None):
                add(f"{where}.bands[{i}]", _("can never match: bands[{earlier}] comes first and "
                                            "matches every value it does (the first band that "
                                            "matches gives the points)", earlier=earlier))


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
            add(where, _("the file's expressions reach {count} parts (numbers, names, operators) "
                         "here, more than the {limit} a criteria file may hold in all",
                         count=thousands(total), limit=thousands(expr.MAX_FILE_NODES)))
            return


def _check_columns(c: m.Criteria, add) -> None:
    """`columns:` maps names this file reads to headers: each key must be one of them, each label
    a header of its own; `units.groups` lists clusters once each, and needs `units.group`."""
    from thidua.core.scoring import indicators
    from thidua.input.data.columns import did_you_mean
    from thidua.input.data.parse import header_key

    try:
        numbers, flags = indicators(c)
    except ValueError:  # an expression that does not parse: its own check reports it
        numbers, flags = frozenset(), frozenset()
    read = [c.units.id, c.units.name, *([c.units.group] if c.units.group else []),
            *sorted(numbers | flags)]
    taken: dict[str, str] = {}
    for name, label in c.columns.items():
        if name not in read:
            add(f"columns.{name}", _("{name} is not a name this file reads (its units' columns, "
                                    "indicators and tie-breaks)", name=repr(name))
                + did_you_mean(name, read))
        if not label.strip():
            add(f"columns.{name}", _("the label is empty; write the header as the data file has it"))
            continue
        key = header_key(label)
        if key in taken:
            add(f"columns.{name}", _("the label {label} is also the label of {other}: one header "
                                    "cannot hold two columns", label=repr(label),
                                    other=repr(taken[key])))
        else:
            taken[key] = name
    for name in read:
        key = header_key(name)
        if name not in c.columns and key in taken and taken[key] != name:
            add(f"columns.{taken[key]}", _("the label {label} is also the name of {name}, which this "
                                          "file reads under its own name",
                                          label=repr(c.columns[taken[key]]), name=repr(name)))
    if c.units.groups is not None:
        if not c.units.group:
            add("units.groups", _("lists clusters, but units.group names no group column"))
        seen: set[str] = set()
        for i, g in enumerate(c.units.groups):
            text = unicodedata.normalize("NFC", g).strip()
            if not text:
                add(f"units.groups[{i}]", _("is empty; write the cluster's name"))
            elif text in seen:
                add(f"units.groups[{i}]", _("{name} is listed twice", name=repr(g)))
            seen.add(text)
    for i, s in enumerate(c.units.skip):
        if not s.strip():
            add(f"units.skip[{i}]", _("is empty; write the text of the row's id or name cell"))


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
                add(f"{at}.{key}", _("{name} is a yes/no column (the boolean rule at {place} reads "
                                    "it); a {type} rule reads it as a number", name=repr(name),
                                    place=flags[name], type=inner.type))
    for where, text in expressions(c):
        try:
            names = expr.names(expr.parse(text))
        except expr.ExprError:
            continue  # reported at its place
        for name in sorted(names & flags.keys()):
            add(where, _("{name} is a yes/no column (the boolean rule at {place} reads it); an "
                         "expression reads it as a number", name=repr(name), place=flags[name]))
    for i, tb in enumerate(c.ranking.tie_break):
        if tb.indicator in flags:
            add(f"ranking.tie_break[{i}].indicator", _(
                "{name} is a yes/no column (the boolean rule at {place} reads it); a tie-break "
                "reads it as a number (break the tie on that criterion instead: {example})",
                name=repr(tb.indicator), place=flags[tb.indicator],
                example="{criterion: <code>}"))


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
            add(f"{where}.label", _("duplicate label {label}", label=repr(band.label)))
        seen.add(band.label)
        before = c.classification[i - 1] if i else None
        if before is not None and band.min > before.min:
            add(f"{where}.min", _("{value} is above the band before it ({before}); list bands from "
                                 "the highest down", value=_fmt(band.min), before=_fmt(before.min)))
        elif before is not None and band.min == before.min:
            add(f"{where}.min", _("{value} equals the min of the band before it ({before}), which "
                                 "matches first: {label} can never be given",
                                 value=_fmt(band.min), before=repr(before.label),
                                 label=repr(band.label)))
        elif band.min > top + TOLERANCE:
            how = (_("total {total} + bonus {bonus}", total=_fmt(c.total),
                     bonus=_fmt(c.bonus.max_points)) if c.bonus else
                   _("total {total}", total=_fmt(c.total)))
            add(f"{where}.min", _("{value} is above {top}, the highest total a unit can reach "
                                 "({how}): {label} can never be given", value=_fmt(band.min),
                                 top=_fmt(top), how=how, label=repr(band.label)))
        elif floor is not None:
            add(f"{where}", _("{label} can never be given: {floor} before it (min {min}) takes "
                             "every total, which is never below 0", label=repr(band.label),
                             floor=repr(floor.label), min=_fmt(floor.min)))
        if floor is None and band.min <= 0:
            floor = band


def _check_knockouts(c: m.Criteria, labels: list[str], add) -> None:
    seen: set[str] = set()
    for i, ko in enumerate(c.knockouts):
        if ko.code in seen:
            add(f"knockouts[{i}].code", _("duplicate code {code}", code=repr(ko.code)))
        seen.add(ko.code)
        try:
            expr.check(ko.when, "bool")
        except expr.ExprError as e:
            add(f"knockouts[{i}].when", str(e))
        if isinstance(ko.effect, m.Cap) and ko.effect.cap not in labels:
            add(f"knockouts[{i}].effect.cap",
                _("{label} is not a classification label (labels: {labels})",
                  label=repr(ko.effect.cap), labels=", ".join(labels)) if labels else
                _("{label} is not a classification label (the file has no classification)",
                  label=repr(ko.effect.cap)))


def _check_ranking(c: m.Criteria, codes: dict[str, str], add) -> None:
    for i, tb in enumerate(c.ranking.tie_break):
        where = f"ranking.tie_break[{i}]"
        if (tb.criterion is None) == (tb.indicator is None):
            add(where, _("needs exactly one of criterion or indicator"))
        elif tb.criterion is not None and tb.criterion not in codes:
            add(f"{where}.criterion", _("no criterion has code {code}", code=repr(tb.criterion)))


def _check_awards(c: m.Criteria, labels: list[str], add) -> None:
    codes = [a.code for a in c.awards]
    for i, award in enumerate(c.awards):
        where = f"awards[{i}]"
        if award.code in codes[:i]:
            add(f"{where}.code", _("duplicate code {code}", code=repr(award.code)))
        if award.per == "group" and not c.units.group:
            add(f"{where}.per", _("per: group needs units.group (the cluster column)"))
        q = award.quota
        if (q.count is None) == (q.percent is None):
            add(f"{where}.quota", _("needs exactly one of count or percent"))
        if q.count is not None and q.count < 0:
            add(f"{where}.quota.count", _("must be 0 or more, got {value}", value=q.count))
        if q.percent is not None and not 0 < q.percent <= 100:
            add(f"{where}.quota.percent", _("must be more than 0 and at most 100, got {value}",
                                             value=_fmt(q.percent)))
        if q.min < 0:
            add(f"{where}.quota.min", _("must be 0 or more, got {value}", value=q.min))
        if isinstance(q.of, m.ByClassification) and q.of.classification not in labels:
            add(f"{where}.quota.of.classification",
                _("{label} is not a classification label", label=repr(q.of.classification)))
        if isinstance(q.of, m.ByAward):
            if q.of.award == award.code:
                add(f"{where}.quota.of.award", _("an award's quota cannot count its own list"))
            elif q.of.award not in codes:
                add(f"{where}.quota.of.award", _("no award has code {code}", code=repr(q.of.award)))
            elif q.of.award not in codes[:i]:
                add(f"{where}.quota.of.award", _("{code} comes later; a quota can only count an award "
                                                "listed before it", code=repr(q.of.award)))
        e = award.eligible
        for label in e.classification or []:
            if label not in labels:
                add(f"{where}.eligible.classification",
                    _("{label} is not a classification label", label=repr(label)))
        for j, needed in enumerate(e.awards or []):
            if needed not in codes:
                add(f"{where}.eligible.awards[{j}]", _("no award has code {code}", code=repr(needed)))
            elif needed not in codes[:i]:
                add(f"{where}.eligible.awards[{j}]", _("{code} is not listed before this award; an "
                                                      "award can only require an earlier one",
                                                      code=repr(needed)))
        if e.max_rank is not None and e.max_rank < 1:
            add(f"{where}.eligible.max_rank", _("must be 1 or more, got {value}", value=e.max_rank))
        if e.when is not None:
            try:
                expr.check(e.when, "bool")
            except expr.ExprError as err:
                add(f"{where}.eligible.when", str(err))
