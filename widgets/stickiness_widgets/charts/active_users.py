"""Chart of :func:`stickiness.active_users`: daily DAU, WAU, MAU and stickiness (DAU / MAU)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

import altair as alt
import polars as pl

from stickiness import UNKNOWN_SEGMENT, InvalidOptionError
from stickiness.findings import FindingOptions, chart_headline
from stickiness.schemas import ACTIVE_USERS_SCHEMA
from stickiness_widgets.charts._data import ChartDataError, inline, metric_frame
from stickiness_widgets.charts._fields import field, pixels, printable, title_text, utc_day, utc_tooltip, value_field
from stickiness_widgets.charts._finish import Title, empty_chart, finish
from stickiness_widgets.charts._intervals import interval_columns, interval_note, without_intervals
from stickiness_widgets.charts._segments import COLOURED, GROUP, SegmentColours, segment_colours
from stickiness_widgets.theme import GREY, METRIC_COLOURS, OKABE_ITO, WIDTH

__all__ = ["active_users_chart"]

#: A column of the output that may be missing (frames of older versions) and is never a segment.
PARTIAL: Final = "partial_day"
COLUMNS: Final = tuple(name for name in without_intervals(ACTIVE_USERS_SCHEMA) if name != PARTIAL)
METRICS: Final = ("dau", "wau", "mau")
WEEK: Final = 7
_SUBTITLE_SIZE = 14
_FACET_GAP = 40
_KEY: Final = "segment_key"


def active_users_chart(
    frame: Any,
    *,
    by: str | None = None,
    metrics: Sequence[str] = METRICS,
    unit: str = "user",
    title: Title = None,
) -> alt.typing.ChartType:
    """Chart daily stickiness (DAU / MAU) above the DAU, WAU and MAU lines.

    Days whose MAU window reaches before the log's first day (``complete`` is
    false: WAU and MAU undercount) sit in a grey band labelled "window
    incomplete", explained in the subtitle. A last day that looks partial
    (``partial_day``) gets a grey stripe and is left out of the title's finding.

    Parameters
    ----------
    frame
        The output of :func:`stickiness.active_users` (``[by,] day, dau, wau,
        mau, stickiness, complete``).
    by
        The segment column. Default: the frame's one column beyond the
        standard ones, if it has one (``active_users(log, by="persona")`` gives
        ``persona``). With segments, the top panel compares their stickiness
        (one colour per segment) and the counts become small multiples. With
        more segments than the palette's 8 colours, the top panel colours the
        title's lowest and highest and the largest (5 in all), the others are
        one grey legend entry, and only the coloured ones get a small multiple
        (docs/charts.md, "Many segments").
    metrics
        Which of ``"dau"``, ``"wau"``, ``"mau"`` to draw in the counts panel
        (default all three; an empty sequence leaves out the counts panel).
    unit
        What the frame counts, the log's :attr:`~stickiness.UsageLog.unit`: ``"user"``, or ``"account"``
        for a log of :func:`stickiness.by_account` (the title and the axes then count accounts).
    title
        Default: the core's headline (:func:`stickiness.chart_headline`): the trailing
        7-day mean of DAU / MAU where the line ends, e.g. ``"Stickiness 81.7% on 2026-06-30, 7-day mean"``.
        A text replaces it (the subtitle stays); :class:`altair.TitleParams` replace both.

    Returns
    -------
    altair chart
        An ``altair.VConcatChart``.
        A frame with no rows gives a chart that says so.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> frame = pl.DataFrame({
    ...     "day": [dt.date(2024, 1, 1), dt.date(2024, 1, 2)], "dau": [2, 1], "wau": [2, 2],
    ...     "mau": [2, 2], "stickiness": [1.0, 0.5], "complete": [False, True],
    ... })
    >>> active_users_chart(frame).to_dict()["title"]["text"]
    'Stickiness 75.0% on 2024-01-02, 7-day mean'
    """
    table = metric_frame(frame, columns=[*COLUMNS, *([by] if by else [])], metric="active_users", dates=["day"])
    by = by or _segment_column(table)
    if by:  # a segment is a name, drawn and pivoted on: a missing one is named as the core names it
        table = table.with_columns(pl.col(by).cast(pl.String).fill_null(UNKNOWN_SEGMENT))
    chosen = _check_metrics(metrics)
    if table.is_empty():
        return empty_chart(title=title, what=f"Active {unit}s", hint="the log has no days in range")
    segments = table.get_column(by).cast(pl.String).unique(maintain_order=True).sort().to_list() if by else []
    headline = chart_headline("active_users", table, by=by, options=FindingOptions(unit=unit))
    colours = _colours(table, by, headline.segments) if by else None
    values = table.select(
        *([pl.col(by).cast(pl.String), _segment_key(by, segments)] if by else []),
        "day",
        pl.col("dau").alias("DAU"),
        pl.col("wau").alias("WAU"),
        pl.col("mau").alias("MAU"),
        "stickiness",
        # the band covers the days whose window is incomplete, not a partial last day
        (pl.col("complete") | pl.col(PARTIAL)).alias("complete") if PARTIAL in table.columns else "complete",
        # with segments the daily values are in the tooltip only: so is their interval (no band to tangle)
        *([] if by else interval_columns(table, "stickiness")),
    )
    window = _window(table)
    data = inline(values)  # one dataset in the spec: altair merges identical inline data
    incomplete = not values.get_column("complete").all()
    interval = "low" in values.columns
    panels = [_stickiness_panel(data, by, segments, colours, window, incomplete=incomplete, interval=interval)]
    if chosen:
        labels = [m.upper() for m in chosen]
        panels.append(_counts_panel(data, by, colours, labels, window, incomplete=incomplete, units=f"{unit}s"))
    partial = _partial_day(table)
    for panel in panels:
        if partial is not None and isinstance(panel, alt.LayerChart):  # not the facets of the counts per segment
            panel.layer = [*panel.layer, _stripe(partial)]
    chart = alt.vconcat(*panels).resolve_scale(color="independent")
    notes = [*_notes(table, window), *(interval_note(values, "Shaded, daily", units=f"{unit}s") if interval else [])]
    return finish(chart, title=title, finding=headline, notes=notes)


def _partial_day(table: pl.DataFrame) -> dt.date | None:
    """Return the day flagged ``partial_day``, if the frame has one."""
    if PARTIAL not in table.columns:
        return None
    day = table.filter(pl.col(PARTIAL)).get_column("day").max()
    return day if isinstance(day, dt.date) else None


def _stripe(day: dt.date) -> alt.Chart:
    """Return a grey stripe on a partial last day."""
    data = inline(pl.DataFrame({"day": [day]}))
    stripe: alt.Chart = alt.Chart(data).mark_rule(color=GREY, opacity=0.4, strokeWidth=6).encode(x=utc_day())
    return stripe


def _colours(table: pl.DataFrame, by: str, named: Sequence[str]) -> SegmentColours:
    """Return the segments' colours: those the title ``named``, then the largest MAU (_segments).

    The largest: MAU on the last day not flagged ``partial_day``.
    """
    whole = table.filter(~pl.col(PARTIAL)) if PARTIAL in table.columns else table
    last = (whole if whole.height else table).get_column("day").max()
    sizes = table.group_by(by).agg(pl.col("mau").filter(pl.col("day") == last).sum())
    return segment_colours(sizes, segment=by, size="mau", noun=printable(by), named=named)


def _segment_key(by: str, segments: list[str]) -> pl.Expr:
    """Return each row's segment as an internal field name: the column the tooltip pivots on (names are data)."""
    return pl.col(by).cast(pl.String).replace_strict({s: value_field(s) for s in segments}).alias(_KEY)


