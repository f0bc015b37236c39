"""The server extension behind the JupyterLab Launcher's "Stickiness" section (stickiness_widgets.lab).

First its logic, on a real contents manager in a temporary folder; then its HTTP API on a real
``jupyter lab`` (the browser tests' server, which loads the extension as an installed package does).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from stickiness_notebooks.templates import TEMPLATES, template_notebook
from stickiness_widgets.lab import create_notebook, folder_path, template_list
from tornado.web import HTTPError

from tests.browser.conftest import Lab, lab  # noqa: F401 (the server fixture)

EXTENSION = "stickiness-launcher"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The server's root: a folder inside the test's own, so that a way out of it would show."""
    (tmp_path / "root" / "reports" / "2026").mkdir(parents=True)
    return tmp_path / "root"


@pytest.fixture
def contents(root: Path) -> AsyncLargeFileManager:
    return AsyncLargeFileManager(root_dir=str(root))


def create(contents: AsyncLargeFileManager, name: str, folder: str) -> str:
    # In a thread of its own: the browser tests' Playwright (sync API) keeps an event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, create_notebook(contents, name, folder)).result()


def test_the_list_is_every_template_in_order() -> None:
    listed = template_list()
    assert listed == [{"name": t.name, "title": t.title, "summary": t.summary} for t in TEMPLATES.values()]


def test_a_new_notebook_is_the_template_and_never_overwrites(contents: AsyncLargeFileManager, root: Path) -> None:
    assert [create(contents, "quickstart", "") for _ in range(3)] == [
        "quickstart.ipynb",
        "quickstart1.ipynb",
        "quickstart2.ipynb",
    ]
    written = nbformat.read(root / "quickstart1.ipynb", as_version=4)
    expected = template_notebook("quickstart")
    assert [c.source for c in written.cells] == [c.source for c in expected.cells]
    assert written.metadata["stickiness"] == {"template": "quickstart"}
    assert written.metadata["kernelspec"]["name"] == "python3"


def test_a_new_notebook_goes_into_the_folder_given(contents: AsyncLargeFileManager, root: Path) -> None:
    assert create(contents, "active_users", "/reports/2026/") == "reports/2026/active_users.ipynb"
    assert create(contents, "active_users", "reports/./2026") == "reports/2026/active_users1.ipynb"
    assert sorted(p.name for p in (root / "reports" / "2026").glob("*.ipynb")) == [
        "active_users.ipynb",
        "active_users1.ipynb",
    ]


@pytest.mark.parametrize("folder", ["..", "../", "reports/../..", "reports/2026/../../../etc", "..\\outside"])
def test_a_folder_outside_the_root_is_refused(contents: AsyncLargeFileManager, tmp_path: Path, folder: str) -> None:
    with pytest.raises(HTTPError) as caught:
        create(contents, "quickstart", folder)
    assert caught.value.status_code == 400
    assert "outside the server's root" in str(caught.value.log_message)
    assert not list(tmp_path.glob("**/*.ipynb"))


def test_a_path_inside_the_root_with_dots_is_not_an_escape() -> None:
    assert folder_path("reports/2026/..a") == "reports/2026/..a"
    assert folder_path("./reports") == "reports"


def test_an_unknown_template_or_folder_is_a_404_that_says_what_exists(contents: AsyncLargeFileManager) -> None:
    with pytest.raises(HTTPError) as caught:
        create(contents, "weekly", "")
    assert caught.value.status_code == 404
    assert caught.value.log_message == f"no template named 'weekly': choose one of {', '.join(TEMPLATES)}"
    with pytest.raises(HTTPError) as caught:
        create(contents, "quickstart", "nowhere")
    assert caught.value.status_code == 404
    assert "no folder 'nowhere'" in str(caught.value.log_message)


# --- installed: what `pip install -e .` put in the environment ----------------------------------------------------


def test_the_install_put_the_labextension_and_enabled_the_server_extension() -> None:
    prefix = Path(sys.prefix)
    fix = "build and install it with `pip install -e .` (needs node and npm on PATH)"
    package = prefix / "share" / "jupyter" / "labextensions" / EXTENSION / "package.json"
    assert package.exists(), f"no prebuilt {EXTENSION} in {package.parent.parent}: {fix}"
    load = json.loads(package.read_text())["jupyterlab"]["_build"]["load"]
    assert (package.parent / load).exists(), f"{EXTENSION} names {load}, which is missing: {fix}"
    config = prefix / "etc" / "jupyter" / "jupyter_server_config.d" / "stickiness.json"
    assert json.loads(config.read_text()) == {"ServerApp": {"jpserver_extensions": {"stickiness_widgets.lab": True}}}


# --- over HTTP, on a running JupyterLab ---------------------------------------------------------------------------


@pytest.fixture
def folder(lab: Lab, request: pytest.FixtureRequest) -> str:  # noqa: F811
    """A new empty folder under the server's root, named after the test."""
    name = request.node.name.replace("[", "-").replace("]", "")
    (lab.root / "api-tests" / name).mkdir(parents=True)
    return f"api-tests/{name}"


def test_lab_loads_the_labextension(lab: Lab) -> None:  # noqa: F811
    status, page = lab.call("GET", "lab")
    assert status == 200 and f'"name": "{EXTENSION}"' in page.replace('":"', '": "')


def test_get_lists_the_templates(lab: Lab) -> None:  # noqa: F811
    assert lab.call("GET", "stickiness/templates") == (200, {"templates": template_list()})


def test_post_creates_notebooks_with_new_names_in_the_folder(lab: Lab, folder: str) -> None:  # noqa: F811
    answers = [lab.call("POST", "stickiness/templates/use_cases", {"folder": folder}) for _ in range(2)]
    assert answers == [(201, {"path": f"{folder}/use_cases.ipynb"}), (201, {"path": f"{folder}/use_cases1.ipynb"})]
    status, model = lab.call("GET", f"api/contents/{folder}/use_cases1.ipynb")
    assert status == 200 and model["type"] == "notebook"
    assert model["content"]["metadata"]["stickiness"] == {"template": "use_cases"}


def test_post_with_no_body_creates_in_the_root(lab: Lab) -> None:  # noqa: F811
    status, answer = lab.call("POST", "stickiness/templates/forgettable_zone")
    assert status == 201 and answer["path"].startswith("forgettable_zone") and "/" not in answer["path"]
    assert (lab.root / answer["path"]).exists()


@pytest.mark.parametrize(
    ("name", "body", "status", "message"),
    [
        ("quickstart", {"folder": "../"}, 400, "folder '../' is outside the server's root"),
        ("quickstart", {"folder": "api-tests/../../x"}, 400, "is outside the server's root"),
        ("quickstart", {"folder": 3}, 400, "folder must be a path relative to the server's root"),
        ("quickstart", ["not", "an", "object"], 400, "the body must be a JSON object"),
        ("weekly", {}, 404, "no template named 'weekly': choose one of quickstart, active_users"),
        ("quickstart", {"folder": "no/such/folder"}, 404, "no folder 'no/such/folder'"),
    ],
)
def test_post_refusals_say_why(lab: Lab, name: str, body: object, status: int, message: str) -> None:  # noqa: F811
    got, answer = lab.call("POST", f"stickiness/templates/{name}", body)
    assert got == status and message in answer["message"], answer


def test_the_api_needs_the_token(lab: Lab) -> None:  # noqa: F811
    assert lab.call("GET", "stickiness/templates", token=False)[0] == 403
    assert lab.call("POST", "stickiness/templates/quickstart", {}, token=False)[0] == 403
