"""Names are data on the terminal: stickiness/_text.py (printable, display_width, use_case_label)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stickiness._text import ELLIPSIS, display_width, printable, use_case_label

#: Every character a terminal acts on instead of showing: C0, DEL, C1, bidi marks/overrides/isolates, LS, PS.
ACTING = {
    *map(chr, range(0x20)),
    *map(chr, range(0x7F, 0xA0)),
    "\u061c",
    "\u200e",
    "\u200f",
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
    "\u2028",
    "\u2029",
}

PIECES = [
    "'",
    '"',
    ".",
    "[",
    "]",
    "\\",
    "<b>x</b>",
    "👩\u200d💻",
    "日本",
    "\x1b[31m",
    "\n",
    "\t",
    "\u202e",
    "a",
    " ",
    "é",
]
#: Names an analyst's log may hold: quotes, dots, brackets, backslashes, emoji, markup, controls, long ones.
names = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
    st.text(min_size=500, max_size=500, alphabet=st.characters(codec="utf-8")),
)


def test_names_show_verbatim_except_what_acts_on_the_terminal() -> None:
    for name in ("O'Brien team", 'the "pro" plan', "a.b[0]", "C:\\temp", "<script>x</script>", "🚀 launch"):
        assert printable(name) == name
    assert printable("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m"  # the ANSI sequence shows, inert
    assert printable("two\nlines\r\ttab") == "two\\nlines\\r\\ttab"
    assert printable("\x00\x7f\x85\x9b") == "\\x00\\x7f\\x85\\x9b"  # NUL, DEL, NEL, CSI (C1)
    assert printable("abc\u202edef\u2066") == "abc\\u202edef\\u2066"  # a right-to-left override, an isolate
    assert printable(12345) == "12345"


def test_width_cuts_with_an_ellipsis_and_pads() -> None:
    assert printable("abcdefghij", 5) == "abcd" + ELLIPSIS  # 4 characters + "…" = 5 columns
    assert printable("abcde", 5) == "abcde"  # fits exactly: not cut
    assert printable("ab", 5) == "ab   "
    assert printable("ab", 5, pad=False) == "ab"
    # a wide character (2 columns) that does not fit before the ellipsis is left out whole, then padded
    assert printable("ab日本", 4) == "ab" + ELLIPSIS + " "
    # an escape is a unit: "\x1b" (4 columns) is never cut in half
    assert printable("a\x1bbc", 4) == "a" + ELLIPSIS + "  "
    with pytest.raises(ValueError, match="width"):
        printable("a", 0)


def test_display_width_counts_wide_and_combining_characters() -> None:
    assert display_width("日本") == 4  # East Asian wide: 2 each
    assert display_width("e\u0301") == 1  # e + combining acute accent
    assert display_width("a\u200db") == 2  # a zero-width joiner takes no column


def test_the_product_as_a_whole() -> None:
    assert use_case_label("(any)") == "the product as a whole"
    assert use_case_label("(any)", 25) == "the product as a whole   "
    assert use_case_label("browse\n") == "browse\\n"


@settings(max_examples=60, deadline=None)
@given(name=names, width=st.integers(min_value=1, max_value=40))
def test_printed_names_are_inert_and_fit(name: str, width: int) -> None:
    whole = printable(name)
    assert not ACTING & set(whole)
    if not ACTING & set(name):  # nothing but the acting characters changes
        assert whole == name
    fitted = printable(name, width)
    assert not ACTING & set(fitted)
    assert display_width(fitted) == width  # the columns after it stay aligned
    if display_width(whole) <= width:
        assert fitted.rstrip(" ") == whole.rstrip(" ")
    else:
        assert fitted.rstrip(" ").endswith(ELLIPSIS)
        assert whole.startswith(fitted.rstrip(" ")[: -len(ELLIPSIS)])


def test_every_acting_character_is_escaped_and_nothing_else_is() -> None:
    # a sweep of the Basic Multilingual Plane: only the documented characters change
    changed = {chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000 and printable(chr(c)) != chr(c)}
    assert changed == ACTING
    assert all(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in changed)
