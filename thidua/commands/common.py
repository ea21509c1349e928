"""What every command shares: error reporting, output options, atomic output, manifests.

`reports_errors` also keeps the record of the run: the command, its arguments and options, the
files it read. When the command writes a file through `emit`, the manifest goes beside it
(thidua/manifest.py), and blank rows skipped in a data file are reported on standard error.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

EXTENSIONS = {".csv": "csv", ".json": "json", ".md": "markdown", ".markdown": "markdown",
              ".html": "html", ".htm": "html", ".parquet": "parquet", ".xlsx": "xlsx", ".txt": "table"}
FORMAT_CHOICE = click.Choice(["table", "csv", "json", "markdown", "html", "parquet", "xlsx"])


@dataclass
class Run:
    """One command's run, as its manifest records it."""

    command: str
    arguments: dict[str, Any]
    options: dict[str, Any]
    inputs: dict[str, str]  # role (parameter name) → path as given
    nested: bool  # rerun inside `thidua verify`: errors propagate, no manifest, no notes
    outputs: list[Any] = field(default_factory=list)  # manifest.Output
    readings: list[Any] = field(default_factory=list)  # data.Reading

    @classmethod
    def of(cls, ctx: click.Context, nested: bool) -> Run:
        arguments: dict[str, Any] = {}
        options: dict[str, Any] = {}
        inputs: dict[str, str] = {}
        for param in ctx.command.params:
            if param.name is None:
                continue
            value = _plain(ctx.params.get(param.name))
            if isinstance(param, click.Argument):
                arguments[param.name] = value
            else:
                options[option_key(param)] = value
            if (isinstance(param.type, click.Path) and param.name != "output"
                    and isinstance(value, str) and Path(value).is_file()):
                inputs[param.name] = value
        return cls(ctx.command.name or "", arguments, options, inputs, nested)


def option_key(param: click.Parameter) -> str:
    """An option's name in a manifest: its long flag without dashes (--decimal-comma →
    decimal_comma)."""
    flags = [o for o in param.opts if o.startswith("--")] or list(param.opts)
    return max(flags, key=len).lstrip("-").replace("-", "_") if flags else str(param.name)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


_RUN: ContextVar[Run | None] = ContextVar("thidua_run", default=None)


def reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Bad input becomes `Error: …` lines on standard error and exit status 1, no traceback.

    It also keeps the run's record (see Run) for the manifest of any file the command writes.
    Inside another run (`thidua verify` recomputing an output) errors are left to that run.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ..data import readings
        from ..errors import ThiduaError

        run = Run.of(click.get_current_context(), nested=_RUN.get() is not None)
        token = _RUN.set(run)
        try:
            with readings() as found:
                run.readings = found
                value = command(*args, **kwargs)
        except ThiduaError as e:
            if run.nested:
                raise
            click.echo(f"Error: {e.headline()}", err=True)
            for line in e.lines():
                click.echo(line, err=True)
            sys.exit(1)
        finally:
            _RUN.reset(token)
        if not run.nested:
            for note in blank_notes(run.readings):
                click.echo(note, err=True)
        return value

    return wrapper


def blank_notes(readings: list[Any]) -> list[str]:
    """`note: data.csv: skipped 2 blank rows (5, 9)…` for every data file that had some."""
    notes = []
    for r in readings:
        if r.blank:
            rows = ", ".join(map(str, r.blank_rows)) + ", …" * (r.blank > len(r.blank_rows))
            notes.append(f"note: {r.source}: skipped {r.blank} blank row{'s' * (r.blank != 1)} "
                         f"({rows}): no column the criteria read holds a value there")
    return notes


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
    """Print text, or write it (or a binary writer's file) atomically to -o, then the manifest
    beside it."""
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
    run = _RUN.get()
    if run is not None and not run.nested:
        record_output(run, output)


def record_output(run: Run, output: str) -> None:
    """Add `output` to the run and write the run's manifest beside it."""
    from .. import __version__
    from .. import manifest as mf

    fmt = run.options.get("format") or EXTENSIONS.get(Path(output).suffix.lower(), "table")
    path = Path(output)
    sha = mf.digests([output, *run.inputs.values()])
    run.outputs = [o for o in run.outputs if o.path != output]
    run.outputs.append(mf.Output(output, fmt, sha[output], path.stat().st_size))
    inputs = []
    for role, given in run.inputs.items():
        reading = next((r for r in run.readings if r.source == given), None)
        counts = (reading.rows, reading.units, reading.blank, reading.blank_rows) if reading else ()
        inputs.append(mf.Input(role, given, str(Path(given).resolve()), sha[given], *counts))
    manifest = mf.Manifest(run.command, run.arguments, run.options, tuple(inputs),
                           tuple(run.outputs), __version__, mf.now())
    try:
        mf.write(manifest, output)
    except OSError as e:
        from ..errors import Problem, UsageError

        problem = Problem("", f"cannot be written: {e.strerror or e}")
        raise UsageError(mf.path_for(output), [problem]) from None


def meta(criteria: str, data: str, rows: int) -> dict[str, Any]:
    from ..data import sha256_file

    return {"criteria": {"sha256": sha256_file(criteria)}, "data": {"sha256": sha256_file(data), "rows": rows}}


def render_result(result: Any, fmt: str, output: str | None, files: tuple[str, str] | None) -> None:
    from .. import render

    run = _RUN.get()
    if run is not None and files:  # commands that read files of their own choosing (demo)
        for role, path in zip(("criteria", "data"), files, strict=True):
            run.inputs.setdefault(role, path)
    if fmt in render.FILE_WRITERS:
        emit(lambda tmp: render.FILE_WRITERS[fmt](result, tmp), output)
    elif fmt == "json":
        emit(render.to_json(result, meta(*files, result.units.height) if files else {}), output)
    else:
        emit(render.TEXT_RENDERERS[fmt](result), output)
