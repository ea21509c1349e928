"""COINr's normalisations as rules (thidua/core/normalise.py): each against a value worked out by
hand, and against COINr's documented formula (n_zscore, n_rank, n_prank, n_borda, n_dist2targ,
n_dist2max, n_fracmax; docs/criteria-format.md, "Normalisations") computed here in plain Python."""

from __future__ import annotations

import statistics

import pytest

from thidua.core.rounding import round_value

from .util import column, criteria, leaf, run, run_cli, write_case

X = [100.0, 75.0, 75.0, 60.0, 80.0]  # ids U01..U05, all in one group
IDS = [f"U{i:02d}" for i in range(1, 6)]


def points(rule: dict, values=X, top: float = 10.0, groups=None) -> list[float | None]:
    rows = [{"x": v, "group": (groups[i] if groups else "G1")} for i, v in enumerate(values)]
    got = column(run(criteria([leaf("A", top, indicator="x", **rule)]), rows), "points.A")
    return [got[f"U{i:02d}"] for i in range(1, len(values) + 1)]


# --- COINr's formulas, as its documentation writes them (R semantics) ---------------------------

def r_rank_min(x: list[float]) -> list[float]:
    """R's rank(x, ties.method = "min")."""
    return [1.0 + sum(1 for y in x if y < v) for v in x]


def n_zscore(x):  # (x - mean(x)) / sd(x) * m_sd[2] + m_sd[1], m_sd = c(0, 1)
    mean, sd = statistics.fmean(x), statistics.stdev(x)
    return [(v - mean) / sd for v in x]


def n_rank(x):
    return r_rank_min(x)


def n_prank(x):  # (rank(x, "min") - 1) / (sum(!is.na(x)) - 1)
    return [(r - 1) / (len(x) - 1) for r in r_rank_min(x)]


def n_borda(x):  # rank(x) - 1
    return [r - 1 for r in r_rank_min(x)]


def n_dist2targ(x, targ, cap_max=True):  # (x - x_min) / (x_targ - x_min), capped at 1
    lo = min(x)
    return [min(1.0, (v - lo) / (targ - lo)) if cap_max else (v - lo) / (targ - lo) for v in x]


def n_dist2max(x):  # 1 - (x_max - x) / (x_max - x_min)
    lo, hi = min(x), max(x)
    return [1 - (hi - v) / (hi - lo) for v in x]


def n_fracmax(x):  # x / x_max
    return [v / max(x) for v in x]


def near(a: list[float | None], b: list[float]) -> bool:
    return all(x is not None and abs(x - round_value(y, 2)) < 1e-9 for x, y in zip(a, b))


# --- by hand ------------------------------------------------------------------------------------

def test_zscore_by_hand():
    # mean 78, sd = sqrt((22² + 3² + 3² + 18² + 2²) / 4) = sqrt(207.5) = 14.4049;
    # z = 1.5273, -0.2083, -0.2083, -1.2496, 0.1388; points 10 × (z + 2) / 4
    assert points({"type": "zscore"}) == [8.82, 4.48, 4.48, 1.88, 5.35]


def test_zscore_clips_at_the_declared_deviations_and_reverses_for_lower():
    assert points({"type": "zscore", "clip": 1}) == [10.0, 3.96, 3.96, 0.0, 5.69]
    assert points({"type": "zscore", "direction": "lower"}) == [1.18, 5.52, 5.52, 8.12, 4.65]


def test_zscore_of_equal_values_or_one_unit_is_half():
    assert points({"type": "zscore"}, [5.0, 5.0]) == [5.0, 5.0]
    assert points({"type": "zscore"}, [7.0]) == [5.0]


def test_rank_by_hand():
    # ranks (lowest first, ties at the lower rank): 100 → 5, 75 → 2, 75 → 2, 60 → 1, 80 → 4
    assert points({"type": "rank"}) == [10.0, 4.0, 4.0, 2.0, 8.0]
    assert points({"type": "rank", "direction": "lower"}) == [2.0, 6.0, 6.0, 10.0, 4.0]


def test_percentile_rank_by_hand():
    # (rank − 1) / (n − 1): 4/4, 1/4, 1/4, 0, 3/4
    assert points({"type": "percentile_rank"}) == [10.0, 2.5, 2.5, 0.0, 7.5]
    assert points({"type": "percentile_rank"}, [3.0]) == [10.0]


def test_borda_by_hand():
    # rank − 1 units below: 4, 1, 1, 0, 3; 3 points each, at most 10
    assert points({"type": "borda", "each": 3}) == [10.0, 3.0, 3.0, 0.0, 9.0]
    assert points({"type": "borda"}) == [10.0, 2.5, 2.5, 0.0, 7.5]  # scaled: 10 / (n − 1) each


