"""How a problem is written: values quoted short and on one line, long lists capped at LIMIT,
columns named by their letters; and `_Unreadable`, raised with the problems of a file that cannot
be read as a table at all."""

from __future__ import annotations

import math
from collections.abc import Iterable

import polars as pl

from thidua.errors import Problem
from thidua.i18n import N_, _

LIMIT = 50  # problems listed per column before "… and N more"

# What a unit's value in a column is, as a message names it (a field's kind).
KINDS = {"id": N_("id"), "name": N_("name"), "group": N_("group"), "number": N_("number"),
         "flag": N_("yes/no value")}


class _Unreadable(Exception):
    """The file cannot be read as a table at all."""

    def __init__(self, *problems: Problem | str):
        self.problems = [p if isinstance(p, Problem) else Problem("", p) for p in problems]
        super().__init__("; ".join(p.message for p in self.problems))


def at(row: int, column: str) -> str:
    """The place of a value: `row 3, ty_le` (`dòng 3, ty_le`)."""
    return _("row {row}, {column}", row=row, column=column)


def _letters(index: int) -> str:
    """0 → 'A', 25 → 'Z', 26 → 'AA': the column as a spreadsheet shows it."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def _show(value: object) -> str:
    """A value as a message quotes it: stripped, on one line, cut short when long."""
    if isinstance(value, pl.Series):
        value = value.to_list()
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and math.isnan(value):
        text = "NaN"
    elif isinstance(value, str):
        text = value.strip()
    else:
        text = str(value)
    return f"'{_short(_visible(text))}'"


def _visible(text: str) -> str:
    """Text as a message shows it: every character that prints as nothing, or as a space that is
    not one, escaped (NUL as \\x00, a line break as \\n, a no-break space as \\xa0, a zero-width
    space as \\u200b), so that two names that differ only there look different; a lone surrogate
    too. The same escapes as thidua.errors' printable, which covers the control characters."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else _escape(ch) for ch in text)


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(ch: str) -> str:
    code = ord(ch)
    if ch in _NAMED:
        return _NAMED[ch]
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _short(text: str, size: int = 40) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _rows(rows: list[int], size: int = 10) -> str:
    shown = ", ".join(map(str, rows[:size]))
    return shown if len(rows) <= size else _("{shown}, … ({count} rows)", shown=shown, count=len(rows))


def _quoted(names: list[str], size: int = 40) -> str:
    shown = ", ".join(f"'{_visible(n)}'" for n in names[:size])
    return shown if len(names) <= size else _("{shown}, … ({count} more)", shown=shown, count=len(names) - size)


def _capped(problems: Iterable[Problem], where: str, what: str) -> list[Problem]:
    listed: list[Problem] = []
    extra = 0
    for problem in problems:
        if len(listed) < LIMIT:
            listed.append(problem)
        else:
            extra += 1
    return listed + ([Problem(where, _("… and {count} more {what}", count=extra, what=_(what)))] if extra else [])


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
