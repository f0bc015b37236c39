"""A report from a saved template notebook: its template, its parameters cell's values, its folder (issue 17).

:func:`notebook_parameters` reads what JupyterLab's "Make a stickiness report from this notebook"
runs; every notebook it cannot read is an ``InvalidOptionError`` that names the notebook, the
parameter and the fix. (The run itself is :func:`write_report`'s, tested with ``stickiness report``;
the command end to end is tests/browser/test_lab_report.py.)
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from stickiness_notebooks.notebook_report import notebook_parameters, report_from_notebook
from stickiness_notebooks.templates import new_notebook

from stickiness import InvalidOptionError


def edited(path: Path, old: str, new: str) -> Path:
    """Replace ``old`` by ``new`` in the saved notebook's parameters cell (``old`` must be there)."""
    notebook = nbformat.read(path, as_version=4)
    cell = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    assert old in cell.source
    cell.source = cell.source.replace(old, new)
    nbformat.write(notebook, path)
    return path


@pytest.fixture
def notebook(tmp_path: Path) -> Path:
    """A quickstart notebook in ``tmp_path/analyses``, as the Launcher writes it."""
    return new_notebook("quickstart", tmp_path / "analyses" / "weekly.ipynb")


def test_the_values_are_the_saved_cell_s(notebook: Path) -> None:
    edited(notebook, "mau_window = 30", "mau_window = 14")
    edited(notebook, 'tz = "UTC"', 'tz = "Europe/Paris"')
    edited(notebook, "threshold = 1.0", "threshold = 1.5")
    found = notebook_parameters(notebook)
    assert found.template == "quickstart"
    assert (found.values["mau_window"], found.values["tz"], found.values["threshold"]) == (14, "Europe/Paris", 1.5)
    assert found.values["events"] is None and found.values["engine"] == "polars"
    assert "out" not in found.values  # the report folder, not a value for the run (write_report sets out=".")


def test_paths_and_out_are_taken_from_the_notebook_s_folder(notebook: Path, tmp_path: Path) -> None:
    edited(notebook, "events = None", 'events = "data/events.csv"')
    edited(notebook, "users = None", 'users = "/srv/users.csv"')
    edited(notebook, "use_cases = None", 'use_cases = "../catalog.yaml"')
    edited(notebook, "out = None", 'out = "reports/june"')
    found = notebook_parameters(notebook)
    folder = tmp_path / "analyses"
    assert found.values["events"] == str(folder / "data" / "events.csv")
    assert found.values["users"] == "/srv/users.csv"
    assert found.values["use_cases"] == str(tmp_path / "catalog.yaml")
    assert found.out == folder / "reports" / "june"


def test_out_none_is_a_folder_named_after_the_notebook(notebook: Path, tmp_path: Path) -> None:
    # the templates' default is out = None: the folder is named after the notebook
    assert notebook_parameters(notebook).out == tmp_path / "analyses" / "weekly-report"


def test_injected_parameters_override_the_cell(notebook: Path) -> None:
    saved = nbformat.read(notebook, as_version=4)
    at = next(i for i, c in enumerate(saved.cells) if "parameters" in c.metadata.get("tags", []))
    injected = nbformat.v4.new_code_cell("# Parameters\nmau_window = 7\n", metadata={"tags": ["injected-parameters"]})
    saved.cells.insert(at + 1, injected)
    nbformat.write(saved, notebook)
    assert notebook_parameters(notebook).values["mau_window"] == 7


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("mau_window = 30", "mau_window = 7 * 2", "sets mau_window = 7 * 2, which is not a plain value"),
        ("start = None", "start = str(2025)", "sets start = str(2025), which is not a plain value"),
        ("threshold = 1.0", "threshold = -0.5 + 2", "sets threshold = -0.5 + 2, which is not a plain value"),
        ("mau_window = 30", "mau_window = 30\nmy_note = 'x'", "sets my_note, which template 'quickstart' has no"),
        ("mau_window = 30", "mau_window = (", "is not valid Python (line"),
        ("out = None", "out = 3", "out = 3: give the report folder's name"),
    ],
)
def test_a_cell_it_cannot_read_names_the_parameter_and_the_fix(
    notebook: Path, old: str, new: str, message: str
) -> None:
    edited(notebook, old, new)
    with pytest.raises(InvalidOptionError, match=r"weekly\.ipynb|out = 3") as caught:
        notebook_parameters(notebook)
    assert message in str(caught.value)


def test_a_notebook_not_made_from_a_template_is_refused(tmp_path: Path) -> None:
    plain = tmp_path / "plain.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), plain)
    with pytest.raises(InvalidOptionError, match=r"plain.ipynb is not a stickiness template notebook.*stickiness new"):
        notebook_parameters(plain)
    renamed = nbformat.read(plain, as_version=4)
    renamed.metadata["stickiness"] = {"template": "weekly"}
    nbformat.write(renamed, plain)
    with pytest.raises(InvalidOptionError, match=r"names the template 'weekly'.*choose one of quickstart"):
        notebook_parameters(plain)


def test_a_template_notebook_without_its_parameters_tag_is_refused(notebook: Path) -> None:
    saved = nbformat.read(notebook, as_version=4)
    for cell in saved.cells:
        cell.metadata.pop("tags", None)
    nbformat.write(saved, notebook)
    with pytest.raises(InvalidOptionError, match="has no cell tagged 'parameters'"):
        notebook_parameters(notebook)


def test_a_missing_notebook_says_save_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"no notebook at .*save it first"):
        report_from_notebook(tmp_path / "unsaved.ipynb")
