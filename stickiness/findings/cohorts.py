"""Titles of the cohort charts (the heatmap and the retention curve), from :func:`stickiness.cohort_matrix`'s table.

The curve's states its figures (:func:`stickiness.metrics.retention.cohort_curve`): the
mean share of a cohort counted one period after its first, and at a later milestone
that every segment has fully observed. The heatmap's states a cell it draws
(:func:`stated_cells`): the latest cohort's share one period after its first, as the
cell prints it (:func:`cell_label`).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import polars as pl

from stickiness.findings._model import FindingOptions, Headline, as_date, month_name, named, percent, who
from stickiness.metrics.retention import cohort_curve
from stickiness.schemas import COHORTS_SCHEMA

__all__ = ["MILESTONES", "cell_label", "cohort_cell_headline", "cohort_headline", "stated_cells"]

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
    by = _segment(table, segment)
    curve = cohort_curve(table, by=by)
    observed = curve.filter(pl.col("complete") & (pl.col("offset") > 0))
    if observed.is_empty():
        return Headline(f"Cohort retention: no cohort is fully observed past its first {unit} yet")
    groups = observed.group_by(by).agg(pl.col("offset").max()) if by else observed.select(pl.col("offset").max())
    reached = groups.get_column("offset").min()
    milestone = min(MILESTONES.get(unit, MILESTONES["month"]), reached if isinstance(reached, int) else 1)
    at = observed.filter(pl.col("offset") == milestone).sort("share")
    if not by or at.height == 1:
        label = f" ({at.get_column(by)[0]})" if by else ""
        shares = observed.filter(pl.col("offset").is_in(sorted({1, milestone}))).sort("offset")
        parts = [f"{percent(share)} at {unit} {offset}" for offset, share in shares.select("offset", "share").rows()]
        names = at.select(by).head(1).rows(named=True) if by else []
        return Headline(f"Cohort retention{label} {', '.join(parts)}", segments=named(by, *names))
    known = at.filter(pl.col("share").is_not_null()).sort("share", by)
    low, high = known.row(0, named=True), known.row(-1, named=True)
    spread = f"from {percent(low['share'])} ({low[by]}) to {percent(high['share'])} ({high[by]})"
    return Headline(f"Cohort retention at {unit} {milestone}: {spread}", segments=named(by, low, high))


def cell_label(share: str = "share") -> pl.Expr:
    """Return a cohort cell's text as the heatmap prints it: the share in whole percent (``84%``).

    >>> pl.DataFrame({"share": [0.844, 0.846, 1.0]}).select(cell_label()).to_series().to_list()
    ['84%', '85%', '100%']
    """
    return pl.format("{}%", (pl.col(share) * 100).round(0).cast(pl.Int64))


def stated_cells(table: pl.DataFrame, segment: str | None = None) -> pl.DataFrame:
    """Return the cells the heatmap's title states: the latest cohort whose period 1 is fully observed.

    One row per segment that has that cell (``[segment,] cohort, offset, share, label``;
    ``label`` as the cell prints it), none when no cohort's period 1 is fully observed.

    >>> import datetime as dt
    >>> jan, feb, mar = dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)
    >>> matrix = pl.DataFrame({"cohort": [jan, jan, feb, feb], "offset": [0, 1, 0, 1], "period": [jan, feb, feb, mar],
    ...     "cohort_users": [4, 4, 2, 2], "users": [4, 3, 2, 1], "share": [1.0, 0.75, 1.0, 0.5],
    ...     "complete": [True, True, True, False]})
    >>> stated_cells(matrix).select("cohort", "label").row(0)  # February's month 1 (March) is not complete
    (datetime.date(2024, 1, 1), '75%')
    """
    keys = [segment] if segment else []
    cells = table.filter((pl.col("offset") == 1) & pl.col("complete") & pl.col("share").is_not_null())
    latest = cells.filter(pl.col("cohort") == pl.col("cohort").max())
    return latest.select(*keys, "cohort", "offset", "share", cell_label().alias("label")).sort(*keys, "cohort")


def _cohort_name(start: dt.date, unit: str) -> str:
    return {"month": f"the {month_name(start)} cohort", "week": f"the cohort of the week of {start}"}.get(
        unit, f"the {start} cohort"
    )


def _segment(table: pl.DataFrame, segment: str | None) -> str | None:
    """Return the cohort matrix's segment column: ``segment``, else its one column beyond the matrix's own, if any."""
    extra = [name for name in table.columns if name not in COHORTS_SCHEMA]
    return segment if segment is not None else (extra[0] if len(extra) == 1 else None)


def cohort_cell_headline(table: pl.DataFrame, segment: str | None, options: FindingOptions) -> Headline:
    """Word the cohort heatmap's title: one cell it draws, the latest cohort's share one period after its first.

    With segments (one heatmap each), the lowest and the highest of that cell across
    them. The share is worded as the cell prints it, in whole percent.

    >>> import datetime as dt
    >>> jan, feb = dt.date(2024, 1, 1), dt.date(2024, 2, 1)
    >>> matrix = pl.DataFrame({"cohort": [jan, jan, feb], "offset": [0, 1, 0], "period": [jan, feb, feb],
    ...     "cohort_users": [4, 4, 2], "users": [4, 3, 2], "share": [1.0, 0.75, 1.0], "complete": [True, True, False]})
    >>> cohort_cell_headline(matrix, None, FindingOptions()).text
    'Retention of the January 2024 cohort at month 1: 75%'
    """
    unit = options.period
    by = _segment(table, segment)
    cells = stated_cells(table, by)
    note = f"Outlined: the latest cohort whose {unit} 1 is fully observed (the curve chart averages all cohorts)."
    if cells.is_empty():
        return Headline(f"Cohort retention: no cohort is fully observed past its first {unit} yet")
    cohort = _cohort_name(as_date(cells.get_column("cohort")[0]), unit)
    if not by or cells.height == 1:
        row = cells.row(0, named=True)
        label = f" ({who(row, by)})" if by else ""
        return Headline(f"Retention of {cohort}{label} at {unit} 1: {row['label']}", note, named(by, row))
    ranked = cells.sort("share", by)
    low, high = ranked.row(0, named=True), ranked.row(-1, named=True)
    spread = f"from {low['label']} ({who(low, by)}) to {high['label']} ({who(high, by)})"
    return Headline(f"Retention of {cohort} at {unit} 1: {spread}", note, named(by, low, high))
