"""Times: epoch units (inferred or checked), leap seconds, impossible clock times and a future as_of."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from stickiness import InvalidOptionError, read_log
from stickiness._time import guess_unit, likely_unit, unit_for

from .conftest import NOW, frame

D = dt.date
# 1709856000 s = 2024-03-08T00:00:00Z (19790 days * 86400 s; 19790 days after 1970-01-01 is 2024-03-08);
# 1709942400 s = 1709856000 + 86400 = 2024-03-09T00:00:00Z.
SECONDS = [1_709_856_000, 1_709_942_400]
DAYS = [D(2024, 3, 8), D(2024, 3, 9)]
PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


def epoch_log(values: list[object]) -> pl.DataFrame:
    return pl.DataFrame({"user_id": ["a", "b"], "timestamp": values, "event": ["x", "y"]})


# --- epoch units inferred from the magnitude ------------------------------------------------------------------


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_numeric_times_without_time_unit_get_their_unit_from_the_magnitude(unit: str) -> None:
    values = [v * PER_SECOND[unit] for v in SECONDS]
    log = read_log(epoch_log(values), now=NOW)
    assert sorted(log.activity["day"].to_list()) == DAYS
    names = {"s": "seconds", "ms": "milliseconds", "us": "microseconds", "ns": "nanoseconds"}
    assert any(f"read as {names[unit]}" in note and "inferred" in note for note in log.ledger.notes)


def test_digit_text_in_a_csv_is_epoch_time_but_eight_digits_stay_a_date(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    # 1709856000123 ms = 2024-03-08T00:00:00.123Z (13 digits, median 1.7e12: ms); 20240310 is YYYYMMDD,
    # a date, not 20 million seconds; the padded value is trimmed.
    path.write_text("user_id,timestamp,event\na,1709856000123,x\nb,20240310,y\nc, 1709856000456 ,z\n")
    log = read_log(path, now=NOW)
    assert sorted(log.activity.select("user", "day").rows()) == [
        ("a", D(2024, 3, 8)),
        ("b", D(2024, 3, 10)),
        ("c", D(2024, 3, 8)),
    ]
    assert any("read as milliseconds" in note for note in log.ledger.notes)


def test_short_numbers_in_text_stay_unparseable_not_1970() -> None:
    log = read_log(frame([("a", "2024-03-08T10:00:00Z", "x"), ("b", "0", "x"), ("c", "42", "x")]), now=NOW)
    assert log.ledger.set_aside["unparseable_time"] == 2
    assert log.activity["day"].to_list() == [D(2024, 3, 8)]


def test_unit_cut_offs() -> None:
    # documented in docs/metrics.md: below 1e11 s, below 1e14 ms, below 1e17 us, else ns
    assert [unit_for(x) for x in (9.99e10, 1e11, 9.99e13, 1e14, 9.99e16, 1e17)] == ["s", "ms", "ms", "us", "us", "ns"]
    # 1980-01-01 is 315532800 s (3652 days * 86400); 2201-01-01 is 7289654400 s (84371 days * 86400)
    assert [likely_unit(x) for x in (315_532_799, 315_532_800, 7_289_654_399, 7_289_654_400)] == [None, "s", "s", None]
    assert likely_unit(315_532_800_000) == "ms"


def test_the_guess_is_one_short_read_of_the_median() -> None:
    # median of |values| = 1709856000 (the middle of three); the ISO text is no epoch number
    lazy = pl.LazyFrame({"ts": ["1709856000", "2024-01-01", "1709942400", "1609856000", None]})
    guess = guess_unit(lazy, "ts", pl.String())
    assert guess is not None and (guess.unit, guess.median) == ("s", 1_709_856_000)
    assert guess_unit(pl.LazyFrame({"ts": ["2024-01-01"]}), "ts", pl.String()) is None


# --- a given unit that puts the days outside 1980-2200 -----------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "given", "where"),
    [
        ("s", "ms", "on 1970-01-20"),  # 1709856000 ms = 19.79 days after 1970-01-01
        ("s", "us", "on 1970-01-01"),
        ("s", "ns", "on 1970-01-01"),
        ("ms", "s", "between the year"),  # 1.7e12 s is about the year 56,000
        ("ns", "s", "between the year"),
        ("ms", "ns", "on 1970-01-01"),
    ],
)
def test_a_wrong_time_unit_is_an_error_naming_the_likely_one(actual: str, given: str, where: str) -> None:
    values = [v * PER_SECOND[actual] for v in SECONDS]
    with pytest.raises(
        InvalidOptionError,
        match=rf"time_unit='{given}' puts every event of 'timestamp' {where}.*use time_unit='{actual}'",
    ):
        read_log(epoch_log(values), time_unit=given, now=NOW)  # type: ignore[arg-type]


def test_seconds_read_as_ms_from_csv_text_fail_too(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("user_id,timestamp,event\na,1709856000,x\nb,1709942400,y\n")
    with pytest.raises(InvalidOptionError, match=r"time_unit='ms' puts every event.*1970.*time_unit='s'"):
        read_log(path, time_unit="ms", now=NOW)
    assert sorted(read_log(path, time_unit="s", now=NOW).activity["day"].to_list()) == DAYS


def test_placeholder_zeros_are_named_and_start_sets_them_aside() -> None:
    values = [0, SECONDS[0], SECONDS[1]]
    events = pl.DataFrame({"user_id": ["a", "b", "c"], "timestamp": values, "event": ["x", "y", "z"]})
    with pytest.raises(InvalidOptionError, match=r"1970-01-01 and 2024-03-09.*placeholders.*start='1980-01-01'"):
        read_log(events, time_unit="s", now=NOW)
    log = read_log(events, time_unit="s", start="1980-01-01", now=NOW)
    assert log.ledger.set_aside["before_start"] == 1 and log.ledger.rows_used == 2


def test_numbers_that_are_no_epoch_time_in_any_unit() -> None:
    # 45000 looks like a spreadsheet serial date: 45000 s, ms, us or ns are all in 1970
    with pytest.raises(InvalidOptionError, match=r"median 45,000\) are not epoch times.*in any unit"):
        read_log(frame([("a", 45_000, "x")]), now=NOW)


def test_a_few_far_future_epochs_are_future_time_not_an_error() -> None:
    # 9999999999 s = 2286-11-20: after 2200, but the median fits seconds, so it is only a future row
    values = [SECONDS[0], SECONDS[1], 9_999_999_999]
    events = pl.DataFrame({"user_id": ["a", "b", "c"], "timestamp": values, "event": ["x", "y", "z"]})
    assert read_log(events, time_unit="s", now=NOW).ledger.set_aside["future_time"] == 1


# --- clock times ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tz", "day"),
    [
        ("2016-12-31T23:59:60Z", "UTC", D(2016, 12, 31)),  # the leap second at the end of 2016
        ("2016-12-31T23:59:60.5+00:00", "UTC", D(2016, 12, 31)),
        ("2016-12-31 23:59:60", "UTC", D(2016, 12, 31)),  # naive: its date part
        ("2016-12-31T23:59:60", "Asia/Tokyo", D(2016, 12, 31)),
        ("2017-01-01T08:59:60+09:00", "UTC", D(2016, 12, 31)),  # the same leap second, in Tokyo's offset
    ],
)
def test_a_leap_second_stays_on_its_day(text: str, tz: str, day: dt.date) -> None:
    log = read_log(frame([("a", text, "x")]), tz=tz, now=NOW)
    assert log.activity["day"].to_list() == [day]


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-10T25:61:99",
        "2024-03-10T25:61:99Z",
        "2024-03-10 24:30",
        "2024-03-10T24:30+01:00",
        "2024-03-10T23:60:00",
        "2024-03-10T23:59:61Z",
        "2024-13-01",
        "2024-13-01T10:00:00Z",
        "2024-02-30",
        "2024-02-30T10:00",
        "20240230",
    ],
)
def test_impossible_clock_times_and_dates_are_unparseable_not_shifted(text: str) -> None:
    log = read_log(frame([("a", text, "x"), ("b", "2024-03-10T10:00:00Z", "x")]), now=NOW)
    assert log.ledger.set_aside["unparseable_time"] == 1
    assert log.activity.select("user", "day").rows() == [("b", D(2024, 3, 10))]


# --- a future as_of --------------------------------------------------------------------------------------------


def test_a_future_as_of_names_as_of_and_the_last_day_of_the_log() -> None:
    rows = [("a", "2024-05-01T10:00:00Z", "x"), ("b", "2024-05-03T10:00:00Z", "x")]
    # NOW is 2030-01-01T00:00Z: today is 2030-01-01 in UTC, still 2029-12-31 in Los Angeles
    with pytest.raises(
        InvalidOptionError, match=r"as_of=2030-01-02 is after today \(2030-01-01 in UTC\).*last day is 2024-05-03"
    ):
        read_log(frame(rows), as_of="2030-01-02", now=NOW)
    with pytest.raises(InvalidOptionError, match=r"after today \(2029-12-31 in America/Los_Angeles\)"):
        read_log(frame(rows), as_of="2030-01-01", tz="America/Los_Angeles", now=NOW)
    assert read_log(frame(rows), as_of="2030-01-01", now=NOW).as_of == D(2030, 1, 1)  # today is fine


# --- against plain-Python references on generated values -----------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_SECONDS_1980_TO_2029 = (315_532_800, 1_893_456_000)  # 1980-01-01 and 2030-01-01 (NOW) in epoch seconds


@settings(max_examples=50, deadline=None)
@given(
    seconds=st.lists(st.integers(*_SECONDS_1980_TO_2029), min_size=1, max_size=20),
    unit=st.sampled_from(["s", "ms", "us", "ns"]),
    as_text=st.booleans(),
    tz=st.sampled_from(["UTC", "America/New_York", "Asia/Kathmandu"]),
)
def test_inferred_units_give_the_days_python_gives(seconds: list[int], unit: str, as_text: bool, tz: str) -> None:
    from zoneinfo import ZoneInfo

    values = [s * PER_SECOND[unit] for s in seconds]
    events = pl.DataFrame(
        {"user_id": [f"u{i}" for i in range(len(values))], "timestamp": [str(v) if as_text else v for v in values]}
    )
    log = read_log(events, event=None, tz=tz, now=NOW)
    expected = {
        (f"u{i}", dt.datetime.fromtimestamp(s, tz=dt.UTC).astimezone(ZoneInfo(tz)).date())
        for i, s in enumerate(seconds)
    }
    assert set(log.activity.select("user", "day").rows()) == expected


@settings(max_examples=60, deadline=None)
@given(
    hour=st.integers(0, 30),
    minute=st.integers(0, 70),
    second=st.one_of(st.none(), st.integers(0, 99)),
    offset=st.sampled_from(["", "Z", "+05:30", "-08:00"]),
)
def test_clock_times_are_checked_like_python_would(hour: int, minute: int, second: int | None, offset: str) -> None:
    clock = f"{hour:02d}:{minute:02d}" + ("" if second is None else f":{second:02d}")
    text = f"2024-06-15T{clock}{offset}"
    # The rule, plainly: hour 0-23, minute 0-59, second 0-60 (60 is read as 59).
    valid = hour < 24 and minute < 60 and (second is None or second <= 60)
    log = read_log(frame([("a", text, "x")]), now=NOW)
    if not valid:
        assert log.ledger.set_aside["unparseable_time"] == 1
        return
    if not offset:
        assert log.activity["day"].to_list() == [D(2024, 6, 15)]  # naive: its date part
        return
    wall = dt.datetime(2024, 6, 15, hour, minute, min(second or 0, 59))
    zone = dt.UTC if offset == "Z" else dt.datetime.strptime(offset, "%z").tzinfo
    assert log.activity["day"].to_list() == [wall.replace(tzinfo=zone).astimezone(dt.UTC).date()]
