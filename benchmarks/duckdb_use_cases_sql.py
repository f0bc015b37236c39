"""The use-case benchmark's peer: frequency spectrum and use-case map in plain DuckDB SQL.

Same definitions as ``stickiness.frequency_spectrum`` and ``stickiness.use_case_map``
(docs/use-cases.md), for a log whose timestamps are instants and an analysis time
zone of UTC, with ``as_of`` = the log's last day:

- day = UTC calendar date of the timestamp; rows with a null user, time or event
  are ignored (the log is assumed to hold no future-dated rows);
- the catalog's rules (exact names or ``*`` / ``?`` globs) map each event to every
  use case whose rule matches it, else to ``(unmapped)``; every event is also ``(any)``;
- persona = the users table's ``persona`` (``(unknown)`` when absent or blank);
- adopters of (persona, use case): an active day of the use case in the horizon
  ``as_of-H+1 .. as_of``; exposure = ``as_of - max(first use, as_of-W+1) + 1``;
  too new below ``min_exposure``; rate = 30 x active days in the window / exposure;
  bands at 20 / 4 / 1 (then occasional > 0, lapsed = 0); typical interval = median
  gap between consecutive active days in the horizon;
- forgettable share = evaluable adopters with rate < ``threshold`` / evaluable, with
  a 95% Wilson interval; forgettable = ``insufficient_data`` below ``min_users``
  evaluable adopters, else share > ``majority``; null for ``(unmapped)`` (not a use case);
  verdict = ``not a use case`` for ``(unmapped)``, ``insufficient data`` below ``min_users``,
  ``not forgettable`` for a share <= ``majority``, else ``forgettable`` (the benchmark's
  catalog has no ``expected_frequency``, so never ``rare as expected``);
- the spectrum repeats the map's ``evaluable``, ``forgettable_share``, ``forgettable``
  and ``verdict`` on each band row of a segment (the map's rows joined, as the kit does).

The whole path runs in DuckDB on one fresh connection, from the raw Parquet file(s):
a temp table ``mapping`` (the distinct event names matched against the rules with
``GLOB``, each use case as a small integer code), a temp table ``segments`` (one
pass: distinct (user, use case, day) rows, per-adopter aggregates, per-segment
counts), then two small SELECTs (the map, and the spectrum with the map's verdict joined). The catalog's
qualitative columns (``problem``, ...) are not part of the peer: the benchmark's
catalog has none.

The **table path** (:func:`use_cases_tables_sql`, :func:`use_cases_from_tables`) runs
the same definitions from tables already on a connection instead of the raw Parquet:
an activity table (one row per user, UTC day and event, as ``read_log`` keeps it) and
a users table, as ``duckdb_core_sql.py`` (the core-report benchmark) builds them once
for every metric. It keeps one row per adopter x use case (``adopters``, with the
rate and the previous window's rate, which the drifting users read), then
``segments`` and the same two SELECTs; it can take the ``(any)`` use case from the
distinct active (user, day) rows another metric kept (``any_days``).

Alternatives measured on 10M events (2 threads) and dropped: one ``WITH`` query
that takes the event names from the scanned rows and de-duplicates (user, day,
event) before mapping them (DuckDB materialises the scan for its two consumers):
about 2x slower; use-case names instead of integer codes in the ``DISTINCT`` and
the window: about 10% slower; ``lag`` over one global ``ORDER BY user_id, uc, day``
instead of ``PARTITION BY``: no faster.

Two peers are kept (``medians``):

``True`` (default, the benchmark's peer)
    The map's measured columns in full, including ``median_rate`` and
    ``median_interval_days``; the intervals need a ``lag`` over each user's
    active days (a sort of the (user, use case, day) rows).
``False``
    Only what the spectrum and the forgettable share / zone need: no window
    function, medians left null. Shows what the intervals cost.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import polars as pl

#: The kit's default options (docs/use-cases.md).
DEFAULTS: Mapping[str, Any] = {
    "window": 90,
    "horizon": 365,
    "min_exposure": 30,
    "threshold": 1.0,
    "majority": 0.5,
    "min_users": 30,
    "bands": (20.0, 4.0, 1.0),
}
BANDS: tuple[str, ...] = ("daily", "weekly", "monthly", "occasional", "lapsed")
Z = 1.959964  # z of the 95% Wilson score interval, as in stickiness.use_cases

#: The benchmark's catalog for the generator's 20 event names: five use cases, one event
#: (``share``) serving two, and two events (``app_open``, ``notification_open``) left unmapped.
RULES: tuple[tuple[str, str], ...] = (
    ("page_view", "browse"),
    ("view_*", "browse"),
    ("search", "browse"),
    ("scroll", "browse"),
    ("click", "browse"),
    ("add_to_cart", "buy"),
    ("checkout", "buy"),
    ("purchase", "buy"),
    ("subscription_*", "buy"),
    ("share", "social"),
    ("comment", "social"),
    ("like", "social"),
    ("invite_*", "social"),
    ("*load", "files"),
    ("share", "files"),
    ("log*", "account"),
    ("settings_*", "account"),
)
#: Persona of a user: ``PERSONAS[user_id % 4]``; one user in 25 is left out of the users table.
PERSONAS: tuple[str, ...] = ("casual", "power", "creator", "business")

SPECTRUM_SCHEMA: dict[str, pl.DataType] = {
    "persona": pl.String(),
    "use_case": pl.String(),
    "band": pl.String(),
    "users": pl.Int64(),
    "share": pl.Float64(),
    "evaluable": pl.Int64(),
    "forgettable_share": pl.Float64(),
    "forgettable": pl.String(),
    "verdict": pl.String(),
}
MAP_SCHEMA: dict[str, pl.DataType] = {
    "persona": pl.String(),
    "use_case": pl.String(),
    "adopters": pl.Int64(),
    "too_new": pl.Int64(),
    "evaluable": pl.Int64(),
    "adoption_rate": pl.Float64(),
    "median_rate": pl.Float64(),
    "median_interval_days": pl.Float64(),
    "modal_band": pl.String(),
    "forgettable_share": pl.Float64(),
    "ci_low": pl.Float64(),
    "ci_high": pl.Float64(),
    "forgettable": pl.String(),
    "verdict": pl.String(),
}


# --- inputs -----------------------------------------------------------------------------------------------


def catalog_frame(rules: Sequence[tuple[str, str]] = RULES) -> pl.DataFrame:
    """The catalog as the kit reads it: ``event, use_case``."""
    return pl.DataFrame(list(rules), schema={"event": pl.String, "use_case": pl.String}, orient="row")


def personas_frame(log: str | Path) -> pl.DataFrame:
    """The users table of a log: ``user_id, persona`` for every user but one in 25."""
    users = pl.scan_parquet(_glob(log)).select(pl.col("user_id").unique()).collect().sort("user_id")
    return users.filter((pl.col("user_id") // len(PERSONAS)) % 25 != 0).with_columns(
        persona=pl.col("user_id").mod(len(PERSONAS)).replace_strict(list(range(len(PERSONAS))), list(PERSONAS))
    )


def write_personas(log: str | Path, out: str | Path) -> Path:
    """Write :func:`personas_frame` of ``log`` to the Parquet file ``out`` (once: an existing file is reused)."""
    out = Path(out)
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        personas_frame(log).write_parquet(tmp)
        tmp.replace(out)
    return out


def _glob(path: str | Path) -> str:
    return str(Path(path) / "*.parquet") if Path(path).is_dir() else str(path)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _number(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(f"{value!r}: a finite number")
    return repr(float(value))


# --- the SQL ----------------------------------------------------------------------------------------------

_MAPPING = """
CREATE TEMP TABLE mapping AS  -- every use case of every event name, as a small integer code uc
WITH
rules(pattern, use_case) AS (VALUES {rules}),
names AS (SELECT DISTINCT event FROM {events} WHERE event IS NOT NULL),
matched AS (
    SELECT DISTINCT event, use_case FROM names JOIN rules ON names.event GLOB rules.pattern
    WHERE use_case <> '(any)'
),
pairs AS (  -- the rules' use cases, else (unmapped); and (any) for every event
    SELECT event, use_case FROM matched
    UNION ALL
    SELECT event, '(unmapped)' FROM names ANTI JOIN matched USING (event)
    UNION ALL
    SELECT event, '(any)' FROM names
)
SELECT event, use_case, CAST(dense_rank() OVER (ORDER BY use_case) AS INTEGER) AS uc FROM pairs
"""

_SEGMENTS = """
CREATE TEMP TABLE segments AS  -- per (persona, use case): counts, bands and medians
WITH
use_days AS (  -- distinct active (user, use case, day); day = UTC days since 1970-01-01
    SELECT DISTINCT user_id, uc, epoch_us(timestamp) // 86400000000 AS day
    FROM read_parquet({source}) JOIN mapping USING (event)
    WHERE user_id IS NOT NULL AND timestamp IS NOT NULL
),
bounds AS (  -- as_of = the log's last day; the first days of the window and of the horizon
    SELECT max(day) AS as_of, max(day) - {window} + 1 AS window_start, max(day) - {horizon} + 1 AS horizon_start
    FROM use_days
),
{adopters},
measured AS (  -- one row per adopter x use case; rate and interval null when too new
    SELECT coalesce(personas.persona, '(unknown)') AS persona,
           uc,
           exposure < {min_exposure} AS too_new,
           CASE WHEN exposure >= {min_exposure} THEN 30 * active_days / exposure END AS rate,
           CASE WHEN exposure >= {min_exposure} THEN interval_days END AS interval_days
    FROM (
        SELECT adopters.*, as_of - greatest(first_use, window_start) + 1 AS exposure
        FROM adopters, bounds
    ) AS a
    LEFT JOIN (
        SELECT user_id, CASE WHEN trim(CAST(persona AS VARCHAR)) <> '' THEN CAST(persona AS VARCHAR) END AS persona
        FROM read_parquet({personas})
    ) AS personas USING (user_id)
),
{counts}
"""

# Per (persona, use case) from one row per adopter x use case (``measured`` or the ``adopters`` table).
_COUNTS = """counts AS (
    SELECT persona,
           uc,
           count(*) AS adopters,
           count(*) FILTER (WHERE too_new) AS too_new,
           count(rate) AS evaluable,
           count(*) FILTER (WHERE rate < {threshold}) AS forgettable_users,
           count(*) FILTER (WHERE rate >= {daily}) AS daily,
           count(*) FILTER (WHERE rate >= {weekly} AND rate < {daily}) AS weekly,
           count(*) FILTER (WHERE rate >= {monthly} AND rate < {weekly}) AS monthly,
           count(*) FILTER (WHERE rate > 0 AND rate < {monthly}) AS occasional,
           count(*) FILTER (WHERE rate = 0) AS lapsed,
           median(rate) AS median_rate,
           median(interval_days) AS median_interval_days
    FROM {rows}
    GROUP BY persona, uc
)
SELECT persona, use_case, counts.* EXCLUDE (persona, uc)
FROM counts JOIN (SELECT DISTINCT uc, use_case FROM mapping) AS use_cases USING (uc)"""

# Per adopter x use case: first use, active days in the window and the median gap between
# consecutive active days of the horizon (a gap counts when both its days are in the horizon).
_ADOPTERS_WITH_INTERVALS = """
adopters AS (
    SELECT user_id,
           uc,
           min(day) AS first_use,
           count(*) FILTER (WHERE day >= window_start) AS active_days,
           median(gap) FILTER (WHERE day - gap >= horizon_start) AS interval_days
    FROM (SELECT *, day - lag(day) OVER (PARTITION BY user_id, uc ORDER BY day) AS gap FROM use_days) AS gaps, bounds
    GROUP BY user_id, uc
    HAVING max(day) >= any_value(horizon_start)
)"""

_ADOPTERS_WITHOUT_INTERVALS = """
adopters AS (
    SELECT user_id,
           uc,
           min(day) AS first_use,
           count(*) FILTER (WHERE day >= window_start) AS active_days,
           CAST(NULL AS DOUBLE) AS interval_days
    FROM use_days, bounds
    GROUP BY user_id, uc
    HAVING max(day) >= any_value(horizon_start)
)"""

# The spectrum carries the map's verdict (docs/use-cases.md): the map's rows, joined on (persona, use case) and
# repeated on each band row, as the kit joins its map (from the same segment counts) to the unpivoted bands.
_SPECTRUM = """
WITH verdicts AS ({map})
SELECT persona,
       use_case,
       band,
       users,
       CASE WHEN evaluable > 0 THEN users / evaluable END AS share,
       evaluable,
       forgettable_share,
       forgettable,
       verdict
