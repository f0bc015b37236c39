"""The benchmark's DuckDB SQL computes the same table as the kit (so the peer stays honest)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import stickiness

from .conftest import NOW

#: The DAU/MAU interval columns (docs/intervals.md): computed in polars from the counts compared here, and checked
#: against scipy in tests/test_intervals.py; the SQL peer has no Beta quantile.
INTERVALS = ("stickiness_low", "stickiness_high", "small_sample")


def counted(kit: pl.DataFrame) -> pl.DataFrame:
    """The kit's active-users table without its interval columns: what the SQL peer computes."""
    return kit.drop(INTERVALS)


pytest.importorskip("duckdb", reason="the benchmark's peer is DuckDB: pip install 'stickiness[duckdb]'")

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str) -> ModuleType:
    """Import benchmarks/<name>.py by path (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"_benchmarks_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


generate = _load("generate")
duckdb_sql = _load("duckdb_sql")


@pytest.fixture(scope="module")
def small_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate.generate(20_000, seed=7, data_dir=tmp_path_factory.mktemp("bench-data"), quiet=True)


def test_generated_log_shape(small_log: Path) -> None:
    log = pl.read_parquet(small_log)
    assert log.schema == pl.Schema({"user_id": pl.Int64, "timestamp": pl.Datetime("us", "UTC"), "event": pl.String})
    assert log.height == 20_000
    assert log["timestamp"].is_sorted()
    assert 1 < log["event"].n_unique() <= len(generate.EVENTS)
    assert log["timestamp"].dt.year().unique().to_list() == [2024]


def test_generation_is_seeded_and_cached(small_log: Path, tmp_path: Path) -> None:
    again = generate.generate(20_000, seed=7, data_dir=tmp_path, quiet=True)
    assert_frame_equal(pl.read_parquet(again), pl.read_parquet(small_log))
    mtime = again.stat().st_mtime_ns
    assert generate.generate(20_000, seed=7, data_dir=tmp_path, quiet=True).stat().st_mtime_ns == mtime


@pytest.mark.parametrize("window", [30, 28, 7])
@pytest.mark.parametrize("method", ["interval", "range_join"])
@pytest.mark.parametrize("day", ["epoch", "cast"])
def test_sql_equals_kit(small_log: Path, window: int, method: str, day: str) -> None:
    kit = stickiness.active_users(stickiness.read_log(small_log, tz="UTC", now=NOW), window=window)
    sql = duckdb_sql.active_users(small_log, window=window, method=method, day=day)
    assert kit.height == 366
    assert_frame_equal(sql, counted(kit), check_exact=True)


def test_sql_reads_a_folder_of_parts(small_log: Path, tmp_path: Path) -> None:
    # The 100M log is a folder of part files: both sides must read it whole.
    log = pl.read_parquet(small_log)
    folder = tmp_path / "parts"
    folder.mkdir()
    log.head(12_000).write_parquet(folder / "part-0000.parquet")
    log.tail(8_000).write_parquet(folder / "part-0001.parquet")
    kit = stickiness.active_users(stickiness.read_log(folder, tz="UTC", now=NOW))
    assert_frame_equal(duckdb_sql.active_users(folder), counted(kit), check_exact=True)
    assert_frame_equal(duckdb_sql.active_users(small_log), counted(kit), check_exact=True)


def test_sql_equals_kit_across_a_gap(tmp_path: Path) -> None:
    # 40 days without activity: MAU falls to 0 (stickiness null) and rises again; null ids are ignored.
    rows = [
        (1, dt.datetime(2024, 3, 1, 23, 59, 59, 999_999, tzinfo=dt.UTC), "open"),
        (2, dt.datetime(2024, 3, 2, 0, 0, tzinfo=dt.UTC), "open"),
        (1, dt.datetime(2024, 3, 2, 12, 0, tzinfo=dt.UTC), "search"),
        (None, dt.datetime(2024, 3, 3, 12, 0, tzinfo=dt.UTC), "open"),
        (3, dt.datetime(2024, 4, 20, 8, 0, tzinfo=dt.UTC), "open"),
        (1, dt.datetime(2024, 4, 21, 8, 0, tzinfo=dt.UTC), "open"),
    ]
    path = tmp_path / "gap.parquet"
    pl.DataFrame(
        rows,
        schema={"user_id": pl.Int64, "timestamp": pl.Datetime("us", "UTC"), "event": pl.String},
        orient="row",
    ).write_parquet(path)
    kit = stickiness.active_users(stickiness.read_log(path, tz="UTC", now=NOW))
    assert kit["stickiness"].null_count() > 0
    for method in duckdb_sql.METHODS:
        for day in duckdb_sql.DAY_EXPRS:
            assert_frame_equal(duckdb_sql.active_users(path, method=method, day=day), counted(kit), check_exact=True)


@pytest.mark.parametrize("last_users", [6, 30])
def test_sql_equals_kit_on_a_partial_last_day(tmp_path: Path, last_users: int) -> None:
    # 40 users a day for 35 days, then the last day with 6 (partial: 6 < 20 = half of 40) or 30 (not partial)
    start = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
    rows = [(u, start + dt.timedelta(days=d), "open") for d in range(35) for u in range(40)]
    rows += [(u, start + dt.timedelta(days=35), "open") for u in range(last_users)]
    path = tmp_path / "partial.parquet"
    pl.DataFrame(rows, schema=["user_id", "timestamp", "event"], orient="row").write_parquet(path)
    kit = stickiness.active_users(stickiness.read_log(path, tz="UTC", now=NOW))
    assert kit["partial_day"].to_list()[-1] == (last_users == 6)  # the rule fires only on the cut-short day
    for method in ("interval", "range_join"):
        assert_frame_equal(duckdb_sql.active_users(path, method=method), counted(kit), check_exact=True)
