"""Quick checks of the use-case metrics: schemas, a hand-made log, the demo's planted habits, both engines."""

from __future__ import annotations

import datetime as dt
from functools import cache

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from stickiness import read_log
from stickiness.catalog import Catalog, read_catalog
from stickiness.demo import demo_catalog, demo_events, demo_use_case_profiles, demo_users, planted_bands
from stickiness.exceptions import ColumnNotFoundError, InvalidOptionError
from stickiness.log import UsageLog
from stickiness.metrics.use_cases import (
    BANDS,
    drifting_users,
    forgettable_zone,
    frequency_spectrum,
    unmapped_events,
    use_case_map,
    use_case_rates,
)

from .conftest import NOW

RATES = {
    "user": pl.String,
    "persona": pl.String,
    "use_case": pl.String,
    "first_use": pl.Date,
    "last_active": pl.Date,
    "exposure": pl.Int64,
    "active_days": pl.Int64,
    "rate": pl.Float64,
    "band": pl.String,
    "too_new": pl.Boolean,
    "interval_days": pl.Float64,
    "previous_rate": pl.Float64,
}
SPECTRUM = {
    "persona": pl.String,
    "use_case": pl.String,
    "band": pl.String,
    "users": pl.Int64,
    "share": pl.Float64,
    # the segment's verdict, as the map gives it
    "evaluable": pl.Int64,
    "forgettable_share": pl.Float64,
    "forgettable": pl.String,
    "verdict": pl.String,
    # the share's interval (docs/intervals.md)
    "share_low": pl.Float64,
    "share_high": pl.Float64,
    "small_sample": pl.Boolean,
}
MAP = {
    "persona": pl.String,
    "use_case": pl.String,
    "problem": pl.String,
    "why_us": pl.String,
    "alternatives": pl.String,
    "expected_frequency": pl.String,
    "adopters": pl.Int64,
    "too_new": pl.Int64,
    "evaluable": pl.Int64,
    "adoption_rate": pl.Float64,
    "median_rate": pl.Float64,
    "median_interval_days": pl.Float64,
    "modal_band": pl.String,
    "forgettable_share": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "forgettable": pl.String,
    "frequency_mismatch": pl.Boolean,
    "verdict": pl.String,
    # the adoption rate's interval (docs/intervals.md)
    "adoption_rate_low": pl.Float64,
    "adoption_rate_high": pl.Float64,
    "small_sample": pl.Boolean,
}
DRIFTING = {
    "user": pl.String,
    "persona": pl.String,
    "use_case": pl.String,
    "previous_rate": pl.Float64,
    "current_rate": pl.Float64,
    "last_active": pl.Date,
    "days_since": pl.Int64,
}
UNMAPPED = {"event": pl.String, "events": pl.Int64, "users": pl.Int64}
CATALOG = {"event": ["search", "listing_*", "listing_saved"], "use_case": ["browse", "browse", "save"]}


def _log(rows: list[tuple[str, dt.date, str]], engine: str, users: pl.DataFrame | None = None) -> UsageLog:
    events = pl.DataFrame(rows, schema={"user_id": pl.String, "timestamp": pl.Date, "event": pl.String}, orient="row")
    return read_log(events, users=users, engine=engine, now=NOW)  # type: ignore[arg-type]


def _day(n: int) -> dt.date:
    return dt.date(2024, 1, 1) + dt.timedelta(days=n)


def _all_outputs(log: UsageLog, catalog: object) -> dict[str, pl.DataFrame]:
    return {
        "rates": use_case_rates(log, catalog),
        "spectrum": frequency_spectrum(log, catalog),
        "map": use_case_map(log, catalog),
        "zone": forgettable_zone(log, catalog),
        "drifting": drifting_users(log, catalog),
        "unmapped": unmapped_events(log, catalog),
    }


EXPECTED = {"rates": RATES, "spectrum": SPECTRUM, "map": MAP, "zone": MAP, "drifting": DRIFTING, "unmapped": UNMAPPED}


