"""read_log gives the same ledger and activity table on every engine, on messy input.

The per-row rules are one set of polars expressions (stickiness/log.py), run where the rows flow:
in polars, streamed into DuckDB, or on Spark's executors; the grouping and the ledger's counts are
made in the engine (docs/engines.md). Here the ledger (every count and note), the activity table,
the first and last day, and the errors must be those of polars, on generated logs that mix null-like
and padded ids, offsets, epoch text, dates, duplicates, future rows and ``start`` / ``as_of``.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any
from unittest import mock

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stickiness import UsageLog, read_log
from stickiness._engine import _read, buckets_for, collect

from .conftest import NOW

KEYS = ["user", "day", "event"]
USERS = ["a", " a", "a ", "b", "c", "d ", "NA", "null", "", "  ", None, "e"]
TEXT_TIMES = [
    "2024-03-01T09:00:00Z",
    "2024-03-01T09:00:00",  # no offset: wall-clock time in tz (mixed_offsets="assume_tz")
    "2024-03-01T23:30:00-05:00",  # March 2 in UTC
    "2024-03-02",
    "20240303",  # a compact date
    "1709856000",  # epoch seconds as text: 2024-03-08
    " 1709942400 ",
    "yesterday",  # unparseable
    "2024-03-04T25:00:00Z",  # no such hour: unparseable
    None,
    "NULL",
    "2031-01-01T00:00:00Z",  # after NOW: future
    "2024-02-20T10:00:00+01:00",
]
EVENTS = ["open", "search", " open", "NA", None, "share"]
MOMENTS = [
    dt.datetime(2024, 3, 1, 9, tzinfo=dt.UTC),
    dt.datetime(2024, 3, 1, 23, 30, tzinfo=dt.UTC),
    dt.datetime(2024, 3, 2, 4, 59, tzinfo=dt.UTC),
    dt.datetime(2031, 1, 1, tzinfo=dt.UTC),
    None,
]


def _activity(log: UsageLog) -> pl.DataFrame:
    """The log's activity table as a sorted polars frame, wherever the engine holds it."""
    if isinstance(log.activity, pl.DataFrame):
        return log.activity.sort(KEYS)
    schema = {"user": log.user_dtype, "day": pl.Date(), "event": pl.String(), "events": pl.Int64()}
    return collect(log.activity, schema).sort(KEYS)


def _outcome(source: Any, **options: Any) -> tuple[Any, ...]:
    """What read_log gives: the ledger, activity table, span and users table; or the error it raises."""
    try:
        log = read_log(source, now=NOW, **options)
    except Exception as err:
        return type(err).__name__, str(err)
    return log.ledger, _activity(log), log.first_day, log.as_of, log.user_dtype, log.users


def _same_on(engine: str, frame: pl.DataFrame, source: Any = None, **options: Any) -> None:
    expected = _outcome(frame, **options)
    got = _outcome(frame if source is None else source, engine=engine, **options)
    assert len(got) == len(expected), (got, expected)
    for mine, theirs in zip(got, expected, strict=True):
        assert mine.equals(theirs) if isinstance(mine, pl.DataFrame) else mine == theirs, (mine, theirs)


_texts = st.lists(
    st.tuples(st.sampled_from(USERS), st.sampled_from(TEXT_TIMES), st.sampled_from(EVENTS)), min_size=1, max_size=40
)
_spans = st.sampled_from(
    [{}, {"start": "2024-03-01"}, {"as_of": "2024-03-02"}, {"start": "2024-03-02", "as_of": "2024-03-03"}]
)


@settings(max_examples=60, deadline=None)
@given(rows=_texts, span=_spans, tz=st.sampled_from(["UTC", "America/New_York", "Asia/Kathmandu"]))
def test_duckdb_reads_messy_text_like_polars(rows: list[tuple[Any, ...]], span: dict[str, str], tz: str) -> None:
    frame = pl.DataFrame(rows, schema=dict.fromkeys(["user_id", "timestamp", "event"], pl.String()), orient="row")
    users = pl.DataFrame({"user_id": ["a", "b", " NA", "zz"], "plan": ["x", "y", "z", "w"]})
    _same_on("duckdb", frame, tz=tz, mixed_offsets="assume_tz", users=users, **span)
    _same_on("duckdb", frame, tz=tz, **span)  # mixed offsets are an error on both, or no mix at all


