"""Plain references for the intervals (docs/intervals.md), independent of ``stickiness.intervals``.

- :func:`exact`: the Clopper-Pearson interval from scipy's own binomial test, rounded as the tables print it;
- :func:`bootstrap_users`: a percentile bootstrap that resamples an explicit list of users with
  ``rng.integers`` (not a multinomial on a histogram, as the kit does): the same idea, other draws.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import polars as pl
from scipy.stats import binomtest

#: Users below which a row is a small sample (the contract's 30, written again here on purpose).
SMALL = 30


def exact(successes: int, trials: int, confidence: float = 0.95) -> tuple[float | None, float | None]:
    """The exact interval of ``successes / trials`` to 4 decimals; (None, None) without trials."""
    if trials == 0:
        return (None, None)
    ci = binomtest(successes, trials).proportion_ci(confidence_level=confidence, method="exact")
    return (round(float(ci.low), 4), round(float(ci.high), 4))


def bootstrap_users(
    users: Sequence[Sequence[float]],
    statistic: Callable[[np.ndarray], float],
    *,
    confidence: float = 0.95,
    resamples: int = 2000,
    seed: int = 1,
) -> tuple[float, float]:
    """Resample the rows of ``users`` (one per user) with replacement, ``resamples`` times, and take quantiles."""
    table = np.asarray(users, dtype=np.float64)
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(resamples):  # deliberately a loop: one resample at a time
        picked = table[rng.integers(0, len(table), size=len(table))]
        values.append(statistic(picked))
    finite = [v for v in values if np.isfinite(v)]
    low, high = np.quantile(finite, [(1 - confidence) / 2, (1 + confidence) / 2])
    return float(low), float(high)


def check_exact_columns(table: pl.DataFrame, successes: str, trials: str, prefix: str) -> None:
    """Assert ``{prefix}_low/_high`` equal scipy's exact interval of each row's counts, and ``small_sample``."""
    for row in table.iter_rows(named=True):
        expected = exact(row[successes], row[trials])
        assert (row[f"{prefix}_low"], row[f"{prefix}_high"]) == expected, row
        assert row["small_sample"] == (row[trials] < SMALL) or row["small_sample"], row
