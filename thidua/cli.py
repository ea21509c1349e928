"""The command line: load, call the core, render. Heavy imports wait until a command runs,
so `thidua --help` answers at once."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

EXTENSIONS = {".csv": "csv", ".json": "json", ".md": "markdown", ".markdown": "markdown",
              ".html": "html", ".htm": "html", ".parquet": "parquet", ".xlsx": "xlsx", ".txt": "table"}
FORMAT_CHOICE = click.Choice(["table", "csv", "json", "markdown", "html", "parquet", "xlsx"])


def reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Bad input becomes `Error: …` lines on standard error and exit status 1, no traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .errors import ThiduaError

        try:
            return command(*args, **kwargs)
        except ThiduaError as e:
            click.echo(f"Error: {e.headline()}", err=True)
            for line in e.lines():
                click.echo(line, err=True)
            sys.exit(1)

    return wrapper


def output_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--format", "fmt", type=FORMAT_CHOICE, default=None,
                     help="table (default), csv, json, markdown, html; with -o also parquet, xlsx."),
        click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
                     help="Write to FILE (whole or not at all); the format follows its extension."),
        click.option("--decimal-comma", is_flag=True,
                     help="Read numbers written the Vietnamese way: 95,5 and 1.234,5."),
        click.option("--sheet", default=None, help="Worksheet of an .xlsx data file (default: the first)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def choose_format(fmt: str | None, output: str | None) -> str:
    if fmt is None:
        fmt = EXTENSIONS.get(Path(output).suffix.lower(), "table") if output else "table"
    if fmt in ("parquet", "xlsx") and not output:
        raise click.UsageError(f"--format {fmt} writes a file: give -o FILE")
    return fmt


def emit(text_or_writer: str | Callable[[str], None], output: str | None) -> None:
    """Print text, or write it (or a binary writer's file) atomically to -o."""
    from .inputs import write_atomic

    if output is None:
        assert isinstance(text_or_writer, str)
        click.echo(text_or_writer, nl=False)
        return
    if isinstance(text_or_writer, str):
        data = text_or_writer.encode("utf-8")
        write_atomic(output, lambda tmp: Path(tmp).write_bytes(data))
    else:
        write_atomic(output, text_or_writer)


def meta(criteria: str, data: str, rows: int) -> dict[str, Any]:
    from .data import sha256_file

    return {"criteria": {"sha256": sha256_file(criteria)}, "data": {"sha256": sha256_file(data), "rows": rows}}


def render_result(result: Any, fmt: str, output: str | None, files: tuple[str, str] | None) -> None:
    from . import render

    if fmt in render.FILE_WRITERS:
        emit(lambda tmp: render.FILE_WRITERS[fmt](result, tmp), output)
    elif fmt == "json":
        emit(render.to_json(result, meta(*files, result.units.height) if files else {}), output)
    else:
        emit(render.TEXT_RENDERERS[fmt](result), output)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="thidua")
def cli() -> None:
    """thidua: score, rank and shortlist units for emulation awards (thi đua – khen thưởng)
    from a declared criteria file."""


@cli.command()
@click.argument("criteria", type=click.Path(dir_okay=False))
@reports_errors
def validate(criteria: str) -> None:
    """Check a criteria file; print every problem at its place.

    \b
    Example:
      thidua validate criteria.yaml
    """
    from .checks import all_nodes
    from .load import load_criteria

    c = load_criteria(criteria)
    leaves = sum(1 for _, node in all_nodes(c) if node.rule is not None)
    click.echo(f"{criteria}: valid (format 1, {c.id} {c.version}, {leaves} scored criteria, "
               f"total {c.total:g})")


@cli.command()
@click.argument("criteria", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
@output_options
@reports_errors
def score(criteria: str, data: str, fmt: str | None, output: str | None, decimal_comma: bool,
          sheet: str | None) -> None:
    """Score, classify, rank and shortlist every unit.

    \b
    Example:
      thidua score criteria.yaml data.csv
      thidua score criteria.yaml data.xlsx --sheet "Năm 2026" -o ket-qua.xlsx
    """
    from .engine import score as run
    from .inputs import load

    fmt = choose_format(fmt, output)
    c, frame = load(criteria, data, decimal_comma=decimal_comma, sheet=sheet)
    render_result(run(c, frame, data), fmt, output, (criteria, data))


@cli.command()
@click.option("--format", "fmt", type=FORMAT_CHOICE, default=None, help="As for score.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="As for score.")
@reports_errors
def demo(fmt: str | None, output: str | None) -> None:
    """Run the bundled example: communes scored on 'dân vận chính quyền' and service to citizens.

    It prints the ranking of each cluster and the award shortlists.
    """
    from .engine import score as run
    from .inputs import load, shipped

    fmt = choose_format(fmt, output)
    criteria, data = str(shipped("dvcq-xa.yaml")), str(shipped("dvcq-xa.csv"))
    c, frame = load(criteria, data)
    render_result(run(c, frame, data), fmt, output, (criteria, data))
