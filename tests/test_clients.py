"""The documents in the programs a council opens them with: every shipped example's workbooks
converted to PDF by headless LibreOffice, its report page printed to PDF by headless Chromium,
and the PDFs read back with poppler (pdfinfo, pdftotext).

Skipped, with the command that installs them, where the programs are missing. Each program runs
with its own HOME and profile folder under the test's temporary folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from thidua.input import shipped

from .util import run_cli, shipped_inputs

PROGRAMS = ("soffice", "chromium", "pdftotext", "pdfinfo")
MISSING = [p for p in PROGRAMS if shutil.which(p) is None]
INSTALL = "apt-get install -y libreoffice-calc chromium poppler-utils"
pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)}: {INSTALL}")

EXAMPLES = sorted(p.stem for p in shipped("").iterdir()
                  if p.suffix == ".yaml" and (p.with_suffix(".csv")).is_file())
# the contract's keys and codes that a document for people must not show as a heading or status
ENGLISH = re.compile(r"\b(points\.\w+|rank_overall|classification|on_list|beyond_quota|not_eligible|"
                     r"tied_flag|tie_included|tie_excluded|behind_last_in|tied_with|"
                     r"id|name|group|total|rank|status|award|quota|flagged|knockouts)\b")
A4 = (841.9, 595.3)  # points, landscape


def _environment(home: Path) -> dict[str, str]:
    return {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_CACHE_HOME": str(home / ".cache")}


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Per example: the PDFs of its score and awards workbooks and of its report page."""
    folder = tmp_path_factory.mktemp("clients")
    home = folder / "home"
    home.mkdir()
    books = []
    for name in EXAMPLES:
        criteria, data = str(shipped(f"{name}.yaml")), str(shipped(f"{name}.csv"))
        more = shipped_inputs(name)
        for command in ("score", "awards"):
            out = folder / f"{name}-{command}.xlsx"
            assert run_cli("--lang", "vi", command, criteria, data, "-o", str(out), *more).exit_code == 0
            books.append(str(out))
        page = folder / f"{name}-report.html"
        assert run_cli("--lang", "vi", "report", criteria, data, "-o", str(page), *more).exit_code == 0
    subprocess.run(["soffice", f"-env:UserInstallation=file://{folder / 'libreoffice'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), *books],
                   env=_environment(home), check=True, capture_output=True, timeout=600)
    for name in EXAMPLES:
        page = folder / f"{name}-report.html"
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        f"--user-data-dir={folder / 'chromium'}", "--no-pdf-header-footer",
                        f"--print-to-pdf={folder / f'{name}-report.pdf'}", page.as_uri()],
                       env=_environment(home), check=True, capture_output=True, timeout=300)
    return {p.stem: p for p in folder.glob("*.pdf")}


def pages(pdf: Path, mode: str = "-raw") -> list[str]:
    """Each page's text, runs of white space as one space: in the order it was drawn (`-raw`:
    a wrapped cell's lines together) or as laid out on the page (`-layout`: kerned letters
    together, "TP. Hồ Chí Minh")."""
    text = subprocess.run(["pdftotext", mode, str(pdf), "-"], check=True, capture_output=True,
                          timeout=120).stdout.decode("utf-8")
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


def sizes(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "100000", str(pdf)], check=True, capture_output=True,
                          timeout=120).stdout.decode("utf-8")
    return [(float(w), float(h)) for w, h in re.findall(r"Page +\d+ size: +([\d.]+) x ([\d.]+)", info)]


def units(name: str) -> list[str]:
    result = run_cli("score", str(shipped(f"{name}.yaml")), str(shipped(f"{name}.csv")), "--format", "json",
                     *shipped_inputs(name))
    return [u["name"] for u in json.loads(result.stdout)["units"]]


def _check(pdf: Path, name: str, first: str | None, last: str, signers: bool = True) -> None:
    """A4 landscape on every page; every page that shows the table's first heading `first`
    shows its last heading `last` too (the table fits one page wide); every unit's name is
    there; no English key; a signature block on the last page (`signers`: the file's, else the
    ballot's)."""
    texts = pages(pdf)
    assert texts and len(sizes(pdf)) == len(texts)
    assert all(abs(w - A4[0]) < 2 and abs(h - A4[1]) < 2 for w, h in sizes(pdf)), sizes(pdf)
    if first is not None:
        headed = [t for t in texts if first in t]
        assert headed and all(last in t for t in headed), pdf.name
    whole = " ".join([*texts, *pages(pdf, "-layout")])
    assert [u for u in units(name) if " ".join(u.split()) not in whole] == [], pdf.name
    english = {m.group(0) for m in ENGLISH.finditer(whole)}
    assert not english, (pdf.name, english)
    assert "(Ký, ghi rõ họ tên)" in texts[-1], pdf.name
    if signers:
        assert "Người lập biểu" in texts[-1] and "Chủ tịch" in texts[-1], pdf.name


def _has_awards(name: str) -> bool:
    return "\nawards:" in shipped(f"{name}.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_score_workbook_prints_in_libreoffice(pdfs: dict[str, Path], name: str):
    _check(pdfs[f"{name}-score"], name, "Hạng Mã Đơn vị", "Ghi chú")


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_awards_workbook_prints_in_libreoffice(pdfs: dict[str, Path], name: str):
    # a file with a tie at a quota line ends with the ballots, signed by the member who votes
    ties = run_cli("awards", str(shipped(f"{name}.yaml")), str(shipped(f"{name}.csv")), "--format", "json",
                   *shipped_inputs(name))
    ballot = any(a["flagged"] for a in json.loads(ties.stdout)["awards"])
    _check(pdfs[f"{name}-awards"], name, "Tình trạng" if _has_awards(name) else None, "Lý do", signers=not ballot)
    if ballot:
        assert "PHIẾU BIỂU QUYẾT" in pages(pdfs[f"{name}-awards"])[-1]


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_report_prints_in_chromium(pdfs: dict[str, Path], name: str):
    _check(pdfs[f"{name}-report"], name, "Tổng điểm Xếp loại", "Ghi chú")
