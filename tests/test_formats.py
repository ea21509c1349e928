"""The registry of output formats is whole: every kind writes each format it offers, every
format has an extension, and what is printed is text while parquet and xlsx are files."""

from __future__ import annotations

import pytest

from thidua.core.engine import score
from thidua.input import read_inputs
from thidua.output import formats

from .util import write_case


@pytest.mark.parametrize("kind", formats.KINDS, ids=lambda k: k.name)
def test_every_kind_has_a_writer_for_each_format_it_offers(kind):
    # the default first: table wherever a kind has it (the council's page is html only)
    assert kind.formats[0] == (formats.DEFAULT if formats.DEFAULT in kind.formats else "html")
    assert tuple(kind.writers) == kind.formats
    assert set(kind.formats) <= set(formats.FORMATS)


def test_every_format_is_chosen_by_an_extension_and_every_command_writes_a_kind():
    assert set(formats.EXTENSIONS.values()) == set(formats.FORMATS)
    # explain of two units writes a comparison, in the formats of an explanation
    assert set(formats.BY_COMMAND.values()) | {formats.COMPARISON} == set(formats.KINDS)
    assert formats.COMPARISON.formats == formats.EXPLANATION.formats
    assert formats.named_by("KET-QUA.XLSX") == "xlsx"
    assert formats.named_by("ket-qua.dat") is None


def test_tables_are_read_back_and_text_for_people_is_not():
    for kind in formats.KINDS:
        for fmt in kind.formats:
            reads = kind.reader(fmt) is not None
            assert reads == (fmt in ("csv", "parquet", "xlsx") or
                             (fmt == "json" and kind not in (formats.EXPLANATION, formats.COMPARISON))), (kind.name, fmt)


def test_a_printed_format_is_text_and_a_binary_one_a_file_writer(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    c, frame = read_inputs(*write_case())
    result = score(c, frame)
    for fmt in formats.UNITS.formats:
        out = formats.UNITS.render(fmt, result)
        if formats.FORMATS[fmt].binary:
            assert callable(out), fmt
            out(str(tmp_path / f"x.{fmt}"))
            assert (tmp_path / f"x.{fmt}").stat().st_size > 0
        else:
            assert isinstance(out, str) and "X1" in out, fmt
