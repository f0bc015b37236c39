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

#: The calls that need more than the log (and the catalog, for a function that takes one) and `by`: small
#: minimums so that every segment has rows, or other inputs. Every other public function taking `by` is called
#: with :func:`_default_call`, so a new metric is checked here unasked.
OPTIONS: dict[str, Call] = {
    "retention": lambda by: st.retention(LOG, by=by, min_users=1),
    "range_retention": lambda by: st.range_retention(
        LOG, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31), by=by, min_users=1
    ),
    "use_case_map": lambda by: st.use_case_map(LOG, CATALOG, by=by, min_users=3),
    "forgettable_zone": lambda by: st.forgettable_zone(LOG, CATALOG, by=by, min_users=3),
    "drifting_users": lambda by: st.drifting_users(LOG, CATALOG, by=by, window=30, min_exposure=10),
    "where_users_leave": lambda by: st.where_users_leave(LOG, CATALOG, by=by, limit=30, window=60),
    "health_score": lambda by: st.health_score(LOG, CATALOG, by=by, min_exposure=10),
    "nps": lambda by: st.nps(RESPONSES, by=by, users=LOG, min_responses=1),
    "lifetime_value": lambda by: st.lifetime_value(PAYMENTS, time="paid_on", by=by, users=LOG),
    "lifetime_value_summary": lambda by: st.lifetime_value_summary(
        st.lifetime_value(PAYMENTS, time="paid_on", by=by, users=LOG), by=by
    ),
    "predict_forgettable": lambda by: st.predict_forgettable(LOG, CATALOG, by=by, min_repeat_users=3),
}


def _default_call(name: str) -> Call:
    """Call ``stickiness.NAME`` on the log, with the catalog when it takes one, and ``by``."""
    function = getattr(st, name)
    takes_catalog = "catalog" in inspect.signature(function).parameters
    return lambda by: function(LOG, *([CATALOG] if takes_catalog else []), by=by)


#: Public functions taking `by` that compute no table from a log: they word tables already computed.
NOT_METRICS = {"chart_headline"}


def _takes_by() -> set[str]:
    names = set()
    for name in set(st.__all__) - NOT_METRICS:
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


#: One call per public function taking `by`.
CALLS: dict[str, Call] = {name: OPTIONS.get(name) or _default_call(name) for name in sorted(_takes_by())}
#: The outputs a segment-free call (``by=None``) still gives one row per segment, every user in "(all)": the
#: families whose `by` defaults to "persona" (docs/metrics.md, Segments).
ALWAYS_SEGMENTED = {
    name for name in CALLS if inspect.signature(getattr(st, name)).parameters["by"].default == "persona"
}


def test_every_public_function_with_by_is_checked_here() -> None:
    assert set(OPTIONS) <= set(CALLS)  # no stale entry
    # by hand, one function of each family, so that a failure of the introspection fails here
    assert {"active_users", "retention", "use_case_map", "inactive_users", "health_score", "nps"} <= set(CALLS)
    assert {"use_case_map", "inactive_users", "health_score"} <= ALWAYS_SEGMENTED
    assert not {"active_users", "retention", "nps"} & ALWAYS_SEGMENTED


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
