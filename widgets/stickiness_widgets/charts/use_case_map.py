"""Chart of :func:`stickiness.use_case_map`: the persona x use-case grid."""

from __future__ import annotations

from typing import Any, Final

import altair as alt
import polars as pl

from stickiness import BANDS
from stickiness.findings import FindingOptions, chart_headline
from stickiness.schemas import MAP_SCHEMA
from stickiness_widgets.charts._data import SEGMENT, inline, metric_frame, segment_frame, segment_tooltip
from stickiness_widgets.charts._fields import colour_when, printable, title_text
from stickiness_widgets.charts._finish import Title, empty_chart, finish
from stickiness_widgets.charts._intervals import without_intervals
from stickiness_widgets.theme import BAND_COLOURS

__all__ = ["MAP_COLUMNS", "use_case_map_chart", "with_verdict"]

#: The use_case_map() columns the map and the forgettable-zone charts read (the segment column, named after
#: ``by``, first: renamed to ``SEGMENT`` by :func:`map_frame`; a map without ``verdict`` gets one:
#: :func:`with_verdict`).
MAP_COLUMNS: Final = (SEGMENT, *[name for name in without_intervals(list(MAP_SCHEMA)[1:]) if name != "verdict"])
TOO_FEW: Final = "too few adopters"
#: Most forgettable segments the map's subtitle names (the others are counted: the table lists them all).
NAMED: Final = 5


def map_frame(frame: Any, *, by: str | None) -> tuple[pl.DataFrame, str]:
    """Check ``frame`` as use_case_map()'s output; return it with its segment column as ``SEGMENT``, and its name."""
    table = metric_frame(
        frame, columns=MAP_COLUMNS[1:], metric="use_case_map", texts=["forgettable"], flags=["frequency_mismatch"]
    )
    return segment_frame(table, by=by, standard=MAP_COLUMNS[1:], metric="use_case_map")


def with_verdict(table: pl.DataFrame) -> pl.DataFrame:
    """Return the map with its ``verdict`` column; a map without one (written before it existed) gets nulls."""
    if "verdict" in table.columns:
        return table
    return table.with_columns(verdict=pl.lit(None, dtype=pl.String))


_CELL_WIDTH = 124
_CELL_HEIGHT = 84
_DARK_BANDS = ("daily",)  # white text on this fill (dark text on the greys of occasional and lapsed)
_OUTLINE = "#111111"
_GAP = 8
_GREY_FILL = "#E6E6E6"
_LINE = "\n"  # where a cell's label breaks (the text marks' lineBreak)


def use_case_map_chart(
    frame: Any, *, by: str | None = None, unit: str = "user", title: Title = None
) -> alt.typing.ChartType:
    """Chart the use-case map: one cell per persona x use case with adoption and the modal habit band.

    Each cell is filled with the colour of its modal band (grey when fewer than
    ``min_users`` adopters are evaluable) and shows the adoption rate and the band.
    Segments in the forgettable zone have a thick dark outline and their
    forgettable share; a "≠" marks a modal band that differs from the catalog's
    expected frequency. Tooltips carry the catalog's problem, why us,
    alternatives and expected frequency, and the rates.

    Parameters
    ----------
    frame
        The output of :func:`stickiness.use_case_map` (or of
        :func:`stickiness.forgettable_zone`: same columns).
    by
        The segment column (default: the frame's first column, where the map
        has its segment column, named after its ``by``).
    unit
        What the frame counts, the log's :attr:`~stickiness.UsageLog.unit`: ``"user"``, or ``"account"``
        for a log of :func:`stickiness.by_account` (the title and the axes then count accounts).
    title
        Default: the core's headline (:func:`stickiness.chart_headline`): the lowest and
        highest adoption the cells show, e.g. ``"Adoption from 36% (home_buyer, buy_home) to
        100% (renter, browse_homes)"``; the forgettable zone is named in the subtitle.
        A text replaces it (the subtitle stays); :class:`altair.TitleParams` replace both.

    Returns
    -------
    altair chart
        An ``altair.LayerChart``.
        A frame with no rows gives a chart that says so.

    Examples
    --------
    >>> import stickiness, stickiness.demo as demo
    >>> log = stickiness.read_log(demo.demo_events(users=200), users=demo.demo_users(users=200))
    >>> chart = use_case_map_chart(stickiness.use_case_map(log, demo.demo_catalog(), min_users=5))
    >>> chart.to_dict()["title"]["text"]
    'Adoption from ...% (..., ...) to ...% (..., ...)'
    """
    table, segment = map_frame(frame, by=by)
    if table.is_empty():
        return empty_chart(title=title, what="Use-case map", hint="no persona x use case has an adopter")
    cells = _cells(with_verdict(table))
    finding = chart_headline("use_case_map", table, by=SEGMENT, options=FindingOptions(unit=unit))
    notes = [
        f"Fill: the modal habit band; text: adoption (share of the persona's active {unit}s using it).",
        _zone_note(cells),
    ]
    if cells.get_column("frequency_mismatch").any():
        notes.append("≠: the modal band differs from the catalog's expected frequency.")
    return finish(_chart(cells, segment), title=title, finding=finding, notes=notes)


