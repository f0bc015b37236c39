"""Find which input columns hold the user, the time and the event.

Checked once, on entry, against the schema only (no data is read).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from stickiness._errors import AmbiguousColumnError, ColumnNotFoundError

__all__ = ["AUTO", "ColumnMap", "resolve_column", "resolve_columns"]

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


def _normalise(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "").replace(" ", "")


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
    exact = [c for c in CANDIDATES[role] if c in columns]
    if not exact:
        wanted = {_normalise(c) for c in CANDIDATES[role]}
        exact = [c for c in columns if _normalise(c) in wanted]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        raise AmbiguousColumnError(
            f"more than one column of the {where} could be the {role} column: {exact}. "
            f"Say which one, e.g. {option}={exact[0]!r}."
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
