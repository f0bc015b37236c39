"""rfm_summary: frequency, recency, T and mean spend per user (and use case), on every engine."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from stickiness import read_catalog, read_log
from stickiness.exceptions import ColumnNotFoundError, InvalidOptionError, InvalidValueError
from stickiness.models import rfm_summary

from .conftest import NOW, frame

D = dt.date
EVENTS = [
    ("a", "2024-01-01T09:00:00", "open"),
    ("a", "2024-01-01T18:00:00", "search"),  # the same day: one active day
    ("a", "2024-01-15T10:00:00", "open"),
    ("a", "2024-01-15T10:00:00", "open"),  # an exact duplicate row
    ("a", "2024-02-10T10:00:00", "open"),  # after the calibration end
    ("b", "2024-01-08T12:00:00", "open"),
    ("c", "2024-02-01T12:00:00", "search"),  # first active after the calibration end: left out
]
USERS = pl.DataFrame({"user_id": ["a", "c"], "persona": ["pro", "casual"]})
END = D(2024, 1, 29)
REVENUE = pl.DataFrame(
    {
        "user_id": ["a", "a", "a", "a", "a", "b"],
        "timestamp": [
            "2024-01-01T09:00:00",
            "2024-01-01T18:00:00",
            "2024-01-15T10:00:00",
            "2024-01-15T10:00:00",
            "2024-02-10T10:00:00",
            "2024-01-08T12:00:00",
        ],
        "amount": [10.0, 5.0, 7.0, 3.0, 100.0, 4.0],
    }
)


def _log(engine: str) -> object:
    return read_log(frame(EVENTS), users=USERS, engine=engine, now=NOW)


def test_hand_made_summary(engine: str) -> None:
    summary = rfm_summary(_log(engine), calibration_end=END, unit_days=7)
    assert summary.columns == ["user", "first_day", "last_day", "frequency", "recency", "T"]
    assert summary.rows() == [
        ("a", D(2024, 1, 1), D(2024, 1, 15), 1, 2.0, 4.0),
        ("b", D(2024, 1, 8), D(2024, 1, 8), 0, 0.0, 3.0),
    ]
    in_days = rfm_summary(_log(engine), calibration_end=END)
    assert in_days.select("recency", "T").rows() == [(14.0, 28.0), (0.0, 21.0)]
    # default calibration end: the log's as_of (2024-02-10); c joins, a's February day counts
    full = rfm_summary(_log(engine))
    assert full.select("user", "frequency", "recency", "T").rows() == [
        ("a", 2, 40.0, 40.0),
        ("b", 0, 0.0, 33.0),
        ("c", 0, 0.0, 9.0),
    ]


def test_by_segment_and_catalog(engine: str) -> None:
    catalog = read_catalog(pl.DataFrame({"event": ["open", "search"], "use_case": ["use", "find"]}))
    summary = rfm_summary(_log(engine), catalog, calibration_end=END, by="persona")
    assert summary.columns == ["user", "persona", "use_case", "first_day", "last_day", "frequency", "recency", "T"]
    assert summary.select("persona", "use_case", "user", "frequency", "recency", "T").rows() == [
        ("(unknown)", "(any)", "b", 0, 0.0, 21.0),
        ("(unknown)", "use", "b", 0, 0.0, 21.0),
        ("pro", "(any)", "a", 1, 14.0, 28.0),
        ("pro", "find", "a", 0, 0.0, 28.0),
        ("pro", "use", "a", 1, 14.0, 28.0),
    ]


def test_revenue_is_summed_per_day_and_averaged_over_repeat_days(engine: str) -> None:
    summary = rfm_summary(_log(engine), calibration_end=END, revenue=REVENUE, revenue_column="amount")
    # a: repeat day Jan 15 = 7 + 3 (both rows: the log's duplicate is a second purchase); b: no repeat day
    assert summary.select("user", "frequency", "monetary_value").rows() == [("a", 1, 10.0), ("b", 0, None)]
    # a revenue row on a day the user is not active in the log is not counted (Jan 20)
    extra = pl.concat(
        [REVENUE, pl.DataFrame({"user_id": ["a"], "timestamp": ["2024-01-20T10:00:00"], "amount": [50.0]})]
    )
    again = rfm_summary(_log(engine), calibration_end=END, revenue=extra, revenue_column="amount")
    assert again["monetary_value"].to_list() == [10.0, None]


def test_schema_on_an_empty_log(engine: str) -> None:
    rows = pl.DataFrame(
        {"user_id": [None], "timestamp": ["2024-01-01"], "event": ["open"]}, schema_overrides={"user_id": pl.String}
    )
    empty = read_log(rows, users=USERS, engine=engine, now=NOW)
    summary = rfm_summary(empty, by="persona", revenue=REVENUE, revenue_column="amount")
    assert summary.height == 0
    assert summary.schema == pl.Schema(
        {
            "user": pl.String,
            "persona": pl.String,
            "first_day": pl.Date,
            "last_day": pl.Date,
            "frequency": pl.Int64,
            "recency": pl.Float64,
            "T": pl.Float64,
            "monetary_value": pl.Float64,
        }
    )
    before = rfm_summary(_log(engine), calibration_end=D(2023, 12, 31))
    assert before.height == 0 and before.columns == ["user", "first_day", "last_day", "frequency", "recency", "T"]


def test_input_is_not_mutated() -> None:
    events, revenue = frame(EVENTS), REVENUE.clone()
    rfm_summary(read_log(events, now=NOW), calibration_end=END, revenue=revenue, revenue_column="amount")
    assert events.equals(frame(EVENTS)) and revenue.equals(REVENUE)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"calibration_end": "2024-03-01"}, InvalidOptionError, r"calibration_end=2024-03-01 is after the log's last"),
        ({"calibration_end": "soon"}, InvalidOptionError, r"calibration_end='soon' is not a date"),
        ({"unit_days": 0}, InvalidOptionError, r"unit_days=0: use a number of days > 0"),
        ({"unit_days": "7"}, InvalidOptionError, r"unit_days='7'"),
        ({"by": "plan"}, ColumnNotFoundError, r"by='plan': the users table has no column 'plan'"),
        ({"revenue": REVENUE}, ColumnNotFoundError, r"no revenue column 'revenue'.*pass revenue_column"),
        (
            {"revenue": REVENUE.rename({"user_id": "uid"}), "revenue_column": "amount"},
            ColumnNotFoundError,
            r"no user column 'user_id'",
        ),
        (
            {"revenue": REVENUE.with_columns(pl.col("amount").cast(pl.String)), "revenue_column": "amount"},
            InvalidValueError,
            r"'amount' is String, not numbers",
        ),
        (
            {
                "revenue": REVENUE.with_columns(amount=pl.Series([1.0, -2.0, 1.0, 1.0, 1.0, 1.0])),
                "revenue_column": "amount",
            },
            InvalidValueError,
            r"1 negative values: net refunds",
        ),
        (
            {
                "revenue": REVENUE.with_columns(amount=pl.Series([1.0, None, 1.0, 1.0, 1.0, 1.0])),
                "revenue_column": "amount",
            },
            InvalidValueError,
            r"1 null values",
        ),
        (
            {"revenue": REVENUE, "revenue_column": "amount", "catalog": {"use_cases": {"x": {"events": ["open"]}}}},
            InvalidOptionError,
            r"revenue= with a catalog",
        ),
    ],
)
def test_bad_options_are_clear_errors(options: dict[str, object], error: type, message: str) -> None:
    catalog = options.pop("catalog", None)
    with pytest.raises(error, match=message):
        rfm_summary(_log("polars"), catalog, **options)  # type: ignore[arg-type]
