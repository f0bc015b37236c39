"""stickiness_widgets: charts and Jupyter helpers for the stickiness kit.

Chart functions take a metric output of :mod:`stickiness` (a small polars
frame) and return an altair chart that states its finding in the title::

    import stickiness, stickiness_widgets as sw
    sw.spectrum_chart(stickiness.frequency_spectrum(log, catalog))
    sw.lifecycle_chart(stickiness.lifecycle(log, by="persona"))

Importing this package calls :func:`enable_offline`: it registers and enables
the ``"stickiness"`` altair renderer, which displays charts with no network in
JupyterLab 4 (interactive, Vega-Lite v5) and in nbconvert's HTML (SVG). Export
with :func:`save_chart` (PNG, SVG, PDF, HTML), :func:`write_charts` (or
:class:`ChartWriter`, as the charts are drawn) and :func:`charts_to_html`, offline
as well. The explorers (:func:`explore_active_users`,
:func:`explore_use_cases`, :func:`explore_forgettable_zone`) are ipywidgets controls
that re-run a metric and redraw its chart. :func:`table` shows any result table (or
the row ledger) finished: labels, formats, units, long tables summarised, empty
ones as a sentence.
"""

from __future__ import annotations

from stickiness_widgets import charts
from stickiness_widgets.charts import *  # noqa: F403 (the chart functions, listed once: charts.__all__)
from stickiness_widgets.explorers import (
    ActiveUsersExplorer,
    ForgettableZoneExplorer,
    UseCaseExplorer,
    explore_active_users,
    explore_forgettable_zone,
    explore_use_cases,
)
from stickiness_widgets.export import ChartWriter, charts_to_html, save_chart, write_charts
from stickiness_widgets.render import enable_offline
from stickiness_widgets.tables import Table, table

__all__ = [
    "ActiveUsersExplorer",
    "ChartWriter",
    "ForgettableZoneExplorer",
    "Table",
    "UseCaseExplorer",
    "charts_to_html",
    "enable_offline",
    "explore_active_users",
    "explore_forgettable_zone",
    "explore_use_cases",
    "save_chart",
    "table",
    "write_charts",
]
# a chart added to charts/ (its module and charts.__all__) is public here with no second edit
__all__ += charts.__all__
__all__.sort()

enable_offline()
