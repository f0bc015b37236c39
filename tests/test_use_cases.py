"""Correctness tests of the use-case metrics (docs/use-cases.md).

Hand-made logs with hand-worked numbers, hypothesis-generated logs against the plain-Python
reference (tests/reference_use_cases.py), the demo's planted habits and the real CDNOW log,
on every engine.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections import defaultdict
from functools import cache

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stickiness import UsageLog, read_log
from stickiness.catalog import FREQUENCIES, Catalog, read_catalog
from stickiness.demo import demo_catalog, demo_events, demo_use_case_profiles, demo_users, planted_bands
from stickiness.metrics.use_cases import (
    BANDS,
    drifting_users,
    forgettable_zone,
    frequency_spectrum,
    unmapped_events,
    use_case_map,
    use_case_rates,
)

from . import reference_use_cases as ref
from .conftest import NOW, SHARED, frame
from .reference_intervals import SMALL
from .reference_intervals import exact as exact_interval
from .retention_example import EXAMPLES

D = dt.date
UTC = dt.UTC

RATES_COLUMNS = [
    "user",
    "persona",
    "use_case",
    "first_use",
    "last_active",
    "exposure",
    "active_days",
    "rate",
    "band",
    "too_new",
    "interval_days",
    "previous_rate",
]
SPECTRUM_COLUMNS = [
    "persona",
    "use_case",
    "band",
    "users",
    "share",
    "evaluable",
    "forgettable_share",
    "forgettable",
    "verdict",
    *["share_low", "share_high", "small_sample"],  # the interval, appended (docs/intervals.md)
]
MAP_COLUMNS = [
    "persona",
    "use_case",
    "problem",
    "why_us",
    "alternatives",
    "expected_frequency",
    "adopters",
    "too_new",
    "evaluable",
    "adoption_rate",
    "median_rate",
    "median_interval_days",
    "modal_band",
    "forgettable_share",
    "ci_low",
    "ci_high",
    "forgettable",
    "frequency_mismatch",
    "verdict",
    *["adoption_rate_low", "adoption_rate_high", "small_sample"],
]
DRIFTING_COLUMNS = ["user", "persona", "use_case", "previous_rate", "current_rate", "last_active", "days_since"]
UNMAPPED_COLUMNS = ["event", "events", "users"]


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def keyed(out: pl.DataFrame, *key: str) -> dict[tuple[object, ...], dict[str, object]]:
    rows = {tuple(r[k] for k in key): r for r in out.iter_rows(named=True)}
    assert len(rows) == out.height, f"duplicate {key} rows"
    return rows


def approx_or_none(value: float | None) -> object:
    return None if value is None else pytest.approx(value)


def test_bands_constant() -> None:
    assert BANDS == ("daily", "weekly", "monthly", "occasional", "lapsed")


# --- scenario A: one use case, the boundaries of W, H, exposure, bands, intervals, drifting ------------------
#
# window W = 60, horizon H = 120, min_exposure = 20; no catalog (only "(any)"), no users table ("(all)").
# as_of = 2024-06-30 (the log's last day); ago(k) = as_of - k days.
#   current window  = ago(59) .. ago(0)     (ago(60) = as_of - W is outside)
#   horizon         = ago(119) .. ago(0)    (ago(120) = as_of - H is outside)
#   previous window = ago(119) .. ago(60)
# With a full window, rate r = 30 * a / 60 = a / 2.

AS_OF_A = D(2024, 6, 30)


def ago(k: int) -> dt.date:
    return AS_OF_A - dt.timedelta(days=k)


DAYS_AGO_A = {
    "daily": [200, *range(40)],  # a = 40 -> r = 20.0: the daily edge
    "weekly": [200, 59, 55, 50, 40, 30, 20, 10, 0],  # a = 8 -> r = 4.0: the weekly edge
    "monthly": [200, 59, 5],  # ago(59) = as_of - W + 1 counts: a = 2 -> r = 1.0: the monthly edge
    "occasional": [200, 30],  # a = 1 -> r = 0.5
    "lapsed_w": [200, 60],  # ago(60) = as_of - W does not count: a = 0, lapsed; still an adopter
    "h_in": [119],  # ago(119) = as_of - H + 1: an adopter
    "h_out": [200, 120],  # ago(120) = as_of - H: not an adopter
    "drifter": [200, 90, 80, 70, 61, 59],  # previous a = 4 -> 2.0; now a = 1 -> 0.5
    "exp20": [19, 9],  # first use ago(19): exposure 20 = min_exposure -> evaluable; a = 2 -> r = 3.0
    "exp19": [18, 0],  # first use ago(18): exposure 19 -> too_new
    "new16": [75, 74, 73],  # exposure_prev = 16 < 20: never drifting, although previous rate 90/16 = 5.625
    "new20": [79, 78],  # exposure_prev = 20: previous rate 30 * 2 / 20 = 3.0, now 0: drifting
}
EVENTS_A = [(user, noon(ago(k)), "use") for user, ks in DAYS_AGO_A.items() for k in ks]
OPTIONS_A = {"window": 60, "horizon": 120, "min_exposure": 20}


def log_a(engine: str) -> UsageLog:
    return read_log(frame(EVENTS_A), engine=engine, now=NOW)


def test_hand_made_rates(engine: str) -> None:
    out = use_case_rates(log_a(engine), **OPTIONS_A)
    assert out.columns == RATES_COLUMNS
    rows = keyed(out, "user")
    assert set(rows) == {(u,) for u in DAYS_AGO_A if u != "h_out"}
    assert {r["persona"] for r in rows.values()} == {"(all)"}
    assert {r["use_case"] for r in rows.values()} == {"(any)"}
    expected = {
        # user: exposure, active days, rate, band, interval (median gap in the horizon), previous rate
        "daily": (60, 40, 20.0, "daily", 1, 0.0),  # gaps all 1
        "weekly": (60, 8, 4.0, "weekly", 10, 0.0),  # gaps 4, 5, 10, 10, 10, 10, 10 -> 10
        "monthly": (60, 2, 1.0, "monthly", 54, 0.0),  # one gap: 59 - 5
        "occasional": (60, 1, 0.5, "occasional", None, 0.0),  # one active day in the horizon
        "lapsed_w": (60, 0, 0.0, "lapsed", None, 0.5),  # previous window: 1 day -> 30 * 1 / 60
        "h_in": (60, 0, 0.0, "lapsed", None, 0.5),  # exposure_prev = ago(60) - ago(119) + 1 = 60
        "drifter": (60, 1, 0.5, "occasional", 9.5, 2.0),  # gaps 10, 10, 9, 2 -> (9 + 10) / 2
        "exp20": (20, 2, 3.0, "monthly", 10, None),  # first use inside the window: no previous window
        "new20": (60, 0, 0.0, "lapsed", 1, 3.0),
    }
    for user, (exposure, active, rate, band, interval, previous) in expected.items():
        r = rows[(user,)]
        assert (r["exposure"], r["active_days"], r["band"], r["too_new"]) == (exposure, active, band, False), user
        assert r["rate"] == pytest.approx(rate), user
        assert r["interval_days"] == approx_or_none(interval), user
        assert r["previous_rate"] == approx_or_none(previous), user
    # exposure_prev = 16 < min_exposure: the previous rate 30 * 3 / 16 may be shown or left out
    new16 = rows[("new16",)]
    assert (new16["exposure"], new16["active_days"], new16["band"], new16["interval_days"]) == (60, 0, "lapsed", 1)
    assert new16["previous_rate"] in (None, pytest.approx(5.625))
    # exposure 19 < 20: too_new; exposure and active days are still reported
    exp19 = rows[("exp19",)]
    assert (exp19["exposure"], exp19["active_days"], exp19["too_new"]) == (19, 2, True)
    assert exp19["previous_rate"] is None  # first use inside the current window
    # first use is in the whole log (before the horizon too); last_active is the last day of the use case
    assert (rows[("daily",)]["first_use"], rows[("daily",)]["last_active"]) == (ago(200), ago(0))
    assert (rows[("h_in",)]["first_use"], rows[("h_in",)]["last_active"]) == (ago(119), ago(119))
    assert (rows[("drifter",)]["first_use"], rows[("drifter",)]["last_active"]) == (ago(200), ago(59))


def test_hand_made_spectrum(engine: str) -> None:
    out = frequency_spectrum(log_a(engine), **OPTIONS_A)
    assert out.columns == SPECTRUM_COLUMNS
    # evaluable: 10 (exp19 is too_new). daily: daily; weekly: weekly; monthly: monthly, exp20 (3.0);
    # occasional: occasional, drifter (0.5 each); lapsed: lapsed_w, h_in, new16, new20.
    got = {r["band"]: (r["users"], r["share"]) for r in out.iter_rows(named=True)}
    assert out.height == 5
    assert got == {
        "daily": (1, pytest.approx(0.1)),
        "weekly": (1, pytest.approx(0.1)),
        "monthly": (2, pytest.approx(0.2)),
        "occasional": (2, pytest.approx(0.2)),
        "lapsed": (4, pytest.approx(0.4)),
    }
    # custom edges: daily >= 10, weekly >= 2, monthly >= 0.5. r = 0.5 is now monthly; 3.0 is weekly.
    custom = frequency_spectrum(log_a(engine), bands={"daily": 10, "weekly": 2, "monthly": 0.5}, **OPTIONS_A)
    assert {r["band"]: r["users"] for r in custom.iter_rows(named=True)} == {
        "daily": 1,
        "weekly": 2,
        "monthly": 3,
        "occasional": 0,
        "lapsed": 4,
    }


def _spectrum_verdict(out: pl.DataFrame) -> tuple[object, ...]:
    """The one segment's verdict columns: the same on each of its five bands."""
    (row,) = out.select("evaluable", "forgettable_share", "forgettable", "verdict").unique().rows()
    return row


