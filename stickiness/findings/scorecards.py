"""The scorecards in plain words: their charts' titles and the scorecards report's summary.

The titles of the health, NPS, customer-fit, lifetime-value and prediction charts are
worded here from the tables the charts draw (:func:`stickiness.chart_headline`
dispatches to them); :func:`scorecard_findings` words the scorecards report's summary
and next steps from the same tables, as :func:`stickiness.report_findings` does the
usage report's. Every verdict is a column of the tables (``band`` counts, NPS's
``sufficient``, fit's ``state``); the predictions' verdict, which their summary does not
carry, is decided once, in :func:`prediction_status`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Collection, Mapping
from typing import Any, Final

import polars as pl

from stickiness.findings._model import Finding, FindingOptions, Findings, Headline, capped, named, percent
from stickiness.options import FIT, NPS, PREDICTION, ZONE
from stickiness.schemas import NPS_COLUMNS, VALUE_COLUMNS, VALUE_SUMMARY_COLUMNS

__all__ = [
    "PREDICTION_VERDICTS",
    "SCORECARD_CHARTS",
    "SCORECARD_TABLES",
    "VALUE_MARKS",
    "fit_headline",
    "health_headline",
    "money",
    "nps_headline",
    "nps_number",
    "nps_period_name",
    "nps_period_unit",
    "prediction_headline",
    "prediction_status",
    "scorecard_findings",
    "value_headline",
    "value_marks",
    "value_summary_headline",
]

#: The predictions' verdicts: a majority of the segment predicted forgettable, not, or no model for the use case.
PREDICTION_VERDICTS: Final = ("predicted forgettable", "not predicted forgettable", "no prediction")
#: The tables :func:`scorecard_findings` reads, by their name in ``tables/`` (the scorecards template's).
SCORECARD_TABLES: Final = (
    "health_summary",
    "customers_to_contact",
    "nps",
    "fit_matrix",
    "customers_to_depart",
    "lifetime_value",
)
#: The chart each scorecard table draws, as the scorecards template names it (the report's ``charts/`` files).
SCORECARD_CHARTS: Final = {
    "health_summary": "health",
    "nps": "nps",
    "fit_matrix": "fit_matrix",
    "lifetime_value": "lifetime_value",
}


def _extra(table: pl.DataFrame, known: Collection[str], segment: str | None) -> str | None:
    """Return the segment column: ``segment``, else the table's one column beyond the metric's ``known`` ones."""
    if segment is not None:
        return segment
    extra = [name for name in table.columns if name not in known]
    return extra[0] if len(extra) == 1 else None


# --- health ---------------------------------------------------------------------------------------------------------


def health_headline(table: pl.DataFrame, segment: str | None, options: FindingOptions) -> Headline:
    """Word the health chart's title from :func:`stickiness.scorecards.health_summary`: the critical customers.

    With one segment scored, its counts (the bar's ``n=`` and its tooltip) and share;
    with several, the range of the critical share across the segments' bars (a total over
    segments is drawn nowhere, so it is not stated).

    >>> summary = pl.DataFrame({"persona": ["a", "b"], "scored": [10, 5], "too_new": [0, 1], "critical": [2, 2],
    ...     "critical_share": [0.2, 0.4]})
    >>> health_headline(summary, None, FindingOptions()).text  # a: 2 / 10 = 20%, b: 2 / 5 = 40%
    'Critical: from 20.0% (a) to 40.0% (b) of scored customers'
    >>> health_headline(summary.head(1), None, FindingOptions()).text
    '2 of 10 scored customers (20.0%) are critical'
    """
    segment = segment if segment is not None else table.columns[0]
    scored = table.filter(pl.col("scored") > 0).sort("critical_share", segment)
    if scored.is_empty():
        return Headline(f"No customer is scored yet: {int(table.get_column('too_new').sum()):,} too new to score")
    if scored.height == 1:
        row = scored.row(0, named=True)
        verb = "is" if row["critical"] == 1 else "are"
        who = f" in {row[segment]}" if table.height > 1 else ""
        return Headline(
            f"{row['critical']:,} of {row['scored']:,} scored customers{who} ({percent(row['critical_share'])}) "
            f"{verb} critical",
            segments=named(segment, row) if table.height > 1 else (),
        )
    low, high = scored.row(0, named=True), scored.row(-1, named=True)
    return Headline(
        f"Critical: from {percent(low['critical_share'])} ({low[segment]}) to {percent(high['critical_share'])} "
        f"({high[segment]}) of scored customers",
        segments=named(segment, low, high),
    )


def _health(summary: pl.DataFrame) -> Finding:
    segment = summary.columns[0]
    rows = summary.select(segment, "scored", "too_new", "at_risk", "critical", "at_risk_share", "critical_share")
    scored = rows.filter(pl.col("scored") > 0)
    if scored.is_empty():
        too_new = int(rows.get_column("too_new").sum())
        return Finding("health", f"Health: no customer is scored yet ({too_new:,} too new to score).", rows)
    several = rows.height > 1
    kept, more = capped(scored, "scored", "tables/health_summary.csv")
    parts = [
        (f"{row[segment]} " if several else "")
        + f"{percent(row['at_risk_share'])} at risk and {percent(row['critical_share'])} critical "
        f"({row['at_risk']:,} and {row['critical']:,} of {row['scored']:,} scored)"
        for row in kept.iter_rows(named=True)
    ]
    sentence = "Health (the share of scored customers in each band): " + "; ".join(parts) + more + "."
    unscored = rows.filter(pl.col("scored") == 0)
    if unscored.height:
        few, more = capped(unscored, "too_new", "tables/health_summary.csv")
        sentence += f" None scored yet in {', '.join(str(s) for s in few.get_column(segment).to_list())}{more}."
    return Finding("health", sentence, rows)


# --- NPS --------------------------------------------------------------------------------------------------------------


def nps_number(value: float) -> str:
    """Format an NPS as the charts print it: a whole number, never "-0".

    >>> nps_number(20.4), nps_number(-0.3), nps_number(-29.0)
    ('20', '0', '-29')
    """
    return f"{value:.0f}".replace("-0", "0") if abs(value) < 0.5 else f"{value:.0f}"


def nps_period_unit(days: pl.Series) -> str:
    """Name the periods of an nps() table from their first days: year, quarter, month, week or day.

    >>> nps_period_unit(pl.Series([dt.date(2024, 1, 1), dt.date(2024, 4, 1)]))
    'quarter'
    """
    values: list[dt.date] = days.drop_nulls().unique().sort().to_list()
    if values and all(d.day == 1 for d in values):
        months = [d.year * 12 + d.month - 1 for d in values]
        gaps = [b - a for a, b in itertools.pairwise(months)]
        if len(values) > 1 and all(d.month == 1 for d in values) and min(gaps) >= 12:
            return "year"
        if len(values) > 1 and all(d.month in (1, 4, 7, 10) for d in values) and min(gaps) >= 3:
            return "quarter"
        return "month"
    if len(values) > 1 and all(d.isoweekday() == 1 for d in values):
        return "week"
    return "day"


def nps_period_name(day: dt.date, unit: str) -> str:
    """Name one period of an nps() table (``unit`` from :func:`nps_period_unit`): "Q2 2024", "Jun 2026", ...

    >>> nps_period_name(dt.date(2024, 4, 1), "quarter"), nps_period_name(dt.date(2026, 6, 1), "month")
    ('Q2 2024', 'Jun 2026')
    """
    if unit == "year":
        return str(day.year)
    if unit == "quarter":
        return f"Q{(day.month - 1) // 3 + 1} {day.year}"
    if unit == "month":
        return day.strftime("%b %Y")
    return f"week of {day.isoformat()}" if unit == "week" else day.isoformat()


def _nps_rows(table: pl.DataFrame, by: str | None) -> pl.DataFrame:
    """Return the rows the NPS chart draws: those with a score, a segment's missing name as "(unknown)"."""
    rows = table.filter(pl.col("nps").is_not_null()).with_columns(pl.col("sufficient").fill_null(False))
    return rows.with_columns(pl.col(by).cast(pl.String).fill_null("(unknown)")) if by else rows


