"""What the outputs show: every unit in every format, one column list and one order for awards,
no float noise and no negative zero in any number, and nothing a file holds (a control
character, a `|`, raw HTML) ever obeyed by a terminal, a Markdown table or a page."""

from __future__ import annotations

import io
import json
import math
import re
import tempfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from thidua.cli import cli
from thidua.core.engine import score
from thidua.core.reasons import REASON_COLUMNS
from thidua.core.rounding import DIGITS
from thidua.errors import DataError, Problem, ThiduaError, printable
from thidua.input.load import parse_criteria
from thidua.output import render, render_awards
from thidua.output.formats import AUDIT, UNITS
from thidua.output.render import vn_number
from thidua.output.render_audit import pct
from thidua.output.render_explain import describe

from .strategies import frame as typed_frame
from .strategies import scenarios
from .util import frame, workbook_tables


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


CRITERIA = """\
format: 1
id: ra
name: "Bảng ra"
version: "1"
total: 10
units: {{id: ma, name: ten, group: cum}}
ranking: {{method: {method}}}
criteria:
  - {{code: A, name: "Tỷ lệ", max_points: 10, rule: {{type: linear, indicator: ty_le, zero_at: 0, full_at: 100}}}}
awards:
  - {{code: Z_CHUNG, name: "Giấy khen chung", per: all, quota: {{count: 2}}}}
  - {{code: A_CUM, name: "Bằng khen cụm", quota: {{count: 1}}}}
"""

DATA = """\
ma,ten,cum,ty_le
X1,Xã Một,Cụm 10,90
X2,Xã Hai,Cụm 2,80
X3,Xã Ba,Ánh Sáng,70
X4,Xã Bốn,Yên Bái,60
X5,Xã Năm,Cụm 2,85
"""
IDS = ["X1", "X2", "X3", "X4", "X5"]


@pytest.fixture
def files(tmp_path: Path):  # type: ignore[no-untyped-def]
    def make(method: str = "competition", data: str = DATA) -> tuple[str, str]:
        return (write(tmp_path, "c.yaml", CRITERIA.format(method=method)),
                write(tmp_path, "d.csv", data))
    return make


# --- every unit, in every format ----------------------------------------------------------------

TEXT_ROWS = {  # a unit's row in each text format: its rank, then its id
    "table": r"^\d+\s+(\S+(?: \S+)*)  ",  # an id may hold one space; columns are two apart
    "markdown": r"^\|\s*\d+\s*\|\s*(.+?)\s*\|",
    "html": r"<tr><td[^>]*>\d+</td><td[^>]*>([^<]*)</td>",
}


def text_ids(text: str, fmt: str) -> list[str]:
    return re.findall(TEXT_ROWS[fmt], text, flags=re.MULTILINE)


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_a_per_all_award_in_a_grouped_file_lists_every_unit(files, fmt: str):
    c, d = files()
    result = invoke("awards", c, d, "--format", fmt)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    # the award over all units (every unit, best first), then the per-group award (group by group)
    assert text_ids(result.stdout, fmt) == ["X1", "X5", "X2", "X3", "X4", "X3", "X5", "X2", "X1", "X4"]


def scored() -> st.SearchStrategy[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """A document of the general strategy with at least one award (every scope, quota and tie
    policy), and its data."""
    return scenarios(min_awards=1)


def _run(doc: dict[str, Any], data: list[dict[str, Any]], trace: bool = False):  # type: ignore[no-untyped-def]
    """The result, or None when the data hold a value the file refuses (an outcome, not a
    failure: the run names it and writes nothing)."""
    c = parse_criteria(doc, "c.json")
    try:
        return score(c, typed_frame(data), trace=trace)
    except DataError:
        return None


def _read_back(writer, reader):  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "out")
        writer(path)
        return reader(path)


