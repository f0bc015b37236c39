"""Ledger notes on input that reads without error but may mislead: a few ids carrying most events, many duplicates.

Both are computed by :func:`stickiness.read_log` from what it already holds (the
activity table, wherever it is held, and its counts), and the rules are in docs/metrics.md
("Notes on suspicious input"):

- **a handful of ids carry most events**: with at least :data:`MIN_USERS` users,
  the :data:`TOP_IDS` user ids with the most used rows carry more than
  :data:`TOP_SHARE` of them (a null sentinel such as ``NA`` that slipped
  through, a test account or a bot);
- **many exact duplicates**: more than :data:`DUPLICATE_SHARE` of the rows read
  were set aside as exact duplicates (same user, time and event); the note says
  what made them equal: no event column, few distinct event names (at most
  :data:`FEW_EVENTS`), or times with no time of day.
"""

from __future__ import annotations

from typing import Any, Final

import narwhals as nw
import polars as pl

from stickiness._engine import Held
from stickiness._text import printable

__all__ = ["DUPLICATE_SHARE", "FEW_EVENTS", "MIN_USERS", "TOP_IDS", "TOP_SHARE", "input_notes"]

#: How many of the busiest ids are summed.
TOP_IDS: Final = 3
#: Their share of the used rows above which the note is written.
TOP_SHARE: Final = 0.5
#: Fewer users than this: a few ids carrying most rows is no surprise (a small test log, a pilot).
MIN_USERS: Final = 20
#: Share of the rows read set aside as exact duplicates above which the note says why.
DUPLICATE_SHARE: Final = 0.05
#: A log with at most this many distinct event names is coarse: different actions share a name.
FEW_EVENTS: Final = 3
#: Terminal columns an id is shortened to in a note.
_ID_WIDTH: Final = 30


def concentrated_ids(activity: Held, *, users: int | None = None, total: int | None = None) -> str | None:
    """Return a note naming the busiest ids when a handful of them carry most used rows, else None.

    Parameters
    ----------
    activity
        The log's activity table: ``user`` and ``events`` (used rows per user, day and event), a
        polars frame or a frame resident in DuckDB or Spark (aggregated there: the busiest
        ids come back, nothing else).
    users, total
        Its distinct users and the sum of its events, when known already (read_log knows
        them); else counted.

    Examples
    --------
    >>> import polars as pl
    >>> users = ["NA"] * 21 + [f"u{i}" for i in range(19)]  # 20 users; NA has 21 of the 40 rows
    >>> print(concentrated_ids(pl.DataFrame({"user": users, "events": [1] * 40})))
    3 user ids carry 57.5% of the 40 used rows: 'NA' (52.5%), 'u0' (2.5%), 'u1' (2.5%). A null-like id that \
slipped through (NA, null, -1, unknown), a test account or a bot? Check them, and filter them out of the log \
if they are not customers.
    """
    if users is not None and users < MIN_USERS:
        return None
    if isinstance(activity, pl.DataFrame):
        return _concentrated_in_polars(activity)
    per_user = activity.group_by("user").agg(nw.col("events").sum())
    if users is None or total is None:
        counts = per_user.select(nw.len().alias("users"), nw.col("events").sum().alias("total"))
        users, total = (int(v or 0) for v in counts.collect("polars").row(0))
    if users < MIN_USERS:
        return None
    # the busiest ids, ties broken by the id (as text): the same ids on every run and engine
    top = (
        per_user.with_columns(nw.col("user").cast(nw.String()).alias("__id"))
        .sort(["events", "__id"], descending=[True, False])
        .head(TOP_IDS)
        .collect("polars")
        .to_native()
    )
    return _concentration_note(top, carried=int(top["events"].sum()), total=total)


def _concentrated_in_polars(activity: pl.DataFrame) -> str | None:
    """:func:`concentrated_ids` of a polars activity table."""
    # grouped on a 64-bit hash of the id, twice as fast as on text ids; the few ids named are then looked up
    per_id = activity.lazy().group_by(pl.col("user").hash().alias("__h")).agg(pl.col("events").sum()).collect()
    if per_id.height < MIN_USERS:
        return None
    total = int(per_id["events"].sum())
    counts = per_id.get_column("events").top_k(TOP_IDS)
    # every id as busy as the third busiest, ties broken by the id (as text): the same ids on every run
    busy = per_id.filter(pl.col("events") >= counts.min()).get_column("__h")
    top = (
        activity.filter(pl.col("user").hash().is_in(busy.implode()))
        .group_by("user")
        .agg(pl.col("events").sum())
        .with_columns(__id=pl.col("user").cast(pl.String))
        .sort(["events", "__id"], descending=[True, False])
        .head(TOP_IDS)
    )
    return _concentration_note(top, carried=int(counts.sum()), total=total)


def _concentration_note(top: pl.DataFrame, *, carried: int, total: int) -> str | None:
    """Return the note on the busiest ids ``top`` (``__id``, ``events``) if they carry over :data:`TOP_SHARE`."""
    if total == 0 or carried / total <= TOP_SHARE:
        return None
    named = ", ".join(
        f"'{printable(user, _ID_WIDTH, pad=False)}' ({rows / total:.1%})"
        for user, rows in top.select("__id", "events").iter_rows()
    )
    return (
        f"{top.height} user ids carry {carried / total:.1%} of the {total:,} used rows: {named}. A null-like id that "
        "slipped through (NA, null, -1, unknown), a test account or a bot? Check them, and filter them out of the "
        "log if they are not customers."
    )


