"""Input checks for the chart functions, and the frame-to-inline-data step.

Charts take a metric output (a small aggregated polars frame), never raw events:
a frame with more than :data:`MAX_ROWS` rows is refused with an error that says
which metric to compute first.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Final

import altair as alt
import narwhals as nw
import polars as pl

from stickiness import ColumnNotFoundError, StickinessError, UnsupportedSourceError
from stickiness_widgets.charts._fields import CONTROLS, PICTURES, field, title_text

__all__ = ["MAX_ROWS", "SEGMENT", "ChartDataError", "inline", "metric_frame", "segment_frame", "segment_tooltip"]

#: Largest frame a chart function accepts (metric outputs are far smaller).
MAX_ROWS: Final = 200_000

_DIGITS = 6  # floats are rounded in the spec: enough for any chart, and smaller specs


class ChartDataError(StickinessError, ValueError):
    """The frame given to a chart function is not a (small) metric output."""


#: The segment column's name in the data of the use-case, health and prediction charts.
SEGMENT: Final = "persona"


def segment_frame(
    table: pl.DataFrame, *, by: str | None, standard: Collection[str], metric: str, position: int = 0
) -> tuple[pl.DataFrame, str]:
    """Return ``table`` with its segment column renamed to :data:`SEGMENT` (as text), and the column's own name.

    The segment column is ``by`` when given, else the column at ``position``
    (the place the metric's documented columns give it: outputs name it after
    ``by``, docs/metrics.md, Segments); one of the metric's ``standard`` columns
    there means the frame has no segment column.

    Examples
    --------
    >>> import polars as pl
    >>> table, name = segment_frame(
    ...     pl.DataFrame({"plan": ["pro"], "use_case": ["x"]}), by=None, standard=["use_case"], metric="use_case_map"
    ... )
    >>> table.columns, name
    (['persona', 'use_case'], 'plan')
    """
    name = by or (table.columns[position] if table.width > position else None)
    if name is None or name in standard or name not in table.columns:
        wanted = "its segment column" if by is None else f"the segment column by={by!r}"
        raise ColumnNotFoundError(
            f"this chart needs the output of stickiness.{metric}(...), with its segment column (named after by) "
            f"at place {position + 1}: the frame lacks {wanted} (it has: {', '.join(map(repr, table.columns))}). "
            "Pass by= the segment column."
        )
    renamed = table.rename({name: SEGMENT}) if name != SEGMENT else table
    return renamed.with_columns(pl.col(SEGMENT).cast(pl.String)), name


def segment_tooltip(name: str) -> Any:
    """Return the tooltip of the segment column (:data:`SEGMENT` in the chart's data), titled by its own ``name``."""
    # the segment's own name is the data's name by default: no title, so the default specs stay as they are
    return alt.Tooltip(f"{SEGMENT}:N") if name == SEGMENT else alt.Tooltip(f"{SEGMENT}:N", title=title_text(name))


def metric_frame(
    frame: Any,
    *,
    columns: Collection[str],
    metric: str,
    dates: Collection[str] = (),
    texts: Collection[str] = (),
    flags: Collection[str] = (),
) -> pl.DataFrame:
    """Check that ``frame`` looks like the output of ``stickiness.<metric>`` and return it as polars.

    Other eager frames (pandas, pyarrow) are converted, and so are the types a
    table CSV read back with ``pl.read_csv`` may get: the ``dates`` columns become
    Dates (from datetimes or ``YYYY-MM-DD`` text), the ``texts`` columns text
    (``"true"``/``"false"`` read as Booleans) and the ``flags`` columns Booleans
    (an all-empty column is read as text).

    Examples
    --------
    >>> import polars as pl
    >>> metric_frame(pl.DataFrame({"a": [1]}), columns=["b"], metric="use_case_map")
    Traceback (most recent call last):
    ...
    stickiness.exceptions.ColumnNotFoundError: this chart needs the output of stickiness.use_case_map(...): \
the frame lacks the column 'b' (it has: 'a').
    """
    if isinstance(frame, pl.LazyFrame):
        raise UnsupportedSourceError(
            f"the chart got a polars LazyFrame: pass the collected output of stickiness.{metric}(...) (a DataFrame)."
        )
    if isinstance(frame, pl.DataFrame):
        table = frame
    else:
        try:
            table = nw.from_native(frame, eager_only=True).to_polars()
        except TypeError:
            raise UnsupportedSourceError(
                f"the chart got a {type(frame).__name__}: pass the output of stickiness.{metric}(...) "
                "(a polars DataFrame)."
            ) from None
    if table.height > MAX_ROWS:
        raise ChartDataError(
            f"the frame has {table.height:,} rows, more than a chart takes ({MAX_ROWS:,}): charts draw metric "
            f"outputs, not raw events. Pass the output of stickiness.{metric}(...) instead."
        )
    missing = [name for name in columns if name not in table.columns]
    if missing:
        have = ", ".join(repr(name) for name in table.columns) or "no columns"
        lacks = ", ".join(repr(name) for name in missing)
        plural = "s" if len(missing) > 1 else ""
        raise ColumnNotFoundError(
            f"this chart needs the output of stickiness.{metric}(...): the frame lacks the column{plural} "
            f"{lacks} (it has: {have})."
        )
    table = _as_dates(table, dates)
    return table.with_columns(
        *(pl.col(name).cast(pl.String).str.to_lowercase() for name in texts),
        *(_as_flag(name, table.schema[name]) for name in flags),
    ).with_columns(_printable(pl.col(pl.String)))


def _printable(text: pl.Expr) -> pl.Expr:
    r"""Replace the control characters XML cannot hold by their control pictures (a name keeps its length).

    Every text a chart draws (names in the data, the title's finding) comes from the
    checked frame, so this one step keeps them all drawable.

    Examples
    --------
    >>> import polars as pl
    >>> pl.DataFrame({"a": ["x\x00y\tz"]}).select(_printable(pl.col("a"))).item()
    'x␀y\tz'
    """
    return text.str.replace_many(list(CONTROLS), list(PICTURES))


def _as_flag(name: str, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.Boolean:
        return pl.col(name)
    text = pl.col(name).cast(pl.String).str.to_lowercase()
    return pl.when(text == "true").then(True).when(text == "false").then(False).alias(name)


def _as_dates(table: pl.DataFrame, dates: Collection[str]) -> pl.DataFrame:
    for name in dates:
        dtype = table.schema[name]
        if dtype == pl.Date:
            continue
        try:
            if isinstance(dtype, pl.Datetime):
                table = table.with_columns(pl.col(name).dt.date())
            elif dtype == pl.String:
                table = table.with_columns(pl.col(name).str.to_date("%Y-%m-%d"))
            else:
                raise TypeError(dtype)
        except (TypeError, pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError):
            raise ChartDataError(
                f"the column {name!r} holds {dtype}, not days: pass the output of a stickiness metric "
                "(or read its CSV with pl.read_csv(path, try_parse_dates=True))."
            ) from None
    return table


def inline(frame: pl.DataFrame) -> dict[str, Any]:
    """Return ``frame`` as inline Vega-Lite data (a plain dict: ``alt.InlineData`` would validate every row).

    Dates become ``YYYY-MM-DD`` strings, which JavaScript reads as UTC midnight:
    charts put them on UTC scales, so a day is drawn as that day in every time
    zone. Floats are rounded to 6 digits and non-finite floats become nulls.
    Columns are named by :func:`~stickiness_widgets.charts._fields.field` (a
    name that is not a plain identifier gets an internal name): encode them with
    ``field(name)``. Values are never changed: names are data.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> inline(pl.DataFrame({"day": [dt.date(2026, 6, 30)], "x": [1 / 3]}))
    {'values': [{'day': '2026-06-30', 'x': 0.333333}]}
    >>> inline(pl.DataFrame({"plan.tier": ['the "pro" plan']}))
    {'values': [{'~706c616e2e74696572': 'the "pro" plan'}]}
    """
    values = frame.rename(field).with_columns(
        pl.col(pl.Date).dt.to_string("%Y-%m-%d"),
        pl.col(pl.Float32, pl.Float64).fill_nan(None).round(_DIGITS),
    )
    floats = [name for name, dtype in values.schema.items() if dtype.is_float()]
    if floats:
        values = values.with_columns(
            pl.when(pl.col(name).is_infinite()).then(None).otherwise(pl.col(name)).alias(name) for name in floats
        )
    return {"values": values.to_dicts()}
