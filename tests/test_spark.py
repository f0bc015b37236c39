"""read_log on a log in Spark: a Spark DataFrame, or a path read by Spark with engine="pyspark".

The log is reduced in Spark (three columns; exact duplicates grouped; for timestamp and date columns
the day in the analysis time zone), then read on the executors by the polars per-row rules and grouped
in Spark: the ledger and the activity table must be those of polars reading the same rows, whatever the
session time zone; only small results reach the driver.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from stickiness import InvalidOptionError, MixedTimeZoneError, UsageLog, active_users, read_log
from stickiness._engine import collect

from .conftest import NOW

UTC = dt.UTC
KEYS = ["user", "day", "event"]


def _spark_frame(spark: Any, frame: pl.DataFrame) -> Any:
    """The frame in Spark; naive timestamps become Spark timestamps without time zone, as in the lake."""
    spark.conf.set("spark.sql.timestampType", "TIMESTAMP_NTZ")
    try:
        return spark.createDataFrame(frame.to_arrow())
    finally:
        spark.conf.unset("spark.sql.timestampType")


def _activity(log: UsageLog) -> pl.DataFrame:
    """The log's activity table as a polars frame, sorted, wherever it is held (Spark with engine="pyspark")."""
    schema = {"user": log.user_dtype, "day": pl.Date(), "event": pl.String(), "events": pl.Int64()}
    return (
        collect(log.activity, schema).sort(KEYS)
        if not isinstance(log.activity, pl.DataFrame)
        else log.activity.sort(KEYS)
    )


def _same(on_spark: UsageLog, on_polars: UsageLog) -> None:
    assert on_spark.ledger == on_polars.ledger
    assert _activity(on_spark).equals(_activity(on_polars))
    assert (on_spark.first_day, on_spark.as_of, on_spark.columns) == (
        on_polars.first_day,
        on_polars.as_of,
        on_polars.columns,
    )


@pytest.fixture
def session_in_los_angeles(spark: Any) -> Iterator[Any]:
    """The session time zone of a cluster that is not in UTC: the days must not depend on it."""
    spark.conf.set("spark.sql.session.timeZone", "America/Los_Angeles")
    try:
        yield spark
    finally:
        spark.conf.set("spark.sql.session.timeZone", "UTC")


TEXT_LOG = pl.DataFrame(
    {
        "user_id": ["a", "a", "a", "b", " ", None, "c", "c", "d", "e", "a"],
        "timestamp": [
            "2024-03-01T09:00:00Z",
            "2024-03-01T09:00:00Z",  # an exact duplicate
            "2024-03-01T23:30:00-05:00",  # March 2 in UTC
            "2024-03-02T10:00:00+01:00",
            "2024-03-02T10:00:00Z",  # blank user
            "2024-03-02T10:00:00Z",  # null user
            None,  # null time
            "yesterday",  # unparseable
            "2031-01-01T00:00:00Z",  # in the future (NOW is 2030-01-01)
            "2024-02-20T10:00:00Z",  # before start
            "2024-03-01T09:00:00Z",  # an exact duplicate, again
        ],
        "event": ["open", "open", "open", "search", "open", "open", "open", "open", "open", "open", "open"],
    }
)


def test_text_times_are_grouped_in_spark_and_parsed_by_the_polars_rules(spark: Any) -> None:
    options: dict[str, Any] = {"tz": "Europe/Berlin", "start": "2024-02-25", "now": NOW}
    on_spark = read_log(_spark_frame(spark, TEXT_LOG), **options)
    _same(on_spark, read_log(TEXT_LOG, **options))
    assert on_spark.ledger.set_aside["duplicate"] == 2
    assert on_spark.engine == "polars"  # where the metrics run is read_log's engine=
    assert any("yesterday" in note for note in on_spark.ledger.notes)


def test_mixed_offsets_are_counted_per_input_row(spark: Any) -> None:
    mixed = pl.DataFrame(
        {"user_id": ["a", "a", "b"], "timestamp": ["2024-03-01 09:00", "2024-03-01 09:00", "2024-03-01T09:00Z"]}
    )
    with pytest.raises(MixedTimeZoneError, match="mixes 1 values with a UTC offset and 2 without"):
        read_log(_spark_frame(spark, mixed), event=None, now=NOW)
    options: dict[str, Any] = {"event": None, "mixed_offsets": "assume_tz", "tz": "Asia/Kolkata", "now": NOW}
    _same(read_log(_spark_frame(spark, mixed), **options), read_log(mixed, **options))


