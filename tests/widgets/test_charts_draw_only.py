"""Charts draw, they never decide: every chart's title comes from the core (stickiness.chart_headline).

A guard over the source of ``stickiness_widgets/charts``: no function there words a
finding (a name ending in ``_finding``), and every ``finding=`` given to ``finish`` is a
call of the core's :func:`stickiness.chart_headline`, or a name bound to one in the same
function. The one exception is ``empty_chart``'s "<what>: no data", which states no number.
"""

from __future__ import annotations

import ast
from pathlib import Path

CHARTS = Path(__file__).resolve().parents[2] / "widgets" / "stickiness_widgets" / "charts"
#: The core functions a chart may take its title from.
CORE = frozenset({"chart_headline"})


def _is_core_call(node: ast.AST | None) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return name in CORE


def _core_names(function: ast.FunctionDef) -> set[str]:
    """Return the names the function binds to a core call (``finding = chart_headline(...)``)."""
    names = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and _is_core_call(node.value):
            names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
    return names


def decisions(source: str, module: str) -> list[str]:
    """Return where a chart module words a finding itself, as ``module:line: what``.

    >>> decisions("def _x_finding(t):\\n    return f'{t} users'\\n", "m")
    ['m:1: defines _x_finding']
    >>> decisions("def c(t):\\n    return finish(t, title=None, finding=f'{t.height} rows')\\n", "m")
    ['m:2: finding= is not the core headline']
    >>> decisions("def c(t):\\n    h = chart_headline('nps', t)\\n    return finish(t, title=None, finding=h)\\n", "m")
    []
    """
    found = []
    tree = ast.parse(source)
    for function in (node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)):
        if function.name.endswith("_finding"):
            found.append(f"{module}:{function.lineno}: defines {function.name}")
        if function.name == "empty_chart":  # "<what>: no data": a chart with nothing to draw states no number
            continue
        bound = _core_names(function)
        for node in ast.walk(function):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if keyword.arg != "finding":
                    continue
                value = keyword.value
                if _is_core_call(value) or (isinstance(value, ast.Name) and value.id in bound):
                    continue
                found.append(f"{module}:{value.lineno}: finding= is not the core headline")
    return found


def test_no_chart_words_its_own_finding() -> None:
    found = [
        problem
        for path in sorted(CHARTS.glob("*.py"))
        for problem in decisions(path.read_text(encoding="utf-8"), path.name)
    ]
    assert found == [], "charts draw, they never decide: take the title from stickiness.chart_headline\n" + "\n".join(
        found
    )
