"""Seeded synthetic usage logs for the benchmarks: ``user_id``, ``timestamp``, ``event``.

One row per event, ~N/50 users over one year (2024, UTC), vectorized with numpy
(no Python loop over events or users). The shape is meant to look like a real
product log rather than uniform noise:

- users arrive over the year (a third already exist on 1 January, the rest sign
  up uniformly after) and stay for a heavy-tailed time: most leave within weeks,
  one in five stays to the end;
- each user has a log-normal daily intensity, and draws events in proportion to
  intensity x tenure, so events per user are heavy-tailed (a few power users, a
  long tail with one or two events);
- events come in sessions (geometric size, mean 5 events, ~40 s apart); a
  session falls on a uniform day of its user's tenure (a third of weekend
  sessions are redrawn, so weekends are quieter) and starts at a time of day
  peaking mid-afternoon UTC (late sessions run past midnight, but not past
  the end of the year);
- 20 event names with Zipf-like frequencies (``page_view`` is most common);
- user ids are auto-increment-like (ordered by sign-up, with gaps).

Rows are sorted by ``timestamp`` like an export. N up to ``CHUNK`` events is one
Parquet file; larger N is a folder of part files of ``CHUNK`` events each
(independent draws from the same users, each sorted), generated one at a time so
memory stays at a few GB whatever N is. Files are cached: an existing file, or a
folder with its ``<folder>.done`` marker next to it, is reused.

Usage: ``python benchmarks/generate.py 10000000 [--seed 0] [--data-dir benchmarks/data]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

DATA_DIR = Path(__file__).resolve().parent / "data"
CHUNK = 10_000_000
START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
DAYS = 366  # 2024 is a leap year: 2024-01-01 .. 2024-12-31
US_PER_DAY = 86_400_000_000
SESSION = 5  # mean events per session
EVENTS = (
    "page_view",
    "app_open",
    "search",
    "view_item",
    "click",
    "scroll",
    "add_to_cart",
    "share",
    "comment",
    "like",
    "login",
    "logout",
    "settings_open",
    "notification_open",
    "upload",
    "download",
    "invite_sent",
    "checkout",
    "purchase",
    "subscription_renew",
)


@dataclass(frozen=True)
class Users:
    """Per-user attributes shared by every chunk of one log."""

    ids: np.ndarray  # int64
    start: np.ndarray  # first day of tenure (0-based day index)
    length: np.ndarray  # tenure in days, >= 1, within the year
    cum_weight: np.ndarray  # cumulative sampling weight (intensity x tenure)


def log_path(n_events: int, seed: int = 0, data_dir: Path = DATA_DIR) -> Path:
    """Where the log of ``n_events`` events is (or will be) cached: a file, or a folder for > CHUNK."""
    stem = f"events_{n_events}_seed{seed}"
    return Path(data_dir) / (f"{stem}.parquet" if n_events <= CHUNK else stem)


def make_users(n_users: int, rng: np.random.Generator) -> Users:
    """Draw ``n_users`` users: sign-up day, tenure and activity weight."""
    existing = rng.random(n_users) < 1 / 3
    start = np.where(existing, 0, rng.integers(0, DAYS, n_users))
    # Tenure: 20% stay to the end of the year, the rest leave after an exponential time (mean 45 days).
    stays = rng.random(n_users) < 0.2
    tenure = np.ceil(rng.exponential(45.0, n_users)).astype(np.int64)
    end = np.where(stays, DAYS, np.minimum(start + np.maximum(tenure, 1), DAYS))
    length = (end - start).astype(np.int64)
    intensity = rng.lognormal(mean=0.0, sigma=1.3, size=n_users)
    weight = intensity * length
    # Auto-increment ids in sign-up order, with gaps (deleted accounts).
    order = np.argsort(start, kind="stable")
    ids = np.empty(n_users, dtype=np.int64)
    ids[order] = 100_000 + np.cumsum(rng.integers(1, 4, n_users))
    return Users(ids=ids, start=start.astype(np.int64), length=length, cum_weight=np.cumsum(weight))


def make_events(users: Users, n: int, rng: np.random.Generator) -> pl.DataFrame:
    """Draw ``n`` events from ``users`` in sessions, sorted by timestamp."""
    # Sessions of geometric size (mean SESSION events); the last one is cut so there are exactly n events.
    sizes = rng.geometric(1 / SESSION, n // SESSION + 64)
    while sizes.sum() < n:  # a loop over batches of sessions, rarely taken
        sizes = np.concatenate([sizes, rng.geometric(1 / SESSION, n // (10 * SESSION) + 64)])
    ends = np.cumsum(sizes)
    n_sessions = int(np.searchsorted(ends, n)) + 1
    sizes = sizes[:n_sessions]
    sizes[-1] -= ends[n_sessions - 1] - n
    # Each session: a user (by weight), a day of the user's tenure, a start time.
    who = np.searchsorted(users.cum_weight, rng.random(n_sessions) * users.cum_weight[-1], side="right")
    who = np.minimum(who, len(users.ids) - 1)
    start, length = users.start[who], users.length[who]
    day = start + (rng.random(n_sessions) * length).astype(np.int64)
    # Weekly rhythm: a third of weekend sessions are redrawn once (uniformly over the tenure again).
    weekday = (day + START.weekday()) % 7
    redraw = (weekday >= 5) & (rng.random(n_sessions) < 1 / 3)
    day = np.where(redraw, start + (rng.random(n_sessions) * length).astype(np.int64), day)
    # Session start: mostly around 15:00 UTC (sd 4 h), wrapped into the day.
    begin = day * US_PER_DAY + ((rng.normal(15.0, 4.0, n_sessions) % 24.0) * 3_600_000_000).astype(np.int64)
    # Events of a session: exponential gaps (mean 40 s) after its start.
    first = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    gaps = rng.exponential(40_000_000.0, n).astype(np.int64)
    gaps[first] = 0
    elapsed = np.cumsum(gaps)
    elapsed -= np.repeat(elapsed[first], sizes)
    # Sessions late on the last day are moved earlier so that none runs past the end of the year.
    last = np.cumsum(sizes) - 1
    begin = np.minimum(begin, DAYS * US_PER_DAY - 1 - elapsed[last])
    ts = np.repeat(begin, sizes) + elapsed
    user = np.repeat(users.ids[who], sizes)
    rank = np.arange(1, len(EVENTS) + 1)
    p = 1.0 / rank**1.1
    codes = rng.choice(len(EVENTS), size=n, p=p / p.sum()).astype(np.uint32)
    order = np.argsort(ts, kind="stable")
    epoch_us = int(START.timestamp()) * 1_000_000
    return pl.DataFrame(
        {
            "user_id": pl.Series(user[order], dtype=pl.Int64),
            "timestamp": pl.Series(ts[order] + epoch_us, dtype=pl.Int64).cast(pl.Datetime("us", "UTC")),
            "event": pl.Series(codes[order]).replace_strict(
                list(range(len(EVENTS))), list(EVENTS), return_dtype=pl.String
            ),
        }
    )


def _marker(path: Path, n_events: int) -> Path:
    # A folder's marker sits next to it: a folder read as a log must hold only Parquet files.
    return path.with_name(path.name + ".done") if n_events > CHUNK else path


def is_cached(n_events: int, seed: int = 0, data_dir: Path = DATA_DIR) -> bool:
    """True if the log of ``n_events`` events is already complete on disk."""
    return _marker(log_path(n_events, seed, data_dir), n_events).exists()


def generate(n_events: int, seed: int = 0, data_dir: Path = DATA_DIR, *, quiet: bool = False) -> Path:
    """Return the path of the cached log of ``n_events`` events, generating it first if missing."""
    path = log_path(n_events, seed, data_dir)
    done = _marker(path, n_events)
    if done.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rng = np.random.default_rng([seed, n_events])
    users = make_users(max(1, n_events // 50), rng)
    if n_events <= CHUNK:
        tmp = path.with_suffix(".parquet.tmp")
        make_events(users, n_events, rng).write_parquet(tmp)
        os.replace(tmp, path)
    else:
        if path.exists():
            shutil.rmtree(path)  # an unfinished folder from an interrupted run
        path.mkdir()
        n_parts = -(-n_events // CHUNK)
        for part in range(n_parts):
            n = min(CHUNK, n_events - part * CHUNK)
            part_rng = np.random.default_rng([seed, n_events, part + 1])
            tmp = path / f"part-{part:04d}.parquet.tmp"
            make_events(users, n, part_rng).write_parquet(tmp)
            os.replace(tmp, tmp.with_suffix(""))
            if not quiet:
                print(f"  generated part {part + 1}/{n_parts} of {path.name}", file=sys.stderr, flush=True)
        done.touch()
    if not quiet:
        print(f"generated {path} in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return path


def parquet_glob(path: Path) -> str:
    """A glob over the Parquet file(s) of ``path`` (a file, or a folder of part files)."""
    return str(path / "*.parquet") if Path(path).is_dir() else str(path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n_events", type=lambda s: int(float(s)), help="number of events, e.g. 1000000 or 1e7")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    args = parser.parse_args(argv)
    print(generate(args.n_events, args.seed, args.data_dir))


if __name__ == "__main__":
    main()
