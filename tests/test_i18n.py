"""thidua/i18n.py and thidua/locale: one catalog, Vietnamese by default, English on request.

Every other test runs in English (tests/conftest.py); these ask for Vietnamese with the
`vietnamese` fixture (no THIDUA_LANG) or for English by --lang and THIDUA_LANG themselves.
"""

from __future__ import annotations

import re
import string

import pytest
from babel.messages.pofile import read_po

from thidua import i18n
from thidua.locale import catalog

from .util import SMALL_CRITERIA, run_cli, write_case

# --- the catalogs ---------------------------------------------------------------------------------


def test_every_message_has_both_languages_and_each_mo_is_its_po():
    """Every message of the source, the commands' help and click has a Vietnamese and an English
    text; no catalog keeps a message the source lost; each committed .mo says what its .po says."""
    assert catalog.check() == []


def _catalog(language: str):  # type: ignore[no-untyped-def]
    with catalog.po_path(language).open("rb") as f:
        return read_po(f, locale=language)


def _fields(text: str) -> set[str]:
    """The named values a message takes: {criterion}, {name!r}, %(prog)s."""
    found = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    return found | set(re.findall(r"%\((\w+)\)s", text))


def _braced(text: str | tuple[str, ...]) -> bool:
    """{percent: 20}: a YAML example in the text, not a value."""
    return any(re.search(r"\{\w+: ", t) for t in ([text] if isinstance(text, str) else text))


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_a_translation_takes_exactly_the_values_of_its_message(language: str):
    wrong = []
    for message in _catalog(language):
        if not message.id or _braced(message.id):
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        allowed = set().union(*(_fields(i) for i in ids))
        for text in strings:
            if not _fields(text) <= allowed or (isinstance(message.id, str)
                                                 and _fields(text) != allowed):
                wrong.append((message.id, text))
    assert wrong == []


def test_vietnamese_has_one_plural_form_and_english_two():
    assert _catalog("vi").num_plurals == 1
    assert _catalog("en").num_plurals == 2


# English words that must not be left in a Vietnamese text (the words a file or a command is
# written with, `type: linear`, --format, criteria.yaml, are taken out first).
ENGLISH = {"the", "of", "and", "is", "are", "must", "file", "files", "error", "errors", "problem",
           "problems", "note", "skipped", "blank", "row", "rows", "valid", "total", "usage", "try",
           "help", "missing", "argument", "option", "options", "not", "with", "for", "give",
           "write", "written", "cannot", "read", "unchanged", "identical", "created", "next",
           "example", "show", "this", "message", "exit", "aborted", "invalid", "value", "no",
           "such", "command", "commands", "did", "you", "mean", "one", "got", "required", "line",
           "column", "criterion", "award", "knockout", "folder", "data", "by", "stopped", "only",
           "duplicate", "code", "also", "at", "differ", "from", "both", "add", "up", "than", "more",
           "less", "outside", "never", "be", "given", "above", "below", "needs", "has", "have",
           "an", "it", "its", "which", "when", "there", "here", "unknown", "same", "other"}
MACHINE = re.compile(r"\{[^{}]*\}|%\(\w+\)s|`[^`]*`|'[^']*'|\"[^\"]*\"|--?[\w-]+|\S*[./_=]\S*"
                     r"|\b[A-Z][A-Z_]+\b|\[[^\]]*\]")


def _english_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[A-Za-z]+", MACHINE.sub(" ", text)) if w.lower() in ENGLISH}


def test_no_english_word_is_left_in_a_vietnamese_text():
    left = {}
    for message in _catalog("vi"):
        if not message.id:
            continue
        texts = [message.string] if isinstance(message.string, str) else list(message.string)
        words = set().union(*(_english_words(t) for t in texts))
        # an example command line in a help text is what the user types: it stays as written
        words -= {"criteria", "data"} if "thidua " in texts[0] else set()
        if words:
            left[message.id if isinstance(message.id, str) else message.id[0]] = words
    assert left == {}


def test_the_word_list_finds_english():
    assert _english_words("Lỗi: c.yaml: 3 problems") == {"problems"}
    assert _english_words("note: {source}: skipped") == {"note", "skipped"}
    assert _english_words("phải là 'ineligible' hoặc {cap: <xếp loại>}") == set()


# --- the language of a run ------------------------------------------------------------------------

# the small file's first criterion, then five mistakes (the lines the messages name stay those)
BAD = SMALL_CRITERIA.split("  - {code: B")[0] + """\
  - code: B
    name: "Báo cáo"
    max_points: bốn
    rule: {type: boolean, indicator: bao_cao, colum: x}
awards:
  - {code: BK, name: "Bằng khen", quota: 20, per: cum}
ranking: {method: competiton}
"""

