"""predict_forgettable: who will use a use case less than the threshold in the next 30 days."""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np
import polars as pl
import pytest

from stickiness import UsageLog, read_catalog, read_log
from stickiness.exceptions import ColumnNotFoundError, InvalidOptionError
from stickiness.models import ForgettablePrediction, ModelFitError, fit_bg_nbd, predict_forgettable, rfm_summary
from stickiness.models.forgettable import FITS_SCHEMA, SUMMARY_SCHEMA, USERS_SCHEMA

from .conftest import NOW

START, AS_OF = dt.date(2024, 1, 1), dt.date(2024, 9, 30)
CATALOG = read_catalog(pl.DataFrame({"event": ["open", "export"], "use_case": ["use", "export"]}))


@cache
def _events(n: int = 400, seed: int = 5) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A daily log of BG/NBD users: 'heavy' users about every other day, 'light' ones about monthly; 6 export."""
    rng = np.random.default_rng(seed)
    heavy = rng.random(n) < 0.4
    rate = np.where(heavy, rng.gamma(4.0, 1 / 8.0, n), rng.gamma(1.0, 1 / 30.0, n))  # uses per day
    stop = rng.beta(1.0, np.where(heavy, 600.0, 4.0))
    first = rng.integers(0, 90, n)
    horizon = (AS_OF - START).days
    users, days = [np.arange(n)], [first]
    time, going = np.zeros(n), np.ones(n, dtype=bool)
    while going.any():  # one use per loop, every user at once
        time = np.where(going, time + rng.exponential(1 / rate), time)
        day = first + np.floor(time).astype(np.int64)
        use = going & (day <= horizon)
        users.append(np.flatnonzero(use))
        days.append(day[use])
        going = use & (rng.random(n) >= stop)
    user, day = np.concatenate(users), np.concatenate(days)
    exporters = np.isin(user, np.arange(6)) & (rng.random(user.size) < 0.5)
    events = pl.DataFrame(
        {"user_id": [f"u{u:03d}" for u in user], "day": day, "event": np.where(exporters, "export", "open")}
    ).select("user_id", (pl.lit(START) + pl.duration(days=pl.col("day"))).cast(pl.Date).alias("timestamp"), "event")
    personas = pl.DataFrame({"user_id": [f"u{u:03d}" for u in range(n)], "persona": np.where(heavy, "heavy", "light")})
    return events, personas


@cache
def _log() -> UsageLog:
    events, personas = _events()
    return read_log(events, users=personas, as_of=AS_OF, now=NOW)


@cache
def _prediction() -> ForgettablePrediction:
    return predict_forgettable(_log(), CATALOG)


def test_columns_and_the_forgettable_rule() -> None:
    prediction = _prediction()
    users = prediction.users
    assert users.schema == pl.Schema(USERS_SCHEMA)
    assert prediction.summary.schema == pl.Schema(SUMMARY_SCHEMA)
    assert prediction.fits.schema == pl.Schema(FITS_SCHEMA)
    assert (prediction.as_of, prediction.horizon_days, prediction.threshold) == (AS_OF, 30, 1.0)
    predicted = users.filter(pl.col("p_alive").is_not_null())
    assert predicted["will_be_forgettable"].to_list() == (predicted["expected_rate"] < 1.0).to_list()
    assert np.allclose(predicted["expected_rate"], predicted["expected_days"])  # horizon 30: per 30 days = itself
    falls = (predicted["recent_rate"] >= 1.0) & predicted["will_be_forgettable"]
    assert predicted["will_fall_in"].to_list() == falls.to_list()
    assert predicted["p_alive"].is_between(0, 1).all() and (predicted["expected_days"] >= 0).all()


def test_recent_days_count_the_last_30_days() -> None:
    events, _ = _events()
    window = events.filter(pl.col("timestamp") > AS_OF - dt.timedelta(days=30), pl.col("event") == "open")
    by_hand = dict(window.unique(["user_id", "timestamp"]).group_by("user_id").len().iter_rows())
    users = _prediction().users.filter(pl.col("use_case") == "use")
    assert {u: d for u, d in users.select("user", "recent_days").iter_rows() if d} == by_hand


def test_predictions_are_the_public_pieces_put_together() -> None:
    prediction = _prediction()
    summary = rfm_summary(_log(), CATALOG, calibration_end=AS_OF).filter(pl.col("use_case") == "use")
    model = fit_bg_nbd(summary)
    assert prediction.models["use"].params == pytest.approx(model.params, rel=1e-9)
    users = prediction.users.filter(pl.col("use_case") == "use").sort("user")
    expected = model.conditional_expected_uses(30, summary["frequency"], summary["recency"], summary["T"])
    assert np.allclose(users["expected_days"].to_numpy(), expected, rtol=1e-9)
    assert np.allclose(
        users["p_alive"].to_numpy(), model.p_alive(summary["frequency"], summary["recency"], summary["T"])
    )


def test_summary_counts_the_users_table() -> None:
    prediction = _prediction()
    by_hand = (
        prediction.users.group_by("persona", "use_case")
        .agg(
            users=pl.len(),
            predicted=pl.col("p_alive").is_not_null().sum(),
            forgettable=pl.col("will_be_forgettable").sum(),
            falling_in=pl.col("will_fall_in").sum(),
        )
        .sort("persona", "use_case")
    )
    assert prediction.summary.select(by_hand.columns).cast(by_hand.schema).equals(by_hand)
    use = prediction.summary.filter(pl.col("use_case") == "use")
    shares = dict(use.select("persona", "forgettable_share").iter_rows())
    assert shares["heavy"] < 0.5 < shares["light"]  # the planted habits


def test_a_use_case_too_small_to_fit_is_recorded_not_fatal() -> None:
    prediction = _prediction()
    fits = {row["use_case"]: row for row in prediction.fits.iter_rows(named=True)}
    assert set(fits) == {"(any)", "export", "use"}
    assert fits["use"]["error"] is None and fits["use"]["parameters"].startswith("r=")
    assert "at least 10 customers with a repeat use" in fits["export"]["error"]
    assert set(prediction.models) == {"(any)", "use"}
    export = prediction.users.filter(pl.col("use_case") == "export")
    assert export.height == fits["export"]["users"] and export["p_alive"].null_count() == export.height
    assert export["will_be_forgettable"].null_count() == export.height
    rows = prediction.summary.filter(pl.col("use_case") == "export")
    assert rows["predicted"].sum() == 0 and rows["forgettable_share"].null_count() == rows.height
    # without a catalog there is one model: failing it is an error
    tiny = _log_of(_events()[0].filter(pl.col("event") == "export"))
    with pytest.raises(
        ModelFitError, match=r"no use case could be fitted with bg_nbd:\n- \(any\): BG/NBD needs at least"
    ):
        predict_forgettable(tiny)


def _log_of(events: pl.DataFrame) -> UsageLog:
    return read_log(events, as_of=AS_OF, now=NOW)


def test_horizon_threshold_model_and_segments() -> None:
    log = _log()
    base = _prediction().users.filter(pl.col("use_case") == "(any)")
    longer = predict_forgettable(log, horizon_days=60, threshold=2.0, by=None, model="pareto_nbd")
    users = longer.users
    assert users["segment"].unique().to_list() == ["(all)"] and users.height == base.height
    assert longer.fits["model"].to_list() == ["pareto_nbd"] and set(longer.models) == {"(any)"}
    assert np.allclose(users["expected_rate"], users["expected_days"] * 30 / 60)
    assert np.allclose(users["recent_rate"], users["recent_days"] * 30 / 60)
    assert users["will_be_forgettable"].to_list() == (users["expected_rate"] < 2.0).to_list()


def test_an_earlier_as_of_predicts_from_then() -> None:
    early = dt.date(2024, 6, 30)
    prediction = predict_forgettable(_log(), as_of=early)
    assert prediction.as_of == early
    assert (prediction.users["last_day"] <= early).all()
    first = _events()[0].group_by("user_id").agg(pl.col("timestamp").min())
    assert prediction.users.height == first.filter(pl.col("timestamp") <= early).height


def test_empty_log() -> None:
    rows = pl.DataFrame(
        {"user_id": [None], "timestamp": ["2024-01-01"], "event": ["open"]}, schema_overrides={"user_id": pl.String}
    )
    prediction = predict_forgettable(read_log(rows, now=NOW))
    assert prediction.users.height == prediction.summary.height == prediction.fits.height == 0
    assert prediction.users.schema == pl.Schema(USERS_SCHEMA)
    assert prediction.summary.schema == pl.Schema(SUMMARY_SCHEMA)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"model": "lifetimes"}, InvalidOptionError, r"model='lifetimes' is not a repeat-use model"),
        ({"horizon_days": 0}, InvalidOptionError, r"horizon_days=0: use a whole number of days >= 1"),
        ({"horizon_days": 1.5}, InvalidOptionError, r"horizon_days=1.5"),
        ({"threshold": 0}, InvalidOptionError, r"threshold=0"),
        ({"threshold": "1"}, InvalidOptionError, r"threshold='1'"),
        ({"by": "plan"}, ColumnNotFoundError, r"by='plan'"),
        ({"as_of": "2024-12-31"}, InvalidOptionError, r"calibration_end=2024-12-31 is after the log's last day"),
        ({"min_repeat_users": 0}, InvalidOptionError, r"min_repeat_users=0"),
    ],
)
def test_bad_options_are_clear_errors(options: dict[str, object], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        predict_forgettable(_log(), **options)  # type: ignore[arg-type]
