"""Chart of :func:`stickiness.retention`: the retention and churn rates per period."""

from __future__ import annotations

from typing import Any, Final

import altair as alt
import polars as pl

from stickiness.findings import FindingOptions, chart_headline
from stickiness.options import PERIOD
from stickiness.schemas import RETENTION_SCHEMA
from stickiness_widgets.charts._data import inline
from stickiness_widgets.charts._fields import field, title_text
from stickiness_widgets.charts._finish import Title, empty_chart, finish
from stickiness_widgets.charts._intervals import INTERVAL_COLUMNS, band, has_interval, interval_note, small_rings
from stickiness_widgets.charts._periods import (
    OBSERVED,
    PeriodName,
    checked_period,
    observed,
    panels,
    partial_marks,
    period_frame,
    period_tooltip,
    period_x,
)
from stickiness_widgets.theme import OKABE_ITO

__all__ = ["retention_chart"]

#: Columns of the output that are neither needed nor a segment: the retention rate's numerator and the size flag.
OPTIONAL: Final = ("returning", "sufficient", *sorted(INTERVAL_COLUMNS))
COLUMNS: Final = tuple(name for name in RETENTION_SCHEMA if name not in OPTIONAL)
#: The two lines: their column, and their name and colour on the chart (blue: kept, vermillion: lost).
RATES: Final = {"retention_rate": "retention", "churn_rate": "churn"}
RATE_COLOURS: Final = {"retention": OKABE_ITO[0], "churn": OKABE_ITO[5]}
_MANY_PERIODS = 60  # beyond this many periods the complete points shrink to dots


def retention_chart(
    frame: Any, *, by: str | None = None, period: str = PERIOD.period, unit: str = "user", title: Title = None
) -> alt.typing.ChartType:
    """Chart the retention and churn rates per period: one line each, small multiples per segment.

    Churn is the share of the previous period's active users who are not active
    in this one; retention is (active - new) / the previous period's active users,
    which also counts users who come back after a gap (so the two need not add up
    to 100%). The first period has no rate (nothing before it is observed) and is
    not drawn. Periods that are not fully observed, or whose previous period is not
    (``complete`` is false), are hollow points, explained in the subtitle.

    Parameters
    ----------
    frame
        The output of :func:`stickiness.retention` (``[by,] period, active_before,
        active, new, retained, churned, retention_rate, churn_rate, complete``).
    by
        The segment column. Default: the frame's one column beyond the standard
        ones, if it has one (``retention(log, by="persona")`` gives ``persona``):
        one panel per segment.
    period
        ``"month"`` (the default, as the metric's), ``"week"`` or ``"day"``: the
        ``period`` given to the metric, checked against the dates (docs/charts.md).
    unit
        What the frame counts, the log's :attr:`~stickiness.UsageLog.unit`: ``"user"``, or ``"account"``
        for a log of :func:`stickiness.by_account` (the title and the axes then count accounts).
    title
        Default: the core's headline (:func:`stickiness.chart_headline`) for the last
        complete period, e.g. ``"Churn 7.8% in June 2026 (retention 93.1%)"``, or the range
        across segments.
        A text replaces it (the subtitle stays); :class:`altair.TitleParams` replace both.

    Returns
    -------
    altair chart
        An ``altair.LayerChart``, or an ``altair.FacetChart`` with segments.
        A frame with no rows gives a chart that says so.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> frame = pl.DataFrame({
    ...     "period": [dt.date(2024, 1, 1), dt.date(2024, 2, 1)], "active_before": [0, 4], "active": [4, 3],
    ...     "new": [4, 1], "retained": [0, 2], "churned": [0, 2], "retention_rate": [None, 0.5],
    ...     "churn_rate": [None, 0.5], "complete": [False, True],
    ... })
    >>> retention_chart(frame).to_dict()["title"]["text"]
    'Churn 50.0% in February 2024 (retention 50.0%)'
    """
    table, by = period_frame(frame, by=by, columns=COLUMNS, metric="retention", dates=["period"], optional=OPTIONAL)
    every = checked_period(table, ["period"], period, chart="retention_chart", metric="retention")
    if table.is_empty():
        return empty_chart(title=title, what="Retention and churn", hint="the log has no periods in range")
    returning = "returning" in table.columns
    interval = all(has_interval(table, column) for column in RATES)
    rows = pl.concat(
        table.select(
            *([by] if by else []),
            *COLUMNS,
            *(["returning"] if returning else []),
            observed(),
            pl.lit(name).alias("rate"),
            pl.col(column).alias("value"),
            *(
                [pl.col(f"{column}_low").alias("low"), pl.col(f"{column}_high").alias("high"), pl.col("small_sample")]
                if interval
                else []
            ),
        )
        for column, name in RATES.items()
    )
    partial = rows.filter((pl.col("observed") == OBSERVED[1]) & pl.col("value").is_not_null())
    notes = [
        f"Churn: the share of the previous {every}'s active {unit}s not active in this one.",
        f"Retention: (active − new) / the previous {every}'s active {unit}s; it also counts {unit}s back after a gap.",
        *([] if partial.is_empty() else [_partial_note(every)]),
        *(interval_note(rows.filter(pl.col("value").is_not_null()), "Shaded", units=f"{unit}s") if interval else []),
    ]
    many = table.get_column("period").n_unique() > _MANY_PERIODS
    chart = _chart(
        inline(rows),
        by,
        every,
        many=many,
        returning=returning,
        dates=rows.get_column("period"),
        interval=interval,
        units=f"{unit}s",
    )
    return finish(
        chart,
        title=title,
        finding=chart_headline("retention", table, by=by, options=FindingOptions(period=every, unit=unit)),
        notes=notes,
    )


