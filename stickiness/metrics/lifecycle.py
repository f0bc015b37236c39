"""The lifecycle of active users per period (new, returning, resurrecting, dormant), the quick ratio, new vs returning.

Definitions (the contract, with a worked example: docs/retention.md). Per segment
and period P (calendar month by default, also ISO week or day):

- *new*: active in P, and P is their first active period in the log (or, with
  ``signup=``, the earlier of their signup period and first active period);
- *returning*: active in P and in P-1; *resurrecting*: active in P, not in
  P-1, not new (active, or signed up, earlier);
- *dormant*: active in P-1, not in P, reported as a negative count;
- quick ratio = (new + resurrecting) / abs(dormant) (null when nobody went dormant).
"""

from __future__ import annotations

from collections.abc import Collection

import polars as pl

from stickiness._sources import Source
from stickiness.log import UsageLog, as_log
from stickiness.metrics.retention import counts_table
from stickiness.options import PERIOD
from stickiness.schemas import LIFECYCLE_SCHEMA, NEW_VS_RETURNING_SCHEMA
from stickiness.stages.periods import Period, check_period, finish, signup_periods
from stickiness.stages.segments import check_by, check_segment_name

__all__ = ["lifecycle", "new_vs_returning"]


def lifecycle(
    data: UsageLog | Source,
    *,
    period: Period = PERIOD.period,
    by: str | None = None,
    active_events: Collection[str] | None = None,
    signup: str | None = None,
) -> pl.DataFrame:
    """Per period: new, returning, resurrecting and dormant users, and the quick ratio.

    Parameters
    ----------
    data
        A :class:`~stickiness.UsageLog`, or anything :func:`~stickiness.read_log` reads.
    period
        ``"month"`` (calendar month, default), ``"week"`` (Monday to Sunday, or
        from the log's ``read_log(week_start=)``) or ``"day"``.
    by
        A users-table column (e.g. ``"persona"``): one series per segment.
    active_events
        Count a user as active only for these events (default: any event).
    signup
        A users-table column of signup days (dates, timestamps or ``"YYYY-MM-DD"``
        text). A user is then new in the earlier of their signup period and their
        first active period (a null signup: the first active period). Default
        None: new = first active period in the log.

    Returns
    -------
    polars.DataFrame
        ``[by,] period, active, new, returning, resurrecting, dormant,
        quick_ratio, complete``: one row per period (Date of its first day) from
        the log's first day to ``as_of`` (per segment), sorted. Counts are Int64
        and ``active = new + returning + resurrecting``; ``dormant`` is the
        number of users active in the period before and not in this one, as a
        negative number (0 in the first period); ``quick_ratio = (new +
        resurrecting) / -dormant`` (Float64, null when ``dormant`` is 0).
        ``complete`` is true when the period and the one before are fully observed.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.metrics.lifecycle import lifecycle
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "b", "a", "c", "b"],
    ...     "timestamp": [dt.date(2024, 1, 5), dt.date(2024, 1, 9), dt.date(2024, 2, 1), dt.date(2024, 2, 7),
    ...                   dt.date(2024, 3, 2)],
    ...     "event": ["open"] * 5,
    ... })
    >>> lifecycle(events).select("period", "new", "returning", "resurrecting", "dormant", "quick_ratio").rows()
    [(datetime.date(2024, 1, 1), 2, 0, 0, 0, None), (datetime.date(2024, 2, 1), 1, 1, 0, -1, 1.0),
     (datetime.date(2024, 3, 1), 0, 0, 1, -2, 0.5)]
    """
    check_segment_name(by, LIFECYCLE_SCHEMA, function="lifecycle")
    period = check_period(period)
    log = as_log(data)
    check_by(log, by)
    signups = None if signup is None else signup_periods(log, signup, period)
    counts = counts_table(log, period=period, by=by, active_events=active_events, signup=signups)
    table = counts.with_columns(
        returning=pl.col("retained"),
        resurrecting=pl.col("active") - pl.col("new") - pl.col("retained"),
        dormant=-pl.col("churned"),
        quick_ratio=pl.when(pl.col("churned") > 0).then((pl.col("active") - pl.col("retained")) / pl.col("churned")),
        complete=pl.col("__complete"),
    )
    return finish(table, by=by, period=period, columns=LIFECYCLE_SCHEMA, week_start=log.week_start)


def new_vs_returning(
    data: UsageLog | Source,
    *,
    period: Period = PERIOD.period,
    by: str | None = None,
    active_events: Collection[str] | None = None,
) -> pl.DataFrame:
    """Per period: active users split into new ones and those who were active in an earlier period.

    "Returning" here means active in *any* earlier period: the lifecycle's
    returning plus resurrecting users.

    Parameters
    ----------
    data, period, by, active_events
        As for :func:`lifecycle`.

    Returns
    -------
    polars.DataFrame
        ``[by,] period, active, new, returning, returning_share, complete``:
        ``active`` users of the period, the ``new`` ones (first active period in
        the log) and the others (``returning = active - new``), all Int64;
        ``returning_share = returning / active`` (Float64, null when nobody is
        active); ``complete`` as in :func:`lifecycle`. One row per period, sorted.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.metrics.lifecycle import new_vs_returning
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "b", "a", "c", "b"],
    ...     "timestamp": [dt.date(2024, 1, 5), dt.date(2024, 1, 9), dt.date(2024, 2, 1), dt.date(2024, 2, 7),
    ...                   dt.date(2024, 3, 2)],
    ...     "event": ["open"] * 5,
    ... })
    >>> new_vs_returning(events).select("period", "active", "new", "returning", "returning_share").rows()
    [(datetime.date(2024, 1, 1), 2, 2, 0, 0.0), (datetime.date(2024, 2, 1), 2, 1, 1, 0.5),
     (datetime.date(2024, 3, 1), 1, 0, 1, 1.0)]
    """
    check_segment_name(by, NEW_VS_RETURNING_SCHEMA, function="new_vs_returning")
    period = check_period(period)
    log = as_log(data)
    counts = counts_table(log, period=period, by=by, active_events=active_events)
    table = counts.with_columns(
        returning=pl.col("active") - pl.col("new"),
        complete=pl.col("__complete"),
    ).with_columns(returning_share=pl.when(pl.col("active") > 0).then(pl.col("returning") / pl.col("active")))
    return finish(table, by=by, period=period, columns=NEW_VS_RETURNING_SCHEMA, week_start=log.week_start)
