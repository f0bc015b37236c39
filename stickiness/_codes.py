"""Small integer codes for a log's users and events, kept on the log.

Metrics that sort or hash the activity work on integers rather than on text or
wide ids: ``__u`` (UInt32) numbers the distinct users, ``__e`` (UInt32) the
distinct events in sorted order, and ``__d`` (Int32) is a day as days since
1970-01-01. Each is computed once per log and reused by every metric.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from stickiness._cache import cached
from stickiness.log import UsageLog

__all__ = ["PACKED_DAYS", "coded_activity", "day_number", "distinct_sorted", "event_codes", "user_codes"]

#: Fast paths pack a day as its offset from the log's first day in 16 bits (179 years).
PACKED_DAYS = 2**16
_EPOCH = dt.date(1970, 1, 1)


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01: how the stages hold days."""
    return (day - _EPOCH).days


def event_codes(log: UsageLog) -> pl.DataFrame:
    """``event, __e``: the log's distinct events, sorted, numbered from 0."""
    return cached(log, "event_codes", None, lambda: _distinct(log, "event", "__e"), keep=1)


def user_codes(log: UsageLog) -> pl.DataFrame:
    """``user, __u``: the log's distinct users, sorted, numbered from 0."""
    return cached(log, "user_codes", None, lambda: _distinct(log, "user", "__u"), keep=1)


def coded_activity(log: UsageLog) -> pl.DataFrame:
    """``__u, __d, __e``: the activity table's (user, day, event) rows as integer codes."""
    return cached(log, "coded_activity", None, lambda: _code(log), keep=1)


def _distinct(log: UsageLog, column: str, code: str) -> pl.DataFrame:
    # sorted, so that codes (and any order that falls back on them) are the same on every run
    return log.activity.select(column).unique().sort(column).with_row_index(code)


def _code(log: UsageLog) -> pl.DataFrame:
    events = event_codes(log)
    # An Enum of the sorted event names: its physical codes are the __e codes, no join needed.
    as_enum = pl.col("event").cast(pl.Enum(events.get_column("event").to_list()))
    return (
        log.activity.lazy()
        .select("user", pl.col("day").cast(pl.Int32).alias("__d"), as_enum.to_physical().cast(pl.UInt32).alias("__e"))
        .join(user_codes(log).lazy(), on="user", how="inner")
        .select("__u", "__d", "__e")
        .collect()
    )


def distinct_sorted(keys: pl.Series) -> pl.DataFrame:
    """Sort non-negative packed keys and drop repeats: one sort instead of a hash of every row."""
    ordered = keys.sort()
    return ordered.filter(ordered != ordered.shift(1, fill_value=-1)).set_sorted().to_frame()
