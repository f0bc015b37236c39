"""Titles of the adoption charts: feature adoption over time, and where users leave (with its verdicts).

:func:`adoption_headline` words the adoption chart's title from
:func:`stickiness.feature_adoption`'s table: the range of adoption in the last fully
observed period, over the use cases the chart draws (the ``top`` with the most users).
:func:`leave_verdicts` decides, once, which last steps of :func:`stickiness.where_users_leave`
are more common among leavers (the colours of the chart), and :func:`leave_headline`
words the title from them.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import polars as pl

from stickiness.findings._model import FindingOptions, Headline, named, percent

__all__ = ["LEAVE_VERDICTS", "adoption_headline", "adoption_rows", "leave_headline", "leave_verdicts", "short_period"]

#: The verdicts of a last step before leaving: more common among leavers (lift above 1, or only leavers), not, or
#: too few users (leavers and retained together below ``min_users``) to compare.
LEAVE_VERDICTS: Final = ("more common among leavers", "not more common among leavers", "too few users")


def short_period(start: dt.date, period: str) -> str:
    """Name a period as a chart's title does: ``Jun 2026``, ``week of 2026-06-22`` or ``2026-06-30``.

    >>> short_period(dt.date(2026, 6, 1), "month"), short_period(dt.date(2026, 6, 22), "week")
    ('Jun 2026', 'week of 2026-06-22')
    """
    if period == "month":
        return start.strftime("%b %Y")
    return f"week of {start}" if period == "week" else str(start)


def _segment(table: pl.DataFrame, segment: str | None) -> str:
    """Return the segment column: ``segment``, else the table's first (the metrics name it after ``by``)."""
    return segment if segment is not None else table.columns[0]


def adoption_rows(table: pl.DataFrame, segment: str | None = None, *, top: int = 8) -> pl.DataFrame:
    """Return the rows the adoption chart draws: the ``top`` use cases with the most users, where a segment used them.

    >>> frame = pl.DataFrame({"persona": ["a", "a", "b"], "use_case": ["x", "y", "y"],
    ...     "period": [dt.date(2024, 1, 1)] * 3, "active": [4, 4, 2], "users": [1, 3, 0],
    ...     "share": [0.25, 0.75, 0.0], "complete": [True] * 3})
    >>> adoption_rows(frame, top=1).select("persona", "use_case").rows()  # y: 3 users; b never used it
    [('a', 'y')]
    """
    segment = _segment(table, segment)
    totals = table.group_by("use_case").agg(pl.col("users").sum()).sort(["users", "use_case"], descending=[True, False])
    kept = totals.head(top).get_column("use_case")
    ever = pl.col("users").sum().over(segment, "use_case")
    return table.filter(pl.col("use_case").is_in(kept.implode()) & (ever > 0))


def _latest(rows: pl.DataFrame, period: str) -> tuple[pl.DataFrame, str]:
    """Return the rows of the last fully observed period (else of the last, said to be partial) and its name."""
    complete = rows.filter(pl.col("complete"))
    shown = rows if complete.is_empty() else complete
    last = shown.get_column("period").max()
    if not isinstance(last, dt.date):
        return shown.clear(), "no period"
    when = short_period(last, period) + (" (partial)" if complete.is_empty() else "")
    return shown.filter(pl.col("period") == last), when


def _spread(rows: pl.DataFrame, value: str, name: str) -> str:
    """Return "from LOW (its name) to HIGH (its name)" over the rows' non-null ``value``."""
    known = rows.filter(pl.col(value).is_not_null()).sort(value, name)
    low, high = known.row(0, named=True), known.row(-1, named=True)
    return f"from {percent(low[value])} ({low[name]}) to {percent(high[value])} ({high[name]})"


def _step_name(segment: str, *, several: bool) -> pl.Expr:
    """Name a segment's use case in a title: "buy_home for home_buyer" (just the use case with one segment)."""
    return (pl.format("{} for {}", "use_case", segment) if several else pl.col("use_case")).alias("__name")