def test_hand_made_spectrum_verdict(engine: str) -> None:
    log = log_a(engine)
    # 10 evaluable (exp19 is too_new); r < 1: occasional, drifter (0.5), lapsed_w, h_in, new16, new20 (0) = 6 of 10
    assert _spectrum_verdict(frequency_spectrum(log, min_users=10, **OPTIONS_A)) == (
        10,
        pytest.approx(0.6),
        "true",
        "forgettable",
    )
    # 10 < min_users (30 by default): never flagged, whatever the share
    assert _spectrum_verdict(frequency_spectrum(log, **OPTIONS_A))[2:] == ("insufficient_data", "insufficient data")
    # majority is strictly greater: 0.6 > 0.6 is false
    out = frequency_spectrum(log, min_users=10, majority=0.6, **OPTIONS_A)
    assert _spectrum_verdict(out)[2:] == ("false", "not forgettable")
    # threshold 0.5: only r < 0.5 (the 4 lapsed) of 10 -> 0.4; the band counts do not change
    lower = frequency_spectrum(log, min_users=10, threshold=0.5, **OPTIONS_A)
    assert _spectrum_verdict(lower) == (10, pytest.approx(0.4), "false", "not forgettable")
    assert lower["users"].to_list() == [1, 1, 2, 2, 4]
    # threshold 4: r < 4 adds monthly (1.0) and exp20 (3.0): 8 of 10 -> 0.8, in the zone
    higher = frequency_spectrum(log, min_users=10, threshold=4.0, **OPTIONS_A)
    assert _spectrum_verdict(higher) == (10, pytest.approx(0.8), "true", "forgettable")


def test_hand_made_map_and_wilson(engine: str) -> None:
    log = log_a(engine)
    out = use_case_map(log, min_users=10, **OPTIONS_A)
    assert out.columns == MAP_COLUMNS
    assert out.height == 1
    row = out.row(0, named=True)
    assert (row["persona"], row["use_case"]) == ("(all)", "(any)")
    assert (row["adopters"], row["too_new"], row["evaluable"]) == (11, 1, 10)
    # every user active in the horizon is an adopter of "(any)"; h_out is not active in the horizon
    assert row["adoption_rate"] == pytest.approx(1.0)
    # rates, sorted: 0, 0, 0, 0, 0.5, 0.5, 1, 3, 4, 20 -> median of the 5th and 6th: 0.5
    assert row["median_rate"] == pytest.approx(0.5)
    # intervals of evaluable adopters with >= 2 active days in the horizon:
    # daily 1, new16 1, new20 1, drifter 9.5, weekly 10, exp20 10, monthly 54 -> 9.5 (exp19 is too_new)
    assert row["median_interval_days"] == pytest.approx(9.5)
    assert row["modal_band"] == "lapsed"
    # r < 1: occasional, drifter, lapsed_w, h_in, new16, new20 = 6 of 10 (monthly, r = 1.0, is not below 1)
    assert row["forgettable_share"] == pytest.approx(0.6)
    # Wilson, s = 0.6, n = 10, z = 1.959964: z^2 = 3.841459, z^2/(2n) = 0.192073, 1 + z^2/n = 1.384146
    # centre = (0.6 + 0.192073) / 1.384146 = 0.572247
    # half = 1.959964 * sqrt(0.6 * 0.4 / 10 + 3.841459 / 400) / 1.384146 = 1.959964 * 0.183313 / 1.384146 = 0.259573
    assert row["ci_low"] == pytest.approx(0.312674, abs=1e-6)
    assert row["ci_high"] == pytest.approx(0.831820, abs=1e-6)
    assert row["forgettable"] == "true"  # 10 >= min_users = 10 and 0.6 > 0.5
    assert row["expected_frequency"] is None and row["frequency_mismatch"] is None
    assert row["problem"] is None
    # 10 < min_users = 11: never flagged
    assert use_case_map(log, min_users=11, **OPTIONS_A)["forgettable"].to_list() == ["insufficient_data"]
    assert use_case_map(log, **OPTIONS_A)["forgettable"].to_list() == ["insufficient_data"]  # default 30
    # majority is strictly greater: 0.6 > 0.6 is false
    assert use_case_map(log, min_users=10, majority=0.6, **OPTIONS_A)["forgettable"].to_list() == ["false"]
    # threshold 0.5: only r < 0.5 (the 4 lapsed) -> 0.4, not forgettable
    lower = use_case_map(log, min_users=10, threshold=0.5, **OPTIONS_A).row(0, named=True)
    assert lower["forgettable_share"] == pytest.approx(0.4)
    assert lower["forgettable"] == "false"
    zone = forgettable_zone(log, min_users=10, **OPTIONS_A)
    assert zone.columns == MAP_COLUMNS
    assert zone.height == 1
    assert forgettable_zone(log, **OPTIONS_A).height == 0


def test_reference_reproduces_the_hand_worked_scenario() -> None:
    rates = ref.rates(EVENTS_A, **OPTIONS_A)
    assert {u for u, _ in rates} == set(DAYS_AGO_A) - {"h_out"}
    assert {u: (r["rate"], r["interval_days"]) for (u, _), r in rates.items() if u in ("weekly", "drifter")} == {
        "weekly": (4.0, 10),
        "drifter": (0.5, 9.5),
    }
    (row,) = ref.use_case_map(EVENTS_A, min_users=10, **OPTIONS_A).values()
    assert (row["adopters"], row["evaluable"], row["median_rate"], row["median_interval_days"]) == (11, 10, 0.5, 9.5)
    assert (row["forgettable_share"], row["modal_band"], row["forgettable"]) == (0.6, "lapsed", "true")
    assert set(ref.drifting(EVENTS_A, **OPTIONS_A)) == {("drifter", "(any)"), ("new20", "(any)")}
    assert ref.use_cases_of("search_run", RULES_B) == {"browse", "(any)"}
    assert ref.use_cases_of("listing_viewed", RULES_B) == {"browse", "research", "(any)"}
    assert ref.use_cases_of("Search_run", RULES_B) == {"(unmapped)", "(any)"}
    assert ref.use_cases_of("Search_run", None) == {"(any)"}
    assert [ref.band_of(r) for r in (20, 19.99, 4, 3.99, 1, 0.99, 0)] == [
        "daily",
        "weekly",
        "weekly",
        "monthly",
        "monthly",
        "occasional",
        "lapsed",
    ]


