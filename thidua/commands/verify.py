"""`thidua verify MANIFEST`: are a run's inputs unchanged, and does rerunning it give its outputs?

A manifest is a file someone hands over, so nothing in it is trusted. Before anything runs, it is
checked against the command it names: only the commands that compute a result are rerun
(RERUNNABLE), only with arguments and options that command has, each of the type it takes; every
file the command will read must be one of the manifest's inputs, found (relative to the run's
folder, or where it was) with its recorded SHA-256, or nothing is recomputed (a missing or
changed input is named, exit 1). The command then runs again into a temporary folder, the only
place anything is written, and each recorded output, the file of that name beside the manifest,
is compared with its recomputation: identical, or which units differ and how (csv, json, parquet
and xlsx are read back and compared unit by unit; table, markdown and html by their lines). A
recorded output is read only when it still has its recorded SHA-256; text from the manifest or the
files is printed with its control characters escaped.
"""

from __future__ import annotations

import difflib
import json
import os
import tempfile
from pathlib import Path, PurePath
from typing import Any

import click

from thidua.commands.common import EXTENSIONS, option_key, reports_errors
from thidua.i18n import N_, _, ngettext, system

SHOWN = 20  # differing units listed per table before "… and N more"
FIRST = ("total", "rank", "rank_overall", "classification", "awards", "flagged", "status")
RERUNNABLE = ("score", "awards", "explain", "audit", "sensitivity", "demo")
# the files `thidua demo` reads whatever it is given (commands/demo.py), by role
SHIPPED = {"demo": {"criteria": "dvcq-xa.yaml", "data": "dvcq-xa.csv"}}


@click.command()
@click.argument("manifest", type=click.Path(dir_okay=False))
@reports_errors
def verify(manifest: str) -> None:
    """Check a run from its manifest (the .manifest.json beside every -o output): the inputs
    must be unchanged; the command is rerun and each output compared with what it gives now.

    Exit status 0 when every output is identical; 1 when an input is missing or changed (nothing
    is rerun), the manifest asks for something thidua does not rerun, or an output differs (the
    units whose totals, ranks or awards differ are listed).

    \b
    Example:
      thidua score bang-diem.yaml so-lieu.csv -o ket-qua.csv
      thidua verify ket-qua.csv.manifest.json
    """
    from thidua import __version__
    from thidua.errors import Problem
    from thidua.trust import manifest as mf

    source = mf.shown(manifest)
    m = mf.read(manifest)
    command = _command(m, source)
    roles = _plan(command, m, source)
    paths = _check_inputs(m, manifest, roles, source)
    for i in m.inputs:
        click.echo(_("{role} {path}: unchanged", role=_role(i.role), path=mf.shown(i.path)))
    if m.version != __version__:
        click.echo(_("note: the run used thidua {then}; this is thidua {now}, so a difference "
                     "may come from the version", then=mf.shown(m.version), now=__version__),
                   err=True)
    differ = 0
    with tempfile.TemporaryDirectory(prefix="thidua-verify-") as folder:
        recorded = {o.path: Path(manifest).parent / PurePath(o.path).name for o in m.outputs}
        if any(_is_file(p) for p in recorded.values()):  # else there is nothing to compare with
            _rerun(command, m, source, paths, Path(folder) / PurePath(m.outputs[0].path).name)
        for o in m.outputs:
            lines = _compare(o, recorded[o.path], Path(folder) / PurePath(o.path).name)
            differ += bool(lines)
            for line in lines or [_("{path}: identical", path=o.path)]:
                click.echo(mf.shown(line))
    if differ:
        n = len(m.outputs)
        raise mf.ManifestError(source, [Problem("", ngettext(
            "{differ} of {count} output differs from the recomputation",
            "{differ} of {count} outputs differ from the recomputation", n, differ=differ,
            count=n))])


# --- what the manifest asks for -------------------------------------------------------------------


# The files a run reads, by their role in the manifest (its machine keys), as a person says them.
_ROLES = {"criteria": N_("criteria"), "data": N_("data")}


def _role(role: str) -> str:
    return _(_ROLES[role]) if role in _ROLES else role


def _command(m: Any, source: str) -> click.Command:
    """The command to rerun: one of RERUNNABLE, as this thidua has it."""
    from thidua.errors import Problem
    from thidua.trust import manifest as mf

    ctx = click.get_current_context()
    root = ctx.find_root().command
    command = root.get_command(ctx, m.command) if isinstance(root, click.Group) else None
    if command is None or m.command not in RERUNNABLE:
        if command is None:
            message = N_("no command {command}; thidua verify reruns only {commands}")
        else:
            message = N_("not a command that computes a result: {command}; thidua verify reruns "
                         "only {commands}")
        raise mf.ManifestError(source, [Problem("command", _(
            message, command=mf.shown(repr(m.command)), commands=", ".join(RERUNNABLE)))])
    return command


