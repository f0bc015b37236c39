"""The findings (stickiness.findings): hand-made tables with the expected numbers and sentences worked out by hand."""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st_

import stickiness as st
from stickiness.findings import CHANGE_DAYS, WEEK, FindingOptions, chart_headline, report_findings

DAY0 = dt.date(2024, 1, 1)


def _daily(values: dict[str, list[float | None]], *, partial_last: bool = False) -> pl.DataFrame:
    """An active_users table by persona: one row per day from DAY0, stickiness as given, MAU 100, DAU = 100 x it."""
    rows = []
    for persona, series in values.items():
        for n, value in enumerate(series):
            dau = None if value is None else round(100 * value)
            rows.append(
                {
                    "persona": persona,
                    "day": DAY0 + dt.timedelta(days=n),
                    "dau": dau or 0,
                    "wau": 100,
                    "mau": 100 if value is not None else 0,
                    "stickiness": value,
                    "complete": n >= 29 and not (partial_last and n == len(series) - 1),
                    "partial_day": partial_last and n == len(series) - 1,
                }
            )
    return pl.DataFrame(rows, schema_overrides={"stickiness": pl.Float64})


# --- stickiness: the trailing 7-day mean on the last complete day ------------------------------------------------


def test_stickiness_is_the_7_day_mean_on_the_last_complete_day_per_segment() -> None:
    # a: 0.10 for 33 days, then 0.20, 0.30, 0.40, 0.50, 0.60, 0.70, 0.80 (40 days);
    # 7-day mean on day 40 (2024-02-09) = (0.2 + 0.3 + ... + 0.8) / 7 = 3.5 / 7 = 0.5
    # b: 0.25 every day: mean 0.25
    a = [0.1] * 33 + [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
    b = [0.25] * 40
    found = report_findings({"active_users": _daily({"a": a, "b": b})}).topic("stickiness")
    assert found.numbers.select("persona", "week_mean").sort("persona").rows() == [
        ("a", pytest.approx(0.5)),
        ("b", pytest.approx(0.25)),
    ]
    assert found.sentence.endswith("as the mean of the 7 days to 2024-02-09: a 50.0%, b 25.0%.")
    # the active-users chart states the same figure, where its lines end
    headline = chart_headline("active_users", _daily({"a": a, "b": b}))
    assert headline.text == "Stickiness on 2024-02-09, 7-day mean: from 25.0% (b) to 50.0% (a)"
    assert "7-day mean" in headline.note


def test_a_partial_last_day_is_not_headlined() -> None:
    # 41 days: the 41st (2024-02-10) is flagged partial_day (0.05): the headline day is 2024-02-09,
    # whose 7-day mean is (5 x 0.4 + 0.3 + 0.5) / 7 = 2.8 / 7 = 0.4
    series = [0.4] * 34 + [0.4, 0.4, 0.4, 0.3, 0.4, 0.5, 0.05]
    found = report_findings({"active_users": _daily({"a": series}, partial_last=True)}).topic("stickiness")
    assert found.numbers["day"].to_list() == [dt.date(2024, 2, 9)]
    assert found.numbers["week_mean"][0] == pytest.approx(0.4)
    assert "The last day, 2024-02-10, looks partial (DAU 5," in found.notes[-1]


@settings(max_examples=40, deadline=None)
@given(values=st_.lists(st_.one_of(st_.none(), st_.floats(0, 1)), min_size=1, max_size=20))
def test_the_headline_mean_is_the_plain_mean_of_the_last_seven_known_days(values: list[float | None]) -> None:
    table = _daily({"a": values})
    got = report_findings({"active_users": table}).topic("stickiness").numbers["week_mean"][0]
    window = [v for v in values[-WEEK:] if v is not None]  # the oracle: Vega's mean skips nulls, as polars' does
    assert got == (pytest.approx(statistics.fmean(window)) if window else None)


def test_what_changed_against_30_days_before() -> None:
    # a: 0.2 up to day 40 (2024-02-09), then 0.3 for 30 days to day 70 (2024-03-10): +10.0 points;
    # MAU 100 on both days: +0
    a = [0.2] * 40 + [0.3] * CHANGE_DAYS
    found = report_findings({"active_users": _daily({"a": a})}).topic("changes")
    assert found.sentence == "Against 2024-02-09, 30 days before: stickiness a 30.0% (+10.0 points); MAU a 100 (+0)."


# --- retention ------------------------------------------------------------------------------------------------------

RETAINED = pl.DataFrame(
    {
        "persona": ["big", "big", "big", "tiny", "tiny"],
        "period": [dt.date(2024, m, 1) for m in (1, 2, 3, 2, 3)],
        "active_before": [0, 100, 80, 10, 4],
        "active": [100, 80, 90, 4, 5],
        "new": [100, 0, 5, 0, 1],
        "retained": [0, 80, 70, 4, 4],
        "churned": [0, 20, 10, 6, 0],
        "returning": [0, 80, 85, 4, 4],
        "retention_rate": [None, 0.8, 85 / 80, 0.4, 1.0],
        "churn_rate": [None, 0.2, 10 / 80, 0.6, 0.0],
        "sufficient": [False, True, True, False, False],
        "complete": [True, True, True, True, True],
    }
)


def test_retention_headlines_the_latest_complete_period_and_names_the_small_segments() -> None:
    # March: big churn 10 / 80 = 12.5%, retention 85 / 80 = 106.25% (shown 106.2%), above 100% because
    # 85 returning - 70 retained = 15 came back after a gap; tiny has 4 users before (< 30): not headlined
    found = report_findings({"retention": RETAINED}, min_users=30).topic("retention")
    assert found.sentence.startswith("Retention in the month starting 2024-03-01: big churn 12.5% (retention 106.2%).")
    assert "Retention above 100% counts users back after a gap: big 15." in found.sentence
    assert "Not headlined (tiny): fewer than 30 users active in the period before." in found.sentence
    # churn against the month before, sufficient rows only: big 12.5% - 20.0% = -7.5 points
    changes = report_findings({"retention": RETAINED, "active_users": _daily({"big": [0.1] * 5})}).topic("changes")
    assert "Churn in the month starting 2024-03-01 against the one before: big 12.5% (−7.5 points)." in changes.sentence


def test_retention_headline_gives_the_churn_range_the_chart_draws() -> None:
    both = RETAINED.with_columns(sufficient=pl.lit(True))
    headline = chart_headline("retention", both)
    # March: tiny 0 / 4 = 0.0%, big 12.5%
    assert headline.text == "Churn in March 2024: from 0.0% (tiny) to 12.5% (big)"


# --- use cases ------------------------------------------------------------------------------------------------------


def _map(rows: list[tuple[str, str, float, str, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema=["persona", "use_case", "forgettable_share", "verdict", "expected_frequency"],
        orient="row",
    ).with_columns(evaluable=pl.lit(50), adoption_rate=pl.lit(0.5), ci_low=pl.lit(0.1), ci_high=pl.lit(0.9))


ZONE = _map(
    [
        ("renter", "(any)", 0.2, "not forgettable", None),
        ("renter", "valuation", 0.7, "forgettable", "monthly"),
        ("renter", "taxes", 0.9, "rare as expected", "yearly"),
        ("renter", "(unmapped)", 0.95, "not a use case", None),
    ]
)


def test_the_forgettable_zone_names_segment_and_use_case_and_sets_apart_the_expected() -> None:
    found = report_findings({"use_case_map": ZONE}, majority=0.5, threshold=1.0, habit_window=90).topic("forgettable")
    assert found.sentence == (
        "Forgettable zone (more than 50% of evaluable adopters use it less than 1 day per 30 over 90 days): "
        "renter × valuation (70.0%). Rarely used, as the catalog expects (not a finding): renter × taxes (90.0%)."
    )
    steps = report_findings({"use_case_map": ZONE}).next_steps
    assert steps[0].startswith("Remind renter of valuation: 70.0% of its evaluable adopters")


def test_drifting_users_are_counted_by_segment_and_use_case() -> None:
    drifting = pl.DataFrame(
        {
            "user": ["u1", "u2", "u1", "u3"],
            "persona": ["a", "a", "a", "b"],
            "use_case": ["x", "x", "y", "x"],
        }
    )
    found = report_findings({"drifting_users": drifting}, threshold=1.0).topic("drifting")
    # 3 distinct users; a x x: 2, then a x y: 1 and b x x: 1 (ties by name)
    assert found.sentence == (
        "Drifting: 3 users used a use case regularly before and now less than 1 day per 30 (a × x 2, a × y 1, b × x 1)."
    )


def test_without_a_catalog_the_summary_says_how_to_write_one() -> None:
    whole = _map([("renter", "(any)", 0.2, "not forgettable", None)])
    found = report_findings({"use_case_map": whole})
    note = found.topic("catalog").sentence
    assert "No use-case catalog was given" in note
    assert "`stickiness catalog EVENTS > use_cases.csv`" in note and "`--use-cases use_cases.csv`" in note
    assert any("stickiness catalog EVENTS > use_cases.csv" in step for step in found.next_steps)
    with_catalog = report_findings({"use_case_map": ZONE})
    with pytest.raises(KeyError):
        with_catalog.topic("catalog")


def test_findings_are_immutable_and_carry_their_options() -> None:
    found = report_findings({"retention": RETAINED}, min_users=7, period="month")
    assert found.options == FindingOptions(min_users=7, period="month")
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.next_steps = ()  # type: ignore[misc]
    assert found.to_markdown().startswith("## Summary\n\n- Retention in the month")
    assert '<section class="stickiness-summary"' in found._repr_html_()


def test_names_are_escaped_in_the_page() -> None:
    hostile = ZONE.with_columns(persona=pl.lit("<b>x</b>"))
    page = report_findings({"use_case_map": hostile}).to_html()
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page


# --- the demo: the sentences' numbers are the tables' ---------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_tables() -> dict[str, pl.DataFrame]:
    from stickiness.demo import demo_catalog, demo_events, demo_users

    log = st.read_log(demo_events(users=300), users=demo_users(users=300))
    catalog = st.read_catalog(demo_catalog())
    return {
        "active_users": st.active_users(log, by="persona"),
        "retention": st.retention(log, by="persona", min_users=10),
        "use_case_map": st.use_case_map(log, catalog, by="persona", min_users=10),
        "inactive_users": st.inactive_users(log, by="persona"),
    }


def test_on_the_demo_the_sentences_state_the_tables_numbers(demo_tables: dict[str, pl.DataFrame]) -> None:
    found = report_findings(demo_tables, min_users=10)
    daily = demo_tables["active_users"]
    last = daily.filter(~pl.col("partial_day"))["day"].max()
    assert isinstance(last, dt.date)
    sentence = found.topic("stickiness").sentence
    for persona in daily["persona"].unique().to_list():
        rows = daily.filter((pl.col("persona") == persona) & (pl.col("day") <= last)).sort("day").tail(WEEK)
        mean = statistics.fmean(v for v in rows["stickiness"].to_list() if v is not None)  # the oracle
        assert f"{persona} {mean:.1%}" in sentence
    retained = demo_tables["retention"].filter(pl.col("complete") & pl.col("retention_rate").is_not_null())
    latest = retained.filter((pl.col("period") == retained["period"].max()) & pl.col("sufficient"))
    for persona, churn in latest.select("persona", "churn_rate").iter_rows():
        assert f"{persona} churn {churn:.1%}" in found.topic("retention").sentence
    inactive = demo_tables["inactive_users"]
    assert found.topic("inactive").sentence.startswith(f"{inactive.height:,} users have had no activity")
