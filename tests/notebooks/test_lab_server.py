"""The server extension behind the JupyterLab Launcher's "Stickiness" section (stickiness_notebooks.lab).

First its logic, on a real contents manager in a temporary folder; then its HTTP API on a real
``jupyter lab`` (the browser tests' server, which loads the extension as an installed package does),
and on a ``jupyter server`` started with ``--ContentsManager.allow_hidden=True``. Every refusal is
a 4xx whose message says why and what to do, and writes nothing (issue 14: hidden folders were
written into, with a 500).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from stickiness_notebooks.lab import create_notebook, folder_path, hidden_part, request_folder, template_list
from stickiness_notebooks.templates import TEMPLATES, new_notebook, template_notebook
from tornado.web import HTTPError

from tests.browser.conftest import TOKEN, Lab, _free_port, _stop, _wait_until_up, lab  # noqa: F401 (lab: the server)

EXTENSION = "stickiness-launcher"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The server's root: a folder inside the test's own, so that a way out of it would show."""
    (tmp_path / "root" / "reports" / "2026").mkdir(parents=True)
    return tmp_path / "root"


@pytest.fixture
def contents(root: Path) -> AsyncLargeFileManager:
    return AsyncLargeFileManager(root_dir=str(root))


def create(contents: AsyncLargeFileManager, name: str, folder: object) -> str:
    # In a thread of its own: the browser tests' Playwright (sync API) keeps an event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, create_notebook(contents, name, folder)).result()


def refused(contents: AsyncLargeFileManager, name: str, folder: object) -> tuple[int, str]:
    """Ask for a notebook that must be refused: return the status and the message the API would answer."""
    with pytest.raises(HTTPError) as caught:
        create(contents, name, folder)
    return caught.value.status_code, str(caught.value.log_message) % caught.value.args


def notebooks(root: Path) -> list[str]:
    """Every file under ``root`` (checkpoints included), relative to it: what a request wrote."""
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


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
    status, message = refused(contents, "quickstart", folder)
    assert status == 400
    assert "outside the server's root" in message
    assert not list(tmp_path.glob("**/*.ipynb"))


def test_a_path_inside_the_root_with_dots_is_not_an_escape() -> None:
    assert folder_path("reports/2026/..a") == "reports/2026/..a"
    assert folder_path("./reports") == "reports"


def test_an_unknown_template_or_folder_is_a_404_that_says_what_exists(contents: AsyncLargeFileManager) -> None:
    assert refused(contents, "weekly", "") == (404, f"no template named 'weekly': choose one of {', '.join(TEMPLATES)}")
    status, message = refused(contents, "quickstart", "nowhere")
    assert status == 404
    assert "no folder 'nowhere'" in message


# --- hidden folders: refused unless the contents manager's allow_hidden is True (issue 14) --------------------------

HIDDEN = [".hidden", ".hidden/sub", "reports/.cache", "reports/2026/.a/b"]
FIX = "choose a folder that is not hidden, or start the server with --ContentsManager.allow_hidden=True"


def test_hidden_part_is_the_first_name_starting_with_a_dot() -> None:
    assert [hidden_part(path) for path in ["", "reports", ".a/.b", "reports/.cache/x", "a/b/.ipynb", "a./b.."]] == [
        None,
        None,
        ".a",
        ".cache",
        ".ipynb",
        None,
    ]


@pytest.mark.parametrize("folder", HIDDEN)
def test_a_hidden_folder_is_refused_and_nothing_is_written(
    contents: AsyncLargeFileManager, root: Path, folder: str
) -> None:
    (root / folder).mkdir(parents=True)
    before = notebooks(root)
    assert contents.allow_hidden is False  # Jupyter's default
    status, message = refused(contents, "quickstart", folder)
    assert status == 403
    assert message.startswith(f"folder {folder!r} is hidden ({hidden_part(folder)!r} starts with '.')")
    assert message.endswith(FIX)
    assert notebooks(root) == before


def test_a_hidden_folder_that_does_not_exist_is_refused_as_hidden(contents: AsyncLargeFileManager) -> None:
    status, message = refused(contents, "quickstart", "reports/.nope")
    assert status == 403 and message.endswith(FIX)


@pytest.mark.parametrize("folder", HIDDEN)
def test_with_allow_hidden_a_hidden_folder_gets_its_notebook(root: Path, folder: str) -> None:
    (root / folder).mkdir(parents=True)
    contents = AsyncLargeFileManager(root_dir=str(root), allow_hidden=True)
    assert create(contents, "retention", folder) == f"{folder}/retention.ipynb"
    assert nbformat.read(root / folder / "retention.ipynb", as_version=4).metadata["stickiness"] == {
        "template": "retention"
    }


