"""The segment column of every output: named after ``by``, attached in one way (contract: docs/metrics.md, Segments).

A metric's stages may carry the segment under an internal name (the use-case
stages call it ``persona``); the metric names it after ``by`` where it finishes
its output (:func:`name_segment`). A users table's value becomes a segment by one
rule, written here once: a blank value is no value (:func:`segment_values`), and a
user with no value is in ``"(unknown)"`` (:func:`attach_segment`).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, TypeVar

import narwhals as nw
import polars as pl

from stickiness.exceptions import ColumnNotFoundError, InvalidOptionError
from stickiness.log import UNKNOWN_SEGMENT, UsageLog

__all__ = [
    "ALL_SEGMENT",
    "NO_BY",
    "attach_segment",
    "check_by",
    "check_segment_name",
    "name_segment",
    "segment_column",
    "segment_source",
    "segment_values",
    "use_case_segments",
]

#: The segment column's name when ``by=None`` in an output that always has one (every user is in ``"(all)"``).
NO_BY = "segment"

#: The segment of every user when no ``by`` is given.
ALL_SEGMENT = "(all)"

FrameT = TypeVar("FrameT", nw.DataFrame[Any], nw.LazyFrame[Any])


def check_by(log: UsageLog, by: str | None) -> None:
    """Raise a clear error if ``by`` is not a column of the log's users table."""
    if by is None:
        return
    if log.users is None:
        raise InvalidOptionError(f"by={by!r} needs a users table with that column: read_log(..., users='users.csv').")
    if by not in log.segment_columns:
        raise ColumnNotFoundError(
            f"by={by!r}: the users table has no column {by!r}. Segment columns: {list(log.segment_columns)}."
        )


def segment_column(by: str | None) -> str:
    """Return the name of the segment column for ``by``: ``by`` itself, or ``"segment"`` for None.

    >>> segment_column("plan"), segment_column(None)
    ('plan', 'segment')
    """
    return NO_BY if by is None else by


def check_segment_name(by: str | None, columns: Collection[str], *, function: str) -> None:
    """Raise a clear error if the segment column ``by`` would take the name of another output column.

    ``columns`` are the output's other columns (without the segment column).

    >>> check_segment_name("use_case", ["use_case", "users"], function="frequency_spectrum")
    Traceback (most recent call last):
    ...
    stickiness.exceptions.InvalidOptionError: by='use_case': frequency_spectrum names its segment column after by, ...
    """
    if by is not None and by in columns:
        raise InvalidOptionError(
            f"by={by!r}: {function} names its segment column after by, and its output already has a column "
            f"{by!r}. Rename that column of the users table (e.g. to {by + '_segment'!r}) and pass the new name "
            "as by=."
        )


def segment_values(users: pl.DataFrame, by: str, *, key: str = "user", name: str | None = None) -> pl.DataFrame:
    """``key, name`` (``name`` defaults to ``by``): the users table's ``by`` column as text, null where blank.

    >>> users = pl.DataFrame({"user": ["a", "b", "c"], "plan": ["pro", " ", None]})
    >>> segment_values(users, "plan").rows()
    [('a', 'pro'), ('b', None), ('c', None)]
    """
    segment = pl.col(by).cast(pl.String)
    # a blank value is no segment: those users are "(unknown)", as users absent from the table
    return users.select(key, pl.when(segment.str.strip_chars() != "").then(segment).alias(name or by))


def segment_source(log: UsageLog, by: str | None) -> str | None:
    """Return the users-table column the segments come from, or None when every user is in ``"(all)"``.

    Every user is in ``"(all)"`` when ``by`` is None, and when ``by="persona"`` (the
    default of the metrics that are always per segment) and the log has no users
    table. Any other ``by`` must be a column of the users table (else a clear error).
    """
    if by is None or (by == "persona" and log.users is None):
        return None
    check_by(log, by)
    return by


def use_case_segments(log: UsageLog, by: str | None, *, name: str) -> pl.DataFrame | None:
    """``user, name``: the ``by`` segment of the log's users, or None when every user is in ``"(all)"``.

    See :func:`segment_source`.
    """
    source = segment_source(log, by)
    if source is None:
        return None
    assert log.users is not None
    return segment_values(log.users, source, name=name)


def attach_segment(frame: FrameT, segments: FrameT | None, *, name: str, on: str = "user") -> FrameT:
    """Add the segment column ``name`` to ``frame`` from ``segments`` (``on, name``; see :func:`segment_values`).

    A row whose ``on`` value has no segment there (absent, or blank) is in
    ``"(unknown)"``; with ``segments=None`` every row is in ``"(all)"``. Row order is not kept.

    >>> frame = nw.from_native(pl.DataFrame({"user": ["a", "b", "z"]}))
    >>> segments = nw.from_native(segment_values(pl.DataFrame({"user": ["a", "b"], "plan": ["pro", ""]}), "plan"))
    >>> sorted(attach_segment(frame, segments, name="plan").rows())
    [('a', 'pro'), ('b', '(unknown)'), ('z', '(unknown)')]
    >>> attach_segment(frame, None, name="plan")["plan"].to_list()
    ['(all)', '(all)', '(all)']
    """
    if segments is None:
        return frame.with_columns(nw.lit(ALL_SEGMENT).alias(name))
    return frame.join(segments, on=on, how="left").with_columns(nw.col(name).fill_null(UNKNOWN_SEGMENT))


def name_segment(frame: pl.DataFrame, by: str | None, *, internal: str) -> pl.DataFrame:
    """Rename the segment column ``internal`` to :func:`segment_column` of ``by`` (where a metric finishes its output).

    >>> name_segment(pl.DataFrame({"persona": ["pro"], "users": [1]}), "plan", internal="persona").columns
    ['plan', 'users']
    """
    name = segment_column(by)
    return frame if name == internal else frame.rename({internal: name})
