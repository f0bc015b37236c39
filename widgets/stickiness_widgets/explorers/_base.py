"""What every explorer shares: controls that trigger a cached core call, charts drawn in Output widgets.

An explorer never computes a metric itself: it calls the stickiness core with the
options its controls hold, keeps the last few results keyed by those options
(going back to an earlier value is instant), and only *filters* a computed frame
for selections that need no recompute (a persona, a use case, a date range).

A recompute is fast because the core keeps, in the log's stage store
(``log.stages``, docs/api.md "The stage store"), the work no control
changes: the active days for the active-user
explorer; for the use-case explorers, the use-case preparation per catalog,
``as_of`` and ``horizon``, the rates per window and the segment counts per
threshold. An explorer therefore reads its log once (:func:`read_once`) and keeps
it: the first compute pays for the preparation, each control change after it
redoes only what that control needs. Explorers built on the same
:class:`~stickiness.UsageLog` share it (the store is safe across threads).
"""

from __future__ import annotations

import html
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, Final

import altair as alt
import ipywidgets as widgets  # type: ignore[import-untyped]
import polars as pl

from stickiness import Catalog, StickinessError, UsageLog
from stickiness.catalog import as_catalog
from stickiness.log import as_log
from stickiness.options import WEEK

__all__ = ["ALL", "ALL_LABEL", "WIDE", "Explorer", "html_table", "read_once", "threshold_slider", "window_slider"]

#: The value of the "All" option of a selection dropdown. Not None: ipywidgets 8 shows a
#: None value as "nothing selected".
ALL: Final = "(all)"
#: The label of that option.
ALL_LABEL: Final = "All"
#: How many core results an explorer keeps (each is a small aggregated frame).
CACHE_SIZE: Final = 16

#: Style of a control whose description is longer than the default width.
WIDE: Final = {"description_width": "initial"}

_MUTED = "color: #555; font-size: 12px;"
_ERROR = "color: #B2182B; font-size: 12px;"


class Explorer:
    """Base class of the explorers: a widget with controls, a status line and chart outputs.

    Subclasses build their controls, call :meth:`_assemble`, and implement
    :meth:`_refresh`, which reads the controls, gets frames through
    :meth:`_metric` and draws charts through :meth:`_draw`.

    Attributes
    ----------
    widget
        The ipywidgets container to display (displaying the explorer displays it).
    status
        The status line: what was computed, and how long it took.
    timings
        Seconds spent by the last :meth:`update`: ``compute`` (core calls),
        ``draw`` (chart build and render to a MIME bundle) and ``total``.
    """

    widget: Any
    status: Any
    timings: dict[str, float]

    def __init__(self) -> None:
        self.status = widgets.HTML(value="", layout=widgets.Layout(margin="2px 0 6px 0"))
        self.timings = {"compute": 0.0, "draw": 0.0, "total": 0.0}
        self._cache: OrderedDict[Hashable, pl.DataFrame] = OrderedDict()
        self._drawn: dict[int, tuple[Hashable, alt.typing.ChartType]] = {}
        self._computed: list[str] = []
        self._busy = False

    # -- public --------------------------------------------------------------------------------------------

    def update(self) -> None:
        """Recompute what the current control values need (through the core, cached) and redraw."""
        self._busy = True  # option lists set while refreshing must not start another refresh
        self._computed = []
        self.timings = {"compute": 0.0, "draw": 0.0, "total": 0.0}
        started = time.perf_counter()
        try:
            self._refresh()
        finally:
            self._busy = False
        self.timings["total"] = time.perf_counter() - started
        self._say(self._summary())

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        bundle: dict[str, Any] | None = self.widget._repr_mimebundle_(**kwargs)
        return bundle

    # -- for subclasses ------------------------------------------------------------------------------------

    def _refresh(self) -> None:
        raise NotImplementedError

    def _assemble(self, controls: Sequence[Any], body: Sequence[Any]) -> None:
        """Lay out the controls (wrapping), the status line and the body, and watch the controls."""
        row = widgets.HBox(list(controls), layout=widgets.Layout(flex_flow="row wrap", align_items="center"))
        self.widget = widgets.VBox([row, self.status, *body])
        for control in controls:
            control.observe(self._changed, names="value")

    def _metric(self, key: Hashable, compute: Callable[[], pl.DataFrame]) -> pl.DataFrame:
        """Return the core's result for ``key`` (its name and the options that need a recompute), cached."""
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        name = key[0] if isinstance(key, tuple) else key
        self._say(f"computing {html.escape(str(name))}…")
        started = time.perf_counter()
        frame = compute()
        self.timings["compute"] += time.perf_counter() - started
        self._computed.append(str(name))
        self._cache[key] = frame
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return frame

    def _draw(self, output: Any, key: Hashable, build: Callable[[], alt.typing.ChartType]) -> alt.typing.ChartType:
        """Build the chart for ``key`` and show it in ``output``, unless that chart is already shown there.

        The chart goes through altair's active renderer (e.g. ``enable_offline()``'s),
        like ``display(chart)`` would, and its MIME bundle replaces the output's content.
        """
        shown = self._drawn.get(id(output))
        if shown is not None and shown[0] == key:
            return shown[1]
        started = time.perf_counter()
        chart = build()
        output.outputs = (_display_data(chart),)
        self.timings["draw"] += time.perf_counter() - started
        self._drawn[id(output)] = (key, chart)
        return chart

    def _choices(self, dropdown: Any, values: Iterable[str]) -> None:
        """Offer "All" and ``values`` (sorted) in ``dropdown``; keep its value if still offered, else "All"."""
        keep = sorted({str(v) for v in values if v is not None})
        options = [(ALL_LABEL, ALL), *((v, v) for v in keep)]
        if list(dropdown.options) == options:
            return
        current = dropdown.value
        busy, self._busy = self._busy, True
        try:
            dropdown.options = options
            dropdown.value = current if current in keep else ALL
        finally:
            self._busy = busy

    # -- internals -----------------------------------------------------------------------------------------

    def _changed(self, change: dict[str, Any]) -> None:
        if self._busy:
            return
        try:
            self.update()
        except StickinessError as error:  # an option the core refuses: say why, keep the last charts
            self._say(f"⚠ {html.escape(str(error))}", style=_ERROR)

    def _say(self, text: str, *, style: str = _MUTED) -> None:
        self.status.value = f'<span style="{style}">{text}</span>'

    def _summary(self) -> str:
        t = self.timings
        if self._computed:
            names = ", ".join(dict.fromkeys(self._computed))
            computed = f"{names} computed in {t['compute']:.2f} s"
        else:
            computed = "from cache"
        return f"{html.escape(computed)} · drawn in {t['draw']:.2f} s"


