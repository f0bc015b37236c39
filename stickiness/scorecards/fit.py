"""Customer fit matrix: profitability per customer and the state keep / grow / depart.

Definitions (the contract: docs/scorecards.md, "Customer fit matrix"), per account:
``costs`` = the sum of the cost columns; ``profit = mrr - costs``;
``profitability = profit / mrr``; the state is

- ``depart`` when profitability < ``depart_below``;
- ``grow`` when profitability >= ``grow_above`` and, when a usage log is given,
  the customer's usage rate (active days per 30 days in the window) >= ``grow_rate``;
- ``keep`` otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import get_args

import polars as pl

from stickiness._columns import AUTO
from stickiness._sources import Source
from stickiness.exceptions import InvalidOptionError, InvalidValueError
from stickiness.log import UsageLog, as_log
from stickiness.metrics.use_cases import use_case_rates
from stickiness.options import FIT, HABITS, number, positive, whole_days
from stickiness.schemas import FIT_COLUMNS, FIT_SUMMARY_COLUMNS
from stickiness.scorecards._tables import (
    ROW,
    TOLERANCE,
    column,
    key_column,
    numbers,
    read_table,
    rows_named,
)
from stickiness.typing import FitState, ZeroMrr

__all__ = ["FIT_COLUMNS", "FIT_STATES", "FIT_SUMMARY_COLUMNS", "customers_to_depart", "fit_matrix", "fit_summary"]

#: The states, in output order.
FIT_STATES: tuple[str, ...] = get_args(FitState)


def fit_matrix(
    accounts: Source,
    *,
    account: str = AUTO,
    mrr: str = "mrr",
    costs: Sequence[str] = FIT.costs,
    depart_below: float = FIT.depart_below,
    grow_above: float = FIT.grow_above,
    usage: UsageLog | Source | None = None,
    grow_rate: float = FIT.grow_rate,
    as_of: dt.date | str | None = None,
    window: int = HABITS.window,
    zero_mrr: ZeroMrr = "error",
) -> pl.DataFrame:
    """Profitability of each account and its state: keep, grow or depart.

    Parameters
    ----------
    accounts
        One row per customer (path or frame) with a key column, monthly
        recurring revenue and cost columns (per month, same currency).
    account
        The key column (default ``"auto"``: ``user_id``, ``distinct_id``,
        ``userId``, ``customer_id``, ``account_id``, ``account``).
    mrr
        The monthly recurring revenue column (default ``"mrr"``): >= 0, no blanks.
    costs
        The cost columns, summed (default ``("labour", "communication",
        "hard_costs")``): >= 0, no blanks (fill a blank with 0 if it means none).
    depart_below
        Profitability below which a customer is ``depart``.
    grow_above
        Profitability from which a customer can be ``grow``
        (``depart_below <= grow_above <= 1``).
    usage
        Optional usage log (a :class:`~stickiness.UsageLog` or anything
        :func:`~stickiness.read_log` reads) whose users are the accounts' keys:
        then ``grow`` also needs the customer's rate >= ``grow_rate``; a
        customer with no activity in the window has rate 0.
    grow_rate
        Active days per 30 days a ``grow`` customer needs (weekly use by default).
    as_of, window
        The rate's window: days ``as_of - window + 1 .. as_of`` (defaults: the
        log's last day, 90); rate = 30 x active days / exposure as in
        :func:`~stickiness.metrics.use_cases.use_case_rates`.
    zero_mrr
        An account with ``mrr = 0`` is an error (``"error"``, default: its
        profitability is undefined) or ``depart`` with null profitability
        (``"depart"``).

    Returns
    -------
    polars.DataFrame
        One row per account, sorted by state (keep, grow, depart) and user:
        ``user`` (the key, as String), ``mrr``, ``costs``, ``profit``,
        ``profitability`` (Float64), ``rate`` (Float64; null without
        ``usage``) and ``state`` (String).

    Examples
    --------
    >>> import polars as pl
    >>> from stickiness.scorecards import fit_matrix
    >>> accounts = pl.DataFrame({
    ...     "account_id": ["a", "b", "c"],
    ...     "mrr": [100.0, 100.0, 200.0],
    ...     "labour": [20.0, 50.0, 30.0],
    ...     "communication": [5.0, 10.0, 10.0],
    ...     "hard_costs": [5.0, 20.0, 20.0],
    ... })
    >>> fit_matrix(accounts).select("user", "profitability", "state").rows()
    [('a', 0.7, 'grow'), ('c', 0.7, 'grow'), ('b', 0.2, 'depart')]
    """
    depart_below = number(
        depart_below, "depart_below", f"profitability below which to depart, {FIT.depart_below:.2f} by default"
    )
    grow_above = number(
        grow_above, "grow_above", f"profitability from which to grow, {FIT.grow_above:.2f} by default", high=1
    )
    if depart_below > grow_above:
        raise InvalidOptionError(
            f"depart_below={depart_below} is above grow_above={grow_above}: a customer cannot be both. "
            f"Use depart_below <= grow_above, e.g. {FIT.depart_below:.2f} and {FIT.grow_above:.2f}."
        )
    grow_rate = positive(
        grow_rate, "grow_rate", f"active days per 30 days a grow customer needs, {FIT.grow_rate:g} by default"
    )
    window = whole_days(window, "window", f"days of the rate's window, {HABITS.window} by default")
    if zero_mrr not in ("error", "depart"):
        raise InvalidOptionError(f"zero_mrr={zero_mrr!r}: use 'error' or 'depart'.")
    if isinstance(costs, str):
        costs = (costs,)
    role = "accounts table"
    table = read_table(accounts, role=role)
    key = key_column(table, account, option="account", role=role)
    mrr_col = column(table, mrr, option="mrr", role=role)
    cost_cols = [column(table, c, option="costs", role=role) for c in costs]
    frame = table.select(ROW, pl.col(key).cast(pl.String).alias("user")).with_columns(
        numbers(table, mrr_col, option="mrr", role=role).alias("mrr"),
        pl.sum_horizontal([numbers(table, c, option="costs", role=role) for c in cost_cols] or [pl.lit(0.0)]).alias(
            "costs"
        ),
    )
    _check_keys(frame, key, role)
    zero = pl.col("mrr") == 0
    if zero_mrr == "error" and frame.select(zero.any()).item():
        raise InvalidValueError(
            f"the {role}'s column {mrr_col!r} (mrr=) is 0 on {rows_named(frame, zero, 'user')}, so their "
            "profitability (mrr - costs) / mrr is undefined. Leave free accounts out "
            f"(e.g. accounts.filter(pl.col({mrr_col!r}) > 0)), or pass zero_mrr='depart' to list them as depart."
        )
    rate = pl.lit(None, dtype=pl.Float64)
    if usage is not None:
        frame = frame.join(_rates(usage, as_of=as_of, window=window), on="user", how="left")
        rate = pl.col("rate").fill_null(0.0)
    frame = frame.with_columns(rate=rate, profit=pl.col("mrr") - pl.col("costs"))
    frame = frame.with_columns(profitability=pl.when(~zero).then(pl.col("profit") / pl.col("mrr")))
    profitability = pl.col("profitability")
    good_use = pl.lit(True) if usage is None else pl.col("rate") >= grow_rate - TOLERANCE
    state = (
        pl.when(profitability.is_null() | (profitability < depart_below - TOLERANCE))
        .then(pl.lit("depart"))
        .when((profitability >= grow_above - TOLERANCE) & good_use)
        .then(pl.lit("grow"))
        .otherwise(pl.lit("keep"))
    )
    out = frame.with_columns(state=state, __order=state.replace_strict({s: i for i, s in enumerate(FIT_STATES)}))
    return out.sort("__order", "user").select([pl.col(n).cast(t) for n, t in FIT_COLUMNS.items()])


def _check_keys(frame: pl.DataFrame, key: str, role: str) -> None:
    missing = pl.col("user").is_null() | (pl.col("user").str.strip_chars() == "")
    if frame.select(missing.any()).item():
        raise InvalidValueError(f"the {role}'s column {key!r} (account=) is empty on {rows_named(frame, missing)}.")
    dupes = pl.col("user").is_duplicated()
    if frame.select(dupes.any()).item():
        raise InvalidValueError(
            f"the {role} has customers on more than one row ({rows_named(frame, dupes, 'user')}). Keep one row "
            "per customer (e.g. sum their revenue and costs first)."
        )


def _rates(usage: UsageLog | Source, *, as_of: dt.date | str | None, window: int) -> pl.DataFrame:
    """``user`` (String) and ``rate``: active days per 30 days in the window, for users active in it."""
    log = as_log(usage)
    rates = use_case_rates(log, None, by=None, as_of=as_of, window=window, horizon=window, min_exposure=0)
    return rates.select(pl.col("user").cast(pl.String), "rate")


def _check_fit(fit: pl.DataFrame, function: str) -> None:
    if not isinstance(fit, pl.DataFrame) or not set(FIT_COLUMNS) <= set(fit.columns):
        raise InvalidValueError(
            f"{function}() takes the output of fit_matrix(): a frame with the columns {list(FIT_COLUMNS)}. "
            f"Call {function}(fit_matrix(accounts, ...))."
        )


def fit_summary(fit: pl.DataFrame) -> pl.DataFrame:
    """Count the customers, revenue and profit of each state (keep, grow, depart; zeros too).

    Parameters
    ----------
    fit
        The output of :func:`fit_matrix`.

    Returns
    -------
    polars.DataFrame
        Three rows, keep, grow, depart: ``state``, ``customers`` (Int64),
        ``share`` (of customers), ``mrr`` (sum), ``mrr_share`` (of the total
        mrr), ``profit`` (sum), all Float64; shares are null when there is no
        customer (or no revenue).

    Examples
    --------
    >>> import polars as pl
    >>> from stickiness.scorecards import fit_matrix, fit_summary
    >>> accounts = pl.DataFrame({"user_id": ["a", "b"], "mrr": [100.0, 300.0], "labour": [90.0, 30.0]})
    >>> fit_summary(fit_matrix(accounts, costs=["labour"])).rows()
    [('keep', 0, 0.0, 0.0, 0.0, 0.0), ('grow', 1, 0.5, 300.0, 0.75, 270.0), ('depart', 1, 0.5, 100.0, 0.25, 10.0)]
    """
    _check_fit(fit, "fit_summary")
    states = pl.DataFrame({"state": FIT_STATES}, schema={"state": pl.String})
    sums = fit.group_by("state").agg(customers=pl.len(), mrr=pl.col("mrr").sum(), profit=pl.col("profit").sum())
    out = states.join(sums, on="state", how="left", maintain_order="left").with_columns(
        pl.col("customers", "mrr", "profit").fill_null(0)
    )
    total, revenue = fit.height, fit["mrr"].sum()
    out = out.with_columns(
        share=pl.col("customers") / total if total else pl.lit(None, dtype=pl.Float64),
        mrr_share=pl.col("mrr") / revenue if revenue else pl.lit(None, dtype=pl.Float64),
    )
    return out.select([pl.col(n).cast(t) for n, t in FIT_SUMMARY_COLUMNS.items()])


def customers_to_depart(fit: pl.DataFrame) -> pl.DataFrame:
    """List the customers to part with: state ``depart``, the least profitable first.

    Parameters
    ----------
    fit
        The output of :func:`fit_matrix`.

    Returns
    -------
    polars.DataFrame
        The ``depart`` rows of ``fit`` with the same columns, sorted by
        profitability (null, i.e. zero revenue, first; then lowest), then user.

    Examples
    --------
    >>> import polars as pl
    >>> from stickiness.scorecards import customers_to_depart, fit_matrix
    >>> accounts = pl.DataFrame({"user_id": ["a", "b", "c"], "mrr": [100.0] * 3, "cost": [90.0, 20.0, 120.0]})
    >>> customers_to_depart(fit_matrix(accounts, costs=["cost"])).select("user", "profitability").rows()
    [('c', -0.2), ('a', 0.1)]
    """
    _check_fit(fit, "customers_to_depart")
    return fit.filter(pl.col("state") == "depart").sort("profitability", "user", nulls_last=False)