def adoption_headline(table: pl.DataFrame, segment: str | None, options: FindingOptions) -> Headline:
    """Word the adoption chart's title: the range of adoption in the last fully observed period.

    Over the use cases the chart draws (:func:`adoption_rows`, ``options.top``);
    ``options.period`` is the period given to the metric.

    >>> frame = pl.DataFrame({"persona": ["(all)"] * 2, "use_case": ["search", "buy"],
    ...     "period": [dt.date(2024, 1, 1)] * 2, "active": [4, 4], "users": [4, 1], "share": [1.0, 0.25],
    ...     "complete": [True, True]})
    >>> adoption_headline(frame, None, FindingOptions()).text
    'Adoption in Jan 2024: from 25.0% (buy) to 100.0% (search) of active users'
    """
    segment = _segment(table, segment)
    drawn = adoption_rows(table, segment, top=options.top)
    rows = drawn.filter(pl.col("share").is_not_null())
    if rows.is_empty():
        article = "an" if options.unit == "account" else "a"  # "a user", "an account"
        return Headline(f"Feature adoption: no use case has {article} {options.unit}")
    at, when = _latest(rows, options.period)
    several = drawn.get_column(segment).n_unique() > 1
    at = at.with_columns(_step_name(segment, several=several))
    by = segment if several else None  # one segment: the title names its use cases only
    if at.height == 1:
        row = at.row(0, named=True)
        text = f"Adoption in {when}: {percent(row['share'])} of active {options.units} used {row['__name']}"
        return Headline(text, segments=named(by, row))
    known = at.filter(pl.col("share").is_not_null()).sort("share", "__name")
    low, high = known.row(0, named=True), known.row(-1, named=True)
    return Headline(
        f"Adoption in {when}: {_spread(at, 'share', '__name')} of active {options.units}",
        segments=named(by, low, high),
    )


def leave_verdicts(table: pl.DataFrame, min_users: int = 20) -> pl.DataFrame:
    """Return :func:`stickiness.where_users_leave`'s table with each last step's ``verdict`` and ``only_leavers``.

    ``verdict`` is one of :data:`LEAVE_VERDICTS`: "too few users" when its leavers and
    retained users together are fewer than ``min_users``; else "more common among
    leavers" when its lift is above 1 or only leavers stopped there (``only_leavers``:
    no retained user's last step, an infinite lift).

    >>> frame = pl.DataFrame({"use_case": ["pay", "search", "help"], "leavers": [30, 10, 3], "retained": [0, 60, 1],
    ...     "retained_share": [0.0, 0.75, 0.25], "lift": [None, 1 / 3, 4.0]})
    >>> leave_verdicts(frame).select("use_case", "verdict", "only_leavers").rows()
    [('pay', 'more common among leavers', True), ('search', 'not more common among leavers', False), \
('help', 'too few users', False)]
    """
    only_leavers = (pl.col("retained_share") == 0) & (pl.col("leavers") > 0)
    few = (pl.col("leavers") + pl.col("retained")) < min_users
    verdict = (
        pl.when(few)
        .then(pl.lit(LEAVE_VERDICTS[2]))
        .when(only_leavers | (pl.col("lift") > 1))
        .then(pl.lit(LEAVE_VERDICTS[0]))
        .otherwise(pl.lit(LEAVE_VERDICTS[1]))
    )
    return table.with_columns(verdict.alias("verdict"), only_leavers.alias("only_leavers"))


def leave_headline(table: pl.DataFrame, segment: str | None, options: FindingOptions) -> Headline:
    """Word the where-users-leave chart's title: the step with the highest lift among those with enough users.

    ``options.leave_min_users`` is the chart's ``min_users`` (:func:`leave_verdicts`).

    >>> frame = pl.DataFrame({"persona": ["(all)"] * 2, "use_case": ["pay", "search"], "leavers": [30, 10],
    ...     "retained": [20, 60], "retained_share": [0.25, 0.75], "lift": [3.0, 1 / 3]})
    >>> leave_headline(frame, None, FindingOptions()).text
    'Last step most over-represented among leavers: pay (lift 3.00)'
    """
    segment = _segment(table, segment)
    judged = leave_verdicts(table, options.leave_min_users)
    enough = judged.filter(pl.col("verdict") != LEAVE_VERDICTS[2])
    if enough.is_empty():
        units = options.units
        return Headline(f"Where {units} leave: too few {units} at every last step to compare")
    ranked = enough.with_columns(_step_name(segment, several=table.get_column(segment).n_unique() > 1)).sort(
        ["only_leavers", "lift", "leavers"], descending=[True, True, True], nulls_last=True
    )
    best = ranked.row(0, named=True)
    if best["only_leavers"]:
        units = options.units
        return Headline(f"Only {units} who left stopped at {best['__name']} ({options.count(best['leavers'])})")
    if best["lift"] is None:
        units = options.units
        return Headline(f"Where {units} leave: no step has both leavers and retained {units} to compare")
    return Headline(f"Last step most over-represented among leavers: {best['__name']} (lift {best['lift']:.2f})")
