"""`thidua verify MANIFEST`: are a run's inputs unchanged, and does rerunning it give its outputs?

First the inputs: every file the manifest names must still have its SHA-256, or the run is not
recomputed at all (a changed input is named, exit 1). Then the command runs again with the same
arguments and options into a temporary folder, and each recorded output is compared with its
recomputation: identical, or which units differ and how (csv, json, parquet and xlsx are read
back and compared unit by unit; table, markdown and html by their lines).
"""

from __future__ import annotations

import difflib
import json
import tempfile
from pathlib import Path
from typing import Any

import click

from .common import option_key, reports_errors

SHOWN = 20  # differing units listed per table before "… and N more"
FIRST = ("total", "rank", "rank_overall", "classification", "awards", "flagged", "status")


@click.command()
@click.argument("manifest", type=click.Path(dir_okay=False))
@reports_errors
def verify(manifest: str) -> None:
    """Check a run from its manifest (the .manifest.json beside every -o output): the inputs
    must be unchanged; the command is rerun and each output compared with what it gives now.

    Exit status 0 when every output is identical; 1 when an input changed (nothing is rerun)
    or an output differs (the units whose totals, ranks or awards differ are listed).

    \b
    Example:
      thidua score bang-diem.yaml so-lieu.csv -o ket-qua.csv
      thidua verify ket-qua.csv.manifest.json
    """
    from .. import __version__
    from .. import manifest as mf
    from ..errors import Problem

    m = mf.read(manifest)
    paths = _check_inputs(m, manifest)
    for i in m.inputs:
        click.echo(f"{i.role} {i.path}: unchanged")
    if m.version != __version__:
        click.echo(f"note: the run used thidua {m.version}; this is thidua {__version__}, so a "
                   "difference may come from the version", err=True)
    differ = 0
    with tempfile.TemporaryDirectory(prefix="thidua-verify-") as folder:
        rerun = Path(folder) / Path(m.outputs[0].path).name
        _rerun(m, manifest, paths, rerun)
        for o in m.outputs:
            recorded = _recorded(o.path, manifest)
            lines = _compare(o, recorded, Path(folder) / Path(o.path).name)
            differ += bool(lines)
            for line in lines or [f"{o.path}: identical"]:
                click.echo(line)
    if differ:
        n, verb = len(m.outputs), "differs" if differ == 1 else "differ"
        raise mf.ManifestError(manifest, [Problem("", f"{differ} of {n} output{'s' * (n != 1)} "
                                                      f"{verb} from the recomputation")])


# --- inputs ---------------------------------------------------------------------------------------


def _candidates(given: str, absolute: str, manifest: str) -> list[Path]:
    """Where an input may be now: as given (from here), where it was, or beside the manifest."""
    out = [Path(given), Path(absolute)]
    if not Path(given).is_absolute():
        out.append(Path(manifest).parent / given)
    return out


def _check_inputs(m: Any, manifest: str) -> dict[str, str]:
    """Each input's path to use now; ManifestError naming every missing or changed one."""
    from .. import manifest as mf
    from ..errors import Problem

    problems, paths = [], {}
    for n, i in enumerate(m.inputs):
        found = [p for p in dict.fromkeys(_candidates(i.path, i.absolute, manifest)) if p.is_file()]
        digests = {p: mf.digest(p) for p in found}
        same = [p for p in found if digests[p] == i.sha256]
        if same:
            paths[i.role] = str(same[0])
        elif not found:
            problems.append(Problem(f"inputs[{n}]", f"the {i.role} file {i.path} is missing"))
        else:
            problems.append(Problem(f"inputs[{n}]", (
                f"the {i.role} file {found[0]} has changed since the run (sha256 "
                f"{i.sha256[:12]}… then, {digests[found[0]][:12]}… now); nothing was recomputed")))
    if problems:
        raise mf.ManifestError(manifest, problems)
    return paths


# --- the rerun ------------------------------------------------------------------------------------


