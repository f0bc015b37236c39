"""The metrics' options: every default once, with its help, and one family of checks.

Each bundle is a frozen dataclass whose field defaults are *the* defaults of the
kit: the public functions take them as keyword defaults (``horizon: int =
HABITS.horizon``), the command line builds its flags and help from the fields
(``metadata["help"]``, and ``metadata["low"]``/``["high"]`` for the range a flag
accepts), and the notebook templates' parameters cells are checked against them.

>>> from stickiness.options import HABITS, HabitOptions
>>> HabitOptions(window=60).window
60
>>> HabitOptions() == HABITS
True

The checks raise :class:`~stickiness.InvalidOptionError` naming the keyword, the
value and what to give instead:

>>> whole_days(0, "window", "the current window")
Traceback (most recent call last):
...
stickiness.exceptions.InvalidOptionError: window=0: use a whole number of days >= 1 and at most 3650 (...).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeGuard, get_args

from stickiness.exceptions import InvalidOptionError
from stickiness.typing import Band, CohortMode, Engine, MixedOffsets, Period, TimeUnit, WeekStart

__all__ = [
    "ACTIVITY",
    "ADOPTION",
    "BANDS",
    "DEFAULT_BANDS",
    "DEFAULT_HEALTH_BANDS",
    "DEFAULT_WEIGHTS",
    "DORMANCY",
    "FIT",
    "HABITS",
    "HABITS_OVER_TIME",
    "HEALTH",
    "INTERVALS",
    "MAX_DAYS",
    "MAX_RATE",
    "NPS",
    "PERIOD",
    "PREDICTION",
    "READ",
    "RETENTION",
    "WEEK",
    "ZONE",
    "ActivityOptions",
    "AdoptionOptions",
    "DormancyOptions",
    "FitOptions",
    "HabitOptions",
    "HabitsOverTimeOptions",
    "HealthOptions",
    "IntervalOptions",
    "NpsOptions",
    "PeriodOptions",
    "PredictionOptions",
    "ReadOptions",
    "RetentionOptions",
    "ZoneOptions",
    "as_date",
    "number",
    "positive",
    "share",
    "whole",
    "whole_days",
]

#: The longest window, horizon or other day count an option accepts: ten years (a larger one is a typo).
MAX_DAYS = 3650
#: A rate is active days per 30 days, so a threshold above 30 would flag every user.
MAX_RATE = 30.0
#: Days in a week: the shortest MAU window.
WEEK = 7
#: The habit bands, from the most to the least frequent.
BANDS: tuple[str, ...] = get_args(Band)
#: Lower edges of the banded rates, in active days per 30 days.
DEFAULT_BANDS: Mapping[str, float] = MappingProxyType({"daily": 20.0, "weekly": 4.0, "monthly": 1.0})
#: Evaluable users a segment (use cases) or users a period (retention) needs before its rate is judged.
_MIN_USERS = 30
#: Days without activity after which a user is dormant (dormancy) and has left (where users leave).
_DORMANT_AFTER = 90
#: Default weights of the health components (they need not sum to 1: the score divides by their sum).
DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType({"frequency": 0.4, "recency": 0.3, "breadth": 0.3})
#: Default lower cut-offs of the health bands on the 0-100 score (critical is below ``at_risk``).
DEFAULT_HEALTH_BANDS: Mapping[str, float] = MappingProxyType({"healthy": 70.0, "at_risk": 40.0})


def _about(text: str, **bounds: Any) -> dict[str, Any]:
    """Return a field's metadata: its help (for the command line) and the range a flag accepts."""
    return {"help": text, **bounds}


