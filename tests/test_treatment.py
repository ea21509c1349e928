"""treatment: (thidua/core/treatment.py): imputation and winsorisation, opt-in, every changed
cell listed; golden cases worked out by hand and COINr's definitions computed here in Python."""

from __future__ import annotations

import json
import math
import statistics

import pytest

from thidua.errors import DataError

from .util import column, criteria, leaf, run, run_cli, write_case

LEAVES = [leaf("A", 10, indicator="x", type="linear", zero_at=0, full_at=100)]


def treated(rows, **treatment):
    doc = criteria(LEAVES, treatment=treatment)
    result = run(doc, rows)
    return result, column(result, "points.A")


def test_nothing_is_treated_by_default():
    with pytest.raises(DataError) as e:
        run(criteria(LEAVES), [{"x": 10.0}, {"x": None}])
    assert "missing value" in str(e.value.problems[0].message)


def test_impute_by_the_groups_median_and_mean():
    rows = [{"x": 10.0, "group": "A"}, {"x": 40.0, "group": "A"}, {"x": 100.0, "group": "A"},
            {"x": None, "group": "A"}, {"x": 80.0, "group": "B"}, {"x": None, "group": "B"}]
    result, points = treated(rows, impute=[{"indicator": "x", "by": "median"}])
    assert points["U04"] == 4.0  # median of 10, 40, 100
    assert points["U06"] == 8.0  # B's only value
    assert result.treated.select("id", "indicator", "from", "to", "treatment").rows() == [
        ("U04", "x", None, 40.0, "impute_median"), ("U06", "x", None, 80.0, "impute_median")]
    _, points = treated(rows, impute=[{"indicator": "x", "by": "mean"}])
    assert points["U04"] == 5.0  # (10 + 40 + 100) / 3
    _, points = treated(rows, impute=[{"indicator": "x", "by": "mean", "scope": "all"}])
    assert points["U04"] == 5.75 and points["U06"] == 5.75  # (10 + 40 + 100 + 80) / 4 = 57.5


def test_a_mean_is_the_decimal_a_person_computes():
    rows = [{"x": 0.1}, {"x": 0.2}, {"x": None}]
    result, _ = treated(rows, impute=[{"indicator": "x", "by": "mean"}])
    assert result.treated.get_column("to").to_list() == [0.15]


def test_a_scope_without_any_value_leaves_the_cell_missing_and_its_policy_decides():
    rows = [{"x": None, "group": "A"}, {"x": 50.0, "group": "B"}]
    with pytest.raises(DataError):
        treated(rows, impute=[{"indicator": "x", "by": "mean"}])


def test_winsorise_to_quantiles_against_rs_type_7():
    x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 100.0]
    result, points = treated([{"x": v} for v in x], winsorise=[
        {"indicator": "x", "low": 0.1, "high": 0.9}])
    # type 7: h = (n − 1) q; q 0.1 → 1 + 0.9 × (2 − 1) = 1.9; q 0.9 → 9 + 0.1 × (100 − 9) = 18.1
    assert result.treated.select("id", "from", "to").rows() == [("U01", 1.0, 1.9), ("U10", 100.0, 18.1)]
    assert points["U10"] == 1.81 and points["U01"] == 0.19 and points["U05"] == 0.5
    assert statistics.quantiles(x, n=10, method="inclusive")[0] == pytest.approx(1.9)  # R's type 7
    assert statistics.quantiles(x, n=10, method="inclusive")[-1] == pytest.approx(18.1)


def _skew_kurt(x):
    """COINr's skew() and kurt(): e1071 type 2 (Excel's SKEW and KURT)."""
    n, mean = len(x), statistics.fmean(x)
    m2, m3, m4 = (sum((v - mean) ** k for v in x) / n for k in (2, 3, 4))
    g1, g2 = m3 / m2 ** 1.5, m4 / m2 ** 2 - 3
    return g1 * math.sqrt(n * (n - 1)) / (n - 2), ((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3))


def _coinr_winsorise(x, skew_t=2.0, kurt_t=3.5, winmax=5):
    """COINr's winsorise() as its documentation states it, moving every unit at the value."""
    x = list(x)
    for _ in range(winmax):
        s, k = _skew_kurt(x)
        if not (abs(s) >= skew_t and k >= kurt_t):
            break
        if s > 0:
            top = max(x)
            x = [max(v for v in x if v < top) if v == top else v for v in x]
        else:
            low = min(x)
            x = [min(v for v in x if v > low) if v == low else v for v in x]
    return x


