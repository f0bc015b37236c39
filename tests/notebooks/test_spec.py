"""The report as data (stickiness_notebooks/spec.py): both report paths take their tables and charts from it."""

from __future__ import annotations

import datetime as dt
import inspect
from pathlib import Path
from typing import Any

import jupytext
import polars as pl
import pytest
import stickiness_widgets as sw
from polars.testing import assert_frame_equal
from stickiness_notebooks import spec, template_notebook, template_source
from stickiness_notebooks.cli import main
from stickiness_notebooks.run import parameter_names
from stickiness_notebooks.spec import QUICKSTART, Chart, Step

import stickiness as st

#: The quickstart's outputs as its export cell listed them by hand before the spec, and the power-user curve.
TABLES = [
    "active_users",
    "monthly_active_users",
    "power_users",  # issue 18
    "frequency_spectrum",
    "use_case_map",
    "drifting_users",
    "power_users_by_use_case",  # issue 18
    "unmapped_events",
    "habit_mix",  # issue 18
    "band_migration",  # issue 18
    "time_to_habit",  # issue 18
    "retention",
    "lifecycle",
    "growth_states",
    "inactive_users",
]
CHARTS = [
    "active_users",
    "monthly_active_users",
    "power_users",  # issue 18
    "frequency_spectrum",
    "use_case_map",
    "forgettable_zone",
    "power_users_by_use_case",  # issue 18
    "habit_mix",  # issue 18
    "band_migration",  # issue 18
    "retention",
    "lifecycle",
    "growth_states",
]


def test_the_quickstart_spec_lists_the_reports_tables_and_charts() -> None:
    assert [step.table for step in QUICKSTART] == TABLES
    assert spec.chart_names(QUICKSTART) == CHARTS


def test_every_step_names_a_public_metric_chart_and_template_parameter() -> None:
    # the parameters cell's names, the segment column the template derives from by (open_inputs' cell) and the
    # unit the log counts (log.unit, which report_outputs passes: docs/accounts.md)
    parameters = parameter_names(template_notebook("quickstart")) | {"segment", "unit"}
    for step in QUICKSTART:
        assert step.metric in st.__all__, step
        assert set(step.options) <= set(inspect.signature(getattr(st, step.metric)).parameters), step
        assert set(step.options.values()) <= parameters, step
        for chart in step.charts:
            assert chart.draw in sw.__all__, chart
            assert set(chart.options) <= set(inspect.signature(getattr(sw, chart.draw)).parameters), chart
            assert set(chart.options.values()) <= parameters, chart


def test_every_period_chart_draws_the_period_its_metric_computed() -> None:
    # a chart taking period= is given the report's period whenever its table's metric is computed with it
    drawn = 0
    for step in QUICKSTART:
        for chart in step.charts:
            if "period" in inspect.signature(getattr(sw, chart.draw)).parameters:
                assert step.options.get("period") == "period", step
                assert chart.options.get("period") == "period", chart
                drawn += 1
    assert drawn == 2  # retention and lifecycle


# --- both paths iterate the spec: a spec with one step less and one more changes both the same way ----------------


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    """A small log over three months (users 0-39, user i active every (i % 5 + 1)th day), users and a catalog."""
    start = dt.datetime(2024, 1, 1, 9)
    rows = [
        (f"u{i}", start + dt.timedelta(days=d), ("search", "save", "share")[(i + d) % 3])
        for i in range(40)
        for d in range(0, 90, i % 5 + 1)
    ]
    events = pl.DataFrame(rows, schema=["user_id", "timestamp", "event"], orient="row")
    paths = {"events": tmp_path / "events.csv", "users": tmp_path / "users.csv", "use_cases": tmp_path / "cat.csv"}
    events.write_csv(paths["events"])
    pl.DataFrame({"user_id": [f"u{i}" for i in range(40)], "persona": ["a", "b"] * 20}).write_csv(paths["users"])
    pl.DataFrame({"event": ["search", "save"], "use_case": ["find", "keep"]}).write_csv(paths["use_cases"])
    return paths


#: The quickstart without lifecycle, plus the cohort matrix and its chart: a metric added to the report.
ALTERED = (
    *(step for step in QUICKSTART if step.table != "lifecycle"),
    Step(
        "cohorts",
        "cohort_matrix",
        {"period": "period", "by": "by"},
        "retention and lifecycle",
        "cohorts",
        charts=(Chart("cohorts", "cohort_chart", {"period": "period"}),),
    ),
)


def run_template_in_process(name: str, parameters: dict[str, Any]) -> None:
    """Execute a template's code cells in one namespace, the parameters set after its parameters cell."""
    notebook = jupytext.reads(template_source(name), fmt="py:percent")
    namespace: dict[str, Any] = {}
    for cell in notebook.cells:
        if cell.cell_type == "code":
            exec(compile(cell.source, f"<{name} template>", "exec"), namespace)
            if "parameters" in cell.metadata.get("tags", []):
                namespace.update(parameters)


def outputs(folder: Path) -> tuple[list[str], list[str]]:
    return (
        sorted(p.stem for p in (folder / "tables").glob("*.csv")),
        sorted(p.name for p in (folder / "charts").glob("*")),
    )


def test_both_report_paths_take_their_tables_and_charts_from_the_spec(
    inputs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(spec, "QUICKSTART", ALTERED)
    files = ["--users", str(inputs["users"]), "--use-cases", str(inputs["use_cases"])]
    assert main(["report", str(inputs["events"]), *files, "--no-notebook", "--out", str(tmp_path / "d")]) == 0
    assert "cohorts" in capsys.readouterr().err  # the new step's progress line
    parameters = {key: str(path) for key, path in inputs.items()} | {"out": str(tmp_path / "nb")}
    run_template_in_process("quickstart", parameters)

    tables = sorted([*(t for t in TABLES if t != "lifecycle"), "cohorts"])
    charts = sorted(f"{c}.{f}" for c in [*(c for c in CHARTS if c != "lifecycle"), "cohorts"] for f in ("png", "svg"))
    assert outputs(tmp_path / "d") == outputs(tmp_path / "nb") == (tables, charts)
    for name in tables:
        notebook = pl.read_csv(tmp_path / "nb" / "tables" / f"{name}.csv")
        direct = pl.read_csv(tmp_path / "d" / "tables" / f"{name}.csv")
        # not bit-exact: use_case_map's adoption_rate (adopters / active) is 0.85 or 0.8500000000000001 from one
        # run to the next on the same log, in either path (polars' division kernel; seen before the spec, core)
        assert_frame_equal(notebook, direct, check_exact=False, rel_tol=1e-12)


def test_report_outputs_keeps_what_the_cells_computed(inputs: dict[str, Path]) -> None:
    log = st.read_log(inputs["events"], users=inputs["users"])
    values: dict[str, Any] = {"log": log, "catalog": None, "by": "persona", "mau_window": 30}
    edited = st.active_users(log, by="persona").head(3)  # a cell's table, edited by the analyst
    steps = {step.table: step for step in QUICKSTART}
    report = (steps["active_users"], steps["unmapped_events"])  # unmapped events needs a catalog
    got = spec.report_outputs(report, values | {"active_users": edited})
    assert got["tables"]["active_users"].equals(edited)
    assert got["tables"]["unmapped_events"] is None  # no catalog: no table (export_report skips it)
    assert list(got["charts"]) == ["active_users"]
    fresh = spec.report_outputs(report, values)["tables"]["active_users"]  # no cell: computed by the spec
    assert fresh.equals(st.active_users(log, window=30, by="persona"))
