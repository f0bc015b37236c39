"""``power_users(..., active_events=...)``: the curve of the key events only, as active_users counts them.

A hand-made case, the MAU identity with ``active_users(active_events=...)`` and the plain-Python reference
on hypothesis logs, on polars and DuckDB in-process (tests/test_engines.py covers PySpark for the metric).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stickiness import active_users, power_users, read_log
from stickiness.demo import demo_events, demo_users

from . import reference_power_users as reference
from .conftest import NOW, frame
from .test_power_users import at, bars
from .test_power_users import options as log_options

IN_PROCESS = ["polars", "duckdb"]


@pytest.fixture(params=IN_PROCESS)
def engine(request: pytest.FixtureRequest) -> str:
    if request.param == "duckdb":
        pytest.importorskip("duckdb", reason="duckdb is an optional engine: pip install 'stickiness[duckdb]'")
    return str(request.param)


# window 7 ending Jan 10 (Jan 4 .. 10); the key event is "buy"
KEY = [
    ("a", at(4), "buy"),  # a: buys on Jan 4 and 10 (2 buying days), opens on every other day
    ("a", at(10), "buy"),
    *[("a", at(day), "open") for day in range(5, 10)],
    ("b", at(10), "open"),  # b: opens only: active, but no buying day, so in no bar
    ("c", at(3), "buy"),  # c: a buy before the window (Jan 3) and one in it (Jan 8): 1 buying day
    ("c", at(8), "buy"),
    ("c", at(8), "open"),  # an open on a buying day counts once
]


def test_only_the_active_events_make_a_day_active(engine: str) -> None:
    log = read_log(frame(KEY), engine=engine, now=NOW)
    every = power_users(log, window=7)
    # any event: a is active on 7 days (Jan 4 .. 10), b on 1 (Jan 10), c on 1 (Jan 8): MAU 3
    assert bars(every) == {(1,): 2, (7,): 1}
    keyed = power_users(log, window=7, active_events=["buy"])
    # buys only: a on 2 days (Jan 4, 10), c on 1 (Jan 8), b on none: MAU 2
    assert bars(keyed) == {(1,): 1, (2,): 1}
    assert keyed["share"].to_list() == pytest.approx([0.5, 0.5, 0, 0, 0, 0, 0])
    assert keyed.height == 7  # every bar
    # an event nobody had: nobody is active, so no curve at all (as a segment with nobody in the window)
    assert power_users(log, window=7, active_events=["refund"]).height == 0


def test_the_users_sum_to_the_mau_of_the_same_active_events(engine: str) -> None:
    events = demo_events(users=100)
    log = read_log(events, users=demo_users(users=100), engine=engine, now=NOW)
    key = sorted(set(events["event"]))[:3]
    curve = power_users(log, by="persona", active_events=key).group_by("persona").agg(pl.col("users").sum())
    mau = active_users(log, by="persona", active_events=key).filter(pl.col("day") == log.as_of)
    joined = curve.join(mau.select("persona", "mau"), on="persona", how="inner")
    assert joined.height == curve.height > 0 and (joined["users"] == joined["mau"]).all()
    everyone = power_users(log, by="persona")["users"].sum()
    assert 0 < curve["users"].sum() < everyone  # the key events are a strict subset here


def test_active_events_match_the_reference(engine: str) -> None:
    @settings(max_examples=30, deadline=None)
    @given(**log_options, key=st.sets(st.sampled_from(["open", "search", "buy"]), min_size=1))
    def check(events, tz, window, segmented, back, key) -> None:  # type: ignore[no-untyped-def]
        segment_of = {"u1": "agent", "u2": "agent", "u3": "buyer", "u4": "owner"} if segmented else None
        users = (
            pl.DataFrame({"user_id": list(segment_of), "persona": list(segment_of.values())}) if segment_of else None
        )
        log = read_log(frame(events), users=users, tz=tz, engine=engine, now=NOW)
        assert log.as_of is not None
        as_of = log.as_of - dt.timedelta(days=back or 0)  # the log's days, whatever events are kept
        by = "persona" if segmented else None
        out = power_users(log, window=window, by=by, as_of=as_of, active_events=key)
        got = {row[:-1]: row[-1] for row in out.select(by or pl.lit("(all)"), "active_days", "users").rows()}
        kept = [event for event in events if event[2] in key]
        assert got == reference.power_users(kept, tz, window=window, as_of=as_of, segment_of=segment_of)

    check()


def test_the_docs_example(engine: str) -> None:
    # docs/power-users.md: the worked example (window Jan 4 .. 10) with a's Jan 10 event a buy
    days = {"a": [4, 10], "b": [3], "c": [3, 5], "d": list(range(4, 11))}
    events = [(user, at(day), "buy" if (user, day) == ("a", 10) else "open") for user, on in days.items() for day in on]
    log = read_log(frame(events), engine=engine, now=NOW)
    assert power_users(log, window=7, active_events=["open", "buy"])["users"].to_list() == [1, 1, 0, 0, 0, 0, 1]
    only_buys = power_users(log, window=7, active_events=["buy"])
    assert bars(only_buys) == {(1,): 1} and only_buys["share"][0] == 1.0  # a alone, 1 day (Jan 10)
