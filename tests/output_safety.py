"""What the output-safety tests share: every command that takes -o, a strict CLI runner, and a
snapshot of a folder to prove that a failed run left every file as it was."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from click.testing import CliRunner, Result

from thidua.cli import cli

from .util import SMALL_CRITERIA, SMALL_DATA

# command → its arguments after the criteria and data files (None: the command reads no file
# of the user's: demo), and an extension it writes.
COMMANDS: dict[str, tuple[list[str] | None, str]] = {
    "score": ([], ".csv"),
    "awards": ([], ".csv"),
    "explain": (["X1"], ".json"),
    "audit": ([], ".csv"),
    "sensitivity": (["--draws", "3", "--no-margins"], ".csv"),
    "demo": (None, ".csv"),
}


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def command_line(command: str, criteria: str = "c.yaml", data: str = "d.csv") -> list[str]:
    more, _ = COMMANDS[command]
    return [command] if more is None else [command, criteria, data, *more]


def write_inputs(folder: Path) -> tuple[Path, Path]:
    criteria, data = folder / "c.yaml", folder / "d.csv"
    criteria.write_text(SMALL_CRITERIA, encoding="utf-8")
    data.write_text(SMALL_DATA, encoding="utf-8")
    return criteria, data


def snapshot(folder: Path) -> dict[str, object]:
    """Every entry under `folder`: a file's bytes, a link's target, a device's numbers."""
    found: dict[str, object] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            mode = os.lstat(path).st_mode
            key = str(path.relative_to(folder))
            if stat.S_ISLNK(mode):
                found[key] = ("link", os.readlink(path))
            elif stat.S_ISREG(mode):
                found[key] = path.read_bytes()
            elif stat.S_ISDIR(mode):
                found[key] = "folder"
            else:
                found[key] = ("special", stat.S_IFMT(mode), os.lstat(path).st_rdev)
    return found


def leftovers() -> list[str]:
    """The temporary files and folders this process left in the system's temporary folder."""
    return sorted(n for n in os.listdir(tempfile.gettempdir())
                  if n.startswith(".thidua-") and f"-{os.getpid()}-" in n)
