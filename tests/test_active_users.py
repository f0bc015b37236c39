from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stickiness
from stickiness import InvalidOptionError, active_users, monthly_active_users, read_log
from stickiness.metrics.active_users import partial_last_day

from . import reference
from .conftest import NOW, frame
from .retention_example import EXAMPLES

SPARK_EXAMPLES = EXAMPLES["pyspark"]

D = dt.date
UTC = dt.UTC


def at(day: int, hour: int = 12, month: int = 1, year: int = 2024) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=UTC)


# --- hand-made cases, expected values worked out by hand -------------------------------------------------


def test_hand_made_daily_counts(engine: str) -> None:
    # a: Jan 1, 5, 12; b: Jan 5; c: Jan 9. MAU window 10 days, WAU 7 days.
    log = read_log(
        frame([("a", at(1), "x"), ("a", at(5), "x"), ("b", at(5), "y"), ("c", at(9), "x"), ("a", at(12), "z")]),
        engine=engine,
        now=NOW,
    )
    out = active_users(log, window=10)
    expected = {
        # day: (dau, wau, mau, complete)
        1: (1, 1, 1, False),
        2: (0, 1, 1, False),
        4: (0, 1, 1, False),
        5: (2, 2, 2, False),
        7: (0, 2, 2, False),
        8: (0, 2, 2, False),  # WAU Jan 2..8: a (5) and b (5)
        9: (1, 3, 3, False),
        10: (0, 3, 3, True),  # first day whose 10-day window starts on the log's first day
        11: (0, 3, 3, True),  # MAU Jan 2..11: a (5), b, c
        12: (1, 2, 3, True),  # WAU Jan 6..12: c (9), a (12)
    }
    assert out.height == 12
    rows = {r["day"].day: (r["dau"], r["wau"], r["mau"], r["complete"]) for r in out.iter_rows(named=True)}
    for day, values in expected.items():
        assert rows[day] == values, day
    last = out.row(-1, named=True)
    assert last["stickiness"] == pytest.approx(1 / 3)


def test_user_leaves_the_window_exactly_after_w_days(engine: str) -> None:
    log = read_log(frame([("a", at(1), "x"), ("b", at(31), "x")]), engine=engine, now=NOW)
    out = active_users(log).select("day", "mau")
    # a counts on Jan 1 .. Jan 30 (30 days), not on Jan 31.
    assert out.filter(pl.col("day") == D(2024, 1, 30))["mau"].item() == 1
    assert out.filter(pl.col("day") == D(2024, 1, 31))["mau"].item() == 1  # b only
    assert active_users(log, window=31).filter(pl.col("day") == D(2024, 1, 31))["mau"].item() == 2


def test_per_segment_with_unknown_users(engine: str) -> None:
    users = pl.DataFrame({"user_id": ["a", "b"], "persona": ["agent", "buyer"]})
    log = read_log(
        frame([("a", at(1), "x"), ("b", at(1), "x"), ("c", at(2), "x"), ("a", at(2), "x")]),
        users=users,
        engine=engine,
        now=NOW,
    )
    out = active_users(log, by="persona", window=7)
    assert out.columns == [
        *["persona", "day", "dau", "wau", "mau", "stickiness", "complete", "partial_day"],
        *["stickiness_low", "stickiness_high", "small_sample"],  # the interval, appended (docs/intervals.md)
    ]
    got = {(r[0], r[1].day): r[2:5] for r in out.rows()}
    assert got == {
        ("(unknown)", 1): (0, 0, 0),
        ("(unknown)", 2): (1, 1, 1),
        ("agent", 1): (1, 1, 1),
        ("agent", 2): (1, 1, 1),
        ("buyer", 1): (1, 1, 1),
        ("buyer", 2): (0, 1, 1),
    }
    assert out.filter(pl.col("mau") == 0)["stickiness"].is_null().all()
    assert log.ledger.users_without_segment == 1


def test_active_events_restrict_activity(engine: str) -> None:
    log = read_log(frame([("a", at(1), "open"), ("b", at(1), "buy"), ("b", at(2), "open")]), engine=engine, now=NOW)
    out = active_users(log, active_events={"buy"}, window=7)
    assert out["dau"].to_list() == [1, 0]
    assert out["mau"].to_list() == [1, 1]


