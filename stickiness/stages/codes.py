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

from stickiness._engine import Held, collect, day_numbers, decode_users, keep, lift
from stickiness.log import UsageLog

__all__ = [
    "coded_activity",
    "coded_days",
    "day_number",
    "event_codes",
    "on_driver",
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
    """``event, __e``: the log's distinct events, sorted, numbered from 0 (a small table, on the driver)."""
    return log.stages.get("event_codes", lambda: _event_codes(log))


def user_offset(log: UsageLog) -> int | None:
    """Return the smallest user id when the ids are integers spanning fewer than 2**32 values, else None.

    Such ids need no dictionary: a user's code is ``user - offset``.
    """
    return log.stages.get("user_offset", lambda: _offset(log))


def user_code_table(log: UsageLog) -> pl.LazyFrame | Held:
    """``__u, user``: :func:`user_codes`, as a lazy query when the ids are integers (decoding them needs no table)."""
    offset = user_offset(log)
    if offset is None or not isinstance(log.activity, pl.DataFrame):
        return user_codes(log)
    return _code_users(log.activity.lazy(), offset)


def user_ids(log: UsageLog, frame: nw.LazyFrame[Any], codes: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Add ``user`` to a lifted frame with ``__u`` codes; ``codes`` is :func:`user_code_table`, lifted with it."""
    return decode_users(frame, codes, offset=user_offset(log), dtype=log.user_dtype)


def with_user_codes(log: UsageLog, frame: pl.DataFrame) -> pl.DataFrame | nw.LazyFrame[Any]:
    """Add ``__u`` to a frame with a ``user`` column (a users table), keeping only the log's users.

    In the log's engine: a polars DataFrame on polars, a lazy frame in the engine else.
    """
    offset = user_offset(log)
    if not isinstance(log.activity, pl.DataFrame):
        lazy = lift(log, frame=frame, codes=user_codes(log))
        return lazy["codes"].join(lazy["frame"], on="user", how="inner")
    if offset is None:
        return on_driver(user_codes(log)).join(frame, on="user", how="inner")
    users = log.activity.get_column("user")
    user = pl.col("user")
    # ids outside the log's range are no user of the log; those inside but absent match no activity row
    return frame.filter(user.is_between(users.min(), users.max())).with_columns(
        (user - offset).cast(pl.UInt32).alias("__u")
    )


def user_codes(log: UsageLog) -> Held:
    """``user, __u``: the log's distinct users, sorted, with their codes (UInt32), kept in the log's engine."""
    return log.stages.get("user_codes", lambda: _user_codes(log))


def coded_activity(log: UsageLog) -> Held:
    """``__u, __d, __e, events``: the activity table with the user, day and event as integer codes."""
    return log.stages.get("coded_activity", lambda: _code(log))


def on_driver(held: Held) -> pl.DataFrame:
    """Return a held frame of a polars log (where held frames are polars DataFrames)."""
    assert isinstance(held, pl.DataFrame), "a polars log holds polars frames"
    return held


def _activity(log: UsageLog) -> nw.LazyFrame[Any]:
    return lift(log, activity=log.activity)["activity"]


def _offset(log: UsageLog) -> int | None:
    if not log.user_dtype.is_integer() or log.is_empty:
        return None
    bounds = _activity(log).select(nw.col("user").min().alias("low"), nw.col("user").max().alias("high"))
    low, high = collect(bounds, {"low": pl.Int64(), "high": pl.Float64()}).row(0)  # a UInt64 id may not fit Int64
    return int(low) if high - low < 2**32 else None


def _user_codes(log: UsageLog) -> Held:
    offset = user_offset(log)
    if isinstance(log.activity, pl.DataFrame):
        if offset is None:
            return log.activity.select(pl.col("user").unique().sort()).with_row_index("__u")
        return _code_users(log.activity.lazy(), offset).collect()
    users = _activity(log).select("user").unique()
    if offset is None:
        coded = users.with_row_index("__u", order_by="user")
    else:
        coded = users.with_columns((nw.col("user") - offset).alias("__u"))
    return keep(log, coded, {"user": log.user_dtype, "__u": pl.UInt32()})


def _code_users(activity: pl.LazyFrame, offset: int) -> pl.LazyFrame:
    users = activity.select(pl.col("user").unique().sort())
    return users.select((pl.col("user") - offset).cast(pl.UInt32).alias("__u"), "user")


def _event_codes(log: UsageLog) -> pl.DataFrame:
    # sorted, so that codes (and any order that falls back on them) are the same on every run
    if isinstance(log.activity, pl.DataFrame):
        events = log.activity.select("event").unique()
    else:
        events = collect(_activity(log).select("event").unique(), {"event": pl.String()})
    return events.sort("event").with_row_index("__e")


def _code(log: UsageLog) -> Held:
    events = event_codes(log)
    offset = user_offset(log)
    if not isinstance(log.activity, pl.DataFrame):
        lazy = lift(log, events=events.with_columns(pl.col("__e").cast(pl.Int64)), users=user_codes(log))
        coded = day_numbers(_activity(log), __d="day").join(lazy["events"], on="event", how="inner")
        coded = coded.join(lazy["users"], on="user", how="inner")
        schema = {"__u": pl.UInt32(), "__d": pl.Int32(), "__e": pl.UInt32(), "events": pl.Int64()}
        return keep(log, coded, schema)
    # An Enum of the sorted event names: its physical codes are the __e codes, no join needed.
    as_enum = pl.col("event").cast(pl.Enum(events.get_column("event").to_list()))
    day = pl.col("day").cast(pl.Int32).alias("__d")
    event = as_enum.to_physical().cast(pl.UInt32).alias("__e")
    if offset is not None:
        return log.activity.select((pl.col("user") - offset).cast(pl.UInt32).alias("__u"), day, event, "events")
    return (
        log.activity.lazy()
        .select("user", day, event, "events")
        .join(on_driver(user_codes(log)).lazy(), on="user", how="inner")
        .select("__u", "__d", "__e", "events")
        .collect()
    )


def coded_days(log: UsageLog, events: frozenset[str] | None) -> pl.LazyFrame | nw.LazyFrame[Any]:
    """``__u, __d``: the activity's (user code, day number) rows, of ``events`` only when given (repeats kept)."""
    offset = user_offset(log)
    if events is None and offset is not None and isinstance(log.activity, pl.DataFrame):
        # integer ids: the code is arithmetic, no coded copy needed
        return log.activity.lazy().select(
            (pl.col("user") - offset).cast(pl.UInt32).alias("__u"), pl.col("day").cast(pl.Int32).alias("__d")
        )
    codes = None
    if events is not None:
        codes = event_codes(log).filter(pl.col("event").is_in(list(events))).get_column("__e").to_list()
    activity = coded_activity(log)
    if isinstance(activity, pl.DataFrame):
        lazy = activity.lazy()
        if codes is not None:
            lazy = lazy.filter(pl.col("__e").is_in(codes))
        return lazy.select("__u", "__d")
    coded = lift(log, activity=activity)["activity"]  # through this thread's connection
    if codes is not None:
        coded = coded.filter(nw.col("__e").is_in(codes))
    return coded.select("__u", "__d")
