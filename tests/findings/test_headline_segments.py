"""Headline.segments: the segments a chart's title names, in the order it names them (hand-made tables).

The chart layer colours these when a chart has more segments than colours: it reads them
here and never re-derives the title's lowest and highest (docs/charts.md, "Many segments").
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest

from stickiness import chart_headline
from stickiness.findings import FindingOptions

DAY0 = dt.date(2024, 1, 1)
JAN, FEB, MAR = dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)


def _daily(values: dict[str, float]) -> pl.DataFrame:
    """An active_users table: 10 complete days per persona, its stickiness the same every day."""
    rows = [
        {"persona": p, "day": DAY0 + dt.timedelta(days=n), "dau": 1, "wau": 1, "mau": 10, "stickiness": v}
        for p, v in values.items()
        for n in range(10)
    ]
    return pl.DataFrame(rows).with_columns(complete=pl.lit(True))


def _in_brackets(text: str) -> list[str]:
    """The names a "from 25.0% (b) to 50.0% (a)" title puts in brackets, in its order."""
    return re.findall(r"\(([^()]*)\)", text)


def test_active_users_names_its_lowest_then_its_highest() -> None:
    # 7-day means: a 50%, b 25%, c 30%: from 25.0% (b) to 50.0% (a); c is not named
    headline = chart_headline("active_users", _daily({"a": 0.5, "b": 0.25, "c": 0.3}))
    assert headline.text.endswith("from 25.0% (b) to 50.0% (a)")
    assert headline.segments == ("b", "a")
    assert chart_headline("active_users", _daily({"a": 0.5})).segments == ("a",)  # "Stickiness 50.0% (a) on ..."
    whole = _daily({"a": 0.5}).drop("persona")
    assert chart_headline("active_users", whole).segments == ()  # no segment column: nothing named


def test_ties_name_the_segments_the_text_names() -> None:
    # all three at 30%: the text names one as the lowest and another as the highest; those two, and only them
    headline = chart_headline("active_users", _daily({"a": 0.3, "b": 0.3, "c": 0.3}))
    assert len(headline.segments) == 2
    assert list(headline.segments) == _in_brackets(headline.text)
    # a tie at the top only: b and c at 60%, a at 10%: a is named first, then one of b and c
    top = chart_headline("active_users", _daily({"a": 0.1, "b": 0.6, "c": 0.6}))
    assert top.segments[0] == "a" and top.segments[1] in {"b", "c"}
    assert list(top.segments) == _in_brackets(top.text)


def test_monthly_names_the_last_complete_months_lowest_and_highest() -> None:
    # February complete: x 20%, y 40%, z 30%; March partial (x 90%) is not headlined
    table = pl.DataFrame(
        {
            "persona": ["x", "y", "z", "x"],
            "month": [FEB, FEB, FEB, MAR],
            "days": [29, 29, 29, 10],
            "mean_dau": [2.0, 4.0, 3.0, 9.0],
            "mau": [10, 10, 10, 10],
            "stickiness": [0.2, 0.4, 0.3, 0.9],
            "complete": [True, True, True, False],
        }
    )
    headline = chart_headline("monthly_active_users", table)
    assert headline.text == "Monthly stickiness in February 2024: from 20.0% (x) to 40.0% (y)"
    assert headline.segments == ("x", "y")


def _retention(churn: dict[str, float]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "persona": list(churn),
            "period": [FEB] * len(churn),
            "active_before": [100] * len(churn),
            "active": [100] * len(churn),
            "new": [0] * len(churn),
            "retained": [round(100 * (1 - c)) for c in churn.values()],
            "churned": [round(100 * c) for c in churn.values()],
            "returning": [round(100 * (1 - c)) for c in churn.values()],
            "retention_rate": [1 - c for c in churn.values()],
            "churn_rate": list(churn.values()),
            "sufficient": [True] * len(churn),
            "complete": [True] * len(churn),
        }
    )


def test_retention_names_the_least_and_the_most_churn() -> None:
    # churn: big 12%, mid 20%, tiny 5%: from 5.0% (tiny) to 20.0% (mid)
    headline = chart_headline("retention", _retention({"big": 0.12, "mid": 0.2, "tiny": 0.05}))
    assert headline.text == "Churn in February 2024: from 5.0% (tiny) to 20.0% (mid)"
    assert headline.segments == ("tiny", "mid")
    assert chart_headline("retention", _retention({"big": 0.12})).segments == ("big",)


def _lifecycle(rows: dict[str, tuple[int, int]]) -> pl.DataFrame:
    """Two months per persona; February's (new, dormant) as given (dormant counts are negative)."""
    return pl.DataFrame(
        [
            (p, month, 10, new if month == FEB else 10, 0, 0, dormant if month == FEB else 0, None, True)
            for p, (new, dormant) in rows.items()
            for month in (JAN, FEB)
        ],
        schema=[
            "persona",
            "period",
            "active",
            "new",
            "returning",
            "resurrecting",
            "dormant",
            "quick_ratio",
            "complete",
        ],
        orient="row",
    )


