"""Criteria files → a checked `Criteria` model, or every problem at its place.

A file is data, never code: YAML is read with a safe loader that also refuses aliases (which
can blow up into billions of nodes) and duplicate keys (which YAML would silently overwrite).
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import stat
import tomllib
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Self

import yaml
from pydantic import BaseModel, ValidationError

from thidua import model as m
from thidua.errors import CriteriaError, Problem
from thidua.input.checks import check_criteria

MAX_BYTES = 2_000_000
MAX_NESTING = 100  # lists and mappings inside each other; a real file needs about 12
MAX_DIGITS = 300  # digits of an integer; a float has at most 309 before it is infinite
MAX_MAGNITUDE = 10**15  # beyond it a float no longer holds every whole number: no file needs more
_PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map",
                                                     "seq", "timestamp")}
_STR, _INT, _FLOAT = (f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float"))
_UNION_MEMBERS = {"float", "IndicatorRef", "Cap", "ByClassification", "ByAward", "str", "int"}
_UNION_MESSAGES = {
    "target": "must be a number or {indicator: <column>}",
    "effect": "must be 'ineligible' or {cap: <label>}",
    "of": "must be units, eligible, {classification: <label>} or {award: <code>}",
}


class _Loader(yaml.SafeLoader):
    """SafeLoader for plain data: no aliases, no duplicate keys, no tags beyond the plain ones
    (a !!set, !!binary or !include is refused), no nesting deeper than MAX_NESTING, no integer
    longer than MAX_DIGITS; a date stays the text it was written as."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(None, None, "aliases (*name) are not allowed in a criteria "
                                       "file; write the value out", event.start_mark)
        depth = getattr(self, "_depth", 0)
        if depth >= MAX_NESTING and self.check_event(yaml.CollectionStartEvent):
            raise yaml.MarkedYAMLError(None, None, _too_deep(), self.peek_event().start_mark)
        self._depth = depth + 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth = depth

    def construct_object(self, node, deep=False):
        if node.tag == "tag:yaml.org,2002:merge":
            raise yaml.MarkedYAMLError(None, None, "merge keys (<<) are not allowed in a criteria "
                                       "file; write the keys out", node.start_mark)
        if node.tag not in _PLAIN_TAGS:
            raise yaml.constructor.ConstructorError(None, None, f"the tag {_tag(node.tag)!r} is "
                                                    "not allowed: a criteria file holds plain "
                                                    "data only", node.start_mark)
        return super().construct_object(node, deep=deep)

    def construct_mapping(self, node, deep=False):
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.MarkedYAMLError(None, None, "a key must be a plain word, not a list "
                                           "or a mapping", key_node.start_mark)
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.MarkedYAMLError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        for key_node, value_node in node.value:
            if (key_node.value == "version" and isinstance(value_node, yaml.ScalarNode)
                    and value_node.tag in (_INT, _FLOAT)):
                value_node.tag = _STR  # `version: 2026.10` is the label "2026.10", as written
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node):
        digits = sum(ch.isdigit() for ch in str(node.value))
        if digits > MAX_DIGITS:
            raise yaml.MarkedYAMLError(None, None, _too_long(digits), node.start_mark)
        return super().construct_yaml_int(node)

    def construct_yaml_timestamp(self, node):
        return self.construct_scalar(node)  # 2026-01-15 is the text a council wrote


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _tag(tag: str) -> str:
    """'tag:yaml.org,2002:set' as it is written, '!!set'; PyYAML's python/… tags in full."""
    standard = "tag:yaml.org,2002:"
    if tag.startswith(standard) and not tag.startswith(standard + "python/"):
        return "!!" + tag.removeprefix(standard)
    return tag


def _too_deep() -> str:
    return f"nested more than {MAX_NESTING} levels deep; a criteria file needs far fewer"


def _too_long(digits: int) -> str:
    return f"a number of {digits:,} digits is too large for a criteria file"


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise _TooLong(len(text.lstrip("-")))
    return int(text)


class _TooLong(ValueError):
    def __init__(self, digits: int):
        super().__init__(_too_long(digits))


