"""The history file (--history FILE, ../shared/spec/council-path.md §5) → the checked rows
(id, year, title), or every problem in it at once.

Any data format (CSV, XLSX, Parquet, JSON), opened and parsed as a data file is (input/data):
the columns named by the criteria file's `history:` section, text in NFC, the year a number.
Then the rows are checked against the run: the year a whole number, before the year scored (this
run decides that year); no (id, year, title) twice; an id that matches no unit but differs from
one only in case, spacing or diacritics ("Đăk Lăk" / "Đắk Lắk") is a typo, named with the unit;
other unmatched ids are units of earlier years and are ignored. Every code a condition names
must be an award of this file or appear in the history file (the nearest codes named).
"""

from __future__ import annotations

import difflib
from pathlib import Path

import polars as pl

from thidua import model as m
from thidua.core import history as hs
from thidua.errors import CriteriaError, DataError, Problem, UsageError
from thidua.i18n import N_, _
from thidua.input.data import LIMIT, Columns
from thidua.input.data import _open as open_table
from thidua.input.data.columns import FILLED, _collect, _Field, _match, _plan, _values, told_filled
from thidua.input.data.messages import _capped, _show, _Unreadable, _visible, at
from thidua.input.data.parse import _text_survey, _tidy_text
from thidua.input.data.problems import _problems
from thidua.input.data.rows import _fold


def needed(c: m.Criteria, criteria: str, path: str | None) -> None:
    """A file with history conditions needs --history; --history needs such a file."""
    if hs.used(c) and path is None:
        raise UsageError(criteria, [Problem("", _(
            "the criteria file has history conditions (awards … eligible.history): give the "
            "history file with --history FILE"))])
    if path is not None and not hs.used(c):
        raise UsageError(path, [Problem("", _(
            "the criteria file has no history conditions, so nothing reads this history file"))])


def read_history(c: m.Criteria, criteria: str, path: str, units: pl.Series, *,
                 decimal_comma: bool = False) -> pl.DataFrame:
    """The rows (id, year, title, row) of the history file, checked against the criteria file
    (read from `criteria`) and the data's unit ids; one DataError naming every problem of the
    file, or a CriteriaError naming the conditions whose code is found nowhere."""
    assert c.history is not None and c.year is not None
    h = c.history
    columns = Columns(id=h.id, name=h.title, group=None, numbers=frozenset({h.year}),
                      flags=frozenset())
    try:
        table = open_table(Path(path), None, columns, decimal_comma)
        positions, problems = _match(table, columns)
        if problems:
            raise DataError(path, problems)
        fields = [_Field("id", h.id, f"c{positions['id']}", "group"),
                  _Field("title", h.title, f"c{positions['name']}", "group"),
                  _Field("year", h.year, f"c{positions[h.year]}", "number")]
        plan = _plan(table, positions)
        loaded = plan.collect_schema()
        wide = told_filled(_collect(table, plan.select(_values(fields, loaded, decimal_comma))),
                           fields, loaded)
        if FILLED in wide.columns:
            wide = wide.filter(pl.col(FILLED)).drop(FILLED)
        wide = _tidy_text(wide.rename({"title": "name"}), _text_survey(wide.rename({"title": "name"})))
        wide = wide.rename({"name": "title"})
        problems = _problems(table, wide, plan, fields, decimal_comma)
    except _Unreadable as e:
        raise DataError(path, e.problems) from None
    problems += _row_problems(c, wide)
    problems += _near_misses(wide, units, h.id)
    if problems:
        raise DataError(path, problems)
    nowhere = _codes(c, wide)
    if nowhere:
        raise CriteriaError(criteria, nowhere)
    return wide.select(pl.col("id"), pl.col("year").cast(pl.Int64), pl.col("title"), pl.col("row"))


