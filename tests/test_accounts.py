"""Account logs (docs/accounts.md): the worked example by hand, accounts with users in two segments, users
without an account, errors on the command line and in Python, and the plain-Python reference
(tests/reference_accounts.py) for active users, the frequency spectrum and retention on generated logs, on
polars and DuckDB (tests/test_engines.py compares account logs on PySpark too).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stickiness
from stickiness import (
    ColumnNotFoundError,
    InvalidOptionError,
    active_users,
    by_account,
    frequency_spectrum,
    power_users,
    read_log,
    retention,
)
from stickiness.accounts import account_segments

from . import reference_accounts as ref
from . import reference_retention, reference_use_cases
from .conftest import NOW, frame
from .retention_example import ZONES, events_strategy

D = dt.date
UTC = dt.UTC
#: The engines the generated logs run on here, in process (PySpark: tests/test_engines.py).
IN_PROCESS = ["polars", "duckdb"]


def at(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2024, 3, day, hour, tzinfo=UTC)


# --- the worked example of docs/accounts.md ---------------------------------------------------------------------

EXAMPLE_USERS = pl.DataFrame(
    {
        "user_id": ["ann", "bob", "cy", "dee"],
        "account": ["acme", "acme", "globex", "globex"],
        "persona": ["admin", "analyst", "analyst", "analyst"],
        "plan": ["pro", "pro", "free", "pro"],
    }
)
EXAMPLE_EVENTS = [
    ("ann", at(1), "open"),
    ("ann", at(2), "open"),
    ("bob", at(1), "open"),
    ("bob", at(3), "open"),
    ("cy", at(3), "open"),
    ("dee", at(4), "open"),
    ("eve", at(1), "open"),  # eve is not in the users table: no account
    ("eve", at(2), "open"),
]


def _example(engine: str) -> stickiness.UsageLog:
    return by_account(read_log(frame(EXAMPLE_EVENTS), users=EXAMPLE_USERS, engine=engine, now=NOW))


@pytest.mark.parametrize("engine", IN_PROCESS)
def test_worked_example_active_accounts(engine: str) -> None:
    accounts = _example(engine)
    out = active_users(accounts, window=7)
    # Mar 1: ann, bob (acme) -> 1; Mar 2: ann -> 1; Mar 3: bob (acme), cy (globex) -> 2; Mar 4: dee (globex) -> 1.
    # MAU (7 days): acme from Mar 1, globex from Mar 3.
    assert out.select("day", "dau", "mau").rows() == [
        (D(2024, 3, 1), 1, 1),
        (D(2024, 3, 2), 1, 1),
        (D(2024, 3, 3), 2, 2),
        (D(2024, 3, 4), 1, 2),
    ]
    assert out["stickiness"].to_list() == [1.0, 1.0, 1.0, 0.5]  # Mar 4: 1 / 2
    # the same log per user: eve counts, and acme's two users are two
    per_user = active_users(read_log(frame(EXAMPLE_EVENTS), users=EXAMPLE_USERS, engine=engine, now=NOW), window=7)
    assert per_user["dau"].to_list() == [3, 2, 2, 1]


@pytest.mark.parametrize("engine", IN_PROCESS)
def test_worked_example_ledger_and_accounts_table(engine: str) -> None:
    accounts = _example(engine)
    ledger = accounts.ledger
    # 8 rows read; eve's 2 set aside as no_account; 6 used; 2 accounts
    assert (ledger.rows_read, ledger.rows_used, ledger.set_aside["no_account"], ledger.users) == (8, 6, 2, 2)
    assert ledger.balanced and ledger.unit == "account" and accounts.unit == "account"
    assert "1 user without an account (1 absent from the users table, 0 with an empty 'account')" in str(ledger)
    assert re.search(r"^accounts +2$", str(ledger), re.MULTILINE)  # where a user log's says users
    # acme: admin vs analyst 1-1, the smallest is admin; plan pro 2-0. globex: analyst 2-0; free vs pro 1-1: free
    assert accounts.users is not None
    assert accounts.users.sort("user").rows() == [("acme", "admin", "pro"), ("globex", "analyst", "free")]
    assert accounts.segment_columns == ("persona", "plan")
    assert accounts.user_dtype == pl.String
    assert (accounts.first_day, accounts.as_of) == (D(2024, 3, 1), D(2024, 3, 4))
    # by an account-level column: on Mar 3, pro has acme and free has globex
    by_plan = active_users(accounts, window=7, by="plan").filter(pl.col("day") == D(2024, 3, 3))
    assert sorted(by_plan.select("plan", "dau").rows()) == [("free", 1), ("pro", 1)]


@pytest.mark.parametrize("engine", IN_PROCESS)
def test_worked_example_power_curve(engine: str) -> None:
    curve = power_users(_example(engine), window=7).filter(pl.col("users") > 0)
    # acme active Mar 1, 2, 3 (3 days); globex Mar 3, 4 (2 days): they sum to MAU = 2
    assert curve.select("active_days", "users").rows() == [(2, 1), (3, 1)]


def test_the_ledger_round_trips_with_its_unit(tmp_path: Path) -> None:
    ledger = _example("polars").ledger
    data = json.loads(ledger.write_json(tmp_path / "ledger.json").read_text())
    assert data["unit"] == "account" and data["set_aside"]["no_account"] == 2
    assert stickiness.Ledger.from_dict(data) == ledger
    # a user log's ledger is as it was: no unit key, no no_account reason
    user_ledger = read_log(frame(EXAMPLE_EVENTS), users=EXAMPLE_USERS, now=NOW).ledger
    assert "unit" not in user_ledger.to_dict() and "no_account" not in user_ledger.set_aside


# --- accounts with users in two segments ------------------------------------------------------------------------


def test_accounts_with_users_in_two_segments() -> None:
    users = pl.DataFrame(
        {
            "user": ["a", "b", "c", "d", "e", "f", "g"],
            "account": ["x", "x", "x", "y", "y", "z", None],
            "persona": ["renter", "agent", "agent", "renter", "agent", "  ", "agent"],
            "seats": [5, 3, 3, None, 2, 1, 9],
            "signup": [D(2024, 3, 5), D(2024, 1, 9), None, D(2024, 2, 1), D(2024, 2, 2), None, D(2020, 1, 1)],
        }
    )
    accounts, mixed = account_segments(users)
    assert accounts.schema == pl.Schema(
        {"account": pl.String, "persona": pl.String, "seats": pl.Int64, "signup": pl.Date}
    )
    assert accounts.rows() == [
        # x: agent 2 of 3; seats 3 twice, 5 once; signup the earliest of Mar 5 and Jan 9 (c has none)
        ("x", "agent", 3, D(2024, 1, 9)),
        # y: renter 1, agent 1: a tie, agent < renter; seats: only e has one; signup Feb 1 < Feb 2
        ("y", "agent", 2, D(2024, 2, 1)),
        # z: its only user's persona is blank: no value ((unknown) in a breakdown)
        ("z", None, 1, None),
    ]  # g has no account: in none
    assert mixed == {"persona": 2, "seats": 1, "signup": 2}


@pytest.mark.parametrize("engine", IN_PROCESS)
def test_an_account_level_breakdown_of_mixed_accounts(engine: str) -> None:
    users = pl.DataFrame(
        {
            "user_id": ["a", "b", "c", "d", "e"],
            "account": ["x", "x", "x", "y", "y"],
            "persona": ["renter", "agent", "agent", "renter", "agent"],
        }
    )
    events = [("a", at(1), "open"), ("b", at(2), "open"), ("d", at(2), "open"), ("e", at(3), "open")]
    accounts = by_account(read_log(frame(events), users=users, engine=engine, now=NOW))
    # x and y are both "agent" (x: 2 of 3; y: a 1-1 tie, agent < renter); the user log has two personas
    out = active_users(accounts, window=7, by="persona")
    assert out.filter(pl.col("day") == D(2024, 3, 2)).select("persona", "dau", "mau").rows() == [("agent", 2, 2)]
    assert "2 accounts with users of different 'persona'" in str(accounts.ledger)
    spectrum = frequency_spectrum(accounts, by="persona", window=30, min_exposure=1)
    assert set(spectrum["persona"]) == {"agent"} and spectrum["users"].sum() == 2


# --- users without an account ----------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", IN_PROCESS)
def test_users_without_an_account_are_set_aside_and_counted(engine: str) -> None:
    users = pl.DataFrame(
        {"user_id": ["a", "b", "c", "d", "e"], "account": [" acme ", "", "NA", None, "acme"], "plan": ["pro"] * 5}
    )
    events = [
        ("a", at(1), "open"),
        ("a", at(1), "open"),  # an exact duplicate: set aside by the read, before the accounts
        ("b", at(1), "open"),  # blank account
        ("c", at(2), "open"),  # NA: null-like
        ("c", at(2, 13), "open"),
        ("d", at(3), "open"),  # null
        ("e", at(3), "open"),
        ("f", at(4), "open"),  # absent from the users table
    ]
    log = read_log(frame(events), users=users, engine=engine, now=NOW)
    accounts = by_account(log)
    ledger = accounts.ledger
    # 8 read; 1 duplicate; b 1 + c 2 + d 1 + f 1 = 5 rows without an account; a and e: 2 rows of acme used
    assert (ledger.rows_read, ledger.set_aside["duplicate"], ledger.set_aside["no_account"]) == (8, 1, 5)
    assert ledger.rows_used == 2 and ledger.balanced and ledger.users == 1
    assert "4 users without an account (1 absent from the users table, 3 with an empty 'account')" in str(ledger)
    assert "their 5 rows were set aside as no_account" in str(ledger)
    # " acme " is trimmed: a and e are one account
    assert active_users(accounts, window=7).select("day", "dau").rows()[0] == (D(2024, 3, 1), 1)
    # the user log is untouched
    assert log.ledger.rows_used == 7 and log.unit == "user"
    # null_ids=() keeps NA as an account
    assert by_account(log, null_ids=()).ledger.set_aside["no_account"] == 3


@pytest.mark.parametrize("engine", IN_PROCESS)
def test_integer_account_ids_keep_their_type(engine: str) -> None:
    users = pl.DataFrame({"user_id": [1, 2, 3], "company": [700, 700, 900]})
    events = [(1, at(1), "open"), (2, at(1), "open"), (3, at(2), "open")]
    accounts = by_account(read_log(frame(events), users=users, engine=engine, now=NOW), account="company")
    assert accounts.user_dtype == pl.Int64 and accounts.users is not None and accounts.segment_columns == ()
    out = active_users(accounts, window=7)
    assert out["dau"].to_list() == [1, 1]  # Mar 1: 700 (users 1 and 2); Mar 2: 900
    assert retention(accounts, period="day").filter(pl.col("period") == D(2024, 3, 2))["churned"].item() == 1


def test_errors_name_the_keyword_and_the_columns() -> None:
    plain = read_log(frame(EXAMPLE_EVENTS), now=NOW)
    with pytest.raises(InvalidOptionError, match=r"account='account' needs a users table .*users='users.csv'"):
        by_account(plain)
    log = read_log(frame(EXAMPLE_EVENTS), users=EXAMPLE_USERS, now=NOW)
    with pytest.raises(ColumnNotFoundError) as err:
        by_account(log, account="company")
    message = str(err.value)
    assert "account='company'" in message and "['account', 'persona', 'plan']" in message and "account=." in message


# --- the command line -------------------------------------------------------------------------------------------


def _files(tmp_path: Path) -> tuple[str, str]:
    events, users = tmp_path / "events.csv", tmp_path / "users.csv"
    frame(EXAMPLE_EVENTS).write_csv(events)
    EXAMPLE_USERS.write_csv(users)
    return str(events), str(users)


def _report(tmp_path: Path, *flags: str) -> list[str]:
    events, users = _files(tmp_path)
    quiet = ["--no-notebook", "--no-charts", "--no-xlsx", "--no-pptx", "--out", str(tmp_path / "out")]
    return ["report", events, "--users", users, *flags, *quiet]


def test_command_line_missing_account_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from stickiness_notebooks.cli import main

    assert main(_report(tmp_path, "--account-col", "company")) == 2
    error = capsys.readouterr().err
    assert "--account-col company: the users table has no column 'company'" in error
    assert "['account', 'persona', 'plan']" in error and "Traceback" not in error
    assert not (tmp_path / "out").exists()


def test_command_line_account_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from stickiness_notebooks.cli import main

    assert main(_report(tmp_path, "--account-col", "account", "--by", "plan", "--mau-window", "7")) == 0
    printed = capsys.readouterr().out
    assert re.search(r"^accounts +2$", printed, re.MULTILINE) and re.search(r"^  no_account +2 ", printed, re.MULTILINE)
    assert "Active accounts on 2024-03-04" in printed
    daily = pl.read_csv(tmp_path / "out" / "tables" / "active_users.csv", try_parse_dates=True)
    # Mar 4: globex (plan free) is active; acme (pro) is not, but is in the 7-day MAU
    last = daily.filter(pl.col("day") == D(2024, 3, 4)).sort("plan").select("plan", "dau", "mau").rows()
    assert last == [("free", 1, 1), ("pro", 0, 1)]
    ledger = json.loads((tmp_path / "out" / "ledger.json").read_text())
    assert (ledger["unit"], ledger["users"], ledger["set_aside"]["no_account"]) == ("account", 2, 2)


# --- against the plain-Python reference on generated logs ---------------------------------------------------------

ACCOUNT_VALUES = st.sampled_from(["A", "B", " B ", "C", "", "NA", None, "(absent)"])
PERSONAS = st.sampled_from(["agent", "buyer", "", None])
USERS = ["u1", "u2", "u3", "u4", "u5", "u6"]


def _users_table(accounts: list[str | None], personas: list[str | None]) -> tuple[pl.DataFrame, dict, dict]:
    """The users table (users whose account is "(absent)" are left out), user -> account value, user -> persona."""
    listed = [i for i, a in enumerate(accounts) if a != "(absent)"]
    table = pl.DataFrame(
        {
            "user_id": [USERS[i] for i in listed],
            "account": [accounts[i] for i in listed],
            "persona": [personas[i] for i in listed],
        },
        schema={"user_id": pl.String, "account": pl.String, "persona": pl.String},
    )
    return table, {USERS[i]: accounts[i] for i in listed}, {USERS[i]: personas[i] for i in listed}


@pytest.mark.parametrize("engine", IN_PROCESS)
def test_account_metrics_match_reference(engine: str) -> None:
    @settings(max_examples=40 if engine == "polars" else 8, deadline=None)
    @given(
        events=events_strategy,
        accounts=st.lists(ACCOUNT_VALUES, min_size=6, max_size=6),
        personas=st.lists(PERSONAS, min_size=6, max_size=6),
        tz=st.sampled_from(ZONES),
        segmented=st.booleans(),
    )
    def check(events, accounts, personas, tz, segmented) -> None:  # type: ignore[no-untyped-def]
        _check_against_reference(engine, events, accounts, personas, tz, segmented)

    check()


def _check_against_reference(engine: str, events, accounts, personas, tz, segmented) -> None:  # type: ignore[no-untyped-def]
    table, account_values, persona_values = _users_table(accounts, personas)
    log = read_log(frame(events), users=table, tz=tz, engine=engine, now=NOW)
    account_log = by_account(log)
    account_of = ref.account_of(account_values)
    segment_of = ref.account_segments(account_of, persona_values) if segmented else None
    by = "persona" if segmented else None
    # the ledger: the rows of users without an account are set aside, and it still adds up
    aside, _ = ref.without_account(events, account_of)
    ledger = account_log.ledger
    assert ledger.set_aside["no_account"] == aside and ledger.balanced
    assert ledger.rows_used == log.ledger.rows_used - aside
    assert ledger.users == len({account_of[u] for u, _, _ in events if u in account_of})
    if account_log.is_empty:
        return
    first, last = log.first_day, log.as_of
    assert first is not None and last is not None
    # active users: an account is active on a day when any of its users is
    daily = active_users(account_log, window=10, by=by)
    for row in daily.iter_rows(named=True):
        segment = row[by] if by else "(all)"
        counts = [
            ref.active_accounts(events, account_of, tz, day=row["day"], days=n, segment_of=segment_of, segment=segment)
            for n in (1, 7, 10)
        ]
        assert [row["dau"], row["wau"], row["mau"]] == counts, (segment, row["day"])
    assert daily["day"].min() == first and daily["day"].max() == last
    own = ref.account_events(events, account_of)
    # the frequency spectrum per account: the use-case reference on the accounts' events
    options = {"window": 30, "horizon": 60, "min_exposure": 7}
    spectrum = frequency_spectrum(account_log, by="persona" if segmented else None, **options)
    expected = reference_use_cases.spectrum(own, tz, segment_of=segment_of, as_of=last, **options)
    name = "persona" if segmented else "segment"
    got = {(r[name], r["use_case"], r["band"]): (r["users"], r["share"]) for r in spectrum.iter_rows(named=True)}
    assert set(expected) <= set(got)
    for key, (users, share) in got.items():
        want = expected.get(key, (0, None))
        assert users == want[0], key
        if key in expected:
            assert share == (None if want[1] is None else pytest.approx(want[1])), key
    # retention per account, over the log's span
    retained = retention(account_log, period="week", by=by, min_users=2)
    want = reference_retention.retention(
        own, tz, period="week", first=first, last=last, segment_of=segment_of, min_users=2
    )
    got_retention = {(r[by] if by else "(all)", r["period"]): r for r in retained.iter_rows(named=True)}
    assert got_retention.keys() == want.keys()
    for key, values in want.items():
        row = got_retention[key]
        assert (row["active_before"], row["active"], row["new"], row["retained"], row["churned"]) == values[:5], key
        assert row["returning"] == values[5], key


def test_templates_read_an_account_log(tmp_path: Path) -> None:
    from stickiness_notebooks.inputs import open_inputs

    events, users = _files(tmp_path)
    log, _, by = open_inputs(events, out=tmp_path / "report", users=users, account="account", now=NOW)
    # the template's default by (persona, in the users table) is then each account's majority persona
    assert log.unit == "account" and log.ledger.users == 2 and by == "persona"
    assert log.users is not None and sorted(log.users["persona"]) == ["admin", "analyst"]