FROM (
    UNPIVOT segments ON daily, weekly, monthly, occasional, lapsed INTO NAME band VALUE users
) AS bands
JOIN (SELECT persona, use_case, forgettable_share, forgettable, verdict FROM verdicts) USING (persona, use_case)
ORDER BY persona, use_case, list_position({bands}, band)
"""

_MAP = """
WITH shares AS (
    SELECT segments.*,
           any_adopters,
           CAST(evaluable AS DOUBLE) AS n,
           CASE WHEN evaluable > 0 THEN forgettable_users / evaluable END AS s,
           greatest(daily, weekly, monthly, occasional, lapsed) AS best
    FROM segments
    LEFT JOIN (
        SELECT persona, adopters AS any_adopters FROM segments WHERE use_case = '(any)'
    ) USING (persona)
)
SELECT persona,
       use_case,
       adopters,
       too_new,
       evaluable,
       adopters / any_adopters AS adoption_rate,
       median_rate,
       median_interval_days,
       CASE WHEN evaluable = 0 THEN NULL
            WHEN daily = best THEN 'daily'
            WHEN weekly = best THEN 'weekly'
            WHEN monthly = best THEN 'monthly'
            WHEN occasional = best THEN 'occasional'
            ELSE 'lapsed' END AS modal_band,
       s AS forgettable_share,
       CASE WHEN evaluable > 0 THEN
           (s + {z2} / (2 * n)) / (1 + {z2} / n) - {z} * sqrt(s * (1 - s) / n + {z2} / (4 * n * n)) / (1 + {z2} / n)
       END AS ci_low,
       CASE WHEN evaluable > 0 THEN
           (s + {z2} / (2 * n)) / (1 + {z2} / n) + {z} * sqrt(s * (1 - s) / n + {z2} / (4 * n * n)) / (1 + {z2} / n)
       END AS ci_high,
       CASE WHEN use_case = '(unmapped)' THEN NULL  -- not a use case: never judged
            WHEN evaluable < {min_users} THEN 'insufficient_data'
            WHEN s > {majority} THEN 'true'
            ELSE 'false' END AS forgettable,
       -- rule 14 without its rule 4 ("rare as expected" needs a catalog expected_frequency; the peer's has none)
       CASE WHEN use_case = '(unmapped)' THEN 'not a use case'
            WHEN evaluable < {min_users} THEN 'insufficient data'
            WHEN s <= {majority} THEN 'not forgettable'
            ELSE 'forgettable' END AS verdict
FROM shares
ORDER BY persona, use_case
"""


# --- the table path: from an activity table already in DuckDB (benchmarks/duckdb_core_sql.py) ---------------

# One row per adopter x use case, the kit's per-adopter rates (its stages 1 and 2, docs/use-cases.md "Calling
# again"): what the spectrum, the map and the drifting users all start from. Days as integers (days since
# 1970-01-01) so the window arithmetic stays in integers. No DISTINCT (user, use case, day): ``lag`` runs over
# the mapped activity rows themselves, where a repeat of a day (two events of one use case that day) has a
# gap of 0, so ``new_day`` marks each active day once and ``interval_gap`` is the gap between two consecutive
# active days of the horizon (measured 15% faster than DISTINCT then ``lag`` at 10M events; same table).
_ADOPTERS_TABLE = """
CREATE TEMP TABLE adopters AS
WITH
bounds AS (  -- as_of = the log's last day; the first days of the window, the one before it and the horizon
    SELECT as_of,
           as_of - {window} + 1 AS window_start,
           as_of - 2 * {window} + 1 AS previous_start,
           as_of - {horizon} + 1 AS horizon_start
    FROM ({as_of}) AS last_day(as_of)
),
lagged AS (  -- activity holds one row per (user, day, event): a day repeats when two events share a use case
    SELECT "user", uc, day - DATE '1970-01-01' AS day,
           day - lag(day) OVER (PARTITION BY "user", uc ORDER BY day) AS gap
    FROM {activity} JOIN {mapping} USING (event)
),
gaps AS (
    SELECT "user",
           uc,
           day,
           gap IS DISTINCT FROM 0 AS new_day,
           CASE WHEN gap > 0 AND day - gap >= horizon_start THEN gap END AS interval_gap
    FROM lagged, bounds{any_rows}
),
per_adopter AS (  -- adopters: an active day in the horizon
    SELECT "user",
           uc,
           min(day) AS first_use,
           max(day) AS last_active,
           count(*) FILTER (WHERE new_day AND day >= window_start) AS active_days,
           count(*) FILTER (WHERE new_day AND day >= previous_start AND day < window_start) AS active_before,
           median(interval_gap) AS interval_days
    FROM gaps, bounds
    GROUP BY "user", uc
    HAVING max(day) >= any_value(horizon_start)
),
exposed AS (
    SELECT per_adopter.*,
           as_of,
           as_of - greatest(first_use, window_start) + 1 AS exposure,
           (window_start - 1) - greatest(first_use, previous_start) + 1 AS exposure_before
    FROM per_adopter, bounds
)
SELECT "user",
       coalesce(users.persona, '(unknown)') AS persona,
       uc,
       first_use,
       last_active,
       as_of,
       exposure,
       active_days,
       exposure < {min_exposure} AS too_new,
       CASE WHEN exposure >= {min_exposure} THEN 30 * active_days / exposure END AS rate,
       CASE WHEN exposure >= {min_exposure} THEN interval_days END AS interval_days,
       CASE WHEN exposure >= {min_exposure} AND exposure_before >= {min_exposure_before}
            THEN 30 * active_before / exposure_before END AS previous_rate
FROM exposed LEFT JOIN {users} AS users USING ("user")
"""

# With ``any_days`` (distinct active (user, day) rows with each user's next active day, which the active-user
# metrics keep as ``user_days``), the (any) use case, every event, comes from those rows: a gap counts when
# its first day is in the horizon. The window then runs on the other use cases only (a third faster at 10M).
_ANY_ROWS = """
    UNION ALL
    SELECT "user",
           any_uc.uc,
           day - DATE '1970-01-01',
           true,
           CASE WHEN day - DATE '1970-01-01' >= horizon_start THEN next_day - day END
    FROM {any_days}, (SELECT DISTINCT uc FROM mapping WHERE use_case = '(any)') AS any_uc, bounds"""


class Statements(NamedTuple):
    """The peer's SQL, run in this order on one connection."""

    mapping: str  # CREATE TEMP TABLE mapping (event, use_case, uc)
    segments: str  # CREATE TEMP TABLE segments (persona, use_case, counts, bands, medians)
    spectrum: str  # SELECT: the frequency spectrum, with the map's verdict columns
    map: str  # SELECT: the use-case map's measured columns and verdict


class TableStatements(NamedTuple):
    """The table path's SQL, run in this order on the connection that holds the activity and users tables."""

    mapping: str  # CREATE TEMP TABLE mapping (event, use_case, uc)
    adopters: str  # CREATE TEMP TABLE adopters: one row per adopter x use case, rate and previous rate
    segments: str  # CREATE TEMP TABLE segments, from adopters
    spectrum: str  # SELECT: the frequency spectrum, with the map's verdict columns
    map: str  # SELECT: the use-case map's measured columns and verdict


def _values(rules: Sequence[tuple[str, str]], options: dict[str, Any]) -> dict[str, Any]:
    """Check the rules and options (over :data:`DEFAULTS`) and return the values the templates take."""
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"unknown option(s) {unknown}: use {sorted(DEFAULTS)}")
    opts = {**DEFAULTS, **options}
    window, horizon, min_exposure, min_users = (
        int(opts[k]) for k in ("window", "horizon", "min_exposure", "min_users")
    )
    if not 1 <= window <= horizon or min_exposure < 0 or min_users < 1:
        raise ValueError(f"options {opts}: need 1 <= window <= horizon, min_exposure >= 0, min_users >= 1")
    daily, weekly, monthly = (float(b) for b in opts["bands"])
    if not daily > weekly > monthly > 0:
        raise ValueError(f"bands={opts['bands']!r}: strictly decreasing edges > 0")
    if not rules:
        raise ValueError("the catalog needs at least one rule")
    for pattern, _ in rules:
        if "[" in pattern:  # DuckDB's GLOB and fnmatch agree on '*' and '?', not on every '[...]' form
            raise ValueError(f"rule {pattern!r}: the SQL peer supports exact names and '*' / '?' globs only")
    return {
        "rules": ", ".join(f"({_literal(p)}, {_literal(c)})" for p, c in rules),
        "window": window,
        "horizon": horizon,
        "min_exposure": min_exposure,
        "min_exposure_before": max(min_exposure, 1),
        "threshold": _number(opts["threshold"]),
        "daily": _number(daily),
        "weekly": _number(weekly),
        "monthly": _number(monthly),
        "z": _number(Z),
        "z2": _number(Z * Z),
        "min_users": min_users,
        "majority": _number(float(opts["majority"])),
        "bands": "[" + ", ".join(map(_literal, BANDS)) + "]",
    }


