"""Growth states (Duolingo's growth model): each user's state on each day, and the day-over-day transitions.

Definitions (the contract, with a worked example: docs/growth-states.md). A user enters the
population on their first active day. On day d, with L the user's last active day before d:

- active on d: *new* (no L), *current* (d - L <= 6), *reactivated* (7 <= d - L <= 29),
  *resurrected* (d - L >= 30);
- not active on d (L the last active day before d): *at_risk_wau* (d - L <= 6), *at_risk_mau*
  (7 <= d - L <= 29), *dormant* (d - L >= 30).

So DAU = new + current + reactivated + resurrected, WAU (active in d-6 .. d) = DAU + at_risk_wau,
MAU (active in d-29 .. d) = WAU + at_risk_mau, and every user seen by d is in exactly one state.

Each user's active days with the previous and next one (``active_days``' rows, with the previous
day from a window over the user) give everything: a user's state changes only on an active day and
7 and 30 days after it, so per state the users entering and leaving it are counted per day and summed
(no user x day grid), and the transitions are counted where they happen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

import narwhals as nw
import polars as pl

from stickiness._engine import collect
from stickiness._sources import Source
from stickiness.exceptions import InvalidOptionError
from stickiness.log import UsageLog, as_log
from stickiness.options import WEEK, as_date
from stickiness.schemas import GROWTH_STATES_SCHEMA, GROWTH_TRANSITIONS_SCHEMA
from stickiness.stages.active_days import SEGMENT, active_days
from stickiness.stages.segments import check_segment_name

__all__ = ["ACTIVE_STATES", "GROWTH_STATES", "TRANSITIONS", "growth_states", "growth_transitions"]

#: The states of an active user, in the order of the model.
ACTIVE_STATES: tuple[str, ...] = ("new", "current", "reactivated", "resurrected")
#: Every state, active first (the columns of :func:`growth_states`, in this order).
GROWTH_STATES: tuple[str, ...] = (*ACTIVE_STATES, "at_risk_wau", "at_risk_mau", "dormant")
#: The month of the model: MAU counts the users active in the last 30 days (d-29 .. d).
MONTH = 30
#: Every transition a user can make from one day to the next (new users come from no state).
TRANSITIONS: tuple[tuple[str, str], ...] = (
    *((state, to) for state in ACTIVE_STATES for to in ("current", "at_risk_wau")),
    ("at_risk_wau", "current"),
    ("at_risk_wau", "reactivated"),
    ("at_risk_wau", "at_risk_wau"),
    ("at_risk_wau", "at_risk_mau"),
    ("at_risk_mau", "reactivated"),
    ("at_risk_mau", "resurrected"),
    ("at_risk_mau", "at_risk_mau"),
    ("at_risk_mau", "dormant"),
    ("dormant", "resurrected"),
    ("dormant", "dormant"),
)
#: The inactive states: (name, first and first-after-last day after the last active day).
_SPANS: tuple[tuple[str, int, int | None], ...] = (
    ("at_risk_wau", 1, WEEK),
    ("at_risk_mau", WEEK, MONTH),
    ("dormant", MONTH, None),
)


def _plus(column: str, days: int) -> nw.Expr:
    """Shift a Date column by whole days, as a Date on every engine."""
    return nw.col(column).dt.offset_by(f"{days}d").cast(nw.Date())


def _state_after(last: str, day: str) -> nw.Expr:
    """Name the active state on ``day`` of a user whose previous active day is ``last`` (null: new)."""
    return (
        nw.when(nw.col(last).is_null())
        .then(nw.lit("new"))
        .when(_plus(last, WEEK - 1) >= nw.col(day))
        .then(nw.lit("current"))
        .when(_plus(last, MONTH - 1) >= nw.col(day))
        .then(nw.lit("reactivated"))
        .otherwise(nw.lit("resurrected"))
    )


def _check(
    log: UsageLog, by: str | None, start: dt.date | str | None, as_of: dt.date | str | None, function: str
) -> tuple[dt.date, dt.date] | None:
    """Return the output's first and last day (None for an empty log); raise a clear error for days outside the log."""
    columns = GROWTH_STATES_SCHEMA if function == "growth_states" else GROWTH_TRANSITIONS_SCHEMA
    check_segment_name(by, tuple(columns), function=function)
    first_day, last_day = as_date(start, "start"), as_date(as_of, "as_of")
    if log.first_day is None or log.as_of is None:
        return None
    if last_day is not None and last_day > log.as_of:
        raise InvalidOptionError(
            f"as_of={last_day} is after the log's last day ({log.as_of}): there is no data then. "
            f"Use as_of <= {log.as_of}."
        )
    if last_day is not None and last_day < log.first_day:
        raise InvalidOptionError(
            f"as_of={last_day} is before the log's first day ({log.first_day}): there is no data then. "
            f"Use as_of >= {log.first_day}."
        )
    first_day, last_day = max(first_day or log.first_day, log.first_day), last_day or log.as_of
    if first_day > last_day:
        raise InvalidOptionError(f"start={first_day} is after as_of={last_day}: use start <= as_of.")
    return first_day, last_day


