"""Explore DAU, WAU, MAU and stickiness: pick a segment, a date range and the MAU window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import TYPE_CHECKING

import altair as alt
import ipywidgets as widgets  # type: ignore[import-untyped]
import polars as pl

import stickiness
from stickiness import UsageLog
from stickiness.options import ACTIVITY, WEEK
from stickiness_widgets.charts import active_users_chart
from stickiness_widgets.explorers._base import ALL, ALL_LABEL, WIDE, Explorer, read_once

if TYPE_CHECKING:
    from stickiness.typing import Source

__all__ = ["ActiveUsersExplorer", "explore_active_users"]

#: Bounds of the MAU window slider, in days (the core needs at least a week).
WINDOW_MIN, WINDOW_MAX = WEEK, 90


class ActiveUsersExplorer(Explorer):
    """DAU, WAU, MAU and stickiness with a segment, a date range and the MAU window as controls.

    Build it with :func:`explore_active_users`.

    Attributes
    ----------
    segment
        Dropdown: ``"(all)"`` (shown as "All": every user) or one value of the ``by`` column
        (hidden without ``by``).
    start, end
        Date pickers: the days shown (a filter, no recompute).
    window
        Slider: the MAU window W in days (a recompute, cached per W).
    data
        The shown frame: ``stickiness.active_users(log, window=W)`` for "All", or
        ``stickiness.active_users(log, window=W, by=by)`` filtered to the
        segment; then to the date range.
    chart
        The shown ``active_users_chart`` of :attr:`data`.
    """

    data: pl.DataFrame
    chart: alt.typing.ChartType

    def __init__(
        self,
        log: UsageLog | Source,
        *,
        by: str | None = None,
        window: int = ACTIVITY.window,
        active_events: Collection[str] | None = None,
    ) -> None:
        super().__init__()
        self.log, _ = read_once(log)
        self.by = by
        self._active_events = None if active_events is None else tuple(active_events)
        self.segment = widgets.Dropdown(
            options=[(ALL_LABEL, ALL)], value=ALL, description=by or "segment", disabled=by is None, style=WIDE
        )
        first, last = self.log.first_day, self.log.as_of
        self.start = widgets.DatePicker(value=first, min=first, max=last, description="from", style=WIDE)
        self.end = widgets.DatePicker(value=last, min=first, max=last, description="to", style=WIDE)
        self.window = widgets.IntSlider(
            value=window,
            min=min(WINDOW_MIN, window),
            max=max(WINDOW_MAX, window),
            description="MAU window (days)",
            continuous_update=False,
            style=WIDE,
        )
        self.output = widgets.Output()
        controls = [self.segment] if by else []
        self._assemble([*controls, self.start, self.end, self.window], [self.output])
        self._segments_known = by is None
        self.update()

    def _frame(self, window: int, by: str | None) -> pl.DataFrame:
        return self._metric(
            ("active_users", window, by),
            lambda: stickiness.active_users(self.log, window=window, by=by, active_events=self._active_events),
        )

    def _refresh(self) -> None:
        window = int(self.window.value)
        if not self._segments_known and self.by is not None:  # the segments of the core's output, found once
            self._choices(self.segment, self._frame(window, self.by)[self.by].unique())
            self._segments_known = True
        segment: str | None = self.segment.value
        start: dt.date | None = self.start.value or self.log.first_day
        end: dt.date | None = self.end.value or self.log.as_of
        if start is not None and end is not None and start > end:
            raise stickiness.InvalidOptionError(
                f"from {start} is after to {end}: pick an earlier start or a later end."
            )
        if segment is ALL or self.by is None:
            frame, by = self._frame(window, None), None
        else:
            frame, by = self._frame(window, self.by).filter(pl.col(self.by) == segment), self.by
        if start is not None and end is not None:
            frame = frame.filter(pl.col("day").is_between(start, end))
        self.data = frame
        self.chart = self._draw(self.output, (window, segment, start, end), lambda: active_users_chart(frame, by=by))


def explore_active_users(
    log: UsageLog | Source,
    *,
    by: str | None = None,
    window: int = ACTIVITY.window,
    active_events: Collection[str] | None = None,
) -> ActiveUsersExplorer:
    """Explore DAU, WAU, MAU and stickiness in a notebook: a segment, a date range and the MAU window.

    Changing the window recomputes :func:`stickiness.active_users` (each window's
    result is kept, so going back is instant); the segment and the dates only
    filter the computed frame. The log keeps its distinct active days, which do
    not depend on the window or the segment column, so a recompute only counts
    the window again.

    Parameters
    ----------
    log
        A :class:`~stickiness.UsageLog`, or anything :func:`stickiness.read_log`
        reads (read once, here).
    by
        A users-table column (e.g. ``"persona"``): the segment dropdown offers
        "All" and each of its values.
    window
        The MAU window to start with (the slider runs from 7 to 90 days).
    active_events
        Count a user as active only for these events (default: any event).

    Returns
    -------
    ActiveUsersExplorer
        Display it (last expression of a cell); its ``data`` and ``chart`` follow the controls.

    Examples
    --------
    >>> import stickiness
    >>> from stickiness.demo import demo_events, demo_users
    >>> log = stickiness.read_log(demo_events(users=200), users=demo_users(users=200))
    >>> explorer = explore_active_users(log, by="persona")
    >>> explorer.window.value = 14  # recomputes stickiness.active_users(log, window=14)
    >>> explorer.data.equals(stickiness.active_users(log, window=14))
    True
    """
    return ActiveUsersExplorer(log, by=by, window=window, active_events=active_events)
