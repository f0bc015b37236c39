"""The export cell of every template: tables, charts and the row ledger written to one folder."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl
import stickiness_widgets as sw

from stickiness import UsageLog, write_table
from stickiness._output import REPORT_NAMES, is_staging, staged_folder

__all__ = ["demo_inputs", "export_report", "save_ledger"]


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
) -> dict[str, list[Path]]:
    """Write ``out/tables/NAME.csv``, ``out/charts/NAME.{png,svg}`` and ``out/ledger.json``; return the paths.

    Tables given as None (a metric the notebook skipped) are not written. Charts
    are exported offline (vl-convert), in each of ``formats``. Text cells that
    start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a leading
    ``'`` so that spreadsheets do not run them (``spreadsheet_safe=False`` writes
    them verbatim; :func:`stickiness.write_table`). ``out`` is written whole: into a
    staging folder beside it, swapped in at the end (docs/outputs.md); an existing
    ``out`` holding other files than a report's is refused, as the swap would
    delete them.

    >>> import tempfile, stickiness as st
    >>> from stickiness.demo import demo_events
    >>> log = st.read_log(demo_events(users=50))
    >>> written = export_report(tempfile.mkdtemp(), log=log, tables={"active_users": st.active_users(log)})
    Wrote 1 tables, 0 chart files and the ledger to ...
    >>> [path.name for path in written["tables"] + written["ledger"]]
    ['active_users.csv', 'ledger.json']
    """

    def export(folder: Path) -> dict[str, list[Path]]:
        return _export(folder, log, tables, charts, formats=formats, spreadsheet_safe=spreadsheet_safe)

    if is_staging(out):  # a report run (stickiness report, write_report) is writing this folder whole
        written = export(Path(out))
        where = "to this report's folder"
    else:
        with staged_folder(out, names=REPORT_NAMES, option="out") as output:
            staged = export(output.path)
            folder = output.commit()
        written = {kind: [folder / p.relative_to(output.path) for p in paths] for kind, paths in staged.items()}
        where = f"to {folder}/"
    print(f"Wrote {len(written['tables'])} tables, {len(written['charts'])} chart files and the ledger {where}")
    return written


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
