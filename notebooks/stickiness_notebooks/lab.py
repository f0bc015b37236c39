"""The Jupyter server side of the JupyterLab Launcher's "Stickiness" section: list the templates, create one.

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

Jupyter Server loads this module as an extension because the package installs
``etc/jupyter/jupyter_server_config.d/stickiness.json``; ``jupyter server extension list``
shows it. The templates are imported on the first request, not when the server starts.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import TYPE_CHECKING, Any, Final

from jupyter_core.utils import ensure_async
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_escape, url_path_join
from tornado import web

if TYPE_CHECKING:
    from jupyter_server.serverapp import ServerApp
    from jupyter_server.services.contents.manager import ContentsManager

__all__ = ["create_notebook", "folder_path", "hidden_part", "refusal", "request_folder", "template_list"]

#: The API's route, under the server's base URL.
ROUTE: Final = "stickiness/templates"


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
    if not body.strip():
        return ""
    try:
        parsed = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        parsed = None
    if not isinstance(parsed, dict):
        raise refusal(400, 'the body must be a JSON object such as {"folder": "reports"}, in UTF-8')
    return parsed.get("folder", "")


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "stickiness_notebooks.lab"}]


def _load_jupyter_server_extension(server_app: ServerApp) -> None:
    web_app: web.Application = server_app.web_app  # jupyter_server's subclass leaves add_handlers unannotated
    base = url_path_join(web_app.settings["base_url"], ROUTE)
    web_app.add_handlers(".*$", [(base, TemplatesHandler), (url_path_join(base, "([^/]+)"), NewNotebookHandler)])
    server_app.log.info("stickiness: notebook templates for the Launcher at %s", base)
