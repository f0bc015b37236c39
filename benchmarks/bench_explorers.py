"""Time each explorer control change on a 10M-event log: recompute (through the core) + chart + MIME bundle.

Reads the benchmark log once (``benchmarks/generate.py``; 10M events by default,
generated into a scratch folder if it is not cached), with a users table
(``user_id % 4`` -> four personas) and a 17-rule catalog, then builds each
explorer and changes its controls one at a time, as a user would: a filter (no
recompute), a window or a threshold (a recompute), back to an earlier value (the
explorer's own cache). Each explorer gets its own copy of the log, with nothing
kept on it, so its numbers do not depend on the explorer measured before it.

Per step: the wall time of the control change (``explorer.timings`` splits it into
``compute``, the core calls, and ``draw``, the chart build and render), the
explorer's status line, and the share of the CPU other processes used meanwhile
(the machine may be shared). ``--repeat N`` runs the whole sequence N times and
keeps each step's best. ``--cold`` also runs it once with nothing kept on the log
before each step (the core recomputes from the activity table every time).

Results: a table on stdout and ``benchmarks/results/explorers.md``. Progress goes to stderr.

Usage: ``python benchmarks/bench_explorers.py [--events 10000000] [--repeat 2] [--cold]``
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate
import stickiness_widgets
from stickiness_widgets.explorers import explore_active_users, explore_forgettable_zone, explore_use_cases

import stickiness

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SCRATCH = Path(tempfile.gettempdir()) / "stickiness-bench-explorers"
PERSONAS = ("analyst", "manager", "admin", "viewer")
RULES = (
    ("page_*", "browse"),
    ("view_*", "browse"),
    ("search*", "browse"),
    ("click*", "browse"),
    ("scroll*", "browse"),
    ("add_*", "buy"),
    ("checkout*", "buy"),
    ("purchase*", "buy"),
    ("subscription_*", "subscribe"),
    ("comment*", "social"),
    ("like*", "social"),
    ("share*", "social"),
    ("invite_*", "social"),
    ("upload*", "files"),
    ("download*", "files"),
    ("settings_*", "account"),
    ("log*", "account"),
)

#: A step: (what changes, which explorer, the control, its new value); control None builds the explorer.
Step = tuple[str, str, str | None, Any]
STEPS: tuple[Step, ...] = (
    ("active_users: build (by=persona; All + per-segment)", "active_users", None, None),
    ("active_users: segment All -> analyst (filter)", "active_users", "segment", "analyst"),
    ("active_users: start date 2024-07-01 (filter)", "active_users", "start", dt.date(2024, 7, 1)),
    ("active_users: window 30 -> 28 (recompute, by)", "active_users", "window", 28),
    ("active_users: segment analyst -> All (recompute, total)", "active_users", "segment", None),
    ("active_users: window 28 -> 30 (explorer cache)", "active_users", "window", 30),
    ("use_cases: build", "use_cases", None, None),
    ("use_cases: persona All -> manager (filter)", "use_cases", "persona", "manager"),
    ("use_cases: use case All -> browse (filter)", "use_cases", "use_case", "browse"),
    ("use_cases: threshold 1.0 -> 2.0 (map recompute)", "use_cases", "threshold", 2.0),
    ("use_cases: window 90 -> 60 (spectrum + map)", "use_cases", "window", 60),
    ("use_cases: window 60 -> 90 (explorer cache)", "use_cases", "window", 90),
    ("forgettable: build", "forgettable", None, None),
    ("forgettable: persona All -> manager (filter)", "forgettable", "persona", "manager"),
    ("forgettable: majority 0.5 -> 0.4 (map)", "forgettable", "majority", 0.4),
    ("forgettable: min_users 30 -> 100 (map)", "forgettable", "min_users", 100),
    ("forgettable: threshold 1.0 -> 2.0 (map + drifting)", "forgettable", "threshold", 2.0),
    ("forgettable: window 90 -> 60 (map + drifting)", "forgettable", "window", 60),
    ("forgettable: majority 0.4 -> 0.5 (map)", "forgettable", "majority", 0.5),
    ("forgettable: window 60 -> 90 (map; drifting from the explorer cache)", "forgettable", "window", 90),
    ("forgettable: persona manager -> All (filter)", "forgettable", "persona", "(all)"),
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- noise: CPU used by other processes (the machine may be shared) --------------------------------------


def _snapshot() -> tuple[float, float, float] | None:
    """(machine busy CPU-seconds, this process's CPU-seconds, wall time), or None without /proc/stat."""
    try:
        first = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in first[1:9])
    own = os.times()
    busy = (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    return busy, own.user + own.system, time.perf_counter()


def _others_cpu(before: tuple[float, float, float] | None, after: tuple[float, float, float] | None) -> float | None:
    """Share of the machine's CPU (0..1) that other processes used in between."""
    if before is None or after is None or after[2] <= before[2]:
        return None
    other = (after[0] - before[0]) - (after[1] - before[1])
    return max(0.0, min(1.0, other / ((os.cpu_count() or 1) * (after[2] - before[2]))))


# --- the run ----------------------------------------------------------------------------------------------


def read_inputs(events: int, seed: int) -> tuple[stickiness.UsageLog, stickiness.Catalog]:
    """The log (with its users table) and the catalog, read once."""
    folder = generate.DATA_DIR if generate.is_cached(events, seed) else SCRATCH / "data"
    path = generate.generate(events, seed, folder)
    started = time.perf_counter()
    ids = pl.scan_parquet(generate.parquet_glob(path)).select(pl.col("user_id").unique()).collect()
    users = ids.with_columns(persona=(pl.col("user_id") % 4).replace_strict(list(range(4)), list(PERSONAS)))
    usage = stickiness.read_log(generate.parquet_glob(path), users=users)
    catalog = stickiness.read_catalog(pl.DataFrame(list(RULES), schema=["event", "use_case"], orient="row"))
    log(f"read_log: {time.perf_counter() - started:.2f} s  {usage}")
    return usage, catalog


def _status(explorer: Any) -> str:
    return re.sub("<[^>]+>", "", explorer.status.value)


def run(usage: stickiness.UsageLog, catalog: stickiness.Catalog, *, cold: bool) -> list[dict[str, Any]]:
    """Build each explorer on its own copy of the log and change its controls; one row per step."""
    builders: dict[str, Callable[[stickiness.UsageLog], Any]] = {
        "active_users": lambda u: explore_active_users(u, by="persona"),
        "use_cases": lambda u: explore_use_cases(u, catalog),
        "forgettable": lambda u: explore_forgettable_zone(u, catalog),
    }
    explorers: dict[str, Any] = {}
    rows = []
    for name, which, control, value in STEPS:
        fresh = dataclasses.replace(usage)  # the same log with nothing kept on it
        before = _snapshot()
        started = time.perf_counter()
        if control is None:
            explorers[which] = builders[which](fresh)
        else:
            if cold:
                explorers[which].log = fresh
            getattr(explorers[which], control).value = value
        wall = time.perf_counter() - started
        explorer = explorers[which]
        row = {
            "step": name,
            "seconds": wall,
            "compute": explorer.timings["compute"],
            "draw": explorer.timings["draw"],
            "status": _status(explorer),
            "others_cpu": _others_cpu(before, _snapshot()),
        }
        rows.append(row)
        log(
            f"{'cold ' if cold else ''}{name:70s} {wall:6.2f} s  compute {row['compute']:5.2f}  "
            f"draw {row['draw']:5.2f}  | {row['status']}"
        )
    return rows


def best(runs: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Each step's fastest run."""
    return [min(step_runs, key=lambda r: r["seconds"]) for step_runs in zip(*runs, strict=True)]


# --- reporting --------------------------------------------------------------------------------------------


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def table(warm: list[dict[str, Any]], cold: list[dict[str, Any]] | None) -> str:
    head = "| control change | s | compute s | draw s | under 1 s |"
    rule = "|---|---:|---:|---:|:---:|"
    if cold is not None:
        head += " nothing kept on the log: s |"
        rule += "---:|"
    lines = [head + " others' CPU |", rule + "---:|"]
    for index, row in enumerate(warm):
        line = (
            f"| {row['step']} | {row['seconds']:.2f} | {row['compute']:.2f} | {row['draw']:.2f} "
            f"| {'build' if 'build' in row['step'] else 'yes' if row['seconds'] < 1 else 'NO'} |"
        )
        if cold is not None:
            line += f" {cold[index]['seconds']:.2f} |"
        lines.append(line + f" {_share(row['others_cpu'])} |")
    return "\n".join(lines)


def markdown(warm: list[dict[str, Any]], cold: list[dict[str, Any]] | None, args: argparse.Namespace) -> str:
    import altair
    import ipywidgets  # type: ignore[import-untyped]
    import narwhals

    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    parts = [
        "# Explorers: seconds per control change",
        "",
        "Written by `benchmarks/bench_explorers.py`.",
        "",
        f"Machine: {nproc} CPUs (`nproc`); {platform.platform()}.  ",
        f"Versions: Python {platform.python_version()}, polars {pl.__version__}, narwhals {narwhals.__version__}, "
        f"altair {altair.__version__}, ipywidgets {ipywidgets.__version__}, stickiness {stickiness.__version__}.  ",
        f"Date: {dt.date.today()}. Best of {args.repeat} run(s) of the whole sequence"
        + (", and one run with nothing kept on the log." if cold is not None else "."),
        "",
        table(warm, cold),
        "",
        f"- Log: `benchmarks/generate.py`, {args.events:,} events (2024), users table `user_id % 4` -> "
        f"{', '.join(PERSONAS)}; catalog: 17 rules -> browse, buy, subscribe, social, files, account.",
        "- **s** = wall time of the control change: the core calls (**compute**), the chart build and its render "
        "to a MIME bundle through altair's active renderer (**draw**: `stickiness_widgets.enable_offline()`), "
        "and the widgets' own work. Each explorer is built on its own copy of the log, with nothing kept on it.",
        "- The core keeps the window-independent work on the log (`UsageLog` keeps the distinct active days per "
        "`active_events`, and the use-case preparation per catalog, `as_of` and `horizon`): a build pays it once, "
        "then a window change redoes only the per-window counts, a threshold only the segment counts, and "
        "majority / min_users only the verdicts.",
    ]
    if cold is not None:
        parts.append(
            "- **nothing kept on the log**: the same sequence with a copy of the log that keeps nothing before each "
            "step, so every recompute starts from the activity table (filters and the explorer's own cache "
            "still need no recompute)."
        )
    parts.append(
        "- **others' CPU**: share of the machine's CPU used by other processes during the step (the machine "
        "may be shared; compare the steps of one run)."
    )
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=lambda s: int(float(s)), default=10_000_000, help="log size (1e7)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=2, help="runs of the whole sequence; each step's best is kept")
    parser.add_argument("--cold", action="store_true", help="also run once with nothing kept on the log")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where explorers.md goes")
    args = parser.parse_args(argv)

    stickiness_widgets.enable_offline()
    usage, catalog = read_inputs(args.events, args.seed)
    warm = best([run(usage, catalog, cold=False) for _ in range(args.repeat)])
    cold = run(usage, catalog, cold=True) if args.cold else None
    text = markdown(warm, cold, args)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "explorers.md").write_text(text)
    print(table(warm, cold))


if __name__ == "__main__":
    main()
