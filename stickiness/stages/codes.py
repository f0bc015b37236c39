"""Small integer codes for a log's users and events, kept on the log.

Metrics that sort or hash the activity work on integers rather than on text or
wide ids: ``__u`` (UInt32) numbers the distinct users, ``__e`` (UInt32) the
distinct events in sorted order, and ``__d`` (Int32) is a day as days since
1970-01-01. Each is computed once per log and reused by every metric.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import narwhals as nw
import polars as pl

from stickiness._engine import decode_users
from stickiness.log import UsageLog

__all__ = [
    "coded_activity",
    "coded_days",
    "day_number",
    "event_codes",
    "user_code_table",
    "user_codes",
    "user_ids",
    "user_offset",
    "with_user_codes",
]

_EPOCH = dt.date(1970, 1, 1)


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01: how the stages hold days."""
    return (day - _EPOCH).days


def event_codes(log: UsageLog) -> pl.DataFrame:
    """``event, __e``: the log's distinct events, sorted, numbered from 0."""
    return log.stages.get("event_codes", lambda: _distinct(log, "event", "__e"))


def user_offset(log: UsageLog) -> int | None:
    """Return the smallest user id when the ids are integers spanning fewer than 2**32 values, else None.

    Such ids need no dictionary: a user's code is ``user - offset``.
    """
    return log.stages.get("user_offset", lambda: _offset(log))


def user_code_table(log: UsageLog) -> pl.LazyFrame:
    """``__u, user``: :func:`user_codes`, as a lazy query when the ids are integers (decoding them needs no table)."""
    offset = user_offset(log)
    if offset is None:
        return user_codes(log).lazy()
    return _code_users(log.activity.lazy(), offset)


def user_ids(log: UsageLog, frame: nw.LazyFrame[Any], codes: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Add ``user`` to a lifted frame with ``__u`` codes; ``codes`` is :func:`user_code_table`, lifted with it."""
    return decode_users(frame, codes, offset=user_offset(log), dtype=log.user_dtype)


def with_user_codes(log: UsageLog, frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``__u`` to a frame with a ``user`` column (a users table), keeping only the log's users."""
    offset = user_offset(log)
    if offset is None:
        return user_codes(log).join(frame, on="user", how="inner")
    users = log.activity.get_column("user")
    user = pl.col("user")
    # ids outside the log's range are no user of the log; those inside but absent match no activity row
    return frame.filter(user.is_between(users.min(), users.max())).with_columns(
        (user - offset).cast(pl.UInt32).alias("__u")
    )


def user_codes(log: UsageLog) -> pl.DataFrame:
    """``user, __u``: the log's distinct users, sorted, with their codes (UInt32)."""
    return log.stages.get("user_codes", lambda: _user_codes(log))


def coded_activity(log: UsageLog) -> pl.DataFrame:
    """``__u, __d, __e, events``: the activity table with the user, day and event as integer codes."""
    return log.stages.get("coded_activity", lambda: _code(log))


def _offset(log: UsageLog) -> int | None:
    users = log.activity.get_column("user")
    if not users.dtype.is_integer() or users.len() == 0:
        return None
    low, high = users.min(), users.max()
    return int(low) if int(high) - int(low) < 2**32 else None  # type: ignore[arg-type]


def _user_codes(log: UsageLog) -> pl.DataFrame:
    offset = user_offset(log)
    if offset is None:
        return log.activity.select(pl.col("user").unique().sort()).with_row_index("__u")
    return _code_users(log.activity.lazy(), offset).collect()


def _code_users(activity: pl.LazyFrame, offset: int) -> pl.LazyFrame:
    users = activity.select(pl.col("user").unique().sort())
    return users.select((pl.col("user") - offset).cast(pl.UInt32).alias("__u"), "user")


def _distinct(log: UsageLog, column: str, code: str) -> pl.DataFrame:
    # sorted, so that codes (and any order that falls back on them) are the same on every run
    return log.activity.select(column).unique().sort(column).with_row_index(code)


def _code(log: UsageLog) -> pl.DataFrame:
    events = event_codes(log)
    # An Enum of the sorted event names: its physical codes are the __e codes, no join needed.
    as_enum = pl.col("event").cast(pl.Enum(events.get_column("event").to_list()))
    offset = user_offset(log)
    day = pl.col("day").cast(pl.Int32).alias("__d")
    event = as_enum.to_physical().cast(pl.UInt32).alias("__e")
    if offset is not None:
        return log.activity.select((pl.col("user") - offset).cast(pl.UInt32).alias("__u"), day, event, "events")
    return (
        log.activity.lazy()
        .select("user", day, event, "events")
        .join(user_codes(log).lazy(), on="user", how="inner")
        .select("__u", "__d", "__e", "events")
        .collect()
    )


def coded_days(log: UsageLog, events: frozenset[str] | None) -> pl.LazyFrame:
    """``__u, __d``: the activity's (user code, day number) rows, of ``events`` only when given (repeats kept)."""
    offset = user_offset(log)
    if events is None and offset is not None:  # integer ids: the code is arithmetic, no coded copy needed
        return log.activity.lazy().select(
            (pl.col("user") - offset).cast(pl.UInt32).alias("__u"), pl.col("day").cast(pl.Int32).alias("__d")
        )
    activity = coded_activity(log).lazy()
    if events is not None:
        codes = event_codes(log).filter(pl.col("event").is_in(list(events))).get_column("__e")
        activity = activity.filter(pl.col("__e").is_in(codes.implode()))
    return activity.select("__u", "__d")