def test_wilson_worked_example_with_two_of_five() -> None:
    # s = 0.4, n = 5: z^2 = 3.841459, z^2/(2n) = 0.384146, 1 + z^2/n = 1.768292
    # centre = (0.4 + 0.384146) / 1.768292 = 0.443448
    # half = 1.959964 * sqrt(0.4 * 0.6 / 5 + 3.841459 / 100) / 1.768292 = 1.959964 * 0.293963 / 1.768292 = 0.325827
    low, high = ref.wilson(0.4, 5)
    assert (low, high) == (pytest.approx(0.117621, abs=1e-6), pytest.approx(0.769276, abs=1e-6))


def test_wilson_on_the_kit_two_of_five(engine: str) -> None:
    # five users with a full 30-day window (first use 100 days before as_of); W = 30: r = a.
    # p1, p2: 0 active days in the window (lapsed, r = 0 < 1); p3, p4, p5: 2 days (r = 2).
    as_of = D(2024, 6, 30)
    rows = []
    for user, days in {
        "p1": [100, 40],
        "p2": [100, 50],
        "p3": [100, 3, 0],
        "p4": [100, 5, 1],
        "p5": [100, 7, 2],
    }.items():
        rows += [(user, noon(as_of - dt.timedelta(days=k)), "x") for k in days]
    out = use_case_map(read_log(frame(rows), engine=engine, now=NOW), window=30, horizon=60, min_users=5)
    row = out.row(0, named=True)
    assert (row["adopters"], row["evaluable"]) == (5, 5)
    assert row["forgettable_share"] == pytest.approx(0.4)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(0.117621, abs=1e-6), pytest.approx(0.769276, abs=1e-6))
    assert row["forgettable"] == "false"


def test_hand_made_drifting(engine: str) -> None:
    log = log_a(engine)
    out = drifting_users(log, **OPTIONS_A)
    assert out.columns == DRIFTING_COLUMNS
    got = {r["user"]: r for r in out.iter_rows(named=True)}
    # r < 1 now and >= 1 in ago(119)..ago(60), with exposure_prev >= 20:
    #   drifter: 2.0 -> 0.5, last active ago(59); new20: 3.0 -> 0.0, last active ago(78).
    # not: lapsed_w, h_in (previous 0.5 < 1), occasional (previous 0), new16 (exposure_prev 16 < 20).
    assert set(got) == {"drifter", "new20"}
    assert got["drifter"]["previous_rate"] == pytest.approx(2.0)
    assert got["drifter"]["current_rate"] == pytest.approx(0.5)
    assert (got["drifter"]["last_active"], got["drifter"]["days_since"]) == (ago(59), 59)
    assert got["new20"]["previous_rate"] == pytest.approx(3.0)
    assert got["new20"]["current_rate"] == pytest.approx(0.0)
    assert (got["new20"]["last_active"], got["new20"]["days_since"]) == (ago(78), 78)
    assert {r["persona"] for r in got.values()} == {"(all)"}
    assert {r["use_case"] for r in got.values()} == {"(any)"}
    # threshold 0.5: the drifter's 0.5 is not below it; lapsed_w and h_in (previous exactly 0.5) now drift.
    half = {r["user"]: r["days_since"] for r in drifting_users(log, threshold=0.5, **OPTIONS_A).iter_rows(named=True)}
    assert half == {"lapsed_w": 60, "h_in": 119, "new20": 78}
    # min_exposure = 16: new16's previous exposure (16) is now enough: 5.625 -> 0
    relaxed = drifting_users(log, window=60, horizon=120, min_exposure=16)
    new16 = relaxed.filter(pl.col("user") == "new16").row(0, named=True)
    assert new16["previous_rate"] == pytest.approx(5.625)
    assert new16["days_since"] == 73


def test_modal_band_tie_goes_to_the_more_frequent_band(engine: str) -> None:
    # W = 60: r = a / 2. Segment "wm": p weekly (8 days, r = 4), q monthly (2 days, r = 1): 1-1 -> weekly.
    # Segment "ol": r occasional (1 day, 0.5), s lapsed (active only at as_of - 60): 1-1 -> occasional.
    as_of = D(2024, 6, 30)
    days = {"p": [100, *range(0, 40, 5)], "q": [100, 1, 2], "r": [100, 3], "s": [100, 60]}
    rows = [(u, noon(as_of - dt.timedelta(days=k)), "x") for u, ks in days.items() for k in ks]
    users = pl.DataFrame({"user_id": ["p", "q", "r", "s"], "persona": ["wm", "wm", "ol", "ol"]})
    log = read_log(frame(rows), users=users, engine=engine, now=NOW)
    out = keyed(use_case_map(log, window=60, horizon=120, min_exposure=1), "persona")
    assert out[("wm",)]["modal_band"] == "weekly"
    assert out[("ol",)]["modal_band"] == "occasional"


# --- scenario B: a catalog with globs, two use cases per event, unmapped events, segments ---------------------
#
# W = 30, H = 60, min_exposure = 2, as_of = 2024-03-31 (the log's last day).
#   window = Mar 2 .. Mar 31, horizon = Feb 1 .. Mar 31.
# Rules: search_* -> browse; listing_viewed -> browse AND research; estimate_? -> value; mortgage_[ab] -> buy.
# Users table: a, b buyer; c owner; e rookie; f ghost (no events); d is absent -> "(unknown)".

RULES_B = [
    ("search_*", "browse"),
    ("listing_viewed", "browse"),
    ("listing_viewed", "research"),
    ("estimate_?", "value"),
    ("mortgage_[ab]", "buy"),
]


def at(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2024, 3, day, hour, tzinfo=UTC)


EVENTS_B = [
    ("a", at(1), "search_run"),  # browse (outside the window, first use)
    ("a", at(15), "listing_viewed"),  # browse and research
    ("a", at(31), "search_run"),  # browse
    ("b", at(20, 10), "chat_opened"),  # unmapped
    ("b", at(20, 11), "chat_opened"),  # unmapped (same day: one active day, two events)
    ("b", at(25), "estimate_1"),  # value (? = one character)
    ("c", at(10), "estimate_x"),  # value
    ("c", at(11), "estimate_xx"),  # unmapped: ? is exactly one character
    ("c", at(12), "mortgage_a"),  # buy
    ("c", at(13), "mortgage_c"),  # unmapped: [ab]
    ("c", at(13), "chat_opened"),  # unmapped
    ("c", at(14, 10), "Search_run"),  # unmapped: case-sensitive
    ("c", at(14, 11), "Search_run"),  # unmapped
    ("d", at(30), "listing_viewed"),  # browse and research, user not in the users table
    ("e", at(31), "search_run"),  # browse, first use on as_of: exposure 1 < 2 -> too_new
]
USERS_B = pl.DataFrame(
    {"user_id": ["a", "b", "c", "e", "f"], "persona": ["buyer", "buyer", "owner", "rookie", "ghost"]}
)
PROFILES_B = pl.DataFrame(
    {
        "persona": ["buyer", "owner", "buyer", "rookie"],
        "use_case": ["browse", "value", "value", "browse"],
        "problem": ["Find a home", None, None, None],
        "why_us": ["Every listing", None, None, None],
        "alternatives": ["Other portals", None, None, None],
        "expected_frequency": ["weekly", "monthly", "yearly", "weekly"],
    },
    schema=dict.fromkeys(["persona", "use_case", "problem", "why_us", "alternatives", "expected_frequency"], pl.String),
)
OPTIONS_B = {"window": 30, "horizon": 60, "min_exposure": 2, "min_users": 1}


def log_b(engine: str) -> UsageLog:
    return read_log(frame(EVENTS_B), users=USERS_B, engine=engine, now=NOW)


def rules_b() -> pl.DataFrame:
    return pl.DataFrame({"event": [e for e, _ in RULES_B], "use_case": [u for _, u in RULES_B]})


def catalog_b() -> Catalog:
    return read_catalog(rules_b(), profiles=PROFILES_B)


