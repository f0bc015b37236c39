"""Interactive explorers for JupyterLab and VS Code notebooks (ipywidgets).

Each explorer shows one metric with controls for its options: changing a control
recomputes the metric through the stickiness core (each result is kept, so going
back to a value is instant) and redraws the chart. The core keeps the work no
control changes on the log, so after the first compute a control change takes a
fraction of a second even on 10M events (benchmarks/results/explorers.md). Display the explorer (the last
expression of a cell) to see it; its ``data`` (polars) and ``chart`` (altair)
attributes follow the controls, and ``update()`` recomputes and redraws.

Charts go through altair's active renderer: call ``stickiness_widgets.enable_offline()``
first when the notebook has no network.
"""

from __future__ import annotations

from stickiness_widgets.explorers.active_users import ActiveUsersExplorer, explore_active_users
from stickiness_widgets.explorers.forgettable_zone import ForgettableZoneExplorer, explore_forgettable_zone
from stickiness_widgets.explorers.use_cases import UseCaseExplorer, explore_use_cases

__all__ = [
    "ActiveUsersExplorer",
    "ForgettableZoneExplorer",
    "UseCaseExplorer",
    "explore_active_users",
    "explore_forgettable_zone",
    "explore_use_cases",
]
