"""Does a rerun give a run's outputs? Each recorded output is compared with its recomputation:
identical, or which units differ and how.

Outputs that hold tables are read back (each format's reader is the registry's,
thidua/output/formats.py: csv, parquet and xlsx here by their tables, JSON by the kind of result)
and compared unit by unit; text for people (table, markdown, html), and a file that does not
read back, line by line; a binary file that does not read back by its bytes. A recorded output
is read only when it still has its recorded size and SHA-256. The click command is
thidua/commands/verify.py.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from thidua.i18n import N_, _

SHOWN = 20  # differing units listed per table before "… and N more"

Tables = dict[str, list[dict[str, Any]]]  # table name ("" for a file of one) → rows, as text
Reader = Callable[[Path], Tables | None]


def compare(o: Any, recorded: Path, rerun: Path, reader: Reader | None, lines: bool) -> list[str]:
    """[] when the output `o` (manifest.Output) is identical; else a headline and the
    differences, recorded file → recomputed. The recorded file is read (beyond its SHA-256) only
    when it is the one the manifest records. `reader`: how its format reads back to tables;
    `lines`: whether it is text, compared line by line when it does not read back."""
    from thidua.trust import manifest as mf

    if not is_file(recorded):
        return [_("{path}: missing (no such file beside the manifest)", path=o.path)]
    if not rerun.is_file():
        return [_("{path}: the rerun wrote no such file", path=o.path)]
    now = mf.digest(recorded) if recorded.stat().st_size == o.bytes else None
    again = mf.digest(rerun)
    if now == o.sha256 == again:
        return []
    if now != o.sha256:
        head = (_("changed since the run (the rerun still gives the recorded bytes, sha256 "
                  "{sha}…)", sha=o.sha256[:12]) if again == o.sha256
                else _("changed since the run, and the rerun gives yet other bytes"))
        return [_("{path}: {what}; a file that is not the recorded one is not read",
                  path=o.path, what=head)]
    return [_("{path}: the rerun gives different bytes from the recorded output", path=o.path),
            *(f"  {line}" for line in differences(recorded, rerun, o.format, reader, lines))]


def is_file(path: Path) -> bool:
    """A regular file is there (a name the system refuses, too long, is none)."""
    try:
        return path.is_file()
    except OSError:
        return False


def differences(recorded: Path, rerun: Path, fmt: str, reader: Reader | None,
                lines: bool) -> list[str]:
    """How two outputs of one format differ: per unit for tables, per line for text."""
    read: list[Tables | None] = []
    unreadable = (N_("the recorded file cannot be read back as {format} ({error}); the bytes "
                     "differ"),
                  N_("the rerun cannot be read back as {format} ({error}); the bytes differ"))
    for why, path in zip(unreadable, (recorded, rerun), strict=True):
        try:
            read.append(reader(path) if reader is not None else None)
        except Exception as e:  # an output of other options may not read back
            return [_(why, format=fmt, error=type(e).__name__)]
    a, b = read
    if a is not None and b is not None:
        same = _("every unit has the same values; the bytes differ in form only")
        return diff_tables(a, b) or [same]
    if lines:
        return diff_lines(recorded, rerun)
    return [_("the bytes differ")]


# --- reading outputs back -------------------------------------------------------------------------


def csv_tables(path: Path) -> Tables:
    """A CSV's rows, every value as text."""
    import polars as pl

    text = path.read_text(encoding="utf-8")
    frame = pl.read_csv(path, infer_schema=False, glob=False) if text.strip() else pl.DataFrame()
    return {"": _rows(frame)}


def parquet_tables(path: Path) -> Tables:
    import polars as pl

    return {"": _rows(pl.read_parquet(path, glob=False))}


def xlsx_tables(path: Path) -> Tables:
    """Every Excel table of a workbook, by its name (a workbook for people puts a title block
    above its data, so the data are its tables); a workbook without tables: every sheet."""
    import fastexcel

    book = fastexcel.read_excel(path)
    if book.table_names():
        return {name: _rows(book.load_table(name, dtypes="string").to_polars())
                for name in book.table_names()}
    return {name: _rows(book.load_sheet(name, dtypes="string").to_polars())
            for name in book.sheet_names}


def _document(path: Path) -> dict[str, Any] | None:
    document = json.loads(path.read_text(encoding="utf-8"))
    return document if isinstance(document, dict) else None


