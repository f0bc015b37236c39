"""Charts of :func:`stickiness.habit_mix` (stacked band shares over time) and :func:`stickiness.band_migration`."""

from __future__ import annotations

from typing import Any, Final

import altair as alt
import polars as pl

from stickiness import BANDS
from stickiness.catalog import ANY_USE_CASE
from stickiness.findings import FindingOptions, chart_headline
from stickiness.metrics.habits_over_time import MIGRATION_BANDS
from stickiness.schemas import BAND_MIGRATION_SCHEMA, HABIT_MIX_SCHEMA, SEG
from stickiness_widgets.charts._data import ChartDataError, inline, metric_frame
from stickiness_widgets.charts._fields import field, title_text
from stickiness_widgets.charts._finish import Title, empty_chart, finish
from stickiness_widgets.charts._periods import panels, segment_column
from stickiness_widgets.theme import BAND_COLOURS

__all__ = ["band_migration_chart", "habit_mix_chart"]

MIX_COLUMNS: Final = tuple(name for name in HABIT_MIX_SCHEMA if name != SEG)
MIGRATION_COLUMNS: Final = tuple(name for name in BAND_MIGRATION_SCHEMA if name != SEG)


def _use_case(table: pl.DataFrame, use_case: str | None, weight: str) -> str:
    """Return the use case to draw: ``use_case``, else ``"(any)"`` when there, else the one with the most ``weight``."""
    present = table.get_column("use_case").unique().to_list()
    if use_case is not None:
        if use_case not in present:
            raise ChartDataError(
                f"use_case={use_case!r} is not in the frame: pass one of {', '.join(map(repr, sorted(present)))}."
            )
        return use_case
    if ANY_USE_CASE in present:
        return ANY_USE_CASE
    totals = table.group_by("use_case").agg(pl.col(weight).sum()).sort(weight, "use_case", descending=[True, False])
    return str(totals.item(0, "use_case"))


def habit_mix_chart(
    frame: Any, *, by: str | None = None, use_case: str | None = None, unit: str = "user", title: Title = None
) -> alt.typing.ChartType:
    """Chart the habit mix of one use case: the share of evaluable adopters in each band, stacked, at each period end.

    Parameters
    ----------
    frame
        The output of :func:`stickiness.habit_mix` (``persona, use_case, period_end, band, users, ...``).
    by
        The segment column. Default: the frame's one column beyond the standard ones: one panel per segment.
    use_case
        The use case to draw. Default: ``"(any)"`` (the product) when the frame has it, else the use
        case with the most evaluable adopters.
    unit
        What the frame counts, the log's :attr:`~stickiness.UsageLog.unit`: ``"user"``, or ``"account"``
        for a log of :func:`stickiness.by_account` (the title and the axes then count accounts).
    title
        Default: the core's headline (:func:`stickiness.chart_headline`), e.g. ``"At-least-weekly users
        of search rose from 31.0% to 38.0% of adopters among analyst (2024-01-31 to 2024-06-30)"``.
        A text replaces it (the subtitle stays); :class:`altair.TitleParams` replace both.

    Returns
    -------
    altair chart
        An ``altair.LayerChart``, or an ``altair.FacetChart`` with segments. A frame with no rows
        gives a chart that says so.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> frame = pl.DataFrame({"use_case": ["(any)"] * 4, "period_end": [dt.date(2024, 1, 31)] * 2
    ...     + [dt.date(2024, 2, 29)] * 2, "band": ["weekly", "monthly"] * 2, "users": [1, 3, 2, 2],
    ...     "evaluable": [4] * 4, "share": [0.25, 0.75, 0.5, 0.5], "share_low": [0.0] * 4,
    ...     "share_high": [1.0] * 4, "small_sample": [True] * 4})
    >>> habit_mix_chart(frame).to_dict()["title"]["text"]
    'At-least-weekly users of (any) rose from 25.0% to 50.0% of adopters (2024-01-31 to 2024-02-29)'
    """
    columns = [*MIX_COLUMNS, *([by] if by else [])]
    table = metric_frame(
        frame,
        columns=columns,
        metric="habit_mix",
        dates=["period_end"],
        texts=["use_case", "band"],
        flags=["small_sample"],
    )
    by = segment_column(table, MIX_COLUMNS, by)
    if table.is_empty():
        return empty_chart(title=title, what="Habit mix", hint="no adopters at any period end")
    if by:
        table = table.with_columns(pl.col(by).cast(pl.String))
    drawn = table.filter(pl.col("use_case") == _use_case(table, use_case, "evaluable"))
    headline = chart_headline("habit_mix", drawn, by=by, options=FindingOptions(unit=unit))
    layers = drawn.filter(pl.col("evaluable") > 0).with_columns(
        pl.col("band").replace_strict(list(BANDS), range(len(BANDS)), default=len(BANDS)).alias("order")
    )
    colour = alt.Color(
        "band:N",
        title=None,
        scale=alt.Scale(domain=list(BANDS), range=[BAND_COLOURS[b] for b in BANDS]),
        sort=list(BANDS),
        legend=alt.Legend(orient="top", direction="horizontal", symbolType="square"),
    )
    tooltips = [
        *([alt.Tooltip(f"{field(by)}:N", title=title_text(by))] if by else []),
        alt.Tooltip("period_end:T", format="%Y-%m-%d", title="period end"),
        alt.Tooltip("band:N"),
        alt.Tooltip("users:Q", format=","),
        alt.Tooltip("evaluable:Q", format=",", title="evaluable adopters"),
        alt.Tooltip("share:Q", format=".1%"),
        alt.Tooltip("share_low:Q", format=".1%", title="95% low"),
        alt.Tooltip("share_high:Q", format=".1%", title="95% high"),
    ]
    area = (
        alt.Chart()
        .mark_area()
        .encode(
            x=alt.X("period_end:T", title=None, scale=alt.Scale(type="utc")),
            y=alt.Y("share:Q", stack="zero", title="share of adopters", axis=alt.Axis(format="%", tickCount=5)),
            color=colour,
            order=alt.Order("order:Q", sort="ascending"),
            tooltip=tooltips,
        )
    )
    notes = [
        f"Use case {drawn.item(0, 'use_case')}: each period end's frequency spectrum, most frequent band at the base."
    ]
    chart = panels([area], by=by, data=inline(layers), height=170 if by else 300)
    return finish(chart, title=title, finding=headline, notes=notes)


