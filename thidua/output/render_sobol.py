"""The Sobol analysis (`thidua sensitivity … --sobol`) as a report of two sections, written in
every format by render_audit's writers: `sobol` (an index per target and input) and
`sobol_criteria` (per input: its nominal weight beside its indices, and the flag)."""

from __future__ import annotations

from typing import Any

import polars as pl

from thidua import model as m
from thidua.core.sensitivity.sobol import DUMMY, FLAGS, RANK_SHIFT, Sobol
from thidua.output.render import vn_number
from thidua.output.render_audit import Report, Rows, Section, ids, num, pct

FLAG_VI = {FLAGS[0]: "trọng số lớn nhưng ít ảnh hưởng đến danh sách",
           FLAGS[1]: "trọng số nhỏ nhưng ảnh hưởng lớn đến danh sách"}


def target_vi(target: str) -> str:
    """rank_shift → 'Dịch chuyển hạng bình quân'; rank:X → 'Hạng: X'; award:A:X → 'A: X'."""
    if target == RANK_SHIFT:
        return "Dịch chuyển hạng bình quân"
    kind, rest = target.split(":", 1)
    if kind == "rank":
        return f"Hạng: {rest}"
    code, unit = rest.split(":", 1)
    return f"Danh sách {code}: {unit}"


def criterion_vi(name: str) -> str:
    return "(giả: mức nhiễu)" if name == DUMMY else name


def _between(low: float | None, high: float | None) -> str:
    return f"{num(low, 3)} – {num(high, 3)}"


def _indices(weights: dict[str, float]) -> Any:
    def people(frame: pl.DataFrame) -> Rows:
        head = ["Mục tiêu", "Tiêu chí", "Trọng số danh nghĩa", "S1", "S1 5 %–95 %", "ST",
                "ST 5 %–95 %"]
        rows = [[target_vi(r["target"]), criterion_vi(r["criterion"]),
                 pct(weights.get(r["criterion"], 0.0), 2), num(r["S1"], 3),
                 _between(r["S1_low"], r["S1_high"]), num(r["ST"], 3),
                 _between(r["ST_low"], r["ST_high"])] for r in frame.to_dicts()]
        return head, rows
    return people


def _criteria(frame: pl.DataFrame) -> Rows:
    head = ["Tiêu chí", "Gồm", "Trọng số danh nghĩa", "S1 (dịch chuyển hạng)",
            "ST (dịch chuyển hạng)", "ST bình quân trên danh sách", "Tỷ phần ảnh hưởng",
            "Cảnh báo"]
    rows = [[criterion_vi(r["criterion"]), ids(r["codes"]), pct(r["nominal_weight"], 2),
             num(r["S1_rank_shift"], 3), num(r["ST_rank_shift"], 3), num(r["ST_lists"], 3),
             pct(r["influence"], 1), FLAG_VI.get(r["flag"] or "", "—")] for r in frame.to_dicts()]
    return head, rows


def _lines(result: Sobol, c: m.Criteria) -> list[str]:
    spread, k = result.spread, len(result.groups)
    low, high = vn_number(1 - spread, None), vn_number(1 + spread, None)
    return [
        (f"Chỉ số Sobol (Saltelli, ước lượng Jansen): {result.samples} mẫu cơ sở × "
         f"({k} tiêu chí/nhóm + 2) = {result.samples * (k + 2)} kịch bản; dãy Sobol xáo trộn, "
         f"hạt giống (seed): {result.seed}; khoảng 5 %–95 % từ {result.bootstrap} lần lấy mẫu "
         "lại (bootstrap)."),
        (f"Mỗi tiêu chí/nhóm: điểm tối đa (dưới nhóm trung bình: trọng số) nhân một hệ số đều "
         f"trong [{low}; {high}], rồi mọi tiêu chí chính chuẩn hoá để tổng vẫn là "
         f"{vn_number(c.total, None)}; các tiêu chí ngoài nhóm giữ nguyên trọng số; xếp loại, "
         "xếp hạng và danh sách khen thưởng tính lại như bộ máy chấm điểm."),
        ("S1: phần phương sai do riêng tiêu chí đó gây ra; ST: phần phương sai có tiêu chí đó "
         "tham gia (kể cả tương tác). Mục tiêu: hạng trong cụm của từng đơn vị, có hay không có "
         "tên trong từng danh sách khen thưởng, và dịch chuyển hạng bình quân (như COINr)."),
        ("Tiêu chí giả (mức nhiễu) không ảnh hưởng đến kết quả: ST của nó luôn bằng 0, S1 của nó "
         "là sai số ước lượng; chỉ số nhỏ hơn mức này coi như không ảnh hưởng."),
        (f"Bỏ qua {result.constant} trên {result.targets} mục tiêu không đổi trong mọi kịch bản "
         "của A và B (không có phương sai để phân tích)."),
        ("Cảnh báo: trọng số danh nghĩa ≥ 1/số tiêu chí mà tỷ phần ảnh hưởng đến danh sách nhỏ "
         "hơn một nửa trọng số; hoặc trọng số < 1/số tiêu chí mà tỷ phần ảnh hưởng lớn hơn hai "
         "lần trọng số. Tỷ phần ảnh hưởng: ST bình quân trên các mục tiêu danh sách chia cho tổng "
         "của mọi tiêu chí."),
    ]


def sobol_report(result: Sobol, c: m.Criteria) -> Report:
    settings: dict[str, Any] = {
        "method": "sobol",
        "samples": result.samples, "bootstrap": result.bootstrap, "spread": result.spread,
        "seed": result.seed,
        "scenarios": result.samples * (len(result.groups) + 2),
        "sampling": "Saltelli: A and B from one scrambled Sobol sequence (scipy.stats.qmc.Sobol) "
                    "in 2(k + 1) dimensions seeded by --seed; AB_g is A with column g from B",
        "estimators": "Jansen 1999: S1 = 1 - mean((f(B) - f(AB_g))^2) / 2V, "
                      "ST = mean((f(A) - f(AB_g))^2) / 2V, V over A and B",
        "intervals": "5 % and 95 % quantiles of the bootstrap resamples of the base rows",
        "model": "each group's max points (its weight under a mean) times a factor uniform in "
                 "[1 - spread, 1 + spread], every main max then rescaled so the total is "
                 "unchanged; criteria in no group fixed; bonus, penalty, knockouts and `when` "
                 "fixed; tie-break keys nominal",
        "groups": [{"name": g.name, "codes": list(g.codes)} for g in result.groups],
        "flag": "weight_without_influence: weight >= 1/k and influence < weight / 2; "
                "influence_without_weight: weight < 1/k and influence > 2 * weight; influence: "
                "a group's mean ST over the award targets over the groups' sum",
        "targets": result.targets, "left_out": result.constant,
        "rounding": {"precision": c.precision, "round_at": c.round_at, "eps": result.eps},
    }
    weights = dict(zip(result.criteria.get_column("criterion").to_list(),
                       result.criteria.get_column("nominal_weight").to_list()))
    sections = (
        Section("sobol", "Chỉ số Sobol của từng kết quả theo trọng số", result.indices,
                _indices(weights), sheet="Sobol"),
        Section("sobol_criteria", "Trọng số danh nghĩa và ảnh hưởng thực tế", result.criteria,
                _criteria, sheet="Trọng số và ảnh hưởng"),
    )
    return Report(f"Chỉ số Sobol theo trọng số: {c.name} (phiên bản {c.version})",
                  tuple(_lines(result, c)), settings, sections)
