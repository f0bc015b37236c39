"""sort_rows (one stable sort per key, last key first) orders rows exactly as polars' multi-key sort."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from stickiness._sort import sort_rows

rows = st.lists(
    st.tuples(
        st.one_of(st.none(), st.sampled_from(["agent", "renter", "", "(unknown)"])),
        st.one_of(st.none(), st.floats(min_value=-3, max_value=3, allow_nan=False)),
        st.integers(min_value=-5, max_value=5),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(rows=rows, descending=st.lists(st.booleans(), min_size=3, max_size=3))
def test_sort_rows_orders_as_a_multi_key_sort(
    rows: list[tuple[str | None, float | None, int]], descending: list[bool]
) -> None:
    frame = pl.DataFrame(rows, schema={"s": pl.String, "f": pl.Float64, "i": pl.Int64}, orient="row")
    keys = ["s", "f", "i"]
    assert sort_rows(frame, keys, descending=descending).equals(frame.sort(keys, descending=descending))
