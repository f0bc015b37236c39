"""The retention, cohort, lifecycle, adoption and leave-point charts: specs (snapshots), Vega-Lite 5 and 6, findings."""

from __future__ import annotations

import datetime as dt
import doctest
import importlib
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("altair", reason="the charts need the jupyter extra: pip install 'stickiness[jupyter]'")
pytest.importorskip("vl_convert", reason="the charts need the jupyter extra: pip install 'stickiness[jupyter]'")

import altair as alt
import polars as pl
import stickiness_widgets as sw
import vl_convert
from stickiness_widgets.charts import MAX_ROWS
from stickiness_widgets.theme import OKABE_ITO

import stickiness
from stickiness import ColumnNotFoundError, InvalidOptionError, UnsupportedSourceError
from stickiness.demo import demo_catalog, demo_events, demo_use_case_profiles, demo_users
from tests.retention_example import CATALOG, example_log
from tests.widgets._drawn import drawn_text, numbers
from tests.widgets.test_charts import NEWEST_V6, OLDEST_V5, VERSIONS, structure

PERSONAS = ("agent", "home_buyer", "homeowner", "renter")
MODULES = (
    "stickiness_widgets.charts._periods",
    "stickiness_widgets.charts.retention",
    "stickiness_widgets.charts.cohorts",
    "stickiness_widgets.charts.lifecycle",
    "stickiness_widgets.charts.adoption",
)


@pytest.fixture(scope="module")
def frames() -> dict[str, pl.DataFrame]:
    log = stickiness.read_log(demo_events(), users=demo_users())
    catalog = stickiness.read_catalog(demo_catalog(), profiles=demo_use_case_profiles())
    return {
        "retention": stickiness.retention(log),
        "retention_by_persona": stickiness.retention(log, by="persona"),
        "retention_weekly": stickiness.retention(log, period="week"),
        "cohorts": stickiness.cohort_matrix(log),
        "cohorts_by_persona": stickiness.cohort_matrix(log, by="persona"),
        "cohorts_weekly": stickiness.cohort_matrix(log, period="week", mode="on_or_after"),
        "lifecycle": stickiness.lifecycle(log),
        "lifecycle_by_persona": stickiness.lifecycle(log, by="persona"),
        "adoption": stickiness.feature_adoption(log, catalog),
        "adoption_events": stickiness.feature_adoption(log, by=None),
        "leave": stickiness.where_users_leave(log, catalog),
    }


BUILDERS: dict[str, Callable[[dict[str, pl.DataFrame]], Any]] = {
    "retention": lambda f: sw.retention_chart(f["retention"]),
    "retention_by_persona": lambda f: sw.retention_chart(f["retention_by_persona"]),
    "retention_weekly": lambda f: sw.retention_chart(f["retention_weekly"], period="week"),
    "cohorts": lambda f: sw.cohort_chart(f["cohorts"]),
    "cohorts_by_persona": lambda f: sw.cohort_chart(f["cohorts_by_persona"]),
    "cohorts_weekly": lambda f: sw.cohort_chart(f["cohorts_weekly"], period="week"),
    "curve": lambda f: sw.retention_curve_chart(f["cohorts"]),
    "curve_by_persona": lambda f: sw.retention_curve_chart(f["cohorts_by_persona"]),
    "curve_weekly": lambda f: sw.retention_curve_chart(f["cohorts_weekly"], period="week"),
    "lifecycle": lambda f: sw.lifecycle_chart(f["lifecycle"]),
    "lifecycle_by_persona": lambda f: sw.lifecycle_chart(f["lifecycle_by_persona"]),
    "adoption": lambda f: sw.adoption_chart(f["adoption"]),
    "adoption_events": lambda f: sw.adoption_chart(f["adoption_events"]),
    "leave_points": lambda f: sw.leave_points_chart(f["leave"]),
}