def _days(log: UsageLog, by: str | None, active_events: Collection[str] | None) -> dict[str, nw.LazyFrame[Any]]:
    """``days``: the (segment, user, day, __prev, __next) rows; ``dates``: every observed day."""
    frames = active_days(log, by=by, active_events=active_events)
    prev = nw.col("day").shift(1).over("user", order_by="day").alias("__prev")
    return {"days": frames["days"].with_columns(prev), "dates": frames["dates"]}


def _daily_states(log: UsageLog, by: str | None, active_events: Collection[str] | None) -> pl.DataFrame:
    """``__segment, day`` and one count per state, every observed day (computed in the engine)."""
    frames = _days(log, by, active_events)
    days = frames["days"]
    active = (
        days.with_columns(_state_after("__prev", "day").alias("__state"))
        .group_by(SEGMENT, "day")
        .agg(*((nw.col("__state") == state).cast(nw.Int64()).sum().alias(state) for state in ACTIVE_STATES))
    )
    grid = (
        frames["dates"].join(active.select(SEGMENT).unique(), how="cross").join(active, on=[SEGMENT, "day"], how="left")
    )
    for state, enter, leave in _SPANS:
        # the users entering the state (+1) and leaving it (-1) per day: its count is their running sum
        into = days.select(SEGMENT, _plus("day", enter).alias("day"), nw.lit(1).alias("__delta"))
        if leave is None:
            out_of = days.filter(~nw.col("__next").is_null()).select(
                SEGMENT,
                nw.max_horizontal(nw.col("__next"), _plus("day", enter)).alias("day"),
                nw.lit(-1).alias("__delta"),
            )
        else:
            # a user leaves on the next active day, or `leave` days after the last one, never before entering
            until = nw.min_horizontal(nw.col("__next"), _plus("day", leave))
            out_of = days.select(
                SEGMENT, nw.max_horizontal(until, _plus("day", enter)).alias("day"), nw.lit(-1).alias("__delta")
            )
        deltas = nw.concat([into, out_of], how="vertical").group_by(SEGMENT, "day").agg(nw.col("__delta").sum())
        grid = grid.join(deltas.rename({"__delta": state}), on=[SEGMENT, "day"], how="left")
    schema = {SEGMENT: pl.String(), **{name: GROWTH_STATES_SCHEMA[name] for name in ("day", *GROWTH_STATES)}}
    counts = collect(grid, schema).with_columns(pl.col(GROWTH_STATES).fill_null(0))
    inactive = [state for state, _, _ in _SPANS]
    return counts.sort(SEGMENT, "day").with_columns(pl.col(inactive).cum_sum().over(SEGMENT))


def _output(
    table: pl.DataFrame, by: str | None, days: tuple[dt.date, dt.date], schema: dict[str, pl.DataType]
) -> pl.DataFrame:
    """Keep the days asked for, name the segment column after ``by``, sort (then by ``__pair`` if any), cast."""
    order = [SEGMENT, "day", *(["__pair"] if "__pair" in table.columns else [])]
    kept = table.filter(pl.col("day").is_between(*days)).sort(order)
    segment = [pl.col(SEGMENT).alias(by)] if by else []
    return kept.select(*segment, pl.exclude(SEGMENT)).select(list(schema)).cast(schema)  # type: ignore[arg-type]


