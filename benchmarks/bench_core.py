"""Benchmark the core report stage by stage: the kit vs the same definitions in DuckDB SQL vs the scan floor.

The core report is what ``stickiness report --no-notebook`` computes (the metrics of
``stickiness_notebooks.spec.QUICKSTART``, with the report's default options):
``read_log(path, users=personas)``, then, on that one log, ``active_users(by="persona")``,
``monthly_active_users``, ``frequency_spectrum`` and ``use_case_map``, ``drifting_users``,
``unmapped_events``, ``retention`` and ``lifecycle`` (monthly), and ``inactive_users``. The kit
reads the log once and every metric starts from its activity table (and the intermediate frames
earlier metrics kept on the log), so the peer reads once too: ``duckdb_core_sql.CorePeer`` turns
the raw Parquet into DuckDB tables in one pass (the activity table and the ledger) and computes
each metric from them, on one connection.

For each size (``benchmarks/generate.py`` logs; a folder of part files above 10M events; the users
table ``user_id % 4`` -> persona, one user in 25 left out, as bench_use_cases.py), in this one
process and alternating the order every round, best of ``--repeat``:

- **scan floor**: polars reading ``user_id``, ``timestamp`` and ``event`` with trivial aggregates;
- **kit**: every stage, timed apart;
- **DuckDB**: every stage, timed apart, on a fresh in-memory connection;
- **raw Parquet to one metric**: ``read_log(path)`` + ``active_users(log)`` against
  ``duckdb_sql.active_users(path)`` (bench_active_users.py's pair), unless ``--no-raw``.

Every stage's output must equal the kit's (exact, floats to 1e-12 relative), and so must the
ledger and the activity table (row for row up to ``--full-check-rows`` rows, by per-event sums
above), or the run stops. Peak memory: each path runs once more in a fresh subprocess, which
reports its own peak RSS (``VmHWM``).

Results: tables on stdout, ``benchmarks/results/core.md`` and ``core.json`` (rows of other sizes
measured on the same machine and library versions are kept unless ``--fresh``). Progress on stderr.

Usage: ``python benchmarks/bench_core.py [--sizes 1e6,1e7] [--repeat 2]``; 100M events:
``python benchmarks/bench_core.py --sizes 1e8`` (reads ``benchmarks/data/events_100000000_seed0/``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
from polars.testing import assert_frame_equal

sys.path.insert(0, str(Path(__file__).resolve().parent))

import duckdb_core_sql as core
import duckdb_sql
import duckdb_use_cases_sql as ucsql
import generate
from _harness import (
    cpu_name,
    guard_memory,
    human,
    kit_version,
    log,
    measured,
    ram_gb,
    run_sizes,
    sizes,
    status_kb,
)

import stickiness as st

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
NAME = "core"
SCRATCH = Path(tempfile.gettempdir()) / "stickiness-bench-core"
#: Stages as the tables show them: the read, then the metrics in the report's order.
STAGES: tuple[str, ...] = ("read", *core.STAGES)
LABELS = {
    "read": "read (`read_log`: ledger, de-duplication, activity table)",
    "active_users": "`active_users` by persona",
    "monthly_active_users": "`monthly_active_users` by persona",
    "use_cases": "`frequency_spectrum` + `use_case_map`",
    "drifting_users": "`drifting_users`",
    "unmapped_events": "`unmapped_events`",
    "retention": "`retention` (monthly, by persona)",
    "lifecycle": "`lifecycle` (monthly, by persona)",
    "inactive_users": "`inactive_users` (30 days)",
}
TOL = {"rel_tol": 1e-12, "abs_tol": 1e-12}


# --- the measured paths -----------------------------------------------------------------------------------


def kit(path: Path, personas: Path, catalog: st.Catalog) -> tuple[dict[str, Any], dict[str, float], st.UsageLog]:
    """The kit's core report, as the report (stickiness_notebooks.spec.QUICKSTART) calls it.

    Returns the outputs, each stage's seconds and the log.
    """
    times: dict[str, float] = {}
    outputs: dict[str, Any] = {}

    def stage(name: str, fn: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        out = fn()
        times[name] = time.perf_counter() - started
        return out

    log_ = stage("read", lambda: st.read_log(path, users=personas, tz="UTC"))
    habit = {"by": "persona", "window": 90, "horizon": 365, "min_exposure": 30}
    outputs["active_users"] = stage("active_users", lambda: st.active_users(log_, window=30, by="persona"))
    outputs["monthly_active_users"] = stage("monthly_active_users", lambda: st.monthly_active_users(log_, by="persona"))
    verdict = {"threshold": 1.0, "majority": 0.5, "min_users": 30}  # the spectrum carries the map's verdict
    spectrum = stage("frequency_spectrum", lambda: st.frequency_spectrum(log_, catalog, **verdict, **habit))
    table = stage("use_case_map", lambda: st.use_case_map(log_, catalog, **verdict, **habit))
    times["use_cases"] = times["frequency_spectrum"] + times["use_case_map"]
    outputs["use_cases"] = (spectrum, table)
    outputs["drifting_users"] = stage(
        "drifting_users", lambda: st.drifting_users(log_, catalog, threshold=1.0, **habit)
    )
    outputs["unmapped_events"] = stage("unmapped_events", lambda: st.unmapped_events(log_, catalog))
    outputs["retention"] = stage("retention", lambda: st.retention(log_, by="persona", period="month"))
    outputs["lifecycle"] = stage("lifecycle", lambda: st.lifecycle(log_, by="persona", period="month"))
    outputs["inactive_users"] = stage("inactive_users", lambda: st.inactive_users(log_, days=30, by="persona"))
    times["total"] = sum(times[s] for s in STAGES)
    return outputs, times, log_


def duck(path: Path, personas: Path, *, variant: str = "window") -> tuple[dict[str, Any], dict[str, float], Any]:
    """DuckDB's core report on a fresh connection; returns the outputs, each stage's seconds and the open peer."""
    times: dict[str, float] = {}
    outputs: dict[str, Any] = {}
    peer = core.CorePeer()
    started = time.perf_counter()
    outputs["ledger"] = peer.read(path, personas, variant=variant)
    times["read"] = time.perf_counter() - started
    for name in core.STAGES:
        started = time.perf_counter()
        outputs[name] = getattr(peer, name)()
        times[name] = time.perf_counter() - started
    times["total"] = sum(times[s] for s in STAGES)
    return outputs, times, peer


def floor(path: Path) -> tuple[Any, ...]:
    """Polars reading the three columns the kit reads, with trivial aggregates."""
    exprs = [pl.col("user_id").n_unique(), pl.col("timestamp").max(), pl.col("event").n_unique()]
    return pl.scan_parquet(generate.parquet_glob(path)).select(exprs).collect().row(0)


def kit_raw(path: Path) -> pl.DataFrame:
    """Raw Parquet to one metric, the kit: ``read_log`` then ``active_users`` (no segments)."""
    return st.active_users(st.read_log(path, tz="UTC"))


def duck_read_only(path: Path, personas: Path, variant: str) -> dict[str, Any]:
    """The DuckDB read stage alone (for ``--read-variants``)."""
    with core.CorePeer() as peer:
        return peer.read(path, personas, variant=variant)


# --- checks -----------------------------------------------------------------------------------------------


_FINGERPRINT = """
SELECT CAST(event AS VARCHAR) AS event, count(*) AS rows, sum(events) AS events, count(DISTINCT "user") AS users,
       sum("user") AS user_sum, sum(day - DATE '1970-01-01') AS day_sum