def nps_headline(table: pl.DataFrame, segment: str | None, options: FindingOptions) -> Headline:
    """Word the NPS chart's title from :func:`stickiness.scorecards.nps`: per segment, or over time with ``period``.

    Only groups with ``sufficient`` answers are compared; the table decides which.

    >>> table = pl.DataFrame({"plan": ["a", "b", "c"], "responses": [40, 50, 3], "nps": [37.0, -29.0, 90.0],
    ...     "ci_low": [20.0, -45.0, 10.0], "ci_high": [54.0, -13.0, 100.0], "sufficient": [True, True, False]})
    >>> nps_headline(table, "plan", FindingOptions()).text
    'NPS from -29 (b) to 37 (a)'
    """
    by = _extra(table, {*NPS_COLUMNS, "period"}, segment)
    rows = _nps_rows(table, by)
    if rows.is_empty():
        return Headline("NPS: no group has an answer with a score")
    if "period" in rows.columns:
        return _nps_time_headline(rows, by)
    ranked = rows.sort("nps", "responses", descending=True)
    if not by or ranked.height == 1:
        row = ranked.row(0, named=True)
        who = f" ({row[by]})" if by else ""
        interval = f"95% interval {nps_number(row['ci_low'])} to {nps_number(row['ci_high'])}"
        return Headline(
            f"NPS {nps_number(row['nps'])}{who} ({interval})" + ("" if row["sufficient"] else ": too few answers"),
            segments=named(by, row),
        )
    judged = ranked.filter(pl.col("sufficient"))
    if judged.is_empty():
        return Headline(f"NPS: no {by} has enough answers to judge")
    if judged.height == 1:
        row = judged.row(0, named=True)
        text = f"NPS {nps_number(row['nps'])} ({row[by]}); the other {by} values have too few answers"
        return Headline(text, segments=named(by, row))
    high, low = judged.row(0, named=True), judged.row(-1, named=True)
    text = f"NPS from {nps_number(low['nps'])} ({low[by]}) to {nps_number(high['nps'])} ({high[by]})"
    return Headline(text, segments=named(by, low, high))