# --- other bad input: a clear 4xx, nothing written ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("folder", "status", "message"),
    [
        (
            "reports/2026/data.csv",
            400,
            "'reports/2026/data.csv' is a file, not a folder: give the folder that holds it, 'reports/2026'",
        ),
        ("data.csv", 400, "'data.csv' is a file, not a folder: give the folder that holds it, '' (the server's root)"),
        (
            "a\x00b",
            400,
            "folder 'a\\x00b' holds a control character or a lone surrogate, which no file name can: "
            "choose a folder by its plain name, e.g. 'reports'",
        ),
        ("reports\n", 400, "holds a control character"),
        ("\ud800", 400, "holds a control character or a lone surrogate"),
        (None, 400, "folder must be a path relative to the server's root, e.g. 'reports'"),
        ("100%", 404, "no folder '100%' under the server's root"),  # a '%' shown once, as typed
        ("x" * 300, 404, f"no folder {'x' * 80!r}... under the server's root"),  # a long name cut to 80 characters
    ],
)
def test_other_bad_folders_are_a_4xx_that_says_why(
    contents: AsyncLargeFileManager, root: Path, folder: object, status: int, message: str
) -> None:
    (root / "data.csv").write_text("user,time\n")
    (root / "reports" / "2026" / "data.csv").write_text("user,time\n")
    before = notebooks(root)
    got, said = refused(contents, "quickstart", folder)
    assert got == status and message in said, said
    assert notebooks(root) == before


@pytest.mark.parametrize(
    "name", ["../quickstart", "quick/start", "quickstart ", ".quickstart", "a%b", "\x00", "é" * 200]
)
def test_an_odd_template_name_is_an_unknown_template(contents: AsyncLargeFileManager, root: Path, name: str) -> None:
    status, message = refused(contents, name, "")
    assert status == 404
    assert message.startswith(f"no template named {name[:80]!r}")
    assert message.endswith(f": choose one of {', '.join(TEMPLATES)}")
    assert notebooks(root) == []


@pytest.mark.parametrize("body", [b"not json", b'{"folder": "\xff"}', b"null", b"[]", b'"reports"', b"3"])
def test_a_body_that_is_not_a_json_object_is_a_400(body: bytes) -> None:
    with pytest.raises(HTTPError) as caught:
        request_folder(body)
    assert caught.value.status_code == 400
    assert (
        str(caught.value)
        == 'HTTP 400: Bad Request (the body must be a JSON object such as {"folder": "reports"}, in UTF-8)'
    )


def test_an_empty_body_or_none_folder_is_the_root() -> None:
    assert [request_folder(body) for body in [b"", b"  \n", b"{}", b'{"other": 1}']] == ["", "", "", ""]


# --- installed: what `pip install -e .` put in the environment ----------------------------------------------------


def test_the_install_put_the_labextension_and_enabled_the_server_extension() -> None:
    prefix = Path(sys.prefix)
    fix = "build and install it with `pip install -e .` (needs node and npm on PATH)"
    package = prefix / "share" / "jupyter" / "labextensions" / EXTENSION / "package.json"
    assert package.exists(), f"no prebuilt {EXTENSION} in {package.parent.parent}: {fix}"
    load = json.loads(package.read_text())["jupyterlab"]["_build"]["load"]
    assert (package.parent / load).exists(), f"{EXTENSION} names {load}, which is missing: {fix}"
    config = prefix / "etc" / "jupyter" / "jupyter_server_config.d" / "stickiness.json"
    assert json.loads(config.read_text()) == {"ServerApp": {"jpserver_extensions": {"stickiness_notebooks.lab": True}}}


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
        ("quickstart", {"folder": "api-tests/.hidden"}, 403, "folder 'api-tests/.hidden' is hidden"),
        ("quickstart", {"folder": ".hidden/sub"}, 403, "--ContentsManager.allow_hidden=True"),
        ("quickstart", {"folder": "api-tests/file.txt"}, 400, "'api-tests/file.txt' is a file, not a folder"),
        ("quickstart", {"folder": "a\x00b"}, 400, "holds a control character"),
        ("quickstart", {"folder": "100%"}, 404, "no folder '100%' under"),
        ("a%b", {}, 404, "no template named 'a%b'"),
        ("..%2F..%2Fetc", {}, 404, "no template named '../../etc'"),
    ],
)
def test_post_refusals_say_why(lab: Lab, name: str, body: object, status: int, message: str) -> None:  # noqa: F811
    for folder in (".hidden/sub", "api-tests/.hidden"):
        (lab.root / folder).mkdir(parents=True, exist_ok=True)
    (lab.root / "api-tests" / "file.txt").write_text("")
    before = notebooks(lab.root)
    got, answer = lab.call("POST", f"stickiness/templates/{name}", body)
    assert got == status and message in answer["message"], answer
    assert notebooks(lab.root) == before


@pytest.mark.parametrize("body", [b"not json", b'{"folder": "\xff"}', b"[1]"])
def test_post_with_a_body_that_is_not_a_json_object_is_a_400(lab: Lab, body: bytes) -> None:  # noqa: F811
    request = urllib.request.Request(
        f"{lab.url}/stickiness/templates/quickstart",
        data=body,
        method="POST",
        headers={"Authorization": f"token {TOKEN}"},
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=30)
    got, answer = caught.value.code, json.loads(caught.value.read())
    assert got == 400 and answer["message"].startswith("the body must be a JSON object"), answer