FROM activity GROUP BY ALL ORDER BY event
"""


def fingerprint(activity: pl.DataFrame) -> pl.DataFrame:
    """Per event of an activity table: rows, events, distinct users, and sums of user ids and day numbers."""
    return (
        activity.group_by("event")
        .agg(
            rows=pl.len(),
            events=pl.col("events").sum(),
            users=pl.col("user").n_unique(),
            user_sum=pl.col("user").cast(pl.Int64).sum(),
            day_sum=pl.col("day").cast(pl.Int32).cast(pl.Int64).sum(),
        )
        .sort("event")
        .with_columns(pl.exclude("event").cast(pl.Int64))
    )


def fingerprint_duck(peer: Any) -> pl.DataFrame:
    frame = peer.con.sql(_FINGERPRINT).pl()
    return frame.with_columns(pl.exclude("event").cast(pl.Int64))


#: The kit's interval columns (docs/intervals.md): computed in polars from the counts compared here; the SQL peer
#: has no Beta quantile, so the comparison leaves them out.
INTERVALS = (
    *("stickiness_low", "stickiness_high", "retention_rate_low", "retention_rate_high"),
    *("churn_rate_low", "churn_rate_high", "share_low", "share_high", "small_sample"),
)


def compare_stage(stage: str, ours: Any, theirs: Any) -> bool:
    """Raise unless the peer's output equals the kit's; return True when the floats are bit-identical too."""
    if stage == "use_cases":
        spectrum, table = ours
        spectrum = spectrum.drop(INTERVALS, strict=False)
        assert_frame_equal(theirs[0], spectrum, **TOL)
        table = table.select(list(ucsql.MAP_SCHEMA))
        assert_frame_equal(theirs[1], table, **TOL)
        return bool(theirs[0].equals(spectrum) and theirs[1].equals(table))
    ours = ours.drop(INTERVALS, strict=False)
    assert_frame_equal(theirs, ours, **TOL)
    return bool(theirs.equals(ours))


def check_read(
    kit_check: tuple[dict[str, Any], pl.DataFrame], duck_check: tuple[dict[str, Any], pl.DataFrame], label: str
) -> str:
    """Stop unless the ledgers and the activity tables are equal; say how the tables were compared."""
    (ours, kit_activity), (theirs, duck_activity) = kit_check, duck_check
    for key in ("rows_read", "rows_used", "set_aside", "users", "users_without_segment", "first_day", "as_of"):
        if ours[key] != theirs[key]:
            raise SystemExit(f"MISMATCH ({label}): ledger {key}: kit {ours[key]!r}, DuckDB {theirs[key]!r}")
    if "day" in kit_activity.columns and "day" in duck_activity.columns:
        keys = ["user", "day", "event"]
        kit_activity, duck_activity, how = kit_activity.sort(keys), duck_activity.sort(keys), "row for row"
    else:
        how = "per-event rows, events, distinct users and sums of user ids and days"
        kit_activity = fingerprint(kit_activity) if "day" in kit_activity.columns else kit_activity
        duck_activity = fingerprint(duck_activity) if "day" in duck_activity.columns else duck_activity
    try:
        assert_frame_equal(duck_activity, kit_activity, check_exact=True)
    except AssertionError as err:
        raise SystemExit(f"MISMATCH ({label}): the activity tables differ ({how}).\n{err}") from err
    return how


# --- one size ---------------------------------------------------------------------------------------------


def data_path(n: int, args: argparse.Namespace) -> Path:
    if not generate.is_cached(n, args.seed, args.data_dir):
        log(f"[{human(n)}] generating the log into {args.data_dir} ...")
    return generate.generate(n, args.seed, args.data_dir)


def _stages_note(held: dict[str, Any] | None) -> str:
    """The sentence on the stage store after the kit's core report, or nothing (runs before the store)."""
    if not held:
        return ""
    return (
        f" After the core report the log's stage store (`log.stages`) held {held['results']} results, "
        f"{held['mb']:,} MB of its {held['budget_mb']:,} MB budget."
    )