def _nps_time_headline(rows: pl.DataFrame, by: str | None) -> Headline:
    unit = nps_period_unit(rows.get_column("period"))
    last = rows.get_column("period").max()
    latest = rows.filter(pl.col("period") == last)
    when = nps_period_name(latest.get_column("period")[0], unit)
    if not by:
        row = latest.row(0, named=True)
        text = f"NPS {nps_number(row['nps'])} in {when}"
        first = rows.sort("period").row(0, named=True)
        if first["period"] != last:
            text += f" (from {nps_number(first['nps'])} in {nps_period_name(first['period'], unit)})"
        return Headline(text + ("" if row["sufficient"] else ": too few answers"))
    judged = latest.filter(pl.col("sufficient")).sort("nps")
    if judged.is_empty():
        return Headline(f"NPS in {when}: no {by} has enough answers to judge")
    if judged.height == 1:
        row = judged.row(0, named=True)
        return Headline(f"NPS in {when}: {nps_number(row['nps'])} ({row[by]})", segments=named(by, row))
    low, high = judged.row(0, named=True), judged.row(-1, named=True)
    return Headline(
        f"NPS in {when}: from {nps_number(low['nps'])} ({low[by]}) to {nps_number(high['nps'])} ({high[by]})",
        segments=named(by, low, high),
    )


