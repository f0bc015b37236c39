"""Turn a time column of any supported type into the calendar day in the analysis time zone.

Rules (the contract is docs/metrics.md, "Days and time zones"):

- time-zone-aware timestamps are instants: converted to ``tz``, then the date is taken;
- naive timestamps and ISO strings without an offset are wall-clock times *in* ``tz``:
  their date is the day, whatever the daylight-saving rules;
- ISO-8601 dates in the basic format (``19970101``) are days;
- ISO-8601 strings with an offset (``Z``, ``+02:00``, ``+0200``, ``+02``) are instants;
- a clock time must exist: hour 00-23, minute 00-59, second 00-60 (60 is a leap second,
  read as second 59 of the same minute, so it stays on its day);
- numbers (or text of 9 or more digits) are epoch times in ``time_unit`` (``"s"``, ``"ms"``,
  ``"us"``, ``"ns"``), i.e. instants; without ``time_unit`` the unit is inferred from
  their magnitude (:func:`unit_for`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from stickiness.exceptions import InvalidOptionError
from stickiness.typing import TimeUnit

__all__ = [
    "EPOCH_DAYS",
    "DayParse",
    "EpochGuess",
    "TimeUnit",
    "check_epoch_days",
    "epoch_numbers",
    "epoch_seconds",
    "guess_unit",
    "in_zone",
    "likely_unit",
    "parse_day",
    "unit_for",
]

_TO_MICROS = {"s": 1_000_000, "ms": 1_000, "us": 1, "ns": 0.001}
_PER_SECOND: dict[TimeUnit, int] = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}
_UNIT_NAMES: dict[TimeUnit, str] = {"s": "seconds", "ms": "milliseconds", "us": "microseconds", "ns": "nanoseconds"}

# A clock time that exists: hour 00-23, minute 00-59, second 00-60 (60: a leap second).
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d(?::(?:[0-5]\d|60)(?:\.\d+)?)?"
_OFFSET = r"(?:Z|z|UTC|[+-]\d{2}(?::?\d{2})?)"
OFFSET_TEXT = rf"^\d{{4}}-\d{{2}}-\d{{2}}[T ]{_TIME}\s*{_OFFSET}$"
NAIVE_TEXT = rf"^\d{{4}}-\d{{2}}-\d{{2}}(?:[T ]{_TIME})?$"
COMPACT_DATE = r"^\d{8}$"  # ISO-8601 basic format, YYYYMMDD
# Epoch numbers as text: 9 or more digits (1e8 s is 1973-03-03), so an 8-digit YYYYMMDD stays a date
# and short numbers ("0", "42") stay unparseable rather than landing in 1970.
EPOCH_TEXT = r"^\d{9,}(?:\.\d+)?$"

#: Days an epoch time is expected to fall on; outside them the unit is almost surely wrong.
EPOCH_DAYS = (dt.date(1980, 1, 1), dt.date(2200, 12, 31))
#: Epoch values of EPOCH_DAYS' bounds in seconds: 1980-01-01T00:00Z and 2201-01-01T00:00Z.
_EPOCH_SECONDS = (315_532_800, 7_289_654_400)
#: How many rows the unit is inferred from (the first ones: one short read).
GUESS_SAMPLE = 100_000


@dataclass(frozen=True)
class DayParse:
    """Expressions that read one time column.

    ``day`` is the Date in ``tz`` (null when the value is null or unparseable);
    ``has_offset`` / ``is_naive_text`` flag text values with and without a UTC
    offset, so a column that mixes both can be reported.
    """

    day: pl.Expr
    has_offset: pl.Expr
    is_naive_text: pl.Expr


@dataclass(frozen=True)
class EpochGuess:
    """The unit inferred for a column's epoch numbers, and the evidence: their median absolute value."""

    unit: TimeUnit
    median: float

    def describe(self, column: str) -> str:
        """Say what was inferred, for the ledger's notes."""
        return (
            f"the time column {column!r} holds epoch numbers: read as {_UNIT_NAMES[self.unit]} since "
            f"1970-01-01 UTC, inferred from their magnitude (median about {self.median:.1e}); "
            "pass time_unit= to choose the unit"
        )


