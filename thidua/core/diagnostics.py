"""Structure diagnostics of a criteria file on its data: do the criteria of a group measure one
thing, and does any criterion pull against its group?

Pure core: the criteria model and the engine's unit table in, small frozen polars frames out.
numpy is enough for everything here (correlations, Cronbach's α, the eigenvalues of a correlation
matrix): no statistics library is needed.

Definitions (docs/cli.md, "Structure diagnostics", repeats them for people)
- Scopes: every unit, then each group (cluster) of units, in the ranking's order.
- Points: each criterion's points as scored (`points.<code>`), the total as ranked.
- Correlation (Pearson's r) of a criterion with its parent and with the total, over the units of
  the scope where both have a value (a criterion that does not apply to a unit, under
  `missing: exclude`, has none there). A top-level criterion's parent is the total: its
  `corr_parent` is null and `corr_total` says it. r is null, never NaN, when fewer than 2 units
  have both values or either side is the same for all of them (a constant column has no
  correlation); `constant` says when the criterion itself is the same for every unit.
- Groups of criteria: the children of every criterion that has two or more, the top-level main
  criteria (`total`), and the top-level bonus and penalty criteria (`bonus`, `penalty`) when
  there are two or more. Over the units of the scope that have a value for every item, leaving
  out the items that are the same for all of them (`constant` counts them):
  Cronbach's α = k / (k − 1) × (1 − Σ var(item) / var(Σ items)) on the points as scored (raw α,
  sample variances), and the share of the variance of the standardised items carried by each of
  the first three principal components (the eigenvalues of their correlation matrix over k).
  Both are null with fewer than 2 items that vary or fewer than 2 units; α also when the sum of
  the items is the same for every unit.
- Redundant pair: two criteria of one group (children of one criterion, or two top-level
  criteria of one part: main, bonus, penalty) whose |r| is above 0.9: they measure one thing
  twice, and their group weighs it twice. (Criteria of different groups are not paired: on real
  data a unit good at one thing is often good at others, and that is not double counting.)
- Negative: a criterion whose r with its parent is below 0 (for a top-level main or bonus
  criterion: with the total; a top-level penalty criterion lowers the total by design and is not
  flagged).
- Every flag is decided on r as the machine outputs write it, to 6 decimals (half away from
  zero): r = 0.9000004 is written 0.9 and is not above 0.9.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from thidua import model as m
from thidua.core.rounding import round_value
from thidua.core.scoring import points_col
from thidua.core.sensitivity import in_group_order

REDUNDANT = 0.9
DIGITS = 6  # the decimals of r that the flags are decided on (the machine outputs' digits)
COMPONENTS = 3  # principal components reported per group of criteria


@dataclass(frozen=True)
class Diagnostics:
    correlations: pl.DataFrame  # per scope and criterion: r with its parent and with the total
    consistency: pl.DataFrame  # per scope and group of criteria: α and the components' shares
    redundant: pl.DataFrame  # per scope, pairs of criteria with |r| > 0.9


@dataclass(frozen=True)
class _Item:
    node: m.Node
    part: str
    parent: m.Node | None
    path: tuple[str, ...]  # the part (bonus, penalty; none for main), then codes down to this one


def _items(c: m.Criteria) -> list[_Item]:
    out: list[_Item] = []

    def visit(nodes: list[m.Node], part: str, parent: m.Node | None, path: tuple[str, ...]) -> None:
        for n in nodes:
            out.append(_Item(n, part, parent, (*path, n.code)))
            visit(n.children or [], part, n, (*path, n.code))

    visit(c.criteria, "main", None, ())
    for part in ("bonus", "penalty"):
        extra = getattr(c, part)
        if extra is not None:
            visit(extra.criteria, part, None, (part,))
    return out


def _sets(c: m.Criteria) -> list[tuple[str, str, list[str]]]:
    """(code, name, item codes) of every group of criteria."""
    out: list[tuple[str, str, list[str]]] = []
    for part, nodes in (("total", c.criteria), ("bonus", c.bonus.criteria if c.bonus else []),
                        ("penalty", c.penalty.criteria if c.penalty else [])):
        if len(nodes) >= 2:
            out.append((part, "", [n.code for n in nodes]))
    for x in _items(c):
        kids = x.node.children or []
        if len(kids) >= 2:
            out.append((x.node.code, x.node.name, [k.code for k in kids]))
    return out


def pairwise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pearson's r of every pair of columns of `x` (NaN: no value) over the rows where both have
    one, with the count of those rows and whether column i is the same on the rows it shares with
    column j (then r[i, j] is NaN). Two passes (means, then deviations): no cancellation."""
    x = _scaled(x, each=True)  # r does not change when a column is scaled; no overflow
    k = x.shape[1]
    present = ~np.isnan(x)
    r = np.full((k, k), np.nan)
    count = np.zeros((k, k), np.int64)
    flat = np.zeros((k, k), bool)
    for i in range(k):
        both = present & present[:, [i]]
        m_ = both.sum(axis=0)
        count[i] = m_
        xi = np.where(both, x[:, [i]], 0.0)
        xj = np.where(both, x, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            dx = np.where(both, x[:, [i]] - xi.sum(axis=0) / m_, 0.0)
            dy = np.where(both, x - xj.sum(axis=0) / m_, 0.0)
        low = np.where(both, x[:, [i]], np.inf).min(axis=0)
        high = np.where(both, x[:, [i]], -np.inf).max(axis=0)
        flat[i] = ~(high > low)
        cov, vx, vy = (dx * dy).sum(axis=0), (dx * dx).sum(axis=0), (dy * dy).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            r[i] = np.clip(cov / np.sqrt(vx * vy), -1.0, 1.0)
    bad = (count < 2) | flat | flat.T
    r[bad] = np.nan
    return r, count, flat


def _scaled(x: np.ndarray, each: bool) -> np.ndarray:
    """`x` divided by its largest absolute value (of each column, or of the whole), so that
    sums of squares of points up to 10^300 do not overflow and of 10^-300 do not vanish."""
    with np.errstate(invalid="ignore"):
        top = np.nanmax(np.abs(x), axis=0 if each else None, initial=0.0)
    top = np.where(top > 0, top, 1.0)
    return x / top


def alpha(items: np.ndarray) -> float | None:
    """Cronbach's α of the columns of `items` (complete rows, every column varying)."""
    n, k = items.shape
    if k < 2 or n < 2:
        return None
    items = _scaled(items, each=False)  # α does not change when every item is scaled alike
    whole = items.sum(axis=1).var(ddof=1)
    if not whole > 0:
        return None
    return float(k / (k - 1) * (1 - items.var(axis=0, ddof=1).sum() / whole))


def components(items: np.ndarray) -> list[float | None]:
    """The share of the standardised variance of each of the first COMPONENTS principal
    components (None beyond the number of items, or with fewer than 2 items or units)."""
    n, k = items.shape
    if k < 2 or n < 2:
        return [None] * COMPONENTS
    items = _scaled(items, each=True)
    centred = items - items.mean(axis=0)
    scaled = centred / np.sqrt((centred * centred).sum(axis=0))
    values = np.clip(np.linalg.eigvalsh(scaled.T @ scaled)[::-1], 0.0, None)
    shares = [float(v / values.sum()) for v in values[:COMPONENTS]]
    return shares + [None] * (COMPONENTS - len(shares))


def _shown(x: float) -> float | None:
    return None if np.isnan(x) else round_value(float(x), DIGITS)


def diagnostics(c: m.Criteria, units: pl.DataFrame) -> Diagnostics:
    """The diagnostics of `units` (the engine's unit table) for every scope."""
    items = _items(c)
    codes = [x.node.code for x in items]
    where = {code: i for i, code in enumerate(codes)}
    table = in_group_order(units)
    columns = [pl.col(points_col(code)).cast(pl.Float64) for code in codes]
    values = table.select(*columns, pl.col("total").cast(pl.Float64)).to_numpy().astype(float)
    groups = table.get_column("group").to_list()
    scopes: list[tuple[str | None, np.ndarray]] = [(None, np.arange(table.height))]
    if c.units.group:
        index: dict[str, list[int]] = {}
        for i, g in enumerate(groups):
            index.setdefault(g, []).append(i)
        scopes += [(g, np.array(rows, np.int64)) for g, rows in index.items()]
    corr_rows: list[dict[str, object]] = []
    set_rows: list[dict[str, object]] = []
    pair_rows: list[dict[str, object]] = []
    total = len(codes)
    for group, rows in scopes:
        x = values[rows]
        r, count, _ = pairwise(x)
        for i, it in enumerate(items):
            j = where[it.parent.code] if it.parent is not None else None
            to_parent = _shown(r[i, j]) if j is not None else None
            to_total = _shown(r[i, total])
            against = to_parent if j is not None else (to_total if it.part != "penalty" else None)
            column = x[:, i][~np.isnan(x[:, i])]
            corr_rows.append({
                "group": group, "code": it.node.code, "name": it.node.name, "part": it.part,
                "parent": it.parent.code if it.parent is not None else None,
                "units": int(column.size), "constant": bool(column.size >= 1 and
                                                             column.min() == column.max()),
                "corr_parent": to_parent, "corr_total": to_total,
                "negative": against is not None and against < 0})
        for code, name, members in _sets(c):
            cols = [where[k] for k in members]
            block = x[:, cols]
            block = block[~np.isnan(block).any(axis=1)]
            varying = [k for k in range(block.shape[1]) if block.shape[0] and
                       block[:, k].min() < block[:, k].max()]
            used = block[:, varying]
            a = alpha(used)
            shares = components(used)
            set_rows.append({
                "group": group, "of": code, "name": name or None, "items": len(varying),
                "constant": len(cols) - len(varying), "units": int(block.shape[0]),
                "alpha": None if a is None else round_value(a, DIGITS),
                **{f"pc{n + 1}": None if s is None else round_value(s, DIGITS)
                   for n, s in enumerate(shares)}})
        for i in range(total):
            for j in range(i + 1, total):
                a_, b_ = items[i], items[j]
                if a_.path[:-1] != b_.path[:-1]:
                    continue  # not siblings: not two measures of one group
                shown = _shown(r[i, j])
                if shown is not None and abs(shown) > REDUNDANT:
                    pair_rows.append({"group": group, "a": a_.node.code, "b": b_.node.code,
                                      "name_a": a_.node.name, "name_b": b_.node.name,
                                      "units": int(count[i, j]), "corr": shown})
    text, number, whole, flag = pl.String, pl.Float64, pl.Int64, pl.Boolean
    return Diagnostics(
        pl.DataFrame(corr_rows, schema={
            "group": text, "code": text, "name": text, "part": text, "parent": text,
            "units": whole, "constant": flag, "corr_parent": number, "corr_total": number,
            "negative": flag}),
        pl.DataFrame(set_rows, schema={
            "group": text, "of": text, "name": text, "items": whole, "constant": whole,
            "units": whole, "alpha": number,
            **{f"pc{n + 1}": number for n in range(COMPONENTS)}}),
        pl.DataFrame(pair_rows, schema={
            "group": text, "a": text, "b": text, "name_a": text, "name_b": text, "units": whole,
            "corr": number}))