BAD_VI = """\
Lỗi: c.yaml: 5 lỗi
c.yaml::criteria[1].max_points (dòng 11, tiêu chí B “Báo cáo”): max_points phải là một số; tệp ghi 'bốn'
c.yaml::criteria[1].rule.colum (dòng 12, tiêu chí B “Báo cáo”): khóa không rõ 'colum' (có phải ý bạn là 'columns'?)
c.yaml::ranking.method (dòng 15): method phải là một trong: competition, dense, ordinal; tệp ghi 'competiton'
c.yaml::awards[0].per (dòng 14, khen thưởng BK “Bằng khen”): per phải là một trong: group, all; tệp ghi 'cum'
c.yaml::awards[0].quota (dòng 14, khen thưởng BK “Bằng khen”): quota phải là một bảng các khóa, ví dụ {percent: 20}; tệp ghi 20
"""

BAD_EN = """\
Error: c.yaml: 5 problems
c.yaml::criteria[1].max_points (line 11, criterion B “Báo cáo”): max_points must be a number; the file has 'bốn'
c.yaml::criteria[1].rule.colum (line 12, criterion B “Báo cáo”): unknown key 'colum' (did you mean 'columns'?)
c.yaml::ranking.method (line 15): method must be one of: competition, dense, ordinal; the file has 'competiton'
c.yaml::awards[0].per (line 14, award BK “Bằng khen”): per must be one of: group, all; the file has 'cum'
c.yaml::awards[0].quota (line 14, award BK “Bằng khen”): quota must be a mapping of keys, for example {percent: 20}; the file has 20
"""


def _bad_file() -> str:
    write_case(criteria=BAD)
    return "c.yaml"


def test_a_criteria_file_error_is_vietnamese_by_default(tmp_path, monkeypatch, vietnamese):
    monkeypatch.chdir(tmp_path)
    result = run_cli("validate", _bad_file())
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", BAD_VI)


def test_lang_en_gives_english(tmp_path, monkeypatch, vietnamese):
    monkeypatch.chdir(tmp_path)
    result = run_cli("--lang", "en", "validate", _bad_file())
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", BAD_EN)


def test_thidua_lang_en_gives_english(tmp_path, monkeypatch, vietnamese):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("THIDUA_LANG", "en")
    result = run_cli("validate", _bad_file())
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", BAD_EN)


def test_lang_wins_over_the_environment(tmp_path, monkeypatch, vietnamese):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("THIDUA_LANG", "en")
    result = run_cli("--lang", "vi", "validate", _bad_file())
    assert result.stderr == BAD_VI


def test_one_run_does_not_leave_its_language_to_the_next(tmp_path, monkeypatch, vietnamese):
    monkeypatch.chdir(tmp_path)
    assert run_cli("--lang", "en", "validate", _bad_file()).stderr == BAD_EN
    assert run_cli("validate", "c.yaml").stderr == BAD_VI


USAGE_VI = """\
Cách dùng: thidua score [TÙY CHỌN] CRITERIA DATA
Gõ 'thidua score --help' để xem hướng dẫn.

Lỗi: Thiếu tham số 'DATA'.
"""

USAGE_EN = """\
Usage: thidua score [OPTIONS] CRITERIA DATA
Try 'thidua score --help' for help.

Error: Missing argument 'DATA'.
"""


def test_a_usage_error_in_vietnamese(vietnamese):
    result = run_cli("score", "c.yaml")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", USAGE_VI)


def test_a_usage_error_in_english(vietnamese):
    result = run_cli("--lang", "en", "score", "c.yaml")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", USAGE_EN)


def test_an_unknown_option_in_vietnamese(vietnamese):
    result = run_cli("validate", "--frmat", "csv", "c.yaml")
    assert result.exit_code == 2
    assert result.stderr.endswith("Lỗi: Không có tùy chọn '--frmat'.\n")


@pytest.mark.parametrize("how", ["option", "environment"])
def test_an_unknown_language_is_a_usage_error_naming_the_choices(monkeypatch, vietnamese,
                                                                 how: str):
    if how == "environment":
        monkeypatch.setenv("THIDUA_LANG", "fr")
        result = run_cli("list")
    else:
        result = run_cli("--lang", "fr", "list")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == ("Cách dùng: thidua [TÙY CHỌN] LỆNH [THAM SỐ]...\n"
                             "Gõ 'thidua --help' để xem hướng dẫn.\n\n"
                             "Lỗi: Giá trị không hợp lệ cho '--lang': 'fr' không phải một trong "
                             "'vi', 'en'.\n")