def test_dst_days_in_new_york(engine: str) -> None:
    ny = "America/New_York"
    rows = [
        ("a", dt.datetime(2024, 3, 10, 6, 30, tzinfo=UTC), "x"),  # 01:30 EST, Mar 10
        ("b", dt.datetime(2024, 3, 10, 7, 30, tzinfo=UTC), "x"),  # 03:30 EDT, Mar 10 (the 23-hour day)
        ("c", dt.datetime(2024, 3, 11, 3, 30, tzinfo=UTC), "x"),  # 23:30 EDT, Mar 10
        ("d", dt.datetime(2024, 3, 11, 4, 30, tzinfo=UTC), "x"),  # 00:30 EDT, Mar 11
    ]
    out = active_users(read_log(frame(rows), tz=ny, engine=engine, now=NOW))
    assert out.select("day", "dau").rows() == [(D(2024, 3, 10), 3), (D(2024, 3, 11), 1)]
    out_utc = active_users(read_log(frame(rows), tz="UTC", engine=engine, now=NOW))
    assert out_utc.select("day", "dau").rows() == [(D(2024, 3, 10), 2), (D(2024, 3, 11), 2)]


def test_monthly_summary_by_hand(engine: str) -> None:
    # Feb 2024 has 29 days. a: Feb 1, Feb 29; b: Feb 29; c: Mar 1.
    rows = [
        ("a", at(1, month=2), "x"),
        ("a", at(29, month=2), "x"),
        ("b", at(29, month=2), "x"),
        ("c", at(1, month=3), "x"),
    ]
    out = monthly_active_users(read_log(frame(rows), engine=engine, now=NOW))
    assert out.columns == [
        *["month", "days", "mean_dau", "mau", "stickiness", "complete"],
        *["stickiness_low", "stickiness_high", "small_sample"],
    ]
    feb, mar = out.select("month", "days", "mean_dau", "mau", "stickiness", "complete").rows()
    assert feb == (D(2024, 2, 1), 29, pytest.approx(3 / 29), 2, pytest.approx(3 / 29 / 2), True)
    assert mar == (D(2024, 3, 1), 1, 1.0, 1, 1.0, False)


def test_empty_log_gives_empty_frames_with_the_documented_columns(engine: str) -> None:
    empty = pl.DataFrame(schema={"user_id": pl.String, "timestamp": pl.Datetime("us", "UTC"), "event": pl.String})
    log = read_log(empty, engine=engine, now=NOW)
    assert log.is_empty and log.first_day is None
    out = active_users(log)
    assert out.height == 0
    assert out.schema == pl.Schema(
        {
            "day": pl.Date,
            "dau": pl.Int64,
            "wau": pl.Int64,
            "mau": pl.Int64,
            "stickiness": pl.Float64,
            "complete": pl.Boolean,
            "partial_day": pl.Boolean,
            "stickiness_low": pl.Float64,
            "stickiness_high": pl.Float64,
            "small_sample": pl.Boolean,
        }
    )
    monthly = monthly_active_users(log)
    assert monthly.height == 0
    assert monthly.columns == list(stickiness.schemas.MONTHLY_SCHEMA)


def test_window_must_be_a_whole_number_of_days_at_least_a_week() -> None:
    log = read_log(frame([("a", at(1), "x")]), now=NOW)
    with pytest.raises(InvalidOptionError, match="window=3"):
        active_users(log, window=3)


def test_by_needs_a_users_table_and_a_known_column() -> None:
    log = read_log(frame([("a", at(1), "x")]), now=NOW)
    with pytest.raises(InvalidOptionError, match="needs a users table"):
        active_users(log, by="persona")
    log = read_log(frame([("a", at(1), "x")]), users=pl.DataFrame({"user_id": ["a"], "plan": ["pro"]}), now=NOW)
    with pytest.raises(stickiness.ColumnNotFoundError, match=r"Segment columns: \['plan'\]"):
        active_users(log, by="persona")


def test_metrics_accept_a_raw_source_too() -> None:
    out = active_users(frame([("a", at(1), "x")]))
    assert out["dau"].to_list() == [1]


# --- against the plain-Python reference on generated logs --------------------------------------------------

ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Pacific/Auckland"]
START = dt.datetime(2024, 1, 20, tzinfo=UTC)

events_strategy = st.lists(
    st.tuples(
        st.sampled_from(["u1", "u2", "u3", "u4", "u5", "u6"]),
        st.integers(min_value=0, max_value=75 * 24 * 60).map(lambda m: START + dt.timedelta(minutes=m)),
        st.sampled_from(["open", "search", "buy"]),
    ),
    min_size=1,
    max_size=60,
)