def test_schema_on_tiny_and_empty_input(engine: str) -> None:
    tiny = _log([("a", _day(0), "search"), ("a", _day(40), "listing_viewed"), ("b", _day(60), "logout")], engine)
    empty = _log([], engine)
    for log in (tiny, empty):
        for name, out in _all_outputs(log, CATALOG).items():
            assert dict(out.schema) == EXPECTED[name], name
    assert all(out.height == 0 for out in _all_outputs(empty, CATALOG).values())
    assert frequency_spectrum(tiny, CATALOG).height == 3 * len(BANDS)  # (all) x (any), browse, (unmapped)


def test_hand_made_rates(engine: str) -> None:
    # a: search on days 0, 10, 20 and 80 (as_of = day 80, W = 30, H = 365, min_exposure = 10).
    # b: first use on day 75 -> exposure 6 -> too_new.
    rows = [("a", _day(d), "search") for d in (0, 10, 20, 80)] + [("b", _day(75), "listing_viewed")]
    log = _log(rows, engine)
    rates = use_case_rates(log, CATALOG, window=30, min_exposure=10).filter(pl.col("use_case") == "browse")
    a, b = rates.row(0, named=True), rates.row(1, named=True)
    assert (a["user"], a["exposure"], a["active_days"], a["band"], a["too_new"]) == ("a", 30, 1, "monthly", False)
    assert a["rate"] == pytest.approx(1.0)
    assert a["interval_days"] == 10.0  # gaps 10, 10, 60
    # previous window: days 21 .. 50, exposure 30, no active day -> 0
    assert a["previous_rate"] == 0.0
    assert (b["user"], b["exposure"], b["too_new"], b["rate"], b["band"]) == ("b", 6, True, None, None)
    table = use_case_map(log, CATALOG, window=30, min_exposure=10, min_users=1)
    browse = table.filter(pl.col("use_case") == "browse").row(0, named=True)
    assert (browse["adopters"], browse["too_new"], browse["evaluable"]) == (2, 1, 1)
    assert (browse["modal_band"], browse["forgettable_share"], browse["forgettable"]) == ("monthly", 0.0, "false")
    assert browse["persona"] == "(all)"


def test_drifting_and_segments(engine: str) -> None:
    # a was weekly in days 0 .. 59, silent in the last 60 (as_of = day 119 via c); W = 60.
    rows = [("a", _day(d), "search") for d in range(0, 60, 7)] + [("c", _day(119), "search")]
    users = pl.DataFrame({"user_id": ["a", "x"], "persona": ["buyer", "seller"], "plan": ["pro", "free"]})
    log = _log(rows, engine, users=users)
    drift = drifting_users(log, CATALOG, window=60, horizon=120)
    assert drift.filter(pl.col("use_case") == "browse").select(
        "user", "persona", "current_rate", "days_since"
    ).rows() == [("a", "buyer", 0.0, 63)]
    assert set(use_case_map(log, CATALOG, window=60, horizon=120)["persona"]) == {"buyer", "(unknown)"}
    assert set(use_case_map(log, CATALOG, by="plan", window=60, horizon=120)["plan"]) == {"pro", "(unknown)"}
    with pytest.raises(ColumnNotFoundError, match="country"):
        use_case_map(log, CATALOG, by="country")
    no_users = _log(rows, engine)
    with pytest.raises(InvalidOptionError, match="users table"):
        use_case_map(no_users, by="plan")


def test_options_are_checked(engine: str) -> None:
    log = _log([("a", _day(0), "search")], engine)
    for options in (
        {"window": 0},
        {"window": 100, "horizon": 50},
        {"threshold": 0},
        {"majority": 1.0},
        {"min_users": 0},
        {"bands": {"daily": 4, "weekly": 4, "monthly": 1}},
        {"bands": {"hourly": 100}},
        {"as_of": _day(5)},  # after the log's last day
    ):
        with pytest.raises(InvalidOptionError):
            use_case_map(log, **options)


def test_as_of_ignores_later_rows(engine: str) -> None:
    rows = [("a", _day(d), "search") for d in (0, 10, 20, 80)]
    log = _log(rows, engine)
    early = use_case_rates(log, CATALOG, as_of=_day(20), min_exposure=1).filter(pl.col("use_case") == "browse")
    assert early.select("last_active", "active_days", "exposure").rows() == [(_day(20), 3, 21)]


