"""The Sobol analysis (`thidua sensitivity … --sobol`) as a report of two sections, written in
every format by render_audit's writers: `sobol` (an index per target and input) and
`sobol_criteria` (per input: its nominal weight beside its indices, and the flag)."""

from __future__ import annotations

from typing import Any

import polars as pl

from thidua import model as m
from thidua.core.sensitivity.sobol import DUMMY, FLAGS, RANK_SHIFT, Sobol
from thidua.i18n import N_, _
from thidua.output.render import vn_number
from thidua.output.render_audit import Report, Rows, Section, ids, num, pct

FLAG_VI = {FLAGS[0]: N_("a large weight but little influence on the lists"),
           FLAGS[1]: N_("a small weight but a large influence on the lists")}


def target_vi(target: str) -> str:
    """rank_shift → 'Dịch chuyển hạng bình quân'; rank:X → 'Hạng: X'; award:A:X → 'A: X'."""
    if target == RANK_SHIFT:
        return _("Mean rank shift")
    kind, rest = target.split(":", 1)
    if kind == "rank":
        return _("Rank: {unit}", unit=rest)
    code, unit = rest.split(":", 1)
    return _("List {code}: {unit}", code=code, unit=unit)


def criterion_vi(name: str) -> str:
    return _("(dummy: the noise level)") if name == DUMMY else name


def _between(low: float | None, high: float | None) -> str:
    return f"{num(low, 3)} – {num(high, 3)}"


def _indices(weights: dict[str, float]) -> Any:
    def people(frame: pl.DataFrame) -> Rows:
        head = [_("Target"), _("Criterion"), _("Nominal weight"), "S1", "S1 5 %–95 %", "ST",
                "ST 5 %–95 %"]
        rows = [[target_vi(r["target"]), criterion_vi(r["criterion"]),
                 pct(weights.get(r["criterion"], 0.0), 2), num(r["S1"], 3),
                 _between(r["S1_low"], r["S1_high"]), num(r["ST"], 3),
                 _between(r["ST_low"], r["ST_high"])] for r in frame.to_dicts()]
        return head, rows
    return people


def _criteria(frame: pl.DataFrame) -> Rows:
    head = [_("Criterion"), _("Made of"), _("Nominal weight"), _("S1 (rank shift)"),
            _("ST (rank shift)"), _("Mean ST over the lists"), _("Share of influence"),
            _("Warning")]
    rows = [[criterion_vi(r["criterion"]), ids(r["codes"]), pct(r["nominal_weight"], 2),
             num(r["S1_rank_shift"], 3), num(r["ST_rank_shift"], 3), num(r["ST_lists"], 3),
             pct(r["influence"], 1), _(FLAG_VI[r["flag"]]) if r["flag"] in FLAG_VI else "—"] for r in frame.to_dicts()]
    return head, rows


def _lines(result: Sobol, c: m.Criteria) -> list[str]:
    spread, k = result.spread, len(result.groups)
    low, high = vn_number(1 - spread, None), vn_number(1 + spread, None)
    return [
        _("Sobol indices (Saltelli, Jansen's estimator): {samples} base samples × ({k} criteria/groups + 2) "
          "= {scenarios} scenarios; a scrambled Sobol sequence, seed: {seed}; 5 %–95 % intervals from "
          "{bootstrap} resamples (bootstrap).", samples=result.samples, k=k,
          scenarios=result.samples * (k + 2), seed=result.seed, bootstrap=result.bootstrap),
        _("Each criterion/group: its max points (under a mean: its weight) times a factor uniform in "
          "[{low}; {high}], then every main criterion rescaled so the total stays {total}; the criteria in "
          "no group keep their weights; classes, ranks and award lists worked out again as the scoring "
          "engine does.", low=low, high=high, total=vn_number(c.total, None)),
        _("S1: the share of the variance the criterion causes alone; ST: the share of the variance the "
          "criterion takes part in (interactions included). Targets: each unit's rank in its cluster, being "
          "on each award list or not, and the mean rank shift (as in COINr)."),
        _("The dummy criterion (the noise level) has no effect on the results: its ST is always 0, its S1 "
          "is the estimation error; an index below this level counts as no influence."),
        _("Left out: {constant} of {targets} targets that do not change in any scenario of A and B (no "
          "variance to analyse).", constant=result.constant, targets=result.targets),
        _("Warning: a nominal weight ≥ 1/the number of criteria with a share of influence on the lists "
          "under half the weight; or a weight < 1/the number of criteria with a share of influence over "
          "twice the weight. Share of influence: the mean ST over the list targets divided by the sum over "
          "every criterion."),
    ]


def sobol_report(result: Sobol, c: m.Criteria) -> Report:
    settings: dict[str, Any] = {
        "method": "sobol",
        "samples": result.samples, "bootstrap": result.bootstrap, "spread": result.spread,
        "seed": result.seed,
        "scenarios": result.samples * (len(result.groups) + 2),
        "sampling": "Saltelli: A and B from one scrambled Sobol sequence (scipy.stats.qmc.Sobol) "
                    "in 2(k + 1) dimensions seeded by --seed; AB_g is A with column g from B",
        "estimators": "Jansen 1999: S1 = 1 - mean((f(B) - f(AB_g))^2) / 2V, "
                      "ST = mean((f(A) - f(AB_g))^2) / 2V, V over A and B",
        "intervals": "5 % and 95 % quantiles of the bootstrap resamples of the base rows",
        "model": "each group's max points (its weight under a mean) times a factor uniform in "
                 "[1 - spread, 1 + spread], every main max then rescaled so the total is "
                 "unchanged; criteria in no group fixed; bonus, penalty, knockouts and `when` "
                 "fixed; tie-break keys nominal",
        "groups": [{"name": g.name, "codes": list(g.codes)} for g in result.groups],
        "flag": "weight_without_influence: weight >= 1/k and influence < weight / 2; "
                "influence_without_weight: weight < 1/k and influence > 2 * weight; influence: "
                "a group's mean ST over the award targets over the groups' sum",
        "targets": result.targets, "left_out": result.constant,
        "rounding": {"precision": c.precision, "round_at": c.round_at, "eps": result.eps},
    }
    weights = dict(zip(result.criteria.get_column("criterion").to_list(),
                       result.criteria.get_column("nominal_weight").to_list()))
    sections = (
        Section("sobol", _("Sobol indices of each result over the weights"), result.indices,
                _indices(weights), sheet="Sobol"),
        Section("sobol_criteria", _("Nominal weights and their real influence"), result.criteria,
                _criteria, sheet=_("Weights and influence")),
    )
    return Report(_("Sobol indices over the weights: {name} (version {version})", name=c.name,
                    version=c.version),
                  tuple(_lines(result, c)), settings, sections)
