"""The Jupyter server side of the JupyterLab Launcher's "Stickiness" section: list the templates, create one.

The JupyterLab extension (``widgets/labextension``, shipped prebuilt in the wheel) calls:

``GET /stickiness/templates``
    ``{"templates": [{"name": "quickstart", "title": "Quickstart", "summary": "..."}, ...]}``,
    one per notebook template, in the Launcher's order (``stickiness_notebooks.TEMPLATES``).
``POST /stickiness/templates/NAME`` with ``{"folder": "reports/2026"}``
    writes the template ``NAME`` as a new notebook in that folder (relative to the server's
    root; the first free name of ``NAME.ipynb``, ``NAME1.ipynb``, ...) and answers ``201``
    with ``{"path": "reports/2026/NAME.ipynb"}``. An unknown template or folder is a 404, a
    folder outside the root a 400, each with a message that says what to do.

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

__all__ = ["create_notebook", "folder_path", "template_list"]

#: The API's route, under the server's base URL.
ROUTE: Final = "stickiness/templates"


def template_list() -> list[dict[str, str]]:
    """Return every notebook template as ``{"name", "title", "summary"}``, in the Launcher's order.

    >>> [template["name"] for template in template_list()][0]
    'quickstart'
    """
    from stickiness_notebooks.templates import TEMPLATES

    return [dataclasses.asdict(template) for template in TEMPLATES.values()]


def folder_path(folder: object) -> str:
    """Return ``folder`` as a contents API path (``"a/b"``; ``""`` is the root), refusing any way out of the root.

    Raises
    ------
    tornado.web.HTTPError
        400 when ``folder`` is not a string or climbs out of the server's root (``..``).

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
        raise web.HTTPError(400, "folder must be a path relative to the server's root, e.g. 'reports'")
    parts = [part for part in re.split(r"[/\\]", folder) if part not in ("", ".")]
    if ".." in parts:
        message = f"folder {folder!r} is outside the server's root: choose a folder inside it, e.g. 'reports'"
        raise web.HTTPError(400, message.replace("%", "%%"))
    return "/".join(parts)


async def create_notebook(contents: ContentsManager, name: str, folder: str) -> str:
    """Write the template ``name`` as a new notebook in ``folder`` through ``contents``; return its path.

    The notebook is named ``NAME.ipynb``, or ``NAME1.ipynb``, ``NAME2.ipynb``, ... when
    that name is taken: nothing is overwritten.

    Raises
    ------
    tornado.web.HTTPError
        404 for an unknown template or a folder that does not exist, 400 for a folder outside the root.
    """
    from stickiness_notebooks.templates import TEMPLATES, template_notebook

    if name not in TEMPLATES:
        message = f"no template named {name!r}: choose one of {', '.join(TEMPLATES)}"
        raise web.HTTPError(404, message.replace("%", "%%"))
    path = folder_path(folder)
    manager: Any = contents  # jupyter_server's contents managers are not annotated
    if not await ensure_async(manager.dir_exists(path)):
        message = f"no folder {path!r} under the server's root: create it first, or choose another"
        raise web.HTTPError(404, message.replace("%", "%%"))
    filename: str = await ensure_async(manager.increment_filename(f"{name}.ipynb", path, insert=""))
    target = f"{path}/{filename}" if path else filename
    model = {"type": "notebook", "format": "json", "content": template_notebook(name)}
    await ensure_async(manager.save(model, target))
    return target


class TemplatesHandler(APIHandler):
    """``GET /stickiness/templates``: the notebook templates."""

    auth_resource = "contents"

    @web.authenticated
    @authorized
    def get(self) -> None:
        """Answer ``{"templates": [...]}``."""
        self.finish(json.dumps({"templates": template_list()}))


class NewNotebookHandler(APIHandler):
    """``POST /stickiness/templates/NAME`` with ``{"folder": ...}``: a new notebook from template ``NAME``."""

    auth_resource = "contents"

    @web.authenticated
    @authorized
    async def post(self, name: str) -> None:
        """Create the notebook; answer ``201 {"path": ...}``."""
        body = self.get_json_body() or {}
        if not isinstance(body, dict):
            raise web.HTTPError(400, 'the body must be a JSON object such as {"folder": "reports"}')
        path = await create_notebook(self.contents_manager, name, body.get("folder", ""))
        self.set_status(201)
        self.set_header("Location", url_path_join(self.base_url, "api", "contents", url_escape(path)))
        self.finish(json.dumps({"path": path}))


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "stickiness_widgets.lab"}]


def _load_jupyter_server_extension(server_app: ServerApp) -> None:
    web_app: web.Application = server_app.web_app  # jupyter_server's subclass leaves add_handlers unannotated
    base = url_path_join(web_app.settings["base_url"], ROUTE)
    web_app.add_handlers(".*$", [(base, TemplatesHandler), (url_path_join(base, "([^/]+)"), NewNotebookHandler)])
    server_app.log.info("stickiness: notebook templates for the Launcher at %s", base)
