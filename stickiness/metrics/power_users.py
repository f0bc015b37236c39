"""The power-user curve: how many users were active on exactly k days of the window ending on ``as_of``.

Definitions (the contract, with a worked example: docs/power-users.md). W = ``window``, A = ``as_of``:

- a user's *active days* are the distinct days of ``A - W + 1 .. A`` with at least one event (for a use
  case: with an event of the use case);
- the curve of a segment (and use case) counts its users with exactly k active days, k = 1 .. W; every k
  has a row, 0 where nobody had k days, for every segment (and use case) with a user active in the
  window; ``share`` is users / the segment's users active in the window, so the users over k sum to
  MAU(A) of :func:`~stickiness.active_users` with the same window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

import narwhals as nw
import polars as pl

from stickiness._engine import collect
from stickiness._habit_options import check_options
from stickiness._sources import Source
from stickiness.catalog import Catalog
from stickiness.log import UsageLog
from stickiness.metrics.use_cases import prepare_inputs
from stickiness.options import ACTIVITY, HABITS, WEEK, whole_days
from stickiness.schemas import POWER_USERS_BY_USE_CASE_SCHEMA, POWER_USERS_SCHEMA
from stickiness.stages.active_days import SEGMENT, active_days
from stickiness.stages.habits import day_number
from stickiness.stages.power_curve import active_day_grid, power_curve
from stickiness.stages.segments import check_segment_name, name_segment
from stickiness.stages.use_case_days import SEG, lift_use_case_days, use_case_pairs

__all__ = ["power_users", "power_users_by_use_case"]


def _inputs(
    data: UsageLog | Source, catalog: Catalog | Any | None, *, window: int, by: str | None, as_of: dt.date | str | None
) -> tuple[UsageLog, Catalog | None, dt.date | None]:
    """Check the options; return the log, the catalog and the window's last day (None: no rows to count)."""
    whole_days(
        window,
        "window",
        f"the power-user window in days, {ACTIVITY.window} by default, 7 and 28 are common",
        minimum=WEEK,
    )
    return prepare_inputs(data, catalog, check_options(by=by, as_of=as_of, window=1, horizon=1, min_exposure=0))


def power_users(
    data: UsageLog | Source,
    *,
    window: int = ACTIVITY.window,
    by: str | None = None,
    as_of: dt.date | str | None = None,
    active_events: Collection[str] | None = None,
) -> pl.DataFrame:
    """How many users were active on exactly k days of the ``window`` days ending on ``as_of``, k = 1 .. window.

    Parameters
    ----------
    data
        A :class:`~stickiness.UsageLog`, or anything :func:`~stickiness.read_log` reads.
    window
        The window W in days (30 by default; 7 and 28 are common; at least 7, as the MAU window).
    by
        A users-table column (e.g. ``"persona"``): one curve per segment.
    as_of
        The window's last day (default: the log's ``as_of``; may not be later).
    active_events
        Count a day as active only for these events, e.g. the key action (default: any event), as
        :func:`~stickiness.active_users` does: the users then sum to its MAU with the same ``active_events``.

    Returns
    -------
    polars.DataFrame
        ``[by,] active_days, users, share``: for every segment with a user active in the window, one
        row per k = 1 .. W (``active_days``, Int64), the users active on exactly k of its days
        (``users``, Int64, 0 for an empty bar) and their share of the segment's users active in the
        window (``share``, Float64). The users sum to MAU on ``as_of`` (:func:`~stickiness.active_users`,
        same ``window``). Sorted.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness import power_users
    >>> events = pl.DataFrame({  # a on Jan 1 and 7, b on Jan 7: with W = 7 ending Jan 7, a has 2 days, b 1
    ...     "user_id": ["a", "a", "b"],
    ...     "timestamp": [dt.date(2024, 1, 1), dt.date(2024, 1, 7), dt.date(2024, 1, 7)],
    ...     "event": "open",
    ... })
    >>> power_users(events, window=7).head(3).rows()
    [(1, 1, 0.5), (2, 1, 0.5), (3, 0, 0.0)]
    >>> buys = events.with_columns(event=pl.Series(["buy", "open", "buy"]))  # a buys on Jan 1, b on Jan 7
    >>> power_users(buys, window=7, active_events=["buy"])["users"].head(2).to_list()  # 1 buying day each
    [2, 0]
    """
    check_segment_name(by, tuple(POWER_USERS_SCHEMA), function="power_users")
    log, _, last = _inputs(data, None, window=window, by=by, as_of=as_of)
    keys = [by] if by else []
    if last is None:
        return pl.DataFrame(schema={**{key: pl.String() for key in keys}, **POWER_USERS_SCHEMA})
    frames = active_days(log, by=by, active_events=active_events, extra={"grid": active_day_grid(window)})
    first = last - dt.timedelta(days=window - 1)
    in_window = (nw.col("day") >= nw.lit(first)) & (nw.col("day") <= nw.lit(last))
    curve = power_curve(frames["days"], frames["grid"], keys=[SEGMENT], in_window=in_window)
    out = collect(curve, {SEGMENT: pl.String(), **POWER_USERS_SCHEMA})
    out = out.rename({SEGMENT: by}) if by else out.drop(SEGMENT)
    return out.sort([*keys, "active_days"])


