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
    MixedTimeZoneError,
    StickinessError,
    UnsupportedSourceError,
    UsersTableError,
)
from stickiness.active_users import active_users, monthly_active_users
from stickiness.catalog import Catalog, read_catalog
from stickiness.ledger import REASONS, Ledger
from stickiness.log import UNKNOWN_SEGMENT, UsageLog, read_log
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
    "Ledger",
    "MixedTimeZoneError",
    "StickinessError",
    "UnsupportedSourceError",
    "UsageLog",
    "UsersTableError",
    "__version__",
    "active_users",
    "drifting_users",
    "forgettable_zone",
    "frequency_spectrum",
    "monthly_active_users",
    "read_catalog",
    "read_log",
    "unmapped_events",
    "use_case_map",
    "use_case_rates",
]
