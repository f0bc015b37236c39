"""Reading a log where its metrics run: the per-row read run where the rows flow, grouped in the engine.

The per-row read (parsing days, null-like ids, trimming, reasons) is ONE definition: a
:class:`RowPlan` of polars expressions, built by :mod:`stickiness.log`. Each route runs it
where the rows are and groups the rows per (reason, user, day, event) there:

- DuckDB: polars runs the plan on the source in streaming batches, handed to the log's
  connection as an Arrow stream (:func:`duckdb_rows`); DuckDB groups them into a table,
  which spills to the session's directory past its memory limit.
- Spark: the plan runs on the executors, on the log reduced in Spark, through
  ``DataFrame.mapInArrow`` (:func:`spark_rows`: polars expressions pickle); Spark groups
  the rows into a persisted DataFrame.

The grouping (:func:`group_rows`) is written once, in narwhals, for both.

Counting exact duplicates needs a first group-by with the time: about one group per row.
Under a DuckDB ``memory_limit`` too small for that table, the rows are grouped a bucket of
users at a time (:class:`UserBuckets`, :func:`buckets_for`): a user's rows are all in one
bucket, so each bucket's groups are whole and the buckets' tables are simply appended,
each small enough to group in memory rather than spill (docs/engines.md).
"""

from __future__ import annotations

import functools
import importlib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import narwhals as nw
import polars as pl

from stickiness._engine import _duckdb
from stickiness._engine._session import Session
from stickiness._engine._spark import is_spark_frame, map_in_arrow, persist

__all__ = [
    "GROUP_BYTES_PER_ROW",
    "ROW_CHUNK",
    "Grouping",
    "RowPlan",
    "UserBuckets",
    "buckets_for",
    "duckdb_rows",
    "group_in_engine",
    "group_rows",
    "spark_median",
    "spark_rows",
]

#: Rows per batch handed from polars to DuckDB: large enough for DuckDB's vectorised group-by, small
#: enough that a few batches in flight stay far below any memory limit.
ROW_CHUNK = 262_144

Step = Literal["select", "with_columns", "filter"]

#: What one row takes in DuckDB's first group-by (keys, time, counts and the hash table's share), in bytes:
#: an estimate on the safe side, used to size the buckets (:func:`buckets_for`).
GROUP_BYTES_PER_ROW = 100


@dataclass(frozen=True)
class UserBuckets:
    """Group the rows ``count`` buckets of users at a time: ``user`` is the cleaned user id on the raw rows.

    The bucket of a row is the hash of its cleaned id (the id the groups use, so ``" a"`` and
    ``"a"`` share one), modulo ``count``.
    """

    user: pl.Expr
    count: int

    def part(self, frame: pl.LazyFrame, bucket: int) -> pl.LazyFrame:
        """Return the rows of ``frame`` in ``bucket``.

        >>> buckets = UserBuckets(pl.col("u").str.strip_chars(), 3)
        >>> frame = pl.LazyFrame({"u": ["a", " a", "b", "c"]})
        >>> [buckets.part(frame, b).collect()["u"].to_list() for b in range(3)]  # " a" goes with "a"
        [['c'], [], ['a', ' a', 'b']]
        """
        return frame.filter(self.user.hash(seed=16) % self.count == bucket)


def buckets_for(frame: pl.LazyFrame, memory_limit: int) -> int:
    """Return how many buckets of users keep each first group-by of ``frame``'s rows within half the limit.

    Counting the rows costs a read of Parquet metadata (a scan of a CSV).

    >>> buckets_for(pl.LazyFrame({"a": range(1_000)}), 60_000)
    4
    """
    rows = int(frame.select(pl.len()).collect(engine="streaming").item())
    return max(1, math.ceil(rows * GROUP_BYTES_PER_ROW / (memory_limit / 2)))


