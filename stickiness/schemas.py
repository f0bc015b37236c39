"""The columns and types of every table the metrics return, in one module.

Each metric casts its output to its schema here; the charts and the tests check
tables against the same dicts instead of copying column names. A schema names
the columns *after* the optional ``by`` column where the comment says so;
``"persona"`` (:data:`SEG`) is the segment column of the use-case tables.

>>> from stickiness.schemas import MAP_SCHEMA
>>> list(MAP_SCHEMA)[:3]
['persona', 'use_case', 'problem']
"""

from __future__ import annotations

import polars as pl

from stickiness.stages.habits import SEG

__all__ = [
    "ACTIVE_USERS_SCHEMA",
    "ADOPTION_SCHEMA",
    "BAND_MIGRATION_SCHEMA",
    "COHORTS_SCHEMA",
    "CURVE_SCHEMA",
    "DORMANCY_SCHEMA",
    "DRIFTING_SCHEMA",
    "FIRST_USE_SCHEMA",
    "FIT_COLUMNS",
    "FIT_SUMMARY_COLUMNS",
    "GROWTH_STATES_SCHEMA",
    "GROWTH_TRANSITIONS_SCHEMA",
    "HABIT_MIX_SCHEMA",
    "HEALTH_COLUMNS",
    "INACTIVE_COLUMNS",
    "LEAVE_SCHEMA",
    "LIFECYCLE_SCHEMA",
    "MAP_SCHEMA",
    "MONTHLY_SCHEMA",
    "NEW_VS_RETURNING_SCHEMA",
    "NPS_COLUMNS",
    "ONE_AND_DONE_SCHEMA",
    "POWER_USERS_BY_USE_CASE_SCHEMA",
    "POWER_USERS_SCHEMA",
    "RATES_SCHEMA",
    "REPEAT_SCHEMA",
    "RETENTION_SCHEMA",
    "SCORE_COLUMNS",
    "SEG",
    "SPECTRUM_SCHEMA",
    "SUMMARY_COLUMNS",
    "TIME_TO_HABIT_SCHEMA",
    "UNMAPPED_SCHEMA",
    "VALUE_COLUMNS",
    "VALUE_SUMMARY_COLUMNS",
]