def test_lifecycle_names_the_most_new_then_the_most_gone_dormant() -> None:
    # February: a 5 new, 1 dormant; b 2 new, 7 dormant; c 1 new, 0 dormant
    headline = chart_headline("lifecycle", _lifecycle({"a": (5, -1), "b": (2, -7), "c": (1, 0)}))
    assert headline.text.endswith("most new users in a (5), most gone dormant in b (7)")
    assert headline.segments == ("a", "b")
    # one segment both: named once
    assert chart_headline("lifecycle", _lifecycle({"a": (5, -9), "b": (2, -7)})).segments == ("a",)


def test_use_case_map_names_the_segments_of_its_lowest_and_highest_cells() -> None:
    table = pl.DataFrame(
        {
            "persona": ["a", "a", "b", "b"],
            "use_case": ["search", "save", "search", "save"],
            "adoption_rate": [0.2, 0.9, 0.5, 0.6],
        }
    )
    headline = chart_headline("use_case_map", table)
    assert headline.text == "Adoption from 20% (a, search) to 90% (a, save)"
    assert headline.segments == ("a",)  # both cells are a's
    other = table.with_columns(adoption_rate=pl.Series([0.2, 0.1, 0.5, 0.6]))
    headline = chart_headline("use_case_map", other)
    assert headline.text == "Adoption from 10% (a, save) to 60% (b, save)"
    assert headline.segments == ("a", "b")


def test_spectrum_names_the_segment_of_the_largest_daily_share() -> None:
    table = pl.DataFrame(
        {"persona": ["a", "b", "b"], "use_case": ["x", "x", "y"], "band": ["daily", "daily", "weekly"]}
    ).with_columns(users=pl.lit(4), share=pl.Series([0.25, 0.5, 0.9]))
    headline = chart_headline("frequency_spectrum", table)
    assert headline.text.startswith("Daily habit: 50.0% of b's adopters of x")
    assert headline.segments == ("b",)


def test_cohort_charts_name_their_lowest_and_highest() -> None:
    # month 1 (the milestone every segment reached): x 50%, y 40%, z 45%: from 40.0% (y) to 50.0% (x)
    rows = [
        (p, JAN, offset, JAN if offset == 0 else FEB, 10, round(10 * share), share, True)
        for p, one in {"x": 0.5, "y": 0.4, "z": 0.45}.items()
        for offset, share in ((0, 1.0), (1, one))
    ]
    matrix = pl.DataFrame(
        rows,
        schema=["persona", "cohort", "offset", "period", "cohort_users", "users", "share", "complete"],
        orient="row",
    )
    options = FindingOptions(period="month")
    curve = chart_headline("retention_curve", matrix, by="persona", options=options)
    assert curve.text == "Cohort retention at month 1: from 40.0% (y) to 50.0% (x)"
    assert curve.segments == ("y", "x")
    cells = chart_headline("cohort_matrix", matrix, by="persona", options=options)
    assert cells.text == "Retention of the January 2024 cohort at month 1: from 40% (y) to 50% (x)"
    assert cells.segments == ("y", "x")
    one = chart_headline("retention_curve", matrix.filter(pl.col("persona") == "z"), by="persona", options=options)
    assert one.segments == ("z",)


