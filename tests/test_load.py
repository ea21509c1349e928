"""Reading criteria files: safe YAML, locations, the round trip."""

from __future__ import annotations

import unicodedata

import pytest

from thidua.errors import CriteriaError
from thidua.input.load import load_criteria, location, read_document


def test_location_drops_union_tags():
    assert location(("criteria", 1, "children", 0, "rule", "linear", "zero_at")) == \
        "criteria[1].children[0].rule.zero_at"
    assert location(("awards", 0, "quota", "of", "ByAward", "award")) == "awards[0].quota.of.award"


def test_billion_laughs_is_refused_before_it_expands(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb, encoding="utf-8")
    with pytest.raises(CriteriaError) as e:
        read_document(path)
    assert e.value.lines() == [f"{path}::line 2, column 8: aliases (*name) are not allowed in a criteria "
                               "file; write the value out"]


def test_not_utf8(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_bytes(unicodedata.normalize("NFD", "name: Bảng").encode("cp1258"))
    with pytest.raises(CriteriaError) as e:
        read_document(path)
    assert "not UTF-8 text" in e.value.lines()[0]


def test_unknown_extension(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("format: 1", encoding="utf-8")
    with pytest.raises(CriteriaError) as e:
        load_criteria(path)
    assert e.value.lines() == [f"{path}: a criteria file must be .yaml, .yml, .toml or .json"]


def test_too_large(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("# " + "x" * 2_100_000, encoding="utf-8")
    with pytest.raises(CriteriaError) as e:
        read_document(path)
    assert "a criteria file is at most 2,000,000" in e.value.lines()[0]
