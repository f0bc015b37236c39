"""Chart of :func:`stickiness.frequency_spectrum`: how each segment's adopters spread over the habit bands."""

from __future__ import annotations

from typing import Any, Final

import altair as alt
import polars as pl

from stickiness import BANDS
from stickiness.findings import chart_headline
from stickiness.options import ZONE, share
from stickiness.schemas import SPECTRUM_SCHEMA
from stickiness_widgets.charts._data import SEGMENT, inline, metric_frame, segment_frame, segment_tooltip
from stickiness_widgets.charts._fields import colour_when
from stickiness_widgets.charts._finish import Title, empty_chart, finish, percent
from stickiness_widgets.charts._intervals import has_interval, without_intervals
from stickiness_widgets.theme import BAND_COLOURS, STATUS_COLOURS, WIDTH

__all__ = ["spectrum_chart"]

# the segment column (named after by) first: renamed to SEGMENT
COLUMNS: Final = (SEGMENT, *without_intervals(list(SPECTRUM_SCHEMA)[1:]))
_LABEL_ROOM = 0.22  # x beyond 100% (as a share) keeps room for the forgettable-share label
_STEP = 24  # px per bar
_INK = "#444444"


def spectrum_chart(
    frame: Any,
    *,
    majority: float = ZONE.majority,
    min_users: int = ZONE.min_users,
    by: str | None = None,
    title: Title = None,
) -> alt.typing.ChartType:
    """Chart the frequency spectrum: one 100% bar per persona x use case, split into habit bands.

    Bands run left to right from daily to lapsed, in cool blues for the habits
    (daily, weekly, monthly) and greys for occasional and lapsed (red and orange are
    kept for the verdicts). Right of each bar: its forgettable share (the frame's
    ``forgettable_share``: adopters below the threshold), in bold red for a
    segment in the forgettable zone (verdict ``"forgettable"``), orange for one
    rarely used as the catalog expects (``"rare as expected"``). The chart draws
    the frame's verdict: it counts what :func:`stickiness.forgettable_zone`
    lists with the same options, for any threshold. A dashed rule at
    ``1 - majority`` marks where the warm part means a majority.

    Parameters
    ----------
    frame
        The output of :func:`stickiness.frequency_spectrum` (``<by>,
        use_case, band, users, share, evaluable, forgettable_share,
        forgettable, verdict``).
    majority, min_users
        The values given to :func:`stickiness.frequency_spectrum` (by default
        its own): they place the dashed rule and word the subtitle; the verdicts
        are the frame's.
    by
        The segment column (default: the frame's first column, named after the
        metric's ``by``).
    title
        Default: the core's headline (:func:`stickiness.chart_headline`): the largest daily
        share drawn, e.g. ``"Daily habit: 79.8% of agent's adopters of (any) use it 20+ days per 30"``.
        A text replaces it (the subtitle stays); :class:`altair.TitleParams` replace both.

    Returns
    -------
    altair chart
        An ``altair.VConcatChart``.
        One block of bars per persona. A frame with no rows gives a chart that says so.

    Examples
    --------
    >>> import polars as pl
    >>> frame = pl.DataFrame({
    ...     "persona": ["p"] * 5, "use_case": ["c"] * 5, "band": ["daily", "weekly", "monthly", "occasional", "lapsed"],
    ...     "users": [0, 10, 10, 20, 20], "share": [0.0, 0.166, 0.166, 0.333, 0.333],
    ...     "evaluable": [60] * 5, "forgettable_share": [0.667] * 5, "forgettable": ["true"] * 5,
    ...     "verdict": ["forgettable"] * 5,
    ... })
    >>> spectrum_chart(frame).to_dict()["title"]["text"]
    "Daily habit: 0.0% of p's adopters of c use it 20+ days per 30"
    """
    share(majority, "majority", f"the majority given to the metric, {ZONE.majority:g} by default")
    table = metric_frame(frame, columns=COLUMNS[1:], metric="frequency_spectrum", texts=["forgettable"])
    table, segment = segment_frame(table, by=by, standard=COLUMNS[1:], metric="frequency_spectrum")
    if table.is_empty():
        return empty_chart(title=title, what="Frequency spectrum", hint="no persona x use case has an adopter")
    order = pl.col("band").replace_strict({band: i for i, band in enumerate(BANDS)}, default=len(BANDS))
    bars = (  # stacked here, not by Vega-Lite: every layer then reads the same (unforked) data
        table.with_columns(_label())
        .sort(SEGMENT, "use_case", order)
        .with_columns(pl.col("share").cum_sum().over(SEGMENT, "use_case").alias("end"))
        .with_columns((pl.col("end") - pl.col("share")).alias("start"))
    )
    # one row per segment: its verdict is repeated on each of its bands
    segments = table.unique([SEGMENT, "use_case"]).select("forgettable", "verdict")
    rare = segments.filter((pl.col("forgettable") == "true") & (pl.col("verdict") == "rare as expected")).height
    finding = chart_headline("frequency_spectrum", table, by=SEGMENT)
    notes = [
        "Share of evaluable adopters in each habit band (active days per 30 days); "
        "right: the forgettable share (adopters below the threshold).",
        f"Bold red: the forgettable zone, more than {percent(majority, 0)} (dashed line) of at least "
        f"{min_users} evaluable adopters.",
    ]
    if rare:
        notes.append("Orange: in the zone, but rarely used as the catalog expects (e.g. quarterly or yearly).")
    interval = has_interval(table, "share")
    if interval:  # stacked shares have no room for error bars: each bar's tooltip gives its interval
        notes.append("Each band's 95% interval is in its tooltip (docs/intervals.md).")
    chart = _chart(bars, majority=majority, segment=segment, interval=interval)
    return finish(chart, title=title, finding=finding, notes=notes)