def _is_path(param: click.Parameter) -> bool:
    """A parameter naming a file the command reads."""
    return isinstance(param.type, click.Path) and param.name != "output"


def _plan(command: click.Command, m: Any, source: str) -> dict[str, str]:
    """Every file the rerun will read, role → the path the run was given; ManifestError naming
    every argument or option the command does not have or cannot take as it is recorded."""
    from thidua.errors import Problem
    from thidua.trust import manifest as mf

    problems: list[Problem] = []
    arguments = {p.name: p for p in command.params if isinstance(p, click.Argument)}
    options = {option_key(p): p for p in command.params if isinstance(p, click.Option)}
    roles: dict[str, str] = {}
    for kind, given, known in (("arguments", m.arguments, arguments), ("options", m.options, options)):
        for key, value in given.items():
            where = f"{kind}.{mf.shown(key)}"
            param = known.get(key)
            if param is None:
                what = _("argument {name}", name=key) if kind == "arguments" else \
                    _("option {name}", name="--" + key.replace("_", "-"))
                problems.append(Problem(where, _("thidua {command} has no {what}",
                                                 command=m.command, what=mf.shown(what))))
                continue
            wrong = _wrong_type(param, value)
            if wrong:
                problems.append(Problem(where, _("{wrong}, got {value}", wrong=wrong,
                                                 value=mf.shown(_json(value)))))
            elif _is_path(param) and value is not None:
                roles[param.name or key] = value
    if problems:
        raise mf.ManifestError(source, problems)
    for role in SHIPPED.get(m.command, {}):
        roles.setdefault(role, "")
    return roles


def _wrong_type(param: click.Parameter, value: Any) -> str | None:
    """Why `value` cannot be given to `param` as recorded (None when it can). The value itself
    (a choice, a range) is checked by the command when it runs again."""
    scalar = (str, int, float)
    if isinstance(param, click.Option) and param.is_flag and not param.count:
        return None if isinstance(value, bool) else "must be true or false"
    if isinstance(param, click.Option) and param.count:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return None if ok else "must be a count (0, 1, 2 …)"
    if value is None:
        return None
    many = param.multiple or param.nargs != 1
    if many:
        ok = isinstance(value, list) and all(isinstance(v, scalar) and not isinstance(v, bool)
                                             for v in value)
        return None if ok else "must be a list of values"
    if _is_path(param):
        return None if isinstance(value, str) and value else "must be a file name"
    ok = isinstance(value, scalar) and not isinstance(value, bool)
    return None if ok else "must be text or a number"


def _json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:79] + "…"


# --- inputs ---------------------------------------------------------------------------------------


def run_folder(m: Any, manifest: str) -> Path:
    """The folder the run was made in, as the manifest's place shows it: the manifest sits beside
    the output, at the output's path (as given) + .manifest.json; so for `-o out/x.csv` the run's
    folder is the one above out/. The manifest's own folder when the output was given as an
    absolute path or one that climbs (`..`)."""
    here = Path(manifest).absolute().parent
    given = PurePath(m.outputs[0].path)
    if given.is_absolute() or ".." in given.parts:
        return here
    for _part in given.parts[:-1]:
        here = here.parent
    return here


def _candidates(m: Any, i: Any, manifest: str) -> list[Path]:
    """Where an input may be now: relative to the run's folder (see run_folder), or where it was
    (its absolute path); for the demo, only the file it reads."""
    from thidua.input import shipped

    own = SHIPPED.get(m.command, {}).get(i.role)
    if own is not None:
        return [Path(shipped(own))]
    given = Path(i.path)
    found = [given if given.is_absolute() else run_folder(m, manifest) / given, Path(i.absolute)]
    return list(dict.fromkeys(found))


