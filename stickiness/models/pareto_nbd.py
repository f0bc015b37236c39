"""The Pareto/NBD repeat-use model (Schmittlein, Morrison & Colombo 1987; likelihood as in Fader & Hardie 2005).

Assumptions (per customer, time in the summary's unit):

- while active, uses follow a Poisson process with rate lambda;
- the customer stops for good at an unobserved time tau ~ Exponential(mu);
- lambda ~ Gamma(r, alpha) and mu ~ Gamma(s, beta) across customers, independently.

The likelihood (Fader & Hardie 2005, "A note on deriving the Pareto/NBD model and
related expressions", eq. 22-23) involves the Gauss hypergeometric function 2F1;
it is evaluated on the log scale, with 2F1 rewritten by Euler's transformation so
that it stays between 1 and 1 / (1 - z) whatever the customer's frequency, and the
difference and sum of its terms taken with log1p / log-sum-exp.
docs/predictions.md has every formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

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
from stickiness.models._scipy import FloatArray, hyp2f1, log_rising

__all__ = ["ParetoNBDModel", "fit_pareto_nbd", "pareto_nbd_log_likelihood"]

#: Where s = 1 exactly, (1 - (1 + u)^-(s - 1)) / (s - 1) is its limit log(1 + u).
_S_NEAR_ONE = 1e-9
#: Gauss-Legendre points of the numerical fallback for the likelihood's "stopped" term.
_NODES = 64


def _log_terms(
    r: float, alpha: float, s: float, beta: float, x: FloatArray, tx: FloatArray, big_t: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``(log common factor, log "still active" term, log "stopped before T" term)`` per customer.

    The likelihood is ``exp(common) * (exp(active) + exp(stopped))`` with
    ``common = log Gamma(r + x) - log Gamma(r) + r log alpha + s log beta``,
    ``active = -(r + x) log(alpha + T) - s log(beta + T)`` and
    ``stopped = log(s / (r + s + x)) + log A0``.
    """
    rsx = r + s + x

    def log_a0_part(t: FloatArray) -> FloatArray:
        # log[2F1(r+s+x, b; r+s+x+1; z) / (max(alpha, beta) + t)^(r+s+x)], with Euler's transformation
        # 2F1(a, b; c; z) = (1 - z)^(c - a - b) 2F1(c - a, c - b; c; z) and c - a = 1.
        if alpha >= beta:  # b = s + 1, z = (alpha - beta) / (alpha + t), 1 - z = (beta + t) / (alpha + t)
            z = (alpha - beta) / (alpha + t)
            return -s * np.log(beta + t) - (r + x) * np.log(alpha + t) + np.log(hyp2f1(1.0, r + x, rsx + 1, z))
        # b = r + x, z = (beta - alpha) / (beta + t), 1 - z = (alpha + t) / (beta + t)
        z = (beta - alpha) / (beta + t)
        return (1 - r - x) * np.log(alpha + t) - (s + 1) * np.log(beta + t) + np.log(hyp2f1(1.0, s + 1, rsx + 1, z))

    with np.errstate(all="ignore"):  # A0 = 0 when t_x = T: its log is -inf, and log-sum-exp keeps the other term
        at_tx, at_t = log_a0_part(tx), log_a0_part(big_t)
        log_a0 = at_tx + np.log1p(-np.exp(np.minimum(at_t - at_tx, 0.0)))
        stopped = np.log(s) - np.log(rsx) + log_a0
        # The stopped term is the integral over (t_x, T) of s (alpha + t)^-(r + x) (beta + t)^-(s + 1), whose
        # integrand decreases: it lies between (T - t_x) times its values at T and at t_x.
        span = np.log(big_t - tx)
        lower = span + _log_integrand(r, alpha, s, beta, x, big_t) - 1e-9
        upper = span + _log_integrand(r, alpha, s, beta, x, tx) + 1e-9
    bad = (tx < big_t) & ~(np.isfinite(stopped) & (stopped >= lower) & (stopped <= upper))
    if bad.any():  # where 2F1 loses its precision (extreme parameters): integrate numerically
        stopped = np.array(stopped, dtype=np.float64)  # a copy, and an array even for one customer
        stopped[bad] = _log_stopped_integral(r, alpha, s, beta, x[bad], tx[bad], big_t[bad])
    common = log_rising(r, x) + r * np.log(alpha) + s * np.log(beta)
    active = -(r + x) * np.log(alpha + big_t) - s * np.log(beta + big_t)
    return common, active, stopped


