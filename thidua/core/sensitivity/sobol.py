"""Sobol indices of the council's decisions over the weights: which criterion (or named group of
criteria) decides whether this unit is on this list, its rank, and COINr's scalar.

Pure core: a `Basis` (thidua/core/sensitivity/basis.py) in, frames out. No files, no printing,
no click.

The design (the model of a change of weights is the package's, in the docstring of
thidua/core/sensitivity/__init__.py)
- Inputs: one factor per group, uniform in [1 − spread, 1 + spread]; a group's factor multiplies
  the max points (under a mean: the weight) of every criterion it names, and the main maxima are
  then rescaled so the total is unchanged, as in the Monte Carlo. Criteria in no group keep their
  weight. One more input, `dummy`, is drawn like the others and read by nothing.
- Sampling (Saltelli 2002/2010): one scrambled Sobol sequence (scipy.stats.qmc.Sobol, seeded by
  --seed) in 2(k + 1) dimensions, k groups and the dummy; its first k + 1 columns are the matrix
  A, the others B, N rows each (the first N points of 2^m ≥ N, so a power of 2 keeps the
  sequence's balance). The scenarios are A, B and, per group g, AB_g (A with column g from B):
  N (k + 2) scenarios, every one decided by the engine's own decisions (decisions.decide through
  basis.draw). AB_dummy is A itself (nothing reads the dummy), so it costs no scenario.
- Targets: `rank_shift` (COINr's scalar: the mean over units of |rank in group − the engine's
  rank|), `rank:<id>` (the rank in the group), `award:<code>:<id>` (1 on the list, 0 not). A
  target that takes one value in every scenario of A and B has no variance to share out and no
  index: it is left out and counted.
- Estimators (Jansen 1999, as Saltelli et al. 2010 table 2 (f) give them), with V the variance of
  f over the 2N scenarios of A and B:
    S1_g = 1 − mean((f(B) − f(AB_g))²) / (2V)      ST_g = mean((f(A) − f(AB_g))²) / (2V)
  The dummy's ST is exactly 0 (f(AB_dummy) = f(A)), and its S1 = 1 − mean((f(B) − f(A))²) / (2V)
  is the estimator's own noise at this N: the noise floor an index must clear to mean anything.
- Bootstrap: `bootstrap` resamples of the N base rows (rows of A, B and every AB_g drawn
  together, numpy's generator seeded by --seed), each a row of counts; every sum above is one
  matrix product of those counts with the per-row values, so the intervals cost no Python loop.
  S1_low/S1_high and ST_low/ST_high are the 5 % and 95 % quantiles (numpy's linear rule) of the
  resampled estimates; a resample in which the target does not vary counts as 0.
- Nominal weight: a group's share of the main total, the product down the tree of each node's
  share among its siblings (its max points under a sum, its weight under a mean).
- The flag (`sobol_criteria`): influence on the lists is a group's mean ST over the award targets
  kept, as a share of the groups' sum of it (the dummy apart); weight is the group's nominal
  share among the groups. `weight_without_influence` when weight ≥ 1/k and influence < weight / 2
  (a large weight that moves the lists less than half as much as it weighs);
  `influence_without_weight` when weight < 1/k and influence > 2 × weight. No award target
  varies: no influence and no flag.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl

from thidua.core.sensitivity.basis import CHUNK, Basis, draw
from thidua.core.sensitivity.reweight import ROOT, Tree
from thidua.errors import Problem, UsageError
from thidua.i18n import _

DUMMY = "dummy"
RANK_SHIFT = "rank_shift"
LOW, HIGH = 0.05, 0.95
FLAGS = ("weight_without_influence", "influence_without_weight")
COLUMNS = ("target", "criterion", "S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high")


@dataclass(frozen=True)
class Group:
    """One input of the analysis: the main criteria whose weights move together."""

    name: str
    codes: tuple[str, ...]
    nodes: tuple[int, ...]  # in the tree (reweight.Tree)
    weight: float  # nominal share of the main total


@dataclass(frozen=True)
class Sobol:
    indices: pl.DataFrame  # COLUMNS, one row per target kept and input (the dummy last)
    criteria: pl.DataFrame  # per input: nominal weight, indices on rank_shift, influence, flag
    groups: tuple[Group, ...]
    samples: int
    bootstrap: int
    spread: float
    seed: int
    eps: float
    targets: int  # targets in all
    constant: int  # of them, left out: one value in every scenario of A and B


# --- the inputs -------------------------------------------------------------------------------


def shares(tree: Tree) -> np.ndarray:
    """Each node's nominal share of the main total."""
    out = np.zeros(len(tree.codes))
    out[ROOT] = 1.0
    for i in range(len(tree.codes)):
        kids = list(tree.children[i])
        if not kids:
            continue
        size = tree.top[kids] if tree.how[i] == "sum" else tree.weight[kids]
        whole = float(size.sum())
        for k, s in zip(kids, size):
            out[k] = out[i] * float(s) / whole if whole > 0 else 0.0
    return out


