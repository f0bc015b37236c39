"""read_log: sources, column mapping, time parsing and the row ledger (one test per bad-input class)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from stickiness import (
    AmbiguousColumnError,
    ColumnNotFoundError,
    InputFileError,
    InvalidOptionError,
    MixedTimeZoneError,
    UnsupportedSourceError,
    UsageLog,
    UsersTableError,
    read_log,
)

from .conftest import NOW, frame

D = dt.date
UTC = dt.UTC
ROWS = [
    ("a", "2024-05-01T10:00:00Z", "open"),
    ("b", "2024-05-02T10:00:00Z", "search"),
    ("a", "2024-05-03T10:00:00Z", "open"),
]


def days(log) -> list[tuple[str, dt.date]]:
    return sorted(set(log.activity.select("user", "day").rows()))


# --- sources ------------------------------------------------------------------------------------------------


@pytest.fixture
def log_frame() -> pl.DataFrame:
    return frame(ROWS)


EXPECTED_DAYS = [("a", D(2024, 5, 1)), ("a", D(2024, 5, 3)), ("b", D(2024, 5, 2))]


@pytest.mark.parametrize("kind", ["csv", "tsv", "parquet", "ndjson", "glob", "folder", "pandas", "arrow", "lazy"])
def test_every_source_kind_reads_the_same(kind: str, log_frame: pl.DataFrame, tmp_path: Path) -> None:
    typed = log_frame.with_columns(pl.col("timestamp").str.to_datetime(time_zone="UTC"))
    if kind == "csv":
        log_frame.write_csv(tmp_path / "log.csv")
        source: object = tmp_path / "log.csv"
    elif kind == "tsv":
        log_frame.write_csv(tmp_path / "log.tsv", separator="\t")
        source = str(tmp_path / "log.tsv")
    elif kind == "parquet":
        typed.write_parquet(tmp_path / "log.parquet")
        source = tmp_path / "log.parquet"
    elif kind == "ndjson":
        log_frame.write_ndjson(tmp_path / "log.ndjson")
        source = tmp_path / "log.ndjson"
    elif kind == "glob":
        typed.head(1).write_parquet(tmp_path / "part-1.parquet")
        typed.tail(2).write_parquet(tmp_path / "part-2.parquet")
        source = str(tmp_path / "part-*.parquet")
    elif kind == "folder":
        (tmp_path / "day=1").mkdir()
        typed.head(2).write_parquet(tmp_path / "day=1" / "a.parquet")
        typed.tail(1).write_parquet(tmp_path / "b.parquet")
        source = tmp_path
    elif kind == "pandas":
        pytest.importorskip("pandas")
        source = typed.to_pandas()
    elif kind == "arrow":
        source = typed.to_arrow()
    else:
        source = typed.lazy()
    log = read_log(source, now=NOW)
    assert days(log) == EXPECTED_DAYS
    assert log.ledger.rows_read == 3 and log.ledger.rows_used == 3


def test_csv_keeps_user_ids_as_text(tmp_path: Path) -> None:
    (tmp_path / "log.csv").write_text("user_id,timestamp,event\n007,2024-05-01,open\n7,2024-05-01,open\n")
    log = read_log(tmp_path / "log.csv", now=NOW)
    assert sorted(log.activity["user"].to_list()) == ["007", "7"]


def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_log(tmp_path / "nope.csv")
    (tmp_path / "log.xlsx").write_text("x")
    with pytest.raises(UnsupportedSourceError, match=r"'.xlsx'.*Supported: CSV"):
        read_log(tmp_path / "log.xlsx")
    with pytest.raises(UnsupportedSourceError, match="cannot read the log from a list"):
        read_log([1, 2, 3])


def test_empty_file_is_a_clear_error_and_header_only_is_an_empty_log(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InputFileError, match=r"log file .*empty\.csv' is empty \(0 bytes\)"):
        read_log(tmp_path / "empty.csv")
    (tmp_path / "header.csv").write_text("user_id,timestamp,event\n")
    log = read_log(tmp_path / "header.csv", now=NOW)
    assert log.is_empty and log.ledger.rows_read == 0 and log.ledger.balanced


# --- column mapping -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "time", "event"),
    [
        ("distinct_id", "ts", "event_name"),
        ("userId", "created_at", "event_type"),
        ("customer_id", "event_time", "event"),
        ("USER_ID", "Timestamp", "Event"),
    ],
)
def test_common_column_names_are_detected(user: str, time: str, event: str) -> None:
    log = read_log(frame(ROWS, (user, time, event)), now=NOW)
    assert (log.columns.user, log.columns.time, log.columns.event) == (user, time, event)


def test_missing_column_lists_what_was_found_and_how_to_map() -> None:
    with pytest.raises(ColumnNotFoundError) as info:
        read_log(frame(ROWS, ("who", "timestamp", "event")))
    message = str(info.value)
    assert "no user column found" in message and "['who', 'timestamp', 'event']" in message
    assert "user='your_column'" in message


def test_misnamed_column_suggests_the_close_one() -> None:
    with pytest.raises(ColumnNotFoundError, match=r"user='usr': the log has no column 'usr'. Did you mean 'user_id'"):
        read_log(frame(ROWS), user="usr")


def test_explicit_mapping_overrides_detection() -> None:
    log = read_log(frame(ROWS, ("who", "when", "what")), user="who", time="when", event="what", now=NOW)
    assert days(log) == EXPECTED_DAYS


def test_ambiguous_columns_must_be_named() -> None:
    both = frame(ROWS).with_columns(customer_id=pl.col("user_id"))
    with pytest.raises(AmbiguousColumnError, match=r"\['user_id', 'customer_id'\].*user='user_id'"):
        read_log(both)
    assert read_log(both, user="customer_id", now=NOW).columns.user == "customer_id"


def test_log_without_event_column_needs_event_none() -> None:
    two = frame(ROWS).drop("event")
    with pytest.raises(ColumnNotFoundError, match="pass event=None"):
        read_log(two)
    log = read_log(two, event=None, now=NOW)
    assert log.activity["event"].unique().to_list() == ["(event)"]
    assert any("no event column" in note for note in log.ledger.notes)


# --- time ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tz", "day"),
    [
        ("2024-03-10T23:30:00Z", "UTC", D(2024, 3, 10)),
        ("2024-03-10T23:30:00Z", "Europe/Berlin", D(2024, 3, 11)),
        ("2024-03-10 23:30:00+0100", "UTC", D(2024, 3, 10)),
        ("2024-03-10T01:30:00+02", "UTC", D(2024, 3, 9)),
        ("2024-03-10T01:30-05:00", "UTC", D(2024, 3, 10)),
        ("2024-03-10T03:30:00.123456+05:30", "UTC", D(2024, 3, 9)),
        ("2024-03-10T02:30:00", "America/New_York", D(2024, 3, 10)),  # naive: wall-clock, even in the DST gap
        ("2024-03-10 23:59", "Asia/Tokyo", D(2024, 3, 10)),
        ("2024-03-10", "Pacific/Auckland", D(2024, 3, 10)),
        ("20240310", "UTC", D(2024, 3, 10)),  # ISO-8601 basic format, as in the CDNOW log
    ],
)
def test_iso_text_times(text: str, tz: str, day: dt.date) -> None:
    log = read_log(frame([("a", text, "x")]), tz=tz, now=NOW)
    assert log.activity["day"].to_list() == [day]


def test_timestamp_columns_aware_naive_and_dates() -> None:
    aware = dt.datetime(2024, 11, 3, 5, 30, tzinfo=UTC)  # 01:30 EDT on Nov 3 in New York
    log = read_log(frame([("a", aware, "x")]), tz="America/New_York", now=NOW)
    assert log.activity["day"].to_list() == [D(2024, 11, 3)]
    tokyo = pl.DataFrame({"user_id": ["a"], "timestamp": [dt.datetime(2024, 1, 1, 8)], "event": ["x"]}).with_columns(
        pl.col("timestamp").dt.replace_time_zone("Asia/Tokyo")
    )
    assert read_log(tokyo, tz="UTC", now=NOW).activity["day"].to_list() == [D(2023, 12, 31)]
    naive = frame([("a", dt.datetime(2024, 1, 1, 23, 30), "x")])
    assert read_log(naive, tz="Asia/Tokyo", now=NOW).activity["day"].to_list() == [D(2024, 1, 1)]
    dates = frame([("a", D(2024, 1, 1), "x")])
    assert read_log(dates, now=NOW).activity["day"].to_list() == [D(2024, 1, 1)]


@pytest.mark.parametrize(("unit", "value"), [("s", 1_709_856_000), ("ms", 1_709_856_000_000), ("s", "1709856000")])
def test_epoch_times(unit: str, value: object) -> None:
    # 1709856000 s = 2024-03-08T00:00:00Z: still March 7 in New York.
    log = read_log(frame([("a", value, "x")]), time_unit=unit, tz="America/New_York", now=NOW)  # type: ignore[arg-type]
    assert log.activity["day"].to_list() == [D(2024, 3, 7)]


def test_numbers_in_any_other_column_type_say_how_to_read_them() -> None:
    # parse_day's other callers (scorecards, models) still need time_unit for numbers
    from stickiness._time import parse_day

    with pytest.raises(InvalidOptionError, match=r"time_unit='s'.*time_unit='ms'"):
        parse_day("ts", pl.Int64, tz="UTC", time_unit=None)


def test_unknown_time_zone() -> None:
    with pytest.raises(InvalidOptionError, match=r"tz='Mars/Olympus'.*IANA"):
        read_log(frame(ROWS), tz="Mars/Olympus")


def test_mixed_offsets_are_an_error_or_counted() -> None:
    rows = [("a", "2024-05-01T10:00:00Z", "x"), ("b", "2024-05-01T23:00:00", "x"), ("c", "2024-05-01 22:00", "x")]
    with pytest.raises(
        MixedTimeZoneError,
        match=r"'timestamp' mixes 1 values with a UTC offset and 2 without.*mixed_offsets='assume_tz'",
    ):
        read_log(frame(rows), now=NOW)
    log = read_log(frame(rows), tz="Asia/Tokyo", mixed_offsets="assume_tz", now=NOW)
    assert days(log) == [("a", D(2024, 5, 1)), ("b", D(2024, 5, 1)), ("c", D(2024, 5, 1))]
    assert any("2 without one" in note and "Asia/Tokyo" in note for note in log.ledger.notes)


def test_different_offsets_are_fine_they_are_instants() -> None:
    rows = [("a", "2024-05-01T10:00:00+02:00", "x"), ("b", "2024-05-01T10:00:00-07:00", "x")]
    assert read_log(frame(rows), now=NOW).ledger.rows_used == 2


# --- the ledger: one test per reason --------------------------------------------------------------------------


def test_ledger_counts_every_reason_and_balances() -> None:
    rows = [
        ("a", "2024-05-01T10:00:00Z", "open"),  # used
        ("a", "2024-05-01T10:00:00Z", "open"),  # duplicate
        ("a", "2024-05-01T10:00:00Z", "open"),  # duplicate
        ("a", "2024-05-01T11:00:00Z", "open"),  # used: same day, another time
        (None, "2024-05-01T10:00:00Z", "open"),  # null_user
        ("", "2024-05-01T10:00:00Z", "open"),  # null_user (empty text)
        ("b", None, "open"),  # null_time
        ("b", "yesterday", "open"),  # unparseable_time
        ("b", "2024-02-30T10:00:00Z", "open"),  # unparseable_time (no such date)
        ("b", "2024-05-02T10:00:00Z", None),  # null_event
        ("b", "2031-01-01T10:00:00Z", "open"),  # future_time (now is 2030-01-01)
        ("b", "2024-04-01T10:00:00Z", "open"),  # before_start
        ("b", "2024-06-01T10:00:00Z", "open"),  # after_as_of
    ]
    ledger = read_log(frame(rows), start="2024-05-01", as_of=D(2024, 5, 31), now=NOW).ledger
    assert ledger.rows_read == 13
    assert ledger.rows_used == 2
    assert dict(ledger.set_aside) == {
        "null_user": 2,
        "null_time": 1,
        "unparseable_time": 2,
        "null_event": 1,
        "future_time": 1,
        "before_start": 1,
        "after_as_of": 1,
        "duplicate": 2,
    }
    assert ledger.balanced
    assert any("'2024-02-30T10:00:00Z', 'yesterday'" in note for note in ledger.notes)
    text = str(ledger)
    assert "null_user" in text and "duplicate" in text and "rows read" in text
    assert ledger.to_dict()["rows_set_aside"] == 11
    assert ledger.to_frame()["rows"].sum() == 13


def test_duplicates_do_not_inflate_event_counts() -> None:
    rows = [("a", "2024-05-01T10:00:00Z", "open")] * 3 + [("a", "2024-05-01T12:00:00Z", "open")]
    log = read_log(frame(rows), now=NOW)
    assert log.activity.rows() == [("a", D(2024, 5, 1), "open", 2)]


def test_future_uses_the_analysis_time_zone_today() -> None:
    now = dt.datetime(2024, 5, 1, 20, 0, tzinfo=UTC)  # already May 2 in Tokyo
    # 00:30 UTC on May 2 is a later day in UTC (future), but today (09:30, May 2) in Tokyo.
    rows = [("a", "2024-05-02T00:30:00Z", "x"), ("b", "2024-05-03T01:00:00+09:00", "x")]
    assert read_log(frame(rows), tz="Asia/Tokyo", now=now).ledger.set_aside["future_time"] == 1
    assert read_log(frame(rows), tz="UTC", now=now).ledger.set_aside["future_time"] == 2


def test_start_after_as_of_and_bad_dates() -> None:
    with pytest.raises(InvalidOptionError, match="start=2024-06-01 is after as_of=2024-05-01"):
        read_log(frame(ROWS), start="2024-06-01", as_of="2024-05-01")
    with pytest.raises(InvalidOptionError, match="as_of='May 1' is not a date"):
        read_log(frame(ROWS), as_of="May 1")


def test_start_and_as_of_define_the_observed_span() -> None:
    log = read_log(frame(ROWS), start="2024-04-20", as_of="2024-05-02", now=NOW)
    assert (log.first_day, log.as_of) == (D(2024, 4, 20), D(2024, 5, 2))
    assert log.ledger.set_aside["after_as_of"] == 1


# --- the users table ------------------------------------------------------------------------------------------


def test_users_table_joins_and_counts_users_without_segment(tmp_path: Path) -> None:
    (tmp_path / "users.csv").write_text("user_id,persona\na,agent\nz,buyer\n")
    log = read_log(frame(ROWS), users=tmp_path / "users.csv", now=NOW)
    assert log.segment_columns == ("persona",)
    assert log.ledger.users_without_segment == 1  # b
    assert "not in the users table" in str(log.ledger)


def test_users_table_key_of_another_name_and_type() -> None:
    rows = [(1, "2024-05-01T10:00:00Z", "x"), (2, "2024-05-01T10:00:00Z", "x")]
    users = pl.DataFrame({"customer_id": ["1", "2"], "plan": ["free", "pro"]})
    log = read_log(frame(rows), users=users, now=NOW)
    assert log.ledger.users_without_segment == 0


def test_users_table_with_duplicate_users_is_an_error() -> None:
    users = pl.DataFrame({"user_id": ["a", "a", "b"], "persona": ["agent", "buyer", "buyer"]})
    with pytest.raises(
        UsersTableError, match=r"1 users on more than one row \(e.g. \['a'\]\).*Keep one row per 'user_id'"
    ):
        read_log(frame(ROWS), users=users)


def test_users_table_without_segments_or_key() -> None:
    with pytest.raises(UsersTableError, match="only the user column"):
        read_log(frame(ROWS), users=pl.DataFrame({"user_id": ["a"]}))
    with pytest.raises(ColumnNotFoundError, match="users table"):
        read_log(frame(ROWS), users=pl.DataFrame({"who": ["a"], "persona": ["x"]}))


def test_users_table_null_keys_are_ignored_and_noted() -> None:
    users = pl.DataFrame({"user_id": ["a", None], "persona": ["agent", "buyer"]})
    log = read_log(frame(ROWS), users=users, now=NOW)
    assert any("1 users-table rows have no usable user id" in note for note in log.ledger.notes)


def test_unknown_engine() -> None:
    with pytest.raises(InvalidOptionError, match="engine='spark'"):
        read_log(frame(ROWS), engine="spark")  # type: ignore[arg-type]


# --- the ledger against a plain-Python reference on generated logs ------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_instants = st.integers(min_value=0, max_value=400 * 24 * 60).map(
    lambda m: (dt.datetime(2029, 3, 1, tzinfo=UTC) + dt.timedelta(minutes=m)).isoformat()
)
_texts = st.one_of(_instants, st.none(), st.sampled_from(["soon", "2029-13-01T00:00:00Z", ""]))
_rows = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c", None]), _texts, st.sampled_from(["open", "buy", None])), max_size=40
).flatmap(
    lambda rows: st.lists(st.sampled_from(rows), max_size=10).map(lambda extra: rows + extra) if rows else st.just(rows)
)


def _reference_ledger(rows, tz: str, as_of: dt.date) -> tuple[dict[str, int], set[tuple[str, dt.date, str]]]:
    from zoneinfo import ZoneInfo

    counts = {
        "null_user": 0,
        "null_time": 0,
        "unparseable_time": 0,
        "null_event": 0,
        "future_time": 0,
        "after_as_of": 0,
        "duplicate": 0,
    }
    today = NOW.astimezone(ZoneInfo(tz)).date()
    seen: set[tuple[str, str, str]] = set()
    used: set[tuple[str, dt.date, str]] = set()
    for user, text, event in rows:
        if user is None:
            counts["null_user"] += 1
            continue
        if text is None or text == "":
            counts["null_time"] += 1  # an empty text field is read as null
            continue
        try:
            day = dt.datetime.fromisoformat(text).astimezone(ZoneInfo(tz)).date()
        except ValueError:
            counts["unparseable_time"] += 1
            continue
        if event is None:
            counts["null_event"] += 1
        elif day > today:
            counts["future_time"] += 1
        elif day > as_of:
            counts["after_as_of"] += 1
        elif (user, text, event) in seen:
            counts["duplicate"] += 1
        else:
            seen.add((user, text, event))
            used.add((user, day, event))
    return counts, used


def _used(log: UsageLog) -> set[tuple[object, ...]]:
    """The (user, day, event) rows of the log's activity table, wherever the engine holds it."""
    activity = log.activity if isinstance(log.activity, pl.DataFrame) else log.activity.collect("polars").to_native()
    return set(activity.select("user", "day", "event").rows())


