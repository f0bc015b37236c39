"""The repeat-use models: CDNOW published results, a plain-Python reference, simulation, and clear errors."""

from __future__ import annotations

import datetime as dt
import math
import re
import subprocess
import sys
from functools import cache

import numpy as np
import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from stickiness import read_log
from stickiness.exceptions import ColumnNotFoundError, InvalidOptionError, InvalidValueError
from stickiness.models import (
    BGNBDModel,
    GammaGammaModel,
    ModelFitError,
    ParetoNBDModel,
    fit_bg_nbd,
    fit_gamma_gamma,
    fit_pareto_nbd,
    rfm_summary,
)
from stickiness.models.bg_nbd import _integrated as beta_integral
from stickiness.models.bg_nbd import _uses_if_alive as uses_if_alive
from stickiness.models.bg_nbd import bg_nbd_log_likelihood, bg_nbd_score
from stickiness.models.gamma_gamma import gamma_gamma_log_likelihood
from stickiness.models.pareto_nbd import _log_stopped_integral as log_stopped_integral
from stickiness.models.pareto_nbd import _log_terms as pareto_log_terms
from stickiness.models.pareto_nbd import pareto_nbd_log_likelihood

from . import reference_models as ref
from .conftest import NOW, SHARED

CDNOW_DIR = SHARED / "data" / "cdnow"
CDNOW_SAMPLE = CDNOW_DIR / "CDNOW_sample.txt"
CDNOW_SUMMARY = CDNOW_DIR / "cdnow_customers_summary.csv"
needs_cdnow = pytest.mark.skipif(
    not CDNOW_SAMPLE.exists(), reason=f"the CDNOW sample is not at {CDNOW_SAMPLE} (shared data not mounted)"
)
CALIBRATION_END = dt.date(1997, 9, 30)

# Fader, Hardie & Lee (2005), "Counting your customers the easy way", Marketing Science 24(2), Table 1 (BG/NBD),
# and the Pareto/NBD estimates they report for the same data; Fader, Hardie & Lee (2005), "RFM and CLV",
# JMR 42(4) (Gamma-Gamma). Parameters to 3 decimals (Gamma-Gamma to 2), log-likelihoods to 0.1.
PUBLISHED_BG_NBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_BG_NBD_LL = -9582.4
PUBLISHED_PARETO_NBD = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
PUBLISHED_PARETO_NBD_LL = -9595.0
PUBLISHED_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "gamma": 15.44}


# --- CDNOW: the published results ----------------------------------------------------------------------------


@cache
def _cdnow_rows() -> pl.DataFrame:
    """CDNOW_sample.txt as a frame: one row per purchase (several per customer and day are kept)."""
    text = re.sub(r"[ \t]+", ",", re.sub(r"^[ \t]+", "", CDNOW_SAMPLE.read_text(), flags=re.M))
    return pl.read_csv(
        text.encode(),
        has_header=False,
        new_columns=["master_id", "customer_id", "date", "cds", "dollar_value"],
        schema_overrides={"date": pl.String},
    )


@cache
def _cdnow_summary(engine: str = "polars") -> pl.DataFrame:
    rows = _cdnow_rows()
    log = read_log(rows, user="customer_id", time="date", event=None, engine=engine, now=NOW)
    return rfm_summary(log, calibration_end=CALIBRATION_END, unit_days=7, revenue=rows, revenue_column="dollar_value")


@needs_cdnow
@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_rfm_summary_rebuilds_the_cdnow_summary_csv(engine: str) -> None:
    if engine == "duckdb":
        pytest.importorskip("duckdb", reason="duckdb is an optional engine: pip install 'stickiness[duckdb]'")
    ours = _cdnow_summary(engine)
    published = pl.read_csv(CDNOW_SUMMARY)
    assert ours.height == published.height == 2357
    rebuilt = ours.select(
        pl.col("user").alias("ID"), "frequency", pl.col("recency").round(2), pl.col("T").round(2)
    ).sort("ID")
    assert rebuilt.equals(published.sort("ID"))
    # 6,919 purchases on 6,696 distinct customer days; 946 customers bought again in the calibration period
    assert int((ours["frequency"] > 0).sum()) == 946
    assert ours.filter(pl.col("frequency") == 0)["monetary_value"].null_count() == ours.height - 946


