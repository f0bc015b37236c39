"""The options of the use-case metrics, checked once, with errors that say how to fix them."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, get_args

from stickiness._errors import InvalidOptionError
from stickiness.typing import Band

__all__ = ["BANDS", "DEFAULT_BANDS", "MAX_DAYS", "Options", "check_map_options", "check_options"]

#: The habit bands, from the most to the least frequent.
BANDS: tuple[str, ...] = get_args(Band)
#: The longest window, horizon or other day count an option accepts: ten years (a larger one is a typo).
MAX_DAYS = 3650
#: A rate is active days per 30 days, so a threshold above 30 would flag every user.
MAX_RATE = 30.0
#: Lower edges of the banded rates, in active days per 30 days.
DEFAULT_BANDS: Mapping[str, float] = {"daily": 20.0, "weekly": 4.0, "monthly": 1.0}


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


def _whole(value: Any, option: str, minimum: int, hint: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_DAYS:
        raise InvalidOptionError(
            f"{option}={value!r}: use a whole number of days >= {minimum} and at most {MAX_DAYS} ({hint})."
        )
    return int(value)


def _positive(value: Any, option: str, hint: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise InvalidOptionError(f"{option}={value!r}: use a number > 0 ({hint}).")
    return float(value)


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
    threshold: float = 1.0,
    bands: Mapping[str, float] | None = None,
) -> Options:
    """Check the options shared by the use-case metrics; ``as_of`` becomes a date (or None: the log's)."""
    window = _whole(window, "window", 1, "the current window, 90 by default")
    horizon = _whole(horizon, "horizon", 1, "adopters and intervals look this far back, 365 by default")
    if horizon < window:
        raise InvalidOptionError(
            f"horizon={horizon} is shorter than window={window}: the horizon must cover the window. "
            f"Use horizon >= {window}."
        )
    min_exposure = _whole(min_exposure, "min_exposure", 0, "shorter exposure makes a user too_new, 30 by default")
    threshold = _positive(threshold, "threshold", "active days per 30 days below which a user is forgettable")
    if threshold > MAX_RATE:
        raise InvalidOptionError(
            f"threshold={threshold!r}: use a number > 0 and at most {MAX_RATE:g} (a rate is active days per 30 days; "
            "1 by default)."
        )
    day: dt.date | None
    if as_of is None or isinstance(as_of, dt.date):
        day = as_of.date() if isinstance(as_of, dt.datetime) else as_of
    else:
        try:
            day = dt.date.fromisoformat(str(as_of))
        except ValueError as err:
            raise InvalidOptionError(f"as_of={as_of!r} is not a date. Use 'YYYY-MM-DD'.") from err
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
    if (
        isinstance(majority, bool)
        or not isinstance(majority, (int, float))
        or not math.isfinite(majority)
        or not 0 < majority < 1
    ):
        raise InvalidOptionError(
            f"majority={majority!r}: use a share strictly between 0 and 1 (0.5 by default: "
            "a segment is forgettable when more than half its evaluable adopters are)."
        )
    if isinstance(min_users, bool) or not isinstance(min_users, int) or min_users < 1:
        raise InvalidOptionError(
            f"min_users={min_users!r}: use a whole number >= 1 of evaluable adopters needed to judge a segment "
            "(30 by default)."
        )
