"""`--lang en`: the documents of the shipped examples say nothing in Vietnamese but the council's
own words (unit, cluster, criterion, class and award names and every other text of the criteria
and data files), which no catalog translates."""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.util import run_cli
from thidua.output.render import md

CRITERIA = Path(__file__).resolve().parent.parent / "criteria"
# Vietnamese letters outside ASCII (what an untranslated Vietnamese literal cannot avoid)
VIETNAMESE = re.compile("[àáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ]",
                        re.IGNORECASE)
EXAMPLES = sorted(p.stem for p in CRITERIA.glob("*.yaml") if (CRITERIA / f"{p.stem}.csv").exists())


def _strings(x: Any) -> list[str]:
    if isinstance(x, str):
        return [x]
    if isinstance(x, dict):
        return [s for k, v in x.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(x, list):
        return [s for v in x for s in _strings(v)]
    return []


def _extras(name: str) -> list[str]:
    out = []
    if (CRITERIA / f"{name}.lich-su.csv").exists():
        out += ["--history", str(CRITERIA / f"{name}.lich-su.csv")]
    if (CRITERIA / f"{name}-thanh-vien.csv").exists():
        out += ["--members", str(CRITERIA / f"{name}-thanh-vien.csv")]
    return out


def _council_words(name: str) -> list[str]:
    """Every text of the example's files, longest first, as each document may show it."""
    words = _strings(yaml.safe_load((CRITERIA / f"{name}.yaml").read_text(encoding="utf-8")))
    for path in [CRITERIA / f"{name}.csv", *(CRITERIA / p for p in _extras(name)[1::2])]:
        with Path(path).open(encoding="utf-8", newline="") as f:
            words += [cell for row in csv.reader(f) for cell in row]
    shown = {w for word in words if re.search(r"[^\W\d_]", word)  # a text, not a number
             for w in (word, html.escape(word), md(word), word[:47], md(word[:47]), word.upper())}
    return sorted(shown, key=len, reverse=True)


def _untranslated(text: str, words: list[str]) -> list[str]:
    for word in words:
        text = text.replace(word, " ")
    return [line.strip() for line in text.splitlines() if VIETNAMESE.search(line)]


@pytest.mark.parametrize("name", EXAMPLES)
def test_english_documents_of_the_shipped_examples_have_no_vietnamese_of_their_own(name: str,
                                                                                  tmp_path: Path):
    criteria, data, extras = str(CRITERIA / f"{name}.yaml"), str(CRITERIA / f"{name}.csv"), _extras(name)
    spec = yaml.safe_load((CRITERIA / f"{name}.yaml").read_text(encoding="utf-8"))
    with (CRITERIA / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        first = next(csv.DictReader(f))[spec["units"]["id"]]
    words = _council_words(name)
    outputs: dict[str, str] = {}
    for fmt in ("table", "markdown", "html"):
        for command in (["awards", criteria, data, *extras], ["audit", criteria, data, *extras],
                        ["explain", criteria, data, first, *extras]):
            result = run_cli("--lang", "en", *command, "--format", fmt)
            assert (result.exit_code, result.stderr) == (0, ""), (command, fmt, result.stderr)
            outputs[f"{command[0]} --format {fmt}"] = result.stdout
    page = tmp_path / "report.html"
    result = run_cli("--lang", "en", "report", criteria, data, *extras, "-o", str(page))
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    outputs["report"] = page.read_text(encoding="utf-8")
    left = {what: lines for what, text in outputs.items() if (lines := _untranslated(text, words))}
    assert left == {}