@given(scored())
def test_the_number_of_units_out_equals_the_number_in(case):
    doc, data = case
    result = _run(doc, data)
    if result is None:
        return
    ids = sorted(row["id"] for row in data)
    awards = len(doc["awards"])
    for fmt in TEXT_ROWS:
        assert sorted(text_ids(UNITS.render(fmt, result), fmt)) == ids, fmt
        shown = text_ids({"table": render_awards.to_table, "markdown": render_awards.to_markdown,
                          "html": render_awards.to_html}[fmt](result), fmt)
        assert sorted(shown) == sorted(ids * awards), fmt
    assert sorted(pl.read_csv(io.StringIO(render.to_csv(result))).get_column("id")) == ids
    document = json.loads(render.to_json(result, {}))
    assert sorted(u["id"] for u in document["units"]) == ids
    assert sorted(pl.read_csv(io.StringIO(render_awards.to_csv(result))).get_column("id")) == sorted(ids * awards)
    per_award = json.loads(render_awards.to_json(result, {}))["awards"]
    assert sorted(r["id"] for a in per_award for r in a["reasons"]) == sorted(ids * awards)
    parquet = _read_back(lambda p: render.write_parquet(result, p), pl.read_parquet)
    assert sorted(parquet.get_column("id")) == ids
    parquet = _read_back(lambda p: render_awards.write_parquet(result, p), pl.read_parquet)
    assert sorted(parquet.get_column("id")) == sorted(ids * awards)
    sheets = _read_back(lambda p: render_awards.write_xlsx(result, p), workbook_tables)
    for award in doc["awards"]:
        assert sorted(sheets[award["code"]].get_column("Code").cast(pl.String)) == ids  # English: the run's
    sheets = _read_back(lambda p: render.write_xlsx(result, p), workbook_tables)
    assert sorted(sheets["Ranking"].get_column("Code").cast(pl.String)) == ids


# --- awards: one column list, one order ------------------------------------------------------------


def test_every_machine_format_of_awards_has_the_documented_columns(vietnamese, files, tmp_path: Path):
    c, d = files()
    documented = re.search(r"`awards --format csv\|parquet` writes one row per award and unit: `([^`]*)`",
                           " ".join(Path("docs/cli.md").read_text(encoding="utf-8").split()))
    assert documented is not None
    assert tuple(documented.group(1).split(", ")) == REASON_COLUMNS
    out = tmp_path / "x.parquet"
    assert invoke("awards", c, d, "-o", str(out)).exit_code == 0
    csv = invoke("awards", c, d, "--format", "csv").stdout
    assert tuple(pl.read_parquet(out).columns) == REASON_COLUMNS
    assert tuple(csv.splitlines()[0].split(",")) == REASON_COLUMNS
    # the workbook is for people: the same rows under Vietnamese headings, statuses in words
    sheets = workbook_tables(_xlsx(c, d, tmp_path))
    assert tuple(sheets["Z_CHUNG"].columns) == ("Hạng", "Mã", "Đơn vị", "Cụm, khối", "Tổng điểm", "Tình trạng",
                                                "Lý do")


def _xlsx(c: str, d: str, folder: Path) -> Path:
    out = folder / "x.xlsx"
    assert invoke("awards", c, d, "-o", str(out)).exit_code == 0
    return out


def test_awards_are_in_one_order_in_every_format(vietnamese, files, tmp_path: Path):
    c, d = files()
    # the file's award order; groups as the ranking shows them (Vietnamese order: Ánh Sáng,
    # Cụm 2, Cụm 10, Yên Bái); inside a group best first; over all units by overall rank
    order = [("Z_CHUNG", u) for u in ["X1", "X5", "X2", "X3", "X4"]] + \
            [("A_CUM", u) for u in ["X3", "X5", "X2", "X1", "X4"]]
    csv = pl.read_csv(io.StringIO(invoke("awards", c, d, "--format", "csv").stdout))
    assert list(zip(csv["award"], csv["id"])) == order
    out = tmp_path / "x.parquet"
    invoke("awards", c, d, "-o", str(out))
    parquet = pl.read_parquet(out)
    assert list(zip(parquet["award"], parquet["id"])) == order
    document = json.loads(invoke("awards", c, d, "--format", "json").stdout)
    assert [(a["code"], r["id"]) for a in document["awards"] for r in a["reasons"]] == order
    assert text_ids(invoke("awards", c, d).stdout, "table") == [u for _, u in order]
    sheets = workbook_tables(_xlsx(c, d, tmp_path))
    assert list(sheets)[:3] == ["Hạn mức", "Z_CHUNG", "A_CUM"]
    for code in ("Z_CHUNG", "A_CUM"):
        assert sheets[code]["Mã"].to_list() == [u for a, u in order if a == code]
    assert sheets["Hạn mức"]["Cụm, khối"].to_list() == ["Tất cả đơn vị", "Ánh Sáng", "Cụm 2", "Cụm 10", "Yên Bái"]