@dataclass(frozen=True)
class RowPlan:
    """Per-row polars steps (a select, then columns added, rows filtered), applied to any polars frame.

    Polars expressions pickle, so the same plan runs in this process (polars, DuckDB) and on
    Spark's executors.

    >>> plan = RowPlan((("select", (pl.col("a").str.strip_chars().alias("b"),)),))
    >>> plan.then("filter", pl.col("b") != "").on(pl.LazyFrame({"a": [" x", " "]})).collect().rows()
    [('x',)]
    """

    steps: tuple[tuple[Step, tuple[pl.Expr, ...]], ...]

    def then(self, how: Step, *exprs: pl.Expr) -> RowPlan:
        """Return this plan with one more step."""
        return RowPlan((*self.steps, (how, exprs)))

    def on(self, frame: pl.LazyFrame) -> pl.LazyFrame:
        """Return the plan's rows of ``frame``, lazily."""
        for how, exprs in self.steps:
            frame = getattr(frame, how)(*exprs)
        return frame


@dataclass(frozen=True)
class Grouping:
    """How the per-row frame is grouped per ``keys``, into ``rows``, ``distinct`` and the sums of ``sums``.

    ``time``: the column whose distinct values a group counts (``distinct``), counted as the
    groups of a first group-by on the keys and the time (faster than a distinct count); None
    when each row carries its distinct times in ``distinct_weight``. ``rows_weight``: the input
    rows each row stands for (None: one). ``sums``: output name -> per-row weight column
    (summed). ``epoch``: the column whose smallest and largest values are kept as ``first``
    and ``last``.
    """

    keys: tuple[str, ...]
    time: str | None
    rows_weight: str | None
    distinct_weight: str | None
    sums: tuple[tuple[str, str], ...]
    epoch: str | None


def group_rows(rows: nw.LazyFrame[Any], grouping: Grouping) -> nw.LazyFrame[Any]:
    """Group the per-row frame as ``grouping`` says, in its engine (written once, in narwhals).

    >>> rows = nw.from_native(pl.LazyFrame({"k": [1, 1, 1, 2], "t": [5, 5, 6, 5], "f": [1, 0, 1, 0]}))
    >>> g = Grouping(("k",), time="t", rows_weight=None, distinct_weight=None, sums=(("flag", "f"),), epoch=None)
    >>> group_rows(rows, g).sort("k").collect().rows()
    [(1, 3, 2, 2), (2, 1, 1, 0)]
    """
    keys = list(grouping.keys)
    rows_count = nw.col(grouping.rows_weight).sum() if grouping.rows_weight else nw.len()
    extremes = (
        [nw.col(grouping.epoch).min().alias("first"), nw.col(grouping.epoch).max().alias("last")]
        if grouping.epoch
        else []
    )
    if grouping.time is None:
        assert grouping.distinct_weight is not None
        return rows.group_by(keys).agg(
            rows_count.cast(nw.Int64()).alias("rows"),
            nw.col(grouping.distinct_weight).sum().cast(nw.Int64()).alias("distinct"),
            *[nw.col(weight).sum().cast(nw.Int64()).alias(name) for name, weight in grouping.sums],
            *extremes,
        )
    times = rows.group_by([*keys, grouping.time]).agg(
        rows_count.alias("rows"), *[nw.col(weight).sum().alias(name) for name, weight in grouping.sums], *extremes
    )
    # Sums come back in each engine's widest integer (DuckDB: 128 bits): held as 64-bit integers.
    return times.group_by(keys).agg(
        nw.col("rows").sum().cast(nw.Int64()),
        nw.len().cast(nw.Int64()).alias("distinct"),
        *[nw.col(name).sum().cast(nw.Int64()) for name, _ in grouping.sums],
        *([nw.col("first").min(), nw.col("last").max()] if grouping.epoch else []),
    )


def group_in_engine(
    session: Session, source: Any, plan: RowPlan, grouping: Grouping, buckets: UserBuckets | None = None
) -> nw.LazyFrame[Any]:
    """Run ``plan`` on ``source`` where its rows flow, group them there, and hold the groups there.

    ``source`` is a polars LazyFrame (its rows streamed into the DuckDB session, ``buckets`` of
    users at a time when given) or a Spark DataFrame (the plan run on its executors, the groups
    persisted in Spark, whatever the session's engine). Nothing but a row count reaches this process.
    """
    if is_spark_frame(source):
        grouped = group_rows(nw.from_native(spark_rows(source, plan)), grouping)
        held: Any = persist(grouped.to_native())
    else:
        parts = [source] if buckets is None else [buckets.part(source, b) for b in range(buckets.count)]
        held = _duckdb.materialize_parts(
            session.connection, (functools.partial(_group_part, session, plan.on(part), grouping) for part in parts)
        )
    out: nw.LazyFrame[Any] = nw.from_native(held)
    return out


