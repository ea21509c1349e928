"""What the weights decide: every unit re-scored, re-ranked and re-shortlisted under changed
weights, for thousands of weightings at once (Monte Carlo) or along one criterion (margins).

Pure core: a checked criteria model, the data frame and the engine's `Result` in; numpy arrays
and small frozen results out. No files, no printing, no click.

How a change of weights is modelled (the same for the Monte Carlo, the margins and the audit)
- Every main criterion gets a factor u. Under a `sum` parent u scales the criterion's max_points
  and, with them, its points: the criterion's whole point scale (band points, deductions per
  unit) grows or shrinks alike, so new points = points × new max / old max for every rule type.
  Under a `weighted_mean` or `geometric_mean` parent u scales the criterion's weight instead.
- Then every main max is rescaled by one common factor so that the main total stays `total`.
- Leaf points are the engine's own (rounded as the file says) times their factor; they are not
  rounded again (that would cost a rounding per unit, criterion and draw). Means and, under
  exclusion, the rescaled main total are rounded as the engine rounds them; sums are not. The
  total (main + bonus − penalty, floored at 0) is rounded as the engine rounds it, so units tie in
  a draw when their totals print the same, and with every factor 1 each total, rank,
  classification and award is exactly the engine's.
- With `precision: null` nothing is rounded: a unit's new total is the engine's total plus the
  change of its main points (the same arithmetic with and without the change), so that with every
  factor 1 it is the engine's total to the last bit.
- Bonus and penalty keep their points (after their caps); the floor at 0 applies as in the engine.
- Totals are compared in whole units of `eps` points (2⁻³⁰ or less, under a quarter of the
  smallest gap between two of the engine's totals).
- Tie-break keys keep their values as scored: units whose totals print the same in a draw are
  ordered by their tie-break criterion points (or indicators) as they stand, not re-weighted.
  (A unit at least as good as another on every criterion is never ranked below it either way.)

Everything in awards.py is reproduced: eligibility (knockouts, min_total, classification,
no_knockout, max_rank, when, earlier awards, exclusive cascades), quotas of units, eligible units,
a classification or an earlier award, their rounding and minimum, per group or over all units,
and ties at the quota line (include, exclude, flag).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from . import awards as aw
from . import model as m
from .engine import Result
from .ranking import key_columns
from .rounding import round_expr
from .scoring import condition, points_col, uses_exclude

ROOT = 0
CHUNK = 1 << 19  # array elements per batch of rows: bounds the memory of a batch


# --- the criteria tree as arrays -----------------------------------------------------------------


@dataclass(frozen=True)
class Tree:
    """The main criteria: node 0 is the main total, then every node, parents before children."""

    codes: tuple[str, ...]
    how: tuple[str, ...]  # leaf | sum | weighted_mean | geometric_mean
    parent: tuple[int, ...]
    children: tuple[tuple[int, ...], ...]
    top: np.ndarray  # max_points (node 0: the file's total)
    weight: np.ndarray

    @property
    def leaves(self) -> list[int]:
        return [i for i, h in enumerate(self.how) if h == "leaf"]

    def ancestors(self, i: int) -> list[int]:
        out = []
        while i != ROOT:
            i = self.parent[i]
            out.append(i)
        return out

    def below(self, i: int) -> list[int]:
        """Every node under i (not i itself)."""
        out: list[int] = []
        for k in self.children[i]:
            out += [k, *self.below(k)]
        return out


def tree_of(c: m.Criteria) -> Tree:
    codes, how, parent, top, weight = [""], ["sum"], [-1], [c.total], [1.0]
    children: list[list[int]] = [[]]

    def add(node: m.Node, p: int) -> None:
        i = len(codes)
        codes.append(node.code)
        how.append("leaf" if node.rule is not None else node.how)
        parent.append(p)
        top.append(node.max_points)
        weight.append(node.weight)
        children.append([])
        children[p].append(i)
        for child in node.children or []:
            add(child, i)

    for node in c.criteria:
        add(node, ROOT)
    return Tree(tuple(codes), tuple(how), tuple(parent), tuple(tuple(k) for k in children),
                np.array(top, dtype=float), np.array(weight, dtype=float))


# --- main points under changed factors ------------------------------------------------------------


@dataclass(frozen=True)
class Rounding:
    """The file's rounding applied to numpy arrays, through the engine's own expression."""

    precision: int | None
    leafwise: bool  # round_at: leaves (subtotals are rounded too)

    def total(self, x: np.ndarray) -> np.ndarray:
        if self.precision is None:
            return x
        flat = pl.Series("x", np.ascontiguousarray(x, dtype=float).reshape(-1))
        out = flat.to_frame().select(round_expr(pl.col("x"), self.precision)).to_series().to_numpy()
        return out.reshape(np.shape(x))

    def node(self, x: np.ndarray) -> np.ndarray:
        """A subtotal computed anew (a mean, or the main rescaled under exclusion)."""
        return self.total(x) if self.leafwise else x


def rounding_of(c: m.Criteria) -> Rounding:
    return Rounding(c.precision, c.round_at == "leaves" and c.precision is not None)


def _combine(how: str, top: float, weights: Sequence[float], kids: Sequence[tuple],
             factors: Sequence, avails: Sequence, exclude: bool, rounding: Rounding) -> tuple:
    """A group's (raw points, max, attainable) from its children's, each child with its factor.

    Shapes broadcast: rows × units for points, rows × 1 for maxima and factors."""
    if how == "sum":
        raw = sum(f * k[0] for f, k in zip(factors, kids))
        base = sum(f * k[1] for f, k in zip(factors, kids))
        att = sum(f * k[2] for f, k in zip(factors, kids)) if exclude else None
        return raw, base, att
    ws = [w * f for w, f in zip(weights, factors)]
    norms = []
    for raw_k, base_k, _ in kids:
        shape = np.broadcast_shapes(np.shape(raw_k), np.shape(base_k))
        norms.append(np.divide(raw_k, base_k, out=np.zeros(shape), where=np.asarray(base_k) > 0))
    total_w = sum(w * a for w, a in zip(ws, avails))
    if how == "weighted_mean":
        num = sum(w * n for w, n in zip(ws, norms))
        shape = np.broadcast_shapes(np.shape(num), np.shape(total_w))
        share = np.divide(num, total_w, out=np.zeros(shape), where=total_w > 0)
    else:  # geometric: a child at 0 sends the mean to 0; excluded or weightless ones are left out
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = sum(np.where((w > 0) & a, w * np.log(n), 0.0)
                       for w, n, a in zip(ws, norms, avails))
            share = np.where(total_w > 0, np.exp(logs / np.where(total_w > 0, total_w, 1.0)), 0.0)
    raw = rounding.node(top * share)
    att = top * np.logical_or.reduce(np.broadcast_arrays(*avails)) if exclude else None
    return raw, np.full((1, 1), top), att


class Reweigher:
    """Every unit's main points (rescaled to the file's total) under rows of factors, one factor
    per node of the tree. Units with the same leaf points are computed once."""

    def __init__(self, tree: Tree, points: np.ndarray, avail: np.ndarray | None, total: float,
                 rounding: Rounding):
        self.tree, self.total, self.rounding = tree, total, rounding
        self.exclude = avail is not None
        both = points if avail is None else np.vstack([points, avail])
        unique, self.inverse = np.unique(both.T, axis=0, return_inverse=True)
        k = len(tree.codes)
        self.points = np.ascontiguousarray(unique[:, :k].T)
        self.avail = (np.ascontiguousarray(unique[:, k:].T) > 0.5 if avail is not None
                      else np.ones_like(self.points, dtype=bool))
        for i in reversed(range(k)):  # a group is there when any child is
            if tree.children[i]:
                self.avail[i] = np.logical_or.reduce(self.avail[list(tree.children[i])])
        self.inverse = self.inverse.reshape(-1)
        # sum-only subtrees: one matrix product with the products of the factors down each path
        self.paths: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        pure = [h == "sum" for h in tree.how]
        for i in reversed(range(k)):
            if tree.how[i] == "sum":
                pure[i] = all(pure[j] or tree.how[j] == "leaf" for j in tree.children[i])
            if pure[i] and tree.how[i] == "sum":
                leaves = [j for j in tree.below(i) if tree.how[j] == "leaf"]
                chains = [[j, *[a for a in tree.ancestors(j) if a != i and a in tree.below(i)]]
                          for j in leaves]
                depth = max((len(ch) for ch in chains), default=1)
                index = np.full((len(leaves), depth), k)  # column k of the factors is all ones
                for row, ch in enumerate(chains):
                    index[row, : len(ch)] = ch
                self.paths[i] = (np.array(leaves, dtype=np.int64), index)

    def _value(self, i: int, u: np.ndarray) -> tuple:
        t = self.tree
        if t.how[i] == "leaf":
            att = (t.top[i] * self.avail[i])[None, :] if self.exclude else None
            return self.points[i][None, :], np.full((1, 1), t.top[i]), att
        if i in self.paths:
            leaves, index = self.paths[i]
            scale = u[:, index].prod(axis=2) if index.shape[1] > 1 else u[:, index[:, 0]]
            tops = t.top[leaves]
            raw = scale @ self.points[leaves]
            att = scale @ (tops[:, None] * self.avail[leaves]) if self.exclude else None
            return raw, (scale @ tops)[:, None], att
        kids = [self._value(k, u) for k in t.children[i]]
        below = t.children[i]
        return _combine(t.how[i], t.top[i], [t.weight[k] for k in below], kids,
                        [u[:, k: k + 1] for k in below], [self.avail[k][None, :] for k in below],
                        self.exclude, self.rounding)

    def main(self, u: np.ndarray) -> np.ndarray:
        """Main points of every unit (rows × units) for factors u (rows × nodes)."""
        ones = np.ones((u.shape[0], 1))
        raw, base, att = self._value(ROOT, np.hstack([u, ones]))
        return finish(raw, base, att, self.total, self.rounding)[:, self.inverse]


def finish(raw: np.ndarray, base: np.ndarray, att: np.ndarray | None, total: float,
           rounding: Rounding) -> np.ndarray:
    """The main points rescaled to the file's total (by the unit's attainable under exclusion,
    rounded then as the engine rounds it)."""
    by = base if att is None else att  # nothing left to score (every criterion removed): 0
    shape = np.broadcast_shapes(np.shape(raw), np.shape(by))
    main = np.divide(total * raw, by, out=np.zeros(shape), where=np.broadcast_to(by, shape) > 0)
    return main if att is None else rounding.node(main)


@dataclass(frozen=True)
class Baseline:
    """The engine's points of every main node (rounded as the file says) and what the tree
    needs to change one node at a time; one extra column of zeros at the end for padding."""

    raw: np.ndarray  # nodes × (units + 1)
    att: np.ndarray | None
    avail: np.ndarray


def one_change(tree: Tree, base: Baseline, total: float, rounding: Rounding, node: int,
               f: np.ndarray, cols: np.ndarray | None, rescale: bool = True) -> np.ndarray:
    """Main points when only `node`'s factor changes to f (one per row): rows × units.

    `cols` (rows × n) picks the units of each row (the last column of `base` is a pad); None: every
    unit in every row. Only the nodes from `node` up to the top are recomputed. rescale=False: the
    main maxima are not rescaled to keep the total (a criterion simply taken out)."""
    exclude = base.att is not None
    take = (lambda a: a[:-1][None, :]) if cols is None else (lambda a: a[cols])
    f = f[:, None]
    d_raw: np.ndarray | float = 0.0
    d_base: np.ndarray | float = 0.0
    d_att: np.ndarray | float = 0.0
    c = node
    while c != ROOT:
        p = tree.parent[c]
        if tree.how[p] == "sum":
            if c == node:
                d_raw = (f - 1.0) * take(base.raw[c])
                d_base = (f - 1.0) * tree.top[c] if rescale else 0.0
                d_att = (f - 1.0) * take(base.att[c]) if exclude else 0.0
        else:
            kids = tree.children[p]
            before = [(take(base.raw[k]), np.full((1, 1), tree.top[k]), None) for k in kids]
            after = [(r + d_raw, b + d_base, None) if k == c and c != node else (r, b, None)
                     for k, (r, b, _) in zip(kids, before)]
            factors = [f if k == node else 1.0 for k in kids]
            avails = [take(base.avail[k]) for k in kids]
            weights = [tree.weight[k] for k in kids]
            how, top = tree.how[p], tree.top[p]
            new = _combine(how, top, weights, after, factors, avails, exclude, rounding)[0]
            ones = [1.0] * len(kids)
            old = _combine(how, top, weights, before, ones, avails, exclude, rounding)[0]
            d_raw, d_base, d_att = new - old, 0.0, 0.0
        c = p
    raw = take(base.raw[ROOT]) + d_raw
    att = take(base.att[ROOT]) + d_att if exclude else None
    raw = np.broadcast_to(raw, np.broadcast_shapes(np.shape(raw), np.shape(f)))
    return finish(raw, total + d_base + np.zeros_like(f), att, total, rounding)


# --- what decides ranks and awards besides the total --------------------------------------------


@dataclass(frozen=True)
class Facts:
    """Per unit, in the engine's order with each group's units together, then one pad unit."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    groups: tuple[str | None, ...]  # each unit's group name
    group: np.ndarray  # group number (the pad: the number of groups)
    total: np.ndarray  # the engine's total
    pre: np.ndarray  # main + bonus − penalty before the floor at 0
    extra: np.ndarray  # bonus − penalty
    keys: tuple[np.ndarray, ...]  # tie-break keys, higher is better, missing −inf
    id_rank: np.ndarray
    barred: np.ndarray  # an `ineligible` knockout: no award
    knocked: np.ndarray  # any knockout
    cap: np.ndarray  # the class index a knockout caps at (−1: none)
    when_ok: tuple[np.ndarray, ...]  # per award; True when the award has no `when`
    rank: np.ndarray  # the engine's rank in the group
    on: tuple[np.ndarray, ...]  # the engine's lists, per award
    flag: tuple[np.ndarray, ...]

    @property
    def n(self) -> int:
        return len(self.ids)

    def group_starts(self) -> np.ndarray:
        g = self.group[:-1]
        return np.flatnonzero(np.r_[True, g[1:] != g[:-1]])