#: Columns of growth_states after the optional ``by`` column (docs/growth-states.md): one count per state, then
#: DAU = new + current + reactivated + resurrected, WAU = DAU + at_risk_wau, MAU = WAU + at_risk_mau (30 days) and
#: users = MAU + dormant (every user seen up to that day).
GROWTH_STATES_SCHEMA: dict[str, pl.DataType] = {
    "day": pl.Date(),
    "new": pl.Int64(),
    "current": pl.Int64(),
    "reactivated": pl.Int64(),
    "resurrected": pl.Int64(),
    "at_risk_wau": pl.Int64(),
    "at_risk_mau": pl.Int64(),
    "dormant": pl.Int64(),
    "dau": pl.Int64(),
    "wau": pl.Int64(),
    "mau": pl.Int64(),
    "users": pl.Int64(),
}
#: Columns of growth_transitions after the optional ``by`` column: users in ``from_state`` on ``day`` - 1 and in
#: ``to_state`` on ``day``, and their share of ``from_state``'s users on ``day`` - 1 (null when there were none).
GROWTH_TRANSITIONS_SCHEMA: dict[str, pl.DataType] = {
    "day": pl.Date(),
    "from_state": pl.String(),
    "to_state": pl.String(),
    "users": pl.Int64(),
    "rate": pl.Float64(),
}
#: Columns of active_users after the optional ``by`` column.
ACTIVE_USERS_SCHEMA: dict[str, pl.DataType] = {
    "day": pl.Date(),
    "dau": pl.Int64(),
    "wau": pl.Int64(),
    "mau": pl.Int64(),
    "stickiness": pl.Float64(),
    "complete": pl.Boolean(),
    "partial_day": pl.Boolean(),
    # the interval of stickiness and whether it rests on fewer than 30 users (docs/intervals.md)
    "stickiness_low": pl.Float64(),
    "stickiness_high": pl.Float64(),
    "small_sample": pl.Boolean(),
}
#: Columns of power_users after the optional ``by`` column (docs/power-users.md).
POWER_USERS_SCHEMA: dict[str, pl.DataType] = {"active_days": pl.Int64(), "users": pl.Int64(), "share": pl.Float64()}
#: Columns of power_users_by_use_case (docs/power-users.md).
POWER_USERS_BY_USE_CASE_SCHEMA: dict[str, pl.DataType] = {
    SEG: pl.String(),
    "use_case": pl.String(),
} | POWER_USERS_SCHEMA
#: Columns of monthly_active_users after the optional ``by`` column.
MONTHLY_SCHEMA: dict[str, pl.DataType] = {
    "month": pl.Date(),
    "days": pl.Int64(),
    "mean_dau": pl.Float64(),
    "mau": pl.Int64(),
    "stickiness": pl.Float64(),
    "complete": pl.Boolean(),
    "stickiness_low": pl.Float64(),
    "stickiness_high": pl.Float64(),
    "small_sample": pl.Boolean(),
}
#: Columns of use_case_rates (``user`` takes the log's user type).
RATES_SCHEMA: dict[str, pl.DataType] = {
    "user": pl.String(),  # replaced by the log's user dtype
    SEG: pl.String(),
    "use_case": pl.String(),
    "first_use": pl.Date(),
    "last_active": pl.Date(),
    "exposure": pl.Int64(),
    "active_days": pl.Int64(),
    "rate": pl.Float64(),
    "band": pl.String(),
    "too_new": pl.Boolean(),
    "interval_days": pl.Float64(),
    "previous_rate": pl.Float64(),
}

#: Columns of frequency_spectrum.
SPECTRUM_SCHEMA: dict[str, pl.DataType] = {
    SEG: pl.String(),
    "use_case": pl.String(),
    "band": pl.String(),
    "users": pl.Int64(),
    "share": pl.Float64(),
    # the segment's verdict, as use_case_map gives it (repeated on each of its bands)
    "evaluable": pl.Int64(),
    "forgettable_share": pl.Float64(),
    "forgettable": pl.String(),
    "verdict": pl.String(),
    # the share's exact interval; small_sample: fewer than 30 evaluable adopters (docs/intervals.md)
    "share_low": pl.Float64(),
    "share_high": pl.Float64(),
    "small_sample": pl.Boolean(),
}

#: Columns of use_case_map and forgettable_zone.
MAP_SCHEMA: dict[str, pl.DataType] = {
    SEG: pl.String(),
    "use_case": pl.String(),
    "problem": pl.String(),
    "why_us": pl.String(),
    "alternatives": pl.String(),
    "expected_frequency": pl.String(),
    "adopters": pl.Int64(),
    "too_new": pl.Int64(),
    "evaluable": pl.Int64(),
    "adoption_rate": pl.Float64(),
    "median_rate": pl.Float64(),
    "median_interval_days": pl.Float64(),
    "modal_band": pl.String(),
    "forgettable_share": pl.Float64(),
    "ci_low": pl.Float64(),
    "ci_high": pl.Float64(),
    "forgettable": pl.String(),
    "frequency_mismatch": pl.Boolean(),
    "verdict": pl.String(),
    # adoption_rate's exact interval; small_sample: fewer than 30 active or evaluable users (docs/intervals.md)
    "adoption_rate_low": pl.Float64(),
    "adoption_rate_high": pl.Float64(),
    "small_sample": pl.Boolean(),
}