def _rerun(m: Any, manifest: str, paths: dict[str, str], output: Path) -> None:
    """Run the manifest's command again, its output going to `output`."""
    from .. import manifest as mf
    from ..errors import Problem, ThiduaError

    ctx = click.get_current_context()
    root = ctx.find_root().command
    command = root.get_command(ctx, m.command) if isinstance(root, click.Group) else None
    if command is None or m.command == "verify":
        raise mf.ManifestError(manifest, [Problem("command", f"no command {m.command!r} to rerun")])
    args = arguments(command, m.arguments, m.options, paths, str(output))
    try:
        command.main(args, prog_name=f"thidua {m.command}", standalone_mode=False)
    except click.ClickException as e:
        raise mf.ManifestError(manifest, [Problem("", f"cannot rerun thidua {m.command}: "
                                                      f"{e.format_message()}")]) from None
    except ThiduaError as e:
        raise mf.ManifestError(manifest, [Problem("", f"rerunning thidua {m.command} failed: "
                                                      f"{line}") for line in e.lines()]) from None


def arguments(command: click.Command, given: dict[str, Any], options: dict[str, Any],
              paths: dict[str, str], output: str) -> list[str]:
    """The command line that reruns `command` with the recorded arguments and options, inputs
    where they are now and the output at `output`."""
    args: list[str] = []
    for param in command.params:
        name = param.name or ""
        if isinstance(param, click.Argument):
            value = paths.get(name, given.get(name))
            values = value if isinstance(value, list) else [] if value is None else [value]
            args += [str(v) for v in values]
            continue
        assert isinstance(param, click.Option)
        value = output if name == "output" else paths.get(name, options.get(option_key(param)))
        if value is None or value == [] or not param.opts:
            continue
        if param.is_flag and not param.count:
            on = bool(value) if param.is_bool_flag else value == param.flag_value
            if on:
                args.append(param.opts[0])
            elif param.secondary_opts:
                args.append(param.secondary_opts[0])
        elif param.count:
            args += [param.opts[0]] * int(value)
        else:
            for v in value if param.multiple and isinstance(value, list) else [value]:
                args += [param.opts[0], str(v)]
    return args


# --- the outputs ----------------------------------------------------------------------------------


def _recorded(path: str, manifest: str) -> Path | None:
    """The recorded output: beside its manifest, or where it was written."""
    for p in (Path(manifest).parent / Path(path).name, Path(path)):
        if p.is_file():
            return p
    return None


def _compare(o: Any, recorded: Path | None, rerun: Path) -> list[str]:
    """[] when identical; else a headline and the differences, recorded file → recomputed."""
    from .. import manifest as mf

    if recorded is None:
        return [f"{o.path}: missing (no such file beside the manifest)"]
    if not rerun.is_file():
        return [f"{o.path}: the rerun wrote no such file"]
    now, again = mf.digest(recorded), mf.digest(rerun)
    if now == o.sha256 == again:
        return []
    if now != o.sha256 and again == o.sha256:
        head = "changed since the run (the rerun still gives the recorded bytes)"
    elif now == o.sha256:
        head = "the rerun gives different bytes from the recorded output"
    else:
        head = "changed since the run, and the rerun gives yet other bytes"
    if now == again:
        return [f"{o.path}: {head}; the file and the rerun are identical"]
    return [f"{o.path}: {head}", *(f"  {line}" for line in differences(recorded, rerun, o.format))]


def differences(recorded: Path, rerun: Path, fmt: str) -> list[str]:
    """How two outputs of one format differ: per unit for tables, per line for text."""
    try:
        a, b = tables(recorded, fmt), tables(rerun, fmt)
    except Exception as e:  # noqa: BLE001 - an edited file may not read back at all
        return [f"the recorded file cannot be read back as {fmt} ({type(e).__name__}); "
                "the bytes differ"]
    if a is not None and b is not None:
        same = "every unit has the same values; the bytes differ in form only"
        return diff_tables(a, b) or [same]
    if fmt in ("table", "markdown", "html", "csv", "json"):
        return diff_lines(recorded, rerun)
    return ["the bytes differ"]


