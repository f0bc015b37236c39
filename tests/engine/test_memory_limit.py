"""``read_log(memory_limit=)``: DuckDB spills past it; polars, which holds the activity table, says when it cannot."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import stickiness as st
from stickiness.exceptions import InvalidOptionError

NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def _log(rows: int) -> pl.DataFrame:
    """``rows`` events of distinct users on one day: an activity table of ``rows`` rows."""
    return pl.DataFrame(
        {"user_id": pl.int_range(rows, eager=True), "timestamp": ["2024-03-01T10:00:00Z"] * rows, "event": "open"}
    )


def test_polars_refuses_a_limit_its_activity_table_does_not_leave_room_in() -> None:
    # 100,000 rows of (Int64 user, Date day, "open", Int64 events): 24 bytes a row as polars counts them,
    # 2.4 MB; the metrics need 7 x 2.4 MB = 16.8 MB, more than 16 MB.
    with pytest.raises(
        InvalidOptionError, match=r"memory_limit='16MB' is too small .* 2.4MB.* 16.8MB.* engine='duckdb'"
    ):
        st.read_log(_log(100_000), memory_limit="16MB", now=NOW)
    st.read_log(_log(100_000), memory_limit="17MB", now=NOW)  # 16.8 MB fit


def test_duckdb_keeps_within_a_limit_with_the_same_tables() -> None:
    on_polars = st.read_log(_log(100_000), now=NOW)
    on_duckdb = st.read_log(_log(100_000), memory_limit="50MB", engine="duckdb", now=NOW)
    limit = on_duckdb.session.connection.sql("SELECT current_setting('memory_limit')").fetchall()[0][0]
    assert limit == "47.0 MiB"  # 50 MB = 47.68 MiB, rounded down to whole MiB
    assert on_duckdb.ledger == on_polars.ledger
    assert st.active_users(on_duckdb).equals(st.active_users(on_polars))


def test_duckdb_out_of_memory_says_which_limit_to_raise() -> None:
    with pytest.raises(
        InvalidOptionError, match=r"DuckDB ran out of memory within memory_limit='1MB' .*memory_limit='2MB'"
    ):
        log = st.read_log(_log(300_000), memory_limit="1MB", engine="duckdb", now=NOW)
        st.active_users(log)


def test_a_limit_polars_can_keep_bounds_the_stage_store() -> None:
    log = st.read_log(_log(1_000), memory_limit="1GB", now=NOW)
    assert log.stages.budget == 10**9 // 2
    assert st.read_log(_log(1_000), now=NOW).stages.budget == 4096 * 2**20  # the default budget


def test_a_bad_limit_names_the_option() -> None:
    with pytest.raises(InvalidOptionError, match=r"memory_limit='lots'.*'500MB'"):
        st.read_log(_log(10), memory_limit="lots", now=NOW)
