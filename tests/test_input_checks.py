"""Ledger notes on suspicious input (stickiness/_input_checks.py; docs/metrics.md, "Notes on suspicious input")."""

from __future__ import annotations

import datetime as dt

import polars as pl

from stickiness import read_log
from stickiness._input_checks import concentrated_ids, duplicate_cause

from .conftest import NOW

DAY = dt.date(2024, 3, 1)


def _note(notes: tuple[str, ...], start: str) -> str | None:
    found = [note for note in notes if note.startswith(start) or start in note]
    assert len(found) <= 1, found
    return found[0] if found else None


def _crowd(busy: str, busy_rows: int, others: int) -> pl.DataFrame:
    """``busy`` with ``busy_rows`` rows on distinct minutes, and ``others`` users with one row each."""
    users = [busy] * busy_rows + [f"u{i:02d}" for i in range(others)]
    times = [dt.datetime(2024, 3, 1, 0, 0) + dt.timedelta(minutes=k) for k in range(len(users))]
    return pl.DataFrame({"user_id": users, "timestamp": times, "event": ["open"] * len(users)})


def test_a_bot_carrying_most_rows_is_named_with_its_share(engine: str) -> None:
    # 1 bot + 19 users = 20 users (the minimum); the bot has 21 of 40 rows; the top 3 are the bot, u00 and u01
    # (ties among the one-row users go by id): (21 + 1 + 1) / 40 = 57.5% > 50%
    log = read_log(_crowd("bot-7", 21, 19), engine=engine, now=NOW)
    note = _note(log.ledger.notes, "user ids carry")
    assert note is not None
    assert note.startswith("3 user ids carry 57.5% of the 40 used rows: 'bot-7' (52.5%), 'u00' (2.5%), 'u01' (2.5%)")


def test_no_note_below_the_rule(engine: str) -> None:
    # the activity table where the engine holds it: counted there when the counts are not given
    # 19 users only (bot + 18): a small log, no note whatever the share (21 + 1 + 1) / 39 = 59%
    assert concentrated_ids(read_log(_crowd("bot-7", 21, 18), engine=engine, now=NOW).activity) is None
    # 20 users: bot 17 of 36 rows: (17 + 1 + 1) / 36 = 52.8% > 50%: a note
    note = concentrated_ids(read_log(_crowd("bot-7", 17, 19), engine=engine, now=NOW).activity)
    assert note is not None and note.startswith("3 user ids carry 52.8% of the 36 used rows: 'bot-7' (47.2%)")
    # 20 users: bot 15 of 34 rows: (15 + 1 + 1) / 34 = 50% exactly: not above, no note
    assert concentrated_ids(read_log(_crowd("bot-7", 15, 19), engine=engine, now=NOW).activity) is None


def test_ids_in_the_note_are_escaped_and_shortened() -> None:
    hostile = "\x1b[31m" + "x" * 500
    note = concentrated_ids(read_log(_crowd(hostile, 30, 19), now=NOW).activity)
    assert note is not None
    assert "'\\x1b[31m" in note and "\x1b" not in note
    quoted = note.split("rows: ")[1].split(" (")[0]  # the first id, quoted
    assert quoted.endswith("…'") and len(quoted) == 2 + 30  # cut to 30 columns


def test_dates_and_no_event_column_explain_the_duplicates(engine: str) -> None:
    # 10 users x 3 rows on one day, the time column a Date, no event column: 2 of every 3 rows are duplicates
    frame = pl.DataFrame({"user_id": [f"u{i}" for i in range(10) for _ in range(3)], "day": [DAY] * 30})
    log = read_log(frame, time="day", event=None, engine=engine, now=NOW)
    assert log.ledger.set_aside["duplicate"] == 20  # 30 rows - 10 distinct (user, day)
    note = _note(log.ledger.notes, "exact duplicates")
    assert note is not None
    assert note.startswith("20 rows (66.7% of the rows read) were set aside as exact duplicates.")
    assert "your times are dates (no time of day) and the log has no event column" in note
    assert "every event of a user on a day after the first is a duplicate" in note
    assert "event= in Python, --event-col on the command line" in note and "export the time of day" in note


