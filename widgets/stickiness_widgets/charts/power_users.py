"""Chart of :func:`stickiness.power_users`: the power-user curve, a histogram of users by active days per segment."""

from __future__ import annotations

from typing import Any, Final

import altair as alt
import polars as pl

from stickiness.findings import FindingOptions, chart_headline
from stickiness.findings.headlines import power_user_days, power_user_shares
from stickiness.schemas import POWER_USERS_SCHEMA
from stickiness_widgets.charts._data import SEGMENT, ChartDataError, inline, metric_frame, segment_tooltip
from stickiness_widgets.charts._fields import pixels
from stickiness_widgets.charts._finish import Title, empty_chart, finish, percent
from stickiness_widgets.theme import GREY, OKABE_ITO, WIDTH

__all__ = ["power_user_chart"]

COLUMNS: Final = tuple(POWER_USERS_SCHEMA)
_HEIGHT = 110  # px per segment's histogram
_POWER = OKABE_ITO[0]  # the bars of power users; the others grey


def power_user_chart(
    frame: Any, *, by: str | None = None, unit: str = "user", title: Title = None
) -> alt.typing.ChartType:
    """Chart the power-user curve: the share of MAU active on exactly k days of the window, one histogram per segment.

    Bars from the power-user threshold on (:func:`stickiness.findings.headlines.power_user_days`:
    20 of 30 days, 19 of 28, 5 of 7) are coloured, the others grey; each histogram states its
    share of power users, the number the title compares.

    Parameters
    ----------
    frame
        The output of :func:`stickiness.power_users` (``[by,] active_days, users, share``).
    by
        The segment column. Default: the frame's one column beyond the standard ones, if it has one.
    unit
        What the frame counts, the log's :attr:`~stickiness.UsageLog.unit`: ``"user"``, or ``"account"``
        for a log of :func:`stickiness.by_account` (the title and the axes then count accounts).
    title
        Default: the core's headline (:func:`stickiness.chart_headline`), e.g. ``"12.4% of agent's MAU
        were active 20+ days of 30, 1.2% of renter's"``. A text replaces it (the subtitle stays);
        :class:`altair.TitleParams` replace both.

    Returns
    -------
    altair chart
        An ``altair.VConcatChart``: one histogram per segment, the highest share of power users first.
        A frame with no rows gives a chart that says so.

    Examples
    --------
    >>> import polars as pl
    >>> frame = pl.DataFrame({"active_days": range(1, 8), "users": [2, 0, 0, 0, 1, 0, 1]})
    >>> power_user_chart(frame.with_columns(share=pl.col("users") / 4)).to_dict()["title"]["text"]
    '50.0% of MAU were active 5+ days of 7'
    """
    table = metric_frame(frame, columns=[*COLUMNS, *([by] if by else [])], metric="power_users")
    by = by or _segment_column(table)
    if table.is_empty():
        return empty_chart(title=title, what=f"Power {unit}s", hint="nobody was active in the window")
    headline = chart_headline("power_users", table, by=by, options=FindingOptions(unit=unit))
    days = power_user_days(int(table.get_column("active_days").max()))  # type: ignore[arg-type]
    shares = power_user_shares(table, by).reverse()  # the highest first, as the title names it
    bars = table.select(
        (pl.col(by).cast(pl.String) if by else pl.lit("")).alias(SEGMENT),
        "active_days",
        "users",
        "share",
        (pl.col("active_days") >= days).alias("power"),
    )
    segments = shares.get_column(by).cast(pl.String).to_list() if by else [""]
    powers = shares.get_column("power").to_list()
    blocks = [
        curve_block(bars.filter(pl.col(SEGMENT) == name), name if by else None, power, days, by=by or SEGMENT)
        for name, power in zip(segments, powers, strict=True)
    ]
    notes = [f"Coloured: {days} or more active days."]
    return finish(alt.vconcat(*blocks, spacing=16), title=title, finding=headline, notes=notes)


def _segment_column(table: pl.DataFrame) -> str | None:
    extra = [name for name in table.columns if name not in COLUMNS]
    if len(extra) > 1:
        raise ChartDataError(
            f"the frame has several columns beyond {', '.join(COLUMNS)}: {', '.join(map(repr, extra))}. "
            "Pass by= the segment column."
        )
    return extra[0] if extra else None


def curve_block(bars: pl.DataFrame, segment: str | None, power: float, days: int, *, by: str) -> alt.typing.ChartType:
    """One segment's histogram, its share of power users written at the top right."""
    x = alt.X("active_days:O", title="active days in the window", axis=alt.Axis(labelAngle=0))
    y = alt.Y("share:Q", title="share of MAU", axis=alt.Axis(format="%", tickCount=3))
    histogram = (
        alt.Chart()
        .mark_bar(width={"band": 0.85})
        .encode(
            x=x,
            y=y,
            color=alt.condition("datum.power", alt.value(_POWER), alt.value(GREY)),
            tooltip=[
                *([segment_tooltip(by)] if segment is not None else []),
                alt.Tooltip("active_days:O", title="active days"),
                alt.Tooltip("users:Q", format=","),
                alt.Tooltip("share:Q", format=".1%", title="share of MAU"),
            ],
        )
    )
    label = f"{percent(power)} of MAU active {days}+ days"
    text = (
        alt.Chart(inline(pl.DataFrame({"label": [label]})))
        .mark_text(align="right", baseline="top", fontSize=12, color=_POWER, fontWeight="bold")
        .encode(x=pixels("x", WIDTH - 120), y=pixels("y", 0), text=alt.Text("label:N"))
    )
    chart = alt.LayerChart(layer=[histogram, text], data=inline(bars), width=WIDTH - 120, height=_HEIGHT)
    if segment is not None:
        chart.title = alt.TitleParams(segment, fontSize=13, fontWeight="bold", anchor="start", frame="group", offset=4)
    return chart
