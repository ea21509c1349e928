"""How a frame's columns lie in memory: few chunks, made without holding two frames.

A column read from a file comes in chunks (a Parquet file's row groups, a CSV's batches). Long
chunks cost nothing: polars scores a million units in eight chunks as fast as in one. Short ones
cost much (90,000 units in 3,000 chunks score 18–38 times slower), so a column whose chunks are
short on average is made one array; one of long chunks is left as it is, for copying a million
units' columns into one would hold 350 MB more at the peak of the reading and take 0.16 s.
"""

from __future__ import annotations

import polars as pl

LONG = 1 << 16  # rows: chunks at least this long on average are left as they are


def whole(column: pl.Series) -> pl.Series:
    """`column`, one array if its chunks are short on average, else as it is."""
    chunks = column.n_chunks()
    return column.rechunk() if chunks > 1 and len(column) < LONG * chunks else column


def few_chunks(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with each column as whole() leaves it, copied a column at a time with each
    original released as soon as its copy exists (so two whole frames are never in memory
    together, as frame.rechunk() holds them). Empties `frame`."""
    return pl.DataFrame([whole(frame.drop_in_place(name)) for name in list(frame.columns)])
