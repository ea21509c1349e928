"""What every command shares: error reporting, output options, atomic output, manifests.

The formats a command offers, the check of its -o extension and the writer called come from the
registry of its kind of result (thidua/output/formats.py).

`reports_errors` also keeps the record of the run: the command, its arguments and options, the
files it read. When the command writes a file through `emit`, the manifest goes beside it
(thidua/trust/manifest.py), and blank rows skipped in a data file are reported on standard error.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from thidua.i18n import _, language, ngettext
from thidua.output import formats as f

if TYPE_CHECKING:
    from thidua.trust.manifest import Manifest


@dataclass
class Run:
    """One command's run, as its manifest records it."""

    command: str
    arguments: dict[str, Any]
    options: dict[str, Any]
    inputs: dict[str, str]  # role (parameter name) → path as given
    nested: bool  # rerun inside `thidua verify`: errors propagate, no manifest, no notes
    outputs: list[Any] = field(default_factory=list)  # manifest.Output
    flags: dict[str, str] = field(default_factory=dict)  # role of an option → its flag (--self)
    readings: list[Any] = field(default_factory=list)  # data.Reading

    @classmethod
    def of(cls, ctx: click.Context, nested: bool) -> Run:
        arguments: dict[str, Any] = {}
        options: dict[str, Any] = {}
        inputs: dict[str, str] = {}
        flags: dict[str, str] = {}
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
                if isinstance(param, click.Option):
                    flags[param.name] = max(param.opts, key=len)
        return cls(ctx.command.name or "", arguments, options, inputs, nested, flags=flags)

    def named_inputs(self) -> dict[str, str]:
        """The files the run reads, by the name the user knows them by: criteria, data, --self."""
        return {self.flags.get(role, role): path for role, path in self.inputs.items()}

    def check_output(self) -> None:
        """Refuse an -o that cannot or must not be written (thidua/output/writing.py) before any work."""
        from thidua.output.writing import check_place
        from thidua.trust import manifest as mf

        output = self.options.get("output")
        if isinstance(output, str) and not self.nested:
            check_place(output, inputs=self.named_inputs(), suffix=mf.SUFFIX)


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
        from thidua.errors import ThiduaError
        from thidua.input.data import readings
        from thidua.output.writing import Interrupted

        run = Run.of(click.get_current_context(), nested=_RUN.get() is not None)
        token = _RUN.set(run)
        try:
            run.check_output()
            with readings() as found:
                run.readings = found
                value = command(*args, **kwargs)
        except ThiduaError as e:
            if run.nested:
                raise
            click.echo(_("Error: {message}", message=e.headline()), err=True)
            for line in e.lines():
                click.echo(line, err=True)
            sys.exit(1)
        except Interrupted as e:
            if run.nested:
                raise
            stopped = (_("stopped by {signal} after its files were written", signal=str(e))
                       if e.committed else _("stopped by {signal}; nothing was written", signal=str(e)))
            click.echo(_("Error: {message}", message=stopped), err=True)
            sys.exit(128 + e.signum)
        finally:
            _RUN.reset(token)
        if not run.nested:
            for note in blank_notes(run.readings):
                click.echo(note, err=True)
        return value

    return wrapper


def blank_notes(readings: list[Any]) -> list[str]:
    """`note: data.csv: skipped 2 blank rows (5, 9)…` for every data file that had some."""
    from thidua.errors import printable

    notes = []
    for r in readings:
        if r.blank:
            rows = ", ".join(map(str, r.blank_rows)) + ", …" * (r.blank > len(r.blank_rows))
            notes.append(ngettext(
                "note: {source}: skipped {count} blank row ({rows}): no column the criteria read "
                "holds a value there",
                "note: {source}: skipped {count} blank rows ({rows}): no column the criteria read "
                "holds a value there", r.blank, source=printable(str(r.source)), count=r.blank,
                rows=rows))
        notes += [_("note: {source}: {note}", source=printable(str(r.source)), note=note)
                  for note in getattr(r, "notes", ())]
    return notes


def format_option(kind: f.Kind) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--format, offering the formats of `kind`."""
    printed = [name for name in kind.formats if not f.FORMATS[name].binary]
    files = [name for name in kind.formats if f.FORMATS[name].binary]
    also = f"; with -o also {', '.join(files)}" if files else ""
    return click.option("--format", "fmt", type=click.Choice(kind.formats), default=None,
                        help=f"{', '.join([f'{printed[0]} (default)', *printed[1:]])}{also}.")


def output_options(kind: f.Kind) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--format (the formats of `kind`), -o, --decimal-comma and --sheet."""
    options = [
        format_option(kind),
        click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
                     help="Write to FILE (whole or not at all); the format follows its extension."),
        click.option("--decimal-comma", is_flag=True,
                     help="Read numbers written the Vietnamese way: 95,5 and 1.234,5."),
        click.option("--sheet", default=None, help="Worksheet of an .xlsx data file (default: the first)."),
    ]

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def choose_format(kind: f.Kind, fmt: str | None, output: str | None) -> str:
    """The format asked for by --format, or else by the extension of -o (the command writing
    `kind`). An extension the command does not write, or none, is refused unless --format
    says what to write; a known extension that contradicts --format is refused."""
    if output is not None:
        extension = Path(output).suffix
        named = f.named_by(output)
        if fmt is None and (named is None or named not in kind.formats):
            raise _extension_error(output, extension, named, kind)
        if fmt is not None and named is not None and named != fmt:
            raise _problem(output, _("the extension {extension} says {named}, --format says "
                                     "{fmt}: make them agree", extension=extension, named=named,
                                     fmt=fmt))
        fmt = fmt or named
    if fmt is None:  # the kind's first format: table, or html for the council's page
        fmt = kind.formats[0]
    if f.FORMATS[fmt].binary and not output:
        raise click.UsageError(_("--format {fmt} writes a file: give -o FILE", fmt=fmt))
    return fmt