def stage_store(log_: st.UsageLog, label: str) -> dict[str, Any] | None:
    """Log ``repr(log.stages)`` after the whole core report and return what it held (None before the store).

    Shows whether the store's budget (``STICKINESS_CACHE_MB``) dropped a stage the report would reuse.
    """
    store = getattr(log_, "stages", None)
    if store is None:
        return None
    log(f"[{label}] the log's stage store after the core report:\n{store!r}")
    return {"results": len(store), "mb": round(store.nbytes / 2**20, 1), "budget_mb": round(store.budget / 2**20)}


def bench_size(n: int, args: argparse.Namespace) -> dict[str, Any]:
    label = human(n)
    path = data_path(n, args)
    size_bytes = sum(p.stat().st_size for p in path.glob("*.parquet")) if path.is_dir() else path.stat().st_size
    personas = ucsql.write_personas(path, args.scratch / f"personas_{n}_seed{args.seed}.parquet")
    catalog = st.read_catalog(ucsql.catalog_frame())
    log(f"[{label}] data: {path} ({size_bytes / 2**20:,.0f} MB); users table {personas}")

    tasks: dict[str, Callable[[], Any]] = {
        "floor": lambda: floor(path),
        "kit": lambda: kit(path, personas, catalog),
        "duckdb": lambda: duck(path, personas),
    }
    if not args.no_raw:
        tasks["kit_raw"] = lambda: kit_raw(path)
        tasks["duckdb_raw"] = lambda: duckdb_sql.active_users(path)
    if args.read_variants:
        for variant in list(core.READ_VARIANTS)[1:]:
            tasks[f"duckdb_read_{variant}"] = lambda v=variant: duck_read_only(path, personas, v)
    names = list(tasks)
    best: dict[str, dict[str, float]] = {"kit": {}, "duckdb": {}}
    seconds: dict[str, float] = {}
    noise: dict[str, float | None] = {}
    runs: dict[str, list[Any]] = {name: [] for name in names}
    reference: dict[str, Any] | None = None  # the kit's outputs of its first run
    pending: dict[str, Any] = {}  # first-round activity tables or fingerprints, compared when both are in
    identical: dict[str, bool] = {}
    shape: dict[str, Any] = {}
    for round_ in range(args.repeat):
        shift = round_ % len(names)
        order = names[shift:] + names[:shift]
        order = order if round_ % 2 == 0 else order[::-1]
        for name in order:
            out, wall, others = measured(tasks[name], args.wait_idle)
            busy = "" if others is None else f"  [others' CPU {others:.0%}]"
            if name in ("kit", "duckdb"):
                outputs, times, handle = out
                wall = times["total"]
                for stage, value in times.items():
                    best[name][stage] = min(best[name].get(stage, float("inf")), value)
                runs[name].append({k: round(v, 3) for k, v in times.items()} | {"others_cpu": others})
                detail = ", ".join(f"{s} {times[s]:.2f}" for s in STAGES)
                log(f"[{label}] round {round_ + 1}/{args.repeat} {name} {wall:.2f} s ({detail}){busy}")
                if name == "kit":
                    held = stage_store(handle, label)
                    if reference is None:
                        reference = outputs
                        shape = {
                            "rows_read": handle.ledger.rows_read,
                            "users": handle.ledger.users,
                            "activity_rows": handle.activity.height,
                            "first_day": str(handle.first_day),
                            "as_of": str(handle.as_of),
                        }
                        full = handle.activity.height <= args.full_check_rows
                        ledger = handle.ledger.to_dict() | {"first_day": handle.first_day, "as_of": handle.as_of}
                        pending["kit_check"] = (ledger, handle.activity if full else fingerprint(handle.activity))
                    shape["stages"] = held
                else:
                    if "duck_check" not in pending:
                        full = handle._row("SELECT count(*) FROM activity")[0] <= args.full_check_rows
                        activity = handle.activity() if full else fingerprint_duck(handle)
                        pending["duck_check"] = (outputs["ledger"], activity)
                    handle.close()
                    pending.setdefault("duck_outputs", []).append(outputs)
                del handle
            else:
                runs[name].append([round(wall, 3), others])
                log(f"[{label}] round {round_ + 1}/{args.repeat} {name} {wall:.3f} s{busy}")
                if name == "kit_raw":
                    pending.setdefault("raw", {})["kit"] = out
                elif name == "duckdb_raw":
                    pending.setdefault("raw", {})["duckdb"] = out
            if wall <= seconds.get(name, float("inf")):
                noise[name] = others
            seconds[name] = min(seconds.get(name, float("inf")), wall)
            del out
            gc.collect()
            if "kit_check" in pending and "duck_check" in pending:
                shape["activity_check"] = check_read(pending.pop("kit_check"), pending.pop("duck_check"), label)
                log(f"[{label}] equal: the ledger and the activity table ({shape['activity_check']})")
        gc.collect()

    assert reference is not None
    for i, outputs in enumerate(pending.get("duck_outputs", [])):
        for stage in core.STAGES:
            try:
                same = compare_stage(stage, reference[stage], outputs[stage])
            except AssertionError as err:
                raise SystemExit(f"MISMATCH ({label}, DuckDB run {i + 1}, {stage}):\n{err}") from err
            identical[stage] = identical.get(stage, True) and same
    log(f"[{label}] equal: every stage of every DuckDB run equals the kit's output")
    raw = pending.get("raw", {})
    if "kit" in raw and "duckdb" in raw:
        try:
            assert_frame_equal(raw["duckdb"], raw["kit"], check_exact=True)
        except AssertionError as err:
            raise SystemExit(f"MISMATCH ({label}): raw Parquet to active users differs.\n{err}") from err

    memory: dict[str, Any] = {}
    if not args.no_memory:
        reference = None
        pending.clear()
        gc.collect()
        for engine in ("kit", "duckdb", "floor"):
            log(f"[{label}] peak memory: {engine} in a fresh subprocess ...")
            memory[engine] = peak_rss(engine, path, personas, args.max_rss_gb)
            log(f"[{label}] peak memory: {engine} {memory[engine]['peak_mb']:,.0f} MB")

    return {
        "events": n,
        "path": str(path),
        "parquet_mb": round(size_bytes / 2**20, 1),
        **shape,
        "seconds": {
            "kit": {k: round(v, 3) for k, v in best["kit"].items()},
            "duckdb": {k: round(v, 3) for k, v in best["duckdb"].items()},
            **{k: round(v, 3) for k, v in seconds.items() if k not in ("kit", "duckdb")},
            "kit_total": round(seconds["kit"], 3),
            "duckdb_total": round(seconds["duckdb"], 3),
        },
        "others_cpu": {k: None if v is None else round(v, 3) for k, v in noise.items()},
        "runs": runs,
        "equal": True,
        "floats_identical": identical,
        "memory": memory,
        "repeat": args.repeat,
        "date": dt.date.today().isoformat(),
        "kit_version": KIT_VERSION,
        "peer_version": PEER_VERSION,
    }


