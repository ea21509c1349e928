"""--history FILE, for every command that decides awards (../shared/spec/council-path.md
§5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    import polars as pl

    from thidua import model as m


def history_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--history", "history", type=click.Path(dir_okay=False), default=None,
        help="The titles of earlier years (id, year, title; any data format), read by the "
             "criteria file's history conditions.")(command)


def earlier(c: m.Criteria, criteria: str, history: str | None, frame: pl.DataFrame,
            decimal_comma: bool) -> pl.DataFrame | None:
    """The checked history rows the engine reads (None for a file without history conditions);
    UsageError when the criteria file and --history disagree on having history."""
    from thidua.input.history import needed, read_history

    needed(c, criteria, history)
    if history is None:
        return None
    return read_history(c, criteria, history, frame.get_column("id"), decimal_comma=decimal_comma)