def _label() -> pl.Expr:
    """Return the text right of a segment's bar: its forgettable share, or why it is not judged."""
    return (
        pl.when(pl.col("evaluable") == 0)
        .then(pl.lit("no evaluable adopter"))
        .when(pl.col("verdict") == "insufficient data")
        .then(pl.format("n={} (too few)", pl.col("evaluable")))
        .otherwise((pl.col("forgettable_share") * 100).round(0).cast(pl.Int64).cast(pl.String) + "%")
        .alias("label")
    )


def _chart(bars: pl.DataFrame, *, majority: float, segment: str, interval: bool = False) -> alt.VConcatChart:
    """One block of bars per persona, stacked vertically (a facet with independent y scales would size them wrongly)."""
    personas = bars.get_column(SEGMENT).unique(maintain_order=True).to_list()
    blocks = [
        _block(
            bars.filter(pl.col(SEGMENT) == persona),
            persona,
            majority=majority,
            axis=i == len(personas) - 1,
            segment=segment,
            interval=interval,
        )
        for i, persona in enumerate(personas)
    ]
    return alt.vconcat(*blocks, spacing=14)


def _block(
    bars: pl.DataFrame, persona: str, *, majority: float, axis: bool, segment: str, interval: bool = False
) -> alt.typing.ChartType:
    y = alt.Y("use_case:N", title="use case", sort=None, axis=alt.Axis(labelLimit=220, ticks=False, domain=False))
    x = alt.X(
        "start:Q",
        title="share of evaluable adopters" if axis else None,
        scale=alt.Scale(domain=[0, 1 + _LABEL_ROOM], nice=False),
        axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1], grid=False, domain=False) if axis else None,
    )
    colour = alt.Color(
        "band:N",
        title="habit band",
        scale=alt.Scale(domain=list(BANDS), range=[BAND_COLOURS[b] for b in BANDS]),
        legend=alt.Legend(orient="top", direction="horizontal", symbolType="square"),
    )
    base = alt.Chart()  # the data go on the layer: altair copies a chart at every step
    stacked = base.mark_bar(height={"band": 0.75}).encode(
        x=x,
        x2=alt.X2(field="end"),
        y=y,
        color=colour,
        tooltip=[
            segment_tooltip(segment),
            alt.Tooltip("use_case:N", title="use case"),
            alt.Tooltip("band:N"),
            alt.Tooltip("users:Q", format=","),
            alt.Tooltip("share:Q", format=".1%"),
            *(
                [
                    alt.Tooltip("share_low:Q", format=".1%", title="95% low"),
                    alt.Tooltip("share_high:Q", format=".1%", title="95% high"),
                ]
                if interval
                else []
            ),
            alt.Tooltip("evaluable:Q", format=",", title="evaluable adopters"),
        ],
    )
    once = alt.Chart(alt.InlineData(values=[{}]))  # one rule, not one per row
    rule = once.mark_rule(strokeDash=[4, 3], color=_INK, strokeWidth=1).encode(
        x=alt.XDatum(1 - majority, type="quantitative")
    )
    # one row per segment (every band is listed); a predicate, not an expression: values are never pasted into code
    labels = base.transform_filter(alt.FieldEqualPredicate(field="band", equal=BANDS[-1]))
    plain = labels.transform_filter("datum.verdict != 'forgettable'").mark_text(align="left", dx=6, fontSize=12)
    plain = plain.encode(
        x=alt.XDatum(1.0, type="quantitative"),
        y=y,
        text=alt.Text("label:N"),
        color=colour_when(
            ("datum.verdict == 'insufficient data'", STATUS_COLOURS["insufficient data"]),
            ("datum.verdict == 'rare as expected'", STATUS_COLOURS["rare as expected"]),
            otherwise=_INK,
        ),
    )
    bold = (
        labels.transform_filter("datum.verdict == 'forgettable'")
        .mark_text(align="left", dx=6, fontSize=12, fontWeight="bold", color=STATUS_COLOURS["forgettable"])
        .encode(x=alt.XDatum(1.0, type="quantitative"), y=y, text=alt.Text("label:N"))
    )
    title = alt.TitleParams(persona, fontSize=13, fontWeight="bold", anchor="start", frame="group", offset=4)
    return alt.LayerChart(
        layer=[stacked, rule, plain, bold], data=inline(bars), width=WIDTH - 160, height={"step": _STEP}, title=title
    )
