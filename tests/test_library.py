"""The shipped library: every criteria file validates and scores its example data through the
CLI; three units of each file match results worked out by hand; the PCI 2016 table is reproduced
exactly; `thidua list` and `thidua init`; the files are in the built wheel.

The expected numbers below were computed by hand (with Decimal where a division does not end),
following each file's rules, and never by calling the engine. Every leaf is rounded to 2 decimals
half away from zero, then every subtotal and the total, as the files say (round_at: leaves).
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from thidua.cli import cli
from thidua.input import shipped

LIBRARY = ("cum-xa", "danh-hieu-bac-ninh", "danh-hieu-ca-nhan", "danh-hieu-tap-the", "dti-tinh",
           "dvcq-xa", "nd335-cong-chuc", "pci-2016",
           "qd766-dvc")
UNGROUPED = ("dti-tinh", "pci-2016", "qd766-dvc")  # no units.group: one ranking of every unit
ROOT = Path(__file__).resolve().parent.parent


def members(name: str) -> list[str]:
    """--members and the shipped members' result of a file of collectives, else nothing."""
    path = shipped(f"{name}-thanh-vien.csv")
    return ["--members", str(path)] if path.is_file() else []


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


HISTORY = ".lich-su.csv"  # a shipped file's history file (council-path §5), where it has one


def history(name: str) -> list[str]:
    """--history and the shipped file's history file, when it has one."""
    path = shipped(f"{name}{HISTORY}")
    return ["--history", str(path)] if path.is_file() else []


@cache
def scored(name: str) -> dict[str, Any]:
    """`thidua score` on a shipped file and its example data, as JSON, keyed by unit id."""
    result = invoke("score", str(shipped(f"{name}.yaml")), str(shipped(f"{name}.csv")),
                    "--format", "json", *history(name), *members(name))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    out = json.loads(result.stdout)
    out["by_id"] = {u["id"]: u for u in out["units"]}
    return out


