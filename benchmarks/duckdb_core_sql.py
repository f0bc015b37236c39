"""The core report's peer: what ``stickiness report --no-notebook`` computes, in plain DuckDB SQL, stage by stage.

Same definitions as the kit (docs/metrics.md, docs/use-cases.md, docs/retention.md)
with the report's options (``stickiness_notebooks.spec.QUICKSTART``: ``by="persona"``, MAU window 30,
habit window 90, horizon 365, min_exposure 30, threshold 1, majority 0.5,
min_users 30, monthly periods, inactivity after 30 days) for a Parquet log whose
time column is a timestamp, analysed in UTC, without ``start`` / ``as_of``.

Like the kit, the peer reads the log **once** and every metric starts from what
that read kept. :class:`CorePeer` holds one DuckDB connection and runs:

``read`` (the kit's ``read_log(path, users=personas)``)
    One SQL pass from the raw Parquet file(s) (after a scan of the event column
    alone, for the ENUM type of the event names) to the table ``activity("user", day,
    event, events)``: one row per user, UTC day and event, ``events`` = distinct
    timestamps (exact duplicates removed). In the same pass, the row ledger: rows
    read, set aside as ``null_user`` / ``null_time`` / ``null_event`` /
    ``future_time`` (day after ``today``) in that order, and ``duplicate`` = used
    rows minus distinct (user, timestamp, event) rows; then distinct users, users
    absent from the users table, first and last day. Also loads the users table
    (``users("user", persona)``, persona null when blank).
``active_users``, ``monthly_active_users``
    By persona. The first keeps ``user_days`` (distinct (user, day) with the user's
    next active day), as the kit keeps its active days on the log; the second,
    ``retention``, ``lifecycle`` and ``inactive_users`` start from it.
``use_cases`` (frequency spectrum + use-case map)
    ``duckdb_use_cases_sql.use_cases_tables_sql`` on ``activity``: keeps ``mapping``
    and ``adopters`` (one row per adopter x use case with rate and previous rate,
    the kit's habit stages 1-2), then ``segments`` and the two tables.
``drifting_users``, ``unmapped_events``
    From ``adopters`` and ``mapping`` (and ``activity`` for the unmapped events).
``retention``, ``lifecycle``
    Monthly, by persona: distinct (user, month) from ``user_days`` with each user's
    first, previous and next active month (one window), then per (persona, month)
    counts, kept as ``period_counts`` by ``retention`` for ``lifecycle``, as the kit
    keeps its period counts on the log.
``inactive_users``
    Product-level dormancy from ``user_days``: last active day, active days and the
    typical interval (median gap to the next active day, both days in the horizon),
    status; users with no active day in the last 30 days.

Each metric's output is a polars frame with the kit's columns, types, row order
and values (``tests/test_benchmark_core_sql.py`` checks every stage against the
kit). ``python benchmarks/duckdb_core_sql.py some.parquet`` prints the SQL.

**The read stage, measured** (10M events, 2 threads; best of 2-3 interleaved runs on a
2-CPU machine that other jobs shared, so the ratios matter more than the seconds):

- exact duplicates by a **window** (each user's rows sorted by (time, event), a row
  equal to the one before it is a duplicate; then one ``GROUP BY (user, day, event)``
  with ``count(*)`` = rows and ``count(*) FILTER (WHERE NOT duplicate)`` = distinct
  timestamps): 2.9-3.3 s; the **two-level** ``GROUP BY`` (first (user, time, event) ->
  ``count(*)``, which collapses the duplicates, then (user, day, event) -> ``count(*)`` and
  ``sum``): 3.8-4.6 s; one ``GROUP BY`` with ``count(DISTINCT timestamp)``: 7.4-7.5 s
  (13.6 s against 7.4 s for the two-level form in an earlier, busier run). At 1M the
  window and the two-level form tie (0.32 s, 0.34 s). The window is the peer's. For
  scale: DuckDB scanning the three columns takes 0.47 s, and the one ``GROUP BY`` to the
  6.4M (user, day, event) groups without any de-duplication 2.0 s: a hash table of
  millions of groups is most of the read, however its keys are spelled (packing user,
  day and event into one BIGINT, or time and event into one HUGEINT: no faster).
- the event names as an ENUM (``CREATE TYPE event_name AS ENUM (SELECT DISTINCT event
  ...)``, a scan of the event column alone, then grouping, sorting and joining on a
  one-byte code) against the text: 5.4-5.9 s vs 7.3 s for the two-level read on one
  thread; the ENUM is the peer's.
- the day: ``epoch_us`` floor-divided by a day's microseconds (shifted so that DuckDB's
  truncating ``//`` floors for any date after year 1), not ``CAST(timezone('UTC',
  timestamp) AS DATE)``, which goes through ICU for every row (``duckdb_sql.py`` measured
  0.6 s vs 1.0 s for its whole query).
- the set-aside rows keep their null keys (or future day) in the ``GROUP BY``, are
  counted from it into the ledger, then deleted: no second scan of the Parquet.
  ``activity`` keeps a ``rows`` column (raw rows per group) next to ``events``.

``bench_core.py --read-variants`` times the variants of :data:`READ_VARIANTS` in the
benchmark run itself (results/core.md).

**The metric stages**: the use-case stage's per-adopter table runs ``lag`` over the
mapped activity rows instead of their ``DISTINCT`` (a repeated day has a gap of 0):
1.8 s vs 2.1 s and 3.8 s vs 4.6 s at 10M in two interleaved runs; and takes the ``(any)``
use case from ``user_days`` (2.2 s vs 3.4 s): same table either way
(``duckdb_use_cases_sql.py``). ``preserve_insertion_order = false`` lets DuckDB build
tables without keeping row order (no result depends on it: every output is sorted).

Not in the peer: text timestamps, epoch numbers (``time_unit``), timestamps finer than
microseconds, other time zones, ``start`` / ``as_of``, periods other than the month and the
catalog's qualitative columns (``problem``, ...): the benchmark needs none. Every stage of
the report is in it. Blank personas are ``(unknown)`` in every stage, as docs/metrics.md
says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

try:  # as a script or imported with benchmarks/ on sys.path
    import duckdb_sql as active_users_sql
    import duckdb_use_cases_sql as use_cases_sql
except ImportError:  # pragma: no cover - imported by path from the tests
    import importlib.util
    import sys
    from types import ModuleType

    def _peer(name: str) -> ModuleType:
        spec = importlib.util.spec_from_file_location(f"_{name}", Path(__file__).with_name(f"{name}.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return module

    active_users_sql = _peer("duckdb_sql")
    use_cases_sql = _peer("duckdb_use_cases_sql")

#: The report's options (``stickiness report`` defaults, docs/*.md).
MAU_WINDOW = 30
WEEK = 7
INACTIVE_DAYS = 30
#: Users a segment needs in the period before for its retention to be headlined (retention's min_users).
MIN_USERS = 30
DORMANCY = {"k": 2.0, "limit": 90, "horizon": 365}
REASONS = (
    "null_user",
    "null_time",
    "unparseable_time",
    "null_event",
    "future_time",
    "before_start",
    "after_as_of",
    "duplicate",
)
US_PER_DAY = 86_400_000_000
#: Days from 0001-01-01 to 1970-01-01: shifting the epoch there makes DuckDB's truncating ``//`` a floor.
_SHIFT_DAYS = 719_162

# --- read ------------------------------------------------------------------------------------------------


def _day_of(epoch_us: str) -> str:
    """The UTC day (DATE) of an epoch in microseconds (floor division: right before 1970 too)."""
    return (
        f"DATE '1970-01-01' + CAST(({epoch_us} + {_SHIFT_DAYS * US_PER_DAY}) // {US_PER_DAY} - {_SHIFT_DAYS} "
        "AS INTEGER)"
    )


#: The event names of the log as an ENUM type (a scan of the event column alone): grouping and joining on a
#: one-byte code instead of the text.
_EVENT_TYPE = """
CREATE TYPE event_name AS ENUM (
    SELECT DISTINCT event FROM read_parquet({source}) WHERE event IS NOT NULL ORDER BY event
)
"""

_READ_WINDOW = """
CREATE TABLE activity AS  -- rows per (user, day, event); set-aside rows keep a null key, or a future day
WITH ordered AS (  -- each user's rows sorted by (time, event): an exact duplicate follows its copy
    SELECT user_id,
           ts,
           event,
           coalesce(ts = lag(ts) OVER w AND event = lag(event) OVER w, false) AS duplicate
    FROM (SELECT {user} AS user_id, epoch_us(timestamp) AS ts, {event} AS event FROM read_parquet({source}))
    WINDOW w AS (PARTITION BY user_id ORDER BY ts, event)
)
SELECT user_id AS "user", {day} AS day, event, count(*) FILTER (WHERE NOT duplicate) AS events, count(*) AS rows
FROM ordered
GROUP BY ALL
"""

_READ_TWO_LEVEL = """
CREATE TABLE activity AS  -- rows per (user, day, event); set-aside rows keep a null key, or a future day
WITH per_time AS (  -- exact duplicates collapse here: one row per (user, time, event) with its count
    SELECT {user} AS user_id, epoch_us(timestamp) AS ts, {event} AS event, count(*) AS n
    FROM read_parquet({source})
    GROUP BY ALL
)
SELECT user_id AS "user", {day} AS day, event, count(*) AS events, sum(n) AS rows
FROM per_time
GROUP BY ALL
"""

_READ_COUNT_DISTINCT = """
CREATE TABLE activity AS  -- rows per (user, day, event); set-aside rows keep a null key, or a future day
SELECT {user} AS "user", {day} AS day, {event} AS event, count(DISTINCT epoch_us(timestamp)) AS events,
       count(*) AS rows
