"""The Jupyter server side of the JupyterLab extension: the Launcher's "Stickiness" section, and reports.

The JupyterLab extension (``widgets/labextension``, shipped prebuilt in the wheel) calls:

``GET /stickiness/templates``
    ``{"templates": [{"name": "quickstart", "title": "Quickstart", "summary": "..."}, ...]}``,
    one per notebook template, in the Launcher's order (``stickiness_notebooks.TEMPLATES``).
``POST /stickiness/templates/NAME`` with ``{"folder": "reports/2026"}``
    writes the template ``NAME`` as a new notebook in that folder (relative to the server's
    root; the first free name of ``NAME.ipynb``, ``NAME1.ipynb``, ...) and answers ``201``
    with ``{"path": "reports/2026/NAME.ipynb"}``.

Bad requests write nothing and answer ``{"message": ...}`` saying why and what to do: 404 for an
unknown template or a folder that does not exist; 400 for a body that is not a JSON object, a
folder that is not a string, holds a control character, climbs out of the server's root (``..``)
or is a file; 403 for a hidden folder (a name starting with ``.`` at any depth) while the
contents manager's ``allow_hidden`` is False (Jupyter's default): the fix is a folder that is
not hidden, or ``--ContentsManager.allow_hidden=True``.

``POST /stickiness/reports`` with ``{"path": "reports/2026/quickstart.ipynb"}``
    makes the report of that notebook as it is saved (JupyterLab's "Make a stickiness report
    from this notebook" command saves it first): its template run headless with the values of
    its parameters cell into its ``out`` folder, by
    :func:`stickiness_notebooks.notebook_report.report_from_notebook` (``write_report``, as
    ``stickiness report`` does). Answers ``201`` with the files written, as paths relative to
    the server's root (None outside it) and on disk::

        {"template": "quickstart", "folder": "reports/2026/stickiness-report",
         "html": "reports/2026/stickiness-report/report.html", "pdf": ".../report.pdf" or null,
         "pdf_error": null or why no PDF was printed (e.g. no chromium), "os_folder": "/srv/.../stickiness-report"}

    A notebook that is missing is a 404; one that is not a stickiness template, a parameters
    cell with a value that is not plain, a report folder that cannot be written (or that
    another run is writing) a 400; a cell that fails a 422 naming the cell, its error and
    where the partial notebook is; anything else a 500 whose message points to the server's
    log. Every answer is a sentence, never a traceback.

Jupyter Server loads this module as an extension because the package installs
``etc/jupyter/jupyter_server_config.d/stickiness.json``; ``jupyter server extension list``
shows it. The templates are imported on the first request, not when the server starts.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from jupyter_core.utils import ensure_async
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_escape, url_path_join
from tornado import web

if TYPE_CHECKING:
    from jupyter_server.serverapp import ServerApp
    from jupyter_server.services.contents.manager import ContentsManager

__all__ = [
    "create_notebook",
    "folder_path",
    "hidden_part",
    "make_report",
    "notebook_on_disk",
    "refusal",
    "request_field",
    "request_folder",
    "template_list",
]

#: The API's route, under the server's base URL.
ROUTE: Final = "stickiness/templates"
#: The report API's route.
REPORT_ROUTE: Final = "stickiness/reports"


def template_list() -> list[dict[str, str]]:
    """Return every notebook template as ``{"name", "title", "summary"}``, in the Launcher's order.

    >>> [template["name"] for template in template_list()][0]
    'quickstart'
    """
    from stickiness_notebooks.templates import TEMPLATES

    return [dataclasses.asdict(template) for template in TEMPLATES.values()]


def refusal(status: int, message: str) -> web.HTTPError:
    """Return the ``HTTPError`` answering ``status`` with ``message`` shown as it is (a ``%`` included).

    >>> str(refusal(404, "no folder '100%'"))
    "HTTP 404: Not Found (no folder '100%')"
    """
    # As an argument, not the format: tornado formats log_message with its arguments.
    return web.HTTPError(status, "%s", message)


def _quoted(text: str, limit: int = 80) -> str:
    """``repr(text)``, cut to ``limit`` characters: a message echoes a name, never a whole request."""
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}..."


def folder_path(folder: object) -> str:
    """Return ``folder`` as a contents API path (``"a/b"``; ``""`` is the root), refusing any way out of the root.

    Raises
    ------
    tornado.web.HTTPError
        400 when ``folder`` is not a string, holds a control character or climbs out of the
        server's root (``..``).

    Examples
    --------
    >>> folder_path("/reports//2026/"), folder_path("")
    ('reports/2026', '')
    >>> folder_path("reports/../../etc")
    Traceback (most recent call last):
    ...
    tornado.web.HTTPError: HTTP 400: Bad Request (folder 'reports/../../etc' is outside ...)
    """
    if not isinstance(folder, str):
        raise refusal(400, "folder must be a path relative to the server's root, e.g. 'reports'")
    # A NUL or lone surrogate cannot name a file; the contents manager would answer a bare 404.
    if re.search(r"[\x00-\x1f\x7f\ud800-\udfff]", folder):
        message = f"folder {_quoted(folder)} holds a control character or a lone surrogate, which no file name can"
        raise refusal(400, f"{message}: choose a folder by its plain name, e.g. 'reports'")
    parts = [part for part in re.split(r"[/\\]", folder) if part not in ("", ".")]
    if ".." in parts:
        message = f"folder {_quoted(folder)} is outside the server's root: choose a folder inside it, e.g. 'reports'"
        raise refusal(400, message)
    return "/".join(parts)


def hidden_part(path: str) -> str | None:
    """Return the first name in the contents API ``path`` that is hidden (starts with ``.``), else None.

    >>> hidden_part("reports/.cache/2026"), hidden_part(".ipynb"), hidden_part("reports/2026..")
    ('.cache', '.ipynb', None)
    """
    return next((part for part in path.split("/") if part.startswith(".")), None)


async def _check_folder(manager: Any, path: str) -> None:
    """Refuse ``path`` unless it is a folder the contents manager may write into (see the module's doc)."""
    hidden = f"folder {_quoted(path)} is hidden"
    fix = (
        "and this Jupyter server does not write hidden files: choose a folder that is not hidden, "
        "or start the server with --ContentsManager.allow_hidden=True"
    )
    allow_hidden = bool(getattr(manager, "allow_hidden", False))
    part = hidden_part(path)
    if part is not None and not allow_hidden:
        raise refusal(403, f"{hidden} ({part!r} starts with '.'), {fix}")
    if not await ensure_async(manager.dir_exists(path)):
        if await ensure_async(manager.file_exists(path)):
            parent = path.rpartition("/")[0]
            holder = f"{_quoted(parent)}" if parent else "'' (the server's root)"
            raise refusal(400, f"{_quoted(path)} is a file, not a folder: give the folder that holds it, {holder}")
        raise refusal(404, f"no folder {_quoted(path)} under the server's root: create it first, or choose another")
    # Hidden by the file system too (e.g. macOS's hidden flag), as the contents manager judges it.
    if not allow_hidden and await ensure_async(manager.is_hidden(path)):
        raise refusal(403, f"{hidden}, {fix}")


async def create_notebook(contents: ContentsManager, name: str, folder: object) -> str:
    """Write the template ``name`` as a new notebook in ``folder`` through ``contents``; return its path.

    The notebook is named ``NAME.ipynb``, or ``NAME1.ipynb``, ``NAME2.ipynb``, ... when
    that name is taken: nothing is overwritten. A hidden ``folder`` is refused unless
    ``contents.allow_hidden`` is True.

    Raises
    ------
    tornado.web.HTTPError
        Nothing written; 404 for an unknown template or a folder that does not exist, 403 for
        a hidden folder, 400 for a folder outside the root, with a control character, or a file.
    """
    from stickiness_notebooks.templates import TEMPLATES, template_notebook

    if name not in TEMPLATES:
        raise refusal(404, f"no template named {_quoted(name)}: choose one of {', '.join(TEMPLATES)}")
    path = folder_path(folder)
    manager: Any = contents  # jupyter_server's contents managers are not annotated
    await _check_folder(manager, path)
    filename: str = await ensure_async(manager.increment_filename(f"{name}.ipynb", path, insert=""))
    target = f"{path}/{filename}" if path else filename
    model = {"type": "notebook", "format": "json", "content": template_notebook(name)}
    await ensure_async(manager.save(model, target))
    return target


class _Handler(APIHandler):
    """An API handler whose error answers carry the message as written (APIHandler's doubles each ``%``)."""

    auth_resource = "contents"

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Answer ``{"message": ..., "reason": ...}`` for an ``HTTPError``; anything else as APIHandler does."""
        error = kwargs["exc_info"][1] if kwargs.get("exc_info") else None
        if not isinstance(error, web.HTTPError) or not error.log_message:
            super().write_error(status_code, **kwargs)
            return
        self.set_header("Content-Type", "application/json")
        message = error.log_message % error.args  # tornado escapes '%' in log_message when there are no args
        self.log.warning("wrote error: %r", message)
        self.finish(json.dumps({"message": message, "reason": error.reason}))


class TemplatesHandler(_Handler):
    """``GET /stickiness/templates``: the notebook templates."""

    @web.authenticated
    @authorized
    def get(self) -> None:
        """Answer ``{"templates": [...]}``."""
        self.finish(json.dumps({"templates": template_list()}))


class NewNotebookHandler(_Handler):
    """``POST /stickiness/templates/NAME`` with ``{"folder": ...}``: a new notebook from template ``NAME``."""

    @web.authenticated
    @authorized
    async def post(self, name: str) -> None:
        """Create the notebook; answer ``201 {"path": ...}``."""
        path = await create_notebook(self.contents_manager, name, request_folder(self.request.body))
        self.set_status(201)
        self.set_header("Location", url_path_join(self.base_url, "api", "contents", url_escape(path)))
        self.finish(json.dumps({"path": path}))


def request_folder(body: bytes) -> object:
    """Return the ``folder`` of a POST's JSON ``body`` (``""``, the root, when the body is empty or has none).

    Raises
    ------
    tornado.web.HTTPError
        400 when the body is not a JSON object in UTF-8.

    Examples
    --------
    >>> request_folder(b'{"folder": "reports"}'), request_folder(b""), request_folder(b"{}")
    ('reports', '', '')
    >>> request_folder(b"[1]")
    Traceback (most recent call last):
    ...
    tornado.web.HTTPError: HTTP 400: Bad Request (the body must be a JSON object such as {"folder": "reports"}, ...)
    """
    folder = request_field(body, "folder", example='"reports"')
    return "" if folder is None else folder


def request_field(body: bytes, name: str, *, example: str = "...") -> object:
    """Return the field ``name`` of a POST's JSON ``body`` (None when the body is empty or has none).

    Raises
    ------
    tornado.web.HTTPError
        400 when the body is not a JSON object in UTF-8.

    Examples
    --------
    >>> request_field(b'{"path": "a.ipynb"}', "path"), request_field(b"", "path"), request_field(b"{}", "path")
    ('a.ipynb', None, None)
    """
    if not body.strip():
        return None
    try:
        parsed = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        parsed = None
    if not isinstance(parsed, dict):
        raise refusal(400, f'the body must be a JSON object such as {{"{name}": {example}}}, in UTF-8')
    return parsed.get(name)


class ReportHandler(_Handler):
    """``POST /stickiness/reports`` with ``{"path": ...}``: the report of a saved template notebook."""

    auth_resource = "kernels"  # it runs the template in a kernel of its own

    @web.authenticated
    @authorized
    async def post(self) -> None:
        """Write the report; answer ``201`` with the files written."""
        path = request_field(self.request.body, "path", example='"quickstart.ipynb"')
        root, notebook = await notebook_on_disk(self.contents_manager, path)
        # In a thread: the template runs for a minute or more, and the server keeps serving meanwhile.
        run = functools.partial(make_report, root, notebook, log=self.log)
        answer = await asyncio.get_running_loop().run_in_executor(None, run)
        self.set_status(201)
        self.finish(json.dumps(answer))


async def notebook_on_disk(contents: ContentsManager, path: object) -> tuple[Path, str]:
    """Return the server's root on disk and ``path`` as a contents API path, once it names a notebook there.

    Raises
    ------
    tornado.web.HTTPError
        400 for a path that is not a string, climbs out of the root or is not a ``.ipynb``;
        403 for a hidden one (as :func:`create_notebook`); 404 when there is no such notebook;
        501 when the server's notebooks are not files on its disk.
    """
    if not isinstance(path, str) or not path.strip():
        raise refusal(400, 'give the notebook\'s path from the server\'s root, e.g. {"path": "quickstart.ipynb"}')
    clean = folder_path(path)
    manager: Any = contents  # jupyter_server's contents managers are not annotated
    if not clean.endswith(".ipynb"):
        raise refusal(400, f"{_quoted(clean)} is not a notebook: a report is made from a template's .ipynb")
    part = hidden_part(clean)
    if part is not None and not bool(getattr(manager, "allow_hidden", False)):
        raise refusal(403, f"{_quoted(clean)} is hidden ({part!r} starts with '.'): move the notebook out of it")
    if not await ensure_async(manager.file_exists(clean)):
        raise refusal(404, f"no notebook {_quoted(clean)} under the server's root: save it first")
    root = getattr(manager, "root_dir", None)
    if not isinstance(root, str) or not Path(root, clean).is_file():
        raise refusal(501, "this server keeps its notebooks elsewhere than on its disk: run `stickiness report`")
    return Path(root).resolve(), clean


def make_report(root: Path, path: str, *, log: Any = None) -> dict[str, Any]:
    """Make the report of the notebook ``root/path``; return the API's answer (see the module's doc).

    Raises
    ------
    tornado.web.HTTPError
        Each failure as a sentence: 404, 400, 422 (a cell failed) or 500 (see the module's doc).
    """
    from stickiness import StickinessError
    from stickiness_notebooks.notebook_report import notebook_parameters
    from stickiness_notebooks.report import write_report
    from stickiness_notebooks.run import TemplateCellError

    try:
        asked = notebook_parameters(root / path)
        files = write_report(asked.template, asked.out, asked.values, progress=False)
    except FileNotFoundError as err:
        raise refusal(404, str(err)) from None
    except TemplateCellError as err:
        where = _relative(root, err.notebook) or str(err.notebook)
        failed = f'the cell "{err.title}" (In [{err.cell}]) failed with {err.ename}: {err.evalue}'
        raise refusal(422, f"{failed}. The report folder is left as it was; the partial notebook is {where}") from None
    except StickinessError as err:  # a parameter, the notebook or the report folder: the message says what to do
        raise refusal(400, str(err)) from None
    except Exception as err:  # a bug: its message goes to the user, its traceback to the server's log
        if log is not None:
            log.exception("stickiness: the report of %s failed", path)
        failed = f"the report of {_quoted(path)} failed ({type(err).__name__}: {err})"
        raise refusal(500, f"{failed}: the server's log has the details") from None
    return {
        "template": asked.template,
        "folder": _relative(root, asked.out),
        "html": _relative(root, files.html),
        "pdf": _relative(root, files.pdf),
        "notebook": _relative(root, files.notebook),
        "pdf_error": files.pdf_error,
        "os_folder": str(asked.out),
    }


def _relative(root: Path, path: Path | None) -> str | None:
    """Return ``path`` from the server's ``root`` as a contents API path, or None when it is outside the root."""
    if path is None:
        return None
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return None


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "stickiness_notebooks.lab"}]


def _load_jupyter_server_extension(server_app: ServerApp) -> None:
    web_app: web.Application = server_app.web_app  # jupyter_server's subclass leaves add_handlers unannotated
    base = url_path_join(web_app.settings["base_url"], ROUTE)
    reports = url_path_join(web_app.settings["base_url"], REPORT_ROUTE)
    handlers = [
        (base, TemplatesHandler),
        (url_path_join(base, "([^/]+)"), NewNotebookHandler),
        (reports, ReportHandler),
    ]
    web_app.add_handlers(".*$", handlers)
    server_app.log.info("stickiness: notebook templates for the Launcher at %s, reports at %s", base, reports)
