"""Charts of :func:`stickiness.feature_adoption` (adoption over time) and :func:`stickiness.where_users_leave`."""

from __future__ import annotations

from typing import Any, Final

import altair as alt
import polars as pl

from stickiness import InvalidOptionError
from stickiness.findings import FindingOptions, chart_headline
from stickiness.findings.adoption import LEAVE_VERDICTS, leave_verdicts
from stickiness.options import PERIOD
from stickiness.schemas import ADOPTION_SCHEMA, LEAVE_SCHEMA
from stickiness_widgets.charts._data import SEGMENT, inline, metric_frame, segment_frame, segment_tooltip
from stickiness_widgets.charts._fields import colour_when, pixels
from stickiness_widgets.charts._finish import Title, empty_chart, finish
from stickiness_widgets.charts._intervals import band, has_interval, interval_note, small_rings, without_intervals
from stickiness_widgets.charts._periods import (
    OBSERVED,
    PeriodName,
    check_top,
    checked_period,
    observed,
    panels,
    partial_marks,
    period_tooltip,
    period_x,
)
from stickiness_widgets.theme import GREY, OKABE_ITO, WIDTH

__all__ = ["LEAVE_COLOURS", "adoption_chart", "leave_points_chart"]

# the segment column (named after by) first in both: renamed to SEGMENT
ADOPTION_COLUMNS: Final = (SEGMENT, *without_intervals(list(ADOPTION_SCHEMA)[1:]))
LEAVE_COLUMNS: Final = (SEGMENT, *list(LEAVE_SCHEMA)[1:])
#: Where users leave: a last step more common among leavers (lift above 1), among retained users, or too few users.
LEAVE_COLOURS: Final = dict(zip(LEAVE_VERDICTS, (OKABE_ITO[5], OKABE_ITO[0], GREY), strict=True))  # vermillion, blue
_MANY_PERIODS = 60
_STEP = 24  # px per bar of the leave-points chart
_PLOT_WIDTH = WIDTH - 260  # room for the labels on the right
_RULE = "#444444"


# --------------------------------------------------------------------------- #
# Feature adoption                                                            #
# --------------------------------------------------------------------------- #


