"""The engine primitives: their polars and narwhals implementations give the same rows, both run on polars.

``runs`` (distinct (key, order) rows with the neighbouring order values of the key)
and ``decode_users`` (user codes back to ids) are written twice: once with narwhals
for every engine (``_generic``), once in polars (``_polars``, a sort of a packed key).
Here both run on random rows, including repeats, keys with one row and order spans
on either side of the packed route's 2**16 gate, and on hand-made cases.
"""

from __future__ import annotations

from typing import Any

import narwhals as nw
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stickiness._engine import NEIGHBOURS, _generic, _polars, decode_users, lift, runs

GATE = 2**16
Frame = pl.DataFrame
COLUMNS = ["u", "d", "__prev", "__next", "__first"]


def _rows(pairs: list[tuple[int, int]], key: pl.DataType | None = None, order: pl.DataType | None = None) -> Frame:
    schema = {"u": key or pl.Int64(), "d": order or pl.Int32()}
    return pl.DataFrame(pairs, schema=schema, orient="row")


def _sorted(frame: nw.LazyFrame[Any]) -> pl.DataFrame:
    out: pl.DataFrame = frame.collect("polars").to_native()
    return out.sort(["u", "d"])


@st.composite
def coded_rows(draw: st.DrawFn) -> tuple[pl.DataFrame, int]:
    """(key, order) rows whose order values span ``span`` (0, small, or about 2**16), with repeats."""
    span = draw(st.sampled_from([0, 1, 9, GATE - 2, GATE - 1, GATE, GATE + 3]))
    base = draw(st.integers(min_value=-30_000, max_value=30_000))
    near = st.integers(min_value=base, max_value=base + min(span, 12))
    ends = st.sampled_from([base, base + span])  # the extremes: the gate is decided by them
    pairs = draw(st.lists(st.tuples(st.integers(0, 7), st.one_of(near, ends)), max_size=50))
    if pairs and span:  # the whole span in the rows, so that the gate sees it
        pairs += [(draw(st.integers(0, 7)), base), (draw(st.integers(0, 7)), base + span)]
    key = draw(st.sampled_from([pl.UInt32(), pl.Int64()]))
    order = draw(st.sampled_from([pl.Int32(), pl.Int64()]))
    return _rows(pairs, key, order), span if pairs else 0


@settings(max_examples=60, deadline=None)
@given(case=coded_rows(), with_=st.sets(st.sampled_from(NEIGHBOURS)))
def test_both_implementations_of_runs_agree(case: tuple[pl.DataFrame, int], with_: set[str]) -> None:
    rows, span = case
    generic = _sorted(_generic.runs(nw.from_native(rows.lazy()), key="u", order="d", with_=with_))
    assert _polars.accepts(rows, key="u", order="d") == (span < GATE)
    if span < GATE:
        fast = _polars.runs(rows, key="u", order="d", with_=with_).collect("polars").to_native()
        assert fast.equals(fast.sort(["u", "d"]))  # the packed route gives its rows sorted
        assert fast.equals(generic), (fast, generic)
    # the seam picks one of them: the same rows either way
    assert _sorted(runs(lift("polars", rows=rows)["rows"], key="u", order="d", with_=with_)).equals(generic)


@pytest.mark.parametrize("implementation", ["generic", "polars"])
def test_runs_by_hand(implementation: str) -> None:
    rows = _rows([(1, 5), (1, 3), (1, 5), (2, 9), (3, 1), (3, 2), (3, 4)])
    if implementation == "polars":
        out = _polars.runs(rows, key="u", order="d", with_=NEIGHBOURS)
    else:
        out = _generic.runs(nw.from_native(rows.lazy()), key="u", order="d", with_=NEIGHBOURS)
    # (1, 5) twice is one row; user 2 has one day, so no neighbours; __first is each user's smallest day
    expected = [
        (1, 3, None, 5, 3),
        (1, 5, 3, None, 3),
        (2, 9, None, None, 9),
        (3, 1, None, 2, 1),
        (3, 2, 1, 4, 1),
        (3, 4, 2, None, 1),
    ]
    assert _sorted(out).select(COLUMNS).rows() == expected