def use_cases_sql(
    log: str | Path,
    personas: str | Path,
    rules: Sequence[tuple[str, str]] = RULES,
    *,
    medians: bool = True,
    **options: Any,
) -> Statements:
    """The peer's four statements for the Parquet log ``log`` and users table ``personas``.

    ``options`` override :data:`DEFAULTS` (``window``, ``horizon``, ``min_exposure``,
    ``threshold``, ``majority``, ``min_users``, ``bands`` as (daily, weekly, monthly)).
    """
    v = _values(rules, options)
    source = _literal(_glob(log))
    mapping = _MAPPING.format(events=f"read_parquet({source})", rules=v["rules"])
    segments = _SEGMENTS.format(
        source=source,
        personas=_literal(str(personas)),
        adopters=(_ADOPTERS_WITH_INTERVALS if medians else _ADOPTERS_WITHOUT_INTERVALS).strip(),
        counts=_COUNTS.format(rows="measured", **v),
        **{k: v[k] for k in ("window", "horizon", "min_exposure")},
    )
    table = _MAP.format(**{k: v[k] for k in ("z", "z2", "min_users", "majority")})
    spectrum = _SPECTRUM.format(bands=v["bands"], map=table.strip())
    return Statements(*(text.strip() + "\n" for text in (mapping, segments, spectrum, table)))


