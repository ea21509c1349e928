"""Stage files → the one frame the engine scores, and the record of the stages
(thidua/core/stages.py merges them).

The first stage of `stages:` is read as any data file (every column the criteria read). A later
stage's file needs the unit id column; it may hold any of the indicator columns (an empty cell
gives no value: the earlier one stays) and its reason and "by whom" columns; its unit names and
clusters are not read (the first stage's are kept). Refused before any scoring: two stage files
that are one file (the same path, or the same bytes), a later stage's column the first stage's
file does not have, a unit the first stage does not have, and what core/stages.py refuses.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from thidua import model as m
from thidua.core import stages as core
from thidua.errors import Problem, UsageError
from thidua.i18n import _
from thidua.input import columns_for
from thidua.input.data import Columns, read_data, sha256_file
from thidua.input.data.parse import header_key

FLAGS = {"self": "--self", "verified": "--verified", "approved": "--approved"}


def given(files: dict[str, str | None]) -> list[tuple[str, str]]:
    """(stage, path) of every stage option given, in stage order."""
    return [(s, files[s]) for s in m.STAGE_ORDER if files.get(s)]  # type: ignore[misc]


def check_request(c: m.Criteria, data: str | None, files: list[tuple[str, str]],
                  source: str) -> None:
    """A usage error unless the run gives DATA or stage files as docs/cli.md says: DATA alone
    (one stage, with or without `stages:`), or stage options the criteria file declares,
    its first stage among them, and no DATA."""
    problems = []
    declared = [r.stage for r in core.rules(c)]
    if data is not None and files:
        problems.append(Problem("", _("give DATA or the stage files ({flags}), not both",
                                      flags=", ".join(FLAGS[s] for s, _p in files))))
    elif data is None and not files:
        problems.append(Problem("", _("no data: give DATA, or the stage files {flags}",
                                      flags=", ".join(FLAGS[s] for s in declared) or "--self")))
    for stage, _path in files:
        if not declared:
            problems.append(Problem("", _("{flag}: the criteria file has no stages: section; "
                                          "add one, or give the file as DATA",
                                          flag=FLAGS[stage])))
        elif stage not in declared:
            problems.append(Problem("stages", _("{flag}: stage {stage} is not one of the "
                                                "stages the file declares ({declared})",
                                                flag=FLAGS[stage], stage=stage,
                                                declared=", ".join(declared))))
    if declared and files and declared[0] not in [s for s, _p in files] and not problems:
        problems.append(Problem("stages", _("{flag} is missing: the first stage ({stage}) is "
                                            "the file every later stage changes",
                                            flag=FLAGS[declared[0]], stage=declared[0])))
    if problems:
        raise UsageError(source, problems)


def same_files(files: list[tuple[str, str]], sheets: dict[str, str | None] | None = None
               ) -> list[tuple[str, Problem]]:
    """Two stage files that are one: the same path, or the same bytes, and the same sheet (two
    sheets of one workbook are two stages)."""
    problems: list[tuple[str, Problem]] = []
    seen: dict[tuple[str, str | None], tuple[str, str]] = {}
    for stage, path in files:
        p = Path(path)
        if not p.is_file():
            continue  # read_data names it
        sheet = (sheets or {}).get(stage)
        for key, how in (((str(p.resolve()), sheet), _("the same file")),
                         ((sha256_file(p), sheet), _("the same content (SHA-256)"))):
            if key in seen:
                other, other_path = seen[key]
                problems.append((path, Problem("", _(
                    "{flag} and {other} are {how} ({path}); each stage needs its own file or sheet",
                    flag=FLAGS[stage], other=FLAGS[other], how=how, path=other_path))))
                break
        else:
            seen[(str(p.resolve()), sheet)] = (stage, path)
            seen[(sha256_file(p), sheet)] = (stage, path)
    return problems


def header(path: str, sheet: str | None, columns: Columns, decimal_comma: bool) -> list[str]:
    """The column names of a data file's header (an unreadable file: [], read_data names it)."""
    from thidua.input.data import _open
    from thidua.input.data.messages import _Unreadable

    try:
        return [h for h in _open(Path(path), sheet, columns, decimal_comma).header if h.strip()]
    except _Unreadable:
        return []


def read_stages(c: m.Criteria, files: list[tuple[str, str]], *, decimal_comma: bool = False,
                sheet: str | None = None, sheets: dict[str, str | None] | None = None
                ) -> tuple[pl.DataFrame, core.Staged | None]:
    """The frame to score and the stages' record (None: one stage, read as DATA is).
    `sheet`: the worksheet of every .xlsx stage file; `sheets`: a stage's own, before it."""
    from thidua.errors import DataError

    columns = columns_for(c)
    own = {stage: (sheets or {}).get(stage) or sheet for stage, _path in files}
    problems = same_files(files, own)
    if problems:
        raise core.StageError(problems)
    (first, base_path), later = files[0], files[1:]
    base = read_data(base_path, columns, decimal_comma=decimal_comma, sheet=own[first])
    if not later:
        return base, None
    by_rule = {r.stage: r for r in core.rules(c)}
    known = {header_key(h) for h in header(base_path, own[first], columns, decimal_comma)}
    found: list[tuple[str, Problem]] = []
    frames = []
    for stage, path in later:
        rule = by_rule[stage]
        texts = {core.REASON: rule.reason_column, core.BY: rule.by_column}
        names = header(path, own[stage], columns, decimal_comma)
        keys = {header_key(h) for h in names}
        strange = [h for h in names if header_key(h) not in known
                   and header_key(h) not in {header_key(t) for t in texts.values()}]
        found += [(path, Problem(_("header"), _(
            "column {name} is not in the first stage's file {first}: a later stage changes "
            "the first stage's values, it adds no column", name=repr(h), first=base_path)))
            for h in strange]
        mine = Columns(id=columns.id, name=columns.id, group=None,
                       numbers=_present(columns, columns.numbers, keys),
                       flags=_present(columns, columns.flags, keys),
                       labels=columns.labels, skip=columns.skip, texts=texts)
        try:
            frame = read_data(path, mine, decimal_comma=decimal_comma, sheet=own[stage]).drop("name")
        except DataError as e:
            found += [(path, p) for p in e.problems]
            continue
        frames.append(core.StageFrame(stage, path, frame))
    if found:  # with the units the first stage does not have, all at once
        whole = core.StageFrame(first, base_path, base)
        raise core.StageError(found + [p for f in frames for p in core.unknown_units(whole, f)])
    headers = {n: columns.header(n) for n in columns.numbers | columns.flags}
    return core.merge(c, core.StageFrame(first, base_path, base), frames, headers)


def _present(columns: Columns, names: frozenset[str], keys: set[str]) -> frozenset[str]:
    """The indicators of `names` whose header is among `keys` (a later stage's header)."""
    return frozenset(n for n in names if header_key(columns.header(n)) in keys)
