"""The audit of the weights: structure, realised shares, flags, self-scores; a hand-checked case,
what it promises (Hypothesis) and the command's exact output."""

from __future__ import annotations

import copy
import json
from typing import Any

import polars as pl
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given

from thidua.cli import cli
from thidua.core import audit as a
from thidua.core.engine import score
from thidua.core.sensitivity import basis_of
from thidua.input.load import parse_criteria

from .strategies import criteria_docs_v0 as criteria_docs
from .strategies import rows_v0 as rows
from .util import criteria, frame, leaf, workbook_tables


def manual(code: str, top: float, **node: Any) -> dict[str, Any]:
    return leaf(code, top, type="manual", indicator=code.lower(), **node)


# A: the same for everyone (dead, and a useless weight); B: 10 % nominal but it decides nearly
# everything (dominant); C: 79.5 % nominal, 1 point of spread; D: 0.5 % (tiny).
HAND = criteria([manual("A", 10, weight=2), manual("B", 10), manual("C", 79.5), manual("D", 0.5)],
                bonus={"max_points": 1, "criteria": [manual("T", 1)]})
FOUR = [{"id": "U1", "a": 5, "b": 0, "c": 40, "d": 0.5, "t": 0},
        {"id": "U2", "a": 5, "b": 10, "c": 40, "d": 0.5, "t": 0},
        {"id": "U3", "a": 5, "b": 0, "c": 41, "d": 0.5, "t": 0},
        {"id": "U4", "a": 5, "b": 10, "c": 41, "d": 0.5, "t": 0}]


def audited(doc: dict[str, Any], data: list[dict[str, Any]]) -> pl.DataFrame:
    c, table = parse_criteria(doc), frame(data)
    result = score(c, table)
    return a.realised(basis_of(c, result), result)


def test_structure_of_the_hand_case():
    s = a.structure(parse_criteria(HAND))
    shares = dict(zip(s.nodes["code"], s.nodes["share"]))
    assert shares == {"A": 0.1, "B": 0.1, "C": 0.795, "D": 0.005, "T": 0.01}
    assert s.warnings.select("kind", "code", "value", "count", "of", "detail").rows() == [
        ("tiny", "D", 0.005, None, None, None),
        ("weight_unused", "A", 2.0, None, None, None),
        ("bonus_overturns", "bonus", 1.0, 1, 4, "D"),
    ]


def test_realised_shares_dead_and_dominant_by_hand():
    """Totals 45.5, 55.5, 46.5, 56.5: deviations ±5.5, ±4.5; B's ±5, C's ±0.5. Var ∝ 101,
    Cov(B, T) ∝ 100, Cov(C, T) ∝ 1: B realises 100/101 of a nominal 10 %, C 1/101 of 79.5 %.
    Without B, U1 = U2 = 45.5 and U3 = U4 = 46.5: three ranks move (4→3, 2→3, 3→1); without C,
    U2 = U4 = 15.5 and U1 = U3 = 5.5: two move; A, D and T, the same for everyone, move nothing."""
    out = audited(HAND, FOUR).filter(pl.col("group").is_null())
    row = {r["code"]: r for r in out.iter_rows(named=True)}
    assert row["B"]["realised"] == pytest.approx(100 / 101)
    assert row["C"]["realised"] == pytest.approx(1 / 101)
    assert row["A"]["realised"] == 0 and row["A"]["corr"] is None
    assert [code for code, r in row.items() if r["dead"]] == ["A", "D", "T"]
    assert [code for code, r in row.items() if r["dominant"]] == ["B"]
    assert {code: r["moved"] for code, r in row.items()} == {"A": 0, "B": 3, "C": 2, "D": 0, "T": 0}
    assert (row["B"]["full"], row["B"]["zero"], row["C"]["full"], row["T"]["zero"]) == (2, 2, 0, 4)


def test_a_group_scored_only_against_the_others_is_flagged():
    rel = {"type": "relative", "indicator": "x"}
    doc = criteria([{"code": "G", "name": "G", "max_points": 20,
                     "children": [leaf("G.1", 10, **rel),
                                  leaf("G.2", 10, type="minmax", indicator="x")]},
                    leaf("H", 80, type="linear", indicator="x", zero_at=0, full_at=100)])
    warnings = a.structure(parse_criteria(doc)).warnings
    assert warnings.select("kind", "code").rows() == [("relative_only", "G")]


