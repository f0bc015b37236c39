"""A report's findings in plain words, decided once: the summary, the command's printed lines and the chart titles.

:func:`report_findings` reads the tables a report computed (whatever is present)
and returns a :class:`Findings` value: per topic the numbers behind it (a small
frame) and one sentence, the next steps, and each chart's :class:`Headline`.
Every verdict comes from the tables (``verdict``, ``sufficient``, ``complete``,
``partial_day``, ``status``): nothing is re-derived here.

Stickiness, as the summary states it, is the **trailing 7-day mean of daily
DAU / MAU** on the last complete day: the share of the month's users active on a
typical day of the last week. It is the figure the active-users chart's line ends
at; one day's DAU / MAU and the monthly mean are named apart where they appear.

>>> import datetime as dt, polars as pl
>>> days = [dt.date(2024, 1, d) for d in range(1, 8)]
>>> daily = pl.DataFrame({"day": days, "dau": [2] * 7, "wau": [4] * 7, "mau": [4] * 7,
...     "stickiness": [0.5] * 6 + [0.25], "complete": [True] * 7})
>>> report_findings({"active_users": daily}).topic("stickiness").numbers["week_mean"][0]  # (6 x 0.5 + 0.25) / 7
0.4642857142857143
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import polars as pl

from stickiness._text import printable, use_case_label

__all__ = [
    "CHANGE_DAYS",
    "WEEK",
    "Finding",
    "FindingOptions",
    "Findings",
    "Headline",
    "chart_headline",
    "report_findings",
]

#: Days in the trailing mean of DAU / MAU that the summary and the active-users chart state.
WEEK: Final = 7
#: "What changed" compares the last complete day with the day this many days before.
CHANGE_DAYS: Final = 30
#: The first column of each table when it has no segment column.
_FIRST: Final = frozenset({"day", "month", "period", "user", "event"})
#: What a catalog-less report calls the whole product (the metrics' one use case).
_ANY: Final = "(any)"
_UNMAPPED: Final = "(unmapped)"
_CATALOG_HOW: Final = (
    "No use-case catalog was given, so the whole product is one use case, (any). Write one: "
    "`stickiness catalog EVENTS > use_cases.csv` lists every event with a blank use_case column to fill; "
    "then run the report with `--use-cases use_cases.csv` (use_cases='use_cases.csv' in a template)."
)


@dataclass(frozen=True)
class Headline:
    """A chart's title: ``text`` states a number the chart draws; ``note`` (a subtitle line) says which figure."""

    text: str
    note: str = ""


@dataclass(frozen=True)
class Finding:
    """One topic of the summary: the ``sentence`` in plain words and the ``numbers`` it states (a small frame)."""

    topic: str
    sentence: str
    numbers: pl.DataFrame = field(default_factory=pl.DataFrame, compare=False)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FindingOptions:
    """The options the findings were computed with (the report's, as the tables were)."""

    mau_window: int = 30
    habit_window: int = 90
    threshold: float = 1.0
    majority: float = 0.5
    min_users: int = 30
    period: str = "month"
    inactive_days: int = 30
    catalog: bool | None = None


@dataclass(frozen=True)
class Findings:
    """The findings of one report (:func:`report_findings`): topics in reading order, next steps and chart titles."""

    topics: tuple[Finding, ...]
    next_steps: tuple[str, ...]
    headlines: Mapping[str, Headline]
    options: FindingOptions

    def topic(self, name: str) -> Finding:
        """Return the finding of one topic (``stickiness``, ``retention``, ...); KeyError when absent."""
        for finding in self.topics:
            if finding.topic == name:
                return finding
        raise KeyError(f"no finding on {name!r}: the report has {', '.join(f.topic for f in self.topics)}")

    def sentences(self) -> list[str]:
        """Return the topics' sentences, in reading order."""
        return [finding.sentence for finding in self.topics]

    def to_markdown(self) -> str:
        """Return the summary as Markdown: the findings, then the numbered next steps."""
        lines = ["## Summary", "", *(f"- {s}" for s in self.sentences())]
        if self.next_steps:
            lines += ["", "### Next steps", "", *(f"{n}. {s}" for n, s in enumerate(self.next_steps, 1))]
        return "\n".join(lines)

    def to_html(self) -> str:
        """Return the summary as an HTML section (``class="stickiness-summary"``), text escaped."""
        items = "".join(f"<li>{_inline_code(s)}</li>" for s in self.sentences())
        steps = "".join(f"<li>{_inline_code(s)}</li>" for s in self.next_steps)
        return (
            '<section class="stickiness-summary" aria-label="Summary"><h2>Summary</h2>'
            f"<ul>{items}</ul>" + (f"<h3>Next steps</h3><ol>{steps}</ol>" if steps else "") + "</section>"
        )

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        return self.to_markdown()


