"""Conditions on earlier years (../shared/spec/council-path.md §5), compiled for the one
decision engine.

Each condition of an award's `eligible.history` is a window of years ending in `year` (or in
`year − 1` under `through: previous`) and a number needed: every year of the window for a
`streak`, `count` of them for `count`/`within`. It compiles to a `Term`:

- the years of the window the history file holds, per unit, as a bit mask (bit b: the year
  `last − b`), a column of the scored table (`history.<award>.<item>.<term>`) that does not move
  with the weights;
- what the year scored contributes, decided in this run and so in every scenario: the list of
  an earlier award of this file (a `title` that is an award code), or the unit's classification
  (a `classification` label of this file), or nothing (the window ends before the year scored,
  or the title is decided elsewhere).

A condition holds when the years held (history bits + the year scored) reach the number needed;
a year without a row is a year not held, so a gap breaks a streak. An `{any: […]}` item holds
when one of its terms holds. Pure: a frame of history rows in, expressions and arrays out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from thidua import model as m
from thidua.core.awards import col
from thidua.core.schema import history_col
from thidua.i18n import _


@dataclass(frozen=True)
class Term:
    """One condition, compiled: its window, the number needed and the year scored's part."""

    kind: str  # title | classification
    code: str  # the title code or the classification label, as the file writes it
    streak: bool
    need: int  # years held needed
    within: int  # years in the window
    last: int  # the window's last year
    award: int | None  # the earlier award whose list holds `code` in the year scored
    classes: tuple[int, ...] | None  # the class indices that hold it in the year scored
    name: str | None = None  # the condition's `name`: how the reasons call it

    @property
    def shown(self) -> str:
        """The name the reasons give it: the condition's `name`, else its code or label."""
        return self.name if self.name is not None else self.code

    @property
    def first(self) -> int:
        return self.last - self.within + 1

    @property
    def scored(self) -> bool:
        """The year scored is in the window and this run can hold it."""
        return self.award is not None or self.classes is not None


def items(award: m.Award) -> list[list[m.HistoryCondition]]:
    """An award's history conditions as items of alternatives (a plain condition: one)."""
    return [list(x.any) if isinstance(x, m.AnyOf) else [x] for x in award.eligible.history or []]


def conditions(c: m.Criteria) -> list[tuple[int, int, int, m.HistoryCondition]]:
    """Every condition of the file: (award index, item, term, condition)."""
    return [(i, k, t, cond) for i, a in enumerate(c.awards)
            for k, alternatives in enumerate(items(a)) for t, cond in enumerate(alternatives)]


def used(c: m.Criteria) -> bool:
    return any(a.eligible.history for a in c.awards)


def compile_term(c: m.Criteria, i: int, cond: m.HistoryCondition) -> Term:
    """A checked condition (input/checks: year set, one of title/classification, streak or
    count with within) of award i as a Term."""
    assert c.year is not None
    labels = [b.label for b in c.classification]
    codes = [a.code for a in c.awards[:i]]
    within = cond.streak if cond.streak is not None else cond.within
    assert within is not None
    need = cond.streak if cond.streak is not None else cond.count
    assert need is not None
    last = c.year if cond.through == "year" else c.year - 1
    award = classes = None
    if cond.through == "year":
        if cond.title is not None and cond.title in codes:
            award = codes.index(cond.title)
        if cond.classification is not None and cond.classification in labels:
            classes = (labels.index(cond.classification),)
    kind, code = (("title", cond.title) if cond.title is not None
                  else ("classification", cond.classification))
    assert code is not None
    return Term(kind, code, cond.streak is not None, need, within, last, award, classes, cond.name)


def terms(c: m.Criteria, i: int) -> tuple[tuple[Term, ...], ...]:
    """Award i's items, each its alternatives compiled."""
    return tuple(tuple(compile_term(c, i, cond) for cond in alternatives)
                 for alternatives in items(c.awards[i]))


def column(code: str, k: int, t: int) -> str:
    """The scored table's column of an award's item k, term t: the history years held (a mask)."""
    return history_col(code, k, t)


def columns(c: m.Criteria) -> list[str]:
    return [column(c.awards[i].code, k, t) for i, k, t, _cond in conditions(c)]


