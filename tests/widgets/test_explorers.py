"""The explorers recompute through the core, filter without recomputing, and redraw their charts (headless)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest

pytest.importorskip("ipywidgets", reason="the explorers need the jupyter extra: pip install 'stickiness[jupyter]'")
pytest.importorskip("altair", reason="the explorers need the jupyter extra: pip install 'stickiness[jupyter]'")

import altair as alt
import polars as pl
from polars.testing import assert_frame_equal
from stickiness_widgets.explorers import (
    ActiveUsersExplorer,
    ForgettableZoneExplorer,
    UseCaseExplorer,
    explore_active_users,
    explore_forgettable_zone,
    explore_use_cases,
)
from stickiness_widgets.explorers._base import ALL

import stickiness
from stickiness import active_users, drifting_users, frequency_spectrum, use_case_map
from stickiness.demo import demo_catalog, demo_events, demo_use_case_profiles, demo_users

CORE = ("active_users", "frequency_spectrum", "use_case_map", "drifting_users")


@pytest.fixture(scope="module")
def log() -> stickiness.UsageLog:
    return stickiness.read_log(demo_events(), users=demo_users())


@pytest.fixture(scope="module")
def catalog() -> stickiness.Catalog:
    return stickiness.read_catalog(demo_catalog(), profiles=demo_use_case_profiles())


@pytest.fixture(autouse=True)
def json_renderer() -> Iterator[None]:
    """Draw charts with altair's plain JSON renderer: no SVG is made (the display test enables the offline one)."""
    previous = alt.renderers.active
    alt.renderers.enable("json")
    yield
    alt.renderers.enable(previous)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Count the explorers' calls of the core metric functions (the tests' own calls use the unpatched imports)."""
    counts = dict.fromkeys(CORE, 0)

    def counting(name: str, function: Callable[..., pl.DataFrame]) -> Callable[..., pl.DataFrame]:
        def wrapper(*args: Any, **kwargs: Any) -> pl.DataFrame:
            counts[name] += 1
            return function(*args, **kwargs)

        return wrapper

    for name in CORE:
        monkeypatch.setattr(stickiness, name, counting(name, getattr(stickiness, name)))
    return counts


def records(chart: alt.typing.ChartType) -> list[dict[str, Any]]:
    """Every data record inlined in the chart's spec (top-level datasets and inline values)."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "datasets" and isinstance(value, dict):
                    for rows in value.values():
                        found.extend(rows)
                elif key == "values" and isinstance(value, list) and all(isinstance(v, dict) for v in value):
                    found.extend(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(chart.to_dict(validate=False))
    return found


def field(chart: alt.typing.ChartType, name: str) -> set[Any]:
    """The values of one field over the chart's inline data records."""
    return {row[name] for row in records(chart) if name in row}


def one_segment_log(persona: str) -> stickiness.UsageLog:
    """The demo log of one persona's users alone: the oracle for what an explorer shows for that persona.

    Each segment's rows of the use-case map, the spectrum and the drifting users depend only on
    that segment's users, so computing them on a log of those users (same ``as_of``) must give
    exactly the rows the explorer shows after filtering.
    """
    users = demo_users().filter(pl.col("persona") == persona)
    events = demo_events().filter(pl.col("user_id").is_in(users["user_id"].implode()))
    return stickiness.read_log(events, users=users)


# --------------------------------------------------------------------------------------------------------- #
# active users                                                                                              #
# --------------------------------------------------------------------------------------------------------- #


def test_active_users_window_recomputes_through_the_core(log: stickiness.UsageLog, calls: dict[str, int]) -> None:
    explorer = explore_active_users(log)
    assert isinstance(explorer, ActiveUsersExplorer)
    assert_frame_equal(explorer.data, active_users(log))
    before = explorer.chart
    explorer.window.value = 14
    expected = active_users(log, window=14)
    assert_frame_equal(explorer.data, expected)
    assert explorer.chart is not before
    shown = field(explorer.chart, "MAU")  # the chart labels its series DAU, WAU, MAU
    assert shown and shown <= set(expected["mau"])
    assert shown != field(before, "MAU")
    assert "computed in" in explorer.status.value
    assert calls["active_users"] == 2  # one per window


def test_active_users_segment_and_dates_filter_without_recomputing(
    log: stickiness.UsageLog, calls: dict[str, int]
) -> None:
    explorer = explore_active_users(log, by="persona")
    labels = [label for label, _ in explorer.segment.options]
    assert labels == ["All", "agent", "home_buyer", "homeowner", "renter"]
    assert_frame_equal(explorer.data, active_users(log))  # "All" is every user, not a sum
    computed = calls["active_users"]

    explorer.segment.value = "renter"
    by_persona = active_users(log, by="persona")
    assert_frame_equal(explorer.data, by_persona.filter(pl.col("persona") == "renter"))
    assert field(explorer.chart, "persona") == {"renter"}
    assert field(explorer.chart, "DAU") <= set(explorer.data["dau"])

    explorer.start.value, explorer.end.value = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
    expected = by_persona.filter(
        pl.col("persona") == "renter", pl.col("day").is_between(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    )
    assert_frame_equal(explorer.data, expected)
    assert explorer.data.height == 90
    assert min(field(explorer.chart, "day")).startswith("2026-01-01")
    assert calls["active_users"] == computed  # filters never recompute
    assert "from cache" in explorer.status.value


def test_active_users_going_back_to_a_window_uses_the_cache(log: stickiness.UsageLog, calls: dict[str, int]) -> None:
    explorer = explore_active_users(log)
    explorer.window.value = 28
    explorer.window.value = 30
    assert calls["active_users"] == 2
    assert "from cache" in explorer.status.value
    assert_frame_equal(explorer.data, active_users(log, window=30))


def test_active_users_start_after_end_is_said_in_the_status(log: stickiness.UsageLog) -> None:
    explorer = explore_active_users(log)
    shown = explorer.data
    explorer.start.value = dt.date(2026, 6, 1)
    explorer.end.value = dt.date(2026, 1, 1)
    assert "is after" in explorer.status.value
    assert explorer.data.height == shown.filter(pl.col("day") >= dt.date(2026, 6, 1)).height  # the last good state


# --------------------------------------------------------------------------------------------------------- #
# use cases                                                                                                 #
# --------------------------------------------------------------------------------------------------------- #


def test_use_cases_window_and_threshold_recompute(
    log: stickiness.UsageLog, catalog: stickiness.Catalog, calls: dict[str, int]
) -> None:
    explorer = explore_use_cases(log, catalog)
    assert isinstance(explorer, UseCaseExplorer)
    assert_frame_equal(explorer.data, frequency_spectrum(log, catalog))
    assert_frame_equal(explorer.map, use_case_map(log, catalog))
    spectrum_before, map_before = explorer.chart, explorer.map_chart

    explorer.window.value = 60
    assert_frame_equal(explorer.data, frequency_spectrum(log, catalog, window=60))
    assert_frame_equal(explorer.map, use_case_map(log, catalog, window=60))
    assert explorer.chart.to_dict(validate=False) != spectrum_before.to_dict(validate=False)
    assert explorer.map_chart.to_dict(validate=False) != map_before.to_dict(validate=False)
    assert field(explorer.chart, "users") == set(explorer.data["users"])

    spectra, chart = calls["frequency_spectrum"], explorer.chart
    explorer.threshold.value = 2.5  # the map, and the spectrum's verdict (its bands stay)
    assert_frame_equal(explorer.map, use_case_map(log, catalog, window=60, threshold=2.5))
    assert_frame_equal(explorer.data, frequency_spectrum(log, catalog, window=60, threshold=2.5))
    assert calls["frequency_spectrum"] == spectra + 1
    assert explorer.chart is not chart


def test_use_cases_persona_and_use_case_filter_the_spectrum(
    log: stickiness.UsageLog, catalog: stickiness.Catalog, calls: dict[str, int]
) -> None:
    explorer = explore_use_cases(log, catalog)
    assert [label for label, _ in explorer.persona.options] == ["All", "agent", "home_buyer", "homeowner", "renter"]
    assert "find_rental" in [label for label, _ in explorer.use_case.options]
    computed = dict(calls)

    explorer.persona.value = "renter"
    explorer.use_case.value = "find_rental"
    spectrum = frequency_spectrum(log, catalog)
    expected = spectrum.filter(pl.col("persona") == "renter", pl.col("use_case") == "find_rental")
    assert_frame_equal(explorer.data, expected)
    assert_frame_equal(explorer.spectrum, spectrum)
    assert field(explorer.chart, "persona") == {"renter"}
    assert field(explorer.chart, "use_case") == {"find_rental"}
    assert calls["use_case_map"] == computed["use_case_map"]
    assert calls["frequency_spectrum"] == computed["frequency_spectrum"]

    explorer.persona.value = ALL  # "All" personas, still the one use case
    assert_frame_equal(explorer.data, spectrum.filter(pl.col("use_case") == "find_rental"))
    assert field(explorer.chart, "persona") == set(explorer.data["persona"])


def test_use_cases_persona_filters_the_map_too(
    log: stickiness.UsageLog, catalog: stickiness.Catalog, calls: dict[str, int]
) -> None:
    explorer = explore_use_cases(log, catalog)
    assert_frame_equal(explorer.map_data, use_case_map(log, catalog))  # "All": the whole map
    computed = dict(calls)

    explorer.persona.value = "agent"
    alone = one_segment_log("agent")
    # the map and the spectrum computed on the agents' log alone, as of the full log's last day
    assert_frame_equal(explorer.map_data, use_case_map(alone, catalog, as_of=log.as_of))
    assert_frame_equal(explorer.data, frequency_spectrum(alone, catalog, as_of=log.as_of))
    assert field(explorer.map_chart, "persona") == {"agent"}
    assert field(explorer.chart, "persona") == {"agent"}
    assert_frame_equal(explorer.map, use_case_map(log, catalog))  # the computed map is kept whole

    explorer.use_case.value = "manage_listings"  # the use case filters the map as well
    expected = use_case_map(alone, catalog, as_of=log.as_of).filter(pl.col("use_case") == "manage_listings")
    assert expected.height == 1  # one persona, one use case: one row of the map
    assert_frame_equal(explorer.map_data, expected)
    assert field(explorer.map_chart, "use_case") == {"manage_listings"}
    assert calls == computed  # selections never recompute


# --------------------------------------------------------------------------------------------------------- #
# forgettable zone                                                                                          #
# --------------------------------------------------------------------------------------------------------- #


def test_forgettable_zone_controls_recompute_the_map_and_the_drifting_users(
    log: stickiness.UsageLog, catalog: stickiness.Catalog, calls: dict[str, int]
) -> None:
    explorer = explore_forgettable_zone(log, catalog)
    assert isinstance(explorer, ForgettableZoneExplorer)
    assert_frame_equal(explorer.data, use_case_map(log, catalog))
    assert_frame_equal(explorer.drifting, drifting_users(log, catalog))
    before = explorer.chart.to_dict(validate=False)

    explorer.majority.value = 0.3
    explorer.min_users.value = 10
    expected = use_case_map(log, catalog, majority=0.3, min_users=10)
    assert_frame_equal(explorer.data, expected)
    assert (expected["forgettable"] == "true").sum() > (use_case_map(log, catalog)["forgettable"] == "true").sum()
    assert explorer.chart.to_dict(validate=False) != before
    assert calls["drifting_users"] == 1  # majority and min_users do not change it

    explorer.threshold.value = 2.0
    explorer.window.value = 60
    drifting = drifting_users(log, catalog, threshold=2.0, window=60)
    assert_frame_equal(explorer.drifting, drifting)
    assert_frame_equal(explorer.data, use_case_map(log, catalog, majority=0.3, min_users=10, threshold=2.0, window=60))
    assert f"{drifting.height:,} drifting users" in explorer.table.value
    top = drifting.sort(["previous_rate", "days_since", "user"], descending=[True, False, False])["user"][0]
    assert f">{top}<" in explorer.table.value
    assert explorer.table.value.count("<tr>") == 1 + 20  # the header and the top 20


def test_forgettable_zone_persona_filters_the_chart_and_the_drifting_users(
    log: stickiness.UsageLog, catalog: stickiness.Catalog, calls: dict[str, int]
) -> None:
    explorer = explore_forgettable_zone(log, catalog, min_users=10)
    assert [label for label, _ in explorer.persona.options] == ["All", "agent", "home_buyer", "homeowner", "renter"]
    assert explorer.persona in explorer.widget.children[0].children  # shown with the sliders
    computed = dict(calls)

    explorer.persona.value = "renter"
    alone = one_segment_log("renter")
    expected_map = use_case_map(alone, catalog, min_users=10, as_of=log.as_of)
    expected_drifting = drifting_users(alone, catalog, as_of=log.as_of)
    assert_frame_equal(explorer.data, expected_map)
    assert_frame_equal(explorer.drifting, expected_drifting)
    assert expected_drifting.height > 0  # the filter is seen on a non-empty list
    assert_frame_equal(explorer.map, use_case_map(log, catalog, min_users=10))  # kept whole
    assert_frame_equal(explorer.all_drifting, drifting_users(log, catalog))
    assert field(explorer.chart, "persona") == {"renter"}
    assert f"{expected_drifting.height:,} drifting users (persona renter)" in explorer.table.value
    others = set(demo_users().filter(pl.col("persona") != "renter")["user_id"])
    assert not any(f">{user}<" in explorer.table.value for user in others)
    assert calls == computed  # the persona never recomputes

    explorer.threshold.value = 2.0  # a recompute keeps the persona
    assert explorer.persona.value == "renter"
    assert_frame_equal(explorer.drifting, drifting_users(alone, catalog, threshold=2.0, as_of=log.as_of))

    explorer.persona.value = ALL
    assert_frame_equal(explorer.drifting, drifting_users(log, catalog, threshold=2.0))


# --------------------------------------------------------------------------------------------------------- #
# display                                                                                                   #
# --------------------------------------------------------------------------------------------------------- #


def test_explorers_display_their_widget_and_charts_through_the_active_renderer(
    log: stickiness.UsageLog, catalog: stickiness.Catalog
) -> None:
    import stickiness_widgets

    stickiness_widgets.enable_offline()  # what importing stickiness_widgets does
    explorer = explore_forgettable_zone(log, catalog)
    bundle = explorer._repr_mimebundle_()
    assert bundle is not None
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.widget.model_id
    (output,) = explorer.output.outputs
    assert output["output_type"] == "display_data"
    assert "application/vnd.vegalite.v5+json" in output["data"]
    assert output["data"]["image/svg+xml"].lstrip().startswith("<svg")


def test_explorers_read_a_source_once(catalog: stickiness.Catalog) -> None:
    events = demo_events(users=100)
    explorer = explore_use_cases(events, demo_catalog(), by=None)
    assert isinstance(explorer.log, stickiness.UsageLog)
    assert isinstance(explorer.catalog, stickiness.Catalog)
    assert set(explorer.spectrum["segment"]) == {"(all)"}