# --- numbers: no float noise, no negative zero ---------------------------------------------------


def noisy(x: float) -> bool:
    """A float that is a short decimal plus binary noise (0.4099999999999966, 0.09999999999999999):
    its shortest repr needs more than DIGITS (15) significant digits, but 12 give 10 or fewer.
    A value snapped to 15 digits is not noise, however short its 12 digits: the median
    -499999999999947.5 of an imputation is shown as -499999999999948 (rounding.snap)."""
    def digits(text: str) -> int:
        return len(text.split("e")[0].replace("-", "").replace(".", "").strip("0"))
    return math.isfinite(x) and digits(repr(x)) > DIGITS and digits(f"{x:.12g}") <= 10


def floats(value: Any) -> list[float]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in floats(v)]
    if isinstance(value, list):
        return [f for v in value for f in floats(v)]
    return []


def test_behind_last_in_is_rounded_to_the_files_precision(tmp_path: Path):
    c = write(tmp_path, "c.yaml", CRITERIA.format(method="competition").replace(
        "{count: 2}", "{count: 1}"))
    d = write(tmp_path, "d.csv", "ma,ten,cum,ty_le\nX1,A,C,83.3\nX2,B,C,79.2\nX3,C,C,10\n")
    csv = pl.read_csv(io.StringIO(invoke("awards", c, d, "--format", "csv").stdout))
    behind = csv.filter((pl.col("award") == "Z_CHUNG") & (pl.col("id") == "X2"))["behind_last_in"][0]
    assert repr(behind) == "0.41"  # 8.33 − 7.92, not 0.4099999999999966
    document = json.loads(invoke("awards", c, d, "--format", "json").stdout)
    assert not [x for x in floats(document) if noisy(x)]


def test_audit_shares_carry_no_float_noise(tmp_path: Path):
    c = write(tmp_path, "c.yaml", """\
format: 1
id: ra
name: "Bảng"
version: "1"
total: 1
units: {id: ma, name: ten}
criteria:
  - {code: A, name: A, max_points: 0.1, rule: {type: boolean, indicator: b}}
  - {code: B, name: B, max_points: 0.2, rule: {type: boolean, indicator: b}}
  - {code: C, name: C, max_points: 0.7, rule: {type: linear, indicator: x, zero_at: 0, full_at: 3}}
""")
    d = write(tmp_path, "d.csv", "ma,ten,b,x\nX1,A,có,1\nX2,B,không,2\nX3,C,có,0\n")
    for section in ("criteria", "realised", "warnings"):
        csv = invoke("audit", c, d, "--section", section, "--format", "csv").stdout
        frame = pl.read_csv(io.StringIO(csv))
        assert not [x for col in frame.columns if frame[col].dtype == pl.Float64
                    for x in frame[col].drop_nulls() if noisy(x)], section
    document = json.loads(invoke("audit", c, d, "--format", "json").stdout)
    assert not [x for x in floats(document) if noisy(x)]
    document = json.loads(invoke("sensitivity", c, d, "--draws", "20", "--seed", "1", "--format", "json").stdout)
    assert not [x for x in floats(document) if noisy(x)]


@given(scored())
def test_machine_outputs_carry_no_float_noise_under_a_precision(case):
    doc, data = case
    if doc["precision"] is None:  # precision: null keeps every value as computed (docs/cli.md)
        doc["precision"] = 2
    from thidua.core.explain import explain
    from thidua.output.render_explain import to_json as explain_json

    result = _run(doc, data, trace=True)
    if result is None:
        return
    outputs = {"score json": json.loads(render.to_json(result, {})),
               "explain json": [json.loads(explain_json(explain(result, row["id"]))) for row in data[:3]],
               "awards json": json.loads(render_awards.to_json(result, {})),
               "awards csv": pl.read_csv(io.StringIO(render_awards.to_csv(result)),
                                         infer_schema_length=None).to_dicts(),
               "score csv": pl.read_csv(io.StringIO(render.to_csv(result)),
                                        infer_schema_length=None).to_dicts()}
    given = {v for row in data for v in row.values() if isinstance(v, float)}  # shown as typed
    for name, value in outputs.items():
        assert not [x for x in floats(value) if noisy(x) and x not in given], name


