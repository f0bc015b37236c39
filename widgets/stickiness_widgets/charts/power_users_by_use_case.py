"""Chart of :func:`stickiness.power_users_by_use_case`: the power-user curve of each use case, one segment or all."""

from __future__ import annotations

from typing import Any, Final

import altair as alt
import polars as pl

from stickiness.findings import FindingOptions, chart_headline
from stickiness.findings.headlines import power_user_days
from stickiness.findings.power_users import use_case_curves
from stickiness.schemas import POWER_USERS_BY_USE_CASE_SCHEMA, SEG
from stickiness_widgets.charts._data import SEGMENT, ChartDataError, metric_frame
from stickiness_widgets.charts._finish import Title, empty_chart, finish
from stickiness_widgets.charts.power_users import curve_block

__all__ = ["power_users_by_use_case_chart"]

COLUMNS: Final = tuple(name for name in POWER_USERS_BY_USE_CASE_SCHEMA if name != SEG)


def power_users_by_use_case_chart(
    frame: Any, *, segment: str | None = None, by: str | None = None, unit: str = "user", title: Title = None
) -> alt.typing.ChartType:
    """Chart the power-user curve of each use case: one histogram per use case, for one segment or all of them.

    Each histogram is a use case's share of its users in the window active on exactly k days;
    bars from the power-user threshold on (20 of 30 days, 19 of 28, 5 of 7) are coloured and the
    share of power users is written on each. With ``segment=None`` the segments are pooled (each
    user is in one segment, so their counts add up; :func:`stickiness.findings.power_users.use_case_curves`).
    ``(unmapped)`` is not a use case and is not drawn.

    Parameters
    ----------
    frame
        The output of :func:`stickiness.power_users_by_use_case`
        (``<segment>, use_case, active_days, users, share``).
    segment
        One value of the segment column to draw (e.g. ``"agent"``); None (default): every segment together.
    by
        The segment column. Default: the frame's first column.
    unit
        What the frame counts, the log's :attr:`~stickiness.UsageLog.unit`: ``"user"``, or ``"account"``
        for a log of :func:`stickiness.by_account` (the title and the axes then count accounts).
    title
        Default: the core's headline (:func:`stickiness.chart_headline`, ``"power_users_by_use_case"``),
        e.g. ``"agent: 31.0% of search's users were active 20+ days of 30, 2.0% of value's"``.

    Returns
    -------
    altair chart
        An ``altair.VConcatChart``: one histogram per use case, the highest share of power users first.

    Examples
    --------
    >>> import polars as pl
    >>> frame = pl.DataFrame({"persona": "a", "use_case": ["buy"] * 7 + ["search"] * 7,
    ...     "active_days": list(range(1, 8)) * 2, "users": [4, 0, 0, 0, 0, 0, 0] + [1, 0, 0, 0, 1, 0, 2]})
    >>> frame = frame.with_columns(share=pl.col("users") / pl.col("users").sum().over("use_case"))
    >>> power_users_by_use_case_chart(frame).to_dict()["title"]["text"]
    "a: 75.0% of search's users were active 5+ days of 7, 0.0% of buy's"
    """
    table = metric_frame(frame, columns=COLUMNS, metric="power_users_by_use_case")
    by = by or _segment_column(table)
    if segment is not None:
        kept = table.filter(pl.col(by).cast(pl.String) == segment)
        if kept.is_empty():
            known = ", ".join(sorted(set(table.get_column(by).cast(pl.String)))) or "none"
            raise ChartDataError(
                f"segment={segment!r} has no rows in the frame's {by!r} column: choose one of {known}."
            )
        table = kept
    curves = use_case_curves(table, by=by)
    if curves.is_empty():
        return empty_chart(title=title, what=f"Power {unit}s by use case", hint="nobody was active in the window")
    headline = chart_headline("power_users_by_use_case", table, by=by, options=FindingOptions(unit=unit))
    days = power_user_days(int(curves.get_column("active_days").max()))  # type: ignore[arg-type]
    power = pl.col("share").filter(pl.col("active_days") >= days).sum()
    order = curves.group_by("use_case").agg(power.alias("power")).sort(["power", "use_case"], descending=[True, False])
    bars = curves.select(
        pl.col("use_case").alias(SEGMENT),
        "active_days",
        "users",
        "share",
        (pl.col("active_days") >= days).alias("power"),
    )
    blocks = [
        curve_block(bars.filter(pl.col(SEGMENT) == name), name, share, days, by="use case")
        for name, share in order.iter_rows()
    ]
    notes = [f"Coloured: {days} or more active days."]
    return finish(alt.vconcat(*blocks, spacing=16), title=title, finding=headline, notes=notes)


def _segment_column(table: pl.DataFrame) -> str:
    extra = [name for name in table.columns if name not in COLUMNS]
    if len(extra) != 1:
        raise ChartDataError(
            f"the frame should have one segment column beside {', '.join(COLUMNS)}, not {extra or 'none'}: "
            "pass by= the segment column."
        )
    return extra[0]