def _pad(a: np.ndarray, value: object) -> np.ndarray:
    return np.concatenate([a, np.array([value], dtype=a.dtype)])


def in_group_order(units: pl.DataFrame) -> pl.DataFrame:
    """The engine's order, with each group's units brought together (they already are)."""
    return (units.with_row_index("__i").with_columns(pl.col("__i").min().over("group").alias("__g"))
            .sort("__g", "__i").drop("__i", "__g"))


def facts_of(c: m.Criteria, frame: pl.DataFrame, result: Result,
             order: pl.Series | None = None) -> Facts:
    """The fixed facts of every unit; `order` (ids) puts them in another table's order."""
    units = in_group_order(result.units)
    if order is not None:
        units = pl.DataFrame({"id": order}).join(units, on="id", how="left", maintain_order="left")
    indicators = frame.drop("name", "group", "row", strict=False)
    data = (units.select("id").join(indicators, on="id", how="left", maintain_order="left")
            .drop("id"))
    shown = units.select("total", *result.point_columns)
    shown = shown.hstack(data.drop([n for n in data.columns if n in shown.columns]))
    keys = shown.select(e.alias(name) for name, e in key_columns(c)[1:])
    main = pl.col("earned")
    if uses_exclude(c):
        rescaled = pl.col("earned") * c.total / pl.col("attainable")
        main = pl.when(pl.col("attainable") > 0).then(rescaled).otherwise(0.0)
        main = round_expr(main, c.precision) if c.round_at == "leaves" else main
    extra = units.select(pl.col("bonus") - pl.col("penalty")).to_series().to_numpy()
    pre = units.select(main).to_series().to_numpy() + extra
    labels = [b.label for b in c.classification]
    n = units.height
    cap, barred, knocked = np.full(n, -1), np.zeros(n, bool), np.zeros(n, bool)
    for k in c.knockouts:
        hit = units.get_column(f"ko.{k.code}").fill_null(False).to_numpy()
        knocked |= hit
        if isinstance(k.effect, m.Cap):
            cap = np.where(hit, np.maximum(cap, labels.index(k.effect.cap)), cap)
        else:
            barred |= hit
    when = [data.select(condition(a.eligible.when, c.missing)).to_series().to_numpy()
            if a.eligible.when else np.ones(n, bool) for a in c.awards]
    group_names = units.get_column("group").to_list()
    group = units.select(pl.col("group").rle_id()).to_series().to_numpy().astype(np.int64)
    on = [units.get_column(aw.col("on", a.code)).to_numpy() for a in c.awards]
    flag = [units.get_column(aw.col("flag", a.code)).to_numpy() for a in c.awards]
    id_rank = units.select(pl.col("id").rank("ordinal")).to_series().to_numpy().astype(np.int64)
    return Facts(
        ids=tuple(units.get_column("id").to_list()),
        names=tuple(units.get_column("name").to_list()),
        groups=tuple(group_names), group=_pad(group, int(group.max(initial=-1)) + 1),
        total=_pad(units.get_column("total").to_numpy().astype(float), -1.0),
        pre=_pad(pre, -1.0), extra=_pad(extra, -1.0),
        keys=tuple(_pad(keys.get_column(k).to_numpy().astype(float), -np.inf)
                   for k in keys.columns),
        id_rank=_pad(id_rank, 0), barred=_pad(barred, True), knocked=_pad(knocked, True),
        cap=_pad(cap, -1), when_ok=tuple(_pad(w.astype(bool), False) for w in when),
        rank=_pad(units.get_column("rank").to_numpy().astype(np.int64), 0),
        on=tuple(_pad(x.astype(bool), False) for x in on),
        flag=tuple(_pad(x.astype(bool), False) for x in flag))


