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
