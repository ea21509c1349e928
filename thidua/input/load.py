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
from thidua.i18n import N_, _, system, thousands
from thidua.input.checks import check_criteria

MAX_BYTES = 2_000_000
MAX_NESTING = 100  # lists and mappings inside each other; a real file needs about 12
MAX_DIGITS = 300  # digits of an integer; a float has at most 309 before it is infinite
MAX_MAGNITUDE = 10**15  # beyond it a float no longer holds every whole number: no file needs more
_PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map",
                                                     "seq", "timestamp")}
_STR, _INT, _FLOAT = (f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float"))
_UNION_MEMBERS = {"float", "IndicatorRef", "Cap", "ByClassification", "ByAward", "str", "int"}
_UNION_MESSAGES = {  # message ids, translated where they are used (no values)
    "target": N_("must be a number or {indicator: <column>}"),
    "effect": N_("must be 'ineligible' or {cap: <label>}"),
    "of": N_("must be units, eligible, {classification: <label>} or {award: <code>}"),
}


class _Said(str):
    """A message of ours inside a YAML error (already in the reader's language), apart from
    PyYAML's own phrases, which are shown after `not valid YAML:`."""

    __slots__ = ()

    def __new__(cls, message: str, **values: Any) -> Self:
        return super().__new__(cls, _(message, **values))


class _Loader(yaml.SafeLoader):
    """SafeLoader for plain data: no aliases, no duplicate keys, no tags beyond the plain ones
    (a !!set, !!binary or !include is refused), no nesting deeper than MAX_NESTING, no integer
    longer than MAX_DIGITS; a date stays the text it was written as."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(None, None, _Said("aliases (*name) are not allowed in a "
                                                     "criteria file; write the value out"),
                                       event.start_mark)
        depth = getattr(self, "_depth", 0)
        if depth >= MAX_NESTING and self.check_event(yaml.CollectionStartEvent):
            raise yaml.MarkedYAMLError(None, None, _Said(_too_deep()),
                                       self.peek_event().start_mark)
        self._depth = depth + 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth = depth

    def construct_object(self, node, deep=False):
        if node.tag == "tag:yaml.org,2002:merge":
            raise yaml.MarkedYAMLError(None, None, _Said("merge keys (<<) are not allowed in a "
                                                     "criteria file; write the keys out"),
                                       node.start_mark)
        if node.tag not in _PLAIN_TAGS:
            raise yaml.constructor.ConstructorError(
                None, None, _Said("the tag {tag} is not allowed: a criteria file holds plain data "
                              "only", tag=repr(_tag(node.tag))), node.start_mark)
        return super().construct_object(node, deep=deep)

    def construct_mapping(self, node, deep=False):
        seen: set[Any] = set()
        for key_node, _value in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.MarkedYAMLError(None, None, _Said("a key must be a plain word, not a list "
                                                         "or a mapping"), key_node.start_mark)
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.MarkedYAMLError(None, None, _Said("duplicate key {key}", key=repr(key)),
                                           key_node.start_mark)
            seen.add(key)
        for key_node, value_node in node.value:
            if (key_node.value == "version" and isinstance(value_node, yaml.ScalarNode)
                    and value_node.tag in (_INT, _FLOAT)):
                value_node.tag = _STR  # `version: 2026.10` is the label "2026.10", as written
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node):
        digits = sum(ch.isdigit() for ch in str(node.value))
        if digits > MAX_DIGITS:
            raise yaml.MarkedYAMLError(None, None, _Said(_too_long(digits)), node.start_mark)
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
    return _("nested more than {levels} levels deep; a criteria file needs far fewer",
             levels=MAX_NESTING)


def _too_long(digits: int) -> str:
    return _("a number of {digits} digits is too large for a criteria file", digits=thousands(digits))


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
            raise ValueError(_("duplicate key {key}", key=repr(key)))
        out[key] = value
    return out


def read_document(path: str | Path) -> Any:
    """The file's document as plain data (dicts, lists, scalars); CriteriaError when unreadable."""
    return read_with_lines(path)[0]


Lines = dict[tuple[int | str, ...], int]  # a place in the document → the line it is written on


def read_with_lines(path: str | Path) -> tuple[Any, Lines]:
    """The file's document and, for a YAML file, the line of every key and list item in it
    (empty for TOML and JSON); CriteriaError when unreadable."""
    lines: Lines = {}
    document: Any
    source = _escaped(str(path))  # a file name can hold an escape sequence too
    p = Path(path)
    fail = lambda msg: CriteriaError(source, [Problem("", msg)])  # noqa: E731
    suffix = p.suffix.lower()
    if suffix not in (".yaml", ".yml", ".toml", ".json"):
        raise fail(_("a criteria file must be .yaml, .yml, .toml or .json"))
    raw = _read_bounded(p, fail)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise fail(_("not UTF-8 text (byte {byte} on line {line}); save the file as UTF-8",
                     byte="0x" + format(raw[e.start], "02X"), line=line)) from None
    try:
        if suffix == ".toml":
            document = tomllib.loads(text, parse_float=Written)
        elif suffix == ".json":
            document = json.loads(text, object_pairs_hook=_no_duplicates, parse_int=_json_int,
                                  parse_float=Written)
        else:
            loader = _Loader(text)  # a SafeLoader that also refuses aliases and duplicate keys
            try:
                node = loader.get_single_node()
                document = loader.construct_document(node) if node is not None else None
            finally:
                loader.dispose()
            if node is not None:
                lines = _node_lines(node)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = _("line {line}, column {column}", line=mark.line + 1,
                  column=mark.column + 1) if mark else ""
        message = str(e.problem or e.context)
        if e.context and e.problem and e.problem.startswith("but "):
            message = f"{e.context}, {e.problem}"  # "expected a single document…, but found…"
        if "'\\t'" in message:
            message = _("a tab cannot start anything here: YAML is indented with spaces")
        elif not isinstance(e.problem, _Said):
            message = _("not valid YAML: {reason}", reason=_yaml_said(message))
        raise CriteriaError(source, [Problem(where, message)]) from None
    except yaml.reader.ReaderError as e:
        line = text.count("\n", 0, e.position) + 1
        column = e.position - (text.rfind("\n", 0, e.position) + 1) + 1
        raise CriteriaError(source, [Problem(
            _("line {line}, column {column}", line=line, column=column),
            _("the character {character} is not allowed in a criteria file",
              character="U+" + format(e.character, "04X")))]) from None
    except yaml.YAMLError as e:
        raise fail(_("not valid YAML: {reason}", reason=_one_line(e))) from None
    except tomllib.TOMLDecodeError as e:
        raise fail(_("not valid TOML: {reason}", reason=str(e))) from None
    except json.JSONDecodeError as e:
        raise CriteriaError(source, [Problem(
            _("line {line}, column {column}", line=e.lineno, column=e.colno),
            _("not valid JSON: {reason}", reason=e.msg))]) from None
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
    return document, lines


def _node_lines(root: yaml.Node) -> Lines:
    """The 1-based line of every key and list item under `root` (composed YAML nodes; the depth
    is bounded by MAX_NESTING, checked while composing)."""
    lines: Lines = {}
    stack: list[tuple[yaml.Node, tuple[int | str, ...]]] = [(root, ())]
    while stack:
        node, loc = stack.pop()
        lines.setdefault(loc, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = (*loc, unicodedata.normalize("NFC", str(key_node.value)))
                stack.append((value_node, key))
                lines[key] = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*loc, i)) for i, item in enumerate(node.value))
    return lines


