"""Where a template writes when its ``out`` parameter is left as None: a folder named after the notebook."""

from __future__ import annotations

import os
from pathlib import Path, PurePath

__all__ = ["DEFAULT_OUT", "report_folder"]

#: The folder of a template run outside a Jupyter server (a script, nbconvert, a plain kernel).
DEFAULT_OUT = "stickiness-report"


def report_folder(out: str | Path | None = None) -> str | Path:
    """Return the folder a template's export writes to: ``out`` when given, else one named after the notebook.

    In JupyterLab (any Jupyter server) the kernel of a notebook knows its path: the
    server sets ``JPY_SESSION_NAME`` when it starts the kernel (ipykernel also shows it
    as ``__session__``). ``quickstart.ipynb`` then writes ``quickstart-report/``, beside
    the notebook (the kernel runs in the notebook's folder), so that two notebooks
    never overwrite each other's tables. Elsewhere the folder is ``stickiness-report``.
    A report run (``stickiness report``, ``write_report``) always passes its own ``out``.

    Examples
    --------
    >>> report_folder("weekly")  # given: kept
    'weekly'
    >>> report_folder() in ("stickiness-report", f"{Path(os.environ.get('JPY_SESSION_NAME', '')).stem}-report")
    True
    """
    if out is not None:
        return out
    session = os.environ.get("JPY_SESSION_NAME", "")
    # a console or a file of another kind has a session too: only a notebook names the folder
    notebook = PurePath(session)
    if notebook.suffix.lower() != ".ipynb" or not notebook.stem.strip():
        return DEFAULT_OUT
    return f"{notebook.stem}-report"