#: Columns of drifting_users (``user`` takes the log's user type).
DRIFTING_SCHEMA: dict[str, pl.DataType] = {
    "user": pl.String(),  # replaced by the log's user dtype
    SEG: pl.String(),
    "use_case": pl.String(),
    "previous_rate": pl.Float64(),
    "current_rate": pl.Float64(),
    "last_active": pl.Date(),
    "days_since": pl.Int64(),
}

#: Columns of unmapped_events.
UNMAPPED_SCHEMA: dict[str, pl.DataType] = {"event": pl.String(), "events": pl.Int64(), "users": pl.Int64()}

#: Columns of dormancy (``user`` takes the log's user type).
DORMANCY_SCHEMA: dict[str, pl.DataType] = {
    "user": pl.String(),  # replaced by the log's user dtype
    SEG: pl.String(),
    "use_case": pl.String(),
    "first_active": pl.Int32(),
    "last_active": pl.Int32(),
    "active_days": pl.Int64(),
    "days_since": pl.Int64(),
    "interval_days": pl.Float64(),
    "status": pl.String(),
}

#: Columns of feature_adoption.
ADOPTION_SCHEMA: dict[str, pl.DataType] = {
    SEG: pl.String(),
    "use_case": pl.String(),
    "period": pl.Date(),
    "active": pl.Int64(),
    "users": pl.Int64(),
    "share": pl.Float64(),
    "complete": pl.Boolean(),
    # the share's exact interval; small_sample: fewer than 30 active users (docs/intervals.md)
    "share_low": pl.Float64(),
    "share_high": pl.Float64(),
    "small_sample": pl.Boolean(),
}

#: Columns of time_to_first_use.
FIRST_USE_SCHEMA: dict[str, pl.DataType] = {
    SEG: pl.String(),
    "use_case": pl.String(),
    "users": pl.Int64(),
    "adopters": pl.Int64(),
    "adoption_rate": pl.Float64(),
    "median_days": pl.Float64(),
    "mean_days": pl.Float64(),
    # adoption_rate's exact interval; small_sample: fewer than 30 users (docs/intervals.md)
    "adoption_rate_low": pl.Float64(),
    "adoption_rate_high": pl.Float64(),
    "small_sample": pl.Boolean(),
}

#: Columns of where_users_leave.
LEAVE_SCHEMA: dict[str, pl.DataType] = {
    SEG: pl.String(),
    "use_case": pl.String(),
    "leavers": pl.Int64(),
    "retained": pl.Int64(),
    "leaver_share": pl.Float64(),
    "retained_share": pl.Float64(),
    "lift": pl.Float64(),
    "churn_rate": pl.Float64(),
}

#: Columns of retention after the optional ``by`` column (range_retention: ``start, end`` in place of ``period``).
RETENTION_SCHEMA: dict[str, pl.DataType] = {
    "period": pl.Date(),
    "active_before": pl.Int64(),
    "active": pl.Int64(),
    "new": pl.Int64(),
    "retained": pl.Int64(),
    "churned": pl.Int64(),
    "returning": pl.Int64(),
    "retention_rate": pl.Float64(),
    "churn_rate": pl.Float64(),
    "sufficient": pl.Boolean(),
    "complete": pl.Boolean(),
    # the rates' intervals and whether active_before is below 30 users (docs/intervals.md)
    "retention_rate_low": pl.Float64(),
    "retention_rate_high": pl.Float64(),
    "churn_rate_low": pl.Float64(),
    "churn_rate_high": pl.Float64(),
    "small_sample": pl.Boolean(),
}

#: Columns of cohort_matrix after the optional ``by`` column.
COHORTS_SCHEMA: dict[str, pl.DataType] = {
    "cohort": pl.Date(),
    "offset": pl.Int64(),
    "period": pl.Date(),
    "cohort_users": pl.Int64(),
    "users": pl.Int64(),
    "share": pl.Float64(),
    "complete": pl.Boolean(),
    "share_low": pl.Float64(),
    "share_high": pl.Float64(),
    "small_sample": pl.Boolean(),
}