#: The titles (findings) on the demo data.
TITLES = {
    "retention": "Churn 7.8% in June 2026 (retention 93.1%)",
    "retention_by_persona": "Churn in June 2026: from 3.5% (agent) to 11.6% (home_buyer)",
    "retention_weekly": "Churn 30.3% in the week of 2026-06-22 (retention 99.4%)",
    # the heatmap states its outlined cell: the May 2026 cohort (June complete), 141 of 167 = 84.4%, printed 84%
    "cohorts": "Retention of the May 2026 cohort at month 1: 84%",
    # that cell per persona: renter 21 of 30 = 70%, homeowner 46 of 52 = 88.5% (printed 88%, rounded as the cell)
    "cohorts_by_persona": "Retention of the May 2026 cohort at month 1: from 70% (renter) to 88% (homeowner)",
    # week 1 of the 2026-06-15 cohort (the week of 06-22, complete), as its cell; too small for text: beside it
    "cohorts_weekly": "Retention of the cohort of the week of 2026-06-15 at week 1: 62%",
    "curve": "Cohort retention 87.9% at month 1, 45.9% at month 12",
    # issue 17: the counts the bars draw, not the quick ratio (in the tooltip): (176 + 11) / 96 = 1.95 as before
    "lifecycle": "Lifecycle in June 2026: 176 new, 11 back after a gap, 96 gone dormant",
    # homeowner's 59 new is the tallest new bar of June; home_buyer's -38 the deepest dormant one
    "lifecycle_by_persona": "Lifecycle in June 2026: most new users in homeowner (59), "
    "most gone dormant in home_buyer (38)",
    "adoption": "Adoption in Jun 2026: from 8.9% (buy_home for home_buyer) to 100.0% (manage_listings for agent) "
    "of active users",
    "leave_points": "Last step most over-represented among leavers: home_value for homeowner (lift 1.03)",
}

#: Text each chart's SVG must show.
LABELS: dict[str, tuple[str, ...]] = {
    "retention": ("retention", "churn", "Jan 2026"),
    "retention_by_persona": (*PERSONAS, "retention", "churn"),
    "retention_weekly": ("Hollow points",),
    "cohorts": ("Jan 2025 · 57", "100%", "95%", "84%", "months since the cohort's first", "share of the cohort"),
    "cohorts_by_persona": (*PERSONAS, "Jan 2025 · 10"),
    "cohorts_weekly": ("week observed", "partial", "Pale cells", "62% at week 1"),
    "curve": ("months since the cohort's first", "share of the cohort"),
    "curve_by_persona": PERSONAS,
    "curve_weekly": ("Hollow points", "left out of the average"),
    "lifecycle": ("returning", "resurrecting", "new", "dormant", "Quick ratio ="),
    "lifecycle_by_persona": (*PERSONAS, "dormant"),
    "adoption": (*PERSONAS, "browse_homes", "manage_listings", "use case"),
    "adoption_events": ("The 8 of 14 use cases with the most users",),
    "leave_points": (*PERSONAS, "1×: as common", "14 of 168 left", "too few users", "more common among leavers"),
}


@pytest.fixture(scope="module")
def specs(frames: dict[str, pl.DataFrame]) -> dict[str, dict[str, Any]]:
    return {name: build(frames).to_dict() for name, build in BUILDERS.items()}


def _svg_text(spec: dict[str, Any], version: str = OLDEST_V5) -> str:
    svg = vl_convert.vegalite_to_svg(spec, vl_version=version)
    return " ".join(text for text in ET.fromstring(svg).itertext() if text.strip())


# --------------------------------------------------------------------------- #
# Specs, Vega-Lite 5 and 6, the theme                                         #
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("name", list(BUILDERS))
def test_spec_structure(name: str, specs: dict[str, dict[str, Any]], snapshot: Any) -> None:
    assert structure(specs[name]) == snapshot


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", list(BUILDERS))
def test_compiles_without_warnings(
    name: str, version: str, specs: dict[str, dict[str, Any]], capfd: pytest.CaptureFixture[str]
) -> None:
    vega = vl_convert.vegalite_to_vega(specs[name], vl_version=version, show_warnings=True)
    assert vega["marks"]
    assert "WARN" not in capfd.readouterr().err


@pytest.mark.parametrize("version", [OLDEST_V5, NEWEST_V6])
@pytest.mark.parametrize("name", list(BUILDERS))
def test_renders_svg_with_its_labels(name: str, version: str, specs: dict[str, dict[str, Any]]) -> None:
    texts = _svg_text(specs[name], version)
    for label in (*LABELS[name], TITLES.get(name, "")):
        assert label in texts, label