def _inline_code(text: str) -> str:
    """Escape ``text`` for HTML, with `backticked` spans as <code>."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def percent(value: float | None) -> str:
    """Format a share as a percentage with one decimal (n/a when unknown).

    >>> percent(0.8171), percent(None)
    ('81.7%', 'n/a')
    """
    return "n/a" if value is None else f"{value:.1%}"


def _points(change: float) -> str:
    """Format a change of a share in percentage points, signed: ``+1.2 points``.

    >>> _points(0.0123), _points(-0.05)
    ('+1.2 points', '−5.0 points')
    """
    return f"{'+' if change >= 0 else '−'}{abs(change) * 100:.1f} points"


def _signed(change: int) -> str:
    return f"{'+' if change >= 0 else '−'}{abs(change):,}"


def segment_of(table: pl.DataFrame) -> str | None:
    """Return a table's segment column: its first column unless that is a standard one (``day``, ``period``, ...).

    The drifting-users and inactive lists start with ``user``: their segment is the second column.

    >>> segment_of(pl.DataFrame({"persona": ["a"], "day": [1]})), segment_of(pl.DataFrame({"day": [1]}))
    ('persona', None)
    """
    first = table.columns[0] if table.columns else None
    if first == "user" and len(table.columns) > 1 and table.columns[1] not in {"use_case", "last_active"}:
        return table.columns[1]
    return None if first is None or first in _FIRST else first


def _who(row: Mapping[str, Any], segment: str | None) -> str:
    return "all users" if segment is None else printable(row[segment], 40, pad=False)


def _listing(rows: pl.DataFrame, segment: str | None, show: Any) -> str:
    """Return "a 81.7%, b 31.9%" over the rows, in their order."""
    return ", ".join(f"{_who(row, segment)} {show(row)}" for row in rows.iter_rows(named=True))


def _spread(low: Mapping[str, Any], high: Mapping[str, Any], value: str, segment: str | None) -> str:
    """Return "from LOW (who) to HIGH (who)" of ``value`` between two rows."""
    return f"from {percent(low[value])} ({_who(low, segment)}) to {percent(high[value])} ({_who(high, segment)})"


def _date(value: Any) -> dt.date:
    """Return a table's date (a max over a date column), checked for the type checker."""
    if not isinstance(value, dt.date):
        raise TypeError(f"expected a date, got {value!r}")
    return value


def _month(day: dt.date) -> str:
    return f"{day:%B %Y}"


def period_name(start: dt.date, period: str) -> str:
    """Name a period by its start: ``June 2026``, ``the week of 2026-06-01`` or ``2026-06-01``.

    >>> period_name(dt.date(2026, 6, 1), "month"), period_name(dt.date(2026, 6, 1), "week")
    ('June 2026', 'the week of 2026-06-01')
    """
    if period == "month":
        return _month(start)
    return f"the week of {start}" if period == "week" else str(start)


# --- active users -----------------------------------------------------------------------------------------------


