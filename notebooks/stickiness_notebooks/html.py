"""Turn an executed template into one self-contained, offline HTML report.

The page reads as a report: the summary first (the output of the cell tagged
``summary``: the findings in plain words and the next steps), then the sections,
then an appendix with the run settings in full (the log's name without its
folder, the dates, every option, the row ledger). Cells tagged ``author``
(instructions such as "set the parameters", the export cell) and the code are
left out (``keep_code=True`` keeps the code); no local path is printed: a path is
shown by its file name. Nothing is loaded from elsewhere: the template
``nbconvert/report`` drops the CDN scripts (require.js, MathJax, mermaid, the
widget manager), each chart is drawn interactively by the Vega bundle inlined
once (a static SVG shows until it is), and widget outputs, which need a kernel,
become a note.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import html
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import nbformat

from stickiness import __version__

__all__ = ["report_html"]

VEGALITE: Final = "application/vnd.vegalite.v5+json"
WIDGET: Final = "application/vnd.jupyter.widget-view+json"
#: Cells left off the page: the parameters (listed in the appendix instead) and the author's instructions.
_HIDDEN_TAGS: Final = {"parameters", "injected-parameters", "papermill-error-cell-tag", "author"}
#: The cell whose output opens the page: the findings (stickiness_notebooks.report_summary).
SUMMARY_TAG: Final = "summary"
_DATA_URI: Final = re.compile(r"(data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+)")
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


def _tags(cell: Mapping[str, Any]) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _for_report(notebook: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, list[tuple[str, dict[str, Any]]]]:
    """Copy ``notebook`` for the page; return the copy and its charts to draw, as (element id, spec).

    The summary cell comes first; the author's cells and the parameters are left out.
    """
    page = copy.deepcopy(notebook)
    page.metadata.pop("widgets", None)
    kept = [c for c in page.cells if not _HIDDEN_TAGS & _tags(c)]
    summary = [c for c in kept if SUMMARY_TAG in _tags(c)]
    for cell in summary:  # its output only: the code that made it is the notebook's business
        cell.metadata["transient"] = {"remove_source": True}
    page.cells = summary + [c for c in kept if SUMMARY_TAG not in _tags(c)]
    first = next((c for c in page.cells if c.cell_type == "markdown"), None)
    if first is not None and first.source.startswith("# "):  # the notebook's title heads the page, above the summary
        title, _, rest = first.source.partition("\n")
        page.metadata["stickiness_heading"] = title[2:].strip()
        first.source = rest.lstrip("\n")
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


def _header(title: str, ran: str) -> str:
    return (
        f'<header class="stickiness-header" aria-label="{html.escape(title, quote=True)}">'
        f"<h1>{html.escape(title)}</h1>"
        f"<p>A stickiness report, made by stickiness {html.escape(__version__)} on {html.escape(ran)}. "
        "Every number is defined in the kit's docs (metrics.md, use-cases.md, retention.md); the run settings "
        "are in the appendix.</p></header>"
    )


def _shown(value: Any) -> str:
    """Show a setting: a path by its file name (no local folder on the page), anything else as Python writes it.

    >>> _shown("/home/ana/logs/events.csv"), _shown(30), _shown(None), _shown("UTC")
    ("'events.csv'", '30', 'None', "'UTC'")
    """
    if isinstance(value, str) and (os.sep in value or "/" in value):
        return repr(os.path.basename(value.rstrip("/" + os.sep)) or value)
    return repr(value)


def settings(notebook: nbformat.NotebookNode) -> dict[str, Any]:
    r"""Return every parameter the notebook ran with: its parameters cell's values, then those injected (papermill's).

    >>> nb = nbformat.v4.new_notebook(metadata={"papermill": {"parameters": {"b": 2}}})
    >>> nb.cells = [nbformat.v4.new_code_cell("a = 1  # one\nb = None", metadata={"tags": ["parameters"]})]
    >>> settings(nb)
    {'a': 1, 'b': 2}
    """
    import ast

    values: dict[str, Any] = {}
    for cell in notebook.cells:
        if "parameters" in _tags(cell):
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                    try:
                        values[node.targets[0].id] = ast.literal_eval(node.value)
                    except ValueError:  # not a literal: shown as written
                        values[node.targets[0].id] = ast.unparse(node.value)
    return values | dict(notebook.metadata.get("papermill", {}).get("parameters", {}))


def _days(folder: Path) -> str | None:
    """Return the days the report covers, "FIRST to LAST", from its active-users table (None without it)."""
    path = folder / "tables" / "active_users.csv"
    if not path.exists():
        return None
    import polars as pl

    days = pl.read_csv(path, columns=["day"], try_parse_dates=True).get_column("day")
    first, last = days.min(), days.max()
    return f"{first!s} to {last!s}" if days.len() else None


def _appendix(parameters: Mapping[str, Any], ran: str, folder: Path) -> str:
    """Return the run settings in full: every parameter (paths by file name), the dates and the row ledger."""
    rows = [("made", ran)]
    if (days := _days(folder)) is not None:
        rows.append(("days analysed", days))
    rows += [(str(name), _shown(value)) for name, value in parameters.items() if name != "out"]
    rows = [(k, "None (the built-in demo data)" if k == "events" and v == "None" else v) for k, v in rows]
    table = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in rows)
    ledger = ""
    if (folder / "ledger.json").exists():
        from stickiness import Ledger

        text = str(Ledger.from_dict(json.loads((folder / "ledger.json").read_text(encoding="utf-8"))))
        ledger = f"<h3>Row ledger</h3><pre>{html.escape(text)}</pre>"
    return (
        '<section class="stickiness-appendix" aria-label="Appendix: run settings">'
        "<h2>Appendix: run settings</h2>"
        "<p>The log and the options this report was made with (files are named without their folder).</p>"
        f"<table>{table}</table>{ledger}</section>"
    )


def _local_folders(parameters: Mapping[str, Any], folder: Path) -> list[str]:
    """Return the local folders that could show in outputs: the report's, the inputs', the home folder."""
    folders = {str(folder.resolve()), str(folder), str(Path.home()), os.getcwd()}
    folders |= {os.path.dirname(str(v)) for v in parameters.values() if isinstance(v, str) and os.sep in v}
    return sorted((f for f in folders if len(f) > 1), key=len, reverse=True)


def _without_paths(body: str, folders: list[str]) -> str:
    """Remove local folders from the page's text: ``/home/ana/out/tables/x.csv`` becomes ``tables/x.csv``.

    >>> _without_paths("wrote /tmp/r/tables/a.csv and /tmp/r", ["/tmp/r"])
    'wrote tables/a.csv and .'
    """
    pattern = re.compile("|".join(re.escape(f) + r"(?:/|\b)" for f in folders)) if folders else None
    if pattern is None:
        return body
    # data: URIs (the charts' SVG, in base64) are left whole: a folder's letters can occur in them by chance
    parts = _DATA_URI.split(body)
    return "".join(
        part if part.startswith("data:") else pattern.sub(lambda m: "" if m[0].endswith("/") else ".", part)
        for part in parts
    )


def report_html(
    notebook: str | Path | nbformat.NotebookNode,
    path: str | Path,
    *,
    title: str | None = None,
    keep_code: bool = False,
) -> Path:
    """Write the executed ``notebook`` as one self-contained HTML report at ``path``; return the path.

    The page opens with the summary (the cell tagged ``summary``), then the sections'
    markdown, tables, charts (interactive, drawn offline) and printed output, then an
    appendix with the run settings (papermill's parameters, the days, the row ledger
    from ``ledger.json`` beside ``path``). The author's cells (tagged ``author``) and
    the code are left out, and no local folder is printed.

    Parameters
    ----------
    notebook
        An executed notebook, or the path of one (``stickiness report`` writes ``report.ipynb``).
    path
        The ``.html`` file to write.
    title
        The page's heading; default: the notebook's title (its first cell's ``# heading``,
        moved above the summary), else the template's title, else "stickiness report".
    keep_code
        Keep the code cells' code (``stickiness report --keep-code``), for analysts.
    """
    from nbconvert import HTMLExporter
    from stickiness_widgets.export import vega_scripts

    from stickiness_notebooks.pdf import PRINT_WIDTH
    from stickiness_notebooks.templates import TEMPLATES

    node = notebook if isinstance(notebook, nbformat.NotebookNode) else nbformat.read(notebook, as_version=4)
    template = node.metadata.get("stickiness", {}).get("template")
    default = TEMPLATES[template].title if template in TEMPLATES else "stickiness report"
    papermill = node.metadata.get("papermill", {})
    ran = str(papermill.get("end_time") or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))[:19]
    page, charts = _for_report(node)
    heading = title or page.metadata.pop("stickiness_heading", None) or default
    page.metadata["title"] = heading
    exporter = HTMLExporter(
        template_name="report",
        extra_template_basedirs=[str(Path(__file__).with_name("nbconvert"))],
        exclude_input=not keep_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    target = Path(path)
    parameters = settings(node)
    when = ran.replace("T", " ")
    resources = {
        "stickiness": {
            "header": _header(heading, when),
            "appendix": _appendix(parameters, when, target.parent),
            # charts no wider than a printed page: the PDF prints their text at its size (docs/outputs.md)
            "scripts": vega_scripts(charts, fit=PRINT_WIDTH) if charts else "",
        }
    }
    body, _ = exporter.from_notebook_node(page, resources=resources)
    target.write_text(_without_paths(body, _local_folders(parameters, target.parent)), encoding="utf-8")
    return target
