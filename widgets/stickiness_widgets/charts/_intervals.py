"""The intervals the core puts beside each ratio (docs/intervals.md), drawn: a band, error bars, small samples marked.

The charts never compute an interval: they draw the ``{ratio}_low``, ``{ratio}_high`` and
``small_sample`` columns when the frame has them (a frame of an older version, or one built by
hand, has none: the chart is drawn without them).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

import altair as alt
import polars as pl

from stickiness_widgets.theme import GREY

__all__ = [
    "INTERVAL_COLUMNS",
    "SMALL_NOTE",
    "band",
    "error_bars",
    "has_interval",
    "interval_columns",
    "interval_note",
    "small_rings",
    "without_intervals",
]

#: Every interval column a metric appends; never a segment, never required.
INTERVAL_COLUMNS: Final = frozenset(
    {
        *(
            f"{ratio}_{end}"
            for ratio in ("stickiness", "share", "adoption_rate", "retention_rate", "churn_rate")
            for end in ("low", "high")
        ),
        "small_sample",
    }
)
#: What a grey ring means, in every chart that marks small samples.
SMALL_NOTE: Final = "Grey rings: fewer than 30 {units} behind the ratio (a small sample), read them with care."
INK: Final = "#333333"


def without_intervals(columns: Collection[str]) -> tuple[str, ...]:
    """Return ``columns`` without the interval columns: those a chart requires.

    >>> without_intervals(["day", "stickiness", "stickiness_low", "small_sample"])
    ('day', 'stickiness')
    """
    return tuple(name for name in columns if name not in INTERVAL_COLUMNS)


def has_interval(table: pl.DataFrame, ratio: str) -> bool:
    """Whether ``table`` carries the interval of ``ratio`` (and its small-sample flag).

    >>> has_interval(pl.DataFrame({"share_low": [0.1], "share_high": [0.3], "small_sample": [False]}), "share")
    True
    """
    return {f"{ratio}_low", f"{ratio}_high", "small_sample"} <= set(table.columns)


def interval_note(table: pl.DataFrame, what: str, *, units: str = "users") -> list[str]:
    """Return the notes of a chart that draws an interval: what the band or bars are, and any small samples.

    ``units`` is what the table counts (the log's unit, plural: ``users`` or ``accounts``).

    >>> interval_note(pl.DataFrame({"small_sample": [True]}), "Shaded")
    ['Shaded: 95% interval (docs/intervals.md).', 'Grey rings: fewer than 30 users ...']
    """
    small = "small_sample" in table.columns and bool(table.get_column("small_sample").fill_null(False).any())
    return [f"{what}: 95% interval (docs/intervals.md).", *([SMALL_NOTE.format(units=units)] if small else [])]


def band(base: alt.Chart, low: str, high: str) -> alt.Chart:
    """Draw an area from ``low`` to ``high`` under a line chart ``base`` (its x and colour)."""
    area: alt.Chart = base.mark_area(opacity=0.16, line=False).encode(y=alt.Y(f"{low}:Q"), y2=alt.Y2(field=high))
    return area


def error_bars(base: alt.Chart, low: str, high: str) -> alt.Chart:
    """Draw a rule from ``low`` to ``high`` on each bar of ``base``."""
    rule: alt.Chart = base.mark_rule(strokeWidth=1.5, color=INK).encode(y=alt.Y(f"{low}:Q"), y2=alt.Y2(field=high))
    return rule


def small_rings(base: alt.Chart) -> alt.Chart:
    """Draw a grey ring around each mark of ``base`` whose ratio rests on a small sample (``small_sample``)."""
    rings: alt.Chart = base.transform_filter("datum.small_sample").mark_point(
        shape="circle", size=260, filled=False, color=GREY, strokeWidth=1.5, opacity=1
    )
    return rings


def interval_columns(table: pl.DataFrame, ratio: str) -> list[pl.Expr]:
    """``low``, ``high`` and ``small_sample`` of ``ratio`` for a chart's data; none when the frame lacks them."""
    if not has_interval(table, ratio):
        return []
    return [
        pl.col(f"{ratio}_low").alias("low"),
        pl.col(f"{ratio}_high").alias("high"),
        pl.col("small_sample").fill_null(value=False),
    ]
