"""Review stages: the units' own scores (tự chấm), then the verified (thẩm định) and the approved
(phê duyệt) values, merged into the one frame the engine scores.

Pure: frames in, a frame and the record of every change out, or a StageError naming every bad
cell (file, row, column, unit, from and to). The scored value of each indicator is that of the
latest stage that gives one (a non-empty cell); a later stage whose rule is `may: lower` may
not raise a value (nor give one where the earlier stages had none); under `reason: required`
every row that changes a value must carry a reason. The stages are merged in polars, one join
per later stage, one expression per indicator: no Python loop over rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from thidua import model as m
from thidua.core.scoring import indicators, leaves, rule_columns
from thidua.core.values import LIMIT
from thidua.errors import DataError, Problem
from thidua.i18n import N_, _

# the stages' names as a person reads them
LABELS = {"self": N_("self-assessment"), "verified": N_("verification"),
          "approved": N_("approval")}
REASON = "stage.reason"  # the frame columns of a later stage's reason and "by whom"
BY = "stage.by"
DEFAULT_REASON_COLUMN = "ly_do"
DEFAULT_BY_COLUMN = "nguoi_dieu_chinh"
# the changes table, in this order (machine keys)
CHANGES = ("id", "name", "group", "criteria", "indicator", "from_stage", "to_stage", "from",
           "to", "by", "reason", "row")


def label(stage: str) -> str:
    return _(LABELS[stage])


@dataclass(frozen=True)
class Rule:
    """A stage's rule, its defaults filled in."""

    stage: str
    may: str  # change | lower
    reason: bool  # a change needs a reason
    reason_column: str
    by_column: str


def rules(c: m.Criteria) -> list[Rule]:
    """The declared stages in order, with their defaults (no `stages:`: none)."""
    return [Rule(s.stage, s.may or "change", (s.reason or "required") == "required",
                 s.reason_column or DEFAULT_REASON_COLUMN, s.by_column or DEFAULT_BY_COLUMN)
            for s in c.stages or []]


def check_stages(c: m.Criteria) -> list[Problem]:
    """The problems of a `stages:` section: known names, each once, in the order self →
    verified → approved, at least two, and nothing to say about changes on the first."""
    if c.stages is None:
        return []
    problems = []
    if len(c.stages) < 2:
        problems.append(Problem("stages", _("needs at least two stages (a later stage changes "
                                            "an earlier one); without them leave stages: out")))
    seen: list[str] = []
    for i, s in enumerate(c.stages):
        if s.stage in seen:
            problems.append(Problem(f"stages[{i}].stage", _("stage {stage} is listed twice",
                                                            stage=s.stage)))
        elif seen and m.STAGE_ORDER.index(s.stage) < m.STAGE_ORDER.index(seen[-1]):
            problems.append(Problem(f"stages[{i}].stage", _(
                "stage {stage} is listed after {earlier}: the order is self, verified, approved",
                stage=s.stage, earlier=seen[-1])))
        seen.append(s.stage)
        if i == 0:
            for key in ("may", "reason", "reason_column", "by_column"):
                if getattr(s, key) is not None:
                    problems.append(Problem(f"stages[0].{key}", _(
                        "the first stage changes nothing before it: {key} belongs to a later "
                        "stage", key=key)))
        elif (s.reason_column or DEFAULT_REASON_COLUMN) == (s.by_column or DEFAULT_BY_COLUMN):
            problems.append(Problem(f"stages[{i}].by_column", _(
                "the reason and the \"by whom\" need two columns, both are {name}",
                name=repr(s.by_column))))
    return problems


class StageError(DataError):
    """Bad stage files: every problem with the file it is in."""

    def __init__(self, found: list[tuple[str, Problem]]):
        self.found = list(found)
        super().__init__(", ".join(dict.fromkeys(source for source, _p in found)),
                         [p for _s, p in found])

    def lines(self) -> list[str]:
        return [p.render(source) for source, p in getattr(self, "found", [])]


