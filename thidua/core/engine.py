"""The whole computation: a checked criteria model and a clean data frame in, the unit table out.

Pure: no files, no printing. The criteria file compiles to one lazy polars query (scores:
every point, total, knockout and ranking key); decisions.py then decides the file as written
(one scenario: the order, ranks, class and award lists, with their working), the table is put
in that order, and the decisions are laid beside it (standing). No Python loop over rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from thidua import model as m
from thidua.core import awards, chunks, decisions, history, members, ranking, scoring, treatment
from thidua.core.collation import ranks
from thidua.core.rounding import compared
from thidua.core.schema import CODES, work_col
from thidua.core.values import LIMIT
from thidua.core.values import problems as value_problems
from thidua.errors import DataError, Problem, UsageError
from thidua.i18n import _

if TYPE_CHECKING:
    from thidua.core.stages import Staged

CONTRACT = ("id", "name", "group", "total", "classification", "rank", "rank_overall", "bonus",
            "penalty", "knockouts", "awards", "flagged")


@dataclass(frozen=True)
class Result:
    """Every unit's row (contract columns, points, per-award details), in rank order."""

    criteria: m.Criteria
    units: pl.DataFrame
    stages: Staged | None = None  # review stages (core/stages.py): None for one data file
    # every cell the file's `treatment:` changed (treatment.CHANGES), empty without one
    treated: pl.DataFrame = field(default_factory=treatment.empty_changes)

    @property
    def point_columns(self) -> list[str]:
        return [scoring.points_col(code) for code in node_codes(self.criteria)]


def node_codes(c: m.Criteria) -> list[str]:
    """Every node's code, main tree first (parents before children), then bonus, then penalty."""
    out: list[str] = []

    def visit(nodes: list[m.Node]) -> None:
        for node in nodes:
            out.append(node.code)
            visit(node.children or [])

    for _part, nodes in scoring.parts(c):
        visit(nodes)
    return out


def scores(c: m.Criteria, frame: pl.LazyFrame, places: pl.DataFrame | None = None,
           trace: bool = False) -> pl.LazyFrame:
    """Points, totals, knockouts and ranking keys of every unit, not yet in order (decide orders
    them). `places`: each group's place in the output (ranking.group_positions)."""
    if not c.units.group:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("group"))
    compiler = scoring.Compiler(c, trace)
    stages, spent = compiler.stages(), compiler.spent()
    if places is not None:  # computed beside the leaves, where it costs no extra pass
        stages[0] = [*stages[0], pl.col("group").replace_strict(
            places.get_column("group"), places.get_column("__group"), default=len(places),
            return_dtype=pl.Int64).alias("__group")]
    for i, stage in enumerate(stages):
        frame = frame.with_columns(stage)
        if spent and i == 1:  # the leaves: the stage after the snapped values
            frame = frame.drop(spent)
    keys = ranking.key_columns(c)
    conditions = awards.fixed_conditions(c)
    kept = [*_BASE, *(scoring.points_col(k) for k in node_codes(c)), *(f"ko.{k.code}" for k in c.knockouts),
            *history.columns(c),
            "__barred", "__knocked", *(["__group"] if places is not None else []), *_traced(c, trace)]
    return frame.select(*kept, *(e.alias(name) for name, e in keys), *conditions)


def _traced(c: m.Criteria, trace: bool) -> list[str]:
    """With trace: each leaf's unrounded points, whether its value was missing, and the data read."""
    if not trace:
        return []
    codes = [leaf.node.code for leaf in scoring.leaves(c)]
    numbers, flags = scoring.indicators(c)
    work = [work_col(leaf.node.code, what) for leaf in scoring.leaves(c)
            for what in scoring.work_names(leaf.rule)]
    return [*(f"raw.{k}" for k in codes), *(f"missing.{k}" for k in codes), *work,
            *sorted(numbers | flags)]


