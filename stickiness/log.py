"""Read a usage log into an activity table, with a ledger of every row.

The log is read in one lazy pass: times are parsed to days in the analysis time
zone, rows that cannot be used are set aside by reason, exact duplicates are
removed, and events are counted per (user, day, event). That *activity table*
is what every metric starts from.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import narwhals as nw
import polars as pl

from stickiness._columns import AUTO, ColumnMap, check_unique, resolve_column, resolve_columns
from stickiness._engine import (
    DISTINCT,
    ROWS,
    Engine,
    Grouping,
    Held,
    RowPlan,
    Session,
    UserBuckets,
    buckets_for,
    check_engine,
    check_memory_limit,
    collect,
    group_in_engine,
    is_spark_frame,
    keep,
    lift,
    open_session,
    polars_schema,
    reduce_spark_log,
    size_text,
    spark_column_is_date,
    spark_median,
    spark_rows,
    spark_source,
)
from stickiness._input_checks import input_notes
from stickiness._read_errors import explain_read_errors
from stickiness._sources import Source, scan_source
from stickiness._time import (
    GUESS_SAMPLE,
    EpochGuess,
    TimeUnit,
    check_epoch_days,
    epoch_numbers,
    epoch_seconds,
    guess_unit,
    parse_day,
    unit_for,
)
from stickiness._zones import UserZones, check_week_start, user_zones, zone_column
from stickiness.exceptions import EmptyLogError, InvalidOptionError, MixedTimeZoneError, UsersTableError
from stickiness.ledger import AFTER_READ, REASONS, Ledger
from stickiness.options import PERIOD, READ, as_date
from stickiness.stages import StageStore
from stickiness.typing import MixedOffsets, WeekStart

__all__ = ["NULL_IDS", "UNKNOWN_SEGMENT", "UsageLog", "as_log", "read_log"]

#: Segment given to users absent from the users table (or with an empty value there).
UNKNOWN_SEGMENT = "(unknown)"
#: Event name used when the log has no event column (``event=None``).
NO_EVENT = "(event)"
#: Text that exports write for a missing value: read as null in the user, time and event columns
#: (compared after trimming spaces; blank text is always null). ``read_log(null_ids=())`` keeps them.
NULL_IDS: tuple[str, ...] = ("NULL", "null", "None", "NaN", "NA", "N/A", "\\N")


@dataclass(frozen=True)
class UsageLog:
    """A usage log, read and cleaned: the input of every metric.

    Attributes
    ----------
    activity
        One row per user, day and event: ``user``, ``day`` (Date in ``tz``),
        ``event`` (String) and ``events`` (Int64, rows after removing exact duplicates),
        in no particular order. On the polars engine a polars DataFrame; on DuckDB
        and PySpark a narwhals LazyFrame that stays in the engine (a DuckDB table, a
        persisted Spark DataFrame): ``log.activity.collect("polars")`` brings it to
        the driver, for logs that fit there.
    ledger
        Rows read, used and set aside by reason.
    users
        The users table (``user`` plus segment columns), or None.
    first_day, as_of
        The first and last day observed (``start`` and ``as_of`` when given);
        None when no row was usable.
    tz
        The analysis time zone: a day is a calendar date there.
    engine
        Where metrics run: ``"polars"``, ``"duckdb"`` or ``"pyspark"``.
    columns
        Which input columns were read as user, time and event.
    user_dtype
        The polars type of the user ids (the ``user`` column of every output).
    session
        Where the log's tables live: the engine, its memory limit (``read_log(memory_limit=)``)
        and, on DuckDB, the connection.
    user_tz
        The users-table column whose time zones dated each user's events (None: every
        day is a date in ``tz``; docs/metrics.md, "Each user's own calendar").
    week_start
        The day weekly periods start on (``"monday"`` by default).

    stages
        The intermediate frames of the log's latest metric calls (a few per
        stage, keyed by the options they depend on), so that calling a metric
        again with another window or threshold redoes only the part that
        changes: a :class:`~stickiness.stages.StageStore` within one memory budget
        (``STICKINESS_CACHE_MB``). Not compared; ``repr(log.stages)`` lists
        what is held and ``log.stages.clear()`` drops it.
    """

    activity: Held
    ledger: Ledger
    users: pl.DataFrame | None
    first_day: dt.date | None
    as_of: dt.date | None
    tz: str
    engine: Engine
    columns: ColumnMap
    user_dtype: pl.DataType
    session: Session = field(compare=False, repr=False)
    stages: StageStore = field(default_factory=StageStore, init=False, repr=False, compare=False)
    #: The users-table column of each user's time zone (None: every day is a date in ``tz``).
    user_tz: str | None = None
    #: The day weekly periods start on (``read_log(week_start=)``).
    week_start: WeekStart = PERIOD.week_start

    @property
    def segment_columns(self) -> tuple[str, ...]:
        """Columns of the users table that ``by=`` can name."""
        return () if self.users is None else tuple(c for c in self.users.columns if c != "user")

    @property
    def unit(self) -> str:
        """What the log counts: ``"user"``, or ``"account"`` for a log of :func:`stickiness.by_account`."""
        return self.ledger.unit

    @property
    def is_empty(self) -> bool:
        """True when no row of the log was usable."""
        return self.ledger.rows_used == 0

    def require_rows(self) -> UsageLog:
        """Return the log, or raise :class:`EmptyLogError` with the ledger when no row is usable.

        >>> import polars as pl
        >>> read_log(pl.DataFrame({"user_id": [None], "timestamp": ["2024-01-01"], "event": ["a"]})).require_rows()
        Traceback (most recent call last):
        ...
        stickiness.exceptions.EmptyLogError: no usable rows: ...
        """
        if self.is_empty:
            raise EmptyLogError(
                f"no usable rows: all {self.ledger.rows_read:,} rows were set aside. Ledger:\n{self.ledger}"
            )
        return self

    def __repr__(self) -> str:
        span = f"{self.first_day} .. {self.as_of}" if self.first_day else "no usable rows"
        return (
            f"UsageLog({self.ledger.rows_used:,} of {self.ledger.rows_read:,} rows used, "
            f"{self.ledger.users:,} {self.unit}s, {span}, tz={self.tz!r}, engine={self.engine!r})"
        )


@explain_read_errors
def read_log(
    source: Source,
    *,
    users: Source | None = None,
    user: str = AUTO,
    time: str = AUTO,
    event: str | None = AUTO,
    users_key: str = AUTO,
    tz: str = READ.tz,
    time_unit: TimeUnit | None = READ.time_unit,
    start: dt.date | str | None = None,
    as_of: dt.date | str | None = None,
    now: dt.datetime | None = None,
    mixed_offsets: MixedOffsets = READ.mixed_offsets,
    null_ids: Sequence[str] = NULL_IDS,
    engine: Engine = READ.engine,
    encoding: str = READ.encoding,
    memory_limit: str | None = READ.memory_limit,
    user_tz: str | None = READ.user_tz,
    week_start: WeekStart = PERIOD.week_start,
) -> UsageLog:
    r"""Read a usage log (one row per event) into a :class:`UsageLog`.

    Parameters
    ----------
    source
        CSV, Parquet (file, glob or folder) or NDJSON path, or a polars, pandas,
        pyarrow or Spark frame. Files are scanned lazily. A Spark DataFrame (or a
        path with ``engine="pyspark"``, read by Spark) is reduced in Spark first:
        only the three columns, exact duplicates grouped with their count, and,
        for a timestamp or date column, the day in ``tz`` and the rows per (user,
        day, event); the reduced rows are then read by the same per-row rules on
        Spark's executors and grouped there. With ``engine="duckdb"`` the rows are
        grouped in DuckDB. Only small results come to this process
        (docs/engines.md, "What runs where").
    users
        Optional users table (same kinds of source): one row per user, any
        segment columns (``persona``, ``plan``, ...). Users absent from it get
        the segment ``"(unknown)"``.
    user, time, event
        The log's column names; ``"auto"`` (default) detects common names
        (``user_id``, ``distinct_id``, ``userId``, ``customer_id``; ``timestamp``,
        ``ts``, ``time``, ``event_time``, ``created_at``; ``event``,
        ``event_name``, ``event_type``; also when they differ only by case or
        underscores: two such columns are an :class:`AmbiguousColumnError`, as is
        a header that names a column twice). ``event=None``: the log has no event
        column and every row is one kind of use. Text user ids are trimmed of
        leading and trailing spaces (the rows are counted in the ledger's notes).
    users_key
        The users table's user column; ``"auto"`` uses the log's user column
        name if present, else detects it like ``user``.
    tz
        Analysis time zone (IANA name, default ``"UTC"``). A day is a calendar
        date in ``tz``; naive timestamps are read as wall-clock times in ``tz``.
    time_unit
        Read the time column as epoch numbers in this unit (``"s"``, ``"ms"``,
        ``"us"``, ``"ns"``). Default: a numeric time column, and text of 9 or more
        digits, are epoch numbers whose unit is inferred from their magnitude
        (noted in the ledger). Either way, epoch times that land before 1980 or
        after 2200 are an :class:`InvalidOptionError` naming the likely unit.
    start, as_of
        Keep only days in ``[start, as_of]``; rows outside are set aside and
        counted. Default: the log's first and last usable day. An ``as_of``
        after today (in ``tz``) is an error.
    now
        The current time, for setting aside future rows (default: the clock).
    mixed_offsets
        A text time column that mixes values with and without a UTC offset is
        an error (``"error"``, default), or its offset-less values are read as
        wall-clock times in ``tz`` and counted in the ledger (``"assume_tz"``).
    null_ids
        Text read as a missing value in the user, time and event columns (after
        trimming spaces): by default :data:`NULL_IDS` (``NULL``, ``null``,
        ``None``, ``NaN``, ``NA``, ``N/A``, ``\N``); such rows are set aside as
        ``null_user``, ``null_time`` or ``null_event`` and the values seen are named
        in the ledger's notes. ``null_ids=()`` keeps them as ids (blank text is
        always missing).
    engine
        Where metrics run: ``"polars"`` (default), ``"duckdb"`` or ``"pyspark"``
        (the active SparkSession, else a local one; docs/engines.md).
    encoding
        The text encoding of CSV and JSON files, log and users table (default
        ``"utf-8"``; e.g. ``"latin-1"``, ``"cp1252"``, ``"utf-16"``). Files in
        another encoding are transcoded to a temporary UTF-8 copy, a chunk at a
        time, and deleted after reading.
    memory_limit
        Bound the memory the engine uses for this log, e.g. ``"2GB"`` or ``"500MB"``
        (default: no bound). On DuckDB it is the connection's ``memory_limit``: past
        it, DuckDB spills to a temporary directory of the log's own (docs/engines.md).
    user_tz
        The users table's column of each user's time zone (IANA names): an event's day
        is then the date of its instant in its user's zone, and naive times are
        wall-clock times there (docs/metrics.md, "Each user's own calendar"). ``"auto"``
        (default) uses a column named ``tz``, ``time_zone`` or ``timezone`` when the users
        table has one; None reads every day in ``tz``. Users absent from the users table,
        or with a blank zone, use ``tz``; a value that is not a time zone is a
        :class:`UsersTableError`.
    week_start
        The day weekly periods start on (``period="week"`` of retention, cohorts,
        lifecycle, adoption): ``"monday"`` (default, ISO weeks), ``"sunday"``, or any
        day name.

    Raises
    ------
    InputFileError
        A file cannot be read: not in ``encoding``, a malformed row or line,
        files of one folder with different columns (docs/metrics.md, "Input files").

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness import read_log
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "b", "a"],
    ...     "timestamp": ["2024-03-01T09:00:00Z", "2024-03-01T23:30:00-05:00", "2024-03-02T08:00:00Z"],
    ...     "event": ["open", "open", "search"],
    ... })
    >>> log = read_log(events, tz="UTC")
    >>> log.activity.sort("user", "day").select("user", "day").rows()  # b's 23:30 at UTC-5 is March 2 in UTC
    [('a', datetime.date(2024, 3, 1)), ('a', datetime.date(2024, 3, 2)), ('b', datetime.date(2024, 3, 2))]
    """
    options = _check_options(
        engine=engine,
        tz=tz,
        mixed_offsets=mixed_offsets,
        null_ids=null_ids,
        start=start,
        as_of=as_of,
        time_unit=time_unit,
        memory_limit=memory_limit,
        user_tz=user_tz,
        week_start=week_start,
    )
    zones_in = _zone_column(users, options, encoding=encoding)
    scan = _scan_log(
        source, user=user, time=time, event=event, options=options, encoding=encoding, instants=zones_in is not None
    )
    clock = now or dt.datetime.now(dt.UTC)
    today = clock.astimezone(zoneinfo.ZoneInfo(tz)).date()
    user_table, zones, user_notes = None, None, list[str]()
    if users is not None:  # before the pass: each user's zone dates their events
        user_table, user_notes = _read_users(
            users,
            key=users_key,
            log_user=scan.columns.user,
            user_dtype=_user_dtype(scan, options),
            encoding=encoding,
            null_like=options.null_like,
        )
        zones = None if zones_in is None else user_zones(user_table, zones_in, tz=tz)
    session = open_session(options.engine, options.memory_limit)
    read = _read_pass(scan, options, session, today=today, zones=zones, now=clock)
    latest = today if zones is None else zones.latest_today(clock)  # as_of may be today in the zone furthest ahead
    notes = _time_notes(read, scan, options, today=latest, zoned=zones is not None)
    notes += [] if zones is None else [zones.note()]
    columns, used = scan.columns, read.used
    set_aside = _set_aside(read)
    rows_read = int(read.aside["rows"].sum()) + used.rows
    notes += _row_notes(read, scan, set_aside)
    # a reduced Spark log's time column holds each row's day whatever its type: ask Spark for the original type
    dates = scan.time_dtype == pl.Date if scan.spark is None else spark_column_is_date(scan.spark, columns.time)
    notes += input_notes(
        read.activity,
        rows_read=rows_read,
        duplicates=set_aside["duplicate"],
        users=used.users,
        events=used.distinct,
        event_column=columns.event is not None,
        date_times=dates,
    )
    without_segment = None
    if user_table is not None:
        without_segment = _users_without_segment(session, read.activity, user_table)
        notes.extend(user_notes)
    ledger = Ledger(
        rows_read=rows_read,
        rows_used=rows_read - sum(set_aside.values()),
        set_aside=set_aside,
        users=used.users,
        users_without_segment=without_segment,
        notes=tuple(notes),
    )
    _check_fits(read.activity, options)
    log = UsageLog(
        activity=read.activity,
        ledger=ledger,
        users=user_table,
        first_day=options.start or used.first_day,
        as_of=options.as_of or used.last_day,
        tz=tz,
        engine=options.engine,
        columns=columns,
        user_dtype=read.user_dtype,
        session=session,
        user_tz=None if zones is None else zones.column,
        week_start=options.week_start,
    )
    if options.memory_limit is not None:  # what the log keeps for later metrics stays within the limit too
        log.stages.budget = min(log.stages.budget, options.memory_limit // STAGE_SHARE)
    return log


#: On polars the whole core report takes at most about ACTIVITY_TIMES times the activity table, beyond what the
#: interpreter itself takes (about 300 MB for Python, polars and the kit, which no limit of the log governs):
#: 1.6 GB at peak for a 179 MB table at 10M events, 7.8 GB for 1.8 GB at 100M (docs/benchmarks.md). The stage
#: store keeps at most 1/STAGE_SHARE of ``memory_limit``.
ACTIVITY_TIMES, STAGE_SHARE = 7, 2


def _check_fits(activity: Held, options: _Options) -> None:
    """On polars, fail clearly when the activity table leaves too little of ``memory_limit`` for the metrics.

    The polars engine holds the activity table in memory (the raw rows are only streamed through), so
    a limit it cannot keep is said at once, with the engine that can: DuckDB spills to disk past it.
    """
    limit = options.memory_limit
    if limit is None or not isinstance(activity, pl.DataFrame):
        return
    size = int(activity.estimated_size())
    needed = size * ACTIVITY_TIMES
    if needed > limit:
        raise InvalidOptionError(
            f"memory_limit={size_text(limit)!r} is too small for this log on the polars engine, which holds the "
            f"activity table in memory: the table ({activity.height:,} rows of user, day and event) takes "
            f"{size_text(size)}, and the metrics need about {size_text(needed)} in all. Pass engine='duckdb' with "
            f"the same memory_limit (DuckDB spills to disk past it), or memory_limit={size_text(needed)!r}."
        )


def _users_without_segment(session: Session, activity: Held, table: pl.DataFrame) -> int:
    """Count the log's users absent from the users table: an anti-join where the activity table is."""
    frames = lift(session, activity=activity, keys=table.select("user"))
    missing = frames["activity"].select("user").unique().join(frames["keys"], on="user", how="anti")
    return int(missing.select(nw.len()).collect("polars").item())


