"""The library of shipped criteria files: `thidua list` shows them, `thidua init` copies one.

The files live in the package (thidua/criteria/<id>.yaml, with example data <id>.csv beside
them) and are read through importlib.resources, so both commands work from an installed wheel.
"""

from __future__ import annotations

import difflib
import shlex
from dataclasses import dataclass
from pathlib import Path

import click

from thidua.commands.common import reports_errors
from thidua.i18n import _, ngettext, system

HISTORY = ".lich-su.csv"  # a shipped file's history file beside it (<id>.lich-su.csv), if any
MEMBERS = "-thanh-vien.csv"  # a shipped file of collectives' members' result (<id>-thanh-vien.csv), if any


@dataclass(frozen=True)
class Entry:
    """One shipped criteria file, as `thidua list` shows it."""

    id: str
    name: str
    criteria: int  # scored criteria (leaves), as `thidua validate` counts them
    data: str | None  # the example data file beside it, if any


def shipped_ids() -> list[str]:
    """The ids of the shipped criteria files, sorted."""
    from thidua.input import shipped

    return sorted(p.stem for p in shipped("").iterdir() if p.suffix == ".yaml")


def entries() -> list[Entry]:
    from thidua.input import shipped
    from thidua.input.checks import all_nodes
    from thidua.input.load import load_criteria

    out = []
    for name in shipped_ids():
        c = load_criteria(str(shipped(f"{name}.yaml")))
        leaves = sum(1 for _place, node in all_nodes(c) if node.rule is not None)
        data = f"{name}.csv" if shipped(f"{name}.csv").is_file() else None
        out.append(Entry(name, c.name, leaves, data))
    return out


def copy_shipped(name: str, dest: str) -> list[Path]:
    """Copy <name>.yaml (and <name>.csv) into `dest`; never overwrite; return the new files."""
    from thidua.errors import Problem, UsageError
    from thidua.input import shipped

    ident = name.removesuffix(".yaml")
    known = shipped_ids()
    if ident not in known:
        near = difflib.get_close_matches(ident, known, n=3, cutoff=0.5)
        hint = (_("did you mean {names}?", names=_(" or ").join(near)) if near
                else _("the shipped files are {names}", names=", ".join(known)))
        raise UsageError(name, [Problem("", _("no shipped criteria file of that name; {hint} "
                                              "(thidua list shows them)", hint=hint))])
    # the history file of a file of individuals (<id>.lich-su.csv) and the members' result of a
    # file of collectives (<id>-thanh-vien.csv) go too
    sources = [shipped(f"{ident}{ext}") for ext in (".yaml", ".csv", HISTORY, MEMBERS)]
    sources = [s for s in sources if s.is_file()]
    folder = Path(dest)
    targets = [folder / s.name for s in sources]
    taken = [t for t in targets if t.exists()]
    if taken:
        raise UsageError(str(folder.resolve()), [
            Problem("", _("{name} already exists; thidua init never overwrites a file",
                          name=t.name))
            for t in taken])
    created: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for source, target in zip(sources, targets):
            with target.open("xb") as f:  # x: fail rather than overwrite a file made meanwhile
                created.append(target)
                f.write(source.read_bytes())
    except OSError as e:
        for path in created:
            path.unlink(missing_ok=True)
        where = e.filename or dest
        message = _("already exists; thidua init never overwrites a file") \
            if isinstance(e, FileExistsError) else _("cannot be written: {reason}",
                                                     reason=system(e))
        raise UsageError(str(where), [Problem("", message)]) from None
    return created


@click.command("list")
@reports_errors
def list_criteria() -> None:
    """List the criteria files shipped with thidua, one line each.

    Each line shows the file's id, its name, how many criteria it scores and whether example
    data come with it. `thidua init ID` copies one into the working folder.
    """
    found = entries()
    width = max((len(e.id) for e in found), default=0)
    for e in found:
        data = _("example data {file}", file=e.data) if e.data else _("no example data")
        count = ngettext("{count} criterion", "{count} criteria", e.criteria, count=e.criteria)
        click.echo(f"{e.id:<{width}}  {e.name} ({count}; {data})")


@click.command("init")
@click.argument("name")
@click.argument("dest", required=False, default=".", type=click.Path(file_okay=False))
@reports_errors
def init(name: str, dest: str) -> None:
    """Copy the shipped criteria file NAME and its example data into DEST.

    DEST is the working folder unless given, and is created when missing. An existing file is
    never overwritten.

    \b
    Example:
      thidua init nd335-cong-chuc
      thidua init cum-xa bang-diem/
    """
    from thidua.errors import printable

    created = copy_shipped(name, dest)
    for path in created:
        click.echo(printable(_("created {path}", path=str(path))))
    if len(created) >= 2:
        words = [shlex.quote(str(p)) for p in created[:2]]
        for path in created[2:]:
            option = "--history" if path.name.endswith(HISTORY) else "--members"
            words += [option, shlex.quote(str(path))]
        click.echo(printable(_("next: {command}", command="thidua score " + " ".join(words))))
    criteria = created[0]
    from thidua.input.load import load_criteria

    labels = load_criteria(str(criteria)).columns
    click.echo(printable(
        ngettext("headers: {name} reads {count} column by the header under columns:, the others "
                 "by their own names; put your workbook's headers there",
                 "headers: {name} reads {count} columns by the header under columns:, the others "
                 "by their own names; put your workbook's headers there",
                 len(labels), name=criteria.name, count=len(labels))
        if labels else
        _("headers: {name} reads each column by its own name; to read your workbook's headers, "
          "map the names to them under columns: (docs/criteria-format.md)", name=criteria.name)))
    command = f"thidua template {shlex.quote(str(criteria))} -o nhap-lieu.xlsx"
    click.echo(printable(_("data-entry workbook: {command}", command=command)))