def _segment_column(table: pl.DataFrame) -> str | None:
    extra = [name for name in without_intervals(table.columns) if name not in (*COLUMNS, PARTIAL)]
    if len(extra) > 1:
        raise ChartDataError(
            f"the frame has several columns beyond {', '.join(COLUMNS)}: {', '.join(map(repr, extra))}. "
            "Pass by= the segment column."
        )
    return extra[0] if extra else None


def _check_metrics(metrics: Sequence[str]) -> list[str]:
    if isinstance(metrics, str) or any(m not in METRICS for m in metrics):
        raise InvalidOptionError(
            f"metrics={metrics!r}: pass a sequence of 'dau', 'wau' and 'mau' (e.g. metrics=('dau', 'mau'))."
        )
    return [m for m in METRICS if m in metrics]


def _window(table: pl.DataFrame) -> int | None:
    """Return the MAU window W in days (the first complete day is W - 1 days after the first day), if known."""
    first = table.get_column("day").min()
    complete = table.filter(pl.col("complete")).get_column("day").min()
    if not isinstance(first, dt.date) or not isinstance(complete, dt.date) or complete == first:
        return None
    return (complete - first).days + 1


def _mau_name(window: int | None) -> str:
    return "MAU" if window is None else f"MAU ({window} days)"


