"""Chart of :func:`stickiness.scorecards.health_summary`: the health bands per segment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import altair as alt
import polars as pl

from stickiness.findings import chart_headline
from stickiness.schemas import SUMMARY_COLUMNS
from stickiness_widgets.charts._data import SEGMENT, inline, metric_frame, segment_frame, segment_tooltip
from stickiness_widgets.charts._fields import colour_when, pixels, printable, title_text
from stickiness_widgets.charts._finish import Title, empty_chart, finish
from stickiness_widgets.charts._scorecard import INK, PLOT_WIDTH, STEP, whole_percent

__all__ = ["health_chart"]

#: Health bands (column prefix -> label) and their colours: blue healthy to red critical (ColorBrewer RdBu).
HEALTH_BANDS: Final[Mapping[str, str]] = {"healthy": "healthy", "at_risk": "at risk", "critical": "critical"}
HEALTH_COLOURS: Final[Mapping[str, str]] = {"healthy": "#2166AC", "at risk": "#F4A582", "critical": "#B2182B"}
#: The summary's columns after its segment column (which comes first, named after by).
_STANDARD: Final = tuple(SUMMARY_COLUMNS)[1:]


def health_chart(frame: Any, *, by: str | None = None, title: Title = None) -> alt.typing.ChartType:
    """Chart customer health per persona: the shares of scored customers that are healthy, at risk and critical.

    One 100% bar per persona, split from healthy (blue, left) through at risk
    to critical (red, right), each part labelled with its share; right of the
    bar, how many customers are scored and how many are too new to score.
    Tooltips give the counts, the mean and median score, and the customers
    absent from the accounts table.

    Parameters
    ----------
    frame
        The output of :func:`stickiness.scorecards.health_summary`.
    by
        The segment column (default: the frame's first column, named after the
        ``by`` of ``health_score``).
    title
        Default: the core's headline (:func:`stickiness.chart_headline`): the range of
        the critical share across the bars, e.g. ``"Critical: from 20.0% (agent) to
        37.1% (home_buyer) of scored customers"`` (one segment: its counts). A text
        replaces it (the subtitle stays); :class:`altair.TitleParams` replace both.

    Returns
    -------
    altair chart
        An ``altair.LayerChart``.
        A frame with no rows gives a chart that says so.

    Examples
    --------
    >>> import polars as pl
    >>> frame = pl.DataFrame({
    ...     "persona": ["a", "b"], "customers": [10, 6], "too_new": [0, 1], "scored": [10, 5],
    ...     "healthy": [6, 1], "at_risk": [2, 2], "critical": [2, 2],
    ...     "healthy_share": [0.6, 0.2], "at_risk_share": [0.2, 0.4], "critical_share": [0.2, 0.4],
    ...     "mean_score": [70.0, 45.0], "median_score": [72.0, 44.0], "not_in_accounts": [0, 0],
    ... })
    >>> health_chart(frame).to_dict()["title"]["text"]
    'Critical: from 20.0% (a) to 40.0% (b) of scored customers'
    """
    metric = "scorecards.health_summary"
    table, segment = segment_frame(
        metric_frame(frame, columns=_STANDARD, metric=metric), by=by, standard=_STANDARD, metric=metric
    )
    if table.is_empty():
        return empty_chart(title=title, what="Customer health", hint="no customer was scored or listed")
    table = table.with_row_index("rank")
    parts = pl.concat(
        [
            table.select(
                "rank",
                SEGMENT,
                "customers",
                "too_new",
                "scored",
                "mean_score",
                "median_score",
                "not_in_accounts",
                pl.lit(label).alias("band"),
                pl.lit(order).alias("order"),
                pl.col(column).cast(pl.Int64).alias("count"),
                pl.col(f"{column}_share").cast(pl.Float64).alias("share"),
            )
            for order, (column, label) in enumerate(HEALTH_BANDS.items())
        ]
    ).sort("rank", "order")
    bars = (
        parts.with_columns(pl.col("share").fill_null(0.0).cum_sum().over("rank").alias("end"))
        .with_columns(
            (pl.col("end") - pl.col("share").fill_null(0.0)).alias("start"),
            pl.when(pl.col("share") >= 0.07).then(whole_percent("share")).otherwise(pl.lit("")).alias("label"),
            pl.when(pl.col("order") == 0)
            .then(
                pl.when(pl.col("scored") == 0)
                .then(pl.format("none scored: {} too new", "too_new"))
                .when(pl.col("too_new") > 0)
                .then(pl.format("n={} scored, {} too new", "scored", "too_new"))
                .otherwise(pl.format("n={} scored", "scored"))
            )
            .otherwise(pl.lit(""))
            .alias("side"),
        )
        .with_columns(((pl.col("start") + pl.col("end")) / 2).alias("middle"))
    )
    notes = [
        "Share of each persona's scored customers per health band (by default healthy from a score of 70, "
        "at risk from 40, critical below).",
        "Too-new customers (too little history) are not scored; the counts are in the tooltips.",
    ]
    headline = chart_headline("health_summary", table, by=SEGMENT)
    return finish(_health_layers(bars, segment), title=title, finding=headline, notes=notes)


def _health_layers(bars: pl.DataFrame, segment: str) -> alt.typing.ChartType:
    y = alt.Y(
        f"{SEGMENT}:N",
        title=title_text(printable(segment)),  # a channel title goes into expressions: escaped
        sort=alt.EncodingSortField("rank", order="ascending"),
        axis=alt.Axis(title=printable(segment), labelLimit=200, ticks=False, domain=False, labelFontWeight="bold"),
    )
    x_scale = alt.Scale(domain=[0, 1], nice=False)
    colour = alt.Color(
        "band:N",
        title=None,
        scale=alt.Scale(domain=list(HEALTH_COLOURS), range=list(HEALTH_COLOURS.values())),
        legend=alt.Legend(orient="bottom", direction="horizontal", symbolType="square"),
    )
    tooltips = [
        segment_tooltip(segment),
        alt.Tooltip("band:N", title="health band"),
        alt.Tooltip("count:Q", format=",", title="customers in the band"),
        alt.Tooltip("share:Q", format=".1%", title="share of scored"),
        alt.Tooltip("scored:Q", format=","),
        alt.Tooltip("too_new:Q", format=",", title="too new to score"),
        alt.Tooltip("mean_score:Q", format=".1f", title="mean score"),
        alt.Tooltip("median_score:Q", format=".1f", title="median score"),
        alt.Tooltip("not_in_accounts:Q", format=",", title="not in the accounts table"),
    ]
    base = alt.Chart().encode(y=y)
    bar = base.mark_bar(height={"band": 0.7}, stroke="white", strokeWidth=1).encode(
        x=alt.X(
            "start:Q",
            scale=x_scale,
            title="share of scored customers",
            axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
        ),
        x2=alt.X2(field="end"),
        color=colour,
        tooltip=tooltips,
    )
    label = base.mark_text(fontSize=12, fontWeight="bold").encode(
        x=alt.X("middle:Q", scale=x_scale),
        text=alt.Text("label:N"),
        color=colour_when(("datum.band == 'at risk'", INK), otherwise="white"),
    )
    side = base.mark_text(align="left", fontSize=12, color="#333333").encode(
        x=pixels("x", PLOT_WIDTH + 12), text=alt.Text("side:N")
    )
    return alt.LayerChart(layer=[bar, label, side], data=inline(bars), width=PLOT_WIDTH, height={"step": STEP + 6})