def test_catalog_rules_and_errors() -> None:
    catalog = read_catalog(pl.DataFrame(CATALOG))
    pairs = catalog.use_cases_of(["listing_saved", "logout", "search"]).rows()
    assert pairs == [
        ("listing_saved", "(any)"),
        ("listing_saved", "browse"),
        ("listing_saved", "save"),
        ("logout", "(any)"),
        ("logout", "(unmapped)"),
        ("search", "(any)"),
        ("search", "browse"),
    ]
    with pytest.raises(ColumnNotFoundError, match="use_case"):
        read_catalog(pl.DataFrame({"event": ["a"], "usecase": ["b"]}))
    with pytest.raises(InvalidOptionError, match="no rules"):
        read_catalog(pl.DataFrame({"event": [], "use_case": []}, schema={"event": pl.String, "use_case": pl.String}))
    with pytest.raises(InvalidOptionError, match="daily"):
        read_catalog(pl.DataFrame({"event": ["a"], "use_case": ["b"], "expected_frequency": ["hourly"]}))
    merged = read_catalog(
        {
            "use_cases": {
                "browse": {"events": ["search"], "expected_frequency": "weekly", "personas": {"x": {"problem": "p"}}}
            }
        }
    )
    assert isinstance(merged, Catalog)
    assert merged.profiles.select("persona", "problem", "expected_frequency").rows() == [
        (None, None, "weekly"),
        ("x", "p", None),
    ]


def test_catalog_csv_with_profiles(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "catalog.csv"  # type: ignore[operator]
    path.write_text(
        "event,use_case,persona,problem,expected_frequency\n"
        "search,browse,,find a home,weekly\n"
        "listing_*,browse,,,\n"
        "estimate,value,owner,price check,monthly\n"
    )
    catalog = read_catalog(path)
    assert catalog.rules.rows() == [("search", "browse"), ("listing_*", "browse"), ("estimate", "value")]
    assert catalog.profiles.select("persona", "use_case", "problem").rows() == [
        (None, "browse", "find a home"),
        ("owner", "value", "price check"),
    ]


def test_unmapped_events(engine: str) -> None:
    rows = [("a", _day(0), "logout"), ("b", _day(0), "logout"), ("a", _day(1), "help"), ("a", _day(1), "search")]
    log = _log(rows, engine)
    assert unmapped_events(log, CATALOG).rows() == [("logout", 2, 2), ("help", 1, 1)]
    assert unmapped_events(log, CATALOG, top=1).height == 1


@cache
def _demo(engine: str) -> dict[str, pl.DataFrame]:
    log = read_log(demo_events(), users=demo_users(), engine=engine, now=NOW)  # type: ignore[arg-type]
    catalog = read_catalog(demo_catalog(), profiles=demo_use_case_profiles())
    return {"map": use_case_map(log, catalog), "spectrum": frequency_spectrum(log, catalog)}


def test_demo_planted_habits(engine: str) -> None:
    table = planted_bands().join(_demo(engine)["map"], on=["persona", "use_case"], how="left")
    assert table["adopters"].null_count() == 0
    habits = table.filter(pl.col("band") != "occasional")
    assert habits["modal_band"].to_list() == habits["band"].to_list()
    assert set(habits["forgettable"]) == {"false"}
    assert not habits["frequency_mismatch"].any()
    # yearly and quarterly habits: few active days in any 90-day window, so the forgettable zone
    rare = table.filter(pl.col("band") == "occasional")
    assert set(rare["forgettable"]) == {"true"}
    assert set(rare["verdict"]) == {"rare as expected"}  # expected yearly or quarterly: listed apart
    assert set(rare["modal_band"]) <= {"occasional", "lapsed"}
    spectrum = _demo(engine)["spectrum"]
    totals = spectrum.group_by("persona", "use_case").agg(pl.col("users").sum(), pl.col("share").sum())
    check = totals.join(_demo(engine)["map"], on=["persona", "use_case"])
    assert (check["users"] == check["evaluable"]).all()
    assert check["share"].to_list() == pytest.approx([1.0] * check.height)


def test_demo_same_on_both_engines() -> None:
    pytest.importorskip("duckdb")
    for name in ("map", "spectrum"):
        assert_frame_equal(_demo("polars")[name], _demo("duckdb")[name])
