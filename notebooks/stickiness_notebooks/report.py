"""One call from a template to a finished report folder: run it, then write report.html and report.pdf."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stickiness import StickinessError
from stickiness_notebooks.html import report_html
from stickiness_notebooks.pdf import html_to_pdf
from stickiness_notebooks.run import run_template

__all__ = ["ReportFiles", "write_report"]


@dataclass(frozen=True)
class ReportFiles:
    """What :func:`write_report` wrote: the executed notebook, the HTML page and the PDF (None if not printed)."""

    notebook: Path
    html: Path
    pdf: Path | None
    pdf_error: str | None = None


def write_report(
    template: str,
    out: str | Path,
    parameters: Mapping[str, Any] | None = None,
    *,
    pdf: bool = True,
    progress: bool = True,
) -> ReportFiles:
    """Run ``template`` headless into ``out``: ``report.ipynb``, ``report.html``, ``report.pdf`` and the exports.

    The template's own export cell writes ``out/tables/``, ``out/charts/`` and
    ``out/ledger.json`` (its ``out`` parameter is set to ``out``). A PDF that
    cannot be printed (no chromium) is reported in ``pdf_error``, not raised.

    Raises
    ------
    stickiness_notebooks.TemplateCellError
        A cell failed; the partial notebook is kept at ``out/report.ipynb``.
    """
    folder = Path(out).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    values = {**(parameters or {}), "out": str(folder)}
    notebook = run_template(template, folder / "report.ipynb", values, progress=progress)
    _say("writing report.html", progress)
    page = report_html(notebook, folder / "report.html")
    printed, error = None, None
    if pdf:
        _say("printing report.pdf", progress)
        try:
            printed = html_to_pdf(page, folder / "report.pdf")
        except (StickinessError, OSError) as err:
            error = str(err)
    return ReportFiles(notebook=folder / "report.ipynb", html=page, pdf=printed, pdf_error=error)


def _say(message: str, show: bool) -> None:
    if show:
        print(f"  {message}", file=sys.stderr, flush=True)
