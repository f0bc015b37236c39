"""The power-user curve in words: the summary's line and the by-use-case chart's title (docs/power-users.md).

A *power user* is active on :func:`~stickiness.findings.headlines.power_user_days` or more days of
the window (the daily band's 20 per 30, scaled: 20 of 30, 19 of 28, 5 of 7), as the power-user
chart's title counts them; here the same share is worded per segment for the summary, and per use
case for :func:`use_case_curves`, the curves the by-use-case chart draws.
"""

from __future__ import annotations

import polars as pl

from stickiness.exceptions import InvalidOptionError
from stickiness.findings._model import (
    UNMAPPED,
    Finding,
    FindingOptions,
    Headline,
    capped,
    listing,
    named,
    percent,
    segment_of,
    who,
)
from stickiness.stages.segments import ALL_SEGMENT

__all__ = ["by_use_case_headline", "power_users_finding", "use_case_curves"]


def _threshold(curve: pl.DataFrame) -> tuple[int, int]:
    """Return the window (the curve's largest k: it has every k) and the power-user days of it."""
    from stickiness.findings.headlines import power_user_days  # headlines dispatches to this module

    window = int(curve.get_column("active_days").max())  # type: ignore[arg-type]
    return window, power_user_days(window)


def _shares(curve: pl.DataFrame, keys: list[str], days: int) -> pl.DataFrame:
    """Return ``*keys, mau, power, power_users``: per group its users in the window, its power users' share, count."""
    power = pl.col("active_days") >= days
    figures = (
        pl.col("users").sum().alias("mau"),
        pl.col("share").filter(power).sum().alias("power"),
        pl.col("users").filter(power).sum().alias("power_users"),
    )
    return curve.group_by(keys).agg(*figures) if keys else curve.select(*figures)


def power_users_finding(curve: pl.DataFrame, options: FindingOptions) -> Finding | None:
    """Word the summary's line on :func:`stickiness.power_users`' table: each segment's share of power users.

    Listed from the highest share down (at most five segments, the largest by MAU; the rest
    counted), with the number of users behind each share.

    Examples
    --------
    >>> import polars as pl
    >>> curve = pl.DataFrame({"active_days": range(1, 8), "users": [2, 0, 0, 0, 1, 0, 1]})
    >>> finding = power_users_finding(curve.with_columns(share=pl.col("users") / 4), FindingOptions())
    >>> print(finding.sentence)  # 5+ of 7 days: k = 5 and 7, 1 + 1 of the 4 users  # doctest: +NORMALIZE_WHITESPACE
    Power users (active on 5 or more of the last 7 days, the daily band scaled to the window):
    all users 50.0% of MAU (2 of 4).
    """
    if curve.is_empty():  # the window is the table's: its largest k
        return None
    window, days = _threshold(curve)
    segment = segment_of(curve)
    keys = [segment] if segment else []
    shares = _shares(curve, keys, days).sort(["power", *keys], descending=[True] + [False] * len(keys))
    kept, more = capped(shares, "mau", "tables/power_users.csv")
    show = lambda r: f"{percent(r['power'])} of MAU ({r['power_users']:,} of {r['mau']:,})"  # noqa: E731
    sentence = (
        f"Power {options.units} (active on {days} or more of the last {window} days, the daily band scaled to the "
        f"window): {listing(kept, segment, show, options.units)}{more}."
    )
    return Finding("power_users", sentence, shares)