def _headline_day(daily: pl.DataFrame) -> tuple[dt.date | None, pl.DataFrame]:
    """Return the last day not flagged ``partial_day`` (the headline day) and the partial days' rows."""
    partial = daily.filter(pl.col("partial_day")) if "partial_day" in daily.columns else daily.clear()
    whole = daily.join(partial.select("day").unique(), on="day", how="anti") if partial.height else daily
    last = (whole if whole.height else daily).get_column("day").max()
    return (last if isinstance(last, dt.date) else None), partial


def _week_means(daily: pl.DataFrame, segment: str | None, day: dt.date) -> pl.DataFrame:
    """Return each segment's mean DAU / MAU over the 7 days ending on ``day`` (the chart's trailing window)."""
    keys = [segment] if segment else []
    recent = daily.filter(pl.col("day").is_between(day - dt.timedelta(days=WEEK - 1), day))
    if not keys:
        return recent.select(pl.col("stickiness").mean().alias("week_mean"))
    return recent.group_by(keys).agg(pl.col("stickiness").mean().alias("week_mean"))


def _day_rows(daily: pl.DataFrame, segment: str | None, day: dt.date) -> pl.DataFrame:
    """Return one row per segment on ``day``: its counts, one day's DAU / MAU and the 7-day mean."""
    rows = daily.filter(pl.col("day") == day)
    means = _week_means(daily, segment, day)
    joined = rows.join(means, on=segment, how="left") if segment else rows.join(means, how="cross")
    columns = [*([segment] if segment else []), "day", "dau", "wau", "mau", "stickiness", "week_mean", "complete"]
    keys = [segment] if segment else []
    return joined.select(columns).sort(["mau", *keys], descending=[True, *[False] * len(keys)])


def _stickiness(daily: pl.DataFrame, options: FindingOptions) -> Finding | None:
    segment = segment_of(daily)
    day, partial = _headline_day(daily)
    if day is None:
        return None
    rows = _day_rows(daily, segment, day)
    known = rows.filter(pl.col("week_mean").is_not_null()).sort("week_mean", descending=True)
    incomplete = "" if rows.get_column("complete").all() else " (the MAU window starts before the log: undercounted)"
    listing = _listing(known, segment, lambda r: percent(r["week_mean"])) or "no monthly active users"
    sentence = (
        f"Stickiness (DAU / MAU, the share of the month's users active on a day), as the mean of the {WEEK} days "
        f"to {day}: {listing}{incomplete}."
    )
    notes = [
        f"Stickiness is DAU / MAU (MAU over {options.mau_window} days): the share of the month's users who use "
        f"the product on a day; the summary and the active-users chart state its mean over the last {WEEK} days, "
        "which evens out weekdays. One day's value is in the table (stickiness); the monthly chart gives each "
        "month's mean."
    ]
    if partial.height:
        last, dau = _date(partial.get_column("day").max()), partial.get_column("dau").sum()
        notes.append(
            f"The last day, {last}, looks partial (DAU {dau:,}, below half the usual for that weekday and for the "
            "week before: the log seems to stop early that day); it is marked complete = false and not headlined "
            "(docs/metrics.md)."
        )
    return Finding("stickiness", sentence, rows, tuple(notes))


def _active_users_headline(daily: pl.DataFrame) -> Headline:
    day, _ = _headline_day(daily)
    if day is None:
        return Headline("Active users: no data")
    segment = segment_of(daily)
    rows = _day_rows(daily, segment, day).filter(pl.col("week_mean").is_not_null()).sort("week_mean")
    note = (
        f"Stickiness here is the trailing {WEEK}-day mean of DAU / MAU on the last complete day, where each line "
        "ends (one day's value is in the tooltip)."
    )
    incomplete = "" if rows.get_column("complete").all() else " (window incomplete)"
    if rows.is_empty():
        return Headline(f"Stickiness on {day}: no monthly active users{incomplete}", note)
    if rows.height == 1:
        row = rows.row(0, named=True)
        who = f" ({row[segment]})" if segment else ""
        return Headline(f"Stickiness {percent(row['week_mean'])}{who} on {day}, {WEEK}-day mean{incomplete}", note)
    low, high = rows.row(0, named=True), rows.row(-1, named=True)
    spread = _spread(low, high, "week_mean", segment)
    return Headline(f"Stickiness on {day}, {WEEK}-day mean: {spread}{incomplete}", note)