def _log_integrand(r: float, alpha: float, s: float, beta: float, x: FloatArray, t: FloatArray) -> FloatArray:
    """Return log[s (alpha + t)^-(r + x) (beta + t)^-(s + 1)]."""
    return np.asarray(np.log(s) - (r + x) * np.log(alpha + t) - (s + 1) * np.log(beta + t), dtype=np.float64)


def _log_stopped_integral(
    r: float, alpha: float, s: float, beta: float, x: FloatArray, tx: FloatArray, big_t: FloatArray
) -> FloatArray:
    """Return log of the integral over (t_x, T) of s (alpha + t)^-(r + x) (beta + t)^-(s + 1), numerically.

    In v = log(c + t), c = min(alpha, beta), the integrand times dt/dv is close to
    exp(-g (v - v0)), g its log-slope at v0 = log(c + t_x) (a power law in t); so
    v = v0 - log(1 - w m) / g with m = 1 - exp(-g (v1 - v0)) maps w in (0, 1) onto
    the interval with a nearly flat integrand, and a 64-point Gauss-Legendre rule
    in w follows (relative error about 1e-5).
    """
    nodes, weights = np.polynomial.legendre.leggauss(_NODES)
    w = (nodes[None, :] + 1) / 2
    c = min(alpha, beta)
    v0, v1 = np.log(c + tx)[:, None], np.log(c + big_t)[:, None]
    g = ((r + x) * (c + tx) / (alpha + tx) + (s + 1) * (c + tx) / (beta + tx) - 1)[:, None]
    g = np.where(np.abs(g) < 1e-8, 1e-8, g)
    m = -np.expm1(-g * (v1 - v0))  # the sign of g; m / g > 0
    v = v0 - np.log1p(-w * m) / g
    t = np.exp(v) - c
    with np.errstate(divide="ignore"):  # m = 0 where log(c + t_x) and log(c + T) round to one value
        log_jacobian = np.log(m / g) - np.log1p(-w * m) + v  # dv/dw, and dt/dv = c + t = exp(v)
    terms = _log_integrand(r, alpha, s, beta, x[:, None], t) + log_jacobian + np.log(weights / 2)[None, :]
    # there the interval is too short for the change of variable: it is its length times the integrand
    flat = (m == 0).any(axis=1)
    short = np.log(big_t - tx) + _log_integrand(r, alpha, s, beta, x, tx)
    return np.asarray(np.where(flat, short, np.logaddexp.reduce(terms, axis=1)), dtype=np.float64)


def pareto_nbd_log_likelihood(
    r: float,
    alpha: float,
    s: float,
    beta: float,
    frequency: FloatArray,
    recency: FloatArray,
    T: FloatArray,  # noqa: N803 (T: the literature's and the summary's name)
) -> FloatArray:
    """Each customer's Pareto/NBD log-likelihood, vectorised (float arrays of one length, one time unit)."""
    common, active, stopped = _log_terms(r, alpha, s, beta, frequency, recency, T)
    return common + np.logaddexp(active, stopped)


