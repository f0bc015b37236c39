"""Issue 18's peer: the habit mix, band migration and time to habit in plain DuckDB SQL, by persona.

Written from the contract (docs/habits-over-time.md), with the report's options (``habit_mix``,
``band_migration``, ``time_to_habit`` with ``by="persona"``, window 90, horizon 365, min_exposure 30,
bands 20 / 4 / 1, month ends, 30 days between the two spectrums, the weekly band) over the benchmark's
catalog (``duckdb_use_cases_sql.RULES``), on the tables ``duckdb_core_sql.CorePeer`` keeps after its
one read (``activity``, ``users``, ``ledger``). The three start from ``use_days``, the distinct active
(user, use case, day) rows (days as integers since 1970-01-01) with each pair's first use, built by
the first of them that runs (the kit keeps its active days per use case on the log the same way).

The band of a user x use case on a day A: an **adopter** when a day of use lies in ``A-H+1 .. A``;
exposure ``A - max(A-W+1, first use) + 1``; too new below M; else rate = 30 x active days in
``A-W+1 .. A`` / exposure and its band (>= 20 daily, >= 4 weekly, >= 1 monthly, > 0 occasional, 0 lapsed).

``habit_mix``
    The period ends (every month's last day before ``as_of`` whose window lies in the log, then
    ``as_of``); each active day is joined to the ends whose horizon holds it, which gives per pair
    and end the days in the window; then the band counts per (persona, use case, end), every band of
    every group with an adopter; share = users / evaluable.
``band_migration``
    The same bands on ``as_of - 30`` and ``as_of``, evaluable adopters only; a full join on the pair:
    ``new`` where the earlier day has no band, ``gone`` where ``as_of`` has none.
``time_to_habit``
    Per pair, the first evaluable day ``e = first use + max(M, 1) - 1`` (pairs with ``e <= as_of``
    could be measured); between two active days a window's count only falls and the exposure only
    grows, so the first day at or above the weekly edge is ``e`` or an active day after it: the count
    at ``e`` from a group-by, at each active day from a ``RANGE`` window over the pair's days. The
    days to it: median (``median``), nearest-rank quartiles (the smallest value whose rank reaches
    ceil(q n)).

The interval columns (``share_low``, ``share_high``) are the kit's (``stickiness.intervals``), not the
peer's: the peer returns the counts, shares and ``small_sample``. ``tests/test_benchmark_habits_over_time_sql.py``
checks the three against the kit. ``python benchmarks/duckdb_habits_over_time_sql.py`` prints the SQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

try:  # as a script or imported with benchmarks/ on sys.path
    import duckdb_core_sql as core
    import duckdb_use_cases_sql as ucsql
except ImportError:  # pragma: no cover - imported by path from the tests
    import importlib.util
    import sys

    def _by_path(name: str) -> Any:
        spec = importlib.util.spec_from_file_location(f"_{name}", Path(__file__).with_name(f"{name}.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return module

    core = _by_path("duckdb_core_sql")
    ucsql = _by_path("duckdb_use_cases_sql")

#: The report's options (docs/habits-over-time.md, docs/use-cases.md).
WINDOW, HORIZON, MIN_EXPOSURE = 90, 365, 30
EDGES = (20.0, 4.0, 1.0)  # daily, weekly, monthly
PERIOD_DAYS = 30  # band migration: days between the two spectrums
HABIT_EDGE = 4.0  # time to habit: the weekly band's lower edge
SMALL = 30  # small_sample: fewer evaluable adopters (users) than this
BANDS = ("daily", "weekly", "monthly", "occasional", "lapsed")
MOVES = (*BANDS, "new", "gone")

_USE_DAYS = """
CREATE TEMP TABLE use_days AS  -- distinct active (user, use case, day), day in days since 1970-01-01
SELECT "user", use_case, day - DATE '1970-01-01' AS day
FROM (SELECT DISTINCT "user", uc, day FROM activity JOIN mapping USING (event)) AS d
JOIN (SELECT DISTINCT uc, use_case FROM mapping) AS names USING (uc)
"""

_FIRST_USE = """
CREATE TEMP TABLE first_use AS  -- each pair's first use and its user's persona
SELECT "user", use_case, min(day) AS first_use, any_value(coalesce(users.persona, '(unknown)')) AS persona
FROM use_days LEFT JOIN users USING ("user")
GROUP BY "user", use_case
"""

_BOUNDS = "(SELECT as_of - DATE '1970-01-01' AS as_of, first_day - DATE '1970-01-01' AS first_day FROM ledger)"

#: The month ends before as_of whose window lies in the log, then as_of (days since 1970-01-01).
_MONTH_ENDS = f"""
SELECT d AS period_end FROM {_BOUNDS} AS b, range(b.first_day, b.as_of) AS r(d)
WHERE last_day(DATE '1970-01-01' + CAST(d AS INTEGER)) = DATE '1970-01-01' + CAST(d AS INTEGER)
  AND d - b.first_day + 1 >= {{window}}