def masks(c: m.Criteria, history: pl.DataFrame) -> list[pl.Expr]:
    """The mask column of every condition, over the data's `id`: for each unit, the years of its
    window the history rows (id, year, title) hold. Ids of no unit are left out (units of
    earlier years); a unit without rows holds none."""
    assert c.year is not None
    out = []
    for i, k, t, cond in conditions(c):
        term = compile_term(c, i, cond)
        window = pl.col("year").is_between(term.first, min(term.last, c.year - 1))  # never the year scored
        rows = (history.filter((pl.col("title") == term.code) & window)
                .group_by("id", maintain_order=True)
                .agg(pl.sum_horizontal([(pl.col("year") == term.last - b).cast(pl.Int64) * (1 << b)
                                        for b in range(term.within)]).sum().alias("mask")))
        name = column(c.awards[i].code, k, t)
        if rows.height == 0:
            out.append(pl.lit(0, dtype=pl.Int64).alias(name))
        else:
            out.append(pl.col("id").replace_strict(rows.get_column("id"), rows.get_column("mask"),
                                                   default=0, return_dtype=pl.Int64).alias(name))
    return out


def held(mask: np.ndarray) -> np.ndarray:
    """How many years a mask holds."""
    return np.bitwise_count(mask.astype(np.uint64)).astype(np.int64)


def met(term: Term, count: np.ndarray, on: list[np.ndarray], klass: np.ndarray) -> np.ndarray:
    """Whether a term holds: the history years held (`count`) and the year scored's part reach
    the number needed (rows × units, or one row for all)."""
    years = count
    if term.award is not None:
        years = years + on[term.award]
    elif term.classes is not None:
        years = years + np.isin(klass, term.classes)
    return years >= term.need


def evidence(c: m.Criteria, i: int) -> pl.Expr | None:
    """Award i's history conditions in words, over the unit table: per item the years each of
    its conditions has and lacks ("CSTĐCS: 2024, 2025; thiếu 2023"), the alternatives of an `any`
    each in brackets, items joined by " | "."""
    compiled = terms(c, i)
    if not compiled:
        return None
    code = c.awards[i].code
    parts = []
    for k, alternatives in enumerate(compiled):
        said = [_said(c, term, pl.col(column(code, k, t))) for t, term in enumerate(alternatives)]
        # each alternative of an `any` in its own brackets: "[HTXSNV: 2025; thiếu 2024] hoặc
        # [TTLĐXS: 2024, 2025]", never read as "thiếu 2024 hoặc TTLĐXS"
        parts.append(said[0] if len(said) == 1 else pl.concat_str(
            [pl.concat_str([pl.lit("["), x, pl.lit("]")]) for x in said], separator=_(" or ")))
    return pl.concat_str(parts, separator=" | ")


def _said(c: m.Criteria, term: Term, mask: pl.Expr) -> pl.Expr:
    years = range(term.first, term.last + 1)
    has = []
    for year in years:
        if year == c.year:
            if term.award is not None:
                has.append(pl.col(col("on", c.awards[term.award].code)))
            elif term.classes is not None:
                has.append(pl.col("classification").is_in([c.classification[x].label for x in term.classes])
                           .fill_null(False))
            else:
                has.append(pl.lit(False))
        else:
            has.append((mask.cast(pl.Int64) // (1 << (term.last - year))) % 2 == 1)
    held_years = pl.concat_list([pl.when(h).then(pl.lit(str(y))) for h, y in zip(has, years)]
                                ).list.drop_nulls().list.join(", ")
    missing = pl.concat_list([pl.when(~h).then(pl.lit(str(y))) for h, y in zip(has, years)]
                             ).list.drop_nulls().list.join(", ")
    shown = pl.when(held_years == "").then(pl.lit(_("no year"))).otherwise(held_years)
    full = _("{code}: {held}; missing {missing}", code=term.shown, held="\0", missing="\1")
    short = _("{code}: {held}", code=term.shown, held="\0")
    return pl.when(missing == "").then(_filled(short, shown, missing)).otherwise(
        _filled(full, shown, missing))


def _filled(template: str, held: pl.Expr, missing: pl.Expr) -> pl.Expr:
    """A translated template with the held years at \\0 and the missing ones at \\1."""
    pieces: list[pl.Expr] = []
    text = ""
    for ch in template:
        if ch in "\0\1":
            pieces += [pl.lit(text), held if ch == "\0" else missing]
            text = ""
        else:
            text += ch
    pieces.append(pl.lit(text))
    return pl.concat_str(pieces)


def described(c: m.Criteria, term: Term) -> str:
    """What a condition asks, in words: "CSTĐCS 3 years in a row, 2023–2025"."""
    span = f"{term.first}–{term.last}"
    if term.streak:
        return _("{code} {count} years in a row ({years})", code=term.shown, count=term.need, years=span)
    return _("{code} at least {count} of {within} years ({years})", code=term.shown, count=term.need,
             within=term.within, years=span)
