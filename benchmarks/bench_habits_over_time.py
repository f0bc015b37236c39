"""Benchmark issue 18's habit mix, band migration and time to habit: the kit vs DuckDB SQL vs the scan floor.

For each size (``benchmarks/generate.py`` logs, reused from ``--data-dir``; a folder of part files
above 10M events; the users table of bench_core.py, ``user_id % 4`` -> persona; the benchmark's
catalog, ``duckdb_use_cases_sql.RULES``), in this one process, alternating the order every round,
best of ``--repeat``:

- **scan floor**: polars reading ``user_id``, ``timestamp`` and ``event`` with trivial aggregates
  (bench_core.py's floor: what any engine pays to read the log);
- **kit, polars** and **kit, DuckDB engine**: ``read_log(path, users=personas, engine=...)``, then
  ``habit_mix``, ``band_migration`` and ``time_to_habit`` (``catalog``, ``by="persona"``, the report's
  defaults: month ends, 30 days, the weekly band) on that log, each timed apart (the first builds the
  (user x use case, day) rows the others reuse, as in the report);
- **DuckDB SQL**: ``duckdb_habits_over_time_sql.HabitsOverTimePeer``: the core peer's read (one pass to
  the activity table), then the three metrics in SQL, the first building ``use_days``.

Every output must equal the kit's polars output (the kit on DuckDB: exactly; the SQL: counts exactly,
shares to 1e-12, without the kit's interval columns; ``tests/test_benchmark_habits_over_time_sql.py``
checks the SQL on small logs). Results: ``benchmarks/results/habits_over_time.md`` and ``.json`` (rows of
other sizes are kept). Progress on stderr.

Usage: ``python benchmarks/bench_habits_over_time.py --sizes 1e7 --repeat 2 --data-dir /path/to/data``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

import duckdb_habits_over_time_sql as hot
import duckdb_use_cases_sql as ucsql
import generate
from _harness import (
    assert_equal,
    best_of_rounds,
    log,
    path_tasks,
    paths_main,
    peer_stages,
    result_row,
    results_page,
    run_stages,
    size_section,
    stage_table,
)
from bench_core import SCRATCH, floor, machine

import stickiness as st

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
NAME = "habits_over_time"
STAGES = ("read", *hot.STAGES)
INTERVALS = ("share_low", "share_high")
LABELS = {
    "read": "read (`read_log` / the peer's activity table)",
    "habit_mix": "`habit_mix(catalog, by=persona)`, month ends (builds the use-case days)",
    "band_migration": "`band_migration(catalog, by=persona)`, 30 days",
    "time_to_habit": "`time_to_habit(catalog, by=persona)`, weekly",
}


def kit(path: Path, personas: Path, engine: str) -> tuple[Any, ...]:
    catalog = st.read_catalog(ucsql.catalog_frame())
    return run_stages(
        STAGES,
        lambda: st.read_log(path, users=personas, tz="UTC", engine=engine),
        {
            "habit_mix": lambda log_: st.habit_mix(log_, catalog, by="persona"),
            "band_migration": lambda log_: st.band_migration(log_, catalog, by="persona"),
            "time_to_habit": lambda log_: st.time_to_habit(log_, catalog, by="persona"),
        },
    )


def sql(path: Path, personas: Path) -> tuple[Any, ...]:
    return peer_stages(STAGES, hot.HabitsOverTimePeer, path, personas)


def bench_size(n: int, args: argparse.Namespace) -> dict[str, Any]:
    label, path, tasks = path_tasks(n, args, floor, kit, sql)
    # the kit on polars first in the first round: every other path is checked against its output
    tasks = dict(sorted(tasks.items(), key=lambda task: task[0] != "kit_polars"))
    reference: dict[str, pl.DataFrame] = {}
    shape: dict[str, Any] = {}

    def check(name: str, outputs: dict[str, pl.DataFrame], handle: Any) -> None:
        """The kit on DuckDB equals the kit on polars exactly; the SQL equals it without the interval columns."""
        if name == "kit_polars" and not reference:
            reference.update(outputs)
            shape.update(rows_read=handle.ledger.rows_read, users=handle.ledger.users)
            shape["rows"] = {stage: outputs[stage].height for stage in hot.STAGES}
        elif reference:
            sql_ = name == "sql"
            assert_equal(outputs, reference, f"{label}, {name}", exact=not sql_, drop=INTERVALS if sql_ else ())

    best, noise = best_of_rounds(tasks, STAGES, args, label, check)
    checked = "every path's three tables" if reference else "nothing (no kit_polars path)"
    log(f"[{label}] equal to the kit on polars: {checked}")
    return result_row(n, path, shape, best, noise, args.repeat)


def size_table(row: dict[str, Any]) -> str:
    return stage_table(row["seconds"], LABELS, "read + the three metrics")


def markdown(info: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    cells = (
        "Cells: best wall seconds (best CPU seconds of the process, every thread). Equal to the kit on polars: "
        "the kit on DuckDB exactly, the SQL without the interval columns (counts exactly, shares to 1e-12)."
    )

    def section(r: dict[str, Any]) -> list[str]:
        heights = ", ".join(f"{k} {v:,}" for k, v in r.get("rows", {}).items())
        return size_section(r, size_table(r), cells, "a shared, loaded machine", [f"Output rows: {heights}."])

    return results_page(
        "Issue 18: habit mix, band migration and time to habit, the kit vs DuckDB SQL vs the scan floor",
        "Written by `benchmarks/bench_habits_over_time.py` (the SQL: `benchmarks/duckdb_habits_over_time_sql.py`, "
        "checked equal to the kit by `tests/test_benchmark_habits_over_time_sql.py`).",
        info,
        rows,
        section,
    )


def main(argv: list[str] | None = None) -> None:
    defaults = (generate.DATA_DIR, SCRATCH, RESULTS)
    paths_main(__doc__.splitlines()[0], NAME, defaults, machine, bench_size, markdown, size_table, argv)


if __name__ == "__main__":
    main()
