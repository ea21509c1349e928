"""Manifests: what a run read, how it was asked, and what it wrote, so that it can be checked.

Every command that writes a file (`-o`) leaves `<output>.manifest.json` beside it:

    {"manifest": 1, "thidua": "0.1.0", "created": "2026-05-04T08:15:00Z",
     "command": "score",
     "arguments": {"criteria": "bang-diem.yaml", "data": "so-lieu.csv"},
     "options": {"format": null, "output": "ket-qua.csv", "decimal_comma": false, "sheet": null},
     "inputs": [{"role": "criteria", "path": "bang-diem.yaml", "absolute": "/…/bang-diem.yaml",
                 "sha256": "…"},
                {"role": "data", "path": "so-lieu.csv", "absolute": "/…/so-lieu.csv",
                 "sha256": "…", "rows": 14, "units": 12, "blank_rows_skipped": 2,
                 "blank_rows": [5, 9]}],
     "outputs": [{"path": "ket-qua.csv", "format": "csv", "sha256": "…", "bytes": 2210}]}

Paths are kept as the user gave them (and absolute, to find them from elsewhere); options keep
their long names (`--decimal-comma` → `decimal_comma`). The outputs hold no time and no random
order, so the same inputs and options give the same bytes: `thidua verify` reruns the command
and compares. The functions here are pure but for `digest`, `read` and `write`.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import Any

from thidua.errors import Problem, ThiduaError
from thidua.i18n import N_, _, system, thousands
from thidua.output import formats

FORMAT = 1
SUFFIX = ".manifest.json"


class ManifestError(ThiduaError):
    """A manifest that cannot be read, or inputs that no longer match it."""


@dataclass(frozen=True)
class Input:
    """A file the run read. `rows`, `units` and `blank` only for a data file."""

    role: str  # the command's parameter: criteria, data, …
    path: str  # as given
    absolute: str
    sha256: str
    rows: int | None = None  # rows below the header (records for Parquet and JSON)
    units: int | None = None
    blank: int | None = None  # rows == units + blank
    blank_rows: tuple[int, ...] = ()  # the first of them, as row numbers


@dataclass(frozen=True)
class Output:
    path: str  # as given
    format: str
    sha256: str
    bytes: int


@dataclass(frozen=True)
class Manifest:
    command: str
    arguments: dict[str, Any]  # the command's arguments by name, as given
    options: dict[str, Any]  # its options by long name, as given or defaulted
    inputs: tuple[Input, ...]
    outputs: tuple[Output, ...]
    version: str
    created: str  # UTC, ISO 8601
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def input(self, role: str) -> Input | None:
        return next((i for i in self.inputs if i.role == role), None)


def path_for(output: str | Path) -> str:
    """Where the manifest of `output` lives: beside it, `<output>.manifest.json`."""
    return f"{output}{SUFFIX}"


def output_for(manifest_path: str | Path) -> Path:
    """The output a manifest sits beside (its name without `.manifest.json`)."""
    p = Path(manifest_path)
    return p.with_name(p.name.removesuffix(SUFFIX))


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def digest(path: str | Path) -> str:
    """SHA-256 of a file's bytes (hex), read in chunks."""
    with Path(path).open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def digests(paths: list[str]) -> dict[str, str]:
    """SHA-256 of several files at once, one thread each (hashlib lets go of the GIL while it
    hashes), so that a run's output and its inputs take as long as the largest of them."""
    unique = list(dict.fromkeys(paths))
    if len(unique) <= 1:
        return {p: digest(p) for p in unique}
    with ThreadPoolExecutor(max_workers=len(unique)) as pool:
        return dict(zip(unique, pool.map(digest, unique), strict=True))