def unit_for(magnitude: float) -> TimeUnit:
    """Return the epoch unit implied by a typical absolute value.

    Cut-offs: below 1e11 seconds, below 1e14 milliseconds, below 1e17
    microseconds, else nanoseconds. Each unit's values for 1973-2286 lie in its band
    (1e9 s is 2001-09-09, 1e12 ms and 1e15 us and 1e18 ns the same instant).

    >>> unit_for(1_709_856_000), unit_for(1_709_856_000_000), unit_for(1.7e15), unit_for(1.7e18)
    ('s', 'ms', 'us', 'ns')
    """
    for unit, cut in (("s", 1e11), ("ms", 1e14), ("us", 1e17)):
        if magnitude < cut:
            return unit  # type: ignore[return-value]
    return "ns"


def likely_unit(magnitude: float) -> TimeUnit | None:
    """Return the unit in which ``magnitude`` falls between 1980 and 2200 (:data:`EPOCH_DAYS`), or None.

    The four ranges do not overlap, so at most one unit fits.

    >>> likely_unit(1_709_856_000), likely_unit(1_709_856_000_000), likely_unit(45_000)
    ('s', 'ms', None)
    """
    low, high = _EPOCH_SECONDS
    for unit, per_second in _PER_SECOND.items():
        if low * per_second <= magnitude < high * per_second:
            return unit
    return None


def epoch_numbers(column: str, dtype: pl.DataType) -> pl.Expr | None:
    """Return the values of ``column`` that read as epoch numbers, as Float64 (others null).

    Numbers are all epoch numbers; in text, values of 9 or more digits (after
    trimming) are. None when the column cannot hold epoch numbers (timestamps, dates).
    """
    col = pl.col(column)
    if dtype.is_integer() or dtype.is_float():
        return col.cast(pl.Float64)
    if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
        text = col.cast(pl.String).str.strip_chars()
        return pl.when(text.str.contains(EPOCH_TEXT)).then(text.cast(pl.Float64, strict=False))
    return None


def guess_unit(frame: pl.LazyFrame, column: str, dtype: pl.DataType) -> EpochGuess | None:
    """Infer the epoch unit of ``column`` from the median absolute value of its epoch numbers.

    One short read: the epoch numbers among the first :data:`GUESS_SAMPLE` rows (a
    scan stops there). None when those rows hold no epoch numbers (ISO text,
    timestamps): text epoch numbers further down are then unparseable.

    >>> import polars as pl
    >>> guess_unit(pl.LazyFrame({"ts": ["1709856000", "2024-03-08", None]}), "ts", pl.String)
    EpochGuess(unit='s', median=1709856000.0)
    """
    numbers = epoch_numbers(column, dtype)
    if numbers is None:
        return None
    # The first rows, not the first epoch numbers: a column of ISO text would otherwise be read to its end.
    median = frame.head(GUESS_SAMPLE).select(numbers.abs().median()).collect().item()
    if median is None:
        return None
    return EpochGuess(unit=unit_for(float(median)), median=float(median))


def epoch_seconds(column: str, dtype: pl.DataType, unit: TimeUnit, *, given: bool) -> pl.Expr:
    """Return the values read as epoch numbers in ``unit``, as Float64 seconds since 1970 (others null).

    In floats, so that a wrong unit (ns read as s) gives a huge number rather than an
    overflow: :func:`check_epoch_days` judges them. ``given``: ``time_unit`` was passed,
    so every value is read as a number, as :func:`parse_day` does.
    """
    numbers = pl.col(column).cast(pl.Float64, strict=False) if given else epoch_numbers(column, dtype)
    assert numbers is not None
    return numbers / _PER_SECOND[unit]


def _when(seconds: float) -> str:
    """Return an epoch second as a date, or its year when the date is beyond Python's (year 1-9999)."""
    try:
        return str(dt.date(1970, 1, 1) + dt.timedelta(seconds=seconds))
    except OverflowError:
        return f"the year {1970 + seconds / 31_556_952:,.0f}"


