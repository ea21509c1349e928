"""thidua.input.data: every format reads to the same frame, and every bad value is named with its row."""

from __future__ import annotations

import csv
import hashlib
import json
import sys
import unicodedata
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from thidua.errors import DataError
from thidua.input.data import NFC_SAFE, NOT_SURELY_NFC, Columns, read_data, sha256_file

COLS = Columns(id="ma", name="ten", group="cum", numbers=frozenset({"diem", "phat"}),
               flags=frozenset({"dat"}))
HEADER = "ma,ten,cum,diem,phat,dat\n"
YES_NO = "(có/không, x, 1/0, true/false)"
COMMA_HINT = "is not a number; written with a decimal comma it needs --decimal-comma"


def write(folder: Path, text: str, name: str = "data.csv", encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def problems(path: Path, columns: Columns = COLS, **options: object) -> list[tuple[str, str]]:
    with pytest.raises(DataError) as caught:
        read_data(path, columns, **options)  # type: ignore[arg-type]
    assert caught.value.source == str(path)
    return [(p.where, p.message) for p in caught.value.problems]


def column(path: Path, name: str, **options: object) -> list[object]:
    return read_data(path, COLS, **options).get_column(name).to_list()  # type: ignore[arg-type]


# --- the header -----------------------------------------------------------------------------------


def test_a_missing_column_is_named_with_the_columns_the_file_has_and_the_closest(tmp_path):
    path = write(tmp_path, "ma,ten_dv,cum,diem,Phạt\nX01,A,C1,1,2\n")
    assert problems(path) == [
        ("header", ("no column 'ten' (unit name); the file has 'ma', 'ten_dv', 'cum', 'diem', "
                    "'Phạt'; did you mean 'ten_dv'?")),
        ("header", ("no column 'dat' (indicator); the file has 'ma', 'ten_dv', 'cum', 'diem', "
                    "'Phạt'")),
        ("header", ("no column 'phat' (indicator); the file has 'ma', 'ten_dv', 'cum', 'diem', "
                    "'Phạt'; did you mean 'Phạt'?")),
    ]


def test_headers_match_after_case_folding_and_collapsed_white_space(tmp_path):
    # contract §1: NFC, trimming, every run of white space (a no-break space too) one space, and
    # case folding; nothing looser
    columns = Columns(id="Mã  xã", name="tên", group=None, numbers=frozenset({"Điểm"}),
                      flags=frozenset())
    path = write(tmp_path, "MÃ\u00a0XÃ,Tên,điểm\nX01,A,1\n")
    assert read_data(path, columns).columns == ["id", "name", "Điểm", "row"]


def test_a_header_that_differs_by_an_invisible_character_is_shown_escaped(tmp_path):
    columns = Columns(id="ma", name="ten", group=None, numbers=frozenset({"diem"}),
                      flags=frozenset())
    path = write(tmp_path, "ma,ten,di\u200bem\nX01,A,1\n")
    assert problems(path, columns=columns) == [
        ("header", ("no column 'diem' (indicator); the file has 'ma', 'ten', 'di\\u200bem'; did "
                    "you mean 'di\\u200bem'? It differs only by an invisible character (U+200B); "
                    "type the header again")),
    ]


def test_header_names_match_after_nfc_and_surrounding_spaces(tmp_path):
    columns = Columns(id="mã", name="tên", group=None, numbers=frozenset({"điểm"}),
                      flags=frozenset())
    path = write(tmp_path, " ma\u0303 ,te\u0302n,đie\u0302\u0309m\nX01,A,1\n")
    assert read_data(path, columns).columns == ["id", "name", "điểm", "row"]


def test_a_column_named_twice_in_the_header_is_a_problem(tmp_path):
    path = write(tmp_path, "ma,ten,cum,diem,diem,phat,dat,ghi chu,ghi chu\nX01,A,C1,1,2,3,x,,\n")
    assert problems(path) == [("header", "the header has 2 columns named 'diem' (columns D, E); "
                                         "a name must match one header")]


def test_an_indicator_cannot_take_the_name_of_a_column_the_frame_adds(tmp_path):
    columns = Columns(id="ma", name="ten", group=None, numbers=frozenset({"row"}),
                      flags=frozenset())
    path = write(tmp_path, "ma,ten,row\nX01,A,1\n")
    assert problems(path, columns) == [
        ("header", ("indicator 'row' has the name of a column the frame adds "
                    "(id, name, group, row); rename it"))]


def test_the_id_column_may_also_be_an_indicator(tmp_path):
    columns = Columns(id="ma", name="ten", group=None, numbers=frozenset({"ma"}),
                      flags=frozenset())
    frame = read_data(write(tmp_path, "ma,ten\n007,A\n"), columns)
    assert frame.rows() == [("007", "A", 7.0, 2)]


# --- ids ------------------------------------------------------------------------------------------


def test_duplicate_ids_are_found_after_nfc_and_stripping(tmp_path):
    rows = ["X01,A,C1,1,1,x", "Xã,B,C1,1,1,x", "Xa\u0303,C,C1,1,1,x", "X01 ,D,C1,1,1,x",
            "X02,E,C1,1,1,x"]
    path = write(tmp_path, HEADER + "\n".join(rows) + "\n")
    assert problems(path) == [
        ("ma", "id 'X01' appears in rows 2, 5"),
        ("ma", "id 'Xã' appears in rows 3, 4"),
    ]


def test_an_empty_id_is_named_with_its_row(tmp_path):
    path = write(tmp_path, HEADER + "X01,A,C1,1,1,x\n,B,C1,1,1,x\n   ,C,C1,1,1,x\n")
    assert problems(path) == [("row 3, ma", "the unit id is empty"),
                              ("row 4, ma", "the unit id is empty")]


def test_ids_stay_text_and_numeric_ids_become_text(tmp_path):
    assert column(write(tmp_path, HEADER + " 007 ,A,C1,1,1,x\n"), "id") == ["007"]
    pl.DataFrame({"ma": [7, 8], "ten": ["A", "B"], "cum": ["C", "C"], "diem": [1, 2],
                  "phat": [1, 2], "dat": [1, 0]}).write_parquet(tmp_path / "d.parquet")
    assert column(tmp_path / "d.parquet", "id") == ["7", "8"]


# --- numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "decimal_comma", "value"), [
    ("95.5", False, 95.5), ("-3", False, -3.0), ("100", False, 100.0), ("1e3", False, 1000.0),
    (" 12.5 ", False, 12.5), ("", False, None), ("   ", False, None),
    ("95,5", True, 95.5), ("1.234,5", True, 1234.5), ("1.234", True, 1234.0),
    ("-0,25", True, -0.25), ("1.234.567", True, 1234567.0), ("100", True, 100.0),
])
def test_numbers_in_each_convention(tmp_path, text, decimal_comma, value):
    path = write(tmp_path, HEADER + f'X01,A,C1,"{text}",,x\n')
    assert column(path, "diem", decimal_comma=decimal_comma) == [value]


