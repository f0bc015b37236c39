"""The first cell of every template: the log (or the demo data), its ledger saved, the catalog and the segment."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import stickiness as st
from stickiness import Catalog, UsageLog
from stickiness._output import is_staging
from stickiness.typing import Source
from stickiness_notebooks.export import demo_inputs, save_ledger
from stickiness_notebooks.spec import report_by

__all__ = ["Inputs", "open_inputs"]


@dataclass(frozen=True)
class Inputs:
    """What a template works on: the read log, the use-case catalog (or None) and the segment column (or None).

    Unpacks as ``log, catalog, by = open_inputs(...)``.
    """

    log: UsageLog
    catalog: Catalog | None
    by: str | None

    def __iter__(self) -> Iterator[Any]:
        return iter((self.log, self.catalog, self.by))


def open_inputs(
    events: Source | None,
    *,
    out: str | Path,
    users: Source | None = None,
    use_cases: Any = None,
    profiles: Source | None = None,
    by: str | None = None,
    keep_null_like_ids: bool = False,
    account: str | None = None,
    **read_options: Any,
) -> Inputs:
    """Read a template's inputs: :func:`stickiness.read_log` with ``read_options``, then the catalog.

    With ``events=None`` the built-in demo log, users table, catalog and profiles are
    used (docs/demo-data.md). In a report run (``stickiness report``, ``write_report``)
    the row ledger is written to ``out/ledger.json`` first, so a run that stops later
    still accounts for every row (in ``OUT.failed/``); elsewhere ``export_report`` writes
    it with the tables, so that ``out`` stays whole. A log with no usable row
    stops here with :class:`~stickiness.EmptyLogError` (its message holds the ledger).
    ``by`` defaults to ``"persona"`` when the users table has that column.
    ``keep_null_like_ids=True`` reads ``NA``, ``NULL``, ... as user ids (``null_ids=()``).
    ``account`` names the users-table column of each user's account: the log is then counted
    per account (:func:`stickiness.by_account`; docs/accounts.md), its ledger too.

    >>> import tempfile
    >>> log, catalog, by = open_inputs(None, out=tempfile.mkdtemp())
    >>> by, sorted(catalog.use_cases)[:2], log.ledger.balanced
    ('persona', ['browse_homes', 'buy_home'], True)
    """
    if events is None:
        events, users, use_cases, profiles = demo_inputs()
    if keep_null_like_ids:
        read_options["null_ids"] = ()
    log = st.read_log(events, users=users, **read_options)
    if account is not None:
        log = st.by_account(log, account, null_ids=read_options.get("null_ids", st.NULL_IDS))
    if is_staging(out):  # outside a report run, an early write would mix this run's ledger with older tables
        save_ledger(log, out)
    log.require_rows()
    catalog = st.read_catalog(use_cases, profiles=profiles) if use_cases is not None else None
    if catalog is not None and catalog.note:  # a starter catalog partly filled in: say what was left out
        print(f"Note: {catalog.note}")
    return Inputs(log, catalog, report_by(log, by))