# PyYAML's phrases that a person meets most, as message ids with their values named; any other
# phrase is shown as PyYAML wrote it.
_YAML_PHRASES = (
    (r"mapping values are not allowed here",
     N_("a ':' here cannot start a value (a missing space after ':' or a wrong indent?)")),
    (r"expected <block end>, but found .+",
     N_("the indentation does not match the lines above")),
    (r"found unexpected end of stream",
     N_("the file ends inside a quoted text (a closing quote is missing)")),
    (r"expected (?P<first>'.') or (?P<second>'.'), but got '<stream end>'",
     N_("the file ends before a list or mapping is closed (expected {first} or {second})")),
    (r"expected (?P<first>'.') or (?P<second>'.'), but got (?P<found>.+)",
     N_("expected {first} or {second}, found {found}")),
    (r"found character (?P<character>.+) that cannot start any token",
     N_("the character {character} cannot start a value (put the text in quotes)")),
    (r"expected a single document in the stream, but found another document",
     N_("a criteria file holds one document: remove the second '---'")),
    (r"could not find expected ':'", N_("a ':' is missing after a key")),
    (r"did not find expected key", N_("a key is missing here (a wrong indent?)")),
)


def _yaml_said(phrase: str) -> str:
    for pattern, message in _YAML_PHRASES:
        matched = re.fullmatch(pattern, phrase)
        if matched:
            return _(message, **matched.groupdict())
    return phrase


