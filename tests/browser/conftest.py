"""Fixtures of the browser tests: a JupyterLab server, a headless chromium, and a page that cannot reach the network.

Nothing here is downloaded: the browser is Debian's chromium (CI: ``apt-get install -y
chromium fonts-liberation``; never ``playwright install``) and the server is the
``jupyter`` of this virtual environment. The test modules skip when chromium is absent.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Error, Page, Request, Route

from tests.conftest import CHROMIUM

__all__ = ["CHROMIUM", "Lab", "Watch", "offline_page"]

#: The server's token (the server listens on 127.0.0.1 only, for the test's lifetime).
TOKEN = "stickiness-browser-test"
#: Seconds to wait for the server to answer /api/status.
STARTUP_TIMEOUT = 60.0
#: The JupyterLab extension built from this tree (``npm run build`` in widgets/labextension, or ``pip install -e .``).
TREE_LABEXTENSION = Path(__file__).resolve().parents[2] / "widgets" / "labextension"

#: Where screenshots go: $ARTIFACTS_DIR (CI), else tests/browser/artifacts/ (gitignored).
ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR") or Path(__file__).with_name("artifacts"))

#: Lab settings for a quiet, deterministic page: no news or update toasts (no request leaves the machine),
#: and every notebook cell attached to the DOM (no windowing: outputs can be found by cell index).
LAB_SETTINGS: dict[str, dict[str, Any]] = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab server: its URL, token and root directory (where notebooks go)."""

    url: str
    token: str
    root: Path
    log: Path

    def api(self, method: str, path: str) -> Any:
        """Call the server's REST API (``path`` after ``/api/``) and return its JSON answer (None if empty)."""
        request = urllib.request.Request(
            f"{self.url}/api/{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def call(self, method: str, path: str, body: Any = None, *, token: bool = True) -> tuple[int, Any]:
        """Send ``body`` as JSON to ``path`` (after the server's URL); return the status and the JSON answer.

        Unlike :meth:`api`, an error status is returned, not raised; ``token=False`` sends no credentials.
        """
        headers = {"Authorization": f"token {self.token}"} if token else {}
        data = None if body is None else json.dumps(body).encode()
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(f"{self.url}/{path}", data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, answer = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, answer = error.code, error.read()
        return status, json.loads(answer) if answer.strip().startswith((b"{", b"[")) else answer.decode()

    def tree(self, notebook: str) -> str:
        """Return the URL that opens ``notebook`` (relative to the root) in Lab, logged in with the token."""
        return f"{self.url}/lab/tree/{notebook}?token={self.token}"

    def server_log(self) -> str:
        """Return what the server has written so far (for failure messages)."""
        return self.log.read_text(errors="replace")


@dataclass
class Watch:
    """What a page did: console errors, uncaught exceptions, and the requests blocked for leaving 127.0.0.1."""

    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def report(self) -> str:
        """Everything seen, for failure messages."""
        return (
            f"console errors: {self.console or 'none'}\n"
            f"page errors: {self.errors or 'none'}\n"
            f"blocked requests: {self.blocked or 'none'}"
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _write_settings(directory: Path) -> None:
    for name, values in LAB_SETTINGS.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def _tree_labextension(home: Path) -> list[str]:
    """Have Lab load this tree's build of the labextension, when it is built and newer than its source.

    The server extension comes from this tree (``PYTHONPATH``); so must the JavaScript that calls it,
    not a copy installed from another checkout. Without a fresh build, Lab loads the installed one.
    """
    build = TREE_LABEXTENSION / "build"
    sources = [*TREE_LABEXTENSION.joinpath("src").rglob("*.js"), TREE_LABEXTENSION / "package.json"]
    if (
        not (build / "package.json").exists()
        or max(p.stat().st_mtime for p in sources) > (build / "package.json").stat().st_mtime
    ):
        return []
    name = json.loads((build / "package.json").read_text())["name"]
    (home / "labextensions").mkdir(parents=True, exist_ok=True)
    (home / "labextensions" / name).symlink_to(build, target_is_directory=True)
    return [f"--LabApp.extra_labextensions_path={home / 'labextensions'}"]


def _wait_until_up(lab: Lab, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {process.returncode}:\n{lab.server_log()}")
        try:
            lab.api("GET", "status")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
        else:
            return
    raise RuntimeError(f"jupyter lab did not answer /api/status in {STARTUP_TIMEOUT:.0f} s:\n{lab.server_log()}")


def _stop(lab: Lab, process: subprocess.Popen[bytes]) -> None:
    """Delete the kernels through the REST API, then stop the server (SIGTERM, then SIGKILL)."""
    try:
        for kernel in lab.api("GET", "kernels") or []:
            lab.api("DELETE", f"kernels/{kernel['id']}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """Start ``jupyter lab`` (this environment's) on a free 127.0.0.1 port with a fixed token; stop it at the end.

    Its settings, workspaces, runtime files and IPython profile live in a temporary
    directory, so the user's own Jupyter set-up changes nothing.
    """
    base = tmp_path_factory.mktemp("jupyterlab")
    root, home = base / "notebooks", base / "home"
    root.mkdir()
    _write_settings(home / "settings")
    port = _free_port()
    jupyter = Path(sys.executable).with_name("jupyter")
    command = [
        str(jupyter) if jupyter.exists() else "jupyter",
        "lab",
        "--no-browser",
        "--allow-root",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.token={TOKEN}",
        "--LabApp.expose_app_in_browser=True",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={home / 'settings'}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        *_tree_labextension(home),
    ]
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
        "PYTHONWARNINGS": "",  # the kernel runs like a user's: no warnings filter of the test run reaches it
    }
    log = base / "server.log"
    lab = Lab(url=f"http://127.0.0.1:{port}", token=TOKEN, root=root, log=log)
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env, cwd=root)
        try:
            _wait_until_up(lab, process)
            yield lab
        finally:
            _stop(lab, process)


def offline_page(
    browser: Browser,
    watch: Watch,
    *,
    width: int = 1400,
    height: int = 1000,
    hosts: tuple[str, ...] = ("127.0.0.1",),
    allow: tuple[str, ...] = (),
) -> Page:
    """Open a page whose requests to anything but ``hosts`` (127.0.0.1) are aborted (and recorded in ``watch``).

    For a page opened from disk that must need nothing else: ``hosts=()`` and ``allow=(its file:// URL,)``.
    """
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)

    def route(route: Route, request: Request) -> None:
        if (
            urlsplit(request.url).hostname in hosts
            or request.url in allow
            or request.url.startswith(("data:", "blob:"))
        ):
            route.continue_()
        else:
            watch.blocked.append(request.url)
            route.abort()

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watch.console.append(message.text)

    def error(exception: Error) -> None:
        watch.errors.append(f"{exception.name}: {exception.message}")

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", console)
    page.on("pageerror", error)
    return page


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The folder for screenshots: $ARTIFACTS_DIR if set, else tests/browser/artifacts/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