@dataclass(frozen=True)
class _Options:
    """read_log's checked options (the ones its steps share)."""

    engine: Engine
    tz: str
    mixed_offsets: MixedOffsets
    null_like: tuple[str, ...]
    start: dt.date | None
    as_of: dt.date | None
    time_unit: TimeUnit | None
    memory_limit: int | None
    user_tz: str | None
    week_start: WeekStart


def _check_options(
    *,
    engine: Engine,
    tz: str,
    mixed_offsets: MixedOffsets,
    null_ids: Sequence[str],
    start: dt.date | str | None,
    as_of: dt.date | str | None,
    time_unit: TimeUnit | None,
    memory_limit: str | None,
    user_tz: str | None,
    week_start: str,
) -> _Options:
    """Check read_log's options before anything is read, in the order their errors are raised."""
    engine = check_engine(engine)
    _check_tz(tz)
    if mixed_offsets not in ("error", "assume_tz"):
        raise InvalidOptionError(f"mixed_offsets={mixed_offsets!r}: use 'error' or 'assume_tz'.")
    null_like = _check_null_ids(null_ids)
    start_day, as_of_day = as_date(start, "start"), as_date(as_of, "as_of")
    if start_day and as_of_day and start_day > as_of_day:
        raise InvalidOptionError(f"start={start_day} is after as_of={as_of_day}. Swap them.")
    limit = check_memory_limit(memory_limit)
    week = check_week_start(week_start)
    return _Options(engine, tz, mixed_offsets, null_like, start_day, as_of_day, time_unit, limit, user_tz, week)


