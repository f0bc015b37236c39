"""Charts of weekly tables whose weeks start on another day than Monday (read_log(week_start=))."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import stickiness as st

sw = pytest.importorskip("stickiness_widgets")

NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def test_sunday_weeks_are_drawn_and_named_in_messages() -> None:
    # Sundays 10 and 17 March 2024 and Saturday 16 March: Sunday weeks dated 10 and 17 March
    days = [dt.date(2024, 3, 10), dt.date(2024, 3, 16), dt.date(2024, 3, 17)]
    events = pl.DataFrame({"user_id": ["a", "a", "b"], "timestamp": days, "event": ["open"] * 3})
    table = st.retention(st.read_log(events, now=NOW, week_start="sunday"), period="week")
    assert table["period"].to_list() == [dt.date(2024, 3, 10), dt.date(2024, 3, 17)]
    assert sw.retention_chart(table, period="week").to_dict(validate=False)["title"]["text"]
    with pytest.raises(sw.ChartDataError, match="its periods start on Sundays, not on the 1st of a month"):
        sw.retention_chart(table, period="month")
    mixed = table.with_columns(pl.Series("period", [dt.date(2024, 3, 10), dt.date(2024, 3, 18)]))  # Sun, Mon
    with pytest.raises(sw.ChartDataError, match="period='week'"):
        sw.retention_chart(mixed, period="week")  # weeks of one table start on one weekday
