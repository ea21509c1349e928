"""The votes file of `thidua awards --votes VOTES` (docs/criteria-format.md, "Ballots and money"): one row per award and
candidate, columns `award`, `id` and `yes`, in any data format (CSV, XLSX, Parquet, JSON).

It is read by the data readers (thidua/input/data): the same limits, the same text and number
rules, the same messages naming the row, the column and the value. What is particular to votes is
checked here: an empty award or id, and a yes count that is not a whole number from 0 to
council.members; every problem at once. Whether each row is for a candidate, and whether every
candidate has its row, is decided against the shortlists (thidua/core/ballots.py).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl

from thidua import model as m
from thidua.core.chunks import few_chunks
from thidua.errors import DataError, Problem
from thidua.i18n import _
from thidua.input.data import FILLED, LIMIT, Columns, Reading, _readings
from thidua.input.data import _open as open_table
from thidua.input.data.columns import (
    _check_types,
    _collect,
    _fields,
    _match,
    _missing,
    _plan,
    _values,
    told_filled,
)
from thidua.input.data.messages import _show, _Unreadable, at
from thidua.input.data.parse import _text_survey, _tidy_text, header_key
from thidua.input.data.problems import _problems, _text_problems

COLUMNS = ("award", "id", "yes")
# the readers know a row by its unit's id and name: here the id is `id` and the "name" the award
_AS = Columns(id="id", name="award", group=None, numbers=frozenset({"yes"}), flags=frozenset())


def read_votes(path: str, c: m.Criteria, *, decimal_comma: bool = False,
               sheet: str | None = None) -> tuple[pl.DataFrame, list[Problem]]:
    """The votes as a frame of award, id, yes (Int64; empty where the value is bad) and row,
    with the problems of its values (given on to core/ballots.check_votes, which adds the
    candidates' and raises them all at once). A file that cannot be read as votes at all (no
    such file, a missing column) raises its DataError here."""
    members = c.council.members if c.council is not None else 0
    try:
        table = open_table(Path(path), sheet, _AS, decimal_comma)
        keys = [header_key(h) for h in table.header]
        absent = [Problem(_("header"), _missing(name, _("votes"), table.header))
                  for name in COLUMNS if header_key(name) not in keys]
        if absent:
            raise DataError(path, absent)
        positions, problems = _match(table, _AS)
        if problems:
            raise DataError(path, problems)
        fields = _fields(positions, _AS)
        plan = _plan(table, positions)
        schema = plan.collect_schema()
        _check_types(schema, fields)
        wide = told_filled(few_chunks(_collect(table, plan.select(_values(fields, schema, decimal_comma)))),
                           fields, schema)
        rows = wide.height
        if FILLED in wide.columns:
            wide = wide.filter(pl.col(FILLED)).drop(FILLED)
        if wide.height == 0:
            raise DataError(path, [Problem("", _("the file has a header row but no vote rows"))])
        survey = _text_survey(wide)
        wide = _tidy_text(wide, survey)
        floats = {f.out for f in fields if f.kind in ("id", "name") and schema[f.key].is_float()}
        problems += _text_problems(table, wide, fields, survey, floats)
        # an id repeats across awards: the readers' check of unique ids is not the votes' rule
        # (one row per award and candidate, checked in core/ballots.py)
        plain = [replace(f, kind="name") if f.kind == "id" else f for f in fields]
        problems += _problems(table, wide, plan, plain, decimal_comma)
        problems += _vote_problems(wide, members)
    except _Unreadable as e:
        raise DataError(path, e.problems) from None
    found = _readings.get()
    if found is not None:
        found.append(Reading(path, rows, wide.height, rows - wide.height, (), table.sheet))
    yes = pl.col("yes")
    whole = yes.is_finite() & (yes == yes.floor()) & (yes >= 0) & (yes <= members)
    return wide.select(pl.col("name").alias("award"), "id",
                       pl.when(whole).then(yes).cast(pl.Int64).alias("yes"), "row"), problems


def _vote_problems(wide: pl.DataFrame, members: int) -> list[Problem]:
    """An empty award or id; a yes count that is not a whole number from 0 to `members` (a
    value that is no number at all is named by the readers)."""
    problems: list[Problem] = []
    for column, out in (("award", "name"), ("id", "id")):
        empty = wide.filter(pl.col(out).is_null() | (pl.col(out).str.strip_chars() == ""))
        problems += [Problem(at(r, column), _("empty: every vote row names its award and its "
                                              "candidate")) for r in empty.get_column("row").head(LIMIT)]
    blank = wide.filter(pl.col("yes").is_null()).get_column("row").head(LIMIT)
    problems += [Problem(at(r, "yes"), _("empty: every vote row gives its number of yes votes"))
                 for r in blank]
    yes = pl.col("yes")
    bad = wide.filter(yes.is_finite() & ((yes != yes.floor()) | (yes < 0) | (yes > members)))
    problems += [Problem(at(r, "yes"), _(
        "{value} is not a whole number of yes votes from 0 to {members} (council.members)",
        value=_show(int(v) if float(v).is_integer() else v), members=members)) for r, v in bad.select("row", "yes").head(LIMIT).rows()]
    if bad.height > LIMIT:
        problems.append(Problem("yes", _("… and {count} more bad values", count=bad.height - LIMIT)))
    return problems
