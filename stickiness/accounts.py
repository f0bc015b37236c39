"""Accounts: a usage log whose unit is the account (a company), not the user (contract: docs/accounts.md).

B2B products count companies. :func:`by_account` re-keys a read log from users to the
accounts its users table names: an account is active on a day when any of its users is,
so every metric of a log (active users, the frequency spectrum, retention, ...) counts
accounts when given the account log, unchanged, and ``by=`` names account-level columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals as nw
import polars as pl

from stickiness._engine import Held, collect, keep, lift
from stickiness.exceptions import ColumnNotFoundError, InvalidOptionError
from stickiness.ledger import Ledger
from stickiness.log import NULL_IDS, UsageLog

__all__ = ["NO_ACCOUNT", "account_segments", "by_account"]

#: The ledger's reason for the rows of users with no account (an empty value, or absent from the users table).
NO_ACCOUNT = "no_account"
_ACCOUNT, _LISTED = "__account", "__listed"


def by_account(log: UsageLog, account: str = "account", *, null_ids: Sequence[str] = NULL_IDS) -> UsageLog:
    """Return the log counted per account: its unit is the account named by the users table's ``account`` column.

    Parameters
    ----------
    log
        A log read with a users table (``read_log(..., users=...)``) that has the ``account`` column.
    account
        The users-table column that names each user's account.
    null_ids
        Text account values read as no account (after trimming spaces), as ``read_log``'s ``null_ids``;
        blank text is always no account.

    Returns
    -------
    UsageLog
        A log whose ``user`` is the account (``log.unit == "account"``): its activity table has one row per
        account, day and event (the events of its users summed), held in the log's engine; its users table
        has one row per account with the other columns of the users table, by the rule of
        :func:`account_segments`. Users with no account are set aside: their rows are counted in the
        ledger as ``no_account`` (rows read = rows used + set aside still holds) and named in its notes.

    Examples
    --------
    >>> import polars as pl
    >>> from stickiness import active_users, read_log
    >>> events = pl.DataFrame({
    ...     "user_id": ["ann", "bob", "cy", "dee"],
    ...     "timestamp": ["2024-03-01T09:00:00Z", "2024-03-01T10:00:00Z", "2024-03-01T11:00:00Z", "2024-03-02T09:00Z"],
    ...     "event": ["open"] * 4,
    ... })
    >>> users = pl.DataFrame({"user_id": ["ann", "bob", "cy"], "account": ["acme", "acme", "globex"]})
    >>> accounts = by_account(read_log(events, users=users))
    >>> active_users(accounts, window=7)["dau"].to_list()  # ann and bob are one account; dee has none
    [2, 0]
    >>> accounts.ledger.set_aside["no_account"], accounts.ledger.users, accounts.unit
    (1, 2, 'account')
    """
    table = _account_table(log, account, tuple(null_ids))
    dtype = table.schema[_ACCOUNT]
    mapping = table.select("user", _ACCOUNT, pl.lit(True).alias(_LISTED))
    lazy = lift(log, activity=log.activity, mapping=mapping)
    joined = lazy["activity"].join(lazy["mapping"], on="user", how="left")
    aside = _without_account(joined)
    activity = _regroup(log, joined, dtype)
    accounts, mixed = account_segments(table.drop(account), key=_ACCOUNT)
    ledger = _ledger(log, account, activity, aside, mixed)
    kept = UsageLog(
        activity=activity,
        ledger=ledger,
        users=accounts.rename({_ACCOUNT: "user"}),
        first_day=log.first_day,
        as_of=log.as_of,
        tz=log.tz,
        engine=log.engine,
        columns=log.columns,
        user_dtype=dtype,
        session=log.session,
    )
    kept.stages.budget = log.stages.budget
    return kept


def account_segments(table: pl.DataFrame, *, key: str = "account") -> tuple[pl.DataFrame, dict[str, int]]:
    """Give each account one value per column of a users table, from its users' values.

    Parameters
    ----------
    table
        One row per user: ``key`` (the account, null for none) and the columns to carry over (a ``user``
        column is dropped). Blank text and null values are no value.
    key
        The account column.

    Returns
    -------
    tuple
        The accounts table (one row per account, sorted, ``key`` first, the columns in their order and
        types), and per column the number of accounts whose users had more than one value.

    Notes
    -----
    A date or timestamp column (a signup date) takes the earliest of its users' values: the account
    began with its first user. Any other column takes the value most of its users have, ties to the
    smallest value: an account with two ``agent`` users and one ``renter`` is ``agent``, one with an
    ``agent`` and a ``renter`` is ``agent`` too. An account none of whose users has a value has none
    (its segment is ``"(unknown)"``).

    Examples
    --------
    >>> users = pl.DataFrame({
    ...     "user": ["a", "b", "c", "d", "e"],
    ...     "account": ["x", "x", "x", "y", "y"],
    ...     "persona": ["agent", "renter", "agent", "renter", "agent"],
    ... })
    >>> accounts, mixed = account_segments(users)
    >>> accounts.rows(), mixed
    ([('x', 'agent'), ('y', 'agent')], {'persona': 2})
    """
    listed = table.filter(pl.col(key).is_not_null()).drop("user", strict=False)
    out = listed.select(key).unique()
    mixed: dict[str, int] = {}
    for column in (c for c in listed.columns if c != key):  # a few columns: one small group-by each
        value = _value(listed, column)
        pairs = listed.select(key, value.alias(column)).drop_nulls(column)
        counts = pairs.group_by(key, column).agg(pl.len().alias("__n"))
        mixed[column] = counts.group_by(key).len().filter(pl.col("len") > 1).height
        if listed.schema[column].is_temporal():
            picked = pairs.group_by(key).agg(pl.col(column).min())
        else:  # the most users first, then the smallest value: the first row of each account
            ranked = counts.sort(["__n", column], descending=[True, False], nulls_last=True)
            picked = ranked.group_by(key, maintain_order=True).agg(pl.col(column).first())
        out = out.join(picked, on=key, how="left")
    return out.sort(key), mixed


def _value(table: pl.DataFrame, column: str) -> pl.Expr:
    """Return a users-table value as compared: categories as text, and blank text as no value."""
    dtype = table.schema[column]
    value = pl.col(column).cast(pl.String) if isinstance(dtype, (pl.Categorical, pl.Enum)) else pl.col(column)
    if dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum)):
        return pl.when(value.str.strip_chars() != "").then(value)
    return value


def _account_table(log: UsageLog, account: str, null_ids: tuple[str, ...]) -> pl.DataFrame:
    """Return the users table with ``__account``: the account of each user, trimmed, null where it has none."""
    if log.users is None:
        raise InvalidOptionError(
            f"account={account!r} needs a users table with an account column: read_log(..., users='users.csv')."
        )
    if account not in log.segment_columns:
        raise ColumnNotFoundError(
            f"account={account!r}: the users table has no column {account!r}. Its columns: "
            f"{list(log.segment_columns)}. Pass the column that names each user's account as account=."
        )
    values = pl.col(account)
    dtype = log.users.schema[account]
    if isinstance(dtype, (pl.Categorical, pl.Enum)):
        values, dtype = values.cast(pl.String), pl.String()
    if dtype == pl.String:
        trimmed = values.str.strip_chars()
        values = pl.when((trimmed != "") & ~trimmed.is_in(list(null_ids))).then(trimmed)
    elif dtype.is_nested():
        raise InvalidOptionError(f"account={account!r} is a {dtype} column: give account ids as text or integers.")
    return log.users.with_columns(values.alias(_ACCOUNT))


def _without_account(joined: nw.LazyFrame[Any]) -> dict[bool, tuple[int, int]]:
    """Count the rows and users with no account, by whether the user is in the users table: one small query."""
    missing = joined.filter(nw.col(_ACCOUNT).is_null()).with_columns(nw.col(_LISTED).fill_null(False))
    counts = missing.group_by(_LISTED).agg(nw.col("events").sum().alias("rows"), nw.col("user").n_unique().alias("n"))
    rows = collect(counts, {_LISTED: pl.Boolean(), "rows": pl.Int64(), "n": pl.Int64()})
    return {bool(listed): (int(n_rows), int(users)) for listed, n_rows, users in rows.iter_rows()}


def _regroup(log: UsageLog, joined: nw.LazyFrame[Any], dtype: pl.DataType) -> Held:
    """Return the activity table per account, day and event, held where the log's activity is."""
    grouped = (
        joined.filter(~nw.col(_ACCOUNT).is_null())
        .group_by(_ACCOUNT, "day", "event")
        .agg(nw.col("events").sum())
        .select(nw.col(_ACCOUNT).alias("user"), "day", "event", "events")
    )
    return keep(log, grouped, {"user": dtype, "day": pl.Date(), "event": pl.String(), "events": pl.Int64()})