UNION ALL
SELECT as_of FROM {_BOUNDS}
"""

#: Per pair and day A of ``ends``: adopter (a day in A-H+1 .. A), too new, the band (null when not evaluable).
_BANDS_ON = """
per_end AS (  -- a day meets every end whose horizon holds it
    SELECT "user", use_case, period_end, count(*) FILTER (WHERE day > period_end - {window}) AS active_days
    FROM use_days JOIN ({ends}) AS ends ON day <= period_end AND day > period_end - {horizon}
    GROUP BY ALL
),
banded AS (
    SELECT persona, use_case, period_end, "user",
           period_end - greatest(period_end - {window} + 1, first_use) + 1 AS exposure,
           CASE WHEN period_end - greatest(period_end - {window} + 1, first_use) + 1 >= {min_exposure}
                THEN 30 * active_days / (period_end - greatest(period_end - {window} + 1, first_use) + 1)
           END AS rate
    FROM per_end JOIN first_use USING ("user", use_case)
),
bands AS (
    SELECT *, CASE WHEN rate >= {daily} THEN 'daily'
                   WHEN rate >= {weekly} THEN 'weekly'
                   WHEN rate >= {monthly} THEN 'monthly'
                   WHEN rate > 0 THEN 'occasional'
                   WHEN rate = 0 THEN 'lapsed' END AS band
    FROM banded
)"""

_HABIT_MIX = """
WITH
{bands},
groups AS (  -- every (persona, use case, end) with an adopter
    SELECT persona, use_case, period_end, count(band) AS evaluable FROM bands GROUP BY ALL
),
counts AS (SELECT persona, use_case, period_end, band, count(*) AS users FROM bands WHERE band IS NOT NULL GROUP BY ALL)
SELECT persona, use_case, DATE '1970-01-01' + CAST(period_end AS INTEGER) AS period_end, band,
       coalesce(users, 0) AS users, evaluable,
       CASE WHEN evaluable > 0 THEN coalesce(users, 0) / evaluable END AS share,
       evaluable < {small} AS small_sample
FROM groups CROSS JOIN (SELECT unnest({names}) AS band) AS all_bands
LEFT JOIN counts USING (persona, use_case, period_end, band)
ORDER BY persona, use_case, period_end, list_position({names}, band)
"""

_BAND_MIGRATION = """
WITH
{bands},
before AS (SELECT persona, use_case, "user", band FROM bands, {bounds} AS b WHERE period_end = b.as_of - {period_days}
           AND band IS NOT NULL),
after AS (SELECT persona, use_case, "user", band FROM bands, {bounds} AS b WHERE period_end = b.as_of
          AND band IS NOT NULL),
