"""Plain-Python reference of the power-user curve, written from docs/power-users.md.

Deliberately naive: loops over events and days, no polars. The tests compare the kit against it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from .reference import Event, day_in

Curve = dict[tuple[str | int, ...], int]  # (*group, k) -> users active on exactly k days of the window


def _curve(days_of: dict[tuple[str, ...], dict[str, set[dt.date]]], *, window: int, as_of: dt.date) -> Curve:
    """Per group: every k = 1 .. window with the users active on exactly k days of as_of-window+1 .. as_of."""
    first = as_of - dt.timedelta(days=window - 1)
    out: Curve = {}
    for group, users in days_of.items():
        counts = [sum(1 for day in days if first <= day <= as_of) for days in users.values()]
        counts = [count for count in counts if count > 0]
        if not counts:  # nobody of the group active in the window: the group has no rows
            continue
        for k in range(1, window + 1):
            out[(*group, k)] = counts.count(k)
    return out


def power_users(
    events: list[Event], tz: str, *, window: int, as_of: dt.date | None = None, segment_of: dict[str, str] | None = None
) -> Curve:
    """(segment, k) -> users; the segment is "(all)" without ``segment_of``, "(unknown)" for a user absent from it."""
    return _power(events, tz, window=window, as_of=as_of, group=lambda user, _: (_segment(user, segment_of),))


def power_users_by_use_case(
    events: list[Event],
    tz: str,
    *,
    window: int,
    as_of: dt.date | None = None,
    segment_of: dict[str, str] | None = None,
    use_cases_of: dict[str, list[str]] | None = None,
) -> Curve:
    """(segment, use_case, k) -> users; without ``use_cases_of`` each event is its own use case."""
    groups = use_cases_of or {}

    def group(user: str, name: str) -> list[tuple[str, str]]:
        return [(_segment(user, segment_of), case) for case in groups.get(name, [name])]

    days_of: dict[tuple[str, ...], dict[str, set[dt.date]]] = defaultdict(lambda: defaultdict(set))
    for user, ts, name in events:
        for key in group(user, name):
            days_of[key][user].add(day_in(ts, tz))
    return _curve(days_of, window=window, as_of=as_of or _last_day(events, tz))


def _segment(user: str, segment_of: dict[str, str] | None) -> str:
    return "(all)" if segment_of is None else segment_of.get(user, "(unknown)")


def _last_day(events: list[Event], tz: str) -> dt.date:
    return max(day_in(ts, tz) for _, ts, _ in events)


def _power(
    events: list[Event],
    tz: str,
    *,
    window: int,
    as_of: dt.date | None,
    group: Callable[[str, str], tuple[str, ...]],
) -> Curve:
    days_of: dict[tuple[str, ...], dict[str, set[dt.date]]] = defaultdict(lambda: defaultdict(set))
    for user, ts, name in events:
        days_of[group(user, name)][user].add(day_in(ts, tz))
    return _curve(days_of, window=window, as_of=as_of or _last_day(events, tz))