def test_skew_kurtosis_against_coinrs_example():
    # COINr's own example (its treat vignette): 1..10 and two outliers, 30 and 100
    x = [*map(float, range(1, 11)), 30.0, 100.0]
    skew, kurt = _skew_kurt(x)
    assert skew >= 2 and kurt >= 3.5  # COINr's check_SkewKurt fails: both over their limits
    result, _ = treated([{"x": v} for v in x],
                        winsorise=[{"indicator": "x", "method": "skew_kurtosis"}])
    expected = _coinr_winsorise(x)
    assert expected[-2:] == [30.0, 30.0]  # 100 → 30 at step 1; then skew and kurtosis pass
    assert _skew_kurt(expected)[0] < 2
    assert result.treated.select("id", "from", "to", "step").rows() == [("U12", 100.0, 30.0, 1)]


@pytest.mark.parametrize("x", [[1.0, 1.0, 1.0, 2.0, 50.0, -80.0, 3.0], [5.0, 6.0, 7.0],
                               [0.1 * i for i in range(30)] + [1e6]])
def test_skew_kurtosis_is_coinrs_rule(x):
    result, _ = treated([{"x": v} for v in x],
                        winsorise=[{"indicator": "x", "method": "skew_kurtosis", "winmax": 3}])
    expected = _coinr_winsorise(x, winmax=3) if len(x) >= 4 else x
    got = dict(result.treated.select("id", "to").rows())
    assert [got.get(f"U{i + 1:02d}", v) for i, v in enumerate(x)] == pytest.approx(expected)


def test_the_row_order_never_changes_a_treatment():
    x = [0.1, 0.7, None, 1e15, -3.3, 2.2, 0.30000000000000004, None, 5.0, 5.0]
    rows = [{"x": v, "group": "AB"[i % 2]} for i, v in enumerate(x)]
    spec: dict = {"impute": [{"indicator": "x", "by": "mean"}],
                  "winsorise": [{"indicator": "x", "method": "skew_kurtosis", "skew": 1, "kurtosis": 1}]}
    a, pa = treated(rows, **spec)
    b, pb = treated(rows[::-1], **spec)
    assert pa == {f"U{i:02d}": pb[f"U{len(x) + 1 - i:02d}"] for i in range(1, len(x) + 1)}
    assert a.treated.height == b.treated.height > 0


# --- the command line: every format lists the changed cells --------------------------------------

CRITERIA = """\
format: 1
id: nho
name: "Bảng nhỏ"
version: "1"
total: 10
units: {id: ma, name: ten, group: cum}
criteria:
  - {code: A, name: "Tỷ lệ", max_points: 10, rule: {type: linear, indicator: ty_le, zero_at: 0, full_at: 100}}
treatment:
  impute: [{indicator: ty_le, by: median}]
  winsorise: [{indicator: ty_le, high: 0.5, scope: group}]
"""
DATA = """\
ma,ten,cum,ty_le
X1,Xã Một,Cụm 1,90
X2,Xã Hai,Cụm 1,
X3,Xã Ba,Cụm 1,70
"""


def test_score_table_lists_every_changed_cell(tmp_path, monkeypatch, vietnamese):
    monkeypatch.chdir(tmp_path)
    write_case(CRITERIA, DATA)
    result = run_cli("score", "c.yaml", "d.csv")
    assert result.exit_code == 0 and result.stderr == ""
    # X2 ← median 80 of 90 and 70; then the 0.5 quantile of 90, 80, 70 is 80: X1 90 → 80
    assert result.stdout == (
        "Bảng nhỏ (phiên bản 1)\n"
        "\n"
        "Cụm 1 — 3 đơn vị\n"
        "Hạng    Mã    Đơn vị    A     Tổng điểm    Xếp loại    Khen thưởng    Ghi chú\n"
        "------  ----  --------  ----  -----------  ----------  -------------  ---------\n"
        "1       X1    Xã Một    8,00  8,00\n"
        "1       X2    Xã Hai    8,00  8,00\n"
        "3       X3    Xã Ba     7,00  7,00\n"
        "\n"
        "Xử lý số liệu (treatment): 2 ô được thay đổi trước khi chấm điểm\n"
        "Mã    Đơn vị    Cụm, khối    Chỉ số    Giá trị cũ    Giá trị mới    Lý do\n"
        "----  --------  -----------  --------  ------------  -------------  -----------------------------------------------------------\n"
        "X1    Xã Một    Cụm 1        ty_le     90            80             cao hơn phân vị 0,5 của Cụm 1: gán bằng phân vị đó\n"
        "X2    Xã Hai    Cụm 1        ty_le     (trống)       80             thiếu số liệu: trung vị của các đơn vị của Cụm 1 có số liệu\n"
        "\n"
        "Làm tròn: 2 chữ số thập phân, nửa xa số 0, tại từng tiêu chí, nhóm và tổng.\n"
        "Xếp hạng: đồng hạng kiểu thi đấu (1, 2, 2, 4); phá hòa: không; còn bằng nhau thì đồng hạng.\n"
        "Thiếu số liệu: báo lỗi (mọi số liệu phải có).\n")


