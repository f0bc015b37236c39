"""Each user's own calendar: a time-zone column in the users table dates each user's events in their zone.

The reference is plain Python (zoneinfo and datetime, one row at a time): an instant's day is its
date in the user's zone, a wall-clock time's day is its date, users without a zone use ``tz``.
Hand-made cases sit around the 2024 daylight-saving changes: the US moved its clocks on 10 March
(02:00 EST -> 03:00 EDT, i.e. 07:00 UTC), the EU on 31 March (02:00 CET -> 03:00 CEST, 01:00 UTC).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stickiness import UsageLog, read_log, retention
from stickiness._engine import collect
from stickiness.exceptions import ColumnNotFoundError, InvalidOptionError, UsersTableError

from .conftest import NOW

UTC = dt.UTC
NEW_YORK, BERLIN, KOLKATA = "America/New_York", "Europe/Berlin", "Asia/Kolkata"


def reference_activity(rows: list[tuple[str, Any, str]], zones: dict[str, str | None], tz: str) -> Counter[Any]:
    """(user, day, event) -> distinct times, in plain Python: each value dated in its user's zone.

    ``zones`` maps the users-table users to their zone (None or blank: ``tz``); users absent use ``tz``.
    Values: aware datetimes and ISO text with an offset are instants, naive datetimes and text without
    one are wall-clock times (their date), integers are epoch seconds.
    """
    out: Counter[Any] = Counter()
    for user, value, event in set(rows):  # exact duplicates count once
        zone = zoneinfo.ZoneInfo((zones.get(user) or "").strip() or tz)
        if isinstance(value, int):
            value = dt.datetime.fromtimestamp(value, UTC)
        elif isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        day = value.astimezone(zone).date() if value.tzinfo is not None else value.date()
        out[(user, day, event)] += 1
    return out


def _activity(log: UsageLog) -> Counter[Any]:
    """The log's activity table as (user, day, event) -> events, wherever the engine holds it."""
    schema = {"user": log.user_dtype, "day": pl.Date(), "event": pl.String(), "events": pl.Int64()}
    table = log.activity if isinstance(log.activity, pl.DataFrame) else collect(log.activity, schema)
    return Counter({(u, d, e): n for u, d, e, n in table.select("user", "day", "event", "events").iter_rows()})


