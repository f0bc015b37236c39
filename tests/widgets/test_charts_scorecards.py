"""The scorecard and prediction charts: spec structure (snapshots), Vega-Lite v5 and v6, findings, input checks."""

from __future__ import annotations

import doctest
import importlib
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("altair", reason="the charts need the jupyter extra: pip install 'stickiness[jupyter]'")
pytest.importorskip("vl_convert", reason="the charts need the jupyter extra: pip install 'stickiness[jupyter]'")
pytest.importorskip("scipy", reason="the prediction chart needs the models extra: pip install 'stickiness[models]'")

import altair as alt
import polars as pl
import stickiness_widgets as sw
import vl_convert
from stickiness_widgets.charts.fit import MAX_POINTS
from stickiness_widgets.theme import OKABE_ITO

import stickiness
from stickiness import ColumnNotFoundError, InvalidOptionError
from stickiness.demo import demo_catalog, demo_events, demo_use_case_profiles, demo_users
from stickiness.models import predict_forgettable
from stickiness.scorecards import fit_matrix, health_score, health_summary, lifetime_value, lifetime_value_summary, nps
from stickiness.scorecards.demo import demo_accounts, demo_payments, demo_responses
from tests.widgets._drawn import drawn_text, numbers
from tests.widgets.test_charts import NEWEST_V6, OLDEST_V5, VERSIONS, structure

PERSONAS = ("agent", "home_buyer", "homeowner", "renter")
WEIGHTS = {"frequency": 0.35, "recency": 0.25, "breadth": 0.25, "support_tickets": 0.15}


@pytest.fixture(scope="module")
def frames() -> dict[str, Any]:
    log = stickiness.read_log(demo_events(), users=demo_users())
    catalog = stickiness.read_catalog(demo_catalog(), profiles=demo_use_case_profiles())
    accounts = demo_accounts()
    scores = health_score(log, catalog, accounts=accounts, extra={"support_tickets": "lower"}, weights=WEIGHTS)
    values = lifetime_value(demo_payments(), time="paid_on", category_spend="category_spend")
    by_persona = lifetime_value(demo_payments(), time="paid_on", by="persona", users=log)
    return {
        "health": health_summary(scores),
        "nps": nps(demo_responses(), by="persona", users=log),
        "nps_by_month": nps(demo_responses(), by="persona", users=log, period="month", time="submitted_at"),
        "nps_by_quarter": nps(demo_responses(), period="quarter", time="submitted_at"),
        "fit": fit_matrix(accounts, usage=log),
        "fit_without_usage": fit_matrix(accounts),
        "values": values,
        "values_by_persona": by_persona,
        "value_summary": lifetime_value_summary(by_persona, by="persona"),
        "prediction": predict_forgettable(log, catalog),
    }


BUILDERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "health": lambda f: sw.health_chart(f["health"]),
    "nps": lambda f: sw.nps_chart(f["nps"]),
    "nps_by_month": lambda f: sw.nps_chart(f["nps_by_month"]),
    "nps_by_quarter": lambda f: sw.nps_chart(f["nps_by_quarter"]),
    "fit": lambda f: sw.fit_matrix_chart(f["fit"]),
    "fit_without_usage": lambda f: sw.fit_matrix_chart(f["fit_without_usage"]),
    "fit_aggregated": lambda f: sw.fit_matrix_chart(f["fit"], max_points=100),
    "lifetime_value": lambda f: sw.lifetime_value_chart(f["values"]),
    "lifetime_value_by_persona": lambda f: sw.lifetime_value_chart(f["values_by_persona"]),
    "lifetime_value_summary": lambda f: sw.lifetime_value_chart(f["value_summary"]),
    "predictions": lambda f: sw.predictions_chart(f["prediction"].summary),
}

