"""Workbooks read as a person sees them: the sheet they open on, text cells as text, yes/no and
error cells as what they are, formulas only when a spreadsheet computed them, and a zip that
lies about its sizes refused while it is inflated. Each format agrees with the others."""

from __future__ import annotations

import csv
import json
import logging
import re
import zipfile
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import thidua.input.data
from thidua.cli import cli
from thidua.errors import DataError
from thidua.input.data import Columns, read_data

COLS = Columns(id="ma", name="ten", group="cum", numbers=frozenset({"diem"}),
               flags=frozenset({"dat"}))
HEADER = ["ma", "ten", "cum", "diem", "dat"]
ERROR = "is an error in the workbook (a formula that failed)"


def problems(path: Path, columns: Columns = COLS, **options: object) -> list[str]:
    with pytest.raises(DataError) as caught:
        read_data(path, columns, **options)  # type: ignore[arg-type]
    return caught.value.lines()


def workbook(path: Path, fill, **options: object) -> Path:
    """A workbook written by xlsxwriter; fill(book) adds its sheets."""
    with xlsxwriter.Workbook(path, options) as book:
        fill(book)
    return path


def table(sheet, rows: list[list[object]]) -> None:
    sheet.write_row(0, 0, HEADER)
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row):
            if isinstance(value, str):  # write_row would turn "1.234" into a number cell
                sheet.write_string(r, c, value)
            elif value is not None:
                sheet.write(r, c, value)


def rewrite(path: Path, edit: dict[str, object]) -> Path:
    """The same workbook with some members' text edited (a function of the old text)."""
    with zipfile.ZipFile(path) as z:
        members = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            change = edit.get(info.filename)
            z.writestr(info.filename, change(data.decode()) if callable(change) else data)
    return path


def as_excel_saved_it(path: Path, application: str = "Microsoft Excel") -> Path:
    """What a spreadsheet application writes: its name in docProps/app.xml, and no request to
    recalculate on opening (xlsxwriter writes fullCalcOnLoad="1": it computes nothing)."""
    return rewrite(path, {
        "docProps/app.xml": lambda t: re.sub(r"<Application>[^<]*<", f"<Application>{application}<", t),
        "xl/workbook.xml": lambda t: t.replace(' fullCalcOnLoad="1"', ""),
    })


# --- item 3: which sheet --------------------------------------------------------------------------


def three_sheets(book, *, hidden: tuple[int, ...], active: int) -> None:
    for n, name in enumerate(["Năm 2024", "Năm 2025", "Năm 2026"]):
        sheet = book.add_worksheet(name)
        table(sheet, [[f"X{n}", "A", "C1", 80, "có"]])
        if n == active:
            sheet.activate()
    for n in hidden:
        book.worksheets()[n].hide()


def ids(path: Path, **options: object) -> list[str]:
    return read_data(path, COLS, **options).get_column("id").to_list()  # type: ignore[arg-type]


def test_a_hidden_first_sheet_is_not_read_the_sheet_the_workbook_opens_on_is(tmp_path):
    path = workbook(tmp_path / "d.xlsx", lambda b: three_sheets(b, hidden=(0,), active=1))
    assert ids(path) == ["X1"]


def test_without_sheet_the_active_sheet_is_read_not_the_first(tmp_path):
    path = workbook(tmp_path / "d.xlsx", lambda b: three_sheets(b, hidden=(), active=2))
    assert ids(path) == ["X2"]


def test_when_the_active_sheet_is_hidden_the_first_visible_one_is_read(tmp_path):
    path = workbook(tmp_path / "d.xlsx", lambda b: three_sheets(b, hidden=(0,), active=1))
    path = rewrite(path, {"xl/workbook.xml": lambda t: t.replace(
        'activeTab="1"', 'activeTab="0"')})
    assert ids(path) == ["X1"]


def test_a_hidden_sheet_named_with_sheet_is_read(tmp_path):
    path = workbook(tmp_path / "d.xlsx", lambda b: three_sheets(b, hidden=(0,), active=1))
    assert ids(path, sheet="Năm 2024") == ["X0"]


def test_a_far_cell_in_a_hidden_sheet_does_not_stop_the_visible_one(tmp_path):
    def fill(book):
        three_sheets(book, hidden=(0,), active=1)
        book.worksheets()[0].write(1_048_575, 16_383, "x")
    assert ids(workbook(tmp_path / "d.xlsx", fill)) == ["X1"]