def _row_problems(c: m.Criteria, wide: pl.DataFrame) -> list[Problem]:
    assert c.history is not None and c.year is not None
    h = c.history
    out: list[Problem] = []
    for what, name in (("id", h.id), ("title", h.title)):
        empty = wide.filter(pl.col(what).is_null() | (pl.col(what).str.strip_chars() == "")).get_column("row")
        out += _capped((Problem(at(r, name), _("the cell is empty")) for r in empty), name,
                       N_("empty cells"))
    year = pl.col("year")
    fine = year.is_finite().fill_null(False)
    odd = wide.filter(fine & (year != year.round(0))).select("row", "year").rows()
    out += _capped((Problem(at(r, h.year), _("{value}: a year must be a whole number",
                                             value=_show(_number(y)))) for r, y in odd),
                   h.year, N_("years that are not whole numbers"))
    late = wide.filter(fine & (year == year.round(0)) & (year >= c.year)).select("row", "year").rows()
    out += _capped((Problem(at(r, h.year), _(
        "{value} is not before the year scored ({year}): this run decides {year}, the history "
        "file holds only earlier years", value=_show(_number(y)), year=c.year)) for r, y in late),
        h.year, N_("rows of the year scored or later"))
    twice = (wide.filter(fine & pl.col("id").is_not_null() & pl.col("title").is_not_null())
             .filter(pl.struct("id", "year", "title").is_duplicated())
             .group_by("id", "year", "title", maintain_order=True).agg("row"))
    out += _capped((Problem(at(rows[1], h.id), _("{id}, {year}, {title} appears in rows {rows}",
                                    id=_show(i), year=_number(y), title=_show(t),
                                    rows=", ".join(map(str, rows))))
                    for i, y, t, rows in twice.rows()), h.id, N_("duplicate rows"))
    return out


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _key(text: str) -> str:
    return "".join(_fold(text).split())


def _near_misses(wide: pl.DataFrame, units: pl.Series, column: str) -> list[Problem]:
    """An id of no unit that differs from a unit's id only in case, spacing or diacritics."""
    known = set(units.to_list())
    strangers = (wide.filter(pl.col("id").is_not_null() & ~pl.col("id").is_in(units.implode()))
                 .group_by("id", maintain_order=True).agg(pl.col("row").first()))
    if strangers.height == 0:
        return []
    folded: dict[str, str] = {}
    for unit in sorted(known):
        folded.setdefault(_key(unit), unit)
    found = []
    for ident, row in strangers.rows():
        unit = folded.get(_key(ident))
        if unit is not None:
            found.append(Problem(at(row, column), _(
                "the id {id} is no unit's, but differs from the unit {unit} only in case, spacing "
                "or diacritics: write it as the data file does", id=f"'{_visible(ident)}'",
                unit=f"'{_visible(unit)}'")))
    return _capped(iter(found), column, N_("ids that differ from a unit's"))


def _codes(c: m.Criteria, wide: pl.DataFrame) -> list[Problem]:
    """Every code a condition names is an award of this file or a title of the history file."""
    titles = sorted(set(wide.get_column("title").drop_nulls().to_list()))
    labels = [b.label for b in c.classification]
    awards = [a.code for a in c.awards]
    out = []
    for i, k, t, cond in hs.conditions(c):
        where = f"awards[{i}].eligible.history[{k}]" + (f".any[{t}]" if isinstance(
            (c.awards[i].eligible.history or [])[k], m.AnyOf) else "")
        if cond.title is not None and cond.title not in awards and cond.title not in titles:
            out.append(Problem(f"{where}.title", _(
                "{code} is no award of the criteria file and no title of the history file",
                code=f"'{_visible(cond.title)}'") + nearest(cond.title, [*awards, *titles])))
        if (cond.classification is not None and cond.classification not in labels
                and cond.classification not in titles):
            out.append(Problem(f"{where}.classification", _(
                "{code} is no classification label of the criteria file and no title of the "
                "history file", code=f"'{_visible(cond.classification)}'")
                + nearest(cond.classification, [*labels, *titles])))
    return out[:LIMIT]


def nearest(code: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(code, list(dict.fromkeys(candidates)), n=3, cutoff=0.5)
    if not close:
        return ""
    return _("; nearest: {codes}", codes=", ".join(f"'{_visible(x)}'" for x in close))
