"""The whole ``stickiness report`` command on a generated log, in a fresh process: wall time, steps, peak memory.

For each size: the log from generate.py (a file up to 10M events, a folder of 10M-event
Parquet parts above), its users table (``duckdb_use_cases_sql.write_personas``: ``persona``
for all users but one in 25) and the benchmark's use-case catalog written to a CSV file, then

- **direct**: ``stickiness report EVENTS --users PERSONAS --use-cases CATALOG --no-notebook --out DIR``
  (ledger, active and monthly active users, spectrum, use-case map, drifting users,
  retention, lifecycle, inactive users, the charts as PNG and SVG);
- with ``--notebook``, **notebook**: the same with ``--no-pdf`` instead of ``--no-notebook``
  (the quickstart template through papermill, in a kernel subprocess, then report.html).

each as the command a user types, in a fresh process (``--repeat`` times; the fastest run is
kept, all are in the JSON). The step times are the ones the command prints on standard error
(direct path) or papermill's per-cell durations in ``DIR/report.ipynb`` (notebook path).

What is measured:

- **wall**: from starting the command to its exit, measured here; **CPU**: user + system
  seconds of the command and the children it waited for (``/usr/bin/time -v``, or
  ``getrusage(RUSAGE_CHILDREN)`` in a small wrapper process when there is no GNU time);
- **max process RSS**: the peak resident memory of the largest single process of the tree,
  exact, from the kernel's accounting of the command and of every descendant it waited for
  (GNU time's "Maximum resident set size", or the wrapper's ``RUSAGE_CHILDREN.ru_maxrss``).
  The notebook path's kernel is started and waited for by papermill (jupyter_client), so it
  is included (its sampled ``VmHWM`` equals this figure); but this is a maximum over
  processes, not their sum;
- **tree RSS**: the sum of ``VmRSS`` over the command and all its descendants (found through
  ``/proc``, scanned for new descendants once a second), sampled every ``--sample`` seconds,
  at its highest. This is what the machine needed
  at once: the kernel and the command's own process are alive together in the notebook path.
  Sampled, so a spike shorter than the interval can be missed; a sum of RSS, so pages shared
  between processes (Python, polars' library) count once per process (an overestimate of
  ~0.1-0.2 GB for two processes). Also per process: its last sampled ``VmHWM`` (own peak);
- **peak memory** in the tables: the larger of the two.

Usage::

    python benchmarks/bench_report.py --sizes 1e6,1e7 [--notebook] [--repeat 1]
    python benchmarks/bench_report.py --sizes 1e8 --notebook      # a folder of ten 10M-event parts
    python benchmarks/bench_report.py --path some/folder_or.parquet [--personas users.parquet] --results /tmp/r

Writes ``benchmarks/results/report_<N>.md`` and ``.json`` (N = events), with the machine, versions,
date and git commit. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import duckdb_use_cases_sql as ucsql
import generate
from _harness import cpu_name, descendants, human, log, others_cpu, sizes, snapshot, wait_until_idle

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
GNU_TIME = Path("/usr/bin/time")
#: A step line of the command on stderr: ``  reading the log (10 rows in 1 Parquet file) ... 2.3 s``.
STEP = re.compile(r"^  (?P<label>[^\r\n]+?) \.\.\.(?P<note>[^\r\n]*?) (?P<seconds>\d+\.\d) s$", re.MULTILINE)
#: The wrapper used when there is no GNU time: runs the command, reports its children's rusage as JSON.
WRAPPER = """
import json, resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as out:
    json.dump({"max_rss_kb": usage.ru_maxrss, "user_s": usage.ru_utime, "sys_s": usage.ru_stime}, out)
