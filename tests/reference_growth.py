"""Plain-Python reference of the growth states and their transitions, written from docs/growth-states.md.

Deliberately naive: for every user and every day, look back over the user's own active days.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from .reference import Event, active_days, day_in

STATES = ("new", "current", "reactivated", "resurrected", "at_risk_wau", "at_risk_mau", "dormant")


def state(days: set[dt.date], day: dt.date) -> str | None:
    """One user's state on ``day`` (None before their first active day)."""
    before = [d for d in days if d < day]
    if day in days:
        if not before:
            return "new"
        gap = (day - max(before)).days
        return "current" if gap <= 6 else "reactivated" if gap <= 29 else "resurrected"
    if not before:
        return None
    gap = (day - max(before)).days
    return "at_risk_wau" if gap <= 6 else "at_risk_mau" if gap <= 29 else "dormant"


def _span(events: list[Event], tz: str) -> list[dt.date]:
    all_days = [day_in(ts, tz) for _, ts, _ in events]
    first, last = min(all_days), max(all_days)
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def growth_states(
    events: list[Event],
    tz: str,
    *,
    segment_of: dict[str, str] | None = None,
    active_events: set[str] | None = None,
) -> dict[tuple[str, dt.date], dict[str, int]]:
    """(segment, day) -> {state: users}, every day from the log's first to its last, per segment with activity."""
    if not events:
        return {}
    result = {}
    for segment, users in active_days(events, tz, segment_of=segment_of, active_events=active_events).items():
        for day in _span(events, tz):
            counts = Counter(state(days, day) for days in users.values())
            result[(segment, day)] = {name: counts[name] for name in STATES}
    return result


def growth_transitions(
    events: list[Event],
    tz: str,
    *,
    segment_of: dict[str, str] | None = None,
    active_events: set[str] | None = None,
) -> dict[tuple[str, dt.date], Counter[tuple[str, str]]]:
    """(segment, day) -> {(state on day - 1, state on day): users}, every day after the log's first."""
    if not events:
        return {}
    result = {}
    for segment, users in active_days(events, tz, segment_of=segment_of, active_events=active_events).items():
        for day in _span(events, tz)[1:]:
            moves = (
                (state(days, day - dt.timedelta(days=1)), state(days, day))
                for days in users.values()
                if state(days, day - dt.timedelta(days=1)) is not None
            )
            result[(segment, day)] = Counter(moves)  # type: ignore[arg-type]
    return result