def check_epoch_days(
    first: float | None,
    last: float | None,
    *,
    column: str,
    unit: TimeUnit,
    median: float | None,
    given: bool,
    earliest: dt.date | None = None,
) -> None:
    """Raise :class:`InvalidOptionError` when epoch times in ``unit`` land outside 1980-2200.

    ``first`` and ``last`` are the earliest and latest times read, in epoch seconds
    (rows kept out by ``start``/``as_of`` excluded), ``median`` the median absolute
    epoch value, ``given`` whether ``time_unit`` was passed (else inferred). Times
    after 2200 are an error only when the median fits another unit (or none): a few
    far-future rows are set aside as future_time. ``earliest`` (the ``start``
    option) lowers the 1980 bound.

    >>> check_epoch_days(1_709_856, 1_709_856, column="ts", unit="ms", median=1_709_856_000, given=True)
    Traceback (most recent call last):
    ...
    stickiness.exceptions.InvalidOptionError: time_unit='ms' puts every event of 'ts' on 1970-01-20, ...
    """
    if first is None or last is None:
        return
    low, high = _EPOCH_SECONDS
    if earliest is not None:  # a day's seconds in UTC, a day early for any time zone
        low = min(low, (earliest - dt.date(1970, 1, 1)).days * 86_400 - 86_400)
    likely = None if median is None else likely_unit(median)
    if first >= low and (last < high or likely == unit):
        return
    span = f"on {_when(first)}" if _when(first) == _when(last) else f"between {_when(first)} and {_when(last)}"
    how = (
        f"time_unit={unit!r} puts every event of {column!r} {span}"
        if given
        else f"read as epoch {_UNIT_NAMES[unit]} (inferred), the times in {column!r} fall {span}"
    )
    typical = "" if median is None else f" (median {median:,.0f})"
    if likely is not None and likely != unit:
        fix = f"the values{typical} look like epoch {_UNIT_NAMES[likely]}: use time_unit={likely!r}."
    elif likely is None:
        fix = (
            f"the values{typical} are not epoch times between 1980 and 2200 in any unit (s, ms, us, ns): "
            "convert them to timestamps or ISO-8601 text."
        )
    else:  # most values fit this unit: a few early ones are placeholders such as 0
        fix = (
            f"most values{typical} are epoch {_UNIT_NAMES[unit]} after 1980, but some fall before it "
            "(placeholders such as 0?): pass start='1980-01-01' to set them aside, or fix the export."
        )
    raise InvalidOptionError(f"{how}, outside {EPOCH_DAYS[0]} .. {EPOCH_DAYS[1]}; {fix}")


#: Turns a time-zone-aware instant into its day (a Date): by default its date in ``tz``.
Local = Callable[[pl.Expr], pl.Expr]


def in_zone(tz: str) -> Local:
    """Return the function that dates an instant in ``tz`` (the analysis zone).

    >>> import polars as pl, datetime as dt
    >>> t = pl.lit(dt.datetime(2024, 3, 1, 23, 30, tzinfo=dt.UTC))  # 23:30 UTC is 00:30 on March 2 in Berlin
    >>> pl.select(in_zone("Europe/Berlin")(t)).item()
    datetime.date(2024, 3, 2)
    """

    def local(instant: pl.Expr) -> pl.Expr:
        return instant.dt.convert_time_zone(tz).dt.date()

    return local


