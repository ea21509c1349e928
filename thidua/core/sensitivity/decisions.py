"""Ranks, classes and award lists for many rows at once: the file's ranking and award rules as
arrays (`Rules`), ranks within groups with their ties (`layout`), and every award's shortlist
(`decide`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from thidua import model as m
from thidua.core import awards as aw
from thidua.core.rounding import snap_array, threshold
from thidua.core.sensitivity.facts import Facts


@dataclass(frozen=True)
class AwardRule:
    code: str
    scope: str  # group | all
    min_total: float | None
    classes: np.ndarray | None  # class indices that qualify
    no_knockout: bool
    max_rank: int | None
    needs: tuple[int, ...]  # earlier awards a unit must hold
    not_with: tuple[int, ...]  # earlier exclusive awards (for an exclusive award)
    base: tuple[str, int]  # ("units"|"eligible"|"class"|"award", index)
    quota: np.ndarray  # the quota for a base of 0, 1, 2, … units
    tie: str  # include | exclude | flag


@dataclass(frozen=True)
class Rules:
    method: str
    mins: np.ndarray  # classification bands, first match wins
    labels: tuple[str, ...]
    awards: tuple[AwardRule, ...]
    eps: float  # totals are compared at this resolution
    qmax: int  # totals in units of eps stay below this
    snap: bool = False  # unrounded totals (precision: null) are compared snapped (rounding.snap)

    @property
    def overall(self) -> bool:
        return any(a.scope == "all" for a in self.awards)


def rules_of(c: m.Criteria, facts: Facts) -> Rules:
    labels = tuple(b.label for b in c.classification)
    codes = [a.code for a in c.awards]
    out = []
    sizes = pl.DataFrame({"b": np.arange(facts.n + 1, dtype=np.int64)})
    for i, a in enumerate(c.awards):
        e, of = a.eligible, a.quota.of
        if isinstance(of, m.ByClassification):
            base: tuple[str, int] = ("class", labels.index(of.classification))
        elif isinstance(of, m.ByAward):
            base = ("award", codes.index(of.award))
        else:
            base = (of, 0)  # units | eligible
        quota = sizes.select(aw.quota_expr(a, pl.col("b"))).to_series().to_numpy().astype(np.int64)
        qualify = (None if e.classification is None
                   else np.array([labels.index(x) for x in e.classification]))
        out.append(AwardRule(
            a.code, c.award_scope(a),
            None if e.min_total is None else threshold(e.min_total, c.precision), qualify,
            e.no_knockout, e.max_rank, tuple(codes.index(x) for x in e.awards or []),
            tuple(j for j, b in enumerate(c.awards[:i]) if b.exclusive) if a.exclusive else (),
            base, quota, a.on_tie_at_quota))
    top = c.total + (c.bonus.max_points if c.bonus else 0.0)
    snap = c.precision is None
    totals = np.unique(snap_array(facts.total[:-1]) if snap else facts.total[:-1])
    gap = float(np.diff(totals).min()) if len(totals) > 1 else math.inf
    bound = 2.0 * max(top, float(totals.max(initial=0.0))) + 1.0
    eps = 2.0 ** -30
    while eps > gap / 4 and eps > bound * 2.0 ** -56:
        eps /= 2
    mins = np.array([threshold(b.min, c.precision) for b in c.classification], dtype=float)
    return Rules(c.ranking.method, mins, labels, tuple(out), eps, math.ceil(bound / eps), snap)


@dataclass(frozen=True)
class Layout:
    """Units of each row sorted by group then rank; per sorted position: where its group and its
    run of equal ranks start and end (inclusive). A (1, n) array is the same for every row."""

    order: np.ndarray
    rank: np.ndarray
    gstart: np.ndarray
    gend: np.ndarray
    rstart: np.ndarray
    rend: np.ndarray
    ties: bool  # False: every run is one unit long (rstart = rend = position)


def _at(a: np.ndarray, index: np.ndarray) -> np.ndarray:
    """a[row, index[row]] for every row; an index of one row applies to all."""
    return a[:, index[0]] if index.shape[0] == 1 else np.take_along_axis(a, index, axis=1)


def _scatter(values: np.ndarray, order: np.ndarray) -> np.ndarray:
    out = np.empty(order.shape, dtype=values.dtype)
    np.put_along_axis(out, order, values, axis=1)
    return out


def _ends(starts: np.ndarray) -> np.ndarray:
    """For boolean run starts (rows × n): the last position of each position's run."""
    n = starts.shape[1]
    last = np.ones_like(starts)
    last[:, :-1] = starts[:, 1:]
    marks = np.where(last, np.arange(n), n)
    return np.minimum.accumulate(marks[:, ::-1], axis=1)[:, ::-1]


