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
import datetime as dt
import gc
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
from polars.testing import assert_frame_equal

sys.path.insert(0, str(Path(__file__).resolve().parent))

import duckdb_habits_over_time_sql as hot
import duckdb_use_cases_sql as ucsql
import generate
from _harness import human, kit_version, log, measured, sizes
from bench_core import SCRATCH, floor, machine

import stickiness as st

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
NAME = "habits_over_time"
PATHS = ("kit_polars", "kit_duckdb", "sql")
STAGES = ("read", *hot.STAGES)
INTERVALS = ("share_low", "share_high")
LABELS = {
    "read": "read (`read_log` / the peer's activity table)",
    "habit_mix": "`habit_mix(catalog, by=persona)`, month ends (builds the use-case days)",
    "band_migration": "`band_migration(catalog, by=persona)`, 30 days",
    "time_to_habit": "`time_to_habit(catalog, by=persona)`, weekly",
}


def _stages(read: Callable[[], Any], metrics: dict[str, Callable[[Any], pl.DataFrame]]) -> tuple[Any, ...]:
    """Run the read, then each metric on what it returned: the outputs, each stage's wall and CPU seconds, the handle.

    ``STAGE cpu`` is the process's CPU seconds (every thread: both engines run in this process); on a
    shared machine it is the comparable figure.
    """
    times: dict[str, float] = {}

    def run(stage: str, fn: Callable[[], Any]) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        out = fn()
        times[stage], times[f"{stage} cpu"] = time.perf_counter() - wall, time.process_time() - cpu
        return out

    handle = run("read", read)
    outputs = {name: run(name, lambda m=metric: m(handle)) for name, metric in metrics.items()}
    times["total"] = sum(times[s] for s in STAGES)
    times["total cpu"] = sum(times[f"{s} cpu"] for s in STAGES)
    return outputs, times, handle


def _floor_cpu(path: Path) -> float:
    started = time.process_time()
    floor(path)
    return time.process_time() - started


def kit(path: Path, personas: Path, engine: str) -> tuple[Any, ...]:
    catalog = st.read_catalog(ucsql.catalog_frame())
    return _stages(
        lambda: st.read_log(path, users=personas, tz="UTC", engine=engine),
        {
            "habit_mix": lambda log_: st.habit_mix(log_, catalog, by="persona"),
            "band_migration": lambda log_: st.band_migration(log_, catalog, by="persona"),
            "time_to_habit": lambda log_: st.time_to_habit(log_, catalog, by="persona"),
        },
    )


def sql(path: Path, personas: Path) -> tuple[Any, ...]:
    def read() -> Any:
        peer = hot.HabitsOverTimePeer()
        peer.read(path, personas)
        return peer

    out = _stages(read, {name: lambda peer, n=name: getattr(peer, n)() for name in hot.STAGES})
    out[2].close()
    return out


def _check(name: str, outputs: dict[str, pl.DataFrame], reference: dict[str, pl.DataFrame], label: str) -> None:
    """The kit on DuckDB equals the kit on polars exactly; the SQL equals it without the interval columns."""
    for stage in hot.STAGES:
        try:
            if name == "sql":
                kit_out = reference[stage].drop(INTERVALS, strict=False)
                assert_frame_equal(outputs[stage], kit_out, check_exact=False, rel_tol=1e-12, abs_tol=0)
            else:
                assert_frame_equal(outputs[stage], reference[stage], check_exact=True)
        except AssertionError as err:
            raise SystemExit(f"MISMATCH ({label}, {name}, {stage}):\n{err}") from err