def duplicate_cause(
    activity: Held, *, duplicates: int, rows_read: int, event_column: bool, date_times: bool
) -> str | None:
    """Return a note saying what made many rows exact duplicates, else None.

    Parameters
    ----------
    activity
        The log's activity table: ``event`` and ``events`` (distinct times per user, day and
        event), a polars frame or a frame resident in DuckDB or Spark. Read only when the
        note is written: its largest ``events`` and at most :data:`FEW_EVENTS` + 1 event names
        come back.
    duplicates
        Rows set aside as exact duplicates.
    rows_read
        Rows read in all (the share's denominator).
    event_column
        False when the log has no event column (every row is one event).
    date_times
        True when the time column holds dates (no time of day).

    Examples
    --------
    >>> import polars as pl
    >>> activity = pl.DataFrame({"user": ["a", "b"], "event": ["(event)"] * 2, "events": [1, 1]})
    >>> print(duplicate_cause(activity, duplicates=8, rows_read=10, event_column=False, date_times=True))
    8 rows (80.0% of the rows read) were set aside as exact duplicates. Rows are duplicates when user, time and \
event are equal; your times are dates (no time of day) and the log has no event column, so every event of a user \
on a day after the first is a duplicate. Name the event column (event= in Python, --event-col on the command \
line) or export the time of day, if they are separate uses.
    """
    if rows_read == 0 or duplicates / rows_read <= DUPLICATE_SHARE:
        return None
    rows, were = ("rows", "were") if duplicates > 1 else ("row", "was")
    share = (
        f"{duplicates:,} {rows} ({duplicates / rows_read:.1%} of the rows read) {were} set aside as exact duplicates"
    )
    rule = "Rows are duplicates when user, time and event are equal"
    frame = nw.from_native(activity.lazy()) if isinstance(activity, pl.DataFrame) else activity
    # no (user, day, event) with two distinct times: the times carry no time of day, whatever their type
    most_times = 1 if date_times else frame.select(nw.col("events").max()).collect("polars").item()
    day_only = most_times == 1
    coarse_events: list[str] = []
    if not event_column:
        coarse_events.append("the log has no event column")
    # enough names to tell whether there are more than FEW_EVENTS
    elif (names := _some_events(frame)).len() <= FEW_EVENTS:
        shown = ", ".join(f"'{printable(n, _ID_WIDTH, pad=False)}'" for n in names.sort().to_list())
        coarse_events.append(f"the log has only {names.len()} event name{'s' if names.len() > 1 else ''} ({shown})")
    times = ["your times are dates (no time of day)"] if date_times else []
    if not date_times and day_only:
        times = ["no user has two different times for one event on one day (the times look like dates)"]
    causes = [*times, *coarse_events]
    if not causes:
        return f"{share}. {rule}: check the export for rows written twice."
    if times and coarse_events:
        consequence = "every event of a user on a day after the first is a duplicate"
    elif times:
        consequence = "a user's repeats of one event on one day are duplicates"
    else:
        consequence = "different actions of a user at the same moment are duplicates"
    fixes = []
    if coarse_events:
        fixes.append("name the event column (event= in Python, --event-col on the command line)")
    if times:
        fixes.append("export the time of day")
    fix = " or ".join(fixes)
    because = " and ".join(causes)
    return f"{share}. {rule}; {because}, so {consequence}. {fix[0].upper()}{fix[1:]}, if they are separate uses."


def _some_events(activity: nw.LazyFrame[Any]) -> pl.Series:
    """At most :data:`FEW_EVENTS` + 1 of the activity table's event names."""
    names: pl.DataFrame = activity.select("event").unique().head(FEW_EVENTS + 1).collect("polars").to_native()
    return names.get_column("event")


def input_notes(
    activity: Held,
    *,
    rows_read: int,
    duplicates: int,
    users: int | None = None,
    events: int | None = None,
    event_column: bool,
    date_times: bool,
) -> list[str]:
    """Return the ledger notes of this module (possibly none), in a fixed order: ids first, then duplicates.

    Parameters
    ----------
    activity
        The log's activity table (see :func:`concentrated_ids`), wherever it is held.
    users, events
        Its distinct users and the sum of its events, when known (see :func:`concentrated_ids`).
    rows_read, duplicates, event_column, date_times
        As for :func:`duplicate_cause`.

    Examples
    --------
    >>> import polars as pl
    >>> activity = pl.DataFrame({"user": ["a", "b"], "event": ["open", "open"], "events": [1, 1]})
    >>> input_notes(activity, rows_read=2, duplicates=0, event_column=True, date_times=False)
    []
    """
    notes = [
        concentrated_ids(activity, users=users, total=events),
        duplicate_cause(
            activity, duplicates=duplicates, rows_read=rows_read, event_column=event_column, date_times=date_times
        ),
    ]
    return [note for note in notes if note is not None]