def fixed_of(c: m.Criteria, table: pl.DataFrame, tied: np.ndarray | None = None) -> decisions.Fixed:
    """What decides besides the total, from the scored table (in its order), with the pad.
    `tied`: the only units whose ids can decide (the others' places in Vietnamese order are
    left 0, so that a million distinct totals do not sort a million ids); None: every unit."""
    def pad(name: str, value: object, dtype: type) -> np.ndarray:
        values: np.ndarray = table.get_column(name).to_numpy().astype(dtype)
        return np.concatenate([values, np.array([value], dtype=values.dtype)])

    n = table.height
    group = (pad("__group", 0, np.int64) if "__group" in table.columns
             else np.zeros(n + 1, np.int64))
    group[-1] = int(group[:-1].max(initial=-1)) + 1
    labels = [b.label for b in c.classification]
    cap = np.full(n + 1, -1)
    for k in c.knockouts:
        if isinstance(k.effect, m.Cap):
            hit = pad(f"ko.{k.code}", False, bool)
            cap = np.where(hit, np.maximum(cap, labels.index(k.effect.cap)), cap)
    when = tuple(pad(awards.col("when", a.code), False, bool) if a.eligible.when is not None
                 else np.r_[np.ones(n, bool), False] for a in c.awards)
    ids = table.get_column("id")
    id_rank = np.zeros(n + 1, np.int64)
    if tied is None:
        id_rank[:-1] = ranks(ids).to_numpy() + 1
    elif tied.any():
        id_rank[:-1][tied] = ranks(ids.filter(pl.Series(tied))).to_numpy() + 1
    held = tuple(tuple(history.held(pad(history.column(a.code, k, t), 0, np.int64))
                       for k, alternatives in enumerate(history.items(a)) for t in range(len(alternatives)))
                 for a in c.awards) if history.used(c) else ()
    met = tuple(tuple(pad(members.column("met", a.code, j), False, bool)
                      for j in range(len(a.eligible.members or []))) for a in c.awards)
    return decisions.Fixed(group, tuple(pad(k, -np.inf, float) for k in ranking.key_names(c)[1:]),
                           id_rank, pad("__barred", True, bool), pad("__knocked", True, bool), cap,
                           when, held, met)


def decide(c: m.Criteria, table: pl.DataFrame) -> decisions.Decision:
    """The decisions of the file as written (one scenario), with every award's working. Totals
    are compared as the distinct decimals they are (their places in order): exact, whatever
    their gaps."""
    total = table.get_column("total").to_numpy().astype(float)
    seen = table.select(compared(pl.col("total"), c.precision)).to_series().to_numpy()
    _values, place, count = np.unique(seen, return_inverse=True, return_counts=True)
    place = place.reshape(-1)
    rules = decisions.rules_of(c, total)
    fixed = fixed_of(c, table, tied=tied_throughout(table, place, count,
                                                   ranking.key_names(c)[1:]))
    return decisions.decide(rules, fixed, total[None, :], place[None, :].astype(np.int64),
                            overall=True, detail=True)


def tied_throughout(table: pl.DataFrame, place: np.ndarray, count: np.ndarray,
                    keys: list[str]) -> np.ndarray:
    """The units whose total (its `place` among the distinct totals, `count` units each) and
    every tie-break key in `keys` equal another unit's: the only ones whose ids can decide, in a
    group or over every unit. A key's NaN is taken as +inf and -0.0 as 0.0, so that the units
    marked are never fewer than those the keys leave tied (decisions.layout compares them).
    The total's place and the keys' bits are mixed into one 64-bit number: equal units mix to
    equal numbers, and the few others that happen to meet only collate a few more ids."""
    tied: np.ndarray = count[place] > 1
    if not keys or not tied.any():
        return tied
    mixed = place[tied].astype(np.uint64) * np.uint64(_MIX)
    for k in keys:
        v = table.get_column(k).to_numpy().astype(float)[tied]
        bits = (np.where(np.isnan(v), np.inf, v) + 0.0).view(np.uint64)
        mixed = (mixed ^ bits) * np.uint64(_MIX)
    tied[tied] = pl.Series(mixed).is_duplicated().to_numpy()
    return tied


_MIX = 0x9E3779B97F4A7C15  # an odd 64-bit multiplier (2**64 / the golden ratio)