sys.exit(code)
"""


# --- inputs -----------------------------------------------------------------------------------------------


def log_for(n_events: int) -> Path:
    """The generated log of ``n_events`` events; generated now if missing, never while another run writes it."""
    path = generate.log_path(n_events)
    if generate.is_cached(n_events):
        return path
    if path.exists():  # a folder without its .done marker: being generated (or interrupted)
        raise SystemExit(
            f"{path} has no {path.name}.done marker: it is being generated (or was interrupted). "
            "Wait for generate.py to finish, or remove the folder and run again."
        )
    return generate.generate(n_events)


def parquet_rows(path: Path) -> tuple[int, int, int]:
    """(rows, files, bytes) of a Parquet file or folder, from the metadata."""
    import polars as pl

    files = sorted(path.rglob("*.parquet")) if path.is_dir() else [path]
    rows = pl.scan_parquet(files).select(pl.len()).collect().item()
    return int(rows), len(files), sum(p.stat().st_size for p in files)


def personas_for(path: Path, given: str | None) -> Path:
    if given:
        return Path(given)
    rows = parquet_rows(path)[0]
    if path.resolve().is_relative_to(generate.DATA_DIR.resolve()):  # as bench_scale.py names them
        return ucsql.write_personas(path, generate.DATA_DIR / f"personas_{rows}.parquet")
    key = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:8]
    scratch = Path(tempfile.gettempdir()) / "stickiness-bench-report"
    return ucsql.write_personas(path, scratch / f"personas_{path.stem}_{key}_{rows}.parquet")


# --- one run ----------------------------------------------------------------------------------------------


def _status(pid: int) -> tuple[str, int, int] | None:
    """(name, VmRSS kB, VmHWM kB) of a live process, or None."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    if "VmRSS" not in fields:  # a zombie
        return None
    name = " ".join(" ".join(a.decode(errors="replace") for a in cmdline[:4] if a).split())[:120]
    return name, int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


