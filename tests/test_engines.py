"""Every public metric gives the same frame on polars, DuckDB and PySpark, on a 100-user demo log.

The hand-made and generated cases of each metric's own tests run on every engine too (the ``engine``
fixture); this is the one place that runs every metric of the public API on all three, on a log large
enough to have every segment, use case, band and period.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import polars as pl
import pytest

import stickiness as st
from stickiness._engine import collect
from stickiness.demo import demo_catalog, demo_events, demo_users
from stickiness.scorecards.demo import demo_accounts

from .conftest import ENGINES, NOW

USERS = 100

#: Metrics that need options to reach their segments and periods, or that take more than a log and a catalog.
#: Every other public metric of a log is compared with :func:`_default_call`, so a new metric runs here unasked.
OPTIONS: dict[str, Callable[[st.UsageLog, st.Catalog], pl.DataFrame]] = {
    "active_users": lambda log, _: st.active_users(log, by="persona", window=28),
    "monthly_active_users": lambda log, _: st.monthly_active_users(log, by="plan"),
    "range_retention": lambda log, _: st.range_retention(log, start="2026-01-01", end="2026-03-31", by="plan"),
    "cohort_matrix": lambda log, _: st.cohort_matrix(log, period="week", mode="on_or_after"),
    "lifecycle": lambda log, _: st.lifecycle(log, by="persona", signup="signup_date"),
    "new_vs_returning": lambda log, _: st.new_vs_returning(log, period="week"),
    "one_and_done": lambda log, _: st.one_and_done(log, by="persona", min_age=30),
    "power_users": lambda log, _: st.power_users(log, by="plan", window=28),
    "use_case_rates": lambda log, catalog: st.use_case_rates(log, catalog, window=60),
    "forgettable_zone": lambda log, catalog: st.forgettable_zone(log, catalog, threshold=4.0),
    "unmapped_events": lambda log, _: st.unmapped_events(log, st.read_catalog(demo_catalog().head(4))),
    "fit_matrix": lambda log, _: st.fit_matrix(demo_accounts(users=USERS), usage=log),
    "rfm_summary": lambda log, catalog: st.rfm_summary(log, catalog, calibration_end="2026-04-30", by="persona"),
    "predict_forgettable": lambda log, catalog: st.predict_forgettable(log, catalog).users,
    # an account log of the demo, its personas as accounts, by the accounts' majority plan (tests/test_accounts.py)
    "by_account": lambda log, _: st.active_users(st.by_account(log, account="persona"), by="plan"),
    # habits over time: weekly ends, a short window so that bands move; time to the daily band
    "habit_mix": lambda log, catalog: st.habit_mix(log, catalog, period="week", window=30, min_exposure=7),
    "time_to_habit": lambda log, catalog: st.time_to_habit(log, catalog, band="daily", window=30),
}


def _default_call(function: Callable[..., pl.DataFrame]) -> Callable[[st.UsageLog, st.Catalog], pl.DataFrame]:
    """Call ``function`` on the log, with the catalog when it takes one and ``by="persona"`` when it takes ``by``."""
    parameters = inspect.signature(function).parameters

    def call(log: st.UsageLog, catalog: st.Catalog) -> pl.DataFrame:
        arguments = (log, catalog) if "catalog" in parameters else (log,)
        return function(*arguments, **({"by": "persona"} if "by" in parameters else {}))

    return call


def _takes_a_log(function: Any) -> bool:
    """A metric of a usage log: its data is the log, or it takes one as ``usage`` (not only for segments)."""
    if not callable(function):
        return False
    parameters = list(inspect.signature(function).parameters.values())
    first = parameters[0] if parameters else None
    return (first is not None and "UsageLog" in str(first.annotation)) or any(p.name == "usage" for p in parameters)


def _metrics() -> dict[str, Callable[[st.UsageLog, st.Catalog], pl.DataFrame]]:
    """Every public function that takes a usage log, called with its :data:`OPTIONS` or :func:`_default_call`."""
    public = sorted(name for name in st.__all__ if not isinstance(getattr(st, name), type))
    return {
        name: OPTIONS.get(name) or _default_call(getattr(st, name))
        for name in public
        if _takes_a_log(getattr(st, name))
    }


METRICS = _metrics()


def test_every_public_metric_on_a_log_is_compared() -> None:
    assert set(OPTIONS) <= set(METRICS)  # no stale entry
    # by hand: the families of docs/metrics.md, so that a metric the introspection missed fails here
    families = {"active_users", "retention", "use_case_map", "dormancy", "feature_adoption", "health_score"}
    families |= {"power_users", "power_users_by_use_case"}
    families |= {"habit_mix", "band_migration", "time_to_habit"}
    assert families <= set(METRICS)


def test_every_metric_is_identical_on_every_engine(spark: Any) -> None:
    pytest.importorskip("duckdb", reason="duckdb is an optional engine: pip install 'stickiness[duckdb]'")
    events, users = demo_events(users=USERS), demo_users(users=USERS)
    catalog = st.read_catalog(demo_catalog())
    logs = {engine: st.read_log(events, users=users, engine=engine, now=NOW) for engine in ENGINES}
    for name, metric in METRICS.items():
        on_polars = metric(logs["polars"], catalog)
        assert on_polars.height > 0, name
        for engine in ENGINES[1:]:
            out = metric(logs[engine], catalog)
            assert on_polars.equals(out), (name, engine, on_polars, out)


def test_a_spark_frame_reads_like_the_polars_frame(spark: Any) -> None:
    events, users = demo_events(users=USERS), demo_users(users=USERS)
    on_polars = st.read_log(events, users=users, now=NOW)
    on_spark = st.read_log(spark.createDataFrame(events.to_arrow()), users=users, engine="pyspark", now=NOW)
    assert on_spark.ledger == on_polars.ledger
    keys = ["user", "day", "event"]
    # the activity table stays in Spark: collected here only to compare
    schema = {"user": on_spark.user_dtype, "day": pl.Date(), "event": pl.String(), "events": pl.Int64()}
    assert isinstance(on_polars.activity, pl.DataFrame) and not isinstance(on_spark.activity, pl.DataFrame)
    assert collect(on_spark.activity, schema).sort(keys).equals(on_polars.activity.sort(keys))
    assert (on_spark.first_day, on_spark.as_of) == (on_polars.first_day, on_polars.as_of)


# --- account logs (docs/accounts.md): the demo's users in accounts of four, one user in ten without one ----------

#: Metrics on an account log, by an account-level column: active users, the spectrum, retention and more.
ACCOUNT_METRICS: dict[str, Callable[[st.UsageLog], pl.DataFrame]] = {
    "active_users": lambda log: st.active_users(log, by="plan", window=28),
    "frequency_spectrum": lambda log: st.frequency_spectrum(log, by="persona"),
    "retention": lambda log: st.retention(log, by="persona", period="week"),
    "power_users": lambda log: st.power_users(log, by="plan"),
    "growth_states": lambda log: st.growth_states(log, by="plan", start="2026-05-01"),
    "cohort_matrix": lambda log: st.cohort_matrix(log, period="month"),
    "inactive_users": lambda log: st.inactive_users(log, by="plan"),
}


def _account_users() -> pl.DataFrame:
    """The demo's users table with ``account``: four users a company, every tenth user with none."""
    index = pl.int_range(pl.len())
    account = pl.when(index % 10 == 9).then(None).otherwise(pl.format("acct{}", index // 4))
    return demo_users(users=USERS).with_columns(account.alias("account"))


def test_account_logs_are_identical_on_every_engine(spark: Any) -> None:
    pytest.importorskip("duckdb", reason="duckdb is an optional engine: pip install 'stickiness[duckdb]'")
    events, users = demo_events(users=USERS), _account_users()
    logs = {engine: st.by_account(st.read_log(events, users=users, engine=engine, now=NOW)) for engine in ENGINES}
    for engine in ENGINES[1:]:
        assert logs[engine].ledger == logs["polars"].ledger, engine
        assert logs[engine].users is not None and logs[engine].users.equals(logs["polars"].users), engine
    assert logs["polars"].ledger.set_aside["no_account"] > 0 and logs["polars"].ledger.balanced
    for name, metric in ACCOUNT_METRICS.items():
        on_polars = metric(logs["polars"])
        assert on_polars.height > 0, name
        for engine in ENGINES[1:]:
            out = metric(logs[engine])
            assert on_polars.equals(out), (name, engine, on_polars, out)


#: The metrics that cut days into weeks or depend on each day's date, for the users' own calendars below.
CALENDAR_METRICS = ("active_users", "retention", "cohort_matrix", "lifecycle", "new_vs_returning", "power_users")


def test_each_users_own_calendar_is_identical_on_every_engine(spark: Any) -> None:
    # users in four zones (and some with none: tz), Sunday weeks: the days and weeks agree on every engine,
    # and the zones move some days (the demo's times are instants)
    pytest.importorskip("duckdb", reason="duckdb is an optional engine: pip install 'stickiness[duckdb]'")
    events, users = demo_events(users=USERS), demo_users(users=USERS)
    zones = ["America/New_York", "Europe/Berlin", "Asia/Kolkata", "Pacific/Auckland", None]
    users = users.with_columns(tz=pl.Series([zones[i % len(zones)] for i in range(users.height)]))
    catalog = st.read_catalog(demo_catalog())
    logs = {engine: st.read_log(events, users=users, engine=engine, now=NOW, week_start="sunday") for engine in ENGINES}
    plain = st.read_log(events, users=users, now=NOW, user_tz=None)
    assert isinstance(plain.activity, pl.DataFrame) and isinstance(logs["polars"].activity, pl.DataFrame)
    assert not plain.activity.sort("user", "day", "event").equals(logs["polars"].activity.sort("user", "day", "event"))
    for name in CALENDAR_METRICS:
        on_polars = METRICS[name](logs["polars"], catalog)
        assert on_polars.height > 0, name
        for engine in ENGINES[1:]:
            out = METRICS[name](logs[engine], catalog)
            assert on_polars.equals(out), (name, engine, on_polars, out)
    weeks = st.cohort_matrix(logs["polars"], period="week")["cohort"].unique()
    assert (weeks.dt.weekday() == 7).all()  # every weekly cohort starts on a Sunday (ISO weekday 7)
    spark_log = st.read_log(spark.createDataFrame(events.to_arrow()), users=users, engine="pyspark", now=NOW)
    schema = {"user": spark_log.user_dtype, "day": pl.Date(), "event": pl.String(), "events": pl.Int64()}
    keys = ["user", "day", "event"]
    assert collect(spark_log.activity, schema).sort(keys).equals(logs["polars"].activity.sort(keys))
