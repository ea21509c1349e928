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

Every draw is decided by the engine's own decisions (thidua/core/decisions.py: ranks, classes,
eligibility, quotas, shortlists and ties at the quota line), so a file runs here exactly as
`score` runs it, or is refused (basis_of) when its totals are too close to be compared in units
of eps.

The stages, each a module: reweight (the criteria tree as arrays; main points under changed
factors) → facts (each unit's fixed facts) → basis (the engine's result ready for re-weighting,
and the steps every analysis shares) → montecarlo (random weightings) and margin_search
(stability margins).
"""

from __future__ import annotations

from thidua.core.decisions import (
    AwardRule,
    Decision,
    Layout,
    Rules,
    classes,
    decide,
    layout,
    rules_of,
)
from thidua.core.sensitivity.basis import (
    CHUNK,
    Basis,
    basis_of,
    change_one,
    draw,
    reference,
    rows_per_batch,
    totals,
)
from thidua.core.sensitivity.facts import Facts, facts_of, in_group_order, joined
from thidua.core.sensitivity.margin_search import Margins, grid_rows, margins, members, resolution
from thidua.core.sensitivity.margin_search import _evaluate as _evaluate  # tests call it
from thidua.core.sensitivity.montecarlo import QUANTILES, Sensitivity, factors, simulate
from thidua.core.sensitivity.reweight import (
    ROOT,
    Baseline,
    Reweigher,
    Rounding,
    Tree,
    finish,
    one_change,
    rounding_of,
    tree_of,
)

__all__ = [
    "CHUNK", "QUANTILES", "ROOT",
    "AwardRule", "Baseline", "Basis", "Decision", "Facts", "Layout", "Margins", "Reweigher",
    "Rounding", "Rules", "Sensitivity", "Tree",
    "basis_of", "change_one", "classes", "decide", "draw", "facts_of", "factors",
    "finish", "grid_rows", "in_group_order", "joined", "layout", "margins", "members",
    "one_change", "reference", "resolution", "rounding_of", "rows_per_batch", "rules_of",
    "simulate", "totals", "tree_of",
]
