"""Data files that are not what a data file must be: no regular file, too large, text that is
no text. Each is bad input on standard error with exit status 1, before anything big is read,
and no output file is written."""

from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from thidua.cli import cli
from thidua.errors import DataError
from thidua.input.data import Columns, read_data

CRITERIA = Path(__file__).parent / "cases" / "bad-data" / "criteria.yaml"
HEADER = "ma,ten,cum,ty_le,bao_cao,thu,chi"


def fails(data: Path, tmp_path: Path, *args: str) -> str:
    """Standard error of a `thidua score` that must fail with status 1 and write nothing."""
    out = tmp_path / "out"
    out.mkdir()
    result = CliRunner().invoke(cli, ["score", str(CRITERIA), str(data), *args,
                                      "-o", str(out / "ket-qua.csv")], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert list(out.iterdir()) == []
    return result.stderr


@pytest.mark.parametrize(("name", "message"), [
    ("d.csv", "is 3,000,000,000 bytes; a .csv data file may be at most 1,000,000,000"),
    ("d.json", ("is 3,000,000,000 bytes; a .json data file may be at most 200,000,000; "
               "use CSV or Parquet for more")),
    ("d.parquet", "is 3,000,000,000 bytes; a .parquet data file may be at most 1,000,000,000"),
    ("d.xlsx", "is 3,000,000,000 bytes; a .xlsx data file may be at most 200,000,000"),
])
def test_a_file_too_large_is_refused_before_it_is_read(tmp_path, name, message):
    path = tmp_path / name
    with path.open("wb") as f:  # sparse: 3 GB long, nothing on disk
        f.write(b"[")
        f.truncate(3_000_000_000)
    assert fails(path, tmp_path) == f"Error: {path}: 1 problem\n{path}: {message}\n"


def test_a_pipe_is_not_a_data_file(tmp_path):
    path = tmp_path / "d.csv"
    os.mkfifo(path)  # opening it for reading would wait for a writer forever
    assert fails(path, tmp_path) == (
        f"Error: {path}: 1 problem\n{path}: is not a regular file (a device, a pipe or a "
        "socket); give the path of a data file\n")


def test_a_link_to_dev_zero_is_not_a_data_file(tmp_path):
    path = tmp_path / "d.json"
    path.symlink_to("/dev/zero")
    assert fails(path, tmp_path) == (
        f"Error: {path}: 1 problem\n{path}: is not a regular file (a device, a pipe or a "
        "socket); give the path of a data file\n")


def test_a_header_row_that_never_ends_is_refused_without_reading_it_whole(tmp_path):
    path = tmp_path / "d.csv"
    with path.open("wb") as f:
        f.write(b"ma,ten,")
        f.truncate(900_000_000)  # NUL bytes, no line break
    assert fails(path, tmp_path) == (
        f"Error: {path}: 1 problem\n{path}: the first row (the header) does not end within the "
        "first 1,048,576 bytes; it must hold only the column names\n")


def test_a_csv_not_utf8_far_down_names_its_line(tmp_path):
    path = tmp_path / "d.csv"
    rows = "".join(f"X{i:06d},Xã {i},C1,80,có,10,5\n" for i in range(200_000))
    path.write_bytes(f"{HEADER}\n{rows}".encode() + b"X9,Qu\xe3ng L\xf5u,C1,80,c\xf3,10,5\n")
    assert fails(path, tmp_path) == (
        f"Error: {path}: 1 problem\n{path}: is not UTF-8 text (byte 0xE3 on line 200002); save "
        "it as 'CSV UTF-8' (or use the .xlsx file)\n")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_json_is_told_to_save_as_utf8(tmp_path, encoding):
    path = tmp_path / "d.json"
    path.write_bytes(f"[{record()}]".encode(encoding))
    message = ("is UTF-16 text, not UTF-8" if encoding == "utf-16"
               else "is not UTF-8 text (byte 0xF3 on line 1)")  # the ó of "có"
    assert fails(path, tmp_path) == (
        f"Error: {path}: 1 problem\n{path}: {message}; save it with the encoding UTF-8\n")


def record(**raw: str) -> str:
    """One JSON record as text, its values the JSON text given (escapes kept as written)."""
    values = {"ma": '"X01"', "ten": '"A"', "cum": '"C1"', "ty_le": "80", "bao_cao": '"có"',
              "thu": "10", "chi": "5"} | raw
    return "{" + ", ".join(f'"{k}": {v}' for k, v in values.items()) + "}"


HALF = ("holds a lone surrogate (half of a \\u escape pair), which is no character; write the "
        "character itself, or both halves of its pair")


def test_a_lone_surrogate_in_json_is_bad_input_naming_record_and_key(tmp_path):
    path = tmp_path / "d.json"
    records = [record(), record(ma='"X02"', ten='"B\\ud800"'),
               record(ma='"X03"', **{"ghi \\udc00 chú": '[1, "x"]'}),
               record(ma='"X04"', cum='"C\\ud83d\\ude00"')]  # a whole pair is a character
    path.write_text("[" + ", ".join(records) + "]", encoding="utf-8")
    assert fails(path, tmp_path) == (
        f"Error: {path}: 2 problems\n"
        f"{path}::row 2, ten: 'B\\ud800' {HALF}\n"
        f"{path}::row 3: the key 'ghi \\udc00 chú' {HALF}\n")


def test_a_lone_surrogate_in_a_nested_json_value_is_named_too(tmp_path):
    path = tmp_path / "d.json"
    path.write_text("[" + record(ty_le='[1, "\\udfff"]') + "]", encoding="utf-8")
    assert fails(path, tmp_path) == (
        f"Error: {path}: 1 problem\n{path}::row 1, ty_le: '[1, '\\udfff']' {HALF}\n")


def test_a_number_other_than_1_or_0_is_no_yes_no_value_in_any_format(tmp_path):
    columns = Columns(id="ma", name="ten", group=None, numbers=frozenset(), flags=frozenset({"dat"}))
    csv = tmp_path / "d.csv"
    csv.write_text("ma,ten,dat\nX1,A,1\nX2,B,5\nX3,C,0\n", encoding="utf-8")
    parquet = tmp_path / "d.parquet"
    pl.DataFrame({"ma": ["X1", "X2", "X3"], "ten": ["A", "B", "C"], "dat": [1, 5, 0]}).write_parquet(parquet)
    floats = tmp_path / "f.parquet"
    pl.DataFrame({"ma": ["X1", "X2", "X3"], "ten": ["A", "B", "C"],
                  "dat": [1.0, 5.0, 0.0]}).write_parquet(floats)
    js = tmp_path / "d.json"
    js.write_text(json.dumps([{"ma": "X1", "ten": "A", "dat": 1}, {"ma": "X2", "ten": "B", "dat": 5},
                              {"ma": "X3", "ten": "C", "dat": 0}]), encoding="utf-8")
    yes_no = "(có/không, x, 1/0, true/false)"
    for path, first, shown in ((csv, 2, "5"), (parquet, 1, "5"), (floats, 1, "5.0"), (js, 1, "5")):
        with pytest.raises(DataError) as caught:
            read_data(path, columns)
        assert caught.value.lines() == [
            f"{path}::row {first + 1}, dat: unit X2: '{shown}' is not a yes/no value {yes_no}"]


@pytest.mark.parametrize("name", ["d*.csv", "d[1].csv", "d?.csv", "d*.parquet", "d[1].parquet"])
def test_a_data_path_is_read_as_written_never_as_a_glob(tmp_path, name):
    rows = "ma,ten,cum,ty_le,bao_cao,thu,chi\nX1,Xã Một,Cụm 1,90,có,1,1\n"
    other = rows.replace("X1,Xã Một", "X9,Xã Chín")
    suffix = Path(name).suffix
    for path, text in ((tmp_path / name, rows), (tmp_path / f"d{suffix}", other),
                       (tmp_path / f"d1{suffix}", other)):
        frame = pl.read_csv(text.encode(), infer_schema=False)
        if suffix == ".csv":
            path.write_text(text, encoding="utf-8")
        else:
            frame.write_parquet(path)
    data = read_data(tmp_path / name, Columns(id="ma", name="ten", group="cum", numbers=frozenset({"ty_le"}),
                                              flags=frozenset({"bao_cao"})))
    assert data.get_column("id").to_list() == ["X1"]
