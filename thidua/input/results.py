"""Reading back a result of `thidua score` (JSON, CSV or Parquet, as it writes them) for
`thidua compare`: the unit table with its contract columns and every node's points.

Whatever the file, the rows become one frame of the same columns and types: `id`, `name`,
`group`, `total`, `classification`, `rank`, `rank_overall`, `awards` and `flagged` (lists of
codes), then `points.<code>` for every node, in the file's order. A file that is not such a
result, or holds a value that is not what `score` writes (a rank that is not a whole number, a
total that is not a number, an empty or repeated id), is bad input: every problem is named at
its place (`a.json::units[3].total`, `b.csv::row 4, total`), at most LIMIT of them.
"""

from __future__ import annotations

import json
import math
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from thidua.errors import DataError, Problem
from thidua.i18n import _, system

LIMIT = 20  # problems listed before "… and N more"
MAX_BYTES = {".json": 200_000_000, ".csv": 1_000_000_000, ".parquet": 1_000_000_000}
REQUIRED = ("id", "total", "rank")  # without them a file is not a result of score
TEXT = ("id", "name", "group", "classification")
NUMBERS = ("total",)
WHOLE = ("rank", "rank_overall")
LISTS = ("awards", "flagged")
POINTS = "points."


@dataclass(frozen=True)
class Scored:
    """A result of `thidua score` as read back."""

    source: str
    units: pl.DataFrame  # the columns above, in the file's order (rank order)
    codes: tuple[str, ...]  # every node's code, in the file's order
    awards: tuple[str, ...]  # the award codes it names (its award lists, else its units')
    criteria: dict[str, Any]  # id and version of the criteria file (JSON only; else {})
    awards_listed: bool = False  # the file lists its awards (JSON), not only the units' awards


def read_result(path: str) -> Scored:
    """The result at `path`, by its extension; DataError naming every problem."""
    p = Path(path)
    ext = p.suffix.lower()
    if ext not in MAX_BYTES:
        raise DataError(path, [Problem("", _(
            "cannot read {ext} files as a result of thidua score; use .json, .csv or .parquet",
            ext=f"'{ext or p.name}'"))])
    _check_file(p, path, MAX_BYTES[ext])
    if ext == ".json":
        return _json(p, path)
    try:
        if ext == ".csv":
            frame = pl.read_csv(p, infer_schema=False, glob=False)
        else:
            frame = pl.read_parquet(p, glob=False)
    except Exception as e:  # what a damaged file raises depends on the reader
        raise DataError(path, [Problem("", _("not a {format} file thidua can read ({error})",
                                             format=ext.lstrip("."), error=type(e).__name__))]
                        ) from None
    return _table(frame, path)


def _check_file(p: Path, source: str, limit: int) -> None:
    def refuse(message: str) -> DataError:
        return DataError(source, [Problem("", message)])
    try:
        info = p.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise refuse(_("no such file")) from None
    except OSError as e:
        raise refuse(_("cannot be read: {reason}", reason=system(e))) from None
    if stat.S_ISDIR(info.st_mode):
        raise refuse(_("is a folder, not a file"))
    if not stat.S_ISREG(info.st_mode):
        raise refuse(_("is not a regular file (a device, a pipe or a socket); give the path of "
                       "a result of thidua score"))
    if info.st_size == 0:
        raise refuse(_("the file is empty"))
    if info.st_size > limit:
        raise refuse(_("is {size} bytes; a result to compare may be at most {limit}",
                       size=f"{info.st_size:,}", limit=f"{limit:,}"))


def _not_a_result(source: str, why: str) -> DataError:
    return DataError(source, [Problem("", _("not a result of thidua score: {why}", why=why))])


