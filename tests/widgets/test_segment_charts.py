"""Charts find the segment column the metric named after ``by`` (docs/metrics.md, Segments), or take ``by=``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("altair", reason="the charts need the jupyter extra: pip install 'stickiness[jupyter]'")

import polars as pl
import stickiness_widgets as sw

import stickiness as st
from stickiness import ColumnNotFoundError
from stickiness.demo import demo_catalog, demo_events, demo_users

EVENTS = demo_events(users=80, seed=5)
CATALOG = demo_catalog()
# `plan` holds the persona: a chart of the by="plan" output must be the by="persona" chart, titled "plan"
LOG = st.read_log(EVENTS, users=demo_users(users=80, seed=5).with_columns(plan=pl.col("persona")))

#: chart of the metric output computed with ``by``
CHARTS: dict[str, Callable[[str], Any]] = {
    "spectrum_chart": lambda by: sw.spectrum_chart(st.frequency_spectrum(LOG, CATALOG, by=by), min_users=3),
    "use_case_map_chart": lambda by: sw.use_case_map_chart(st.use_case_map(LOG, CATALOG, by=by, min_users=3)),
    "forgettable_zone_chart": lambda by: sw.forgettable_zone_chart(st.use_case_map(LOG, CATALOG, by=by, min_users=3)),
    "adoption_chart": lambda by: sw.adoption_chart(st.feature_adoption(LOG, CATALOG, by=by)),
    "leave_points_chart": lambda by: sw.leave_points_chart(st.where_users_leave(LOG, CATALOG, by=by, limit=30)),
    "health_chart": lambda by: sw.health_chart(st.health_summary(st.health_score(LOG, CATALOG, by=by))),
}


def _spec(chart: Any) -> str:
    return json.dumps(chart.to_dict(), sort_keys=True)


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_a_chart_of_the_by_plan_output_is_the_by_persona_chart_with_plan_in_its_tooltips(name: str) -> None:
    by_plan, by_persona = _spec(CHARTS[name]("plan")), _spec(CHARTS[name]("persona"))
    titled = '{"field": "persona", "title": "plan", "type": "nominal"}'
    untitled = '{"field": "persona", "type": "nominal"}'
    assert titled in by_plan  # the tooltip names the segment column as the table does
    # ... and so does the segment axis's title ("plan", "plan · use case"), where the chart has one
    assert by_plan.replace(titled, untitled).replace('"title": "plan', '"title": "persona') == by_persona


def test_a_frame_without_its_segment_column_is_refused_with_the_fix() -> None:
    spectrum = st.frequency_spectrum(LOG, CATALOG, by="plan")
    with pytest.raises(ColumnNotFoundError, match=r"segment column.*Pass by= the segment column"):
        sw.spectrum_chart(spectrum.drop("plan"))
    with pytest.raises(ColumnNotFoundError, match=r"by='tier'"):
        sw.spectrum_chart(spectrum, by="tier")
    # by= names the column wherever it is
    moved = spectrum.select(*spectrum.columns[1:], "plan")
    assert _spec(sw.spectrum_chart(moved, by="plan", min_users=3)) == _spec(sw.spectrum_chart(spectrum, min_users=3))
