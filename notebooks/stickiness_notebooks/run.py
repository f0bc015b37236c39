"""Run a template headless with papermill: parameters injected, a progress bar, and a clear error on failure."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat

from stickiness import StickinessError
from stickiness_notebooks.templates import template_notebook

__all__ = ["TemplateCellError", "parameter_names", "run_template"]


class TemplateCellError(StickinessError, RuntimeError):
    """A cell of a template failed: which cell, the error it raised, and where the partial notebook is."""

    def __init__(self, *, cell: int, title: str, ename: str, evalue: str, notebook: Path) -> None:
        self.cell, self.title, self.ename, self.evalue, self.notebook = cell, title, ename, evalue, notebook
        super().__init__(
            f'the cell "{title}" (In [{cell}]) failed with {ename}: {evalue}\n'
            f"The partial notebook, with the error under that cell, is at {notebook}"
        )

    def moved(self, notebook: Path) -> TemplateCellError:
        """Return the same error, naming the partial notebook at ``notebook`` (a failed run's folder is renamed)."""
        return TemplateCellError(
            cell=self.cell, title=self.title, ename=self.ename, evalue=self.evalue, notebook=notebook
        )


def _title(cell: nbformat.NotebookNode) -> str:
    """Name a cell by its jupytext title (``# %% Title``), else its first line."""
    title = cell.get("metadata", {}).get("title")
    if title:
        return str(title)
    lines = [line for line in str(cell.source).splitlines() if line.strip()]
    return lines[0].lstrip("# ").strip()[:60] if lines else "(empty)"


def run_template(
    name: str,
    notebook: str | Path,
    parameters: Mapping[str, Any] | None = None,
    *,
    progress: bool = True,
    kernel_name: str = "python3",
    cwd: str | Path | None = None,
) -> nbformat.NotebookNode:
    """Execute the template ``name`` with ``parameters`` and save the executed notebook to ``notebook``.

    Parameters
    ----------
    name
        A template name (see :data:`stickiness_notebooks.TEMPLATES`).
    notebook
        Where the executed notebook is written (also while it runs, cell by cell).
    parameters
        Values for the template's parameters cell (papermill injects them in a
        cell after it). Unknown names are an error: they would be silently ignored.
    progress
        Show a progress bar of the cells on standard error.
    kernel_name
        The Jupyter kernel to run in (default ``python3``, this environment's).
    cwd
        Working directory of the kernel (default: the notebook's folder).

    Raises
    ------
    TemplateCellError
        A cell raised: the error names the cell, the exception, and the partial notebook.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    source = template_notebook(name)
    known = parameter_names(source)
    unknown = sorted(set(parameters or {}) - known)
    if unknown:
        from stickiness import InvalidOptionError

        raise InvalidOptionError(
            f"template {name!r} has no parameter {', '.join(map(repr, unknown))}; "
            f"its parameters: {', '.join(sorted(known))}."
        )
    target = Path(notebook)
    target.parent.mkdir(parents=True, exist_ok=True)
    # papermill reports progress itself and logs every cell at INFO: keep the terminal to the bar.
    logging.getLogger("papermill").setLevel(logging.WARNING)
    try:
        executed: nbformat.NotebookNode = papermill.execute_notebook(
            source,
            str(target),
            parameters=dict(parameters or {}),
            kernel_name=kernel_name,
            progress_bar=progress,
            cwd=str(cwd if cwd is not None else target.parent),
            # ipykernel warns on every start that local TCP is unencrypted; errors still show.
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
    except PapermillExecutionError as err:
        partial = nbformat.read(target, as_version=4)
        failed = next(
            (c for c in partial.cells if any(o.get("output_type") == "error" for o in c.get("outputs", []))),
            nbformat.v4.new_code_cell(err.source),
        )
        raise TemplateCellError(
            cell=failed.get("execution_count") or err.exec_count or err.cell_index,
            title=_title(failed),
            ename=err.ename,
            evalue=err.evalue,
            notebook=target,
        ) from None
    return executed


def parameter_names(notebook: nbformat.NotebookNode) -> set[str]:
    """Return the names assigned in the template's cell tagged ``parameters``."""
    import ast

    for cell in notebook.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            tree = ast.parse(cell.source)
            return {
                t.id
                for node in tree.body
                if isinstance(node, ast.Assign)
                for t in node.targets
                if isinstance(t, ast.Name)
            }
    return set()
