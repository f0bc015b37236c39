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
  evaluable adopters, else share > ``majority``.

The whole path runs in DuckDB on one fresh connection, from the raw Parquet file(s):
a temp table ``mapping`` (the distinct event names matched against the rules with
``GLOB``, each use case as a small integer code), a temp table ``segments`` (one
pass: distinct (user, use case, day) rows, per-adopter aggregates, per-segment
counts), then two small SELECTs (the spectrum and the map). The catalog's
qualitative columns (``problem``, ...) are not part of the peer: the benchmark's
catalog has none.

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
names AS (SELECT DISTINCT event FROM read_parquet({source}) WHERE event IS NOT NULL),
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
counts AS (
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
    FROM measured
    GROUP BY persona, uc
)
SELECT persona, use_case, counts.* EXCLUDE (persona, uc)
FROM counts JOIN (SELECT DISTINCT uc, use_case FROM mapping) AS use_cases USING (uc)
"""

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

_SPECTRUM = """
SELECT persona,
       use_case,
       band,
       users,
       CASE WHEN evaluable > 0 THEN users / evaluable END AS share
FROM (
    UNPIVOT segments ON daily, weekly, monthly, occasional, lapsed INTO NAME band VALUE users
)
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
       CASE WHEN evaluable < {min_users} THEN 'insufficient_data'
            WHEN s > {majority} THEN 'true'
            ELSE 'false' END AS forgettable
FROM shares
ORDER BY persona, use_case
"""


class Statements(NamedTuple):
    """The peer's SQL, run in this order on one connection."""

    mapping: str  # CREATE TEMP TABLE mapping (event, use_case, uc)
    segments: str  # CREATE TEMP TABLE segments (persona, use_case, counts, bands, medians)
    spectrum: str  # SELECT: the frequency spectrum
    map: str  # SELECT: the use-case map's measured columns


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
    source = _literal(_glob(log))
    mapping = _MAPPING.format(source=source, rules=", ".join(f"({_literal(p)}, {_literal(c)})" for p, c in rules))
    segments = _SEGMENTS.format(
        source=source,
        personas=_literal(str(personas)),
        adopters=(_ADOPTERS_WITH_INTERVALS if medians else _ADOPTERS_WITHOUT_INTERVALS).strip(),
        window=window,
        horizon=horizon,
        min_exposure=min_exposure,
        threshold=_number(opts["threshold"]),
        daily=_number(daily),
        weekly=_number(weekly),
        monthly=_number(monthly),
    )
    spectrum = _SPECTRUM.format(bands="[" + ", ".join(map(_literal, BANDS)) + "]")
    table = _MAP.format(z=_number(Z), z2=_number(Z * Z), min_users=min_users, majority=_number(float(opts["majority"])))
    return Statements(*(text.strip() + "\n" for text in (mapping, segments, spectrum, table)))


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
    return (
        spectrum.select([pl.col(c).cast(t) for c, t in SPECTRUM_SCHEMA.items()]),
        table.select([pl.col(c).cast(t) for c, t in MAP_SCHEMA.items()]),
    )