def _zone_note(cells: pl.DataFrame) -> str:
    """Name the outlined segments: all of them up to :data:`NAMED`, else the largest few and how many more.

    Largest: the most evaluable adopters, the forgettable ones before those rare as
    expected (then by name): the order of the summary's list.

    >>> cells = pl.DataFrame({SEGMENT: list("abcdefg"), "use_case": ["u"] * 7, "forgettable": ["true"] * 7,
    ...     "verdict": ["forgettable"] * 6 + ["rare as expected"], "evaluable": [1, 2, 3, 4, 5, 6, 70]})
    >>> note = _zone_note(cells)  # g (70 evaluable) is rare as expected: after the forgettable ones
    >>> note[:80]
    'Outlined: the forgettable zone, 7 segments; the 5 largest: f × u, e × u, d × u, '
    >>> note[80:]
    "c × u, b × u; and 2 more in the use-case map's table (tables/use_case_map.csv in a report)."
    """
    flagged = cells.filter(pl.col("forgettable") == "true")
    if flagged.is_empty():
        return "Outlined: the forgettable zone."
    if flagged.height <= NAMED:  # all of them, in the map's order
        return f"Outlined: the forgettable zone: {_names(flagged)}."
    rare = pl.col("verdict") == "rare as expected"
    largest = flagged.sort(rare, "evaluable", SEGMENT, "use_case", descending=[False, True, False, False])
    return (
        f"Outlined: the forgettable zone, {flagged.height} segments; the {NAMED} largest: "
        f"{_names(largest.head(NAMED))}; and {flagged.height - NAMED} more in the use-case map's table "
        "(tables/use_case_map.csv in a report)."
    )


def _names(rows: pl.DataFrame) -> str:
    return ", ".join(
        f"{p} × {c}" + (" (rare as expected)" if v == "rare as expected" else "")
        for p, c, v in rows.select(SEGMENT, "use_case", "verdict").iter_rows()
    )


def _percent(column: str) -> pl.Expr:
    return pl.format("{}%", (pl.col(column) * 100).round(0).cast(pl.Int64))


def _cells(table: pl.DataFrame) -> pl.DataFrame:
    """Return the map's rows with the labels the cells show."""
    too_few = pl.col("forgettable") == "insufficient_data"
    return table.select(
        *MAP_COLUMNS,
        "verdict",
        pl.when(too_few).then(pl.lit(TOO_FEW)).otherwise(pl.col("modal_band")).alias("fill"),
        pl.format("{} adopt", _percent("adoption_rate")).alias("adoption"),
        # two-line labels (_LINE): a printed card is narrowed to about 85 px, too narrow for them on one line
        pl.when(too_few)
        .then(pl.format("n={}" + _LINE + "evaluable", pl.col("evaluable")))
        .otherwise(pl.col("modal_band"))
        .alias("band_text"),
        pl.when(pl.col("verdict") == "rare as expected")
        .then(pl.lit("rare as" + _LINE + "expected"))  # in the zone, as the catalog expects: no surprise
        .when(pl.col("forgettable") == "true")
        .then(pl.format("forgettable" + _LINE + "{}", _percent("forgettable_share")))
        .otherwise(pl.lit(""))
        .alias("zone_text"),
        (pl.col("modal_band").is_in(_DARK_BANDS) & ~too_few).alias("dark"),
        pl.when(pl.col("ci_low").is_not_null())
        .then(pl.format("{} to {}", _percent("ci_low"), _percent("ci_high")))
        .alias("ci"),
    )


