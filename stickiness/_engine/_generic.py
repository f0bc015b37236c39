"""The primitives written once with narwhals: they run on every engine.

The polars implementations (``_polars.py``) must give the same rows;
``tests/engine/test_runs.py`` runs both on polars and compares them.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import narwhals as nw

__all__ = ["decode_users", "runs"]


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


def decode_users(frame: nw.LazyFrame[Any], codes: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Add ``user`` to a frame with ``__u`` codes, by a join with the ``__u, user`` table ``codes``."""
    # Engines store codes in different integer widths (Spark has no unsigned ones): join on Int64.
    code = nw.col("__u")
    users = codes.select(code.cast(nw.Int64()).alias("__code"), "user")
    return (
        frame.with_columns(code.cast(nw.Int64()).alias("__code")).join(users, on="__code", how="inner").drop("__code")
    )
