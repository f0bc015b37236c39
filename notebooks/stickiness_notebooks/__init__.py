"""stickiness_notebooks: the notebook templates, run headless into a one-file report.

Templates are parameterized notebooks (kept as jupytext text in ``templates/``)
that an analyst opens in JupyterLab or runs headless::

    from stickiness_notebooks import new_notebook, write_report
    new_notebook("quickstart", "weekly.ipynb")            # ready to edit
    write_report("quickstart", "out", {"events": "events.csv"})  # out/report.html, .pdf, tables/, charts/

``stickiness new`` and ``stickiness report`` on the command line do the same.
"""

from __future__ import annotations

from stickiness_notebooks.export import demo_inputs, export_report, save_ledger
from stickiness_notebooks.html import report_html
from stickiness_notebooks.inputs import Inputs, open_inputs
from stickiness_notebooks.pdf import find_chromium, html_to_pdf
from stickiness_notebooks.report import ReportFiles, write_report
from stickiness_notebooks.run import TemplateCellError, run_template
from stickiness_notebooks.templates import TEMPLATES, Template, new_notebook, template_notebook, template_source

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
    "report_html",
    "run_template",
    "save_ledger",
    "template_notebook",
    "template_source",
    "write_report",
]
