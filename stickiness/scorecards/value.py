"""Lifetime value: historical value per customer, repeat purchases and share of wallet.

Definitions (the contract: docs/scorecards.md, "Lifetime value"), per customer, from
one row per transaction: a *purchase* is a day with at least one transaction (same-day
transactions merge); ``value`` = the sum of revenue; ``repeat_value`` = the revenue
of the days after the first purchase day; ``share_of_wallet`` = value /
category spend (the customer's total spend in the category, ours included).
"""

from __future__ import annotations

import polars as pl

from stickiness._columns import AUTO
from stickiness._sources import Source
from stickiness._time import TimeUnit
from stickiness.exceptions import InvalidValueError
from stickiness.log import UsageLog
from stickiness.options import READ
from stickiness.schemas import VALUE_COLUMNS, VALUE_SUMMARY_COLUMNS
from stickiness.scorecards._tables import (
    ROW,
    TOLERANCE,
    attach_segment,
    column,
    days_of,
    key_column,
    numbers,
    read_table,
    rows_named,
)
from stickiness.stages.segments import check_segment_name

__all__ = ["VALUE_COLUMNS", "VALUE_SUMMARY_COLUMNS", "lifetime_value", "lifetime_value_summary"]


def lifetime_value(
    transactions: Source,
    *,
    user: str = AUTO,
    revenue: str = "revenue",
    time: str = AUTO,
    category_spend: str | None = None,
    by: str | None = None,
    users: UsageLog | Source | None = None,
    users_key: str = AUTO,
    tz: str = READ.tz,
    time_unit: TimeUnit | None = None,
) -> pl.DataFrame:
    """Historical value of each customer: revenue, purchases, repeat revenue and share of wallet.

    Parameters
    ----------
    transactions
        One row per transaction (path or frame): user, time and revenue.
    user
        The customer column (default ``"auto"``: ``user_id``, ``distinct_id``,
        ``userId``, ``customer_id``, ``account_id``, ``account``); no blanks.
    revenue
        The revenue column (default ``"revenue"``): >= 0, no blanks (net
        refunds out first).
    time
        The time column (default ``"auto"``: ``timestamp``, ``ts``, ``time``,
        ``event_time``, ``created_at``); its day in ``tz`` is the purchase day,
        read as in :func:`stickiness.read_log`. No blanks.
    category_spend
        Optional column: the customer's total spend in the category over the
        same period, with us and elsewhere (the same on each of their rows;
        blanks allowed). It must be at least their value.
    by, users, users_key
        Optional segment column, from the transactions (the same on each of a
        customer's rows) or from ``users`` (a users table or a
        :class:`~stickiness.UsageLog`), as in :func:`nps`.
    tz, time_unit
        As for :func:`stickiness.read_log`.

    Returns
    -------
    polars.DataFrame
        One row per customer, sorted by ``by`` and user: ``user`` (String), the
        ``by`` column (String) when given, ``first_purchase``,
        ``last_purchase`` (Date), ``transactions`` (rows), ``purchases``
        (distinct purchase days) (Int64), ``value``, ``repeat_value`` (revenue
        after the first purchase day), ``average_purchase`` (value /
        purchases), ``category_spend`` and ``share_of_wallet`` (value /
        category_spend; both null without ``category_spend``, and the share null
        when both are 0) (Float64).

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.scorecards import lifetime_value
    >>> orders = pl.DataFrame({
    ...     "customer_id": ["a", "a", "a", "b"],
    ...     "timestamp": [dt.date(2024, 1, 1), dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 1, 5)],
    ...     "revenue": [10.0, 5.0, 25.0, 20.0],
    ... })
    >>> lifetime_value(orders).select("user", "purchases", "value", "repeat_value", "average_purchase").rows()
    [('a', 2, 40.0, 25.0, 20.0), ('b', 1, 20.0, 0.0, 20.0)]
    """
    check_segment_name(by, VALUE_COLUMNS, function="lifetime_value")
    role = "transactions table"
    table = read_table(transactions, role=role)
    key = key_column(table, user, option="user", role=role)
    revenue_col = column(table, revenue, option="revenue", role=role)
    frame = table.select(ROW, user=pl.col(key).cast(pl.String)).with_columns(
        numbers(table, revenue_col, option="revenue", role=role).alias("revenue"),
        days_of(table, time, tz=tz, time_unit=time_unit, role=role, purpose="lifetime_value").alias("day"),
    )
    missing = pl.col("user").is_null() | (pl.col("user").str.strip_chars() == "")
    if frame.select(missing.any()).item():
        raise InvalidValueError(f"the {role}'s column {key!r} (user=) is empty on {rows_named(frame, missing)}.")
    if category_spend is not None:
        spend_col = column(table, category_spend, option="category_spend", role=role)
        frame = frame.with_columns(numbers(table, spend_col, option="category_spend", role=role, nulls=True))
    segmented = attach_segment(table, by=by, user=key, users=users, users_key=users_key, role=role)
    keys = ["user"] if by is None else ["user", by]
    if by is not None:
        frame = frame.with_columns(segmented[by])
        _check_constant(frame, by, role=role)
    per_day = frame.group_by([*keys, "day"]).agg(rows=pl.len(), revenue=pl.col("revenue").sum())
    customers = per_day.group_by(keys).agg(
        first_purchase=pl.col("day").min(),
        last_purchase=pl.col("day").max(),
        transactions=pl.col("rows").sum(),
        purchases=pl.len(),
        value=pl.col("revenue").sum(),
        repeat_value=pl.col("revenue").filter(pl.col("day") > pl.col("day").min()).sum(),
    )
    spend = pl.lit(None, dtype=pl.Float64)
    if category_spend is not None:
        _check_constant(frame, category_spend, role=role)
        spends = frame.group_by("user").agg(category_spend=pl.col(category_spend).drop_nulls().first())
        customers = customers.join(spends, on="user", how="left")
        spend = pl.col("category_spend")
    customers = customers.with_columns(
        average_purchase=pl.col("value") / pl.col("purchases"),
        category_spend=spend,
        share_of_wallet=pl.when(spend > 0).then(pl.col("value") / spend),
    )
    if category_spend is not None:
        _check_wallet(customers, category_spend)
    schema = {"user": pl.String(), **({} if by is None else {by: pl.String()}), **VALUE_COLUMNS}
    return customers.select([pl.col(n).cast(t) for n, t in schema.items()]).sort([*keys[1:], "user"])


