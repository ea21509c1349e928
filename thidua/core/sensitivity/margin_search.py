"""Stability margins: per award list and per group's first two places, the smallest change of
one criterion's max points that changes it, found on a doubling grid and then by bisection."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from thidua import model as m
from thidua.core.decisions import Decision, decide
from thidua.core.sensitivity.basis import Basis, change_one, reference, rows_per_batch, totals
from thidua.core.sensitivity.facts import Facts


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
        low = np.where(first > 0, np.abs(delta[b0 + first - 1]), 0.0)
        found.append((t, np.full(len(t), node[b0]), np.full(len(t), np.sign(delta[b0])), low,
                      np.abs(delta[b0 + first])))
    parts = [np.concatenate([x[k] for x in found]) if found else np.zeros(0) for k in range(5)]
    p_t: np.ndarray = parts[0].astype(np.int64)
    p_node: np.ndarray = parts[1].astype(np.int64)
    p_sign, p_lo, p_hi = parts[2:]
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
    return pl.DataFrame(rows, schema={
        "target": pl.String, "award": pl.String, "group": pl.String, "nominal": ids_,
        "criterion": pl.String, "change": pl.Float64, "max_points": pl.Float64,
        "new_max": pl.Float64, "after": ids_, "after_tied": ids_})