def adoption_chart(
    frame: Any,
    *,
    top: int = 8,
    period: str = PERIOD.period,
    by: str | None = None,
    unit: str = "user",
    title: Title = None,
) -> alt.typing.ChartType:
    """Chart feature adoption over time: the share of active users who used each use case, per persona.

    One line per use case (one colour each), in one panel per persona (small
    multiples; one panel without segments). A use case a persona never used is
    left out of its panel. Periods that are not fully observed (``complete`` is
    false) are hollow points.

    Parameters
    ----------
    frame
        The output of :func:`stickiness.feature_adoption` (``<by>, use_case,
        period, active, users, share, complete``).
    top
        Draw the ``top`` use cases with the most users over all periods (default
        8, at most 8: one colour each); the subtitle says how many are left out.
    period
        ``"month"`` (the default, as the metric's), ``"week"`` or ``"day"``: the
        ``period`` given to the metric, checked against the dates (docs/charts.md).
    by
        The segment column (default: the frame's first column, named after the
        metric's ``by``).
    unit
        What the frame counts, the log's :attr:`~stickiness.UsageLog.unit`: ``"user"``, or ``"account"``
        for a log of :func:`stickiness.by_account` (the title and the axes then count accounts).
    title
        Default: the range of adoption in the last complete period, e.g.
        ``"Adoption in Jun 2026: from 8.9% (buy_home for home_buyer) to
        100.0% (manage_listings for agent) of active users"``. A text replaces it (the
        subtitle stays); :class:`altair.TitleParams` replace both.

    Returns
    -------
    altair chart
        An ``altair.LayerChart``, or an ``altair.FacetChart`` with several personas.
        A frame with no rows gives a chart that says so.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> frame = pl.DataFrame({
    ...     "persona": ["(all)"] * 2, "use_case": ["search", "buy"], "period": [dt.date(2024, 1, 1)] * 2,
    ...     "active": [4, 4], "users": [4, 1], "share": [1.0, 0.25], "complete": [True, True],
    ... })
    >>> adoption_chart(frame).to_dict()["title"]["text"]
    'Adoption in Jan 2024: from 25.0% (buy) to 100.0% (search) of active users'
    """
    top = check_top(top, most=len(OKABE_ITO), what="use cases")
    table = metric_frame(
        frame, columns=ADOPTION_COLUMNS[1:], metric="feature_adoption", dates=["period"], flags=["complete"]
    ).with_columns(pl.col("use_case").cast(pl.String))
    table, segment = segment_frame(table, by=by, standard=ADOPTION_COLUMNS[1:], metric="feature_adoption")
    every = checked_period(table, ["period"], period, chart="adoption_chart", metric="feature_adoption")
    if table.is_empty():
        return empty_chart(title=title, what="Feature adoption", hint="no active user in any period")
    totals = table.group_by("use_case").agg(pl.col("users").sum()).sort(["users", "use_case"], descending=[True, False])
    kept = totals.head(top).get_column("use_case").sort().to_list()
    used = table.group_by(SEGMENT, "use_case").agg(pl.col("users").sum().alias("__ever"))
    rows = (
        table.filter(pl.col("use_case").is_in(kept))
        .join(used, on=[SEGMENT, "use_case"], how="left")
        .filter(pl.col("__ever") > 0)
        .drop("__ever")
        .with_columns(observed())
    )
    if rows.is_empty():
        return empty_chart(title=title, what="Feature adoption", hint="no use case has a user")
    notes = [f"Share of the persona's active {unit}s in the {every} who used the use case."]
    if totals.height > top:
        notes.append(f"The {top} of {totals.height} use cases with the most {unit}s; the table has every one.")
    if rows.get_column("observed").eq(OBSERVED[1]).any():
        notes.append(f"Hollow points: the {every} is not fully observed (the log starts or ends inside it).")
    interval = has_interval(rows, "share")
    if interval:
        rows = rows.with_columns(pl.col("share_low").alias("low"), pl.col("share_high").alias("high"))
        notes.extend(interval_note(rows, "Shaded", units=f"{unit}s"))
    personas = rows.get_column(SEGMENT).n_unique()
    many = rows.get_column("period").n_unique() > _MANY_PERIODS
    dates = rows.get_column("period")
    chart = _adoption(
        inline(rows),
        kept,
        every,
        facet=personas > 1,
        many=many,
        segment=segment,
        dates=dates,
        interval=interval,
        units=f"{unit}s",
    )
    options = FindingOptions(period=every, top=top, unit=unit)
    headline = chart_headline("feature_adoption", table, by=SEGMENT, options=options)
    return finish(chart, title=title, finding=headline, notes=notes)


def _adoption(
    data: dict[str, Any],
    kept: list[str],
    unit: PeriodName,
    *,
    facet: bool,
    many: bool,
    segment: str,
    dates: pl.Series,
    interval: bool = False,
    units: str = "users",
) -> alt.typing.ChartType:
    colour = alt.Color(
        "use_case:N",
        title="use case",
        scale=alt.Scale(domain=kept, range=list(OKABE_ITO[: len(kept)])),
        legend=alt.Legend(orient="right"),
    )
    y = alt.Y(
        "share:Q",
        title=f"share of active {units}",
        scale=alt.Scale(domain=[0, 1]),
        axis=alt.Axis(format="%", tickCount=5),
    )
    base = alt.Chart().encode(x=period_x("period", unit, narrow=facet, dates=dates), y=y, color=colour)
    line = base.mark_line(strokeWidth=2)
    points = base.mark_point(strokeWidth=2, opacity=1).encode(
        **partial_marks(colour, many=many),
        tooltip=[
            segment_tooltip(segment),
            alt.Tooltip("use_case:N", title="use case"),
            period_tooltip("period", unit),
            alt.Tooltip("share:Q", format=".1%", title="adoption"),
            alt.Tooltip("users:Q", format=",", title="users of the use case"),
            alt.Tooltip("active:Q", format=",", title="active users"),
            alt.Tooltip("observed:N", title=unit),
        ],
    )
    layers = [band(base, "low", "high"), line, points, small_rings(base)] if interval else [line, points]
    return panels(layers, by=SEGMENT if facet else None, data=data, height=170 if facet else 280)


# --------------------------------------------------------------------------- #
# Where users leave                                                           #
# --------------------------------------------------------------------------- #


