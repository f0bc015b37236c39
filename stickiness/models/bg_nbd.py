"""The BG/NBD repeat-use model (Fader, Hardie & Lee 2005, "Counting your customers the easy way").

Assumptions (per customer, time in the summary's unit):

- while active, uses follow a Poisson process with rate lambda;
- after each use the customer stops for good with probability p;
- lambda ~ Gamma(r, alpha) (shape r, rate alpha) and p ~ Beta(a, b) across customers,
  independently.

The likelihood of x repeat uses, the last at t_x, observed over (0, T], is
``B(a, b + x) / B(a, b) * Gamma(r + x) alpha^r / Gamma(r) / (alpha + T)^(r + x)``
plus, when x > 0, ``B(a + 1, b + x - 1) / B(a, b) * Gamma(r + x) alpha^r / Gamma(r) / (alpha + t_x)^(r + x)``;
it is evaluated on the log scale with log-sum-exp. docs/predictions.md has every formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from stickiness.exceptions import ModelFitError
from stickiness.models._fit import (
    MEAN_BOUND,
    MIN_REPEAT_USERS,
    SHAPE_BOUND,
    Coordinates,
    RepeatUseModel,
    as_arrays,
    check_horizon,
    customers,
    maximise,
)
from stickiness.models._scipy import FloatArray, betaincinv, betaln, digamma, hyp2f1, log_rising

__all__ = ["BGNBDModel", "bg_nbd_log_likelihood", "bg_nbd_score", "fit_bg_nbd"]

#: Where a = 1 exactly (the expectation's 0/0 point), it is evaluated at a = 1 + _A_NUDGE.
_A_NUDGE = 1e-7
#: Gauss-Legendre points of the numerical fallback for the expected uses.
_QUANTILE_NODES = 64


def bg_nbd_log_likelihood(
    r: float,
    alpha: float,
    a: float,
    b: float,
    frequency: FloatArray,
    recency: FloatArray,
    T: FloatArray,  # noqa: N803 (T: the literature's and the summary's name)
) -> FloatArray:
    """Each customer's BG/NBD log-likelihood (Fader, Hardie & Lee 2005, eq. 6), vectorised.

    ``frequency``, ``recency`` and ``T`` are float arrays of one length (checked
    by the callers), in one time unit.
    """
    x = frequency
    common = log_rising(r, x) + r * np.log(alpha)
    beta_part = betaln(a, b + x) - betaln(a, b)  # log B(a, b + x) / B(a, b), accurate for large a and b
    stays, stopped = _alternatives(r, alpha, a, b, x, recency, T)
    return np.asarray(common + beta_part + np.logaddexp(stays, stopped), dtype=np.float64)


def _alternatives(
    r: float,
    alpha: float,
    a: float,
    b: float,
    x: FloatArray,
    tx: FloatArray,
    T: FloatArray,  # noqa: N803
) -> tuple[FloatArray, FloatArray]:
    """Return the logs of the likelihood's two terms (active at T; stopped after the last use), common factors aside."""
    stays = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    stopped = np.full_like(x, -np.inf)
    stopped[repeat] = np.log(a) - np.log(b + x[repeat] - 1) - (r + x[repeat]) * np.log(alpha + tx[repeat])
    return stays, stopped


