"""The whole core report on one engine (polars, DuckDB, PySpark), with an optional memory limit, in a fresh process.

The core report is bench_core.py's kit path (what ``stickiness report --no-notebook`` computes,
with the report's default options), plus the forgettable zone the report charts:
``read_log(path, users=personas, engine=ENGINE, memory_limit=LIMIT)``, the ledger, then on that
one log ``active_users(by="persona")``, ``monthly_active_users``, ``frequency_spectrum``,
``use_case_map``, ``forgettable_zone``, ``drifting_users``, ``unmapped_events``, ``retention``
and ``lifecycle`` (monthly), and ``inactive_users``.

Each run (one engine, one memory limit, one log) is a fresh Python process (the *worker*),
started by this script (the *parent*) and watched from outside:

- **progress**: the worker prints a line on stderr when each step starts and when it ends (with
  its seconds), so a long run shows where it is (``nohup ... 2> run.log`` and ``tail -f``);
- **seconds**: per step, and the worker's wall time from start to exit (imports, the Spark
  session, writing the outputs included);
- **peak memory**: the worker's own peak RSS (``VmHWM``), and the peak of the sum of ``VmRSS``
  over the worker and all its descendants (for PySpark, the driver JVM), sampled every
  ``--sample`` seconds by the parent (bench_report.py's way: a sum of RSS, sampled);
- **spill**: the peak size of DuckDB's spill directory (the log's ``session.spill_dir``),
  sampled by the worker;
- **others' CPU**: the share of the machine's CPU used by processes outside the run's tree
  (``/proc/stat`` minus the tree's CPU time, which the parent samples from ``/proc/PID/stat``).

Every output is written by the worker as Parquet; with ``--check`` (default on up to 100M
events) the same report also runs on polars (in its own fresh process, measured the same way)
and every output and the ledger must be equal (exact; floats to 1e-9 relative), or the script
stops with the difference.

Results: ``benchmarks/results/engines.md`` and ``engines.json`` (runs of other engine / limit /
size keys are kept; a run of the same key replaces the earlier one), with the machine,
versions, commit and date.

Usage::

    python benchmarks/bench_engines.py --engine duckdb --memory-limit 500MB --sizes 1e7
    python benchmarks/bench_engines.py --engine duckdb --sizes 1e9 --memory-limit 12GB --no-check
    python benchmarks/bench_engines.py --engine pyspark --sizes 1e6 --driver-memory 4g
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate
from _harness import cpu_name, descendants, human, kit_version, log, ram_gb, sizes, snapshot, status_kb

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
NAME = "engines"
SCRATCH = Path(tempfile.gettempdir()) / "stickiness-bench-engines"
#: The steps, in the report's order; ``read`` is ``read_log``, ``ledger`` reading its counts.
STEPS: tuple[str, ...] = (
    "read",
    "ledger",
    "active_users",
    "monthly_active_users",
    "frequency_spectrum",
    "use_case_map",
    "forgettable_zone",
    "drifting_users",
    "unmapped_events",
    "retention",
    "lifecycle",
    "inactive_users",
)
#: Floats are equal to 1e-9 relative (the engines sum in different orders).
TOL = {"rel_tol": 1e-9, "abs_tol": 1e-12}
#: Up to this many events polars runs the same report for the equality check by default.
CHECK_UP_TO = 100_000_000


# --- the worker: one core report in this fresh process ----------------------------------------------------


def _dir_bytes(path: str) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):  # a spill file removed meanwhile
                total += os.stat(os.path.join(root, name)).st_size
    return total


def _open_spill_dir() -> str | None:
    """The log's DuckDB spill directory, found through the files this process has open in it, or None."""
    with contextlib.suppress(OSError):
        for fd in os.listdir("/proc/self/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/self/fd/{fd}")
                if f"{os.sep}stickiness-duckdb-" in target:
                    return os.path.dirname(target)
    return None


