#!/usr/bin/env python3
"""thidua against the hand-written polars query of ../shared/bench, side by side in one run.

usage: python benchmarks/score_1m.py [--units 1000000] [--runs 5] [--input parquet|csv|xlsx]
                                     [--bench ../shared/bench] [--explain] [--sorted-floor]

Makes the data once (make_data.py; an .xlsx is written once from the Parquet, one worksheet),
then alternates the whole processes `runs` times, recording each one's wall time and peak memory
(the child's own max RSS, from wait4), checks with compare.py that both give the same totals,
ranks, classifications and awards, and prints the medians and the ratios the issue sets
(wall ≤ 1.25×, memory ≤ 1.5×). The floor reads the same file: handwritten.py scans Parquet or
CSV itself; for an .xlsx it is the same query over `pl.read_excel`. `--explain` also runs
`thidua explain` on the same file (one unit, JSON) and sets its peak memory against score's.
"""

from __future__ import annotations

import argparse
import subprocess
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

TARGETS = {"parquet": (1.25, 1.5), "csv": (1.25, 1.5), "xlsx": (1.25, None)}


def measure(units: int, runs: int, kind: str, bench: Path, work: Path, *, explain: bool = False,
            sorted_floor: bool = False) -> tuple[dict[str, Timing], str, int]:
    """The timings of the floor and of thidua (and of explain, the sorted floor when asked), what
    compare.py said and its exit status."""
    py = sys.executable
    data = bench_data(bench, work, units, kind)
    hand_out, ours_out = work / f"hand-{kind}-{units}.parquet", work / f"thidua-{kind}-{units}.parquet"
    floor = bench / "handwritten.py"
    if kind == "xlsx":
        floor = floor_script(bench, work, "handwritten_xlsx.py", {READS: "pl.read_excel(src).lazy()"})
    commands = {
        "handwritten.py": [py, str(floor), str(data), str(hand_out)],
        "thidua score": [thidua(), "score", str(bench / "bench.yaml"), str(data), "-o", str(ours_out)],
    }
    if explain:
        commands["thidua explain"] = [thidua(), "explain", str(bench / "bench.yaml"), str(data), "U0000007",
                                      "--format", "json", "-o", str(work / f"explain-{units}.json")]
    if sorted_floor:
        script = floor_script(bench, work, "handwritten_sorted.py",
                              {SINK: ').sort("group", "rank", "ma_don_vi").sink_parquet(out)'})
        commands["hand + sort"] = [py, str(script), str(data), str(work / "hand-sorted.parquet")]
    timings = alternate(commands, runs)
    check = subprocess.run([py, str(bench / "compare.py"), str(hand_out), str(ours_out)],
                           capture_output=True, text=True)
    return timings, check.stdout.strip(), check.returncode


def rows(units: int, kind: str, t: dict[str, Timing]) -> list[Row]:
    """The table's lines for one run of measure()."""
    wall, mem = TARGETS[kind]
    hand, ours = t["handwritten.py"], t["thidua score"]
    name = f"score, {kind} in, {units:,} units"
    out = [Row(f"{name}: wall", ours.wall, hand.wall, "s", wall if units <= 1_000_000 else None)]
    if kind != "xlsx":
        out.append(Row(f"{name}: peak memory", ours.mem, hand.mem, "MiB",
                       mem if units <= 1_000_000 else None))
    if "hand + sort" in t:  # the contract writes rows in rank order; handwritten.py does not sort
        s = t["hand + sort"]
        out += [Row(f"{name}: wall, against the floor sorted by rank", ours.wall, s.wall, "s", None),
                Row(f"{name}: peak memory, against the floor sorted by rank", ours.mem, s.mem, "MiB", None)]
    if "thidua explain" in t:
        out.append(Row(f"explain, {kind} in, {units:,} units: peak memory (floor: score)",
                       t["thidua explain"].mem, ours.mem, "MiB", 1.25))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--input", choices=sorted(TARGETS), default="parquet")
    ap.add_argument("--bench", default=str(BENCH))
    ap.add_argument("--work", default=str(HERE / "out"))
    ap.add_argument("--explain", action="store_true", help="also measure thidua explain's memory")
    ap.add_argument("--sorted-floor", action="store_true",
                    help="also time handwritten.py writing its rows in the contract's order")
    a = ap.parse_args()
    t, agreement, status = measure(a.units, a.runs, a.input, Path(a.bench), Path(a.work),
                                   explain=a.explain, sorted_floor=a.sorted_floor)
    print(f"{a.units:,} units, {a.input} in, {a.runs} runs each, alternating; medians ({load()}):")
    show(t)
    for r in rows(a.units, a.input, t):
        target = f" (target ≤ {r.target:g})" if r.target else ""
        print(f"ratio, {r.figure}: {r.ratio:.2f}×{target}")
    print(f"agreement (compare.py): {agreement}")
    return status


if __name__ == "__main__":
    sys.exit(main())
