"""DuckDB: polars frames handed to a log's connection, and frames kept there as tables."""

from __future__ import annotations

import contextlib
import itertools
import weakref
from collections.abc import Callable, Iterable
from typing import Any

import polars as pl

from stickiness._engine._session import size_text

__all__ = ["day_numbers", "materialize", "materialize_parts", "out_of_memory", "to_duckdb"]

_NAMES = itertools.count()


def to_duckdb(connection: Any, frame: pl.DataFrame) -> Any:
    """Return ``frame`` as a relation of ``connection`` (through Arrow)."""
    return connection.from_arrow(frame.to_arrow())


def materialize(connection: Any, relation: Any) -> Any:
    """Run ``relation`` into a new table of ``connection`` and return that table, dropped with it.

    A table of an in-memory connection spills to the connection's temporary directory past its memory limit.
    """
    name = f"__stickiness_{next(_NAMES)}"
    relation.create(name)
    table = connection.table(name)
    weakref.finalize(table, _drop, connection, name)
    return table


def materialize_parts(connection: Any, parts: Iterable[Callable[[Callable[[Any], None]], None]]) -> Any:
    """Run relations one after the other into one new table of ``connection`` and return it, dropped with it.

    Each part is called with a function that runs a relation into the table (the first creates it,
    the others append): a part builds its relation only when its turn comes.
    """
    name = f"__stickiness_{next(_NAMES)}"
    created = False

    def run(relation: Any) -> None:
        nonlocal created
        if created:
            relation.insert_into(name)
        else:
            relation.create(name)
            created = True

    for part in parts:
        part(run)
    table = connection.table(name)
    weakref.finalize(table, _drop, connection, name)
    return table


def _drop(connection: Any, name: str) -> None:
    with contextlib.suppress(Exception):  # the connection may be closed already: its tables went with it
        connection.execute(f'DROP TABLE IF EXISTS "{name}"')


def day_numbers(relation: Any, columns: dict[str, str], *, to_dates: bool) -> Any:
    """Add ``alias=column`` columns: day numbers of dates, or (``to_dates``) dates of day numbers."""
    epoch = "DATE '1970-01-01'"
    added = [
        f'CAST({epoch} + CAST("{column}" AS INTEGER) AS DATE) AS "{alias}"'
        if to_dates
        else f'CAST(date_diff(\'day\', {epoch}, "{column}") AS INTEGER) AS "{alias}"'
        for alias, column in columns.items()
    ]
    kept = [f'"{name}"' for name in relation.columns if name not in columns]
    return relation.project(", ".join([*kept, *added]))


def out_of_memory(error: BaseException, limit: int | None = None) -> Exception | None:
    """Return a clear error for DuckDB running out of memory (else None): the limit to raise and how.

    DuckDB spills most operators to disk past ``memory_limit``, but each thread needs some working
    memory, and a few operators hold a whole group in memory (the median of a group's values);
    below that (or when the machine itself runs out), a query fails. ``limit``: the log's, in bytes.

    >>> class OutOfMemoryException(Exception): ...
    >>> message = str(out_of_memory(OutOfMemoryException("Out of Memory Error: 11.1 GiB used"), 12 * 10**9))
    >>> message[:68], "memory_limit='24GB'" in message
    ("DuckDB ran out of memory within memory_limit='12GB' (Out of Memory E", True)
    """
    if type(error).__name__ != "OutOfMemoryException":
        return None
    from stickiness.exceptions import InvalidOptionError

    first_line = str(error).splitlines()[0] if str(error) else "out of memory"
    within = "" if limit is None else f" within memory_limit='{size_text(limit)}'"
    more = "2GB" if limit is None else size_text(2 * limit)
    return InvalidOptionError(
        f"DuckDB ran out of memory{within} ({first_line}). Give the log more: read_log(..., memory_limit='{more}') "
        f"(--memory-limit {more} on the command line). Past the limit DuckDB spills to disk, but some of its "
        "work stays in memory (each thread's working memory): 20MB is too little for most logs, 500MB runs 10M "
        "events."
    )