@pytest.mark.parametrize(("text", "decimal_comma", "message"), [
    ("95,5", False, f"'95,5' {COMMA_HINT}"),
    ("1.234,5", False, f"'1.234,5' {COMMA_HINT}"),
    ("1,234", False, f"'1,234' {COMMA_HINT}"),
    ("95.5", True, "'95.5' is not a number in the decimal-comma convention"),
    ("1.23,4", True, "'1.23,4' is not a number in the decimal-comma convention"),
    ("12.34", True, "'12.34' is not a number in the decimal-comma convention"),
    ("NaN", False, "'NaN' is not a finite number"),
    ("nan", True, "'nan' is not a finite number"),
    ("inf", False, "'inf' is not a finite number"),
    ("-Infinity", False, "'-Infinity' is not a finite number"),
    ("1e999", False, "'1e999' is not a finite number"),
    ("abc", False, "'abc' is not a number"),
    ("95%%", True, "'95%%' is not a number"),
    ("%", False, "'%' is not a number"),
])
def test_bad_numbers_are_named_with_row_column_and_value(tmp_path, text, decimal_comma, message):
    path = write(tmp_path, HEADER + "X01,A,C1,1,1,x\n" + f'X02,B,C1,"{text}",1,x\n')
    assert problems(path, decimal_comma=decimal_comma) == [("row 3, diem", f"unit X02: {message}")]


def test_native_nan_inf_and_yes_no_are_not_numbers(tmp_path):
    path = tmp_path / "d.parquet"
    pl.DataFrame({"ma": ["X1", "X2", "X3"], "ten": ["A", "B", "C"], "cum": ["C"] * 3,
                  "diem": [float("nan"), float("inf"), -float("inf")], "phat": [True, None, False],
                  "dat": [1.0, float("nan"), 0.0]}).write_parquet(path)
    assert problems(path) == [
        ("row 1, diem", "unit X1: 'NaN' is not a finite number"),
        ("row 1, phat", "unit X1: 'true' is not a number"),
        ("row 2, diem", "unit X2: 'inf' is not a finite number"),
        ("row 2, dat", f"unit X2: 'NaN' is not a yes/no value {YES_NO}"),
        ("row 3, diem", "unit X3: '-inf' is not a finite number"),
        ("row 3, phat", "unit X3: 'false' is not a number"),
    ]


