"""Files → a checked criteria model and a clean data frame (the edge before the core)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import polars as pl

from thidua import model as m
from thidua.core.scoring import indicators
from thidua.input.data import Columns, read_data
from thidua.input.load import load_criteria


def columns_for(c: m.Criteria) -> Columns:
    numbers, flags = indicators(c)
    return Columns(id=c.units.id, name=c.units.name, group=c.units.group, numbers=numbers, flags=flags)


def read_inputs(criteria: str, data: str, *, decimal_comma: bool = False,
                sheet: str | None = None) -> tuple[m.Criteria, pl.DataFrame]:
    """The criteria file, checked, and the data file read against it (the run's two inputs)."""
    c = load_criteria(criteria)
    return c, read_data(data, columns_for(c), decimal_comma=decimal_comma, sheet=sheet)


def shipped(name: str) -> Path:
    """A file shipped inside the package, under thidua/criteria/."""
    return Path(str(resources.files("thidua") / "criteria" / name))
