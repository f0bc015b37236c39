"""Chart of :func:`stickiness.scorecards.fit_matrix`: profitability against usage, coloured by state."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

import altair as alt
import polars as pl

from stickiness import InvalidOptionError
from stickiness.findings import FindingOptions, chart_headline
from stickiness.options import FIT
from stickiness.schemas import FIT_COLUMNS
from stickiness.scorecards.fit import FIT_STATES
from stickiness_widgets.charts._data import ChartDataError, inline, metric_frame
from stickiness_widgets.charts._fields import pixels
from stickiness_widgets.charts._finish import Title, empty_chart, finish, percent
from stickiness_widgets.charts._scorecard import RULE
from stickiness_widgets.theme import WIDTH

__all__ = ["fit_matrix_chart"]

#: Fit states, in the order of fit_matrix's rows, and their colours (Okabe-Ito).
FIT_COLOURS: Final[Mapping[str, str]] = {"keep": "#0072B2", "grow": "#009E73", "depart": "#D55E00"}
#: Above this many accounts the fit matrix draws counts per cell instead of one point per account.
MAX_POINTS: Final = 5_000
_FIT_WIDTH = WIDTH - 130  # room on the right for the cut-off labels
_CELLS = 40  # bins per axis of the aggregated fit matrix


def fit_matrix_chart(
    frame: Any,
    *,
    depart_below: float = FIT.depart_below,
    grow_above: float = FIT.grow_above,
    grow_rate: float = FIT.grow_rate,
    max_points: int = MAX_POINTS,
    title: Title = None,
) -> alt.typing.ChartType:
    """Chart the customer fit matrix: profitability against usage, one point per account, coloured by state.

    y: profitability (profit / mrr); x: the usage rate (active days per 30) when
    ``fit_matrix`` was given a usage log, else the monthly revenue (log scale).
    The colours are ``fit_matrix``'s ``state`` column, as it decided them; the legend
    counts the accounts of each state.
    Dashed rules mark the cut-offs: depart below ``depart_below``, grow from
    ``grow_above`` (and, with usage, from ``grow_rate``). Above ``max_points``
    accounts the chart draws circles sized by the number of accounts in each
    cell of a 40 x 40 grid per state, not one point per account. Accounts with
    no revenue (``zero_mrr="depart"``: no profitability) cannot be placed and
    are counted in the subtitle.

    Parameters
    ----------
    frame
        The output of :func:`stickiness.scorecards.fit_matrix`.
    depart_below, grow_above, grow_rate
        The cut-offs given to ``fit_matrix`` (by default its own): drawn as
        rules and named in the title, never used to recompute a state.
    max_points
        Most accounts drawn one by one (default 5,000).
    title
        Default: the finding, e.g. ``"45 of 323 accounts are below 30%
        profitability (depart); 69 to grow"``. A text replaces it (the subtitle
        stays); :class:`altair.TitleParams` replace both.

    Returns
    -------
    altair chart
        An ``altair.LayerChart``.
        A frame with no rows gives a chart that says so.

    Examples
    --------
    >>> import polars as pl
    >>> from stickiness.scorecards import fit_matrix
    >>> accounts = pl.DataFrame({
    ...     "account_id": ["a", "b", "c", "d", "e"], "mrr": [100, 100, 200, 50, 80],
    ...     "labour": [20, 50, 60, 30, 60], "communication": [5.0, 10, 10, 2.5, 20],
    ...     "hard_costs": [5.0, 20, 10, 2.5, 20],
    ... })
    >>> fit_matrix_chart(fit_matrix(accounts)).to_dict()["title"]["text"]
    '2 of 5 accounts are below 30% profitability (depart); 2 to grow'
    """
    _check_cutoffs(depart_below=depart_below, grow_above=grow_above, grow_rate=grow_rate)
    if not isinstance(max_points, int) or max_points < 1:
        raise InvalidOptionError(f"max_points={max_points!r}: pass a whole number of 1 or more (default {MAX_POINTS}).")
    table = metric_frame(frame, columns=FIT_COLUMNS, metric="scorecards.fit_matrix", texts=["state"])
    if table.is_empty():
        return empty_chart(title=title, what="Customer fit", hint="the accounts table has no account")
    numbers = [name for name, dtype in FIT_COLUMNS.items() if dtype == pl.Float64]
    table = table.with_columns(pl.col("user").cast(pl.String), pl.col(numbers).cast(pl.Float64))
    _check_states(table)
    usage = table.get_column("rate").null_count() < table.height
    placed = table.filter(pl.col("profitability").is_not_null())
    unplaced = table.height - placed.height
    notes = [
        "Each point an account: profitability (profit / mrr) against "
        + ("its usage rate (active days per 30 days)." if usage else "its monthly revenue (log scale): no usage log."),
    ]
    if placed.height > max_points:
        notes.append(f"{placed.height:,} accounts: circle area = accounts in the cell.")
    if unplaced:
        notes.append(f"{unplaced:,} account{'s' if unplaced > 1 else ''} with no revenue (depart) not drawn.")
    headline = chart_headline("fit_matrix", table, options=FindingOptions(depart_below=depart_below))
    if placed.is_empty():
        chart = empty_chart(
            title=title, what="Customer fit", hint="no account has revenue, so none has a profitability"
        )
        return finish(chart, title=title, finding=headline, notes=notes)
    x = "rate" if usage else "mrr"
    counts = dict(table.group_by("state").len().iter_rows())  # every account, placed or not: the legend's counts
    layers = _fit_layers(
        placed,
        x=x,
        depart_below=depart_below,
        grow_above=grow_above,
        grow_rate=grow_rate,
        max_points=max_points,
        counts={state: counts.get(state, 0) for state in FIT_COLOURS},
    )
    return finish(layers, title=title, finding=headline, notes=notes)


def _check_cutoffs(*, depart_below: float, grow_above: float, grow_rate: float) -> None:
    """Check the cut-offs to draw: numbers, with depart_below <= grow_above, as fit_matrix takes them."""
    for name, value, example in (
        ("depart_below", depart_below, "a share such as 0.3"),
        ("grow_above", grow_above, "a share such as 0.6"),
        ("grow_rate", grow_rate, "active days per 30, such as 4.0"),
    ):
        if not isinstance(value, int | float) or not math.isfinite(value):
            raise InvalidOptionError(f"{name}={value!r}: pass the number given to fit_matrix ({example}).")
    if depart_below > grow_above:
        raise InvalidOptionError(
            f"depart_below={depart_below!r} is above grow_above={grow_above!r}: pass the values given to fit_matrix."
        )


def _check_states(table: pl.DataFrame) -> None:
    """Refuse a ``state`` that fit_matrix never gives (the chart has no colour for it)."""
    other = table.filter(~pl.col("state").is_in(list(FIT_STATES)) | pl.col("state").is_null())
    if not other.is_empty():
        row = other.row(0, named=True)
        raise ChartDataError(
            f"the column 'state' holds {row['state']!r} (account {row['user']!r}) on {other.height:,} rows: "
            f"fit_matrix's states are {', '.join(FIT_STATES)}. Pass the output of stickiness.scorecards.fit_matrix."
        )


def _nice_floor(value: float, step: float) -> float:
    return math.floor(value / step) * step


def _fit_layers(
    placed: pl.DataFrame,
    *,
    x: str,
    depart_below: float,
    grow_above: float,
    grow_rate: float,
    max_points: int,
    counts: Mapping[str, int],
) -> alt.typing.ChartType:
    xs, y = _fit_axes(placed, x=x, depart_below=depart_below)
    # the legend names each state with its accounts (those with no revenue too), the numbers the title states
    labels = ", ".join(f"'{state}': '{state} ({n:,})'" for state, n in counts.items())
    colour = alt.Color(
        "state:N",
        title=None,
        scale=alt.Scale(domain=list(FIT_COLOURS), range=list(FIT_COLOURS.values())),
        legend=alt.Legend(
            orient="bottom",
            direction="horizontal",
            title=f"{sum(counts.values()):,} accounts:",
            titleOrient="left",
            labelExpr=f"{{{labels}}}[datum.label]",
        ),
    )
    if placed.height <= max_points:
        marks = (
            alt.Chart(inline(placed.sort("state", "user")))
            .mark_circle(size=46, opacity=0.75)
            .encode(
                x=xs,
                y=y,
                color=colour,
                tooltip=[
                    alt.Tooltip("user:N", title="account"),
                    alt.Tooltip("state:N"),
                    alt.Tooltip("profitability:Q", format=".1%"),
                    alt.Tooltip("mrr:Q", format=",.2f", title="mrr"),
                    alt.Tooltip("costs:Q", format=",.2f"),
                    alt.Tooltip("profit:Q", format=",.2f"),
                    *([alt.Tooltip("rate:Q", format=".1f", title="active days per 30")] if x == "rate" else []),
                ],
            )
        )
    else:
        marks = (
            alt.Chart(inline(_fit_cells(placed, x)))
            .mark_circle(opacity=0.7)
            .encode(
                x=xs,
                y=y,
                color=colour,
                size=alt.Size("accounts:Q", title="accounts", scale=alt.Scale(range=[20, 600]), legend=None),
                tooltip=[
                    alt.Tooltip("state:N"),
                    alt.Tooltip("accounts:Q", format=","),
                    alt.Tooltip("profitability:Q", format=".1%", title="mean profitability"),
                    alt.Tooltip(f"{x}:Q", format=",.1f", title=f"mean {x}"),
                ],
            )
        )
    rules = _cutoff_rules(
        depart_below=depart_below, grow_above=grow_above, grow_rate=grow_rate if x == "rate" else None
    )
    return alt.LayerChart(layer=[marks, *rules], width=_FIT_WIDTH, height=380)


def _fit_axes(placed: pl.DataFrame, *, x: str, depart_below: float) -> tuple[alt.X, alt.Y]:
    """Return the x axis (usage rate from 0, or mrr on a log scale) and the y axis (profitability)."""
    lowest = min(float(placed.get_column("profitability").min()), depart_below, 0.0)  # type: ignore[arg-type]
    y_scale = alt.Scale(domain=[_nice_floor(lowest - 0.05, 0.1), 1.0], nice=False)
    if x == "rate":
        x_scale = alt.Scale(domain=[0, max(30.0, float(placed.get_column("rate").max()))], nice=False)  # type: ignore[arg-type]
        x_title, x_format = "usage rate (active days per 30)", ",.0f"
    else:
        x_scale = alt.Scale(type="log")
        x_title, x_format = "monthly recurring revenue (log scale)", ",.0f"
    y = alt.Y("profitability:Q", scale=y_scale, title="profitability (profit / mrr)", axis=alt.Axis(format="%"))
    return alt.X(f"{x}:Q", scale=x_scale, title=x_title, axis=alt.Axis(format=x_format)), y


def _cutoff_rules(*, depart_below: float, grow_above: float, grow_rate: float | None) -> list[Any]:
    """Dashed rules at the cut-offs, labelled right of the plot, where no point can hide them."""
    once = alt.Chart(alt.InlineData(values=[{}]))
    layers: list[Any] = []
    for position, text in [
        (alt.YDatum(depart_below), f"depart below {percent(depart_below, 0)}"),
        (alt.YDatum(grow_above), f"grow from {percent(grow_above, 0)}"),
    ]:
        layers.append(once.mark_rule(strokeDash=[4, 3], color=RULE, strokeWidth=1.2).encode(y=position))
        layers.append(
            once.mark_text(align="left", baseline="middle", dx=6, color=RULE).encode(
                y=position, x=pixels("x", _FIT_WIDTH), text=alt.TextValue(text)
            )
        )
    if grow_rate is not None:  # with usage: grow also needs the rate, drawn from the grow line up
        layers.append(
            once.mark_rule(strokeDash=[4, 3], color=RULE, strokeWidth=1.2).encode(
                x=alt.XDatum(grow_rate), y=alt.YDatum(grow_above), y2=pixels("y2", 0)
            )
        )
        layers.append(
            once.mark_text(align="left", baseline="top", dx=4, dy=4, color=RULE).encode(
                x=alt.XDatum(grow_rate), y=pixels("y", 0), text=alt.TextValue(f"grow from {grow_rate:g} days / 30")
            )
        )
    return layers


def _fit_cells(placed: pl.DataFrame, x: str) -> pl.DataFrame:
    """Count the accounts per state in a grid of cells (log-spaced for mrr), placed at their mean position."""
    position = pl.col(x).log10() if x == "mrr" else pl.col(x)
    return (
        placed.with_columns(position.alias("__x"))
        .with_columns(
            ((pl.col("__x") - pl.col("__x").min()) / (pl.col("__x").max() - pl.col("__x").min()) * _CELLS)
            .floor()
            .fill_nan(0)
            .clip(0, _CELLS - 1)
            .alias("__cx"),
            (
                (pl.col("profitability") - pl.col("profitability").min())
                / (pl.col("profitability").max() - pl.col("profitability").min())
                * _CELLS
            )
            .floor()
            .fill_nan(0)
            .clip(0, _CELLS - 1)
            .alias("__cy"),
        )
        .group_by("state", "__cx", "__cy")
        .agg(pl.len().cast(pl.Int64).alias("accounts"), pl.col(x).mean(), pl.col("profitability").mean())
        .sort("state", "__cx", "__cy")
        .select("state", "accounts", x, "profitability")
    )