def _count(n: int, noun: str) -> str:
    """Say ``n`` of ``noun``, plural when not one.

    >>> _count(1, "account"), _count(2, "user")
    ('1 account', '2 users')
    """
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _ledger(
    log: UsageLog, account: str, activity: Held, aside: dict[bool, tuple[int, int]], mixed: dict[str, int]
) -> Ledger:
    """Return the account log's ledger: the read's, with the rows of users without an account set aside."""
    rows = sum(n for n, _ in aside.values())
    accounts = lift(log, activity=activity)["activity"].select(nw.col("user").n_unique().alias("n"))
    n_accounts = int(collect(accounts, {"n": pl.Int64()}).item() or 0)  # DuckDB: null when no row
    old = log.ledger
    notes = [
        f"counted per account (users-table column {account!r}): {_count(n_accounts, 'account')} among the log's "
        f"{_count(old.users, 'user')}; an account is active on a day when any of its users is"
    ]
    if rows:
        absent, empty = aside.get(False, (0, 0))[1], aside.get(True, (0, 0))[1]
        notes.append(
            f"{_count(absent + empty, 'user')} without an account ({absent:,} absent from the users table, "
            f"{empty:,} with an empty {account!r}): their {_count(rows, 'row')} were set aside as {NO_ACCOUNT}"
        )
    for column, n in mixed.items():
        if n:
            temporal = log.users is not None and log.users.schema[column].is_temporal()
            rule = "the earliest" if temporal else "the value most of its users have (ties: the smallest)"
            notes.append(f"{_count(n, 'account')} with users of different {column!r}: each takes {rule}")
    return Ledger(
        rows_read=old.rows_read,
        rows_used=old.rows_used - rows,
        set_aside={**old.set_aside, NO_ACCOUNT: rows},
        users=n_accounts,
        users_without_segment=0,
        notes=(*old.notes, *notes),
        unit="account",
    )
