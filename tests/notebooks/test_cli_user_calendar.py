"""`stickiness report --user-tz-col` and `--week-start`: each user's own calendar on the command line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from stickiness_notebooks.cli import for_command_line, main


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    events = tmp_path / "events.csv"
    # 04:59 UTC on Sunday 10 March 2024 is 23:59 EST on Saturday 9 March in New York; b's rows are 10 and 17 March
    events.write_text(
        "user_id,timestamp,event\n"
        "a,2024-03-10T04:59:00Z,open\n"
        "b,2024-03-10T12:00:00Z,open\n"
        "b,2024-03-17T12:00:00Z,open\n"
    )
    users = tmp_path / "users.csv"
    users.write_text("user_id,persona,tz\na,agent,America/New_York\nb,buyer,Europe/Berlin\n")
    return events, users


def _run(tmp_path: Path, events: Path, *flags: str, charts: bool = False) -> int:
    drawn = [] if charts else ["--no-charts"]
    return main(["report", str(events), *flags, "--no-notebook", *drawn, "--out", str(tmp_path / "out")])


def test_the_users_zone_column_and_a_sunday_week(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    events, users = inputs
    pytest.importorskip("stickiness_widgets", reason="charts need the Jupyter layer: pip install 'stickiness[jupyter]'")
    flags = ("--users", str(users), "--period", "week", "--week-start", "sunday")
    assert _run(tmp_path, events, *flags, charts=True) == 0  # the charts draw Sunday weeks too
    periods = pl.read_csv(tmp_path / "out" / "tables" / "retention.csv", try_parse_dates=True)
    active = periods.group_by("period").agg(pl.col("active").sum()).sort("period")  # over the two personas
    # a's day is Saturday 9 March (New York), in the Sunday week of 3 March; b's are Sundays 10 and 17 March
    assert active.rows() == [
        (dt.date(2024, 3, 3), 1),
        (dt.date(2024, 3, 10), 1),
        (dt.date(2024, 3, 17), 1),
    ]
    assert (tmp_path / "out" / "charts" / "retention.svg").exists()
    notes = json.loads((tmp_path / "out" / "ledger.json").read_text())["notes"]
    assert any("each user's own time zone (users-table column 'tz')" in note for note in notes)


def test_user_tz_col_none_reads_every_day_in_tz(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    events, users = inputs
    flags = ("--users", str(users), "--period", "week", "--user-tz-col", "none")
    assert _run(tmp_path, events, *flags) == 0
    periods = pl.read_csv(tmp_path / "out" / "tables" / "retention.csv", try_parse_dates=True)
    # in UTC every row is on a Sunday: 10 March ends the Monday week of 4 March, 17 March that of 11 March
    assert periods["period"].unique().sort().to_list() == [dt.date(2024, 3, 4), dt.date(2024, 3, 11)]


def test_a_bad_zone_column_or_zone_is_exit_2_with_the_fix(
    inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events, users = inputs
    assert _run(tmp_path, events, "--users", str(users), "--user-tz-col", "zone") == 2
    err = capsys.readouterr().err
    assert "--user-tz-col zone: the users table has no column 'zone'" in err and "--user-tz-col none" in err
    users.write_text("user_id,persona,tz\na,agent,New York\n")
    assert _run(tmp_path, events, "--users", str(users)) == 2
    err = capsys.readouterr().err
    assert "time-zone column 'tz' has 1 values that are not time zones" in err and "['New York']" in err


def test_a_bad_week_start_is_exit_2(
    inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events, _ = inputs
    with pytest.raises(SystemExit) as exit_info:
        _run(tmp_path, events, "--week-start", "sun")
    assert exit_info.value.code == 2
    assert "--week-start: invalid choice: 'sun'" in capsys.readouterr().err


def test_messages_name_the_flags() -> None:
    assert (
        for_command_line("pass user_tz=None or week_start='sunday'") == "pass --user-tz-col none or --week-start sunday"
    )