def _read_bounded(path: Path, fail: Any) -> bytes:
    """The file's bytes, read only when it is a regular file of at most MAX_BYTES, and never more
    than MAX_BYTES + 1 of them: /dev/zero, a FIFO or a 2 GB file is refused before it is read.
    The file is opened without blocking (a FIFO with no writer) and checked on the open handle."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as e:
        raise fail(_("cannot read the file: {reason}", reason=system(e))) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
        os.close(fd)
        if not stat.S_ISREG(info.st_mode):
            raise fail(_("not a regular file ({kind}); a criteria file is a file on disk",
                         kind=_file_kind(info.st_mode)))
        raise fail(_too_big(info.st_size))
    with os.fdopen(fd, "rb") as handle:
        try:
            raw = handle.read(MAX_BYTES + 1)
        except OSError as e:
            raise fail(_("cannot read the file: {reason}", reason=system(e))) from None
    if len(raw) > MAX_BYTES:  # it grew after the size was taken
        raise fail(_too_big(len(raw), more=True))
    return raw


def _too_big(size: int, more: bool = False) -> str:
    if more:
        return _("the file is more than {size} bytes; a criteria file is at most {most}",
                 size=thousands(size), most=thousands(MAX_BYTES))
    return _("the file is {size} bytes; a criteria file is at most {most}", size=thousands(size),
             most=thousands(MAX_BYTES))


def _file_kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, N_("a folder")), (stat.S_ISFIFO, N_("a named pipe")),
             (stat.S_ISCHR, N_("a device")), (stat.S_ISBLK, N_("a device")),
             (stat.S_ISSOCK, N_("a socket")))
    return _(next((name for test, name in kinds if test(mode)), N_("not a file")))


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
            found.append(Problem(location(loc), _("{value} is too large: the numbers of a "
                                                  "criteria file stay within ±10^15",
                                                  value=_shown(value))))
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
                    problems.append(Problem(location((*loc, _escaped(key))),
                                            _("the key {problem}", problem=found)))
                    continue
                key = unicodedata.normalize("NFC", key)
                if key in out:
                    problems.append(Problem(location(loc), _("duplicate key {key} (two keys equal "
                                                             "after NFC)", key=repr(key))))
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
            return _("holds a lone surrogate {character}, which is not a character (in {text}); "
                     "save the file as UTF-8 text", character=_escaped(ch), text=_quoted(text))
        if category == "Cc" and not (free and ch in "\t\n"):
            return _("holds the control character {character} (in {text}); a criteria file "
                     "holds printable text only", character=_escaped(ch), text=_quoted(text))
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


# What a mapping looks like where a file gives something else: shown in the message.
_EXAMPLES = {
    "units": "{id: ma, name: ten, group: cum}",
    "quota": "{percent: 20}",
    "eligible": "{min_total: 80}",
    "ranking": "{method: competition}",
    "rule": "{type: linear, indicator: ty_le, zero_at: 50, full_at: 100}",
    "then": "{type: linear, indicator: ty_le, zero_at: 50, full_at: 100}",
    "bonus": "{max_points: 5, criteria: [...]}",
    "penalty": "{max_points: 5, criteria: [...]}",
    "criteria": "{code: A, name: ..., max_points: 10, rule: {...}}",
    "children": "{code: A.1, name: ..., max_points: 5, rule: {...}}",
    "classification": "{label: Tốt, min: 80}",
    "tie_break": "{criterion: II}",
    "knockouts": "{code: K1, name: ..., when: ...}",
    "awards": "{code: BK, name: ..., quota: {count: 1}}",
    "bands": "{min: 90, points: 10}",
    "effect": "{cap: Khá}",
}


def _field(loc: tuple[int | str, ...]) -> str:
    """The name of the field `loc` ends at (a list item's list, a union's field)."""
    for part in reversed(loc):
        if isinstance(part, str) and not (part in _UNION_MEMBERS or part in m.RULE_TYPES
                                          or part.startswith(("literal[", "function-"))):
            return part
    return ""


def _got(value: object) -> str:
    """What the file wrote instead, in words."""
    if isinstance(value, dict):
        return _("a mapping")
    if isinstance(value, list):
        return _("a list")
    if value is None:
        return _("nothing (an empty value)")
    if isinstance(value, bool):
        return "true" if value else "false"
    return _shown(value)


def _expected(ctx: Mapping[str, Any]) -> str:
    """pydantic's `'a', 'b' or 'c'` as `a, b, c`."""
    return ", ".join(re.findall(r"'([^']*)'", str(ctx.get("expected", "")))) or str(ctx.get("expected"))


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _message(error: Mapping[str, Any]) -> str:
    """A secretary's words for each kind of pydantic error (its `type`), with what was expected
    and what the file wrote; pydantic's own phrase only for a kind no file has shown yet."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    loc = error["loc"]
    field = _field(loc)
    got = _got(value)
    if kind == "missing":
        return _("{key} is missing: it is required here", key=field)
    if kind == "extra_forbidden":
        key = str(loc[-1])
        words = _vocabulary()
        if key in words:
            return _("unknown key {key} here (it belongs to another part of the file)",
                     key=repr(key))
        close = difflib.get_close_matches(key, sorted(words), n=1)
        if close:
            return _("unknown key {key} (did you mean {close}?)", key=repr(key),
                     close=repr(close[0]))
        return _("unknown key {key}", key=repr(key))
    if kind == "union_tag_not_found":
        return _("missing rule type: write type: and one of {types}",
                 types=", ".join(m.RULE_TYPES))
    if kind == "union_tag_invalid":
        return _("unknown rule type {tag} (one of: {types})", tag=repr(ctx.get("tag")),
                 types=", ".join(m.RULE_TYPES))
    if kind == "string_pattern_mismatch":
        return _("{value} must use only a-z, 0-9 and '-' (start with a letter or digit)",
                 value=repr(value))
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        example = _EXAMPLES.get(field)
        if example:
            return _("{key} must be a mapping of keys, for example {example}; the file has "
                     "{got}", key=field, example=example, got=got)
        return _("{key} must be a mapping of keys; the file has {got}", key=field, got=got)
    if kind == "list_type":
        return _("{key} must be a list (one '- ' line per item); the file has {got}", key=field,
                 got=got)
    if kind == "literal_error":
        return _("{key} must be one of: {choices}; the file has {got}", key=field,
                 choices=_expected(ctx), got=got)
    if kind in ("float_type", "float_parsing", "int_type", "int_parsing", "int_from_float"):
        if kind.startswith("int"):
            return _("{key} must be a whole number; the file has {got}", key=field, got=got)
        return _("{key} must be a number; the file has {got}", key=field, got=got)
    if kind == "finite_number":
        return _("{key} must be a finite number; the file has {got}", key=field, got=got)
    if kind in ("bool_type", "bool_parsing"):
        return _("{key} must be true or false; the file has {got}", key=field, got=got)
    if kind in ("string_type", "str_type"):
        return _("{key} must be text; the file has {got}", key=field, got=got)
    bounds = {"greater_than_equal": ("ge", N_("{key} must be at least {bound}; the file has {got}")),
              "greater_than": ("gt", N_("{key} must be more than {bound}; the file has {got}")),
              "less_than_equal": ("le", N_("{key} must be at most {bound}; the file has {got}")),
              "less_than": ("lt", N_("{key} must be less than {bound}; the file has {got}"))}
    if kind in bounds:
        name, message = bounds[kind]
        return _(message, key=field, bound=_number(ctx.get(name)), got=got)
    if kind == "too_short":
        return _("{key} must have at least {count} item(s); the file has {actual}", key=field,
                 count=ctx.get("min_length"), actual=ctx.get("actual_length"))
    if kind == "too_long":
        return _("{key} may have at most {count} item(s); the file has {actual}", key=field,
                 count=ctx.get("max_length"), actual=ctx.get("actual_length"))
    if kind == "value_error":
        return str(ctx.get("error") or error["msg"])
    text = error["msg"].replace("Input should be", "must be")
    return _("{key}: {reason}; the file has {got}", key=field, reason=text, got=got)


def _shown(value: object, size: int = 60) -> str:
    """A value as it goes into a message: repr, on one line, cut short when long."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**size:
        return _("a number of {digits} digits", digits=len(str(abs(value))))
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
                problems.append(Problem(union, _(_UNION_MESSAGES[union.rsplit(".", 1)[-1]])))
            continue
        if error["type"] == "invalid_key":  # the key itself is the last part of loc
            problems.append(Problem(location(error["loc"][:-1]),
                                    _("a key must be text, not {value}",
                                      value=_shown(error.get("input")))))
            continue
        problems.append(Problem(location(error["loc"]), _message(error)))
    return problems