def _timestamps(time_zone: str | None) -> pl.DataFrame:
    # Around the New York DST change (2024-03-10) and late evenings that are the next day in Kolkata.
    times = [
        dt.datetime(2024, 3, 9, 23, 59),
        dt.datetime(2024, 3, 10, 3, 30),
        dt.datetime(2024, 3, 10, 3, 30),  # an exact duplicate
        dt.datetime(2024, 3, 10, 20, 15),
        dt.datetime(2024, 3, 11, 4, 59, 59),
        dt.datetime(2024, 3, 11, 5, 0, 1),
        dt.datetime(1969, 12, 31, 23, 0),  # before 1970: whole days are floored, not truncated
    ]
    return pl.DataFrame(
        {
            "user_id": [1, 1, 1, 2, 2, 3, None],
            "ts": pl.Series(times, dtype=pl.Datetime("us", time_zone)),
            "event_name": ["a", "b", "b", "a", "a", "c", "a"],
        }
    )


@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_timestamps_are_cut_to_days_in_spark(session_in_los_angeles: Any, tz: str) -> None:
    for time_zone in ("UTC", None):  # instants, and wall-clock times (timestamps without time zone)
        log = _timestamps(time_zone)
        spark_log = _spark_frame(session_in_los_angeles, log)
        expected = "TimestampType" if time_zone else "TimestampNTZType"
        assert type(spark_log.schema["ts"].dataType).__name__ == expected
        _same(read_log(spark_log, tz=tz, now=NOW), read_log(log, tz=tz, now=NOW))


def test_dates_and_epochs_and_no_event_column(spark: Any) -> None:
    dates = pl.DataFrame({"customer_id": ["1", "1", "2"], "date": [dt.date(1997, 1, 1)] * 2 + [None]})
    options: dict[str, Any] = {"time": "date", "event": None, "now": NOW}
    _same(read_log(_spark_frame(spark, dates), **options), read_log(dates, **options))
    epochs = pl.DataFrame({"user_id": ["a", "a", "b"], "ts": [1_700_000_000, 1_700_000_000, 1_700_090_000]})
    options = {"time_unit": "s", "tz": "Pacific/Auckland", "event": None, "now": NOW}
    _same(read_log(_spark_frame(spark, epochs), **options), read_log(epochs, **options))


def test_paths_are_read_by_spark_with_the_pyspark_engine(spark: Any, tmp_path: Path) -> None:
    TEXT_LOG.write_csv(tmp_path / "events.csv")
    TEXT_LOG.write_ndjson(tmp_path / "events.ndjson")
    (tmp_path / "parts").mkdir()
    for i, part in enumerate(_timestamps("UTC").iter_slices(3)):
        part.write_parquet(tmp_path / "parts" / f"part-{i}.parquet")
    users = pl.DataFrame({"user_id": ["a", "b"], "persona": ["agent", "buyer"]})
    for name in ("events.csv", "events.ndjson", "parts"):
        path = tmp_path / name
        on_spark = read_log(path, users=_spark_frame(spark, users), engine="pyspark", now=NOW)
        on_polars = read_log(path, users=users, now=NOW)
        _same(on_spark, on_polars)
        assert on_spark.engine == "pyspark"
        assert on_spark.users is not None and on_polars.users is not None
        assert on_spark.users.equals(on_polars.users), name
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_log(tmp_path / "missing.csv", engine="pyspark")


def test_metrics_run_in_spark_on_a_spark_log(spark: Any) -> None:
    events = _timestamps("UTC")
    on_spark = active_users(read_log(_spark_frame(spark, events), engine="pyspark", now=NOW), window=7)
    assert on_spark.equals(active_users(read_log(events, now=NOW), window=7))


def test_engine_names_are_checked() -> None:
    with pytest.raises(InvalidOptionError, match="'polars', 'duckdb', 'pyspark'"):
        read_log(TEXT_LOG, engine="spark")  # type: ignore[arg-type]


def test_import_does_not_load_pyspark() -> None:
    code = "import sys, stickiness; print('pyspark' in sys.modules, 'py4j' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False False"


