"""The segment column is named after ``by`` in every output (docs/metrics.md, Segments)."""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from typing import Any

import polars as pl
import pytest

import stickiness as st
from stickiness import InvalidOptionError, read_log, segment_column
from stickiness.demo import demo_catalog, demo_events, demo_users
from stickiness.scorecards.demo import demo_payments, demo_responses

USERS = 80
SEED = 5
EVENTS = demo_events(users=USERS, seed=SEED)
CATALOG = demo_catalog()
# `plan` holds the persona of each user: by="plan" must give the by="persona" tables, its column renamed
PEOPLE = demo_users(users=USERS, seed=SEED).with_columns(plan=pl.col("persona"))
LOG = read_log(EVENTS, users=PEOPLE)
PAYMENTS = demo_payments(users=USERS, seed=SEED)
RESPONSES = demo_responses(users=USERS, seed=SEED)

Call = Callable[[str | None], Any]

#: One call per public function taking `by`, with the other arguments it needs.
CALLS: dict[str, Call] = {
    "active_users": lambda by: st.active_users(LOG, by=by),
    "monthly_active_users": lambda by: st.monthly_active_users(LOG, by=by),
    "retention": lambda by: st.retention(LOG, by=by, min_users=1),
    "range_retention": lambda by: st.range_retention(
        LOG, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31), by=by, min_users=1
    ),
    "cohort_matrix": lambda by: st.cohort_matrix(LOG, by=by),
    "retention_curve": lambda by: st.retention_curve(LOG, by=by),
    "lifecycle": lambda by: st.lifecycle(LOG, by=by),
    "new_vs_returning": lambda by: st.new_vs_returning(LOG, by=by),
    "one_and_done": lambda by: st.one_and_done(LOG, by=by),
    "repeat_rate": lambda by: st.repeat_rate(LOG, by=by),
    "use_case_rates": lambda by: st.use_case_rates(LOG, CATALOG, by=by),
    "frequency_spectrum": lambda by: st.frequency_spectrum(LOG, CATALOG, by=by),
    "use_case_map": lambda by: st.use_case_map(LOG, CATALOG, by=by, min_users=3),
    "forgettable_zone": lambda by: st.forgettable_zone(LOG, CATALOG, by=by, min_users=3),
    "drifting_users": lambda by: st.drifting_users(LOG, CATALOG, by=by, window=30, min_exposure=10),
    "dormancy": lambda by: st.dormancy(LOG, CATALOG, by=by),
    "inactive_users": lambda by: st.inactive_users(LOG, by=by),
    "feature_adoption": lambda by: st.feature_adoption(LOG, CATALOG, by=by),
    "time_to_first_use": lambda by: st.time_to_first_use(LOG, CATALOG, by=by),
    "where_users_leave": lambda by: st.where_users_leave(LOG, CATALOG, by=by, limit=30, window=60),
    "health_score": lambda by: st.health_score(LOG, CATALOG, by=by, min_exposure=10),
    "nps": lambda by: st.nps(RESPONSES, by=by, users=LOG, min_responses=1),
    "lifetime_value": lambda by: st.lifetime_value(PAYMENTS, time="paid_on", by=by, users=LOG),
    "lifetime_value_summary": lambda by: st.lifetime_value_summary(
        st.lifetime_value(PAYMENTS, time="paid_on", by=by, users=LOG), by=by
    ),
    "rfm_summary": lambda by: st.rfm_summary(LOG, CATALOG, by=by),
    "predict_forgettable": lambda by: st.predict_forgettable(LOG, CATALOG, by=by, min_repeat_users=3),
}
#: The outputs a segment-free call (``by=None``) still gives one row per segment: every user is in "(all)".
ALWAYS_SEGMENTED = {
    "use_case_rates",
    "frequency_spectrum",
    "use_case_map",
    "forgettable_zone",
    "drifting_users",
    "dormancy",
    "inactive_users",
    "feature_adoption",
    "time_to_first_use",
    "where_users_leave",
    "health_score",
    "predict_forgettable",
}


def _takes_by() -> set[str]:
    names = set()
    for name in st.__all__:
        function = getattr(st, name)
        by = inspect.signature(function).parameters.get("by") if inspect.isfunction(function) else None
        if by is not None and by.kind is inspect.Parameter.KEYWORD_ONLY:  # segment_column(by) names, not computes
            names.add(name)
    return names


