from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

ENGINES = ["polars", "duckdb", "pyspark"]
#: Debian's chromium (browser tests skip without it; .ci/run installs it).
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
#: Headless; the `browser` fixture adds the switches that print the PDF offline (no background service, no
#: DNS lookup: stickiness_notebooks.pdf.OFFLINE_ARGS, imported there, as that package is slow to import).
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu")
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
#: PySpark variants left out of the default run, each a minute or more on Spark (2 loaded CPUs): the demo
#: and CDNOW logs (tests/test_engines.py compares every metric on all three engines on a demo log instead)
#: and the cache checks of tests/test_habits.py (engine-independent). STICKINESS_SPARK=all runs them too.
SPARK_SLOW = frozenset(
    {
        "test_a_warm_log_gives_the_tables_of_a_fresh_one",
        "test_active_users_reuse_the_active_days",
        "test_demo_planted_habits",
        "test_demo_planted_bands_are_measured_back",
        "test_cdnow_one_and_done_share_and_monthly_repeat_rate",
        "test_cdnow_is_in_the_forgettable_zone",
    }
)
NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the PySpark variants of :data:`SPARK_SLOW` unless STICKINESS_SPARK=all."""
    if os.environ.get("STICKINESS_SPARK") == "all":
        return
    slow = [
        item
        for item in items
        if getattr(item, "originalname", None) in SPARK_SLOW
        and getattr(item, "callspec", None) is not None
        and item.callspec.params.get("engine") == "pyspark"  # type: ignore[attr-defined]
    ]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if item not in slow]


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local SparkSession for the whole run (it takes 15 s or more to start), stopped at the end."""
    pytest.importorskip("pyspark", reason="pyspark is an optional engine: pip install 'stickiness[spark]'")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip(
            "the pyspark engine needs Java 17 or newer (java on PATH or JAVA_HOME): apt-get install openjdk-17-jre"
        )
    from stickiness._engine import spark_session

    session = spark_session()
    try:
        yield session
    finally:
        session.stop()


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Every metric test runs on each engine."""
    if request.param == "duckdb":
        pytest.importorskip("duckdb", reason="duckdb is an optional engine: pip install 'stickiness[duckdb]'")
    if request.param == "pyspark":
        request.getfixturevalue("spark")
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
    from stickiness_notebooks.pdf import OFFLINE_ARGS

    with sync_playwright() as playwright:
        args = [*CHROMIUM_ARGS, *OFFLINE_ARGS]
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            yield chromium
        finally:
            chromium.close()
