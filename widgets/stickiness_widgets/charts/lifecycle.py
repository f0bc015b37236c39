"""Chart of :func:`stickiness.lifecycle`: new, returning, resurrecting and dormant users per period."""

from __future__ import annotations

from typing import Any, Final

import altair as alt
import polars as pl

from stickiness.findings import FindingOptions, chart_headline
from stickiness.options import PERIOD
from stickiness.schemas import LIFECYCLE_SCHEMA
from stickiness_widgets.charts._data import inline
from stickiness_widgets.charts._fields import field, title_text
from stickiness_widgets.charts._finish import Title, empty_chart, finish
from stickiness_widgets.charts._periods import (
    OBSERVED,
    PeriodName,
    checked_period,
    observed,
    panels,
    period_end,
    period_frame,
    period_tooltip,
    period_x,
)
from stickiness_widgets.theme import OKABE_ITO

__all__ = ["STATE_COLOURS", "lifecycle_chart"]

COLUMNS: Final = tuple(LIFECYCLE_SCHEMA)
#: The states, stacked up from zero (returning at the base), dormant below it; Okabe-Ito colours.
STATE_COLOURS: Final = {
    "returning": OKABE_ITO[0],  # blue
    "resurrecting": OKABE_ITO[2],  # bluish green
    "new": OKABE_ITO[3],  # reddish purple (sky blue would read as a pale, partial "returning" bar)
    "dormant": OKABE_ITO[5],  # vermillion
}


def lifecycle_chart(
    frame: Any, *, by: str | None = None, period: str = PERIOD.period, unit: str = "user", title: Title = None
) -> alt.typing.ChartType:
    """Chart the lifecycle as diverging bars: who is active each period, and who went dormant.

    Above zero, the period's active users stacked as returning (active the period
    before too), resurrecting (back after a gap) and new (first active period);
    below zero, the dormant users (active the period before, not in this one).
    The quick ratio, (new + resurrecting) / dormant, is in the subtitle and the
    tooltip: above 1 the active base grows. Periods that are not fully observed,
    or whose previous period is not (``complete`` is false), are drawn pale.

    Parameters
    ----------
    frame
        The output of :func:`stickiness.lifecycle` (``[by,] period, active, new,
        returning, resurrecting, dormant, quick_ratio, complete``).
    by
        The segment column. Default: the frame's one column beyond the standard
        ones, if it has one: one panel per segment.
    period
        ``"month"`` (the default, as the metric's), ``"week"`` or ``"day"``: the
        ``period`` given to the metric, checked against the dates (docs/charts.md).
    unit
        What the frame counts, the log's :attr:`~stickiness.UsageLog.unit`: ``"user"``, or ``"account"``
        for a log of :func:`stickiness.by_account` (the title and the axes then count accounts).
    title
        Default: the core's headline (:func:`stickiness.chart_headline`) for the last
        complete period: counts its bars draw, e.g. ``"Lifecycle in June 2026: 57 new, 12 back
        after a gap, 30 gone dormant"``, or the segments with the most new and most gone dormant.
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
    ...     "period": [dt.date(2024, 1, 1), dt.date(2024, 2, 1)], "active": [4, 3], "new": [4, 1],
    ...     "returning": [0, 2], "resurrecting": [0, 0], "dormant": [0, -2], "quick_ratio": [None, 0.5],
    ...     "complete": [False, True],
    ... })
    >>> lifecycle_chart(frame).to_dict()["title"]["text"]
    'Lifecycle in February 2024: 1 new, 0 back after a gap, 2 gone dormant'
    """
    table, by = period_frame(frame, by=by, columns=COLUMNS, metric="lifecycle", dates=["period"])
    every = checked_period(table, ["period"], period, chart="lifecycle_chart", metric="lifecycle")
    if table.is_empty():
        return empty_chart(title=title, what="Lifecycle", hint="the log has no periods in range")
    bars = _bars(table, by, every)
    notes = [
        f"Above zero, the {every}'s active {unit}s: returning (active the {every} before too), resurrecting (back "
        "after a gap), new.",
        f"Below zero, dormant: active the {every} before, not in this one. "
        "Quick ratio = (new + resurrecting) / dormant: above 1 the base grows.",
    ]
    if bars.get_column("observed").eq(OBSERVED[1]).any():
        notes.append(
            f"Pale bars: the {every} or the one before is not fully observed (the log starts or ends inside it)."
        )
    chart = _chart(inline(bars), by, every, dates=bars.get_column("period"), units=f"{unit}s")
    return finish(
        chart,
        title=title,
        finding=chart_headline("lifecycle", table, by=by, options=FindingOptions(period=every, unit=unit)),
        notes=notes,
    )


