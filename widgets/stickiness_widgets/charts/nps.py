"""Chart of :func:`stickiness.scorecards.nps`: NPS with its interval, per segment and over time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import altair as alt
import polars as pl

from stickiness.findings import chart_headline
from stickiness.findings.scorecards import nps_period_name, nps_period_unit
from stickiness.schemas import NPS_COLUMNS
from stickiness_widgets.charts._data import inline, metric_frame
from stickiness_widgets.charts._fields import colour_when, field, pixels, printable, title_text, utc_tooltip
from stickiness_widgets.charts._finish import Title, empty_chart, finish
from stickiness_widgets.charts._scorecard import PLOT_WIDTH, RULE, STEP, segment_column
from stickiness_widgets.theme import GREY, OKABE_ITO, WIDTH

__all__ = ["nps_chart"]

NPS_STATUS: Final[Mapping[str, str]] = {"enough answers": "#0072B2", "too few answers": GREY}


def nps_chart(frame: Any, *, by: str | None = None, title: Title = None) -> alt.typing.ChartType:
    """Chart NPS with its confidence interval, per segment, and over time when the frame has periods.

    Without a ``period`` column: the segments ranked by NPS, each a point with a
    bar from ``ci_low`` to ``ci_high``, a rule at 0, and the NPS and number of
    answers on the right. With one: NPS per period as a line with its interval
    as a band (small multiples per segment). Groups with fewer answers than
    ``min_responses`` (``sufficient`` false) are grey hollow points labelled
    "too few": their figures are kept, but not to be read as a finding.

    Parameters
    ----------
    frame
        The output of :func:`stickiness.scorecards.nps`.
    by
        The segment column. Default: the frame's one column beyond the standard
        ones (and ``period``), if it has one.
    title
        Default: the finding, e.g. ``"NPS from -29 (renter) to 37 (agent)"``, or
        for periods ``"NPS in Jun 2026: from -25 (renter) to 30 (agent)"``. A
        text replaces it (the subtitle stays); :class:`altair.TitleParams`
        replace both.

    Returns
    -------
    altair chart
        An ``altair.LayerChart`` (an ``altair.FacetChart`` for periods with segments).
        A frame with no rows, or only blank answers, gives a chart that says so.

    Examples
    --------
    >>> from stickiness.scorecards import nps
    >>> import polars as pl
    >>> answers = pl.DataFrame({"score": [10, 10, 9, 9, 9, 8, 7, 6, 3, 0]})
    >>> nps_chart(nps(answers, min_responses=5)).to_dict()["title"]["text"]
    'NPS 20 (95% interval -34 to 74)'
    """
    periods = frame is not None and "period" in getattr(frame, "columns", ())
    table = metric_frame(
        frame,
        columns=[*NPS_COLUMNS, *(["period"] if periods else []), *([by] if by else [])],
        metric="scorecards.nps",
        dates=["period"] if periods else [],
        flags=["sufficient"],
    )
    by = by or segment_column(table, (*NPS_COLUMNS, "period"))
    table = table.filter(pl.col("nps").is_not_null())
    if table.is_empty():
        return empty_chart(title=title, what="NPS", hint="no group has an answer with a score")
    rows = table.select(
        *([pl.col(by).cast(pl.String).fill_null("(unknown)")] if by else []),
        *(["period"] if periods else []),
        "responses",
        "blank",
        "promoters",
        "passives",
        "detractors",
        "nps",
        "ci_low",
        "ci_high",
        pl.col("sufficient").fill_null(False),
        pl.when(pl.col("sufficient"))
        .then(pl.lit("enough answers"))
        .otherwise(pl.lit("too few answers"))
        .alias("status"),
    )
    headline = chart_headline("nps", table, by=by)
    notes = [
        "NPS: % promoters (9-10) minus % detractors (0-6), from -100 to 100, with its confidence interval "
        "(95% by default).",
    ]
    if not rows.get_column("sufficient").all():
        notes.append("Hollow points: fewer answers than min_responses (30 by default); read them with care.")
    if periods:
        unit = nps_period_unit(rows.get_column("period"))
        rows = rows.with_columns(
            pl.col("period").map_elements(lambda d: nps_period_name(d, unit), pl.String).alias("when")
        )
        chart = _nps_over_time(rows, by)
        return finish(chart, title=title, finding=headline, notes=notes)
    segment = by or "group"
    if not by:
        rows = rows.with_columns(pl.lit("all answers").alias(segment))
    ranked = rows.sort("nps", "responses", descending=True).with_row_index("rank")
    ranked = ranked.with_columns(
        pl.format(
            "NPS {} · n={}{}",
            pl.col("nps").round(0).cast(pl.Int64),
            "responses",
            pl.when(pl.col("sufficient")).then(pl.lit("")).otherwise(pl.lit(" (too few)")),
        ).alias("label")
    )
    return finish(_nps_ranked(ranked, segment), title=title, finding=headline, notes=notes)


def _nps_tooltips(segment: str | None, *, periods: bool) -> list[alt.Tooltip]:
    return [
        *([alt.Tooltip(f"{field(segment)}:N", title=title_text(segment))] if segment else []),
        *([alt.Tooltip("when:N", title="period")] if periods else []),
        alt.Tooltip("nps:Q", format=".1f", title="NPS"),
        alt.Tooltip("ci_low:Q", format=".1f", title="interval from"),
        alt.Tooltip("ci_high:Q", format=".1f", title="interval to"),
        alt.Tooltip("responses:Q", format=",", title="answers"),
        alt.Tooltip("promoters:Q", format=","),
        alt.Tooltip("passives:Q", format=","),
        alt.Tooltip("detractors:Q", format=","),
        alt.Tooltip("blank:Q", format=",", title="blank answers"),
        alt.Tooltip("status:N", title="sample"),
    ]


def _nps_scale() -> alt.Scale:
    return alt.Scale(domain=[-100, 100], nice=False, clamp=True)


def _status_colour() -> alt.Color:
    return alt.Color(
        "status:N",
        title=None,
        scale=alt.Scale(domain=list(NPS_STATUS), range=list(NPS_STATUS.values())),
        legend=alt.Legend(orient="bottom", direction="horizontal"),
    )


def _nps_ranked(ranked: pl.DataFrame, segment: str) -> alt.typing.ChartType:
    y = alt.Y(
        f"{field(segment)}:N",
        title=title_text(segment),
        sort=alt.EncodingSortField("rank", order="ascending"),
        axis=alt.Axis(title=printable(segment), labelLimit=200, ticks=False, domain=False),
    )
    colour = _status_colour()
    tooltips = _nps_tooltips(segment, periods=False)
    base = alt.Chart().encode(y=y)
    interval = base.mark_rule(strokeWidth=2.5).encode(
        x=alt.X("ci_low:Q", scale=_nps_scale()), x2=alt.X2(field="ci_high"), color=colour, tooltip=tooltips
    )
    point = base.mark_point(size=110, filled=False, strokeWidth=2.5, opacity=1).encode(
        x=alt.X(
            "nps:Q",
            scale=_nps_scale(),
            title="NPS (confidence interval)",
            axis=alt.Axis(values=[-100, -50, 0, 50, 100]),
        ),
        color=colour,
        fill=colour_when(("datum.sufficient", NPS_STATUS["enough answers"]), otherwise="white"),
        tooltip=tooltips,
    )
    once = alt.Chart(alt.InlineData(values=[{}]))
    zero = once.mark_rule(strokeDash=[4, 3], color=RULE, strokeWidth=1.2).encode(
        x=alt.XDatum(0, type="quantitative"), y=pixels("y", 0), y2=pixels("y2", STEP * ranked.height)
    )
    label = base.mark_text(align="left", fontSize=12).encode(
        x=pixels("x", PLOT_WIDTH + 12),
        text=alt.Text("label:N"),
        color=colour_when(("datum.sufficient", "#333333"), otherwise=GREY),
    )
    return alt.LayerChart(
        layer=[zero, interval, point, label], data=inline(ranked), width=PLOT_WIDTH, height={"step": STEP}
    )


def _nps_over_time(rows: pl.DataFrame, by: str | None) -> alt.typing.ChartType:
    x = alt.X(
        "period:T",
        scale=alt.Scale(type="utc"),
        title="period",
        axis=alt.Axis(format="%b %Y", labelAngle=0, labelOverlap=True, labelFlush=False),
    )
    y = alt.Y("nps:Q", scale=_nps_scale(), title="NPS", axis=alt.Axis(values=[-100, -50, 0, 50, 100]))
    tooltips = [*_nps_tooltips(by, periods=True), utc_tooltip("period", title="period starts")]
    segments = rows.get_column(by).unique().sort().to_list() if by else []
    # one colour per segment while the palette lasts; beyond it, one colour for all: the panels are labelled,
    # and a cycled palette would give several segments one colour
    coloured = by is not None and len(segments) <= len(OKABE_ITO)
    if by and coloured:
        palette = list(OKABE_ITO[: len(segments)])
        ink: Any = alt.Color(
            f"{field(by)}:N", title=title_text(by), scale=alt.Scale(domain=segments, range=palette), legend=None
        )
    else:
        ink = alt.ColorValue(OKABE_ITO[0])
    base = alt.Chart().encode(x=x)
    band = base.mark_area(opacity=0.18).encode(
        y=alt.Y("ci_low:Q", scale=_nps_scale()), y2=alt.Y2(field="ci_high"), color=ink
    )
    line = base.mark_line(strokeWidth=2).encode(y=y, color=ink)
    points = base.mark_point(size=55, strokeWidth=2, opacity=1).encode(
        y=y,
        color=colour_when(("datum.sufficient", OKABE_ITO[0]), otherwise=GREY) if not by else ink,
        fill=_fill(by) if by and coloured else colour_when(("!datum.sufficient", "white"), otherwise=OKABE_ITO[0]),
        tooltip=tooltips,
    )
    zero = alt.Chart().mark_rule(strokeDash=[4, 3], color=RULE, strokeWidth=1).encode(y=alt.YDatum(0))
    layers = [zero, band, line, points]
    if not by:
        return alt.LayerChart(layer=layers, data=inline(rows), width=WIDTH, height=280)
    header = alt.Header(labelFontSize=13, labelFontWeight="bold", labelAnchor="start", labelAlign="left", title=None)
    gap = 40
    return alt.LayerChart(layer=layers, width=(WIDTH - gap) // 2, height=160).facet(
        facet=alt.Facet(f"{field(by)}:N", header=header, title=None),
        columns=2,
        spacing={"column": gap, "row": 16},
        data=inline(rows),
    )


def _fill(by: str) -> Any:
    """Fill each point with its segment's colour, white when the group has too few answers."""
    return alt.Fill(
        f"{field(by)}:N",
        title=title_text(by),
        legend=None,
        condition={"test": "!datum.sufficient", "value": "white"},
    )
