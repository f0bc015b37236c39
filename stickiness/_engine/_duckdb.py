"""DuckDB: polars frames handed to a log's connection, and frames kept there as tables."""

from __future__ import annotations

import itertools
import weakref
from typing import Any

import polars as pl

__all__ = ["materialize", "to_duckdb"]

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
    try:
        connection.execute(f'DROP TABLE IF EXISTS "{name}"')
    except Exception:  # noqa: BLE001 - the connection may be closed already: its tables went with it
        pass