TITLES = {
    # critical shares per persona's bar: agent 50 / 250 = 20.0% (lowest), home_buyer 199 / 536 = 37.1% (highest)
    "health": "Critical: from 20.0% (agent) to 37.1% (home_buyer) of scored customers",
    "nps": "NPS from -29 (renter) to 37 (agent)",
    "nps_by_month": "NPS in Jun 2026: from -41 (renter) to 30 (agent)",
    "nps_by_quarter": "NPS 2 in Q2 2026 (from 1 in Q3 2025)",
    "fit": "45 of 323 accounts are below 30% profitability (depart); 69 to grow",
    "fit_without_usage": "45 of 323 accounts are below 30% profitability (depart); 108 to grow",
    "fit_aggregated": "45 of 323 accounts are below 30% profitability (depart); 69 to grow",
    "lifetime_value": "Median lifetime value 285 (mean 967); 77% are repeat customers",
    # per persona, each histogram draws its median: homeowner's 36 (tied with renter's, first by name), agent's 894
    "lifetime_value_by_persona": "Median lifetime value from 36 (homeowner) to 894 (agent)",
    "lifetime_value_summary": "Mean lifetime value from 54 (renter) to 1,671 (agent)",
    "predictions": "3 of 13 segments are predicted to be forgettable in the next 30 days",
}

#: Text each chart's SVG must show.
LABELS: dict[str, tuple[str, ...]] = {
    "health": (*PERSONAS, "healthy", "at risk", "critical", "37%", "n=536 scored, 56 too new"),
    "nps": (*PERSONAS, "NPS 37 · n=240", "enough answers"),
    "nps_by_month": (*PERSONAS, "Jun 2026"),
    "nps_by_quarter": ("NPS",),
    # the legend draws the counts the title states (45 of 323 depart, 69 / 108 to grow)
    "fit": ("323 accounts:", "depart (45)", "grow (69)", "depart below 30%", "grow from 60%", "grow from 4 days / 30"),
    "fit_without_usage": ("depart below 30%", "monthly recurring revenue (log scale)", "grow (108)", "depart (45)"),
    "fit_aggregated": ("323 accounts: circle area = accounts in the cell.",),
    # the rules' labels and the legend draw the title's numbers: 248 of 323 bought on two days or more = 76.8%, 77%
    "lifetime_value": ("100–200", "one purchase", "77% repeat customers", "median 285", "mean 967"),
    # agent 139 of 181 repeat = 77%, renter 21 of 25 = 84%; medians 894 and 36
    "lifetime_value_by_persona": (
        *PERSONAS,
        "5–10",
        "agent: 77% repeat customers",
        "renter: 84% repeat customers",
        "median 894",
        "median 36",
        "mean 1,671",
    ),
    "lifetime_value_summary": (*PERSONAS, "77% repeat · n=181"),
    "predictions": ("home_buyer · buy_home", "majority 50%", "100% of 231 · 31 falling in"),
}


@pytest.fixture(scope="module")
def specs(frames: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: build(frames).to_dict() for name, build in BUILDERS.items()}


@pytest.mark.parametrize("name", list(BUILDERS))
def test_spec_structure(name: str, specs: dict[str, dict[str, Any]], snapshot: Any) -> None:
    assert structure(specs[name]) == snapshot


@pytest.mark.parametrize("name", list(BUILDERS))
def test_titles_state_the_finding(name: str, specs: dict[str, dict[str, Any]]) -> None:
    assert specs[name]["title"]["text"] == TITLES[name]
    assert specs[name]["title"]["subtitle"], "the subtitle says how to read the chart"


@pytest.mark.parametrize("name", list(BUILDERS))
def test_theme_travels_inside_the_spec(name: str, specs: dict[str, dict[str, Any]]) -> None:
    assert specs[name]["config"]["range"]["category"] == list(OKABE_ITO)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", list(BUILDERS))
def test_compiles_without_warnings(
    name: str, version: str, specs: dict[str, dict[str, Any]], capfd: pytest.CaptureFixture[str]
) -> None:
    vega = vl_convert.vegalite_to_vega(specs[name], vl_version=version, show_warnings=True)
    assert vega["marks"]
    assert "WARN" not in capfd.readouterr().err


