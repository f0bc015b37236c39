"""Titles of the adoption charts (stickiness.findings.adoption): hand-made tables, expected text worked out by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl

from stickiness import chart_headline
from stickiness.findings import FindingOptions
from stickiness.findings.adoption import leave_verdicts

JAN, FEB = dt.date(2024, 1, 1), dt.date(2024, 2, 1)


def _adoption() -> pl.DataFrame:
    rows = [  # persona, use_case, period, active, users, complete
        ("a", "search", JAN, 10, 8, True),
        ("a", "buy", JAN, 10, 2, True),
        ("a", "help", JAN, 10, 1, True),
        ("b", "search", JAN, 5, 1, True),
        ("b", "buy", JAN, 5, 4, True),
        ("a", "search", FEB, 10, 9, False),
    ]
    frame = pl.DataFrame(rows, schema=["persona", "use_case", "period", "active", "users", "complete"], orient="row")
    return frame.with_columns(share=pl.col("users") / pl.col("active")).select(
        "persona", "use_case", "period", "active", "users", "share", "complete"
    )


def test_adoption_title_is_the_range_in_the_last_complete_period_over_the_use_cases_drawn() -> None:
    # top 2 use cases by users over all periods: search 8 + 1 + 9 = 18, buy 2 + 4 = 6 (help 1 is not drawn);
    # Feb is partial, so January: a search 8/10 = 80%, a buy 2/10 = 20%, b search 1/5 = 20%, b buy 4/5 = 80%;
    # ties sorted by name: lowest "buy for a" (before "search for b"), highest "search for a" (after "buy for b")
    headline = chart_headline("feature_adoption", _adoption(), by="persona", options=FindingOptions(top=2))
    assert headline.text == "Adoption in Jan 2024: from 20.0% (buy for a) to 80.0% (search for a) of active users"


def test_adoption_title_of_a_partial_period_says_so() -> None:
    # only February's row: a search 9 / 10 = 90%, one segment so the use case alone names it
    feb = _adoption().filter(pl.col("period") == FEB)
    headline = chart_headline("feature_adoption", feb, by="persona", options=FindingOptions(period="month"))
    assert headline.text == "Adoption in Feb 2024 (partial): 90.0% of active users used search"


def _leave() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "persona": ["a", "a", "b"],
            "use_case": ["pay", "search", "help"],
            "leavers": [30, 10, 5],
            "retained": [20, 60, 0],
            "retained_share": [0.25, 0.75, 0.0],
            "lift": [3.0, 1 / 3, None],
        }
    )


def test_leave_verdicts_are_decided_once_in_the_core() -> None:
    # pay: 30 + 20 = 50 users >= 20, lift 3 > 1; search: 70 users, lift 1/3; help: 5 + 0 = 5 < 20 users
    judged = leave_verdicts(_leave(), min_users=20)
    assert judged.select("use_case", "verdict", "only_leavers").rows() == [
        ("pay", "more common among leavers", False),
        ("search", "not more common among leavers", False),
        ("help", "too few users", True),
    ]


def test_leave_title_names_the_highest_lift_among_the_steps_with_enough_users() -> None:
    # two personas, so steps are named "use case for persona"; help (5 users) is too few below 20
    assert chart_headline("where_users_leave", _leave(), by="persona").text == (
        "Last step most over-represented among leavers: pay for a (lift 3.00)"
    )
    # with min_users 5, help for b (5 leavers, no retained user: an infinite lift) comes first
    options = FindingOptions(leave_min_users=5)
    assert chart_headline("where_users_leave", _leave(), by="persona", options=options).text == (
        "Only users who left stopped at help for b (5 users)"
    )
    # 100 users needed: no step has enough
    options = FindingOptions(leave_min_users=100)
    assert chart_headline("where_users_leave", _leave(), by="persona", options=options).text == (
        "Where users leave: too few users at every last step to compare"
    )
