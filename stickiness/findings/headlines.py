"""Chart titles: :func:`chart_headline`, the one place a chart's title is worded, from the chart's table.

Each title states a number the chart draws, computed here from the table and the
options it was computed with; the chart layer (``stickiness_widgets.charts``) only
draws it. The report charts' headlines are here; the scorecards', the cohorts' and
the adoption charts' are in :mod:`stickiness.findings.scorecards`,
:mod:`stickiness.findings.cohorts` and :mod:`stickiness.findings.adoption`, and
:func:`chart_headline` dispatches to them by the chart's name.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Final

import polars as pl

from stickiness.findings import adoption, cohorts, growth, habits, scorecards
from stickiness.findings import power_users as power
from stickiness.findings._model import (
    ANY,
    UNMAPPED,
    WEEK,
    FindingOptions,
    Headline,
    as_date,
    month_name,
    named,
    percent,
    period_name,
    segment_of,
    spread,
    who,
)
from stickiness.findings._tables import (
    day_rows,
    done_periods,
    headline_day,
    judged,
    last_month,
    with_derived,
    with_verdicts,
)
from stickiness.options import DEFAULT_BANDS

__all__ = ["CHART_NAMES", "chart_headline", "power_user_days", "power_user_shares"]


def _active_users_headline(daily: pl.DataFrame, options: FindingOptions) -> Headline:
    units = options.units
    day, _ = headline_day(daily)
    if day is None:
        return Headline(f"Active {units}: no data")
    segment = segment_of(daily)
    rows = day_rows(daily, segment, day).filter(pl.col("week_mean").is_not_null()).sort("week_mean")
    note = (
        f"Stickiness here is the trailing {WEEK}-day mean of DAU / MAU on the last complete day, where each line "
        "ends (one day's value is in the tooltip)."
    )
    incomplete = "" if rows.get_column("complete").all() else " (window incomplete)"
    if rows.is_empty():
        return Headline(f"Stickiness on {day}: no monthly active {units}{incomplete}", note)
    if rows.height == 1:
        row = rows.row(0, named=True)
        who = f" ({row[segment]})" if segment else ""
        text = f"Stickiness {percent(row['week_mean'])}{who} on {day}, {WEEK}-day mean{incomplete}"
        return Headline(text, note, named(segment, row))
    low, high = rows.row(0, named=True), rows.row(-1, named=True)
    between = spread(low, high, "week_mean", segment, units)
    return Headline(f"Stickiness on {day}, {WEEK}-day mean: {between}{incomplete}", note, named(segment, low, high))


def _monthly_headline(monthly: pl.DataFrame, options: FindingOptions) -> Headline:
    units = options.units
    if monthly.is_empty():
        return Headline("Monthly stickiness: no data")
    segment = segment_of(monthly)
    rows = last_month(monthly).filter(pl.col("stickiness").is_not_null()).sort("stickiness")
    note = f"Monthly stickiness: the month's mean DAU / its {units} (the summary states the last 7 days' DAU / MAU)."
    month = month_name(as_date(last_month(monthly).get_column("month").max()))
    if rows.is_empty():
        return Headline(f"Monthly stickiness in {month}: no monthly active {units}", note)
    if rows.height == 1:
        row = rows.row(0, named=True)
        who = f" ({row[segment]})" if segment else ""
        return Headline(f"Monthly stickiness {percent(row['stickiness'])}{who} in {month}", note, named(segment, row))
    low, high = rows.row(0, named=True), rows.row(-1, named=True)
    between = spread(low, high, "stickiness", segment, units)
    return Headline(f"Monthly stickiness in {month}: {between}", note, named(segment, low, high))


def _retention_headline(retained: pl.DataFrame, options: FindingOptions) -> Headline:
    retained = with_derived(retained, options.min_users)
    segment = segment_of(retained)
    done = done_periods(retained)
    partial = ""
    if done.is_empty():  # no complete period yet: the latest drawn (a hollow point), said to be partial
        done, partial = retained.filter(pl.col("retention_rate").is_not_null()), " (partial)"
    units = options.units
    note = (
        f"Churn: the share of the period before's active {units} not active in this one; retention: returning / them."
    )
    if done.is_empty():
        return Headline(f"Retention and churn: no {options.period} follows one with active {units} yet", note)
    last = done.get_column("period").max()
    rows = done.filter(pl.col("period") == last).sort("churn_rate")
    when = period_name(as_date(last), options.period) + partial
    if rows.height == 1:
        row = rows.row(0, named=True)
        who = f" ({row[segment]})" if segment else ""
        return Headline(
            f"Churn {percent(row['churn_rate'])}{who} in {when} (retention {percent(row['retention_rate'])})",
            note,
            named(segment, row),
        )
    low, high = rows.row(0, named=True), rows.row(-1, named=True)
    between = spread(low, high, "churn_rate", segment, units)
    return Headline(f"Churn in {when}: {between}", note, named(segment, low, high))


def _lifecycle_headline(table: pl.DataFrame, options: FindingOptions) -> Headline:
    later = table.filter(pl.col("period") > pl.col("period").min())  # the first period has no period before it
    units = options.units
    note = f"Bars: returning, resurrecting (back after a gap) and new {units} above zero; {units} gone dormant below."
    if later.is_empty():
        return Headline(f"Lifecycle: one {options.period} only", note)
    complete = later.filter(pl.col("complete"))
    rows = complete if complete.height else later
    last = rows.get_column("period").max()
    at = rows.filter(pl.col("period") == last)
    segment = segment_of(table)
    when = period_name(as_date(last), options.period)
    if segment is None or at.height == 1:
        row = at.row(0, named=True)
        who = f" ({row[segment]})" if segment else ""
        return Headline(
            f"Lifecycle in {when}{who}: {row['new']:,} new, {row['resurrecting']:,} back after a gap, "
            f"{abs(row['dormant']):,} gone dormant",
            note,
            named(segment, row),
        )
    most_new = at.sort(["new", segment], descending=[True, False]).row(0, named=True)
    most_gone = at.sort(["dormant", segment]).row(0, named=True)  # dormant counts are negative
    return Headline(
        f"Lifecycle in {when}: most new {units} in {most_new[segment]} ({most_new['new']:,}), "
        f"most gone dormant in {most_gone[segment]} ({abs(most_gone['dormant']):,})",
        note,
        named(segment, most_new, most_gone),
    )


def _zone_headline(usecase_map: pl.DataFrame, options: FindingOptions) -> Headline:
    rows = with_verdicts(judged(usecase_map))
    flagged = rows.filter(pl.col("verdict") == "forgettable").height
    rare = rows.filter(pl.col("verdict") == "rare as expected").height
    noun = "segment" if rows.height == 1 else "segments"
    verb = "is" if flagged == 1 or rows.height == 1 else "are"
    text = f"{flagged} of {rows.height} {noun} {verb} in the forgettable zone"
    text += f"; {rare} {'is' if rare == 1 else 'are'} rarely used, as expected" if rare else ""
    note = (
        f"The zone: more than {options.majority:.0%} of evaluable adopters forgettable (bars: the share, 95% interval)."
    )
    return Headline(text, note)


def _map_headline(usecase_map: pl.DataFrame, options: FindingOptions) -> Headline:
    """Headline the lowest and highest adoption the map's cells print (rounded as they are), in ASCII."""
    rows = judged(usecase_map)
    segment = rows.columns[0]
    cases = rows.filter(pl.col("use_case") != ANY)
    rows = (cases if cases.height else rows).filter(pl.col("adoption_rate").is_not_null()).sort("adoption_rate")
    note = (
        f"Adoption: the share of the segment's active {options.units} who use the use case (the cells' text, rounded)."
    )
    if rows.is_empty():
        return Headline("Use-case map: no adopters", note)
    low, high = rows.row(0, named=True), rows.row(-1, named=True)

    def cell(row: Mapping[str, Any]) -> str:
        return f"{round(row['adoption_rate'] * 100):d}% ({who(row, segment)}, {row['use_case']})"

    if rows.height == 1:
        return Headline(f"Adoption {cell(low)}", note, named(segment, low))
    return Headline(f"Adoption from {cell(low)} to {cell(high)}", note, named(segment, low, high))


