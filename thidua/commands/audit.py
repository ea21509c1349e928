from __future__ import annotations

from typing import Any

import click

from thidua.commands.common import choose_format, meta, output_options, render, reports_errors
from thidua.i18n import _
from thidua.output.formats import AUDIT

TOP = 1_000_000  # the most rows --top may ask for (polars refuses a count beyond 64 bits)


@click.command()
@click.argument("criteria", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False), required=False)
@click.option("--self", "self_data", type=click.Path(dir_okay=False), default=None,
              help="The units' own scores (tự chấm), compared with DATA (the verified scores).")
@click.option("--top", type=click.IntRange(1, TOP), default=20, show_default=True,
              help=f"How many of the largest upward self-scorings to list (at most {TOP:,}).")
@click.option("--section", default=None,
              help="Only this table: criteria, warnings; with DATA realised, correlations, "
                   "consistency, redundant; with --self self, "
                   "self_criteria, self_gains. csv and parquet hold one table (default: the "
                   "first).")
@output_options(AUDIT)
@reports_errors
def audit(criteria: str, data: str | None, self_data: str | None, top: int, section: str | None,
          fmt: str | None, output: str | None, decimal_comma: bool, sheet: str | None) -> None:
    """Do the weights do what they claim? Each criterion's nominal share of the total and
    structural warnings; with DATA, each criterion's realised share, how many units it sets apart
    and how many ranks move without it, per group; with --self, self-scores against DATA.

    \b
    Example:
      thidua audit criteria.yaml
      thidua audit criteria.yaml tham-dinh.csv --self tu-cham.csv -o kiem-tra.xlsx
    """
    from thidua.core import audit as core
    from thidua.core.diagnostics import diagnostics
    from thidua.core.engine import score as run
    from thidua.core.sensitivity import basis_of
    from thidua.input import columns_for, read_inputs
    from thidua.input.data import read_data, sha256_file
    from thidua.input.load import load_criteria
    from thidua.output import render_audit as ra

    fmt = choose_format(AUDIT, fmt, output)
    if self_data and not data:
        raise click.UsageError(_("--self compares with DATA: give the verified scores too"))
    diagnosed = ["correlations", "consistency", "redundant"] if data else []
    check_section(section, [*(["realised", *diagnosed] if data else []), "criteria", "warnings",
                            *(["self", "self_criteria", "self_gains"] if self_data else [])])
    files: dict[str, Any]
    if data is None:
        c = load_criteria(criteria)
        result = core.Audit(core.structure(c))
        files = {"criteria": {"sha256": sha256_file(criteria)}}
    else:
        c, frame = read_inputs(criteria, data, decimal_comma=decimal_comma, sheet=sheet)
        verified = run(c, frame, data)
        basis = basis_of(c, verified, data)
        checked, files = None, meta(criteria, data, frame.height)
        if self_data:
            own = read_data(self_data, columns_for(c), decimal_comma=decimal_comma, sheet=sheet)
            checked = core.self_check(basis, verified, run(c, own, self_data), self_data)
            files["self"] = {**meta(criteria, self_data, own.height)["data"]}
        result = core.Audit(core.structure(c), core.realised(basis, verified), checked,
                            diagnostics=diagnostics(c, verified.units))
    report = ra.headed(ra.audit_report(result, c, top), c, files)
    render(AUDIT, fmt, report, output, section=chosen(report, section))


def chosen(report: Any, section: str | None) -> str | None:
    """The --section asked for, checked against the report's tables."""
    check_section(section, [s.key for s in report.sections])
    return section


def check_section(section: str | None, names: list[str]) -> None:
    """A usage error unless --section names one of the tables `names` (checked before the
    work, against the tables the options ask for, and again against the report made)."""
    if section is not None and section not in names:
        raise click.UsageError(_("--section: no table {section} here; choose from {names}",
                                 section=repr(section), names=", ".join(names)))