def _check_inputs(m: Any, manifest: str, roles: dict[str, str], source: str) -> dict[str, str]:
    """Each input's path to use now; ManifestError naming every input that is missing (from the
    manifest or from the disk), changed, or not one the command reads."""
    from thidua.errors import Problem
    from thidua.trust import manifest as mf

    problems: list[Problem] = []
    paths: dict[str, str] = {}
    seen: dict[str, int] = {}
    for n, i in enumerate(m.inputs):
        where, path = f"inputs[{n}]", mf.shown(i.path)
        if i.role not in roles:
            problems.append(Problem(f"{where}.role", _(
                "thidua {command} read no {role} file in this run; it reads {roles}",
                command=m.command, role=mf.shown(repr(i.role)),
                roles=", ".join(roles) or _("no file"))))
            continue
        if i.role in seen:
            problems.append(Problem(f"{where}.role", _(
                "a second {role} file (the first is {first})", role=_role(i.role),
                first="inputs[" + str(seen[i.role]) + "]")))
            continue
        seen[i.role] = n
        if roles[i.role] and roles[i.role] != i.path:
            problems.append(Problem(f"{where}.path", _(
                "{path} is not the {role} file the run was given ({given})", path=path,
                role=_role(i.role), given=mf.shown(roles[i.role]))))
            continue
        found = [p for p in _candidates(m, i, manifest) if p.is_file()]
        digests = {p: mf.digest(p) for p in found}
        same = [p for p in found if digests[p] == i.sha256]
        if same:
            paths[i.role] = str(same[0])
        elif not found:
            problems.append(Problem(where, _("the {role} file {path} is missing", role=_role(i.role),
                                             path=path)))
        else:
            problems.append(Problem(where, _(
                "the {role} file {path} has changed since the run (sha256 {then}… then, {now}… "
                "now); nothing was recomputed", role=_role(i.role), path=path, then=i.sha256[:12],
                now=digests[found[0]][:12])))
    for role, given in roles.items():
        if role not in seen:
            problems.append(Problem("inputs", _(
                "the {role} file {path} is missing from the manifest's inputs, so its SHA-256 "
                "cannot be checked; nothing was recomputed", role=_role(role),
                path=mf.shown(given) or _("(shipped)"))))
    if problems:
        raise mf.ManifestError(source, problems)
    return paths


# --- the rerun ------------------------------------------------------------------------------------


def _rerun(command: click.Command, m: Any, source: str, paths: dict[str, str],
           output: Path) -> None:
    """Run the manifest's command again, its output going to `output`, in the format the
    manifest records for it."""
    from thidua.errors import Problem, ThiduaError
    from thidua.trust import manifest as mf

    args = arguments(command, m.arguments, m.options, paths, str(output), m.outputs[0].format)
    try:
        command.main(args, prog_name=f"thidua {m.command}", standalone_mode=False)
    except click.ClickException as e:
        raise mf.ManifestError(source, [Problem("", _(
            "cannot rerun thidua {command}: {reason}", command=m.command,
            reason=mf.shown(e.format_message())))]) from None
    except ThiduaError as e:
        here = f"{output.parent}{os.sep}"  # the temporary folder means nothing to the reader
        raise mf.ManifestError(source, [Problem("", _(
            "rerunning thidua {command} failed: {reason}", command=m.command,
            reason=mf.shown(line.replace(here, "")))) for line in e.lines()]) from None
    except OSError as e:
        raise mf.ManifestError(source, [Problem("", _(
            "rerunning thidua {command} failed: {reason}", command=m.command,
            reason=mf.shown(system(e))))]) from None


def arguments(command: click.Command, given: dict[str, Any], options: dict[str, Any],
              paths: dict[str, str], output: str, fmt: str | None = None) -> list[str]:
    """The command line that reruns `command` with the recorded arguments and options, the files
    it reads where they are now (`paths`, by role: never the recorded names) and the output at
    `output`, written as `fmt` when neither a recorded --format nor the output's extension
    chooses a format (a manifest naming an output without one). Options are written `--name=value` and the arguments follow `--`, so that no
    recorded value is ever read as an option."""
    args: list[str] = []
    values: list[str] = []
    for param in command.params:
        name = param.name or ""
        if isinstance(param, click.Argument):
            value: Any = paths.get(name) if _is_path(param) else given.get(name)
            values += [str(v) for v in (value if isinstance(value, list) else
                                        [] if value is None else [value])]
            continue
        assert isinstance(param, click.Option)
        if name == "output":
            value = output
        elif _is_path(param):
            value = paths.get(name)
        else:
            value = options.get(option_key(param))
            if name == "fmt" and value is None and PurePath(output).suffix.lower() not in EXTENSIONS:
                value = fmt
        if value is None or value == [] or not param.opts:
            continue
        flag = max(param.opts, key=lambda o: (o.startswith("--"), len(o)))
        if param.is_flag and not param.count:
            on = bool(value) if param.is_bool_flag else value == param.flag_value
            if on:
                args.append(flag)
            elif param.secondary_opts:
                args.append(param.secondary_opts[0])
        elif param.count:
            args += [flag] * int(value)
        else:
            for v in value if param.multiple and isinstance(value, list) else [value]:
                args.append(f"{flag}={v}" if flag.startswith("--") else f"{flag}{v}")
    return [*args, "--", *values]