def _spectrum_headline(spectrum: pl.DataFrame) -> Headline:
    rows = spectrum.filter((pl.col("band") == "daily") & (pl.col("use_case") != UNMAPPED))
    segment = spectrum.columns[0]
    top = rows.filter(pl.col("share").is_not_null()).sort(["share", segment], descending=[True, False])
    note = "Daily: 20 or more active days per 30 over the habit window."
    if top.is_empty():
        return Headline("Frequency spectrum: no adopters", note)
    row = top.row(0, named=True)
    return Headline(
        f"Daily habit: {percent(row['share'])} of {row[segment]}'s adopters of {row['use_case']} use it 20+ days "
        "per 30",
        note,
        named(segment, row),
    )


def power_user_days(window: int) -> int:
    """Return the active days of a ``window`` from which a user counts as a power user in the curve's title.

    The daily band's edge (20 active days per 30, docs/use-cases.md) scaled to the window and rounded up.

    >>> power_user_days(30), power_user_days(28), power_user_days(7)
    (20, 19, 5)
    """
    return math.ceil(DEFAULT_BANDS["daily"] * window / 30 - 1e-9)  # 20 * 30 / 30 is 20, not 21


def power_user_shares(curve: pl.DataFrame, segment: str | None) -> pl.DataFrame:
    """``[segment,] power``: each segment's share of MAU active on :func:`power_user_days` or more days, ascending.

    ``curve`` is :func:`~stickiness.power_users`'s output (every k = 1 .. window, so its largest
    ``active_days`` is the window); the chart draws these shares, the title states the extremes.

    >>> curve = pl.DataFrame({"active_days": range(1, 8), "users": [2, 0, 0, 0, 1, 0, 1]})
    >>> power_user_shares(curve.with_columns(share=pl.col("users") / 4), None).rows()
    [(0.5,)]
    """
    days = power_user_days(int(curve.get_column("active_days").max()))  # type: ignore[arg-type]
    keys = [segment] if segment else []
    power = pl.col("share").filter(pl.col("active_days") >= days).sum().alias("power")
    return (curve.group_by(keys).agg(power) if keys else curve.select(power)).sort(["power", *keys])