@given(criteria_docs(), rows(min_size=2))
def test_realised_shares_add_up_for_additive_totals(doc, data):
    """Sums and weighted means, nothing rounded: each node's children share what it shares, and
    the top level shares the whole variance of the total."""
    doc["precision"] = None

    def additive(nodes):
        for n in nodes:
            if n.get("aggregate") == "geometric_mean":
                n["aggregate"] = "weighted_mean"
            additive(n.get("children", []))

    additive(doc["criteria"])
    out = audited(doc, data)
    c = parse_criteria(doc)
    for _group, part in out.group_by("group", maintain_order=True):
        share = dict(zip(part["code"], part["realised"]))
        if share[c.criteria[0].code] is None:  # every total the same: nothing to share
            continue
        assert sum(share[n.code] for n in c.criteria) == pytest.approx(1.0, abs=1e-9)
        below = a.structure(c).nodes.filter(pl.col("parent").is_not_null())
        for _, kids in below.group_by("parent"):
            parent = kids["parent"][0]
            assert sum(share[k] for k in kids["code"]) == pytest.approx(share[parent], abs=1e-9)


# --- self-scores ----------------------------------------------------------------------------------

SELF = criteria([manual("A", 100)], awards=[{"code": "CO", "name": "Cờ", "quota": {"count": 1}}])
VERIFIED = [{"id": u, "a": a} for u, a in (("U1", 90), ("U2", 85), ("U3", 80), ("U4", 70))]
OWN = [{"id": u, "a": a} for u, a in (("U1", 90), ("U2", 95), ("U3", 82), ("U5", 99))]


def test_a_self_score_that_would_have_won_the_flag():
    c = parse_criteria(SELF)
    verified, own = frame(VERIFIED), frame(OWN)
    result = score(c, verified)
    checked = a.self_check(basis_of(c, result), result, score(c, own))
    units = {r["id"]: r for r in checked.units.iter_rows(named=True)}
    assert (units["U2"]["rank"], units["U2"]["rank_alone"], units["U2"]["gained"]) == (2, 1, ["CO"])
    assert (units["U3"]["rank_alone"], units["U3"]["gained"]) == (3, [])
    assert units["U1"]["awards"] == ["CO"] and units["U1"]["awards_alone"] == ["CO"]
    assert checked.criteria.select("id", "code", "difference", "effect").rows() == [
        ("U2", "A", 10.0, 10.0), ("U3", "A", 2.0, 2.0)]
    assert (checked.missing, checked.extra) == (("U4",), ("U5",))


# --- the command ----------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path):
    def write(name: str, doc: Any) -> str:
        path = tmp_path / name
        if name.endswith(".yaml"):
            doc = copy.deepcopy(doc)
            doc["units"] = {"id": "id", "name": "name"}
            path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        else:
            frame(doc).drop("row", "group").write_csv(path)
        return str(path)
    return write


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_audit_of_a_file_alone_as_a_table(files, vietnamese):
    result = invoke("audit", files("c.yaml", HAND))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.splitlines()[:12] == [
        "Kiểm tra trọng số: test (phiên bản 1)",
        "",
        "Cơ cấu điểm và tỷ trọng danh nghĩa",
        "==================================",
        "Mã    Tiêu chí    Phần    Điểm tối đa    Trọng số    Cách tính    Tỷ trọng danh nghĩa",
        "----  ----------  ------  -------------  ----------  -----------  ---------------------",
        "A     A           chính   10,00          2           manual       10,00 %",
        "B     B           chính   10,00          1           manual       10,00 %",
        "C     C           chính   79,50          1           manual       79,50 %",
        "D     D           chính   0,50           1           manual       0,50 %",
        "T     T           thưởng  1,00           1           manual       1,00 %",
        "",
    ]


def test_audit_warnings_as_csv(files):
    result = invoke("audit", files("c.yaml", HAND), "--section", "warnings", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "kind,code,value,count,of,detail,message\n"
        "tiny,D,0.005,,,,worth 0.50% of the total (under 1%): it can hardly change a rank\n"
        "weight_unused,A,2.0,,,,weight 2 has no effect under a sum; only max_points count there "
        "(aggregate: weighted_mean uses weights)\n"
        "bonus_overturns,bonus,1.0,1,4,D,\"up to 1 bonus points make up for scoring nothing on 1 "
        "of 4 main criteria (the smallest: D, 0.5 points)\"\n")