def use_cases_tables_sql(
    rules: Sequence[tuple[str, str]] = RULES,
    *,
    activity: str = "activity",
    users: str = "users",
    any_days: str | None = None,
    **options: Any,
) -> TableStatements:
    """The peer's statements starting from tables already on the connection, instead of the raw Parquet.

    ``activity`` names a table (or view) with columns ``"user"``, ``day`` (DATE: the
    UTC day) and ``event``, as ``read_log``'s activity table (one row per user, day
    and event; rows with a null user, day or event already left out); ``users`` one
    with ``"user"`` and ``persona`` (null when absent or blank: the segment is then
    ``(unknown)``). ``any_days``, if given, names a table of the distinct active
    ``("user", day, next_day)`` rows (``next_day``: the user's next active day, null
    after the last), from which the ``(any)`` use case is taken instead of from
    ``activity``: about a third faster at 10M events, same tables. Besides
    ``segments`` it keeps ``adopters`` (one row per adopter x use case, with ``rate``
    and ``previous_rate``), which the drifting users read. Always with the medians.
    ``options`` as for :func:`use_cases_sql`.
    """
    v = _values(rules, options)
    mapping = _MAPPING.format(events=activity, rules=v["rules"])
    if any_days is None:
        parts = {"mapping": "mapping", "any_rows": "", "as_of": f"SELECT max(day) - DATE '1970-01-01' FROM {activity}"}
    else:
        parts = {
            "mapping": "(SELECT event, uc FROM mapping WHERE use_case <> '(any)')",
            "any_rows": _ANY_ROWS.format(any_days=any_days),
            "as_of": f"SELECT max(day) - DATE '1970-01-01' FROM {any_days}",
        }
    adopters = _ADOPTERS_TABLE.format(activity=activity, users=users, **parts, **v)
    segments = "CREATE TEMP TABLE segments AS  -- per (persona, use case): counts, bands and medians\nWITH " + (
        _COUNTS.format(rows="adopters", **v)
    )
    table = _MAP.format(**{k: v[k] for k in ("z", "z2", "min_users", "majority")})
    spectrum = _SPECTRUM.format(bands=v["bands"], map=table.strip())
    return TableStatements(*(text.strip() + "\n" for text in (mapping, adopters, segments, spectrum, table)))


