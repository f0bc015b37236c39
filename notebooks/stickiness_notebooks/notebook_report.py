"""A report from a template notebook as saved: its template, the values of its parameters cell, its folder.

JupyterLab's "Make a stickiness report from this notebook" command (the server's
``POST /stickiness/reports``, :mod:`stickiness_notebooks.lab`) calls
:func:`report_from_notebook`; so can a script::

    from stickiness_notebooks.notebook_report import report_from_notebook
    files = report_from_notebook("analyses/quickstart.ipynb")   # analyses/stickiness-report/report.html, ...

The report is what ``stickiness report`` writes (:func:`~stickiness_notebooks.write_report`):
the notebook's *template* run headless with the values its parameters cell holds, so
edits to the other cells of the notebook are not in it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import nbformat

from stickiness import InvalidOptionError
from stickiness_notebooks.report import ReportFiles, write_report
from stickiness_notebooks.run import parameter_names
from stickiness_notebooks.spec import PATH_PARAMETERS
from stickiness_notebooks.templates import TEMPLATES, template_notebook

__all__ = ["NotebookParameters", "notebook_parameters", "report_from_notebook"]

#: The cells whose assignments are the parameters: the template's, then any a papermill run injected after it.
_PARAMETER_TAGS: Final = ("parameters", "injected-parameters")


@dataclass(frozen=True)
class NotebookParameters:
    """What a saved template notebook asks for: its template, its parameters' values, and its report folder."""

    template: str
    values: dict[str, Any]
    out: Path


def notebook_parameters(path: str | Path) -> NotebookParameters:
    """Read the template name and the parameters cell of the notebook at ``path``, as saved.

    Paths among the parameters (``events``, ``users``, ``use_cases``, ...) and ``out``
    are taken relative to the notebook's folder, as its kernel in JupyterLab reads them.
    With ``out = None`` the report folder is ``NAME-report`` beside the notebook ``NAME.ipynb``.

    Raises
    ------
    FileNotFoundError
        No notebook at ``path``.
    stickiness.InvalidOptionError
        The notebook is not made from a stickiness template, or its parameters cell holds
        something other than plain values (a string, number, True/False/None, list or dict)
        or a name the template has no parameter for.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from stickiness_notebooks import new_notebook
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> found = notebook_parameters(new_notebook("active_users", folder / "weekly.ipynb"))
    >>> found.template, found.values["mau_window"], found.out == folder / "weekly-report"
    ('active_users', 30, True)
    """
    notebook_path = Path(path).expanduser().resolve()
    if not notebook_path.is_file():
        raise FileNotFoundError(f"no notebook at {str(path)!r}: save it first, or give the path of a .ipynb file")
    notebook = nbformat.read(notebook_path, as_version=4)
    template = _template_of(notebook, notebook_path)
    values = _assigned(notebook, notebook_path)
    known = parameter_names(template_notebook(template))
    unknown = sorted(set(values) - known)
    if unknown:
        raise InvalidOptionError(
            f"the parameters cell of {notebook_path.name} sets {', '.join(unknown)}, which template {template!r} has "
            "no parameter for: move it to another cell (the report runs the template's own cells with the "
            f"parameters cell's values). Its parameters: {', '.join(sorted(known))}."
        )
    folder = notebook_path.parent
    out = values.pop("out", None)
    for name in set(PATH_PARAMETERS) & set(values):  # the report's kernel runs in the report folder
        values[name] = _beside(folder, values[name])
    return NotebookParameters(template=template, values=values, out=_out_folder(folder, notebook_path.stem, out))


