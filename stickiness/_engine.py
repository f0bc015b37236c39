"""The one place that knows about engines.

Metrics are written once with narwhals on lazy frames. This module lifts polars
frames into the chosen engine (polars, DuckDB or PySpark) and brings results back
as polars frames with the documented column types: every output column is cast
here, because engines differ in integer widths (DuckDB sums are decimals, Spark
counts are longs) and in what a date offset returns (a timestamp on DuckDB and
Spark).

PySpark runs in the active SparkSession (a cluster's, or a notebook's); when none
is running, a local one is started once with :data:`SPARK_LOCAL` and reused.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Mapping
from types import ModuleType
from typing import Any, get_args

import narwhals as nw
import polars as pl

from stickiness._errors import InvalidOptionError
from stickiness.typing import Engine

__all__ = [
    "ENGINES",
    "SPARK_LOCAL",
    "Engine",
    "check_engine",
    "collect",
    "is_spark_frame",
    "lift",
    "optional_import",
    "spark_session",
    "to_polars",
]

ENGINES: tuple[str, ...] = get_args(Engine)
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
#: pyspark asks for pandas < 3 when it converts Arrow data, though the kit hands it Arrow tables only.
_PANDAS_WARNING = "PySpark does not yet fully support pandas"


def optional_import(module: str, *, extra: str, package: str | None = None) -> ModuleType:
    """Import an optional dependency, or fail with the command that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise ImportError(
            f"{module} is needed for this and is not installed. Install it with "
            f"`pip install 'stickiness[{extra}]'` (or `pip install {package or module}`)."
        ) from err


def check_engine(engine: str) -> Engine:
    """Return ``engine`` if it is supported, else raise a clear error."""
    if engine not in ENGINES:
        raise InvalidOptionError(f"engine={engine!r} is not supported. Use one of {list(ENGINES)}.")
    return engine  # type: ignore[return-value]


def spark_session() -> Any:
    """Return the active (or default) SparkSession, else start a local one with :data:`SPARK_LOCAL`.

    A running session is used as it is: its settings are the cluster's, never changed here.
    """
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
    return session


def is_spark_frame(source: object) -> bool:
    """Tell whether ``source`` is a PySpark DataFrame (classic or Spark Connect), without importing pyspark."""
    return type(source).__module__.startswith("pyspark.") and type(source).__name__ == "DataFrame"


def to_polars(frame: Any) -> pl.DataFrame:
    """Collect a Spark DataFrame into polars (through Arrow, on the driver)."""
    out = pl.from_arrow(frame.toArrow())
    assert isinstance(out, pl.DataFrame)
    return out


def lift(engine: Engine, **frames: pl.DataFrame) -> dict[str, nw.LazyFrame[Any]]:
    """Hand polars frames to ``engine`` as narwhals lazy frames that can be joined together."""
    if engine == "polars":
        return {name: nw.from_native(frame.lazy()) for name, frame in frames.items()}
    if engine == "pyspark":
        session = spark_session()
        return {name: nw.from_native(_to_spark(session, frame)) for name, frame in frames.items()}
    duckdb = optional_import("duckdb", extra="duckdb")
    con = duckdb.connect()  # one connection per call: relations must share it to be joined
    return {name: nw.from_native(con.from_arrow(frame.to_arrow())) for name, frame in frames.items()}


def _to_spark(session: Any, frame: pl.DataFrame) -> Any:
    # Spark has no unsigned integers nor categoricals: widen and decode them (outputs are cast back by collect).
    casts = {
        name: pl.Int64() if dtype.is_unsigned_integer() else pl.String()
        for name, dtype in frame.schema.items()
        if dtype.is_unsigned_integer() or isinstance(dtype, (pl.Categorical, pl.Enum))
    }
    table = frame.cast(casts).to_arrow() if casts else frame.to_arrow()  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_PANDAS_WARNING, category=FutureWarning)
        return session.createDataFrame(table)


def collect(frame: nw.LazyFrame[Any], schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """Run ``frame`` and return a polars frame with exactly ``schema``'s columns and types."""
    out: pl.DataFrame = frame.collect("polars").to_native()
    return out.select([_cast(out.schema[name], name, dtype) for name, dtype in schema.items()])


def _cast(source: pl.DataType, name: str, dtype: pl.DataType) -> pl.Expr:
    if isinstance(source, pl.Datetime) and dtype == pl.Date:
        # A date offset or truncation comes back as a timestamp (DuckDB, Spark), at midnight
        # in the session's time zone: its date there is the day.
        return pl.col(name).dt.date()
    return pl.col(name).cast(dtype)
