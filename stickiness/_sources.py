"""Turn any supported input into a polars LazyFrame, without reading it yet.

Files are *scanned* (nothing is loaded until a query runs), so logs larger than
memory work. CSV is read with every column as text: the kit parses times itself
(so a bad value is counted, not fatal) and user ids keep their leading zeros.

A log in Spark (a Spark DataFrame, or a path read with ``engine="pyspark"``) is
first reduced in Spark (:func:`reduce_spark_log`), and only the reduced rows are
collected into polars, where the ledger is kept.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import polars as pl

from stickiness._engine import is_spark_frame, spark_session, to_polars
from stickiness._errors import UnsupportedSourceError

__all__ = ["DISTINCT", "ROWS", "Source", "reduce_spark_log", "scan_source", "spark_source"]

#: What :func:`stickiness.read_log` accepts as a log or a users table.
Source = Any  # str | os.PathLike | pl.DataFrame | pl.LazyFrame | pandas.DataFrame | pyarrow.Table | Spark DataFrame
#: Columns of a log reduced in Spark: the input rows each reduced row stands for, and their distinct times.
ROWS, DISTINCT = "__rows", "__distinct"
_DAY = "__day"
_MICROS_PER_DAY = 86_400_000_000

_CSV = (".csv", ".tsv", ".txt")
_PARQUET = (".parquet", ".pq")
_NDJSON = (".ndjson", ".jsonl", ".json")
_SUPPORTED = "CSV (.csv, .tsv, .txt), Parquet (.parquet, .pq; file, glob or folder), NDJSON (.ndjson, .jsonl)"


def scan_source(source: Source, *, role: str = "log") -> pl.LazyFrame:
    """Return a lazy polars frame over ``source``.

    Parameters
    ----------
    source
        A path (file, glob or folder of Parquet files), or a polars, pandas or
        pyarrow frame.
    role
        What the source is (``"log"`` or ``"users table"``), used in error messages.
    """
    if isinstance(source, pl.LazyFrame):
        return source
    if isinstance(source, pl.DataFrame):
        return source.lazy()
    if isinstance(source, (str, os.PathLike)):
        return _scan_path(Path(source), role=role)
    if is_spark_frame(source):
        return to_polars(source).lazy()  # a users table: small, collected whole
    module = type(source).__module__.split(".")[0]
    if module == "pandas":
        return pl.from_pandas(source).lazy()
    if module == "pyarrow":
        frame = pl.from_arrow(source)
        if isinstance(frame, pl.Series):
            frame = frame.to_frame()
        return frame.lazy()
    if module == "narwhals":
        return _scan_narwhals(source)
    raise UnsupportedSourceError(
        f"cannot read the {role} from a {type(source).__name__}. "
        f"Pass a file path ({_SUPPORTED}) or a polars, pandas, pyarrow or Spark frame."
    )


def _scan_narwhals(source: Any) -> pl.LazyFrame:
    import narwhals as nw

    native = nw.to_native(source)
    return scan_source(native)


def _format(path: Path, *, role: str, local: bool = True) -> tuple[str, str]:
    """Return a path's ``(format, suffix)``.

    The format is ``"parquet"``, ``"csv"``, ``"ndjson"``, or a folder's ``"parquet_dir"``
    or ``"csv_dir"``. Only ``local`` paths are listed and checked for existence.
    """
    text = str(path)
    if local and path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file())
        suffixes = {p.suffix.lower() for p in files}
        if files and suffixes <= set(_PARQUET):
            return "parquet_dir", ".parquet"
        if files and suffixes <= set(_CSV):
            return "csv_dir", next(iter(suffixes))
        raise UnsupportedSourceError(
            f"the {role} folder {text!r} does not hold only Parquet or only CSV files "
            f"(found {sorted(suffixes) or 'no files'}). Point at one file, a glob, or a folder of Parquet files."
        )
    if local and not any(ch in text for ch in "*?[") and not path.exists():
        raise FileNotFoundError(f"the {role} file {text!r} does not exist. Check the path.")
    suffix = path.suffix.lower()
    for kind, endings in (("csv", _CSV), ("parquet", _PARQUET), ("ndjson", _NDJSON)):
        if suffix in endings:
            return kind, suffix
    raise UnsupportedSourceError(
        f"cannot tell the format of the {role} {text!r} from its ending {suffix!r}. Supported: {_SUPPORTED}."
    )


def _scan_path(path: Path, *, role: str) -> pl.LazyFrame:
    text = str(path)
    kind, suffix = _format(path, role=role)
    if kind == "parquet_dir":
        return pl.scan_parquet(path / "**" / "*.parquet", hive_partitioning=True)
    if kind == "csv_dir":
        return _scan_csv(str(path / "**" / f"*{suffix}"))
    if kind == "csv":
        return _scan_csv(text, separator="\t" if suffix == ".tsv" else ",")
    if kind == "parquet":
        return pl.scan_parquet(text)
    return pl.scan_ndjson(text)


def _scan_csv(text: str, *, separator: str = ",") -> pl.LazyFrame:
    # Every column as text: type inference on a sample fails on a later odd row,
    # and would turn user id "007" into 7. Times are parsed by stickiness._time.
    return pl.scan_csv(text, separator=separator, infer_schema=False)


# --------------------------------------------------------------------------- #
# Logs in Spark                                                                #
# --------------------------------------------------------------------------- #


def spark_source(source: Source, *, engine: str) -> Any | None:
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
    text = os.fspath(source)
    local = "://" not in text
    kind, suffix = _format(Path(text), role="log", local=local)
    reader = spark_session().read
    if kind in ("parquet", "parquet_dir"):
        return reader.parquet(text)
    if kind == "ndjson":
        return reader.json(text)
    # Every column as text, as polars reads CSV; a folder's part files at any depth.
    reader = reader.option("header", "true").option("sep", "\t" if suffix == ".tsv" else ",")
    if kind == "csv_dir":
        reader = reader.option("recursiveFileLookup", "true")
    return reader.csv(text)


def reduce_spark_log(
    frame: Any, *, user: str, time: str, event: str | None, tz: str, time_unit: str | None
) -> pl.LazyFrame:
    """Reduce a log in Spark, collect the reduced rows and return them as a polars frame.

    In Spark: only the user, time and event columns are read, and exact duplicates
    (same user, time and event) are grouped into one row with their count,
    ``__rows``. When the time column is a Spark timestamp or date (and
    ``time_unit`` is None), the day in ``tz`` is computed in Spark too and the rows
    are grouped per (user, day, event): the time column then holds that day (a
    Date), ``__rows`` the input rows and ``__distinct`` their distinct times, so
    what is collected is about the size of the activity table. Text or epoch
    times are parsed by polars after collecting (``__distinct`` is 1), so their
    reduced rows are the distinct (user, time, event) rows of the log.
    """
    functions = importlib.import_module("pyspark.sql.functions")
    keys = [user, time, *([event] if event else [])]
    exact = frame.groupBy(*[frame[name] for name in keys]).agg(functions.count(functions.lit(1)).alias(ROWS))
    day = None if time_unit is not None else _spark_day(exact[time], exact.schema[time].dataType, tz)
    if day is None:
        reduced = exact.withColumn(DISTINCT, functions.lit(1).cast("long"))
    else:
        others = [user, *([event] if event else [])]
        reduced = (
            exact.withColumn(_DAY, day)
            .groupBy(*others, _DAY)
            .agg(functions.sum(ROWS).alias(ROWS), functions.count(time).alias(DISTINCT))
            .withColumnRenamed(_DAY, time)
        )
    return to_polars(reduced).lazy()


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
