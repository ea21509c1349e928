"""`thidua sensitivity CRITERIA DATA`: the Monte Carlo over the weights and the stability margins.

Each option's range is click's to check (a value out of range is a usage error, exit 2, as for
every command); what depends on the data, the memory the draws need for these units, is checked
once the data are read: a run that cannot fit in the memory available now is bad input (exit 1),
refused before anything is allocated, with the number of bytes it would need.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import click

from thidua.commands.audit import check_section, chosen
from thidua.commands.common import choose_format, meta, output_options, render, reports_errors
from thidua.commands.history import earlier, history_option
from thidua.commands.membership import members_of, members_option
from thidua.commands.staged import stage_options
from thidua.i18n import _, thousands
from thidua.output.formats import SENSITIVITY


class FiniteRange(click.FloatRange):
    """click's FloatRange, which lets nan through (nan compares false with both bounds): nan is
    out of every range."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if math.isnan(number):
            self.fail(_("{value} is not in the range {range}.", value=number,
                        range=self._describe_range()), param, ctx)
        return number


@click.command()
@click.argument("criteria", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False), required=False, metavar="DATA")
@stage_options()
@click.option("--draws", type=click.IntRange(min=1), default=1000, show_default=True,
              help="How many random weightings (as many as fit in the memory available).")
@click.option("--spread", type=FiniteRange(0, 1, max_open=True), default=0.2,
              show_default=True,
              help="Each criterion's max points (or weight) drawn within ±spread of its value.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="The random seed (0 or more): the same seed gives the same result.")
@click.option("--margins/--no-margins", "with_margins", default=True, show_default=True,
              help="Also search, for each award list and each group's first two places, the "
                   "smallest change of one criterion that changes them.")
@click.option("--section", default=None,
              help="Only this table: units, lists, margins (with --sobol: sobol, "
                   "sobol_criteria). csv and parquet hold one table (default: the first).")
@click.option("--sobol", is_flag=True, default=False,
              help="Sobol indices (first-order and total, with bootstrap intervals) of each "
                   "unit's rank, each award list's membership and the mean rank shift over the "
                   "weights, instead of the Monte Carlo draws.")
@click.option("--samples", type=int, default=None,
              help="With --sobol: base samples N (2 or more; default 1024); N × (groups + 2) "
                   "scenarios are decided.")
@click.option("--group", "groups", multiple=True, metavar="NAME=CODE,CODE…",
              help="With --sobol: one input whose weights move together (repeat for more); "
                   "default: each top-level main criterion, named by its code.")
@click.option("--bootstrap", type=int, default=None,
              help="With --sobol: resamples for the 5–95 % intervals (1 or more; default 100).")
@history_option
@members_option
@output_options(SENSITIVITY)
@reports_errors
def sensitivity(criteria: str, data: str | None, draws: int, spread: float,
                seed: int, with_margins: bool, section: str | None, sobol: bool,
                samples: int | None, groups: tuple[str, ...], bootstrap: int | None,
                fmt: str | None, output: str | None, decimal_comma: bool, sheet: str | None,
                history: str | None, members: str | None, **stages: Any) -> None:
    """How much do the ranks and award lists depend on the exact weights? Re-scores every unit
    under DRAWS random weightings (each criterion within ±SPREAD, the total unchanged) and gives
    each unit's median and 5–95 % rank and its chance of each award and class, and how often each
    award list stays as it is; then the smallest change of one criterion that changes each list.

    \b
    Example:
      thidua sensitivity criteria.yaml data.csv --draws 2000 --spread 0.1
      thidua sensitivity criteria.yaml data.csv --section margins --format csv
      thidua sensitivity criteria.yaml data.csv --sobol --group A=A.1,A.2 --group B=B -o s.json
    """
    from thidua.commands import sobol as sb
    from thidua.commands import staged

    asked = sb.check_options(sobol, samples, bootstrap, groups)
    if sobol:
        sb.run_sobol(criteria, data, asked, samples, bootstrap, spread, seed, section,
                     choose_format(SENSITIVITY, fmt, output), output, decimal_comma, sheet,
                     progress, available_memory, history=history, members=members, stages=stages)
        return
    from thidua.core import sensitivity as core
    from thidua.core.engine import score as run
    from thidua.core.sensitivity.montecarlo import bytes_needed
    from thidua.output import render_audit as ra

    fmt = choose_format(SENSITIVITY, fmt, output)
    check_section(section, ["units", "lists", *(["margins"] if with_margins else [])])
    c, frame, data, record = staged.read(criteria, data, stages,
                                          decimal_comma=decimal_comma, sheet=sheet)
    past = earlier(c, criteria, history, frame, decimal_comma)
    held = members_of(c, members, frame, criteria)
    height = frame.height
    # the frame read is handed to the engine out of a list, as `score` does: the engine's is its
    # only reference, so its memory is free once the points are computed
    read = [frame]
    del frame
    basis = core.basis_of(c, run(c, read.pop(), data, earlier=past, members_data=held), data)
    fits(draws, bytes_needed(basis, draws), basis.facts.n)
    with progress(draws, _("Random draws")) as step:
        result = core.simulate(basis, draws, spread, seed, step)
    found = None
    if with_margins:
        with progress(core.grid_rows(basis), _("Stability margins")) as step:
            found = core.margins(basis, step)
    files = meta(criteria, data, height)
    if record is not None:  # review stages: "data" is the first stage; every stage by its hash
        from thidua.input.data import sha256_file

        files["stages"] = [{"stage": stage, "sha256": sha256_file(path)}
                           for stage, path in record.stages]
    report = ra.headed(ra.sensitivity_report(result, found, c), c, files)
    render(SENSITIVITY, fmt, report, output, section=chosen(report, section))


@contextmanager
def progress(length: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on standard error, only when it is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar.update


def fits(draws: int, need: int, units: int) -> None:
    """UsageError when `draws` draws over `units` units need more memory than is available."""
    from thidua.errors import Problem, UsageError

    have = available_memory()
    if have is None or need <= have:
        return
    most = max(0, draws * have // need)
    raise UsageError(f"--draws {draws}", [Problem("", _(
        "{draws} draws over {units} units would need about {need} bytes of memory; {have} "
        "bytes are available. Give fewer draws (about {most} would fit).",
        draws=thousands(draws), units=thousands(units), need=thousands(need),
        have=thousands(have), most=thousands(most)))])


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation now: MemAvailable of /proc/meminfo (Linux),
    else the free physical pages (os.sysconf); no more than the room left under the memory limit
    of the process's control group, when it has one. None when the system says nothing."""
    have = None
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            have = next((int(line.split()[1]) * 1024 for line in f
                         if line.startswith("MemAvailable:")), None)
    except (OSError, ValueError, IndexError):
        pass
    if have is None:
        with suppress(AttributeError, OSError, ValueError):
            have = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    room = cgroup_room(Path("/sys/fs/cgroup"))
    return room if have is None else have if room is None else min(have, room)


def cgroup_room(root: Path) -> int | None:
    """The limit of the control group's memory less what it uses (cgroup v2: memory.max and
    memory.current; v1: memory/memory.limit_in_bytes and memory.usage_in_bytes); None when
    there is no limit or no such files."""
    for limit, used in ((root / "memory.max", root / "memory.current"),
                        (root / "memory" / "memory.limit_in_bytes",
                         root / "memory" / "memory.usage_in_bytes")):
        try:
            top, now = limit.read_text().strip(), int(used.read_text().strip())
        except (OSError, ValueError):
            continue
        if top == "max" or not top.isdigit() or int(top) >= 1 << 62:  # no limit
            return None
        return max(0, int(top) - now)
    return None
