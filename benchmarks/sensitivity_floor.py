#!/usr/bin/env python3
"""The floor `thidua sensitivity` is held against: the same Monte Carlo written by hand in numpy
for this one file (../shared/bench/bench.yaml), no engine, no generality.

usage: python benchmarks/sensitivity_floor.py FLOOR_QUERY.py DATA.parquet DRAWS SEED OUT.parquet

FLOOR_QUERY.py is handwritten.py made to return its table (benchmarks/sensitivity.py writes it):
the leaf points are scored by the hand-written polars query, then, for every draw, each of the 40
leaves' points is scaled by a factor uniform in [0.8, 1.2] (one matrix product per batch of
draws), the totals add the bonus and take the penalty, the units are ranked inside their clusters
of 20 (one argsort of the batch × clusters × 20 block), and each unit's share of the draws in
which it is in the top 20 % of its cluster is counted, with its median rank. It writes that share
and rank per unit, so that it writes something of the same size as the engine's table.
"""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import polars as pl

SPREAD = 0.2
BATCH = 1 << 24  # floats in one batch's block of totals (128 MiB)


def leaf_points(query: str, data: str) -> pl.DataFrame:
    spec = importlib.util.spec_from_file_location("floor_query", query)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main(data, None)


def main(query: str, data: str, draws: int, seed: int, out: str) -> None:
    table = leaf_points(query, data).sort("group", "ma_don_vi")
    leaves = [c for c in table.columns if c.count(".") == 2]
    points = table.select(leaves).to_numpy()  # units × leaves
    extra = (table["bonus"] - table["penalty"]).to_numpy()
    sizes = table.group_by("group", maintain_order=True).len()["len"].to_numpy()
    if (sizes != sizes[0]).any():
        sys.exit("the floor assumes clusters of one size (make_data.py makes clusters of 20)")
    n, size = points.shape[0], int(sizes[0])
    quota = max(1, int(size * 0.2 + 1e-9))
    rng = np.random.default_rng(seed)
    factors = rng.uniform(1 - SPREAD, 1 + SPREAD, size=(draws, len(leaves)))
    top = np.zeros(n, np.int64)
    ranks = np.empty((draws, n), np.int32)
    step = max(1, BATCH // n)
    places = np.arange(1, size + 1, dtype=np.int32)
    for lo in range(0, draws, step):
        hi = min(draws, lo + step)
        totals = factors[lo:hi] @ points.T + extra  # batch × units
        block = totals.reshape(hi - lo, n // size, size)
        order = np.argsort(-block, axis=2, kind="stable")
        rank = np.empty_like(order, dtype=np.int32)
        np.put_along_axis(rank, order, places[None, None, :], axis=2)
        rank = rank.reshape(hi - lo, n)
        ranks[lo:hi] = rank
        top += (rank <= quota).sum(axis=0)
    median = np.partition(ranks, draws // 2, axis=0)[draws // 2]
    pl.DataFrame({"ma_don_vi": table["ma_don_vi"], "top_share": top / draws,
                  "rank_median": median}).write_parquet(out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
