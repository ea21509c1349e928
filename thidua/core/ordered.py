"""Sums, means and standard deviations that do not depend on the order of the rows.

The same values in another order can sum to another float (addition rounds at every step),
and polars drops a sort it finds before an aggregate it deems order-free: `x.sort().sum()`
and `x.sort().std()` run as `x.sum()` and `x.std()`. A cumulative sum keeps its sort, so
total() adds the values one by one in ascending order, and the same values give the same
float wherever their units sit in the file. Each is one aggregate of its context (a window
when wrapped in `over`).
"""

from __future__ import annotations

import polars as pl

from thidua.core.rounding import divide

F64 = pl.Float64


def total(x: pl.Expr) -> pl.Expr:
    """The sum of the values, added in ascending order (nulls sort first and are skipped);
    null when there is none."""
    return x.sort().cum_sum().last()


def mean(x: pl.Expr) -> pl.Expr:
    """The mean of the values; null when there is none."""
    return divide(total(x), x.count().cast(F64))


def moment(x: pl.Expr, k: int) -> pl.Expr:
    """The k-th central moment, Σ(x − mean)^k / n; null when there is no value."""
    return divide(total((x - mean(x)) ** k), x.count().cast(F64))


def std(x: pl.Expr, ddof: int = 1) -> pl.Expr:
    """√(Σ(x − mean)² / (n − ddof)), two passes; null when n ≤ ddof."""
    n = x.count().cast(F64)
    squares = total((x - mean(x)) ** 2)
    return pl.when(n > ddof).then(divide(squares, n - float(ddof)).sqrt())