def _nps(table: pl.DataFrame, options: FindingOptions) -> Finding:
    by = _extra(table, {*NPS_COLUMNS, "period"}, None)
    rows = _nps_rows(table, by).sort("nps", descending=True)
    keep = [*([by] if by else []), "responses", "nps", "ci_low", "ci_high", "sufficient"]
    rows = rows.select(keep)
    judged, few = rows.filter(pl.col("sufficient")), rows.filter(~pl.col("sufficient"))

    def show(row: Mapping[str, Any]) -> str:
        who = f"{row[by]} " if by else ""
        return (
            f"{who}{nps_number(row['nps'])} (95% interval {nps_number(row['ci_low'])} to "
            f"{nps_number(row['ci_high'])}, {row['responses']:,} answers)"
        )

    if rows.is_empty():
        return Finding("nps", "NPS: no answer with a score.", rows)
    judged, more = capped(judged, "responses", "tables/nps.csv")
    listed = ("; ".join(show(r) for r in judged.iter_rows(named=True)) + more) or "no group has enough answers to judge"
    sentence = f"NPS (promoters minus detractors, from -100 to 100): {listed}."
    if few.height:
        few, more = capped(few, "responses", "tables/nps.csv")
        names = "; ".join(show(r) for r in few.iter_rows(named=True)) + more
        sentence += f" Too few answers to judge (fewer than {options.min_responses:,}): {names}."
    return Finding("nps", sentence, rows)


# --- customer fit ---------------------------------------------------------------------------------------------------


def fit_headline(table: pl.DataFrame, segment: str | None, options: FindingOptions) -> Headline:
    """Word the fit chart's title from :func:`stickiness.scorecards.fit_matrix`'s ``state`` column.

    ``options.depart_below`` is the cut-off given to ``fit_matrix`` (it words the title, never a state).

    >>> fit = pl.DataFrame({"user": list("abcde"), "state": ["depart", "depart", "grow", "grow", "keep"]})
    >>> fit_headline(fit, None, FindingOptions()).text
    '2 of 5 accounts are below 30% profitability (depart); 2 to grow'
    """
    counts = dict(table.group_by("state").len().iter_rows())
    depart, grow = counts.get("depart", 0), counts.get("grow", 0)
    verb = "is" if depart == 1 else "are"
    noun = "account" if table.height == 1 else "accounts"
    return Headline(
        f"{depart:,} of {table.height:,} {noun} {verb} below {percent(options.depart_below, 0)} profitability "
        f"(depart); {grow:,} to grow"
    )


def _fit(fit: pl.DataFrame, options: FindingOptions) -> Finding:
    states = pl.DataFrame({"state": ["grow", "keep", "depart"]})
    counts = states.join(fit.group_by("state").len("accounts"), on="state", how="left").with_columns(
        pl.col("accounts").fill_null(0)
    )
    n = dict(counts.iter_rows())
    sentence = (
        f"Customer fit: of {fit.height:,} accounts, {n['grow']:,} to grow, "
        f"{n['keep']:,} to keep and {n['depart']:,} to depart (profitability below "
        f"{percent(options.depart_below, 0)}, or no revenue)."
    )
    return Finding("fit", sentence, counts)


# --- lifetime value -------------------------------------------------------------------------------------------------


def money(value: float) -> str:
    """Format an amount as the charts print it: whole from 10, two decimals below.

    >>> money(966.6), money(4.5)
    ('967', '4.50')
    """
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.2f}"


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _value_numbers(values: pl.DataFrame) -> dict[str, float]:
    value = values.get_column("value").cast(pl.Float64)
    repeat = (values.get_column("purchases") >= 2).mean()
    return {
        "customers": float(values.height),
        "median": _number(value.median()),
        "mean": _number(value.mean()),
        "repeat_share": float(repeat) if isinstance(repeat, int | float) else 0.0,
    }


#: The columns of :func:`value_marks`, after the optional segment column.
VALUE_MARKS: Final = ("customers", "median", "mean", "repeat_share", "median_label", "mean_label", "repeat_label")


