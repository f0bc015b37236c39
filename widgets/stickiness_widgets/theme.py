"""One accessible look for every stickiness chart.

Colours are colour-blind safe: series use the Okabe-Ito palette, and the habit
bands run in blues for the habits (daily, weekly, monthly, after ColorBrewer's
RdBu) and in greys for no habit (occasional light, lapsed darker). One colour
means one thing within a figure: red and orange are kept for the verdicts
(forgettable; rare as expected), which the spectrum prints beside its bands, and
the DAU / WAU / MAU lines are greys, as they share a figure with the segments'
Okabe-Ito colours. Fonts are at least 12 px so charts stay readable on slides.

The chart functions apply this theme themselves (the config travels inside each
chart's spec), so nothing needs enabling. For your own altair charts, the same
look is registered as the altair theme ``"stickiness"``::

    import altair as alt
    alt.theme.enable("stickiness")
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import altair as alt

__all__ = [
    "BAND_COLOURS",
    "GREY",
    "METRIC_COLOURS",
    "OKABE_ITO",
    "OTHER_SEGMENTS",
    "STATUS_COLOURS",
    "THEME_NAME",
    "WIDTH",
    "apply_theme",
    "register_theme",
    "theme_config",
]

#: Name of the registered altair theme.
THEME_NAME: Final = "stickiness"

#: Default width of a chart's plotting area, in pixels (fits slides and docs).
WIDTH: Final = 720

#: Okabe-Ito colours, in the order used for segments (yellow last: weak on white).
OKABE_ITO: Final = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#000000",  # black
    "#F0E442",  # yellow
)

#: Habit bands, most to least frequent: blue habits, grey for no habit.
BAND_COLOURS: Final[Mapping[str, str]] = {
    "daily": "#2166AC",
    "weekly": "#67A9CF",
    "monthly": "#BCD9EA",
    "occasional": "#CCCCCC",  # greys, not warm colours: red and orange are the verdicts, drawn beside the bands
    "lapsed": "#8A8A8A",  # mid grey: the spectrum's dashed 50% line stays visible over it
}

#: DAU, WAU and MAU lines: greys, light to dark as the window grows (the segments above them have the colours).
METRIC_COLOURS: Final[Mapping[str, str]] = {"DAU": "#A3A3A3", "WAU": "#6B6B6B", "MAU": "#2B2B2B"}

#: Forgettable-zone verdicts.
STATUS_COLOURS: Final[Mapping[str, str]] = {
    "forgettable": "#B2182B",
    "rare as expected": "#EF8A62",
    "not forgettable": "#2166AC",
    "insufficient data": "#9A9A9A",
}

#: The segments a chart leaves uncoloured when it has more than the palette's 8 (one legend entry, "other
#: personas (16)"): lighter than the DAU / WAU / MAU greys and :data:`GREY`, which may share its figure.
OTHER_SEGMENTS: Final = "#BDBDBD"

#: Neutral grey for context marks (incomplete windows, missing data).
GREY: Final = "#8C8C8C"

_FONT = "Helvetica Neue, Helvetica, Arial, Liberation Sans, sans-serif"
_INK = "#222222"
_SOFT_INK = "#555555"


def theme_config() -> dict[str, Any]:
    """Return the theme: an altair theme dictionary (``{"config": {...}}``).

    Examples
    --------
    >>> theme_config()["config"]["range"]["category"][0]
    '#0072B2'
    """
    axis = {
        "labelFontSize": 12,
        "titleFontSize": 13,
        "titleFontWeight": "normal",
        "labelColor": _SOFT_INK,
        "titleColor": _INK,
        "gridColor": "#E8E8E8",
        "domainColor": "#9A9A9A",
        "tickColor": "#9A9A9A",
        "titlePadding": 8,
    }
    return {
        "config": {
            "font": _FONT,
            "background": "white",
            "padding": 16,
            "title": {
                "fontSize": 18,
                "fontWeight": 600,
                "color": _INK,
                "subtitleFontSize": 13,
                "subtitleColor": _SOFT_INK,
                "subtitlePadding": 6,
                "anchor": "start",
                "offset": 14,
            },
            "axis": axis,
            "legend": {
                "labelFontSize": 12,
                "titleFontSize": 13,
                "titleFontWeight": "normal",
                "labelColor": _INK,
                "titleColor": _INK,
                "symbolSize": 120,
            },
            "header": {
                "labelFontSize": 13,
                "titleFontSize": 13,
                "labelColor": _INK,
                "titleColor": _INK,
            },
            "text": {"fontSize": 12, "color": _INK},
            "view": {"stroke": None, "continuousWidth": WIDTH, "continuousHeight": 260},
            "range": {"category": list(OKABE_ITO)},
            "line": {"strokeWidth": 2},
            "concat": {"spacing": 28},
            "facet": {"spacing": 16},
        }
    }


def register_theme() -> None:
    """Register the ``"stickiness"`` altair theme (without enabling it); idempotent.

    Examples
    --------
    >>> import altair as alt
    >>> register_theme()
    >>> "stickiness" in alt.theme.names()
    True
    """
    alt.theme.register(THEME_NAME, enable=False)(_theme)


def _theme() -> alt.theme.ThemeConfig:
    return theme_config()  # type: ignore[return-value]  # a plain dict of the ThemeConfig shape


def apply_theme(chart: alt.typing.ChartType) -> alt.typing.ChartType:
    """Return a copy of ``chart`` with the theme inside its spec (as its ``config``).

    Examples
    --------
    >>> import altair as alt
    >>> themed = apply_theme(alt.Chart().mark_point())
    >>> themed.to_dict()["config"]["font"].startswith("Helvetica")
    True
    """
    out = chart.copy(deep=False)
    out.config = alt.Config(**theme_config()["config"])  # not from_dict: no schema search
    return out
