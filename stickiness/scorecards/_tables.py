"""Reading the scorecards' tables: columns, numbers, row numbers in errors, segments.

Every scorecard reads a plain table (responses, accounts, transactions) the same
way: any source :func:`stickiness._sources.scan_source` reads, its columns named by
option (a missing one is an error that lists the columns found and the option to
pass), its numbers parsed once (CSV columns arrive as text) and checked, with the
offending rows named (counting data rows from 1, the header not counted).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

import narwhals as nw
import polars as pl

from stickiness._columns import AUTO, CANDIDATES, normalise_name, resolve_column
from stickiness._sources import Source, scan_source
from stickiness._time import TimeUnit, parse_day
from stickiness.exceptions import ColumnNotFoundError, InvalidOptionError, InvalidValueError
from stickiness.log import UsageLog
from stickiness.stages.segments import attach_segment as attach_segment_column
from stickiness.stages.segments import segment_values

__all__ = [
    "ROW",
    "TOLERANCE",
    "attach_segment",
    "column",
    "days_of",
    "key_column",
    "names_of",
    "numbers",
    "read_table",
    "rows_named",
]

ROW = "__row"
#: The segment column while it is attached (then named ``by``).
SEGMENT = "__segment"
#: Key names an accounts table often uses, tried after the user-id names of ``_columns``.
ACCOUNT_KEYS: tuple[str, ...] = ("account_id", "account")
#: How many offending rows an error message shows.
SHOWN = 5
#: A value within this of a cut-off reaches it (sums and ratios of decimals are not exact in floating point).
TOLERANCE = 1e-9


def read_table(source: Source, *, role: str) -> pl.DataFrame:
    """Read ``source`` whole (scorecard tables are small), with a 1-based row number column ``__row``."""
    frame = scan_source(source, role=role)
    try:
        table = frame.collect()
    except pl.exceptions.NoDataError as err:
        raise InvalidOptionError(
            f"the {role} is empty (not even a header row). Check the file, or pass a frame with columns."
        ) from err
    if ROW in table.columns:
        raise InvalidOptionError(f"the {role} has a column named {ROW!r}, which stickiness uses itself. Rename it.")
    return table.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))


def column(table: pl.DataFrame, given: str, *, option: str, role: str, fix: str | None = None) -> str:
    """Return ``given`` if it is a column of ``table``, else raise an error that lists the columns and the fix.

    Names that differ only in case, ``_`` or ``-``, or are close in spelling, are suggested.
    """
    names = list(names_of(table))
    if isinstance(given, str) and given in names:
        return given
    wanted = normalise_name(str(given))
    close = [c for c in names if normalise_name(c) == wanted] or difflib.get_close_matches(
        str(given), names, cutoff=0.5
    )
    hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
    raise ColumnNotFoundError(
        f"{option}={given!r}: the {role} has no column {given!r}.{hint} Columns found: {names}. "
        + (fix or f"Pass {option}='<column>' naming the {role}'s column for it.")
    )


def key_column(table: pl.DataFrame, given: str, *, option: str, role: str) -> str:
    """Return the customer-id column: ``given``, or detected like the log's user column, or ``account_id``."""
    names = names_of(table)
    if given != AUTO:
        return column(table, given, option=option, role=role)
    try:
        found = resolve_column(names, "user", AUTO, option=option, where=role)
    except ColumnNotFoundError:
        fallback = [c for c in ACCOUNT_KEYS if c in names]
        if len(fallback) == 1:
            return fallback[0]
        looked = ", ".join((*CANDIDATES["user"], *ACCOUNT_KEYS))
        raise ColumnNotFoundError(
            f"no customer id column found in the {role}: looked for {looked}. Columns found: {names}. "
            f"Name it with {option}='your_column'."
        ) from None
    assert found is not None
    return found


def rows_named(table: pl.DataFrame, bad: pl.Expr, value: str | None = None) -> str:
    """Describe the rows where ``bad`` holds: ``"rows 2 ('11'), 5 ('x') (2 of 9 rows)"``."""
    hits = table.filter(bad)
    shown = []
    for row in hits.head(SHOWN).iter_rows(named=True):
        shown.append(f"{row[ROW]}" if value is None else f"{row[ROW]} ({row[value]!r})")
    more = ", ..." if hits.height > SHOWN else ""
    word = "row" if hits.height == 1 else "rows"
    return f"{word} {', '.join(shown)}{more} ({hits.height:,} of {table.height:,} rows, counting from 1)"


