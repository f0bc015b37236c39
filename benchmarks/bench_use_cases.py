"""Benchmark the kit's use-case metrics against the same definitions in plain DuckDB SQL.

For each size: generate the log if it is not cached (benchmarks/generate.py), write
its users table (``user_id, persona``: ``user_id % 4`` names one of four personas,
one user in 25 is left out and so ``(unknown)``), then, in this one process and
alternating the order each round, time

- the kit's full path: ``read_log(path, users=personas)``, then
  ``frequency_spectrum(log, catalog)`` and ``use_case_map(log, catalog)`` with the
  defaults, and each of the three steps;
- DuckDB's full path, raw Parquet to both tables (benchmarks/duckdb_use_cases_sql.py);
- with ``--variants``: DuckDB without the medians (no window function), and the kit
  with ``engine="duckdb"``;

keeping the best of ``--repeat`` wall times, with each engine's default thread
count. The catalog maps the generator's 20 event names to five use cases (plus
``(any)`` and ``(unmapped)``). The spectrum and the map's measured columns must be
equal, or the run fails. Peak memory is measured apart: each engine runs once more
in a fresh subprocess, which reports its own peak RSS (``VmHWM``).

Results: a table on stdout, ``benchmarks/results/use_cases.md`` and
``use_cases.json`` (rows of earlier runs on the same machine and versions are kept
unless ``--fresh``). Progress goes to stderr.

Usage: ``python benchmarks/bench_use_cases.py --sizes 1000000,10000000[,100000000] [--repeat 3]``
(sizes also as ``1e6,1e7,1e8``).
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

import duckdb_use_cases_sql as peer
import generate
from _harness import cpu_name, human, kit_version, log, measured, noise, sizes, status_kb, timed

import stickiness
from stickiness.catalog import Catalog, read_catalog
from stickiness.metrics.use_cases import frequency_spectrum, use_case_map

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
NAME = "use_cases"
#: Users tables are written here (benchmarks/data/ holds the generator's logs and is left alone).
SCRATCH = Path(tempfile.gettempdir()) / "stickiness-bench-use-cases"
#: Map columns whose values come from medians or square roots: equal to 1e-12 relative, not bit for bit.
FLOAT_COLUMNS = ("median_rate", "median_interval_days", "ci_low", "ci_high")


# --- the measured paths -----------------------------------------------------------------------------------


def kit(path: Path, personas: Path, catalog: Catalog, engine: str = "polars") -> tuple[Any, dict[str, float]]:
    """The kit's full path; returns ``(spectrum, map)`` and the times of the three steps and the total."""
    started = time.perf_counter()
    log = stickiness.read_log(path, users=personas, engine=engine)  # type: ignore[arg-type]
    read = time.perf_counter()
    spectrum = frequency_spectrum(log, catalog)
    between = time.perf_counter()
    table = use_case_map(log, catalog)
    done = time.perf_counter()
    times = {
        "total": done - started,
        "read_log": read - started,
        "frequency_spectrum": between - read,
        "use_case_map": done - between,
    }
    return (spectrum, table), times


def duck(path: Path, personas: Path, *, medians: bool = True) -> tuple[pl.DataFrame, pl.DataFrame]:
    """DuckDB's full path on a fresh in-memory connection."""
    return peer.use_cases(path, personas, medians=medians)


def worker(engine: str, path: Path, personas: Path) -> None:
    """Run one engine once in this fresh process and print JSON (seconds, RSS) for the parent."""
    import duckdb  # noqa: F401  (loaded before the baseline by both engines, like polars)

    catalog = read_catalog(peer.catalog_frame())
    baseline = status_kb("VmRSS")
    started = time.perf_counter()
    if engine == "kit":
        kit(path, personas, catalog)
    elif engine == "duckdb":
        duck(path, personas)
    else:
        raise SystemExit(f"unknown worker engine {engine!r}")
    seconds = time.perf_counter() - started
    # VmHWM: the peak RSS of this process image. getrusage's ru_maxrss (here or RUSAGE_CHILDREN in the
    # parent) would not do on Linux: it keeps the high-water mark of the forking parent's image.
    peak = status_kb("VmHWM")
    if peak is None:
        import resource

        scale = 1 / 1024 if sys.platform == "darwin" else 1  # bytes on macOS, KiB on Linux
        peak = int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale)
    print(json.dumps({"seconds": seconds, "baseline_kb": baseline, "peak_kb": peak}))