FROM read_parquet({source})
GROUP BY ALL
"""

#: The read stage's formulations: name -> (template, events as an ENUM). The first is the peer's;
#: ``bench_core.py --read-variants`` times the others.
READ_VARIANTS: dict[str, tuple[str, bool]] = {
    "window": (_READ_WINDOW, True),
    "two_level": (_READ_TWO_LEVEL, True),
    "two_level_text": (_READ_TWO_LEVEL, False),
    "count_distinct": (_READ_COUNT_DISTINCT, True),
}

_USED = '"user" IS NOT NULL AND day IS NOT NULL AND event IS NOT NULL AND day <= DATE {today}'

_LEDGER = """
CREATE TEMP TABLE ledger AS  -- the row ledger, from the grouped rows (a null key or a future day: set aside)
SELECT CAST(coalesce(sum(rows), 0) AS BIGINT) AS rows_read,
       CAST(coalesce(sum(rows) FILTER (WHERE "user" IS NULL), 0) AS BIGINT) AS null_user,
       CAST(coalesce(sum(rows) FILTER (WHERE "user" IS NOT NULL AND day IS NULL), 0) AS BIGINT) AS null_time,
       CAST(coalesce(sum(rows) FILTER (WHERE "user" IS NOT NULL AND day IS NOT NULL AND event IS NULL), 0)
            AS BIGINT) AS null_event,
       CAST(coalesce(sum(rows) FILTER (
           WHERE "user" IS NOT NULL AND day IS NOT NULL AND event IS NOT NULL AND day > DATE {today}), 0)
            AS BIGINT) AS future_time,
       CAST(coalesce(sum(rows - events) FILTER (WHERE {used}), 0) AS BIGINT) AS duplicate,
       min(day) FILTER (WHERE {used}) AS first_day,
       max(day) FILTER (WHERE {used}) AS as_of
