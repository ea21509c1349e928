"""Collectives judged on their members (core/members.py, input/members.py, council-path §6):
golden cases worked out by hand, the CLI's exact output, the bad input, and the properties."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from thidua.core import members as core
from thidua.core.engine import score
from thidua.input.load import parse_criteria

from .util import run_cli

CRITERIA = """\
format: 1
id: tap-the
name: "Tập thể"
version: "1"
total: 10
units: {id: ma, name: ten, group: cum}
criteria:
  - {code: A, name: "Điểm", max_points: 10, rule: {type: manual, indicator: diem}}
awards:
  - code: TT
    name: "Tập thể lao động tiên tiến"
    quota: {percent: 100}
    on_tie_at_quota: include
    eligible:
      members:
        - {award: LDTT, share: 70, name: "LĐTT"}
        - {knockout: KY_LUAT, count_max: 0, name: "kỷ luật"}
"""

DATA = """\
ma,ten,cum,diem
T1,Tập thể Một,Cụm 1,9
T2,Tập thể Hai,Cụm 1,8
T3,Tập thể Ba,Cụm 1,7
"""


def member_csv(rows: list[tuple[str, str, str, str]]) -> str:
    """A members' result as thidua score writes it (the columns read): id, group, awards, knockouts."""
    head = "id,name,group,total,classification,rank,rank_overall,bonus,penalty,knockouts,awards,flagged\n"
    return head + "".join(f"{i},{i},{g},1.0,Tốt,1,1,0.0,0.0,{k},{a},\n" for i, g, a, k in rows)


def people(group: str, ldtt: int, others: int, disciplined: int = 0) -> list[tuple[str, str, str, str]]:
    out = [(f"{group}-{i}", group, "LDTT", "") for i in range(ldtt)]
    out += [(f"{group}-x{i}", group, "", "KY_LUAT" if i < disciplined else "") for i in range(others)]
    return out


def collectives(tmp_path: Path, rows: list[tuple[str, str, str, str]], command: str = "awards",
                *more: str) -> Any:
    (tmp_path / "c.yaml").write_text(CRITERIA, encoding="utf-8")
    (tmp_path / "d.csv").write_text(DATA, encoding="utf-8")
    (tmp_path / "m.csv").write_text(member_csv(rows), encoding="utf-8")
    return run_cli(command, str(tmp_path / "c.yaml"), str(tmp_path / "d.csv"), "--members",
                   str(tmp_path / "m.csv"), *more)


# --- golden cases, by hand ----------------------------------------------------------------------

def test_exactly_70_percent_one_disciplined_member_and_no_members(tmp_path: Path) -> None:
    # T1: 7 of 10 LĐTT = 70 % ≥ 70 % (700 ≥ 700), nobody disciplined → on the list.
    # T2: 8 of 11 LĐTT = 72,7 % ≥ 70 % (800 ≥ 770) but one of the 3 others disciplined → out.
    # T3: no member in the file → fails every members condition.
    rows = people("T1", 7, 3) + people("T2", 8, 3, disciplined=1)
    result = collectives(tmp_path, rows, "awards", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    (award,) = json.loads(result.stdout)["awards"]
    assert award["units"] == ["T1"]
    why = {r["id"]: r for r in award["reasons"]}
    assert [m["evidence"] for m in why["T1"]["members"]] == ["LĐTT: 7/10 = 70 % ≥ 70 %",
                                                              "kỷ luật: 0 ≤ 0"]
    assert why["T2"]["failed"] == ["members:1"]
    assert [m["evidence"] for m in why["T2"]["members"]] == ["LĐTT: 8/11 = 72,7 % ≥ 70 %",
                                                              "kỷ luật: 1 > 0"]
    assert why["T3"]["failed"] == ["members:0", "members:1"]
    assert [(m["count"], m["of"], m["met"]) for m in why["T3"]["members"]] == [(0, 0, False)] * 2


def test_a_share_is_decided_on_the_decimal_value_not_the_float() -> None:
    # 29 / 100 × 100 is 28.999999999999996 as a float; 29 of 100 members do reach 29 %
    cond = parse_criteria(_doc(share=29)).awards[0].eligible.members or []
    assert 29 / 100 * 100 < 29
    assert core.holds(cond[0], 29, 100)
    assert not core.holds(cond[0], 28, 100)
    assert not core.holds(cond[0], 0, 0)  # no members: fails


TESTS = st.one_of(
    st.builds(dict, share=st.one_of(st.floats(0, 100), st.sampled_from([0, 29, 66.67, 70, 100, 5e-324]))),
    st.builds(dict, count=st.integers(0, 12)), st.builds(dict, count_max=st.integers(0, 12)))


@given(TESTS, st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=40))
def test_every_collective_at_once_is_decided_as_one_at_a_time(test, pairs) -> None:
    """meets(), over whole columns without a loop over collectives, is holds() for each."""
    cond = (parse_criteria(_doc(**test)).awards[0].eligible.members or [])[0]
    pairs = [(min(k, n), n) for k, n in pairs]  # a count is of members: never more than `of`
    count = pl.Series([k for k, _ in pairs], dtype=pl.Int64)
    of = pl.Series([n for _, n in pairs], dtype=pl.Int64)
    assert core.meets(cond, count, of).to_list() == [core.holds(cond, k, n) for k, n in pairs]


