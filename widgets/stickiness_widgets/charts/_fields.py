r"""Vega-Lite field helpers shared by the chart modules.

Segment, use-case and event names (and the segment column's name) are data,
never syntax. Two rules, applied here only:

- **Fields.** Vega-Lite reads a field name as a path (``.`` and ``[]`` nest,
  quotes and ``\`` escape), and some of its versions paste field names into
  expressions unescaped (Vega-Lite 6 breaks on a line break in a field name).
  So a name that is not a plain identifier never reaches the spec as a field:
  :func:`field` maps it to an internal name, and :func:`~stickiness_widgets.charts._data.inline`
  renames the data's columns with the same map. The human name goes in titles.
- **Channel titles.** Vega-Lite pastes a channel's title into the expressions
  of tooltips and screen-reader descriptions, quoting it differently by version
  (5.8 does not escape ``"``; none escapes ``\`` or a line break). :func:`title_text`
  writes the characters that could break the expression as ``\uXXXX`` escapes,
  which every version reads back as the character itself; axis and legend titles
  (plain text, never parsed) take the name as it is. Control characters that XML
  cannot hold are drawn as their control pictures (:func:`printable`).
"""

from __future__ import annotations

import re
from typing import Any, Final

import altair as alt

__all__ = [
    "CONTROLS",
    "PICTURES",
    "colour_when",
    "field",
    "pixels",
    "printable",
    "title_text",
    "utc_day",
    "utc_tooltip",
    "value_field",
]

_PLAIN: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Marks an internal field name: never the first character of a plain name, and plain in a Vega-Lite path.
_INTERNAL: Final = "~"
#: Characters a title may not carry into a Vega expression's string: quote, backslash, line breaks, controls.
_UNSAFE_IN_STRING: Final = re.compile(r'[\\"\x00-\x1f\x7f\u2028\u2029]')
#: Control characters XML cannot hold (all but tab, line feed, carriage return), and their Unicode "control
#: pictures" (U+2400 + code; DEL: U+2421): one of them in an SVG's text aborts vl-convert (and the kernel).
CONTROLS: Final = tuple(chr(code) for code in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F))
PICTURES: Final = tuple(chr(0x2421) if c == "\x7f" else chr(0x2400 + ord(c)) for c in CONTROLS)
_TO_PICTURES: Final = str.maketrans(dict(zip(CONTROLS, PICTURES, strict=True)))


def field(name: str) -> str:
    """Return the Vega-Lite field for the column ``name``: itself if plain, else an internal name.

    Plain names (letters, digits, ``_``; not starting with a digit) stay as they
    are, so specs stay readable; any other name becomes ``~`` and the hex of its
    UTF-8 bytes: unique per name, and free of path syntax. Give the channel a
    title: the default title would be the internal name.

    Examples
    --------
    >>> field("persona"), field("plan.tier"), field("O'Brien")
    ('persona', '~706c616e2e74696572', '~4f27427269656e')
    """
    return name if _PLAIN.fullmatch(name) else value_field(name)


def value_field(value: str) -> str:
    """Return the internal field name for a field named after a data value (a pivot's output), plain or not.

    Always internal, so a segment called ``day`` cannot overwrite the ``day`` field.

    Examples
    --------
    >>> value_field("day")
    '~646179'
    """
    return _INTERNAL + value.encode().hex()


def title_text(text: str) -> str:
    r"""Return ``text`` as a channel title that Vega-Lite can paste into an expression (tooltips, descriptions).

    ``"``, ``\``, line breaks and control characters become ``\uXXXX`` escapes,
    which the expression reads back as those characters: the tooltip shows
    ``text`` verbatim. Use the plain text for axis and legend titles (set with
    ``axis=alt.Axis(title=...)`` or ``legend=alt.Legend(title=...)``).

    Examples
    --------
    >>> print(title_text('the "pro" plan'))
    the \u0022pro\u0022 plan
    >>> title_text("O'Brien team")
    "O'Brien team"
    """
    return _UNSAFE_IN_STRING.sub(lambda match: f"\\u{ord(match.group()):04x}", printable(text))


def printable(text: str) -> str:
    r"""Return ``text`` with the control characters XML cannot hold shown as control pictures (for plain titles).

    Examples
    --------
    >>> printable("plan\x01 tier\tA")
    'plan␁ tier\tA'
    """
    return text.translate(_TO_PICTURES)


#: Day-axis labels: a month tick (the 1st) names its month and year, any other tick its day and month. Vega
#: picks the ticks (months on a long log, weeks or days on a short one); one format for all would repeat
#: ("Jan 2025" on four weekly ticks) or drop the year.
_DAY_LABEL: Final = (
    "utcFormat(datum.value, '%d') == '01' ? utcFormat(datum.value, '%b %Y') : utcFormat(datum.value, '%d %b')"
)


def utc_day(name: str = "day", *, title: str | None = "day", fmt: str | None = None) -> alt.X:
    """Return an x encoding for ``YYYY-MM-DD`` days on a UTC scale (days never shift with the viewer's zone).

    Labels name each tick once (:data:`_DAY_LABEL`), unless ``fmt`` (a d3 time format) is given.
    """
    axis = alt.Axis(
        labelAngle=0,
        labelOverlap=True,
        labelFlush=False,
        format=fmt or alt.Undefined,
        labelExpr=alt.Undefined if fmt else _DAY_LABEL,
    )
    return alt.X(f"{field(name)}:T", scale=alt.Scale(type="utc"), title=title, axis=axis)


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
