"""`--members RESULT_FILE`: the members' own `thidua score` output (CSV, Parquet or JSON) read
back as one row a member (core/members.py MEMBER_SCHEMA), checked against this run.

What is checked, every problem at once (council-path §6):
- the file is a thidua result: its columns (or, in JSON, each unit's keys) hold the contract's
  `id`, `total`, `rank`, `classification`, `awards`, `knockouts` and the `members.of` column;
- every member names its collective;
- a collective id that matches no unit of this run exactly but differs from one only in case,
  spacing or diacritics ("Đăk Lăk" / "Đắk Lắk") is bad input naming both (other ids are
  collectives this run does not score, and are ignored);
- each code a members condition names is known to the file: held by some member, or (JSON)
  one of the file's award codes. A code that no member holds is refused when the file holds a
  code close to it (a typo), and under a JSON result when it is not one of its awards; else it
  is taken as held by no member (a knockout nobody was hit by this year).
"""

from __future__ import annotations

import difflib
import json
import unicodedata
from pathlib import Path
from typing import Any

import polars as pl

from thidua import model as m
from thidua.core import members as core
from thidua.errors import DataError, Problem, UsageError
from thidua.i18n import _

NEEDED = ("id", "total", "rank", "classification", "awards", "knockouts")
LIMIT = 20  # problems of one kind listed before "… and N more"


def check_model(c: m.Criteria, add: Any) -> None:
    """The members conditions' own shape (called with checks.py's `add`)."""
    for i, award in enumerate(c.awards):
        for j, cond in enumerate(award.eligible.members or []):
            where = f"awards[{i}].eligible.members[{j}]"
            named = [k for k in ("award", "classification", "knockout") if getattr(cond, k) is not None]
            if len(named) != 1:
                add(where, _("needs exactly one of award, classification or knockout"))
            tests = [k for k in ("share", "count", "count_max") if getattr(cond, k) is not None]
            if len(tests) != 1:
                add(where, _("needs exactly one of share, count or count_max"))
            if isinstance(cond.classification, list) and not cond.classification:
                add(f"{where}.classification", _("names no classification label"))


def fold(text: str) -> str:
    """An id without case, spacing or diacritics ("dak lak" for "Đắk Lắk")."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(ch for ch in plain if not unicodedata.combining(ch)).split()).casefold()


def read_members(c: m.Criteria, path: str | None, units: pl.DataFrame,
                 criteria: str = "<criteria>") -> core.MembersData | None:
    """The members' result for this run, checked; None when the file has no members
    conditions and no file is given."""
    if path is None:
        if core.needed(c):
            where = next(f"awards[{i}].eligible.members" for i, a in enumerate(c.awards)
                         if a.eligible.members)
            raise UsageError(criteria, [Problem(where, _(
                "members conditions need the members' result: give --members RESULT_FILE (the "
                "members' own thidua score output)"))])
        return None
    of = c.members.of if c.members else "group"
    rows, places, known = _read(path, of)
    problems = _near_misses(rows, places, units, of)
    problems += _codes(c, rows, known, criteria)
    if problems:
        raise DataError(path, problems)
    return core.MembersData(rows, path)


def _unneutralised(e: pl.Expr) -> pl.Expr:
    """A text cell thidua's CSV wrote with a ' before a formula's first character, as it was."""
    return pl.when(e.str.contains(r"^'[=+\-@\t\r]")).then(e.str.slice(1)).otherwise(e)


def _listed(e: pl.Expr) -> pl.Expr:
    return e.fill_null("").str.split(";").list.eval(pl.element().filter(pl.element() != ""))


def _read(path: str, of: str) -> tuple[pl.DataFrame, list[str], set[str]]:
    """(members frame, each row's place as a person finds it, award codes the file knows)."""
    suffix = Path(path).suffix.lower()
    try:
        if suffix == ".json":
            return _read_json(path, of)
        if suffix == ".csv":
            raw = pl.read_csv(path, infer_schema=False, glob=False)
            places = [_("row {row}", row=i + 2) for i in range(raw.height)]
        elif suffix == ".parquet":
            raw = pl.read_parquet(path, glob=False)
            places = [_("row {row}", row=i + 1) for i in range(raw.height)]
        else:
            raise DataError(path, [Problem("", _(
                "not a thidua result: --members reads the .csv, .parquet or .json that thidua "
                "score writes, not {extension}", extension=repr(suffix or Path(path).name)))])
    except FileNotFoundError:
        raise UsageError(path, [Problem("", _("no such file"))]) from None
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as e:
        raise DataError(path, [Problem("", _("not a thidua result: the file cannot be read as "
                                             "{kind} ({error})", kind=suffix.lstrip("."),
                                             error=str(e).splitlines()[0] if str(e) else type(e).__name__))]) from None
    lacking = [k for k in (*NEEDED, of) if k not in raw.columns]
    if lacking:
        raise DataError(path, [Problem("", _(
            "not a thidua result: it lacks the columns {columns} that thidua score writes",
            columns=", ".join(map(repr, dict.fromkeys(lacking)))))])
    # lists are held as list columns, or (as score writes them) joined with ";"
    lists = {k for k in ("awards", "knockouts") if isinstance(raw.schema[k], pl.List)}
    text = [k for k in dict.fromkeys(["id", of, "classification", "awards", "knockouts"]) if k not in lists]
    try:
        raw = raw.with_columns(pl.col(k).cast(pl.String) for k in text)
        raw = raw.with_columns(pl.col(k).cast(pl.List(pl.String)) for k in lists)
    except pl.exceptions.PolarsError:
        raise DataError(path, [Problem("", _(
            "not a thidua result: its columns {columns} do not hold text",
            columns=", ".join(map(repr, [*text, *sorted(lists)]))))]) from None
    if suffix == ".csv":
        raw = raw.with_columns(_unneutralised(pl.col(k)) for k in text)

    def listed(k: str) -> pl.Expr:
        return pl.col(k).fill_null([]) if k in lists else _listed(pl.col(k))

    frame = raw.select(pl.col(of).alias("collective"), listed("awards").alias("awards"),
                       pl.col("classification"), listed("knockouts").alias("knockouts"))
    return frame.cast(core.MEMBER_SCHEMA), places, set()  # type: ignore[arg-type]


