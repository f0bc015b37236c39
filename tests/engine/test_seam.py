"""The engine seam is one package: no module of the core outside ``stickiness/_engine/`` tests which engine runs.

``stickiness/log.py`` stores the engine's name on the log (and checks it through
``_engine.check_engine``); every other module hands the log (or its frames) to
``_engine``, which reads the engine and picks the implementation.
"""

from __future__ import annotations

import ast
from pathlib import Path

import stickiness
from stickiness._engine import ENGINES

CORE = Path(stickiness.__file__).parent
#: Where engines may be named: the seam itself, and the log that stores the engine's name.
ALLOWED = (CORE / "_engine", CORE / "log.py")


def _mentions_engine(node: ast.AST) -> bool:
    """Whether an expression names an engine: ``x.engine``, a variable ``engine``, or "polars"/"duckdb"/"pyspark"."""
    for part in ast.walk(node):
        if isinstance(part, ast.Attribute) and part.attr == "engine":
            return True
        if isinstance(part, ast.Name) and part.id == "engine":
            return True
        if isinstance(part, ast.Constant) and part.value in ENGINES:
            return True
    return False


def engine_tests(source: str) -> list[int]:
    """The lines of ``source`` that compare, or match on, an engine (``log.engine == "polars"``, ...)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        compares = isinstance(node, ast.Compare) and _mentions_engine(node)
        matches = isinstance(node, ast.Match) and _mentions_engine(node.subject)
        if compares or matches:
            found.append(node.lineno)
    return found


def test_the_check_finds_an_engine_test() -> None:
    """The detector itself: each way of branching on an engine is found, passing the log on is not."""
    assert engine_tests('if log.engine == "polars":\n    pass') == [1]
    assert engine_tests('x = 1\nfast = engine != "duckdb"') == [2]
    assert engine_tests('ok = "pyspark" in names') == [1]
    assert engine_tests("match log.engine:\n    case _:\n        pass") == [1]
    assert engine_tests("frames = lift(log, days=days)\nn = len(frames) == 2") == []


def test_no_module_outside_the_seam_tests_the_engine() -> None:
    modules = [path for path in CORE.rglob("*.py") if not any(path.is_relative_to(allowed) for allowed in ALLOWED)]
    assert len(modules) > 30  # the walk found the core's modules
    offenders = {
        str(path.relative_to(CORE.parent)): lines
        for path in modules
        if (lines := engine_tests(path.read_text(encoding="utf-8")))
    }
    assert not offenders, f"engine tests outside stickiness/_engine/ (move them into the seam): {offenders}"
