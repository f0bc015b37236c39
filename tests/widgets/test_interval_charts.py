"""The charts draw the intervals the core computes (docs/intervals.md): bands, error bars, small samples ringed.

A frame without the interval columns (an older version's, or one built by hand) is still drawn, without them.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import polars as pl
import pytest
from stickiness_widgets.charts.active_users import active_users_chart
from stickiness_widgets.charts.adoption import adoption_chart
from stickiness_widgets.charts.cohorts import retention_curve_chart
from stickiness_widgets.charts.monthly import monthly_active_users_chart
from stickiness_widgets.charts.retention import retention_chart
from stickiness_widgets.charts.spectrum import spectrum_chart

import stickiness as st

NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def log() -> st.UsageLog:
    # 12 users over three months: every ratio rests on fewer than 30 users, so every point is ringed
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=d) for d in range(0, 90, 3)]
    rows = [(f"u{u}", day, "open" if u % 2 else "search") for u in range(12) for day in days[u % 3 :: 2]]
    events = pl.DataFrame(rows, schema={"user_id": pl.String, "timestamp": pl.Date, "event": pl.String}, orient="row")
    return st.read_log(events, now=NOW)


def _spec(chart: Any) -> str:
    return json.dumps(chart.to_dict())


def _marks(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every layer's mark with its encoding, anywhere in the spec."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "mark" in node:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


def _has_interval_layer(chart: Any, mark: str) -> bool:
    for layer in _marks(chart.to_dict()):
        kind = layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
        encoding = layer.get("encoding", {})
        if kind == mark and encoding.get("y2", {}).get("field") == "high" and encoding["y"]["field"] == "low":
            return True
    return False


def test_line_charts_draw_the_interval_as_a_band_and_ring_small_samples(log: st.UsageLog) -> None:
    for chart in (
        active_users_chart(st.active_users(log, window=7)),
        monthly_active_users_chart(st.monthly_active_users(log, by=None).with_columns(pl.lit("all").alias("plan"))),
        retention_chart(st.retention(log)),
        retention_curve_chart(st.cohort_matrix(log)),
        adoption_chart(st.feature_adoption(log)),
    ):
        assert _has_interval_layer(chart, "area"), chart
        spec = _spec(chart)
        assert "95% interval (docs/intervals.md)" in spec
        assert "Grey rings: fewer than 30 users" in spec  # 12 users: every ratio is a small sample
        assert "datum.small_sample" in spec


def test_monthly_bars_draw_error_bars(log: st.UsageLog) -> None:
    chart = monthly_active_users_chart(st.monthly_active_users(log))
    assert _has_interval_layer(chart, "rule")
    assert "Black bars: 95% interval" in _spec(chart)


def test_spectrum_gives_the_interval_in_its_tooltips(log: st.UsageLog) -> None:
    spec = _spec(spectrum_chart(st.frequency_spectrum(log, window=30, horizon=90, min_exposure=0)))
    assert '"field": "share_low"' in spec and "tooltip (docs/intervals.md)" in spec


@pytest.mark.parametrize(
    ("metric", "chart", "drop"),
    [
        (lambda log: st.active_users(log, window=7), active_users_chart, ["stickiness_low", "stickiness_high"]),
        (st.monthly_active_users, monthly_active_users_chart, ["stickiness_low", "stickiness_high"]),
        (st.retention, retention_chart, ["retention_rate_low", "retention_rate_high", "churn_rate_low"]),
        (st.feature_adoption, adoption_chart, ["share_low", "share_high"]),
    ],
)
def test_a_frame_without_the_interval_columns_is_drawn_without_them(  # type: ignore[no-untyped-def]
    log: st.UsageLog, metric, chart, drop
) -> None:
    old = metric(log).drop([*drop, "small_sample"], strict=False)
    drawn = chart(old)
    assert not _has_interval_layer(drawn, "area") and not _has_interval_layer(drawn, "rule")
    assert "95% interval" not in _spec(drawn)
