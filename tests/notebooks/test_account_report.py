"""``stickiness report --account-col``: the report of an account log says accounts (docs/accounts.md).

Its summary in report.html (a template run headless), the printed lines and the charts' titles of
the direct path count accounts; a small log keeps it quick.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import polars as pl
import pytest
from stickiness_notebooks.cli import main

from tests.conftest import frame


def at(day: int) -> dt.datetime:
    return dt.datetime(2024, 3, day, 12, tzinfo=dt.UTC)


USERS = pl.DataFrame({"user_id": ["ann", "bob", "cy", "dee"], "account": ["acme", "acme", "globex", "globex"]})
# acme (ann, bob): Mar 1, 2, 20, 21; globex (cy, dee): Mar 1, 20. as_of Mar 21.
EVENTS = [
    ("ann", at(1), "open"),
    ("bob", at(2), "open"),
    ("cy", at(1), "open"),
    ("dee", at(20), "open"),
    ("ann", at(20), "open"),
    ("bob", at(21), "open"),
]


def _argv(tmp_path: Path, *flags: str) -> list[str]:
    events, users = tmp_path / "events.csv", tmp_path / "users.csv"
    frame(EVENTS).write_csv(events)
    USERS.write_csv(users)
    quiet = ["--no-xlsx", "--no-pptx", "--mau-window", "7"]
    return ["report", str(events), "--users", str(users), "--account-col", "account", *quiet, *flags]


def _without_table_names(text: str) -> str:
    return re.sub(r"\w+_users(\.csv)?", "", text)  # the tables keep their fixed names (drifting_users.csv, ...)


def test_account_report_html_summary_says_accounts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("nbclient", reason="the notebook report needs pip install 'stickiness[jupyter]'")
    out = tmp_path / "nb"
    assert main([*_argv(tmp_path, "--template", "active_users", "--no-pdf"), "--out", str(out)]) == 0
    page = (out / "report.html").read_text()
    found = re.search(r'class="stickiness-summary"[^>]*>(.*?)</section>', page, re.S)
    assert found is not None, "report.html opens with the summary"
    summary = html.unescape(found.group(1))
    # Mar 15-21 (7 days to as_of): Mar 20, acme and globex (DAU 2 / MAU 2 = 1.0); Mar 21, acme (1 / 2 = 0.5); the
    # days before have no account in the window. Mean (1.0 + 0.5) / 2 = 75.0%.
    assert "the share of the month's accounts active on a day" in summary
    assert "to 2024-03-21: all accounts 75.0%." in summary
    assert "users" not in _without_table_names(summary)
    assert "Active accounts on 2024-03-21" in capsys.readouterr().out


def test_account_report_charts_and_printed_lines_say_accounts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "d"
    assert main([*_argv(tmp_path, "--no-notebook", "--period", "week", "--min-users", "1"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    # weeks from Monday: Feb 26 (Mar 1-2: acme, globex), Mar 4, 11 (none), Mar 18 (both back; partial)
    assert "all accounts" in printed and "all users" not in printed
    for chart in ("active_users", "monthly_active_users", "retention", "lifecycle", "growth_states"):
        svg = (out / "charts" / f"{chart}.svg").read_text()
        text = " ".join(piece for piece in ET.fromstring(svg).itertext() if piece.strip())
        assert "accounts" in text, chart
        assert "users" not in _without_table_names(text), chart
