"""Net Promoter Score from survey answers (0-10), per segment and per period, with a confidence interval.

Definitions (the contract: docs/scorecards.md, "NPS"): an answer of 9 or 10 is a
*promoter*, 7 or 8 a *passive*, 0 to 6 a *detractor*; with n answers, P promoters
and D detractors, ``nps = 100 (P - D) / n`` (from -100 to 100). Its standard error
uses ``var = (p + d - (p - d)^2) / n`` with p = P / n and d = D / n; the interval is
``nps +- z * 100 * sqrt(var)`` (normal approximation), clipped to [-100, 100].
"""

from __future__ import annotations

from statistics import NormalDist

import polars as pl

from stickiness._columns import AUTO
from stickiness._sources import Source
from stickiness._time import TimeUnit
from stickiness.exceptions import InvalidOptionError, InvalidValueError
from stickiness.log import UsageLog
from stickiness.options import NPS, READ, share, whole
from stickiness.schemas import NPS_COLUMNS
from stickiness.scorecards._tables import (
    ROW,
    attach_segment,
    column,
    days_of,
    key_column,
    numbers,
    read_table,
    rows_named,
)
from stickiness.stages.segments import check_segment_name
from stickiness.typing import NpsPeriod

__all__ = ["NPS_COLUMNS", "PERIODS", "nps"]

#: ``period=`` values and the polars interval each truncates days to (weeks start on Monday).
PERIODS: dict[str, str] = {"day": "1d", "week": "1w", "month": "1mo", "quarter": "1q", "year": "1y"}


def nps(
    responses: Source,
    *,
    score: str = "score",
    by: str | None = None,
    period: NpsPeriod | None = None,
    time: str = AUTO,
    user: str = AUTO,
    users: UsageLog | Source | None = None,
    users_key: str = AUTO,
    tz: str = READ.tz,
    time_unit: TimeUnit | None = None,
    min_responses: int = NPS.min_responses,
    confidence: float = NPS.confidence,
) -> pl.DataFrame:
    """Net Promoter Score of survey answers, overall or per segment and period, with its interval.

    Parameters
    ----------
    responses
        One row per answer (CSV, Parquet or NDJSON path, or a polars, pandas or
        pyarrow frame) with a score column; a user column when ``users`` is
        given; a time column when ``period`` is given. A user who answered twice
        counts twice.
    score
        The column of answers (default ``"score"``): whole numbers from 0 to 10.
        A blank (null or empty text) is counted in ``blank``, not in
        ``responses``; anything else outside 0-10, a fraction or text is an
        error that names the rows.
    by
        Segment column (default None: one row per period). Looked up in
        ``responses`` first, then in ``users``; null, empty and users absent
        from the users table are in ``"(unknown)"``.
    period
        ``"day"``, ``"week"`` (from Monday), ``"month"``, ``"quarter"``,
        ``"year"`` or None (default: no split by time). The day of an answer is
        read from ``time`` in ``tz`` as in :func:`stickiness.read_log`.
    time
        The time column (default ``"auto"``: ``timestamp``, ``ts``, ``time``,
        ``event_time``, ``created_at``); only read with ``period``.
    user
        The user column (default ``"auto"``: ``user_id``, ``distinct_id``,
        ``userId``, ``customer_id``, ``account_id``, ``account``); only read
        with ``users``.
    users, users_key
        A users table (or a :class:`~stickiness.UsageLog`, whose users table is
        used) giving ``by`` per user, and its user column (default: the
        responses' user column name if present, else detected).
    tz, time_unit
        As for :func:`stickiness.read_log`.
    min_responses
        Groups with fewer answers are ``sufficient = False``. Their
        figures are still shown.
    confidence
        Level of the interval (0.95 by default: z = 1.959964).

    Returns
    -------
    polars.DataFrame
        One row per ``by`` x ``period`` group (no row when there is no answer),
        sorted: the ``by`` column (String) and ``period`` (Date, the first day
        of the period) when asked for; ``responses``, ``blank``, ``promoters``,
        ``passives``, ``detractors`` (Int64); ``promoter_share``,
        ``detractor_share`` (Float64, of ``responses``), ``nps`` (Float64,
        -100 to 100), ``ci_low``, ``ci_high`` (Float64), null when a group
        has only blanks; ``sufficient`` (Boolean: ``responses >= min_responses``).

    Examples
    --------
    >>> import polars as pl
    >>> from stickiness.scorecards import nps
    >>> answers = pl.DataFrame({"score": [10, 10, 9, 9, 9, 8, 7, 6, 3, 0]})
    >>> out = nps(answers, min_responses=10)
    >>> out.select("responses", "promoters", "passives", "detractors", "nps", "sufficient").rows()
    [(10, 5, 2, 3, 20.0, True)]
    >>> [round(x, 2) for x in out.select("ci_low", "ci_high").row(0)]
    [-34.03, 74.03]
    """
    min_responses = whole(
        min_responses, "min_responses", f"answers a group needs, {NPS.min_responses} by default", minimum=1
    )
    confidence = share(confidence, "confidence", f"the interval's level, {NPS.confidence:g} by default")
    check_segment_name(by, [*NPS_COLUMNS, "period"], function="nps")
    if period is not None and period not in PERIODS:
        raise InvalidOptionError(f"period={period!r}: use one of {list(PERIODS)}, or None for no split by time.")
    role = "responses table"
    table = read_table(responses, role=role)
    score_col = column(table, score, option="score", role=role)
    values = _scores(table, score_col, role=role)
    days = None
    if period is not None:
        days = days_of(table, time, tz=tz, time_unit=time_unit, role=role, purpose="period=")
    joins_users = users is not None and by is not None and by not in table.columns
    user_col = key_column(table, user, option="user", role=role) if joins_users else None
    table = attach_segment(table, by=by, user=user_col, users=users, users_key=users_key, role=role)
    keys: list[str] = [] if by is None else [by]
    frame = table.select(ROW, *keys).with_columns(values.alias("__score"))
    if days is not None:
        frame = frame.with_columns(days.dt.truncate(PERIODS[str(period)]).alias("period"))
        keys.append("period")
    out = _aggregate(frame, keys, z=NormalDist().inv_cdf(0.5 + confidence / 2), min_responses=min_responses)
    schema = {**{k: frame.schema[k] for k in keys}, **NPS_COLUMNS}
    return out.select([pl.col(name).cast(dtype) for name, dtype in schema.items()]).sort(keys)


