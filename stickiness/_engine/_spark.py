"""PySpark: the session, Arrow transfer and casts, reading a log in Spark and reducing it there.

PySpark runs in the active SparkSession (a cluster's, or a notebook's); when none
is running, a local one is started once with :data:`SPARK_LOCAL` and reused.
pyspark is imported only when a function here is called.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import warnings
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

__all__ = [
    "DISTINCT",
    "ROWS",
    "SPARK_LOCAL",
    "is_spark_frame",
    "map_in_arrow",
    "persist",
    "polars_schema",
    "reduce_spark_log",
    "spark_column_is_date",
    "spark_day_numbers",
    "spark_session",
    "spark_source",
    "to_polars",
    "to_spark",
]

#: The settings of the local SparkSession started when none is running: two cores, no web UI or progress
#: bars, few shuffle partitions (the activity table is small for Spark), and UTC as the session time zone.
SPARK_LOCAL: Mapping[str, str] = {
    "spark.master": "local[2]",
    "spark.app.name": "stickiness",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.session.timeZone": "UTC",
}
#: Columns of a log reduced in Spark: the input rows each reduced row stands for, and their distinct times.
ROWS, DISTINCT = "__rows", "__distinct"
_DAY = "__day"
#: Java's names for Python codecs whose names Spark would not know.
_JAVA_CHARSETS = {"iso8859-1": "ISO-8859-1", "cp1252": "windows-1252", "utf-8-sig": "UTF-8"}
_MICROS_PER_DAY = 86_400_000_000
#: pyspark asks for pandas < 3 when it converts Arrow data, though the kit hands it Arrow tables only.
_PANDAS_WARNING = "PySpark does not yet fully support pandas"


def spark_session() -> Any:
    """Return the active (or default) SparkSession, else start a local one with :data:`SPARK_LOCAL`.

    A running session is used as it is: its settings are the cluster's, never changed here.
    """
    from stickiness._engine import optional_import

    optional_import("pyspark", extra="spark")
    session_class = importlib.import_module("pyspark.sql").SparkSession
    session = session_class.getActiveSession()
    if session is None:
        session = session_class._instantiatedSession  # the default session of another thread, if any
    if session is None:
        builder = session_class.builder
        for key, value in SPARK_LOCAL.items():
            builder = builder.config(key, value)
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        if "PYSPARK_PYTHON" not in os.environ:
            # The local workers run the per-row read in Python (polars, this package): with this interpreter,
            # not the first python3 on the PATH.
            session.sparkContext.pythonExec = sys.executable
    return session


def is_spark_frame(source: object) -> bool:
    """Tell whether ``source`` is a PySpark DataFrame (classic or Spark Connect), without importing pyspark."""
    return type(source).__module__.startswith("pyspark.") and type(source).__name__ == "DataFrame"


def to_polars(frame: Any) -> pl.DataFrame:
    """Collect a Spark DataFrame into polars (through Arrow, on the driver)."""
    out = pl.from_arrow(frame.toArrow())
    assert isinstance(out, pl.DataFrame)
    return out


def persist(frame: Any) -> Any:
    """Compute a Spark DataFrame once and keep it on the executors (memory, then disk); unpersisted when dropped.

    The count only computes it: nothing but one number comes to the driver.
    """
    storage = importlib.import_module("pyspark").StorageLevel
    kept = frame.persist(storage.MEMORY_AND_DISK)
    kept.count()
    java = getattr(kept, "_jdf", None)  # the JVM's frame: a finalizer must not hold the Python one
    if java is not None:
        weakref.finalize(kept, _unpersist, java)
    return kept


def _unpersist(java: Any) -> None:
    with contextlib.suppress(Exception):  # the session may be stopped already: its cache went with it
        java.unpersist(False)


def spark_day_numbers(frame: Any, columns: Mapping[str, str], *, to_dates: bool) -> Any:
    """Add ``alias=column`` columns: day numbers (Int32) of dates, or (``to_dates``) dates of day numbers."""
    functions = importlib.import_module("pyspark.sql.functions")
    convert = functions.date_from_unix_date if to_dates else functions.unix_date
    for alias, column in columns.items():
        value = functions.col(column).cast("int") if to_dates else functions.col(column)
        frame = frame.withColumn(alias, convert(value))
    return frame


def to_spark(frame: pl.DataFrame) -> Any:
    """Hand a polars frame to the Spark session, through Arrow."""
    # Spark has no unsigned integers nor categoricals: widen and decode them (outputs are cast back by collect).
    casts = {
        name: pl.Int64() if dtype.is_unsigned_integer() else pl.String()
        for name, dtype in frame.schema.items()
        if dtype.is_unsigned_integer() or isinstance(dtype, (pl.Categorical, pl.Enum))
    }
    table = frame.cast(casts).to_arrow() if casts else frame.to_arrow()  # type: ignore[arg-type]
    session = spark_session()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_PANDAS_WARNING, category=FutureWarning)
        return session.createDataFrame(table)


def spark_source(source: Any, *, engine: str, encoding: str = "utf-8") -> Any | None:
    """Return the log as a Spark DataFrame when Spark reads it: a Spark frame, or a path with ``engine="pyspark"``.

    Paths may be local (file, glob or folder, as for polars) or a URL Spark can read
    (``s3a://``, ``hdfs://``, ``abfss://``, ...), whose format is told by its ending.
    Returns None for every other source (read by polars).
    """
    if type(source).__module__.split(".")[0] == "narwhals":
        import narwhals as nw

        source = nw.to_native(source)
    if is_spark_frame(source):
        return source
    if engine != "pyspark" or not isinstance(source, (str, os.PathLike)):
        return None
    # imported here: the sources module imports this package
    from stickiness._encoding import check_encoding
    from stickiness._sources import file_format

    text = os.fspath(source)
    local = "://" not in text
    kind, suffix = file_format(Path(text), role="log", local=local)
    reader = spark_session().read
    if kind in ("parquet", "parquet_dir"):
        return reader.parquet(text)
    if kind in ("ndjson", "json"):
        return reader.json(text)
    # Every column as text, as polars reads CSV; a folder's part files at any depth.
    reader = reader.option("header", "true").option("sep", "\t" if suffix == ".tsv" else ",")
    codec = check_encoding(encoding)
    reader = reader.option("encoding", _JAVA_CHARSETS.get(codec, codec))
    if kind == "csv_dir":
        reader = reader.option("recursiveFileLookup", "true")
    return reader.csv(text)


def reduce_spark_log(
    frame: Any, *, user: str, time: str, event: str | None, tz: str, time_unit: str | None, instants: bool = False
) -> Any:
    """Reduce a log in Spark, lazily: return the reduced rows as a Spark DataFrame (nothing is collected).

    Only the user, time and event columns are read, and exact duplicates (same user,
    time and event) are grouped into one row with their count, ``__rows``. When the
    time column is a Spark timestamp or date (and ``time_unit`` is None), the day in
    ``tz`` is computed in Spark too and the rows are grouped per (user, day, event):
    the time column then holds that day (a date), ``__rows`` the input rows and
    ``__distinct`` their distinct times. Text or epoch times are parsed later, on the
    executors, by the polars per-row read (``__distinct`` is 1), so their reduced rows
    are the distinct (user, time, event) rows of the log. With ``instants`` (users with time
    zones of their own), a timestamp column keeps its instants too: their day depends on the
    user's zone, which the per-row read applies (dates and wall-clock timestamps are still
    reduced to days: their date is the same in every zone).
    """
    functions = importlib.import_module("pyspark.sql.functions")
    keys = [user, time, *([event] if event else [])]
    exact = frame.groupBy(*[frame[name] for name in keys]).agg(functions.count(functions.lit(1)).alias(ROWS))
    dtype = exact.schema[time].dataType
    keep_instants = instants and isinstance(dtype, importlib.import_module("pyspark.sql.types").TimestampType)
    day = None if time_unit is not None or keep_instants else _spark_day(exact[time], dtype, tz)
    if day is None:
        return exact.withColumn(DISTINCT, functions.lit(1).cast("long"))
    others = [user, *([event] if event else [])]
    return (
        exact.withColumn(_DAY, day)
        .groupBy(*others, _DAY)
        .agg(functions.sum(ROWS).alias(ROWS), functions.count(time).alias(DISTINCT))
        .withColumnRenamed(_DAY, time)
    )


def map_in_arrow(frame: Any, function: Any, schema: Any) -> Any:
    """Return ``frame.mapInArrow(function, schema)``: ``function`` runs on the executors, on Arrow batches."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_PANDAS_WARNING, category=FutureWarning)
        return frame.mapInArrow(function, schema)


