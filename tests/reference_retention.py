"""Plain-Python reference of the retention, lifecycle, dormancy and adoption metrics, written from docs/retention.md.

Deliberately naive: sets of days per user, loops over periods and users, ``statistics.median``;
no polars. The tests compare the kit against it.

Events are ``(user, time, event)`` tuples (``time`` a datetime, read in ``tz`` as in docs/metrics.md,
or a date). ``first`` and ``last`` are the log's first day and ``as_of``. A period is named by its
first day (the 1st of the month, the Monday of the ISO week, or the day). ``segment_of`` maps users
to their segment (None: every user is in ``(all)``; a user missing from it is in ``(unknown)``).
``rules`` is a catalog as ``(pattern, use_case)`` pairs, or None.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections import defaultdict

from .reference_use_cases import ALL, ANY, UNKNOWN, Event, Rule, day_of, use_cases_of

ONE = dt.timedelta(days=1)


# --- periods ---------------------------------------------------------------------------------------------------


def period_start(day: dt.date, period: str) -> dt.date:
    if period == "day":
        return day
    if period == "week":
        return day - dt.timedelta(days=day.weekday())  # Monday
    return day.replace(day=1)


def next_period(start: dt.date, period: str) -> dt.date:
    if period == "day":
        return start + ONE
    if period == "week":
        return start + dt.timedelta(days=7)
    return (start + dt.timedelta(days=32)).replace(day=1)


def previous_period(start: dt.date, period: str) -> dt.date:
    return period_start(start - ONE, period)


def periods_between(first: dt.date, last: dt.date, period: str) -> list[dt.date]:
    out, p = [], period_start(first, period)
    while p <= last:
        out.append(p)
        p = next_period(p, period)
    return out


def fully_observed(start: dt.date, period: str, first: dt.date, last: dt.date) -> bool:
    return start >= first and next_period(start, period) - ONE <= last


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


# --- who was active when ---------------------------------------------------------------------------------------


def segment(user: str, segment_of: dict[str, str] | None) -> str:
    return ALL if segment_of is None else segment_of.get(user, UNKNOWN)


def user_days(
    events: list[Event], tz: str, *, last: dt.date, active_events: set[str] | None = None
) -> dict[str, set[dt.date]]:
    days: dict[str, set[dt.date]] = defaultdict(set)
    for user, time, name in events:
        day = day_of(time, tz)
        if day <= last and (active_events is None or name in active_events):
            days[user].add(day)
    return days


def user_periods(days: dict[str, set[dt.date]], period: str) -> dict[str, set[dt.date]]:
    return {user: {period_start(d, period) for d in ds} for user, ds in days.items()}


# --- 1, 3, 4: retention, lifecycle, new vs returning -----------------------------------------------------------


def _classify(
    events: list[Event],
    tz: str,
    *,
    period: str,
    first: dt.date,
    last: dt.date,
    segment_of: dict[str, str] | None,
    active_events: set[str] | None,
    signup_of: dict[str, dt.date | None] | None = None,
) -> dict[tuple[str, dt.date], dict[str, object]]:
    """(segment, period) -> counts of docs sections 1 and 3."""
    periods = user_periods(user_days(events, tz, last=last, active_events=active_events), period)
    segments = {segment(u, segment_of) for u in periods}
    out = {}
    for seg in segments:
        members = [u for u in periods if segment(u, segment_of) == seg]
        for p in periods_between(first, last, period):
            before = previous_period(p, period)
            counts = {"cs": 0, "ce": 0, "new": 0, "returning": 0, "resurrecting": 0, "churned": 0}
            for u in members:
                mine = periods[u]
                birth = min(mine)
                if signup_of is not None and signup_of.get(u) is not None:
                    birth = min(birth, period_start(signup_of[u], period))  # type: ignore[arg-type]
                now, then = p in mine, before in mine
                counts["cs"] += then
                counts["churned"] += then and not now
                if now:
                    counts["ce"] += 1
                    if p == birth:
                        counts["new"] += 1
                    elif then:
                        counts["returning"] += 1
                    else:
                        counts["resurrecting"] += 1
            counts["complete"] = fully_observed(p, period, first, last) and fully_observed(before, period, first, last)
            out[(seg, p)] = counts
    return out


def retention(
    events: list[Event],
    tz: str,
    *,
    period: str,
    first: dt.date,
    last: dt.date,
    segment_of: dict[str, str] | None = None,
    active_events: set[str] | None = None,
    min_users: int = 30,
) -> dict[tuple[str, dt.date], tuple[object, ...]]:
    """(segment, period) -> (CS, CE, CN, retained, churned, returning, retention rate, churn rate, sufficient,
    complete); returning = CE - CN (retained + resurrecting), the retention rate's numerator."""
    out = {}
    for key, c in _classify(
        events, tz, period=period, first=first, last=last, segment_of=segment_of, active_events=active_events
    ).items():
        cs, ce, cn, churned = c["cs"], c["ce"], c["new"], c["churned"]
        assert isinstance(cs, int) and isinstance(ce, int) and isinstance(cn, int) and isinstance(churned, int)
        retained = cs - churned
        returning = c["returning"] + c["resurrecting"]  # type: ignore[operator]
        assert returning == ce - cn  # counted user by user, not by subtraction
        rates = (ratio(returning, cs), ratio(churned, cs))
        out[key] = (cs, ce, cn, retained, churned, returning, *rates, cs >= min_users, c["complete"])
    return out