# --- the outputs ----------------------------------------------------------------------------------


def _compare(o: Any, recorded: Path, rerun: Path) -> list[str]:
    """[] when identical; else a headline and the differences, recorded file → recomputed. The
    recorded file is read (beyond its SHA-256) only when it is the one the manifest records."""
    from thidua.trust import manifest as mf

    if not _is_file(recorded):
        return [_("{path}: missing (no such file beside the manifest)", path=o.path)]
    if not rerun.is_file():
        return [_("{path}: the rerun wrote no such file", path=o.path)]
    now = mf.digest(recorded) if recorded.stat().st_size == o.bytes else None
    again = mf.digest(rerun)
    if now == o.sha256 == again:
        return []
    if now != o.sha256:
        head = (_("changed since the run (the rerun still gives the recorded bytes, sha256 "
                  "{sha}…)", sha=o.sha256[:12]) if again == o.sha256
                else _("changed since the run, and the rerun gives yet other bytes"))
        return [_("{path}: {what}; a file that is not the recorded one is not read",
                  path=o.path, what=head)]
    return [_("{path}: the rerun gives different bytes from the recorded output", path=o.path),
            *(f"  {line}" for line in differences(recorded, rerun, o.format))]


def _is_file(path: Path) -> bool:
    """A regular file is there (a name the system refuses, too long, is none)."""
    try:
        return path.is_file()
    except OSError:
        return False


def differences(recorded: Path, rerun: Path, fmt: str) -> list[str]:
    """How two outputs of one format differ: per unit for tables, per line for text."""
    read = []
    unreadable = (N_("the recorded file cannot be read back as {format} ({error}); the bytes "
                     "differ"),
                  N_("the rerun cannot be read back as {format} ({error}); the bytes differ"))
    for why, path in zip(unreadable, (recorded, rerun), strict=True):
        try:
            read.append(tables(path, fmt))
        except Exception as e:  # an output of other options may not read back
            return [_(why, format=fmt, error=type(e).__name__)]
    a, b = read
    if a is not None and b is not None:
        same = _("every unit has the same values; the bytes differ in form only")
        return diff_tables(a, b) or [same]
    if fmt in ("table", "markdown", "html", "csv", "json"):
        return diff_lines(recorded, rerun)
    return [_("the bytes differ")]


def tables(path: Path, fmt: str) -> dict[str, list[dict[str, Any]]] | None:
    """The rows of each table in an output (as text), or None for a format read by people."""
    import polars as pl

    if fmt == "csv":
        text = path.read_text(encoding="utf-8")
        frame = pl.read_csv(path, infer_schema=False, glob=False) if text.strip() else pl.DataFrame()
        return {"": _rows(frame)}
    if fmt == "parquet":
        return {"": _rows(pl.read_parquet(path, glob=False))}
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
            lines.append(where + (_("only in the rerun") if name not in a
                                  else _("only in the recorded file")))
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
            name = " ".join(str(row.get(k)) for k in key) if key else _("row {row}", row=n)
            out.setdefault(name, row)
        return out

    a, b = keyed(old), keyed(new)
    found = []
    for name in dict.fromkeys([*a, *b]):
        if name not in b:
            found.append(_("{name}: in the file only, not in the rerun", name=name))
        elif name not in a:
            found.append(_("{name}: in the rerun only, not in the file", name=name))
        else:
            x, y = a[name], b[name]
            columns = [c for c in FIRST if c in x or c in y]
            columns += [c for c in dict.fromkeys([*x, *y]) if c not in columns]
            changed = [f"{c} {_show(x.get(c))} → {_show(y.get(c))}" for c in columns
                       if x.get(c) != y.get(c)]
            if changed:
                found.append(f"{name}: " + ", ".join(changed))
    more = len(found) - SHOWN
    return found[:SHOWN] + ([_("… and {count} more", count=more)] if more > 0 else [])


def _show(value: Any) -> str:
    return _("(empty)") if value in (None, "") else str(value)


def diff_lines(recorded: Path, rerun: Path) -> list[str]:
    a = recorded.read_text(encoding="utf-8", errors="replace").splitlines()
    b = rerun.read_text(encoding="utf-8", errors="replace").splitlines()
    found = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        for n in range(i1, i2):
            found.append(_("line {line} in the file: {text}", line=n + 1, text=a[n]))
        for n in range(j1, j2):
            found.append(_("line {line} in the rerun: {text}", line=n + 1, text=b[n]))
    more = len(found) - SHOWN
    return found[:SHOWN] + ([_("… and {count} more lines", count=more)] if more > 0 else [])
