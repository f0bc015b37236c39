"""Active (segment, user, day) rows in the log's engine, kept on the log: the input of the active-user metrics."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import narwhals as nw
import polars as pl

from stickiness._codes import (
    PACKED_DAYS,
    coded_activity,
    day_number,
    distinct_sorted,
    event_codes,
    user_of,
    user_offset,
)
from stickiness._engine import collect, lift
from stickiness._errors import ColumnNotFoundError, InvalidOptionError
from stickiness.log import UNKNOWN_SEGMENT, UsageLog

__all__ = [
    "ALL_SEGMENT",
    "SEGMENT",
    "active_days",
    "check_by",
    "days_sorted",
    "segment_of",
    "user_days",
    "with_calendar",
]

SEGMENT = "__segment"
#: The segment of every user when no ``by`` is given.
ALL_SEGMENT = "(all)"


def check_by(log: UsageLog, by: str | None) -> None:
    """Raise a clear error if ``by`` is not a column of the log's users table."""
    if by is None:
        return
    if log.users is None:
        raise InvalidOptionError(f"by={by!r} needs a users table with that column: read_log(..., users='users.csv').")
    if by not in log.segment_columns:
        raise ColumnNotFoundError(
            f"by={by!r}: the users table has no column {by!r}. Segment columns: {list(log.segment_columns)}."
        )


def active_days(
    log: UsageLog,
    *,
    by: str | None,
    active_events: Collection[str] | None,
    extra: Mapping[str, pl.DataFrame] | None = None,
) -> dict[str, nw.LazyFrame[Any]]:
    """Lift the log into its engine and return its distinct active (segment, user, day) rows.

    Returns a dict with ``days`` (columns ``__segment, user, day, __next``:
    ``__next`` is the user's next active day, null after the last) and ``dates``
    (one column ``day``: every day from ``first_day`` to ``as_of``);
    :func:`with_calendar` spreads per-day counts over it.

    The (user, day, __next) rows do not depend on ``by`` and are kept on the log
    per ``active_events``: another window or segment column reuses them.

    ``extra`` frames (small polars frames, e.g. a calendar) are lifted with them,
    so they can be joined in the same engine, and returned under their names.
    """
    check_by(log, by)
    days = user_days(log, active_events)
    frames: dict[str, pl.DataFrame] = {**(extra or {}), "days": days, "dates": _dates(log)}
    if by is not None:
        assert log.users is not None
        frames["users"] = segment_of(log, by)
    lazy = lift(log.engine, **frames)
    spans = lazy["days"]
    if by is None:
        spans = spans.with_columns(nw.lit(ALL_SEGMENT).alias(SEGMENT))
    else:
        spans = spans.join(lazy["users"], on="user", how="left").with_columns(
            nw.col(SEGMENT).fill_null(UNKNOWN_SEGMENT)
        )
    lifted = {name: lazy[name] for name in extra or {}}
    return lifted | {"days": spans.select(SEGMENT, "user", "day", "__next"), "dates": lazy["dates"]}


def user_days(log: UsageLog, active_events: Collection[str] | None) -> pl.DataFrame:
    """``user, day, __next``: the distinct active (user, day) rows, kept on the log per ``active_events``.

    On the polars engine (:func:`days_sorted`), rows are sorted by user (in code order) and day.
    """
    events = None if active_events is None else frozenset(active_events)
    return log.stages.get("active_days", lambda: _user_days(log, events), active_events=events)


def days_sorted(log: UsageLog) -> bool:
    """Whether :func:`user_days` comes from the polars route, sorted by user and day."""
    span = None if log.first_day is None or log.as_of is None else (log.as_of - log.first_day).days
    return log.engine == "polars" and span is not None and span < PACKED_DAYS


def segment_of(log: UsageLog, by: str) -> pl.DataFrame:
    """``user, __segment``: the users table's ``by`` column as text; null where blank (then ``"(unknown)"``)."""
    assert log.users is not None
    segment = pl.col(by).cast(pl.String)
    # a blank value is no segment: those users are "(unknown)", as users absent from the table
    return log.users.select("user", pl.when(segment.str.strip_chars() != "").then(segment).alias(SEGMENT))


def _user_days(log: UsageLog, events: frozenset[str] | None) -> pl.DataFrame:
    """Find the distinct active (user, day) rows and each user's next active day, in the log's engine."""
    if days_sorted(log):
        return _polars_user_days(log, events)
    activity = lift(log.engine, activity=log.activity.select("user", "day", "event"))["activity"]
    if events is not None:
        activity = activity.filter(nw.col("event").is_in(list(events)))
    days = (
        activity.select("user", "day")
        .unique()
        .with_columns(nw.col("day").shift(-1).over("user", order_by="day").alias("__next"))
    )
    return collect(days, {"user": log.activity.schema["user"], "day": pl.Date(), "__next": pl.Date()})


def _polars_user_days(log: UsageLog, events: frozenset[str] | None) -> pl.DataFrame:
    """:func:`_user_days` on the polars engine, by one sort of a packed (user code, day) key.

    The same rows as the engine-neutral query: (user code, day offset) packed in one
    Int64, sorted, adjacent duplicates dropped; the next day is the following row's
    where the user is the same. Rows come out sorted by user code and day.
    """
    first = day_number(log.first_day)  # type: ignore[arg-type]
    offset = user_offset(log)
    if events is None and offset is not None:  # integer ids: the code is arithmetic, no events needed
        activity = log.activity.lazy().select(
            (pl.col("user") - offset).cast(pl.UInt32).alias("__u"), pl.col("day").cast(pl.Int32).alias("__d")
        )
    else:
        activity = coded_activity(log).lazy()
        if events is not None:
            codes = event_codes(log).filter(pl.col("event").is_in(list(events))).get_column("__e")
            activity = activity.filter(pl.col("__e").is_in(codes.implode()))
    packed = (
        activity.select((pl.col("__u").cast(pl.Int64) * PACKED_DAYS + (pl.col("__d") - first)).alias("__p"))
        .collect()
        .get_column("__p")
    )
    u, d = pl.col("__u"), pl.col("__d")
    days = (
        distinct_sorted(packed)
        .lazy()
        .select((pl.col("__p") // PACKED_DAYS).alias("__u"), (pl.col("__p") % PACKED_DAYS + first).alias("__d"))
        .with_columns(pl.when(u == u.shift(-1)).then(d.shift(-1)).alias("__next"))
    )
    return (
        user_of(log, days)
        .select(
            "user",
            pl.col("__d").cast(pl.Int32).cast(pl.Date).alias("day"),
            pl.col("__next").cast(pl.Int32).cast(pl.Date),
        )
        .collect()
    )


def with_calendar(dates: nw.LazyFrame[Any], per_day: nw.LazyFrame[Any], column: str) -> nw.LazyFrame[Any]:
    """Every (segment, day) of the observed span with ``per_day``'s ``column``, 0 where absent.

    The segments are those present in ``per_day`` (a small, aggregated frame).
    """
    grid = dates.join(per_day.select(SEGMENT).unique(), how="cross")
    return grid.join(per_day, on=[SEGMENT, "day"], how="left").with_columns(nw.col(column).fill_null(0))


def _dates(log: UsageLog) -> pl.DataFrame:
    if log.first_day is None or log.as_of is None:
        return pl.DataFrame(schema={"day": pl.Date})
    return pl.DataFrame({"day": pl.date_range(log.first_day, log.as_of, "1d", eager=True)})