def lifecycle(
    events: list[Event],
    tz: str,
    *,
    period: str,
    first: dt.date,
    last: dt.date,
    segment_of: dict[str, str] | None = None,
    active_events: set[str] | None = None,
    signup_of: dict[str, dt.date | None] | None = None,
) -> dict[tuple[str, dt.date], tuple[object, ...]]:
    """(segment, period) -> (active, new, returning, resurrecting, dormant (<= 0), quick ratio, complete)."""
    out = {}
    for key, c in _classify(
        events,
        tz,
        period=period,
        first=first,
        last=last,
        segment_of=segment_of,
        active_events=active_events,
        signup_of=signup_of,
    ).items():
        new, res, churned = c["new"], c["resurrecting"], c["churned"]
        assert isinstance(new, int) and isinstance(res, int) and isinstance(churned, int)
        quick = ratio(new + res, churned)
        out[key] = (c["ce"], new, c["returning"], res, -churned, quick, c["complete"])
    return out


def new_vs_returning(
    events: list[Event],
    tz: str,
    *,
    period: str,
    first: dt.date,
    last: dt.date,
    segment_of: dict[str, str] | None = None,
) -> dict[tuple[str, dt.date], tuple[object, ...]]:
    """(segment, period) -> (active, new, returning = active in any earlier period)."""
    periods = user_periods(user_days(events, tz, last=last), period)
    out = {}
    for seg in {segment(u, segment_of) for u in periods}:
        for p in periods_between(first, last, period):
            active = [u for u in periods if segment(u, segment_of) == seg and p in periods[u]]
            returning = [u for u in active if any(q < p for q in periods[u])]
            out[(seg, p)] = (len(active), len(active) - len(returning), len(returning))
    return out


def range_retention(
    events: list[Event],
    tz: str,
    *,
    start: dt.date,
    end: dt.date,
    first: dt.date,
    last: dt.date,
    segment_of: dict[str, str] | None = None,
    min_users: int = 30,
) -> dict[str, tuple[object, ...]]:
    """segment -> (CS, CE, CN, retained, churned, returning, retention rate, churn rate, sufficient, complete)."""
    length = (end - start).days + 1
    before = start - dt.timedelta(days=length)
    days = user_days(events, tz, last=min(end, last))
    out = {}
    for seg in {segment(u, segment_of) for u in days}:
        members = [u for u in days if segment(u, segment_of) == seg]
        now = {u for u in members if any(start <= d <= end for d in days[u])}
        then = {u for u in members if any(before <= d < start for d in days[u])}
        new = {u for u in now if min(days[u]) >= start}
        cs, ce, cn = len(then), len(now), len(new)
        retained, churned = len(now & then), len(then - now)
        returning = len(now - new)  # active in the range and not new: retained or back after a gap
        complete = before >= first and end <= last
        rates = (ratio(returning, cs), ratio(churned, cs))
        out[seg] = (cs, ce, cn, retained, churned, returning, *rates, cs >= min_users, complete)
    return out


# --- 2: cohort matrix ------------------------------------------------------------------------------------------


