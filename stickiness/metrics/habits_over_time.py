"""Habits over time: the habit mix at each period end, band migration, and time to habit.

Definitions (the contract, with worked examples: docs/habits-over-time.md). An adopter's band on a
day A is the one :func:`~stickiness.use_case_rates` gives with ``as_of`` = A (same ``window``,
``horizon``, ``min_exposure`` and ``bands``):

- :func:`habit_mix`: the frequency spectrum (:func:`~stickiness.frequency_spectrum`'s ``users`` and
  ``share``) at the end of each month (or ISO week) and on ``as_of``, with an exact 95% interval on
  each share (the trials: that spectrum's evaluable adopters);
- :func:`band_migration`: each evaluable adopter's band on ``as_of - period_days`` against its band on
  ``as_of``; ``new`` where it was no evaluable adopter before, ``gone`` where it is none on ``as_of``;
- :func:`time_to_habit`: the first day a user's band was ``band`` or a more frequent one, in days after
  their first use.

All three start from one pass over the log (every active day of each user and use case, kept on
the log) and evaluate it in one engine query (stickiness/stages/habit_periods.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import narwhals as nw
import polars as pl

from stickiness._engine import collect
from stickiness._habit_options import check_options
from stickiness._sources import Source
from stickiness._zones import week_offset
from stickiness.catalog import Catalog
from stickiness.exceptions import InvalidOptionError
from stickiness.intervals import with_proportion_interval
from stickiness.log import UsageLog
from stickiness.metrics.use_cases import prepare_inputs
from stickiness.options import BANDS, HABITS, HABITS_OVER_TIME, PERIOD, whole, whole_days
from stickiness.schemas import BAND_MIGRATION_SCHEMA, HABIT_MIX_SCHEMA, TIME_TO_HABIT_SCHEMA
from stickiness.stages.habit_periods import NOT_EVALUABLE, band_code, habit_days, period_bands
from stickiness.stages.habits import SEG, day_number
from stickiness.stages.segments import check_segment_name, name_segment
from stickiness.typing import Band, Period

__all__ = ["HABIT_BANDS", "MIGRATION_BANDS", "band_migration", "habit_mix", "period_ends", "time_to_habit"]

#: The bands of band_migration, in order: the habit bands, then ``new`` (from) and ``gone`` (to).
MIGRATION_BANDS: tuple[str, ...] = (*BANDS, "new", "gone")
#: The bands time to habit accepts: a habit is a band with a lower edge (occasional is any use at all).
HABIT_BANDS: tuple[str, ...] = ("daily", "weekly", "monthly")
_EPOCH = dt.date(1970, 1, 1)


def _check(by: str | None, schema: Mapping[str, pl.DataType], function: str) -> None:
    check_segment_name(by, [name for name in schema if name != SEG], function=function)


def _empty(schema: Mapping[str, pl.DataType], by: str | None) -> pl.DataFrame:
    return name_segment(pl.DataFrame(schema=dict(schema)), by, internal=SEG)


def period_ends(
    first: dt.date,
    as_of: dt.date,
    *,
    period: Period,
    periods: int | None = None,
    window: int = HABITS.window,
    week_start: str = PERIOD.week_start,
) -> list[dt.date]:
    """Return the days the habit mix is measured on: the last day of each ``period`` before ``as_of``'s, then ``as_of``.

    Only days on or after ``first`` (the log's first day). Without ``periods``, only the ends with a
    full window in the log (``end - window + 1 >= first``), and ``as_of`` always; with it, the last
    ``periods`` ends. A week ends on the day before ``week_start`` (Sunday for the default Monday).

    >>> period_ends(dt.date(2024, 1, 1), dt.date(2024, 3, 15), period="month", window=30)
    [datetime.date(2024, 1, 31), datetime.date(2024, 2, 29), datetime.date(2024, 3, 15)]
    >>> period_ends(dt.date(2024, 1, 1), dt.date(2024, 1, 17), period="week", periods=2)  # Sundays
    [datetime.date(2024, 1, 14), datetime.date(2024, 1, 17)]
    >>> period_ends(dt.date(2024, 1, 1), dt.date(2024, 1, 17), period="week", periods=2, week_start="sunday")
    [datetime.date(2024, 1, 13), datetime.date(2024, 1, 17)]
    """
    days = pl.date_range(first, as_of, eager=True)
    # a week's last day is the one before its first; polars numbers weekdays 1 (Monday) .. 7 (Sunday)
    last_weekday = (week_offset(week_start) - 1) % 7 + 1
    ends = (
        days.filter(days.dt.weekday() == last_weekday) if period == "week" else days.filter(days.dt.month_end() == days)
    )
    chosen = [day for day in ends.to_list() if day < as_of]
    if periods is None:
        chosen = [day for day in chosen if (day - first).days + 1 >= window]
        return [*chosen, as_of]
    return [*chosen, as_of][-periods:]


def _check_period(period: object) -> Period:
    if period not in ("week", "month"):
        raise InvalidOptionError(
            f"period={period!r}: the habit mix is measured at the end of each 'week' (read_log's week_start "
            "decides where weeks start) or 'month'. Use period='week' or period='month'."
        )
    return "week" if period == "week" else "month"


def _date(column: str) -> pl.Expr:
    return (pl.lit(_EPOCH) + pl.duration(days=pl.col(column))).cast(pl.Date).alias(column)


def habit_mix(
    data: UsageLog | Source,
    catalog: Catalog | Any | None = None,
    *,
    by: str | None = HABITS.by,
    period: Period = HABITS_OVER_TIME.period,
    periods: int | None = HABITS_OVER_TIME.periods,
    as_of: dt.date | str | None = None,
    window: int = HABITS.window,
    horizon: int = HABITS.horizon,
    min_exposure: int = HABITS.min_exposure,
    bands: Mapping[str, float] | None = None,
) -> pl.DataFrame:
    """Return the frequency spectrum at the end of each month (or week) and on ``as_of``: how the habit mix moves.

    Parameters
    ----------
    data, catalog, by, as_of, window, horizon, min_exposure, bands
        As for :func:`~stickiness.frequency_spectrum`.
    period
        ``"month"`` (default: each calendar month's last day) or ``"week"`` (each week's last day: the
        Sunday with the log's default ``week_start``).
    periods
        How many period ends, the last one being ``as_of`` (None: every end from the first with a
        full window in the log, ``end - window + 1 >= `` the log's first day).

    Returns
    -------
    polars.DataFrame
        ``persona`` (the ``by`` segment), ``use_case``, ``period_end`` (Date), ``band``, ``users``,
        ``evaluable`` (Int64: the spectrum's evaluable adopters), ``share`` (Float64: users /
        evaluable, null without one), ``share_low``, ``share_high`` (its exact 95% interval) and
        ``small_sample`` (fewer than 30 evaluable adopters). At each period end the rows equal
        :func:`~stickiness.frequency_spectrum` with ``as_of=period_end``: every band (zeros too) of
        every segment x use case with an adopter then. Sorted by segment, use case, period end, band.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness import habit_mix
    >>> events = pl.DataFrame({  # a on Jan 2 and every Monday of February (the log's last day: Feb 26)
    ...     "user_id": "a",
    ...     "timestamp": [dt.date(2024, 1, 2), *[dt.date(2024, 2, d) for d in (5, 12, 19, 26)]],
    ...     "event": "open",
    ... })
    >>> out = habit_mix(events, window=30, min_exposure=1).filter(pl.col("users") > 0)
    >>> out.select("period_end", "band", "users").rows()  # Jan 2-31: 30 x 1/30 = 1; Jan 28-Feb 26: 30 x 4/30 = 4
    [(datetime.date(2024, 1, 31), 'monthly', 1), (datetime.date(2024, 2, 26), 'weekly', 1)]
    """
    opts = check_options(by=by, as_of=as_of, window=window, horizon=horizon, min_exposure=min_exposure, bands=bands)
    period = _check_period(period)
    if periods is not None:
        whole(periods, "periods", "how many period ends, the last one being as_of; None: every one", minimum=1)
    _check(by, HABIT_MIX_SCHEMA, "habit_mix")
    log, cat, day = prepare_inputs(data, catalog, opts)
    if day is None or log.first_day is None:
        return _empty(HABIT_MIX_SCHEMA, by)
    ends = period_ends(
        log.first_day, day, period=period, periods=periods, window=opts.window, week_start=log.week_start
    )
    table = period_bands(log, cat, opts, ends=[day_number(end) for end in ends], end=day_number(day))
    counts = table.group_by(SEG, "use_case", "__p", "band").agg(nw.len().cast(nw.Int64()).alias("users"))
    schema = {SEG: pl.String(), "use_case": pl.String(), "__p": pl.Int32(), "band": pl.String(), "users": pl.Int64()}
    return name_segment(_spectra(collect(counts, schema)), by, internal=SEG)


def _spectra(counts: pl.DataFrame) -> pl.DataFrame:
    """Every band of every (segment, use case, period end) with an adopter, with shares of the evaluable."""
    keys = [SEG, "use_case", "__p"]
    evaluable = (
        counts.group_by(keys)
        .agg(pl.col("users").filter(pl.col("band") != NOT_EVALUABLE).sum().alias("evaluable"))
        .with_columns(pl.col("evaluable").cast(pl.Int64))
    )
    order = pl.DataFrame({"band": BANDS, "__order": range(len(BANDS))}, schema={"band": pl.String, "__order": pl.Int64})
    grid = (
        evaluable.join(order, how="cross")
        .join(counts, on=[*keys, "band"], how="left")
        .with_columns(pl.col("users").fill_null(0))
        .with_columns(share=pl.when(pl.col("evaluable") > 0).then(pl.col("users") / pl.col("evaluable")))
        .sort(*keys, "__order")
    )
    grid = with_proportion_interval(grid, "users", "evaluable", prefix="share")
    out = grid.with_columns(_date("__p").alias("period_end"))
    return out.select([pl.col(name).cast(dtype) for name, dtype in HABIT_MIX_SCHEMA.items()])


def band_migration(
    data: UsageLog | Source,
    catalog: Catalog | Any | None = None,
    *,
    by: str | None = HABITS.by,
    period_days: int = HABITS_OVER_TIME.period_days,
    as_of: dt.date | str | None = None,
    window: int = HABITS.window,
    horizon: int = HABITS.horizon,
    min_exposure: int = HABITS.min_exposure,
    bands: Mapping[str, float] | None = None,
) -> pl.DataFrame:
    """How many users moved from each band on ``as_of - period_days`` to each band on ``as_of``.

    Parameters
    ----------
    data, catalog, by, as_of, window, horizon, min_exposure, bands
        As for :func:`~stickiness.frequency_spectrum`.
    period_days
        Days between the two spectrums (30 by default).

    Returns
    -------
    polars.DataFrame
        ``persona`` (the ``by`` segment), ``use_case``, ``from_band``, ``to_band`` and ``users``
        (Int64), one row per move with at least one user. A user is counted once per use case:
        ``from_band`` is their band on ``as_of - period_days`` (``"new"`` when they were no evaluable
        adopter then: not yet a user, no use in that day's horizon, or too new), ``to_band`` their
        band on ``as_of`` (``"gone"`` when they are no evaluable adopter on ``as_of``). So the users
        from each band (``new`` aside) sum to :func:`~stickiness.frequency_spectrum` on the earlier day,
        and those to each band (``gone`` aside) to the spectrum on ``as_of``. Sorted by segment, use
        case, then the bands in the order of :data:`MIGRATION_BANDS`.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness import band_migration
    >>> events = pl.DataFrame({  # a: Jan 2, then every Monday of February; b: Jan 2 only
    ...     "user_id": ["a", "b", *["a"] * 4],
    ...     "timestamp": [dt.date(2024, 1, 2)] * 2 + [dt.date(2024, 2, d) for d in (5, 12, 19, 26)],
    ...     "event": "open",
    ... })
    >>> out = band_migration(events, window=30, horizon=30, min_exposure=1, period_days=26)
    >>> out.select("from_band", "to_band", "users").rows()  # Jan 31: both monthly; Feb 26: a weekly, b gone
    [('monthly', 'weekly', 1), ('monthly', 'gone', 1)]
    """
    opts = check_options(by=by, as_of=as_of, window=window, horizon=horizon, min_exposure=min_exposure, bands=bands)
    period_days = whole_days(period_days, "period_days", "days between the two spectrums, 30 by default")
    _check(by, BAND_MIGRATION_SCHEMA, "band_migration")
    log, cat, day = prepare_inputs(data, catalog, opts)
    if day is None:
        return _empty(BAND_MIGRATION_SCHEMA, by)
    end = day_number(day)
    before = end - period_days
    table = period_bands(log, cat, opts, ends=[before, end], end=end).filter(~nw.col("too_new"))
    code = band_code(nw.col("band"))
    p = nw.col("__p")
    moves = (
        table.select(
            "__k",
            SEG,
            "use_case",
            nw.when(p == before).then(code).alias("__from"),
            nw.when(p == end).then(code).alias("__to"),
        )
        .group_by("__k", SEG, "use_case")
        .agg(nw.col("__from").max(), nw.col("__to").max())
        .with_columns(
            nw.col("__from").fill_null(MIGRATION_BANDS.index("new")),
            nw.col("__to").fill_null(MIGRATION_BANDS.index("gone")),
        )
        .group_by(SEG, "use_case", "__from", "__to")
        .agg(nw.len().cast(nw.Int64()).alias("users"))
    )
    schema = {SEG: pl.String(), "use_case": pl.String(), "__from": pl.Int64(), "__to": pl.Int64()}
    out = collect(moves, {**schema, "users": pl.Int64()}).sort(SEG, "use_case", "__from", "__to")
    names = dict(enumerate(MIGRATION_BANDS))
    out = out.with_columns(
        pl.col("__from").replace_strict(names, return_dtype=pl.String).alias("from_band"),
        pl.col("__to").replace_strict(names, return_dtype=pl.String).alias("to_band"),
    )
    return name_segment(out.select(list(BAND_MIGRATION_SCHEMA)), by, internal=SEG)


def time_to_habit(
    data: UsageLog | Source,
    catalog: Catalog | Any | None = None,
    *,
    by: str | None = HABITS.by,
    band: Band = HABITS_OVER_TIME.band,
    as_of: dt.date | str | None = None,
    window: int = HABITS.window,
    horizon: int = HABITS.horizon,
    min_exposure: int = HABITS.min_exposure,
    bands: Mapping[str, float] | None = None,
) -> pl.DataFrame:
    """Per segment and use case: who reached ``band`` (or a more frequent one), and how many days after first use.

    Parameters
    ----------
    data, catalog, by, as_of, window, horizon, min_exposure, bands
        As for :func:`~stickiness.frequency_spectrum`.
    band
        The lowest band that counts as a habit: ``"weekly"`` (default: at least weekly), ``"daily"``
        or ``"monthly"``.

    Returns
    -------
    polars.DataFrame
        ``persona`` (the ``by`` segment), ``use_case``, ``users`` (Int64: users of the use case who
        could be measured by ``as_of``: their first use is at least ``min_exposure - 1`` days before,
        and ``min_exposure <= window``), ``reached`` (Int64: those of them whose band on some day t
        <= ``as_of`` was ``band`` or more frequent, the band :func:`~stickiness.use_case_rates` gives
        with ``as_of`` = t), ``share`` (reached / users) with ``share_low``, ``share_high`` (exact 95%)
        and ``small_sample``, then ``median_days_to_habit``, ``p25_days_to_habit`` and
        ``p75_days_to_habit`` (Float64) of the days
        from first use to the first such t (0: on the first day of use): the median, and the
        nearest-rank quartiles (the smallest value with at least 25% / 75% of the reached at or
        below it); null when nobody reached it. One row per segment x use case with a user.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness import time_to_habit
    >>> events = pl.DataFrame({  # a: Jan 1, 8, 15, 22; b: Jan 1 and Feb 15 (rate 1: monthly at best)
    ...     "user_id": ["a", "a", "a", "a", "b", "b"],
    ...     "timestamp": [*[dt.date(2024, 1, d) for d in (1, 8, 15, 22, 1)], dt.date(2024, 2, 15)],
    ...     "event": "open",
    ... })
    >>> out = time_to_habit(events, window=30, min_exposure=30)  # evaluable from Jan 30, the 30th day
    >>> out.select("users", "reached", "median_days_to_habit").row(0)  # a on Jan 30: 30 x 4 days / 30 = 4, weekly
    (2, 1, 29.0)
    """
    opts = check_options(by=by, as_of=as_of, window=window, horizon=horizon, min_exposure=min_exposure, bands=bands)
    if band not in HABIT_BANDS:
        raise InvalidOptionError(
            f"band={band!r}: time to habit needs a band with a lower edge. Use band='daily', 'weekly' or 'monthly'."
        )
    _check(by, TIME_TO_HABIT_SCHEMA, "time_to_habit")
    log, cat, day = prepare_inputs(data, catalog, opts)
    if day is None:
        return _empty(TIME_TO_HABIT_SCHEMA, by)
    edge = opts.bands[HABIT_BANDS.index(band)]
    table = habit_days(log, cat, opts, end=day_number(day), edge=edge).with_columns(
        (nw.col("reached") - nw.col("first_use")).alias("__days")
    )
    keys = [SEG, "use_case"]
    hist = table.group_by(*keys, "__days").agg(nw.len().cast(nw.Int64()).alias("__n"))
    hist_schema = {SEG: pl.String(), "use_case": pl.String(), "__days": pl.Int64(), "__n": pl.Int64()}
    return name_segment(_time_summary(collect(hist, hist_schema)), by, internal=SEG)


def _time_summary(hist: pl.DataFrame) -> pl.DataFrame:
    """Users, reached and the quartiles of the days per (segment, use case), from the histogram of the days."""
    keys = [SEG, "use_case"]
    totals = hist.group_by(keys).agg(
        pl.col("__n").sum().alias("users"), pl.col("__n").filter(pl.col("__days").is_not_null()).sum().alias("reached")
    )
    reached = (
        hist.drop_nulls("__days")
        .sort(*keys, "__days")
        .with_columns(pl.col("__n").cum_sum().over(keys).alias("__upto"), pl.col("__n").sum().over(keys).alias("__all"))
    )

    def rank_value(rank: pl.Expr, alias: str) -> pl.Expr:  # the smallest value whose running count reaches rank
        return pl.col("__days").filter(pl.col("__upto") >= rank).min().cast(pl.Float64).alias(alias)

    total = pl.col("__all").first()
    quartiles = reached.group_by(keys).agg(
        ((rank_value((total + 1) // 2, "a") + rank_value(total // 2 + 1, "b")) / 2).alias("median_days_to_habit"),
        rank_value((total * 0.25).ceil(), "p25_days_to_habit"),
        rank_value((total * 0.75).ceil(), "p75_days_to_habit"),
    )
    out = (
        totals.with_columns(pl.col("users", "reached").cast(pl.Int64))
        .join(quartiles, on=keys, how="left")
        .with_columns(share=pl.when(pl.col("users") > 0).then(pl.col("reached") / pl.col("users")))
        .sort(keys)
    )
    out = with_proportion_interval(out, "reached", "users", prefix="share")
    return out.select([pl.col(name).cast(dtype) for name, dtype in TIME_TO_HABIT_SCHEMA.items()])