def _chart(cells: pl.DataFrame, segment: str) -> alt.typing.ChartType:
    x = alt.X(
        "use_case:N",
        title="use case",
        axis=alt.Axis(orient="top", labelAngle=0, labelLimit=_CELL_WIDTH, ticks=False, domain=False, labelPadding=6),
    )
    y = alt.Y(
        f"{SEGMENT}:N",
        title=title_text(printable(segment)),  # a channel title goes into expressions: escaped
        axis=alt.Axis(
            title=printable(segment),
            labelFontWeight="bold",
            labelFontSize=13,
            ticks=False,
            domain=False,
            labelPadding=8,
        ),
    )
    base = alt.Chart().encode(x=x, y=y)  # the data go on the layer: altair copies a chart at every step
    extra = [TOO_FEW] if (cells.get_column("fill") == TOO_FEW).any() else []
    fills = [*(BAND_COLOURS[b] for b in BANDS), *([_GREY_FILL] * len(extra))]
    fill = alt.Color(
        "fill:N",
        title="modal habit band",
        scale=alt.Scale(domain=[*BANDS, *extra], range=fills),
        legend=alt.Legend(orient="bottom", direction="horizontal", symbolType="square"),
    )
    # A wide white stroke leaves a gap around each cell; the forgettable outline runs in that gap,
    # so it stays visible on dark fills.
    rect = base.mark_rect(stroke="white", strokeWidth=_GAP).encode(color=fill, tooltip=_tooltips(segment))
    outline = (
        base.transform_filter("datum.forgettable == 'true'")
        .mark_rect(fill=None, stroke=_OUTLINE, strokeWidth=3, width=_CELL_WIDTH - 3, height=_CELL_HEIGHT - 3)
        .encode(tooltip=_tooltips(segment))
    )
    ink = colour_when(("datum.dark", "white"), otherwise="#1A1A1A")
    # 13 px bold "100% adopt" (about 72 px) fits a card narrowed for print (about 85 px less the 8 px gap); the
    # two-line labels' first line sits above the cell's middle: their second line stays inside the card
    adoption = base.mark_text(dy=-22, fontSize=13, fontWeight="bold").encode(text=alt.Text("adoption:N"), color=ink)
    band = base.mark_text(dy=-4, fontSize=12, lineBreak=_LINE).encode(text=alt.Text("band_text:N"), color=ink)
    zone = base.mark_text(dy=13, fontSize=11, fontWeight="bold", lineBreak=_LINE).encode(
        text=alt.Text("zone_text:N"), color=ink
    )
    mismatch = (
        base.transform_filter("datum.frequency_mismatch")
        .mark_text(align="right", baseline="top", dx=_CELL_WIDTH / 2 - 8, dy=-_CELL_HEIGHT / 2 + 6, fontSize=14)
        .encode(text=alt.TextValue("≠"), color=ink)
    )
    return alt.LayerChart(
        layer=[rect, outline, adoption, band, zone, mismatch],
        data=inline(cells),
        width={"step": _CELL_WIDTH},
        height={"step": _CELL_HEIGHT},
    )


def _tooltips(segment: str) -> list[alt.Tooltip]:
    return [
        segment_tooltip(segment),
        alt.Tooltip("use_case:N", title="use case"),
        alt.Tooltip("problem:N"),
        alt.Tooltip("why_us:N", title="why us"),
        alt.Tooltip("alternatives:N"),
        alt.Tooltip("expected_frequency:N", title="expected frequency"),
        alt.Tooltip("modal_band:N", title="modal band"),
        alt.Tooltip("frequency_mismatch:N", title="differs from expected"),
        alt.Tooltip("adoption_rate:Q", format=".1%", title="adoption"),
        alt.Tooltip("adopters:Q", format=","),
        alt.Tooltip("evaluable:Q", format=",", title="evaluable adopters"),
        alt.Tooltip("too_new:Q", format=",", title="too new"),
        alt.Tooltip("median_rate:Q", format=".1f", title="median active days / 30"),
        alt.Tooltip("median_interval_days:Q", format=".1f", title="median interval (days)"),
        alt.Tooltip("forgettable_share:Q", format=".1%", title="forgettable share"),
        alt.Tooltip("ci:N", title="95% interval"),
        alt.Tooltip("forgettable:N", title="forgettable zone"),
    ]