def cohort_matrix(
    events: list[Event],
    tz: str,
    *,
    period: str,
    mode: str,
    first: dt.date,
    last: dt.date,
    segment_of: dict[str, str] | None = None,
) -> dict[tuple[str, dt.date, int], tuple[object, ...]]:
    """(segment, cohort, offset) -> (cell period, cohort users, users, complete)."""
    periods = user_periods(user_days(events, tz, last=last), period)
    cohorts: dict[tuple[str, dt.date], list[str]] = defaultdict(list)
    for u, ps in periods.items():
        cohorts[(segment(u, segment_of), min(ps))].append(u)
    out = {}
    for (seg, cohort), members in cohorts.items():
        cell, offset = cohort, 0
        while cell <= last:
            if mode == "on":
                users = sum(1 for u in members if cell in periods[u])
            else:
                users = sum(1 for u in members if max(periods[u]) >= cell)
            out[(seg, cohort, offset)] = (cell, len(members), users, fully_observed(cell, period, first, last))
            cell, offset = next_period(cell, period), offset + 1
    return out


def retention_curve(
    events: list[Event],
    tz: str,
    *,
    period: str,
    mode: str,
    first: dt.date,
    last: dt.date,
    segment_of: dict[str, str] | None = None,
) -> dict[tuple[str, int], tuple[object, ...]]:
    """(segment, offset) -> (cohorts, partial cells, cohort users, users, share, complete).

    Sums over the fully observed cells of the offset; over all of them when none is.
    """
    cells = cohort_matrix(events, tz, period=period, mode=mode, first=first, last=last, segment_of=segment_of)
    by_offset: dict[tuple[str, int], list[tuple[object, ...]]] = defaultdict(list)
    for (seg, _, offset), cell in cells.items():
        by_offset[(seg, offset)].append(cell)
    out: dict[tuple[str, int], tuple[object, ...]] = {}
    for key, offset_cells in by_offset.items():
        done = [(size, users) for _, size, users, complete in offset_cells if complete]
        partial = [(size, users) for _, size, users, complete in offset_cells if not complete]
        summed = done or partial
        size = sum(s for s, _ in summed)  # type: ignore[misc]
        users = sum(u for _, u in summed)  # type: ignore[misc]
        out[key] = (len(done), len(partial), size, users, ratio(users, size), bool(done))
    return out


# --- 5: one-and-done, repeat rate ------------------------------------------------------------------------------


def one_and_done(
    events: list[Event],
    tz: str,
    *,
    last: dt.date,
    min_age: int = 0,
    segment_of: dict[str, str] | None = None,
    active_events: set[str] | None = None,
) -> dict[str, tuple[int, int, int, int]]:
    """segment -> (users, too new, one-and-done, repeat users)."""
    days = user_days(events, tz, last=last, active_events=active_events)
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for u, ds in days.items():
        row = out[segment(u, segment_of)]
        if min(ds) > last - dt.timedelta(days=min_age):
            row[1] += 1
            continue
        row[0] += 1
        row[2 if len(ds) == 1 else 3] += 1
    return {seg: (a, b, c, d) for seg, (a, b, c, d) in out.items()}


def repeat_rate(
    events: list[Event],
    tz: str,
    *,
    period: str,
    first: dt.date,
    last: dt.date,
    segment_of: dict[str, str] | None = None,
) -> dict[tuple[str, dt.date], tuple[object, ...]]:
    """(segment, period) -> (active, repeat, complete)."""
    days = user_days(events, tz, last=last)
    out = {}
    for seg in {segment(u, segment_of) for u in days}:
        for p in periods_between(first, last, period):
            end = next_period(p, period) - ONE
            active = [u for u in days if segment(u, segment_of) == seg and any(p <= d <= end for d in days[u])]
            repeat = [u for u in active if any(p <= d <= end and d > min(days[u]) for d in days[u])]
            out[(seg, p)] = (len(active), len(repeat), fully_observed(p, period, first, last))
    return out


# --- 6: dormancy -----------------------------------------------------------------------------------------------


def use_case_days(
    events: list[Event], tz: str, rules: list[Rule] | None, *, last: dt.date, raw_events: bool, with_any: bool
) -> dict[tuple[str, str], set[dt.date]]:
    """(user, use case) -> active days up to ``last``; raw_events: without rules, each event is a use case."""
    out: dict[tuple[str, str], set[dt.date]] = defaultdict(set)
    for user, time, name in events:
        day = day_of(time, tz)
        if day > last:
            continue
        if rules is None and raw_events:
            cases = {name}
        else:
            cases = use_cases_of(name, rules)
            if not with_any:
                cases.discard(ANY)
        for case in cases:
            out[(user, case)].add(day)
    return out


