"""The engine's result, ready for re-weighting (`Basis`, or refused when it cannot be followed
exactly), and the steps every analysis shares: main points with one factor changed, totals in
units of eps, a draw of rows of factors decided, and how many rows a batch holds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from thidua import model as m
from thidua.core.decisions import Decision, Rules, compared, decide, refused, rules_of
from thidua.core.engine import Result
from thidua.core.scoring import points_col, uses_exclude
from thidua.core.sensitivity.facts import Facts, facts_of, in_group_order
from thidua.core.sensitivity.reweight import (
    ROOT,
    Baseline,
    Reweigher,
    Rounding,
    Tree,
    one_change,
    rounding_of,
    tree_of,
)
from thidua.errors import DataError, Problem
from thidua.i18n import _

CHUNK = 1 << 19  # array elements per batch of rows: bounds the memory of a batch


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


def basis_of(c: m.Criteria, result: Result, source: str = "<data>") -> Basis:
    """The engine's result ready for re-weighting; a DataError when its totals cannot be
    compared exactly in the analysis' arithmetic (see decisions.refused)."""
    tree = tree_of(c)
    facts = facts_of(c, result)
    rules = rules_of(c, facts.total[:-1])
    why = refused(rules, facts.total[:-1])
    if why is not None:
        raise DataError(source, [Problem("total", _("the weights cannot be analysed exactly: {why}",
                                                     why=why))])
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
    return Basis(c, tree, facts, rules, Baseline(raw, att, avail), reweigher, rounding)


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
    changed it is the engine's total to the last bit; the floor at 0 applies as in the engine;
    it is compared (in units of eps) snapped to the decimal, as the engine compares it."""
    f, rules = basis.facts, basis.rules
    take = (lambda a: a[:-1]) if cols is None else (lambda a: a[cols])
    if basis.rounding.precision is not None:
        total = basis.rounding.total(np.maximum(main + (take(f.extra) + extra), 0.0))
        return total, compared(rules, total)
    pre, nominal = take(f.pre), take(f.total)
    change = (main - ref) + extra
    moved = pre + change
    if pre.min(initial=0.0) >= 0 and moved.min(initial=0.0) >= 0:
        delta = change
    else:
        floored = np.maximum(moved, 0.0) - np.maximum(pre, 0.0)
        delta = np.where((pre >= 0) & (moved >= 0), change, floored)
    steps = np.rint(delta / rules.eps).astype(np.int64)
    total = nominal + steps * rules.eps
    return total, compared(rules, total)  # compared snapped


def draw(basis: Basis, u: np.ndarray, ref: np.ndarray | None = None) -> Decision:
    """Classes, ranks and award lists of every unit for rows of factors (rows × nodes)."""
    if ref is None:
        ref = basis.reweigher.main(np.ones((1, u.shape[1])))
    total, q = totals(basis, basis.reweigher.main(u), ref)
    return decide(basis.rules, basis.facts, total, q)


def rows_per_batch(n: int) -> int:
    return max(1, CHUNK // max(n, 1))
