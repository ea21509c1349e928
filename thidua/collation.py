"""Vietnamese sort order for names and groups: a < ă < â, d < đ, … tones after letters,
and runs of digits by their value, so "Cụm 2" comes before "Cụm 10" and "Đông" after "Dương".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_LETTERS = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_BASE = {ch: i for i, ch in enumerate(_LETTERS)}
# tones sort second: none < huyền < hỏi < ngã < sắc < nặng
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_DIGITS = re.compile(r"(\d+)")


@lru_cache(maxsize=4096)
def _letters(word: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    primary: list[int] = []
    tones: list[int] = []
    for ch in unicodedata.normalize("NFC", word.lower()):
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        tone = 0
        for mark in marks:
            if mark in _TONES:
                tone = _TONES[mark]
            elif base in "ao" and mark == "\u0302":
                base = {"a": "â", "o": "ô"}[base]
            elif base == "a" and mark == "\u0306":
                base = "ă"
            elif base in "ou" and mark == "\u031b":
                base = {"o": "ơ", "u": "ư"}[base]
            elif base == "e" and mark == "\u0302":
                base = "ê"
        if ch == "đ":
            base = "đ"
        primary.append(_BASE[base] if base in _BASE else ord(base) - 0x110000)  # space, punctuation first
        tones.append(tone)
    return tuple(primary), tuple(tones)


def sort_key(text: str) -> tuple:
    """A key for sorted(): Vietnamese letters, tones as a second level, numbers by value."""
    parts = _DIGITS.split(text)
    primary: list[tuple] = []
    secondary: list[tuple] = []
    for i, part in enumerate(parts):
        if i % 2:
            primary.append((0, int(part)))
            secondary.append(())
        elif part:
            letters, tones = _letters(part)
            primary.append((1, letters))
            secondary.append(tones)
    return (tuple(primary), tuple(secondary), text)
