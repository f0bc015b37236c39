"""Explore the frequency spectrum and the use-case map: pick a persona, a use case, the window and the threshold."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import altair as alt
import ipywidgets as widgets  # type: ignore[import-untyped]
import polars as pl

import stickiness
from stickiness import Catalog, UsageLog
from stickiness.options import HABITS
from stickiness_widgets.charts import spectrum_chart, use_case_map_chart
from stickiness_widgets.explorers._base import ALL, ALL_LABEL, Explorer, read_once, threshold_slider, window_slider

if TYPE_CHECKING:
    from stickiness.typing import Source

__all__ = ["UseCaseExplorer", "explore_use_cases"]


class UseCaseExplorer(Explorer):
    """The frequency spectrum and the use-case map, with persona, use case, window and threshold controls.

    Build it with :func:`explore_use_cases`.

    Attributes
    ----------
    persona, use_case
        Dropdowns: ``"(all)"`` (shown as "All") or one segment / use case; they filter both
        views, the spectrum and the map (no recompute).
    segment
        The outputs' segment column: ``stickiness.segment_column(by)``.
    window
        Slider: the current window W in days (recomputes both frames, cached per W).
    threshold
        Slider: active days per 30 days below which an adopter is forgettable
        (recomputes the map and the spectrum's verdict, cached per W and threshold).
    spectrum
        ``stickiness.frequency_spectrum(log, catalog, by=by, window=W, threshold=T, ...)``.
    map
        ``stickiness.use_case_map(log, catalog, by=by, window=W, threshold=T, ...)``.
    data
        The shown spectrum: :attr:`spectrum` filtered to the persona and use case.
    map_data
        The shown map: :attr:`map` filtered to the persona and use case.
    chart, map_chart
        The shown ``spectrum_chart`` of :attr:`data` and ``use_case_map_chart`` of :attr:`map_data`.
    """

    data: pl.DataFrame
    segment: str
    spectrum: pl.DataFrame
    map: pl.DataFrame
    map_data: pl.DataFrame
    chart: alt.typing.ChartType
    map_chart: alt.typing.ChartType

    def __init__(
        self,
        log: UsageLog | Source,
        catalog: Catalog | Any | None = None,
        *,
        by: str | None = HABITS.by,
        window: int = HABITS.window,
        threshold: float = HABITS.threshold,
        as_of: dt.date | str | None = None,
        horizon: int = HABITS.horizon,
        min_exposure: int = HABITS.min_exposure,
    ) -> None:
        super().__init__()
        self.log, self.catalog = read_once(log, catalog)
        self.options: dict[str, Any] = {"by": by, "as_of": as_of, "horizon": horizon, "min_exposure": min_exposure}
        self.segment = stickiness.segment_column(by)  # the outputs' segment column, named after by
        self.persona = widgets.Dropdown(options=[(ALL_LABEL, ALL)], value=ALL, description=self.segment)
        self.use_case = widgets.Dropdown(options=[(ALL_LABEL, ALL)], value=ALL, description="use case")
        self.window = window_slider(window, min_exposure=min_exposure, horizon=horizon)
        self.threshold = threshold_slider(threshold)
        self.spectrum_output = widgets.Output()
        self.map_output = widgets.Output()
        self._assemble(
            [self.persona, self.use_case, self.window, self.threshold], [self.spectrum_output, self.map_output]
        )
        self.update()

    def _refresh(self) -> None:
        window, threshold = int(self.window.value), float(self.threshold.value)
        spectrum = self._metric(
            ("frequency_spectrum", window, threshold),
            lambda: stickiness.frequency_spectrum(
                self.log, self.catalog, window=window, threshold=threshold, **self.options
            ),
        )
        table = self._metric(
            ("use_case_map", window, threshold),
            lambda: stickiness.use_case_map(self.log, self.catalog, window=window, threshold=threshold, **self.options),
        )
        self._choices(self.persona, spectrum[self.segment].unique())
        self._choices(self.use_case, spectrum["use_case"].unique())
        persona: str | None = self.persona.value
        use_case: str | None = self.use_case.value
        selected = self._selection(persona, use_case)
        shown, map_shown = spectrum.filter(selected), table.filter(selected)
        self.spectrum, self.map, self.data, self.map_data = spectrum, table, shown, map_shown
        self.chart = self._draw(
            self.spectrum_output,
            (window, threshold, persona, use_case),
            lambda: spectrum_chart(shown, by=self.segment),
        )
        self.map_chart = self._draw(
            self.map_output,
            (window, threshold, persona, use_case),
            lambda: use_case_map_chart(map_shown, by=self.segment),
        )

    def _selection(self, persona: str | None, use_case: str | None) -> pl.Expr:
        """Return the filter of the persona and use-case dropdowns (``True`` for "All"), shared by both views."""
        chosen = {self.segment: persona, "use_case": use_case}
        return pl.all_horizontal(
            pl.lit(True), *(pl.col(column) == value for column, value in chosen.items() if value != ALL)
        )


def explore_use_cases(
    log: UsageLog | Source,
    catalog: Catalog | Any | None = None,
    *,
    by: str | None = HABITS.by,
    window: int = HABITS.window,
    threshold: float = HABITS.threshold,
    as_of: dt.date | str | None = None,
    horizon: int = HABITS.horizon,
    min_exposure: int = HABITS.min_exposure,
) -> UseCaseExplorer:
    """Explore the frequency spectrum and the use-case map in a notebook.

    The persona and use-case dropdowns filter both views, the spectrum and the map
    (no recompute); the window recomputes
    :func:`stickiness.frequency_spectrum` and :func:`stickiness.use_case_map`, the
    threshold the map and the spectrum's verdict (not its bands). Every result is
    kept, so going back to a value is instant.
    The log keeps the window-independent preparation (computed once, at the build),
    so a window change redoes only the rates and segment counts, which the spectrum
    and the map share, and a threshold change only their shared segment counts.

    Parameters
    ----------
    log
        A :class:`~stickiness.UsageLog`, or anything :func:`stickiness.read_log` reads (read once, here).
    catalog
        A :class:`~stickiness.Catalog`, anything :func:`stickiness.read_catalog` reads,
        or None (only the use case ``"(any)"``).
    by
        The users-table column that defines segments (default ``"persona"``).
    window, threshold
        The values to start with (defaults 90 days and 1.0 active day per 30 days).
    as_of, horizon, min_exposure
        Passed to the core functions unchanged (see :func:`stickiness.use_case_map`).

    Returns
    -------
    UseCaseExplorer
        Display it (last expression of a cell); ``data``, ``chart``, ``map`` and
        ``map_chart`` follow the controls.

    Examples
    --------
    >>> import stickiness
    >>> from stickiness.demo import demo_catalog, demo_events, demo_users
    >>> log = stickiness.read_log(demo_events(users=200), users=demo_users(users=200))
    >>> explorer = explore_use_cases(log, demo_catalog())
    >>> explorer.persona.value = "agent"  # filters the computed spectrum and map
    >>> sorted(explorer.data["persona"].unique()), sorted(explorer.map_data["persona"].unique())
    (['agent'], ['agent'])
    """
    return UseCaseExplorer(
        log,
        catalog,
        by=by,
        window=window,
        threshold=threshold,
        as_of=as_of,
        horizon=horizon,
        min_exposure=min_exposure,
    )