def test_native_nan_and_yes_no_in_json(tmp_path):
    text = ('[{"ma": "X1", "ten": "A", "cum": "C", "diem": NaN, "phat": 1, "dat": 1},'
            ' {"ma": "X2", "ten": "B", "cum": "C", "diem": 2, "phat": true}]')
    path = write(tmp_path, text, "d.json")
    assert problems(path) == [("row 1, diem", "unit X1: 'NaN' is not a finite number"),
                              ("row 2, phat", "unit X2: 'true' is not a number")]


def test_a_broken_column_lists_fifty_rows_and_counts_the_rest(tmp_path):
    path = write(tmp_path, HEADER + "".join(f"X{i},A,C1,abc,1,x\n" for i in range(60)))
    found = problems(path)
    assert len(found) == 51
    assert found[0] == ("row 2, diem", "unit X0: 'abc' is not a number")
    assert found[49] == ("row 51, diem", "unit X49: 'abc' is not a number")
    assert found[50] == ("diem", "… and 10 more bad values")


# --- yes/no ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [
    ("1", True), ("true", True), ("Có", True), ("co", True), ("X", True), ("yes", True),
    ("y", True), ("Đạt", True), ("co\u0301", True), ("0", False), ("FALSE", False),
    ("không", False), ("khong", False), ("no", False), ("n", False), ("Không  đạt", False),
    ("chưa đạt", False), ("", None), (" ", None),
])
def test_yes_no_words(tmp_path, text, value):
    path = write(tmp_path, HEADER + f"X01,A,C1,1,1,{text}\n")
    assert column(path, "dat") == [value]


def test_a_bad_yes_no_value(tmp_path):
    path = write(tmp_path, HEADER + "X01,A,C1,1,1,x\nX02,A,C1,1,1,maybe\n")
    assert problems(path) == [("row 3, dat", f"unit X02: 'maybe' is not a yes/no value {YES_NO}")]


# --- files that cannot be read --------------------------------------------------------------------


def test_a_windows_1258_csv_is_not_utf8(tmp_path):
    path = write(tmp_path, HEADER + "X01,Năm Căn,C1,1,1,x\n", encoding="cp1258")
    assert problems(path) == [("", ("is not UTF-8 text (byte 0xE3 on line 2); "
                                    "save it as 'CSV UTF-8' (or use the .xlsx file)"))]


def test_an_xlsx_that_is_not_a_zip(tmp_path):
    path = write(tmp_path, HEADER, "data.xlsx")
    assert problems(path) == [("", "is not an .xlsx workbook (it is not a zip archive)")]


@pytest.mark.parametrize("ext", [".csv", ".xlsx", ".parquet", ".json"])
def test_an_empty_file(tmp_path, ext):
    assert problems(write(tmp_path, "", "data" + ext)) == [("", "the file is empty")]


def test_a_header_without_units(tmp_path):
    assert problems(write(tmp_path, HEADER)) == [("", "the file has a header row but no units")]
    assert problems(write(tmp_path, "[]", "d.json")) == [("", "the file has no units")]


def test_an_unknown_extension_and_a_missing_file(tmp_path):
    assert problems(write(tmp_path, HEADER, "data.txt")) == [
        ("", "cannot read '.txt' files; use .csv, .xlsx, .parquet or .json")]
    assert problems(tmp_path / "nowhere.csv") == [("", "no such file")]


def test_an_unknown_sheet_lists_the_sheets(tmp_path):
    path = tmp_path / "data.xlsx"
    with xlsxwriter.Workbook(path) as book:
        TABLE.write_excel(book, worksheet="Dữ liệu")
        book.add_worksheet("Khác")
    assert problems(path, sheet="Nope") == [("", ("no sheet 'Nope'; the workbook has "
                                                  "'Dữ liệu', 'Khác'"))]
    assert read_data(path, COLS, sheet="Dữ liệu").height == 3


def test_a_row_with_too_many_values(tmp_path):
    path = write(tmp_path, HEADER + "X01,A,C1,95,5,1,x\n")
    assert problems(path) == [("row 2", ("7 values but the header has 6 columns; a value written "
                                         "with a decimal comma must be quoted (\"95,5\")"))]


