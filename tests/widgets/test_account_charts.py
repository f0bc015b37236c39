"""Charts of an account log (docs/accounts.md) count accounts: the title, its note and the axes, as drawn.

The noun comes from the charts' ``unit=`` argument (the report passes ``log.unit``), never from
the table: the same table drawn without it still says users.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import polars as pl
import pytest
import stickiness_widgets as sw

import stickiness as st
from tests.conftest import NOW, frame
from tests.widgets import _axes


def at(day: int) -> dt.datetime:
    return dt.datetime(2024, 3, day, 12, tzinfo=dt.UTC)


USERS = pl.DataFrame({"user_id": ["ann", "bob", "cy", "dee"], "account": ["acme", "acme", "globex", "globex"]})
# acme (ann, bob): Mar 1, 2, 4; globex (cy, dee): Mar 3, 4. as_of Mar 4.
EVENTS = [
    ("ann", at(1), "open"),
    ("bob", at(2), "open"),
    ("ann", at(4), "open"),
    ("cy", at(3), "open"),
    ("dee", at(4), "open"),
]


@pytest.fixture(scope="module")
def accounts() -> st.UsageLog:
    return st.by_account(st.read_log(frame(EVENTS), users=USERS, now=NOW), account="account")


def _words(spec: dict[str, Any]) -> str:
    """The title, its subtitle lines and every drawn axis title of a chart."""
    title = spec.get("title", {})
    subtitle = title.get("subtitle", [])
    lines = [title.get("text", ""), *([subtitle] if isinstance(subtitle, str) else subtitle)]
    return " | ".join([*lines, *(axis.title for axis in _axes.drawn_axes(spec))])


def test_active_accounts_chart(accounts: st.UsageLog) -> None:
    daily = st.active_users(accounts, window=7)
    spec = sw.active_users_chart(daily, unit=accounts.unit).to_dict()
    words = _words(spec)
    # the counts panel's axis and title; Mar 4: acme and globex, DAU 2 / MAU 2
    assert "active accounts" in words and "Active accounts: DAU, WAU" in json.dumps(spec)
    assert "users" not in words
    assert "active users" in _words(sw.active_users_chart(daily).to_dict())  # no unit: as before


@pytest.mark.parametrize(
    ("draw", "expected"),
    [
        # Mar 4: acme (ann) and globex (dee) active, 2 of the 2 accounts seen; both current, active on one of the 6
        # days before (acme Mar 2, globex Mar 3): 2 / 2 current
        (
            lambda log: sw.growth_states_chart(st.growth_states(log), unit=log.unit),
            "of 2 accounts seen: 2 active (100.0% current), 0 at risk, 0 dormant",
        ),
        # weeks from Monday: Feb 26 (Mar 1-3: acme, globex new) then Mar 4 (both back): 2 returning, none new or gone
        (
            lambda log: sw.lifecycle_chart(st.lifecycle(log, period="week"), period="week", unit=log.unit),
            "0 new, 0 back after a gap, 0 gone dormant",
        ),
        (
            lambda log: sw.retention_chart(st.retention(log, period="week"), period="week", unit=log.unit),
            "Churn 0.0% in the week of 2024-03-04 (partial) (retention 100.0%)",  # 2 active before, 2 back
        ),
    ],
)
def test_account_charts_count_accounts(accounts: st.UsageLog, draw: Any, expected: str) -> None:
    spec = draw(accounts).to_dict()
    words = _words(spec)
    assert expected in words and "accounts" in words and "users" not in words


def test_account_axis_titles(accounts: st.UsageLog) -> None:
    growth = sw.growth_states_chart(st.growth_states(accounts), unit="account").to_dict()
    assert "accounts" in [axis.title for axis in _axes.drawn_axes(growth)]
    lifecycle = sw.lifecycle_chart(st.lifecycle(accounts, period="week"), period="week", unit="account").to_dict()
    assert "accounts" in [axis.title for axis in _axes.drawn_axes(lifecycle)]


def test_cohort_heatmap_counts_accounts(accounts: st.UsageLog) -> None:
    cohorts = st.cohort_matrix(accounts, period="week")
    spec = sw.cohort_chart(cohorts, period="week", unit="account").to_dict()
    # acme and globex both start in the week of Feb 26: one cohort of 2 accounts
    assert "cohort (week of first use) · accounts" in [axis.title for axis in _axes.drawn_axes(spec)]
    assert "users" not in _words(spec)


def test_a_unit_that_is_not_one_is_an_error(accounts: st.UsageLog) -> None:
    with pytest.raises(st.InvalidOptionError, match="unit='accounts'"):
        sw.active_users_chart(st.active_users(accounts, window=7), unit="accounts")