def _check_constant(frame: pl.DataFrame, name: str, *, role: str) -> None:
    """Raise unless ``name`` holds one value per customer (blanks aside)."""
    counts = frame.group_by("user").agg(pl.col(name).drop_nulls().n_unique().alias("__values"))
    varying = counts.filter(pl.col("__values") > 1)["user"].sort()
    if varying.len():
        raise InvalidValueError(
            f"the {role}'s column {name!r} holds more than one value for {varying.len():,} customers "
            f"(e.g. {varying.head(3).to_list()}); it describes the customer, so it must be the same on each of "
            "their rows. Fix the export, or compute it per customer first."
        )


def _check_wallet(customers: pl.DataFrame, name: str) -> None:
    over = pl.col("value") > pl.col("category_spend") * (1 + TOLERANCE) + TOLERANCE
    bad = customers.filter(over).sort("user")
    if bad.height:
        rows = bad.head(3).select("user", "value", "category_spend").rows()
        shown = ", ".join(f"{u!r} ({v:g} > {s:g})" for u, v, s in rows)
        raise InvalidValueError(
            f"the category spend ({name}=) is below the customer's value with us for {bad.height:,} customers, "
            f"e.g. {shown}. Category spend is their total spend in the category, ours included, over the same "
            "period: check its period and currency."
        )


def _check_values(values: pl.DataFrame, by: str | None) -> None:
    needed = ["user", *VALUE_COLUMNS, *([] if by is None else [by])]
    if not isinstance(values, pl.DataFrame) or not set(needed) <= set(values.columns):
        raise InvalidValueError(
            f"lifetime_value_summary() takes the output of lifetime_value(): a frame with the columns {needed}. "
            "Call lifetime_value_summary(lifetime_value(transactions, ...)) (with the same by=)."
        )


def lifetime_value_summary(values: pl.DataFrame, *, by: str | None = None) -> pl.DataFrame:
    """Totals of :func:`lifetime_value`, overall or per segment: value, repeat purchases, share of wallet.

    Parameters
    ----------
    values
        The output of :func:`lifetime_value`.
    by
        Its segment column (default None: one row for all customers).

    Returns
    -------
    polars.DataFrame
        One row (per ``by`` value when given, sorted; no row without
        customers): the ``by`` column, ``customers``, ``value`` (total),
        ``mean_value``, ``median_value``, ``repeat_customers`` (customers with
        2 or more purchases), ``repeat_purchase_share`` (repeat customers /
        customers), ``repeat_value_share`` (total repeat value / total value;
        null when it is 0) and ``share_of_wallet`` (total value / total category
        spend over the customers with one; null without).

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.scorecards import lifetime_value, lifetime_value_summary
    >>> orders = pl.DataFrame({
    ...     "customer_id": ["a", "a", "a", "b"],
    ...     "timestamp": [dt.date(2024, 1, 1), dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 1, 5)],
    ...     "revenue": [10.0, 5.0, 25.0, 20.0],
    ... })
    >>> summary = lifetime_value_summary(lifetime_value(orders))
    >>> summary.select("customers", "value", "repeat_customers", "repeat_purchase_share", "repeat_value_share").rows()
    [(2, 60.0, 1, 0.5, 0.4166666666666667)]
    """
    _check_values(values, by)
    has_spend = pl.col("category_spend").is_not_null()
    total = pl.col("value").sum()
    spend = pl.col("category_spend").sum()
    group = [by] if by is not None else [pl.lit(0).alias("__all")]
    out = values.group_by(group).agg(
        customers=pl.len(),
        value=total,
        mean_value=pl.col("value").mean(),
        median_value=pl.col("value").median(),
        repeat_customers=(pl.col("purchases") >= 2).sum(),
        repeat_purchase_share=(pl.col("purchases") >= 2).mean(),
        repeat_value_share=pl.when(total > 0).then(pl.col("repeat_value").sum() / total),
        share_of_wallet=pl.when(spend > 0).then(pl.col("value").filter(has_spend).sum() / spend),
    )
    if values.height == 0:
        out = out.clear()
    schema = {**({} if by is None else {by: pl.String()}), **VALUE_SUMMARY_COLUMNS}
    return out.select([pl.col(n).cast(t) for n, t in schema.items()]).sort(by or [])
