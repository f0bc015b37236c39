"""Find which input columns hold the user, the time and the event.

Checked once, on entry, against the schema only (no data is read).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from stickiness.exceptions import AmbiguousColumnError, ColumnNotFoundError

__all__ = ["AUTO", "ColumnMap", "check_unique", "normalise_name", "resolve_column", "resolve_columns"]

AUTO = "auto"

#: Column names common exports use, in order of preference, per role.
CANDIDATES: dict[str, tuple[str, ...]] = {
    "user": ("user_id", "distinct_id", "userId", "customer_id"),
    "time": ("timestamp", "ts", "time", "event_time", "created_at"),
    "event": ("event", "event_name", "event_type"),
}


@dataclass(frozen=True)
class ColumnMap:
    """The input columns that play each role; ``event`` is None when the log has none."""

    user: str
    time: str
    event: str | None


def normalise_name(name: str) -> str:
    """Return a column name as compared for near-misses: lower case, without ``_``, ``-`` and spaces."""
    return name.lower().replace("_", "").replace("-", "").replace(" ", "")


#: How polars names the second, third, ... column of a CSV header that repeats a name.
_DUPLICATED = re.compile(r"^(?P<name>.+)_duplicated_(?P<n>\d+)$")


def check_unique(column: str, columns: Sequence[str], *, role: str, option: str, where: str = "log") -> None:
    """Raise :class:`AmbiguousColumnError` when a column picked by name has a twin.

    A twin is a column whose name differs only by case, ``_``, ``-`` or spaces
    (``User_ID`` beside ``user_id``), or a repeat of the name in a CSV header
    (polars reads the second ``user_id`` as ``user_id_duplicated_0``).

    >>> check_unique("user_id", ["user_id", "time", "user_id_duplicated_0"], role="user", option="user")
    Traceback (most recent call last):
    ...
    stickiness.exceptions.AmbiguousColumnError: the log's header names 'user_id' twice ...
    """
    twins = [c for c in columns if c != column and normalise_name(c) == normalise_name(column)]
    if twins:
        raise AmbiguousColumnError(
            f"more than one column of the {where} could be the {role} column: {[column, *twins]} "
            f"(their names differ only by case or punctuation). Say which one, e.g. {option}={column!r}, "
            "or rename or drop the other."
        )
    repeats = [c for c in columns if (m := _DUPLICATED.match(c)) is not None and m["name"] == column]
    if repeats:
        times = "twice" if len(repeats) == 1 else f"{len(repeats) + 1} times"
        raise AmbiguousColumnError(
            f"the {where}'s header names {column!r} {times} (read as {[column, *repeats]}), so the {role} "
            f"column is ambiguous. Rename the repeats in the header, or say which one, e.g. "
            f"{option}={repeats[0]!r} for the second."
        )


def resolve_column(
    columns: Sequence[str], role: str, given: str | None, *, option: str, where: str = "log"
) -> str | None:
    """Return the column that plays ``role``: ``given`` if named, else the auto-detected one.

    ``given`` is a column name, ``"auto"`` or None (the role has no column).
    """
    if given is None:
        return None
    if given != AUTO:
        if given in columns:
            return given
        close = difflib.get_close_matches(given, list(columns), n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise ColumnNotFoundError(
            f"{option}={given!r}: the {where} has no column {given!r}.{hint} Columns found: {list(columns)}."
        )
    # Every column whose name matches a candidate once case, "_", "-" and spaces are ignored:
    # user_id and User_ID are two candidates, not one (the data cannot tell which is meant).
    wanted = {normalise_name(c) for c in CANDIDATES[role]}
    found = [c for c in columns if normalise_name(c) in wanted]
    if len(found) == 1:
        check_unique(found[0], columns, role=role, option=option, where=where)
        return found[0]
    if len(found) > 1:
        raise AmbiguousColumnError(
            f"more than one column of the {where} could be the {role} column: {found}. "
            f"Say which one, e.g. {option}={found[0]!r}."
        )
    names = ", ".join(CANDIDATES[role])
    raise ColumnNotFoundError(
        f"no {role} column found in the {where}: looked for {names}. Columns found: {list(columns)}. "
        f"Name it with {option}='your_column'."
    )


def resolve_columns(columns: Sequence[str], *, user: str, time: str, event: str | None) -> ColumnMap:
    """Resolve the user, time and event columns of a log."""
    user_col = resolve_column(columns, "user", user, option="user")
    time_col = resolve_column(columns, "time", time, option="time")
    if user_col is None or time_col is None:
        raise ColumnNotFoundError("the user and time columns are required; pass their names, not None.")
    try:
        event_col = resolve_column(columns, "event", event, option="event")
    except ColumnNotFoundError as err:
        if event != AUTO:
            raise
        raise ColumnNotFoundError(
            f"{err} If the log has no event column (every row is one kind of use), pass event=None."
        ) from None
    roles = [user_col, time_col, event_col]
    if len({c for c in roles if c is not None}) != len([c for c in roles if c is not None]):
        raise AmbiguousColumnError(
            f"one column plays two roles (user={user_col!r}, time={time_col!r}, event={event_col!r}). "
            "Name each column explicitly."
        )
    return ColumnMap(user=user_col, time=time_col, event=event_col)
