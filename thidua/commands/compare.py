from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from thidua.commands.audit import check_section
from thidua.commands.common import _RUN, choose_format, format_option, render, reports_errors
from thidua.errors import ThiduaError
from thidua.i18n import _
from thidua.output.formats import COMPARE

SECTIONS = ["units", "lists", "criteria", "only", "differences"]


@click.command()
@click.argument("a", type=click.Path(dir_okay=False))
@click.argument("b", type=click.Path(dir_okay=False))
@click.option("--section", default=None,
              help="Only this table: units, lists, criteria, only, differences. csv and parquet "
                   "hold one table (default: units).")
@format_option(COMPARE)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to FILE (whole or not at all); the format follows its extension.")
@reports_errors
def compare(a: str, b: str, section: str | None, fmt: str | None, output: str | None) -> None:
    """Compare two results of thidua score (JSON, CSV or Parquet), A then B: each unit's total,
    rank and class, who entered and who left each award list, and the criteria that moved most.

    \b
    Example:
      thidua compare ket-qua-2025.json ket-qua-2026.json
      thidua compare ket-qua-2025.json ket-qua-2026.json -o so-sanh.xlsx
    """
    from thidua.core.compare import Side
    from thidua.core.compare import compare as run
    from thidua.input.data import sha256_file
    from thidua.input.results import read_result
    from thidua.output import render_compare as rc

    fmt = choose_format(COMPARE, fmt, output)
    check_section(section, SECTIONS)
    read: list[Any] = []
    errors: list[ThiduaError] = []
    for path in (a, b):  # both files are read, and every problem of both is said
        try:
            read.append(read_result(path))
        except ThiduaError as e:
            errors.append(e)
    if errors:
        raise both(errors)
    sides = [Side(r.units, r.codes, r.awards, r.criteria, r.awards_listed) for r in read]
    result = run(*sides)
    # files are named by their names alone, never their folders, so that a rerun elsewhere
    # (thidua verify) writes the same bytes
    names = [Path(a).name, Path(b).name]
    files: dict[str, Any] = {name: {"file": shown, "sha256": sha256_file(path),
                                    **({"criteria": r.criteria} if r.criteria else {})}
                             for name, path, shown, r in zip(("a", "b"), (a, b), names, read,
                                                             strict=True)}
    report = rc.headed(rc.compare_report(result, *names), files)
    run_ = _RUN.get()
    if result.differences.height and not (run_ is not None and run_.nested):  # not in verify
        click.echo(_("note: {a} and {b} differ in structure ({what}); only what both hold is "
                     "compared", a=a, b=b, what="; ".join(
                         rc.difference_text(k) for k in result.differences.get_column("kind"))),
                   err=True)
    render(COMPARE, fmt, report, output, section=section)


class Both(ThiduaError):
    """The problems of both files at once: each file's lines under one headline."""

    def __init__(self, errors: list[ThiduaError]) -> None:
        self.errors = errors
        super().__init__(", ".join(e.source for e in errors),
                         [p for e in errors for p in e.problems])

    def lines(self) -> list[str]:
        return [line for e in self.errors for line in e.lines()]


def both(errors: list[ThiduaError]) -> ThiduaError:
    return errors[0] if len(errors) == 1 else Both(errors)
