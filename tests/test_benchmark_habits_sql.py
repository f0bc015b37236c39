"""Issue 18's benchmark peer equals the kit: the power-user curve and the growth states in DuckDB SQL.

benchmarks/duckdb_habits_sql.py computes ``power_users(log, window=30, by="persona")`` and
``growth_states(log, by="persona")`` from the tables ``duckdb_core_sql.CorePeer`` reads; both must
equal the kit's output (every row, column, type and value) on a generated log with duplicates and
null keys, and on a hand-made log whose gaps sit on the model's 6|7 and 29|30 day boundaries and the
power-user window's edges. That is the check that the SQL is the same definition.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import stickiness as st

pytest.importorskip("duckdb", reason="the benchmark's peer is DuckDB: pip install 'stickiness[duckdb]'")

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
NOW = dt.datetime(2024, 12, 20, 12, tzinfo=dt.UTC)


def _load(name: str) -> ModuleType:
    """Import benchmarks/<name>.py by path (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"_bench_habits_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


generate = _load("generate")
ucsql = _load("duckdb_use_cases_sql")
habits = _load("duckdb_habits_sql")


def _kit(path: Path, personas: Path) -> dict[str, pl.DataFrame]:
    log = st.read_log(path, users=personas, tz="UTC", now=NOW)
    return {
        "power_users": st.power_users(log, window=30, by="persona"),
        "growth_states": st.growth_states(log, by="persona"),
    }


def _peer(path: Path, personas: Path) -> dict[str, pl.DataFrame]:
    with habits.HabitsPeer() as peer:
        peer.read(path, personas, today=NOW.date())
        return {stage: getattr(peer, stage)() for stage in habits.STAGES}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("bench-habits")
    clean = generate.generate(20_000, seed=11, data_dir=folder, quiet=True)
    frame = pl.read_parquet(clean)
    path = folder / "messy.parquet"
    dupes = frame.sample(300, seed=1)
    nulls = frame.sample(4, seed=2).with_columns(user_id=None)
    pl.concat([frame, dupes, nulls]).write_parquet(path)
    return path, ucsql.write_personas(clean, folder / "personas.parquet")


#: Hand-made active days (day numbers of 2024, 1 = January 1) and personas; the log ends on day 100 (April 9).
#: a: gaps 6 then 7 (current, then reactivated); b: gaps 29 then 30 (reactivated, then resurrected);
#: c: only on the power window's first day (71 = 100 - 29) and the day before it (70: outside);
#: d: every day of the window (30 active days); e: no persona (unknown), once, on day 1 (dormant by day 31);
#: f: the only "pro" user, last active on day 60: "pro" has nobody in the window, so no power-user rows.
HAND = {
    "a": ("free", [1, 7, 14, 100]),
    "b": ("free", [2, 31, 61]),
    "c": ("team", [70, 71]),
    "d": ("team", list(range(71, 101))),
    "e": (None, [1]),
    "f": ("pro", [10, 60]),
}


@pytest.fixture(scope="module")
def hand_made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("bench-habits-hand")
    start = dt.datetime(2023, 12, 31, 9, tzinfo=dt.UTC)
    ids = {name: number for number, name in enumerate(HAND, start=1)}
    rows = [(ids[u], start + dt.timedelta(days=d), "open") for u, (_, days) in HAND.items() for d in days]
    events = pl.DataFrame(
        rows,
        schema={"user_id": pl.Int64, "timestamp": pl.Datetime("us", "UTC"), "event": pl.String},
        orient="row",
    )
    users = pl.DataFrame(
        [(ids[u], persona) for u, (persona, _) in HAND.items() if persona is not None],
        schema={"user_id": pl.Int64, "persona": pl.String},
        orient="row",
    )
    events.write_parquet(folder / "events.parquet")
    users.write_parquet(folder / "personas.parquet")
    return folder / "events.parquet", folder / "personas.parquet"


@pytest.mark.parametrize("stage", habits.STAGES)
def test_generated_log_sql_equals_the_kit(generated: tuple[Path, Path], stage: str) -> None:
    kit, peer = _kit(*generated)[stage], _peer(*generated)[stage]
    assert kit.height > 0 and kit["persona"].n_unique() >= 4  # every persona and (unknown)
    assert_frame_equal(peer, kit, check_exact=True)


@pytest.mark.parametrize("stage", habits.STAGES)
def test_hand_made_log_sql_equals_the_kit(hand_made: tuple[Path, Path], stage: str) -> None:
    assert_frame_equal(_peer(*hand_made)[stage], _kit(*hand_made)[stage], check_exact=True)


def test_hand_made_log_values(hand_made: tuple[Path, Path]) -> None:
    # the numbers the two equal each other on, worked by hand (so neither can be wrong the same way unnoticed)
    peer = _peer(*hand_made)
    curve = peer["power_users"].filter(pl.col("users") > 0).select("persona", "active_days", "users").rows()
    # the window is days 71 .. 100: a has 1 day (100), b none (61), c 1 (71), d 30; e and f none ("pro" absent)
    assert curve == [("free", 1, 1), ("team", 1, 1), ("team", 30, 1)]
    assert set(peer["power_users"]["persona"]) == {"free", "team"}  # 30 rows each
    states = peer["growth_states"].with_columns(n=pl.col("day").dt.ordinal_day())
    free = {row["n"]: row for row in states.filter(pl.col("persona") == "free").iter_rows(named=True)}
    assert free[7]["current"] == 1  # a: 7 - 1 = 6
    assert free[14]["reactivated"] == 1  # a: 14 - 7 = 7
    assert free[31]["reactivated"] == 1  # b: 31 - 2 = 29
    assert free[61]["resurrected"] == 1  # b: 61 - 31 = 30
    assert (free[44]["at_risk_mau"], free[44]["dormant"]) == (1, 1)  # b: 44 - 31 = 13; a: 44 - 14 = 30
    unknown = {row["n"]: row for row in states.filter(pl.col("persona") == "(unknown)").iter_rows(named=True)}
    assert (unknown[30]["at_risk_mau"], unknown[31]["dormant"]) == (1, 1)  # e: 29 then 30 days after day 1
