"""DuckDB: polars frames handed over as relations of one connection."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

__all__ = ["to_duckdb"]


def to_duckdb(frames: Mapping[str, pl.DataFrame]) -> dict[str, Any]:
    """Return each frame as a DuckDB relation (through Arrow), all on one new in-memory connection.

    One connection per call: relations must share it to be joined.
    """
    from stickiness._engine import optional_import

    duckdb = optional_import("duckdb", extra="duckdb")
    con = duckdb.connect()
    return {name: con.from_arrow(frame.to_arrow()) for name, frame in frames.items()}