def test_no_negative_zero_for_people(vietnamese):
    assert vn_number(-0.0, 2) == "0,00"
    assert vn_number(-0.001, 2) == "0,00"
    assert vn_number(-0.0, None) == "0"
    assert vn_number(-0.5, 2) == "-0,50"
    assert pct(-0.0) == "0,0 %"


def test_numbers_for_people_round_half_away_from_zero_on_the_decimal(vietnamese):
    assert vn_number(0.125, 2) == "0,13"  # the float is 0.125 exactly: banker's would give 0,12
    assert vn_number(2.675, 2) == "2,68"  # the float is 2.67499…
    assert vn_number(1234.5, 2) == "1.234,50"


def test_numbers_for_people_in_english_have_a_decimal_point():
    assert vn_number(0.125, 2) == "0.13"
    assert vn_number(1234.5, 2) == "1,234.50"
    assert vn_number(1234567.5, None) == "1,234,567.5"
    assert vn_number(-0.001, 2) == "0.00"
    assert pct(0.9995) == "99.9 %"


def test_a_share_that_is_not_whole_never_prints_as_whole(vietnamese):
    assert pct(0.9995) == "99,9 %"
    assert pct(1.0) == "100,0 %"
    assert pct(0.0004) == "0,1 %"
    assert pct(0.0) == "0,0 %"
    assert pct(0.12345) == "12,3 %"
    assert pct(0.12355) == "12,4 %"


# --- what the words say ----------------------------------------------------------------------------


def test_the_ordinal_footer_says_ties_get_separate_ranks(files, vietnamese):
    c, d = files(method="ordinal", data=DATA.replace("Cụm 2,85", "Cụm 2,80"))
    out = invoke("score", c, d).stdout
    assert ("Xếp hạng: mỗi đơn vị một hạng (1, 2, 3, 4); phá hòa: không; còn bằng nhau thì không "
            "đồng hạng: xếp theo mã đơn vị, mỗi đơn vị một hạng (1, 2, 3).") in out
    assert "còn bằng nhau thì đồng hạng." not in out
    assert re.search(r"^1\s+X2\s.*\n2\s+X5\s", out, flags=re.MULTILINE)  # what really happens


def test_a_shortfall_rule_keeps_its_unit_with_a_target_that_is_not_a_percentage(vietnamese):
    doc = {"format": 1, "id": "t", "name": "t", "version": "1", "total": 10, "units": {"id": "id", "name": "id"},
           "criteria": [{"code": "A", "name": "A", "max_points": 10, "rule": {
               "type": "shortfall", "indicator": "x", "target": {"indicator": "giao"}, "per_unit": 0.5}}]}
    rule = parse_criteria(doc, "c.json").criteria[0].rule
    assert describe(rule, 10) == "đạt chỉ tiêu giao (giao): 10 điểm; mỗi 1 đơn vị thiếu trừ 0,5 điểm"
    doc["criteria"][0]["rule"]["target"] = 100
    rule = parse_criteria(doc, "c.json").criteria[0].rule
    assert describe(rule, 10) == "đạt 100%: 10 điểm; mỗi 1% thiếu trừ 0,5 điểm"


def test_an_empty_list_gives_a_reason_without_a_blank_number(tmp_path: Path, vietnamese):
    c = write(tmp_path, "c.yaml", CRITERIA.format(method="competition").replace(
        "{count: 2}", "{percent: 10}"))
    d = write(tmp_path, "d.csv", DATA)
    out = invoke("awards", c, d).stdout
    assert "Đủ điều kiện nhưng ngoài hạn mức: vị trí 1, hạn mức 0; danh sách không có đơn vị nào." in out
    assert "— điểm" not in out


def test_sensitivity_names_every_unit_sharing_the_second_place(tmp_path: Path, vietnamese):
    c = write(tmp_path, "c.yaml", """\
format: 1
id: ra
name: "Bảng"
version: "1"
total: 10
units: {id: ma, name: ten}
criteria:
  - {code: A, name: A, max_points: 5, rule: {type: linear, indicator: x, zero_at: 0, full_at: 100}}
  - {code: B, name: B, max_points: 5, rule: {type: linear, indicator: y, zero_at: 0, full_at: 100}}
""")
    d = write(tmp_path, "d.csv", "ma,ten,x,y\nX1,A,100,100\nX2,B,50,50\nX3,C,50,50\nX4,D,0,0\n")
    out = invoke("sensitivity", c, d, "--draws", "20", "--seed", "1").stdout
    row = next(line for line in out.splitlines() if line.startswith("Nhất, nhì"))
    assert "X1, X2 = X3" in row


