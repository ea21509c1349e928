#!/usr/bin/env python3
"""Writing the score workbook (XLSX) of the benchmark's units against a hand-written xlsxwriter
loop writing the same cells.

usage: python benchmarks/workbook_out.py [--units 100000] [--runs 5] [--bench ../shared/bench]

Scores the units once (not timed), then alternates, `runs` times, in this one process: thidua's
writer of the score workbook (thidua.output.render.write_xlsx: the chart sheet, its hidden data
sheet, the ranking and the award lists, each a printed table with its title block, formats and
row heights), and the floor: xlsxwriter in constant_memory mode writing every cell of every one
of those worksheets, row by row (write_row), read back once from thidua's workbook, with nothing
else (no formats, no tables, no chart). Only the writing is timed; the floor's cells are checked
equal to thidua's. Target (issue 16): at most 1.5 × the floor.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from measure import BENCH, HERE, Row, bench_data, load

TARGET = 1.5


def cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every worksheet's cell values, row by row (openpyxl, read-only), without the empty rows at
    the end (a row whose only property is its height)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheets = {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()
    for rows in sheets.values():
        while rows and all(v is None for v in rows[-1]):
            rows.pop()
    return sheets


def floor(sheets: dict[str, list[tuple[Any, ...]]], path: Path) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_urls": False, "strings_to_numbers": False})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for i, row in enumerate(rows):
            ws.write_row(i, 0, row)
    wb.close()


def measure(units: int, runs: int, bench: Path, work: Path) -> tuple[float, float, tuple[float, ...],
                                                                     tuple[float, ...], bool]:
    """Medians of thidua's and the floor's writing, every run, and whether the cells agree."""
    from thidua.core.engine import score
    from thidua.input import columns_for, read_data
    from thidua.input.load import load_criteria
    from thidua.output.render import write_xlsx

    data = bench_data(bench, work, units)
    c = load_criteria(bench / "bench.yaml")
    result = score(c, read_data(data, columns_for(c)), str(data))
    ours_path, floor_path = work / f"score-{units}.xlsx", work / f"floor-{units}.xlsx"
    write_xlsx(result, str(ours_path))
    sheets = cells(ours_path)
    ours, hand = [], []
    for _ in range(runs):
        start = time.perf_counter()
        write_xlsx(result, str(ours_path))
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        floor(sheets, floor_path)
        hand.append(time.perf_counter() - start)
    same = cells(floor_path) == cells(ours_path)
    return statistics.median(ours), statistics.median(hand), tuple(ours), tuple(hand), same


def rows(units: int, ours: float, hand: float) -> list[Row]:
    return [Row(f"score workbook out, {units:,} units: writing", ours, hand, "s", TARGET)]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bench", default=str(BENCH))
    ap.add_argument("--work", default=str(HERE / "out"))
    a = ap.parse_args()
    ours, hand, o, h, same = measure(a.units, a.runs, Path(a.bench), Path(a.work))
    print(f"score workbook, {a.units:,} units, {a.runs} runs each, alternating; medians ({load()}):")
    print(f"thidua write_xlsx  {ours:.2f} s   runs {' '.join(f'{w:.2f}' for w in o)}")
    print(f"xlsxwriter loop    {hand:.2f} s   runs {' '.join(f'{w:.2f}' for w in h)}")
    print(f"ratio: {ours / hand:.2f}× (target ≤ {TARGET:g}); the same cells: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
