"""The one place that imports scipy (an optional dependency: ``pip install 'stickiness[models]'``).

scipy is imported on first use, never by ``import stickiness``; these typed
wrappers return float64 arrays so the model code stays type-checked.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "FloatArray",
    "Outcome",
    "betaincinv",
    "betaln",
    "digamma",
    "gammaln",
    "hyp2f1",
    "log_rising",
    "minimize",
    "require_scipy",
]

FloatArray = npt.NDArray[np.float64]


def _module(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as err:
        raise ImportError(
            "the repeat-use models (BG/NBD, Pareto/NBD, Gamma-Gamma) need scipy, which is not installed. "
            "Install it with `pip install 'stickiness[models]'` (or `pip install scipy`)."
        ) from err


def require_scipy() -> None:
    """Raise the ImportError that names the install command when scipy is missing."""
    _module("scipy.special")
    _module("scipy.optimize")


def gammaln(x: npt.ArrayLike) -> FloatArray:
    """Return log |Gamma(x)|, elementwise."""
    return np.asarray(_module("scipy.special").gammaln(x), dtype=np.float64)


def betaincinv(a: npt.ArrayLike, b: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
    """Return the quantile function of Beta(a, b) at y, elementwise."""
    return np.asarray(_module("scipy.special").betaincinv(a, b, y), dtype=np.float64)


def betaln(a: npt.ArrayLike, b: npt.ArrayLike) -> FloatArray:
    """Return log |B(a, b)|, elementwise (accurate also where a or b is large, unlike a difference of gammaln)."""
    return np.asarray(_module("scipy.special").betaln(a, b), dtype=np.float64)


def log_rising(r: npt.ArrayLike, x: npt.ArrayLike) -> FloatArray:
    """Return log(Gamma(r + x) / Gamma(r)) for whole x >= 0, as log Gamma(x) - log B(r, x) (0 where x = 0)."""
    r, x = np.broadcast_arrays(np.asarray(r, dtype=np.float64), np.asarray(x, dtype=np.float64))
    positive = np.where(x > 0, x, 1.0)
    return np.where(x > 0, gammaln(positive) - betaln(r, positive), 0.0)


def digamma(x: npt.ArrayLike) -> FloatArray:
    """Return the digamma function (the derivative of log Gamma), elementwise."""
    return np.asarray(_module("scipy.special").digamma(x), dtype=np.float64)


def hyp2f1(a: npt.ArrayLike, b: npt.ArrayLike, c: npt.ArrayLike, z: npt.ArrayLike) -> FloatArray:
    """Return the Gauss hypergeometric function 2F1(a, b; c; z), elementwise."""
    return np.asarray(_module("scipy.special").hyp2f1(a, b, c, z), dtype=np.float64)


@dataclass(frozen=True)
class Outcome:
    """What one scipy.optimize.minimize run returned."""

    x: FloatArray
    fun: float
    success: bool
    message: str
    evaluations: int


def minimize(
    fun: Callable[[FloatArray], Any],
    start: FloatArray,
    *,
    method: str,
    bounds: Sequence[tuple[float, float]],
    options: dict[str, Any],
    jac: bool = False,
) -> Outcome:
    """Run scipy.optimize.minimize and return its outcome as an :class:`Outcome`.

    With ``jac=True``, ``fun`` returns the value and the gradient.
    """
    result = _module("scipy.optimize").minimize(
        fun, start, method=method, bounds=bounds, options=options, jac=jac or None
    )
    return Outcome(
        x=np.asarray(result.x, dtype=np.float64),
        fun=float(result.fun),
        success=bool(result.success),
        message=str(result.message),
        evaluations=int(result.nfev),
    )
