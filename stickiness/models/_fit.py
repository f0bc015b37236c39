"""What the repeat-use models share: reading a summary, and maximising a log-likelihood.

A summary is any frame with ``frequency``, ``recency`` and ``T`` (one row per
customer, as :func:`~stickiness.models.rfm_summary` returns). Customers with the
same three values contribute the same likelihood term, so a fit evaluates each
distinct row once, weighted by how many customers share it.

Parameters are searched in coordinates where a limit model is one coordinate
at an edge (see :class:`Coordinates`): L-BFGS-B first (on the analytic gradient
where the model has one, BG/NBD), then Newton steps (:func:`_newton`) until,
with a positive-definite Hessian, the gradient of the mean log-likelihood per
customer is below ``1e-9`` or the next step below ``1e-7`` on every coordinate.
Coordinates held at an edge by the gradient, and directions the data does not
pin down, stay where they are. Where the curvature is not positive definite,
Nelder-Mead takes over and Newton is tried again from its end. A fit whose
optimiser runs out of evaluations, or whose likelihood is not finite, raises
:class:`ModelFitError`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import narwhals as nw
import numpy as np
import numpy.typing as npt
import polars as pl

from stickiness.exceptions import ColumnNotFoundError, InvalidOptionError, InvalidValueError, ModelFitError
from stickiness.models._scipy import FloatArray, minimize, require_scipy

__all__ = [
    "MEAN_BOUND",
    "MIN_REPEAT_USERS",
    "SHAPE_BOUND",
    "SUMMARY_COLUMNS",
    "Coordinates",
    "Customers",
    "RepeatUseModel",
    "as_arrays",
    "as_frame",
    "check_horizon",
    "check_min_repeat_users",
    "customers",
    "maximise",
    "summary_column",
]

SUMMARY_COLUMNS: tuple[str, str, str] = ("frequency", "recency", "T")
#: Fewest customers with a repeat use (frequency > 0) a fit accepts by default.
MIN_REPEAT_USERS = 10
#: Shape parameters are searched between exp(-SHAPE_BOUND) and exp(SHAPE_BOUND) (3e-7 .. 3.3e6). A fit that
#: ends at the upper edge is a limit model: no heterogeneity (e.g. every customer has the same use rate).
SHAPE_BOUND = 15.0
#: Means (rates, probabilities) are searched as logs (logits) within +-MEAN_BOUND: they never bind in practice.
MEAN_BOUND = 30.0
_PENALTY = 1e10  # the objective where the likelihood is not finite (an overflowing trial point)
_NEWTON_STEPS = 20
_SIMPLEX_STEPS = 800  # Nelder-Mead evaluations per parameter, at most
_FATOL = 1e-11  # Nelder-Mead stops when the simplex's mean log-likelihoods per customer agree to this
#: Newton stops where the gradient of the mean log-likelihood per customer is below _GRADIENT_TOLERANCE, or where
#: its next step is below _STEP_TOLERANCE on every coordinate (parameters to about 1e-7, relative).
_GRADIENT_TOLERANCE = 1e-9
_STEP_TOLERANCE = 1e-7
#: A direction the data does not pin down is left alone when the total log-likelihood changes by less than this
#: per unit step along it.
_FLAT_SLOPE = 1e-3
#: Where rounding stops Newton, the fit is accepted if the next step would add less than this to the total
#: log-likelihood (parameters then within about 1e-3 standard errors of the maximum).
_NEGLIGIBLE_GAIN = 1e-6


def as_frame(summary: Any, *, what: str = "summary") -> pl.DataFrame:
    """Return ``summary`` as a polars DataFrame (polars, pandas, pyarrow: anything narwhals reads eagerly)."""
    if isinstance(summary, pl.LazyFrame):
        return summary.collect()
    if isinstance(summary, pl.DataFrame):
        return summary
    try:
        frame: pl.DataFrame = nw.from_native(summary, eager_only=True).to_polars()
        return frame
    except TypeError as err:
        raise InvalidOptionError(
            f"the {what} is a {type(summary).__name__}, not a data frame. Pass the frame rfm_summary(log) returns "
            "(or any polars/pandas/pyarrow frame with columns frequency, recency and T)."
        ) from err


def summary_column(frame: pl.DataFrame, name: str, what: str) -> FloatArray:
    """``frame[name]`` as a float array, or a clear error when it is missing, not numeric or has nulls."""
    if name not in frame.columns:
        raise ColumnNotFoundError(
            f"the {what} has no column {name!r} (it has {frame.columns}). Build it with rfm_summary(log), "
            f"or rename your columns to {list(SUMMARY_COLUMNS)}."
        )
    series = frame[name]
    if not series.dtype.is_numeric():
        raise InvalidValueError(f"the {what}'s column {name!r} is {series.dtype}, not numbers. Cast it to a number.")
    if series.null_count():
        raise InvalidValueError(
            f"the {what}'s column {name!r} has {series.null_count():,} null values. Drop or fill those rows."
        )
    return series.cast(pl.Float64).to_numpy()


def as_arrays(
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    T: npt.ArrayLike,  # noqa: N803 (T: the literature's and the summary's name)
    *,
    what: str = "summary",
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Check and broadcast per-customer frequency, recency and T (in one time unit) to float arrays.

    Raises :class:`InvalidValueError` unless every frequency is a whole number >= 0,
    ``0 <= recency <= T``, and recency is 0 where frequency is 0.
    """
    x, tx, big_t = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (frequency, recency, T)))
    checks = (
        (~np.isfinite(x) | ~np.isfinite(tx) | ~np.isfinite(big_t), "are not finite numbers (NaN or infinite)"),
        ((x < 0) | (x != np.round(x)), "have a frequency that is not a whole number >= 0"),
        (tx < 0, "have a negative recency"),
        (tx > big_t * (1 + 1e-12), "have recency > T (the last use after the end of the calibration period)"),
        ((x == 0) & (tx != 0), "have frequency 0 but recency > 0 (recency is 0 without a repeat use)"),
    )
    for bad, problem in checks:
        count = int(np.count_nonzero(bad))
        if count:
            first = int(np.flatnonzero(bad.ravel())[0])
            example = (x.ravel()[first], tx.ravel()[first], big_t.ravel()[first])
            raise InvalidValueError(
                f"{count:,} customers of the {what} {problem}: e.g. frequency, recency, T = {example}. "
                "frequency = active days - 1, recency = last - first active day, T = calibration end - first "
                "active day, all in one unit: rfm_summary(log) builds them."
            )
    return x.astype(np.float64), tx.astype(np.float64), big_t.astype(np.float64)


