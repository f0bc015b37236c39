"""Titles of the cohort charts (the heatmap and the retention curve), from :func:`stickiness.cohort_matrix`'s table.

Both state the curve's figures (:func:`stickiness.metrics.retention.cohort_curve`): the
mean share of a cohort counted one period after its first, and at a later milestone
that every segment has fully observed.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from stickiness.findings._model import FindingOptions, Headline, percent
from stickiness.metrics.retention import cohort_curve
from stickiness.schemas import COHORTS_SCHEMA

__all__ = ["MILESTONES", "cohort_headline"]

#: The furthest offset a title reports (when the log reaches it): a year of months or weeks, a month of days.
MILESTONES: Final = {"month": 12, "week": 12, "day": 30}


def cohort_headline(table: pl.DataFrame, segment: str | None, options: FindingOptions) -> Headline:
    """Word a cohort chart's title: the mean share at offset 1 and at the milestone every segment has observed.

    ``table`` is the cohort matrix; ``segment`` its segment column (None: the one
    column beyond the matrix's own, if any); ``options.period`` the metric's period.

    >>> import datetime as dt
    >>> jan, feb = dt.date(2024, 1, 1), dt.date(2024, 2, 1)
    >>> matrix = pl.DataFrame({"cohort": [jan, jan, feb], "offset": [0, 1, 0], "period": [jan, feb, feb],
    ...     "cohort_users": [4, 4, 2], "users": [4, 3, 2], "share": [1.0, 0.75, 1.0], "complete": [True, True, False]})
    >>> cohort_headline(matrix, None, FindingOptions()).text
    'Cohort retention 75.0% at month 1'
    """
    unit = options.period
    extra = [name for name in table.columns if name not in COHORTS_SCHEMA]
    by = segment if segment is not None else (extra[0] if len(extra) == 1 else None)
    curve = cohort_curve(table, by=by)
    observed = curve.filter(pl.col("complete") & (pl.col("offset") > 0))
    if observed.is_empty():
        return Headline(f"Cohort retention: no cohort is fully observed past its first {unit} yet")
    groups = observed.group_by(by).agg(pl.col("offset").max()) if by else observed.select(pl.col("offset").max())
    reached = groups.get_column("offset").min()
    milestone = min(MILESTONES.get(unit, MILESTONES["month"]), reached if isinstance(reached, int) else 1)
    at = observed.filter(pl.col("offset") == milestone).sort("share")
    if not by or at.height == 1:
        who = f" ({at.get_column(by)[0]})" if by else ""
        shares = observed.filter(pl.col("offset").is_in(sorted({1, milestone}))).sort("offset")
        parts = [f"{percent(share)} at {unit} {offset}" for offset, share in shares.select("offset", "share").rows()]
        return Headline(f"Cohort retention{who} {', '.join(parts)}")
    known = at.filter(pl.col("share").is_not_null()).sort("share", by)
    low, high = known.row(0, named=True), known.row(-1, named=True)
    spread = f"from {percent(low['share'])} ({low[by]}) to {percent(high['share'])} ({high[by]})"
    return Headline(f"Cohort retention at {unit} {milestone}: {spread}")
