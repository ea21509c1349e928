"""The one registry of output formats: for each kind of result (the unit table, the award
reasons, an explanation, the audit report, the sensitivity report), the formats it is written
in, the writer of each, and how `thidua verify` reads each back.

Every command takes its `--format` choice, the check of its `-o` extension, the writer it calls
and, through `by_command`, verify's read-back from here, so that a format added to a kind is
offered, checked, written and verified everywhere at once. The writers are the functions of
render.py, render_awards.py, render_explain.py and render_audit.py, imported when a result is
written (the command line answers `--help` without loading polars).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from thidua.trust import verify as readback

FileWriter = Callable[[str], None]  # writes a binary file at the path it is given
Rendered = str | FileWriter  # text to print or write, or a binary file's writer
Reader = readback.Reader  # an output file → its tables, or None when it holds none


@dataclass(frozen=True)
class Format:
    """One output format."""

    name: str  # as --format names it, and the manifest records it
    binary: bool  # written only to a file (-o): parquet, xlsx
    reader: Reader | None  # verify reads it back to tables (None: compared as lines or bytes)


# in the order --format lists them
FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("table", False, None),
    Format("csv", False, readback.csv_tables),
    Format("json", False, None),  # each kind reads its own JSON back (Kind.json_reader)
    Format("markdown", False, None),
    Format("html", False, None),
    Format("parquet", True, readback.parquet_tables),
    Format("xlsx", True, readback.xlsx_tables),
)}

# the extensions of -o that choose a format (case does not matter), in the order errors list them
EXTENSIONS = {".csv": "csv", ".json": "json", ".md": "markdown", ".markdown": "markdown",
              ".html": "html", ".htm": "html", ".parquet": "parquet", ".xlsx": "xlsx",
              ".txt": "table"}
DEFAULT = "table"  # without --format and -o


def named_by(path: str) -> str | None:
    """The format the extension of `path` names, if any."""
    return EXTENSIONS.get(Path(path).suffix.lower())


@dataclass(frozen=True)
class Asked:
    """What a writer is given beside the result: the files read (`meta`, first in the JSON of
    score and awards) and the one table asked for by --section (audit, sensitivity)."""

    meta: dict[str, Any] = field(default_factory=dict)
    section: str | None = None


Writer = Callable[[Any, Asked], Rendered]


@dataclass(frozen=True)
class Kind:
    """A kind of result and the formats it is written in."""

    name: str
    formats: tuple[str, ...]  # what --format offers, the default first
    writers_of: Callable[[], dict[str, Writer]]  # format → writer (imported when first used)
    json_reader: Reader | None = None  # verify's read-back of this kind's JSON

    @cached_property
    def writers(self) -> dict[str, Writer]:
        found = self.writers_of()
        assert tuple(found) == self.formats, (self.name, tuple(found))
        return found

    def extensions(self) -> list[tuple[str, str]]:
        """(extension, format) for every extension that chooses one of this kind's formats."""
        return [(e, f) for e, f in EXTENSIONS.items() if f in self.formats]

    def render(self, fmt: str, result: Any, asked: Asked | None = None) -> Rendered:
        """`result` in the format `fmt`: text, or the writer of a binary file."""
        return self.writers[fmt](result, asked or Asked())

    def reader(self, fmt: str) -> Reader | None:
        """How verify reads back an output of this kind in `fmt` (None: as lines or bytes)."""
        return self.json_reader if fmt == "json" else FORMATS[fmt].reader if fmt in FORMATS else None


# --- the writers, by kind -------------------------------------------------------------------------


def _text(render: Callable[[Any], str]) -> Writer:
    return lambda result, asked: render(result)


def _with_meta(render: Callable[[Any, dict[str, Any]], str]) -> Writer:
    return lambda result, asked: render(result, asked.meta)


def _file(write: Callable[[Any, str], None]) -> Writer:
    return lambda result, asked: lambda path: write(result, path)


def _units() -> dict[str, Writer]:
    from thidua.output import render as r

    return {"table": _text(r.to_table), "csv": _text(r.to_csv), "json": _with_meta(r.to_json),
            "markdown": _text(r.to_markdown), "html": _text(r.to_html),
            "parquet": _file(r.write_parquet), "xlsx": _file(r.write_xlsx)}


def _reasons() -> dict[str, Writer]:
    from thidua.output import render_awards as r

    return {"table": _text(r.to_table), "csv": _text(r.to_csv), "json": _with_meta(r.to_json),
            "markdown": _text(r.to_markdown), "html": _text(r.to_html),
            "parquet": _file(r.write_parquet), "xlsx": _file(r.write_xlsx)}


def _explanation() -> dict[str, Writer]:
    from thidua.output import render_explain as r

    return {"table": _text(r.to_table), "markdown": _text(r.to_markdown), "html": _text(r.to_html),
            "json": _text(r.to_json)}


def _comparison() -> dict[str, Writer]:
    from thidua.output import render_explain as r

    return {"table": _text(r.compare_table), "markdown": _text(r.compare_markdown),
            "html": _text(r.compare_html), "json": _text(r.compare_json)}


def _page() -> dict[str, Writer]:
    from thidua.output import report as r

    return {"html": _text(r.to_report)}


def _report() -> dict[str, Writer]:
    """An audit or sensitivity report: csv and parquet hold one table (--section, else the
    first), every other format the --section asked for or the whole report."""
    from thidua.output import render_audit as r

    def whole(render: Callable[[Any], str]) -> Writer:
        return lambda report, asked: render(r.only(report, asked.section))

    return {"table": whole(r.to_table), "csv": lambda report, asked: r.to_csv(report, asked.section),
            "json": whole(r.to_json), "markdown": whole(r.to_markdown), "html": whole(r.to_html),
            "parquet": lambda report, asked: lambda path: r.write_parquet(report, asked.section, path),
            "xlsx": lambda report, asked: lambda path: r.write_xlsx(r.only(report, asked.section), path)}


def _compared() -> dict[str, Writer]:
    """A comparison of two results: an audit's report writers, but for its workbook, which has no
    criteria file of its own (render_compare.py)."""
    from thidua.output import render_compare as rc

    found = _report()
    found["xlsx"] = lambda report, asked: lambda path: rc.write_xlsx(
        _only(report, asked.section), path)
    return found


def _only(report: Any, section: str | None) -> Any:
    from thidua.output import render_audit as r

    return r.only(report, section)


EVERY = tuple(FORMATS)
UNITS = Kind("unit table", EVERY, _units, readback.json_units)
REASONS = Kind("award reasons", EVERY, _reasons, readback.json_units)
EXPLANATION = Kind("explanation", ("table", "markdown", "html", "json"), _explanation)
COMPARISON = Kind("comparison of two units", ("table", "markdown", "html", "json"), _comparison)
PAGE = Kind("council report", ("html",), _page)
COMPARE = Kind("comparison of two results", EVERY, _compared, readback.json_sections)
AUDIT = Kind("audit report", EVERY, _report, readback.json_sections)
SENSITIVITY = Kind("sensitivity report", EVERY, _report, readback.json_sections)

# the kind of result each command writes; these are the commands `thidua verify` reruns
BY_COMMAND: dict[str, Kind] = {"score": UNITS, "awards": REASONS, "explain": EXPLANATION,
                               "audit": AUDIT, "sensitivity": SENSITIVITY, "demo": UNITS,
                               "report": PAGE}
BY_COMMAND["compare"] = COMPARE
KINDS = (UNITS, REASONS, EXPLANATION, COMPARISON, AUDIT, SENSITIVITY, PAGE, COMPARE)