@pytest.mark.parametrize("name", list(BUILDERS))
def test_theme_travels_inside_the_spec(name: str, specs: dict[str, dict[str, Any]]) -> None:
    config = specs[name]["config"]
    assert config["range"]["category"] == list(OKABE_ITO)
    assert config["title"]["fontSize"] >= 16 and config["axis"]["labelFontSize"] >= 12


@pytest.mark.parametrize("name", list(TITLES))
def test_titles_state_the_finding(name: str, specs: dict[str, dict[str, Any]]) -> None:
    assert specs[name]["title"]["text"] == TITLES[name]
    assert TITLES[name].isascii()  # reports find a chart by its title in JSON (non-ASCII would be escaped)


@pytest.mark.parametrize("version", [OLDEST_V5, NEWEST_V6])
@pytest.mark.parametrize("name", ["cohorts", "cohorts_by_persona", "cohorts_weekly"])
def test_title_numbers_are_drawn(name: str, version: str, specs: dict[str, dict[str, Any]]) -> None:
    """Every number the heatmap's title states is drawn by the chart itself (its cells, labels), not only the title."""
    drawn = numbers(drawn_text(specs[name], version))
    stated = numbers(specs[name]["title"]["text"])
    assert stated and stated <= drawn, stated - drawn


def test_the_stated_cell_is_outlined(specs: dict[str, dict[str, Any]]) -> None:
    cells = next(iter(specs["cohorts_by_persona"]["datasets"].values()))
    stated = sorted((row["persona"], row["cohort"], row["offset"], row["label"]) for row in cells if row["stated"])
    assert stated == [  # one per persona, the May 2026 cohort's month 1: 19 / 22, 55 / 63, 46 / 52, 21 / 30
        ("agent", "2026-05-01", 1, "86%"),
        ("home_buyer", "2026-05-01", 1, "87%"),
        ("homeowner", "2026-05-01", 1, "88%"),
        ("renter", "2026-05-01", 1, "70%"),
    ]


def test_data_stay_aggregated(specs: dict[str, dict[str, Any]], frames: dict[str, pl.DataFrame]) -> None:
    # one dataset per chart, the metric's rows (two rates, or four lifecycle states, per row)
    sizes = {name: [len(rows) for rows in specs[name]["datasets"].values()] for name in specs}
    assert sizes["retention_by_persona"] == [2 * frames["retention_by_persona"].height]
    assert sizes["lifecycle_by_persona"] == [4 * frames["lifecycle_by_persona"].height]
    assert sizes["cohorts_by_persona"] == [frames["cohorts_by_persona"].height]
    assert sizes["curve"] == [frames["cohorts"].get_column("offset").n_unique()]


# --------------------------------------------------------------------------- #
# The worked example of docs/retention.md                                     #
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def example() -> stickiness.UsageLog:
    return example_log("polars")


def test_worked_example_titles(example: stickiness.UsageLog) -> None:
    """March is the last complete month (April stops on the 15th); the numbers are those of the docs' tables."""
    title = {
        "retention": sw.retention_chart(stickiness.retention(example)),
        "lifecycle": sw.lifecycle_chart(stickiness.lifecycle(example)),
        "cohorts": sw.cohort_chart(stickiness.cohort_matrix(example)),
        "adoption": sw.adoption_chart(stickiness.feature_adoption(example, CATALOG)),
    }
    title = {name: chart.to_dict(validate=False)["title"]["text"] for name, chart in title.items()}
    assert title["retention"] == "Churn 50.0% in March 2024 (retention 100.0%)"
    assert title["lifecycle"] == (
        "Lifecycle in March 2024: 1 new, 1 back after a gap, 1 gone dormant"  # quick ratio (1 + 1) / 1 = 2.00
    )
    # the latest cohort whose month 1 is complete is February's (March's +1 is April: partial): c of 1 = 100%
    assert title["cohorts"] == "Retention of the February 2024 cohort at month 1: 100%"
    # the curve: month 1: Jan a of 3, Feb c of 1 (Mar's +1 left out) = 2 / 4; month 2: Jan e of 3
    curve = sw.retention_curve_chart(stickiness.cohort_matrix(example)).to_dict(validate=False)["title"]["text"]
    assert curve == "Cohort retention 50.0% at month 1, 33.3% at month 2"
    assert title["adoption"] == "Adoption in Mar 2024: from 33.3% (browse) to 66.7% (purchase) of active users"