def _uses_if_alive(
    r: float,
    alpha: float,
    a: float,
    b: float,
    x: FloatArray,
    T: FloatArray,  # noqa: N803 (T: the literature's and the summary's name)
    t: FloatArray,
) -> FloatArray:
    """Return E[uses in (T, T + t] | alive at T, x]: the mean over p ~ Beta(a, b + x) of (1 - (1 + p u)^-(r + x)) / p.

    Here u = t / (alpha + T).

    In closed form ``(a + b + x - 1) / (a - 1) [1 - ((alpha + T) / (alpha + T + t))^(r + x)
    2F1(r + x, b + x; a + b + x - 1; t / (alpha + T + t))]``. The bracket is taken from
    the first of three equal forms that scipy evaluates within the bounds every
    value must respect: Pfaff's ``1 - 2F1(r + x, a - 1; a + b + x - 1; -u)`` when
    u <= 1 (a short alternating series), the form above, and Euler's
    ``1 - (1 - z)^(a - 1) 2F1(a + b - 1 - r, a - 1; a + b + x - 1; z)``, z = u / (1 + u).
    The bounds: the integrand is convex and decreasing in p, between 0 and
    (r + x) u, so the value lies between its value at the mean a / (a + b + x) and
    (r + x) u. Where no form is within them (extreme parameters, where ₂F₁ loses
    its precision), the expectation is integrated numerically over the quantiles
    of Beta(a, b + x) with a 64-point Gauss-Legendre rule (relative error up to
    about 1e-3 where the integrand has a sharp knee near p = 0).
    """
    c = a + b + x - 1
    u = t / (alpha + T)
    z = t / (alpha + T + t)
    k = r + x
    scale = c / (a - 1)
    upper = k * u * (1 + 1e-9) + 1e-300
    lower = _integrand(a / (a + b + x), u, k) * (1 - 1e-9)
    with np.errstate(all="ignore"):
        forms = (
            np.where(u <= 1, scale * (1 - hyp2f1(k, a - 1, c, -np.minimum(u, 1.0))), np.nan),
            scale * (1 - (1 - z) ** k * hyp2f1(k, b + x, c, z)),
            scale * (1 - (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, c, z)),
        )
    value = np.full_like(u, np.nan)
    for form in forms:
        fits = np.isnan(value) & np.isfinite(form) & (form >= lower) & (form <= upper)
        value = np.where(fits, form, value)
    missing = np.isnan(value)
    if missing.any():
        value[missing] = _integrated(a, (b + x)[missing], u[missing], k[missing])
    if not np.all(np.isfinite(value)):
        raise ModelFitError(
            f"BG/NBD (r={r:.4g}, alpha={alpha:.4g}, a={a:.4g}, b={b:.4g}): the expected uses of "
            f"{int(np.count_nonzero(~np.isfinite(value))):,} customers cannot be evaluated in floating point. "
            "Try model='pareto_nbd', or a coarser unit (unit_days=7)."
        )
    return np.asarray(value, dtype=np.float64)


def _integrand(p: npt.ArrayLike, u: FloatArray, k: FloatArray) -> FloatArray:
    """Return (1 - (1 + p u)^-k) / p, or its limit k u where p u -> 0."""
    pu = np.asarray(p) * u
    with np.errstate(all="ignore"):
        value = -np.expm1(-k * np.log1p(pu)) / np.asarray(p)
    return np.asarray(np.where(pu < 1e-12, k * u, value), dtype=np.float64)


def _integrated(a: float, b: FloatArray, u: FloatArray, k: FloatArray) -> FloatArray:
    """Return the mean over p ~ Beta(a, b) of (1 - (1 + p u)^-k) / p, by Gauss-Legendre over p's quantiles."""
    nodes, weights = np.polynomial.legendre.leggauss(_QUANTILE_NODES)
    quantiles = (nodes + 1) / 2
    p = betaincinv(a, b[:, None], quantiles[None, :])
    values = _integrand(p, u[:, None], k[:, None])
    return np.asarray(values @ (weights / 2), dtype=np.float64)


def bg_nbd_score(
    r: float,
    alpha: float,
    a: float,
    b: float,
    frequency: FloatArray,
    recency: FloatArray,
    T: FloatArray,  # noqa: N803 (T: the literature's and the summary's name)
) -> FloatArray:
    """Each customer's gradient of the BG/NBD log-likelihood with respect to (r, alpha, a, b): rows x 4."""
    x, tx = frequency, recency
    repeat = x > 0
    stays, stopped = _alternatives(r, alpha, a, b, x, tx, T)
    w_stays = np.exp(stays - np.logaddexp(stays, stopped))  # the share of each term in the likelihood
    w_stopped = 1 - w_stays
    after = np.where(repeat, b + x - 1, 1.0)
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) - w_stays * np.log(alpha + T) - w_stopped * np.log(alpha + tx)
    d_alpha = r / alpha - (r + x) * (w_stays / (alpha + T) + w_stopped / (alpha + tx))
    d_a = digamma(a + b) - digamma(a + b + x) + w_stopped / a
    d_b = digamma(b + x) - digamma(a + b + x) - digamma(b) + digamma(a + b) - w_stopped / after
    return np.stack([d_r, d_alpha, d_a, d_b], axis=1)