def _power_users_headline(curve: pl.DataFrame, segment: str | None, options: FindingOptions) -> Headline:
    """Headline the highest and lowest share of a segment's MAU active on :func:`power_user_days` or more days."""
    window = int(curve.get_column("active_days").max())  # type: ignore[arg-type]  # the curve has every k
    days = power_user_days(window)
    rows = power_user_shares(curve, segment)
    note = (
        f"Power {options.units}: active on {days} or more of the {window} days to as_of (the daily band, 20 days "
        f"per 30, scaled to the window); a bar is the share of the segment's {options.units} active in the window "
        "(its MAU)."
    )
    high = rows.row(-1, named=True)
    mau = f"{who(high, segment)}'s MAU" if segment else "MAU"
    text = f"{percent(high['power'])} of {mau} were active {days}+ days of {window}"
    if rows.height == 1:
        return Headline(text, note, named(segment, high))
    low = rows.row(0, named=True)
    return Headline(f"{text}, {percent(low['power'])} of {who(low, segment)}'s", note, named(segment, high, low))


#: How each chart's title is worded from its table, its segment column (or None) and the options.
_Worder = Callable[[pl.DataFrame, str | None, FindingOptions], Headline]
_HEADLINES: Final[Mapping[str, _Worder]] = {
    # the report charts (spec.QUICKSTART's names): their segment is the table's first column unless standard
    "active_users": lambda table, _, options: _active_users_headline(table, options),
    "monthly_active_users": lambda table, _, options: _monthly_headline(table, options),
    "frequency_spectrum": lambda table, _, options: _spectrum_headline(table),
    "use_case_map": lambda table, _, options: _map_headline(table, options),
    "forgettable_zone": lambda table, _, options: _zone_headline(table, options),
    "retention": lambda table, _, options: _retention_headline(table, options),
    "lifecycle": lambda table, _, options: _lifecycle_headline(table, options),
    "power_users": lambda table, by, options: _power_users_headline(table, by or segment_of(table), options),
    # the other charts, named after the metric they draw
    "feature_adoption": adoption.adoption_headline,
    "where_users_leave": adoption.leave_headline,
    "cohort_matrix": cohorts.cohort_cell_headline,
    "retention_curve": cohorts.cohort_headline,
    "health_summary": scorecards.health_headline,
    "nps": scorecards.nps_headline,
    "fit_matrix": scorecards.fit_headline,
    "lifetime_value": scorecards.value_headline,
    "lifetime_value_summary": scorecards.value_summary_headline,
    "predict_forgettable": scorecards.prediction_headline,
    "growth_states": growth.growth_headline,
    # habits over time (docs/habits-over-time.md)
    "habit_mix": habits.habit_mix_headline,
    "band_migration": habits.band_migration_headline,
    "power_users_by_use_case": power.by_use_case_headline,
}
#: The charts :func:`chart_headline` words, by name.
CHART_NAMES: Final = tuple(_HEADLINES)