class SpillWatch(threading.Thread):
    """Sample the size of DuckDB's spill directory every ``interval`` seconds, keep the peak; say how a step goes.

    ``path`` is the directory (until the log is read and gives it: the ``stickiness-duckdb-*``
    directory of a file this process has open, DuckDB's spill files); every ``heartbeat`` seconds of one step, a
    progress line with the step's time, the RSS and the spill size.
    """

    def __init__(self, label: str, interval: float = 2.0, heartbeat: float = 60.0) -> None:
        super().__init__(daemon=True)
        self.label = label
        self.path: str | None = None
        self.interval, self.heartbeat = interval, heartbeat
        self.peak = 0
        self.step: tuple[str, float] | None = None  # the running step and when it started
        self.stop = threading.Event()

    def run(self) -> None:
        said = time.perf_counter()
        while not self.stop.wait(self.interval):
            self.path = self.path or _open_spill_dir()
            size = _dir_bytes(self.path) if self.path else 0
            self.peak = max(self.peak, size)
            if self.step is not None and time.perf_counter() - said >= self.heartbeat:
                said = time.perf_counter()
                name, began = self.step
                rss = (status_kb("VmRSS") or 0) / 2**20
                log(
                    f"[{self.label}] {name} running for {said - began:,.0f} s: RSS {rss:.1f} GB, "
                    f"peak {_hwm_mb() / 1024:.1f} GB" + (f", spill {size / 2**30:.1f} GB" if self.path else "")
                )


def spark_session(driver_memory: str) -> Any:
    """A local SparkSession with the kit's local settings (stickiness._engine.SPARK_LOCAL)."""
    from pyspark.sql import SparkSession

    from stickiness._engine import SPARK_LOCAL

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # the executors run the read's rules with polars
    builder = SparkSession.builder.config("spark.driver.memory", driver_memory)
    for key, value in SPARK_LOCAL.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def core_report(
    path: Path, personas: Path, engine: str, memory_limit: str | None, step: Callable[[str, Callable[[], Any]], Any]
) -> tuple[dict[str, Any], Any]:
    """Run the core report through ``step(name, fn)``; return the outputs (polars frames) and the log."""
    import duckdb_use_cases_sql as ucsql

    import stickiness as st

    catalog = st.read_catalog(ucsql.catalog_frame())
    source = str(path)
    usage = step(
        "read",
        lambda: st.read_log(source, users=str(personas), tz="UTC", engine=engine, memory_limit=memory_limit),
    )
    habit = {"by": "persona", "window": 90, "horizon": 365, "min_exposure": 30}
    verdict = {"threshold": 1.0, "majority": 0.5, "min_users": 30}  # the spectrum carries the map's verdict
    outputs: dict[str, Any] = {}
    outputs["ledger"] = step("ledger", lambda: usage.ledger.to_dict())
    outputs["active_users"] = step("active_users", lambda: st.active_users(usage, window=30, by="persona"))
    outputs["monthly_active_users"] = step("monthly_active_users", lambda: st.monthly_active_users(usage, by="persona"))
    outputs["frequency_spectrum"] = step(
        "frequency_spectrum", lambda: st.frequency_spectrum(usage, catalog, **verdict, **habit)
    )
    outputs["use_case_map"] = step("use_case_map", lambda: st.use_case_map(usage, catalog, **verdict, **habit))
    outputs["forgettable_zone"] = step(
        "forgettable_zone", lambda: st.forgettable_zone(usage, catalog, **verdict, **habit)
    )
    outputs["drifting_users"] = step(
        "drifting_users", lambda: st.drifting_users(usage, catalog, threshold=1.0, **habit)
    )
    outputs["unmapped_events"] = step("unmapped_events", lambda: st.unmapped_events(usage, catalog))
    outputs["retention"] = step("retention", lambda: st.retention(usage, by="persona", period="month"))
    outputs["lifecycle"] = step("lifecycle", lambda: st.lifecycle(usage, by="persona", period="month"))
    outputs["inactive_users"] = step("inactive_users", lambda: st.inactive_users(usage, days=30, by="persona"))
    return outputs, usage