def _users(zones: dict[str, str | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {"user_id": list(zones), "persona": ["p"] * len(zones), "tz": list(zones.values())},
        schema={"user_id": pl.String(), "persona": pl.String(), "tz": pl.String()},
    )


# --- hand-made: two users, New York and Berlin, around the March 2024 changes ---------------------------------------

ZONES: dict[str, str | None] = {"ny": NEW_YORK, "be": BERLIN}
DST_ROWS = [
    # New York: EST (UTC-5) until 10 March 07:00 UTC, EDT (UTC-4) after.
    ("ny", "2024-03-10T04:59:00Z", "open"),  # 23:59 EST on 9 March -> 9 March (UTC says 10 March)
    ("ny", "2024-03-10T05:00:00Z", "open"),  # 00:00 EST on 10 March -> 10 March
    ("ny", "2024-03-11T03:59:00Z", "open"),  # 23:59 EDT on 10 March (UTC-4 now) -> 10 March
    ("ny", "2024-03-11T04:00:00Z", "open"),  # 00:00 EDT on 11 March -> 11 March (at UTC-5 it would be 10 March)
    # Berlin: CET (UTC+1) until 31 March 01:00 UTC, CEST (UTC+2) after.
    ("be", "2024-03-30T22:59:00Z", "open"),  # 23:59 CET on 30 March -> 30 March
    ("be", "2024-03-30T23:00:00Z", "open"),  # 00:00 CET on 31 March -> 31 March (UTC says 30 March)
    ("be", "2024-03-31T21:59:00Z", "open"),  # 23:59 CEST on 31 March (UTC+2 now) -> 31 March
    ("be", "2024-03-31T22:00:00Z", "open"),  # 00:00 CEST on 1 April -> 1 April (UTC says 31 March)
    ("be", "2024-03-31T02:30:00", "open"),  # wall-clock 02:30 (skipped by the change, still its date) -> 31 March
]


def test_two_users_in_new_york_and_berlin_around_the_dst_changes(engine: str) -> None:
    events = pl.DataFrame(DST_ROWS, schema=["user_id", "timestamp", "event"], orient="row")
    log = read_log(events, users=_users(ZONES), engine=engine, now=NOW, mixed_offsets="assume_tz")
    days = {(u, d) for u, d, _ in _activity(log)}
    march = dt.date(2024, 3, 1).replace
    assert days == {
        ("ny", march(day=9)),
        ("ny", march(day=10)),
        ("ny", march(day=11)),
        ("be", march(day=30)),
        ("be", march(day=31)),
        ("be", dt.date(2024, 4, 1)),
    }
    # 10 March for New York: 05:00Z and 03:59Z the next day (two distinct times); 31 March for Berlin:
    # 23:00Z, 21:59Z and the wall-clock 02:30 (three)
    counts = _activity(log)
    assert counts[("ny", march(day=10), "open")] == 2 and counts[("be", march(day=31), "open")] == 3
    assert counts == reference_activity(DST_ROWS, ZONES, "UTC")
    assert (log.first_day, log.as_of, log.user_tz) == (march(day=9), dt.date(2024, 4, 1), "tz")
    assert log.ledger.rows_used == len(DST_ROWS)
    assert any("each user's own time zone (users-table column 'tz')" in note for note in log.ledger.notes)
    assert any("without were read as wall-clock times in each user's own time zone" in n for n in log.ledger.notes)


def test_users_absent_or_without_a_zone_use_tz_and_dates_stay_their_date() -> None:
    rows = [
        ("ny", dt.datetime(2024, 3, 10, 3, 30, tzinfo=UTC), "open"),  # 22:30 EST on 9 March
        ("blank", dt.datetime(2024, 3, 10, 3, 30, tzinfo=UTC), "open"),  # blank zone: tz (Kolkata) 09:00 on 10 March
        ("absent", dt.datetime(2024, 3, 9, 20, 0, tzinfo=UTC), "open"),  # not in the table: Kolkata 01:30 on 10 March
    ]
    events = pl.DataFrame(rows, schema=["user_id", "ts", "event"], orient="row")
    zones: dict[str, str | None] = {"ny": NEW_YORK, "blank": "  "}
    log = read_log(events, users=_users(zones), tz=KOLKATA, now=NOW)
    assert _activity(log) == Counter(
        {("ny", dt.date(2024, 3, 9), "open"): 1, ("blank", dt.date(2024, 3, 10), "open"): 1}
        | {("absent", dt.date(2024, 3, 10), "open"): 1}
    )
    dates = events.with_columns(pl.col("ts").dt.date())  # dates are days whatever the zone
    assert {d for _, d, _ in _activity(read_log(dates, users=_users(zones), now=NOW))} == {
        dt.date(2024, 3, 10),
        dt.date(2024, 3, 9),
    }


def test_epoch_numbers_are_instants_in_the_users_zone() -> None:
    # 1710043200 = 2024-03-10T04:00:00Z: 23:00 EST on 9 March in New York, 05:00 CET on 10 March in Berlin
    events = pl.DataFrame({"user_id": ["ny", "be"], "ts": [1_710_043_200] * 2})
    log = read_log(events, users=_users(ZONES), event=None, time_unit="s", now=NOW)
    assert {(u, d) for u, d, _ in _activity(log)} == {("ny", dt.date(2024, 3, 9)), ("be", dt.date(2024, 3, 10))}


def test_user_tz_none_reads_every_day_in_tz_and_a_named_column_is_used() -> None:
    events = pl.DataFrame({"user_id": ["ny"], "timestamp": ["2024-03-10T04:59:00Z"], "event": ["open"]})
    plain = read_log(events, users=_users(ZONES), user_tz=None, now=NOW)
    assert {d for _, d, _ in _activity(plain)} == {dt.date(2024, 3, 10)} and plain.user_tz is None
    users = _users(ZONES).rename({"tz": "home_zone"})
    auto = read_log(events, users=users, now=NOW)  # "home_zone" is not a known name: no user zones
    assert auto.user_tz is None
    named = read_log(events, users=users, user_tz="home_zone", now=NOW)
    assert {d for _, d, _ in _activity(named)} == {dt.date(2024, 3, 9)} and named.user_tz == "home_zone"
    assert "home_zone" in named.segment_columns  # still a column by= can name


def test_future_rows_are_judged_in_the_users_zone() -> None:
    # now is 03:00 UTC on 10 March: 19:00 PST on 9 March in Los Angeles, 04:00 CET on 10 March in Berlin.
    now = dt.datetime(2024, 3, 10, 3, 0, tzinfo=UTC)
    rows = [
        ("la", "2024-03-10T00:10:00", "open"),  # wall-clock 10 March in LA, where it is still 9 March: future
        ("la", "2024-03-10T02:30:00Z", "open"),  # 18:30 PST on 9 March: used
        ("be", "2024-03-10T00:10:00", "open"),  # wall-clock 10 March in Berlin, where it is 10 March: used
    ]
    events = pl.DataFrame(rows, schema=["user_id", "timestamp", "event"], orient="row")
    users = _users({"la": "America/Los_Angeles", "be": BERLIN})
    log = read_log(events, users=users, now=now, mixed_offsets="assume_tz")
    assert log.ledger.set_aside["future_time"] == 1
    assert set(_activity(log)) == {("la", dt.date(2024, 3, 9), "open"), ("be", dt.date(2024, 3, 10), "open")}
    # Without user zones, the wall-clock 10 March is read in UTC, where it is 10 March: not the future.
    assert (
        read_log(events, users=users, now=now, mixed_offsets="assume_tz", user_tz=None).ledger.set_aside["future_time"]
        == 0
    )


def test_as_of_may_be_today_in_the_zone_furthest_ahead() -> None:
    # 12:00 UTC on 10 March is 02:00 on 11 March at Kiritimati (UTC+14): as_of 11 March is not the future there.
    now = dt.datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
    events = pl.DataFrame({"user_id": ["k"], "timestamp": ["2024-03-10T11:00:00Z"], "event": ["open"]})
    users = _users({"k": "Pacific/Kiritimati"})
    log = read_log(events, users=users, now=now, as_of="2024-03-11")
    assert set(_activity(log)) == {("k", dt.date(2024, 3, 11), "open")}  # 01:00 on 11 March there
    with pytest.raises(InvalidOptionError, match="after today"):
        read_log(events, users=users, now=now, as_of="2024-03-11", user_tz=None)


def test_bad_zones_and_columns_are_clear_errors() -> None:
    events = pl.DataFrame({"user_id": ["a"], "timestamp": ["2024-03-10T04:59:00Z"], "event": ["open"]})
    users = _users({"a": "Mars/Olympus", "b": "EST5EDT ", "c": "Berlin"})
    with pytest.raises(UsersTableError, match=r"column 'tz' has 2 values that are not time zones .2 users.") as err:
        read_log(events, users=users, now=NOW)
    assert "['Berlin', 'Mars/Olympus']" in str(err.value) and "user_tz=None" in str(err.value)
    numbers = pl.DataFrame({"user_id": ["a"], "persona": ["p"], "timezone": [5]})
    with pytest.raises(UsersTableError, match="'timezone' holds Int64"):
        read_log(events, users=numbers, now=NOW)
    with pytest.raises(ColumnNotFoundError, match="user_tz='zone': the users table has no column 'zone'"):
        read_log(events, users=_users(ZONES), user_tz="zone", now=NOW)
    with pytest.raises(InvalidOptionError, match="no users table was given"):
        read_log(events, user_tz="tz", now=NOW)
    two = _users(ZONES).with_columns(pl.col("tz").alias("time_zone"))
    with pytest.raises(InvalidOptionError, match="more than one time-zone column"):
        read_log(events, users=two, now=NOW)


def test_a_column_of_no_zones_reads_every_day_in_tz() -> None:
    events = pl.DataFrame({"user_id": ["a"], "timestamp": ["2024-03-10T04:59:00Z"], "event": ["open"]})
    users = pl.DataFrame({"user_id": ["a"], "persona": ["p"], "tz": [None]})  # a Null column
    log = read_log(events, users=users, now=NOW)
    assert log.user_tz is None and {d for _, d, _ in _activity(log)} == {dt.date(2024, 3, 10)}


def test_integer_user_ids_are_zoned() -> None:
    events = pl.DataFrame({"user_id": [1, 2], "ts": [dt.datetime(2024, 3, 10, 4, 59, tzinfo=UTC)] * 2})
    users = pl.DataFrame({"user_id": [1], "persona": ["p"], "time_zone": [NEW_YORK]})
    log = read_log(events, users=users, event=None, now=NOW)
    assert {(u, d) for u, d, _ in _activity(log)} == {(1, dt.date(2024, 3, 9)), (2, dt.date(2024, 3, 10))}


# --- generated logs: polars and DuckDB against the reference ---------------------------------------------------------

#: Instants near the 2024 changes (US 10 March 07:00Z and 3 November 06:00Z, EU 31 March and 27 October 01:00Z).
_CHANGES = [dt.datetime(2024, 3, 10, 7), dt.datetime(2024, 3, 31, 1), dt.datetime(2024, 10, 27, 1)]
_instants = st.builds(
    lambda base, seconds: (base.replace(tzinfo=UTC) + dt.timedelta(seconds=seconds)).replace(microsecond=0),
    st.sampled_from([*_CHANGES, dt.datetime(2024, 11, 3, 6)]),
    st.integers(min_value=-30 * 3600, max_value=30 * 3600),
)
_ZONE_CHOICES = [NEW_YORK, BERLIN, KOLKATA, "UTC", None, "", " Europe/Berlin "]
_USERS = ["u0", "u1", "u2", "u3", "u4"]  # u4 is never in the users table


def _text(instant: dt.datetime, offset_minutes: int) -> str:
    """ISO text of ``instant`` with a UTC offset of ``offset_minutes`` (the same instant)."""
    return instant.astimezone(dt.timezone(dt.timedelta(minutes=offset_minutes))).isoformat()


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(_USERS), _instants, st.sampled_from([-300, 0, 60, 330]), st.sampled_from("ab")),
        min_size=1,
        max_size=30,
    ),
    zones=st.lists(st.sampled_from(_ZONE_CHOICES), min_size=4, max_size=4),
    tz=st.sampled_from(["UTC", NEW_YORK, KOLKATA]),
    kind=st.sampled_from(["aware", "text", "epoch", "naive"]),
)
def test_generated_logs_match_the_reference_on_polars_and_duckdb(
    rows: list[tuple[str, dt.datetime, int, str]], zones: list[str | None], tz: str, kind: str
) -> None:
    pytest.importorskip("duckdb")
    table = dict(zip(_USERS[:4], zones, strict=True))
    values: list[Any] = {
        "aware": [instant for _, instant, _, _ in rows],
        "text": [_text(instant, offset) for _, instant, offset, _ in rows],
        "epoch": [int(instant.timestamp()) for _, instant, _, _ in rows],
        "naive": [instant.replace(tzinfo=None) for _, instant, _, _ in rows],  # wall-clock times
    }[kind]
    log_rows = [(user, value, event) for (user, _, _, event), value in zip(rows, values, strict=True)]
    dtype = {"aware": pl.Datetime("us", "UTC"), "text": pl.String(), "epoch": pl.Int64(), "naive": pl.Datetime("us")}
    events = pl.DataFrame(
        log_rows, schema={"user_id": pl.String(), "ts": dtype[kind], "event": pl.String()}, orient="row"
    )
    expected = reference_activity(log_rows, table, tz)
    for engine in ("polars", "duckdb"):
        log = read_log(events, users=_users(table), tz=tz, engine=engine, now=NOW)
        assert _activity(log) == expected, engine
        assert log.ledger.rows_used == len(set(log_rows)) and log.ledger.balanced  # exact duplicates set aside
        assert (log.first_day, log.as_of) == (min(d for _, d, _ in expected), max(d for _, d, _ in expected))