FROM activity
"""

_USERS = """
CREATE TABLE users AS  -- the users table: persona null when blank (the segment is then (unknown))
SELECT TRY_CAST({key} AS {user_type}) AS "user",
       CASE WHEN trim(CAST(persona AS VARCHAR)) <> '' THEN CAST(persona AS VARCHAR) END AS persona
FROM read_parquet({source})
WHERE TRY_CAST({key} AS {user_type}) IS NOT NULL
"""

_USER_COUNTS = """
SELECT count(*) AS users, count(*) FILTER (WHERE known IS NULL) AS users_without_segment
FROM (SELECT DISTINCT "user" FROM activity) AS active
LEFT JOIN (SELECT "user", true AS known FROM users) AS segmented USING ("user")
"""

# --- active users ----------------------------------------------------------------------------------------

_USER_DAYS = """
CREATE TEMP TABLE user_days AS  -- distinct active (user, day) and the user's next active day
SELECT "user", day, lead(day) OVER (PARTITION BY "user" ORDER BY day) AS next_day
FROM (SELECT DISTINCT "user", day FROM activity)
"""

#: Every observed day, first_day .. as_of.
_CALENDAR = "SELECT first_day + CAST(i AS INTEGER) AS day FROM ledger, range(0, as_of - first_day + 1) AS r(i)"

#: The product's DAU on every observed day, and whether the last day looks partial (the rule: duckdb_sql.py).
_PARTIAL = f"""
product AS (
    SELECT cal.day, coalesce(n, 0) AS dau
    FROM ({_CALENDAR}) AS cal LEFT JOIN (SELECT day, count(*) AS n FROM user_days GROUP BY day) USING (day)
),
{active_users_sql.partial_day_sql(daily="product", bounds="ledger", first="first_day", last="as_of")}"""

_ACTIVE_USERS = """
WITH
{partial},
spans AS (  -- a user's active day opens a span cut at their next active day or W days on (exclusive)
    SELECT coalesce(users.persona, '(unknown)') AS persona,
           day,
           least(next_day, day + {week}) AS week_end,
           least(next_day, day + {window}) AS window_end
    FROM user_days LEFT JOIN users USING ("user")
),
changes AS (
    SELECT persona, day, count(*) AS dau, count(*) AS d_wau, count(*) AS d_mau FROM spans GROUP BY ALL
    UNION ALL
    SELECT persona, week_end, 0, -count(*), 0 FROM spans GROUP BY ALL
    UNION ALL
    SELECT persona, window_end, 0, 0, -count(*) FROM spans GROUP BY ALL
),
per_day AS (SELECT persona, day, sum(dau) AS dau, sum(d_wau) AS d_wau, sum(d_mau) AS d_mau FROM changes GROUP BY ALL),
grid AS (  -- every observed day for every persona with an active user
    SELECT persona, day FROM (SELECT DISTINCT persona FROM per_day), ({calendar})
),
counts AS (
    SELECT persona,
           day,
           coalesce(dau, 0) AS dau,
           sum(coalesce(d_wau, 0)) OVER (PARTITION BY persona ORDER BY day) AS wau,
           sum(coalesce(d_mau, 0)) OVER (PARTITION BY persona ORDER BY day) AS mau
    FROM grid LEFT JOIN per_day USING (persona, day)
)
SELECT persona,
       day,
       CAST(dau AS BIGINT) AS dau,
       CAST(wau AS BIGINT) AS wau,
       CAST(mau AS BIGINT) AS mau,
       CASE WHEN mau > 0 THEN CAST(dau AS DOUBLE) / mau END AS stickiness,
       day >= first_day + ({window} - 1) AND NOT (day = as_of AND last_partial) AS complete,
       day = as_of AND last_partial AS partial_day
