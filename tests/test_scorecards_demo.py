"""The scorecards' demo tables (stickiness.scorecards.demo) and the demo figures quoted in docs/scorecards.md."""

from __future__ import annotations

from functools import cache

import polars as pl
import pytest

from stickiness import UsageLog, read_catalog, read_log
from stickiness.demo import demo_catalog, demo_events, demo_use_case_profiles, demo_users
from stickiness.scorecards import (
    customers_to_contact,
    fit_matrix,
    fit_summary,
    health_score,
    health_summary,
    lifetime_value,
    lifetime_value_summary,
    nps,
)
from stickiness.scorecards.demo import demo_accounts, demo_payments, demo_responses

from .conftest import NOW


@cache
def demo_log() -> UsageLog:
    return read_log(demo_events(), users=demo_users(), now=NOW)


def test_tables_are_deterministic_and_clean() -> None:
    small = {"users": 300, "seed": 3}
    accounts, answers, payments = demo_accounts(**small), demo_responses(**small), demo_payments(**small)
    assert accounts.equals(demo_accounts(**small))
    assert answers.equals(demo_responses(**small))
    assert payments.equals(demo_payments(**small))
    assert not accounts.equals(demo_accounts(users=300, seed=4))
    users = demo_users(**small)
    pro = users.filter(pl.col("plan") == "pro")["user_id"]
    assert accounts["user_id"].to_list() == pro.sort().to_list()
    assert bool((accounts["mrr"] > 0).all())
    assert set(payments["user_id"]) == set(pro)
    signup = dict(users.select("user_id", "signup_date").rows())
    assert all(day >= signup[user] for user, day in answers.select("user_id", "submitted_at").rows())
    # every table goes through its scorecard without an error
    fit_matrix(accounts)
    nps(answers, by="persona", users=users)
    lifetime_value(payments, time="paid_on", category_spend="category_spend")


def test_health_figures_in_the_docs() -> None:
    catalog = read_catalog(demo_catalog(), profiles=demo_use_case_profiles())
    scores = health_score(
        demo_log(),
        catalog,
        accounts=demo_accounts(),
        extra={"support_tickets": "lower"},
        weights={"frequency": 0.35, "recency": 0.25, "breadth": 0.25, "support_tickets": 0.15},
    )
    summary = health_summary(scores).select(
        "persona", "customers", "too_new", "healthy", "at_risk", "critical", "not_in_accounts"
    )
    assert summary.rows() == [
        ("agent", 281, 31, 200, 0, 50, 100),
        ("home_buyer", 592, 56, 314, 23, 199, 536),
        ("homeowner", 648, 56, 298, 120, 174, 587),
        ("renter", 402, 28, 121, 154, 99, 377),
    ]
    contact = customers_to_contact(scores)
    assert (contact.height, (contact["band"] == "critical").sum()) == (819, 522)


def test_nps_figures_in_the_docs() -> None:
    out = nps(demo_responses(), by="persona", users=demo_log())
    got = {r["persona"]: (r["responses"], r["nps"], r["ci_low"], r["ci_high"]) for r in out.iter_rows(named=True)}
    expected = {
        "agent": (240, 37.1, 27.7, 46.5),
        "home_buyer": (390, 6.7, -1.3, 14.7),
        "homeowner": (530, 12.1, 5.5, 18.7),
        "renter": (371, -29.4, -37.1, -21.7),
    }
    for persona, (n, value, low, high) in expected.items():
        assert got[persona][0] == n
        assert [round(x, 1) for x in got[persona][1:]] == [value, low, high], persona
    # the planted rise of the homeowners: the last quarter above the first
    quarters = nps(demo_responses(), by="persona", users=demo_users(), period="quarter", time="submitted_at")
    homeowners = quarters.filter(pl.col("persona") == "homeowner")["nps"].to_list()
    assert homeowners[-1] > homeowners[0]


def test_fit_and_value_figures_in_the_docs() -> None:
    with_usage = fit_summary(fit_matrix(demo_accounts(), usage=demo_log()))
    assert with_usage.select("state", "customers", "mrr").rows() == [
        ("keep", 209, 28519.0),
        ("grow", 69, 19484.0),
        ("depart", 45, 6432.0),
    ]
    assert with_usage["profit"][2] == pytest.approx(11.80)
    assert fit_summary(fit_matrix(demo_accounts()))["customers"][1] == 108
    summary = lifetime_value_summary(
        lifetime_value(demo_payments(), time="paid_on", category_spend="category_spend")
    ).row(0, named=True)
    assert (summary["customers"], summary["value"]) == (323, 312208.0)
    assert round(summary["repeat_purchase_share"], 3) == 0.768
    assert round(summary["repeat_value_share"], 3) == 0.826
    assert round(summary["share_of_wallet"], 3) == 0.475