def joined(a: Facts, b: Facts) -> Facts:
    """b's units after a's (one pad at the end): a population where either version can stand."""
    def cat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.concatenate([x[:-1], y])
    def each(x: tuple[np.ndarray, ...], y: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
        return tuple(cat(p, q) for p, q in zip(x, y))

    def both(*names: str) -> list[np.ndarray]:
        return [cat(getattr(a, k), getattr(b, k)) for k in names]

    return Facts(a.ids + b.ids, a.names + b.names, a.groups + b.groups,
                 *both("group", "total", "pre", "extra"), each(a.keys, b.keys),
                 *both("id_rank", "barred", "knocked", "cap"), each(a.when_ok, b.when_ok),
                 *both("rank"), each(a.on, b.on), each(a.flag, b.flag))


# --- ranks, classes and award lists for many rows at once -----------------------------------------


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
            a.code, c.award_scope(a), e.min_total, qualify,
            e.no_knockout, e.max_rank, tuple(codes.index(x) for x in e.awards or []),
            tuple(j for j, b in enumerate(c.awards[:i]) if b.exclusive) if a.exclusive else (),
            base, quota, a.on_tie_at_quota))
    top = c.total + (c.bonus.max_points if c.bonus else 0.0)
    totals = np.unique(facts.total[:-1])
    gap = float(np.diff(totals).min()) if len(totals) > 1 else math.inf
    bound = 2.0 * max(top, float(totals.max(initial=0.0))) + 1.0
    eps = 2.0 ** -30
    while eps > gap / 4 and eps > bound * 2.0 ** -56:
        eps /= 2
    mins = np.array([b.min for b in c.classification], dtype=float)
    return Rules(c.ranking.method, mins, labels, tuple(out), eps, math.ceil(bound / eps))


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
    if group.ndim == 1:  # the same units in every row: the groups' places do not move
        gs = np.sort(group)[None, :]
    else:
        gs = np.take_along_axis(group, order, axis=1)
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
            e = e & (total >= a.min_total)
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


