"""Chart of the forgettable zone: every segment's forgettable share with its 95% interval."""

from __future__ import annotations

from typing import Any, Final

import altair as alt
import polars as pl

from stickiness.catalog import UNMAPPED_USE_CASE
from stickiness.findings import FindingOptions, chart_headline
from stickiness.options import ZONE, share
from stickiness_widgets.charts._data import SEGMENT, inline, segment_tooltip
from stickiness_widgets.charts._fields import colour_when, pixels, printable, title_text
from stickiness_widgets.charts._finish import Title, empty_chart, finish, percent
from stickiness_widgets.charts.use_case_map import map_frame, with_verdict
from stickiness_widgets.theme import STATUS_COLOURS, WIDTH

__all__ = ["forgettable_zone_chart"]

_STEP = 26  # px per segment
_PLOT_WIDTH: Final = WIDTH - 240
_RULE = "#444444"


def forgettable_zone_chart(
    frame: Any, *, majority: float = ZONE.majority, by: str | None = None, title: Title = None
) -> alt.typing.ChartType:
    """Rank the segments by forgettable share, with 95% Wilson intervals and a rule at ``majority``.

    Each persona x use case is a point (its forgettable share: the share of its
    evaluable adopters below the threshold) with a bar from ``ci_low`` to
    ``ci_high``, highest share first, coloured by the map's ``verdict``. Red:
    the forgettable zone (``"forgettable"``); orange: in the zone, but rarely
    used as the catalog expects (``"rare as expected"``); blue: not; grey:
    ``"insufficient data"`` (fewer than ``min_users`` evaluable adopters: never
    flagged, however high the share). ``(unmapped)`` is not a use case: not
    drawn. The chart draws the frame's verdicts; it never judges a segment
    itself (a map written before ``verdict`` existed is drawn from its
    ``forgettable`` column).

    Parameters
    ----------
    frame
        The output of :func:`stickiness.use_case_map` (every segment) or of
        :func:`stickiness.forgettable_zone` (the flagged ones).
    majority
        Where the dashed rule is drawn. Pass the ``majority`` given
        to ``use_case_map``: the colours are the frame's verdicts, whatever it is.
    by
        The segment column (default: the frame's first column, where the map
        has its segment column, named after its ``by``).
    title
        Default: the core's headline (:func:`stickiness.chart_headline`), e.g. ``"0 of 13
        segments are in the forgettable zone; 3 are rarely used, as expected"``.
        A text replaces it (the subtitle stays); :class:`altair.TitleParams` replace both.

    Returns
    -------
    altair chart
        An ``altair.LayerChart``.
        A frame with no rows gives a chart that says so.

    Examples
    --------
    >>> import stickiness, stickiness.demo as demo
    >>> log = stickiness.read_log(demo.demo_events(users=200), users=demo.demo_users(users=200))
    >>> chart = forgettable_zone_chart(stickiness.use_case_map(log, demo.demo_catalog(), min_users=5))
    >>> chart.to_dict()["title"]["text"]
    '... of ... segments are in the forgettable zone'
    """
    share(majority, "majority", f"the majority given to the metric, {ZONE.majority:g} by default")
    table, segment = map_frame(frame, by=by)
    if table.is_empty():
        return empty_chart(title=title, what="Forgettable zone", hint="no segment to rank")
    rows = _rows(with_verdict(table).filter(pl.col("use_case") != UNMAPPED_USE_CASE))
    if rows.is_empty():
        return empty_chart(title=title, what="Forgettable zone", hint="no use case to rank")
    notes = [
        "Forgettable share: evaluable adopters below the threshold (1 active day per 30 by default), "
        "with its 95% interval.",
        f"Red: the forgettable zone, above {percent(majority, 0)} (dashed line); "
        "grey: too few evaluable adopters to judge.",
    ]
    if (rows.get_column("status") == "rare as expected").any():
        notes.append("Orange: in the zone, but rarely used as the catalog expects (e.g. quarterly or yearly).")
    finding = chart_headline(
        "forgettable_zone", with_verdict(table), by=SEGMENT, options=FindingOptions(majority=majority)
    )
    return finish(_chart(rows, majority, segment), title=title, finding=finding, notes=notes)


