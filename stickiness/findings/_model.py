"""What the findings are made of: :class:`Headline`, :class:`Finding`, :class:`FindingOptions`, :class:`Findings`.

And the words they share: a share as a percentage, a change in points, a segment's name.
Every module of :mod:`stickiness.findings` words its numbers with these, so that a
number reads the same in the summary and in a chart's title.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import polars as pl

from stickiness._text import printable
from stickiness.exceptions import InvalidOptionError
from stickiness.options import ACTIVITY, DORMANCY, FIT, HABITS, NPS, PERIOD, PREDICTION, ZONE

__all__ = [
    "ANY",
    "CHANGE_DAYS",
    "MOST_NAMED",
    "UNITS",
    "UNMAPPED",
    "WEEK",
    "Finding",
    "FindingOptions",
    "Findings",
    "Headline",
    "as_date",
    "capped",
    "listing",
    "month_name",
    "named",
    "percent",
    "period_name",
    "points",
    "segment_of",
    "signed_count",
    "spread",
    "who",
]


#: Days in the trailing mean of DAU / MAU that the summary and the active-users chart state.
WEEK: Final = 7


#: "What changed" compares the last complete day with the day this many days before.
CHANGE_DAYS: Final = 30


#: The first column of each table when it has no segment column.
_FIRST: Final = frozenset({"day", "month", "period", "user", "event", "active_days"})


#: What a catalog-less report calls the whole product (the metrics' one use case).
ANY: Final = "(any)"


UNMAPPED: Final = "(unmapped)"


#: Most items a summary sentence lists (segments, segment x use-case pairs, groups): the rest are counted, with
#: the table that lists them all (as the use-case map's subtitle does).
MOST_NAMED: Final = 5


#: What a log can count (:attr:`stickiness.UsageLog.unit`): users, or accounts (:func:`stickiness.by_account`).
UNITS: Final = ("user", "account")


@dataclass(frozen=True)
class Headline:
    """A chart's title: ``text`` states a number the chart draws; ``note`` (a subtitle line) says which figure.

    ``segments`` are the segments the text names, in the order it names them (a
    range's lowest, then its highest): a chart reads them here, never re-derives them
    (e.g. to colour them when it has more segments than colours).
    """

    text: str
    note: str = ""
    segments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One topic of the summary: the ``sentence`` in plain words and the ``numbers`` it states (a small frame)."""

    topic: str
    sentence: str
    numbers: pl.DataFrame = field(default_factory=pl.DataFrame, compare=False)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FindingOptions:
    """The options the findings were computed with (the report's, as the tables were)."""

    mau_window: int = ACTIVITY.window
    habit_window: int = HABITS.window
    threshold: float = HABITS.threshold
    majority: float = ZONE.majority
    min_users: int = ZONE.min_users
    period: str = PERIOD.period
    inactive_days: int = DORMANCY.days
    catalog: bool | None = None
    #: The chart options that word the other charts' titles (each chart passes its own): adoption's ``top``
    #: use cases, where-users-leave's ``min_users``, fit's ``depart_below``, NPS's ``min_responses`` and the
    #: predictions' ``horizon_days``.
    top: int = 8
    leave_min_users: int = 20
    depart_below: float = FIT.depart_below
    min_responses: int = NPS.min_responses
    horizon_days: int = PREDICTION.horizon_days
    #: What the log counts, as :attr:`stickiness.UsageLog.unit` says: ``"user"``, or ``"account"`` for a log of
    #: :func:`stickiness.by_account`. Every sentence and title that counts people uses its noun (docs/accounts.md).
    unit: str = "user"

    @property
    def units(self) -> str:
        """The unit's plural, as the sentences count it: ``users`` or ``accounts``.

        >>> FindingOptions().units, FindingOptions(unit="account").units
        ('users', 'accounts')
        """
        return f"{self.unit}s"

    def __post_init__(self) -> None:
        if self.unit not in UNITS:  # a typo would word every sentence wrongly
            raise InvalidOptionError(
                f"unit={self.unit!r} is not a unit a log counts: give one of {', '.join(map(repr, UNITS))} "
                "(the log's own: log.unit)."
            )

    def count(self, n: int) -> str:
        """Return ``n`` of the unit, singular or plural as ``n`` needs: ``1 account``, ``1,200 users``.

        >>> FindingOptions(unit="account").count(1), FindingOptions().count(1200)
        ('1 account', '1,200 users')
        """
        return f"{n:,} {self.unit if n == 1 else self.units}"


@dataclass(frozen=True)
class Findings:
    """The findings of one report (:func:`report_findings`): topics in reading order, next steps and chart titles."""

    topics: tuple[Finding, ...]
    next_steps: tuple[str, ...]
    headlines: Mapping[str, Headline]
    options: FindingOptions

    def topic(self, name: str) -> Finding:
        """Return the finding of one topic (``stickiness``, ``retention``, ...); KeyError when absent."""
        for finding in self.topics:
            if finding.topic == name:
                return finding
        raise KeyError(f"no finding on {name!r}: the report has {', '.join(f.topic for f in self.topics)}")

    def sentences(self) -> list[str]:
        """Return the topics' sentences, in reading order."""
        return [finding.sentence for finding in self.topics]

    def to_markdown(self) -> str:
        """Return the summary as Markdown: the findings, then the numbered next steps."""
        lines = ["## Summary", "", *(f"- {s}" for s in self.sentences())]
        if self.next_steps:
            lines += ["", "### Next steps", "", *(f"{n}. {s}" for n, s in enumerate(self.next_steps, 1))]
        return "\n".join(lines)

    def to_html(self) -> str:
        """Return the summary as an HTML section (``class="stickiness-summary"``), text escaped."""
        items = "".join(f"<li>{_inline_code(s)}</li>" for s in self.sentences())
        steps = "".join(f"<li>{_inline_code(s)}</li>" for s in self.next_steps)
        return (
            '<section class="stickiness-summary" aria-label="Summary"><h2>Summary</h2>'
            f"<ul>{items}</ul>" + (f"<h3>Next steps</h3><ol>{steps}</ol>" if steps else "") + "</section>"
        )

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        return self.to_markdown()


def _inline_code(text: str) -> str:
    """Escape ``text`` for HTML, with `backticked` spans as <code>."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def percent(value: float | None, digits: int = 1) -> str:
    """Format a share as a percentage with ``digits`` decimals (n/a when unknown).

    >>> percent(0.8171), percent(None), percent(0.297, 0)
    ('81.7%', 'n/a', '30%')
    """
    return "n/a" if value is None else f"{value:.{digits}%}"


def points(change: float) -> str:
    """Format a change of a share in percentage points, signed: ``+1.2 points``.

    >>> points(0.0123), points(-0.05)
    ('+1.2 points', '−5.0 points')
    """
    return f"{'+' if change >= 0 else '−'}{abs(change) * 100:.1f} points"


def signed_count(change: int) -> str:
    return f"{'+' if change >= 0 else '−'}{abs(change):,}"


def segment_of(table: pl.DataFrame) -> str | None:
    """Return a table's segment column: its first column unless that is a standard one (``day``, ``period``, ...).

    The drifting-users and inactive lists start with ``user``: their segment is the second column.

    >>> segment_of(pl.DataFrame({"persona": ["a"], "day": [1]})), segment_of(pl.DataFrame({"day": [1]}))
    ('persona', None)
    """
    first = table.columns[0] if table.columns else None
    if first == "user" and len(table.columns) > 1 and table.columns[1] not in {"use_case", "last_active"}:
        return table.columns[1]
    return None if first is None or first in _FIRST else first


def who(row: Mapping[str, Any], segment: str | None, units: str = "users") -> str:
    """Name a row's segment, or ``all users`` (``all accounts``: ``units``) without a segment column."""
    return f"all {units}" if segment is None else printable(row[segment], 40, pad=False)


def named(segment: str | None, *rows: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the segments of ``rows`` as a title names them, once each, in order (none without a segment column).

    >>> named("p", {"p": "b"}, {"p": "a"}, {"p": "b"}), named(None, {"p": "a"})
    (('b', 'a'), ())
    """
    if segment is None:
        return ()
    return tuple(dict.fromkeys(str(row[segment]) for row in rows if row[segment] is not None))


def capped(rows: pl.DataFrame, size: str, table: str) -> tuple[pl.DataFrame, str]:
    """Return at most :data:`MOST_NAMED` of ``rows`` to list, and the words for the rest (empty when none is left).

    The ones kept are the largest by ``size`` (ties: the earlier row), listed in the rows' own order;
    the rest are counted: ``" and 16 more in tables/active_users.csv"``.

    >>> rows = pl.DataFrame({"p": list("abcdefg"), "users": [1, 7, 2, 6, 3, 5, 4]})
    >>> kept, more = capped(rows, "users", "tables/t.csv")
    >>> kept.get_column("p").to_list(), more  # b 7, d 6, f 5, g 4, e 3: in the rows' order
    (['b', 'd', 'e', 'f', 'g'], ' and 2 more in tables/t.csv')
    """
    if rows.height <= MOST_NAMED:
        return rows, ""
    order = "__capped_order"
    kept = (
        rows.with_row_index(order)
        .sort([size, order], descending=[True, False], nulls_last=True)
        .head(MOST_NAMED)
        .sort(order)
        .drop(order)
    )
    return kept, f" and {rows.height - MOST_NAMED:,} more in {table}"


def listing(rows: pl.DataFrame, segment: str | None, show: Any, units: str = "users") -> str:
    """Return "a 81.7%, b 31.9%" over the rows, in their order (``all users`` without a segment: ``units``)."""
    return ", ".join(f"{who(row, segment, units)} {show(row)}" for row in rows.iter_rows(named=True))


def spread(
    low: Mapping[str, Any], high: Mapping[str, Any], value: str, segment: str | None, units: str = "users"
) -> str:
    """Return "from LOW (who) to HIGH (who)" of ``value`` between two rows."""
    return (
        f"from {percent(low[value])} ({who(low, segment, units)}) to {percent(high[value])} "
        f"({who(high, segment, units)})"
    )


def as_date(value: Any) -> dt.date:
    """Return a table's date (a max over a date column), checked for the type checker."""
    if not isinstance(value, dt.date):
        raise TypeError(f"expected a date, got {value!r}")
    return value


def month_name(day: dt.date) -> str:
    return f"{day:%B %Y}"


def period_name(start: dt.date, period: str) -> str:
    """Name a period by its start: ``June 2026``, ``the week of 2026-06-01`` or ``2026-06-01``.

    >>> period_name(dt.date(2026, 6, 1), "month"), period_name(dt.date(2026, 6, 1), "week")
    ('June 2026', 'the week of 2026-06-01')
    """
    if period == "month":
        return month_name(start)
    return f"the week of {start}" if period == "week" else str(start)
