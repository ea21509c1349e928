"""What the benchmarks share: timing whole processes side by side, making the benchmark's data,
and the one table `make bench` prints."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent.parent / "shared" / "bench"


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


@dataclass(frozen=True)
class Timing:
    """The medians of one command's alternating runs, and every run's wall time."""

    wall: float
    mem: float
    walls: tuple[float, ...]


def alternate(commands: dict[str, list[str]], runs: int) -> dict[str, Timing]:
    """Run the commands one after another, `runs` rounds, and keep each one's medians: under a
    shared machine's changing load, alternating keeps the ratios fair."""
    results: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            results[name].append(run(cmd))
    return {name: Timing(statistics.median(w for w, _ in rows), statistics.median(r for _, r in rows),
                         tuple(w for w, _ in rows)) for name, rows in results.items()}


def show(timings: dict[str, Timing]) -> None:
    print(f"{'program':<22}{'wall s':>9}{'peak MiB':>10}   runs (s)")
    for name, t in timings.items():
        print(f"{name:<22}{t.wall:>9.2f}{t.mem:>10.0f}   {' '.join(f'{w:.2f}' for w in t.walls)}")


def load() -> str:
    """The machine's load averages (1, 5, 15 minutes), to print beside the figures."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def thidua() -> str:
    """The thidua beside this Python (the project's .venv)."""
    return shutil.which("thidua", path=str(Path(sys.executable).parent)) or "thidua"


def bench_data(bench: Path, work: Path, units: int, ext: str = "parquet") -> Path:
    """The benchmark's data for `units` units, made once with make_data.py (.parquet, .csv), or
    written once from the Parquet (.xlsx: one worksheet, as a council's workbook)."""
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"bench-{units}.{ext}"
    if data.exists():
        return data
    if ext == "xlsx":
        import polars as pl

        pl.read_parquet(bench_data(bench, work, units)).write_excel(data, worksheet="Sheet1")
    else:
        subprocess.run([sys.executable, str(bench / "make_data.py"), str(units), str(data)], check=True)
    return data


def floor_script(bench: Path, work: Path, name: str, replace: dict[str, str]) -> Path:
    """handwritten.py with a few exact texts replaced (how it reads, what it does at the end):
    the same query, read or written another way. Fails loudly when a text is no longer there."""
    text = (bench / "handwritten.py").read_text(encoding="utf-8")
    for old, new in replace.items():
        if old not in text:
            sys.exit(f"handwritten.py no longer holds {old!r}: update benchmarks/{name}")
        text = text.replace(old, new)
    out = work / name
    work.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return out


READS = 'pl.scan_parquet(src) if src.endswith(".parquet") else pl.scan_csv(src)'
SINK = ").sink_parquet(out)"


@dataclass(frozen=True)
class Row:
    """One line of `make bench`'s table: thidua's figure against the floor's, and the target."""

    figure: str
    ours: float
    floor: float
    unit: str  # "s" or "MiB"
    target: float | None  # the ratio the issue sets; None: reported only

    @property
    def ratio(self) -> float:
        return self.ours / self.floor

    @property
    def met(self) -> str:
        if self.target is None:
            return "report"
        return "met" if self.ratio <= self.target else "NOT met"


HEAD = f"| {'figure':<56} | {'thidua':>10} | {'floor':>10} | {'ratio':>6} | {'target':>7} | {'':<7} |"


def table_head() -> str:
    return HEAD + "\n|" + "|".join("-" * len(p) for p in HEAD.split("|")[1:-1]) + "|"


def table_row(r: Row) -> str:
    def fmt(v: float) -> str:
        return f"{v:,.0f} MiB" if r.unit == "MiB" else f"{v:.2f} s"

    target = f"≤ {r.target:g}×" if r.target is not None else "—"
    return (f"| {r.figure:<56} | {fmt(r.ours):>10} | {fmt(r.floor):>10} | {r.ratio:>5.2f}× "
            f"| {target:>7} | {r.met:<7} |")


def table(rows: list[Row]) -> str:
    return "\n".join([table_head(), *(table_row(r) for r in rows)])