def test_worked_example_where_users_leave(example: stickiness.UsageLog) -> None:
    leave = stickiness.where_users_leave(example, CATALOG, limit=30, window=45)
    assert (
        sw.leave_points_chart(leave, min_users=0).to_dict(validate=False)["title"]["text"]
        == "Last step most over-represented among leavers: purchase (lift 2.00)"
    )
    spec = sw.leave_points_chart(leave).to_dict(validate=False)  # 3 and 1 users: too few at the default 20
    assert spec["title"]["text"] == "Where users leave: too few users at every last step to compare"
    assert "Grey: fewer than 20 users" in spec["title"]["subtitle"][-1]


def test_worked_example_curve_marks_what_only_partial_cells_reach(example: stickiness.UsageLog) -> None:
    spec = sw.retention_curve_chart(stickiness.cohort_matrix(example)).to_dict(validate=False)
    rows = {row["offset"]: row for row in next(iter(spec["datasets"].values()))}
    assert (rows[1]["share"], rows[1]["cohorts"], rows[1]["partial_cells"]) == (0.5, 2, 1)
    assert rows[3]["observed"] == "partial" and rows[3]["cohorts"] == 0  # only Jan +3 (April) reaches it
    assert any("Hollow points" in note for note in spec["title"]["subtitle"])


# --------------------------------------------------------------------------- #
# Incomplete periods, marked and never drawn as zero                          #
# --------------------------------------------------------------------------- #


def test_partial_periods_are_hollow_and_explained(specs: dict[str, dict[str, Any]]) -> None:
    monthly = specs["retention"]  # the demo's months are all observed; the first has no rate
    assert not any("Hollow" in note for note in monthly["title"]["subtitle"])
    weekly = specs["retention_weekly"]  # the log ends on a Tuesday: the last week is partial
    assert any("Hollow points" in note for note in weekly["title"]["subtitle"])
    rows = next(iter(weekly["datasets"].values()))
    assert rows[-1]["observed"] == "partial" and rows[-1]["value"] is not None


def test_first_period_without_a_rate_is_not_drawn_as_zero(specs: dict[str, dict[str, Any]]) -> None:
    rows = next(iter(specs["retention"]["datasets"].values()))
    first = [row for row in rows if row["period"] == "2025-01-01"]
    assert [row["value"] for row in first] == [None, None]  # null: Vega-Lite leaves the points out


def test_partial_cohort_cells_are_pale_with_a_legend(specs: dict[str, dict[str, Any]]) -> None:
    spec = specs["cohorts_weekly"]
    opacity = spec["layer"][0]["encoding"]["opacity"]
    assert opacity["field"] == "observed" and opacity["scale"]["range"] == [1.0, 0.4]
    assert opacity["legend"] is not None
    assert "opacity" not in specs["cohorts"]["layer"][0]["encoding"]  # every month observed: no legend entry
    cells = next(iter(specs["cohorts"]["datasets"].values()))
    reached = {(row["cohort"], row["offset"]) for row in cells}
    assert ("2026-06-01", 1) not in reached  # after as_of: blank, not a zero cell


def test_lifecycle_bars_diverge_around_zero(specs: dict[str, dict[str, Any]], frames: dict[str, pl.DataFrame]) -> None:
    rows = next(iter(specs["lifecycle"]["datasets"].values()))
    june = {row["state"]: row for row in rows if row["period"] == "2026-06-01"}
    expected = frames["lifecycle"].filter(pl.col("period") == dt.date(2026, 6, 1)).row(0, named=True)
    assert june["dormant"]["low"] == expected["dormant"] < 0 and june["dormant"]["high"] == 0
    assert june["returning"]["low"] == 0 and june["returning"]["high"] == expected["returning"]
    assert june["new"]["high"] == expected["active"]  # returning + resurrecting + new
    assert june["new"]["quick_ratio"] == round(expected["quick_ratio"], 6)


