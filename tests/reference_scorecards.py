"""Plain-Python reference of the scorecards, written from docs/scorecards.md only.

Deliberately naive: dicts, loops, ``statistics`` and ``math``; no polars. The per-user usage of
the health score comes from the use-case reference (tests/reference_use_cases.py), itself written
from docs/use-cases.md.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Mapping

from . import reference_use_cases as ruc

TOL = 1e-9
COMPONENTS = ("frequency", "recency", "breadth")


# --- NPS ------------------------------------------------------------------------------------------------------


def nps(
    answers: list[tuple[object, int | None]], *, min_responses: int = 30, confidence: float = 0.95
) -> dict[object, dict[str, object]]:
    """group -> the NPS row, from (group, score or None for a blank) pairs."""
    z = statistics.NormalDist().inv_cdf((1 + confidence) / 2)
    groups: dict[object, list[int | None]] = defaultdict(list)
    for group, score in answers:
        groups[group].append(score)
    out = {}
    for group, scores in groups.items():
        given = [s for s in scores if s is not None]
        n = len(given)
        promoters = len([s for s in given if s >= 9])
        passives = len([s for s in given if s in (7, 8)])
        detractors = len([s for s in given if s <= 6])
        row: dict[str, object] = {
            "responses": n,
            "blank": len(scores) - n,
            "promoters": promoters,
            "passives": passives,
            "detractors": detractors,
            "promoter_share": None,
            "detractor_share": None,
            "nps": None,
            "ci_low": None,
            "ci_high": None,
            "sufficient": n >= min_responses,
        }
        if n:
            p, d = promoters / n, detractors / n
            value = 100 * (promoters - detractors) / n
            half = z * 100 * math.sqrt(max(0.0, (p + d - (p - d) ** 2) / n))
            row |= {
                "promoter_share": p,
                "detractor_share": d,
                "nps": value,
                "ci_low": max(-100.0, value - half),
                "ci_high": min(100.0, value + half),
            }
        out[group] = row
    return out


# --- fit matrix -----------------------------------------------------------------------------------------------


def fit(
    accounts: Mapping[str, tuple[float, list[float]]],
    *,
    depart_below: float = 0.30,
    grow_above: float = 0.60,
    rates: Mapping[str, float] | None = None,
    grow_rate: float = 4.0,
) -> dict[str, dict[str, object]]:
    """user -> fit row, from user -> (mrr > 0, costs); ``rates`` (user -> rate; absent = 0) when usage is given."""
    out = {}
    for user, (mrr, costs) in accounts.items():
        total = sum(costs)
        profitability = (mrr - total) / mrr
        rate = None if rates is None else rates.get(user, 0.0)
        if profitability < depart_below - TOL:
            state = "depart"
        elif profitability >= grow_above - TOL and (rate is None or rate >= grow_rate - TOL):
            state = "grow"
        else:
            state = "keep"
        out[user] = {"mrr": mrr, "costs": total, "profit": mrr - total, "profitability": profitability, "rate": rate}
        out[user]["state"] = state
    return out


def fit_summary(rows: Mapping[str, Mapping[str, object]]) -> dict[str, tuple[int, float, float]]:
    """state -> (customers, mrr, profit)."""
    out = {}
    for state in ("keep", "grow", "depart"):
        chosen = [r for r in rows.values() if r["state"] == state]
        out[state] = (len(chosen), sum(r["mrr"] for r in chosen), sum(r["profit"] for r in chosen))  # type: ignore[misc]
    return out


# --- lifetime value -------------------------------------------------------------------------------------------


def lifetime_value(
    transactions: list[tuple[str, dt.date, float]], spend: Mapping[str, float | None] | None = None
) -> dict[str, dict[str, object]]:
    """user -> value row, from (user, day, revenue) rows and user -> category spend."""
    days: dict[str, dict[dt.date, float]] = defaultdict(lambda: defaultdict(float))
    rows: dict[str, int] = defaultdict(int)
    for user, day, revenue in transactions:
        days[user][day] += revenue
        rows[user] += 1
    out = {}
    for user, per_day in days.items():
        first = min(per_day)
        value = sum(per_day.values())
        category = None if spend is None else spend.get(user)
        out[user] = {
            "first_purchase": first,
            "last_purchase": max(per_day),
            "transactions": rows[user],
            "purchases": len(per_day),
            "value": value,
            "repeat_value": sum(v for d, v in per_day.items() if d > first),
            "average_purchase": value / len(per_day),
            "category_spend": category,
            "share_of_wallet": value / category if category else None,
        }
    return out


def value_summary(rows: Mapping[str, Mapping[str, object]]) -> dict[str, object]:
    values = [float(r["value"]) for r in rows.values()]  # type: ignore[arg-type]
    total = sum(values)
    with_spend = [r for r in rows.values() if r["category_spend"] is not None]
    spend = sum(float(r["category_spend"]) for r in with_spend)  # type: ignore[arg-type]
    repeat = len([r for r in rows.values() if r["purchases"] >= 2])  # type: ignore[operator]
    return {
        "customers": len(rows),
        "value": total,
        "mean_value": total / len(rows),
        "median_value": statistics.median(values),
        "repeat_customers": repeat,
        "repeat_purchase_share": repeat / len(rows),
        "repeat_value_share": sum(float(r["repeat_value"]) for r in rows.values()) / total if total else None,  # type: ignore[arg-type]
        "share_of_wallet": sum(float(r["value"]) for r in with_spend) / spend if spend else None,  # type: ignore[arg-type]
    }


# --- health score ---------------------------------------------------------------------------------------------


def available(use_cases: list[str], profiles: list[tuple[str | None, str]], persona: str) -> set[str]:
    """The use cases available to a persona: profiled for it or for every persona (None); else all."""
    listed = {c for p, c in profiles if (p is None or p == persona) and c in use_cases}
    return listed or set(use_cases)


def health(
    events: list[ruc.Event],
    *,
    rules: list[ruc.Rule] | None = None,
    profiles: list[tuple[str | None, str]] | None = None,
    segment_of: dict[str, str] | None = None,
    accounts: Mapping[str, Mapping[str, float | None]] | None = None,
    extra: Mapping[str, object] | None = None,
    weights: Mapping[str, float] | None = None,
    bands: tuple[float, float] = (70.0, 40.0),
    as_of: dt.date | None = None,
    window: int = 90,
    horizon: int = 365,
    min_exposure: int = 30,
    rate_cap: float = 4.0,
    recency_days: int = 90,
) -> dict[str, dict[str, object]]:
    """user -> health row. ``extra``: column -> "higher" / "lower" / (direction, low, high)."""
    tz = "UTC"
    as_of = as_of or ruc.log_as_of(events, tz)
    assert as_of is not None
    weights = dict(weights or {"frequency": 0.4, "recency": 0.3, "breadth": 0.3})
    extra = dict(extra or {})
    rates = ruc.rates(
        events,
        tz,
        rules=rules,
        segment_of=segment_of,
        as_of=as_of,
        window=window,
        horizon=horizon,
        min_exposure=min_exposure,
    )
    last_day: dict[str, dt.date] = {}
    for user, time, _ in events:
        day = ruc.day_of(time, tz)
        if day <= as_of:
            last_day[user] = max(day, last_day.get(user, day))
    customers: dict[str, dict[str, object]] = {}
    for (user, use_case), r in rates.items():
        if use_case == ruc.ANY:
            customers[user] = {
                "persona": r["persona"],
                "active_days": r["active_days"],
                "exposure": r["exposure"],
                "too_new": r["too_new"],
                "last_active": r["last_active"],
            }
    for user in accounts or {}:
        if user not in customers:
            customers[user] = {
                "persona": ruc.segment(user, segment_of),
                "active_days": 0,
                "exposure": window,
                "too_new": False,
                "last_active": last_day.get(user),
            }
    use_cases = sorted({c for _, c in rules}) if rules is not None else []
    bounds = {}
    for column, spec in extra.items():
        if isinstance(spec, tuple):
            bounds[column] = (spec[1], spec[2])
        else:
            seen = [a[column] for a in (accounts or {}).values() if a.get(column) is not None]
            bounds[column] = (min(seen), max(seen)) if seen else (0.0, 0.0)
    out = {}
    for user, c in customers.items():
        rate = 30 * c["active_days"] / c["exposure"]  # type: ignore[operator]
        last = c["last_active"]
        days_since = None if last is None else (as_of - last).days  # type: ignore[operator]
        comps: dict[str, float | None] = {
            "frequency": min(rate, rate_cap) / rate_cap,
            "recency": 0.0 if days_since is None else max(0.0, 1 - days_since / recency_days),
            "breadth": None,
        }
        if rules is not None:
            offered = available(use_cases, profiles or [], str(c["persona"]))
            used = {
                uc
                for (u, uc), r in rates.items()
                if u == user and uc in offered and r["active_days"] > 0  # type: ignore[operator]
            }
            comps["breadth"] = len(used) / len(offered)
        for column, spec in extra.items():
            value = None if accounts is None or user not in accounts else accounts[user].get(column)
            low, high = bounds[column]
            if value is None or not high > low:
                comps[column] = None
                continue
            scaled = (min(max(value, low), high) - low) / (high - low)
            direction = spec[0] if isinstance(spec, tuple) else spec
            comps[column] = scaled if direction == "higher" else 1 - scaled
        weighted = [(name, w) for name, w in weights.items() if w > 0 and comps.get(name) is not None]
        score = None
        if not c["too_new"] and weighted:
            score = min(100.0, 100 * sum(w * comps[n] for n, w in weighted) / sum(w for _, w in weighted))  # type: ignore[operator]
        band = None
        if score is not None:
            band = "healthy" if score >= bands[0] - TOL else "at_risk" if score >= bands[1] - TOL else "critical"
        weakest = None
        if score is not None:
            order = [*COMPONENTS, *extra]
            candidates = [(comps[n], order.index(n), n) for n, _ in weighted]
            weakest = min(candidates)[2]
        out[user] = {
            **c,
            "in_accounts": None if accounts is None else user in accounts,
            "days_since": days_since,
            "rate": rate,
            **comps,
            "score": score,
            "band": band,
            "weakest": weakest,
        }
    return out