def check_horizon(t: npt.ArrayLike) -> FloatArray:
    """Return ``t`` (a length of time, in the summary's unit) as a float array, or raise if it is not >= 0."""
    value = np.asarray(t, dtype=np.float64)
    if not np.all(np.isfinite(value)) or np.any(value < 0):
        raise InvalidOptionError(f"t={t!r}: a length of time must be a finite number >= 0, in the summary's unit.")
    return value


@dataclass(frozen=True)
class Customers:
    """Distinct (frequency, recency, T) rows of a summary and how many customers share each."""

    frequency: FloatArray
    recency: FloatArray
    T: FloatArray
    weight: FloatArray

    @property
    def n(self) -> int:
        """Number of customers."""
        return int(self.weight.sum())

    @property
    def repeat_users(self) -> int:
        """Customers with at least one repeat use (frequency > 0)."""
        return int(self.weight[self.frequency > 0].sum())


def check_min_repeat_users(min_repeat_users: int) -> None:
    """Raise unless ``min_repeat_users`` is a whole number >= 1."""
    if isinstance(min_repeat_users, bool) or not isinstance(min_repeat_users, int) or min_repeat_users < 1:
        raise InvalidOptionError(f"min_repeat_users={min_repeat_users!r}: use a whole number >= 1.")


def customers(summary: Any, *, model: str, min_repeat_users: int) -> Customers:
    """Read, check and group a summary for fitting ``model``."""
    require_scipy()
    check_min_repeat_users(min_repeat_users)
    frame = as_frame(summary)
    x, tx, big_t = as_arrays(*(summary_column(frame, c, "summary") for c in SUMMARY_COLUMNS))
    grouped = (
        pl.DataFrame({"x": x, "tx": tx, "T": big_t})
        .group_by("x", "tx", "T")
        .agg(pl.len().cast(pl.Float64).alias("w"))
        .sort("x", "tx", "T")
    )
    data = Customers(*(grouped[c].to_numpy() for c in ("x", "tx", "T", "w")))
    if data.repeat_users < min_repeat_users:
        raise ModelFitError(
            f"{model} needs at least {min_repeat_users} customers with a repeat use (frequency > 0) to estimate "
            f"its parameters; the summary has {data.repeat_users:,} of {data.n:,} customers. Use a longer "
            "calibration period or more customers (or lower min_repeat_users, at the cost of unstable estimates)."
        )
    return data