def value_marks(table: pl.DataFrame, segment: str | None = None) -> pl.DataFrame:
    """Return the figures the lifetime-value histogram draws and its title states, per segment or over all customers.

    One row per segment of ``segment`` (its values as text, a missing one ``(unknown)``),
    or one row without: the ``customers``, the ``median`` and ``mean`` lifetime value, the
    ``repeat_share`` (customers who bought on two days or more) and the labels the chart
    draws (``median 285``, ``mean 967``, ``77% repeat customers``), worded as the title
    words them (:func:`value_headline`).

    >>> values = pl.DataFrame({"user": ["a", "b", "c"], "purchases": [2, 1, 1], "value": [40.0, 20.0, 0.0]})
    >>> value_marks(values).select("median_label", "mean_label", "repeat_label").row(0)
    ('median 20', 'mean 20', '33% repeat customers')
    """
    figures = [
        pl.len().cast(pl.Int64).alias("customers"),
        pl.col("value").cast(pl.Float64).median().alias("median"),
        pl.col("value").cast(pl.Float64).mean().alias("mean"),
        (pl.col("purchases") >= 2).mean().alias("repeat_share"),
    ]
    if segment:
        labelled = table.with_columns(pl.col(segment).cast(pl.String).fill_null("(unknown)"))
        rows = labelled.group_by(segment).agg(figures).sort(segment)
    else:
        rows = table.select(figures)
    # the labels are worded per segment (a handful of rows), with the title's own formatting
    return rows.with_columns(
        pl.Series("median_label", [f"median {money(v)}" for v in rows.get_column("median")], pl.String),
        pl.Series("mean_label", [f"mean {money(v)}" for v in rows.get_column("mean")], pl.String),
        pl.Series(
            "repeat_label", [f"{percent(v, 0)} repeat customers" for v in rows.get_column("repeat_share")], pl.String
        ),
    )


def value_headline(table: pl.DataFrame, segment: str | None, options: FindingOptions) -> Headline:
    """Word the lifetime-value histogram's title from :func:`stickiness.scorecards.lifetime_value` (per customer).

    Without a segment: the median, the mean and the share of repeat customers, the
    numbers the histogram's rules and legend draw (:func:`value_marks`). With segments
    (one histogram each): the lowest and the highest median, each drawn on its own.

    >>> values = pl.DataFrame({"user": ["a", "b", "c"], "purchases": [2, 1, 1], "value": [40.0, 20.0, 0.0]})
    >>> value_headline(values, None, FindingOptions()).text  # median 20, mean 60 / 3 = 20; 1 of 3 repeat
    'Median lifetime value 20 (mean 20); 33% are repeat customers'
    >>> value_headline(values.with_columns(plan=pl.Series(["x", "y", "y"])), "plan", FindingOptions()).text
    'Median lifetime value from 10 (y) to 40 (x)'
    """
    by = _extra(table, ("user", *VALUE_COLUMNS), segment)
    marks = value_marks(table, by if by in table.columns else None)
    if marks.height == 1 or not by:
        n = marks.row(0, named=True)
        return Headline(
            f"Median lifetime value {money(n['median'])} (mean {money(n['mean'])}); "
            f"{percent(n['repeat_share'], 0)} are repeat customers"
        )
    low, high = marks.sort("median", by).row(0, named=True), marks.sort("median", by).row(-1, named=True)
    return Headline(
        f"Median lifetime value from {money(low['median'])} ({low[by]}) to {money(high['median'])} ({high[by]})",
        segments=named(by, low, high),
    )


def value_summary_headline(table: pl.DataFrame, segment: str | None, options: FindingOptions) -> Headline:
    """Word the lifetime-value chart's title from :func:`stickiness.scorecards.lifetime_value_summary`.

    >>> summary = pl.DataFrame({"plan": ["a", "b"], "customers": [3, 2], "mean_value": [50.0, 120.0],
    ...     "median_value": [40.0, 120.0], "repeat_purchase_share": [0.5, 1.0]})
    >>> value_summary_headline(summary, "plan", FindingOptions()).text
    'Mean lifetime value from 50 (a) to 120 (b)'
    """
    by = _extra(table, VALUE_SUMMARY_COLUMNS, segment)
    rows = table.filter(pl.col("customers") > 0).sort("mean_value", descending=True)
    if rows.is_empty():
        return Headline("Lifetime value: no customer has a transaction")
    if rows.height == 1 or not by:
        row = rows.row(0, named=True)
        return Headline(
            f"Mean lifetime value {money(row['mean_value'])} (median {money(row['median_value'])}); "
            f"{percent(row['repeat_purchase_share'], 0)} are repeat customers"
        )
    rows = rows.with_columns(pl.col(by).cast(pl.String).fill_null("(unknown)"))
    high, low = rows.row(0, named=True), rows.row(-1, named=True)
    return Headline(
        f"Mean lifetime value from {money(low['mean_value'])} ({low[by]}) to {money(high['mean_value'])} ({high[by]})",
        segments=named(by, low, high),
    )