# --- help -----------------------------------------------------------------------------------------


def test_help_is_vietnamese_by_default(vietnamese):
    result = run_cli("score", "--help")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Cách dùng: thidua score [TÙY CHỌN] CRITERIA DATA"
    assert lines[2].startswith("  Chấm điểm, xếp loại, xếp hạng")
    assert "Tùy chọn:" in lines
    assert any(line.startswith("  -h, --help") and "In hướng dẫn này rồi thoát." in line
               for line in lines)
    assert "Ghi ra TỆP (trọn vẹn hoặc không ghi gì)" in result.stdout
    assert any(line.startswith("  -o, --output TỆP ") for line in lines)
    assert any(line.startswith("  --sheet CHỮ ") for line in lines)


@pytest.mark.parametrize("how", ["option", "environment"])
def test_help_in_english(monkeypatch, vietnamese, how: str):
    if how == "environment":
        monkeypatch.setenv("THIDUA_LANG", "en")
        result = run_cli("score", "--help")
    else:
        result = run_cli("--lang", "en", "score", "--help")
    lines = result.stdout.splitlines()
    assert lines[0] == "Usage: thidua score [OPTIONS] CRITERIA DATA"
    assert lines[2] == "  Score, classify, rank and shortlist every unit."
    assert "Options:" in lines
    assert "Show this message and exit." in result.stdout
    assert "Write to FILE (whole or not at all)" in result.stdout
    assert any(line.startswith("  -o, --output FILE ") for line in lines)


def test_the_group_help_lists_every_command_in_vietnamese(vietnamese):
    result = run_cli("--help")
    assert result.stdout.startswith("Cách dùng: thidua [TÙY CHỌN] LỆNH [THAM SỐ]...\n\n"
                                    "  thidua: chấm điểm, xếp hạng")
    assert "\nLệnh:\n" in result.stdout
    assert "  validate     Kiểm tra một tệp tiêu chí; in từng lỗi tại vị trí của nó.\n" in \
        result.stdout


def test_help_before_lang_uses_the_environment(monkeypatch, vietnamese):
    monkeypatch.setenv("THIDUA_LANG", "en")
    assert run_cli("--help").stdout.startswith("Usage: thidua [OPTIONS] COMMAND [ARGS]...")


def test_the_version_line(vietnamese):
    from thidua import __version__

    assert run_cli("--version").stdout == f"thidua, phiên bản {__version__}\n"
    assert run_cli("--lang", "en", "--version").stdout == f"thidua, version {__version__}\n"


# --- the lines of the commands --------------------------------------------------------------------


def test_the_lines_a_run_prints_have_no_english_word(tmp_path, monkeypatch, vietnamese):
    """validate's line, the blank-row note, init's lines, verify's lines: Vietnamese only."""
    monkeypatch.chdir(tmp_path)
    c, d = write_case(data="ma,ten,cum,ty_le,bao_cao\nX1,Xã Một,Cụm 1,100,có\n,,,,\n")
    shown = [run_cli("validate", c).stdout, run_cli("score", c, d, "-o", "out.csv").stderr,
             run_cli("verify", "out.csv.manifest.json").stdout,
             run_cli("init", "cum-xa", "moi").stdout, run_cli("list").stdout]
    assert shown[0] == "c.yaml: hợp lệ (định dạng 1, nho 1, 2 tiêu chí được chấm, tổng điểm 10)\n"
    assert shown[1] == ("lưu ý: d.csv: bỏ qua 1 dòng trống (3): không cột nào mà tệp tiêu chí "
                        "đọc có giá trị ở đó\n")
    assert shown[2].endswith("out.csv: giống hệt\n")
    assert shown[3].startswith("đã tạo moi/cum-xa.yaml\n")
    assert shown[2].startswith("tệp tiêu chí c.yaml: không đổi\ntệp số liệu d.csv: không đổi\n")
    assert [sorted(_english_words(text)) for text in shown] == [[]] * len(shown)


def test_an_output_error_is_vietnamese(tmp_path, monkeypatch, vietnamese):
    monkeypatch.chdir(tmp_path)
    c, d = write_case()
    result = run_cli("score", c, d, "-o", "khong-co/out.csv")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Lỗi: khong-co/out.csv: 1 lỗi\n"
                             "khong-co/out.csv: không ghi được: thư mục khong-co không tồn tại\n")


# --- the mechanism --------------------------------------------------------------------------------