@pytest.mark.parametrize("version", [OLDEST_V5, NEWEST_V6])
@pytest.mark.parametrize("name", list(BUILDERS))
def test_renders_svg_with_its_labels(name: str, version: str, specs: dict[str, dict[str, Any]]) -> None:
    svg = vl_convert.vegalite_to_svg(specs[name], vl_version=version)
    texts = " ".join(text for text in ET.fromstring(svg).itertext() if text.strip())
    for label in LABELS[name]:
        assert label in texts, label


@pytest.mark.parametrize("version", [OLDEST_V5, NEWEST_V6])
@pytest.mark.parametrize("name", ["lifetime_value", "lifetime_value_by_persona"])
def test_title_numbers_are_drawn(name: str, version: str, specs: dict[str, dict[str, Any]]) -> None:
    """Every number the title states is drawn by the chart itself (a label, the legend), not only in the title."""
    drawn = numbers(drawn_text(specs[name], version))
    stated = numbers(specs[name]["title"]["text"])
    assert stated and stated <= drawn, stated - drawn


# --------------------------------------------------------------------------- #
# What each chart shows                                                       #
# --------------------------------------------------------------------------- #


def _rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    if "datasets" in spec:
        return [row for rows in spec["datasets"].values() for row in rows if row]
    return list(spec["data"]["values"])


def test_health_parts_add_up_to_each_persona_and_carry_the_counts(specs: dict[str, dict[str, Any]]) -> None:
    rows = _rows(specs["health"])
    agent = [row for row in rows if row.get("persona") == "agent"]
    assert [(r["band"], r["count"]) for r in agent] == [("healthy", 200), ("at risk", 0), ("critical", 50)]
    assert agent[-1]["end"] == pytest.approx(1.0)


def test_health_persona_with_no_scored_customer_says_so() -> None:
    frame = pl.DataFrame(
        {
            "persona": ["new"],
            "customers": [3],
            "too_new": [3],
            "scored": [0],
            "healthy": [0],
            "at_risk": [0],
            "critical": [0],
            "healthy_share": [None],
            "at_risk_share": [None],
            "critical_share": [None],
            "mean_score": [None],
            "median_score": [None],
            "not_in_accounts": [0],
        },
        schema_overrides={f"{b}_share": pl.Float64 for b in ("healthy", "at_risk", "critical")}
        | {"mean_score": pl.Float64, "median_score": pl.Float64},
    )
    spec = sw.health_chart(frame).to_dict()
    assert spec["title"]["text"] == "No customer is scored yet: 3 too new to score"
    assert "none scored: 3 too new" in vl_convert.vegalite_to_svg(spec)


def test_nps_marks_groups_with_too_few_answers(frames: dict[str, Any]) -> None:
    few = frames["nps"].with_columns(sufficient=pl.col("persona") == "agent")
    spec = sw.nps_chart(few).to_dict()
    assert spec["title"]["text"] == "NPS 37 (agent); the other persona values have too few answers"
    assert any("Hollow points" in note for note in spec["title"]["subtitle"])
    svg = vl_convert.vegalite_to_svg(spec)
    assert "NPS -29 · n=371 (too few)" in svg and "too few answers" in svg


def test_nps_single_group_gives_its_interval() -> None:
    answers = pl.DataFrame({"score": [10, 10, 9, 9, 9, 8, 7, 6, 3, 0]})  # docs/scorecards.md
    spec = sw.nps_chart(nps(answers)).to_dict()
    assert spec["title"]["text"] == "NPS 20 (95% interval -34 to 74): too few answers"


def test_nps_groups_of_blank_answers_only_are_left_out() -> None:
    answers = pl.DataFrame({"score": [None, None]}, schema={"score": pl.Int64})
    spec = sw.nps_chart(nps(answers)).to_dict()
    assert spec["title"]["text"] == "NPS: no data"


