"""Per-customer frequency, recency and T (and mean spend): the input of the repeat-use models.

For each user (and use case, with a catalog), over the active days up to the
calibration end E, in units of U days (``unit_days``):

- ``frequency`` x = active days - 1 (repeat active days: several uses on one day are one);
- ``recency`` t_x = (last active day - first active day) / U (0 when x = 0);
- ``T`` = (E - first active day) / U;
- ``monetary_value`` (with ``revenue=``) = the mean, over the repeat active days,
  of the day's revenue (null when x = 0).

Computed as one lazy narwhals query in the log's engine (polars or DuckDB).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import narwhals as nw
import polars as pl

from stickiness._engine import Held, collect, day_numbers, lift
from stickiness._sources import Source, scan_source
from stickiness._time import TimeUnit, parse_day
from stickiness.catalog import ANY_USE_CASE, Catalog, as_catalog
from stickiness.exceptions import ColumnNotFoundError, InvalidOptionError, InvalidValueError
from stickiness.log import UsageLog, as_log
from stickiness.stages.codes import event_codes
from stickiness.stages.segments import attach_segment, check_by, check_segment_name, segment_values

__all__ = ["rfm_summary"]

_DAY_COLUMNS = ("first_day", "last_day")
#: The per-user measures every summary has, after ``user``, the segment and ``use_case``.
MEASURES: dict[str, pl.DataType] = {
    "first_day": pl.Date(),
    "last_day": pl.Date(),
    "frequency": pl.Int64(),
    "recency": pl.Float64(),
    "T": pl.Float64(),
}


def rfm_summary(
    data: UsageLog | Source,
    catalog: Catalog | Any | None = None,
    *,
    calibration_end: dt.date | str | None = None,
    unit_days: float = 1,
    by: str | None = None,
    revenue: Source | None = None,
    revenue_column: str = "revenue",
    time_unit: TimeUnit | None = None,
) -> pl.DataFrame:
    """Summarise each user's active days for the repeat-use models: frequency, recency, T.

    Parameters
    ----------
    data
        A :class:`~stickiness.UsageLog`, or anything :func:`~stickiness.read_log` reads.
    catalog
        A use-case catalog (anything :func:`~stickiness.read_catalog` reads): one row
        per user and use case, counting that use case's active days (``"(any)"`` is
        the product as a whole). None (default): one row per user, every event counts.
    calibration_end
        The last day of the calibration period, E (default: the log's ``as_of``; not
        later). Active days after E are ignored; users first active after E are left out.
    unit_days
        The time unit in days: 1 (default, days) or 7 (weeks, as in the CDNOW papers);
        any number > 0.
    by
        A users-table column to add (users absent from the users table, or with an
        empty value there, get ``"(unknown)"``).
    revenue
        Optional rows with revenue (a frame or file with the log's user and time
        columns and ``revenue_column``): adds ``monetary_value``. Revenue is summed
        per user and day (every row counts, also rows the log set aside as exact
        duplicates: two purchases with one time stamp are two purchases); rows on
        days the user is not active in the log are not counted. Not with a catalog.
    revenue_column
        The revenue column of ``revenue`` (default ``"revenue"``); values must be >= 0.
    time_unit
        How to read ``revenue``'s time column when it holds epoch numbers (as in
        :func:`~stickiness.read_log`).

    Returns
    -------
    polars.DataFrame
        ``user`` (the log's user type), ``[by]`` (String, when given), ``[use_case]``
        (String, with a catalog), ``first_day`` and ``last_day`` (Date: first and last
        active day up to E), ``frequency`` (Int64: active days - 1), ``recency``
        (Float64: last - first active day, in units) and ``T`` (Float64: E - first
        active day, in units), and ``monetary_value`` (Float64: mean revenue of the
        repeat active days, null when frequency is 0) with ``revenue``. Sorted by
        ``[by,] [use_case,] user``.

    Raises
    ------
    InvalidOptionError
        ``calibration_end`` after the log's ``as_of``, ``unit_days`` <= 0, or ``revenue`` with a catalog.
    InvalidValueError
        Revenue values that are null, negative or not finite.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness import read_log
    >>> from stickiness.models import rfm_summary
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "a", "a", "b"],
    ...     "timestamp": ["2024-01-01", "2024-01-01", "2024-01-15", "2024-01-08"],
    ...     "event": ["open", "search", "open", "open"],
    ... })
    >>> log = read_log(events, as_of="2024-01-29")
    >>> rfm_summary(log, calibration_end="2024-01-29", unit_days=7).select("user", "frequency", "recency", "T").rows()
    [('a', 1, 2.0, 4.0), ('b', 0, 0.0, 3.0)]
    """
    log = as_log(data)
    check_by(log, by)
    check_segment_name(by, summary_schema(log, by=None, monetary=True), function="rfm_summary")
    end = calibration_day(log, calibration_end)
    unit = check_unit_days(unit_days)
    cat = as_catalog(catalog)
    if revenue is not None and cat is not None:
        raise InvalidOptionError(
            "revenue= with a catalog: spend is summarised per user, not per use case. "
            "Call rfm_summary(log, revenue=...) without a catalog."
        )
    table = summarise(
        log,
        cat,
        end=end,
        unit=unit,
        by=by,
        revenue=None if revenue is None else (revenue, revenue_column, time_unit),
    )
    return table if cat is not None else table.drop("use_case")


def calibration_day(log: UsageLog, value: dt.date | str | None) -> dt.date | None:
    """Return the calibration end as a date (default the log's ``as_of``), or raise a clear error."""
    if value is None:
        return log.as_of
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError as err:
            raise InvalidOptionError(f"calibration_end={value!r} is not a date. Use 'YYYY-MM-DD'.") from err
    if log.as_of is not None and day > log.as_of:
        raise InvalidOptionError(
            f"calibration_end={day} is after the log's last day ({log.as_of}): T would count days nobody "
            f"observed. Use a day <= {log.as_of}, or read the log with read_log(..., as_of={str(day)!r})."
        )
    return day


def check_unit_days(unit_days: float) -> float:
    """``unit_days`` as a float, or a clear error unless it is a finite number > 0."""
    if isinstance(unit_days, bool) or not isinstance(unit_days, int | float) or not math.isfinite(unit_days):
        raise InvalidOptionError(f"unit_days={unit_days!r}: use a number of days > 0 (1 for days, 7 for weeks).")
    if unit_days <= 0:
        raise InvalidOptionError(f"unit_days={unit_days!r}: use a number of days > 0 (1 for days, 7 for weeks).")
    return float(unit_days)


def summary_schema(log: UsageLog, *, by: str | None, monetary: bool, recent: bool = False) -> dict[str, pl.DataType]:
    """Return the columns of :func:`summarise`'s output, in order."""
    schema: dict[str, pl.DataType] = {"user": log.user_dtype}
    if by is not None:
        schema[by] = pl.String()
    schema |= {"use_case": pl.String(), **MEASURES}
    if recent:
        schema["recent_days"] = pl.Int64()
    if monetary:
        schema["monetary_value"] = pl.Float64()
    return schema


def summarise(
    log: UsageLog,
    catalog: Catalog | None,
    *,
    end: dt.date | None,
    unit: float,
    by: str | None,
    revenue: tuple[Source, str, TimeUnit | None] | None = None,
    recent_from: dt.date | None = None,
) -> pl.DataFrame:
    """One row per user x use case with active days up to ``end`` (``"(any)"`` only, without a catalog).

    With ``recent_from``, also ``recent_days``: the active days in ``recent_from .. end``.
    """
    schema = summary_schema(log, by=by, monetary=revenue is not None, recent=recent_from is not None)
    if log.is_empty or end is None or (log.first_day is not None and end < log.first_day):
        return pl.DataFrame(schema=schema)
    end_number = _day_number(end)
    frames: dict[str, Held] = {"activity": log.activity}
    if catalog is not None:
        frames["mapping"] = catalog.use_cases_of(event_codes(log).get_column("event"))
    if revenue is not None:
        frames["revenue"] = _revenue_days(log, *revenue, end=end_number)
    if by is not None:
        assert log.users is not None
        frames["users"] = segment_values(log.users, by)
    lazy = lift(log, **frames)

    d = nw.col("__d")
    active = day_numbers(lazy["activity"], __d="day").select("user", "__d", "event").filter(d <= end_number)
    if catalog is None:
        days = active.select("user", "__d").unique().with_columns(nw.lit(ANY_USE_CASE).alias("use_case"))
    else:
        days = active.join(lazy["mapping"], on="event", how="inner").select("user", "use_case", "__d").unique()
    aggregates = [d.min().alias("first_day"), d.max().alias("last_day"), nw.len().alias("__n")]
    if recent_from is not None:
        recent = nw.when(d >= _day_number(recent_from)).then(nw.lit(1)).otherwise(nw.lit(0))
        aggregates.append(recent.sum().alias("recent_days"))
    table = (
        days.group_by("user", "use_case")
        .agg(*aggregates)
        .with_columns(
            (nw.col("__n") - 1).alias("frequency"),
            ((nw.col("last_day") - nw.col("first_day")) / unit).alias("recency"),
            ((nw.lit(end_number) - nw.col("first_day")) / unit).alias("T"),
        )
    )
    if revenue is not None:
        repeat_days = days.join(table.select("user", "first_day"), on="user", how="inner").filter(
            d > nw.col("first_day")
        )
        spend = (
            repeat_days.join(lazy["revenue"], on=["user", "__d"], how="left")
            .with_columns(nw.col("__revenue").fill_null(0.0))
            .group_by("user")
            .agg(nw.col("__revenue").mean().alias("monetary_value"))
        )
        table = table.join(spend, on="user", how="left")
    if by is not None:
        table = attach_segment(table, lazy["users"], name=by)
    types = schema | dict.fromkeys(_DAY_COLUMNS, pl.Int32())
    out = collect(table, types).with_columns(pl.col(*_DAY_COLUMNS).cast(pl.Date))
    return out.sort([*([by] if by is not None else []), "use_case", "user"])


def _day_number(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def _revenue_days(log: UsageLog, source: Source, column: str, time_unit: TimeUnit | None, *, end: int) -> pl.DataFrame:
    """``user, __d, __revenue``: revenue summed per user and day, up to day number ``end``."""
    frame = scan_source(source, role="revenue table")
    names = frame.collect_schema()
    user, time = log.columns.user, log.columns.time
    for name, role in ((user, "user"), (time, "time"), (column, "revenue")):
        if name not in names:
            hint = "pass revenue_column=..." if role == "revenue" else "rename it like the log's"
            raise ColumnNotFoundError(
                f"the revenue table has no {role} column {name!r} (it has {names.names()}): {hint}. "
                f"It needs the log's user ({user!r}) and time ({time!r}) columns and the revenue column."
            )
    if not names[column].is_numeric():
        raise InvalidValueError(
            f"the revenue column {column!r} is {names[column]}, not numbers. Cast it to a number (e.g. dollars)."
        )
    day = parse_day(time, names[time], tz=log.tz, time_unit=time_unit).day
    per_day = (
        frame.select(
            user=pl.col(user).cast(log.user_dtype, strict=False),
            __d=day.cast(pl.Int32),
            __revenue=pl.col(column).cast(pl.Float64),
        )
        .filter(pl.col("user").is_not_null() & pl.col("__d").is_not_null() & (pl.col("__d") <= end))
        .group_by("user", "__d")
        .agg(
            pl.col("__revenue").sum(),
            __nulls=pl.col("__revenue").null_count(),
            __negative=(pl.col("__revenue") < 0).sum(),
            __infinite=pl.col("__revenue").is_infinite().sum() + pl.col("__revenue").is_nan().sum(),
        )
        .collect()
    )
    for problem, count_column, fix in (
        ("null", "__nulls", "drop those rows or fill them with 0"),
        ("negative", "__negative", "net refunds into the purchase they refund, or drop them"),
        ("infinite or NaN", "__infinite", "drop or correct those rows"),
    ):
        count = int(per_day[count_column].sum())
        if count:
            raise InvalidValueError(f"the revenue column {column!r} has {count:,} {problem} values: {fix}.")
    return per_day.select("user", "__d", "__revenue")
