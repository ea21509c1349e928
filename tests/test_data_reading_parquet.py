"""Parquet files whose text is stored in ways the reader must undo (categorical and enum
columns) or that is not text at all (bytes that are not UTF-8): read as text, or named at the
column and, where the file allows, the record."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from thidua.errors import DataError
from thidua.input.data import Columns, read_data

COLS = Columns(id="ma", name="ten", group="cum", numbers=frozenset({"diem"}),
               flags=frozenset({"dat"}))
NOT_UTF8 = "holds text that is not UTF-8; write the file again with its text encoded as UTF-8"


def problems(path: Path) -> list[str]:
    with pytest.raises(DataError) as caught:
        read_data(path, COLS)
    return caught.value.lines()


def test_categorical_and_enum_columns_are_read_as_the_text_they_hold(tmp_path):
    path = tmp_path / "d.parquet"
    pl.DataFrame({"ma": ["X1", "X2"], "ten": ["A", "B"], "cum": ["C1", "C2"],
                  "diem": ["80", "95.5"], "dat": ["có", "không"]}).with_columns(
        pl.col("ma", "cum", "diem").cast(pl.Categorical),
        pl.col("dat").cast(pl.Enum(["có", "không"]))).write_parquet(path)
    frame = read_data(path, COLS)
    assert frame.get_column("id").to_list() == ["X1", "X2"]
    assert frame.get_column("group").to_list() == ["C1", "C2"]
    assert frame.get_column("diem").to_list() == [80.0, 95.5]
    assert frame.get_column("dat").to_list() == [True, False]


def test_a_bad_value_in_a_categorical_column_is_named_like_text(tmp_path):
    path = tmp_path / "d.parquet"
    pl.DataFrame({"ma": ["X1", "X2"], "ten": ["A", "B"], "cum": ["C1", "C2"],
                  "diem": ["80", "tám mươi"], "dat": ["có", "có"]}).with_columns(
        pl.col("diem").cast(pl.Categorical)).write_parquet(path)
    assert problems(path) == [f"{path}::row 2, diem: unit X2: 'tám mươi' is not a number"]


def broken(path: Path, frame: pl.DataFrame, text: bytes) -> Path:
    """The frame as Parquet (no compression, no statistics) with the second byte of `text`,
    written once, made 0xFF: bytes that are no UTF-8."""
    frame.write_parquet(path, compression="uncompressed", statistics=False)
    data = bytearray(path.read_bytes())
    assert data.count(text) == 1
    data[data.find(text) + 1] = 0xFF
    path.write_bytes(bytes(data))
    return path


def test_an_id_that_is_not_utf8_is_named_by_record_and_column(tmp_path):
    n = 1000  # every id different: stored plainly, one value after the other
    frame = pl.DataFrame({"ma": [f"X{i:04d}" for i in range(n)], "ten": ["A"] * n,
                          "cum": ["C1"] * n, "diem": [80] * n, "dat": ["có"] * n})
    path = broken(tmp_path / "d.parquet", frame, b"X0700")
    assert problems(path) == [f"{path}::row 701, ma: {NOT_UTF8}"]


def test_a_name_that_is_not_utf8_in_a_dictionary_is_named_by_column(tmp_path):
    frame = pl.DataFrame({"ma": ["X1", "X2", "X3"], "ten": ["Một", "Hai", "Một"],
                          "cum": ["C1"] * 3, "diem": [80] * 3, "dat": ["có"] * 3})
    path = broken(tmp_path / "d.parquet", frame, b"Hai")
    assert problems(path) == [f"{path}::ten: {NOT_UTF8}"]


def test_a_nan_or_infinite_id_name_or_group_is_no_unit(tmp_path):
    path = tmp_path / "d.parquet"
    pl.DataFrame({"ma": [1.0, float("nan"), 3.0], "ten": [1.5, 2.0, float("inf")],
                  "cum": [1.0, 1.0, -float("inf")], "diem": [80] * 3,
                  "dat": ["có"] * 3}).write_parquet(path)
    assert problems(path) == [
        f"{path}::row 2, ma: 'NaN' is not a finite number, so not a unit's id",
        f"{path}::row 3, ten: 'inf' is not a finite number, so not a unit's name",
        f"{path}::row 3, cum: '-inf' is not a finite number, so not a unit's group",
    ]
