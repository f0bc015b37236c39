"""stickiness: how often each kind of customer uses each part of your product.

Read a usage log once with :func:`read_log`, then compute metrics from it.
Every metric returns a polars DataFrame with documented columns; definitions
are in docs/metrics.md.
"""

from __future__ import annotations

from stickiness._errors import (
    AmbiguousColumnError,
    ColumnNotFoundError,
    InvalidOptionError,
    MixedTimeZoneError,
    StickinessError,
    UnsupportedSourceError,
    UsersTableError,
)
from stickiness.active_users import active_users, monthly_active_users
from stickiness.ledger import REASONS, Ledger
from stickiness.log import UNKNOWN_SEGMENT, UsageLog, read_log

__version__ = "0.1.0"

__all__ = [
    "REASONS",
    "UNKNOWN_SEGMENT",
    "AmbiguousColumnError",
    "ColumnNotFoundError",
    "InvalidOptionError",
    "Ledger",
    "MixedTimeZoneError",
    "StickinessError",
    "UnsupportedSourceError",
    "UsageLog",
    "UsersTableError",
    "__version__",
    "active_users",
    "monthly_active_users",
    "read_log",
]
