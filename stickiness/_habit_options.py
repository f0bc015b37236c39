"""The options of the use-case metrics, checked once, with errors that say how to fix them."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass

from stickiness.exceptions import InvalidOptionError
from stickiness.options import DEFAULT_BANDS, HABITS, MAX_RATE, ZONE, as_date, positive, share, whole, whole_days

__all__ = ["Options", "check_map_options", "check_options"]


@dataclass(frozen=True)
class Options:
    """The checked options of the use-case metrics."""

    by: str | None
    as_of: dt.date | None
    window: int
    horizon: int
    min_exposure: int
    threshold: float
    bands: tuple[float, float, float]  # daily, weekly, monthly lower edges


def _check_bands(bands: Mapping[str, float] | None) -> tuple[float, float, float]:
    if bands is None:
        return (DEFAULT_BANDS["daily"], DEFAULT_BANDS["weekly"], DEFAULT_BANDS["monthly"])
    if not isinstance(bands, Mapping):
        raise InvalidOptionError(
            f"bands={bands!r}: give the lower edges as a dict, e.g. {{'daily': 20, 'weekly': 4, 'monthly': 1}}."
        )
    unknown = sorted(set(bands) - set(DEFAULT_BANDS))
    if unknown:
        raise InvalidOptionError(
            f"bands={dict(bands)!r}: unknown band(s) {unknown}. Give edges for 'daily', 'weekly' and 'monthly' "
            "(occasional is any rate > 0 below monthly; lapsed is a rate of 0)."
        )
    edges = {**DEFAULT_BANDS, **bands}
    values = [edges[name] for name in ("daily", "weekly", "monthly")]
    for name, value in zip(("daily", "weekly", "monthly"), values, strict=True):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise InvalidOptionError(
                f"bands[{name!r}]={value!r}: a band edge is a number of active days per 30 days > 0."
            )
    if not values[0] > values[1] > values[2]:
        raise InvalidOptionError(
            f"bands={edges!r}: the edges must be strictly decreasing (daily > weekly > monthly > 0), "
            "e.g. {'daily': 20, 'weekly': 4, 'monthly': 1}."
        )
    return (float(values[0]), float(values[1]), float(values[2]))


def check_options(
    *,
    by: str | None,
    as_of: dt.date | str | None,
    window: int,
    horizon: int,
    min_exposure: int,
    threshold: float = HABITS.threshold,
    bands: Mapping[str, float] | None = None,
) -> Options:
    """Check the options shared by the use-case metrics; ``as_of`` becomes a date (or None: the log's)."""
    window = whole_days(window, "window", f"the current window, {HABITS.window} by default")
    horizon = whole_days(horizon, "horizon", f"adopters and intervals look this far back, {HABITS.horizon} by default")
    if horizon < window:
        raise InvalidOptionError(
            f"horizon={horizon} is shorter than window={window}: the horizon must cover the window. "
            f"Use horizon >= {window}."
        )
    min_exposure = whole_days(
        min_exposure,
        "min_exposure",
        f"shorter exposure makes a user too_new, {HABITS.min_exposure} by default",
        minimum=0,
    )
    threshold = positive(
        threshold,
        "threshold",
        f"active days per 30 days below which a user is forgettable, at most {MAX_RATE:g}; "
        f"{HABITS.threshold:g} by default",
        maximum=MAX_RATE,
    )
    day = as_date(as_of, "as_of")
    return Options(
        by=by,
        as_of=day,
        window=window,
        horizon=horizon,
        min_exposure=min_exposure,
        threshold=threshold,
        bands=_check_bands(bands),
    )


def check_map_options(majority: float, min_users: int) -> None:
    """Check the options only the use-case map uses."""
    share(
        majority,
        "majority",
        f"{ZONE.majority:g} by default: a segment is forgettable when more than half its evaluable adopters are",
    )
    whole(
        min_users, "min_users", f"evaluable adopters needed to judge a segment, {ZONE.min_users} by default", minimum=1
    )
