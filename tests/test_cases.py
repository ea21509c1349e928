"""Case folders: every valid file validates; every invalid file fails with exactly its expected lines.

tests/cases/invalid holds criteria files (YAML, TOML, JSON) beside `<name>.expected`, the English
lines (`--lang en`), and, where every message of the case has its Vietnamese text, beside
`<name>.vi.expected`, the lines in the default language.
tests/cases/bad-data/<name>/ holds a data file (`data.<ext>`; binary ones are built by BUILDERS
below), its `expected` error lines (English), where every message of the case has its Vietnamese text
`vi.expected` (the default language), optionally its own `criteria.yaml` (else the folder's shared
one) and `args` (more options for `thidua score`; `{folder}` there and in the expected lines is
the case's folder, where a history file lies). Every case exits with status 1, prints nothing
on standard output and writes no file.
"""

from __future__ import annotations

import shlex
import zipfile
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from click.testing import CliRunner

from thidua.cli import cli
from thidua.input.load import dump, load_criteria, parse_criteria

CASES = Path(__file__).parent / "cases"
VALID = sorted((CASES / "valid").glob("*.*"))
INVALID = sorted(p for p in (CASES / "invalid").iterdir() if p.suffix != ".expected")
VIETNAMESE = sorted((CASES / "invalid").glob("*.vi.expected"))
BAD_DATA = sorted(p for p in (CASES / "bad-data").iterdir() if p.is_dir())
HEADER = ["ma", "ten", "cum", "ty_le", "bao_cao", "thu", "chi"]
UNIT = ["X01", "Xã Quảng Lưu", "Cụm 1", 80, "có", 10, 5]