def power_users_by_use_case(
    data: UsageLog | Source,
    catalog: Catalog | Any | None = None,
    *,
    window: int = ACTIVITY.window,
    by: str | None = HABITS.by,
    as_of: dt.date | str | None = None,
) -> pl.DataFrame:
    """Per segment and use case: how many users had an event of it on exactly k days of the window, k = 1 .. window.

    Parameters
    ----------
    data
        A :class:`~stickiness.UsageLog`, or anything :func:`~stickiness.read_log` reads.
    catalog
        A :class:`~stickiness.catalog.Catalog` or anything :func:`~stickiness.catalog.read_catalog`
        reads (its use cases and ``"(unmapped)"``; ``"(any)"`` is :func:`power_users`). None
        (default): each event is its own use case.
    window, as_of
        As for :func:`power_users`.
    by
        The users-table column that defines segments (default ``"persona"``; without a users table,
        or with None, every user is in ``"(all)"``; users absent from it are in ``"(unknown)"``).

    Returns
    -------
    polars.DataFrame
        ``persona, use_case, active_days, users, share``: for every segment and use case with a user
        active in the window (an event of the use case), one row per k = 1 .. W, as
        :func:`power_users`; the users of a (segment, use case) sum to the segment's users of the use
        case in the window. The segment column is named after ``by`` (``"segment"`` for None). Sorted.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness import power_users_by_use_case
    >>> events = pl.DataFrame({  # a searched on Jan 1 and 7, b on Jan 7; a bought on Jan 7
    ...     "user_id": ["a", "a", "b", "a"],
    ...     "timestamp": [dt.date(2024, 1, 1), dt.date(2024, 1, 7), dt.date(2024, 1, 7), dt.date(2024, 1, 7)],
    ...     "event": ["search", "search", "search", "buy"],
    ... })
    >>> out = power_users_by_use_case(events, window=7).filter(pl.col("users") > 0)
    >>> out.select("use_case", "active_days", "users").rows()
    [('buy', 1, 1), ('search', 1, 1), ('search', 2, 1)]
    """
    check_segment_name(
        by, [name for name in POWER_USERS_BY_USE_CASE_SCHEMA if name != SEG], function="power_users_by_use_case"
    )
    log, cat, last = _inputs(data, catalog, window=window, by=by, as_of=as_of)
    if last is None:
        return name_segment(pl.DataFrame(schema=POWER_USERS_BY_USE_CASE_SCHEMA), by, internal=SEG)
    pairs = use_case_pairs(log, cat, without_catalog="events", with_any=False)
    end = day_number(last)
    frames = lift_use_case_days(log, pairs, by=by, end=end, extra={"grid": active_day_grid(window)})
    days = frames["days"].rename({"__d": "day"})
    curve = power_curve(days, frames["grid"], keys=[SEG, "use_case"], in_window=nw.col("day") > end - window)
    out = collect(curve, POWER_USERS_BY_USE_CASE_SCHEMA).sort(SEG, "use_case", "active_days")
    return name_segment(out, by, internal=SEG)
