"""Inputs that cannot hurt: exports that a spreadsheet will not run, HTML that a browser will not
run, no file but the output and its manifest, no unit lost, files that would blow up the reader.

The exact message of every bad criteria and data file is checked by the case folders
(tests/cases/invalid and tests/cases/bad-data, run by test_cases.py).
"""

from __future__ import annotations

import csv
import io
import time
import zipfile
from pathlib import Path

import fastexcel
import polars as pl
import pytest
import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st

from thidua.errors import DataError
from thidua.input import data as data_module
from thidua.input import shipped
from thidua.input.data import Columns, read_data, readings

from .util import SMALL_CRITERIA, shipped_inputs
from .util import run_cli as run

CRITERIA = (SMALL_CRITERIA.replace('name: "Bảng nhỏ"', "name: \"Bảng nhỏ <script>alert('tiêu chí')</script>\"")
            .replace("quota: {count: 1}, eligible: {min_total: 8}", "quota: {count: 2}"))
HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]

def _csv(rows: list[list[object]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


DATA = _csv([["ma", "ten", "cum", "ty_le", "bao_cao"],
             *([f"X{i}", name, "Cụm 1", 60 + i, "có"] for i, name in enumerate(HOSTILE)),
             ["X9", "<script>alert(1)</script>", "<b>Cụm 2</b>", 90, "có"]])


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "c.yaml").write_text(CRITERIA, encoding="utf-8")
    (folder / "d.csv").write_text(DATA, encoding="utf-8")
    return str(folder / "c.yaml"), str(folder / "d.csv")


# --- safe exports ---------------------------------------------------------------------------------


def test_formula_looking_text_reaches_csv_as_text(files):
    for command in ("score", "awards"):
        result = run(command, *files, "--format", "csv")
        assert result.exit_code == 0, result.output
        names = {row["name"] for row in csv.DictReader(io.StringIO(result.stdout))}
        for name in HOSTILE:
            assert "'" + name in names, (command, name)
            assert name not in names


def _cells(path: Path) -> list[str]:
    book = fastexcel.read_excel(path)
    out: list[str] = []
    for sheet in book.sheet_names:
        frame = book.load_sheet(sheet, header_row=None, dtypes="string").to_polars()
        out += [v for column in frame.iter_columns() for v in column.to_list() if v is not None]
    return out


@pytest.mark.parametrize("command", ["score", "awards"])
def test_formula_looking_text_reaches_excel_as_a_string_not_a_formula(files, tmp_path, command):
    out = tmp_path / "ket-qua.xlsx"
    assert run(command, *files, "-o", str(out)).exit_code == 0
    with zipfile.ZipFile(out) as z:
        sheets = [z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any("<f>" in s or "<f " in s for s in sheets)
    cells = _cells(out)
    assert "'" + HOSTILE[0] in cells
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]


@pytest.mark.parametrize("command", ["score", "awards"])
def test_html_escapes_every_text(files, command):
    result = run(command, *files, "--format", "html")
    assert result.exit_code == 0, result.output
    page = result.stdout
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Cụm 2&lt;/b&gt;" in page


@pytest.mark.parametrize("fmt", ["csv", "json", "markdown", "html", "table", "parquet", "xlsx"])
def test_only_the_output_and_its_manifest_are_written(files, tmp_path, fmt):
    out = tmp_path / "out"
    out.mkdir()
    target = out / f"ket-qua.{fmt}"
    assert run("score", *files, "--format", fmt, "-o", str(target)).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == [target.name, target.name + ".manifest.json"]
    assert sorted(p.name for p in Path(files[0]).parent.iterdir()) == ["c.yaml", "d.csv"]


def test_a_failed_run_writes_nothing_and_keeps_an_existing_output(files, tmp_path):
    target = tmp_path / "ket-qua.csv"
    target.write_text("cũ\n", encoding="utf-8")
    bad = Path(files[1]).with_name("bad.csv")
    bad.write_text("ma,ten,cum,ty_le,bao_cao\nX1,A,C,abc,có\n", encoding="utf-8")
    result = run("score", files[0], str(bad), "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {bad}: 1 problem\n{bad}::row 2, ty_le: unit X1: 'abc' is not a number\n"
    assert target.read_text(encoding="utf-8") == "cũ\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "ket-qua.csv"]


# --- no unit lost ---------------------------------------------------------------------------------

EXAMPLES = sorted(p.stem for p in shipped("").iterdir() if p.suffix == ".yaml")


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_row_of_a_shipped_example_is_a_unit_of_its_output(name, tmp_path):
    criteria, data = shipped(f"{name}.yaml"), shipped(f"{name}.csv")
    with data.open(encoding="utf-8-sig", newline="") as f:
        rows = [r for r in list(csv.reader(f))[1:] if any(cell.strip() for cell in r)]
    out = tmp_path / "ket-qua.csv"
    result = run("score", str(criteria), str(data), "-o", str(out), *shipped_inputs(name))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # no blank row skipped
    units = pl.read_csv(out, infer_schema=False)
    assert units.height == len(rows)
    id_column = next(i for i, h in enumerate(_header(data)) if h == _units_id(criteria))
    assert sorted(units.get_column("id").to_list()) == sorted(r[id_column].strip() for r in rows)


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [h.strip() for h in next(csv.reader(f))]


def _units_id(criteria: Path) -> str:
    from thidua.input.load import load_criteria

    return load_criteria(criteria).units.id


COLS = Columns(id="ma", name="ten", group=None, numbers=frozenset({"diem"}), flags=frozenset())


@given(st.lists(st.one_of(st.none(), st.sampled_from(["", " ", ",", ", ,  "]),
                          st.integers(0, 100)), min_size=1, max_size=30))
def test_every_row_is_a_unit_or_a_counted_blank_row(tmp_path_factory, rows):
    """rows: None, a blank line of some kind, or a unit with a score. Every unit comes out, with
    its row number; every blank row is counted with its row number; nothing else is dropped."""
    path = tmp_path_factory.mktemp("rows") / "d.csv"
    lines = ["ma,ten,diem"]
    for i, row in enumerate(rows):
        lines.append(f"U{i},Đơn vị {i},{row}" if isinstance(row, int) else (row or ""))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    units = [(f"U{i}", i + 2) for i, row in enumerate(rows) if isinstance(row, int)]
    blank = [i + 2 for i, row in enumerate(rows) if not isinstance(row, int)]
    with readings() as found:
        try:
            frame = read_data(path, COLS)
        except DataError as e:
            assert not units and e.lines() == [f"{path}: the file has a header row but no units"]
            return
    assert list(zip(frame.get_column("id"), frame.get_column("row"), strict=True)) == units
    [reading] = found
    assert (reading.rows, reading.units, reading.blank) == (len(rows), len(units), len(blank))
    assert list(reading.blank_rows) == blank


def test_blank_rows_are_reported_and_recorded(files, tmp_path):
    data = Path(files[1]).with_name("gaps.csv")
    data.write_text("ma,ten,cum,ty_le,bao_cao,ghi_chu\nX1,A,C,80,có,\n\n,,,,,chỉ có ghi chú\n"
                    "X2,B,C,90,có,\n", encoding="utf-8")
    out = tmp_path / "ket-qua.csv"
    result = run("score", files[0], str(data), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr == (f"note: {data}: skipped 2 blank rows (3, 4): no column the criteria "
                             "read holds a value there\n")
    assert pl.read_csv(out).height == 2
    manifest = (tmp_path / "ket-qua.csv.manifest.json").read_text(encoding="utf-8")
    assert '"rows": 4,\n      "units": 2,\n      "blank_rows_skipped": 2' in manifest


# --- files that would blow up the reader ----------------------------------------------------------


def test_ten_thousand_columns_are_read_in_a_moment(tmp_path):
    path = tmp_path / "wide.csv"
    header = ["ma", "ten", "diem", *(f"c{i}" for i in range(10_000))]
    rows = [[f"U{r}", f"Đơn vị {r}", str(r), *("1" * 10_000)] for r in range(100)]
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    start = time.perf_counter()
    frame = read_data(path, COLS)
    assert time.perf_counter() - start < 10
    assert frame.height == 100


def test_a_true_zip_bomb_is_refused_from_its_directory(tmp_path, monkeypatch):
    """A workbook that really unzips to 7 MB from 0.6 MB, against a limit of 1 MB."""
    path = tmp_path / "bomb.xlsx"
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, ["ma", "ten", "diem"])
        for r in range(1, 60_000):
            sheet.write_row(r, 0, ["U", "A", 1])
    expanded = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    assert expanded > 1_000_000 > path.stat().st_size
    monkeypatch.setattr(data_module, "MAX_XLSX_EXPANDED", 1_000_000)
    with pytest.raises(DataError) as caught:
        read_data(path, COLS)
    assert caught.value.lines() == [f"{path}: unzips to {expanded:,} bytes; an .xlsx data file may "
                                    "unzip to at most 1,000,000 (a zip bomb?)"]


def test_formatting_far_from_the_table_is_not_a_cell(tmp_path):
    """A styled but empty cell at the sheet's far corner holds nothing: the reader skips it."""
    path = tmp_path / "styled.xlsx"
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, ["ma", "ten", "diem"])
        sheet.write_row(1, 0, ["U1", "A", 5])
        sheet.write_blank(1_048_575, 16_383, None, book.add_format({"bold": True}))
    assert read_data(path, COLS).rows() == [("U1", "A", 5.0, 2)]


def test_the_extent_check_reads_the_sheet_that_is_asked_for(tmp_path):
    path = tmp_path / "two.xlsx"
    with xlsxwriter.Workbook(path) as book:
        far = book.add_worksheet("Nháp")
        far.write(0, 0, "x")
        far.write(1_048_575, 16_383, "x")
        sheet = book.add_worksheet("Số liệu")
        sheet.write_row(0, 0, ["ma", "ten", "diem"])
        sheet.write_row(1, 0, ["U1", "A", 5])
    assert read_data(path, COLS, sheet="Số liệu").height == 1
    with pytest.raises(DataError) as caught:
        read_data(path, COLS)
    assert caught.value.lines() == [
        f"{path}: the sheet 'Nháp' spans rows 1 to 1,048,576 and columns A to XFD, more than "
        "30,000,000 cells; delete what lies far from the table"]


def test_names_the_user_gave_are_escaped_on_the_terminal(files, tmp_path):
    data = Path(files[1]).with_name("gaps\x1b[31m.csv")
    data.write_text("ma,ten,cum,ty_le,bao_cao\nX1,A,C,80,có\n\nX2,B,C,90,có\n", encoding="utf-8")
    result = run("score", files[0], str(data), "--format", "csv")
    assert result.exit_code == 0, result.output
    shown = str(data).replace("\x1b", "\\x1b")
    assert result.stderr == (f"note: {shown}: skipped 1 blank row (3): no column the criteria "
                             "read holds a value there\n")
    criteria = Path(files[0]).with_name("c\x1b]0;x\x07.yaml")
    criteria.write_text(Path(files[0]).read_text(encoding="utf-8"), encoding="utf-8")
    result = run("validate", str(criteria))
    assert result.exit_code == 0 and "\x1b" not in result.stdout and "\\x1b]0;x\\x07" in result.stdout
    result = run("init", "cum-xa", str(tmp_path / "dest\x1b[2J"))
    assert result.exit_code == 0 and "\x1b" not in result.stdout, result.stdout