@dataclass(frozen=True)
class Coordinates:
    """Where a model's parameters are searched: coordinates theta (bounded boxes) and the map to the parameters.

    Shapes are searched as logs bounded by ``SHAPE_BOUND`` and means (or mean
    probabilities) as logs (logits) bounded by ``MEAN_BOUND``, so that a limit
    model (a shape -> infinity: no heterogeneity) is one coordinate at its edge
    rather than a ridge along which two parameters run away together.
    """

    names: tuple[str, ...]
    to_params: Callable[[FloatArray], FloatArray]
    from_params: Callable[[FloatArray], FloatArray]
    bounds: tuple[tuple[float, float], ...]
    #: d params / d theta (k x k), for models whose likelihood has an analytic gradient.
    jacobian: Callable[[FloatArray], FloatArray] | None = None


def maximise(
    log_likelihood: Callable[[FloatArray], FloatArray],
    weight: FloatArray,
    start: Sequence[float],
    coordinates: Coordinates,
    *,
    model: str,
    score: Callable[[FloatArray], FloatArray] | None = None,
) -> tuple[FloatArray, float]:
    """Maximise ``sum(weight * log_likelihood(params))``.

    ``log_likelihood`` takes the parameters and returns one value per row, each
    counted ``weight`` times; ``start`` is a first guess of the parameters.
    ``score`` (optional, with ``coordinates.jacobian``) returns each row's gradient
    of the log-likelihood with respect to the parameters (rows x parameters): the
    optimiser then uses it instead of finite differences of the likelihood.
    Returns the parameters and the total log-likelihood.
    """
    total = float(weight.sum())

    def objective(theta: FloatArray) -> float:
        with np.errstate(all="ignore"):
            value = -float(np.dot(weight, log_likelihood(coordinates.to_params(theta)))) / total
        return value if np.isfinite(value) else _PENALTY

    gradient = None if score is None else _gradient(score, weight / total, coordinates)

    k = len(coordinates.names)
    lower = np.array([low for low, _ in coordinates.bounds])
    upper = np.array([high for _, high in coordinates.bounds])
    theta0 = np.clip(coordinates.from_params(np.asarray(start, dtype=np.float64)), lower + 1, upper - 1)
    options = {"maxiter": 3000, "ftol": 1e-15, "gtol": 1e-10}
    if gradient is None:
        coarse = minimize(objective, theta0, method="L-BFGS-B", bounds=coordinates.bounds, options=options)
    else:
        exact = gradient

        def with_gradient(theta: FloatArray) -> tuple[float, FloatArray]:
            value, slope = objective(theta), exact(theta)
            return (value, slope) if np.all(np.isfinite(slope)) else (_PENALTY, np.zeros_like(theta))

        coarse = minimize(
            with_gradient, theta0, method="L-BFGS-B", bounds=coordinates.bounds, options=options, jac=True
        )
    best = coarse.x if coarse.fun <= objective(theta0) else theta0
    evaluations = coarse.evaluations
    polished = _newton(objective, best, lower, upper, gradient, customers=total)
    if polished is None:  # no positive-definite curvature where L-BFGS-B stopped: a derivative-free search
        fine = minimize(
            objective,
            best,
            method="Nelder-Mead",
            bounds=coordinates.bounds,
            # the log-likelihood decides: a parameter the data does not pin down may keep a wide simplex
            options={"xatol": np.inf, "fatol": _FATOL, "maxiter": _SIMPLEX_STEPS * k, "maxfev": _SIMPLEX_STEPS * k},
        )
        evaluations += fine.evaluations
        if not fine.success:
            raise ModelFitError(
                f"{model}: the optimiser did not converge after {evaluations:,} evaluations ({fine.message}). "
                "The data may not pin the parameters down: use a longer calibration period or more customers, "
                "or try the other model."
            )
        best = fine.x if fine.fun <= objective(best) else best
        polished = _newton(objective, best, lower, upper, gradient, customers=total)
        best = best if polished is None else polished
    if objective(best) >= _PENALTY or not np.all(np.isfinite(best)):
        raise ModelFitError(
            f"{model}: the log-likelihood is not finite anywhere the optimiser looked ({evaluations:,} evaluations). "
            "Check the summary's unit (recency and T in one unit, e.g. days) and that it has repeat users."
        )
    params = coordinates.to_params(best)
    with np.errstate(all="ignore"):
        ll = float(np.dot(weight, log_likelihood(params)))
    return params, ll


