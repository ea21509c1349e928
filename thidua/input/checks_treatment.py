"""The checks of `treatment:` (an addition; thidua/core/treatment.py), each problem at its place."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from thidua import model as m
from thidua.core.scoring import indicators
from thidua.i18n import _


def _fmt(x: float) -> str:
    return f"{x:g}"


def check_treatment(c: m.Criteria, add) -> None:
    t = c.treatment
    if t is None:
        return
    numbers, flags = indicators(c)
    units = {c.units.id: "id", c.units.name: "name", **({c.units.group: "group"} if c.units.group else {})}

    def column(where: str, name: str) -> None:
        if name in units:
            add(where, _("{name} is the units' {key} column, not a number: only an indicator can "
                         "be treated", name=repr(name), key=units[name]))
        elif name in flags:
            add(where, _("{name} is a yes/no column (a boolean rule reads it), not a number: only "
                         "a numeric indicator can be treated", name=repr(name)))
        elif name not in numbers:
            add(where, _("{name} is read by no criterion, condition or tie-break as a number: "
                         "there is nothing to treat", name=repr(name)))

    def each(section: str, rules: list, twice) -> Iterator[tuple[str, Any]]:
        """Each rule of a section with its place, its indicator checked and named once only."""
        seen: dict[str, str] = {}
        for i, rule in enumerate(rules):
            where = f"treatment.{section}[{i}]"
            column(f"{where}.indicator", rule.indicator)
            if rule.indicator in seen:
                add(f"{where}.indicator", twice(repr(rule.indicator), seen[rule.indicator]))
            seen.setdefault(rule.indicator, where)
            yield where, rule

    list(each("impute", t.impute, lambda name, place: _(  # nothing more to check of an imputation
        "{name} is imputed twice (also at {place})", name=name, place=place)))
    for where, w in each("winsorise", t.winsorise, lambda name, place: _(
            "{name} is winsorised twice (also at {place})", name=name, place=place)):
        if w.method == "quantiles":
            if w.low is None and w.high is None:
                add(where, _("needs low and/or high: the quantiles (0 to 1) to winsorise to"))
            for key in ("low", "high"):
                q = getattr(w, key)
                if q is not None and not 0 <= q <= 1:
                    add(f"{where}.{key}", _("a quantile must be from 0 to 1, got {value}", value=_fmt(q)))
            if w.low is not None and w.high is not None and 0 <= w.low <= 1 and 0 <= w.high <= 1 \
                    and w.low >= w.high:
                add(f"{where}.high", _("must be above low ({low}), got {value}", low=_fmt(w.low),
                                       value=_fmt(w.high)))
            continue
        for key in ("low", "high"):
            if getattr(w, key) is not None:
                add(f"{where}.{key}", _("not used by method: skew_kurtosis (COINr's rule moves the "
                                        "outermost values until skew and kurtosis are within "
                                        "their limits); use method: quantiles"))
        for key in ("skew", "kurtosis"):
            if getattr(w, key) <= 0:
                add(f"{where}.{key}", _("must be more than 0, got {value}", value=_fmt(getattr(w, key))))
        if not 1 <= w.winmax <= 100:
            add(f"{where}.winmax", _("must be from 1 to 100 (the most values moved), got {value}",
                                     value=w.winmax))