# --- item 4: error cells are no id, name or group, in any format -----------------------------------


def test_error_cells_in_the_id_name_and_group_columns_are_bad_input(tmp_path):
    def fill(book):
        sheet = book.add_worksheet()
        table(sheet, [[7, "A", "C1", 80, "có"], [None, None, None, 70, "có"],
                      [9, "C", "C2", 60, "có"]])
        sheet.write_formula(2, 0, "=VLOOKUP(1,Z1:Z2,1)", None, "#N/A")
        sheet.write_formula(2, 1, "=1/0", None, "#DIV/0!")
        sheet.write_formula(2, 2, "=Q1+", None, "#NAME?")
    path = as_excel_saved_it(workbook(tmp_path / "d.xlsx", fill))
    assert problems(path) == [
        f"{path}::row 3, ma: '#N/A' {ERROR}, not a unit's id",
        f"{path}::row 3, ten: '#DIV/0!' {ERROR}, not a unit's name",
        f"{path}::row 3, cum: '#NAME?' {ERROR}, not a unit's group",
    ]


def test_an_error_cell_leaves_the_other_number_ids_as_they_are_written(tmp_path):
    def fill(book):
        sheet = book.add_worksheet()
        table(sheet, [[7, "A", "C1", 80, "có"], [None, "B", "C1", 70, "có"]])
        sheet.write_formula(2, 0, "=NA()", None, "#N/A")
    path = as_excel_saved_it(workbook(tmp_path / "d.xlsx", fill))
    assert problems(path) == [f"{path}::row 3, ma: '#N/A' {ERROR}, not a unit's id"]


