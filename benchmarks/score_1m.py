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
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err}")
    return wall, usage.ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bench", default=str(HERE.parent.parent / "shared" / "bench"))
    ap.add_argument("--work", default=str(HERE / "out"))
    a = ap.parse_args()
    bench, work = Path(a.bench), Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    py = sys.executable
    thidua = shutil.which("thidua", path=str(Path(py).parent)) or "thidua"
    data = work / f"bench-{a.units}.parquet"
    if not data.exists():
        subprocess.run([py, str(bench / "make_data.py"), str(a.units), str(data)], check=True)
    hand_out, ours_out = work / "hand.parquet", work / "thidua.parquet"
    commands = {
        "handwritten.py": [py, str(bench / "handwritten.py"), str(data), str(hand_out)],
        "thidua score": [thidua, "score", str(bench / "bench.yaml"), str(data), "-o", str(ours_out)],
    }
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
    print(f"agreement (compare.py): {check.stdout.strip()}")
    return check.returncode


if __name__ == "__main__":
    sys.exit(main())
