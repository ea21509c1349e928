"""`thidua verify MANIFEST`: are a run's inputs unchanged, and does rerunning it give its outputs?

A manifest is a file someone hands over, so nothing in it is trusted. Before anything runs, it is
checked against the command it names: only the commands that compute a result are rerun
(RERUNNABLE), only with arguments and options that command has, each of the type it takes; every
file the command will read must be one of the manifest's inputs, found (relative to the run's
folder, or where it was) with its recorded SHA-256, or nothing is recomputed (a missing or
changed input is named, exit 1). The command then runs again into a temporary folder, the only
place anything is written, and each recorded output, the file of that name beside the manifest,
is compared with its recomputation (thidua/trust/verify.py, each format read back as the registry
of the command's kind of result says, thidua/output/formats.py): identical, or which units differ
and how. Text from the manifest or the files is printed with its control characters escaped.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path, PurePath
from typing import Any

import click

from thidua import i18n
from thidua.commands.common import option_key, reports_errors
from thidua.i18n import N_, _, ngettext, system
from thidua.output import formats

RERUNNABLE = tuple(formats.BY_COMMAND)  # the commands that compute a result
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
    from thidua.trust.verify import compare, is_file

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
        if any(is_file(p) for p in recorded.values()):  # else there is nothing to compare with
            _rerun(command, m, source, paths, Path(folder) / PurePath(m.outputs[0].path).name)
        kind = formats.BY_COMMAND[m.command]
        for o in m.outputs:
            text = o.format in formats.FORMATS and not formats.FORMATS[o.format].binary
            lines = compare(o, recorded[o.path], Path(folder) / PurePath(o.path).name,
                            kind.reader(o.format), lines=text)
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
_ROLES["history"] = N_("history")  # --history FILE (council-path §5)
_ROLES["members"] = N_("members' result")  # --members RESULT_FILE (issue 14)
# the review stages' files (--self, --verified, --approved; thidua/input/stages.py)
_ROLES |= {"self_data": N_("self-assessment data (--self)"),
           "verified_data": N_("verified data (--verified)"),
           "approved_data": N_("approved data (--approved)")}
_ROLES["votes"] = N_("votes")  # awards --votes (docs/criteria-format.md, "Ballots and money")


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
    spoken = m.extra.get("language", i18n.language())  # an older manifest records none
    if spoken not in i18n.LANGUAGES:
        raise mf.ManifestError(source, [Problem("language", _(
            "must be one of {choices}, got {value}", choices=", ".join(i18n.LANGUAGES),
            value=mf.shown(json.dumps(spoken, ensure_ascii=False))))])
    previous = i18n.language()
    try:
        try:  # the rerun speaks the run's language: a document's words must compare equal
            i18n.use(spoken)
            command.main(args, prog_name=f"thidua {m.command}", standalone_mode=False)
        finally:
            i18n.use(previous)
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
            if name == "fmt" and value is None and formats.named_by(output) is None:
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
