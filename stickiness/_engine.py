"""The one place that knows about engines.

Metrics are written once with narwhals on lazy frames. This module lifts polars
frames into the chosen engine and brings results back as polars frames with the
documented column types (DuckDB returns decimals for sums and other integer
widths; every output column is cast here).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import ModuleType
from typing import Any, Literal

import narwhals as nw
import polars as pl

from stickiness._errors import InvalidOptionError

__all__ = ["ENGINES", "Engine", "check_engine", "collect", "lift", "optional_import"]

Engine = Literal["polars", "duckdb"]
ENGINES: tuple[str, ...] = ("polars", "duckdb")


def optional_import(module: str, *, extra: str) -> ModuleType:
    """Import an optional dependency, or fail with the command that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise ImportError(
            f"{module} is needed for this and is not installed. Install it with "
            f"`pip install 'stickiness[{extra}]'` (or `pip install {module}`)."
        ) from err


def check_engine(engine: str) -> Engine:
    """Return ``engine`` if it is supported, else raise a clear error."""
    if engine not in ENGINES:
        raise InvalidOptionError(f"engine={engine!r} is not supported. Use one of {list(ENGINES)}.")
    return engine  # type: ignore[return-value]


def lift(engine: Engine, **frames: pl.DataFrame) -> dict[str, nw.LazyFrame[Any]]:
    """Hand polars frames to ``engine`` as narwhals lazy frames that can be joined together."""
    if engine == "polars":
        return {name: nw.from_native(frame.lazy()) for name, frame in frames.items()}
    duckdb = optional_import("duckdb", extra="duckdb")
    con = duckdb.connect()  # one connection per call: relations must share it to be joined
    return {name: nw.from_native(con.from_arrow(frame.to_arrow())) for name, frame in frames.items()}


def collect(frame: nw.LazyFrame[Any], schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """Run ``frame`` and return a polars frame with exactly ``schema``'s columns and types."""
    out: pl.DataFrame = frame.collect("polars").to_native()
    return out.select([pl.col(name).cast(dtype) for name, dtype in schema.items()])
