"""The command line, for any criteria file and any data (Hypothesis): the file and its data go
through thidua's own readers (YAML, Parquet) and every output format, written with -o."""

from __future__ import annotations

import json
import os

import polars as pl
import yaml
from click.testing import CliRunner
from hypothesis import example, given, settings

from thidua.cli import cli

from .strategies import frame, scenarios
from .test_properties_outputs import FORMULA_THEN_MANUAL, PER_ALL, _tables

# each example runs six commands: a sixth of the profile's examples (conftest.py) keeps the
# time of these properties near that of one other property
FEWER = settings(max_examples=max(1, settings().max_examples // 6))

FORMATS = ("csv", "json", "parquet", "table", "markdown", "html")
EXTENSION = {"csv": "csv", "json": "json", "parquet": "parquet", "table": "txt", "markdown": "md",
             "html": "html"}


def _write(folder, doc, data):
    (folder / "c.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
                                   encoding="utf-8")
    frame(data).drop("row").write_parquet(folder / "d.parquet")


def _ids(path, fmt):
    if fmt == "csv":
        return sorted(pl.read_csv(path, infer_schema=False).get_column("id"))
    if fmt == "json":
        return sorted(u["id"] for u in json.loads(path.read_text(encoding="utf-8"))["units"])
    return sorted(pl.read_parquet(path).get_column("id"))


def _run(folder, command, fmt):
    """The output written by `command` -o, or None when the data is bad input for the file: then
    it is said on standard error, and a file already at -o is left byte-identical."""
    out = folder / f"{command}.{EXTENSION[fmt]}"
    before = out.read_bytes() if out.exists() else None
    here = os.getcwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(cli, [command, "c.yaml", "d.parquet", "-o", out.name],
                                    catch_exceptions=False)
    finally:
        os.chdir(here)
    if result.exit_code == 1:
        assert result.stderr.startswith("Error: d.parquet"), result.stderr
        assert (out.read_bytes() if out.exists() else None) == before
        return None
    assert result.exit_code == 0, result.stderr
    return out


@FEWER
@given(scenarios())
@example(case=FORMULA_THEN_MANUAL)
def test_score_writes_every_unit_it_reads_in_every_format(tmp_path_factory, case):
    doc, data = case
    folder = tmp_path_factory.mktemp("score")
    _write(folder, doc, data)
    ids = sorted(r["id"] for r in data)
    for fmt in FORMATS:
        out = _run(folder, "score", fmt)
        if out is None:
            return
        if fmt in ("csv", "json", "parquet"):
            assert _ids(out, fmt) == ids, fmt
        else:
            assert _tables(out.read_text(encoding="utf-8"), fmt) == len(ids), fmt


@FEWER
@given(scenarios(min_awards=1))
@example(case=PER_ALL)
@example(case=FORMULA_THEN_MANUAL)
def test_awards_writes_every_unit_once_per_award_in_every_format(tmp_path_factory, case):
    doc, data = case
    folder = tmp_path_factory.mktemp("awards")
    _write(folder, doc, data)
    n = len(data) * len(doc["awards"])
    for fmt in FORMATS:
        out = _run(folder, "awards", fmt)
        if out is None:
            return
        if fmt == "csv":
            assert pl.read_csv(out, infer_schema=False).height == n
        elif fmt == "parquet":
            assert pl.read_parquet(out).height == n
        elif fmt == "json":
            awards = json.loads(out.read_text(encoding="utf-8"))["awards"]
            assert sum(len(a["reasons"]) for a in awards) == n
        else:
            assert _tables(out.read_text(encoding="utf-8"), fmt) == n, fmt
