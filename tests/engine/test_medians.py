"""``grouped_medians``: per-group medians on every engine equal a plain-Python median.

DuckDB takes a median from each group's histogram (a running count over
(group, value) counts), so that it spills; polars and Spark take their own. Both are
checked against :func:`statistics.median` of each group's non-null values, on random
groups with repeats, nulls, even and odd counts, and groups with no value at all.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

import narwhals as nw
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stickiness._engine import _generic, grouped_medians, lift

Row = tuple[int, float | None]


def _expected(rows: list[Row]) -> dict[int, tuple[int, float | None]]:
    """Per group: its row count and the median of its non-null values (None when it has none)."""
    groups: dict[int, list[float | None]] = defaultdict(list)
    for key, value in rows:
        groups[key].append(value)
    out: dict[int, tuple[int, float | None]] = {}
    for key, values in groups.items():
        present = [v for v in values if v is not None]
        out[key] = (len(values), float(statistics.median(present)) if present else None)
    return out


def _medians(engine: str, rows: list[Row], *, generic: bool = False) -> dict[int, tuple[int, float | None]]:
    frame = pl.DataFrame(rows, schema={"k": pl.Int64(), "v": pl.Float64()}, orient="row")
    lazy = lift(engine, rows=frame)["rows"]
    route = _generic.grouped_medians if generic else grouped_medians
    table = route(lazy, by=["k"], aggs=[nw.len().cast(nw.Int64()).alias("n")], medians={"m": "v"})
    out: pl.DataFrame = table.collect("polars").to_native()
    return {key: (n, median) for key, n, median in out.select("k", "n", "m").iter_rows()}


values = st.one_of(st.none(), st.integers(-3, 40).map(float), st.sampled_from([0.5, 2.25, 30 / 7]))
logs = st.lists(st.tuples(st.integers(0, 5), values), max_size=60)


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
@settings(max_examples=60, deadline=None)
@given(rows=logs)
def test_medians_equal_a_plain_median(engine: str, rows: list[Row]) -> None:
    assert _medians(engine, rows) == _expected(rows)


@settings(max_examples=30, deadline=None)
@given(rows=logs)
def test_the_histogram_route_on_polars_equals_a_plain_median(rows: list[Row]) -> None:
    assert _medians("polars", rows, generic=True) == _expected(rows)


def test_a_hand_made_case() -> None:
    # group 1: 1, 2, 2, 9 -> (2 + 2) / 2 = 2; group 2: 3, 5, 8 (and a null) -> 5;
    # group 3: only nulls -> no median; group 4: 7, 7, 10, 10 -> (7 + 10) / 2 = 8.5
    rows: list[Row] = [(1, 9.0), (1, 2.0), (1, 1.0), (1, 2.0), (2, 8.0), (2, None), (2, 3.0), (2, 5.0)]
    rows += [(3, None), (4, 10.0), (4, 7.0), (4, 10.0), (4, 7.0)]
    expected = {1: (4, 2.0), 2: (4, 5.0), 3: (1, None), 4: (4, 8.5)}
    for engine in ("polars", "duckdb"):
        assert _medians(engine, rows) == expected
        assert _medians(engine, rows, generic=True) == expected


def test_medians_on_spark(spark: Any) -> None:
    rows: list[Row] = [(1, 9.0), (1, 2.0), (1, 1.0), (1, 2.0), (2, 8.0), (2, None), (2, 3.0), (3, None)]
    assert _medians("pyspark", rows) == _expected(rows) == {1: (4, 2.0), 2: (3, 5.5), 3: (1, None)}