def test_hand_made_catalog_rates(engine: str) -> None:
    out = use_case_rates(log_b(engine), catalog_b(), window=30, horizon=60, min_exposure=2)
    rows = keyed(out, "user", "use_case")
    expected = {
        # (user, use case): persona, active days in the window, exposure, rate
        ("a", "browse"): ("buyer", 2, 30, 2.0),  # Mar 15, 31; first use Mar 1 -> exposure = W
        ("a", "research"): ("buyer", 1, 17, 30 / 17),  # first use Mar 15: 31 - 15 + 1
        ("a", "(any)"): ("buyer", 2, 30, 2.0),
        ("b", "(unmapped)"): ("buyer", 1, 12, 2.5),  # chat_opened Mar 20 (two rows, one day)
        ("b", "value"): ("buyer", 1, 7, 30 / 7),
        ("b", "(any)"): ("buyer", 2, 12, 5.0),
        ("c", "value"): ("owner", 1, 22, 30 / 22),
        ("c", "buy"): ("owner", 1, 20, 1.5),
        ("c", "(unmapped)"): ("owner", 3, 21, 90 / 21),  # Mar 11, 13, 14
        ("c", "(any)"): ("owner", 5, 22, 150 / 22),
        ("d", "browse"): ("(unknown)", 1, 2, 15.0),
        ("d", "research"): ("(unknown)", 1, 2, 15.0),
        ("d", "(any)"): ("(unknown)", 1, 2, 15.0),
        ("e", "browse"): ("rookie", 1, 1, None),  # too_new
        ("e", "(any)"): ("rookie", 1, 1, None),
    }
    assert set(rows) == set(expected)
    for key, (persona, active, exposure, rate) in expected.items():
        r = rows[key]
        assert (r["persona"], r["active_days"], r["exposure"], r["too_new"]) == (
            persona,
            active,
            exposure,
            rate is None,
        )
        if rate is not None:
            assert r["rate"] == pytest.approx(rate), key
            assert r["band"] == ref.band_of(rate), key
    assert rows[("b", "value")]["band"] == "weekly"  # 4.29
    assert rows[("c", "(unmapped)")]["band"] == "weekly"  # 4.29
    assert rows[("a", "research")]["band"] == "monthly"  # 1.76
    assert rows[("c", "(unmapped)")]["interval_days"] == pytest.approx(1.5)  # gaps 2, 1
    assert rows[("c", "(any)")]["interval_days"] == pytest.approx(1.0)
    assert rows[("a", "browse")]["first_use"] == D(2024, 3, 1)


def test_hand_made_catalog_map(engine: str) -> None:
    out = use_case_map(log_b(engine), catalog_b(), **OPTIONS_B)
    assert out.columns == MAP_COLUMNS
    rows = keyed(out, "persona", "use_case")
    with_adopters = {k for k, r in rows.items() if r["adopters"] > 0}
    assert with_adopters == {
        ("buyer", "browse"),
        ("buyer", "research"),
        ("buyer", "value"),
        ("buyer", "(unmapped)"),
        ("buyer", "(any)"),
        ("owner", "value"),
        ("owner", "buy"),
        ("owner", "(unmapped)"),
        ("owner", "(any)"),
        ("(unknown)", "browse"),
        ("(unknown)", "research"),
        ("(unknown)", "(any)"),
        ("rookie", "browse"),
        ("rookie", "(any)"),
    }
    # a segment without adopters (ghost, or a persona x use case nobody uses), if listed at all, is empty
    for key, r in rows.items():
        if key not in with_adopters:
            assert (r["adopters"], r["evaluable"], r["modal_band"], r["forgettable_share"]) == (0, 0, None, None), key
            assert r["forgettable"] == "insufficient_data", key
    # adoption: adopters / users of the persona active in the horizon (buyers: a and b)
    assert rows[("buyer", "browse")]["adoption_rate"] == pytest.approx(0.5)
    assert rows[("buyer", "value")]["adoption_rate"] == pytest.approx(0.5)
    assert rows[("buyer", "(unmapped)")]["adoption_rate"] == pytest.approx(0.5)
    assert rows[("buyer", "(any)")]["adoption_rate"] == pytest.approx(1.0)
    assert rows[("owner", "buy")]["adoption_rate"] == pytest.approx(1.0)
    # buyer x (any): a 2.0 (monthly), b 5.0 (weekly): tie -> weekly; nobody below 1.0
    any_buyer = rows[("buyer", "(any)")]
    assert (any_buyer["adopters"], any_buyer["evaluable"], any_buyer["modal_band"]) == (2, 2, "weekly")
    assert any_buyer["median_rate"] == pytest.approx(3.5)
    assert any_buyer["forgettable_share"] == pytest.approx(0.0)
    assert any_buyer["forgettable"] == "false"
    # s = 0 out of n = 2: centre = (z^2/4) / (1 + z^2/2) = 0.960365 / 2.920729 = 0.328810,
    # half = z * sqrt(z^2/16) / (1 + z^2/2) = (z^2/4) / 2.920729 = 0.328810 -> [0, 0.657620]
    assert any_buyer["ci_low"] == pytest.approx(0.0, abs=1e-9)
    assert any_buyer["ci_high"] == pytest.approx(0.657620, abs=1e-6)
    # qualitative columns and expected vs measured
    browse = rows[("buyer", "browse")]
    assert (browse["problem"], browse["why_us"], browse["alternatives"]) == (
        "Find a home",
        "Every listing",
        "Other portals",
    )
    assert browse["expected_frequency"] == "weekly"
    assert browse["modal_band"] == "monthly"  # a: 2.0
    assert browse["frequency_mismatch"] is True
    assert rows[("owner", "value")]["frequency_mismatch"] is False  # monthly, 1.36
    assert rows[("buyer", "value")]["expected_frequency"] == "yearly"
    assert rows[("buyer", "value")]["frequency_mismatch"] is True  # yearly -> occasional, measured weekly
    assert rows[("buyer", "research")]["expected_frequency"] is None
    assert rows[("buyer", "research")]["frequency_mismatch"] is None
    assert rows[("buyer", "research")]["problem"] is None
    # the empty segment: every adopter too_new
    rookie = rows[("rookie", "browse")]
    assert (rookie["adopters"], rookie["too_new"], rookie["evaluable"]) == (1, 1, 0)
    for column in ("median_rate", "median_interval_days", "modal_band", "forgettable_share", "ci_low", "ci_high"):
        assert rookie[column] is None, column
    assert rookie["forgettable"] == "insufficient_data"
    assert rookie["expected_frequency"] == "weekly"
    assert rookie["frequency_mismatch"] is None  # no modal band
    # the person missing from the users table
    unknown = rows[("(unknown)", "research")]
    assert (unknown["adopters"], unknown["evaluable"], unknown["modal_band"]) == (1, 1, "weekly")


def test_hand_made_catalog_spectrum(engine: str) -> None:
    out = frequency_spectrum(log_b(engine), catalog_b(), window=30, horizon=60, min_exposure=2)
    rows = keyed(out, "persona", "use_case", "band")
    segments = {(p, c) for p, c, _ in rows}
    for p, c in segments:  # every band for every segment, zeros too
        assert {b for (p2, c2, b) in rows if (p2, c2) == (p, c)} == set(BANDS)
    assert {b: rows[("buyer", "(any)", b)]["users"] for b in BANDS} == {
        "daily": 0,
        "weekly": 1,
        "monthly": 1,
        "occasional": 0,
        "lapsed": 0,
    }
    assert rows[("buyer", "(any)", "weekly")]["share"] == pytest.approx(0.5)
    assert rows[("buyer", "(any)", "lapsed")]["share"] == pytest.approx(0.0)
    assert rows[("(unknown)", "browse", "weekly")]["users"] == 1
    for band in BANDS:  # all too_new: no evaluable adopter, shares are null
        assert rows[("rookie", "browse", band)]["users"] == 0
        assert rows[("rookie", "browse", band)]["share"] is None


# --- the verdict: what the forgettable zone lists (docs/use-cases.md, rule 14) ----------------------------------
#
# as_of = 2024-06-30 (AS_OF_A), W = 90, H = 365, min_exposure = 30, min_users = 2, no users table ((all)).
# Every first use is before the window (ago(89) .. ago(0)), so every exposure is 90 and r = 30 * a / 90 = a / 3.
#   taxes   (yearly):    t1, t2 at ago(200)               -> a = 0, r = 0: share 2/2 = 1
#   renew   (quarterly): t1, t2 at ago(200)               -> share 2/2 = 1
#   reports (monthly):   t1, t2, t3 at ago(150); t4 at ago(150) and ago(0) -> r = 0, 0, 0, 1/3: share 4/4 = 1
#   mystery (no rule: (unmapped)): t1, t2 at ago(150)    -> share 2/2 = 1, but not a use case
#   (any): t1 .. t4; only t4 is active in the window (a = 1, r = 1/3): share 4/4 = 1
# Nominal rates: yearly 30/365 = 0.08, quarterly 30/90 = 0.33, monthly 30/30 = 1.
VERDICT_EVENTS = [
    *[(u, noon(ago(200)), e) for u in ("t1", "t2") for e in ("tax_file", "renewal")],
    *[(u, noon(ago(150)), "report_run") for u in ("t1", "t2", "t3", "t4")],
    ("t4", noon(ago(0)), "report_run"),
    *[(u, noon(ago(150)), "mystery") for u in ("t1", "t2")],
]
VERDICT_CATALOG = {
    "use_cases": {
        "taxes": {"events": ["tax_file"], "expected_frequency": "yearly"},
        "renew": {"events": ["renewal"], "expected_frequency": "quarterly"},
        "reports": {"events": ["report_run"], "expected_frequency": "monthly"},
    }
}