# DuckDB too: its read runs the same per-row rules, streamed into DuckDB, and counts there (docs/engines.md)
@pytest.mark.parametrize("engine", ["polars", "duckdb"])
@settings(max_examples=60, deadline=None)
@given(rows=_rows, tz=st.sampled_from(["UTC", "America/Los_Angeles", "Asia/Kathmandu"]))
def test_ledger_matches_reference(rows, tz: str, engine: str) -> None:
    as_of = D(2029, 12, 1)
    table = pl.DataFrame(rows, schema={"user_id": pl.String, "timestamp": pl.String, "event": pl.String}, orient="row")
    table = table.with_columns(pl.col("timestamp").replace("", None))  # as a CSV reader would
    log = read_log(table, tz=tz, as_of=as_of, now=NOW, engine=engine)  # type: ignore[arg-type]
    counts, used = _reference_ledger(rows, tz, as_of)
    assert {k: v for k, v in log.ledger.set_aside.items() if k != "before_start"} == counts
    assert log.ledger.rows_read == len(rows) and log.ledger.balanced
    assert _used(log) == used


# --- null-like ids and padding ----------------------------------------------------------------------------------


def test_null_like_user_ids_are_null_users_named_in_the_notes() -> None:
    rows = [
        ("NA", "2024-05-01T10:00:00Z", "open"),
        ("NA", "2024-05-02T10:00:00Z", "open"),
        (" NULL ", "2024-05-01T10:00:00Z", "open"),  # trimmed first
        ("\\N", "2024-05-01T10:00:00Z", "open"),  # MySQL's export of NULL
        ("   ", "2024-05-01T10:00:00Z", "open"),  # blank
        ("a", "2024-05-01T10:00:00Z", "open"),
        ("na", "2024-05-01T10:00:00Z", "open"),  # not in the list: an id
    ]
    log = read_log(frame(rows), now=NOW)
    assert log.ledger.set_aside["null_user"] == 5  # 2 NA, 1 NULL, 1 \N, 1 blank
    assert sorted(log.activity["user"].unique()) == ["a", "na"]
    note = next(n for n in log.ledger.notes if "null_user" in n)
    assert "'user_id'" in note and "2 'NA'" in note and "1 'NULL'" in note and "1 '\\\\N'" in note
    assert "1 blank" in note and "null_ids=()" in note
    kept = read_log(frame(rows), null_ids=(), now=NOW)
    assert kept.ledger.set_aside["null_user"] == 1  # blank is always missing
    assert sorted(kept.activity["user"].unique()) == ["NA", "NULL", "\\N", "a", "na"]
    mine = read_log(frame(rows), null_ids=("na",), now=NOW)
    assert sorted(mine.activity["user"].unique()) == ["NA", "NULL", "\\N", "a"]