def data_rows(name: str) -> list[dict[str, str]]:
    with shipped(f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# --- every shipped file ------------------------------------------------------------------------


def test_the_library_holds_every_file_with_its_example_data() -> None:
    folder = shipped("")
    assert tuple(sorted(p.stem for p in folder.glob("*.yaml"))) == LIBRARY
    assert tuple(sorted(p.stem for p in folder.glob("*.csv")
                        if not p.name.endswith(HISTORY) and not p.stem.endswith("-thanh-vien"))) == LIBRARY
    assert sorted(p.name for p in folder.glob(f"*{HISTORY}")) == ["danh-hieu-bac-ninh.lich-su.csv",
                                                                  "danh-hieu-tap-the.lich-su.csv"]
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for name in LIBRARY:
        assert f"**`{name}`** (`{name}.yaml`, data `{name}.csv`)" in readme


@pytest.mark.parametrize("name", LIBRARY)
def test_shipped_file_validates(name: str) -> None:
    path = str(shipped(f"{name}.yaml"))
    result = invoke("validate", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"{path}: valid (format 1, {name} ")
    assert result.stderr == ""


@pytest.mark.parametrize("name", LIBRARY)
def test_shipped_file_scores_its_example_data_as_csv(name: str) -> None:
    result = invoke("score", str(shipped(f"{name}.yaml")), str(shipped(f"{name}.csv")),
                    "--format", "csv", *history(name), *members(name))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert len(rows) == len(data_rows(name))
    assert list(rows[0])[:12] == ["id", "name", "group", "total", "classification", "rank",
                                  "rank_overall", "bonus", "penalty", "knockouts", "awards",
                                  "flagged"]


@pytest.mark.parametrize("name", LIBRARY)
def test_shipped_file_scores_its_example_data_as_json(name: str) -> None:
    out = scored(name)
    assert out["criteria"]["id"] == name
    assert out["data"]["rows"] == len(data_rows(name)) == len(out["units"])


def test_every_non_official_number_is_marked_for_the_council() -> None:
    # the template files say so in their comments; the PCI file has no template numbers
    for name in LIBRARY:
        text = shipped(f"{name}.yaml").read_text(encoding="utf-8")
        marked = text.count("tham số mẫu — Hội đồng cần xác nhận")
        assert (marked == 0) if name == "pci-2016" else (marked >= 3), name


# --- three units of each file, by hand ----------------------------------------------------------

# nd335-cong-chuc. The 20 % base per agency: Sở Nội vụ has 7 people rated Hoàn thành tốt (NV05–
# NV11) → floor(1.4) = 1 place; Sở Tư pháp 8 (TP04–TP11) → floor(1.6) = 1 place.
XS, TOT, HT, KHT = ("Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm vụ",
                    "Hoàn thành nhiệm vụ", "Không hoàn thành nhiệm vụ")
ND335 = {
    # I = 9 + 9 + 9 = 27; II.1 = 30 × 35/36 = 29.1666… → 29.17; II.2 = 20 − 5 × 0 = 20;
    # II.3 = 20 − 5 × 1 = 15; II = 64.17; total 91.17 ≥ 90. Third in Sở Nội vụ (98.5, 92.5 above),
    # outside the single place, which NV01 (98.5) takes.
    "NV03": {"points": {"I": 27, "II.1": 29.17, "II.2": 20, "II.3": 15, "II": 64.17},
                 "total": 91.17, "classification": XS, "rank": 3, "awards": [], "flagged": [], "knockouts": []},
    # I = 8.5 + 7 + 8.5 = 24; II.1 = 30 × 40/40 = 30; II.2 = 20 − 5 = 15; II.3 = 20; total 89,
    # in the Hoàn thành tốt band but disciplined → capped at Không hoàn thành. Fifth (98.5, 92.5,
    # 91.17, 89.17 above).
    "NV04": {"points": {"I": 24, "II.1": 30, "II.2": 15, "II.3": 20, "II": 65},
                 "total": 89, "classification": KHT, "rank": 5, "awards": [], "flagged": [],
                 "knockouts": ["KY_LUAT"]},
    # I = 9.5 + 9.5 + 9 = 28; II = 30 (44/44) + 20 + 15 (one delay) = 65; total 93. TP03 has
    # I = 9 + 9.5 + 9.5 = 28 and II = 30 (52/50, capped) + 15 (one error) + 20 = 65: tied on the
    # total and both tie-breaks, second after TP01 (93.5); for the single place → flagged.
    "TP02": {"points": {"I": 28, "II.1": 30, "II.2": 20, "II.3": 15, "II": 65},
                 "total": 93, "classification": XS, "rank": 2, "awards": [], "flagged": ["DE_NGHI_HTXS"],
                 "knockouts": []},
    "TP03": {"points": {"I": 28, "II.1": 30, "II.2": 15, "II.3": 20, "II": 65},
                 "total": 93, "classification": XS, "rank": 2, "awards": [], "flagged": ["DE_NGHI_HTXS"],
                 "knockouts": []},
    # 28.5 + 30 (42/40, capped) + 20 + 20 = 98.5: first, inside the 20 %.
    "NV01": {"total": 98.5, "classification": XS, "rank": 1, "awards": ["DE_NGHI_HTXS"], "flagged": []},
    # five delays: 20 − 5 × 5 < 0 → 0; 19 + 20 (20/30 × 30) + 10 + 0 = 49 < 50.
    "NV13": {"points": {"II.1": 20, "II.2": 10, "II.3": 0}, "total": 49, "classification": KHT},
    # exactly 70.00: 21 + 24 (32/40 × 30) + 10 + 15.
    "NV11": {"total": 70, "classification": TOT},
}

# qd766-dvc: points = max × rate / 100 for every rate leaf.
QD766 = {
    # I: 4 × .973 = 3.892 → 3.89; 8 × .952 = 7.616 → 7.62; 6 × .992 = 5.952 → 5.95; = 17.46.
    # II: 20 × .99 = 19.8. III: 8 × .951 = 7.608 → 7.61; 8 × .985 = 7.88; 6 × .79 = 4.74; = 20.23.
    # IV: 8 × .901 = 7.208 → 7.21; 10 × 2609/2955 = 8.8291… → 8.83; 4 × .788 = 3.152 → 3.15;
    # = 19.19. V: satisfaction exactly 90.0 ≥ 90 → 6; 6 × .986 = 5.916 → 5.92; 6 × .999 = 5.994
    # → 5.99; = 17.91. Total 94.59, second after DV16.
    "DV08": {"points": {"I.1": 3.89, "I.2": 7.62, "I.3": 5.95, "I": 17.46, "II": 19.8,
                         "III": 20.23, "IV.2": 8.83, "IV": 19.19, "V.1": 6, "V": 17.91},
                 "total": 94.59, "classification": None, "rank": 2},
    # I: 3.856 → 3.86; 7.512 → 7.51; 5.166 → 5.17; = 16.54. II: 20 × .936 = 18.72.
    # III: 7.768 → 7.77; 5.24; 3.69; = 16.7. IV: 7.112 → 7.11; 10 × 2253/3499 = 6.4389… → 6.44;
    # 3.004 → 3.00; = 16.55. V: 89.9 < 90 → 0; 5.346 → 5.35; no petition (empty) → full 6;
    # = 11.35. Total 79.86; 17th.
    "DV05": {"points": {"I": 16.54, "II": 18.72, "III": 16.7, "IV.2": 6.44, "IV": 16.55,
                         "V.1": 0, "V.3": 6, "V": 11.35},
                 "total": 79.86, "classification": None, "rank": 17},
    # I: 3.976 → 3.98; 7.712 → 7.71; 5.928 → 5.93; = 17.62. II: 19.72. III: 7.288 → 7.29;
    # 7.976 → 7.98; 4.71; = 19.98. IV: 7.624 → 7.62; 10 × 3948/4280 = 9.2242… → 9.22;
    # 3.548 → 3.55; = 20.39. V: 6; 5.748 → 5.75; 5.976 → 5.98; = 17.73. Total 95.44, first.
    "DV16": {"points": {"I": 17.62, "II": 19.72, "III": 19.98, "IV": 20.39, "V": 17.73},
                 "total": 95.44, "classification": None, "rank": 1},
}

# dti-tinh. Best of the relative indicators over the 15 provinces: ty_le_chi_cds 2.2 (QNH),
# can_bo_cntt_tren_1000 15.6 (HCM), ty_trong_kinh_te_so 20.68 (DNG).
DTI = {
    # I.1 = 30 + 40 × .958 (38.32) + 0 = 68.32; I.2 = 40 + 60 × 1.95/2.2 (53.1818… → 53.18)
    # = 93.18; I.3 = 47.9 + 49.5 = 97.4; I.4 = 60 × .82 (49.2) + 40 × 13.5/15.6 (34.615… →
    # 34.62) = 83.82; I.5 = 48.5 + 45.6 = 94.1; I.6 = 0 (not scored, though the province has a
    # smart-city plan); I = 436.82. II.1 = 69.44 + 59.52 + 60 = 188.96; II.2 = 90 × 18.16/20.68
    # (79.0328… → 79.03) + 45.66 = 124.69; II.3 = 45.5 + 44.65 + 43.4 = 133.55; II = 447.2.
    # Total 884.02, first.
    "LDG": {"points": {"I.1": 68.32, "I.2.2": 53.18, "I.2": 93.18, "I.4.2": 34.62, "I.6": 0,
                        "I": 436.82, "II.2.1": 79.03, "II": 447.2},
                "total": 884.02, "classification": None, "rank": 1},
    # I.1 = 0 + 38.68 + 30 = 68.68; I.2 = 40 + 60 × .74/2.2 (20.1818… → 20.18) = 60.18;
    # I.3 = 27.6 + 44.55 = 72.15; I.4 = 56.28 + 40 × 4.9/15.6 (12.564… → 12.56) = 68.84;
    # I.5 = 24.9 + 47.3 = 72.2; I = 342.05. II.1 = 73.2 + 55.5 + 60 × 5/6 (50) = 178.7;
    # II.2 = 90 × 19.9/20.68 (86.6054… → 86.61) + 18.3 = 104.91; II.3 = 36.55 + 38.55 + 24.7
    # = 99.8; II = 383.41. Total 725.46, 12th.
    "HNI": {"points": {"I.1": 68.68, "I.2": 60.18, "I.4": 68.84, "I": 342.05, "II.1.3": 50,
                        "II.2": 104.91, "II": 383.41},
                "total": 725.46, "classification": None, "rank": 12},
    # I.1 = 0 + 29.68 + 30 = 59.68; I.2 = 0 (no plan) + 60 (the best budget share) = 60;
    # I.3 = 38.45 + 47.45 = 85.9; I.4 = 51.18 + 40 × 9.6/15.6 (24.615… → 24.62) = 75.8;
    # I.5 = 41.25 + 42.6 = 83.85; I = 365.23. II.1 = 67.36 + 54.54 + 50 = 171.9; II.2 =
    # 90 × 14.9/20.68 (64.8452… → 64.85) + 29.34 = 94.19; II.3 = 47.85 + 36.05 + 35.65 = 119.55;
    # II = 385.64. Total 750.87, 11th.
    "QNH": {"points": {"I.2.1": 0, "I.2.2": 60, "I": 365.23, "II.2.1": 64.85, "II": 385.64},
                "total": 750.87, "classification": None, "rank": 11},
}

# cum-xa. I.1 (target_leader, base 0.5): ratio r = thu / dự toán; r ≤ 1: 5 × r; above: 5 + 5 ×
# (r − 1)/(L − 1), L the cluster's best ratio. Cụm 1: L = 18500/15000 (X01); Cụm 2: L =
# 24600/21000 (X07); Cụm 3: L = 9200/8000 = 1.15 (X15). Bằng khen places: Cụm 1 floor(1.2) = 1,
# Cụm 2 floor(1.6) = 1, Cụm 3 floor(2.0) = 2.
CUM_XA = {
    # The leader: I = 10 + 10 (100 %) + 10 (78.5 ≥ 75) = 30; II = 8 (95.2 ≥ 95) + 7 (42 ≥ 40) + 6
    # (96 ≥ 90) + 4 = 25; III = 6 + (8 − 1) + 6 = 19; IV = 10 + 5 = 15; V = 4 + 3 + 3 (2/2) = 10;
    # main 99, + 10 for the provincial Cờ = 109 (above 100).
    "X01": {"points": {"I.1": 10, "I": 30, "II": 25, "III": 19, "IV": 15, "V": 10, "T.1": 10,
                        "T.2": 0},
                "bonus": 10, "penalty": 0, "total": 109, "classification": XS, "rank": 1, "awards": ["CO_TINH"],
                "flagged": [], "knockouts": []},
    # I.1 = 5 + 5 × (16200/14500 − 1)/(18500/15000 − 1) = 5 + 5 × 0.11724…/0.23333… = 7.5123…
    # → 7.51; I.2 = 10 − 0.5 × 1.4 = 9.3; I.3 = 10; I = 26.81. II = (8 − 0.5 × 0.4 = 7.8) + 7 + 6
    # + 4 = 24.8; III = 19; IV = (10 − 1 × 0.4 = 9.6) + (5 − 1) = 13.6; V = 10. Total 94.21,
    # second; the Cờ went to X01 (exclusive), so the one Bằng khen place is X03's.
    "X03": {"points": {"I.1": 7.51, "I.2": 9.3, "I": 26.81, "II.1": 7.8, "II": 24.8,
                        "IV.1": 9.6, "IV": 13.6},
                "total": 94.21, "classification": XS, "rank": 2, "awards": ["BANG_KHEN"], "flagged": []},
    # First in Cụm 2 (I = 10 + (10 − 0.35 = 9.65) + 10 = 29.65; II 25; III 19; IV 15; V 10;
    # 98.65) but a disciplined official bars it: the Cờ goes to X08 and the Bằng khen to X12.
    "X07": {"points": {"I.2": 9.65, "I": 29.65}, "total": 98.65, "classification": XS, "rank": 1,
                "awards": [], "flagged": [], "knockouts": ["KY_LUAT"]},
    # I.1 = 5 + 5 × 0.14/0.171428… = 9.0833… → 9.08.
    "X08": {"points": {"I.1": 9.08}, "rank": 2, "awards": ["CO_TINH"]},
    # I.1 = 5 + 5 × 0.05/0.15 = 6.6666… → 6.67 (X18: 6300/6000, the same ratio); I.2 = 10 −
    # 0.5 × 1.6 = 9.2; I.3 = 10; I = 25.87. II = 8 + 7 + 6 + 4 = 25; III = 6 + 6 + 6 = 18;
    # IV = 9.4 + 5 = 14.4; V = 10 (X18: 3 models, still 3 points). Total 93.27 for both, equal on
    # I and on the criminal cases: third together, across the second Bằng khen place (X15 has
    # the Cờ, X16 the first place) → flagged for the council.
    "X17": {"points": {"I.1": 6.67, "I": 25.87, "II": 25, "III": 18, "IV": 14.4, "V": 10},
                "total": 93.27, "classification": XS, "rank": 3, "awards": [], "flagged": ["BANG_KHEN"]},
    "X18": {"points": {"I.1": 6.67, "I": 25.87, "II": 25, "III": 18, "IV": 14.4, "V.3": 3},
                "total": 93.27, "classification": XS, "rank": 3, "awards": [], "flagged": ["BANG_KHEN"]},
    # 80.9 would be Hoàn thành tốt; a corruption case caps it at Hoàn thành nhiệm vụ.
    "X10": {"total": 80.9, "classification": HT, "knockouts": ["THAM_NHUNG"], "awards": []},
    # one complex case: penalty 5.
    "X05": {"penalty": 5},
}

# danh-hieu-ca-nhan: the one leaf is the score itself. LĐTT counted per unit: Bắc Trạch 13
# (BT01–BT13) → CSTĐCS floor(13 × 0.15 = 1.95) = 1; Đồng Thuận 11 (DT01–DT03, DT05–DT12) →
# floor(1.65) = 1.
DANH_HIEU = {
    "BT01": {"points": {"DG": 95.5}, "total": 95.5, "classification": XS, "rank": 1,
                 "awards": ["LDTT", "CSTDCS"], "flagged": [], "knockouts": []},
    # 91 points but outside the agency's 20 %: rated Hoàn thành tốt; LĐTT; no initiative, so not a
    # CSTĐCS candidate.
    "BT03": {"total": 91, "classification": TOT, "rank": 3, "awards": ["LDTT"], "flagged": [],
                 "knockouts": ["VUOT_TY_LE"]},
    # an initiative at 88: a CSTĐCS candidate, beyond the single place.
    "BT04": {"total": 88, "classification": TOT, "rank": 4, "awards": ["LDTT"], "flagged": []},
    # not taking part in the movement: no LĐTT.
    "BT14": {"total": 75, "classification": TOT, "awards": []},
    # 93 and 93, no initiative or topic on either side: tied first for the one place.
    "DT01": {"total": 93, "classification": XS, "rank": 1, "awards": ["LDTT"], "flagged": ["CSTDCS"]},
    "DT02": {"total": 93, "classification": XS, "rank": 1, "awards": ["LDTT"], "flagged": ["CSTDCS"]},
    # under disciplinary proceedings: barred from both.
    "DT04": {"total": 87, "classification": TOT, "awards": [], "flagged": [],
                 "knockouts": ["DANG_XEM_XET_KL"]},
}

# danh-hieu-bac-ninh (year 2025, history 2022–2024 from danh-hieu-bac-ninh.lich-su.csv). The one
# leaf is the score; CSTĐCS needs LĐTT and ≥ 90 points or an initiative or a topic; CSTD_TINH
# needs CSTĐCS in 2023, 2024 and 2025 (2025: this run's list) and a provincial initiative, one
# place per agency; BK_TINH needs CSTĐCS in 2024 and 2025, or Hoàn thành xuất sắc in both.
BAC_NINH = {
    # CSTĐCS 2023, 2024 + 2025 and a provincial initiative: first of the two candidates.
    "NV01": {"total": 95, "classification": XS, "rank": 1,
             "awards": ["LDTT", "CSTDCS", "CSTD_TINH", "BK_TINH"], "flagged": []},
    # CSTĐCS 2022, 2024, 2025: 2023 is missing, the streak of 3 is broken; 2024–2025 gives the BK.
    "NV02": {"total": 93, "classification": XS, "rank": 2, "awards": ["LDTT", "CSTDCS", "BK_TINH"]},
    # CSTĐCS 2023, 2024 + 2025: a CSTD_TINH candidate, beyond the one place (95 above).
    "NV03": {"total": 92, "rank": 3, "awards": ["LDTT", "CSTDCS", "BK_TINH"]},
    # CSTĐCS 2023 and 2024 but 88 points and no initiative in 2025: no CSTĐCS in 2025, so neither
    # the streak of 3 nor of 2 holds; Hoàn thành xuất sắc only in 2024.
    "NV04": {"total": 88, "classification": TOT, "rank": 6, "awards": ["LDTT"]},
    # 90 and 90: the woman (nu = 1) first; NV05 has Hoàn thành xuất sắc 2024 + 2025 → BK.
    "NV05": {"total": 90, "classification": XS, "rank": 4, "awards": ["LDTT", "CSTDCS", "BK_TINH"]},
    "NV06": {"total": 90, "classification": XS, "rank": 5, "awards": ["LDTT", "CSTDCS"]},
    # disciplined: capped at Không hoàn thành, nothing.
    "NV08": {"total": 85, "classification": KHT, "awards": [], "knockouts": ["KY_LUAT"]},
    # the streak but no provincial initiative: BK only.
    "KB01": {"total": 96, "rank": 1, "awards": ["LDTT", "CSTDCS", "BK_TINH"]},
    # CSTĐCS 2022, 2023, 2024 + 2025 and the initiative.
    "KB02": {"total": 94, "rank": 2, "awards": ["LDTT", "CSTDCS", "CSTD_TINH", "BK_TINH"]},
    # an accepted topic at 80: CSTĐCS in 2025 only (LĐTT in 2024 is no CSTĐCS).
    "KB04": {"total": 80, "classification": TOT, "rank": 4, "awards": ["LDTT", "CSTDCS"]},
}

# danh-hieu-tap-the (year 2025, members from danh-hieu-tap-the-thanh-vien.csv, history 2023–2024
# from danh-hieu-tap-the.lich-su.csv). All three score ≥ 90: Hoàn thành xuất sắc in 2025.
# BK_TINH_TT needs Hoàn thành xuất sắc in 2024 and 2025, or TTLDXS in 2024 and 2025.
TAP_THE = {
    # 13/16 LĐTT, one CSTĐCS, none disciplined: every title; BK through TTLDXS 2024 + this run's
    # (its 2024 history row is the title, not the class).
    "UBND xã Bắc Trạch": {"total": 94.5, "classification": XS, "rank": 1,
                          "awards": ["TTLDXS", "TTLDTT", "CO_TINH", "BK_TINH_TT"]},
    # no member in the file: no title of members; Hoàn thành xuất sắc 2024 + 2025 → BK.
    "UBND xã Hoàn Lão": {"total": 92, "classification": XS, "rank": 2, "awards": ["BK_TINH_TT"]},
    # a disciplined member; Hoàn thành xuất sắc 2023, Hoàn thành tốt 2024: the gap breaks the BK.
    "UBND phường Đồng Thuận": {"total": 91, "classification": XS, "rank": 3, "awards": []},
}

HAND = {"nd335-cong-chuc": ND335, "qd766-dvc": QD766, "dti-tinh": DTI, "cum-xa": CUM_XA,
        "danh-hieu-ca-nhan": DANH_HIEU, "danh-hieu-bac-ninh": BAC_NINH, "danh-hieu-tap-the": TAP_THE}


@pytest.mark.parametrize(("name", "unit"), [(n, u) for n, units in HAND.items() for u in units])
def test_units_match_hand_computed_results(name: str, unit: str) -> None:
    got = scored(name)["by_id"][unit]
    want = HAND[name][unit]
    for code, points in want.get("points", {}).items():
        assert got["points"][code] == pytest.approx(points, abs=1e-9), code
    for key in ("total", "bonus", "penalty"):
        if key in want:
            assert got[key] == pytest.approx(want[key], abs=1e-9), key
    for key in ("classification", "awards", "flagged", "knockouts"):
        if key in want:
            assert got[key] == want[key], key
    if "rank" in want:  # inside the group; without groups, the one overall ranking
        assert got["rank"] == want["rank"]


@pytest.mark.parametrize("name", UNGROUPED)
def test_without_groups_the_rank_is_the_overall_rank(name: str) -> None:
    for unit in scored(name)["units"]:
        assert unit["rank"] == unit["rank_overall"] is not None


def test_quotas_per_group_match_the_hand_count() -> None:
    def quotas(name: str) -> dict[tuple[str, str], int]:
        return {(a["code"], a["group"]): a["quota"] for a in scored(name)["awards"]}

    assert quotas("nd335-cong-chuc") == {("DE_NGHI_HTXS", "Sở Nội vụ"): 1,
                                         ("DE_NGHI_HTXS", "Sở Tư pháp"): 1}
    assert quotas("cum-xa") == {("CO_TINH", "Cụm 1"): 1, ("CO_TINH", "Cụm 2"): 1,
                                ("CO_TINH", "Cụm 3"): 1, ("BANG_KHEN", "Cụm 1"): 1,
                                ("BANG_KHEN", "Cụm 2"): 1, ("BANG_KHEN", "Cụm 3"): 2}
    assert quotas("danh-hieu-ca-nhan") == {
        ("LDTT", "UBND phường Đồng Thuận"): 14, ("LDTT", "UBND xã Bắc Trạch"): 16,
        ("CSTDCS", "UBND phường Đồng Thuận"): 1, ("CSTDCS", "UBND xã Bắc Trạch"): 1}


# --- the PCI 2016 table -------------------------------------------------------------------------


def test_pci_2016_reproduces_every_published_total_and_rank() -> None:
    published = {r["province"]: r for r in data_rows("pci-2016")}
    units = scored("pci-2016")["by_id"]
    assert len(published) == len(units) == 63
    for province, row in published.items():
        unit = units[province]
        # VCCI stored the PCI as float32: agreement to 1e-4 is exact at that precision
        assert unit["total"] == pytest.approx(float(row["published_pci"]), abs=1e-4), province
        assert unit["rank_overall"] == int(row["published_rank"]), province
        assert unit["points"]["PCI"] == unit["total"]


def test_pci_2016_ranks_apart_units_that_look_tied_at_two_decimals() -> None:
    units = scored("pci-2016")["by_id"]
    for a, b in (("Ninh Bình", "Tây Ninh"), ("Nam Định", "Thanh Hóa"),
                 ("Bình Thuận", "Bắc Giang"), ("Bắc Giang", "Đồng Nai")):
        assert round(units[a]["total"], 2) == round(units[b]["total"], 2)
        assert units[a]["rank_overall"] + 1 == units[b]["rank_overall"]


def test_the_shipped_pci_data_is_the_published_table_unchanged(shared: Path) -> None:
    source = shared / "data" / "indices" / "pci_2016.csv"
    assert shipped("pci-2016.csv").read_bytes() == source.read_bytes()


# --- thidua list and thidua init -----------------------------------------------------------------

LISTING = """\
cum-xa              Bảng chấm điểm thi đua các cụm xã, phường (18 criteria; example data cum-xa.csv)
danh-hieu-bac-ninh  Xét danh hiệu LĐTT, CSTĐCS, CSTĐ cấp tỉnh và Bằng khen cấp tỉnh cho cá nhân năm 2025 (1 criterion; example data danh-hieu-bac-ninh.csv)
danh-hieu-ca-nhan   Xét danh hiệu Lao động tiên tiến, Chiến sĩ thi đua cơ sở (1 criterion; example data danh-hieu-ca-nhan.csv)
danh-hieu-tap-the   Xét danh hiệu thi đua tập thể: Tập thể lao động tiên tiến, Tập thể lao động xuất sắc, Cờ thi đua cấp tỉnh, Bằng khen cấp tỉnh (1 criterion; example data danh-hieu-tap-the.csv)
dti-tinh            Chỉ số đánh giá chuyển đổi số cấp tỉnh (DTI) (20 criteria; example data dti-tinh.csv)
dvcq-xa             Bảng chấm điểm thi đua công tác dân vận chính quyền, chính quyền phục vụ Nhân dân cấp xã (19 criteria; example data dvcq-xa.csv)
nd335-cong-chuc     Đánh giá, xếp loại chất lượng công chức theo Nghị định 335/2025/NĐ-CP (6 criteria; example data nd335-cong-chuc.csv)
pci-2016            Chỉ số Năng lực cạnh tranh cấp tỉnh (PCI) năm 2016 (10 criteria; example data pci-2016.csv)
qd766-dvc           Bộ chỉ số phục vụ người dân, doanh nghiệp trong thực hiện thủ tục hành chính, dịch vụ công (13 criteria; example data qd766-dvc.csv)
"""


def test_list_shows_every_shipped_file() -> None:
    result = invoke("list")
    assert result.exit_code == 0
    assert result.stdout == LISTING
    assert result.stderr == ""


def test_init_copies_the_file_and_its_data_into_the_working_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("init", "nd335-cong-chuc")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ("created nd335-cong-chuc.yaml\ncreated nd335-cong-chuc.csv\n"
                             "next: thidua score nd335-cong-chuc.yaml nd335-cong-chuc.csv\n"
                             "headers: nd335-cong-chuc.yaml reads each column by its own name; "
                             "to read your workbook's headers, map the names to them under "
                             "columns: (docs/criteria-format.md)\n"
                             "data-entry workbook: thidua template nd335-cong-chuc.yaml "
                             "-o nhap-lieu.xlsx\n")
    assert result.stderr == ""
    for ext in (".yaml", ".csv"):
        copied = tmp_path / f"nd335-cong-chuc{ext}"
        assert copied.read_bytes() == shipped(f"nd335-cong-chuc{ext}").read_bytes()
    scored_copy = invoke("score", "nd335-cong-chuc.yaml", "nd335-cong-chuc.csv", "--format", "csv")
    assert scored_copy.exit_code == 0, scored_copy.stderr


def test_init_into_a_new_folder_accepts_the_file_name(tmp_path: Path) -> None:
    dest = tmp_path / "bang diem" / "2026"
    result = invoke("init", "cum-xa.yaml", str(dest))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [f"created {dest / 'cum-xa.yaml'}",
                                              f"created {dest / 'cum-xa.csv'}"]
    assert result.stdout.splitlines()[2].startswith("next: thidua score '")
    assert result.stdout.splitlines()[3] == (
        "headers: cum-xa.yaml reads 4 columns by the header under columns:, the others by their "
        "own names; put your workbook's headers there")
    assert sorted(p.name for p in dest.iterdir()) == ["cum-xa.csv", "cum-xa.yaml"]


def test_init_never_overwrites(tmp_path: Path) -> None:
    mine = tmp_path / "cum-xa.yaml"
    mine.write_text("my own criteria\n", encoding="utf-8")
    result = invoke("init", "cum-xa", str(tmp_path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (f"Error: {tmp_path}: 1 problem\n"
                             f"{tmp_path}: cum-xa.yaml already exists; thidua init never "
                             "overwrites a file\n")
    assert mine.read_text(encoding="utf-8") == "my own criteria\n"
    assert not (tmp_path / "cum-xa.csv").exists()  # nothing is copied when anything is in the way


def test_init_names_the_nearest_shipped_files_for_an_unknown_name(tmp_path: Path) -> None:
    result = invoke("init", "nd335", str(tmp_path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("Error: nd335: 1 problem\n"
                             "nd335: no shipped criteria file of that name; did you mean "
                             "nd335-cong-chuc? (thidua list shows them)\n")
    result = invoke("init", "zzz", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == ("Error: zzz: 1 problem\n"
                             "zzz: no shipped criteria file of that name; the shipped files are "
                             + ", ".join(LIBRARY) + " (thidua list shows them)\n")
    assert list(tmp_path.iterdir()) == []


# --- the wheel -----------------------------------------------------------------------------------


def test_the_built_wheel_ships_every_criteria_file_its_data_and_the_catalogs(tmp_path: Path) -> None:
    # about 2 s with hatchling in pip's cache (pip fetches it into an isolated build environment)
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    (wheel,) = tmp_path.glob("thidua-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in LIBRARY:
        assert f"thidua/criteria/{name}.yaml" in names
        assert f"thidua/criteria/{name}.csv" in names
    assert "thidua/criteria/danh-hieu-bac-ninh.lich-su.csv" in names
    assert "thidua/criteria/danh-hieu-tap-the.lich-su.csv" in names
    assert "thidua/criteria/danh-hieu-tap-the-thanh-vien.csv" in names  # the members' result
    assert "thidua/criteria/README.md" in names
    assert "thidua/commands/library.py" in names
    for language in ("vi", "en"):  # the compiled catalogs: without them every message is English
        assert f"thidua/locale/{language}/LC_MESSAGES/thidua.mo" in names
