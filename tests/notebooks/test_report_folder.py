"""Each template run in JupyterLab writes to its own folder, named after the notebook (docs/api.md, templates)."""

from __future__ import annotations

from pathlib import Path

import pytest
from stickiness_notebooks import new_notebook, report_folder, run_template

from stickiness.demo import demo_events


@pytest.mark.parametrize(
    ("session", "expected"),
    [
        ("/home/ann/analysis/quickstart.ipynb", "quickstart-report"),  # the server gives the notebook's path
        ("weekly review.IPYNB", "weekly review-report"),
        ("reports/quickstart1.ipynb", "quickstart1-report"),
        ("/home/ann/console-1-4f2b", "stickiness-report"),  # a console has a session too, and no notebook
        ("/home/ann/.ipynb", "stickiness-report"),  # no name to take
        ("", "stickiness-report"),
    ],
)
def test_the_folder_is_named_after_the_notebook(session: str, expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JPY_SESSION_NAME", session)
    assert report_folder() == expected
    assert report_folder(None) == expected
    assert report_folder("mine") == "mine"  # a folder given is kept


def test_outside_a_jupyter_server_the_folder_is_stickiness_report(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert report_folder() == "stickiness-report"


def test_two_templates_run_with_the_default_write_two_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # as JupyterLab runs them: the kernel of each notebook starts in the notebook's folder with JPY_SESSION_NAME
    # set to its path by the server (papermill's kernel inherits this process's environment)
    events = tmp_path / "events.csv"
    demo_events(users=40).write_csv(events)
    folders = {}
    for name in ("active_users", "use_cases"):
        notebook = new_notebook(name, tmp_path / f"{name}.ipynb")
        monkeypatch.setenv("JPY_SESSION_NAME", str(notebook))
        executed = tmp_path / "executed" / f"{name}.ipynb"
        run_template(name, executed, {"events": str(events)}, progress=False, cwd=tmp_path)
        folders[name] = tmp_path / f"{name}-report"
    for name, folder in folders.items():
        assert (folder / "ledger.json").is_file(), name
        assert any((folder / "tables").glob("*.csv")), name
    assert not (tmp_path / "stickiness-report").exists()
    assert {p.name for p in (folders["active_users"] / "tables").glob("*.csv")} != {
        p.name for p in (folders["use_cases"] / "tables").glob("*.csv")
    }  # each folder holds its own template's tables
