"""thidua: scoring, ranking and award shortlists for Vietnam's emulation movement.

The library is these names; the command line (thidua/cli.py) is built on them:

    import thidua

    criteria, frame = thidua.load("bang-diem.yaml", "so-lieu.csv")
    result = thidua.score(criteria, frame)      # result.units: every unit, in rank order
    why = thidua.explain(thidua.score(criteria, frame, trace=True), "X07")

- `load`: a criteria file and a data file → the checked criteria (`Criteria`) and the data as
  a polars frame.
- `score`: criteria and frame → a `Result`, the unit table (its columns: thidua/core/schema.py).
- `explain`: one unit's whole trace (`Explanation`).
- `load_history`: the titles of earlier years, for a file whose awards have history conditions
  (`score(..., history=...)`).

Bad input raises `ThiduaError` (thidua/errors.py), whose `lines()` name every problem at its
place. Nothing is imported until it is used, so that `thidua --help` answers at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    import polars as pl

    from thidua.core.engine import Result
    from thidua.core.explain import Explanation
    from thidua.errors import ThiduaError
    from thidua.model import Criteria

__version__ = "0.1.0"
__all__ = ["Criteria", "Explanation", "Result", "ThiduaError", "__version__", "explain", "load",
           "load_history", "score"]

# the types, imported when first named (thidua.Result): module → name
_TYPES = {"Criteria": "thidua.model", "Result": "thidua.core.engine",
          "Explanation": "thidua.core.explain", "ThiduaError": "thidua.errors"}


def load(criteria: str | Path, data: str | Path, *, decimal_comma: bool = False,
         sheet: str | None = None) -> tuple[Criteria, pl.DataFrame]:
    """Read a criteria file (YAML or JSON) and a data file (CSV, XLSX, Parquet or JSON, by its
    extension): the checked criteria and one row per unit (`id`, `name`, `group`, `row`, then
    the indicator columns the criteria read, each of its type).

    `decimal_comma`: read numbers written the Vietnamese way (95,5 and 1.234,5); `sheet`: the
    worksheet of an .xlsx data file (default: the one it opens on). Raises ThiduaError naming
    every problem of either file (criteria path, or data row, column and value)."""
    from thidua.input import read_inputs as read

    return read(str(criteria), str(data), decimal_comma=decimal_comma, sheet=sheet)


def score(criteria: Criteria, frame: pl.DataFrame, *, trace: bool = False,
          history: pl.DataFrame | None = None) -> Result:
    """Score, classify, rank and shortlist every unit of `frame` (as `load` returns it; it is
    not changed). The result's `units` frame is in rank order (group, rank, id) and begins with
    the contract columns (id, name, group, total, classification, rank, rank_overall, bonus,
    penalty, knockouts, awards, flagged), then each criterion's `points.<code>` and each award's
    details. `knockouts`, `awards`, `flagged` and each award's `award.<code>.failed` are list
    columns, pl.List(pl.String): the codes in the criteria file's order, an empty list for none
    (the CSV and Parquet files join them with ';'; thidua.core.schema names every column and its
    type). With `trace=True` it also keeps what `explain` reads (each leaf's unrounded points,
    whether its value was missing, and the indicator columns). Raises ThiduaError for a value
    the criteria cannot score (a missing value under `missing: error`, a result that is not a
    finite number). `history`: the titles of earlier years, as `load_history` returns them,
    for a file whose awards have history conditions."""
    from thidua.core.engine import score as run

    return run(criteria, frame, "<data>", trace=trace, earlier=history)


def load_history(criteria: str | Path, history: str | Path, frame: pl.DataFrame, *,
                 decimal_comma: bool = False) -> pl.DataFrame:
    """Read the history file of a criteria file with history conditions (any data format; its
    columns as the criteria's `history:` names them), checked against the criteria and the
    units of `frame`: one row per id, year and title (docs/criteria-format.md, "History").
    Raises ThiduaError naming every problem."""
    from thidua.input.history import needed, read_history
    from thidua.input.load import load_criteria

    c = load_criteria(str(criteria))
    needed(c, str(criteria), str(history))
    return read_history(c, str(criteria), str(history), frame.get_column("id"),
                        decimal_comma=decimal_comma)


def explain(result: Result, unit_id: str) -> Explanation:
    """One unit's whole trace from a result of `score(..., trace=True)`: every criterion's data,
    rule and points, bonus, penalty, knockouts, classification, rank, its neighbours in the
    group and each award's reason. Raises ThiduaError naming the nearest ids when no unit has
    `unit_id`, and ValueError for a result scored without `trace=True`."""
    from thidua.core import schema
    from thidua.core.explain import explain as trace
    from thidua.core.scoring import leaves

    codes = [leaf.node.code for leaf in leaves(result.criteria)]
    if codes and schema.raw_col(codes[0]) not in result.units.columns:
        raise ValueError("explain reads a traced result: score it with thidua.score(criteria, "
                         "frame, trace=True)")
    return trace(result, unit_id)


def __getattr__(name: str) -> Any:
    if name in _TYPES:
        import importlib

        return getattr(importlib.import_module(_TYPES[name]), name)
    raise AttributeError(f"module 'thidua' has no attribute {name!r}")
