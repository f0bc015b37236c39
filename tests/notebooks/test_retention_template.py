"""The retention template run headless with its own options: each option reaches its metric, tables match.

(test_run_templates.py runs every template with its defaults on the demo data and on CDNOW.)
"""

from __future__ import annotations

import json

import nbformat
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from stickiness_notebooks import ReportFiles, template_notebook, write_report
from stickiness_notebooks.run import parameter_names

import stickiness as st
from stickiness.demo import demo_catalog, demo_events, demo_use_case_profiles, demo_users

#: Weekly periods over six months keep the run short; every other option moved off its default.
OPTIONS = {
    "start": "2026-01-01",
    "period": "week",
    "cohort_mode": "on_or_after",
    "k": 3.0,
    "limit": 60,
    "horizon": 180,
    "inactive_days": 14,
    "leave_window": 30,
    "min_age": 7,
}
TABLES = (
    "retention",
    "cohorts",
    "lifecycle",
    "one_and_done",
    "repeat_rate",
    "dormancy",
    "inactive_users",
    "adoption",
    "time_to_first_use",
    "leave_points",
)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    return write_report("retention", tmp_path_factory.mktemp("retention"), OPTIONS, pdf=False, progress=False)


@pytest.fixture(scope="module")
def log() -> st.UsageLog:
    return st.read_log(demo_events(), users=demo_users(), start="2026-01-01")


@pytest.fixture(scope="module")
def catalog() -> st.Catalog:
    return st.read_catalog(demo_catalog(), profiles=demo_use_case_profiles())


def _table(report: ReportFiles, name: str) -> pl.DataFrame:
    return pl.read_csv(report.html.parent / "tables" / f"{name}.csv", try_parse_dates=True, infer_schema_length=None)


def test_every_option_is_a_parameter() -> None:
    assert set(OPTIONS) <= parameter_names(template_notebook("retention"))


def test_it_writes_every_table_chart_and_the_ledger(report: ReportFiles, log: st.UsageLog) -> None:
    folder = report.html.parent
    assert sorted(p.stem for p in (folder / "tables").glob("*.csv")) == sorted(TABLES)
    charts = {p.name for p in (folder / "charts").glob("*")}
    names = ("retention", "cohorts", "retention_curve", "lifecycle", "adoption", "leave_points")
    assert charts == {f"{name}.{fmt}" for name in names for fmt in ("png", "svg")}
    assert json.loads((folder / "ledger.json").read_text()) == log.ledger.to_dict()


def test_period_metrics_follow_the_options(report: ReportFiles, log: st.UsageLog) -> None:
    options = {"period": "week", "by": "persona"}
    assert_frame_equal(_table(report, "retention"), st.retention(log, **options), check_dtypes=False)
    assert_frame_equal(_table(report, "lifecycle"), st.lifecycle(log, **options), check_dtypes=False)
    cohorts = st.cohort_matrix(log, mode="on_or_after", **options)
    assert_frame_equal(_table(report, "cohorts"), cohorts, check_dtypes=False)
    assert_frame_equal(
        _table(report, "one_and_done"), st.one_and_done(log, by="persona", min_age=7), check_dtypes=False
    )


def test_user_metrics_follow_the_options(report: ReportFiles, log: st.UsageLog, catalog: st.Catalog) -> None:
    inactive = st.inactive_users(log, days=14, k=3.0, limit=60, horizon=180)
    assert_frame_equal(_table(report, "inactive_users"), inactive, check_dtypes=False)
    assert _table(report, "inactive_users")["days_since"].min() >= 14
    leave = st.where_users_leave(log, catalog, limit=60, window=30)
    assert_frame_equal(_table(report, "leave_points"), leave, check_dtypes=False)
    adoption = st.feature_adoption(log, catalog, period="week")
    assert_frame_equal(_table(report, "adoption"), adoption, check_dtypes=False)


def test_the_charts_state_their_findings_in_the_report(report: ReportFiles) -> None:
    executed = nbformat.read(report.notebook, as_version=4)
    titles = [
        output["data"]["application/vnd.vegalite.v5+json"]["title"]["text"]
        for cell in executed.cells
        for output in cell.get("outputs", [])
        if "application/vnd.vegalite.v5+json" in output.get("data", {})
    ]
    assert len(titles) == 6
    assert titles[0].startswith("Churn in the week of ")
    assert titles[3].startswith("Lifecycle in the week of ")
    page = report.html.read_text(encoding="utf-8")
    assert "Traceback" not in page and all(json.dumps(t)[1:-1] in page for t in titles)


def test_the_template_says_how_to_read_each_section() -> None:
    cells = template_notebook("retention").cells
    headings = [c.source.splitlines()[0] for c in cells if c.cell_type == "markdown"]
    for section in ("Retention and churn", "Cohorts", "Lifecycle", "One-and-done", "dormancy", "adoption", "leave"):
        assert any(section.lower() in h.lower() for h in headings), section
