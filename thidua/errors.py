"""The project's own errors: every problem carries its place, so a council can find it."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Every control character (C0, DEL, C1), the line and paragraph separators and the bidirectional
# controls: each would move the cursor, retitle a terminal, clear it, or reorder what it shows.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, keep_newlines: bool = False) -> str:
    """`text` with every control character written as an escape (ESC → `\\x1b`, NUL → `\\x00`,
    a line break → `\\n`), so that what a file holds can be shown on a terminal or in a document
    and is seen, never obeyed. With keep_newlines, line breaks stay (a whole document)."""
    if keep_newlines:
        return "\n".join(_CONTROL.sub(_escaped, line) for line in text.split("\n"))
    return _CONTROL.sub(_escaped, text)


@dataclass(frozen=True)
class Problem:
    """One problem at one place: `where` is a criteria path or a data row and column."""

    where: str
    message: str
    line: int | None = None  # the line of a criteria file where the place is written
    about: str | None = None  # what stands there, as a person knows it: `criterion A.1 “Tỷ lệ”`

    def render(self, source: str) -> str:
        """The problem's line, every control character in it shown escaped (see printable):
        `file::place (line 12, criterion A.1 “Tỷ lệ”): message`."""
        from thidua.i18n import _

        context = ", ".join([*([_("line {line}", line=self.line)] if self.line else []),
                             *([self.about] if self.about else [])])
        where = f"{self.where} ({context})" if self.where and context else self.where or context
        line = f"{source}::{where}: {self.message}" if where else f"{source}: {self.message}"
        return printable(line)


class ThiduaError(Exception):
    """Bad input: the CLI prints `Error: …` lines (`Lỗi: …` in Vietnamese) and exits with status 1."""

    def __init__(self, source: str, problems: list[Problem] | tuple[Problem, ...]):
        self.source = source
        self.problems = tuple(problems)
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [p.render(self.source) for p in self.problems]

    def headline(self) -> str:
        from thidua.i18n import ngettext

        n = len(self.problems)
        return printable(ngettext("{source}: {count} problem", "{source}: {count} problems", n,
                                  source=self.source, count=n))


class CriteriaError(ThiduaError):
    """A criteria file that cannot be read or does not follow format 1."""


class DataError(ThiduaError):
    """A data file with a missing column, a duplicate id, or a value that is not what it must be."""


class UsageError(ThiduaError):
    """A request that names something that is not there (a unit id, a shipped file)."""