def test_a_padded_id_is_grouped_with_its_user_in_buckets() -> None:
    # " a", "a", "a " and "  a  " are user "a" (trimmed): one (a, 2024-03-01, open) group of 4 rows and
    # 4 distinct times, though their raw texts hash to different buckets of 8.
    frame = pl.DataFrame(
        {
            "user_id": [" a", "a", "a ", "  a  ", "b"],
            "timestamp": [f"2024-03-01T0{h}:00:00Z" for h in range(5)],
            "event": ["open"] * 5,
        }
    )
    raw = frame.select(pl.col("user_id").hash(seed=16) % 8).to_series()
    assert raw.head(4).n_unique() > 1  # the raw ids would be split
    with mock.patch.object(_read, "GROUP_BYTES_PER_ROW", 4 * 10**7):  # 5 rows x 40 MB / 25 MB: 8 buckets
        assert buckets_for(frame.lazy(), 5 * 10**7) == 8
        log = read_log(frame, engine="duckdb", memory_limit="50MB", now=NOW)
    assert _activity(log).rows() == [("a", dt.date(2024, 3, 1), "open", 4), ("b", dt.date(2024, 3, 1), "open", 1)]


@settings(max_examples=40, deadline=None)
@given(rows=_texts, span=_spans)
def test_duckdb_reads_messy_text_in_buckets_of_users_like_polars(
    rows: list[tuple[Any, ...]], span: dict[str, str]
) -> None:
    # Rows pretend to take 10 MB each in DuckDB's first group-by, so a 100 MB limit groups them a
    # bucket of users at a time (40 rows x 10 MB / 50 MB = 8 buckets): " a", "a " and "a" must still
    # share a bucket (the cleaned id decides), and the set-aside groups of every bucket add up.
    frame = pl.DataFrame(rows, schema=dict.fromkeys(["user_id", "timestamp", "event"], pl.String()), orient="row")
    with mock.patch.object(_read, "GROUP_BYTES_PER_ROW", 10**7):
        assert buckets_for(frame.lazy(), 10**8) == math.ceil(frame.height * 10**7 / (10**8 / 2))
        expected = _outcome(frame, mixed_offsets="assume_tz", **span)
        got = _outcome(frame, engine="duckdb", mixed_offsets="assume_tz", memory_limit="100MB", **span)
    assert len(got) == len(expected), (got, expected)
    for mine, theirs in zip(got, expected, strict=True):
        assert mine.equals(theirs) if isinstance(mine, pl.DataFrame) else mine == theirs, (mine, theirs)


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from([1, 2, 3, None, 7]), st.sampled_from(MOMENTS), st.sampled_from(EVENTS)),
        min_size=1,
        max_size=30,
    ),
    span=_spans,
    naive=st.booleans(),
)
def test_duckdb_reads_timestamps_and_integer_ids_like_polars(
    rows: list[tuple[Any, ...]], span: dict[str, str], naive: bool
) -> None:
    schema = {"user_id": pl.Int64(), "ts": pl.Datetime("us", "UTC"), "event": pl.String()}
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    if naive:  # wall-clock times in tz
        frame = frame.with_columns(pl.col("ts").dt.replace_time_zone(None))
    _same_on("duckdb", frame, tz="Asia/Kolkata", **span)
    dates = frame.with_columns(pl.col("ts").dt.date())  # dates: many exact duplicates, noted with their cause
    _same_on("duckdb", dates, tz="Asia/Kolkata", event=None, **span)


def test_duckdb_epoch_numbers_and_a_wrong_unit() -> None:
    epochs = pl.DataFrame({"user_id": ["a", "a", "b", "c"], "ts": [1_709_856_000_000, 1_709_856_000_000, 0, None]})
    _same_on("duckdb", epochs, event=None)  # 0 lands in 1970: the same error
    _same_on("duckdb", epochs, event=None, start="1980-01-01")  # set aside before start
    _same_on("duckdb", epochs, event=None, time_unit="s")  # the wrong unit: the same error, naming ms


def test_duckdb_activity_is_a_table_and_the_memory_limit_is_the_sessions() -> None:
    frame = pl.DataFrame({"user_id": ["a", "b"], "timestamp": ["2024-03-01T09:00:00Z"] * 2, "event": ["open"] * 2})
    log = read_log(frame, engine="duckdb", memory_limit="100MB", now=NOW)
    assert type(log.activity.to_native()).__name__ == "DuckDBPyRelation"
    # 100 MB = 95.4 MiB, given to DuckDB in whole MiB; it spills to the session's own directory
    settings = "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
    assert log.session.connection.sql(settings).fetchall() == [("95.0 MiB", log.session.spill_dir)]


# --- Spark: hand-made cases (each read is seconds on local Spark) ---------------------------------------------------


