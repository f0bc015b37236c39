"""Titles of the cohort charts (stickiness.findings.cohorts): hand-made matrices, expected text worked out by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl

from stickiness import chart_headline
from stickiness.findings import FindingOptions

JAN, FEB, MAR = dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)
COLUMNS = ["cohort", "offset", "period", "cohort_users", "users", "share", "complete"]


def _matrix(rows: list[tuple[object, ...]], *, segment: bool = False) -> pl.DataFrame:
    names = ["persona", *COLUMNS] if segment else COLUMNS
    return pl.DataFrame(rows, schema=names, orient="row")


def test_cohort_title_states_month_1_and_the_furthest_month_observed() -> None:
    # Jan cohort 100 users: 60 in Feb, 40 in Mar; Feb cohort 50 users: 20 in Mar. All fully observed.
    # month 1: (60 + 20) / (100 + 50) = 80 / 150 = 53.3%; month 2 (Jan only): 40 / 100 = 40.0%
    matrix = _matrix(
        [
            (JAN, 0, JAN, 100, 100, 1.0, True),
            (JAN, 1, FEB, 100, 60, 0.6, True),
            (JAN, 2, MAR, 100, 40, 0.4, True),
            (FEB, 0, FEB, 50, 50, 1.0, True),
            (FEB, 1, MAR, 50, 20, 0.4, True),
        ]
    )
    assert chart_headline("retention_curve", matrix).text == "Cohort retention 53.3% at month 1, 40.0% at month 2"
    # the heatmap states one of its cells: Feb is the latest cohort with a complete month 1, 20 / 50 = 40%
    assert chart_headline("cohort_matrix", matrix).text == "Retention of the February 2024 cohort at month 1: 40%"


def test_cohort_title_across_segments_is_the_range_at_the_month_every_segment_reached() -> None:
    # x: 5 of 10 at month 1 (50%), 3 of 10 at month 2; y: 8 of 20 at month 1 (40%), no month 2:
    # the milestone is min(2, 1) = month 1, from 40.0% (y) to 50.0% (x)
    matrix = _matrix(
        [
            ("x", JAN, 0, JAN, 10, 10, 1.0, True),
            ("x", JAN, 1, FEB, 10, 5, 0.5, True),
            ("x", JAN, 2, MAR, 10, 3, 0.3, True),
            ("y", JAN, 0, JAN, 20, 20, 1.0, True),
            ("y", JAN, 1, FEB, 20, 8, 0.4, True),
        ],
        segment=True,
    )
    headline = chart_headline("retention_curve", matrix, by="persona", options=FindingOptions(period="month"))
    assert headline.text == "Cohort retention at month 1: from 40.0% (y) to 50.0% (x)"
    # the heatmap: the Jan cohort is the latest with a complete month 1 in both; its cells print 40% (y), 50% (x)
    headline = chart_headline("cohort_matrix", matrix, by="persona", options=FindingOptions(period="month"))
    assert headline.text == "Retention of the January 2024 cohort at month 1: from 40% (y) to 50% (x)"


def test_cohort_title_when_no_cohort_is_observed_past_its_first_period() -> None:
    matrix = _matrix([(JAN, 0, JAN, 10, 10, 1.0, True), (JAN, 1, FEB, 10, 4, 0.4, False)])
    for chart in ("cohort_matrix", "retention_curve"):
        headline = chart_headline(chart, matrix, options=FindingOptions(period="week"))
        assert headline.text == "Cohort retention: no cohort is fully observed past its first week yet"


def test_heatmap_title_states_the_cell_as_it_prints_it() -> None:
    # Jan: 200 users, 127 at month 1 = 63.5% -> the cell prints 64% (whole percent, as the title);
    # Feb: 30 users, its month 1 (March) still partial: the Jan cohort is the latest with a complete month 1
    matrix = _matrix(
        [
            (JAN, 0, JAN, 200, 200, 1.0, True),
            (JAN, 1, FEB, 200, 127, 0.635, True),
            (FEB, 0, FEB, 30, 30, 1.0, True),
            (FEB, 1, MAR, 30, 3, 0.1, False),
        ]
    )
    assert chart_headline("cohort_matrix", matrix).text == "Retention of the January 2024 cohort at month 1: 64%"
    weekly = chart_headline("cohort_matrix", matrix, options=FindingOptions(period="week"))
    assert weekly.text == "Retention of the cohort of the week of 2024-01-01 at week 1: 64%"
    daily = chart_headline("cohort_matrix", matrix, options=FindingOptions(period="day"))
    assert daily.text == "Retention of the 2024-01-01 cohort at day 1: 64%"
