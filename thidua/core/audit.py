"""Do the weights do what they claim? The structure of a criteria file, what each criterion
decides in the data, and self-scores against verified scores.

Pure core: models, frames and the engine's results in; small frozen results of polars frames out.

Definitions (the report repeats them for people)
- Nominal share of a main criterion: its max over the main total; under a weighted or geometric
  mean, its weight over its siblings' weights; multiplied down the tree. Bonus and penalty
  criteria: their max over the main total.
- Contribution of a criterion to a unit's total: its points times what one point of it is worth in
  the total (1 under sums; under a mean, the parent's max × weight share / the child's max, down
  the tree); −1 for penalty points.
- Realised share: Cov(contribution, total) / Var(total) over the units of a group (or all units).
  For additive totals (sums and weighted means, no caps, no floor at 0, no rounding) the shares
  of a node's children add up to the node's share, and the top level adds up to 1.
- Dead criterion: at least two units, and every one of them has the same points: it decides
  nothing there.
- Dominant criterion: realised share above twice the nominal share and more than 10 percentage
  points above it.
- Ranks moved: units whose rank in their group changes when the criterion is taken out of every
  unit's total (nothing else changes; under a mean, the others share its weight). A criterion on
  which everyone scores the same moves nobody.
- Structural warnings, without data: `tiny` (a main criterion worth under 1 % of the total),
  `relative_only` (a group whose every criterion depends on the other units: relative, minmax,
  target_leader), `bonus_overturns` (the most bonus a unit can get, min(bonus.max_points, the sum
  of the bonus criteria), is at least the nominal points of the smallest main criterion: a unit
  can score nothing on that criterion and make it all up with bonus), `weight_unused` (a weight
  other than 1 on a criterion under a sum, where weights do nothing).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import polars as pl

from thidua import model as m
from thidua.core import sensitivity as sv
from thidua.core.decisions import compared, refused
from thidua.core.diagnostics import Diagnostics
from thidua.core.engine import Result
from thidua.core.scoring import points_col
from thidua.core.sensitivity import Basis
from thidua.errors import DataError, Problem
from thidua.i18n import _

TINY = 0.01
DOMINANT_RATIO = 2.0
DOMINANT_GAP = 0.10
EQUAL = 1e-9
DATA_DEPENDENT: tuple[str, ...] = ("relative", "minmax", "target_leader")
DATA_DEPENDENT += ("zscore", "rank", "percentile_rank", "borda", "distance_to_target",
                   "distance_to_best", "fraction_of_max")  # COINr's normalisations


# --- the file alone -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Structure:
    nodes: pl.DataFrame  # one row per criterion, main tree then bonus then penalty
    warnings: pl.DataFrame  # kind, code, message


@dataclass(frozen=True)
class _Node:
    node: m.Node
    part: str
    depth: int
    parent: m.Node | None
    share: float  # of the main total
    worth: float  # points of the total per point of this node (sign: penalty negative)


def _nodes(c: m.Criteria) -> list[_Node]:
    out: list[_Node] = []

    def visit(nodes: list[m.Node], part: str, depth: int, parent: m.Node | None, share: float,
              worth: float, top: float) -> None:
        weights = sum(n.weight for n in nodes)
        for n in nodes:
            if parent is not None and parent.how != "sum":  # a mean of its children
                local = n.weight / weights
                mine = worth * (parent.max_points * n.weight / weights / n.max_points
                                if n.max_points > 0 else 1.0)
            else:
                local = n.max_points / top if top > 0 else 0.0
                mine = worth
            out.append(_Node(n, part, depth, parent, share * local, mine))
            visit(n.children or [], part, depth + 1, n, share * local, mine, n.max_points)

    visit(c.criteria, "main", 0, None, 1.0, 1.0, c.total)
    for part, sign in (("bonus", 1.0), ("penalty", -1.0)):
        extra = getattr(c, part)
        if extra is not None:
            top = sum(n.max_points for n in extra.criteria)
            visit(extra.criteria, part, 0, None, top / c.total, sign, top)
    return out


def _rule(node: m.Node) -> str:
    rule = node.rule
    if rule is None:
        return ""
    return f"formula/{rule.then.type}" if isinstance(rule, m.Formula) else rule.type


def _leaves(node: m.Node) -> list[m.Node]:
    return [node] if node.rule is not None else [x for k in node.children or [] for x in _leaves(k)]


def structure(c: m.Criteria) -> Structure:
    """Each criterion's nominal share, and what in the file's structure deserves a second look."""
    nodes = _nodes(c)
    rows = [{"code": x.node.code, "name": x.node.name, "part": x.part, "depth": x.depth,
             "parent": x.parent.code if x.parent else None,
             "aggregate": x.node.how if x.node.children else None, "rule": _rule(x.node) or None,
             "max_points": x.node.max_points, "weight": x.node.weight, "share": x.share,
             "points": x.share * c.total} for x in nodes]
    text, number = pl.String, pl.Float64
    frame = pl.DataFrame(rows, schema={
        "code": text, "name": text, "part": text, "depth": pl.Int64, "parent": text,
        "aggregate": text, "rule": text, "max_points": number, "weight": number, "share": number,
        "points": number})
    warnings: list[dict[str, object]] = []

    def warn(kind: str, code: str, message: str, value: float | None = None,
             count: int | None = None, of: int | None = None, detail: str | None = None) -> None:
        warnings.append({"kind": kind, "code": code, "value": value, "count": count, "of": of,
                         "detail": detail, "message": message})

    main = [x for x in nodes if x.part == "main"]
    for x in main:
        if x.share < TINY:
            warn("tiny", x.node.code, f"worth {x.share:.2%} of the total (under {TINY:.0%}): it "
                 "can hardly change a rank", value=x.share)
        kinds = {_rule(leaf).split("/")[-1] for leaf in _leaves(x.node)}
        if x.node.children and kinds <= set(DATA_DEPENDENT):
            warn("relative_only", x.node.code, "every criterion in it scores a unit against the "
                 "other units (relative, minmax, target_leader): its points depend on who else "
                 "is scored")
    for x in nodes:
        sum_parent = x.parent is None or x.parent.how == "sum"
        if sum_parent and x.node.weight != 1:
            warn("weight_unused", x.node.code, f"weight {x.node.weight:g} has no effect under a "
                 "sum; only max_points count there (aggregate: weighted_mean uses weights)",
                 value=x.node.weight)
    if c.bonus is not None:
        most = min(c.bonus.max_points, sum(n.max_points for n in c.bonus.criteria))
        leaves = sorted((x.share * c.total, x.node.code) for x in main if x.node.rule is not None)
        covered = [code for points, code in leaves if points <= most + EQUAL]
        if covered:
            warn("bonus_overturns", "bonus", f"up to {most:g} bonus points make up for scoring "
                 f"nothing on {len(covered)} of {len(leaves)} main criteria (the smallest: "
                 f"{leaves[0][1]}, {leaves[0][0]:g} points)", value=most, count=len(covered),
                 of=len(leaves), detail=leaves[0][1])
    schema = {"kind": text, "code": text, "value": number, "count": pl.Int64, "of": pl.Int64,
              "detail": text, "message": text}
    return Structure(frame, pl.DataFrame(warnings, schema=schema))


# --- what each criterion decides in the data --------------------------------------------------


STATS = ("cov", "var", "corr", "units", "low", "high", "full", "zero", "excluded")


def realised(basis: Basis, result: Result) -> pl.DataFrame:
    """Per criterion, for all units and for each group: its realised share of the total's variance,
    its correlation with the total, how many units get full points and zero, how many ranks move
    without it, and the flags dead and dominant."""
    c = basis.criteria
    nodes = _nodes(c)
    units = sv.in_group_order(result.units)
    points = [pl.col(points_col(x.node.code)) for x in nodes]
    contrib = [(p * x.worth).alias(f"c{i}") for i, (p, x) in enumerate(zip(points, nodes))]
    raw = [p.alias(f"p{i}") for i, p in enumerate(points)]
    table = units.select("group", "total", *contrib, *raw)

    def stats(i: int, x: _Node) -> list[pl.Expr]:
        p, ci = pl.col(f"p{i}"), f"c{i}"
        out = [pl.cov(ci, "total"), pl.col("total").var(), pl.corr(ci, "total"), p.count(),
               p.min(), p.max(), (p >= x.node.max_points - EQUAL).sum(), (p <= EQUAL).sum(),
               p.null_count()]
        return [e.cast(pl.Float64).alias(f"{i}|{name}") for e, name in zip(out, STATS)]

    exprs = [e for i, x in enumerate(nodes) for e in stats(i, x)]
    everyone = table.select(pl.lit(None, dtype=pl.String).alias("group"), *exprs)
    parts = [everyone]
    if c.units.group:
        parts.append(table.group_by("group", maintain_order=True).agg(exprs))
    wide = pl.concat(parts, how="vertical_relaxed").with_row_index("__scope")
    named = pl.col("variable").str.split_exact("|", 1).struct.rename_fields(["node", "stat"])
    long = (wide.unpivot(index=["__scope", "group"]).with_columns(named).unnest("variable")
            .with_columns(pl.col("node").cast(pl.Int64), pl.col("value").cast(pl.Float64))
            .pivot("stat", index=["__scope", "group", "node"], values="value"))
    info = pl.DataFrame({"node": range(len(nodes)), "code": [x.node.code for x in nodes],
                         "name": [x.node.name for x in nodes], "part": [x.part for x in nodes],
                         "nominal": [x.share for x in nodes]})
    moved = _moved(basis, units, nodes)
    share = pl.when(pl.col("var") > 0).then(pl.col("cov") / pl.col("var"))
    corr = pl.when(pl.col("corr").is_nan()).then(None).otherwise(pl.col("corr"))
    dead = (pl.col("units") >= 2) & ((pl.col("high") - pl.col("low")) <= EQUAL)
    realised_, nominal = pl.col("realised"), pl.col("nominal")
    dominant = (realised_ > DOMINANT_RATIO * nominal) & (realised_ - nominal > DOMINANT_GAP)
    out = (long.join(info, on="node").join(moved, on=["__scope", "node"], how="left")
           .with_columns(share.alias("realised"), corr.alias("corr"))
           .with_columns(dead.fill_null(False).alias("dead"),
                         dominant.fill_null(False).alias("dominant"))
           .sort("__scope", "node"))
    return out.select("group", "code", "name", "part", "nominal", "realised", "corr",
                      *(pl.col(k).cast(pl.Int64) for k in ("units", "full", "zero", "excluded")),
                      pl.col("moved").cast(pl.Int64), "dead", "dominant")


def _moved(basis: Basis, units: pl.DataFrame, nodes: list[_Node]) -> pl.DataFrame:
    """Per scope (0: all units, then each group) and node: units whose rank in their group changes
    when the node is removed."""
    tree, facts, c = basis.tree, basis.facts, basis.criteria
    index = {code: i for i, code in enumerate(tree.codes)}
    n = facts.n
    ref = sv.reference(basis)
    mains = np.broadcast_to(ref, (len(nodes), n)).copy()
    extras = np.zeros((len(nodes), n))
    known = np.zeros(len(nodes), bool)
    for j, x in enumerate(nodes):
        if x.part == "main":
            mains[j] = sv.change_one(basis, index[x.node.code], np.zeros(1), rescale=False)[0]
            known[j] = True
    for part in ("bonus", "penalty"):
        extra = getattr(c, part)
        if extra is None:
            continue
        summed = pl.sum_horizontal(points_col(x.code) for x in extra.criteria)
        raw = units.select(summed).to_series().to_numpy()
        kept = np.minimum(raw, extra.max_points)
        for j, x in enumerate(nodes):
            if x.part != part or any(a.how != "sum" for a in _path(extra.criteria, x.node)):
                continue
            p = units.get_column(points_col(x.node.code)).fill_null(0.0).to_numpy()
            less = np.minimum(raw - p, extra.max_points) - kept
            extras[j] = less if part == "bonus" else -less
            known[j] = True
    starts = facts.group_starts()
    moved = np.zeros((len(nodes), len(starts)), np.int64)
    step = sv.rows_per_batch(n)
    for lo in range(0, len(nodes), step):
        sl = slice(lo, lo + step)
        total, q = sv.totals(basis, mains[sl], ref, extra=extras[sl])
        d = sv.decide(basis.rules, facts, total, q)
        moved[sl] = np.add.reduceat(d.rank != facts.rank[:-1], starts, axis=1)
    scopes = [0] + (list(range(1, len(starts) + 1)) if c.units.group else [])
    rows: dict[str, list[int | None]] = {"__scope": [], "node": [], "moved": []}
    for j in range(len(nodes)):
        for s in scopes:
            rows["__scope"].append(s)
            rows["node"].append(j)
            value = int(moved[j].sum()) if s == 0 else int(moved[j, s - 1])
            rows["moved"].append(value if known[j] else None)
    return pl.DataFrame(rows, schema={"__scope": pl.UInt32, "node": pl.Int64, "moved": pl.Int64})


def _path(nodes: list[m.Node], target: m.Node) -> list[m.Node]:
    """The groups above `target`, from the top down."""
    for n in nodes:
        if n is target:
            return []
        if n.children:
            below = _path(n.children, target)
            if below or any(k is target for k in n.children):
                return [n, *below]
    return []


# --- self-scores against verified scores ----------------------------------------------------


@dataclass(frozen=True)
class SelfCheck:
    """Units score themselves (tự chấm), the cluster verifies (thẩm định): both files scored with
    the same criteria, compared unit by unit and criterion by criterion."""

    units: pl.DataFrame  # per unit: both totals, and what the self-score alone would have won
    criteria: pl.DataFrame  # per unit and criterion where the self-score is higher, largest first
    missing: tuple[str, ...]  # units of the verified file with no self-score
    extra: tuple[str, ...]  # self-scored units the verified file does not have


def self_check(basis: Basis, verified: Result, scored: Result, source: str = "<data>") -> SelfCheck:
    """`scored`: the self-scores (the engine's result on the units' own data).

    A unit's self-score "alone" is its self total, class, knockouts and tie-break keys standing
    among every other unit's verified ones: would it have made an award list it is not on?
    (Criteria that score a unit against the others, relative or minmax, keep the points of each
    file: the self-scores are relative to the other self-scores.)"""
    c, facts = basis.criteria, basis.facts
    mine = set(scored.units.get_column("id").to_list())
    order = [i for i in facts.ids if i in mine]
    missing = tuple(i for i in facts.ids if i not in mine)
    extra = tuple(sorted(mine - set(facts.ids)))
    position = {u: k for k, u in enumerate(facts.ids)}
    where = np.array([position[u] for u in order], dtype=np.int64)
    own = sv.facts_of(c, scored, order=pl.Series("id", order, dtype=pl.String))
    own = dataclasses.replace(own, group=np.r_[facts.group[where], facts.group[-1]],
                              id_rank=np.r_[facts.id_rank[where], 0],
                              groups=tuple(facts.groups[k] for k in where))  # the verified ones
    both = sv.joined(facts, own)
    rules = sv.rules_of(c, both.total[:-1])
    why = refused(rules, both.total[:-1])
    if why is not None:
        raise DataError(source, [Problem("total", _("the self-scores cannot be compared exactly: {why}",
                                                     why=why))])
    n = facts.n
    if rules.overall:
        cols = np.broadcast_to(np.arange(n), (len(order), n)).copy()
    else:
        cols = sv.members(facts)[facts.group[where]]
    cols[cols == where[:, None]] = n + np.arange(len(order))  # the unit's self version in its place
    at = np.argmax(cols == (n + np.arange(len(order)))[:, None], axis=1)
    rank = np.zeros(len(order), np.int64)
    wins = np.zeros((len(rules.awards), len(order)), bool)
    step = sv.rows_per_batch(cols.shape[1])
    for lo in range(0, len(order), step):
        sl = slice(lo, lo + step)
        total = both.total[cols[sl]]
        d = sv.decide(rules, both, total, compared(rules, total), cols[sl])
        pick = (np.arange(len(at[sl])), at[sl])
        rank[sl] = d.rank[pick]
        for i in range(len(rules.awards)):
            wins[i, sl] = d.on[i][pick]
    codes = [a.code for a in c.awards]

    def names(flags: np.ndarray) -> list[list[str]]:
        return [[codes[i] for i in np.flatnonzero(flags[:, k])] for k in range(flags.shape[1])]

    held = np.array([facts.on[i][where] for i in range(len(codes))]).reshape(len(codes), len(order))
    gained = wins & ~held
    listed = pl.List(pl.String)
    units = pl.DataFrame({
        "id": order, "name": [facts.names[k] for k in where],
        "group": [facts.groups[k] for k in where], "verified": facts.total[where],
        "self": own.total[:-1], "difference": own.total[:-1] - facts.total[where],
        "rank": facts.rank[where], "rank_alone": rank,
        "awards": names(held), "awards_alone": names(wins), "gained": names(gained),
    }, schema_overrides={"group": pl.String, "awards": listed, "awards_alone": listed,
                         "gained": listed})
    return SelfCheck(units, _upward(c, verified, scored), missing, extra)


def _upward(c: m.Criteria, verified: Result, scored: Result) -> pl.DataFrame:
    """Per unit and scored criterion where the self-score raises the total: the verified and self
    points and the effect on the total (a penalty scored lower raises it), largest first."""
    leaves = [x for x in _nodes(c) if x.node.rule is not None]
    info = pl.DataFrame({"code": [x.node.code for x in leaves],
                         "criterion": [x.node.name for x in leaves],
                         "worth": [x.worth for x in leaves]})
    cols = [points_col(x.node.code) for x in leaves]
    index = ["id", "name", "group"]
    v = verified.units.select(*index, *cols).unpivot(index=index, variable_name="code",
                                                     value_name="verified")
    s = scored.units.select("id", *cols).unpivot(index="id", variable_name="code",
                                                 value_name="self")
    return (v.join(s, on=["id", "code"], how="inner")
            .with_columns(pl.col("code").str.strip_prefix("points."))
            .join(info, on="code")
            .with_columns((pl.col("self") - pl.col("verified")).alias("difference"))
            .with_columns((pl.col("difference") * pl.col("worth")).alias("effect"))
            .filter(pl.col("effect") > EQUAL)
            .sort(["effect", "id", "code"], descending=[True, False, False])
            .select(*index, "code", "criterion", "verified", "self", "difference", "effect"))


# --- the whole audit ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Audit:
    structure: Structure
    realised: pl.DataFrame | None = None
    self_check: SelfCheck | None = None
    notes: tuple[str, ...] = ()  # for the reader, shown by the renderers; none are made today
    diagnostics: Diagnostics | None = None  # with data: thidua/core/diagnostics.py
