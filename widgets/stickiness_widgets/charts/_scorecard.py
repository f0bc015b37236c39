"""What the scorecard charts share: the ranked charts' layout, the ink of rules and labels, the segment column."""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

import polars as pl

from stickiness_widgets.charts._data import ChartDataError
from stickiness_widgets.theme import WIDTH

__all__ = ["INK", "PLOT_WIDTH", "RULE", "STEP", "segment_column", "whole_percent"]

STEP: Final = 30  # px per row of the ranked charts
PLOT_WIDTH: Final = WIDTH - 220  # the ranked charts keep a label column on the right
RULE: Final = "#444444"
INK: Final = "#1A1A1A"


def whole_percent(column: str) -> pl.Expr:
    """Format a share column as a whole percent, e.g. 0.297 as ``"30%"``.

    Examples
    --------
    >>> pl.DataFrame({"s": [0.297]}).select(whole_percent("s")).item()
    '30%'
    """
    return pl.format("{}%", (pl.col(column) * 100).round(0).cast(pl.Int64))


def segment_column(table: pl.DataFrame, known: Collection[str]) -> str | None:
    """Return the frame's one column beyond the ``known`` ones (None if it has none).

    Examples
    --------
    >>> segment_column(pl.DataFrame({"plan": ["a"], "nps": [1.0]}), ["nps"])
    'plan'
    """
    extra = [name for name in table.columns if name not in known]
    if len(extra) > 1:
        raise ChartDataError(
            f"the frame has several columns beyond the metric's own: {', '.join(map(repr, extra))}. "
            "Pass by= the segment column."
        )
    return extra[0] if extra else None