@dataclass(frozen=True, repr=False)
class BGNBDModel(RepeatUseModel):
    """A fitted BG/NBD model: parameters, log-likelihood and predictions.

    Attributes
    ----------
    r, alpha
        Shape and rate of the Gamma distribution of the use rate lambda (per unit of time).
    a, b
        The Beta distribution of the stopping probability p (after each use).
    log_likelihood
        The maximised log-likelihood (natural log, summed over customers).
    n
        Customers it was fitted on.
    """

    name: ClassVar[str] = "bg_nbd"
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    n: int

    @property
    def params(self) -> dict[str, float]:
        """``{"r", "alpha", "a", "b"}``."""
        return {"r": self.r, "alpha": self.alpha, "a": self.a, "b": self.b}

    def _log_likelihood(self, x: FloatArray, tx: FloatArray, big_t: FloatArray) -> FloatArray:
        return bg_nbd_log_likelihood(self.r, self.alpha, self.a, self.b, x, tx, big_t)

    def p_alive(self, frequency: npt.ArrayLike, recency: npt.ArrayLike, T: npt.ArrayLike) -> FloatArray:  # noqa: N803 (T: the literature's and the summary's name)
        """P(still active at T | x, t_x, T) = 1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x)).

        Exactly 1 for customers with no repeat use (x = 0): under BG/NBD a customer
        can only stop right after a use.

        >>> model = BGNBDModel(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=-9582.4, n=2357)
        >>> model.p_alive([0, 2, 2], [0.0, 30.43, 5.0], [38.86, 38.86, 38.86]).round(3).tolist()
        [1.0, 0.727, 0.124]
        """
        x, tx, big_t = as_arrays(frequency, recency, T, what="input")
        with np.errstate(divide="ignore"):
            odds = np.log(self.a) - np.log(np.where(x > 0, self.b + x - 1, 1.0))
            odds += (self.r + x) * (np.log(self.alpha + big_t) - np.log(self.alpha + tx))
        return np.where(x > 0, np.exp(-np.logaddexp(0.0, odds)), 1.0)

    def conditional_expected_uses(
        self,
        t: npt.ArrayLike,
        frequency: npt.ArrayLike,
        recency: npt.ArrayLike,
        T: npt.ArrayLike,  # noqa: N803 (T: the literature's and the summary's name)
    ) -> FloatArray:
        """E[uses in (T, T + t] | x, t_x, T] (Fader, Hardie & Lee 2005, eq. 10).

        ``P(alive) (a + b + x - 1) / (a - 1) [1 - ((alpha + T) / (alpha + T + t))^(r + x)
        2F1(r + x, b + x; a + b + x - 1; t / (alpha + T + t))]``, with the bracket taken
        from the first of three equal forms that is finite and within the bounds the
        value must respect, or integrated numerically where none is (``_uses_if_alive``).

        >>> model = BGNBDModel(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=-9582.4, n=2357)
        >>> model.conditional_expected_uses(39, [0, 2], [0.0, 30.43], [38.86, 38.86]).round(3).tolist()
        [0.195, 1.226]
        """
        horizon = check_horizon(t)
        x, tx, big_t = as_arrays(frequency, recency, T, what="input")
        horizon, x, tx, big_t = np.broadcast_arrays(horizon, x, tx, big_t)
        a = self.a if abs(self.a - 1) > _A_NUDGE else 1 + _A_NUDGE
        expected = self.p_alive(x, tx, big_t) * _uses_if_alive(self.r, self.alpha, a, self.b, x, big_t, horizon)
        return np.asarray(expected + 0.0, dtype=np.float64)  # + 0.0: no -0.0 at t = 0