moves AS (
    SELECT coalesce(before.persona, after.persona) AS persona,
           coalesce(before.use_case, after.use_case) AS use_case,
           coalesce(before.band, 'new') AS from_band,
           coalesce(after.band, 'gone') AS to_band
    FROM before FULL JOIN after USING ("user", use_case)
)
SELECT * FROM (SELECT persona, use_case, from_band, to_band, count(*) AS users FROM moves GROUP BY ALL)
ORDER BY persona, use_case, list_position({names}, from_band), list_position({names}, to_band)
"""

_TIME_TO_HABIT = """
WITH
measurable AS (  -- first evaluable day e = first use + max(M, 1) - 1 on or before as_of (and M <= W)
    SELECT "user", use_case, persona, first_use, first_use + {lead} AS e
    FROM first_use, {bounds} AS b
    WHERE first_use + {lead} <= b.as_of AND {min_exposure} <= {window}
),
at_e AS (  -- active days in the window of e
    SELECT "user", use_case, min(e) AS t, count(*) AS active_days
    FROM use_days JOIN measurable USING ("user", use_case)
    WHERE day <= e AND day > e - {window}
    GROUP BY "user", use_case
),
at_active AS (  -- active days in the window of each active day from e on
    SELECT "user", use_case, day AS t, active_days FROM (
        SELECT "user", use_case, day, e,
               count(*) OVER (PARTITION BY "user", use_case ORDER BY day
                              RANGE BETWEEN {window} - 1 PRECEDING AND CURRENT ROW) AS active_days
        FROM use_days JOIN measurable USING ("user", use_case)
    ) WHERE day >= e
),
reached AS (
    SELECT "user", use_case, min(t) AS t
    FROM (SELECT * FROM at_e UNION ALL SELECT * FROM at_active) AS c JOIN measurable USING ("user", use_case)
    WHERE 30 * active_days / least({window}, t - first_use + 1) >= {edge}
    GROUP BY ALL
),
days AS (
    SELECT persona, use_case, reached.t - first_use AS days,
           row_number() OVER (PARTITION BY persona, use_case ORDER BY reached.t - first_use) AS r,
           count(reached.t) OVER (PARTITION BY persona, use_case) AS n
    FROM measurable LEFT JOIN reached USING ("user", use_case)
),
summary AS (
    SELECT persona, use_case, count(*) AS users, count(days) AS reached,
           median(days) AS median_days_to_habit,
           min(days) FILTER (WHERE r >= ceil(0.25 * n)) AS p25_days_to_habit,
           min(days) FILTER (WHERE r >= ceil(0.75 * n)) AS p75_days_to_habit
    FROM days GROUP BY ALL
)
SELECT persona, use_case, users, reached, reached / users AS share, users < {small} AS small_sample,
       median_days_to_habit, p25_days_to_habit, p75_days_to_habit
