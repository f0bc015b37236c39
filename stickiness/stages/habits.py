"""The per-adopter habit table behind the use-case metrics, computed in stages kept on the log.

1. **Habits** (per catalog mapping, ``as_of`` and ``horizon``; no window): events
   coded as use cases, the distinct (user, use case, day) rows up to ``as_of``,
   and per adopter the first use, the last active day and the typical interval.
   This is most of the work.
2. **Rates** (per habits, ``by``, ``window``, ``min_exposure`` and ``bands``):
   the active days in the current and the previous window, exposure, rate and
   band: one row per adopter x use case.
3. **Segment counts** (per rates and ``threshold``): adopters, band counts,
   forgettable count and medians per segment x use case, shared by the spectrum
   and the map.

Each stage runs as a narwhals query in the log's engine and its result is kept
on the log where it was computed (:func:`~stickiness._engine.keep`: a polars frame,
a DuckDB table, a persisted Spark frame; the latest few per stage), so another window
redoes stages 2 and 3 only, another threshold stage 3 only. Stage 1's distinct
days and gaps are :func:`~stickiness._engine.runs` (one sort of a packed integer
key on polars).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import narwhals as nw
import polars as pl

from stickiness._engine import Held, collect, day_numbers, grouped_medians, keep, lift, runs
from stickiness._habit_options import Options
from stickiness.catalog import ANY_USE_CASE, Catalog
from stickiness.log import UNKNOWN_SEGMENT, UsageLog
from stickiness.options import BANDS
from stickiness.stages.active_days import user_days
from stickiness.stages.codes import (
    coded_activity,
    day_number,
    event_codes,
    user_code_table,
    user_ids,
    with_user_codes,
)
from stickiness.stages.segments import ALL_SEGMENT, attach_segment, use_case_segments

__all__ = [
    "SEG",
    "adopter_rates",
    "band_of",
    "day_number",
    "habits_with_all_days",
    "segment_counts",
    "use_case_history",
]

SEG = "persona"  # the output's segment column: it holds the ``by`` segment

_RATES_SCHEMA: dict[str, pl.DataType] = {
    "__u": pl.UInt32(),
    SEG: pl.String(),
    "use_case": pl.String(),
    "first_use": pl.Int32(),
    "last_active": pl.Int32(),
    "exposure": pl.Int64(),
    "active_days": pl.Int64(),
    "rate": pl.Float64(),
    "band": pl.String(),
    "too_new": pl.Boolean(),
    "interval_days": pl.Float64(),
    "previous_rate": pl.Float64(),
}
_COUNTS_SCHEMA: dict[str, pl.DataType] = {
    SEG: pl.String(),
    "use_case": pl.String(),
    "adopters": pl.Int64(),
    "too_new": pl.Int64(),
    "__forgettable": pl.Int64(),
    "median_rate": pl.Float64(),
    "median_interval_days": pl.Float64(),
    **{f"__{band}": pl.Int64() for band in BANDS},
}


@dataclass(frozen=True)
class _Habits:
    """Stage 1: what every window of one (catalog mapping, as_of, horizon) needs."""

    key: Hashable
    end: int  # as_of, as a day number
    adopters: Held  # __k (user x use case), __u, use_case, first_use, last_active, __interval
    history: Held  # as adopters plus active_days (Int64), for every (user x use case) with a day <= end
    use_cases: pl.DataFrame  # use_case, __c: __k = __u x (number of use cases) + __c
    days: Held  # __k, __d: active days from as_of - 2H + 1 (any window W <= H and the one before)


# --------------------------------------------------------------------------- #
# Stage 1: habits                                                              #
# --------------------------------------------------------------------------- #


def _habits(log: UsageLog, catalog: Catalog | None, *, end: int, horizon: int) -> _Habits:
    events = event_codes(log)
    if catalog is None:
        pairs = events.select("event", use_case=pl.lit(ANY_USE_CASE, dtype=pl.String))
    else:
        pairs = catalog.use_cases_of(events["event"])
    mapping = tuple(pairs.select("event", "use_case").iter_rows())
    key = (mapping, end, horizon)

    def compute() -> _Habits:
        kept = _kept_with_any(log, end=end, horizon=horizon) if catalog is None else None
        return _compute_habits(log, events, pairs, key) if kept is None else _product_of(log, kept, key)

    return log.stages.get("habits", compute, mapping=mapping, end=end, horizon=horizon)


def _kept_with_any(log: UsageLog, *, end: int, horizon: int) -> _Habits | None:
    """Return habits already on the log for this ``as_of`` and horizon that hold ``"(any)"``, if any.

    Every catalog maps every event to ``"(any)"`` as well, so a catalog's habits hold
    the product's rows: the inactivity list after the use-case metrics then costs
    no second pass over the activity (the derivation declared with the stage, in
    :data:`~stickiness.stages.STAGES`).
    """
    held: list[_Habits] = log.stages.held("habits", end=end, horizon=horizon)
    return next((kept for kept in held if ANY_USE_CASE in kept.use_cases.get_column("use_case")), None)


def _product_of(log: UsageLog, kept: _Habits, key: tuple[Any, int, int]) -> _Habits:
    """Return the product's habits (every event is ``"(any)"``): the ``"(any)"`` rows of ``kept``."""
    n_use_cases = kept.use_cases.height
    any_code = kept.use_cases.filter(pl.col("use_case") == ANY_USE_CASE).get_column("__c").item()
    product = nw.col("use_case") == ANY_USE_CASE
    lazy = lift(log, adopters=kept.adopters, history=kept.history, days=kept.days)
    return _Habits(
        key=key,
        end=kept.end,
        adopters=keep(log, lazy["adopters"].filter(product)),
        history=keep(log, lazy["history"].filter(product)),
        days=keep(log, lazy["days"].filter(nw.col("__k") % n_use_cases == any_code)),
        use_cases=kept.use_cases.filter(pl.col("use_case") == ANY_USE_CASE),
    )


