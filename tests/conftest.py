from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

ENGINES = ["polars", "duckdb"]
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Every metric test runs on each engine."""
    if request.param == "duckdb":
        pytest.importorskip("duckdb", reason="duckdb is an optional engine: pip install 'stickiness[duckdb]'")
    return str(request.param)


def frame(
    rows: list[tuple[object, object, object]], names: tuple[str, str, str] = ("user_id", "timestamp", "event")
) -> pl.DataFrame:
    """A log frame from (user, time, event) rows, with polars inferring the column types."""
    return pl.DataFrame(rows, schema=list(names), orient="row")
