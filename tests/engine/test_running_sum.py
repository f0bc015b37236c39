"""``running_sum``: per-key running sums on every engine equal a plain-Python loop.

On polars the primitive sorts and takes one running sum over every row (no window: polars'
streaming window deadlocked at 100M events, docs/benchmarks.md, issue 18); DuckDB and Spark
take the window form (``_generic.running_sum``). Both routes are checked against a loop over
each key's rows in order, on random keys with negative, zero and repeated values.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import narwhals as nw
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stickiness._engine import _generic, lift, running_sum

Row = tuple[int, int, int]  # key, order (unique within a key), value
Summed = tuple[int, int, int, int]  # the row and its running sum


def _expected(rows: list[Row]) -> set[Summed]:
    """Each row with the sum of its key's values up to it, by a loop over the key's rows in order."""
    by_key: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for key, order, value in rows:
        by_key[key].append((order, value))
    out: set[Summed] = set()
    for key, pairs in by_key.items():
        total = 0
        for order, value in sorted(pairs):
            total += value
            out.add((key, order, value, total))
    return out


def _sums(engine: str, rows: list[Row], *, generic: bool = False) -> set[Summed]:
    frame = pl.DataFrame(rows, schema={"k": pl.Int64(), "t": pl.Int64(), "v": pl.Int64()}, orient="row")
    lazy = lift(engine, rows=frame)["rows"]
    route = _generic.running_sum if generic else running_sum
    table = route(lazy, key="k", order="t", value="v", alias="s").with_columns(nw.col("s").cast(nw.Int64()))
    out: pl.DataFrame = table.collect("polars").to_native()
    return set(out.select("k", "t", "v", "s").iter_rows())


def _unique_orders(rows: list[Row]) -> list[Row]:
    seen: dict[tuple[int, int], Row] = {(key, order): (key, order, value) for key, order, value in rows}
    return list(seen.values())


logs = st.lists(st.tuples(st.integers(0, 5), st.integers(-3, 40), st.integers(-2, 3)), max_size=60).map(_unique_orders)


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
@settings(max_examples=60, deadline=None)
@given(rows=logs)
def test_running_sums_equal_a_loop(engine: str, rows: list[Row]) -> None:
    assert _sums(engine, rows) == _expected(rows)


@settings(max_examples=30, deadline=None)
@given(rows=logs)
def test_the_window_route_on_polars_equals_a_loop(rows: list[Row]) -> None:
    assert _sums("polars", rows, generic=True) == _expected(rows)


def test_a_hand_made_case() -> None:
    # key 1 by order: 3 -> -1; 4 -> -1 + 1 = 0; 9 -> 0 + 1 = 1. key 2: 1 -> 2; 5 -> 2 + 1 = 3.
    # key 7 sorts after key 2, whose sum ends at 3: its own restarts, 0.
    rows: list[Row] = [(2, 5, 1), (1, 9, 1), (1, 3, -1), (2, 1, 2), (1, 4, 1), (7, 0, 0)]
    expected = {(1, 3, -1, -1), (1, 4, 1, 0), (1, 9, 1, 1), (2, 1, 2, 2), (2, 5, 1, 3), (7, 0, 0, 0)}
    for engine in ("polars", "duckdb"):
        assert _sums(engine, rows) == expected
        assert _sums(engine, rows, generic=True) == expected


def test_running_sums_on_spark(spark: Any) -> None:
    rows: list[Row] = [(2, 5, 1), (1, 9, 1), (1, 3, -1), (2, 1, 2), (1, 4, 1)]
    assert _sums("pyspark", rows) == _expected(rows)
