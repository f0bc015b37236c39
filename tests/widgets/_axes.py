"""The axes of a chart as drawn: render its spec to SVG with vl-convert and read each axis's labels and title.

Read from the drawing, not from the spec, so that what is checked is what a reader sees: Vega's
tick choice, the format, ``labelOverlap`` (a hidden label is not drawn) and facets (one axis per
panel) all count.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import vl_convert
from stickiness_widgets.render import vegalite_v5

_SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class Axis:
    """One drawn axis: its aria label (which says x or y), its tick labels in order, and its title."""

    name: str
    labels: tuple[str, ...]
    title: str


def _classes(node: ET.Element) -> set[str]:
    return set(node.get("class", "").split())


def _texts(node: ET.Element, role: str) -> list[str]:
    """The texts of the ``role`` mark groups directly inside the axis ``node`` (not of nested axes)."""
    found = []
    for child in node.iter(f"{_SVG}g"):
        if role in _classes(child):
            found += [
                "".join(text.itertext()).strip() for text in child.iter(f"{_SVG}text") if text.get("opacity") != "0"
            ]
    return [text for text in found if text]


def drawn_axes(spec: dict[str, Any]) -> list[Axis]:
    """Return every axis the chart draws with labels (grid-only axes left out), as Vega-Lite 5 draws it."""
    svg = vl_convert.vegalite_to_svg(spec, vl_version=vegalite_v5())
    root = ET.fromstring(svg)
    axes = []
    for group in root.iter(f"{_SVG}g"):
        if {"mark-group", "role-axis"} <= _classes(group):
            labels = _texts(group, "role-axis-label")
            if labels:
                title = " ".join(_texts(group, "role-axis-title"))
                axes.append(Axis(group.get("aria-label", "") or _aria(group), tuple(labels), title))
    return axes


def _aria(group: ET.Element) -> str:
    inner = next((g for g in group.iter(f"{_SVG}g") if g.get("aria-label")), None)
    return inner.get("aria-label", "") if inner is not None else ""


def untitled(spec: dict[str, Any]) -> list[str]:
    """Return the drawn axes (with their first labels) that have labels but no title."""
    return [f"{axis.name}: {', '.join(axis.labels[:4])}" for axis in drawn_axes(spec) if not axis.title]


def repeated_labels(spec: dict[str, Any]) -> list[tuple[str, ...]]:
    """Return the label sequences of the drawn axes in which a label appears more than once."""
    return [axis.labels for axis in drawn_axes(spec) if len(set(axis.labels)) < len(axis.labels)]
