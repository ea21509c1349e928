from __future__ import annotations

from typing import Any

import click

from thidua.commands.common import choose_format, meta, output_options, render, reports_errors
from thidua.commands.history import earlier, history_option
from thidua.commands.membership import members_of, members_option
from thidua.commands.staged import stage_options
from thidua.i18n import _
from thidua.output.formats import AUDIT

TOP = 1_000_000  # the most rows --top may ask for (polars refuses a count beyond 64 bits)


@click.command()
@click.argument("criteria", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False), required=False)
@click.option("--self", "self_data", type=click.Path(dir_okay=False), default=None,
              help="The units' own scores (tự chấm), compared with DATA (the verified scores).")
@stage_options("verified", "approved", sheets=("self",))
@click.option("--top", type=click.IntRange(1, TOP), default=20, show_default=True,
              help=f"How many of the largest upward self-scorings to list (at most {TOP:,}).")
@click.option("--section", default=None,
              help="Only this table: criteria, warnings; with DATA realised, correlations, "
                   "consistency, redundant; with --self self, "
                   "self_criteria, self_gains. csv and parquet hold one table (default: the "
                   "first).")
@history_option
@members_option
@output_options(AUDIT)
@reports_errors
def audit(criteria: str, data: str | None, self_data: str | None, top: int, section: str | None,
          fmt: str | None, output: str | None, decimal_comma: bool, sheet: str | None,
          history: str | None, members: str | None, **stages: Any) -> None:
    """Do the weights do what they claim? Each criterion's nominal share of the total and
    structural warnings; with DATA, each criterion's realised share, how many units it sets apart
    and how many ranks move without it, per group; with --self, self-scores against DATA.

    \b
    Example:
      thidua audit criteria.yaml
      thidua audit criteria.yaml tham-dinh.csv --self tu-cham.csv -o kiem-tra.xlsx
      thidua audit criteria.yaml --self tu-cham.csv --verified tham-dinh.csv
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
    if stages.get("verified_data") or stages.get("approved_data"):
        # review stages: DATA is their merge, --self the first
        return _staged(criteria, data, {"self_data": self_data, **stages}, top, section, fmt,
                       output, decimal_comma, sheet, history, members)
    if stages.get("self_sheet") and not self_data:
        raise click.UsageError(_("--self-sheet names a sheet of --self: give --self too"))
    if self_data and not data:
        raise click.UsageError(_("--self compares with DATA: give the verified scores too"))
    diagnosed = ["correlations", "consistency", "redundant"] if data else []
    check_section(section, [*(["realised", *diagnosed] if data else []), "criteria", "warnings",
                            *(["self", "self_criteria", "self_gains"] if self_data else [])])
    files: dict[str, Any]
    if data is None:
        c = load_criteria(criteria)
        if history is not None:
            raise click.UsageError(_("--history is read with DATA: give the data file too"))
        result = core.Audit(core.structure(c))
        files = {"criteria": {"sha256": sha256_file(criteria)}}
    else:
        c, frame = read_inputs(criteria, data, decimal_comma=decimal_comma, sheet=sheet)
        past = earlier(c, criteria, history, frame, decimal_comma)
        held = members_of(c, members, frame, criteria)
        height = frame.height
        # the frame read is handed to the engine out of a list, as `score` does: the engine's is
        # its only reference, so its memory is free once the points are computed
        read = [frame]
        del frame
        verified = run(c, read.pop(), data, earlier=past, members_data=held)
        basis = basis_of(c, verified, data)
        checked, files = None, meta(criteria, data, height)
        if self_data:
            own = read_data(self_data, columns_for(c), decimal_comma=decimal_comma,
                            sheet=stages.get("self_sheet") or sheet)
            checked = core.self_check(basis, verified,
                                      run(c, own, self_data, earlier=past, members_data=held), self_data)
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


def _staged(criteria: str, data: str | None, stages: dict[str, Any], top: int,
            section: str | None, fmt: str, output: str | None, decimal_comma: bool,
            sheet: str | None, history: str | None, members: str | None) -> None:
    """`audit CRITERIA --self S --verified V [--approved A]`: the stages merged are the scored
    data (thidua/core/stages.py), compared with the self-scores as DATA is."""
    from thidua.commands import staged
    from thidua.core import audit as core
    from thidua.core.engine import score as run
    from thidua.core.sensitivity import basis_of
    from thidua.input import columns_for
    from thidua.input.data import read_data
    from thidua.output import render_audit as ra

    self_data = stages.get("self_data")
    files = {s: stages.get(f"{s}_data") for s in ("self", "verified", "approved")}
    check_section(section, ["realised", "criteria", "warnings",
                            *(["self", "self_criteria", "self_gains"] if self_data else [])])
    c, frame, source, _record = staged.read(criteria, data, stages, decimal_comma=decimal_comma,
                                            sheet=sheet)
    past = earlier(c, criteria, history, frame, decimal_comma)
    held = members_of(c, members, frame, criteria)
    # the frame read is handed to the engine out of a list, as `score` does
    read = [frame]
    del frame
    merged = run(c, read.pop(), source, earlier=past, members_data=held)
    basis = basis_of(c, merged, source)
    from thidua.input.data import sha256_file
    from thidua.input.stages import given

    # the scored data is the stages' merge: each stage file by its hash, no one "data" file
    files_meta: dict[str, Any] = {"criteria": {"sha256": sha256_file(criteria)}, "stages": [
        {"stage": stage, "sha256": sha256_file(path)} for stage, path in given(files)]}
    checked = None
    if self_data:
        own = read_data(self_data, columns_for(c), decimal_comma=decimal_comma,
                        sheet=stages.get("self_sheet") or sheet)
        checked = core.self_check(basis, merged,
                                  run(c, own, self_data, earlier=past, members_data=held), self_data)
        files_meta["self"] = {**meta(criteria, self_data, own.height)["data"]}
    result = core.Audit(core.structure(c), core.realised(basis, merged), checked)
    report = ra.headed(ra.audit_report(result, c, top), c, files_meta)
    render(AUDIT, fmt, report, output, section=chosen(report, section))