# --- the engine's result, ready for re-weighting ------------------------------------------------


@dataclass(frozen=True)
class Basis:
    """One criteria file and one data file, scored: what every re-weighting starts from."""

    criteria: m.Criteria
    tree: Tree
    facts: Facts
    rules: Rules
    baseline: Baseline
    reweigher: Reweigher
    rounding: Rounding
    notes: tuple[str, ...] = ()  # where the re-weighting cannot follow the engine (see check)


def basis_of(c: m.Criteria, frame: pl.DataFrame, result: Result) -> Basis:
    tree = tree_of(c)
    facts = facts_of(c, frame, result)
    units = in_group_order(result.units)
    exclude = uses_exclude(c)
    k = len(tree.codes)
    raw = np.zeros((k, units.height + 1))
    avail = np.ones((k, units.height + 1), bool)
    raw[ROOT, :-1] = units.get_column("earned").to_numpy()
    for i in range(1, k):
        col = units.get_column(points_col(tree.codes[i]))
        avail[i, :-1] = col.is_not_null().to_numpy()
        raw[i, :-1] = col.fill_null(0.0).to_numpy()
    avail[:, -1] = False
    att = None
    if exclude:
        att = np.zeros_like(raw)
        for i in reversed(range(1, k)):
            kids = tree.children[i]
            if not kids:
                att[i] = tree.top[i] * avail[i]
            elif tree.how[i] == "sum":
                att[i] = att[list(kids)].sum(axis=0)
            else:
                att[i] = tree.top[i] * avail[i]
        att[ROOT, :-1] = units.get_column("attainable").to_numpy()
    leaves = tree.leaves
    points = np.zeros((k, units.height))
    points[leaves] = raw[leaves, :-1]
    rounding = rounding_of(c)
    reweigher = Reweigher(tree, points, avail[:, :-1] if exclude else None, c.total, rounding)
    basis = Basis(c, tree, facts, rules_of(c, facts), Baseline(raw, att, avail), reweigher,
                  rounding)
    return dataclasses.replace(basis, notes=check(basis, units))


