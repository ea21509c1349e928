"""The checks of a criteria file's history conditions (../shared/spec/council-path.md §5) that
need no history file: `year` and `history:` present, each condition one title or classification with one
`streak` or `count`/`within`, an award it names decided before it, and no condition that the
years it reads could never meet."""

from __future__ import annotations

from collections.abc import Callable

from thidua import model as m
from thidua.core import history as hs
from thidua.i18n import _


def nearest(code: str, candidates: list[str]) -> str:
    from thidua.input.history import nearest as near

    return near(code, candidates)


MOST_YEARS = 60  # a window's years are held as the bits of one 64-bit mask per unit


def check_history(c: m.Criteria, add: Callable[[str, str], None]) -> None:
    codes = [a.code for a in c.awards]
    labels = [b.label for b in c.classification]
    if not hs.used(c):
        return
    first = next(i for i, a in enumerate(c.awards) if a.eligible.history)
    if c.year is None:
        add(f"awards[{first}].eligible.history", _(
            "history conditions need year: (the year this file scores) at the top of the file"))
    if c.history is None:
        add(f"awards[{first}].eligible.history", _(
            "history conditions need the history: section naming the history file's columns "
            "(id, year, title)"))
    for i, a in enumerate(c.awards):
        for k, item in enumerate(a.eligible.history or []):
            if isinstance(item, m.AnyOf) and not item.any:
                add(f"awards[{i}].eligible.history[{k}].any", _("any: needs at least one condition"))
    for i, k, t, cond in hs.conditions(c):
        item = (c.awards[i].eligible.history or [])[k]
        where = f"awards[{i}].eligible.history[{k}]" + (f".any[{t}]" if isinstance(item, m.AnyOf) else "")
        if (cond.title is None) == (cond.classification is None):
            add(where, _("needs exactly one of title or classification"))
            continue
        if (cond.streak is None) == (cond.count is None):
            add(where, _("needs exactly one of streak or count (with within)"))
            continue
        if cond.streak is not None:
            if cond.within is not None:
                add(f"{where}.within", _("within goes with count, not with streak"))
            if cond.streak < 1:
                add(f"{where}.streak", _("must be 1 or more, got {value}", value=cond.streak))
                continue
        else:
            assert cond.count is not None
            if cond.within is None:
                add(f"{where}.within", _("count needs within: the years of the window"))
                continue
            if cond.count < 1:
                add(f"{where}.count", _("must be 1 or more, got {value}", value=cond.count))
                continue
            if cond.within < cond.count:
                add(f"{where}.within", _("must be at least count ({count}), got {value}",
                                         count=cond.count, value=cond.within))
                continue
        window = cond.streak if cond.streak is not None else cond.within
        if window is not None and window > MOST_YEARS:
            add(f"{where}.{'streak' if cond.streak is not None else 'within'}",
                _("must be at most {most} years, got {value}", most=MOST_YEARS, value=window))
            continue
        if cond.title is not None and cond.title in codes and cond.title not in codes[:i]:
            add(f"{where}.title", _(
                "{code} is not listed before this award; the year scored counts an award's list "
                "only when it is decided earlier in the file", code=repr(cond.title)))
            continue
        if c.year is None:
            continue
        term = hs.compile_term(c, i, cond)
        if cond.through == "year" and not term.scored and term.need > term.within - 1:
            what = (_("{code} is no award of this file", code=repr(cond.title)) if cond.title is not None
                    else _("{code} is not a classification label", code=repr(cond.classification)))
            add(where, _("{what}, so the year scored ({year}) cannot hold it and the condition "
                         "can never hold; write through: previous to end the window in {before}",
                         what=what, year=c.year, before=c.year - 1)
                + nearest(term.code, codes[:i] if cond.title is not None else labels))