# --- the bundles -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadOptions:
    """How :func:`~stickiness.read_log` reads a log (docs/metrics.md, docs/engines.md)."""

    tz: str = field(default="UTC", metadata=_about("analysis time zone, an IANA name"))
    start: dt.date | str | None = field(
        default=None, metadata=_about("first day to analyse, YYYY-MM-DD (None: first day of the log)")
    )
    as_of: dt.date | str | None = field(
        default=None, metadata=_about("last day to analyse, YYYY-MM-DD (None: last day of the log)")
    )
    time_unit: TimeUnit | None = field(
        default=None, metadata=_about("read times as epoch numbers in this unit (None: told by their size)")
    )
    mixed_offsets: MixedOffsets = field(
        default="error",
        metadata=_about("times with and without UTC offset in one column: fail, or read the latter in tz"),
    )
    engine: Engine = field(default="polars", metadata=_about("engine"))
    encoding: str = field(
        default="utf-8",
        metadata=_about("text encoding of CSV and JSON inputs, log and users table, e.g. latin-1 or cp1252"),
    )
    memory_limit: str | None = field(
        default=None, metadata=_about("bound the engine's memory, e.g. 2GB (DuckDB spills to disk past it)")
    )
    user_tz: str | None = field(
        default="auto",
        metadata=_about("users-table column of each user's time zone (auto: tz, time_zone or timezone; none: off)"),
    )


@dataclass(frozen=True)
class ActivityOptions:
    """Active users: DAU, WAU and MAU (docs/metrics.md)."""

    window: int = field(default=30, metadata=_about("MAU window in days", low=WEEK, high=MAX_DAYS))


@dataclass(frozen=True)
class HabitOptions:
    """The use-case habits: rates, bands, the spectrum and the map (docs/use-cases.md)."""

    by: str | None = field(default="persona", metadata=_about("users-table column to break results down by"))
    window: int = field(default=90, metadata=_about("window W for rates, in days", low=1, high=MAX_DAYS))
    horizon: int = field(default=365, metadata=_about("horizon H for adopters, in days", low=1, high=MAX_DAYS))
    min_exposure: int = field(default=30, metadata=_about("days of exposure to be evaluable", low=0, high=MAX_DAYS))
    threshold: float = field(
        default=1.0, metadata=_about("forgettable below this many days/30", low=0, high=MAX_RATE, open="low")
    )
    bands: Mapping[str, float] | None = field(
        default=None, metadata=_about("lower edges of the daily, weekly, monthly bands (None: 20, 4, 1)")
    )


@dataclass(frozen=True)
class ZoneOptions:
    """When a segment is in the forgettable zone (docs/use-cases.md)."""

    majority: float = field(
        default=0.5, metadata=_about("forgettable share that flags a segment", low=0, high=1, open="low high")
    )
    min_users: int = field(default=_MIN_USERS, metadata=_about("evaluable adopters needed to flag", low=1, high=None))


@dataclass(frozen=True)
class PeriodOptions:
    """The period of retention, cohorts and lifecycle (docs/retention.md)."""

    period: Period = field(default="month", metadata=_about("retention period"))
    week_start: WeekStart = field(
        default="monday", metadata=_about("the day weekly periods start on (read_log(week_start=))")
    )


@dataclass(frozen=True)
class RetentionOptions:
    """Retention's judgement and cohort options (docs/retention.md)."""

    min_users: int = field(
        default=_MIN_USERS,
        metadata=_about("users active in the period before that a retention rate needs to be judged", low=1),
    )
    mode: CohortMode = field(
        default="on", metadata=_about("cohorts: active in exactly that period, or in it or any later one")
    )
    min_age: int = field(
        default=0,
        metadata=_about("one-and-done: count only users first active at least this many days before as_of", low=0),
    )


@dataclass(frozen=True)
class DormancyOptions:
    """Dormancy and the inactivity list (docs/retention.md)."""

    days: int = field(
        default=30, metadata=_about("inactivity list: no activity in this many days", low=1, high=MAX_DAYS)
    )
    k: float = field(
        default=2.0,
        metadata=_about("at risk when the days since the last activity exceed k x the typical interval", low=0),
    )
    limit: int | None = field(
        default=_DORMANT_AFTER,
        metadata=_about("days without activity after which a user is dormant", low=1, high=MAX_DAYS),
    )


