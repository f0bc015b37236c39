"""Tests of the built-in demo data generator (stickiness.demo)."""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from stickiness.demo import (
    DEFAULT_END,
    DEFAULT_START,
    demo_catalog,
    demo_events,
    demo_use_case_profiles,
    demo_users,
    planted_bands,
    write_demo,
)

BANDS = {  # active days per 30 days: [low, high)
    "daily": (20.0, float("inf")),
    "weekly": (4.0, 20.0),
    "monthly": (1.0, 4.0),
    "occasional": (0.0, 1.0),
}
WINDOW_DAYS = 90


@pytest.fixture(scope="module")
def events() -> pl.DataFrame:
    return demo_events()


@pytest.fixture(scope="module")
def users() -> pl.DataFrame:
    return demo_users()


# --------------------------------------------------------------------------- determinism


def test_same_seed_gives_the_same_data(events: pl.DataFrame, users: pl.DataFrame) -> None:
    assert demo_events(seed=7).equals(events)
    assert demo_users(seed=7).equals(users)


def test_different_seed_gives_different_data(events: pl.DataFrame, users: pl.DataFrame) -> None:
    assert not demo_events(seed=8).equals(events)
    assert not demo_users(seed=8).equals(users)


def test_users_match_events_for_non_default_arguments() -> None:
    kwargs = {"users": 150, "start": date(2024, 3, 1), "end": date(2024, 12, 31), "seed": 3}
    ev = demo_events(**kwargs)
    us = demo_users(**kwargs)
    assert us.height == 150
    assert set(ev["user_id"]) <= set(us["user_id"])
    first = {}
    for user_id, ts in zip(ev["user_id"], ev["timestamp"], strict=True):
        day = ts.date()
        if user_id not in first or day < first[user_id]:
            first[user_id] = day
    signup = dict(zip(us["user_id"], us["signup_date"], strict=True))
    assert all(signup[u] <= d for u, d in first.items())
    days = ev["timestamp"].dt.date()
    assert days.min() >= date(2024, 3, 1)
    assert days.max() <= date(2024, 12, 31)


# --------------------------------------------------------------------------- schemas


def test_events_schema(events: pl.DataFrame) -> None:
    expected = {"user_id": pl.String, "timestamp": pl.Datetime("us", "UTC"), "event": pl.String}
    assert events.schema == pl.Schema(expected)
    assert events.null_count().sum_horizontal().item() == 0
    assert all(re.fullmatch(r"u\d{5}", u) for u in events["user_id"].unique())


def test_users_schema(users: pl.DataFrame) -> None:
    assert users.schema == pl.Schema(
        {"user_id": pl.String, "persona": pl.String, "signup_date": pl.Date, "plan": pl.String}
    )
    assert users["user_id"].is_unique().all()
    assert set(users["persona"]) == {"agent", "home_buyer", "homeowner", "renter"}
    assert set(users["plan"]) == {"free", "pro"}


def test_catalog_profiles_and_bands_schemas() -> None:
    catalog = demo_catalog()
    assert catalog.schema == pl.Schema({"event": pl.String, "use_case": pl.String})
    assert catalog["event"].is_unique().all()
    per_use_case = catalog.group_by("use_case").len()["len"]
    assert per_use_case.min() >= 1
    assert per_use_case.max() <= 3

    profiles = demo_use_case_profiles()
    assert profiles.columns == [
        "persona",
        "use_case",
        "problem",
        "why_us",
        "alternatives",
        "expected_frequency",
    ]
    assert all(dtype == pl.String for dtype in profiles.dtypes)
    assert set(profiles["expected_frequency"]) <= {
        "daily",
        "weekly",
        "monthly",
        "quarterly",
        "yearly",
    }
    for row in profiles.iter_rows(named=True):
        assert all(len(row[c]) > 20 for c in ("problem", "why_us", "alternatives"))

    bands = planted_bands()
    expected = {"persona": pl.String, "use_case": pl.String, "band": pl.String}
    assert bands.schema == pl.Schema(expected)
    assert set(bands["band"]) == set(BANDS)  # every band is planted at least once
    pairs = set(zip(bands["persona"], bands["use_case"], strict=True))
    assert len(pairs) == bands.height
    assert pairs == set(zip(profiles["persona"], profiles["use_case"], strict=True))
    assert set(bands["use_case"]) == set(catalog["use_case"])


# --------------------------------------------------------------------------- contents


def test_default_size(events: pl.DataFrame, users: pl.DataFrame) -> None:
    assert users.height == 2000
    assert 200_000 <= events.height <= 600_000
    days = events["timestamp"].dt.date()
    assert days.min() >= DEFAULT_START
    assert days.max() == DEFAULT_END
    assert (DEFAULT_END - DEFAULT_START).days >= 500


def test_signups_spread_over_the_period_and_grow(users: pl.DataFrame) -> None:
    first_half = users.filter(pl.col("signup_date") < date(2025, 10, 1)).height
    second_half = users.height - first_half
    assert first_half > 300
    assert second_half > first_half


def test_every_event_is_in_the_catalog(events: pl.DataFrame) -> None:
    assert set(events["event"].unique()) == set(demo_catalog()["event"])


def test_every_user_in_events_is_in_users(events: pl.DataFrame, users: pl.DataFrame) -> None:
    assert set(events["user_id"].unique()) <= set(users["user_id"])


