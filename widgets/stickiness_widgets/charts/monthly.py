"""Chart of :func:`stickiness.monthly_active_users`: monthly stickiness (mean DAU / MAU)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

import altair as alt
import polars as pl

from stickiness.findings import FindingOptions, chart_headline
from stickiness.schemas import MONTHLY_SCHEMA
from stickiness_widgets.charts._data import ChartDataError, inline, metric_frame
from stickiness_widgets.charts._fields import field, printable, title_text, utc_tooltip
from stickiness_widgets.charts._finish import Title, empty_chart, finish
from stickiness_widgets.charts._intervals import (
    band,
    error_bars,
    interval_columns,
    interval_note,
    small_rings,
    without_intervals,
)
from stickiness_widgets.charts._segments import COLOURED, GROUP, SegmentColours, segment_colours
from stickiness_widgets.theme import GREY, OKABE_ITO, WIDTH

__all__ = ["monthly_active_users_chart"]

COLUMNS: Final = without_intervals(MONTHLY_SCHEMA)
# Month names, with the year under January and under the first month.
_MONTH = alt.Axis(
    labelAngle=0,
    labelExpr=(
        # month and year on every label: a month name alone would repeat from one year to the next
        "[utcFormat(datum.value, '%b'), utcFormat(datum.value, '%Y')]"
    ),
)


def monthly_active_users_chart(
    frame: Any, *, by: str | None = None, unit: str = "user", title: Title = None
) -> alt.typing.ChartType:
    """Chart monthly stickiness: mean DAU / MAU per calendar month, partial months marked.

    Without segments, one bar per month labelled with its value; a partial month
    (not every day observed: the log starts or ends inside it) is drawn pale
    with the label "partial". With segments, one line per segment, partial
    months as hollow points.

    Parameters
    ----------
    frame
        The output of :func:`stickiness.monthly_active_users` (``[by,] month,
        days, mean_dau, mau, stickiness, complete``).
    by
        The segment column. Default: the frame's one column beyond the standard
        ones, if it has one.
    unit
        What the frame counts, the log's :attr:`~stickiness.UsageLog.unit`: ``"user"``, or ``"account"``
        for a log of :func:`stickiness.by_account` (the title and the axes then count accounts).
    title
        Default: the core's headline (:func:`stickiness.chart_headline`) for the last
        complete month, e.g. ``"Monthly stickiness 26.4% in June 2026"``.
        A text replaces it (the subtitle stays); :class:`altair.TitleParams` replace both.

    Returns
    -------
    altair chart
        An ``altair.LayerChart``.
        A frame with no rows gives a chart that says so.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> frame = pl.DataFrame({
    ...     "month": [dt.date(2024, 1, 1), dt.date(2024, 2, 1)], "days": [31, 10], "mean_dau": [2.0, 3.0],
    ...     "mau": [10, 6], "stickiness": [0.2, 0.5], "complete": [True, False],
    ... })
    >>> monthly_active_users_chart(frame).to_dict()["title"]["text"]
    'Monthly stickiness 20.0% in January 2024'
    """
    table = metric_frame(
        frame, columns=[*COLUMNS, *([by] if by else [])], metric="monthly_active_users", dates=["month"]
    )
    by = by or _segment_column(table)
    if table.is_empty():
        return empty_chart(title=title, what="Monthly stickiness", hint="the log has no days in range")
    headline = chart_headline("monthly_active_users", table, by=by, options=FindingOptions(unit=unit))
    colours = _colours(table, by, headline.segments) if by else None
    values = table.select(
        *([pl.col(by).cast(pl.String)] if by else []),
        "month",
        "days",
        "mean_dau",
        "mau",
        "stickiness",
        "complete",
        pl.when(pl.col("complete")).then(pl.lit("complete")).otherwise(pl.lit("partial")).alias("observed"),
        *interval_columns(table, "stickiness"),
    )
    data = inline(values)
    interval = "low" in values.columns
    partial = not table.get_column("complete").all()
    if by and colours:
        chart = _segment_lines(data, by, values, colours, interval=interval)
    else:
        chart = _bars(data, partial=partial, interval=interval)
    notes = [
        f"Stickiness of a month: its mean DAU divided by the {unit}s active at least once in it.",
        *([] if table.get_column("complete").all() else [_partial_note(by)]),
        *(interval_note(values, "Shaded bands" if by else "Black bars", units=f"{unit}s") if interval else []),
    ]
    return finish(chart, title=title, finding=headline, notes=notes)


def _segment_column(table: pl.DataFrame) -> str | None:
    extra = [name for name in without_intervals(table.columns) if name not in COLUMNS]
    if len(extra) > 1:
        raise ChartDataError(
            f"the frame has several columns beyond {', '.join(COLUMNS)}: {', '.join(map(repr, extra))}. "
            "Pass by= the segment column."
        )
    return extra[0] if extra else None


def _partial_note(by: str | None) -> str:
    marked = "hollow points" if by else "pale bars"
    return f"Partial months ({marked}): the log starts or ends inside them, so they cover fewer days."


def _x() -> alt.X:
    return alt.X("utcyearmonth(month):O", title="month", axis=_MONTH)


def _tooltips(by: str | None) -> list[alt.Tooltip]:
    return [
        *([alt.Tooltip(f"{field(by)}:N", title=title_text(by))] if by else []),
        utc_tooltip("month", title="month", unit="utcyearmonth"),
        alt.Tooltip("stickiness:Q", format=".1%", title="mean DAU / MAU"),
        alt.Tooltip("mean_dau:Q", format=",.1f", title="mean DAU"),
        alt.Tooltip("mau:Q", format=",", title="MAU (month)"),
        alt.Tooltip("days:Q", title="days observed"),
        alt.Tooltip("observed:N", title="month"),
    ]


def _y() -> alt.Y:
    return alt.Y("stickiness:Q", title="mean DAU / MAU", axis=alt.Axis(format="%", tickCount=5))


def _bars(data: dict[str, Any], *, partial: bool, interval: bool) -> alt.typing.ChartType:
    base = alt.Chart().encode(x=_x(), y=_y())
    opacity = alt.Opacity("observed:O", scale=alt.Scale(domain=["complete", "partial"], range=[1.0, 0.35]), legend=None)
    bars = base.mark_bar(color=OKABE_ITO[0], width={"band": 0.8}).encode(opacity=opacity, tooltip=_tooltips(None))
    labels = base.mark_text(baseline="bottom", dy=-4, fontSize=11).encode(text=alt.Text("stickiness:Q", format=".0%"))
    note = (  # only when some month is partial: an empty layer makes Vega warn of an infinite extent
        base.transform_filter("!datum.complete")
        .mark_text(baseline="bottom", dy=-18, fontSize=11, color=GREY)
        .encode(text=alt.TextValue("partial"))
    )
    marks = [error_bars(base, "low", "high"), small_rings(base)] if interval else []
    # the labels sit beside the interval's top, not on it
    labels = labels.encode(y=alt.Y("high:Q")) if interval else labels
    layers = [bars, *marks, labels, *([note] if partial else [])]
    return alt.LayerChart(layer=layers, data=data, width=WIDTH, height=300)


def _colours(table: pl.DataFrame, by: str, named: Sequence[str]) -> SegmentColours:
    """Return the segments' colours: those the title ``named``, then the largest MAU (_segments).

    The largest: MAU in the last complete month (the last month when none is complete).
    """
    complete = table.filter(pl.col("complete"))
    rows = complete if complete.height else table
    ends = table.filter(pl.col("month") == rows.get_column("month").max()).select(pl.col(by).cast(pl.String), "mau")
    # a segment absent that month has no MAU there: it is still drawn, ranked last
    every = table.select(pl.col(by).cast(pl.String)).unique().join(ends, on=by, how="left")
    return segment_colours(every, segment=by, size="mau", noun=printable(by), named=named)


def _segment_lines(
    data: dict[str, Any], by: str, values: pl.DataFrame, colours: SegmentColours, *, interval: bool = False
) -> alt.typing.ChartType:
    """One line per segment; with more segments than colours, the grey group's lines first (below)."""
    grouped = colours.other is not None
    colour = alt.Color(
        f"{GROUP if grouped else field(by)}:N",
        title=title_text(by),
        legend=alt.Legend(title=printable(by)),
        scale=alt.Scale(domain=colours.domain, range=colours.range),
    )
    base = alt.Chart().encode(x=_x(), y=_y(), color=colour)
    if grouped:
        base = colours.lookup(base, by).encode(detail=alt.Detail(f"{field(by)}:N"))
    line = base.mark_line(strokeWidth=2)
    points = base.mark_point(size=60, strokeWidth=2, fill="white", opacity=1).encode(
        fillOpacity=alt.FillOpacity(
            "observed:O", scale=alt.Scale(domain=["complete", "partial"], range=[1.0, 0.0]), legend=None
        ),
        fill=colour,
        tooltip=_tooltips(by),
    )
    if not grouped:
        marks = [band(base, "low", "high"), line, points, small_rings(base)] if interval else [line, points]
        return alt.LayerChart(layer=marks, data=data, width=WIDTH, height=300)
    grey, bright = f"!datum.{COLOURED}", f"datum.{COLOURED}"
    layers = [
        line.transform_filter(grey).mark_line(strokeWidth=1.2),
        points.transform_filter(grey).mark_point(size=24, strokeWidth=1.2, fill="white", opacity=1),
        line.transform_filter(bright),
        points.transform_filter(bright),
    ]
    return alt.LayerChart(layer=layers, data=data, width=WIDTH, height=300)


def _month(day: dt.date) -> str:
    return day.strftime("%b %Y")
