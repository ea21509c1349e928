"""Structure diagnostics of the audit: correlations with the parent and the total, Cronbach's α,
principal components, redundant pairs and criteria against their parent, checked against
values computed by hand; what is undefined is null, never NaN; the command's exact output."""

from __future__ import annotations

import json
import math
from typing import Any

import polars as pl
import pytest
import yaml
from hypothesis import given

from thidua.core import diagnostics as dg
from thidua.core.engine import score
from thidua.input.load import parse_criteria

from .strategies import frame as typed_frame
from .strategies import scenarios
from .util import criteria, frame, leaf, run_cli, workbook_tables


def manual(code: str, top: float, **node: Any) -> dict[str, Any]:
    return leaf(code, top, type="manual", indicator=code.lower(), **node)


# Three criteria of one group G worth 4 each, over four units: every column a permutation of
# 1..4, so each variance is 5/3. Deviations from 2.5: A (−1.5, −0.5, 0.5, 1.5), B (−0.5, −1.5,
# 1.5, 0.5), C (−1.5, 0.5, −0.5, 1.5): cov(A, B) = 3/3 = 1, cov(A, C) = 4/3, cov(B, C) = 0, so
# r(A, B) = 0.6, r(A, C) = 0.8, r(B, C) = 0. G = A + B + C: var(G) = 5 + 2 (1 + 4/3) = 29/3,
# cov(A, G) = 5/3 + 1 + 4/3 = 4, cov(B, G) = 8/3, cov(C, G) = 3: r(A, G) = 4 / √(5/3 × 29/3)
# = 12/√145, r(B, G) = 8/√145, r(C, G) = 9/√145. α = 3/2 × (1 − 5 / (29/3)) = 21/29. The
# correlation matrix [[1, .6, .8], [.6, 1, 0], [.8, 0, 1]] has eigenvalues 2, 1, 0: the
# components carry 2/3, 1/3 and 0 of the variance.
THREE = criteria([{"code": "G", "name": "Nhóm", "max_points": 12,
                   "children": [manual("A", 4), manual("B", 4), manual("C", 4)]}])
THREE_ROWS = [{"id": f"U{i}", "a": a, "b": b, "c": c}
              for i, (a, b, c) in enumerate(zip([1, 2, 3, 4], [2, 1, 4, 3], [1, 3, 2, 4]), 1)]


def diagnosed(doc: dict[str, Any], rows: list[dict[str, Any]]) -> dg.Diagnostics:
    c = parse_criteria(doc)
    return dg.diagnostics(c, score(c, frame(rows)).units)


def everyone(table: pl.DataFrame) -> pl.DataFrame:
    return table.filter(pl.col("group").is_null())


def test_correlations_alpha_and_components_by_hand():
    d = diagnosed(THREE, THREE_ROWS)
    corr = {r["code"]: r for r in everyone(d.correlations).iter_rows(named=True)}
    root = math.sqrt(145)
    assert corr["A"]["corr_parent"] == round(12 / root, 6) == 0.996546
    assert corr["B"]["corr_parent"] == round(8 / root, 6) == 0.664364
    assert corr["C"]["corr_parent"] == round(9 / root, 6) == 0.747409
    assert corr["G"]["parent"] is None and corr["G"]["corr_parent"] is None
    assert corr["G"]["corr_total"] == 1.0
    assert not any(r["negative"] or r["constant"] for r in corr.values())
    groups = everyone(d.consistency).rows(named=True)
    assert [(r["of"], r["items"], r["constant"], r["units"]) for r in groups] == [("G", 3, 0, 4)]
    assert groups[0]["alpha"] == round(21 / 29, 6) == 0.724138
    assert (groups[0]["pc1"], groups[0]["pc2"], groups[0]["pc3"]) == (0.666667, 0.333333, 0.0)
    assert d.redundant.height == 0  # |r| at most 0.8 between siblings


def test_the_numpy_steps_against_the_formulas():
    items = [[1, 2, 1], [2, 1, 3], [3, 4, 2], [4, 3, 4]]
    import numpy as np

    x = np.array(items, dtype=float)
    r, count, _ = dg.pairwise(x)
    assert r[0, 1] == pytest.approx(0.6) and r[0, 2] == pytest.approx(0.8)
    assert r[1, 2] == pytest.approx(0.0, abs=1e-15) and count[0, 1] == 4
    assert dg.alpha(x) == pytest.approx(21 / 29)
    assert dg.components(x) == pytest.approx([2 / 3, 1 / 3, 0.0], abs=1e-12)


# D copies A (r = 1: redundant), E runs against its group (r < 0), K is the same for everyone.
FLAGGED = criteria([{"code": "G", "name": "Nhóm", "max_points": 40,
                     "children": [manual("A", 10), manual("D", 10), manual("E", 10),
                                  manual("K", 10)]}])
FLAGGED_ROWS = [{"id": f"U{i}", "a": a, "d": a, "e": e, "k": 5}
                for i, (a, e) in enumerate(zip([1, 4, 7, 9], [3, 2, 1, 0]), 1)]


def test_redundant_pairs_negative_and_constant_criteria():
    d = diagnosed(FLAGGED, FLAGGED_ROWS)
    corr = {r["code"]: r for r in everyone(d.correlations).iter_rows(named=True)}
    assert [c for c, r in corr.items() if r["negative"]] == ["E"]
    assert corr["K"]["constant"] and corr["K"]["corr_parent"] is None
    assert corr["K"]["corr_total"] is None
    pairs = everyone(d.redundant).select("a", "b", "corr").rows()
    assert pairs[0] == ("A", "D", 1.0)
    assert {(a, b) for a, b, _ in pairs} == {("A", "D"), ("A", "E"), ("D", "E")}  # E: r ≈ −0.99
    groups = everyone(d.consistency).row(0, named=True)
    assert (groups["items"], groups["constant"]) == (3, 1)  # K is left out of α and the PCs