def _to_params(theta: FloatArray) -> FloatArray:
    log_r, log_mean_rate, logit_mean_p, log_concentration = theta
    r, concentration = np.exp(log_r), np.exp(log_concentration)
    mean_p = 1 / (1 + np.exp(-logit_mean_p))
    return np.array([r, r / np.exp(log_mean_rate), mean_p * concentration, (1 - mean_p) * concentration])


def _from_params(params: FloatArray) -> FloatArray:
    r, alpha, a, b = params
    return np.array([np.log(r), np.log(r / alpha), np.log(a / b), np.log(a + b)])


def _jacobian(theta: FloatArray) -> FloatArray:
    """Return d (r, alpha, a, b) / d theta."""
    r, alpha, a, b = _to_params(theta)
    spread = (a + b) * (a / (a + b)) * (b / (a + b))  # d a / d logit = (a + b) m (1 - m)
    return np.array(
        [
            [r, 0.0, 0.0, 0.0],
            [alpha, -alpha, 0.0, 0.0],
            [0.0, 0.0, spread, a],
            [0.0, 0.0, -spread, b],
        ]
    )


#: Searched as log r, log mean use rate r / alpha, logit mean stopping probability a / (a + b), log (a + b).
COORDINATES = Coordinates(
    names=("log r", "log r/alpha", "logit a/(a+b)", "log (a+b)"),
    to_params=_to_params,
    from_params=_from_params,
    jacobian=_jacobian,
    bounds=(
        (-SHAPE_BOUND, SHAPE_BOUND),
        (-MEAN_BOUND, MEAN_BOUND),
        (-MEAN_BOUND, MEAN_BOUND),
        (-SHAPE_BOUND, SHAPE_BOUND),
    ),
)


def fit_bg_nbd(summary: Any, *, min_repeat_users: int = MIN_REPEAT_USERS) -> BGNBDModel:
    """Fit the BG/NBD model by maximum likelihood.

    Parameters
    ----------
    summary
        One row per customer with ``frequency`` (repeat uses), ``recency`` and ``T``
        in one time unit: :func:`~stickiness.models.rfm_summary`'s output, or any
        polars/pandas/pyarrow frame with those columns.
    min_repeat_users
        Fewest customers with frequency > 0 to accept (default 10).

    Returns
    -------
    BGNBDModel
        Parameters ``r, alpha, a, b``, ``log_likelihood`` and ``n``.

    Raises
    ------
    ModelFitError
        Too few repeat users, or the optimiser does not settle.
    InvalidValueError
        Nulls, negative values, recency > T, or frequency 0 with recency > 0.

    Examples
    --------
    >>> import polars as pl
    >>> summary = pl.DataFrame({
    ...     "frequency": [0, 1, 2, 0, 4, 1, 3, 0, 2, 5, 1, 0] * 5,
    ...     "recency": [0, 5, 20, 0, 30, 2, 25, 0, 10, 33, 30, 0] * 5,
    ...     "T": [35, 30, 35, 20, 38, 36, 30, 10, 30, 35, 38, 25] * 5,
    ... })
    >>> model = fit_bg_nbd(summary)
    >>> round(model.log_likelihood, 2) == round(float(model.log_likelihood_of(
    ...     summary["frequency"], summary["recency"], summary["T"]).sum()), 2)
    True
    """
    data = customers(summary, model="BG/NBD", min_repeat_users=min_repeat_users)
    rate = float(np.dot(data.weight, data.frequency) / max(np.dot(data.weight, data.T), 1e-12))
    start = (1.0, 1.0 / max(rate, 1e-6), 1.0, 1.0)

    def log_likelihood(params: FloatArray) -> FloatArray:
        r, alpha, a, b = params
        return bg_nbd_log_likelihood(r, alpha, a, b, data.frequency, data.recency, data.T)

    def score(params: FloatArray) -> FloatArray:
        r, alpha, a, b = params
        return bg_nbd_score(r, alpha, a, b, data.frequency, data.recency, data.T)

    (r, alpha, a, b), ll = maximise(log_likelihood, data.weight, start, COORDINATES, model="BG/NBD", score=score)
    return BGNBDModel(r=float(r), alpha=float(alpha), a=float(a), b=float(b), log_likelihood=ll, n=data.n)