def test_distance_to_target_by_hand():
    # (x − 60) / (90 − 60), at or above 90 → full: 100 → 10, 75 → 5, 60 → 0, 80 → 6.67
    assert points({"type": "distance_to_target", "target": 90}) == [10.0, 5.0, 5.0, 0.0, 6.67]
    # lower: (100 − x) / (100 − 70), at or below 70 → full
    assert points({"type": "distance_to_target", "target": 70, "direction": "lower"}) == \
        [0.0, 8.33, 8.33, 10.0, 6.67]
    # every unit beyond the target: full
    assert points({"type": "distance_to_target", "target": 50}) == [10.0] * 5


def test_distance_to_best_by_hand():
    # 1 − (100 − x) / 40: 1, 0.375, 0.375, 0, 0.5
    assert points({"type": "distance_to_best"}) == [10.0, 3.75, 3.75, 0.0, 5.0]
    assert points({"type": "distance_to_best", "direction": "lower"}) == [0.0, 6.25, 6.25, 10.0, 5.0]
    assert points({"type": "distance_to_best"}, [4.0, 4.0]) == [10.0, 10.0]


def test_fraction_of_max_by_hand():
    assert points({"type": "fraction_of_max"}) == [10.0, 7.5, 7.5, 6.0, 8.0]
    assert points({"type": "fraction_of_max", "direction": "lower"}) == [6.0, 8.0, 8.0, 10.0, 7.5]
    assert points({"type": "fraction_of_max"}, [-5.0, 0.0]) == [0.0, 0.0]


# --- against COINr's formulas --------------------------------------------------------------------

DATA = [[100.0, 75.0, 75.0, 60.0, 80.0], [0.1, 0.2, 0.30000000000000004, 0.3, 1e6],
        [-3.5, 2.25, 7.0, 7.0, 7.0, -1.0]]


@pytest.mark.parametrize("x", DATA)
def test_zscore_is_coinr_n_zscore_clipped_and_scaled(x):
    z = n_zscore(x)
    assert near(points({"type": "zscore", "clip": 3}, x), [10 * (max(-3, min(3, v)) + 3) / 6 for v in z])


@pytest.mark.parametrize("x", DATA)
def test_rank_rules_are_coinr_n_rank_n_prank_n_borda(x):
    n = len(x)
    # 0.1 + 0.2 is the decimal 0.3: it ties with 0.3 (the decimal value decides, not the float)
    x_decimal = [round(v, 12) for v in x]
    assert near(points({"type": "rank"}, x), [10 * r / n for r in n_rank(x_decimal)])
    assert near(points({"type": "percentile_rank"}, x), [10 * p for p in n_prank(x_decimal)])
    assert near(points({"type": "borda", "each": 1}, x), [min(10, b) for b in n_borda(x_decimal)])


def test_equal_decimals_share_a_rank():
    # 0.1 + 0.2 is 0.30000000000000004 in binary, 0.3 on paper: both rank 1 of 2 (the lower rank)
    assert points({"type": "rank"}, [0.1 + 0.2, 0.3, 0.4]) == [3.33, 3.33, 10.0]


@pytest.mark.parametrize("x", DATA)
def test_distance_rules_are_coinr_n_dist2targ_n_dist2max_n_fracmax(x):
    target = sorted(x)[-2]
    assert near(points({"type": "distance_to_target", "target": target}, x),
                [10 * s for s in n_dist2targ(x, target)])
    assert near(points({"type": "distance_to_best"}, x), [10 * s for s in n_dist2max(x)])
    assert near(points({"type": "fraction_of_max"}, x), [10 * max(0.0, s) for s in n_fracmax(x)])


# --- scope, missing values, formula.then ---------------------------------------------------------

def test_scope_group_ranks_within_each_cluster_and_all_across():
    groups = ["A", "A", "B", "B", "B"]
    assert points({"type": "rank"}, groups=groups) == [10.0, 5.0, 6.67, 3.33, 10.0]
    assert points({"type": "rank", "scope": "all"}, groups=groups) == [10.0, 4.0, 4.0, 2.0, 8.0]


def test_a_missing_value_follows_the_policy_and_is_not_counted():
    rows = [{"x": 10.0}, {"x": None}, {"x": 30.0}]
    for policy, expected in (("zero", 0.0), ("full", 10.0)):
        doc = criteria([leaf("A", 10, indicator="x", type="percentile_rank", missing=policy)])
        got = column(run(doc, rows), "points.A")
        assert got == {"U01": 0.0, "U02": expected, "U03": 10.0}  # n = 2 units with a value


def test_under_formula_then():
    doc = criteria([{"code": "A", "name": "A", "max_points": 10, "rule": {
        "type": "formula", "expr": "x * 2", "then": {"type": "distance_to_best"}}}])
    got = column(run(doc, [{"x": 1.0}, {"x": 2.0}, {"x": 3.0}]), "points.A")
    assert got == {"U01": 0.0, "U02": 5.0, "U03": 10.0}


