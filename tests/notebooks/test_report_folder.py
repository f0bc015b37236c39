"""Each template run in JupyterLab writes to its own folder, named after the notebook (docs/api.md, templates)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import uuid
from pathlib import Path

import pytest
from stickiness_notebooks import new_notebook, report_folder, run_template

from stickiness.demo import demo_events
from tests.browser.conftest import Lab, lab  # noqa: F401 (lab: a real JupyterLab server)


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


def test_new_names_the_folder_the_notebook_writes_to(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from stickiness_notebooks.cli import main

    assert main(["new", "retention", str(tmp_path / "weekly.ipynb")]) == 0
    assert f"its export cell writes to {tmp_path / 'weekly-report'}/" in capsys.readouterr().out


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


def _run_in_kernel(server: Lab, kernel: str, code: str) -> str:
    """Execute ``code`` in a kernel of the server over its websocket; return what it printed."""
    from tornado.websocket import websocket_connect

    async def run() -> str:
        url = f"{server.url.replace('http', 'ws', 1)}/api/kernels/{kernel}/channels?token={server.token}"
        socket = await websocket_connect(url)
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "msg_type": "execute_request", "username": "test", "session": msg_id}
        header |= {"date": "", "version": "5.3"}
        content = {"code": code, "silent": False, "store_history": False, "user_expressions": {}, "stop_on_error": True}
        message = {"header": header, "parent_header": {}, "metadata": {}, "content": content, "channel": "shell"}
        await socket.write_message(json.dumps(message))
        printed = []
        while True:
            reply = json.loads(await asyncio.wait_for(socket.read_message(), timeout=120))  # type: ignore[arg-type]
            if reply.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = reply["header"]["msg_type"]
            if kind == "stream":
                printed.append(reply["content"]["text"])
            elif kind == "error":
                printed.append(f"{reply['content']['ename']}: {reply['content']['evalue']}")
            elif kind == "status" and reply["content"]["execution_state"] == "idle":
                socket.close()
                return "".join(printed)

    # in a thread of its own: the browser tests' Playwright (sync API) keeps an event loop running in this one
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


def test_in_jupyterlab_the_kernel_names_the_folder_after_its_notebook(lab: Lab) -> None:  # noqa: F811
    # a notebook opened in a subfolder of the server's root, as JupyterLab opens it: a session for its path
    (lab.root / "weekly").mkdir()
    new_notebook("active_users", lab.root / "weekly" / "review.ipynb")
    session = {"path": "weekly/review.ipynb", "name": "review.ipynb", "type": "notebook", "kernel": {"name": "python3"}}
    status, answer = lab.call("POST", "api/sessions", session)
    assert status == 201, answer
    try:
        code = "import os\nfrom stickiness_notebooks import report_folder\nprint(report_folder(None), os.getcwd())"
        printed = _run_in_kernel(lab, answer["kernel"]["id"], code)
    finally:
        lab.call("DELETE", f"api/sessions/{answer['id']}")
    folder, cwd = printed.split()
    assert folder == "review-report", lab.server_log()[-2000:]
    assert Path(cwd) == lab.root / "weekly"  # so the folder is beside the notebook
