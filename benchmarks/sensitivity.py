#!/usr/bin/env python3
"""The whole `thidua sensitivity` process on the benchmark file: 1,000 draws, 10,000 units,
43 scored criteria (../shared/bench/bench.yaml). Target: under 5 s on a 2-core machine.

usage: python benchmarks/sensitivity.py [--units 10000] [--draws 1000] [--runs 5]
                                        [--bench ../shared/bench] [--format csv|parquet]

Makes the data once (make_data.py, Parquet), then runs the command `runs` times: the draws
alone, with the stability margins too (both writing the units' table as CSV), and with margins
writing every table to one XLSX workbook; it records each whole process's wall time and peak
memory (the child's own max RSS, from wait4) and prints the medians.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from measure import bench_data, run, thidua

HERE = Path(__file__).resolve().parent
TARGET = 5.0  # seconds, the whole process


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=10_000)
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bench", default=str(HERE.parent.parent / "shared" / "bench"))
    ap.add_argument("--work", default=str(HERE / "out"))
    a = ap.parse_args()
    bench, work = Path(a.bench), Path(a.work)
    data = bench_data(bench, work, a.units)
    base = [thidua(), "sensitivity", str(bench / "bench.yaml"), str(data), "--draws", str(a.draws),
            "--spread", "0.2", "--seed", "1"]
    csv = ["--format", "csv", "-o", str(work / "sensitivity.csv")]
    commands = {
        "draws only": [*base, "--no-margins", *csv],
        "with margins": [*base, *csv],
        "margins, xlsx": [*base, "-o", str(work / "sensitivity.xlsx")],
    }
    results: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
    for _ in range(a.runs):
        for name, cmd in commands.items():
            results[name].append(run(cmd))
    print(f"thidua sensitivity: {a.units:,} units, {a.draws:,} draws, {a.runs} runs each; medians:")
    print(f"{'run':<15}{'wall s':>9}{'peak MiB':>10}   runs (s)")
    worst = 0.0
    for name, rows in results.items():
        wall = statistics.median(w for w, _ in rows)
        mem = statistics.median(r for _, r in rows)
        worst = max(worst, wall)
        print(f"{name:<15}{wall:>9.2f}{mem:>10.0f}   {' '.join(f'{w:.2f}' for w, _ in rows)}")
    verdict = "met" if worst < TARGET else "NOT met"
    print(f"target: under {TARGET:g} s for the whole process: {verdict}")
    return 0 if worst < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