def _zone_column(users: Source | None, options: _Options, *, encoding: str) -> str | None:
    """Return the users table's time-zone column (``user_tz``), from its header only."""
    if options.user_tz is None:
        return None
    if users is None:  # "auto" finds none; a named column is an error
        return zone_column((), options.user_tz, has_users=False)
    names = _schema(scan_source(users, role="users table", encoding=encoding), role="users table").names()
    return zone_column(names, options.user_tz, has_users=True)


def _user_dtype(scan: _Scan, options: _Options) -> pl.DataType:
    """Return the type of the log's user ids as read (text trimmed), from the schema only."""
    ids = _clean(pl.col(scan.columns.user), scan.schema[scan.columns.user], options.null_like, trim=True)
    return pl.LazyFrame(schema=scan.schema).select(ids.value.alias("user")).collect_schema()["user"]


@dataclass(frozen=True)
class _Scan:
    """The log's source, scanned: the lazy frame read_log reads, or the log reduced in Spark when Spark read it.

    ``spark`` is the Spark DataFrame (None when polars scans the source) and ``reduced`` its
    reduced rows (:func:`~stickiness._engine.reduce_spark_log`, in Spark); ``frame`` is then an
    empty polars frame with their columns. ``guess`` is the unit inferred for epoch numbers,
    and ``epoch_unit`` the unit they are read in (None: no epochs).
    """

    frame: pl.LazyFrame
    columns: ColumnMap
    schema: pl.Schema
    spark: Any
    reduced: Any
    guess: EpochGuess | None
    epoch_unit: TimeUnit | None

    @property
    def time_dtype(self) -> pl.DataType:
        """The type of the time column as scanned."""
        return self.schema[self.columns.time]


