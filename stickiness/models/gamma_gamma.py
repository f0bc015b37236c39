"""The Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves").

Assumptions: a customer's spend per transaction (here: per active day) is
Gamma(p, nu) around their own mean p / nu; nu ~ Gamma(q, gamma) across customers;
spend is independent of how often and how long the customer uses the product.
It is fitted on the customers with at least one repeat use, from ``frequency`` (x, the
number of repeat active days) and ``monetary_value`` (m, their mean spend), with
each customer's likelihood

``Gamma(p x + q) / (Gamma(p x) Gamma(q)) gamma^q x^(p x) m^(p x - 1) / (gamma + m x)^(p x + q)``.

docs/predictions.md has the expected value and the CLV formula.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from stickiness.exceptions import InvalidOptionError, InvalidValueError, ModelFitError
from stickiness.models._fit import (
    MEAN_BOUND,
    MIN_REPEAT_USERS,
    SHAPE_BOUND,
    SUMMARY_COLUMNS,
    Coordinates,
    RepeatUseModel,
    as_arrays,
    as_frame,
    check_min_repeat_users,
    maximise,
    summary_column,
)
from stickiness.models._scipy import FloatArray, betaln, require_scipy

__all__ = ["GammaGammaModel", "fit_gamma_gamma", "gamma_gamma_log_likelihood"]

MONETARY = "monetary_value"


def gamma_gamma_log_likelihood(
    p: float, q: float, gamma: float, frequency: FloatArray, monetary_value: FloatArray
) -> FloatArray:
    """Each repeat customer's Gamma-Gamma log-likelihood (frequency > 0, monetary_value > 0), vectorised."""
    x, m = frequency, monetary_value
    px = p * x
    log_likelihood = (
        -betaln(px, q)  # log Gamma(px + q) / (Gamma(px) Gamma(q))
        + q * np.log(gamma)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(gamma + m * x)
    )
    return np.asarray(log_likelihood, dtype=np.float64)


def _spend(frequency: npt.ArrayLike, monetary_value: npt.ArrayLike, *, what: str) -> tuple[FloatArray, FloatArray]:
    x, m = np.broadcast_arrays(np.asarray(frequency, dtype=np.float64), np.asarray(monetary_value, dtype=np.float64))
    repeat = x > 0
    bad = repeat & ~(np.isfinite(m) & (m > 0))
    if np.any(bad):
        example = float(m[bad].ravel()[0])
        raise InvalidValueError(
            f"{int(np.count_nonzero(bad)):,} customers of the {what} with repeat uses have a monetary_value that is "
            f"not a positive number (e.g. {example}). The Gamma-Gamma model describes positive spend: leave out "
            "customers whose repeat active days brought no revenue, or summarise a log of purchases only."
        )
    return x.astype(np.float64), m.astype(np.float64)


@dataclass(frozen=True, repr=False)
class GammaGammaModel:
    """A fitted Gamma-Gamma spend model.

    Attributes
    ----------
    p
        Shape of each customer's spend per active day.
    q, gamma
        Shape and rate of the Gamma distribution of the spend scale nu across customers.
    log_likelihood
        The maximised log-likelihood (over the customers with repeat uses).
    n
        Customers it was fitted on (those with frequency > 0).
    """

    p: float
    q: float
    gamma: float
    log_likelihood: float
    n: int

    @property
    def params(self) -> dict[str, float]:
        """``{"p", "q", "gamma"}``."""
        return {"p": self.p, "q": self.q, "gamma": self.gamma}

    @property
    def population_mean(self) -> float:
        """The mean spend per active day across customers, p gamma / (q - 1) (finite only when q > 1)."""
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else math.inf

    def expected_average_value(self, frequency: npt.ArrayLike, monetary_value: npt.ArrayLike) -> FloatArray:
        """E[spend per active day | x, m] = (gamma + m x) p / (p x + q - 1); the population mean when x = 0.

        >>> model = GammaGammaModel(p=6.25, q=3.74, gamma=15.44, log_likelihood=0.0, n=946)
        >>> model.expected_average_value([0, 1, 10], [0.0, 20.0, 20.0]).round(2).tolist()
        [35.22, 24.64, 20.64]
        """
        if self.q <= 1:
            raise ModelFitError(
                f"the fitted Gamma-Gamma model has q={self.q:.3g} <= 1, so spend has no finite mean and the "
                "expected value is undefined. Check the monetary values for extreme outliers."
            )
        x, m = _spend(frequency, monetary_value, what="input")
        m = np.where(x > 0, m, 0.0)
        return np.asarray((self.gamma + m * x) * self.p / (self.p * x + self.q - 1), dtype=np.float64)

    def clv(
        self,
        model: RepeatUseModel,
        summary: Any,
        *,
        horizon: float,
        discount_rate: float = 0.0,
        step: float = 1.0,
    ) -> FloatArray:
        """Return the expected value over the next ``horizon`` units: expected uses x expected spend, discounted.

        ``sum over k = 1..K of (E[uses by t_k] - E[uses by t_(k-1)]) x E[spend] / (1 + discount_rate)^k``
        with ``t_k = min(k step, horizon)`` and ``K = ceil(horizon / step)`` (in the
        summary's unit; ``discount_rate`` is per ``step``). With ``discount_rate=0`` it
        is ``E[uses in the next horizon units] x E[spend per active day]``.
        """
        frame = as_frame(summary)
        x, tx, big_t = as_arrays(*(summary_column(frame, c, "summary") for c in SUMMARY_COLUMNS))
        value = self.expected_average_value(x, _monetary(frame, x))
        if not (math.isfinite(horizon) and horizon >= 0):
            raise InvalidOptionError(f"horizon={horizon!r}: use a number >= 0 in the summary's unit.")
        if not (math.isfinite(step) and step > 0):
            raise InvalidOptionError(f"step={step!r}: use a number > 0 in the summary's unit.")
        if not (math.isfinite(discount_rate) and discount_rate > -1):
            raise InvalidOptionError(
                f"discount_rate={discount_rate!r}: use a rate per step > -1 (e.g. 0.01 for 1% per step)."
            )
        cuts = np.minimum(np.arange(1, math.ceil(horizon / step) + 1) * step, horizon)
        total = np.zeros_like(x)
        previous = np.zeros_like(x)
        for k, cut in enumerate(cuts, start=1):  # one step per loop, every customer at once
            uses = model.conditional_expected_uses(cut, x, tx, big_t)
            total += (uses - previous) / (1 + discount_rate) ** k
            previous = uses
        return np.asarray(total * value, dtype=np.float64)

    def predict(
        self, summary: Any, model: RepeatUseModel, *, horizon: float, discount_rate: float = 0.0, step: float = 1.0
    ) -> pl.DataFrame:
        """Return the summary with ``p_alive``, ``expected_uses``, ``expected_value`` and ``clv`` appended (Float64).

        ``expected_uses`` and ``clv`` are over the next ``horizon`` units;
        ``expected_value`` is the expected spend per active day.
        """
        frame = model.predict(summary, horizon)
        x = summary_column(frame, "frequency", "summary")
        value = self.expected_average_value(x, _monetary(frame, x))
        clv = self.clv(model, frame, horizon=horizon, discount_rate=discount_rate, step=step)
        return frame.with_columns(
            expected_value=pl.Series(value, dtype=pl.Float64), clv=pl.Series(clv, dtype=pl.Float64)
        )

    def __repr__(self) -> str:
        return (
            f"GammaGammaModel(p={self.p:.4g}, q={self.q:.4g}, gamma={self.gamma:.4g}; "
            f"log-likelihood {self.log_likelihood:,.2f}, n={self.n:,})"
        )


