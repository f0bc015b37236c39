"""The report's summary, read from the tables it wrote: what a template's summary cell shows and report.html opens with.

The findings are the core's (:func:`stickiness.report_findings`, or for the scorecards
template's tables :func:`stickiness.scorecard_findings`); here they are read from
``OUT/tables/*.csv`` as written, so that every number in the summary is one of the
tables' numbers, whichever template wrote them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import polars as pl

from stickiness import Findings, read_table, report_findings, scorecard_findings
from stickiness.findings.scorecards import SCORECARD_TABLES

__all__ = ["SCORECARD_TABLES", "SUMMARY_TABLES", "report_summary", "summary_lines", "table_findings"]

#: The tables the findings read, by their file name in ``tables/`` (the others are not read: a CRM list can be long).
SUMMARY_TABLES: Final = (
    "active_users",
    "monthly_active_users",
    "power_users",
    "frequency_spectrum",
    "use_case_map",
    "drifting_users",
    "unmapped_events",
    "retention",
    "lifecycle",
    "inactive_users",
)
#: The report parameters that word the findings (the templates' and the command line's names).
_OPTIONS: Final = ("mau_window", "habit_window", "threshold", "majority", "min_users", "period", "inactive_days")
#: The scorecards template's parameters that word its findings, by scorecard_findings' names.
_SCORECARD_OPTIONS: Final = {
    "depart_below": "depart_below",
    "nps_min_responses": "min_responses",
    "prediction_horizon": "horizon_days",
}


def read_tables(folder: str | Path) -> dict[str, pl.DataFrame]:
    """Read back the summary's tables (the report's and the scorecards') from ``folder/tables`` as written.

    The spreadsheet-safe prefix is undone.
    """
    tables = Path(folder) / "tables"
    paths = (tables / f"{name}.csv" for name in (*SUMMARY_TABLES, *SCORECARD_TABLES))
    return {path.stem: read_table(path) for path in paths if path.exists()}


def report_summary(out: str | Path, values: Mapping[str, Any]) -> Findings:
    """Return the findings of the report written to ``out``, worded with the report's parameters in ``values``.

    ``values`` is the template's namespace (``globals()``) or the command's options:
    ``mau_window``, ``threshold``, ... where present, and ``catalog`` (None: no
    catalog was given; absent: told from the use-case map). A folder holding only
    the scorecards' tables (``health_summary``, ``nps``, ``fit_matrix``, ...: the
    scorecards template's) gets :func:`stickiness.scorecard_findings`, worded with
    ``depart_below``, ``nps_min_responses`` and ``prediction_horizon``. What the tables count
    (``"user"``, or ``"account"`` for a log of :func:`stickiness.by_account`) is the unit of
    ``out/ledger.json``, written from the same log (a notebook variable named ``unit`` does not change it).

    Examples
    --------
    >>> import tempfile, stickiness as st
    >>> from stickiness.demo import demo_events
    >>> folder = Path(tempfile.mkdtemp()); (folder / "tables").mkdir()
    >>> _ = st.write_table(st.retention(st.read_log(demo_events(users=60))), folder / "tables" / "retention.csv")
    >>> report_summary(folder, {"min_users": 5}).topic("retention").sentence.startswith("Retention in the month")
    True
    """
    return _findings(read_tables(out), {**values, "unit": _ledger_unit(out)})


def _ledger_unit(out: str | Path) -> str:
    """Return the unit the report's ledger says its log counts (``"user"`` without a ledger, as a log as read)."""
    ledger = Path(out) / "ledger.json"
    return str(json.loads(ledger.read_text()).get("unit", "user")) if ledger.exists() else "user"


def table_findings(tables: Mapping[str, pl.DataFrame | None], values: Mapping[str, Any]) -> Findings:
    """Return the findings of the report's tables in memory, worded with the parameters in ``values``.

    As :func:`report_summary`, from frames rather than the written CSVs (``None``: a table the run skipped);
    ``values["unit"]`` is the log's unit (default ``"user"``).
    """
    return _findings({name: table for name, table in tables.items() if table is not None}, values)


def _findings(tables: Mapping[str, pl.DataFrame], values: Mapping[str, Any]) -> Findings:
    """Return the usage report's findings, or the scorecards' when the tables are only scorecards' tables."""
    report = {name: table for name, table in tables.items() if name in SUMMARY_TABLES}
    scorecards = {name: table for name, table in tables.items() if name in SCORECARD_TABLES}
    if scorecards and not report:  # the scorecards template's report (the two sets of names do not meet)
        options = {
            ours: values[theirs] for theirs, ours in _SCORECARD_OPTIONS.items() if values.get(theirs) is not None
        }
        return scorecard_findings(scorecards, **options)
    options = {name: values[name] for name in _OPTIONS if values.get(name) is not None}
    catalog = (values["catalog"] is not None) if "catalog" in values else None
    return report_findings(report, **options, catalog=catalog, unit=values.get("unit") or "user")


def summary_lines(findings: Findings) -> list[str]:
    """Return the findings as lines for a slide or a sheet: each topic's sentence, then the numbered next steps.

    >>> from stickiness import report_findings
    >>> summary_lines(report_findings({}, catalog=False))[0].startswith("No use-case catalog")
    True
    """
    steps = [f"Next step {n}: {step}" for n, step in enumerate(findings.next_steps, 1)]
    return [*findings.sentences(), *steps]