def _scan_log(
    source: Source, *, user: str, time: str, event: str | None, options: _Options, encoding: str, instants: bool
) -> _Scan:
    """Scan the log (in Spark, reduced there lazily, for a Spark source) and find its columns.

    ``instants``: the users have zones of their own, so Spark keeps the instants of a timestamp
    column (the day depends on the user's zone) rather than reducing them to days in ``tz``.
    """
    spark = spark_source(source, engine=options.engine, encoding=encoding)
    reduced = None
    if spark is None:
        frame = scan_source(source, role="log", encoding=encoding)
        columns = resolve_columns(_schema(frame, role="log").names(), user=user, time=time, event=event)
    else:
        columns = resolve_columns(spark.columns, user=user, time=time, event=event)
        reduced = reduce_spark_log(
            spark,
            user=columns.user,
            time=columns.time,
            event=columns.event,
            tz=options.tz,
            time_unit=options.time_unit,
            instants=instants,
        )
        frame = pl.LazyFrame(schema=polars_schema(reduced))
    schema = _schema(frame, role="log")
    time_dtype = schema[columns.time]
    guess = _guess_unit(frame, spark, columns.time, time_dtype) if options.time_unit is None else None
    epoch_unit = options.time_unit or (guess.unit if guess else None)
    return _Scan(frame, columns, schema, spark, reduced, guess, epoch_unit)


def _guess_unit(frame: pl.LazyFrame, spark: Any, column: str, dtype: pl.DataType) -> EpochGuess | None:
    """Return the epoch unit of the time column (:func:`~stickiness._time.guess_unit`), from the first rows.

    For a Spark log, from its first rows in Spark: the median is computed there.
    """
    if spark is None:
        return guess_unit(frame, column, dtype)
    numbers = epoch_numbers(column, dtype)
    if numbers is None:  # a timestamp or date column, or days computed in Spark
        return None
    median = spark_median(spark, column, numbers.abs(), limit=GUESS_SAMPLE)
    return None if median is None else EpochGuess(unit=unit_for(median), median=median)


#: The keys of read_log's groups: one per used (user, day, event), one per set-aside reason and null-like value.
_KEYS = ("__reason", "__user", "__day", "__event")


@dataclass(frozen=True)
class _Used:
    """The used groups, summed: what the ledger and its notes need of them (one small row, from any engine)."""

    rows: int
    distinct: int
    users: int
    first_day: dt.date | None
    last_day: dt.date | None
    flags: dict[str, int]
    first: float | None
    last: float | None


@dataclass(frozen=True)
class _Pass:
    """read_log's one pass over the log.

    ``rows`` is the per-row read (with ``__reason``); ``aside`` the groups of set-aside rows
    (one per reason and null-like value, held in the ``null_key`` column: few, collected);
    ``used`` the used groups summed; ``activity`` the used groups as the activity table, where
    the log's metrics run; ``user_dtype`` the type of the user ids read.
    """

    rows: RowPlan
    aside: pl.DataFrame
    used: _Used
    activity: Held
    null_key: str
    user_dtype: pl.DataType


