"""The main criteria as arrays, and every unit's main points under changed factors: the whole
tree re-weighted for rows of factors at once (`Reweigher`), or one node's factor changed from the
engine's own points (`one_change`). The model of a change of weights is in the package's
docstring."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from thidua import model as m
from thidua.core.rounding import round_array
from thidua.core.scoring import weights

ROOT = 0


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
        if node.children:  # as the engine weighs them: scaled by one power of two (exact)
            for k, w in zip(children[i], weights(node.children)):
                weight[k] = w

    for node in c.criteria:
        add(node, ROOT)
    return Tree(tuple(codes), tuple(how), tuple(parent), tuple(tuple(k) for k in children),
                np.array(top, dtype=float), np.array(weight, dtype=float))


# --- main points under changed factors ------------------------------------------------------------


@dataclass(frozen=True)
class Rounding:
    """The file's rounding applied to numpy arrays: the engine's, bit for bit (round_array)."""

    precision: int | None
    leafwise: bool  # round_at: leaves (subtotals are rounded too)

    def total(self, x: np.ndarray) -> np.ndarray:
        if self.precision is None:
            return x
        return round_array(x, self.precision)

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
    norms = []  # each child's share of its max, or under exclusion of its own attainable points
    for raw_k, base_k, att_k in kids:  # (a sum below with a criterion left out can earn less)
        by = att_k if exclude else base_k
        shape = np.broadcast_shapes(np.shape(raw_k), np.shape(by))
        norms.append(np.divide(raw_k, by, out=np.zeros(shape), where=np.asarray(by) > 0))
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
                d_att = (f - 1.0) * take(base.att[c]) if base.att is not None else 0.0
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
    att = take(base.att[ROOT]) + d_att if base.att is not None else None
    raw = np.broadcast_to(raw, np.broadcast_shapes(np.shape(raw), np.shape(f)))
    return finish(raw, total + d_base + np.zeros_like(f), att, total, rounding)
