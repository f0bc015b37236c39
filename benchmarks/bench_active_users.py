"""Benchmark ``stickiness.active_users`` against the same metric in plain DuckDB SQL.

For each size: generate the log if it is not cached (benchmarks/generate.py),
then, in this one process and alternating the order each round, time

- the kit's full path, ``read_log(path, tz="UTC")`` then ``active_users(log)``,
  and its two halves;
- DuckDB's full path, raw Parquet to daily table (benchmarks/duckdb_sql.py);
- the scan floor: polars reading ``user_id`` and ``timestamp`` (the columns the
  metric needs) with trivial aggregates, and the same with ``event`` too (the
  kit reads it to build its activity table);

keeping the best of ``--repeat`` wall times, with each engine's default thread
count. The kit's and DuckDB's tables must be equal, row for row, or the run
fails. Peak memory is measured apart: each engine runs once more in a fresh
subprocess, which reports its own peak RSS (``VmHWM``).

Results: a table on stdout, ``benchmarks/results/active_users.md`` and
``active_users.json`` (rows of earlier runs on the same machine and versions
are kept unless ``--fresh``). Progress goes to stderr.

Usage: ``python benchmarks/bench_active_users.py --sizes 1000000,10000000 [--repeat 3]``
(sizes also as ``1e6,1e7,1e8``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
from polars.testing import assert_frame_equal

sys.path.insert(0, str(Path(__file__).resolve().parent))

import duckdb_sql
import generate
from _harness import cpu_name, guard_memory, human, log, measured, noise, ram_gb, sizes, status_kb, timed

import stickiness

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
NAME = "active_users"


# --- the measured paths -----------------------------------------------------------------------------------


def kit(path: Path, window: int) -> tuple[pl.DataFrame, dict[str, float], int]:
    """The kit's full path; returns the table, the times of both halves and the number of users."""
    started = time.perf_counter()
    log = stickiness.read_log(path, tz="UTC")
    read = time.perf_counter()
    table = stickiness.active_users(log, window=window)
    done = time.perf_counter()
    times = {"kit": done - started, "read_log": read - started, "active_users": done - read}
    return table, times, log.ledger.users


def duck(
    path: Path, window: int, method: duckdb_sql.Method = "interval", day: duckdb_sql.DayExpr = "epoch"
) -> pl.DataFrame:
    """DuckDB's full path on a fresh in-memory connection."""
    return duckdb_sql.active_users(path, window=window, method=method, day=day)


def floor(path: Path, *, with_event: bool = False) -> tuple[Any, ...]:
    """Polars reading the columns the metric needs (and ``event``) with trivial aggregates."""
    exprs = [pl.col("user_id").n_unique(), pl.col("timestamp").max()]
    if with_event:
        exprs.append(pl.col("event").n_unique())
    return pl.scan_parquet(generate.parquet_glob(path)).select(exprs).collect().row(0)


def worker(engine: str, path: Path, window: int) -> None:
    """Run one engine once in this fresh process and print JSON (seconds, RSS) for the parent."""
    if engine == "duckdb":
        import duckdb  # noqa: F401  (loaded before the baseline, like polars for the kit)
    baseline = status_kb("VmRSS")
    started = time.perf_counter()
    if engine == "kit":
        kit(path, window)
    elif engine == "duckdb":
        duck(path, window)
    elif engine == "floor":
        floor(path, with_event=True)
    else:
        raise SystemExit(f"unknown worker engine {engine!r}")
    seconds = time.perf_counter() - started
    # VmHWM is the peak RSS of this process image. (getrusage's ru_maxrss would not do: on Linux it
    # carries over the RSS of the parent that forked this process before exec.)
    peak = status_kb("VmHWM")
    if peak is None:
        import resource

        scale = 1 / 1024 if sys.platform == "darwin" else 1  # bytes on macOS, KiB on Linux
        peak = int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale)
    print(json.dumps({"seconds": seconds, "baseline_kb": baseline, "peak_kb": peak}))