def _last_month(monthly: pl.DataFrame) -> pl.DataFrame:
    complete = monthly.filter(pl.col("complete"))
    rows = complete if complete.height else monthly
    return rows.filter(pl.col("month") == rows.get_column("month").max())


def _monthly_headline(monthly: pl.DataFrame) -> Headline:
    if monthly.is_empty():
        return Headline("Monthly stickiness: no data")
    segment = segment_of(monthly)
    rows = _last_month(monthly).filter(pl.col("stickiness").is_not_null()).sort("stickiness")
    note = "Monthly stickiness: the month's mean DAU / its users (the summary states the last 7 days' DAU / MAU)."
    month = _month(_date(_last_month(monthly).get_column("month").max()))
    if rows.is_empty():
        return Headline(f"Monthly stickiness in {month}: no monthly active users", note)
    if rows.height == 1:
        row = rows.row(0, named=True)
        who = f" ({row[segment]})" if segment else ""
        return Headline(f"Monthly stickiness {percent(row['stickiness'])}{who} in {month}", note)
    low, high = rows.row(0, named=True), rows.row(-1, named=True)
    spread = _spread(low, high, "stickiness", segment)
    return Headline(f"Monthly stickiness in {month}: {spread}", note)


def _changes(daily: pl.DataFrame, retained: pl.DataFrame | None, options: FindingOptions) -> Finding | None:
    """Stickiness and MAU against :data:`CHANGE_DAYS` days before; churn against the period before."""
    parts: list[str] = []
    frames: list[pl.DataFrame] = []
    segment = segment_of(daily)
    day, _ = _headline_day(daily)
    if day is not None:
        before = day - dt.timedelta(days=CHANGE_DAYS)
        then = _day_rows(daily, segment, before).filter(pl.col("complete"))
        if then.height:
            now = _day_rows(daily, segment, day)
            keys = [segment] if segment else []
            joined = (
                now.join(then, on=keys, how="inner", suffix="_before")
                if keys
                else now.hstack(then.select(pl.all().name.suffix("_before")))
            )
            joined = joined.filter(pl.col("week_mean").is_not_null() & pl.col("week_mean_before").is_not_null())
            if joined.height:
                ratios = _listing(
                    joined.sort("week_mean", descending=True),
                    segment,
                    lambda r: f"{percent(r['week_mean'])} ({_points(r['week_mean'] - r['week_mean_before'])})",
                )
                counts = _listing(joined, segment, lambda r: f"{r['mau']:,} ({_signed(r['mau'] - r['mau_before'])})")
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
    done = _done(_with_derived(retained, options.min_users)).filter(pl.col("sufficient"))
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
    show = lambda r: f"{percent(r['churn_rate'])} ({_points(r['churn_rate'] - r['churn_before'])})"  # noqa: E731
    text = f"Churn in the {options.period} starting {last} against the one before: {_listing(joined, segment, show)}."
    return text, joined


# --- retention and lifecycle ------------------------------------------------------------------------------------


def _with_derived(retained: pl.DataFrame, min_users: int) -> pl.DataFrame:
    """Add ``returning`` and ``sufficient`` to a table written by a version without them, by their definitions."""
    derived = {
        "returning": pl.col("active") - pl.col("new"),
        "sufficient": pl.col("active_before") >= min_users,
    }
    return retained.with_columns(expr.alias(name) for name, expr in derived.items() if name not in retained.columns)


def _done(retained: pl.DataFrame) -> pl.DataFrame:
    return retained.filter(pl.col("complete") & pl.col("retention_rate").is_not_null())