def _gradient(
    score: Callable[[FloatArray], FloatArray], share: FloatArray, coordinates: Coordinates
) -> Callable[[FloatArray], FloatArray] | None:
    """Return the gradient of the objective (mean negative log-likelihood) in the search coordinates, or None."""
    jacobian = coordinates.jacobian
    if jacobian is None:
        return None

    def gradient(theta: FloatArray) -> FloatArray:
        with np.errstate(all="ignore"):
            by_params = -(share @ score(coordinates.to_params(theta)))
        return np.asarray(by_params @ jacobian(theta), dtype=np.float64)

    return gradient


def _newton(
    objective: Callable[[FloatArray], float],
    theta: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    gradient: Callable[[FloatArray], FloatArray] | None = None,
    *,
    customers: float = 1.0,
) -> FloatArray | None:
    """Polish a near-optimum with Newton steps on finite-difference derivatives.

    ``objective`` is the mean negative log-likelihood over ``customers``.
    Coordinates at a bound whose gradient pushes outward stay there (a limit
    model). Directions the data does not pin down stay where they are: a
    Hessian eigenvalue below ``1 / customers`` (the total log-likelihood changes
    by less than 1/2 over a unit step, a factor e in the parameters) with a slope
    of the total log-likelihood below ``_FLAT_SLOPE``. On the other directions the
    Hessian must be positive definite and the gradient below
    ``_GRADIENT_TOLERANCE``, or the Newton step below ``_STEP_TOLERANCE``, or, where
    rounding in the likelihood stops every step, the step's gain in the total
    log-likelihood below ``_NEGLIGIBLE_GAIN``: a proven (constrained) local maximum
    of the likelihood, located to that precision. Returns that point, or None
    when it is not reached. With an analytic
    ``gradient``, the Hessian is its central difference.
    """
    h = 1e-4
    current = objective(theta)
    for _ in range(_NEWTON_STEPS):
        slope, hessian = _derivatives(objective, theta, current, h, gradient)
        pinned = ((theta <= lower) & (slope > 0)) | ((theta >= upper) & (slope < 0))
        free = ~pinned
        if not free.any():
            return theta
        g, curvature = slope[free], hessian[np.ix_(free, free)]
        if not np.all(np.isfinite(curvature)):
            return None
        values, vectors = np.linalg.eigh(curvature)
        along = vectors.T @ g
        flat = values * customers < 1
        if np.any(flat & (np.abs(along) * customers > _FLAT_SLOPE)):
            return None  # a direction that is not convex and still rising: not a maximum yet
        step = np.zeros_like(theta)
        step[free] = vectors[:, ~flat] @ (along[~flat] / values[~flat])
        if np.max(np.abs(along[~flat]), initial=0.0) < _GRADIENT_TOLERANCE or np.max(np.abs(step)) < _STEP_TOLERANCE:
            return theta  # the maximum is within _STEP_TOLERANCE of theta on every pinned-down direction
        # what the step would add to the total log-likelihood, were the objective exactly quadratic
        gain = customers * float(np.sum(along[~flat] ** 2 / values[~flat])) / 2
        for _halving in range(30):  # backtrack until the step improves the objective
            trial = np.clip(theta - step, lower, upper)
            value = objective(trial)
            if value <= current:
                break
            step = step / 2
        else:
            # no step improves the likelihood as computed (rounding): converged if there was nothing left to gain
            return theta if gain < _NEGLIGIBLE_GAIN else None
        theta, current = trial, value
    return None


