"""Helpers for the charts of the period metrics (retention, cohorts, lifecycle, adoption).

Their frames hold one row per period (a month, an ISO week or a day, dated by
its first day), a ``complete`` flag, and optionally a segment column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from typing import Any, Final, Literal, get_args

import altair as alt
import polars as pl

from stickiness import InvalidOptionError
from stickiness.options import PERIOD
from stickiness_widgets.charts._data import ChartDataError, metric_frame
from stickiness_widgets.charts._fields import field, utc_tooltip
from stickiness_widgets.theme import WIDTH

__all__ = [
    "OBSERVED",
    "PERIOD_AXIS_TITLES",
    "PeriodName",
    "adverb",
    "check_top",
    "checked_period",
    "latest",
    "observed",
    "panels",
    "partial_marks",
    "period_axis_format",
    "period_end",
    "period_frame",
    "period_label",
    "period_ticks",
    "period_tooltip",
    "period_x",
    "segment_column",
    "spread",
]

PeriodName = Literal["month", "week", "day"]
_PERIODS: Final = get_args(PeriodName)
_MONDAY: Final = 1  # polars numbers weekdays from Monday = 1
_FIRST_OF_MONTH: Final = 1
#: How a message names the first days of each period.
_STARTS: Final = {"month": "the 1st of a month", "week": "Mondays", "day": "any day"}

#: The values of the ``observed`` column: a period fully observed, or not.
OBSERVED: Final = ("complete", "partial")


def checked_period(
    table: pl.DataFrame, columns: Collection[str], period: str, *, chart: str, metric: str
) -> PeriodName:
    """Return ``period``, the period the metric was computed with, once the table's dates agree with it.

    The period is never worked out from the dates (a one-row weekly table dated on
    the 1st of a month would read as a month): the caller gives it, and the dates
    of ``columns`` are checked. Months are dated by their 1st, weeks by their
    first day (Monday, or the log's ``week_start``: all on one weekday), days by any day. An unknown ``period`` is an
    :class:`~stickiness.InvalidOptionError`; dates that cannot start periods of
    that kind are a :class:`ChartDataError` naming ``chart``'s ``period=`` and
    the period they fit.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> weekly = pl.DataFrame({"period": [dt.date(2024, 1, 8), dt.date(2024, 1, 15)]})
    >>> checked_period(weekly, ["period"], "week", chart="retention_chart", metric="retention")
    'week'
    >>> checked_period(weekly, ["period"], "month", chart="retention_chart", metric="retention")
    Traceback (most recent call last):
    ...
    stickiness_widgets.charts._data.ChartDataError: retention_chart(period='month') does not fit the table: \
its periods start on Mondays, not on the 1st of a month (2024-01-08 is one): pass period='week', \
the period given to retention().
    """
    if period not in _PERIODS:
        raise InvalidOptionError(
            f"period={period!r}: use 'month', 'week' or 'day': the period given to {metric}() "
            f"(default {PERIOD.period!r})."
        )
    unit: PeriodName = period  # type: ignore[assignment]  # checked against the Literal's values
    dates = pl.concat([table.get_column(name) for name in columns]).drop_nulls().unique()
    wrong = dates.filter(~_starts(dates, unit))
    if wrong.is_empty():
        return unit
    fits = next(name for name in _PERIODS if _starts(dates, name).all())  # "day" fits every date
    starts = f"{dates.dt.strftime('%A')[0]}s" if fits == "week" else _STARTS[fits]  # weeks start on any day: name it
    found = f"on {starts}, not on" if fits != "day" else "on other days than"
    first = wrong.sort()[0]  # the earliest date that cannot start such a period
    raise ChartDataError(
        f"{chart}(period={unit!r}) does not fit the table: its periods start {found} {_STARTS[unit]} "
        f"({first} is one): pass period={fits!r}, the period given to {metric}()."
    )


def _starts(dates: pl.Series, period: PeriodName) -> pl.Series:
    """Tell, for each date, whether it can be the first day of a period of this kind."""
    if period == "month":
        return dates.dt.day().eq(_FIRST_OF_MONTH)
    if period == "week":
        weekday = dates.dt.weekday()
        if weekday.n_unique() <= 1:  # every date on one weekday: weeks from read_log(week_start=), Monday by default
            return weekday.is_not_null()
        return weekday.eq(_MONDAY)
    return dates.is_not_null()  # a day starts on any day


def adverb(period: PeriodName) -> str:
    """Return "Monthly", "Weekly" or "Daily".

    Examples
    --------
    >>> adverb("day")
    'Daily'
    """
    return {"month": "Monthly", "week": "Weekly", "day": "Daily"}[period]


def period_label(day: dt.date, period: PeriodName) -> str:
    """Return how a title names a period: "Jun 2026", "week of 2026-06-22" or "2026-06-30".

    Examples
    --------
    >>> import datetime as dt
    >>> period_label(dt.date(2026, 6, 1), "month"), period_label(dt.date(2026, 6, 22), "week")
    ('Jun 2026', 'week of 2026-06-22')
    """
    if period == "month":
        return day.strftime("%b %Y")
    return f"week of {day}" if period == "week" else str(day)


def period_axis_format(period: PeriodName) -> str:
    """Return the d3 time format of a period axis's labels: one label names one period."""
    return "%b %Y" if period == "month" else "%d %b %Y"


#: How a period axis is titled.
PERIOD_AXIS_TITLES: Final[dict[str, str]] = {"month": "month", "week": "week (starting Monday)", "day": "day"}
#: The most labels a period axis shows: across a full-width chart, and across a small multiple.
_MOST_LABELS: Final = {"month": (12, 5), "week": (7, 3), "day": (7, 3)}
#: Periods between two labels, smallest first.
_STEPS: Final = {
    "month": (1, 2, 3, 6, 12, 24),
    "week": (1, 2, 4, 8, 13, 26, 52, 104),
    "day": (1, 2, 7, 14, 28, 91, 182, 364, 728),
}


def period_ticks(dates: pl.Series, unit: PeriodName, *, narrow: bool) -> list[int]:
    """Return where a period axis puts its labels: every k-th period from the first, in ms since 1970 (UTC).

    Chosen here, not by Vega: Vega places time ticks at round calendar dates (the 1st of a
    month on a weekly axis, two ticks in one month on a short monthly axis), so a label
    formatted as the period ("Jan 2025") could repeat or name no period. Each label here
    is the first day of a period, each period at most once, and there are at most 12 (5
    on a small multiple) month labels, or 7 (3) week or day labels.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> months = pl.Series([dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)])
    >>> ticks = period_ticks(months, "month", narrow=False)
    >>> [dt.datetime.fromtimestamp(t / 1000, dt.UTC).date().isoformat() for t in ticks]
    ['2025-01-01', '2025-02-01', '2025-03-01']
    >>> weeks = pl.Series([dt.date(2025, 1, 6) + dt.timedelta(weeks=n) for n in range(20)])
    >>> len(period_ticks(weeks, "week", narrow=True))  # 20 weeks, every 8th: weeks 0, 8, 16
    3
    """
    known = dates.drop_nulls()
    first, last = known.min(), known.max()
    if not isinstance(first, dt.date) or not isinstance(last, dt.date):
        return []
    if unit == "month":
        count = (last.year - first.year) * 12 + last.month - first.month + 1
    else:
        count = (last - first).days // (7 if unit == "week" else 1) + 1
    most = _MOST_LABELS[unit][1 if narrow else 0]
    step = next((k for k in _STEPS[unit] if -(-count // k) <= most), _STEPS[unit][-1])
    every = f"{step}mo" if unit == "month" else f"{step * 7 if unit == 'week' else step}d"
    starts = pl.date_range(first, last, interval=every, eager=True)
    ticks: list[int] = starts.cast(pl.Datetime("ms")).cast(pl.Int64).to_list()
    return ticks


def period_x(name: str, unit: PeriodName, *, narrow: bool, dates: pl.Series | None = None) -> alt.X:
    """Return an x encoding for a period column on a UTC time scale (``narrow``: a small multiple).

    With ``dates`` (the column's values) the labels sit on period starts, each period named
    at most once (:func:`period_ticks`). The axis is titled with the period.
    """
    axis = alt.Axis(
        format=period_axis_format(unit),
        labelAngle=0,
        labelOverlap=True,
        labelFlush=True,
        values=alt.Undefined if dates is None else period_ticks(dates, unit, narrow=narrow),
        tickCount=4 if narrow and dates is None else alt.Undefined,
    )
    return alt.X(f"{field(name)}:T", scale=alt.Scale(type="utc"), title=PERIOD_AXIS_TITLES[unit], axis=axis)


def period_tooltip(name: str, period: PeriodName, *, title: str | None = None) -> alt.Tooltip:
    """Return a tooltip that shows a period's date (a month as its month, a week or day as a day)."""
    unit = "utcyearmonth" if period == "month" else "utcyearmonthdate"
    heading = title or ("week of" if period == "week" else period)
    return utc_tooltip(name, title=heading, unit=unit)


def period_end(column: str, period: PeriodName) -> pl.Expr:
    """Return the first day of the period after the one dated by ``column`` (where its bar ends).

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> pl.DataFrame({"p": [dt.date(2024, 1, 1)]}).select(period_end("p", "month")).item()
    datetime.date(2024, 2, 1)
    """
    step = {"month": "1mo", "week": "1w", "day": "1d"}[period]
    return pl.col(column).dt.offset_by(step)


def observed() -> pl.Expr:
    """Return the ``observed`` column: "complete" or "partial" from the ``complete`` flag."""
    return pl.when(pl.col("complete")).then(pl.lit(OBSERVED[0])).otherwise(pl.lit(OBSERVED[1])).alias("observed")


def period_frame(
    frame: Any,
    *,
    by: str | None,
    columns: Collection[str],
    metric: str,
    dates: Collection[str],
    optional: Collection[str] = (),
) -> tuple[pl.DataFrame, str | None]:
    """Check ``frame`` as the output of ``stickiness.<metric>``; return it and its segment column (as text), if any.

    ``optional`` columns may be missing (frames of older versions) and are never taken for the segment.
    """
    table = metric_frame(
        frame, columns=[*columns, *([by] if by else [])], metric=metric, dates=dates, flags=["complete"]
    )
    by = segment_column(table, [*columns, *optional], by)
    return (table.with_columns(pl.col(by).cast(pl.String)) if by else table), by


def segment_column(table: pl.DataFrame, standard: Collection[str], by: str | None) -> str | None:
    """Return ``by``, or the frame's one column beyond the ``standard`` ones (None if it has none).

    Examples
    --------
    >>> import polars as pl
    >>> segment_column(pl.DataFrame({"plan": ["a"], "x": [1]}), ["x"], None)
    'plan'
    """
    if by:
        return by
    extra = [name for name in table.columns if name not in standard]
    if len(extra) > 1:
        raise ChartDataError(
            f"the frame has several columns beyond {', '.join(standard)}: {', '.join(map(repr, extra))}. "
            "Pass by= the segment column."
        )
    return extra[0] if extra else None


def check_top(top: int, *, most: int, what: str) -> int:
    """Check a ``top`` option: a whole number from 1 to ``most``."""
    if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= most:
        raise InvalidOptionError(
            f"top={top!r}: pass a whole number from 1 to {most}: the {what} to draw (one colour each)."
        )
    return top


_FACET_GAP: Final = 40
_HEADER: Final = alt.Header(
    labelFontSize=13, labelFontWeight="bold", labelAnchor="start", labelAlign="left", title=None
)


def panels(layers: list[alt.Chart], *, by: str | None, data: dict[str, Any], height: int) -> alt.typing.ChartType:
    """Return the layers as one full-width view, or as small multiples (two per row) per ``by`` segment."""
    if not by:
        return alt.LayerChart(layer=layers, data=data, width=WIDTH, height=height)
    return alt.LayerChart(layer=layers, width=(WIDTH - _FACET_GAP) // 2, height=height).facet(
        facet=alt.Facet(f"{field(by)}:N", header=_HEADER, title=None),
        columns=2,
        spacing={"column": _FACET_GAP, "row": 16},
        data=data,
    )


def partial_marks(fill: Any, *, many: bool) -> dict[str, Any]:
    """Return the encodings that draw a point hollow (and never tiny) when its period is partial.

    ``fill`` is the point's fill (a colour encoding or value); with ``many``
    points, complete ones shrink to dots so that the line stays readable.
    """
    sizes = alt.Scale(domain=list(OBSERVED), range=[12 if many else 50, 60])
    return {
        "fill": fill,
        "size": alt.Size("observed:O", scale=sizes, legend=None),
        "fillOpacity": alt.FillOpacity("observed:O", scale=alt.Scale(domain=list(OBSERVED), range=[1, 0]), legend=None),
    }


def latest(table: pl.DataFrame, unit: PeriodName) -> tuple[pl.DataFrame, str]:
    """Return the rows of the last fully observed period (else of the last period) and how a title names it.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> rows = pl.DataFrame({"period": [dt.date(2024, 1, 1), dt.date(2024, 2, 1)], "complete": [True, False]})
    >>> latest(rows, "month")[1], latest(rows.filter(~pl.col("complete")), "month")[1]
    ('Jan 2024', 'Feb 2024 (partial)')
    """
    complete = table.filter(pl.col("complete"))
    rows = table if complete.is_empty() else complete
    last = rows.get_column("period").max()
    if not isinstance(last, dt.date):
        raise ChartDataError("the frame has no period: pass the output of a stickiness period metric.")
    when = period_label(last, unit) + (" (partial)" if complete.is_empty() else "")
    return rows.filter(pl.col("period") == last), when


def spread(rows: pl.DataFrame, value: str, name: str, show: Callable[[Any], str]) -> str:
    """Return "from LOW (its name) to HIGH (its name)" over the rows' non-null ``value``.

    Examples
    --------
    >>> import polars as pl
    >>> spread(pl.DataFrame({"x": [0.5, 0.1, None], "who": ["a", "b", "c"]}), "x", "who", str)
    'from 0.1 (b) to 0.5 (a)'
    """
    known = rows.filter(pl.col(value).is_not_null()).sort(value, name)
    low, high = known.row(0, named=True), known.row(-1, named=True)
    return f"from {show(low[value])} ({low[name]}) to {show(high[value])} ({high[name]})"
