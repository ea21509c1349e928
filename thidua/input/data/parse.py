"""Values as polars expressions over whole columns: numbers (dot or decimal comma), yes/no words,
text (stripped, in NFC), and the patterns that tell a value a person cannot have meant."""

from __future__ import annotations

import re
import unicodedata

import polars as pl

TEXT = ("id", "name", "group")
YES_NO = "(có/không, x, 1/0, true/false)"

# Dot convention: 95.5, -3, .5, 1e3.  Decimal-comma convention: 95,5, 1.234,5, 1.234, -0,25.
DOT = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
COMMA = r"^[+-]?(?:(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d*)?|,\d+)(?:[eE][+-]?\d+)?$"
NUMBERISH = re.compile(r"[+-]?[\d.,]+(?:[eE][+-]?\d+)?")
NOT_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)
NAN = pl.lit(float("nan"))  # a bad number while checking; never returned

YES = ("1", "true", "có", "co", "x", "yes", "y", "đạt")
NO = ("0", "false", "không", "khong", "no", "n", "không đạt", "chưa đạt")
FLAG_WORDS = {**dict.fromkeys(YES, True), **dict.fromkeys(NO, False)}

# Text a person cannot have meant: control characters (tab and line breaks aside), and two or more
# of the signs U+00A1-U+00BF, which Vietnamese never uses but TCVN3 (ABC) text read as Latin-1, or
# UTF-8 read as Windows-1252, is full of ("X· Qu¶ng L­u", "XÃ£ Quáº£ng").
CONTROL = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]"
LEGACY_SIGN = r"[\u00A1-\u00BF]"
# What a spreadsheet shows, and writes to CSV, for a formula that failed: never a value.
SHEET_ERROR = r"#(?:DIV/0!|N/A|NAME\?|NULL!|NUM!|REF!|VALUE!|GETTING_DATA|SPILL!|CALC!|ERROR)"

# Text made only of these characters is NFC already (Latin with Vietnamese letters, punctuation,
# currency; tests/test_data.py checks it), so most columns skip normalisation.
NFC_SAFE = ((0x0000, 0x02FF), (0x1E00, 0x1EFF), (0x2002, 0x206F), (0x20A0, 0x20CF))
NOT_SURELY_NFC = "[^" + "".join(f"\\x{{{a:04X}}}-\\x{{{b:04X}}}" for a, b in NFC_SAFE) + "]"


def header_key(text: str) -> str:
    """A header (or a label) as headers are matched: NFC, every run of white space (no-break
    spaces included) one space, trimmed, case folded; nothing looser (docs/criteria-format.md)."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def header_keys(c: pl.Expr) -> pl.Expr:
    """header_key over a text column (Unicode lower case: casefold but for a few letters that
    Vietnamese does not use)."""
    return (c.str.normalize("NFC").str.replace_all(r"\s+", " ").str.strip_chars()
            .str.to_lowercase())


# A text number written with a percent sign ("95,5%", "95.5 %"): the number before the sign is
# the percent a person reads (docs/criteria-format.md: percentages).
PERCENT_SIGN = r"\s*%$"


def percent_text(key: str, dtype: pl.DataType) -> pl.Expr | None:
    """Which values of a text column end in a percent sign; None when none can."""
    if dtype != pl.String:
        return None
    return pl.col(key).str.strip_chars().str.ends_with("%").fill_null(False)


def _text(key: str, dtype: pl.DataType, *, strip: bool) -> pl.Expr:
    c = pl.col(key)
    if dtype == pl.String:
        text = c
    elif dtype.is_float():  # a spreadsheet stores the id 7 as 7.0
        whole = pl.when(c == c.round()).then(c.cast(pl.Int64, strict=False))
        text = pl.coalesce(whole.cast(pl.String), c.cast(pl.String))
    elif dtype == pl.Null:
        text = pl.lit(None, pl.String)
    else:
        text = c.cast(pl.String)
    return text.str.strip_chars() if strip else text


def _number(key: str, dtype: pl.DataType, decimal_comma: bool) -> pl.Expr:
    """Float64: empty is missing (null); NaN marks a bad value (NaN, ±inf, text, yes/no)."""
    c = pl.col(key)
    if dtype == pl.String:
        text = c.str.strip_chars().str.replace(PERCENT_SIGN, "")
        if decimal_comma:
            ok = text.str.contains(COMMA)
            text = text.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
        else:
            ok = text.str.contains(DOT)
        number = text.cast(pl.Float64, strict=False).fill_null(NAN)
        return pl.when(ok).then(number).when(c.str.strip_chars() != "").then(NAN)
    if dtype.is_numeric():
        return c.cast(pl.Float64)
    if dtype == pl.Null:
        return pl.lit(None, pl.Float64)
    return pl.when(c.is_not_null()).then(NAN)


def _flag(key: str, dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr | None]:
    """(Boolean value, bad mask or None when nothing can be bad); empty is missing."""
    c = pl.col(key)
    if dtype == pl.Boolean:
        return c, None
    if dtype.is_numeric():  # 1 and 0, as the words are; 5 is no more a yes than the text "5"
        number = c.cast(pl.Float64)
        return number != 0, ~number.is_in([0.0, 1.0])
    if dtype == pl.String:
        word = (c.str.strip_chars().str.normalize("NFC").str.to_lowercase()
                .str.replace_all(r"\s+", " "))
        value = word.replace_strict(FLAG_WORDS, default=None, return_dtype=pl.Boolean)
        return value, value.is_null() & (word != "")
    if dtype == pl.Null:
        return pl.lit(None, pl.Boolean), None
    return pl.lit(None, pl.Boolean), c.is_not_null()


def _filled(key: str, dtype: pl.DataType) -> pl.Expr:
    c = pl.col(key)
    return c.str.strip_chars().fill_null("") != "" if dtype == pl.String else c.is_not_null()


def _text_survey(wide: pl.DataFrame) -> dict[str, bool]:
    """One pass over the text columns, its parts run side by side: for each, whether it may hold
    text not in NFC (`nfc:<column>`), an empty id or group (`empty:<column>`), and a control
    character, a sign of an old encoding or a spreadsheet's error (`odd:<column>`; NFC neither adds
    nor removes those)."""
    present = [t for t in TEXT if t in wide.columns]
    return wide.select(
        *(pl.col(t).str.contains(NOT_SURELY_NFC).any().alias(f"nfc:{t}") for t in present),
        *(pl.col(t).eq("").any().alias(f"empty:{t}") for t in present if t != "name"),
        *(pl.col(t).str.contains(f"{CONTROL}|{LEGACY_SIGN}|^\\s*{SHEET_ERROR}\\s*$").any()
          .alias(f"odd:{t}") for t in present),
    ).row(0, named=True)


def _tidy_text(wide: pl.DataFrame, survey: dict[str, bool]) -> pl.DataFrame:
    """Text columns in NFC; an empty id or group is missing. Only columns that need it change."""
    fixes = []
    for t in [t for t in TEXT if t in wide.columns]:
        nfc, empty = survey[f"nfc:{t}"], survey.get(f"empty:{t}", False)
        text = pl.col(t).str.normalize("NFC") if nfc else pl.col(t)
        if empty:
            text = pl.when(text != "").then(text)
        if nfc or empty:
            fixes.append(text.alias(t))
    return wide.with_columns(fixes) if fixes else wide


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
