"""Retention, churn, cohort matrix, lifecycle, new vs returning, one-and-done and repeat rate.

Checked against the worked example of docs/retention.md (computed by hand), against the plain-Python
reference (tests/reference_retention.py) on hand-made and generated logs, on polars and DuckDB, and on
the real CDNOW log against a direct count over the file.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stickiness import ColumnNotFoundError, InvalidOptionError, read_log
from stickiness.metrics.lifecycle import lifecycle, new_vs_returning
from stickiness.metrics.retention import (
    cohort_curve,
    cohort_matrix,
    one_and_done,
    range_retention,
    repeat_rate,
    retention,
    retention_curve,
)

from . import reference_retention as ref
from .conftest import NOW, frame
from .reference_intervals import SMALL, check_exact_columns
from .retention_example import APR, EXAMPLES, FEB, JAN, MAR, SEGMENT_OF, ZONES, events_strategy, example_log
from .test_use_cases import CDNOW, _cdnow_purchases

D = dt.date
UTC = dt.UTC
#: The interval columns appended to retention's and the cohort tables' (tests/test_intervals.py checks their values).
RATE_INTERVALS = ("retention_rate_low", "retention_rate_high", "churn_rate_low", "churn_rate_high", "small_sample")
SHARE_INTERVAL = ("share_low", "share_high", "small_sample")

# --- the worked example of docs/retention.md, computed by hand ---------------------------------------------------


def test_worked_example_retention_and_churn(engine: str) -> None:
    out = retention(example_log(engine))
    assert out.columns == [
        "period",
        "active_before",
        "active",
        "new",
        "retained",
        "churned",
        "returning",
        "retention_rate",
        "churn_rate",
        "sufficient",
        "complete",
        *RATE_INTERVALS,
    ]
    rows = {r[0]: r[1:] for r in out.drop(RATE_INTERVALS).rows()}
    # returning = CE - CN; five users are fewer than min_users (30): no row is sufficient
    assert rows == {
        JAN: (0, 3, 3, 0, 0, 0, None, None, False, False),
        FEB: (3, 2, 1, 1, 2, 1, pytest.approx(1 / 3), pytest.approx(2 / 3), False, True),
        MAR: (2, 3, 1, 1, 1, 2, 1.0, 0.5, False, True),  # returning: c (retained) and e (back after a gap)
        APR: (3, 2, 0, 1, 2, 2, pytest.approx(2 / 3), pytest.approx(2 / 3), False, False),
    }
    assert retention(example_log(engine), min_users=3)["sufficient"].to_list() == [False, True, False, True]


def test_worked_example_range_retention(engine: str) -> None:
    out = range_retention(example_log(engine), start="2024-03-01", end=D(2024, 3, 31))
    assert out.columns[-5:] == list(RATE_INTERVALS)
    assert out.drop(RATE_INTERVALS).rows() == [
        (MAR, D(2024, 3, 31), 3, 3, 1, 2, 1, 2, pytest.approx(2 / 3), pytest.approx(1 / 3), False, True),
    ]


def test_worked_example_lifecycle_and_quick_ratio(engine: str) -> None:
    out = lifecycle(example_log(engine))
    assert out.columns == [
        "period",
        "active",
        "new",
        "returning",
        "resurrecting",
        "dormant",
        "quick_ratio",
        "complete",
    ]
    assert out.rows() == [
        (JAN, 3, 3, 0, 0, 0, None, False),
        (FEB, 2, 1, 1, 0, -2, 0.5, True),
        (MAR, 3, 1, 1, 1, -1, 2.0, True),
        (APR, 2, 0, 1, 1, -2, 0.5, False),
    ]
    nvr = new_vs_returning(example_log(engine))
    assert nvr.select("period", "active", "new", "returning").rows() == [
        (JAN, 3, 3, 0),
        (FEB, 2, 1, 1),
        (MAR, 3, 1, 2),
        (APR, 2, 0, 2),
    ]
    assert nvr["returning_share"].to_list() == [0.0, 0.5, pytest.approx(2 / 3), 1.0]


def test_worked_example_cohort_matrix(engine: str) -> None:
    log = example_log(engine)
    on = cohort_matrix(log)
    assert on.columns == ["cohort", "offset", "period", "cohort_users", "users", "share", "complete", *SHARE_INTERVAL]
    # (cohort, offset) -> (cohort users, users, complete); April cells are incomplete, May is not listed
    assert {(r[0], r[1]): (r[3], r[4], r[6]) for r in on.rows()} == {
        (JAN, 0): (3, 3, True),
        (JAN, 1): (3, 1, True),
        (JAN, 2): (3, 1, True),
        (JAN, 3): (3, 1, False),
        (FEB, 0): (1, 1, True),
        (FEB, 1): (1, 1, True),
        (FEB, 2): (1, 0, False),
        (MAR, 0): (1, 1, True),
        (MAR, 1): (1, 1, False),
    }
    after = cohort_matrix(log, mode="on_or_after")
    assert after.filter(pl.col("cohort") == JAN)["users"].to_list() == [3, 2, 2, 1]
    assert after.filter(pl.col("cohort") == FEB)["users"].to_list() == [1, 1, 0]
    assert after.filter(pl.col("cohort") == MAR)["users"].to_list() == [1, 1]
    assert after.filter(pl.col("cohort") == JAN)["share"].to_list() == pytest.approx([1, 2 / 3, 2 / 3, 1 / 3])
    assert on.filter(pl.col("cohort") == JAN)["period"].to_list() == [JAN, FEB, MAR, APR]


def test_worked_example_retention_curve(engine: str) -> None:
    log = example_log(engine)
    out = retention_curve(log)
    assert out.columns == [
        *["offset", "cohorts", "partial_cells", "cohort_users", "users", "share", "complete"],
        *SHARE_INTERVAL,
    ]
    # cohorts Jan (a, b, e: 3), Feb (c: 1), Mar (d: 1); April (as_of Apr 15) is not fully observed
    assert out.drop(SHARE_INTERVAL).rows() == [
        (0, 3, 0, 5, 5, 1.0, True),  # 3 + 1 + 1 of 3 + 1 + 1
        (1, 2, 1, 4, 2, 0.5, True),  # Jan 1 of 3 (a), Feb 1 of 1 (c); Mar's +1 is in April: left out
        (2, 1, 1, 3, 1, pytest.approx(1 / 3), True),  # Jan 1 of 3 (e); Feb's +2 is in April
        (3, 0, 1, 3, 1, pytest.approx(1 / 3), False),  # only Jan's April cell (a): kept, flagged incomplete
    ]
    # on or after: Jan 3, 2 (a, e), 2 (a, e), 1 (a); Feb 1, 1, 0; Mar 1, 1
    after = retention_curve(log, mode="on_or_after")
    assert after.select("cohort_users", "users").rows() == [(5, 5), (4, 3), (3, 2), (3, 1)]
    # the curve of a matrix already computed is the same
    assert cohort_curve(cohort_matrix(log)).equals(out)


def test_retention_curve_by_segment_and_on_empty_logs(engine: str) -> None:
    log = read_log(
        frame([("a", D(2024, 1, 3), "x"), ("b", D(2024, 1, 4), "x"), ("a", D(2024, 2, 3), "x")]),
        users=pl.DataFrame({"user_id": ["a", "b"], "plan": ["pro", "free"]}),
        engine=engine,
        now=NOW,
        start="2024-01-01",
        as_of="2024-02-29",
    )
    out = retention_curve(log, by="plan")
    # free: b, Jan only -> offset 1: 0 of 1; pro: a, Jan and Feb -> 1 of 1; every month fully observed
    assert out.drop(SHARE_INTERVAL).rows() == [
        ("free", 0, 1, 0, 1, 1, 1.0, True),
        ("free", 1, 1, 0, 1, 0, 0.0, True),
        ("pro", 0, 1, 0, 1, 1, 1.0, True),
        ("pro", 1, 1, 0, 1, 1, 1.0, True),
    ]
    none = retention_curve(_empty_log(engine))
    assert none.height == 0
    assert dict(none.schema) == {
        "offset": pl.Int64,
        "cohorts": pl.Int64,
        "partial_cells": pl.Int64,
        "cohort_users": pl.Int64,
        "users": pl.Int64,
        "share": pl.Float64,
        "complete": pl.Boolean,
        "share_low": pl.Float64,
        "share_high": pl.Float64,
        "small_sample": pl.Boolean,
    }
    assert dict(retention_curve(log, by="plan").schema) == {"plan": pl.String, **dict(none.schema)}


def test_worked_example_one_and_done_and_repeat_rate(engine: str) -> None:
    log = example_log(engine)
    assert one_and_done(log).rows() == [(5, 0, 1, 0.2, 4, 0.8)]
    assert repeat_rate(log).rows() == [
        (JAN, 3, 1, pytest.approx(1 / 3), True),
        (FEB, 2, 2, 1.0, True),
        (MAR, 3, 2, pytest.approx(2 / 3), True),
        (APR, 2, 2, 1.0, False),
    ]
    # first seen at least 75 days before Apr 15 (by Jan 31): a, b, e; c and d are too new; b has one day
    assert one_and_done(log, min_age=75).rows() == [(3, 2, 1, pytest.approx(1 / 3), 2, pytest.approx(2 / 3))]


# --- hand-made cases -----------------------------------------------------------------------------------------


def test_weeks_are_iso_weeks_from_monday() -> None:
    # 2024-01-07 is a Sunday, 2024-01-08 a Monday
    log = read_log(
        frame([("a", D(2024, 1, 7), "x"), ("a", D(2024, 1, 8), "x"), ("b", D(2024, 1, 14), "x")]),
        now=NOW,
    )
    out = retention(log, period="week")
    assert out.select("period", "active", "new", "retained").rows() == [
        (D(2024, 1, 1), 1, 1, 0),
        (D(2024, 1, 8), 2, 1, 1),
    ]
    assert out["complete"].to_list() == [False, False]  # Jan 1-6 and Jan 15-21 are outside the log
    daily = retention(log, period="day")
    assert daily.height == 8 and daily["active"].sum() == 3


def test_segments_and_the_unknown_segment() -> None:
    users = pl.DataFrame({"user_id": ["a", "b"], "persona": ["agent", "buyer"]})
    rows = [("a", D(2024, 1, 3), "x"), ("b", D(2024, 1, 3), "x"), ("a", D(2024, 2, 3), "x"), ("c", D(2024, 2, 9), "x")]
    log = read_log(frame(rows), users=users, now=NOW)
    out = retention(log, by="persona")
    assert out.columns[0] == "persona"
    got = {(r[0], r[1]): (r[2], r[3], r[4]) for r in out.rows()}
    assert got == {
        ("(unknown)", JAN): (0, 0, 0),
        ("(unknown)", FEB): (0, 1, 1),
        ("agent", JAN): (0, 1, 1),
        ("agent", FEB): (1, 1, 0),
        ("buyer", JAN): (0, 1, 1),
        ("buyer", FEB): (1, 0, 0),
    }
    assert out.filter(pl.col("persona") == "buyer", pl.col("period") == FEB)["churn_rate"].item() == 1.0
    assert set(one_and_done(log, by="persona")["persona"]) == {"(unknown)", "agent", "buyer"}


def test_active_events_restrict_activity() -> None:
    rows = [("a", D(2024, 1, 3), "open"), ("a", D(2024, 2, 3), "buy"), ("b", D(2024, 2, 3), "open")]
    log = read_log(frame(rows), now=NOW)
    out = retention(log, active_events={"buy"})
    assert out.select("period", "active", "new").rows() == [(JAN, 0, 0), (FEB, 1, 1)]


def test_lifecycle_with_a_signup_column(engine: str) -> None:
    users = pl.DataFrame(
        {
            "user_id": ["a", "b", "c", "d"],
            # a signed up in January and first used the product in March: resurrecting in March
            # b signed up in February, as the first activity; c has no signup date; d signed up after using
            "signup": ["2024-01-15", "2024-02-01", None, "2024-03-05"],
        }
    )
    rows = [
        ("c", D(2024, 1, 2), "x"),
        ("b", D(2024, 2, 2), "x"),
        ("d", D(2024, 2, 20), "x"),
        ("a", D(2024, 3, 2), "x"),
        ("b", D(2024, 3, 2), "x"),
        ("d", D(2024, 3, 7), "x"),
    ]
    log = read_log(frame(rows), users=users, engine=engine, now=NOW)
    out = lifecycle(log, signup="signup")
    assert out.select("period", "active", "new", "returning", "resurrecting", "dormant").rows() == [
        (JAN, 1, 1, 0, 0, 0),  # c
        (FEB, 2, 2, 0, 0, -1),  # b, d new (d first active before signing up); c dormant
        (MAR, 3, 0, 2, 1, 0),  # b, d returning; a resurrecting
    ]
    plain = lifecycle(log)
    assert plain.filter(pl.col("period") == MAR)["new"].item() == 1  # a, by first activity
    dates = users.with_columns(pl.col("signup").str.to_date())
    assert lifecycle(read_log(frame(rows), users=dates, engine=engine, now=NOW), signup="signup").equals(out)


def test_periods_without_activity_have_zero_counts() -> None:
    log = read_log(frame([("a", D(2024, 1, 3), "x"), ("a", D(2024, 3, 3), "x")]), now=NOW)
    out = lifecycle(log)
    assert out.select("period", "active", "resurrecting", "dormant", "quick_ratio").rows() == [
        (JAN, 1, 0, 0, None),
        (FEB, 0, 0, -1, 0.0),
        (MAR, 1, 1, 0, None),
    ]
    assert retention(log).filter(pl.col("period") == MAR)["retention_rate"].item() is None  # CS = 0


# --- output schema on tiny and empty logs ---------------------------------------------------------------------

SCHEMAS = {
    "retention": (retention, ["active_before", "active", "new", "retained", "churned"]),
    "lifecycle": (lifecycle, ["active", "new", "returning", "resurrecting", "dormant"]),
    "new_vs_returning": (new_vs_returning, ["active", "new", "returning"]),
    "repeat_rate": (repeat_rate, ["active", "repeat"]),
}


def _empty_log(engine: str, users: pl.DataFrame | None = None):  # type: ignore[no-untyped-def]
    empty = pl.DataFrame(schema={"user_id": pl.String, "timestamp": pl.Datetime("us", "UTC"), "event": pl.String})
    return read_log(empty, users=users, engine=engine, now=NOW)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_series_schema_on_tiny_and_empty_logs(engine: str, name: str) -> None:
    function, counts = SCHEMAS[name]
    users = pl.DataFrame({"user_id": ["a"], "persona": ["agent"]})
    tiny = function(read_log(frame([("a", D(2024, 1, 3), "x")]), users=users, engine=engine, now=NOW), by="persona")
    empty = function(_empty_log(engine, users), by="persona")
    assert empty.height == 0
    assert tiny.height == 1
    assert tiny.schema == empty.schema
    assert tiny.schema["persona"] == pl.String and tiny.schema["period"] == pl.Date
    assert tiny.schema["complete"] == pl.Boolean
    assert all(tiny.schema[c] == pl.Int64 for c in counts)
    assert all(dtype == pl.Float64 for c, dtype in tiny.schema.items() if c.endswith(("_rate", "_ratio", "_share")))


def test_other_schemas_on_tiny_and_empty_logs(engine: str) -> None:
    tiny = read_log(frame([("a", D(2024, 1, 3), "x")]), engine=engine, now=NOW)
    empty = _empty_log(engine)
    for mode in ("on", "on_or_after"):
        cells, none = cohort_matrix(tiny, mode=mode), cohort_matrix(empty, mode=mode)
        assert cells.schema == none.schema and none.height == 0
        assert cells.drop(SHARE_INTERVAL).rows() == [(JAN, 0, JAN, 1, 1, 1.0, False)]
        assert dict(cells.schema) == {
            "cohort": pl.Date,
            "offset": pl.Int64,
            "period": pl.Date,
            "cohort_users": pl.Int64,
            "users": pl.Int64,
            "share": pl.Float64,
            "complete": pl.Boolean,
            "share_low": pl.Float64,
            "share_high": pl.Float64,
            "small_sample": pl.Boolean,
        }
    assert one_and_done(tiny).rows() == [(1, 0, 1, 1.0, 0, 0.0)]
    assert one_and_done(empty).height == 0 and one_and_done(empty).schema == one_and_done(tiny).schema
    third = D(2024, 1, 3)
    ranged, none = range_retention(tiny, start=JAN, end=third), range_retention(empty, start=JAN, end=third)
    assert none.height == 0 and none.schema == ranged.schema
    assert ranged.drop(RATE_INTERVALS).rows() == [
        (JAN, third, 0, 1, 1, 0, 0, 0, None, None, False, False)
    ]  # Dec 29-31 are not observed
    assert range_retention(tiny, start=JAN, end=D(2024, 1, 2)).height == 0  # nobody active up to the end


# --- bad options -----------------------------------------------------------------------------------------------


def test_bad_options_name_the_option_and_the_fix() -> None:
    log = read_log(frame([("a", D(2024, 1, 3), "x")]), now=NOW)
    with pytest.raises(InvalidOptionError, match=r"period='quarter'.*'month'"):
        retention(log, period="quarter")  # type: ignore[arg-type]
    with pytest.raises(InvalidOptionError, match=r"mode='after'.*'on_or_after'"):
        cohort_matrix(log, mode="after")  # type: ignore[arg-type]
    with pytest.raises(InvalidOptionError, match="min_age=-1"):
        one_and_done(log, min_age=-1)
    with pytest.raises(InvalidOptionError, match=r"min_users=0: use a whole number >= 1.*--min-users"):
        retention(log, min_users=0)
    with pytest.raises(InvalidOptionError, match="min_users=True"):
        range_retention(log, start="2024-01-01", end="2024-01-02", min_users=True)
    with pytest.raises(InvalidOptionError, match="start=2024-02-01 is after end=2024-01-01"):
        range_retention(log, start="2024-02-01", end="2024-01-01")
    with pytest.raises(InvalidOptionError, match="not a date"):
        range_retention(log, start="last week", end="2024-01-01")
    with pytest.raises(InvalidOptionError, match="needs a users table"):
        lifecycle(log, by="persona")
    with pytest.raises(InvalidOptionError, match="signup='signup' needs a users table"):
        lifecycle(log, signup="signup")
    users = pl.DataFrame({"user_id": ["a"], "plan": ["pro"], "joined": ["soon"], "n": [3]})
    log = read_log(frame([("a", D(2024, 1, 3), "x")]), users=users, now=NOW)
    with pytest.raises(ColumnNotFoundError, match=r"signup='signup'.*\['plan', 'joined', 'n'\]"):
        lifecycle(log, signup="signup")
    with pytest.raises(InvalidOptionError, match=r"signup='joined': 1 values are not dates, e.g. \['soon'\]"):
        lifecycle(log, signup="joined")
    with pytest.raises(InvalidOptionError, match="signup='n' is a Int64 column"):
        lifecycle(log, signup="n")
    with pytest.raises(ColumnNotFoundError, match="by='persona'"):
        cohort_matrix(log, by="persona")


# --- against the plain-Python reference on generated logs ------------------------------------------------------


def _span(events: list[ref.Event], tz: str, extra_days: int) -> tuple[dt.date, dt.date]:
    days = [ref.day_of(t, tz) for _, t, _ in events]
    return min(days), max(days) + dt.timedelta(days=extra_days)


def _keyed(out: pl.DataFrame, by: str | None, keys: list[str]) -> dict[tuple[object, ...], tuple[object, ...]]:
    result = {}
    for row in out.iter_rows(named=True):
        key = (row[by] if by else "(all)", *[row[k] for k in keys])
        result[key] = tuple(v for k, v in row.items() if k not in {by, *keys, *RATE_INTERVALS, *SHARE_INTERVAL})
    return result


def _same(got: dict[tuple[object, ...], tuple[object, ...]], expected: dict[tuple[object, ...], tuple[object, ...]]):  # type: ignore[no-untyped-def]
    assert got.keys() == expected.keys()
    for key, values in expected.items():
        approx = tuple(pytest.approx(v) if isinstance(v, float) else v for v in values)
        assert got[key] == approx, key


def test_period_metrics_match_reference(engine: str) -> None:
    @settings(max_examples=EXAMPLES[engine], deadline=None)
    @given(
        events=events_strategy,
        tz=st.sampled_from(ZONES),
        period=st.sampled_from(["month", "week", "day"]),
        segmented=st.booleans(),
        extra_days=st.integers(min_value=0, max_value=20),
        min_users=st.integers(min_value=1, max_value=4),
    )
    def check(events, tz, period, segmented, extra_days, min_users) -> None:  # type: ignore[no-untyped-def]
        _check_period_metrics(engine, events, tz, period, segmented, extra_days, min_users)

    check()


def _check_rate_intervals(table: pl.DataFrame) -> None:
    """Churn: scipy's exact interval of churned / active_before. Retention (a bootstrap): null exactly when the
    rate is, and around it (the resamples' quantiles; 4 decimals)."""
    check_exact_columns(table, "churned", "active_before", "churn_rate")
    assert (table["small_sample"] == (table["active_before"] < SMALL)).all()
    rate, low, high = pl.col("retention_rate"), pl.col("retention_rate_low"), pl.col("retention_rate_high")
    assert (table["retention_rate"].is_null() == table["retention_rate_low"].is_null()).all()
    assert table.filter(rate.is_not_null() & ((low > rate + 1e-4) | (high < rate - 1e-4))).height == 0


def _check_period_metrics(engine: str, events, tz, period, segmented, extra_days, min_users) -> None:  # type: ignore[no-untyped-def]
    segment_of = SEGMENT_OF if segmented else None
    users = pl.DataFrame({"user_id": list(SEGMENT_OF), "persona": list(SEGMENT_OF.values())}) if segmented else None
    first, last = _span(events, tz, extra_days)
    log = read_log(frame(events), users=users, tz=tz, as_of=last, engine=engine, now=NOW)
    by = "persona" if segmented else None
    span = {"period": period, "first": first, "last": last, "segment_of": segment_of}

    retained = retention(log, period=period, by=by, min_users=min_users)
    _same(_keyed(retained, by, ["period"]), ref.retention(events, tz, min_users=min_users, **span))
    # each rate is the ratio of two columns printed beside it
    known = retained.filter(pl.col("active_before") > 0)
    assert (known["retention_rate"] == known["returning"] / known["active_before"]).all()
    assert (known["churn_rate"] == known["churned"] / known["active_before"]).all()
    _check_rate_intervals(retained)
    life = lifecycle(log, period=period, by=by)
    _same(_keyed(life, by, ["period"]), ref.lifecycle(events, tz, **span))
    nvr = new_vs_returning(log, period=period, by=by).drop("returning_share", "complete")
    _same(_keyed(nvr, by, ["period"]), ref.new_vs_returning(events, tz, **span))
    _same(
        _keyed(repeat_rate(log, period=period, by=by).drop("repeat_rate"), by, ["period"]),
        ref.repeat_rate(events, tz, **span),
    )
    for mode in ("on", "on_or_after"):
        cells = cohort_matrix(log, period=period, mode=mode, by=by)
        _same(_keyed(cells.drop("share"), by, ["cohort", "offset"]), ref.cohort_matrix(events, tz, mode=mode, **span))
        assert cells["share"].is_between(0, 1).all()
        check_exact_columns(cells, "users", "cohort_users", "share")
        assert (cells["small_sample"] == (cells["cohort_users"] < SMALL)).all()
        curve = retention_curve(log, period=period, mode=mode, by=by)
        _same(_keyed(curve, by, ["offset"]), ref.retention_curve(events, tz, mode=mode, **span))
        check_exact_columns(curve, "users", "cohort_users", "share")

    # invariants
    assert (life["active"] == life["new"] + life["returning"] + life["resurrecting"]).all()
    assert (life["dormant"] <= 0).all()


def test_user_metrics_match_reference(engine: str) -> None:
    @settings(max_examples=EXAMPLES[engine], deadline=None)
    @given(
        events=events_strategy,
        tz=st.sampled_from(ZONES),
        segmented=st.booleans(),
        min_age=st.sampled_from([0, 7, 30]),
        signup_days=st.lists(st.one_of(st.none(), st.integers(-30, 110)), min_size=6, max_size=6),
        range_days=st.tuples(st.integers(min_value=-10, max_value=110), st.integers(min_value=0, max_value=40)),
        min_users=st.integers(min_value=1, max_value=4),
    )
    def check(events, tz, segmented, min_age, signup_days, range_days, min_users) -> None:  # type: ignore[no-untyped-def]
        _check_user_metrics(engine, events, tz, segmented, min_age, signup_days, range_days, min_users)

    check()


def _check_user_metrics(engine: str, events, tz, segmented, min_age, signup_days, range_days, min_users) -> None:  # type: ignore[no-untyped-def]
    names = ["u1", "u2", "u3", "u4", "u5", "u6"]
    base = D(2024, 1, 20)
    signup_of = {
        u: (None if n is None else base + dt.timedelta(days=n)) for u, n in zip(names, signup_days, strict=True)
    }
    segment_of = SEGMENT_OF if segmented else None
    users = pl.DataFrame(
        {
            "user_id": names,
            "persona": [SEGMENT_OF.get(u) for u in names],
            "signup": [signup_of[u] for u in names],
        },
        schema={"user_id": pl.String, "persona": pl.String, "signup": pl.Date},
    )
    first, last = _span(events, tz, 0)
    log = read_log(frame(events), users=users, tz=tz, engine=engine, now=NOW)
    by = "persona" if segmented else None
    # users without a persona are (unknown) in the kit: the reference's segment_of leaves them out too

    got = _keyed(one_and_done(log, by=by, min_age=min_age).drop("one_and_done_share", "repeat_rate"), by, [])
    expected = ref.one_and_done(events, tz, last=last, min_age=min_age, segment_of=segment_of)
    _same(got, {(seg,): values for seg, values in expected.items()})

    start = base + dt.timedelta(days=range_days[0])
    end = start + dt.timedelta(days=range_days[1])
    ranged = range_retention(log, start=start, end=end, by=by, min_users=min_users).drop("start", "end")
    expected_range = ref.range_retention(
        events, tz, start=start, end=end, first=first, last=last, segment_of=segment_of, min_users=min_users
    )
    _same(_keyed(ranged, by, []), {(seg,): values for seg, values in expected_range.items()})
    _check_rate_intervals(ranged)

    life = lifecycle(log, by=by, signup="signup")
    _same(
        _keyed(life, by, ["period"]),
        ref.lifecycle(events, tz, period="month", first=first, last=last, segment_of=segment_of, signup_of=signup_of),
    )


def test_retention_above_100_percent_is_the_ratio_of_its_columns(engine: str) -> None:
    # January: a, b; February: a; March: a and b, who comes back after a gap (resurrected)
    rows = [("a", D(2024, 1, 5), "x"), ("b", D(2024, 1, 9), "x"), ("a", D(2024, 2, 5), "x")]
    rows += [("a", D(2024, 3, 5), "x"), ("b", D(2024, 3, 9), "x")]
    log = read_log(frame(rows), as_of="2024-03-31", engine=engine, now=NOW)
    march = retention(log, min_users=1).filter(pl.col("period") == MAR).row(0, named=True)
    # CS = 1 (a in Feb), CE = 2, CN = 0: retained 1 (a), returning = CE - CN = 2 (a, and b back after a gap)
    assert (march["active_before"], march["retained"], march["churned"], march["returning"]) == (1, 1, 0, 2)
    assert march["retention_rate"] == 2 / 1  # 200%: returning / active_before, both printed beside it
    assert march["churn_rate"] == 0 / 1 and march["sufficient"]
    assert not retention(log)["sufficient"].any()  # 1 user active before is far below the default 30


def test_hand_made_log_matches_reference(engine: str) -> None:
    # one user per lifecycle path, over a leap February, read in New York
    ny = "America/New_York"
    rows = [
        ("a", dt.datetime(2024, 1, 31, 3, 0, tzinfo=UTC), "x"),  # Jan 30 in New York
        ("a", dt.datetime(2024, 2, 29, 12, tzinfo=UTC), "x"),
        ("b", dt.datetime(2024, 1, 15, 12, tzinfo=UTC), "x"),
        ("b", dt.datetime(2024, 4, 1, 2, tzinfo=UTC), "x"),  # Mar 31 in New York
        ("c", dt.datetime(2024, 3, 1, 12, tzinfo=UTC), "x"),
    ]
    log = read_log(frame(rows), tz=ny, engine=engine, now=NOW)
    first, last = D(2024, 1, 15), D(2024, 3, 31)
    assert (log.first_day, log.as_of) == (first, last)
    span = {"period": "month", "first": first, "last": last}
    _same(_keyed(retention(log), None, ["period"]), ref.retention(rows, ny, **span))
    _same(_keyed(lifecycle(log), None, ["period"]), ref.lifecycle(rows, ny, **span))
    assert lifecycle(log).select("resurrecting", "dormant").rows() == [(0, 0), (0, -1), (1, -1)]


# --- the real CDNOW purchase log ---------------------------------------------------------------------------------


@pytest.mark.skipif(not CDNOW.exists(), reason=f"the CDNOW log is not at {CDNOW} (shared data not mounted)")
def test_cdnow_one_and_done_share_and_monthly_repeat_rate(engine: str) -> None:
    purchases = _cdnow_purchases()
    data = pl.DataFrame(purchases, schema={"customer_id": pl.String, "date": pl.Date}, orient="row")
    log = read_log(data, time="date", event=None, engine=engine, now=NOW)

    # a direct count over the file: purchase days per customer, and per month the customers who bought
    # in it and those of them who bought on a day after their first purchase day
    days: dict[str, set[dt.date]] = defaultdict(set)
    for customer, day in purchases:
        days[customer].add(day)
    once = sum(1 for ds in days.values() if len(ds) == 1)
    assert (len(days), once) == (23_570, 12_054)
    active: dict[dt.date, set[str]] = defaultdict(set)
    repeat: dict[dt.date, set[str]] = defaultdict(set)
    for customer, ds in days.items():
        first = min(ds)
        for day in ds:
            month = day.replace(day=1)
            active[month].add(customer)
            if day > first:
                repeat[month].add(customer)

    summary = one_and_done(log).row(0, named=True)
    assert (summary["users"], summary["one_and_done"]) == (len(days), once)
    assert summary["one_and_done_share"] == pytest.approx(once / len(days))
    assert summary["one_and_done_share"] == pytest.approx(0.5114, abs=1e-4)

    monthly = repeat_rate(log)
    assert monthly.height == 18  # January 1997 to June 1998
    for row in monthly.iter_rows(named=True):
        month = row["period"]
        assert (row["active"], row["repeat"]) == (len(active[month]), len(repeat[month])), month
        assert row["repeat_rate"] == pytest.approx(len(repeat[month]) / len(active[month]))
    rates = dict(monthly.select("period", "repeat_rate").rows())
    assert rates[D(1997, 1, 1)] == pytest.approx(0.0960, abs=1e-4)
    assert rates[D(1997, 3, 1)] == pytest.approx(0.3307, abs=1e-4)
    assert all(rates[m] == 1.0 for m in rates if m >= D(1997, 4, 1))  # the cohort was acquired in Q1 1997


# --- both engines on a larger log ------------------------------------------------------------------------------


def test_engines_agree_on_the_demo() -> None:
    pytest.importorskip("duckdb", reason="duckdb is an optional engine: pip install 'stickiness[duckdb]'")
    from stickiness.demo import demo_catalog, demo_events, demo_users
    from stickiness.metrics.adoption import feature_adoption, time_to_first_use, where_users_leave
    from stickiness.metrics.dormancy import dormancy, inactive_users

    events, users, catalog = demo_events(users=100), demo_users(users=100), demo_catalog()
    logs = {engine: read_log(events, users=users, engine=engine, now=NOW) for engine in ("polars", "duckdb")}
    metrics = {
        "retention": lambda log: retention(log, by="persona"),
        "range_retention": lambda log: range_retention(log, start="2026-01-01", end="2026-03-31", by="plan"),
        "cohort_matrix": lambda log: cohort_matrix(log, period="week", mode="on_or_after"),
        "retention_curve": lambda log: retention_curve(log, by="persona"),
        "lifecycle": lambda log: lifecycle(log, by="persona", signup="signup_date"),
        "new_vs_returning": lambda log: new_vs_returning(log, period="week"),
        "one_and_done": lambda log: one_and_done(log, by="persona", min_age=30),
        "repeat_rate": lambda log: repeat_rate(log),
        "dormancy": lambda log: dormancy(log, catalog),
        "inactive_users": lambda log: inactive_users(log),
        "feature_adoption": lambda log: feature_adoption(log, catalog),
        "time_to_first_use": lambda log: time_to_first_use(log, catalog),
        "where_users_leave": lambda log: where_users_leave(log, catalog),
    }
    for name, metric in metrics.items():
        on_polars, on_duckdb = metric(logs["polars"]), metric(logs["duckdb"])
        assert on_polars.height > 0, name
        assert on_polars.equals(on_duckdb), name