def _verdicts(engine: str, threshold: float) -> dict[str, tuple[object, ...]]:
    log = read_log(frame(VERDICT_EVENTS), engine=engine, now=NOW)
    the_map = use_case_map(log, VERDICT_CATALOG, threshold=threshold, min_users=2)
    rows = the_map.iter_rows(named=True)
    return {r["use_case"]: (r["forgettable_share"], r["forgettable"], r["verdict"]) for r in rows}


def test_verdict_sets_apart_unmapped_and_the_rare_as_expected(engine: str) -> None:
    # threshold 1: yearly (0.08) and quarterly (0.33) are below it, monthly (1.0) is not
    assert _verdicts(engine, 1.0) == {
        "(any)": (1.0, "true", "forgettable"),
        "(unmapped)": (1.0, None, "not a use case"),
        "renew": (1.0, "true", "rare as expected"),
        "reports": (1.0, "true", "forgettable"),
        "taxes": (1.0, "true", "rare as expected"),
    }
    # threshold 2: monthly (1.0 < 2) is rare as expected too
    assert _verdicts(engine, 2.0)["reports"] == (1.0, "true", "rare as expected")
    # threshold 0.25: t4's 1/3 is not below it: reports share 3/4; quarterly (0.33 >= 0.25) is now a finding
    low = _verdicts(engine, 0.25)
    assert low["reports"] == (0.75, "true", "forgettable")
    assert low["renew"] == (1.0, "true", "forgettable")
    assert low["taxes"] == (1.0, "true", "rare as expected")


def test_spectrum_carries_the_verdict_of_the_map(engine: str) -> None:
    # the log and catalog of the verdict test above, threshold 1: the same verdict on each of a segment's bands
    log = read_log(frame(VERDICT_EVENTS), engine=engine, now=NOW)
    out = frequency_spectrum(log, VERDICT_CATALOG, min_users=2)
    verdicts = out.select("use_case", "forgettable", "verdict").unique().sort("use_case").rows()
    assert verdicts == [
        ("(any)", "true", "forgettable"),
        ("(unmapped)", None, "not a use case"),
        ("renew", "true", "rare as expected"),
        ("reports", "true", "forgettable"),
        ("taxes", "true", "rare as expected"),
    ]
    assert out.group_by("use_case").len()["len"].to_list() == [5] * 5  # five bands each


def test_spectrum_counts_what_the_zone_lists_for_any_threshold(engine: str) -> None:
    # REVIEW 2.8: on a 300-user demo log with min_users=5, the spectrum's chart said 3 segments at threshold 4,
    # where forgettable_zone lists 8. The spectrum's own verdict counts what the zone lists, for every threshold.
    log = read_log(demo_events(users=300), users=demo_users(users=300), engine=engine, now=NOW)
    catalog = read_catalog(demo_catalog(), profiles=demo_use_case_profiles())
    counts = []
    for threshold in (1.0, 4.0):
        spectrum = frequency_spectrum(log, catalog, threshold=threshold, min_users=5)
        zone = forgettable_zone(log, catalog, threshold=threshold, min_users=5)
        in_zone = spectrum.filter(pl.col("forgettable") == "true").select("persona", "use_case").unique()
        assert sorted(in_zone.rows()) == sorted(zone.select("persona", "use_case").rows()), threshold
        counts.append(in_zone.height)
    assert counts[0] < counts[1]  # a higher threshold puts more segments in the zone


def test_forgettable_zone_lists_findings_first_and_never_unmapped(engine: str) -> None:
    log = read_log(frame(VERDICT_EVENTS), engine=engine, now=NOW)
    zone = forgettable_zone(log, VERDICT_CATALOG, min_users=2)
    # findings by evaluable (4, 4: then by use case), then rare as expected by evaluable (2, 2: by use case)
    assert zone.select("use_case", "evaluable", "verdict").rows() == [
        ("(any)", 4, "forgettable"),
        ("reports", 4, "forgettable"),
        ("renew", 2, "rare as expected"),
        ("taxes", 2, "rare as expected"),
    ]
    assert zone.columns == MAP_COLUMNS


def test_reference_verdicts_on_the_hand_worked_log() -> None:
    expected = {("(all)", u): f for u, f in (("taxes", "yearly"), ("renew", "quarterly"), ("reports", "monthly"))}
    rules = [("tax_file", "taxes"), ("renewal", "renew"), ("report_run", "reports")]
    table = ref.use_case_map(VERDICT_EVENTS, rules=rules, expected=expected, min_users=2)
    assert {u: r["verdict"] for (_, u), r in table.items()} == {
        "(any)": "forgettable",
        "(unmapped)": "not a use case",
        "renew": "rare as expected",
        "reports": "forgettable",
        "taxes": "rare as expected",
    }


def test_unmapped_events(engine: str) -> None:
    log = log_b(engine)
    out = unmapped_events(log, catalog_b())
    assert out.columns == UNMAPPED_COLUMNS
    rows = out.rows()
    # chat_opened: b twice, c once (3 events, 2 users); Search_run: c twice; then one each
    assert rows[:2] == [("chat_opened", 3, 2), ("Search_run", 2, 1)]
    assert set(rows[2:]) == {("estimate_xx", 1, 1), ("mortgage_c", 1, 1)}
    assert unmapped_events(log, catalog_b(), top=2).rows() == rows[:2]
    # with every event mapped, nothing is listed
    everything = pl.DataFrame({"event": ["*"], "use_case": ["all"]})
    assert unmapped_events(log, everything).height == 0


def test_by_another_column_names_the_segment_after_it(engine: str) -> None:
    users = USERS_B.with_columns(plan=pl.Series(["pro", "free", "pro", "free", "free"]))
    log = read_log(frame(EVENTS_B), users=users, engine=engine, now=NOW)
    out = use_case_map(log, by="plan", **OPTIONS_B)  # no catalog: "(any)" only
    assert out.columns[:2] == ["plan", "use_case"] and "persona" not in out.columns
    rows = keyed(out.filter(pl.col("adopters") > 0), "plan", "use_case")
    # pro: a, c; free: b, e (too_new); d: (unknown)
    assert set(rows) == {("pro", "(any)"), ("free", "(any)"), ("(unknown)", "(any)")}
    assert (rows[("pro", "(any)")]["adopters"], rows[("free", "(any)")]["evaluable"]) == (2, 1)


def test_no_users_table_puts_everyone_in_all(engine: str) -> None:
    log = read_log(frame(EVENTS_B), engine=engine, now=NOW)
    out = use_case_map(log, rules_b(), **OPTIONS_B)
    assert set(out.filter(pl.col("adopters") > 0)["persona"]) == {"(all)"}
    rows = keyed(out, "persona", "use_case")
    assert rows[("(all)", "(any)")]["adopters"] == 5  # a, b, c, d, e
    assert rows[("(all)", "browse")]["adopters"] == 3  # a, d, e
    assert rows[("(all)", "browse")]["adoption_rate"] == pytest.approx(3 / 5)


