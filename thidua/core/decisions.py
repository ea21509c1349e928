"""Every decision after scoring, written once: the rank in the group (after the tie-break chain),
the overall rank, the classification, the knock-out gates, each award's eligibility, quota and
shortlist with the tie policy at the quota line, and what the reasons need (base, quota, place
among the eligible, the units tied at the line, the conditions failed).

It decides a table of scenarios × units at once: `score` decides one scenario (the file as
written), the sensitivity analysis thousands of random weightings, the stability margins and
the audit rows with one criterion changed. The engine is numpy over the scenarios × units
matrix: on the benchmark file (1,000,000 units) one scenario is decided in 0.19 s where the
polars stages took 1.6 s (the sort 1.2 s, ranks and shortlists 0.4 s), and 1,000 scenarios of
10,000 units in 4 s where a polars query over the long frame (10,000,000 rows) took over 70 s.

The decimal rules: totals are compared as whole numbers (`compared`), which order and tie
exactly as the decimals a person computes (rounding.compared); the units left tied on every key
are ordered by the Vietnamese order of their ids (collation.ranks); quotas are rounded by the
file's rule (awards.quota_expr), and bands and min_total are met on the decimal value
(rounding.threshold).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from thidua import model as m
from thidua.core import awards as aw
from thidua.core import history as hs
from thidua.core.rounding import snap_array, threshold
from thidua.i18n import _


@dataclass(frozen=True)
class Fixed:
    """What decides besides the total, per unit, then one pad unit (a column `cols` may name
    to fill a row, never ranked with the others)."""

    group: np.ndarray  # the group's place (0, 1, …; the pad: the number of groups)
    keys: tuple[np.ndarray, ...]  # tie-break keys, higher is better, missing −inf
    id_rank: np.ndarray  # each id's place in Vietnamese order
    barred: np.ndarray  # an `ineligible` knockout: no award
    knocked: np.ndarray  # any knockout
    cap: np.ndarray  # the class index a knockout caps at (−1: none)
    when_ok: tuple[np.ndarray, ...]  # per award; True when the award has no `when`
    # per award, per history condition (items' terms in order): the history years held
    history: tuple[tuple[np.ndarray, ...], ...]
    members_ok: tuple[tuple[np.ndarray, ...], ...]  # per award, each members condition: met


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
    history: tuple[tuple[hs.Term, ...], ...] = ()  # items of alternatives (core/history.py)


@dataclass(frozen=True)
class Rules:
    method: str
    mins: np.ndarray  # classification bands, first match wins
    labels: tuple[str, ...]
    awards: tuple[AwardRule, ...]
    eps: float  # totals are compared in whole units of eps (see compared)
    snap: bool = False  # unrounded totals (precision: null) are compared snapped (rounding.snap)

    @property
    def overall(self) -> bool:
        return any(a.scope == "all" for a in self.awards)


def rules_of(c: m.Criteria, totals: np.ndarray) -> Rules:
    """The file's ranking, classification and award rules as arrays. `totals`: every total the
    rows will compare as written (the file's own); eps is chosen below a quarter of the smallest
    gap between two of them, so that whole units of eps order and tie them exactly, and
    `refused` names the files where no eps can."""
    labels = tuple(b.label for b in c.classification)
    codes = [a.code for a in c.awards]
    out = []
    sizes = pl.DataFrame({"b": np.arange(len(totals) + 1, dtype=np.int64)})
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
            base, quota, a.on_tie_at_quota, hs.terms(c, i)))
    top = c.total + (c.bonus.max_points if c.bonus else 0.0)
    snap = c.precision is None
    distinct = np.unique(snap_array(totals) if snap else totals)
    gap = float(np.diff(distinct).min()) if len(distinct) > 1 else math.inf
    bound = 2.0 * max(top, float(distinct.max(initial=0.0))) + 1.0
    eps = 2.0 ** -30
    while eps > gap / 4 and eps > bound * 2.0 ** -56:
        eps /= 2
    return Rules(c.ranking.method, _mins(c), labels, tuple(out), eps, snap)


def refused(rules: Rules, totals: np.ndarray) -> str | None:
    """Why rows of changed totals cannot be compared exactly as the engine compares these
    totals, or None: two distinct totals (as compared) closer than whole units of eps tell."""
    seen = snap_array(totals) if rules.snap else np.asarray(totals, dtype=float)
    distinct = np.unique(seen)
    if len(np.unique(np.rint(distinct / rules.eps))) == len(distinct):
        return None
    gap = float(np.diff(distinct).min())
    return _("two totals differ by only {gap} points, too little to be told apart at the "
             "resolution the analysis compares totals at ({eps} points)", gap=f"{gap:.3g}",
             eps=f"{rules.eps:.3g}")


def compared(rules: Rules, total: np.ndarray) -> np.ndarray:
    """Totals as comparisons see them, in whole units of eps (higher is better)."""
    seen = snap_array(total) if rules.snap else total
    return np.rint(seen / rules.eps).astype(np.int64)


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
    np.put_along_axis(out, order, np.broadcast_to(values, order.shape), axis=1)
    return out


def _positions(n: int) -> np.ndarray:
    """0 … n-1 in the narrowest integers that hold them: the run and group positions of a
    million units are arrays of them, and int32 halves their memory and the time to fill them."""
    return np.arange(n, dtype=np.int32 if n < 2**31 else np.int64)


def _ends(starts: np.ndarray) -> np.ndarray:
    """For boolean run starts (rows × n): the last position of each position's run."""
    n = starts.shape[1]
    last = np.ones_like(starts)
    last[:, :-1] = starts[:, 1:]
    marks = np.where(last, _positions(n), n)
    return np.minimum.accumulate(marks[:, ::-1], axis=1)[:, ::-1]


def _runs(new: np.ndarray) -> np.ndarray:
    return np.maximum.accumulate(np.where(new, _positions(new.shape[1]), 0), axis=1)


def layout(q: np.ndarray, group: np.ndarray, keys: Sequence[np.ndarray], id_rank: np.ndarray,
           method: str) -> Layout:
    """Ranks of rows of units: q (rows × n, totals in whole numbers ≥ 0, higher better) inside
    each group, ties on q broken by the keys (higher better), then by id_rank (lower first)."""
    rows, n = q.shape
    qmax = int(q.max(initial=0))
    gbits = int(group.max(initial=0)).bit_length()
    desc = qmax - np.clip(q, 0, qmax)
    if gbits + qmax.bit_length() <= 62:
        order = np.argsort((group.astype(np.int64) << qmax.bit_length()) | desc, axis=1)
    else:
        order = np.lexsort((desc, np.broadcast_to(group, q.shape)), axis=-1)
    qs = np.take_along_axis(q, order, axis=1)
    # the same units in every row (group.ndim == 1): the groups' places do not move
    gs = np.sort(group)[None, :] if group.ndim == 1 else np.take_along_axis(group, order, axis=1)
    newg = np.ones(gs.shape, bool)
    newg[:, 1:] = gs[:, 1:] != gs[:, :-1]
    new = np.ones((rows, n), bool)
    new[:, 1:] = (qs[:, 1:] != qs[:, :-1]) | newg[:, 1:]
    ties = not new.all()
    if ties:
        order, new = _break_ties(order, new, keys, id_rank)
    return _ranked(order, new, newg, ties, method)


def regrouped(every: Layout, q: np.ndarray, group: np.ndarray, method: str) -> Layout:
    """The layout inside each group (as layout(q, group, …) gives it), read from `every`, the
    layout of the same rows over every unit with the same keys and ids: the chain (total, keys,
    id) orders every unit wholly, so a stable sort of every's order by group keeps each group's
    units in their order; two neighbours in a group are tied where they share a run of every's
    (units tied on total and keys), without sorting the totals or the keys again."""
    rows, n = q.shape
    g = np.broadcast_to(group, (rows, n)) if group.ndim == 1 else group
    by = np.argsort(np.take_along_axis(g, np.broadcast_to(every.order, (rows, n)), axis=1),
                    axis=1, kind="stable")
    order = np.take_along_axis(np.broadcast_to(every.order, (rows, n)), by, axis=1)
    gs = np.sort(group)[None, :] if group.ndim == 1 else np.take_along_axis(group, order, axis=1)
    newg = np.ones(gs.shape, bool)
    newg[:, 1:] = gs[:, 1:] != gs[:, :-1]
    qs = np.take_along_axis(q, order, axis=1)
    run = np.take_along_axis(np.broadcast_to(every.rstart, (rows, n)), by, axis=1)
    new = np.ones((rows, n), bool)
    new[:, 1:] = (run[:, 1:] != run[:, :-1]) | newg[:, 1:]
    # as layout's: ties on the total inside a group, before keys and ids break them
    ties = bool(((qs[:, 1:] == qs[:, :-1]) & ~newg[:, 1:]).any())
    return _ranked(order, new, newg, ties, method)


def _ranked(order: np.ndarray, new: np.ndarray, newg: np.ndarray, ties: bool,
            method: str) -> Layout:
    """The layout of rows of units in `order`: `newg` where a group starts, `new` where a run of
    tied units starts (after the tie-break chain), `ties` whether any two units tie on the total
    inside a group; the ranks by `method` (layout and regrouped share it)."""
    rows, n = order.shape
    pos = _positions(n)[None, :]
    gstart, gend = _runs(newg), _ends(newg)
    if method == "ordinal" or not ties:
        rstart = rend = pos
        ties = False
    else:
        rstart, rend = _runs(new), _ends(new)
    if method == "dense":
        distinct = np.cumsum(new, axis=1)
        rank = distinct - _at(distinct, gstart) + 1
    else:
        rank = (pos if method == "ordinal" else rstart) - gstart + 1
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
    perm = _sorted_by([rr, run, *(np.unique(-v, return_inverse=True)[1].reshape(-1) for v in values),
                       at(id_rank)])
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


def _sorted_by(parts: Sequence[np.ndarray]) -> np.ndarray:
    """The order of whole numbers ≥ 0 sorted by each part in turn (the first decides first):
    one sort of the parts packed into one int64 when they fit in 63 bits (about three times
    faster than np.lexsort on a million units), else np.lexsort; the same order either way."""
    widths = [int(p.max(initial=0)).bit_length() for p in parts]
    if sum(widths) > 63:
        return np.lexsort(tuple(reversed(parts)))
    key = np.zeros(len(parts[0]), np.int64)
    for part, width in zip(parts, widths):
        key = (key << width) | part.astype(np.int64)
    return np.argsort(key, kind="stable")


@dataclass(frozen=True)
class Detail:
    """One award's working, per row and unit (asked for with detail=True): what the reasons and
    the quota table read."""

    eligible: np.ndarray
    base: np.ndarray  # the units the quota counts in the unit's scope
    quota: np.ndarray
    better: np.ndarray  # eligible units of the scope ranked above this one (eligible units only)
    upto: np.ndarray  # eligible units of the scope ranked up to this one (eligible units only)
    tied: np.ndarray  # eligible and tied across the quota line
    checks: tuple[tuple[str, np.ndarray], ...]  # each condition by name: met


@dataclass(frozen=True)
class Decision:
    """Per row and unit (in the columns' order)."""

    rank: np.ndarray  # in the group
    klass: np.ndarray  # class index, −1: none
    on: tuple[np.ndarray, ...]
    flag: tuple[np.ndarray, ...]
    layout: Layout  # by group then rank
    overall: Layout | None = None  # over every unit, when asked for or an award needs it
    rank_overall: np.ndarray | None = None
    details: tuple[Detail, ...] = ()


def decide(rules: Rules, fixed: Fixed, total: np.ndarray, q: np.ndarray,
           cols: np.ndarray | None = None, *, overall: bool = False,
           detail: bool = False) -> Decision:
    """Classes, ranks and award lists of rows of units.

    total, q: rows × n (the totals, and the totals as compared); cols (rows × n) names each
    column's unit (0 … the pad, with the pad in a group of its own), or None when the columns
    are every unit of `fixed` but the pad, in its order. overall: also the overall rank;
    detail: also each award's working (Detail)."""
    take = (lambda a: a[:-1]) if cols is None else (lambda a: a[cols])
    group = take(fixed.group)
    keys, id_rank = [take(k) for k in fixed.keys], take(fixed.id_rank)
    every: Layout | None = None
    rank_all: np.ndarray | None = None
    one_group = int(fixed.group[:-1].max(initial=0)) == int(fixed.group[:-1].min(initial=0))
    if (rules.overall or overall) and not one_group:
        # the order over every unit is sorted once; each group's is read from it (regrouped)
        every = layout(q, (group == fixed.group[-1]).astype(np.int64), keys, id_rank, rules.method)
        rank_all = _scatter(every.rank, every.order)
        lay = regrouped(every, q, group, rules.method)
    else:
        lay = layout(q, group, keys, id_rank, rules.method)
    rank = _scatter(lay.rank, lay.order)
    if (rules.overall or overall) and one_group:
        every, rank_all = lay, rank  # one group: the same order
    klass = classes(rules, total)
    cap = take(fixed.cap)
    if (cap >= 0).any():
        klass = np.where((klass >= 0) & (cap > klass), cap, klass)
    barred, knocked = take(fixed.barred), take(fixed.knocked)
    on: list[np.ndarray] = []
    flag: list[np.ndarray] = []
    details: list[Detail] = []
    for i, a in enumerate(rules.awards):
        if a.scope == "group":
            lay_a, rank_a = lay, rank
        else:
            assert every is not None and rank_all is not None
            lay_a, rank_a = every, rank_all
        checks = _checks(rules, a, i, total, klass, rank_a, barred, knocked, take(fixed.when_ok[i]),
                         on)
        if a.history:
            checks += _history_checks(a, [take(x) for x in fixed.history[i]], on, klass)
        if fixed.members_ok[i]:  # the members conditions: fixed per collective (core/members.py)
            checks += [(f"members:{j}", take(met)) for j, met in enumerate(fixed.members_ok[i])]
        e = np.broadcast_to(functools.reduce(np.logical_and, [met for _, met in checks]), q.shape)
        o, f, d = _shortlist(a, lay_a, e, klass, on, detail)
        on.append(o)
        flag.append(f)
        if d is not None:
            base, quota, better, upto, tied = d
            met = tuple((name, np.broadcast_to(x, q.shape)) for name, x in checks)
            details.append(Detail(e, base, quota, better, upto, tied, met))
    return Decision(rank, klass, tuple(on), tuple(flag), lay, every, rank_all, tuple(details))


def _checks(rules: Rules, a: AwardRule, i: int, total: np.ndarray, klass: np.ndarray,
            rank: np.ndarray, barred: np.ndarray, knocked: np.ndarray, when: np.ndarray,
            on: list[np.ndarray]) -> list[tuple[str, np.ndarray]]:
    """Each eligibility condition of award i, by the name the reasons give it, in the file's
    order: the knock-out gate, min_total, classification, no_knockout, max_rank, when, each
    earlier award needed, and for an exclusive award no earlier exclusive one."""
    out = [("knockout", ~barred)]
    if a.min_total is not None:
        out.append(("min_total", (snap_array(total) if rules.snap else total) >= a.min_total))
    if a.classes is not None:
        out.append(("classification", np.isin(klass, a.classes)))
    if a.no_knockout:
        out.append(("no_knockout", ~knocked))
    if a.max_rank is not None:
        out.append(("max_rank", rank <= a.max_rank))
    out.append(("when", when))
    for j in a.needs:
        out.append((f"award:{rules.awards[j].code}", on[j]))
    if a.not_with:
        out.append(("exclusive", ~functools.reduce(np.logical_or, [on[j] for j in a.not_with])))
    return out


def _history_checks(a: AwardRule, held: list[np.ndarray], on: list[np.ndarray],
                    klass: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Each history item of award a (`history:<item>`): one of its terms holds, the history years
    held (fixed per unit) and the year scored as this scenario decided it (core/history.py)."""
    out = []
    slot = 0
    for k, alternatives in enumerate(a.history):
        hits = []
        for term in alternatives:
            hits.append(hs.met(term, held[slot], on, klass))
            slot += 1
        out.append((f"history:{k}", functools.reduce(np.logical_or, hits)))
    return out


def classes(rules: Rules, total: np.ndarray) -> np.ndarray:
    """The first band (highest first) whose min the total reaches; −1: none. Before any
    knockout's cap (decide applies the caps)."""
    if not len(rules.mins):
        return np.full(np.shape(total), -1, dtype=np.int64)
    if rules.snap:
        total = snap_array(total)
    first = np.searchsorted(-rules.mins, -np.asarray(total), side="left")  # from the highest min down
    return np.where(first < len(rules.mins), first, -1)


def band(c: m.Criteria, total: float) -> str | None:
    """The class one total alone gives (before any knockout's cap), as `classes` decides it."""
    rules = Rules(c.ranking.method, _mins(c), tuple(b.label for b in c.classification), (), 1.0,
                  c.precision is None)
    k = int(classes(rules, np.array([total], dtype=float))[0])
    return rules.labels[k] if k >= 0 else None


def _mins(c: m.Criteria) -> np.ndarray:
    return np.array([threshold(b.min, c.precision) for b in c.classification], dtype=float)


def _cumulative(x: np.ndarray) -> np.ndarray:
    out = np.zeros((x.shape[0], x.shape[1] + 1), dtype=np.int64)
    np.cumsum(x, axis=1, out=out[:, 1:])
    return out


def _shortlist(a: AwardRule, lay: Layout, e: np.ndarray, klass: np.ndarray,
               on: list[np.ndarray], detail: bool
               ) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, ...] | None]:
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
    if not detail:
        return _scatter(chosen, lay.order), flagged, None
    working = tuple(_scatter(x, lay.order) for x in (base, quota, better, upto, tied))
    return _scatter(chosen, lay.order), flagged, working