def _read_pass(
    scan: _Scan,
    options: _Options,
    session: Session,
    *,
    today: dt.date,
    zones: UserZones | None = None,
    now: dt.datetime | None = None,
) -> _Pass:
    """Read every row once, give each its reason, and count the rows per group where the log's engine runs.

    Polars groups the rows in memory (streaming), DuckDB in a table of the log's session, Spark (any
    Spark log) in a persisted DataFrame: only the set-aside groups and one row of sums are collected.
    """
    rows = _read_rows(scan, options, today=today, zones=zones, now=now)
    used = pl.col("__reason").is_null()
    # Set-aside rows collapse to one group per reason and null-like value. The value is kept in a text key
    # the group has no use for: __user for text ids, else __event (text too), so no key is added to hash.
    null_key = "__user" if scan.schema[scan.columns.user] == pl.String else "__event"
    collapsed = rows.plan.then(
        "with_columns",
        *(
            pl.when(used).then(pl.col(c)).otherwise(pl.col("__null_like") if c == null_key else None).alias(c)
            for c in ("__user", "__day", "__event")
        ),
    )
    user_dtype = rows.plan.on(scan.frame).collect_schema()["__user"]
    schema = {"user": user_dtype, "day": pl.Date(), "event": pl.String(), "events": pl.Int64()}
    if scan.reduced is None and session.engine != "duckdb":
        grouped = collapsed.on(scan.frame).group_by(*_KEYS).agg(**rows.counts).collect(engine="streaming")
        used_groups = grouped.filter(used)
        activity: Held = used_groups.select(
            user=pl.col("__user"),
            day=pl.col("__day"),
            event=pl.col("__event"),
            events=pl.col("distinct").cast(pl.Int64),
        )
        if session.engine != "polars":  # a frame in this process, read for Spark: the activity table handed over
            activity = keep(session, lift(session, activity=activity)["activity"], schema)
        summed = _sum_used(nw.from_native(used_groups.lazy()), rows)
        return _Pass(rows.plan, grouped.filter(~used), summed, activity, null_key, user_dtype)
    source = scan.frame if scan.reduced is None else scan.reduced
    split = None
    if scan.reduced is None and session.memory_limit is not None:
        split = UserBuckets(rows.user_key, buckets_for(scan.frame, session.memory_limit))
    held = group_in_engine(session, source, collapsed.then("select", *rows.engine_columns), rows.grouping, split)
    aside: pl.DataFrame = held.filter(~nw.col("__reason").is_null()).collect("polars").to_native()
    used_groups_in_engine = held.filter(nw.col("__reason").is_null())
    summed = _sum_used(used_groups_in_engine, rows)
    resident = used_groups_in_engine.select(
        nw.col("__user").alias("user"),
        nw.col("__day").alias("day"),
        nw.col("__event").alias("event"),
        nw.col("distinct").alias("events"),
    )
    return _Pass(rows.plan, aside, summed, _hold(session, resident, schema), null_key, user_dtype)


def _hold(session: Session, frame: nw.LazyFrame[Any], schema: dict[str, pl.DataType]) -> Held:
    """Hold a frame of the engine that read the log where the log's metrics run (collected only when they differ)."""
    if is_spark_frame(frame.to_native()) and session.engine != "pyspark":
        # A Spark log whose metrics run elsewhere: its activity table comes to this process.
        eager = collect(frame, schema)
        return eager if session.engine == "polars" else keep(session, lift(session, activity=eager)["activity"], schema)
    return keep(session, frame, schema)


def _sum_used(used: nw.LazyFrame[Any], rows: _Rows) -> _Used:
    """Sum the used groups, in their engine: one row comes back."""
    flags = [nw.col(name).sum().alias(name) for name in rows.flags]
    extremes = [nw.col("first").min(), nw.col("last").max()] if rows.epoch else []
    sums = used.select(
        nw.col("rows").sum(),
        nw.col("distinct").sum(),
        nw.col("__user").n_unique().alias("users"),
        nw.col("__day").min().alias("first_day"),
        nw.col("__day").max().alias("last_day"),
        *flags,
        *extremes,
    )
    row = sums.collect("polars").to_native().row(0, named=True)
    count = {name: int(row[name] or 0) for name in ("rows", "distinct", "users", *rows.flags)}
    return _Used(
        rows=count["rows"],
        distinct=count["distinct"],
        users=count["users"],
        first_day=_as_day(row["first_day"]),
        last_day=_as_day(row["last_day"]),
        flags={name: count[name] for name in rows.flags},
        first=row.get("first"),
        last=row.get("last"),
    )


def _as_day(value: Any) -> dt.date | None:
    """Return a day as collected from any engine (a date; DuckDB and Spark may give a timestamp at midnight)."""
    return value.date() if isinstance(value, dt.datetime) else value


@dataclass(frozen=True)
class _Rows:
    """The per-row read and how its rows are grouped.

    ``plan``: the per-row read (plain ``__`` columns, ``__reason``, ``__null_like``). ``counts``:
    what polars counts per group. For the engines: ``engine_columns``, the per-row columns handed to
    them (keys, the time when distinct times are counted, weights, epoch), and ``grouping``. ``flags``:
    the flag columns counted (``offset``, ``naive``, ``padded``); ``epoch``: the groups keep their
    ``first`` and ``last`` epoch seconds.
    """

    plan: RowPlan
    counts: dict[str, pl.Expr]
    engine_columns: tuple[pl.Expr, ...]
    grouping: Grouping
    flags: tuple[str, ...]
    epoch: bool
    user_key: pl.Expr


