"""Plain-Python reference implementations of the metrics, written from docs/metrics.md.

Deliberately naive: loops over events and days, Python's own datetime and zoneinfo,
no polars. The tests compare the kit against these.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from zoneinfo import ZoneInfo

Event = tuple[str, dt.datetime, str]  # user, tz-aware time, event name


def day_in(ts: dt.datetime, tz: str) -> dt.date:
    """The calendar day of an instant (tz-aware) or of a wall-clock time (naive) in tz."""
    if ts.tzinfo is None:
        return ts.date()
    return ts.astimezone(ZoneInfo(tz)).date()


def active_days(
    events: Iterable[Event],
    tz: str,
    *,
    segment_of: dict[str, str] | None = None,
    active_events: set[str] | None = None,
) -> dict[str, dict[str, set[dt.date]]]:
    """segment -> user -> set of active days."""
    out: dict[str, dict[str, set[dt.date]]] = defaultdict(lambda: defaultdict(set))
    for user, ts, name in events:
        if active_events is not None and name not in active_events:
            continue
        segment = "(all)" if segment_of is None else segment_of.get(user, "(unknown)")
        out[segment][user].add(day_in(ts, tz))
    return out


def daily(
    events: list[Event],
    tz: str,
    *,
    window: int = 30,
    segment_of: dict[str, str] | None = None,
    active_events: set[str] | None = None,
) -> dict[tuple[str, dt.date], tuple[int, int, int, float | None, bool]]:
    """(segment, day) -> (dau, wau, mau, stickiness, complete) for every day from the first to the last."""
    if not events:
        return {}
    all_days = [day_in(ts, tz) for _, ts, _ in events]
    first, last = min(all_days), max(all_days)
    result = {}
    for segment, users in active_days(events, tz, segment_of=segment_of, active_events=active_events).items():
        day = first
        while day <= last:

            def count(span: int, day: dt.date = day, users: dict[str, set[dt.date]] = users) -> int:
                lo = day - dt.timedelta(days=span - 1)
                return sum(1 for days in users.values() if any(lo <= d <= day for d in days))

            dau, wau, mau = count(1), count(7), count(window)
            complete = day - dt.timedelta(days=window - 1) >= first
            result[(segment, day)] = (dau, wau, mau, dau / mau if mau else None, complete)
            day += dt.timedelta(days=1)
    return result


def monthly(
    events: list[Event], tz: str, *, segment_of: dict[str, str] | None = None
) -> dict[tuple[str, dt.date], tuple[int, float, int, float | None, bool]]:
    """(segment, month) -> (days, mean_dau, mau, stickiness, complete)."""
    if not events:
        return {}
    all_days = [day_in(ts, tz) for _, ts, _ in events]
    first, last = min(all_days), max(all_days)
    result = {}
    for segment, users in active_days(events, tz, segment_of=segment_of).items():
        months: dict[dt.date, list[dt.date]] = defaultdict(list)
        day = first
        while day <= last:
            months[day.replace(day=1)].append(day)
            day += dt.timedelta(days=1)
        for month, days in months.items():
            dau = [sum(1 for ds in users.values() if d in ds) for d in days]
            mau = sum(1 for ds in users.values() if any(d.replace(day=1) == month and first <= d <= last for d in ds))
            mean_dau = sum(dau) / len(days)
            next_month = (month + dt.timedelta(days=32)).replace(day=1)
            complete = len(days) == (next_month - month).days
            result[(segment, month)] = (len(days), mean_dau, mau, mean_dau / mau if mau else None, complete)
    return result
