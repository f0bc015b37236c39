"""The benchmark's peer: daily DAU / WAU / MAU and stickiness in plain DuckDB SQL.

Same definitions as ``stickiness.active_users`` (docs/metrics.md), for a log
whose timestamps are instants and an analysis time zone of UTC:

- day = calendar date of the timestamp in UTC; a user is active on day d if they
  have at least one event that day (rows with a null user or time are ignored);
- DAU(d) = distinct users active on d; WAU(d) = distinct users active in
  [d-6, d]; MAU(d) = distinct users active in [d-(W-1), d], W = ``window``;
- stickiness = DAU / MAU (null when MAU is 0); one row per day from the first
  to the last active day; complete = day >= first day + (W-1).

The whole path runs in DuckDB, from the raw Parquet file(s) to the daily table.
Two ways to count the trailing windows are kept, and the benchmark uses the
faster (see README.md):

``interval`` (default)
    A user active on day a is counted on days a .. a+W-1. Cutting that span at
    the user's next active day (``lead``) makes one user's spans disjoint, so a
    running sum of +1 at each span's start and -1 at its end counts distinct
    users. One sort of the distinct (user, day) rows, then work per day.
``range_join``
    The textbook form: join every calendar day to the (user, day) rows of its
    trailing window and ``count(DISTINCT user_id)``. About W times as many rows.

And two ways to get the day: ``epoch`` (default), integer division of
``epoch_us(timestamp)`` by a day's microseconds, which is the UTC day of an
instant (and the wall-clock day of a naive timestamp); and ``cast``,
``CAST(timezone('UTC', timestamp) AS DATE)``, the idiomatic form, which goes
through DuckDB's ICU time-zone code for every row and is slower.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import polars as pl

Method = Literal["interval", "range_join"]
DayExpr = Literal["epoch", "cast"]
METHODS: tuple[Method, ...] = ("interval", "range_join")
DAY_EXPRS: tuple[DayExpr, ...] = ("epoch", "cast")
WEEK = 7

# Days are integers (days since 1970-01-01) until the final SELECT turns them into DATEs.
_DAY = {
    "epoch": "epoch_us(timestamp) // 86400000000",
    "cast": "CAST(CAST(timezone('UTC', timestamp) AS DATE) - DATE '1970-01-01' AS BIGINT)",
}

_USER_DAYS = """
user_days AS (  -- distinct active (user, day); day = days since 1970-01-01 in UTC
    SELECT DISTINCT user_id, {day} AS day
    FROM read_parquet({source})
    WHERE user_id IS NOT NULL AND timestamp IS NOT NULL
),
bounds AS (
    SELECT min(day) AS first_day, max(day) AS last_day FROM user_days
),
calendar AS (  -- every day from the first to the last
    SELECT range AS day FROM bounds, range(first_day, last_day + 1)
)"""

_INTERVAL = """
WITH {user_days},
spans AS (  -- a user's active day opens a span that ends (exclusive) at their next active day or W days on
    SELECT day,
           least(next_day, day + {week}) AS week_end,
           least(next_day, day + {window}) AS window_end
    FROM (SELECT day, lead(day) OVER (PARTITION BY user_id ORDER BY day) AS next_day FROM user_days)
),
changes AS (
    SELECT day, count(*) AS dau, count(*) AS d_wau, count(*) AS d_mau FROM spans GROUP BY day
    UNION ALL
    SELECT week_end, 0, -count(*), 0 FROM spans GROUP BY week_end
    UNION ALL
    SELECT window_end, 0, 0, -count(*) FROM spans GROUP BY window_end
),
daily AS (
    SELECT calendar.day,
           coalesce(sum(dau), 0) AS dau,
           coalesce(sum(d_wau), 0) AS d_wau,
           coalesce(sum(d_mau), 0) AS d_mau
    FROM calendar LEFT JOIN changes USING (day)
    GROUP BY calendar.day
),
counts AS (
    SELECT day, dau,
           sum(d_wau) OVER (ORDER BY day) AS wau,
           sum(d_mau) OVER (ORDER BY day) AS mau
    FROM daily
)"""

_RANGE_JOIN = """
WITH {user_days},
counts AS (
    SELECT calendar.day,
           count(*) FILTER (WHERE user_days.day = calendar.day) AS dau,
           count(DISTINCT user_days.user_id) FILTER (WHERE user_days.day > calendar.day - {week}) AS wau,
           count(DISTINCT user_days.user_id) AS mau
    FROM calendar
    LEFT JOIN user_days ON user_days.day BETWEEN calendar.day - ({window} - 1) AND calendar.day
    GROUP BY calendar.day
)"""


def partial_day_sql(*, daily: str, bounds: str, first: str, last: str) -> str:
    """The CTE ``partial(last_partial)``: whether the last day looks partial (docs/metrics.md, "A partial last day").

    The log has the 4 weeks before it, the median DAU of the same weekday in them is at least 20, and its
    DAU is below half that median and below half the median DAU of the 7 days before it. ``daily`` holds
    ``day, dau`` (the whole product) for every observed day; ``bounds`` holds the columns ``first`` and
    ``last`` (the first and last observed day). Shared by this peer and duckdb_core_sql.py.
    """
    weekday = f"day < {last} AND ({last} - day) % 7 = 0 AND day >= {last} - 28"
    return f"""partial AS (
    SELECT coalesce(
        max({last} - {first}) >= 28
        AND median(dau) FILTER (WHERE {weekday}) >= 20
        AND max(dau) FILTER (WHERE day = {last}) < 0.5 * least(
            median(dau) FILTER (WHERE {weekday}),
            median(dau) FILTER (WHERE day >= {last} - 7 AND day < {last})
        ),
        false
    ) AS last_partial
    FROM {daily}, {bounds}
)"""


_SELECT = """
SELECT DATE '1970-01-01' + CAST(day AS INTEGER) AS day,
       CAST(dau AS BIGINT) AS dau,
       CAST(wau AS BIGINT) AS wau,
       CAST(mau AS BIGINT) AS mau,
       CASE WHEN mau > 0 THEN CAST(dau AS DOUBLE) / mau END AS stickiness,
       day >= first_day + ({window} - 1) AND NOT (day = last_day AND last_partial) AS complete,
       day = last_day AND last_partial AS partial_day