# --- what a file holds is shown, never obeyed --------------------------------------------------------

HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x00"


def test_printable_escapes_every_control_character():
    assert printable(HOSTILE) == "\\x1b]0;pwned\\x07\\x1b[2J\\x00"
    assert printable("a\nb\tc\u202ed\x9b") == "a\\nb\\tc\\u202ed\\x9b"
    assert printable("Xã Quảng Lưu — 95,5 %") == "Xã Quảng Lưu — 95,5 %"
    assert printable("a\nb", keep_newlines=True) == "a\nb"


def test_error_lines_show_control_characters_escaped():
    error = ThiduaError(f"d{HOSTILE}.csv", [Problem(f"row 2, {HOSTILE}", f"value '{HOSTILE}'")])
    assert error.headline() == "d\\x1b]0;pwned\\x07\\x1b[2J\\x00.csv: 1 problem"
    shown = "\\x1b]0;pwned\\x07\\x1b[2J\\x00"
    assert error.lines() == [f"d{shown}.csv::row 2, {shown}: value '{shown}'"]


def test_a_command_echoes_no_control_character(tmp_path: Path):
    folder = tmp_path / "x\x1b]0;t\x07"
    folder.mkdir()
    c = write(folder, "c.yaml", CRITERIA.format(method="competition"))
    d = write(folder, "d.csv", DATA)
    result = invoke("explain", c, d, "X\x1b]0;t\x07")
    assert result.exit_code == 1
    assert result.stdout == ""
    shown = printable(d)
    assert result.stderr == (f"Error: {shown}: 1 problem\n"
                             f"{shown}: no unit has id 'X\\x1b]0;t\\x07' (5 units)\n")


ESCAPES = "\x1b]0;pwned\x07\x1b[2J"  # retitles, then clears, a terminal
MARKUP_DATA = ('ma,ten,cum,ty_le\nX1,Xã <b>Một</b> | *hai*\\,Cụm 1,90\n'
               'X2,"Xã\nHai",Cụm 2,80\n')
SHOWN = {"table": render.plain, "markdown": render.md, "html": render.esc}


@pytest.mark.parametrize("command", ["score", "awards"])
@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_markup_in_a_name_neither_breaks_a_table_nor_passes_through(files, command: str, fmt: str):
    c, d = files(data=MARKUP_DATA)
    result = invoke(command, c, d, "--format", fmt)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert sorted(text_ids(out, fmt)) == sorted(["X1", "X2"] * (2 if command == "awards" else 1))
    assert "<b>" not in out
    if fmt == "markdown":
        assert "Xã &lt;b&gt;Một&lt;/b&gt; \\| \\*hai\\*\\\\" in out
        assert "Xã\\\\nHai" in out  # the escape's backslash, itself escaped for Markdown
        table = [line for line in out.splitlines() if line.startswith("|")]
        assert len({len(re.findall(r"(?<!\\)\|", line)) for line in table}) == 1  # as many cells as the heading
    else:
        assert "Xã &lt;b&gt;Một&lt;/b&gt; | *hai*\\" in out
        assert "Xã\\nHai" in out


def _hostile() -> Any:
    """A result whose names, ids and groups hold terminal controls: the readers refuse them in a
    criteria file and in a data file, but the library takes any model and any frame, and a
    renderer must never let one through."""
    doc = {"format": 1, "id": "t", "name": f"Bảng {ESCAPES}", "version": "1", "total": 10,
           "units": {"id": "id", "name": "name", "group": "group"},
           "criteria": [{"code": "A", "name": f"A{ESCAPES}", "max_points": 10,
                         "rule": {"type": "linear", "indicator": "x", "zero_at": 0, "full_at": 100}}],
           "awards": [{"code": "K", "name": "Khen", "quota": {"count": 1}}]}
    data = [{"id": f"X{i}{ESCAPES}\x00", "name": f"Xã {i}{ESCAPES}\x9b", "group": f"Cụm{ESCAPES}",
             "x": 10.0 * i} for i in range(3)]
    from thidua import model

    c = model.Criteria.model_validate(doc)  # past load's checks, which refuse the controls
    return c, score(c, frame(data), trace=True)