def peak_rss(engine: str, path: Path, personas: Path) -> dict[str, Any]:
    """Run ``worker`` in a fresh interpreter and return its peak RSS (MB), RSS after imports, and time."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", engine, "--path", str(path)]
    cmd += ["--personas", str(personas)]
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


# --- equality ---------------------------------------------------------------------------------------------


def check_equal(kit_out: Any, duck_out: Any, label: str, *, medians: bool = True) -> bool:
    """Fail loudly unless the spectra are identical and the maps agree on every measured column.

    Counts, shares, bands and verdicts must be identical (exact values, types, row
    order); the medians and the Wilson interval to 1e-12 relative (different
    summation and interpolation code). Without ``medians`` those are not compared.
    Returns True when the map's float columns are bit-identical too.
    """
    kit_spectrum, kit_map = kit_out
    duck_spectrum, duck_map = duck_out
    kit_map = kit_map.select(list(peer.MAP_SCHEMA))
    floats = [c for c in FLOAT_COLUMNS if medians or c.startswith("ci_")]
    exact = [c for c in peer.MAP_SCHEMA if c not in FLOAT_COLUMNS]
    checks: list[tuple[str, pl.DataFrame, pl.DataFrame, dict[str, Any]]] = [
        ("frequency_spectrum", kit_spectrum, duck_spectrum, {"check_exact": True}),
        ("use_case_map", kit_map.select(exact), duck_map.select(exact), {"check_exact": True}),
        ("use_case_map (medians, CI)", kit_map.select(floats), duck_map.select(floats), {"rel_tol": 1e-12}),
    ]
    for what, ours, theirs, how in checks:
        try:
            assert_frame_equal(ours, theirs, **how)
        except AssertionError as err:
            detail = ""
            keys = [c for c in ("persona", "use_case", "band") if c in theirs.columns]
            if keys and what != "use_case_map (medians, CI)":
                both = ours.join(theirs, on=keys, how="full", suffix="_duckdb", coalesce=True, nulls_equal=True)
                values = [c for c in ours.columns if c not in keys]
                differ = pl.any_horizontal(pl.col(c).ne_missing(pl.col(f"{c}_duckdb")) for c in values)
                detail = f"\nFirst differing rows (kit, then _duckdb):\n{both.filter(differ).head(10)}"
            raise SystemExit(f"MISMATCH ({label}, {what}): the kit and DuckDB disagree.\n{err}{detail}") from err
    return kit_map.select(floats).equals(duck_map.select(floats))


# --- one size ---------------------------------------------------------------------------------------------


def data_path(n: int, args: argparse.Namespace) -> Path:
    """The log: cached in benchmarks/data (or --data-dir) if there, else generated into --scratch."""
    for folder in (args.data_dir, args.scratch / "data"):
        if generate.is_cached(n, args.seed, folder):
            return generate.log_path(n, args.seed, folder)
    folder = args.scratch / "data" if args.data_dir == generate.DATA_DIR else args.data_dir
    return generate.generate(n, args.seed, folder)


def bench_size(n: int, args: argparse.Namespace) -> dict[str, Any]:
    label = human(n)
    cached = any(generate.is_cached(n, args.seed, d) for d in (args.data_dir, args.scratch / "data"))
    log(f"[{label}] data: {'cached' if cached else 'generating'} ...")
    path, gen_s = timed(lambda: data_path(n, args))
    log(f"[{label}] data: {path}")
    size_bytes = sum(p.stat().st_size for p in path.glob("*.parquet")) if path.is_dir() else path.stat().st_size
    personas = peer.write_personas(path, args.scratch / f"personas_{n}_seed{args.seed}.parquet")
    catalog = read_catalog(peer.catalog_frame())

    tasks: dict[str, Callable[[], Any]] = {
        "kit": lambda: kit(path, personas, catalog),
        "duckdb": lambda: duck(path, personas),
    }
    if args.variants:
        tasks["duckdb without medians"] = lambda: duck(path, personas, medians=False)
        tasks["kit engine=duckdb"] = lambda: kit(path, personas, catalog, engine="duckdb")
    names = list(tasks)
    best: dict[str, float] = {}
    noise: dict[str, float | None] = {}  # other processes' CPU share during the kept (best) run
    runs: dict[str, list[list[float | None]]] = {name: [] for name in names}
    outputs: dict[str, Any] = {}
    for round_ in range(args.repeat):
        shift = round_ % len(names)
        order = names[shift:] + names[:shift] if round_ % 2 == 0 else list(reversed(names[shift:] + names[:shift]))
        for name in order:
            out, seconds, others = measured(tasks[name], args.wait_idle)
            busy = "" if others is None else f"  [others' CPU {others:.0%}]"
            if name.startswith("kit"):
                out, times = out
                seconds = times["total"]
                prefix = "" if name == "kit" else f"{name}: "
                for key, value in times.items():
                    best[prefix + key] = min(best.get(prefix + key, float("inf")), value)
                log(
                    f"[{label}] round {round_ + 1}/{args.repeat} {name} {seconds:.3f} s (read_log "
                    f"{times['read_log']:.3f} + frequency_spectrum {times['frequency_spectrum']:.3f} "
                    f"+ use_case_map {times['use_case_map']:.3f}){busy}"
                )
            else:
                log(f"[{label}] round {round_ + 1}/{args.repeat} {name} {seconds:.3f} s{busy}")
            outputs[name] = out
            best[name] = min(best.get(name, float("inf")), seconds)
            runs[name].append([round(seconds, 3), None if others is None else round(others, 3)])
            if seconds <= best[name]:
                noise[name] = others
            del out
        gc.collect()

    identical = check_equal(outputs["kit"], outputs["duckdb"], f"{label} events")
    for name in names:
        if name not in ("kit", "duckdb"):
            check_equal(outputs["kit"], outputs[name], f"{label} events, {name}", medians="medians" not in name)
    spectrum, table = outputs["kit"]
    log(
        f"[{label}] equal: spectrum ({spectrum.height} rows) and map ({table.height} segments) "
        "agree between the kit and DuckDB"
    )

    memory: dict[str, Any] = {}
    if not args.no_memory:
        outputs.clear()
        gc.collect()
        for engine in ("kit", "duckdb"):
            log(f"[{label}] peak memory: {engine} in a fresh subprocess ...")
            memory[engine] = peak_rss(engine, path, personas)
            log(f"[{label}] peak memory: {engine} {memory[engine]['peak_mb']:.0f} MB")

    anyone = table.filter(pl.col("use_case") == "(any)")
    return {
        "events": n,
        "users": int(anyone["adopters"].sum()),
        "adopter_rows": int(table["adopters"].sum()),
        "segments": table.height,
        "forgettable_segments": int((table["forgettable"] == "true").sum()),
        "parquet_mb": round(size_bytes / 2**20, 1),
        "generate_seconds": None if cached else round(gen_s, 1),
        "seconds": {k: round(v, 3) for k, v in best.items()},
        "ratio": round(best["kit"] / best["duckdb"], 2),
        "others_cpu": {k: None if v is None else round(v, 3) for k, v in noise.items()},
        "runs": runs,
        "equal": True,
        "floats_identical": identical,
        "memory": memory,
        "repeat": args.repeat,
        "date": dt.date.today().isoformat(),
        "kit_version": KIT_VERSION,
    }


# --- reporting --------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        ram = float("nan")
    import duckdb
    import narwhals

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
        "narwhals": narwhals.__version__,
        "duckdb": duckdb.__version__,
        "stickiness": stickiness.__version__,
        "polars_threads": pl.thread_pool_size(),
        "duckdb_threads": None if threads is None else int(threads[0]),
    }


#: The kit's code as imported by this process (the repo may change while a long run goes on).
KIT_VERSION = kit_version()


def _mb(row: dict[str, Any], engine: str) -> str:
    entry = row["memory"].get(engine)
    return "–" if not entry else f"{entry['peak_mb']:,.0f}"


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| events | users | adopter rows | kit s | read_log s | frequency_spectrum s | use_case_map s "
        "| DuckDB s | kit / DuckDB | kit peak MB | DuckDB peak MB | equal | others' CPU |"
    )
    lines = [head, "|" + "---:|" * 11 + ":---:|---:|"]
    for r in sorted(rows, key=lambda r: r["events"]):
        s = r["seconds"]
        lines.append(
            f"| {human(r['events'])} | {r['users']:,} | {r['adopter_rows']:,} | {s['kit']:.2f} | {s['read_log']:.2f} "
            f"| {s['frequency_spectrum']:.2f} | {s['use_case_map']:.2f} | {s['duckdb']:.2f} | {r['ratio']:.1f}x "
            f"| {_mb(r, 'kit')} | {_mb(r, 'duckdb')} | {'yes' if r['equal'] else 'NO'} | {noise(r)} |"
        )
    return "\n".join(lines)


def variants_table(rows: list[dict[str, Any]]) -> str | None:
    if not any("duckdb without medians" in r["seconds"] for r in rows):
        return None
    lines = [
        "| events | kit (polars) s | kit engine=duckdb s | of which read_log s | DuckDB SQL s "
        "| DuckDB SQL without medians s |",
        "|" + "---:|" * 6,
    ]
    for r in sorted(rows, key=lambda r: r["events"]):
        s = r["seconds"]

        def cell(key: str, s: dict[str, float] = s) -> str:
            return f"{s[key]:.2f}" if key in s else "–"

        lines.append(
            f"| {human(r['events'])} | {cell('kit')} | {cell('kit engine=duckdb')} "
            f"| {cell('kit engine=duckdb: read_log')} | {cell('duckdb')} | {cell('duckdb without medians')} |"
        )
    return "\n".join(lines)


def markdown(info: dict[str, Any], rows: list[dict[str, Any]], notes: str) -> str:
    dates = sorted({r["date"] for r in rows})
    base = sorted({m["baseline_mb"] for r in rows for m in r["memory"].values() if m.get("baseline_mb")})
    base = sorted({round(b) for b in base})
    baselines = "–" if not base else f"{base[0]}" if len(base) == 1 else f"{base[0]}–{base[-1]}"
    verdicts = {True: "yes", False: "no", None: "not recorded"}
    identical = ", ".join(f"{human(r['events'])} {verdicts[r.get('floats_identical')]}" for r in rows)
    parts = [
        "# Use-case metrics: the kit vs DuckDB SQL",
        "",
        "Written by `benchmarks/bench_use_cases.py` (the SQL peer: `benchmarks/duckdb_use_cases_sql.py`).",
        "",
        f"Machine: {info['nproc']} CPUs (`nproc`), {info['ram_gb']} GB RAM, {info['cpu']}; {info['platform']}.  ",
        f"Versions: Python {info['python']}, polars {info['polars']}, narwhals {info['narwhals']}, "
        f"DuckDB {info['duckdb']}, stickiness {info['stickiness']}.  ",
        f"Threads: polars {info['polars_threads']}, DuckDB {info['duckdb_threads']} (defaults).  ",
        f"Date: {', '.join(dates)}. Best of {', '.join(sorted({str(r['repeat']) for r in rows}))} wall-clock runs.  ",
        f"Kit code: {'; '.join(sorted({r.get('kit_version', 'unknown') for r in rows}))}.",
        "",
        table(rows),
        "",
        "- **kit** = `read_log(path, users=personas)` + `frequency_spectrum(log, catalog)` + "
        "`use_case_map(log, catalog)`, defaults (as_of = last day, W = 90, H = 365, min_exposure = 30, "
        "threshold = 1, majority = 0.5, min_users = 30, bands 20/4/1); each step's best is shown apart "
        "(their sum can be below the best total). **DuckDB** = the same two tables in SQL, raw Parquet in, "
        "one fresh connection.",
        "- Data: `benchmarks/generate.py` logs (2024, ~N/50 users, 20 event names). Catalog: 17 rules "
        "(exact names and globs) mapping 18 events to 5 use cases (`share` to two), `app_open` and "
        "`notification_open` unmapped; users table `user_id % 4` → 4 personas, 1 user in 25 absent "
        "(`(unknown)`): 7 use cases × 5 personas = 35 segments. **users** = active users in the horizon; "
        "**adopter rows** = adopter × use case pairs (the rows both engines aggregate).",
        "- **peak MB** = peak RSS (`VmHWM`) of a fresh Python process that imports polars and DuckDB and runs "
        f"the path once; it includes the interpreter and libraries ({baselines} MB after imports).",
        "- **equal**: the spectrum is identical (every row, exact values and types); the map agrees exactly on "
        "`adopters, too_new, evaluable, adoption_rate, modal_band, forgettable_share, forgettable` and to "
        "1e-12 relative on `median_rate, median_interval_days, ci_low, ci_high` (bit-identical: "
        f"{identical}).",
        "- **others' CPU**: share of the machine's CPU used by other processes during the kept kit and DuckDB "
        "runs (each run waits for a quiet machine first).",
    ]
    variants = variants_table(rows)
    if variants:
        parts += ["", "Variants (seconds; all give the same tables):", "", variants]
    if notes.strip():
        parts += ["", notes.strip()]
    return "\n".join(parts) + "\n"


NOTES_START = "<!-- notes: kept when the table is rewritten -->"


def save(rows: list[dict[str, Any]], args: argparse.Namespace) -> list[dict[str, Any]]:
    info = machine()
    json_path = args.out / f"{NAME}.json"
    md_path = args.out / f"{NAME}.md"
    keep: list[dict[str, Any]] = []
    if json_path.exists() and not args.fresh:
        old = json.loads(json_path.read_text())
        if old.get("machine") == info:  # only merge rows measured on the same machine and versions
            new_sizes = {r["events"] for r in rows}
            keep = [r for r in old["results"] if r["events"] not in new_sizes]
    notes = ""
    if md_path.exists() and NOTES_START in md_path.read_text():
        notes = NOTES_START + md_path.read_text().split(NOTES_START, 1)[1]
    all_rows = sorted(keep + rows, key=lambda r: r["events"])
    args.out.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps({"machine": info, "results": all_rows}, indent=2) + "\n")
    md_path.write_text(markdown(info, all_rows, notes))
    return all_rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=sizes, default=[1_000_000, 10_000_000], help="events, e.g. 1000000,10000000 or 1e6,1e7,1e8"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per engine; the best is kept (default 3)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--data-dir", type=Path, default=generate.DATA_DIR, help="where cached logs are looked up (read only)"
    )
    parser.add_argument(
        "--scratch", type=Path, default=SCRATCH, help=f"users tables and logs not cached yet (default {SCRATCH})"
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the .md and .json results go")
    parser.add_argument("--fresh", action="store_true", help="drop earlier results instead of merging")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory subprocess runs")
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=300,
        metavar="SECONDS",
        help="before each run, wait up to this long for other processes to go quiet (default 300; 0: never)",
    )
    parser.add_argument(
        "--variants", action="store_true", help="also time DuckDB without medians and the kit with engine='duckdb'"
    )
    parser.add_argument("--worker", choices=["kit", "duckdb"], help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--personas", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.path, args.personas)
        return
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    rows = []
    for n in args.sizes:
        rows.append(bench_size(n, args))
        save(rows, args)  # after every size, so a long run leaves its finished sizes behind
    all_rows = save(rows, args)
    print(table(all_rows))
    variants = variants_table(all_rows)
    if variants:
        print()
        print(variants)
    log(f"wrote {args.out / (NAME + '.md')} and {args.out / (NAME + '.json')}")


if __name__ == "__main__":
    main()
