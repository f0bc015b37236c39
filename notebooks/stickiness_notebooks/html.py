"""Turn an executed template into one self-contained, offline HTML report.

The page is nbconvert's JupyterLab-styled HTML of the notebook with the code
hidden, and nothing loaded from elsewhere: the template ``nbconvert/report``
drops the CDN scripts (require.js, MathJax, mermaid, the widget manager), each
chart is drawn interactively by the Vega bundle inlined once (a static SVG shows
until it is), and widget outputs, which need a kernel, become a note.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import nbformat

from stickiness import __version__

__all__ = ["report_html"]

VEGALITE: Final = "application/vnd.vegalite.v5+json"
WIDGET: Final = "application/vnd.jupyter.widget-view+json"
_HIDDEN_TAGS: Final = {"parameters", "injected-parameters", "papermill-error-cell-tag"}
_WIDGET_NOTE: Final = (
    '<p class="stickiness-note">An interactive explorer is here in the notebook; it needs a running kernel. '
    "Open the notebook in JupyterLab to use it.</p>"
)


def _chart_html(element: str, data: Mapping[str, Any]) -> str:
    spec = data[VEGALITE]
    title = spec.get("title", "chart")
    title = title.get("text", "chart") if isinstance(title, Mapping) else title
    label = html.escape(" ".join(title) if isinstance(title, list) else str(title), quote=True)
    svg = data.get("image/svg+xml")
    fallback = ""
    if svg:
        encoded = base64.b64encode(str(svg).encode()).decode()
        fallback = f'<img data-fallback-for="{element}" alt="{label}" src="data:image/svg+xml;base64,{encoded}">'
    return f'<figure class="stickiness-chart" aria-label="{label}"><div id="{element}"></div>{fallback}</figure>'


def _for_report(notebook: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, list[tuple[str, dict[str, Any]]]]:
    """Copy ``notebook`` for the page; return the copy and its charts to draw, as (element id, spec)."""
    page = copy.deepcopy(notebook)
    page.metadata.pop("widgets", None)
    page.cells = [c for c in page.cells if not _HIDDEN_TAGS & set(c.get("metadata", {}).get("tags", []))]
    charts: list[tuple[str, dict[str, Any]]] = []
    for cell in page.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if VEGALITE in data:
                element = f"chart-{len(charts) + 1}"
                charts.append((element, dict(data[VEGALITE])))
                output["data"] = {"text/html": _chart_html(element, data), "text/plain": "chart"}
            elif WIDGET in data:
                output["data"] = {"text/html": _WIDGET_NOTE, "text/plain": "interactive explorer"}
    return page, charts


def _header(title: str, parameters: Mapping[str, Any], ran: str) -> str:
    rows = "\n".join(
        f"<tr><td>{html.escape(str(name))}</td><td>{html.escape(repr(value))}</td></tr>"
        for name, value in parameters.items()
    )
    settings = f"<details><summary>Run settings</summary><table>{rows}</table></details>" if rows else ""
    return (
        f'<header class="stickiness-header" aria-label="{html.escape(title, quote=True)}">'
        f"<p>A stickiness report, made by stickiness {html.escape(__version__)} on {html.escape(ran)}. "
        "Every number is defined in the kit's docs (metrics.md, use-cases.md).</p>"
        f"{settings}</header>"
    )


def report_html(
    notebook: str | Path | nbformat.NotebookNode,
    path: str | Path,
    *,
    title: str | None = None,
) -> Path:
    """Write the executed ``notebook`` as one self-contained HTML report at ``path``; return the path.

    Code is hidden; markdown, tables, charts (interactive, drawn offline) and printed
    output are kept. The run settings (papermill's parameters) are listed under the title.

    Parameters
    ----------
    notebook
        An executed notebook, or the path of one (``stickiness report`` writes ``report.ipynb``).
    path
        The ``.html`` file to write.
    title
        The page's heading; default: the template's title, else "stickiness report".
    """
    from nbconvert import HTMLExporter
    from stickiness_widgets.export import vega_scripts

    from stickiness_notebooks.pdf import PRINT_WIDTH
    from stickiness_notebooks.templates import TEMPLATES

    node = notebook if isinstance(notebook, nbformat.NotebookNode) else nbformat.read(notebook, as_version=4)
    template = node.metadata.get("stickiness", {}).get("template")
    heading = title or (TEMPLATES[template].title if template in TEMPLATES else "stickiness report")
    papermill = node.metadata.get("papermill", {})
    ran = str(papermill.get("end_time") or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))[:19]
    page, charts = _for_report(node)
    page.metadata["title"] = heading
    exporter = HTMLExporter(
        template_name="report",
        extra_template_basedirs=[str(Path(__file__).with_name("nbconvert"))],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    resources = {
        "stickiness": {
            "header": _header(heading, papermill.get("parameters", {}), ran.replace("T", " ")),
            # charts no wider than a printed page: the PDF prints their text at its size (docs/outputs.md)
            "scripts": vega_scripts(charts, fit=PRINT_WIDTH) if charts else "",
        }
    }
    body, _ = exporter.from_notebook_node(page, resources=resources)
    target = Path(path)
    target.write_text(body, encoding="utf-8")
    return target
