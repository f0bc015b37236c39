"""stickiness: how often each kind of customer uses each part of your product.

Read a usage log once with :func:`read_log`, then compute metrics from it.
Every metric returns a polars DataFrame with documented columns; definitions
are in docs/metrics.md.
"""

from __future__ import annotations

from stickiness._errors import (
    AmbiguousColumnError,
    ColumnNotFoundError,
    EmptyLogError,
    InvalidOptionError,
    InvalidValueError,
    MixedTimeZoneError,
    StickinessError,
    UnsupportedSourceError,
    UsersTableError,
)
from stickiness.active_users import active_users, monthly_active_users
from stickiness.adoption import feature_adoption, time_to_first_use, where_users_leave
from stickiness.catalog import Catalog, read_catalog
from stickiness.dormancy import dormancy, inactive_users
from stickiness.ledger import REASONS, Ledger
from stickiness.lifecycle import lifecycle, new_vs_returning
from stickiness.log import UNKNOWN_SEGMENT, UsageLog, read_log
from stickiness.retention import cohort_matrix, one_and_done, range_retention, repeat_rate, retention
from stickiness.scorecards import (
    customers_to_contact,
    customers_to_depart,
    fit_matrix,
    fit_summary,
    health_score,
    health_summary,
    lifetime_value,
    lifetime_value_summary,
    nps,
)
from stickiness.use_cases import (
    BANDS,
    drifting_users,
    forgettable_zone,
    frequency_spectrum,
    unmapped_events,
    use_case_map,
    use_case_rates,
)

__version__ = "0.1.0"

__all__ = [
    "BANDS",
    "REASONS",
    "UNKNOWN_SEGMENT",
    "AmbiguousColumnError",
    "Catalog",
    "ColumnNotFoundError",
    "EmptyLogError",
    "InvalidOptionError",
    "InvalidValueError",
    "Ledger",
    "MixedTimeZoneError",
    "StickinessError",
    "UnsupportedSourceError",
    "UsageLog",
    "UsersTableError",
    "__version__",
    "active_users",
    "cohort_matrix",
    "customers_to_contact",
    "customers_to_depart",
    "dormancy",
    "drifting_users",
    "feature_adoption",
    "fit_matrix",
    "fit_summary",
    "forgettable_zone",
    "frequency_spectrum",
    "health_score",
    "health_summary",
    "inactive_users",
    "lifecycle",
    "lifetime_value",
    "lifetime_value_summary",
    "monthly_active_users",
    "new_vs_returning",
    "nps",
    "one_and_done",
    "range_retention",
    "read_catalog",
    "read_log",
    "repeat_rate",
    "retention",
    "time_to_first_use",
    "unmapped_events",
    "use_case_map",
    "use_case_rates",
    "where_users_leave",
]
