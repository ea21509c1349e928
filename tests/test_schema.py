"""The result table's schema names every column the engine makes, with the type it has."""

from __future__ import annotations

import polars as pl
import pytest

from thidua.core import schema
from thidua.core.engine import score
from thidua.core.scoring import indicators
from thidua.input import read_inputs, shipped
from thidua.input.members import read_members

from .util import shipped_earlier

SHIPPED = sorted(p.stem for p in shipped("").iterdir() if p.suffix == ".yaml")


@pytest.mark.parametrize("name", SHIPPED)
def test_every_column_of_a_traced_result_has_its_family_and_type(name):
    c, frame = read_inputs(str(shipped(f"{name}.yaml")), str(shipped(f"{name}.csv")))
    numbers, flags = indicators(c)
    members = shipped(f"{name}-thanh-vien.csv")  # a file of collectives: its members' result
    held = read_members(c, str(members), frame) if members.is_file() else None
    table = score(c, frame, trace=True, earlier=shipped_earlier(name, c, frame), members_data=held).units
    for column, dtype in table.schema.items():
        family = schema.family_of(column, frozenset(numbers | flags))
        assert family is not None, f"{name}: {column} is in no family of the schema"
        if family.dtype is not None:
            assert dtype == family.dtype, f"{name}: {column} is {dtype}, the schema says {family.dtype}"
        else:
            assert dtype in (pl.Float64, pl.Boolean), column


def test_the_contract_comes_first_in_the_table():
    c, frame = read_inputs(str(shipped("dvcq-xa.yaml")), str(shipped("dvcq-xa.csv")))
    assert tuple(score(c, frame).units.columns[:len(schema.CONTRACT)]) == schema.CONTRACT


def test_the_helpers_name_the_families():
    assert schema.points_col("I.1") == "points.I.1"
    assert schema.award_col("BK", "on") == "award.BK.on"
    assert schema.family_of(schema.award_col("B.K", "when")).name == "award.<code>.when"  # type: ignore[union-attr]
    assert schema.family_of(schema.ko_col("KL")).dtype == pl.Boolean  # type: ignore[union-attr]
    assert schema.family_of(schema.key_col(2)).name == "__key<i>"  # type: ignore[union-attr]
    assert schema.family_of("points.") is None  # a prefix alone names no criterion
    assert schema.family_of("ty_le") is None
    with pytest.raises(AssertionError):
        schema.award_col("BK", "nothing")


def test_every_family_is_documented_beside_the_output_contract():
    from pathlib import Path

    text = (Path(__file__).parent.parent / "docs" / "cli.md").read_text(encoding="utf-8")
    for family in (*schema.FAMILIES, schema.INDICATORS):
        assert f"`{family.name}`" in text, family.name


@pytest.mark.parametrize("name", ["dvcq-xa", "danh-hieu-tap-the"])
def test_the_lists_are_list_columns_inside_the_program(name):
    """knockouts, awards, flagged and each award's failed conditions are List(String): an empty
    list for none, never text joined by ';' (the formats join them at the output edge)."""
    c, frame = read_inputs(str(shipped(f"{name}.yaml")), str(shipped(f"{name}.csv")))
    members = shipped(f"{name}-thanh-vien.csv")
    held = read_members(c, str(members), frame) if members.is_file() else None
    units = score(c, frame, earlier=shipped_earlier(name, c, frame), members_data=held).units
    lists = [schema.KNOCKOUTS, schema.AWARDS, schema.FLAGGED,
             *(schema.award_col(a.code, "failed") for a in c.awards)]
    for column in lists:
        assert units.schema[column] == pl.List(pl.String), column
        values = units.get_column(column)
        assert values.null_count() == 0, column
        assert not values.explode().drop_nulls().str.contains(";").any(), column
    assert units.filter(pl.col(schema.AWARDS).list.len() == 0).height > 0  # empty, not null
    on = [units.get_column(schema.award_col(a.code, "on")) for a in c.awards]
    expected = [[a.code for a, o in zip(c.awards, row, strict=True) if o] for row in zip(*on, strict=True)]
    assert units.get_column(schema.AWARDS).to_list() == expected  # in the file's order


@pytest.mark.parametrize(("count", "rows"), [(0, 4), (1, 7), (3, 500), (16, 800), (17, 800),
                                             (70, 300), (130, 200), (5, 0)])
def test_code_lists_holds_each_hit_code_in_order(count, rows):
    """engine.code_lists (counting up to 16 codes, sorting beyond, blocks of 62 bits) gives each
    row the codes it hits, in order, as the plain definition does."""
    import numpy as np

    from thidua.core.engine import code_lists

    rng = np.random.default_rng(count * 1000 + rows)
    codes = [f"C{i}" for i in range(count)]
    hits = [rng.random(rows) < 0.3 for _ in codes]
    made = code_lists("x", codes, hits, rows)
    assert made.dtype == pl.List(pl.String) and made.len() == rows
    assert made.to_list() == [[c for c, h in zip(codes, hits, strict=True) if h[i]] for i in range(rows)]
