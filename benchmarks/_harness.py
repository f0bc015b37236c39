"""Measurement helpers shared by the benchmark scripts: timing, machine noise, peak memory."""

from __future__ import annotations

import gc
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = [
    "cpu_name",
    "human",
    "log",
    "measured",
    "noise",
    "others_cpu",
    "sizes",
    "snapshot",
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
