from __future__ import annotations

import subprocess
import sys

import stickiness

DOCUMENTED = {
    "AmbiguousColumnError",
    "ColumnNotFoundError",
    "EmptyLogError",
    "InputFileError",
    "InvalidOptionError",
    "Ledger",
    "MixedTimeZoneError",
    "NULL_IDS",
    "REASONS",
    "StickinessError",
    "UNKNOWN_SEGMENT",
    "UnsupportedSourceError",
    "UsageLog",
    "UsersTableError",
    "__version__",
    "active_users",
    "monthly_active_users",
    "read_log",
    "segment_column",
    "BANDS",
    "Catalog",
    "read_catalog",
    "use_case_rates",
    "frequency_spectrum",
    "use_case_map",
    "forgettable_zone",
    "drifting_users",
    "unmapped_events",
    "retention",
    "range_retention",
    "cohort_matrix",
    "retention_curve",
    "lifecycle",
    "new_vs_returning",
    "one_and_done",
    "repeat_rate",
    "dormancy",
    "inactive_users",
    "feature_adoption",
    "time_to_first_use",
    "where_users_leave",
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
    "BGNBDModel",
    "ForgettablePrediction",
    "GammaGammaModel",
    "ModelFitError",
    "ParetoNBDModel",
    "fit_bg_nbd",
    "fit_gamma_gamma",
    "fit_pareto_nbd",
    "predict_forgettable",
    "rfm_summary",
    "OutputFolderError",
    "write_table",
    "unescape_table",
}


def test_public_api_is_what_the_docs_list() -> None:
    assert set(stickiness.__all__) == DOCUMENTED
    for name in stickiness.__all__:
        assert getattr(stickiness, name) is not None


def test_api_reference_in_docs_names_every_public_function() -> None:
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[1] / "docs" / "api.md").read_text()
    for name in DOCUMENTED - {"__version__"}:
        assert f"`{name}" in docs, name


def test_import_loads_polars_and_narwhals_only() -> None:
    code = (
        "import sys, stickiness; "
        "mods = ('duckdb', 'pandas', 'pyarrow', 'altair', 'ipywidgets', 'IPython', 'jupyter_client', 'numpy'); "
        "bad = [m for m in mods if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_errors_inherit_the_matching_builtin() -> None:
    assert issubclass(stickiness.ColumnNotFoundError, KeyError)
    assert issubclass(stickiness.MixedTimeZoneError, ValueError)
    assert issubclass(stickiness.UnsupportedSourceError, TypeError)
    assert issubclass(stickiness.EmptyLogError, ValueError)
    assert issubclass(stickiness.InvalidValueError, ValueError)
    assert issubclass(stickiness.ModelFitError, ValueError)


def test_models_load_on_first_use() -> None:
    code = (
        "import sys, stickiness; before = 'numpy' in sys.modules; "
        "fit = stickiness.fit_bg_nbd; print(before, 'stickiness.models' in sys.modules, fit.__module__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True", "stickiness.models.bg_nbd"]
