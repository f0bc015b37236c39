"""Benchmark issue 18's metrics: the power-user curve and the growth states, the kit vs DuckDB SQL vs the scan floor.

For each size (``benchmarks/generate.py`` logs, reused from ``--data-dir``; a folder of part files
above 10M events; the users table of bench_core.py, ``user_id % 4`` -> persona), in this one process,
alternating the order every round, best of ``--repeat``:

- **scan floor**: polars reading ``user_id``, ``timestamp`` and ``event`` with trivial aggregates
  (bench_core.py's floor: what any engine pays to read the log);
- **kit, polars** and **kit, DuckDB engine**: ``read_log(path, users=personas, engine=...)``, then
  ``power_users(log, window=30, by="persona")`` and ``growth_states(log, by="persona")`` on that log,
  each timed apart (the first metric builds the active days the second reuses, as in the report);
- **DuckDB SQL**: ``duckdb_habits_sql.HabitsPeer``: the core peer's read (one pass to the activity
  table), then the two metrics in SQL, the first building ``user_days``.

Every output must equal the kit's polars output exactly (``tests/test_benchmark_habits_sql.py`` checks the
SQL on small logs). Results: ``benchmarks/results/habits.md`` and ``habits.json`` (rows of other sizes
are kept). Progress on stderr.

Usage: ``python benchmarks/bench_habits.py --sizes 1e7 --repeat 2``; 100M: ``--sizes 1e8 --repeat 1``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

import duckdb_habits_sql as habits
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
NAME = "habits"
STAGES = ("read", *habits.STAGES)
LABELS = {
    "read": "read (`read_log` / the peer's activity table)",
    "power_users": "`power_users(window=30, by=persona)` (builds the active days)",
    "growth_states": "`growth_states(by=persona)` (reuses them)",
}


def kit(path: Path, personas: Path, engine: str) -> tuple[Any, ...]:
    return run_stages(
        STAGES,
        lambda: st.read_log(path, users=personas, tz="UTC", engine=engine),
        {
            "power_users": lambda log_: st.power_users(log_, window=30, by="persona"),
            "growth_states": lambda log_: st.growth_states(log_, by="persona"),
        },
    )


def sql(path: Path, personas: Path) -> tuple[Any, ...]:
    return peer_stages(STAGES, habits.HabitsPeer, path, personas)


def bench_size(n: int, args: argparse.Namespace) -> dict[str, Any]:
    label, path, tasks = path_tasks(n, args, floor, kit, sql)
    # the first path's outputs are the reference, whichever it is: every path must equal it exactly
    reference: dict[str, pl.DataFrame] = {}
    shape: dict[str, Any] = {}

    def check(name: str, outputs: dict[str, pl.DataFrame], handle: Any) -> None:
        if reference:
            assert_equal(outputs, reference, f"{label}, {name}")
            return
        reference.update(outputs)
        if name.startswith("kit"):
            shape.update(rows_read=handle.ledger.rows_read, users=handle.ledger.users)

    best, noise = best_of_rounds(tasks, STAGES, args, label, check)
    log(f"[{label}] equal: every path's power_users and growth_states")
    return result_row(n, path, shape, best, noise, args.repeat)


def size_table(row: dict[str, Any]) -> str:
    return stage_table(row["seconds"], LABELS, "read + both metrics")


def markdown(info: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    cells = (
        "Cells: best wall seconds (best CPU seconds of the process, every thread). Equal: every path's two "
        "tables (exact)."
    )
    return results_page(
        "Issue 18: the power-user curve and the growth states, the kit vs DuckDB SQL vs the scan floor",
        "Written by `benchmarks/bench_habits.py` (the SQL: `benchmarks/duckdb_habits_sql.py`, checked equal to the "
        "kit by `tests/test_benchmark_habits_sql.py`).",
        info,
        rows,
        lambda r: size_section(r, size_table(r), cells),
    )


def main(argv: list[str] | None = None) -> None:
    defaults = (generate.DATA_DIR, SCRATCH, RESULTS)
    paths_main(__doc__.splitlines()[0], NAME, defaults, machine, bench_size, markdown, size_table, argv)


if __name__ == "__main__":
    main()
