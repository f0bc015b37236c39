"""Intervals on ratios: exact (Clopper-Pearson) for proportions, a seeded bootstrap over users otherwise.

Every ratio a table reports (DAU/MAU, retention, churn, band shares, adoption) is an estimate from a
sample of users, so it comes with a 95% interval and a ``small_sample`` flag (the contract:
docs/intervals.md). The functions here work on *result* tables (one row per day, segment or band,
never per event), so numpy over their columns is cheap.

>>> import polars as pl
>>> from stickiness.intervals import with_proportion_interval
>>> table = pl.DataFrame({"users": [3, 0], "evaluable": [10, 0]})
>>> with_proportion_interval(table, "users", "evaluable", prefix="share").rows()
[(3, 10, 0.0667, 0.6525, True), (0, 0, None, None, True)]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from stickiness.exceptions import InvalidOptionError

if TYPE_CHECKING:  # numpy and scipy load on first use: `import stickiness` stays light (tests/test_api.py)
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "CONFIDENCE",
    "SMALL_SAMPLE",
    "bootstrap_mean_interval",
    "check_confidence",
    "proportion_interval",
    "with_proportion_interval",
]

#: The confidence of every interval the kit reports.
CONFIDENCE = 0.95
#: A ratio over fewer users than this is marked ``small_sample``: its interval is wide, read it with care.
SMALL_SAMPLE = 30


def check_confidence(confidence: float) -> float:
    """Return ``confidence`` when it is a probability strictly between 0 and 1, else raise a clear error.

    >>> check_confidence(0.9)
    0.9
    """
    if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not 0 < confidence < 1:
        raise InvalidOptionError(
            f"confidence={confidence!r}: use a number strictly between 0 and 1, e.g. {CONFIDENCE} for 95% intervals."
        )
    return float(confidence)


def proportion_interval(
    successes: npt.ArrayLike, trials: npt.ArrayLike, *, confidence: float = CONFIDENCE
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Return the exact (Clopper-Pearson) interval of ``successes / trials``, elementwise.

    The bounds are the Beta quantiles ``B(a/2; x, n-x+1)`` and ``B(1-a/2; x+1, n-x)``, with 0 at
    ``x = 0`` and 1 at ``x = n``; NaN where ``trials`` is 0 (no estimate).

    >>> low, high = proportion_interval([3, 10], [10, 10])
    >>> [round(float(v), 4) for v in (*low, *high)]
    [0.0667, 0.6915, 0.6525, 1.0]
    """
    import numpy as np

    from stickiness.models._scipy import betaincinv

    alpha = 1 - check_confidence(confidence)
    x = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    valid = n > 0
    # keep the Beta parameters positive where the bound is fixed (0, 1) or undefined (n = 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(x > 0, betaincinv(np.maximum(x, 1), np.maximum(n - x + 1, 1), alpha / 2), 0.0)
        high = np.where(x < n, betaincinv(np.maximum(x + 1, 1), np.maximum(n - x, 1), 1 - alpha / 2), 1.0)
    return np.where(valid, low, np.nan), np.where(valid, high, np.nan)


def with_proportion_interval(
    frame: pl.DataFrame,
    successes: str,
    trials: str,
    *,
    prefix: str,
    confidence: float = CONFIDENCE,
    decimals: int | None = 4,
) -> pl.DataFrame:
    """Add ``{prefix}_low``, ``{prefix}_high`` (null without trials) and ``small_sample`` to ``frame``.

    ``small_sample`` is true when ``trials`` is below :data:`SMALL_SAMPLE` (an existing
    ``small_sample`` column is or-ed with it, so a table with two ratios marks a row once).
    ``decimals`` rounds the bounds (None keeps full precision).

    >>> table = pl.DataFrame({"retained": [40], "cohort": [50]})
    >>> with_proportion_interval(table, "retained", "cohort", prefix="retention").row(0)
    (40, 50, 0.6628, 0.8997, False)
    """
    low, high = proportion_interval(frame[successes].to_numpy(), frame[trials].to_numpy(), confidence=confidence)
    bounds = [pl.Series(f"{prefix}_low", low).fill_nan(None), pl.Series(f"{prefix}_high", high).fill_nan(None)]
    if decimals is not None:
        bounds = [bound.round(decimals) for bound in bounds]
    small = pl.col(trials).fill_null(0) < SMALL_SAMPLE
    if "small_sample" in frame.columns:
        small = pl.col("small_sample") | small
    return frame.with_columns(*bounds).with_columns(small_sample=small)


def bootstrap_mean_interval(
    values: npt.ArrayLike,
    weights: npt.ArrayLike,
    *,
    scale: float = 1.0,
    confidence: float = CONFIDENCE,
    resamples: int = 1000,
    seed: int = 0,
) -> tuple[float, float]:
    """Return a percentile bootstrap interval of ``scale x`` the mean over users, from their histogram.

    ``values[i]`` is a per-user value and ``weights[i]`` how many users have it (e.g. active days in
    the month and users with that many). Resampling users with replacement is the same as drawing
    each resample's histogram from a multinomial on the weights, so no per-user rows are needed.
    Seeded: the same input gives the same interval. (nan, nan) without users.

    >>> low, high = bootstrap_mean_interval([1, 30], [50, 50], scale=1 / 30)  # the mean: 15.5 / 30 = 0.517
    >>> round(low, 2), round(high, 2)
    (0.42, 0.61)
    """
    import numpy as np

    level = check_confidence(confidence)
    v = np.asarray(values, dtype=np.float64)
    w = np.asarray(weights, dtype=np.int64)
    users = int(w.sum())
    if users == 0:
        return (float("nan"), float("nan"))
    draws = np.random.default_rng(seed).multinomial(users, w / users, size=resamples)
    means = draws @ v / users * scale
    low, high = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)
