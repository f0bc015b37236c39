"""What a chart draws besides its title: the SVG's text outside the title, and the numbers a title states.

A title states numbers the chart draws (issue 17): the check reads the drawing, the title
and its subtitle left out, so a number found only in the title does not count.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import vl_convert

#: A number as titles and labels print it: 285, 1,671, 84%, 5.00.
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?%?")


def _text(node: ET.Element) -> list[str]:
    if "role-title" in node.get("class", "").split():  # the title and the subtitle
        return []
    own = [node.text] if node.text and node.text.strip() else []
    return own + [text for child in node for text in _text(child)]


def drawn_text(spec: dict[str, Any], version: str) -> str:
    """Return the text the chart draws (marks, axes, legends, headers), its title and subtitle left out."""
    return " ".join(_text(ET.fromstring(vl_convert.vegalite_to_svg(spec, vl_version=version))))


def numbers(text: str) -> set[str]:
    """Return the numbers a text states, as printed.

    >>> sorted(numbers("Median lifetime value 285 (mean 1,671); 77% are repeat customers"))
    ['1,671', '285', '77%']
    """
    return set(_NUMBER.findall(text))
