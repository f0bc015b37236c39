"""The power-user curve (docs/power-users.md): hand-made cases, the MAU identity and the plain-Python reference.

Every case runs on polars and DuckDB in-process; tests/test_engines.py compares both metrics on PySpark too.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stickiness import InvalidOptionError, active_users, power_users, power_users_by_use_case, read_catalog, read_log
from stickiness.demo import demo_catalog, demo_events, demo_users

from . import reference_power_users as reference
from .conftest import NOW, frame

D = dt.date
UTC = dt.UTC
IN_PROCESS = ["polars", "duckdb"]


@pytest.fixture(params=IN_PROCESS)
def engine(request: pytest.FixtureRequest) -> str:
    """polars and DuckDB: the in-process engines (PySpark: tests/test_engines.py)."""
    if request.param == "duckdb":
        pytest.importorskip("duckdb", reason="duckdb is an optional engine: pip install 'stickiness[duckdb]'")
    return str(request.param)


def at(day: int, month: int = 1) -> dt.datetime:
    return dt.datetime(2024, month, day, 12, tzinfo=UTC)


def bars(out: pl.DataFrame, *group: str) -> dict[tuple[object, ...], int]:
    """The non-empty bars: (*group values, k) -> users."""
    return {row[:-1]: row[-1] for row in out.filter(pl.col("users") > 0).select(*group, "active_days", "users").rows()}


# --- hand-made cases, expected values worked out by hand -------------------------------------------------

# window 7 ending Jan 10: Jan 4 .. 10
EDGES = [
    ("a", at(4), "open"),  # a: on the window's first day (Jan 10 - 7 + 1) ...
    ("a", at(10), "open"),  # ... and on as_of: 2 active days
    ("b", at(3), "open"),  # b: only the day before the window: not in the curve
    ("c", at(3), "open"),  # c: Jan 3 (outside) and Jan 5: 1 active day
    ("c", at(5), "open"),
    *[("d", at(day), "open") for day in range(4, 11)],  # d: every day of the window, Jan 4 .. 10: 7
]


def test_window_edges_count_both_ends_and_nothing_before(engine: str) -> None:
    out = power_users(read_log(frame(EDGES), engine=engine, now=NOW), window=7)
    assert out.columns == ["active_days", "users", "share"]
    assert out["active_days"].to_list() == [1, 2, 3, 4, 5, 6, 7]  # every k, empty bars included
    # k=1: c; k=2: a; k=7: d; b is outside; MAU = 3
    assert out["users"].to_list() == [1, 1, 0, 0, 0, 0, 1]
    assert out["share"].to_list() == pytest.approx([1 / 3, 1 / 3, 0, 0, 0, 0, 1 / 3])


def test_segments_each_get_their_curve_and_a_segment_without_window_users_none(engine: str) -> None:
    # a -> pro, b -> old (active only before the window), c -> free, d absent from the users table
    users = pl.DataFrame({"user_id": ["a", "b", "c"], "plan": ["pro", "old", "free"]})
    out = power_users(read_log(frame(EDGES), users=users, engine=engine, now=NOW), window=7, by="plan")
    assert out.columns == ["plan", "active_days", "users", "share"]
    assert sorted(set(out["plan"])) == ["(unknown)", "free", "pro"]  # "old" has nobody in the window: no rows
    assert out.height == 3 * 7
    assert bars(out, "plan") == {("(unknown)", 7): 1, ("free", 1): 1, ("pro", 2): 1}
    assert out.filter(pl.col("users") > 0)["share"].to_list() == [1.0, 1.0, 1.0]  # each is its segment's MAU


# a: Jan 3, 4 and 31; b: Jan 1 only. The log ends on Jan 31.
OPTIONS_LOG = [("a", at(3), "x"), ("a", at(4), "x"), ("a", at(31), "x"), ("b", at(1), "x")]


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        (7, {(1,): 1}),  # Jan 25 .. 31: a on Jan 31
        (28, {(2,): 1}),  # Jan 4 .. 31: a on Jan 4 (the first day) and 31; Jan 3 is one day before
        (30, {(3,): 1}),  # Jan 2 .. 31: a on Jan 3, 4, 31; b's Jan 1 is one day before
    ],
)
def test_the_window_options(engine: str, window: int, expected: dict[tuple[object, ...], int]) -> None:
    out = power_users(read_log(frame(OPTIONS_LOG), engine=engine, now=NOW), window=window)
    assert out.height == window
    assert bars(out) == expected


def test_as_of_ends_the_window_earlier(engine: str) -> None:
    # window 7 ending Jan 4: Dec 29 .. Jan 4: a on Jan 3 and 4 (2), b on Jan 1 (1); Jan 31 is after as_of
    out = power_users(read_log(frame(OPTIONS_LOG), engine=engine, now=NOW), window=7, as_of="2024-01-04")
    assert bars(out) == {(1,): 1, (2,): 1}


def test_by_use_case_with_a_catalog(engine: str) -> None:
    # window 7 ending Jan 10 (Jan 4 .. 10); search -> find, buy -> purchase, open is in no rule -> (unmapped)
    rows = [
        ("a", at(4), "search"),
        ("a", at(10), "search"),  # a: find on Jan 4 and 10 (2 days)
        ("a", at(10), "buy"),  # a: purchase on Jan 10 (1)
        ("a", at(9), "open"),  # a: (unmapped) on Jan 9 (1)
        ("c", at(3), "buy"),  # c: purchase on Jan 3 (outside) and Jan 5 (1)
        ("c", at(5), "buy"),
    ]
    catalog = read_catalog(pl.DataFrame({"event": ["search", "buy"], "use_case": ["find", "purchase"]}))
    out = power_users_by_use_case(read_log(frame(rows), engine=engine, now=NOW), catalog, window=7)
    assert out.columns == ["persona", "use_case", "active_days", "users", "share"]
    assert set(out["persona"]) == {"(all)"}  # no users table
    assert out.height == 3 * 7  # (any) is power_users' curve, not repeated here
    expected = {("(all)", "(unmapped)", 1): 1, ("(all)", "find", 2): 1, ("(all)", "purchase", 1): 2}
    assert bars(out, "persona", "use_case") == expected


@pytest.mark.parametrize("window", [0, 3, 6, 7.5, "30", True, 3651])
def test_a_bad_window_is_a_clear_error_naming_the_keyword(window: object) -> None:
    log = read_log(frame(EDGES), now=NOW)
    with pytest.raises(InvalidOptionError, match=rf"window={window!r}: use a whole number of days >= 7"):
        power_users(log, window=window)  # type: ignore[arg-type]
    with pytest.raises(InvalidOptionError, match=rf"window={window!r}: use a whole number of days >= 7"):
        power_users_by_use_case(log, window=window)  # type: ignore[arg-type]


def test_as_of_after_the_log_is_a_clear_error() -> None:
    with pytest.raises(InvalidOptionError, match="as_of=2024-02-01 is after the log's last day"):
        power_users(read_log(frame(EDGES), now=NOW), as_of="2024-02-01")


def test_an_empty_log_gives_the_documented_columns(engine: str) -> None:
    empty = pl.DataFrame(schema={"user_id": pl.String, "timestamp": pl.Datetime("us", "UTC"), "event": pl.String})
    log = read_log(empty, engine=engine, now=NOW)
    assert power_users(log).schema == pl.Schema({"active_days": pl.Int64, "users": pl.Int64, "share": pl.Float64})
    assert power_users_by_use_case(log).columns == ["persona", "use_case", "active_days", "users", "share"]


@pytest.mark.parametrize("window", [7, 28, 30])
def test_the_users_sum_to_mau_on_as_of(engine: str, window: int) -> None:
    log = read_log(demo_events(users=100), users=demo_users(users=100), engine=engine, now=NOW)
    curve = power_users(log, window=window, by="persona").group_by("persona").agg(pl.col("users").sum())
    mau = active_users(log, window=window, by="persona").filter(pl.col("day") == log.as_of)
    joined = curve.join(mau.select("persona", "mau"), on="persona", how="full", coalesce=True)
    assert joined.height == 4 and (joined["users"] == joined["mau"]).all()  # every persona of the demo


def test_by_use_case_sums_to_the_use_case_users_of_the_window() -> None:
    log = read_log(demo_events(users=100), users=demo_users(users=100), now=NOW)
    out = power_users_by_use_case(log, read_catalog(demo_catalog()), window=28)
    shares = out.group_by("persona", "use_case").agg(pl.col("share").sum(), pl.len())
    assert (shares["len"] == 28).all()
    assert shares["share"].to_list() == pytest.approx([1.0] * shares.height)


# --- against the plain-Python reference on generated logs --------------------------------------------------

ZONES = ["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"]
START = dt.datetime(2024, 1, 20, tzinfo=UTC)
SEGMENTS = {"u1": "agent", "u2": "agent", "u3": "buyer", "u4": "owner"}  # u5, u6: (unknown)
USE_CASES = {"open": ["browse"], "search": ["browse", "find"]}  # buy: (unmapped); search in two use cases
CATALOG = pl.DataFrame({"event": ["open", "search", "search"], "use_case": ["browse", "browse", "find"]})

events_strategy = st.lists(
    st.tuples(
        st.sampled_from(["u1", "u2", "u3", "u4", "u5", "u6"]),
        st.integers(min_value=0, max_value=75 * 24 * 60).map(lambda m: START + dt.timedelta(minutes=m)),
        st.sampled_from(["open", "search", "buy"]),
    ),
    min_size=1,
    max_size=60,
)
options = {
    "events": events_strategy,
    "tz": st.sampled_from(ZONES),
    "window": st.sampled_from([7, 10, 28, 30]),
    "segmented": st.booleans(),
    "back": st.one_of(st.none(), st.integers(min_value=0, max_value=40)),  # as_of this many days before the last
}


def _setup(events, tz, segmented, back, engine):  # type: ignore[no-untyped-def]
    segment_of = SEGMENTS if segmented else None
    users = pl.DataFrame({"user_id": list(SEGMENTS), "persona": list(SEGMENTS.values())}) if segmented else None
    log = read_log(frame(events), users=users, tz=tz, engine=engine, now=NOW)
    as_of = None if back is None or log.as_of is None else log.as_of - dt.timedelta(days=back)
    return log, segment_of, as_of


def test_power_users_match_the_reference(engine: str) -> None:
    @settings(max_examples=40, deadline=None)
    @given(**options)
    def check(events, tz, window, segmented, back) -> None:  # type: ignore[no-untyped-def]
        log, segment_of, as_of = _setup(events, tz, segmented, back, engine)
        by = "persona" if segmented else None
        out = power_users(log, window=window, by=by, as_of=as_of)
        got = {row[:-1]: row[-1] for row in out.select(by or pl.lit("(all)"), "active_days", "users").rows()}
        assert got == reference.power_users(events, tz, window=window, as_of=as_of, segment_of=segment_of)
        _check_shares(out, [by] if by else [])

    check()


def test_power_users_by_use_case_match_the_reference(engine: str) -> None:
    @settings(max_examples=30, deadline=None)
    @given(**options, with_catalog=st.booleans())
    def check(events, tz, window, segmented, back, with_catalog) -> None:  # type: ignore[no-untyped-def]
        log, segment_of, as_of = _setup(events, tz, segmented, back, engine)
        catalog = read_catalog(CATALOG) if with_catalog else None
        out = power_users_by_use_case(log, catalog, window=window, as_of=as_of)  # by="persona": "(all)" w/o users
        got = {row[:-1]: row[-1] for row in out.select("persona", "use_case", "active_days", "users").rows()}
        use_cases_of = {**USE_CASES, "buy": ["(unmapped)"]} if with_catalog else None
        expected = reference.power_users_by_use_case(
            events, tz, window=window, as_of=as_of, segment_of=segment_of, use_cases_of=use_cases_of
        )
        assert got == expected
        _check_shares(out, ["persona", "use_case"])

    check()


def _check_shares(out: pl.DataFrame, keys: list[str]) -> None:
    """share = users / the group's users in the window, so a group's shares sum to 1."""
    total = pl.col("users").sum().over(keys) if keys else pl.col("users").sum()
    assert out["share"].to_list() == pytest.approx(out.select(pl.col("users") / total).to_series().to_list())