def dormancy(
    events: list[Event],
    tz: str,
    rules: list[Rule] | None,
    *,
    as_of: dt.date,
    k: float = 2.0,
    limit: int | None = 90,
    horizon: int = 365,
    segment_of: dict[str, str] | None = None,
) -> dict[tuple[str, str], tuple[object, ...]]:
    """(user, use case) -> (segment, first, last, active days, days since, interval, status)."""
    out = {}
    horizon_start = as_of - dt.timedelta(days=horizon - 1)
    for (user, case), days in use_case_days(events, tz, rules, last=as_of, raw_events=False, with_any=True).items():
        ordered = sorted(d for d in days if d >= horizon_start)
        gaps = [(b - a).days for a, b in itertools.pairwise(ordered)]
        interval = statistics.median(gaps) if gaps else None
        since = (as_of - max(days)).days
        if limit is not None and since > limit:
            status = "dormant"
        elif interval is not None and since > k * interval:
            status = "at_risk"
        elif interval is not None:
            status = "on_rhythm"
        else:
            status = "no_rhythm"
        out[(user, case)] = (segment(user, segment_of), min(days), max(days), len(days), since, interval, status)
    return out


# --- 7: adoption -----------------------------------------------------------------------------------------------


def feature_adoption(
    events: list[Event],
    tz: str,
    rules: list[Rule] | None,
    *,
    period: str,
    first: dt.date,
    last: dt.date,
    segment_of: dict[str, str] | None = None,
) -> dict[tuple[str, str, dt.date], tuple[object, ...]]:
    """(segment, use case, period) -> (active, users, complete)."""
    cases = use_case_days(events, tz, rules, last=last, raw_events=True, with_any=False)
    days = user_days(events, tz, last=last)
    names = {case for _, case in cases}
    out = {}
    for p in periods_between(first, last, period):
        end = next_period(p, period) - ONE
        active: dict[str, set[str]] = defaultdict(set)
        for u, ds in days.items():
            if any(p <= d <= end for d in ds):
                active[segment(u, segment_of)].add(u)
        for seg, users in active.items():
            for case in names:
                used = sum(1 for u in users if any(p <= d <= end for d in cases.get((u, case), ())))
                out[(seg, case, p)] = (len(users), used, fully_observed(p, period, first, last))
    return out


def time_to_first_use(
    events: list[Event],
    tz: str,
    rules: list[Rule] | None,
    *,
    last: dt.date,
    segment_of: dict[str, str] | None = None,
) -> dict[tuple[str, str], tuple[object, ...]]:
    """(segment, use case) -> (users, adopters, median days, mean days)."""
    cases = use_case_days(events, tz, rules, last=last, raw_events=True, with_any=False)
    days = user_days(events, tz, last=last)
    names = {case for _, case in cases}
    out = {}
    for seg in {segment(u, segment_of) for u in days}:
        users = [u for u in days if segment(u, segment_of) == seg]
        for case in names:
            delays = [(min(cases[(u, case)]) - min(days[u])).days for u in users if (u, case) in cases]
            median = statistics.median(delays) if delays else None
            mean = statistics.mean(delays) if delays else None
            out[(seg, case)] = (len(users), len(delays), median, mean)
    return out


# --- 8: where users leave --------------------------------------------------------------------------------------


def where_users_leave(
    events: list[Event],
    tz: str,
    rules: list[Rule] | None,
    *,
    as_of: dt.date,
    limit: int = 90,
    window: int = 90,
    segment_of: dict[str, str] | None = None,
) -> dict[tuple[str, str], tuple[object, ...]]:
    """(segment, use case) -> (leavers, retained, leaver share, retained share, lift, churn rate)."""
    cut = as_of - dt.timedelta(days=limit)
    window_start = cut - dt.timedelta(days=window)
    cases = use_case_days(events, tz, rules, last=as_of, raw_events=True, with_any=False)
    days = user_days(events, tz, last=as_of)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # segment -> [leavers, retained]
    steps: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for u, ds in days.items():
        before = [d for d in ds if window_start <= d < cut]
        if not before:
            continue
        last_step = max(before)
        left = 0 if any(d >= cut for d in ds) else 1
        seg = segment(u, segment_of)
        totals[seg][1 - left] += 1
        for (user, case), case_days in cases.items():
            if user == u and last_step in case_days:
                steps[(seg, case)][1 - left] += 1
    out = {}
    for (seg, case), (leavers, retained) in steps.items():
        all_leavers, all_retained = totals[seg]
        leaver_share, retained_share = ratio(leavers, all_leavers), ratio(retained, all_retained)
        lift = None if leaver_share is None or not retained_share else leaver_share / retained_share
        out[(seg, case)] = (leavers, retained, leaver_share, retained_share, lift, ratio(leavers, leavers + retained))
    return out