def _group_part(session: Session, rows: pl.LazyFrame, grouping: Grouping, run: Any) -> None:
    """Group one part of the rows in DuckDB and hand the relation to ``run`` (which creates or appends a table)."""
    stream = _Stream(rows)
    grouped = group_rows(duckdb_rows(session.connection, stream), grouping)
    try:
        run(grouped.to_native())
    except Exception:
        # polars' own error (a malformed file...), raised under DuckDB's scan: the one read_log explains
        if stream.error is not None:
            raise stream.error from None
        raise


class _Stream:
    """Polars' rows as Arrow batches, computed as they are read; remembers the error that stopped them."""

    def __init__(self, rows: pl.LazyFrame) -> None:
        self.rows = rows
        self.schema = _arrow(pl.DataFrame(schema=rows.collect_schema())).schema
        self.error: Exception | None = None

    def batches(self) -> Iterator[Any]:
        """Yield the Arrow batches of the rows, in the stream's schema."""
        try:
            for batch in self.rows.collect_batches(chunk_size=ROW_CHUNK, maintain_order=False):
                yield from _arrow(batch).cast(self.schema).to_batches()
        except Exception as err:
            self.error = err
            raise


def duckdb_rows(connection: Any, rows: pl.LazyFrame | _Stream) -> nw.LazyFrame[Any]:
    """Hand polars' rows to ``connection`` as an Arrow stream: batches computed as DuckDB reads them, once."""
    pa = importlib.import_module("pyarrow")
    stream = rows if isinstance(rows, _Stream) else _Stream(rows)
    reader = pa.RecordBatchReader.from_batches(stream.schema, stream.batches())
    relation: nw.LazyFrame[Any] = nw.from_native(connection.from_arrow(reader))
    return relation


def spark_rows(frame: Any, plan: RowPlan) -> Any:
    """Run ``plan`` on the rows of the Spark DataFrame ``frame``, on the executors (``mapInArrow``).

    The output's Spark schema is the plan's output on ``frame``'s (empty) schema. The executors
    need polars and this package installed (docs/engines.md).
    """
    types = importlib.import_module("pyspark.sql.pandas.types")
    empty = pl.from_arrow(frame.limit(0).toArrow())
    assert isinstance(empty, pl.DataFrame)
    schema = _arrow(plan.on(empty.lazy()).collect()).schema
    return map_in_arrow(frame, functools.partial(_run_plan, plan, schema), types.from_arrow_schema(schema))


def spark_median(frame: Any, column: str, value: pl.Expr, *, limit: int) -> float | None:
    """Return the median of ``value`` (an expression of ``column``) over the first ``limit`` rows of a Spark frame.

    Computed in Spark (None: no values); only the median comes back.
    """
    plan = RowPlan((("select", (value.alias("__value"),)),))
    rows = nw.from_native(spark_rows(frame.select(column).limit(limit), plan))
    median = rows.select(nw.col("__value").median()).collect("polars").item()
    return None if median is None else float(median)


def _run_plan(plan: RowPlan, schema: Any, batches: Iterator[Any]) -> Iterator[Any]:
    """Run the plan on each Arrow batch: ``mapInArrow``'s function (module level: it pickles by reference)."""
    for batch in batches:
        rows = pl.from_arrow(batch)
        assert isinstance(rows, pl.DataFrame)
        yield from _arrow(plan.on(rows.lazy()).collect()).cast(schema).to_batches()


def _arrow(frame: pl.DataFrame) -> Any:
    """``frame`` as an Arrow table in the types every reader knows (plain and large strings, no views)."""
    return frame.to_arrow(compat_level=pl.CompatLevel.oldest())