#: The status of a map written before its ``verdict`` column: its ``forgettable`` column, in the verdict's words.
_STATUS_OF_FORGETTABLE: Final = {
    "true": "forgettable",
    "false": "not forgettable",
    "insufficient_data": "insufficient data",
}


def _rows(table: pl.DataFrame) -> pl.DataFrame:
    share = pl.col("forgettable_share")
    older = pl.col("forgettable").replace_strict(_STATUS_OF_FORGETTABLE, default=None, return_dtype=pl.String)
    return (
        table.select(
            SEGMENT,
            "use_case",
            "evaluable",
            "forgettable_share",
            "ci_low",
            "ci_high",
            "forgettable",
            "verdict",
            pl.format("{} · {}", SEGMENT, "use_case").alias("segment"),
            pl.coalesce(pl.col("verdict"), older).alias("status"),
            pl.when(share.is_null())
            .then(pl.lit("no evaluable adopter"))
            .otherwise(pl.format("{} of {}", pl.format("{}%", (share * 100).round(0).cast(pl.Int64)), "evaluable"))
            .alias("label"),
        )
        .sort(share, "evaluable", descending=[True, True], nulls_last=True)
        .with_row_index("rank")
    )


def _chart(rows: pl.DataFrame, majority: float, segment: str) -> alt.typing.ChartType:
    y = alt.Y(
        "segment:N",
        title=title_text(f"{printable(segment)} · use case"),  # a channel title goes into expressions: escaped
        sort=alt.EncodingSortField("rank", order="ascending"),
        axis=alt.Axis(title=f"{printable(segment)} · use case", labelLimit=240, ticks=False, domain=False),
    )
    x_scale = alt.Scale(domain=[0, 1], nice=False, clamp=True)
    colour = alt.Color(
        "status:N",
        title=None,
        scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values())),
        legend=alt.Legend(orient="bottom", direction="horizontal"),
    )
    base = alt.Chart().encode(y=y)  # the data go on the layer: altair copies a chart at every step
    tooltips = [
        segment_tooltip(segment),
        alt.Tooltip("use_case:N", title="use case"),
        alt.Tooltip("forgettable_share:Q", format=".1%", title="forgettable share"),
        alt.Tooltip("ci_low:Q", format=".1%", title="95% interval from"),
        alt.Tooltip("ci_high:Q", format=".1%", title="95% interval to"),
        alt.Tooltip("evaluable:Q", format=",", title="evaluable adopters"),
        alt.Tooltip("status:N", title="verdict"),
    ]
    interval = base.mark_rule(strokeWidth=2.5).encode(
        x=alt.X("ci_low:Q", scale=x_scale), x2=alt.X2(field="ci_high"), color=colour, tooltip=tooltips
    )
    point = base.mark_circle(size=110, opacity=1).encode(
        x=alt.X(
            "forgettable_share:Q",
            scale=x_scale,
            title="forgettable share of evaluable adopters (95% interval)",
            axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
        ),
        color=colour,
        tooltip=tooltips,
    )
    once = alt.Chart(alt.InlineData(values=[{}]))  # one mark, not one per row
    rule = once.mark_rule(strokeDash=[4, 3], color=_RULE, strokeWidth=1.2).encode(
        x=alt.XDatum(majority, type="quantitative"), y=pixels("y", 0), y2=pixels("y2", _STEP * rows.height)
    )
    rule_label = once.mark_text(align="left", baseline="bottom", dx=4, dy=-2, color=_RULE, fontSize=12).encode(
        x=alt.XDatum(majority, type="quantitative"),
        y=pixels("y", 0),
        text=alt.TextValue(f"majority {percent(majority, 0)}"),
    )
    label = base.mark_text(align="left", fontSize=12).encode(  # a column right of the plot: never over a mark
        x=pixels("x", _PLOT_WIDTH + 18),
        text=alt.Text("label:N"),
        color=colour_when(("datum.status == 'forgettable'", STATUS_COLOURS["forgettable"]), otherwise="#333333"),
    )
    return alt.LayerChart(
        layer=[rule, interval, point, label, rule_label], data=inline(rows), width=_PLOT_WIDTH, height={"step": _STEP}
    )
