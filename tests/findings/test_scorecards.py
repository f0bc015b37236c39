"""The scorecards in plain words (stickiness.findings.scorecards): hand-made tables, the text worked out by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from stickiness import chart_headline, scorecard_findings
from stickiness.findings import FindingOptions
from stickiness.findings.scorecards import nps_number, value_marks


def _health() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "plan": ["a", "b", "c"],
            "customers": [10, 6, 3],
            "too_new": [0, 1, 3],
            "scored": [10, 5, 0],
            "healthy": [6, 2, 0],
            "at_risk": [3, 1, 0],
            "critical": [1, 2, 0],
            "healthy_share": [0.6, 0.4, None],
            "at_risk_share": [0.3, 0.2, None],
            "critical_share": [0.1, 0.4, None],
        }
    )


def test_health_title_states_the_critical_share_each_bar_draws() -> None:
    # a: 1 of 10 scored critical (10.0%), b: 2 of 5 (40.0%), c: none scored (no bar to read): the range of the bars
    # (the total, 3 of 15, is drawn nowhere: not stated)
    assert chart_headline("health_summary", _health(), by="plan").text == (
        "Critical: from 10.0% (a) to 40.0% (b) of scored customers"
    )
    # one segment: its bar's n=10 and its share, 1 / 10 = 10.0%
    one = _health().head(1)
    assert chart_headline("health_summary", one).text == "1 of 10 scored customers (10.0%) is critical"
    # b and c, only b scored: b's counts, named: 2 / 5 = 40.0%
    assert chart_headline("health_summary", _health().tail(2), by="plan").text == (
        "2 of 5 scored customers in b (40.0%) are critical"
    )
    # nobody scored: c's 3 customers are too new
    assert chart_headline("health_summary", _health().tail(1)).text == "No customer is scored yet: 3 too new to score"


def _nps() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "plan": ["a", "b", "c"],
            "responses": [40, 50, 3],
            "nps": [37.4, -29.0, 90.0],
            "ci_low": [20.2, -45.0, 10.0],
            "ci_high": [54.6, -13.0, 100.0],
            "sufficient": [True, True, False],
        }
    )


def test_nps_title_compares_only_the_groups_with_enough_answers() -> None:
    # c has too few answers: the range is b's -29 to a's 37 (37.4 rounded)
    assert chart_headline("nps", _nps(), by="plan").text == "NPS from -29 (b) to 37 (a)"
    one = _nps().with_columns(sufficient=pl.Series([True, False, False]))
    assert chart_headline("nps", one, by="plan").text == "NPS 37 (a); the other plan values have too few answers"
    none = _nps().with_columns(sufficient=pl.lit(False))
    assert chart_headline("nps", none, by="plan").text == "NPS: no plan has enough answers to judge"


def test_nps_title_without_segments_gives_the_interval_and_the_sample_verdict() -> None:
    whole = _nps().drop("plan").head(1)  # 37.4 (20.2 to 54.6), rounded as the chart prints them
    assert chart_headline("nps", whole).text == "NPS 37 (95% interval 20 to 55)"
    few = whole.with_columns(sufficient=pl.lit(False))
    assert chart_headline("nps", few).text == "NPS 37 (95% interval 20 to 55): too few answers"
    assert [nps_number(v) for v in (-0.4, 0.5, -12.5)] == ["0", "0", "-12"]  # round half to even, never "-0"


def test_nps_title_over_time_states_the_last_period_and_the_first() -> None:
    periods = [dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)]
    table = pl.DataFrame(
        {
            "period": periods,
            "responses": [40, 40, 40],
            "nps": [-5.0, 0.0, 10.0],
            "ci_low": [-20.0, -15.0, -5.0],
            "ci_high": [10.0, 15.0, 25.0],
            "sufficient": [True, True, True],
        }
    )
    assert chart_headline("nps", table).text == "NPS 10 in Mar 2024 (from -5 in Jan 2024)"


def test_fit_title_counts_the_states_fit_matrix_decided() -> None:
    fit = pl.DataFrame({"user": list("abcde"), "state": ["depart", "grow", "keep", "depart", "grow"]})
    # depart 2, grow 2, of 5; the cut-off 0.25 as a whole percent
    options = FindingOptions(depart_below=0.25)
    assert chart_headline("fit_matrix", fit, options=options).text == (
        "2 of 5 accounts are below 25% profitability (depart); 2 to grow"
    )
    one = fit.head(1)
    assert chart_headline("fit_matrix", one).text == "1 of 1 account is below 30% profitability (depart); 0 to grow"


def _values() -> pl.DataFrame:
    return pl.DataFrame({"user": list("abcd"), "purchases": [2, 1, 1, 3], "value": [40.0, 20.0, 0.0, 100.0]})


def test_value_titles() -> None:
    # values 0, 20, 40, 100: median (20 + 40) / 2 = 30, mean 160 / 4 = 40; repeat (2+ purchases) 2 of 4 = 50%
    assert (
        chart_headline("lifetime_value", _values()).text
        == "Median lifetime value 30 (mean 40); 50% are repeat customers"
    )
    small = pl.DataFrame({"user": ["a", "b"], "purchases": [1, 1], "value": [4.5, 5.5]})  # median = mean = 5
    assert chart_headline("lifetime_value", small).text == (
        "Median lifetime value 5.00 (mean 5.00); 0% are repeat customers"
    )
    summary = pl.DataFrame(
        {
            "plan": ["a", "b", "c"],
            "customers": [3, 2, 0],
            "mean_value": [50.0, 120.0, None],
            "median_value": [40.0, 120.0, None],
            "repeat_purchase_share": [0.5, 1.0, None],
        }
    )
    # c has no customer: left out; the range of the mean is a's 50 to b's 120
    assert chart_headline("lifetime_value_summary", summary, by="plan").text == (
        "Mean lifetime value from 50 (a) to 120 (b)"
    )
    assert chart_headline("lifetime_value_summary", summary.head(1), by="plan").text == (
        "Mean lifetime value 50 (median 40); 50% are repeat customers"
    )


def test_value_title_per_segment_is_the_range_of_the_medians_each_histogram_draws() -> None:
    # plan x: a 40, d 100 -> median 70, mean 70, both repeat (100%);
    # plan y: b 20, c 0 -> median 10, mean 10, neither repeat (0%); None is its own segment: (unknown)
    values = _values().with_columns(plan=pl.Series(["x", "y", "y", "x"]))
    assert chart_headline("lifetime_value", values, by="plan").text == "Median lifetime value from 10 (y) to 70 (x)"
    assert chart_headline("lifetime_value", values).text == "Median lifetime value from 10 (y) to 70 (x)"  # found
    marks = value_marks(values, "plan")
    assert marks.select("plan", "customers", "median", "mean", "repeat_share").rows() == [
        ("x", 2, 70.0, 70.0, 1.0),
        ("y", 2, 10.0, 10.0, 0.0),
    ]
    assert marks.select("median_label", "mean_label", "repeat_label").rows() == [
        ("median 70", "mean 70", "100% repeat customers"),
        ("median 10", "mean 10", "0% repeat customers"),
    ]
    unknown = values.with_columns(pl.Series("plan", ["x", None, None, "x"]))
    assert value_marks(unknown, "plan").get_column("plan").to_list() == ["(unknown)", "x"]
    # one segment only: the overall wording, as the one histogram draws it (median 70, mean 70, 2 of 2 repeat)
    assert chart_headline("lifetime_value", values.filter(pl.col("plan") == "x"), by="plan").text == (
        "Median lifetime value 70 (mean 70); 100% are repeat customers"
    )


def test_value_marks_label_what_the_title_states() -> None:
    # as test_value_titles: median 30, mean 40, 2 of 4 repeat = 50%
    assert value_marks(_values()).select("median_label", "mean_label", "repeat_label").row(0) == (
        "median 30",
        "mean 40",
        "50% repeat customers",
    )


def test_prediction_title_counts_the_segments_above_the_majority() -> None:
    summary = pl.DataFrame({"persona": ["a", "b", "c"], "predicted": [10, 8, 0], "forgettable_share": [0.8, 0.5, None]})
    # 0.8 > 0.5: predicted forgettable; 0.5 is not above 0.5; c has no prediction
    options = FindingOptions(horizon_days=14)
    assert chart_headline("predict_forgettable", summary, by="persona", options=options).text == (
        "1 of 3 segments is predicted to be forgettable in the next 14 days"
    )
    options = FindingOptions(majority=0.4, horizon_days=14)  # 0.5 > 0.4 too
    assert chart_headline("predict_forgettable", summary, by="persona", options=options).text == (
        "2 of 3 segments are predicted to be forgettable in the next 14 days"
    )


def test_an_unknown_chart_is_a_key_error_naming_the_known_ones() -> None:
    with pytest.raises(KeyError, match=r"no headline for chart 'health'.*health_summary"):
        chart_headline("health", _health())


# --- the scorecards report's summary -----------------------------------------------------------------------------


def _tables() -> dict[str, pl.DataFrame | None]:
    nps = (
        _nps()
        .filter(pl.col("plan") != "b")
        .with_columns(
            nps=pl.Series([37.4, 10.0]),
            ci_low=pl.Series([20.2, -40.0]),
            ci_high=pl.Series([54.6, 60.0]),
            responses=pl.Series([40, 12]),
        )
    )
    fit = pl.DataFrame({"user": list("abcde"), "state": ["depart", "grow", "keep", "depart", "grow"]})
    return {
        "health_summary": _health().head(2),
        "customers_to_contact": pl.DataFrame({"user": list("vwxyz")}),
        "nps": nps,
        "fit_matrix": fit,
        "customers_to_depart": fit.filter(pl.col("state") == "depart"),
        "lifetime_value": _values(),
        "predictions": None,
    }


def test_scorecard_findings_word_each_table_in_plain_words() -> None:
    found = scorecard_findings(_tables())
    assert [f.topic for f in found.topics] == ["health", "nps", "fit", "value"]
    # a: 3 of 10 at risk (30.0%), 1 of 10 critical (10.0%); b: 1 of 5 (20.0%), 2 of 5 (40.0%)
    assert found.topic("health").sentence == (
        "Health (the share of scored customers in each band): a 30.0% at risk and 10.0% critical (3 and 1 of 10 "
        "scored); b 20.0% at risk and 40.0% critical (1 and 2 of 5 scored)."
    )
    # a has 40 answers (enough); c's 12 are fewer than 30: listed apart
    assert found.topic("nps").sentence == (
        "NPS (promoters minus detractors, from -100 to 100): a 37 (95% interval 20 to 55, 40 answers). "
        "Too few answers to judge (fewer than 30): c 10 (95% interval -40 to 60, 12 answers)."
    )
    # states: grow b, e; keep c; depart a, d
    assert found.topic("fit").sentence == (
        "Customer fit: of 5 accounts, 2 to grow, 1 to keep and 2 to depart (profitability below 30%, or no revenue)."
    )
    # as in test_value_titles: median 30, mean 40, 2 of 4 repeat
    assert found.topic("value").sentence == (
        "Lifetime value (the revenue of all a customer's purchases so far): median 30, mean 40 over 4 customers; "
        "50% are repeat customers (bought on two days or more)."
    )
    assert found.next_steps == (
        "Contact the 5 accounts in tables/customers_to_contact.csv (critical first, then the lowest score): its "
        "weakest column says what to talk about.",
        "Review the 2 accounts in tables/customers_to_depart.csv (least profitable first): renegotiate, move them "
        "to a cheaper plan, or let them go.",
        "Offer the 2 accounts to grow (state grow in tables/fit_matrix.csv) more of the product.",
        "Survey more customers where NPS has fewer than 30 answers before reading it.",
    )
    # the charts' titles, as the charts state them
    assert found.headlines["fit_matrix"].text == "2 of 5 accounts are below 30% profitability (depart); 2 to grow"
    assert found.headlines["health"].text == "Critical: from 10.0% (a) to 40.0% (b) of scored customers"
    assert set(found.headlines) == {"health", "nps", "fit_matrix", "lifetime_value"}


def test_scorecard_findings_leave_out_what_is_missing() -> None:
    found = scorecard_findings({"health_summary": None, "fit_matrix": _tables()["fit_matrix"]}, depart_below=0.2)
    assert [f.topic for f in found.topics] == ["fit"]
    assert "(profitability below 20%, or no revenue)" in found.topic("fit").sentence
    assert found.options.depart_below == 0.2
    assert scorecard_findings({}).topics == ()