def test_null_like_times_and_events_are_null_time_and_null_event() -> None:
    rows = [
        ("a", "NULL", "open"),
        ("a", " N/A", "open"),
        ("a", "2024-05-01T10:00:00Z", "None"),
        ("a", "2024-05-01T11:00:00Z", "  "),
        ("a", "2024-05-01T12:00:00Z", "open"),
    ]
    ledger = read_log(frame(rows), now=NOW).ledger
    assert (ledger.set_aside["null_time"], ledger.set_aside["unparseable_time"], ledger.set_aside["null_event"]) == (
        2,
        0,
        2,
    )
    assert any("times in 'timestamp'" in n and "1 'N/A', 1 'NULL'" in n for n in ledger.notes)
    assert any("event names in 'event'" in n and "1 blank, 1 'None'" in n for n in ledger.notes)


def test_null_like_events_are_named_with_integer_user_ids() -> None:
    # integer ids cannot be null-like: the set-aside groups keep the value in the event key instead
    events = pl.DataFrame(
        {"user_id": [1, 2, 3, None], "timestamp": [dt.datetime(2024, 1, 1)] * 4, "event": ["a", "NA", " NULL ", "b"]}
    )
    ledger = read_log(events, now=NOW).ledger
    assert (ledger.set_aside["null_user"], ledger.set_aside["null_event"], ledger.rows_used) == (1, 2, 1)
    assert any("event names in 'event'" in n and "1 'NA', 1 'NULL'" in n for n in ledger.notes)


