"""thidua/input/data/fast.py: the plain reading of text numbers and yes/no words gives exactly what
the full reading gives (frame, problems and notes), and a CSV gives the same results as a Parquet
file of the same data."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import thidua.input.data as data
from tests.util import SMALL_CRITERIA, run_cli
from thidua.errors import DataError
from thidua.input.data import Columns, read_data, readings
from thidua.input.data.parse import FLAG_WORDS, header_key

COLUMNS = Columns(id="ma", name="ten", group=None, numbers=frozenset({"x"}), flags=frozenset({"f"}))

# what a person types into a number or yes/no cell, good and bad
CHARS = "0123456789.,eE+-% \u00a0_xnaifNIy\u0301đcó"
cells = st.one_of(st.text(alphabet=CHARS, max_size=8), st.sampled_from(
    ["1", "0", "95.5", "1e3", ".5", "5.", "nan", "inf", "-Infinity", "1,5", " 7 ", "12%",
     "có", "Có", "khong", " x ", "không đạt", "1e400", "", "  "]))


def _read_both(path: Path, monkeypatch: pytest.MonkeyPatch, decimal_comma: bool = False) -> tuple[object, object]:
    """read_data's outcome (frame and readings, or the problems) with the plain reading, and
    without it (every column read by parse._number and parse._flag)."""
    def outcome() -> object:
        try:
            with readings() as found:
                return read_data(path, COLUMNS, decimal_comma=decimal_comma), found
        except DataError as e:
            return [str(p) for p in e.problems]

    fast = outcome()
    with monkeypatch.context() as m:
        m.setattr(data, "plain_columns", lambda kinds, decimal_comma: set())
        plain = outcome()
    return fast, plain


def _same(a: object, b: object) -> None:
    if isinstance(a, tuple) and isinstance(b, tuple):
        assert_frame_equal(a[0], b[0])
        assert a[1] == b[1]
    else:
        assert a == b


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(numbers=st.lists(cells, min_size=1, max_size=6), flags=st.lists(cells, min_size=1, max_size=6),
       decimal_comma=st.booleans())
def test_plain_reading_is_the_full_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           numbers: list[str], flags: list[str], decimal_comma: bool) -> None:
    n = max(len(numbers), len(flags))
    frame = pl.DataFrame({"ma": [f"U{i}" for i in range(n)], "ten": [f"Xã {i}" for i in range(n)],
                          "x": (numbers * n)[:n], "f": (flags * n)[:n]})
    path = tmp_path / "d.csv"
    frame.write_csv(path)
    _same(*_read_both(path, monkeypatch, decimal_comma))


@pytest.mark.parametrize(("x", "f"), [
    (["95.5", "12", "1e3", ""], ["1", "0", "có", ""]),  # every value plain
    (["95.5", " 12 ", "80%", ""], ["1", "Có", " x", ""]),  # read again, whole, with the same values
    (["95.5", "nan", "inf", "abc"], ["1", "2", "maybe", ""]),  # bad values, named the same way
])
def test_plain_and_full_reading_agree_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         x: list[str], f: list[str]) -> None:
    path = tmp_path / "d.csv"
    pl.DataFrame({"ma": ["A", "B", "C", "D"], "ten": ["a", "b", "c", "d"], "x": x, "f": f}).write_csv(path)
    fast, plain = _read_both(path, monkeypatch)
    _same(fast, plain)


def test_flag_words_are_listed_as_the_full_reading_makes_them() -> None:
    # the plain reading looks a word up as written: every listed word must be what parse._flag
    # makes of it (stripped, NFC, lower case, single-spaced), or it would never be found plainly
    assert all(header_key(w) == w for w in FLAG_WORDS)


def test_csv_and_parquet_of_the_same_data_score_the_same(tmp_path: Path) -> None:
    criteria = tmp_path / "c.yaml"
    criteria.write_text(SMALL_CRITERIA, encoding="utf-8")
    frame = pl.DataFrame({"ma": [f"X{i:03d}" for i in range(60)],
                          "ten": [f"Xã {i}" for i in range(60)],
                          "cum": [f"Cụm {i % 3 + 1}" for i in range(60)],
                          "ty_le": [f"{50 + (i * 37) % 51}.{i % 10}" for i in range(60)],
                          "bao_cao": ["có" if i % 4 else "không" for i in range(60)]})
    frame.write_csv(tmp_path / "d.csv")
    frame.with_columns(pl.col("ty_le").cast(pl.Float64), pl.col("bao_cao") == "có").write_parquet(tmp_path / "d.parquet")
    for ext in ("csv", "parquet"):
        r = run_cli("score", str(criteria), str(tmp_path / f"d.{ext}"), "-o", str(tmp_path / f"out-{ext}.parquet"))
        assert (r.exit_code, r.stderr) == (0, "")
    assert_frame_equal(pl.read_parquet(tmp_path / "out-csv.parquet"), pl.read_parquet(tmp_path / "out-parquet.parquet"))


BLANKS = ["", " ", "   ", "\u00a0", " \u00a0 "]


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.tuples(st.booleans(), st.lists(st.sampled_from(BLANKS), min_size=4, max_size=4)),
                     min_size=1, max_size=8))
def test_blank_rows_are_the_rows_whose_cells_are_all_blank(rows: list[tuple[bool, list[str]]]) -> None:
    # a row is blank when every cell we read strips to nothing (parse._filled), whatever the kind
    # of its columns; the text columns are told so from their values once read (fast.filled)
    import tempfile

    body = [[f"U{i}", f" Xã {i} ", "95.5", "có"] if unit else blank for i, (unit, blank) in enumerate(rows)]
    body.append(["Z", "Xã Z", "1", "0"])  # one unit at least
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "d.csv"
        pl.DataFrame(body, schema=["ma", "ten", "x", "f"], orient="row").write_csv(path)
        with readings() as found:
            frame = read_data(path, COLUMNS)
    assert found[0].blank_rows == tuple(i + 2 for i, (unit, _) in enumerate(rows) if not unit)
    assert frame.height == sum(unit for unit, _ in rows) + 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.one_of(
    st.sampled_from("CụmĐđồngBằngaA Ệệ\u0301\u0323\u00a0\t\x1c\u2000\u3000ßẞKİﬁ"),
    st.characters(exclude_categories=("Cs",))), max_size=12),  # a column holds UTF-8: no lone surrogates
    max_size=10))
def test_cluster_names_are_folded_over_the_column_as_one_by_one(values: list[str]) -> None:
    from thidua.input.data.rows import _fold, _folds

    assert _folds(values) == [_fold(v) for v in values]
