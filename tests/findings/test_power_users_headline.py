"""The power-user curve's title (stickiness.findings.headlines): the share of MAU active on 20+ days of 30, scaled."""

from __future__ import annotations

import polars as pl

from stickiness import chart_headline
from stickiness.findings.headlines import power_user_days


def _curve(segment: str, users: dict[int, int], window: int = 7) -> pl.DataFrame:
    """A power-user curve as power_users gives it: every k = 1 .. window, share = users / the segment's MAU."""
    counts = [users.get(k, 0) for k in range(1, window + 1)]
    mau = sum(counts)
    return pl.DataFrame(
        {
            "plan": segment,
            "active_days": list(range(1, window + 1)),
            "users": counts,
            "share": [count / mau for count in counts],
        }
    )


def test_power_user_days_scale_the_daily_band_edge() -> None:
    # 20 days per 30: 20 * 7 / 30 = 4.67 -> 5; 20 * 28 / 30 = 18.67 -> 19; 20 * 30 / 30 = 20 exactly
    assert [power_user_days(window) for window in (7, 28, 30)] == [5, 19, 20]


def test_the_title_names_the_highest_and_lowest_share_of_power_users() -> None:
    # window 7: power users have 5+ days. pro: 2 users on 1 day, 1 on 5, 1 on 7: 2 of 4 = 50.0%;
    # free: 3 users on 1 day, 1 on 6: 1 of 4 = 25.0%
    table = pl.concat([_curve("pro", {1: 2, 5: 1, 7: 1}), _curve("free", {1: 3, 6: 1})])
    headline = chart_headline("power_users", table, by="plan")
    assert headline.text == "50.0% of pro's MAU were active 5+ days of 7, 25.0% of free's"
    assert headline.segments == ("pro", "free")


def test_without_segments_the_title_states_the_share_of_mau() -> None:
    # 30 days, power users 20+: 3 users on 4 days, 1 on 20: 1 of 4 = 25.0% (a user on 19 days would not count)
    table = _curve("x", {4: 3, 20: 1}, window=30).drop("plan")
    assert chart_headline("power_users", table).text == "25.0% of MAU were active 20+ days of 30"
