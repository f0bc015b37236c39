"""Plain-Python reference of account logs, written from docs/accounts.md only.

Deliberately naive: dictionaries, sets of days and loops over events; no polars. An account's
events are its users' events with the user replaced by the account; users without an account
are left out. The tests compare ``by_account`` and the metrics on its log against these.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from .reference import day_in

Event = tuple[str, dt.datetime, str]
#: Text read as no account by default (stickiness.NULL_IDS), after trimming spaces.
NULL_LIKE = ("NULL", "null", "None", "NaN", "NA", "N/A", "\\N")


def clean_account(value: str | None) -> str | None:
    """An account value as by_account reads it: trimmed; blank or null-like text is no account."""
    if value is None:
        return None
    value = value.strip()
    return None if value == "" or value in NULL_LIKE else value


def account_of(users: dict[str, str | None]) -> dict[str, str]:
    """user -> account, for the users of the users table that have one."""
    out = {}
    for user, value in users.items():
        account = clean_account(value)
        if account is not None:
            out[user] = account
    return out


def account_segments(accounts: dict[str, str], values: dict[str, str | None]) -> dict[str, str]:
    """account -> the value most of its users have (ties: the smallest); accounts with no value are left out."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for user, account in accounts.items():
        value = values.get(user)
        if value is not None and value.strip() != "":
            votes[account][value] += 1
    out = {}
    for account, counter in votes.items():
        most = max(counter.values())
        out[account] = min(value for value, n in counter.items() if n == most)
    return out


def account_events(events: list[Event], accounts: dict[str, str]) -> list[Event]:
    """The events of users with an account, the user replaced by the account."""
    return [(accounts[user], time, name) for user, time, name in events if user in accounts]


def without_account(events: list[Event], accounts: dict[str, str]) -> tuple[int, set[str]]:
    """The distinct (user, time, event) rows of users without an account, and those users."""
    rows = {(user, time, name) for user, time, name in events if user not in accounts}
    return len(rows), {user for user, _, _ in rows}


def active_accounts(
    events: list[Event],
    accounts: dict[str, str],
    tz: str,
    *,
    day: dt.date,
    days: int,
    segment_of: dict[str, str] | None,
    segment: str,
) -> int:
    """Accounts of ``segment`` with a user active on one of the ``days`` days ending on ``day``."""
    first = day - dt.timedelta(days=days - 1)
    active = set()
    for user, time, _ in events:
        account = accounts.get(user)
        if account is None:
            continue
        in_segment = "(all)" if segment_of is None else segment_of.get(account, "(unknown)")
        if in_segment == segment and first <= day_in(time, tz) <= day:
            active.add(account)
    return len(active)
