"""A report on an account log (docs/accounts.md) words its findings in accounts; a user log's wording is unchanged.

The log is made by hand and counted per account with :func:`stickiness.by_account`; every number
below is worked out from the events in the comments, not copied from the code's output.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest

import stickiness as st
from stickiness import InvalidOptionError
from stickiness.findings import FindingOptions, chart_headline, report_findings

from ..conftest import NOW, frame


def at(day: int) -> dt.datetime:
    return dt.datetime(2024, 3, day, 12, tzinfo=dt.UTC)


USERS = pl.DataFrame(
    {
        "user_id": ["ann", "bob", "cy", "dee", "eve"],
        "account": ["acme", "acme", "globex", "globex", "initech"],
    }
)
# acme (ann, bob): Mar 1, 2, 20, 21; globex (cy, dee): Mar 1, 20; initech (eve): Mar 1, 8. as_of: Mar 21 (a Thursday).
EVENTS = [
    ("ann", at(1), "open"),
    ("bob", at(2), "open"),
    ("cy", at(1), "open"),
    ("eve", at(1), "open"),
    ("eve", at(8), "open"),
    ("dee", at(20), "open"),
    ("ann", at(20), "open"),
    ("bob", at(21), "open"),
]
OPTIONS = {"mau_window": 7, "period": "week", "min_users": 1, "inactive_days": 3}


def _tables(log: st.UsageLog) -> dict[str, pl.DataFrame]:
    return {
        "active_users": st.active_users(log, window=7),
        "power_users": st.power_users(log, window=7),
        "retention": st.retention(log, period="week", min_users=1),
        "inactive_users": st.inactive_users(log, days=3, by=None),
    }


@pytest.fixture(scope="module")
def accounts() -> st.UsageLog:
    return st.by_account(st.read_log(frame(EVENTS), users=USERS, now=NOW), account="account")


def test_account_findings_say_accounts(accounts: st.UsageLog) -> None:
    assert accounts.unit == "account"
    found = report_findings(_tables(accounts), **OPTIONS, unit=accounts.unit)
    # 7 days to Mar 21: Mar 15-19 have no account in the 7-day window (MAU 0: no ratio); Mar 20: acme and globex,
    # DAU 2 / MAU 2 = 1.0; Mar 21: acme, DAU 1 / MAU 2 = 0.5. Mean (1.0 + 0.5) / 2 = 75.0%.
    assert found.topic("stickiness").sentence == (
        "Stickiness (DAU / MAU, the share of the month's accounts active on a day), as the mean of the 7 days to "
        "2024-03-21: all accounts 75.0%."
    )
    # window Mar 15-21: acme on 2 days (20, 21), globex on 1 (20): MAU 2, none on 5+ days (7 days x 20 / 30, up).
    assert found.topic("power_users").sentence == (
        "Power accounts (active on 5 or more of the last 7 days, the daily band scaled to the window): "
        "all accounts 0.0% of MAU (0 of 2)."
    )
    # weeks from Monday: Feb 26 (Mar 1-3: 3 accounts), Mar 4 (initech), Mar 11 (none), Mar 18 (to Thursday: partial).
    # The last complete week is Mar 11: 1 account active before, 0 back: churn 1 / 1, retention 0 / 1.
    assert found.topic("retention").sentence == (
        "Retention in the week starting 2024-03-11: all accounts churn 100.0% (retention 0.0%)."
    )
    # initech, last active Mar 8, 13 days before as_of; every 7 days before (Mar 1, 8): still on its rhythm
    assert found.topic("inactive").sentence == "1 account has had no activity in the last 3 days: 1 on rhythm."
    assert "users" not in " ".join(found.sentences())
    notes = " ".join(note for finding in found.topics for note in finding.notes)
    assert "the share of the month's accounts who use the product" in notes and "users" not in notes
    assert found.options.unit == "account"


def test_account_chart_titles_say_accounts(accounts: st.UsageLog) -> None:
    found = report_findings(_tables(accounts), **OPTIONS, unit="account")
    titles = " ".join(f"{h.text} {h.note}" for h in found.headlines.values())
    assert "active accounts" in titles and "users" not in titles
    assert found.headlines["retention"].text == "Churn 100.0% in the week of 2024-03-11 (retention 0.0%)"
    # a chart without data says what it counts
    empty = pl.DataFrame(schema={"day": pl.Date, "dau": pl.Int64})
    assert chart_headline("active_users", empty, options=FindingOptions(unit="account")).text == (
        "Active accounts: no data"
    )


def test_user_log_wording_unchanged() -> None:
    log = st.read_log(frame(EVENTS), users=USERS, now=NOW)
    assert log.unit == "user"
    tables = _tables(log)
    found = report_findings(tables, **OPTIONS)
    assert found == report_findings(tables, **OPTIONS, unit="user")
    # per user, Mar 20: ann, dee (DAU 2, MAU 2) 1.0; Mar 21: bob (DAU 1; ann, bob, dee in the window: MAU 3) 1/3.
    # Mean (1 + 1/3) / 2 = 66.7%.
    assert found.topic("stickiness").sentence == (
        "Stickiness (DAU / MAU, the share of the month's users active on a day), as the mean of the 7 days to "
        "2024-03-21: all users 66.7%."
    )
    # cy (last Mar 1, once: no rhythm) and eve (Mar 8) are quiet for more than 3 days; 2 users, plural as before
    assert found.topic("inactive").sentence.startswith("2 users have had no activity in the last 3 days")
    assert "account" not in " ".join(found.sentences())


def _drifting() -> pl.DataFrame:
    return pl.DataFrame({"user": ["acme", "acme", "globex"], "use_case": ["search", "buy", "search"]})


def test_drifting_and_next_steps_count_accounts() -> None:
    inactive = pl.DataFrame({"user": ["initech"], "status": ["at_risk"]})
    found = report_findings({"drifting_users": _drifting(), "inactive_users": inactive}, unit="account")
    # 2 distinct accounts drift (acme in two use cases); search 2 rows, buy 1
    assert found.topic("drifting").sentence == (
        "Drifting: 2 accounts used a use case regularly before and now less than 1 day per 30 (search 2, buy 1)."
    )
    assert found.topic("inactive").sentence == "1 account has had no activity in the last 30 days: 1 at risk."
    steps = " ".join(found.next_steps)
    assert "Contact the drifting accounts before they lapse" in steps
    assert "Reach the 1 account at risk (quiet" in steps
    assert "users" not in re.sub(r"tables/\w+\.csv", "", steps)  # the tables keep their fixed names
    nobody = report_findings({"drifting_users": _drifting().clear()}, unit="account").topic("drifting")
    assert nobody.sentence == "Drifting accounts: none (no account's rate fell below the threshold)."
    # a user log: the wording as it always was
    assert report_findings({"drifting_users": _drifting()}).topic("drifting").sentence.startswith("Drifting: 2 users")


def test_unknown_unit_is_an_error_naming_it() -> None:
    with pytest.raises(InvalidOptionError, match=r"unit='accounts'.*'user', 'account'"):
        report_findings({}, unit="accounts")


def test_adoption_and_leave_titles_count_accounts() -> None:
    from stickiness.findings.adoption import adoption_headline, leave_headline

    never = pl.DataFrame(
        {"persona": ["(all)"], "use_case": ["x"], "period": [dt.date(2024, 1, 1)], "active": [0], "users": [0]},
    ).with_columns(share=pl.lit(None, pl.Float64), complete=pl.lit(True))
    assert adoption_headline(never, None, FindingOptions()).text == "Feature adoption: no use case has a user"
    assert adoption_headline(never, None, FindingOptions(unit="account")).text == (
        "Feature adoption: no use case has an account"
    )
    # 25 accounts stopped at pay, all of them leavers: only leavers stopped there
    only = pl.DataFrame(
        {"persona": ["(all)"], "use_case": ["pay"], "leavers": [25], "retained": [0], "retained_share": [0.0]}
    ).with_columns(lift=pl.lit(None, pl.Float64))
    assert leave_headline(only, None, FindingOptions(unit="account")).text == (
        "Only accounts who left stopped at pay (25 accounts)"
    )
    assert leave_headline(only, None, FindingOptions()).text == "Only users who left stopped at pay (25 users)"
