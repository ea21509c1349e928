"""The council's ballot and the amounts (thidua/core/ballots.py, input/votes.py, commands/awards.py,
output/render_ballots.py; docs/criteria-format.md, "Ballots and money")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st

from tests.util import criteria, run, run_cli, workbook_tables
from thidua import model as m
from thidua.core import ballots

CRITERIA = """\
format: 1
id: phieu
name: "Bảng phiếu"
version: "1"
total: 10
units: {id: ma, name: ten, group: cum}
criteria:
  - {code: A, name: "Tỷ lệ", max_points: 10, rule: {type: linear, indicator: ty_le, zero_at: 0, full_at: 100}}
council: {members: %(members)s}
money: {base: 2340000, round_up_to: 10000}
awards:
  - {code: CSTD, name: "Chiến sĩ thi đua", per: all, quota: {count: %(quota)s}, ballot: {min_share: 80},
     coefficient: 1.0}
  - {code: LDTT, name: "Lao động tiên tiến", per: all, quota: {count: 3}, coefficient: 0.3}
"""

DATA = """\
ma,ten,cum,ty_le
X1,Xã Một,Cụm 1,100
X2,Xã Hai,Cụm 1,90
X3,Xã Ba,Cụm 2,90
X4,Xã Bốn,Cụm 2,60
"""


def write(tmp: Path, votes: str, members: int = 10, quota: int = 2) -> tuple[str, str, str]:
    (tmp / "c.yaml").write_text(CRITERIA % {"members": members, "quota": quota}, encoding="utf-8")
    (tmp / "d.csv").write_text(DATA, encoding="utf-8")
    (tmp / "v.csv").write_text("award,id,yes\n" + votes, encoding="utf-8")
    return str(tmp / "c.yaml"), str(tmp / "d.csv"), str(tmp / "v.csv")


def award(document: dict[str, Any], code: str) -> dict[str, Any]:
    return next(a for a in document["awards"] if a["code"] == code)


def voted(tmp: Path, votes: str, **kw: int) -> dict[str, Any]:
    c, d, v = write(tmp, votes, **kw)
    result = run_cli("awards", c, d, "--votes", v, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return award(json.loads(result.stdout), "CSTD")


# --- the arithmetic ----------------------------------------------------------------------------


@pytest.mark.parametrize(("members", "share", "need"), [
    (10, 80, 8), (9, 80, 8), (9, 90, 9), (10, 90, 9), (7, 80, 6), (3, 66.67, 3), (3, 66.66, 2),
    (25, 80, 20), (1, 100, 1), (9, 0.01, 1)])
def test_the_votes_needed_are_the_share_rounded_up_on_the_decimal(members: int, share: float, need: int):
    assert ballots.needed(members, share) == need


def test_a_binary_float_would_have_decided_otherwise():
    # 56 % of 25 members is 14 votes; in binary, 0.56 × 25 is 14.000000000000002 and its ⌈⌉ 15
    assert 56 / 100 * 25 > 14
    assert ballots.needed(25, 56) == 14


@pytest.mark.parametrize(("coefficient", "step", "amount"), [
    (1.0, 10000, 2340000), (0.3, 10000, 710000), (0.8, 10000, 1880000), (4.5, 10000, 10530000),
    (1.5, 10000, 3510000), (0.6, 10000, 1410000), (0.3, 1, 702000), (0.1, 1, 234000), (0, 10000, 0)])
def test_amounts_are_rounded_up_to_the_multiple(coefficient: float, step: int, amount: int):
    assert ballots.amount(coefficient, m.Money(base=2340000, round_up_to=step)) == amount


# --- golden cases ------------------------------------------------------------------------------


def test_a_candidate_at_exactly_80_percent_passes(tmp_path: Path):
    a = voted(tmp_path, "CSTD,X1,8\nCSTD,X2,2\nCSTD,X3,2\n")
    assert a["final"] == ["X1"]
    assert a["chair"] == []
    x1 = next(r for r in a["reasons"] if r["id"] == "X1")
    assert (x1["yes"], x1["share"], x1["passed"]) == (8, 80.0, True)
    assert a["ballot"] == {"members": 10, "min_share": 80.0, "need": 8, "voted": True}


def test_one_vote_short_fails(tmp_path: Path):
    a = voted(tmp_path, "CSTD,X1,7\nCSTD,X2,8\nCSTD,X3,0\n")
    assert a["final"] == ["X2"]
    x1 = next(r for r in a["reasons"] if r["id"] == "X1")
    assert (x1["yes"], x1["share"], x1["passed"]) == (7, 70.0, False)
    assert a["amount"] == 2340000
    assert a["total_amount"] == 2340000


def test_more_passing_than_the_quota_with_a_tie_at_the_last_place(tmp_path: Path):
    # quota 2: X1 has most votes; X2 and X3 have 9 each and the same rank: the chairman decides
    a = voted(tmp_path, "CSTD,X1,10\nCSTD,X2,9\nCSTD,X3,9\n")
    assert a["final"] == ["X1"]
    assert a["chair"] == ["X2", "X3"]
    assert a["total_amount"] == 2340000


def test_over_the_quota_more_votes_first_then_the_better_rank(tmp_path: Path):
    # quota 2, three candidates (X2 and X3 tied at the line): X2 has most votes; X1 and X3 have
    # 9 each, and X1 ranks better
    a = voted(tmp_path, "CSTD,X1,9\nCSTD,X2,10\nCSTD,X3,9\n")
    assert a["final"] == ["X2", "X1"]
    assert a["chair"] == []


def test_a_council_of_9_with_2_voting_in_writing_counts_shares_of_9(tmp_path: Path):
    # 7 members present vote yes, the 2 in writing vote no: 7 of 9 is 77,78 %, short of 80 %
    a = voted(tmp_path, "CSTD,X1,7\nCSTD,X2,9\nCSTD,X3,8\n", members=9)
    x1 = next(r for r in a["reasons"] if r["id"] == "X1")
    assert (x1["yes"], x1["share"], x1["passed"]) == (7, 77.78, False)
    assert a["ballot"]["need"] == 8
    assert a["final"] == ["X2", "X3"]


def test_amounts_rounded_up_to_10000_on_the_final_list(tmp_path: Path):
    c, d, v = write(tmp_path, "CSTD,X1,10\nCSTD,X2,9\nCSTD,X3,9\n")
    document = json.loads(run_cli("awards", c, d, "--votes", v, "--format", "json").stdout)
    ldtt = award(document, "LDTT")
    assert ldtt["final"] == ldtt["units"] == ["X1", "X2", "X3"]  # no ballot: the list is final
    assert ldtt["amount"] == 710000  # 0,3 × 2.340.000 = 702.000 → 710.000
    assert ldtt["total_amount"] == 2130000
    assert "ballot" not in ldtt
    assert document["votes"]["rows"] == 3


# --- the command line, exactly -----------------------------------------------------------------

TABLE_TAIL = """\
Biên bản kiểm phiếu: 10 thành viên Hội đồng; cần ít nhất 8/10 phiếu đồng ý (80% số thành viên Hội đồng).
STT    Mã    Đơn vị    Hạng    Đồng ý    Tỷ lệ    Kết quả
-----  ----  --------  ------  --------  -------  --------------------------------------------------------
1      X1    Xã Một    1       10/10     100,00%  Trúng (có tên trong danh sách cuối cùng)
2      X2    Xã Hai    2       9/10      90,00%   Bằng phiếu tại vị trí cuối: Chủ tịch Hội đồng quyết định
3      X3    Xã Ba     2       9/10      90,00%   Bằng phiếu tại vị trí cuối: Chủ tịch Hội đồng quyết định
Danh sách cuối cùng: X1; Chủ tịch Hội đồng quyết định giữa: X2, X3.
Mức thưởng: 1,0 × 2.340.000 đ (mức lương cơ sở), làm tròn lên bội số của 10.000 đ → 2.340.000 đ mỗi đơn vị; 1 đơn vị: tổng 2.340.000 đ.
"""

PAPER = """\
Phiếu bầu: 3 ứng viên, hạn mức 2; cần ít nhất 8/10 phiếu đồng ý (80% số thành viên Hội đồng).
STT    Mã    Đơn vị    Hạng    Đồng ý    Không đồng ý
-----  ----  --------  ------  --------  --------------
1      X1    Xã Một    1
2      X2    Xã Hai    2
3      X3    Xã Ba     2
Mức thưởng: 1,0 × 2.340.000 đ (mức lương cơ sở), làm tròn lên bội số của 10.000 đ → 2.340.000 đ mỗi đơn vị; tổng tiền tính khi có kết quả biểu quyết.
"""


def test_the_tally_in_the_table(tmp_path: Path, vietnamese):
    c, d, v = write(tmp_path, "CSTD,X1,10\nCSTD,X2,9\nCSTD,X3,9\n")
    result = run_cli("awards", c, d, "--votes", v)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert TABLE_TAIL in result.stdout


def test_without_votes_the_ballot_papers(tmp_path: Path, vietnamese):
    c, d, _v = write(tmp_path, "")
    result = run_cli("awards", c, d)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert PAPER in result.stdout
    document = award(json.loads(run_cli("awards", c, d, "--format", "json").stdout), "CSTD")
    assert (document["final"], document["chair"], document["total_amount"]) == (None, None, None)
    assert document["ballot"]["voted"] is False
    assert "yes" not in document["reasons"][0]


def test_the_csv_holds_the_votes_and_amounts(tmp_path: Path):
    c, d, v = write(tmp_path, "CSTD,X1,10\nCSTD,X2,9\nCSTD,X3,9\n")
    result = run_cli("awards", c, d, "--votes", v, "--format", "csv")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].endswith(",yes,share,passed,result,final,amount")
    assert lines[1].endswith(",10,100.0,true,final,true,2340000")
    assert lines[2].endswith(",9,90.0,true,chair,false,")
    assert lines[5].startswith("LDTT,") and lines[5].endswith(",,,,,true,710000")


def test_markdown_and_html_carry_the_tally(tmp_path: Path, vietnamese):
    c, d, v = write(tmp_path, "CSTD,X1,10\nCSTD,X2,9\nCSTD,X3,9\n")
    for fmt in ("markdown", "html"):
        result = run_cli("awards", c, d, "--votes", v, "--format", fmt)
        assert result.exit_code == 0
        assert "Biên bản kiểm phiếu" in result.stdout
        assert "Chủ tịch Hội đồng quyết định giữa: X2, X3" in result.stdout


def _votes_file(folder: Path, ext: str, rows: list[tuple[str, str, int]]) -> Path:
    frame = pl.DataFrame(rows, schema=["award", "id", "yes"], orient="row")
    path = folder / f"votes.{ext}"
    if ext == "csv":
        frame.write_csv(path)
    elif ext == "parquet":
        frame.write_parquet(path)
    elif ext == "json":
        path.write_text(json.dumps(frame.to_dicts()), encoding="utf-8")
    else:
        with xlsxwriter.Workbook(path) as book:
            sheet = book.add_worksheet()
            sheet.write_row(0, 0, frame.columns)
            for r, row in enumerate(frame.rows(), start=1):
                sheet.write_row(r, 0, row)
    return path


@pytest.mark.parametrize("ext", ["csv", "xlsx", "json", "parquet"])
def test_votes_in_every_data_format(tmp_path: Path, ext: str):
    c, d, _v = write(tmp_path, "")
    path = _votes_file(tmp_path, ext, [("CSTD", "X1", 10), ("CSTD", "X2", 9), ("CSTD", "X3", 7)])
    result = run_cli("awards", c, d, "--votes", str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    a = award(json.loads(result.stdout), "CSTD")
    assert (a["final"], a["chair"]) == (["X1", "X2"], [])


def test_the_workbook_has_the_tally_the_final_list_and_the_annex(vietnamese, tmp_path: Path):
    c, d, v = write(tmp_path, "CSTD,X1,10\nCSTD,X2,9\nCSTD,X3,9\n")
    out = tmp_path / "quyet-dinh.xlsx"
    result = run_cli("awards", c, d, "--votes", v, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    tables = workbook_tables(out)
    tally = tables["Biên bản kiểm phiếu"]
    assert tally.get_column("Mã").to_list() == ["X1", "X2", "X3"]
    assert tally.get_column("Đồng ý").to_list() == [10, 9, 9]
    final = tables["Danh sách cuối cùng"]
    assert final.get_column("Mã").to_list() == ["X1", "X1", "X2", "X3"]
    assert final.get_column("Số tiền (đồng)").to_list() == [2340000, 710000, 710000, 710000]
    import fastexcel

    assert "Quyết định" in fastexcel.read_excel(out).sheet_names
    verified = run_cli("verify", str(out) + ".manifest.json")
    assert verified.exit_code == 0, verified.stdout + verified.stderr
    assert f"votes {v}: unchanged" in run_cli("--lang", "en", "verify", str(out) + ".manifest.json").stdout


def test_the_workbook_without_votes_has_the_ballot_papers(vietnamese, tmp_path: Path):
    c, d, _v = write(tmp_path, "")
    out = tmp_path / "phieu.xlsx"
    assert run_cli("awards", c, d, "-o", str(out)).exit_code == 0
    import fastexcel

    names = fastexcel.read_excel(out).sheet_names
    assert "Phiếu bầu" in names
    assert "Quyết định" not in names and "Biên bản kiểm phiếu" not in names


def test_json_verifies(tmp_path: Path):
    c, d, v = write(tmp_path, "CSTD,X1,10\nCSTD,X2,9\nCSTD,X3,9\n")
    out = tmp_path / "kq.json"
    assert run_cli("awards", c, d, "--votes", v, "-o", str(out)).exit_code == 0
    manifest = json.loads((tmp_path / "kq.json.manifest.json").read_text(encoding="utf-8"))
    assert [i["role"] for i in manifest["inputs"]] == ["criteria", "data", "votes"]
    assert run_cli("verify", str(out) + ".manifest.json").exit_code == 0
    (tmp_path / "v.csv").write_text("award,id,yes\nCSTD,X1,10\nCSTD,X2,9\nCSTD,X3,8\n", encoding="utf-8")
    changed = run_cli("--lang", "en", "verify", str(out) + ".manifest.json")
    assert changed.exit_code == 1
    assert "votes" in changed.stderr


# --- bad input ---------------------------------------------------------------------------------


def test_bad_votes_write_nothing(tmp_path: Path):
    c, d, v = write(tmp_path, "CSTD,X1,7.5\nCSTD,X2,11\n")
    out = tmp_path / "out.json"
    result = run_cli("--lang", "en", "awards", c, d, "--votes", v, "-o", str(out))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: {v}: 3 problems\n")
    assert not out.exists()
    assert not (tmp_path / "out.json.manifest.json").exists()


def test_votes_on_a_file_without_ballots_are_refused(tmp_path: Path):
    c, d, v = write(tmp_path, "CSTD,X1,1\n")
    (tmp_path / "c.yaml").write_text("\n".join(
        line for line in (CRITERIA % {"members": 9, "quota": 2}).splitlines()
        if "ballot" not in line and "coefficient: 1.0" not in line).replace(
        "per: all, quota: {count: 2},", "per: all, quota: {count: 2}}"), encoding="utf-8")
    result = run_cli("--lang", "en", "awards", c, d, "--votes", v)
    assert result.exit_code == 2
    assert "--votes: the criteria file has no award with a ballot" in result.stderr


CASES = Path(__file__).parent / "cases" / "votes"


@pytest.mark.parametrize("case", sorted(p for p in CASES.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_bad_votes_case(case: Path, tmp_path: Path):
    """tests/cases/votes/<name>/votes.csv beside its `expected` lines (English): exit 1, nothing
    on standard output, no file written."""
    votes = case / "votes.csv"
    out = tmp_path / "out.xlsx"
    result = run_cli("--lang", "en", "awards", str(CASES / "criteria.yaml"), str(CASES / "data.csv"),
                     "--votes", str(votes), "-o", str(out))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (case / "expected").read_text(encoding="utf-8").replace("{file}", str(votes))
    assert list(tmp_path.iterdir()) == []


# --- properties --------------------------------------------------------------------------------


def _document(quota: int, members: int, share: int) -> dict[str, Any]:
    return criteria(council={"members": members}, awards=[
        {"code": "K", "name": "K", "per": "all", "quota": {"count": quota}, "on_tie_at_quota": "include",
         "ballot": {"min_share": share}}])


@st.composite
def elections(draw: st.DrawFn) -> tuple[Any, pl.DataFrame, int]:
    n = draw(st.integers(1, 8))
    xs = draw(st.lists(st.sampled_from([0, 25, 50, 75, 100]), min_size=n, max_size=n))
    quota = draw(st.integers(0, n))
    members = draw(st.integers(1, 12))
    share = draw(st.sampled_from([50, 66, 80, 90, 100]))
    result = run(_document(quota, members, share), [{"x": x} for x in xs])
    ids = ballots.candidates(result).get_column("id").to_list()
    yes = draw(st.lists(st.integers(0, members), min_size=len(ids), max_size=len(ids)))
    votes = pl.DataFrame({"award": ["K"] * len(ids), "id": ids, "yes": yes,
                          "row": list(range(2, len(ids) + 2))},
                         schema={"award": pl.String, "id": pl.String, "yes": pl.Int64, "row": pl.Int64})
    return result, votes, quota


@given(elections(), st.data())
def test_adding_yes_votes_never_takes_a_candidate_off_the_final_list(election: Any, data: st.DataObject):
    result, votes, _quota = election
    before = ballots.decide(result, votes).lists.row(0, named=True)
    if not before["final"]:
        return
    members = result.criteria.council.members
    chosen = data.draw(st.sampled_from(before["final"]))
    more = votes.with_columns(pl.when(pl.col("id") == chosen)
                              .then(pl.min_horizontal(pl.col("yes") + data.draw(st.integers(1, 5)),
                                                      pl.lit(members)))
                              .otherwise(pl.col("yes")).alias("yes"))
    after = ballots.decide(result, more).lists.row(0, named=True)
    assert chosen in after["final"]


@given(elections())
def test_the_final_list_is_never_longer_than_the_quota(election: Any):
    result, votes, quota = election
    outcome = ballots.decide(result, votes)
    row = outcome.lists.row(0, named=True)
    assert len(row["final"]) <= quota
    if row["chair"]:  # units left to the chairman only where the last place is shared
        assert len(row["final"]) + len(row["chair"]) > quota
        assert len(row["final"]) < quota
    passed = outcome.candidates.filter(pl.col("passed")).get_column("id").to_list()
    assert set(row["final"]) | set(row["chair"]) <= set(passed)
    if len(passed) <= quota:
        assert sorted(row["final"]) == sorted(passed)


# --- the shipped files -------------------------------------------------------------------------

ND152 = {"danh-hieu-ca-nhan": {"LDTT": 0.3, "CSTDCS": 1.0}, "cum-xa": {"CO_TINH": 8.0, "BANG_KHEN": 3.0},
         "dvcq-xa": {"CO_TINH": 8.0, "BANG_KHEN": 3.0}}


@pytest.mark.parametrize("name", sorted(ND152))
def test_the_shipped_files_carry_nd152_coefficients_to_confirm(name: str):
    from thidua.input import shipped
    from thidua.input.load import load_criteria

    path = shipped(f"{name}.yaml")
    c = load_criteria(path)
    assert c.money == m.Money(base=2340000, round_up_to=10000)
    assert {a.code: a.coefficient for a in c.awards} == ND152[name]
    text = path.read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip().startswith(("coefficient:", "money:")):
            assert "Hội đồng cần xác nhận" in line, line


def test_every_award_of_a_shipped_file_gets_its_amount_per_group():
    from thidua.input import shipped

    result = run_cli("awards", str(shipped("cum-xa.yaml")), str(shipped("cum-xa.csv")), "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    got = [(a["code"], a["group"], a["amount"], a["final"], a["total_amount"]) for a in document["awards"]]
    assert [(code, amount) for code, _g, amount, _f, _t in got] == [("CO_TINH", 18720000)] * 3 + [
        ("BANG_KHEN", 7020000)] * 3
    for _code, _group, amount, final, total in got:
        assert total == amount * len(final)
    assert all(a["final"] == a["units"] and a["chair"] == [] for a in document["awards"])


def test_a_ballot_per_cluster(tmp_path: Path):
    c, d, v = write(tmp_path, "CSTD,X1,10\nCSTD,X2,10\nCSTD,X3,9\n", quota=1)
    (tmp_path / "c.yaml").write_text(CRITERIA.replace("per: all, quota: {count: %(quota)s}",
                                                      "per: group, quota: {count: 1}, eligible: {min_total: 5}")
                                     % {"members": 10}, encoding="utf-8")
    (tmp_path / "d.csv").write_text(DATA.replace("X2,Xã Hai,Cụm 1,90", "X2,Xã Hai,Cụm 1,100"), encoding="utf-8")
    result = run_cli("awards", c, d, "--votes", v, "--format", "json")
    assert result.exit_code == 0, result.stderr
    lists = [(a["group"], a["final"], a["chair"]) for a in json.loads(result.stdout)["awards"]
             if a["code"] == "CSTD"]
    # Cụm 1: X1 and X2 tied for the one place, both 10 votes and rank 1: the chairman decides;
    # Cụm 2: X3, its one candidate, passes
    assert lists == [("Cụm 1", [], ["X1", "X2"]), ("Cụm 2", ["X3"], [])]


@pytest.mark.parametrize("suffix", [".parquet", ".md", ".html", ".csv"])
def test_every_format_verifies(tmp_path: Path, suffix: str):
    c, d, v = write(tmp_path, "CSTD,X1,10\nCSTD,X2,9\nCSTD,X3,9\n")
    out = tmp_path / f"kq{suffix}"
    assert run_cli("awards", c, d, "--votes", v, "-o", str(out)).exit_code == 0
    verified = run_cli("verify", str(out) + ".manifest.json")
    assert verified.exit_code == 0, verified.stdout + verified.stderr
    if suffix == ".parquet":
        frame = pl.read_parquet(out)
        assert frame.filter(pl.col("award") == "CSTD").get_column("result").to_list() == [
            "final", "chair", "chair", None]


@given(st.sampled_from([0, 0.1, 0.3, 0.6, 0.8, 1.0, 1.5, 3.0, 4.5, 7.0, 8.0, 12.0, 0.35, 2.25]),
       st.integers(1, 10_000_000), st.sampled_from([1, 10, 1000, 10000, 50000, 100000]))
def test_an_amount_is_the_smallest_multiple_not_below_the_exact_product(coefficient: float, base: int,
                                                                         step: int):
    from decimal import Decimal

    got = ballots.amount(coefficient, m.Money(base=base, round_up_to=step))
    exact = Decimal(repr(coefficient)) * base
    assert got % step == 0
    assert exact <= got < exact + step


@pytest.mark.parametrize(("lang", "sheets", "tally_head"), [
    ("en", ["Chart", "Quotas", "CSTD", "LDTT", "Tally", "Final lists", "Decision"],
     ["Award", "Cluster, block", "No.", "Code", "Unit", "Rank", "Council members", "Votes needed", "Yes",
      "Share (%)", "Share reached", "Result"]),
    ("vi", ["Biểu đồ", "Hạn mức", "CSTD", "LDTT", "Biên bản kiểm phiếu", "Danh sách cuối cùng", "Quyết định"],
     ["Danh hiệu", "Cụm, khối", "STT", "Mã", "Đơn vị", "Hạng", "Số thành viên", "Số phiếu cần", "Đồng ý",
      "Tỷ lệ (%)", "Đạt tỷ lệ", "Kết quả"])])
def test_the_workbook_speaks_the_language_of_the_run(tmp_path: Path, lang: str, sheets: list[str],
                                                     tally_head: list[str]):
    import fastexcel

    c, d, v = write(tmp_path, "CSTD,X1,10\nCSTD,X2,9\nCSTD,X3,9\n")
    out = tmp_path / "kq.xlsx"
    result = run_cli("--lang", lang, "awards", c, d, "--votes", v, "-o", str(out))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    book = fastexcel.read_excel(out)
    assert [s for s in book.sheet_names if s not in ("Chart data", "Số liệu biểu đồ")] == sheets
    assert book.table_names() == ["T_HanMuc", "T_DeNghi_1", "T_DeNghi_2", "T_KiemPhieu", "T_DanhSachCuoiCung"]
    tally = book.load_table("T_KiemPhieu").to_polars()
    assert tally.columns == tally_head
    assert tally.row(0)[-2:] == (("Yes, reached", "Elected (on the final list)") if lang == "en"
                                 else ("Có", "Trúng (có tên trong danh sách cuối cùng)"))
    assert run_cli("verify", str(out) + ".manifest.json").exit_code == 0  # verify reads either
