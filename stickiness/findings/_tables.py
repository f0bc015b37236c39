"""The rows the summary and the titles read from a report's tables (the headline day, the latest period, ...).

Shared by :mod:`stickiness.findings.report` and :mod:`stickiness.findings.headlines`, so
that a sentence of the summary and a chart's title read the same rows.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from stickiness.findings._model import UNMAPPED, WEEK

__all__ = [
    "day_rows",
    "done_periods",
    "headline_day",
    "judged",
    "last_month",
    "week_means",
    "with_derived",
    "with_verdicts",
    "zone_rows",
]


def headline_day(daily: pl.DataFrame) -> tuple[dt.date | None, pl.DataFrame]:
    """Return the last day not flagged ``partial_day`` (the headline day) and the partial days' rows."""
    partial = daily.filter(pl.col("partial_day")) if "partial_day" in daily.columns else daily.clear()
    whole = daily.join(partial.select("day").unique(), on="day", how="anti") if partial.height else daily
    last = (whole if whole.height else daily).get_column("day").max()
    return (last if isinstance(last, dt.date) else None), partial


def week_means(daily: pl.DataFrame, segment: str | None, day: dt.date) -> pl.DataFrame:
    """Return each segment's mean DAU / MAU over the 7 days ending on ``day`` (the chart's trailing window)."""
    keys = [segment] if segment else []
    recent = daily.filter(pl.col("day").is_between(day - dt.timedelta(days=WEEK - 1), day))
    if not keys:
        return recent.select(pl.col("stickiness").mean().alias("week_mean"))
    return recent.group_by(keys).agg(pl.col("stickiness").mean().alias("week_mean"))


def day_rows(daily: pl.DataFrame, segment: str | None, day: dt.date) -> pl.DataFrame:
    """Return one row per segment on ``day``: its counts, one day's DAU / MAU and the 7-day mean."""
    rows = daily.filter(pl.col("day") == day)
    means = week_means(daily, segment, day)
    joined = rows.join(means, on=segment, how="left") if segment else rows.join(means, how="cross")
    columns = [*([segment] if segment else []), "day", "dau", "wau", "mau", "stickiness", "week_mean", "complete"]
    keys = [segment] if segment else []
    return joined.select(columns).sort(["mau", *keys], descending=[True, *[False] * len(keys)])


def last_month(monthly: pl.DataFrame) -> pl.DataFrame:
    complete = monthly.filter(pl.col("complete"))
    rows = complete if complete.height else monthly
    return rows.filter(pl.col("month") == rows.get_column("month").max())


def with_derived(retained: pl.DataFrame, min_users: int) -> pl.DataFrame:
    """Add ``returning`` and ``sufficient`` to a table written by a version without them, by their definitions."""
    derived = {
        "returning": pl.col("active") - pl.col("new"),
        "sufficient": pl.col("active_before") >= min_users,
    }
    return retained.with_columns(expr.alias(name) for name, expr in derived.items() if name not in retained.columns)


def done_periods(retained: pl.DataFrame) -> pl.DataFrame:
    return retained.filter(pl.col("complete") & pl.col("retention_rate").is_not_null())


def with_verdicts(usecase_map: pl.DataFrame) -> pl.DataFrame:
    """Return the map with a ``verdict`` on every row, from its ``forgettable`` flag where it has none.

    A map written before the ``verdict`` column existed carries the metric's verdict as the
    flag ("true": forgettable); it is read, not re-derived.
    """
    flag = pl.col("forgettable").cast(pl.String) if "forgettable" in usecase_map.columns else pl.lit(None, pl.String)
    from_flag = pl.when(flag == "true").then(pl.lit("forgettable")).otherwise(pl.lit(None, pl.String))
    verdict = pl.col("verdict").cast(pl.String) if "verdict" in usecase_map.columns else pl.lit(None, pl.String)
    return usecase_map.with_columns(verdict=pl.coalesce(verdict, from_flag))


def zone_rows(usecase_map: pl.DataFrame, verdict: str) -> pl.DataFrame:
    segment = usecase_map.columns[0]
    return (
        with_verdicts(usecase_map)
        .filter((pl.col("verdict") == verdict) & (pl.col("use_case") != UNMAPPED))
        .with_columns(pl.col("expected_frequency").cast(pl.String))
        .sort(["evaluable", segment, "use_case"], descending=[True, False, False])
    )


def judged(usecase_map: pl.DataFrame) -> pl.DataFrame:
    return usecase_map.filter(pl.col("use_case") != UNMAPPED)
