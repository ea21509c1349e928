"""Vietnamese sort order for names and groups: a < ă < â, d < đ, … tones after letters,
and runs of digits by their value, so "Cụm 2" comes before "Cụm 10" and "Đông" after "Dương".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np
import polars as pl

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


# the usual form of a unit id (X01, U000123, xa12): letters a–z, then digits, nothing else;
# for these Vietnamese order is (letters ignoring case, number by value, the text itself)
_PLAIN = r"^[A-Za-z]*[0-9]{0,18}$"


def ranks(texts: pl.Series) -> pl.Series:
    """Each text's place (0, 1, …) in Vietnamese order (sort_key); the texts are distinct.

    Plain ids are ordered in polars, and not sorted at all when they already are in order (one
    pass over neighbours); other texts (accented letters, spaces, punctuation) are sorted with
    sort_key in Python."""
    n = len(texts)
    if n and texts.str.contains(_PLAIN).all():
        keys = pl.DataFrame({"t": texts}).select(
            pl.col("t").str.extract(r"^([A-Za-z]*)", 1).str.to_lowercase().alias("a"),
            pl.col("t").str.extract(r"([0-9]+)$", 1).cast(pl.Int64).fill_null(-1).alias("n"),
            pl.col("t"))
        a, na, t = pl.col("a"), pl.col("n"), pl.col("t")
        after = (a > a.shift(1)) | ((a == a.shift(1)) & ((na > na.shift(1))
                                                         | ((na == na.shift(1)) & (t > t.shift(1)))))
        if keys.select(after.fill_null(True).all()).item():
            return pl.Series("rank", range(n), dtype=pl.Int64)
        order = keys.select(pl.arg_sort_by("a", "n", "t")).to_series().to_numpy()
    else:
        values = texts.to_list()
        order = np.array(sorted(range(n), key=lambda i: sort_key(values[i])), dtype=np.int64)
    out = np.empty(n, dtype=np.int64)
    out[order] = np.arange(n, dtype=np.int64)
    return pl.Series("rank", out)