def test_a_quick_ratio_with_nobody_dormant_is_said() -> None:
    frame = pl.DataFrame(
        {
            "period": [dt.date(2024, 1, 1), dt.date(2024, 2, 1)],
            "active": [2, 3],
            "new": [2, 1],
            "returning": [0, 2],
            "resurrecting": [0, 0],
            "dormant": [0, 0],
            "quick_ratio": [None, None],
            "complete": [False, True],
        }
    )
    title = sw.lifecycle_chart(frame).to_dict(validate=False)["title"]["text"]
    assert title == "Lifecycle in February 2024: 1 new, 0 back after a gap, 0 gone dormant"


def test_infinite_lift_is_drawn_to_the_end_and_ranked_first() -> None:
    frame = pl.DataFrame(
        {
            "persona": ["p", "p"],
            "use_case": ["cancel", "search"],
            "leavers": [25, 10],
            "retained": [0, 60],
            "leaver_share": [0.7, 0.3],
            "retained_share": [0.0, 1.0],
            "lift": [None, 0.3],
            "churn_rate": [1.0, 10 / 70],
        }
    )
    spec = sw.leave_points_chart(frame).to_dict(validate=False)
    assert spec["title"]["text"] == "Only users who left stopped at cancel (25 users)"
    rows = next(iter(spec["datasets"].values()))
    assert rows[0]["bar"] == rows[0]["end"] and rows[0]["label"].startswith("only leavers")
    assert "only leavers" in _svg_text(spec)


def _retention_rows(*days: dt.date) -> pl.DataFrame:
    """A retention output over these periods: 4 users in the first, 3 in each later one (1 new, 2 back, 2 gone)."""
    n = len(days)
    return pl.DataFrame(
        {
            "period": list(days),
            "active_before": [0] + [4] + [3] * (n - 2),
            "active": [4] + [3] * (n - 1),
            "new": [4] + [1] * (n - 1),
            "retained": [0] + [2] * (n - 1),
            "churned": [0] + [2] * (n - 1),
            "retention_rate": [None] + [0.5] + [2 / 3] * (n - 2),
            "churn_rate": [None] + [0.5] + [2 / 3] * (n - 2),
            "complete": [True] * n,
        }
    )


def test_period_is_given_never_worked_out(frames: dict[str, pl.DataFrame]) -> None:
    # the metrics' own default: a monthly table needs no period=
    assert (
        sw.retention_chart(frames["retention"])
        .to_dict(validate=False)["title"]["text"]
        .endswith("in June 2026 (retention 93.1%)")
    )
    # one row dated Mon 1 Apr 2024 starts a month, an ISO week and a day: drawn as what the caller says
    one = pl.DataFrame(
        {
            "period": [dt.date(2024, 4, 1)],
            "active": [2],
            "new": [2],
            "returning": [0],
            "resurrecting": [0],
            "dormant": [0],
            "quick_ratio": [None],
            "complete": [True],
        }
    )
    titles = {p: sw.lifecycle_chart(one, period=p).to_dict(validate=False)["title"]["text"] for p in PERIODS}
    assert titles == {p: f"Lifecycle: one {p} only" for p in PERIODS}
    # two periods, Tue 9 and Wed 10 Jan 2024: only days start there; churn 2 of 4 = 50.0% on the second
    daily = _retention_rows(dt.date(2024, 1, 9), dt.date(2024, 1, 10))
    spec = sw.retention_chart(daily, period="day").to_dict(validate=False)
    assert spec["title"]["text"] == "Churn 50.0% in 2024-01-10 (retention 50.0%)"


PERIODS = ("month", "week", "day")


@pytest.mark.parametrize(
    ("days", "period", "message"),
    [
        # Mon 8 and Mon 15 Jan 2024: weeks, not months
        (
            (dt.date(2024, 1, 8), dt.date(2024, 1, 15)),
            "month",
            "retention_chart(period='month') does not fit the table: its periods start on Mondays, not on the 1st "
            "of a month (2024-01-08 is one): pass period='week', the period given to retention().",
        ),
        # 1 Jan 2024 is a Monday, 1 Feb 2024 a Thursday: months, not weeks
        (
            (dt.date(2024, 1, 1), dt.date(2024, 2, 1)),
            "week",
            "retention_chart(period='week') does not fit the table: its periods start on the 1st of a month, not on "
            "Mondays (2024-02-01 is one): pass period='month', the period given to retention().",
        ),
        # Tue 9 and Wed 10 Jan 2024: days only
        (
            (dt.date(2024, 1, 9), dt.date(2024, 1, 10)),
            "month",
            "retention_chart(period='month') does not fit the table: its periods start on other days than the 1st "
            "of a month (2024-01-09 is one): pass period='day', the period given to retention().",
        ),
        (
            (dt.date(2024, 1, 9), dt.date(2024, 1, 10)),
            "week",
            "retention_chart(period='week') does not fit the table: its periods start on other days than Mondays "
            "(2024-01-09 is one): pass period='day', the period given to retention().",
        ),
    ],
)
def test_dates_that_cannot_be_of_the_period_are_refused(days: tuple[dt.date, ...], period: str, message: str) -> None:
    with pytest.raises(sw.ChartDataError) as error:
        sw.retention_chart(_retention_rows(*days), period=period)
    assert str(error.value) == message