def worker(args: argparse.Namespace) -> None:
    """Run the core report once in this process; write the outputs and print a JSON line (times, memory)."""
    started = time.perf_counter()
    label = f"{args.engine}{'' if args.memory_limit is None else ' ' + args.memory_limit} {args.label}"
    import duckdb  # noqa: F401  (every engine's process loads polars and DuckDB before the baseline)
    import polars as pl

    import stickiness as st  # noqa: F401

    spill = SpillWatch(label)
    spill.start()
    session_s = None
    if args.engine == "pyspark":
        began = time.perf_counter()
        spark_session(args.driver_memory)
        session_s = time.perf_counter() - began
        log(f"[{label}] SparkSession started in {session_s:.1f} s")
    baseline = status_kb("VmRSS")
    times: dict[str, float] = {}

    def step(name: str, fn: Callable[[], Any]) -> Any:
        log(f"[{label}] {name} ...")
        began = time.perf_counter()
        spill.step = (name, began)
        out = fn()
        times[name] = time.perf_counter() - began
        spill.step = None
        if name == "read":
            session = getattr(out, "session", None)
            spill.path = getattr(session, "spill_dir", None)
        rss = (status_kb("VmRSS") or 0) / 1024
        log(f"[{label}] {name} done in {times[name]:.1f} s (RSS {rss:,.0f} MB, peak {_hwm_mb():,.0f} MB)")
        return out

    outputs, usage = core_report(args.path, args.personas, args.engine, args.memory_limit, step)
    report_s = time.perf_counter() - started
    args.outputs.mkdir(parents=True, exist_ok=True)
    for name, frame in outputs.items():
        if isinstance(frame, pl.DataFrame):
            frame.write_parquet(args.outputs / f"{name}.parquet")
    (args.outputs / "ledger.json").write_text(json.dumps(outputs["ledger"], default=str))
    shape = {"first_day": str(usage.first_day), "as_of": str(usage.as_of), "rows": {}}
    shape["rows"] = {name: frame.height for name, frame in outputs.items() if isinstance(frame, pl.DataFrame)}
    spill.stop.set()
    if spill.path:
        spill.peak = max(spill.peak, _dir_bytes(spill.path))
    if args.engine == "pyspark":
        from pyspark.sql import SparkSession

        active = SparkSession.getActiveSession()
        if active is not None:
            active.stop()
    report = {
        "times": times,
        "session_s": session_s,
        "report_s": report_s,
        "baseline_kb": baseline,
        "peak_kb": status_kb("VmHWM"),
        "spill_peak_bytes": spill.peak if spill.path else None,
        "ledger": outputs["ledger"],
        **shape,
    }
    print(json.dumps(report, default=str), flush=True)


def _hwm_mb() -> float:
    return (status_kb("VmHWM") or 0) / 1024


# --- the parent: start a worker, watch its process tree ---------------------------------------------------


def _proc(pid: int) -> tuple[int, float] | None:
    """(VmRSS kB, CPU seconds) of a live process, or None."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    rss = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), None)
    if rss is None:  # a zombie
        return None
    return rss, (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def _available_kb() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1])
    return 0


class TreeWatch(threading.Thread):
    """Sample a process tree: the peak sum of RSS, each process's CPU seconds, the machine's lowest free memory.

    Kills the tree (its process group) if the sum of RSS passes ``limit_kb``: better than the OOM killer.
    """

    def __init__(self, root: int, interval: float, limit_kb: int) -> None:
        super().__init__(daemon=True)
        self.root, self.interval, self.limit_kb = root, interval, limit_kb
        self.stop = threading.Event()
        self.peak_kb = 0
        self.cpu: dict[int, float] = {}
        self.min_available_kb = _available_kb()
        self.killed = False
        self.jvm = False

    def run(self) -> None:
        pids: set[int] = set()
        found_at = float("-inf")
        while not self.stop.is_set():
            if time.perf_counter() - found_at >= 1.0:
                pids |= descendants(self.root)
                found_at = time.perf_counter()
            total = 0
            for pid in list(pids):
                sample = _proc(pid)
                if sample is None:
                    pids.discard(pid)
                    continue
                total += sample[0]
                self.cpu[pid] = sample[1]
            self.peak_kb = max(self.peak_kb, total)
            self.min_available_kb = min(self.min_available_kb, _available_kb())
            if self.limit_kb and total > self.limit_kb and not self.killed:
                log(f"ABORT: the run's processes hold {total / 2**20:.1f} GB, past --max-rss-gb: killing them")
                self.killed = True
                os.killpg(self.root, signal.SIGKILL)
            self.stop.wait(self.interval)


def _relay(stream: Any, tail: collections.deque[str]) -> None:
    """Copy the worker's stderr to ours line by line (progress), keeping the last lines in ``tail``."""
    for line in stream:
        sys.stderr.write(line)
        sys.stderr.flush()
        tail.append(line)


