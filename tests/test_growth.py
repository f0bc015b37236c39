"""Growth states and transitions (docs/growth-states.md): hand-made cases, identities, and the reference."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stickiness import InvalidOptionError, active_users, growth_states, growth_transitions, read_log
from stickiness.demo import demo_events, demo_users
from stickiness.metrics.growth import GROWTH_STATES, TRANSITIONS
from stickiness.schemas import GROWTH_STATES_SCHEMA, GROWTH_TRANSITIONS_SCHEMA

from . import reference_growth
from .conftest import NOW, frame
from .retention_example import EXAMPLES

D = dt.date
UTC = dt.UTC


def jan(day: int) -> dt.date:
    """Day ``day`` counted from January 1, 2024 (day 1); day 40 is February 9."""
    return D(2024, 1, 1) + dt.timedelta(days=day - 1)


def log_of(days: dict[str, list[dt.date]], engine: str = "polars"):  # type: ignore[no-untyped-def]
    rows = [(user, dt.datetime.combine(d, dt.time(12), tzinfo=UTC), "open") for user, ds in days.items() for d in ds]
    return read_log(frame(rows), engine=engine, now=NOW)


def states_by_day(out: pl.DataFrame) -> dict[dt.date, str]:
    """For a one-user log: the state whose count is 1 on each day (every other count is 0)."""
    result = {}
    for row in out.iter_rows(named=True):
        ones = [state for state in GROWTH_STATES if row[state] == 1]
        assert len(ones) == 1 and sum(row[state] for state in GROWTH_STATES) == 1, row
        result[row["day"]] = ones[0]
    return result


# --- hand-made cases, expected values worked out by hand -------------------------------------------------


def test_a_user_active_on_days_1_2_10_40(engine: str) -> None:
    out = growth_states(log_of({"a": [jan(1), jan(2), jan(10), jan(40)]}, engine))
    expected = {jan(1): "new"}  # first active day
    expected[jan(2)] = "current"  # 2 - 1 = 1 <= 6
    expected |= {jan(d): "at_risk_wau" for d in range(3, 9)}  # 3 - 2 = 1 .. 8 - 2 = 6
    expected[jan(9)] = "at_risk_mau"  # 9 - 2 = 7
    expected[jan(10)] = "reactivated"  # 10 - 2 = 8: in 7 .. 29
    expected |= {jan(d): "at_risk_wau" for d in range(11, 17)}  # 11 - 10 = 1 .. 16 - 10 = 6
    expected |= {jan(d): "at_risk_mau" for d in range(17, 40)}  # 17 - 10 = 7 .. 39 - 10 = 29
    expected[jan(40)] = "resurrected"  # 40 - 10 = 30 >= 30
    assert states_by_day(out) == expected
    assert jan(40) == D(2024, 2, 9)


def test_the_day_boundaries_6_7_29_30(engine: str) -> None:
    # active on days 1, 7, 14, 43, 73: gaps 6, 7, 29, 30
    out = growth_states(log_of({"c": [jan(1), jan(7), jan(14), jan(43), jan(73)]}, engine))
    got = states_by_day(out)
    assert [got[jan(d)] for d in (1, 7, 14, 43, 73)] == ["new", "current", "reactivated", "reactivated", "resurrected"]
    # inactive: 13 - 7 = 6 (at-risk WAU), 42 - 14 = 28 (at-risk MAU), 72 - 43 = 29 (at-risk MAU)
    assert [got[jan(d)] for d in (13, 42, 72)] == ["at_risk_wau", "at_risk_mau", "at_risk_mau"]


def test_two_users_counts_totals_and_dormant(engine: str) -> None:
    # a: days 1, 2, 10, 40; b: day 2 only
    out = growth_states(log_of({"a": [jan(1), jan(2), jan(10), jan(40)], "b": [jan(2)]}, engine))
    row = {r["day"]: r for r in out.iter_rows(named=True)}
    # day 2: a current, b new: DAU 2
    assert (row[jan(2)]["new"], row[jan(2)]["current"], row[jan(2)]["dau"], row[jan(2)]["users"]) == (1, 1, 2, 2)
    # day 10: a reactivated, b at-risk MAU (10 - 2 = 8): WAU 1, MAU 2
    assert (row[jan(10)]["reactivated"], row[jan(10)]["at_risk_mau"], row[jan(10)]["wau"], row[jan(10)]["mau"]) == (
        1,
        1,
        1,
        2,
    )
    # day 32: b dormant (32 - 2 = 30), a at-risk MAU (32 - 10 = 22): MAU 1, users 2
    assert (row[jan(32)]["dormant"], row[jan(32)]["at_risk_mau"], row[jan(32)]["mau"], row[jan(32)]["users"]) == (
        1,
        1,
        1,
        2,
    )
    assert row[jan(31)]["dormant"] == 0  # 31 - 2 = 29: still at-risk MAU


def test_transitions_by_hand(engine: str) -> None:
    out = growth_transitions(log_of({"a": [jan(1), jan(2), jan(10), jan(40)], "b": [jan(2)]}, engine))
    moves = {(r["day"], r["from_state"], r["to_state"]): (r["users"], r["rate"]) for r in out.iter_rows(named=True)}
    assert moves[(jan(2), "new", "current")] == (1, 1.0)  # a: new on 1, current on 2
    assert moves[(jan(3), "new", "at_risk_wau")] == (1, 1.0)  # b: new on 2
    assert moves[(jan(3), "current", "at_risk_wau")] == (1, 1.0)  # a: current on 2
    assert moves[(jan(9), "at_risk_wau", "at_risk_mau")] == (2, 1.0)  # both last active on 2: 9 - 2 = 7
    # day 10: of the 2 at-risk MAU users of day 9, a comes back (reactivated), b stays: 1/2 each
    assert moves[(jan(10), "at_risk_mau", "reactivated")] == (1, 0.5)
    assert moves[(jan(10), "at_risk_mau", "at_risk_mau")] == (1, 0.5)
    assert moves[(jan(32), "at_risk_mau", "dormant")] == (1, 0.5)  # b: 32 - 2 = 30; a stays at-risk MAU
    assert moves[(jan(40), "at_risk_mau", "resurrected")] == (1, 1.0)  # a: 39 - 10 = 29, then 40 - 10 = 30
    assert moves[(jan(40), "dormant", "dormant")] == (1, 1.0)  # b
    assert moves[(jan(2), "current", "current")] == (0, None)  # nobody was current on day 1: no rate
    # every day after the first has the 18 transitions, in the documented order
    assert out.height == 39 * len(TRANSITIONS)
    assert list(zip(out["from_state"][:18], out["to_state"][:18], strict=True)) == list(TRANSITIONS)


def test_start_and_as_of_cut_the_output_not_the_history() -> None:
    log = log_of({"a": [jan(1), jan(2), jan(10), jan(40)], "b": [jan(2)]})
    whole = growth_states(log)
    cut = growth_states(log, start="2024-01-05", as_of=jan(12))
    assert cut.equals(whole.filter(pl.col("day").is_between(jan(5), jan(12))))
    assert cut["at_risk_wau"][0] == 2  # day 5: both active on day 2, before start
    moves = growth_transitions(log, start=jan(5), as_of=jan(12))
    assert moves["day"].min() == jan(5) and moves["day"].max() == jan(12)


def test_bad_days_are_refused_with_the_fix() -> None:
    log = log_of({"a": [jan(1), jan(2)]})
    with pytest.raises(InvalidOptionError, match=r"as_of=2024-01-03 is after the log's last day \(2024-01-02\)"):
        growth_states(log, as_of="2024-01-03")
    with pytest.raises(InvalidOptionError, match="start=2024-01-02 is after as_of=2024-01-01"):
        growth_transitions(log, start="2024-01-02", as_of="2024-01-01")
    with pytest.raises(InvalidOptionError, match=r"as_of=2023-12-31 is before the log's first day \(2024-01-01\)"):
        growth_states(log, as_of=D(2023, 12, 31))
    with pytest.raises(InvalidOptionError, match="start="):
        growth_states(log, start="Jan 2")


def test_an_empty_log_gives_the_documented_columns() -> None:
    rows = pl.DataFrame(schema={"user_id": pl.String, "timestamp": pl.Datetime("us", "UTC"), "event": pl.String})
    empty = read_log(rows, now=NOW)
    assert growth_states(empty).schema == pl.Schema(GROWTH_STATES_SCHEMA)
    assert growth_transitions(empty).schema == pl.Schema(GROWTH_TRANSITIONS_SCHEMA)


# --- identities on the demo log --------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_identities_on_the_demo_log(engine: str) -> None:
    log = read_log(demo_events(users=150), users=demo_users(users=150), engine=engine, now=NOW)
    states = growth_states(log, by="persona")
    active = [pl.col(s) for s in ("new", "current", "reactivated", "resurrected")]
    assert states.select((pl.sum_horizontal(active) == pl.col("dau")).all()).item()
    # DAU, WAU and the 30-day MAU are active_users' own
    daily = active_users(log, by="persona", window=30).select("persona", "day", "dau", "wau", "mau")
    assert states.select("persona", "day", "dau", "wau", "mau").equals(daily)
    # every user seen up to a day is in exactly one state: the running count of first active days
    first = log.activity.collect("polars").to_native() if engine != "polars" else log.activity
    seen = (
        first.group_by("user")
        .agg(pl.col("day").min())
        .join(
            demo_users(users=150).select(pl.col("user_id").cast(first.schema["user"]).alias("user"), "persona"),
            on="user",
            how="left",
        )
        .group_by("persona", "day")
        .len()
    )
    counted = states.join(seen, on=["persona", "day"], how="left").with_columns(pl.col("len").fill_null(0))
    running = counted.sort("persona", "day").with_columns(pl.col("len").cum_sum().over("persona"))
    assert (running["len"] == running["users"]).all()
    assert states.select((pl.sum_horizontal(GROWTH_STATES) == pl.col("users")).all()).item()
    # the users leaving each state sum to its count the day before; those arriving, to its count (new: none)
    moves = growth_transitions(log, by="persona")
    before = states.with_columns(pl.col("day").dt.offset_by("1d")).unpivot(
        index=["persona", "day"], on=list(GROWTH_STATES), variable_name="from_state", value_name="count"
    )
    out = moves.group_by("persona", "day", "from_state").agg(pl.col("users").sum())
    assert (
        out.join(before, on=["persona", "day", "from_state"]).select((pl.col("users") == pl.col("count")).all()).item()
    )
    today = states.unpivot(index=["persona", "day"], on=list(GROWTH_STATES), variable_name="to_state", value_name="n")
    into = moves.group_by("persona", "day", "to_state").agg(pl.col("users").sum())
    joined = into.join(today, on=["persona", "day", "to_state"])
    assert joined.height == moves.select("persona", "day").unique().height * 6  # every state but new
    assert (joined["users"] == joined["n"]).all()


# --- generated logs against the plain-Python reference ---------------------------------------------------


ZONES = ["UTC", "America/New_York", "Asia/Kolkata"]
START = dt.datetime(2024, 1, 20, tzinfo=UTC)

#: Gaps between a user's active days: mostly on either side of the model's boundaries (6|7 and 29|30 days).
GAPS = st.sampled_from([1, 2, 5, 6, 7, 8, 13, 28, 29, 30, 31, 45])


@st.composite
def events_strategy(draw: st.DrawFn) -> list[tuple[str, dt.datetime, str]]:
    """Up to 6 users, each active on days a start and a list of gaps apart, at any minute of the day."""
    events = []
    for user in draw(
        st.lists(st.sampled_from(["u1", "u2", "u3", "u4", "u5", "u6"]), min_size=1, max_size=6, unique=True)
    ):
        day = draw(st.integers(min_value=0, max_value=20))
        for gap in [0, *draw(st.lists(GAPS, max_size=6))]:
            day += gap
            minute = draw(st.integers(min_value=0, max_value=24 * 60 - 1))
            events.append(
                (user, START + dt.timedelta(days=day, minutes=minute), draw(st.sampled_from(["open", "buy"])))
            )
    return events


def _examples(engine: str, examples: int) -> int:
    """Generated logs per engine: PySpark takes about a second per query, so it checks a few."""
    return EXAMPLES["pyspark"] if engine == "pyspark" else examples


def test_states_and_transitions_match_the_reference(engine: str) -> None:
    @settings(max_examples=_examples(engine, 40), deadline=None)
    @given(
        events=events_strategy(),
        tz=st.sampled_from(ZONES),
        segmented=st.booleans(),
        active=st.sampled_from([None, {"open"}]),
    )
    def check(events, tz, segmented, active) -> None:  # type: ignore[no-untyped-def]
        segment_of = {"u1": "agent", "u2": "agent", "u3": "buyer", "u4": "owner"} if segmented else None
        users = (
            pl.DataFrame({"user_id": list(segment_of), "persona": list(segment_of.values())}) if segment_of else None
        )
        log = read_log(frame(events), users=users, tz=tz, engine=engine, now=NOW)
        by = "persona" if segmented else None
        states = growth_states(log, by=by, active_events=active)
        expected = reference_growth.growth_states(events, tz, segment_of=segment_of, active_events=active)
        got = {
            (r[by] if by else "(all)", r["day"]): {s: r[s] for s in GROWTH_STATES} for r in states.iter_rows(named=True)
        }
        assert got == expected
        moves = growth_transitions(log, by=by, active_events=active)
        made = {}
        for r in moves.iter_rows(named=True):
            made.setdefault((r[by] if by else "(all)", r["day"]), {})[(r["from_state"], r["to_state"])] = r["users"]
        reference = reference_growth.growth_transitions(events, tz, segment_of=segment_of, active_events=active)
        assert made.keys() == reference.keys()
        for key, counts in reference.items():
            assert {pair: n for pair, n in made[key].items() if n} == dict(counts), key

    check()


def test_the_worked_example_of_the_contract_page() -> None:
    # docs/growth-states.md, "Worked example": a on days 1, 2, 10, 40; b on day 2 (the gaps d - L are in the page)
    out = growth_states(log_of({"a": [jan(1), jan(2), jan(10), jan(40)], "b": [jan(2)]}))
    columns = [*GROWTH_STATES, "dau", "wau", "mau", "users"]
    table = {
        1: (1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1),
        2: (1, 1, 0, 0, 0, 0, 0, 2, 2, 2, 2),
        3: (0, 0, 0, 0, 2, 0, 0, 0, 2, 2, 2),
        9: (0, 0, 0, 0, 0, 2, 0, 0, 0, 2, 2),
        10: (0, 0, 1, 0, 0, 1, 0, 1, 1, 2, 2),
        16: (0, 0, 0, 0, 1, 1, 0, 0, 1, 2, 2),
        31: (0, 0, 0, 0, 0, 2, 0, 0, 0, 2, 2),
        32: (0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 2),
        39: (0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 2),
        40: (0, 0, 0, 1, 0, 0, 1, 1, 1, 1, 2),
    }
    rows = {r["day"]: tuple(r[c] for c in columns) for r in out.iter_rows(named=True)}
    assert {day: rows[jan(day)] for day in table} == table


def test_the_contract_page_example_runs() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "growth-states.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    names: dict[str, object] = {}
    exec(block, names)
    curr = names["curr"]
    assert isinstance(curr, pl.DataFrame) and curr.height > 0 and curr["rate"].drop_nulls().is_between(0, 1).all()
