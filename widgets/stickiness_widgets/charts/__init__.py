"""Chart functions: one module per metric output, each returning an altair chart.

Every function takes a metric frame (never raw events), checks its columns and
size, states the finding in the title and applies the stickiness theme.
"""

from __future__ import annotations

from stickiness_widgets.charts._data import MAX_ROWS, ChartDataError
from stickiness_widgets.charts.active_users import active_users_chart
from stickiness_widgets.charts.adoption import adoption_chart, leave_points_chart
from stickiness_widgets.charts.cohorts import cohort_chart, retention_curve_chart
from stickiness_widgets.charts.fit import fit_matrix_chart
from stickiness_widgets.charts.forgettable import forgettable_zone_chart
from stickiness_widgets.charts.growth import growth_states_chart
from stickiness_widgets.charts.habits_over_time import band_migration_chart, habit_mix_chart
from stickiness_widgets.charts.health import health_chart
from stickiness_widgets.charts.lifecycle import lifecycle_chart
from stickiness_widgets.charts.monthly import monthly_active_users_chart
from stickiness_widgets.charts.nps import nps_chart
from stickiness_widgets.charts.power_users import power_user_chart
from stickiness_widgets.charts.power_users_by_use_case import power_users_by_use_case_chart
from stickiness_widgets.charts.predictions import predictions_chart
from stickiness_widgets.charts.retention import retention_chart
from stickiness_widgets.charts.spectrum import spectrum_chart
from stickiness_widgets.charts.use_case_map import use_case_map_chart
from stickiness_widgets.charts.value import lifetime_value_chart

__all__ = [
    "MAX_ROWS",
    "ChartDataError",
    "active_users_chart",
    "adoption_chart",
    "band_migration_chart",
    "cohort_chart",
    "fit_matrix_chart",
    "forgettable_zone_chart",
    "growth_states_chart",
    "habit_mix_chart",
    "health_chart",
    "leave_points_chart",
    "lifecycle_chart",
    "lifetime_value_chart",
    "monthly_active_users_chart",
    "nps_chart",
    "power_user_chart",
    "power_users_by_use_case_chart",
    "predictions_chart",
    "retention_chart",
    "retention_curve_chart",
    "spectrum_chart",
    "use_case_map_chart",
]