class TreeSampler(threading.Thread):
    """Sample the RSS of a process and all its descendants until stopped."""

    def __init__(self, root: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.stop = threading.Event()
        self.peak_kb = 0
        self.samples = 0
        self.processes: dict[int, dict[str, Any]] = {}  # pid -> name, last VmHWM

    #: Seconds between scans of /proc for new descendants (a scan costs ~5 ms; reading a status, ~0.05 ms).
    DISCOVER = 1.0

    def run(self) -> None:
        pids: set[int] = set()
        discovered = float("-inf")
        while not self.stop.is_set():
            if time.perf_counter() - discovered >= self.DISCOVER:
                pids |= descendants(self.root)
                discovered = time.perf_counter()
            total = 0
            for pid in list(pids):
                status = _status(pid)
                if status is None:
                    pids.discard(pid)  # exited (a reused pid would need to be its child again to be re-found)
                    continue
                name, rss, hwm = status
                total += rss
                self.processes[pid] = {"name": name, "peak_mb": round(hwm / 1024, 1)}
            self.peak_kb = max(self.peak_kb, total)
            self.samples += 1
            self.stop.wait(self.interval)


def _gnu_time(path: Path) -> dict[str, float]:
    fields: dict[str, float] = {}
    for line in path.read_text().splitlines():
        key, _, value = line.strip().rpartition(": ")
        if key == "Maximum resident set size (kbytes)":
            fields["max_rss_kb"] = float(value)
        elif key == "User time (seconds)":
            fields["user_s"] = float(value)
        elif key == "System time (seconds)":
            fields["sys_s"] = float(value)
        elif key == "Exit status":
            fields["exit"] = float(value)
    return fields


def stickiness_command() -> list[str]:
    script = Path(sys.executable).parent / "stickiness"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from stickiness_notebooks.cli import main; sys.exit(main())"]


def run_once(mode: str, events: Path, personas: Path, catalog: Path, out: Path, sample: float) -> dict[str, Any]:
    """Run the command once in a fresh process tree; return times, memory and what it printed."""
    shutil.rmtree(out, ignore_errors=True)
    extra = ["--no-notebook"] if mode == "direct" else ["--no-pdf"]
    command = [*stickiness_command(), "report", str(events), "--users", str(personas)]
    command += ["--use-cases", str(catalog), *extra, "--out", str(out)]
    with tempfile.TemporaryDirectory(prefix="bench-report-") as scratch:
        usage_file = Path(scratch) / "usage"
        if GNU_TIME.exists():
            meter, wrapped = "GNU time -v", [str(GNU_TIME), "-v", "-o", str(usage_file), *command]
        else:
            meter, wrapped = "RUSAGE_CHILDREN", [sys.executable, "-c", WRAPPER, str(usage_file), *command]
        before = snapshot()
        began = time.perf_counter()
        process = subprocess.Popen(wrapped, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        sampler = TreeSampler(process.pid, sample)
        sampler.start()
        stdout, stderr = process.communicate()
        wall = time.perf_counter() - began
        sampler.stop.set()
        sampler.join()
        others = others_cpu(before, snapshot())
        try:
            usage = _gnu_time(usage_file) if meter.startswith("GNU") else json.loads(usage_file.read_text())
        except (OSError, ValueError):
            usage = {}
    max_rss_mb = usage.get("max_rss_kb", 0) / 1024
    tree_mb = sampler.peak_kb / 1024
    row: dict[str, Any] = {
        "mode": mode,
        "command": " ".join(command),
        "exit_code": process.returncode,
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.get("user_s", 0.0) + usage.get("sys_s", 0.0), 2),
        "max_process_rss_mb": round(max_rss_mb, 1),
        "tree_rss_mb": round(tree_mb, 1),
        "peak_mb": round(max(max_rss_mb, tree_mb), 1),
        "rss_meter": meter,
        "tree_samples": sampler.samples,
        "processes": sorted(sampler.processes.values(), key=lambda p: -p["peak_mb"])[:6],
        "others_cpu": None if others is None else round(others, 3),
        "steps": steps_of(mode, stderr, out),
        "input": _input_note(stderr),
        "stdout": stdout,
    }
    ledger = out / "ledger.json"
    if ledger.exists():
        row["ledger"] = json.loads(ledger.read_text())
    if process.returncode != 0:
        row["stderr_tail"] = stderr[-3000:]
    return row


def _input_note(stderr: str) -> str | None:
    found = re.search(r"^  reading the log \((?P<size>[^)]*)\)", stderr, re.MULTILINE)
    return found["size"] if found else None


def steps_of(mode: str, stderr: str, out: Path) -> dict[str, float]:
    """Per-step seconds: the command's step lines (direct) or papermill's per-cell durations (notebook)."""
    if mode == "direct":
        steps: dict[str, float] = {}
        for found in STEP.finditer(stderr):
            label = re.sub(r" \(.*\)$", "", found["label"])  # the read step's size note
            steps[label] = steps.get(label, 0.0) + float(found["seconds"])
        return steps
    notebook = out / "report.ipynb"
    if not notebook.exists():
        return {}
    cells = json.loads(notebook.read_text())["cells"]
    steps = {}
    for index, cell in enumerate(cells):
        meta = cell.get("metadata", {})
        duration = meta.get("papermill", {}).get("duration")
        if cell["cell_type"] != "code" or duration is None:
            continue
        # the cell's jupytext title (``# %% Title``), as stickiness_notebooks.run names cells, else its tag or line
        lines = [ln.strip() for ln in "".join(cell["source"]).splitlines() if ln.strip()]
        title = meta.get("title") or next(iter(meta.get("tags", [])), None) or (lines[0][:50] if lines else "")
        steps[f"cell {index}: {title}"] = round(float(duration), 2)
    return steps


# --- the record -------------------------------------------------------------------------------------------


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        ram = float("nan")
    packages = ("stickiness", "polars", "narwhals", "numpy", "altair", "vl-convert-python", "papermill", "ipykernel")
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "ram_gb": round(ram, 1),
        "cpu": cpu_name(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        **{package: _version(package) for package in packages},
    }


def git_commit() -> tuple[str, list[str]]:
    """The commit measured, and the kit's files with uncommitted changes (read-only git)."""
    repo = HERE.parent
    try:
        head = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "--", "stickiness", "notebooks", "widgets"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "unknown", []
    changed = [line[3:] for line in dirty]
    return (f"{head} + uncommitted changes in {', '.join(changed)}" if changed else head), changed


def ledger_line(ledger: dict[str, Any] | None) -> str:
    if not ledger:
        return "no ledger (the run failed)"
    reasons = ", ".join(f"{k} {v:,}" for k, v in ledger["set_aside"].items() if v)
    return (
        f"rows read {ledger['rows_read']:,}; used {ledger['rows_used']:,}; set aside {ledger['rows_set_aside']:,}"
        + (f" ({reasons})" if reasons else "")
        + f"; users {ledger['users']:,} ({ledger.get('users_without_segment', 0):,} without a persona)"
    )


def markdown(record: dict[str, Any]) -> str:
    info, kept = record["machine"], record["kept"]
    lines = [
        f"# `stickiness report` on {record['events']:,} events",
        "",
        "Written by `benchmarks/bench_report.py`: the command as a user types it, in a fresh process"
        f" (best of {record['repeat']}).",
        "",
        f"- Log: `{record['log']}` ({record['input']}; {record['parquet_mb']:,.0f} MB of Parquet)",
        f"- Machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram_gb']} GiB RAM; {info['platform']}",
        f"- Versions: Python {info['python']}, "
        + ", ".join(f"{k} {info[k]}" for k in ("stickiness", "polars", "narwhals", "altair", "papermill") if info[k]),
        f"- Date: {record['date']}; commit: {record['commit']}",
        f"- Ledger: {ledger_line(kept[0].get('ledger') if kept else None)}",
        "",
        "| path | wall s | CPU s | max process RSS MB | tree RSS MB (sampled) | peak MB | others' CPU |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in kept:
        others = "–" if row["others_cpu"] is None else f"{row['others_cpu']:.0%}"
        status = "" if row["exit_code"] == 0 else f" (exit {row['exit_code']})"
        lines.append(
            f"| {row['mode']}{status} | {row['wall_s']:.1f} | {row['cpu_s']:.1f} | {row['max_process_rss_mb']:,.0f} "
            f"| {row['tree_rss_mb']:,.0f} | **{row['peak_mb']:,.0f}** | {others} |"
        )
    for row in kept:
        lines += ["", f"## Steps: {row['mode']}", "", "| step | seconds |", "|---|---:|"]
        lines += [f"| {name.replace('|', '/')} | {seconds:.2f} |" for name, seconds in row["steps"].items()]
        direct, total = row["mode"] == "direct", sum(row["steps"].values())
        outside = "start-up, imports, writing files" if direct else "start-up, kernel, report.html"
        lines.append(f"| sum of the {'steps' if direct else 'cells'} | {total:.2f} |")
        lines.append(f"| outside them ({outside}) | {row['wall_s'] - total:.2f} |")
        lines.append(f"| **whole process (wall)** | **{row['wall_s']:.2f}** |")
        if row["processes"]:
            lines += ["", "Processes (own peak, `VmHWM` at the last sample):", ""]
            lines += [f"- {p['peak_mb']:,.0f} MB: `{p['name']}`" for p in row["processes"] if p["peak_mb"] >= 1]
        if row.get("stderr_tail"):
            lines += ["", "Failed; end of stderr:", "", "```", row["stderr_tail"], "```"]
    lines += [
        "",
        "**wall**: start to exit of the command; **CPU**: user + system of the command and the children it waited for;"
        " **max process RSS**: the largest single process's peak (exact, kernel accounting via "
        f"{kept[0]['rss_meter'] if kept else 'GNU time'}); **tree RSS**: the sum of the RSS of the command and its"
        f" descendants, sampled every {record['sample_s']} s, at its highest (pages shared between processes count"
        " once per process); **peak** = the larger. **others' CPU**: share of the machine's CPU used by other"
        " processes during the run. In the notebook path the steps are papermill's per-cell durations.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=sizes, default=None, help="events, e.g. 1e6,1e7 (logs from generate.py)")
    parser.add_argument("--path", type=Path, help="measure this log instead (a Parquet file or folder)")
    parser.add_argument("--personas", help="users table for --path (default: written from the log)")
    parser.add_argument("--notebook", action="store_true", help="also the notebook path (papermill, --no-pdf)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per path; the fastest is kept (default 1)")
    parser.add_argument("--sample", type=float, default=0.1, help="seconds between RSS samples (default 0.1)")
    parser.add_argument("--wait-idle", type=float, default=30, help="wait up to this long for a quiet machine")
    parser.add_argument("--results", type=Path, default=RESULTS, help="folder for report_<N>.md and .json")
    parser.add_argument("--keep", type=Path, help="keep the reports under this folder (default: a temp folder)")
    args = parser.parse_args()
    if (args.sizes is None) == (args.path is None):
        parser.error("give --sizes or --path")
    logs = [args.path] if args.path else [log_for(n) for n in args.sizes]
    modes = ["direct", "notebook"] if args.notebook else ["direct"]
    catalog_dir = Path(tempfile.mkdtemp(prefix="bench-report-catalog-"))
    catalog = catalog_dir / "use_cases.csv"
    ucsql.catalog_frame().write_csv(catalog)
    info, (commit, uncommitted) = machine(), git_commit()
    args.results.mkdir(parents=True, exist_ok=True)
    for events in logs:
        rows, files, size = parquet_rows(events)
        personas = personas_for(events, args.personas)
        runs: list[dict[str, Any]] = []
        kept: list[dict[str, Any]] = []
        for mode in modes:
            mine = []
            for attempt in range(args.repeat):
                if args.wait_idle > 0:
                    wait_until_idle(args.wait_idle)
                log(f"{mode} on {human(rows)} events ({files} file{'s' * (files != 1)}), run {attempt + 1} ...")
                base = args.keep or Path(tempfile.gettempdir()) / "stickiness-bench-report"
                row = run_once(mode, events, personas, catalog, base / f"{mode}_{rows}", args.sample)
                log(
                    f"  exit {row['exit_code']}, {row['wall_s']:.1f} s wall, {row['cpu_s']:.1f} s CPU, "
                    f"peak {row['peak_mb']:,.0f} MB (max process {row['max_process_rss_mb']:,.0f}, "
                    f"tree {row['tree_rss_mb']:,.0f}), others' CPU {row['others_cpu']}"
                )
                if row["exit_code"] != 0:
                    log(row.get("stderr_tail", ""))
                mine.append(row)
                if not args.keep:
                    shutil.rmtree(base / f"{mode}_{rows}", ignore_errors=True)
            runs += mine
            ok = [r for r in mine if r["exit_code"] == 0] or mine
            kept.append(min(ok, key=lambda r: r["wall_s"]))
        record = {
            "events": rows,
            "log": str(events),
            "files": files,
            "parquet_mb": round(size / 2**20, 1),
            "input": kept[0]["input"] or f"{rows:,} rows in {files} Parquet files",
            "personas": str(personas),
            "catalog": "duckdb_use_cases_sql.RULES, as CSV",
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "commit": commit,
            "uncommitted": uncommitted,
            "machine": info,
            "repeat": args.repeat,
            "sample_s": args.sample,
            "ledger_line": ledger_line(kept[0].get("ledger")),
            "kept": kept,
            "runs": runs,
        }
        stem = args.results / f"report_{rows}"
        stem.with_suffix(".json").write_text(json.dumps(record, indent=1) + "\n")
        stem.with_suffix(".md").write_text(markdown(record))
        print(stem.with_suffix(".md").read_text())
    shutil.rmtree(catalog_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
