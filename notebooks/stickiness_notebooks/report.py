"""One call from a template to a finished report folder: run it, then write report.html and report.pdf."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stickiness import StickinessError
from stickiness._output import REPORT_NAMES, is_staging, staged_folder
from stickiness_notebooks.html import report_html
from stickiness_notebooks.pdf import check_paper, html_to_pdf
from stickiness_notebooks.run import TemplateCellError, run_template

__all__ = ["ReportFiles", "write_report"]


@dataclass(frozen=True)
class ReportFiles:
    """What :func:`write_report` wrote: the executed notebook, the HTML page and the PDF (None if not printed)."""

    notebook: Path
    html: Path
    pdf: Path | None
    pdf_error: str | None = None

    def moved(self, folder: Path) -> ReportFiles:
        """Return the same files in ``folder``, where the staging folder they were written in was swapped."""
        return ReportFiles(
            notebook=folder / self.notebook.name,
            html=folder / self.html.name,
            pdf=None if self.pdf is None else folder / self.pdf.name,
            pdf_error=self.pdf_error,
        )


def write_report(
    template: str,
    out: str | Path,
    parameters: Mapping[str, Any] | None = None,
    *,
    pdf: bool = True,
    paper: str | None = None,
    progress: bool = True,
    keep_code: bool = False,
) -> ReportFiles:
    """Run ``template`` headless into ``out``: ``report.ipynb``, ``report.html``, ``report.pdf`` and the exports.

    The template's own export cell writes ``out/tables/``, ``out/charts/`` and
    ``out/ledger.json``. report.html (and the PDF) open with the summary and leave the
    code out; ``keep_code=True`` keeps it. A PDF that cannot be printed (no chromium) is reported in
    ``pdf_error``, not raised; ``paper`` is its paper, ``"a4"`` or ``"letter"`` (default: the
    locale's, :func:`stickiness_notebooks.pdf.default_paper`). The folder is written whole or not at all: the run
    writes a staging folder beside ``out`` and swaps it in when every cell ran
    (docs/outputs.md); a folder already staged (``stickiness report``'s) is written
    directly.

    Raises
    ------
    stickiness_notebooks.TemplateCellError
        A cell failed; ``out`` is left as it was and the partial notebook is kept at
        ``OUT.failed/report.ipynb`` (the error names it).
    stickiness.OutputFolderError
        ``out`` cannot be written, or another run is writing it.
    stickiness.InvalidOptionError
        ``paper`` is neither ``"a4"`` nor ``"letter"`` (checked before anything runs).
    """
    if pdf:
        paper = check_paper(paper)
    if is_staging(out):
        return _write(
            template, Path(out).resolve(), parameters, pdf=pdf, paper=paper, progress=progress, keep_code=keep_code
        )
    try:
        with staged_folder(out, names=REPORT_NAMES, option="out", keep_failed=True) as output:
            files = _write(
                template, output.path, parameters, pdf=pdf, paper=paper, progress=progress, keep_code=keep_code
            )
            output.commit()
    except TemplateCellError as err:
        raise err.moved((output.failed or output.path) / "report.ipynb") from None
    return files.moved(output.target)


def _write(
    template: str,
    folder: Path,
    parameters: Mapping[str, Any] | None,
    *,
    pdf: bool,
    paper: str | None,
    progress: bool,
    keep_code: bool = False,
) -> ReportFiles:
    # the kernel runs in the folder, so "." names it before and after the swap (and in the run settings)
    values = {**(parameters or {}), "out": "."}
    notebook = run_template(template, folder / "report.ipynb", values, progress=progress, cwd=folder)
    _say("writing report.html", progress)
    page = report_html(notebook, folder / "report.html", keep_code=keep_code)
    printed, error = None, None
    if pdf:
        _say("printing report.pdf", progress)
        try:
            printed = html_to_pdf(page, folder / "report.pdf", paper=paper)
        except (StickinessError, OSError) as err:
            error = str(err)
    return ReportFiles(notebook=folder / "report.ipynb", html=page, pdf=printed, pdf_error=error)


def _say(message: str, show: bool) -> None:
    if show:
        print(f"  {message}", file=sys.stderr, flush=True)
