"""Customer fit matrix (docs/scorecards.md, "Customer fit matrix"): the worked example, usage, a plain-Python
reference on generated accounts, the output schema on tiny and empty inputs, and every class of bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stickiness import ColumnNotFoundError, InvalidOptionError, read_log
from stickiness.scorecards import InvalidValueError, customers_to_depart, fit_matrix, fit_summary
from stickiness.scorecards.fit import FIT_COLUMNS, FIT_SUMMARY_COLUMNS

from . import reference_scorecards as ref
from .conftest import NOW

ACCOUNTS = pl.DataFrame(
    {
        "account_id": ["a", "b", "c", "d", "e"],
        "mrr": [100.0, 100.0, 200.0, 50.0, 80.0],
        "labour": [20.0, 50.0, 60.0, 30.0, 60.0],
        "communication": [5.0, 10.0, 10.0, 2.5, 20.0],
        "hard_costs": [5.0, 20.0, 10.0, 2.5, 20.0],
    }
)


def usage_log(engine: str = "polars") -> object:
    """a: 6 active days in Mar 1 .. 30 (W = 30), c: 2; both first seen Jan 1."""
    days = {"a": [1, 5, 10, 15, 20, 30], "c": [3, 4]}
    rows = [(u, dt.date(2024, 1, 1), "x") for u in days] + [
        (u, dt.date(2024, 3, d), "x") for u, ds in days.items() for d in ds
    ]
    events = pl.DataFrame(rows, schema=["user_id", "timestamp", "event"], orient="row")
    return read_log(events, engine=engine, now=NOW)  # type: ignore[arg-type]


def test_worked_example() -> None:
    out = fit_matrix(ACCOUNTS)
    assert dict(out.schema) == FIT_COLUMNS
    rows = {r["user"]: r for r in out.iter_rows(named=True)}
    expected = {
        "a": (30.0, 70.0, 0.70, "grow"),
        "b": (80.0, 20.0, 0.20, "depart"),
        "c": (80.0, 120.0, 0.60, "grow"),
        "d": (35.0, 15.0, 0.30, "keep"),
        "e": (100.0, -20.0, -0.25, "depart"),
    }
    for user, (costs, profit, profitability, state) in expected.items():
        r = rows[user]
        assert (r["costs"], r["profit"], r["state"]) == (costs, profit, state), user
        assert r["profitability"] == pytest.approx(profitability), user
        assert r["rate"] is None
    assert out["user"].to_list() == ["d", "a", "c", "b", "e"]  # keep, grow, depart, then user
    summary = fit_summary(out)
    assert dict(summary.schema) == FIT_SUMMARY_COLUMNS
    assert summary.select("state", "customers", "share", "mrr", "profit").rows() == [
        ("keep", 1, 0.2, 50.0, 15.0),
        ("grow", 2, 0.4, 300.0, 190.0),
        ("depart", 2, 0.4, 180.0, 0.0),
    ]
    assert summary["mrr_share"].to_list() == pytest.approx([50 / 530, 300 / 530, 180 / 530])
    assert customers_to_depart(out).select("user", "profitability").rows() == [("e", -0.25), ("b", 0.2)]


def test_thresholds_are_options() -> None:
    states = dict(fit_matrix(ACCOUNTS, depart_below=0.0, grow_above=0.65).select("user", "state").rows())
    assert states == {"a": "grow", "b": "keep", "c": "keep", "d": "keep", "e": "depart"}
    states = dict(fit_matrix(ACCOUNTS, depart_below=0.6, grow_above=0.6).select("user", "state").rows())
    assert states == {"a": "grow", "b": "depart", "c": "grow", "d": "depart", "e": "depart"}
    only_labour = fit_matrix(ACCOUNTS, costs=["labour"]).filter(pl.col("user") == "e").row(0, named=True)
    assert (only_labour["costs"], only_labour["profitability"]) == (60.0, 0.25)


def test_usage_decides_grow(engine: str) -> None:
    out = fit_matrix(ACCOUNTS, usage=usage_log(engine), window=30)
    rows = {r["user"]: r for r in out.iter_rows(named=True)}
    assert rows["a"]["rate"] == pytest.approx(6.0)
    assert rows["a"]["state"] == "grow"
    assert rows["c"]["rate"] == pytest.approx(2.0)
    assert rows["c"]["state"] == "keep"  # profitable, but uses the product less than weekly
    assert rows["b"]["rate"] == 0.0  # not in the log
    lenient = fit_matrix(ACCOUNTS, usage=usage_log(engine), window=30, grow_rate=2.0)
    assert dict(lenient.select("user", "state").rows())["c"] == "grow"
    earlier = fit_matrix(ACCOUNTS, usage=usage_log(engine), window=30, as_of="2024-03-15")
    assert dict(earlier.select("user", "rate").rows())["a"] == pytest.approx(4.0)  # Mar 1, 5, 10, 15 (Feb 15 ..)


def test_zero_mrr_error_or_depart() -> None:
    free = pl.concat(
        [
            ACCOUNTS,
            pl.DataFrame(
                {"account_id": ["f"], "mrr": [0.0], "labour": [1.0], "communication": [0.0], "hard_costs": [0.0]}
            ),
        ]
    )
    with pytest.raises(InvalidValueError, match=r"'mrr' \(mrr=\) is 0 on row 6 \('f'\).*zero_mrr='depart'"):
        fit_matrix(free)
    out = fit_matrix(free, zero_mrr="depart")
    row = out.filter(pl.col("user") == "f").row(0, named=True)
    assert (row["profitability"], row["state"], row["profit"]) == (None, "depart", -1.0)
    assert customers_to_depart(out)["user"].to_list() == ["f", "e", "b"]


def test_csv_text_and_sources(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    ACCOUNTS.write_csv(path)
    assert fit_matrix(path).equals(fit_matrix(ACCOUNTS))
    assert fit_matrix(ACCOUNTS.to_pandas()).equals(fit_matrix(ACCOUNTS))
    numeric_ids = ACCOUNTS.with_columns(account_id=pl.Series([1, 2, 3, 4, 5]))
    assert fit_matrix(numeric_ids)["user"].to_list() == ["4", "1", "3", "2", "5"]


def test_empty_accounts_give_the_documented_columns() -> None:
    empty = ACCOUNTS.clear()
    out = fit_matrix(empty)
    assert out.height == 0
    assert dict(out.schema) == FIT_COLUMNS
    summary = fit_summary(out)
    assert summary.rows() == [
        ("keep", 0, None, 0.0, None, 0.0),
        ("grow", 0, None, 0.0, None, 0.0),
        ("depart", 0, None, 0.0, None, 0.0),
    ]
    assert customers_to_depart(out).height == 0


# --- bad input ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "values", "message"),
    [
        ("mrr", [100.0, -5.0, 200.0, 50.0, 80.0], r"'mrr' \(mrr=\) must not be negative: row 2 \(-5.0\)"),
        ("labour", [20.0, 50.0, -1.0, 30.0, 60.0], r"'labour' \(costs=\) must not be negative: row 3"),
        ("mrr", [100.0, None, 200.0, 50.0, 80.0], r"'mrr' \(mrr=\) is empty on row 2.*fill_null"),
        ("mrr", ["100", "1,200", "$5", "50", "80"], r"not numbers: rows 2 \('1,200'\), 3 \('\$5'\)"),
        ("account_id", ["a", "b", "a", "d", "e"], r"customers on more than one row \(rows 1 \('a'\), 3 \('a'\)"),
        ("account_id", ["a", "", "c", None, "e"], r"'account_id' \(account=\) is empty on rows 2, 4"),
    ],
)
def test_bad_values_name_the_column_and_rows(column: str, values: list[object], message: str) -> None:
    with pytest.raises(InvalidValueError, match=message):
        fit_matrix(ACCOUNTS.with_columns(pl.Series(column, values)))


def test_missing_columns_and_bad_options() -> None:
    with pytest.raises(ColumnNotFoundError, match=r"mrr='mrr'.*Did you mean 'MRR'.*Pass mrr="):
        fit_matrix(ACCOUNTS.rename({"mrr": "MRR"}))
    with pytest.raises(ColumnNotFoundError, match=r"costs='labor'.*Did you mean 'labour'"):
        fit_matrix(ACCOUNTS, costs=["labor", "communication"])
    with pytest.raises(ColumnNotFoundError, match=r"no customer id column found.*account_id.*Name it with account="):
        fit_matrix(ACCOUNTS.rename({"account_id": "name"}))
    with pytest.raises(InvalidOptionError, match=r"depart_below=0.7 is above grow_above=0.6"):
        fit_matrix(ACCOUNTS, depart_below=0.7)
    with pytest.raises(InvalidOptionError, match=r"grow_above=1.5"):
        fit_matrix(ACCOUNTS, grow_above=1.5)
    with pytest.raises(InvalidOptionError, match="zero_mrr='skip'"):
        fit_matrix(ACCOUNTS, zero_mrr="skip")  # type: ignore[arg-type]
    with pytest.raises(InvalidOptionError, match="grow_rate=0"):
        fit_matrix(ACCOUNTS, grow_rate=0)
    with pytest.raises(InvalidValueError, match=r"fit_summary\(\) takes the output of fit_matrix"):
        fit_summary(ACCOUNTS)
    with pytest.raises(InvalidValueError, match=r"customers_to_depart\(\) takes the output of fit_matrix"):
        customers_to_depart(ACCOUNTS)


# --- against the reference --------------------------------------------------------------------------------------

money = st.integers(0, 2000).map(lambda cents: cents / 4)
accounts = st.dictionaries(
    st.sampled_from([f"u{i}" for i in range(12)]),
    st.tuples(st.integers(1, 4000).map(lambda c: c / 4), st.lists(money, min_size=3, max_size=3)),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(
    accounts,
    st.sampled_from([-0.5, 0.0, 0.3, 0.5]),
    st.sampled_from([0.5, 0.6, 0.9, 1.0]),
    st.one_of(
        st.none(), st.dictionaries(st.sampled_from([f"u{i}" for i in range(12)]), st.sampled_from([0.0, 2.0, 4.0, 9.5]))
    ),
)
def test_matches_the_reference(
    table: dict[str, tuple[float, list[float]]], depart_below: float, grow_above: float, rates: dict[str, float] | None
) -> None:
    frame = pl.DataFrame(
        {
            "user_id": list(table),
            "mrr": [m for m, _ in table.values()],
            **{
                name: [c[i] for _, c in table.values()]
                for i, name in enumerate(("labour", "communication", "hard_costs"))
            },
        },
        schema={
            "user_id": pl.String,
            "mrr": pl.Float64,
            "labour": pl.Float64,
            "communication": pl.Float64,
            "hard_costs": pl.Float64,
        },
    )
    usage = None
    if rates is not None:  # a log whose rate over a 30-day window is the given one: 30 * a / 30 = a active days
        rows = [(u, dt.date(2024, 1, 1), "x") for u in rates] + [("zz", dt.date(2024, 3, 30), "x")]
        rows += [(u, dt.date(2024, 3, 1 + d), "x") for u, r in rates.items() for d in range(int(r))]
        usage = read_log(pl.DataFrame(rows, schema=["user_id", "timestamp", "event"], orient="row"), now=NOW)
        rates = {u: float(int(r)) for u, r in rates.items()}
    out = fit_matrix(frame, depart_below=depart_below, grow_above=grow_above, usage=usage, window=30)
    expected = ref.fit(table, depart_below=depart_below, grow_above=grow_above, rates=rates)
    got = {r["user"]: r for r in out.iter_rows(named=True)}
    assert set(got) == set(expected)
    for user, row in expected.items():
        for name, value in row.items():
            assert got[user][name] == (value if value is None or isinstance(value, str) else pytest.approx(value)), name
    summary = {r["state"]: (r["customers"], r["mrr"], r["profit"]) for r in fit_summary(out).iter_rows(named=True)}
    for state, (n, mrr, profit) in ref.fit_summary(expected).items():
        assert summary[state] == (n, pytest.approx(mrr), pytest.approx(profit))