def standing(c: m.Criteria, ordered: pl.DataFrame, d: decisions.Decision, order: np.ndarray,
             trace: bool = False) -> pl.DataFrame:
    """The ordered table with the decisions (ranks, class, each award's working and lists)."""
    def at(a: np.ndarray) -> np.ndarray:
        return a[0][order]

    labels = [b.label for b in c.classification]
    assert d.rank_overall is not None
    klass = pl.Series("classification", at(d.klass)).replace_strict(
        list(range(len(labels))), labels, default=None, return_dtype=pl.String)
    added = [klass, pl.Series("rank", at(d.rank).astype(np.int64)),
             pl.Series("rank_overall", at(d.rank_overall).astype(np.int64))]
    for a, detail, on, flag in zip(c.awards, d.details, d.on, d.flag):
        def col(what: str, code: str = a.code) -> str:
            return awards.col(what, code)

        e = at(detail.eligible)
        added += [
            pl.Series(col("eligible"), e),
            pl.Series(col("base"), at(detail.base).astype(np.int64)),
            pl.Series(col("quota"), at(detail.quota).astype(np.int64)),
            pl.Series(col("better"), at(detail.better).astype(np.int64)).set(pl.Series(~e), None),
            pl.Series(col("upto"), at(detail.upto).astype(np.int64)).set(pl.Series(~e), None),
            pl.Series(col("on"), at(on)), pl.Series(col("flag"), at(flag)),
            pl.Series(col("tied"), at(detail.tied)),
            code_lists(col("failed"), [name for name, _ in detail.checks],
                       [~at(met) for _, met in detail.checks], len(e)),
        ]
    n, codes = len(order), [a.code for a in c.awards]
    hit = [ordered.get_column(f"ko.{k.code}").fill_null(False).to_numpy() for k in c.knockouts]
    added += [code_lists("knockouts", [k.code for k in c.knockouts], hit, n),
              code_lists("awards", codes, [at(on) for on in d.on], n),
              code_lists("flagged", codes, [at(flag) for flag in d.flag], n)]
    decided = pl.DataFrame(added)
    laid = ranking.chunked_like(decided, ordered)
    return ordered.hstack(laid.get_columns()).select(*columns(c), *_traced(c, trace))


def score(c: m.Criteria, frame: pl.DataFrame, source: str = "<data>", *,
          trace: bool = False, earlier: pl.DataFrame | None = None,
          members_data: members.MembersData | None = None) -> Result:
    """Score, classify, rank and shortlist every unit of `frame` (as read by data.read_data).
    `frame` is left as it is, in any number of chunks.

    A file's `treatment:` (treatment.py) is applied first; `Result.treated` lists every cell it
    changed. With trace=True the unit table also keeps, for explanations, each leaf's unrounded points
    (`raw.<code>`), `missing.<code>`, and the indicator columns.

    `earlier`: the history rows (id, year, title) of a file with history conditions, as
    input/history.py reads and checks them (required by such a file).
    `members_data`: the members' result, for the file's `eligible.members` conditions (needed
    exactly when the file has some).
    """
    if members.needed(c) and members_data is None:
        raise UsageError(source, [Problem("", _(
            "the criteria file has members conditions: give the members' result with --members "
            "RESULT_FILE"))])
    treated = treatment.treat(c, frame)  # first: every check and rule reads the treated values
    frame, changes = treated.frame, treated.changes
    del treated  # its frame is this one: held only here, so that it goes once the points exist
    problems = value_problems(c, frame)
    if problems:
        raise DataError(source, problems)
    places = ranking.group_positions(frame.get_column("group")) if c.units.group else None
    # each column as its own Series: a constant column the caller built with pl.lit is held as
    # one repeated value, which polars divides by inexactly (see rounding.divide); a column of
    # many short chunks is scored chunk by chunk, many times slower (chunks.py)
    whole = pl.DataFrame([chunks.whole(frame.get_column(n)) for n in frame.columns])
    if history.used(c):
        if earlier is None:
            raise DataError(source, [Problem("", _(
                "the criteria file has history conditions: give the history file (--history FILE)"))])
        whole = whole.with_columns(history.masks(c, earlier))
    table = scores(c, whole.lazy(), places, trace).collect()
    del whole, frame  # not changed: only this function's references go (see commands/score.py)
    problems = not_finite(c, table)
    if problems:
        raise DataError(source, problems)
    if members_data is not None and members.needed(c):
        table = table.hstack(members.evidence(c, table.get_column("id"), members_data).get_columns())
    d = decide(c, table)
    order = d.layout.order[0]
    # gathered by polars' own index type (UInt32 but in a big-index build): twice as fast as Int64
    ordered = ranking.take(table, pl.Series("order", order, dtype=pl.get_index_type()))
    del table
    return Result(c, standing(c, ordered, d, order, trace), treated=changes)