@pytest.fixture(scope="module")
def lab_allowing_hidden(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """A ``jupyter server`` (this environment's, with the extension) started with ``allow_hidden=True``."""
    base = tmp_path_factory.mktemp("allow-hidden")
    root = base / "notebooks"
    root.mkdir()
    port = _free_port()
    jupyter = Path(sys.executable).with_name("jupyter")
    command = [str(jupyter) if jupyter.exists() else "jupyter", "server", "--no-browser", "--allow-root"]
    command += ["--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}"]
    command += [f"--ServerApp.root_dir={root}", "--ContentsManager.allow_hidden=True"]
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(base / "runtime")}
    server = Lab(url=f"http://127.0.0.1:{port}", token=TOKEN, root=root, log=base / "server.log")
    with server.log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env, cwd=root)
        try:
            _wait_until_up(server, process)
            yield server
        finally:
            _stop(server, process)


def test_post_into_hidden_folders_works_when_the_server_allows_hidden(lab_allowing_hidden: Lab) -> None:
    for folder in HIDDEN:
        (lab_allowing_hidden.root / folder).mkdir(parents=True)
    answers = [lab_allowing_hidden.call("POST", "stickiness/templates/quickstart", {"folder": f}) for f in HIDDEN]
    assert answers == [(201, {"path": f"{folder}/quickstart.ipynb"}) for folder in HIDDEN]
    assert all((lab_allowing_hidden.root / folder / "quickstart.ipynb").exists() for folder in HIDDEN)


def test_the_api_needs_the_token(lab: Lab) -> None:  # noqa: F811
    assert lab.call("GET", "stickiness/templates", token=False)[0] == 403
    assert lab.call("POST", "stickiness/templates/quickstart", {}, token=False)[0] == 403


# --- POST /stickiness/reports: the report of a saved notebook ------------------------------------------------------


@pytest.fixture(scope="module")
def report_folder(lab: Lab) -> str:  # noqa: F811
    """A folder with a template notebook, a plain one, a text file and a hidden notebook."""
    folder = lab.root / "report-api"
    (folder / ".hidden").mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]), folder / "plain.ipynb")
    (folder / "notes.txt").write_text("not a notebook")
    new_notebook("active_users", folder / ".hidden" / "hidden.ipynb")
    coded = template_notebook("active_users")
    parameters = next(c for c in coded.cells if "parameters" in c.metadata.get("tags", []))
    parameters.source = parameters.source.replace("mau_window = 30", "mau_window = 7 * 2")
    nbformat.write(coded, folder / "coded.ipynb")
    return "report-api"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({}, 400, "give the notebook's path from the server's root"),
        ({"path": 3}, 400, "give the notebook's path from the server's root"),
        ({"path": "../x.ipynb"}, 400, "is outside the server's root"),
        ({"path": "report-api/notes.txt"}, 400, "'report-api/notes.txt' is not a notebook"),
        ({"path": "report-api/missing.ipynb"}, 404, "no notebook 'report-api/missing.ipynb' under the server's root"),
        ({"path": "report-api/.hidden/hidden.ipynb"}, 403, "is hidden ('.hidden' starts with '.')"),
        ({"path": "report-api/plain.ipynb"}, 400, "plain.ipynb is not a stickiness template notebook"),
        ({"path": "report-api/coded.ipynb"}, 400, "sets mau_window = 7 * 2, which is not a plain value"),
        (["a"], 400, 'the body must be a JSON object such as {"path": "quickstart.ipynb"}'),
    ],
)
def test_report_refusals_say_why_and_write_nothing(
    lab: Lab,  # noqa: F811
    report_folder: str,
    body: object,
    status: int,
    message: str,
) -> None:
    before = notebooks(lab.root)
    got, answer = lab.call("POST", "stickiness/reports", body)
    assert got == status and message in answer["message"], answer
    assert "Traceback" not in answer["message"]
    assert notebooks(lab.root) == before


def test_a_report_whose_cell_fails_names_the_cell_and_keeps_the_folder(lab: Lab, report_folder: str) -> None:  # noqa: F811
    broken = template_notebook("active_users")
    parameters = next(c for c in broken.cells if "parameters" in c.metadata.get("tags", []))
    parameters.source = parameters.source.replace("events = None", 'events = "no-such-log.csv"')
    nbformat.write(broken, lab.root / report_folder / "broken.ipynb")
    got, answer = lab.call("POST", "stickiness/reports", {"path": f"{report_folder}/broken.ipynb"})
    assert got == 422, answer
    # the log named relative to the notebook, as its kernel in Lab reads it
    assert "failed with" in answer["message"] and "no-such-log.csv" in answer["message"], answer
    # out = None (the templates' default): the report folder is named after the notebook, beside it
    assert f"the partial notebook is {report_folder}/broken-report.failed/report.ipynb" in answer["message"]
    assert "Traceback" not in answer["message"]
    assert not (lab.root / report_folder / "broken-report").exists()
    assert (lab.root / report_folder / "broken-report.failed" / "report.ipynb").exists()


def test_the_report_api_needs_the_token(lab: Lab) -> None:  # noqa: F811
    assert lab.call("POST", "stickiness/reports", {"path": "x.ipynb"}, token=False)[0] == 403