def polars_schema(frame: Any) -> pl.Schema:
    """Return the polars schema of a Spark DataFrame's rows (through Arrow; no row is read)."""
    return to_polars(frame.limit(0)).schema


def spark_column_is_date(frame: Any, column: str) -> bool:
    """Whether ``column`` of the Spark DataFrame ``frame`` is a date (no time of day)."""
    types = importlib.import_module("pyspark.sql.types")
    return isinstance(frame.schema[column].dataType, types.DateType)


def _spark_day(column: Any, dtype: Any, tz: str) -> Any | None:
    """Return the calendar day in ``tz`` of a Spark timestamp or date column, or None for other types.

    Independent of the session time zone: a timestamp is an instant, shifted to its
    wall-clock time in ``tz`` and cut to whole days since 1970-01-01; a timestamp
    without time zone is a wall-clock time in ``tz`` already, as in polars.
    """
    functions = importlib.import_module("pyspark.sql.functions")
    types = importlib.import_module("pyspark.sql.types")
    if isinstance(dtype, types.DateType):
        return column
    if isinstance(dtype, types.TimestampNTZType):
        return functions.to_date(column)
    if isinstance(dtype, types.TimestampType):
        wall_clock = functions.unix_micros(functions.from_utc_timestamp(column, tz))
        return functions.date_from_unix_date(functions.floor(wall_clock / _MICROS_PER_DAY).cast("int"))
    return None