def test_named_values_fill_the_translation():
    i18n.use("vi")
    assert i18n._("line {line}", line=12) == "dòng 12"
    assert i18n.ngettext("{source}: {count} problem", "{source}: {count} problems", 3,
                         source="c.yaml", count=3) == "c.yaml: 3 lỗi"
    i18n.use("en")
    assert i18n.ngettext("{source}: {count} problem", "{source}: {count} problems", 1,
                         source="c.yaml", count=1) == "c.yaml: 1 problem"


def test_a_message_missing_from_the_catalog_is_its_english_id():
    i18n.use("vi")
    assert i18n._("no such message {x}", x=1) == "no such message 1"


def test_an_unknown_language_is_refused_by_use():
    with pytest.raises(ValueError, match="one of vi, en"):
        i18n.use("fr")


def test_the_environment_decides_the_first_language(monkeypatch):
    for value, language in (("en", "en"), ("EN", "en"), ("vi", "vi"), ("", "vi"), ("fr", "vi")):
        monkeypatch.setenv("THIDUA_LANG", value)
        assert i18n.from_environment() == language
    monkeypatch.delenv("THIDUA_LANG")
    assert i18n.from_environment() == "vi"


def test_aborted_is_said_in_the_language_of_the_run(tmp_path, monkeypatch, vietnamese):
    """Ctrl-C while a command runs: click's own `Aborted!`, from our catalog."""
    import sys

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys.modules["thidua.input.load"], "load_criteria", interrupted)
    c, _ = write_case()
    assert (run_cli("validate", c).exit_code, run_cli("validate", c).stderr) == (1, "\nĐã hủy!\n")
    assert run_cli("--lang", "en", "validate", c).stderr == "\nAborted!\n"


# Each kind of pydantic error, as a secretary reads it: (the file's lines after `units:`, the
# Vietnamese line, the English line).
KINDS = [
    ("criteria:\n  - {code: A, name: a, rule: {type: boolean, indicator: x}}\n",
     "criteria[0].max_points (dòng 8, tiêu chí A “a”): thiếu max_points: ở đây bắt buộc phải có",
     "criteria[0].max_points (line 8, criterion A “a”): max_points is missing: it is required here"),
    ("criteria: []\nranking: 5\n",
     "ranking (dòng 8): ranking phải là một bảng các khóa, ví dụ {method: competition}; tệp ghi 5",
     "ranking (line 8): ranking must be a mapping of keys, for example {method: competition}; "
     "the file has 5"),
    ("criteria: []\nprecision: 2.5\n",
     "precision (dòng 8): precision phải là một số nguyên; tệp ghi 2.5",
     "precision (line 8): precision must be a whole number; the file has 2.5"),
    ("criteria: []\nawards: [{code: B, name: b, quota: {count: 1}, exclusive: 'có'}]\n",
     "awards[0].exclusive (dòng 8, khen thưởng B “b”): exclusive phải là true hoặc false; tệp "
     "ghi 'có'",
     "awards[0].exclusive (line 8, award B “b”): exclusive must be true or false; the file has 'có'"),
    ("criteria: []\nknockouts: [{code: K, name: 5, when: x > 1}]\n",
     "knockouts[0].name (dòng 8, điều kiện loại trừ K): name phải là chữ; tệp ghi 5",
     "knockouts[0].name (line 8, knockout K): name must be text; the file has 5"),
    ("criteria: []\nmissing: sometimes\n",
     "missing (dòng 8): missing phải là một trong: error, zero, full, exclude; tệp ghi 'sometimes'",
     "missing (line 8): missing must be one of: error, zero, full, exclude; the file has "
     "'sometimes'"),
]


@pytest.mark.parametrize(("tail", "vi", "en"), KINDS, ids=[k[1].split(" ")[0] for k in KINDS])
def test_each_kind_of_pydantic_error_in_words(tmp_path, monkeypatch, vietnamese, tail: str,
                                             vi: str, en: str):
    monkeypatch.chdir(tmp_path)
    head = 'format: 1\nid: t\nname: "t"\nversion: "1"\ntotal: 0\nunits: {id: ma, name: ten}\n'
    write_case(criteria=head + tail)
    lines = run_cli("validate", "c.yaml").stderr.splitlines()
    assert f"c.yaml::{vi}" in lines
    assert f"c.yaml::{en}" in run_cli("--lang", "en", "validate", "c.yaml").stderr.splitlines()
    assert not any(phrase in line for line in lines
                   for phrase in ("Input should", "Field required", "Extra inputs", "valid dictionary"))


