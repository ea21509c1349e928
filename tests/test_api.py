"""The public API: everything through `import thidua` alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import thidua

from .util import SMALL_CRITERIA, SMALL_DATA


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "c.yaml").write_text(SMALL_CRITERIA, encoding="utf-8")
    (tmp_path / "d.csv").write_text(SMALL_DATA, encoding="utf-8")
    return tmp_path / "c.yaml", tmp_path / "d.csv"


def codes(value: str | list[str] | None) -> list[str]:
    """An award list as codes, whether the table joins them with ';' or holds a list."""
    return value if isinstance(value, list) else [c for c in (value or "").split(";") if c]


def test_load_score_and_explain(files):
    criteria, frame = thidua.load(*files)
    assert isinstance(criteria, thidua.Criteria)
    assert criteria.id == "nho"
    before = frame.clone()
    result = thidua.score(criteria, frame)
    assert isinstance(result, thidua.Result)
    assert frame.equals(before)  # the caller's frame is left as it was
    assert result.units.select("id", "total", "rank").rows() == [
        ("X1", 10.0, 1), ("X2", 7.0, 2), ("X3", 4.8, 1)]
    assert [codes(a) for a in result.units.get_column("awards").to_list()] == [["BK"], [], []]
    why = thidua.explain(thidua.score(criteria, frame, trace=True), "X2")
    assert isinstance(why, thidua.Explanation)
    assert (why.unit["id"], why.group_size, why.above.id if why.above else None) == ("X2", 2, "X1")
    assert [(t.node.code, t.points, t.raw) for t in why.main] == [("A", 3.0, 3.0), ("B", 4.0, 4.0)]


def test_explain_asks_for_a_traced_result(files):
    criteria, frame = thidua.load(*files)
    with pytest.raises(ValueError, match="trace=True"):
        thidua.explain(thidua.score(criteria, frame), "X2")


def test_bad_input_is_a_thidua_error_naming_its_place(files, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(SMALL_DATA.replace("X2,Xã Hai,Cụm 1,75", "X2,Xã Hai,Cụm 1,abc"), encoding="utf-8")
    with pytest.raises(thidua.ThiduaError) as caught:
        thidua.load(files[0], bad)
    assert any("abc" in line for line in caught.value.lines())
    criteria, frame = thidua.load(*files)
    with pytest.raises(thidua.ThiduaError, match="no unit has id 'X9'"):
        thidua.explain(thidua.score(criteria, frame, trace=True), "X9")


def test_every_public_name_has_a_docstring():
    assert thidua.__version__
    for name in thidua.__all__:
        if name != "__version__":
            assert (getattr(thidua, name).__doc__ or "").strip(), name
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = thidua.nothing  # type: ignore[attr-defined]


def test_import_thidua_loads_no_polars():
    """The command line imports the package first: `thidua --help` must not wait for polars."""
    code = "import sys, thidua, thidua.cli; print('polars' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout == "False\n"