def tables(path: Path, fmt: str) -> dict[str, list[dict[str, Any]]] | None:
    """The rows of each table in an output (as text), or None for a format read by people."""
    import polars as pl

    if fmt == "csv":
        text = path.read_text(encoding="utf-8")
        frame = pl.read_csv(path, infer_schema=False) if text.strip() else pl.DataFrame()
        return {"": _rows(frame)}
    if fmt == "parquet":
        return {"": _rows(pl.read_parquet(path))}
    if fmt == "xlsx":
        import fastexcel

        book = fastexcel.read_excel(path)
        return {name: _rows(book.load_sheet(name, dtypes="string").to_polars())
                for name in book.sheet_names}
    if fmt == "json":
        document = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(document, dict):
            return None
        found: dict[str, list[dict[str, Any]]] = {}
        if isinstance(document.get("units"), list):
            found["units"] = [_flat(u) for u in document["units"] if isinstance(u, dict)]
        if isinstance(document.get("awards"), list):
            found["awards"] = [_flat({"award": a.get("code"), "group": a.get("group")} | r)
                               for a in document["awards"] if isinstance(a, dict)
                               for r in a.get("reasons") or [] if isinstance(r, dict)]
            found["quotas"] = [_flat({k: v for k, v in a.items() if k != "reasons"})
                               for a in document["awards"] if isinstance(a, dict)]
        return found or None
    return None


def _rows(frame: Any) -> list[dict[str, Any]]:
    import polars as pl

    text = frame.with_columns(pl.col(c).cast(pl.String) if not isinstance(t, pl.List)
                              else pl.col(c).list.eval(pl.element().cast(pl.String)).list.join(";")
                              for c, t in frame.schema.items())
    return text.to_dicts()


def _flat(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out |= _flat(value, f"{name}.")
        elif isinstance(value, list):
            out[name] = ";".join(map(str, value))
        else:
            out[name] = None if value is None else str(value)
    return out


Tables = dict[str, list[dict[str, Any]]]


def diff_tables(a: Tables, b: Tables) -> list[str]:
    lines: list[str] = []
    for name in dict.fromkeys([*a, *b]):
        where = f"{name}: " if name else ""
        if name not in a or name not in b:
            lines.append(f"{where}only in the {'rerun' if name not in a else 'recorded file'}")
            continue
        lines += [f"{where}{line}" for line in _diff_rows(a[name], b[name])]
    return lines


def _key(rows: list[dict[str, Any]]) -> list[str]:
    columns = rows[0].keys() if rows else []
    for key in (["award", "id"], ["id"], ["Mã"]):
        if all(k in columns for k in key):
            return key
    return []


def _diff_rows(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    key = _key(old) or _key(new)

    def keyed(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for n, row in enumerate(rows, 1):
            name = " ".join(str(row.get(k)) for k in key) if key else f"row {n}"
            out.setdefault(name, row)
        return out

    a, b = keyed(old), keyed(new)
    found = []
    for name in dict.fromkeys([*a, *b]):
        if name not in b:
            found.append(f"{name}: in the file only, not in the rerun")
        elif name not in a:
            found.append(f"{name}: in the rerun only, not in the file")
        else:
            x, y = a[name], b[name]
            columns = [c for c in FIRST if c in x or c in y]
            columns += [c for c in dict.fromkeys([*x, *y]) if c not in columns]
            changed = [f"{c} {_show(x.get(c))} → {_show(y.get(c))}" for c in columns
                       if x.get(c) != y.get(c)]
            if changed:
                found.append(f"{name}: " + ", ".join(changed))
    more = len(found) - SHOWN
    return found[:SHOWN] + ([f"… and {more} more"] if more > 0 else [])


def _show(value: Any) -> str:
    return "(empty)" if value in (None, "") else str(value)


def diff_lines(recorded: Path, rerun: Path) -> list[str]:
    a = recorded.read_text(encoding="utf-8", errors="replace").splitlines()
    b = rerun.read_text(encoding="utf-8", errors="replace").splitlines()
    found = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        for n in range(i1, i2):
            found.append(f"line {n + 1} in the file: {a[n]}")
        for n in range(j1, j2):
            found.append(f"line {n + 1} in the rerun: {b[n]}")
    more = len(found) - SHOWN
    return found[:SHOWN] + ([f"… and {more} more lines"] if more > 0 else [])
