"""Which columns of the file are ours: each found once in the header (`_match`), then loaded and
parsed as whole columns into the frame's columns (`_plan`, `_values`)."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

import polars as pl

from thidua.errors import Problem
from thidua.i18n import _, ngettext
from thidua.input.data.fast import filled, plain_flag, plain_number
from thidua.input.data.formats import _Table
from thidua.input.data.messages import KINDS, _first_line, _letters, _quoted, _Unreadable, _visible
from thidua.input.data.parse import TEXT, _filled, _flag, _number, _text, header_key, percent_text

RESERVED = (*TEXT, "row")
FILLED = "\0filled"
PERCENT = "\0percent "  # while reading: which text numbers of a column end in a percent sign  # while reading a spreadsheet: does the row hold anything we use?


@dataclass(frozen=True)
class Columns:
    """Which columns of the file hold the unit id, name, group and the indicators."""

    id: str
    name: str
    group: str | None
    numbers: frozenset[str]
    flags: frozenset[str]
    # `columns:` of the criteria file: a name it uses → the header that holds it in the data file
    labels: Mapping[str, str] = field(default_factory=dict)
    groups: tuple[str, ...] | None = None  # units.groups: the clusters that exist
    skip: tuple[str, ...] = ()  # units.skip: rows (by their id or name cell) that are no units
    # optional text columns read as they are (a review stage's reason and "by whom",
    # thidua/input/stages.py): frame column → header; a header the file lacks is no problem
    texts: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str:
        """The header that holds the column the criteria file calls `name`."""
        return self.labels.get(name, name)

    def __post_init__(self) -> None:
        both = set(self.numbers) & set(self.flags)
        if both:
            raise ValueError(f"columns read both as numbers and as yes/no: {sorted(both)}")


# --- the header: every column we need, found once ------------------------------------------------


def _wanted(columns: Columns) -> Iterator[tuple[str, str, str]]:
    """(output name, file column, role) for every column the frame holds."""
    yield "id", columns.header(columns.id), _role(_("unit id"), columns, columns.id)
    yield "name", columns.header(columns.name), _role(_("unit name"), columns, columns.name)
    if columns.group is not None:
        yield "group", columns.header(columns.group), _role(_("group"), columns, columns.group)
    for indicator in sorted(columns.numbers | columns.flags):
        yield indicator, columns.header(indicator), _role(_("indicator"), columns, indicator)


def _role(what: str, columns: Columns, name: str) -> str:
    """`unit id`, or `indicator ty_le, its label in columns:` when the file maps its header."""
    if name not in columns.labels:
        return what
    return _("{what} {name}, its label in columns:", what=what, name=_visible(name))


def _match(table: _Table, columns: Columns) -> tuple[dict[str, int], list[Problem]]:
    header = table.header
    clean = [" ".join(_nfc_text(h).split()) for h in header]
    where: dict[str, list[int]] = {}
    for i, name in enumerate(header):
        where.setdefault(header_key(name), []).append(i)
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    for out, column, role in _wanted(columns):
        hits = where.get(header_key(column), [])
        if role.startswith(_("indicator")) and out in RESERVED:
            message = _("indicator {name} has the name of a column the frame adds ({reserved}); "
                        "rename it", name=f"'{_visible(out)}'", reserved=", ".join(RESERVED))
        elif len(hits) == 1:
            positions[out] = hits[0]
            continue
        elif not hits:
            message = _missing(column, role, header)
        else:
            letters = ", ".join(_letters(i) for i in hits)
            message = _("the header has {count} columns named {name} (columns {letters}); a "
                        "name must match one header", count=len(hits),
                        name=f"'{_visible(column)}'", letters=letters)
        if Problem(_("header"), message) not in problems:
            problems.append(Problem(_("header"), message))
    for out, column in columns.texts.items():
        hits = where.get(header_key(column), [])
        if len(hits) == 1:
            positions[out] = hits[0]
        elif hits:
            problems.append(Problem(_("header"), _(
                "the header has {count} columns named {name} (columns {letters}); a name must "
                "match one header", count=len(hits), name=f"'{_visible(column)}'",
                letters=", ".join(_letters(i) for i in hits))))
    unnamed = [i for i, name in enumerate(clean) if not name]
    found = len(set(positions) - set(columns.texts))
    if table.spreadsheet and found < len(list(_wanted(columns))) and unnamed:
        letters = ", ".join(_letters(i) for i in unnamed[:10]) + ", …" * (len(unnamed) > 10)
        problems.append(Problem(_("header"), ngettext(
            "row {row} (the header) has no name in column {letters} (merged cells?); write "
            "every column's name in its own cell of one header row",
            "row {row} (the header) has no name in columns {letters} (merged cells?); write "
            "every column's name in its own cell of one header row", len(unnamed),
            row=table.first_row - 1, letters=letters)))
    return positions, problems


def _missing(column: str, role: str, header: tuple[str, ...] | list[str]) -> str:
    names = [h.strip() for h in header if h.strip()]
    message = _("no column {name} ({role}); the file has {names}", name=f"'{_visible(column)}'",
                role=role, names=_quoted(names) or _("no column names"))
    return message + did_you_mean(column, names)


def did_you_mean(name: str, candidates: list[str]) -> str:
    """'; did you mean 'X'?' for the candidate nearest to `name` as headers are matched (the
    same for every name a file reads), or ''. A candidate that differs only by characters that
    print as nothing is shown with them escaped (\\u200b) and said to differ there."""
    folded = {header_key(h): h for h in reversed(candidates)}
    wanted = header_key(name)
    close = difflib.get_close_matches(wanted, folded, n=1, cutoff=0.6)
    if not close:
        return ""
    near = folded[close[0]]
    if _invisible_stripped(near) == _invisible_stripped(name):
        codes = ", ".join(sorted({f"U+{ord(ch):04X}" for ch in near + name
                                  if not ch.isprintable() and not ch.isspace()}))
        return _("; did you mean {name}? It differs only by an invisible character ({codes}); "
                 "type the header again", name=f"'{_visible(near)}'", codes=codes)
    return _("; did you mean {name}?", name=f"'{_visible(near)}'")


def _invisible_stripped(text: str) -> str:
    return header_key("".join(ch for ch in text if ch.isprintable() or ch.isspace()))


def _nfc_text(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# --- the columns we use, loaded and parsed as whole columns --------------------------------------


@dataclass(frozen=True)
class _Field:
    out: str  # its name in the frame
    column: str  # its name in the file, as configured
    key: str  # the loaded column: c<position in the file>
    kind: str  # id, name, group, number or flag


def _fields(positions: dict[str, int], columns: Columns) -> list[_Field]:
    text = [_Field(out, columns.header(getattr(columns, out)), f"c{positions[out]}", out)
            for out in TEXT if out in positions]
    indicators = sorted((p, out) for out, p in positions.items()
                        if out not in TEXT and out not in columns.texts)
    notes = [_Field(out, column, f"c{positions[out]}", "note")
             for out, column in columns.texts.items() if out in positions]
    return text + [_Field(out, columns.header(out), f"c{p}",
                          "number" if out in columns.numbers else "flag")
                   for p, out in indicators] + notes


def _plan(table: _Table, positions: dict[str, int]) -> pl.LazyFrame:
    order = sorted(set(positions.values()))
    plan = table.load(order)
    plan = plan.rename(dict(zip(plan.collect_schema().names(), (f"c{i}" for i in order),
                                strict=True)))
    schema = plan.collect_schema()
    plan = plan.with_row_index("row", offset=table.first_row)
    plan = plan.with_columns(pl.col("row").cast(pl.Int64))
    if table.spreadsheet:  # a blank row is no unit; read_data counts and skips it
        # text columns are told filled from their values once read (fast.filled): stripping
        # every text cell here would cost as much again as reading them
        raw = [_filled(k, t) for k, t in schema.items() if t != pl.String]
        plan = plan.with_columns((pl.any_horizontal(raw) if raw else pl.lit(False)).alias(FILLED))
    return plan


def _collect(table: _Table, plan: pl.LazyFrame) -> pl.DataFrame:
    try:
        return plan.collect()
    except pl.exceptions.ComputeError as e:
        raise _Unreadable(*table.explain() or [
            Problem("", _("cannot be read as {kind}: {error}", kind=_(table.kind),
                          error=_first_line(e)))]) from None


def _values(fields: list[_Field], schema: pl.Schema, decimal_comma: bool,
            plain: AbstractSet[str] = frozenset()) -> list[pl.Expr]:
    """Every field as its frame column, plus a mask of bad values for yes/no that can be bad.
    `plain`: keys of text columns read first the plain way (fast.py)."""
    exprs = [pl.col("row"), *([pl.col(FILLED)] if FILLED in schema else [])]
    for f in fields:
        dtype = schema[f.key]
        if f.kind in TEXT:
            exprs.append(_text(f.key, dtype, strip=f.kind != "name").alias(f.out))
        elif f.kind == "note":  # read as written, spaces around it stripped; empty is none
            text = _text(f.key, dtype, strip=True)
            exprs.append(pl.when(text != "").then(text.str.normalize("NFC")).alias(f.out))
        elif f.key in plain:
            exprs += plain_number(f.key, f.out) if f.kind == "number" else plain_flag(f.key, f.out)
        elif f.kind == "number":
            exprs.append(_number(f.key, dtype, decimal_comma).alias(f.out))
            if (percent := percent_text(f.key, dtype)) is not None:
                exprs.append(percent.alias(PERCENT + f.out))
        else:
            value, bad = _flag(f.key, dtype)
            exprs.append(value.alias(f.out))
            if bad is not None:
                exprs.append(bad.fill_null(False).alias(_mask(f)))
    return exprs


def _mask(f: _Field) -> str:
    return f"\0bad {f.out}"


def told_filled(wide: pl.DataFrame, fields: list[_Field], loaded: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """`wide`'s FILLED mask (a spreadsheet's blank rows are no rows), which the plan told from the
    columns loaded as numbers, told from the text columns too, now that they are read (one field
    of each loaded text column): every reader that filters on FILLED calls this first."""
    texts = {f.key: (f.out, f.kind, _mask(f)) for f in reversed(fields) if loaded[f.key] == pl.String}
    return filled(wide, list(texts.values()), FILLED)


def _bad(f: _Field) -> pl.Expr:
    if f.kind == "number":
        return ~pl.col(f.out).is_finite().fill_null(True)
    return pl.col(_mask(f))


def _check_types(schema: pl.Schema, fields: list[_Field]) -> None:
    """A unit's id, name or group must be text or a number, not a list or a record (Parquet)."""
    problems = [Problem(f.column, _("holds {dtype} values, not text: a unit's {what} must be "
                                    "text or a number", dtype=schema[f.key],
                                    what=_(KINDS.get(f.kind, f.kind))))
                for f in fields if f.kind in TEXT and schema[f.key].is_nested()]
    if problems:
        raise _Unreadable(*problems)