def _typed(spectrum: pl.DataFrame, table: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    return (
        spectrum.select([pl.col(c).cast(t) for c, t in SPECTRUM_SCHEMA.items()]),
        table.select([pl.col(c).cast(t) for c, t in MAP_SCHEMA.items()]),
    )


def use_cases(
    log: str | Path,
    personas: str | Path,
    rules: Sequence[tuple[str, str]] = RULES,
    *,
    medians: bool = True,
    **options: Any,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Run the SQL on a fresh in-memory connection: ``(spectrum, map)`` as polars frames with the kit's types."""
    import duckdb

    sql = use_cases_sql(log, personas, rules, medians=medians, **options)
    con = duckdb.connect()
    try:
        con.execute(sql.mapping)
        con.execute(sql.segments)
        spectrum = con.sql(sql.spectrum).pl()
        table = con.sql(sql.map).pl()
    finally:
        con.close()
    return _typed(spectrum, table)


def use_cases_from_tables(
    con: Any,
    rules: Sequence[tuple[str, str]] = RULES,
    *,
    activity: str = "activity",
    users: str = "users",
    any_days: str | None = None,
    **options: Any,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Run :func:`use_cases_tables_sql` on ``con`` (which keeps ``mapping``, ``adopters`` and ``segments``)."""
    sql = use_cases_tables_sql(rules, activity=activity, users=users, any_days=any_days, **options)
    for name in ("mapping", "adopters", "segments"):
        con.execute(f"DROP TABLE IF EXISTS {name}")
    con.execute(sql.mapping)
    con.execute(sql.adopters)
    con.execute(sql.segments)
    return _typed(con.sql(sql.spectrum).pl(), con.sql(sql.map).pl())