def test_row_order_does_not_change_a_zscore():
    x = [0.1, 0.7, 1e15, -3.3, 2.2, 0.30000000000000004, 5e-324]
    a = points({"type": "zscore"}, x)
    b = points({"type": "zscore"}, x[::-1])
    assert a == b[::-1]


def test_huge_values_do_not_overflow():
    assert points({"type": "zscore"}, [1.7e308, -1.7e308, 0.0]) == [7.5, 2.5, 5.0]  # z = ±1


# --- the command line: explain writes the formula and what it computed over the scope -----------

CRITERIA = """\
format: 1
id: nho
name: "Bảng nhỏ"
version: "1"
total: 10
units: {id: ma, name: ten, group: cum}
criteria:
  - {code: A, name: "Hài lòng", max_points: 6, rule: {type: zscore, indicator: hai_long}}
  - {code: B, name: "Giải ngân", max_points: 4, rule: {type: rank, indicator: giai_ngan, scope: all}}
"""
SMALL = """\
ma,ten,cum,hai_long,giai_ngan
X1,Xã Một,Cụm 1,90,70
X2,Xã Hai,Cụm 1,60,80
X3,Xã Ba,Cụm 2,75,80
"""


def test_explain_shows_how_each_value_became_points(tmp_path, monkeypatch, vietnamese):
    monkeypatch.chdir(tmp_path)
    write_case(CRITERIA, SMALL)
    result = run_cli("explain", "c.yaml", "d.csv", "X2")
    assert result.exit_code == 0
    assert result.stderr == ""
    # Cụm 1 has 90 and 60: mean 75, sd 21.21, z = -0.707, 6 × 1.293 / 4 = 1.939; 80 ties with
    # X3's 80 at rank 2 of 3 (70 is rank 1): 4 × 2 / 3 = 2.667
    assert result.stdout == (
        "Xã Hai (X2) — Cụm 1; dòng 3 của tệp số liệu\n"
        "Bảng nhỏ (phiên bản 1)\n"
        "\n"
        "Tiêu chí      Số liệu         Cách tính                                                                                                                  Điểm tính    Điểm    Tối đa\n"
        "------------  --------------  -------------------------------------------------------------------------------------------------------------------------  -----------  ------  --------\n"
        "A  Hài lòng   hai_long = 60   z = (giá trị − trung bình) / độ lệch chuẩn trong cụm, giới hạn ±2; điểm = 6 × (z + 2) / (2 × 2) [z = -0,707]               1,939        1,94    6\n"
        "B  Giải ngân  giai_ngan = 80  4 × hạng / số đơn vị có số liệu; hạng toàn bộ (1 là thấp nhất, đồng giá trị cùng hạng thấp hơn) [hạng = 2, số đơn vị = 3]  2,667        2,67    4\n"
        "\n"
        "Điểm các tiêu chí chính: 4,61 / 10\n"
        "\n"
        "Tổng điểm: 4,61\n"
        "Hạng: 2/2 trong Cụm 1; chung 3/3\n"
        "Xếp trên: X1 Xã Một, hạng 1, 5,39 (hơn 0,78 điểm)\n")


def test_explain_json_keeps_the_working(tmp_path, monkeypatch):
    import json

    monkeypatch.chdir(tmp_path)
    write_case(CRITERIA, SMALL)
    result = run_cli("explain", "c.yaml", "d.csv", "X2", "--format", "json")
    assert result.exit_code == 0 and result.stderr == ""
    a, b = json.loads(result.stdout)["criteria"]
    assert a["working"] == {"z": pytest.approx(-0.7071067811865476)}
    assert b["working"] == {"rank": 2.0, "n": 3.0}


def test_explain_in_english_says_the_formula_in_english_with_a_decimal_point(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_case(CRITERIA, SMALL)
    result = run_cli("--lang", "en", "explain", "c.yaml", "d.csv", "X2")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == (
        'Xã Hai (X2) — Cụm 1; row 3 of the data file\n'
        'Bảng nhỏ (version 1)\n'
        '\n'
        'Criterion     Data            How scored                                                                                                           Computed    Points    Max\n'
        '------------  --------------  -------------------------------------------------------------------------------------------------------------------  ----------  --------  -----\n'
        'A  Hài lòng   hai_long = 60   z = (value − mean) / standard deviation in the cluster, clipped to ±2; points = 6 × (z + 2) / (2 × 2) [z = -0.707]   1.939       1.94      6\n'
        'B  Giải ngân  giai_ngan = 80  4 × rank / units with data; rank overall (1 is the lowest, equal values share the lower rank) [rank = 2, units = 3]  2.667       2.67      4\n'
        '\n'
        'Points on the main criteria: 4.61 / 10\n'
        '\n'
        'Total: 4.61\n'
        'Rank: 2/2 in Cụm 1; overall 3/3\n'
        'Above: X1 Xã Một, rank 1, 5.39 (ahead by 0.78 points)\n'
    )
