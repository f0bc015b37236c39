"""The intermediate frames a UsageLog keeps: a metric on a warm log equals the same metric on a fresh one.

The use-case metrics are computed in stages (stickiness/stages/habits.py) and the active-user metrics from
active days (stickiness/stages/active_days.py), each kept on the log keyed by the options it depends on. These
tests pin down that the kept frames never change a result, that changing an option redoes only the
stages that depend on it, and that a log keeps a bounded number of them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import doctest
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import stickiness
from stickiness.catalog import Catalog, read_catalog
from stickiness.demo import demo_catalog, demo_events, demo_users
from stickiness.log import UsageLog, read_log
from stickiness.metrics.use_cases import (
    drifting_users,
    forgettable_zone,
    frequency_spectrum,
    use_case_map,
    use_case_rates,
)
from stickiness.stages import STAGES, active_days, habits

from .conftest import NOW

USERS = 300
#: A sequence of option changes, as an explorer makes them: each call runs on the warm log.
CHANGES: list[dict[str, Any]] = [
    {},
    {"threshold": 2.0},
    {"majority": 0.4},
    {"min_users": 5},
    {"window": 60},
    {"window": 60, "threshold": 2.0},
    {"window": 45, "min_exposure": 10},
    {"window": 45},
    {"min_exposure": 1},
    {"window": 90},
    {"horizon": 200, "window": 30},
    {"as_of": dt.date(2024, 9, 30)},
    {"by": "plan"},
    {"by": None, "window": 30},
    {"bands": {"daily": 12, "weekly": 3}},
    {},
]
MAP_ONLY = ("threshold", "majority", "min_users")


@cache
def _events() -> tuple[pl.DataFrame, pl.DataFrame]:
    return demo_events(users=USERS), demo_users(users=USERS)


def _log(engine: str) -> UsageLog:
    events, users = _events()
    return read_log(events, users=users, engine=engine, now=NOW)  # type: ignore[arg-type]


def _catalog() -> Catalog:
    return read_catalog(demo_catalog())


def _fresh(log: UsageLog) -> UsageLog:
    """The same log with nothing kept."""
    return dataclasses.replace(log)


def _metrics(options: dict[str, Any]) -> Iterator[tuple[str, Callable[..., pl.DataFrame], dict[str, Any]]]:
    core = {k: v for k, v in options.items() if k not in MAP_ONLY}
    yield "frequency_spectrum", frequency_spectrum, core
    yield "use_case_map", use_case_map, options
    yield "forgettable_zone", forgettable_zone, options
    drifting = {k: v for k, v in options.items() if k not in ("majority", "min_users", "bands")}
    yield "drifting_users", drifting_users, drifting
    yield "use_case_rates", use_case_rates, core  # the rates take neither threshold nor the map's options


def _counting(monkeypatch: pytest.MonkeyPatch, module: Any, names: tuple[str, ...]) -> dict[str, int]:
    calls = dict.fromkeys(names, 0)
    for name in names:
        original = getattr(module, name)

        def counted(*args: Any, _name: str = name, _original: Any = original, **kwargs: Any) -> Any:
            calls[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    return calls


@cache
def _reference(index: int, name: str) -> pl.DataFrame:
    """The metric of ``CHANGES[index]`` on a log read for this call alone (polars): nothing kept from other calls."""
    metric, kwargs = next((m, k) for n, m, k in _metrics(CHANGES[index]) if n == name)
    return metric(_log("polars"), _catalog(), **kwargs)


def test_a_warm_log_gives_the_tables_of_a_fresh_one(engine: str) -> None:
    log, catalog = _log(engine), _catalog()
    for index, options in enumerate(CHANGES):
        for name, metric, kwargs in _metrics(options):
            warm = metric(log, catalog, **kwargs)
            expected = _reference(index, name)
            assert_frame_equal(warm, expected, check_exact=engine == "polars", rel_tol=1e-12), (name, options)
    assert log.stages  # the warm log kept its stages


def test_each_change_redoes_only_the_stages_that_depend_on_it(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting(monkeypatch, habits, ("_compute_habits", "_compute_rates", "_compute_counts"))
    log, catalog = _log("polars"), _catalog()

    def expect(habits: int, rates: int, counts: int) -> None:
        assert (calls["_compute_habits"], calls["_compute_rates"], calls["_compute_counts"]) == (habits, rates, counts)

    use_case_map(log, catalog)
    expect(1, 1, 1)
    frequency_spectrum(log, catalog)  # the spectrum shares the map's segment counts
    use_case_map(log, catalog, majority=0.4, min_users=5)
    forgettable_zone(log, catalog, majority=0.8)
    use_case_map(log, demo_catalog())  # the same rules, read again
    expect(1, 1, 1)
    use_case_map(log, catalog, threshold=2.0)  # a threshold: counts only
    drifting_users(log, catalog, threshold=2.0)  # drifting users filter the kept rates
    use_case_rates(log, catalog)
    expect(1, 1, 2)
    use_case_map(log, catalog, window=60)  # a window: rates and counts
    frequency_spectrum(log, catalog, window=60)
    expect(1, 2, 3)
    use_case_map(log, catalog, window=60, by="plan")  # a segment column: rates and counts
    expect(1, 3, 4)
    use_case_map(log, catalog, horizon=200)  # a horizon: everything
    expect(2, 4, 5)
    other = read_catalog({"event": ["search_run"], "use_case": ["find"]})
    table = use_case_map(log, other)  # another catalog: everything
    expect(3, 5, 6)
    assert_frame_equal(table, use_case_map(_fresh(log), other))
    assert set(table["use_case"]) == {"(any)", "(unmapped)", "find"}


def test_a_log_keeps_a_few_results_per_stage() -> None:
    log, catalog = _log("polars"), _catalog()
    keep = {name: STAGES[name].keep for name in ("habits", "rates", "segment_counts")}
    for window in range(30, 30 + 2 * keep["rates"]):
        frequency_spectrum(log, catalog, window=window)
    for horizon in range(300, 300 + 2 * keep["habits"]):
        frequency_spectrum(log, catalog, horizon=horizon)
    assert log.stages.count("habits") == keep["habits"]
    assert log.stages.count("rates") == keep["rates"]
    assert log.stages.count("segment_counts") <= keep["segment_counts"]
    latest = 300 + 2 * keep["habits"] - 1
    assert_frame_equal(
        frequency_spectrum(log, catalog, horizon=latest), frequency_spectrum(_fresh(log), catalog, horizon=latest)
    )


def test_kept_frames_are_not_part_of_the_log() -> None:
    log, catalog = _log("polars"), _catalog()
    activity, shown = log.activity.clone(), repr(log)
    use_case_map(log, catalog)
    stickiness.active_users(log, by="persona")
    assert repr(log) == shown
    assert_frame_equal(log.activity, activity)
    assert "stages" not in {f.name for f in dataclasses.fields(log) if f.compare or f.repr or f.init}
    assert not _fresh(log).stages
    assert not read_log(*_events()[:1], now=NOW).stages


def test_active_users_reuse_the_active_days(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting(monkeypatch, active_days, ("_user_days",))
    log = _log(engine)
    runs: list[tuple[Callable[..., pl.DataFrame], dict[str, Any]]] = [
        (stickiness.active_users, {}),
        (stickiness.active_users, {"window": 28}),
        (stickiness.active_users, {"window": 28, "by": "persona"}),
        (stickiness.monthly_active_users, {"by": "plan"}),
    ]
    for metric, options in runs:
        assert_frame_equal(metric(log, **options), metric(_fresh(log), **options))
    assert calls["_user_days"] == 1 + len(runs)  # once for the warm log, once per fresh one
    events = ["search_run", "listing_viewed"]
    for active_events in (events, tuple(events), set(events)):  # the same events, however given: kept once
        out = stickiness.active_users(log, window=14, active_events=active_events)
        assert_frame_equal(out, stickiness.active_users(_fresh(log), window=14, active_events=events))
    # a fresh log reads its active days twice: for the events asked for, and for the whole product, whose DAU
    # decides whether the last day looks partial (docs/metrics.md); the warm log had the product's already
    assert calls["_user_days"] == 2 + len(runs) + 3 * 2
    assert log.stages.count("active_days") == 2


def test_an_empty_log_keeps_nothing_it_cannot_use(engine: str) -> None:
    empty = read_log(
        pl.DataFrame(schema={"user_id": pl.String, "timestamp": pl.Date, "event": pl.String}),
        engine=engine,  # type: ignore[arg-type]
        now=NOW,
    )
    assert use_case_map(empty).height == 0
    assert frequency_spectrum(empty, window=30).height == 0
    assert stickiness.active_users(empty).height == 0
    assert not empty.stages.count("habits")


def test_the_api_reference_example_runs() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "api.md").read_text()
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL) if ">>>" in b]
    assert blocks
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    runner = doctest.DocTestRunner(optionflags=flags)
    for index, block in enumerate(blocks):
        runner.run(doctest.DocTestParser().get_doctest(block, {}, f"api.md[{index}]", "docs/api.md", 0))
    assert runner.summarize(verbose=False).failed == 0