YAML_SLIPS = [
    ("a: b: c\n", "dòng 1, cột 5: YAML không hợp lệ: dấu ':' ở đây không thể mở đầu một giá trị "
                  "(thiếu dấu cách sau ':' hay thụt lề sai?)"),
    ("a:\n  b: 1\n c: 2\n", "dòng 3, cột 2: YAML không hợp lệ: thụt lề không khớp với các dòng "
                            "phía trên"),
    ('a: "x\n', "dòng 2, cột 1: YAML không hợp lệ: tệp kết thúc giữa một đoạn chữ trong dấu nháy "
                "(thiếu dấu nháy đóng)"),
    ("a: [1, 2\n", "dòng 2, cột 1: YAML không hợp lệ: tệp kết thúc trước khi đóng một danh sách "
                   "hay một bảng (cần ',' hoặc ']')"),
    ("a: @x\n", "dòng 1, cột 4: YAML không hợp lệ: ký tự '@' không thể mở đầu một giá trị (hãy "
                "đặt chữ trong dấu nháy)"),
]


@pytest.mark.parametrize(("text", "line"), YAML_SLIPS, ids=[t for t, _ in YAML_SLIPS])
def test_pyyamls_common_phrases_in_words(tmp_path, monkeypatch, vietnamese, text: str, line: str):
    monkeypatch.chdir(tmp_path)
    write_case(criteria=text)
    assert run_cli("validate", "c.yaml").stderr == f"Lỗi: c.yaml: 1 lỗi\nc.yaml::{line}\n"


def test_a_manifest_error_is_vietnamese(tmp_path, monkeypatch, vietnamese):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.json").write_text("[1]", encoding="utf-8")
    result = run_cli("verify", "m.json")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Lỗi: m.json: 1 lỗi\n"
                             "m.json: tệp kê khai là một đối tượng JSON; tệp này không phải\n")


def test_init_never_overwrites_in_vietnamese(tmp_path, monkeypatch, vietnamese):
    monkeypatch.chdir(tmp_path)
    assert run_cli("init", "cum-xa").exit_code == 0
    result = run_cli("init", "cum-xa")
    assert result.exit_code == 1
    assert result.stderr == (f"Lỗi: {tmp_path}: 2 lỗi\n"
                             f"{tmp_path}: cum-xa.yaml đã có; thidua init không bao giờ ghi đè tệp\n"
                             f"{tmp_path}: cum-xa.csv đã có; thidua init không bao giờ ghi đè tệp\n")
    unknown = run_cli("init", "cum-x")
    assert unknown.stderr == ("Lỗi: cum-x: 1 lỗi\ncum-x: không có tệp tiêu chí mẫu nào tên như "
                              "vậy; có phải ý bạn là cum-xa hoặc dvcq-xa? (thidua list liệt kê chúng)\n")


def test_verify_reruns_in_the_language_of_the_run(tmp_path, monkeypatch, vietnamese):
    """A document's words depend on the language: the manifest records it, and verify reruns in
    it, whatever language verify itself speaks."""
    monkeypatch.chdir(tmp_path)
    c, d = write_case()
    assert run_cli("score", c, d, "-o", "out.txt").exit_code == 0
    assert "Làm tròn: " in (tmp_path / "out.txt").read_text(encoding="utf-8")
    result = run_cli("--lang", "en", "verify", "out.txt.manifest.json")
    assert (result.exit_code, result.stdout) == (0, "criteria c.yaml: unchanged\n"
                                                    "data d.csv: unchanged\nout.txt: identical\n")
    assert i18n.language() == "en"  # the rerun gave the run its language back


def test_a_manifest_naming_an_unknown_language_is_refused(tmp_path, monkeypatch, vietnamese):
    import json

    monkeypatch.chdir(tmp_path)
    c, d = write_case()
    assert run_cli("score", c, d, "-o", "out.txt").exit_code == 0
    manifest = tmp_path / "out.txt.manifest.json"
    document = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps(document | {"language": "fr"}), encoding="utf-8")
    result = run_cli("verify", "out.txt.manifest.json")
    assert (result.exit_code, result.stdout) == (1, "tệp tiêu chí c.yaml: không đổi\n"
                                                    "tệp số liệu d.csv: không đổi\n")
    assert result.stderr == ("Lỗi: out.txt.manifest.json: 1 lỗi\n"
                             "out.txt.manifest.json::language: phải là một trong vi, en; tệp ghi "
                             "\"fr\"\n")


def test_explain_of_an_unknown_unit_in_vietnamese(tmp_path, monkeypatch, vietnamese):
    monkeypatch.chdir(tmp_path)
    c, d = write_case()
    result = run_cli("explain", c, d, "X9")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Lỗi: d.csv: 1 lỗi\n"
                             "d.csv: không có đơn vị nào mang mã 'X9' (3 đơn vị); gần nhất: X3, X2, X1\n")
