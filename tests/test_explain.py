"""thidua explain: the trace adds up, names every policy, and refuses unknown ids."""

from __future__ import annotations

import json

from click.testing import CliRunner

from thidua.cli import cli
from thidua.input import shipped

CRITERIA, DATA = str(shipped("dvcq-xa.yaml")), str(shipped("dvcq-xa.csv"))


def explain(*args: str):
    return CliRunner().invoke(cli, ["explain", CRITERIA, DATA, *args], catch_exceptions=False)


def test_points_add_up_to_the_total_as_printed():
    doc = json.loads(explain("X17", "--format", "json").stdout)
    for group in doc["criteria"]:
        assert round(sum(child["points"] for child in group["children"]), 2) == group["points"]
    main = round(sum(g["points"] for g in doc["criteria"]), 2)
    assert main == doc["unit"]["earned"] == 93.37
    assert round(main + doc["unit"]["bonus"] - doc["unit"]["penalty"], 2) == doc["unit"]["total"] == 90.87


def test_the_trace_says_why(vietnamese):
    out = explain("X17").stdout
    assert "Tổng điểm: 90,87" in out
    assert "đạt 100%: 12 điểm; mỗi 1% thiếu trừ 0,5 điểm" in out
    assert "Xếp loại: Hoàn thành tốt nhiệm vụ (theo điểm: Hoàn thành xuất sắc nhiệm vụ; bị giới hạn bởi KKDN)" in out
    assert "Xếp trên: X14 Xã Đông Trạch, hạng 4, 91,20 (hơn 0,33 điểm)" in out
    assert "BANG_KHEN: Không đủ điều kiện: vướng điều kiện loại trừ (KKDN)." in out


def test_missing_value_policy_is_shown(vietnamese):
    out = explain("X01").stdout
    assert "ty_le_pakn_dung_han = (trống)" in out
    assert "[thiếu số liệu → đủ điểm (không phát sinh)]" in out


def test_a_tie_for_the_council(vietnamese):
    out = explain("X23").stdout
    assert "Xếp dưới: X26 Xã Quảng Ninh, hạng 3, 92,33 (đồng hạng)" in out
    assert ("BANG_KHEN: Đồng hạng tại vị trí cuối hạn mức với X26: bằng nhau về tổng điểm 92,33, điểm tiêu chí "
            "II 19,05, so_don_thu_qua_han 0; còn 1 vị trí cho 2 đơn vị. Hội đồng biểu quyết.") in out


def test_an_id_typed_with_combining_accents_or_spaces_is_found():
    assert explain(" X01 ").exit_code == 0


def test_unknown_id_names_the_nearest():
    result = explain("X71")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (f"Error: {DATA}: 1 problem\n"
                             f"{DATA}: no unit has id 'X71' (30 units); nearest: X27, X21, X19\n")


def test_under_round_at_total_the_criteria_keep_their_decimals(tmp_path, vietnamese):
    criteria = tmp_path / "c.yaml"
    criteria.write_text(
        'format: 1\nid: t\nname: t\nversion: "1"\ntotal: 20\nround_at: total\nunits: {id: ma, name: ten}\n'
        "criteria:\n"
        "  - {code: A, name: A, max_points: 10, rule: {type: linear, indicator: x, zero_at: 0, full_at: 3}}\n"
        "  - {code: B, name: B, max_points: 10, rule: {type: linear, indicator: y, zero_at: 0, full_at: 3}}\n",
        encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("ma,ten,x,y\nU1,Một,1,1\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["explain", str(criteria), str(data), "U1"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Điểm các tiêu chí chính: 6,667 / 20" in out
    assert "Làm tròn: chỉ ở tổng điểm (2 chữ số thập phân)" in out
    assert "Tổng điểm: 6,67" in out


def test_two_units_side_by_side_say_why_the_upper_is_above(vietnamese):
    # X02 and X04 tie on 98,58; the first tie-break (criterion II) puts X02 first, whichever
    # order they are asked in
    for pair in (("X02", "X04"), ("X04", "X02")):
        result = explain(*pair)
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines()[0] == "So sánh X02 (Phường Đồng Hới) và X04 (Phường Đồng Thuận)"
        assert result.stdout.splitlines()[-1] == (
            "Vì sao X02 (Phường Đồng Hới) xếp trên X04 (Phường Đồng Thuận): bằng tổng điểm 98,58; "
            "phá hòa theo điểm tiêu chí II: 19,20 so với 18,45.")
    tied = explain("X23", "X26").stdout.splitlines()[-1]
    assert tied == "X23 và X26 bằng nhau về tổng điểm 92,33 và mọi tiêu chí phá hòa: đồng hạng."
    document = json.loads(explain("X01", "X17", "--format", "json").stdout)
    assert (document["upper"], document["lower"], document["decided_by"]) == ("X17", "X01", "total")
    # a penalty point puts a unit behind: X17's 5 penalty points are where X01 leads
    assert "X01 hơn ở điểm trừ P.1 (hơn 5,00)" in document["why"]
    gaps = {d["code"]: d["difference"] for d in document["criteria"]}
    assert gaps["P.1"] == -5 and gaps["I.1"] == 0


def test_markdown_keeps_the_bonus_and_penalty_lines_outside_the_tables_and_names_whole(vietnamese):
    text = explain("X17", "--format", "markdown").stdout
    lines = text.splitlines()
    for start in ("Điểm thưởng: ", "Điểm trừ: ", "Tổng điểm: "):
        at = next(i for i, line in enumerate(lines) if line.startswith(start))
        assert lines[at - 1] == "" and not lines[at].startswith("|"), start
    assert "## Điểm thưởng" in lines and "## Kết quả" in lines
    assert "…" not in text