def _value(values: pl.DataFrame) -> Finding:
    n = _value_numbers(values)
    sentence = (
        f"Lifetime value (the revenue of all a customer's purchases so far): median {money(n['median'])}, mean "
        f"{money(n['mean'])} over {values.height:,} customers; {percent(n['repeat_share'], 0)} are repeat customers "
        "(bought on two days or more)."
    )
    return Finding("value", sentence, pl.DataFrame([n]))


# --- predictions ----------------------------------------------------------------------------------------------------


def prediction_status(majority: float = ZONE.majority) -> pl.Expr:
    """Return the ``status`` of each row of a prediction's summary (:data:`PREDICTION_VERDICTS`).

    "no prediction" when the use case's model could not be fitted (no share, or no user
    predicted); "predicted forgettable" when more than ``majority`` of the users
    predicted are below the threshold.

    >>> summary = pl.DataFrame({"predicted": [10, 8, 0], "forgettable_share": [0.2, 0.75, None]})
    >>> summary.select(prediction_status()).to_series().to_list()
    ['not predicted forgettable', 'predicted forgettable', 'no prediction']
    """
    share = pl.col("forgettable_share")
    return (
        pl.when(share.is_null() | (pl.col("predicted") == 0))
        .then(pl.lit(PREDICTION_VERDICTS[2]))
        .when(share > majority)
        .then(pl.lit(PREDICTION_VERDICTS[0]))
        .otherwise(pl.lit(PREDICTION_VERDICTS[1]))
        .alias("status")
    )


def prediction_headline(table: pl.DataFrame, segment: str | None, options: FindingOptions) -> Headline:
    """Word the predictions chart's title from a prediction's ``summary``: the segments predicted forgettable.

    ``options.majority`` and ``options.horizon_days`` are the chart's and the prediction's.

    >>> summary = pl.DataFrame({"predicted": [10, 8], "forgettable_share": [0.2, 0.75]})
    >>> prediction_headline(summary, None, FindingOptions()).text
    '1 of 2 segments is predicted to be forgettable in the next 30 days'
    """
    status = table.select(prediction_status(options.majority)).to_series()
    flagged = int((status == PREDICTION_VERDICTS[0]).sum())
    noun = "segment" if table.height == 1 else "segments"
    verb = "is" if flagged == 1 or table.height == 1 else "are"
    return Headline(
        f"{flagged} of {table.height} {noun} {verb} predicted to be forgettable in the next {options.horizon_days} days"
    )


# --- the scorecards report --------------------------------------------------------------------------------------------


def _next_steps(tables: Mapping[str, pl.DataFrame], found: Mapping[str, Finding], options: FindingOptions) -> list[str]:
    """Return the suggested next steps, each from a table's own rows (the lists to act on)."""
    steps: list[str] = []
    contact = tables.get("customers_to_contact")
    if contact is not None and contact.height:
        steps.append(
            f"Contact the {contact.height:,} accounts in tables/customers_to_contact.csv (critical first, then the "
            "lowest score): its weakest column says what to talk about."
        )
    depart = tables.get("customers_to_depart")
    if depart is not None and depart.height:
        steps.append(
            f"Review the {depart.height:,} accounts in tables/customers_to_depart.csv (least profitable first): "
            "renegotiate, move them to a cheaper plan, or let them go."
        )
    fit = found.get("fit")
    grow = int(fit.numbers.filter(pl.col("state") == "grow").get_column("accounts").sum()) if fit else 0
    if grow:
        steps.append(f"Offer the {grow:,} accounts to grow (state grow in tables/fit_matrix.csv) more of the product.")
    nps = found.get("nps")
    if nps is not None and nps.numbers.height and not nps.numbers.get_column("sufficient").all():
        steps.append(
            f"Survey more customers where NPS has fewer than {options.min_responses:,} answers before reading it."
        )
    return steps


