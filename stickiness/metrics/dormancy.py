"""Rhythm-aware dormancy and the inactivity list: who has gone quiet, judged against their own rhythm.

Definitions (the contract, with a worked example: docs/retention.md). Per user and
use case, on ``as_of``:

- *days since* = ``as_of`` - the last day with an event of the use case;
- *typical interval*: the median gap between consecutive active days of the use
  case in the horizon (as in docs/use-cases.md, rule 7; null with fewer than two);
- status: ``dormant`` when days since > ``limit``; else ``at_risk`` when days
  since > ``k`` x the typical interval; else ``on_rhythm`` when the user has a
  typical interval, ``no_rhythm`` when not.

A weekly user quiet for three weeks is at risk; a yearly user quiet for three
months is not, unless the hard limit says so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import narwhals as nw
import polars as pl

from stickiness._engine import collect, lift
from stickiness._habit_options import check_options
from stickiness._sort import sort_rows
from stickiness._sources import Source
from stickiness.catalog import Catalog
from stickiness.log import UsageLog
from stickiness.metrics.use_cases import prepare_inputs
from stickiness.options import DORMANCY, HABITS, positive, whole_days
from stickiness.schemas import DORMANCY_SCHEMA
from stickiness.stages.habits import day_number, use_case_history
from stickiness.stages.segments import check_segment_name, name_segment
from stickiness.stages.use_case_days import SEG, as_dates

__all__ = ["STATUSES", "dormancy", "inactive_users"]

#: The dormancy statuses, from the least to the most worrying.
STATUSES: tuple[str, ...] = ("on_rhythm", "no_rhythm", "at_risk", "dormant")

INACTIVE_COLUMNS = ("user", SEG, "last_active", "days_since", "active_days", "interval_days", "status")


def _check(k: float, limit: int | None, horizon: int) -> None:
    positive(k, "k", "a user is at_risk when the days since their last activity exceed k x their typical interval")
    if limit is not None:
        whole_days(
            limit,
            "limit",
            f"past this many days without activity a user is dormant, {DORMANCY.limit} by default; or None",
        )
    whole_days(horizon, "horizon", f"typical intervals look this far back, {HABITS.horizon} by default")


def _status(k: float, limit: int | None) -> nw.Expr:
    since, interval = nw.col("days_since"), nw.col("interval_days")
    rhythm = (
        nw.when(~interval.is_null() & (since > k * interval))
        .then(nw.lit("at_risk"))
        .when(~interval.is_null())
        .then(nw.lit("on_rhythm"))
        .otherwise(nw.lit("no_rhythm"))
    )
    return rhythm if limit is None else nw.when(since > limit).then(nw.lit("dormant")).otherwise(rhythm)


def _dormancy(
    data: UsageLog | Source,
    catalog: Catalog | Any | None,
    *,
    by: str | None,
    as_of: dt.date | str | None,
    k: float,
    limit: int | None,
    horizon: int,
) -> tuple[UsageLog, nw.LazyFrame[Any] | None]:
    """Return the log and the lazy dormancy table (day numbers), or None for an empty log."""
    _check(k, limit, horizon)
    opts = check_options(by=by, as_of=as_of, window=horizon, horizon=horizon, min_exposure=0)
    log, cat, day = prepare_inputs(data, catalog, opts)
    if day is None:
        return log, None
    end = day_number(day)
    # the habits stage of the use-case metrics already holds each user's days per use case
    history = use_case_history(log, cat, by=by, end=end, horizon=horizon)
    table = (
        lift(log, history=history)["history"]
        .with_columns((end - nw.col("last_active")).alias("days_since"))
        .with_columns(_status(k, limit).alias("status"))
    )
    return log, table


def _finish(
    log: UsageLog, table: nw.LazyFrame[Any] | None, columns: tuple[str, ...], order: list[str], *, by: str | None
) -> pl.DataFrame:
    user_type = log.user_dtype
    schema = {name: (user_type if name == "user" else DORMANCY_SCHEMA[name]) for name in columns}
    out = pl.DataFrame(schema=schema) if table is None else collect(table, schema)
    out = sort_rows(as_dates(out, *[c for c in ("first_active", "last_active") if c in columns]), order)
    return name_segment(out, by, internal=SEG)


def _check_by(by: str | None, columns: tuple[str, ...], function: str) -> None:
    check_segment_name(by, [name for name in columns if name != SEG], function=function)


def dormancy(
    data: UsageLog | Source,
    catalog: Catalog | Any | None = None,
    *,
    by: str | None = HABITS.by,
    as_of: dt.date | str | None = None,
    k: float = DORMANCY.k,
    limit: int | None = DORMANCY.limit,
    horizon: int = HABITS.horizon,
) -> pl.DataFrame:
    """Per user and use case: days since the last use, the user's own typical interval, and a status.

    Parameters
    ----------
    data
        A :class:`~stickiness.UsageLog`, or anything :func:`~stickiness.read_log` reads.
    catalog
        A :class:`~stickiness.catalog.Catalog` or anything
        :func:`~stickiness.catalog.read_catalog` reads: every use case, with
        ``"(any)"`` (the product) and ``"(unmapped)"``. None (default): the
        product as a whole only (``"(any)"``).
    by
        The users-table column that defines segments (default ``"persona"``;
        without a users table every user is in ``"(all)"``; users absent from it
        are in ``"(unknown)"``).
    as_of
        The day of the measurement (default: the log's ``as_of``; may not be later).
    k
        A user is ``at_risk`` when the days since their last use exceed ``k`` times
        their typical interval.
    limit
        Past this many days since the last use, a user is ``dormant`` whatever their
        rhythm (None: no hard limit).
    horizon
        The typical interval is the median gap between consecutive active days in
        ``as_of - horizon + 1 .. as_of`` (by default as in the use-case metrics).

    Returns
    -------
    polars.DataFrame
        One row per user and use case they used up to ``as_of``: ``user`` (the log's
        user type), ``persona`` (the ``by`` segment), ``use_case``,
        ``first_active`` and ``last_active`` (Date), ``active_days`` (Int64:
        distinct days with the use case), ``days_since`` (Int64: ``as_of -
        last_active``), ``interval_days`` (Float64: the typical interval, null
        with fewer than 2 active days in the horizon) and ``status``: ``"dormant"``
        (``days_since > limit``), else ``"at_risk"`` (``days_since > k x
        interval_days``), else ``"on_rhythm"`` (has an interval) or ``"no_rhythm"``
        (has none). Sorted by persona, use case and user.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.metrics.dormancy import dormancy
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "a", "a", "b", "b", "c"],
    ...     "timestamp": [dt.date(2024, 3, 1), dt.date(2024, 3, 8), dt.date(2024, 3, 15), dt.date(2024, 1, 1),
    ...                   dt.date(2024, 4, 1), dt.date(2024, 4, 20)],
    ...     "event": ["open"] * 6,
    ... })
    >>> dormancy(events).select("user", "days_since", "interval_days", "status").rows()
    [('a', 36, 7.0, 'at_risk'), ('b', 19, 91.0, 'on_rhythm'), ('c', 0, None, 'no_rhythm')]
    """
    _check_by(by, tuple(DORMANCY_SCHEMA), "dormancy")
    log, table = _dormancy(data, catalog, by=by, as_of=as_of, k=k, limit=limit, horizon=horizon)
    return _finish(log, table, tuple(DORMANCY_SCHEMA), [SEG, "use_case", "user"], by=by)


def inactive_users(
    data: UsageLog | Source,
    *,
    days: int = DORMANCY.days,
    by: str | None = HABITS.by,
    as_of: dt.date | str | None = None,
    k: float = DORMANCY.k,
    limit: int | None = DORMANCY.limit,
    horizon: int = HABITS.horizon,
) -> pl.DataFrame:
    """List the users with no activity in the last ``days`` days, with their rhythm and status: a re-engagement list.

    Parameters
    ----------
    data
        A :class:`~stickiness.UsageLog`, or anything :func:`~stickiness.read_log` reads.
    days
        List users with no active day in ``as_of - days + 1 .. as_of``.
    by, as_of, k, limit, horizon
        As for :func:`dormancy` (for the product as a whole).

    Returns
    -------
    polars.DataFrame
        ``user, persona, last_active, days_since, active_days, interval_days,
        status``: the :func:`dormancy` columns of the product (``"(any)"``) for
        the users with ``days_since >= days``, sorted by persona, days since
        (the most recently lapsed first) and user.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.metrics.dormancy import inactive_users
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "a", "b", "c"],
    ...     "timestamp": [dt.date(2024, 1, 1), dt.date(2024, 1, 15), dt.date(2024, 3, 20), dt.date(2024, 4, 20)],
    ...     "event": ["open"] * 4,
    ... })
    >>> inactive_users(events).select("user", "last_active", "days_since", "interval_days", "status").rows()
    [('b', datetime.date(2024, 3, 20), 31, None, 'no_rhythm'), ('a', datetime.date(2024, 1, 15), 96, 14.0, 'dormant')]
    """
    whole_days(days, "days", f"users with no activity in the last `days` days are listed, {DORMANCY.days} by default")
    _check_by(by, INACTIVE_COLUMNS, "inactive_users")
    log, table = _dormancy(data, None, by=by, as_of=as_of, k=k, limit=limit, horizon=horizon)
    if table is not None:
        table = table.filter(nw.col("days_since") >= days)
    return _finish(log, table, INACTIVE_COLUMNS, [SEG, "days_since", "user"], by=by)