def groups_of(tree: Tree, asked: Sequence[tuple[str, Sequence[str]]] = ()) -> tuple[Group, ...]:
    """The inputs: each named group (name, codes of main criteria), or, when none is named, each
    top-level main criterion on its own, named by its code. A UsageError lists every problem."""
    share = shares(tree)
    where = {code: i for i, code in enumerate(tree.codes) if i != ROOT}
    if not asked:
        asked = [(tree.codes[i], [tree.codes[i]]) for i in tree.children[ROOT]]
    problems: list[Problem] = []
    names: set[str] = set()
    taken: dict[int, str] = {}
    out = []
    for name, codes in asked:
        place = f"--group {name}: "
        if name == DUMMY:
            problems.append(Problem("", place + _("the name {name} is kept for the dummy input",
                                             name=repr(DUMMY))))
        elif name in names:
            problems.append(Problem("", place + _("the group {name} is named twice", name=repr(name))))
        names.add(name)
        if not codes:
            problems.append(Problem("", place + _("no criterion named")))
        nodes = []
        for code in codes:
            if code not in where:
                problems.append(Problem("", place + _("no main criterion {code} in the criteria file",
                                                 code=repr(code))))
                continue
            i = where[code]
            clash = [taken[j] for j in (i, *tree.ancestors(i), *tree.below(i)) if j in taken]
            if clash:
                problems.append(Problem("", place + _(
                    "the criterion {code} is already in the group {other} (itself, a criterion "
                    "above it or one below it)", code=repr(code), other=repr(clash[0]))))
                continue
            taken[i] = name
            nodes.append(i)
        out.append(Group(name, tuple(codes), tuple(nodes), float(share[nodes].sum())))
    if problems:
        raise UsageError("sensitivity", problems)
    return tuple(out)