def report_from_notebook(path: str | Path, *, pdf: bool = True, progress: bool = False) -> ReportFiles:
    """Write the report of the notebook at ``path`` as it is saved: its template run with its parameters.

    Runs the notebook's template headless with the values of its parameters cell into its
    ``out`` folder (relative to the notebook), through :func:`~stickiness_notebooks.write_report`,
    as ``stickiness report`` does: ``report.ipynb``, ``report.html``, ``report.pdf`` and the
    exports. A PDF that cannot be printed (no chromium) is reported in ``pdf_error``.

    Raises
    ------
    FileNotFoundError, stickiness.InvalidOptionError
        See :func:`notebook_parameters`.
    stickiness_notebooks.TemplateCellError
        A cell failed; the folder is left as it was, the partial notebook kept beside it.
    stickiness.OutputFolderError
        The report folder cannot be written, or another run is writing it.
    """
    asked = notebook_parameters(path)
    return write_report(asked.template, asked.out, asked.values, pdf=pdf, progress=progress)


def _template_of(notebook: nbformat.NotebookNode, path: Path) -> str:
    """Return the template the notebook was made from (its ``stickiness.template`` metadata)."""
    template = notebook.get("metadata", {}).get("stickiness", {}).get("template")
    if template is None:
        raise InvalidOptionError(
            f"{path.name} is not a stickiness template notebook (its metadata names no template): make one from "
            "the Launcher's Stickiness tiles or with `stickiness new TEMPLATE`, or run `stickiness report`."
        )
    if template not in TEMPLATES:
        raise InvalidOptionError(
            f"{path.name} names the template {template!r}, which this version of stickiness does not have: "
            f"choose one of {', '.join(TEMPLATES)} (`stickiness new TEMPLATE`)."
        )
    return str(template)


def _assigned(notebook: nbformat.NotebookNode, path: Path) -> dict[str, Any]:
    """Return the names the parameters cells assign, with their values (a later cell's value wins)."""
    cells = [c for c in notebook.cells if set(_PARAMETER_TAGS) & set(c.get("metadata", {}).get("tags", []))]
    if not cells:
        raise InvalidOptionError(
            f"{path.name} has no cell tagged 'parameters': put the tag back on its parameters cell "
            "(View > Cell toolbar, or the property inspector), or make a new notebook from the template."
        )
    values: dict[str, Any] = {}
    for cell in cells:
        values |= _cell_values(str(cell.source), path)
    return values


def _cell_values(source: str, path: Path) -> dict[str, Any]:
    """Return each ``name = value`` of a parameters cell, its value read as a Python literal."""
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise InvalidOptionError(
            f"the parameters cell of {path.name} is not valid Python (line {err.lineno}: {err.msg}): fix it and save."
        ) from None
    values: dict[str, Any] = {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            target = node.target
        if not isinstance(target, ast.Name):
            continue  # not a parameter: an import, a print, a tuple assignment
        values[target.id] = _literal(node, target.id, source, path)
    return values


def _literal(node: ast.stmt, name: str, source: str, path: Path) -> Any:
    value = getattr(node, "value", None)
    try:
        return ast.literal_eval(value) if value is not None else None
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        written = ast.get_source_segment(source, value) if value is not None else ""
        raise InvalidOptionError(
            f"the parameters cell of {path.name} sets {name} = {written}, which is not a plain value: write it as "
            'a string, number, True/False/None, list or dict (e.g. start = "2025-01-01"), save, and try again.'
        ) from None


def _beside(folder: Path, value: Any) -> Any:
    """Take a relative path string from ``folder`` (a URL, None or an absolute path as it is)."""
    if not isinstance(value, str) or "://" in value:
        return value
    return str((folder / Path(value).expanduser()).resolve())


def _out_folder(folder: Path, stem: str, out: Any) -> Path:
    """Return the report folder: ``out`` from the notebook's folder, or ``STEM-report`` beside it for None."""
    if out is None:
        return folder / f"{stem}-report"
    if not isinstance(out, str | Path) or not str(out).strip():
        raise InvalidOptionError(
            f"the parameters cell sets out = {out!r}: give the report folder's name, e.g. out = {stem + '-report'!r}."
        )
    return (folder / Path(out).expanduser()).resolve()