def growth_states(
    data: UsageLog | Source,
    *,
    by: str | None = None,
    start: dt.date | str | None = None,
    as_of: dt.date | str | None = None,
    active_events: Collection[str] | None = None,
) -> pl.DataFrame:
    """Per day (and segment): how many users are in each state of Duolingo's growth model.

    Parameters
    ----------
    data
        A :class:`~stickiness.UsageLog`, or anything :func:`~stickiness.read_log` reads.
    by
        A users-table column (e.g. ``"persona"``): one series per segment.
    start, as_of
        The first and last day of the output (default: the log's first day and ``as_of``). Activity before
        ``start`` still counts: a user last active 10 days before ``start`` is ``at_risk_mau`` on it.
    active_events
        Count a user as active only for these events (default: any event).

    Returns
    -------
    polars.DataFrame
        ``[by,] day, new, current, reactivated, resurrected, at_risk_wau, at_risk_mau, dormant, dau, wau, mau,
        users``: one row per day from ``start`` to ``as_of`` (per segment), counts as Int64. ``dau`` is the sum
        of the four active states, ``wau = dau + at_risk_wau`` (active in the 7 days to ``day``), ``mau = wau +
        at_risk_mau`` (active in the 30 days to ``day``) and ``users = mau + dormant`` (every user active on
        ``day`` or before). Definitions: docs/growth-states.md.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness import growth_states
    >>> events = pl.DataFrame({  # a on days 1, 2 and 10; b on day 2
    ...     "user_id": ["a", "a", "b", "a"],
    ...     "timestamp": [dt.date(2024, 1, 1), dt.date(2024, 1, 2), dt.date(2024, 1, 2), dt.date(2024, 1, 10)],
    ...     "event": "open",
    ... })
    >>> states = growth_states(events).select("day", "new", "current", "reactivated", "at_risk_wau", "at_risk_mau")
    >>> states.filter(pl.col("day").dt.day().is_in([1, 2, 3, 9, 10])).rows()  # doctest: +NORMALIZE_WHITESPACE
    [(datetime.date(2024, 1, 1), 1, 0, 0, 0, 0), (datetime.date(2024, 1, 2), 1, 1, 0, 0, 0),
     (datetime.date(2024, 1, 3), 0, 0, 0, 2, 0), (datetime.date(2024, 1, 9), 0, 0, 0, 0, 2),
     (datetime.date(2024, 1, 10), 0, 0, 1, 0, 1)]
    """
    log = as_log(data)
    days = _check(log, by, start, as_of, "growth_states")
    schema = {**({by: pl.String()} if by else {}), **GROWTH_STATES_SCHEMA}
    if days is None:
        return pl.DataFrame(schema=schema)
    counts = _daily_states(log, by, active_events)
    dau = pl.sum_horizontal(ACTIVE_STATES)
    table = (
        counts.with_columns(dau=dau)
        .with_columns(
            wau=pl.col("dau") + pl.col("at_risk_wau"),
        )
        .with_columns(mau=pl.col("wau") + pl.col("at_risk_mau"))
        .with_columns(users=pl.col("mau") + pl.col("dormant"))
    )
    return _output(table, by, days, schema)


