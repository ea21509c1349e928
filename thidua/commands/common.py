"""What every command shares: error reporting, output options, atomic output."""

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
        from ..errors import ThiduaError

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
    from ..inputs import write_atomic

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
    from ..data import sha256_file

    return {"criteria": {"sha256": sha256_file(criteria)}, "data": {"sha256": sha256_file(data), "rows": rows}}


def render_result(result: Any, fmt: str, output: str | None, files: tuple[str, str] | None) -> None:
    from .. import render

    if fmt in render.FILE_WRITERS:
        emit(lambda tmp: render.FILE_WRITERS[fmt](result, tmp), output)
    elif fmt == "json":
        emit(render.to_json(result, meta(*files, result.units.height) if files else {}), output)
    else:
        emit(render.TEXT_RENDERERS[fmt](result), output)