FROM summary ORDER BY persona, use_case
"""

HABIT_MIX_SCHEMA: dict[str, pl.DataType] = {
    "persona": pl.String(),
    "use_case": pl.String(),
    "period_end": pl.Date(),
    "band": pl.String(),
    "users": pl.Int64(),
    "evaluable": pl.Int64(),
    "share": pl.Float64(),
    "small_sample": pl.Boolean(),
}
BAND_MIGRATION_SCHEMA: dict[str, pl.DataType] = {
    "persona": pl.String(),
    "use_case": pl.String(),
    "from_band": pl.String(),
    "to_band": pl.String(),
    "users": pl.Int64(),
}
TIME_TO_HABIT_SCHEMA: dict[str, pl.DataType] = {
    "persona": pl.String(),
    "use_case": pl.String(),
    "users": pl.Int64(),
    "reached": pl.Int64(),
    "share": pl.Float64(),
    "small_sample": pl.Boolean(),
    "median_days_to_habit": pl.Float64(),
    "p25_days_to_habit": pl.Float64(),
    "p75_days_to_habit": pl.Float64(),
}
#: The stages in the order the benchmark runs them (the report's).
STAGES: tuple[str, ...] = ("habit_mix", "band_migration", "time_to_habit")


def _names(names: tuple[str, ...]) -> str:
    return "[" + ", ".join(f"'{n}'" for n in names) + "]"


def _bands(ends: str) -> str:
    daily, weekly, monthly = (repr(float(e)) for e in EDGES)
    return _BANDS_ON.format(
        ends=ends,
        window=WINDOW,
        horizon=HORIZON,
        min_exposure=MIN_EXPOSURE,
        daily=daily,
        weekly=weekly,
        monthly=monthly,
    ).strip()


def habit_mix_sql() -> str:
    """The habit mix at each month end and ``as_of``, by persona, from ``use_days``, ``first_use``, ``ledger``."""
    ends = _MONTH_ENDS.format(window=WINDOW).strip()
    return _HABIT_MIX.format(bands=_bands(ends), small=SMALL, names=_names(BANDS))


def band_migration_sql() -> str:
    """Moves between the bands on ``as_of - 30`` and ``as_of``, by persona."""
    ends = f"SELECT as_of - {PERIOD_DAYS} AS period_end FROM {_BOUNDS} UNION ALL SELECT as_of FROM {_BOUNDS}"
    return _BAND_MIGRATION.format(bands=_bands(ends), bounds=_BOUNDS, period_days=PERIOD_DAYS, names=_names(MOVES))


def time_to_habit_sql() -> str:
    """Time to the weekly band, by persona."""
    return _TIME_TO_HABIT.format(
        lead=max(MIN_EXPOSURE, 1) - 1,
        bounds=_BOUNDS,
        min_exposure=MIN_EXPOSURE,
        window=WINDOW,
        edge=repr(HABIT_EDGE),
        small=SMALL,
    )


def catalog_sql() -> str:
    """``mapping`` (event -> use case code) from the benchmark's catalog, on ``activity``."""
    return ucsql.use_cases_tables_sql(ucsql.RULES).mapping


class HabitsOverTimePeer(core.CorePeer):  # type: ignore[misc,name-defined]
    """:class:`duckdb_core_sql.CorePeer` with the habits over time: call :meth:`read` first, then any metric."""

    def read(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """:meth:`CorePeer.read`, dropping the tables of a previous read's metrics."""
        for name in ("use_days", "first_use"):
            self.con.execute(f"DROP TABLE IF EXISTS {name}")
        return dict(super().read(*args, **kwargs))

    def _use_days(self) -> None:
        """Build ``mapping``, ``use_days`` and ``first_use`` once (the first metric after the read pays)."""
        if self._row("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'first_use'")[0]:
            return
        for name in ("mapping", "use_days"):
            self.con.execute(f"DROP TABLE IF EXISTS {name}")
        self.con.execute(catalog_sql())
        self.con.execute(_USE_DAYS)
        self.con.execute(_FIRST_USE)

    def habit_mix(self) -> pl.DataFrame:
        """``habit_mix(log, catalog, by="persona")`` without ``share_low`` / ``share_high``."""
        self._use_days()
        return _typed(self.con.sql(habit_mix_sql()).pl(), HABIT_MIX_SCHEMA)

    def band_migration(self) -> pl.DataFrame:
        """``band_migration(log, catalog, by="persona")``."""
        self._use_days()
        return _typed(self.con.sql(band_migration_sql()).pl(), BAND_MIGRATION_SCHEMA)

    def time_to_habit(self) -> pl.DataFrame:
        """``time_to_habit(log, catalog, by="persona")`` without ``share_low`` / ``share_high``."""
        self._use_days()
        return _typed(self.con.sql(time_to_habit_sql()).pl(), TIME_TO_HABIT_SCHEMA)


def _typed(frame: Any, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return frame.select([pl.col(name).cast(dtype) for name, dtype in schema.items()])


if __name__ == "__main__":
    print(f"-- mapping\n{catalog_sql().strip()};\n")
    print(f"-- use_days\n{_USE_DAYS.strip()};\n\n-- first_use\n{_FIRST_USE.strip()};\n")
    for name, text in zip(STAGES, (habit_mix_sql(), band_migration_sql(), time_to_habit_sql()), strict=True):
        print(f"-- {name}\n{text.strip()};\n")