def _band(base: alt.Chart, *, shown: bool, label: bool) -> list[alt.Chart]:
    """Return a grey band over the incomplete days, optionally labelled; nothing when every day is complete.

    (Left out rather than filtered to nothing: an empty layer makes Vega warn of an infinite extent.)
    """
    if not shown:
        return []
    incomplete = base.transform_filter("!datum.complete")
    start = alt.X("min(day):T", scale=alt.Scale(type="utc"))
    band = incomplete.mark_rect(color=GREY, opacity=0.16).encode(x=start, x2=alt.X2(field="day", aggregate="max"))
    if not label:
        return [band]
    text = incomplete.mark_text(align="left", baseline="top", dx=5, dy=4, color="#666666", fontSize=12).encode(
        x=start, y=pixels("y", 0), text=alt.TextValue("window incomplete")
    )
    return [band, text]


def _panel_title(text: str) -> alt.TitleParams:
    return alt.TitleParams(text, fontSize=_SUBTITLE_SIZE, fontWeight="normal")


def _stickiness_panel(
    data: dict[str, Any],
    by: str | None,
    segments: list[str],
    colours: SegmentColours | None,
    window: int | None,
    *,
    incomplete: bool,
    interval: bool = False,
) -> alt.typing.ChartType:
    """Stickiness as a trailing 7-day mean (thick), over the daily values (thin, faint) for a single series.

    With segments, the daily lines would tangle: only the means are drawn, and
    the tooltip gives every segment's daily value. With more segments than
    colours, the uncoloured ones are thin grey lines drawn first (below).
    """
    base = alt.Chart()
    groups = [field(by)] if by else []
    y = alt.Y("week:Q", title="DAU / MAU", axis=alt.Axis(format="%", tickCount=5))
    weekly = base.transform_window(
        week="mean(stickiness)", frame=[-(WEEK - 1), 0], groupby=groups, sort=[alt.SortField("day")]
    ).encode(x=utc_day(), y=y)
    mau = _mau_name(window)
    if by and colours and colours.other:
        lines = _grouped_lines(weekly, by, colours)
    elif by:
        colour = alt.Color(
            f"{field(by)}:N",
            title=title_text(by),
            legend=alt.Legend(title=printable(by)),
            scale=alt.Scale(domain=segments, range=list(OKABE_ITO)),
        )
        lines = [weekly.mark_line(strokeWidth=2.2).encode(color=colour)]
    if by:
        # pivoted on each segment's field name (its values become fields: names must not be paths)
        pivoted = base.transform_pivot(_KEY, value="stickiness", groupby=["day"])
        tips = [
            utc_tooltip(),
            *(alt.Tooltip(f"{value_field(s)}:Q", format=".1%", title=title_text(s)) for s in segments),
        ]
        tip = pivoted.mark_rule(opacity=0, strokeWidth=3).encode(x=utc_day(), tooltip=tips)
        title = f"Stickiness: DAU / {mau}, trailing 7-day mean (daily values in the tooltip)"
    else:
        daily = base.mark_line(strokeWidth=1, opacity=0.35, color=OKABE_ITO[0]).encode(
            x=utc_day(), y=alt.Y("stickiness:Q", title="DAU / MAU")
        )
        lines = [daily, weekly.mark_line(strokeWidth=2.4, color=OKABE_ITO[0])]
        if interval:  # the daily value's interval behind the lines, its small samples ringed
            spread = base.mark_area(opacity=0.16, color=OKABE_ITO[0]).encode(
                x=utc_day(), y=alt.Y("low:Q", title="DAU / MAU"), y2=alt.Y2(field="high")
            )
            rings = daily.transform_filter("datum.small_sample").mark_point(
                shape="circle", size=40, filled=False, color=GREY, strokeWidth=1, opacity=1
            )
            lines = [spread, *lines, rings]
        tip = base.mark_rule(opacity=0, strokeWidth=3).encode(x=utc_day(), tooltip=_day_tooltips())
        title = f"Stickiness: DAU / {mau} (thin: daily, thick: trailing 7-day mean)"
    return alt.LayerChart(
        layer=[*_band(base, shown=incomplete, label=False), *lines, tip],
        data=data,
        width=WIDTH,
        height=200,
        title=_panel_title(title),
    )


