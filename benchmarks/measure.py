"""What both benchmarks share: timing a whole process and making the benchmark's data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one process: the child's own max RSS, from wait4."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err}")
    return wall, usage.ru_maxrss / 1024


def thidua() -> str:
    """The thidua beside this Python (the project's .venv)."""
    return shutil.which("thidua", path=str(Path(sys.executable).parent)) or "thidua"


def bench_data(bench: Path, work: Path, units: int) -> Path:
    """The benchmark's data for `units` units, made once with make_data.py (Parquet)."""
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"bench-{units}.parquet"
    if not data.exists():
        subprocess.run([sys.executable, str(bench / "make_data.py"), str(units), str(data)], check=True)
    return data