def test_null_like_ids_padding_and_inferred_epochs_after_the_reduction(spark: Any) -> None:
    # the null-like and trimming rules run in polars on the reduced rows, weighted by the rows each stands for
    messy = pl.DataFrame(
        {
            "user_id": ["a", " a", "a ", "NA", "NA", " NULL", "b", "\\N"],
            "timestamp": [
                "2024-03-01T09:00:00Z",
                "2024-03-01T09:00:00Z",  # user a after trimming: a duplicate of the first row
                "2024-03-01T09:00:00Z",  # and again
                "2024-03-01T09:00:00Z",
                "2024-03-01T09:00:00Z",  # the same null-like row twice: one reduced row standing for 2
                "2024-03-02T09:00:00Z",
                "N/A",
                "2024-03-02T09:00:00Z",
            ],
            "event": ["open"] * 8,
        }
    )
    on_spark = read_log(_spark_frame(spark, messy), now=NOW)
    _same(on_spark, read_log(messy, now=NOW))
    assert on_spark.ledger.set_aside["null_user"] == 4 and on_spark.ledger.set_aside["null_time"] == 1
    assert on_spark.ledger.set_aside["duplicate"] == 2
    assert any("2 'NA', 1 'NULL', 1 '\\\\N'" in note for note in on_spark.ledger.notes)
    assert any(note.startswith("2 user ids in 'user_id' had leading") for note in on_spark.ledger.notes)
    epochs = pl.DataFrame({"user_id": ["a", "a", "b"], "ts": [1_700_000_000_000, 1_700_000_000_000, 1_700_090_000_000]})
    options: dict[str, Any] = {"tz": "Pacific/Auckland", "event": None, "now": NOW}
    _same(read_log(_spark_frame(spark, epochs), **options), read_log(epochs, **options))
    with pytest.raises(InvalidOptionError, match=r"time_unit='s' puts every event.*use time_unit='ms'"):
        read_log(_spark_frame(spark, epochs), time_unit="s", **options)


#: read_log of a Spark log (Parquet files read by Spark) in a session whose driver takes at most 1 MiB of task
#: results: the raw rows are about 15 MB, and almost every one is a (user, day, event) row of its own.
_SMALL_DRIVER = """
import datetime as dt, sys
import polars as pl
from pyspark.sql import SparkSession
import stickiness as st

spark = (
    SparkSession.builder.master("local[2]")
    .config("spark.driver.maxResultSize", "1m")
    .config("spark.ui.enabled", "false")
    .config("spark.sql.shuffle.partitions", "4")
    .config("spark.sql.session.timeZone", "UTC")
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")
n = 300_000
i = pl.int_range(n)
frame = pl.select(  # 5,000 users, 7 events, times over 60 days of March-April 2024, as ISO text
    user_id=pl.format("user-{}", i % 5_000),
    timestamp=(pl.lit(dt.datetime(2024, 3, 1)) + pl.duration(seconds=i * 37 % (86_400 * 60))).dt.strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    ),
    event=pl.format("event-{}", i % 7),
)
for part, rows in enumerate(frame.iter_slices(n // 4)):  # four files: four tasks, as in a lake
    rows.write_parquet(f"{sys.argv[1]}/part-{part}.parquet")
events = spark.read.parquet(sys.argv[1])
try:
    events.collect()  # the raw rows do not fit the driver's results
    print("collected")
except Exception as err:
    print("too big" if "maxResultSize" in str(err) else repr(err))
now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
log = st.read_log(events, engine="pyspark", now=now)
expected = st.read_log(frame, now=now)
print("same" if log.ledger == expected.ledger else f"{log.ledger}\\n{expected.ledger}")
print(log.ledger.rows_read, log.ledger.users)
spark.stop()
"""


def test_a_spark_log_is_read_with_a_tiny_driver(tmp_path: Path) -> None:
    # A session of its own (another driver setting cannot be given to the running one): a subprocess.
    pytest.importorskip("pyspark", reason="pyspark is an optional engine: pip install 'stickiness[spark]'")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("the pyspark engine needs Java 17 or newer")
    script = tmp_path / "small_driver.py"
    script.write_text(_SMALL_DRIVER)
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYTHONPATH": os.pathsep.join(sys.path)}
    (tmp_path / "events").mkdir()
    run = [sys.executable, str(script), str(tmp_path / "events")]
    done = subprocess.run(run, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    # the limit bites (the raw rows cannot be collected), the read does not: 300,000 rows of 5,000 users
    assert done.stdout.split() == ["too", "big", "same", "300000", "5000"], done.stdout