@needs_cdnow
def test_bg_nbd_reproduces_the_published_cdnow_fit() -> None:
    model = fit_bg_nbd(_cdnow_summary())
    assert {k: round(v, 3) for k, v in model.params.items()} == PUBLISHED_BG_NBD
    assert round(model.log_likelihood, 1) == PUBLISHED_BG_NBD_LL
    assert model.n == 2357
    # the csv (recency and T rounded to 0.01 week) gives the same estimates
    from_csv = fit_bg_nbd(pl.read_csv(CDNOW_SUMMARY))
    assert {k: round(v, 3) for k, v in from_csv.params.items()} == PUBLISHED_BG_NBD
    assert round(from_csv.log_likelihood, 1) == PUBLISHED_BG_NBD_LL


@needs_cdnow
def test_pareto_nbd_reproduces_the_published_cdnow_fit() -> None:
    model = fit_pareto_nbd(_cdnow_summary())
    assert {k: round(v, 3) for k, v in model.params.items()} == PUBLISHED_PARETO_NBD
    assert round(model.log_likelihood, 1) == PUBLISHED_PARETO_NBD_LL
    assert model.n == 2357


@needs_cdnow
def test_gamma_gamma_reproduces_the_published_cdnow_fit() -> None:
    summary = _cdnow_summary()
    model = fit_gamma_gamma(summary)
    assert {k: round(v, 2) for k, v in model.params.items()} == PUBLISHED_GAMMA_GAMMA
    assert model.n == 946
    repeat = summary.filter(pl.col("frequency") > 0)
    assert round(float(repeat["monetary_value"].mean()), 2) == 35.08  # the mean of the 946 mean repeat spends


@needs_cdnow
def test_cdnow_predictions_for_customer_1() -> None:
    # customer 1: x = 2 repeat purchases, the last at 30.43 weeks, T = 38.86 weeks; the next 39 weeks
    summary = _cdnow_summary()
    assert summary.filter(pl.col("user") == 1).select("frequency", pl.col("recency", "T").round(2)).row(0) == (
        2,
        30.43,
        38.86,
    )
    model = fit_bg_nbd(summary)
    assert round(float(model.conditional_expected_uses(39, 2, 30.43, 38.86)), 3) == 1.226
    assert round(float(model.p_alive(2, 30.43, 38.86)), 3) == 0.727


@needs_cdnow
def test_the_time_unit_only_rescales_alpha() -> None:
    # the same log in days: r, a, b unchanged, alpha x 7; the log-likelihood shifts by -(sum of x) log 7
    weeks = _cdnow_summary()
    rows = _cdnow_rows()
    log = read_log(rows, user="customer_id", time="date", event=None, now=NOW)
    days = rfm_summary(log, calibration_end=CALIBRATION_END)
    in_weeks, in_days = fit_bg_nbd(weeks), fit_bg_nbd(days)
    for name in ("r", "a", "b"):
        assert in_days.params[name] == pytest.approx(in_weeks.params[name], rel=1e-5)
    assert in_days.alpha == pytest.approx(7 * in_weeks.alpha, rel=1e-5)
    shift = -float(weeks["frequency"].sum()) * math.log(7)
    assert in_days.log_likelihood == pytest.approx(in_weeks.log_likelihood + shift, abs=1e-4)
    assert np.allclose(
        in_days.conditional_expected_uses(91, days["frequency"], days["recency"], days["T"]),
        in_weeks.conditional_expected_uses(13, weeks["frequency"], weeks["recency"], weeks["T"]),
        rtol=1e-4,
    )


@needs_cdnow
def test_cdnow_clv_is_expected_uses_times_expected_value() -> None:
    summary = _cdnow_summary()
    bg, gg = fit_bg_nbd(summary), fit_gamma_gamma(summary)
    predicted = gg.predict(summary, bg, horizon=52)
    expected = predicted["expected_uses"] * predicted["expected_value"]
    assert np.allclose(predicted["clv"].to_numpy(), expected.to_numpy(), rtol=1e-9)
    discounted = gg.clv(bg, summary, horizon=52, discount_rate=0.01, step=4)
    assert np.all(discounted < predicted["clv"].to_numpy()) and np.all(discounted > 0)
    # customers without a repeat purchase are valued at the population mean spend
    zero = predicted.filter(pl.col("frequency") == 0)["expected_value"].unique()
    assert zero.len() == 1 and zero[0] == pytest.approx(gg.population_mean)


