"""Lifetime value (docs/scorecards.md, "Lifetime value"): the worked example, segments, a plain-Python reference
on generated transactions, the real CDNOW log, the output schema on tiny and empty inputs, and bad input."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stickiness import ColumnNotFoundError, read_log
from stickiness.scorecards import InvalidValueError, lifetime_value, lifetime_value_summary
from stickiness.scorecards.value import VALUE_COLUMNS, VALUE_SUMMARY_COLUMNS

from . import reference_scorecards as ref
from .conftest import NOW, SHARED

D = dt.date
ORDERS = pl.DataFrame(
    {
        "customer_id": ["a", "a", "a", "b", "c"],
        "timestamp": [D(2024, 1, 1), D(2024, 1, 1), D(2024, 2, 1), D(2024, 1, 5), D(2024, 3, 1)],
        "revenue": [10.0, 5.0, 25.0, 20.0, 0.0],
        "category_spend": [100.0, 100.0, 100.0, None, 50.0],
    }
)


def test_worked_example() -> None:
    out = lifetime_value(ORDERS, category_spend="category_spend")
    assert dict(out.schema) == {"user": pl.String(), **VALUE_COLUMNS}
    assert out.select(
        "user",
        "transactions",
        "purchases",
        "value",
        "repeat_value",
        "average_purchase",
        "category_spend",
        "share_of_wallet",
    ).rows() == [
        ("a", 3, 2, 40.0, 25.0, 20.0, 100.0, 0.4),
        ("b", 1, 1, 20.0, 0.0, 20.0, None, None),
        ("c", 1, 1, 0.0, 0.0, 0.0, 50.0, 0.0),
    ]
    assert out.select("first_purchase", "last_purchase").row(0) == (D(2024, 1, 1), D(2024, 2, 1))
    summary = lifetime_value_summary(out)
    assert dict(summary.schema) == VALUE_SUMMARY_COLUMNS
    row = summary.row(0, named=True)
    assert (row["customers"], row["value"], row["mean_value"], row["median_value"], row["repeat_customers"]) == (
        3,
        60.0,
        20.0,
        20.0,
        1,
    )
    assert row["repeat_purchase_share"] == pytest.approx(1 / 3)
    assert row["repeat_value_share"] == pytest.approx(25 / 60)
    assert row["share_of_wallet"] == pytest.approx(40 / 150)
    without = lifetime_value(ORDERS)
    assert without["share_of_wallet"].null_count() == 3
    assert lifetime_value_summary(without)["share_of_wallet"].item() is None


def test_segments_from_a_users_table_or_the_transactions() -> None:
    users = pl.DataFrame({"customer_id": ["a", "b"], "persona": ["buyer", "owner"]})
    out = lifetime_value(ORDERS, by="persona", users=users)
    assert out.columns == ["user", "persona", *VALUE_COLUMNS]
    assert out.select("persona", "user").rows() == [("(unknown)", "c"), ("buyer", "a"), ("owner", "b")]
    summary = lifetime_value_summary(out, by="persona")
    assert summary.select("persona", "customers", "value").rows() == [
        ("(unknown)", 1, 0.0),
        ("buyer", 1, 40.0),
        ("owner", 1, 20.0),
    ]
    assert summary.filter(pl.col("persona") == "(unknown)")["repeat_value_share"].item() is None  # value 0
    log = read_log(
        pl.DataFrame({"user_id": ["a"], "timestamp": ["2024-01-01"], "event": ["x"]}),
        users=users.rename({"customer_id": "user_id"}),
        now=NOW,
    )
    assert lifetime_value(ORDERS, by="persona", users=log).equals(out)
    own = ORDERS.with_columns(plan=pl.Series(["pro", "pro", "pro", "free", None]))
    assert lifetime_value(own, by="plan").select("user", "plan").rows() == [
        ("c", "(unknown)"),
        ("b", "free"),
        ("a", "pro"),
    ]
    with pytest.raises(InvalidValueError, match=r"'plan' holds more than one value for 1 customers \(e.g. \['a'\]\)"):
        lifetime_value(own.with_columns(plan=pl.Series(["pro", "free", "pro", "free", None])), by="plan")


def test_same_day_purchases_merge_in_the_time_zone() -> None:
    orders = pl.DataFrame(
        {"user_id": ["a", "a"], "timestamp": ["2024-01-01T23:00:00Z", "2024-01-02T01:00:00Z"], "revenue": [1.0, 2.0]}
    )
    assert lifetime_value(orders)["purchases"].item() == 2
    ny = lifetime_value(orders, tz="America/New_York").row(0, named=True)
    assert (ny["purchases"], ny["repeat_value"], ny["first_purchase"]) == (1, 0.0, D(2024, 1, 1))


def test_empty_transactions_give_the_documented_columns(tmp_path: Path) -> None:
    out = lifetime_value(ORDERS.clear(), category_spend="category_spend")
    assert out.height == 0
    assert dict(out.schema) == {"user": pl.String(), **VALUE_COLUMNS}
    summary = lifetime_value_summary(out)
    assert summary.height == 0
    assert dict(summary.schema) == VALUE_SUMMARY_COLUMNS
    path = tmp_path / "orders.csv"
    ORDERS.write_csv(path)
    assert lifetime_value(path, category_spend="category_spend").equals(
        lifetime_value(ORDERS, category_spend="category_spend")
    )


# --- bad input ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "values", "message"),
    [
        (
            "revenue",
            [10.0, -5.0, 25.0, 20.0, 0.0],
            r"'revenue' \(revenue=\) must not be negative: row 2 \(-5.0\).*refunds",
        ),
        ("revenue", [10.0, 5.0, None, 20.0, 0.0], r"'revenue' \(revenue=\) is empty on row 3"),
        ("revenue", ["10", "5", "25", "20 EUR", "0"], r"not numbers: row 4 \('20 EUR'\)"),
        (
            "timestamp",
            ["2024-01-01", "later", "2024-01-02", None, "2024-01-03"],
            r"'timestamp' \(time=\) is empty or unreadable on rows 2 \('later'\), 4 \(None\)",
        ),
        ("customer_id", ["a", None, "a", "b", "c"], r"'customer_id' \(user=\) is empty on row 2"),
        ("category_spend", [100.0, 90.0, 100.0, None, 50.0], r"'category_spend' holds more than one value"),
        (
            "category_spend",
            [30.0, 30.0, 30.0, None, 50.0],
            r"category spend \(category_spend=\) is below the customer's value with us for 1 customers, "
            r"e.g. 'a' \(40 > 30\)",
        ),
        (
            "category_spend",
            [-1.0, -1.0, -1.0, None, 50.0],
            r"'category_spend' \(category_spend=\) must not be negative",
        ),
    ],
)
def test_bad_values_name_the_column_and_rows(column: str, values: list[object], message: str) -> None:
    with pytest.raises(InvalidValueError, match=message):
        lifetime_value(ORDERS.with_columns(pl.Series(column, values)), category_spend="category_spend")


def test_missing_columns() -> None:
    with pytest.raises(ColumnNotFoundError, match=r"revenue='revenue'.*Did you mean 'Revenue'.*Pass revenue="):
        lifetime_value(ORDERS.rename({"revenue": "Revenue"}))
    with pytest.raises(ColumnNotFoundError, match=r"category_spend='wallet'.*Columns found"):
        lifetime_value(ORDERS, category_spend="wallet")
    with pytest.raises(ColumnNotFoundError, match=r"no time column found.*Name it with time="):
        lifetime_value(ORDERS.rename({"timestamp": "paid_on"}))
    with pytest.raises(ColumnNotFoundError, match="no customer id column found"):
        lifetime_value(ORDERS.rename({"customer_id": "who"}))
    with pytest.raises(InvalidValueError, match=r"lifetime_value_summary\(\) takes the output of lifetime_value"):
        lifetime_value_summary(ORDERS)
    with pytest.raises(InvalidValueError, match="with the same by="):
        lifetime_value_summary(lifetime_value(ORDERS), by="persona")


# --- against the reference --------------------------------------------------------------------------------------

transactions = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.integers(0, 40), st.integers(0, 400).map(lambda c: c / 4)),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(transactions, st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), st.integers(0, 100)))
def test_matches_the_reference(rows: list[tuple[str, int, float]], extra: dict[str, int]) -> None:
    start = D(2024, 1, 1)
    days = [(u, start + dt.timedelta(days=k), r) for u, k, r in rows]
    totals: dict[str, float] = defaultdict(float)
    for u, _, r in days:
        totals[u] += r
    spend = {u: totals[u] + e for u, e in extra.items()}  # at least the value
    frame = pl.DataFrame(
        {
            "user_id": [u for u, _, _ in days],
            "timestamp": [d for _, d, _ in days],
            "revenue": [r for _, _, r in days],
            "spend": [spend.get(u) for u, _, _ in days],
        },
        schema={"user_id": pl.String, "timestamp": pl.Date, "revenue": pl.Float64, "spend": pl.Float64},
    )
    out = lifetime_value(frame, category_spend="spend")
    expected = ref.lifetime_value(days, {u: spend.get(u) for u in totals})
    got = {r["user"]: r for r in out.iter_rows(named=True)}
    assert set(got) == set(expected)
    for user, row in expected.items():
        for name, value in row.items():
            assert got[user][name] == (value if value is None or isinstance(value, (int, D)) else pytest.approx(value))
    if expected:
        summary = lifetime_value_summary(out).row(0, named=True)
        for name, value in ref.value_summary(expected).items():
            assert summary[name] == (value if value is None or isinstance(value, int) else pytest.approx(value)), name


# --- a real purchase log ----------------------------------------------------------------------------------------

CDNOW = SHARED / "data" / "cdnow" / "CDNOW_master.txt"


@pytest.mark.skipif(not CDNOW.exists(), reason=f"the CDNOW log is not at {CDNOW} (../shared/data/cdnow/)")
def test_cdnow_against_a_plain_loop_over_the_file() -> None:
    text = CDNOW.read_text()
    csv = re.sub(r"[ \t]+", ",", re.sub(r"^[ \t]+", "", text, flags=re.M))
    orders = pl.read_csv(csv.encode(), schema_overrides={"date": pl.String, "customer_id": pl.String})
    out = lifetime_value(orders, time="date", revenue="dollar_value")
    value: dict[str, float] = defaultdict(float)
    days: dict[str, set[str]] = defaultdict(set)
    for line in text.splitlines()[1:]:
        customer, date, _, dollars = line.split()
        value[customer] += float(dollars)
        days[customer].add(date)
    assert out.height == len(value) == 23_570
    got = dict(out.select("user", "value").rows())
    assert all(got[c] == pytest.approx(v) for c, v in value.items())
    summary = lifetime_value_summary(out).row(0, named=True)
    repeat = len([c for c, d in days.items() if len(d) >= 2])
    assert summary["repeat_customers"] == repeat == 11_516
    assert summary["value"] == pytest.approx(sum(value.values())) == pytest.approx(2_500_315.63)
    assert round(summary["repeat_value_share"], 3) == 0.686  # docs/scorecards.md