def _tables(out: Any) -> dict[str, pl.DataFrame]:
    """The output's frames: a ForgettablePrediction holds two with a segment column."""
    if isinstance(out, pl.DataFrame):
        return {"": out}
    return {"users": out.users, "summary": out.summary}


def test_every_public_function_with_by_is_checked_here() -> None:
    # a new metric taking `by` must be added to CALLS: its segment column is then checked below
    assert _takes_by() == set(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_by_plan_names_the_column_plan_and_equals_by_persona_renamed(name: str) -> None:
    by_plan, by_persona = _tables(CALLS[name]("plan")), _tables(CALLS[name]("persona"))
    for part, table in by_plan.items():
        expected = by_persona[part].rename({"persona": "plan"})
        assert "plan" in table.columns and "persona" not in table.columns, (name, part, table.columns)
        assert table.columns == expected.columns, (name, part)
        assert table.height > 0, (name, part)  # an empty table would prove nothing
        assert table.equals(expected), (name, part)


@pytest.mark.parametrize("name", sorted(ALWAYS_SEGMENTED))
def test_by_none_names_the_column_segment_with_every_user_in_all(name: str) -> None:
    for part, table in _tables(CALLS[name](None)).items():
        assert "segment" in table.columns and "persona" not in table.columns, (name, part, table.columns)
        assert set(table["segment"]) <= {"(all)"}, (name, part)


@pytest.mark.parametrize("name", sorted(set(CALLS) - ALWAYS_SEGMENTED))
def test_by_none_leaves_the_segment_column_out_of_the_other_outputs(name: str) -> None:
    for table in _tables(CALLS[name](None)).values():
        assert not {"persona", "plan", "segment"} & set(table.columns), (name, table.columns)


def test_without_a_users_table_the_default_by_is_persona_with_everyone_in_all() -> None:
    # a, b active; no users table: by="persona" (the default) is the one segment "(all)"
    log = read_log(pl.DataFrame({"user_id": ["a", "b"], "timestamp": [dt.date(2024, 1, 1)] * 2, "event": ["x"] * 2}))
    out = st.use_case_rates(log, min_exposure=1)
    assert out.select("user", "persona").rows() == [("a", "(all)"), ("b", "(all)")]
    with pytest.raises(st.StickinessError, match=r"by='plan'"):
        st.use_case_rates(log, by="plan")


def test_blank_and_absent_users_are_unknown_under_the_by_name() -> None:
    # a: plan "pro"; b: plan "  " (blank: no value); c: not in the users table
    events = pl.DataFrame({"user_id": ["a", "b", "c"], "timestamp": [dt.date(2024, 1, 1)] * 3, "event": ["x"] * 3})
    users = pl.DataFrame({"user_id": ["a", "b"], "plan": ["pro", "  "]})
    log = read_log(events, users=users, as_of="2024-01-05")
    rates = st.use_case_rates(log, by="plan", min_exposure=1)
    assert rates.select("user", "plan").sort("user").rows() == [("a", "pro"), ("b", "(unknown)"), ("c", "(unknown)")]
    inactive = st.inactive_users(log, by="plan", days=1)  # 4 days since Jan 1 for all on Jan 5
    assert inactive.select("user", "plan").sort("user").rows() == [("a", "pro"), ("b", "(unknown)"), ("c", "(unknown)")]
    scores = st.health_score(log, by="plan", min_exposure=1)
    assert st.health_summary(scores).select("plan", "customers").rows() == [("(unknown)", 2), ("pro", 1)]


@pytest.mark.parametrize(
    ("name", "column"),
    [("frequency_spectrum", "use_case"), ("use_case_rates", "band"), ("active_users", "day"), ("retention", "period")],
)
def test_a_by_that_names_another_output_column_is_refused_with_the_fix(name: str, column: str) -> None:
    log = read_log(EVENTS, users=PEOPLE.with_columns(pl.col("plan").alias(column)))
    with pytest.raises(InvalidOptionError, match=rf"by='{column}': {name} names its segment column after by.*as by="):
        getattr(st, name)(log, **({"catalog": CATALOG} if name in ALWAYS_SEGMENTED else {}), by=column)


def test_segment_column_names_the_column() -> None:
    assert (segment_column("plan"), segment_column("persona"), segment_column(None)) == ("plan", "persona", "segment")
