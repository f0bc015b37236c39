"""The core-report benchmark's DuckDB SQL equals the kit, stage by stage (so the peer stays honest).

benchmarks/duckdb_core_sql.py reads a Parquet log once into DuckDB tables and
computes every metric of ``stickiness report --no-notebook`` from them; here each
stage's output must equal the kit's on a small generated log with exact
duplicates, null users, times and events, and rows after ``now``.
"""

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

import stickiness as st

pytest.importorskip("duckdb", reason="the benchmark's peer is DuckDB: pip install 'stickiness[duckdb]'")

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
#: "now" falls inside the generated year: the last days' rows are future_time, as_of moves back.
NOW = dt.datetime(2024, 12, 20, 12, tzinfo=dt.UTC)
TOL = {"rel_tol": 1e-12, "abs_tol": 1e-12}


def _load(name: str) -> ModuleType:
    """Import benchmarks/<name>.py by path (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"_bench_core_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


generate = _load("generate")
ucsql = _load("duckdb_use_cases_sql")
core = _load("duckdb_core_sql")


def _messy(clean: pl.DataFrame) -> pl.DataFrame:
    """The clean log plus exact duplicates (some twice) and rows with a null user, time or event."""
    some = clean.sample(400, seed=1)
    nulls = clean.sample(9, seed=2).with_row_index("i")
    nulls = nulls.with_columns(
        user_id=pl.when(pl.col("i") < 3).then(None).otherwise(pl.col("user_id")),
        timestamp=pl.when(pl.col("i").is_between(3, 5)).then(None).otherwise(pl.col("timestamp")),
        event=pl.when(pl.col("i") >= 6).then(None).otherwise(pl.col("event")),
    ).drop("i")
    nulls = pl.concat([nulls, nulls.head(1).with_columns(timestamp=None)])  # null user and time: null_user first
    return pl.concat([clean, some, some.head(50), nulls]).sample(fraction=1.0, shuffle=True, seed=3)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("bench-core")
    clean = generate.generate(20_000, seed=7, data_dir=folder, quiet=True)
    personas = ucsql.write_personas(clean, folder / "personas.parquet")
    path = folder / "messy.parquet"
    _messy(pl.read_parquet(clean)).write_parquet(path)
    return path, personas


def kit_outputs(path: Path, personas: Path, **options: Any) -> tuple[st.UsageLog, dict[str, Any]]:
    """The core report's calls (stickiness_notebooks.spec.QUICKSTART's metrics), in its order, on one log."""
    log = st.read_log(path, users=personas, tz="UTC", now=NOW)
    catalog = st.read_catalog(ucsql.catalog_frame())
    habit = {k: options[k] for k in ("window", "horizon", "min_exposure") if k in options}
    # the map's options: the spectrum's verdict columns are the map's
    verdict = {k: options.get(k, default) for k, default in (("threshold", 1.0), ("majority", 0.5), ("min_users", 30))}
    out: dict[str, Any] = {
        "active_users": st.active_users(log, window=30, by="persona"),
        "monthly_active_users": st.monthly_active_users(log, by="persona"),
        "use_cases": (
            st.frequency_spectrum(log, catalog, by="persona", **verdict, **habit),
            st.use_case_map(log, catalog, by="persona", **verdict, **habit),
        ),
        "drifting_users": st.drifting_users(log, catalog, by="persona", threshold=verdict["threshold"], **habit),
        "unmapped_events": st.unmapped_events(log, catalog),
        "retention": st.retention(log, by="persona", period="month"),
        "lifecycle": st.lifecycle(log, by="persona", period="month"),
        "inactive_users": st.inactive_users(log, days=30, by="persona"),
    }
    return log, out


def peer_outputs(path: Path, personas: Path, **options: Any) -> tuple[dict[str, Any], pl.DataFrame, dict[str, Any]]:
    with core.CorePeer() as peer:
        ledger = peer.read(path, personas, today=NOW.date())
        activity = peer.activity()
        out: dict[str, Any] = {}
        for stage in core.STAGES:
            out[stage] = peer.use_cases(**options) if stage == "use_cases" else getattr(peer, stage)()
    return ledger, activity, out


#: The kit's interval columns (docs/intervals.md): computed in polars from the counts compared here, after the
#: engine, and checked against scipy in the metrics' own tests; the SQL peer has no Beta quantile.
INTERVALS = (
    *("stickiness_low", "stickiness_high", "retention_rate_low", "retention_rate_high"),
    *("churn_rate_low", "churn_rate_high", "share_low", "share_high", "small_sample"),
)


def assert_stage_equal(stage: str, ours: Any, theirs: Any) -> None:
    if stage == "use_cases":
        assert_frame_equal(theirs[0], ours[0].drop(INTERVALS, strict=False), **TOL)
        kit_map = ours[1]
        profiles = kit_map.select("problem", "why_us", "alternatives", "expected_frequency")
        assert profiles.null_count().sum_horizontal().item() == 4 * kit_map.height  # no profiles: the peer omits them
        assert_frame_equal(theirs[1], kit_map.select(list(ucsql.MAP_SCHEMA)), **TOL)
    else:
        assert_frame_equal(theirs, ours.drop(INTERVALS, strict=False), **TOL)


@pytest.fixture(scope="module")
def both(inputs: tuple[Path, Path]) -> tuple[Any, ...]:
    path, personas = inputs
    log, kit = kit_outputs(path, personas)
    ledger, activity, peer = peer_outputs(path, personas)
    return log, kit, ledger, activity, peer


def test_read_stage_equals_read_log(both: tuple[Any, ...]) -> None:
    log, _, ledger, activity, _ = both
    kit = log.ledger.to_dict()
    for key in ("rows_read", "rows_used", "set_aside", "users", "users_without_segment"):
        assert ledger[key] == kit[key], key
    assert (ledger["first_day"], ledger["as_of"]) == (log.first_day, log.as_of)
    # the log really is messy: every reason the benchmark data can have is exercised
    aside = ledger["set_aside"]
    assert 400 < aside["duplicate"] <= 450  # 450 copies, less those dated after now (future_time comes first)
    assert (aside["null_user"], aside["null_time"], aside["null_event"]) == (4, 3, 3)
    assert aside["future_time"] > 0 and log.as_of == NOW.date()
    assert ledger["users_without_segment"] > 0
    keys = ["user", "day", "event"]
    assert_frame_equal(activity.sort(keys), log.activity.sort(keys), check_exact=True)


@pytest.mark.parametrize("stage", core.STAGES)
def test_stage_equals_the_kit(both: tuple[Any, ...], stage: str) -> None:
    _, kit, _, _, peer = both
    assert_stage_equal(stage, kit[stage], peer[stage])
    ours = kit[stage][1] if stage == "use_cases" else kit[stage]
    assert ours.height > 0, f"{stage}: an empty table proves little"


def test_statuses_and_segments_are_exercised(both: tuple[Any, ...]) -> None:
    _, kit, _, _, _ = both
    assert set(kit["inactive_users"]["status"]) == {"dormant", "at_risk", "on_rhythm", "no_rhythm"}
    assert {*ucsql.PERSONAS, "(unknown)"} <= set(kit["retention"]["persona"])
    assert kit["lifecycle"]["quick_ratio"].null_count() < kit["lifecycle"].height


def test_use_case_stages_with_other_options(inputs: tuple[Path, Path]) -> None:
    path, personas = inputs
    options = {"window": 30, "horizon": 120, "min_exposure": 10, "threshold": 2.5, "majority": 0.4, "min_users": 5}
    _, kit = kit_outputs(path, personas, **options)
    _, _, peer = peer_outputs(path, personas, **options)
    for stage in ("use_cases", "drifting_users"):
        assert_stage_equal(stage, kit[stage], peer[stage])
    assert kit["drifting_users"].height > 0


def test_read_stage_reads_a_folder_of_parts(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    # The 100M log is a folder of part files: the peer must read it whole.
    path, personas = inputs
    frame = pl.read_parquet(path)
    folder = tmp_path / "parts"
    folder.mkdir()
    frame.head(12_000).write_parquet(folder / "part-0000.parquet")
    frame.slice(12_000).write_parquet(folder / "part-0001.parquet")
    log, kit = kit_outputs(folder, personas)
    ledger, activity, peer = peer_outputs(folder, personas)
    assert ledger["rows_read"] == log.ledger.rows_read == frame.height
    assert ledger["set_aside"] == dict(log.ledger.set_aside)
    keys = ["user", "day", "event"]
    assert_frame_equal(activity.sort(keys), log.activity.sort(keys), check_exact=True)
    for stage in ("active_users", "retention", "inactive_users"):
        assert_stage_equal(stage, kit[stage], peer[stage])


def test_read_variants_agree(inputs: tuple[Path, Path]) -> None:
    path, personas = inputs
    tables = []
    for variant in core.READ_VARIANTS:
        with core.CorePeer() as peer:
            ledger = peer.read(path, personas, today=NOW.date(), variant=variant)
            tables.append((ledger, peer.activity().sort("user", "day", "event")))
    for ledger, activity in tables[1:]:
        assert ledger == tables[0][0]
        assert_frame_equal(activity, tables[0][1], check_exact=True)


def test_use_case_table_path_without_user_days(inputs: tuple[Path, Path]) -> None:
    # duckdb_use_cases_sql's table path on its own: (any) from the activity table, not from user_days.
    path, personas = inputs
    _, kit = kit_outputs(path, personas)
    with core.CorePeer() as peer:
        peer.read(path, personas, today=NOW.date())
        assert_stage_equal("use_cases", kit["use_cases"], ucsql.use_cases_from_tables(peer.con))


def test_every_stage_on_hand_made_rows(tmp_path: Path) -> None:
    def at(day: dt.date, hour: int = 12) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)

    start = dt.date(2024, 1, 1)
    rows: list[tuple[int | None, dt.datetime | None, str | None]] = [
        (1, dt.datetime(1969, 12, 31, 23, 59, tzinfo=dt.UTC), "search"),  # before 1970: day 1969-12-31
        (1, at(start), "search"),
        (1, at(start), "search"),  # an exact duplicate
        (1, at(start, 13), "search"),  # same day, another time: 2 events
        (2, at(start + dt.timedelta(days=40)), "share"),  # two use cases
        (2, at(start + dt.timedelta(days=75)), "app_open"),  # unmapped
        (3, at(start + dt.timedelta(days=100)), "login"),
        (None, at(start), "search"),
        (4, None, "search"),
        (4, at(start + dt.timedelta(days=5)), None),
        (5, at(dt.date(2025, 1, 1)), "search"),  # after now: future_time
    ]
    rows += [(6, at(start + dt.timedelta(days=7 * i)), "page_view") for i in range(16)]  # weekly: a rhythm
    path = tmp_path / "edge.parquet"
    schema = {"user_id": pl.Int64, "timestamp": pl.Datetime("us", "UTC"), "event": pl.String}
    pl.DataFrame(rows, schema=schema, orient="row").write_parquet(path)
    personas = tmp_path / "personas.parquet"
    pl.DataFrame({"user_id": [1, 2, 6, 99], "persona": ["a", "b", "a", "b"]}).write_parquet(personas)
    log, kit = kit_outputs(path, personas)
    ledger, activity, peer = peer_outputs(path, personas)
    assert ledger["set_aside"] == dict(log.ledger.set_aside)
    assert ledger["set_aside"]["duplicate"] == 1 and ledger["users_without_segment"] == 1
    assert log.first_day == dt.date(1969, 12, 31)
    keys = ["user", "day", "event"]
    assert_frame_equal(activity.sort(keys), log.activity.sort(keys), check_exact=True)
    for stage in core.STAGES:
        assert_stage_equal(stage, kit[stage], peer[stage])