def _retention(retained: pl.DataFrame, options: FindingOptions) -> Finding:
    retained = _with_derived(retained, options.min_users)
    segment = segment_of(retained)
    done = _done(retained)
    if done.height == 0:
        return Finding("retention", "Retention: no complete period with users active in the period before yet.")
    last = _date(done.get_column("period").max())
    latest = done.filter(pl.col("period") == last).sort("churn_rate")
    shown, few = latest.filter(pl.col("sufficient")), latest.filter(~pl.col("sufficient"))
    show = lambda r: f"churn {percent(r['churn_rate'])} (retention {percent(r['retention_rate'])})"  # noqa: E731
    listing = _listing(shown, segment, show) or "no segment has enough users to judge"
    sentence = f"Retention in the {options.period} starting {last}: {listing}."
    notes = []
    above = shown.filter(pl.col("retention_rate") > 1)
    if above.height:
        back = _listing(above, segment, lambda r: f"{r['returning'] - r['retained']:,}")
        notes.append(f"Retention above 100% counts users back after a gap: {back}.")
    if few.height:
        names = f" ({', '.join(str(n) for n in few.get_column(segment).to_list())})" if segment else ""
        notes.append(f"Not headlined{names}: fewer than {options.min_users} users active in the period before.")
    return Finding("retention", " ".join([sentence, *notes]), latest, tuple(notes))


def _retention_headline(retained: pl.DataFrame, options: FindingOptions) -> Headline:
    retained = _with_derived(retained, options.min_users)
    segment = segment_of(retained)
    done = _done(retained)
    partial = ""
    if done.is_empty():  # no complete period yet: the latest drawn (a hollow point), said to be partial
        done, partial = retained.filter(pl.col("retention_rate").is_not_null()), " (partial)"
    note = "Churn: the share of the period before's active users not active in this one; retention: returning / them."
    if done.is_empty():
        return Headline(f"Retention and churn: no {options.period} follows one with active users yet", note)
    last = done.get_column("period").max()
    rows = done.filter(pl.col("period") == last).sort("churn_rate")
    when = period_name(_date(last), options.period) + partial
    if rows.height == 1:
        row = rows.row(0, named=True)
        who = f" ({row[segment]})" if segment else ""
        return Headline(
            f"Churn {percent(row['churn_rate'])}{who} in {when} (retention {percent(row['retention_rate'])})", note
        )
    low, high = rows.row(0, named=True), rows.row(-1, named=True)
    spread = _spread(low, high, "churn_rate", segment)
    return Headline(f"Churn in {when}: {spread}", note)


def _lifecycle_headline(table: pl.DataFrame, options: FindingOptions) -> Headline:
    later = table.filter(pl.col("period") > pl.col("period").min())  # the first period has no period before it
    note = "Bars: returning, resurrecting (back after a gap) and new users above zero; users gone dormant below."
    if later.is_empty():
        return Headline(f"Lifecycle: one {options.period} only", note)
    complete = later.filter(pl.col("complete"))
    rows = complete if complete.height else later
    last = rows.get_column("period").max()
    at = rows.filter(pl.col("period") == last)
    segment = segment_of(table)
    when = period_name(_date(last), options.period)
    if segment is None or at.height == 1:
        row = at.row(0, named=True)
        who = f" ({row[segment]})" if segment else ""
        return Headline(
            f"Lifecycle in {when}{who}: {row['new']:,} new, {row['resurrecting']:,} back after a gap, "
            f"{abs(row['dormant']):,} gone dormant",
            note,
        )
    most_new = at.sort(["new", segment], descending=[True, False]).row(0, named=True)
    most_gone = at.sort(["dormant", segment]).row(0, named=True)  # dormant counts are negative
    return Headline(
        f"Lifecycle in {when}: most new users in {most_new[segment]} ({most_new['new']:,}), "
        f"most gone dormant in {most_gone[segment]} ({abs(most_gone['dormant']):,})",
        note,
    )


def _inactive(table: pl.DataFrame, options: FindingOptions) -> Finding:
    counts = table.group_by("status").len("users").sort(["users", "status"], descending=[True, False])
    words = ", ".join(f"{n:,} {s.replace('_', ' ')}" for s, n in counts.iter_rows())
    sentence = f"{table.height:,} users have had no activity in the last {options.inactive_days} days" + (
        f": {words}." if words else "."
    )
    return Finding("inactive", sentence, counts)


