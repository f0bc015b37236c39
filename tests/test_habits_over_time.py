"""Habits over time (docs/habits-over-time.md): habit mix, band migration and time to habit.

Hand-made cases with the arithmetic in comments, the identities with frequency_spectrum (each period's
spectrum, the migration's margins) and the plain-Python reference on generated logs, on polars and
DuckDB in-process; tests/test_engines.py compares the three metrics on PySpark too.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stickiness import (
    InvalidOptionError,
    band_migration,
    frequency_spectrum,
    habit_mix,
    read_catalog,
    read_log,
    time_to_habit,
)
from stickiness.log import UsageLog
from stickiness.metrics.habits_over_time import period_ends

from . import reference_habits_over_time as reference
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


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def rows_of(user: str, when: list[dt.date]) -> list[tuple[str, dt.datetime, str]]:
    return [(user, dt.datetime(d.year, d.month, d.day, 12, tzinfo=UTC), "open") for d in when]


# --- the habit mix: three users, three month ends ------------------------------------------------------------
# window 30, horizon 60, min_exposure 10; the log runs Jan 1 .. Mar 15 2024 (a leap year: Feb has 29 days)
MIX = [
    *rows_of("a", days(D(2024, 1, 1), D(2024, 3, 15))),  # every day: 30 x 30 / 30 = 30, daily at every end
    *rows_of("b", [D(2024, 1, 25)]),  # once: too new on Jan 31 (exposure 31 - 25 + 1 = 7 < 10), then lapsed
    *rows_of("c", [D(2024, 2, d) for d in (1, 8, 15, 22)]),  # weekly on Feb 29, monthly on Mar 15
]
MIX_OPTIONS = {"window": 30, "horizon": 60, "min_exposure": 10}


def test_hand_made_habit_mix(engine: str) -> None:
    log = read_log(frame(MIX), engine=engine, now=NOW)
    out = habit_mix(log, **MIX_OPTIONS)
    assert out.columns == [
        "persona",
        "use_case",
        "period_end",
        "band",
        "users",
        "evaluable",
        "share",
        "share_low",
        "share_high",
        "small_sample",
    ]
    # ends: Jan 31 (its window Jan 2 .. 31 lies in the log), Feb 29, and as_of = Mar 15 (the log's last day)
    assert out["period_end"].unique(maintain_order=True).to_list() == [D(2024, 1, 31), D(2024, 2, 29), D(2024, 3, 15)]
    got = {
        (r[0], r[1]): (r[2], r[3])
        for r in out.filter(pl.col("users") > 0).select("period_end", "band", "users", "evaluable").rows()
    }
    assert got == {
        # Jan 31: a daily; b an adopter but too new (not evaluable); c not yet a user
        (D(2024, 1, 31), "daily"): (1, 1),
        # Feb 29: a daily; b lapsed (Jan 25 is in the horizon Jan 1 .. Feb 29, not in the window Jan 31 .. Feb 29);
        # c: 4 days in the window, exposure Feb 29 - Feb 1 + 1 = 29: 30 x 4 / 29 = 4.14, weekly
        (D(2024, 2, 29), "daily"): (1, 3),
        (D(2024, 2, 29), "weekly"): (1, 3),
        (D(2024, 2, 29), "lapsed"): (1, 3),
        # Mar 15: window Feb 15 .. Mar 15: c has Feb 15 and 22, exposure 30: 30 x 2 / 30 = 2, monthly;
        # b still in the horizon Jan 16 .. Mar 15, lapsed
        (D(2024, 3, 15), "daily"): (1, 3),
        (D(2024, 3, 15), "monthly"): (1, 3),
        (D(2024, 3, 15), "lapsed"): (1, 3),
    }
    assert out.height == 3 * 5  # every band of every end, zeros too
    row = out.filter((pl.col("period_end") == D(2024, 2, 29)) & (pl.col("band") == "weekly")).row(0, named=True)
    assert row["share"] == pytest.approx(1 / 3)
    # Clopper-Pearson for 1 of 3: low = 1 - 0.975^(1/3) = 0.0084; high solves the Beta(2, 2) cdf 3h^2 - 2h^3 = 0.975
    assert row["share_low"] == pytest.approx(1 - 0.975 ** (1 / 3), abs=1e-4)
    high = row["share_high"]
    assert 3 * high**2 - 2 * high**3 == pytest.approx(0.975, abs=1e-3)
    assert row["small_sample"] is True  # 3 evaluable adopters < 30


def test_each_period_equals_the_frequency_spectrum_then(engine: str) -> None:
    log = read_log(frame(MIX), engine=engine, now=NOW)
    _check_against_spectrum(log, habit_mix(log, period="week", **MIX_OPTIONS), MIX_OPTIONS)


def test_periods_takes_the_last_ends_and_as_of_moves_the_last_one(engine: str) -> None:
    log = read_log(frame(MIX), engine=engine, now=NOW)
    out = habit_mix(log, periods=2, as_of="2024-03-10", **MIX_OPTIONS)
    assert out["period_end"].unique(maintain_order=True).to_list() == [D(2024, 2, 29), D(2024, 3, 10)]


def test_weeks_end_the_day_before_the_log_s_week_start(engine: str) -> None:
    # Sunday weeks end on Saturdays: Feb 24 and Mar 2 and 9 2024 are Saturdays, Mar 15 (as_of) a Friday
    log = read_log(frame(MIX), engine=engine, now=NOW, week_start="sunday")
    out = habit_mix(log, period="week", periods=4, **MIX_OPTIONS)
    assert out["period_end"].unique(maintain_order=True).to_list() == [
        D(2024, 2, 24),
        D(2024, 3, 2),
        D(2024, 3, 9),
        D(2024, 3, 15),
    ]
    _check_against_spectrum(log, out, MIX_OPTIONS)


def test_period_ends() -> None:
    # weeks end on Sunday: Jan 7, 14 2024 are Sundays; Jan 7's 7-day window Jan 1 .. 7 is in the log
    assert period_ends(D(2024, 1, 1), D(2024, 1, 17), period="week", window=7) == [
        D(2024, 1, 7),
        D(2024, 1, 14),
        D(2024, 1, 17),
    ]
    # ... a 10-day window ending Jan 7 starts Dec 29, before the log: Jan 7 is left out
    assert period_ends(D(2024, 1, 1), D(2024, 1, 17), period="week", window=10) == [D(2024, 1, 14), D(2024, 1, 17)]
    # as_of on a month end is the last end once
    assert period_ends(D(2024, 1, 1), D(2024, 2, 29), period="month", window=30) == [D(2024, 1, 31), D(2024, 2, 29)]
    # a log shorter than the window: as_of only
    assert period_ends(D(2024, 1, 1), D(2024, 1, 5), period="month", window=30) == [D(2024, 1, 5)]


# --- band migration and time to habit: six users, window edges and a user who changes band twice -------------
# window 28, horizon 56; as_of Mar 17 2024; with period_days 49 the earlier day is Jan 28
# (windows: Jan 1 .. 28 and Feb 19 .. Mar 17; horizons: Dec 4 .. Jan 28 and Jan 22 .. Mar 17)
MOVES = [
    *rows_of("a", days(D(2024, 1, 1), D(2024, 3, 17))),  # every day: daily -> daily
    # e: 1 day (Jan 1) by Jan 28: 30 x 1 / 28 = 1.07, monthly; daily in between (Jan 29 .. Feb 18, 21 days:
    # 30 x 21 / 28 = 22.5 on Feb 18); on Mar 17 only Mar 10 in the window: monthly again. Monthly -> monthly
    *rows_of("e", [D(2024, 1, 1), *days(D(2024, 1, 29), D(2024, 2, 18)), D(2024, 3, 10)]),
    *rows_of("g", [D(2024, 1, 10)]),  # Jan 28: exposure 28 - 10 + 1 = 19, 30 / 19 = 1.58 monthly; Mar 17: gone
    *rows_of("n", [D(2024, 3, 1), D(2024, 3, 8)]),  # new; Mar 17: exposure 17, 30 x 2 / 17 = 3.53: monthly
    *rows_of("t", [D(2024, 1, 25), D(2024, 3, 15)]),  # Jan 28: exposure 4 < 7, too new: new; Mar 17: 1.07 monthly
    # w: the windows' first days count, the day before does not. Jan 28: Jan 1, 10, 20, 28 = 4 days,
    # 30 x 4 / 28 = 4.29 weekly (3.21 monthly without Jan 1). Mar 17: Feb 19, Mar 1, 17 = 3 days (Feb 18 is out),
    # 3.21 monthly (4.29 weekly with Feb 18)
    *rows_of(
        "w", [D(2024, 1, d) for d in (1, 10, 20, 28)] + [D(2024, 2, 18), D(2024, 2, 19), D(2024, 3, 1), D(2024, 3, 17)]
    ),
]
MOVE_OPTIONS = {"window": 28, "horizon": 56, "min_exposure": 7}


def test_hand_made_band_migration(engine: str) -> None:
    log = read_log(frame(MOVES), engine=engine, now=NOW)
    out = band_migration(log, period_days=49, **MOVE_OPTIONS)
    assert out.columns == ["persona", "use_case", "from_band", "to_band", "users"]
    assert out.select("from_band", "to_band", "users").rows() == [
        ("daily", "daily", 1),  # a
        ("weekly", "monthly", 1),  # w
        ("monthly", "monthly", 1),  # e, daily in between
        ("monthly", "gone", 1),  # g
        ("new", "monthly", 2),  # n, t
    ]
    _check_margins(log, out, as_of=D(2024, 3, 17), period_days=49, options=MOVE_OPTIONS)


def test_the_user_who_changes_band_twice_shows_in_the_weekly_mix(engine: str) -> None:
    log = read_log(frame(MOVES), engine=engine, now=NOW)
    out = habit_mix(log, period="week", **MOVE_OPTIONS).filter(pl.col("users") > 0)
    daily = dict(out.filter(pl.col("band") == "daily").select("period_end", "users").rows())
    # Sunday Feb 18: window Jan 22 .. Feb 18 holds a's 28 days and e's 21: both daily; Jan 28 and Mar 17: a only
    assert daily[D(2024, 2, 18)] == 2 and daily[D(2024, 1, 28)] == 1 and daily[D(2024, 3, 17)] == 1


def test_hand_made_time_to_habit(engine: str) -> None:
    log = read_log(frame(MOVES), engine=engine, now=NOW)
    out = time_to_habit(log, window=28, horizon=56, min_exposure=28)
    assert out.columns == [
        "persona",
        "use_case",
        "users",
        "reached",
        "share",
        "share_low",
        "share_high",
        "small_sample",
        "median_days_to_habit",
        "p25_days_to_habit",
        "p75_days_to_habit",
    ]
    # evaluable from the 28th day (first use + 27): n (Mar 1 + 27 = Mar 28) is not yet: users a, e, g, t, w.
    # a: Jan 28, 28 days in the window: 30, after 27 days. w: Jan 28, 4 days: 4.29, after 27 days.
    # e: Jan 28: 1 day, 1.07; Jan 29 .. 31 (Jan 1 has left the window Jan 2 .. 29): 1, 2, 3 days;
    #    Feb 1: 4 days, 4.29: after 31 days. g (1 day) and t (1 day per window) never reach 4.
    row = out.row(0, named=True)
    assert (row["users"], row["reached"], row["share"]) == (5, 3, pytest.approx(0.6))
    # [27, 27, 31]: median 27; nearest rank: p25 = the ceil(0.75) = 1st, p75 = the ceil(2.25) = 3rd
    assert (row["median_days_to_habit"], row["p25_days_to_habit"], row["p75_days_to_habit"]) == (27.0, 27.0, 31.0)


def test_time_to_daily_with_a_short_exposure(engine: str) -> None:
    log = read_log(frame(MOVES), engine=engine, now=NOW)
    row = time_to_habit(log, band="daily", **MOVE_OPTIONS).row(0, named=True)
    # evaluable from the 7th day: every user (n: Mar 7 <= Mar 17). a: Jan 7, 30 x 7 / 7 = 30: after 6 days.
    # e: from Jan 29 the window holds Jan 29 .. t only: 30 x k / 28 >= 20 needs k = 19 days: Feb 16, after 46 days
    assert (row["users"], row["reached"]) == (6, 2)
    quantiles = (row["median_days_to_habit"], row["p25_days_to_habit"], row["p75_days_to_habit"])
    assert quantiles == (26.0, 6.0, 46.0)  # [6, 46]


# --- options and empty logs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda log: habit_mix(log, period="day"), "period='day'"),
        (lambda log: habit_mix(log, periods=0), "periods=0"),
        (lambda log: band_migration(log, period_days=0), "period_days=0"),
        (lambda log: time_to_habit(log, band="occasional"), "band='occasional'"),
        (lambda log: habit_mix(log, as_of="2025-01-01"), "as_of=2025-01-01"),
        (lambda log: band_migration(log, by="use_case"), "use_case"),
    ],
)
def test_bad_options_are_clear_errors_naming_the_keyword(call, match: str) -> None:  # type: ignore[no-untyped-def]
    log = read_log(frame(MIX), now=NOW)
    with pytest.raises(InvalidOptionError, match=match):
        call(log)


def test_an_empty_log_gives_the_documented_columns() -> None:
    log = read_log(frame([("a", dt.datetime(2024, 1, 1, tzinfo=UTC), "open")]), now=NOW, start="2024-02-01")
    assert habit_mix(log).columns[:4] == ["persona", "use_case", "period_end", "band"] and habit_mix(log).is_empty()
    assert band_migration(log).is_empty() and time_to_habit(log).is_empty()


# --- the identities with frequency_spectrum ------------------------------------------------------------------


def _spectrum(
    log: UsageLog, day: dt.date, options: dict[str, object], by: str | None = "persona", catalog=None
) -> pl.DataFrame:  # type: ignore[no-untyped-def]
    column = by or "segment"
    out = frequency_spectrum(log, catalog, as_of=day, by=by, **options)  # type: ignore[arg-type]
    return out.select(column, "use_case", "band", "users", "share")


def _check_against_spectrum(log: UsageLog, mix: pl.DataFrame, options: dict[str, object], **kw: object) -> None:
    """The rows of each period end are the spectrum's: the same segments, use cases, bands and users, exactly.

    ``share`` is users / evaluable on both sides, equal up to the last bit: polars divides by a broadcast
    scalar through its reciprocal, so a one-group spectrum's 3 / 5 is 0.6000000000000001 (the mix's is 0.6).
    """
    column = mix.columns[0]
    for end in mix["period_end"].unique().to_list():
        got = mix.filter(pl.col("period_end") == end).select(column, "use_case", "band", "users", "share")
        expected = _spectrum(log, end, options, **kw)  # type: ignore[arg-type]
        assert got.drop("share").equals(expected.drop("share")), end
        assert got["share"].is_null().equals(expected["share"].is_null()), end
        assert ((got["share"] - expected["share"]).abs().fill_null(0) <= 1e-15).all(), end


def _check_margins(
    log: UsageLog, moves: pl.DataFrame, *, as_of: dt.date, period_days: int, options: dict[str, object], **kw: object
) -> None:
    """From each band (new aside) = the spectrum on as_of - period_days; to each band (gone aside) = on as_of."""
    column = moves.columns[0]
    for side, day, extra in (("from_band", as_of - dt.timedelta(days=period_days), "new"), ("to_band", as_of, "gone")):
        spectrum = _spectrum(log, day, options, **kw).filter(pl.col("users") > 0)  # type: ignore[arg-type]
        expected = {(r[0], r[1], r[2]): r[3] for r in spectrum.rows()}
        margin = moves.filter(pl.col(side) != extra).group_by(column, "use_case", side).agg(pl.col("users").sum())
        assert {(r[0], r[1], r[2]): r[3] for r in margin.rows()} == expected, side


# --- against the plain-Python reference on generated logs ----------------------------------------------------

ZONES = ["UTC", "America/New_York", "Asia/Kolkata"]
START = dt.datetime(2024, 1, 20, tzinfo=UTC)
SEGMENTS = {"u1": "agent", "u2": "agent", "u3": "buyer", "u4": "owner"}  # u5, u6: (unknown)
CATALOG = pl.DataFrame({"event": ["open", "search", "search"], "use_case": ["browse", "browse", "find"]})
RULES = [("open", "browse"), ("search", "browse"), ("search", "find")]

events_strategy = st.lists(
    st.tuples(
        st.sampled_from(["u1", "u2", "u3", "u4", "u5", "u6"]),
        st.integers(min_value=0, max_value=80 * 24 * 60).map(lambda m: START + dt.timedelta(minutes=m)),
        st.sampled_from(["open", "search", "buy"]),
    ),
    min_size=1,
    max_size=60,
)
options = {
    "events": events_strategy,
    "tz": st.sampled_from(ZONES),
    "window": st.sampled_from([7, 14, 30]),
    "horizon_extra": st.sampled_from([0, 20]),  # horizon = window + this
    "min_exposure": st.sampled_from([0, 1, 5, 10]),
    "segmented": st.booleans(),
    "with_catalog": st.booleans(),
    "back": st.one_of(st.none(), st.integers(min_value=0, max_value=30)),  # as_of this many days before the last
}


def _setup(events, tz, segmented, with_catalog, back, engine):  # type: ignore[no-untyped-def]
    users = pl.DataFrame({"user_id": list(SEGMENTS), "persona": list(SEGMENTS.values())}) if segmented else None
    log = read_log(frame(events), users=users, tz=tz, engine=engine, now=NOW)
    as_of = log.as_of if back is None or log.as_of is None else log.as_of - dt.timedelta(days=back)
    catalog = read_catalog(CATALOG) if with_catalog else None
    reference_options = {"segment_of": SEGMENTS if segmented else None, "rules": RULES if with_catalog else None}
    return log, catalog, as_of, reference_options


def test_habit_mix_matches_the_reference_and_the_spectrum(engine: str) -> None:
    @settings(max_examples=30, deadline=None)
    @given(**options, period=st.sampled_from(["week", "month"]), periods=st.one_of(st.none(), st.integers(1, 4)))
    def check(events, tz, window, horizon_extra, min_exposure, segmented, with_catalog, back, period, periods) -> None:  # type: ignore[no-untyped-def]
        log, catalog, as_of, ref = _setup(events, tz, segmented, with_catalog, back, engine)
        habit = {"window": window, "horizon": window + horizon_extra, "min_exposure": min_exposure}
        out = habit_mix(log, catalog, period=period, periods=periods, as_of=as_of, **habit)
        ends = reference.period_ends(log.first_day, as_of, period=period, periods=periods, window=window)
        assert set(out["period_end"]) <= set(ends)
        expected = reference.habit_mix(events, tz, ends=ends, **ref, **habit)
        got = {
            (r[0], r[1], r[2], r[3]): (r[4], r[5])
            for r in out.select("persona", "use_case", "period_end", "band", "users", "share").rows()
        }
        assert got.keys() == expected.keys()
        for key, (users, share) in expected.items():
            assert got[key][0] == users, key
            assert got[key][1] == (None if share is None else pytest.approx(share)), key
        _check_against_spectrum(log, out, habit, catalog=catalog)

    check()


def test_band_migration_matches_the_reference_and_the_margins(engine: str) -> None:
    @settings(max_examples=30, deadline=None)
    @given(**options, period_days=st.sampled_from([1, 7, 30, 45]))
    def check(events, tz, window, horizon_extra, min_exposure, segmented, with_catalog, back, period_days) -> None:  # type: ignore[no-untyped-def]
        log, catalog, as_of, ref = _setup(events, tz, segmented, with_catalog, back, engine)
        habit = {"window": window, "horizon": window + horizon_extra, "min_exposure": min_exposure}
        out = band_migration(log, catalog, period_days=period_days, as_of=as_of, **habit)
        got = {(r[0], r[1], r[2], r[3]): r[4] for r in out.rows()}
        assert got == reference.band_migration(events, tz, as_of=as_of, period_days=period_days, **ref, **habit)
        _check_margins(log, out, as_of=as_of, period_days=period_days, options=habit, catalog=catalog)

    check()


def test_time_to_habit_matches_the_reference(engine: str) -> None:
    @settings(max_examples=30, deadline=None)
    @given(**options, band=st.sampled_from(["daily", "weekly", "monthly"]))
    def check(events, tz, window, horizon_extra, min_exposure, segmented, with_catalog, back, band) -> None:  # type: ignore[no-untyped-def]
        log, catalog, as_of, ref = _setup(events, tz, segmented, with_catalog, back, engine)
        habit = {"window": window, "horizon": window + horizon_extra, "min_exposure": min_exposure}
        out = time_to_habit(log, catalog, band=band, as_of=as_of, **habit)
        days_to_habit = ["median_days_to_habit", "p25_days_to_habit", "p75_days_to_habit"]
        columns = ["persona", "use_case", "users", "reached", *days_to_habit]
        got = {(r[0], r[1]): r[2:] for r in out.select(columns).rows()}
        assert got == reference.time_to_habit(events, tz, as_of=as_of, band=band, **ref, **habit)

    check()