def parse_criteria(document: Any, source: str = "<criteria>",
                   lines: Lines | None = None) -> m.Criteria:
    """A document (plain data) → a checked model; CriteriaError lists every problem, each with
    the criterion it is about and, given the `lines` of the file, the line it is written on."""
    try:
        return _parse(document, source)
    except CriteriaError as e:
        if not isinstance(document, dict):
            raise
        raise CriteriaError(e.source, [_placed(p, document, lines or {}) for p in e.problems]
                            ) from None


_STEP = re.compile(r"\[(\d+)\]|([^.\[]+)")


def _steps(where: str) -> tuple[int | str, ...] | None:
    """'criteria[1].rule.full_at' → ('criteria', 1, 'rule', 'full_at'); None for a place that is
    not a path in the document (`line 3, column 5`)."""
    if not where or " " in where:
        return None
    return tuple(int(n) if n else name for n, name in _STEP.findall(where))


def _placed(problem: Problem, document: dict[str, Any], lines: Lines) -> Problem:
    """The problem with the line its place is written on and the criterion or award it is in."""
    steps = _steps(problem.where)
    if steps is None or problem.line is not None:
        return problem
    line = next((lines[steps[:n]] for n in range(len(steps), 0, -1) if steps[:n] in lines), None)
    return Problem(problem.where, problem.message, line, _about(steps, document))


