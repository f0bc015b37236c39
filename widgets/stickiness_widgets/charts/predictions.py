"""Chart of :func:`stickiness.models.predict_forgettable`: the predicted forgettable share per persona x use case."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import altair as alt
import polars as pl

from stickiness.findings import FindingOptions, chart_headline
from stickiness.findings.scorecards import PREDICTION_VERDICTS, prediction_status
from stickiness.options import HABITS, PREDICTION, ZONE, share
from stickiness_widgets.charts._data import SEGMENT, inline, metric_frame, segment_frame, segment_tooltip
from stickiness_widgets.charts._fields import colour_when, pixels, printable, title_text
from stickiness_widgets.charts._finish import Title, empty_chart, finish, percent
from stickiness_widgets.theme import WIDTH

__all__ = ["predictions_chart"]

COLUMNS: Final = (  # the segment column (named after by) first: renamed to SEGMENT
    SEGMENT,
    "use_case",
    "users",
    "repeat_users",
    "predicted",
    "mean_p_alive",
    "mean_expected_days",
    "forgettable",
    "forgettable_share",
    "above_threshold",
    "falling_in",
    "falling_in_share",
)
#: Verdicts of the prediction: a majority predicted forgettable, not, or no model for the use case.
PREDICTION_COLOURS: Final[Mapping[str, str]] = dict(
    zip(PREDICTION_VERDICTS, ("#B2182B", "#2166AC", "#9A9A9A"), strict=True)
)
_STEP = 26
_PLOT_WIDTH: Final = WIDTH - 260
_RULE = "#444444"


def predictions_chart(
    frame: Any,
    *,
    majority: float = ZONE.majority,
    horizon_days: int | None = None,
    threshold: float | None = None,
    by: str | None = None,
    title: Title = None,
) -> alt.typing.ChartType:
    """Rank the segments by the share of their users predicted to be forgettable in the next ``horizon_days`` days.

    Each persona x use case is a bar: the share of its users with a prediction
    whose expected active days (per 30 days) fall below the forgettable threshold.
    Red: more than ``majority`` (a dashed rule); blue: not; grey: no prediction
    (the use case's model could not be fitted). Right of each bar: the share, the
    users predicted, and those *falling in* (at or above the threshold in the
    last ``horizon_days`` days, predicted below it).

    Parameters
    ----------
    frame
        The ``summary`` of :func:`stickiness.models.predict_forgettable`, or the
        :class:`~stickiness.models.ForgettablePrediction` itself (its horizon and
        threshold are then used).
    majority
        The share above which a segment is red (by default as for the forgettable zone).
    horizon_days, threshold
        For the title and notes: the ``horizon_days`` and ``threshold`` given to
        ``predict_forgettable`` (by default the prediction's own, else the library's).
    by
        The segment column (default: the summary's first column, named after
        the ``by`` of ``predict_forgettable``).
    title
        Default: the finding, e.g. ``"3 of 13 segments are predicted to be
        forgettable in the next 30 days"``. A text replaces it (the subtitle
        stays); :class:`altair.TitleParams` replace both.

    Returns
    -------
    altair chart
        An ``altair.LayerChart``.
        A frame with no rows gives a chart that says so.

    Examples
    --------
    >>> import polars as pl
    >>> frame = pl.DataFrame({
    ...     "persona": ["a", "b"], "use_case": ["(any)", "(any)"], "users": [10, 8], "repeat_users": [9, 4],
    ...     "predicted": [10, 8], "mean_p_alive": [0.9, 0.5], "mean_expected_days": [12.0, 0.4],
    ...     "forgettable": [2, 6], "forgettable_share": [0.2, 0.75], "above_threshold": [9, 3],
    ...     "falling_in": [1, 2], "falling_in_share": [1 / 9, 2 / 3],
    ... })
    >>> predictions_chart(frame).to_dict()["title"]["text"]
    '1 of 2 segments is predicted to be forgettable in the next 30 days'
    """
    share(majority, "majority", f"the share above which a segment is red, {ZONE.majority:g} by default")
    summary = getattr(frame, "summary", None)
    if isinstance(summary, pl.DataFrame):  # a ForgettablePrediction: its summary, horizon and threshold
        horizon_days = frame.horizon_days if horizon_days is None else horizon_days
        threshold = frame.threshold if threshold is None else threshold
        frame = summary
    horizon = PREDICTION.horizon_days if horizon_days is None else horizon_days
    cutoff = HABITS.threshold if threshold is None else threshold
    metric = "models.predict_forgettable(...).summary"
    table, segment = segment_frame(
        metric_frame(frame, columns=COLUMNS[1:], metric=metric), by=by, standard=COLUMNS[1:], metric=metric
    )
    if table.is_empty():
        return empty_chart(title=title, what="Predicted forgettable zone", hint="no user to predict")
    rows = _rows(table, majority)
    options = FindingOptions(majority=majority, horizon_days=horizon)
    finding = chart_headline("predict_forgettable", table, by=SEGMENT, options=options)
    notes = [
        f"Share of the users with a prediction whose expected active days in the next {horizon} days, "
        f"per 30 days, fall below {cutoff:g} (the forgettable threshold).",
        f"Red: above {percent(majority, 0)} (dashed line). Falling in: at or above the threshold in the last "
        f"{horizon} days, predicted below it.",
    ]
    if (rows.get_column("status") == "no prediction").any():
        notes.append("Grey: no prediction (the use case's model could not be fitted).")
    return finish(_chart(rows, majority, segment), title=title, finding=finding, notes=notes)


def _rows(table: pl.DataFrame, majority: float) -> pl.DataFrame:
    share = pl.col("forgettable_share")
    return (
        table.select(
            pl.col(SEGMENT).cast(pl.String),
            pl.col("use_case").cast(pl.String),
            *(pl.col(name) for name in COLUMNS[2:]),
            pl.format("{} · {}", SEGMENT, "use_case").alias("segment"),
            prediction_status(majority),  # the core's verdict, drawn as the bar's colour
            pl.when(share.is_null())
            .then(pl.format("no prediction ({} users)", "users"))
            .otherwise(
                pl.format(
                    "{}% of {} · {} falling in",
                    (share * 100).round(0).cast(pl.Int64),
                    "predicted",
                    "falling_in",
                )
            )
            .alias("label"),
        )
        .sort(share, "predicted", descending=[True, True], nulls_last=True)
        .with_columns(pl.lit(0.0).alias("zero"))
    )


def _chart(rows: pl.DataFrame, majority: float, segment: str) -> alt.typing.ChartType:
    y = alt.Y(
        "segment:N",
        title=title_text(f"{printable(segment)} · use case"),  # a channel title goes into expressions: escaped
        sort=rows.get_column("segment").to_list(),
        axis=alt.Axis(title=f"{printable(segment)} · use case", labelLimit=240, ticks=False, domain=False),
    )
    x_scale = alt.Scale(domain=[0, 1], nice=False, clamp=True)
    colour = alt.Color(
        "status:N",
        title=None,
        scale=alt.Scale(domain=list(PREDICTION_COLOURS), range=list(PREDICTION_COLOURS.values())),
        legend=alt.Legend(orient="bottom", direction="horizontal"),
    )
    tooltips = [
        segment_tooltip(segment),
        alt.Tooltip("use_case:N", title="use case"),
        alt.Tooltip("forgettable_share:Q", format=".1%", title="predicted forgettable"),
        alt.Tooltip("forgettable:Q", format=",", title="users predicted forgettable"),
        alt.Tooltip("predicted:Q", format=",", title="users with a prediction"),
        alt.Tooltip("users:Q", format=","),
        alt.Tooltip("repeat_users:Q", format=",", title="repeat users"),
        alt.Tooltip("mean_p_alive:Q", format=".1%", title="mean P(alive)"),
        alt.Tooltip("mean_expected_days:Q", format=".2f", title="mean expected active days"),
        alt.Tooltip("falling_in:Q", format=",", title="falling in"),
        alt.Tooltip("falling_in_share:Q", format=".1%", title="falling in (share above threshold)"),
        alt.Tooltip("status:N", title="verdict"),
    ]
    base = alt.Chart().encode(y=y)
    bar = base.mark_bar(height={"band": 0.65}).encode(
        x=alt.X(
            "zero:Q",
            scale=x_scale,
            title="share of users predicted forgettable",
            axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
        ),
        x2=alt.X2(field="forgettable_share"),
        color=colour,
        tooltip=tooltips,
    )
    once = alt.Chart(alt.InlineData(values=[{}]))
    rule = once.mark_rule(strokeDash=[4, 3], color=_RULE, strokeWidth=1.2).encode(
        x=alt.XDatum(majority, type="quantitative"), y=pixels("y", 0), y2=pixels("y2", _STEP * rows.height)
    )
    rule_label = once.mark_text(align="left", baseline="bottom", dx=4, dy=-2, color=_RULE, fontSize=12).encode(
        x=alt.XDatum(majority, type="quantitative"),
        y=pixels("y", 0),
        text=alt.TextValue(f"majority {percent(majority, 0)}"),
    )
    label = base.mark_text(align="left", fontSize=12).encode(
        x=pixels("x", _PLOT_WIDTH + 12),
        text=alt.Text("label:N"),
        color=colour_when(
            ("datum.status == 'predicted forgettable'", PREDICTION_COLOURS["predicted forgettable"]),
            otherwise="#333333",
        ),
    )
    return alt.LayerChart(
        layer=[bar, rule, label, rule_label], data=inline(rows), width=_PLOT_WIDTH, height={"step": _STEP}
    )
