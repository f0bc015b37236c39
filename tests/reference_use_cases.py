"""Plain-Python reference of the use-case metrics, written from docs/use-cases.md only.

Deliberately naive: sets of days per user and use case, loops, ``statistics.median``,
``math.sqrt`` and ``fnmatch``; no polars. The tests compare the kit against it.

Events are ``(user, time, event)`` tuples; ``time`` is a ``datetime`` (its day in ``tz``, as in
docs/metrics.md) or a ``date``. The catalog is a list of ``(pattern, use_case)`` rules, or None
(only the use case ``(any)``). ``segment_of`` maps users to their segment (None: every user is
in ``(all)``; a user missing from it is in ``(unknown)``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from fnmatch import fnmatchcase

from .reference import day_in

ANY = "(any)"
UNMAPPED = "(unmapped)"
ALL = "(all)"
UNKNOWN = "(unknown)"
BANDS = ("daily", "weekly", "monthly", "occasional", "lapsed")
DEFAULT_EDGES = {"daily": 20, "weekly": 4, "monthly": 1}
EXPECTED_BANDS = {
    "daily": {"daily"},
    "weekly": {"weekly"},
    "monthly": {"monthly"},
    "quarterly": {"occasional", "lapsed"},
    "yearly": {"occasional", "lapsed"},
}
# Nominal active days per 30 days of each expected frequency (docs/use-cases.md, rule 14):
# once a day, once in 7, 30, 90 and 365 days.
EXPECTED_RATES = {"daily": 30.0, "weekly": 30 / 7, "monthly": 1.0, "quarterly": 30 / 90, "yearly": 30 / 365}
Z = 1.959964

Rule = tuple[str, str]
Event = tuple[str, "dt.date | dt.datetime", str]


def day_of(time: dt.date | dt.datetime, tz: str) -> dt.date:
    """The calendar day of a datetime in tz (see reference.day_in), or a date itself."""
    if isinstance(time, dt.datetime):
        return day_in(time, tz)
    return time


def use_cases_of(event: str, rules: list[Rule] | None) -> set[str]:
    """Every use case an event belongs to: each matching rule's, else (unmapped); always (any)."""
    if rules is None:
        return {ANY}
    matched = {use_case for pattern, use_case in rules if fnmatchcase(event, pattern)}
    if not matched:
        matched = {UNMAPPED}
    return matched | {ANY}


def band_of(rate: float, edges: dict[str, float] | None = None) -> str:
    """The band of a rate (active days per 30 days) given the lower edges."""
    edges = edges or DEFAULT_EDGES
    if rate >= edges["daily"]:
        return "daily"
    if rate >= edges["weekly"]:
        return "weekly"
    if rate >= edges["monthly"]:
        return "monthly"
    if rate > 0:
        return "occasional"
    return "lapsed"