# --- peak memory ------------------------------------------------------------------------------------------


def worker(engine: str, path: Path, personas: Path) -> None:
    """Run one path once in this fresh process and print JSON (seconds, RSS) for the parent."""
    import duckdb  # noqa: F401  (both paths load polars and DuckDB before the baseline)

    catalog = st.read_catalog(ucsql.catalog_frame())
    baseline = status_kb("VmRSS")
    started = time.perf_counter()
    if engine == "kit":
        kit(path, personas, catalog)
    elif engine == "duckdb":
        duck(path, personas)[2].close()
    elif engine == "floor":
        floor(path)
    else:
        raise SystemExit(f"unknown worker engine {engine!r}")
    seconds = time.perf_counter() - started
    # VmHWM: this process image's peak RSS (ru_maxrss would carry over the forking parent's on Linux).
    peak = status_kb("VmHWM")
    if peak is None:
        import resource

        scale = 1 / 1024 if sys.platform == "darwin" else 1  # bytes on macOS, KiB on Linux
        peak = int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale)
    print(json.dumps({"seconds": seconds, "baseline_kb": baseline, "peak_kb": peak}))


def peak_rss(engine: str, path: Path, personas: Path, limit_gb: float) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", engine, "--path", str(path)]
    cmd += ["--personas", str(personas), "--max-rss-gb", str(limit_gb)]
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