def test_fit_matrix_draws_the_states_fit_matrix_gave() -> None:
    # profitability = (mrr - costs) / mrr: a (100 - 30) / 100 = 0.7, b (100 - 80) / 100 = 0.2, c (200 - 100) / 200 = 0.5
    accounts = pl.DataFrame({"account_id": ["a", "b", "c"], "mrr": [100, 100, 200], "labour": [30, 80, 100]})
    fit = fit_matrix(accounts, costs=("labour",))
    assert fit.select("user", "state").rows() == [("c", "keep"), ("a", "grow"), ("b", "depart")]
    # a state set by hand is drawn as it is, never recomputed from the cut-offs (a is 0.7, above grow_above)
    edited = fit.with_columns(state=pl.when(pl.col("user") == "a").then(pl.lit("depart")).otherwise("state"))
    spec = sw.fit_matrix_chart(edited).to_dict()
    assert {row["user"]: row["state"] for row in _rows(spec) if "user" in row} == {
        "a": "depart",
        "b": "depart",
        "c": "keep",
    }
    assert spec["title"]["text"] == "2 of 3 accounts are below 30% profitability (depart); 0 to grow"
    # the cut-offs given are drawn and named, the states kept: 1 depart (b), 1 grow (a)
    spec = sw.fit_matrix_chart(fit, depart_below=0.4, grow_above=0.7).to_dict()
    assert spec["title"]["text"] == "1 of 3 accounts is below 40% profitability (depart); 1 to grow"
    drawn = json.dumps(spec)
    assert '"depart below 40%"' in drawn and '"grow from 70%"' in drawn


def test_fit_matrix_refuses_bad_cutoffs_and_unknown_states(frames: dict[str, Any]) -> None:
    with pytest.raises(InvalidOptionError, match=r"depart_below=0\.9 is above grow_above=0\.6"):
        sw.fit_matrix_chart(frames["fit"], depart_below=0.9)
    with pytest.raises(InvalidOptionError, match=r"grow_rate='4': pass the number given to fit_matrix"):
        sw.fit_matrix_chart(frames["fit"], grow_rate="4")  # type: ignore[arg-type]
    with pytest.raises(InvalidOptionError, match="grow_above=nan"):
        sw.fit_matrix_chart(frames["fit"], grow_above=float("nan"))
    churned = frames["fit"].with_columns(state=pl.when(pl.col("user") == pl.first("user")).then(pl.lit("churn")))
    with pytest.raises(sw.ChartDataError, match=r"holds 'churn' .* on 1 rows: fit_matrix's states are keep, grow"):
        sw.fit_matrix_chart(churned.with_columns(pl.col("state").fill_null("keep")))


def test_fit_matrix_aggregates_many_accounts_into_cells(frames: dict[str, Any], specs: dict[str, Any]) -> None:
    points = _rows(specs["fit"])
    cells = [row for row in _rows(specs["fit_aggregated"]) if "accounts" in row]
    assert len([row for row in points if "user" in row]) == 323
    assert sum(row["accounts"] for row in cells) == 323 and len(cells) < 323
    assert all("user" not in row for row in cells)
    assert MAX_POINTS < 200_000  # the chart never carries more rows than a metric frame may have


def test_fit_matrix_accounts_without_revenue_are_counted_not_drawn() -> None:
    accounts = pl.DataFrame(
        {"account_id": ["a", "b", "c"], "mrr": [100, 0, 50], "labour": [20, 5, 40], "communication": [0, 0, 0]}
    )
    fit = fit_matrix(accounts, costs=("labour", "communication"), zero_mrr="depart")
    spec = sw.fit_matrix_chart(fit).to_dict()
    assert spec["title"]["text"] == "2 of 3 accounts are below 30% profitability (depart); 1 to grow"
    assert "1 account with no revenue (depart) not drawn." in spec["title"]["subtitle"]


def test_lifetime_value_bins_count_every_customer(frames: dict[str, Any], specs: dict[str, Any]) -> None:
    rows = [row for row in _rows(specs["lifetime_value"]) if row["kind"] == "bar"]
    assert sum(row["customers"] for row in rows) == frames["values"].height == 323
    repeat = sum(row["customers"] for row in rows if row["buyer"] == "repeat customer")
    assert repeat == int((frames["values"]["purchases"] >= 2).sum())