def bench_size(n: int, args: argparse.Namespace) -> dict[str, Any]:
    label = human(n)
    if not generate.is_cached(n, args.seed, args.data_dir):
        raise SystemExit(f"no {label}-event log in {args.data_dir}: run benchmarks/generate.py {n} first")
    path = generate.generate(n, args.seed, args.data_dir)
    personas = ucsql.write_personas(path, args.scratch / f"personas_{n}_seed{args.seed}.parquet")
    log(f"[{label}] data: {path}; users table {personas}")
    tasks: dict[str, Callable[[], Any]] = {
        "floor": lambda: _floor_cpu(path),
        "kit_polars": lambda: kit(path, personas, "polars"),
        "kit_duckdb": lambda: kit(path, personas, "duckdb"),
        "sql": lambda: sql(path, personas),
    }
    # the kit on polars first in the first round: every other path is checked against its output
    names = [name for name in tasks if name == "floor" or name in args.paths]
    names.sort(key=lambda name: name != "kit_polars")
    best: dict[str, dict[str, float]] = {name: {} for name in PATHS}
    noise: dict[str, list[float | None]] = {name: [] for name in names}
    reference: dict[str, pl.DataFrame] | None = None
    shape: dict[str, Any] = {}
    for round_ in range(args.repeat):
        shift = round_ % len(names)
        order = names[shift:] + names[:shift]
        for name in order if round_ % 2 == 0 else order[::-1]:
            out, wall, others = measured(tasks[name], args.wait_idle)
            noise[name].append(None if others is None else round(others, 3))
            busy = "" if others is None else f"  [others' CPU {others:.0%}]"
            if name == "floor":
                kept = best.setdefault("floor", {})
                kept["total"] = min(kept.get("total", float("inf")), wall)
                kept["total cpu"] = min(kept.get("total cpu", float("inf")), out)
                log(f"[{label}] round {round_ + 1} floor {wall:.2f} s (CPU {out:.2f} s){busy}")
                continue
            outputs, times, handle = out
            for stage, value in times.items():
                best[name][stage] = min(best[name].get(stage, float("inf")), value)
            detail = ", ".join(f"{s} {times[s]:.2f} ({times[f'{s} cpu']:.2f})" for s in STAGES)
            log(f"[{label}] round {round_ + 1} {name} {times['total']:.2f} s ({detail}){busy}")
            if name == "kit_polars" and reference is None:
                reference = outputs
                shape = {"rows_read": handle.ledger.rows_read, "users": handle.ledger.users}
                shape["rows"] = {stage: outputs[stage].height for stage in hot.STAGES}
            elif reference is not None:
                _check(name, outputs, reference, label)
            del out, outputs, handle
            gc.collect()
    checked = "every path's three tables" if reference is not None else "nothing (no kit_polars path)"
    log(f"[{label}] equal to the kit on polars: {checked}")
    return {
        "events": n,
        "path": str(path),
        **shape,
        "seconds": {name: {k: round(v, 3) for k, v in stages.items()} for name, stages in best.items() if stages},
        "others_cpu": noise,
        "repeat": args.repeat,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="minutes"),
        "kit_version": kit_version(),
    }


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _cpu(value: float | None) -> str:
    return "" if value is None else f" ({value:.2f})"


def size_table(row: dict[str, Any]) -> str:
    s = row["seconds"]
    present = [p for p in PATHS if p in s]
    heads = {"kit_polars": "kit (polars) s", "kit_duckdb": "kit (DuckDB engine) s", "sql": "DuckDB SQL s"}
    lines = [
        "| stage | " + " | ".join(heads[p] for p in present) + " | kit polars / SQL |",
        "|---|" + "---:|" * (len(present) + 1),
    ]
    for stage in (*STAGES, "total"):
        label = "**read + the three metrics**" if stage == "total" else LABELS[stage]
        cells = [_s(s[p].get(stage)) + _cpu(s[p].get(f"{stage} cpu")) for p in present]
        ratio = ""
        if "kit_polars" in s and "sql" in s and s["sql"].get(stage):
            ratio = f"{s['kit_polars'][stage] / s['sql'][stage]:.2f}×"
            if s["sql"].get(f"{stage} cpu") and f"{stage} cpu" in s["kit_polars"]:
                ratio += f" ({s['kit_polars'][f'{stage} cpu'] / s['sql'][f'{stage} cpu']:.2f}×)"
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {ratio} |")
    floor_s, floor_cpu = s.get("floor", {}).get("total"), s.get("floor", {}).get("total cpu")
    lines.append(f"| scan floor (polars reads the 3 columns) | {_s(floor_s)}{_cpu(floor_cpu)} |" + " |" * len(present))
    if floor_s:
        cells = [
            f"{s[p]['total'] / floor_s:.1f}×"
            + (f" ({s[p]['total cpu'] / floor_cpu:.1f}×)" if floor_cpu and "total cpu" in s[p] else "")
            for p in present
        ]
        lines.append("| read + the three metrics / scan floor | " + " | ".join(cells) + " | |")
    return "\n".join(lines)