def to_document(m: Manifest) -> dict[str, Any]:
    inputs = []
    for i in m.inputs:
        entry: dict[str, Any] = {"role": i.role, "path": i.path, "absolute": i.absolute,
                                 "sha256": i.sha256}
        if i.rows is not None:
            entry |= {"rows": i.rows, "units": i.units, "blank_rows_skipped": i.blank,
                      "blank_rows": list(i.blank_rows)}
        inputs.append(entry)
    return {
        "manifest": FORMAT, "thidua": m.version, "created": m.created, "command": m.command,
        "arguments": m.arguments, "options": m.options, "inputs": inputs,
        "outputs": [{"path": o.path, "format": o.format, "sha256": o.sha256, "bytes": o.bytes}
                    for o in m.outputs],
        **m.extra,
    }


def dumps(m: Manifest) -> str:
    return json.dumps(to_document(m), ensure_ascii=False, indent=2) + "\n"


_KEYS = ("manifest", "thidua", "created", "command", "arguments", "options", "inputs", "outputs")
LIMIT = 1 << 20  # bytes: a manifest is a few kB; a larger file is not read at all
FORMATS = tuple(formats.FORMATS)  # the registry's (thidua/output/formats.py)


def from_document(document: Any, source: str) -> Manifest:
    """A manifest from its JSON document; ManifestError names every field that is wrong."""
    problems: list[Problem] = []
    if not isinstance(document, dict):
        raise ManifestError(source, [Problem("", _("a manifest is a JSON object; this is not one"))])
    for key in _KEYS:
        if key not in document:
            problems.append(Problem(key, _("required")))
    if problems:
        raise ManifestError(source, problems)
    version = document["manifest"]
    if not isinstance(version, int) or isinstance(version, bool) or version != FORMAT:
        raise ManifestError(source, [Problem("manifest", _(
            "must be {expected}, got {value}", expected=FORMAT,
            value=shown(json.dumps(version, ensure_ascii=False))))])
    expect = {"thidua": str, "created": str, "command": str, "arguments": dict, "options": dict,
              "inputs": list, "outputs": list}
    for key, kind in expect.items():
        if not isinstance(document[key], kind):
            problems.append(Problem(key, _("must be {kind}", kind=_(_KIND[kind]))))
    if problems:
        raise ManifestError(source, problems)
    inputs = [_input(x, f"inputs[{n}]", problems) for n, x in enumerate(document["inputs"])]
    outputs = [_output(x, f"outputs[{n}]", problems) for n, x in enumerate(document["outputs"])]
    if not outputs and not problems:
        problems.append(Problem("outputs", _("lists no output")))
    if problems:
        raise ManifestError(source, problems)
    extra = {k: v for k, v in document.items() if k not in _KEYS}
    return Manifest(document["command"], document["arguments"], document["options"],
                    tuple(i for i in inputs if i), tuple(o for o in outputs if o),
                    document["thidua"], document["created"], extra)


_KIND = {str: N_("text"), dict: N_("an object"), list: N_("a list"), int: N_("a whole number")}
_HEX = frozenset("0123456789abcdef")


def _fields(x: Any, where: str, want: dict[str, type], problems: list[Problem]) -> bool:
    if not isinstance(x, dict):
        problems.append(Problem(where, _("must be an object")))
        return False
    ok = True
    for key, kind in want.items():
        value = x.get(key)
        wrong = (_("must be {kind}", kind=_(_KIND[kind])) if not isinstance(value, kind) or isinstance(value, bool)
                 else _wrong(key, value))
        if wrong:
            problems.append(Problem(f"{where}.{key}", wrong))
            ok = False
    return ok


def _wrong(key: str, value: Any) -> str | None:
    """What is wrong with a value of the right type (None when nothing is)."""
    if isinstance(value, int) and value < 0:
        return _("must not be negative, got {value}", value=value)
    if key == "sha256" and not (len(value) == 64 and set(value) <= _HEX):
        return _("must be 64 hexadecimal digits (a-f, 0-9), got {value}",
                 value=shown(repr(value)[:80]))
    if key in ("path", "absolute") and (not value or "\0" in value):
        return _("must name a file, got {value}", value=shown(repr(value)[:200]))
    return None