def test_audit_with_data_as_csv(files):
    result = invoke("audit", files("c.yaml", HAND), files("d.csv", FOUR), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "group,code,name,part,nominal,realised,corr,units,full,zero,excluded,moved,dead,dominant\n"
        ",A,A,main,0.1,0.0,,4,0,0,0,0,true,false\n"
        ",B,B,main,0.1,0.990099,0.995037,4,2,2,0,3,false,true\n"  # shares to 6 decimals
        ",C,C,main,0.795,0.009901,0.099504,4,0,0,0,2,false,false\n"
        ",D,D,main,0.005,0.0,,4,4,0,0,0,true,false\n"
        ",T,T,bonus,0.01,0.0,,4,0,4,0,0,true,false\n")


def test_audit_with_self_scores(files, vietnamese):
    c = files("c.yaml", SELF)
    both = (c, files("v.csv", VERIFIED), "--self", files("s.csv", OWN))
    result = invoke("audit", *both, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [u["id"] for u in document["self_gains"]] == ["U2"]
    assert document["settings"]["self"] == {"missing": ["U4"], "extra": ["U5"], "top": 20}
    table = invoke("audit", *both, "--section", "self_gains")
    assert "U2    Đơn vị 2" in table.stdout and "CO" in table.stdout


def test_self_scores_need_the_verified_ones(files):
    result = invoke("audit", files("c.yaml", SELF), "--self", files("s.csv", OWN))
    assert result.exit_code == 2
    assert "--self compares with DATA" in result.stderr


def test_every_format_of_the_audit(files, tmp_path):
    c, d = files("c.yaml", HAND), files("d.csv", FOUR)
    for fmt in ("table", "markdown", "html", "json"):
        result = invoke("audit", c, d, "--format", fmt)
        assert result.exit_code == 0, (fmt, result.output)
    out = tmp_path / "a.xlsx"
    assert invoke("audit", c, d, "-o", str(out)).exit_code == 0
    # one printed worksheet a section; the notes under the last one (was a sheet of their own);
    # with data, the structure diagnostics after the realised shares (every sheet named in the
    # language of the run: English here)
    assert list(workbook_tables(out)) == ["Realised", "Correlations", "Consistency", "Redundant",
                                          "Structure", "Warnings"]
    parquet = tmp_path / "a.parquet"
    assert invoke("audit", c, d, "--section", "criteria", "-o", str(parquet)).exit_code == 0
    assert pl.read_parquet(parquet).get_column("code").to_list() == ["A", "B", "C", "D", "T"]


def test_audit_shows_weights_as_the_file_writes_them(tmp_path, vietnamese):

    kids = [leaf("W.1", 10, indicator="a", weight=5e-324, type="linear", zero_at=0, full_at=100),
            leaf("W.2", 10, indicator="b", weight=1e-323, type="linear", zero_at=0, full_at=100),
            leaf("W.3", 10, indicator="a", weight=0.1234, type="linear", zero_at=0, full_at=100)]
    doc = criteria([{"code": "W", "name": "W", "max_points": 100, "children": kids,
                     "aggregate": "weighted_mean"}])
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    files = str(tmp_path / "c.yaml")
    runner = CliRunner()
    for fmt in ("table", "markdown", "html"):
        result = runner.invoke(cli, ["audit", files, "--format", fmt], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert "5e-324" in result.stdout and "1e-323" in result.stdout and "0,1234" in result.stdout, fmt
    result = runner.invoke(cli, ["audit", files, "--format", "json"], catch_exceptions=False)
    weights = [r["weight"] for r in json.loads(result.stdout)["criteria"]]
    assert 5e-324 in weights and 1e-323 in weights and 0.1234 in weights
    result = runner.invoke(cli, ["audit", files, "--format", "csv"], catch_exceptions=False)
    assert "5e-324" in result.stdout and "1e-323" in result.stdout
    for ext in ("parquet", "xlsx"):
        out = tmp_path / f"a.{ext}"
        assert runner.invoke(cli, ["audit", files, "-o", str(out)], catch_exceptions=False).exit_code == 0
        if ext == "parquet":
            assert {5e-324, 1e-323} <= set(pl.read_parquet(out).get_column("weight").to_list())
        else:
            # the workbook is for people: the weights as the file writes them, like the table
            sheet = workbook_tables(out)["Cơ cấu"]
            assert {"5e-324", "1e-323", "0,1234"} <= set(sheet.get_column("Trọng số").to_list())
