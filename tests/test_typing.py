"""stickiness.typing: the public aliases hold the values the kit accepts, and the public signatures use them."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any, get_args, get_type_hints

import polars as pl
import pytest

import stickiness as st
from stickiness import typing as types
from stickiness.scorecards import fit_matrix, health_score, nps

ROOT = Path(__file__).resolve().parents[1]


def test_each_literal_lists_the_values_of_its_option() -> None:
    # written out by hand from docs/api.md, docs/retention.md, docs/use-cases.md and docs/scorecards.md
    assert get_args(types.Engine) == ("polars", "duckdb", "pyspark")
    assert get_args(types.Period) == ("day", "week", "month")
    assert get_args(types.NpsPeriod) == ("day", "week", "month", "quarter", "year")
    assert get_args(types.TimeUnit) == ("s", "ms", "us", "ns")
    assert get_args(types.MixedOffsets) == ("error", "assume_tz")
    assert get_args(types.CohortMode) == ("on", "on_or_after")
    assert get_args(types.Band) == ("daily", "weekly", "monthly", "occasional", "lapsed")
    assert get_args(types.HealthBand) == ("healthy", "at_risk", "critical")
    assert get_args(types.Direction) == ("higher", "lower")
    assert get_args(types.FitState) == ("keep", "grow", "depart")
    assert get_args(types.ZeroMrr) == ("error", "depart")
    assert types.Source is Any


def test_the_public_signatures_use_the_aliases() -> None:
    log = get_type_hints(st.read_log)
    assert log["engine"] == types.Engine and log["mixed_offsets"] == types.MixedOffsets
    assert log["time_unit"] == types.TimeUnit | None
    assert get_type_hints(st.retention)["period"] == types.Period
    assert get_type_hints(st.lifecycle)["period"] == types.Period
    assert get_type_hints(st.cohort_matrix)["mode"] == types.CohortMode
    assert get_type_hints(nps)["period"] == types.NpsPeriod | None
    assert get_type_hints(fit_matrix)["zero_mrr"] == types.ZeroMrr
    assert "extra" in get_type_hints(health_score)


@pytest.mark.parametrize("option", ["engine", "period", "mode", "zero_mrr"])
def test_a_value_outside_the_literal_is_refused_by_the_kit_too(option: str) -> None:
    events = pl.DataFrame({"user_id": ["a"], "timestamp": ["2024-01-01"], "event": ["open"]})
    accounts = pl.DataFrame({"account_id": ["a"], "mrr": [1.0], "labour": [0.0], "communication": [0.0]})
    calls = {
        "engine": lambda: st.read_log(events, engine="spark"),  # type: ignore[arg-type]
        "period": lambda: st.retention(events, period="quarter"),  # type: ignore[arg-type]
        "mode": lambda: st.cohort_matrix(events, mode="after"),  # type: ignore[arg-type]
        "zero_mrr": lambda: fit_matrix(accounts, costs=("labour",), zero_mrr="keep"),  # type: ignore[arg-type]
    }
    with pytest.raises(st.InvalidOptionError, match=option):
        calls[option]()


def test_other_packages_import_source_from_the_public_module() -> None:
    """``Source`` is public: the widgets and notebooks never reach into ``stickiness._sources`` for it."""
    for package in ("widgets/stickiness_widgets", "notebooks/stickiness_notebooks"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module == "stickiness._sources":
                    pytest.fail(f"{path.relative_to(ROOT)} imports {[a.name for a in node.names]} from _sources")
