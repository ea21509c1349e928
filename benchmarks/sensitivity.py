#!/usr/bin/env python3
"""The whole `thidua sensitivity` process on the benchmark file: 1,000 draws, 10,000 units,
43 scored criteria (../shared/bench/bench.yaml). Target: under 5 s on a 2-core machine.

usage: python benchmarks/sensitivity.py [--units 10000] [--draws 1000] [--runs 5]
                                        [--bench ../shared/bench] [--no-xlsx]

Makes the data once (make_data.py, Parquet), then runs, alternating, `runs` times: the numpy
floor (sensitivity_floor.py: the same draws written by hand for this one file), the draws alone,
with the stability margins too (both writing the units' table as CSV), and with margins writing
every table to one XLSX workbook; it records each whole process's wall time and peak memory (the
child's own max RSS, from wait4) and prints the medians, and the ratios issue 16 sets on 100,000
units: the draws at most 2 × the floor, with margins at most 3 ×.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from measure import (
    BENCH,
    HERE,
    READS,
    SINK,
    Row,
    Timing,
    alternate,
    bench_data,
    floor_script,
    load,
    show,
    thidua,
)

TARGET = 5.0  # seconds, the whole process
DRAWS, MARGINS = 2.0, 3.0  # issue 16: at most these times the numpy floor


def measure(units: int, draws: int, runs: int, bench: Path, work: Path, *, xlsx: bool = True
            ) -> dict[str, Timing]:
    """The floor's and the three runs' timings."""
    data = bench_data(bench, work, units)
    query = floor_script(bench, work, "handwritten_table.py",
                         {READS: "pl.scan_parquet(src)", "    lf.select(": "    return lf.select(",
                          SINK: ").collect()"})
    base = [thidua(), "sensitivity", str(bench / "bench.yaml"), str(data), "--draws", str(draws),
            "--spread", "0.2", "--seed", "1"]
    csv = ["--format", "csv", "-o", str(work / "sensitivity.csv")]
    commands = {
        "numpy floor": [sys.executable, str(HERE / "sensitivity_floor.py"), str(query), str(data),
                        str(draws), "1", str(work / "sensitivity-floor.parquet")],
        "draws only": [*base, "--no-margins", *csv],
        "with margins": [*base, *csv],
    }
    if xlsx:
        commands["margins, xlsx"] = [*base, "-o", str(work / "sensitivity.xlsx")]
    return alternate(commands, runs)


def rows(units: int, draws: int, t: dict[str, Timing]) -> list[Row]:
    floor = t["numpy floor"]
    name = f"sensitivity, {units:,} units × {draws:,} draws"
    out = [Row(f"{name}: draws", t["draws only"].wall, floor.wall, "s", DRAWS),
           Row(f"{name}: with margins", t["with margins"].wall, floor.wall, "s", MARGINS),
           Row(f"{name}: peak memory (draws)", t["draws only"].mem, floor.mem, "MiB", None),
           Row(f"{name}: peak memory (margins)", t["with margins"].mem, floor.mem, "MiB", None)]
    if "margins, xlsx" in t:
        out.append(Row(f"{name}: margins, xlsx", t["margins, xlsx"].wall, floor.wall, "s", None))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=10_000)
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bench", default=str(BENCH))
    ap.add_argument("--work", default=str(HERE / "out"))
    ap.add_argument("--no-xlsx", dest="xlsx", action="store_false", help="skip the XLSX run")
    a = ap.parse_args()
    t = measure(a.units, a.draws, a.runs, Path(a.bench), Path(a.work), xlsx=a.xlsx)
    print(f"thidua sensitivity: {a.units:,} units, {a.draws:,} draws, {a.runs} runs each, alternating; "
          f"medians ({load()}):")
    show(t)
    for r in rows(a.units, a.draws, t):
        target = f" (target ≤ {r.target:g})" if r.target else ""
        print(f"ratio, {r.figure}: {r.ratio:.2f}×{target}")
    worst = max(v.wall for k, v in t.items() if k != "numpy floor")
    verdict = "met" if worst < TARGET else "NOT met"
    print(f"issue 11's target at 10,000 units: under {TARGET:g} s for the whole process: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