def _about(steps: tuple[int | str, ...], document: dict[str, Any]) -> str | None:
    """`criterion A.1 “Tỷ lệ”` for the deepest criterion (or award, bonus, penalty, knockout)
    that the place lies in, as the document names it."""
    value: Any = document
    found: str | None = None
    for i, step in enumerate(steps):
        if isinstance(value, dict) and isinstance(step, str):
            value = value.get(step)
        elif isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value):
            value = value[step]
            kind = steps[i - 1] if i else None
            if isinstance(value, dict) and isinstance(value.get("code"), str):
                code, name = value["code"], value.get("name")
                named = f"{code} “{name}”" if isinstance(name, str) else code
                found = {"awards": _("award {code}", code=named),
                         "knockouts": _("knockout {code}", code=named)}.get(
                             str(kind), _("criterion {code}", code=named))
        else:
            break
    return found


def _parse(document: Any, source: str) -> m.Criteria:
    if not isinstance(document, dict):
        raise CriteriaError(source, [Problem("", _("a criteria file must be a mapping of keys "
                                                   "(format, id, name, …) at its top level"))])
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
    document, lines = read_with_lines(path)
    return parse_criteria(document, _escaped(str(path)), lines)


def dump(criteria: m.Criteria) -> dict[str, Any]:
    """The model as plain data that `parse_criteria` reads back to an equal model."""
    document = criteria.model_dump(mode="json", exclude_none=True)
    document["precision"] = criteria.precision  # None means "never round", not "the default"
    return document