def leave_points_chart(
    frame: Any, *, min_users: int = 20, by: str | None = None, unit: str = "user", title: Title = None
) -> alt.typing.ChartType:
    """Rank the last steps before users left by lift: how much more common each is among leavers.

    One bar per persona x use case (a block per persona, in the frame's order:
    highest lift first), from 0 to its lift, with a dashed rule at 1 (as common
    among leavers as among retained users). Vermillion: more common among leavers;
    blue: not; grey: fewer than ``min_users`` users stopped there (too few to
    compare). A step only leavers stopped at has an infinite lift: its bar runs to
    the end, labelled "only leavers". The tooltips carry the leaver and retained
    shares, the counts and the churn rate.

    Parameters
    ----------
    frame
        The output of :func:`stickiness.where_users_leave` (``<by>, use_case,
        leavers, retained, leaver_share, retained_share, lift, churn_rate``).
    min_users
        Steps with fewer leavers and retained users than this together are grey
        and not named in the title (default 20).
    by
        The segment column (default: the frame's first column, named after the
        metric's ``by``).
    unit
        What the frame counts, the log's :attr:`~stickiness.UsageLog.unit`: ``"user"``, or ``"account"``
        for a log of :func:`stickiness.by_account` (the title and the axes then count accounts).
    title
        Default: the step with the highest lift among those with enough users, e.g.
        ``"Last step most over-represented among leavers: home_value for
        homeowner (lift 1.03)"``. A text replaces it
        (the subtitle stays); :class:`altair.TitleParams` replace both.

    Returns
    -------
    altair chart
        An ``altair.VConcatChart`` (one block per persona).
        A frame with no rows gives a chart that says so.

    Examples
    --------
    >>> import polars as pl
    >>> frame = pl.DataFrame({
    ...     "persona": ["(all)"] * 2, "use_case": ["pay", "search"], "leavers": [30, 10], "retained": [20, 60],
    ...     "leaver_share": [0.75, 0.25], "retained_share": [0.25, 0.75], "lift": [3.0, 1 / 3],
    ...     "churn_rate": [0.6, 0.142857],
    ... })
    >>> leave_points_chart(frame).to_dict()["title"]["text"]
    'Last step most over-represented among leavers: pay (lift 3.00)'
    """
    if isinstance(min_users, bool) or not isinstance(min_users, int) or min_users < 0:
        raise InvalidOptionError(f"min_users={min_users!r}: pass a whole number >= 0 (default 20).")
    table = metric_frame(frame, columns=LEAVE_COLUMNS[1:], metric="where_users_leave").with_columns(
        pl.col("use_case").cast(pl.String)
    )
    table, segment = segment_frame(table, by=by, standard=LEAVE_COLUMNS[1:], metric="where_users_leave")
    if table.is_empty():
        return empty_chart(title=title, what=f"Where {unit}s leave", hint=f"no {unit} was active before the cut")
    bars = _leave_rows(table, min_users)
    notes = [
        f"Lift: a step's share among the last steps of {unit}s who left, over its share among those who stayed "
        "(1: as common).",
        f"Last step: the use cases of {'an' if unit == 'account' else 'a'} {unit}'s last active day before the cut, "
        "as_of − limit. "
        "Right: how many of them left.",
    ]
    if (bars.get_column("verdict") == "too few users").any():
        notes.append(f"Grey: fewer than {min_users} {unit}s stopped there, too few to compare.")
    options = FindingOptions(leave_min_users=min_users, unit=unit)
    headline = chart_headline("where_users_leave", table, by=SEGMENT, options=options)
    return finish(_leave(bars, segment, units=f"{unit}s"), title=title, finding=headline, notes=notes)


def _leave_rows(table: pl.DataFrame, min_users: int) -> pl.DataFrame:
    """Return the bars: each step's verdict as the core decides it (leave_verdicts), its bar's end and its label."""
    only_leavers = pl.col("only_leavers")
    finite = table.filter(pl.col("lift").is_not_null()).get_column("lift").max()
    end = max(2.0, float(finite) if isinstance(finite, int | float) else 0.0) * 1.1
    return (
        leave_verdicts(table, min_users)
        .with_row_index("rank")
        .with_columns(
            pl.when(only_leavers).then(pl.lit(end)).otherwise(pl.col("lift")).alias("bar"),
            pl.lit(end).alias("end"),
            pl.format(
                "{} · {} of {} left",
                pl.when(only_leavers)
                .then(pl.lit("only leavers"))
                .when(pl.col("lift").is_null())
                .then(pl.lit("n/a"))
                .otherwise(pl.format("{}×", pl.col("lift").round(2))),
                "leavers",
                pl.col("leavers") + pl.col("retained"),
            ).alias("label"),
        )
    )