def test_there_are_enough_cases():
    assert len(VALID) >= 4
    assert len(INVALID) >= 60
    assert len(BAD_DATA) >= 40
    assert {p.stem for p in INVALID} == {p.stem for p in (CASES / "invalid").glob("*.expected")
                                         if not p.name.endswith(".vi.expected")}
    assert len(VIETNAMESE) >= 20
    assert {p.name.removesuffix(".vi.expected") for p in VIETNAMESE} <= {p.stem for p in INVALID}


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_file_validates(path: Path):
    result = CliRunner().invoke(cli, ["validate", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{path}: valid (format 1, ")
    assert result.stderr == ""


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_file_round_trips(path: Path):
    model = load_criteria(path)
    assert parse_criteria(dump(model)) == model


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_file_reports_exactly_its_problems(path: Path):
    expected = path.with_suffix(".expected").read_text(encoding="utf-8").replace("{file}", str(path))
    result = CliRunner().invoke(cli, ["--lang", "en", "validate", str(path)], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == expected


@pytest.mark.parametrize("expected", VIETNAMESE, ids=lambda p: p.name)
def test_invalid_file_reports_its_problems_in_vietnamese_by_default(expected: Path, vietnamese):
    path = next(p for p in INVALID if p.stem == expected.name.removesuffix(".vi.expected"))
    result = CliRunner().invoke(cli, ["validate", str(path)], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == expected.read_text(encoding="utf-8").replace("{file}", str(path))


# --- bad data: binary files built here, every other one lies in its folder ------------------------


def _workbook(path: Path, rows: list[list[object]], *, at: int = 0, name: str = "Sheet1") -> Path:
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            sheet.write_row(at + r, 0, row)
    return path


def _zip_bomb(folder: Path) -> Path:
    """A real workbook whose zip directory says its sheet unzips to 4 GB: refused before the
    reader sees it (a true bomb declares the same sizes)."""
    path = _workbook(folder / "data.xlsx", [HEADER, UNIT])
    data = bytearray(path.read_bytes())
    entry = data.find(b"PK\x01\x02", data.find(b"xl/worksheets/sheet1.xml") - 100)
    while data[entry + 46: entry + 46 + 24] != b"xl/worksheets/sheet1.xml":
        entry = data.find(b"PK\x01\x02", entry + 4)
    data[entry + 24: entry + 28] = (0xFFFF_FF00).to_bytes(4, "little")  # uncompressed size
    path.write_bytes(bytes(data))
    return path


def _far_cell(folder: Path) -> Path:
    """5 kB on disk; one value in the sheet's last cell makes the reader allocate 17 billion."""
    path = folder / "data.xlsx"
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, HEADER)
        sheet.write_row(1, 0, UNIT)
        sheet.write(1_048_575, 16_383, "x")
    return path


def _merged_header(folder: Path) -> Path:
    """Two header rows as councils draw them: 'Chỉ tiêu' merged over the indicators' columns."""
    path = folder / "data.xlsx"
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet()
        for c, name in enumerate(HEADER[:3]):
            sheet.merge_range(0, c, 1, c, name)
        sheet.merge_range(0, 3, 0, 6, "Chỉ tiêu")
        sheet.write_row(1, 3, HEADER[3:])
        sheet.write_row(2, 0, UNIT)
    return path


def _not_a_workbook(folder: Path) -> Path:
    path = folder / "data.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("ghi-chu.txt", "không phải bảng tính")
    return path


def _title_rows_and_bad_value(folder: Path) -> Path:
    """Title rows above the table, a gap, then a bad value: its row is the sheet's row."""
    return _workbook(folder / "data.xlsx", [["BẢNG SỐ LIỆU THI ĐUA NĂM 2026"], [], HEADER, UNIT, [],
                                            ["X02", "Phường Đồng Hới", "Cụm 1", "80 điểm", "có", 8, 4]])


def _wide(folder: Path) -> Path:
    """10,000 columns, and the one the criteria need is not among them: fails at once."""
    path = folder / "data.csv"
    header = HEADER[:-1] + [f"cot_{i}" for i in range(10_000)]
    path.write_text(",".join(header) + "\n" + ",".join(map(str, UNIT[:-1] + [1] * 10_000)) + "\n",
                    encoding="utf-8")
    return path


def _list_as_id(folder: Path) -> Path:
    path = folder / "data.parquet"
    pl.DataFrame({"ma": [[1, 2]], "ten": ["A"], "cum": ["C"], "ty_le": [80], "bao_cao": [True],
                  "thu": [1], "chi": [1]}).write_parquet(path)
    return path


def _council_layout(folder: Path) -> Path:
    """The council's own sheet, none of its extra rows listed: a merged title, the numbering row,
    a cluster merged down its units, a total row and a signature line: each named at its row."""
    path = folder / "data.xlsx"
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet()
        sheet.merge_range(0, 0, 0, 6, "BẢNG TỔNG HỢP SỐ LIỆU THI ĐUA NĂM 2025")
        sheet.write_row(1, 0, HEADER)
        sheet.write_row(2, 0, [f"({i})" for i in range(1, 8)])
        sheet.write_row(3, 0, ["X01", "Xã A", None, 80, "có", 10, 5])
        sheet.write_row(4, 0, ["X02", "Xã B", None, 90, "có", 10, 5])
        sheet.merge_range(3, 2, 4, 2, "Cụm 1")
        sheet.write_row(5, 0, [None, "Tổng cộng", None, 170, None, 20, 10])
        sheet.write_row(7, 0, [None, "Người lập biểu", None, None, None, "TM. Hội đồng"])
    return path


def _merged_outside_group(folder: Path) -> Path:
    """A value merged down two units' rows in an indicator column: the second unit's cell is
    empty in the file, whatever the sheet shows."""
    path = folder / "data.xlsx"
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, HEADER)
        sheet.write_row(1, 0, UNIT)
        sheet.write_row(2, 0, ["X02", "Xã B", "Cụm 1", None, "có", 10, 5])
        sheet.write_row(3, 0, ["X03", "Xã C", "Cụm 1", None, "có", 10, 5])
        sheet.merge_range(2, 3, 3, 3, 75)
    return path


def _percent_in_yes_no(folder: Path) -> Path:
    path = folder / "data.xlsx"
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, HEADER)
        sheet.write_row(1, 0, UNIT)
        sheet.write_row(2, 0, ["X02", "Xã B", "Cụm 1", 80, None, 10, 5])
        sheet.write_number(2, 4, 1, book.add_format({"num_format": "0%"}))
    return path


def _empty_group_not_merged(folder: Path) -> Path:
    return _workbook(folder / "data.xlsx", [HEADER, UNIT, ["X02", "Xã B", None, 80, "có", 10, 5]])


BUILDERS: dict[str, Callable[[Path], Path]] = {
    "xlsx-council-layout-nothing-listed": _council_layout,
    "xlsx-merged-cell-outside-group": _merged_outside_group,
    "xlsx-percent-cell-in-yes-no-column": _percent_in_yes_no,
    "xlsx-empty-group-cell-not-merged": _empty_group_not_merged,
    "xlsx-zip-bomb": _zip_bomb,
    "xlsx-far-cell": _far_cell,
    "xlsx-merged-header": _merged_header,
    "xlsx-not-a-workbook": _not_a_workbook,
    "only-header-xlsx": lambda folder: _workbook(folder / "data.xlsx", [HEADER]),
    "xlsx-unknown-sheet": lambda folder: _workbook(folder / "data.xlsx", [HEADER, UNIT],
                                                   name="Năm 2025"),
    "xlsx-title-rows-and-bad-value": _title_rows_and_bad_value,
    "wide-10000-columns-one-missing": _wide,
    "parquet-list-as-id": _list_as_id,
    "missing-data-file": lambda folder: folder / "khong-co.csv",
}


def bad_data_case(folder: Path, tmp: Path) -> tuple[Path, Path, list[str]]:
    """(criteria, data, more options) of a bad-data case folder."""
    criteria = folder / "criteria.yaml"
    if not criteria.exists():
        criteria = folder.parent / "criteria.yaml"
    files = sorted(folder.glob("data.*"))
    data = files[0] if files else BUILDERS[folder.name](tmp)
    args = folder / "args"
    # {folder}: the case's own folder (a file beside the data: --history, --members)
    options = args.read_text(encoding="utf-8").replace("{folder}", str(folder)) if args.exists() else ""
    return criteria, data, shlex.split(options)


def test_every_bad_data_case_has_its_data():
    for folder in BAD_DATA:
        assert (folder / "expected").is_file(), folder.name
        assert (len(list(folder.glob("data.*"))) == 1) != (folder.name in BUILDERS), folder.name


@pytest.mark.parametrize("folder", BAD_DATA, ids=lambda p: p.name)
def test_bad_data_reports_exactly_its_problems_and_writes_nothing(folder: Path, tmp_path: Path):
    criteria, data, args = bad_data_case(folder, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    expected = (folder / "expected").read_text(encoding="utf-8").replace("{data}", str(data)) \
        .replace("{folder}", str(folder))
    result = CliRunner().invoke(cli, ["score", str(criteria), str(data), *args,
                                      "-o", str(out / "ket-qua.csv")], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr == expected
    assert list(out.iterdir()) == []


BAD_DATA_VI = [f for f in BAD_DATA if (f / "vi.expected").exists()]


def test_most_bad_data_cases_are_said_in_vietnamese_with_no_english_word():
    """All but the case whose message ends in a library's own words (parquet-not-parquet)."""
    from .test_i18n import _english_words

    assert len(BAD_DATA_VI) >= len(BAD_DATA) - 1
    for folder in BAD_DATA_VI:
        lines = (folder / "vi.expected").read_text(encoding="utf-8").splitlines()
        assert [w for line in lines for w in _english_words(line)] == [], folder.name


@pytest.mark.parametrize("folder", BAD_DATA_VI, ids=lambda p: p.name)
def test_bad_data_reports_its_problems_in_vietnamese_by_default(folder: Path, tmp_path: Path,
                                                                 vietnamese):
    criteria, data, args = bad_data_case(folder, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    expected = (folder / "vi.expected").read_text(encoding="utf-8").replace("{data}", str(data)) \
        .replace("{folder}", str(folder))
    result = CliRunner().invoke(cli, ["score", str(criteria), str(data), *args,
                                      "-o", str(out / "ket-qua.csv")], catch_exceptions=False)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == expected
    assert list(out.iterdir()) == []
