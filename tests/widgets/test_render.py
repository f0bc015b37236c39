"""The "stickiness" renderer: a Vega-Lite v5 mimebundle with an SVG fallback that works with no network."""

from __future__ import annotations

import doctest
import importlib
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("altair", reason="the renderer needs the jupyter extra: pip install 'stickiness[jupyter]'")
pytest.importorskip("nbformat", reason="the renderer needs the jupyter extra: pip install 'stickiness[jupyter]'")

import altair as alt
import nbformat
import polars as pl
import stickiness_widgets as sw
from stickiness_widgets import render
from stickiness_widgets.render import RENDERER, VEGALITE_V5_MIMETYPE, enable_offline, mimebundle

TITLE = "Stickiness 75.0% on 2024-01-02, 7-day mean"  # (1.0 + 0.5) / 2: the line's end (stickiness.findings)


@pytest.fixture
def chart() -> Any:
    import datetime as dt

    frame = pl.DataFrame(
        {
            "day": [dt.date(2024, 1, 1), dt.date(2024, 1, 2)],
            "dau": [2, 1],
            "wau": [2, 2],
            "mau": [2, 2],
            "stickiness": [1.0, 0.5],
            "complete": [False, True],
        }
    )
    return sw.active_users_chart(frame)


@pytest.fixture
def restore_renderer() -> Iterator[None]:
    active, options = alt.renderers.active, dict(alt.renderers.options)
    yield
    alt.renderers.enable(active, **options)


def test_import_enables_the_offline_renderer(restore_renderer: None) -> None:
    alt.renderers.enable("default")
    importlib.reload(sw)  # runs the package's __init__ again, as a first import does
    assert alt.renderers.active == RENDERER


def test_the_bundle_has_the_v5_spec_an_svg_and_text(chart: Any) -> None:
    data, metadata = mimebundle(chart.to_dict())
    assert set(data) == {VEGALITE_V5_MIMETYPE, "image/svg+xml", "text/plain"}
    assert "$schema" not in data[VEGALITE_V5_MIMETYPE]
    assert data[VEGALITE_V5_MIMETYPE]["vconcat"]  # the spec itself, not a copy of the SVG
    svg = ET.fromstring(data["image/svg+xml"])
    assert svg.tag.endswith("svg") and TITLE in "".join(svg.itertext())
    assert data["text/plain"] == f"<altair chart: {TITLE}>"
    assert metadata == {}


def test_charts_display_through_it(chart: Any, restore_renderer: None) -> None:
    enable_offline()
    data, _ = chart._repr_mimebundle_()
    assert VEGALITE_V5_MIMETYPE in data and "$schema" not in data[VEGALITE_V5_MIMETYPE]


def test_the_svg_is_drawn_with_vegalite_5(chart: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import vl_convert

    seen: list[str | None] = []
    original = vl_convert.vegalite_to_svg

    def spy(spec: Any, vl_version: str | None = None, **kwargs: Any) -> str:
        seen.append(vl_version)
        return original(spec, vl_version=vl_version, **kwargs)

    monkeypatch.setattr(vl_convert, "vegalite_to_svg", spy)
    mimebundle(chart.to_dict())
    assert seen == [render.vegalite_v5()] and render.vegalite_v5().startswith("5.")


def test_the_bundle_is_a_valid_notebook_output(chart: Any) -> None:
    data, metadata = mimebundle(chart.to_dict())
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("chart")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=metadata)]
    notebook.cells = [cell]
    nbformat.validate(notebook)
    again = nbformat.reads(nbformat.writes(notebook), as_version=4)
    assert again.cells[0].outputs[0]["data"][VEGALITE_V5_MIMETYPE] == data[VEGALITE_V5_MIMETYPE]


def test_enable_offline_is_idempotent_and_switches_back(restore_renderer: None) -> None:
    enable_offline()
    enable_offline()
    assert alt.renderers.active == RENDERER
    alt.renderers.enable("default")
    enable_offline()
    assert alt.renderers.active == RENDERER
    assert "stickiness" in alt.theme.names()


def test_embed_options_reach_jupyterlab_as_metadata(chart: Any, restore_renderer: None) -> None:
    enable_offline()
    alt.renderers.set_embed_options(renderer="svg", actions=False)
    _, metadata = chart._repr_mimebundle_()
    assert metadata == {VEGALITE_V5_MIMETYPE: {"embed_options": {"renderer": "svg", "actions": False}}}


def test_untitled_and_list_titles() -> None:
    point = alt.Chart(alt.InlineData(values=[{"x": 1}])).mark_point().encode(x="x:Q")
    assert mimebundle(point.to_dict())[0]["text/plain"] == "<altair chart: untitled>"
    lines = point.properties(title=["two", "lines"]).to_dict()
    assert mimebundle(lines)[0]["text/plain"] == "<altair chart: two lines>"


def test_docstring_examples() -> None:
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    assert doctest.testmod(render, optionflags=flags).failed == 0