def _partial_note(unit: PeriodName) -> str:
    return f"Hollow points: the {unit} or the one before is not fully observed (the log starts or ends inside it)."


def _chart(
    data: dict[str, Any],
    by: str | None,
    unit: PeriodName,
    *,
    many: bool,
    returning: bool,
    dates: pl.Series,
    interval: bool = False,
    units: str = "users",
) -> alt.typing.ChartType:
    colour = alt.Color(
        "rate:N",
        title=None,
        scale=alt.Scale(domain=list(RATE_COLOURS), range=list(RATE_COLOURS.values())),
        legend=alt.Legend(orient="top", direction="horizontal"),
    )
    y = alt.Y(
        "value:Q",
        title="rate" if by else f"share of the previous {unit}'s active {units}",
        axis=alt.Axis(format="%", tickCount=5),
        scale=alt.Scale(zero=True),
    )
    base = alt.Chart().encode(x=period_x("period", unit, narrow=by is not None, dates=dates), y=y, color=colour)
    line = base.mark_line(strokeWidth=2)
    points = base.mark_point(strokeWidth=2, opacity=1)
    points = points.encode(**partial_marks(colour, many=many), tooltip=_tooltips(by, unit, returning=returning))
    layers = [band(base, "low", "high"), line, points, small_rings(base)] if interval else [line, points]
    return panels(layers, by=by, data=data, height=170 if by else 280)


def _tooltips(by: str | None, unit: PeriodName, *, returning: bool) -> list[alt.Tooltip]:
    """Return the rates with the counts they divide (retention = returning / active before, when the frame has it)."""
    return [
        *([alt.Tooltip(f"{field(by)}:N", title=title_text(by))] if by else []),
        period_tooltip("period", unit),
        alt.Tooltip("retention_rate:Q", format=".1%", title="retention"),
        alt.Tooltip("churn_rate:Q", format=".1%", title="churn"),
        alt.Tooltip("active_before:Q", format=",", title=f"active the {unit} before"),
        alt.Tooltip("active:Q", format=","),
        alt.Tooltip("new:Q", format=","),
        *([alt.Tooltip("returning:Q", format=",", title="returning (active − new)")] if returning else []),
        alt.Tooltip("retained:Q", format=","),
        alt.Tooltip("churned:Q", format=","),
        alt.Tooltip("observed:N", title=f"{unit} and the one before"),
    ]