# --- week_start ------------------------------------------------------------------------------------------------------


def test_a_sunday_starts_a_sunday_week(engine: str) -> None:
    # 10 March 2024 is a Sunday, 16 March a Saturday, 17 March a Sunday.
    # Monday weeks: 10 March is in the week of 4 March, 16 March in that of 11 March: two weeks, a retained.
    # Sunday weeks: 10 and 16 March are both in the week of 10 March; 17 March starts the next one.
    events = pl.DataFrame(
        {
            "user_id": ["a", "a", "b"],
            "timestamp": [dt.date(2024, 3, 10), dt.date(2024, 3, 16), dt.date(2024, 3, 17)],
            "event": ["open"] * 3,
        }
    )
    monday = read_log(events, engine=engine, now=NOW)
    sunday = read_log(events, engine=engine, now=NOW, week_start="Sunday")
    assert sunday.week_start == "sunday" and monday.week_start == "monday"
    on_monday = retention(monday, period="week").select("period", "active", "retained").rows()
    on_sunday = retention(sunday, period="week").select("period", "active", "retained").rows()
    march = dt.date(2024, 3, 1).replace
    # Monday weeks: 4-10 March {a}, 11-17 March {a, b} (a retained)
    assert on_monday == [(march(day=4), 1, 0), (march(day=11), 2, 1)]
    # Sunday weeks: 10-16 March {a}, 17-23 March {b} (a not retained)
    assert on_sunday == [(march(day=10), 1, 0), (march(day=17), 1, 0)]