def wilson(share: float, n: int) -> tuple[float, float]:
    """95% Wilson score interval of a share s out of n (n > 0), exactly as in the doc."""
    centre = (share + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(share * (1 - share) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


def log_as_of(events: Iterable[Event], tz: str) -> dt.date | None:
    """The log's as_of: its last day."""
    days = [day_of(t, tz) for _, t, _ in events]
    return max(days) if days else None


def segment(user: str, segment_of: dict[str, str] | None) -> str:
    if segment_of is None:
        return ALL
    return segment_of.get(user, UNKNOWN)


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def rates(
    events: list[Event],
    tz: str = "UTC",
    *,
    rules: list[Rule] | None = None,
    segment_of: dict[str, str] | None = None,
    as_of: dt.date | None = None,
    window: int = 90,
    horizon: int = 365,
    min_exposure: int = 30,
    bands: dict[str, float] | None = None,
) -> dict[tuple[str, str], dict[str, object]]:
    """(user, use_case) -> the adopter's row of use_case_rates (plus ``exposure_prev``).

    ``rate``, ``band`` and ``interval_days`` are computed for too_new adopters too (the doc leaves
    them out of every aggregate; the tests decide what to accept on the per-user rows).
    ``previous_rate`` is computed whenever ``exposure_prev >= 1``, else None.
    """
    if as_of is None:
        as_of = log_as_of(events, tz)
    if as_of is None:
        return {}
    window_start = as_of - _days(window - 1)
    horizon_start = as_of - _days(horizon - 1)
    previous_start = as_of - _days(2 * window - 1)
    previous_end = as_of - _days(window)

    days_of: dict[tuple[str, str], set[dt.date]] = defaultdict(set)
    use_cases: dict[str, set[str]] = {}  # event -> its use cases (a cache: the catalog is matched once per name)
    for user, time, event in events:
        day = day_of(time, tz)
        if day > as_of:
            continue
        if event not in use_cases:
            use_cases[event] = use_cases_of(event, rules)
        for use_case in use_cases[event]:
            days_of[(user, use_case)].add(day)

    out: dict[tuple[str, str], dict[str, object]] = {}
    for (user, use_case), days in days_of.items():
        in_horizon = sorted(d for d in days if horizon_start <= d <= as_of)
        if not in_horizon:
            continue  # not an adopter
        first_use = min(days)
        exposure = (as_of - max(window_start, first_use)).days + 1
        active = len([d for d in days if window_start <= d <= as_of])
        rate = 30 * active / exposure
        gaps = [(later - earlier).days for earlier, later in itertools.pairwise(in_horizon)]
        interval = statistics.median(gaps) if gaps else None
        exposure_prev = (previous_end - max(previous_start, first_use)).days + 1
        active_prev = len([d for d in days if previous_start <= d <= previous_end])
        previous_rate = 30 * active_prev / exposure_prev if exposure_prev >= 1 else None
        out[(user, use_case)] = {
            "user": user,
            "persona": segment(user, segment_of),
            "use_case": use_case,
            "first_use": first_use,
            "last_active": max(days),
            "exposure": exposure,
            "active_days": active,
            "rate": rate,
            "band": band_of(rate, bands),
            "too_new": exposure < min_exposure,
            "interval_days": interval,
            "previous_rate": previous_rate,
            "exposure_prev": exposure_prev,
        }
    return out


def active_in_horizon(
    events: list[Event],
    tz: str = "UTC",
    *,
    segment_of: dict[str, str] | None = None,
    as_of: dt.date | None = None,
    horizon: int = 365,
) -> dict[str, set[str]]:
    """segment -> users with any event on a day in the horizon."""
    if as_of is None:
        as_of = log_as_of(events, tz)
    out: dict[str, set[str]] = defaultdict(set)
    if as_of is None:
        return out
    horizon_start = as_of - _days(horizon - 1)
    for user, time, _ in events:
        if horizon_start <= day_of(time, tz) <= as_of:
            out[segment(user, segment_of)].add(user)
    return out


def _by_segment(rows: dict[tuple[str, str], dict[str, object]]) -> dict[tuple[str, str], list[dict[str, object]]]:
    groups: dict[tuple[str, str], list[dict[str, object]]] = defaultdict(list)
    for row in rows.values():
        groups[(str(row["persona"]), str(row["use_case"]))].append(row)
    return groups


def spectrum(
    events: list[Event], tz: str = "UTC", **options: object
) -> dict[tuple[str, str, str], tuple[int, float | None]]:
    """(persona, use_case, band) -> (users, share) for every band of every segment with an adopter."""
    out = {}
    for (persona, use_case), rows in _by_segment(rates(events, tz, **options)).items():  # type: ignore[arg-type]
        evaluable = [r for r in rows if not r["too_new"]]
        for band in BANDS:
            users = len([r for r in evaluable if r["band"] == band])
            out[(persona, use_case, band)] = (users, users / len(evaluable) if evaluable else None)
    return out


def spectrum_verdicts(
    events: list[Event],
    tz: str = "UTC",
    *,
    threshold: float = 1.0,
    majority: float = 0.5,
    min_users: int = 30,
    expected: dict[tuple[str, str], str] | None = None,
    **options: object,
) -> dict[tuple[str, str], tuple[int, float | None, str | None, str]]:
    """(persona, use_case) -> (evaluable, forgettable_share, forgettable, verdict): the spectrum's verdict columns.

    Counted from the users of each band and the adopters' rates, as docs/use-cases.md (rules 8, 9 and 14) says.
    """
    out = {}
    for (persona, use_case), rows in _by_segment(rates(events, tz, **options)).items():  # type: ignore[arg-type]
        evaluable = [r for r in rows if not r["too_new"]]
        below = [r for r in evaluable if r["rate"] < threshold]  # type: ignore[operator]
        share = len(below) / len(evaluable) if evaluable else None
        expectation = (expected or {}).get((persona, use_case))
        forgettable, verdict = verdict_of(use_case, len(evaluable), share, expectation, threshold, majority, min_users)
        out[(persona, use_case)] = (len(evaluable), share, forgettable, verdict)
    return out


def use_case_map(
    events: list[Event],
    tz: str = "UTC",
    *,
    threshold: float = 1.0,
    majority: float = 0.5,
    min_users: int = 30,
    expected: dict[tuple[str, str], str] | None = None,
    **options: object,
) -> dict[tuple[str, str], dict[str, object]]:
    """(persona, use_case) -> the use-case map's numbers, for every segment with an adopter.

    ``expected`` maps (persona, use_case) to an expected_frequency.
    """
    segment_of = options.get("segment_of")
    active = active_in_horizon(
        events,
        tz,
        segment_of=segment_of,  # type: ignore[arg-type]
        as_of=options.get("as_of"),  # type: ignore[arg-type]
        horizon=options.get("horizon", 365),  # type: ignore[arg-type]
    )
    out = {}
    for (persona, use_case), rows in _by_segment(rates(events, tz, **options)).items():  # type: ignore[arg-type]
        evaluable = [r for r in rows if not r["too_new"]]
        n = len(evaluable)
        user_rates = [float(r["rate"]) for r in evaluable]  # type: ignore[arg-type]
        intervals = [float(r["interval_days"]) for r in evaluable if r["interval_days"] is not None]  # type: ignore[arg-type]
        counts = {band: len([r for r in evaluable if r["band"] == band]) for band in BANDS}
        modal = None
        for band in BANDS:  # the most frequent band first, so a tie keeps it
            if counts[band] > 0 and (modal is None or counts[band] > counts[modal]):
                modal = band
        share = ci_low = ci_high = None
        if n:
            share = len([x for x in user_rates if x < threshold]) / n
            ci_low, ci_high = wilson(share, n)
        expectation = (expected or {}).get((persona, use_case))
        forgettable, verdict = verdict_of(use_case, n, share, expectation, threshold, majority, min_users)
        mismatch = None
        if expectation is not None and modal is not None:
            mismatch = modal not in EXPECTED_BANDS[expectation]
        out[(persona, use_case)] = {
            "persona": persona,
            "use_case": use_case,
            "expected_frequency": expectation,
            "adopters": len(rows),
            "too_new": len(rows) - n,
            "evaluable": n,
            "adoption_rate": len(rows) / len(active[persona]),
            "active": len(active[persona]),  # the adoption rate's base: its interval's trials
            "median_rate": statistics.median(user_rates) if user_rates else None,
            "median_interval_days": statistics.median(intervals) if intervals else None,
            "modal_band": modal,
            "forgettable_share": share,
            "ci_low": ci_low,
            "ci_high": ci_high,
            "forgettable": forgettable,
            "frequency_mismatch": mismatch,
            "verdict": verdict,
        }
    return out


def verdict_of(
    use_case: str,
    evaluable: int,
    share: float | None,
    expectation: str | None,
    threshold: float,
    majority: float,
    min_users: int,
) -> tuple[str | None, str]:
    """(forgettable, verdict) of one segment, rules 9 and 14 of the doc, in their order."""
    if use_case == UNMAPPED:
        return None, "not a use case"
    if evaluable < min_users:
        return "insufficient_data", "insufficient data"
    assert share is not None
    if share <= majority:
        return "false", "not forgettable"
    if expectation is not None and EXPECTED_RATES[expectation] < threshold:
        return "true", "rare as expected"
    return "true", "forgettable"


def drifting(
    events: list[Event],
    tz: str = "UTC",
    *,
    threshold: float = 1.0,
    min_exposure: int = 30,
    **options: object,
) -> dict[tuple[str, str], dict[str, object]]:
    """(user, use_case) -> the drifting user's row: below threshold now, at or above it in the previous window."""
    out = {}
    as_of = options.get("as_of") or log_as_of(events, tz)
    for key, r in rates(events, tz, min_exposure=min_exposure, **options).items():  # type: ignore[arg-type]
        if r["too_new"] or r["rate"] >= threshold:  # type: ignore[operator]
            continue
        if r["exposure_prev"] < min_exposure or r["previous_rate"] < threshold:  # type: ignore[operator]
            continue
        out[key] = {
            "user": r["user"],
            "persona": r["persona"],
            "use_case": r["use_case"],
            "previous_rate": r["previous_rate"],
            "current_rate": r["rate"],
            "last_active": r["last_active"],
            "days_since": (as_of - r["last_active"]).days,  # type: ignore[operator]
        }
    return out
