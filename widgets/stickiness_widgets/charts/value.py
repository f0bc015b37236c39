"""Chart of :func:`stickiness.scorecards.lifetime_value` and its summary: the customers per value range."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, Final

import altair as alt
import polars as pl

from stickiness.findings import chart_headline
from stickiness.findings.scorecards import value_marks
from stickiness.schemas import VALUE_COLUMNS, VALUE_SUMMARY_COLUMNS
from stickiness_widgets.charts._data import inline, metric_frame
from stickiness_widgets.charts._fields import field, pixels, printable, title_text
from stickiness_widgets.charts._finish import Title, empty_chart, finish
from stickiness_widgets.charts._scorecard import INK, PLOT_WIDTH, STEP, segment_column, whole_percent
from stickiness_widgets.theme import OKABE_ITO, WIDTH

__all__ = ["lifetime_value_chart"]

#: The columns of lifetime_value the chart draws (the others are known, not needed).
_DRAWN: Final = ("user", "transactions", "purchases", "value", "repeat_value")
PURCHASE_COLOURS: Final[Mapping[str, str]] = {"one purchase": "#E69F00", "repeat customer": "#0072B2"}
_NICE_STEPS = (1, 2, 5)


def lifetime_value_chart(frame: Any, *, by: str | None = None, title: Title = None) -> alt.typing.ChartType:
    """Chart lifetime value: the customers per value range, or the value per segment from the summary.

    Given the per-customer output of ``lifetime_value``: a histogram of the
    customers' value in 1-2-5 ranges (10-20, 20-50, 50-100, ...; value 0 apart),
    stacked into customers who bought once and repeat customers (small multiples
    per segment when the frame has one). Given ``lifetime_value_summary``: one
    bar per segment of the mean value, a tick at the median, and the share of
    repeat customers on the right.

    Parameters
    ----------
    frame
        The output of :func:`stickiness.scorecards.lifetime_value` or of
        :func:`stickiness.scorecards.lifetime_value_summary`.
    by
        The segment column. Default: the frame's one column beyond the standard
        ones, if it has one.
    title
        Default: the finding, the numbers the chart draws, e.g. ``"Median lifetime
        value 285 (mean 967); 77% are repeat customers"``: the median and the mean
        are rules labelled with their values, the repeat share the legend's entry
        (per segment: the lowest and highest median, each histogram drawing its own,
        its heading its repeat share). A text replaces it (the subtitle stays);
        :class:`altair.TitleParams` replace both.

    Returns
    -------
    altair chart
        An ``altair.LayerChart`` (an ``altair.FacetChart`` for customers per segment).
        A frame with no rows gives a chart that says so.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.scorecards import lifetime_value
    >>> payments = pl.DataFrame({
    ...     "customer_id": ["a", "a", "a", "b", "c"], "revenue": [10.0, 5.0, 25.0, 20.0, 0.0],
    ...     "timestamp": [dt.date(2024, 1, 1), dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 1, 5),
    ...                   dt.date(2024, 3, 1)],
    ... })
    >>> lifetime_value_chart(lifetime_value(payments)).to_dict()["title"]["text"]
    'Median lifetime value 20 (mean 20); 33% are repeat customers'
    """
    columns = getattr(frame, "columns", ())
    if "user" not in columns and "mean_value" in columns:
        return _value_summary_chart(frame, by=by, title=title)
    table = metric_frame(frame, columns=[*_DRAWN, *([by] if by else [])], metric="scorecards.lifetime_value")
    by = by or segment_column(table, ("user", *VALUE_COLUMNS))
    if table.is_empty():
        return empty_chart(title=title, what="Lifetime value", hint="no customer has a transaction")
    values = table.select(
        *([pl.col(by).cast(pl.String).fill_null("(unknown)")] if by else []),
        pl.col("value").cast(pl.Float64),
        pl.col("purchases").cast(pl.Int64),
        pl.when(pl.col("purchases") >= 2)
        .then(pl.lit("repeat customer"))
        .otherwise(pl.lit("one purchase"))
        .alias("buyer"),
    )
    bins, starts = _value_bins(values, by)
    marks = _placed(value_marks(table, by), starts, by)
    notes = [
        "Customers per range of lifetime value (the revenue of all their purchases), on 1-2-5 steps.",
        "Lines: the median (solid) and the mean (dashed) lifetime value. Repeat customers bought on two days or more.",
    ]
    headline = chart_headline("lifetime_value", table, by=by)
    return finish(_value_histogram(bins, marks, by), title=title, finding=headline, notes=notes)


def _nice_below(value: float) -> float:
    """Return the largest 1-2-5 number (..., 0.5, 1, 2, 5, 10, ...) at or below ``value`` (> 0)."""
    exponent = math.floor(math.log10(value))
    return max(step * 10.0**exponent for step in _NICE_STEPS if step * 10.0**exponent <= value * (1 + 1e-12))


def _nice_after(value: float) -> float:
    """Return the 1-2-5 number that follows ``value`` (itself a 1-2-5 number)."""
    exponent = math.floor(math.log10(value) + 1e-12)
    mantissa = round(value / 10.0**exponent)
    return {1: 2, 2: 5}.get(mantissa, 10) * 10.0**exponent


def _label(edge: float) -> str:
    return f"{edge:,.0f}" if edge >= 1 else f"{edge:g}"


def _value_bins(values: pl.DataFrame, by: str | None) -> tuple[pl.DataFrame, list[float]]:
    positive = values.filter(pl.col("value") > 0).get_column("value")
    low = float(positive.min()) if not positive.is_empty() else 1.0  # type: ignore[arg-type]
    top = float(values.get_column("value").max())  # type: ignore[arg-type]
    edges = [_nice_below(low)]
    while edges[-1] <= top:
        edges.append(_nice_after(edges[-1]))
    starts, ends = edges[:-1], edges[1:]
    labels = ["0", *(f"{_label(a)}–{_label(b)}" for a, b in zip(starts, ends, strict=True))]
    # bin 0 holds the value 0; bin k the values from starts[k - 1] up to (not including) ends[k - 1]
    number = pl.Series(starts).search_sorted(values.get_column("value"), side="right").cast(pl.Int64)
    keys = [*([by] if by else []), "bin", "buyer"]
    counts = values.with_columns(number.alias("bin")).group_by(keys).agg(pl.len().cast(pl.Int64).alias("customers"))
    grid = pl.DataFrame({"bin": list(range(len(labels)))}, schema={"bin": pl.Int64}).join(
        pl.DataFrame({"buyer": list(PURCHASE_COLOURS)}), how="cross"
    )
    if by:
        grid = values.select(by).unique().join(grid, how="cross")
    full = grid.join(counts, on=keys, how="left").with_columns(pl.col("customers").fill_null(0))
    if 0 not in set(values.get_column("value").to_list()):
        full = full.filter(pl.col("bin") > 0)
    names = pl.Series("range", labels)
    bins = full.with_columns(
        pl.col("bin").map_elements(lambda i: names[i], pl.String).alias("range"),
        pl.col("buyer").replace_strict({b: i for i, b in enumerate(PURCHASE_COLOURS)}).alias("order"),
    ).sort(*([by] if by else []), "bin", "order")
    return bins, [*starts, edges[-1]]


def _placed(marks: pl.DataFrame, edges: list[float], by: str | None) -> pl.DataFrame:
    """Place the core's median and mean on the histogram: the range holding each, and where in it (0 to 1).

    Within a range the place is logarithmic, as the 1-2-5 ranges are (285 is 39% of the
    way from 200 to 500: log(285 / 200) / log(500 / 200)); the value 0 sits mid-bin, a
    value between 0 and the first range (a mean that zeros pull down) between the two.
    """
    starts, ends = pl.Series(edges[:-1], dtype=pl.Float64), pl.Series(edges[1:], dtype=pl.Float64)
    labels = ["0", *(f"{_label(a)}–{_label(b)}" for a, b in zip(starts, ends, strict=True))]
    keys = [by] if by else []
    rows = pl.concat(
        [
            marks.select(
                *keys, pl.col(kind).alias("at"), pl.col(f"{kind}_label").alias("label"), "repeat_label"
            ).with_columns(kind=pl.lit(kind))
            for kind in ("median", "mean")
        ]
    )
    number = starts.search_sorted(rows.get_column("at"), side="right").cast(pl.Int64)
    # bin 0 (the value 0) first, with stand-in edges: it has no range to place a value within
    low = pl.Series([1.0, *starts]).gather(number)
    high = pl.Series([2.0, *ends]).gather(number)
    within = ((rows.get_column("at") / low).log() / (high / low).log()).clip(0, 1)
    return rows.with_columns(
        pl.Series("range", labels).gather(number),
        # in bin 0: the value 0 mid-bin; a mean above 0 but below the first range (zeros pull it down) at its edge
        pl.when(number > 0).then(within).when(rows.get_column("at") > 0).then(1.0).otherwise(0.5).alias("position"),
    )


def _value_histogram(bins: pl.DataFrame, marks: pl.DataFrame, by: str | None) -> alt.typing.ChartType:
    ranges = bins.sort("bin").get_column("range").unique(maintain_order=True).to_list()
    x = alt.X("range:O", title="lifetime value", sort=ranges, axis=alt.Axis(labelAngle=-30))
    colour = alt.Color(
        "buyer:N",
        title=None,
        scale=alt.Scale(domain=list(PURCHASE_COLOURS), range=list(PURCHASE_COLOURS.values())),
        legend=alt.Legend(
            orient="bottom", direction="horizontal", symbolType="square", labelExpr=_repeat_legend(marks, by)
        ),
    )
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("customers:Q", title="customers", stack="zero", axis=alt.Axis(format=",d")),
            color=colour,
            order=alt.Order("order:Q"),
            tooltip=[
                *([alt.Tooltip(f"{field(by)}:N", title=title_text(by))] if by else []),
                alt.Tooltip("range:N", title="lifetime value"),
                alt.Tooltip("buyer:N", title="customers who"),
                alt.Tooltip("customers:Q", format=","),
            ],
        )
    )
    gap = 40
    width = WIDTH - 80 if not by else (WIDTH - gap) // 2
    # one dataset (facets need one): the bars' rows, then the median's and the mean's
    rows = pl.concat([bins.with_columns(kind=pl.lit("bar")), marks.drop("repeat_label")], how="diagonal_relaxed")
    if by:  # each histogram's header: the segment and its share of repeat customers
        panels = marks.select(by, pl.format("{}: {}", pl.col(by), "repeat_label").alias("panel")).unique()
        rows = rows.join(panels, on=by, how="left")
    data = inline(rows)
    layers = [bars.transform_filter("datum.kind == 'bar'"), *_value_lines(x)]
    resolve = alt.Resolve(scale=alt.ScaleResolveMap(xOffset="independent"))  # the lines' offset leaves the bars whole
    if not by:
        return alt.LayerChart(layer=layers, data=data, width=width, height=300, resolve=resolve)
    header = alt.Header(labelFontSize=13, labelFontWeight="bold", labelAnchor="start", labelAlign="left", title=None)
    return alt.LayerChart(layer=layers, width=width, height=150, resolve=resolve).facet(
        facet=alt.Facet("panel:N", header=header, title=None),
        columns=2,
        spacing={"column": gap, "row": 16},
        data=data,
    )


def _repeat_legend(marks: pl.DataFrame, by: str | None) -> str:
    """Return the legend's labels: over all customers, the repeat customers' entry states their share (the core's)."""
    if by:  # each histogram's header states its own share
        return "datum.label"
    share = json.dumps(marks.get_column("repeat_label")[0])
    return f"datum.label == 'repeat customer' ? {share} : datum.label"


def _value_lines(x: alt.X) -> list[alt.Chart]:
    """Return the median (solid) and the mean (dashed) as rules labelled with their values."""
    lines = alt.Chart().transform_filter("datum.kind != 'bar'")
    offset = alt.XOffset("position:Q", scale=alt.Scale(domain=[0, 1]))
    dash = alt.StrokeDash("kind:N", scale=alt.Scale(domain=["median", "mean"], range=[[1, 0], [5, 3]]), legend=None)
    rule = lines.mark_rule(color=INK, strokeWidth=1.5).encode(x=x, xOffset=offset, strokeDash=dash)
    labels = [  # the mean's a line below the median's, so that the two never overlap; a white halo under each
        lines.transform_filter(f"datum.kind == '{kind}'")
        .mark_text(align="left", baseline="top", dx=4, fontSize=12, **style)
        .encode(x=x, xOffset=offset, y=pixels("y", 4 + 16 * line), text="label:N")
        for line, kind in enumerate(("median", "mean"))
        for style in ({"color": "white", "stroke": "white", "strokeWidth": 3}, {"color": INK})
    ]
    return [rule, *labels]


def _value_summary_chart(frame: Any, *, by: str | None, title: Title) -> alt.typing.ChartType:
    table = metric_frame(
        frame, columns=[*VALUE_SUMMARY_COLUMNS, *([by] if by else [])], metric="scorecards.lifetime_value_summary"
    )
    by = by or segment_column(table, VALUE_SUMMARY_COLUMNS)
    if table.is_empty() or int(table.get_column("customers").sum()) == 0:
        return empty_chart(title=title, what="Lifetime value", hint="no customer has a transaction")
    segment = by or "group"
    rows = (
        table.filter(pl.col("customers") > 0)
        .with_columns(
            (pl.col(by).cast(pl.String).fill_null("(unknown)") if by else pl.lit("all customers")).alias(segment)
        )
        .sort("mean_value", descending=True)
        .with_row_index("rank")
    )
    rows = rows.with_columns(
        pl.format(
            "{} repeat · n={}",
            whole_percent("repeat_purchase_share"),
            "customers",
        ).alias("label")
    )
    y = alt.Y(
        f"{field(segment)}:N",
        title=title_text(segment),
        sort=rows.get_column(segment).to_list(),
        axis=alt.Axis(title=printable(segment), labelLimit=200, ticks=False, domain=False),
    )
    tooltips = [
        alt.Tooltip(f"{field(segment)}:N", title=title_text(segment)),
        alt.Tooltip("customers:Q", format=","),
        alt.Tooltip("value:Q", format=",.2f", title="total value"),
        alt.Tooltip("mean_value:Q", format=",.2f", title="mean value"),
        alt.Tooltip("median_value:Q", format=",.2f", title="median value"),
        alt.Tooltip("repeat_purchase_share:Q", format=".1%", title="repeat customers"),
        alt.Tooltip("repeat_value_share:Q", format=".1%", title="value from repeat purchases"),
        alt.Tooltip("share_of_wallet:Q", format=".1%", title="share of wallet"),
    ]
    base = alt.Chart().encode(y=y)
    x = alt.X("mean_value:Q", title="mean lifetime value per customer (tick: median)", axis=alt.Axis(format=",.0f"))
    bar = base.mark_bar(color=OKABE_ITO[0], height={"band": 0.6}).encode(x=x, tooltip=tooltips)
    tick = base.mark_tick(color=INK, thickness=3, size=STEP * 0.8).encode(x="median_value:Q", tooltip=tooltips)
    label = base.mark_text(align="left", fontSize=12, color="#333333").encode(
        x=pixels("x", PLOT_WIDTH + 12), text=alt.Text("label:N")
    )
    chart = alt.LayerChart(layer=[bar, tick, label], data=inline(rows), width=PLOT_WIDTH, height={"step": STEP})
    notes = [
        "Bar: the mean lifetime value per customer; tick: the median. Right: customers who bought on two days or more.",
    ]
    headline = chart_headline("lifetime_value_summary", table, by=by)
    return finish(chart, title=title, finding=headline, notes=notes)
