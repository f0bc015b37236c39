"""The templates as text: what each holds, and the notebooks built from them (no kernel needed)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Any

import nbformat
import pytest
from stickiness_notebooks import TEMPLATES, new_notebook, template_notebook, template_source
from stickiness_notebooks.cli import OPTION_FLAGS
from stickiness_notebooks.run import parameter_names

from stickiness import InvalidOptionError
from stickiness.options import (
    AdoptionOptions,
    DormancyOptions,
    FitOptions,
    HabitOptions,
    NpsOptions,
    PredictionOptions,
    ReadOptions,
    RetentionOptions,
    ZoneOptions,
)

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "notebooks" / "stickiness_notebooks" / "templates"
#: Parameters every template has, so that `stickiness report` can run any of them on any log.
COMMON = {"events", "users", "by", "tz", "start", "as_of", "user_col", "time_col", "event_col", "out"}


def test_every_template_file_is_registered_and_every_registered_template_has_a_file() -> None:
    assert {p.stem for p in TEMPLATE_DIR.glob("*.py")} == set(TEMPLATES)
    assert {"quickstart", "active_users", "use_cases", "forgettable_zone"} <= set(TEMPLATES)


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_template_structure(name: str) -> None:
    notebook = template_notebook(name)
    nbformat.validate(notebook)
    cells = notebook.cells
    # opens with an explanation of the question, then one parameters cell
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith("# ")
    assert len(cells[0].source) > 300, "the opening cell explains the question and how to read the result"
    tagged = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    # (an instruction for the author may sit between them: tagged author, it is left off the report page)
    shown = [c for c in cells if "author" not in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and shown[1] is tagged[0]
    assert parameter_names(notebook) >= COMMON
    # every parameter has a comment saying what it is
    for line in tagged[0].source.splitlines():
        assert "  # " in line, f"parameter without a comment in {name}: {line}"
    # no log given: the demo data
    assert "events = None" in tagged[0].source and "open_inputs(" in template_source(name)
    # ends with the export cell (for the author: not on the report page), then the summary cell that report.html
    # opens with (issue 17; the scorecards' from stickiness.scorecard_findings), and every code cell has a title
    code = [c for c in cells if c.cell_type == "code"]
    assert "export_report(" in code[-2].source and "author" in code[-2].metadata["tags"]
    assert "report_summary(out, globals())" in code[-1].source and code[-1].metadata["tags"] == ["summary"]
    assert not any("Set the parameters" in c.source for c in shown)
    assert all(c.metadata.get("title") for c in shown[2:] if c.cell_type == "code")
    # kept as text with no outputs; the code is valid Python
    assert all(not c.get("outputs") for c in cells if c.cell_type == "code")
    for cell in cells:
        if cell.cell_type == "code":
            ast.parse(cell.source)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    assert notebook.metadata["stickiness"] == {"template": name}


def test_new_notebook_writes_the_template_ready_to_edit(tmp_path: Path) -> None:
    path = new_notebook("use_cases", tmp_path / "weekly review.ipynb")
    written = nbformat.read(path, as_version=4)
    assert [c.source for c in written.cells] == [c.source for c in template_notebook("use_cases").cells]
    assert new_notebook("quickstart", tmp_path).name == "quickstart.ipynb"  # a folder: NAME.ipynb inside it


def test_new_notebook_keeps_an_existing_file_unless_told(tmp_path: Path) -> None:
    target = tmp_path / "mine.ipynb"
    target.write_text("my edits")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        new_notebook("quickstart", target)
    assert target.read_text() == "my edits"
    new_notebook("quickstart", target, overwrite=True)
    assert nbformat.read(target, as_version=4).metadata["stickiness"]["template"] == "quickstart"


def test_unknown_template_and_bad_suffix_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(InvalidOptionError, match=r"no template named .weekly.*quickstart"):
        template_notebook("weekly")
    with pytest.raises(InvalidOptionError, match=r"ends in \.ipynb"):
        new_notebook("quickstart", tmp_path / "notes.txt")


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_papermill_reads_every_parameter(name: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """papermill parses the parameters cell line by line: a quote in a comment would hide the parameter from it."""
    papermill = pytest.importorskip("papermill")
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(template_notebook(name), path)
    found = set(papermill.inspect_notebook(str(path)))
    assert found == parameter_names(template_notebook(name))
    assert "Unable to parse" not in caplog.text


#: Template parameters that are no flag of `stickiness report`, and the option bundle field each stands for.
TEMPLATE_ONLY: dict[str, tuple[type[Any], str]] = {
    "k": (DormancyOptions, "k"),
    "limit": (DormancyOptions, "limit"),
    "min_age": (RetentionOptions, "min_age"),
    "cohort_mode": (RetentionOptions, "mode"),
    "leave_window": (AdoptionOptions, "window"),
    "depart_below": (FitOptions, "depart_below"),
    "grow_above": (FitOptions, "grow_above"),
    "grow_rate": (FitOptions, "grow_rate"),
    "cost_cols": (FitOptions, "costs"),
    "nps_min_responses": (NpsOptions, "min_responses"),
    "prediction_horizon": (PredictionOptions, "horizon_days"),
}
#: Where a template's parameter means another bundle's field than the flag of its name does.
PER_TEMPLATE: dict[str, dict[str, tuple[type[Any], str]]] = {
    "retention": {"min_users": (RetentionOptions, "min_users")},  # retention's min_users, not the zone's
}


def _bundle_field(template: str, name: str) -> tuple[type[Any], str] | None:
    flags = {flag[2:].replace("-", "_"): field for flag, field in OPTION_FLAGS.items()}
    return PER_TEMPLATE.get(template, {}).get(name) or flags.get(name) or TEMPLATE_ONLY.get(name)


def _parameter_values(name: str) -> dict[str, Any]:
    """The literal values the template's parameters cell assigns."""
    cell = next(c for c in template_notebook(name).cells if "parameters" in c.metadata.get("tags", []))
    assigns = [node for node in ast.parse(cell.source).body if isinstance(node, ast.Assign)]
    return {
        node.targets[0].id: ast.literal_eval(node.value) for node in assigns if isinstance(node.targets[0], ast.Name)
    }


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_parameters_cells_list_the_option_bundles_defaults(name: str) -> None:
    checked = 0
    for parameter, value in _parameter_values(name).items():
        target = _bundle_field(name, parameter)
        if target is None:
            continue  # a path, a column name or a switch of the template's own
        bundle, field = target
        default = getattr(bundle(), field)
        assert (tuple(value) if isinstance(value, list) else value) == default, (
            f"{name}: {parameter} = {value!r}, but {bundle.__name__}.{field} is {default!r}"
        )
        checked += 1
    assert checked >= 4  # tz, encoding, mixed_offsets, engine at least