def test_as_of_before_the_end_of_the_log_ignores_later_events(engine: str) -> None:
    # a: Mar 1, Mar 10, Apr 5; z: Apr 2 only. as_of = Mar 31, W = 30: window Mar 2 .. 31.
    rows = [("a", at(1), "x"), ("a", at(10), "x"), ("a", noon(D(2024, 4, 5)), "x"), ("z", noon(D(2024, 4, 2)), "x")]
    log = read_log(frame(rows), engine=engine, now=NOW)
    out = use_case_rates(log, as_of=D(2024, 3, 31), window=30, horizon=60, min_exposure=1)
    assert out["user"].to_list() == ["a"]
    r = out.row(0, named=True)
    assert (r["first_use"], r["last_active"], r["exposure"], r["active_days"]) == (D(2024, 3, 1), D(2024, 3, 10), 30, 1)
    assert r["rate"] == pytest.approx(1.0)
    assert r["interval_days"] == pytest.approx(9.0)
    m = use_case_map(log, as_of=D(2024, 3, 31), window=30, horizon=60, min_exposure=1).row(0, named=True)
    assert (m["adopters"], m["adoption_rate"]) == (1, pytest.approx(1.0))  # z is not active by Mar 31


def test_metrics_accept_a_raw_frame() -> None:
    out = use_case_rates(frame(EVENTS_A), **OPTIONS_A)
    assert out.height == len(DAYS_AGO_A) - 1


def test_time_zone_decides_the_day(engine: str) -> None:
    # 2024-03-02T03:30Z is Mar 1 (22:30 EST) in New York, Mar 2 in UTC. W = 30, as_of Mar 31: window Mar 2 .. 31.
    rows = [("a", dt.datetime(2024, 1, 1, 12, tzinfo=UTC), "x"), ("a", dt.datetime(2024, 3, 2, 3, 30, tzinfo=UTC), "x")]
    rows.append(("b", dt.datetime(2024, 3, 31, 12, tzinfo=UTC), "x"))
    ny = use_case_rates(read_log(frame(rows), tz="America/New_York", engine=engine, now=NOW), window=30, min_exposure=1)
    utc = use_case_rates(read_log(frame(rows), tz="UTC", engine=engine, now=NOW), window=30, min_exposure=1)
    assert keyed(ny, "user")[("a",)]["active_days"] == 0
    assert keyed(utc, "user")[("a",)]["active_days"] == 1


# --- empty log -------------------------------------------------------------------------------------------------


def _kind(dtype: pl.DataType) -> str:
    if dtype == pl.String:
        return "str"
    if dtype == pl.Date:
        return "date"
    if dtype == pl.Boolean:
        return "bool"
    if dtype.is_integer():
        return "int"
    if dtype.is_float():
        return "float"
    return str(dtype)


KINDS = {
    "rates": dict(
        zip(
            RATES_COLUMNS,
            ["str", "str", "str", "date", "date", "int", "int", "float", "str", "bool", "float", "float"],
            strict=True,
        )
    ),
    "spectrum": dict(
        zip(
            SPECTRUM_COLUMNS,
            ["str", "str", "str", "int", "float", "int", "float", "str", "str", "float", "float", "bool"],
            strict=True,
        )
    ),
    "map": dict(
        zip(
            MAP_COLUMNS,
            ["str"] * 6
            + ["int"] * 3
            + ["float"] * 3
            + ["str"]
            + ["float"] * 3
            + ["str", "bool", "str"]
            + ["float", "float", "bool"],
            strict=True,
        )
    ),
    "drifting": dict(zip(DRIFTING_COLUMNS, ["str", "str", "str", "float", "float", "date", "int"], strict=True)),
    "unmapped": dict(zip(UNMAPPED_COLUMNS, ["str", "int", "int"], strict=True)),
}


def _all_outputs(log: UsageLog, catalog: object) -> dict[str, pl.DataFrame]:
    return {
        "rates": use_case_rates(log, catalog),
        "spectrum": frequency_spectrum(log, catalog),
        "map": use_case_map(log, catalog),
        "zone": forgettable_zone(log, catalog),
        "drifting": drifting_users(log, catalog),
        "unmapped": unmapped_events(log, rules_b() if catalog is None else catalog),
    }


@pytest.mark.parametrize("with_catalog", [False, True])
def test_empty_log_gives_zero_rows_with_the_documented_columns(engine: str, with_catalog: bool) -> None:
    empty = pl.DataFrame(schema={"user_id": pl.String, "timestamp": pl.Datetime("us", "UTC"), "event": pl.String})
    log = read_log(empty, engine=engine, now=NOW)
    outputs = _all_outputs(log, rules_b() if with_catalog else None)
    for name, out in outputs.items():
        kinds = KINDS["map" if name == "zone" else name]
        assert out.height == 0, name
        assert out.columns == list(kinds), name
        assert {c: _kind(t) for c, t in out.schema.items()} == kinds, name


def test_non_empty_outputs_have_the_same_dtypes(engine: str) -> None:
    outputs = _all_outputs(log_b(engine), catalog_b())
    for name, out in outputs.items():
        kinds = KINDS["map" if name == "zone" else name]
        assert {c: _kind(t) for c, t in out.schema.items()} == kinds, name


# --- against the plain-Python reference on generated logs ------------------------------------------------------

START = dt.datetime(2024, 1, 1, tzinfo=UTC)
SPAN = 200  # days
USERS = ["u1", "u2", "u3", "u4", "u5"]
EVENT_NAMES = ["open", "search_home", "search_rent", "buy", "share"]
RULES = [("open", "browse"), ("search_*", "browse"), ("search_*", "find"), ("b?y", "purchase")]  # share: unmapped
SEGMENT_OF = {"u1": "agent", "u2": "agent", "u3": "buyer", "u4": "owner"}  # u5: (unknown)

single_events = st.lists(
    st.tuples(
        st.sampled_from(USERS),
        st.integers(min_value=0, max_value=SPAN * 24 * 60 - 1).map(lambda m: START + dt.timedelta(minutes=m)),
        st.sampled_from(EVENT_NAMES),
    ),
    max_size=40,
)
# a habit: a user repeats an event every `period` days from `first` for `length` days (dense, regular logs)
habits = st.lists(
    st.tuples(
        st.sampled_from(USERS),
        st.sampled_from(EVENT_NAMES),
        st.integers(min_value=0, max_value=SPAN - 1),
        st.integers(min_value=1, max_value=25),
        st.integers(min_value=1, max_value=SPAN),
        st.integers(min_value=0, max_value=23),
    ),
    max_size=8,
)


# a fading habit: a user active every `period` days for `length` days up to `stop`, then silent (drifting users)
fading = st.lists(
    st.tuples(
        st.sampled_from(USERS),
        st.sampled_from(EVENT_NAMES),
        st.integers(min_value=40, max_value=SPAN - 1),
        st.integers(min_value=1, max_value=6),
        st.integers(min_value=20, max_value=120),
    ).map(lambda f: (f[0], f[1], max(f[2] - f[4], 0), f[3], f[4], 9)),
    max_size=3,
)


def _expand(singles: list, habit_list: list) -> list[tuple[str, dt.datetime, str]]:
    events = list(singles)
    for user, name, first, period, length, hour in habit_list:
        for day in range(first, min(first + length, SPAN), period):
            events.append((user, START + dt.timedelta(days=day, hours=hour), name))
    return events


@st.composite
def options_strategy(draw: st.DrawFn) -> dict[str, object]:
    window = draw(st.integers(min_value=10, max_value=60))
    return {
        "window": window,
        "horizon": draw(st.integers(min_value=60, max_value=200)),
        # mostly at most W (else every adopter is too_new), sometimes just above it
        "min_exposure": draw(st.integers(min_value=1, max_value=window + 2)),
        "threshold": draw(st.sampled_from([0.5, 1.0, 2.0, 4.0])),
        "bands": draw(st.sampled_from([None, {"daily": 10, "weekly": 2, "monthly": 0.5}])),
        "as_of": draw(st.one_of(st.none(), st.integers(min_value=90, max_value=SPAN + 10))),
    }


