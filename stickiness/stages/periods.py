"""Periods (day, ISO week, calendar month) and each user's active periods: the input of the retention metrics.

A period is held as an integer index (``__p``), so that "the previous period" is
``__p - 1`` and a cohort offset is a difference of indices:

- ``"day"``: days since 1970-01-01;
- ``"week"``: weeks since the week of 1970-01-01, starting on the log's ``week_start``
  (Monday by default: ISO weeks, Monday to Sunday);
- ``"month"``: ``12 x year + month - 1``.

Indices are computed in polars on a small calendar (one row per observed day),
which the engine joins to the active days; outputs turn them back into the
Date of the period's first day.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, get_args

import narwhals as nw
import polars as pl

from stickiness._engine import Held, keep, lift, runs
from stickiness._zones import week_offset
from stickiness.exceptions import ColumnNotFoundError, InvalidOptionError
from stickiness.log import UsageLog
from stickiness.stages.active_days import SEGMENT, active_days, user_days
from stickiness.stages.codes import user_code_table, user_ids
from stickiness.stages.segments import attach_segment, check_by, segment_values
from stickiness.typing import Period

__all__ = [
    "PERIODS",
    "Period",
    "calendar",
    "check_period",
    "finish",
    "index_of",
    "period_runs",
    "period_table",
    "signup_periods",
    "start_of",
    "user_periods",
]

PERIODS: tuple[str, ...] = get_args(Period)


def check_period(period: str) -> Period:
    """Return ``period`` if it is a known period, else raise a clear error."""
    if period not in PERIODS:
        raise InvalidOptionError(
            f"period={period!r}: use one of {list(PERIODS)} ('month' = calendar month, the default; "
            "'week' = weeks from read_log(week_start=), Monday by default)."
        )
    return period  # type: ignore[return-value]


def index_of(day: pl.Expr, period: Period, week_start: str = "monday") -> pl.Expr:
    """Return the index (Int64) of the period that contains ``day`` (a polars Date expression).

    Weeks start on ``week_start`` (a day name).

    >>> import datetime as dt
    >>> sunday = pl.lit(dt.date(2024, 3, 10))  # a Sunday: the last day of a Monday week, the first of a Sunday one
    >>> monday_week = start_of(index_of(sunday, "week"), "week")
    >>> sunday_week = start_of(index_of(sunday, "week", "sunday"), "week", "sunday")
    >>> pl.select(monday=monday_week, sunday=sunday_week).row(0)
    (datetime.date(2024, 3, 4), datetime.date(2024, 3, 10))
    """
    number = day.cast(pl.Int32).cast(pl.Int64)  # days since 1970-01-01, a Thursday (weekday 3)
    if period == "day":
        return number
    if period == "week":
        # 1970-01-05, the first Monday, starts week 1 of Monday weeks; a week starting on weekday w
        # starts 1970-01-01 + (w - 3) days plus a multiple of 7
        return (number + 3 - week_offset(week_start)) // 7
    return day.dt.year().cast(pl.Int64) * 12 + day.dt.month().cast(pl.Int64) - 1


def start_of(index: pl.Expr, period: Period, week_start: str = "monday") -> pl.Expr:
    """Return the first day (Date) of the period with this ``index``: the inverse of :func:`index_of`."""
    if period == "day":
        return index.cast(pl.Int32).cast(pl.Date)
    if period == "week":
        return (index * 7 - 3 + week_offset(week_start)).cast(pl.Int32).cast(pl.Date)
    return pl.date(index // 12, index % 12 + 1, 1)


def calendar(log: UsageLog, period: Period) -> pl.DataFrame:
    """``day, __p``: each observed day (``first_day`` to ``as_of``) and its period (weeks from ``log.week_start``)."""
    if log.first_day is None or log.as_of is None:
        return pl.DataFrame(schema={"day": pl.Date, "__p": pl.Int64})
    days = pl.DataFrame({"day": pl.date_range(log.first_day, log.as_of, "1d", eager=True)})
    return days.with_columns(index_of(pl.col("day"), period, log.week_start).alias("__p"))


def period_table(log: UsageLog, period: Period) -> pl.DataFrame:
    """``__p, __complete``: every period that holds an observed day, and whether all its days are observed."""
    days = calendar(log, period)
    week = log.week_start
    whole = (start_of(pl.col("__p") + 1, period, week) - start_of(pl.col("__p"), period, week)).dt.total_days()
    return (
        days.group_by("__p")
        .agg(pl.len().alias("__days"))
        .with_columns((pl.col("__days") == whole).alias("__complete"))
        .select("__p", "__complete")
        .sort("__p")
    )


def user_periods(
    log: UsageLog,
    *,
    period: Period,
    by: str | None,
    active_events: Collection[str] | None,
    days: pl.DataFrame | None = None,
    periods: pl.DataFrame | None = None,
    extra: Mapping[str, Held] | None = None,
) -> dict[str, nw.LazyFrame[Any]]:
    """Each user's distinct active periods, in the log's engine.

    Returns a dict with ``periods`` (the lifted ``periods`` table, default
    :func:`period_table`), ``days`` (``__segment, user, day, __p``: the active
    days with their period) and ``users`` (``__segment, user, __p`` distinct, with
    ``__first``, the user's first active period, and ``__prev``/``__next``, their
    previous and next active period, null at the ends), plus the ``extra`` frames.
    ``days`` replaces the calendar (``day, __p``; days it lacks are dropped).
    """
    frames: dict[str, Held] = {
        "calendar": calendar(log, period) if days is None else days,
        "periods": period_table(log, period) if periods is None else periods,
        **(extra or {}),
    }
    check_by(log, by)
    frames["__user_periods"] = period_runs(log, period=period, by=by, active_events=active_events, days=days)
    lazy = active_days(log, by=by, active_events=active_events, extra=frames)
    active = lazy["days"].join(lazy["calendar"], on="day", how="inner").select(SEGMENT, "user", "day", "__p")
    lifted = {name: lazy[name] for name in extra or {}}
    return lifted | {"periods": lazy["periods"], "days": active, "users": lazy["__user_periods"]}


def period_runs(
    log: UsageLog,
    *,
    period: Period,
    by: str | None,
    active_events: Collection[str] | None,
    days: pl.DataFrame | None = None,
) -> Held:
    """``__segment, user, __p, __first, __prev, __next``: each user's distinct active periods.

    ``__first`` is the user's first active period, ``__prev``/``__next`` the
    previous and next one (null at the ends). Kept on the log per (period, by,
    active_events), so retention, lifecycle and the monthly active users share
    them; with a ``days`` calendar (``day, __p``), computed for the call.
    """
    if days is not None:
        return _period_runs(log, period=period, by=by, active_events=active_events, days=days)
    events = None if active_events is None else frozenset(active_events)
    return log.stages.get(
        "sorted_user_periods",
        lambda: _period_runs(log, period=period, by=by, active_events=active_events, days=None),
        period=period,
        by=by,
        active_events=events,
    )


def _period_runs(
    log: UsageLog,
    *,
    period: Period,
    by: str | None,
    active_events: Collection[str] | None,
    days: pl.DataFrame | None,
) -> Held:
    active = user_days(log, active_events)
    coded: pl.LazyFrame | nw.LazyFrame[Any]
    if days is None and isinstance(active, pl.DataFrame):
        # the period of each day, computed in place: the days keep their order (by user and day)
        coded = active.lazy().select("__u", index_of(pl.col("day"), period, log.week_start).alias("__p"))
    else:  # the period of each day from a calendar (day, __p), in the engine
        lazy = lift(log, active=active, days=calendar(log, period) if days is None else days)
        coded = lazy["active"].join(lazy["days"], on="day", how="inner").select("__u", "__p")
    frames: dict[str, Held | pl.LazyFrame] = {"active": coded, "codes": user_code_table(log)}
    if by is not None:
        assert log.users is not None  # check_by
        frames["segments"] = segment_values(log.users, by, name=SEGMENT)
    lazy = lift(log, **frames)
    periods = runs(lazy["active"], key="__u", order="__p", with_=("first", "prev", "next"))
    periods = user_ids(log, periods, lazy["codes"])
    periods = attach_segment(periods, lazy["segments"] if by is not None else None, name=SEGMENT)
    index = pl.Int64()
    schema = {SEGMENT: pl.String(), "user": log.user_dtype}
    return keep(log, periods, schema | {"__p": index, "__first": index, "__prev": index, "__next": index})


def signup_periods(log: UsageLog, column: str, period: Period) -> pl.DataFrame:
    """``user, __signup``: the period index of each user's signup day (users-table ``column``)."""
    if log.users is None:
        raise InvalidOptionError(
            f"signup={column!r} needs a users table with that column: read_log(..., users='users.csv')."
        )
    if column not in log.segment_columns:
        raise ColumnNotFoundError(
            f"signup={column!r}: the users table has no column {column!r}. Its columns: {list(log.segment_columns)}."
        )
    values = log.users.get_column(column)
    if values.dtype == pl.Date:
        days = values
    elif isinstance(values.dtype, pl.Datetime):
        days = (values.dt.convert_time_zone(log.tz) if values.dtype.time_zone else values).dt.date()
    elif values.dtype == pl.String:
        days = values.str.strip_chars().str.to_date(format="%Y-%m-%d", strict=False)
        bad = values.filter(days.is_null() & values.is_not_null() & (values.str.strip_chars() != ""))
        if bad.len():
            raise InvalidOptionError(
                f"signup={column!r}: {bad.len():,} values are not dates, e.g. {bad.head(3).to_list()}. "
                "Give signup days as 'YYYY-MM-DD' text, dates or timestamps."
            )
    else:
        raise InvalidOptionError(
            f"signup={column!r} is a {values.dtype} column: give signup days as dates, timestamps or 'YYYY-MM-DD' text."
        )
    table = pl.DataFrame({"user": log.users.get_column("user"), "__day": days})
    return table.select("user", index_of(pl.col("__day"), period, log.week_start).alias("__signup"))


def finish(
    frame: pl.DataFrame,
    *,
    by: str | None,
    period: Period,
    columns: Mapping[str, pl.DataType],
    week_start: str = "monday",
) -> pl.DataFrame:
    """Name the segment column ``by`` (or drop it), turn ``__p``-like indices into Dates, sort, cast.

    ``week_start``: the log's (weekly periods start on that day).
    """
    periods = {
        name: start_of(pl.col(f"__{name}"), period, week_start).alias(name)
        for name, t in columns.items()
        if t == pl.Date
    }
    out = frame.with_columns(*periods.values())
    keys = [*([SEGMENT] if by else []), *periods]
    out = out.sort(keys) if keys else out
    selected = [pl.col(name).cast(dtype) for name, dtype in columns.items()]
    if by:
        selected.insert(0, pl.col(SEGMENT).alias(by))
    return out.select(selected)