# --- use cases ----------------------------------------------------------------------------------------------------


def _with_verdicts(usecase_map: pl.DataFrame) -> pl.DataFrame:
    """Return the map with a ``verdict`` on every row, from its ``forgettable`` flag where it has none.

    A map written before the ``verdict`` column existed carries the metric's verdict as the
    flag ("true": forgettable); it is read, not re-derived.
    """
    flag = pl.col("forgettable").cast(pl.String) if "forgettable" in usecase_map.columns else pl.lit(None, pl.String)
    from_flag = pl.when(flag == "true").then(pl.lit("forgettable")).otherwise(pl.lit(None, pl.String))
    verdict = pl.col("verdict").cast(pl.String) if "verdict" in usecase_map.columns else pl.lit(None, pl.String)
    return usecase_map.with_columns(verdict=pl.coalesce(verdict, from_flag))


def _zone_rows(usecase_map: pl.DataFrame, verdict: str) -> pl.DataFrame:
    segment = usecase_map.columns[0]
    return (
        _with_verdicts(usecase_map)
        .filter((pl.col("verdict") == verdict) & (pl.col("use_case") != _UNMAPPED))
        .with_columns(pl.col("expected_frequency").cast(pl.String))
        .sort(["evaluable", segment, "use_case"], descending=[True, False, False])
    )


def _pairs(rows: pl.DataFrame) -> str:
    segment = rows.columns[0]
    return ", ".join(
        f"{s} × {u} ({percent(share)})"
        for s, u, share in rows.select(segment, "use_case", "forgettable_share").iter_rows()
    )


def _forgettable(usecase_map: pl.DataFrame, options: FindingOptions) -> Finding:
    zone, rare = _zone_rows(usecase_map, "forgettable"), _zone_rows(usecase_map, "rare as expected")
    rule = (
        f"more than {options.majority:.0%} of evaluable adopters use it less than {options.threshold:g} day per 30 "
        f"over {options.habit_window} days"
    )
    sentence = f"Forgettable zone ({rule}): {_pairs(zone)}." if zone.height else f"Forgettable zone ({rule}): none."
    notes = (f"Rarely used, as the catalog expects (not a finding): {_pairs(rare)}.",) if rare.height else ()
    return Finding("forgettable", " ".join([sentence, *notes]), pl.concat([zone, rare]), notes)


def _judged(usecase_map: pl.DataFrame) -> pl.DataFrame:
    return usecase_map.filter(pl.col("use_case") != _UNMAPPED)


def _zone_headline(usecase_map: pl.DataFrame, options: FindingOptions) -> Headline:
    rows = _with_verdicts(_judged(usecase_map))
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


def _map_headline(usecase_map: pl.DataFrame) -> Headline:
    """Headline the lowest and highest adoption the map's cells print (rounded as they are), in ASCII."""
    rows = _judged(usecase_map)
    segment = rows.columns[0]
    cases = rows.filter(pl.col("use_case") != _ANY)
    rows = (cases if cases.height else rows).filter(pl.col("adoption_rate").is_not_null()).sort("adoption_rate")
    note = "Adoption: the share of the segment's active users who use the use case (the cells' text, rounded)."
    if rows.is_empty():
        return Headline("Use-case map: no adopters", note)
    low, high = rows.row(0, named=True), rows.row(-1, named=True)

    def cell(row: Mapping[str, Any]) -> str:
        return f"{round(row['adoption_rate'] * 100):d}% ({_who(row, segment)}, {row['use_case']})"

    if rows.height == 1:
        return Headline(f"Adoption {cell(low)}", note)
    return Headline(f"Adoption from {cell(low)} to {cell(high)}", note)


def _spectrum_headline(spectrum: pl.DataFrame) -> Headline:
    rows = spectrum.filter((pl.col("band") == "daily") & (pl.col("use_case") != _UNMAPPED))
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
    )