def test_score_csv_and_json_keep_the_changes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_case(CRITERIA, DATA)
    result = run_cli("score", "c.yaml", "d.csv", "--format", "csv")
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout == (
        "id,name,group,total,classification,rank,rank_overall,bonus,penalty,knockouts,awards,"
        "flagged,earned,attainable,points.A,treatment.ty_le.from,treatment.ty_le.to,"
        "treatment.ty_le.how\n"
        "X1,Xã Một,Cụm 1,8.0,,1,1,0.0,0.0,,,,8.0,10.0,8.0,90.0,80.0,winsorise_quantiles\n"
        "X2,Xã Hai,Cụm 1,8.0,,1,1,0.0,0.0,,,,8.0,10.0,8.0,,80.0,impute_median\n"
        "X3,Xã Ba,Cụm 1,7.0,,3,3,0.0,0.0,,,,7.0,10.0,7.0,,,\n")
    result = run_cli("--lang", "en", "score", "c.yaml", "d.csv", "--format", "json")
    changes = json.loads(result.stdout)["treatment"]["changes"]
    assert [(ch["id"], ch["from"], ch["to"], ch["treatment"]) for ch in changes] == [
        ("X1", 90.0, 80.0, "winsorise_quantiles"), ("X2", None, 80.0, "impute_median")]


def test_explain_lists_the_units_changed_cells(tmp_path, monkeypatch, vietnamese):
    monkeypatch.chdir(tmp_path)
    write_case(CRITERIA, DATA)
    result = run_cli("explain", "c.yaml", "d.csv", "X2")
    assert result.exit_code == 0 and result.stderr == ""
    assert ("X2    Xã Hai    Cụm 1        ty_le     (trống)       80             thiếu số liệu: trung "
            "vị của các đơn vị của Cụm 1 có số liệu\n") in result.stdout


def test_parquet_and_workbook_keep_the_changes(tmp_path, monkeypatch, vietnamese):
    import polars as pl

    from .util import workbook_tables

    monkeypatch.chdir(tmp_path)
    write_case(CRITERIA, DATA)
    assert run_cli("score", "c.yaml", "d.csv", "-o", "k.parquet").exit_code == 0
    table = pl.read_parquet("k.parquet")
    assert table.select("id", "treatment.ty_le.from", "treatment.ty_le.to", "treatment.ty_le.how").rows() == [
        ("X1", 90.0, 80.0, "winsorise_quantiles"), ("X2", None, 80.0, "impute_median"), ("X3", None, None, None)]
    assert run_cli("score", "c.yaml", "d.csv", "-o", "k.xlsx").exit_code == 0
    sheet = workbook_tables("k.xlsx")["Xử lý số liệu"]
    assert sheet.rows() == [
        ("X1", "Xã Một", "Cụm 1", "ty_le", "90", "80", "cao hơn phân vị 0,5 của Cụm 1: gán bằng phân vị đó"),
        ("X2", "Xã Hai", "Cụm 1", "ty_le", "(trống)", "80",
         "thiếu số liệu: trung vị của các đơn vị của Cụm 1 có số liệu")]


def test_a_treatment_that_changes_nothing_says_so(tmp_path, monkeypatch, vietnamese):
    monkeypatch.chdir(tmp_path)
    write_case(CRITERIA, DATA.replace("X2,Xã Hai,Cụm 1,", "X2,Xã Hai,Cụm 1,80").replace("90", "80"))
    result = run_cli("score", "c.yaml", "d.csv")
    assert result.exit_code == 0 and result.stderr == ""
    assert "\nXử lý số liệu (treatment): không ô nào thay đổi\n" in result.stdout
