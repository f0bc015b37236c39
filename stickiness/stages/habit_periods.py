"""Habit bands at several days at once, and the day each adopter first reached a band (docs/habits-over-time.md).

Both start from stage 1 of the habits (:func:`~stickiness.stages.habits.habits_with_all_days`: the
distinct (user x use case, day) rows and each pair's first use, one pass over the log) and run as one
narwhals query in the log's engine:

- :func:`period_bands` evaluates every adopter at each period end P with one join of the days to a
  small *reach* table (P, and each day d of P's horizon, flagged when d is in P's window): a day
  meets the period ends whose horizon holds it, about ``horizon / period length`` of them, so no
  pass over the log per period end;
- :func:`habit_days` finds the first day each pair's rate reached a band edge: between two active
  days the count of the window can only fall and the exposure only grow, so that day is an active
  day or the pair's first evaluable day; the window's count on those days is a running sum of +1
  (a day enters) and -1 (it leaves W days later).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals as nw
import polars as pl

from stickiness._engine import Held, lift, running_sum
from stickiness._habit_options import Options
from stickiness.catalog import Catalog
from stickiness.log import UNKNOWN_SEGMENT, UsageLog
from stickiness.options import BANDS
from stickiness.stages.codes import with_user_codes
from stickiness.stages.habits import SEG, band_of, day_number, habits_with_all_days
from stickiness.stages.segments import ALL_SEGMENT, use_case_segments

__all__ = ["NOT_EVALUABLE", "habit_days", "period_bands", "reach_table"]

#: The band of an adopter who is too new to be measured (never in an output: they count as adopters only).
NOT_EVALUABLE = "(too new)"


def reach_table(ends: Sequence[int], *, window: int, horizon: int, first: int) -> pl.DataFrame:
    """``__p, __d, __in``: each period end P with each day d of its horizon (from ``first``); ``__in``: in its window.

    >>> reach_table([10], window=2, horizon=3, first=0).rows()
    [(10, 8, 0), (10, 9, 1), (10, 10, 1)]
    """
    ends_frame = pl.DataFrame({"__p": list(ends)}, schema={"__p": pl.Int32})
    days = pl.int_ranges(pl.max_horizontal(pl.col("__p") - horizon + 1, pl.lit(first)), pl.col("__p") + 1)
    return (
        ends_frame.with_columns(days.alias("__d"))
        .explode("__d")
        .drop_nulls("__d")
        .with_columns(
            pl.col("__d").cast(pl.Int32), (pl.col("__d") >= pl.col("__p") - window + 1).cast(pl.Int64).alias("__in")
        )
    )


def _segment_frames(log: UsageLog, by: str | None) -> dict[str, Held]:
    segments = use_case_segments(log, by, name=SEG)
    return {} if segments is None else {"segments": with_user_codes(log, segments).select("__u", SEG)}


def _with_segment(table: nw.LazyFrame[Any], lazy: dict[str, nw.LazyFrame[Any]]) -> nw.LazyFrame[Any]:
    if "segments" not in lazy:
        return table.with_columns(nw.lit(ALL_SEGMENT).alias(SEG))
    return table.join(lazy["segments"], on="__u", how="left").with_columns(nw.col(SEG).fill_null(UNKNOWN_SEGMENT))


def _first_day(log: UsageLog, end: int) -> int:
    return end if log.first_day is None else min(day_number(log.first_day), end)


def period_bands(
    log: UsageLog, catalog: Catalog | None, opts: Options, *, ends: Sequence[int], end: int
) -> nw.LazyFrame[Any]:
    """One lazy row per adopter x use case x period end: ``__k, __u, persona, use_case, __p, too_new, band``.

    ``end`` is the latest day of the log looked at (the metric's ``as_of``, a day number, >= every
    period end); ``__p`` is the period end (a day number). An adopter at P has an active day in
    ``P - H + 1 .. P``; its rate and band are those of :func:`~stickiness.use_case_rates` with
    ``as_of`` = P (``band`` is :data:`NOT_EVALUABLE` when ``too_new``).
    """
    first = _first_day(log, end)
    habits = habits_with_all_days(log, catalog, end=end, first=first, horizon=opts.horizon)
    reach = reach_table(ends, window=opts.window, horizon=opts.horizon, first=first)
    lazy = lift(log, days=habits.days, history=habits.history, reach=reach, **_segment_frames(log, opts.by))
    counts = (
        lazy["days"]
        .join(lazy["reach"], on="__d", how="inner")
        .group_by("__k", "__p")
        .agg(nw.col("__in").sum().cast(nw.Int64()).alias("active_days"))
    )
    pairs = lazy["history"].select("__k", nw.col("__u").cast(nw.Int64()), "use_case", "first_use")
    table = _with_segment(counts.join(pairs, on="__k", how="inner"), lazy)
    p = nw.col("__p")
    exposure = p - nw.max_horizontal(nw.col("first_use"), p - opts.window + 1) + 1
    table = table.with_columns(exposure.cast(nw.Int64()).alias("exposure")).with_columns(
        (nw.col("exposure") < opts.min_exposure).alias("too_new")
    )
    rate = 30 * nw.col("active_days") / nw.col("exposure")
    band = nw.when(~nw.col("too_new")).then(band_of(rate, opts.bands)).otherwise(nw.lit(NOT_EVALUABLE))
    return table.with_columns(band.alias("band")).select("__k", "__u", SEG, "use_case", "__p", "too_new", "band")


def band_code(band: nw.Expr) -> nw.Expr:
    """Return the position of a band in :data:`~stickiness.options.BANDS` (null for :data:`NOT_EVALUABLE`)."""
    expr = nw.when(band == BANDS[0]).then(nw.lit(0))
    for code, name in enumerate(BANDS[1:], start=1):
        expr = expr.when(band == name).then(nw.lit(code))
    return expr.cast(nw.Int64())


def habit_days(log: UsageLog, catalog: Catalog | None, opts: Options, *, end: int, edge: float) -> nw.LazyFrame[Any]:
    """Per user x use case measurable by ``end``: ``__u, persona, use_case, first_use, reached`` (day numbers).

    A pair is measurable when its first evaluable day (``first_use + max(min_exposure, 1) - 1``) is at
    most ``end`` and ``min_exposure <= window`` (else its exposure never reaches ``min_exposure``).
    ``reached`` is the first day t <= ``end`` on which the pair is evaluable with a rate (over the window
    ending t, as :func:`~stickiness.use_case_rates` with ``as_of`` = t) of at least ``edge``; null if none.
    """
    first = _first_day(log, end)
    habits = habits_with_all_days(log, catalog, end=end, first=first, horizon=opts.horizon)
    lazy = lift(log, days=habits.days, history=habits.history, **_segment_frames(log, opts.by))
    window, start = opts.window, max(opts.min_exposure, 1) - 1
    pairs = (
        lazy["history"]
        .select("__k", nw.col("__u").cast(nw.Int64()), "use_case", nw.col("first_use").cast(nw.Int64()))
        .with_columns((nw.col("first_use") + start).alias("__ready"))
        .filter((nw.col("__ready") <= end) & nw.lit(opts.min_exposure <= window))
    )
    d = nw.col("__d").cast(nw.Int64())
    days = lazy["days"].filter(nw.col("__d") <= end)
    # Int8 moves: the sort below holds three of them per active pair-day; the running sum widens them.
    one, zero = nw.lit(1).cast(nw.Int8()), nw.lit(0).cast(nw.Int8())
    # No group-by of the moves by (pair, day) (it held every move row at once: most of this stage's
    # memory at 100M events): a pair's moves on one day are at most a -1, the ready row (0) and a +1,
    # so ``__o`` = 4t + delta + 1 orders them uniquely, -1 first. The running sum at the +1 row is the
    # count of the window ending t; at the ready row it lacks only that day's +1, if any, whose own
    # row then has the full count on the same t: the first day reaching ``edge`` is unchanged.
    moves = nw.concat(
        [
            days.select("__k", d.alias("__t"), one.alias("__delta")),
            days.select("__k", (d + window).alias("__t"), (-one).alias("__delta")),
            pairs.select("__k", nw.col("__ready").alias("__t"), zero.alias("__delta")),
        ]
    ).filter(nw.col("__t") <= end)
    ordered = moves.select("__k", (4 * nw.col("__t") + nw.col("__delta") + 1).alias("__o"), "__delta")
    counts = running_sum(ordered, key="__k", order="__o", value="__delta", alias="__count").filter(
        nw.col("__delta") >= 0
    )
    # 4t = __o - delta - 1 exactly; a true division, as integer division rounds negatives differently by engine.
    t = ((nw.col("__o") - nw.col("__delta") - 1) / 4).cast(nw.Int64())
    exposure = nw.min_horizontal(nw.col("__t") - nw.col("first_use") + 1, nw.lit(window))
    reached = (
        counts.join(pairs.select("__k", "first_use", "__ready"), on="__k", how="inner")
        .with_columns(t.alias("__t"))
        .filter(nw.col("__t") >= nw.col("__ready"))
        .filter(30 * nw.col("__count") / exposure >= edge)
        .group_by("__k")
        .agg(nw.col("__t").min().alias("reached"))
    )
    table = pairs.join(reached, on="__k", how="left")
    return _with_segment(table, lazy).select("__u", SEG, "use_case", "first_use", "reached")