@dataclass(frozen=True)
class AdoptionOptions:
    """Where users leave (docs/adoption.md)."""

    limit: int = field(
        default=_DORMANT_AFTER,
        metadata=_about("days without activity after which a user has left (as in dormancy)", low=1, high=MAX_DAYS),
    )
    window: int = field(
        default=90,
        metadata=_about("users active in this many days before as_of - limit are compared", low=1, high=MAX_DAYS),
    )


@dataclass(frozen=True)
class HealthOptions:
    """The health score's own options (docs/scorecards.md)."""

    rate_cap: float = field(default=4.0, metadata=_about("the rate that scores full frequency", low=0))
    recency_days: int = field(default=90, metadata=_about("days of silence that bring recency to 0", low=1))
    weights: Mapping[str, float] = field(
        default_factory=lambda: DEFAULT_WEIGHTS, metadata={"help": "component weights"}
    )
    bands: Mapping[str, float] = field(
        default_factory=lambda: DEFAULT_HEALTH_BANDS, metadata={"help": "lower cut-offs of healthy and at_risk"}
    )


@dataclass(frozen=True)
class FitOptions:
    """The keep / grow / depart matrix (docs/scorecards.md)."""

    depart_below: float = field(default=0.30, metadata=_about("profitability below this: depart", low=0, high=1))
    grow_above: float = field(
        default=0.60, metadata=_about("profitability from this (and a usage rate from grow_rate): grow", low=0, high=1)
    )
    grow_rate: float = field(
        default=4.0, metadata=_about("active days per 30 a customer needs to be one to grow", low=0)
    )
    costs: Sequence[str] = field(
        default=("labour", "communication", "hard_costs"), metadata=_about("the accounts table's monthly cost columns")
    )


@dataclass(frozen=True)
class NpsOptions:
    """The net promoter score (docs/scorecards.md)."""

    min_responses: int = field(
        default=30, metadata=_about("answers a group needs before its NPS is read as a finding", low=1)
    )
    confidence: float = field(
        default=0.95, metadata=_about("confidence of the NPS interval", low=0, high=1, open="low high")
    )


@dataclass(frozen=True)
class PredictionOptions:
    """The repeat-use models' prediction of who will be forgettable (docs/models.md)."""

    horizon_days: int = field(default=30, metadata=_about("days ahead the models predict active days for", low=1))


READ = ReadOptions()
ACTIVITY = ActivityOptions()
HABITS = HabitOptions()
ZONE = ZoneOptions()
PERIOD = PeriodOptions()
RETENTION = RetentionOptions()
DORMANCY = DormancyOptions()
ADOPTION = AdoptionOptions()
HEALTH = HealthOptions()
FIT = FitOptions()
NPS = NpsOptions()
PREDICTION = PredictionOptions()


@dataclass(frozen=True)
class HabitsOverTimeOptions:
    """The habit mix over time, band migration and time to habit (docs/habits-over-time.md)."""

    period: Period = field(
        default="month", metadata=_about("habit mix: one spectrum at the end of each day/week/month")
    )
    periods: int | None = field(
        default=None, metadata=_about("habit mix: the last N period ends (None: each one with a full window)", low=1)
    )
    period_days: int = field(
        default=30, metadata=_about("band migration: days between the two spectrums", low=1, high=MAX_DAYS)
    )
    band: Band = field(default="weekly", metadata=_about("time to habit: the lowest band that counts as a habit"))


HABITS_OVER_TIME = HabitsOverTimeOptions()


# --- the checks ----------------------------------------------------------------------------------------------------


