"""Which columns of the file are ours: each found once in the header (`_match`), then loaded and
parsed as whole columns into the frame's columns (`_plan`, `_values`)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl

from thidua.errors import Problem
from thidua.input.data.formats import _Table
from thidua.input.data.messages import _first_line, _letters, _quoted, _Unreadable, _visible
from thidua.input.data.parse import TEXT, _filled, _flag, _nfc, _number, _text

RESERVED = (*TEXT, "row")
FILLED = "\0filled"  # while reading a spreadsheet: does the row hold anything we use?


@dataclass(frozen=True)
class Columns:
    """Which columns of the file hold the unit id, name, group and the indicators."""

    id: str
    name: str
    group: str | None
    numbers: frozenset[str]
    flags: frozenset[str]

    def __post_init__(self) -> None:
        both = set(self.numbers) & set(self.flags)
        if both:
            raise ValueError(f"columns read both as numbers and as yes/no: {sorted(both)}")


# --- the header: every column we need, found once ------------------------------------------------


def _wanted(columns: Columns) -> Iterator[tuple[str, str, str]]:
    """(output name, file column, role) for every column the frame holds."""
    yield "id", columns.id, "unit id"
    yield "name", columns.name, "unit name"
    if columns.group is not None:
        yield "group", columns.group, "group"
    for indicator in sorted(columns.numbers | columns.flags):
        yield indicator, indicator, "indicator"


def _match(table: _Table, columns: Columns) -> tuple[dict[str, int], list[Problem]]:
    header = table.header
    clean = [_nfc(h).strip() for h in header]
    where: dict[str, list[int]] = {}
    for i, name in enumerate(clean):
        where.setdefault(name, []).append(i)
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    for out, column, role in _wanted(columns):
        hits = where.get(_nfc(column).strip(), [])
        if role == "indicator" and out in RESERVED:
            message = (f"indicator '{_visible(column)}' has the name of a column the frame adds "
                       f"({', '.join(RESERVED)}); rename it")
        elif len(hits) == 1:
            positions[out] = hits[0]
            continue
        elif not hits:
            message = _missing(column, role, clean)
        else:
            message = f"the header has {len(hits)} columns named '{_visible(column)}'"
        if Problem("header", message) not in problems:
            problems.append(Problem("header", message))
    unnamed = [i for i, name in enumerate(clean) if not name]
    if table.spreadsheet and len(positions) < len(list(_wanted(columns))) and unnamed:
        letters = ", ".join(_letters(i) for i in unnamed[:10]) + ", …" * (len(unnamed) > 10)
        problems.append(Problem("header", (
            f"row {table.first_row - 1} (the header) has no name in column"
            f"{'s' if len(unnamed) > 1 else ''} {letters} (merged cells?); write every "
            "column's name in its own cell of one header row")))
    return positions, problems


def _missing(column: str, role: str, header: list[str]) -> str:
    names = [h for h in header if h]
    message = (f"no column '{_visible(column)}' ({role}); the file has "
               f"{_quoted(names) or 'no column names'}")
    folded = {h.casefold(): h for h in reversed(names)}
    close = difflib.get_close_matches(_nfc(column).strip().casefold(), folded, n=1, cutoff=0.6)
    return message + (f"; did you mean '{_visible(folded[close[0]])}'?" if close else "")


# --- the columns we use, loaded and parsed as whole columns --------------------------------------


@dataclass(frozen=True)
class _Field:
    out: str  # its name in the frame
    column: str  # its name in the file, as configured
    key: str  # the loaded column: c<position in the file>
    kind: str  # id, name, group, number or flag


def _fields(positions: dict[str, int], columns: Columns) -> list[_Field]:
    text = [_Field(out, getattr(columns, out), f"c{positions[out]}", out)
            for out in TEXT if out in positions]
    indicators = sorted((p, out) for out, p in positions.items() if out not in TEXT)
    return text + [_Field(out, out, f"c{p}", "number" if out in columns.numbers else "flag")
                   for p, out in indicators]


def _plan(table: _Table, positions: dict[str, int]) -> pl.LazyFrame:
    order = sorted(set(positions.values()))
    plan = table.load(order)
    plan = plan.rename(dict(zip(plan.collect_schema().names(), (f"c{i}" for i in order),
                                strict=True)))
    schema = plan.collect_schema()
    plan = plan.with_row_index("row", offset=table.first_row)
    plan = plan.with_columns(pl.col("row").cast(pl.Int64))
    if table.spreadsheet:  # a blank row is no unit; read_data counts and skips it
        plan = plan.with_columns(pl.any_horizontal(_filled(k, t) for k, t in schema.items())
                                 .alias(FILLED))
    return plan


def _collect(table: _Table, plan: pl.LazyFrame) -> pl.DataFrame:
    try:
        return plan.collect()
    except pl.exceptions.ComputeError as e:
        raise _Unreadable(*table.explain() or [
            Problem("", f"cannot be read as {table.kind}: {_first_line(e)}")]) from None


def _values(fields: list[_Field], schema: pl.Schema, decimal_comma: bool) -> list[pl.Expr]:
    """Every field as its frame column, plus a mask of bad values for yes/no that can be bad."""
    exprs = [pl.col("row"), *([pl.col(FILLED)] if FILLED in schema else [])]
    for f in fields:
        dtype = schema[f.key]
        if f.kind in TEXT:
            exprs.append(_text(f.key, dtype, strip=f.kind != "name").alias(f.out))
        elif f.kind == "number":
            exprs.append(_number(f.key, dtype, decimal_comma).alias(f.out))
        else:
            value, bad = _flag(f.key, dtype)
            exprs.append(value.alias(f.out))
            if bad is not None:
                exprs.append(bad.fill_null(False).alias(_mask(f)))
    return exprs


def _mask(f: _Field) -> str:
    return f"\0bad {f.out}"


def _bad(f: _Field) -> pl.Expr:
    if f.kind == "number":
        return ~pl.col(f.out).is_finite().fill_null(True)
    return pl.col(_mask(f))


def _check_types(schema: pl.Schema, fields: list[_Field]) -> None:
    """A unit's id, name or group must be text or a number, not a list or a record (Parquet)."""
    problems = [Problem(f.column, f"holds {schema[f.key]} values, not text: a unit's {f.kind} must "
                                  "be text or a number")
                for f in fields if f.kind in TEXT and schema[f.key].is_nested()]
    if problems:
        raise _Unreadable(*problems)