@dataclass(frozen=True, repr=False)
class ParetoNBDModel(RepeatUseModel):
    """A fitted Pareto/NBD model: parameters, log-likelihood and predictions.

    Attributes
    ----------
    r, alpha
        Shape and rate of the Gamma distribution of the use rate lambda (per unit of time).
    s, beta
        Shape and rate of the Gamma distribution of the stopping rate mu (per unit of time).
    log_likelihood
        The maximised log-likelihood (natural log, summed over customers).
    n
        Customers it was fitted on.
    """

    name: ClassVar[str] = "pareto_nbd"
    r: float
    alpha: float
    s: float
    beta: float
    log_likelihood: float
    n: int

    @property
    def params(self) -> dict[str, float]:
        """``{"r", "alpha", "s", "beta"}``."""
        return {"r": self.r, "alpha": self.alpha, "s": self.s, "beta": self.beta}

    def _log_likelihood(self, x: FloatArray, tx: FloatArray, big_t: FloatArray) -> FloatArray:
        return pareto_nbd_log_likelihood(self.r, self.alpha, self.s, self.beta, x, tx, big_t)

    def p_alive(self, frequency: npt.ArrayLike, recency: npt.ArrayLike, T: npt.ArrayLike) -> FloatArray:  # noqa: N803 (T: the literature's and the summary's name)
        """P(still active at T | x, t_x, T): the "still active" share of the customer's likelihood.

        >>> model = ParetoNBDModel(r=0.553, alpha=10.578, s=0.606, beta=11.669, log_likelihood=-9595.0, n=2357)
        >>> model.p_alive([0, 2, 2], [0.0, 30.43, 5.0], [38.86, 38.86, 38.86]).round(3).tolist()
        [0.295, 0.869, 0.13]
        """
        x, tx, big_t = as_arrays(frequency, recency, T, what="input")
        _, active, stopped = _log_terms(self.r, self.alpha, self.s, self.beta, x, tx, big_t)
        return np.asarray(np.exp(active - np.logaddexp(active, stopped)), dtype=np.float64)

    def conditional_expected_uses(
        self,
        t: npt.ArrayLike,
        frequency: npt.ArrayLike,
        recency: npt.ArrayLike,
        T: npt.ArrayLike,  # noqa: N803 (T: the literature's and the summary's name)
    ) -> FloatArray:
        """E[uses in (T, T + t] | x, t_x, T] = P(alive) (r + x) (beta + T) / ((alpha + T) (s - 1)) [1 - ((beta + T) / (beta + T + t))^(s - 1)].

        >>> model = ParetoNBDModel(r=0.553, alpha=10.578, s=0.606, beta=11.669, log_likelihood=-9595.0, n=2357)
        >>> model.conditional_expected_uses(39, [0, 2], [0.0, 30.43], [38.86, 38.86]).round(3).tolist()
        [0.107, 1.455]
        """  # noqa: E501
        horizon = check_horizon(t)
        x, tx, big_t = as_arrays(frequency, recency, T, what="input")
        horizon, x, tx, big_t = np.broadcast_arrays(horizon, x, tx, big_t)
        growth = np.log1p(horizon / (self.beta + big_t))
        if abs(self.s - 1) > _S_NEAR_ONE:
            growth = -np.expm1(-(self.s - 1) * growth) / (self.s - 1)
        expected = self.p_alive(x, tx, big_t) * (self.r + x) / (self.alpha + big_t) * (self.beta + big_t) * growth
        return np.asarray(expected + 0.0, dtype=np.float64)


def _to_params(theta: FloatArray) -> FloatArray:
    log_r, log_mean_rate, log_s, log_mean_stop = theta
    r, s = np.exp(log_r), np.exp(log_s)
    return np.array([r, r / np.exp(log_mean_rate), s, s / np.exp(log_mean_stop)])


def _from_params(params: FloatArray) -> FloatArray:
    r, alpha, s, beta = params
    return np.array([np.log(r), np.log(r / alpha), np.log(s), np.log(s / beta)])


#: Searched as log r, log mean use rate r / alpha, log s, log mean stopping rate s / beta.
COORDINATES = Coordinates(
    names=("log r", "log r/alpha", "log s", "log s/beta"),
    to_params=_to_params,
    from_params=_from_params,
    bounds=(
        (-SHAPE_BOUND, SHAPE_BOUND),
        (-MEAN_BOUND, MEAN_BOUND),
        (-SHAPE_BOUND, SHAPE_BOUND),
        (-MEAN_BOUND, MEAN_BOUND),
    ),
)


def fit_pareto_nbd(summary: Any, *, min_repeat_users: int = MIN_REPEAT_USERS) -> ParetoNBDModel:
    """Fit the Pareto/NBD model by maximum likelihood.

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
    ParetoNBDModel
        Parameters ``r, alpha, s, beta``, ``log_likelihood`` and ``n``.

    Raises
    ------
    ModelFitError
        Too few repeat users, or the optimiser does not settle.
    InvalidValueError
        Nulls, negative values, recency > T, or frequency 0 with recency > 0.
    """
    data = customers(summary, model="Pareto/NBD", min_repeat_users=min_repeat_users)
    mean_t = float(np.dot(data.weight, data.T) / data.weight.sum())
    rate = float(np.dot(data.weight, data.frequency) / max(np.dot(data.weight, data.T), 1e-12))
    start = (1.0, 1.0 / max(rate, 1e-6), 1.0, max(mean_t, 1.0))

    def log_likelihood(params: FloatArray) -> FloatArray:
        r, alpha, s, beta = params
        return pareto_nbd_log_likelihood(r, alpha, s, beta, data.frequency, data.recency, data.T)

    (r, alpha, s, beta), ll = maximise(log_likelihood, data.weight, start, COORDINATES, model="Pareto/NBD")
    return ParetoNBDModel(r=float(r), alpha=float(alpha), s=float(s), beta=float(beta), log_likelihood=ll, n=data.n)