def test_no_text_output_lets_a_control_character_through():
    from thidua.core.audit import Audit, structure
    from thidua.core.explain import explain
    from thidua.output import render_audit
    from thidua.output.render_explain import to_markdown as explain_markdown
    from thidua.output.render_explain import to_table as explain_table

    c, result = _hostile()
    outputs = {f"score {f}": UNITS.render(f, result) for f in ("table", "markdown", "html")}
    outputs |= {f"awards {f.__name__}": f(result) for f in (render_awards.to_table,
                                                           render_awards.to_markdown, render_awards.to_html)}
    unit = result.units["id"][0]
    outputs |= {"explain table": explain_table(explain(result, unit)),
                "explain markdown": explain_markdown(explain(result, unit))}
    report = render_audit.audit_report(Audit(structure(c)), c)
    outputs |= {f"audit {f}": AUDIT.render(f, report) for f in ("table", "markdown", "html")}
    for name, text in outputs.items():
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), name
        assert "x1b" in text and "pwned" in text, name
    assert "<title>Bảng \\x1b]0;pwned\\x07\\x1b[2J</title>" in outputs["score html"]


def test_the_html_title_is_escaped(files):
    c, d = files()
    Path(c).write_text(Path(c).read_text(encoding="utf-8").replace(
        'name: "Bảng ra"', 'name: "Bảng <script>x</script> & ra"'), encoding="utf-8")
    for command in ("score", "awards"):
        out = invoke(command, c, d, "--format", "html").stdout
        assert "<script>" not in out
        assert "Bảng &lt;script&gt;x&lt;/script&gt; &amp; ra" in out.split("<title>")[1]


def test_no_negative_zero_in_machine_outputs(tmp_path: Path):
    from thidua.core.explain import explain
    from thidua.output.render_explain import to_json as explain_json

    doc = {"format": 1, "id": "t", "name": "t", "version": "1", "total": 10,
           "units": {"id": "id", "name": "name"},
           "criteria": [{"code": "A", "name": "A", "max_points": 10,
                         "rule": {"type": "linear", "indicator": "x", "zero_at": 0, "full_at": 100}}],
           "awards": [{"code": "K", "name": "K", "quota": {"count": 1}}]}
    result = score(parse_criteria(doc, "c.json"), frame([{"id": "a", "name": "a", "x": -0.0},
                                                        {"id": "b", "name": "b", "x": 50.0}]), trace=True)
    texts = {"score csv": render.to_csv(result), "score json": render.to_json(result, {}),
             "awards csv": render_awards.to_csv(result), "awards json": render_awards.to_json(result, {}),
             "explain json": explain_json(explain(result, "a"))}
    for name, text in texts.items():
        assert not re.search(r"(?<![\w.])-0(\.0+)?(?![\d.])", text), name
    sheet = _read_back(lambda p: render.write_xlsx(result, p), workbook_tables)
    assert all(math.copysign(1, x) > 0 for x in sheet["Ranking"]["A\nA"])


def test_award_codes_excel_refuses_as_sheet_names_still_get_a_sheet(vietnamese, files, tmp_path: Path):
    c, d = files()
    Path(c).write_text(Path(c).read_text(encoding="utf-8").replace("Z_CHUNG", "BK/1").replace(
        "A_CUM", "Hạn mức"), encoding="utf-8")
    out = tmp_path / "x.xlsx"
    result = invoke("awards", c, d, "-o", str(out))
    assert result.exit_code == 0, result.output
    sheets = workbook_tables(out)
    assert list(sheets) == ["Hạn mức", "BK_1", "Hạn mức (2)"]
    assert sheets["Hạn mức"]["Mã danh hiệu"].to_list()[-1] == "Hạn mức"


def test_no_negative_zero_clears_every_row():
    # polars returns a column plus a literal 0.0 unchanged, so x + 0.0 keeps -0.0 on longer columns
    from thidua.output.render import no_negative_zero

    got = no_negative_zero(pl.DataFrame({"x": [-0.0, -0.0, 1.5, None]})).get_column("x").to_list()
    assert got == [0.0, 0.0, 1.5, None] and math.copysign(1, got[0]) == math.copysign(1, got[1]) == 1


