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
from thidua.core.rounding import round_expr
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
    if present.all():  # every value there: one product of the centred matrix (n × k once)
        return _complete(x)
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


def _complete(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """pairwise() of a matrix with no missing value."""
    n, k = x.shape
    count = np.full((k, k), n, np.int64)
    flat = np.broadcast_to((x.max(axis=0, initial=-np.inf) <= x.min(axis=0, initial=np.inf))
                           [:, None], (k, k)).copy() if n else np.ones((k, k), bool)
    if n == 0:
        return np.full((k, k), np.nan), count, flat
    centred = x - x.mean(axis=0)
    cov = centred.T @ centred
    scale = np.sqrt(np.diag(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.clip(cov / np.outer(scale, scale), -1.0, 1.0)
    r[(count < 2) | flat | flat.T] = np.nan
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


def _rounded(frame: pl.DataFrame, names: tuple[str, ...]) -> pl.DataFrame:
    """Every number of `names` to DIGITS decimals, half away from zero on the decimal (NaN:
    null), as the machine outputs write them and the flags are decided on."""
    return frame.with_columns(
        round_expr(pl.col(k).fill_nan(None), DIGITS).alias(k) for k in names)


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
    total = len(codes)
    parent = np.array([where[x.parent.code] if x.parent is not None else total for x in items],
                      np.int64)  # a top-level criterion's parent is the total
    top = parent == total
    # pairs of siblings (one parent, or two top-level criteria of one part): the only pairs
    # compared, found once for every scope
    pairs = [(i, j) for i in range(total) for j in range(i + 1, total)
             if items[i].path[:-1] == items[j].path[:-1]]
    first = np.array([i for i, _ in pairs], np.int64)
    second = np.array([j for _, j in pairs], np.int64)
    sets = _sets(c)
    per: dict[str, list[np.ndarray]] = {k: [] for k in (
        "corr_parent", "corr_total", "units", "constant", "pair_corr", "pair_units")}
    set_rows: list[dict[str, object]] = []
    for group, rows in scopes:
        x = values[rows]
        r, count, _ = pairwise(x)
        present = ~np.isnan(x[:, :total])
        per["corr_parent"].append(np.where(top, np.nan, r[np.arange(total), parent]))
        per["corr_total"].append(r[:total, total])
        per["units"].append(present.sum(axis=0))
        low = np.where(present, x[:, :total], np.inf).min(axis=0, initial=np.inf)
        high = np.where(present, x[:, :total], -np.inf).max(axis=0, initial=-np.inf)
        per["constant"].append(present.any(axis=0) & (low == high))
        per["pair_corr"].append(r[first, second])
        per["pair_units"].append(count[first, second])
        for code, name, members in sets:
            block = x[:, [where[k] for k in members]]
            block = block[~np.isnan(block).any(axis=1)]
            varying = block.min(axis=0, initial=np.inf) < block.max(axis=0, initial=-np.inf)
            used = block[:, varying]
            set_rows.append({"group": group, "of": code, "name": name or None,
                             "items": int(varying.sum()), "constant": int((~varying).sum()),
                             "units": int(block.shape[0]), "alpha": alpha(used),
                             **{f"pc{n + 1}": v for n, v in enumerate(components(used))}})
    text, number, whole, flag = pl.String, pl.Float64, pl.Int64, pl.Boolean
    scope = [g for g, _ in scopes]
    correlations = _rounded(pl.DataFrame({
        "group": np.repeat(np.array(scope, dtype=object), total).tolist(),
        "code": codes * len(scopes), "name": [x.node.name for x in items] * len(scopes),
        "part": [x.part for x in items] * len(scopes),
        "parent": [x.parent.code if x.parent else None for x in items] * len(scopes),
        "units": np.concatenate(per["units"]), "constant": np.concatenate(per["constant"]),
        "corr_parent": np.concatenate(per["corr_parent"]),
        "corr_total": np.concatenate(per["corr_total"]),
    }, schema={"group": text, "code": text, "name": text, "part": text, "parent": text,
               "units": whole, "constant": flag, "corr_parent": number, "corr_total": number}),
        ("corr_parent", "corr_total"))
    # against the parent; for a top-level main or bonus criterion, against the total
    against = (pl.when(pl.col("parent").is_not_null()).then(pl.col("corr_parent"))
               .when(pl.col("part") != "penalty").then(pl.col("corr_total")))
    correlations = correlations.with_columns((against < 0).fill_null(False).alias("negative"))
    consistency = _rounded(pl.DataFrame(set_rows, schema={
        "group": text, "of": text, "name": text, "items": whole, "constant": whole,
        "units": whole, "alpha": number, **{f"pc{n + 1}": number for n in range(COMPONENTS)}}),
        ("alpha", *(f"pc{n + 1}" for n in range(COMPONENTS))))
    redundant = _rounded(pl.DataFrame({
        "group": np.repeat(np.array(scope, dtype=object), len(pairs)).tolist(),
        "a": [codes[i] for i, _ in pairs] * len(scopes),
        "b": [codes[j] for _, j in pairs] * len(scopes),
        "name_a": [items[i].node.name for i, _ in pairs] * len(scopes),
        "name_b": [items[j].node.name for _, j in pairs] * len(scopes),
        "units": np.concatenate(per["pair_units"]) if pairs else [],
        "corr": np.concatenate(per["pair_corr"]) if pairs else [],
    }, schema={"group": text, "a": text, "b": text, "name_a": text, "name_b": text,
               "units": whole, "corr": number}), ("corr",))
    return Diagnostics(correlations, consistency,
                       redundant.filter(pl.col("corr").abs() > REDUNDANT))
