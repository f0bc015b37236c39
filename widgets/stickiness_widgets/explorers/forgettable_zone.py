"""Explore the forgettable zone and the drifting users: a persona, threshold, majority, min_users and the window."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import altair as alt
import ipywidgets as widgets  # type: ignore[import-untyped]
import polars as pl

import stickiness
from stickiness import Catalog, UsageLog
from stickiness.options import HABITS, ZONE
from stickiness_widgets.charts import forgettable_zone_chart
from stickiness_widgets.explorers._base import (
    ALL,
    ALL_LABEL,
    WIDE,
    Explorer,
    html_table,
    read_once,
    threshold_slider,
    window_slider,
)

if TYPE_CHECKING:
    from stickiness.typing import Source

__all__ = ["ForgettableZoneExplorer", "explore_forgettable_zone"]


class ForgettableZoneExplorer(Explorer):
    """The forgettable-zone chart and the drifting users, with persona, threshold, majority, min_users and window.

    Build it with :func:`explore_forgettable_zone`.

    Attributes
    ----------
    persona
        Dropdown: ``"(all)"`` (shown as "All") or one segment (a value of the ``by``
        column); it filters the chart and the drifting users (no recompute).
    segment
        The outputs' segment column: ``stickiness.segment_column(by)``.
    threshold
        Slider: active days per 30 days below which an adopter is forgettable.
    majority
        Slider: a segment is forgettable when its forgettable share is greater than this.
    min_users
        Slider: fewer evaluable adopters make a segment ``"insufficient_data"``.
    window
        Slider: the current window W in days.
    map
        ``stickiness.use_case_map(log, catalog, by=by, window=W, threshold=T,
        majority=M, min_users=N, ...)`` (every slider recomputes it; each result is kept).
    data
        The shown map: :attr:`map` filtered to the persona.
    all_drifting
        ``stickiness.drifting_users(log, catalog, by=by, window=W, threshold=T, ...)``
        (recomputed for the window and the threshold only).
    drifting
        The shown drifting users: :attr:`all_drifting` filtered to the persona.
    chart
        The shown ``forgettable_zone_chart`` of :attr:`data`.
    table
        An ``ipywidgets.HTML`` with the ``top`` drifting users (of :attr:`drifting`) of the highest previous rate.
    """

    data: pl.DataFrame
    map: pl.DataFrame
    drifting: pl.DataFrame
    all_drifting: pl.DataFrame
    segment: str
    chart: alt.typing.ChartType

    def __init__(
        self,
        log: UsageLog | Source,
        catalog: Catalog | Any | None = None,
        *,
        by: str | None = HABITS.by,
        window: int = HABITS.window,
        threshold: float = HABITS.threshold,
        majority: float = ZONE.majority,
        min_users: int = ZONE.min_users,
        as_of: dt.date | str | None = None,
        horizon: int = HABITS.horizon,
        min_exposure: int = HABITS.min_exposure,
        top: int = 20,
    ) -> None:
        super().__init__()
        self.log, self.catalog = read_once(log, catalog)
        self.options: dict[str, Any] = {"by": by, "as_of": as_of, "horizon": horizon, "min_exposure": min_exposure}
        self.top = top
        self.segment = stickiness.segment_column(by)  # the outputs' segment column, named after by
        self.persona = widgets.Dropdown(options=[(ALL_LABEL, ALL)], value=ALL, description=self.segment)
        self.threshold = threshold_slider(threshold)
        self.majority = widgets.FloatSlider(
            value=majority,
            min=min(0.05, majority),
            max=max(0.95, majority),
            step=0.05,
            readout_format=".2f",
            description="majority",
            continuous_update=False,
            style=WIDE,
        )
        self.min_users = widgets.IntSlider(
            value=min_users,
            min=1,
            max=max(200, min_users),
            description="min users",
            continuous_update=False,
            style=WIDE,
        )
        self.window = window_slider(window, min_exposure=min_exposure, horizon=horizon)
        self.output = widgets.Output()
        self.table = widgets.HTML()
        self._assemble(
            [self.persona, self.threshold, self.majority, self.min_users, self.window], [self.output, self.table]
        )
        self.update()

    def _refresh(self) -> None:
        window, threshold = int(self.window.value), float(self.threshold.value)
        majority, min_users = float(self.majority.value), int(self.min_users.value)
        table = self._metric(
            ("use_case_map", window, threshold, majority, min_users),
            lambda: stickiness.use_case_map(
                self.log,
                self.catalog,
                window=window,
                threshold=threshold,
                majority=majority,
                min_users=min_users,
                **self.options,
            ),
        )
        drifting_all = self._metric(
            ("drifting_users", window, threshold),
            lambda: stickiness.drifting_users(
                self.log, self.catalog, window=window, threshold=threshold, **self.options
            ),
        )
        segments = (frame[self.segment].cast(pl.String) for frame in (table, drifting_all))
        self._choices(self.persona, pl.concat(list(segments)).unique())
        persona: str | None = self.persona.value
        selected = pl.lit(True) if persona == ALL else pl.col(self.segment) == persona
        shown, drifting = table.filter(selected), drifting_all.filter(selected)
        self.map, self.data, self.all_drifting, self.drifting = table, shown, drifting_all, drifting
        self.chart = self._draw(
            self.output,
            (window, threshold, majority, min_users, persona),
            lambda: forgettable_zone_chart(shown, majority=majority, by=self.segment),
        )
        first = drifting.sort(["previous_rate", "days_since", "user"], descending=[True, False, False], nulls_last=True)
        caption = (
            f"{drifting.height:,} drifting users{self._of(persona)}: at least {threshold:g} active days per 30 days "
            f"in the {window} days "
            f"before the current window, fewer in the last {window} days"
            + (f"; the {self.top} with the highest previous rate:" if drifting.height > self.top else ":")
        )
        self.table.value = html_table(first, caption=caption, rows=self.top)

    def _of(self, persona: str | None) -> str:
        """Name one segment for the table's caption (`` (persona renter)``); nothing for "All"."""
        return "" if persona == ALL else f" ({self.segment} {persona})"


