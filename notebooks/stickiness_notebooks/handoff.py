"""The files analysts hand on: ``report.xlsx`` (every table, formatted) and ``report.pptx`` (the charts as slides).

Both are written from what the report already made, in one pass: the tables as
computed (not re-read from the CSVs) and the charts' PNGs in ``charts/`` (never
rendered twice). ``report.xlsx`` is written by polars' ``write_excel`` (xlsxwriter),
``report.pptx`` by python-pptx; both load only here, in the report layer. See
docs/outputs.md for what each sheet and slide holds.

>>> percent_columns(["persona", "stickiness", "previous_rate", "forgettable_share", "ci_low"])
['stickiness', 'forgettable_share', 'ci_low']
>>> sheet_names(["active_users", "a" * 40, "a" * 40 + "b", "odd/name?"])
['active_users', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa~2', 'odd_name_']
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import polars as pl

from stickiness import UsageLog, __version__
from stickiness.ledger import REASONS, Ledger

if TYPE_CHECKING:
    from pptx.presentation import Presentation
    from pptx.slide import Slide
    from xlsxwriter import Workbook

__all__ = [
    "NATIVE_CHARTS",
    "NATIVE_SERIES",
    "SLIDES",
    "WORKBOOK",
    "NativeChart",
    "chart_title",
    "percent_columns",
    "run_settings",
    "sheet_names",
    "write_handoff",
    "write_slides",
    "write_workbook",
]

#: The file names, as stickiness._output.REPORT_NAMES lists them.
WORKBOOK: Final = "report.xlsx"
SLIDES: Final = "report.pptx"

#: Float columns that hold a share of 1 (shown as percentages), beyond every ``*share`` column. ``*_rate`` alone
#: is not enough: ``previous_rate``, ``current_rate`` and ``median_rate`` are active days per 30.
_PERCENT: Final = frozenset(
    {"stickiness", "retention_rate", "churn_rate", "adoption_rate", "repeat_rate", "share_of_wallet"}
)
#: Confidence bounds are percentages when the table's estimate is one (the forgettable share, not the NPS).
_BOUNDS: Final = ("ci_low", "ci_high")
#: Whole-number types: thousands separators, negatives in plain black (a dormant count is not an error).
_WHOLE: Final = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)
_SHEET_LIMIT: Final = 31
#: Rows a table's sheet holds at most: xlsxwriter writes cell by cell (about 5 us a cell), so a user list of a
#: large log is cut here, with a note beside the header naming the CSV that holds it whole (Excel's own limit is
#: 1,048,575 rows).
SHEET_ROWS: Final = 25_000
_SHEET_BAD: Final = re.compile(r"[\[\]:*?/\\]")


# --------------------------------------------------------------------------- #
# report.xlsx                                                                 #
# --------------------------------------------------------------------------- #


def percent_columns(columns: Sequence[str]) -> list[str]:
    """Return the columns shown as percentages: shares, rates of 1 and stickiness (and their bounds).

    >>> percent_columns(["nps", "ci_low", "ci_high", "promoter_share"])
    ['promoter_share']
    >>> percent_columns(["stickiness", "stickiness_low", "share_high", "small_sample"])  # docs/intervals.md
    ['stickiness', 'stickiness_low', 'share_high']
    """

    def percent(name: str) -> bool:
        return name in _PERCENT or name.endswith("share")

    # an interval's bounds (docs/intervals.md) are shown as their ratio is
    shares = [c for c in columns if percent(c) or percent(c.removesuffix("_low").removesuffix("_high"))]
    bounds = [c for c in columns if c in _BOUNDS and "forgettable_share" in columns]
    return [c for c in columns if c in shares or c in bounds]


def sheet_names(tables: Iterable[str]) -> list[str]:
    """Return one valid, unique sheet name per table: at most 31 characters, no ``[]:*?/`` nor backslash.

    A name cut to the same text as an earlier one ends in ``~2``, ``~3``, ... (Excel compares
    sheet names without case).

    >>> sheet_names(["Retention", "retention"])
    ['Retention', 'retention~2']
    """
    names: list[str] = []
    for table in tables:
        base = _SHEET_BAD.sub("_", table)[:_SHEET_LIMIT] or "table"
        name, n = base, 1
        while name.lower() in {taken.lower() for taken in names}:
            n += 1
            suffix = f"~{n}"
            name = base[: _SHEET_LIMIT - len(suffix)] + suffix
        names.append(name)
    return names


def write_workbook(
    path: str | Path,
    tables: Mapping[str, pl.DataFrame | None],
    *,
    ledger: Ledger,
    settings: Mapping[str, Any],
    max_rows: int = SHEET_ROWS,
) -> Path:
    """Write ``report.xlsx``: one sheet per table (in the given order), then "Ledger" and "Settings".

    Every sheet has its header row frozen and its columns fitted; whole numbers get
    thousands separators, shares and rates of 1 are percentages (:func:`percent_columns`),
    dates are dates. Tables given as None (not computed) get no sheet; an empty table's
    sheet says so in a sentence. Text is written as text: a cell starting with ``=`` is
    never a formula (the CSVs' spreadsheet-safe quote is not needed, nor added).

    Parameters
    ----------
    path
        The ``.xlsx`` file to write.
    tables
        The report's tables by name (the names of ``tables/NAME.csv``).
    ledger
        The log's row ledger.
    settings
        The run's options by name, in order (the Settings sheet lists them after the log's).
    max_rows
        The rows a table's sheet holds at most; a longer table's sheet holds its first
        ``max_rows`` rows and says so beside the header (the CSV holds it whole).

    Examples
    --------
    >>> import tempfile, pathlib, stickiness as st
    >>> from stickiness.demo import demo_events
    >>> log = st.read_log(demo_events(users=20))
    >>> book = write_workbook(pathlib.Path(tempfile.mkdtemp()) / "report.xlsx",
    ...                       {"active_users": st.active_users(log)}, ledger=log.ledger, settings={"events": None})
    >>> book.name
    'report.xlsx'
    """
    from xlsxwriter import Workbook

    path = Path(path)
    written = {name: table for name, table in tables.items() if table is not None}
    options = {"strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": True}
    with Workbook(str(path), options) as book:
        for name, sheet in zip(written, sheet_names([*written, "Ledger", "Settings"]), strict=False):
            _table_sheet(book, sheet, name, written[name], max_rows=max_rows)
        _table_sheet(book, "Ledger", "the row ledger", ledger_frame(ledger))
        _table_sheet(book, "Settings", "the run settings", settings_frame(settings))
    return path


def _table_sheet(book: Workbook, sheet: str, name: str, table: pl.DataFrame, *, max_rows: int = SHEET_ROWS) -> None:
    """Write one table on its own sheet, formatted; an empty table as a sentence, a long one cut with a note."""
    if table.height == 0:
        page = book.add_worksheet(sheet)
        page.write_string(0, 0, f"No rows: {name} is empty for this log and these options.")
        page.write_string(1, 0, "Its columns: " + ", ".join(table.columns))
        page.set_column(0, 0, 60)
        return
    floats = [c for c, kind in table.schema.items() if kind.is_float()]
    widths: dict[Any, Any] = column_widths(table.head(max_rows))  # polars' keys may also be selectors
    table.head(max_rows).write_excel(
        book,
        sheet,
        column_formats=dict.fromkeys(percent_columns(floats), "0.0%"),
        dtype_formats={**dict.fromkeys(_WHOLE, "#,##0"), pl.Float64: "#,##0.00", pl.Float32: "#,##0.00"},
        header_format={"bold": True},
        column_widths=widths,
        freeze_panes=(1, 0),
    )
    if table.height > max_rows:  # beside the header, so that it shows whatever row is in view
        note = f"The first {max_rows:,} of {table.height:,} rows: tables/{name}.csv holds them all."
        book.get_worksheet_by_name(sheet).write_string(0, table.width + 1, note, book.add_format({"bold": True}))


def column_widths(table: pl.DataFrame) -> dict[str, int]:
    """Return each column's width in pixels, fitted to its header and longest value as shown (at most 60 characters).

    Measured by polars over whole columns: xlsxwriter's own autofit measures cell by cell and
    took 40% of a sheet's writing time. Decimals show at most 10 characters (``12,345.68``,
    ``12.3%``); whole numbers gain their thousands separators.

    >>> # "a much longer name": 18 + 2 characters x 7 px; "1,234,567": 9 + 2 characters x 7 px
    >>> column_widths(pl.DataFrame({"user": ["ann", "a much longer name"], "mau": [1234567, 5]}))
    {'user': 140, 'mau': 77}
    """
    shown = table.select(
        pl.lit(10, pl.UInt32).alias(c)
        if kind.is_float()
        else pl.col(c).cast(pl.String).str.len_chars().max().fill_null(0).alias(c)
        for c, kind in table.schema.items()
    ).row(0, named=True)
    digits = {c: n + (n - 1) // 3 if table.schema[c].is_integer() else n for c, n in shown.items()}
    return {c: 7 * min(60, max(len(c), digits[c]) + 2) for c in table.columns}


def ledger_frame(ledger: Ledger) -> pl.DataFrame:
    """Return the ledger as the Ledger sheet shows it: read, used, set aside, each reason, users.

    >>> ledger_frame(Ledger(rows_read=3, rows_used=2, set_aside={"duplicate": 1}, users=2))["rows"].to_list()
    [3, 2, 1, 1, 2]
    """
    reasons = list(ledger.set_aside)
    items: list[tuple[str, int | None, str]] = [
        ("rows read", ledger.rows_read, "rows read = rows used + rows set aside"),
        ("rows used", ledger.rows_used, "used by the metrics"),
        ("rows set aside", ledger.rows_set_aside, "all reasons together"),
        *((f"set aside: {r}", ledger.set_aside[r], REASONS.get(r, "")) for r in reasons),
        (f"{ledger.unit}s", ledger.users, f"distinct {ledger.unit}s among the rows used"),
    ]
    if ledger.users_without_segment is not None:
        items.append(("users not in the users table", ledger.users_without_segment, "segment '(unknown)'"))
    items += [("note", None, note) for note in ledger.notes]
    return pl.DataFrame(items, schema={"item": pl.String, "rows": pl.Int64, "meaning": pl.String}, orient="row")


def settings_frame(settings: Mapping[str, Any]) -> pl.DataFrame:
    """Return the run settings as the Settings sheet shows them: one ``setting, value`` row each, as text.

    >>> settings_frame({"events": None, "mau_window": 30})["value"].to_list()
    ['the built-in demo log', '30', ...]
    """
    rows = {"events": log_name(settings), **{k: v for k, v in settings.items() if k != "events"}}
    rows["stickiness version"] = __version__
    rows["written at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return pl.DataFrame(
        {"setting": list(rows), "value": [_text(v) for v in rows.values()]},
        schema={"setting": pl.String, "value": pl.String},
    )


def log_name(settings: Mapping[str, Any]) -> str:
    """Return the log a run read, as the title slide and Settings sheet name it (``events``: None is the demo's).

    >>> log_name({"events": "/data/events.csv"}), log_name({"events": None}), log_name({})
    ('events.csv', 'the built-in demo log', 'the usage log')
    """
    if "events" not in settings:
        return "the usage log"
    events = settings["events"]
    return "the built-in demo log" if events is None else Path(str(events)).name


def _text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value)) or "none"
    return str(value)


# --------------------------------------------------------------------------- #
# report.pptx                                                                 #
# --------------------------------------------------------------------------- #

ChartKind = Literal["line", "column", "stacked_column", "stacked_bar_100"]


@dataclass(frozen=True)
class NativeChart:
    """How one report chart is rebuilt as a native, editable PowerPoint chart from its table.

    ``x`` gives the categories, ``values`` the numbers; with ``pivot`` each value of that
    column is a series (``"segment"``: the table's segment column, its first, when it has
    one); without, each of ``values`` is a series. ``nest`` puts the segment column
    outside the categories (one group of ``x`` per segment). ``percent`` formats the
    value axis as percentages; ``axis`` titles it.
    """

    table: str
    kind: ChartKind
    x: str
    values: tuple[str, ...]
    axis: str
    pivot: str | None = None
    nest: bool = False
    percent: bool = False


#: The report charts drawn natively, by chart name (charts/NAME.png); every other chart is placed as its PNG.
NATIVE_CHARTS: Final[dict[str, NativeChart]] = {
    "active_users": NativeChart(
        "active_users", "line", "day", ("stickiness",), "stickiness (DAU / MAU), daily", "segment", percent=True
    ),
    "monthly_active_users": NativeChart(
        "monthly_active_users",
        "column",
        "month",
        ("stickiness",),
        "stickiness (mean DAU / MAU)",
        "segment",
        percent=True,
    ),
    "frequency_spectrum": NativeChart(
        "frequency_spectrum",
        "stacked_bar_100",
        "use_case",
        ("share",),
        "share of evaluable adopters",
        "band",
        nest=True,
        percent=True,
    ),
    "retention": NativeChart(
        "retention",
        "line",
        "period",
        ("retention_rate", "churn_rate"),
        "share of the previous period's active users",
        "segment",
        percent=True,
    ),
    "lifecycle": NativeChart(
        "lifecycle",
        "stacked_column",
        "period",
        ("new", "returning", "resurrecting", "dormant"),
        "users",
        nest=True,
    ),
}

#: Most series a native chart holds: as many as the report's palette has colours (stickiness_widgets.theme.OKABE_ITO,
#: 8; not imported: the CLI loads this module without the jupyter extra). PowerPoint's theme has 6 accents and
#: varies them beyond, so 21 personas would share colours: a chart with more series is placed as its PNG.
NATIVE_SERIES: Final = 8

#: 16:9 slides, in EMU (914,400 per inch): 13 1/3 x 7.5 in, PowerPoint's own widescreen size.
_WIDE: Final = (12_192_000, 6_858_000)


def chart_title(spec: Mapping[str, Any]) -> tuple[str, str]:
    """Return a chart's title and subtitle from its Vega-Lite spec (either may be empty).

    >>> chart_title({"title": {"text": "Stickiness 20%", "subtitle": ["dashed: incomplete", "grey: partial"]}})
    ('Stickiness 20%', 'dashed: incomplete grey: partial')
    >>> chart_title({"title": "Plain"}), chart_title({})
    (('Plain', ''), ('', ''))
    """
    title = spec.get("title", "")
    if isinstance(title, Mapping):
        return _joined(title.get("text", "")), _joined(title.get("subtitle", ""))
    return _joined(title), ""


def _joined(text: Any) -> str:
    return " ".join(map(str, text)) if isinstance(text, list | tuple) else str(text or "")


@dataclass(frozen=True)
class SlideChart:
    """One chart slide: its name, title and subtitle, its table (for a native chart) and its PNG."""

    name: str
    title: str
    subtitle: str
    table: pl.DataFrame | None
    png: Path | None


def write_slides(
    path: str | Path,
    *,
    title: str,
    settings: Mapping[str, Any],
    dates: str,
    summary: Sequence[str],
    charts: Sequence[SlideChart],
) -> Path:
    """Write ``report.pptx``: a title slide with the summary, then one slide per chart, 16:9.

    A chart listed in :data:`NATIVE_CHARTS` whose table is given is drawn as a native,
    editable chart from that table; any other chart is placed as its PNG (a chart with
    neither gets a slide saying so).

    Parameters
    ----------
    path
        The ``.pptx`` file to write.
    title
        The report's title.
    settings
        The run's options (``events`` names the log on the title slide).
    dates
        The days analysed, e.g. ``"2025-01-01 to 2026-06-30"``.
    summary
        The findings, one sentence each, listed on the title slide.
    charts
        The chart slides, in report order.
    """
    from pptx import Presentation
    from pptx.util import Emu

    deck = Presentation()
    deck.slide_width, deck.slide_height = Emu(_WIDE[0]), Emu(_WIDE[1])
    _title_slide(deck, title, f"{log_name(settings)}, {dates}", summary)
    for chart in charts:
        _chart_slide(deck, chart)
    path = Path(path)
    deck.save(str(path))
    return path


def _text_box(slide: Slide, box: tuple[float, float, float, float], lines: Sequence[str], size: int) -> None:
    """Add a text box at ``box`` (left, top, width, height in inches), one paragraph per line."""
    from pptx.enum.text import MSO_AUTO_SIZE
    from pptx.util import Inches, Pt

    frame = slide.shapes.add_textbox(*(Inches(v) for v in box)).text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE  # text longer than expected shrinks rather than spill
    for n, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if n == 0 else frame.add_paragraph()
        paragraph.text = line
        paragraph.font.size = Pt(size)


def _title_slide(deck: Presentation, title: str, subtitle: str, summary: Sequence[str]) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[6])  # blank: the boxes are placed for 16:9
    _text_box(slide, (0.6, 0.4, 12.1, 0.9), [title], 32)
    _text_box(slide, (0.6, 1.25, 12.1, 0.5), [subtitle], 16)
    lines = [" ".join(line.split()) for line in summary if line.strip()]  # the terminal's column padding dropped
    _text_box(slide, (0.6, 1.9, 12.1, 5.3), lines or ["No summary was given for this report."], _fit(len(lines)))


def _fit(lines: int) -> int:
    """Point size for the summary: 18 pt for a few lines, down to 11 pt (still readable) for many."""
    return max(11, min(18, 200 // max(lines, 1)))


def _chart_slide(deck: Presentation, chart: SlideChart) -> None:
    from pptx.util import Inches

    slide = deck.slides.add_slide(deck.slide_layouts[6])
    _text_box(slide, (0.5, 0.25, 12.3, 0.8), [chart.title or chart.name.replace("_", " ")], 24)
    if chart.subtitle:  # how to read the chart: on the slide, and whole in the speaker notes
        _text_box(slide, (0.5, 0.95, 12.3, 0.6), [chart.subtitle], 12)
        slide.notes_slide.notes_text_frame.text = chart.subtitle
    native = _native_data(chart)
    left, top, width, height = 0.5, 1.6, 12.3, 5.7
    if native is not None:
        _native(slide, *native, (left, top, width, height))
    elif chart.png is not None and chart.png.exists():
        picture = slide.shapes.add_picture(str(chart.png), Inches(left), Inches(top), height=Inches(height))
        if picture.width > Inches(width):  # a wide chart: fit the width instead, keeping the aspect ratio
            ratio = Inches(width) / picture.width
            picture.width, picture.height = Inches(width), int(picture.height * ratio)
        picture.left = int((_WIDE[0] - picture.width) / 2)
    else:
        _text_box(slide, (left, top, width, 1), [f"No image of this chart: see charts/{chart.name}.svg."], 16)


Series = tuple[NativeChart, list[tuple[str, ...]], dict[str, list[Any]]]


def _native_data(chart: SlideChart) -> Series | None:
    """Return the native chart of ``chart`` and its data; None without one, or when its table does not fit.

    None too when it would have more series than :data:`NATIVE_SERIES` (21 personas): PowerPoint's
    own colours would repeat, so the slide takes the report's PNG, whose colours mean one thing each.
    """
    native = NATIVE_CHARTS.get(chart.name)
    if native is None or chart.table is None or chart.table.height == 0 or not _fits(native, chart.table):
        return None
    try:
        categories, series = chart_data(native, chart.table)
    except pl.exceptions.PolarsError:  # e.g. a table edited in a notebook with two rows per point: use the PNG
        return None
    return (native, categories, series) if len(series) <= NATIVE_SERIES else None


def _fits(native: NativeChart, table: pl.DataFrame) -> bool:
    """Whether ``table`` has the columns ``native`` needs (a table edited in a notebook may not)."""
    wanted = {native.x, *native.values} | ({native.pivot} if native.pivot not in (None, "segment") else set())
    return wanted <= set(table.columns)


def segment_of(native: NativeChart, table: pl.DataFrame) -> str | None:
    """Return the table's segment column: its first column, unless that is the categories' (no segments).

    >>> segment_of(NATIVE_CHARTS["lifecycle"], pl.DataFrame({"period": [], "new": []}))
    >>> segment_of(NATIVE_CHARTS["lifecycle"], pl.DataFrame({"persona": [], "period": [], "new": []}))
    'persona'
    """
    first = table.columns[0]
    return None if first in (native.x, *native.values) else first


def chart_data(native: NativeChart, table: pl.DataFrame) -> tuple[list[tuple[str, ...]], dict[str, list[Any]]]:
    """Return a native chart's categories (with the segment first when nested) and its series, from ``table``.

    Each category is a tuple (``(segment, x)`` when nested, else ``(x,)``); each series is
    a list of values aligned with the categories (None where the table has no row).

    >>> table = pl.DataFrame({"plan": ["a", "a", "b"], "day": ["d1", "d2", "d1"], "stickiness": [0.5, 0.25, 1.0]})
    >>> chart_data(NATIVE_CHARTS["active_users"], table)
    ([('d1',), ('d2',)], {'a': [0.5, 0.25], 'b': [1.0, None]})
    """
    segment = segment_of(native, table)
    pivot = segment if native.pivot == "segment" else native.pivot
    index = [segment, native.x] if native.nest and segment else [native.x]
    if pivot is None:
        wide = table.select(*index, *native.values)
        names = list(native.values)
    else:
        wide = _pivot(table, pivot, index, native.values)
        names = [c for c in wide.columns if c not in index]
    if native.nest and segment:  # categories grouped by segment, in the table's order
        first = pl.int_range(pl.len()).first().over(segment)
        wide = wide.sort(first, maintain_order=True)
    labels = wide.select(*(_label(wide[c]) for c in index))
    categories = list(labels.iter_rows())
    return categories, {str(name): wide[name].to_list() for name in names}


def _pivot(table: pl.DataFrame, on: str, index: list[str], values: tuple[str, ...]) -> pl.DataFrame:
    """One column per value of ``on``; with several value columns, one per pair, named ``"agent churn"``.

    >>> table = pl.DataFrame({"plan": ["a", "b"], "period": [1, 1], "retention_rate": [0.9, 0.8]})
    >>> table = table.with_columns(churn_rate=1 - pl.col("retention_rate"))
    >>> _pivot(table, "plan", ["period"], ("retention_rate", "churn_rate")).columns
    ['period', 'a retention', 'b retention', 'a churn', 'b churn']
    """
    if len(values) == 1:
        return table.pivot(on=on, index=index, values=values[0], aggregate_function=None)
    long = table.unpivot(on=list(values), index=[*index, on], variable_name="_measure", value_name="_value")
    measure = pl.col("_measure").str.strip_suffix("_rate")
    label = pl.concat_str(pl.col(on).cast(pl.String).fill_null("(none)"), pl.lit(" "), measure)
    return long.with_columns(label.alias("_series")).pivot(
        on="_series", index=index, values="_value", aggregate_function=None
    )


def _label(column: pl.Series) -> pl.Expr:
    """Category labels as text: a month-start date as ``Jan 2025``, another date as ``2025-01-02``."""
    if column.dtype == pl.Date:
        monthly = bool((column.dt.day() == 1).all())
        return pl.col(column.name).dt.strftime("%b %Y" if monthly else "%Y-%m-%d")
    return pl.col(column.name).cast(pl.String).fill_null("(none)")


def _native(
    slide: Slide,
    native: NativeChart,
    categories: list[tuple[str, ...]],
    series: dict[str, list[Any]],
    box: tuple[float, float, float, float],
) -> None:
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.util import Inches, Pt

    kinds = {
        "line": XL_CHART_TYPE.LINE,
        "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
        "stacked_column": XL_CHART_TYPE.COLUMN_STACKED,
        "stacked_bar_100": XL_CHART_TYPE.BAR_STACKED_100,
    }
    data = CategoryChartData(number_format="0.0%" if native.percent else "#,##0")  # type: ignore[no-untyped-call]
    _categories(data, categories)
    for name, values in series.items():
        data.add_series(name, values)  # type: ignore[no-untyped-call]
    left, top, width, height = (Inches(v) for v in box)
    frame = slide.shapes.add_chart(kinds[native.kind], left, top, width, height, data)  # type: ignore[arg-type]
    chart = frame.chart  # type: ignore[attr-defined]
    chart.font.size = Pt(12)
    chart.has_legend = len(series) > 1
    if chart.has_legend:
        chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.BOTTOM, False
    axis = chart.value_axis
    axis.has_title = True
    axis.axis_title.text_frame.text = native.axis
    axis.tick_labels.number_format, axis.tick_labels.number_format_is_linked = data.number_format, False
    highest = max((value for values in series.values() for value in values if value is not None), default=0)
    if native.percent and native.kind != "stacked_bar_100" and 0 <= highest <= 1:
        # a share is at most 100%: without a maximum, PowerPoint and LibreOffice draw the axis to 120%
        axis.minimum_scale, axis.maximum_scale = 0.0, 1.0 if highest > 0.8 else None
    _category_axis(chart, native)


def _category_axis(chart: Any, native: NativeChart) -> None:
    """Lay out the categories as the report draws them: a bar chart's first category on top."""
    from pptx.oxml.ns import qn

    if native.kind == "stacked_bar_100":
        # a bar chart draws its first category at the bottom: reversed, the first is on top as in the report;
        # the value axis crosses at the last category, so it stays at the bottom (the c:crosses of c:valAx:
        # python-pptx's CategoryAxis has no property for it)
        chart.category_axis.reverse_order = True
        crosses = chart.value_axis._element.find(qn("c:crosses"))
        if crosses is not None:
            crosses.set("val", "max")


def _categories(data: Any, categories: list[tuple[str, ...]]) -> None:
    """Add the categories: flat labels, or each segment with its x labels under it (a two-level axis)."""
    if not categories or len(categories[0]) == 1:
        data.categories = [category[-1] for category in categories]
        return
    groups: dict[str, Any] = {}
    for outer, inner in categories:
        if outer not in groups:
            groups[outer] = data.add_category(outer)
        groups[outer].add_sub_category(inner)


# --------------------------------------------------------------------------- #
# Both, from a report's folder                                                #
# --------------------------------------------------------------------------- #


def run_settings(log: UsageLog, options: Mapping[str, Any]) -> dict[str, Any]:
    """Return the Settings sheet's rows: the log (name, days, time zone, engine, columns), then ``options``.

    >>> import stickiness as st
    >>> from stickiness.demo import demo_events
    >>> settings = run_settings(st.read_log(demo_events(users=20)), {"events": None, "mau_window": 30})
    >>> list(settings)[:4], settings["mau_window"]
    (['events', 'first day', 'last day (as of)', 'time zone'], 30)
    """
    facts = {
        "events": options.get("events"),
        "first day": log.first_day,
        "last day (as of)": log.as_of,
        "time zone": log.tz,
        "engine": log.engine,
        "user column": log.columns.user,
        "time column": log.columns.time,
        "event column": log.columns.event,
        "segment columns": list(log.segment_columns),
    }
    return {**facts, **{name: value for name, value in options.items() if name != "events"}}


def write_handoff(
    folder: str | Path,
    *,
    log: UsageLog,
    tables: Mapping[str, pl.DataFrame | None],
    charts: Mapping[str, Any],
    summary: Sequence[str],
    settings: Mapping[str, Any],
    xlsx: bool = True,
    pptx: bool = True,
    title: str = "Stickiness report",
) -> list[Path]:
    """Write ``folder/report.xlsx`` and ``folder/report.pptx`` (each unless switched off); return the paths.

    The chart slides place ``folder/charts/NAME.png`` where a chart is not drawn
    natively; a chart without that PNG (exports in other formats only) is rendered
    once for the slide, in a temporary folder.

    Parameters
    ----------
    folder
        The report's folder (its ``charts/`` holds the PNGs).
    log
        The usage log read: its ledger and days.
    tables
        The report's tables by name, in report order (None: not computed).
    charts
        The report's charts (altair charts or Vega-Lite specs) by name, in report order.
    summary
        The findings, one sentence a line, for the title slide.
    settings
        The options the run used by name (``events``: the log's path, None for the demo log).
    xlsx, pptx
        Write ``report.xlsx``, ``report.pptx``.
    title
        The title slide's heading.
    """
    folder = Path(folder)
    options = run_settings(log, settings)
    written = []
    if xlsx:
        written.append(write_workbook(folder / WORKBOOK, tables, ledger=log.ledger, settings=options))
    if pptx:
        dates = f"{log.first_day} to {log.as_of}" if log.first_day else "no days in range"
        with tempfile.TemporaryDirectory(prefix="stickiness-slides-") as spare:  # PNGs for the slides only
            slides = _slide_charts(folder / "charts", Path(spare), tables, charts)
            deck = write_slides(
                folder / SLIDES, title=title, settings=options, dates=dates, summary=summary, charts=slides
            )
        written.append(deck)
    return written


def _slide_charts(
    images: Path, spare: Path, tables: Mapping[str, pl.DataFrame | None], charts: Mapping[str, Any]
) -> list[SlideChart]:
    """One :class:`SlideChart` per chart: its title from its spec, its table, its PNG.

    The PNG is the report's ``images/NAME.png``; a chart placed as an image whose PNG the
    report did not write is rendered into ``spare``.
    """
    if not charts:
        return []
    from stickiness_widgets.export import chart_spec, save_chart

    slides = []
    for name, chart in charts.items():
        native = NATIVE_CHARTS.get(name)
        table = tables.get(native.table) if native else None
        png = images / f"{name}.png"
        drawn = native is not None and table is not None and _fits(native, table)
        if not png.exists() and not drawn:
            png = save_chart(chart, spare / f"{name}.png")
        slides.append(SlideChart(name, *chart_title(chart_spec(chart)), table, png))
    return slides