def _runs(new: np.ndarray) -> np.ndarray:
    return np.maximum.accumulate(np.where(new, np.arange(new.shape[1]), 0), axis=1)


def layout(q: np.ndarray, group: np.ndarray, keys: Sequence[np.ndarray], id_rank: np.ndarray,
           rules: Rules) -> Layout:
    """Ranks of rows of units: q (rows × n, totals in eps, higher better) inside each group."""
    rows, n = q.shape
    gbits = int(group.max(initial=0)).bit_length()
    desc = rules.qmax - np.clip(q, 0, rules.qmax)
    if gbits + rules.qmax.bit_length() <= 62:
        order = np.argsort((group.astype(np.int64) << rules.qmax.bit_length()) | desc, axis=1)
    else:
        order = np.lexsort((desc, np.broadcast_to(group, q.shape)), axis=-1)
    qs = np.take_along_axis(q, order, axis=1)
    # the same units in every row (group.ndim == 1): the groups' places do not move
    gs = np.sort(group)[None, :] if group.ndim == 1 else np.take_along_axis(group, order, axis=1)
    newg = np.ones(gs.shape, bool)
    newg[:, 1:] = gs[:, 1:] != gs[:, :-1]
    new = np.ones((rows, n), bool)
    new[:, 1:] = (qs[:, 1:] != qs[:, :-1]) | newg[:, 1:]
    pos = np.arange(n)[None, :]
    gstart, gend = _runs(newg), _ends(newg)
    ties = not new.all()
    if ties:
        order, new = _break_ties(order, new, keys, id_rank)
    if rules.method == "ordinal" or not ties:
        rstart = rend = pos
        ties = False
    else:
        rstart, rend = _runs(new), _ends(new)
    if rules.method == "dense":
        distinct = np.cumsum(new, axis=1)
        rank = distinct - _at(distinct, gstart) + 1
    else:
        rank = (pos if rules.method == "ordinal" else rstart) - gstart + 1
    return Layout(order, np.broadcast_to(rank, (rows, n)), gstart, gend, rstart, rend, ties)