def _open_inputs_keywords(name: str) -> dict[str, str]:
    """The keywords of the template's ``open_inputs(...)`` call, each with the name of the variable it passes."""
    calls = [
        node
        for node in ast.walk(ast.parse(template_source(name)))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open_inputs"
    ]
    assert len(calls) == 1, name
    return {k.arg: k.value.id for k in calls[0].keywords if k.arg and isinstance(k.value, ast.Name)}


#: The read options of `stickiness report` (tz, encoding, mixed_offsets, engine, memory_limit, ...).
READ_FLAGS = sorted(flag[2:].replace("-", "_") for flag, (bundle, _) in OPTION_FLAGS.items() if bundle is ReadOptions)


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_every_read_option_is_a_parameter_passed_to_read_log(name: str) -> None:
    # a read flag the template dropped would read the log without it (the CLI only notes unknown parameters)
    assert {"engine", "memory_limit"} <= set(READ_FLAGS)
    assert set(READ_FLAGS) <= parameter_names(template_notebook(name))
    passed = _open_inputs_keywords(name)
    assert {option: passed.get(option) for option in READ_FLAGS} == {option: option for option in READ_FLAGS}


def test_the_parameter_check_can_fail() -> None:
    # a template saying horizon = 364 would be caught: the bundle says otherwise
    bundle, field = _bundle_field("quickstart", "horizon") or (None, "")
    assert bundle is HabitOptions and getattr(bundle(), field) != 364
    assert _bundle_field("retention", "min_users") == (RetentionOptions, "min_users")
    assert _bundle_field("quickstart", "min_users") == (ZoneOptions, "min_users")


def _period_chart_calls(name: str) -> list[tuple[str, bool]]:
    """Each call of a chart taking period= in the template (``sw.NAME(...)``), and whether it passes period=."""
    widgets = pytest.importorskip("stickiness_widgets")
    calls = []
    for node in ast.walk(ast.parse(template_source(name))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if not (isinstance(node.func.value, ast.Name) and node.func.value.id == "sw"):
            continue
        if "period" in inspect.signature(getattr(widgets, node.func.attr)).parameters:
            calls.append((node.func.attr, any(keyword.arg == "period" for keyword in node.keywords)))
    return calls


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_period_charts_are_given_the_templates_period(name: str) -> None:
    # a chart never works the period out from the dates: the template passes the one its metrics used
    assert all(passed for _, passed in _period_chart_calls(name)), _period_chart_calls(name)


def test_the_period_chart_check_finds_the_calls() -> None:
    assert [chart for chart, _ in _period_chart_calls("quickstart")] == ["retention_chart", "lifecycle_chart"]
    assert len(_period_chart_calls("retention")) == 5