def run_worker(
    engine: str, memory_limit: str | None, n: int, path: Path, personas: Path, args: argparse.Namespace
) -> dict[str, Any]:
    """Run one core report in a fresh worker process; return its report with the parent's measurements."""
    key = f"{engine}_{memory_limit or 'nolimit'}_{n}"
    outputs = args.scratch / "outputs" / key
    shutil.rmtree(outputs, ignore_errors=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "--engine", engine, "--path", str(path)]
    cmd += ["--personas", str(personas), "--outputs", str(outputs), "--label", human(n)]
    cmd += ["--driver-memory", args.driver_memory]
    if memory_limit is not None:
        cmd += ["--memory-limit", memory_limit]
    if args.nice:
        cmd = ["nice", "-n", str(args.nice), *cmd]
    log(f"[{human(n)}] {engine} memory_limit={memory_limit}: {' '.join(cmd)}")
    before, own = snapshot(), time.process_time()
    began = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    watch = TreeWatch(proc.pid, args.sample, int(args.max_rss_gb * 2**20))
    watch.start()
    tail: collections.deque[str] = collections.deque(maxlen=400)  # the worker's last lines, for a failure
    relay = threading.Thread(target=_relay, args=(proc.stderr, tail), daemon=True)
    relay.start()
    stdout = proc.stdout.read() if proc.stdout is not None else ""
    proc.wait()
    relay.join()
    wall = time.perf_counter() - began
    after, own = snapshot(), time.process_time() - own
    watch.stop.set()
    watch.join()
    others = None
    if before is not None and after is not None and after[2] > before[2]:
        # the machine's busy CPU minus the run's tree (sampled from /proc) and this parent (its sampling)
        busy = after[0] - before[0] - sum(watch.cpu.values()) - own
        others = max(0.0, min(1.0, busy / ((os.cpu_count() or 1) * (after[2] - before[2]))))
    row: dict[str, Any] = {
        "engine": engine,
        "memory_limit": memory_limit,
        "events": n,
        "path": str(path),
        "wall_s": round(wall, 2),
        "tree_peak_mb": round(watch.peak_kb / 1024, 1),
        "tree_cpu_s": round(sum(watch.cpu.values()), 1),
        "machine_min_available_mb": round(watch.min_available_kb / 1024),
        "others_cpu": None if others is None else round(others, 3),
        "exit_code": proc.returncode,
        "killed_by_guard": watch.killed,
        "nice": args.nice,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "kit_version": KIT_VERSION,
        "outputs": str(outputs),
    }
    if engine == "pyspark":
        row["driver_memory"] = args.driver_memory
    if proc.returncode != 0:
        log(f"[{human(n)}] {engine} FAILED with exit code {proc.returncode} after {wall:.0f} s")
        row["ok"] = False
        row["error"] = "".join(tail)
        row["failed_step"] = next((line for line in reversed(tail) if line.rstrip().endswith(" ...")), "").strip()
        return row
    report = json.loads(stdout.strip().splitlines()[-1])
    row |= {
        "ok": True,
        "seconds": {k: round(v, 3) for k, v in report["times"].items()},
        "steps_s": round(sum(report["times"].values()), 2),
        "session_s": None if report["session_s"] is None else round(report["session_s"], 1),
        "worker_peak_mb": round(report["peak_kb"] / 1024, 1),
        "worker_baseline_mb": None if report["baseline_kb"] is None else round(report["baseline_kb"] / 1024, 1),
        "spill_peak_mb": None if report["spill_peak_bytes"] is None else round(report["spill_peak_bytes"] / 2**20),
        "ledger": report["ledger"],
        "first_day": report["first_day"],
        "as_of": report["as_of"],
        "rows": report["rows"],
    }
    log(
        f"[{human(n)}] {engine} memory_limit={memory_limit}: {row['steps_s']:.1f} s of steps, wall {wall:.1f} s, "
        f"peak: worker {row['worker_peak_mb']:,.0f} MB, tree {row['tree_peak_mb']:,.0f} MB"
        + ("" if others is None else f", others' CPU {others:.0%}")
    )
    return row