def _is_number(value: object) -> TypeGuard[float]:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def whole(value: object, option: str, hint: str, *, minimum: int, maximum: int | None = None, unit: str = "") -> int:
    """Return ``value`` if it is a whole number in ``[minimum, maximum]``, else raise naming ``option`` and ``hint``.

    >>> whole(0, "min_users", "evaluable adopters to judge a segment", minimum=1)
    Traceback (most recent call last):
    ...
    stickiness.exceptions.InvalidOptionError: min_users=0: use a whole number >= 1 (evaluable adopters ...).
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        upper = f" and at most {maximum}" if maximum is not None else ""
        raise InvalidOptionError(f"{option}={value!r}: use a whole number{unit} >= {minimum}{upper} ({hint}).")
    return int(value)


def whole_days(value: object, option: str, hint: str, *, minimum: int = 1, maximum: int = MAX_DAYS) -> int:
    """Return ``value`` if it is a whole number of days from ``minimum`` to ``maximum`` (ten years), else raise.

    >>> whole_days(400, "horizon", "adopters look this far back", minimum=1)
    400
    """
    return whole(value, option, hint, minimum=minimum, maximum=maximum, unit=" of days")


def positive(value: object, option: str, hint: str, *, maximum: float | None = None) -> float:
    """Return ``value`` as a float if it is a finite number > 0 (and at most ``maximum``), else raise.

    >>> positive(0, "k", "the multiple of the typical interval")
    Traceback (most recent call last):
    ...
    stickiness.exceptions.InvalidOptionError: k=0: use a number > 0 (the multiple of the typical interval).
    """
    if _is_number(value) and value > 0 and (maximum is None or value <= maximum):
        return float(value)
    upper = f" and at most {maximum:g}" if maximum is not None else ""
    raise InvalidOptionError(f"{option}={value!r}: use a number > 0{upper} ({hint}).")


def number(value: object, option: str, hint: str, *, low: float | None = None, high: float | None = None) -> float:
    """Return ``value`` as a float if it is a finite number in ``[low, high]``, else raise.

    >>> number(120, "bands['healthy']", "a score from 0 to 100", low=0, high=100)
    Traceback (most recent call last):
    ...
    stickiness.exceptions.InvalidOptionError: bands['healthy']=120: use a number between 0 and 100 (...).
    """
    if _is_number(value) and (low is None or value >= low) and (high is None or value <= high):
        return float(value)
    bounds = {
        (True, True): f" between {low} and {high}",
        (True, False): f" >= {low}",
        (False, True): f" <= {high}",
        (False, False): "",
    }[(low is not None, high is not None)]
    raise InvalidOptionError(f"{option}={value!r}: use a number{bounds} ({hint}).")


def share(value: object, option: str, hint: str) -> float:
    """Return ``value`` as a float if it is a share strictly between 0 and 1, else raise.

    >>> share(0.5, "majority", "flags a segment")
    0.5
    >>> share(1, "majority", "flags a segment")
    Traceback (most recent call last):
    ...
    stickiness.exceptions.InvalidOptionError: majority=1: use a share strictly between 0 and 1 (flags a segment).
    """
    if _is_number(value) and 0 < value < 1:
        return float(value)
    raise InvalidOptionError(f"{option}={value!r}: use a share strictly between 0 and 1 ({hint}).")


def as_date(value: dt.date | str | None, option: str) -> dt.date | None:
    """Return ``value`` as a date (a datetime gives its date; text is read as ``YYYY-MM-DD``), None as None.

    >>> as_date("2024-05-01", "as_of")
    datetime.date(2024, 5, 1)
    >>> as_date("May 1", "as_of")
    Traceback (most recent call last):
    ...
    stickiness.exceptions.InvalidOptionError: as_of='May 1' is not a date. Use 'YYYY-MM-DD'.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as err:
        raise InvalidOptionError(f"{option}={value!r} is not a date. Use 'YYYY-MM-DD'.") from err


# --- intervals (docs/intervals.md) ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntervalOptions:
    """The intervals on the ratios the metrics report (docs/intervals.md)."""

    confidence: float = field(
        default=0.95, metadata=_about("confidence of every ratio's interval", low=0, high=1, open="low high")
    )


INTERVALS = IntervalOptions()
