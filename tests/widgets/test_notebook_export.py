"""A notebook run headless in a real kernel and exported to HTML by nbconvert shows its charts, offline."""

from __future__ import annotations

import base64
import re

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

CELLS = [
    "import stickiness, stickiness_widgets as sw\n"
    "from stickiness.demo import demo_events, demo_users, demo_catalog, demo_use_case_profiles\n"
    "log = stickiness.read_log(demo_events(users=300), users=demo_users(users=300))\n"
    "catalog = stickiness.read_catalog(demo_catalog(), profiles=demo_use_case_profiles())",
    "sw.spectrum_chart(stickiness.frequency_spectrum(log, catalog), title='Spectrum of the notebook test')",
    "sw.active_users_chart(stickiness.active_users(log, by='persona'), by='persona', title='Active users test')",
]


def test_exported_notebook_html_shows_every_chart_as_svg_without_loading_vega() -> None:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in CELLS])
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    nbformat.validate(notebook)
    outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    assert all(output.get("output_type") != "error" for output in outputs)
    charts = [o for o in outputs if "application/vnd.vegalite.v5+json" in o.get("data", {})]
    assert len(charts) == 2  # JupyterLab draws these interactively (its Vega-Lite 5 renderer)

    html, _ = HTMLExporter().from_notebook_node(notebook)
    # nbconvert picks the SVG fallback of each chart and inlines it as a data: image.
    images = re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)
    svgs = [base64.b64decode(image).decode() for image in images]
    assert any("Spectrum of the notebook test" in svg for svg in svgs)
    assert any("Active users test" in svg for svg in svgs)
    # No chart depends on a script from elsewhere: nothing of vega is loaded from a CDN.
    external = re.findall(r"<script[^>]+src=\"(https?://[^\"]+)\"", html)
    assert not [url for url in external if "vega" in url], external