def test_few_event_names_explain_duplicates_at_one_moment() -> None:
    # times of day (u0 has two times on the day), one event name; 5 users x 2 copies of one row: 5 of 11 duplicates
    times = [dt.datetime(2024, 3, 1, 9)] * 10 + [dt.datetime(2024, 3, 1, 10)]
    users = [f"u{i}" for i in range(5) for _ in range(2)] + ["u0"]
    log = read_log(pl.DataFrame({"user_id": users, "timestamp": times, "event": ["click"] * 11}), now=NOW)
    note = _note(log.ledger.notes, "exact duplicates")
    assert note is not None and note.startswith("5 rows (45.5% of the rows read)")
    assert "the log has only 1 event name ('click')" in note
    assert "different actions of a user at the same moment are duplicates" in note
    assert "time of day" not in note


def test_text_times_without_a_time_of_day_look_like_dates() -> None:
    names = ["open", "search", "view", "save"]  # 4 names: more than FEW_EVENTS
    users = [f"u{i}" for i in range(4) for _ in range(2)]
    frame = pl.DataFrame({"user_id": users, "timestamp": ["2024-03-01"] * 8, "event": names * 2})
    frame = pl.concat([frame, frame])  # every row twice: 8 of 16 duplicates
    note = _note(read_log(frame, now=NOW).ledger.notes, "exact duplicates")
    assert note is not None
    assert "no user has two different times for one event on one day (the times look like dates)" in note
    assert "a user's repeats of one event on one day are duplicates" in note


def test_plain_copies_and_few_duplicates() -> None:
    names = ["open", "search", "view", "save"]
    base = pl.DataFrame(
        {
            "user_id": ["a"] * 4 + ["b"] * 4,
            "timestamp": [dt.datetime(2024, 3, 1, h) for h in range(4)] * 2,
            "event": names * 2,
        }
    ).with_columns(pl.col("timestamp").dt.offset_by("1h").alias("timestamp"))
    more = base.with_columns(pl.col("timestamp").dt.offset_by("5m"))  # a's and b's events at two times a day
    frame = pl.concat([base, more, base])  # 8 copies of 24 rows: 33%
    note = _note(read_log(frame, now=NOW).ledger.notes, "exact duplicates")
    assert note is not None and note.endswith("check the export for rows written twice.")
    # 1 duplicate in 20 rows = 5%: not above the rule, no note
    rows = pl.concat([pl.concat([base, more]), base.head(1), base.with_columns(user_id=pl.lit("c")).head(3)])
    assert rows.height == 20
    log = read_log(rows, now=NOW)
    assert log.ledger.set_aside["duplicate"] == 1
    assert _note(log.ledger.notes, "exact duplicates") is None


def test_duplicate_cause_on_the_counts() -> None:
    activity = pl.DataFrame({"user": ["u"] * 4, "event": ["a", "b", "c", "d"], "events": [2, 1, 1, 1]})
    # 1 duplicate of 6 rows = 16.7%; two times in one group: not date-like; 4 names: not coarse
    assert duplicate_cause(activity, duplicates=1, rows_read=6, event_column=True, date_times=False) == (
        "1 row (16.7% of the rows read) was set aside as exact duplicates. Rows are duplicates when user, time "
        "and event are equal: check the export for rows written twice."
    )
    assert duplicate_cause(activity, duplicates=1, rows_read=100, event_column=True, date_times=False) is None  # 1%
    # 3 names, every group one time: both causes
    three = activity.head(3).with_columns(events=pl.lit(1))
    note = duplicate_cause(three, duplicates=3, rows_read=6, event_column=True, date_times=False)
    assert note is not None and "only 3 event names ('a', 'b', 'c')" in note and "times look like dates" in note


def test_integer_ids_are_named_too() -> None:
    # 25 users: id 0 has 30 rows, 24 others one each: (30 + 1 + 1) / 54 = 59.3%
    activity = pl.DataFrame({"user": list(range(25)), "events": [30] + [1] * 24})
    note = concentrated_ids(activity)
    assert note is not None and note.startswith("3 user ids carry 59.3% of the 54 used rows: '0' (55.6%), '1' (1.9%)")
