"""Criteria files → a checked `Criteria` model, or every problem at its place.

A file is data, never code: YAML is read with a safe loader that also refuses aliases (which
can blow up into billions of nodes) and duplicate keys (which YAML would silently overwrite).
"""

from __future__ import annotations

import difflib
import json
import tomllib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from . import model as m
from .checks import check_criteria
from .errors import CriteriaError, Problem

MAX_BYTES = 2_000_000
_UNION_MEMBERS = {"float", "IndicatorRef", "Cap", "ByClassification", "ByAward", "str", "int"}
_UNION_MESSAGES = {
    "target": "must be a number or {indicator: <column>}",
    "effect": "must be 'ineligible' or {cap: <label>}",
    "of": "must be units, eligible, {classification: <label>} or {award: <code>}",
}


class _Loader(yaml.SafeLoader):
    """SafeLoader without aliases and without duplicate keys."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(None, None, "aliases (*name) are not allowed in a criteria "
                                       "file; write the value out", event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def]
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.MarkedYAMLError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key) if isinstance(key, (str, int, float, bool)) else None
        return super().construct_mapping(node, deep=deep)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def read_document(path: str | Path) -> Any:
    """The file's document as plain data (dicts, lists, scalars); CriteriaError when unreadable."""
    source = str(path)
    p = Path(path)
    fail = lambda msg: CriteriaError(source, [Problem("", msg)])  # noqa: E731
    suffix = p.suffix.lower()
    if suffix not in (".yaml", ".yml", ".toml", ".json"):
        raise fail("a criteria file must be .yaml, .yml, .toml or .json")
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise fail(f"cannot read the file: {e.strerror or e}") from None
    if len(raw) > MAX_BYTES:
        raise fail(f"the file is {len(raw):,} bytes; a criteria file is at most {MAX_BYTES:,}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise fail(f"not UTF-8 text (byte {e.start}); save the file as UTF-8") from None
    try:
        if suffix == ".toml":
            return tomllib.loads(text)
        if suffix == ".json":
            return json.loads(text, object_pairs_hook=_no_duplicates)
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        message = str(e.problem or e.context)
        if isinstance(e, yaml.constructor.ConstructorError) and "tag" in message:
            tag = message.rsplit(" ", 1)[-1]
            message = f"the tag {tag} is not allowed: a criteria file holds plain data only"
        raise CriteriaError(source, [Problem(where, message)]) from None
    except yaml.YAMLError as e:
        raise fail(f"not valid YAML: {e}") from None
    except tomllib.TOMLDecodeError as e:
        raise fail(f"not valid TOML: {e}") from None
    except json.JSONDecodeError as e:
        raise CriteriaError(source, [Problem(f"line {e.lineno}, column {e.colno}",
                                             f"not valid JSON: {e.msg}")]) from None
    except ValueError as e:  # duplicate key in JSON
        raise fail(str(e)) from None
    except RecursionError:
        raise fail("nested too deeply to be a criteria file") from None


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
            out += f".{part}" if out else part
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


def _message(error: dict[str, Any]) -> str:
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
        text += f", got {value!r}"
    elif isinstance(value, dict):
        text += ", got a mapping"
    elif isinstance(value, list):
        text += ", got a list"
    return text


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
        problems.append(Problem(location(error["loc"]), _message(error)))
    return problems


def parse_criteria(document: Any, source: str = "<criteria>") -> m.Criteria:
    """A document (plain data) → a checked model; CriteriaError lists every problem."""
    if not isinstance(document, dict):
        raise CriteriaError(source, [Problem("", "a criteria file must be a mapping of keys "
                                                 "(format, id, name, …) at its top level")])
    try:
        criteria = m.Criteria.model_validate(document)
    except ValidationError as exc:
        raise CriteriaError(source, pydantic_problems(exc)) from None
    except RecursionError:
        raise CriteriaError(source, [Problem("", "nested too deeply")]) from None
    problems = check_criteria(criteria)
    if problems:
        raise CriteriaError(source, problems)
    return criteria


def load_criteria(path: str | Path) -> m.Criteria:
    return parse_criteria(read_document(path), str(path))


def dump(criteria: m.Criteria) -> dict[str, Any]:
    """The model as plain data that `parse_criteria` reads back to an equal model."""
    document = criteria.model_dump(mode="json", exclude_none=True)
    document["precision"] = criteria.precision  # None means "never round", not "the default"
    return document
