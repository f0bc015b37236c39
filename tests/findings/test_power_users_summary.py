"""The power-user curve in the summary, and the per-use-case curves and title (stickiness.findings.power_users).

Hand-made curves, the arithmetic in comments; the demo's summary line is checked against its own table.
"""

from __future__ import annotations

import polars as pl
import pytest

import stickiness as st
from stickiness import InvalidOptionError, report_findings
from stickiness.demo import demo_events, demo_users
from stickiness.findings import FindingOptions
from stickiness.findings.power_users import by_use_case_headline, power_users_finding, use_case_curves


def _curve(plan: str, users: dict[int, int], window: int = 30) -> pl.DataFrame:
    counts = [users.get(k, 0) for k in range(1, window + 1)]
    return pl.DataFrame(
        {"plan": plan, "active_days": range(1, window + 1), "users": counts, "share": [c / sum(counts) for c in counts]}
    )


# window 30, power users on 20+ days. pro: 6 users, 3 on 25 days: 50.0% (3 of 6); free: 10 users, 1 on 20 days
# (the threshold itself counts): 10.0% (1 of 10); team: 4 users, none past 19 days: 0.0% (0 of 4)
CURVES = pl.concat([_curve("pro", {1: 2, 10: 1, 25: 3}), _curve("free", {1: 8, 19: 1, 20: 1}), _curve("team", {19: 4})])


def test_the_sentence_lists_each_segment_from_the_highest_share() -> None:
    finding = power_users_finding(CURVES, FindingOptions())
    assert finding is not None
    assert finding.sentence == (
        "Power users (active on 20 or more of the last 30 days, the daily band scaled to the window): "
        "pro 50.0% of MAU (3 of 6), free 10.0% of MAU (1 of 10), team 0.0% of MAU (0 of 4)."
    )
    assert finding.numbers.select("plan", "mau", "power_users").rows() == [
        ("pro", 6, 3),
        ("free", 10, 1),
        ("team", 4, 0),
    ]


def test_the_window_is_the_tables() -> None:
    # a 7-day curve: 5+ days (20 x 7 / 30 = 4.67, rounded up); a: 1 user on 5 days of 2 users
    finding = power_users_finding(_curve("a", {1: 1, 5: 1}, window=7), FindingOptions())
    assert finding is not None and "active on 5 or more of the last 7 days" in finding.sentence
    assert "a 50.0% of MAU (1 of 2)" in finding.sentence


def test_many_segments_are_capped_and_counted() -> None:
    many = pl.concat([_curve(f"s{i}", {1: 10 + i, 25: i}) for i in range(8)])
    finding = power_users_finding(many, FindingOptions())
    assert finding is not None
    assert finding.sentence.endswith(" and 3 more in tables/power_users.csv.")
    assert "s7 " in finding.sentence and "s0 " not in finding.sentence  # the five largest by MAU are named


def test_no_rows_no_line_and_report_findings_places_it_after_stickiness() -> None:
    assert power_users_finding(CURVES.clear(), FindingOptions()) is None
    log = st.read_log(demo_events(users=200), users=demo_users(users=200))
    tables = {"active_users": st.active_users(log, by="persona"), "power_users": st.power_users(log, by="persona")}
    found = report_findings(tables, catalog=False)
    topics = [f.topic for f in found.topics]
    assert topics.index("power_users") == topics.index("stickiness") + 1 + ("changes" in topics)
    agent = tables["power_users"].filter(pl.col("persona") == "agent", pl.col("active_days") >= 20)
    mau = tables["power_users"].filter(pl.col("persona") == "agent")["users"].sum()
    assert (
        f"agent {agent['share'].sum():.1%} of MAU ({agent['users'].sum():,} of {mau:,})"
        in found.sentences()[topics.index("power_users")]
    )
    assert found.headlines["power_users"].text.startswith(f"{agent['share'].sum():.1%} of agent's MAU")


# by use case: (pro, search) 1 of 2 power users, (free, search) 1 of 3; (pro, export) 0 of 1, (free, export) 1 of 4
BY_USE_CASE = pl.concat(
    [
        _curve("pro", {1: 1, 25: 1}).with_columns(use_case=pl.lit("search")),
        _curve("free", {1: 2, 20: 1}).with_columns(use_case=pl.lit("search")),
        _curve("pro", {2: 1}).with_columns(use_case=pl.lit("export")),
        _curve("free", {21: 1, 1: 3}).with_columns(use_case=pl.lit("export")),
        _curve("pro", {30: 5}).with_columns(use_case=pl.lit("(unmapped)")),
    ]
).select("plan", "use_case", "active_days", "users", "share")


def test_use_case_curves_pool_the_segments_or_keep_one() -> None:
    pooled = use_case_curves(BY_USE_CASE)
    assert set(pooled["use_case"]) == {"search", "export"}  # (unmapped) is not a use case
    search = pooled.filter(pl.col("use_case") == "search", pl.col("users") > 0)
    assert search.select("active_days", "users").rows() == [(1, 3), (20, 1), (25, 1)]  # 1 + 2 on 1 day, of 5
    assert search["share"].to_list() == pytest.approx([3 / 5, 1 / 5, 1 / 5])
    free = use_case_curves(BY_USE_CASE, segment="free").filter(pl.col("users") > 0)
    assert free.select("use_case", "active_days", "users").rows() == [
        ("export", 1, 3),
        ("export", 21, 1),
        *[
            ("search", 1, 2),
            ("search", 20, 1),
        ],
    ]
    with pytest.raises(InvalidOptionError, match=r"segment='team'.*free, pro"):
        use_case_curves(BY_USE_CASE, segment="team")


def test_the_by_use_case_title() -> None:
    # pooled: search 2 of 5 = 40.0%, export 1 of 5 = 20.0%; pro alone: search 1 of 2 = 50.0%, export 0 of 1
    assert by_use_case_headline(BY_USE_CASE, "plan", FindingOptions()).text == (
        "40.0% of search's users were active 20+ days of 30, 20.0% of export's"
    )
    pro = by_use_case_headline(BY_USE_CASE.filter(pl.col("plan") == "pro"), "plan", FindingOptions())
    assert pro.text == "pro: 50.0% of search's users were active 20+ days of 30, 0.0% of export's"
    assert pro.segments == ("pro",) and "pro only" in pro.note
    assert st.chart_headline("power_users_by_use_case", BY_USE_CASE, by="plan").text.startswith("40.0% of search's")


def test_without_a_users_table_no_segment_is_named() -> None:
    # power_users_by_use_case puts every user in "(all)" without a users table: the title names no segment
    alone = BY_USE_CASE.filter(pl.col("plan") == "pro").with_columns(plan=pl.lit("(all)"))
    headline = by_use_case_headline(alone, "plan", FindingOptions())
    assert headline.text == "50.0% of search's users were active 20+ days of 30, 0.0% of export's"
    assert headline.segments == () and "all segments together" in headline.note
