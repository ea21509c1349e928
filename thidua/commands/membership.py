"""--members RESULT_FILE: the option every command that decides awards takes, and its reading.

The file is an input of the run like the data file: the manifest records its hash and `verify`
checks it (commands/common.py records every file option).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # polars is imported by the command that runs (cli.py sets its allocator first)
    import polars as pl

    from thidua import model as m


def members_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--members", "members", type=click.Path(dir_okay=False), default=None,
        help="The members' own thidua score result (CSV, Parquet or JSON), for the criteria "
             "file's members conditions.")(command)


def members_of(c: m.Criteria, members: str | None, frame: pl.DataFrame, criteria: str) -> Any:
    """The members' result read and checked against this run's units (input/members.py)."""
    from thidua.input.members import read_members

    return read_members(c, members, frame, criteria)
