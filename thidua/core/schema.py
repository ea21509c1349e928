"""The result table's schema: every column the unit table (engine.Result.units) may hold, by
family, with its polars type and what it means.

A family is one column (`total`) or one column per code of the criteria file (`points.<code>`,
`ko.<code>`, `award.<code>.<what>`). Every module that makes or reads a column of the unit table
takes its name from here (the helpers below), so that a name is written once. The contract
columns and `points.<code>` are what docs/cli.md promises to scripts; the others are the engine's
own and may change.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from polars.datatypes import DataTypeClass

# --- the contract (docs/cli.md, "Machine-readable output"): names scripts rely on --------------

ID = "id"
NAME = "name"
GROUP = "group"
TOTAL = "total"
CLASSIFICATION = "classification"
RANK = "rank"
RANK_OVERALL = "rank_overall"
BONUS = "bonus"
PENALTY = "penalty"
KNOCKOUTS = "knockouts"
AWARDS = "awards"
FLAGGED = "flagged"
CONTRACT = (ID, NAME, GROUP, TOTAL, CLASSIFICATION, RANK, RANK_OVERALL, BONUS, PENALTY, KNOCKOUTS,
            AWARDS, FLAGGED)

CODES = pl.List(pl.String)
"""The type of a list of codes (knockouts, awards, flagged, an award's failed conditions): in the
program a list, an empty list for none; the formats that need text join it with ';' at the
output edge (thidua/output/lists.py)."""

# --- beside the contract ------------------------------------------------------------------------

ROW = "row"
EARNED = "earned"
ATTAINABLE = "attainable"

# --- the engine's own columns, never written to an output ---------------------------------------

BARRED = "__barred"
KNOCKED = "__knocked"
MAIN = "__main"
GROUP_PLACE = "__group"
SNAPPED = "__snapped."
KEY = "__key"

# what each award keeps per unit (award.<code>.<what>), with its type
AWARD_DETAILS: dict[str, DataTypeClass | pl.DataType] = {
    "eligible": pl.Boolean, "base": pl.Int64, "quota": pl.Int64, "better": pl.Int64,
    "upto": pl.Int64, "on": pl.Boolean, "flag": pl.Boolean, "tied": pl.Boolean, "failed": CODES,
    "when": pl.Boolean,
}


def points_col(code: str) -> str:
    """`points.<code>`: a criterion's points (a leaf's, or a group's from its children)."""
    return f"points.{code}"


def attain_col(code: str) -> str:
    """`attainable.<code>`: the points a criterion could give this unit (only when criteria may
    not apply to a unit, `missing: exclude`)."""
    return f"attainable.{code}"


def ko_col(code: str) -> str:
    """`ko.<code>`: whether the knockout `code` hits the unit."""
    return f"ko.{code}"


def raw_col(code: str) -> str:
    """`raw.<code>`: a leaf's points before rounding (trace)."""
    return f"raw.{code}"


def missing_col(code: str) -> str:
    """`missing.<code>`: whether a leaf's value was missing, so that its policy decided (trace)."""
    return f"missing.{code}"


def award_col(code: str, what: str) -> str:
    """`award.<code>.<what>`: one of an award's details for the unit (AWARD_DETAILS)."""
    assert what in AWARD_DETAILS, what
    return f"award.{code}.{what}"


def history_col(code: str, item: int, term: int) -> str:
    """`history.<code>.<item>.<term>`: the history years held for one condition of award `code`
    (term `term` of its item `item`), a bit mask."""
    return f"history.{code}.{item}.{term}"


def key_col(i: int) -> str:
    """`__key<i>`: the i-th ranking key (0: the total; then each tie-break), higher is better."""
    return f"{KEY}{i}"


def snapped_col(code: str) -> str:
    """`__snapped.<code>`: a comparing rule's value at the decimal a person computes."""
    return f"{SNAPPED}{code}"


# --- the families, for the docs and for checking a table ----------------------------------------


@dataclass(frozen=True)
class Family:
    """One column, or a family of columns sharing a prefix (and a suffix)."""

    name: str  # as docs/cli.md writes it: `total`, `points.<code>`, `award.<code>.eligible`
    dtype: DataTypeClass | pl.DataType | None  # None: the type of the data column as read (Float64, Boolean)
    doc: str
    prefix: str = ""  # a family: every column starting so (and ending with suffix)
    suffix: str = ""

    def holds(self, column: str) -> bool:
        if not self.prefix:
            return column == self.name
        return (column.startswith(self.prefix) and column.endswith(self.suffix)
                and len(column) > len(self.prefix) + len(self.suffix))


def _one(name: str, dtype: DataTypeClass | pl.DataType, doc: str) -> Family:
    return Family(name, dtype, doc)


FAMILIES: tuple[Family, ...] = (
    _one(ID, pl.String, "The unit's id, as the data file writes it (unique, never empty)."),
    _one(NAME, pl.String, "The unit's name."),
    _one(GROUP, pl.String, "The unit's group (cụm, khối); null when the criteria have no groups."),
    _one(TOTAL, pl.Float64, "The total: main points (rescaled when criteria do not apply) plus "
                            "bonus minus penalty, at least 0, rounded to the file's precision."),
    _one(CLASSIFICATION, pl.String, "The class label the total (and any knockout cap) gives; "
                                    "null when no class applies."),
    _one(RANK, pl.Int64, "Rank in the unit's group, by the file's rank method and tie-breaks."),
    _one(RANK_OVERALL, pl.Int64, "Rank among every unit."),
    _one(BONUS, pl.Float64, "Bonus points, capped at the bonus section's max_points."),
    _one(PENALTY, pl.Float64, "Penalty points, capped at the penalty section's max_points."),
    _one(KNOCKOUTS, CODES, "The codes of the knockouts that hit the unit, in the file's order "
                           "(a list; joined by ';' in CSV, Parquet and XLSX)."),
    _one(AWARDS, CODES, "The codes of the awards the unit is on the list of, in the file's order "
                        "(a list; joined by ';' in CSV, Parquet and XLSX)."),
    _one(FLAGGED, CODES, "The codes of the awards where the unit is tied at the quota line and "
                         "left to the council's vote (a list; joined by ';' in CSV, Parquet and "
                         "XLSX)."),
    _one(ROW, pl.Int64, "The unit's row in the data file (1 is the header)."),
    _one(EARNED, pl.Float64, "The main points earned, before rescaling."),
    _one(ATTAINABLE, pl.Float64, "The main points the unit could earn (the file's total unless "
                                 "criteria do not apply to it)."),
    Family("points.<code>", pl.Float64, "Each criterion's points, for every node of the tree "
                                        "(main, then bonus, then penalty).", "points."),
    Family("attainable.<code>", pl.Float64, "Each main criterion's attainable points (only "
                                            "inside the query, under missing: exclude).",
           "attainable."),
    *(Family(f"award.<code>.{what}", dtype, f"Per award: {doc}", "award.", f".{what}")
      for what, dtype, doc in (
          ("eligible", pl.Boolean, "whether the unit meets every eligibility condition."),
          ("base", pl.Int64, "the number of units the quota is computed from."),
          ("quota", pl.Int64, "the quota of the unit's scope (its group, or every unit)."),
          ("better", pl.Int64, "how many eligible units of the scope rank above the unit."),
          ("upto", pl.Int64, "how many eligible units rank as well as the unit or better."),
          ("on", pl.Boolean, "whether the unit is on the list."),
          ("flag", pl.Boolean, "whether the unit is tied across the quota line, for the vote."),
          ("tied", pl.Boolean, "whether the unit is eligible and tied across the quota line "
                               "(under every tie policy; `flag` only under tie: flag)."),
          ("failed", CODES, "the eligibility conditions the unit does not meet, a list "
                            "(min_total, classification, no_knockout, max_rank, "
                            "award:<code> of a list it must be on, when, exclusive, members:<j>)."),
          ("when", pl.Boolean, "whether the award's `when` condition holds (only when it has "
                               "one)."))),
    Family("ko.<code>", pl.Boolean, "Whether each knockout hits the unit.", "ko."),
    Family("raw.<code>", pl.Float64, "Trace: each leaf's points before rounding.", "raw."),
    Family("missing.<code>", pl.Boolean, "Trace: whether each leaf's value was missing.",
           "missing."),
    _one(BARRED, pl.Boolean, "Internal: a knockout makes the unit ineligible for every award."),
    _one(KNOCKED, pl.Boolean, "Internal: any knockout hits the unit."),
    _one(MAIN, pl.Float64, "Internal: the main points after rescaling (inside the query)."),
    _one(GROUP_PLACE, pl.Int64, "Internal: the group's place in the output's order."),
    Family("__key<i>", pl.Float64, "Internal: the ranking keys, higher is better (0: the total, "
                                   "then each tie-break).", KEY),
    Family("__snapped.<code>", pl.Float64, "Internal: a comparing rule's value at the decimal a "
                                           "person computes (inside the query).", SNAPPED),
    # council-path §5 (core/history.py)
    Family("history.<code>.<item>.<term>", pl.Int64, "Per history condition of an award: the "
           "years before the year scored that the history file holds, as a bit mask (bit b: "
           "the window's last year − b).", "history."),
)
# the members conditions of an award (core/members.py), the j-th: its member count, of how many
# members, whether it holds
FAMILIES += tuple(Family(f"award.<code>.members.<j>.{what}", dtype, f"Per award: {doc}", "award.",
                         f".{what}") for what, dtype, doc in (
    ("count", pl.Int64, "each members condition's count of the collective's members holding it."),
    ("of", pl.Int64, "each members condition's number of the collective's members."),
    ("met", pl.Boolean, "whether each members condition holds (never without members).")))
INDICATORS = Family("<indicator>", None, "Trace: the data columns the criteria read, as read "
                                         "(Float64, or Boolean for yes/no).")


def family_of(column: str, indicators: frozenset[str] = frozenset()) -> Family | None:
    """The family `column` belongs to (`indicators`: the data columns of the criteria, kept in a
    traced table); None for a column the schema does not name."""
    if column in indicators:
        return INDICATORS
    return next((f for f in FAMILIES if f.holds(column)), None)


# --- the working of COINr's normalisations (normalise.py), kept with trace ----------------------

def work_col(code: str, what: str) -> str:
    """`work.<code>.<what>`: what a normalisation rule computed over its scope for the unit
    (z, rank, n, min, max), for explanations (trace)."""
    return f"work.{code}.{what}"


FAMILIES += (Family("work.<code>.<what>", pl.Float64, "Trace: what a normalisation rule "
                    "computed over its scope for the unit (z, rank, n, min, max).", "work."),)