def window_slider(window: int, *, min_exposure: int, horizon: int) -> Any:
    """Make the current-window slider: from ``min_exposure`` (at least a week) to ``horizon`` days."""
    low = min(window, max(WEEK, min_exposure))
    return widgets.IntSlider(
        value=window,
        min=low,
        max=max(horizon, window),
        description="window (days)",
        continuous_update=False,
        style=WIDE,
    )


def threshold_slider(threshold: float) -> Any:
    """Make the threshold slider, in active days per 30 days (0.1 to 10)."""
    return widgets.FloatSlider(
        value=threshold,
        min=min(0.1, threshold),
        max=max(10.0, threshold),
        step=0.1,
        readout_format=".1f",
        description="threshold (days / 30)",
        continuous_update=False,
        style=WIDE,
    )


def read_once(log: Any, catalog: Any = None) -> tuple[UsageLog, Catalog | None]:
    """Read the log as a :class:`~stickiness.UsageLog` and the catalog as a :class:`~stickiness.Catalog`, once.

    Anything :func:`stickiness.read_log` or :func:`stickiness.read_catalog` reads is
    read here, so that a control change never reads a file again.
    """
    usage = as_log(log)
    return usage, as_catalog(catalog)


def _display_data(chart: alt.typing.ChartType) -> dict[str, Any]:
    """Render ``chart`` with the active altair renderer into the ``display_data`` output ``display`` would make."""
    bundle = chart._repr_mimebundle_()
    data: dict[str, Any]
    metadata: dict[str, Any]
    if isinstance(bundle, tuple):
        data, metadata = dict(bundle[0]), dict(bundle[1])
    else:
        data, metadata = dict(bundle or {}), {}
    data.setdefault("text/plain", f"<altair.{type(chart).__name__}>")
    return {"output_type": "display_data", "data": data, "metadata": metadata}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return html.escape(str(value))


def html_table(frame: pl.DataFrame, *, caption: str, rows: int) -> str:
    """Render the first ``rows`` rows of ``frame`` as a small HTML table (numbers right-aligned, floats to 2 places)."""
    head = frame.head(rows)
    right = {name for name, dtype in head.schema.items() if dtype.is_numeric()}
    align = ["right" if name in right else "left" for name in head.columns]
    cell = "padding: 2px 10px; text-align: {};"
    header = "".join(
        f'<th style="{cell.format(a)} border-bottom: 1px solid #999;">{html.escape(n)}</th>'
        for n, a in zip(head.columns, align, strict=True)
    )
    body = "".join(
        "<tr>"
        + "".join(f'<td style="{cell.format(a)}">{_cell(v)}</td>' for v, a in zip(row, align, strict=True))
        + "</tr>"
        for row in head.iter_rows()
    )
    return (
        f'<table style="border-collapse: collapse; font-size: 12px;">'
        f'<caption style="caption-side: top; text-align: left; {_MUTED}">{html.escape(caption)}</caption>'
        f"<thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"
    )
