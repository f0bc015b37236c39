"""The growth-states chart's title: where the users seen stand on the last day (docs/growth-states.md)."""

from __future__ import annotations

import polars as pl

from stickiness.findings._model import FindingOptions, Headline, as_date, percent, segment_of

__all__ = ["growth_headline"]


def growth_headline(states: pl.DataFrame, by: str | None, options: FindingOptions) -> Headline:
    """Word the last day of :func:`stickiness.growth_states` (all segments together): the stack the chart ends on.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> states = pl.DataFrame({"day": [dt.date(2024, 1, 10)], "new": [1], "current": [6], "reactivated": [1],
    ...     "resurrected": [0], "at_risk_wau": [4], "at_risk_mau": [8], "dormant": [30], "dau": [8], "wau": [12],
    ...     "mau": [20], "users": [50]})
    >>> growth_headline(states, None, FindingOptions()).text
    'On 2024-01-10, of 50 users seen: 8 active (75.0% current), 12 at risk, 30 dormant'
    """
    segment = by if by is not None else segment_of(states)
    day = as_date(states.get_column("day").max())
    last = states.filter(pl.col("day") == day).select(pl.exclude(*([segment] if segment else []), "day").sum())
    row = last.row(0, named=True)
    current = f" ({percent(row['current'] / row['dau'])} current)" if row["dau"] else ""
    at_risk = row["at_risk_wau"] + row["at_risk_mau"]
    text = f"On {day}, of {row['users']:,} {options.units} seen: {row['dau']:,} active{current}, {at_risk:,} at risk, "
    text += f"{row['dormant']:,} dormant"
    note = (
        f"Each {options.unit} seen is in one state a day: active (new, current, reactivated, resurrected), at risk (no "
        "activity today but in the last 7 or 30 days) or dormant (none in the last 30 days)."
    )
    return Headline(text, note)
