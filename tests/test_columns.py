"""Which columns play user, time and event: twins by case, repeated headers, and messages that name the fix."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from stickiness import AmbiguousColumnError, ColumnNotFoundError, read_log

from .conftest import NOW

ROW = {"timestamp": ["2024-05-01T10:00:00Z"], "event": ["open"]}


def test_two_columns_differing_only_by_case_are_ambiguous() -> None:
    events = pl.DataFrame({"user_id": ["a"], "User_ID": ["b"], **ROW})
    with pytest.raises(AmbiguousColumnError, match=r"\['user_id', 'User_ID'\].*Say which one, e.g. user='user_id'"):
        read_log(events)
    assert read_log(events, user="User_ID", now=NOW).activity["user"].to_list() == ["b"]


def test_case_twins_of_the_time_and_event_columns_too() -> None:
    events = pl.DataFrame({"user_id": ["a"], **ROW, "Timestamp": ["2024-05-02T10:00:00Z"]})
    with pytest.raises(AmbiguousColumnError, match=r"the time column: \['timestamp', 'Timestamp'\].*time="):
        read_log(events)
    events = pl.DataFrame({"user_id": ["a"], **ROW, "EVENT": ["buy"]})
    with pytest.raises(AmbiguousColumnError, match=r"the event column: \['event', 'EVENT'\].*event='event'"):
        read_log(events)


def test_a_repeated_csv_header_is_ambiguous(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("user_id,timestamp,user_id,event\na,2024-05-01T10:00:00Z,b,open\n")
    with pytest.raises(
        AmbiguousColumnError,
        match=r"the log's header names 'user_id' twice.*Rename.*user='user_id_duplicated_0' for the second",
    ):
        read_log(path)
    assert read_log(path, user="user_id_duplicated_0", now=NOW).activity["user"].to_list() == ["b"]
    assert read_log(path, user="user_id", now=NOW).activity["user"].to_list() == ["a"]  # named: no doubt left


def test_a_repeated_header_of_another_column_is_harmless(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("user_id,timestamp,event,note,note\na,2024-05-01T10:00:00Z,open,x,y\n")
    assert read_log(path, now=NOW).ledger.rows_used == 1


def test_the_users_table_key_has_the_same_rule(tmp_path: Path) -> None:
    events = pl.DataFrame({"user_id": ["a"], **ROW})
    users = pl.DataFrame({"user_id": ["a"], "USER_ID": ["b"], "persona": ["x"]})
    with pytest.raises(AmbiguousColumnError, match=r"users table.*\['user_id', 'USER_ID'\].*users_key='user_id'"):
        read_log(events, users=users)
    assert read_log(events, users=users, users_key="user_id", now=NOW).ledger.users_without_segment == 0
    (tmp_path / "users.csv").write_text("customer_id,persona,customer_id\na,x,b\n")
    events = pl.DataFrame({"id": ["a"], **ROW})
    with pytest.raises(AmbiguousColumnError, match=r"users table's header names 'customer_id' twice.*users_key="):
        read_log(events, user="id", users=tmp_path / "users.csv")


def test_a_missing_time_column_names_the_keyword_in_python() -> None:
    with pytest.raises(ColumnNotFoundError, match=r"no time column found.*Name it with time='your_column'"):
        read_log(pl.DataFrame({"user_id": ["a"], "when": ["2024-05-01"], "event": ["x"]}))