def _read_rows(
    scan: _Scan, options: _Options, *, today: dt.date, zones: UserZones | None = None, now: dt.datetime | None = None
) -> _Rows:
    """Return the per-row read (plain ``__`` columns, ``__reason``, ``__null_like``) and how it is counted per group.

    With ``zones`` (users with a time zone of their own), a first step codes each row's
    user by zone (``__zone``): instants are dated, and the future begins, in that zone.
    """
    columns, schema, time_dtype = scan.columns, scan.schema, scan.time_dtype
    ids = _clean(pl.col(columns.user), schema[columns.user], options.null_like, trim=True)
    zone = pl.col("__zone")
    local = None if zones is None else (lambda instant: zones.day(instant, zone))
    parse = parse_day(
        columns.time,
        time_dtype,
        tz=options.tz,
        time_unit=options.time_unit,
        epoch_unit=scan.epoch_unit,
        local=local,
    )
    times = _clean(pl.col(columns.time), time_dtype, options.null_like, trim=False)
    event_names = (
        _Cleaned(pl.lit(NO_EVENT), pl.lit(False), None)
        if columns.event is None
        else _clean(pl.col(columns.event).cast(pl.String), pl.String(), options.null_like, trim=False)
    )
    extra: dict[str, pl.Expr] = {}
    if time_dtype == pl.String:  # only text can mix values with and without an offset
        extra |= {"offset": parse.has_offset, "naive": parse.is_naive_text}
    if ids.padded is not None:
        extra["padded"] = ids.padded
    flags = tuple(extra)
    reduced, days = scan.reduced is not None, scan.reduced is not None and time_dtype == pl.Date
    weights, counts = _counts(list(flags), reduced=reduced, days=days)
    if scan.epoch_unit is not None:  # the span of parsed days, to catch a wrong unit (check_epoch_days)
        given = options.time_unit is not None
        extra["epoch"] = epoch_seconds(columns.time, time_dtype, scan.epoch_unit, given=given)
        counts |= {"first": pl.col("__epoch").min(), "last": pl.col("__epoch").max()}
    # Each input column is read once into plain columns (a trim or a parse used in several when/then
    # branches would be computed once per branch); the reason is then a cheap expression on them.
    first = (
        ids.value.alias("__user"),
        ids.missing.alias("__user_missing"),
        pl.col(columns.time).alias("__time"),
        times.missing.alias("__time_missing"),
        parse.day.alias("__day"),
        event_names.value.alias("__event"),
        event_names.missing.alias("__event_missing"),
        *(value.alias(f"__{name}") for name, value in extra.items()),
        *(value.alias(name) for name, value in weights.items()),
        *(() if zones is None else (zone,)),
    )
    reason, null_like_value = _reason(
        today=today if zones is None else zones.today(now or dt.datetime.now(dt.UTC), zone),
        start=options.start,
        as_of=options.as_of,
        text=(schema[columns.user] == pl.String, time_dtype == pl.String, columns.event is not None),
    )
    coded = () if zones is None else (("with_columns", (zones.code(ids.value).alias("__zone"),)),)
    plan = RowPlan((*coded, ("select", first))).then("with_columns", reason).then("with_columns", null_like_value)
    engine_columns, grouping = _engine_grouping(flags, reduced=reduced, days=days, epoch="epoch" in extra)
    return _Rows(plan, counts, engine_columns, grouping, flags, "epoch" in extra, ids.value)


def _engine_grouping(
    flags: tuple[str, ...], *, reduced: bool, days: bool, epoch: bool
) -> tuple[tuple[pl.Expr, ...], Grouping]:
    """Return the per-row columns handed to DuckDB or Spark, and their grouping: the counts of :func:`_counts`.

    Flags become per-row weights (the input rows a row stands for when it has the flag) so that the
    engine only sums; Spark has no unsigned integers, so the reason is a signed byte.
    """
    weight = pl.col(ROWS) if reduced else pl.lit(1, dtype=pl.Int32)
    columns = [pl.col("__reason").cast(pl.Int8), pl.col("__user"), pl.col("__day"), pl.col("__event")]
    columns += [pl.col(DISTINCT)] if days else [pl.col("__time")]
    columns += [pl.col(ROWS)] if reduced else []
    columns += [pl.when(pl.col(f"__{name}")).then(weight).otherwise(0).alias(f"__w_{name}") for name in flags]
    columns += [pl.col("__epoch")] if epoch else []
    grouping = Grouping(
        keys=_KEYS,
        time=None if days else "__time",
        rows_weight=ROWS if reduced else None,
        distinct_weight=DISTINCT if days else None,
        sums=tuple((name, f"__w_{name}") for name in flags),
        epoch="__epoch" if epoch else None,
    )
    return tuple(columns), grouping


def _time_notes(read: _Pass, scan: _Scan, options: _Options, *, today: dt.date, zoned: bool = False) -> list[str]:
    """Check the times read (epoch span, mixed offsets, ``as_of`` after today) and say what was inferred.

    ``zoned``: users have time zones of their own, where wall-clock times are read.
    """
    column = scan.columns.time
    if scan.epoch_unit is not None:
        _check_epoch_span(
            *_epoch_span(read),
            scan,
            column,
            unit=scan.epoch_unit,
            given=options.time_unit is not None,
            start=options.start,
        )
    offset_rows, naive_rows = read.used.flags.get("offset", 0), read.used.flags.get("naive", 0)
    notes: list[str] = [scan.guess.describe(column)] if scan.guess else []
    if offset_rows and naive_rows:
        message = (
            f"the time column {column!r} mixes {offset_rows:,} values with a UTC offset and {naive_rows:,} without one"
        )
        if options.mixed_offsets == "error":
            raise MixedTimeZoneError(
                f"{message}, so the offset-less ones have no known time zone. Fix the export so every "
                f"value has an offset (e.g. '2024-03-01T09:00:00Z'), or, if the offset-less values are "
                f"wall-clock times in {options.tz!r}, pass mixed_offsets='assume_tz'."
            )
        where = f"each user's own time zone ({options.tz} for the others)" if zoned else options.tz
        notes.append(f"{message}; those without were read as wall-clock times in {where}")
    last_used = read.used.last_day
    if options.as_of and options.as_of > today:
        raise InvalidOptionError(
            f"as_of={options.as_of} is after today ({today} in {options.tz}), so its last days would count as "
            f"complete days without activity; the log's last day is {last_used or 'none (no usable row)'}. "
            f"Pass as_of={last_used or today}, or leave it out for the last day of the log."
        )
    return notes


def _epoch_span(read: _Pass) -> tuple[float | None, float | None]:
    """Return the earliest and latest epoch seconds read, rows kept out by ``start`` or ``as_of`` excluded.

    Those rows do not count: ``start='1980-01-01'`` sets placeholder times such as 0 aside.
    """
    kept_out = [list(REASONS).index(r) for r in ("before_start", "after_as_of")]
    span = read.aside.filter(~pl.col("__reason").is_in(kept_out))
    firsts = [float(v) for v in (span["first"].min(), read.used.first) if v is not None]  # type: ignore[arg-type]
    lasts = [float(v) for v in (span["last"].max(), read.used.last) if v is not None]  # type: ignore[arg-type]
    return (min(firsts) if firsts else None), (max(lasts) if lasts else None)


