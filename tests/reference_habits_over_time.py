"""Plain-Python reference of the habits over time, written from docs/habits-over-time.md only.

Deliberately naive: a set of active days per user and use case, and loops over the days; no polars.
Events are ``(user, time, event)`` tuples as in tests/reference_use_cases.py (whose small helpers,
the day of a time and the use cases of an event, it shares); ``rules`` is the catalog as
``(pattern, use_case)`` rules or None (only ``(any)``); ``segment_of`` maps users to segments.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict

from .reference_use_cases import BANDS, DEFAULT_EDGES, Event, Rule, band_of, day_of, segment, use_cases_of

TOO_NEW = "(too new)"
HABIT_BANDS = ("daily", "weekly", "monthly")


def _day(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def days_of(events: list[Event], tz: str, rules: list[Rule] | None) -> dict[tuple[str, str], set[dt.date]]:
    """(user, use case) -> the days with an event of it."""
    out: dict[tuple[str, str], set[dt.date]] = defaultdict(set)
    for user, time, event in events:
        for use_case in use_cases_of(event, rules):
            out[(user, use_case)].add(day_of(time, tz))
    return out


def band_on(
    days: set[dt.date], day: dt.date, *, window: int, horizon: int, min_exposure: int, edges: dict[str, float]
) -> str | None:
    """The pair's band on ``day`` (as use_case_rates with as_of=day), TOO_NEW, or None when no adopter then."""
    seen = [d for d in days if d <= day]
    if not any(day - _day(horizon - 1) <= d for d in seen):
        return None
    window_start = day - _day(window - 1)
    exposure = (day - max(min(seen), window_start)).days + 1
    if exposure < min_exposure:
        return TOO_NEW
    active = len([d for d in seen if d >= window_start])
    return band_of(30 * active / exposure, edges)


def period_ends(first: dt.date, as_of: dt.date, *, period: str, periods: int | None, window: int) -> list[dt.date]:
    """The last day of each month (or the Sunday of each ISO week) before as_of's, then as_of."""
    ends = []
    day = first
    while day < as_of:
        last = (day + _day(1)).month != day.month if period == "month" else day.isoweekday() == 7
        if last and (periods is not None or (day - first).days + 1 >= window):
            ends.append(day)
        day += _day(1)
    ends.append(as_of)
    return ends if periods is None else ends[-periods:]


def habit_mix(
    events: list[Event],
    tz: str = "UTC",
    *,
    ends: list[dt.date],
    rules: list[Rule] | None = None,
    segment_of: dict[str, str] | None = None,
    window: int = 90,
    horizon: int = 365,
    min_exposure: int = 30,
    bands: dict[str, float] | None = None,
) -> dict[tuple[str, str, dt.date, str], tuple[int, float | None]]:
    """(segment, use case, period end, band) -> (users, share of the evaluable adopters)."""
    edges = bands or DEFAULT_EDGES
    pairs = days_of(events, tz, rules)
    out: dict[tuple[str, str, dt.date, str], tuple[int, float | None]] = {}
    for end in ends:
        counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys((*BANDS, TOO_NEW), 0))
        for (user, use_case), days in pairs.items():
            band = band_on(days, end, window=window, horizon=horizon, min_exposure=min_exposure, edges=edges)
            if band is not None:
                counts[(segment(user, segment_of), use_case)][band] += 1
        for (seg, use_case), count in counts.items():
            evaluable = sum(count[band] for band in BANDS)
            for band in BANDS:
                share = count[band] / evaluable if evaluable else None
                out[(seg, use_case, end, band)] = (count[band], share)
    return out


def band_migration(
    events: list[Event],
    tz: str = "UTC",
    *,
    as_of: dt.date,
    period_days: int = 30,
    rules: list[Rule] | None = None,
    segment_of: dict[str, str] | None = None,
    window: int = 90,
    horizon: int = 365,
    min_exposure: int = 30,
    bands: dict[str, float] | None = None,
) -> dict[tuple[str, str, str, str], int]:
    """(segment, use case, from band, to band) -> users; 'new' / 'gone' where not an evaluable adopter."""
    edges = bands or DEFAULT_EDGES
    options = {"window": window, "horizon": horizon, "min_exposure": min_exposure, "edges": edges}
    out: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for (user, use_case), days in days_of(events, tz, rules).items():
        before = band_on(days, as_of - _day(period_days), **options)  # type: ignore[arg-type]
        after = band_on(days, as_of, **options)  # type: ignore[arg-type]
        from_band = before if before in BANDS else "new"
        to_band = after if after in BANDS else "gone"
        if (from_band, to_band) != ("new", "gone"):
            out[(segment(user, segment_of), use_case, str(from_band), str(to_band))] += 1
    return dict(out)


def time_to_habit(
    events: list[Event],
    tz: str = "UTC",
    *,
    as_of: dt.date,
    band: str = "weekly",
    rules: list[Rule] | None = None,
    segment_of: dict[str, str] | None = None,
    window: int = 90,
    horizon: int = 365,
    min_exposure: int = 30,
    bands: dict[str, float] | None = None,
) -> dict[tuple[str, str], tuple[int, int, float | None, float | None, float | None]]:
    """(segment, use case) -> (users, reached, median, p25, p75 of the days from first use to the habit).

    ``users``: pairs with a first use by as_of that are evaluable on some day up to as_of; reached:
    the first day t <= as_of whose band is ``band`` or more frequent (checked on every day).
    """
    edges = bands or DEFAULT_EDGES
    wanted = BANDS[: BANDS.index(band) + 1]
    options = {"window": window, "horizon": horizon, "min_exposure": min_exposure, "edges": edges}
    groups: dict[tuple[str, str], list[int | None]] = defaultdict(list)
    for (user, use_case), all_days in days_of(events, tz, rules).items():
        days = {d for d in all_days if d <= as_of}
        if not days:
            continue
        first = min(days)
        measurable, reached = False, None
        day = first
        while day <= as_of:
            now = band_on(days, day, **options)  # type: ignore[arg-type]
            measurable = measurable or now in BANDS
            if now in wanted:
                reached = (day - first).days
                break
            day += _day(1)
        if measurable:
            groups[(segment(user, segment_of), use_case)].append(reached)
    out = {}
    for key, values in groups.items():
        hit = sorted(v for v in values if v is not None)
        quartiles = (
            (
                float(statistics.median(hit)),
                float(hit[math.ceil(0.25 * len(hit)) - 1]),
                float(hit[math.ceil(0.75 * len(hit)) - 1]),
            )
            if hit
            else (None, None, None)
        )
        out[key] = (len(values), len(hit), *quartiles)
    return out
