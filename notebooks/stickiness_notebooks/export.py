"""The export cell of every template: tables, charts and the row ledger written to one folder."""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import stickiness_widgets as sw

from stickiness import UsageLog, write_table
from stickiness._output import REPORT_NAMES, is_staging, staged_folder
from stickiness_notebooks.handoff import write_handoff

__all__ = ["demo_inputs", "export_report", "save_ledger", "template_settings"]


def demo_inputs() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Return the built-in demo data as ``(events, users, use_cases, profiles)`` frames (docs/demo-data.md).

    >>> events, users, use_cases, profiles = demo_inputs()
    >>> events.columns
    ['user_id', 'timestamp', 'event']
    """
    from stickiness.demo import demo_catalog, demo_events, demo_use_case_profiles, demo_users

    return demo_events(), demo_users(), demo_catalog(), demo_use_case_profiles()


def save_ledger(log: UsageLog, out: str | Path) -> Path:
    """Write the log's row ledger to ``out/ledger.json`` (creating ``out``) and return the path.

    >>> import tempfile, stickiness as st
    >>> from stickiness.demo import demo_events
    >>> save_ledger(st.read_log(demo_events(users=20)), tempfile.mkdtemp()).name
    'ledger.json'
    """
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    return log.ledger.write_json(folder / "ledger.json")


def export_report(
    out: str | Path,
    *,
    log: UsageLog,
    tables: Mapping[str, pl.DataFrame | None],
    charts: Mapping[str, object] | None = None,
    formats: tuple[str, ...] = ("png", "svg"),
    spreadsheet_safe: bool = True,
    xlsx: bool = True,
    pptx: bool = True,
    summary: Sequence[str] | None = None,
    settings: Mapping[str, Any] | None = None,
    title: str = "Stickiness report",
) -> dict[str, list[Path]]:
    """Write ``out/tables/NAME.csv``, ``out/charts/NAME.{png,svg}``, ``out/ledger.json``, ``report.xlsx|pptx``.

    Tables given as None (a metric the notebook skipped) are not written. Charts
    are exported offline (vl-convert), in each of ``formats``. Text cells that
    start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a leading
    ``'`` so that spreadsheets do not run them (``spreadsheet_safe=False`` writes
    them verbatim; :func:`stickiness.write_table`). ``out`` is written whole: into a
    staging folder beside it, swapped in at the end (docs/outputs.md); an existing
    ``out`` holding other files than a report's is refused, as the swap would
    delete them.

    ``report.xlsx`` holds every table on its own sheet, then the ledger and
    ``settings``; ``report.pptx`` a title slide with ``summary`` (default: the
    headlines ``stickiness report`` prints, from these tables), then one slide per
    chart (:mod:`stickiness_notebooks.handoff`, docs/outputs.md). ``xlsx=False`` and
    ``pptx=False`` skip them. In a template, ``settings=template_settings(NAME, globals())``
    lists the parameters cell's values.

    >>> import tempfile, stickiness as st
    >>> from stickiness.demo import demo_events
    >>> log = st.read_log(demo_events(users=50))
    >>> written = export_report(tempfile.mkdtemp(), log=log, tables={"active_users": st.active_users(log)})
    Wrote 1 tables, 0 chart files, the ledger, report.xlsx and report.pptx to ...
    >>> [path.name for path in written["tables"] + written["handoff"] + written["ledger"]]
    ['active_users.csv', 'report.xlsx', 'report.pptx', 'ledger.json']
    """

    def export(folder: Path) -> dict[str, list[Path]]:
        written = _export(folder, log, tables, charts, formats=formats, spreadsheet_safe=spreadsheet_safe)
        written["handoff"] = write_handoff(
            folder,
            log=log,
            tables=tables,
            charts=charts or {},
            summary=_summary(tables, {**(settings or {}), "unit": log.unit}) if summary is None else summary,
            settings=dict(settings or {}),
            xlsx=xlsx,
            pptx=pptx,
            title=title,
        )
        return written

    if is_staging(out):  # a report run (stickiness report, write_report) is writing this folder whole
        written = export(Path(out))
        where = "to this report's folder"
    else:
        with staged_folder(out, names=REPORT_NAMES, option="out") as output:
            staged = export(output.path)
            folder = output.commit()
        written = {kind: [folder / p.relative_to(output.path) for p in paths] for kind, paths in staged.items()}
        where = f"to {folder}/"
    parts = [f"{len(written['tables'])} tables", f"{len(written['charts'])} chart files", "the ledger"]
    parts += [path.name for path in written["handoff"]]
    print(f"Wrote {', '.join(parts[:-1])} and {parts[-1]} {where}")
    return written


def _summary(tables: Mapping[str, pl.DataFrame | None], settings: Mapping[str, Any] | None) -> list[str]:
    """Return the title slide's lines: the report's findings in plain words, then the next steps."""
    from stickiness_notebooks.summary import summary_lines, table_findings

    return summary_lines(table_findings(tables, settings or {}))


def template_settings(template: str, namespace: Mapping[str, Any]) -> dict[str, Any]:
    """Return the values of ``template``'s parameters cell, in the cell's order, from a notebook's ``globals()``.

    >>> template_settings("active_users", {"events": None, "mau_window": 28, "unrelated": 1})
    {'events': None, 'mau_window': 28}
    """
    from stickiness_notebooks.templates import template_notebook

    cell = next(c for c in template_notebook(template).cells if "parameters" in c.metadata.get("tags", []))
    body = ast.parse(cell.source).body
    names = [t.id for node in body if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)]
    return {name: namespace[name] for name in dict.fromkeys(names) if name in namespace}


def _export(
    folder: Path,
    log: UsageLog,
    tables: Mapping[str, pl.DataFrame | None],
    charts: Mapping[str, object] | None,
    *,
    formats: tuple[str, ...],
    spreadsheet_safe: bool,
) -> dict[str, list[Path]]:
    (folder / "tables").mkdir(parents=True, exist_ok=True)
    written: dict[str, list[Path]] = {"tables": [], "charts": [], "ledger": [save_ledger(log, folder)]}
    for name, table in tables.items():
        if table is not None:
            path = write_table(table, folder / "tables" / f"{name}.csv", spreadsheet_safe=spreadsheet_safe)
            written["tables"].append(path)
    if charts:
        written["charts"] = sw.write_charts(charts, folder / "charts", formats=formats)  # type: ignore[arg-type]
    return written
