"""The summary names at most 5 items of a list (the largest) and counts the rest, with the table that lists them all.

Hand-made tables of 7 segments (or pairs); the expected sentences are worked out by hand.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from stickiness.findings import report_findings, scorecard_findings

NAMES = list("abcdefg")
FEB = dt.date(2024, 2, 1)


def test_the_forgettable_zone_names_the_5_pairs_with_the_most_evaluable_adopters() -> None:
    # 7 pairs (persona x use case), all forgettable; evaluable: a 10, b 70, c 30, d 60, e 20, f 50, g 40
    # named: b 70, d 60, f 50, g 40, c 30 (most evaluable first); 7 - 5 = 2 more
    usecase_map = pl.DataFrame(
        {
            "persona": NAMES,
            "use_case": ["x"] * 7,
            "forgettable_share": [0.6, 0.7, 0.8, 0.9, 0.55, 0.65, 0.75],
            "verdict": ["forgettable"] * 7,
            "expected_frequency": [None] * 7,
            "evaluable": [10, 70, 30, 60, 20, 50, 40],
            "adoption_rate": [0.5] * 7,
        }
    )
    found = report_findings({"use_case_map": usecase_map}).topic("forgettable")
    assert found.sentence.endswith(
        ": b × x (70.0%), d × x (90.0%), f × x (65.0%), g × x (75.0%), c × x (80.0%) "
        "and 2 more in tables/use_case_map.csv."
    )
    assert found.numbers.height == 7  # the numbers keep every pair
    # the rare-as-expected note is capped the same way
    rare = usecase_map.with_columns(verdict=pl.lit("rare as expected"), expected_frequency=pl.lit("yearly"))
    note = report_findings({"use_case_map": rare}).topic("forgettable").notes[0]
    assert note.endswith("c × x (80.0%) and 2 more in tables/use_case_map.csv.")


def test_five_pairs_are_all_named_and_nothing_is_counted() -> None:
    usecase_map = pl.DataFrame(
        {
            "persona": NAMES[:5],
            "use_case": ["x"] * 5,
            "forgettable_share": [0.6] * 5,
            "verdict": ["forgettable"] * 5,
            "expected_frequency": [None] * 5,
            "evaluable": [1, 2, 3, 4, 5],
            "adoption_rate": [0.5] * 5,
        }
    )
    sentence = report_findings({"use_case_map": usecase_map}).topic("forgettable").sentence
    assert sentence.count(" × x ") == 5 and "more in" not in sentence


def _daily() -> pl.DataFrame:
    """7 personas, 10 days each: persona i (a = 0) has stickiness 0.1 (i + 1) and MAU 10 (i + 1), on every day."""
    rows = [
        {"persona": p, "day": dt.date(2024, 1, 1) + dt.timedelta(days=d), "dau": i, "wau": 1, "mau": 10 * (i + 1)}
        for i, p in enumerate(NAMES)
        for d in range(10)
    ]
    return pl.DataFrame(rows).with_columns(
        stickiness=(pl.col("mau") / 100).cast(pl.Float64), complete=pl.lit(True), partial_day=pl.lit(False)
    )


def test_stickiness_names_the_5_segments_with_the_most_mau() -> None:
    # MAU: a 10 ... g 70: the 5 largest are c to g; listed by 7-day mean, highest first: g 70% ... c 30%
    sentence = report_findings({"active_users": _daily()}).topic("stickiness").sentence
    assert sentence.endswith(": g 70.0%, f 60.0%, e 50.0%, d 40.0%, c 30.0% and 2 more in tables/active_users.csv.")


def _retention() -> pl.DataFrame:
    """February for 7 personas: persona i has 100 (i + 1) users before and churn 0.05 (i + 1)."""
    before = [100 * (i + 1) for i in range(7)]
    churn = [0.05 * (i + 1) for i in range(7)]
    return pl.DataFrame(
        {
            "persona": NAMES,
            "period": [FEB] * 7,
            "active_before": before,
            "active": before,
            "new": [0] * 7,
            "retained": [round(b * (1 - c)) for b, c in zip(before, churn, strict=True)],
            "churned": [round(b * c) for b, c in zip(before, churn, strict=True)],
            "returning": [round(b * (1 - c)) for b, c in zip(before, churn, strict=True)],
            "retention_rate": [1 - c for c in churn],
            "churn_rate": churn,
            "sufficient": [True] * 7,
            "complete": [True] * 7,
        }
    )


def test_retention_names_the_5_segments_with_the_most_users_before() -> None:
    # the 5 largest: c (300) to g (700); listed by churn, lowest first: c 15% ... g 35%
    sentence = report_findings({"retention": _retention()}).topic("retention").sentence
    assert sentence.startswith(
        "Retention in the month starting 2024-02-01: c churn 15.0% (retention 85.0%), d churn 20.0% (retention 80.0%), "
        "e churn 25.0% (retention 75.0%), f churn 30.0% (retention 70.0%), g churn 35.0% (retention 65.0%) "
        "and 2 more in tables/retention.csv."
    )
    # too few users before (the table's verdict: none sufficient): the names are capped too
    few = _retention().with_columns(sufficient=pl.lit(False))
    sentence = report_findings({"retention": few}, min_users=1000).topic("retention").sentence
    assert "Not headlined (c, d, e, f, g and 2 more in tables/retention.csv): fewer than 1000" in sentence


def test_drifting_counts_the_pairs_beyond_5_and_says_where_they_are() -> None:
    # 7 pairs, one user each but a (3 users): a x 3 first, then b to e (1 each, by name); f and g counted
    drifting = pl.DataFrame(
        {"user": [f"u{i}" for i in range(9)], "persona": ["a", "a", "a", *NAMES[1:]], "use_case": ["x"] * 9}
    )
    sentence = report_findings({"drifting_users": drifting}).topic("drifting").sentence
    assert sentence.endswith("(a × x 3, b × x 1, c × x 1, d × x 1, e × x 1 and 2 more in tables/drifting_users.csv).")


def test_scorecards_nps_and_health_name_the_5_largest_groups() -> None:
    # NPS: plan i has 10 (i + 1) answers and NPS 10 i: sufficient all; the 5 most answers are c to g,
    # listed highest NPS first: g 60 ... c 20
    nps = pl.DataFrame(
        {
            "plan": NAMES,
            "responses": [10 * (i + 1) for i in range(7)],
            "nps": [10.0 * i for i in range(7)],
            "ci_low": [10.0 * i - 5 for i in range(7)],
            "ci_high": [10.0 * i + 5 for i in range(7)],
            "sufficient": [True] * 7,
        }
    )
    sentence = scorecard_findings({"nps": nps}).topic("nps").sentence
    named = [part.split(" ")[0] for part in sentence.split(": ", 1)[1].split("; ")]
    assert named == ["g", "f", "e", "d", "c"]
    assert sentence.endswith("30 answers) and 2 more in tables/nps.csv.")  # c (30 answers) is listed last
    # health: segment i has 10 (i + 1) scored; the 5 most scored: c to g, in the table's order
    health = pl.DataFrame(
        {
            "persona": NAMES,
            "scored": [10 * (i + 1) for i in range(7)],
            "too_new": [0] * 7,
            "at_risk": [1] * 7,
            "critical": [1] * 7,
        }
    ).with_columns(at_risk_share=1 / pl.col("scored"), critical_share=1 / pl.col("scored"))
    sentence = scorecard_findings({"health_summary": health}).topic("health").sentence
    assert sentence.count(" scored)") == 5 and "a 10.0%" not in sentence and "b 5.0%" not in sentence
    assert sentence.endswith("(1 and 1 of 70 scored) and 2 more in tables/health_summary.csv.")
