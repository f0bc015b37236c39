"""DuckDB: polars frames handed to a log's connection, and frames kept there as tables."""

from __future__ import annotations

import contextlib
import itertools
import weakref
from typing import Any

import polars as pl

__all__ = ["day_numbers", "materialize", "to_duckdb"]

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