def _doc(**test: Any) -> dict[str, Any]:
    return {"format": 1, "id": "t", "name": "t", "version": "1", "total": 10,
            "units": {"id": "id", "name": "name", "group": "group"},
            "criteria": [{"code": "A", "name": "A", "max_points": 10,
                          "rule": {"type": "manual", "indicator": "x"}}],
            "awards": [{"code": "TT", "name": "TT", "quota": {"percent": 100},
                        "on_tie_at_quota": "include",
                        "eligible": {"members": [{"award": "LDTT", **test}]}}]}


def test_the_table_says_the_evidence_in_vietnamese(tmp_path: Path, vietnamese: None) -> None:
    rows = people("T1", 7, 3) + people("T2", 8, 3, disciplined=1)
    result = collectives(tmp_path, rows, "explain", "T2")
    assert result.exit_code == 0, result.stderr
    assert ("  TT: Không đủ điều kiện: không đạt điều kiện về thành viên: kỷ luật. Thành viên: LĐTT: 8/11 = "
            "72,7 % ≥ 70 %; kỷ luật: 1 > 0.") in result.stdout.splitlines()


def test_the_awards_csv_has_the_members_column(tmp_path: Path, vietnamese: None) -> None:
    result = collectives(tmp_path, people("T1", 7, 3), "awards", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith(",failed,members")
    assert lines[1].endswith(",,LĐTT: 7/10 = 70 % ≥ 70 %; kỷ luật: 0 ≤ 0")
    assert lines[3].endswith(",members:0;members:1,LĐTT: không có thành viên; kỷ luật: không có thành viên")


# --- bad input -------------------------------------------------------------------------------------

def test_a_members_condition_without_members(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(CRITERIA, encoding="utf-8")
    (tmp_path / "d.csv").write_text(DATA, encoding="utf-8")
    out = tmp_path / "out.csv"
    result = run_cli("--lang", "en", "score", str(tmp_path / "c.yaml"), str(tmp_path / "d.csv"),
                     "-o", str(out))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {tmp_path / 'c.yaml'}: 1 problem\n"
        f"{tmp_path / 'c.yaml'}::awards[0].eligible.members: members conditions need the members' "
        "result: give --members RESULT_FILE (the members' own thidua score output)\n")
    assert not out.exists()


def test_a_file_that_is_not_a_result_and_near_miss_ids(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(CRITERIA, encoding="utf-8")
    (tmp_path / "d.csv").write_text(DATA.replace("T1,", "Đắk Lắk,"), encoding="utf-8")
    (tmp_path / "m.csv").write_text("id,group\nA,T1\n", encoding="utf-8")
    args = ["--lang", "en", "awards", str(tmp_path / "c.yaml"), str(tmp_path / "d.csv"), "--members",
            str(tmp_path / "m.csv")]
    result = run_cli(*args)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {tmp_path / 'm.csv'}: 1 problem\n"
        f"{tmp_path / 'm.csv'}: not a thidua result: it lacks the columns 'total', 'rank', "
        "'classification', 'awards', 'knockouts' that thidua score writes\n")
    (tmp_path / "m.csv").write_text(member_csv([("P1", "Đăk Lăk", "LDTT", ""), ("P2", "Đắk Lắk", "", "")]),
                                    encoding="utf-8")
    result = run_cli(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {tmp_path / 'm.csv'}: 1 problem\n"
        f"{tmp_path / 'm.csv'}::row 2, group: 'Đăk Lăk' is not a unit of the data file but differs "
        "from its unit 'Đắk Lắk' only in case, spacing or diacritics: write the id as the data "
        "file does\n")


def test_a_code_close_to_one_the_members_hold(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(CRITERIA.replace("award: LDTT", "award: LDT"), encoding="utf-8")
    (tmp_path / "d.csv").write_text(DATA, encoding="utf-8")
    (tmp_path / "m.csv").write_text(member_csv(people("T1", 2, 1)), encoding="utf-8")
    result = run_cli("--lang", "en", "awards", str(tmp_path / "c.yaml"), str(tmp_path / "d.csv"),
                     "--members", str(tmp_path / "m.csv"))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {tmp_path / 'm.csv'}: 1 problem\n"
        f"{tmp_path / 'm.csv'}: {tmp_path / 'c.yaml'}::awards[0].eligible.members[0].award names "
        "'LDT', which the members' result does not know; nearest: LDTT\n")


def test_the_manifest_records_the_members_file_and_verify_checks_it(tmp_path: Path) -> None:
    out = tmp_path / "kq.csv"
    result = collectives(tmp_path, people("T1", 7, 3), "score", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    manifest = json.loads((tmp_path / "kq.csv.manifest.json").read_text(encoding="utf-8"))
    assert "members" in {i["role"] for i in manifest["inputs"]}
    assert run_cli("verify", str(tmp_path / "kq.csv.manifest.json")).exit_code == 0
    (tmp_path / "m.csv").write_text(member_csv(people("T1", 6, 4)), encoding="utf-8")
    changed = run_cli("verify", str(tmp_path / "kq.csv.manifest.json"))
    assert changed.exit_code == 1
    assert f"inputs[2]: the members' result file {tmp_path / 'm.csv'} has changed since the run" in changed.stderr


# --- properties ------------------------------------------------------------------------------------

def _members_frame(rows: list[tuple[str, bool, bool]]) -> core.MembersData:
    return core.MembersData(pl.DataFrame(
        {"collective": [g for g, _, _ in rows], "awards": [["LDTT"] if a else [] for _, a, _ in rows],
         "classification": ["Tốt"] * len(rows), "knockouts": [["KY_LUAT"] if k else [] for *_, k in rows]},
        schema=core.MEMBER_SCHEMA))


UNITS = pl.DataFrame({"id": ["T1", "T2", "T3"], "name": ["a", "b", "c"], "group": ["G"] * 3,
                      "row": [2, 3, 4], "diem": [9.0, 8.0, 7.0]})
MODEL = parse_criteria(__import__("yaml").safe_load(CRITERIA))
member_rows = st.lists(st.tuples(st.sampled_from(["T1", "T2", "T3", "X"]), st.booleans(),
                                 st.booleans()), max_size=30)


def _on(rows: list[tuple[str, bool, bool]]) -> dict[str, bool]:
    r = score(MODEL, UNITS.rename({"diem": "diem"}), members_data=_members_frame(rows))
    return dict(zip(r.units.get_column("id"), r.units.get_column("award.TT.on"), strict=True))


@settings(max_examples=40, deadline=None)
@given(member_rows, st.randoms(use_true_random=False))
def test_shuffling_the_members_rows_changes_nothing(rows: list[tuple[str, bool, bool]], rnd: Any) -> None:
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert _on(rows) == _on(shuffled)


@settings(max_examples=40, deadline=None)
@given(member_rows, st.integers(min_value=0, max_value=29))
def test_raising_a_members_share_never_removes_the_collective(rows: list[tuple[str, bool, bool]],
                                                              at: int) -> None:
    # every condition of TT is a members condition and the quota is absolute (100 %)
    if not rows:
        return
    i = at % len(rows)
    raised = [*rows[:i], (rows[i][0], True, rows[i][2]), *rows[i + 1:]]  # one more member LĐTT
    before, after = _on(rows), _on(raised)
    assert all(after[u] for u in before if before[u])


def test_sensitivity_keeps_the_members_conditions_in_every_draw(tmp_path: Path) -> None:
    # only T1 meets the members conditions (T2 has a disciplined member, T3 no members): were
    # they lost in the draws, T2 and T3 would join the list in every draw (same 0.0, not 1.0)
    rows = people("T1", 7, 3) + people("T2", 8, 3, disciplined=1)
    result = collectives(tmp_path, rows, "sensitivity", "--draws", "20", "--spread", "0.5",
                         "--no-margins", "--section", "lists", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == 'award,group,units,flagged,same\nTT,Cụm 1,T1,"",1.0\n'


def test_audit_and_report_take_the_members(tmp_path: Path) -> None:
    rows = people("T1", 7, 3)
    audit = collectives(tmp_path, rows, "audit", "--format", "csv", "--section", "realised")
    assert audit.exit_code == 0, audit.stderr
    report = collectives(tmp_path, rows, "report", "-o", str(tmp_path / "r.html"))
    assert report.exit_code == 0, report.stderr
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "LĐTT: 7/10 = 70 % ≥ 70 %; kỷ luật: 0 ≤ 0" in page


def test_explain_json_carries_the_evidence(tmp_path: Path) -> None:
    result = collectives(tmp_path, people("T1", 6, 4), "explain", "T1", "--format", "json")
    assert result.exit_code == 0, result.stderr
    (award,) = json.loads(result.stdout)["awards"]
    assert award["failed"] == "members:0"
    assert [(m["count"], m["of"], m["met"], m["evidence"]) for m in award["members"]] == [
        (6, 10, False, "LĐTT: 6/10 = 60 % < 70 %"), (0, 10, True, "kỷ luật: 0 ≤ 0")]


# --- the shipped file of collectives, by hand ------------------------------------------------------

def test_the_shipped_collectives_by_hand() -> None:
    """danh-hieu-tap-the on the members' result of danh-hieu-ca-nhan (its CSV read by hand):
    Bắc Trạch has 16 members, 13 on the LDTT list (BT01–BT13; 13 × 100 ≥ 70 × 16), BT01 alone on
    the CSTDCS list, every one rated Hoàn thành nhiệm vụ or above, none hit by KY_LUAT: all three
    titles (rank 1 of Cụm 1 at 94,5). Đồng Thuận: 11 of 14 on LDTT (1100 ≥ 980) but DT13 hit by
    KY_LUAT and rated Không hoàn thành (13/14 < 100 %), nobody on CSTDCS (DT01, DT02 tied, left to
    the vote). Hoàn Lão: no member in the file."""
    from thidua.input import shipped

    result = run_cli("awards", str(shipped("danh-hieu-tap-the.yaml")), str(shipped("danh-hieu-tap-the.csv")),
                     "--members", str(shipped("danh-hieu-tap-the-thanh-vien.csv")),
                     "--history", str(shipped("danh-hieu-tap-the.lich-su.csv")), "--format", "json")
    assert result.exit_code == 0, result.stderr
    lists = {a["code"]: a["units"] for a in json.loads(result.stdout)["awards"]}
    assert lists == {"TTLDXS": ["UBND xã Bắc Trạch"], "TTLDTT": ["UBND xã Bắc Trạch"],
                     "CO_TINH": ["UBND xã Bắc Trạch"],
                     "BK_TINH_TT": ["UBND xã Bắc Trạch", "UBND xã Hoàn Lão"]}
    why = {(a["code"], r["id"]): r for a in json.loads(result.stdout)["awards"] for r in a["reasons"]}
    counts = {k: [(m["count"], m["of"]) for m in r.get("members", [])] for k, r in why.items()}
    assert counts[("TTLDXS", "UBND xã Bắc Trạch")] == [(16, 16), (13, 16), (1, 16)]
    assert counts[("TTLDTT", "UBND phường Đồng Thuận")] == [(11, 14), (1, 14)]
    assert counts[("TTLDXS", "UBND phường Đồng Thuận")] == [(13, 14), (11, 14), (0, 14)]
    assert counts[("TTLDTT", "UBND xã Hoàn Lão")] == [(0, 0), (0, 0)]


def test_the_shipped_collectives_bang_khen_by_hand(vietnamese: None) -> None:
    """BK_TINH_TT of danh-hieu-tap-the (Bắc Ninh QĐ 86/2025 Art. 3(3)(c)): any of Hoàn thành xuất
    sắc nhiệm vụ in 2024 and 2025, or TTLĐXS in 2024 and 2025, 2025 being this run's own class and
    TTLĐXS list (all three are Hoàn thành xuất sắc at ≥ 90 points; only Bắc Trạch is on TTLDXS).
    The history file, read by hand: Hoàn Lão was Hoàn thành xuất sắc in 2024 (no title): through
    the classification. Bắc Trạch's 2024 row is its title TTLDXS, no class: through the title.
    Đồng Thuận was Hoàn thành xuất sắc in 2023, Hoàn thành tốt in 2024: the gap breaks the
    classification streak, and it is on no TTLĐXS list (2024, 2025), so it fails both."""
    from thidua.input import shipped

    result = run_cli("awards", str(shipped("danh-hieu-tap-the.yaml")), str(shipped("danh-hieu-tap-the.csv")),
                     "--members", str(shipped("danh-hieu-tap-the-thanh-vien.csv")),
                     "--history", str(shipped("danh-hieu-tap-the.lich-su.csv")), "--format", "json")
    assert result.exit_code == 0, result.stderr
    award = next(a for a in json.loads(result.stdout)["awards"] if a["code"] == "BK_TINH_TT")
    assert award["units"] == ["UBND xã Bắc Trạch", "UBND xã Hoàn Lão"]
    why = {r["id"]: (r["status"], r["failed"], r["history"]) for r in award["reasons"]}
    assert why == {
        "UBND xã Hoàn Lão": ("on_list", [], ["[HTXSNV: 2024, 2025] hoặc [TTLĐXS: không năm nào; thiếu 2024, 2025]"]),
        "UBND xã Bắc Trạch": ("on_list", [], ["[HTXSNV: 2025; thiếu 2024] hoặc [TTLĐXS: 2024, 2025]"]),
        "UBND phường Đồng Thuận": ("not_eligible", ["history:0"], [
            "[HTXSNV: 2025; thiếu 2024] hoặc [TTLĐXS: không năm nào; thiếu 2024, 2025]"])}


def test_the_shipped_members_result_is_what_score_writes(tmp_path: Path) -> None:
    from thidua.input import shipped

    out = tmp_path / "thanh-vien.csv"
    result = run_cli("score", str(shipped("danh-hieu-ca-nhan.yaml")), str(shipped("danh-hieu-ca-nhan.csv")),
                     "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes() == shipped("danh-hieu-tap-the-thanh-vien.csv").read_bytes()


def test_init_copies_the_members_result_too(tmp_path: Path) -> None:
    result = run_cli("init", "danh-hieu-tap-the", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "danh-hieu-tap-the-thanh-vien.csv", "danh-hieu-tap-the.csv", "danh-hieu-tap-the.lich-su.csv",
        "danh-hieu-tap-the.yaml"]
    assert result.stdout.splitlines()[4] == (
        f"next: thidua score {tmp_path / 'danh-hieu-tap-the.yaml'} {tmp_path / 'danh-hieu-tap-the.csv'} "
        f"--history {tmp_path / 'danh-hieu-tap-the.lich-su.csv'} "
        f"--members {tmp_path / 'danh-hieu-tap-the-thanh-vien.csv'}")


def test_the_members_result_in_parquet_or_json_gives_the_same_lists(tmp_path: Path) -> None:
    """The members' own run, written by score as CSV, Parquet and JSON: each read back the same."""
    individuals = tmp_path / "ca-nhan.yaml"
    individuals.write_text("""\
format: 1
id: ca-nhan
name: "Cá nhân"
version: "1"
total: 10
units: {id: ma, name: ten, group: tap_the}
criteria:
  - {code: A, name: "Điểm", max_points: 10, rule: {type: manual, indicator: diem}}
knockouts:
  - {code: KY_LUAT, name: "Kỷ luật", when: "ky_luat > 0"}
classification:
  - {label: "Tốt", min: 7}
  - {label: "Đạt", min: 0}
awards:
  - {code: LDTT, name: "LĐTT", quota: {percent: 100}, on_tie_at_quota: include,
     eligible: {classification: ["Tốt"]}}
""", encoding="utf-8")
    rows = [("T1", 9, 0)] * 7 + [("T1", 5, 0)] * 3 + [("T2", 9, 0)] * 8 + [("T2", 5, 1)] + [("T2", 5, 0)] * 2
    (tmp_path / "ca-nhan.csv").write_text("ma,ten,tap_the,diem,ky_luat\n" + "".join(
        f"P{i},Người {i},{g},{d},{k}\n" for i, (g, d, k) in enumerate(rows)), encoding="utf-8")
    (tmp_path / "c.yaml").write_text(CRITERIA, encoding="utf-8")
    (tmp_path / "d.csv").write_text(DATA, encoding="utf-8")
    seen = []
    for ext in ("csv", "parquet", "json"):
        out = tmp_path / f"thanh-vien.{ext}"
        assert run_cli("score", str(individuals), str(tmp_path / "ca-nhan.csv"), "-o", str(out)).exit_code == 0
        result = run_cli("awards", str(tmp_path / "c.yaml"), str(tmp_path / "d.csv"), "--members", str(out),
                         "--format", "json")
        assert result.exit_code == 0, result.stderr
        (award,) = json.loads(result.stdout)["awards"]
        seen.append((award["units"], [m["count"] for r in award["reasons"] for m in r["members"]]))
    assert seen == [(["T1"], [7, 0, 8, 1, 0, 0])] * 3
