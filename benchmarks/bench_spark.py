"""The core report path through PySpark (local mode), checked equal to polars: seconds and peak memory.

Usage: ``python benchmarks/bench_spark.py 10000000 [--driver-memory 4g]`` (generates the log with
generate.py if needed). Writes ``benchmarks/results/spark_<N>.md`` and ``.json``.

The Spark path is the cluster recipe of docs/engines.md: ``read_log(spark.read.parquet(path),
engine="pyspark")`` reads and groups the log in Spark (since issue 16 the activity table and the
ledger's counts stay there, a persisted DataFrame), then every metric runs in Spark and only its
result is collected. The same steps then run on polars from the same file, and every output must be
equal. (The whole core report on any engine, with the process tree's memory: bench_engines.py.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _harness import cpu_name, log, others_cpu, snapshot  # noqa: E402

STEPS = ("read_log", "active_users", "monthly_active_users", "frequency_spectrum", "use_case_map", "drifting_users")


def _run(source: Any, personas: str, engine: str) -> tuple[dict[str, float], dict[str, Any], Any]:
    import duckdb_use_cases_sql as ucsql

    import stickiness as st

    times: dict[str, float] = {}
    began = time.perf_counter()
    usage = st.read_log(source, users=personas, tz="UTC", engine=engine)
    times["read_log"] = time.perf_counter() - began
    catalog = st.read_catalog(ucsql.catalog_frame())
    steps = {
        "active_users": lambda: st.active_users(usage, by="persona"),
        "monthly_active_users": lambda: st.monthly_active_users(usage, by="persona"),
        "frequency_spectrum": lambda: st.frequency_spectrum(usage, catalog),
        "use_case_map": lambda: st.use_case_map(usage, catalog),
        "drifting_users": lambda: st.drifting_users(usage, catalog),
    }
    outputs = {}
    for name, step in steps.items():
        began = time.perf_counter()
        outputs[name] = step()
        times[name] = time.perf_counter() - began
        log(f"  {engine} {name}: {times[name]:.1f} s")
    return times, outputs, usage


def _rows(activity: Any) -> int:
    """Rows of a log's activity table: a polars frame, or a narwhals frame held in the engine (counted there)."""
    if hasattr(activity, "height"):
        return int(activity.height)
    import narwhals as nw

    return int(activity.select(nw.len()).collect("polars").item())


def _jvm_peak_mb() -> float | None:
    """Peak resident memory of this process's Spark driver JVM (Linux), in MB."""
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            cmdline = (status.parent / "cmdline").read_text()
        except OSError:
            continue
        if "java" in cmdline and "pyspark" in cmdline and f"PPid:\t{os.getpid()}\n" in text:
            peak = next(line for line in text.splitlines() if line.startswith("VmHWM:"))
            return int(peak.split()[1]) / 1024
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n_events", type=lambda s: int(float(s)))
    parser.add_argument("--driver-memory", default="4g", help="spark.driver.memory (default 4g)")
    parser.add_argument("--data-dir", type=Path, default=None, help="where the generated logs are")
    args = parser.parse_args()

    import duckdb_use_cases_sql as ucsql
    import generate
    from pyspark.sql import SparkSession

    from stickiness._engine import SPARK_LOCAL

    # the executors run the per-row rules with polars: this interpreter, unless the user chose one
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    path = generate.generate(args.n_events, data_dir=args.data_dir or generate.DATA_DIR)
    scratch = Path(tempfile.gettempdir()) / "stickiness-bench-spark"
    personas = str(ucsql.write_personas(path, scratch / f"personas_{args.n_events}.parquet"))
    before = snapshot()
    began = time.perf_counter()
    builder = SparkSession.builder.config("spark.driver.memory", args.driver_memory)
    for key, value in SPARK_LOCAL.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    session_s = time.perf_counter() - began
    log(f"session started in {session_s:.1f} s; Spark on {args.n_events:,} events ...")
    spark_times, spark_out, spark_log = _run(spark.read.parquet(str(path)), personas, "pyspark")
    spark_busy = others_cpu(before, snapshot())
    jvm_peak = _jvm_peak_mb()
    driver_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    log("polars on the same file ...")
    polars_times, polars_out, polars_log = _run(str(path), personas, "polars")
    assert spark_log.ledger == polars_log.ledger, (spark_log.ledger, polars_log.ledger)
    from polars.testing import assert_frame_equal

    inexact = []  # outputs equal to 1e-9 relative but not bit for bit (Spark sums floats in another order)
    for name, frame in polars_out.items():
        assert_frame_equal(spark_out[name], frame, rel_tol=1e-9, abs_tol=1e-12)
        if not frame.equals(spark_out[name]):
            inexact.append(name)
    spark.stop()

    result = {
        "n_events": args.n_events,
        "rows_read": spark_log.ledger.rows_read,
        "activity_rows": _rows(polars_log.activity),
        "session_start_s": session_s,
        "pyspark": spark_times,
        "polars": polars_times,
        "driver_python_peak_mb": driver_peak,
        "driver_jvm_peak_mb": jvm_peak,
        "spark_driver_memory": args.driver_memory,
        "equal_to_1e9_not_bitwise": inexact,
        "others_cpu_during_spark": spark_busy,
        "machine": f"{os.cpu_count()} CPUs ({cpu_name()}), "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.1f} GiB RAM; {platform.platform()}",
        "date": str(dt.date.today()),
    }
    out = HERE / "results" / f"spark_{args.n_events}"
    out.with_suffix(".json").write_text(json.dumps(result, indent=1) + "\n")
    lines = [
        f"# The core report path through PySpark on {args.n_events:,} events",
        "",
        "Written by `benchmarks/bench_spark.py`, one run: Spark in local mode (`local[2]`, the settings of",
        f"`stickiness._engine.SPARK_LOCAL`, `spark.driver.memory={args.driver_memory}`), then polars on the",
        "same Parquet file in the same process; every output and the ledger were equal"
        + (f" (bit for bit except {', '.join(inexact)}: to 1e-9 relative)." if inexact else " (bit for bit)."),
        "",
        f"Machine: {result['machine']}. Date: {result['date']}. Share of the machine's CPU busy outside",
        f"this Python process during the Spark run (the Spark JVM and any other job): {spark_busy:.0%}; compare"
        if spark_busy is not None
        else "",
        "the polars times with docs/benchmarks.md to judge how loaded the machine was.",
        "",
        "| step | PySpark s | polars s |",
        "|---|---:|---:|",
        f"| start the SparkSession | {session_s:.1f} | |",
    ]
    lines += [f"| {step} | {spark_times[step]:.1f} | {polars_times[step]:.1f} |" for step in STEPS]
    lines += [
        f"| **total** | **{sum(spark_times.values()):.1f}** | **{sum(polars_times.values()):.1f}** |",
        "",
        f"Rows read: {result['rows_read']:,}; activity rows (user x day x event, kept in Spark):",
        f"{result['activity_rows']:,}. Peak memory: Python driver {driver_peak:,.0f} MB (RSS, during the",
        "Spark run), driver JVM " + (f"{jvm_peak:,.0f} MB." if jvm_peak is not None else "not measured (no /proc)."),
    ]
    (out.with_suffix(".md")).write_text("\n".join(lines) + "\n")
    print(out.with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