def test_every_period_chart_checks_its_dates(frames: dict[str, pl.DataFrame]) -> None:
    # the demo's monthly outputs drawn as weeks: the 1st of most months is not a Monday
    for chart, table, metric in [
        (sw.retention_chart, "retention", "retention"),
        (sw.cohort_chart, "cohorts", "cohort_matrix"),
        (sw.retention_curve_chart, "cohorts", "cohort_matrix"),
        (sw.lifecycle_chart, "lifecycle", "lifecycle"),
        (sw.adoption_chart, "adoption", "feature_adoption"),
    ]:
        with pytest.raises(sw.ChartDataError, match=rf"^{chart.__name__}\(period='week'\).*to {metric}\(\)\.$"):
            chart(frames[table], period="week")
    with pytest.raises(sw.ChartDataError, match="pass period='week'"):
        sw.cohort_chart(frames["cohorts_weekly"])  # the default, 'month'
    # an unknown period is refused before anything is drawn, even with no rows
    with pytest.raises(InvalidOptionError, match=r"period='quarter': use 'month', 'week' or 'day'"):
        sw.retention_chart(frames["retention"].clear(), period="quarter")


# --------------------------------------------------------------------------- #
# Options, bad and empty input                                                #
# --------------------------------------------------------------------------- #


def test_adoption_keeps_the_top_use_cases_and_drops_never_used_ones(frames: dict[str, pl.DataFrame]) -> None:
    spec = sw.adoption_chart(frames["adoption"], top=2).to_dict(validate=False)
    rows = next(iter(spec["datasets"].values()))
    assert {row["use_case"] for row in rows} == {"browse_homes", "home_value"}
    assert any("The 2 of 5 use cases" in note for note in spec["title"]["subtitle"])
    # agents never use find_rental: no flat line at zero in their panel
    full = next(iter(sw.adoption_chart(frames["adoption"]).to_dict(validate=False)["datasets"].values()))
    assert not any(row["persona"] == "agent" and row["use_case"] == "find_rental" for row in full)
    with pytest.raises(InvalidOptionError, match="top=9"):
        sw.adoption_chart(frames["adoption"], top=9)


def test_segments_are_found_or_named(frames: dict[str, pl.DataFrame]) -> None:
    implicit = sw.retention_chart(frames["retention_by_persona"]).to_dict(validate=False)
    assert implicit == sw.retention_chart(frames["retention_by_persona"], by="persona").to_dict(validate=False)
    two = frames["lifecycle_by_persona"].with_columns(plan=pl.lit("free"))
    with pytest.raises(sw.ChartDataError, match="Pass by="):
        sw.lifecycle_chart(two)


EMPTY: dict[str, Callable[[dict[str, pl.DataFrame]], Any]] = {
    "retention": lambda f: sw.retention_chart(f["retention"].clear()),
    "cohorts": lambda f: sw.cohort_chart(f["cohorts"].clear()),
    "curve": lambda f: sw.retention_curve_chart(f["cohorts"].clear()),
    "lifecycle": lambda f: sw.lifecycle_chart(f["lifecycle"].clear()),
    "adoption": lambda f: sw.adoption_chart(f["adoption"].clear()),
    "leave_points": lambda f: sw.leave_points_chart(f["leave"].clear()),
}