def test_any_day_name_starts_a_week_and_a_bad_one_is_an_error() -> None:
    events = pl.DataFrame({"user_id": ["a"], "timestamp": [dt.date(2024, 3, 13)], "event": ["open"]})  # a Wednesday
    for name, first in [("wednesday", 13), ("thursday", 7), ("saturday", 9), ("tuesday", 12)]:
        table = retention(read_log(events, now=NOW, week_start=name), period="week")
        assert table["period"].to_list() == [dt.date(2024, 3, first)], name
    with pytest.raises(InvalidOptionError, match="week_start='sun': use a day name"):
        read_log(events, now=NOW, week_start="sun")


def reference_weekly_active(rows: list[tuple[str, dt.date]], week_start: int) -> dict[dt.date, int]:
    """First day of each week (starting on weekday ``week_start``, Monday 0) -> distinct active users, by hand."""
    users: dict[dt.date, set[str]] = {}
    for user, day in rows:
        first = day - dt.timedelta(days=(day.weekday() - week_start) % 7)
        users.setdefault(first, set()).add(user)
    weeks = sorted(users)
    every = [weeks[0] + dt.timedelta(weeks=k) for k in range((weeks[-1] - weeks[0]).days // 7 + 1)]
    return {week: len(users.get(week, set())) for week in every}  # weeks without activity count 0


_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


@settings(max_examples=30, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from("abcd"), st.dates(dt.date(2024, 2, 20), dt.date(2024, 4, 20))),
        min_size=1,
        max_size=25,
    ),
    week_start=st.integers(min_value=0, max_value=6),
)
def test_generated_weeks_match_the_reference_on_polars_and_duckdb(
    rows: list[tuple[str, dt.date]], week_start: int
) -> None:
    pytest.importorskip("duckdb")
    events = pl.DataFrame(rows, schema={"user_id": pl.String(), "timestamp": pl.Date()}, orient="row")
    expected = reference_weekly_active(rows, week_start)
    for engine in ("polars", "duckdb"):
        log = read_log(events, event=None, engine=engine, now=NOW, week_start=_WEEKDAYS[week_start])
        table = retention(log, period="week")
        assert dict(table.select("period", "active").iter_rows()) == expected, engine
