#!/usr/bin/env python3
"""`make bench`: every benchmark of issue 16, one table (figure, thidua, floor, ratio, target).

usage: python benchmarks/bench.py [--runs 3] [--only parquet,csv,xlsx,sensitivity,workbook,explain,scale]

Each figure is the median of `runs` alternating whole-process runs of thidua and its floor (the
workbook: of the writing alone, in one process), measured by score_1m.py, sensitivity.py and
workbook_out.py; the machine's load is printed beside the table, for a shared machine's figures
mean little without it. Data are made once under benchmarks/out/.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import score_1m
import sensitivity
import workbook_out
from measure import BENCH, HERE, Row, load, table, table_head, table_row

PARTS = ("parquet", "csv", "xlsx", "sensitivity", "workbook", "explain", "scale")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default=",".join(PARTS), help="a comma-separated choice of " + ", ".join(PARTS))
    ap.add_argument("--bench", default=str(BENCH))
    ap.add_argument("--work", default=str(HERE / "out"))
    a = ap.parse_args()
    bench, work, runs = Path(a.bench), Path(a.work), a.runs
    only = a.only.split(",")
    out: list[Row] = []
    notes: list[str] = [f"at the start: {load()}"]
    print(f"as measured (each line as it comes; the whole table at the end): {notes[0]}", flush=True)
    print(table_head(), flush=True)

    def add(rows: list[Row], note: str) -> None:
        out.extend(rows)
        notes.append(note)
        for r in rows:
            print(table_row(r), flush=True)
        print(f"  ({note})", flush=True)

    def score(units: int, kind: str, explain: bool = False) -> None:
        # the sorted floor beside the plain one for a million units of Parquet: the unit table's
        # rows are in rank order, which handwritten.py leaves out (and a sort costs it 1.3× wall)
        sort = kind == "parquet" and units == 1_000_000
        t, agreement, status = score_1m.measure(units, runs, kind, bench, work, explain=explain,
                                                sorted_floor=sort)
        differ = " the results DIFFER" if status else ""
        add(score_1m.rows(units, kind, t), f"{kind}, {units:,} units: compare.py: {agreement};{differ} {load()}")

    if "parquet" in only or "explain" in only:
        score(1_000_000, "parquet", explain="explain" in only)
    if "csv" in only:
        score(1_000_000, "csv")
    if "xlsx" in only:
        score(50_000, "xlsx")
    if "sensitivity" in only:
        t = sensitivity.measure(100_000, 1000, runs, bench, work, xlsx=False)
        add(sensitivity.rows(100_000, 1000, t), f"sensitivity: {load()}")
    if "workbook" in only:
        ours, hand, _, _, same = workbook_out.measure(100_000, runs, bench, work)
        add(workbook_out.rows(100_000, ours, hand), f"workbook: the same cells: {same}; {load()}")
    if "scale" in only:
        score(5_000_000, "parquet")  # no target: reported beside 1,000,000
    print("\n" + table(out))
    print("\n".join(notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
