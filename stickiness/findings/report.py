"""A report's summary: :func:`report_findings`, the topics in plain words and the next steps, from its tables.

Every verdict comes from the tables (``verdict``, ``sufficient``, ``complete``,
``partial_day``, ``status``): nothing is re-derived here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Final

import polars as pl

from stickiness._text import printable, use_case_label
from stickiness.findings._model import (
    ANY,
    CHANGE_DAYS,
    UNMAPPED,
    WEEK,
    Finding,
    FindingOptions,
    Findings,
    as_date,
    capped,
    listing,
    percent,
    points,
    segment_of,
    signed_count,
    who,
)
from stickiness.findings._tables import day_rows, done_periods, headline_day, with_derived, zone_rows
from stickiness.findings.headlines import chart_headline
from stickiness.findings.power_users import power_users_finding
from stickiness.intervals import SMALL_SAMPLE
from stickiness.options import ACTIVITY, DORMANCY, HABITS, PERIOD, ZONE

__all__ = ["report_findings"]


_CATALOG_HOW: Final = (
    "No use-case catalog was given, so the whole product is one use case, (any). Write one: "
    "`stickiness catalog EVENTS > use_cases.csv` lists every event with a blank use_case column to fill; "
    "then run the report with `--use-cases use_cases.csv` (use_cases='use_cases.csv' in a template)."
)


def _stickiness(daily: pl.DataFrame, options: FindingOptions) -> Finding | None:
    segment = segment_of(daily)
    day, partial = headline_day(daily)
    if day is None:
        return None
    rows = day_rows(daily, segment, day)
    known = rows.filter(pl.col("week_mean").is_not_null()).sort("week_mean", descending=True)
    incomplete = "" if rows.get_column("complete").all() else " (the MAU window starts before the log: undercounted)"
    shown, more = capped(known, "mau", "tables/active_users.csv")  # the largest by MAU, 21 personas or more
    units = options.units
    listed = (listing(shown, segment, lambda r: percent(r["week_mean"]), units) + more) or f"no monthly active {units}"
    sentence = (
        f"Stickiness (DAU / MAU, the share of the month's {units} active on a day), as the mean of the {WEEK} days "
        f"to {day}: {listed}{incomplete}."
    )
    notes = [
        f"Stickiness is DAU / MAU (MAU over {options.mau_window} days): the share of the month's {units} who use "
        f"the product on a day; the summary and the active-{units} chart state its mean over the last {WEEK} days, "
        "which evens out weekdays. One day's value is in the table (stickiness); the monthly chart gives each "
        "month's mean."
    ]
    small = shown.filter(pl.col("mau") < SMALL_SAMPLE)  # the table's small_sample, by its definition
    if small.height:
        counts = listing(small, segment, lambda row: f"{row['mau']:,}") if segment else f"{small.item(0, 'mau'):,}"
        who = f" ({counts})"
        notes.append(
            f"Fewer than {SMALL_SAMPLE} monthly {units}{who}: a small sample, its stickiness has a wide interval "
            "(stickiness_low, stickiness_high in the table; docs/intervals.md)."
        )
    if partial.height:
        last, dau = as_date(partial.get_column("day").max()), partial.get_column("dau").sum()
        notes.append(
            f"The last day, {last}, looks partial (DAU {dau:,}, below half the usual for that weekday and for the "
            "week before: the log seems to stop early that day); it is marked complete = false and not headlined "
            "(docs/metrics.md)."
        )
    return Finding("stickiness", sentence, rows, tuple(notes))


def _changes(daily: pl.DataFrame, retained: pl.DataFrame | None, options: FindingOptions) -> Finding | None:
    """Stickiness and MAU against :data:`CHANGE_DAYS` days before; churn against the period before."""
    parts: list[str] = []
    frames: list[pl.DataFrame] = []
    segment = segment_of(daily)
    day, _ = headline_day(daily)
    if day is not None:
        before = day - dt.timedelta(days=CHANGE_DAYS)
        then = day_rows(daily, segment, before).filter(pl.col("complete"))
        if then.height:
            now = day_rows(daily, segment, day)
            keys = [segment] if segment else []
            joined = (
                now.join(then, on=keys, how="inner", suffix="_before")
                if keys
                else now.hstack(then.select(pl.all().name.suffix("_before")))
            )
            joined = joined.filter(pl.col("week_mean").is_not_null() & pl.col("week_mean_before").is_not_null())
            if joined.height:
                listed, more = capped(joined.sort("week_mean", descending=True), "mau", "tables/active_users.csv")
                ratios = (
                    listing(
                        listed,
                        segment,
                        lambda r: f"{percent(r['week_mean'])} ({points(r['week_mean'] - r['week_mean_before'])})",
                        options.units,
                    )
                    + more
                )
                by_mau, more = capped(joined, "mau", "tables/active_users.csv")
                counts = (
                    listing(
                        by_mau,
                        segment,
                        lambda r: f"{r['mau']:,} ({signed_count(r['mau'] - r['mau_before'])})",
                        options.units,
                    )
                    + more
                )
                parts.append(f"Against {before}, {CHANGE_DAYS} days before: stickiness {ratios}; MAU {counts}.")
                frames.append(joined)
    churn = _churn_change(retained, options) if retained is not None else None
    if churn is not None:
        parts.append(churn[0])
    if not parts:
        return None
    return Finding("changes", " ".join(parts), frames[0] if frames else pl.DataFrame())


def _churn_change(retained: pl.DataFrame, options: FindingOptions) -> tuple[str, pl.DataFrame] | None:
    segment = segment_of(retained)
    done = done_periods(with_derived(retained, options.min_users)).filter(pl.col("sufficient"))
    periods = done.get_column("period").unique().sort(descending=True)
    if periods.len() < 2:
        return None
    last, previous = periods[0], periods[1]
    keys = [segment] if segment else []
    now = done.filter(pl.col("period") == last)
    then = done.filter(pl.col("period") == previous).select(*keys, pl.col("churn_rate").alias("churn_before"))
    joined = (now.join(then, on=keys, how="inner") if keys else now.hstack(then)).sort("churn_rate")
    if joined.is_empty():
        return None
    show = lambda r: f"{percent(r['churn_rate'])} ({points(r['churn_rate'] - r['churn_before'])})"  # noqa: E731
    listed, more = capped(joined, "active_before", "tables/retention.csv")
    changes = listing(listed, segment, show, options.units) + more
    text = f"Churn in the {options.period} starting {last} against the one before: {changes}."
    return text, joined


def _retention(retained: pl.DataFrame, options: FindingOptions) -> Finding:
    retained = with_derived(retained, options.min_users)
    segment = segment_of(retained)
    done = done_periods(retained)
    units = options.units
    if done.height == 0:
        return Finding("retention", f"Retention: no complete period with {units} active in the period before yet.")
    last = as_date(done.get_column("period").max())
    latest = done.filter(pl.col("period") == last).sort("churn_rate")
    shown, few = latest.filter(pl.col("sufficient")), latest.filter(~pl.col("sufficient"))
    show = lambda r: f"churn {percent(r['churn_rate'])} (retention {percent(r['retention_rate'])})"  # noqa: E731
    kept, more = capped(shown, "active_before", "tables/retention.csv")
    listed = (listing(kept, segment, show, units) + more) or f"no segment has enough {units} to judge"
    sentence = f"Retention in the {options.period} starting {last}: {listed}."
    notes = []
    above = shown.filter(pl.col("retention_rate") > 1)
    if above.height:
        above, more = capped(above, "active_before", "tables/retention.csv")
        back = listing(above, segment, lambda r: f"{r['returning'] - r['retained']:,}", units) + more
        notes.append(f"Retention above 100% counts {units} back after a gap: {back}.")
    if few.height:
        kept, more = capped(few, "active_before", "tables/retention.csv")
        names = f" ({', '.join(str(n) for n in kept.get_column(segment).to_list())}{more})" if segment else ""
        notes.append(f"Not headlined{names}: fewer than {options.min_users} {units} active in the period before.")
    return Finding("retention", " ".join([sentence, *notes]), latest, tuple(notes))


def _inactive(table: pl.DataFrame, options: FindingOptions) -> Finding:
    counts = table.group_by("status").len("users").sort(["users", "status"], descending=[True, False])
    words = ", ".join(f"{n:,} {s.replace('_', ' ')}" for s, n in counts.iter_rows())
    verb = "has" if table.height == 1 else "have"
    sentence = f"{options.count(table.height)} {verb} had no activity in the last {options.inactive_days} days" + (
        f": {words}." if words else "."
    )
    return Finding("inactive", sentence, counts)


def _pairs(rows: pl.DataFrame) -> str:
    """List at most :data:`MOST_NAMED` (segment, use case) pairs and count the rest (125 on a 21-persona log).

    The most evaluable adopters (``zone_rows``' order), as the use-case map's subtitle names them.
    """
    segment = rows.columns[0]
    kept, more = capped(rows, "evaluable", "tables/use_case_map.csv")
    listed = ", ".join(
        f"{s} × {u} ({percent(share)})"
        for s, u, share in kept.select(segment, "use_case", "forgettable_share").iter_rows()
    )
    return listed + more


def _forgettable(usecase_map: pl.DataFrame, options: FindingOptions) -> Finding:
    zone, rare = zone_rows(usecase_map, "forgettable"), zone_rows(usecase_map, "rare as expected")
    rule = (
        f"more than {options.majority:.0%} of evaluable adopters use it less than {options.threshold:g} day per 30 "
        f"over {options.habit_window} days"
    )
    sentence = f"Forgettable zone ({rule}): {_pairs(zone)}." if zone.height else f"Forgettable zone ({rule}): none."
    notes = (f"Rarely used, as the catalog expects (not a finding): {_pairs(rare)}.",) if rare.height else ()
    return Finding("forgettable", " ".join([sentence, *notes]), pl.concat([zone, rare]), notes)


def _drifting(drifting: pl.DataFrame, options: FindingOptions) -> Finding:
    drifting = drifting.filter(pl.col("use_case") != UNMAPPED)  # the events in no use case are not a use case
    segment = segment_of(drifting)
    keys = [*([segment] if segment else []), "use_case"]
    counts = drifting.group_by(keys).len("users").sort(["users", *keys], descending=[True, *[False] * len(keys)])
    if drifting.is_empty():
        text = f"Drifting {options.units}: none (no {options.unit}'s rate fell below the threshold)."
        return Finding("drifting", text, counts)
    users = drifting.get_column("user").n_unique()
    where = ", ".join(
        (f"{who(row, segment, options.units)} × " if segment else "")
        + f"{use_case_label(row['use_case'], 40, pad=False)} "
        f"{row['users']:,}"
        for row in counts.head(5).iter_rows(named=True)
    )
    more = f" and {counts.height - 5} more in tables/drifting_users.csv" if counts.height > 5 else ""
    sentence = (
        f"Drifting: {options.count(users)} used a use case regularly before and now less than "
        f"{options.threshold:g} day per 30 ({where}{more})."
    )
    return Finding("drifting", sentence, counts)


def _catalog(
    usecase_map: pl.DataFrame | None, unmapped: pl.DataFrame | None, options: FindingOptions
) -> Finding | None:
    has = options.catalog
    if has is None and usecase_map is not None:
        has = bool((usecase_map.get_column("use_case") != ANY).any())
    if has is False:
        return Finding("catalog", _CATALOG_HOW)
    if unmapped is not None and unmapped.height:
        top = ", ".join(
            f"{printable(e, 40, pad=False)} ({n:,})" for e, n in unmapped.select("event", "events").head(5).iter_rows()
        )
        return Finding(
            "catalog",
            f"{unmapped.height:,} events are in no use case (extend the catalog; all in tables/unmapped_events.csv): "
            f"{top}.",
            unmapped.select("event", "events"),
        )
    return None


def _next_steps(
    found: Mapping[str, Finding], tables: Mapping[str, pl.DataFrame | None], options: FindingOptions
) -> list[str]:
    """Return the suggested next steps, each from a verdict a table already carries."""
    steps: list[str] = []
    units = options.units
    forgettable = found.get("forgettable")
    if forgettable is not None:
        zone = forgettable.numbers.filter(pl.col("verdict") == "forgettable")
        for row in zone.head(3).iter_rows(named=True):
            segment = zone.columns[0]
            steps.append(
                f"Remind {who(row, segment, units)} of {use_case_label(row['use_case'], 40, pad=False)}: "
                f"{percent(row['forgettable_share'])} of its evaluable "
                "adopters use it less than once a month and may forget the product when the need comes back."
            )
    drifting = found.get("drifting")
    if drifting is not None and drifting.numbers.height:
        steps.append(
            f"Contact the drifting {units} before they lapse: tables/drifting_users.csv lists them, with their rate "
            "before and now."
        )
    retention = found.get("retention")
    if retention is not None and retention.numbers.height:
        judged = retention.numbers.filter(pl.col("sufficient") & pl.col("churn_rate").is_not_null())
        if judged.height > 1:
            worst_segment = segment_of(judged)
            worst = judged.sort("churn_rate", descending=True).row(0, named=True)
            steps.append(
                f"Look into churn in {who(worst, worst_segment, units)} ({percent(worst['churn_rate'])}, the highest "
                "in the latest period): interview recent leavers."
            )
    inactive = tables.get("inactive_users")
    if inactive is not None and "status" in inactive.columns:
        at_risk = inactive.filter(pl.col("status") == "at_risk").height
        if at_risk:
            steps.append(
                f"Reach the {options.count(at_risk)} at risk (quiet for more than twice their usual interval; "
                "tables/inactive_users.csv, status at_risk) before they go dormant."
            )
    catalog = found.get("catalog")
    if catalog is not None:
        if catalog.numbers.height:
            steps.append("Map the events in no use case to one (extend the catalog), then run the report again.")
        else:
            steps.append(
                "Write a use-case catalog: `stickiness catalog EVENTS > use_cases.csv`, fill in use_case, then "
                "`stickiness report EVENTS --use-cases use_cases.csv`."
            )
    return steps


#: The columns each chart's headline reads.
_HEADLINE_COLUMNS: Final = {
    "active_users": {"day", "stickiness", "complete"},
    "monthly_active_users": {"month", "stickiness", "complete"},
    "frequency_spectrum": {"use_case", "band", "share"},
    "use_case_map": {"use_case", "adoption_rate"},
    "forgettable_zone": {"use_case", "forgettable_share"},
    "retention": {"period", "retention_rate", "churn_rate", "complete", "active", "new", "active_before"},
    "lifecycle": {"period", "new", "resurrecting", "dormant", "complete"},
    "power_users": {"active_days", "users", "share"},
}


#: The charts each table draws (spec.QUICKSTART's names).
_CHARTS: Final = {
    "active_users": ("active_users",),
    "monthly_active_users": ("monthly_active_users",),
    "frequency_spectrum": ("frequency_spectrum",),
    "use_case_map": ("use_case_map", "forgettable_zone"),
    "retention": ("retention",),
    "lifecycle": ("lifecycle",),
    "power_users": ("power_users",),
}


def report_findings(
    tables: Mapping[str, pl.DataFrame | None],
    *,
    mau_window: int = ACTIVITY.window,
    habit_window: int = HABITS.window,
    threshold: float = HABITS.threshold,
    majority: float = ZONE.majority,
    min_users: int = ZONE.min_users,
    period: str = PERIOD.period,
    inactive_days: int = DORMANCY.days,
    catalog: bool | None = None,
    unit: str = "user",
) -> Findings:
    """Return a report's findings from its tables, named as in ``tables/`` (``active_users``, ``retention``, ...).

    Any table may be missing (or None): its topic is left out. The options are the
    report's (they word the sentences and are kept in ``Findings.options``);
    ``catalog`` says whether a use-case catalog was given (None: told by the
    use-case map, whose only use case is ``(any)`` without one).

    Parameters
    ----------
    tables
        The metric tables: ``active_users``, ``monthly_active_users``, ``power_users``, ``frequency_spectrum``,
        ``use_case_map``, ``drifting_users``, ``unmapped_events``, ``retention``, ``lifecycle``,
        ``inactive_users`` (as :func:`stickiness.active_users` and friends return them).
    mau_window, habit_window, threshold, majority, min_users, period, inactive_days
        The report's options the tables were computed with (the metrics' ``window``,
        ``threshold``, ...): they word the sentences.
    catalog
        Whether a use-case catalog was given; None: told from the use-case map.
    unit
        What the tables count: the log's :attr:`~stickiness.UsageLog.unit`, ``"user"`` or ``"account"``
        (a log of :func:`stickiness.by_account`). The sentences and titles that count people say
        ``accounts`` for ``"account"`` (docs/accounts.md).

    Returns
    -------
    Findings
        Topics in reading order (``stickiness``, ``changes``, ``power_users``, ``forgettable``, ``drifting``,
        ``retention``, ``inactive``, ``catalog``), next steps and each chart's headline.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> retained = pl.DataFrame({"period": [dt.date(2024, 1, 1), dt.date(2024, 2, 1)], "active_before": [0, 40],
    ...     "active": [40, 30], "new": [40, 0], "retained": [0, 30], "churned": [0, 10], "returning": [0, 30],
    ...     "retention_rate": [None, 0.75], "churn_rate": [None, 0.25], "sufficient": [False, True],
    ...     "complete": [True, True]})
    >>> report_findings({"retention": retained}).topic("retention").sentence
    'Retention in the month starting 2024-02-01: all users churn 25.0% (retention 75.0%).'
    """
    options = FindingOptions(
        mau_window, habit_window, threshold, majority, min_users, period, inactive_days, catalog, unit=unit
    )
    present = {name: table for name, table in tables.items() if table is not None}
    found: dict[str, Finding] = {}
    daily = present.get("active_users")
    if daily is not None and daily.height:
        if (finding := _stickiness(daily, options)) is not None:
            found["stickiness"] = finding
        if (change := _changes(daily, present.get("retention"), options)) is not None:
            found["changes"] = change
    if (curve := present.get("power_users")) is not None and (power := power_users_finding(curve, options)):
        found["power_users"] = power  # how many of the month's users come most days, next to stickiness
    usecase_map = present.get("use_case_map")
    if usecase_map is not None and usecase_map.height:
        found["forgettable"] = _forgettable(usecase_map, options)
    if (drifting := present.get("drifting_users")) is not None:
        found["drifting"] = _drifting(drifting, options)
    if (retained := present.get("retention")) is not None and retained.height:
        found["retention"] = _retention(retained, options)
    if (inactive := present.get("inactive_users")) is not None:
        found["inactive"] = _inactive(inactive, options)
    if (note := _catalog(usecase_map, present.get("unmapped_events"), options)) is not None:
        found["catalog"] = note
    headlines = {
        chart: chart_headline(chart, table, options=options)
        for name, table in present.items()
        for chart in _CHARTS.get(name, ())
        if _HEADLINE_COLUMNS[chart] <= set(table.columns)  # a table cut down by hand has no headline
    }
    return Findings(tuple(found.values()), tuple(_next_steps(found, present, options)), headlines, options)