def _leave(bars: pl.DataFrame, segment: str, *, units: str = "users") -> alt.typing.ChartType:
    end = float(bars.get_column("end")[0])
    personas = bars.get_column(SEGMENT).unique(maintain_order=True).to_list()
    data = inline(bars)  # one dataset: each persona's block filters it
    named = len(personas) > 1  # one persona (e.g. "(all)" without a users table): no block title
    last = len(personas) - 1
    blocks = [
        _leave_block(data, p, end=end, first=i == 0, last=i == last, named=named, segment=segment, units=units)
        for i, p in enumerate(personas)
    ]
    return alt.VConcatChart(vconcat=blocks, spacing=14)


def _leave_block(
    data: dict[str, Any],
    persona: str,
    *,
    end: float,
    first: bool,
    last: bool,
    named: bool,
    segment: str,
    units: str = "users",
) -> alt.LayerChart:
    base = alt.Chart().transform_filter(alt.FieldEqualPredicate(field=SEGMENT, equal=persona))
    y = alt.Y(
        "use_case:N",
        title="last use case before leaving",
        sort=alt.EncodingSortField("rank", op="min", order="ascending"),
        axis=alt.Axis(labelLimit=200, ticks=False, domain=False),
    )
    scale = alt.Scale(domain=[0, end], nice=False, clamp=True)
    x = alt.X(
        "bar:Q",
        scale=scale,
        title=f"lift: share among leavers' last steps / share among retained {units}'" if last else None,
        axis=alt.Axis(format=".1f", tickCount=5, grid=False) if last else None,
    )
    colour = alt.Color(
        "verdict:N",
        title=None,
        scale=alt.Scale(domain=list(LEAVE_COLOURS), range=list(LEAVE_COLOURS.values())),
        legend=alt.Legend(orient="top", direction="horizontal", symbolType="square", labelLimit=320),
    )
    bar = base.mark_bar(height={"band": 0.7}).encode(x=x, y=y, color=colour, tooltip=_leave_tooltips(segment))
    once = alt.Chart(alt.InlineData(values=[{}]))  # one rule, not one per row
    rule = once.mark_rule(strokeDash=[4, 3], color=_RULE, strokeWidth=1.2).encode(
        x=alt.XDatum(1.0, type="quantitative")
    )
    layers: list[Any] = [bar, rule]
    if first:
        label = once.mark_text(align="left", baseline="bottom", dx=4, dy=-2, color=_RULE, fontSize=12).encode(
            x=alt.XDatum(1.0, type="quantitative"), y=pixels("y", 0), text=alt.TextValue("1×: as common")
        )
        layers.append(label)
    text = base.mark_text(align="left", fontSize=12).encode(
        x=pixels("x", _PLOT_WIDTH + 12),
        y=y,
        text=alt.Text("label:N"),
        color=colour_when(("datum.verdict == 'too few users'", GREY), otherwise="#333333"),
    )
    layers.append(text)
    title = alt.TitleParams(persona, fontSize=13, fontWeight="bold", anchor="start", frame="group", offset=4)
    return alt.LayerChart(
        layer=layers, data=data, width=_PLOT_WIDTH, height={"step": _STEP}, title=title if named else alt.Undefined
    )


def _leave_tooltips(segment: str) -> list[alt.Tooltip]:
    return [
        segment_tooltip(segment),
        alt.Tooltip("use_case:N", title="last step"),
        alt.Tooltip("lift:Q", format=".2f", title="lift (empty: only leavers, or no one to compare)"),
        alt.Tooltip("leaver_share:Q", format=".1%", title="share of leavers' last steps"),
        alt.Tooltip("retained_share:Q", format=".1%", title="share of retained users' last steps"),
        alt.Tooltip("leavers:Q", format=","),
        alt.Tooltip("retained:Q", format=",", title="retained"),
        alt.Tooltip("churn_rate:Q", format=".1%", title="of those who stopped here, left"),
    ]