def _extension_error(output: str, extension: str, named: str | None, kind: f.Kind) -> Exception:
    command = click.get_current_context().command.name
    known = [f"{e} ({name})" if e.lstrip(".") != name else e for e, name in kind.extensions()]
    writes = _("{command} writes {extensions} or {last}, or give --format", command=command,
               extensions=", ".join(known[:-1]), last=known[-1])
    if not extension:
        return _problem(output, _("no extension to choose the format by: {writes}", writes=writes))
    if named is None:
        return _problem(output, _("unknown extension {extension}: {writes}", extension=extension,
                                  writes=writes))
    return _problem(output, _("{command} does not write {named} ({extension}): {writes}",
                              command=command, named=named, extension=extension, writes=writes))


def _problem(source: str, message: str) -> Exception:
    from thidua.errors import Problem, UsageError

    return UsageError(source, [Problem("", message)])


def emit(text_or_writer: str | Callable[[str], None], output: str | None) -> None:
    """Print text, or write it (or a binary writer's file) to -o together with the manifest
    beside it: both appear, whole, or neither does and every existing file is left as it was
    (thidua/output/writing.py)."""
    from thidua.output import writing
    from thidua.trust import manifest as mf

    if output is None:
        assert isinstance(text_or_writer, str)
        click.echo(text_or_writer, nl=False)
        return
    write = _bytes_writer(text_or_writer) if isinstance(text_or_writer, str) else text_or_writer
    run = _RUN.get()
    recorded = run if run is not None and not run.nested else None  # the run keeps a manifest
    writing.check_place(output, inputs=run.named_inputs() if run else None,
                        suffix=mf.SUFFIX if recorded else "")
    with writing.staged() as stage:
        written = stage.temporary(output)
        write(written)
        if recorded is not None:
            document = mf.dumps(record_output(recorded, output, written)).encode("utf-8")
            Path(stage.temporary(mf.path_for(output))).write_bytes(document)
        stage.commit()


def _bytes_writer(text: str) -> Callable[[str], None]:
    data = text.encode("utf-8")

    def write(path: str) -> None:
        Path(path).write_bytes(data)

    return write


def record_output(run: Run, output: str, written: str) -> Manifest:
    """Add `output`, whose bytes are in the file `written` until the commit, to the run; return
    the run's manifest."""
    from thidua import __version__
    from thidua.trust import manifest as mf

    fmt = run.options.get("format") or f.named_by(output) or f.DEFAULT
    sha = mf.digests([written, *run.inputs.values()])
    run.outputs = [o for o in run.outputs if o.path != output]
    run.outputs.append(mf.Output(output, fmt, sha[written], Path(written).stat().st_size))
    inputs = []
    for role, given in run.inputs.items():
        reading = next((r for r in run.readings if r.source == given), None)
        counts = (reading.rows, reading.units, reading.blank, reading.blank_rows) if reading else ()
        inputs.append(mf.Input(role, given, str(Path(given).resolve()), sha[given], *counts))
    # the language of the run: a document's words depend on it, so verify reruns in it
    return mf.Manifest(run.command, run.arguments, run.options, tuple(inputs),
                       tuple(run.outputs), __version__, mf.now(), {"language": language()})


def meta(criteria: str, data: str, rows: int) -> dict[str, Any]:
    from thidua.input.data import sha256_file

    return {"criteria": {"sha256": sha256_file(criteria)}, "data": {"sha256": sha256_file(data), "rows": rows}}


def render(kind: f.Kind, fmt: str, result: Any, output: str | None,
           files: dict[str, Any] | None = None, section: str | None = None) -> None:
    """Write `result` as `fmt`, by the registry's writer for `kind`, to -o or standard output.
    `files`: the files read as meta() gives them (named first in JSON); `section`: --section."""
    emit(kind.render(fmt, result, f.Asked(files or {}, section)), output)


def reads(criteria: str, data: str) -> None:
    """Record the files a command chose itself (demo) as the run's inputs."""
    run = _RUN.get()
    if run is not None:
        for role, path in (("criteria", criteria), ("data", data)):
            run.inputs.setdefault(role, path)