#: Columns of retention_curve and cohort_curve after the optional ``by`` column.
CURVE_SCHEMA: dict[str, pl.DataType] = {
    "offset": pl.Int64(),
    "cohorts": pl.Int64(),
    "partial_cells": pl.Int64(),
    "cohort_users": pl.Int64(),
    "users": pl.Int64(),
    "share": pl.Float64(),
    "complete": pl.Boolean(),
    "share_low": pl.Float64(),
    "share_high": pl.Float64(),
    "small_sample": pl.Boolean(),
}
#: Columns of repeat_rate after the optional ``by`` column.
REPEAT_SCHEMA: dict[str, pl.DataType] = {
    "period": pl.Date(),
    "active": pl.Int64(),
    "repeat": pl.Int64(),
    "repeat_rate": pl.Float64(),
    "complete": pl.Boolean(),
}

#: Columns of one_and_done after the optional ``by`` column.
ONE_AND_DONE_SCHEMA: dict[str, pl.DataType] = {
    "users": pl.Int64(),
    "too_new": pl.Int64(),
    "one_and_done": pl.Int64(),
    "one_and_done_share": pl.Float64(),
    "repeat_users": pl.Int64(),
    "repeat_rate": pl.Float64(),
}

#: Columns of lifecycle after the optional ``by`` column.
LIFECYCLE_SCHEMA: dict[str, pl.DataType] = {
    "period": pl.Date(),
    "active": pl.Int64(),
    "new": pl.Int64(),
    "returning": pl.Int64(),
    "resurrecting": pl.Int64(),
    "dormant": pl.Int64(),
    "quick_ratio": pl.Float64(),
    "complete": pl.Boolean(),
}

#: Columns of new_vs_returning after the optional ``by`` column.
NEW_VS_RETURNING_SCHEMA: dict[str, pl.DataType] = {
    "period": pl.Date(),
    "active": pl.Int64(),
    "new": pl.Int64(),
    "returning": pl.Int64(),
    "returning_share": pl.Float64(),
    "complete": pl.Boolean(),
}

#: Columns of :func:`health_score` before the extra columns (``user`` has the log's user type).
HEALTH_COLUMNS: dict[str, pl.DataType] = {
    "user": pl.String(),
    "persona": pl.String(),
    "in_accounts": pl.Boolean(),
    "too_new": pl.Boolean(),
    "last_active": pl.Date(),
    "days_since": pl.Int64(),
    "active_days": pl.Int64(),
    "exposure": pl.Int64(),
    "rate": pl.Float64(),
    "use_cases_used": pl.Int64(),
    "use_cases_available": pl.Int64(),
    "frequency": pl.Float64(),
    "recency": pl.Float64(),
    "breadth": pl.Float64(),
}

#: Columns of :func:`health_score` after the extra columns.
SCORE_COLUMNS: dict[str, pl.DataType] = {"score": pl.Float64(), "band": pl.String(), "weakest": pl.String()}

#: Columns of :func:`health_summary`.
SUMMARY_COLUMNS: dict[str, pl.DataType] = {
    "persona": pl.String(),
    "customers": pl.Int64(),
    "too_new": pl.Int64(),
    "scored": pl.Int64(),
    "healthy": pl.Int64(),
    "at_risk": pl.Int64(),
    "critical": pl.Int64(),
    "healthy_share": pl.Float64(),
    "at_risk_share": pl.Float64(),
    "critical_share": pl.Float64(),
    "mean_score": pl.Float64(),
    "median_score": pl.Float64(),
    "not_in_accounts": pl.Int64(),
}

#: Columns of :func:`fit_matrix` (``user`` keeps the accounts table's key type, as String).
FIT_COLUMNS: dict[str, pl.DataType] = {
    "user": pl.String(),
    "mrr": pl.Float64(),
    "costs": pl.Float64(),
    "profit": pl.Float64(),
    "profitability": pl.Float64(),
    "rate": pl.Float64(),
    "state": pl.String(),
}