def compare(ours: Path, reference: Path) -> list[str]:
    """Assert every output under ``ours`` equals the one under ``reference``; return the names compared."""
    import polars as pl
    from polars.testing import assert_frame_equal

    ledger, expected = (
        json.loads((ours / "ledger.json").read_text()),
        json.loads((reference / "ledger.json").read_text()),
    )
    if ledger != expected:
        raise SystemExit(f"MISMATCH: the ledger\n  engine: {ledger}\n  polars: {expected}")
    names = sorted(p.stem for p in reference.glob("*.parquet"))
    missing = sorted(set(names) - {p.stem for p in ours.glob("*.parquet")})
    if missing:
        raise SystemExit(f"MISMATCH: outputs missing on the engine: {missing}")
    for name in names:
        try:
            assert_frame_equal(
                pl.read_parquet(ours / f"{name}.parquet"), pl.read_parquet(reference / f"{name}.parquet"), **TOL
            )
        except AssertionError as err:
            raise SystemExit(f"MISMATCH ({name}): {ours} differs from polars' {reference}\n{err}") from err
    return ["ledger", *names]


def first_parts(folder: Path, parts: int, scratch: Path) -> tuple[Path, int]:
    """A folder of links to the first ``parts`` Parquet files of ``folder``, and its number of rows."""
    import polars as pl

    files = sorted(folder.glob("*.parquet"))[:parts]
    if not files:
        raise SystemExit(f"--parts: {folder} is not a folder of Parquet files")
    rows = int(pl.scan_parquet(files).select(pl.len()).collect().item())
    linked = scratch / f"{folder.name}_first{len(files)}"
    shutil.rmtree(linked, ignore_errors=True)
    linked.mkdir(parents=True)
    for file in files:
        (linked / file.name).symlink_to(file.resolve())
    return linked, rows