FROM counts, bounds, partial
ORDER BY day
"""


def parquet_source(path: str | Path) -> str:
    """A SQL string literal for ``read_parquet``: a file, a glob, or a folder (all its ``*.parquet``)."""
    text = str(Path(path) / "*.parquet") if Path(path).is_dir() else str(path)
    return "'" + text.replace("'", "''") + "'"


def active_users_sql(path: str | Path, *, window: int = 30, method: Method = "interval", day: DayExpr = "epoch") -> str:
    """The SQL of the daily table for the Parquet log at ``path``."""
    if not isinstance(window, int) or window < WEEK:
        raise ValueError(f"window={window!r}: a whole number of days, at least {WEEK}")
    if method not in METHODS or day not in DAY_EXPRS:
        raise ValueError(f"method={method!r}, day={day!r}: use one of {METHODS} and one of {DAY_EXPRS}")
    user_days = _USER_DAYS.format(day=_DAY[day], source=parquet_source(path)).strip()
    body = (_INTERVAL if method == "interval" else _RANGE_JOIN).format(user_days=user_days, week=WEEK, window=window)
    partial = partial_day_sql(daily="counts", bounds="bounds", first="first_day", last="last_day")
    return body.strip() + ",\n" + partial + "\n" + _SELECT.format(window=window).strip() + "\n"


def active_users(
    path: str | Path,
    *,
    window: int = 30,
    method: Method = "interval",
    day: DayExpr = "epoch",
    con: Any = None,
) -> pl.DataFrame:
    """Run the SQL on a fresh in-memory DuckDB connection (or ``con``) and return a polars frame.

    Columns and types are those of ``stickiness.active_users``: ``day`` (Date),
    ``dau, wau, mau`` (Int64), ``stickiness`` (Float64), ``complete``, ``partial_day`` (Boolean).
    """
    import duckdb

    own = con is None
    if own:
        con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        table = con.sql(active_users_sql(path, window=window, method=method, day=day)).arrow()
    finally:
        if own:
            con.close()
    out = pl.from_arrow(table)
    assert isinstance(out, pl.DataFrame)
    return out


def scan_floor(path: str | Path, *, con: Any = None) -> int:
    """DuckDB reading the user and time columns with a trivial aggregate (its floor, for reference)."""
    import duckdb

    own = con is None
    if own:
        con = duckdb.connect()
    try:
        sql = f"SELECT count(DISTINCT user_id), max(epoch_us(timestamp)) FROM read_parquet({parquet_source(path)})"
        row = con.execute(sql).fetchone()
    finally:
        if own:
            con.close()
    assert row is not None
    return int(row[0])


if __name__ == "__main__":
    import sys

    print(active_users_sql(sys.argv[1] if len(sys.argv) > 1 else "events.parquet"))
