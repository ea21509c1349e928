"""The council's own workbook in (issue 12): its headers by label, its title, numbering, total
and signature rows, percent cells, clusters merged down their units; and `thidua template`, the
data-entry workbook, which reads back with zero problems once filled."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import xlsxwriter

from tests.util import run_cli

COUNCIL = """\
format: 1
id: hoi-dong
name: "Bảng điểm của hội đồng"
version: "2025"
total: 10
units:
  id: ma
  name: ten
  group: cum
  groups: ["Cụm Đồng bằng", "Cụm Miền núi", "Cụm Ven biển"]
  skip: ["(2)", "Tổng cộng", "Người lập biểu"]
columns:
  ma: "Mã xã"
  ten: "Tên đơn vị"
  cum: "Cụm thi đua"
  ty_le: "Tỷ lệ hồ sơ giải quyết đúng hạn (%)"
  bao_cao: "Báo cáo đúng hạn"
  diem_cham: "Điểm chấm"
criteria:
  - {code: A, name: "Hồ sơ đúng hạn", max_points: 6,
     rule: {type: linear, indicator: ty_le, zero_at: 50, full_at: 100}}
  - {code: B, name: "Báo cáo đúng hạn", max_points: 2, rule: {type: boolean, indicator: bao_cao}}
  - {code: C, name: "Điểm chấm", max_points: 2, rule: {type: manual, indicator: diem_cham}}
