"""Active (segment, user, day) rows in the log's engine, kept on the log: the input of the active-user metrics."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import narwhals as nw
import polars as pl

from stickiness._engine import Held, keep, lift, runs
from stickiness.log import UNKNOWN_SEGMENT, UsageLog
from stickiness.stages.codes import coded_days, user_code_table, user_ids
from stickiness.stages.segments import ALL_SEGMENT, check_by, segment_values

__all__ = ["SEGMENT", "active_days", "user_days", "with_calendar"]

SEGMENT = "__segment"


def active_days(
    log: UsageLog,
    *,
    by: str | None,
    active_events: Collection[str] | None,
    extra: Mapping[str, Held] | None = None,
) -> dict[str, nw.LazyFrame[Any]]:
    """Lift the log into its engine and return its distinct active (segment, user, day) rows.

    Returns a dict with ``days`` (columns ``__segment, user, day, __next``:
    ``__next`` is the user's next active day, null after the last) and ``dates``
    (one column ``day``: every day from ``first_day`` to ``as_of``);
    :func:`with_calendar` spreads per-day counts over it.

    The (user, day, __next) rows do not depend on ``by`` and are kept on the log
    per ``active_events``: another window or segment column reuses them.

    ``extra`` frames (small polars frames, e.g. a calendar) are lifted with them,
    so they can be joined in the same engine, and returned under their names.
    """
    check_by(log, by)
    days = user_days(log, active_events)
    frames: dict[str, Held] = {**(extra or {}), "days": days, "dates": _dates(log)}
    if by is not None:
        assert log.users is not None
        frames["users"] = segment_values(log.users, by, name=SEGMENT)
    lazy = lift(log, **frames)
    spans = lazy["days"]
    if by is None:
        spans = spans.with_columns(nw.lit(ALL_SEGMENT).alias(SEGMENT))
    else:
        spans = spans.join(lazy["users"], on="user", how="left").with_columns(
            nw.col(SEGMENT).fill_null(UNKNOWN_SEGMENT)
        )
    lifted = {name: lazy[name] for name in extra or {}}
    return lifted | {"days": spans.select(SEGMENT, "user", "day", "__next"), "dates": lazy["dates"]}


def user_days(log: UsageLog, active_events: Collection[str] | None) -> Held:
    """``__u, user, day, __next``: the distinct active (user, day) rows, kept on the log per ``active_events``.

    ``__u`` is the user's code (UInt32). On the polars engine the rows come sorted by code and day
    (a polars DataFrame); on the others they stay in the engine.
    """
    events = None if active_events is None else frozenset(active_events)
    return log.stages.get("active_days", lambda: _user_days(log, events), active_events=events)


def _user_days(log: UsageLog, events: frozenset[str] | None) -> Held:
    """Find the distinct active (user, day) rows and each user's next active day, in the log's engine."""
    lazy = lift(log, days=coded_days(log, events), users=user_code_table(log))
    days = runs(lazy["days"], key="__u", order="__d", with_=("next",))
    decoded = user_ids(log, days, lazy["users"]).rename({"__d": "day"})
    schema = {"__u": pl.UInt32(), "user": log.user_dtype, "day": pl.Date(), "__next": pl.Date()}
    return keep(log, decoded, schema, dates=("day", "__next"))


def with_calendar(dates: nw.LazyFrame[Any], per_day: nw.LazyFrame[Any], column: str) -> nw.LazyFrame[Any]:
    """Every (segment, day) of the observed span with ``per_day``'s ``column``, 0 where absent.

    The segments are those present in ``per_day`` (a small, aggregated frame).
    """
    grid = dates.join(per_day.select(SEGMENT).unique(), how="cross")
    return grid.join(per_day, on=[SEGMENT, "day"], how="left").with_columns(nw.col(column).fill_null(0))


def _dates(log: UsageLog) -> pl.DataFrame:
    if log.first_day is None or log.as_of is None:
        return pl.DataFrame(schema={"day": pl.Date})
    return pl.DataFrame({"day": pl.date_range(log.first_day, log.as_of, "1d", eager=True)})