def use_case_curves(table: pl.DataFrame, *, by: str | None = None, segment: str | None = None) -> pl.DataFrame:
    """Return ``use_case, active_days, users, share``: the curves of one segment or all, per use case.

    ``table`` is :func:`stickiness.power_users_by_use_case`' output.

    ``segment`` (a value of the segment column ``by``, default the table's first column) keeps that
    segment's curves; None pools every segment: each user is in one segment, so the users of a
    (use case, k) add up across segments, and the share is over the use case's users in the window.
    ``(unmapped)`` (the events in no use case) is left out: it is not a use case.

    Examples
    --------
    >>> import polars as pl
    >>> table = pl.DataFrame({"persona": ["a", "a", "b", "b"], "use_case": "search", "active_days": [1, 2, 1, 2],
    ...     "users": [3, 1, 0, 4]}).with_columns(share=pl.col("users") / pl.col("users").sum().over("persona"))
    >>> use_case_curves(table).rows()  # 3 + 0 users on 1 day, 1 + 4 on 2 days, of 8
    [('search', 1, 3, 0.375), ('search', 2, 5, 0.625)]
    >>> use_case_curves(table, segment="b").get_column("share").to_list()
    [0.0, 1.0]
    """
    column = by or segment_of(table)
    rows = table.filter(pl.col("use_case") != UNMAPPED)
    if segment is not None:
        if column is None or segment not in set(rows.get_column(column).cast(pl.String)):
            known = [] if column is None else sorted(set(rows.get_column(column).cast(pl.String)))
            choices = ", ".join(known) or "none: the table has no segment column"
            raise InvalidOptionError(f"segment={segment!r} is not in the table's segments: choose one of {choices}.")
        rows = rows.filter(pl.col(column).cast(pl.String) == segment)
    pooled = rows.group_by("use_case", "active_days").agg(pl.col("users").sum())
    total = pl.col("users").sum().over("use_case")
    return (
        pooled.with_columns(share=pl.when(total > 0).then(pl.col("users") / total).otherwise(0.0))
        .select("use_case", "active_days", pl.col("users").cast(pl.Int64), "share")
        .sort("use_case", "active_days")
    )


def by_use_case_headline(table: pl.DataFrame, by: str | None, options: FindingOptions) -> Headline:
    """Word the by-use-case chart's title: the use cases with the highest and lowest share of power users.

    ``table`` is :func:`stickiness.power_users_by_use_case`' output, or the rows of one segment of it;
    its segments are pooled (:func:`use_case_curves`), as the chart draws them.

    Examples
    --------
    >>> import polars as pl
    >>> table = pl.DataFrame({"persona": "a", "use_case": ["buy"] * 7 + ["search"] * 7,
    ...     "active_days": list(range(1, 8)) * 2, "users": [4, 0, 0, 0, 0, 0, 0] + [1, 0, 0, 0, 1, 0, 2]})
    >>> table = table.with_columns(share=pl.col("users") / pl.col("users").sum().over("use_case"))
    >>> by_use_case_headline(table, None, FindingOptions()).text  # search: 3 of its 4 users on 5+ days
    "a: 75.0% of search's users were active 5+ days of 7, 0.0% of buy's"
    """
    column = by or segment_of(table)
    curves = use_case_curves(table, by=column)
    if curves.is_empty():
        return Headline(f"Power {options.units} by use case: nobody was active in the window")
    window, days = _threshold(curves)
    shares = _shares(curves, ["use_case"], days).sort(["power", "use_case"], descending=[True, False])
    segments = [] if column is None else sorted(set(table.get_column(column).cast(pl.String)))
    segments = [name for name in segments if name != ALL_SEGMENT]  # "(all)": no users table, nothing to name
    scope = f"{segments[0]}: " if len(segments) == 1 else ""
    high = shares.row(0, named=True)
    text = (
        f"{scope}{percent(high['power'])} of {who(high, 'use_case')}'s {options.units} were active {days}+ days "
        f"of {window}"
    )
    if shares.height > 1:
        low = shares.row(-1, named=True)
        text += f", {percent(low['power'])} of {who(low, 'use_case')}'s"
    note = (
        f"Power {options.units}: active on {days} or more of the {window} days to as_of (the daily band, 20 days "
        f"per 30, scaled to the window); a bar is the share of the use case's {options.units} active in the window"
        + (f", {segments[0]} only." if scope else ", all segments together.")
    )
    return Headline(text, note, named(column, *([{column: segments[0]}] if scope and column else [])))
