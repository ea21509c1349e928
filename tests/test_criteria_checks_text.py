"""The text of a criteria file: compared after NFC everywhere (item 20, item 13's codes), and
never a control character or a lone surrogate (items 26 and 29), checked once at load."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from thidua.cli import cli
from thidua.errors import CriteriaError
from thidua.input.load import dump, parse_criteria

from .util import criteria, one_criterion_file


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


GOOD, FAIR = "Hoàn thành tốt nhiệm vụ", "Hoàn thành nhiệm vụ"


def test_every_text_of_the_file_is_nfc_after_loading():
    doc = criteria(name=nfd("Bảng điểm"), classification=[{"label": nfd(GOOD), "min": 5},
                                                         {"label": FAIR, "min": 0}])
    doc["criteria"][0]["code"] = nfd("Ạ")
    c = parse_criteria(doc)
    assert (c.name, c.criteria[0].code, c.classification[0].label) == ("Bảng điểm", "Ạ", GOOD)
    assert doc["name"] == nfd("Bảng điểm")  # the caller's document is left as it was
    assert parse_criteria(dump(c)) == c


def test_a_cap_typed_with_combining_accents_caps_the_class(tmp_path: Path):
    path = one_criterion_file(
        tmp_path / "c.yaml", "{type: linear, indicator: ty_le, zero_at: 0, full_at: 100}",
        rest=f"""knockouts:
  - {{code: KL, name: "Kỷ luật", when: "ky_luat > 0", effect: {{cap: "{nfd(FAIR)}"}}}}
classification:
  - {{label: "{GOOD}", min: 8}}
  - {{label: "{FAIR}", min: 0}}
""")
    data = tmp_path / "d.csv"
    data.write_text("ma,ten,ty_le,ky_luat\nX1,Một,90,1\nX2,Hai,90,0\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["score", str(path), str(data), "--format", "csv"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    classes = {line.split(",")[0]: line.split(",")[4] for line in result.stdout.splitlines()[1:]}
    assert classes == {"X1": FAIR, "X2": GOOD}


def test_score_refuses_a_lone_surrogate_in_a_name_at_its_place(tmp_path: Path):
    path = tmp_path / "c.json"
    path.write_text('{"format": 1, "id": "x", "name": "B\\ud800", "version": "1", "total": 10, '
                    '"units": {"id": "ma", "name": "ten"}, "criteria": [{"code": "A", "name": "A", '
                    '"max_points": 10, "rule": {"type": "manual", "indicator": "d"}}]}',
                    encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("ma,ten,d\nX1,Một,5\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["score", str(path), str(data), "-o", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (f"Error: {path}: 1 problem\n{path}::name: holds a lone surrogate "
                             "\\ud800, which is not a character (in 'B\\ud800'); save the file as "
                             "UTF-8 text\n")
    assert not out.exists()


def test_a_control_character_in_the_library_document_is_refused_escaped():
    doc = criteria(name="Bảng\x1b]0;x\x07", note="dòng 1\n\tdòng 2")
    doc["criteria"][0]["rule"]["indicator"] = "x\n"
    with pytest.raises(CriteriaError) as caught:
        parse_criteria(doc)
    assert caught.value.lines() == [
        ("<criteria>::name: holds the control character \\x1b (in 'Bảng\\x1b]0;x\\x07'); a criteria "
         "file holds printable text only"),
        ("<criteria>::criteria[0].rule.indicator (criterion A “A”): holds the control character \\x0a (in 'x\\x0a'); a "
         "criteria file holds printable text only"),
    ]


def test_a_file_name_with_an_escape_sequence_is_shown_escaped(tmp_path: Path):
    path = tmp_path / "bang\x1b[2J.yaml"
    path.write_text("format: 1\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path)], catch_exceptions=False)
    assert result.exit_code == 1
    shown = f"{tmp_path}/bang\\x1b[2J.yaml"
    assert result.stderr.startswith(f"Error: {shown}: 6 problems\n{shown}::id: id is missing: "
                                    "it is required here\n")
    assert "\x1b" not in result.stderr


def test_two_keys_equal_after_nfc_are_a_duplicate_key():
    doc = criteria()
    doc["units"] = {"id": "id", "name": "name", nfd("nhóm"): "a", "nhóm": "b"}
    with pytest.raises(CriteriaError) as caught:
        parse_criteria(doc)
    assert caught.value.lines() == ["<criteria>::units: duplicate key 'nhóm' (two keys equal after NFC)"]