@pytest.mark.parametrize("name", list(EMPTY))
def test_an_empty_frame_gives_a_chart_that_says_so(name: str, frames: dict[str, pl.DataFrame]) -> None:
    spec = EMPTY[name](frames).to_dict(validate=False)
    assert spec["title"]["text"].endswith(": no data")
    assert "No rows to chart" in _svg_text(spec)


def test_an_empty_log_gives_empty_charts() -> None:
    log = stickiness.read_log(pl.DataFrame(schema={"user_id": pl.String, "timestamp": pl.Datetime, "event": pl.String}))
    charts = [
        sw.retention_chart(stickiness.retention(log)),
        sw.cohort_chart(stickiness.cohort_matrix(log)),
        sw.lifecycle_chart(stickiness.lifecycle(log)),
        sw.adoption_chart(stickiness.feature_adoption(log)),
        sw.leave_points_chart(stickiness.where_users_leave(log)),
    ]
    assert all(chart.to_dict(validate=False)["title"]["text"].endswith(": no data") for chart in charts)


@pytest.mark.parametrize(
    ("chart", "metric"),
    [
        (sw.retention_chart, "retention"),
        (sw.cohort_chart, "cohort_matrix"),
        (sw.retention_curve_chart, "cohort_matrix"),
        (sw.lifecycle_chart, "lifecycle"),
        (sw.adoption_chart, "feature_adoption"),
        (sw.leave_points_chart, "where_users_leave"),
    ],
)
def test_other_frames_are_refused_with_the_metric_to_compute(chart: Callable[..., Any], metric: str) -> None:
    with pytest.raises(ColumnNotFoundError, match=rf"stickiness\.{metric}\(\.\.\.\): the frame lacks"):
        chart(pl.DataFrame({"day": [dt.date(2024, 1, 1)]}))
    events = pl.DataFrame({"user_id": ["a"] * (MAX_ROWS + 1)})
    with pytest.raises(sw.ChartDataError, match=rf"not raw events\. Pass the output of stickiness\.{metric}"):
        chart(events)
    with pytest.raises(UnsupportedSourceError, match="LazyFrame"):
        chart(events.lazy())


def test_bad_options_name_the_option() -> None:
    with pytest.raises(InvalidOptionError, match="min_users"):
        sw.leave_points_chart(pl.DataFrame(), min_users=-1)


def test_table_csvs_read_back_give_the_same_charts(frames: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    """The retention template writes these tables; read back plainly they hold text days."""
    for name, chart in [
        ("retention_by_persona", sw.retention_chart),
        ("cohorts", sw.cohort_chart),
        ("cohorts", sw.retention_curve_chart),
        ("lifecycle_by_persona", sw.lifecycle_chart),
        ("adoption", sw.adoption_chart),
        ("leave", sw.leave_points_chart),
    ]:
        path = tmp_path / f"{name}.csv"
        frames[name].write_csv(path)
        again = pl.read_csv(path)
        assert chart(again).to_dict(validate=False) == chart(frames[name]).to_dict(validate=False), name


def test_inputs_are_not_mutated(frames: dict[str, pl.DataFrame]) -> None:
    before = frames["lifecycle_by_persona"].clone()
    sw.lifecycle_chart(frames["lifecycle_by_persona"])
    assert frames["lifecycle_by_persona"].equals(before)


def test_a_title_replaces_the_finding_and_keeps_the_notes(frames: dict[str, pl.DataFrame]) -> None:
    spec = sw.cohort_chart(frames["cohorts"], title="Cohorts").to_dict(validate=False)
    assert spec["title"]["text"] == "Cohorts" and spec["title"]["subtitle"]
    spec = sw.cohort_chart(frames["cohorts"], title=alt.TitleParams("Only this")).to_dict(validate=False)
    assert spec["title"] == {"text": "Only this"}


# --------------------------------------------------------------------------- #
# Package                                                                     #
# --------------------------------------------------------------------------- #


def test_public_api() -> None:
    names = {
        "adoption_chart",
        "cohort_chart",
        "leave_points_chart",
        "lifecycle_chart",
        "retention_chart",
        "retention_curve_chart",
    }
    assert names <= set(sw.__all__) and sw.__all__ == sorted(sw.__all__)
    assert names <= set(importlib.import_module("stickiness_widgets.charts").__all__)


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module: str) -> None:
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(importlib.import_module(module), optionflags=flags)
    assert result.failed == 0