FROM counts, ledger, partial
ORDER BY persona, day
"""

_MONTHLY = """
WITH
{partial},
days AS (
    SELECT coalesce(users.persona, '(unknown)') AS persona, "user", day
    FROM user_days LEFT JOIN users USING ("user")
),
dau AS (SELECT persona, day, count(*) AS dau FROM days GROUP BY ALL),
grid AS (  -- every observed day for every persona with an active user
    SELECT persona, day FROM (SELECT DISTINCT persona FROM dau), ({calendar})
),
daily AS (  -- months may be partial: days = the observed ones
    SELECT persona, make_date(year(day), month(day), 1) AS month, count(*) AS days, avg(coalesce(dau, 0)) AS mean_dau
    FROM grid LEFT JOIN dau USING (persona, day)
    GROUP BY ALL
),
mau AS (
    SELECT persona, month, count(*) AS mau
    FROM (SELECT DISTINCT persona, "user", make_date(year(day), month(day), 1) AS month FROM days)
    GROUP BY ALL
)
SELECT persona,
       month,
       days,
       mean_dau,
       coalesce(mau, 0) AS mau,
       CASE WHEN coalesce(mau, 0) > 0 THEN mean_dau / mau END AS stickiness,
       days = day(last_day(month)) AND NOT (last_partial AND month = date_trunc('month', as_of)) AS complete
FROM daily LEFT JOIN mau USING (persona, month), ledger, partial
ORDER BY persona, month
"""

# --- use cases: drifting users and unmapped events (the spectrum and the map: duckdb_use_cases_sql) --------

_DRIFTING = """
SELECT "user",
       persona,
       use_case,
       previous_rate,
       rate AS current_rate,
       DATE '1970-01-01' + CAST(last_active AS INTEGER) AS last_active,
       as_of - last_active AS days_since
