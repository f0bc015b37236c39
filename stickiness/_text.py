r"""Names are data: show a segment, use-case, event or user name on a terminal, verbatim but harmless.

A name is printed as it is, except for the characters that would act on the
terminal instead of showing: C0 and C1 control characters and DEL (which start
ANSI escape sequences, move the cursor or end the line) and the bidirectional
overrides and isolates (which reorder the text after them). Those are escaped
visibly, as Python writes them (``\n``, ``\x1b``, ``\u202e``). With a width, a
name is cut with an ellipsis and padded so that the columns after it stay
aligned. Only the terminal sees this: the tables keep every name whole.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Final

from stickiness.catalog import ANY_USE_CASE

__all__ = ["ELLIPSIS", "display_width", "printable", "use_case_label"]

#: What a cut name ends with.
ELLIPSIS: Final = "…"
#: How a person reads the use case ``(any)``.
WHOLE_PRODUCT: Final = "the product as a whole"

_NAMED: Final[Mapping[int, str]] = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}
#: Bidirectional marks, embeddings, overrides and isolates, and the line and paragraph separators.
_FORMAT: Final = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029)


def _escape(code: int) -> str:
    if code in _NAMED:
        return _NAMED[code]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


#: str.translate table: every character that acts on a terminal -> its visible escape.
_ESCAPES: Final[Mapping[int, str]] = {code: _escape(code) for code in (*range(0x20), *range(0x7F, 0xA0), *_FORMAT)}


def _char_width(char: str) -> int:
    """Terminal columns of one (already escaped, so printable) character: 0, 1 or 2."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0  # combining accents, zero-width joiners and variation selectors sit on the previous character
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    r"""Return how many terminal columns ``text`` takes (wide CJK and emoji count 2).

    Examples
    --------
    >>> display_width("abc"), display_width("日本"), display_width("e\u0301")
    (3, 4, 1)
    """
    return sum(_char_width(char) for char in text)


def printable(name: object, width: int | None = None, *, pad: bool = True) -> str:
    r"""Return ``name`` as text safe to print on a terminal, optionally fitted to ``width`` columns.

    Parameters
    ----------
    name
        A segment, use-case, event or user name (any value: it is shown as ``str(name)``).
    width
        Terminal columns to fit the name in: a longer name is cut and ends with
        ``…``; a shorter one is padded with spaces (unless ``pad=False``).
        None (default): the whole name, unpadded.
    pad
        Pad a short name to ``width`` (default True).

    Returns
    -------
    str
        The name with control characters (C0, DEL, C1: so every ANSI escape
        sequence) and bidirectional overrides escaped visibly; everything else
        (quotes, backslashes, emoji, markup) verbatim.

    Examples
    --------
    >>> printable("O'Brien team")
    "O'Brien team"
    >>> print(printable("\x1b[31mred\nline"))
    \x1b[31mred\nline
    >>> printable("a very long persona name", 10) + "|"
    'a very lo…|'
    >>> printable("pro", 6) + "|"
    'pro   |'
    """
    text = str(name)
    if width is None:
        return text.translate(_ESCAPES)
    if width < 1:
        raise ValueError(f"width={width!r}: give at least 1 column.")
    units = [_ESCAPES.get(ord(char), char) for char in text]  # an escape is cut whole, never in half
    widths = [display_width(unit) for unit in units]
    if sum(widths) > width:
        room, kept = width - display_width(ELLIPSIS), 0
        while kept < len(units) and widths[kept] <= room:  # characters of one printed name, not rows
            room -= widths[kept]
            kept += 1
        units, widths = [*units[:kept], ELLIPSIS], [*widths[:kept], display_width(ELLIPSIS)]
    shown = "".join(units)
    return shown + " " * (width - sum(widths)) if pad else shown


def use_case_label(use_case: object, width: int | None = None, *, pad: bool = True) -> str:
    """Return a use case as a person reads it: ``(any)`` is "the product as a whole", the rest :func:`printable`.

    Examples
    --------
    >>> use_case_label("(any)"), use_case_label("browse")
    ('the product as a whole', 'browse')
    """
    return printable(WHOLE_PRODUCT if use_case == ANY_USE_CASE else use_case, width, pad=pad)