def _input(x: Any, where: str, problems: list[Problem]) -> Input | None:
    if not _fields(x, where, {"role": str, "path": str, "absolute": str, "sha256": str}, problems):
        return None
    counts = {k: x.get(k) for k in ("rows", "units", "blank_rows_skipped")}
    if any(v is not None for v in counts.values()) and \
            not _fields(x, where, dict.fromkeys(counts, int), problems):
        return None
    if not PurePath(x["absolute"]).is_absolute():
        problems.append(Problem(f"{where}.absolute", _(
            "must be an absolute path, got {value}", value=shown(repr(x["absolute"])[:200]))))
        return None
    blank = x.get("blank_rows") or []
    if not isinstance(blank, list) or not all(isinstance(r, int) and not isinstance(r, bool)
                                              and r >= 0 for r in blank):
        problems.append(Problem(f"{where}.blank_rows", _("must be a list of row numbers")))
        return None
    return Input(x["role"], x["path"], x["absolute"], x["sha256"], counts["rows"],
                 counts["units"], counts["blank_rows_skipped"], tuple(blank))


def _output(x: Any, where: str, problems: list[Problem]) -> Output | None:
    if not _fields(x, where, {"path": str, "format": str, "sha256": str, "bytes": int}, problems):
        return None
    if PurePath(x["path"]).name in ("", ".", ".."):
        problems.append(Problem(f"{where}.path", _("must name a file, got {value}",
                                                   value=shown(repr(x["path"])[:200]))))
        return None
    if x["format"] not in FORMATS:
        problems.append(Problem(f"{where}.format", _(
            "must be one of {choices}, got {value}", choices=", ".join(FORMATS),
            value=shown(repr(x["format"])[:80]))))
        return None
    return Output(x["path"], x["format"], x["sha256"], x["bytes"])


def read(path: str | Path) -> Manifest:
    """The manifest at `path`; ManifestError when it is not a regular file of at most LIMIT
    bytes holding a manifest (strict JSON: no NaN, no numbers of thousands of digits)."""
    source = shown(str(path))
    try:  # without waiting: a FIFO would block open() until someone writes to it
        with os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise ManifestError(source, [Problem("", _("is not a regular file"))])
            raw = f.read(LIMIT + 1)
    except FileNotFoundError:
        raise ManifestError(source, [Problem("", _("no such file"))]) from None
    except OSError as e:
        raise ManifestError(source, [Problem("", _("cannot be read: {reason}",
                                                   reason=system(e)))]) from None
    if len(raw) > LIMIT:
        raise ManifestError(source, [Problem("", _(
            "is larger than {limit} bytes, the most a manifest may hold; it was not read",
            limit=thousands(LIMIT)))])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ManifestError(source, [Problem("", _("is not UTF-8 text: {reason} at byte {byte}",
                                                   reason=e.reason, byte=e.start))]) from None
    try:
        document = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise ManifestError(source, [Problem("", _("is not a JSON manifest: nested too deeply"))]) \
            from None
    except ValueError as e:  # JSONDecodeError, NaN, a number of too many digits
        raise ManifestError(source, [Problem("", _("is not a JSON manifest: {reason}",
                                                   reason=shown(str(e))))]) \
            from None
    return from_document(document, source)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def shown(text: str) -> str:
    """Text as it may be printed: control characters (C0, C1, DEL), format characters (bidi
    overrides …), line and paragraph separators and lone surrogates escaped as Python writes
    them (an ESC as \\x1b, a NUL as \\x00), everything else as it is."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else _escape(ch) for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    if ch in "\t\n\r":
        return repr(ch)[1:-1]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 \
        else f"\\U{code:08x}"


def write(manifest: Manifest, output: str | Path) -> str:
    """Write the manifest of `output` beside it, atomically; return its path."""
    from thidua.output.writing import write_atomic

    path = path_for(output)
    data = dumps(manifest).encode("utf-8")

    def fill(tmp: str) -> None:
        Path(tmp).write_bytes(data)

    write_atomic(path, fill)
    return path