def saltelli(k: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A and B (n × k each, in [0, 1)): the first n points of a scrambled Sobol sequence in 2k
    dimensions, its first k columns and its last k."""
    from scipy.stats import qmc

    points = qmc.Sobol(2 * k, scramble=True, rng=seed).random_base2(max(1, math.ceil(math.log2(n))))
    return points[:n, :k], points[:n, k:]


# --- the estimators ---------------------------------------------------------------------------


class Jansen:
    """First-order and total indices of many targets at once, with their bootstrap: every mean
    is a matrix product of the resample counts (row 0: the whole sample) with per-row values."""

    def __init__(self, fa: np.ndarray, fb: np.ndarray, bootstrap: int, seed: int):
        n = fa.shape[0]
        rng = np.random.default_rng([seed, 17])
        counts = rng.multinomial(n, np.full(n, 1.0 / n), size=bootstrap).astype(float)
        self.w = np.vstack([np.ones((1, n)), counts]) / n  # (1 + bootstrap) × n: means
        self.fa, self.fb = fa, fb
        mean = self.w @ (fa + fb) / 2
        self.twice_v = 2 * (self.w @ (fa * fa + fb * fb) / 2 - mean * mean)
        self.twice_v[self.twice_v < 1e-12 * np.maximum(1.0, mean * mean)] = 0.0

    def _share(self, x: np.ndarray) -> np.ndarray:
        return np.divide(x, self.twice_v, out=np.zeros_like(x), where=self.twice_v > 0)

    def first_total(self, fab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(S1, ST) of one input, each (1 + bootstrap) × targets, from f(AB) of that input."""
        s1 = self._share(self.w @ np.square(self.fb - fab))
        st = self._share(self.w @ np.square(self.fa - fab))
        s1 = np.where(self.twice_v > 0, 1.0 - s1, 0.0)
        return s1, st

    def dummy(self) -> tuple[np.ndarray, np.ndarray]:
        """(S1, ST) of the input nothing reads: f(AB_dummy) is f(A)."""
        return self.first_total(self.fa)


def summary(stat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(estimate, 5 % quantile, 95 % quantile) over the resamples, per target."""
    if stat.shape[0] == 1:
        return stat[0], stat[0], stat[0]
    low, high = np.quantile(stat[1:], [LOW, HIGH], axis=0)
    return stat[0], low, high


# --- the model: every scenario decided ----------------------------------------------------------


def _factors(basis: Basis, groups: Sequence[Group], x: np.ndarray, spread: float) -> np.ndarray:
    u = np.ones((x.shape[0], len(basis.tree.codes)))
    for g, group in enumerate(groups):
        u[:, list(group.nodes)] = (1.0 - spread + 2.0 * spread * x[:, g])[:, None]
    return u


def _threads() -> int:
    return max(1, min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                      else os.cpu_count() or 1))


def outputs(basis: Basis, groups: Sequence[Group], x: np.ndarray, spread: float,
            keep: np.ndarray | None = None,
            progress: Callable[[int], None] | None = None) -> np.ndarray:
    """Every target (or the `keep` ones) under each row of inputs x: rows × targets, less the
    engine's own value (rank_shift, then each unit's rank, then each award's membership per unit).
    Batches of rows are decided on two threads (numpy's sorts let go of the interpreter)."""
    facts, na = basis.facts, len(basis.rules.awards)
    n = facts.n
    cols = np.arange(1 + n * (1 + na)) if keep is None else keep
    out = np.empty((x.shape[0], len(cols)))
    # where each kind of target goes in `out`, and which unit it is about
    parts = []
    for p in range(1 + na):
        at = np.flatnonzero((cols > n * p) & (cols <= n * (p + 1)))
        parts.append((_span(at), _span(cols[at] - 1 - n * p)))
    shift_at = np.flatnonzero(cols == 0)
    nominal_rank = facts.rank[:-1]
    nominal = [nominal_rank[parts[0][1]]] + [facts.on[i][:-1][units].astype(np.int64)
                                             for i, (_, units) in enumerate(parts[1:])]
    ref = basis.reweigher.main(np.ones((1, len(basis.tree.codes))))
    step = max(1, 2 * CHUNK // max(n, 1))

    def one(lo: int) -> int:
        hi = min(x.shape[0], lo + step)
        d = draw(basis, _factors(basis, groups, x[lo:hi], spread), ref)
        if len(shift_at):
            out[lo:hi, shift_at[0]] = np.abs(d.rank - nominal_rank).mean(axis=1)
        for p, ((at, units), now) in enumerate(zip(parts, nominal)):
            values = d.rank if p == 0 else d.on[p - 1]
            out[lo:hi, at] = values[:, units] - now
        return hi - lo

    with ThreadPoolExecutor(_threads()) as pool:
        for done in pool.map(one, range(0, x.shape[0], step)):
            if progress is not None:
                progress(done)
    return out


def _span(index: np.ndarray) -> np.ndarray | slice:
    """A run of consecutive indices as a slice (numpy then takes and puts a view, not a copy)."""
    if len(index) and index[-1] - index[0] == len(index) - 1:
        return slice(int(index[0]), int(index[-1]) + 1)
    return index


def names(basis: Basis) -> list[str]:
    """The targets, in the order of `outputs`."""
    ids = list(basis.facts.ids)
    return [RANK_SHIFT, *[f"rank:{u}" for u in ids],
            *[f"award:{a.code}:{u}" for a in basis.rules.awards for u in ids]]


def sobol(basis: Basis, groups: Sequence[Group], samples: int, bootstrap: int, spread: float,
          seed: int, progress: Callable[[int], None] | None = None) -> Sobol:
    """First-order and total Sobol indices of every target over the groups' weights."""
    if not 0 <= spread < 1:
        raise ValueError(f"spread must be from 0 to below 1, got {spread}")
    k = len(groups)
    a, b = saltelli(k + 1, samples, seed)
    fa = outputs(basis, groups, a, spread, progress=progress)
    fb = outputs(basis, groups, b, spread, progress=progress)
    varies = np.flatnonzero((fa != fa[:1]).any(axis=0) | (fb != fa[:1]).any(axis=0))
    fa, fb = fa[:, varies], fb[:, varies]
    est = Jansen(fa, fb, bootstrap, seed)
    stats = []
    for g in range(k):
        ab = a.copy()
        ab[:, g] = b[:, g]
        stats.append(est.first_total(outputs(basis, groups, ab, spread, varies, progress)))
    stats.append(est.dummy())
    everything = names(basis)
    kept = [everything[i] for i in varies]
    inputs = [g.name for g in groups] + [DUMMY]
    parts: dict[str, list[np.ndarray]] = {c: [] for c in COLUMNS[2:]}
    for s1, st in stats:
        for key, values in zip(("S1", "ST"), (s1, st)):
            mid, low, high = summary(values)
            parts[key].append(mid)
            parts[f"{key}_low"].append(low)
            parts[f"{key}_high"].append(high)
    # rows target by target, each with every input (groups, then the dummy)
    frame = pl.DataFrame({
        "target": np.repeat(np.array(kept, dtype=object), len(inputs)).tolist(),
        "criterion": inputs * len(kept),
        **{c: np.stack(v, axis=1).reshape(-1) for c, v in parts.items()}},
        schema={"target": pl.String, "criterion": pl.String,
                **dict.fromkeys(COLUMNS[2:], pl.Float64)})
    return Sobol(frame, _criteria(groups, kept, parts), tuple(groups), samples, bootstrap, spread,
                 seed, basis.rules.eps, len(everything), len(everything) - len(kept))


def _criteria(groups: Sequence[Group], kept: list[str], parts: dict[str, list[np.ndarray]]
              ) -> pl.DataFrame:
    k = len(groups)
    shift = kept.index(RANK_SHIFT) if RANK_SHIFT in kept else None
    lists = [j for j, t in enumerate(kept) if t.startswith("award:")]
    on_lists = [float(parts["ST"][g][lists].mean()) if lists else None for g in range(k + 1)]
    total_w = sum(g.weight for g in groups)
    whole = sum(x for x in on_lists[:k] if x is not None)
    rows = []
    for g in range(k + 1):
        group = groups[g] if g < k else None
        weight = (group.weight / total_w if total_w > 0 else 0.0) if group else 0.0
        mine = on_lists[g]
        influence = None if mine is None else mine / whole if whole > 0 else 0.0
        flag = None
        if group is not None and influence is not None and whole > 0:
            if weight >= 1 / k and influence < weight / 2:
                flag = FLAGS[0]
            elif weight < 1 / k and influence > 2 * weight:
                flag = FLAGS[1]
        rows.append({
            "criterion": group.name if group else DUMMY,
            "codes": list(group.codes) if group else [],
            "nominal_weight": weight,
            "S1_rank_shift": None if shift is None else float(parts["S1"][g][shift]),
            "ST_rank_shift": None if shift is None else float(parts["ST"][g][shift]),
            "ST_lists": on_lists[g],
            "influence": influence if group else None,
            "flag": flag})
    return pl.DataFrame(rows, schema={
        "criterion": pl.String, "codes": pl.List(pl.String), "nominal_weight": pl.Float64,
        "S1_rank_shift": pl.Float64, "ST_rank_shift": pl.Float64, "ST_lists": pl.Float64,
        "influence": pl.Float64, "flag": pl.String})