def _drifting(drifting: pl.DataFrame, options: FindingOptions) -> Finding:
    drifting = drifting.filter(pl.col("use_case") != _UNMAPPED)  # the events in no use case are not a use case
    segment = segment_of(drifting)
    keys = [*([segment] if segment else []), "use_case"]
    counts = drifting.group_by(keys).len("users").sort(["users", *keys], descending=[True, *[False] * len(keys)])
    if drifting.is_empty():
        return Finding("drifting", "Drifting users: none (no user's rate fell below the threshold).", counts)
    users = drifting.get_column("user").n_unique()
    where = ", ".join(
        (f"{_who(row, segment)} × " if segment else "") + f"{use_case_label(row['use_case'], 40, pad=False)} "
        f"{row['users']:,}"
        for row in counts.head(5).iter_rows(named=True)
    )
    more = f" and {counts.height - 5} more" if counts.height > 5 else ""
    sentence = (
        f"Drifting: {users:,} users used a use case regularly before and now less than {options.threshold:g} day "
        f"per 30 ({where}{more})."
    )
    return Finding("drifting", sentence, counts)


def _catalog(
    usecase_map: pl.DataFrame | None, unmapped: pl.DataFrame | None, options: FindingOptions
) -> Finding | None:
    has = options.catalog
    if has is None and usecase_map is not None:
        has = bool((usecase_map.get_column("use_case") != _ANY).any())
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


# --- next steps ---------------------------------------------------------------------------------------------------


