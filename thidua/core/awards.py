"""Award shortlists under quotas, computed for every unit at once with window functions.

For each award, in the order written: which units are eligible, the quota of their group (or of
all units), and whether each eligible unit is inside the quota, beyond it, or tied across the
quota line, where `on_tie_at_quota` decides (include, exclude, or flag for the council's vote).
"""

from __future__ import annotations

import polars as pl

from thidua import model as m
from thidua.core import ranking
from thidua.core.rounding import compared, divide, round_quota, threshold
from thidua.core.rules import lit
from thidua.core.scoring import condition

# per-award columns kept in the unit table (the reasons are built from them)
COLUMNS = ("eligible", "base", "quota", "better", "upto", "on", "flag")


def col(what: str, code: str) -> str:
    return f"award.{code}.{what}"


def _over(e: pl.Expr, scope: list[str]) -> pl.Expr:
    return e.over(scope) if scope else e


def conditions(c: m.Criteria, award: m.Award) -> list[tuple[str, pl.Expr]]:
    """Each eligibility condition of an award, by name, as a polars boolean."""
    e, scope = award.eligible, c.award_scope(award)
    rank = pl.col("rank" if scope == "group" else "rank_overall")
    out = [("knockout", ~pl.col("__barred"))]
    if e.min_total is not None:
        out.append(("min_total", compared(pl.col("total"), c.precision)
                    >= threshold(e.min_total, c.precision)))
    if e.classification is not None:
        out.append(("classification", pl.col("classification").is_in(e.classification).fill_null(False)))
    if e.no_knockout:
        out.append(("no_knockout", ~pl.col("__knocked")))
    if e.max_rank is not None:
        out.append(("max_rank", rank <= e.max_rank))
    if e.when is not None:
        out.append(("when", pl.col(col("when", award.code))))
    for needed in e.awards or []:
        out.append((f"award:{needed}", pl.col(col("on", needed))))
    if award.exclusive:
        earlier = [a.code for a in c.awards[: c.awards.index(award)] if a.exclusive]
        if earlier:
            out.append(("exclusive", ~pl.any_horizontal([pl.col(col("on", k)) for k in earlier])))
    return out


def fixed_conditions(c: m.Criteria) -> list[pl.Expr]:
    """The `when` conditions, computed while the indicators are at hand (before ordering)."""
    return [condition(a.eligible.when, c.missing).alias(col("when", a.code))
            for a in c.awards if a.eligible.when is not None]


def _counted(award: m.Award, eligible: pl.Expr) -> pl.Expr:
    """Which units the quota's base counts, when it is not all units."""
    of = award.quota.of
    if isinstance(of, m.ByAward):
        return pl.col(col("on", of.award))
    if isinstance(of, m.ByClassification):
        return (pl.col("classification") == of.classification).fill_null(False)
    return eligible if of == "eligible" else pl.repeat(True, pl.len())  # "units": every unit


def base_count(c: m.Criteria, award: m.Award, eligible: pl.Expr, scope: list[str]) -> pl.Expr:
    counted = pl.len() if award.quota.of == "units" else _counted(award, eligible).sum()
    return _over(counted, scope).cast(pl.Int64)


class _Runs:
    """Counts inside each group read off a table in rank order (engine.in_rank_order), in one
    pass of cumulative sums instead of a window per count: the same numbers as base_count and
    the `better`/`upto` windows, several times faster on a large table."""

    def __init__(self, rank: pl.Expr):
        self.row = pl.int_range(pl.len(), dtype=pl.Int64)
        self.first = ranking.group_starts()  # the first and last rows of each group …
        self.last = self.first.shift(-1).fill_null(True)
        self.tie_first = (self.first | rank.ne_missing(rank.shift(1))).fill_null(True)  # … and of each rank
        self.tie_last = self.tie_first.shift(-1).fill_null(True)

    def total(self, x: pl.Expr) -> pl.Expr:
        """Each group's count of rows where x."""
        n = x.cast(pl.Int64)
        cum = n.cum_sum()
        return pl.when(self.last).then(cum).backward_fill() - pl.when(self.first).then(cum - n).forward_fill()

    def size(self) -> pl.Expr:
        """Each group's number of rows."""
        return (pl.when(self.last).then(self.row).backward_fill()
                - pl.when(self.first).then(self.row).forward_fill() + 1)

    def above_and_upto(self, x: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
        """For each row, how many rows of its group where x rank above it, and up to its rank."""
        n = x.cast(pl.Int64)
        cum = n.cum_sum()
        start = pl.when(self.first).then(cum - n).forward_fill()
        above = pl.when(self.tie_first).then(cum - n).forward_fill() - start
        upto = pl.when(self.tie_last).then(cum).backward_fill() - start
        return above, upto


def quota_expr(award: m.Award, base: pl.Expr) -> pl.Expr:
    q = award.quota
    if q.count is not None:
        places = lit(q.count)
    else:
        assert q.percent is not None
        places = round_quota(divide(base * q.percent, 100.0), q.rounding)
    return pl.max_horizontal(places, lit(q.min)).cast(pl.Int64)


def stages(c: m.Criteria) -> list[list[pl.Expr]]:
    out: list[list[pl.Expr]] = []
    for award in c.awards:
        code, scope_name = award.code, c.award_scope(award)
        scope = ["group"] if scope_name == "group" else []
        rank = pl.col("rank" if scope_name == "group" else "rank_overall")
        eligible = pl.all_horizontal([cond for _, cond in conditions(c, award)])
        out.append([eligible.alias(col("eligible", code))])
        e = pl.col(col("eligible", code))
        if scope:  # the table is in rank order inside each group: count along it
            runs = _Runs(rank)
            base = runs.size() if award.quota.of == "units" else runs.total(_counted(award, e))
            above, upto = runs.above_and_upto(e)
        else:
            base = base_count(c, award, e, scope)
            above, upto = rank.rank("min").over(e) - 1, rank.rank("max").over(e)
        out.append([
            base.cast(pl.Int64).alias(col("base", code)),
            quota_expr(award, base).alias(col("quota", code)),
            # among the eligible units of the scope: how many rank above, and up to, this one
            pl.when(e).then(above).cast(pl.Int64).alias(col("better", code)),
            pl.when(e).then(upto).cast(pl.Int64).alias(col("upto", code)),
        ])
        quota, better, upto = (pl.col(col(k, code)) for k in ("quota", "better", "upto"))
        inside = e & (upto <= quota)
        tied = e & (better < quota) & (upto > quota)
        on = inside | tied if award.on_tie_at_quota == "include" else inside
        flag = tied if award.on_tie_at_quota == "flag" else pl.lit(False)
        out.append([on.fill_null(False).alias(col("on", code)), flag.fill_null(False).alias(col("flag", code))])
    names = [pl.when(pl.col(col("on", a.code))).then(pl.lit(a.code)) for a in c.awards]
    flagged = [pl.when(pl.col(col("flag", a.code))).then(pl.lit(a.code)) for a in c.awards]
    join = lambda parts: pl.concat_str(parts, separator=";", ignore_nulls=True) if parts else pl.lit("")  # noqa: E731
    out.append([join(names).alias("awards"), join(flagged).alias("flagged")])
    return out
