"""Demo tables for the scorecards, derived deterministically from the demo users of :mod:`stickiness.demo`.

* :func:`demo_accounts`: one row per paying (``pro``) demo user: monthly recurring
  revenue, the costs of serving them (labour, communication, hard costs) and
  support tickets. Agents pay per seat; a minority of accounts are *high touch*
  (much more labour), which makes some unprofitable.
* :func:`demo_responses`: NPS survey answers (0-10), monthly waves over the last
  12 months, from a sample of the users signed up and not yet gone. Planted:
  agents around +40, home buyers +15, renters -25, and homeowners rising from
  about 0 to about +20 over the year.
* :func:`demo_payments`: the paying users' monthly invoices (every 30 days from
  signup while they are still around), with each customer's total spend on
  property software elsewhere as ``category_spend``.

Same arguments as :func:`stickiness.demo.demo_users`; the same arguments always give
the same tables.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from stickiness.demo import (
    DEFAULT_END,
    DEFAULT_SEED,
    DEFAULT_START,
    DEFAULT_USERS,
    check_demo_args,
    demo_users,
    draw_users,
)

__all__ = ["demo_accounts", "demo_payments", "demo_responses"]

#: Monthly price of the pro plan per persona (agents: per seat).
PRICE = {"agent": 149.0, "home_buyer": 19.0, "homeowner": 9.0, "renter": 9.0}
#: Promoter and detractor shares of each persona's answers (homeowners: at the first and last wave).
NPS_MIX = {"agent": (0.55, 0.15), "home_buyer": (0.40, 0.25), "renter": (0.20, 0.45)}
HOMEOWNER_PROMOTERS = (0.25, 0.45)
HOMEOWNER_DETRACTORS = 0.25
#: Share of users alive in a wave month who answer that wave.
ANSWER_RATE = 0.15
WAVES = 12
_SALT = {"accounts": 101, "responses": 202, "payments": 303}


def _rng(seed: int, table: str) -> np.random.Generator:
    return np.random.default_rng([seed, _SALT[table]])


def _people(users: int, start: date, end: date, seed: int) -> pl.DataFrame:
    """Return the demo users with the last day each can be active (from the same draw as the demo log)."""
    check_demo_args(users, start, end)
    cohort = draw_users(np.random.default_rng(seed), users, start, end)
    last = pl.Series("last_day", cohort.last + (start - date(1970, 1, 1)).days, dtype=pl.Int32).cast(pl.Date)
    return demo_users(users=users, start=start, end=end, seed=seed).with_columns(last)


def demo_accounts(
    *, users: int = DEFAULT_USERS, start: date = DEFAULT_START, end: date = DEFAULT_END, seed: int = DEFAULT_SEED
) -> pl.DataFrame:
    """Return the accounts table of the paying demo users: revenue, costs and support tickets.

    Parameters
    ----------
    users, start, end, seed
        As for :func:`stickiness.demo.demo_users`.

    Returns
    -------
    polars.DataFrame
        One row per ``pro`` user, sorted by ``user_id`` (String): ``mrr``,
        ``labour``, ``communication``, ``hard_costs`` (Float64, per month, in
        dollars, rounded to cents) and ``support_tickets`` (Int64, last 90 days).

    Examples
    --------
    >>> from stickiness.scorecards.demo import demo_accounts
    >>> accounts = demo_accounts(users=200, seed=1)
    >>> accounts.columns
    ['user_id', 'mrr', 'labour', 'communication', 'hard_costs', 'support_tickets']
    >>> accounts.equals(demo_accounts(users=200, seed=1)), bool((accounts["mrr"] > 0).all())
    (True, True)
    """
    people = _people(users, start, end, seed).filter(pl.col("plan") == "pro")
    rng = _rng(seed, "accounts")
    n = people.height
    agent = (people["persona"] == "agent").to_numpy()
    seats = np.where(agent, rng.choice([1, 2, 5], size=n, p=[0.6, 0.25, 0.15]), 1)
    mrr = people["persona"].replace_strict(PRICE, return_dtype=pl.Float64).to_numpy() * seats
    high_touch = rng.random(n) < np.where(agent, 0.15, 0.20)
    labour = mrr * rng.uniform(0.10, 0.40, n) * np.where(high_touch, 2.8, 1.0)
    communication = mrr * rng.uniform(0.02, 0.08, n)
    hard_costs = np.where(agent, 12.0 * seats, rng.uniform(1.0, 3.0, n))
    tickets = rng.poisson(labour / np.where(agent, 15.0, 2.0))
    return pl.DataFrame(
        {
            "user_id": people["user_id"],
            "mrr": mrr,
            "labour": np.round(labour, 2),
            "communication": np.round(communication, 2),
            "hard_costs": np.round(hard_costs, 2),
            "support_tickets": tickets.astype(np.int64),
        }
    )


def demo_responses(
    *, users: int = DEFAULT_USERS, start: date = DEFAULT_START, end: date = DEFAULT_END, seed: int = DEFAULT_SEED
) -> pl.DataFrame:
    """Return NPS survey answers of the demo users: monthly waves over the last 12 months.

    Parameters
    ----------
    users, start, end, seed
        As for :func:`stickiness.demo.demo_users`.

    Returns
    -------
    polars.DataFrame
        One row per answer, sorted by ``submitted_at`` and ``user_id``:
        ``user_id`` (String), ``submitted_at`` (Date, a day the user was
        signed up and not yet gone) and ``score`` (Int64, 0-10).

    Examples
    --------
    >>> from stickiness.scorecards.demo import demo_responses
    >>> answers = demo_responses(users=200, seed=1)
    >>> answers.columns, bool(answers["score"].is_between(0, 10).all())
    (['user_id', 'submitted_at', 'score'], True)
    """
    people = _people(users, start, end, seed)
    rng = _rng(seed, "responses")
    first = pl.date_range(end, end, "1d", eager=True).dt.truncate("1mo").dt.offset_by(f"-{WAVES - 1}mo").item()
    waves = pl.date_range(first, end, "1mo", eager=True).alias("wave").to_frame().with_row_index("k")
    grid = people.join(waves, how="cross").with_columns(
        wave_end=pl.min_horizontal(pl.col("wave").dt.month_end(), pl.lit(end)),
    )
    lo = pl.max_horizontal("wave", "signup_date")
    hi = pl.min_horizontal("wave_end", "last_day")
    grid = grid.filter(lo <= hi).with_columns(lo=lo, span=(hi - lo).dt.total_days() + 1).sort("user_id", "k")
    grid = grid.filter(pl.Series(rng.random(grid.height) < ANSWER_RATE))
    n = grid.height
    offset = np.floor(rng.random(n) * grid["span"].to_numpy()).astype(np.int64)
    persona = grid["persona"].to_numpy()
    t = grid["k"].to_numpy() / (WAVES - 1)
    promoters = np.select(
        [persona == p for p in NPS_MIX],
        [NPS_MIX[p][0] for p in NPS_MIX],
        HOMEOWNER_PROMOTERS[0] + t * (HOMEOWNER_PROMOTERS[1] - HOMEOWNER_PROMOTERS[0]),
    )
    detractors = np.select([persona == p for p in NPS_MIX], [NPS_MIX[p][1] for p in NPS_MIX], HOMEOWNER_DETRACTORS)
    u = rng.random(n)
    kind = np.where(u < promoters, 2, np.where(u < promoters + detractors, 0, 1))
    score = np.select(
        [kind == 2, kind == 1],
        [rng.integers(9, 11, n), rng.integers(7, 9, n)],
        rng.choice(np.arange(7), size=n, p=[0.04, 0.04, 0.08, 0.12, 0.16, 0.26, 0.30]),
    )
    return (
        grid.with_columns(offset=pl.Series(offset), score=pl.Series(score, dtype=pl.Int64))
        .with_columns(submitted_at=(pl.col("lo") + pl.duration(days=pl.col("offset"))).cast(pl.Date))
        .select("user_id", "submitted_at", "score")
        .sort("submitted_at", "user_id")
    )


def demo_payments(
    *, users: int = DEFAULT_USERS, start: date = DEFAULT_START, end: date = DEFAULT_END, seed: int = DEFAULT_SEED
) -> pl.DataFrame:
    """Return the paying demo users' invoices, with their spend on property software elsewhere.

    Parameters
    ----------
    users, start, end, seed
        As for :func:`stickiness.demo.demo_users`.

    Returns
    -------
    polars.DataFrame
        One row per invoice, sorted by ``user_id`` and ``paid_on``: ``user_id``
        (String), ``paid_on`` (Date: the signup day, then every 30 days while
        the user is still around, up to ``end``), ``revenue`` (Float64, the
        account's ``mrr`` from :func:`demo_accounts`) and ``category_spend``
        (Float64, the same on every row of a customer: their total spend on
        property software over those months, ours included).

    Examples
    --------
    >>> from stickiness.scorecards.demo import demo_payments
    >>> payments = demo_payments(users=200, seed=1)
    >>> payments.columns
    ['user_id', 'paid_on', 'revenue', 'category_spend']
    """
    people = _people(users, start, end, seed).filter(pl.col("plan") == "pro")
    accounts = demo_accounts(users=users, start=start, end=end, seed=seed).select("user_id", "mrr")
    people = people.join(accounts, on="user_id", how="left")
    invoices = ((pl.min_horizontal("last_day", pl.lit(end)) - pl.col("signup_date")).dt.total_days() // 30) + 1
    rows = (
        people.with_columns(k=pl.int_ranges(0, invoices))
        .explode("k")
        .select("user_id", paid_on=pl.col("signup_date") + pl.duration(days=30 * pl.col("k")), revenue="mrr")
        .with_columns(pl.col("paid_on").cast(pl.Date))
    )
    totals = rows.group_by("user_id").agg(pl.col("revenue").sum())
    share = _rng(seed, "payments").uniform(0.2, 0.9, totals.height)
    spend = totals.sort("user_id").select("user_id", category_spend=(pl.col("revenue") / share).round(2))
    return rows.join(spend, on="user_id", how="left").sort("user_id", "paid_on")
