"""Each user's active days per use case, in the log's engine: the input of dormancy and adoption.

Days are held as day numbers (``__d``, Int32 days since 1970-01-01) so that the
engine subtracts integers; outputs turn them back into Dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import narwhals as nw
import polars as pl

from stickiness._engine import Held, day_numbers, lift
from stickiness.catalog import ANY_USE_CASE, Catalog
from stickiness.log import UsageLog
from stickiness.stages.codes import event_codes
from stickiness.stages.habits import SEG
from stickiness.stages.segments import attach_segment, use_case_segments

__all__ = ["SEG", "as_dates", "lift_use_case_days", "use_case_pairs"]


def use_case_pairs(
    log: UsageLog, catalog: Catalog | None, *, without_catalog: Literal["product", "events"], with_any: bool
) -> pl.DataFrame:
    """``event, use_case``: each event of the log with every use case it belongs to.

    With a catalog: the catalog's use cases and ``"(unmapped)"``, plus ``"(any)"``
    when ``with_any``. Without one: ``"(any)"`` only (``"product"``), or each
    event as its own use case (``"events"``).
    """
    events = event_codes(log).select("event")  # distinct and sorted
    if catalog is not None:
        pairs = catalog.use_cases_of(events["event"])
        return pairs if with_any else pairs.filter(pl.col("use_case") != ANY_USE_CASE)
    if without_catalog == "product":
        return events.with_columns(pl.lit(ANY_USE_CASE, dtype=pl.String).alias("use_case"))
    return events.with_columns(pl.col("event").alias("use_case"))


def lift_use_case_days(
    log: UsageLog,
    pairs: pl.DataFrame,
    *,
    by: str | None,
    end: int | None = None,
    extra: Mapping[str, Held] | None = None,
) -> dict[str, nw.LazyFrame[Any]]:
    """Lift the log into its engine: distinct active days per user and use case, and per user.

    Returns a dict with ``days`` (``persona, user, use_case, __d``: the distinct
    days with an event of the use case), ``active`` (``persona, user, __d``: the
    distinct days with any event) and the lifted ``extra`` frames. ``persona``
    holds the ``by`` segment (``"(all)"`` without one, ``"(unknown)"`` for users
    absent from the users table); only days up to ``end`` (a day number) count.
    """
    frames: dict[str, Held] = {**(extra or {}), "activity": log.activity, "pairs": pairs.select("event", "use_case")}
    segments = use_case_segments(log, by, name=SEG)
    if segments is not None:
        frames["segments"] = segments
    lazy = lift(log, **frames)
    activity = day_numbers(lazy["activity"], __d="day").select("user", "__d", "event")
    if end is not None:
        activity = activity.filter(nw.col("__d") <= end)
    activity = attach_segment(activity, None if segments is None else lazy["segments"], name=SEG)
    days = activity.join(lazy["pairs"], on="event", how="inner").select(SEG, "user", "use_case", "__d").unique()
    active = activity.select(SEG, "user", "__d").unique()
    return {name: lazy[name] for name in extra or {}} | {"days": days, "active": active}


def as_dates(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """Turn day-number columns (days since 1970-01-01) into Dates."""
    return frame.with_columns(pl.col(c).cast(pl.Int32).cast(pl.Date) for c in columns)
