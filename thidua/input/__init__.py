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
    return Columns(id=c.units.id, name=c.units.name, group=c.units.group, numbers=numbers,
                   flags=flags, labels=dict(c.columns),
                   groups=tuple(c.units.groups) if c.units.groups is not None else None,
                   skip=tuple(c.units.skip))


def read_inputs(criteria: str, data: str, *, decimal_comma: bool = False,
                sheet: str | None = None) -> tuple[m.Criteria, pl.DataFrame]:
    """The criteria file, checked, and the data file read against it (the run's two inputs)."""
    c = load_criteria(criteria)
    return c, read_data(data, columns_for(c), decimal_comma=decimal_comma, sheet=sheet)


def load_units(c: m.Criteria, data: str, *, decimal_comma: bool = False,
               sheet: str | None = None) -> list[tuple[str, str, str | None]]:
    """The units (id, name, group) of a data file, read by the criteria's unit columns only."""
    found = columns_for(c)
    frame = read_data(data, Columns(id=found.id, name=found.name, group=found.group,
                                    numbers=frozenset(), flags=frozenset(), labels=found.labels,
                                    groups=found.groups, skip=found.skip),
                      decimal_comma=decimal_comma, sheet=sheet)
    group = frame.get_column("group") if "group" in frame.columns else [None] * frame.height
    return list(zip(frame.get_column("id"), frame.get_column("name"),
                    group, strict=True))


def shipped(name: str) -> Path:
    """A file shipped inside the package, under thidua/criteria/."""
    return Path(str(resources.files("thidua") / "criteria" / name))