def _bars(table: pl.DataFrame, by: str | None, unit: PeriodName) -> pl.DataFrame:
    """One row per (segment,) period and state: its count and where its bar starts and ends (stacked here)."""
    wide = table.select(
        *([by] if by else []),
        *COLUMNS,
        period_end("period", unit).alias("period_end"),
        observed(),
        (-pl.col("dormant")).alias("gone_dormant"),
    )
    stacked: pl.Expr = pl.lit(0)
    parts = []
    for state in ("returning", "resurrecting", "new"):
        parts.append(_part(wide, state, pl.col(state), stacked, stacked + pl.col(state)))
        stacked = stacked + pl.col(state)
    parts.append(_part(wide, "dormant", pl.col("gone_dormant"), pl.col("dormant"), pl.lit(0)))
    return pl.concat(parts)


def _part(wide: pl.DataFrame, state: str, users: pl.Expr, low: pl.Expr, high: pl.Expr) -> pl.DataFrame:
    return wide.with_columns(
        pl.lit(state).alias("state"),
        users.cast(pl.Int64).alias("users"),
        low.cast(pl.Int64).alias("low"),
        high.cast(pl.Int64).alias("high"),
    )


def _chart(
    data: dict[str, Any], by: str | None, unit: PeriodName, *, dates: pl.Series, units: str = "users"
) -> alt.typing.ChartType:
    colour = alt.Color(
        "state:N",
        title=None,
        scale=alt.Scale(domain=list(STATE_COLOURS), range=list(STATE_COLOURS.values())),
        legend=alt.Legend(orient="top", direction="horizontal", symbolType="square"),
    )
    x = period_x("period", unit, narrow=by is not None, dates=dates)
    y = alt.Y("low:Q", title=units, axis=alt.Axis(format=",d", tickCount=6))
    opacity = alt.Opacity("observed:O", scale=alt.Scale(domain=list(OBSERVED), range=[1.0, 0.4]), legend=None)
    base = alt.Chart()
    bars = base.mark_bar(stroke="white", strokeWidth=0.5).encode(
        x=x,
        x2=alt.X2(field="period_end"),
        y=y,
        y2=alt.Y2(field="high"),
        color=colour,
        opacity=opacity,
        tooltip=_tooltips(by, unit),
    )
    zero = base.transform_aggregate(rows="count()").mark_rule(color="#444444").encode(y=alt.YDatum(0))
    return panels([bars, zero], by=by, data=data, height=170 if by else 300)


def _tooltips(by: str | None, unit: PeriodName) -> list[alt.Tooltip]:
    return [
        *([alt.Tooltip(f"{field(by)}:N", title=title_text(by))] if by else []),
        period_tooltip("period", unit),
        alt.Tooltip("state:N"),
        alt.Tooltip("users:Q", format=","),
        alt.Tooltip("active:Q", format=",", title=f"active this {unit}"),
        alt.Tooltip("new:Q", format=","),
        alt.Tooltip("returning:Q", format=","),
        alt.Tooltip("resurrecting:Q", format=","),
        alt.Tooltip("gone_dormant:Q", format=",", title="dormant"),
        alt.Tooltip("quick_ratio:Q", format=".2f", title="quick ratio"),
        alt.Tooltip("observed:N", title=f"{unit} and the one before"),
    ]


def _ratio(value: float) -> str:
    return f"{value:.2f}"