@dataclass(frozen=True)
class StageFrame:
    """One stage's file as read: `frame` holds id, row, the indicators it gives (any of the
    criteria's) and, for a later stage, REASON and BY (null where empty)."""

    stage: str
    source: str
    frame: pl.DataFrame


@dataclass(frozen=True)
class Staged:
    """What the stages did: the stages given (stage, file), every change, and for every unit
    the stage each indicator's scored value came from (id, then `stage.<indicator>`)."""

    stages: tuple[tuple[str, str], ...]
    changes: pl.DataFrame  # CHANGES, in unit then stage then indicator order of the files
    origin: pl.DataFrame

    def origin_of(self, unit: str) -> dict[str, str]:
        """indicator → the stage its value came from, for one unit."""
        rows = self.origin.filter(pl.col("id") == unit)
        if rows.height == 0:
            return {}
        return {k.removeprefix("stage."): v for k, v in rows.row(0, named=True).items()
                if k != "id"}


def criteria_of(c: m.Criteria) -> dict[str, str]:
    """indicator → the codes of the criteria whose rule reads it, then of the knockouts whose
    condition does (`;`-joined)."""
    from thidua.core import expr

    found: dict[str, list[str]] = {}
    for leaf in leaves(c):
        for col in rule_columns(leaf.rule):
            found.setdefault(col, []).append(leaf.node.code)
    for k in c.knockouts:  # a knockout's condition reads indicators too
        for col in sorted(expr.names(expr.check(k.when, "bool"))):
            found.setdefault(col, []).append(k.code)
    return {k: ";".join(dict.fromkeys(v)) for k, v in found.items()}