def chart_headline(
    chart: str, table: pl.DataFrame, *, by: str | None = None, options: FindingOptions | None = None
) -> Headline:
    """Return the title of one chart, worded from its table: the number it states is one the chart draws.

    ``chart`` is the chart's name (:data:`CHART_NAMES`). The report's: ``active_users``
    (the trailing 7-day mean of DAU / MAU on the last complete day, where the line ends),
    ``monthly_active_users`` (the last complete month's mean DAU / MAU),
    ``frequency_spectrum``, ``use_case_map``, ``forgettable_zone``, ``retention``,
    ``lifecycle`` or ``power_users`` (the highest and lowest share of a segment's MAU
    active on :func:`power_user_days` or more days of the window). The others are named
    after the metric they draw: ``feature_adoption``,
    ``where_users_leave``, ``cohort_matrix`` (the heatmap: one cell it draws, the latest
    cohort's period 1), ``retention_curve`` (the size-weighted mean it draws; both from
    the cohort matrix), ``health_summary``, ``nps`` (per segment, or over time when the table has a
    ``period``), ``fit_matrix``, ``lifetime_value``, ``lifetime_value_summary`` and
    ``predict_forgettable`` (the prediction's ``summary``), ``growth_states`` (the
    last day's states, every segment together), ``power_users_by_use_case`` (the use cases with the
    highest and lowest share of power users, the segments given pooled). ``table`` is the metric's
    output as the chart draws it. ``by`` names the table's segment column (default: the
    table's first column unless that is ``day``, ``period``, ...; for ``nps`` and
    the lifetime-value tables, whose segment is optional, the one column beyond the
    metric's own); ``options`` the ones the table and the chart were computed with (the period,
    majority, ``top``, ``depart_below``, ... word the titles; ``unit="account"``, a log of
    :func:`stickiness.by_account`, makes the titles count accounts). An unknown ``chart`` is a
    KeyError naming the known ones.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> months = pl.DataFrame({"month": [dt.date(2024, 1, 1)], "days": [31], "mean_dau": [3.1], "mau": [10],
    ...     "stickiness": [0.31], "complete": [True]})
    >>> chart_headline("monthly_active_users", months).text
    'Monthly stickiness 31.0% in January 2024'
    >>> fit = pl.DataFrame({"user": ["a", "b", "c"], "state": ["depart", "grow", "keep"]})
    >>> chart_headline("fit_matrix", fit, options=FindingOptions(depart_below=0.25)).text
    '1 of 3 accounts is below 25% profitability (depart); 1 to grow'
    """
    if chart not in _HEADLINES:
        raise KeyError(f"no headline for chart {chart!r}: the charts are {', '.join(CHART_NAMES)}")
    options = options or FindingOptions()
    if by is not None and by in table.columns:  # the segment column first, where the table's own order puts it
        table = table.select(by, pl.exclude(by))
    if table.is_empty():
        return Headline(f"{chart.replace('_', ' ').capitalize().replace('users', options.units)}: no data")
    return _HEADLINES[chart](table, by if by is not None and by in table.columns else None, options)