class Written(float):
    """A number read from JSON or TOML that keeps the text it was written as, so that a label
    such as `version = 2026.10` stays "2026.10" (the model takes `.text` for text fields)."""

    text: str

    def __new__(cls, text: str) -> Self:
        number = super().__new__(cls, text.replace("_", ""))
        number.text = text
        return number


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def read_document(path: str | Path) -> Any:
    """The file's document as plain data (dicts, lists, scalars); CriteriaError when unreadable."""
    source = _escaped(str(path))  # a file name can hold an escape sequence too
    p = Path(path)
    fail = lambda msg: CriteriaError(source, [Problem("", msg)])  # noqa: E731
    suffix = p.suffix.lower()
    if suffix not in (".yaml", ".yml", ".toml", ".json"):
        raise fail("a criteria file must be .yaml, .yml, .toml or .json")
    raw = _read_bounded(p, fail)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise fail(f"not UTF-8 text (byte 0x{raw[e.start]:02X} on line {line}); save the file as "
                   "UTF-8") from None
    try:
        if suffix == ".toml":
            document = tomllib.loads(text, parse_float=Written)
        elif suffix == ".json":
            document = json.loads(text, object_pairs_hook=_no_duplicates, parse_int=_json_int,
                                  parse_float=Written)
        else:
            loader = _Loader(text)  # a SafeLoader that also refuses aliases and duplicate keys
            try:
                document = loader.get_single_data()
            finally:
                loader.dispose()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        message = str(e.problem or e.context)
        if e.context and e.problem and e.problem.startswith("but "):
            message = f"{e.context}, {e.problem}"  # "expected a single document…, but found…"
        if "'\\t'" in message:
            message = "a tab cannot start anything here: YAML is indented with spaces"
        raise CriteriaError(source, [Problem(where, message)]) from None
    except yaml.reader.ReaderError as e:
        line = text.count("\n", 0, e.position) + 1
        column = e.position - (text.rfind("\n", 0, e.position) + 1) + 1
        raise CriteriaError(source, [Problem(f"line {line}, column {column}",
                                             f"the character U+{e.character:04X} is not allowed "
                                             "in a criteria file")]) from None
    except yaml.YAMLError as e:
        raise fail(f"not valid YAML: {_one_line(e)}") from None
    except tomllib.TOMLDecodeError as e:
        raise fail(f"not valid TOML: {e}") from None
    except json.JSONDecodeError as e:
        raise CriteriaError(source, [Problem(f"line {e.lineno}, column {e.colno}",
                                             f"not valid JSON: {e.msg}")]) from None
    except _TooLong as e:
        raise fail(str(e)) from None
    except ValueError as e:  # duplicate key in JSON; an integer too long for Python (TOML)
        message = str(e)
        if "integer string conversion" in message:
            digits = re.search(r"value has (\d+) digits", message)
            message = _too_long(int(digits[1])) if digits else message
        raise fail(message) from None
    except RecursionError:
        raise fail(_too_deep()) from None
    if _depth(document) > MAX_NESTING:
        raise fail(_too_deep())
    return document


def _read_bounded(path: Path, fail: Any) -> bytes:
    """The file's bytes, read only when it is a regular file of at most MAX_BYTES, and never more
    than MAX_BYTES + 1 of them: /dev/zero, a FIFO or a 2 GB file is refused before it is read.
    The file is opened without blocking (a FIFO with no writer) and checked on the open handle."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as e:
        raise fail(f"cannot read the file: {e.strerror or e}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
        os.close(fd)
        if not stat.S_ISREG(info.st_mode):
            raise fail(f"not a regular file ({_file_kind(info.st_mode)}); a criteria file is a "
                       "file on disk")
        raise fail(_too_big(info.st_size))
    with os.fdopen(fd, "rb") as handle:
        try:
            raw = handle.read(MAX_BYTES + 1)
        except OSError as e:
            raise fail(f"cannot read the file: {e.strerror or e}") from None
    if len(raw) > MAX_BYTES:  # it grew after the size was taken
        raise fail(_too_big(len(raw), more=True))
    return raw


def _too_big(size: int, more: bool = False) -> str:
    return f"the file is {'more than ' if more else ''}{size:,} bytes; a criteria file is at most {MAX_BYTES:,}"


def _file_kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"),
             (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "not a file")


def _depth(document: Any) -> int:
    """How many lists and mappings lie inside each other (without recursion)."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, level)
            if level <= MAX_NESTING:
                stack.extend((v, level + 1) for v in (value.values() if isinstance(value, dict)
                                                      else value))
    return deepest