def _compare_rates(kit: pl.DataFrame, expected: dict, min_exposure: int) -> None:
    got = keyed(kit, "user", "use_case")
    assert set(got) == set(expected)
    for key, e in expected.items():
        g = got[key]
        for column in ("persona", "first_use", "last_active", "exposure", "active_days", "too_new"):
            assert g[column] == e[column], (key, column)
        if e["too_new"]:  # left out of every rate, band and interval: shown or null on the user's row
            assert g["rate"] in (None, pytest.approx(e["rate"])), key
            assert g["band"] in (None, e["band"]), key
            assert g["interval_days"] in (None, approx_or_none(e["interval_days"])), key
        else:
            assert g["rate"] == pytest.approx(e["rate"]), key
            assert g["band"] == e["band"], key
            assert g["interval_days"] == approx_or_none(e["interval_days"]), key
        if e["exposure_prev"] >= min_exposure:
            assert g["previous_rate"] == pytest.approx(e["previous_rate"]), key
        elif e["exposure_prev"] < 1:
            assert g["previous_rate"] is None, key
        else:  # a previous window shorter than min_exposure: either
            assert g["previous_rate"] in (None, pytest.approx(e["previous_rate"])), key


def _compare_spectrum(kit: pl.DataFrame, expected: dict) -> None:
    got = keyed(kit, "persona", "use_case", "band")
    assert set(expected) <= set(got)
    for key, g in got.items():
        users, share = expected.get(key, (0, None))
        assert g["users"] == users, key
        if key in expected:
            assert g["share"] == approx_or_none(share), key
        # the band share's exact interval: scipy's, on the counts (evaluable is checked against the reference apart)
        assert (g["share_low"], g["share_high"]) == exact_interval(g["users"], g["evaluable"]), key
        assert g["small_sample"] == (g["evaluable"] < SMALL), key


def _compare_spectrum_verdicts(kit: pl.DataFrame, expected: dict) -> None:
    columns = ("evaluable", "forgettable_share", "forgettable", "verdict")
    got = {(r[0], r[1]): r[2:] for r in kit.select("persona", "use_case", *columns).unique().rows()}
    assert len(got) == kit.select("persona", "use_case").n_unique()  # one verdict per segment
    assert set(got) == set(expected)
    for key, (evaluable, share, forgettable, verdict) in expected.items():
        assert got[key] == (evaluable, approx_or_none(share), forgettable, verdict), key


def _compare_map(kit: pl.DataFrame, expected: dict) -> None:
    got = keyed(kit, "persona", "use_case")
    assert set(expected) <= set(got)
    for key, g in got.items():
        if key not in expected:  # a segment without adopters, if listed: empty
            unmapped = key[1] == "(unmapped)"
            assert (g["adopters"], g["evaluable"], g["modal_band"], g["forgettable"], g["verdict"]) == (
                0,
                0,
                None,
                None if unmapped else "insufficient_data",
                "not a use case" if unmapped else "insufficient data",
            )
            continue
        e = expected[key]
        exact = ("adopters", "too_new", "evaluable", "modal_band", "forgettable", "frequency_mismatch", "verdict")
        for column in exact:
            assert g[column] == e[column], (key, column)
        for column in (
            "adoption_rate",
            "median_rate",
            "median_interval_days",
            "forgettable_share",
            "ci_low",
            "ci_high",
        ):
            assert g[column] == approx_or_none(e[column]), (key, column)
        assert (g["adoption_rate_low"], g["adoption_rate_high"]) == exact_interval(e["adopters"], e["active"]), key
        assert g["small_sample"] == (e["active"] < SMALL or e["evaluable"] < SMALL), key


def _compare_drifting(kit: pl.DataFrame, expected: dict) -> None:
    got = keyed(kit, "user", "use_case")
    assert set(got) == set(expected)
    for key, e in expected.items():
        g = got[key]
        assert (g["persona"], g["last_active"], g["days_since"]) == (e["persona"], e["last_active"], e["days_since"])
        assert g["previous_rate"] == pytest.approx(e["previous_rate"]), key
        assert g["current_rate"] == pytest.approx(e["current_rate"]), key


def _check_invariants(spectrum: pl.DataFrame, the_map: pl.DataFrame, zone: pl.DataFrame) -> None:
    evaluable = {(r["persona"], r["use_case"]): r["evaluable"] for r in the_map.iter_rows(named=True)}
    users: dict[tuple[str, str], int] = defaultdict(int)
    shares: dict[tuple[str, str], float] = defaultdict(float)
    for r in spectrum.iter_rows(named=True):
        key = (r["persona"], r["use_case"])
        users[key] += r["users"]
        if r["share"] is not None:
            assert 0 <= r["share"] <= 1
            shares[key] += r["share"]
    for key, n in users.items():
        assert n == evaluable.get(key, 0), key
        if n:
            assert shares[key] == pytest.approx(1.0), key
    for r in the_map.iter_rows(named=True):
        if r["forgettable_share"] is None:
            assert r["ci_low"] is None and r["ci_high"] is None
            continue
        assert 0 <= r["forgettable_share"] <= 1
        assert -1e-12 <= r["ci_low"] <= r["forgettable_share"] + 1e-12
        assert r["forgettable_share"] - 1e-12 <= r["ci_high"] <= 1 + 1e-12
        assert r["too_new"] + r["evaluable"] == r["adopters"]
    # the spectrum's verdict columns are the map's
    columns = ["persona", "use_case", "evaluable", "forgettable_share", "forgettable", "verdict"]
    assert spectrum.select(columns).unique().sort("persona", "use_case").equals(the_map.select(columns))
    flagged = the_map.filter(pl.col("forgettable") == "true")
    assert set(zone.select("persona", "use_case").rows()) == set(flagged.select("persona", "use_case").rows())
    assert "(unmapped)" not in zone["use_case"].to_list()
    # the findings first, then (apart) the segments rare as expected; each group largest first
    verdicts = zone["verdict"].to_list()
    assert verdicts == sorted(verdicts, key=["forgettable", "rare as expected"].index)
    for verdict in ("forgettable", "rare as expected"):
        group = zone.filter(pl.col("verdict") == verdict)["evaluable"].to_list()
        assert group == sorted(group, reverse=True)
    assert set(the_map["forgettable"]) <= {"true", "false", "insufficient_data", None}
    # forgettable is null exactly for (unmapped), "true" exactly for the two zone verdicts
    unmapped = the_map.filter(pl.col("use_case") == "(unmapped)")
    assert set(unmapped["verdict"]) <= {"not a use case"} and unmapped["forgettable"].null_count() == unmapped.height
    in_zone = the_map["verdict"].is_in(["forgettable", "rare as expected"])
    assert (in_zone == (the_map["forgettable"] == "true").fill_null(False)).all()


def test_matches_reference(engine: str) -> None:
    # PySpark takes about a second per query: it checks a few generated logs.
    @settings(max_examples=EXAMPLES["pyspark"] if engine == "pyspark" else 35, deadline=None)
    @given(
        singles=single_events,
        habit_list=habits,
        fading_list=fading,
        tz=st.sampled_from(["UTC", "America/New_York", "Asia/Kolkata"]),
        options=options_strategy(),
        with_catalog=st.booleans(),
        segmented=st.booleans(),
        majority=st.sampled_from([0.3, 0.5]),
        min_users=st.integers(min_value=1, max_value=4),
        expected=st.dictionaries(st.sampled_from(sorted({u for _, u in RULES})), st.sampled_from(FREQUENCIES)),
    )
    def check(  # type: ignore[no-untyped-def]
        singles, habit_list, fading_list, tz, options, with_catalog, segmented, majority, min_users, expected
    ):
        _check_matches_reference(
            engine,
            singles,
            habit_list,
            fading_list,
            tz,
            options,
            with_catalog,
            segmented,
            majority,
            min_users,
            expected,
        )

    check()