def test_json_that_is_not_an_array_of_objects(tmp_path):
    assert problems(write(tmp_path, '{"ma": 1}', "d.json")) == [
        ("", "must hold an array of objects, one per unit")]
    assert problems(write(tmp_path, '[{"ma": 1}, 2]', "d.json")) == [("row 2", "is not an object")]


# --- the same table in every format ---------------------------------------------------------------

TABLE = pl.DataFrame({
    "ma": ["007", "X02", "Xa\u0303 3"],
    "ten": ["Xa\u0303 Quảng Lưu", "Phường Đồng Hới", "Xã Ba"],
    "cum": ["Cụm 1", "Cụm 1", "Cụm 2"],
    "ghi_chu": ["bỏ qua", None, "x"],
    "diem": [95.5, None, 0.1],
    "phat": [3.0, -2.0, None],
    "dat": [True, False, None],
})
EXPECTED = pl.DataFrame({
    "id": ["007", "X02", "Xã 3"],
    "name": ["Xã Quảng Lưu", "Phường Đồng Hới", "Xã Ba"],
    "group": ["Cụm 1", "Cụm 1", "Cụm 2"],
    "diem": [95.5, None, 0.1],
    "phat": [3.0, -2.0, None],
    "dat": [True, False, None],
})


def _as_csv(path: Path, bom: bool) -> Path:
    TABLE.write_csv(path, include_bom=bom)
    return path


def _as_xlsx(path: Path) -> Path:
    TABLE.write_excel(path)
    return path


def _as_json(path: Path) -> Path:
    path.write_text(json.dumps(TABLE.to_dicts(), ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "first_row"), [
    ("data.csv", 2), ("bom.csv", 2), ("data.xlsx", 2), ("data.parquet", 1), ("data.json", 1)])
def test_every_format_reads_to_the_same_frame(tmp_path, name, first_row):
    path = tmp_path / name
    if name.endswith(".csv"):
        _as_csv(path, bom=name == "bom.csv")
    elif name.endswith(".xlsx"):
        _as_xlsx(path)
    elif name.endswith(".json"):
        _as_json(path)
    else:
        TABLE.write_parquet(path)
    if name == "bom.csv":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    frame = read_data(path, COLS)
    rows = pl.Series("row", [first_row, first_row + 1, first_row + 2], dtype=pl.Int64)
    assert_frame_equal(frame, EXPECTED.with_columns(rows), check_exact=True)


def test_xlsx_rows_are_the_sheets_rows_below_title_rows_and_gaps(tmp_path):
    path = tmp_path / "data.xlsx"
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet()
        sheet.write(0, 0, "BẢNG ĐIỂM THI ĐUA NĂM 2025")
        for r, values in [(2, HEADER.strip().split(",")), (3, ["X01", "A", "C1", 1, 2, True]),
                          (5, [7, "B", "C1", "abc", 2, "có"])]:
            sheet.write_row(r, 1, values)
    assert problems(path) == [("row 6, diem", "unit 7: 'abc' is not a number")]


def test_xlsx_numbers_among_text_cells_keep_their_value_with_a_decimal_comma(tmp_path):
    path = tmp_path / "data.xlsx"
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, HEADER.strip().split(","))
        for r, value in enumerate([95.5, "95,5", 1.234, "1.234", -0.25, 7], 1):
            sheet.write_row(r, 0, [f"X{r}", "A", "C1", value, 1, 1])
    # A number cell keeps its value; a text cell follows the rule of text numbers, as in a CSV
    # file: with a decimal comma the text '1.234' is 1234 (the dot groups thousands).
    assert column(path, "diem", decimal_comma=True) == [95.5, 95.5, 1.234, 1234.0, -0.25, 7.0]
    assert problems(path) == [("row 3, diem", f"unit X2: '95,5' {COMMA_HINT}")]


def test_csv_rows_count_blank_lines_and_blank_rows_are_no_units(tmp_path):
    path = write(tmp_path, HEADER + "X01,A,C1,1,1,x\n\n  \n,,,,,\nX02,B,C1,abc,1,x\n\n")
    assert problems(path) == [("row 6, diem", "unit X02: 'abc' is not a number")]


def test_parquet_rows_are_record_numbers(tmp_path):
    path = tmp_path / "d.parquet"
    frame = TABLE.with_columns(pl.Series("diem", ["1", "2", "hai"]))
    frame.write_parquet(path)
    assert problems(path) == [("row 3, diem", "unit Xã 3: 'hai' is not a number")]


