"""Retention and churn per period, the cohort retention matrix, one-and-done users and the repeat rate.

Definitions (the contract, with a worked example: docs/retention.md). Periods are
calendar months by default (also days, or ISO weeks from Monday to Sunday); a
user is *active* in a period if they have an active day in it; per segment and
period P:

- CS = users active in P-1, CE = users active in P, CN = users whose first
  active period in the log is P; *retained* = active in P-1 and in P;
  *churned* = active in P-1, not in P; *returning* = CE - CN: retained, plus
  the users back after a gap (resurrected), so it can exceed CS;
- retention rate = returning / CS = (CE - CN) / CS; churn rate = churned / CS
  (null when CS = 0); a row is *sufficient* when CS >= ``min_users``;
- cohort matrix: users by first active period (cohort) x offset, active in
  exactly that period (``mode="on"``) or in it or any later one (``"on_or_after"``);
- retention curve: per offset, the users counted over the users of the cohorts
  that reached it, over the fully observed cells (the mean share weighted by
  cohort size);
- one-and-done: users with exactly one active day up to ``as_of``;
- repeat rate of P: the share of P's active users with an active day in P after
  their first-ever active day.

Every rate comes with a 95% interval and ``small_sample`` (docs/intervals.md): exact
for the churn rate and the cohort shares (proportions of CS and of the cohort); a
seeded bootstrap over users for the retention rate, which counts users back after a
gap on top of CS's retained users and so is not a proportion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any, get_args

import narwhals as nw
import polars as pl

from stickiness._engine import collect
from stickiness._sources import Source
from stickiness.exceptions import InvalidOptionError
from stickiness.intervals import (
    CONFIDENCE,
    bootstrap_ratio_interval,
    check_confidence,
    with_bootstrap_interval,
    with_proportion_interval,
)
from stickiness.log import UsageLog, as_log
from stickiness.options import PERIOD, RETENTION, as_date, whole, whole_days
from stickiness.schemas import COHORTS_SCHEMA, CURVE_SCHEMA, ONE_AND_DONE_SCHEMA, REPEAT_SCHEMA, RETENTION_SCHEMA
from stickiness.stages.active_days import SEGMENT
from stickiness.stages.periods import check_period, finish, period_table, user_periods
from stickiness.stages.segments import check_segment_name
from stickiness.typing import CohortMode, Period

__all__ = [
    "cohort_curve",
    "cohort_matrix",
    "one_and_done",
    "range_retention",
    "repeat_rate",
    "retention",
    "retention_curve",
]

COHORT_MODES: tuple[str, ...] = get_args(CohortMode)

#: The counts behind retention and lifecycle, per (segment, period).
_COUNTS: dict[str, pl.DataType] = {
    SEGMENT: pl.String(),
    "__period": pl.Int64(),
    "active": pl.Int64(),
    "new": pl.Int64(),
    "retained": pl.Int64(),
    "churned": pl.Int64(),
    "__complete": pl.Boolean(),
}


def _flag(condition: nw.Expr) -> nw.Expr:
    """1 where ``condition`` holds, else 0 (null counts as false)."""
    return condition.fill_null(value=False).cast(nw.Int64())


def _ratio(numerator: str, denominator: str) -> nw.Expr:
    """``numerator / denominator``, null when the denominator is 0."""
    return nw.when(nw.col(denominator) > 0).then(nw.col(numerator) / nw.col(denominator))


def _grid(frames: dict[str, nw.LazyFrame[Any]]) -> nw.LazyFrame[Any]:
    """Every (segment, period) of the periods table, for the segments with an active user."""
    segments = frames["users"].select(SEGMENT).unique()
    return segments.join(frames["periods"], how="cross").rename({"__p": "__period"})


def period_counts(frames: dict[str, nw.LazyFrame[Any]], birth: str = "__first") -> nw.LazyFrame[Any]:
    """Per (segment, period): active, new, retained (active in the period before too), churned, complete.

    A user is *new* in the period ``birth`` (default: their first active period);
    ``churned`` counts the users active in the period before and not in this one.
    """
    users = frames["users"]
    p = nw.col("__p")
    active = users.group_by(SEGMENT, p.alias("__period")).agg(
        nw.len().alias("active"),
        _flag(p == nw.col(birth)).sum().alias("new"),
        _flag(nw.col("__prev") == p - 1).sum().alias("retained"),
    )
    left = users.filter(nw.col("__next").is_null() | (nw.col("__next") > p + 1))
    churned = left.group_by(SEGMENT, (p + 1).alias("__period")).agg(nw.len().alias("churned"))
    keys = [SEGMENT, "__period"]
    return (
        _grid(frames)
        .join(active, on=keys, how="left")
        .join(churned, on=keys, how="left")
        .with_columns(nw.col("active", "new", "retained", "churned").fill_null(0))
    )


def _complete_with_previous(counts: pl.DataFrame, periods: pl.DataFrame) -> pl.DataFrame:
    """``__complete``: the period and the one before it are fully observed."""
    before = periods.select((pl.col("__p") + 1).alias("__period"), pl.col("__complete").alias("__before"))
    return counts.join(before, on="__period", how="left").with_columns(
        (pl.col("__complete") & pl.col("__before").fill_null(value=False)).alias("__complete")
    )


def counts_table(
    log: UsageLog,
    *,
    period: Period,
    by: str | None,
    active_events: Collection[str] | None,
    days: pl.DataFrame | None = None,
    periods: pl.DataFrame | None = None,
    signup: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """:func:`period_counts` collected, with ``__complete`` over the period and the one before.

    ``days`` and ``periods`` replace the calendar and the periods table (see
    :func:`~stickiness.stages.periods.user_periods`); ``signup`` (``user, __signup``)
    makes a user new in the earlier of their signup period and first active period.
    """
    if days is None and periods is None and signup is None:
        # retention, lifecycle and their charts ask for the same counts: keep them on the log
        events = None if active_events is None else frozenset(active_events)
        return log.stages.get(
            "period_counts",
            lambda: _counts_table(log, period, by, active_events, days, periods, signup),
            period=period,
            by=by,
            active_events=events,
        )
    return _counts_table(log, period, by, active_events, days, periods, signup)


def _counts_table(
    log: UsageLog,
    period: Period,
    by: str | None,
    active_events: Collection[str] | None,
    days: pl.DataFrame | None,
    periods: pl.DataFrame | None,
    signup: pl.DataFrame | None,
) -> pl.DataFrame:
    periods = period_table(log, period) if periods is None else periods
    extra = None if signup is None else {"signup": signup}
    frames = user_periods(
        log, period=period, by=by, active_events=active_events, days=days, periods=periods, extra=extra
    )
    birth = "__first"
    if signup is not None:
        signed = nw.col("__signup").fill_null(nw.col("__first"))
        frames["users"] = (
            frames["users"]
            .join(frames["signup"], on="user", how="left")
            .with_columns(
                nw.when(signed < nw.col("__first")).then(signed).otherwise(nw.col("__first")).alias("__birth")
            )
        )
        birth = "__birth"
    counts = collect(period_counts(frames, birth), _COUNTS)
    return _complete_with_previous(counts, periods)


def _check_min_users(min_users: int) -> int:
    return whole(
        min_users,
        "min_users",
        "users active in the period before that a retention rate needs to be judged, "
        f"{RETENTION.min_users} by default; --min-users on the command line",
        minimum=1,
    )


#: The interval columns of each table, computed in polars on the collected counts (docs/intervals.md).
_INTERVALS = (
    "retention_rate_low",
    "retention_rate_high",
    "churn_rate_low",
    "churn_rate_high",
    "share_low",
    "share_high",
    "small_sample",
)


def _counted(columns: dict[str, pl.DataType]) -> dict[str, pl.DataType]:
    """``columns`` without the interval columns: those the engine computes."""
    return {name: dtype for name, dtype in columns.items() if name not in _INTERVALS}


def _retention_interval(retained: int, churned: int, returning: int, *, confidence: float) -> tuple[float, float]:
    """Bootstrap returning / active_before over its users: retained (1, 1), churned (0, 1), back after a gap (1, 0)."""
    return bootstrap_ratio_interval(
        [retained, churned, returning - retained], [1, 0, 1], [1, 1, 0], confidence=confidence
    )


def _retention_columns(counts: pl.DataFrame, min_users: int, confidence: float = CONFIDENCE) -> pl.DataFrame:
    """Add active_before, returning, the two rates, their intervals and the flags.

    Each rate is a ratio of two printed columns.
    """
    before = pl.col("retained") + pl.col("churned")
    known = pl.col("active_before") > 0
    table = counts.with_columns(
        before.alias("active_before"), (pl.col("active") - pl.col("new")).alias("returning")
    ).with_columns(
        pl.when(known).then(pl.col("returning") / pl.col("active_before")).alias("retention_rate"),
        pl.when(known).then(pl.col("churned") / pl.col("active_before")).alias("churn_rate"),
        (pl.col("active_before") >= min_users).alias("sufficient"),
        pl.col("__complete").alias("complete"),
    )

    def interval(retained: int, churned: int, returning: int) -> tuple[float, float]:
        return _retention_interval(retained, churned, returning, confidence=confidence)

    table = with_bootstrap_interval(
        table, ["retained", "churned", "returning"], interval, prefix="retention_rate", users="active_before"
    )
    return with_proportion_interval(table, "churned", "active_before", prefix="churn_rate", confidence=confidence)


def retention(
    data: UsageLog | Source,
    *,
    period: Period = PERIOD.period,
    by: str | None = None,
    active_events: Collection[str] | None = None,
    min_users: int = RETENTION.min_users,
    confidence: float = CONFIDENCE,
) -> pl.DataFrame:
    """Retention and churn rates per period: returning / CS = (CE - CN) / CS and churned / CS.

    Parameters
    ----------
    data
        A :class:`~stickiness.UsageLog`, or anything :func:`~stickiness.read_log` reads.
    period
        ``"month"`` (calendar month, default), ``"week"`` (Monday to Sunday, or
        from the log's ``read_log(week_start=)``) or ``"day"``.
    by
        A users-table column (e.g. ``"persona"``): one series per segment; users
        absent from the users table are in ``"(unknown)"``.
    active_events
        Count a user as active only for these events (default: any event).
    min_users
        A row is ``sufficient`` when at least this many users were active in the
        period before (by default as the use-case metrics' ``min_users``).
    confidence
        The level of the rates' intervals (0.95 by default; docs/intervals.md).

    Returns
    -------
    polars.DataFrame
        ``[by,] period, active_before, active, new, retained, churned,
        returning, retention_rate, churn_rate, sufficient, complete``: one row
        per period from the one holding the log's first day to the one holding
        ``as_of`` (per segment), sorted. ``period`` is the Date of the period's
        first day; ``active_before`` (CS: users active in the period before),
        ``active`` (CE), ``new`` (CN: first active period in the log),
        ``retained`` (active in both), ``churned`` (``active_before -
        retained``) and ``returning`` (``active - new``: the retained and the
        users back after a gap) are Int64; ``retention_rate = returning /
        active_before`` (above 1 when more users come back after a gap than
        leave) and ``churn_rate = churned / active_before`` are Float64, null
        when ``active_before`` is 0 (always in the first period).
        ``sufficient`` (Boolean) is ``active_before >= min_users``;
        ``complete`` (Boolean) is true when the period and the one before are
        fully observed. Then the intervals (Float64, null when ``active_before``
        is 0): ``retention_rate_low, retention_rate_high`` (a seeded bootstrap
        over the users retained, churned and back after a gap) and
        ``churn_rate_low, churn_rate_high`` (exact, Clopper-Pearson), and
        ``small_sample`` (Boolean: ``active_before`` below 30).

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.metrics.retention import retention
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "b", "a", "c"],
    ...     "timestamp": [dt.date(2024, 1, 5), dt.date(2024, 1, 9), dt.date(2024, 2, 1), dt.date(2024, 2, 7)],
    ...     "event": ["open"] * 4,
    ... })
    >>> retention(events).select("period", "active_before", "returning", "retention_rate", "churn_rate").rows()
    [(datetime.date(2024, 1, 1), 0, 0, None, None), (datetime.date(2024, 2, 1), 2, 1, 0.5, 0.5)]
    """
    check_segment_name(by, RETENTION_SCHEMA, function="retention")
    period = check_period(period)
    min_users = _check_min_users(min_users)
    confidence = check_confidence(confidence)
    log = as_log(data)
    counts = counts_table(log, period=period, by=by, active_events=active_events)
    out = _retention_columns(counts, min_users, confidence)
    return finish(out, by=by, period=period, columns=RETENTION_SCHEMA, week_start=log.week_start)


def range_retention(
    data: UsageLog | Source,
    *,
    start: dt.date | str,
    end: dt.date | str,
    by: str | None = None,
    active_events: Collection[str] | None = None,
    min_users: int = RETENTION.min_users,
    confidence: float = CONFIDENCE,
) -> pl.DataFrame:
    """Retention and churn over any range of days, against the range of the same length just before it.

    Parameters
    ----------
    data
        A :class:`~stickiness.UsageLog`, or anything :func:`~stickiness.read_log` reads.
    start, end
        The range's first and last day (dates or ``"YYYY-MM-DD"``), both included.
        With L = ``end - start + 1`` days, the range before is ``start - L .. start - 1``.
    by, active_events, min_users, confidence
        As for :func:`retention`.

    Returns
    -------
    polars.DataFrame
        ``[by,] start, end, active_before, active, new, retained, churned,
        returning, retention_rate, churn_rate, sufficient, complete`` and the intervals
        ``retention_rate_low, retention_rate_high, churn_rate_low, churn_rate_high,
        small_sample``: one row (per segment with a user
        active up to ``end``), the columns of :func:`retention` for the range;
        ``new`` counts users whose first active day in the log is in the range.
        ``complete`` is true when both ranges lie within the log's first day and
        ``as_of``.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.metrics.retention import range_retention
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "b", "a", "c"],
    ...     "timestamp": [dt.date(2024, 1, 5), dt.date(2024, 1, 9), dt.date(2024, 1, 16), dt.date(2024, 1, 17)],
    ...     "event": ["open"] * 4,
    ... })
    >>> range_retention(events, start="2024-01-12", end="2024-01-18").select("active_before", "active", "new").rows()
    [(2, 2, 1)]
    """
    check_segment_name(by, RETENTION_SCHEMA, function="range_retention")
    first, last = as_date(start, "start"), as_date(end, "end")
    if first is None or last is None:
        raise InvalidOptionError(f"start={start!r}, end={end!r}: give both days of the range as 'YYYY-MM-DD'.")
    if first > last:
        raise InvalidOptionError(f"start={first} is after end={last}: give the range's first day first. Swap them.")
    min_users = _check_min_users(min_users)
    confidence = check_confidence(confidence)
    log = as_log(data)
    length = (last - first).days + 1
    before = first - dt.timedelta(days=length)
    days = pl.DataFrame(schema={"day": pl.Date, "__p": pl.Int64})
    if log.first_day is not None and log.as_of is not None and log.first_day <= last:
        span = pl.date_range(log.first_day, min(last, log.as_of), "1d", eager=True)
        days = pl.DataFrame({"day": span}).with_columns(
            pl.when(pl.col("day") >= first).then(1).when(pl.col("day") >= before).then(0).otherwise(-1).alias("__p")
        )
    observed = log.first_day is not None and log.as_of is not None and log.first_day <= before and last <= log.as_of
    periods = pl.DataFrame({"__p": [-1, 0, 1], "__complete": [observed] * 3})
    counts = counts_table(log, period="day", by=by, active_events=active_events, days=days, periods=periods)
    table = _retention_columns(counts.filter(pl.col("__period") == 1), min_users, confidence).with_columns(
        pl.lit(first).alias("start"), pl.lit(last).alias("end")
    )
    columns: dict[str, pl.DataType] = {"start": pl.Date(), "end": pl.Date()}
    columns |= {name: dtype for name, dtype in RETENTION_SCHEMA.items() if name != "period"}
    selected = [pl.col(name).cast(dtype) for name, dtype in columns.items()]
    if by:
        return table.sort(SEGMENT).select(pl.col(SEGMENT).alias(by), *selected)
    return table.select(selected)


def cohort_matrix(
    data: UsageLog | Source,
    *,
    period: Period = PERIOD.period,
    mode: CohortMode = RETENTION.mode,
    by: str | None = None,
    active_events: Collection[str] | None = None,
    confidence: float = CONFIDENCE,
) -> pl.DataFrame:
    """Count each cohort (users by first active period) active in each later period: the retention matrix, long.

    Parameters
    ----------
    data
        A :class:`~stickiness.UsageLog`, or anything :func:`~stickiness.read_log` reads.
    period
        The cohort and offset unit: ``"month"`` (default), ``"week"`` (Monday
        to Sunday, or from the log's ``read_log(week_start=)``) or ``"day"``.
    mode
        ``"on"`` (default): a cohort's user counts at offset k if active in
        exactly the k-th period after their first; ``"on_or_after"`` (unbounded
        retention): if active in that period or any later one (up to ``as_of``).
    by, active_events, confidence
        As for :func:`retention`.

    Returns
    -------
    polars.DataFrame
        ``[by,] cohort, offset, period, cohort_users, users, share, complete,
        share_low, share_high, small_sample``:
        one row per cohort (Date of its first period) and offset (Int64, 0 to the
        period holding ``as_of``; cells after ``as_of`` are not listed), sorted.
        ``period`` is the cell's period (Date), ``cohort_users`` the users whose
        first active period is the cohort, ``users`` those counted in the cell
        (Int64), ``share = users / cohort_users`` (Float64). ``complete`` (Boolean)
        is false when the cell's period is not fully observed (it lies partly
        before the log's first day or after ``as_of``): its count may still grow.
        ``share_low, share_high`` (Float64) are the exact interval of ``share``
        and ``small_sample`` (Boolean) is true for a cohort of fewer than 30 users.
        Pivot to a matrix with ``out.pivot("offset", index="cohort", values="share")``.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.metrics.retention import cohort_matrix
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "b", "a", "c"],
    ...     "timestamp": [dt.date(2024, 1, 1), dt.date(2024, 1, 9), dt.date(2024, 2, 1), dt.date(2024, 2, 7)],
    ...     "event": ["open"] * 4,
    ... })
    >>> cohort_matrix(events).select("cohort", "offset", "users", "share", "complete").rows()
    [(datetime.date(2024, 1, 1), 0, 2, 1.0, True), (datetime.date(2024, 1, 1), 1, 1, 0.5, False),
     (datetime.date(2024, 2, 1), 0, 1, 1.0, False)]
    """
    check_segment_name(by, COHORTS_SCHEMA, function="cohort_matrix")
    period = check_period(period)
    confidence = check_confidence(confidence)
    if mode not in COHORT_MODES:
        raise InvalidOptionError(
            f"mode={mode!r}: use 'on' (active in exactly that period, the default) or 'on_or_after' "
            "(active in that period or any later one)."
        )
    log = as_log(data)
    frames = user_periods(log, period=period, by=by, active_events=active_events)
    users, p = frames["users"], nw.col("__p")
    sizes = users.filter(p == nw.col("__first")).group_by(SEGMENT, "__first").agg(nw.len().alias("cohort_users"))
    cells = (
        sizes.join(frames["periods"], how="cross")
        .filter(p >= nw.col("__first"))
        .rename({"__first": "__cohort", "__p": "__period"})
    )
    keys = [SEGMENT, "__cohort", "__period"]
    if mode == "on":
        counted = users.group_by(SEGMENT, nw.col("__first").alias("__cohort"), p.alias("__period"))
        cells = cells.join(counted.agg(nw.len().alias("users")), on=keys, how="left")
        cells = cells.with_columns(nw.col("users").fill_null(0))
    else:
        # users whose last active period is this one; still active on or after it = cohort - those ending before
        last = users.filter(nw.col("__next").is_null())
        ending = last.group_by(SEGMENT, nw.col("__first").alias("__cohort"), p.alias("__period"))
        cells = (
            cells.join(ending.agg(nw.len().alias("__ending")), on=keys, how="left")
            .with_columns(nw.col("__ending").fill_null(0))
            .with_columns(nw.col("__ending").cum_sum().over(SEGMENT, "__cohort", order_by="__period").alias("__ended"))
            .with_columns((nw.col("cohort_users") - nw.col("__ended") + nw.col("__ending")).alias("users"))
        )
    cells = cells.with_columns(
        (nw.col("__period") - nw.col("__cohort")).alias("offset"),
        _ratio("users", "cohort_users").alias("share"),
        nw.col("__complete").alias("complete"),
    )
    types: dict[str, pl.DataType] = {SEGMENT: pl.String(), "__cohort": pl.Int64(), "__period": pl.Int64()}
    types |= {name: dtype for name, dtype in _counted(COHORTS_SCHEMA).items() if dtype != pl.Date()}
    out = finish(
        collect(cells, types), by=by, period=period, columns=_counted(COHORTS_SCHEMA), week_start=log.week_start
    )
    return with_proportion_interval(out, "users", "cohort_users", prefix="share", confidence=confidence)


def retention_curve(
    data: UsageLog | Source,
    *,
    period: Period = "month",
    mode: CohortMode = "on",
    by: str | None = None,
    active_events: Collection[str] | None = None,
    confidence: float = CONFIDENCE,
) -> pl.DataFrame:
    """Compute the average retention curve: per offset, the share of a cohort counted, weighted by cohort size.

    The curve of :func:`cohort_matrix` (see :func:`cohort_curve`): at each offset
    (periods since the cohort's first), the users counted over the users of the
    cohorts that reached it, summed over the cohorts whose cell is fully observed.

    Parameters
    ----------
    data, period, mode, by, active_events, confidence
        As for :func:`cohort_matrix`.

    Returns
    -------
    polars.DataFrame
        ``[by,] offset, cohorts, partial_cells, cohort_users, users, share,
        complete, share_low, share_high, small_sample``: one row per offset (per segment) that some cohort reached,
        sorted; see :func:`cohort_curve`.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.metrics.retention import retention_curve
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "b", "a", "c", "c"],
    ...     "timestamp": [dt.date(2024, 1, 1), dt.date(2024, 1, 9), dt.date(2024, 2, 1), dt.date(2024, 2, 7),
    ...                   dt.date(2024, 3, 31)],
    ...     "event": ["open"] * 5,
    ... })  # cohorts Jan (a, b) and Feb (c); March is the last month, fully observed
    >>> retention_curve(events).select("offset", "cohorts", "cohort_users", "users", "share").rows()
    [(0, 2, 3, 3, 1.0), (1, 2, 3, 2, 0.6666666666666666), (2, 1, 2, 0, 0.0)]
    """
    check_segment_name(by, CURVE_SCHEMA, function="retention_curve")
    confidence = check_confidence(confidence)
    cohorts = cohort_matrix(data, period=period, mode=mode, by=by, active_events=active_events)
    return cohort_curve(cohorts, by=by, confidence=confidence)


def cohort_curve(cohorts: pl.DataFrame, *, by: str | None = None, confidence: float = CONFIDENCE) -> pl.DataFrame:
    """Return the retention curve of a :func:`cohort_matrix` output: what :func:`retention_curve` returns.

    Per (segment and) offset k: ``users`` and ``cohort_users`` are summed over
    the cohorts whose cell at k is fully observed (``complete``), so ``share =
    users / cohort_users`` is their mean share weighted by cohort size. A cell
    not fully observed may still grow: it is left out of the sums and counted in
    ``partial_cells``. When no cell at k is fully observed, every cell at k is
    summed and ``complete`` is false (the value may still grow).

    Parameters
    ----------
    cohorts
        The output of :func:`cohort_matrix` (either ``mode``; with ``by``, its segment column).
    by
        The segment column of ``cohorts`` (None: one curve).
    confidence
        The level of the share's interval (0.95 by default; docs/intervals.md).

    Returns
    -------
    polars.DataFrame
        ``[by,] offset`` (Int64), ``cohorts`` (Int64: fully observed cells
        summed), ``partial_cells`` (Int64: cells not fully observed, left out),
        ``cohort_users`` and ``users`` (Int64: the sums), ``share`` (Float64,
        ``users / cohort_users``) and ``complete`` (Boolean: some cell at the
        offset is fully observed), then ``share_low, share_high`` (Float64, the
        exact interval of ``share``) and ``small_sample`` (Boolean:
        ``cohort_users`` below 30); one row per offset reached, sorted.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> jan, feb = dt.date(2024, 1, 1), dt.date(2024, 2, 1)
    >>> cells = pl.DataFrame({
    ...     "cohort": [jan, jan, feb], "offset": [0, 1, 0], "period": [jan, feb, feb], "cohort_users": [4, 4, 2],
    ...     "users": [4, 3, 2], "share": [1.0, 0.75, 1.0], "complete": [True, False, True],
    ... })
    >>> cohort_curve(cells).select("offset", "cohorts", "partial_cells", "share", "complete").rows()
    [(0, 2, 0, 1.0, True), (1, 0, 1, 0.75, False)]
    """
    confidence = check_confidence(confidence)
    keys = [by, "offset"] if by else ["offset"]
    done = pl.col("complete")
    reached = pl.col("cohorts") > 0
    curve = (
        cohorts.group_by(keys)
        .agg(
            done.sum().cast(pl.Int64).alias("cohorts"),
            (~done).sum().cast(pl.Int64).alias("partial_cells"),
            pl.col("users").filter(done).sum().alias("__users"),
            pl.col("cohort_users").filter(done).sum().alias("__base"),
            pl.col("users").sum().alias("__all_users"),
            pl.col("cohort_users").sum().alias("__all_base"),
        )
        .with_columns(  # no fully observed cell: the partial ones, flagged incomplete
            pl.when(reached).then(pl.col("__users")).otherwise(pl.col("__all_users")).alias("users"),
            pl.when(reached).then(pl.col("__base")).otherwise(pl.col("__all_base")).alias("cohort_users"),
            reached.alias("complete"),
        )
        .with_columns(pl.when(pl.col("cohort_users") > 0).then(pl.col("users") / pl.col("cohort_users")).alias("share"))
    )
    columns = [pl.col(by).cast(pl.String)] if by else []
    columns += [pl.col(name).cast(dtype) for name, dtype in _counted(CURVE_SCHEMA).items()]
    out = curve.select(columns).sort(keys)
    return with_proportion_interval(out, "users", "cohort_users", prefix="share", confidence=confidence)


def repeat_rate(
    data: UsageLog | Source,
    *,
    period: Period = PERIOD.period,
    by: str | None = None,
    active_events: Collection[str] | None = None,
) -> pl.DataFrame:
    """Per period, the share of active users who came back: active on a day after their first-ever active day.

    A user repeats in period P when they have an active day in P that is not
    their first active day in the log: either they were active before P, or they
    came back within P. Equivalently: active in P with at least two active days
    up to the end of P.

    Parameters
    ----------
    data, period, by, active_events
        As for :func:`retention`.

    Returns
    -------
    polars.DataFrame
        ``[by,] period, active, repeat, repeat_rate, complete``: ``active`` users
        in the period and those who ``repeat`` (Int64), ``repeat_rate = repeat /
        active`` (Float64, null when no user is active), ``complete`` (Boolean:
        the period is fully observed); one row per period, sorted.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.metrics.retention import repeat_rate
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "a", "b", "b"],
    ...     "timestamp": [dt.date(2024, 1, 1), dt.date(2024, 1, 9), dt.date(2024, 1, 9), dt.date(2024, 2, 7)],
    ...     "event": ["open"] * 4,
    ... })
    >>> repeat_rate(events).select("period", "active", "repeat", "repeat_rate").rows()
    [(datetime.date(2024, 1, 1), 2, 1, 0.5), (datetime.date(2024, 2, 1), 1, 1, 1.0)]
    """
    check_segment_name(by, REPEAT_SCHEMA, function="repeat_rate")
    period = check_period(period)
    log = as_log(data)
    frames = user_periods(log, period=period, by=by, active_events=active_events)
    day = nw.col("day")
    per_user = (
        frames["days"]
        .with_columns(_flag(day > day.min().over("user")).alias("__again"))
        .group_by(SEGMENT, "user", nw.col("__p").alias("__period"))
        .agg(nw.col("__again").max().alias("__again"))
    )
    counts = per_user.group_by(SEGMENT, "__period").agg(
        nw.len().alias("active"), nw.col("__again").sum().alias("repeat")
    )
    keys = [SEGMENT, "__period"]
    table = (
        _grid(frames)
        .join(counts, on=keys, how="left")
        .with_columns(nw.col("active", "repeat").fill_null(0))
        .with_columns(_ratio("repeat", "active").alias("repeat_rate"), nw.col("__complete").alias("complete"))
    )
    types = {SEGMENT: pl.String(), "__period": pl.Int64()} | {k: v for k, v in REPEAT_SCHEMA.items() if k != "period"}
    return finish(collect(table, types), by=by, period=period, columns=REPEAT_SCHEMA, week_start=log.week_start)


def one_and_done(
    data: UsageLog | Source,
    *,
    by: str | None = None,
    active_events: Collection[str] | None = None,
    min_age: int = RETENTION.min_age,
) -> pl.DataFrame:
    """Count the users with a single active day who never came back, and the others (the repeat rate).

    Parameters
    ----------
    data, by, active_events
        As for :func:`retention`.
    min_age
        Count only users whose first active day is at least this many days
        before ``as_of`` (default 0: every user); younger users are ``too_new``,
        they have not had the time to come back.

    Returns
    -------
    polars.DataFrame
        ``[by,] users, too_new, one_and_done, one_and_done_share, repeat_users,
        repeat_rate``: per segment, the users counted (first active day <=
        ``as_of - min_age``) and those left out as ``too_new``; of the counted
        users, those with exactly one active day up to ``as_of``
        (``one_and_done``) and with two or more (``repeat_users``), all Int64;
        their shares of ``users`` (Float64, null when ``users`` is 0), which add
        up to 1. One row per segment, sorted; no row for an empty log.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.metrics.retention import one_and_done
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "a", "b", "c"],
    ...     "timestamp": [dt.date(2024, 1, 1), dt.date(2024, 1, 9), dt.date(2024, 1, 9), dt.date(2024, 2, 7)],
    ...     "event": ["open"] * 4,
    ... })
    >>> one_and_done(events).rows()
    [(3, 0, 2, 0.6666666666666666, 1, 0.3333333333333333)]
    >>> one_and_done(events, min_age=7).select("users", "too_new", "one_and_done").rows()
    [(2, 1, 1)]
    """
    check_segment_name(by, ONE_AND_DONE_SCHEMA, function="one_and_done")
    min_age = whole_days(
        min_age,
        "min_age",
        f"users first seen later than as_of - min_age are too_new, {RETENTION.min_age} by default",
        minimum=0,
    )
    log = as_log(data)
    frames = user_periods(log, period="day", by=by, active_events=active_events)
    per_user = frames["users"].group_by(SEGMENT, "user").agg(nw.len().alias("__days"), nw.col("__first").min())
    as_of = (log.as_of - dt.date(1970, 1, 1)).days if log.as_of else 0  # __first is a day number
    counted = nw.col("__first") <= as_of - min_age
    table = (
        per_user.with_columns(
            _flag(counted).alias("__counted"),
            _flag(counted & (nw.col("__days") == 1)).alias("__once"),
        )
        .group_by(SEGMENT)
        .agg(
            nw.col("__counted").sum().alias("users"),
            nw.len().alias("__all"),
            nw.col("__once").sum().alias("one_and_done"),
        )
        .with_columns(
            (nw.col("__all") - nw.col("users")).alias("too_new"),
            (nw.col("users") - nw.col("one_and_done")).alias("repeat_users"),
        )
        .with_columns(
            _ratio("one_and_done", "users").alias("one_and_done_share"),
            _ratio("repeat_users", "users").alias("repeat_rate"),
        )
    )
    out = collect(table, {SEGMENT: pl.String(), **ONE_AND_DONE_SCHEMA}).sort(SEGMENT)
    selected = [pl.col(name) for name in ONE_AND_DONE_SCHEMA]
    return out.select(pl.col(SEGMENT).alias(by), *selected) if by else out.select(selected)