def _break_ties(order: np.ndarray, new: np.ndarray, keys: Sequence[np.ndarray],
                id_rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Units with the same group and total: ordered by the tie-break keys, then by id."""
    follows = ~new
    inside = follows.copy()
    inside[:, :-1] |= follows[:, 1:]
    rr, ii = np.nonzero(inside)
    run = _runs(new)[rr, ii]
    units = order[rr, ii]

    def at(a: np.ndarray) -> np.ndarray:
        return a[units] if a.ndim == 1 else a[rr, units]

    values = [at(k) for k in keys]
    perm = np.lexsort((at(id_rank), *[-v for v in reversed(values)], run, rr))
    order = order.copy()
    order[rr, ii] = units[perm]
    if values:
        sorted_values = [v[perm] for v in values]
        differs = np.zeros(len(perm), bool)
        for v in sorted_values:
            differs[1:] |= v[1:] != v[:-1]
        same_run = np.zeros(len(perm), bool)
        same_run[1:] = (rr[1:] == rr[:-1]) & (run[1:] == run[:-1])
        new = new.copy()
        new[rr[same_run & differs], ii[same_run & differs]] = True
    return order, new


@dataclass(frozen=True)
class Decision:
    """Per row and unit (in the population's column order)."""

    rank: np.ndarray
    klass: np.ndarray  # class index, −1: none
    on: tuple[np.ndarray, ...]
    flag: tuple[np.ndarray, ...]
    layout: Layout  # by group then rank


def decide(rules: Rules, facts: Facts, total: np.ndarray, q: np.ndarray,
           cols: np.ndarray | None = None) -> Decision:
    """Classes, ranks and award lists of rows of units.

    total, q: rows × n (the totals, and the totals in units of eps); cols (rows × n) names each
    column's unit (facts.n − 1 … the pad; with the pad in a group of its own), or None when the
    columns are every unit of `facts` but the pad, in its order."""
    take = (lambda a: a[:-1]) if cols is None else (lambda a: a[cols])
    group = take(facts.group)
    keys, id_rank = [take(k) for k in facts.keys], take(facts.id_rank)
    lay = layout(q, group, keys, id_rank, rules)
    rank = _scatter(lay.rank, lay.order)
    klass = classes(rules, total)
    cap = take(facts.cap)
    if (cap >= 0).any():
        klass = np.where((klass >= 0) & (cap > klass), cap, klass)
    every, rank_all = lay, rank
    if rules.overall:
        pad = facts.group[-1]
        single = int(facts.group[:-1].max(initial=0)) == 0
        if not single:
            every = layout(q, (group == pad).astype(np.int64), keys, id_rank, rules)
            rank_all = _scatter(every.rank, every.order)
    barred, knocked = take(facts.barred), take(facts.knocked)
    on: list[np.ndarray] = []
    flag: list[np.ndarray] = []
    for i, a in enumerate(rules.awards):
        lay_a, rank_a = (lay, rank) if a.scope == "group" else (every, rank_all)
        e = ~barred & take(facts.when_ok[i])
        if a.min_total is not None:
            e = e & ((snap_array(total) if rules.snap else total) >= a.min_total)
        if a.classes is not None:
            e = e & np.isin(klass, a.classes)
        if a.no_knockout:
            e = e & ~knocked
        if a.max_rank is not None:
            e = e & (rank_a <= a.max_rank)
        for j in a.needs:
            e = e & on[j]
        for j in a.not_with:
            e = e & ~on[j]
        o, f = _shortlist(a, lay_a, np.broadcast_to(e, q.shape), klass, on)
        on.append(o)
        flag.append(f)
    return Decision(rank, klass, tuple(on), tuple(flag), lay)


def classes(rules: Rules, total: np.ndarray) -> np.ndarray:
    """The first band (highest first) whose min the total reaches; −1: none."""
    if not len(rules.mins):
        return np.full(total.shape, -1, dtype=np.int64)
    if rules.snap:
        total = snap_array(total)
    first = np.searchsorted(-rules.mins, -total, side="left")  # bands run from the highest min down
    return np.where(first < len(rules.mins), first, -1)


def _cumulative(x: np.ndarray) -> np.ndarray:
    out = np.zeros((x.shape[0], x.shape[1] + 1), dtype=np.int64)
    np.cumsum(x, axis=1, out=out[:, 1:])
    return out


def _shortlist(a: AwardRule, lay: Layout, e: np.ndarray, klass: np.ndarray,
               on: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    es = np.take_along_axis(e, lay.order, axis=1)
    ce = _cumulative(es)
    before = _at(ce, lay.gstart)
    if lay.ties:
        better, upto = _at(ce, lay.rstart) - before, _at(ce, lay.rend + 1) - before
    else:
        better, upto = ce[:, :-1] - before, ce[:, 1:] - before
    kind, index = a.base
    if kind == "units":
        base = lay.gend - lay.gstart + 1
    else:
        cc = ce if kind == "eligible" else _cumulative(
            np.take_along_axis(klass == index if kind == "class" else on[index], lay.order, axis=1))
        base = _at(cc, lay.gend + 1) - _at(cc, lay.gstart)
    quota = a.quota[np.minimum(base, len(a.quota) - 1)]
    inside = es & (upto <= quota)
    tied = es & (better < quota) & (upto > quota)
    chosen = inside | tied if a.tie == "include" else inside
    flagged = _scatter(tied, lay.order) if a.tie == "flag" else np.zeros(e.shape, bool)
    return _scatter(chosen, lay.order), flagged
