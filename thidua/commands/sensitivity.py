from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

from .audit import chosen
from .common import choose_format, emit, meta, output_options, reports_errors


@click.command()
@click.argument("criteria", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--draws", type=click.IntRange(min=1), default=1000, show_default=True,
              help="How many random weightings.")
@click.option("--spread", type=click.FloatRange(0, 1, max_open=True), default=0.2,
              show_default=True,
              help="Each criterion's max points (or weight) drawn within ±spread of its value.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="The random seed: the same seed gives the same result.")
@click.option("--margins/--no-margins", "with_margins", default=True, show_default=True,
              help="Also search, for each award list and each group's first two places, the "
                   "smallest change of one criterion that changes them.")
@click.option("--section", default=None,
              help="Only this table: units, lists, margins. csv and parquet hold one table "
                   "(default: units).")
@output_options
@reports_errors
def sensitivity(criteria: str, data: str, draws: int, spread: float, seed: int, with_margins: bool,
                section: str | None, fmt: str | None, output: str | None, decimal_comma: bool,
                sheet: str | None) -> None:
    """How much do the ranks and award lists depend on the exact weights? Re-scores every unit
    under DRAWS random weightings (each criterion within ±SPREAD, the total unchanged) and gives
    each unit's median and 5–95 % rank and its chance of each award and class, and how often each
    award list stays as it is; then the smallest change of one criterion that changes each list.

    \b
    Example:
      thidua sensitivity criteria.yaml data.csv --draws 2000 --spread 0.1
      thidua sensitivity criteria.yaml data.csv --section margins --format csv
    """
    from .. import render_audit as ra
    from .. import sensitivity as core
    from ..engine import score as run
    from ..inputs import load

    fmt = choose_format(fmt, output)
    c, frame = load(criteria, data, decimal_comma=decimal_comma, sheet=sheet)
    basis = core.basis_of(c, frame, run(c, frame, data))
    with progress(draws, "Rút ngẫu nhiên") as step:
        result = core.simulate(basis, draws, spread, seed, step)
    found = None
    if with_margins:
        with progress(core.grid_rows(basis), "Biên ổn định") as step:
            found = core.margins(basis, step)
    files = meta(criteria, data, frame.height)
    report = ra.headed(ra.sensitivity_report(result, found, c), c, files)
    emit(ra.rendered(report, fmt, chosen(report, section)), output)


@contextmanager
def progress(length: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on standard error, only when it is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar.update