def test_audit_and_sensitivity_machine_numbers_hold_no_negative_zero():
    from thidua.output.render_audit import machine

    got = machine(pl.DataFrame({"share": [-0.0, -0.0000001, 0.5]})).get_column("share").to_list()
    assert got == [0.0, 0.0, 0.5] and all(math.copysign(1, x) == 1 for x in got)


# --- the report page and the workbooks for people ----------------------------------------------------


def test_the_report_is_one_self_contained_page_with_every_unit_and_its_explanation(tmp_path: Path,
                                                                                  vietnamese):
    from thidua.input import shipped

    c, d = str(shipped("dvcq-xa.yaml")), str(shipped("dvcq-xa.csv"))
    out = tmp_path / "bao-cao.html"
    result = invoke("report", c, d, "-o", str(out))
    assert (result.exit_code, result.stdout) == (0, ""), result.output
    page = out.read_text(encoding="utf-8")
    # nothing to fetch: no link, no source, no url other than the SVG namespace
    assert re.findall(r"(?:src|href)=|url\(|@import", page) == []
    assert re.findall(r"https?://[^\"]+", page) == ["http://www.w3.org/2000/svg"] * 3
    names = pl.read_csv(d).get_column("ten_xa").to_list()
    assert len(names) == 30 and all(name in page for name in names)
    assert page.count("<details>") == 30 and page.count("<svg") == 3
    assert '<table class="sort">' in page and "addEventListener" in page
    assert "@page{size:A4 landscape" in page and "break-inside:avoid" in page
    assert "Căn cứ: Cơ cấu 5 nhóm" in page and "Ghi chú: Bảng mẫu." in page
    assert "20% × 10 (số đơn vị) = 2, làm tròn xuống, tối thiểu 1 → 2" in page
    assert "Người lập biểu" in page and "TM. Hội đồng<br>Chủ tịch" in page
    assert len(page.encode("utf-8")) < 400_000
    assert invoke("report", c, d).stdout == page  # without -o, the same page on standard output


def test_the_reports_ranking_names_the_awards_a_unit_is_proposed_for(tmp_path: Path, vietnamese):
    from thidua.input import shipped

    c, d = str(shipped("cum-xa.yaml")), str(shipped("cum-xa.csv"))
    out = tmp_path / "bao-cao.html"
    assert invoke("report", c, d, "-o", str(out)).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert "<td>Cờ thi đua của Ủy ban nhân dân tỉnh (đơn vị dẫn đầu cụm)</td>" in page
    assert "<td>CO_TINH</td>" not in page and "<td>BANG_KHEN</td>" not in page


def test_the_report_section_titles_every_document(tmp_path: Path, files, vietnamese):
    c, d = files()
    Path(c).write_text(Path(c).read_text(encoding="utf-8") + (
        "report:\n  council: Hội đồng Thi đua – Khen thưởng huyện Thử\n  period: Năm 2026\n"
        "  place: Đồng Hới\n  date: ngày 15 tháng 12 năm 2026\n"
        "  signers:\n    - title: Người lập biểu\n      name: Trần Thị B\n"
        "    - title: TM. Hội đồng — Chủ tịch\n      name: Nguyễn Văn A\n"), encoding="utf-8")
    page = invoke("report", c, d).stdout
    for text in ("HỘI ĐỒNG THI ĐUA – KHEN THƯỞNG HUYỆN THỬ", "Năm 2026", "Đồng Hới, ngày 15 tháng 12 năm 2026",
                 "Trần Thị B", "Nguyễn Văn A"):
        assert text in page, text
    out = tmp_path / "x.xlsx"
    assert invoke("score", c, d, "-o", str(out)).exit_code == 0
    import fastexcel

    cells = fastexcel.read_excel(out).load_sheet("Xếp hạng", header_row=None, dtypes="string").to_polars()
    texts = {v for column in cells.iter_columns() for v in column.to_list() if v}
    assert {"HỘI ĐỒNG THI ĐUA – KHEN THƯỞNG HUYỆN THỬ", "BẢNG XẾP HẠNG THI ĐUA", "Nguyễn Văn A",
            "Đồng Hới, ngày 15 tháng 12 năm 2026", "TM. Hội đồng\nChủ tịch"} <= texts
    assert any(t.startswith("Phiên bản ") and t.endswith("; Năm 2026") for t in texts)


