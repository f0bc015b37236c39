"""Scorecards: customer health, NPS, customer fit and lifetime value (contract: docs/scorecards.md).

Each takes its data first (a usage log, or a table of survey answers, accounts or
transactions: a path or a polars, pandas or pyarrow frame) and options by keyword,
and returns a polars DataFrame with documented columns.
"""

from __future__ import annotations

from stickiness.exceptions import InvalidValueError
from stickiness.scorecards.fit import customers_to_depart, fit_matrix, fit_summary
from stickiness.scorecards.health import customers_to_contact, health_score, health_summary
from stickiness.scorecards.nps import nps
from stickiness.scorecards.value import lifetime_value, lifetime_value_summary

__all__ = [
    "InvalidValueError",
    "customers_to_contact",
    "customers_to_depart",
    "fit_matrix",
    "fit_summary",
    "health_score",
    "health_summary",
    "lifetime_value",
    "lifetime_value_summary",
    "nps",
]
