"""The summary's stickiness finding says when its headline rests on a small sample (docs/intervals.md)."""

from __future__ import annotations

import datetime as dt

import polars as pl

import stickiness as st
from stickiness.findings import report_findings


def _daily(users: int) -> pl.DataFrame:
    # users active on one of five days each: MAU (7 days) = users on the last day
    events = pl.DataFrame(
        {
            "user_id": [f"u{i}" for i in range(users)],
            "timestamp": [dt.date(2024, 1, 1 + i % 5) for i in range(users)],
            "event": "open",
        }
    )
    return st.active_users(events, window=7)


def _stickiness_notes(daily: pl.DataFrame) -> tuple[str, ...]:
    return report_findings({"active_users": daily}, mau_window=7).topic("stickiness").notes


def test_fewer_than_30_monthly_users_get_a_note() -> None:
    notes = _stickiness_notes(_daily(12))
    assert notes[-1] == (
        "Fewer than 30 monthly users (12): a small sample, its stickiness has a wide interval "
        "(stickiness_low, stickiness_high in the table; docs/intervals.md)."
    )


def test_30_monthly_users_are_not_a_small_sample() -> None:
    assert not any("small sample" in note for note in _stickiness_notes(_daily(30)))