def machine() -> dict[str, Any]:
    import duckdb
    import narwhals

    con = duckdb.connect()
    threads = con.execute("SELECT current_setting('threads')").fetchall()
    con.close()
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "ram_gb": round(ram_gb(), 1),
        "cpu": cpu_name(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "polars": pl.__version__,
        "narwhals": narwhals.__version__,
        "duckdb": duckdb.__version__,
        "stickiness": st.__version__,
        "polars_threads": pl.thread_pool_size(),
        "duckdb_threads": int(threads[0][0]) if threads else None,
    }


def peer_version() -> str:
    """The last commit of the peer and this script, and whether they have uncommitted changes (read-only git)."""
    repo, files = str(HERE.parent), ["benchmarks/duckdb_core_sql.py", "benchmarks/duckdb_use_cases_sql.py", __file__]
    try:
        last = subprocess.run(
            ["git", "-C", repo, "log", "-1", "--format=%h", "--", *files], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", repo, "status", "--porcelain", "--", *files], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{last} + uncommitted changes" if dirty else last


#: The kit's and the peer's code as imported by this process (the repo may change while a long run goes on).
KIT_VERSION = kit_version()
PEER_VERSION = peer_version()


def _ratio(a: float | None, b: float | None) -> str:
    return "–" if not a or not b else f"{a / b:.1f}x"


def _s(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if value < 0.1 else f"{value:.2f}" if value < 100 else f"{value:.0f}"


def _mb(row: dict[str, Any], engine: str) -> str:
    entry = row["memory"].get(engine)
    return "–" if not entry else f"{entry['peak_mb']:,.0f}"


def size_table(row: dict[str, Any]) -> str:
    s = row["seconds"]
    kit_s, duck_s = s["kit"], s["duckdb"]
    lines = ["| stage | kit s | DuckDB s | kit / DuckDB |", "|---|---:|---:|---:|"]
    for stage in STAGES:
        lines.append(
            f"| {LABELS[stage]} | {_s(kit_s.get(stage))} | {_s(duck_s.get(stage))} "
            f"| {_ratio(kit_s.get(stage), duck_s.get(stage))} |"
        )
    kit_total, duck_total, floor_s = s["kit_total"], s["duckdb_total"], s.get("floor")
    lines.append(
        f"| **whole core report** (best run's sum of stages) | **{_s(kit_total)}** | **{_s(duck_total)}** "
        f"| **{_ratio(kit_total, duck_total)}** |"
    )
    lines.append(f"| scan floor (polars reads the 3 columns) | {_s(floor_s)} | {_s(floor_s)} | |")
    lines.append(f"| whole core report / scan floor | {_ratio(kit_total, floor_s)} | {_ratio(duck_total, floor_s)} | |")
    if "kit_raw" in s:
        lines.append(
            f"| raw Parquet to one metric: active users, no segments (`read_log` + `active_users` "
            f"vs `duckdb_sql.py`) | {_s(s['kit_raw'])} | {_s(s['duckdb_raw'])} "
            f"| {_ratio(s['kit_raw'], s['duckdb_raw'])} |"
        )
    for key in (k for k in s if k.startswith("duckdb_read_")):
        variant = key.removeprefix("duckdb_read_")
        lines.append(f"| read stage, variant `{variant}` (DuckDB only) | | {_s(s[key])} | |")
    lines.append(f"| peak memory, MB (fresh process, whole core report) | {_mb(row, 'kit')} | {_mb(row, 'duckdb')} | |")
    return "\n".join(lines)


def _others(row: dict[str, Any]) -> str:
    shares = [v for k, v in row["others_cpu"].items() if k in ("kit", "duckdb") and v is not None]
    return "–" if not shares else f"{max(shares):.0%}"


def markdown(info: dict[str, Any], rows: list[dict[str, Any]], notes: str) -> str:
    dates = sorted({r["date"] for r in rows})
    base = sorted({round(m["baseline_mb"]) for r in rows for m in r["memory"].values() if m.get("baseline_mb")})
    baselines = "–" if not base else f"{base[0]}" if len(base) == 1 else f"{base[0]}–{base[-1]}"
    parts = [
        "# The core report, stage by stage: the kit vs DuckDB SQL vs the scan floor",
        "",
        "Written by `benchmarks/bench_core.py` (the SQL peer: `benchmarks/duckdb_core_sql.py`).",
        "",
        f"Machine: {info['nproc']} CPUs (`nproc`), {info['ram_gb']} GB RAM, {info['cpu']}; {info['platform']}.  ",
        f"Versions: Python {info['python']}, polars {info['polars']}, narwhals {info['narwhals']}, "
        f"DuckDB {info['duckdb']}, stickiness {info['stickiness']}.  ",
        f"Threads: polars {info['polars_threads']}, DuckDB {info['duckdb_threads']} (defaults).  ",
        f"Date: {', '.join(dates)}. Best of {', '.join(sorted({str(r['repeat']) for r in rows}))} wall-clock "
        "runs per stage.",
        "",
    ]
    for r in sorted(rows, key=lambda r: r["events"]):
        parts += [
            f"## {human(r['events'])} events",
            "",
            f"{r['rows_read']:,} rows ({r['parquet_mb']:,.0f} MB of Parquet), {r['users']:,} users, "
            f"{r['activity_rows']:,} activity rows (user x day x event), {r['first_day']} .. {r['as_of']}. "
            f"Kit code: {r['kit_version']}; peer code: {r.get('peer_version', 'unknown')}. Date {r['date']}. "
            f"Others' CPU during the kept runs: {_others(r)}.",
            "",
            size_table(r),
            "",
            f"Equal: the ledger and the activity table ({r.get('activity_check', 'checked')}), and every stage's "
            "output of every DuckDB run (exact; floats to 1e-12 relative; bit-identical: "
            + (", ".join(s for s, same in r["floats_identical"].items() if same) or "none")
            + ")."
            + _stages_note(r.get("stages")),
            "",
        ]
    parts += [
        "## What is timed, and why this way",
        "",
        '- **kit**: `read_log(path, users=personas, tz="UTC")`, then the report\'s calls on that one log, in '
        "the order and with the options of `stickiness report --no-notebook` (stickiness_notebooks.spec.QUICKSTART): "
        "by persona, MAU window 30, habit window 90, horizon 365, min_exposure 30, threshold 1, majority 0.5, "
        "min_users 30, monthly retention and lifecycle, inactive after 30 days; the catalog maps the 20 generated"
        " event names to 5 use cases (bench_use_cases.py's). Each stage is timed apart; a stage reuses what "
        "earlier ones kept on the log (the active days, the use-case habit stages), as in the report.",
        "- **DuckDB**: `duckdb_core_sql.CorePeer` on a fresh in-memory connection. The kit reads once and every "
        "metric starts from its activity table, so the fair peer reads once too: the **read** stage goes from "
        "the raw Parquet to a materialized table `activity(user, day, event, events)` and the ledger in one SQL "
        "pass (exact duplicates found by a window over each user's rows sorted by time and event, then one "
        "GROUP BY; event names as an ENUM), and loads the users table; each metric stage is SQL over those "
        "tables and the intermediate tables earlier stages kept, fetched as a polars frame with the kit's types "
        "and row order.",
        "- **What each stage reuses**, on both sides: `active_users` keeps the distinct active (user, day) rows "
        "with each user's next active day (the kit on the log, the peer as `user_days`), which "
        "`monthly_active_users`, `retention` and `inactive_users` start from (the peer also takes the use case "
        "`(any)` from them); `frequency_spectrum` + `use_case_map` keep the per-adopter rates (the kit's habit "
        "stages, the peer's `adopters`), which `drifting_users` filters; `retention` keeps the monthly counts, "
        "which `lifecycle` reads (hence its ~0 s on both sides). `unmapped_events` sums the activity table over "
        "the unmapped events.",
        "- **whole core report**: the sum of the stages in the fastest run (the per-stage bests may come from "
        "different runs, so they can add up to less).",
        "- **scan floor**: polars reading `user_id`, `timestamp` and `event` (what `read_log` reads) with "
        "`n_unique` / `max`: what any engine pays to read the log.",
        "- **raw Parquet to one metric**: the kit's `read_log(path)` + `active_users(log)` against "
        "`duckdb_sql.active_users(path)`, which reads only `user_id` and `timestamp` and never builds an activity "
        "table: what a one-off SQL query costs, next to the read-once design above.",
        "- Every path runs in this one process, alternating the order every round, with each engine's default "
        "threads; each round reads the log again. **peak memory** = peak RSS (`VmHWM`) of a fresh Python process "
        f"that imports polars and DuckDB and runs the whole path once ({baselines} MB after imports).",
        "- **others' CPU**: the machine is shared; the share of its CPU used by other processes during the kept "
        "kit and DuckDB runs. Runs with a high share are slower than on a quiet machine.",
        "",
        "Left out of the peer: no stage of the report (every table above is computed in SQL and checked equal). "
        "The peer covers what the benchmark needs: Parquet logs with a microsecond timestamp column analysed in "
        "UTC, no `start` / `as_of`, monthly periods, a catalog without profile columns. Blank personas are "
        "`(unknown)` in every stage of the peer, as docs/metrics.md says (the benchmark's users table has none).",
    ]
    if notes.strip():
        parts += ["", notes.strip()]
    return "\n".join(parts) + "\n"


NOTES_START = "<!-- notes: kept when the tables are rewritten -->"
#: Machine fields that must match for earlier rows to be kept (the kit's commit is recorded per row).
SAME_MACHINE = ("nproc", "ram_gb", "cpu", "python", "polars", "narwhals", "duckdb")


def save(rows: list[dict[str, Any]], args: argparse.Namespace, info: dict[str, Any]) -> list[dict[str, Any]]:
    json_path, md_path = args.out / f"{NAME}.json", args.out / f"{NAME}.md"
    keep: list[dict[str, Any]] = []
    if json_path.exists() and not args.fresh:
        old = json.loads(json_path.read_text())
        if all(old.get("machine", {}).get(k) == info.get(k) for k in SAME_MACHINE):
            new_sizes = {r["events"] for r in rows}
            keep = [r for r in old["results"] if r["events"] not in new_sizes]
    notes = ""
    if md_path.exists() and NOTES_START in md_path.read_text():
        notes = NOTES_START + md_path.read_text().split(NOTES_START, 1)[1]
    all_rows = sorted(keep + rows, key=lambda r: r["events"])
    args.out.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps({"machine": info, "results": all_rows}, indent=2, default=str) + "\n")
    md_path.write_text(markdown(info, all_rows, notes))
    return all_rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=sizes, default=[1_000_000, 10_000_000], help="events, e.g. 1e6,1e7 or 1e8")
    parser.add_argument("--repeat", type=int, default=2, help="runs per path; the best is kept (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=generate.DATA_DIR, help="where the generated logs are")
    parser.add_argument("--scratch", type=Path, default=SCRATCH, help=f"users tables (default {SCRATCH})")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where core.md and core.json go")
    parser.add_argument("--fresh", action="store_true", help="drop the rows of earlier runs instead of merging")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory subprocess runs")
    parser.add_argument("--no-raw", action="store_true", help="skip the raw-Parquet-to-one-metric pair")
    parser.add_argument(
        "--read-variants", action="store_true", help="also time DuckDB's read stage with count(DISTINCT timestamp)"
    )
    parser.add_argument(
        "--full-check-rows",
        type=int,
        default=20_000_000,
        help="compare the activity tables row for row up to this many rows, by per-event sums above (default 2e7)",
    )
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=60,
        metavar="SECONDS",
        help="before each run, wait up to this long for other processes to go quiet (default 60; 0: never)",
    )
    parser.add_argument(
        "--max-rss-gb",
        type=float,
        default=round(0.8 * ram_gb(), 1),
        help="abort if a process's memory passes this (default: 80%% of RAM; 0: no limit)",
    )
    parser.add_argument("--render", action="store_true", help="only rewrite core.md from core.json")
    parser.add_argument("--worker", choices=["kit", "duckdb", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--personas", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    guard_memory(args.max_rss_gb)
    if args.worker:
        worker(args.worker, args.path, args.personas)
        return
    if args.render:
        saved = json.loads((args.out / f"{NAME}.json").read_text())
        md_path = args.out / f"{NAME}.md"
        text = md_path.read_text() if md_path.exists() else ""
        notes = NOTES_START + text.split(NOTES_START, 1)[1] if NOTES_START in text else ""
        md_path.write_text(markdown(saved["machine"], saved["results"], notes))
        return
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    info = machine()
    rows = run_sizes(args.sizes, lambda n: bench_size(n, args), lambda done: save(done, args, info), size_table)
    save(rows, args, info)
    log(f"wrote {args.out / (NAME + '.md')} and {args.out / (NAME + '.json')}")


if __name__ == "__main__":
    main()
