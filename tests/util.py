"""Small builders shared by the engine tests: a criteria document and rows in, the unit table out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from thidua.core.engine import Result, score
from thidua.input.load import parse_criteria


def criteria(leaves: list[dict[str, Any]] | None = None, **top: Any) -> dict[str, Any]:
    """A valid document: the given leaves under the top level, total = the sum of their max."""
    leaves = leaves or [{"code": "A", "name": "A", "max_points": 10,
                         "rule": {"type": "linear", "indicator": "x", "zero_at": 0, "full_at": 100}}]
    doc: dict[str, Any] = {
        "format": 1, "id": "t", "name": "test", "version": "1",
        "total": sum(leaf["max_points"] for leaf in leaves),
        "units": {"id": "id", "name": "name", "group": "group"},
        "criteria": leaves,
    }
    doc.update(top)
    return doc


# A small criteria file for the command-line tests: two criteria, two classes, one award per group.
SMALL_CRITERIA = """\
format: 1
id: nho
name: "Bảng nhỏ"
version: "1"
total: 10
units: {id: ma, name: ten, group: cum}
criteria:
  - {code: A, name: "Tỷ lệ", max_points: 6, rule: {type: linear, indicator: ty_le, zero_at: 50, full_at: 100}}
  - {code: B, name: "Báo cáo", max_points: 4, rule: {type: boolean, indicator: bao_cao}}
classification:
  - {label: "Tốt", min: 8}
  - {label: "Đạt", min: 0}
awards:
  - {code: BK, name: "Bằng khen", quota: {count: 1}, eligible: {min_total: 8}}
"""

SMALL_DATA = """\
ma,ten,cum,ty_le,bao_cao
X1,Xã Một,Cụm 1,100,có
X2,Xã Hai,Cụm 1,75,có
X3,Xã Ba,Cụm 2,90,không
"""


def run_cli(*args: str):  # type: ignore[no-untyped-def]
    """thidua with these arguments, through click's test runner (stdout and stderr apart), as
    the `thidua` command names itself; an exception other than SystemExit is not caught but
    fails the test with its traceback."""
    from click.testing import CliRunner

    from thidua.cli import cli

    return CliRunner().invoke(cli, list(args), prog_name="thidua", catch_exceptions=False)


def write_case(criteria: str = SMALL_CRITERIA, data: str = SMALL_DATA) -> tuple[str, str]:
    """c.yaml and d.csv in the working folder; their names as a command takes them."""
    from pathlib import Path

    Path("c.yaml").write_text(criteria, encoding="utf-8")
    Path("d.csv").write_text(data, encoding="utf-8")
    return "c.yaml", "d.csv"


NODE_KEYS = ("weight", "missing", "note")


def leaf(code: str, max_points: float, **rule: Any) -> dict[str, Any]:
    """A leaf; weight, missing and note go on the node, everything else on the rule."""
    node = {k: rule.pop(k) for k in NODE_KEYS if k in rule}
    return {"code": code, "name": code, "max_points": max_points, "rule": rule, **node}


def frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Rows as read_data returns them: id, name, group, row, then the indicators."""
    out = []
    for i, row in enumerate(rows):
        r = {"id": row.get("id", f"U{i + 1:02d}"), "name": row.get("name", f"Đơn vị {i + 1}"),
             "group": row.get("group", "G1"), "row": i + 2}
        r.update({k: v for k, v in row.items() if k not in ("id", "name", "group")})
        out.append(r)
    df = pl.DataFrame(out)
    return df.with_columns(pl.col(c).cast(pl.Float64) for c, t in df.schema.items()
                           if t.is_numeric() and c != "row")


def run(doc: dict[str, Any], rows: list[dict[str, Any]]) -> Result:
    return score(parse_criteria(doc), frame(rows))


def column(result: Result, name: str, by: str = "id") -> dict[str, Any]:
    units = result.units
    return dict(zip(units.get_column(by).to_list(), units.get_column(name).to_list()))


def one_criterion_file(path: Path, rule: str, name: str = "A", rest: str = "") -> Path:
    """A criteria file of one criterion A worth the total of 10 (units ma, ten), its rule as
    YAML flow text, and `rest` (more top-level sections) after it; written at `path`."""
    path.write_text(f"""format: 1
id: x
name: "x"
version: "1"
total: 10
units: {{id: ma, name: ten}}
criteria:
  - {{code: A, name: "{name}", max_points: 10, rule: {rule}}}
{rest}""", encoding="utf-8")
    return path


def workbook_tables(path: Any) -> dict[str, pl.DataFrame]:
    """The Excel tables of a workbook thidua wrote, by the name of the worksheet holding each (a
    workbook for people has a title block above its table: read the table, not the sheet)."""
    import fastexcel

    book = fastexcel.read_excel(path)
    out: dict[str, pl.DataFrame] = {}
    for name in book.table_names():
        table = book.load_table(name)
        out[table.sheet_name] = table.to_polars()
    return out


HISTORY = ".lich-su.csv"  # a shipped file's history file beside it, where it has one


def shipped_history(name: str) -> list[str]:
    """`--history FILE` for the shipped criteria file `name` when it comes with a history file
    (council-path §5), else nothing: what a command on a shipped example needs."""
    from thidua.input import shipped

    path = shipped(f"{name}{HISTORY}")
    return ["--history", str(path)] if path.is_file() else []


def shipped_inputs(name: str) -> list[str]:
    """The options a command on the shipped example `name` needs beside its data: its history
    file (`--history`, council-path §5) and, for a file of collectives, its members' result
    (`--members`, §6)."""
    from thidua.input import shipped

    held = shipped(f"{name}-thanh-vien.csv")
    return [*shipped_history(name), *(["--members", str(held)] if held.is_file() else [])]


def shipped_earlier(name: str, c: Any, frame: pl.DataFrame) -> pl.DataFrame | None:
    """The checked history rows of the shipped file `name` (None without a history file), as
    engine.score's `earlier` takes them."""
    from thidua.input import shipped
    from thidua.input.history import read_history

    path = shipped(f"{name}{HISTORY}")
    if not path.is_file():
        return None
    return read_history(c, str(shipped(f"{name}.yaml")), str(path), frame.get_column("id"))
