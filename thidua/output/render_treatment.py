"""The cells a file's `treatment:` changed (thidua/core/treatment.py), in every format of score
and in explain: for people a table in Vietnamese (unit, indicator, from, to, why), for machines
the changes with English keys (JSON) or three columns per treated indicator (CSV, Parquet)."""

from __future__ import annotations

from typing import Any

import polars as pl

from thidua import model as m
from thidua.i18n import _

COLUMNS = ("from", "to", "how")  # treatment.<indicator>.<what> in CSV and Parquet


def _n(x: float | None) -> str:
    from thidua.output.render import vn_number

    return vn_number(x, None) if x is not None else _("(missing)")


def _rule(c: m.Criteria, indicator: str, kind: type) -> Any:
    t = c.treatment
    assert t is not None
    found = t.impute if kind is m.Impute else t.winsorise
    return next(r for r in found if r.indicator == indicator)


def why(c: m.Criteria, change: dict[str, Any]) -> str:
    """What changed the cell and how, in words."""
    kind, ind = change["treatment"], change["indicator"]
    if kind.startswith("impute_"):
        r = _rule(c, ind, m.Impute)
        scope = (_("the units of {group}", group=change["group"])
                 if r.scope == "group" and change["group"] is not None else _("every unit"))
        what = _("the mean") if r.by == "mean" else _("the median")
        return _("missing: {what} of {scope} that have a value", what=what, scope=scope)
    w = _rule(c, ind, m.Winsorise)
    scope = (_("of {group}", group=change["group"]) if w.scope == "group" and change["group"] is not None
             else _("of every unit"))
    if kind == "winsorise_quantiles":
        if change["to"] < change["from"]:
            return _("above the {q} quantile {scope}: set to it", q=_n(w.high), scope=scope)
        return _("below the {q} quantile {scope}: set to it", q=_n(w.low), scope=scope)
    side = _("the highest value") if change["to"] < change["from"] else _("the lowest value")
    return _("COINr's skew/kurtosis rule, step {step}: |skew| at least {skew} and kurtosis at "
             "least {kurtosis} {scope}; {side} set to the next one", step=change["step"],
             skew=_n(w.skew), kurtosis=_n(w.kurtosis), scope=scope, side=side)


def heading(c: m.Criteria, changes: pl.DataFrame) -> str:
    return _("Data treatment (treatment): {count} cells changed before scoring", count=changes.height)


def head() -> list[str]:
    return [_("Code"), _("Unit"), _("Cluster, block"), _("Indicator"), _("From"), _("To"), _("Why")]


def rows(c: m.Criteria, changes: pl.DataFrame) -> list[list[Any]]:
    return [[ch["id"], ch["name"], ch["group"] or "", c.columns.get(ch["indicator"], ch["indicator"]),
             _n(ch["from"]), _n(ch["to"]), why(c, ch)] for ch in changes.to_dicts()]


def lines(c: m.Criteria, changes: pl.DataFrame, table) -> list[str]:
    """The heading and the table (`table(head, rows)`), or nothing without `treatment:`."""
    if c.treatment is None:
        return []
    if not changes.height:
        return ["", _("Data treatment (treatment): no cell changed")]
    return ["", heading(c, changes), table(head(), rows(c, changes))]


def to_json(c: m.Criteria, changes: pl.DataFrame) -> dict[str, Any]:
    """What the file declared and every cell changed (English keys)."""
    assert c.treatment is not None
    return {"declared": c.treatment.model_dump(mode="json", exclude_none=True),
            "changes": [{**ch, "why": why(c, ch)} for ch in changes.to_dicts()]}


def columns(c: m.Criteria, units: pl.DataFrame, changes: pl.DataFrame) -> pl.DataFrame:
    """For CSV and Parquet, beside the unit table (same rows, same order): for every treated
    indicator, treatment.<indicator>.from, .to and .how (impute_mean, impute_median,
    winsorise_quantiles, winsorise_skew_kurtosis), empty where the cell was not changed."""
    from thidua.core.treatment import treated_columns

    assert c.treatment is not None
    out = units.select("id")
    for ind in treated_columns(c.treatment):
        mine = changes.filter(pl.col("indicator") == ind)
        part = mine.select("id", pl.col("from").alias(f"treatment.{ind}.from"),
                           pl.col("to").alias(f"treatment.{ind}.to"),
                           pl.col("treatment").alias(f"treatment.{ind}.how"))
        out = out.join(part, on="id", how="left", maintain_order="left")
    return out.drop("id")
