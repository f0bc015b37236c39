"""The one place that knows about engines.

Stages are written once against narwhals; ``_engine`` provides the primitives with
per-engine implementations. This package lifts polars frames into the chosen engine
(polars, DuckDB or PySpark), brings results back as polars frames with the
documented column types (every output column is cast here, because engines differ
in integer widths: DuckDB sums are decimals, Spark counts are longs; and in what a
date offset returns: a timestamp on DuckDB and Spark), and holds the primitives:

- :func:`runs`: distinct (key, order) rows with the neighbouring order values of
  the key (active days and the next one, a user's periods, the gaps of a habit);
- :func:`decode_users`: user codes back to the log's user ids.

Intermediate results stay where they are computed: :func:`keep` holds a frame in
the engine (a polars DataFrame; a DuckDB table, which spills to disk past the
session's memory limit; a persisted Spark DataFrame) and :func:`lift` passes such
frames through, so only results are collected (:func:`collect`). A log's tables
live in its :class:`Session` (``_session.py``).

Each primitive has a narwhals implementation (``_generic.py``, every engine) and a
polars one (``_polars.py``, faster); the choice between them is made here only.
DuckDB and PySpark specifics live in ``_duckdb.py`` and ``_spark.py``; ``_read.py`` runs
read_log's per-row rules where the rows flow (streamed into DuckDB, on Spark's executors) and
groups them in the engine.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Collection, Iterator, Mapping, Sequence
from types import ModuleType
from typing import Any, Protocol, get_args

import narwhals as nw
import polars as pl

from stickiness._engine import _duckdb, _generic, _polars
from stickiness._engine._read import (
    Grouping,
    RowPlan,
    UserBuckets,
    buckets_for,
    group_in_engine,
    spark_median,
    spark_rows,
)
from stickiness._engine._session import Session, check_memory_limit, open_session, size_text
from stickiness._engine._spark import (
    DISTINCT,
    ROWS,
    SPARK_LOCAL,
    is_spark_frame,
    persist,
    polars_schema,
    reduce_spark_log,
    spark_column_is_date,
    spark_day_numbers,
    spark_session,
    spark_source,
    to_polars,
    to_spark,
)
from stickiness.exceptions import InvalidOptionError
from stickiness.typing import Engine

__all__ = [
    "DISTINCT",
    "ENGINES",
    "NEIGHBOURS",
    "ROWS",
    "SPARK_LOCAL",
    "Engine",
    "Grouping",
    "Held",
    "RowPlan",
    "Session",
    "UserBuckets",
    "buckets_for",
    "check_engine",
    "check_memory_limit",
    "collect",
    "day_dates",
    "day_numbers",
    "decode_users",
    "group_in_engine",
    "grouped_medians",
    "is_spark_frame",
    "keep",
    "lift",
    "open_session",
    "optional_import",
    "polars_schema",
    "reduce_spark_log",
    "running_sum",
    "runs",
    "session_of",
    "size_text",
    "spark_column_is_date",
    "spark_median",
    "spark_rows",
    "spark_session",
    "spark_source",
    "to_polars",
    "within_memory",
]

ENGINES: tuple[str, ...] = get_args(Engine)
#: The neighbours :func:`runs` can add, as ``__prev``, ``__next`` and ``__first``.
NEIGHBOURS: tuple[str, ...] = ("prev", "next", "first")


#: A frame held for later stages: a polars DataFrame on polars, a frame resident in the engine (:func:`keep`) else.
Held = pl.DataFrame | nw.LazyFrame[Any]


class OnEngine(Protocol):
    """Anything that says which engine its metrics run in and holds its session (a :class:`~stickiness.UsageLog`)."""

    @property
    def engine(self) -> Engine: ...

    @property
    def session(self) -> Session: ...


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


def session_of(where: Engine | OnEngine | Session) -> Session:
    """Return the session of a log, a session itself, or a new session of the engine named."""
    if isinstance(where, Session):
        return where
    return open_session(where) if isinstance(where, str) else where.session


def lift(
    where: Engine | OnEngine | Session, **frames: pl.DataFrame | pl.LazyFrame | nw.LazyFrame[Any]
) -> dict[str, nw.LazyFrame[Any]]:
    """Hand frames to an engine (a name, or a log's session) as narwhals lazy frames that can be joined together.

    Polars frames are handed over (lazy ones stay lazy on polars; other engines get them
    computed); narwhals frames are already in the engine (:func:`keep`) and pass through.
    """
    session = session_of(where)
    out: dict[str, nw.LazyFrame[Any]] = {}
    for name, frame in frames.items():
        if isinstance(frame, nw.LazyFrame):
            out[name] = frame
        elif session.engine == "polars":
            out[name] = nw.from_native(frame.lazy())
        else:
            eager = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
            native = to_spark(eager) if session.engine == "pyspark" else _duckdb.to_duckdb(session.connection, eager)
            out[name] = nw.from_native(native)
    return out


def keep(
    where: OnEngine | Session,
    frame: nw.LazyFrame[Any],
    schema: Mapping[str, pl.DataType] | None = None,
    *,
    dates: Collection[str] = (),
) -> Held:
    """Compute ``frame`` and hold the result where it was computed, with ``schema``'s columns and types.

    ``schema=None`` keeps the frame's own columns and types. ``dates`` name columns that
    hold day numbers (days since 1970-01-01) and are kept as the schema's Dates.

    On polars the result is a polars DataFrame (:func:`collect`); on DuckDB a table of
    the log's connection (spilling to disk past its memory limit), dropped when the
    returned frame is; on PySpark a persisted DataFrame (memory and disk), unpersisted
    when the returned frame is. Only the polars result is on the driver.

    Examples
    --------
    >>> import polars as pl
    >>> from stickiness._engine._session import open_session
    >>> session = open_session("duckdb")
    >>> frame = lift(session, rows=pl.DataFrame({"a": [1, 2]}))["rows"]
    >>> held = keep(session, frame.with_columns(b=nw.col("a") * 2), {"a": pl.UInt32(), "b": pl.Date()}, dates=["b"])
    >>> collect(held, {"a": pl.UInt32(), "b": pl.Date()}).rows()
    [(1, datetime.date(1970, 1, 3)), (2, datetime.date(1970, 1, 5))]
    """
    session = session_of(where)
    if session.engine == "polars":
        if schema is None:
            eager: pl.DataFrame = frame.collect("polars").to_native()
            return eager
        # day numbers become Dates after the collect: a cast of the result, not of the query
        numbers = {name: pl.Int32() if name in dates else dtype for name, dtype in schema.items()}
        return collect(frame, numbers).with_columns(pl.col(name).cast(pl.Date) for name in dates)
    if dates:
        frame = day_dates(frame, **{name: name for name in dates})
    typed = (
        frame
        if schema is None
        else frame.select([nw.col(name).cast(_engine_type(session.engine, dtype)) for name, dtype in schema.items()])
    )
    native = typed.to_native()
    with within_memory(session.memory_limit):
        held = persist(native) if session.engine == "pyspark" else _duckdb.materialize(session.connection, native)
    return _lazy(held)


def _lazy(native: Any) -> nw.LazyFrame[Any]:
    """Wrap a native engine frame as a narwhals lazy frame."""
    frame: nw.LazyFrame[Any] = nw.from_native(native)
    return frame


def _engine_type(engine: str, dtype: pl.DataType) -> Any:
    """Return the narwhals type a column is held in by ``engine`` (Spark has no unsigned integers)."""
    if engine == "pyspark" and dtype.is_unsigned_integer():
        dtype = pl.Int64()
    return nw.from_native(pl.DataFrame(schema={"c": dtype})).schema["c"]


@contextlib.contextmanager
def within_memory(limit: int | None = None) -> Iterator[None]:
    """Turn an engine running out of memory into a clear error that says which limit to raise (``limit``: the log's)."""
    try:
        yield
    except Exception as err:
        better = _duckdb.out_of_memory(err, limit)
        if better is None:
            raise
        raise better from err


def collect(frame: nw.LazyFrame[Any], schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """Run ``frame`` and return a polars frame with exactly ``schema``'s columns and types."""
    with within_memory():
        out: pl.DataFrame = frame.collect("polars").to_native()
    return out.select([_cast(out.schema[name], name, dtype) for name, dtype in schema.items()])


def _cast(source: pl.DataType, name: str, dtype: pl.DataType) -> pl.Expr:
    if isinstance(source, pl.Datetime) and dtype == pl.Date:
        # A date offset or truncation comes back as a timestamp (DuckDB, Spark), at midnight
        # in the session's time zone: its date there is the day.
        return pl.col(name).dt.date()
    return pl.col(name).cast(dtype)


def runs(frame: nw.LazyFrame[Any], *, key: str, order: str, with_: Collection[str] = ()) -> nw.LazyFrame[Any]:
    """Return the distinct (key, order) rows of ``frame``, with the neighbouring order values of their key.

    Parameters
    ----------
    frame
        A lifted frame (:func:`lift`) with the integer columns ``key`` and ``order`` (others are dropped).
    key, order
        The column that groups the rows (a user, a user x use case) and the one that orders them (a day, a period).
    with_
        Which neighbours to add (the order's type; null where there is none):
        ``"prev"`` (``__prev``: the key's previous order value), ``"next"`` (``__next``: its next one) and
        ``"first"`` (``__first``: its smallest).

    Returns
    -------
    narwhals.LazyFrame
        ``key, order`` and the asked neighbours, in the frame's engine. Row order is not part of the
        contract (on polars the rows come sorted by key and order).

    Examples
    --------
    >>> import polars as pl
    >>> days = lift("polars", days=pl.DataFrame({"u": [1, 1, 1, 2], "d": [5, 3, 5, 9]}))["days"]
    >>> runs(days, key="u", order="d", with_=("prev", "next", "first")).collect().rows()
    [(1, 3, None, 5, 3), (1, 5, 3, None, 3), (2, 9, None, None, 9)]
    """
    unknown = set(with_) - set(NEIGHBOURS)
    if unknown:
        raise ValueError(f"with_={sorted(unknown)}: runs adds only {list(NEIGHBOURS)}.")
    native = frame.to_native()
    if isinstance(native, pl.LazyFrame):
        # The two columns once, in memory: the gate reads their range, the packed route sorts them.
        rows = native.select(key, order).collect()
        if _polars.accepts(rows, key=key, order=order):
            return _polars.runs(rows, key=key, order=order, with_=with_)
        frame = nw.from_native(rows.lazy())
    return _generic.runs(frame, key=key, order=order, with_=with_)


def running_sum(frame: nw.LazyFrame[Any], *, key: str, order: str, value: str, alias: str) -> nw.LazyFrame[Any]:
    """Add ``alias``: the sum of ``value`` (no nulls) over the rows of the same ``key`` up to this one by ``order``.

    ``order`` is unique within a key. The window form (``cum_sum().over(key, order_by=order)``) on
    DuckDB and Spark; on polars a sort and a running sum over all rows (:func:`_polars.running_sum`),
    since polars' streaming engine stalled on that window at 100M events. Row order is not part of
    the contract.

    Examples
    --------
    >>> import polars as pl
    >>> for engine in ("polars", "duckdb"):
    ...     rows = lift(engine, rows=pl.DataFrame({"k": [2, 1, 1, 2, 1], "t": [5, 9, 3, 1, 4], "v": [1, 1, -1, 2, 1]}))
    ...     out = running_sum(rows["rows"], key="k", order="t", value="v", alias="s")  # DuckDB sums are decimals
    ...     print(engine, sorted(out.with_columns(nw.col("s").cast(nw.Int64())).collect("polars").rows()))
    polars [(1, 3, -1, -1), (1, 4, 1, 0), (1, 9, 1, 1), (2, 1, 2, 2), (2, 5, 1, 3)]
    duckdb [(1, 3, -1, -1), (1, 4, 1, 0), (1, 9, 1, 1), (2, 1, 2, 2), (2, 5, 1, 3)]

    (k=1 by t: -1 at 3, -1 + 1 = 0 at 4, 0 + 1 = 1 at 9; k=2: 2 at 1, 2 + 1 = 3 at 5.)
    """
    native = frame.to_native()
    if isinstance(native, pl.LazyFrame):
        return _polars.running_sum(native, key=key, order=order, value=value, alias=alias)
    return _generic.running_sum(frame, key=key, order=order, value=value, alias=alias)


def grouped_medians(
    frame: nw.LazyFrame[Any], *, by: Sequence[str], aggs: Sequence[nw.Expr] = (), medians: Mapping[str, str]
) -> nw.LazyFrame[Any]:
    """Group ``frame`` by ``by``: the aggregates ``aggs`` and the medians of ``medians``' columns (``alias: column``).

    A median is of the group's non-null values (null when it has none). Polars and Spark take
    it in the same group-by; DuckDB holds a group's values in memory for a median, so there it
    comes from each group's histogram, which spills (:func:`_generic.grouped_medians`).

    Examples
    --------
    >>> import polars as pl
    >>> for engine in ("polars", "duckdb"):
    ...     rows = lift(engine, rows=pl.DataFrame({"k": [1, 1, 1, 1, 2, 2], "v": [4, 1, 2, 9, 5, None]}))["rows"]
    ...     table = grouped_medians(rows, by=["k"], aggs=[nw.len().alias("n")], medians={"m": "v"})
    ...     print(engine, sorted(table.collect("polars").rows()))
    polars [(1, 4, 3.0), (2, 2, 5.0)]
    duckdb [(1, 4, 3.0), (2, 2, 5.0)]
    """
    native = frame.to_native()
    if isinstance(native, pl.LazyFrame) or is_spark_frame(native):
        # Spark keeps its own median: the histogram's window functions stalled a local Spark test run
        exprs = [*aggs, *(nw.col(column).median().alias(alias) for alias, column in medians.items())]
        return frame.group_by(*by).agg(*exprs)
    return _generic.grouped_medians(frame, by=by, aggs=aggs, medians=medians)


def day_numbers(frame: nw.LazyFrame[Any], **columns: str) -> nw.LazyFrame[Any]:
    """Add Int32 day numbers (days since 1970-01-01) of Date columns: ``alias=column``.

    Engines differ in how a date becomes a number (DuckDB casts no date to an integer).

    >>> import datetime as dt, polars as pl
    >>> days = lift("duckdb", days=pl.DataFrame({"day": [dt.date(1970, 1, 3)]}))["days"]
    >>> day_numbers(days, __d="day").collect("polars").rows()
    [(datetime.date(1970, 1, 3), 2)]
    """
    native = frame.to_native()
    if isinstance(native, pl.LazyFrame):
        return nw.from_native(native.with_columns(pl.col(c).cast(pl.Int32).alias(a) for a, c in columns.items()))
    if is_spark_frame(native):
        return _lazy(spark_day_numbers(native, columns, to_dates=False))
    return _lazy(_duckdb.day_numbers(native, columns, to_dates=False))


def day_dates(frame: nw.LazyFrame[Any], **columns: str) -> nw.LazyFrame[Any]:
    """Add Date columns from day numbers (days since 1970-01-01): ``alias=column``; the inverse of :func:`day_numbers`.

    >>> import polars as pl
    >>> days = lift("duckdb", days=pl.DataFrame({"__d": [2]}))["days"]
    >>> day_dates(days, day="__d").collect("polars").rows()
    [(2, datetime.date(1970, 1, 3))]
    """
    native = frame.to_native()
    if isinstance(native, pl.LazyFrame):
        as_date = [pl.col(c).cast(pl.Int32).cast(pl.Date).alias(a) for a, c in columns.items()]
        return nw.from_native(native.with_columns(as_date))
    if is_spark_frame(native):
        return _lazy(spark_day_numbers(native, columns, to_dates=True))
    return _lazy(_duckdb.day_numbers(native, columns, to_dates=True))


def decode_users(
    frame: nw.LazyFrame[Any], codes: nw.LazyFrame[Any], *, offset: int | None, dtype: pl.DataType
) -> nw.LazyFrame[Any]:
    """Add ``user`` (the log's id) to a frame with ``__u`` codes.

    Parameters
    ----------
    frame
        A lifted frame with a ``__u`` column.
    codes
        The log's ``__u, user`` table, lifted with ``frame`` (on polars with an ``offset`` it is never computed).
    offset, dtype
        The smallest user id when ids are integers coded as ``user - offset`` (else None), and the ids' type.

    Examples
    --------
    >>> import polars as pl
    >>> lazy = lift("polars", rows=pl.DataFrame({"__u": [1, 0]}), codes=pl.DataFrame({"__u": [0, 1], "user": [7, 8]}))
    >>> decode_users(lazy["rows"], lazy["codes"], offset=7, dtype=pl.Int64()).collect().rows()
    [(1, 8), (0, 7)]
    """
    native, table = frame.to_native(), codes.to_native()
    if isinstance(native, pl.LazyFrame) and isinstance(table, pl.LazyFrame):
        return _polars.decode_users(native, table, offset=offset, dtype=dtype)
    return _generic.decode_users(frame, codes)