def test_one_unit_gives_nulls_not_nan():
    d = diagnosed(THREE, THREE_ROWS[:1])
    table = d.correlations
    assert table.get_column("corr_parent").null_count() == table.height
    assert table.get_column("corr_total").null_count() == table.height
    assert table.get_column("constant").all()  # one unit: the same for every unit
    row = d.consistency.row(0, named=True)
    assert (row["alpha"], row["pc1"], row["pc2"], row["pc3"]) == (None, None, None, None)
    assert row["items"] == 0  # with one unit nothing varies


def test_missing_points_are_left_out_pairwise():
    """Under `missing: exclude` a criterion that does not apply has no points: r counts the
    units that have both values, α only the units with every one."""
    doc = criteria([{"code": "G", "name": "Nhóm", "max_points": 12,
                     "children": [manual("A", 4), manual("B", 4), manual("C", 4)]}],
                   missing="exclude")
    rows = [*THREE_ROWS, {"id": "U5", "a": 2, "b": None, "c": 3}]
    d = diagnosed(doc, rows)
    corr = {r["code"]: r for r in everyone(d.correlations).iter_rows(named=True)}
    assert (corr["A"]["units"], corr["B"]["units"]) == (5, 4)
    assert everyone(d.consistency).row(0, named=True)["units"] == 4
    assert everyone(d.consistency).row(0, named=True)["alpha"] == 0.724138


@given(scenarios(min_units=1))
def test_no_diagnostic_is_ever_nan_or_out_of_range(scenario):
    doc, rows = scenario
    c = parse_criteria(doc)
    try:
        result = score(c, typed_frame(rows))
    except Exception:
        return
    d = dg.diagnostics(c, result.units)
    for table in (d.correlations, d.consistency, d.redundant):
        for name, kind in table.schema.items():
            if kind == pl.Float64:
                values = table.get_column(name).drop_nulls().to_list()
                assert all(math.isfinite(v) for v in values), name
                if name.startswith(("corr", "pc")):
                    assert all(-1 <= v <= 1 for v in values), name
    assert d.redundant.filter(pl.col("corr").abs() <= 0.9).height == 0


# --- the command ----------------------------------------------------------------------------------


@pytest.fixture
def case(tmp_path):
    doc = dict(THREE, units={"id": "id", "name": "name"})
    c, d = tmp_path / "c.yaml", tmp_path / "d.csv"
    c.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    frame(THREE_ROWS).drop("row", "group").write_csv(d)
    return str(c), str(d)


def test_audit_consistency_as_csv(case):
    result = run_cli("audit", *case, "--section", "consistency", "--format", "csv")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == ("group,of,name,items,constant,units,alpha,pc1,pc2,pc3\n"
                             ",G,Nhóm,3,0,4,0.724138,0.666667,0.333333,0.0\n")


def test_audit_correlations_as_a_table(case):
    result = run_cli("audit", *case, "--section", "correlations")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines()[2:10] == [
        "Correlation of each criterion with its parent and the total",
        "===========================================================",
        "Code    Criterion    Parent    Units    r with parent    r with total    Note",
        "------  -----------  --------  -------  ---------------  --------------  ------",
        "G       Nhóm         (total)   4        —                1.000",
        "A       A            G         4        0.997            0.997",
        "B       B            G         4        0.664            0.664",
        "C       C            G         4        0.747            0.747",
    ]


def test_audit_diagnostics_in_every_format(case, tmp_path):
    document = json.loads(run_cli("audit", *case, "--format", "json").stdout)
    assert [r["code"] for r in document["correlations"]] == ["G", "A", "B", "C"]
    assert document["consistency"][0]["alpha"] == 0.724138
    assert document["redundant"] == []
    assert document["settings"]["diagnostics"]["redundant"] == 0.9
    for fmt in ("markdown", "html", "table"):
        out = run_cli("audit", *case, "--format", fmt).stdout
        assert "0.724" in out and "NaN" not in out and "nan" not in out, fmt
    book = tmp_path / "a.xlsx"
    assert run_cli("audit", *case, "-o", str(book)).exit_code == 0
    sheets = workbook_tables(book)
    assert list(sheets)[:4] == ["Realised", "Correlations", "Consistency", "Redundant"]
    assert sheets["Consistency"].get_column("Cronbach's α").to_list() == [0.724]
    parquet = tmp_path / "a.parquet"
    assert run_cli("audit", *case, "--section", "correlations", "-o", str(parquet)).exit_code == 0
    assert pl.read_parquet(parquet).get_column("corr_parent").to_list() == [
        None, 0.996546, 0.664364, 0.747409]


def test_audit_diagnostics_in_vietnamese_by_default(case, vietnamese):
    result = run_cli("audit", *case, "--section", "consistency")
    assert "Độ nhất quán của từng nhóm tiêu chí: hệ số α Cronbach và các thành phần chính" in (
        result.stdout)
    assert "α Cronbach" in result.stdout and "0,724" in result.stdout


def test_a_diagnostics_section_needs_data(case):
    result = run_cli("audit", case[0], "--section", "consistency")
    assert result.exit_code == 2
    assert "no table 'consistency' here; choose from criteria, warnings" in result.stderr
