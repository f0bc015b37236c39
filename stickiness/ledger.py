"""The row ledger: where every input row went.

``rows_read = rows_used + sum(set_aside.values())``, always. A row is set aside
for the first reason that applies, in the order of :data:`REASONS`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from stickiness._text import printable

__all__ = ["AFTER_READ", "REASONS", "Ledger"]

#: Why a row can be set aside, in the order the checks apply, with what to do about it.
REASONS: dict[str, str] = {
    "null_user": "the user id is empty or null-like (NA, NULL, ...); fix the export, or ignore if anonymous events",
    "null_time": "the time is empty or null-like",
    "unparseable_time": "the time is not ISO-8601 text, a timestamp, or epoch numbers (see time_unit=)",
    "null_event": "the event name is empty or null-like",
    "future_time": "the day is after today in the analysis time zone (clock skew or bad data)",
    "before_start": "the day is before the requested start",
    "after_as_of": "the day is after the requested as_of",
    "duplicate": "an exact copy (same user, time and event) of a row already counted",
    "no_account": "the user has no account: an empty account value, or absent from the users table (an account log)",
}
#: Reasons applied after the read (by :func:`stickiness.by_account`): in a ledger only when that step ran.
AFTER_READ: tuple[str, ...] = ("no_account",)


@dataclass(frozen=True)
class Ledger:
    """Rows read, used and set aside (by reason) for one read of a usage log.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness import read_log
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "a", None],
    ...     "timestamp": [dt.datetime(2024, 1, 1, 9), dt.datetime(2024, 1, 1, 9), dt.datetime(2024, 1, 2)],
    ...     "event": ["open", "open", "open"],
    ... })
    >>> ledger = read_log(events).ledger
    >>> ledger.rows_read, ledger.rows_used, ledger.set_aside["null_user"], ledger.set_aside["duplicate"]
    (3, 1, 1, 1)
    """

    rows_read: int
    rows_used: int
    set_aside: Mapping[str, int]
    users: int = 0
    users_without_segment: int | None = None
    notes: tuple[str, ...] = field(default=())
    #: What ``users`` counts: ``"user"``, or ``"account"`` in an account log (:func:`stickiness.by_account`).
    unit: str = "user"

    @property
    def rows_set_aside(self) -> int:
        """Rows not used, all reasons together."""
        return sum(self.set_aside.values())

    @property
    def balanced(self) -> bool:
        """True when every row read is either used or set aside (always, unless there is a bug)."""
        return self.rows_read == self.rows_used + self.rows_set_aside

    def to_dict(self) -> dict[str, Any]:
        """Return the ledger as plain Python data (what ``ledger.json`` holds)."""
        return {
            "rows_read": self.rows_read,
            "rows_used": self.rows_used,
            "rows_set_aside": self.rows_set_aside,
            "set_aside": dict(self.set_aside),
            "users": self.users,
            "users_without_segment": self.users_without_segment,
            "notes": list(self.notes),
            # only an account log's says so: a user log's ledger.json is as it was
            **({"unit": self.unit} if self.unit != "user" else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Ledger:
        """Rebuild a ledger from :meth:`to_dict`'s data (what ``ledger.json`` holds).

        >>> ledger = Ledger(rows_read=3, rows_used=2, set_aside={"duplicate": 1}, users=2)
        >>> Ledger.from_dict(ledger.to_dict()) == ledger
        True
        """
        return cls(
            rows_read=int(data["rows_read"]),
            rows_used=int(data["rows_used"]),
            set_aside={str(reason): int(rows) for reason, rows in data["set_aside"].items()},
            users=int(data.get("users", 0)),
            users_without_segment=data.get("users_without_segment"),
            notes=tuple(data.get("notes", ())),
            unit=str(data.get("unit", "user")),
        )

    def to_frame(self) -> pl.DataFrame:
        """One row per reason: ``reason, rows, meaning``, then a ``used`` row."""
        reasons = list(self.set_aside)
        return pl.DataFrame(
            {
                "reason": [*reasons, "used"],
                "rows": [self.set_aside[r] for r in reasons] + [self.rows_used],
                "meaning": [REASONS.get(r, "") for r in reasons] + ["used by the metrics"],
            },
            schema={"reason": pl.String, "rows": pl.Int64, "meaning": pl.String},
        )

    def write_json(self, path: str | Path) -> Path:
        """Write :meth:`to_dict` as JSON to ``path`` and return the path."""
        path = Path(path)
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n")
        return path

    def _repr_html_(self) -> str:
        """Return the ledger as a small HTML table (how notebooks and the HTML report show it).

        >>> print(Ledger(rows_read=3, rows_used=2, set_aside={"duplicate": 1}, users=2)._repr_html_())
        <table class='stickiness-ledger'>...<td style="padding-left:1.5em">duplicate</td>...</table>
        """
        import html

        def row(label: str, rows: int, meaning: str = "", *, indent: bool = False) -> str:
            style = ' style="padding-left:1.5em"' if indent else ""
            return (
                f"<tr><td{style}>{html.escape(label)}</td><td style='text-align:right'>{rows:,}</td>"
                f"<td style='text-align:left'>{html.escape(meaning)}</td></tr>"
            )

        body = [row("rows read", self.rows_read), row("rows used", self.rows_used, "used by the metrics")]
        body.append(row("set aside", self.rows_set_aside))
        body += [row(r, n, REASONS.get(r, ""), indent=True) for r, n in self.set_aside.items() if n]
        body.append(row(f"{self.unit}s", self.users))
        notes = list(self.notes)
        if self.users_without_segment:
            notes.insert(0, f"{self.users_without_segment:,} users are not in the users table: segment '(unknown)'")
        caption = "<caption style='text-align:left'><b>Row ledger</b>: rows read = rows used + set aside</caption>"
        foot = "".join(f"<p><i>{html.escape(note)}</i></p>" for note in notes)
        return f"<table class='stickiness-ledger'>{caption}{''.join(body)}</table>{foot}"

    def __str__(self) -> str:
        width = max(len(f"{self.rows_read:,}"), 5)
        lines = [f"rows read {self.rows_read:>{width + 9},}", f"rows used {self.rows_used:>{width + 9},}"]
        lines.append(f"set aside {self.rows_set_aside:>{width + 9},}")
        for reason, rows in self.set_aside.items():
            if rows:
                lines.append(f"  {reason:<16} {rows:>{width},}  ({REASONS.get(reason, '')})")
        lines.append(f"{self.unit + 's':<9} {self.users:>{width + 9},}")
        if self.users_without_segment:
            lines.append(f"  {self.users_without_segment:,} users are not in the users table: segment '(unknown)'")
        lines.extend(f"note: {printable(note)}" for note in self.notes)  # notes quote names: data
        return "\n".join(lines)
