"""What an award's rules compile to before the decisions: the columns its working is kept in,
its `when` condition (read from the indicators while they are at hand) and its quota for every
base (rounded as the file says). Eligibility, quotas and shortlists under the tie policy at the
quota line are decided in decisions.py.
"""

from __future__ import annotations

import polars as pl

from thidua import model as m
from thidua.core.rounding import divide, round_quota
from thidua.core.rules import lit
from thidua.core.scoring import condition

# per-award columns kept in the unit table (the reasons are built from them): eligible, the
# quota's base and the quota, how many eligible units of the scope rank above and up to the unit,
# on the list, flagged for the council's vote, tied across the quota line, and the eligibility
# conditions it failed (a list of their names, core/schema.py)
COLUMNS = ("eligible", "base", "quota", "better", "upto", "on", "flag", "tied", "failed")


def col(what: str, code: str) -> str:
    return f"award.{code}.{what}"


def fixed_conditions(c: m.Criteria) -> list[pl.Expr]:
    """The `when` conditions, computed while the indicators are at hand (before ordering)."""
    return [condition(a.eligible.when, c.missing).alias(col("when", a.code))
            for a in c.awards if a.eligible.when is not None]


def quota_expr(award: m.Award, base: pl.Expr) -> pl.Expr:
    """The quota for a base of `base` units: the count, or percent of the base rounded as the
    award says, and at least its min."""
    q = award.quota
    if q.count is not None:
        places = lit(q.count)
    else:
        assert q.percent is not None
        places = round_quota(divide(base * q.percent, 100.0), q.rounding)
    return pl.max_horizontal(places, lit(q.min)).cast(pl.Int64)
