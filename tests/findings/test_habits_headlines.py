"""The titles of the habits-over-time charts (stickiness.findings.habits), from hand-made tables."""

from __future__ import annotations

import datetime as dt

import polars as pl

from stickiness import chart_headline

D = dt.date


def _mix(rows: list[tuple[str, str, dt.date, dict[str, int]]]) -> pl.DataFrame:
    """A habit mix: (segment, use case, period end, users per band) -> one row per band, evaluable = their sum."""
    out = []
    for segment, use_case, end, users in rows:
        evaluable = sum(users.values())
        for band in ("daily", "weekly", "monthly", "occasional", "lapsed"):
            count = users.get(band, 0)
            out.append((segment, use_case, end, band, count, evaluable, count / evaluable if evaluable else None))
    names = ["persona", "use_case", "period_end", "band", "users", "evaluable", "share"]
    return pl.DataFrame(out, schema=names, orient="row")


def test_the_largest_move_of_the_weekly_share_is_named_with_its_segment() -> None:
    # analyst/search: (10 + 21) / 100 = 31% -> (12 + 26) / 100 = 38%: +7 points;
    # buyer/search: 50% -> 48%: -2 points; the larger move is named
    mix = _mix(
        [
            ("analyst", "search", D(2024, 1, 31), {"daily": 10, "weekly": 21, "monthly": 69}),
            ("analyst", "search", D(2024, 6, 30), {"daily": 12, "weekly": 26, "monthly": 62}),
            ("buyer", "search", D(2024, 1, 31), {"weekly": 5, "lapsed": 5}),
            ("buyer", "search", D(2024, 6, 30), {"weekly": 12, "lapsed": 13}),
        ]
    )
    headline = chart_headline("habit_mix", mix, by="persona")
    assert headline.text == (
        "At-least-weekly users of search rose from 31.0% to 38.0% of adopters among analyst (2024-01-31 to 2024-06-30)"
    )
    assert headline.segments == ("analyst",)


def test_a_fall_a_single_period_and_no_segment() -> None:
    # (all): 3 of 4 -> 1 of 4
    mix = _mix(
        [
            ("(all)", "(any)", D(2024, 1, 31), {"weekly": 3, "lapsed": 1}),
            ("(all)", "(any)", D(2024, 2, 29), {"weekly": 1, "lapsed": 3}),
        ]
    )
    assert chart_headline("habit_mix", mix).text == (
        "At-least-weekly users of (any) fell from 75.0% to 25.0% of adopters (2024-01-31 to 2024-02-29)"
    )
    one = mix.filter(pl.col("period_end") == D(2024, 2, 29))
    assert chart_headline("habit_mix", one).text == "At-least-weekly users of (any): 25.0% of adopters on 2024-02-29"


def test_band_migration_counts_more_and_less_often() -> None:
    # in a band before: 3 + 5 + 9 + 4 + 1 = 22 (new aside); weekly -> daily is more often (3); daily -> weekly (5)
    # and monthly -> lapsed (4) less often: 9; new 2, gone 1 (a monthly user: counted before, in neither direction)
    moves = pl.DataFrame(
        {
            "persona": ["p"] * 6,
            "use_case": ["search"] * 6,
            "from_band": ["weekly", "daily", "monthly", "monthly", "new", "monthly"],
            "to_band": ["daily", "weekly", "monthly", "lapsed", "monthly", "gone"],
            "users": [3, 5, 9, 4, 2, 1],
        }
    )
    assert chart_headline("band_migration", moves).text == (
        "Of 22 users of search in a band before: 3 now use it more often, 9 less often; 2 new, 1 gone"
    )
