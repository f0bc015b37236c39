"""stickiness_notebooks: the notebook templates, run headless into a one-file report, and the ``stickiness`` command.

Templates are parameterized notebooks (kept as jupytext text in ``templates/``)
that an analyst opens in JupyterLab or runs headless::

    from stickiness_notebooks import new_notebook, write_report
    new_notebook("quickstart", "weekly.ipynb")            # ready to edit
    write_report("quickstart", "out", {"events": "events.csv"})  # out/report.html, .pdf, tables/, charts/

``stickiness new`` and ``stickiness report`` on the command line (:mod:`stickiness_notebooks.cli`) do the same.
The names below load on first use, so that ``stickiness report --no-notebook`` runs without nbformat or papermill.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stickiness_notebooks.export import demo_inputs, export_report, save_ledger, template_settings
    from stickiness_notebooks.html import report_html
    from stickiness_notebooks.inputs import Inputs, open_inputs
    from stickiness_notebooks.paths import report_folder
    from stickiness_notebooks.pdf import find_chromium, html_to_pdf
    from stickiness_notebooks.report import ReportFiles, write_report
    from stickiness_notebooks.run import TemplateCellError, run_template
    from stickiness_notebooks.summary import report_summary
    from stickiness_notebooks.templates import TEMPLATES, Template, new_notebook, template_notebook, template_source

#: Each public name and the module that defines it, imported on first use (the Jupyter layer only when asked for).
_HOMES: dict[str, str] = {
    "TEMPLATES": "templates",
    "Inputs": "inputs",
    "ReportFiles": "report",
    "Template": "templates",
    "TemplateCellError": "run",
    "demo_inputs": "export",
    "export_report": "export",
    "find_chromium": "pdf",
    "html_to_pdf": "pdf",
    "new_notebook": "templates",
    "open_inputs": "inputs",
    "report_folder": "paths",
    "report_html": "html",
    "report_summary": "summary",
    "run_template": "run",
    "save_ledger": "export",
    "template_notebook": "templates",
    "template_settings": "export",
    "template_source": "templates",
    "write_report": "report",
}

__all__ = [
    "TEMPLATES",
    "Inputs",
    "ReportFiles",
    "Template",
    "TemplateCellError",
    "demo_inputs",
    "export_report",
    "find_chromium",
    "html_to_pdf",
    "new_notebook",
    "open_inputs",
    "report_folder",
    "report_html",
    "report_summary",
    "run_template",
    "save_ledger",
    "template_notebook",
    "template_settings",
    "template_source",
    "write_report",
]


def __getattr__(name: str) -> Any:
    """Load a public name's module on first use."""
    if name in _HOMES:
        return getattr(importlib.import_module(f"stickiness_notebooks.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'stickiness_notebooks' has no attribute {name!r}")