def _huge_numbers(document: Any) -> list[Problem]:
    """Every finite number beyond ±MAX_MAGNITUDE, at its place (infinities are pydantic's)."""
    found: list[Problem] = []
    stack: list[tuple[Any, tuple[int | str, ...]]] = [(document, ())]
    while stack:
        value, loc = stack.pop()
        if isinstance(value, dict):
            stack.extend((v, (*loc, str(k))) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((v, (*loc, i)) for i, v in reversed(list(enumerate(value))))
        elif (isinstance(value, int | float) and not isinstance(value, bool)
              and abs(value) > MAX_MAGNITUDE and value not in (math.inf, -math.inf)):
            found.append(Problem(location(loc), f"{_shown(value)} is too large: the numbers of a "
                                                "criteria file stay within ±10^15"))
    return found


# Keys whose text may run over several lines or hold a tab; every other text is one line.
_FREE_TEXT = frozenset({"name", "note", "basis", "expr", "when"})


def _clean(document: Any, loc: tuple[int | str, ...] = ()) -> tuple[Any, list[Problem]]:
    """The document with every text (keys and values: names, labels, codes, ids, indicators) in
    NFC, as the contract compares text; and every text that holds a control character (tab and
    line break aside, in free text) or a lone surrogate, at its place. Called after the depth
    check, so the recursion is bounded by MAX_NESTING."""
    if isinstance(document, str):
        found = _bad_characters(document, free=bool(loc) and loc[-1] in _FREE_TEXT)
        if found:
            return document, [Problem(location(loc), found)]
        return unicodedata.normalize("NFC", document), []
    problems: list[Problem] = []
    if isinstance(document, dict):
        out: dict[Any, Any] = {}
        for key, value in document.items():
            if isinstance(key, str):
                if found := _bad_characters(key, free=False):
                    problems.append(Problem(location((*loc, _escaped(key))), f"the key {found}"))
                    continue
                key = unicodedata.normalize("NFC", key)
                if key in out:
                    problems.append(Problem(location(loc), f"duplicate key {key!r} (two keys "
                                            "equal after NFC)"))
                    continue
            out[key], more = _clean(value, (*loc, key if isinstance(key, str) else str(key)))
            problems += more
        return out, problems
    if isinstance(document, list):
        items = []
        for i, value in enumerate(document):
            item, more = _clean(value, (*loc, i))
            items.append(item)
            problems += more
        return items, problems
    return document, problems


def _bad_characters(text: str, *, free: bool) -> str | None:
    """Why `text` cannot stand in a criteria file, or None."""
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cs":
            return (f"holds a lone surrogate {_escaped(ch)}, which is not a character (in "
                    f"{_quoted(text)}); save the file as UTF-8 text")
        if category == "Cc" and not (free and ch in "\t\n"):
            return (f"holds the control character {_escaped(ch)} (in {_quoted(text)}); a criteria "
                    "file holds printable text only")
    return None


def _escaped(text: str) -> str:
    """`text` with control characters and lone surrogates written as escapes (\\x1b, \\ud800)."""
    out = []
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cs"):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def _quoted(text: str, size: int = 60) -> str:
    shown = _escaped(text)
    return "'" + (shown if len(shown) <= size else shown[: size - 1] + "…") + "'"


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


def location(loc: tuple[int | str, ...]) -> str:
    """('criteria', 1, 'rule', 'linear', 'zero_at') → 'criteria[1].rule.zero_at'."""
    out = ""
    previous: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif previous in ("rule", "then") and part in m.RULE_TYPES:
            pass  # the discriminator's tag, not a place in the file
        elif part in _UNION_MEMBERS or part.startswith(("literal[", "function-")):
            pass
        else:
            part_text = part if part.isprintable() else repr(part)  # a key with a line break
            out += f".{part_text}" if out else part_text
        previous = part
    return out


def _vocabulary() -> set[str]:
    words: set[str] = set()
    stack: list[type[BaseModel]] = [m.Criteria]
    seen: set[type] = set()
    for cls in vars(m).values():
        if isinstance(cls, type) and issubclass(cls, BaseModel):
            stack.append(cls)
    for cls in stack:
        if cls not in seen:
            seen.add(cls)
            words.update(cls.model_fields)
    return words


def _message(error: Mapping[str, Any]) -> str:
    kind, value = error["type"], error.get("input")
    if kind == "missing":
        return "required"
    if kind == "extra_forbidden":
        key = str(error["loc"][-1])
        words = _vocabulary()
        if key in words:
            return f"unknown key {key!r} here (it belongs to another part of the file)"
        close = difflib.get_close_matches(key, sorted(words), n=1)
        return f"unknown key {key!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
    if kind == "union_tag_not_found":
        return f"missing rule type (one of: {', '.join(m.RULE_TYPES)})"
    if kind == "union_tag_invalid":
        return f"unknown rule type {error['ctx']['tag']!r} (one of: {', '.join(m.RULE_TYPES)})"
    if kind == "string_pattern_mismatch":
        return f"{value!r} must use only a-z, 0-9 and '-' (start with a letter or digit)"
    text = error["msg"].replace("Input should be", "must be")
    if isinstance(value, (str, int, float, bool)) or value is None:
        text += f", got {_shown(value)}"
    elif isinstance(value, dict):
        text += ", got a mapping"
    elif isinstance(value, list):
        text += ", got a list"
    return text


def _shown(value: object, size: int = 60) -> str:
    """A value as it goes into a message: repr, on one line, cut short when long."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**size:
        return f"a number of {len(str(abs(value)))} digits"
    text = repr(value)
    return text if len(text) <= size else text[: size - 1] + "…"


def _union_place(loc: tuple[int | str, ...]) -> str | None:
    """Where a union field (target, effect, quota.of) sits, when `loc` runs through one."""
    for i, part in enumerate(loc):
        if isinstance(part, str) and (part in _UNION_MEMBERS or part.startswith("literal[")):
            where = location(loc[:i])
            if where.rsplit(".", 1)[-1] in _UNION_MESSAGES:
                return where
    return None


def pydantic_problems(exc: ValidationError) -> list[Problem]:
    """Pydantic's errors as problems at file locations; a union's alternatives become one line."""
    problems: list[Problem] = []
    unions: set[str] = set()
    for error in exc.errors():
        union = _union_place(error["loc"])
        if union is not None:
            if union not in unions:
                unions.add(union)
                problems.append(Problem(union, _UNION_MESSAGES[union.rsplit(".", 1)[-1]]))
            continue
        if error["type"] == "invalid_key":  # the key itself is the last part of loc
            problems.append(Problem(location(error["loc"][:-1]),
                                    f"a key must be text, got {_shown(error.get('input'))}"))
            continue
        problems.append(Problem(location(error["loc"]), _message(error)))
    return problems


def parse_criteria(document: Any, source: str = "<criteria>") -> m.Criteria:
    """A document (plain data) → a checked model; CriteriaError lists every problem."""
    if not isinstance(document, dict):
        raise CriteriaError(source, [Problem("", "a criteria file must be a mapping of keys "
                                                 "(format, id, name, …) at its top level")])
    if _depth(document) > MAX_NESTING:
        raise CriteriaError(source, [Problem("", _too_deep())])
    document, problems = _clean(document)
    if problems := problems + _huge_numbers(document):
        raise CriteriaError(source, problems)
    try:
        criteria = m.Criteria.model_validate(document)
    except ValidationError as exc:
        raise CriteriaError(source, pydantic_problems(exc)) from None
    except RecursionError:
        raise CriteriaError(source, [Problem("", _too_deep())]) from None
    problems = check_criteria(criteria)
    if problems:
        raise CriteriaError(source, problems)
    return criteria


def load_criteria(path: str | Path) -> m.Criteria:
    return parse_criteria(read_document(path), _escaped(str(path)))


def dump(criteria: m.Criteria) -> dict[str, Any]:
    """The model as plain data that `parse_criteria` reads back to an equal model."""
    document = criteria.model_dump(mode="json", exclude_none=True)
    document["precision"] = criteria.precision  # None means "never round", not "the default"
    return document
