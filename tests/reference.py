"""Plain-Python reference implementations of the metrics, written from docs/metrics.md.

Deliberately naive: loops over events and days, Python's own datetime and zoneinfo,
no polars. The tests compare the kit against these.
"""

from __future__ import annotations

import datetime as dt
import statistics
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


def partial_last_day(events: list[Event], tz: str) -> dt.date | None:
    """The last day when it looks partial (docs/metrics.md, "A partial last day"), else None.

    On the whole product's DAU (every segment, every event): the log has the 4 weeks before the last day L,
    the median DAU of L-7, L-14, L-21, L-28 is at least 20, and DAU(L) is below half of it and below half
    the median DAU of L-7 .. L-1.
    """
    users_on: dict[dt.date, set[str]] = defaultdict(set)
    for user, ts, _ in events:
        users_on[day_in(ts, tz)].add(user)
    first, last = min(users_on), max(users_on)
    if (last - first).days < 28:
        return None

    def dau(days_before: int) -> int:
        return len(users_on.get(last - dt.timedelta(days=days_before), set()))

    weekday = statistics.median([dau(7), dau(14), dau(21), dau(28)])
    week = statistics.median([dau(n) for n in range(1, 8)])
    if weekday >= 20 and dau(0) < weekday / 2 and dau(0) < week / 2:
        return last
    return None


def daily(
    events: list[Event],
    tz: str,
    *,
    window: int = 30,
    segment_of: dict[str, str] | None = None,
    active_events: set[str] | None = None,
) -> dict[tuple[str, dt.date], tuple[int, int, int, float | None, bool, bool]]:
    """(segment, day) -> (dau, wau, mau, stickiness, complete, partial_day) for every day from the first to the last."""
    if not events:
        return {}
    all_days = [day_in(ts, tz) for _, ts, _ in events]
    first, last = min(all_days), max(all_days)
    partial = partial_last_day(events, tz)
    result = {}
    for segment, users in active_days(events, tz, segment_of=segment_of, active_events=active_events).items():
        day = first
        while day <= last:

            def count(span: int, day: dt.date = day, users: dict[str, set[dt.date]] = users) -> int:
                lo = day - dt.timedelta(days=span - 1)
                return sum(1 for days in users.values() if any(lo <= d <= day for d in days))

            dau, wau, mau = count(1), count(7), count(window)
            complete = day - dt.timedelta(days=window - 1) >= first and day != partial
            result[(segment, day)] = (dau, wau, mau, dau / mau if mau else None, complete, day == partial)
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
    partial = partial_last_day(events, tz)
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
            complete = len(days) == (next_month - month).days and (partial is None or partial.replace(day=1) != month)
            result[(segment, month)] = (len(days), mean_dau, mau, mean_dau / mau if mau else None, complete)
    return result