def test_runs_beyond_the_gate_and_empty() -> None:
    # days 0 and 2**16 are 2**16 apart: too wide to pack, so the seam takes the narwhals route
    wide = _rows([(4, 0), (4, GATE), (4, 0)])
    assert not _polars.accepts(wide, key="u", order="d")
    out = runs(lift("polars", rows=wide)["rows"], key="u", order="d", with_=("prev", "next", "first"))
    assert _sorted(out).select(COLUMNS).rows() == [(4, 0, None, GATE, 0), (4, GATE, 0, None, 0)]
    empty = runs(lift("polars", rows=_rows([]))["rows"], key="u", order="d", with_=("next",))
    assert _sorted(empty).height == 0
    assert _sorted(empty).columns == ["u", "d", "__next"]


def test_runs_refuses_an_unknown_neighbour() -> None:
    with pytest.raises(ValueError, match="only"):
        runs(lift("polars", rows=_rows([(1, 1)]))["rows"], key="u", order="d", with_=("last",))


ids = st.sampled_from(
    [
        ("offset", pl.Int64()),  # integer ids coded as user - offset
        ("offset", pl.UInt32()),
        ("dictionary", pl.String()),  # text ids: a dictionary of codes
    ]
)


@settings(max_examples=40, deadline=None)
@given(kind=ids, codes=st.lists(st.integers(0, 20), max_size=30), offset=st.integers(0, 1_000))
def test_both_implementations_of_decode_users_agree(
    kind: tuple[str, pl.DataType], codes: list[int], offset: int
) -> None:
    how, dtype = kind
    users = pl.DataFrame({"__u": range(21)}, schema={"__u": pl.UInt32()})
    if how == "offset":
        table = users.with_columns((pl.col("__u").cast(pl.Int64) + offset).cast(dtype).alias("user"))
    else:
        table = users.with_columns(("id-" + pl.col("__u").cast(pl.String) + f"-{offset}").alias("user"))
    frame = pl.DataFrame({"__u": codes, "x": range(len(codes))}, schema={"__u": pl.UInt32(), "x": pl.Int64()})
    generic = _generic.decode_users(nw.from_native(frame.lazy()), nw.from_native(table.lazy()))
    expected = generic.collect("polars").to_native().sort("x")
    fast = _polars.decode_users(frame.lazy(), table.lazy(), offset=offset if how == "offset" else None, dtype=dtype)
    got = fast.collect("polars").to_native()
    assert got.equals(expected), (got, expected)  # and in the frame's row order (x ascending)
    lazy = lift("polars", frame=frame, codes=table)
    seam = decode_users(lazy["frame"], lazy["codes"], offset=offset if how == "offset" else None, dtype=dtype)
    assert seam.collect("polars").to_native().equals(expected)


def test_decode_users_by_hand() -> None:
    frame = pl.DataFrame({"__u": [2, 0, 2]}, schema={"__u": pl.UInt32()})
    codes = pl.DataFrame({"__u": [0, 1, 2], "user": ["ann", "bob", "cy"]}).cast({"__u": pl.UInt32})
    # code 2 is "cy", code 0 "ann"; rows keep their order
    text = _polars.decode_users(frame.lazy(), codes.lazy(), offset=None, dtype=pl.String())
    assert text.collect("polars").to_native().rows() == [(2, "cy"), (0, "ann"), (2, "cy")]
    generic = _generic.decode_users(nw.from_native(frame.lazy()), nw.from_native(codes.lazy()))
    assert sorted(generic.collect("polars").to_native().rows()) == [(0, "ann"), (2, "cy"), (2, "cy")]
    # integer ids 100, 101, 102 coded from offset 100: code 2 is id 102
    numbers = _polars.decode_users(frame.lazy(), codes.lazy(), offset=100, dtype=pl.Int64())
    assert numbers.collect("polars").to_native().rows() == [(2, 102), (0, 100), (2, 102)]
