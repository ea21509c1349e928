"""Files → a checked criteria model and a clean data frame (the edge before the core)."""

from __future__ import annotations

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
    """The file appears whole or not at all: `write` fills a temporary file beside its place,
    which is then renamed over it (thidua/writing.py: only a regular file or a new path is
    written; on any error or SIGTERM the temporary file is removed)."""
    from .writing import check_place, staged

    check_place(path)
    with staged() as stage:
        write(stage.temporary(path))
        stage.commit()