#: Columns of :func:`fit_summary`.
FIT_SUMMARY_COLUMNS: dict[str, pl.DataType] = {
    "state": pl.String(),
    "customers": pl.Int64(),
    "share": pl.Float64(),
    "mrr": pl.Float64(),
    "mrr_share": pl.Float64(),
    "profit": pl.Float64(),
}

#: The output columns after the optional ``by`` and ``period`` columns, with their types.
NPS_COLUMNS: dict[str, pl.DataType] = {
    "responses": pl.Int64(),
    "blank": pl.Int64(),
    "promoters": pl.Int64(),
    "passives": pl.Int64(),
    "detractors": pl.Int64(),
    "promoter_share": pl.Float64(),
    "detractor_share": pl.Float64(),
    "nps": pl.Float64(),
    "ci_low": pl.Float64(),
    "ci_high": pl.Float64(),
    "sufficient": pl.Boolean(),
}

#: Columns of :func:`lifetime_value` after ``user`` and the optional ``by`` column.
VALUE_COLUMNS: dict[str, pl.DataType] = {
    "first_purchase": pl.Date(),
    "last_purchase": pl.Date(),
    "transactions": pl.Int64(),
    "purchases": pl.Int64(),
    "value": pl.Float64(),
    "repeat_value": pl.Float64(),
    "average_purchase": pl.Float64(),
    "category_spend": pl.Float64(),
    "share_of_wallet": pl.Float64(),
}

#: Columns of :func:`lifetime_value_summary` after the optional ``by`` column.
VALUE_SUMMARY_COLUMNS: dict[str, pl.DataType] = {
    "customers": pl.Int64(),
    "value": pl.Float64(),
    "mean_value": pl.Float64(),
    "median_value": pl.Float64(),
    "repeat_customers": pl.Int64(),
    "repeat_purchase_share": pl.Float64(),
    "repeat_value_share": pl.Float64(),
    "share_of_wallet": pl.Float64(),
}
#: Columns of inactive_users (their types are those of :data:`DORMANCY_SCHEMA`).
INACTIVE_COLUMNS: tuple[str, ...] = ("user", SEG, "last_active", "days_since", "active_days", "interval_days", "status")

# --- habits over time (docs/habits-over-time.md) -------------------------------------------------------------------
#: Columns of habit_mix (the segment column is named after ``by``): one frequency spectrum per period end.
HABIT_MIX_SCHEMA: dict[str, pl.DataType] = {
    SEG: pl.String(),
    "use_case": pl.String(),
    "period_end": pl.Date(),
    "band": pl.String(),
    "users": pl.Int64(),
    "evaluable": pl.Int64(),
    "share": pl.Float64(),
    "share_low": pl.Float64(),
    "share_high": pl.Float64(),
    "small_sample": pl.Boolean(),
}
#: Columns of band_migration: users per (band at as_of - period_days, band at as_of), with "new" and "gone".
BAND_MIGRATION_SCHEMA: dict[str, pl.DataType] = {
    SEG: pl.String(),
    "use_case": pl.String(),
    "from_band": pl.String(),
    "to_band": pl.String(),
    "users": pl.Int64(),
}
#: Columns of time_to_habit: who reached the habit band, and how many days after their first use.
TIME_TO_HABIT_SCHEMA: dict[str, pl.DataType] = {
    SEG: pl.String(),
    "use_case": pl.String(),
    "users": pl.Int64(),
    "reached": pl.Int64(),
    "share": pl.Float64(),
    "share_low": pl.Float64(),
    "share_high": pl.Float64(),
    "small_sample": pl.Boolean(),
    "median_days_to_habit": pl.Float64(),
    "p25_days_to_habit": pl.Float64(),
    "p75_days_to_habit": pl.Float64(),
}
