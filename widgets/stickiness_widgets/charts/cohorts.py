"""Charts of :func:`stickiness.cohort_matrix`: the cohort heatmap and the average retention curve."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import altair as alt
import polars as pl

from stickiness.findings import FindingOptions, chart_headline
from stickiness.findings.cohorts import cell_label, stated_cells
from stickiness.metrics.retention import cohort_curve
from stickiness.options import PERIOD
from stickiness.schemas import COHORTS_SCHEMA
from stickiness_widgets.charts._data import inline
from stickiness_widgets.charts._fields import colour_when, field, printable, title_text
from stickiness_widgets.charts._finish import Title, empty_chart, finish
from stickiness_widgets.charts._intervals import INTERVAL_COLUMNS, band, interval_note, small_rings, without_intervals
from stickiness_widgets.charts._periods import (
    OBSERVED,
    PeriodName,
    checked_period,
    observed,
    partial_marks,
    period_frame,
    period_tooltip,
)
from stickiness_widgets.charts._segments import COLOURED, GROUP, SegmentColours, segment_colours
from stickiness_widgets.theme import OKABE_ITO, WIDTH

__all__ = ["cohort_chart", "retention_curve_chart"]

COLUMNS: Final = without_intervals(COHORTS_SCHEMA)
_OPTIONAL: Final = tuple(sorted(INTERVAL_COLUMNS))
_SCHEME: Final = "blues"  # one hue, light to dark: readable in every form of colour blindness
_SYMBOL = "#4292C6"  # a mid blue of the scheme, for the legend of pale cells
_DARK = 0.6  # white text on cells at least this dark
_INK = "#1A1A1A"
_PLOT_WIDTH = WIDTH - 120  # room for the cohort labels
_PLOT_HEIGHT = 440
_LABELLED_WIDTH = 28  # cells narrower than this (px) carry no text
_LABELLED_HEIGHT = 14
_MANY_OFFSETS = 40  # beyond this many offsets the curve's complete points shrink to dots


def cohort_chart(
    frame: Any, *, by: str | None = None, period: str = PERIOD.period, unit: str = "user", title: Title = None
) -> alt.typing.ChartType:
    """Chart the cohort retention matrix as a heatmap: cohorts down, periods since the first across.

    Each cell is the share of a cohort (the users whose first active period it
    is) counted that many periods later, as colour and as text (when the cells are
    large enough). Cells that are not fully observed (``complete`` is false: the
    log starts or ends inside their period, so the count may still grow) are pale,
    with a legend entry; cells after ``as_of`` are blank, not zero.

    Parameters
    ----------
    frame
        The output of :func:`stickiness.cohort_matrix` (``[by,] cohort, offset,
        period, cohort_users, users, share, complete``), either ``mode``.
    by
        The segment column. Default: the frame's one column beyond the standard
        ones, if it has one: one heatmap per segment, one under the other.
    period
        ``"month"`` (the default, as the metric's), ``"week"`` or ``"day"``: the
        ``period`` given to the metric, checked against the dates (docs/charts.md).
    unit
        What the frame counts, the log's :attr:`~stickiness.UsageLog.unit`: ``"user"``, or ``"account"``
        for a log of :func:`stickiness.by_account` (the title and the axes then count accounts).
    title
        Default: the finding, one cell the heatmap draws (outlined): the latest
        cohort whose period 1 is fully observed, its share as the cell prints it,
        e.g. ``"Retention of the May 2026 cohort at month 1: 84%"``, or its range
        across segments (:func:`stickiness.findings.cohorts.cohort_cell_headline`).
        When the cells are too small for text, that cell's share is printed beside
        it. A text replaces it (the subtitle stays); :class:`altair.TitleParams`
        replace both.

    Returns
    -------
    altair chart
        An ``altair.LayerChart``, or an ``altair.VConcatChart`` with segments.
        A frame with no rows gives a chart that says so.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> jan, feb = dt.date(2024, 1, 1), dt.date(2024, 2, 1)
    >>> frame = pl.DataFrame({
    ...     "cohort": [jan, jan, feb], "offset": [0, 1, 0], "period": [jan, feb, feb], "cohort_users": [4, 4, 2],
    ...     "users": [4, 3, 2], "share": [1.0, 0.75, 1.0], "complete": [True, True, False],
    ... })
    >>> cohort_chart(frame).to_dict()["title"]["text"]
    'Retention of the January 2024 cohort at month 1: 75%'
    """
    table, by = period_frame(
        frame, by=by, columns=COLUMNS, metric="cohort_matrix", dates=["cohort", "period"], optional=_OPTIONAL
    )
    every = checked_period(table, ["cohort", "period"], period, chart="cohort_chart", metric="cohort_matrix")
    if table.is_empty():
        return empty_chart(title=title, what="Cohort retention", hint="no cohort in the log's range")
    cells = _with_stated(_cells(table, by, every), stated_cells(table, by), by, every)
    partial = cells.get_column("observed").eq(OBSERVED[1]).any()
    notes = [
        f"Share of each cohort ({unit}s by their first active {every}) counted that many {every}s later; "
        "blank: not reached yet.",
        *([_partial_note(every, "Pale cells")] if partial else []),
    ]
    chart = _heatmap(cells, by, every, partial=partial, units=f"{unit}s")
    headline = chart_headline("cohort_matrix", table, by=by, options=FindingOptions(period=every, unit=unit))
    return finish(chart, title=title, finding=headline, notes=notes)


def retention_curve_chart(
    frame: Any, *, by: str | None = None, period: str = PERIOD.period, title: Title = None
) -> alt.typing.ChartType:
    """Chart the average retention curve: the share of a cohort counted at each offset, one line per segment.

    Draws :func:`stickiness.retention_curve` of the matrix (computed by the core's
    :func:`stickiness.metrics.retention.cohort_curve`): at each offset (periods since the
    cohort's first), the users counted over the users of the cohorts that reached
    it, summed over cohorts: the mean share weighted by cohort size. Cells that
    are not fully observed are left out of the mean; an offset that only such
    cells reach is drawn as a hollow point (its value may still grow). Later
    offsets average fewer, older cohorts: the tooltip gives how many.

    Parameters
    ----------
    frame
        The output of :func:`stickiness.cohort_matrix`, either ``mode``.
    by
        The segment column. Default: the frame's one column beyond the standard
        ones, if it has one: one line (colour) per segment.
    period
        As for :func:`cohort_chart`.
    title
        Default: the finding, the mean share the curve draws, e.g. ``"Cohort
        retention 87.9% at month 1, 45.9% at month 12"``, or the range across
        segments at the milestone. A text
        replaces it (the subtitle stays); :class:`altair.TitleParams` replace both.

    Returns
    -------
    altair chart
        An ``altair.LayerChart``.
        A frame with no rows gives a chart that says so.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> jan, feb = dt.date(2024, 1, 1), dt.date(2024, 2, 1)
    >>> frame = pl.DataFrame({
    ...     "cohort": [jan, jan, feb, feb], "offset": [0, 1, 0, 1], "period": [jan, feb, feb, dt.date(2024, 3, 1)],
    ...     "cohort_users": [4, 4, 2, 2], "users": [4, 3, 2, 0], "share": [1.0, 0.75, 1.0, 0.0],
    ...     "complete": [True, True, True, True],
    ... })
    >>> retention_curve_chart(frame).to_dict()["title"]["text"]
    'Cohort retention 50.0% at month 1'
    """
    table, by = period_frame(
        frame, by=by, columns=COLUMNS, metric="cohort_matrix", dates=["cohort", "period"], optional=_OPTIONAL
    )
    unit = checked_period(table, ["cohort", "period"], period, chart="retention_curve_chart", metric="cohort_matrix")
    if table.is_empty():
        return empty_chart(title=title, what="Retention curve", hint="no cohort in the log's range")
    curve = cohort_curve(table, by=by).with_columns(
        observed(), pl.col("share_low").alias("low"), pl.col("share_high").alias("high")
    )
    hollow = curve.get_column("observed").eq(OBSERVED[1]).any()
    notes = [
        f"Share of a cohort counted at each {unit} since its first, averaged over the cohorts weighted by size; "
        f"later {unit}s average fewer, older cohorts.",
        *([_partial_note(unit, "Hollow points")] if hollow else []),
    ]
    if curve.get_column("partial_cells").sum() > 0:
        notes.append(f"Cells whose {unit} is not fully observed are left out of the average.")
    notes.extend(interval_note(curve, "Shaded"))
    headline = chart_headline("retention_curve", table, by=by, options=FindingOptions(period=unit))
    chart = _curve_chart(curve, by, unit, headline.segments)
    return finish(chart, title=title, finding=headline, notes=notes)


def _partial_note(unit: PeriodName, what: str) -> str:
    return f"{what}: the {unit} is not fully observed (the log starts or ends inside it), so the count may still grow."


# --------------------------------------------------------------------------- #
# The heatmap                                                                 #
# --------------------------------------------------------------------------- #


def _cells(table: pl.DataFrame, by: str | None, unit: PeriodName) -> pl.DataFrame:
    keys = [by, "cohort"] if by else ["cohort"]
    name = {"month": "%b %Y", "week": "%Y-%m-%d", "day": "%Y-%m-%d"}[unit]
    return table.sort([*keys, "offset"]).with_columns(
        observed(),
        pl.format("{} · {}", pl.col("cohort").dt.to_string(name), pl.col("cohort_users")).alias("cohort_label"),
        pl.col("cohort").rank("dense").alias("row"),
        cell_label().alias("label"),  # as the title words the cell it states
    )


def _with_stated(cells: pl.DataFrame, stated: pl.DataFrame, by: str | None, unit: PeriodName) -> pl.DataFrame:
    """Mark the cells the title states (the core's :func:`stated_cells`), outlined on the heatmap."""
    keys = [*([by] if by else []), "cohort", "offset"]
    marked = cells.join(stated.select(*keys, stated=pl.lit(True)), on=keys, how="left", nulls_equal=True)
    return marked.with_columns(
        pl.col("stated").fill_null(False),
        # what is printed beside the stated cell when cells are too small for text: "62% at week 1"
        pl.when("stated").then(pl.format("{} at {} {}", "label", pl.lit(unit), "offset")).alias("callout"),
    )


def _heatmap(
    cells: pl.DataFrame, by: str | None, unit: PeriodName, *, partial: bool, units: str = "users"
) -> alt.typing.ChartType:
    offsets = cells.get_column("offset").n_unique()
    rows = cells.get_column("cohort").n_unique()
    step_x = max(8, min(44, _PLOT_WIDTH // max(offsets, 1)))
    step_y = max(8, min(24, _PLOT_HEIGHT // max(rows, 1)))
    labelled = step_x >= _LABELLED_WIDTH and step_y >= _LABELLED_HEIGHT
    data = inline(cells)  # one dataset: each segment's block filters it
    segments = cells.get_column(by).unique(maintain_order=True).to_list() if by else [None]
    last = len(segments) - 1
    blocks = [
        _block(
            data, by, s, unit, step=(step_x, step_y), labelled=labelled, partial=partial, axis=i == last, units=units
        )
        for i, s in enumerate(segments)
    ]
    if len(blocks) == 1:
        return blocks[0]
    return alt.VConcatChart(vconcat=blocks, spacing=18, resolve=alt.Resolve(scale=alt.ScaleResolveMap(y="independent")))


def _block(
    data: dict[str, Any],
    by: str | None,
    segment: str | None,
    unit: PeriodName,
    *,
    step: tuple[int, int],
    labelled: bool,
    partial: bool,
    axis: bool,
    units: str = "users",
) -> alt.LayerChart:
    base = alt.Chart()
    if by and segment is not None:
        base = base.transform_filter(alt.FieldEqualPredicate(field=field(by), equal=segment))
    x = alt.X(
        "offset:O",
        title=f"{unit}s since the cohort's first",
        axis=alt.Axis(labelAngle=0, labelOverlap=True, ticks=False, domain=False),
    )
    y = alt.Y(
        "cohort_label:N",
        title=f"cohort ({unit} of first use) · {units}",
        sort=alt.EncodingSortField("row", op="min", order="ascending"),
        axis=alt.Axis(ticks=False, domain=False, labelOverlap=True),
    )
    colour = alt.Color(
        "share:Q",
        title="share of the cohort",
        scale=alt.Scale(scheme=_SCHEME, domain=[0, 1]),
        legend=alt.Legend(format="%", orient="right", gradientLength=160),
    )
    encoding: dict[str, Any] = {"x": x, "y": y, "color": colour, "tooltip": _cell_tooltips(by, unit)}
    if partial:
        encoding["opacity"] = alt.Opacity(
            "observed:O",
            title=f"{unit} observed",
            scale=alt.Scale(domain=list(OBSERVED), range=[1.0, 0.4]),
            legend=alt.Legend(orient="right", symbolType="square", symbolFillColor=_SYMBOL, symbolStrokeColor=_SYMBOL),
        )
    layers = [base.mark_rect(stroke="white", strokeWidth=1).encode(**encoding)]
    # the cell the title states, outlined; when cells are too small for text, its share beside it
    stated = base.transform_filter("datum.stated")
    layers.append(stated.mark_rect(filled=False, stroke=_INK, strokeWidth=2).encode(x=x, y=y))
    if labelled:
        dark = f"datum.share >= {_DARK} && datum.observed == '{OBSERVED[0]}'"
        ink = colour_when((dark, "white"), otherwise=_INK)
        text = base.mark_text(fontSize=10 if step[0] < 36 else 11).encode(x=x, y=y, text=alt.Text("label:N"), color=ink)
        layers.append(text)
    else:
        beside = stated.mark_text(align="left", dx=step[0] // 2 + 4, fontSize=11, fontWeight="bold", color=_INK)
        layers.append(beside.encode(x=x, y=y, text=alt.Text("callout:N")))
    title = (
        alt.TitleParams(segment, fontSize=13, fontWeight="bold", anchor="start", frame="group")
        if segment is not None
        else alt.Undefined
    )
    return alt.LayerChart(layer=layers, data=data, width={"step": step[0]}, height={"step": step[1]}, title=title)


def _cell_tooltips(by: str | None, unit: PeriodName) -> list[alt.Tooltip]:
    return [
        *([alt.Tooltip(f"{field(by)}:N", title=title_text(by))] if by else []),
        period_tooltip("cohort", unit, title="cohort"),
        alt.Tooltip("cohort_users:Q", format=",", title="cohort users"),
        alt.Tooltip("offset:Q", title=f"{unit}s later"),
        period_tooltip("period", unit),
        alt.Tooltip("users:Q", format=",", title="users counted"),
        alt.Tooltip("share:Q", format=".1%"),
        alt.Tooltip("observed:N", title=f"{unit} observed"),
    ]


# --------------------------------------------------------------------------- #
# The curve                                                                   #
# --------------------------------------------------------------------------- #


def _curve_chart(curve: pl.DataFrame, by: str | None, unit: PeriodName, named: Sequence[str]) -> alt.typing.ChartType:
    x = alt.X(
        "offset:Q",
        title=f"{unit}s since the cohort's first",
        scale=alt.Scale(nice=False),
        axis=alt.Axis(format="d", tickMinStep=1),
    )
    y = alt.Y("share:Q", title="share of the cohort", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"))
    colours = _colours(curve, by, named) if by else None
    grouped = colours is not None and colours.other is not None
    if by and colours:
        colour: Any = alt.Color(
            f"{GROUP if grouped else field(by)}:N",
            title=title_text(by),
            legend=alt.Legend(title=printable(by)),
            scale=alt.Scale(domain=colours.domain, range=colours.range),
        )
    else:
        colour = alt.ColorValue(OKABE_ITO[0])
    base = alt.Chart().encode(x=x, y=y, color=colour)
    if by and colours and grouped:
        base = colours.lookup(base, by).encode(detail=alt.Detail(f"{field(by)}:N"))
    line = base.mark_line(strokeWidth=2.2)
    fill = colour if by else alt.FillValue(OKABE_ITO[0])
    many = curve.get_column("offset").n_unique() > _MANY_OFFSETS
    points = base.mark_point(strokeWidth=2, opacity=1).encode(
        **partial_marks(fill, many=many),
        tooltip=[
            *([alt.Tooltip(f"{field(by)}:N", title=title_text(by))] if by else []),
            alt.Tooltip("offset:Q", title=f"{unit}s later"),
            alt.Tooltip("share:Q", format=".1%", title="share of the cohort"),
            alt.Tooltip("users:Q", format=",", title="users counted"),
            alt.Tooltip("cohort_users:Q", format=",", title="users of those cohorts"),
            alt.Tooltip("cohorts:Q", title="cohorts averaged"),
            alt.Tooltip("partial_cells:Q", title="partial cells left out"),
        ],
    )
    layers = [line, points] if grouped else [band(base, "low", "high"), line, points, small_rings(base)]
    if grouped:  # the grey segments first, thin, below the coloured ones
        grey, bright = f"!datum.{COLOURED}", f"datum.{COLOURED}"
        layers = [
            line.transform_filter(grey).mark_line(strokeWidth=1.2),
            points.transform_filter(grey).mark_point(size=20, strokeWidth=1.2, opacity=1),
            line.transform_filter(bright),
            points.transform_filter(bright),
        ]
    return alt.LayerChart(layer=layers, data=inline(curve), width=WIDTH, height=300)


def _colours(curve: pl.DataFrame, by: str, named: Sequence[str]) -> SegmentColours:
    """Return the segments' colours: those the title ``named`` (its milestone's lowest and highest), then the largest.

    Largest: the most users in the segment's cohorts (``cohort_users`` at offset 0).
    """
    size = curve.filter(pl.col("offset") == 0).select(pl.col(by).cast(pl.String), pl.col("cohort_users").alias("size"))
    every = curve.select(pl.col(by).cast(pl.String)).unique().join(size, on=by, how="left")
    return segment_colours(every, segment=by, size="size", noun=printable(by), named=named)