def _monetary(frame: pl.DataFrame, x: FloatArray) -> FloatArray:
    if MONETARY not in frame.columns:
        summary_column(frame, MONETARY, "summary")  # raises the missing-column error
    values = frame[MONETARY].cast(pl.Float64).fill_null(np.nan).to_numpy()
    return np.where(x > 0, values, 0.0)


def _to_params(theta: FloatArray) -> FloatArray:
    log_p, log_q, log_mean_scale = theta
    q = np.exp(log_q)
    return np.array([np.exp(log_p), q, q / np.exp(log_mean_scale)])


def _from_params(params: FloatArray) -> FloatArray:
    p, q, gamma = params
    return np.array([np.log(p), np.log(q), np.log(q / gamma)])


#: Searched as log p, log q, log mean spend scale q / gamma.
COORDINATES = Coordinates(
    names=("log p", "log q", "log q/gamma"),
    to_params=_to_params,
    from_params=_from_params,
    bounds=((-SHAPE_BOUND, SHAPE_BOUND), (-SHAPE_BOUND, SHAPE_BOUND), (-MEAN_BOUND, MEAN_BOUND)),
)


def fit_gamma_gamma(summary: Any, *, min_repeat_users: int = MIN_REPEAT_USERS) -> GammaGammaModel:
    """Fit the Gamma-Gamma spend model on the customers with repeat uses.

    Parameters
    ----------
    summary
        One row per customer with ``frequency`` and ``monetary_value`` (the mean
        revenue of the repeat active days): ``rfm_summary(log, revenue=...)``.
        Customers with frequency 0 are not used (their mean spend is not observed).
    min_repeat_users
        Fewest customers with frequency > 0 to accept (default 10).

    Returns
    -------
    GammaGammaModel
        Parameters ``p, q, gamma``, ``log_likelihood`` and ``n``.

    Raises
    ------
    ModelFitError
        Too few repeat users, or the optimiser does not settle.
    InvalidValueError
        A repeat customer's monetary_value is null, zero or negative.
    """
    require_scipy()
    check_min_repeat_users(min_repeat_users)
    frame = as_frame(summary)
    x = summary_column(frame, "frequency", "summary")
    x, m = _spend(x, _monetary(frame, x), what="summary")
    repeat = x > 0
    x, m = x[repeat], m[repeat]
    if x.size < min_repeat_users:
        raise ModelFitError(
            f"the Gamma-Gamma model needs at least {min_repeat_users} customers with a repeat use (frequency > 0) "
            f"and their mean spend; the summary has {x.size:,}. Use a longer calibration period or more customers."
        )
    mean = float(m.mean())

    def log_likelihood(params: FloatArray) -> FloatArray:
        p, q, gamma = params
        return gamma_gamma_log_likelihood(p, q, gamma, x, m)

    (p, q, gamma), ll = maximise(log_likelihood, np.ones_like(x), (1.0, 2.0, mean), COORDINATES, model="Gamma-Gamma")
    return GammaGammaModel(p=float(p), q=float(q), gamma=float(gamma), log_likelihood=ll, n=int(x.size))
