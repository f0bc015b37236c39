"""Feature adoption per segment over time, time to first use, and where users leave.

Definitions (the contract, with a worked example: docs/retention.md). Use cases
come from a catalog (its use cases and ``"(unmapped)"``; ``"(any)"`` is left out,
every active user uses it); without a catalog each event is its own use case.
Per segment (``by``, ``"persona"`` by default):

- *adoption* of use case c in period P: the share of the segment's users active
  in P who used c in P;
- *time to first use* of c: the days from a user's first active day to their
  first day with c;
- *where users leave*: users active in the ``window`` days before the cut
  ``as_of - limit`` split into *leavers* (no activity from the cut on, i.e.
  dormant on ``as_of``) and *retained*; each user's last step is the use cases
  of their last active day before the cut; the lift of a step is its share among
  leavers over its share among retained users.

The adoption shares and rates carry exact intervals and ``small_sample`` (docs/intervals.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import narwhals as nw
import polars as pl

from stickiness._engine import collect, grouped_medians
from stickiness._habit_options import check_options
from stickiness._sources import Source
from stickiness.catalog import Catalog
from stickiness.intervals import CONFIDENCE, check_confidence, with_proportion_interval
from stickiness.log import UsageLog, as_log
from stickiness.metrics.use_cases import prepare_inputs
from stickiness.options import ADOPTION, HABITS, PERIOD, whole_days
from stickiness.schemas import ADOPTION_SCHEMA, FIRST_USE_SCHEMA, LEAVE_SCHEMA
from stickiness.stages.habits import day_number
from stickiness.stages.periods import Period, calendar, check_period, period_table, start_of
from stickiness.stages.segments import check_segment_name, name_segment
from stickiness.stages.use_case_days import SEG, lift_use_case_days, use_case_pairs

__all__ = ["feature_adoption", "time_to_first_use", "where_users_leave"]

#: The interval columns, added in polars to the collected counts.
_INTERVAL = ("share_low", "share_high", "adoption_rate_low", "adoption_rate_high", "small_sample")


def _counted(schema: dict[str, pl.DataType]) -> dict[str, pl.DataType]:
    return {name: dtype for name, dtype in schema.items() if name not in _INTERVAL}


def _ratio(numerator: str, denominator: str) -> nw.Expr:
    return nw.when(nw.col(denominator) > 0).then(nw.col(numerator) / nw.col(denominator))


def _frames(
    data: UsageLog | Source,
    catalog: Catalog | Any | None,
    *,
    by: str | None,
    schema: dict[str, pl.DataType],
    function: str,
    as_of: dt.date | str | None = None,
    extra: dict[str, pl.DataFrame] | None = None,
) -> tuple[UsageLog, dict[str, nw.LazyFrame[Any]] | None, int]:
    """Return the log, its lifted use-case days (None for an empty log) and ``as_of`` as a day number.

    ``schema`` is the output of ``function``: ``by`` must not name one of its columns.
    """
    check_segment_name(by, [name for name in schema if name != SEG], function=function)
    opts = check_options(by=by, as_of=as_of, window=1, horizon=1, min_exposure=0)
    log, cat, day = prepare_inputs(data, catalog, opts)
    if day is None:
        return log, None, 0
    pairs = use_case_pairs(log, cat, without_catalog="events", with_any=False)
    end = day_number(day)
    return log, lift_use_case_days(log, pairs, by=by, end=end, extra=extra), end


def feature_adoption(
    data: UsageLog | Source,
    catalog: Catalog | Any | None = None,
    *,
    period: Period = PERIOD.period,
    by: str | None = HABITS.by,
    confidence: float = CONFIDENCE,
) -> pl.DataFrame:
    """Per segment, use case and period: the share of the segment's active users who used the use case.

    Parameters
    ----------
    data
        A :class:`~stickiness.UsageLog`, or anything :func:`~stickiness.read_log` reads.
    catalog
        A :class:`~stickiness.catalog.Catalog` or anything
        :func:`~stickiness.catalog.read_catalog` reads (its use cases and
        ``"(unmapped)"``). None (default): each event is its own use case.
    period
        ``"month"`` (calendar month, default), ``"week"`` (Monday to Sunday, or
        from the log's ``read_log(week_start=)``) or ``"day"``.
    by
        The users-table column that defines segments (default ``"persona"``;
        without a users table every user is in ``"(all)"``; users absent from it
        are in ``"(unknown)"``).
    confidence
        The level of the share's interval (0.95 by default; docs/intervals.md).

    Returns
    -------
    polars.DataFrame
        ``persona, use_case, period, active, users, share, complete, share_low,
        share_high, small_sample``: for every
        segment and period with an active user, and every use case of the log:
        ``active`` (users of the segment active in the period, Int64), ``users``
        (those of them with an event of the use case in it, Int64), ``share =
        users / active`` (Float64) and ``complete`` (Boolean: the period is fully
        observed). ``period`` is the Date of the period's first day.
        ``share_low, share_high`` (Float64) are the exact interval of ``share``,
        ``small_sample`` (Boolean) is true with fewer than 30 ``active`` users. Sorted.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.metrics.adoption import feature_adoption
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "b", "b", "a"],
    ...     "timestamp": [dt.date(2024, 1, 5), dt.date(2024, 1, 9), dt.date(2024, 1, 9), dt.date(2024, 2, 1)],
    ...     "event": ["search", "search", "buy", "buy"],
    ... })
    >>> feature_adoption(events).select("use_case", "period", "active", "users", "share").rows()
    [('buy', datetime.date(2024, 1, 1), 2, 1, 0.5), ('buy', datetime.date(2024, 2, 1), 1, 1, 1.0),
     ('search', datetime.date(2024, 1, 1), 2, 2, 1.0), ('search', datetime.date(2024, 2, 1), 1, 0, 0.0)]
    """
    period = check_period(period)
    confidence = check_confidence(confidence)
    log = as_log(data)
    days = calendar(log, period).select(pl.col("day").cast(pl.Int32).alias("__d"), "__p")
    extra = {"calendar": days, "periods": period_table(log, period)}
    log, frames, _ = _frames(log, catalog, by=by, schema=ADOPTION_SCHEMA, function="feature_adoption", extra=extra)
    if frames is None:
        return name_segment(pl.DataFrame(schema=ADOPTION_SCHEMA), by, internal=SEG)
    active = (
        frames["active"]
        .join(frames["calendar"], on="__d", how="inner")
        .select(SEG, "user", "__p")
        .unique()
        .group_by(SEG, "__p")
        .agg(nw.len().alias("active"))
    )
    used = (
        frames["days"]
        .join(frames["calendar"], on="__d", how="inner")
        .select(SEG, "use_case", "user", "__p")
        .unique()
        .group_by(SEG, "use_case", "__p")
        .agg(nw.len().alias("users"))
    )
    use_cases = frames["days"].select("use_case").unique()
    table = (
        active.join(use_cases, how="cross")
        .join(used, on=[SEG, "use_case", "__p"], how="left")
        .join(frames["periods"], on="__p", how="left")
        .with_columns(nw.col("users").fill_null(0), nw.col("__complete").alias("complete"))
        .with_columns(_ratio("users", "active").alias("share"))
    )
    types = {name: dtype for name, dtype in _counted(ADOPTION_SCHEMA).items() if name != "period"} | {"__p": pl.Int64()}
    out = collect(table, types).with_columns(start_of(pl.col("__p"), period, log.week_start).alias("period"))
    out = with_proportion_interval(out, "users", "active", prefix="share", confidence=confidence)
    return name_segment(out.select(list(ADOPTION_SCHEMA)).sort(SEG, "use_case", "period"), by, internal=SEG)


def time_to_first_use(
    data: UsageLog | Source,
    catalog: Catalog | Any | None = None,
    *,
    by: str | None = HABITS.by,
    confidence: float = CONFIDENCE,
) -> pl.DataFrame:
    """Per segment and use case: how many users adopted it, and how many days after their first activity.

    Parameters
    ----------
    data, catalog, by, confidence
        As for :func:`feature_adoption`.

    Returns
    -------
    polars.DataFrame
        ``persona, use_case, users, adopters, adoption_rate, median_days,
        mean_days, adoption_rate_low, adoption_rate_high, small_sample``: for
        every segment and every use case of the log, ``users``
        (the segment's users with any activity up to ``as_of``) and ``adopters``
        (those with an event of the use case), both Int64; ``adoption_rate =
        adopters / users``; ``median_days`` and ``mean_days`` of the adopters'
        days from their first active day to their first day with the use case
        (0: on their first day; Float64, null without adopters); the exact
        interval of ``adoption_rate`` (Float64) and ``small_sample`` (Boolean:
        fewer than 30 ``users``). Sorted.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.metrics.adoption import time_to_first_use
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "b", "b", "a"],
    ...     "timestamp": [dt.date(2024, 1, 5), dt.date(2024, 1, 9), dt.date(2024, 1, 9), dt.date(2024, 2, 1)],
    ...     "event": ["search", "search", "buy", "buy"],
    ... })
    >>> time_to_first_use(events).select("use_case", "users", "adopters", "median_days", "mean_days").rows()
    [('buy', 2, 2, 13.5, 13.5), ('search', 2, 2, 0.0, 0.0)]
    """
    confidence = check_confidence(confidence)
    _, frames, _ = _frames(data, catalog, by=by, schema=FIRST_USE_SCHEMA, function="time_to_first_use")
    if frames is None:
        return name_segment(pl.DataFrame(schema=FIRST_USE_SCHEMA), by, internal=SEG)
    d = nw.col("__d")
    starts = frames["active"].group_by(SEG, "user").agg(d.min().alias("__start"))
    delays = (
        frames["days"]
        .group_by(SEG, "user", "use_case")
        .agg(d.min().alias("__use"))
        .join(starts, on=[SEG, "user"], how="inner")
        .with_columns((nw.col("__use") - nw.col("__start")).alias("__days"))
        .pipe(
            grouped_medians,
            by=[SEG, "use_case"],
            aggs=[nw.len().alias("adopters"), nw.col("__days").mean().alias("mean_days")],
            medians={"median_days": "__days"},
        )
    )
    users = starts.group_by(SEG).agg(nw.len().alias("users"))
    table = (
        users.join(frames["days"].select("use_case").unique(), how="cross")
        .join(delays, on=[SEG, "use_case"], how="left")
        .with_columns(nw.col("adopters").fill_null(0))
        .with_columns(_ratio("adopters", "users").alias("adoption_rate"))
    )
    out = collect(table, _counted(FIRST_USE_SCHEMA)).sort(SEG, "use_case")
    out = with_proportion_interval(out, "adopters", "users", prefix="adoption_rate", confidence=confidence)
    return name_segment(out, by, internal=SEG)


def where_users_leave(
    data: UsageLog | Source,
    catalog: Catalog | Any | None = None,
    *,
    by: str | None = HABITS.by,
    as_of: dt.date | str | None = None,
    limit: int = ADOPTION.limit,
    window: int = ADOPTION.window,
) -> pl.DataFrame:
    """Compare the last steps of users who left with those of users who stayed, ranked by lift.

    With the cut C = ``as_of - limit``, take the users active in the ``window``
    days before it (``C - window .. C - 1``). *Leavers* have no active day from C
    to ``as_of`` (more than ``limit`` days without activity on ``as_of``: dormant);
    the others are *retained*. A user's *last step* is every use case of their
    last active day before C (the log holds days, not times within a day).

    Parameters
    ----------
    data, catalog, by
        As for :func:`feature_adoption`.
    as_of
        The day of the measurement (default: the log's ``as_of``; may not be later).
    limit
        Days without activity after which a user has left (by default as in
        :func:`~stickiness.metrics.dormancy.dormancy`).
    window
        How many days before the cut a user must have been active in.

    Returns
    -------
    polars.DataFrame
        ``persona, use_case, leavers, retained, leaver_share, retained_share,
        lift, churn_rate``: per segment, for every use case that is some user's
        last step: how many ``leavers`` and ``retained`` users it is the last
        step of (Int64); their shares of the segment's leavers and retained
        users; ``lift = leaver_share / retained_share`` and ``churn_rate =
        leavers / (leavers + retained)`` (the share of users who left after that
        step), all Float64, null when the denominator is 0. Sorted by persona,
        lift (highest first; a step that no retained user ended on, whose lift
        is null for a retained share of 0, ranks above every finite lift; other
        null lifts come last), leavers (most first) and use case.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.metrics.adoption import where_users_leave
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "b", "c", "c", "z"],
    ...     "timestamp": [dt.date(2024, 1, 5), dt.date(2024, 1, 9), dt.date(2024, 1, 9), dt.date(2024, 2, 20),
    ...                   dt.date(2024, 3, 1)],
    ...     "event": ["pay", "pay", "search", "search", "search"],
    ... })
    >>> out = where_users_leave(events, limit=30, window=60)  # cut: Jan 31; a, b left after paying, c stayed
    >>> out.select("use_case", "leavers", "retained", "leaver_share", "retained_share", "lift").rows()
    [('pay', 2, 0, 1.0, 0.0, None), ('search', 0, 1, 0.0, 1.0, 0.0)]
    """
    limit = whole_days(
        limit, "limit", f"users with no activity for more than `limit` days have left, {ADOPTION.limit} by default"
    )
    window = whole_days(
        window, "window", f"users active in the `window` days before the cut are compared, {ADOPTION.window} by default"
    )
    _, frames, end = _frames(data, catalog, by=by, schema=LEAVE_SCHEMA, function="where_users_leave", as_of=as_of)
    if frames is None:
        return name_segment(pl.DataFrame(schema=LEAVE_SCHEMA), by, internal=SEG)
    cut = end - limit
    d = nw.col("__d")
    users = (
        frames["active"]
        .with_columns(nw.when((d >= cut - window) & (d < cut)).then(d).alias("__before"))
        .group_by(SEG, "user")
        .agg(nw.col("__before").max().alias("__before"), d.max().alias("__last"))
        .filter(~nw.col("__before").is_null())
        .with_columns((nw.col("__last") < cut).cast(nw.Int64()).alias("__left"))
    )
    groups = (
        users.group_by(SEG)
        .agg(nw.col("__left").sum().alias("__leavers"), nw.len().alias("__users"))
        .with_columns((nw.col("__users") - nw.col("__leavers")).alias("__retained"))
    )
    steps = (
        frames["days"]
        .join(users, on=[SEG, "user"], how="inner")
        .filter(d == nw.col("__before"))
        .group_by(SEG, "use_case")
        .agg(nw.col("__left").sum().alias("leavers"), nw.len().alias("__users"))
        .with_columns((nw.col("__users") - nw.col("leavers")).alias("retained"))
    )
    table = (
        steps.join(groups.select(SEG, "__leavers", "__retained"), on=SEG, how="inner")
        .with_columns(
            _ratio("leavers", "__leavers").alias("leaver_share"),
            _ratio("retained", "__retained").alias("retained_share"),
            _ratio("leavers", "__users").alias("churn_rate"),
        )
        .with_columns(_ratio("leaver_share", "retained_share").alias("lift"))
    )
    out = collect(table, LEAVE_SCHEMA)
    # a step only leavers ended on has an infinite lift (shown as null): it ranks first
    rank = pl.when(pl.col("retained_share") == 0).then(float("inf")).otherwise(pl.col("lift"))
    out = out.sort(
        [pl.col(SEG), rank, pl.col("leavers"), pl.col("use_case")],
        descending=[False, True, True, False],
        nulls_last=True,
    )
    return name_segment(out, by, internal=SEG)