"""

HEADERS = ["STT", "Mã xã", "Tên đơn vị", "Cụm thi đua", "Tỷ lệ hồ sơ giải quyết\u00a0đúng hạn (%)",
           "BÁO CÁO ĐÚNG HẠN", "Điểm chấm", "Ghi chú"]


def council_workbook(path: Path) -> Path:
    """As a secretary keeps it: a merged title over the table, the header (its spaces and case
    as typed), the numbering row, percent cells (95,5 %) and a percent typed as text, each
    cluster merged down its units, a total row, a gap and the signature line."""
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet("Tổng hợp")
        percent = book.add_format({"num_format": "0.0%"})
        sheet.merge_range(0, 0, 0, 7, "BẢNG TỔNG HỢP ĐIỂM THI ĐUA NĂM 2025")
        sheet.merge_range(1, 0, 1, 7, "(Kèm theo Tờ trình số 12/TTr-HĐTĐKT)")
        sheet.write_row(3, 0, HEADERS)
        sheet.write_row(4, 0, [f"({i})" for i in range(1, 9)])
        units = [  # id, name, percent cell or text, report, manual points
            ("X01", "Xã Quảng Lưu", 0.955, "có", 1.5),
            ("X02", "Xã Quảng Thạch", "80,5 %", "không", 2),
            ("X03", "Xã Hóa Sơn", 0.07, "x", 0),
            ("X04", "Xã Trung Hóa", 1, "có", 1.25),
            ("X05", "Phường Đồng Hới", 0.6, "không", 0.5),
        ]
        for i, (ident, name, share, report, manual) in enumerate(units):
            r = 5 + i
            sheet.write_row(r, 0, [i + 1, ident, name])
            if isinstance(share, str):
                sheet.write_string(r, 4, share)
            else:
                sheet.write_number(r, 4, share, percent)
            sheet.write_row(r, 5, [report, manual])
        sheet.merge_range(5, 3, 7, 3, "Cụm Đồng bằng")
        sheet.merge_range(8, 3, 9, 3, "Cụm Miền núi")
        sheet.write_row(10, 0, [None, None, "Tổng cộng", None, None, None, 5.25])
        sheet.write_row(12, 0, [None, None, "Người lập biểu", None, None, "TM. HỘI ĐỒNG"])
    return path


def test_the_council_workbook_scores_every_unit_as_computed_by_hand(tmp_path):
    criteria = tmp_path / "c.yaml"
    criteria.write_text(COUNCIL, encoding="utf-8")
    data = council_workbook(tmp_path / "so-lieu.xlsx")
    out = tmp_path / "ket-qua.csv"
    result = run_cli("score", str(criteria), str(data), "--decimal-comma", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    # A = 6 × (percent − 50) / 50, B = 2 for yes, C as typed; rounded to 2 decimals
    #   X01: 95.5 → 5.46 + 2 + 1.5 = 8.96    X02: 80.5 → 3.66 + 0 + 2 = 5.66
    #   X03: 7 → 0 (below zero_at) + 2 + 0 = 2   X04: 100 → 6 + 2 + 1.25 = 9.25
    #   X05: 60 → 1.2 + 0 + 0.5 = 1.7
    table = pl.read_csv(out, schema_overrides={"id": pl.String})
    totals = dict(zip(table.get_column("id"), table.get_column("total"), strict=True))
    assert totals == {"X01": 8.96, "X02": 5.66, "X03": 2.0, "X04": 9.25, "X05": 1.7}
    groups = dict(zip(table.get_column("id"), table.get_column("group"), strict=True))
    assert groups == {"X01": "Cụm Đồng bằng", "X02": "Cụm Đồng bằng", "X03": "Cụm Đồng bằng",
                      "X04": "Cụm Miền núi", "X05": "Cụm Miền núi"}
    assert result.stderr == "".join(f"note: {data}: {line}\n" for line in [
        "skipped 1 blank row (12): no column the criteria read holds a value there",
        "column 'Tỷ lệ hồ sơ giải quyết\\xa0đúng hạn (%)': 4 cells formatted as percentages "
        "read as the percent shown (95,5 % as 95.5)",
        "column 'Cụm thi đua': merged cells filled down from their first cell (rows 6–8, 9–10)",
        "column 'Tỷ lệ hồ sơ giải quyết đúng hạn (%)': 1 value written with '%' read as the "
        "percent (95,5% as 95.5)",
        "units.groups lists 'Cụm Ven biển', but no unit belongs to it",
        "skipped rows 5 ('(2)'), 11 ('Tổng cộng'), 13 ('Người lập biểu'): listed under "
        "units.skip, not units",
    ])


def test_without_the_list_the_councils_extra_rows_are_each_named(tmp_path):
    criteria = tmp_path / "c.yaml"
    criteria.write_text(COUNCIL.replace('  skip: ["(2)", "Tổng cộng", "Người lập biểu"]\n', ""),
                        encoding="utf-8")
    data = council_workbook(tmp_path / "so-lieu.xlsx")
    result = run_cli("score", str(criteria), str(data), "--decimal-comma",
                     "-o", str(tmp_path / "ket-qua.csv"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {data}: 3 problems\n"
        f"{data}::row 5, Mã xã: '(2)', '(3)', '(4)', … is a numbering row under the header (the "
        "columns' numbers), not a unit: delete the row, or list '(2)' under units.skip\n"
        f"{data}::row 11, Tên đơn vị: 'Tổng cộng' is a total row, not a unit: it is never "
        "scored; delete the row, or list 'Tổng cộng' under units.skip\n"
        f"{data}::row 13, Tên đơn vị: 'Người lập biểu' is a signature line, not a unit: delete "
        "the row, or list 'Người lập biểu' under units.skip\n")
    assert not (tmp_path / "ket-qua.csv").exists()


def test_a_total_row_below_many_names_the_sieve_lets_through_is_still_named(tmp_path):
    """1,100 libraries ("Thư viện …" begins like "thư ký") once filled the rows looked at, and the
    total row under them was scored as a unit."""
    criteria = tmp_path / "c.yaml"
    criteria.write_text(COUNCIL.replace('  skip: ["(2)", "Tổng cộng", "Người lập biểu"]\n', "")
                        .replace('  groups: ["Cụm Đồng bằng", "Cụm Miền núi", "Cụm Ven biển"]\n', ""),
                        encoding="utf-8")
    rows = [f"TV{i:04d},Thư viện {i},Cụm 1,90,có,1" for i in range(1100)] + ["TC,Tổng cộng,Cụm 1,90,có,1"]
    data = tmp_path / "so-lieu.csv"
    data.write_text("Mã xã,Tên đơn vị,Cụm thi đua,Tỷ lệ hồ sơ giải quyết đúng hạn (%),Báo cáo đúng hạn,"
                    "Điểm chấm\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = run_cli("score", str(criteria), str(data), "-o", str(tmp_path / "ket-qua.csv"))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {data}: 1 problem\n"
        f"{data}::row 1102, Tên đơn vị: 'Tổng cộng' is a total row, not a unit: it is never "
        "scored; delete the row, or list 'Tổng cộng' under units.skip\n")
    assert not (tmp_path / "ket-qua.csv").exists()


def test_a_percent_typed_as_text_in_a_csv_is_read_as_the_percent_with_a_note(tmp_path):
    criteria = tmp_path / "c.yaml"
    criteria.write_text(COUNCIL.replace("  groups: [\"Cụm Đồng bằng\", \"Cụm Miền núi\", "
                                        "\"Cụm Ven biển\"]\n", ""), encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("Mã xã,Tên đơn vị,Cụm thi đua,Tỷ lệ hồ sơ giải quyết đúng hạn (%),"
                    "Báo cáo đúng hạn,Điểm chấm\nX01,Xã A,Cụm 1,95.5%,có,1\n"
                    "X02,Xã B,Cụm 1,75 %,có,1\n", encoding="utf-8")
    result = run_cli("score", str(criteria), str(data), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    table = pl.read_csv(result.stdout.encode(), schema_overrides={"id": pl.String})
    assert table.get_column("total").to_list() == [8.46, 6.0]
    assert result.stderr == (f"note: {data}: column 'Tỷ lệ hồ sơ giải quyết đúng hạn (%)': 2 "
                             "values written with '%' read as the percent (95,5% as 95.5)\n")


# --- thidua template ------------------------------------------------------------------------------


def test_the_template_has_its_columns_comments_validation_and_instructions(tmp_path, vietnamese):
    criteria = tmp_path / "c.yaml"
    criteria.write_text(COUNCIL, encoding="utf-8")
    out = tmp_path / "nhap-lieu.xlsx"
    result = run_cli("template", str(criteria), "-o", str(out))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Nhập liệu", "Hướng dẫn"]
    sheet = book["Nhập liệu"]
    assert [c.value for c in sheet[1]] == ["Mã xã", "Tên đơn vị", "Cụm thi đua",
                                           "Tỷ lệ hồ sơ giải quyết đúng hạn (%)",
                                           "Báo cáo đúng hạn", "Điểm chấm"]
    assert sheet.freeze_panes == "A2"
    comments = [c.comment.text if c.comment else None for c in sheet[1]]
    assert comments[3] == ("Tiêu chí A – Hồ sơ đúng hạn (6 điểm): tuyến tính: 0 điểm tại 50, đủ "
                           "điểm tại 100\nNhập: từ 0 đến 100 (tỷ lệ phần trăm: nhập 95,5 cho "
                           "95,5 %)")
    assert comments[4] == ("Tiêu chí B – Báo cáo đúng hạn (2 điểm): \"có\" được đủ điểm, "
                           "\"không\" được 0 điểm\nNhập: có hoặc không")
    assert comments[5] == ("Tiêu chí C – Điểm chấm (2 điểm): điểm chấm trực tiếp (nhập số "
                           "điểm)\nNhập: từ 0 đến 2")
    rules = {str(v.sqref): (v.type, v.formula1, v.formula2)
             for v in sheet.data_validations.dataValidation}
    assert rules == {
        "C2:C201": ("list", '"Cụm Đồng bằng,Cụm Miền núi,Cụm Ven biển"', None),
        "D2:D201": ("decimal", "0", "100"),
        "E2:E201": ("list", '"có,không"', None),
        "F2:F201": ("decimal", "0", "2"),
    }
    guide = [r[0] for r in book["Hướng dẫn"].iter_rows(values_only=True)]
    assert guide[0] == "Bảng nhập số liệu: Bảng điểm của hội đồng (phiên bản 2025)"
    assert "- Báo cáo đúng hạn: Tiêu chí B – Báo cáo đúng hạn (2 điểm): \"có\" được đủ điểm, " \
           "\"không\" được 0 điểm" in guide


def test_the_template_in_english(tmp_path):
    criteria = tmp_path / "c.yaml"
    criteria.write_text(COUNCIL, encoding="utf-8")
    out = tmp_path / "nhap-lieu.xlsx"
    assert run_cli("template", str(criteria), "-o", str(out)).exit_code == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Data entry", "Instructions"]
    comments = [c.comment.text if c.comment else None for c in book["Data entry"][1]]
    assert comments[4] == ("Criterion B – Báo cáo đúng hạn (2 points): \"có\" gets the full "
                           "points, \"không\" gets 0 points\nType: có or không")
    guide = [r[0] for r in book["Instructions"].iter_rows(values_only=True)]
    assert guide[0] == "Data-entry workbook: Bảng điểm của hội đồng (version 2025)"


def test_a_filled_template_reads_back_with_zero_problems(tmp_path):
    criteria = tmp_path / "c.yaml"
    criteria.write_text(COUNCIL, encoding="utf-8")
    data = council_workbook(tmp_path / "so-lieu.xlsx")
    out = tmp_path / "nhap-lieu.xlsx"
    result = run_cli("template", str(criteria), "--from", str(data), "--decimal-comma",
                     "-o", str(out))
    assert result.exit_code == 0, result.stderr
    book = openpyxl.load_workbook(out)
    sheet = book["Data entry"]  # the suite runs in English: the sheets' names are English too
    rows = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert [r[:3] for r in rows] == [
        ["X01", "Xã Quảng Lưu", "Cụm Đồng bằng"], ["X02", "Xã Quảng Thạch", "Cụm Đồng bằng"],
        ["X03", "Xã Hóa Sơn", "Cụm Đồng bằng"], ["X04", "Xã Trung Hóa", "Cụm Miền núi"],
        ["X05", "Phường Đồng Hới", "Cụm Miền núi"]]
    for r, (share, report, manual) in enumerate(
            [(95.5, "có", 1.5), (80.5, "không", 2), (7, "có", 0), (100, "có", 1.25),
             (60, "không", 0.5)], 2):
        sheet.cell(r, 4, share)
        sheet.cell(r, 5, report)
        sheet.cell(r, 6, manual)
    book.save(out)
    result = run_cli("score", str(criteria), str(out), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    # no problem, no other note: the one cluster without units is the file's, not the template's
    assert result.stderr == (f"note: {out}: units.groups lists 'Cụm Ven biển', but no unit "
                             "belongs to it\n")
    table = pl.read_csv(result.stdout.encode(), schema_overrides={"id": pl.String})
    totals = dict(zip(table.get_column("id"), table.get_column("total"), strict=True))
    assert totals == {"X01": 8.96, "X02": 5.66, "X03": 2.0, "X04": 9.25, "X05": 1.7}


def test_the_template_is_an_xlsx_workbook(tmp_path):
    criteria = tmp_path / "c.yaml"
    criteria.write_text(COUNCIL, encoding="utf-8")
    result = run_cli("template", str(criteria), "-o", str(tmp_path / "nhap-lieu.csv"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (f"Error: {tmp_path / 'nhap-lieu.csv'}: 1 problem\n"
                             f"{tmp_path / 'nhap-lieu.csv'}: the template is an .xlsx workbook; "
                             "name it ….xlsx (for example nhap-lieu.xlsx)\n")
    assert list(tmp_path.iterdir()) == [criteria]


def test_a_value_problem_found_by_the_core_names_the_header_of_its_column(tmp_path):
    criteria = tmp_path / "c.yaml"
    criteria.write_text(COUNCIL, encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("Mã xã,Tên đơn vị,Cụm thi đua,Tỷ lệ hồ sơ giải quyết đúng hạn (%),"
                    "Báo cáo đúng hạn,Điểm chấm\nX01,Xã A,Cụm Miền núi,,có,1\n"
                    "X02,Xã B,Cụm Miền núi,75,có,3\n", encoding="utf-8")
    result = run_cli("score", str(criteria), str(data))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {data}: 2 problems\n"
        f"{data}::row 2, Tỷ lệ hồ sơ giải quyết đúng hạn (%): unit X01: missing value (criterion "
        "A has missing: error)\n"
        f"{data}::row 3, Điểm chấm: unit X02: 3 is outside 0..2, the points of criterion C (a "
        "manual score is never clamped)\n")


def test_a_numbering_row_of_plain_numbers_is_named_too(tmp_path):
    criteria = tmp_path / "c.yaml"
    criteria.write_text(COUNCIL, encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("STT,Mã xã,Tên đơn vị,Cụm thi đua,Tỷ lệ hồ sơ giải quyết đúng hạn (%),"
                    "Báo cáo đúng hạn,Điểm chấm\n1,2,3,4,5,6,7\n1,X01,Xã A,Cụm Miền núi,80,có,1\n",
                    encoding="utf-8")
    result = run_cli("score", str(criteria), str(data))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {data}: 1 problem\n"
        f"{data}::row 2, Mã xã: '2', '3', '4', … is a numbering row under the header (the "
        "columns' numbers), not a unit: delete the row, or list '2' under units.skip\n")


def test_a_template_from_bad_data_is_bad_input_and_writes_nothing(tmp_path):
    criteria = tmp_path / "c.yaml"
    criteria.write_text(COUNCIL, encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("Mã xã,Tên đơn vị,Cụm thi đua\nX01,Xã A,Cụm Miền núi\nX02,,Cum Mien nui\n",
                    encoding="utf-8")
    out = tmp_path / "nhap-lieu.xlsx"
    result = run_cli("template", str(criteria), "--from", str(data), "-o", str(out))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {data}: 2 problems\n"
        f"{data}::row 3, Tên đơn vị: unit X02: the unit name is empty\n"
        f"{data}::row 3, Cụm thi đua: unit X02: the cluster 'Cum Mien nui' is not one of "
        "units.groups ('Cụm Đồng bằng', 'Cụm Miền núi', 'Cụm Ven biển'); did you mean "
        "'Cụm Miền núi'?\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.yaml", "d.csv"]