def test_workbooks_print_a4_landscape_one_page_wide_with_the_header_on_every_page(vietnamese, tmp_path: Path, files):
    import zipfile

    c, d = files()
    for command in ("score", "awards", "audit", "sensitivity"):
        out = tmp_path / f"{command}.xlsx"
        assert invoke(command, c, d, "-o", str(out)).exit_code == 0, command
        with zipfile.ZipFile(out) as z:
            sheets = {n: z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/sheet")}
            book = z.read("xl/workbook.xml").decode("utf-8")
        printed = [x for x in sheets.values() if "<tableParts" in x]
        assert printed, command
        for xml in printed:
            assert 'paperSize="9"' in xml and 'orientation="landscape"' in xml, command
            assert 'fitToHeight="0"' in xml and "<pageSetUpPr fitToPage=\"1\"/>" in xml, command
            assert "&amp;CTrang &amp;P/&amp;N" in xml and 'state="frozen"' in xml, command
        assert "_xlnm.Print_Titles" in book, command
        english = {"id", "name", "group", "total", "rank", "rank_overall", "classification", "status", "award",
                   "awards", "flagged", "code", "share", "weight", "quota"}
        headings = {h for t in workbook_tables(out).values() for h in t.columns}
        assert headings and not headings & english, (command, headings & english)


def test_workbook_numbers_follow_the_files_precision_and_shares_are_percentages(tmp_path: Path, files,
                                                                             vietnamese):
    import zipfile

    c, d = files()
    out = tmp_path / "s.xlsx"
    assert invoke("score", c, d, "-o", str(out)).exit_code == 0
    with zipfile.ZipFile(out) as z:
        styles = z.read("xl/styles.xml").decode("utf-8")
    assert 'formatCode="0.00"' in styles  # precision: 2
    out = tmp_path / "a.xlsx"
    assert invoke("audit", c, d, "-o", str(out)).exit_code == 0
    with zipfile.ZipFile(out) as z:
        styles = z.read("xl/styles.xml").decode("utf-8")
    assert re.search(r'formatCode="0\.0+%"', styles)
    shares = workbook_tables(out)["Cơ cấu"].get_column("Tỷ trọng danh nghĩa").to_list()
    assert all(isinstance(x, float) and 0 <= x <= 1 for x in shares) and max(shares) == 1


def test_markdown_and_html_are_documents_with_the_basis_and_the_note(vietnamese):
    from thidua.input import shipped

    c, d = str(shipped("dvcq-xa.yaml")), str(shipped("dvcq-xa.csv"))
    for command in ("score", "awards"):
        for fmt in ("markdown", "html"):
            text = invoke(command, c, d, "--format", fmt).stdout
            assert "Căn cứ: Cơ cấu 5 nhóm" in text and "Ghi chú: Bảng mẫu." in text, (command, fmt)
        page = invoke(command, c, d, "--format", "html").stdout
        assert "@page{size:A4 landscape" in page and "tr{break-inside:avoid}" in page
    page = invoke("explain", c, d, "X17", "--format", "html").stdout
    assert page.startswith("<!DOCTYPE html>") and "Điểm thưởng: 2,50; tính 2,50" in page
    assert "Mô hình &quot;Dân vận khéo&quot; được cấp có thẩm quyền công nhận trong năm" in page  # whole name
    pair = invoke("explain", c, d, "X04", "X02", "--format", "html").stdout
    assert "Vì sao X02 (Phường Đồng Hới) xếp trên X04 (Phường Đồng Thuận)" in pair


def test_verify_reads_a_workbook_for_people_back_table_by_table(tmp_path: Path, files):
    from thidua.trust.verify import differences, xlsx_tables

    c, d = files()
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert invoke("score", c, d, "-o", str(first)).exit_code == 0
    Path(d).write_text(Path(d).read_text(encoding="utf-8").replace("X1,Xã Một,Cụm 10,90", "X1,Xã Một,Cụm 10,50"), encoding="utf-8")
    assert invoke("score", c, d, "-o", str(second)).exit_code == 0
    assert differences(first, first, "xlsx", xlsx_tables, False) == ["every unit has the same values; the bytes differ in form only"]
    changed = differences(first, second, "xlsx", xlsx_tables, False)
    assert changed and all(line.startswith(("T_XepHang: ", "T_KhenThuong: ")) for line in changed), changed