def test_a_semicolon_csv_from_excel_on_a_vietnamese_system(tmp_path):
    path = write(tmp_path, "ma;ten;cum;diem;phat;dat\nX01;A;C1;95,5;1.234,5;có\n")
    frame = read_data(path, COLS, decimal_comma=True)
    assert frame.row(0) == ("X01", "A", "C1", 95.5, 1234.5, True, 2)


# --- properties -----------------------------------------------------------------------------------

finite = st.floats(allow_nan=False, allow_infinity=False)


@given(st.lists(st.tuples(finite | st.none(), finite | st.none()), min_size=1, max_size=20))
def test_finite_floats_read_back_equal_from_parquet_and_csv(tmp_path_factory, values):
    folder = tmp_path_factory.mktemp("floats")
    ids = [f"U{i}" for i in range(len(values))]
    table = pl.DataFrame({"ma": ids, "ten": ids, "cum": ["C"] * len(ids),
                          "diem": [a for a, _ in values], "phat": [b for _, b in values],
                          "dat": [True] * len(ids)}, schema_overrides={"diem": pl.Float64,
                                                                       "phat": pl.Float64})
    table.write_parquet(folder / "d.parquet")
    with (folder / "d.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(table.columns)
        out.writerows([i, i, "C", "" if a is None else repr(a), "" if b is None else repr(b), "x"]
                      for i, (a, b) in zip(ids, values, strict=True))
    for name in ("d.parquet", "d.csv"):
        frame = read_data(folder / name, COLS)
        assert frame.get_column("diem").to_list() == table.get_column("diem").to_list()
        assert frame.get_column("phat").to_list() == table.get_column("phat").to_list()


def test_text_of_the_characters_taken_as_nfc_is_nfc():
    second = set()  # characters that can join the one before them in a composition
    for code in range(sys.maxunicode + 1):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            second.add(chr(int(parts[1], 16)))
    for low, high in NFC_SAFE:
        for ch in map(chr, range(low, high + 1)):
            assert unicodedata.combining(ch) == 0 and ch not in second, hex(ord(ch))
            assert unicodedata.is_normalized("NFC", ch), hex(ord(ch))
    safe = pl.Series(["Xã Quảng Lưu – 95,5 ₫", "x"]).str.contains(NOT_SURELY_NFC).to_list()
    assert safe == [False, False]
    assert pl.Series(["Xa\u0303", "\u2000"]).str.contains(NOT_SURELY_NFC).to_list() == [True, True]


def test_sha256_file(tmp_path):
    path = write(tmp_path, HEADER * 1000)
    assert sha256_file(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_columns_cannot_be_numbers_and_yes_no_at_once():
    with pytest.raises(ValueError, match="both"):
        Columns(id="a", name="b", group=None, numbers=frozenset({"x"}), flags=frozenset({"x"}))


def test_an_excel_error_cell_is_bad_input_not_a_missing_value(tmp_path):
    import xlsxwriter

    path = tmp_path / "loi.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    ws.write_row(0, 0, ["ma", "ten", "x", "f"])
    ws.write_row(1, 0, ["X1", "Một", 5, "có"])
    ws.write_row(2, 0, ["X2", "Hai"])
    ws.write_formula(2, 2, "=1/0", None, "#DIV/0!")
    ws.write_formula(2, 3, "=NA()", None, "#N/A")
    ws.write_row(3, 0, ["X3", "Ba", 7, "không"])
    wb.close()
    columns = Columns(id="ma", name="ten", group=None, numbers=frozenset({"x"}), flags=frozenset({"f"}))
    with pytest.raises(DataError) as e:
        read_data(path, columns)
    assert e.value.lines() == [
        f"{path}::row 3, x: unit X2: '#DIV/0!' is an error in the workbook (a formula that failed), not a number",
        f"{path}::row 3, f: unit X2: '#N/A' is an error in the workbook (a formula that failed), not a yes/no value",
    ]


def test_different_ids_are_counted_the_same_in_order_or_not():
    import random

    from thidua.input.data.problems import _different

    rnd = random.Random(3)
    for _ in range(50):
        ids = [f"U{rnd.randint(0, 30):02d}" for _ in range(rnd.randint(1, 40))]
        expected = len(set(ids))
        assert _different(pl.Series(sorted(ids))) == expected
        assert _different(pl.Series(ids)) == expected
