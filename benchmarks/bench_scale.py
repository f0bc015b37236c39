"""The whole core report path on a large log, each engine in a fresh process: seconds and peak memory.

Usage: ``python benchmarks/bench_scale.py 100000000`` (generates the log with generate.py if needed).
Writes ``benchmarks/results/scale_<N>.md``. The kit's path is what ``stickiness report`` computes:
``read_log`` (ledger, de-duplication, activity table) + ``active_users`` + ``monthly_active_users``
+ ``frequency_spectrum`` + ``use_case_map`` + ``drifting_users``. DuckDB's is the SQL of
``duckdb_sql.py`` (active users) and ``duckdb_use_cases_sql.py`` (spectrum and map) on the same files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _kit(path: str, personas: str) -> dict[str, float]:
    import duckdb_use_cases_sql as ucsql

    import stickiness as st

    times: dict[str, float] = {}
    began = time.perf_counter()
    log = st.read_log(path, users=personas, tz="UTC")
    times["read_log"] = time.perf_counter() - began
    catalog = st.read_catalog(ucsql.catalog_frame())
    steps = {
        "active_users": lambda: st.active_users(log, by="persona"),
        "monthly_active_users": lambda: st.monthly_active_users(log, by="persona"),
        "frequency_spectrum": lambda: st.frequency_spectrum(log, catalog),
        "use_case_map": lambda: st.use_case_map(log, catalog),
        "drifting_users": lambda: st.drifting_users(log, catalog),
    }
    for name, step in steps.items():
        began = time.perf_counter()
        step()
        times[name] = time.perf_counter() - began
    times["rows_read"] = float(log.ledger.rows_read)
    times["activity_rows"] = float(log.activity.height)
    return times


def _duckdb(path: str, personas: str) -> dict[str, float]:
    import duckdb_sql
    import duckdb_use_cases_sql as ucsql

    times: dict[str, float] = {}
    glob = str(Path(path) / "*.parquet") if Path(path).is_dir() else path
    began = time.perf_counter()
    duckdb_sql.active_users(glob)
    times["active_users"] = time.perf_counter() - began
    began = time.perf_counter()
    ucsql.use_cases(path, personas)
    times["spectrum_and_map"] = time.perf_counter() - began
    return times


def _worker(engine: str, path: str, personas: str) -> None:
    times = _kit(path, personas) if engine == "kit" else _duckdb(path, personas)
    times["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n_events", type=lambda s: int(float(s)))
    parser.add_argument("--worker", choices=["kit", "duckdb"])
    parser.add_argument("--path")
    parser.add_argument("--personas")
    args = parser.parse_args()
    if args.worker:
        _worker(args.worker, args.path, args.personas)
        return
    import duckdb_use_cases_sql as ucsql
    import generate

    path = generate.ensure(args.n_events) if hasattr(generate, "ensure") else None
    if path is None:
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(args.n_events)], check=True)
        candidates = sorted((HERE / "data").glob(f"events_{args.n_events}_seed0*"))
        path = next(p for p in candidates if p.suffix in ("", ".parquet") and not p.name.endswith(".done"))
    personas = ucsql.write_personas(path, HERE / "data" / f"personas_{args.n_events}.parquet")
    results = {}
    for engine in ("kit", "duckdb"):
        print(f"{engine} on {args.n_events:,} events ...", file=sys.stderr, flush=True)
        began = time.perf_counter()
        cmd = [sys.executable, __file__, str(args.n_events), "--worker", engine, "--path", str(path)]
        done = subprocess.run([*cmd, "--personas", str(personas)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            results[engine] = {"error": done.stderr[-2000:], "wall_s": time.perf_counter() - began}
        else:
            results[engine] = json.loads(done.stdout.strip().splitlines()[-1]) | {"wall_s": time.perf_counter() - began}
        print(f"  {results[engine]}", file=sys.stderr, flush=True)
    out = HERE / "results" / f"scale_{args.n_events}.md"
    kit, duck = results["kit"], results["duckdb"]
    lines = [
        f"# The core report path on {args.n_events:,} events",
        "",
        "Written by `benchmarks/bench_scale.py`: each engine in a fresh process, one run each.",
        "",
        f"Machine: {os.cpu_count()} CPUs, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.1f} GiB"
        f" RAM; {platform.platform()}. Date: {dt.date.today()}.",
        "",
        "| step | kit s | DuckDB s |",
        "|---|---:|---:|",
    ]
    for step in (
        "read_log",
        "active_users",
        "monthly_active_users",
        "frequency_spectrum",
        "use_case_map",
        "drifting_users",
    ):
        lines.append(f"| {step} | {kit.get(step, float('nan')):.1f} | |")
    lines += [
        f"| DuckDB active users (raw Parquet to daily table) | | {duck.get('active_users', float('nan')):.1f} |",
        f"| DuckDB spectrum + map (raw Parquet to tables) | | {duck.get('spectrum_and_map', float('nan')):.1f} |",
        f"| **whole process (wall)** | **{kit['wall_s']:.1f}** | **{duck['wall_s']:.1f}** |",
        f"| **peak memory (RSS, MB)** | **{kit.get('peak_rss_mb', float('nan')):,.0f}** "
        f"| **{duck.get('peak_rss_mb', float('nan')):,.0f}** |",
        "",
        f"Rows read: {kit.get('rows_read', 0):,.0f}; "
        f"activity rows (user x day x event): {kit.get('activity_rows', 0):,.0f}.",
        "The kit also de-duplicates, keeps the row ledger and computes monthly figures and drifting users,",
        "which the DuckDB SQL does not.",
    ]
    if "error" in kit or "error" in duck:
        lines += ["", "Errors:", "```", json.dumps(results, indent=1)[:4000], "```"]
    out.write_text("\n".join(lines) + "\n")
    (HERE / "results" / f"scale_{args.n_events}.json").write_text(json.dumps(results, indent=1) + "\n")
    print(out.read_text())


if __name__ == "__main__":
    main()
