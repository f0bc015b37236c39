"""Each user's own calendar: the users table's time-zone column, and the first day of a week.

With a time-zone column in the users table (``read_log(user_tz=)``), an event's day is
the calendar date of its instant in *its user's* zone (docs/metrics.md, "Days and time
zones"):

- instants (time-zone-aware timestamps, text with a UTC offset, epoch numbers) are
  converted to the user's zone, then the date is taken;
- naive timestamps and text without an offset are wall-clock times in the user's zone:
  their date is the day, as in ``tz`` (nothing to convert), and dates stay their date;
- users absent from the users table, or with a blank zone there, use ``tz``;
- a zone that is not an IANA name stops the read with a :class:`UsersTableError`
  naming the column, a few of the bad values and the fix.

Polars converts a column to one zone at a time, so the day is a ``when/then`` chain
with one conversion per distinct zone of the users table (other than ``tz``): the
users are coded by zone once (a hash lookup of the user id), and each row picks its
zone's date. The chain runs wherever the per-row read runs (polars, the DuckDB
stream, Spark's executors).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, get_args

import polars as pl

from stickiness._columns import AUTO, normalise_name
from stickiness.exceptions import ColumnNotFoundError, InvalidOptionError, UsersTableError
from stickiness.typing import WeekStart

__all__ = [
    "WEEKDAYS",
    "ZONE_COLUMNS",
    "UserZones",
    "check_week_start",
    "user_zones",
    "week_offset",
    "zone_column",
]

#: Users-table columns read as each user's time zone when ``user_tz="auto"``, in order of preference.
ZONE_COLUMNS: tuple[str, ...] = ("tz", "time_zone", "timezone")
#: Day names ``week_start=`` accepts, Monday first (their index is Python's ``date.weekday()``).
WEEKDAYS: tuple[str, ...] = get_args(WeekStart)
#: The code of a row whose user has no zone of their own (``tz`` applies).
_NO_ZONE = None


def check_week_start(week_start: str) -> WeekStart:
    """Return ``week_start`` (a day name, any case) in lower case, or raise a clear error.

    >>> check_week_start("Sunday")
    'sunday'
    >>> check_week_start("sun")
    Traceback (most recent call last):
    ...
    stickiness.exceptions.InvalidOptionError: week_start='sun': use a day name: 'monday' (the default, ...
    """
    name = week_start.strip().lower() if isinstance(week_start, str) else week_start
    if name not in WEEKDAYS:
        raise InvalidOptionError(
            f"week_start={week_start!r}: use a day name: 'monday' (the default, ISO weeks), 'sunday', "
            f"or any of {list(WEEKDAYS)}."
        )
    return name  # type: ignore[return-value]


def week_offset(week_start: str) -> int:
    """Return the weekday a week starts on, as Python numbers them (Monday 0 .. Sunday 6).

    >>> week_offset("monday"), week_offset("sunday")
    (0, 6)
    """
    return WEEKDAYS.index(check_week_start(week_start))


def zone_column(names: Sequence[str], user_tz: str | None, *, has_users: bool) -> str | None:
    """Return the users-table column that holds each user's time zone, or None.

    ``user_tz`` is a column name, ``"auto"`` (the first of :data:`ZONE_COLUMNS` present,
    compared as column names are: case and punctuation aside) or None (no such column:
    every day is a date in ``tz``).

    >>> zone_column(["user_id", "persona", "Time_Zone"], "auto", has_users=True)
    'Time_Zone'
    >>> zone_column(["user_id", "persona"], "auto", has_users=True) is None
    True
    """
    if user_tz is None:
        return None
    if not isinstance(user_tz, str) or not user_tz.strip():
        raise InvalidOptionError(
            f"user_tz={user_tz!r}: name the users table's time-zone column (e.g. user_tz='tz'), "
            "'auto' to detect it, or None to read every day in tz."
        )
    if user_tz == AUTO:
        wanted = {normalise_name(name) for name in ZONE_COLUMNS}
        found = [name for name in names if normalise_name(name) in wanted]
        if len(found) > 1:
            raise InvalidOptionError(
                f"the users table has more than one time-zone column: {found}. Say which one, e.g. "
                f"user_tz={found[0]!r}, or user_tz=None to read every day in tz."
            )
        return found[0] if found else None
    if not has_users:
        raise InvalidOptionError(
            f"user_tz={user_tz!r} names a column of the users table, but no users table was given: "
            "pass read_log(..., users='users.csv'), or leave user_tz out."
        )
    if user_tz not in names:
        raise ColumnNotFoundError(
            f"user_tz={user_tz!r}: the users table has no column {user_tz!r}. Its columns: {list(names)}. "
            "Name its time-zone column, or pass user_tz=None to read every day in tz."
        )
    return user_tz


@dataclass(frozen=True)
class UserZones:
    """The users whose zone is not ``tz``, coded by zone: what the per-row read needs to date their events.

    ``zones`` are the distinct zones (sorted), ``users`` the ids of the users in them and
    ``codes`` the index of each one's zone in ``zones``.
    """

    column: str
    tz: str
    zones: tuple[str, ...]
    users: pl.Series
    codes: pl.Series

    def code(self, user: pl.Expr) -> pl.Expr:
        """Return the zone code (UInt16) of each row's user: null for users in ``tz``.

        >>> zones = UserZones("tz", "UTC", ("Asia/Tokyo",), pl.Series(["a"]), pl.Series([0], dtype=pl.UInt16))
        >>> pl.DataFrame({"u": ["a", "b"]}).select(zones.code(pl.col("u"))).to_series().to_list()
        [0, None]
        """
        ids, keys = user, self.users
        if keys.dtype == pl.Categorical or isinstance(keys.dtype, pl.Enum):
            ids, keys = user.cast(pl.String), keys.cast(pl.String)
        return ids.replace_strict(keys, self.codes, default=pl.lit(_NO_ZONE, dtype=pl.UInt16), return_dtype=pl.UInt16)

    def day(self, instant: pl.Expr, code: pl.Expr) -> pl.Expr:
        """Return the date of a time-zone-aware ``instant`` in the zone of each row's ``code`` (``tz`` when null).

        >>> zones = UserZones("tz", "UTC", ("Asia/Tokyo",), pl.Series(["a"]), pl.Series([0], dtype=pl.UInt16))
        >>> t = dt.datetime(2024, 3, 1, 20, tzinfo=dt.UTC)  # 20:00 UTC is 05:00 on March 2 in Tokyo (UTC+9)
        >>> frame = pl.DataFrame({"t": [t, t], "z": pl.Series([0, None], dtype=pl.UInt16)})
        >>> frame.select(zones.day(pl.col("t"), pl.col("z"))).to_series().to_list()
        [datetime.date(2024, 3, 2), datetime.date(2024, 3, 1)]
        """
        chain: Any = pl
        for index, zone in enumerate(self.zones):
            chain = chain.when(code == index).then(instant.dt.convert_time_zone(zone).dt.date())
        default: pl.Expr = chain.otherwise(instant.dt.convert_time_zone(self.tz).dt.date())
        return default

    def today(self, now: dt.datetime, code: pl.Expr) -> pl.Expr:
        """Return today's date in the zone of each row's ``code`` (``tz`` when null): later days are the future."""
        chain: Any = pl
        for index, zone in enumerate(self.zones):
            chain = chain.when(code == index).then(pl.lit(_today(now, zone)))
        today: pl.Expr = chain.otherwise(pl.lit(_today(now, self.tz)))
        return today

    def latest_today(self, now: dt.datetime) -> dt.date:
        """Return the latest of today's dates in ``tz`` and the users' zones (an ``as_of`` after it is the future)."""
        return max(_today(now, zone) for zone in (self.tz, *self.zones))

    def note(self) -> str:
        """Say, for the ledger's notes, that days are dates in the users' own zones."""
        shown = ", ".join(self.zones[:5]) + (f" and {len(self.zones) - 5} more" if len(self.zones) > 5 else "")
        return (
            f"days are calendar dates in each user's own time zone (users-table column {self.column!r}): "
            f"{self.users.len():,} users in {len(self.zones)} zones other than {self.tz} ({shown}); "
            f"users absent from the users table or without a zone there use {self.tz}"
        )


def _today(now: dt.datetime, zone: str) -> dt.date:
    return now.astimezone(zoneinfo.ZoneInfo(zone)).date()


def user_zones(table: pl.DataFrame, column: str, *, tz: str) -> UserZones | None:
    """Read each user's zone from the users table (``user`` plus ``column``); None when no user has one but ``tz``.

    Zones are trimmed; blank and null ones mean ``tz``. Names that neither Python's
    time-zone database nor polars knows are a :class:`UsersTableError`.

    >>> table = pl.DataFrame({"user": ["a", "b", "c"], "tz": ["Europe/Berlin", " ", "UTC"]})
    >>> zones = user_zones(table, "tz", tz="UTC")
    >>> zones.zones, zones.users.to_list()
    (('Europe/Berlin',), ['a'])
    """
    values = table.get_column(column)
    if values.dtype == pl.Null:  # every zone blank: every user in tz
        return None
    if values.dtype not in (pl.String, pl.Categorical) and not isinstance(values.dtype, pl.Enum):
        raise UsersTableError(
            f"the users table's time-zone column {column!r} holds {values.dtype}, not zone names: give IANA "
            "names such as 'Europe/Berlin' (user_tz= names the column; user_tz=None reads every day in tz)."
        )
    names = values.cast(pl.String).str.strip_chars()
    zoned = table.select("user", names.alias("__zone")).filter(
        pl.col("__zone").is_not_null() & (pl.col("__zone") != "") & (pl.col("__zone") != tz)
    )
    distinct = sorted(zoned.get_column("__zone").unique().to_list())
    _check_zones(distinct, column, zoned)
    if not distinct:
        return None
    codes = zoned.get_column("__zone").replace_strict(distinct, range(len(distinct)), return_dtype=pl.UInt16)
    return UserZones(column, tz, tuple(distinct), zoned.get_column("user"), codes)


def _check_zones(zones: list[str], column: str, zoned: pl.DataFrame) -> None:
    """Raise :class:`UsersTableError` naming the zones (a few) that are not time zones, and their users."""
    bad = [zone for zone in zones if not _is_zone(zone)]
    if not bad:
        return
    users = zoned.filter(pl.col("__zone").is_in(bad)).height
    raise UsersTableError(
        f"the users table's time-zone column {column!r} has {len(bad):,} values that are not time zones "
        f"({users:,} users), e.g. {bad[:3]}. Use IANA names such as 'Europe/Berlin', 'America/New_York' "
        "or 'UTC', leave a user's zone blank to read their days in tz, or pass user_tz=None to ignore the column."
    )


def _is_zone(zone: str) -> bool:
    """Whether both Python's time-zone database (the ``today`` of each zone) and polars (the days) know ``zone``."""
    try:
        zoneinfo.ZoneInfo(zone)
        pl.Series([dt.datetime(2024, 1, 1)]).dt.replace_time_zone("UTC").dt.convert_time_zone(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError, pl.exceptions.PolarsError):
        return False
    return True