def _scores(table: pl.DataFrame, name: str, *, role: str) -> pl.Series:
    """Return the answers as Float64 (null for a blank), or raise naming the rows outside 0-10."""
    parsed = numbers(table, name, option="score", role=role, nulls=True, negative=True)
    value = pl.col("__value")
    bad = value.is_not_null() & ((value != value.floor()) | (value < 0) | (value > 10))
    frame = table.select(ROW, name).with_columns(parsed.alias("__value"))
    if frame.select(bad.any()).item():
        raise InvalidValueError(
            f"the {role}'s column {name!r} (score=) must hold whole numbers from 0 to 10: "
            f"{rows_named(frame, bad, name)}. Fix those answers or drop the rows (a blank answer is counted "
            "as blank)."
        )
    return parsed


def _aggregate(frame: pl.DataFrame, keys: list[str], *, z: float, min_responses: int) -> pl.DataFrame:
    score = pl.col("__score")
    group: list[str | pl.Expr] = [*keys] if keys else [pl.lit(0).alias("__all")]
    counts = frame.group_by(group).agg(
        responses=score.is_not_null().sum().cast(pl.Int64),
        blank=score.is_null().sum().cast(pl.Int64),
        promoters=(score >= 9).sum().cast(pl.Int64),
        passives=((score >= 7) & (score <= 8)).sum().cast(pl.Int64),
        detractors=(score <= 6).sum().cast(pl.Int64),
    )
    if frame.height == 0:  # a literal key still makes one group of an empty frame
        counts = counts.clear()
    n = pl.col("responses")
    answered = n > 0
    p = pl.col("promoters") / n
    d = pl.col("detractors") / n
    variance = ((p + d - (p - d) ** 2) / n).clip(lower_bound=0)
    half = z * 100 * variance.sqrt()
    return counts.with_columns(
        promoter_share=pl.when(answered).then(p),
        detractor_share=pl.when(answered).then(d),
        nps=pl.when(answered).then(100 * (pl.col("promoters") - pl.col("detractors")) / n),
        ci_low=pl.when(answered).then((100 * (p - d) - half).clip(-100, 100)),
        ci_high=pl.when(answered).then((100 * (p - d) + half).clip(-100, 100)),
        sufficient=n >= min_responses,
    )