def not_finite(c: m.Criteria, table: pl.DataFrame) -> list[Problem]:
    """Every unit with points or a total that are not a finite number (an intermediate result
    overflowed past ±1.8e308, as x * x - y * y at 1e200 does), named with the first criterion
    where it appears (leaves first, then each group after the groups below it). One aggregate
    pass over the few columns a NaN reaches from anywhere below (sums and means keep it; the
    caps and the floor at 0 would not) finds whether there is any; the data's own values are
    already known to be finite."""
    tops = ["earned", "total", *(scoring.points_col(node.code) for part, nodes in scoring.parts(c)
                                 if part != "main" for node in nodes)]
    if table.select(pl.sum_horizontal(tops).is_finite().all()).item() is not False:
        return []
    codes = [leaf.node.code for leaf in scoring.leaves(c)]
    codes += [node.code for _, nodes in scoring.parts(c) for node in scoring.groups(nodes)]
    columns = [(code, scoring.points_col(code)) for code in codes] + [("total", "total")]
    bad = [~pl.col(name).is_finite() for _, name in columns]
    first = pl.coalesce([pl.when(b).then(pl.lit(at)) for b, (at, _) in zip(bad, columns)])
    found = table.filter(pl.any_horizontal(bad).fill_null(False)).select("row", "id", first.alias("at"))
    out = [Problem(_("row {row}, {column}", row=row, column=at),
                   _("unit {unit}: the total has no finite value (an intermediate result "
                     "overflows past ±1.8e308)", unit=unit) if at == "total" else
                   _("unit {unit}: criterion {code} has no finite value (an intermediate result "
                     "overflows past ±1.8e308)", unit=unit, code=at))
           for row, unit, at in found.head(LIMIT).rows()]
    if found.height > LIMIT:
        out.append(Problem("", _("… and {count} more", count=found.height - LIMIT)))
    return out


_BASE = ("id", "name", "group", "row", "total", "bonus", "penalty", "earned", "attainable")


def columns(c: m.Criteria) -> list[str]:
    """What the unit table keeps: the contract, the data row, the points, each award's details."""
    kept = [*CONTRACT, "row", "earned", "attainable", *(scoring.points_col(k) for k in node_codes(c))]
    kept += [awards.col(what, a.code) for a in c.awards for what in awards.COLUMNS]
    kept += [awards.col("when", a.code) for a in c.awards if a.eligible.when is not None]
    kept += [f"ko.{k.code}" for k in c.knockouts]
    kept += history.columns(c)  # the history years each condition holds (core/history.py)
    kept += members.columns(c)
    kept += ["__barred", "__knocked", *ranking.key_names(c)]  # what reasons and explanations read
    return kept


def code_lists(name: str, codes: Sequence[str], hits: Sequence[np.ndarray], n: int) -> pl.Series:
    """A list column of codes (schema.py: knockouts, awards, flagged, an award's failed
    conditions): row i holds each codes[j] with hits[j][i], in the order of `codes`; an empty
    list for none. Few distinct lists occur: each is built once and gathered by row (20 times
    faster than concat_list over 1,000,000 rows, 3 times faster than joining text)."""
    if not codes:
        return pl.Series(name, [[]], dtype=CODES).gather(np.zeros(n, dtype=np.int64))
    ids = np.zeros(n, dtype=np.int64)
    for start in range(0, len(codes), 62):  # 62 hits a block as the bits of one int64
        mask = np.zeros(n, dtype=np.int64)
        for bit, hit in enumerate(hits[start:start + 62]):
            mask |= hit.astype(np.int64) << bit
        if start:  # a later block: the pairs (lists so far, this block) numbered densely
            ids = np.unique(ids, return_inverse=True)[1].astype(np.int64)
            block = np.unique(mask, return_inverse=True)[1].astype(np.int64)
            mask = ids * (int(block.max(initial=0)) + 1) + block
        ids = mask
    if len(codes) <= 16:  # few codes: the lists present found by counting, without a sort
        kinds = np.flatnonzero(np.bincount(ids, minlength=1 << len(codes)))
        number = np.zeros(1 << len(codes), dtype=np.int64)
        number[kinds] = np.arange(len(kinds))
        lists = [[code for bit, code in enumerate(codes) if kind >> bit & 1] for kind in kinds.tolist()]
        return pl.Series(name, lists, dtype=CODES).gather(number[ids])
    _kinds, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    lists = [[code for code, hit in zip(codes, hits, strict=True) if hit[row]] for row in first.tolist()]
    return pl.Series(name, lists, dtype=CODES).gather(inverse.astype(np.int64))