# --- the likelihoods against a plain-Python reference ----------------------------------------------------------

_HISTORIES = [(0, 0.0, 5.0), (0, 0.0, 38.86), (1, 1.71, 38.86), (2, 30.43, 38.86), (7, 12.5, 20.0), (3, 4.0, 4.0)]
_HISTORIES += [(5, 33.3, 35.0), (12, 2.2, 50.0), (1, 0.5, 9.0)]


def _arrays(histories: list[tuple[int, float, float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return tuple(np.array(column, dtype=float) for column in zip(*histories, strict=True))  # type: ignore[return-value]


@pytest.mark.parametrize("params", [(0.243, 4.414, 0.793, 2.426), (2.0, 0.5, 1.7, 0.3), (0.05, 30.0, 12.0, 40.0)])
def test_bg_nbd_matches_the_plain_python_reference(params: tuple[float, float, float, float]) -> None:
    x, tx, t_cal = _arrays(_HISTORIES)
    ours = bg_nbd_log_likelihood(*params, x, tx, t_cal)
    model = BGNBDModel(*params, log_likelihood=0.0, n=0)
    alive, future = model.p_alive(x, tx, t_cal), model.conditional_expected_uses(13.0, x, tx, t_cal)
    for i, (xi, txi, ti) in enumerate(_HISTORIES):
        assert ours[i] == pytest.approx(ref.bg_nbd_ll(*params, xi, txi, ti), rel=1e-12)
        assert alive[i] == pytest.approx(ref.bg_nbd_p_alive(*params, xi, txi, ti), rel=1e-12)
        assert future[i] == pytest.approx(ref.bg_nbd_conditional(*params, xi, txi, ti, 13.0), rel=1e-9)


@pytest.mark.parametrize(
    "params",
    [(0.553, 10.578, 0.606, 11.669), (0.8, 12.0, 0.5, 3.0), (1.5, 2.0, 2.5, 2.0), (0.3, 1.0, 1.2, 40.0)],
    ids=["cdnow (alpha < beta)", "alpha > beta", "alpha = beta", "beta >> alpha"],
)
def test_pareto_nbd_matches_the_plain_python_reference(params: tuple[float, float, float, float]) -> None:
    x, tx, t_cal = _arrays(_HISTORIES)
    ours = pareto_nbd_log_likelihood(*params, x, tx, t_cal)
    model = ParetoNBDModel(*params, log_likelihood=0.0, n=0)
    alive, future = model.p_alive(x, tx, t_cal), model.conditional_expected_uses(13.0, x, tx, t_cal)
    for i, (xi, txi, ti) in enumerate(_HISTORIES):
        assert ours[i] == pytest.approx(ref.pareto_nbd_ll(*params, xi, txi, ti), rel=1e-10)
        assert alive[i] == pytest.approx(ref.pareto_nbd_p_alive(*params, xi, txi, ti), rel=1e-9)
        assert future[i] == pytest.approx(ref.pareto_nbd_conditional(*params, xi, txi, ti, 13.0), rel=1e-9)


@pytest.mark.parametrize("params", [(0.243, 4.414, 0.793, 2.426), (2.0, 0.5, 1.7, 0.3), (0.5, 60.0, 200.0, 3000.0)])
def test_bg_nbd_score_is_the_gradient_of_the_likelihood(params: tuple[float, float, float, float]) -> None:
    x, tx, t_cal = _arrays(_HISTORIES)
    score = bg_nbd_score(*params, x, tx, t_cal)
    for i in range(4):
        h = params[i] * 1e-4
        up, down = list(params), list(params)
        up[i] += h
        down[i] -= h
        by_difference = (bg_nbd_log_likelihood(*up, x, tx, t_cal) - bg_nbd_log_likelihood(*down, x, tx, t_cal)) / (
            2 * h
        )
        assert np.allclose(score[:, i], by_difference, rtol=1e-5, atol=1e-7), i


def test_gamma_gamma_matches_the_plain_python_reference() -> None:
    x, m = np.array([1.0, 2.0, 5.0, 14.0]), np.array([11.77, 22.345, 40.0, 18.2])
    for params in [(6.25, 3.74, 15.44), (0.7, 1.3, 200.0)]:
        ours = gamma_gamma_log_likelihood(*params, x, m)
        for i in range(x.size):
            assert ours[i] == pytest.approx(ref.gamma_gamma_ll(*params, int(x[i]), float(m[i])), rel=1e-12)


def test_fitted_log_likelihood_is_the_sum_over_customers() -> None:
    rng = np.random.default_rng(3)
    summary = _simulate_bg_nbd(rng, 300, r=0.5, alpha=6.0, a=0.8, b=2.5, t_cal=rng.uniform(20, 60, 300))[0]
    model = fit_bg_nbd(summary)
    by_hand = sum(ref.bg_nbd_ll(*model.params.values(), int(x), tx, t) for x, tx, t in summary.iter_rows())
    assert model.log_likelihood == pytest.approx(by_hand, rel=1e-12)
    # and it is a maximum: moving any parameter by 1% lowers it
    for name in model.params:
        for factor in (0.99, 1.01):
            moved = dict(model.params) | {name: model.params[name] * factor}
            total = sum(ref.bg_nbd_ll(*moved.values(), int(x), tx, t) for x, tx, t in summary.iter_rows())
            assert total < model.log_likelihood


# --- properties ---------------------------------------------------------------------------------------------

BG = BGNBDModel(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=-9582.4, n=2357)
PNBD = ParetoNBDModel(r=0.553, alpha=10.578, s=0.606, beta=11.669, log_likelihood=-9595.0, n=2357)


@settings(max_examples=80, deadline=None)
# t_x one rounding below T: the Pareto/NBD's numerical integral has no room for its change of variable
@example(shape=1.0, scale=1.0, first=1.0, second=1.0, x=1, share=0.9999999999999999, t_cal=1.0, horizon=0.0)
@given(
    shape=st.floats(0.05, 5.0),
    scale=st.floats(0.5, 60.0),
    first=st.floats(0.1, 8.0),
    second=st.floats(0.1, 30.0),
    x=st.integers(0, 60),
    share=st.floats(0.0, 1.0),
    t_cal=st.floats(0.5, 120.0),
    horizon=st.floats(0.0, 120.0),
)
def test_predictions_are_probabilities_and_growing_counts(
    shape: float, scale: float, first: float, second: float, x: int, share: float, t_cal: float, horizon: float
) -> None:
    tx = share * t_cal if x else 0.0
    for model in (
        BGNBDModel(shape, scale, first, second, 0.0, 0),
        ParetoNBDModel(shape, scale, first, second, 0.0, 0),
    ):
        alive = float(model.p_alive(x, tx, t_cal))
        assert 0 <= alive <= 1
        now, later = model.conditional_expected_uses([horizon, horizon + 10], x, tx, t_cal)
        assert 0 <= now <= later
        # no more than an alive user's expected rate (r + x) / (alpha + T) all the way: stopping only lowers it
        assert now <= alive * (shape + x) / (scale + t_cal) * horizon * (1 + 1e-9) + 1e-12


def test_numerical_fallbacks_agree_with_the_closed_forms() -> None:
    # where scipy's 2F1 falls outside the bounds a value must respect, the kit integrates numerically instead
    rng = np.random.default_rng(1)
    x = rng.integers(0, 40, 300).astype(float)
    t_cal = rng.uniform(1, 80, 300)
    tx = np.where(x > 0, t_cal * rng.random(300), 0.0)
    for params in [(0.553, 10.578, 0.606, 11.669), (0.8, 12.0, 0.5, 3.0), (0.2, 1.0, 0.6, 500.0)]:
        _, _, closed = pareto_log_terms(*params, x, tx, t_cal)
        inside = tx < t_cal
        assert np.allclose(closed[inside], log_stopped_integral(*params, x, tx, t_cal)[inside], atol=5e-5, rtol=0)
    for r, alpha, a, b in [(0.243, 4.414, 0.793, 2.426), (2.0, 0.5, 1.7, 0.3), (0.5, 60.0, 200.0, 3000.0)]:
        for t in (5.0, 39.0, 200.0):
            horizon = np.full_like(t_cal, t)
            closed = uses_if_alive(r, alpha, a, b, x, t_cal, horizon)
            integrated = beta_integral(a, b + x, horizon / (alpha + t_cal), r + x)
            assert np.allclose(integrated, closed, rtol=2e-3, atol=0)


def test_extreme_parameters_give_finite_bounded_predictions() -> None:
    rng = np.random.default_rng(0)
    for _ in range(150):
        shape, scale = np.exp(rng.uniform(np.log(0.02), np.log(50))), np.exp(rng.uniform(np.log(0.1), np.log(1000)))
        first, second = np.exp(rng.uniform(np.log(0.02), np.log(1e4))), np.exp(rng.uniform(np.log(0.02), np.log(1e5)))
        x = rng.integers(0, 600, 20).astype(float)
        t_cal = rng.uniform(0.5, 600, 20)
        tx = np.where(x > 0, t_cal * rng.random(20), 0.0)
        horizon = rng.uniform(0, 400)
        for model in (
            BGNBDModel(shape, scale, first, second, 0.0, 0),
            ParetoNBDModel(shape, scale, first, second, 0.0, 0),
        ):
            alive = model.p_alive(x, tx, t_cal)
            expected = model.conditional_expected_uses(horizon, x, tx, t_cal)
            assert np.all((alive >= 0) & (alive <= 1)), model
            assert np.all(expected >= 0), model
            assert np.all(expected <= alive * (shape + x) / (scale + t_cal) * horizon * (1 + 1e-6) + 1e-9), model


def test_bg_nbd_customers_without_repeat_use_are_alive() -> None:
    t_cal = np.linspace(0, 80, 9)
    assert np.array_equal(BG.p_alive(np.zeros(9), np.zeros(9), t_cal), np.ones(9))


@pytest.mark.parametrize("model", [BG, PNBD], ids=["bg_nbd", "pareto_nbd"])
def test_monotonic_properties(model: BGNBDModel | ParetoNBDModel) -> None:
    recency = np.linspace(0.5, 38.86, 40)
    # a more recent last use: more likely alive, more uses expected
    assert np.all(np.diff(model.p_alive(3, recency, 38.86)) > 0)
    assert np.all(np.diff(model.conditional_expected_uses(30, 3, recency, 38.86)) > 0)
    # longer silence since the last use (growing T): less likely alive
    assert np.all(np.diff(model.p_alive(3, 10.0, np.linspace(10, 80, 30))) < 0)
    # expected uses grow with the horizon, from 0, and less than linearly (drop-out)
    horizons = np.linspace(0, 200, 41)
    new = model.expected_uses(horizons)
    assert new[0] == 0 and np.all(np.diff(new) > 0) and np.all(np.diff(new, 2) < 0)
    future = model.conditional_expected_uses(horizons, 4, 30.0, 38.86)
    assert future[0] == 0 and np.all(np.diff(future) > 0)
    alive = model.p_alive(*_arrays(_HISTORIES))
    assert np.all((alive >= 0) & (alive <= 1))


def test_pareto_nbd_at_s_equal_to_one_is_the_limit() -> None:
    near = [
        float(ParetoNBDModel(0.5, 10.0, s, 12.0, 0.0, 0).conditional_expected_uses(26, 2, 20.0, 38.0))
        for s in (1 - 1e-6, 1.0, 1 + 1e-6)
    ]
    assert near[1] == pytest.approx(near[0], rel=1e-5) and near[1] == pytest.approx(near[2], rel=1e-5)


def test_bg_nbd_at_a_equal_to_one_is_the_limit() -> None:
    near = [
        float(BGNBDModel(0.5, 10.0, a, 3.0, 0.0, 0).conditional_expected_uses(26, 2, 20.0, 38.0))
        for a in (1 - 1e-5, 1.0, 1 + 1e-5)
    ]
    assert near[1] == pytest.approx(near[0], rel=1e-4) and near[1] == pytest.approx(near[2], rel=1e-4)


# --- simulation: the models describe the data they generate, and fits recover the parameters ---------------------


def _simulate_bg_nbd(
    rng: np.random.Generator, n: int, *, r: float, alpha: float, a: float, b: float, t_cal: np.ndarray, t: float = 0.0
) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
    """BG/NBD customers: the calibration summary, uses in (T, T + t], and whether alive at T."""
    rate, stop = rng.gamma(r, 1 / alpha, n), rng.beta(a, b, n)
    time, x, tx, later = np.zeros(n), np.zeros(n, dtype=np.int64), np.zeros(n), np.zeros(n, dtype=np.int64)
    dropped_at = np.full(n, np.inf)
    going = np.ones(n, dtype=bool)
    while going.any():  # one use per loop, every customer at once
        time = np.where(going, time + rng.exponential(1 / rate), time)
        use = going & (time <= t_cal + t)
        calibration = use & (time <= t_cal)
        x += calibration
        tx = np.where(calibration, time, tx)
        later += use & (time > t_cal)
        stops = use & (rng.random(n) < stop)
        dropped_at = np.where(stops, time, dropped_at)
        going = use & ~stops
    summary = pl.DataFrame({"frequency": x, "recency": tx, "T": t_cal})
    return summary, later, dropped_at > t_cal


def _simulate_pareto_nbd(
    rng: np.random.Generator,
    n: int,
    *,
    r: float,
    alpha: float,
    s: float,
    beta: float,
    t_cal: np.ndarray,
    t: float = 0.0,
) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
    """Pareto/NBD customers: the calibration summary, uses in (T, T + t], and whether alive at T."""
    rate, death = rng.gamma(r, 1 / alpha, n), rng.exponential(1 / rng.gamma(s, 1 / beta, n))
    life = np.minimum(death, t_cal)
    x = rng.poisson(rate * life)
    tx = np.where(x > 0, life * rng.beta(np.maximum(x, 1), 1), 0.0)  # the last of x uniform times
    later = rng.poisson(rate * np.clip(np.minimum(death, t_cal + t) - t_cal, 0, None))
    return pl.DataFrame({"frequency": x, "recency": tx, "T": t_cal}), later, death > t_cal


@pytest.mark.parametrize(
    ("simulate", "model"),
    [(_simulate_bg_nbd, BG), (_simulate_pareto_nbd, PNBD)],
    ids=["bg_nbd", "pareto_nbd"],
)
def test_conditional_predictions_average_to_what_happens(simulate: object, model: BGNBDModel | ParetoNBDModel) -> None:
    # E over customers of E[uses in (T, T + t] | history] = E[uses in (T, T + t]], and the same for P(alive):
    # checks the conditional formulas against simulated futures, with the true parameters.
    rng = np.random.default_rng(7)
    n, t = 40_000, 39.0
    t_cal = rng.uniform(5, 60, n)
    summary, later, alive = simulate(rng, n, **model.params, t_cal=t_cal, t=t)  # type: ignore[operator]
    x, tx, big_t = (summary[c].to_numpy() for c in ("frequency", "recency", "T"))
    predicted = model.conditional_expected_uses(t, x, tx, big_t)
    assert abs(predicted.mean() - later.mean()) < 4 * later.std() / math.sqrt(n)
    p_alive = model.p_alive(x, tx, big_t)
    assert abs(p_alive.mean() - alive.mean()) < 4 * math.sqrt(0.25 / n)
    # unconditional: new customers (T = 0) over t
    _, fresh_later, _ = simulate(rng, n, **model.params, t_cal=np.zeros(n), t=t)  # type: ignore[operator]
    assert abs(float(model.expected_uses(t)) - fresh_later.mean()) < 4 * fresh_later.std() / math.sqrt(n)


# chi-square(4) 99.9% quantile: 2 (LL at the estimate - LL at the truth) stays below it unless the fit is wrong
_CHI2_4_999 = 18.467


def test_bg_nbd_fit_recovers_simulated_parameters() -> None:
    truth = {"r": 0.5, "alpha": 6.0, "a": 0.8, "b": 2.5}
    rng = np.random.default_rng(11)
    summary, _, _ = _simulate_bg_nbd(rng, 4000, **truth, t_cal=rng.uniform(20, 60, 4000))
    model = fit_bg_nbd(summary)
    x, tx, t_cal = (summary[c].to_numpy().astype(float) for c in ("frequency", "recency", "T"))
    at_truth = float(bg_nbd_log_likelihood(*truth.values(), x, tx, t_cal).sum())
    assert 0 <= 2 * (model.log_likelihood - at_truth) < _CHI2_4_999
    for name, tolerance in {"r": 0.15, "alpha": 0.15, "a": 0.35, "b": 0.35}.items():
        assert model.params[name] == pytest.approx(truth[name], rel=tolerance), name


def test_pareto_nbd_fit_recovers_simulated_parameters() -> None:
    truth = {"r": 0.5, "alpha": 6.0, "s": 0.6, "beta": 10.0}
    rng = np.random.default_rng(12)
    summary, _, _ = _simulate_pareto_nbd(rng, 4000, **truth, t_cal=rng.uniform(20, 60, 4000))
    model = fit_pareto_nbd(summary)
    x, tx, t_cal = (summary[c].to_numpy().astype(float) for c in ("frequency", "recency", "T"))
    at_truth = float(pareto_nbd_log_likelihood(*truth.values(), x, tx, t_cal).sum())
    assert 0 <= 2 * (model.log_likelihood - at_truth) < _CHI2_4_999
    for name, tolerance in {"r": 0.15, "alpha": 0.15, "s": 0.35, "beta": 0.35}.items():
        assert model.params[name] == pytest.approx(truth[name], rel=tolerance), name


def test_gamma_gamma_fit_recovers_simulated_parameters() -> None:
    truth = {"p": 6.0, "q": 4.0, "gamma": 15.0}
    rng = np.random.default_rng(13)
    x = rng.integers(1, 15, 3000)
    scale = rng.gamma(truth["q"], 1 / truth["gamma"], x.size)  # nu per customer
    mean_spend = rng.gamma(truth["p"] * x, 1 / (scale * x))  # the mean of x Gamma(p, nu) spends
    model = fit_gamma_gamma(pl.DataFrame({"frequency": x, "monetary_value": mean_spend}))
    at_truth = float(gamma_gamma_log_likelihood(*truth.values(), x.astype(float), mean_spend).sum())
    assert 0 <= 2 * (model.log_likelihood - at_truth) < 16.27  # chi-square(3) 99.9%
    for name in truth:
        assert model.params[name] == pytest.approx(truth[name], rel=0.25), name


def test_a_simulated_log_goes_through_rfm_summary_to_the_parameters() -> None:
    # Daily log of BG/NBD customers (time in weeks), first uses spread over 8 weeks, calibration 40 weeks.
    truth = {"r": 0.6, "alpha": 5.0, "a": 0.7, "b": 2.0}
    rng = np.random.default_rng(21)
    n, start = 3000, dt.date(2024, 1, 1)
    first = rng.integers(0, 56, n)
    end = start + dt.timedelta(days=8 * 7 + 40 * 7)
    rate, stop = rng.gamma(truth["r"], 1 / truth["alpha"], n), rng.beta(truth["a"], truth["b"], n)
    users, days = [np.arange(n)], [first]
    time, going = np.zeros(n), np.ones(n, dtype=bool)
    while going.any():
        time = np.where(going, time + rng.exponential(1 / rate), time)
        day = first + np.floor(time * 7).astype(np.int64)
        use = going & (day <= (end - start).days)
        users.append(np.flatnonzero(use))
        days.append(day[use])
        going = use & (rng.random(n) >= stop)
    user, day_number = np.concatenate(users), np.concatenate(days)
    events = pl.DataFrame({"user_id": user, "day": pl.Series(day_number).cast(pl.Int32)}).select(
        "user_id", timestamp=pl.lit(start) + pl.duration(days=pl.col("day"))
    )
    log = read_log(events, event=None, now=NOW)
    summary = rfm_summary(log, calibration_end=end, unit_days=7)
    # frequency = distinct active days - 1, from the simulated days directly
    distinct = events.unique().group_by("user_id").len().sort("user_id")
    assert summary.sort("user")["frequency"].to_list() == (distinct["len"] - 1).to_list()
    model = fit_bg_nbd(summary)
    for name, tolerance in {"r": 0.2, "alpha": 0.2, "a": 0.4, "b": 0.4}.items():
        assert model.params[name] == pytest.approx(truth[name], rel=tolerance), name


# --- errors and the optional dependency ------------------------------------------------------------------------


def test_too_few_repeat_users_is_a_clear_error() -> None:
    summary = pl.DataFrame({"frequency": [0, 0, 1, 2], "recency": [0.0, 0.0, 3.0, 5.0], "T": [10.0, 8.0, 9.0, 7.0]})
    for fit in (fit_bg_nbd, fit_pareto_nbd):
        with pytest.raises(ModelFitError, match=r"at least 10 customers with a repeat use .* has 2 of 4"):
            fit(summary)
    model = fit_bg_nbd(pl.concat([summary] * 5), min_repeat_users=10)
    assert model.n == 20
    with pytest.raises(InvalidOptionError, match="min_repeat_users=0"):
        fit_bg_nbd(summary, min_repeat_users=0)


@pytest.mark.parametrize(
    ("columns", "error", "message"),
    [
        ({"frequency": [1], "recency": [2.0]}, ColumnNotFoundError, "no column 'T'"),
        ({"frequency": [1], "recency": [2.0], "T": ["x"]}, InvalidValueError, "'T' is String, not numbers"),
        ({"frequency": [1, None], "recency": [2.0, 1.0], "T": [3.0, 3.0]}, InvalidValueError, "1 null values"),
        ({"frequency": [1], "recency": [5.0], "T": [3.0]}, InvalidValueError, "recency > T"),
        ({"frequency": [0], "recency": [1.0], "T": [3.0]}, InvalidValueError, "frequency 0 but recency > 0"),
        ({"frequency": [1.5], "recency": [1.0], "T": [3.0]}, InvalidValueError, "not a whole number"),
        ({"frequency": [1], "recency": [-1.0], "T": [3.0]}, InvalidValueError, "negative recency"),
        ({"frequency": [1], "recency": [1.0], "T": [float("nan")]}, InvalidValueError, "not finite"),
    ],
)
def test_bad_summaries_are_clear_errors(columns: dict[str, list[object]], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        fit_bg_nbd(pl.DataFrame(columns))


def test_bad_spend_is_a_clear_error() -> None:
    summary = pl.DataFrame({"frequency": [1, 2, 0], "monetary_value": [10.0, 0.0, None]})
    with pytest.raises(InvalidValueError, match=r"1 customers .* not a positive number \(e.g. 0.0\)"):
        fit_gamma_gamma(summary)
    with pytest.raises(ColumnNotFoundError, match="no column 'monetary_value'"):
        fit_gamma_gamma(summary.drop("monetary_value"))
    with pytest.raises(ModelFitError, match=r"q=0\.5 <= 1"):
        GammaGammaModel(p=2.0, q=0.5, gamma=3.0, log_likelihood=0.0, n=1).expected_average_value(1, 10.0)


def test_a_summary_that_is_not_a_frame_is_a_clear_error() -> None:
    with pytest.raises(InvalidOptionError, match="the summary is a list, not a data frame"):
        fit_bg_nbd([1, 2, 3])


def test_bad_horizons_are_clear_errors() -> None:
    with pytest.raises(InvalidOptionError, match="t=-1"):
        BG.conditional_expected_uses(-1, 1, 1.0, 2.0)
    summary = pl.DataFrame({"frequency": [1], "recency": [1.0], "T": [2.0], "monetary_value": [5.0]})
    gg = GammaGammaModel(p=6.25, q=3.74, gamma=15.44, log_likelihood=0.0, n=1)
    for option, message in [({"horizon": -1.0}, "horizon=-1.0"), ({"horizon": 4, "step": 0.0}, "step=0.0")]:
        with pytest.raises(InvalidOptionError, match=message):
            gg.clv(BG, summary, **option)  # type: ignore[arg-type]
    with pytest.raises(InvalidOptionError, match=r"discount_rate=-1\.5"):
        gg.clv(BG, summary, horizon=4, discount_rate=-1.5)


def test_an_optimiser_that_does_not_settle_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from stickiness.models import _fit
    from stickiness.models._scipy import Outcome

    def stuck(fun: object, start: np.ndarray, **options: object) -> Outcome:
        return Outcome(x=start, fun=1.0, success=False, message="Maximum number of iterations", evaluations=9)

    monkeypatch.setattr(_fit, "minimize", stuck)
    monkeypatch.setattr(_fit, "_newton", lambda *args, **options: None)
    summary = pl.DataFrame({"frequency": [1, 2, 0] * 5, "recency": [1.0, 3.0, 0.0] * 5, "T": [5.0, 6.0, 7.0] * 5})
    with pytest.raises(ModelFitError, match=r"BG/NBD: the optimiser did not converge after 18 evaluations"):
        fit_bg_nbd(summary)


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120)


def test_import_stickiness_and_its_models_does_not_import_scipy() -> None:
    done = _run("import sys, stickiness, stickiness.models; print('scipy' in sys.modules)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_without_scipy_a_fit_names_the_install_command() -> None:
    code = (
        "import sys; sys.modules['scipy'] = None\n"
        "import polars as pl\n"
        "from stickiness.models import fit_bg_nbd\n"
        "fit_bg_nbd(pl.DataFrame({'frequency': [1], 'recency': [1.0], 'T': [2.0]}))"
    )
    done = _run(code)
    assert done.returncode != 0
    assert "ImportError" in done.stderr and "pip install 'stickiness[models]'" in done.stderr
