"""The project's own errors: every problem carries its place, so a council can find it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem at one place: `where` is a criteria path or a data row and column."""

    where: str
    message: str

    def render(self, source: str) -> str:
        return f"{source}::{self.where}: {self.message}" if self.where else f"{source}: {self.message}"


class ThiduaError(Exception):
    """Bad input: the CLI prints `Error: …` lines and exits with status 1."""

    def __init__(self, source: str, problems: list[Problem] | tuple[Problem, ...]):
        self.source = source
        self.problems = tuple(problems)
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [p.render(self.source) for p in self.problems]

    def headline(self) -> str:
        n = len(self.problems)
        return f"{self.source}: {n} problem{'s' if n != 1 else ''}"


class CriteriaError(ThiduaError):
    """A criteria file that cannot be read or does not follow format 1."""


class DataError(ThiduaError):
    """A data file with a missing column, a duplicate id, or a value that is not what it must be."""


class UsageError(ThiduaError):
    """A request that names something that is not there (a unit id, a shipped file)."""