KNOWN = {  # the fields of the models this module reproduces; anything else is reported, not ignored
    "award": {"code", "name", "per", "quota", "eligible", "exclusive", "on_tie_at_quota"},
    "eligible": {"min_total", "classification", "no_knockout", "max_rank", "when", "awards"},
    "quota": {"count", "percent", "rounding", "min", "of"},
    "ranking": {"method", "tie_break"},
}


def check(basis: Basis, units: pl.DataFrame) -> tuple[str, ...]:
    """What the re-weighting cannot follow: settings it does not know, and any unit whose rank,
    class or award it does not reproduce with every weight as written (which would be a bug)."""
    c, f = basis.criteria, basis.facts
    notes = []
    models = [("ranking", c.ranking)]
    for a in c.awards:
        models += [("award", a), ("eligible", a.eligible), ("quota", a.quota)]
    for kind, model in models:
        unknown = sorted(set(model.model_dump(exclude_defaults=True)) - KNOWN[kind])
        if unknown:
            notes.append(f"{kind} settings not followed under new weights: {', '.join(unknown)}")
    d = draw(basis, np.ones((1, len(basis.tree.codes))))
    labels = {label: i for i, label in enumerate(basis.rules.labels)}
    klass = np.array([labels.get(x, -1) for x in units.get_column("classification").to_list()])
    wrong = (d.rank[0] != f.rank[:-1]) | (d.klass[0] != klass)
    for i in range(len(c.awards)):
        wrong |= (d.on[i][0] != f.on[i][:-1]) | (d.flag[i][0] != f.flag[i][:-1])
    if wrong.any():
        first = ", ".join(np.array(f.ids)[wrong][:5])
        notes.append(f"with the weights as written, {int(wrong.sum())} units differ from the "
                     f"engine (first: {first}): their results here are approximate")
    return tuple(notes)


def reference(basis: Basis, cols: np.ndarray | None = None) -> np.ndarray:
    """The main points one_change starts from (no change), in the same arithmetic."""
    return change_one(basis, ROOT, np.ones(1), cols)


def change_one(basis: Basis, node: int, f: np.ndarray, cols: np.ndarray | None = None,
               rescale: bool = True) -> np.ndarray:
    """Main points with only `node`'s factor changed (to f, one per row)."""
    return one_change(basis.tree, basis.baseline, basis.criteria.total, basis.rounding, node, f,
                      cols, rescale)


