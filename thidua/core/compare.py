"""Two results of `thidua score` side by side (last year and this year, or two versions of a
criteria file on the same data): what changed for each unit, on each award list and on each
criterion.

Pure core: two unit tables as read back (thidua/input/results.py) in, small frozen frames out.

Definitions (docs/cli.md, `thidua compare`, repeats them)
- Units are matched by id. A unit in one file only is listed (`only`), not compared, and not an
  error.
- Differences are B − A at the decimal a person computes (93,21 − 98,58 = −5,37, not
  −5,369999…): snapped to 15 significant digits (thidua/core/rounding.py).
- `rank_change` = A's rank − B's rank, so a unit that moves up has a positive change; null when
  the unit is in another group in B (ranks in two groups do not compare; `rank_overall_change`
  still does).
- Award lists: a unit entered a list when its code is among the unit's awards in B and not in A
  (a unit of B only that is on a list entered it too), left it in the reverse case.
- Criteria: the codes of `points.<code>` in both files are compared, unit by unit (a point
  missing on either side is not counted); a code in one file only is named under `differences`,
  with the criteria file's id or version when they differ, and the award codes of one file
  only (JSON records them; CSV and Parquet name only the awards some unit was given). The criteria that
  moved most come first: by the mean absolute change over the matched units, then the file's
  order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from thidua.core.rounding import snap_array


@dataclass(frozen=True)
class Side:
    """One result: the unit table (id, name, group, total, classification, rank, rank_overall,
    awards, flagged, points.<code>), its codes and award codes, its criteria file's id and
    version (empty when the file does not say)."""

    units: pl.DataFrame
    codes: tuple[str, ...]
    awards: tuple[str, ...]
    criteria: dict[str, object]
    awards_listed: bool = True  # the file lists its awards (JSON); else only the units' awards


@dataclass(frozen=True)
class Comparison:
    units: pl.DataFrame  # per matched unit, in B's order: A's and B's values and the changes
    lists: pl.DataFrame  # per award and unit that entered or left its list
    criteria: pl.DataFrame  # per criterion in both: how much it moved, most first
    only: pl.DataFrame  # units in one file only
    differences: pl.DataFrame  # what differs in the structure of the two results
    awards: tuple[str, ...]  # the award codes of either file, A's order first


def _diff(b: pl.Expr, a: pl.Expr, name: str) -> pl.Expr:
    return (b - a).map_batches(lambda s: pl.Series(snap_array(s.to_numpy()), dtype=pl.Float64),
                               return_dtype=pl.Float64).alias(name)


def compare(a: Side, b: Side) -> Comparison:
    """What changed from `a` to `b`."""
    keep = ["id", "name", "group", "total", "classification", "rank", "rank_overall", "awards"]
    both = b.units.select(keep).with_row_index("__order").join(
        a.units.select(keep), on="id", how="inner", suffix="_a")
    both = both.sort("__order").rename({k: f"{k}_b" for k in keep if k != "id"})
    moved_group = pl.col("group_a").eq_missing(pl.col("group_b")).not_()
    units = both.select(
        "id", pl.col("name_b").fill_null(pl.col("name_a")).alias("name"),
        "group_a", "group_b", "total_a", "total_b", _diff(pl.col("total_b"), pl.col("total_a"),
                                                          "total_change"),
        "rank_a", "rank_b",
        pl.when(moved_group).then(None).otherwise(pl.col("rank_a") - pl.col("rank_b"))
        .alias("rank_change"),
        "rank_overall_a", "rank_overall_b",
        (pl.col("rank_overall_a") - pl.col("rank_overall_b")).alias("rank_overall_change"),
        pl.col("classification_a").alias("class_a"), pl.col("classification_b").alias("class_b"),
        pl.col("classification_a").eq_missing(pl.col("classification_b")).not_()
        .alias("class_changed"),
        "awards_a", "awards_b")
    awards = tuple(dict.fromkeys([*a.awards, *b.awards]))
    return Comparison(units, _lists(a, b, awards), _criteria(a, b, both), _only(a, b),
                      _differences(a, b), awards)


def _lists(a: Side, b: Side, awards: tuple[str, ...]) -> pl.DataFrame:
    cols = ["id", "name", "group", "awards", "rank"]
    side_a = a.units.select(cols).rename({"name": "name_a", "group": "group_a",
                                          "awards": "on_a", "rank": "rank_a"})
    side_b = b.units.select(cols).with_row_index("__order").rename({"awards": "on_b"})
    joined = side_b.join(side_a, on="id", how="full", coalesce=True, maintain_order="left")
    joined = joined.with_columns(
        pl.col("name").fill_null(pl.col("name_a")), pl.col("group").fill_null(pl.col("group_a")),
        pl.col("on_a").fill_null([]), pl.col("on_b").fill_null([]),
        pl.col("__order").fill_null(pl.len() + pl.col("rank_a")))
    rows = []
    for place, award in enumerate(awards):
        on_a = pl.col("on_a").list.contains(award)
        on_b = pl.col("on_b").list.contains(award)
        for change, test in (("entered", on_b & ~on_a), ("left", on_a & ~on_b)):
            rows.append(joined.filter(test).select(
                pl.lit(award).alias("award"), pl.lit(change).alias("change"), "id", "name",
                "group", pl.lit(place).alias("__award"), "__order"))
    schema = {"award": pl.String, "change": pl.String, "id": pl.String, "name": pl.String,
              "group": pl.String}
    if not rows:
        return pl.DataFrame(schema=schema)
    return (pl.concat(rows).sort("__award", "change", "__order", maintain_order=True)
            .select(*schema).cast(schema))  # type: ignore[arg-type]


def _criteria(a: Side, b: Side, both: pl.DataFrame) -> pl.DataFrame:
    common = [code for code in b.codes if code in set(a.codes)]
    ids = b.units.join(a.units.select("id"), on="id", how="semi").get_column("id")
    pa = pl.DataFrame({"id": ids}).join(a.units, on="id", how="left", maintain_order="left")
    pb = pl.DataFrame({"id": ids}).join(b.units, on="id", how="left", maintain_order="left")
    rows = []
    for place, code in enumerate(common):
        col = f"points.{code}"
        x = pa.get_column(col).to_numpy().astype(float)
        y = pb.get_column(col).to_numpy().astype(float)
        d = snap_array(y - x)
        seen = ~np.isnan(d)
        diffs = d[seen]
        size = int(diffs.size)
        biggest = int(np.argmax(np.abs(diffs))) if size else None
        rows.append({
            "code": code, "units": size, "changed": int((diffs != 0).sum()),
            "mean_change": float(snap_array(np.array([diffs.mean()]))[0]) if size else None,
            "mean_abs_change": float(snap_array(np.array([np.abs(diffs).mean()]))[0])
            if size else None,
            "max_abs_change": float(abs(diffs[biggest])) if biggest is not None else None,
            "largest_for": ids.to_numpy()[seen][biggest] if biggest is not None and
            diffs[biggest] != 0 else None,
            "__place": place})
    schema = {"code": pl.String, "units": pl.Int64, "changed": pl.Int64,
              "mean_change": pl.Float64, "mean_abs_change": pl.Float64,
              "max_abs_change": pl.Float64, "largest_for": pl.String, "__place": pl.Int64}
    frame = pl.DataFrame(rows, schema=schema)
    return (frame.sort(pl.col("mean_abs_change").fill_null(0.0), "__place",
                       descending=[True, False]).drop("__place"))


def _only(a: Side, b: Side) -> pl.DataFrame:
    cols = ["id", "name", "group", "total", "rank"]
    in_a = a.units.join(b.units, on="id", how="anti").select(pl.lit("a").alias("file"), *cols)
    in_b = b.units.join(a.units, on="id", how="anti").select(pl.lit("b").alias("file"), *cols)
    return pl.concat([in_a, in_b])


def _differences(a: Side, b: Side) -> pl.DataFrame:
    rows: list[dict[str, str | None]] = []
    for key in ("id", "version"):
        x, y = a.criteria.get(key), b.criteria.get(key)
        if x is not None and y is not None and x != y:
            rows.append({"kind": f"criteria_{key}", "a": str(x), "b": str(y)})
    pairs = [("criterion", a.codes, b.codes, "a"), ("criterion", b.codes, a.codes, "b")]
    if a.awards_listed and b.awards_listed:  # CSV and Parquet name only the awards given
        pairs += [("award", a.awards, b.awards, "a"), ("award", b.awards, a.awards, "b")]
    for kind, mine, theirs, side in pairs:
        alone = [code for code in mine if code not in set(theirs)]
        if alone:
            rows.append({"kind": f"{kind}_only_in_{side}", "a": ";".join(alone) if side == "a"
                         else None, "b": ";".join(alone) if side == "b" else None})
    return pl.DataFrame(rows, schema={"kind": pl.String, "a": pl.String, "b": pl.String})