def parse_day(
    column: str,
    dtype: pl.DataType,
    *,
    tz: str,
    time_unit: TimeUnit | None,
    epoch_unit: TimeUnit | None = None,
    local: Local | None = None,
) -> DayParse:
    """Build the expressions that turn ``column`` (of ``dtype``) into days in ``tz``.

    ``epoch_unit`` (when ``time_unit`` is None) is the inferred unit of the column's
    epoch numbers (:func:`guess_unit`): numbers, and text of 9 or more digits, are read in it.
    ``local`` dates the instants (aware timestamps, text with an offset, epoch numbers)
    instead of their date in ``tz``: each user's own zone (:mod:`stickiness._zones`).
    Wall-clock times and dates keep their date either way.
    """
    col = pl.col(column)
    no = pl.lit(False)
    local = local or in_zone(tz)
    if time_unit is not None:
        _check_time_unit(time_unit, column, dtype)
        return DayParse(_epoch_day(col, time_unit, local), no, no)
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:
            return DayParse(col.dt.date(), no, no)
        return DayParse(local(col), no, no)
    if dtype == pl.Date:
        return DayParse(col, no, no)
    if dtype.is_integer() or dtype.is_float():
        if epoch_unit is not None:
            return DayParse(_epoch_day(col, epoch_unit, local), no, no)
        raise InvalidOptionError(
            f"the time column {column!r} holds numbers ({dtype}). If they are epoch times, pass "
            "time_unit='s' (seconds since 1970-01-01 UTC) or time_unit='ms' (milliseconds)."
        )
    if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
        return _text_or_epoch_day(column, dtype, local=local, epoch_unit=epoch_unit)
    raise InvalidOptionError(
        f"the time column {column!r} has type {dtype}, which is not a time. Use a timestamp, "
        "a date, ISO-8601 text, or epoch numbers with time_unit='s' or 'ms'."
    )


def _check_time_unit(time_unit: TimeUnit, column: str, dtype: pl.DataType) -> None:
    if time_unit not in _TO_MICROS:
        raise InvalidOptionError(
            f"time_unit={time_unit!r} is not supported. Use 's' (epoch seconds), 'ms', 'us' or 'ns'."
        )
    if not (dtype.is_numeric() or dtype == pl.String):
        raise InvalidOptionError(
            f"time_unit={time_unit!r} reads epoch numbers, but the time column {column!r} is {dtype}. "
            "Drop time_unit for timestamp or text columns."
        )


def _text_or_epoch_day(column: str, dtype: pl.DataType, *, local: Local, epoch_unit: TimeUnit | None) -> DayParse:
    """Days of a text column: ISO-8601 text, and, with ``epoch_unit``, text of 9 or more digits as epoch numbers."""
    text = _text_day(pl.col(column).cast(pl.String), local)
    if epoch_unit is None:
        return text
    numbers = epoch_numbers(column, dtype)
    assert numbers is not None
    return DayParse(
        pl.when(numbers.is_not_null()).then(_epoch_day(numbers, epoch_unit, local)).otherwise(text.day),
        text.has_offset,
        text.is_naive_text,
    )


def _epoch_day(col: pl.Expr, unit: TimeUnit, local: Local) -> pl.Expr:
    micros = (col.cast(pl.Float64, strict=False) * _TO_MICROS[unit]).floor().cast(pl.Int64, strict=False)
    return local(pl.from_epoch(micros, time_unit="us").dt.replace_time_zone("UTC"))


def _text_day(raw: pl.Expr, local: Local) -> DayParse:
    text = raw.str.strip_chars()
    has_offset = text.str.contains(OFFSET_TEXT)
    is_compact = text.str.contains(COMPACT_DATE)
    is_naive = text.str.contains(NAIVE_TEXT) | is_compact
    # Naive text is wall-clock time in tz: its day is its date part.
    naive_day = (
        pl.when(is_compact)
        .then(text.str.to_date("%Y%m%d", strict=False))
        .otherwise(text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False))
    )
    canonical = (
        text.str.replace(r"^(\d{4}-\d{2}-\d{2})[T ]", "${1} ")
        .str.replace(r"\s*(?:Z|z|UTC)$", "+00:00")
        .str.replace(r"([+-]\d{2})(\d{2})$", "${1}:${2}")
        .str.replace(r"([+-]\d{2})$", "${1}:00")
        .str.replace(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2})([+-])", "${1}:00${2}")
        # A leap second (23:59:60) is read as second 59 of its minute: it stays on its day.
        .str.replace(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}):60", "${1}:59")
    )
    instant = canonical.str.to_datetime("%Y-%m-%d %H:%M:%S%.f%:z", strict=False, time_unit="us")
    offset_day = local(instant)
    day = pl.when(has_offset).then(offset_day).when(is_naive).then(naive_day)
    return DayParse(
        day=day, has_offset=has_offset & offset_day.is_not_null(), is_naive_text=is_naive & naive_day.is_not_null()
    )