def test_padded_ids_are_trimmed_and_counted() -> None:
    rows = [
        (" a", "2024-05-01T10:00:00Z", "open"),
        ("a  ", "2024-05-01T10:00:00Z", "open"),  # the same user, time and event as above: a duplicate
        ("a", "2024-05-02T10:00:00Z", "open"),
        ("\tb\n", "2024-05-02T10:00:00Z", "open"),
    ]
    log = read_log(frame(rows), now=NOW)
    assert sorted(log.activity.select("user", "day").rows()) == [
        ("a", D(2024, 5, 1)),
        ("a", D(2024, 5, 2)),
        ("b", D(2024, 5, 2)),
    ]
    assert log.ledger.set_aside["duplicate"] == 1
    assert any(n.startswith("3 user ids in 'user_id' had leading or trailing spaces") for n in log.ledger.notes)
    assert not any("spaces" in n for n in read_log(frame(ROWS), now=NOW).ledger.notes)


def test_the_users_table_key_is_trimmed_too(tmp_path: Path) -> None:
    (tmp_path / "users.csv").write_text("user_id,persona\n a ,agent\nNA,buyer\nb,buyer\n")
    log = read_log(
        frame([(" a", "2024-05-01T10:00:00Z", "x"), ("b ", "2024-05-01T10:00:00Z", "x")]),
        users=tmp_path / "users.csv",
        now=NOW,
    )
    assert log.ledger.users_without_segment == 0
    assert sorted(log.users.rows()) == [("a", "agent"), ("b", "buyer")]  # type: ignore[union-attr]
    assert any("1 users-table rows have no usable user id" in note for note in log.ledger.notes)  # NA


