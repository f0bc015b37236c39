"""Chart of :func:`stickiness.growth_states`: the users seen, stacked by growth state, day by day."""

from __future__ import annotations

from typing import Any, Final

import altair as alt
import polars as pl

from stickiness.findings import FindingOptions, chart_headline
from stickiness.metrics.growth import GROWTH_STATES
from stickiness.schemas import GROWTH_STATES_SCHEMA
from stickiness_widgets.charts._data import inline, metric_frame
from stickiness_widgets.charts._fields import field, title_text
from stickiness_widgets.charts._finish import Title, empty_chart, finish
from stickiness_widgets.charts._periods import panels, segment_column
from stickiness_widgets.theme import OKABE_ITO

__all__ = ["GROWTH_COLOURS", "growth_states_chart"]

COLUMNS: Final = tuple(GROWTH_STATES_SCHEMA)
#: The states from the base of the stack up: active (strong colours), at risk, dormant (grey, on top).
GROWTH_COLOURS: Final = {
    "new": OKABE_ITO[3],  # reddish purple
    "current": OKABE_ITO[0],  # blue
    "reactivated": OKABE_ITO[2],  # bluish green
    "resurrected": OKABE_ITO[6],  # black
    "at_risk_wau": OKABE_ITO[1],  # orange
    "at_risk_mau": OKABE_ITO[5],  # vermillion
    "dormant": "#BBBBBB",
}


def growth_states_chart(
    frame: Any, *, by: str | None = None, unit: str = "user", title: Title = None
) -> alt.typing.ChartType:
    """Chart the growth states as stacked areas: every user seen, by state, each day.

    From the base up: the active states (new, current, reactivated, resurrected: their sum is
    DAU), at-risk WAU (up to WAU), at-risk MAU (up to the 30-day MAU), then dormant (up to every
    user seen). Definitions: docs/growth-states.md.

    Parameters
    ----------
    frame
        The output of :func:`stickiness.growth_states` (``[by,] day, new, current, ..., users``).
    by
        The segment column. Default: the frame's one column beyond the standard ones, if it has
        one: one panel per segment.
    unit
        What the frame counts, the log's :attr:`~stickiness.UsageLog.unit`: ``"user"``, or ``"account"``
        for a log of :func:`stickiness.by_account` (the title and the axes then count accounts).
    title
        Default: the core's headline (:func:`stickiness.chart_headline`) for the last day, e.g.
        ``"On 2026-06-30, of 1,000 users seen: 212 active (80.2% current), 150 at risk, 638 dormant"``.
        A text replaces it (the subtitle stays); :class:`altair.TitleParams` replace both.

    Returns
    -------
    altair chart
        An ``altair.LayerChart``, or an ``altair.FacetChart`` with segments. A frame with no rows
        gives a chart that says so.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> frame = pl.DataFrame({"day": [dt.date(2024, 1, 1), dt.date(2024, 1, 2)], "new": [2, 0],
    ...     "current": [0, 1], "reactivated": [0, 0], "resurrected": [0, 0], "at_risk_wau": [0, 1],
    ...     "at_risk_mau": [0, 0], "dormant": [0, 0], "dau": [2, 1], "wau": [2, 2], "mau": [2, 2], "users": [2, 2]})
    >>> growth_states_chart(frame).to_dict()["title"]["text"]
    'On 2024-01-02, of 2 users seen: 1 active (100.0% current), 1 at risk, 0 dormant'
    """
    table = metric_frame(frame, columns=[*COLUMNS, *([by] if by else [])], metric="growth_states", dates=["day"])
    by = segment_column(table, COLUMNS, by)
    if by:
        table = table.with_columns(pl.col(by).cast(pl.String))
    if table.is_empty():
        return empty_chart(title=title, what="Growth states", hint="the log has no days in range")
    index = [*([by] if by else []), "day"]
    layers = (
        table.select(*index, *GROWTH_STATES).unpivot(
            index=index, on=list(GROWTH_STATES), variable_name="state", value_name="users"
        )
    ).with_columns(pl.col("state").replace_strict(list(GROWTH_STATES), range(len(GROWTH_STATES))).alias("order"))
    notes = ["From the base: active (their sum is DAU), at risk (up to WAU, then the 30-day MAU), dormant."]
    chart = _chart(inline(layers), by, f"{unit}s")
    headline = chart_headline("growth_states", table, by=by, options=FindingOptions(unit=unit))
    return finish(chart, title=title, finding=headline, notes=notes)


def _chart(data: dict[str, Any], by: str | None, units: str) -> alt.typing.ChartType:
    colour = alt.Color(
        "state:N",
        title=None,
        scale=alt.Scale(domain=list(GROWTH_COLOURS), range=list(GROWTH_COLOURS.values())),
        sort=list(GROWTH_COLOURS),
        legend=alt.Legend(orient="top", direction="horizontal", symbolType="square"),
    )
    tooltips = [
        *([alt.Tooltip(f"{field(by)}:N", title=title_text(by))] if by else []),
        alt.Tooltip("day:T", format="%Y-%m-%d"),
        alt.Tooltip("state:N"),
        alt.Tooltip("users:Q", format=","),
    ]
    area = (
        alt.Chart()
        .mark_area()
        .encode(
            x=alt.X("day:T", title=None),
            y=alt.Y("sum(users):Q", stack="zero", title=units, axis=alt.Axis(format=",d", tickCount=6)),
            color=colour,
            order=alt.Order("order:Q", sort="ascending"),
            tooltip=tooltips,
        )
    )
    return panels([area], by=by, data=data, height=170 if by else 300)