def test_lifetime_value_zero_gets_its_own_bin() -> None:
    values = pl.DataFrame({"user": ["a", "b", "c"], "transactions": [1, 1, 2], "purchases": [1, 1, 2]})
    values = values.with_columns(value=pl.Series([0.0, 3.0, 40.0]), repeat_value=pl.Series([0.0, 0.0, 20.0]))
    spec = sw.lifetime_value_chart(values).to_dict()
    ranges = [row["range"] for row in _rows(spec) if row["customers"]]
    assert ranges == ["0", "2–5", "20–50"]


def test_lifetime_value_rules_stand_at_the_median_and_the_mean() -> None:
    # values 20, 285, 400: median 285, mean 705 / 3 = 235, both in the 200-500 range; a range is logarithmic:
    # 285 stands log(285 / 200) / log(500 / 200) = 0.3865 of the way, 235 log(1.175) / log(2.5) = 0.1760
    values = pl.DataFrame({"user": ["a", "b", "c"], "transactions": [1, 2, 2], "purchases": [1, 2, 2]})
    values = values.with_columns(value=pl.Series([20.0, 285.0, 400.0]), repeat_value=pl.Series([0.0, 85.0, 200.0]))
    spec = sw.lifetime_value_chart(values).to_dict()
    assert spec["title"]["text"] == "Median lifetime value 285 (mean 235); 67% are repeat customers"  # 2 of 3
    lines = {row["kind"]: row for row in _rows(spec) if row["kind"] != "bar"}
    assert (lines["median"]["range"], round(lines["median"]["position"], 4)) == ("200–500", 0.3865)
    assert (lines["mean"]["range"], round(lines["mean"]["position"], 4)) == ("200–500", 0.1760)
    assert (lines["median"]["label"], lines["mean"]["label"]) == ("median 285", "mean 235")
    texts = drawn_text(spec, OLDEST_V5)
    assert "median 285" in texts and "mean 235" in texts and "67% repeat customers" in texts


def test_lifetime_value_mean_below_the_first_range_stands_between_it_and_zero() -> None:
    # values 0, 0, 0, 30: median (0 + 0) / 2 = 0 mid-bin "0"; mean 30 / 4 = 7.5, below the first range (20-50):
    # at the right edge of bin "0", between the two bars; 1 of 4 repeat = 25%
    values = pl.DataFrame({"user": list("abcd"), "transactions": [1, 1, 1, 2], "purchases": [1, 1, 1, 2]})
    values = values.with_columns(value=pl.Series([0.0, 0.0, 0.0, 30.0]), repeat_value=pl.Series([0.0, 0.0, 0.0, 9.0]))
    spec = sw.lifetime_value_chart(values).to_dict()
    assert spec["title"]["text"] == "Median lifetime value 0.00 (mean 7.50); 25% are repeat customers"
    lines = {row["kind"]: (row["range"], row["position"]) for row in _rows(spec) if row["kind"] != "bar"}
    assert lines == {"median": ("0", 0.5), "mean": ("0", 1.0)}


def test_predictions_take_the_prediction_itself(frames: dict[str, Any]) -> None:
    prediction = frames["prediction"]
    direct = sw.predictions_chart(prediction).to_dict()
    assert direct == sw.predictions_chart(prediction.summary).to_dict()
    other = sw.predictions_chart(prediction.summary, horizon_days=14, threshold=2).to_dict()
    assert other["title"]["text"].endswith("in the next 14 days") and "below 2 " in other["title"]["subtitle"][0]
    with pytest.raises(InvalidOptionError, match="majority"):
        sw.predictions_chart(prediction, majority=1.5)


def test_predictions_without_a_model_are_grey(frames: dict[str, Any]) -> None:
    summary = frames["prediction"].summary.with_columns(
        *(
            pl.when(pl.col("use_case") == "buy_home").then(None).otherwise(pl.col(c)).alias(c)
            for c in ("mean_p_alive", "mean_expected_days", "forgettable_share", "falling_in_share")
        ),
        predicted=pl.when(pl.col("use_case") == "buy_home").then(0).otherwise(pl.col("predicted")),
    )
    spec = sw.predictions_chart(summary).to_dict()
    assert spec["title"]["text"].startswith("2 of 13 segments")
    assert "no prediction (231 users)" in vl_convert.vegalite_to_svg(spec)


