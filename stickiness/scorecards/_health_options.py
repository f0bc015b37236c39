"""The health score's options (weights, extra columns, bands), checked once, with errors that say the fix."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import get_args

from stickiness.exceptions import InvalidOptionError
from stickiness.options import DEFAULT_HEALTH_BANDS, DEFAULT_WEIGHTS, HEALTH, number, positive, whole
from stickiness.typing import Direction, HealthBand

__all__ = [
    "COMPONENTS",
    "DEFAULT_HEALTH_BANDS",
    "DEFAULT_WEIGHTS",
    "HEALTH_BANDS",
    "Direction",
    "Extra",
    "ExtraSpec",
    "HealthOptions",
    "check_health_options",
]

#: An extra column's spec: which way is better, optionally with fixed bounds ``(direction, low, high)``.
ExtraSpec = Direction | tuple[Direction, float, float]
#: The usage components, always computed (breadth only with a catalog).
COMPONENTS: tuple[str, ...] = ("frequency", "recency", "breadth")
#: The health bands, from the best.
HEALTH_BANDS: tuple[str, ...] = get_args(HealthBand)
#: Output columns an extra column may not be named after.
RESERVED: frozenset[str] = frozenset(
    {
        "user",
        "persona",
        "in_accounts",
        "too_new",
        "last_active",
        "days_since",
        "active_days",
        "exposure",
        "rate",
        "use_cases_used",
        "use_cases_available",
        *COMPONENTS,
        "score",
        "band",
        "weakest",
    }
)


@dataclass(frozen=True)
class Extra:
    """One extra column of the accounts table: ``higher`` is better or not, and fixed bounds if given."""

    column: str
    higher: bool
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class HealthOptions:
    """The checked options of :func:`stickiness.scorecards.health_score`."""

    weights: Mapping[str, float]
    extras: tuple[Extra, ...]
    healthy: float
    at_risk: float
    rate_cap: float
    recency_days: int


def _extra(column: str, spec: object) -> Extra:
    example = f"extra={{{column!r}: 'lower'}} or {{{column!r}: ('lower', 0, 10)}}"
    if column in RESERVED:
        raise InvalidOptionError(
            f"extra column {column!r} has the name of an output column of health_score. Rename it in the "
            "accounts table first (e.g. accounts.rename(...))."
        )
    if spec in ("higher", "lower"):
        return Extra(column, higher=spec == "higher")
    if isinstance(spec, tuple) and len(spec) == 3 and spec[0] in ("higher", "lower"):
        low = number(spec[1], f"extra[{column!r}] low", "the value that scores as worst or best")
        high = number(spec[2], f"extra[{column!r}] high", "the value that scores as best or worst")
        if not low < high:
            raise InvalidOptionError(f"extra[{column!r}]={spec!r}: the bounds must satisfy low < high, e.g. {example}.")
        return Extra(column, higher=spec[0] == "higher", low=low, high=high)
    raise InvalidOptionError(
        f"extra[{column!r}]={spec!r}: say which way is better, 'higher' or 'lower', optionally with fixed bounds: "
        f"{example}."
    )


def _weights(weights: Mapping[str, float] | None, extras: tuple[Extra, ...]) -> dict[str, float]:
    names = [*COMPONENTS, *(e.column for e in extras)]
    if weights is None:
        if extras:
            raise InvalidOptionError(
                f"extra columns {[e.column for e in extras]} need a weight each: pass weights=, e.g. "
                f"{ {**DEFAULT_WEIGHTS, **{e.column: 0.2 for e in extras}} }."
            )
        return dict(DEFAULT_WEIGHTS)
    if not isinstance(weights, Mapping):
        raise InvalidOptionError(
            f"weights={weights!r}: give a dict of component -> weight, e.g. {dict(DEFAULT_WEIGHTS)}."
        )
    unknown = sorted(set(weights) - set(names))
    if unknown:
        raise InvalidOptionError(
            f"weights names {unknown}, which are neither components {list(COMPONENTS)} nor extra columns "
            f"{[e.column for e in extras]}. Add them to extra= or drop them."
        )
    unweighted = [e.column for e in extras if e.column not in weights]
    if unweighted:
        raise InvalidOptionError(f"extra columns {unweighted} have no weight: add them to weights=.")
    out = {name: 0.0 for name in names}
    for name, value in weights.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise InvalidOptionError(f"weights[{name!r}]={value!r}: a weight is a number >= 0.")
        out[name] = float(value)
    if not any(out.values()):
        raise InvalidOptionError(f"weights={dict(weights)!r}: at least one weight must be > 0.")
    return out


def _bands(bands: Mapping[str, float] | None) -> tuple[float, float]:
    if bands is None:
        return DEFAULT_HEALTH_BANDS["healthy"], DEFAULT_HEALTH_BANDS["at_risk"]
    if not isinstance(bands, Mapping) or set(bands) - {"healthy", "at_risk"}:
        raise InvalidOptionError(
            f"bands={bands!r}: give the lower cut-offs of 'healthy' and 'at_risk' on the 0-100 score, e.g. "
            f"{dict(DEFAULT_HEALTH_BANDS)} (critical is below at_risk)."
        )
    edges = {**DEFAULT_HEALTH_BANDS, **bands}
    healthy = number(edges["healthy"], "bands['healthy']", "a score from 0 to 100", low=0, high=100)
    at_risk = number(edges["at_risk"], "bands['at_risk']", "a score from 0 to 100", low=0, high=100)
    if not healthy > at_risk:
        raise InvalidOptionError(f"bands={edges!r}: healthy must be above at_risk, e.g. {dict(DEFAULT_HEALTH_BANDS)}.")
    return healthy, at_risk


def check_health_options(
    *,
    weights: Mapping[str, float] | None,
    extra: Mapping[str, ExtraSpec] | None,
    bands: Mapping[str, float] | None,
    rate_cap: float,
    recency_days: int,
    has_accounts: bool,
) -> HealthOptions:
    """Check the health score's own options (the usage options are checked by ``use_case_rates``)."""
    if extra is not None and not isinstance(extra, Mapping):
        raise InvalidOptionError(f"extra={extra!r}: give a dict of column -> 'higher' or 'lower'.")
    extras = tuple(_extra(column, spec) for column, spec in (extra or {}).items())
    if extras and not has_accounts:
        raise InvalidOptionError(
            f"extra={dict(extra or {})!r} names columns of an accounts table: pass accounts= as well."
        )
    healthy, at_risk = _bands(bands)
    return HealthOptions(
        weights=_weights(weights, extras),
        extras=extras,
        healthy=healthy,
        at_risk=at_risk,
        rate_cap=positive(rate_cap, "rate_cap", f"the rate that scores full frequency, {HEALTH.rate_cap:g} by default"),
        recency_days=whole(
            recency_days,
            "recency_days",
            f"days of silence that bring recency to 0, {HEALTH.recency_days} by default",
            minimum=1,
        ),
    )