def _set_aside(read: _Pass) -> dict[str, int]:
    """Count the rows set aside per reason (the ledger's), exact duplicates included."""
    set_aside = {r: 0 for r in REASONS if r not in AFTER_READ}
    names = list(REASONS)
    for reason_code, rows in read.aside.group_by("__reason").agg(pl.col("rows").sum()).iter_rows():
        set_aside[names[reason_code]] += int(rows)
    set_aside["duplicate"] = read.used.rows - read.used.distinct
    return set_aside


def _row_notes(read: _Pass, scan: _Scan, set_aside: dict[str, int]) -> list[str]:
    """Say which null-like values, padded ids and unparseable times were met, and that no event column was."""
    columns, names = scan.columns, list(REASONS)
    notes = list(_null_like_notes(read.aside, columns, names, read.null_key))
    aside_padded = int(read.aside["padded"].sum()) if "padded" in read.aside.columns else 0
    padded = read.used.flags.get("padded", 0) + aside_padded
    if padded:
        notes.append(
            f"{padded:,} user ids in {columns.user!r} had leading or trailing spaces: trimmed (' a ' is user 'a')"
        )
    if set_aside["unparseable_time"]:
        shown = ", ".join(repr(v) for v in _unparseable_times(read, scan))
        notes.append(
            f"unparseable times in {columns.time!r} look like {shown}: use ISO-8601 text "
            "(2024-03-10T09:30:00Z), a timestamp column, or epoch numbers (see time_unit=)"
        )
    if columns.event is None:
        notes.append(f"the log has no event column: every row counts as the event {NO_EVENT!r}")
    return notes


def _unparseable_times(read: _Pass, scan: _Scan) -> list[str]:
    """Return the first three unparseable times (as text, sorted): a second, small query, only when needed."""
    plan = read.rows.then("filter", pl.col("__reason") == list(REASONS).index("unparseable_time"))
    if scan.reduced is None:
        bad = plan.on(scan.frame).select(pl.col("__time").cast(pl.String).unique().sort().head(3)).collect()
        return [str(v) for v in bad.to_series()]
    on_executors = spark_rows(scan.reduced, plan.then("select", pl.col("__time").cast(pl.String).alias("__bad")))
    sample = nw.from_native(on_executors).unique().sort("__bad").head(3)
    return [str(v) for v in sample.collect("polars").get_column("__bad")]


def as_log(data: UsageLog | Source, **options: Any) -> UsageLog:
    """Return ``data`` if it is a :class:`UsageLog`, else :func:`read_log` of it."""
    if isinstance(data, UsageLog):
        if options:
            raise InvalidOptionError(
                f"{sorted(options)} are read_log options; the log is already read. Pass them to read_log()."
            )
        return data
    return read_log(data, **options)


def _schema(frame: pl.LazyFrame, *, role: str) -> pl.Schema:
    try:
        return frame.collect_schema()
    except pl.exceptions.NoDataError as err:
        raise InvalidOptionError(
            f"the {role} is empty (not even a header row). Check the file, or pass a frame with columns."
        ) from err


def _check_tz(tz: str) -> None:
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as err:
        raise InvalidOptionError(
            f"tz={tz!r} is not a known time zone. Use an IANA name such as 'UTC', 'Europe/Berlin' "
            "or 'America/New_York'."
        ) from err


def _read_users(
    source: Source,
    *,
    key: str,
    log_user: str,
    user_dtype: pl.DataType,
    encoding: str,
    null_like: tuple[str, ...],
) -> tuple[pl.DataFrame, list[str]]:
    frame = scan_source(source, role="users table", encoding=encoding)
    names = _schema(frame, role="users table").names()
    if key == AUTO and log_user in names:
        check_unique(log_user, names, role="user", option="users_key", where="users table")
        key = log_user
    key_col = resolve_column(names, "user", key, option="users_key", where="users table")
    assert key_col is not None
    segments = [c for c in names if c != key_col]
    if not segments:
        raise UsersTableError(
            f"the users table has only the user column {key_col!r}: add segment columns such as 'persona'."
        )
    table = frame.collect().rename({key_col: "user"})
    # The key is trimmed and its null-like values are null, as the log's user ids, so they still join.
    ids = _clean(pl.col("user"), table.schema["user"], null_like, trim=True)
    table = table.with_columns(pl.when(~ids.missing).then(ids.value).cast(user_dtype, strict=False).alias("user"))
    notes: list[str] = []
    null_keys = table["user"].null_count()
    if null_keys:
        notes.append(f"{null_keys:,} users-table rows have no usable user id and were ignored")
        table = table.filter(pl.col("user").is_not_null())
    dupes = table.filter(pl.col("user").is_duplicated())["user"].unique().sort()
    if dupes.len():
        raise UsersTableError(
            f"the users table has {dupes.len():,} users on more than one row (e.g. {dupes.head(3).to_list()}), "
            f"so their segment is ambiguous. Keep one row per {key_col!r}."
        )
    return table, notes


@dataclass(frozen=True)
class _Cleaned:
    """A column read with the null-like rule (:data:`NULL_IDS`).

    ``value`` is what is used (text ids trimmed), ``missing`` is True where the value
    is null, blank or null-like (such a row is set aside), and ``padded`` flags text ids
    whose spaces were trimmed (None when nothing is trimmed).
    """

    value: pl.Expr
    missing: pl.Expr
    padded: pl.Expr | None


def _clean(col: pl.Expr, dtype: pl.DataType, null_like: tuple[str, ...], *, trim: bool) -> _Cleaned:
    """Apply the null-like rule (and, with ``trim``, trimming) to a text column; other types: only nulls are missing.

    >>> import polars as pl
    >>> ids = pl.DataFrame({"u": [" a ", "NA", "  ", "b", None]})
    >>> c = _clean(pl.col("u"), pl.String, ("NA",), trim=True)
    >>> ids.select(value=c.value, missing=c.missing, padded=c.padded).rows()
    [('a', False, True), ('NA', True, False), ('', True, False), ('b', False, False), (None, True, False)]
    """
    if dtype != pl.String:
        return _Cleaned(col, col.is_null(), None)
    if not trim:  # one regex, no trimmed copy of every value (the notes trim the null-like ones)
        pattern = "^\\s*(?:" + "|".join(re.escape(text) for text in null_like) + ")?\\s*$"
        return _Cleaned(col, col.is_null() | col.str.contains(pattern), None)
    trimmed = col.str.strip_chars()
    missing = trimmed.is_null() | (trimmed == "") | trimmed.is_in(list(null_like))
    # Trimming only shortens: a length change is a padded id (cheaper than comparing the text).
    padded = (col.str.len_bytes() != trimmed.str.len_bytes()) & ~missing
    return _Cleaned(trimmed, missing, padded.fill_null(False))


