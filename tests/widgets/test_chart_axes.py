"""Charts that read right: every axis titled, calendar labels each shown once (read from the drawn SVG)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("altair", reason="the charts need the jupyter extra: pip install 'stickiness[jupyter]'")
pytest.importorskip("vl_convert", reason="the charts need the jupyter extra: pip install 'stickiness[jupyter]'")

import polars as pl
import stickiness_widgets as sw

import stickiness
from stickiness.demo import demo_catalog, demo_events, demo_use_case_profiles, demo_users
from tests.widgets import _axes
from tests.widgets import test_charts as core_charts
from tests.widgets import test_charts_scorecards as scorecard_charts
from tests.widgets import test_retention_charts as period_charts

#: Every chart of the three chart test modules, on the demo data: (module, chart name).
CHARTS = [
    (module, name)
    for module in (core_charts, period_charts, scorecard_charts)
    for name in module.BUILDERS  # type: ignore[attr-defined]
]


@pytest.fixture(scope="module")
def frames() -> dict[Any, Any]:
    """Each module's demo frames, built by its own fixture function."""
    return {module: module.frames.__wrapped__() for module in (core_charts, period_charts, scorecard_charts)}  # type: ignore[attr-defined]


@pytest.mark.parametrize(("module", "name"), CHARTS, ids=[f"{m.__name__.rsplit('.', 1)[-1]}-{n}" for m, n in CHARTS])
def test_every_positional_axis_has_a_title(module: Any, name: str, frames: dict[Any, Any]) -> None:
    spec = module.BUILDERS[name](frames[module]).to_dict()
    assert _axes.drawn_axes(spec), "the chart draws at least one labelled axis"
    assert _axes.untitled(spec) == []


@pytest.mark.parametrize(("module", "name"), CHARTS, ids=[f"{m.__name__.rsplit('.', 1)[-1]}-{n}" for m, n in CHARTS])
def test_no_axis_repeats_a_label(module: Any, name: str, frames: dict[Any, Any]) -> None:
    assert _axes.repeated_labels(module.BUILDERS[name](frames[module]).to_dict()) == []


# --------------------------------------------------------------------------- #
# Calendar labels at month, week and day, on short and long logs              #
# --------------------------------------------------------------------------- #


def _log(first: dt.date, last: dt.date) -> stickiness.UsageLog:
    """The demo log cut to ``first`` .. ``last`` (the demo runs from 2025-01-01 to 2026-06-30)."""
    events = demo_events().filter(pl.col("timestamp").dt.date().is_between(first, last))
    return stickiness.read_log(events, users=demo_users())


#: Spans on which Vega's own ticks repeated or misplaced labels: a quarter, six weeks, three weeks; and the whole log.
SPANS = {
    "quarter": (dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
    "six_weeks": (dt.date(2026, 5, 18), dt.date(2026, 6, 28)),
    "three_weeks": (dt.date(2026, 6, 8), dt.date(2026, 6, 28)),
    "whole": (dt.date(2025, 1, 1), dt.date(2026, 6, 30)),
}
PERIOD_CHARTS: dict[str, Callable[..., Any]] = {
    "retention": lambda log, period, by: sw.retention_chart(
        stickiness.retention(log, period=period, by=by), period=period
    ),
    "lifecycle": lambda log, period, by: sw.lifecycle_chart(
        stickiness.lifecycle(log, period=period, by=by), period=period
    ),
    "adoption": lambda log, period, by: sw.adoption_chart(
        stickiness.feature_adoption(
            log, stickiness.read_catalog(demo_catalog(), profiles=demo_use_case_profiles()), period=period, by=by
        ),
        period=period,
    ),
}


@pytest.fixture(scope="module")
def logs() -> dict[str, stickiness.UsageLog]:
    return {name: _log(*span) for name, span in SPANS.items()}


@pytest.mark.parametrize("by", [None, "persona"])
@pytest.mark.parametrize(
    ("period", "span"),
    [("month", "quarter"), ("month", "whole"), ("week", "six_weeks"), ("week", "whole"), ("day", "three_weeks")],
)
@pytest.mark.parametrize("chart", list(PERIOD_CHARTS))
def test_period_labels_each_name_one_period_once(
    chart: str, period: str, span: str, by: str | None, logs: dict[str, stickiness.UsageLog]
) -> None:
    spec = PERIOD_CHARTS[chart](logs[span], period, by).to_dict()
    axes = [axis for axis in _axes.drawn_axes(spec) if axis.name.startswith("X-axis")]
    assert axes, "a period axis is drawn"
    for axis in axes:
        assert len(set(axis.labels)) == len(axis.labels), axis.labels
        days = [
            dt.datetime.strptime(label, "%b %Y" if period == "month" else "%d %b %Y").date() for label in axis.labels
        ]
        if period == "week":
            assert {day.weekday() for day in days} == {0}, "weeks are labelled by their Monday"
        assert axis.title == {"month": "month", "week": "week (starting Monday)", "day": "day"}[period]


def test_a_quarter_by_month_labels_its_three_months() -> None:
    # April to June 2026: three monthly periods, so three labels, one per month (Vega put two ticks in a month)
    log = _log(*SPANS["quarter"])
    spec = sw.retention_chart(stickiness.retention(log)).to_dict()
    (axis,) = [a for a in _axes.drawn_axes(spec) if a.name.startswith("X-axis")]
    assert axis.labels == ("Apr 2026", "May 2026", "Jun 2026")


@pytest.mark.parametrize("span", ["three_weeks", "six_weeks", "quarter", "whole"])
def test_day_axes_name_each_tick_once(span: str, logs: dict[str, stickiness.UsageLog]) -> None:
    log = logs[span]
    for chart in (
        sw.active_users_chart(stickiness.active_users(log)),
        sw.active_users_chart(stickiness.active_users(log, by="persona"), by="persona"),
        sw.monthly_active_users_chart(stickiness.monthly_active_users(log)),
    ):
        spec = chart.to_dict()
        assert _axes.repeated_labels(spec) == []
        assert _axes.untitled(spec) == []
