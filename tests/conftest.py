from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

ENGINES = ["polars", "duckdb"]
#: Debian's chromium (browser tests skip without it; .ci/run installs it).
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
#: Headless, and nothing that phones home.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
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


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Debian chromium for the whole run, through Playwright (no browser download).

    Shared: Playwright's sync API allows one running instance per thread.
    """
    if not CHROMIUM.exists():
        pytest.skip(f"needs Debian's chromium at {CHROMIUM}: apt-get install -y chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        try:
            yield chromium
        finally:
            chromium.close()