ROW_NAMES = ("user_id", "timestamp", "event")


def test_blank_lines_of_a_csv_are_not_rows(tmp_path: Path) -> None:
    lines = [
        "user_id,timestamp,event",
        "a,2024-05-01T10:00:00Z,open",
        "",
        ",,",
        "b,2024-05-01T10:00:00Z,open",
        "",
    ]
    (tmp_path / "events.csv").write_text("\n".join(lines) + "\n")
    # a plain count: the non-empty lines after the header (Python's csv module counts the same records);
    # ',,' is a row (of blanks: a null user), the empty lines are not
    expected_rows = sum(1 for line in lines[1:] if line)
    ledger = read_log(tmp_path / "events.csv", now=NOW).ledger
    assert ledger.rows_read == expected_rows == 3 and ledger.rows_used == 2 and ledger.balanced
    assert ledger.set_aside["null_user"] == 1
    # a frame's rows are all rows: an all-null row is a null user
    empty_row = pl.DataFrame(
        {"user_id": [None], "timestamp": [None], "event": [None]}, schema=dict.fromkeys(ROW_NAMES, pl.String)
    )
    assert read_log(empty_row).ledger.set_aside["null_user"] == 1


def test_null_ids_must_be_a_tuple_of_texts() -> None:
    with pytest.raises(InvalidOptionError, match=r"null_ids='NA'.*null_ids=\('NA', 'NULL'\)"):
        read_log(frame(ROWS), null_ids="NA")


