"""stickiness: how often each kind of customer uses each part of your product.

Read a usage log once with :func:`read_log`, then compute metrics from it.
Every metric returns a polars DataFrame with documented columns; definitions
are in docs/metrics.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stickiness._csv import read_table, unescape_table, write_table
from stickiness.accounts import by_account
from stickiness.catalog import Catalog, read_catalog
from stickiness.exceptions import (
    AmbiguousColumnError,
    ColumnNotFoundError,
    EmptyLogError,
    InputFileError,
    InvalidOptionError,
    InvalidValueError,
    MixedTimeZoneError,
    ModelFitError,
    OutputFolderError,
    StickinessError,
    UnsupportedSourceError,
    UsersTableError,
)
from stickiness.findings import Findings, Headline, chart_headline, report_findings, scorecard_findings
from stickiness.ledger import REASONS, Ledger
from stickiness.log import NULL_IDS, UNKNOWN_SEGMENT, UsageLog, read_log
from stickiness.metrics.active_users import active_users, monthly_active_users
from stickiness.metrics.adoption import feature_adoption, time_to_first_use, where_users_leave
from stickiness.metrics.dormancy import dormancy, inactive_users
from stickiness.metrics.growth import growth_states, growth_transitions
from stickiness.metrics.habits_over_time import band_migration, habit_mix, time_to_habit
from stickiness.metrics.lifecycle import lifecycle, new_vs_returning
from stickiness.metrics.power_users import power_users, power_users_by_use_case
from stickiness.metrics.retention import (
    cohort_matrix,
    one_and_done,
    range_retention,
    repeat_rate,
    retention,
    retention_curve,
)
from stickiness.metrics.use_cases import (
    BANDS,
    drifting_users,
    forgettable_zone,
    frequency_spectrum,
    unmapped_events,
    use_case_map,
    use_case_rates,
)
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
from stickiness.stages.segments import segment_column
from stickiness.starter import starter_catalog

if TYPE_CHECKING:  # the repeat-use models load numpy (and scipy when used): imported on first use
    from stickiness.models import (
        BGNBDModel,
        ForgettablePrediction,
        GammaGammaModel,
        ParetoNBDModel,
        fit_bg_nbd,
        fit_gamma_gamma,
        fit_pareto_nbd,
        predict_forgettable,
        rfm_summary,
    )

#: Public names served by :mod:`stickiness.models`, loaded on first use so ``import stickiness`` loads polars only.
_MODELS = frozenset(
    {
        "BGNBDModel",
        "ForgettablePrediction",
        "GammaGammaModel",
        "ParetoNBDModel",
        "fit_bg_nbd",
        "fit_gamma_gamma",
        "fit_pareto_nbd",
        "predict_forgettable",
        "rfm_summary",
    }
)


def __getattr__(name: str) -> Any:
    """Load the repeat-use models on first use; ``__version__`` is the installed package's (pyproject.toml)."""
    import importlib

    if name in _MODELS:
        return getattr(importlib.import_module("stickiness.models"), name)
    if name == "__version__":
        return importlib.import_module("importlib.metadata").version("stickiness")
    raise AttributeError(f"module 'stickiness' has no attribute {name!r}")


__all__ = [
    "BANDS",
    "NULL_IDS",
    "REASONS",
    "UNKNOWN_SEGMENT",
    "AmbiguousColumnError",
    "BGNBDModel",
    "Catalog",
    "ColumnNotFoundError",
    "EmptyLogError",
    "Findings",
    "ForgettablePrediction",
    "GammaGammaModel",
    "Headline",
    "InputFileError",
    "InvalidOptionError",
    "InvalidValueError",
    "Ledger",
    "MixedTimeZoneError",
    "ModelFitError",
    "OutputFolderError",
    "ParetoNBDModel",
    "StickinessError",
    "UnsupportedSourceError",
    "UsageLog",
    "UsersTableError",
    "__version__",
    "active_users",
    "band_migration",
    "by_account",
    "chart_headline",
    "cohort_matrix",
    "customers_to_contact",
    "customers_to_depart",
    "dormancy",
    "drifting_users",
    "feature_adoption",
    "fit_bg_nbd",
    "fit_gamma_gamma",
    "fit_matrix",
    "fit_pareto_nbd",
    "fit_summary",
    "forgettable_zone",
    "frequency_spectrum",
    "growth_states",
    "growth_transitions",
    "habit_mix",
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
    "power_users",
    "power_users_by_use_case",
    "predict_forgettable",
    "range_retention",
    "read_catalog",
    "read_log",
    "read_table",
    "repeat_rate",
    "report_findings",
    "retention",
    "retention_curve",
    "rfm_summary",
    "scorecard_findings",
    "segment_column",
    "starter_catalog",
    "time_to_first_use",
    "time_to_habit",
    "unescape_table",
    "unmapped_events",
    "use_case_map",
    "use_case_rates",
    "where_users_leave",
    "write_table",
]
