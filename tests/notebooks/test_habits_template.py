"""The "Habits over time" template (habits) run headless on the demo log with its own options.

Its tables must equal the metrics computed directly with the same options, its summary must carry
the power-user line, and the report must pass the checks every template's report passes
(test_run_templates.py, called here on this one report so as not to run every template again).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from stickiness_notebooks import TEMPLATES, ReportFiles, template_notebook, write_report
from stickiness_notebooks.cli import main
from stickiness_notebooks.run import parameter_names

import stickiness as st
from stickiness.demo import demo_catalog, demo_events, demo_users
from tests.notebooks import test_run_templates as every_template

#: Off the defaults: a 28-day window, and only the key actions of the demo's agents and buyers count; weekly
#: habit-mix ends, a 14-day migration, time to the daily band, a 60-day habit window.
KEY_EVENTS = ["crm_note_added", "lead_contacted", "tour_booked", "offer_submitted", "search_run"]
OPTIONS = {
    "mau_window": 28,
    "active_events": KEY_EVENTS,
    "mix_period": "week",
    "migration_days": 14,
    "habit_band": "daily",
    "habit_window": 60,
}
TABLES = (
    "power_users",
    "power_users_by_use_case",
    "growth_states",
    "growth_transitions",
    "habit_mix",
    "band_migration",
    "time_to_habit",
)
CHARTS = ("power_users", "power_users_by_use_case", "growth_states", "habit_mix", "band_migration")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    return write_report("habits", tmp_path_factory.mktemp("habits") / "report", OPTIONS, pdf=False, progress=False)


@pytest.fixture(scope="module")
def log() -> st.UsageLog:
    return st.read_log(demo_events(), users=demo_users())


def _table(report: ReportFiles, name: str) -> pl.DataFrame:
    return pl.read_csv(report.html.parent / "tables" / f"{name}.csv", try_parse_dates=True, infer_schema_length=None)


def test_it_is_registered_and_its_options_are_parameters() -> None:
    assert TEMPLATES["habits"].title == "Habits over time"
    assert set(OPTIONS) <= parameter_names(template_notebook("habits"))


def test_stickiness_new_writes_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new"]) == 0
    assert "habits" in capsys.readouterr().out  # listed with the others
    target = tmp_path / "weekly habits.ipynb"
    assert main(["new", "habits", str(target)]) == 0
    assert nbformat.read(target, as_version=4).metadata["stickiness"]["template"] == "habits"


def test_it_writes_its_tables_and_charts(report: ReportFiles) -> None:
    folder = report.html.parent
    assert sorted(p.stem for p in (folder / "tables").glob("*.csv")) == sorted(TABLES)
    assert {p.name for p in (folder / "charts").glob("*")} == {f"{c}.{f}" for c in CHARTS for f in ("png", "svg")}


def test_tables_equal_the_metrics_with_the_same_options(report: ReportFiles, log: st.UsageLog) -> None:
    catalog = st.read_catalog(demo_catalog())
    options = {"by": "persona", "active_events": KEY_EVENTS}
    habits = {"by": "persona", "window": 60}
    expected = {
        "power_users": st.power_users(log, window=28, **options),
        "power_users_by_use_case": st.power_users_by_use_case(log, catalog, window=28, by="persona"),
        "growth_states": st.growth_states(log, **options),
        "growth_transitions": st.growth_transitions(log, **options),
        "habit_mix": st.habit_mix(log, catalog, period="week", **habits),
        "band_migration": st.band_migration(log, catalog, period_days=14, **habits),
        "time_to_habit": st.time_to_habit(log, catalog, band="daily", **habits),
    }
    for name, table in expected.items():
        assert_frame_equal(_table(report, name), table, check_dtypes=False, check_exact=False, rel_tol=1e-9)
    # the options reached the metrics: 28 bars, and fewer active users than with every event
    assert _table(report, "power_users")["active_days"].max() == 28
    assert expected["power_users"]["users"].sum() < st.power_users(log, window=28, by="persona")["users"].sum()


def test_the_summary_opens_with_the_power_user_line(report: ReportFiles) -> None:
    page = report.html.read_text(encoding="utf-8")
    curve = _table(report, "power_users")
    agent = curve.filter(pl.col("persona") == "agent", pl.col("active_days") >= 19)  # 20 per 30 of 28: 18.67, up
    share = agent["share"].sum()
    assert "Power users (active on 19 or more of the last 28 days" in page
    assert f"agent {share:.1%} of MAU ({agent['users'].sum():,} of" in page
    assert page.index("Power users (active on") < page.index("The power-user curve")  # the summary comes first


def test_the_page_is_self_contained_with_every_chart(report: ReportFiles) -> None:
    every_template.test_demo_report_is_one_self_contained_page_with_every_chart("habits", {"habits": report})


def test_the_folder_has_the_ledger_workbook_and_deck(report: ReportFiles, log: st.UsageLog) -> None:
    every_template.test_demo_report_folder_has_tables_charts_and_ledger("habits", {"habits": report}, log)