def _derivatives(
    objective: Callable[[FloatArray], float],
    theta: FloatArray,
    value: float,
    h: float,
    gradient: Callable[[FloatArray], FloatArray] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Gradient and Hessian of ``objective`` at ``theta``: central differences (of ``gradient`` when given)."""
    k = theta.size
    unit = np.eye(k) * h
    if gradient is not None:
        columns = [(gradient(theta + unit[i]) - gradient(theta - unit[i])) / (2 * h) for i in range(k)]
        hessian = np.array(columns)
        return gradient(theta), (hessian + hessian.T) / 2
    plus = np.array([objective(theta + unit[i]) for i in range(k)])
    minus = np.array([objective(theta - unit[i]) for i in range(k)])
    slope = (plus - minus) / (2 * h)
    hessian = np.diag((plus - 2 * value + minus) / h**2)
    for i in range(k):
        for j in range(i + 1, k):
            pp = objective(theta + unit[i] + unit[j])
            pm = objective(theta + unit[i] - unit[j])
            mp = objective(theta - unit[i] + unit[j])
            mm = objective(theta - unit[i] - unit[j])
            hessian[i, j] = hessian[j, i] = (pp - pm - mp + mm) / (4 * h**2)
    return slope, hessian


def _positive_definite(matrix: FloatArray) -> bool:
    try:
        np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        return False
    return bool(np.all(np.isfinite(matrix)))


class RepeatUseModel(ABC):
    """A fitted repeat-use model (BG/NBD or Pareto/NBD): what every such model answers.

    Time is in the unit of the summary it was fitted on (days for
    ``rfm_summary(log)``, weeks with ``unit_days=7``).
    """

    #: The model's name, as ``predict_forgettable(model=...)`` takes it.
    name: ClassVar[str]
    log_likelihood: float
    n: int

    @property
    @abstractmethod
    def params(self) -> dict[str, float]:
        """The fitted parameters by name."""

    @abstractmethod
    def p_alive(self, frequency: npt.ArrayLike, recency: npt.ArrayLike, T: npt.ArrayLike) -> FloatArray:  # noqa: N803 (T: the literature's and the summary's name)
        """Probability that a customer with this history has not stopped using the product by T."""

    @abstractmethod
    def conditional_expected_uses(
        self,
        t: npt.ArrayLike,
        frequency: npt.ArrayLike,
        recency: npt.ArrayLike,
        T: npt.ArrayLike,  # noqa: N803 (T: the literature's and the summary's name)
    ) -> FloatArray:
        """Return the expected uses in the next ``t`` units (T .. T + t) of a customer with this history."""

    def expected_uses(self, t: npt.ArrayLike) -> FloatArray:
        """Return the expected repeat uses in the first ``t`` units after a new customer's first use."""
        return self.conditional_expected_uses(t, 0.0, 0.0, 0.0)

    def log_likelihood_of(self, frequency: npt.ArrayLike, recency: npt.ArrayLike, T: npt.ArrayLike) -> FloatArray:  # noqa: N803 (T: the literature's and the summary's name)
        """Each customer's log-likelihood under the fitted parameters."""
        return self._log_likelihood(*as_arrays(frequency, recency, T))

    @abstractmethod
    def _log_likelihood(self, x: FloatArray, tx: FloatArray, big_t: FloatArray) -> FloatArray: ...

    def predict(self, summary: Any, t: float) -> pl.DataFrame:
        """Return the summary with ``p_alive`` and ``expected_uses`` (in the next ``t`` units) appended (Float64).

        Parameters
        ----------
        summary
            A frame with ``frequency``, ``recency`` and ``T`` in the model's unit.
        t
            The prediction horizon, in the same unit.
        """
        frame = as_frame(summary)
        x, tx, big_t = as_arrays(*(summary_column(frame, c, "summary") for c in SUMMARY_COLUMNS))
        return frame.with_columns(
            p_alive=pl.Series(self.p_alive(x, tx, big_t), dtype=pl.Float64),
            expected_uses=pl.Series(self.conditional_expected_uses(t, x, tx, big_t), dtype=pl.Float64),
        )

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v:.4g}" for k, v in self.params.items())
        return f"{type(self).__name__}({params}; log-likelihood {self.log_likelihood:,.2f}, n={self.n:,})"
