"""The primitives written once with narwhals: they run on every engine.

The polars implementations (``_polars.py``) must give the same rows;
``tests/engine/test_runs.py`` runs both on polars and compares them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import narwhals as nw

__all__ = ["decode_users", "grouped_medians", "running_sum", "runs"]


def runs(frame: nw.LazyFrame[Any], *, key: str, order: str, with_: Collection[str]) -> nw.LazyFrame[Any]:
    """Distinct (key, order) rows with the neighbouring order values of the key: see :func:`stickiness._engine.runs`."""
    value = nw.col(order)
    neighbours = {
        "prev": value.shift(1).over(key, order_by=order).alias("__prev"),
        "next": value.shift(-1).over(key, order_by=order).alias("__next"),
        "first": value.min().over(key).alias("__first"),
    }
    rows = frame.select(key, order).unique()
    wanted = [expr for name, expr in neighbours.items() if name in with_]
    return rows.with_columns(*wanted) if wanted else rows


def running_sum(frame: nw.LazyFrame[Any], *, key: str, order: str, value: str, alias: str) -> nw.LazyFrame[Any]:
    """Add a running sum per key, as a window: see :func:`stickiness._engine.running_sum`."""
    return frame.with_columns(nw.col(value).cum_sum().over(key, order_by=order).alias(alias))


def decode_users(frame: nw.LazyFrame[Any], codes: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Add ``user`` to a frame with ``__u`` codes, by a join with the ``__u, user`` table ``codes``."""
    # Engines store codes in different integer widths (Spark has no unsigned ones): join on Int64.
    code = nw.col("__u")
    users = codes.select(code.cast(nw.Int64()).alias("__code"), "user")
    return (
        frame.with_columns(code.cast(nw.Int64()).alias("__code")).join(users, on="__code", how="inner").drop("__code")
    )


def grouped_medians(
    frame: nw.LazyFrame[Any], *, by: Sequence[str], aggs: Sequence[nw.Expr], medians: Mapping[str, str]
) -> nw.LazyFrame[Any]:
    """``by``, ``aggs`` and the median of each column of ``medians`` (``alias: column``), out of core.

    An engine's median holds every value of a group in memory and cannot spill (DuckDB ran out
    of memory on 1B events there). A median is read from each group's histogram instead: an
    ordinary, spillable group-by of (group, value) counts and a running count per group; the
    lower and upper middle values are where the running count first reaches ``(n + 1) // 2``
    and ``n // 2 + 1``. Exact for any values, and small when values repeat (whole days, rates).
    """
    table = frame.group_by(*by).agg(*aggs) if aggs else frame.select(*by).unique()
    for alias, column in medians.items():
        table = table.join(_median(frame, by=by, column=column, alias=alias), on=list(by), how="left")
    return table


def _median(frame: nw.LazyFrame[Any], *, by: Sequence[str], column: str, alias: str) -> nw.LazyFrame[Any]:
    """``by`` and the median of ``column`` (its non-null values), for the groups that have one."""
    value, count = nw.col("__value"), nw.col("__n")
    histogram = (
        frame.select(*by, nw.col(column).alias("__value"))
        .filter(~value.is_null())
        .group_by(*by, "__value")
        .agg(nw.len().cast(nw.Int64()).alias("__n"))
        .with_columns(
            count.cum_sum().over(*by, order_by="__value").alias("__upto"),
            count.sum().over(*by).alias("__all"),
        )
    )
    upto, total = nw.col("__upto"), nw.col("__all")
    lower, upper = (total + 1) // 2, total // 2 + 1  # the middle ranks (1-based); equal when n is odd

    def at(rank: nw.Expr) -> nw.Expr:  # the value at a rank: its value's running count first reaches it
        return nw.when((upto >= rank) & (upto - count < rank)).then(value.cast(nw.Float64()))

    middles = histogram.select(*by, at(lower).alias("__lower"), at(upper).alias("__upper"))
    pairs = middles.group_by(*by).agg(nw.col("__lower").max(), nw.col("__upper").max())
    return pairs.select(*by, ((nw.col("__lower") + nw.col("__upper")) / 2).alias(alias))