def _next_steps(found: Mapping[str, Finding], tables: Mapping[str, pl.DataFrame | None]) -> list[str]:
    """Return the suggested next steps, each from a verdict a table already carries."""
    steps: list[str] = []
    forgettable = found.get("forgettable")
    if forgettable is not None:
        zone = forgettable.numbers.filter(pl.col("verdict") == "forgettable")
        for row in zone.head(3).iter_rows(named=True):
            segment = zone.columns[0]
            steps.append(
                f"Remind {_who(row, segment)} of {use_case_label(row['use_case'], 40, pad=False)}: "
                f"{percent(row['forgettable_share'])} of its evaluable "
                "adopters use it less than once a month and may forget the product when the need comes back."
            )
    drifting = found.get("drifting")
    if drifting is not None and drifting.numbers.height:
        steps.append(
            "Contact the drifting users before they lapse: tables/drifting_users.csv lists them, with their rate "
            "before and now."
        )
    retention = found.get("retention")
    if retention is not None and retention.numbers.height:
        judged = retention.numbers.filter(pl.col("sufficient") & pl.col("churn_rate").is_not_null())
        if judged.height > 1:
            worst_segment = segment_of(judged)
            worst = judged.sort("churn_rate", descending=True).row(0, named=True)
            steps.append(
                f"Look into churn in {_who(worst, worst_segment)} ({percent(worst['churn_rate'])}, the highest in the "
                "latest period): interview recent leavers."
            )
    inactive = tables.get("inactive_users")
    if inactive is not None and "status" in inactive.columns:
        at_risk = inactive.filter(pl.col("status") == "at_risk").height
        if at_risk:
            steps.append(
                f"Reach the {at_risk:,} users at risk (quiet for more than twice their usual interval; "
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


# --- the whole -----------------------------------------------------------------------------------------------------


def chart_headline(
    chart: str, table: pl.DataFrame, *, by: str | None = None, options: FindingOptions | None = None
) -> Headline:
    """Return the title of one report chart, drawn from its table: the number it states is one the chart draws.

    ``chart`` is the report's chart name: ``active_users`` (the trailing 7-day mean of
    DAU / MAU on the last complete day, where the line ends), ``monthly_active_users``
    (the last complete month's mean DAU / MAU), ``frequency_spectrum``,
    ``use_case_map``, ``forgettable_zone``, ``retention`` or ``lifecycle``. ``by`` names the
    table's segment column (default: its first column, unless that is ``day``, ``period``, ...);
    ``options`` the report's (the period and majority word the titles).

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> months = pl.DataFrame({"month": [dt.date(2024, 1, 1)], "days": [31], "mean_dau": [3.1], "mau": [10],
    ...     "stickiness": [0.31], "complete": [True]})
    >>> chart_headline("monthly_active_users", months).text
    'Monthly stickiness 31.0% in January 2024'
    """
    options = options or FindingOptions()
    if by is not None and by in table.columns:  # the segment column first, where the table's own order puts it
        table = table.select(by, pl.exclude(by))
    if table.is_empty():
        return Headline(f"{chart.replace('_', ' ').capitalize()}: no data")
    match chart:
        case "active_users":
            return _active_users_headline(table)
        case "monthly_active_users":
            return _monthly_headline(table)
        case "frequency_spectrum":
            return _spectrum_headline(table)
        case "use_case_map":
            return _map_headline(table)
        case "forgettable_zone":
            return _zone_headline(table, options)
        case "retention":
            return _retention_headline(table, options)
        case "lifecycle":
            return _lifecycle_headline(table, options)
    raise KeyError(f"no headline for chart {chart!r}")


#: The columns each chart's headline reads.
_HEADLINE_COLUMNS: Final = {
    "active_users": {"day", "stickiness", "complete"},
    "monthly_active_users": {"month", "stickiness", "complete"},
    "frequency_spectrum": {"use_case", "band", "share"},
    "use_case_map": {"use_case", "adoption_rate"},
    "forgettable_zone": {"use_case", "forgettable_share"},
    "retention": {"period", "retention_rate", "churn_rate", "complete", "active", "new", "active_before"},
    "lifecycle": {"period", "new", "resurrecting", "dormant", "complete"},
}
#: The charts each table draws (spec.QUICKSTART's names).
_CHARTS: Final = {
    "active_users": ("active_users",),
    "monthly_active_users": ("monthly_active_users",),
    "frequency_spectrum": ("frequency_spectrum",),
    "use_case_map": ("use_case_map", "forgettable_zone"),
    "retention": ("retention",),
    "lifecycle": ("lifecycle",),
}


def report_findings(
    tables: Mapping[str, pl.DataFrame | None],
    *,
    mau_window: int = 30,
    habit_window: int = 90,
    threshold: float = 1.0,
    majority: float = 0.5,
    min_users: int = 30,
    period: str = "month",
    inactive_days: int = 30,
    catalog: bool | None = None,
) -> Findings:
    """Return a report's findings from its tables, named as in ``tables/`` (``active_users``, ``retention``, ...).

    Any table may be missing (or None): its topic is left out. The options are the
    report's (they word the sentences and are kept in ``Findings.options``);
    ``catalog`` says whether a use-case catalog was given (None: told by the
    use-case map, whose only use case is ``(any)`` without one).

    Parameters
    ----------
    tables
        The metric tables: ``active_users``, ``monthly_active_users``, ``frequency_spectrum``,
        ``use_case_map``, ``drifting_users``, ``unmapped_events``, ``retention``, ``lifecycle``,
        ``inactive_users`` (as :func:`stickiness.active_users` and friends return them).
    mau_window, habit_window, threshold, majority, min_users, period, inactive_days
        The report's options the tables were computed with (the metrics' ``window``,
        ``threshold``, ...): they word the sentences.
    catalog
        Whether a use-case catalog was given; None: told from the use-case map.

    Returns
    -------
    Findings
        Topics in reading order (``stickiness``, ``changes``, ``forgettable``, ``drifting``,
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
    options = FindingOptions(mau_window, habit_window, threshold, majority, min_users, period, inactive_days, catalog)
    present = {name: table for name, table in tables.items() if table is not None}
    found: dict[str, Finding] = {}
    daily = present.get("active_users")
    if daily is not None and daily.height:
        if (finding := _stickiness(daily, options)) is not None:
            found["stickiness"] = finding
        if (change := _changes(daily, present.get("retention"), options)) is not None:
            found["changes"] = change
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
    return Findings(tuple(found.values()), tuple(_next_steps(found, present)), headlines, options)
