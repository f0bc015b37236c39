"""Where a log's tables live: one engine session per log, with its memory limit.

On DuckDB a session is one connection (relations must share a connection to be
joined), opened with the log's ``memory_limit`` and a temporary directory it
spills to; on PySpark it is the SparkSession (its memory is the cluster's); on
polars there is nothing to hold.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import weakref
from dataclasses import dataclass, field
from typing import Any

from stickiness.exceptions import InvalidOptionError
from stickiness.typing import Engine

__all__ = ["Session", "check_memory_limit", "open_session", "size_text"]

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)?\s*$", re.IGNORECASE)
_FACTORS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}
_FACTORS |= {"KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


def check_memory_limit(memory_limit: str | None) -> int | None:
    """Return ``memory_limit`` (e.g. ``"2GB"``, ``"500MB"``) in bytes, None for no limit; a clear error otherwise.

    >>> check_memory_limit("500MB"), check_memory_limit("2 GiB"), check_memory_limit(None)
    (500000000, 2147483648, None)
    """
    if memory_limit is None:
        return None
    match = _SIZE.match(str(memory_limit))
    if match is None or float(match.group(1)) <= 0:
        raise InvalidOptionError(
            f"memory_limit={memory_limit!r}: give a size such as '500MB', '2GB' or '1.5GiB' "
            "(--memory-limit 2GB on the command line), or None for no limit."
        )
    unit = (match.group(2) or "B").upper()
    return int(float(match.group(1)) * _FACTORS[unit])


def size_text(size: int) -> str:
    """Write a size in bytes as ``memory_limit`` takes it (the inverse of :func:`check_memory_limit`).

    >>> size_text(1_500_000_000), size_text(2_000_000), size_text(24 * 10**9)
    ('1.5GB', '2MB', '24GB')
    """
    for unit, factor in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if size >= factor:
            return f"{size / factor:.3g}{unit}"
    return f"{size}B"


@dataclass(frozen=True)
class Session:
    """A log's engine session: the engine, its memory limit and (DuckDB) the connection its tables live in."""

    engine: Engine
    memory_limit: int | None = None
    connection: Any = field(default=None, compare=False, repr=False)
    spill_dir: str | None = field(default=None, compare=False, repr=False)


def open_session(engine: Engine, memory_limit: int | None = None) -> Session:
    """Open the session a log's tables live in (DuckDB: a new connection with the limit and a spill directory)."""
    if engine != "duckdb":
        return Session(engine, memory_limit)
    from stickiness._engine import optional_import

    duckdb = optional_import("duckdb", extra="duckdb")
    # Insertion order is never part of a result here; keeping it would stop DuckDB from spilling some operators.
    # Spilled blocks go to a directory of the log's own (not DuckDB's default, ``.tmp`` in the working
    # directory), removed when the session is.
    spill_dir = tempfile.mkdtemp(prefix="stickiness-duckdb-")
    config: dict[str, Any] = {"preserve_insertion_order": False, "temp_directory": spill_dir}
    if memory_limit is not None:
        config["memory_limit"] = f"{max(memory_limit // 2**20, 1)}MiB"
    session = Session(engine, memory_limit, duckdb.connect(config=config), spill_dir)
    weakref.finalize(session, shutil.rmtree, spill_dir, True)
    return session