# --------------------------------------------------------------------------- #
# Bad, empty and read-back input                                              #
# --------------------------------------------------------------------------- #

EMPTY: dict[str, Callable[[dict[str, Any]], Any]] = {
    "health": lambda f: sw.health_chart(f["health"].clear()),
    "nps": lambda f: sw.nps_chart(f["nps"].clear()),
    "nps_by_month": lambda f: sw.nps_chart(f["nps_by_month"].clear()),
    "fit": lambda f: sw.fit_matrix_chart(f["fit"].clear()),
    "lifetime_value": lambda f: sw.lifetime_value_chart(f["values"].clear()),
    "lifetime_value_summary": lambda f: sw.lifetime_value_chart(f["value_summary"].clear()),
    "predictions": lambda f: sw.predictions_chart(f["prediction"].summary.clear()),
}


@pytest.mark.parametrize("name", list(EMPTY))
def test_an_empty_frame_gives_a_chart_that_says_so(name: str, frames: dict[str, Any]) -> None:
    spec = EMPTY[name](frames).to_dict(validate=False)
    assert spec["title"]["text"].endswith(": no data")
    assert "No rows to chart" in vl_convert.vegalite_to_svg(spec, vl_version=OLDEST_V5)


def test_missing_columns_name_the_metric(frames: dict[str, Any]) -> None:
    with pytest.raises(ColumnNotFoundError, match=r"scorecards\.health_summary\(\.\.\.\): the frame lacks"):
        sw.health_chart(frames["health"].drop("critical"))
    with pytest.raises(ColumnNotFoundError, match=r"scorecards\.nps"):
        sw.nps_chart(frames["health"])
    with pytest.raises(ColumnNotFoundError, match=r"scorecards\.fit_matrix"):
        sw.fit_matrix_chart(frames["nps"])
    with pytest.raises(ColumnNotFoundError, match=r"scorecards\.lifetime_value"):
        sw.lifetime_value_chart(frames["fit"].drop("user"))
    with pytest.raises(ColumnNotFoundError, match=r"predict_forgettable"):
        sw.predictions_chart(frames["fit"])
    with pytest.raises(sw.ChartDataError, match="Pass by="):
        sw.nps_chart(frames["nps"].with_columns(plan=pl.lit("free")))


def test_table_csvs_read_back_give_the_same_charts(frames: dict[str, Any], tmp_path: Path) -> None:
    """The scorecards template writes these tables; read back plainly they hold text days."""
    for name, chart in [
        ("health", sw.health_chart),
        ("nps", sw.nps_chart),
        ("nps_by_month", sw.nps_chart),
        ("fit", sw.fit_matrix_chart),
        ("values", sw.lifetime_value_chart),
    ]:
        path = tmp_path / f"{name}.csv"
        frames[name].write_csv(path)
        again = pl.read_csv(path)
        assert chart(again).to_dict() == chart(frames[name]).to_dict(), name


def test_inputs_are_not_mutated(frames: dict[str, Any]) -> None:
    before = frames["fit"].clone()
    sw.fit_matrix_chart(frames["fit"], max_points=10)
    assert frames["fit"].equals(before)


def test_a_title_replaces_the_finding_and_keeps_the_notes(frames: dict[str, Any]) -> None:
    spec = sw.health_chart(frames["health"], title="Health").to_dict()
    assert spec["title"]["text"] == "Health" and spec["title"]["subtitle"]
    assert sw.nps_chart(frames["nps"], title=alt.TitleParams("Only")).to_dict()["title"] == {"text": "Only"}


@pytest.mark.parametrize(
    "module",
    [f"stickiness_widgets.charts.{name}" for name in ("health", "nps", "fit", "value", "_scorecard", "predictions")],
)
def test_docstring_examples(module: str) -> None:
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(importlib.import_module(module), optionflags=flags)
    assert result.attempted and result.failed == 0
