"""The use-case benchmark's DuckDB SQL computes the same tables as the kit (so the peer stays honest)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import stickiness
from stickiness.metrics.use_cases import frequency_spectrum, use_case_map

from .conftest import NOW

pytest.importorskip("duckdb", reason="the benchmark's peer is DuckDB: pip install 'stickiness[duckdb]'")

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
FLOATS = ("median_rate", "median_interval_days", "ci_low", "ci_high")


def _load(name: str) -> ModuleType:
    """Import benchmarks/<name>.py by path (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"_bench_use_cases_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


generate = _load("generate")
peer = _load("duckdb_use_cases_sql")


#: The kit's interval columns (docs/intervals.md): computed in polars from the counts compared here, after the
#: engine, and checked against scipy in the metrics' own tests; the SQL peer has no Beta quantile.
INTERVALS = ("share_low", "share_high", "adoption_rate_low", "adoption_rate_high", "small_sample")


def kit(log: Path, personas: Path, rules: Any = None, **options: Any) -> tuple[pl.DataFrame, pl.DataFrame]:
    usage = stickiness.read_log(log, users=personas, now=NOW)
    catalog = peer.catalog_frame(peer.RULES if rules is None else rules)
    if "bands" in options:  # the peer takes (daily, weekly, monthly) edges, the kit a dict
        options = {**options, "bands": dict(zip(("daily", "weekly", "monthly"), options["bands"], strict=True))}
    # the spectrum takes the map's options too: its verdict columns are the map's
    spectrum, table = frequency_spectrum(usage, catalog, **options), use_case_map(usage, catalog, **options)
    return spectrum.drop(INTERVALS, strict=False), table.drop(INTERVALS, strict=False)


def assert_same(ours: tuple[pl.DataFrame, pl.DataFrame], theirs: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    spectrum, table = ours
    assert_frame_equal(theirs[0], spectrum, check_exact=True)
    table = table.select(list(peer.MAP_SCHEMA))
    exact = [c for c in peer.MAP_SCHEMA if c not in FLOATS]
    assert_frame_equal(theirs[1].select(exact), table.select(exact), check_exact=True)
    assert_frame_equal(theirs[1].select(FLOATS), table.select(FLOATS), rel_tol=1e-12)


@pytest.fixture(scope="module")
def small_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("bench-use-cases")
    log = generate.generate(20_000, seed=7, data_dir=folder, quiet=True)
    return log, peer.write_personas(log, folder / "personas.parquet")


def test_sql_equals_kit_with_the_defaults(small_log: tuple[Path, Path]) -> None:
    log, personas = small_log
    ours = kit(log, personas)
    assert_same(ours, peer.use_cases(log, personas))
    table = ours[1]
    # The benchmark's shape: 5 use cases + (any) + (unmapped), 4 personas + (unknown).
    assert set(table["use_case"]) == {"(any)", "(unmapped)", "account", "browse", "buy", "files", "social"}
    assert set(table["persona"]) == {*peer.PERSONAS, "(unknown)"}
    assert {"true", "insufficient_data"} <= set(table["forgettable"])
    assert table["median_interval_days"].null_count() < table.height


def test_sql_equals_kit_with_other_options(small_log: tuple[Path, Path]) -> None:
    log, personas = small_log
    options = {
        "window": 30,
        "horizon": 120,
        "min_exposure": 10,
        "threshold": 2.5,
        "majority": 0.4,
        "min_users": 5,
        "bands": (10.0, 3.0, 0.5),
    }
    rules = [("*_*", "two words"), ("s*", "s"), ("?ik?", "likes"), ("page_view", "two words")]
    assert_same(kit(log, personas, rules, **options), peer.use_cases(log, personas, rules, **options))


def test_sql_without_medians_agrees_on_the_rest(small_log: tuple[Path, Path]) -> None:
    log, personas = small_log
    spectrum, table = peer.use_cases(log, personas, medians=False)
    ours = kit(log, personas)
    assert_frame_equal(spectrum, ours[0], check_exact=True)
    assert table["median_interval_days"].null_count() == table.height
    rest = [c for c in peer.MAP_SCHEMA if c not in ("median_interval_days", "ci_low", "ci_high")]
    assert_frame_equal(table.select(rest), ours[1].select(rest), check_exact=True)


def test_sql_equals_kit_on_edge_cases(tmp_path: Path) -> None:
    def at(day: int, hour: int = 12) -> dt.datetime:
        return dt.datetime(2024, 1, 1, hour, tzinfo=dt.UTC) + dt.timedelta(days=day)

    rows = [
        (1, at(0), "share"),  # an event of two use cases (social, files)
        (1, at(40), "share"),
        (1, at(40, 23), "share"),  # same day: one active day
        (1, at(100), "like"),
        (1, at(199), "app_open"),  # unmapped
        (2, at(150), "upload"),
        (2, at(180), "download"),
        (3, at(195), "login"),  # too new: exposure 5 days
        (4, at(10), "search"),  # adopter in the horizon, lapsed in the window
        (5, at(120), "view_item"),  # not in the users table: (unknown)
        (6, at(130), "click"),  # blank persona: (unknown)
        (None, at(199), "search"),  # null user: ignored
        (4, None, "search"),  # null time: ignored
        (2, at(199), None),  # null event: ignored
    ]
    log = tmp_path / "edge.parquet"
    pl.DataFrame(
        rows,
        schema={"user_id": pl.Int64, "timestamp": pl.Datetime("us", "UTC"), "event": pl.String},
        orient="row",
    ).write_parquet(log)
    personas = tmp_path / "personas.parquet"
    pl.DataFrame(
        {"user_id": [1, 2, 3, 4, 6, 99], "persona": ["a", "a", "late", "b", "  ", "a"]},
    ).write_parquet(personas)
    for options in ({"min_users": 1}, {"window": 60, "min_exposure": 1, "min_users": 2}, {}):
        ours = kit(log, personas, **options)
        assert_same(ours, peer.use_cases(log, personas, **options))
    late = ours[1].filter(pl.col("persona") == "late")
    assert late["too_new"].to_list() == late["adopters"].to_list() == [1, 1]  # (any) and account
    assert late["forgettable_share"].null_count() == 2


def test_sql_reads_a_folder_of_parts(small_log: tuple[Path, Path], tmp_path: Path) -> None:
    # The 100M log is a folder of part files: both sides must read it whole.
    log, personas = small_log
    frame = pl.read_parquet(log)
    folder = tmp_path / "parts"
    folder.mkdir()
    frame.head(12_000).write_parquet(folder / "part-0000.parquet")
    frame.tail(8_000).write_parquet(folder / "part-0001.parquet")
    assert_same(kit(folder, personas), peer.use_cases(folder, personas))


def test_sql_rejects_what_it_cannot_express(small_log: tuple[Path, Path]) -> None:
    log, personas = small_log
    with pytest.raises(ValueError, match="globs only"):
        peer.use_cases_sql(log, personas, [("[ab]*", "x")])
    with pytest.raises(ValueError, match="unknown option"):
        peer.use_cases_sql(log, personas, as_of="2024-06-30")