def peak_rss(engine: str, path: Path, window: int, limit_gb: float) -> dict[str, Any]:
    """Run ``worker`` in a fresh interpreter and return its peak RSS (MB), RSS after imports, and time."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", engine, "--path", str(path)]
    cmd += ["--window", str(window), "--max-rss-gb", str(limit_gb)]
    done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the {engine} memory run failed (exit code {done.returncode}): {' '.join(cmd)}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    base = report["baseline_kb"]
    return {
        "peak_mb": round(report["peak_kb"] / 1024, 1),
        "baseline_mb": None if base is None else round(base / 1024, 1),
        "cold_seconds": round(report["seconds"], 3),
    }


# --- one size ---------------------------------------------------------------------------------------------


def check_equal(kit_table: pl.DataFrame, duck_table: pl.DataFrame, label: str) -> None:
    """Fail loudly unless the two daily tables are identical (columns, types, rows, values).

    The kit's DAU/MAU interval columns (docs/intervals.md) are left out: the SQL peer has no Beta quantile.
    """
    kit_table = kit_table.drop("stickiness_low", "stickiness_high", "small_sample", strict=False)
    try:
        assert_frame_equal(kit_table, duck_table, check_exact=True)
    except AssertionError as err:
        try:
            both = kit_table.join(duck_table, on="day", how="full", suffix="_duckdb", coalesce=True)
            differ = pl.any_horizontal(pl.col(c).ne_missing(pl.col(f"{c}_duckdb")) for c in ("dau", "wau", "mau"))
            detail = f"First differing days (kit, then _duckdb):\n{both.filter(differ).head(10)}"
        except Exception as join_err:  # the tables may not even be joinable (types)
            detail = f"(could not line the days up: {join_err})"
        raise SystemExit(f"MISMATCH ({label}): the daily tables differ.\n{err}\n{detail}") from err


def bench_size(n: int, args: argparse.Namespace) -> dict[str, Any]:
    label = human(n)
    path = generate.log_path(n, args.seed, args.data_dir)
    cached = generate.is_cached(n, args.seed, args.data_dir)
    log(f"[{label}] data: {path} ({'cached' if cached else 'generating'})")
    _, gen_s = timed(lambda: generate.generate(n, args.seed, args.data_dir))
    size_bytes = sum(p.stat().st_size for p in path.glob("*.parquet")) if path.is_dir() else path.stat().st_size

    tasks: dict[str, Callable[[], Any]] = {
        "kit": lambda: kit(path, args.window),
        "duckdb": lambda: duck(path, args.window),
        "floor": lambda: floor(path),
        "floor_event": lambda: floor(path, with_event=True),
    }
    if args.variants:
        for method in duckdb_sql.METHODS:
            for day in duckdb_sql.DAY_EXPRS:
                if (method, day) != ("interval", "epoch"):
                    tasks[f"duckdb {method} + {day}"] = lambda m=method, d=day: duck(path, args.window, m, d)
    names = list(tasks)
    best: dict[str, float] = {}
    noise: dict[str, float | None] = {}  # other processes' CPU share during the kept (best) run
    runs: dict[str, list[list[float | None]]] = {name: [] for name in names}
    outputs: dict[str, Any] = {}
    tables: list[tuple[str, pl.DataFrame]] = []  # every daily table of every run, all checked at the end
    for round_ in range(args.repeat):
        shift = round_ % len(names)
        order = names[shift:] + names[:shift] if round_ % 2 == 0 else list(reversed(names[shift:] + names[:shift]))
        for name in order:
            out, seconds, others = measured(tasks[name], args.wait_idle)
            busy = "" if others is None else f"  [others' CPU {others:.0%}]"
            if name == "kit":
                table, times, users = out
                outputs["kit"], outputs["users"] = table, users
                tables.append((f"kit, round {round_ + 1}", table))
                seconds = times["kit"]
                for key, value in times.items():
                    best[key] = min(best.get(key, float("inf")), value)
                log(
                    f"[{label}] round {round_ + 1}/{args.repeat} kit {seconds:.3f} s "
                    f"(read_log {times['read_log']:.3f} + active_users {times['active_users']:.3f}){busy}"
                )
            else:
                outputs[name] = out
                if name.startswith("duckdb"):
                    tables.append((f"{name}, round {round_ + 1}", out))
                best[name] = min(best.get(name, float("inf")), seconds)
                log(f"[{label}] round {round_ + 1}/{args.repeat} {name} {seconds:.3f} s{busy}")
            runs[name].append([round(seconds, 3), None if others is None else round(others, 3)])
            if seconds <= best[name]:
                noise[name] = others

    reference = tables[0][1]  # the kit's table of the first round
    for name, table in tables[1:]:
        check_equal(reference, table, f"{label} events: kit, round 1 vs {name}")
    log(
        f"[{label}] equal: all {len(tables)} daily tables (kit and DuckDB, every run) are identical "
        f"({reference.height} days)"
    )

    memory: dict[str, Any] = {}
    if not args.no_memory:
        for engine in ("kit", "duckdb", "floor"):
            log(f"[{label}] peak memory: {engine} in a fresh subprocess ...")
            memory[engine] = peak_rss(engine, path, args.window, args.max_rss_gb)
            log(f"[{label}] peak memory: {engine} {memory[engine]['peak_mb']:.0f} MB")

    row: dict[str, Any] = {
        "events": n,
        "users": outputs["users"],
        "user_days": int(outputs["kit"]["dau"].sum()),
        "days": outputs["kit"].height,
        "parquet_mb": round(size_bytes / 2**20, 1),
        "generate_seconds": None if cached else round(gen_s, 1),
        "seconds": {k: round(v, 3) for k, v in best.items()},
        "ratio": round(best["kit"] / best["duckdb"], 2),
        "others_cpu": {k: None if v is None else round(v, 3) for k, v in noise.items()},
        "runs": runs,
        "equal": True,
        "memory": memory,
        "repeat": args.repeat,
        "date": dt.date.today().isoformat(),
    }
    return row


# --- reporting --------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    ram = ram_gb()
    import duckdb

    con = duckdb.connect()
    threads = con.execute("SELECT current_setting('threads')").fetchone()
    con.close()
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "ram_gb": round(ram, 1),
        "cpu": cpu_name(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "polars": pl.__version__,
        "duckdb": duckdb.__version__,
        "stickiness": stickiness.__version__,
        "stickiness_commit": _git_commit(),
        "polars_threads": pl.thread_pool_size(),
        "duckdb_threads": None if threads is None else int(threads[0]),
    }


def _git_commit() -> str | None:
    """The last commit that changed stickiness/, "+dirty" if it has uncommitted changes (read-only git calls)."""
    repo = str(HERE.parent)
    try:
        rev = subprocess.run(
            ["git", "-C", repo, "log", "-1", "--format=%h", "--", "stickiness"], capture_output=True, text=True
        )
        diff = subprocess.run(
            ["git", "-C", repo, "diff", "--name-only", "HEAD", "--", "stickiness"], capture_output=True, text=True
        )
    except OSError:
        return None
    if rev.returncode != 0:
        return None
    return rev.stdout.strip() + ("+dirty" if diff.stdout.strip() else "")


def _mb(row: dict[str, Any], engine: str) -> str:
    entry = row["memory"].get(engine)
    return "–" if not entry else f"{entry['peak_mb']:,.0f}"


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| events | users | user-days | kit s | read_log s | active_users s | DuckDB s | kit / DuckDB "
        "| scan floor s | floor + event s | kit peak MB | DuckDB peak MB | floor peak MB | equal | others' CPU |"
    )
    lines = [head, "|" + "---:|" * 13 + ":---:|---:|"]
    for r in sorted(rows, key=lambda r: r["events"]):
        s = r["seconds"]
        lines.append(
            f"| {human(r['events'])} | {r['users']:,} | {r['user_days']:,} | {s['kit']:.2f} | {s['read_log']:.2f} "
            f"| {s['active_users']:.2f} | {s['duckdb']:.2f} | {r['ratio']:.1f}x | {s['floor']:.2f} "
            f"| {s['floor_event']:.2f} | {_mb(r, 'kit')} | {_mb(r, 'duckdb')} | {_mb(r, 'floor')} "
            f"| {'yes' if r['equal'] else 'NO'} | {noise(r)} |"
        )
    return "\n".join(lines)


def variants_table(rows: list[dict[str, Any]]) -> str | None:
    keys = sorted({k for r in rows for k in r["seconds"] if k.startswith("duckdb ")})
    if not keys:
        return None
    lines = ["| events | interval + epoch (the peer) | " + " | ".join(k.removeprefix("duckdb ") for k in keys) + " |"]
    lines.append("|" + "---:|" * (len(keys) + 2))
    for r in sorted(rows, key=lambda r: r["events"]):
        cells = [f"{r['seconds'][k]:.2f}" if k in r["seconds"] else "–" for k in keys]
        lines.append(f"| {human(r['events'])} | {r['seconds']['duckdb']:.2f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown(info: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    dates = sorted({r["date"] for r in rows})
    base = sorted({m["baseline_mb"] for r in rows for m in r["memory"].values() if m.get("baseline_mb")})
    baselines = "–" if not base else f"{base[0]:.0f}" if len(base) == 1 else f"{base[0]:.0f}–{base[-1]:.0f}"
    parts = [
        "# active_users: the kit vs DuckDB SQL",
        "",
        "Written by `benchmarks/bench_active_users.py`; see `benchmarks/README.md` for what is measured.",
        "",
        f"Machine: {info['nproc']} CPUs (`nproc`), {info['ram_gb']} GB RAM, {info['cpu']}; {info['platform']}.  ",
        f"Versions: Python {info['python']}, polars {info['polars']}, DuckDB {info['duckdb']}, "
        f"stickiness {info['stickiness']} (commit {info.get('stickiness_commit') or 'unknown'}).  ",
        f"Threads: polars {info['polars_threads']}, DuckDB {info['duckdb_threads']} (defaults).  ",
        f"Date: {', '.join(dates)}. Best of {', '.join(sorted({str(r['repeat']) for r in rows}))} wall-clock runs.",
        "",
        table(rows),
        "",
        '- **kit** = `read_log(path, tz="UTC")` + `active_users(log)` (window 30); **DuckDB** = '
        "`benchmarks/duckdb_sql.py` (distinct (user, day), then the +1/-1 interval trick), raw Parquet to daily table.",
        "- **scan floor** = polars reading `user_id` and `timestamp` with `n_unique(user_id)`, `max(timestamp)`; "
        "**floor + event** also reads `event` (`n_unique`).",
        "- **peak MB** = peak RSS (`VmHWM`) of a fresh Python process that imports the engine and runs the path "
        f"once; it includes the interpreter and libraries ({baselines} MB after imports).",
        "- **equal**: every daily table of every run, the kit's and DuckDB's, is identical (rows, values, types).",
        "- **others' CPU**: share of the machine's CPU used by other processes during the kept kit and DuckDB "
        "runs (each run waits for a quiet machine first); a few % is noise-free.",
    ]
    variants = variants_table(rows)
    if variants:
        parts += ["", "DuckDB SQL variants (seconds; all give the same table):", "", variants]
    return "\n".join(parts) + "\n"


def save(rows: list[dict[str, Any]], args: argparse.Namespace, info: dict[str, Any]) -> list[dict[str, Any]]:
    json_path = args.out / f"{NAME}.json"
    keep: list[dict[str, Any]] = []
    if json_path.exists() and not args.fresh:
        old = json.loads(json_path.read_text())
        if old.get("machine") == info:  # only merge rows measured on the same machine and versions
            new_sizes = {r["events"] for r in rows}
            keep = [r for r in old["results"] if r["events"] not in new_sizes]
    all_rows = sorted(keep + rows, key=lambda r: r["events"])
    args.out.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps({"machine": info, "results": all_rows}, indent=2) + "\n")
    (args.out / f"{NAME}.md").write_text(markdown(info, all_rows))
    return all_rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=sizes, default=[1_000_000, 10_000_000], help="events, e.g. 1000000,10000000 or 1e6,1e7,1e8"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per engine; the best is kept (default 3)")
    parser.add_argument("--window", type=int, default=30, help="MAU window in days (default 30)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=generate.DATA_DIR)
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the .md and .json results go")
    parser.add_argument("--fresh", action="store_true", help="drop earlier results instead of merging")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory subprocess runs")
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=120,
        metavar="SECONDS",
        help="before each run, wait up to this long for other processes to go quiet (default 120; 0: never)",
    )
    parser.add_argument(
        "--max-rss-gb",
        type=float,
        default=round(0.8 * ram_gb(), 1),
        help="abort if a process's memory passes this (default: 80%% of RAM; 0: no limit)",
    )
    parser.add_argument("--variants", action="store_true", help="also time the other DuckDB SQL variants")
    parser.add_argument("--worker", choices=["kit", "duckdb", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    guard_memory(args.max_rss_gb)
    if args.worker:
        worker(args.worker, args.path, args.window)
        return
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    info = machine()  # at the start: the code that is measured
    rows = []
    for n in args.sizes:
        rows.append(bench_size(n, args))
        save(rows, args, info)  # after every size, so a long run leaves its finished sizes behind
    all_rows = save(rows, args, info)
    print(table(all_rows))
    variants = variants_table(all_rows)
    if variants:
        print()
        print(variants)
    log(f"wrote {args.out / (NAME + '.md')} and {args.out / (NAME + '.json')}")


if __name__ == "__main__":
    main()