def test_health_names_the_lowest_and_highest_critical_share() -> None:
    # critical share: a 2 / 10 = 20%, b 2 / 5 = 40%, c 3 / 10 = 30%
    summary = pl.DataFrame(
        {"persona": ["a", "b", "c"], "scored": [10, 5, 10], "too_new": [0, 1, 0], "critical": [2, 2, 3]}
    ).with_columns(critical_share=pl.col("critical") / pl.col("scored"))
    assert chart_headline("health_summary", summary).segments == ("a", "b")
    # one segment scored among several: "2 of 10 scored customers in a ..." names it
    only = summary.with_columns(scored=pl.when(pl.col("persona") == "a").then(10).otherwise(0))
    assert chart_headline("health_summary", only).segments == ("a",)


def _nps(period: bool = False) -> pl.DataFrame:
    table = pl.DataFrame(
        {
            "plan": ["a", "b", "c", "d"],
            "responses": [40, 50, 3, 60],
            "nps": [37.0, -29.0, 90.0, 10.0],
            "ci_low": [20.0, -45.0, 10.0, -5.0],
            "ci_high": [54.0, -13.0, 100.0, 25.0],
            "sufficient": [True, True, False, True],
        }
    )
    return (
        table.with_columns(period=pl.lit(MAR)).select("plan", "period", pl.exclude("plan", "period"))
        if period
        else table
    )


def test_nps_names_the_lowest_and_highest_groups_with_enough_answers() -> None:
    # c (90) has too few answers: not named; from -29 (b) to 37 (a)
    headline = chart_headline("nps", _nps(), by="plan")
    assert headline.text == "NPS from -29 (b) to 37 (a)"
    assert headline.segments == ("b", "a")
    over_time = chart_headline("nps", _nps(period=True), by="plan")
    assert over_time.text.endswith("from -29 (b) to 37 (a)")
    assert over_time.segments == ("b", "a")


def test_lifetime_value_titles_name_their_lowest_and_highest() -> None:
    # medians: x 40 (one customer), y (20 + 0) / 2 = 10
    values = pl.DataFrame(
        {"user": ["a", "b", "c"], "purchases": [2, 1, 1], "value": [40.0, 20.0, 0.0], "plan": ["x", "y", "y"]}
    )
    assert chart_headline("lifetime_value", values, by="plan").segments == ("y", "x")
    summary = pl.DataFrame(
        {
            "plan": ["a", "b", "c"],
            "customers": [3, 2, 4],
            "mean_value": [50.0, 120.0, 80.0],
            "median_value": [40.0, 120.0, 70.0],
            "repeat_purchase_share": [0.5, 1.0, 0.25],
        }
    )
    headline = chart_headline("lifetime_value_summary", summary, by="plan")
    assert headline.text == "Mean lifetime value from 50 (a) to 120 (b)"
    assert headline.segments == ("a", "b")


def test_adoption_names_segments_only_when_it_draws_several() -> None:
    base = {"period": [JAN] * 3, "active": [4] * 3, "complete": [True] * 3}
    several = pl.DataFrame(
        {
            "persona": ["a", "b", "b"],
            "use_case": ["x", "x", "y"],
            "users": [1, 2, 3],
            "share": [0.25, 0.5, 0.75],
            **base,
        }
    )
    headline = chart_headline("feature_adoption", several)
    assert headline.text == "Adoption in Jan 2024: from 25.0% (x for a) to 75.0% (y for b) of active users"
    assert headline.segments == ("a", "b")
    one = several.with_columns(persona=pl.lit("(all)"))
    assert chart_headline("feature_adoption", one).segments == ()  # "from 25.0% (x) ...": no segment named


@pytest.mark.parametrize("chart", ["forgettable_zone", "fit_matrix", "predict_forgettable"])
def test_titles_that_count_name_no_segment(chart: str) -> None:
    tables = {
        "forgettable_zone": pl.DataFrame({"persona": ["a"], "use_case": ["x"], "verdict": ["forgettable"]}),
        "fit_matrix": pl.DataFrame({"user": ["u"], "state": ["grow"]}),
        "predict_forgettable": pl.DataFrame({"persona": ["a"], "predicted": [10], "forgettable_share": [0.8]}),
    }
    assert chart_headline(chart, tables[chart]).segments == ()
