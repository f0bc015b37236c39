"""The growth-states chart: its structure (snapshot), its title from the core, its stack, and offline rendering."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

pytest.importorskip("altair", reason="the charts need the jupyter extra: pip install 'stickiness[jupyter]'")
pytest.importorskip("vl_convert", reason="the charts need the jupyter extra: pip install 'stickiness[jupyter]'")

import polars as pl
import stickiness_widgets as sw
import vl_convert

import stickiness
from stickiness.demo import demo_events, demo_users
from tests.conftest import NOW
from tests.widgets.test_charts import OLDEST_V5, structure

D = dt.date


@pytest.fixture(scope="module")
def log() -> stickiness.UsageLog:
    return stickiness.read_log(demo_events(users=120), users=demo_users(users=120), now=NOW)


def test_spec_structure(log: stickiness.UsageLog, snapshot: Any) -> None:
    specs = {
        "all": sw.growth_states_chart(stickiness.growth_states(log)).to_dict(),
        "by_persona": sw.growth_states_chart(stickiness.growth_states(log, by="persona")).to_dict(),
    }
    assert {name: structure(spec) for name, spec in specs.items()} == snapshot


def test_the_title_states_the_last_days_stack() -> None:
    # a on days 1, 2, 10; b on day 2; c on day 11 (January 2024): on day 11,
    # a is at-risk WAU (11 - 10 = 1), b at-risk MAU (11 - 2 = 9), c new: 1 active, 0% current, 2 at risk
    rows = [
        ("a", D(2024, 1, 1)),
        ("a", D(2024, 1, 2)),
        ("b", D(2024, 1, 2)),
        ("a", D(2024, 1, 10)),
        ("c", D(2024, 1, 11)),
    ]
    events = pl.DataFrame(rows, schema=["user_id", "timestamp"], orient="row").with_columns(event=pl.lit("open"))
    spec = sw.growth_states_chart(stickiness.growth_states(events)).to_dict()
    assert spec["title"]["text"] == "On 2024-01-11, of 3 users seen: 1 active (0.0% current), 2 at risk, 0 dormant"
    # the data: one row per day and state, stacked in the model's order
    (rows_drawn,) = spec["datasets"].values()
    last = {r["state"]: r["users"] for r in rows_drawn if r["day"].startswith("2024-01-11")}
    assert last == {
        "new": 1,
        "current": 0,
        "reactivated": 0,
        "resurrected": 0,
        "at_risk_wau": 1,
        "at_risk_mau": 1,
        "dormant": 0,
    }


def test_renders_offline_as_vega_lite_5(log: stickiness.UsageLog) -> None:
    spec = sw.growth_states_chart(stickiness.growth_states(log, by="persona")).to_dict()
    svg = vl_convert.vegalite_to_svg(spec, vl_version=OLDEST_V5)
    assert "<svg" in svg and "dormant" in svg


def test_an_empty_frame_says_so() -> None:
    empty = pl.DataFrame(schema=stickiness.schemas.GROWTH_STATES_SCHEMA)
    assert sw.growth_states_chart(empty).to_dict()["title"]["text"] == "Growth states: no data"