def test_spark_reads_messy_text_like_polars(spark: Any) -> None:
    rows = [
        ("a", "2024-03-01T09:00:00Z", "open"),
        ("a", "2024-03-01T09:00:00Z", "open"),  # an exact duplicate
        (" a", "2024-03-01T09:00:00Z", "open"),  # a duplicate after trimming
        ("b", "2024-03-01T09:00:00", "open"),  # no offset (mixed_offsets="assume_tz")
        ("b", "1709856000", "search"),  # epoch text: 2024-03-08
        ("NA", "2024-03-02", "open"),
        ("  ", "2024-03-02", "open"),
        ("c", "NULL", "open"),
        ("c", "yesterday", "open"),
        ("c", "2024-03-02", "NA"),
        ("d", "2031-01-01T00:00:00Z", "open"),  # future
        ("e", "2024-02-20T10:00:00+01:00", "open"),  # before start
        ("e", "2024-03-09", "open"),  # after as_of
        ("e", "20240303", " open"),
    ]
    frame = pl.DataFrame(rows, schema=["user_id", "timestamp", "event"], orient="row")
    users = pl.DataFrame({"user_id": ["a", "b", "zz"], "plan": ["x", "y", "z"]})
    options: dict[str, Any] = {"mixed_offsets": "assume_tz", "start": "2024-02-25", "as_of": "2024-03-08"}
    source = spark.createDataFrame(frame.to_arrow())
    for engine in ("pyspark", "polars", "duckdb"):  # a Spark log is read in Spark, whichever engine runs the metrics
        _same_on(engine, frame, source, users=users, tz="Europe/Berlin", **options)
    _same_on("pyspark", frame, source, tz="Europe/Berlin")  # mixed offsets: the same error


def test_spark_reads_integer_ids_and_dates_like_polars(spark: Any) -> None:
    days = [dt.date(2024, 3, 1), dt.date(2024, 3, 1), dt.date(2024, 3, 2), None, dt.date(2031, 1, 1)]
    frame = pl.DataFrame({"user_id": [1, 1, 2, 3, 4], "day": days, "event": ["a", "a", "a", "b", "b"]})
    _same_on("pyspark", frame, spark.createDataFrame(frame.to_arrow()), start="2024-03-02")


def test_spark_dates_instants_in_each_users_own_zone_like_polars(spark: Any) -> None:
    # Users in New York and Berlin around the March 2024 changes (docs/metrics.md, "Each user's own calendar"):
    # a Spark timestamp column keeps its instants (their day depends on the user's zone), dates stay days.
    moments = [
        dt.datetime(2024, 3, 10, 4, 59, tzinfo=dt.UTC),  # 23:59 EST on 9 March in New York
        dt.datetime(2024, 3, 11, 4, 0, tzinfo=dt.UTC),  # 00:00 EDT on 11 March
        dt.datetime(2024, 3, 30, 23, 0, tzinfo=dt.UTC),  # 00:00 CET on 31 March in Berlin
        dt.datetime(2024, 3, 31, 22, 0, tzinfo=dt.UTC),  # 00:00 CEST on 1 April
        dt.datetime(2031, 1, 1, tzinfo=dt.UTC),  # future
    ]
    frame = pl.DataFrame(
        {"user_id": ["ny", "ny", "be", "be", "ny"], "ts": moments, "event": ["open"] * 5},
        schema={"user_id": pl.String(), "ts": pl.Datetime("us", "UTC"), "event": pl.String()},
    )
    users = pl.DataFrame({"user_id": ["ny", "be", "x"], "plan": ["a", "b", "c"], "tz": [_NY, _BERLIN, " "]})
    source = spark.createDataFrame(frame.to_arrow())
    for engine in ("pyspark", "polars", "duckdb"):
        _same_on(engine, frame, source, users=users, tz="Asia/Kolkata")
        _same_on(engine, frame, source, users=users, user_tz=None)
    texts = frame.with_columns(pl.col("ts").dt.strftime("%Y-%m-%dT%H:%M:%S%:z"), pl.col("ts").dt.date().alias("day"))
    _same_on("pyspark", texts.drop("day"), spark.createDataFrame(texts.drop("day").to_arrow()), users=users)
    dates = texts.drop("ts")
    _same_on("pyspark", dates, spark.createDataFrame(dates.to_arrow()), users=users)
    log = read_log(source, users=users, engine="pyspark", now=NOW)
    assert sorted(_activity(log).select("user", "day").rows()) == [
        ("be", dt.date(2024, 3, 31)),
        ("be", dt.date(2024, 4, 1)),
        ("ny", dt.date(2024, 3, 9)),
        ("ny", dt.date(2024, 3, 11)),
    ]


_NY, _BERLIN = "America/New_York", "Europe/Berlin"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("extra.csv", b"user_id,timestamp,event\na,2024-03-01T09:00:00Z,open\nb,2024-03-01T09:00:00Z,open,x\n"),
        ("latin.csv", "user_id,timestamp,event\nJosé,2024-03-01T09:00:00Z,open\n".encode("latin-1")),
        ("broken.ndjson", b'{"user_id": "a", "timestamp": "2024-03-01", "event": "open"}\n{"user_id": "b", \n'),
    ],
)
def test_duckdb_explains_a_malformed_file_as_polars_does(name: str, data: bytes, tmp_path: Path) -> None:
    # polars' error, met while DuckDB reads the streamed rows, is the one read_log explains (an InputFileError)
    (tmp_path / name).write_bytes(data)
    expected = _outcome(tmp_path / name)
    assert expected[0] == "InputFileError", expected
    assert _outcome(tmp_path / name, engine="duckdb") == expected
