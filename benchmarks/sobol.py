#!/usr/bin/env python3
"""The whole `thidua sensitivity --sobol` process on the benchmark file: 1,000 base samples × 10
groups of criteria (each of the five main criteria of ../shared/bench/bench.yaml split into its
first and last four leaves) on 10,000 units, that is 12,000 scenarios decided, with the default
100 bootstrap resamples, written as JSON. Target: under 30 s.

usage: python benchmarks/sobol.py [--units 10000] [--samples 1000] [--runs 3]
                                  [--bench ../shared/bench]

Makes the data once (make_data.py, Parquet), then runs the command `runs` times and prints each
whole process's wall time and peak memory (the child's own max RSS, from wait4), their medians,
and the user + system CPU seconds of the children (on a loaded machine the wall time measures
the others' work too; the CPU time divided by the 2 threads the analysis uses is its own floor).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

from measure import bench_data, run, thidua

HERE = Path(__file__).resolve().parent
TARGET = 30.0  # seconds, the whole process
MAIN = ("I", "II", "III", "IV", "V")


def groups() -> list[str]:
    """Ten --group options: each main criterion's leaves 1–4 and 5–8."""
    out = []
    for top in MAIN:
        out += ["--group", f"{top}a=" + ",".join(f"{top}.{i}" for i in range(1, 5)),
                "--group", f"{top}b=" + ",".join(f"{top}.{i}" for i in range(5, 9))]
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=10_000)
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--bench", default=str(HERE.parent.parent / "shared" / "bench"))
    ap.add_argument("--work", default=str(HERE / "out"))
    a = ap.parse_args()
    bench, work = Path(a.bench), Path(a.work)
    data = bench_data(bench, work, a.units)
    cmd = [thidua(), "sensitivity", str(bench / "bench.yaml"), str(data), "--sobol",
           "--samples", str(a.samples), "--seed", "1", *groups(), "-o", str(work / "sobol.json")]
    rows = []
    for _ in range(a.runs):
        before = os.times()
        wall, mem = run(cmd)
        after = os.times()
        cpu = (after.children_user - before.children_user
               + after.children_system - before.children_system)
        rows.append((wall, mem, cpu))
    wall = statistics.median(w for w, _, _ in rows)
    print(f"thidua sensitivity --sobol: {a.units:,} units, {a.samples:,} base samples × 10 groups "
          f"({a.samples * 12:,} scenarios), {a.runs} runs; medians:")
    print(f"wall {wall:.2f} s, peak {statistics.median(m for _, m, _ in rows):.0f} MiB, "
          f"CPU {statistics.median(c for _, _, c in rows):.2f} s; runs (wall s): "
          f"{' '.join(f'{w:.2f}' for w, _, _ in rows)}")
    verdict = "met" if wall < TARGET else "NOT met"
    print(f"target: under {TARGET:g} s for the whole process: {verdict}")
    return 0 if wall < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
