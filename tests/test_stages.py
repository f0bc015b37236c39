"""The stage store: the declared table, keep counts, the byte budget, clear(), its repr, errors and threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import stickiness
from stickiness.demo import demo_catalog, demo_events, demo_users
from stickiness.log import UsageLog, read_log
from stickiness.stages import BUDGET_VARIABLE, DEFAULT_BUDGET_MB, STAGES, StageStore, size_of
from stickiness.stages import habits as habit_stage
from stickiness.typing import Engine

from .conftest import NOW

MB = 2**20


def _frame(rows: int) -> pl.DataFrame:
    """An Int64 frame of ``rows`` rows and no nulls: ``8 * rows`` bytes."""
    return pl.DataFrame({"a": list(range(rows))}, schema={"a": pl.Int64})


class _Counter:
    """A compute that counts its calls and returns ``value``."""

    def __init__(self, value: object, pause: float = 0.0) -> None:
        self.value, self.pause, self.calls = value, pause, 0

    def __call__(self) -> object:
        self.calls += 1
        time.sleep(self.pause)
        return self.value


def _log(engine: Engine = "polars") -> UsageLog:
    return read_log(demo_events(users=120), users=demo_users(users=120), now=NOW, engine=engine)


def _metrics(log: UsageLog) -> dict[str, pl.DataFrame]:
    """Every metric family that reads a stage, on one log."""
    catalog = demo_catalog()
    return {
        "active_users": stickiness.active_users(log, by="persona"),
        "monthly": stickiness.monthly_active_users(log),
        "retention": stickiness.retention(log),
        "lifecycle": stickiness.lifecycle(log),
        "map": stickiness.use_case_map(log, catalog),
        "map_60": stickiness.use_case_map(log, catalog, window=60, threshold=2.0),
        "spectrum": stickiness.frequency_spectrum(log, catalog),
        "inactive": stickiness.inactive_users(log),
        "unmapped": stickiness.unmapped_events(log, catalog),
    }


def test_the_table_declares_the_eleven_stages_and_their_dependencies_exist() -> None:
    assert set(STAGES) == {
        "event_codes",
        "user_offset",
        "user_codes",
        "coded_activity",
        "active_days",
        "dau",
        "sorted_user_periods",
        "period_counts",
        "habits",
        "rates",
        "segment_counts",
    }
    for stage in STAGES.values():
        assert set(stage.depends_on) <= set(STAGES) - {stage.name}, stage.name
        assert stage.keep >= 1


def test_what_a_stage_asks_for_while_computing_is_declared_in_its_dependencies() -> None:
    log = _log()
    _metrics(log)
    assert log.stages.asked  # stages did ask for others, so the check below checks something
    for stage, asked in log.stages.asked:
        assert asked in STAGES[stage].depends_on, (stage, asked)


def test_a_stage_keeps_its_declared_count_of_the_latest_used() -> None:
    store = StageStore(budget=MB)
    assert STAGES["active_days"].keep == 2
    first, second, third = _Counter("all"), _Counter("a"), _Counter("b")
    store.get("active_days", first, active_events=None)
    store.get("active_days", second, active_events=frozenset({"a"}))
    store.get("active_days", first, active_events=None)  # a use: None is now the most recent
    store.get("active_days", third, active_events=frozenset({"b"}))  # 3 > keep=2: {"a"} goes
    assert store.count("active_days") == 2
    assert store.get("active_days", first, active_events=None) == "all"
    assert first.calls == 1  # held throughout
    store.get("active_days", second, active_events=frozenset({"a"}))
    assert second.calls == 2  # dropped, computed again


def test_past_the_budget_the_least_recently_used_results_go_whatever_their_stage() -> None:
    store = StageStore(budget=100)
    a, b, c = _Counter(_frame(5)), _Counter(_frame(5)), _Counter(_frame(5))  # 5 x 8 = 40 bytes each
    store.get("event_codes", a)
    store.get("user_codes", b)  # 80 bytes held
    store.get("event_codes", a)  # a use: user_codes is now the least recent
    store.get("coded_activity", c)  # 120 > 100: user_codes (40) goes, 80 left
    assert store.nbytes == 80
    assert (store.count("event_codes"), store.count("user_codes"), store.count("coded_activity")) == (1, 0, 1)
    store.get("event_codes", a)
    store.get("user_codes", b)
    assert (a.calls, b.calls, c.calls) == (1, 2, 1)


def test_a_result_larger_than_the_budget_is_returned_but_not_kept() -> None:
    store = StageStore(budget=100)
    big = _Counter(_frame(20))  # 20 x 8 = 160 bytes > 100
    assert store.get("event_codes", big).height == 20
    assert (len(store), store.nbytes) == (0, 0)
    store.get("event_codes", big)
    assert big.calls == 2


def test_lowering_the_budget_drops_the_least_recent() -> None:
    store = StageStore(budget=MB)
    store.get("event_codes", lambda: _frame(5))  # 40 bytes
    store.get("user_codes", lambda: _frame(10))  # 80 bytes
    store.budget = 100  # 120 > 100: event_codes, the least recent, goes
    assert (store.count("event_codes"), store.count("user_codes"), store.nbytes) == (0, 1, 80)


def test_sizes_count_frames_inside_results_and_little_else() -> None:
    habits = habit_stage._Habits(
        key=None, end=0, adopters=_frame(1), history=_frame(2), use_cases=_frame(3), days=_frame(4)
    )
    # frames of 1 + 2 + 3 + 4 = 10 rows x 8 bytes, plus the key and end at 64 bytes each
    assert size_of(habits) == 80 + 2 * 64
    assert size_of((_frame(2), 7)) == 16 + 64


def test_clear_drops_everything_or_a_stage_and_what_depends_on_it() -> None:
    log = _log()
    _metrics(log)
    assert log.stages.count("habits") and log.stages.count("dau")
    log.stages.clear("active_days")
    # active_days feeds dau, the period stages and (through them) the use-case stages
    for name in ("active_days", "dau", "sorted_user_periods", "period_counts", "habits", "rates", "segment_counts"):
        assert log.stages.count(name) == 0, name
    assert log.stages.count("coded_activity") == 1
    assert log.stages.nbytes == sum(size_of(v) for name in STAGES for v in log.stages.held(name))
    log.stages.clear()
    assert (len(log.stages), log.stages.nbytes) == (0, 0)
    assert_frame_equal(stickiness.retention(log), stickiness.retention(_log()))


def test_the_repr_lists_each_stage_held_with_its_results_and_sizes() -> None:
    store = StageStore(budget=4 * MB)
    store.get("event_codes", lambda: _frame(2 * 2**16))  # 2**17 x 8 bytes = 1.0 MB
    store.get("active_days", lambda: _frame(2**16), active_events=None)  # 0.5 MB
    store.get("active_days", lambda: _frame(2**15), active_events=frozenset({"a"}))  # 0.25 MB, shown as 0.2
    assert repr(store) == "\n".join(
        [
            "StageStore: 3 results, 1.8 MB held of a 4.0 MB budget",  # 1 + 0.5 + 0.25 = 1.75, shown as 1.8
            "  event_codes: 1 of 1 kept, 1.0 MB",
            "  active_days: 2 of 2 kept, 0.8 MB",
            "    active_events=None: 0.5 MB",
            "    active_events=frozenset({'a'}): 0.2 MB",
        ]
    )
    assert repr(StageStore(budget=0)) == "StageStore: 0 results, 0.0 MB held of a 0.0 MB budget"


def test_a_log_shows_its_store_and_keeps_it_out_of_its_own_repr() -> None:
    log = _log()
    shown = repr(log)
    stickiness.use_case_map(log, demo_catalog())
    assert repr(log) == shown
    text = repr(log.stages)
    assert "habits: 1 of 2 kept" in text and "segment_counts: 1 of 16 kept" in text
    assert "mapping=((" in text and "end=" in text and "horizon=365" in text


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.get("nope", lambda: 1), "no stage 'nope': the stages are ["),
        (lambda s: s.get("dau", lambda: 1, by=None), "stage 'dau' is keyed by ('by', 'active_events'), not ('by',)"),
        (lambda s: s.get("event_codes", lambda: 1, by=None), "stage 'event_codes' is keyed by (), not ('by',)"),
        (lambda s: s.held("habits", window=30), "stage 'habits' is keyed by ('mapping', 'end', 'horizon')"),
        (lambda s: s.count("habit"), "no stage 'habit'"),
        (lambda s: s.clear("habit"), "no stage 'habit'"),
    ],
)
def test_an_undeclared_stage_or_key_is_a_clear_error(call: Callable[[StageStore], Any], message: str) -> None:
    with pytest.raises(stickiness.StickinessError, match=r"declare") as raised:
        call(StageStore(budget=MB))
    assert isinstance(raised.value, LookupError)
    assert message in str(raised.value)


def test_the_budget_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BUDGET_VARIABLE, raising=False)
    assert StageStore().budget == DEFAULT_BUDGET_MB * MB
    monkeypatch.setenv(BUDGET_VARIABLE, "1.5")
    assert read_log(demo_events(users=5), now=NOW).stages.budget == 3 * MB // 2
    for bad in ("lots", "-1", "nan"):
        monkeypatch.setenv(BUDGET_VARIABLE, bad)
        with pytest.raises(stickiness.InvalidOptionError, match=f"STICKINESS_CACHE_MB='{bad}': .* e.g. STICKI"):
            read_log(demo_events(users=5), now=NOW)


def test_a_log_holding_nothing_gives_the_same_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _metrics(_log())
    monkeypatch.setenv(BUDGET_VARIABLE, "0")
    log = _log()
    for name, table in _metrics(log).items():
        assert_frame_equal(table, expected[name])
    assert len(log.stages) == 0


def test_two_threads_asking_for_one_result_compute_it_once() -> None:
    store = StageStore(budget=MB)
    slow = _Counter("value", pause=0.2)  # long enough that the second thread asks while the first computes
    got: list[object] = []

    def ask() -> None:
        got.append(store.get("habits", slow, mapping=(), end=1, horizon=2))

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (got, slow.calls) == (["value", "value"], 1)


def test_two_threads_on_one_log_give_the_tables_of_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    engine: Engine = "polars"  # a DuckDB log runs one call at a time: the next test
    expected = _metrics(_log(engine))
    calls = {"habits": 0}
    compute = habit_stage._compute_habits

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls["habits"] += 1
        return compute(*args, **kwargs)

    monkeypatch.setattr(habit_stage, "_compute_habits", counted)
    log = _log(engine)
    results: list[dict[str, pl.DataFrame]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(_metrics(log))
        except BaseException as error:  # a failure in a thread must fail the test
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(results) == 2
    for tables in results:
        for name, table in tables.items():
            assert_frame_equal(table, expected[name])
    # one catalog: its habits computed once for both threads; the product's are the "(any)" rows of them
    assert calls["habits"] == 1


_STAGE_NAMES = ("event_codes", "user_codes", "active_days", "dau")  # keep 1, 1, 2, 4


@settings(max_examples=50, deadline=None)
@given(
    budget=st.integers(min_value=0, max_value=400),
    asks=st.lists(st.tuples(st.sampled_from(_STAGE_NAMES), st.integers(0, 3), st.integers(0, 30)), max_size=40),
)
def test_whatever_is_asked_the_store_stays_within_its_keep_counts_and_budget(
    budget: int, asks: list[tuple[str, int, int]]
) -> None:
    store = StageStore(budget=budget)
    for stage, key, rows in asks:
        fields = {name: key for name in STAGES[stage].key}  # the same key in every field; none for the codes
        value = _frame(rows)  # 8 x rows bytes
        got = store.get(stage, lambda value=value: value, **fields)
        assert got.height in {r for s, k, r in asks if s == stage and (k == key or not fields)}
        held = {name: store.held(name) for name in _STAGE_NAMES}
        assert store.nbytes == sum(size_of(v) for values in held.values() for v in values) <= budget
        assert all(len(held[name]) <= STAGES[name].keep for name in _STAGE_NAMES)
        # the result just asked is held, the latest of its stage, unless it alone passes the budget (or it is 0)
        assert (bool(held[stage]) and held[stage][0] is got) == (budget > 0 and size_of(got) <= budget)


def test_a_duckdb_log_serves_one_thread_after_another() -> None:
    # A DuckDB log's connection runs one call at a time: a log read in one thread and used in another
    # after it (a web app's reruns, a notebook's callbacks) gives the same tables.
    expected = _metrics(_log("duckdb"))
    log = _log("duckdb")
    results: list[dict[str, pl.DataFrame]] = []
    for _ in range(2):
        thread = threading.Thread(target=lambda: results.append(_metrics(log)))
        thread.start()
        thread.join()
    assert len(results) == 2
    for tables in results:
        for name, table in tables.items():
            assert_frame_equal(table, expected[name])