def json_units(path: Path) -> Tables | None:
    """The JSON of score or awards: its units, and its awards' reasons and quotas."""
    document = _document(path)
    if document is None:
        return None
    found: Tables = {}
    if isinstance(document.get("units"), list):
        found["units"] = [_flat(u) for u in document["units"] if isinstance(u, dict)]
    if isinstance(document.get("awards"), list):
        found["awards"] = [_flat({"award": a.get("code"), "group": a.get("group")} | r)
                           for a in document["awards"] if isinstance(a, dict)
                           for r in a.get("reasons") or [] if isinstance(r, dict)]
        found["quotas"] = [_flat({k: v for k, v in a.items() if k != "reasons"})
                           for a in document["awards"] if isinstance(a, dict)]
    return found or None


def json_sections(path: Path) -> Tables | None:
    """The JSON of a report (audit, sensitivity): each of its tables by its key, and each object
    beside them (the files read, the settings) as a table of one row."""
    document = _document(path)
    if document is None:
        return None
    found: Tables = {}
    for key, value in document.items():
        if isinstance(value, list) and all(isinstance(r, dict) for r in value):
            found[key] = [_flat(r) for r in value]
        elif isinstance(value, dict):
            found[key] = [_flat(value)]
    return found or None


def _rows(frame: Any) -> list[dict[str, Any]]:
    import polars as pl

    from thidua.output.lists import as_text

    text = as_text(frame).with_columns(pl.col(c).cast(pl.String) for c in frame.columns)
    rows: list[dict[str, Any]] = text.to_dicts()
    return rows


def _flat(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out |= _flat(value, f"{name}.")
        elif isinstance(value, list):
            out[name] = ";".join(map(str, value))
        else:
            out[name] = None if value is None else str(value)
    return out


# --- comparing ------------------------------------------------------------------------------------


def diff_tables(a: Tables, b: Tables) -> list[str]:
    lines: list[str] = []
    for name in dict.fromkeys([*a, *b]):
        where = f"{name}: " if name else ""
        if name not in a or name not in b:
            lines.append(where + (_("only in the rerun") if name not in a
                                  else _("only in the recorded file")))
            continue
        lines += [f"{where}{line}" for line in _diff_rows(a[name], b[name])]
    return lines


def first() -> tuple[str, ...]:
    """The columns named first when a unit differs (the schema's names: polars is imported only
    when outputs are compared)."""
    from thidua.core import schema

    return (schema.TOTAL, schema.RANK, schema.RANK_OVERALL, schema.CLASSIFICATION, schema.AWARDS,
            schema.FLAGGED, "status")


def _key(rows: list[dict[str, Any]]) -> list[str]:
    from thidua.core import schema

    columns = rows[0].keys() if rows else []
    for key in (["award", schema.ID], [schema.ID], ["Mã"]):
        if all(k in columns for k in key):
            return key
    return []


def _diff_rows(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    key = _key(old) or _key(new)

    def keyed(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for n, row in enumerate(rows, 1):
            name = " ".join(str(row.get(k)) for k in key) if key else _("row {row}", row=n)
            out.setdefault(name, row)
        return out

    a, b = keyed(old), keyed(new)
    found = []
    named = first()
    for name in dict.fromkeys([*a, *b]):
        if name not in b:
            found.append(_("{name}: in the file only, not in the rerun", name=name))
        elif name not in a:
            found.append(_("{name}: in the rerun only, not in the file", name=name))
        else:
            x, y = a[name], b[name]
            columns = [c for c in named if c in x or c in y]
            columns += [c for c in dict.fromkeys([*x, *y]) if c not in columns]
            changed = [f"{c} {_show(x.get(c))} → {_show(y.get(c))}" for c in columns
                       if x.get(c) != y.get(c)]
            if changed:
                found.append(f"{name}: " + ", ".join(changed))
    more = len(found) - SHOWN
    return found[:SHOWN] + ([_("… and {count} more", count=more)] if more > 0 else [])


def _show(value: Any) -> str:
    return _("(empty)") if value in (None, "") else str(value)


def diff_lines(recorded: Path, rerun: Path) -> list[str]:
    a = recorded.read_text(encoding="utf-8", errors="replace").splitlines()
    b = rerun.read_text(encoding="utf-8", errors="replace").splitlines()
    found = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        for n in range(i1, i2):
            found.append(_("line {line} in the file: {text}", line=n + 1, text=a[n]))
        for n in range(j1, j2):
            found.append(_("line {line} in the rerun: {text}", line=n + 1, text=b[n]))
    more = len(found) - SHOWN
    return found[:SHOWN] + ([_("… and {count} more lines", count=more)] if more > 0 else [])