def explore_forgettable_zone(
    log: UsageLog | Source,
    catalog: Catalog | Any | None = None,
    *,
    by: str | None = HABITS.by,
    window: int = HABITS.window,
    threshold: float = HABITS.threshold,
    majority: float = ZONE.majority,
    min_users: int = ZONE.min_users,
    as_of: dt.date | str | None = None,
    horizon: int = HABITS.horizon,
    min_exposure: int = HABITS.min_exposure,
    top: int = 20,
) -> ForgettableZoneExplorer:
    """Explore the forgettable zone and the drifting users in a notebook.

    The persona dropdown filters the zone chart and the drifting users (no
    recompute); every slider recomputes :func:`stickiness.use_case_map`, and the
    window and the threshold also recompute :func:`stickiness.drifting_users`. Every result is
    kept, so going back to a value is instant. The log keeps the window-independent
    preparation, the rates per window and the segment counts per threshold, so a
    window redoes the rates, a threshold the counts, and majority or min_users
    only the verdicts.

    Parameters
    ----------
    log
        A :class:`~stickiness.UsageLog`, or anything :func:`stickiness.read_log` reads (read once, here).
    catalog
        A :class:`~stickiness.Catalog`, anything :func:`stickiness.read_catalog` reads,
        or None (only the use case ``"(any)"``).
    by
        The users-table column that defines segments (default ``"persona"``).
    window, threshold, majority, min_users
        The values to start with (defaults as in :func:`stickiness.use_case_map`).
    as_of, horizon, min_exposure
        Passed to the core functions unchanged.
    top
        How many drifting users the table shows (default 20).

    Returns
    -------
    ForgettableZoneExplorer
        Display it (last expression of a cell); ``data``, ``chart``, ``drifting``
        and ``table`` follow the controls.

    Examples
    --------
    >>> import stickiness
    >>> from stickiness.demo import demo_catalog, demo_events, demo_users
    >>> log = stickiness.read_log(demo_events(users=200), users=demo_users(users=200))
    >>> explorer = explore_forgettable_zone(log, demo_catalog(), min_users=5)
    >>> explorer.majority.value = 0.8  # recomputes stickiness.use_case_map(..., majority=0.8)
    >>> explorer.data.equals(stickiness.use_case_map(log, demo_catalog(), min_users=5, majority=0.8))
    True
    >>> explorer.persona.value = "renter"  # filters the map and the drifting users
    >>> sorted(explorer.data["persona"].unique()), sorted(explorer.drifting["persona"].unique())
    (['renter'], ['renter'])
    """
    return ForgettableZoneExplorer(
        log,
        catalog,
        by=by,
        window=window,
        threshold=threshold,
        majority=majority,
        min_users=min_users,
        as_of=as_of,
        horizon=horizon,
        min_exposure=min_exposure,
        top=top,
    )
