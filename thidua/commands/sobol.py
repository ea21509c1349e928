"""`thidua sensitivity CRITERIA DATA --sobol`: Sobol indices of the decisions over the weights
(thidua/core/sensitivity/sobol.py), instead of the Monte Carlo draws.

Its options are checked together and every problem is reported at once (exit 1): the numbers
and the form of each --group before anything is read, the criteria each group names once the
criteria file is read, and the memory the scenarios need once the data are read.
"""

from __future__ import annotations

import re
from typing import Any

from thidua.errors import Problem, UsageError
from thidua.i18n import _, thousands

SAMPLES = 1024  # base samples N: a power of 2 keeps the Sobol sequence balanced
BOOTSTRAP = 100  # resamples for the 5–95 % intervals (as SALib's default)
NAME = re.compile(r"[^\s=,]+")


def parse_groups(values: tuple[str, ...]) -> tuple[list[tuple[str, list[str]]], list[Problem]]:
    """--group NAME=CODE[,CODE…] → (name, codes), with a problem for each malformed one."""
    out, problems = [], []
    for value in values:
        name, sep, codes = value.partition("=")
        name = name.strip()
        listed = [c.strip() for c in codes.split(",")] if sep else []
        if not sep or not NAME.fullmatch(name) or not listed or "" in listed:
            problems.append(Problem("", f"--group {value}: " + _(
                "write NAME=CODE,CODE… (a name without spaces, '=' or ',', then the codes of "
                "main criteria, comma-separated)")))
            continue
        out.append((name, listed))
    return out, problems


def check_options(sobol: bool, samples: int | None, bootstrap: int | None,
                  groups: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    """The groups asked for; a UsageError naming every problem of the Sobol options. (--draws
    and --margins are not used with --sobol, and not refused: `thidua verify` reruns a command
    with every option its manifest records, defaults included.)"""
    problems: list[Problem] = []
    if not sobol:
        for flag, given in (("--samples", samples is not None), ("--bootstrap", bootstrap is not None),
                            ("--group", bool(groups))):
            if given:
                problems.append(Problem("", f"{flag}: " + _("is used only with --sobol")))
        if problems:
            raise UsageError("sensitivity", problems)
        return []
    if samples is not None and samples < 2:
        problems.append(Problem("", f"--samples {samples}: " + _("give 2 base samples or more")))
    if bootstrap is not None and bootstrap < 1:
        problems.append(Problem("", f"--bootstrap {bootstrap}: " + _("give 1 resample or more")))
    asked, malformed = parse_groups(groups)
    problems += malformed
    if problems:
        raise UsageError("sensitivity", problems)
    return asked


def bytes_needed(samples: int, targets: int, units: int) -> int:
    """About how many bytes the analysis holds at its peak: f(A) and f(B) (samples × targets,
    8 bytes each), one block of f(AB) and its squared differences (three more), the resample
    counts, and two batches of scenarios being decided (sensitivity.montecarlo.BATCH_ARRAYS
    arrays of 8 bytes per scenario and unit)."""
    from thidua.core.sensitivity.basis import CHUNK
    from thidua.core.sensitivity.montecarlo import BATCH_ARRAYS

    step = max(1, 2 * CHUNK // max(units, 1))
    return 5 * samples * targets * 8 + 2 * step * units * 8 * BATCH_ARRAYS


def fits(samples: int, need: int, have: int | None) -> None:
    if have is None or need <= have:
        return
    raise UsageError(f"--samples {samples}", [Problem("", _(
        "{samples} base samples would need about {need} bytes of memory; {have} bytes are "
        "available. Give fewer base samples.", samples=thousands(samples),
        need=thousands(need), have=thousands(have)))])


def run_sobol(criteria: str, data: str | None, asked: list[tuple[str, list[str]]],
              samples: int | None, bootstrap: int | None, spread: float, seed: int,
              section: str | None, fmt: str, output: str | None, decimal_comma: bool,
              sheet: str | None, progress: Any, available: Any, *, history: str | None = None,
              members: str | None = None, stages: dict[str, Any] | None = None) -> None:
    """Load, analyse, render: the Sobol analysis of one criteria file on one data file."""
    from thidua.commands import staged
    from thidua.commands.audit import check_section, chosen
    from thidua.commands.common import meta, render
    from thidua.commands.history import earlier
    from thidua.commands.membership import members_of
    from thidua.core.engine import score as run
    from thidua.core.sensitivity import basis_of
    from thidua.core.sensitivity import sobol as core
    from thidua.core.sensitivity.reweight import tree_of
    from thidua.input import load_criteria
    from thidua.output import render_audit as ra
    from thidua.output.formats import SENSITIVITY
    from thidua.output.render_sobol import sobol_report

    n, b = SAMPLES if samples is None else samples, BOOTSTRAP if bootstrap is None else bootstrap
    check_section(section, ["sobol", "sobol_criteria"])
    c = load_criteria(criteria)
    core.groups_of(tree_of(c), asked)  # the groups are checked before the data are read
    c, frame, data, _record = staged.read(criteria, data, stages or {}, decimal_comma=decimal_comma,
                                          sheet=sheet)
    basis = basis_of(c, run(c, frame, data, earlier=earlier(c, criteria, history, frame, decimal_comma),
                            members_data=members_of(c, members, frame, criteria)), data)
    groups = core.groups_of(basis.tree, asked)
    targets = 1 + basis.facts.n * (1 + len(basis.rules.awards))
    fits(n, bytes_needed(n, targets, basis.facts.n), available())
    with progress(n * (len(groups) + 2), _("Sobol scenarios")) as step:
        result = core.sobol(basis, groups, n, b, spread, seed, step)
    report = ra.headed(sobol_report(result, c), c, meta(criteria, data, frame.height))
    render(SENSITIVITY, fmt, report, output, section=chosen(report, section))