def numbers(
    table: pl.DataFrame,
    name: str,
    *,
    option: str,
    role: str,
    nulls: bool = False,
    negative: bool = False,
) -> pl.Series:
    """Return column ``name`` as Float64, or raise naming the rows that are not numbers (or null, or negative).

    Text (as CSV columns are read) is parsed; an empty text is null. ``nulls``
    and ``negative`` allow those values.
    """
    dtype = table.schema[name]
    raw = pl.col(name)
    if dtype == pl.String:
        text = raw.str.strip_chars()
        raw = pl.when(text != "").then(text)
    elif not (dtype.is_numeric() or dtype == pl.Null):
        raise InvalidOptionError(
            f"{option}={name!r}: the {role}'s column {name!r} has type {dtype}, not numbers. "
            f"Pass {option}= a column of numbers."
        )
    parsed = raw.cast(pl.Float64, strict=False)
    frame = table.select(ROW, raw.alias("__raw"), parsed.alias("__value"))
    bad_text = pl.col("__raw").is_not_null() & (pl.col("__value").is_null() | pl.col("__value").is_nan())
    if frame.select(bad_text.any()).item():
        raise InvalidValueError(
            f"the {role}'s column {name!r} ({option}=) holds values that are not numbers: "
            f"{rows_named(frame, bad_text, '__raw')}. Write plain numbers such as 1200.50 (no currency "
            f"symbols or thousands separators)."
        )
    if not nulls and frame["__value"].null_count():
        raise InvalidValueError(
            f"the {role}'s column {name!r} ({option}=) is empty on {rows_named(frame, pl.col('__value').is_null())}. "
            "Fill them (e.g. .fill_null(0) where empty means zero) or drop those rows."
        )
    infinite = pl.col("__value").is_infinite()
    if frame.select(infinite.any()).item():
        raise InvalidValueError(
            f"the {role}'s column {name!r} ({option}=) holds infinite values on "
            f"{rows_named(frame, infinite, '__value')}. Use finite numbers."
        )
    below = pl.col("__value") < 0
    if not negative and frame.select(below.any()).item():
        raise InvalidValueError(
            f"the {role}'s column {name!r} ({option}=) must not be negative: "
            f"{rows_named(frame, below, '__value')}. Net refunds and credits out before scoring, "
            "or fix the export."
        )
    return frame["__value"].alias(name)


def days_of(
    table: pl.DataFrame, time: str, *, tz: str, time_unit: TimeUnit | None, role: str, purpose: str
) -> pl.Series:
    """Return the day in ``tz`` of each row's ``time``, or raise naming the rows without one.

    Times are read as :func:`stickiness.read_log` reads them.
    """
    name = resolve_column(names_of(table), "time", time, option="time", where=role)
    if name is None:
        raise InvalidOptionError(f"{purpose} needs a time column: pass time='<column>', not None.")
    day = parse_day(name, table.schema[name], tz=tz, time_unit=time_unit).day
    frame = table.select(ROW, name).with_columns(day.alias("__day"))
    missing = pl.col("__day").is_null()
    if frame.select(missing.any()).item():
        raise InvalidValueError(
            f"{purpose} needs the day of every row, but the {role}'s column {name!r} (time=) is empty or "
            f"unreadable on {rows_named(frame, missing, name)}. Use ISO-8601 text (2024-03-10T09:30:00Z), "
            "dates or timestamps, or drop those rows."
        )
    return frame["__day"]


def attach_segment(
    table: pl.DataFrame,
    *,
    by: str | None,
    user: str | None,
    users: UsageLog | Source | None,
    users_key: str,
    role: str,
) -> pl.DataFrame:
    """Add the segment column ``by`` (String) to ``table``, from its own column or from a users table.

    ``by`` is looked up in ``table`` first, then in ``users`` (a users table or a
    :class:`~stickiness.UsageLog`, whose users table is used), joined on the user
    column. A null or empty value, or a user absent from the users table, is in
    ``"(unknown)"``: counted, never dropped. Returns ``table`` with ``by`` replaced.
    """
    if by is None:
        return table
    if by in table.columns and by != ROW:
        keyed, on = table.select(ROW), ROW
        segments = segment_values(table, by, key=ROW, name=SEGMENT)
    else:
        if users is None:
            raise ColumnNotFoundError(
                f"by={by!r}: the {role} has no column {by!r} and no users table was given. Columns found: "
                f"{names_of(table)}. Pass users= a users table (or a UsageLog) with a {by!r} "
                "column, or by= a column of the table."
            )
        if user is None:
            raise ColumnNotFoundError(
                f"by={by!r} comes from the users table, but the {role} has no user column to join it on. "
                f"Columns found: {names_of(table)}. Pass user='<column>'."
            )
        keyed, on = table.select(ROW, pl.col(user).cast(pl.String).alias("__key")), "__key"
        segments = segment_values(_users_segments(users, by=by, key=users_key, user=user), by, key=on, name=SEGMENT)
    attached = attach_segment_column(nw.from_native(keyed), nw.from_native(segments), name=SEGMENT, on=on).to_native()
    values = table.select(ROW).join(attached.select(ROW, SEGMENT), on=ROW, how="left", maintain_order="left")
    return table.with_columns(values[SEGMENT].alias(by))


def _users_segments(users: UsageLog | Source, *, by: str, key: str, user: str) -> pl.DataFrame:
    if isinstance(users, UsageLog):
        if users.users is None:
            raise InvalidOptionError(
                f"by={by!r}: the log given as users= has no users table. Read it with read_log(..., users=...)."
            )
        table, key_name, role = users.users.with_row_index(ROW, offset=1), "user", "log's users table"
    else:
        role = "users table"
        table = read_table(users, role=role)
        wanted = user if key == AUTO and user in table.columns else key
        key_name = key_column(table, wanted, option="users_key", role=role)
    column(table, by, option="by", role=role)
    keyed = table.select(pl.col(key_name).cast(pl.String).alias("__key"), ROW, pl.col(by).cast(pl.String))
    keyed = keyed.filter(pl.col("__key").is_not_null())
    dupes = pl.col("__key").is_duplicated()
    if keyed.select(dupes.any()).item():
        raise InvalidValueError(
            f"the {role} has users on more than one row ({rows_named(keyed, dupes, '__key')}), so their "
            f"{by!r} is ambiguous. Keep one row per user."
        )
    return keyed.drop(ROW)


def names_of(table: pl.DataFrame) -> Sequence[str]:
    """Return the table's own columns (without the row number)."""
    return [c for c in table.columns if c != ROW]
