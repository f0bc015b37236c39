"""The primitives on polars, faster: one sort of a packed integer key, and user codes decoded by arithmetic.

A (key, order) pair is packed into one Int64, ``key * 2**16 + (order - smallest
order)``, sorted once (no hash of every row) and adjacent duplicates dropped;
neighbours are then the adjacent rows where the key is the same. The packing holds
when the order values span fewer than 2**16 (days: 179 years) and keys are
non-negative and below 2**47: :func:`accepts` checks it, the one gate of the fast
route. Rows come out sorted by key and order.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import narwhals as nw
import polars as pl

__all__ = ["PACKED", "accepts", "decode_users", "distinct_sorted", "running_sum", "runs"]

#: An order value is packed in 16 bits: its offset from the smallest order value.
PACKED = 2**16
#: Keys times PACKED must stay within Int64.
_MAX_KEY = 2**47


def accepts(rows: pl.DataFrame, *, key: str, order: str) -> bool:
    """Whether the packed route holds for these (key, order) rows: integers, no nulls, order span < 2**16."""
    schema = rows.schema
    if not (schema[key].is_integer() and schema[order].is_integer()):
        return False
    if rows.height == 0:
        return True
    if rows.get_column(key).null_count() or rows.get_column(order).null_count():
        return False
    bounds = rows.select(
        pl.col(key).min().cast(pl.Int64).alias("k0"),
        pl.col(key).max().cast(pl.Float64).alias("k1"),  # a UInt64 key may not fit Int64
        (pl.col(order).max().cast(pl.Float64) - pl.col(order).min().cast(pl.Float64)).alias("span"),
    ).row(0)
    low_key, high_key, span = bounds
    return bool(low_key >= 0 and high_key < _MAX_KEY and span < PACKED)


def runs(rows: pl.DataFrame, *, key: str, order: str, with_: Collection[str]) -> nw.LazyFrame[Any]:
    """:func:`stickiness._engine.runs` on rows :func:`accepts` takes, by one sort of a packed key.

    Input already in (key, order) order (e.g. periods of days that are sorted) is not sorted again.
    """
    key_type, order_type = rows.schema[key], rows.schema[order]
    smallest = rows.get_column(order).min()
    first = 0 if smallest is None else int(smallest)  # type: ignore[arg-type]
    packed = rows.select(
        (pl.col(key).cast(pl.Int64) * PACKED + (pl.col(order).cast(pl.Int64) - first)).alias("__packed")
    ).get_column("__packed")
    k, o = pl.col(key), pl.col(order)
    new_key = k.ne_missing(k.shift(1))
    neighbours = {
        "prev": pl.when(~new_key).then(o.shift(1)).alias("__prev"),
        "next": pl.when(k.eq_missing(k.shift(-1))).then(o.shift(-1)).alias("__next"),
        "first": pl.when(new_key).then(o).forward_fill().alias("__first"),
    }
    out = (
        distinct_sorted(packed)
        .lazy()
        .select(
            (pl.col("__packed") // PACKED).cast(key_type).set_sorted().alias(key),
            (pl.col("__packed") % PACKED + first).cast(order_type).alias(order),
        )
        .with_columns(expr for name, expr in neighbours.items() if name in with_)
    )
    return nw.from_native(out)


def running_sum(frame: pl.LazyFrame, *, key: str, order: str, value: str, alias: str) -> nw.LazyFrame[Any]:
    """:func:`stickiness._engine.running_sum` without a window: one sort, then a running sum over all rows.

    The rows sorted by (key, order), a key's running sum is the running sum over every row minus
    its value just before the key's first row (carried down the key's rows). Polars' streaming
    engine, the default of ``collect``, stalled for good on the window form
    (``cum_sum().over(key, order_by=order)``) at 100M events (docs/benchmarks.md, issue 18).
    Rows come out sorted by key and order.
    """
    # Why no window (polars 2.1.0, 2 cores): past its memory budget the streaming window node had spilled
    # its partitions and unspilled them on the rayon pool (window::evaluate_stored_partition ->
    # SpillFrame::into_df_blocking), whose rechunk_mut_par waited for that same pool, every worker of
    # which was blocked there: a deadlock, no CPU, every thread on a futex (gdb, docs/benchmarks.md).
    # The class of polars' rayon re-entrancy deadlocks (pola-rs/polars#22159; #27600, "Rayon deadlock
    # with re-entrant io sources"; #27969, open); no report of this window path was found.
    k, total = pl.col(key), pl.col(value).cum_sum()
    before = pl.when(k.ne_missing(k.shift(1))).then(total - pl.col(value)).forward_fill()
    return nw.from_native(frame.sort(key, order).with_columns((total - before).alias(alias)))


def distinct_sorted(keys: pl.Series) -> pl.DataFrame:
    """Sort non-negative packed keys (unless they are sorted already) and drop repeats, in one pass."""
    ordered = keys if keys.is_sorted() else keys.sort()
    return ordered.filter(ordered != ordered.shift(1, fill_value=-1)).set_sorted().to_frame()


def decode_users(
    frame: pl.LazyFrame, codes: pl.LazyFrame, *, offset: int | None, dtype: pl.DataType
) -> nw.LazyFrame[Any]:
    """Add ``user`` to a polars frame with ``__u`` codes, keeping its row order.

    Integer ids with an ``offset`` map back by arithmetic, with no dictionary to build
    (``codes`` is then never computed); others by an order-keeping join.
    """
    if offset is not None:
        return nw.from_native(frame.with_columns((pl.col("__u").cast(pl.Int64) + offset).cast(dtype).alias("user")))
    code_type = frame.collect_schema()["__u"]
    users = codes.select(pl.col("__u").cast(code_type), "user")
    return nw.from_native(frame.join(users, on="__u", how="left", maintain_order="left"))