def test_signup_date_is_on_or_before_the_first_event(
    events: pl.DataFrame,
    users: pl.DataFrame,
) -> None:
    first = (
        events.group_by("user_id")
        .agg(first_day=pl.col("timestamp").min().dt.date())
        .join(users, on="user_id", how="inner", validate="1:1")
    )
    assert first.height == events["user_id"].n_unique()
    assert (first["signup_date"] <= first["first_day"]).all()


def test_some_users_drop_out_and_some_are_one_and_done(events: pl.DataFrame) -> None:
    per_user = events.group_by("user_id").agg(
        last_day=pl.col("timestamp").max().dt.date(),
        active_days=pl.col("timestamp").dt.date().n_unique(),
    )
    lapsed = per_user.filter(pl.col("last_day") < DEFAULT_END - timedelta(days=60)).height
    assert lapsed > 0.1 * per_user.height
    assert per_user.filter(pl.col("active_days") == 1).height > 0.03 * per_user.height


def test_duplicate_share_is_about_two_per_mille(events: pl.DataFrame) -> None:
    duplicates = events.height - events.unique().height
    assert 0.0015 <= duplicates / events.height <= 0.0025


def test_several_events_per_active_day(events: pl.DataFrame) -> None:
    per_day = events.group_by("user_id", pl.col("timestamp").dt.date()).len()["len"]
    assert per_day.min() >= 1
    assert per_day.max() > 5
    assert 1.5 < per_day.mean() < 10


PLANTED = [pytest.param(*row, id="-".join(row)) for row in planted_bands().iter_rows()]


@pytest.mark.parametrize(("persona", "use_case", "band"), PLANTED)
def test_planted_habit_lands_in_its_band(
    persona: str, use_case: str, band: str, usage_in_window: dict[tuple[str, str], list[float]]
) -> None:
    values = usage_in_window[(persona, use_case)]
    assert len(values) >= 20, "too few users to judge the band"
    low, high = BANDS[band]
    assert low <= statistics.median(values) < high


@pytest.fixture(scope="module")
def usage_in_window(
    events: pl.DataFrame,
    users: pl.DataFrame,
) -> dict[tuple[str, str], list[float]]:
    """Active days per 30 days in the last 90 days, per persona x use case, in plain Python."""
    window_start = DEFAULT_END - timedelta(days=WINDOW_DAYS - 1)
    cutoff = DEFAULT_END - timedelta(days=WINDOW_DAYS)
    use_case_of = dict(demo_catalog().iter_rows())
    persona_of = {}
    for user_id, persona, signup_date, _plan in users.iter_rows():
        if signup_date <= cutoff:
            persona_of[user_id] = persona
    days: dict[tuple[str, str, str], set[date]] = defaultdict(set)
    for user_id, ts, event in events.iter_rows():
        day = ts.date()
        if day >= window_start and user_id in persona_of:
            days[(persona_of[user_id], use_case_of[event], user_id)].add(day)
    out: dict[tuple[str, str], list[float]] = defaultdict(list)
    for (persona, use_case, _user), active in days.items():
        out[(persona, use_case)].append(30 * len(active) / WINDOW_DAYS)
    return dict(out)


# --------------------------------------------------------------------------- files


def test_write_demo(tmp_path: Path, events: pl.DataFrame, users: pl.DataFrame) -> None:
    folder = tmp_path / "new" / "demo"
    paths = write_demo(folder)
    assert set(paths) == {"events", "users", "use_cases", "profiles"}
    assert all(p.parent == folder and p.is_file() for p in paths.values())
    assert [p.name for p in paths.values()] == ["events.csv", "users.csv", "use_cases.csv", "use_case_profiles.csv"]

    written = pl.read_csv(paths["events"], infer_schema=False)
    assert written.columns == ["user_id", "timestamp", "event"]
    assert written.height == events.height
    stamp = written["timestamp"][0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)", stamp)
    parsed = written["timestamp"].str.to_datetime(time_unit="us", time_zone="UTC")
    assert parsed.equals(events["timestamp"], check_names=False)
    first = datetime.fromisoformat(stamp)
    assert first.utcoffset() == timedelta(0)

    written_users = pl.read_csv(paths["users"], try_parse_dates=True)
    assert written_users.equals(users)
    assert pl.read_csv(paths["use_cases"]).equals(demo_catalog())
    assert pl.read_csv(paths["profiles"]).equals(demo_use_case_profiles())


# --------------------------------------------------------------------------- arguments


@pytest.mark.parametrize(
    "kwargs",
    [
        {"users": 0},
        {"users": -5},
        {"users": 2.5},
        {"start": date(2026, 6, 30)},
        {"start": date(2026, 7, 1)},
        {"start": datetime(2025, 1, 1)},
    ],
)
def test_bad_arguments_raise_value_error(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"pass"):
        demo_events(**kwargs)
    with pytest.raises(ValueError, match=r"pass"):
        demo_users(**kwargs)


def test_arguments_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        demo_events(100)  # type: ignore[misc]


def test_small_and_tiny_logs() -> None:
    assert demo_users(users=1).height == 1
    assert demo_events(users=1).height >= 1
    ev = demo_events(users=20, start=date(2026, 6, 1), end=date(2026, 6, 2))
    assert ev.height > 0
    assert set(ev["timestamp"].dt.date()) <= {date(2026, 6, 1), date(2026, 6, 2)}
