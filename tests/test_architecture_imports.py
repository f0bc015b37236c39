"""Imports point down only: notebooks -> widgets -> core (README's layout; docs/api.md, "Command line").

The core package (``stickiness/``) never imports the Jupyter layer (``stickiness_widgets``) or the notebook
layer (``stickiness_notebooks``), not even lazily inside a function; the Jupyter layer never imports the
notebook layer. Checked on the source with ``ast``, so that a branch the tests never run is checked too.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Each package folder and the packages above it, which it must not import.
ABOVE = {
    ROOT / "stickiness": {"stickiness_widgets", "stickiness_notebooks"},
    ROOT / "widgets" / "stickiness_widgets": {"stickiness_notebooks"},
}


def imported_packages(source: str) -> list[tuple[int, str]]:
    """Return ``(line, top-level package)`` of every import in ``source``, at any depth.

    ``import a.b``, ``from a.b import c``, and ``importlib.import_module("a.b")`` / ``__import__("a")``
    with a literal name all count; relative imports (``from . import x``) stay inside their package.

    >>> imported_packages("import os.path\\ndef f():\\n    from polars import col\\n    return import_module('x.y')")
    [(1, 'os'), (3, 'polars'), (4, 'x')]
    """
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.partition(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.partition(".")[0]))
        elif isinstance(node, ast.Call) and _is_import_call(node.func) and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((node.lineno, first.value.partition(".")[0]))
    return sorted(found)


def _is_import_call(func: ast.expr) -> bool:
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return name in ("import_module", "__import__")


def upward_imports(folder: Path, banned: set[str]) -> list[str]:
    """Return ``path:line imports package`` for every import of a ``banned`` package under ``folder``."""
    return [
        f"{path.relative_to(folder.parent)}:{line} imports {package}"
        for path in sorted(folder.rglob("*.py"))
        for line, package in imported_packages(path.read_text(encoding="utf-8"))
        if package in banned
    ]


@pytest.mark.parametrize("folder", list(ABOVE), ids=lambda folder: folder.name)
def test_no_package_imports_a_package_above_it(folder: Path) -> None:
    assert list(folder.rglob("*.py")), folder  # the folder is where the layout says
    assert upward_imports(folder, ABOVE[folder]) == []


def test_the_check_finds_lazy_and_dynamic_imports(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "m.py").write_text(
        "import polars\n"
        "def chart():\n"
        "    import stickiness_widgets as sw\n"  # lazy, inside a function
        "    return sw\n"
        "def report():\n"
        "    from stickiness_notebooks.spec import QUICKSTART\n"
        "    return importlib.import_module('stickiness_widgets.export'), QUICKSTART\n"
        "from . import sibling\n"  # relative: inside the package
    )
    found = upward_imports(tmp_path, {"stickiness_widgets", "stickiness_notebooks"})
    assert [entry.split(":", 1)[1] for entry in found] == [
        "3 imports stickiness_widgets",
        "6 imports stickiness_notebooks",
        "7 imports stickiness_widgets",
    ]


def test_import_stickiness_loads_neither_layer_above() -> None:
    code = (
        "import sys, stickiness, stickiness.demo, stickiness.models; "
        "print(sorted(m for m in sys.modules if m.startswith(('stickiness_widgets', 'stickiness_notebooks'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
