"""Monte Carlo over the weights: every unit re-scored, re-ranked and re-shortlisted under
thousands of random weightings, summed up as rank quantiles and the chance of each award and class.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from thidua import model as m
from thidua.core.decisions import Rules
from thidua.core.sensitivity.basis import Basis, draw, rows_per_batch
from thidua.core.sensitivity.facts import Facts


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
    notes: tuple[str, ...] = ()  # for the reader, shown by the renderers; none are made today


QUANTILES = (("rank_p05", 0.05), ("rank_median", 0.5), ("rank_p95", 0.95))


# 8-byte arrays of one batch's rows × units alive at once while a batch of draws is decided
# (totals, their eps units, the layout's keys and orders, ranks, classes, award masks …):
# tracemalloc measured 14 to 16 on the shipped files and on the benchmark file (200 and 10,000
# units); half again as a margin
BATCH_ARRAYS = 24


def bytes_needed(basis: Basis, draws: int) -> int:
    """About how many bytes `simulate` holds at its peak for `draws` draws: the factors (draws ×
    nodes, 8 bytes each), the ranks (draws × units, 4 bytes) and their partition for the
    quantiles (as many again), and the arrays of one batch of draws being decided. Python
    integers, so that no product overflows."""
    n, nodes = max(int(basis.facts.n), 1), len(basis.tree.codes)
    batch = min(draws, rows_per_batch(n)) * n * 8 * BATCH_ARRAYS
    return draws * (8 * nodes + 2 * 4 * n) + batch


def factors(basis: Basis, draws: int, spread: float, seed: int | None) -> np.ndarray:
    """draws × nodes: each main leaf's factor uniform in [1 − spread, 1 + spread], the rest 1."""
    if not 0 <= spread < 1:
        raise ValueError(f"spread must be from 0 to below 1, got {spread}")
    rng = np.random.default_rng(seed)
    leaves = basis.tree.leaves
    u = np.ones((draws, len(basis.tree.codes)))
    u[:, leaves] = rng.uniform(1.0 - spread, 1.0 + spread, size=(draws, len(leaves)))
    return u


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
                       tuple(basis.tree.codes[i] for i in basis.tree.leaves))


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
    return pl.DataFrame(rows, schema={"award": pl.String, "group": pl.String,
                                      "units": pl.List(pl.String),
                                      "flagged": pl.List(pl.String), "same": pl.Float64})
