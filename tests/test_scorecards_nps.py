"""NPS (docs/scorecards.md, "NPS"): the worked examples, a plain-Python reference on generated answers,
the output schema on tiny and empty inputs, and every class of bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stickiness import ColumnNotFoundError, InvalidOptionError, read_log
from stickiness.scorecards import InvalidValueError, nps
from stickiness.scorecards.nps import NPS_COLUMNS

from . import reference_scorecards as ref
from .conftest import NOW

COLUMNS = list(NPS_COLUMNS)
TEN = [10, 10, 9, 9, 9, 8, 7, 6, 3, 0]
RESPONSES = pl.DataFrame(
    {
        "user_id": ["a", "b", "c", "d", "e", "x"],
        "submitted_at": ["2024-01-05", "2024-01-20", "2024-02-02", "2024-02-10", "2024-02-11", "2024-02-12"],
        "score": ["10", "6", "9", "8", "", "3"],
    }
)
USERS = pl.DataFrame({"user_id": ["a", "b", "c", "d", "e"], "persona": ["buyer", "buyer", "owner", "owner", "owner"]})


def test_ten_answers_by_hand() -> None:
    out = nps(pl.DataFrame({"score": TEN}), min_responses=10)
    assert out.columns == COLUMNS
    row = out.row(0, named=True)
    assert (row["responses"], row["blank"], row["promoters"], row["passives"], row["detractors"]) == (10, 0, 5, 2, 3)
    assert (row["promoter_share"], row["detractor_share"], row["nps"]) == (0.5, pytest.approx(0.3), 20.0)
    # var = (0.5 + 0.3 - 0.2^2) / 10 = 0.076; half = 1.959964 * 100 * sqrt(0.076) = 54.0325
    assert row["ci_low"] == pytest.approx(20 - 54.0325, abs=1e-3)
    assert row["ci_high"] == pytest.approx(20 + 54.0325, abs=1e-3)
    assert row["sufficient"] is True
    assert nps(pl.DataFrame({"score": TEN})).row(0, named=True)["sufficient"] is False  # 10 < 30


def test_by_persona_and_month_by_hand() -> None:
    out = nps(RESPONSES, by="persona", users=USERS, period="month", time="submitted_at", min_responses=2)
    assert out.columns == ["persona", "period", *COLUMNS]
    rows = {(r["persona"], r["period"]): r for r in out.iter_rows(named=True)}
    assert list(rows) == [  # sorted
        ("(unknown)", dt.date(2024, 2, 1)),
        ("buyer", dt.date(2024, 1, 1)),
        ("owner", dt.date(2024, 2, 1)),
    ]
    buyer = rows[("buyer", dt.date(2024, 1, 1))]
    assert (buyer["responses"], buyer["nps"], buyer["ci_low"], buyer["ci_high"], buyer["sufficient"]) == (
        2,
        0.0,
        -100.0,
        100.0,
        True,
    )  # var = 1/2: +-138.6, clipped
    owner = rows[("owner", dt.date(2024, 2, 1))]
    assert (owner["responses"], owner["blank"], owner["promoters"], owner["passives"], owner["nps"]) == (
        2,
        1,
        1,
        1,
        50.0,
    )
    assert owner["ci_low"] == pytest.approx(50 - 1.959964 * 100 * (0.125**0.5), abs=1e-4)  # -19.30
    assert owner["ci_high"] == 100.0
    unknown = rows[("(unknown)", dt.date(2024, 2, 1))]
    assert (unknown["nps"], unknown["ci_low"], unknown["ci_high"], unknown["sufficient"]) == (-100, -100, -100, False)


def test_users_from_a_log_and_by_a_column_of_the_answers() -> None:
    events = pl.DataFrame({"user_id": ["a", "c"], "timestamp": ["2024-01-01", "2024-01-02"], "event": ["x", "x"]})
    log = read_log(events, users=USERS, now=NOW)
    from_log = nps(RESPONSES, by="persona", users=log, min_responses=1)
    assert dict(from_log.select("persona", "responses").rows()) == {"(unknown)": 1, "buyer": 2, "owner": 2}
    own = RESPONSES.with_columns(channel=pl.Series(["app", "app", "mail", None, "mail", ""]))
    by_channel = nps(own.drop("user_id"), by="channel", users=USERS)  # its own column: no user column needed
    assert dict(by_channel.select("channel", "responses").rows()) == {"(unknown)": 2, "app": 2, "mail": 1}


def test_periods_weeks_start_on_monday_and_time_zones_move_days() -> None:
    answers = pl.DataFrame(
        {
            "timestamp": ["2024-03-03T12:00:00Z", "2024-03-04T02:00:00Z", "2024-12-31T23:30:00Z"],
            "score": [10, 0, 9],
        }
    )
    weeks = nps(answers, period="week")
    assert weeks["period"].to_list() == [dt.date(2024, 2, 26), dt.date(2024, 3, 4), dt.date(2024, 12, 30)]
    ny = nps(answers, period="week", tz="America/New_York")  # Mar 4 02:00Z is Mar 3 in New York
    assert ny.select("period", "responses").rows() == [(dt.date(2024, 2, 26), 2), (dt.date(2024, 12, 30), 1)]
    years = nps(answers, period="year")
    assert years.select("period", "responses").rows() == [(dt.date(2024, 1, 1), 3)]
    quarters = nps(answers, period="quarter", tz="Asia/Tokyo")  # Dec 31 23:30Z is Jan 1 2025 in Tokyo
    assert quarters["period"].to_list() == [dt.date(2024, 1, 1), dt.date(2025, 1, 1)]


def test_confidence_level_and_sources(tmp_path: Path) -> None:
    answers = pl.DataFrame({"score": TEN})
    narrow = nps(answers, confidence=0.8).row(0, named=True)
    wide = nps(answers).row(0, named=True)
    assert wide["ci_low"] < narrow["ci_low"] < 20 < narrow["ci_high"] < wide["ci_high"]
    path = tmp_path / "answers.csv"
    answers.write_csv(path)
    assert nps(path).equals(nps(answers))
    assert nps(answers.to_pandas()).equals(nps(answers))
    assert nps(answers.to_arrow()).equals(nps(answers))


# --- schema -----------------------------------------------------------------------------------------------------


def test_empty_answers_give_no_rows_with_the_documented_columns() -> None:
    empty = pl.DataFrame(schema={"user_id": pl.String, "timestamp": pl.Date, "score": pl.Int64})
    users = pl.DataFrame(schema={"user_id": pl.String, "persona": pl.String})
    for kwargs, extra in [
        ({}, {}),
        ({"by": "persona", "users": users, "period": "month"}, {"persona": pl.String(), "period": pl.Date()}),
    ]:
        out = nps(empty, **kwargs)  # type: ignore[arg-type]
        assert out.height == 0
        assert dict(out.schema) == {**extra, **NPS_COLUMNS}


def test_blanks_only() -> None:
    row = nps(pl.DataFrame({"score": [None, None]}, schema={"score": pl.Int64})).row(0, named=True)
    assert (row["responses"], row["blank"], row["nps"], row["ci_low"], row["sufficient"]) == (0, 2, None, None, False)


# --- bad input ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "named"),
    [
        (["10", "11", "7"], "row 2 ('11')"),
        (["-1", "7"], "row 1 ('-1')"),
        (["7.5", "8"], "row 1 ('7.5')"),
        (["ten", "8"], "row 1 ('ten')"),
        ([10.0, float("nan")], "row 2"),
        ([3, 12, 15, 2, 99, 11, 10, 100], "rows 2 (12), 3 (15), 5 (99), 6 (11), 8 (100) (5 of 8 rows"),
    ],
)
def test_scores_outside_0_to_10_name_the_column_and_rows(scores: list[object], named: str) -> None:
    with pytest.raises(InvalidValueError) as err:
        nps(pl.DataFrame({"answer": scores}), score="answer")
    assert "'answer'" in str(err.value)
    assert named in str(err.value)


def test_missing_columns_and_bad_options() -> None:
    with pytest.raises(ColumnNotFoundError, match=r"score='score'.*Did you mean 'Score'.*Columns found.*Pass score="):
        nps(pl.DataFrame({"Score": [1]}))
    with pytest.raises(ColumnNotFoundError, match=r"no time column.*Name it with time="):
        nps(pl.DataFrame({"score": [1], "when": ["2024-01-01"]}), period="month")
    with pytest.raises(ColumnNotFoundError, match=r"by='persona'.*no users table was given"):
        nps(pl.DataFrame({"score": [1]}), by="persona")
    with pytest.raises(ColumnNotFoundError, match=r"no customer id column found.*Name it with user="):
        nps(pl.DataFrame({"score": [1]}), by="persona", users=USERS)
    with pytest.raises(ColumnNotFoundError, match=r"by='plan'.*users table has no column 'plan'"):
        nps(RESPONSES, by="plan", users=USERS)
    with pytest.raises(InvalidOptionError, match="period='fortnight'"):
        nps(RESPONSES, period="fortnight")  # type: ignore[arg-type]
    with pytest.raises(InvalidOptionError, match="min_responses=0"):
        nps(RESPONSES, min_responses=0)
    with pytest.raises(InvalidOptionError, match="confidence=95"):
        nps(RESPONSES, confidence=95)
    with pytest.raises(
        InvalidValueError,
        match=r"column 'submitted_at' \(time=\) is empty or unreadable on rows 2 \('soon'\), 3 \(None\)",
    ):
        nps(
            RESPONSES.with_columns(pl.Series("submitted_at", ["2024-01-01", "soon", None, "2024-01-01", "x", "y"])),
            period="month",
            time="submitted_at",
        )
    with pytest.raises(InvalidValueError, match="users on more than one row"):
        nps(RESPONSES, by="persona", users=pl.concat([USERS, USERS.head(1)]))


# --- against the reference --------------------------------------------------------------------------------------

answers = st.lists(
    st.tuples(st.sampled_from(["p", "q", "r"]), st.integers(0, 2), st.one_of(st.none(), st.integers(0, 10))),
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(answers, st.integers(1, 10), st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_matches_the_reference(rows: list[tuple[str, int, int | None]], min_responses: int, confidence: float) -> None:
    frame = pl.DataFrame(
        {
            "segment": [r[0] for r in rows],
            "timestamp": [dt.date(2024, 1 + r[1], 15) for r in rows],
            "score": [r[2] for r in rows],
        },
        schema={"segment": pl.String, "timestamp": pl.Date, "score": pl.Int64},
    )
    out = nps(frame, by="segment", period="month", min_responses=min_responses, confidence=confidence)
    expected = ref.nps(
        [((s, dt.date(2024, 1 + m, 1)), score) for s, m, score in rows],
        min_responses=min_responses,
        confidence=confidence,
    )
    got = {(r["segment"], r["period"]): r for r in out.iter_rows(named=True)}
    assert set(got) == set(expected)
    for key, row in expected.items():
        for name, value in row.items():
            assert got[key][name] == (
                value if value is None or isinstance(value, (bool, int)) else pytest.approx(value)
            )
            if got[key]["nps"] is not None:
                assert -100 <= got[key]["ci_low"] <= got[key]["nps"] <= got[key]["ci_high"] <= 100
