"""Rhythm-aware dormancy and the inactivity list, against docs/retention.md (section 6) and the reference."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stickiness import InvalidOptionError, read_log
from stickiness.metrics.dormancy import STATUSES, dormancy, inactive_users

from . import reference_retention as ref
from .conftest import NOW, SHARED, frame
from .retention_example import CATALOG, EXAMPLES, ZONES, D, events_strategy, example_log

RULES = [("search", "browse"), ("open", "browse"), ("buy", "purchase")]


def test_worked_example_dormancy(engine: str) -> None:
    out = dormancy(example_log(engine))
    assert out.columns == [
        "user",
        "persona",
        "use_case",
        "first_active",
        "last_active",
        "active_days",
        "days_since",
        "interval_days",
        "status",
    ]
    assert out.select("user", "persona", "use_case", "last_active", "days_since", "interval_days", "status").rows() == [
        ("a", "(all)", "(any)", D(2024, 4, 2), 13, 15.0, "on_rhythm"),
        ("b", "(all)", "(any)", D(2024, 1, 10), 96, None, "dormant"),
        ("c", "(all)", "(any)", D(2024, 3, 1), 45, 8.0, "at_risk"),
        ("d", "(all)", "(any)", D(2024, 4, 10), 5, 33.0, "on_rhythm"),
        ("e", "(all)", "(any)", D(2024, 3, 3), 43, 32.0, "on_rhythm"),
    ]
    assert out["active_days"].to_list() == [4, 1, 3, 2, 2]


def test_worked_example_dormancy_per_use_case(engine: str) -> None:
    out = dormancy(example_log(engine), CATALOG)
    assert set(out["use_case"]) == {"(any)", "browse", "purchase"}  # every event is mapped: no (unmapped)
    rows = {(r[0], r[1]): r[2:] for r in out.select("user", "use_case", "days_since", "interval_days", "status").rows()}
    assert rows[("a", "purchase")] == (72, 14.0, "at_risk")  # Jan 20, Feb 3: 72 > 2 x 14
    assert rows[("a", "browse")] == (13, 88.0, "on_rhythm")  # Jan 5, Apr 2
    assert rows[("c", "browse")] == (54, 7.0, "at_risk")
    assert rows[("d", "browse")] == (38, None, "no_rhythm")


def test_worked_example_inactivity_list(engine: str) -> None:
    out = inactive_users(example_log(engine))
    assert out.columns == ["user", "persona", "last_active", "days_since", "active_days", "interval_days", "status"]
    assert out.select("user", "days_since", "status").rows() == [
        ("e", 43, "on_rhythm"),
        ("c", 45, "at_risk"),
        ("b", 96, "dormant"),
    ]
    assert inactive_users(example_log(engine), days=44)["user"].to_list() == ["c", "b"]
    assert inactive_users(example_log(engine), days=97).height == 0


def test_rhythm_decides_before_the_hard_limit() -> None:
    day = D(2024, 1, 1)
    weekly = [("w", day + dt.timedelta(days=7 * i), "open") for i in range(6)]  # last Feb 5
    slow = [("y", day + dt.timedelta(days=120 * i), "open") for i in range(2)]  # Jan 1, Apr 30
    log = read_log(frame([*weekly, *slow]), as_of="2024-08-08", now=NOW)
    # on Aug 8: w quiet 185 days (interval 7), y quiet 100 days (interval 120)
    by_rhythm = dict(dormancy(log, limit=None).select("user", "status").rows())
    assert by_rhythm == {"w": "at_risk", "y": "on_rhythm"}
    assert dict(dormancy(log).select("user", "status").rows()) == {"w": "dormant", "y": "dormant"}
    assert dict(dormancy(log, limit=150).select("user", "status").rows()) == {"w": "dormant", "y": "on_rhythm"}
    assert dict(dormancy(log, limit=None, k=0.5).select("user", "status").rows()) == {"w": "at_risk", "y": "at_risk"}
    # intervals look at the horizon only: with 100 days, w's days are all out of it, y has one
    short = dormancy(log, limit=None, horizon=100)
    assert short["interval_days"].to_list() == [None, None]
    assert short["status"].to_list() == ["no_rhythm", "no_rhythm"]


def test_as_of_segments_and_unknown_users() -> None:
    users = pl.DataFrame({"user_id": ["a", "b", "c"], "persona": ["agent", "buyer", " "]})
    log = example_log("polars", users=users)
    out = dormancy(log, as_of="2024-03-01")  # rows after Mar 1 are ignored
    assert dict(out.select("user", "persona").rows()) == {
        "a": "agent",
        "b": "buyer",
        "c": "(unknown)",
        "e": "(unknown)",
    }
    assert dict(out.select("user", "days_since").rows()) == {"a": 27, "b": 51, "c": 0, "e": 30}
    assert out.filter(pl.col("user") == "a")["interval_days"].item() == 14.5  # Jan 5, 20, Feb 3
    assert set(dormancy(log, by=None)["segment"]) == {"(all)"}  # by=None: the column is "segment"
    listed = inactive_users(log).select("persona", "user").rows()  # on Apr 15, a (agent) was active on Apr 2
    assert listed == [("(unknown)", "e"), ("(unknown)", "c"), ("buyer", "b")]
    with pytest.raises(InvalidOptionError, match=r"as_of=2024-05-01 is after the log's last day"):
        dormancy(log, as_of="2024-05-01")


def test_schema_on_tiny_and_empty_logs(engine: str) -> None:
    tiny = read_log(frame([(7, D(2024, 1, 3), "x")]), engine=engine, now=NOW)
    empty_frame = pl.DataFrame(schema={"user_id": pl.Int64, "timestamp": pl.Date, "event": pl.String})
    empty = read_log(empty_frame, engine=engine, now=NOW)
    for function in (dormancy, inactive_users):
        small, none = function(tiny), function(empty)
        assert none.height == 0 and small.schema == none.schema
        assert small.schema["user"] == pl.Int64  # the log's user type
        assert small.schema["persona"] == pl.String and small.schema["last_active"] == pl.Date
        assert small.schema["days_since"] == pl.Int64 and small.schema["interval_days"] == pl.Float64
    assert dormancy(tiny).rows() == [(7, "(all)", "(any)", D(2024, 1, 3), D(2024, 1, 3), 1, 0, None, "no_rhythm")]
    assert inactive_users(tiny).height == 0


def test_bad_options_name_the_option_and_the_fix() -> None:
    log = read_log(frame([("a", D(2024, 1, 3), "x")]), now=NOW)
    with pytest.raises(InvalidOptionError, match="k=0: use a number > 0"):
        dormancy(log, k=0)
    with pytest.raises(InvalidOptionError, match="limit=0: use a whole number of days >= 1"):
        dormancy(log, limit=0)
    with pytest.raises(InvalidOptionError, match="horizon=0"):
        inactive_users(log, horizon=0)
    with pytest.raises(InvalidOptionError, match="days=0: use a whole number of days >= 1"):
        inactive_users(log, days=0)
    with pytest.raises(InvalidOptionError, match="not a date"):
        dormancy(log, as_of="soon")


def test_matches_reference(engine: str) -> None:
    @settings(max_examples=EXAMPLES[engine], deadline=None)
    @given(
        events=events_strategy,
        tz=st.sampled_from(ZONES),
        rules=st.sampled_from([None, RULES, RULES[:1]]),
        k=st.sampled_from([1.0, 1.5, 2.0]),
        limit=st.sampled_from([None, 10, 30, 90]),
        horizon=st.sampled_from([20, 60, 365]),
        segmented=st.booleans(),
    )
    def check(events, tz, rules, k, limit, horizon, segmented) -> None:  # type: ignore[no-untyped-def]
        segment_of = {"u1": "agent", "u2": "buyer"} if segmented else None
        users = pl.DataFrame({"user_id": ["u1", "u2"], "persona": ["agent", "buyer"]}) if segmented else None
        log = read_log(frame(events), users=users, tz=tz, engine=engine, now=NOW)
        assert log.as_of is not None
        catalog = None if rules is None else {"event": [r[0] for r in rules], "use_case": [r[1] for r in rules]}
        out = dormancy(log, catalog, k=k, limit=limit, horizon=horizon)
        expected = ref.dormancy(
            events, tz, rules, as_of=log.as_of, k=k, limit=limit, horizon=horizon, segment_of=segment_of
        )
        got = {(r[0], r[2]): (r[1], *r[3:]) for r in out.rows()}
        assert got.keys() == expected.keys()
        for key, values in expected.items():
            assert got[key] == tuple(pytest.approx(v) if isinstance(v, float) else v for v in values), key
        assert set(out["status"]) <= set(STATUSES)
        listed = inactive_users(log, k=k, limit=limit, horizon=horizon, days=15)
        assert set(listed["user"]) == {u for (u, c), v in expected.items() if c == "(any)" and v[4] >= 15}

    check()


# --- one typical interval per user: the same horizon everywhere (issue 14, item 9) ------------------------------

#: A customer like CDNOW's 02264: purchases on these days; another customer makes the log end on 1998-06-30.
LIKE_02264 = [D(1997, 1, 10), D(1997, 2, 24), D(1997, 9, 18), D(1998, 2, 14)]
LOG_END = D(1998, 6, 30)


def _like_02264(engine: str = "polars"):  # type: ignore[no-untyped-def]
    rows = [("c02264", day, "buy") for day in LIKE_02264] + [("other", LOG_END, "buy")]
    return read_log(frame(rows), engine=engine, now=NOW)


def _one_user(table: pl.DataFrame, user: str = "c02264") -> dict[str, object]:
    return table.filter(pl.col("user").cast(pl.String) == user).row(0, named=True)


@pytest.mark.parametrize(
    ("horizon", "interval", "status"),
    [
        # horizon 1997-07-01 .. 1998-06-30 holds Sep 18 and Feb 14: one gap of 12 + 31 + 30 + 31 + 31 + 14 = 149 days;
        # quiet for 136 days (Feb 14 -> Jun 30: 14 + 31 + 30 + 31 + 30) <= 2 x 149: on rhythm
        (365, 149.0, "on_rhythm"),
        # horizon 1998-01-02 .. 1998-06-30 holds Feb 14 alone: no gap, no typical interval
        (180, None, "no_rhythm"),
    ],
)
def test_one_interval_per_user_and_horizon(engine: str, horizon: int, interval: object, status: str) -> None:
    from stickiness.metrics.use_cases import use_case_rates

    log = _like_02264(engine)
    options = {"horizon": horizon, "limit": None}  # no hard limit: the rhythm alone decides the status
    rhythm = _one_user(dormancy(log, **options))
    listed = _one_user(inactive_users(log, **options))
    rates = _one_user(use_case_rates(log, horizon=horizon))  # what the use-case tables aggregate
    assert rhythm["days_since"] == listed["days_since"] == 136
    assert rhythm["interval_days"] == listed["interval_days"] == rates["interval_days"] == interval
    assert rhythm["status"] == listed["status"] == status
    # with the default hard limit (90 days) both say dormant, still with the same interval
    assert _one_user(dormancy(log, horizon=horizon))["status"] == "dormant"
    assert _one_user(inactive_users(log, horizon=horizon))["interval_days"] == interval


CDNOW = SHARED / "data" / "cdnow" / "CDNOW_master.txt"  # ../shared of the repository


@pytest.mark.skipif(not CDNOW.exists(), reason=f"the CDNOW log is not at {CDNOW} (shared data not mounted)")
def test_cdnow_customer_02264_has_one_interval_per_horizon() -> None:
    from stickiness.metrics.use_cases import use_case_rates

    rows = [line.split()[:2] for line in CDNOW.read_text().splitlines()[1:]]
    data = pl.DataFrame(rows, schema=["customer_id", "date"], orient="row")
    log = read_log(data, time="date", event=None, now=NOW)
    assert log.as_of == LOG_END
    # the file's lines for 02264: 19970110, 19970224, 19970918, 19980214 (as LIKE_02264 above)
    for horizon, interval in ((365, 149.0), (180, None)):
        rhythm = _one_user(dormancy(log, horizon=horizon, limit=None), "02264")
        listed = _one_user(inactive_users(log, horizon=horizon, limit=None), "02264")
        rates = _one_user(use_case_rates(log, horizon=horizon), "02264")
        assert rhythm["interval_days"] == listed["interval_days"] == rates["interval_days"] == interval, horizon
        assert rhythm["status"] == listed["status"] == ("on_rhythm" if interval else "no_rhythm"), horizon
