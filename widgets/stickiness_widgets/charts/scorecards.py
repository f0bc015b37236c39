"""Charts of the scorecards (:mod:`stickiness.scorecards`): health bands, NPS, customer fit and lifetime value."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

import altair as alt
import polars as pl

from stickiness import InvalidOptionError, schemas
from stickiness.schemas import SUMMARY_COLUMNS
from stickiness_widgets.charts._data import ChartDataError, inline, metric_frame
from stickiness_widgets.charts._fields import colour_when, field, pixels, title_text, utc_tooltip
from stickiness_widgets.charts._finish import Title, empty_chart, finish, percent
from stickiness_widgets.theme import GREY, OKABE_ITO, WIDTH

__all__ = ["fit_matrix_chart", "health_chart", "lifetime_value_chart", "nps_chart"]

#: The health_summary() columns (the core's SUMMARY_COLUMNS: per segment, not per customer).
HEALTH_SUMMARY_COLUMNS: Final = tuple(SUMMARY_COLUMNS)
#: Health bands (column prefix -> label) and their colours: blue healthy to red critical (ColorBrewer RdBu).
HEALTH_BANDS: Final[Mapping[str, str]] = {"healthy": "healthy", "at_risk": "at risk", "critical": "critical"}
HEALTH_COLOURS: Final[Mapping[str, str]] = {"healthy": "#2166AC", "at risk": "#F4A582", "critical": "#B2182B"}
NPS_COLUMNS: Final = tuple(schemas.NPS_COLUMNS)
NPS_STATUS: Final[Mapping[str, str]] = {"enough answers": "#0072B2", "too few answers": GREY}
FIT_COLUMNS: Final = tuple(schemas.FIT_COLUMNS)
#: Fit states, in the order of fit_matrix's rows, and their colours (Okabe-Ito).
FIT_COLOURS: Final[Mapping[str, str]] = {"keep": "#0072B2", "grow": "#009E73", "depart": "#D55E00"}
VALUE_COLUMNS: Final = ("user", "transactions", "purchases", "value", "repeat_value")
VALUE_SUMMARY_COLUMNS: Final = tuple(schemas.VALUE_SUMMARY_COLUMNS)
PURCHASE_COLOURS: Final[Mapping[str, str]] = {"one purchase": "#E69F00", "repeat customer": "#0072B2"}
#: Above this many accounts the fit matrix draws counts per cell instead of one point per account.
MAX_POINTS: Final = 5_000
_TOLERANCE = 1e-9  # the scorecards' cut-offs compare with this tolerance (docs/scorecards.md)
_STEP = 30  # px per row of the ranked charts
_PLOT_WIDTH = WIDTH - 220  # the ranked charts keep a label column on the right
_RULE = "#444444"
_INK = "#1A1A1A"
_FIT_WIDTH = WIDTH - 130  # room on the right for the cut-off labels
_CELLS = 40  # bins per axis of the aggregated fit matrix
_NICE_STEPS = (1, 2, 5)


# --------------------------------------------------------------------------- #
# Health                                                                      #
# --------------------------------------------------------------------------- #


def health_chart(frame: Any, *, title: Title = None) -> alt.typing.ChartType:
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
    title
        Default: the finding, e.g. ``"522 of 1,752 scored customers (29.8%) are
        critical; most in home_buyer (37.1%)"``. A text replaces it (the subtitle
        stays); :class:`altair.TitleParams` replace both.

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
    '4 of 15 scored customers (26.7%) are critical; most in b (40.0%)'
    """
    table = metric_frame(frame, columns=HEALTH_SUMMARY_COLUMNS, metric="scorecards.health_summary")
    if table.is_empty():
        return empty_chart(title=title, what="Customer health", hint="no customer was scored or listed")
    table = table.with_columns(pl.col("persona").cast(pl.String)).with_row_index("rank")
    parts = pl.concat(
        [
            table.select(
                "rank",
                "persona",
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
            pl.when(pl.col("share") >= 0.07).then(_whole_percent("share")).otherwise(pl.lit("")).alias("label"),
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
    return finish(_health_layers(bars), title=title, finding=_health_finding(table), notes=notes)


def _whole_percent(column: str) -> pl.Expr:
    return pl.format("{}%", (pl.col(column) * 100).round(0).cast(pl.Int64))


def _health_finding(table: pl.DataFrame) -> str:
    scored = int(table.get_column("scored").sum())
    if scored == 0:
        return f"No customer is scored yet: {int(table.get_column('too_new').sum()):,} too new to score"
    critical = int(table.get_column("critical").sum())
    verb = "is" if critical == 1 else "are"
    finding = f"{critical:,} of {scored:,} scored customers ({percent(critical / scored)}) {verb} critical"
    ranked = table.filter(pl.col("scored") > 0).sort("critical_share", "scored", descending=True)
    if ranked.height > 1 and critical > 0:
        worst = ranked.row(0, named=True)
        finding += f"; most in {worst['persona']} ({percent(worst['critical_share'])})"
    return finding


def _health_layers(bars: pl.DataFrame) -> alt.typing.ChartType:
    y = alt.Y(
        "persona:N",
        title=None,
        sort=alt.EncodingSortField("rank", order="ascending"),
        axis=alt.Axis(labelLimit=200, ticks=False, domain=False, labelFontWeight="bold"),
    )
    x_scale = alt.Scale(domain=[0, 1], nice=False)
    colour = alt.Color(
        "band:N",
        title=None,
        scale=alt.Scale(domain=list(HEALTH_COLOURS), range=list(HEALTH_COLOURS.values())),
        legend=alt.Legend(orient="bottom", direction="horizontal", symbolType="square"),
    )
    tooltips = [
        alt.Tooltip("persona:N"),
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
        color=colour_when(("datum.band == 'at risk'", _INK), otherwise="white"),
    )
    side = base.mark_text(align="left", fontSize=12, color="#333333").encode(
        x=pixels("x", _PLOT_WIDTH + 12), text=alt.Text("side:N")
    )
    return alt.LayerChart(layer=[bar, label, side], data=inline(bars), width=_PLOT_WIDTH, height={"step": _STEP + 6})


# --------------------------------------------------------------------------- #
# NPS                                                                         #
# --------------------------------------------------------------------------- #


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
    by = by or _segment_column(table, (*NPS_COLUMNS, "period"))
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
    notes = [
        "NPS: % promoters (9-10) minus % detractors (0-6), from -100 to 100, with its confidence interval "
        "(95% by default).",
    ]
    if not rows.get_column("sufficient").all():
        notes.append("Hollow points: fewer answers than min_responses (30 by default); read them with care.")
    if periods:
        unit = _period_unit(rows.get_column("period"))
        rows = rows.with_columns(
            pl.col("period").map_elements(lambda d: _period_name(d, unit), pl.String).alias("when")
        )
        chart = _nps_over_time(rows, by)
        return finish(chart, title=title, finding=_nps_time_finding(rows, by), notes=notes)
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
    return finish(_nps_ranked(ranked, segment), title=title, finding=_nps_finding(ranked, by), notes=notes)


def _segment_column(table: pl.DataFrame, known: Sequence[str]) -> str | None:
    extra = [name for name in table.columns if name not in known]
    if len(extra) > 1:
        raise ChartDataError(
            f"the frame has several columns beyond the metric's own: {', '.join(map(repr, extra))}. "
            "Pass by= the segment column."
        )
    return extra[0] if extra else None


def _signed(value: float) -> str:
    return f"{value:.0f}".replace("-0", "0") if abs(value) < 0.5 else f"{value:.0f}"


def _nps_finding(ranked: pl.DataFrame, by: str | None) -> str:
    if not by or ranked.height == 1:
        row = ranked.row(0, named=True)
        who = f" ({row[by]})" if by else ""
        finding = f"NPS {_signed(row['nps'])}{who} (95% interval {_signed(row['ci_low'])} to {_signed(row['ci_high'])})"
        return finding + ("" if row["sufficient"] else ": too few answers")
    judged = ranked.filter(pl.col("sufficient"))
    if judged.is_empty():
        return f"NPS: no {by} has enough answers to judge"
    if judged.height == 1:
        row = judged.row(0, named=True)
        return f"NPS {_signed(row['nps'])} ({row[by]}); the other {by} values have too few answers"
    high, low = judged.row(0, named=True), judged.row(-1, named=True)
    return f"NPS from {_signed(low['nps'])} ({low[by]}) to {_signed(high['nps'])} ({high[by]})"


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
        title=title_text(segment),  # read out to screen readers; the axis shows none
        sort=alt.EncodingSortField("rank", order="ascending"),
        axis=alt.Axis(title=None, labelLimit=200, ticks=False, domain=False),
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
    zero = once.mark_rule(strokeDash=[4, 3], color=_RULE, strokeWidth=1.2).encode(
        x=alt.XDatum(0, type="quantitative"), y=pixels("y", 0), y2=pixels("y2", _STEP * ranked.height)
    )
    label = base.mark_text(align="left", fontSize=12).encode(
        x=pixels("x", _PLOT_WIDTH + 12),
        text=alt.Text("label:N"),
        color=colour_when(("datum.sufficient", "#333333"), otherwise=GREY),
    )
    return alt.LayerChart(
        layer=[zero, interval, point, label], data=inline(ranked), width=_PLOT_WIDTH, height={"step": _STEP}
    )


def _period_unit(days: pl.Series) -> str:
    """Name the periods of an nps() frame from their first days: year, quarter, month, week or day."""
    unique = days.drop_nulls().unique().sort()
    values: list[dt.date] = unique.to_list()
    if values and all(d.day == 1 for d in values):
        months = [d.year * 12 + d.month - 1 for d in values]
        gaps = [b - a for a, b in itertools.pairwise(months)]
        if len(values) > 1 and all(d.month == 1 for d in values) and min(gaps) >= 12:
            return "year"
        if len(values) > 1 and all(d.month in (1, 4, 7, 10) for d in values) and min(gaps) >= 3:
            return "quarter"
        return "month"
    if len(values) > 1 and all(d.isoweekday() == 1 for d in values):
        return "week"
    return "day"


def _period_name(day: dt.date, unit: str) -> str:
    if unit == "year":
        return str(day.year)
    if unit == "quarter":
        return f"Q{(day.month - 1) // 3 + 1} {day.year}"
    if unit == "month":
        return day.strftime("%b %Y")
    if unit == "week":
        return f"week of {day.isoformat()}"
    return day.isoformat()


def _nps_time_finding(rows: pl.DataFrame, by: str | None) -> str:
    last = rows.get_column("period").max()
    latest = rows.filter(pl.col("period") == last)
    when = latest.get_column("when")[0]
    if not by:
        row = latest.row(0, named=True)
        finding = f"NPS {_signed(row['nps'])} in {when}"
        first = rows.sort("period").row(0, named=True)
        if first["period"] != last:
            finding += f" (from {_signed(first['nps'])} in {first['when']})"
        return finding + ("" if row["sufficient"] else ": too few answers")
    judged = latest.filter(pl.col("sufficient")).sort("nps")
    if judged.is_empty():
        return f"NPS in {when}: no {by} has enough answers to judge"
    if judged.height == 1:
        row = judged.row(0, named=True)
        return f"NPS in {when}: {_signed(row['nps'])} ({row[by]})"
    low, high = judged.row(0, named=True), judged.row(-1, named=True)
    return f"NPS in {when}: from {_signed(low['nps'])} ({low[by]}) to {_signed(high['nps'])} ({high[by]})"


def _nps_over_time(rows: pl.DataFrame, by: str | None) -> alt.typing.ChartType:
    x = alt.X(
        "period:T",
        scale=alt.Scale(type="utc"),
        title=None,
        axis=alt.Axis(format="%b %Y", labelAngle=0, labelOverlap=True, labelFlush=False),
    )
    y = alt.Y("nps:Q", scale=_nps_scale(), title="NPS", axis=alt.Axis(values=[-100, -50, 0, 50, 100]))
    tooltips = [*_nps_tooltips(by, periods=True), utc_tooltip("period", title="period starts")]
    if by:
        segments = rows.get_column(by).unique().sort().to_list()
        palette = [OKABE_ITO[i % len(OKABE_ITO)] for i in range(len(segments))]
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
        fill=colour_when(("!datum.sufficient", "white"), otherwise=OKABE_ITO[0]) if not by else _fill(by),
        tooltip=tooltips,
    )
    zero = alt.Chart().mark_rule(strokeDash=[4, 3], color=_RULE, strokeWidth=1).encode(y=alt.YDatum(0))
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


# --------------------------------------------------------------------------- #
# Customer fit                                                                #
# --------------------------------------------------------------------------- #


def fit_matrix_chart(
    frame: Any,
    *,
    depart_below: float = 0.30,
    grow_above: float = 0.60,
    grow_rate: float = 4.0,
    max_points: int = MAX_POINTS,
    title: Title = None,
) -> alt.typing.ChartType:
    """Chart the customer fit matrix: profitability against usage, one point per account, coloured by state.

    y: profitability (profit / mrr); x: the usage rate (active days per 30) when
    ``fit_matrix`` was given a usage log, else the monthly revenue (log scale).
    Dashed rules mark the cut-offs: depart below ``depart_below``, grow from
    ``grow_above`` (and, with usage, from ``grow_rate``). Above ``max_points``
    accounts the chart draws circles sized by the number of accounts in each
    cell of a 40 x 40 grid per state, not one point per account. Accounts with
    no revenue (``zero_mrr="depart"``: no profitability) cannot be placed and
    are counted in the subtitle.

    Parameters
    ----------
    frame
        The output of :func:`stickiness.scorecards.fit_matrix`.
    depart_below, grow_above, grow_rate
        The cut-offs given to ``fit_matrix`` (defaults 0.30, 0.60, 4.0): they are
        drawn, and checked against the states (a mismatch is an error).
    max_points
        Most accounts drawn one by one (default 5,000).
    title
        Default: the finding, e.g. ``"45 of 323 accounts are below 30%
        profitability (depart); 69 to grow"``. A text replaces it (the subtitle
        stays); :class:`altair.TitleParams` replace both.

    Returns
    -------
    altair chart
        An ``altair.LayerChart``.
        A frame with no rows gives a chart that says so.

    Examples
    --------
    >>> import polars as pl
    >>> from stickiness.scorecards import fit_matrix
    >>> accounts = pl.DataFrame({
    ...     "account_id": ["a", "b", "c", "d", "e"], "mrr": [100, 100, 200, 50, 80],
    ...     "labour": [20, 50, 60, 30, 60], "communication": [5.0, 10, 10, 2.5, 20],
    ...     "hard_costs": [5.0, 20, 10, 2.5, 20],
    ... })
    >>> fit_matrix_chart(fit_matrix(accounts)).to_dict()["title"]["text"]
    '2 of 5 accounts are below 30% profitability (depart); 2 to grow'
    """
    for name, value in (("depart_below", depart_below), ("grow_above", grow_above)):
        if not isinstance(value, int | float) or not math.isfinite(value):
            raise InvalidOptionError(f"{name}={value!r}: pass the number given to fit_matrix (a share such as 0.3).")
    if depart_below > grow_above:
        raise InvalidOptionError(
            f"depart_below={depart_below!r} is above grow_above={grow_above!r}: pass the values given to fit_matrix."
        )
    if not isinstance(max_points, int) or max_points < 1:
        raise InvalidOptionError(f"max_points={max_points!r}: pass a whole number of 1 or more (default {MAX_POINTS}).")
    table = metric_frame(frame, columns=FIT_COLUMNS, metric="scorecards.fit_matrix", texts=["state"])
    if table.is_empty():
        return empty_chart(title=title, what="Customer fit", hint="the accounts table has no account")
    table = table.with_columns(pl.col("user").cast(pl.String), *(pl.col(c).cast(pl.Float64) for c in FIT_COLUMNS[1:6]))
    usage = table.get_column("rate").null_count() < table.height
    _check_states(table, depart_below=depart_below, grow_above=grow_above, grow_rate=grow_rate if usage else None)
    placed = table.filter(pl.col("profitability").is_not_null())
    unplaced = table.height - placed.height
    notes = [
        "Each point an account: profitability (profit / mrr) against "
        + ("its usage rate (active days per 30 days)." if usage else "its monthly revenue (log scale): no usage log."),
    ]
    if placed.height > max_points:
        notes.append(f"{placed.height:,} accounts: circle area = accounts in the cell.")
    if unplaced:
        notes.append(f"{unplaced:,} account{'s' if unplaced > 1 else ''} with no revenue (depart) not drawn.")
    if placed.is_empty():
        chart = empty_chart(
            title=title, what="Customer fit", hint="no account has revenue, so none has a profitability"
        )
        return finish(chart, title=title, finding=_fit_finding(table, depart_below), notes=notes)
    x = "rate" if usage else "mrr"
    layers = _fit_layers(
        placed, x=x, depart_below=depart_below, grow_above=grow_above, grow_rate=grow_rate, max_points=max_points
    )
    return finish(layers, title=title, finding=_fit_finding(table, depart_below), notes=notes)


def _check_states(table: pl.DataFrame, *, depart_below: float, grow_above: float, grow_rate: float | None) -> None:
    p, rate = pl.col("profitability"), pl.col("rate")
    low, high = depart_below - _TOLERANCE, grow_above - _TOLERANCE
    grows = p >= high if grow_rate is None else (p >= high) & (rate >= grow_rate - _TOLERANCE)
    wrong = table.filter(
        ((pl.col("state") == "depart") & (p >= low))
        | ((pl.col("state") == "grow") & ~grows.fill_null(False))
        | ((pl.col("state") == "keep") & ((p < low) | grows).fill_null(True))
        | ~pl.col("state").is_in(list(FIT_COLOURS))
    )
    if not wrong.is_empty():
        row = wrong.row(0, named=True)
        cutoffs = f"depart_below={depart_below}, grow_above={grow_above}" + (
            f", grow_rate={grow_rate}" if grow_rate is not None else ""
        )
        raise InvalidOptionError(
            f"the states of the fit matrix do not follow {cutoffs}: {wrong.height:,} accounts differ (first: "
            f"{row['user']!r}, {row['state']}, profitability {row['profitability']}). Pass the cut-offs given to "
            "fit_matrix(...)."
        )


def _fit_finding(table: pl.DataFrame, depart_below: float) -> str:
    counts = dict(table.group_by("state").len().iter_rows())
    depart, grow = counts.get("depart", 0), counts.get("grow", 0)
    verb = "is" if depart == 1 else "are"
    noun = "account" if table.height == 1 else "accounts"
    return (
        f"{depart:,} of {table.height:,} {noun} {verb} below {percent(depart_below, 0)} profitability (depart); "
        f"{grow:,} to grow"
    )


def _nice_floor(value: float, step: float) -> float:
    return math.floor(value / step) * step


def _fit_layers(
    placed: pl.DataFrame,
    *,
    x: str,
    depart_below: float,
    grow_above: float,
    grow_rate: float,
    max_points: int,
) -> alt.typing.ChartType:
    lowest = min(float(placed.get_column("profitability").min()), depart_below, 0.0)  # type: ignore[arg-type]
    y_scale = alt.Scale(domain=[_nice_floor(lowest - 0.05, 0.1), 1.0], nice=False)
    if x == "rate":
        x_scale = alt.Scale(domain=[0, max(30.0, float(placed.get_column("rate").max()))], nice=False)  # type: ignore[arg-type]
        x_title, x_format = "usage rate (active days per 30)", ",.0f"
    else:
        x_scale = alt.Scale(type="log")
        x_title, x_format = "monthly recurring revenue (log scale)", ",.0f"
    colour = alt.Color(
        "state:N",
        title=None,
        scale=alt.Scale(domain=list(FIT_COLOURS), range=list(FIT_COLOURS.values())),
        legend=alt.Legend(orient="bottom", direction="horizontal"),
    )
    y = alt.Y("profitability:Q", scale=y_scale, title="profitability (profit / mrr)", axis=alt.Axis(format="%"))
    xs = alt.X(f"{x}:Q", scale=x_scale, title=x_title, axis=alt.Axis(format=x_format))
    if placed.height <= max_points:
        points = placed.sort("state", "user")
        marks = (
            alt.Chart(inline(points))
            .mark_circle(size=46, opacity=0.75)
            .encode(
                x=xs,
                y=y,
                color=colour,
                tooltip=[
                    alt.Tooltip("user:N", title="account"),
                    alt.Tooltip("state:N"),
                    alt.Tooltip("profitability:Q", format=".1%"),
                    alt.Tooltip("mrr:Q", format=",.2f", title="mrr"),
                    alt.Tooltip("costs:Q", format=",.2f"),
                    alt.Tooltip("profit:Q", format=",.2f"),
                    *([alt.Tooltip("rate:Q", format=".1f", title="active days per 30")] if x == "rate" else []),
                ],
            )
        )
    else:
        cells = _fit_cells(placed, x)
        marks = (
            alt.Chart(inline(cells))
            .mark_circle(opacity=0.7)
            .encode(
                x=xs,
                y=y,
                color=colour,
                size=alt.Size("accounts:Q", title="accounts", scale=alt.Scale(range=[20, 600]), legend=None),
                tooltip=[
                    alt.Tooltip("state:N"),
                    alt.Tooltip("accounts:Q", format=","),
                    alt.Tooltip("profitability:Q", format=".1%", title="mean profitability"),
                    alt.Tooltip(f"{x}:Q", format=",.1f", title=f"mean {x}"),
                ],
            )
        )
    rules = [  # labelled right of the plot, where no point can hide them
        (alt.YDatum(depart_below), f"depart below {percent(depart_below, 0)}"),
        (alt.YDatum(grow_above), f"grow from {percent(grow_above, 0)}"),
    ]
    once = alt.Chart(alt.InlineData(values=[{}]))
    layers: list[Any] = [marks]
    for position, text in rules:
        layers.append(once.mark_rule(strokeDash=[4, 3], color=_RULE, strokeWidth=1.2).encode(y=position))
        layers.append(
            once.mark_text(align="left", baseline="middle", dx=6, color=_RULE).encode(
                y=position, x=pixels("x", _FIT_WIDTH), text=alt.TextValue(text)
            )
        )
    if x == "rate":
        layers.append(
            once.mark_rule(strokeDash=[4, 3], color=_RULE, strokeWidth=1.2).encode(
                x=alt.XDatum(grow_rate), y=alt.YDatum(grow_above), y2=pixels("y2", 0)
            )
        )
        layers.append(
            once.mark_text(align="left", baseline="top", dx=4, dy=4, color=_RULE).encode(
                x=alt.XDatum(grow_rate), y=pixels("y", 0), text=alt.TextValue(f"grow from {grow_rate:g} days / 30")
            )
        )
    return alt.LayerChart(layer=layers, width=_FIT_WIDTH, height=380)


def _fit_cells(placed: pl.DataFrame, x: str) -> pl.DataFrame:
    """Count the accounts per state in a grid of cells (log-spaced for mrr), placed at their mean position."""
    position = pl.col(x).log10() if x == "mrr" else pl.col(x)
    return (
        placed.with_columns(position.alias("__x"))
        .with_columns(
            ((pl.col("__x") - pl.col("__x").min()) / (pl.col("__x").max() - pl.col("__x").min()) * _CELLS)
            .floor()
            .fill_nan(0)
            .clip(0, _CELLS - 1)
            .alias("__cx"),
            (
                (pl.col("profitability") - pl.col("profitability").min())
                / (pl.col("profitability").max() - pl.col("profitability").min())
                * _CELLS
            )
            .floor()
            .fill_nan(0)
            .clip(0, _CELLS - 1)
            .alias("__cy"),
        )
        .group_by("state", "__cx", "__cy")
        .agg(pl.len().cast(pl.Int64).alias("accounts"), pl.col(x).mean(), pl.col("profitability").mean())
        .sort("state", "__cx", "__cy")
        .select("state", "accounts", x, "profitability")
    )


# --------------------------------------------------------------------------- #
# Lifetime value                                                              #
# --------------------------------------------------------------------------- #


def lifetime_value_chart(frame: Any, *, by: str | None = None, title: Title = None) -> alt.typing.ChartType:
    """Chart lifetime value: the customers per value range, or the value per segment from the summary.

    Given the per-customer output of ``lifetime_value``: a histogram of the
    customers' value in 1-2-5 ranges (10-20, 20-50, 50-100, ...; value 0 apart),
    stacked into customers who bought once and repeat customers (small multiples
    per segment when the frame has one). Given ``lifetime_value_summary``: one
    bar per segment of the mean value, a tick at the median, and the share of
    repeat customers on the right.

    Parameters
    ----------
    frame
        The output of :func:`stickiness.scorecards.lifetime_value` or of
        :func:`stickiness.scorecards.lifetime_value_summary`.
    by
        The segment column. Default: the frame's one column beyond the standard
        ones, if it has one.
    title
        Default: the finding, e.g. ``"Median lifetime value 285 (mean 967); 77%
        are repeat customers"``. A text replaces it (the subtitle
        stays); :class:`altair.TitleParams` replace both.

    Returns
    -------
    altair chart
        An ``altair.LayerChart`` (an ``altair.FacetChart`` for customers per segment).
        A frame with no rows gives a chart that says so.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.scorecards import lifetime_value
    >>> payments = pl.DataFrame({
    ...     "customer_id": ["a", "a", "a", "b", "c"], "revenue": [10.0, 5.0, 25.0, 20.0, 0.0],
    ...     "timestamp": [dt.date(2024, 1, 1), dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 1, 5),
    ...                   dt.date(2024, 3, 1)],
    ... })
    >>> lifetime_value_chart(lifetime_value(payments)).to_dict()["title"]["text"]
    'Median lifetime value 20 (mean 20); 33% are repeat customers'
    """
    columns = getattr(frame, "columns", ())
    if "user" not in columns and "mean_value" in columns:
        return _value_summary_chart(frame, by=by, title=title)
    table = metric_frame(frame, columns=[*VALUE_COLUMNS, *([by] if by else [])], metric="scorecards.lifetime_value")
    known = (*VALUE_COLUMNS, "first_purchase", "last_purchase", "average_purchase", "category_spend", "share_of_wallet")
    by = by or _segment_column(table, known)
    if table.is_empty():
        return empty_chart(title=title, what="Lifetime value", hint="no customer has a transaction")
    values = table.select(
        *([pl.col(by).cast(pl.String).fill_null("(unknown)")] if by else []),
        pl.col("value").cast(pl.Float64),
        pl.col("purchases").cast(pl.Int64),
        pl.when(pl.col("purchases") >= 2)
        .then(pl.lit("repeat customer"))
        .otherwise(pl.lit("one purchase"))
        .alias("buyer"),
    )
    bins = _value_bins(values, by)
    notes = [
        "Customers per range of lifetime value (the revenue of all their purchases), on 1-2-5 steps.",
        "Repeat customers bought on two days or more.",
    ]
    return finish(_value_histogram(bins, by), title=title, finding=_value_finding(values), notes=notes)


def _money(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.2f}"


def _value_finding(values: pl.DataFrame) -> str:
    median = float(values.get_column("value").median())  # type: ignore[arg-type]
    mean = float(values.get_column("value").mean())  # type: ignore[arg-type]
    repeat = (values.get_column("purchases") >= 2).mean()
    return (
        f"Median lifetime value {_money(median)} (mean {_money(mean)}); "
        f"{percent(float(repeat), 0)} are repeat customers"  # type: ignore[arg-type]
    )


def _nice_below(value: float) -> float:
    """Return the largest 1-2-5 number (..., 0.5, 1, 2, 5, 10, ...) at or below ``value`` (> 0)."""
    exponent = math.floor(math.log10(value))
    return max(step * 10.0**exponent for step in _NICE_STEPS if step * 10.0**exponent <= value * (1 + 1e-12))


def _nice_after(value: float) -> float:
    """Return the 1-2-5 number that follows ``value`` (itself a 1-2-5 number)."""
    exponent = math.floor(math.log10(value) + 1e-12)
    mantissa = round(value / 10.0**exponent)
    return {1: 2, 2: 5}.get(mantissa, 10) * 10.0**exponent


def _label(edge: float) -> str:
    return f"{edge:,.0f}" if edge >= 1 else f"{edge:g}"


def _value_bins(values: pl.DataFrame, by: str | None) -> pl.DataFrame:
    positive = values.filter(pl.col("value") > 0).get_column("value")
    low = float(positive.min()) if not positive.is_empty() else 1.0  # type: ignore[arg-type]
    top = float(values.get_column("value").max())  # type: ignore[arg-type]
    edges = [_nice_below(low)]
    while edges[-1] <= top:
        edges.append(_nice_after(edges[-1]))
    starts, ends = edges[:-1], edges[1:]
    labels = ["0", *(f"{_label(a)}–{_label(b)}" for a, b in zip(starts, ends, strict=True))]
    # bin 0 holds the value 0; bin k the values from starts[k - 1] up to (not including) ends[k - 1]
    number = pl.Series(starts).search_sorted(values.get_column("value"), side="right").cast(pl.Int64)
    keys = [*([by] if by else []), "bin", "buyer"]
    counts = values.with_columns(number.alias("bin")).group_by(keys).agg(pl.len().cast(pl.Int64).alias("customers"))
    grid = pl.DataFrame({"bin": list(range(len(labels)))}, schema={"bin": pl.Int64}).join(
        pl.DataFrame({"buyer": list(PURCHASE_COLOURS)}), how="cross"
    )
    if by:
        grid = values.select(by).unique().join(grid, how="cross")
    full = grid.join(counts, on=keys, how="left").with_columns(pl.col("customers").fill_null(0))
    if 0 not in set(values.get_column("value").to_list()):
        full = full.filter(pl.col("bin") > 0)
    names = pl.Series("range", labels)
    return full.with_columns(
        pl.col("bin").map_elements(lambda i: names[i], pl.String).alias("range"),
        pl.col("buyer").replace_strict({b: i for i, b in enumerate(PURCHASE_COLOURS)}).alias("order"),
    ).sort(*([by] if by else []), "bin", "order")


def _value_histogram(bins: pl.DataFrame, by: str | None) -> alt.typing.ChartType:
    ranges = bins.sort("bin").get_column("range").unique(maintain_order=True).to_list()
    x = alt.X("range:O", title="lifetime value", sort=ranges, axis=alt.Axis(labelAngle=-30))
    colour = alt.Color(
        "buyer:N",
        title=None,
        scale=alt.Scale(domain=list(PURCHASE_COLOURS), range=list(PURCHASE_COLOURS.values())),
        legend=alt.Legend(orient="bottom", direction="horizontal", symbolType="square"),
    )
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("customers:Q", title="customers", stack="zero", axis=alt.Axis(format=",d")),
            color=colour,
            order=alt.Order("order:Q"),
            tooltip=[
                *([alt.Tooltip(f"{field(by)}:N", title=title_text(by))] if by else []),
                alt.Tooltip("range:N", title="lifetime value"),
                alt.Tooltip("buyer:N", title="customers who"),
                alt.Tooltip("customers:Q", format=","),
            ],
        )
    )
    if not by:
        return alt.LayerChart(layer=[bars], data=inline(bins), width=WIDTH - 80, height=300)
    header = alt.Header(labelFontSize=13, labelFontWeight="bold", labelAnchor="start", labelAlign="left", title=None)
    gap = 40
    return alt.LayerChart(layer=[bars], width=(WIDTH - gap) // 2, height=150).facet(
        facet=alt.Facet(f"{field(by)}:N", header=header, title=None),
        columns=2,
        spacing={"column": gap, "row": 16},
        data=inline(bins),
    )