def _transition_events(days: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """``__segment, day, from_state, to_state, users``: the transitions other than staying in an inactive state.

    From each active day a (state X, next active day n): a+1 (X to current or at_risk_wau); n when later
    (the inactive state of n-1 to n's active state); a+7 (at_risk_wau to at_risk_mau) and a+30 (at_risk_mau
    to dormant) when n is later still.
    """
    nxt = nw.col("__next")
    after = days.select(
        SEGMENT,
        _plus("day", 1).alias("day"),
        _state_after("__prev", "day").alias("from_state"),
        nw.when(nxt == _plus("day", 1)).then(nw.lit("current")).otherwise(nw.lit("at_risk_wau")).alias("to_state"),
    )
    back = days.filter(nxt > _plus("day", 1)).select(
        SEGMENT,
        nxt.alias("day"),
        nw.when(nxt <= _plus("day", WEEK))
        .then(nw.lit("at_risk_wau"))
        .when(nxt <= _plus("day", MONTH))
        .then(nw.lit("at_risk_mau"))
        .otherwise(nw.lit("dormant"))
        .alias("from_state"),
        _state_after("day", "__next").alias("to_state"),
    )
    lapses = [
        days.filter(nxt.is_null() | (nxt > _plus("day", when))).select(
            SEGMENT, _plus("day", when).alias("day"), nw.lit(source).alias("from_state"), nw.lit(to).alias("to_state")
        )
        for when, source, to in ((WEEK, "at_risk_wau", "at_risk_mau"), (MONTH, "at_risk_mau", "dormant"))
    ]
    events = nw.concat([after, back, *lapses], how="vertical")
    return events.group_by(SEGMENT, "day", "from_state", "to_state").agg(nw.len().alias("users"))


def growth_transitions(
    data: UsageLog | Source,
    *,
    by: str | None = None,
    start: dt.date | str | None = None,
    as_of: dt.date | str | None = None,
    active_events: Collection[str] | None = None,
) -> pl.DataFrame:
    """Per day (and segment): how many users moved from each growth state yesterday to each state today.

    Duolingo's rates are rows of it: CURR (current to current), NURR (new to current), RURR (reactivated to
    current), SURR (resurrected to current); the iWAU retention rate is the sum of at_risk_wau's rates to
    current and reactivated, the iMAU retention rate that of at_risk_mau's to reactivated and resurrected.

    Parameters
    ----------
    data, by, start, as_of, active_events
        As in :func:`growth_states`; ``start`` is the first day *into* which transitions are counted (at the
        earliest the log's second day).

    Returns
    -------
    polars.DataFrame
        ``[by,] day, from_state, to_state, users, rate``: for every day and each of the 18 possible transitions
        (:data:`TRANSITIONS`, in that order), the users in ``from_state`` on ``day - 1`` and in ``to_state`` on
        ``day`` (Int64, 0 when none), and ``rate`` (Float64), their share of ``from_state``'s users on
        ``day - 1`` (null when there were none). New users come from no state: the ``users`` leaving a state
        sum to its count the day before, those arriving in a state to its count minus ``new``.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness import growth_transitions
    >>> events = pl.DataFrame({  # a on days 1 and 2, b on day 1 only
    ...     "user_id": ["a", "b", "a"],
    ...     "timestamp": [dt.date(2024, 1, 1), dt.date(2024, 1, 1), dt.date(2024, 1, 2)],
    ...     "event": "open",
    ... })
    >>> moves = growth_transitions(events).filter(pl.col("users") > 0)
    >>> moves.select("from_state", "to_state", "users", "rate").rows()
    [('new', 'current', 1, 0.5), ('new', 'at_risk_wau', 1, 0.5)]
    """
    log = as_log(data)
    days = _check(log, by, start, as_of, "growth_transitions")
    schema = {**({by: pl.String()} if by else {}), **GROWTH_TRANSITIONS_SCHEMA}
    if days is None:
        return pl.DataFrame(schema=schema)
    states = _daily_states(log, by, active_events)
    frames = _days(log, by, active_events)
    moves_schema = {SEGMENT: pl.String(), "day": pl.Date(), "from_state": pl.String(), "to_state": pl.String()}
    moves = collect(_transition_events(frames["days"]), {**moves_schema, "users": pl.Int64()})
    pairs = pl.DataFrame(list(TRANSITIONS), schema=["from_state", "to_state"], orient="row").with_row_index("__pair")
    # yesterday's count of each state, on the day the transitions out of it are counted
    before = states.with_columns(pl.col("day").dt.offset_by("1d")).unpivot(
        index=[SEGMENT, "day"], on=list(GROWTH_STATES), variable_name="from_state", value_name="__from"
    )
    grid = before.filter(pl.col("day") <= log.as_of).join(pairs, on="from_state", how="inner")
    table = grid.join(moves, on=[SEGMENT, "day", "from_state", "to_state"], how="left").with_columns(
        pl.col("users").fill_null(0)
    )
    # staying in an inactive state: its users yesterday who made no other move
    moved = pl.col("users").filter(pl.col("from_state") != pl.col("to_state")).sum().over(SEGMENT, "day", "from_state")
    stays = (pl.col("from_state") == pl.col("to_state")) & ~pl.col("from_state").is_in(ACTIVE_STATES)
    table = table.with_columns(
        users=pl.when(stays).then(pl.col("__from") - moved).otherwise(pl.col("users"))
    ).with_columns(rate=pl.when(pl.col("__from") > 0).then(pl.col("users") / pl.col("__from")))
    return _output(table, by, days, schema)
