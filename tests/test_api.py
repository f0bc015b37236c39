from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import stickiness

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _docs() -> str:
    return "\n".join(page.read_text(encoding="utf-8") for page in sorted(DOCS.glob("*.md")))


def _undocumented(names: list[str], docs: str) -> list[str]:
    """The names no page of docs/ shows as code (`` `name``); ``__version__`` needs no page."""
    return [name for name in names if name != "__version__" and f"`{name}" not in docs]


def test_every_public_name_exists_once() -> None:
    assert len(set(stickiness.__all__)) == len(stickiness.__all__)
    for name in stickiness.__all__:
        assert getattr(stickiness, name) is not None, name


def test_every_public_name_is_documented() -> None:
    # a new public name needs a line in docs/ (e.g. docs/api.md), not an edit here
    missing = _undocumented(stickiness.__all__, _docs())
    assert not missing, f"document these in docs/ (e.g. docs/api.md): {missing}"


def test_an_undocumented_name_is_found() -> None:
    docs = "| `use_case_map(data, ...)` | the map |"
    assert _undocumented(["use_case_map", "no_such_metric", "__version__"], docs) == ["no_such_metric"]


def test_import_loads_polars_and_narwhals_only() -> None:
    code = (
        "import sys, stickiness; "
        "mods = ('duckdb', 'pandas', 'pyarrow', 'altair', 'ipywidgets', 'IPython', 'jupyter_client', 'numpy'); "
        "bad = [m for m in mods if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_errors_inherit_the_matching_builtin() -> None:
    assert issubclass(stickiness.ColumnNotFoundError, KeyError)
    assert issubclass(stickiness.MixedTimeZoneError, ValueError)
    assert issubclass(stickiness.UnsupportedSourceError, TypeError)
    assert issubclass(stickiness.EmptyLogError, ValueError)
    assert issubclass(stickiness.InvalidValueError, ValueError)
    assert issubclass(stickiness.ModelFitError, ValueError)


def test_models_load_on_first_use() -> None:
    code = (
        "import sys, stickiness; before = 'numpy' in sys.modules; "
        "fit = stickiness.fit_bg_nbd; print(before, 'stickiness.models' in sys.modules, fit.__module__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True", "stickiness.models.bg_nbd"]