# --- results ----------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    import duckdb
    import narwhals
    import polars as pl

    import stickiness as st

    try:
        import pyspark

        spark_version = pyspark.__version__
    except ImportError:
        spark_version = None
    return {
        "nproc": os.cpu_count(),
        "ram_gb": round(ram_gb(), 1),
        "cpu": cpu_name(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "polars": pl.__version__,
        "narwhals": narwhals.__version__,
        "duckdb": duckdb.__version__,
        "pyspark": spark_version,
        "stickiness": st.__version__,
    }


KIT_VERSION = kit_version()


def _key(row: dict[str, Any]) -> tuple[str, str, int]:
    return row["engine"], row["memory_limit"] or "", row["events"]


def _s(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 1000 else f"{value:,.0f}"


def _mb(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _error_line(text: str) -> str:
    """The line of a worker's stderr that names the error (its exception), for a table cell."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    named = [line for line in lines if "Error" in line.split(":", 1)[0] or "Exception" in line.split(":", 1)[0]]
    return (named or lines or ["no message"])[-1].replace("|", "/")[:200]


def markdown(info: dict[str, Any], rows: list[dict[str, Any]], notes: str) -> str:
    rows = sorted(rows, key=lambda r: (r["events"], r["engine"], r["memory_limit"] or ""))
    head = "| events | engine | memory_limit | whole core report, s (sum of steps) | worker wall s |"
    head += " peak MB: worker (VmHWM) | peak MB: process tree (sampled RSS sum) | DuckDB spill peak MB |"
    head += " others' CPU | equal to polars | commit, date |"
    parts = [
        "# The whole core report on each engine, with a memory limit",
        "",
        "Written by `benchmarks/bench_engines.py`: each run is a fresh Python process running the core report "
        "(read_log with the users table, the ledger, active users by persona, monthly active users, frequency "
        "spectrum, use-case map, forgettable zone, drifting users, unmapped events, monthly retention and "
        "lifecycle, inactive users; the report's default options, as bench_core.py's kit path) on one engine.",
        "",
        f"Machine: {info['nproc']} CPUs, {info['ram_gb']} GB RAM, {info['cpu']}; {info['platform']}.  ",
        f"Versions: Python {info['python']}, polars {info['polars']}, narwhals {info['narwhals']}, "
        f"DuckDB {info['duckdb']}, PySpark {info['pyspark']}, stickiness {info['stickiness']}.",
        "",
        head,
        "|" + "---|" * 2 + "---|" + "---:|" * 6 + "---|---|",
    ]
    for r in rows:
        if not r.get("ok"):
            what = "killed by the memory guard" if r.get("killed_by_guard") else f"exit code {r['exit_code']}"
            where = r.get("failed_step", "").split("] ")[-1].removesuffix(" ...")
            what += f", in {where}: {_error_line(r.get('error', ''))}" if where else ""
            parts.append(
                f"| {human(r['events'])} | {r['engine']} | {r['memory_limit'] or 'none'} | **failed** ({what}) "
                f"| {_s(r['wall_s'])} | – | {_mb(r['tree_peak_mb'])} | – | {_pct(r['others_cpu'])} | – "
                f"| {r['kit_version']}, {r['date']} |"
            )
            continue
        parts.append(
            f"| {human(r['events'])} | {r['engine']} | {r['memory_limit'] or 'none'} | **{_s(r['steps_s'])}** "
            f"| {_s(r['wall_s'])} | {_mb(r['worker_peak_mb'])} | {_mb(r['tree_peak_mb'])} "
            f"| {_mb(r.get('spill_peak_mb'))} | {_pct(r['others_cpu'])} | {r.get('equal', 'not checked')} "
            f"| {r['kit_version']}, {r['date']} |"
        )
    done = [r for r in rows if r.get("ok")]
    if done:
        parts += ["", "## Seconds per step", ""]
        cols = [f"{human(r['events'])} {r['engine']} {r['memory_limit'] or ''}".strip() for r in done]
        parts += ["| step | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(done)]
        for step in STEPS:
            parts.append(f"| {step} | " + " | ".join(_s(r["seconds"].get(step)) for r in done) + " |")
        parts.append(
            "| SparkSession start (not in the sum) | " + " | ".join(_s(r.get("session_s")) for r in done) + " |"
        )
    parts += [
        "",
        "## How it is measured",
        "",
        "- **whole core report**: the sum of the steps' seconds in the worker (`read` is `read_log` from the "
        "Parquet path to the log with its ledger; every metric returns a collected polars frame). **worker "
        "wall**: from starting the worker to its exit, measured by the parent (imports, the SparkSession, "
        "writing the outputs for the check included).",
        "- **peak MB, worker**: the worker process's own peak RSS (`VmHWM`). **process tree**: the peak of the "
        "sum of `VmRSS` over the worker and its descendants (PySpark's driver JVM), sampled every "
        "0.5 s by the parent: what the machine needed at once (a sample can miss a short spike; shared "
        "pages count once per process).",
        "- **DuckDB spill peak**: the largest size seen of the log's DuckDB temporary directory "
        "(`log.session.spill_dir`), sampled every 2 s.",
        "- **memory_limit**: `read_log(..., memory_limit=...)`, DuckDB's `memory_limit` for the log's "
        "connection; it bounds DuckDB's buffer manager, not the whole process (polars, Python and the results "
        "are outside it).",
        '- **equal to polars**: the same report on `engine="polars"` in its own fresh process; the ledger and '
        "every output equal (exact, floats to 1e-9 relative).",
        "- **others' CPU**: the share of the machine's CPU used outside the run's process tree meanwhile "
        "(other helpers' tests share this machine); runs with a high share are slower than on a quiet machine.",
    ]
    if notes.strip():
        parts += ["", notes.strip()]
    return "\n".join(parts) + "\n"


NOTES_START = "<!-- notes: kept when the tables are rewritten -->"


def save(rows: list[dict[str, Any]], out: Path, info: dict[str, Any]) -> None:
    json_path, md_path = out / f"{NAME}.json", out / f"{NAME}.md"
    keep: list[dict[str, Any]] = []
    if json_path.exists():
        new = {_key(r) for r in rows}
        keep = [r for r in json.loads(json_path.read_text())["results"] if _key(r) not in new]
    notes = ""
    if md_path.exists() and NOTES_START in md_path.read_text():
        notes = NOTES_START + md_path.read_text().split(NOTES_START, 1)[1]
    out.mkdir(parents=True, exist_ok=True)
    all_rows = keep + rows
    json_path.write_text(json.dumps({"machine": info, "results": all_rows}, indent=2, default=str) + "\n")
    md_path.write_text(markdown(info, all_rows, notes))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["polars", "duckdb", "pyspark"], default="duckdb")
    parser.add_argument("--memory-limit", help="read_log's memory_limit, e.g. 500MB (default: none)")
    parser.add_argument("--sizes", type=sizes, default=[10_000_000], help="events, e.g. 1e7 or 1e9")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=generate.DATA_DIR, help="where the generated logs are")
    parser.add_argument("--scratch", type=Path, default=SCRATCH, help=f"users tables and outputs (default {SCRATCH})")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where engines.md and engines.json go")
    parser.add_argument(
        "--check",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"also run polars and compare every output (default: up to {human(CHECK_UP_TO)} events)",
    )
    parser.add_argument("--driver-memory", default="4g", help="PySpark: spark.driver.memory (default 4g)")
    parser.add_argument("--nice", type=int, default=0, help="run the workers with this nice value (default 0)")
    parser.add_argument("--sample", type=float, default=0.5, help="seconds between samples of the tree's RSS")
    parser.add_argument(
        "--max-rss-gb",
        type=float,
        default=round(0.85 * ram_gb(), 1),
        help="kill the run if its processes hold more than this (default: 85%% of RAM; 0: no limit)",
    )
    parser.add_argument(
        "--parts",
        type=int,
        help="use only the first PARTS part files of the log's folder (a folder of links in --scratch)",
    )
    parser.add_argument("--render", action="store_true", help="only rewrite engines.md from engines.json")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--personas", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--outputs", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--label", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args)
        return
    if args.render:
        saved = json.loads((args.out / f"{NAME}.json").read_text())
        save([], args.out, saved["machine"])
        return
    import duckdb_use_cases_sql as ucsql

    info = machine()
    for size in args.sizes:
        if not generate.is_cached(size, args.seed, args.data_dir):
            raise SystemExit(f"no generated log of {human(size)} events in {args.data_dir}: run generate.py first")
        path, n = generate.log_path(size, args.seed, args.data_dir), size
        if args.parts:
            path, n = first_parts(path, args.parts, args.scratch)
        personas = ucsql.write_personas(path, args.scratch / f"personas_{n}_seed{args.seed}.parquet")
        row = run_worker(args.engine, args.memory_limit, n, path, personas, args)
        check = args.check if args.check is not None else n <= CHECK_UP_TO
        if row["ok"] and check and args.engine != "polars":
            reference = run_worker("polars", None, n, path, personas, args)
            if reference["ok"]:
                names = compare(Path(row["outputs"]), Path(reference["outputs"]))
                row["equal"] = "yes"
                reference["equal"] = "(the reference)"
                row["compared"] = names
                log(f"[{human(n)}] equal to polars: {', '.join(names)}")
                save([reference], args.out, info)
            else:
                row["equal"] = "polars failed"
        save([row], args.out, info)
        if not row["ok"]:
            raise SystemExit(f"the {args.engine} run of {human(n)} events failed (exit code {row['exit_code']})")
    log(f"wrote {args.out / (NAME + '.md')} and {args.out / (NAME + '.json')}")


if __name__ == "__main__":
    main()
