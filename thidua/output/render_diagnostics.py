"""The structure diagnostics of an audit (thidua/core/diagnostics.py) as sections of the audit
report (render_audit.py): English keys for csv, json and parquet, words for people in the
language of the run."""

from __future__ import annotations

from typing import Any

import polars as pl

from thidua.core.diagnostics import Diagnostics
from thidua.i18n import _

Rows = tuple[list[str], list[list[Any]]]


def _r(x: float | None) -> str:
    from thidua.output.render_audit import num

    return num(x, 3)


def _correlations(frame: pl.DataFrame) -> Rows:
    head = [_("Code"), _("Criterion"), _("Parent"), _("Units"), _("r with parent"),
            _("r with total"), _("Note")]
    rows = []
    for r in frame.to_dicts():
        notes = [_("the same for every unit: no correlation")] if r["constant"] else []
        if r["negative"]:
            notes.append(_("pulls against its parent (r < 0)") if r["parent"] is not None
                         else _("pulls against the total (r < 0)"))
        rows.append([r["code"], r["name"], r["parent"] or _("(total)"), r["units"],
                     _r(r["corr_parent"]), _r(r["corr_total"]), "; ".join(notes)])
    return head, rows


def set_name(code: str, name: str | None) -> str:
    words = {"total": _("main criteria (top level)"), "bonus": _("bonus criteria"),
             "penalty": _("penalty criteria")}
    return f"{code} {name}" if name else words.get(code, code)


def _consistency(frame: pl.DataFrame) -> Rows:
    from thidua.output.render_audit import pct

    head = [_("Group of criteria"), _("Criteria that vary"), _("Same for every unit"),
            _("Units"), _("Cronbach's α"), _("1st component"), _("2nd component"),
            _("3rd component")]
    rows = [[set_name(r["of"], r["name"]), r["items"], r["constant"], r["units"], _r(r["alpha"]),
             pct(r["pc1"]), pct(r["pc2"]), pct(r["pc3"])] for r in frame.to_dicts()]
    return head, rows


def _redundant(frame: pl.DataFrame) -> Rows:
    head = [_("First criterion"), _("Second criterion"), _("Units"), _("r")]
    rows = [[f"{r['a']} {r['name_a']}", f"{r['b']} {r['name_b']}", r["units"], _r(r["corr"])]
            for r in frame.to_dicts()]
    return head, rows


def sections(d: Diagnostics) -> list[Any]:
    from thidua.output.render_audit import Section

    return [
        Section("correlations", _("Correlation of each criterion with its parent and the total"),
                d.correlations, _correlations, by_group=True, sheet=_("Correlations")),
        Section("consistency", _("Consistency of each group of criteria: Cronbach's α and "
                                 "principal components"), d.consistency, _consistency,
                by_group=True, sheet=_("Consistency")),
        Section("redundant", _("Redundant pairs of criteria (|r| > 0.9)"), d.redundant,
                _redundant, by_group=True, sheet=_("Redundant")),
    ]


def lines() -> list[str]:
    return [
        _("Correlation: Pearson's r over the units that have both values; a top-level "
          "criterion's parent is the total; none (—) with fewer than 2 units or a side that is "
          "the same for every unit."),
        _("Cronbach's α = k / (k − 1) × (1 − Σ var(criterion) / var(Σ criteria)) on the points "
          "as scored, over the units with every value, leaving out the criteria that are the "
          "same for every unit; components: the share of the variance of the standardised "
          "criteria carried by each of the first three principal components (numpy)."),
        _("Redundant: two criteria of one group (siblings) with |r| above 0.9; against its "
          "parent: r below 0 (a top-level penalty criterion is not flagged). Flags are decided "
          "on r to 6 decimals."),
    ]


SETTINGS = {"redundant": 0.9, "components": 3, "decided_on": "r to 6 decimals"}