def test_error_text_in_a_csv_is_no_id_name_or_group_either(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("ma,ten,cum,diem,dat\nX1,#N/A,C1,80,có\n#REF!,B, #VALUE! ,70,có\n",
                    encoding="utf-8")
    assert problems(path) == [
        f"{path}::row 2, ten: '#N/A' {ERROR}, not a unit's name",
        f"{path}::row 3, ma: '#REF!' {ERROR}, not a unit's id",
        f"{path}::row 3, cum: '#VALUE!' {ERROR}, not a unit's group",
    ]


# --- item 5: one rule for numbers written as text --------------------------------------------------


@pytest.mark.parametrize("decimal_comma", [False, True])
def test_text_numbers_read_the_same_from_csv_and_xlsx_text_cells(tmp_path, decimal_comma):
    texts = ["1.234", "95,5", "1.234,5", "7"] if decimal_comma else ["1.234", "95.5", "7", "-0.25"]
    csv = tmp_path / "d.csv"
    csv.write_text("ma,ten,cum,diem,dat\n" + "".join(f'X{i},A,C1,"{t}",có\n'
                                                     for i, t in enumerate(texts)), encoding="utf-8")
    only_text = workbook(tmp_path / "t.xlsx", lambda b: table(
        b.add_worksheet(), [[f"X{i}", "A", "C1", t, "có"] for i, t in enumerate(texts)]))
    mixed = workbook(tmp_path / "m.xlsx", lambda b: table(
        b.add_worksheet(), [[f"X{i}", "A", "C1", t, "có"] for i, t in enumerate(texts)]
        + [["X9", "A", "C1", 1.5, "có"]]))
    expected = [1234.0, 95.5, 1234.5, 7.0] if decimal_comma else [1.234, 95.5, 7.0, -0.25]

    def values(path: Path) -> list[float]:
        frame = read_data(path, COLS, decimal_comma=decimal_comma)
        return frame.get_column("diem").to_list()

    assert values(csv) == expected
    assert values(only_text) == expected
    assert values(mixed) == [*expected, 1.5]


def test_number_cells_keep_their_value_beside_text_cells_with_a_decimal_comma(tmp_path):
    path = workbook(tmp_path / "d.xlsx", lambda b: table(b.add_worksheet(), [
        ["X1", "A", "C1", 1.234, "có"], ["X2", "A", "C1", "1.234", "có"],
        ["X3", "A", "C1", 1234567.25, "có"], ["X4", "A", "C1", 1e-7, "có"],
        ["X5", "A", "C1", 2.5e20, "có"]]))
    assert read_data(path, COLS, decimal_comma=True).get_column("diem").to_list() == [
        1.234, 1234.0, 1234567.25, 1e-7, 2.5e20]


# --- item 6: a yes/no value is not a number, in any format -----------------------------------------


def test_a_yes_no_cell_in_a_number_column_is_refused_like_parquet_and_json(tmp_path):
    xlsx = workbook(tmp_path / "d.xlsx", lambda b: table(b.add_worksheet(), [
        ["X1", "A", "C1", 80, "có"], ["X2", "B", "C1", True, "có"], ["X3", "C", "C1", False, "có"]]))
    parquet = tmp_path / "d.parquet"
    pl.DataFrame({"ma": ["X1", "X2", "X3"], "ten": ["A", "B", "C"], "cum": ["C1"] * 3,
                  "diem": [None, True, False], "dat": ["có"] * 3}).write_parquet(parquet)
    js = tmp_path / "d.json"
    js.write_text(json.dumps([{"ma": "X1", "ten": "A", "cum": "C1", "diem": 80, "dat": "có"},
                              {"ma": "X2", "ten": "B", "cum": "C1", "diem": True, "dat": "có"},
                              {"ma": "X3", "ten": "C", "cum": "C1", "diem": False, "dat": "có"}]),
                  encoding="utf-8")
    for path, first in ((xlsx, 3), (parquet, 2), (js, 2)):  # a sheet's row; a record's number
        assert problems(path) == [
            f"{path}::row {first}, diem: unit X2: 'true' is not a number",
            f"{path}::row {first + 1}, diem: unit X3: 'false' is not a number"]


def test_json_true_and_false_alone_in_a_number_column_are_refused(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps([{"ma": "X1", "ten": "A", "cum": "C1", "diem": True, "dat": 1}]),
                    encoding="utf-8")
    assert problems(path) == [f"{path}::row 1, diem: unit X1: 'true' is not a number"]


def test_yes_no_cells_still_read_in_a_yes_no_column(tmp_path):
    path = workbook(tmp_path / "d.xlsx", lambda b: table(b.add_worksheet(), [
        ["X1", "A", "C1", 80, True], ["X2", "B", "C1", 80, "không"], ["X3", "B", "C1", 80, 0]]))
    assert read_data(path, COLS).get_column("dat").to_list() == [True, False, False]


# --- item 7: formulas only when a spreadsheet computed them ---------------------------------------


def formulas(book) -> None:
    sheet = book.add_worksheet()
    table(sheet, [["X1", "A", "C1", None, "có"], ["X2", "B", "C1", None, "có"],
                  ["X3", "C", "C1", 55, "có"]])
    sheet.write_formula(1, 3, "=40+40", None, 80)  # the value stored with it
    sheet.write_formula(2, 3, "=35*2")  # xlsxwriter stores 0, like many generators


NOT_COMPUTED = ("has a stored value that no spreadsheet application calculated ({}); open the "
                "workbook in Excel or LibreOffice and save it again, or type the value")
NO_VALUE = ("has no stored value (it was never calculated); open the workbook in Excel or "
            "LibreOffice and save it again, or type the value")


def test_formulas_of_a_workbook_no_spreadsheet_computed_are_bad_input(tmp_path):
    path = workbook(tmp_path / "d.xlsx", formulas)
    why = "the workbook asks to be recalculated when it is opened, so they were not"
    assert problems(path) == [
        f"{path}::row 2, diem: unit X1: the formula in D2 {NOT_COMPUTED.format(why)}",
        f"{path}::row 3, diem: unit X2: the formula in D3 {NOT_COMPUTED.format(why)}",
    ]


@pytest.mark.parametrize(("application", "why"), [
    ("", "the workbook does not say which program wrote it"),
    ("Báo cáo tự động 1.0", ("it was written by 'Báo cáo tự động 1.0', not by a spreadsheet "
                            "application")),
])
def test_formulas_written_by_a_program_that_is_no_spreadsheet_are_bad_input(tmp_path, application,
                                                                            why):
    path = as_excel_saved_it(workbook(tmp_path / "d.xlsx", formulas), application)
    assert problems(path)[0] == (
        f"{path}::row 2, diem: unit X1: the formula in D2 {NOT_COMPUTED.format(why)}")


def test_formulas_of_a_workbook_saved_uncalculated_by_hand_are_bad_input(tmp_path):
    path = as_excel_saved_it(workbook(tmp_path / "d.xlsx", formulas))
    path = rewrite(path, {"xl/workbook.xml": lambda t: t.replace(
        "<calcPr ", '<calcPr calcMode="manual" calcOnSave="0" ')})
    why = "the workbook calculates only by hand and was saved without calculating"
    assert problems(path)[0] == (
        f"{path}::row 2, diem: unit X1: the formula in D2 {NOT_COMPUTED.format(why)}")


@pytest.mark.parametrize("application", ["Microsoft Excel", "LibreOffice/7.6.4.1$Linux_X86_64"])
def test_formulas_a_spreadsheet_computed_are_read(tmp_path, application):
    path = as_excel_saved_it(workbook(tmp_path / "d.xlsx", formulas), application)
    path = rewrite(path, {"xl/worksheets/sheet1.xml": lambda t: t.replace(
        "<f>35*2</f><v>0</v>", "<f>35*2</f><v>70</v>")})
    assert read_data(path, COLS).get_column("diem").to_list() == [80.0, 70.0, 55.0]


def test_a_formula_without_a_stored_value_is_never_trusted(tmp_path):
    def fill(book):
        formulas(book)
        book.worksheets()[0].write_formula(3, 3, "=50+5", None, "")  # <v></v>
    path = as_excel_saved_it(workbook(tmp_path / "d.xlsx", fill))
    path = rewrite(path, {"xl/worksheets/sheet1.xml": lambda t: t.replace(
        "<f>35*2</f><v>0</v>", "<f>35*2</f>")})
    assert problems(path) == [
        f"{path}::row 3, diem: unit X2: the formula in D3 {NO_VALUE}",
        f"{path}::row 4, diem: unit X3: the formula in D4 {NO_VALUE}",
    ]


def test_a_formula_without_a_value_is_bad_input_even_under_missing_zero(tmp_path):
    criteria = tmp_path / "c.yaml"
    criteria.write_text("""\
format: 1
id: t
name: t
version: "1"
total: 10
units: {id: ma, name: ten, group: cum}
criteria:
  - {code: A, name: A, max_points: 10, missing: zero,
     rule: {type: linear, indicator: diem, zero_at: 0, full_at: 100}}
""", encoding="utf-8")

    def fill(book):
        sheet = book.add_worksheet()
        table(sheet, [["X1", "A", "C1", 80, "có"], ["X2", "B", "C1", None, "có"]])
        sheet.write_formula(2, 3, "=B2*2", None, "")
    path = as_excel_saved_it(workbook(tmp_path / "d.xlsx", fill))
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["score", str(criteria), str(path), "-o", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (f"Error: {path}: 1 problem\n"
                             f"{path}::row 3, diem: unit X2: the formula in D3 {NO_VALUE}\n")
    assert not out.exists()


def test_formulas_in_title_rows_and_unused_columns_are_not_read_so_not_named(tmp_path):
    def fill(book):
        sheet = book.add_worksheet()
        sheet.write_formula(0, 0, '="Năm "&2026')
        sheet.write_row(1, 0, [*HEADER, "ghi chu"])
        sheet.write_row(2, 0, ["X1", "A", "C1", 80, "có"])
        sheet.write_formula(2, 5, "=D3*2")
    assert ids(workbook(tmp_path / "d.xlsx", fill)) == ["X1"]


# --- item 31: a zip directory that understates what it inflates to --------------------------------


def lying(path: Path, member: str, size: int) -> Path:
    """The workbook with `member`'s uncompressed size written as `size` in both the local header
    and the central directory, as a hostile archive would."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            offset = 30 if signature == b"PK\x03\x04" else 46
            if data[start + offset: start + offset + len(name)] == name:
                data[start + at: start + at + 4] = size.to_bytes(4, "little")
            start += 4
    path.write_bytes(bytes(data))
    return path


def big_sheet(book) -> None:
    table(book.add_worksheet(), [[f"X{i}", "Xã " * 20, "C1", 80, "có"] for i in range(20_000)])


def test_a_zip_that_understates_its_sizes_is_stopped_while_it_is_inflated(tmp_path, monkeypatch):
    path = workbook(tmp_path / "d.xlsx", big_sheet)
    with zipfile.ZipFile(path) as z:
        real = z.getinfo("xl/worksheets/sheet1.xml").file_size
    monkeypatch.setattr(thidua.input.data, "MAX_XLSX_EXPANDED", real // 2)
    path = lying(path, "xl/worksheets/sheet1.xml", 1000)
    assert problems(path) == [
        (f"{path}: unzips to more than {real // 2:,} bytes, although its zip directory says less; "
        f"an .xlsx data file may unzip to at most {real // 2:,} (a zip bomb?)")]


def test_a_zip_whose_sizes_are_wrong_under_the_limit_is_a_damaged_workbook(tmp_path):
    path = lying(workbook(tmp_path / "d.xlsx", big_sheet), "xl/worksheets/sheet1.xml", 1000)
    assert problems(path) == [
        (f"{path}: is a damaged .xlsx workbook: the zip member 'xl/worksheets/sheet1.xml' does not "
        "unzip to the 1,000 bytes its directory says")]


def test_a_zip_that_understates_its_sizes_through_the_cli(tmp_path, monkeypatch):
    path = lying(workbook(tmp_path / "d.xlsx", big_sheet), "xl/worksheets/sheet1.xml", 1000)
    with zipfile.ZipFile(path) as z:
        declared = sum(i.file_size for i in z.infolist())  # passes the directory's check
    monkeypatch.setattr(thidua.input.data, "MAX_XLSX_EXPANDED", declared + 100_000)
    criteria = Path(__file__).parent / "cases" / "bad-data" / "criteria.yaml"
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["score", str(criteria), str(path), "-o", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path}: 1 problem\n{path}: unzips to more than {declared + 100_000:,} bytes, "
        "although its zip directory says less; an .xlsx data file may unzip to at most "
        f"{declared + 100_000:,} (a zip bomb?)\n")
    assert not out.exists()


def prefixed(text: str) -> str:
    """A sheet's XML with its elements in a prefixed namespace (<x:c>), as the .NET Open XML SDK
    writes it."""
    text = re.sub(r"<(/?)(\w+)([\s>/])", r"<\1x:\2\3", text.split("?>", 1)[1])
    text = text.replace('<x:worksheet xmlns="', '<x:worksheet xmlns:x="')
    return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + text


def test_formulas_are_found_in_a_sheet_whose_tags_carry_a_prefix(tmp_path):
    path = rewrite(workbook(tmp_path / "d.xlsx", formulas), {"xl/worksheets/sheet1.xml": prefixed})
    why = "the workbook asks to be recalculated when it is opened, so they were not"
    assert problems(path) == [
        f"{path}::row 2, diem: unit X1: the formula in D2 {NOT_COMPUTED.format(why)}",
        f"{path}::row 3, diem: unit X2: the formula in D3 {NOT_COMPUTED.format(why)}",
    ]


def test_a_far_cell_is_found_in_a_sheet_whose_tags_carry_a_prefix(tmp_path):
    def fill(book):
        sheet = book.add_worksheet()
        table(sheet, [["X1", "A", "C1", 80, "có"]])
        sheet.write(1_048_575, 16_383, "x")
    path = rewrite(workbook(tmp_path / "d.xlsx", fill), {"xl/worksheets/sheet1.xml": prefixed})
    assert problems(path) == [
        (f"{path}: the sheet 'Sheet1' spans rows 1 to 1,048,576 and columns A to XFD, more than "
        "30,000,000 cells; delete what lies far from the table")]


def test_every_error_cell_is_refused_however_many_there_are(tmp_path):
    def fill(book):
        sheet = book.add_worksheet()
        table(sheet, [[f"X{i}", "A", "C1", None, "có"] for i in range(1, 1202)])
        for r in range(1, 1202):
            sheet.write_formula(r, 3, "=1/0", None, "#DIV/0!")
        sheet.write_formula(1202, 3, "=1/0", None, "#DIV/0!")  # a row with nothing else in it
    path = as_excel_saved_it(workbook(tmp_path / "d.xlsx", fill))
    found = problems(path)
    assert len(found) == 52
    assert found[0] == f"{path}::row 1203, ma: the unit id is empty"  # not a blank row
    assert found[1] == f"{path}::row 2, diem: unit X1: '#DIV/0!' {ERROR}, not a number"
    assert found[50] == f"{path}::row 51, diem: unit X50: '#DIV/0!' {ERROR}, not a number"
    assert found[51] == f"{path}::diem: … and 1152 more bad values"


def test_the_reading_says_which_sheet_was_read(tmp_path):
    path = workbook(tmp_path / "d.xlsx", lambda b: three_sheets(b, hidden=(0,), active=1))
    with thidua.input.data.readings() as found:
        read_data(path, COLS)
    assert [r.sheet for r in found] == ["Năm 2025"]


def test_reading_a_workbook_prints_nothing_of_the_readers_own(tmp_path, monkeypatch):
    def fill(book):
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, ["ma", "ten", "cum", "ty_le", "bao_cao", "thu", "chi"])
        sheet.write_row(1, 0, ["X01", "A", "C1", 80, "có", 10, 5])
        sheet.write(1, 9, "ghi chú")  # columns H and I hold nothing: the reader logs about them
    path = workbook(tmp_path / "d.xlsx", fill)
    criteria = Path(__file__).parent / "cases" / "bad-data" / "criteria.yaml"
    # As in a real run: no logging handler anywhere, so Python prints a warning on stderr.
    monkeypatch.setattr(logging.root, "handlers", [])
    result = CliRunner().invoke(cli, ["score", str(criteria), str(path), "--format", "csv"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


# --- the property behind items 5 and 6: a value reads the same whatever the format ----------------

# Any short text of the signs numbers are written with, and numbers shaped as people write them
# (dots and commas as decimal or thousands separators, signs, exponents), and floats' own text.
NUMBERISH_TEXT = st.one_of(
    st.text(alphabet="0123456789.,-+eE %", min_size=1, max_size=9),
    st.from_regex(r"\A\s?[+-]?\d{0,4}(?:[.,]\d{1,4}){0,3}(?:[eE][+-]?\d{1,3})?\s?\Z"),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@given(texts=st.lists(NUMBERISH_TEXT.filter(lambda t: t.strip() != ""), min_size=1, max_size=6),
       decimal_comma=st.booleans())
def test_text_in_a_number_column_reads_the_same_in_every_format(tmp_path_factory, texts,
                                                               decimal_comma):
    folder = tmp_path_factory.mktemp("same")
    columns = Columns(id="ma", name="ten", group=None, numbers=frozenset({"diem"}),
                      flags=frozenset())
    rows = [[f"X{i}", "A", t] for i, t in enumerate(texts)]
    csv_path = folder / "d.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["ma", "ten", "diem"], *rows])
    xlsx_path = folder / "d.xlsx"
    with xlsxwriter.Workbook(xlsx_path) as book:
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, ["ma", "ten", "diem"])
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row):
                sheet.write_string(r, c, value)
    json_path = folder / "d.json"
    json_path.write_text(json.dumps([dict(zip(["ma", "ten", "diem"], row, strict=True))
                                     for row in rows]), encoding="utf-8")
    parquet_path = folder / "d.parquet"
    pl.DataFrame(rows, schema=["ma", "ten", "diem"], orient="row").write_parquet(parquet_path)

    def outcome(path: Path, header_rows: int) -> object:
        """The values read, or every problem with its record number (a spreadsheet's row 2 is
        the first record of a JSON or Parquet file)."""
        try:
            return read_data(path, columns, decimal_comma=decimal_comma).get_column("diem").to_list()
        except DataError as e:
            return [(re.sub(r"\d+", lambda m: str(int(m[0]) - header_rows), p.where, count=1),
                     p.message) for p in e.problems]

    assert (outcome(csv_path, 1) == outcome(xlsx_path, 1) == outcome(json_path, 0)
            == outcome(parquet_path, 0))


def test_a_workbook_whose_cell_formats_cannot_be_read_is_damaged_not_read_without_percentages(tmp_path):
    # a percent cell read without its format would be its fraction (95,5 % as 0.955) in silence
    def fill(book):
        sheet = book.add_worksheet()
        table(sheet, [["X1", "Xã Một", "Cụm 1", 95.5, "có"]])
        sheet.write_number(1, 3, 0.955, book.add_format({"num_format": "0.0%"}))
    good = workbook(tmp_path / "good.xlsx", fill)
    path = tmp_path / "d.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            out.writestr(info, b'<styleSheet><numFmts count="1"><numFmt formatCode="0.0%"' if
                         info.filename == "xl/styles.xml" else data)
    assert problems(path) == [
        f"{path}: is a damaged .xlsx workbook: its cell formats (xl/styles.xml) cannot be read, so "
        "percentage cells cannot be told from the others (ParseError)"]
