"""The power-user curve of a window: the users active on exactly k of its days (contract: docs/power-users.md).

Written once on narwhals, so that it runs where the days are (polars, DuckDB, PySpark); the metrics
(``power_users``, ``power_users_by_use_case``) hand it their distinct active days in the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals as nw
import polars as pl

__all__ = ["active_day_grid", "power_curve"]


def active_day_grid(window: int) -> pl.DataFrame:
    """``active_days``: 1 .. ``window`` (Int64), the bars of every group's histogram.

    >>> active_day_grid(3)["active_days"].to_list()
    [1, 2, 3]
    """
    return pl.DataFrame({"active_days": pl.int_range(1, window + 1, eager=True, dtype=pl.Int64)})


def power_curve(
    days: nw.LazyFrame[Any], grid: nw.LazyFrame[Any], *, keys: Sequence[str], in_window: nw.Expr
) -> nw.LazyFrame[Any]:
    """``*keys, active_days, users, share``: per group, the users active on exactly k days of the window.

    ``days`` holds distinct ``(*keys, user, day)`` rows; ``in_window`` keeps the window's days.
    Every group with at least one user active in the window gets every k of ``grid`` (0 users where
    nobody was active k days: a histogram needs its empty bars); ``share`` is ``users`` over the
    group's users active in the window (its MAU), so a group's shares sum to 1.
    """
    per_user = days.filter(in_window).group_by(*keys, "user").agg(nw.len().alias("active_days"))
    counts = per_user.group_by(*keys, "active_days").agg(nw.len().alias("users"))
    groups = counts.group_by(*keys).agg(nw.col("users").sum().alias("__mau"))
    return (
        groups.join(grid, how="cross")
        .join(counts, on=[*keys, "active_days"], how="left")
        .with_columns(nw.col("users").fill_null(0))
        .with_columns((nw.col("users") / nw.col("__mau")).alias("share"))
        .select(*keys, "active_days", "users", "share")
    )