def _grouped_lines(weekly: alt.Chart, by: str, colours: SegmentColours) -> list[alt.Chart]:
    """Return the lines of a chart with more segments than colours: the grey group below, the coloured ones above."""
    colour = alt.Color(
        f"{GROUP}:N",
        title=title_text(by),
        legend=alt.Legend(title=printable(by)),
        scale=alt.Scale(domain=colours.domain, range=colours.range),
    )
    line = colours.lookup(weekly, by).encode(color=colour, detail=alt.Detail(f"{field(by)}:N"))
    grey = line.transform_filter(f"!datum.{COLOURED}").mark_line(strokeWidth=1.2)
    return [grey, line.transform_filter(f"datum.{COLOURED}").mark_line(strokeWidth=2.2)]


def _day_tooltips() -> list[alt.Tooltip]:
    return [
        utc_tooltip(),
        alt.Tooltip("DAU:Q", format=","),
        alt.Tooltip("WAU:Q", format=","),
        alt.Tooltip("MAU:Q", format=","),
        alt.Tooltip("stickiness:Q", format=".1%", title="DAU / MAU"),
        alt.Tooltip("complete:N", title="window complete"),
    ]


def _counts_panel(
    data: dict[str, Any],
    by: str | None,
    colours: SegmentColours | None,
    labels: list[str],
    window: int | None,
    *,
    incomplete: bool,
    units: str = "users",
) -> alt.typing.ChartType:
    """DAU, WAU and MAU lines; small multiples (without tooltips: the top panel has them) per segment.

    With more segments than colours, only the coloured segments get a small multiple (the top panel
    draws every segment; the table has every segment's counts).
    """
    base = alt.Chart()
    colour = alt.Color(
        "metric:N",
        title=None,
        scale=alt.Scale(domain=labels, range=[METRIC_COLOURS[m] for m in labels]),
        legend=alt.Legend(orient="right"),
    )
    lines = (
        base.transform_fold(list[str | alt.FieldName](labels), as_=["metric", "users"])
        .mark_line(strokeWidth=1.4)
        .encode(x=utc_day(), y=alt.Y("users:Q", title=f"active {units}", axis=alt.Axis(format=",d")), color=colour)
    )
    names = ", ".join(_mau_name(window) if m == "MAU" else m for m in labels)
    title = _panel_title(f"Active {units}: {names}")
    if not by:
        tip = base.mark_rule(opacity=0, strokeWidth=3).encode(x=utc_day(), tooltip=_day_tooltips())
        return alt.LayerChart(
            layer=[*_band(base, shown=incomplete, label=True), lines, tip],
            data=data,
            width=WIDTH,
            height=220,
            title=title,
        )
    header = alt.Header(labelFontSize=13, labelFontWeight="bold", labelAnchor="start", labelAlign="left", title=None)
    if colours and colours.other:
        shown = len(colours.domain) - 1
        others = len(colours.groups) - shown
        coloured = f"of the {shown} {colours.noun} coloured above (the other {others}: in the table)"
        title = _panel_title(f"Active {units}: {names} {coloured}")
    chart = alt.LayerChart(
        layer=[*_band(base, shown=incomplete, label=True), lines], width=(WIDTH - _FACET_GAP) // 2, height=130
    ).facet(
        facet=alt.Facet(f"{field(by)}:N", header=header, title=None),
        columns=2,
        spacing={"column": _FACET_GAP, "row": 16},
        title=title,
        data=data,
    )
    if colours and colours.other:  # the grey segments' panels left out (a filter in the spec: the data are shared)
        chart = colours.lookup(chart, by).transform_filter(f"datum.{COLOURED}")
    return chart


def _notes(table: pl.DataFrame, window: int | None) -> list[str]:
    partial = _partial_day(table)
    notes = [] if partial is None else [f"Grey stripe: the last day, {partial}, looks partial (the log stops early)."]
    whole = table if partial is None else table.filter(pl.col("day") != partial)
    if whole.get_column("complete").all():
        return notes
    days = f"{window}-day" if window else "MAU"
    band = f"Grey band: the {days} window reaches before the log's first day, so WAU and MAU undercount there."
    return [band, *notes]
