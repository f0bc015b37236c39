"""Issue 18's benchmark peer equals the kit: the habit mix, band migration and time to habit in DuckDB SQL.

benchmarks/duckdb_habits_over_time_sql.py computes ``habit_mix``, ``band_migration`` and ``time_to_habit``
(``by="persona"``, the benchmark's catalog, the report's options) from the tables ``duckdb_core_sql.CorePeer``
reads; each must equal the kit's output (every row and column, counts exactly, shares to 1e-12; the kit's
interval columns ``share_low`` / ``share_high`` are left out: the peer does not compute them) on a generated
log with duplicates and null keys, and on a hand-made log whose days sit on the edges of the window, the
horizon, min_exposure, the band edges and the first period end.
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
NOW = dt.datetime(2025, 12, 20, 12, tzinfo=dt.UTC)


def _load(name: str) -> ModuleType:
    """Import benchmarks/<name>.py by path (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"_bench_hot_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


generate = _load("generate")
ucsql = _load("duckdb_use_cases_sql")
hot = _load("duckdb_habits_over_time_sql")
INTERVALS = ("share_low", "share_high")


def _kit(path: Path, personas: Path) -> dict[str, pl.DataFrame]:
    log = st.read_log(path, users=personas, tz="UTC", now=NOW)
    catalog = st.read_catalog(ucsql.catalog_frame())
    out = {
        "habit_mix": st.habit_mix(log, catalog, by="persona"),
        "band_migration": st.band_migration(log, catalog, by="persona"),
        "time_to_habit": st.time_to_habit(log, catalog, by="persona"),
    }
    return {name: frame.drop(INTERVALS, strict=False) for name, frame in out.items()}


def _peer(path: Path, personas: Path) -> dict[str, pl.DataFrame]:
    with hot.HabitsOverTimePeer() as peer:
        peer.read(path, personas, today=NOW.date())
        return {stage: getattr(peer, stage)() for stage in hot.STAGES}


def _equal(peer: pl.DataFrame, kit: pl.DataFrame) -> None:
    # counts, dates and names exactly (rel_tol applies to floats only); shares and days to 1e-12
    assert_frame_equal(peer, kit, check_exact=False, rel_tol=1e-12, abs_tol=0)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("bench-hot")
    clean = generate.generate(20_000, seed=11, data_dir=folder, quiet=True)
    frame = pl.read_parquet(clean)
    path = folder / "messy.parquet"
    dupes = frame.sample(300, seed=1)
    nulls = frame.sample(4, seed=2).with_columns(user_id=None)
    pl.concat([frame, dupes, nulls]).write_parquet(path)
    return path, ucsql.write_personas(clean, folder / "personas.parquet")


#: Hand-made users: (persona, event, active days as day numbers from 2024-01-01 = 0). The log runs from day 1
#: (Jan 2) to day 500 (as_of, 2025-05-15); window 90, horizon 365, min_exposure 30. One user per persona, so
#: each persona's rows are that user's band. Mar 31 2024 (day 90) is the first month end: its window 1 .. 90
#: starts on the log's first day exactly. as_of's window is 411 .. 500, its horizon 136 .. 500; the band
#: migration's earlier day is 470 (window 381 .. 470, horizon 106 .. 470).
HAND: dict[str, tuple[str | None, str, list[int]]] = {
    "anchor": ("anchor", "app_open", [1, 500]),  # the log's first and last day; (unmapped) and (any)
    "in_w": ("in_w", "search", [411, *range(420, 431)]),  # 12 days from the window's first: 30 x 12 / 90 = 4, weekly
    "out_w": ("out_w", "search", [410, *range(420, 431)]),  # 410 is out: 30 x 11 / 90 = 3.67, monthly
    "new30": ("new30", "search", [471, 478, 485, 492]),  # exposure 500 - 471 + 1 = 30: 30 x 4 / 30 = 4, weekly
    "new29": ("new29", "search", [472, 479, 486, 493]),  # exposure 29: too new; evaluable on neither day
    "h_in": ("h_in", "share", [100, 136]),  # 136 = 500 - 364: in as_of's horizon, lapsed -> lapsed
    "h_out": ("h_out", "share", [100, 135]),  # 135 is out: lapsed on 470 -> gone
    "d20": ("d20", "login", list(range(411, 471))),  # 60 days / 90: 20, daily (on 470: 60 / 60: 30, daily)
    "t0": ("t0", "search", [200, 207, 214, 221]),  # first evaluable day 229: 30 x 4 / 30 = 4: weekly after 29 days
    "t1": ("t1", "search", [300, 330, *range(360, 371)]),  # on 366: 9 days / 67 x 30 = 4.03: after 66 days
    "nobody": (None, "search", [450, 460]),  # not in the users table: (unknown)
}


@pytest.fixture(scope="module")
def hand_made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("bench-hot-hand")
    start = dt.datetime(2024, 1, 1, 9, tzinfo=dt.UTC)
    ids = {name: number for number, name in enumerate(HAND, start=1)}
    rows = [(ids[u], start + dt.timedelta(days=d), event) for u, (_, event, days) in HAND.items() for d in days]
    events = pl.DataFrame(
        rows,
        schema={"user_id": pl.Int64, "timestamp": pl.Datetime("us", "UTC"), "event": pl.String},
        orient="row",
    )
    users = pl.DataFrame(
        [(ids[u], persona) for u, (persona, _, _) in HAND.items() if persona is not None],
        schema={"user_id": pl.Int64, "persona": pl.String},
        orient="row",
    )
    events.write_parquet(folder / "events.parquet")
    users.write_parquet(folder / "personas.parquet")
    return folder / "events.parquet", folder / "personas.parquet"


@pytest.fixture(scope="module")
def hand_peer(hand_made: tuple[Path, Path]) -> dict[str, pl.DataFrame]:
    return _peer(*hand_made)


@pytest.mark.parametrize("stage", hot.STAGES)
def test_generated_log_sql_equals_the_kit(generated: tuple[Path, Path], stage: str) -> None:
    kit, peer = _kit(*generated)[stage], _peer(*generated)[stage]
    assert kit.height > 0 and kit["persona"].n_unique() >= 5  # every persona and (unknown)
    if stage == "habit_mix":
        assert kit["period_end"].n_unique() >= 3 and (kit["users"] > 0).sum() > 100
    if stage == "band_migration":
        assert {"new", "gone"} <= set(kit["from_band"]) | set(kit["to_band"])
    if stage == "time_to_habit":
        assert kit["reached"].sum() > 0
    _equal(peer, kit)


@pytest.mark.parametrize("stage", hot.STAGES)
def test_hand_made_log_sql_equals_the_kit(
    hand_made: tuple[Path, Path], hand_peer: dict[str, pl.DataFrame], stage: str
) -> None:
    _equal(hand_peer[stage], _kit(*hand_made)[stage])


def test_hand_made_habit_mix_values(hand_peer: dict[str, pl.DataFrame]) -> None:
    # the values the two agree on, worked by hand (see HAND), so neither can be wrong the same way unnoticed
    mix = hand_peer["habit_mix"]
    ends = sorted(set(mix["period_end"]))
    assert ends[0] == dt.date(2024, 3, 31) and ends[-1] == dt.date(2025, 5, 15)  # day 90, then as_of
    last = mix.filter(pl.col("period_end") == ends[-1], pl.col("use_case") == "browse", pl.col("users") > 0)
    bands = dict(zip(last["persona"], last["band"], strict=True))
    # t0, t1 (last use 221, 370: in the horizon) lapsed; (unknown): 2 days / exposure 51 -> 1.18 monthly
    assert bands == {
        "in_w": "weekly", "out_w": "monthly", "new30": "weekly", "t0": "lapsed", "t1": "lapsed", "(unknown)": "monthly"
    }  # fmt: skip
    new29 = mix.filter(pl.col("persona") == "new29", pl.col("period_end") == ends[-1], pl.col("use_case") == "browse")
    assert new29["evaluable"].to_list() == [0] * 5 and new29["share"].null_count() == 5  # too new: no share
    # h_out's last use (135) is out of as_of's horizon: no rows for it on as_of
    assert mix.filter(pl.col("persona") == "h_out", pl.col("period_end") == ends[-1]).height == 0
    daily = mix.filter(pl.col("persona") == "d20", pl.col("period_end") == ends[-1], pl.col("use_case") == "account")
    assert daily.filter(pl.col("users") > 0)["band"].to_list() == ["daily"]


def test_hand_made_band_migration_and_time_values(hand_peer: dict[str, pl.DataFrame]) -> None:
    moves = hand_peer["band_migration"].filter(pl.col("use_case").is_in(["browse", "social", "account"]))
    got = {(p, u): (f, t) for p, u, f, t in moves.select("persona", "use_case", "from_band", "to_band").rows()}
    assert got[("h_in", "social")] == ("lapsed", "lapsed")
    assert got[("h_out", "social")] == ("lapsed", "gone")
    assert got[("d20", "account")] == ("daily", "daily")
    assert got[("new30", "browse")] == ("new", "weekly")  # not a user on day 470
    assert got[("in_w", "browse")] == ("weekly", "weekly")  # on 470: 30 x 12 days / exposure 60 = 6
    assert got[("out_w", "browse")] == ("weekly", "monthly")  # on 470: 30 x 12 / 61 = 5.9; on 500: 3.67
    assert ("new29", "browse") not in got  # evaluable on neither day
    times = hand_peer["time_to_habit"].filter(pl.col("use_case") == "browse")
    days = {p: (n, r, m) for p, n, r, m in times.select("persona", "users", "reached", "median_days_to_habit").rows()}
    assert days["t0"] == (1, 1, 29.0) and days["t1"] == (1, 1, 66.0)
    assert "new29" not in days  # first evaluable day 472 + 29 = 501 > as_of: cannot be measured
    assert days["new30"] == (1, 1, 29.0)  # on 500: 4 days / 30 x 30 = 4
