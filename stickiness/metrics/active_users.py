"""Active users (DAU, WAU, MAU) and stickiness, daily and per calendar month.

Definitions (the contract, with worked examples: docs/metrics.md):

- a user is *active* on day d if they have at least one event on d (only events
  in ``active_events`` when given);
- DAU(d) = distinct users active on d; WAU(d) = distinct users active in
  [d-6, d]; MAU(d) = distinct users active in [d-(W-1), d], W = ``window``;
- stickiness(d) = DAU(d) / MAU(d); ``complete`` is false while the W-day window
  reaches before the log's first day, and on a last day that looks partial
  (``partial_day``: the log ends early in the day; the rule is
  :func:`partial_last_day`'s).

Each stickiness comes with a 95% interval (docs/intervals.md): exact for the daily
DAU / MAU (DAU's users are some of MAU's: a proportion), a seeded bootstrap over
the month's users for the monthly one (a mean of ratios, not a proportion).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

import narwhals as nw
import polars as pl

from stickiness._engine import collect, lift
from stickiness._sources import Source
from stickiness.intervals import (
    CONFIDENCE,
    bootstrap_mean_interval,
    check_confidence,
    with_bootstrap_interval,
    with_proportion_interval,
)
from stickiness.log import UsageLog, as_log
from stickiness.options import ACTIVITY, WEEK, whole_days
from stickiness.schemas import ACTIVE_USERS_SCHEMA, MONTHLY_SCHEMA
from stickiness.stages.active_days import SEGMENT, active_days, with_calendar
from stickiness.stages.periods import calendar, period_runs, start_of
from stickiness.stages.segments import check_segment_name

__all__ = ["active_users", "monthly_active_users", "partial_last_day"]

#: The partial-day rule (docs/metrics.md, "A partial last day"): the last day's DAU is below this share of the
#: median DAU of the same weekday in the PARTIAL_WEEKS weeks before it and of the 7 days before it, when that
#: weekday's median is at least PARTIAL_MIN_USERS users (below, half the usual is ordinary day-to-day noise).
PARTIAL_SHARE = 0.5
PARTIAL_WEEKS = 4
PARTIAL_MIN_USERS = 20


def _window_ends(spans: nw.LazyFrame[Any], window: int, name: str) -> nw.LazyFrame[Any]:
    """Per (segment, day): how many users leave a trailing ``window``-day count on that day.

    A user active on day a is counted on days a .. a+window-1. Cutting each such
    span at the user's next active day makes one user's spans disjoint, so a
    running sum of the users entering (that day's DAU) minus the users leaving
    counts distinct users exactly.
    """
    end = nw.min_horizontal(nw.col("__next"), nw.col("day").dt.offset_by(f"{window}d").cast(nw.Date()))
    return spans.group_by(SEGMENT, end.alias("day")).agg(nw.len().alias(name))


def _dau(log: UsageLog, *, by: str | None, active_events: Collection[str] | None) -> pl.DataFrame:
    """``__segment, day, dau``: every observed day's DAU per segment, kept on the log (daily and monthly share it)."""
    events = None if active_events is None else frozenset(active_events)

    def compute() -> pl.DataFrame:
        frames = active_days(log, by=by, active_events=active_events)
        dau = frames["days"].group_by(SEGMENT, "day").agg(nw.len().alias("dau"))
        schema = {SEGMENT: pl.String(), "day": pl.Date(), "dau": pl.Int64()}
        return collect(with_calendar(frames["dates"], dau, "dau"), schema)

    return log.stages.get("dau", compute, by=by, active_events=events)


def _daily(log: UsageLog, *, window: int, by: str | None, active_events: Collection[str] | None) -> nw.LazyFrame[Any]:
    dau = _dau(log, by=by, active_events=active_events)
    frames = active_days(log, by=by, active_events=active_events, extra={"__dau": dau})
    spans = frames["days"]  # with __next, the user's next active day
    keys = [SEGMENT, "day"]
    return (
        frames["__dau"]
        .join(_window_ends(spans, WEEK, "__wau_out"), on=keys, how="left")
        .join(_window_ends(spans, window, "__mau_out"), on=keys, how="left")
        .with_columns(nw.col("__wau_out", "__mau_out").fill_null(0))
        .with_columns(
            (nw.col("dau") - nw.col("__wau_out")).cum_sum().over(SEGMENT, order_by="day").alias("wau"),
            (nw.col("dau") - nw.col("__mau_out")).cum_sum().over(SEGMENT, order_by="day").alias("mau"),
        )
    )


def partial_last_day(data: UsageLog | Source) -> dt.date | None:
    """Return the log's last day (``as_of``) when it looks partial, else None.

    The activity table has days, not times, so a log that stops early on its last
    day shows up as a last day with few active users. The rule (docs/metrics.md,
    "A partial last day"), on the DAU of the whole product (every segment, every
    event): the last day L is partial when

    - the log has the 4 weeks before it (L - 28 >= the first day),
    - the median DAU of the same weekday in those weeks (L - 7, L - 14, L - 21,
      L - 28) is at least 20 users,
    - DAU(L) is below half that median, and below half the median DAU of the
      7 days before it (L - 7 .. L - 1).

    Comparing with the same weekday keeps a quiet Sunday of a weekday product
    from looking partial.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.metrics.active_users import partial_last_day
    >>> days = [dt.date(2024, 6, 1) + dt.timedelta(days=n) for n in range(29)]  # June 1 .. 29
    >>> events = pl.DataFrame({  # 40 users a day, then 6 on June 29 (the log stops at dawn)
    ...     "user_id": [f"u{u}" for d in days for u in range(40 if d.day < 29 else 6)],
    ...     "timestamp": [d for d in days for u in range(40 if d.day < 29 else 6)],
    ...     "event": "open",
    ... })
    >>> partial_last_day(events)
    datetime.date(2024, 6, 29)
    """
    log = as_log(data)
    first, last = log.first_day, log.as_of
    if first is None or last is None or (last - first).days < PARTIAL_WEEKS * WEEK:
        return None
    # every day of the last 4 weeks, with 0 for a day without activity
    span = pl.DataFrame({"day": pl.date_range(last - dt.timedelta(days=PARTIAL_WEEKS * WEEK), last, eager=True)})
    product = _dau(log, by=None, active_events=None).select("day", "dau")
    dau = span.join(product, on="day", how="left").select(
        (pl.col("day") - pl.lit(last)).dt.total_days().alias("offset"), pl.col("dau").fill_null(0)
    )
    offset = pl.col("offset")
    figures = dau.select(
        pl.col("dau").filter(offset == 0).sum().alias("today"),
        pl.col("dau").filter((offset < 0) & (offset % WEEK == 0)).median().alias("weekday"),
        pl.col("dau").filter(offset >= -WEEK, offset < 0).median().alias("week"),
    ).row(0, named=True)
    usual = min(figures["weekday"], figures["week"])
    looks_partial = figures["weekday"] >= PARTIAL_MIN_USERS and figures["today"] < PARTIAL_SHARE * usual
    return last if looks_partial else None


#: The interval columns, added in polars to the collected counts (docs/intervals.md).
_INTERVAL = ("stickiness_low", "stickiness_high", "small_sample")


def _output_schema(by: str | None, columns: Mapping[str, pl.DataType]) -> dict[str, pl.DataType]:
    return {**({by: pl.String()} if by else {}), **columns}


def active_users(
    data: UsageLog | Source,
    *,
    window: int = ACTIVITY.window,
    by: str | None = None,
    active_events: Collection[str] | None = None,
    confidence: float = CONFIDENCE,
) -> pl.DataFrame:
    """Daily DAU, WAU, MAU and stickiness (DAU / MAU), overall or per segment.

    Parameters
    ----------
    data
        A :class:`~stickiness.UsageLog`, or anything :func:`~stickiness.read_log` reads.
    window
        MAU window W in days (28 is common).
    by
        A users-table column (e.g. ``"persona"``): one series per segment.
    active_events
        Count a user as active only for these events (default: any event).
    confidence
        The level of the stickiness interval (0.95 by default; docs/intervals.md).

    Returns
    -------
    polars.DataFrame
        ``[by,] day, dau, wau, mau, stickiness, complete, partial_day,
        stickiness_low, stickiness_high, small_sample``: one row
        per day from the log's first day to ``as_of`` (per segment), sorted.
        ``day`` is a Date, counts are Int64, ``stickiness`` a Float64 (null when
        MAU is 0). ``partial_day`` (Boolean) is true on the last day when it looks
        partial (:func:`partial_last_day`: the log stops early that day);
        ``complete`` is false on it, and while the W-day window reaches before
        the first day. ``stickiness_low`` and ``stickiness_high`` (Float64, null
        when MAU is 0) are the exact (Clopper-Pearson) interval of DAU / MAU;
        ``small_sample`` (Boolean) is true when MAU is below 30.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness import active_users
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "b", "a"],
    ...     "timestamp": [dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 3)],
    ...     "event": ["open"] * 3,
    ... })
    >>> active_users(events, window=7).select("dau", "mau", "stickiness", "complete").rows()
    [(2, 2, 1.0, False), (0, 2, 0.0, False), (1, 2, 0.5, False)]
    """
    check_segment_name(by, tuple(ACTIVE_USERS_SCHEMA), function="active_users")
    whole_days(window, "window", f"the MAU window, {ACTIVITY.window} by default, 28 is common", minimum=WEEK)
    check_confidence(confidence)
    log = as_log(data)
    first = log.first_day or dt.date(1970, 1, 1)  # any day: an empty log has no rows (Spark cannot hold year 1)
    partial = partial_last_day(log)
    partial_day = nw.lit(value=False) if partial is None else nw.col("day") == nw.lit(partial)
    window_complete = nw.col("day") >= nw.lit(first + dt.timedelta(days=window - 1))
    table = _daily(log, window=window, by=by, active_events=active_events).with_columns(
        (nw.when(nw.col("mau") > 0).then(nw.col("dau") / nw.col("mau"))).alias("stickiness"),
        (window_complete & ~partial_day).alias("complete"),
        partial_day.alias("partial_day"),
    )
    if by:
        table = table.rename({SEGMENT: by})
    schema = _output_schema(by, ACTIVE_USERS_SCHEMA)
    schema = {name: dtype for name, dtype in schema.items() if name not in _INTERVAL}
    out = collect(table, schema).sort([*([by] if by else []), "day"])
    return with_proportion_interval(out, "dau", "mau", prefix="stickiness", confidence=confidence)


def monthly_active_users(
    data: UsageLog | Source,
    *,
    by: str | None = None,
    active_events: Collection[str] | None = None,
    confidence: float = CONFIDENCE,
) -> pl.DataFrame:
    """Per calendar month: mean DAU, distinct users active in the month, and their ratio.

    Only days from the log's first day to ``as_of`` are counted, so the first
    and last months may be partial; ``complete`` says whether every day of the
    month was observed (false for the month of a last day that looks partial,
    see :func:`partial_last_day`).

    ``stickiness`` is the mean over the month's users of their active days over
    the month's observed days: its interval is a seeded percentile bootstrap
    over those users (docs/intervals.md), resampled from the histogram of their
    active days, so the same log always gives the same interval.

    Parameters
    ----------
    data, by, active_events
        As for :func:`active_users`.
    confidence
        The level of the stickiness interval (0.95 by default).

    Returns
    -------
    polars.DataFrame
        ``[by,] month, days, mean_dau, mau, stickiness, complete,
        stickiness_low, stickiness_high, small_sample``: ``month`` is
        the Date of the month's first day, ``days`` the observed days (Int64),
        ``mean_dau`` the mean DAU over those days, ``mau`` the distinct users
        active in them (Int64), ``stickiness = mean_dau / mau`` (null when mau is 0);
        ``stickiness_low`` and ``stickiness_high`` (Float64, null when mau is 0) its
        bootstrap interval; ``small_sample`` (Boolean) is true when mau is below 30.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness import monthly_active_users
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "b", "a"],
    ...     "timestamp": [dt.datetime(2024, 2, 1), dt.datetime(2024, 2, 1), dt.datetime(2024, 2, 29)],
    ...     "event": ["open"] * 3,
    ... })
    >>> monthly_active_users(events).select("days", "mau", "stickiness", "complete").rows()
    [(29, 2, 0.05172413793103448, True)]
    """
    check_segment_name(by, tuple(MONTHLY_SCHEMA), function="monthly_active_users")
    check_confidence(confidence)
    log = as_log(data)
    dau = _dau(log, by=by, active_events=active_events)
    # each user's active months are kept on the log: retention and lifecycle share them
    months = period_runs(log, period="month", by=by, active_events=active_events)
    lazy = lift(log, dau=dau, calendar=calendar(log, "month"), months=months)
    lazy["months"] = lazy["months"].select(SEGMENT, "__p")
    daily = (
        lazy["dau"]
        .join(lazy["calendar"], on="day", how="inner")
        .group_by(SEGMENT, "__p")
        .agg(nw.len().alias("days"), nw.col("dau").mean().alias("mean_dau"))
    )
    mau = lazy["months"].group_by(SEGMENT, "__p").agg(nw.len().alias("mau"))
    table = (
        daily.join(mau, on=[SEGMENT, "__p"], how="left")
        .with_columns(nw.col("mau").fill_null(0))
        .with_columns((nw.when(nw.col("mau") > 0).then(nw.col("mean_dau") / nw.col("mau"))).alias("stickiness"))
    )
    columns: dict[str, pl.DataType] = {SEGMENT: pl.String(), "__p": pl.Int64()}
    columns |= {name: dtype for name, dtype in MONTHLY_SCHEMA.items() if name not in ("month", "complete", *_INTERVAL)}
    month = start_of(pl.col("__p"), "month").alias("month")
    segment = [pl.col(SEGMENT).alias(by)] if by else []
    out = collect(table, columns).join(
        _active_day_histograms(log, by=by, active_events=active_events), on=[SEGMENT, "__p"], how="left"
    )
    rest = [name for name in MONTHLY_SCHEMA if name not in ("month", "complete")]
    out = _with_monthly_interval(out, confidence).select(*segment, month, *rest)
    month_days = (pl.col("month").dt.offset_by("1mo") - pl.col("month")).dt.total_days()
    partial = partial_last_day(log)
    whole = pl.lit(value=True) if partial is None else pl.col("month") != pl.lit(partial.replace(day=1))
    out = out.with_columns(complete=(pl.col("days") == month_days) & whole)
    return out.select(*([by] if by else []), *MONTHLY_SCHEMA).sort([*([by] if by else []), "month"])


def _active_day_histograms(log: UsageLog, *, by: str | None, active_events: Collection[str] | None) -> pl.DataFrame:
    """``__segment, __p, __k, __users``: per segment and month, the users active on exactly k of its days.

    The monthly bootstrap resamples users from this histogram (at most 31 rows per segment x month),
    so no per-user rows leave the engine.
    """
    frames = active_days(log, by=by, active_events=active_events, extra={"calendar": calendar(log, "month")})
    per_user = (
        frames["days"]
        .join(frames["calendar"], on="day", how="inner")
        .group_by(SEGMENT, "user", "__p")
        .agg(nw.len().alias("__k"))
    )
    histogram = per_user.group_by(SEGMENT, "__p", "__k").agg(nw.len().alias("__users"))
    schema = {SEGMENT: pl.String(), "__p": pl.Int64(), "__k": pl.Int64(), "__users": pl.Int64()}
    return (
        collect(histogram, schema)
        .sort(SEGMENT, "__p", "__k")
        .group_by(SEGMENT, "__p", maintain_order=True)
        .agg(pl.col("__k"), pl.col("__users"))
    )


def _with_monthly_interval(out: pl.DataFrame, confidence: float) -> pl.DataFrame:
    """Add the bootstrap interval of each month's stickiness: the mean of active days / days over its users."""

    def interval(days: int, ks: list[int] | None, users: list[int] | None) -> tuple[float, float]:
        if not ks or not users or not days:
            return (float("nan"), float("nan"))
        return bootstrap_mean_interval(ks, users, scale=1 / days, confidence=confidence)

    return with_bootstrap_interval(out, ["days", "__k", "__users"], interval, prefix="stickiness", users="mau")