def merge(c: m.Criteria, base: StageFrame, later: list[StageFrame],
          headers: Mapping[str, str] | None = None) -> tuple[pl.DataFrame, Staged]:
    """The frame to score (base's shape: every unit of the first stage, in its order, with each
    indicator's latest value) and the record of the stages; StageError naming every bad cell.
    `headers`: indicator → its header in the files (the criteria's `columns:`)."""
    by_rule = {r.stage: r for r in rules(c)}
    numbers, flags = indicators(c)
    headers = headers or {}
    read = [i for i in sorted(numbers | flags) if i in base.frame.columns]
    codes = criteria_of(c)
    merged = base.frame.with_columns(pl.lit(base.stage).alias(f"stage.{i}") for i in read)
    if "group" not in merged.columns:
        merged = merged.with_columns(pl.lit(None, pl.String).alias("group"))
    problems: list[tuple[str, Problem]] = []
    changes: list[pl.DataFrame] = []
    for f in later:
        rule = by_rule[f.stage]
        given = [i for i in read if i in f.frame.columns]
        problems += unknown_units(base, f)
        mine = f.frame.select("id", pl.col("row").alias("stage.row"),
                              *(pl.col(i).alias(f"new.{i}") for i in given),
                              *(pl.col(k) if k in f.frame.columns else pl.lit(None, pl.String).alias(k)
                                for k in (REASON, BY)))
        joined = merged.join(mine, on="id", how="left", maintain_order="left")
        for i in given:
            old, new = pl.col(i), pl.col(f"new.{i}")
            changed = new.is_not_null() & old.ne_missing(new)
            number = (lambda x: x.cast(pl.Float64)) if i in flags else (lambda x: x)
            found = joined.filter(changed).select(
                "id", "name", "group", pl.lit(codes.get(i, "")).alias("criteria"),
                pl.lit(i).alias("indicator"), pl.col(f"stage.{i}").alias("from_stage"),
                pl.lit(f.stage).alias("to_stage"), number(old).alias("from"),
                number(new).alias("to"), pl.col(BY).alias("by"), pl.col(REASON).alias("reason"),
                pl.col("stage.row").alias("row"))
            changes.append(found)
            column = headers.get(i, i)
            if rule.may == "lower":
                raised = found.filter(pl.col("from").is_null() | (pl.col("to") > pl.col("from")))
                problems += [(f.source, _cell(row, column, unit, _(
                    "stage {stage} may only lower a value; it raises it from {old} to {new}",
                    stage=label(f.stage), old=_shown(old_v, i in flags), new=_shown(new_v, i in flags))))
                    for unit, old_v, new_v, row in
                    raised.select("id", "from", "to", "row").head(LIMIT).rows()]
                problems += _more(f.source, raised.height)
            if rule.reason:
                bare = found.filter(pl.col("reason").is_null())
                problems += [(f.source, _cell(row, column, unit, _(
                    "the value changes from {old} to {new} with no reason (stage {stage} needs "
                    "one in column {reason})", old=_shown(old_v, i in flags),
                    new=_shown(new_v, i in flags), stage=label(f.stage), reason=repr(rule.reason_column))))
                    for unit, old_v, new_v, row in
                    bare.select("id", "from", "to", "row").head(LIMIT).rows()]
                problems += _more(f.source, bare.height)
        merged = joined.with_columns(
            *(pl.coalesce(f"new.{i}", i).alias(i) for i in given),
            *(pl.when(pl.col(f"new.{i}").is_not_null()).then(pl.lit(f.stage))
              .otherwise(pl.col(f"stage.{i}")).alias(f"stage.{i}") for i in given),
        ).drop("stage.row", REASON, BY, *(f"new.{i}" for i in given))
    if problems:
        raise StageError(problems)
    schema = {"id": pl.String, "name": pl.String, "group": pl.String, "criteria": pl.String,
              "indicator": pl.String, "from_stage": pl.String, "to_stage": pl.String,
              "from": pl.Float64, "to": pl.Float64, "by": pl.String, "reason": pl.String,
              "row": pl.Int64}
    table = pl.concat([ch.cast(schema) for ch in changes]) if changes else pl.DataFrame(schema=schema)  # type: ignore[arg-type]
    # in the first stage's unit order, each unit's changes stage by stage
    place = base.frame.select("id", pl.int_range(pl.len()).alias("__at"))
    table = (table.with_columns(pl.col("to_stage").replace_strict(
                list(m.STAGE_ORDER), list(range(len(m.STAGE_ORDER))),
                return_dtype=pl.Int64).alias("__stage"))
             .join(place, on="id", how="left")
             .sort("__at", "__stage", maintain_order=True).drop("__at", "__stage"))
    origin = merged.select("id", *(f"stage.{i}" for i in read))
    frame = merged.select(base.frame.columns)
    return frame, Staged(((base.stage, base.source), *((f.stage, f.source) for f in later)),
                         table.select(CHANGES), origin)


def unknown_units(base: StageFrame, f: StageFrame) -> list[tuple[str, Problem]]:
    """A problem for each unit of a later stage's file that the first stage does not have."""
    strangers = f.frame.join(base.frame.select("id"), on="id", how="anti")
    found = [(f.source, Problem(_("row {row}", row=row), _(
        "unit {unit} is not in the first stage's file {first}", unit=unit, first=base.source)))
        for row, unit in strangers.select("row", "id").head(LIMIT).rows()]
    if strangers.height > LIMIT:
        found.append((f.source, Problem("", _("… and {count} more",
                                              count=strangers.height - LIMIT))))
    return found


def _more(source: str, count: int) -> list[tuple[str, Problem]]:
    """`… and N more` when more than LIMIT cells have one problem."""
    if count <= LIMIT:
        return []
    return [(source, Problem("", _("… and {count} more", count=count - LIMIT)))]


def _cell(row: int, column: str, unit: str, message: str) -> Problem:
    return Problem(_("row {row}, column {column}", row=row, column=repr(column)),
                   _("unit {unit}: {message}", unit=unit, message=message))


def _shown(value: float | None, flag: bool) -> str:
    if value is None:
        return _("nothing")
    if flag:
        return _("yes") if value else _("no")
    return f"{value:g}"