def _kit_daily(out: pl.DataFrame, by: str | None) -> dict[tuple[str, dt.date], tuple[object, ...]]:
    result = {}
    for r in out.iter_rows(named=True):
        key = (r[by] if by else "(all)", r["day"])
        result[key] = (r["dau"], r["wau"], r["mau"], r["stickiness"], r["complete"], r["partial_day"])
    return result


def test_daily_matches_reference(engine: str) -> None:
    @settings(max_examples=_examples(engine, 40), deadline=None)
    @given(
        events=events_strategy,
        tz=st.sampled_from(ZONES),
        window=st.sampled_from([7, 10, 28, 30]),
        segmented=st.booleans(),
        active=st.sampled_from([None, {"open"}, {"search", "buy"}]),
    )
    def check(events, tz, window, segmented, active) -> None:  # type: ignore[no-untyped-def]
        _check_daily(engine, events, tz, window, segmented, active)

    check()


def _examples(engine: str, examples: int) -> int:
    """Generated logs per engine: PySpark takes about a second per query, so it checks a few."""
    return SPARK_EXAMPLES if engine == "pyspark" else examples


def _check_daily(engine: str, events, tz, window, segmented, active) -> None:  # type: ignore[no-untyped-def]
    segment_of = {"u1": "agent", "u2": "agent", "u3": "buyer", "u4": "owner"} if segmented else None
    users = pl.DataFrame({"user_id": list(segment_of), "persona": list(segment_of.values())}) if segment_of else None
    log = read_log(frame(events), users=users, tz=tz, engine=engine, now=NOW)
    by = "persona" if segmented else None
    out = active_users(log, window=window, by=by, active_events=active)
    expected = reference.daily(events, tz, window=window, segment_of=segment_of, active_events=active)
    got = _kit_daily(out, by)
    assert got.keys() == expected.keys()
    for key, (dau, wau, mau, ratio, complete, partial) in expected.items():
        g = got[key]
        assert g[:3] == (dau, wau, mau), key
        assert g[3] == (pytest.approx(ratio) if ratio is not None else None), key
        assert g[4:] == (complete, partial), key
    # invariants
    assert (out["dau"] <= out["wau"]).all() and (out["wau"] <= out["mau"]).all()
    assert out["stickiness"].drop_nulls().is_between(0, 1).all()


def test_monthly_matches_reference(engine: str) -> None:
    @settings(max_examples=_examples(engine, 30), deadline=None)
    @given(events=events_strategy, tz=st.sampled_from(ZONES), segmented=st.booleans())
    def check(events, tz, segmented) -> None:  # type: ignore[no-untyped-def]
        _check_monthly(engine, events, tz, segmented)

    check()


def _check_monthly(engine: str, events, tz, segmented) -> None:  # type: ignore[no-untyped-def]
    segment_of = {"u1": "agent", "u2": "agent", "u3": "buyer"} if segmented else None
    users = pl.DataFrame({"user_id": list(segment_of), "persona": list(segment_of.values())}) if segment_of else None
    by = "persona" if segmented else None
    out = monthly_active_users(read_log(frame(events), users=users, tz=tz, engine=engine, now=NOW), by=by)
    expected = reference.monthly(events, tz, segment_of=segment_of)
    got = {((r[by] if by else "(all)"), r["month"]): r for r in out.iter_rows(named=True)}
    assert got.keys() == expected.keys()
    for key, (days, mean_dau, mau, ratio, complete) in expected.items():
        r = got[key]
        assert (r["days"], r["mau"], r["complete"]) == (days, mau, complete), key
        assert r["mean_dau"] == pytest.approx(mean_dau), key
        assert r["stickiness"] == (pytest.approx(ratio) if ratio is not None else None), key


# --- a partial last day (docs/metrics.md, "A partial last day") ---------------------------------------------


