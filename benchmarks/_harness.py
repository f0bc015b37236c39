"""Measurement helpers shared by the benchmark scripts: timing, machine noise, peak memory, and the rounds, tables
and results pages of the benchmarks that time the kit's paths against a SQL peer stage by stage."""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gc
import json
import operator
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "PATHS",
    "PATH_HEADS",
    "assert_equal",
    "best_of_rounds",
    "cpu_name",
    "cpu_seconds",
    "human",
    "log",
    "measured",
    "noise",
    "others_cpu",
    "path_tasks",
    "paths_args",
    "paths_main",
    "peer_stages",
    "result_row",
    "results_page",
    "run_sizes",
    "run_stages",
    "save_results",
    "seconds_cell",
    "size_section",
    "sizes",
    "snapshot",
    "stage_table",
    "status_kb",
    "timed",
    "wait_until_idle",
]


def log(message: str) -> None:
    """Progress, to stderr."""
    print(message, file=sys.stderr, flush=True)


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    gc.collect()
    started = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - started


# --- noise: CPU used by other processes (the machine may be shared) --------------------------------------


def snapshot() -> tuple[float, float, float] | None:
    """(machine busy CPU-seconds, this process's CPU-seconds, wall time), or None without /proc/stat."""
    try:
        first = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in first[1:9])
    own = os.times()
    busy = (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    return busy, own.user + own.system + own.children_user + own.children_system, time.perf_counter()


def others_cpu(before: tuple[float, float, float] | None, after: tuple[float, float, float] | None) -> float | None:
    """Share of the machine's CPU (0..1) that other processes (and the hypervisor) used in between."""
    if before is None or after is None or after[2] <= before[2]:
        return None
    ncpu = os.cpu_count() or 1
    other = (after[0] - before[0]) - (after[1] - before[1])
    return max(0.0, min(1.0, other / (ncpu * (after[2] - before[2]))))


def wait_until_idle(max_wait: float, threshold: float = 0.1) -> None:
    """Wait (up to ``max_wait`` s) until other processes use under ``threshold`` of the CPU for 1 s."""
    waited = 0.0
    while True:
        before = snapshot()
        time.sleep(1.0)
        share = others_cpu(before, snapshot())
        waited += 1.0
        if share is None or share < threshold:
            return
        if waited == 1.0:
            log(f"  other processes use {share:.0%} of the CPU: waiting (up to {max_wait:.0f} s) ...")
        if waited >= max_wait:
            log(f"  still {share:.0%} busy after {waited:.0f} s: measuring anyway (noted in the results)")
            return


def measured(fn: Callable[[], Any], max_wait: float) -> tuple[Any, float, float | None]:
    """Wait for a quiet machine, then run ``fn``: (result, seconds, other processes' CPU share meanwhile)."""
    if max_wait > 0:
        wait_until_idle(max_wait)
    before = snapshot()
    out, seconds = timed(fn)
    return out, seconds, others_cpu(before, snapshot())


# --- peak memory: one run per engine in a fresh subprocess ------------------------------------------------


def status_kb(field: str) -> int | None:
    """A memory field of /proc/self/status (Linux), in KiB, or None elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def human(n: int) -> str:
    for unit, size in (("B", 10**9), ("M", 10**6), ("k", 10**3)):
        if n >= size and n % (size // 10) == 0:
            return f"{n / size:g}{unit}"
    return f"{n:,}"


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def sizes(text: str) -> list[int]:
    return [int(float(s)) for s in text.split(",") if s.strip()]


def noise(row: dict[str, Any]) -> str:
    shares = [v for k, v in row.get("others_cpu", {}).items() if k in ("kit", "duckdb") and v is not None]
    return "–" if not shares else f"{max(shares):.0%}"


def ram_gb() -> float:
    """This machine's RAM in GiB (0 when unknown)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        return 0.0


def guard_memory(limit_gb: float) -> None:
    """Exit at once (code 3) if this process's RSS passes ``limit_gb``: better than the OOM killer."""
    import threading

    if limit_gb <= 0 or status_kb("VmRSS") is None:
        return

    def watch() -> None:
        while True:
            rss = status_kb("VmRSS") or 0
            if rss > limit_gb * 2**20:
                log(f"ABORT: RSS {rss / 2**20:.1f} GB passed --max-rss-gb={limit_gb:g}; this size needs more memory.")
                os._exit(3)
            time.sleep(0.2)

    threading.Thread(target=watch, daemon=True).start()


def kit_version() -> str:
    """The kit's code measured: the git commit, and whether stickiness/ had uncommitted changes (read-only git)."""
    repo = str(Path(__file__).resolve().parent.parent)
    try:
        head = subprocess.run(
            ["git", "-C", repo, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", repo, "status", "--porcelain", "--", "stickiness"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head} + uncommitted changes in stickiness/" if dirty else head


def children() -> dict[int, list[int]]:
    """Parent pid -> child pids, from /proc (empty where there is no /proc)."""
    tree: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return tree
    for entry in entries:
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            tree.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    return tree


def descendants(root: int) -> set[int]:
    """``root`` and every process under it."""
    tree, todo, found = children(), [root], set()
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo += tree.get(pid, [])
    return found


# --- paths vs SQL vs scan floor, stage by stage (bench_habits.py, bench_habits_over_time.py) ------------

#: The measured paths, in the results' order, and their column heads.
PATH_HEADS = {"kit_polars": "kit (polars) s", "kit_duckdb": "kit (DuckDB engine) s", "sql": "DuckDB SQL s"}
PATHS = tuple(PATH_HEADS)


def paths_args(
    description: str, name: str, defaults: tuple[Path, Path, Path], argv: list[str] | None
) -> argparse.Namespace:
    """A paths benchmark's command line; ``defaults``: the data, scratch and results folders (``--out``)."""
    data_dir, scratch, results = defaults
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sizes", type=sizes, default=[10_000_000], help="events, e.g. 1e7 or 1e8")
    parser.add_argument("--repeat", type=int, default=2, help="runs per path; the best is kept (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=data_dir, help="where the generated logs are")
    parser.add_argument("--scratch", type=Path, default=scratch, help=f"users tables (default {scratch})")
    parser.add_argument("--out", type=Path, default=results, help=f"where {name}.md and {name}.json go")
    parser.add_argument("--paths", default=",".join(PATHS), help=f"which of {', '.join(PATHS)} (default all)")
    parser.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS", help="wait for a quiet CPU first")
    args = parser.parse_args(argv)
    args.paths = tuple(p for p in args.paths.split(",") if p)
    if not set(args.paths) <= set(PATHS) or args.repeat < 1:
        parser.error(f"--paths: some of {', '.join(PATHS)}; --repeat at least 1")
    return args


def cpu_seconds(fn: Callable[[], Any]) -> float:
    """Run ``fn``; return the CPU seconds it took (this process, every thread)."""
    started = time.process_time()
    fn()
    return time.process_time() - started


def run_stages(
    stages: Sequence[str], read: Callable[[], Any], metrics: dict[str, Callable[[Any], Any]]
) -> tuple[dict[str, Any], dict[str, float], Any]:
    """Run ``read``, then each metric on what it returned: the outputs, each stage's wall and CPU seconds, the handle.

    ``STAGE cpu`` is the process's CPU seconds (every thread: both engines run in this process); on a
    shared machine it is the comparable figure. ``total`` and ``total cpu`` sum ``stages`` (the read first).
    """
    times: dict[str, float] = {}

    def run(stage: str, fn: Callable[[], Any]) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        out = fn()
        times[stage], times[f"{stage} cpu"] = time.perf_counter() - wall, time.process_time() - cpu
        return out

    handle = run(stages[0], read)
    outputs = {name: run(name, functools.partial(metric, handle)) for name, metric in metrics.items()}
    times["total"] = sum(times[s] for s in stages)
    times["total cpu"] = sum(times[f"{s} cpu"] for s in stages)
    return outputs, times, handle


def peer_stages(stages: Sequence[str], peer_class: Callable[[], Any], path: Path, personas: Path) -> tuple[Any, ...]:
    """:func:`run_stages` on a SQL peer: a new peer reads the log (timed as the read), each metric is its method."""

    def read() -> Any:
        peer = peer_class()
        peer.read(path, personas)
        return peer

    out = run_stages(stages, read, {name: operator.methodcaller(name) for name in stages[1:]})
    out[2].close()
    return out


def path_tasks(
    n: int,
    args: argparse.Namespace,
    floor: Callable[[Path], object],
    kit: Callable[[Path, Path, str], Any],
    sql: Callable[[Path, Path], Any],
) -> tuple[str, Path, dict[str, Callable[[], Any]]]:
    """The log of ``n`` events (generated beforehand), its users table, and a task per path on them.

    Returns the size's label, the log's path and the tasks: the scan floor (its CPU seconds), then the chosen
    ``args.paths`` of the kit on each engine (``kit(path, personas, engine)``) and the SQL peer.
    """
    # imported here: the other benchmarks import this module without needing the generator or the personas
    import duckdb_use_cases_sql as ucsql
    import generate

    label = human(n)
    if not generate.is_cached(n, args.seed, args.data_dir):
        raise SystemExit(f"no {label}-event log in {args.data_dir}: run benchmarks/generate.py {n} first")
    path = generate.generate(n, args.seed, args.data_dir)
    personas = ucsql.write_personas(path, args.scratch / f"personas_{n}_seed{args.seed}.parquet")
    log(f"[{label}] data: {path}; users table {personas}")
    tasks = {
        "floor": lambda: cpu_seconds(lambda: floor(path)),
        "kit_polars": lambda: kit(path, personas, "polars"),
        "kit_duckdb": lambda: kit(path, personas, "duckdb"),
        "sql": lambda: sql(path, personas),
    }
    return label, path, {name: task for name, task in tasks.items() if name == "floor" or name in args.paths}


def best_of_rounds(
    tasks: dict[str, Callable[[], Any]],
    stages: Sequence[str],
    args: argparse.Namespace,
    label: str,
    check: Callable[[str, dict[str, Any], Any], None],
) -> tuple[dict[str, dict[str, float]], dict[str, list[float | None]]]:
    """Run every task ``args.repeat`` times, turning the order every round; the best seconds per stage and the noise.

    The order of ``tasks`` is the first round's; the rounds alternate direction so that no path always runs
    after the same one. ``check(name, outputs, handle)`` sees each path's outputs (to compare them).
    """
    names = list(tasks)
    best: dict[str, dict[str, float]] = {name: {} for name in PATHS}
    noise: dict[str, list[float | None]] = {name: [] for name in names}
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
            detail = ", ".join(f"{s} {times[s]:.2f} ({times[f'{s} cpu']:.2f})" for s in stages)
            log(f"[{label}] round {round_ + 1} {name} {times['total']:.2f} s ({detail}){busy}")
            check(name, outputs, handle)
            del out, outputs, handle
            gc.collect()
    return best, noise


def assert_equal(
    outputs: dict[str, Any], reference: dict[str, Any], where: str, exact: bool = True, drop: Sequence[str] = ()
) -> None:
    """Each output equals the reference's (without the ``drop`` columns; else shares to 1e-12), or exit naming it."""
    from polars.testing import assert_frame_equal

    for stage, frame in outputs.items():
        want = reference[stage].drop(drop, strict=False) if drop else reference[stage]
        try:
            if exact:
                assert_frame_equal(frame, want, check_exact=True)
            else:
                assert_frame_equal(frame, want, check_exact=False, rel_tol=1e-12, abs_tol=0)
        except AssertionError as err:
            raise SystemExit(f"MISMATCH ({where}, {stage}):\n{err}") from err


def result_row(
    n: int, path: Path, shape: dict[str, Any], best: dict[str, dict[str, float]], noise: dict[str, Any], repeat: int
) -> dict[str, Any]:
    """One size's results, as the JSON keeps them."""
    return {
        "events": n,
        "path": str(path),
        **shape,
        "seconds": {name: {k: round(v, 3) for k, v in stages.items()} for name, stages in best.items() if stages},
        "others_cpu": noise,
        "repeat": repeat,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="minutes"),
        "kit_version": kit_version(),
    }


def seconds_cell(wall: float | None, cpu: float | None) -> str:
    """``wall (cpu)`` to 2 decimals; ``–`` without a wall time."""
    return ("–" if wall is None else f"{wall:.2f}") + ("" if cpu is None else f" ({cpu:.2f})")


def stage_table(seconds: dict[str, dict[str, float]], labels: dict[str, str], total: str) -> str:
    """The paths' seconds per stage (``labels``: stage -> row label, in order), the total, and the scan floor.

    The last column divides the kit on polars by the SQL; ``total`` names the total's row (``read + both
    metrics``), bold, and the row that divides it by the scan floor.
    """
    s = seconds
    present = [p for p in PATHS if p in s]
    lines = [
        "| stage | " + " | ".join(PATH_HEADS[p] for p in present) + " | kit polars / SQL |",
        "|---|" + "---:|" * (len(present) + 1),
    ]
    for stage in (*labels, "total"):
        label = f"**{total}**" if stage == "total" else labels[stage]
        cells = [seconds_cell(s[p].get(stage), s[p].get(f"{stage} cpu")) for p in present]
        ratio = ""
        if "kit_polars" in s and "sql" in s and s["sql"].get(stage):
            ratio = f"{s['kit_polars'][stage] / s['sql'][stage]:.2f}×"
            if s["sql"].get(f"{stage} cpu") and f"{stage} cpu" in s["kit_polars"]:
                ratio += f" ({s['kit_polars'][f'{stage} cpu'] / s['sql'][f'{stage} cpu']:.2f}×)"
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {ratio} |")
    floor_s, floor_cpu = s.get("floor", {}).get("total"), s.get("floor", {}).get("total cpu")
    lines.append(
        f"| scan floor (polars reads the 3 columns) | {seconds_cell(floor_s, floor_cpu)} |" + " |" * len(present)
    )
    if floor_s:
        cells = [
            f"{s[p]['total'] / floor_s:.1f}×"
            + (f" ({s[p]['total cpu'] / floor_cpu:.1f}×)" if floor_cpu and "total cpu" in s[p] else "")
            for p in present
        ]
        lines.append(f"| {total} / scan floor | " + " | ".join(cells) + " | |")
    return "\n".join(lines)


def results_page(
    title: str, written_by: str, info: dict[str, Any], rows: list[dict[str, Any]], section: Callable[..., list[str]]
) -> str:
    """A results page: the title, where it comes from, the machine, then ``section(row)`` for each size in order."""
    parts = [
        f"# {title}",
        "",
        written_by,
        "",
        f"Machine: {info['nproc']} CPUs, {info['ram_gb']} GB RAM, {info['cpu']}; {info['platform']}.  ",
        f"Versions: Python {info['python']}, polars {info['polars']}, narwhals {info['narwhals']}, "
        f"DuckDB {info['duckdb']}, stickiness {info['stickiness']}.",
        "",
    ]
    for r in sorted(rows, key=lambda r: r["events"]):
        parts += section(r)
    return "\n".join(parts) + "\n"


def size_section(
    row: dict[str, Any], table: str, cells: str, machine: str = "a shared machine", extra: Sequence[str] = ()
) -> list[str]:
    """One size's part of a results page: what was read and when, the others' CPU share, ``extra`` lines, the table."""
    others = [v for vs in row["others_cpu"].values() for v in vs if v is not None]
    load = f"{min(others):.0%}–{max(others):.0%}" if others else "–"
    return [
        f"## {human(row['events'])} events",
        "",
        f"{row.get('rows_read', row['events']):,} rows, {row.get('users', 0):,} users; {row['date']}; best of "
        f"{row['repeat']}; kit {row['kit_version']}. Others' CPU during the runs ({machine}): {load}.",
        *extra,
        "",
        table,
        "",
        cells,
        "",
    ]


def save_results(
    out: Path, name: str, rows: list[dict[str, Any]], info: dict[str, Any], page: Callable[..., str]
) -> None:
    """Write ``NAME.json`` and ``NAME.md`` (``page(info, rows)``) in ``out``, keeping earlier rows of other sizes."""
    json_path, md_path = out / f"{name}.json", out / f"{name}.md"
    keep: list[dict[str, Any]] = []
    if json_path.exists():
        new = {r["events"] for r in rows}
        keep = [r for r in json.loads(json_path.read_text())["results"] if r["events"] not in new]
    all_rows = sorted(keep + rows, key=lambda r: r["events"])
    out.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps({"machine": info, "results": all_rows}, indent=2, default=str) + "\n")
    md_path.write_text(page(info, all_rows))


def run_sizes(
    sizes: Sequence[int],
    bench_size: Callable[[int], dict[str, Any]],
    save: Callable[[list[dict[str, Any]]], object],
    table: Callable[[dict[str, Any]], str],
) -> list[dict[str, Any]]:
    """Benchmark each size, saving after every one (a long run leaves its finished sizes behind); print its table."""
    rows: list[dict[str, Any]] = []
    for n in sizes:
        rows.append(bench_size(n))
        save(rows)
        print(f"\n{human(n)} events\n\n{table(rows[-1])}\n", flush=True)
    return rows


def paths_main(
    description: str,
    name: str,
    defaults: tuple[Path, Path, Path],
    machine: Callable[[], dict[str, Any]],
    bench_size: Callable[[int, argparse.Namespace], dict[str, Any]],
    page: Callable[[dict[str, Any], list[dict[str, Any]]], str],
    table: Callable[[dict[str, Any]], str],
    argv: list[str] | None,
) -> None:
    """A paths benchmark's ``main``: parse the command line, then time each size, writing ``NAME.md`` / ``.json``."""
    args = paths_args(description, name, defaults, argv)
    info = machine()
    run_sizes(
        args.sizes, lambda n: bench_size(n, args), lambda rows: save_results(args.out, name, rows, info, page), table
    )