FROM adopters JOIN (SELECT DISTINCT uc, use_case FROM mapping) USING (uc)
WHERE NOT too_new AND rate < {threshold} AND previous_rate >= {threshold}
ORDER BY persona, use_case, previous_rate DESC, "user"
"""

_UNMAPPED = """
SELECT event, sum(events) AS events, count(DISTINCT "user") AS users
FROM activity SEMI JOIN (SELECT event FROM mapping WHERE use_case = '(unmapped)') USING (event)
GROUP BY event
ORDER BY events DESC, event
LIMIT {top}
"""

# --- retention and lifecycle (monthly) --------------------------------------------------------------------

#: Per (persona, month index p = 12 x year + month - 1): active, new, retained, churned, complete. Kept by
#: ``retention`` for ``lifecycle``, as the kit keeps its period counts on the log.
_PERIOD_COUNTS = """
CREATE TEMP TABLE period_counts AS
WITH
months AS (SELECT DISTINCT "user", year(day) * 12 + month(day) - 1 AS p FROM user_days),
users_p AS (  -- each user's active months with their first, previous and next active month
    SELECT coalesce(users.persona, '(unknown)') AS persona,
           p,
           first_value(p) OVER w AS first_p,
           lag(p) OVER w AS prev_p,
           lead(p) OVER w AS next_p
    FROM months LEFT JOIN users USING ("user")
    WINDOW w AS (PARTITION BY months."user" ORDER BY p)
),
active AS (
    SELECT persona, p, count(*) AS active, count(*) FILTER (WHERE p = first_p) AS new,
           count(*) FILTER (WHERE prev_p = p - 1) AS retained
    FROM users_p GROUP BY ALL
),
churned AS (  -- active in p, not in p + 1
    SELECT persona, p + 1 AS p, count(*) AS churned
    FROM users_p WHERE next_p IS NULL OR next_p > p + 1 GROUP BY ALL
),
periods AS (  -- every month holding an observed day, and whether all its days are observed
    SELECT year(day) * 12 + month(day) - 1 AS p, count(*) = day(last_day(any_value(day))) AS whole
    FROM ({calendar}) GROUP BY ALL
),
grid AS (  -- every month for every persona with an active user; complete: it and the month before are whole
    SELECT persona, periods.p, periods.whole AND coalesce(before.whole, false) AS complete
    FROM (SELECT DISTINCT persona FROM users_p), periods
    LEFT JOIN periods AS before ON before.p = periods.p - 1
),
counts AS (
    SELECT persona,
           p,
           coalesce(active, 0) AS active,
           coalesce(new, 0) AS new,
           coalesce(retained, 0) AS retained,
           coalesce(churned, 0) AS churned,
           complete
    FROM grid LEFT JOIN active USING (persona, p) LEFT JOIN churned USING (persona, p)
)
SELECT * FROM counts
"""

_RETENTION = """
SELECT persona,
       make_date(CAST(p // 12 AS INTEGER), CAST(p % 12 + 1 AS INTEGER), 1) AS period,
       retained + churned AS active_before,
       active,
       new,
       retained,
       churned,
       active - new AS returning,
       CASE WHEN retained + churned > 0 THEN (active - new) / (retained + churned) END AS retention_rate,
       CASE WHEN retained + churned > 0 THEN churned / (retained + churned) END AS churn_rate,
       retained + churned >= {min_users} AS sufficient,
       complete
FROM period_counts
ORDER BY persona, period
"""

_LIFECYCLE = """
SELECT persona,
       make_date(CAST(p // 12 AS INTEGER), CAST(p % 12 + 1 AS INTEGER), 1) AS period,
       active,
       new,
       retained AS returning,
       active - new - retained AS resurrecting,
       -churned AS dormant,
       CASE WHEN churned > 0 THEN (active - retained) / churned END AS quick_ratio,
       complete
FROM period_counts
ORDER BY persona, period
"""

# --- inactive users ----------------------------------------------------------------------------------------

_INACTIVE = """
WITH
bounds AS (SELECT as_of, as_of - ({horizon} - 1) AS horizon_start FROM ledger),
per_user AS (  -- the typical interval: median gap between consecutive active days, both in the horizon
    SELECT "user",
           max(day) AS last_active,
           count(*) AS active_days,
           median(next_day - day) FILTER (WHERE day >= horizon_start AND next_day IS NOT NULL) AS interval_days,
           any_value(as_of) - max(day) AS days_since
    FROM user_days, bounds
    GROUP BY "user"
)
SELECT "user",
       coalesce(users.persona, '(unknown)') AS persona,
       last_active,
       days_since,
       active_days,
       interval_days,
       CASE WHEN days_since > {limit} THEN 'dormant'
            WHEN interval_days IS NOT NULL AND days_since > {k} * interval_days THEN 'at_risk'
            WHEN interval_days IS NOT NULL THEN 'on_rhythm'
            ELSE 'no_rhythm' END AS status
FROM per_user LEFT JOIN users USING ("user")
WHERE days_since >= {days}
ORDER BY persona, days_since, "user"
"""

# --- the kit's output types -------------------------------------------------------------------------------

ACTIVE_USERS_SCHEMA: dict[str, pl.DataType] = {
    "persona": pl.String(),
    "day": pl.Date(),
    "dau": pl.Int64(),
    "wau": pl.Int64(),
    "mau": pl.Int64(),
    "stickiness": pl.Float64(),
    "complete": pl.Boolean(),
    "partial_day": pl.Boolean(),
}
MONTHLY_SCHEMA: dict[str, pl.DataType] = {
    "persona": pl.String(),
    "month": pl.Date(),
    "days": pl.Int64(),
    "mean_dau": pl.Float64(),
    "mau": pl.Int64(),
    "stickiness": pl.Float64(),
    "complete": pl.Boolean(),
}
DRIFTING_SCHEMA: dict[str, pl.DataType] = {
    "user": pl.Int64(),  # the log's user type
    "persona": pl.String(),
    "use_case": pl.String(),
    "previous_rate": pl.Float64(),
    "current_rate": pl.Float64(),
    "last_active": pl.Date(),
    "days_since": pl.Int64(),
}
UNMAPPED_SCHEMA: dict[str, pl.DataType] = {"event": pl.String(), "events": pl.Int64(), "users": pl.Int64()}
RETENTION_SCHEMA: dict[str, pl.DataType] = {
    "persona": pl.String(),
    "period": pl.Date(),
    "active_before": pl.Int64(),
    "active": pl.Int64(),
    "new": pl.Int64(),
    "retained": pl.Int64(),
    "churned": pl.Int64(),
    "returning": pl.Int64(),
    "retention_rate": pl.Float64(),
    "churn_rate": pl.Float64(),
    "sufficient": pl.Boolean(),
    "complete": pl.Boolean(),
}
LIFECYCLE_SCHEMA: dict[str, pl.DataType] = {
    "persona": pl.String(),
    "period": pl.Date(),
    "active": pl.Int64(),
    "new": pl.Int64(),
    "returning": pl.Int64(),
    "resurrecting": pl.Int64(),
    "dormant": pl.Int64(),
    "quick_ratio": pl.Float64(),
    "complete": pl.Boolean(),
}
INACTIVE_SCHEMA: dict[str, pl.DataType] = {
    "user": pl.Int64(),  # the log's user type
    "persona": pl.String(),
    "last_active": pl.Date(),
    "days_since": pl.Int64(),
    "active_days": pl.Int64(),
    "interval_days": pl.Float64(),
    "status": pl.String(),
}

#: The metric stages in the report's order (``CorePeer`` methods and the kit's calls in bench_core.py).
STAGES: tuple[str, ...] = (
    "active_users",
    "monthly_active_users",
    "use_cases",
    "drifting_users",
    "unmapped_events",
    "retention",
    "lifecycle",
    "inactive_users",
)


def parquet_source(path: str | Path) -> str:
    """A SQL string literal for ``read_parquet``: a file, a glob, or a folder (all its ``*.parquet``)."""
    text = str(Path(path) / "*.parquet") if Path(path).is_dir() else str(path)
    return "'" + text.replace("'", "''") + "'"


def _date(day: dt.date) -> str:
    return f"'{day.isoformat()}'"


def read_sql(log: str | Path, *, variant: str = "window", user_is_text: bool = False) -> list[str]:
    """The read stage's statements that build ``activity`` from the Parquet log ``log`` (before the ledger)."""
    template, as_enum = READ_VARIANTS[variant]
    source = parquet_source(log)
    user = "CASE WHEN trim(user_id) <> '' THEN user_id END" if user_is_text else "user_id"
    day = _day_of("epoch_us(timestamp)") if template is _READ_COUNT_DISTINCT else _day_of("ts")
    event = "CAST(event AS event_name)" if as_enum else "event"
    main = template.format(source=source, user=user, day=day, event=event)
    return [text.strip() + "\n" for text in ([_EVENT_TYPE.format(source=source)] if as_enum else []) + [main]]


def _typed(frame: pl.DataFrame, schema: dict[str, pl.DataType], user_type: pl.DataType | None = None) -> pl.DataFrame:
    return frame.select(
        [pl.col(c).cast(user_type if c == "user" and user_type is not None else t) for c, t in schema.items()]
    )


class CorePeer:
    """One DuckDB connection holding the read log's tables; one method per stage of the core report.

    Call :meth:`read` first, then the metric methods in :data:`STAGES` order
    (``drifting_users`` and ``unmapped_events`` need ``use_cases`` before them, and
    every metric after ``active_users`` needs its ``user_days``). Close with
    :meth:`close` (or use it as a context manager).
    """

    def __init__(self, con: Any = None) -> None:
        import duckdb

        self._own = con is None
        self.con = duckdb.connect() if con is None else con
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute("SET preserve_insertion_order = false")
        self.user_type: pl.DataType = pl.Int64()
        self._calendar = _CALENDAR
        self._use_case_options: dict[str, Any] = dict(use_cases_sql.DEFAULTS)

    def __enter__(self) -> CorePeer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._own:
            self.con.close()

    # --- read ---------------------------------------------------------------------------------------------

    def read(
        self,
        log: str | Path,
        personas: str | Path | None,
        *,
        today: dt.date | None = None,
        variant: str = "window",
        users_key: str = "user_id",
    ) -> dict[str, Any]:
        """Read the log into ``activity`` and the users table into ``users``; return the ledger as a dict.

        ``today`` (default: the clock's UTC date) sets aside rows dated after it, as
        ``read_log``'s ``now``. The dict holds ``rows_read``, ``rows_used``,
        ``set_aside`` (every reason of ``stickiness.REASONS``), ``users``,
        ``users_without_segment``, ``first_day`` and ``as_of``.
        """
        today = today or dt.datetime.now(dt.UTC).date()
        con = self.con
        for name in ("activity", "users", "ledger", "user_days", "mapping", "adopters", "segments", "period_counts"):
            con.execute(f"DROP TABLE IF EXISTS {name}")
        con.execute("DROP TYPE IF EXISTS event_name")
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({parquet_source(log)})").fetchall()
        schema = {row[0]: row[1] for row in described}
        missing = {"user_id", "timestamp", "event"} - set(schema)
        if missing:
            raise ValueError(f"the peer reads columns user_id, timestamp and event; {log} lacks {sorted(missing)}")
        time_type = str(schema["timestamp"])
        if not time_type.startswith("TIMESTAMP"):
            raise ValueError(f"the peer reads a TIMESTAMP time column, not {time_type}")
        user_sql_type = str(schema["user_id"])
        for statement in read_sql(log, variant=variant, user_is_text=user_sql_type == "VARCHAR"):
            con.execute(statement)
        used = _USED.format(today=_date(today))
        con.execute(_LEDGER.format(today=_date(today), used=used))
        con.execute(f"DELETE FROM activity WHERE NOT ({used})")  # set-aside rows: counted, then dropped
        counts = self._row("SELECT * FROM ledger")
        rows_read, null_user, null_time, null_event, future, duplicate, first_day, as_of = counts
        self.user_type = pl.Int64() if user_sql_type == "BIGINT" else pl.String()
        users, without = None, None
        if personas is not None:
            con.execute(_USERS.format(source=parquet_source(personas), key=f'"{users_key}"', user_type=user_sql_type))
            (dupes,) = self._row('SELECT count(*) - count(DISTINCT "user") FROM users')
            if dupes:
                raise ValueError(f"the users table has {dupes} users on more than one row")
            users, without = self._row(_USER_COUNTS)
        else:
            con.execute('CREATE TABLE users ("user" ' + user_sql_type + ", persona VARCHAR)")
            (users,) = self._row('SELECT count(DISTINCT "user") FROM activity')
        set_aside = dict.fromkeys(REASONS, 0)
        set_aside.update(
            null_user=null_user, null_time=null_time, null_event=null_event, future_time=future, duplicate=duplicate
        )
        return {
            "rows_read": int(rows_read),
            "rows_used": int(rows_read) - sum(set_aside.values()),
            "set_aside": {k: int(v) for k, v in set_aside.items()},
            "users": int(users),
            "users_without_segment": None if without is None else int(without),
            "first_day": first_day,
            "as_of": as_of,
        }

    def _row(self, sql: str) -> tuple[Any, ...]:
        """The one row of a query (fetched whole: a DuckDB result left open blocks the connection)."""
        rows = self.con.execute(sql).fetchall()
        assert len(rows) == 1, sql
        return tuple(rows[0])

    def activity(self) -> pl.DataFrame:
        """The ``activity`` table as the kit's ``UsageLog.activity``: ``user, day, event, events``."""
        frame = self.con.sql('SELECT "user", day, CAST(event AS VARCHAR) AS event, events FROM activity').pl()
        return frame.select(
            pl.col("user").cast(self.user_type), pl.col("day").cast(pl.Date), "event", pl.col("events").cast(pl.Int64)
        )

    # --- metrics ------------------------------------------------------------------------------------------

    def active_users(self, *, window: int = MAU_WINDOW) -> pl.DataFrame:
        """``active_users(log, window=W, by="persona")``; keeps ``user_days``."""
        self.con.execute("DROP TABLE IF EXISTS user_days")
        self.con.execute(_USER_DAYS)
        sql = _ACTIVE_USERS.format(week=WEEK, window=int(window), calendar=self._calendar, partial=_PARTIAL)
        return _typed(self.con.sql(sql).pl(), ACTIVE_USERS_SCHEMA)

    def monthly_active_users(self) -> pl.DataFrame:
        """``monthly_active_users(log, by="persona")``."""
        monthly = _MONTHLY.format(calendar=self._calendar, partial=_PARTIAL)
        return _typed(self.con.sql(monthly).pl(), MONTHLY_SCHEMA)

    def use_cases(
        self, rules: Sequence[tuple[str, str]] = use_cases_sql.RULES, **options: Any
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        """``frequency_spectrum`` and ``use_case_map`` (measured columns, verdicts); keeps ``mapping``, ``adopters``."""
        self._use_case_options = {**use_cases_sql.DEFAULTS, **options}
        return use_cases_sql.use_cases_from_tables(self.con, rules, any_days="user_days", **options)

    def drifting_users(self) -> pl.DataFrame:
        """``drifting_users(log, catalog, by="persona")`` with the options given to :meth:`use_cases`."""
        threshold = float(self._use_case_options["threshold"])
        sql = _DRIFTING.format(threshold=repr(threshold))
        return _typed(self.con.sql(sql).pl(), DRIFTING_SCHEMA, self.user_type)

    def unmapped_events(self, *, top: int = 20) -> pl.DataFrame:
        """``unmapped_events(log, catalog, top=20)`` with the catalog given to :meth:`use_cases`."""
        return _typed(self.con.sql(_UNMAPPED.format(top=int(top))).pl(), UNMAPPED_SCHEMA)

    def _period_counts(self) -> None:
        self.con.execute("DROP TABLE IF EXISTS period_counts")
        self.con.execute(_PERIOD_COUNTS.format(calendar=self._calendar))

    def retention(self) -> pl.DataFrame:
        """``retention(log, by="persona")``, monthly; keeps ``period_counts``."""
        self._period_counts()
        return _typed(self.con.sql(_RETENTION.format(min_users=MIN_USERS)).pl(), RETENTION_SCHEMA)

    def lifecycle(self) -> pl.DataFrame:
        """``lifecycle(log, by="persona")``, monthly, from the ``period_counts`` that ``retention`` kept."""
        if not self._row("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'period_counts'")[0]:
            self._period_counts()
        return _typed(self.con.sql(_LIFECYCLE).pl(), LIFECYCLE_SCHEMA)

    def inactive_users(self, *, days: int = INACTIVE_DAYS) -> pl.DataFrame:
        """``inactive_users(log, days=30, by="persona")`` (k = 2, limit = 90, horizon = 365)."""
        sql = _INACTIVE.format(days=int(days), **DORMANCY)
        return _typed(self.con.sql(sql).pl(), INACTIVE_SCHEMA, self.user_type)


def all_sql(log: str | Path = "events.parquet", personas: str | Path = "personas.parquet") -> str:
    """Every statement of the peer, in order, for reading."""
    today = dt.datetime.now(dt.UTC).date()
    used = _USED.format(today=_date(today))
    tables = use_cases_sql.use_cases_tables_sql(any_days="user_days")
    parts = {
        **{f"read: activity ({i + 1})": text for i, text in enumerate(read_sql(log))},
        "read: ledger": _LEDGER.format(today=_date(today), used=used),
        "read: set-aside rows out": f"DELETE FROM activity WHERE NOT ({used})",
        "read: users": _USERS.format(source=parquet_source(personas), key='"user_id"', user_type="BIGINT"),
        "read: users counts": _USER_COUNTS,
        "active_users: user_days": _USER_DAYS,
        "active_users": _ACTIVE_USERS.format(week=WEEK, window=MAU_WINDOW, calendar=_CALENDAR, partial=_PARTIAL),
        "monthly_active_users": _MONTHLY.format(calendar=_CALENDAR, partial=_PARTIAL),
        **{f"use_cases: {name}": text for name, text in tables._asdict().items()},
        "drifting_users": _DRIFTING.format(threshold=repr(float(use_cases_sql.DEFAULTS["threshold"]))),
        "unmapped_events": _UNMAPPED.format(top=20),
        "retention: period_counts": _PERIOD_COUNTS.format(calendar=_CALENDAR),
        "retention": _RETENTION.format(min_users=MIN_USERS),
        "lifecycle": _LIFECYCLE,
        "inactive_users": _INACTIVE.format(days=INACTIVE_DAYS, **DORMANCY),
    }
    return "\n".join(f"-- {name}\n{text.strip()};\n" for name, text in parts.items())


if __name__ == "__main__":
    import sys as _sys

    print(all_sql(*_sys.argv[1:3]))