def totals(basis: Basis, main: np.ndarray, ref: np.ndarray, cols: np.ndarray | None = None,
           extra: np.ndarray | float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(totals, totals in units of eps) from new main points (and a change of bonus − penalty).

    With a precision, the total is main + bonus − penalty, floored at 0 and rounded as the engine
    rounds it. Without one (nothing is ever rounded), it is the engine's total plus the change of
    main points against `ref` (the same arithmetic with nothing changed), so that with nothing
    changed it is the engine's total to the last bit; the floor at 0 applies as in the engine."""
    f, rules = basis.facts, basis.rules
    take = (lambda a: a[:-1]) if cols is None else (lambda a: a[cols])
    if basis.rounding.precision is not None:
        total = basis.rounding.total(np.maximum(main + (take(f.extra) + extra), 0.0))
        return total, np.rint(total / rules.eps).astype(np.int64)
    pre, nominal = take(f.pre), take(f.total)
    change = (main - ref) + extra
    moved = pre + change
    if pre.min(initial=0.0) >= 0 and moved.min(initial=0.0) >= 0:
        delta = change
    else:
        floored = np.maximum(moved, 0.0) - np.maximum(pre, 0.0)
        delta = np.where((pre >= 0) & (moved >= 0), change, floored)
    steps = np.rint(delta / rules.eps).astype(np.int64)
    return nominal + steps * rules.eps, np.rint(nominal / rules.eps).astype(np.int64) + steps


def rows_per_batch(n: int) -> int:
    return max(1, CHUNK // max(n, 1))


# --- Monte Carlo over the weights ---------------------------------------------------------------


@dataclass(frozen=True)
class Sensitivity:
    """Per unit: ranks and the chance of each award and class under random weights; per award
    list: how often it is exactly the nominal one."""

    units: pl.DataFrame
    lists: pl.DataFrame
    draws: int
    spread: float
    seed: int | None
    eps: float
    leaves: tuple[str, ...]
    notes: tuple[str, ...] = ()


QUANTILES = (("rank_p05", 0.05), ("rank_median", 0.5), ("rank_p95", 0.95))


def factors(basis: Basis, draws: int, spread: float, seed: int | None) -> np.ndarray:
    """draws × nodes: each main leaf's factor uniform in [1 − spread, 1 + spread], the rest 1."""
    if not 0 <= spread < 1:
        raise ValueError(f"spread must be from 0 to below 1, got {spread}")
    rng = np.random.default_rng(seed)
    leaves = basis.tree.leaves
    u = np.ones((draws, len(basis.tree.codes)))
    u[:, leaves] = rng.uniform(1.0 - spread, 1.0 + spread, size=(draws, len(leaves)))
    return u


def draw(basis: Basis, u: np.ndarray, ref: np.ndarray | None = None) -> Decision:
    """Classes, ranks and award lists of every unit for rows of factors (rows × nodes)."""
    if ref is None:
        ref = basis.reweigher.main(np.ones((1, u.shape[1])))
    total, q = totals(basis, basis.reweigher.main(u), ref)
    return decide(basis.rules, basis.facts, total, q)


def simulate(basis: Basis, draws: int, spread: float, seed: int | None,
             progress: Callable[[int], None] | None = None) -> Sensitivity:
    """Re-score, re-rank and re-shortlist every unit under `draws` random weightings."""
    facts, rules, c = basis.facts, basis.rules, basis.criteria
    n, na, nl = facts.n, len(rules.awards), len(rules.labels)
    u = factors(basis, draws, spread, seed)
    ref = basis.reweigher.main(np.ones((1, u.shape[1])))
    ranks = np.empty((draws, n), dtype=np.int32)
    on_count = np.zeros((na, n), np.int64)
    flag_count = np.zeros((na, n), np.int64)
    class_count = np.zeros((nl + 1, n), np.int64)
    starts = facts.group_starts()
    same = np.zeros((na, len(starts)), np.int64)
    step = rows_per_batch(n)
    for lo in range(0, draws, step):
        hi = min(draws, lo + step)
        d = draw(basis, u[lo:hi], ref)
        ranks[lo:hi] = d.rank
        for i, a in enumerate(rules.awards):
            on_count[i] += d.on[i].sum(axis=0)
            flag_count[i] += d.flag[i].sum(axis=0)
            moved = (d.on[i] != facts.on[i][:-1]) | (d.flag[i] != facts.flag[i][:-1])
            if a.scope == "group":
                same[i] += (~np.logical_or.reduceat(moved, starts, axis=1)).sum(axis=0)
            else:
                same[i, 0] += int((~moved.any(axis=1)).sum())
        for j in range(nl):
            class_count[j] += (d.klass == j).sum(axis=0)
        class_count[nl] += (d.klass < 0).sum(axis=0)
        if progress is not None:
            progress(hi - lo)
    quantiles = _quantiles(ranks)
    cols: dict[str, object] = {"id": facts.ids, "name": facts.names, "group": list(facts.groups),
                               "rank": facts.rank[:-1]}
    for (name, _), values in zip(QUANTILES, quantiles):
        cols[name] = values
    for i, a in enumerate(rules.awards):
        cols[f"award.{a.code}"] = on_count[i] / draws
        cols[f"flag.{a.code}"] = flag_count[i] / draws
    for j, label in enumerate(rules.labels):
        cols[f"class.{label}"] = class_count[j] / draws
    if nl and class_count[nl].any():
        cols["class.(none)"] = class_count[nl] / draws
    units = pl.DataFrame(cols, strict=False, schema_overrides={"group": pl.String})
    return Sensitivity(units, _lists(c, facts, rules, same, draws), draws, spread, seed, rules.eps,
                       tuple(basis.tree.codes[i] for i in basis.tree.leaves), basis.notes)


def _quantiles(ranks: np.ndarray) -> list[np.ndarray]:
    """Per unit: the smallest rank r that at least q of the draws reach (r or better)."""
    draws = ranks.shape[0]
    at = [min(draws - 1, max(0, math.ceil(q * draws) - 1)) for _, q in QUANTILES]
    part = np.partition(ranks, sorted(set(at)), axis=0)
    return [part[i].astype(np.int64) for i in at]


def _lists(c: m.Criteria, facts: Facts, rules: Rules, same: np.ndarray, draws: int) -> pl.DataFrame:
    starts = facts.group_starts()
    ends = np.r_[starts[1:], facts.n]
    ids = np.array(facts.ids, dtype=object)
    rows = []
    for i, a in enumerate(rules.awards):
        spans = zip(starts, ends) if a.scope == "group" else [(0, facts.n)]
        for g, (s, e) in enumerate(spans):
            rows.append({"award": a.code, "group": facts.groups[s] if a.scope == "group" else None,
                         "units": list(ids[s:e][facts.on[i][s:e]]),
                         "flagged": list(ids[s:e][facts.flag[i][s:e]]),
                         "same": same[i, g] / draws})
    schema = {"award": pl.String, "group": pl.String, "units": pl.List(pl.String),
              "flagged": pl.List(pl.String), "same": pl.Float64}
    return pl.DataFrame(rows, schema=schema)


# --- stability margins ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Margins:
    """Per award list and per group's first two places: the smallest change of one criterion's
    max points (searched leaf by leaf, both ways, up to removing or doubling it) that changes it."""

    frame: pl.DataFrame
    resolution: float


@dataclass(frozen=True)
class _Targets:
    """What is watched: each award's list per group (or over all units) and each group's first
    two places. kind: award index, or −1 for the order of the first two."""

    kind: np.ndarray
    segment: np.ndarray  # group number (0 for an award over all units)


def _targets(basis: Basis) -> _Targets:
    f, rules = basis.facts, basis.rules
    starts = f.group_starts()
    sizes = np.diff(np.r_[starts, f.n])
    kind, segment = [], []
    for i, a in enumerate(rules.awards):
        segs = range(len(starts)) if a.scope == "group" else [0]
        kind += [i] * len(segs)
        segment += list(segs)
    for g in np.flatnonzero(sizes >= 2):
        kind.append(-1)
        segment.append(int(g))
    return _Targets(np.array(kind, dtype=np.int64), np.array(segment, dtype=np.int64))


def members(facts: Facts) -> np.ndarray:
    """groups × largest group: each group's units, padded with the pad unit."""
    starts = facts.group_starts()
    ends = np.r_[starts[1:], facts.n]
    width = int((ends - starts).max(initial=1))
    out = np.full((len(starts), width), facts.n)
    for g, (s, e) in enumerate(zip(starts, ends)):
        out[g, : e - s] = np.arange(s, e)
    return out


def _changed_all(basis: Basis, d: Decision, targets: _Targets) -> np.ndarray:
    """rows × targets: which targets differ from the engine's, every unit in every row."""
    f = basis.facts
    starts = f.group_starts()
    out = np.zeros((d.rank.shape[0], len(targets.kind)), bool)
    for i, a in enumerate(basis.rules.awards):
        moved = (d.on[i] != f.on[i][:-1]) | (d.flag[i] != f.flag[i][:-1])
        if a.scope == "group":
            by = np.logical_or.reduceat(moved, starts, axis=1)
        else:
            by = moved.any(axis=1)[:, None]
        pick = targets.kind == i
        out[:, pick] = by[:, targets.segment[pick]]
    pick = targets.kind == -1
    if pick.any():
        first = starts[targets.segment[pick]]
        lay = d.layout
        for p in (first, first + 1):
            out[:, pick] |= (lay.order[:, p] != p) | (lay.rank[:, p] != f.rank[p])
    return out


def _changed_local(basis: Basis, d: Decision, cols: np.ndarray, kind: np.ndarray,
                   segment: np.ndarray) -> np.ndarray:
    """Per row (each row one group's units): does that row's target differ from the engine's?"""
    f = basis.facts
    out = np.zeros(len(kind), bool)
    for i in range(len(basis.rules.awards)):
        rows = kind == i
        if rows.any():
            c = cols[rows]
            moved = (d.on[i][rows] != f.on[i][c]) | (d.flag[i][rows] != f.flag[i][c])
            out[rows] = moved.any(axis=1)
    rows = kind == -1
    if rows.any():
        first = f.group_starts()[segment[rows]]
        lay, c = d.layout, cols[rows]
        for p, nominal in ((0, first), (1, first + 1)):
            unit = np.take_along_axis(c, lay.order[rows, p: p + 1], axis=1)[:, 0]
            out[rows] |= (unit != nominal) | (lay.rank[rows, p] != f.rank[nominal])
    return out


def _evaluate(basis: Basis, node: np.ndarray, f: np.ndarray, cols: np.ndarray | None) -> Decision:
    """Rows, each changing one node's factor, decided (cols: each row's units, or None: all)."""
    width = basis.facts.n if cols is None else cols.shape[1]
    main = np.empty((len(node), width))
    for i in np.unique(node):
        rows = node == i
        main[rows] = change_one(basis, int(i), f[rows], None if cols is None else cols[rows])
    t, q = totals(basis, main, reference(basis, cols), cols)
    return decide(basis.rules, basis.facts, t, q, cols)


def resolution(c: m.Criteria) -> float:
    """Margins are searched to half of this: one unit of the file's last decimal (by default
    0.01)."""
    return 10.0 ** -(c.precision if c.precision is not None else 2)


def _grid(basis: Basis, res: float) -> tuple[np.ndarray, np.ndarray]:
    """A doubling grid of changes for each leaf, res, 2·res, 4·res … up to its whole max, both
    ways."""
    tree = basis.tree
    nodes, deltas = [], []
    for i in tree.leaves:
        if tree.top[i] <= 0:
            continue
        top = float(tree.top[i])
        steps = [res * 2.0 ** j for j in range(64) if res * 2.0 ** j < top] + [top]
        for sign in (1.0, -1.0):
            nodes += [i] * len(steps)
            deltas += [sign * s for s in steps]
    return np.array(nodes, dtype=np.int64), np.array(deltas)


def grid_rows(basis: Basis) -> int:
    """How many rows the first step of `margins` evaluates (for a progress bar)."""
    return len(_grid(basis, resolution(basis.criteria))[0])


def margins(basis: Basis, progress: Callable[[int], None] | None = None) -> Margins:
    """Stability margins of every award list and of each group's first two places."""
    tree, c, facts = basis.tree, basis.criteria, basis.facts
    res = resolution(c)
    targets = _targets(basis)
    node, delta = _grid(basis, res)
    changed = np.zeros((len(node), len(targets.kind)), bool)
    step = rows_per_batch(facts.n)
    for lo in range(0, len(node), step):
        sl = slice(lo, lo + step)
        d = _evaluate(basis, node[sl], 1.0 + delta[sl] / tree.top[node[sl]], None)
        changed[sl] = _changed_all(basis, d, targets)
        if progress is not None:
            progress(len(node[sl]))
    # 2. per target and (leaf, direction): the first grid step that changes it; then bisection
    found: list[tuple[np.ndarray, ...]] = []
    cut = np.flatnonzero(np.r_[True, (node[1:] != node[:-1]) | (delta[1:] * delta[:-1] < 0)])
    for b0, b1 in zip(cut, np.r_[cut[1:], len(node)]):  # one leaf, one direction, growing
        hit = changed[b0:b1]
        t = np.flatnonzero(hit.any(axis=0))
        first = hit.argmax(axis=0)[t]
        lo = np.where(first > 0, np.abs(delta[b0 + first - 1]), 0.0)
        found.append((t, np.full(len(t), node[b0]), np.full(len(t), np.sign(delta[b0])), lo,
                      np.abs(delta[b0 + first])))
    p_t, p_node, p_sign, p_lo, p_hi = (np.concatenate([x[k] for x in found]) if found
                                       else np.zeros(0) for k in range(5))
    p_t, p_node = p_t.astype(np.int64), p_node.astype(np.int64)
    local = not basis.rules.overall
    table = members(facts)
    while len(p_t):
        best = np.full(len(targets.kind), np.inf)
        np.minimum.at(best, p_t, p_hi)
        active = (p_lo < best[p_t]) & (p_hi - p_lo > res / 2)
        if not active.any():
            break
        keep = p_lo < best[p_t]
        p_t, p_node, p_sign, p_lo, p_hi, active = (
            x[keep] for x in (p_t, p_node, p_sign, p_lo, p_hi, active))
        idx = np.flatnonzero(active)
        mid = (p_lo[idx] + p_hi[idx]) / 2
        moved = _changed_at(basis, targets, table, local, p_t[idx], p_node[idx], p_sign[idx] * mid)
        p_hi[idx] = np.where(moved, mid, p_hi[idx])
        p_lo[idx] = np.where(moved, p_lo[idx], mid)
    return Margins(_margin_frame(basis, targets, table, local, p_t, p_node, p_sign, p_hi), res)


def _changed_at(basis: Basis, targets: _Targets, members: np.ndarray, local: bool, t: np.ndarray,
                node: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """Does each target t change when node's max changes by delta?"""
    out = np.zeros(len(t), bool)
    f = 1.0 + delta / basis.tree.top[node]
    width = members.shape[1] if local else basis.facts.n
    step = rows_per_batch(width)
    for lo in range(0, len(t), step):
        sl = slice(lo, lo + step)
        if local:
            cols = members[targets.segment[t[sl]]]
            d = _evaluate(basis, node[sl], f[sl], cols)
            out[sl] = _changed_local(basis, d, cols, targets.kind[t[sl]], targets.segment[t[sl]])
        else:
            d = _evaluate(basis, node[sl], f[sl], None)
            out[sl] = _changed_all(basis, d, targets)[np.arange(len(t[sl])), t[sl]]
    return out


def _margin_frame(basis: Basis, targets: _Targets, members: np.ndarray, local: bool,
                  p_t: np.ndarray, p_node: np.ndarray, p_sign: np.ndarray,
                  p_hi: np.ndarray) -> pl.DataFrame:
    f, tree, rules = basis.facts, basis.tree, basis.rules
    starts = f.group_starts()
    ends = np.r_[starts[1:], f.n]
    ids = np.array(f.ids, dtype=object)
    best: dict[int, tuple[float, int, float]] = {}
    for t, i, s, h in zip(p_t, p_node, p_sign, p_hi):
        here = (float(h), int(i), -float(s))  # the smallest change, the first leaf, a raise
        if int(t) not in best or here < best[int(t)]:
            best[int(t)] = here

    def span(t: int) -> tuple[int, int]:
        kind, g = int(targets.kind[t]), int(targets.segment[t])
        whole = kind >= 0 and rules.awards[kind].scope == "all"
        return (0, f.n) if whole else (int(starts[g]), int(ends[g]))

    after: dict[int, list[str]] = {}
    tied: dict[int, list[str]] = {}
    found = sorted(best)
    if found:
        t = np.array(found, dtype=np.int64)
        node = np.array([best[x][1] for x in found], dtype=np.int64)
        delta = np.array([-best[x][2] * best[x][0] for x in found])
        cols = members[targets.segment[t]] if local else None
        d = _evaluate(basis, node, 1.0 + delta / tree.top[node], cols)
        for r, x in enumerate(found):
            units = cols[r] if cols is not None else np.arange(f.n)
            kind = int(targets.kind[x])
            s, e = span(x)
            if kind >= 0:
                chosen, shared = units[d.on[kind][r]], units[d.flag[kind][r]]
            else:
                inside = (units >= s) & (units < e)
                first = units[d.layout.order[r]][inside[d.layout.order[r]]][:2]
                ranks = d.layout.rank[r][inside[d.layout.order[r]]][:2]
                tie = len(ranks) == 2 and ranks[0] == ranks[1]
                chosen, shared = first, first if tie else first[:0]
            after[x] = [str(ids[u]) for u in chosen if s <= u < e]
            tied[x] = [str(ids[u]) for u in shared if s <= u < e]
    rows = []
    for t in range(len(targets.kind)):
        kind = int(targets.kind[t])
        a = rules.awards[kind] if kind >= 0 else None
        s, e = span(t)
        nominal = list(ids[s: s + 2]) if a is None else list(ids[s:e][f.on[kind][s:e]])
        hit = best.get(t)
        change = round(-hit[2] * hit[0], 6) if hit else None  # found to res/2: no more digits
        top = float(tree.top[hit[1]]) if hit else None
        rows.append({
            "target": "order" if a is None else "award", "award": a.code if a else None,
            "group": f.groups[s] if a is None or a.scope == "group" else None,
            "nominal": nominal, "criterion": tree.codes[hit[1]] if hit else None,
            "change": change, "max_points": top,
            "new_max": top + change if top is not None and change is not None else None,
            "after": after.get(t), "after_tied": tied.get(t),
        })
    ids_ = pl.List(pl.String)
    schema = {"target": pl.String, "award": pl.String, "group": pl.String, "nominal": ids_,
              "criterion": pl.String, "change": pl.Float64, "max_points": pl.Float64,
              "new_max": pl.Float64, "after": ids_, "after_tied": ids_}
    return pl.DataFrame(rows, schema=schema)
