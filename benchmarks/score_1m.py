#!/usr/bin/env python3
"""thidua against the hand-written polars query of ../shared/bench, side by side in one run.

usage: python benchmarks/score_1m.py [--units 1000000] [--runs 5] [--bench ../shared/bench]

Makes the data once (make_data.py), then alternates the two whole processes `runs` times,
recording each one's wall time and peak memory (the child's own max RSS, from wait4), checks
with compare.py that both give the same totals, ranks, classifications and awards, and prints
the medians and the ratios the issue sets (wall ≤ 1.25×, memory ≤ 1.5×).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

from measure import bench_data, run, thidua

HERE = Path(__file__).resolve().parent


def sorted_floor(bench: Path, work: Path) -> Path:
    """handwritten.py, its rows written in the order cli.md requires of Parquet output (group,
    rank, id), which the floor itself does not do: the fair floor for a sorted table."""
    text = (bench / "handwritten.py").read_text(encoding="utf-8")
    if ").sink_parquet(out)" not in text:
        sys.exit("handwritten.py no longer ends in .sink_parquet(out): update sorted_floor()")
    out = work / "handwritten_sorted.py"
    out.write_text(text.replace(").sink_parquet(out)", ').sort("group", "rank", "ma_don_vi").sink_parquet(out)'),
                   encoding="utf-8")
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bench", default=str(HERE.parent.parent / "shared" / "bench"))
    ap.add_argument("--work", default=str(HERE / "out"))
    ap.add_argument("--sorted-floor", action="store_true",
                    help="also time handwritten.py writing its rows in the contract's order")
    a = ap.parse_args()
    bench, work = Path(a.bench), Path(a.work)
    py = sys.executable
    data = bench_data(bench, work, a.units)
    hand_out, ours_out = work / "hand.parquet", work / "thidua.parquet"
    commands = {
        "handwritten.py": [py, str(bench / "handwritten.py"), str(data), str(hand_out)],
        "thidua score": [thidua(), "score", str(bench / "bench.yaml"), str(data), "-o", str(ours_out)],
    }
    if a.sorted_floor:
        commands["hand + sort"] = [py, str(sorted_floor(bench, work)), str(data), str(work / "hand-sorted.parquet")]
    results: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
    for _ in range(a.runs):
        for name, cmd in commands.items():
            results[name].append(run(cmd))
    check = subprocess.run([py, str(bench / "compare.py"), str(hand_out), str(ours_out)],
                           capture_output=True, text=True)
    print(f"{a.units:,} units, {a.runs} runs each, alternating; medians:")
    print(f"{'program':<16}{'wall s':>9}{'peak MiB':>10}   runs (s)")
    med = {}
    for name, rows in results.items():
        wall = statistics.median(w for w, _ in rows)
        mem = statistics.median(r for _, r in rows)
        med[name] = (wall, mem)
        print(f"{name:<16}{wall:>9.2f}{mem:>10.0f}   {' '.join(f'{w:.2f}' for w, _ in rows)}")
    (hw, hm), (tw, tm) = med["handwritten.py"], med["thidua score"]
    print(f"ratio: wall {tw / hw:.2f}× (target ≤ 1.25), memory {tm / hm:.2f}× (target ≤ 1.5)")
    if a.sorted_floor:
        sw, sm = med["hand + sort"]
        print(f"against the sorted floor: wall {tw / sw:.2f}×, memory {tm / sm:.2f}×")
    print(f"agreement (compare.py): {check.stdout.strip()}")
    return check.returncode


if __name__ == "__main__":
    sys.exit(main())
