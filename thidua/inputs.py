"""Files → a checked criteria model and a clean data frame (the edge before the core)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import polars as pl

from . import model as m
from .data import Columns, read_data
from .load import load_criteria
from .scoring import indicators


def columns_for(c: m.Criteria) -> Columns:
    numbers, flags = indicators(c)
    return Columns(id=c.units.id, name=c.units.name, group=c.units.group, numbers=numbers, flags=flags)


def load(criteria: str, data: str, *, decimal_comma: bool = False,
         sheet: str | None = None) -> tuple[m.Criteria, pl.DataFrame]:
    c = load_criteria(criteria)
    return c, read_data(data, columns_for(c), decimal_comma=decimal_comma, sheet=sheet)


def shipped(name: str) -> Path:
    """A file shipped inside the package, under thidua/criteria/."""
    return Path(str(resources.files("thidua") / "criteria" / name))


def write_atomic(path: str, write: Callable[[str], None]) -> None:
    """The file appears whole or not at all: written beside its place, then renamed over it."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # an ordinary file's mode, not mkstemp's private 0600
    try:
        write(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