def _compute_habits(log: UsageLog, events: pl.DataFrame, pairs: pl.DataFrame, key: tuple[Any, int, int]) -> _Habits:
    _, end, horizon = key
    # Small integer codes, so the engine sorts and hashes integers, not text: __u (user), __e (event),
    # __c (use case) and __k = __u * (number of use cases) + __c, one per (user, use case).
    use_cases = pairs.select("use_case").unique().sort("use_case").with_row_index("__c")
    mapping = pairs.join(events, on="event").join(use_cases, on="use_case").select("__e", "__c")
    parts = [_gaps(log, rows) for rows in _use_case_days(log, mapping, use_cases, end=end)]

    # Codes stay Int64 in the engine (Spark has no unsigned integers); collect casts __u back to UInt32.
    n_use_cases = use_cases.height
    frames = {f"days{i}": part for i, part in enumerate(parts)}
    lazy = lift(log, use_cases=use_cases.with_columns(pl.col("__c").cast(pl.Int64)), **frames)
    horizon_start = end - horizon + 1
    d, gap = nw.col("__d"), nw.col("__gap")
    # Each part holds its own use cases (the "(any)" rows apart), so it is aggregated apart: its rows come
    # out of runs() grouped by __k, which a concatenation of the parts would undo.
    per_key = [
        lazy[name]  # every (user x use case) with a day up to end; _split_history keeps the horizon's
        # a gap between two active days of the horizon
        .with_columns(nw.when((d >= horizon_start) & (d - gap >= horizon_start)).then(gap).alias("__gap"))
        .pipe(
            grouped_medians,
            by=["__k"],
            aggs=[
                d.min().alias("first_use"),
                d.max().alias("last_active"),
                nw.len().cast(nw.Int64()).alias("active_days"),
            ],
            medians={"__interval": "__gap"},
        )
        for name in frames
    ]
    adopters = (
        nw.concat(per_key)
        .with_columns(
            (nw.col("__k") // n_use_cases).alias("__u"),
            (nw.col("__k") % n_use_cases).alias("__c"),
        )
        .join(lazy["use_cases"], on="__c", how="inner")
    )
    adopter_types: dict[str, pl.DataType] = {
        "__k": pl.Int64(),
        "__u": pl.UInt32(),
        "use_case": pl.String(),
        "first_use": pl.Int32(),
        "last_active": pl.Int32(),
        "__interval": pl.Float64(),
        "active_days": pl.Int64(),
    }
    # Days before as_of - 2H + 1 are in no window W <= H nor the one before it.
    recent = nw.concat([lazy[name].filter(d >= end - 2 * horizon + 1).select("__k", "__d") for name in frames])
    return _split_history(log, keep(log, adopters, adopter_types), keep(log, recent), use_cases, key)


def _use_case_days(
    log: UsageLog, mapping: pl.DataFrame, use_cases: pl.DataFrame, *, end: int
) -> list[nw.LazyFrame[Any]]:
    """``__k, __d``: the (user x use case, day) rows up to ``end`` (repeats kept), in one or two parts.

    ``"(any)"`` holds every event: its rows are the log's active days, kept on the log
    already (distinct and, on polars, sorted), so they come as a part of their own
    rather than through the mapping of every activity row.
    """
    n_use_cases = use_cases.height
    any_code = use_cases.filter(pl.col("use_case") == ANY_USE_CASE).get_column("__c")
    frames: dict[str, Held] = {}
    if any_code.len() == 1:
        mapping = mapping.filter(pl.col("__c") != any_code.item())
        frames["product"] = user_days(log, None)
    if mapping.height:
        frames |= {"activity": coded_activity(log), "mapping": mapping}
    if not frames:
        frames["product"] = pl.DataFrame(schema={"__u": pl.UInt32, "day": pl.Date})
    lazy = lift(log, **frames)
    d, user = nw.col("__d"), nw.col("__u").cast(nw.Int64()) * n_use_cases
    parts = []
    if "product" in lazy:
        code = int(any_code.item()) if any_code.len() == 1 else 0
        product = day_numbers(lazy["product"], __d="day")
        parts.append(product.filter(d <= end).select((user + code).alias("__k"), "__d"))
    if "activity" in lazy:
        coded = lazy["activity"].filter(d <= end).join(lazy["mapping"], on="__e", how="inner")
        parts.append(coded.select((user + nw.col("__c").cast(nw.Int64())).alias("__k"), "__d"))
    return parts


def _gaps(log: UsageLog, rows: nw.LazyFrame[Any]) -> Held:
    """``__k, __d, __gap``: distinct (user x use case, day) rows and the days since the pair's previous one."""
    days = runs(rows, key="__k", order="__d", with_=("prev",))
    gaps = days.select("__k", "__d", (nw.col("__d") - nw.col("__prev")).alias("__gap"))
    return keep(log, gaps, {"__k": pl.Int64(), "__d": pl.Int32(), "__gap": pl.Int32()})


def _split_history(
    log: UsageLog, history: Held, days: Held, use_cases: pl.DataFrame, key: tuple[Any, int, int]
) -> _Habits:
    """Build the habits: the adopters are the rows of the history active in the horizon."""
    _, end, horizon = key
    rows = lift(log, history=history)["history"]
    adopters = keep(log, rows.filter(nw.col("last_active") >= end - horizon + 1).drop("active_days"))
    return _Habits(key=key, end=end, adopters=adopters, history=history, days=days, use_cases=use_cases)


# --------------------------------------------------------------------------- #
# Stage 2: rates                                                               #
# --------------------------------------------------------------------------- #


def _band(rate: nw.Expr, edges: tuple[float, float, float]) -> nw.Expr:
    daily, weekly, monthly = edges
    return (
        nw.when(rate >= daily)
        .then(nw.lit("daily"))
        .when(rate >= weekly)
        .then(nw.lit("weekly"))
        .when(rate >= monthly)
        .then(nw.lit("monthly"))
        .when(rate > 0)
        .then(nw.lit("occasional"))
        .otherwise(nw.lit("lapsed"))
    )


def _rates(log: UsageLog, catalog: Catalog | None, opts: Options, as_of: dt.date) -> tuple[Hashable, Held]:
    """Stage 2, kept on the log: its key and one row per adopter x use case (``__u`` for the user)."""
    habits = _habits(log, catalog, end=day_number(as_of), horizon=opts.horizon)
    key = (habits.key, opts.by, opts.window, opts.min_exposure, opts.bands)
    rates = log.stages.get(
        "rates",
        lambda: _compute_rates(log, habits, opts),
        habits=habits.key,
        by=opts.by,
        window=opts.window,
        min_exposure=opts.min_exposure,
        bands=opts.bands,
    )
    return key, rates


def _compute_rates(log: UsageLog, habits: _Habits, opts: Options) -> Held:
    end = habits.end
    window_start = end - opts.window + 1
    previous_start, previous_end = end - 2 * opts.window + 1, end - opts.window
    frames: dict[str, Held] = {"adopters": habits.adopters, "days": habits.days}
    segments = use_case_segments(log, opts.by, name=SEG)
    if segments is not None:
        frames["segments"] = with_user_codes(log, segments).select("__u", SEG)
    lazy = lift(log, **frames)

    d = nw.col("__d")
    active = (
        lazy["days"]
        .filter(d >= previous_start)
        .with_columns(
            (d >= window_start).cast(nw.Int64).alias("__now"),
            (d <= previous_end).cast(nw.Int64).alias("__before"),
        )
        .group_by("__k")
        .agg(
            nw.col("__now").sum().cast(nw.Int64).alias("active_days"),
            nw.col("__before").sum().cast(nw.Int64).alias("__active_before"),
        )
    )
    table = (
        lazy["adopters"]
        .join(active, on="__k", how="left")
        .with_columns(nw.col("active_days", "__active_before").fill_null(0))
    )
    if segments is None:
        table = table.with_columns(nw.lit(ALL_SEGMENT).alias(SEG))
    else:
        table = table.join(lazy["segments"], on="__u", how="left").with_columns(nw.col(SEG).fill_null(UNKNOWN_SEGMENT))

    exposure = end - nw.max_horizontal(nw.col("first_use"), nw.lit(window_start)) + 1
    exposure_before = previous_end - nw.max_horizontal(nw.col("first_use"), nw.lit(previous_start)) + 1
    table = table.with_columns(
        exposure.cast(nw.Int64).alias("exposure"),
        exposure_before.cast(nw.Int64).alias("__exposure_before"),
    ).with_columns((nw.col("exposure") < opts.min_exposure).alias("too_new"))
    evaluable = ~nw.col("too_new")
    rate = nw.when(evaluable).then(30 * nw.col("active_days") / nw.col("exposure"))
    measured_before = evaluable & (nw.col("__exposure_before") >= max(opts.min_exposure, 1))
    table = table.with_columns(
        rate.alias("rate"),
        nw.when(measured_before)
        .then(30 * nw.col("__active_before") / nw.col("__exposure_before"))
        .alias("previous_rate"),
        nw.when(evaluable).then(nw.col("__interval")).alias("interval_days"),
    ).with_columns(nw.when(evaluable).then(_band(nw.col("rate"), opts.bands)).alias("band"))
    return keep(log, table, _RATES_SCHEMA)


def adopter_rates(log: UsageLog, catalog: Catalog | None, opts: Options, as_of: dt.date) -> nw.LazyFrame[Any]:
    """One lazy row per adopter x use case with the columns of ``use_case_rates`` (days as integers)."""
    _, rates = _rates(log, catalog, opts, as_of)
    lazy = lift(log, rates=rates, users=user_code_table(log))
    return user_ids(log, lazy["rates"], lazy["users"])


def use_case_history(log: UsageLog, catalog: Catalog | None, *, by: str | None, end: int, horizon: int) -> pl.DataFrame:
    """Per user and use case with an active day up to ``end`` (a day number), from the habits stage.

    Columns ``user, persona, use_case, first_active, last_active`` (day numbers),
    ``active_days`` (distinct days up to ``end``) and ``interval_days`` (the median
    gap between consecutive active days of the horizon; null with fewer than two):
    what :func:`~stickiness.dormancy` needs, without another pass over the activity.
    """
    kept = _kept_with_any(log, end=end, horizon=horizon) if catalog is None else None
    rows = (_habits(log, catalog, end=end, horizon=horizon) if kept is None else kept).history
    segments = use_case_segments(log, by, name=SEG)
    frames: dict[str, Held | pl.LazyFrame] = {"rows": rows, "codes": user_code_table(log)}
    if segments is not None:
        frames["segments"] = segments
    lazy = lift(log, **frames)
    history = lazy["rows"]
    if kept is not None:  # the product's rows of a catalog's habits, without filtering their active days
        history = history.filter(nw.col("use_case") == ANY_USE_CASE)
    history = attach_segment(user_ids(log, history, lazy["codes"]), lazy.get("segments"), name=SEG)
    table = history.select(
        "user",
        SEG,
        "use_case",
        nw.col("first_use").alias("first_active"),
        "last_active",
        "active_days",
        nw.col("__interval").alias("interval_days"),
    )
    schema = {"user": log.user_dtype, SEG: pl.String(), "use_case": pl.String(), "first_active": pl.Int32()}
    schema |= {"last_active": pl.Int32(), "active_days": pl.Int64(), "interval_days": pl.Float64()}
    return collect(table, schema)


# --------------------------------------------------------------------------- #
# Stage 3: segment counts                                                      #
# --------------------------------------------------------------------------- #


def segment_counts(log: UsageLog, catalog: Catalog | None, opts: Options, as_of: dt.date) -> pl.DataFrame:
    """Per (persona, use case): adopters, too_new, evaluable, band counts, forgettable count and medians."""
    rates_key, rates = _rates(log, catalog, opts, as_of)
    return log.stages.get(
        "segment_counts", lambda: _compute_counts(log, rates, opts.threshold), rates=rates_key, threshold=opts.threshold
    )


def _compute_counts(log: UsageLog, rates: Held, threshold: float) -> pl.DataFrame:
    evaluable = ~nw.col("too_new")
    table = lift(log, rates=rates)["rates"].with_columns(
        nw.col("too_new").cast(nw.Int64).alias("__too_new"),
        (evaluable & (nw.col("rate") < threshold)).cast(nw.Int64).alias("__forgettable"),
        *[(nw.col("band") == band).fill_null(value=False).cast(nw.Int64).alias(f"__{band}") for band in BANDS],
    )
    counts = grouped_medians(
        table,
        by=[SEG, "use_case"],
        aggs=[
            nw.len().alias("adopters"),
            nw.col("__too_new").sum().alias("too_new"),
            nw.col("__forgettable").sum().alias("__forgettable"),
            *[nw.col(f"__{band}").sum().alias(f"__{band}") for band in BANDS],
        ],
        medians={"median_rate": "rate", "median_interval_days": "interval_days"},
    )
    return collect(counts, _COUNTS_SCHEMA).with_columns(evaluable=pl.col("adopters") - pl.col("too_new"))


# --------------------------------------------------------------------------- #
# For the habits over time (stickiness/stages/habit_periods.py)                #
# --------------------------------------------------------------------------- #


def habits_with_all_days(log: UsageLog, catalog: Catalog | None, *, end: int, first: int, horizon: int) -> _Habits:
    """Stage 1 for ``end`` with every active day from ``first`` (a day number) up to ``end`` in ``days``.

    Its horizon is ``horizon`` when ``days`` (kept from ``end - 2H + 1``) then starts on or before ``first``
    (a log of up to two horizons: the spectrum's own stage 1 serves), else the least one that does; the
    habit mix, the band migration and time to habit of one ``as_of`` share it (one pass over the log).
    """
    return _habits(log, catalog, end=end, horizon=max((end - first) // 2 + 1, horizon))


def band_of(rate: nw.Expr, edges: tuple[float, float, float]) -> nw.Expr:
    """Return the band of a rate (active days per 30 days) given the daily, weekly and monthly lower edges."""
    return _band(rate, edges)