def _counts_log(counts: dict[dt.date, int], engine: str = "polars", users: pl.DataFrame | None = None):  # type: ignore[no-untyped-def]
    """A log with users u0 .. u(n-1) active on each day, n = counts[day]."""
    rows = [
        (f"u{u}", dt.datetime(d.year, d.month, d.day, 9, tzinfo=UTC), "open")
        for d, n in counts.items()
        for u in range(n)
    ]
    return read_log(frame(rows), users=users, engine=engine, now=NOW)


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def test_a_partial_last_day_is_flagged_and_its_month_incomplete(engine: str) -> None:
    # April 1 .. May 31 2024, 40 users a day; the log stops at dawn on May 31: 6 users
    counts = dict.fromkeys(_days(D(2024, 4, 1), D(2024, 5, 30)), 40) | {D(2024, 5, 31): 6}
    log = _counts_log(counts, engine)
    # Fridays May 24, 17, 10, 3: median 40; the 7 days before: median 40; 6 < 40 / 2 = 20 on both counts
    assert partial_last_day(log) == D(2024, 5, 31)
    out = active_users(log)
    flagged = out.filter(pl.col("partial_day"))
    assert flagged.select("day", "dau", "complete").rows() == [(D(2024, 5, 31), 6, False)]
    assert out.filter(pl.col("day") == D(2024, 5, 30))["complete"].item()  # the day before is complete
    monthly = monthly_active_users(log)
    assert monthly.select("month", "days", "complete").rows() == [(D(2024, 4, 1), 30, True), (D(2024, 5, 1), 31, False)]
    # per segment: every segment's row of that day is flagged (the rule looks at the whole product)
    users = pl.DataFrame({"user_id": [f"u{u}" for u in range(40)], "persona": ["agent", "buyer"] * 20})
    by_persona = active_users(_counts_log(counts, engine, users), by="persona")
    assert by_persona.filter(pl.col("partial_day")).select("persona", "day").rows() == [
        ("agent", D(2024, 5, 31)),
        ("buyer", D(2024, 5, 31)),
    ]


def test_a_quiet_sunday_is_not_a_partial_day(engine: str) -> None:
    # a weekday product: 100 users Monday to Friday, 30 on Saturdays and Sundays; the log ends on Sunday June 30
    counts = {d: (30 if d.weekday() >= 5 else 100) for d in _days(D(2024, 5, 27), D(2024, 6, 30))}
    log = _counts_log(counts, engine)
    # Sundays June 23, 16, 9, 2: median 30, half 15; 30 >= 15: not partial (though below half of the week's 100)
    assert partial_last_day(log) is None
    assert not active_users(log)["partial_day"].any()
    # the same Sunday cut at dawn (5 users): 5 < 15 and 5 < 100 / 2
    assert partial_last_day(_counts_log(counts | {D(2024, 6, 30): 5}, engine)) == D(2024, 6, 30)


def test_no_partial_day_without_four_weeks_or_enough_users() -> None:
    # 28 days (June 3 .. 30): June 2, the 4th Sunday before June 30, is not in the log
    short = dict.fromkeys(_days(D(2024, 6, 3), D(2024, 6, 29)), 40) | {D(2024, 6, 30): 1}
    assert partial_last_day(_counts_log(short)) is None
    # 29 days with 19 users a day: half the usual is ordinary noise below 20 users
    few = dict.fromkeys(_days(D(2024, 6, 2), D(2024, 6, 29)), 19) | {D(2024, 6, 30): 1}
    assert partial_last_day(_counts_log(few)) is None
    assert partial_last_day(_counts_log(few | dict.fromkeys(_days(D(2024, 6, 2), D(2024, 6, 29)), 20))) == D(
        2024, 6, 30
    )


def test_partial_day_matches_reference(engine: str) -> None:
    @settings(max_examples=_examples(engine, 30), deadline=None)
    @given(
        counts=st.lists(st.integers(min_value=0, max_value=60), min_size=25, max_size=45),
        last=st.integers(min_value=0, max_value=60),
        segmented=st.booleans(),
    )
    def check(counts, last, segmented) -> None:  # type: ignore[no-untyped-def]
        days = _days(D(2024, 1, 1), D(2024, 1, 1) + dt.timedelta(days=len(counts) - 1))
        # the first and last days have a user: they are the log's first day and as_of
        by_day = dict(zip(days, [max(counts[0], 1), *counts[1:-1], max(last, 1)], strict=True))
        users = pl.DataFrame({"user_id": [f"u{u}" for u in range(60)], "persona": ["agent", "buyer", "c"] * 20})
        log = _counts_log(by_day, engine, users if segmented else None)
        events = [
            (f"u{u}", dt.datetime(d.year, d.month, d.day, 9, tzinfo=UTC), "open")
            for d, n in by_day.items()
            for u in range(n)
        ]
        expected = reference.partial_last_day(events, "UTC")
        assert partial_last_day(log) == expected
        out = active_users(log, by="persona" if segmented else None)
        assert set(out.filter(pl.col("partial_day"))["day"]) == ({expected} if expected else set())

    check()
