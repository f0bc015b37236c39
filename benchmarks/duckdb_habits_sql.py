"""Issue 18's peer: the power-user curve and the growth states in plain DuckDB SQL, by persona.

Same definitions as the kit (docs/power-users.md, docs/growth-states.md) with the report's options
(``stickiness_notebooks.spec.QUICKSTART``: ``power_users(log, window=30, by="persona")`` and
``growth_states(log, by="persona")``, no ``start`` / ``as_of`` / ``active_events``), on the tables
that ``duckdb_core_sql.CorePeer`` keeps: the log is read once into ``activity`` and ``users``
(:meth:`CorePeer.read`), and both metrics start from ``user_days``, the distinct active (user,
day) rows with each user's next active day, built by the first of them that runs (the kit keeps
its active days on the log the same way).

``power_users``
    Each user's active days in ``as_of - 29 .. as_of``, the users per (persona, k), and the grid
    k = 1 .. 30 for every persona with a user in the window (0 for an empty bar); share = users /
    the persona's users in the window.
``growth_states``
    From each active day with the user's previous one (a window) and next one (``user_days``):
    the active states counted from the gap to the previous active day; the inactive states as
    running sums of the users entering and leaving them (at-risk WAU on a+1 .. min(a+6, n-1),
    at-risk MAU on a+7 .. min(a+29, n-1), dormant from a+30 until n-1), over every observed day
    of every persona with an active user: no user x day grid, as the kit.

``tests/test_benchmark_habits_sql.py`` checks both against the kit on a small log.
``python benchmarks/duckdb_habits_sql.py`` prints the SQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

try:  # as a script or imported with benchmarks/ on sys.path
    import duckdb_core_sql as core
except ImportError:  # pragma: no cover - imported by path from the tests
    import importlib.util
    import sys

    _spec = importlib.util.spec_from_file_location("_duckdb_core_sql", Path(__file__).with_name("duckdb_core_sql.py"))
    assert _spec is not None and _spec.loader is not None
    core = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = core
    _spec.loader.exec_module(core)

#: The power-user window (the report's MAU window) and the growth model's week and month.
WINDOW = 30
WEEK = 7
MONTH = 30

_POWER_USERS = """
WITH
per_user AS (  -- each user's active days in the window as_of - (W - 1) .. as_of
    SELECT coalesce(users.persona, '(unknown)') AS persona, "user", count(*) AS active_days
    FROM user_days LEFT JOIN users USING ("user") CROSS JOIN ledger
    WHERE day > as_of - {window}
    GROUP BY ALL
),
counts AS (SELECT persona, active_days, count(*) AS users FROM per_user GROUP BY ALL),
groups AS (SELECT persona, sum(users) AS mau FROM counts GROUP BY ALL),
grid AS (  -- every bar k = 1 .. W of every persona with a user in the window
    SELECT persona, mau, k AS active_days FROM groups, range(1, {window} + 1) AS r(k)
)
SELECT persona,
       CAST(active_days AS BIGINT) AS active_days,
       CAST(coalesce(users, 0) AS BIGINT) AS users,
       CAST(coalesce(users, 0) AS DOUBLE) / mau AS share
