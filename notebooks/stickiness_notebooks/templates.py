"""The notebook templates: their names, what each answers, and the notebook built from its text.

Templates are kept as jupytext "percent" scripts (``templates/NAME.py``) so that
their diffs read like code; the ``.ipynb`` a user opens is built from that text,
with no outputs, by :func:`template_notebook` or :func:`new_notebook`.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Final

import jupytext
import nbformat

from stickiness import InvalidOptionError

__all__ = ["TEMPLATES", "Template", "new_notebook", "template_notebook", "template_source"]


@dataclass(frozen=True)
class Template:
    """A notebook template: its name (``stickiness new NAME``), launcher title and one-line summary."""

    name: str
    title: str
    summary: str


#: Every template, in the order the launcher shows them.
TEMPLATES: Final[dict[str, Template]] = {
    t.name: t
    for t in (
        Template(
            "quickstart",
            "Quickstart",
            "Everything at a glance: the ledger, active users, the use-case map, the forgettable zone and retention.",
        ),
        Template(
            "active_users",
            "Active users",
            "DAU, WAU, MAU and stickiness (DAU/MAU) per day and per month, overall or per persona.",
        ),
        Template(
            "use_cases",
            "Use-case map",
            "How often each persona uses each use case: the frequency spectrum and the use-case map.",
        ),
        Template(
            "forgettable_zone",
            "Forgettable zone",
            "Segments where most users use a use case less than monthly, and the users drifting there (CRM list).",
        ),
        Template(
            "retention",
            "Retention and lifecycle",
            "Who stays and who leaves: retention, cohorts, lifecycle, dormancy and the inactivity list, leave points.",
        ),
        Template(
            "habits",
            "Habits over time",
            "Who comes back most days and how users move between states: the power-user curve, growth states.",
        ),
        Template(
            "scorecards",
            "Customer scorecards",
            "Health score and who to contact, NPS, customer fit, lifetime value, and who will become forgettable.",
        ),
    )
}

_KERNELSPEC: Final = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def _template(name: str) -> Template:
    if name not in TEMPLATES:
        known = ", ".join(TEMPLATES)
        raise InvalidOptionError(f"no template named {name!r}: choose one of {known}.")
    return TEMPLATES[name]


def template_source(name: str) -> str:
    """Return the text (a jupytext percent script) of the template ``name``.

    >>> template_source("quickstart").startswith("# %% [markdown]")
    True
    """
    _template(name)
    return resources.files("stickiness_notebooks").joinpath("templates", f"{name}.py").read_text(encoding="utf-8")


def template_notebook(name: str) -> nbformat.NotebookNode:
    """Return the template ``name`` as a notebook with no outputs, ready to save or execute.

    >>> notebook = template_notebook("active_users")
    >>> [cell.cell_type for cell in notebook.cells][:2]
    ['markdown', 'code']
    """
    notebook: nbformat.NotebookNode = jupytext.reads(template_source(name), fmt="py:percent")
    notebook.metadata.pop("jupytext", None)  # the .ipynb stands alone: no pairing with the template's text
    notebook.metadata["kernelspec"] = dict(_KERNELSPEC)
    notebook.metadata["language_info"] = {"name": "python"}
    notebook.metadata["stickiness"] = {"template": name}
    nbformat.validate(notebook)
    return notebook


def new_notebook(name: str, path: str | Path | None = None, *, overwrite: bool = False) -> Path:
    """Write the template ``name`` as a notebook at ``path`` (default ``./NAME.ipynb``) and return the path.

    An existing file is kept, with an error, unless ``overwrite=True``.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> new_notebook("quickstart", folder / "weekly review.ipynb").name
    'weekly review.ipynb'
    """
    target = Path(path) if path is not None else Path(f"{_template(name).name}.ipynb")
    if target.is_dir():
        target = target / f"{name}.ipynb"
    if target.suffix != ".ipynb":
        raise InvalidOptionError(f"{str(target)!r}: a notebook's file name ends in .ipynb, e.g. {target.stem}.ipynb.")
    notebook = template_notebook(name)
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists: choose another path, or pass overwrite=True (--force) to replace it.")
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    return target