def _json(p: Path, source: str) -> Scored:
    try:
        document = json.loads(p.read_text(encoding="utf-8"),
                              parse_constant=lambda name: _refuse_constant(name))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        why = _("not UTF-8 text") if isinstance(e, UnicodeDecodeError) else \
            _("not strict JSON ({error})", error=str(e).split(":")[0])
        raise _not_a_result(source, why) from None
    if not isinstance(document, dict) or not isinstance(document.get("units"), list):
        raise _not_a_result(source, _("no list of units (the key units)"))
    problems: list[Problem] = []
    records: list[dict[str, Any]] = []
    index: list[int] = []  # the place in `units` of each record kept
    codes: dict[str, None] = {}
    for n, unit in enumerate(document["units"]):
        where = f"units[{n}]"
        if not isinstance(unit, dict):
            problems.append(Problem(where, _("not an object")))
            continue
        missing = [k for k in REQUIRED if k not in unit]
        if missing:
            problems.append(Problem(where, _("no {keys}: not a unit of thidua score",
                                             keys=", ".join(missing))))
            continue
        points = unit.get("points", {})
        if not isinstance(points, dict):
            problems.append(Problem(f"{where}.points", _("not an object of points by code")))
            points = {}
        record: dict[str, Any] = {k: _as_text(unit.get(k)) for k in (*TEXT, *NUMBERS, *WHOLE)}
        for k in LISTS:
            value = unit.get(k, [])
            if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
                problems.append(Problem(f"{where}.{k}", _("not a list of codes")))
                value = []
            record[k] = ";".join(value)
        for code, value in points.items():
            codes.setdefault(code)
            record[POINTS + code] = _as_text(value)
        records.append(record)
        index.append(n)
    names = [*TEXT, *NUMBERS, *WHOLE, *LISTS, *(POINTS + c for c in codes)]
    frame = pl.DataFrame({k: [r.get(k) for r in records] for k in names},
                         schema=dict.fromkeys(names, pl.String))
    awards = [a.get("code") for a in document.get("awards") or [] if isinstance(a, dict)]
    criteria = document.get("criteria")
    meta = {k: criteria.get(k) for k in ("id", "version")} if isinstance(criteria, dict) else {}
    return _typed(frame, source, "units[{row}]", [a for a in awards if isinstance(a, str)], meta,
                  offset=0, found=problems, index=index)


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"  # refused where a number is wanted
    if isinstance(value, float | int):
        return repr(value) if isinstance(value, float) else str(value)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _table(frame: pl.DataFrame, source: str) -> Scored:
    missing = [k for k in REQUIRED if k not in frame.columns]
    if missing:
        raise _not_a_result(source, _("no column {columns}", columns=", ".join(missing)))
    text = frame.select(pl.col(c).cast(pl.String) if not isinstance(t, pl.List)
                        else pl.col(c).list.join(";") for c, t in frame.schema.items())
    text = text.with_columns(pl.lit(None, pl.String).alias(k)
                             for k in (*TEXT, *WHOLE, *LISTS) if k not in text.columns)
    return _typed(text, source, "row {row}", [], {}, offset=2)


def _typed(frame: pl.DataFrame, source: str, place: str, awards: list[str],
           criteria: dict[str, Any], offset: int, found: list[Problem] | None = None,
           index: list[int] | None = None) -> Scored:
    """Every column of text `frame` parsed to its type; DataError naming each bad value, after
    the problems `found` already. `index`: each row's place in the file (else its position)."""
    problems: list[Problem] = list(found or [])
    codes = [c.removeprefix(POINTS) for c in frame.columns if c.startswith(POINTS)]

    def at(i: int) -> str:
        return place.format(row=(index[i] if index is not None else i) + offset)

    def where(i: int, column: str) -> str:
        row = at(i)
        return f"{row}.{column}" if offset == 0 else f"{row}, {column}"

    def numbers(column: str, whole: bool, required: bool) -> list[float | int | None]:
        out: list[float | int | None] = []
        for i, text in enumerate(frame.get_column(column).to_list()):
            value: float | int | None = None
            if text is None or text == "":
                if required:
                    problems.append(Problem(where(i, column), _("empty; a result has a value "
                                                                "here")))
            else:
                try:
                    number = float(text)
                    if not math.isfinite(number):
                        raise ValueError
                    value = number
                    if whole:
                        if not number.is_integer() or number < 1:
                            raise ValueError
                        value = int(number)
                except ValueError:
                    what = _("a rank, a whole number from 1") if whole else _("a number")
                    problems.append(Problem(where(i, column), _(
                        "{value} is not {what}", value=repr(text), what=what)))
            out.append(value)
        return out

    ids = frame.get_column("id").to_list()
    for i, unit in enumerate(ids):
        if unit is None or unit == "":
            problems.append(Problem(where(i, "id"), _("empty; every unit has an id")))
    seen: dict[str, list[int]] = {}
    for i, unit in enumerate(ids):
        if unit:
            seen.setdefault(unit, []).append(i)
    for unit, places in seen.items():
        if len(places) > 1:
            rows = ", ".join(map(at, places))
            problems.append(Problem(where(places[1], "id"), _(
                "unit {id} appears {count} times ({rows}); a result holds each unit once",
                id=repr(unit), count=len(places), rows=rows)))
    columns: dict[str, Any] = {k: frame.get_column(k).to_list() for k in TEXT}
    columns["total"] = numbers("total", False, True)
    columns["rank"] = numbers("rank", True, True)
    columns["rank_overall"] = numbers("rank_overall", True, False)
    for k in LISTS:
        columns[k] = [[x for x in (t or "").split(";") if x] for t in frame.get_column(k).to_list()]
    for code in codes:
        columns[POINTS + code] = numbers(POINTS + code, False, False)
    if problems:
        raise DataError(source, _limited(problems))
    schema: dict[str, Any] = {**dict.fromkeys(TEXT, pl.String), "total": pl.Float64,
                              "rank": pl.Int64, "rank_overall": pl.Int64,
                              **dict.fromkeys(LISTS, pl.List(pl.String)),
                              **{POINTS + c: pl.Float64 for c in codes}}
    units = pl.DataFrame(columns, schema=schema)
    named = awards or list(dict.fromkeys(a for row in columns["awards"] for a in row))
    return Scored(source, units, tuple(codes), tuple(named), criteria, bool(awards) or
                  offset == 0)


def _limited(problems: list[Problem]) -> list[Problem]:
    more = len(problems) - LIMIT
    if more <= 0:
        return problems
    return [*problems[:LIMIT], Problem("", _("… and {count} more", count=more))]
