"""Turn a time column of any supported type into the calendar day in the analysis time zone.

Rules (the contract is docs/metrics.md, "Days and time zones"):

- time-zone-aware timestamps are instants: converted to ``tz``, then the date is taken;
- naive timestamps and ISO strings without an offset are wall-clock times *in* ``tz``:
  their date is the day, whatever the daylight-saving rules;
- ISO-8601 dates in the basic format (``19970101``) are days;
- ISO-8601 strings with an offset (``Z``, ``+02:00``, ``+0200``, ``+02``) are instants;
- integers (or numeric strings) are epoch times in ``time_unit`` (``"s"`` or ``"ms"``), i.e. instants.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

from stickiness._errors import InvalidOptionError

__all__ = ["DayParse", "TimeUnit", "parse_day"]

TimeUnit = Literal["s", "ms", "us", "ns"]
_TO_MICROS = {"s": 1_000_000, "ms": 1_000, "us": 1, "ns": 0.001}

_TIME = r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
_OFFSET = r"(?:Z|z|UTC|[+-]\d{2}(?::?\d{2})?)"
OFFSET_TEXT = rf"^\d{{4}}-\d{{2}}-\d{{2}}[T ]{_TIME}\s*{_OFFSET}$"
NAIVE_TEXT = rf"^\d{{4}}-\d{{2}}-\d{{2}}(?:[T ]{_TIME})?$"
COMPACT_DATE = r"^\d{8}$"  # ISO-8601 basic format, YYYYMMDD


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


def parse_day(column: str, dtype: pl.DataType, *, tz: str, time_unit: TimeUnit | None) -> DayParse:
    """Build the expressions that turn ``column`` (of ``dtype``) into days in ``tz``."""
    col = pl.col(column)
    no = pl.lit(False)
    if time_unit is not None:
        if time_unit not in _TO_MICROS:
            raise InvalidOptionError(
                f"time_unit={time_unit!r} is not supported. Use 's' (epoch seconds), 'ms', 'us' or 'ns'."
            )
        if not (dtype.is_numeric() or dtype == pl.String):
            raise InvalidOptionError(
                f"time_unit={time_unit!r} reads epoch numbers, but the time column {column!r} is {dtype}. "
                "Drop time_unit for timestamp or text columns."
            )
        return DayParse(_epoch_day(col, time_unit, tz), no, no)
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:
            return DayParse(col.dt.date(), no, no)
        return DayParse(col.dt.convert_time_zone(tz).dt.date(), no, no)
    if dtype == pl.Date:
        return DayParse(col, no, no)
    if dtype.is_integer() or dtype.is_float():
        raise InvalidOptionError(
            f"the time column {column!r} holds numbers ({dtype}). If they are epoch times, pass "
            "time_unit='s' (seconds since 1970-01-01 UTC) or time_unit='ms' (milliseconds)."
        )
    if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
        return _text_day(col.cast(pl.String), tz)
    raise InvalidOptionError(
        f"the time column {column!r} has type {dtype}, which is not a time. Use a timestamp, "
        "a date, ISO-8601 text, or epoch numbers with time_unit='s' or 'ms'."
    )


def _epoch_day(col: pl.Expr, unit: TimeUnit, tz: str) -> pl.Expr:
    micros = (col.cast(pl.Float64, strict=False) * _TO_MICROS[unit]).floor().cast(pl.Int64, strict=False)
    instant = pl.from_epoch(micros, time_unit="us").dt.replace_time_zone("UTC")
    return instant.dt.convert_time_zone(tz).dt.date()


def _text_day(raw: pl.Expr, tz: str) -> DayParse:
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
    )
    instant = canonical.str.to_datetime("%Y-%m-%d %H:%M:%S%.f%:z", strict=False, time_unit="us")
    offset_day = instant.dt.convert_time_zone(tz).dt.date()
    day = pl.when(has_offset).then(offset_day).when(is_naive).then(naive_day)
    return DayParse(
        day=day, has_offset=has_offset & offset_day.is_not_null(), is_naive_text=is_naive & naive_day.is_not_null()
    )
