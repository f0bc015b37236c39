"""The interval primitives (stickiness/intervals.py; contract: docs/intervals.md), against scipy and plain loops.

- exact intervals: scipy's binomial test on the same counts, and hand cases (x = 0, x = n, n = 0);
- the histogram bootstrap: a numpy loop that resamples an explicit per-user list (tests/reference_intervals.py),
  the same idea with other draws, so they agree to Monte Carlo error; seeded; narrower with more users;
- the monthly stickiness interval of a hand-made log.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest

from stickiness import InvalidOptionError, active_users, monthly_active_users, read_log, retention
from stickiness.intervals import (
    CONFIDENCE,
    SMALL_SAMPLE,
    bootstrap_mean_interval,
    bootstrap_ratio_interval,
    check_confidence,
    proportion_interval,
    with_proportion_interval,
)

from .conftest import NOW, frame
from .reference_intervals import bootstrap_users, exact


def test_the_defaults_are_95_percent_and_30_users() -> None:
    assert CONFIDENCE == 0.95
    assert SMALL_SAMPLE == 30


# --- exact intervals -------------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=5000),
    fraction=st.floats(min_value=0, max_value=1),
    confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_exact_interval_is_scipys(n: int, fraction: float, confidence: float) -> None:
    x = round(fraction * n)
    low, high = proportion_interval([x], [n], confidence=confidence)
    ci = binomtest(x, n).proportion_ci(confidence, method="exact")
    assert float(low[0]) == pytest.approx(ci.low, abs=1e-9)
    assert float(high[0]) == pytest.approx(ci.high, abs=1e-9)
    assert float(low[0]) <= x / n <= float(high[0])


def test_exact_interval_by_hand() -> None:
    # x = 0 of n = 10: low is 0, high = 1 - (0.025)^(1/10) = 0.3085 (the Beta(1, 10) quantile at 0.975)
    # x = n = 10: low = 0.025^(1/10) = 0.6915, high is 1; n = 0: no estimate
    low, high = proportion_interval([0, 10, 0], [10, 10, 0])
    assert float(low[0]) == 0.0
    assert float(high[0]) == pytest.approx(1 - 0.025 ** (1 / 10))
    assert float(low[1]) == pytest.approx(0.025 ** (1 / 10))
    assert float(high[1]) == 1.0
    assert math.isnan(low[2]) and math.isnan(high[2])


def test_with_proportion_interval_adds_the_columns_and_or_s_small_sample() -> None:
    table = pl.DataFrame({"x": [3, 40, 0], "n": [10, 50, 0], "small_sample": [False, True, False]})
    out = with_proportion_interval(table, "x", "n", prefix="share")
    assert out.columns == ["x", "n", "small_sample", "share_low", "share_high"]
    assert [(r["share_low"], r["share_high"]) for r in out.iter_rows(named=True)] == [
        exact(3, 10),
        exact(40, 50),
        (None, None),
    ]
    # 10 < 30: small; 50 but already small from another ratio: small; 0 trials: small
    assert out["small_sample"].to_list() == [True, True, True]


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1, True, "0.95", float("nan")])
def test_confidence_must_be_strictly_between_0_and_1(bad: object) -> None:
    with pytest.raises(InvalidOptionError, match="confidence="):
        check_confidence(bad)  # type: ignore[arg-type]


def test_every_function_with_intervals_checks_confidence() -> None:
    log = read_log(frame([("a", dt.date(2024, 1, 3), "x")]), now=NOW)
    for metric in (active_users, monthly_active_users, retention):
        with pytest.raises(InvalidOptionError, match=r"confidence=1\.5: use a number strictly between 0 and 1"):
            metric(log, confidence=1.5)


# --- the histogram bootstrap -----------------------------------------------------------------------------------


def _users(values: list[int], weights: list[int]) -> list[list[float]]:
    """The explicit per-user list a histogram stands for."""
    return [[value] for value, weight in zip(values, weights, strict=True) for _ in range(weight)]


@pytest.mark.parametrize(
    ("values", "weights", "scale"),
    [([1, 30], [50, 50], 1 / 30), ([1, 2, 5, 20], [40, 25, 20, 15], 1 / 31), ([0, 1], [70, 30], 1.0)],
)
def test_bootstrap_mean_agrees_with_a_loop_over_explicit_users(values: list[int], weights: list[int], scale: float):  # type: ignore[no-untyped-def]
    low, high = bootstrap_mean_interval(values, weights, scale=scale)
    ref_low, ref_high = bootstrap_users(_users(values, weights), lambda users: float(users[:, 0].mean() * scale))
    width = ref_high - ref_low
    # two Monte Carlo estimates of the same quantiles: within a tenth of the interval's width
    assert low == pytest.approx(ref_low, abs=0.1 * width)
    assert high == pytest.approx(ref_high, abs=0.1 * width)


@settings(max_examples=40, deadline=None)
@given(
    weights=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8).filter(lambda w: sum(w) > 0),
    seed=st.integers(min_value=0, max_value=5),
)
def test_bootstrap_mean_contains_the_mean_and_is_seeded(weights: list[int], seed: int) -> None:
    values = list(range(1, len(weights) + 1))
    mean = float(np.dot(values, weights) / sum(weights))
    low, high = bootstrap_mean_interval(values, weights, seed=seed)
    assert low <= mean + 1e-12 and mean - 1e-12 <= high
    assert (low, high) == bootstrap_mean_interval(values, weights, seed=seed)  # the same input, the same interval
    assert min(values) <= low <= high <= max(values)


def test_bootstrap_narrows_with_more_users() -> None:
    small = bootstrap_mean_interval([1, 30], [10, 10])
    large = bootstrap_mean_interval([1, 30], [1000, 1000])
    assert large[1] - large[0] < (small[1] - small[0]) / 5  # 100 x the users: about a tenth of the width


def test_bootstrap_without_users_has_no_interval() -> None:
    assert all(math.isnan(v) for v in bootstrap_mean_interval([1, 2], [0, 0]))
    assert all(math.isnan(v) for v in bootstrap_ratio_interval([0, 0, 0], [1, 0, 1], [1, 1, 0]))
    assert all(math.isnan(v) for v in bootstrap_ratio_interval([0, 0, 4], [1, 0, 1], [1, 1, 0]))  # no denominator


def test_bootstrap_ratio_agrees_with_a_loop_over_explicit_users() -> None:
    # retention: 30 retained (1, 1), 10 churned (0, 1), 5 back after a gap (1, 0): (30 + 5) / 40 = 0.875
    users = [[1, 1]] * 30 + [[0, 1]] * 10 + [[1, 0]] * 5
    low, high = bootstrap_ratio_interval([30, 10, 5], [1, 0, 1], [1, 1, 0])
    ref_low, ref_high = bootstrap_users(users, lambda u: float(u[:, 0].sum() / u[:, 1].sum()))
    assert low < 0.875 < high
    assert low == pytest.approx(ref_low, abs=0.1 * (ref_high - ref_low))
    assert high == pytest.approx(ref_high, abs=0.1 * (ref_high - ref_low))


# --- on the metrics ------------------------------------------------------------------------------------------


def test_daily_stickiness_interval_by_hand() -> None:
    # Jan 1: a, b active; Jan 3: a. MAU (7 days) 2 on each day; DAU 2, 0, 1
    events = frame([("a", dt.date(2024, 1, 1), "x"), ("b", dt.date(2024, 1, 1), "x"), ("a", dt.date(2024, 1, 3), "x")])
    out = active_users(read_log(events, now=NOW), window=7)
    assert out.select("stickiness_low", "stickiness_high", "small_sample").rows() == [
        (*exact(2, 2), True),  # 2 of 2: [0.1581, 1] (0.025^(1/2) = 0.1581)
        (*exact(0, 2), True),  # 0 of 2: [0, 0.8419]
        (*exact(1, 2), True),  # 1 of 2: [0.0126, 0.9874]
    ]
    assert exact(2, 2) == (0.1581, 1.0) and exact(0, 2) == (0.0, 0.8419)


def test_monthly_stickiness_interval_is_a_bootstrap_over_the_months_users() -> None:
    # February 2024 (29 days): 20 users active every day, 20 users active on one day
    # stickiness = (20 x 29 + 20 x 1) / 29 / 40 = 600 / 1160 = 0.5172
    days = [dt.date(2024, 2, 1) + dt.timedelta(days=d) for d in range(29)]
    rows = [(f"d{u}", day, "x") for u in range(20) for day in days] + [(f"o{u}", days[0], "x") for u in range(20)]
    out = monthly_active_users(read_log(frame(rows), now=NOW))
    row = out.row(0, named=True)
    assert row["stickiness"] == pytest.approx(600 / 1160)
    ref_low, ref_high = bootstrap_users(_users([29, 1], [20, 20]), lambda u: float(u[:, 0].mean() / 29))
    width = ref_high - ref_low
    assert row["stickiness_low"] == pytest.approx(ref_low, abs=0.1 * width)
    assert row["stickiness_high"] == pytest.approx(ref_high, abs=0.1 * width)
    assert row["small_sample"] is False  # 40 users
    again = monthly_active_users(read_log(frame(rows), now=NOW))
    assert again.equals(out)  # seeded


def test_confidence_widens_the_interval() -> None:
    events = frame([(f"u{u}", dt.date(2024, 1, 1 + u % 5), "x") for u in range(60)])
    log = read_log(events, now=NOW)
    narrow = active_users(log, window=7, confidence=0.8).row(-1, named=True)
    wide = active_users(log, window=7, confidence=0.99).row(-1, named=True)
    assert wide["stickiness_low"] < narrow["stickiness_low"] and narrow["stickiness_high"] < wide["stickiness_high"]
    assert (narrow["stickiness_low"], narrow["stickiness_high"]) == exact(narrow["dau"], narrow["mau"], 0.8)