def _check_matches_reference(  # type: ignore[no-untyped-def]
    engine, singles, habit_list, fading_list, tz, options, with_catalog, segmented, majority, min_users, expected
):
    events = _expand(singles, habit_list + fading_list)
    if not events:
        return
    segment_of = SEGMENT_OF if segmented else None
    users = pl.DataFrame({"user_id": list(SEGMENT_OF), "persona": list(SEGMENT_OF.values())}) if segmented else None
    rules = RULES if with_catalog else None
    catalog: Catalog | None = None
    if rules:  # the expected frequencies are given for every persona (an empty persona)
        profiles = pl.DataFrame(
            {"use_case": list(expected), "expected_frequency": list(expected.values())},
            schema={"use_case": pl.String, "expected_frequency": pl.String},
        )
        rule_frame = pl.DataFrame({"event": [p for p, _ in RULES], "use_case": [u for _, u in RULES]})
        catalog = read_catalog(rule_frame, profiles=profiles if expected else None)
    personas = [*SEGMENT_OF.values(), "(unknown)", "(all)"]
    expected_by_segment = {(p, u): f for p in personas for u, f in expected.items()} if rules else None
    log = read_log(frame(events), users=users, tz=tz, engine=engine, now=NOW)
    options = dict(options)
    if options["as_of"] is not None:  # a day inside the log (the kit refuses an as_of after the log's last day)
        options["as_of"] = min(START.date() + dt.timedelta(days=options["as_of"]), log.as_of)

    threshold = options.pop("threshold")
    bands = options["bands"]
    rate_options = {k: v for k, v in options.items() if k != "bands"}
    reference_options = {"rules": rules, "segment_of": segment_of, **rate_options, "bands": bands}

    kit_rates = use_case_rates(log, catalog, **options)  # the rates do not depend on threshold
    _compare_rates(kit_rates, ref.rates(events, tz, **reference_options), options["min_exposure"])

    map_options = {"threshold": threshold, "majority": majority, "min_users": min_users}
    spectrum = frequency_spectrum(log, catalog, **options, **map_options)
    _compare_spectrum(spectrum, ref.spectrum(events, tz, **reference_options))
    _compare_spectrum_verdicts(
        spectrum,
        ref.spectrum_verdicts(events, tz, **map_options, expected=expected_by_segment, **reference_options),
    )
    the_map = use_case_map(log, catalog, **options, **map_options)
    _compare_map(
        the_map, ref.use_case_map(events, tz, **map_options, expected=expected_by_segment, **reference_options)
    )

    zone = forgettable_zone(log, catalog, **options, **map_options)
    _check_invariants(spectrum, the_map, zone)

    drift_options = {k: v for k, v in options.items() if k != "bands"}
    drift = drifting_users(log, catalog, threshold=threshold, **drift_options)
    _compare_drifting(drift, ref.drifting(events, tz, threshold=threshold, **reference_options))


# --- the demo: planted habits are measured back ----------------------------------------------------------------


@cache
def _demo_log(engine: str) -> UsageLog:
    return read_log(demo_events(), users=demo_users(), engine=engine, now=NOW)


@cache
def _demo_reference() -> dict:
    log = _demo_log("polars")
    events = log.activity.select("user", "day", "event").rows()
    rules = demo_catalog().rows()
    profiles = demo_use_case_profiles()
    expected = {(p, u): f for p, u, f in profiles.select("persona", "use_case", "expected_frequency").rows()}
    return ref.use_case_map(
        events, rules=rules, segment_of=dict(demo_users().select("user_id", "persona").rows()), expected=expected
    )


def test_demo_planted_bands_are_measured_back(engine: str) -> None:
    log = _demo_log(engine)
    catalog = read_catalog(demo_catalog(), profiles=demo_use_case_profiles())
    the_map = keyed(use_case_map(log, catalog), "persona", "use_case")
    planted = planted_bands().rows()
    for persona, use_case, band in planted:
        row = the_map[(persona, use_case)]
        if band != "occasional":
            assert row["modal_band"] == band, (persona, use_case, row)
            assert row["frequency_mismatch"] is False, (persona, use_case)
            continue
        # The demo's "occasional" is r < 1 (see planted_bands), which the doc splits into occasional (0 < r < 1)
        # and lapsed (r = 0). A once-a-year job leaves most of its adopters (active in the 365-day horizon) with
        # no active day in the 90-day window, so the modal band of those pairs is "lapsed" by the doc's
        # definitions (the reference agrees): the planted band is measured back as r < 1 for most adopters.
        assert row["modal_band"] in ("occasional", "lapsed"), (persona, use_case, row)
        assert row["forgettable"] == "true", (persona, use_case, row)
        assert row["forgettable_share"] > 0.5
        # expected yearly/quarterly agrees with occasional and with lapsed (docs/use-cases.md, rule 12)
        assert row["frequency_mismatch"] is False, (persona, use_case, row)
    zone = forgettable_zone(log, catalog)
    assert {(p, c) for p, c, b in planted if b == "occasional"} <= set(zone.select("persona", "use_case").rows())
    _compare_map(use_case_map(log, catalog), _demo_reference())


# --- the real CDNOW purchase log ---------------------------------------------------------------------------------

CDNOW = SHARED / "data" / "cdnow" / "CDNOW_master.txt"
CDNOW_AS_OF = D(1998, 6, 30)


@cache
def _cdnow_purchases() -> tuple[tuple[str, dt.date], ...]:
    rows = []
    with CDNOW.open() as lines:
        header = next(lines).split()
        assert header[:2] == ["customer_id", "date"], header
        for line in lines:
            customer, day = line.split()[:2]
            rows.append((customer, D(int(day[:4]), int(day[4:6]), int(day[6:]))))
    return tuple(rows)


@pytest.mark.skipif(not CDNOW.exists(), reason=f"the CDNOW log is not at {CDNOW} (shared data not mounted)")
def test_cdnow_is_in_the_forgettable_zone(engine: str) -> None:
    purchases = _cdnow_purchases()
    data = pl.DataFrame(purchases, schema={"customer_id": pl.String, "date": pl.Date}, orient="row")
    log = read_log(data, time="date", event=None, engine=engine, now=NOW)
    assert log.as_of == CDNOW_AS_OF

    # a plain loop over the file: horizon 1997-07-01 .. 1998-06-30, window 1998-04-02 .. 1998-06-30
    horizon_start, window_start = D(1997, 7, 1), D(1998, 4, 2)
    assert (CDNOW_AS_OF - horizon_start).days + 1 == 365 and (CDNOW_AS_OF - window_start).days + 1 == 90
    first: dict[str, dt.date] = {}
    window_days: dict[str, set[dt.date]] = defaultdict(set)
    adopters = set()
    for customer, day in purchases:
        first[customer] = min(day, first.get(customer, day))
        if day >= horizon_start:
            adopters.add(customer)
        if day >= window_start:
            window_days[customer].add(day)
    assert max(first.values()) <= D(1997, 3, 31)  # the cohort's first purchases: exposure = W = 90 for all
    # r = 30 * a / 90 < 1  <=>  fewer than 3 purchase days in the last 90 days
    below = sum(1 for c in adopters if len(window_days[c]) < 3)
    share = below / len(adopters)
    assert share > 0.5  # most customers buy less than once a month

    the_map = use_case_map(log, as_of=CDNOW_AS_OF)
    assert the_map.height == 1
    row = the_map.row(0, named=True)
    assert (row["persona"], row["use_case"]) == ("(all)", "(any)")
    assert (row["adopters"], row["too_new"], row["evaluable"]) == (len(adopters), 0, len(adopters))
    assert row["forgettable_share"] == pytest.approx(share)
    assert row["forgettable"] == "true"
    assert row["ci_low"] > 0.5
    low, high = ref.wilson(share, len(adopters))
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(low), pytest.approx(high))

    events = [(c, d, "purchase") for c, d in purchases]
    expected = ref.use_case_map(events, as_of=CDNOW_AS_OF)
    _compare_map(the_map, expected)
    spectrum = frequency_spectrum(log, as_of=CDNOW_AS_OF)
    _compare_spectrum(spectrum, ref.spectrum(events, as_of=CDNOW_AS_OF))
    modal = row["modal_band"]
    assert modal in ("occasional", "lapsed")
    assert spectrum["users"].sum() == len(adopters)
    zone = forgettable_zone(log, as_of=CDNOW_AS_OF)
    assert zone.height == 1


def test_forgettable_zone_takes_the_maps_options_without_forwarding_them() -> None:
    # one signature (use_case_map's), so a new map option reaches the zone without an edit
    assert inspect.signature(forgettable_zone) == inspect.signature(use_case_map)
    log = log_a("polars")
    # the one segment of log A: 6 of 10 evaluable adopters below 1 active day per 30 (0.6 > 0.5), see above
    assert forgettable_zone(log, min_users=10, **OPTIONS_A).height == 1
    # at threshold 0.5 only the 4 lapsed are below it (0.4 <= 0.5): out of the zone
    assert forgettable_zone(log, min_users=10, threshold=0.5, **OPTIONS_A).height == 0
    with pytest.raises(TypeError, match="threshold"):  # the rates never depended on it
        use_case_rates(log, threshold=2.0)  # type: ignore[call-arg]