def _value_summary_chart(frame: Any, *, by: str | None, title: Title) -> alt.typing.ChartType:
    table = metric_frame(
        frame, columns=[*VALUE_SUMMARY_COLUMNS, *([by] if by else [])], metric="scorecards.lifetime_value_summary"
    )
    by = by or _segment_column(table, VALUE_SUMMARY_COLUMNS)
    if table.is_empty() or int(table.get_column("customers").sum()) == 0:
        return empty_chart(title=title, what="Lifetime value", hint="no customer has a transaction")
    segment = by or "group"
    rows = (
        table.filter(pl.col("customers") > 0)
        .with_columns(
            (pl.col(by).cast(pl.String).fill_null("(unknown)") if by else pl.lit("all customers")).alias(segment)
        )
        .sort("mean_value", descending=True)
        .with_row_index("rank")
    )
    rows = rows.with_columns(
        pl.format(
            "{} repeat · n={}",
            _whole_percent("repeat_purchase_share"),
            "customers",
        ).alias("label")
    )
    y = alt.Y(
        f"{field(segment)}:N",
        title=title_text(segment),  # read out to screen readers; the axis shows none
        sort=rows.get_column(segment).to_list(),
        axis=alt.Axis(title=None, labelLimit=200, ticks=False, domain=False),
    )
    tooltips = [
        alt.Tooltip(f"{field(segment)}:N", title=title_text(segment)),
        alt.Tooltip("customers:Q", format=","),
        alt.Tooltip("value:Q", format=",.2f", title="total value"),
        alt.Tooltip("mean_value:Q", format=",.2f", title="mean value"),
        alt.Tooltip("median_value:Q", format=",.2f", title="median value"),
        alt.Tooltip("repeat_purchase_share:Q", format=".1%", title="repeat customers"),
        alt.Tooltip("repeat_value_share:Q", format=".1%", title="value from repeat purchases"),
        alt.Tooltip("share_of_wallet:Q", format=".1%", title="share of wallet"),
    ]
    base = alt.Chart().encode(y=y)
    x = alt.X("mean_value:Q", title="mean lifetime value per customer (tick: median)", axis=alt.Axis(format=",.0f"))
    bar = base.mark_bar(color=OKABE_ITO[0], height={"band": 0.6}).encode(x=x, tooltip=tooltips)
    tick = base.mark_tick(color=_INK, thickness=3, size=_STEP * 0.8).encode(x="median_value:Q", tooltip=tooltips)
    label = base.mark_text(align="left", fontSize=12, color="#333333").encode(
        x=pixels("x", _PLOT_WIDTH + 12), text=alt.Text("label:N")
    )
    chart = alt.LayerChart(layer=[bar, tick, label], data=inline(rows), width=_PLOT_WIDTH, height={"step": _STEP})
    notes = [
        "Bar: the mean lifetime value per customer; tick: the median. Right: customers who bought on two days or more.",
    ]
    if rows.height == 1 or not by:
        row = rows.row(0, named=True)
        finding = (
            f"Mean lifetime value {_money(row['mean_value'])} (median {_money(row['median_value'])}); "
            f"{percent(row['repeat_purchase_share'], 0)} are repeat customers"
        )
    else:
        high, low = rows.row(0, named=True), rows.row(-1, named=True)
        finding = (
            f"Mean lifetime value from {_money(low['mean_value'])} ({low[segment]}) "
            f"to {_money(high['mean_value'])} ({high[segment]})"
        )
    return finish(chart, title=title, finding=finding, notes=notes)