def band_migration_chart(
    frame: Any, *, by: str | None = None, use_case: str | None = None, unit: str = "user", title: Title = None
) -> alt.typing.ChartType:
    """Chart band migration of one use case: a matrix of users by band before (rows) and band now (columns).

    Parameters
    ----------
    frame
        The output of :func:`stickiness.band_migration` (``persona, use_case, from_band, to_band, users``).
    by
        The segment column. Default: the frame's one column beyond the standard ones: one matrix per segment.
    use_case
        The use case to draw. Default: ``"(any)"`` when the frame has it, else the one with the most users.
    unit
        What the frame counts, the log's :attr:`~stickiness.UsageLog.unit`: ``"user"``, or ``"account"``
        for a log of :func:`stickiness.by_account` (the title and the axes then count accounts).
    title
        Default: the core's headline (:func:`stickiness.chart_headline`), e.g. ``"Of 1,200 users of search in
        a band before: 90 now use it more often, 150 less often; 80 new, 60 gone"``.

    Returns
    -------
    altair chart
        An ``altair.LayerChart`` (cells coloured by users, with their counts), or an
        ``altair.FacetChart`` with segments. A frame with no rows gives a chart that says so.

    Examples
    --------
    >>> import polars as pl
    >>> frame = pl.DataFrame({"use_case": ["(any)"] * 2, "from_band": ["weekly", "new"],
    ...     "to_band": ["daily", "weekly"], "users": [3, 2]})
    >>> band_migration_chart(frame).to_dict()["title"]["text"]
    'Of 3 users of (any) in a band before: 3 now use it more often, 0 less often; 2 new, 0 gone'
    """
    columns = [*MIGRATION_COLUMNS, *([by] if by else [])]
    table = metric_frame(frame, columns=columns, metric="band_migration", texts=["use_case", "from_band", "to_band"])
    by = segment_column(table, MIGRATION_COLUMNS, by)
    if table.is_empty():
        return empty_chart(title=title, what="Band migration", hint="no evaluable adopter on either day")
    if by:
        table = table.with_columns(pl.col(by).cast(pl.String))
    drawn = table.filter(pl.col("use_case") == _use_case(table, use_case, "users"))
    headline = chart_headline("band_migration", drawn, by=by, options=FindingOptions(unit=unit))
    rows = [band for band in MIGRATION_BANDS if band != "gone"]  # before: the bands and new
    columns_ = [band for band in MIGRATION_BANDS if band != "new"]  # now: the bands and gone
    tooltips = [
        *([alt.Tooltip(f"{field(by)}:N", title=title_text(by))] if by else []),
        alt.Tooltip("from_band:N", title="band before"),
        alt.Tooltip("to_band:N", title="band now"),
        alt.Tooltip("users:Q", format=","),
    ]
    x = alt.X(
        "to_band:N", sort=columns_, scale=alt.Scale(domain=columns_), title="band now", axis=alt.Axis(labelAngle=0)
    )
    y = alt.Y("from_band:N", sort=rows, scale=alt.Scale(domain=rows), title="band before")
    cells = (
        alt.Chart()
        .mark_rect()
        .encode(
            x=x,
            y=y,
            color=alt.Color("users:Q", title=f"{unit}s", scale=alt.Scale(scheme="blues")),
            tooltip=tooltips,
        )
    )
    half = drawn.select(pl.col("users").max()).item() / 2  # counts on the darker half of the scale are white
    counts = (
        alt.Chart()
        .mark_text(fontSize=11)
        .encode(
            x=x,
            y=y,
            text=alt.Text("users:Q", format=","),
            color=alt.condition(f"datum.users > {half}", alt.value("white"), alt.value("black")),
        )
    )
    notes = [
        f"Use case {drawn.item(0, 'use_case')}. Rows: band on the earlier day (new: no evaluable adopter then); "
        "columns: band now (gone: no longer one). The diagonal stayed."
    ]
    chart = panels([cells, counts], by=by, data=inline(drawn), height=200 if by else 260)
    return finish(chart, title=title, finding=headline, notes=notes)