def _read_json(path: str, of: str) -> tuple[pl.DataFrame, list[str], set[str]]:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise DataError(path, [Problem("", _("not a thidua result: not JSON ({error})",
                                             error=str(e)))]) from None
    units = document.get("units") if isinstance(document, dict) else None
    if not isinstance(units, list):
        raise DataError(path, [Problem("", _("not a thidua result: it lacks the list units that "
                                             "thidua score writes"))])
    problems = []
    for i, u in enumerate(units):
        lacking = [k for k in (*NEEDED, of) if not isinstance(u, dict) or k not in u]
        if lacking:
            problems.append(Problem(f"units[{i}]", _(
                "not a thidua result: it lacks the keys {keys} that thidua score writes",
                keys=", ".join(map(repr, dict.fromkeys(lacking))))))
    if problems:
        raise DataError(path, problems[:LIMIT])

    def codes(value: Any) -> list[str]:
        return [str(v) for v in value] if isinstance(value, list) else []

    frame = pl.DataFrame({
        "collective": [None if u[of] is None else str(u[of]) for u in units],
        "awards": [codes(u["awards"]) for u in units],
        "classification": [u["classification"] for u in units],
        "knockouts": [codes(u["knockouts"]) for u in units],
    }, schema=core.MEMBER_SCHEMA)
    known = {str(a.get("code")) for a in document.get("awards") or [] if isinstance(a, dict)}
    return frame, [f"units[{i}]" for i in range(len(units))], known


def _near_misses(rows: pl.DataFrame, places: list[str], units: pl.DataFrame, of: str) -> list[Problem]:
    """A member without a collective; a collective id that is a unit's id but for case, spacing
    or diacritics."""
    out: list[Problem] = []
    values = rows.get_column("collective").to_list()
    for i, v in enumerate(values):
        if v is None or not v.strip():
            out.append(Problem(f"{places[i]}, {of}", _("empty: every member names its collective")))
    ids = units.get_column("id").to_list()
    exact = set(ids)
    folded: dict[str, str] = {}
    for unit in ids:
        folded.setdefault(fold(unit), unit)
    seen: set[str] = set()
    for i, v in enumerate(values):
        if v is None or v in exact or v in seen:
            continue
        seen.add(v)
        unit = folded.get(fold(v))
        if unit is not None:
            out.append(Problem(f"{places[i]}, {of}", _(
                "{value} is not a unit of the data file but differs from its unit {unit} only in "
                "case, spacing or diacritics: write the id as the data file does",
                value=repr(v), unit=repr(unit))))
    if len(out) > LIMIT:
        out = [*out[:LIMIT], Problem("", _("… and {count} more", count=len(out) - LIMIT))]
    return out


def _codes(c: m.Criteria, rows: pl.DataFrame, known_awards: set[str], criteria: str) -> list[Problem]:
    """Each code a condition names that the members' result does not know."""
    held = {
        "award": set(rows.get_column("awards").explode().drop_nulls().to_list()) | known_awards,
        "knockout": set(rows.get_column("knockouts").explode().drop_nulls().to_list()),
        "classification": set(rows.get_column("classification").drop_nulls().to_list()),
    }
    out = []
    for i, award in enumerate(c.awards):
        for j, cond in enumerate(award.eligible.members or []):
            kind = cond.kind
            for code in cond.codes:
                if code in held[kind]:
                    continue
                near = _nearest(code, held[kind])
                exact_list = kind == "award" and bool(known_awards)
                if not near and not exact_list:
                    continue  # held by no member this year (see the module's note)
                where = f"{criteria}::awards[{i}].eligible.members[{j}].{kind}"
                hint = (_("; nearest: {codes}", codes=", ".join(near)) if near else "")
                out.append(Problem("", _(
                    "{where} names {code}, which the members' result does not know{hint}",
                    where=where, code=repr(code), hint=hint)))
    return out


def _nearest(code: str, known: set[str]) -> list[str]:
    same = sorted(k for k in known if fold(k).replace(" ", "") == fold(code).replace(" ", ""))
    return same or difflib.get_close_matches(code, sorted(known), n=3, cutoff=0.75)
