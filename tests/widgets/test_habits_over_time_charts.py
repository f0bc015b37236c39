"""The habits-over-time charts: titles from the core, the data they draw, segments, and offline rendering."""

from __future__ import annotations

import pytest

pytest.importorskip("altair", reason="the charts need the jupyter extra: pip install 'stickiness[jupyter]'")
pytest.importorskip("vl_convert", reason="the charts need the jupyter extra: pip install 'stickiness[jupyter]'")

import polars as pl
import stickiness_widgets as sw
import vl_convert

import stickiness
from stickiness.demo import demo_catalog, demo_events, demo_users
from tests.conftest import NOW, frame
from tests.test_habits_over_time import MIX, MIX_OPTIONS, MOVE_OPTIONS, MOVES
from tests.widgets.test_charts import OLDEST_V5


@pytest.fixture(scope="module")
def log() -> stickiness.UsageLog:
    return stickiness.read_log(demo_events(users=120), users=demo_users(users=120), now=NOW)


def test_the_habit_mix_title_and_stack() -> None:
    mix = stickiness.habit_mix(stickiness.read_log(frame(MIX), now=NOW), **MIX_OPTIONS)
    spec = sw.habit_mix_chart(mix).to_dict()
    # at least weekly (daily + weekly) of the evaluable: Jan 31 a alone, 1/1; Mar 15 a of a, b, c: 1/3
    assert (
        spec["title"]["text"]
        == "At-least-weekly users of (any) fell from 100.0% to 33.3% of adopters (2024-01-31 to 2024-03-15)"
    )
    (rows,) = spec["datasets"].values()
    stack = {(r["period_end"], r["band"]): r["share"] for r in rows if r["users"]}
    assert stack == {
        ("2024-01-31", "daily"): 1.0,
        ("2024-02-29", "daily"): pytest.approx(1 / 3),
        ("2024-02-29", "weekly"): pytest.approx(1 / 3),
        ("2024-02-29", "lapsed"): pytest.approx(1 / 3),
        ("2024-03-15", "daily"): pytest.approx(1 / 3),
        ("2024-03-15", "monthly"): pytest.approx(1 / 3),
        ("2024-03-15", "lapsed"): pytest.approx(1 / 3),
    }


def test_the_band_migration_title_and_cells() -> None:
    moves = stickiness.band_migration(stickiness.read_log(frame(MOVES), now=NOW), period_days=49, **MOVE_OPTIONS)
    spec = sw.band_migration_chart(moves).to_dict()
    # in a band on Jan 28: a (daily), w (weekly), e, g (monthly): 4; w weekly -> monthly is the one less often,
    # g went; n and t are new
    assert (
        spec["title"]["text"]
        == "Of 4 users of (any) in a band before: 0 now use it more often, 1 less often; 2 new, 1 gone"
    )
    (rows,) = spec["datasets"].values()
    assert {(r["from_band"], r["to_band"]): r["users"] for r in rows} == {
        ("daily", "daily"): 1,
        ("weekly", "monthly"): 1,
        ("monthly", "monthly"): 1,
        ("monthly", "gone"): 1,
        ("new", "monthly"): 2,
    }


def test_one_use_case_is_drawn_and_a_missing_one_is_a_clear_error(log: stickiness.UsageLog) -> None:
    catalog = stickiness.read_catalog(demo_catalog())
    mix = stickiness.habit_mix(log, catalog, window=30, min_exposure=7)
    use_case = next(name for name in mix["use_case"].unique().sort() if not name.startswith("("))
    (rows,) = sw.habit_mix_chart(mix, use_case=use_case).to_dict()["datasets"].values()
    assert {r["use_case"] for r in rows} == {use_case}
    (rows,) = sw.habit_mix_chart(mix).to_dict()["datasets"].values()
    assert {r["use_case"] for r in rows} == {"(any)"}  # the product by default
    with pytest.raises(sw.ChartDataError, match="use_case='nope'"):
        sw.band_migration_chart(stickiness.band_migration(log, catalog), use_case="nope")


def test_segments_get_panels_and_render_offline_as_vega_lite_5(log: stickiness.UsageLog) -> None:
    for chart in (
        sw.habit_mix_chart(stickiness.habit_mix(log, window=30, min_exposure=7)),
        sw.band_migration_chart(stickiness.band_migration(log)),
    ):
        spec = chart.to_dict()
        assert spec["facet"]["field"] == "persona"
        svg = vl_convert.vegalite_to_svg(spec, vl_version=OLDEST_V5)
        assert "<svg" in svg


def test_empty_frames_say_so() -> None:
    mix = pl.DataFrame(schema=stickiness.schemas.HABIT_MIX_SCHEMA)
    assert sw.habit_mix_chart(mix).to_dict()["title"]["text"].startswith("Habit mix")
    moves = pl.DataFrame(schema=stickiness.schemas.BAND_MIGRATION_SCHEMA)
    assert sw.band_migration_chart(moves).to_dict()["title"]["text"].startswith("Band migration")