def test_non_text_user_ids_are_left_alone() -> None:
    rows = [(1, "2024-05-01T10:00:00Z", "x"), (None, "2024-05-01T10:00:00Z", "x"), (2, "NA", "x"), (3, "NA", "x")]
    log = read_log(frame(rows), now=NOW)
    assert log.activity["user"].to_list() == [1] and log.activity.schema["user"] == pl.Int64
    assert log.ledger.set_aside["null_user"] == 1 and log.ledger.set_aside["null_time"] == 2
    assert any("times in 'timestamp'" in note and ": 2 'NA'" in note for note in log.ledger.notes)


_NULL_IDS = ("NULL", "null", "None", "NaN", "NA", "N/A", "\\N")
_padding = st.sampled_from(["", " ", "  ", "\t"])


def _padded(values: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(_padding, values, _padding).map("".join)


_messy_users = st.one_of(st.none(), _padded(st.sampled_from(["a", "b", "na", *_NULL_IDS, ""])))
_messy_times = st.one_of(_texts, _padded(st.sampled_from(["NA", "NULL", "", "2029-05-01T10:00:00Z"])))
_messy_events = st.one_of(st.none(), _padded(st.sampled_from(["open", "buy", "None", "N/A", ""])))


def _reference_null_like(rows, null_ids: tuple[str, ...]):
    """The null-like and trimming rules, row by row: (set aside by reason, null-like counts, padded rows, used)."""
    counts = dict.fromkeys(["null_user", "null_time", "unparseable_time", "null_event", "future_time", "duplicate"], 0)
    null_like: dict[tuple[str, str], int] = {}
    padded = 0
    seen: set[tuple[str, str, str]] = set()
    used: set[tuple[str, dt.date, str]] = set()

    def missing(value: str | None) -> bool:
        return value is None or value.strip() == "" or value.strip() in null_ids

    for user, text, event in rows:
        if user is not None and not missing(user) and user.strip() != user:
            padded += 1
        if missing(user):
            counts["null_user"] += 1
            if user is not None:
                null_like[("null_user", user.strip())] = null_like.get(("null_user", user.strip()), 0) + 1
            continue
        if missing(text):
            counts["null_time"] += 1
            if text is not None:
                null_like[("null_time", text.strip())] = null_like.get(("null_time", text.strip()), 0) + 1
            continue
        try:
            day = dt.datetime.fromisoformat(text.strip()).astimezone(UTC).date()
        except ValueError:
            counts["unparseable_time"] += 1
            continue
        if missing(event):
            counts["null_event"] += 1
            if event is not None:
                null_like[("null_event", event.strip())] = null_like.get(("null_event", event.strip()), 0) + 1
        elif day > NOW.date():  # today in UTC
            counts["future_time"] += 1
        elif (user.strip(), text, event) in seen:
            counts["duplicate"] += 1
        else:
            seen.add((user.strip(), text, event))
            used.add((user.strip(), day, event))
    return counts, null_like, padded, used


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
@settings(max_examples=50, deadline=None)
@given(
    rows=st.lists(st.tuples(_messy_users, _messy_times, _messy_events), max_size=30),
    null_ids=st.sampled_from([_NULL_IDS, (), ("na", "NA")]),
)
def test_null_like_and_trimming_match_a_row_by_row_reference(rows, null_ids: tuple[str, ...], engine: str) -> None:
    import re

    table = pl.DataFrame(rows, schema={"user_id": pl.String, "timestamp": pl.String, "event": pl.String}, orient="row")
    log = read_log(table, null_ids=null_ids, now=NOW, engine=engine)  # type: ignore[arg-type]
    counts, null_like, padded, used = _reference_null_like(rows, null_ids)
    assert {k: log.ledger.set_aside[k] for k in counts} == counts
    assert log.ledger.rows_read == len(rows) and log.ledger.balanced
    assert _used(log) == used
    # the notes name every null-like value with its rows
    noted: dict[tuple[str, str], int] = {}
    for note in log.ledger.notes:
        if (found := re.search(r"set aside as (null_\w+): (.*?)(?:; pass|$)", note)) is not None:
            for part in found.group(2).split(", "):
                rows_text, value = part.split(" ", 1)
                key = "" if value == "blank" else value.strip("'").replace("\\\\", "\\")
                noted[(found.group(1), key)] = int(rows_text.replace(",", ""))
    assert noted == null_like
    trimmed = [int(n.split(" ")[0]) for n in log.ledger.notes if "leading or trailing spaces" in n]
    assert trimmed == ([padded] if padded else [])