FROM grid LEFT JOIN counts USING (persona, active_days)
ORDER BY persona, active_days
"""

_GROWTH_STATES = """
WITH
spans AS (  -- each active day a with the user's previous (lag) and next (user_days) active day
    SELECT coalesce(users.persona, '(unknown)') AS persona,
           day,
           lag(day) OVER (PARTITION BY user_days."user" ORDER BY day) AS prev_day,
           next_day
    FROM user_days LEFT JOIN users USING ("user")
),
active AS (  -- the state of an active day, from the gap d - L to the last active day before it
    SELECT persona,
           day,
           count(*) FILTER (WHERE prev_day IS NULL) AS new,
           count(*) FILTER (WHERE day - prev_day <= {week} - 1) AS current,
           count(*) FILTER (WHERE day - prev_day BETWEEN {week} AND {month} - 1) AS reactivated,
           count(*) FILTER (WHERE day - prev_day >= {month}) AS resurrected
    FROM spans GROUP BY ALL
),
moves AS (  -- users entering (+1) and leaving (-1) each inactive state; never leaving before entering
    SELECT persona, day + 1 AS day, 1 AS at_risk_wau, 0 AS at_risk_mau, 0 AS dormant FROM spans
    UNION ALL
    SELECT persona, greatest(least(next_day, day + {week}), day + 1), -1, 0, 0 FROM spans
    UNION ALL
    SELECT persona, day + {week}, 0, 1, 0 FROM spans
    UNION ALL
    SELECT persona, greatest(least(next_day, day + {month}), day + {week}), 0, -1, 0 FROM spans
    UNION ALL
    SELECT persona, day + {month}, 0, 0, 1 FROM spans
    UNION ALL
    SELECT persona, greatest(next_day, day + {month}), 0, 0, -1 FROM spans WHERE next_day IS NOT NULL
),
deltas AS (
    SELECT persona, day, sum(at_risk_wau) AS d_wau, sum(at_risk_mau) AS d_mau, sum(dormant) AS d_dormant
    FROM moves GROUP BY ALL
),
grid AS (  -- every observed day for every persona with an active user
    SELECT persona, day FROM (SELECT DISTINCT persona FROM active), ({calendar})
),
counts AS (
    SELECT persona,
           day,
           coalesce(new, 0) AS new,
           coalesce(current, 0) AS current,
           coalesce(reactivated, 0) AS reactivated,
           coalesce(resurrected, 0) AS resurrected,
           sum(coalesce(d_wau, 0)) OVER w AS at_risk_wau,
           sum(coalesce(d_mau, 0)) OVER w AS at_risk_mau,
           sum(coalesce(d_dormant, 0)) OVER w AS dormant
    FROM grid LEFT JOIN active USING (persona, day) LEFT JOIN deltas USING (persona, day)
    WINDOW w AS (PARTITION BY persona ORDER BY day)
)
SELECT persona, day, new, current, reactivated, resurrected, at_risk_wau, at_risk_mau, dormant,
       new + current + reactivated + resurrected AS dau,
       new + current + reactivated + resurrected + at_risk_wau AS wau,
       new + current + reactivated + resurrected + at_risk_wau + at_risk_mau AS mau,
       new + current + reactivated + resurrected + at_risk_wau + at_risk_mau + dormant AS users
FROM counts
ORDER BY persona, day
"""

POWER_USERS_SCHEMA: dict[str, pl.DataType] = {
    "persona": pl.String(),
    "active_days": pl.Int64(),
    "users": pl.Int64(),
    "share": pl.Float64(),
}
_STATES = ("new", "current", "reactivated", "resurrected", "at_risk_wau", "at_risk_mau", "dormant")
GROWTH_STATES_SCHEMA: dict[str, pl.DataType] = {
    "persona": pl.String(),
    "day": pl.Date(),
    **{name: pl.Int64() for name in (*_STATES, "dau", "wau", "mau", "users")},
}
#: The stages in the order the benchmark runs them (the report's: power users, then growth states).
STAGES: tuple[str, ...] = ("power_users", "growth_states")


def power_users_sql(window: int = WINDOW) -> str:
    """The power-user curve by persona, from ``user_days``, ``users`` and ``ledger``."""
    return _POWER_USERS.format(window=int(window))


def growth_states_sql() -> str:
    """The growth states by persona on every observed day, from ``user_days``, ``users`` and ``ledger``."""
    return _GROWTH_STATES.format(week=WEEK, month=MONTH, calendar=core._CALENDAR)


class HabitsPeer(core.CorePeer):  # type: ignore[misc,name-defined]
    """:class:`duckdb_core_sql.CorePeer` with issue 18's metrics: call :meth:`read` first, then either metric."""

    def _user_days(self) -> None:
        """Build ``user_days`` once (the first metric after the read pays for it, as in the kit)."""
        if not self._row("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'user_days'")[0]:
            self.con.execute(core._USER_DAYS)

    def power_users(self, *, window: int = WINDOW) -> pl.DataFrame:
        """``power_users(log, window=W, by="persona")``."""
        self._user_days()
        return _typed(self.con.sql(power_users_sql(window)).pl(), POWER_USERS_SCHEMA)

    def growth_states(self) -> pl.DataFrame:
        """``growth_states(log, by="persona")``."""
        self._user_days()
        return _typed(self.con.sql(growth_states_sql()).pl(), GROWTH_STATES_SCHEMA)


def _typed(frame: Any, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return frame.select([pl.col(name).cast(dtype) for name, dtype in schema.items()])


if __name__ == "__main__":
    print(f"-- user_days\n{core._USER_DAYS.strip()};\n")
    print(f"-- power_users\n{power_users_sql().strip()};\n")
    print(f"-- growth_states\n{growth_states_sql().strip()};")
