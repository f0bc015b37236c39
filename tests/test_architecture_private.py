"""No module imports another module's private names.

The rule: ``from p.m import _x`` (a name with a leading underscore) is allowed only
in ``p.m`` itself or a module *inside* it, i.e. when ``p.m`` is a package (its
``__init__`` importing its own ``_submodule``, or a module of the package
importing a private helper of it). A private module may be imported by
its own package (``from stickiness import _sources`` in ``stickiness.log``), and
public names may be imported from private modules (``from stickiness._sources
import Source``). A helper that several modules share gets a public name in its
(private) module. Checked over the three packages: ``stickiness``,
``stickiness_widgets`` and ``stickiness_notebooks``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {
    "stickiness": ROOT / "stickiness",
    "stickiness_widgets": ROOT / "widgets" / "stickiness_widgets",
    "stickiness_notebooks": ROOT / "notebooks" / "stickiness_notebooks",
}


def _modules() -> list[tuple[str, Path]]:
    found = []
    for package, folder in PACKAGES.items():
        for path in sorted(folder.rglob("*.py")):
            parts = [package, *path.relative_to(folder).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found.append((".".join(parts), path))
    return found


def private_imports(module: str, source: str) -> list[str]:
    """Return ``from X import _y`` imports in ``source`` that break the rule, as ``line: X._y``.

    >>> private_imports("stickiness.metrics.dormancy", "from stickiness.metrics.use_cases import _prepare, x")
    ['1: stickiness.metrics.use_cases._prepare']
    >>> private_imports("stickiness._engine._polars", "from stickiness._engine import _cast")
    []
    >>> private_imports("stickiness._engine", "from stickiness._engine import _polars")
    []
    >>> private_imports("stickiness.log", "from stickiness import _sources as sources")
    []
    >>> private_imports("stickiness_widgets.render", "from stickiness import _sources")
    ['1: stickiness._sources']
    """
    bad = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ImportFrom) or node.level or node.module is None:
            continue
        if node.module.split(".")[0] not in PACKAGES:
            continue
        for alias in node.names:
            private = alias.name.startswith("_") and not alias.name.startswith("__")
            inside = module == node.module or module.startswith(node.module + ".")
            if private and not inside:
                bad.append(f"{node.lineno}: {node.module}.{alias.name}")
    return bad


def test_no_module_imports_another_modules_private_names() -> None:
    found = {
        f"{path.relative_to(ROOT)}:{hit}": None
        for module, path in _modules()
        for hit in private_imports(module, path.read_text(encoding="utf-8"))
    }
    assert not found, "private names imported from another module (give them a public name):\n" + "\n".join(found)


def test_the_walk_sees_every_package() -> None:
    modules = dict(_modules())
    assert {"stickiness.metrics.use_cases", "stickiness_widgets.charts.spectrum", "stickiness_notebooks.run"} <= set(
        modules
    )