#: Each scorecard chart's title, by its table (the same as :func:`stickiness.chart_headline`'s).
_SCORECARD_HEADLINES: Final = {
    "health_summary": (SCORECARD_CHARTS["health_summary"], health_headline),
    "nps": (SCORECARD_CHARTS["nps"], nps_headline),
    "fit_matrix": (SCORECARD_CHARTS["fit_matrix"], fit_headline),
    "lifetime_value": (SCORECARD_CHARTS["lifetime_value"], value_headline),
}


def scorecard_findings(
    tables: Mapping[str, pl.DataFrame | None],
    *,
    depart_below: float = FIT.depart_below,
    min_responses: int = NPS.min_responses,
    horizon_days: int = PREDICTION.horizon_days,
) -> Findings:
    """Return the scorecards report's findings from its tables, named as in ``tables/`` (``health_summary``, ...).

    Any table may be missing (or None): its topic is left out. The topics, in reading
    order: ``health`` (per segment, the shares of scored customers at risk and
    critical), ``nps`` (per segment, the groups with too few answers apart), ``fit``
    (the accounts to grow, keep and depart) and ``value`` (the median and mean lifetime
    value, the repeat customers); the next steps name the lists to act on
    (``customers_to_contact``, ``customers_to_depart``) and their sizes; the headlines
    are the scorecard charts' titles (``health``, ``nps``, ``fit_matrix``,
    ``lifetime_value``).

    Parameters
    ----------
    tables
        The scorecards' tables: ``health_summary``, ``customers_to_contact``, ``nps``
        (per segment), ``fit_matrix``, ``customers_to_depart`` and ``lifetime_value``
        (per customer), as :mod:`stickiness.scorecards` returns them.
    depart_below, min_responses, horizon_days
        The options the tables were computed with (``fit_matrix``'s, ``nps``'s and the
        prediction's): they word the sentences.

    Returns
    -------
    Findings
        As :func:`stickiness.report_findings`: topics, next steps, headlines, options.

    Examples
    --------
    >>> summary = pl.DataFrame({"persona": ["a"], "customers": [10], "too_new": [0], "scored": [10],
    ...     "healthy": [6], "at_risk": [3], "critical": [1], "at_risk_share": [0.3], "critical_share": [0.1]})
    >>> scorecard_findings({"health_summary": summary}).topic("health").sentence
    'Health (the share of scored customers in each band): 30.0% at risk and 10.0% critical (3 and 1 of 10 scored).'
    """
    options = FindingOptions(depart_below=depart_below, min_responses=min_responses, horizon_days=horizon_days)
    present = {name: table for name, table in tables.items() if table is not None}
    found: dict[str, Finding] = {}
    if (summary := present.get("health_summary")) is not None and summary.height:
        found["health"] = _health(summary)
    if (answers := present.get("nps")) is not None and answers.height and "period" not in answers.columns:
        found["nps"] = _nps(answers, options)
    if (fit := present.get("fit_matrix")) is not None and fit.height:
        found["fit"] = _fit(fit, options)
    if (values := present.get("lifetime_value")) is not None and values.height:
        found["value"] = _value(values)
    headlines = {
        chart: worder(present[table], None, options)
        for table, (chart, worder) in _SCORECARD_HEADLINES.items()
        if table in present and present[table].height
    }
    return Findings(tuple(found.values()), tuple(_next_steps(present, found, options)), headlines, options)