def _counts(flags: list[str], *, reduced: bool, days: bool) -> tuple[dict[str, pl.Expr], dict[str, pl.Expr]]:
    """Return the weight columns read_log's pass carries and what it counts per group.

    ``rows``, ``distinct`` (times) and, per flag column ``__<flag>``, its rows. A log
    ``reduced`` in Spark has rows that stand for ``__rows`` input rows with ``__distinct``
    distinct times; reduced to ``days`` (a Date time column), a group's distinct times add
    up, but reduced to exact rows, trimmed ids can merge two of them (``" a"`` and ``"a"``
    at one time), so their distinct times are counted.
    """
    if not reduced:
        counts = {"rows": pl.len(), "distinct": pl.col("__time").n_unique()}
        return {}, counts | {name: pl.col(f"__{name}").sum() for name in flags}
    distinct = pl.col(DISTINCT).sum() if days else pl.col("__time").n_unique()
    counts = {"rows": pl.col(ROWS).sum(), "distinct": distinct}
    counts |= {name: pl.col(ROWS).filter(pl.col(f"__{name}")).sum() for name in flags}
    return {ROWS: pl.col(ROWS), DISTINCT: pl.col(DISTINCT)}, counts


def _reason(
    *, today: dt.date | pl.Expr, start: dt.date | None, as_of: dt.date | None, text: tuple[bool, bool, bool]
) -> list[pl.Expr]:
    """Return ``__reason``, why a row is set aside (its index in REASONS; null if used), and ``__null_like`` (on it).

    On the columns read_log's pass reads first (``__user``, ``__user_missing``, ``__time``,
    ``__day``, ...). A byte hashes faster than text. ``__null_like`` is the null-like text
    (``NA``, ``NULL``, blank, ...) that set the row aside, if one did; ``text`` says which of
    the user, time and event columns are text (others have no null-like values).
    """
    code = {name: pl.lit(i, dtype=pl.UInt8) for i, name in enumerate(REASONS)}
    reason: Any = pl.when(pl.col("__user_missing")).then(code["null_user"])
    reason = reason.when(pl.col("__time_missing")).then(code["null_time"])
    reason = reason.when(pl.col("__day").is_null()).then(code["unparseable_time"])
    reason = reason.when(pl.col("__event_missing")).then(code["null_event"])
    reason = reason.when(pl.col("__day") > today).then(code["future_time"])
    if start:
        reason = reason.when(pl.col("__day") < start).then(code["before_start"])
    if as_of:
        reason = reason.when(pl.col("__day") > as_of).then(code["after_as_of"])
    reason = reason.otherwise(pl.lit(None, dtype=pl.UInt8))
    null_like: Any = pl
    for name, is_text, why in zip(
        ("__user", "__time", "__event"), text, ("null_user", "null_time", "null_event"), strict=True
    ):
        if is_text:  # the value that made the row's reason (null when it was null)
            null_like = null_like.when(pl.col("__reason") == code[why]).then(pl.col(name))
    null_like = pl.lit(None, dtype=pl.String) if null_like is pl else null_like.otherwise(None)
    return [reason.alias("__reason"), null_like.alias("__null_like")]


def _check_null_ids(null_ids: Sequence[str]) -> tuple[str, ...]:
    if isinstance(null_ids, str) or not all(isinstance(v, str) for v in null_ids):
        raise InvalidOptionError(
            f"null_ids={null_ids!r}: pass a tuple of texts, e.g. null_ids=('NA', 'NULL'), or null_ids=() "
            "to keep every non-blank id."
        )
    return tuple(null_ids)


def _null_like_notes(grouped: pl.DataFrame, columns: ColumnMap, names: list[str], null_key: str) -> Iterator[str]:
    """Say which null-like values set rows aside, per column, with their rows (most first).

    ``null_key`` is the column of ``grouped`` that holds a set-aside group's null-like value.
    """
    seen = (
        grouped.filter(pl.col("__reason").is_not_null() & pl.col(null_key).is_not_null())
        .select("__reason", pl.col(null_key).str.strip_chars().alias("__null_like"), "rows")
        .group_by("__reason", "__null_like")
        .agg(pl.col("rows").sum())
        .sort("rows", "__null_like", descending=[True, False])
    )
    what = {"null_user": ("user ids", columns.user), "null_time": ("times", columns.time)}
    what["null_event"] = ("event names", columns.event or "")
    for reason, (kind, column) in what.items():
        rows = seen.filter(pl.col("__reason") == names.index(reason))
        if rows.height == 0:
            continue
        counts = ", ".join(
            f"{n:,} {'blank' if v == '' else repr(v)}" for v, n in rows.select("__null_like", "rows").iter_rows()
        )
        keep = "; pass null_ids=() to keep them as values" if (rows["__null_like"] != "").any() else ""
        yield f"{kind} in {column!r} that mean a missing value were set aside as {reason}: {counts}{keep}"


def _check_epoch_span(
    first: float | None,
    last: float | None,
    scan: _Scan,
    column: str,
    *,
    unit: TimeUnit,
    given: bool,
    start: dt.date | None,
) -> None:
    """Fail when epoch times land outside 1980-2200 (a wrong unit), from the span of days read (:func:`_epoch_span`)."""
    if first is None or last is None:
        return
    guess = scan.guess
    if guess is None and given:  # time_unit was given: one more small query, only now, for the likely unit
        guess = _guess_unit(scan.frame, scan.spark, column, scan.time_dtype)
    check_epoch_days(
        float(first),
        float(last),
        column=column,
        unit=unit,
        median=guess.median if guess else None,
        given=given,
        earliest=start,
    )
