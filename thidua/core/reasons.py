"""Why each unit is, or is not, on each award's list: data (codes and values), not sentences.

`reasons` gives one row per award and unit; `quotas` one row per award and group with the
quota's arithmetic. Both are computed with column expressions over the unit table; the words a
council reads are the renderer's business (render_awards.py).
"""

from __future__ import annotations

import polars as pl

from thidua import model as m
from thidua.core import history as hs
from thidua.core.awards import col
from thidua.core.engine import Result
from thidua.core.rounding import divide, round_expr

STATUSES = ("on_list", "tie_included", "tied_flag", "tie_excluded", "beyond_quota", "not_eligible")


def _scope(c: m.Criteria, award: m.Award) -> list[str]:
    return ["group"] if c.award_scope(award) == "group" else []


def _over(e: pl.Expr, scope: list[str]) -> pl.Expr:
    return e.over(scope) if scope else e


def _gap(difference: pl.Expr, precision: int | None) -> pl.Expr:
    """A difference of two totals as a person writes it: rounded to the file's precision (two
    totals of 2 decimals differ by a value of 2 decimals, not by 0.4099999999999966), or to 9
    decimals under `precision: null`; never -0."""
    return round_expr(difference, precision if precision is not None else 9) + 0.0


def _one(result: Result, award: m.Award) -> pl.DataFrame:
    c, code = result.criteria, award.code
    scope = _scope(c, award)
    e, on, flag, tied = (pl.col(col(k, code)) for k in ("eligible", "on", "flag", "tied"))
    quota, better = (pl.col(col(k, code)) for k in ("quota", "better"))
    status = (pl.when(on & tied).then(pl.lit("tie_included"))
              .when(on).then(pl.lit("on_list"))
              .when(flag).then(pl.lit("tied_flag"))
              .when(tied).then(pl.lit("tie_excluded"))
              .when(e).then(pl.lit("beyond_quota"))
              .otherwise(pl.lit("not_eligible")))
    failed = pl.col(col("failed", code))
    rank = "rank" if scope else "rank_overall"
    last_in = _over(pl.col("total").filter(on).min(), scope)
    tied_ids = _over(pl.col("id").filter(tied).sort().implode(), scope)
    return result.units.select(
        pl.lit(code).alias("award"), "group", "id", "name", pl.col(rank).alias("rank"), "total",
        "classification", "knockouts",
        status.alias("status"),
        pl.when(e).then(better + 1).alias("place"),
        quota.alias("quota"),
        pl.col(col("base", code)).alias("base"),
        pl.when(e & ~on & ~tied).then(_gap(last_in - pl.col("total"), c.precision)).alias("behind_last_in"),
        pl.when(tied).then(tied_ids).alias("tied_with"),
        pl.when(~e).then(failed).alias("failed"),
        *_history(c, award),
    )


def _history(c: m.Criteria, award: m.Award) -> list[pl.Expr]:
    """`history` (a file with history conditions only): the years each condition of the award
    holds and lacks, items joined by " | " (core/history.py); null for an award without any."""
    if not hs.used(c):
        return []
    said = hs.evidence(c, c.awards.index(award))
    return [(said if said is not None else pl.lit(None, dtype=pl.String)).alias(HISTORY)]


HISTORY = "history"
"""The reasons' column of the history evidence, after REASON_COLUMNS in a file with history."""

REASON_COLUMNS = ("award", "group", "id", "name", "rank", "total", "status", "place", "quota", "base",
                  "behind_last_in", "tied_with", "failed")
"""The columns of `reasons` that every machine format of `thidua awards` writes, in this order."""


def reasons(result: Result) -> pl.DataFrame:
    """One row per award and unit: status, place among the eligible, quota, how many points
    behind the last unit on the list, the units tied at the line, the conditions it failed.

    The rows come in the one order every output shows: the awards in the file's order; under a
    per-group award the units as the ranking shows them (groups in Vietnamese order, best
    first), under an award over all units by overall rank (ties as the ranking orders them)."""
    c = result.criteria
    frames = []
    for award in c.awards:
        frame = _one(result, award)
        if not _scope(c, award):
            frame = frame.sort("rank", maintain_order=True)
        frames.append(frame)
    if not frames:
        return pl.DataFrame()
    return pl.concat(frames)


def quotas(result: Result) -> pl.DataFrame:
    """One row per award and group: the base counted, percent, raw value, rounding, minimum,
    the quota, how many units are eligible, listed and flagged, and whether it can be filled."""
    c = result.criteria
    rows = []
    for award in c.awards:
        scope = _scope(c, award)
        q = award.quota
        units = result.units.with_columns(pl.lit(None, dtype=pl.String).alias("__all"))
        by = scope or ["__all"]
        agg = units.group_by(by, maintain_order=True).agg(
            pl.col(col("base", award.code)).first().alias("base"),
            pl.col(col("quota", award.code)).first().alias("quota"),
            pl.col(col("eligible", award.code)).sum().alias("eligible"),
            pl.col(col("on", award.code)).sum().alias("listed"),
            pl.col(col("flag", award.code)).sum().alias("flagged"),
        ).rename({by[0]: "group"})
        agg = agg.with_columns(
            pl.lit(award.code).alias("award"), pl.lit(award.name).alias("name"),
            pl.lit(str(q.of) if isinstance(q.of, str) else q.of.model_dump_json()).alias("of"),
            pl.lit(q.count, dtype=pl.Int64).alias("count"),
            pl.lit(q.percent, dtype=pl.Float64).alias("percent"),
            (divide(pl.col("base") * q.percent, 100.0).round(9) if q.percent is not None
             else pl.lit(None, dtype=pl.Float64)).alias("raw"),  # 9 decimals: as round_quota reads it
            pl.lit(q.rounding if q.percent is not None else None, dtype=pl.String).alias("rounding"),
            pl.lit(q.min).alias("min"),
            pl.lit(award.on_tie_at_quota).alias("on_tie_at_quota"),
            (pl.col("eligible") < pl.col("quota")).alias("unfillable"),
        )
        rows.append(agg.select("award", "name", "group", "of", "base", "count", "percent", "raw", "rounding",
                               "min", "quota", "eligible", "listed", "flagged", "on_tie_at_quota",
                               "unfillable"))
    return pl.concat(rows) if rows else pl.DataFrame()
