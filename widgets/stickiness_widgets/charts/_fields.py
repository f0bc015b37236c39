"""Vega-Lite field helpers shared by the chart modules."""

from __future__ import annotations

from typing import Any

import altair as alt

__all__ = ["colour_when", "field", "pixels", "utc_day", "utc_tooltip"]


def field(name: str) -> str:
    r"""Escape a column name for a Vega-Lite field reference (dots and brackets would mean nesting).

    Examples
    --------
    >>> field("plan.tier")
    'plan\\.tier'
    """
    return name.replace("\\", "\\\\").replace(".", "\\.").replace("[", "\\[").replace("]", "\\]")


def utc_day(name: str = "day", *, title: str | None = None, fmt: str = "%b %Y") -> alt.X:
    """Return an x encoding for ``YYYY-MM-DD`` days on a UTC scale (days never shift with the viewer's zone)."""
    return alt.X(
        f"{field(name)}:T",
        scale=alt.Scale(type="utc"),
        title=title,
        axis=alt.Axis(format=fmt, labelAngle=0, labelOverlap=True, labelFlush=False),
    )


def utc_tooltip(name: str = "day", *, title: str = "day", unit: str = "utcyearmonthdate") -> alt.Tooltip:
    """Return a tooltip for a ``YYYY-MM-DD`` column, shown as the UTC calendar date (or month with ``unit``)."""
    return alt.Tooltip(f"{field(name)}:T", timeUnit=unit, title=title)  # type: ignore[arg-type]


def colour_when(*cases: tuple[str, str], otherwise: str) -> alt.ColorValue:
    """Return a constant colour chosen by Vega expressions, first match first.

    Built directly (not with ``alt.when``), which spares altair a slow schema search at every chart.

    Examples
    --------
    >>> colour_when(("datum.x > 1", "red"), otherwise="blue").to_dict()
    {'condition': [{'test': 'datum.x > 1', 'value': 'red'}], 'value': 'blue'}
    """
    return alt.ColorValue(otherwise, condition=[{"test": test, "value": value} for test, value in cases])


def pixels(channel: str, value: float) -> Any:
    """Return a position channel (``"x"``, ``"y"``, ``"y2"``) fixed at ``value`` pixels.

    Examples
    --------
    >>> pixels("y", 0).to_dict()
    {'value': 0}
    """
    classes = {"x": alt.XValue, "y": alt.YValue, "y2": alt.Y2Value}
    return classes[channel](value)  # type: ignore[no-untyped-call]  # altair leaves them unannotated
