"""Feature adoption, time to first use and where users leave, against docs/retention.md (7, 8) and the reference."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stickiness import InvalidOptionError, read_log
from stickiness.metrics.adoption import feature_adoption, time_to_first_use, where_users_leave

from . import reference_retention as ref
from .conftest import NOW, frame
from .reference_intervals import SMALL, check_exact_columns
from .retention_example import APR, CATALOG, EXAMPLES, FEB, JAN, MAR, ZONES, D, events_strategy, example_log

RULES = [("search", "browse"), ("open", "browse"), ("buy", "purchase")]


def test_worked_example_feature_adoption(engine: str) -> None:
    out = feature_adoption(example_log(engine), CATALOG)
    assert out.columns == [
        *["persona", "use_case", "period", "active", "users", "share", "complete"],
        *["share_low", "share_high", "small_sample"],  # appended: the interval (docs/intervals.md)
    ]
    got = {(r[1], r[2]): (r[3], r[4]) for r in out.rows()}
    assert got == {
        ("browse", JAN): (3, 2),
        ("browse", FEB): (2, 1),
        ("browse", MAR): (3, 1),
        ("browse", APR): (2, 1),
        ("purchase", JAN): (3, 2),
        ("purchase", FEB): (2, 1),
        ("purchase", MAR): (3, 2),
        ("purchase", APR): (2, 1),
    }
    assert out["complete"].to_list() == [True, True, True, False] * 2
    raw = feature_adoption(example_log(engine))  # without a catalog: each event is its own use case
    assert set(raw["use_case"]) == {"buy", "search", "view"}
    assert raw.filter(pl.col("use_case") == "view")["users"].to_list() == [0, 0, 1, 0]


def test_worked_example_time_to_first_use(engine: str) -> None:
    out = time_to_first_use(example_log(engine), CATALOG)
    assert out.columns == [
        *["persona", "use_case", "users", "adopters", "adoption_rate", "median_days", "mean_days"],
        *["adoption_rate_low", "adoption_rate_high", "small_sample"],
    ]
    assert out.drop("adoption_rate_low", "adoption_rate_high", "small_sample").rows() == [
        ("(all)", "browse", 5, 4, 0.8, 0.0, 0.0),
        ("(all)", "purchase", 5, 4, 0.8, 15.5, 16.0),  # a 15, c 16, d 33, e 0
    ]


def test_worked_example_where_users_leave(engine: str) -> None:
    out = where_users_leave(example_log(engine), CATALOG, limit=30, window=45)
    assert out.columns == [
        "persona",
        "use_case",
        "leavers",
        "retained",
        "leaver_share",
        "retained_share",
        "lift",
        "churn_rate",
    ]
    assert out.rows() == [
        ("(all)", "purchase", 2, 1, 1.0, 0.5, 2.0, pytest.approx(2 / 3)),
        ("(all)", "browse", 0, 1, 0.0, 0.5, 0.0, 0.0),
    ]
    raw = where_users_leave(example_log(engine), limit=30, window=45)
    assert raw.select("use_case", "leavers", "retained").rows() == [("buy", 2, 1), ("view", 0, 1)]


def test_where_users_leave_ranks_a_step_only_leavers_took_first() -> None:
    rows = [
        ("a", D(2024, 1, 5), "export"),  # left after exporting
        ("b", D(2024, 1, 6), "search"),  # left after searching
        ("c", D(2024, 1, 6), "search"),
        ("c", D(2024, 3, 1), "search"),  # came back
        ("d", D(2024, 1, 7), "share"),  # left after sharing
        ("e", D(2024, 2, 1), "share"),  # first active after the cut: not compared
    ]
    log = read_log(frame(rows), as_of="2024-03-01", now=NOW)
    out = where_users_leave(log, limit=40, window=30)  # cut Jan 21: window Dec 22 .. Jan 20
    assert out.select("use_case", "leavers", "retained", "lift", "churn_rate").rows() == [
        ("export", 1, 0, None, 1.0),  # retained share 0: an infinite lift, shown as null, ranked first
        ("share", 1, 0, None, 1.0),
        ("search", 1, 1, pytest.approx(1 / 3), 0.5),  # leavers a, b, d: 1/3 of them; retained c: all
    ]


def test_segments_and_as_of() -> None:
    users = pl.DataFrame({"user_id": ["a", "b", "c"], "persona": ["agent", "buyer", "buyer"]})
    log = example_log("polars", users=users)
    adoption = feature_adoption(log, CATALOG)
    assert set(adoption["persona"]) == {"agent", "buyer", "(unknown)"}
    buyer_feb = adoption.filter(pl.col("persona") == "buyer", pl.col("period") == FEB)
    assert buyer_feb.select("use_case", "active", "users").rows() == [("browse", 1, 1), ("purchase", 1, 0)]  # c
    first = time_to_first_use(log, CATALOG, by=None)
    assert first["segment"].unique().to_list() == ["(all)"]
    earlier = where_users_leave(log, CATALOG, as_of=D(2024, 3, 31), limit=20, window=40)
    # cut Mar 11, window Jan 31 .. Mar 10: a (Feb 3) came back Apr 2, after as_of: a leaver then
    assert earlier.filter(pl.col("persona") == "agent").select("use_case", "leavers", "retained").rows() == [
        ("purchase", 1, 0)
    ]


def test_schema_on_tiny_and_empty_logs(engine: str) -> None:
    tiny = read_log(frame([("a", D(2024, 1, 3), "x")]), engine=engine, now=NOW)
    empty_frame = pl.DataFrame(schema={"user_id": pl.String, "timestamp": pl.Date, "event": pl.String})
    empty = read_log(empty_frame, engine=engine, now=NOW)
    # 1 of 1: the exact 95% interval is [0.025, 1] (0.025^(1/1)), one user is a small sample
    assert feature_adoption(tiny).rows() == [("(all)", "x", JAN, 1, 1, 1.0, False, 0.025, 1.0, True)]
    assert time_to_first_use(tiny).rows() == [("(all)", "x", 1, 1, 1.0, 0.0, 0.0, 0.025, 1.0, True)]
    assert where_users_leave(tiny, limit=1, window=5).height == 0  # nobody active before the cut
    for function in (feature_adoption, time_to_first_use, where_users_leave):
        small, none = function(tiny), function(empty)
        assert none.height == 0 and small.schema == none.schema
    assert dict(feature_adoption(tiny).schema) == {
        "persona": pl.String,
        "use_case": pl.String,
        "period": pl.Date,
        "active": pl.Int64,
        "users": pl.Int64,
        "share": pl.Float64,
        "complete": pl.Boolean,
        "share_low": pl.Float64,
        "share_high": pl.Float64,
        "small_sample": pl.Boolean,
    }
    assert all(
        t == pl.Float64 for c, t in where_users_leave(tiny).schema.items() if c.endswith(("share", "lift", "rate"))
    )


def test_bad_options_name_the_option_and_the_fix() -> None:
    log = read_log(frame([("a", D(2024, 1, 3), "x")]), now=NOW)
    with pytest.raises(InvalidOptionError, match="period='year'"):
        feature_adoption(log, period="year")  # type: ignore[arg-type]
    with pytest.raises(InvalidOptionError, match="limit=0: use a whole number of days >= 1"):
        where_users_leave(log, limit=0)
    with pytest.raises(InvalidOptionError, match="window=-3"):
        where_users_leave(log, window=-3)
    with pytest.raises(InvalidOptionError, match="needs a users table"):
        time_to_first_use(log, by="plan")


def test_matches_reference(engine: str) -> None:
    @settings(max_examples=EXAMPLES[engine], deadline=None)
    @given(
        events=events_strategy,
        tz=st.sampled_from(ZONES),
        rules=st.sampled_from([None, RULES, RULES[:1]]),
        period=st.sampled_from(["month", "week"]),
        limit=st.sampled_from([5, 20, 40]),
        window=st.sampled_from([10, 30, 60]),
        segmented=st.booleans(),
    )
    def check(events, tz, rules, period, limit, window, segmented) -> None:  # type: ignore[no-untyped-def]
        segment_of = {"u1": "agent", "u2": "buyer", "u3": "buyer"} if segmented else None
        users = pl.DataFrame({"user_id": ["u1", "u2", "u3"], "persona": ["agent", "buyer", "buyer"]})
        log = read_log(frame(events), users=users if segmented else None, tz=tz, engine=engine, now=NOW)
        assert log.first_day is not None and log.as_of is not None
        span = {"first": log.first_day, "last": log.as_of, "segment_of": segment_of}
        catalog = None if rules is None else {"event": [r[0] for r in rules], "use_case": [r[1] for r in rules]}

        adoption = feature_adoption(log, catalog, period=period)
        expected = ref.feature_adoption(events, tz, rules, period=period, **span)
        _same({(r[0], r[1], r[2]): (r[3], r[4], r[6]) for r in adoption.rows()}, expected)
        check_exact_columns(adoption, "users", "active", "share")
        assert (adoption["small_sample"] == (adoption["active"] < SMALL)).all()
        assert adoption["share"].is_between(0, 1).all()

        first = time_to_first_use(log, catalog)
        expected = ref.time_to_first_use(events, tz, rules, last=log.as_of, segment_of=segment_of)
        _same({(r[0], r[1]): (r[2], r[3], r[5], r[6]) for r in first.rows()}, expected)
        check_exact_columns(first, "adopters", "users", "adoption_rate")
        assert (first["small_sample"] == (first["users"] < SMALL)).all()

        leave = where_users_leave(log, catalog, limit=limit, window=window)
        expected = ref.where_users_leave(
            events, tz, rules, as_of=log.as_of, limit=limit, window=window, segment_of=segment_of
        )
        _same({(r[0], r[1]): r[2:] for r in leave.rows()}, expected)

    check()


def _same(
    got: dict[tuple[object, ...], tuple[object, ...]], expected: dict[tuple[object, ...], tuple[object, ...]]
) -> None:
    assert got.keys() == expected.keys()
    for key, values in expected.items():
        assert got[key] == tuple(pytest.approx(v) if isinstance(v, float) else v for v in values), key