def markdown(info: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    parts = [
        "# Issue 18: habit mix, band migration and time to habit, the kit vs DuckDB SQL vs the scan floor",
        "",
        "Written by `benchmarks/bench_habits_over_time.py` (the SQL: `benchmarks/duckdb_habits_over_time_sql.py`, "
        "checked equal to the kit by `tests/test_benchmark_habits_over_time_sql.py`).",
        "",
        f"Machine: {info['nproc']} CPUs, {info['ram_gb']} GB RAM, {info['cpu']}; {info['platform']}.  ",
        f"Versions: Python {info['python']}, polars {info['polars']}, narwhals {info['narwhals']}, "
        f"DuckDB {info['duckdb']}, stickiness {info['stickiness']}.",
        "",
    ]
    for r in sorted(rows, key=lambda r: r["events"]):
        others = [v for vs in r["others_cpu"].values() for v in vs if v is not None]
        load = f"{min(others):.0%}–{max(others):.0%}" if others else "–"
        heights = r.get("rows", {})
        parts += [
            f"## {human(r['events'])} events",
            "",
            f"{r.get('rows_read', r['events']):,} rows, {r.get('users', 0):,} users; {r['date']}; best of "
            f"{r['repeat']}; kit {r['kit_version']}. Others' CPU during the runs (a shared, loaded machine): {load}.",
            "Output rows: " + ", ".join(f"{k} {v:,}" for k, v in heights.items()) + ".",
            "",
            size_table(r),
            "",
            "Cells: best wall seconds (best CPU seconds of the process, every thread). Equal to the kit on polars: "
            "the kit on DuckDB exactly, the SQL without the interval columns (counts exactly, shares to 1e-12).",
            "",
        ]
    return "\n".join(parts) + "\n"


def save(rows: list[dict[str, Any]], args: argparse.Namespace, info: dict[str, Any]) -> None:
    json_path, md_path = args.out / f"{NAME}.json", args.out / f"{NAME}.md"
    keep: list[dict[str, Any]] = []
    if json_path.exists():
        new = {r["events"] for r in rows}
        keep = [r for r in json.loads(json_path.read_text())["results"] if r["events"] not in new]
    all_rows = sorted(keep + rows, key=lambda r: r["events"])
    args.out.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps({"machine": info, "results": all_rows}, indent=2, default=str) + "\n")
    md_path.write_text(markdown(info, all_rows))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=sizes, default=[10_000_000], help="events, e.g. 1e7 or 1e8")
    parser.add_argument("--repeat", type=int, default=2, help="runs per path; the best is kept (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=generate.DATA_DIR, help="where the generated logs are")
    parser.add_argument("--scratch", type=Path, default=SCRATCH, help=f"users tables (default {SCRATCH})")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"where {NAME}.md and {NAME}.json go")
    parser.add_argument("--paths", default=",".join(PATHS), help=f"which of {', '.join(PATHS)} (default all)")
    parser.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS", help="wait for a quiet CPU first")
    args = parser.parse_args(argv)
    args.paths = tuple(p for p in args.paths.split(",") if p)
    if not set(args.paths) <= set(PATHS) or args.repeat < 1:
        parser.error(f"--paths: some of {', '.join(PATHS)}; --repeat at least 1")
    info = machine()
    rows: list[dict[str, Any]] = []
    for n in args.sizes:
        rows.append(bench_size(n, args))
        save(rows, args, info)  # after every size: a long run leaves its finished sizes behind
        print(f"\n{human(n)} events\n\n{size_table(rows[-1])}\n", flush=True)


if __name__ == "__main__":
    main()
