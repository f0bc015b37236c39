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

from collections.abc import Callable
from typing import TYPE_CHECKING

import polars as pl

from stickiness.exceptions import InvalidOptionError
from stickiness.options import INTERVALS

if TYPE_CHECKING:  # numpy and scipy load on first use: `import stickiness` stays light (tests/test_api.py)
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "CONFIDENCE",
    "SMALL_SAMPLE",
    "bootstrap_mean_interval",
    "bootstrap_ratio_interval",
    "check_confidence",
    "proportion_interval",
    "with_bootstrap_interval",
    "with_proportion_interval",
]

#: The confidence of every interval the kit reports (its one default: :class:`~stickiness.options.IntervalOptions`).
CONFIDENCE = INTERVALS.confidence
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


def bootstrap_ratio_interval(
    counts: npt.ArrayLike,
    numerator: npt.ArrayLike,
    denominator: npt.ArrayLike,
    *,
    confidence: float = CONFIDENCE,
    resamples: int = 1000,
    seed: int = 0,
) -> tuple[float, float]:
    """Return a percentile bootstrap interval of a ratio of two user counts, from the users per kind.

    ``counts[i]`` users are of kind i; each counts ``numerator[i]`` times above the line and
    ``denominator[i]`` times below it. Retention is (retained + resurrected) / (retained + churned):
    kinds retained (1, 1), churned (0, 1) and resurrected (1, 0). Users are resampled with replacement
    (a multinomial on the counts); resamples with an empty denominator are left out. Seeded: the same
    counts give the same interval. (nan, nan) without users or with an empty denominator.

    >>> low, high = bootstrap_ratio_interval([30, 10, 5], [1, 0, 1], [1, 1, 0])  # (30 + 5) / (30 + 10) = 0.875
    >>> round(low, 2), round(high, 2)
    (0.69, 1.06)
    """
    import numpy as np

    level = check_confidence(confidence)
    n = np.asarray(counts, dtype=np.int64)
    users = int(n.sum())
    if users == 0 or int(n @ np.asarray(denominator, dtype=np.int64)) == 0:
        return (float("nan"), float("nan"))
    draws = np.random.default_rng(seed).multinomial(users, n / users, size=resamples)
    above = draws @ np.asarray(numerator, dtype=np.float64)
    below = draws @ np.asarray(denominator, dtype=np.float64)
    ratios = above[below > 0] / below[below > 0]
    low, high = np.quantile(ratios, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def with_bootstrap_interval(
    frame: pl.DataFrame,
    columns: list[str],
    interval: Callable[..., tuple[float, float]],
    *,
    prefix: str,
    users: str,
    decimals: int | None = 4,
) -> pl.DataFrame:
    """Add ``{prefix}_low``, ``{prefix}_high`` and ``small_sample`` (``users`` below :data:`SMALL_SAMPLE`).

    ``interval(*row)`` gives the bounds of a row from its ``columns``; it is called once per row of a
    result table (a period x segment, never an event) and is seeded, so equal inputs get equal bounds.

    >>> table = pl.DataFrame({"kept": [30], "lost": [10], "base": [40]})
    >>> def ratio(kept, lost):
    ...     return bootstrap_ratio_interval([kept, lost], [1, 0], [1, 1])
    >>> with_bootstrap_interval(table, ["kept", "lost"], ratio, prefix="share", users="base").row(0)
    (30, 10, 40, 0.6, 0.875, False)
    """
    found: dict[tuple[object, ...], tuple[float, float]] = {}  # equal rows give equal bounds: compute each once

    def bounds_of(row: tuple[object, ...]) -> tuple[float, float]:
        key = tuple(tuple(v) if isinstance(v, list) else v for v in row)
        if key not in found:
            found[key] = interval(*row)
        return found[key]

    bounds = [bounds_of(row) for row in frame.select(columns).iter_rows()]  # a result row, never an event
    names = (f"{prefix}_low", f"{prefix}_high")
    columns_out = [
        pl.Series(names[0], [low for low, _ in bounds], dtype=pl.Float64).fill_nan(None),
        pl.Series(names[1], [high for _, high in bounds], dtype=pl.Float64).fill_nan(None),
    ]
    if decimals is not None:
        columns_out = [bound.round(decimals) for bound in columns_out]
    small = pl.col(users).fill_null(0) < SMALL_SAMPLE
    if "small_sample" in frame.columns:
        small = pl.col("small_sample") | small
    return frame.with_columns(*columns_out).with_columns(small_sample=small)
