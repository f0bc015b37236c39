"""Use-case metrics: how often each segment uses each use case, and who is in the forgettable zone.

Definitions (the contract, step by step: docs/use-cases.md). Per segment p
(the users-table column ``by``, ``"persona"`` by default) and use case c, with
A = ``as_of``, W = ``window`` and H = ``horizon``:

- *adopters*: users of p with an event of c in ``A-H+1 .. A``; *first use*: their
  first day with c (up to A); *exposure* = ``A - max(A-W+1, first use) + 1``;
  adopters with exposure < ``min_exposure`` are *too new* and measured no further;
- *rate* r = 30 x (distinct active days of c in ``A-W+1 .. A``) / exposure, and its
  *band*: daily (r >= 20), weekly (>= 4), monthly (>= 1), occasional (> 0), lapsed;
- *typical interval*: the median gap between consecutive active days of c in
  the horizon; *forgettable share*: the share of evaluable adopters with
  r < ``threshold``, with a 95% Wilson interval;
- the band shares and adoption rates carry exact intervals and ``small_sample``
  (docs/intervals.md).

The per-adopter table is computed in stages kept on the log (``stickiness/stages/habits.py``):
the window-independent part once per catalog, ``as_of`` and ``horizon``, the rates
once per window, the segment counts once per threshold; each stage runs in the
log's engine (polars or DuckDB) as a lazy narwhals query, and only small
aggregated frames are finished in polars.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec

import narwhals as nw
import polars as pl

from stickiness._engine import collect, lift
from stickiness._habit_options import Options, check_map_options, check_options
from stickiness._sort import sort_rows
from stickiness._sources import Source
from stickiness.catalog import ANY_USE_CASE, UNMAPPED_USE_CASE, Catalog, as_catalog, resolve_profiles
from stickiness.exceptions import InvalidOptionError
from stickiness.intervals import CONFIDENCE, SMALL_SAMPLE, check_confidence, with_proportion_interval
from stickiness.log import UsageLog, as_log
from stickiness.options import BANDS, DEFAULT_BANDS, HABITS, ZONE
from stickiness.schemas import DRIFTING_SCHEMA, MAP_SCHEMA, RATES_SCHEMA, SPECTRUM_SCHEMA, UNMAPPED_SCHEMA
from stickiness.stages.codes import coded_activity, event_codes
from stickiness.stages.habits import SEG, adopter_rates, day_number, segment_counts
from stickiness.stages.segments import check_segment_name, name_segment, segment_source

__all__ = [
    "BANDS",
    "DEFAULT_BANDS",
    "EXPECTED_RATES",
    "VERDICTS",
    "drifting_users",
    "forgettable_zone",
    "frequency_spectrum",
    "unmapped_events",
    "use_case_map",
    "use_case_rates",
]

#: z of the 95% Wilson score interval.
Z = 1.959964
#: The bands each ``expected_frequency`` agrees with. A habit slower than monthly often has
#: no active day in the window at all, so "lapsed" agrees with quarterly and yearly too.
EXPECTED_BANDS: Mapping[str, tuple[str, ...]] = {
    "daily": ("daily",),
    "weekly": ("weekly",),
    "monthly": ("monthly",),
    "quarterly": ("occasional", "lapsed"),
    "yearly": ("occasional", "lapsed"),
}
#: The nominal rate (active days per 30 days) of each ``expected_frequency``: once a day, a week (7 days),
#: a month (30 days), a quarter (90 days), a year (365 days). A segment whose expected rate is below
#: ``threshold`` is expected to look forgettable: its verdict is "rare as expected", not "forgettable".
EXPECTED_RATES: Mapping[str, float] = {
    "daily": 30.0,
    "weekly": 30 / 7,
    "monthly": 1.0,
    "quarterly": 30 / 90,
    "yearly": 30 / 365,
}
#: The values of the use-case map's ``verdict``, in the order a forgettable zone lists them.
VERDICTS: tuple[str, ...] = (
    "forgettable",
    "rare as expected",
    "not forgettable",
    "insufficient data",
    "not a use case",
)


# --------------------------------------------------------------------------- #
# Shared steps                                                                 #
# --------------------------------------------------------------------------- #


def _as_of(log: UsageLog, option: dt.date | None) -> dt.date | None:
    if option is None:
        return log.as_of
    if log.as_of is not None and option > log.as_of:
        raise InvalidOptionError(
            f"as_of={option} is after the log's last day ({log.as_of}): there is no data to measure then. "
            f"Use as_of <= {log.as_of}, or read the log with read_log(..., as_of={str(option)!r})."
        )
    return option


def _finish_rates(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col("first_use", "last_active").cast(pl.Int32).cast(pl.Date))


def _user_schema(log: UsageLog, schema: Mapping[str, pl.DataType]) -> dict[str, pl.DataType]:
    user_type = log.user_dtype
    return {name: (user_type if name == "user" else dtype) for name, dtype in schema.items()}


def _empty(log: UsageLog, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=_user_schema(log, schema))


def _check_segment(by: str | None, schema: Mapping[str, pl.DataType], *, function: str) -> None:
    """Raise if ``by`` names a column of the output (whose segment column is ``persona`` in ``schema``)."""
    check_segment_name(by, [name for name in schema if name != SEG], function=function)


def prepare_inputs(
    data: UsageLog | Source, catalog: Any, opts: Options
) -> tuple[UsageLog, Catalog | None, dt.date | None]:
    """Return the log, the catalog and the day measured (None for an empty log): the use-case family's inputs."""
    log = as_log(data)
    segment_source(log, opts.by)  # a by the users table lacks is an error here, before any work
    as_of = _as_of(log, opts.as_of)
    return log, as_catalog(catalog), (None if log.is_empty else as_of)


# --------------------------------------------------------------------------- #
# Public API                                                                   #
# --------------------------------------------------------------------------- #


def use_case_rates(
    data: UsageLog | Source,
    catalog: Catalog | Any | None = None,
    *,
    by: str | None = HABITS.by,
    as_of: dt.date | str | None = None,
    window: int = HABITS.window,
    horizon: int = HABITS.horizon,
    min_exposure: int = HABITS.min_exposure,
    bands: Mapping[str, float] | None = None,
) -> pl.DataFrame:
    """Per adopter and use case: exposure, active days, rate (active days per 30 days) and band.

    Parameters
    ----------
    data
        A :class:`~stickiness.UsageLog`, or anything :func:`~stickiness.read_log` reads.
    catalog
        A :class:`~stickiness.catalog.Catalog` or anything
        :func:`~stickiness.catalog.read_catalog` reads; None: only the use case
        ``"(any)"`` (the product as a whole).
    by
        The users-table column that defines segments (default ``"persona"``).
        Without a users table (and ``by="persona"``), every user is in ``"(all)"``;
        users absent from the users table are in ``"(unknown)"``.
    as_of
        The day of the measurement (default: the log's ``as_of``; may not be later).
    window
        The current window W in days: days ``as_of - W + 1 .. as_of``.
    horizon
        Adopters and intervals look at days ``as_of - H + 1 .. as_of`` (H >= W).
    min_exposure
        Adopters with fewer days of exposure are ``too_new``.
    bands
        Lower band edges in active days per 30 days (default
        ``{"daily": 20, "weekly": 4, "monthly": 1}``).

    Returns
    -------
    polars.DataFrame
        One row per adopter x use case: ``user`` (the log's user type),
        ``persona`` (the ``by`` segment, String), ``use_case``, ``first_use``
        and ``last_active`` (Date: first and last day with the use case, up to
        ``as_of``), ``exposure`` and ``active_days`` (Int64), ``rate``
        (Float64), ``band`` (String), ``too_new`` (Boolean), ``interval_days``
        (Float64: median gap between active days in the horizon; null with fewer
        than 2) and ``previous_rate`` (Float64: the rate in the previous window,
        null when its exposure is below ``min_exposure``). ``rate``, ``band``,
        ``interval_days`` and ``previous_rate`` are null for ``too_new`` adopters.
        Sorted by persona, use case and user.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.metrics.use_cases import use_case_rates
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "a", "a"],
    ...     "timestamp": [dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 11), dt.datetime(2024, 1, 31)],
    ...     "event": ["open"] * 3,
    ... })
    >>> use_case_rates(events).select("use_case", "exposure", "active_days", "rate", "band", "interval_days").rows()
    [('(any)', 31, 3, 2.903225806451613, 'monthly', 15.0)]
    """
    opts = check_options(by=by, as_of=as_of, window=window, horizon=horizon, min_exposure=min_exposure, bands=bands)
    _check_segment(by, RATES_SCHEMA, function="use_case_rates")
    log, cat, day = prepare_inputs(data, catalog, opts)
    if day is None:
        return name_segment(_empty(log, RATES_SCHEMA), by, internal=SEG)
    table = adopter_rates(log, cat, opts, day)
    schema = _user_schema(log, RATES_SCHEMA) | {"first_use": pl.Int32(), "last_active": pl.Int32()}
    return name_segment(_finish_rates(collect(table, schema)).sort(SEG, "use_case", "user"), by, internal=SEG)


def _empty_counts() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            SEG: pl.String,
            "use_case": pl.String,
            "adopters": pl.Int64,
            "too_new": pl.Int64,
            "__forgettable": pl.Int64,
            "median_rate": pl.Float64,
            "median_interval_days": pl.Float64,
            **{f"__{band}": pl.Int64 for band in BANDS},
            "evaluable": pl.Int64,
        }
    )


def frequency_spectrum(
    data: UsageLog | Source,
    catalog: Catalog | Any | None = None,
    *,
    by: str | None = HABITS.by,
    as_of: dt.date | str | None = None,
    window: int = HABITS.window,
    horizon: int = HABITS.horizon,
    min_exposure: int = HABITS.min_exposure,
    threshold: float = HABITS.threshold,
    majority: float = ZONE.majority,
    min_users: int = ZONE.min_users,
    bands: Mapping[str, float] | None = None,
    confidence: float = CONFIDENCE,
) -> pl.DataFrame:
    """How many evaluable adopters of each segment x use case fall in each habit band, and its verdict.

    Parameters
    ----------
    data, catalog, by, as_of, window, horizon, min_exposure, bands
        As for :func:`use_case_rates`.
    threshold, majority, min_users
        As for :func:`use_case_map`: they decide the verdict columns only (not
        the band counts).
    confidence
        The level of the share's interval (0.95 by default; docs/intervals.md).

    Returns
    -------
    polars.DataFrame
        ``persona`` (the ``by`` segment), ``use_case``, ``band``, ``users``
        (Int64) and ``share`` (Float64, ``users / evaluable adopters``; null
        when the segment has no evaluable adopter): every band of :data:`BANDS`
        (in that order, zeros too) for every persona x use case with at least one
        adopter. No rows when there is none. Then the segment's verdict, the same
        on each of its bands and equal to :func:`use_case_map`'s with the same
        options: ``evaluable`` (Int64), ``forgettable_share`` (Float64),
        ``forgettable`` and ``verdict`` (String): a segment is in
        :func:`forgettable_zone` exactly when its ``forgettable`` is ``"true"``.
        Last, ``share_low, share_high`` (Float64: the exact interval of ``share``,
        null when it is) and ``small_sample`` (Boolean: fewer than 30 evaluable adopters).

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.metrics.use_cases import frequency_spectrum
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "a", "a"],
    ...     "timestamp": [dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 11), dt.datetime(2024, 1, 31)],
    ...     "event": ["open"] * 3,
    ... })
    >>> frequency_spectrum(events).select("band", "users", "share").rows()
    [('daily', 0, 0.0), ('weekly', 0, 0.0), ('monthly', 1, 1.0), ('occasional', 0, 0.0), ('lapsed', 0, 0.0)]
    >>> frequency_spectrum(events, min_users=1).select("evaluable", "forgettable_share", "verdict").unique().rows()
    [(1, 0.0, 'not forgettable')]
    """
    opts = check_options(
        by=by, as_of=as_of, window=window, horizon=horizon, min_exposure=min_exposure, threshold=threshold, bands=bands
    )
    check_map_options(majority, min_users)
    confidence = check_confidence(confidence)
    _check_segment(by, SPECTRUM_SCHEMA, function="frequency_spectrum")
    log, cat, day = prepare_inputs(data, catalog, opts)
    counts = _empty_counts() if day is None else segment_counts(log, cat, opts, day)
    # the verdict of the map, from the same counts: one definition of "forgettable"
    verdicts = _map_from_counts(
        counts, cat, threshold=opts.threshold, majority=majority, min_users=min_users, confidence=confidence
    )
    order = pl.DataFrame({"band": BANDS, "__order": range(len(BANDS))}, schema={"band": pl.String, "__order": pl.Int64})
    long = (
        counts.select(SEG, "use_case", "evaluable", *[pl.col(f"__{b}").alias(b) for b in BANDS])
        .unpivot(index=[SEG, "use_case", "evaluable"], on=list(BANDS), variable_name="band", value_name="users")
        .join(order, on="band", how="left")
        .join(verdicts.select(SEG, "use_case", "forgettable_share", "forgettable", "verdict"), on=[SEG, "use_case"])
        .with_columns(share=pl.when(pl.col("evaluable") > 0).then(pl.col("users") / pl.col("evaluable")))
        .sort(SEG, "use_case", "__order")
    )
    long = with_proportion_interval(long, "users", "evaluable", prefix="share", confidence=confidence)
    out = long.select([pl.col(name).cast(dtype) for name, dtype in SPECTRUM_SCHEMA.items()])
    return name_segment(out, by, internal=SEG)


def _wilson(share: pl.Expr, n: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    z2 = Z * Z
    denominator = 1 + z2 / n
    centre = (share + z2 / (2 * n)) / denominator
    half = Z * (share * (1 - share) / n + z2 / (4 * n * n)).sqrt() / denominator
    return centre - half, centre + half


def use_case_map(
    data: UsageLog | Source,
    catalog: Catalog | Any | None = None,
    *,
    by: str | None = HABITS.by,
    as_of: dt.date | str | None = None,
    window: int = HABITS.window,
    horizon: int = HABITS.horizon,
    min_exposure: int = HABITS.min_exposure,
    threshold: float = HABITS.threshold,
    majority: float = ZONE.majority,
    min_users: int = ZONE.min_users,
    bands: Mapping[str, float] | None = None,
    confidence: float = CONFIDENCE,
) -> pl.DataFrame:
    """Map each segment x use case: adoption, habit and the forgettable-zone verdict.

    Parameters
    ----------
    data, catalog, by, as_of, window, horizon, min_exposure, bands
        As for :func:`use_case_rates`.
    threshold
        Rate (active days per 30 days) below which an evaluable adopter is
        forgettable.
    majority
        A segment is forgettable when its forgettable share is greater than this
        (strictly between 0 and 1).
    min_users
        Segments with fewer evaluable adopters are ``"insufficient_data"``.
    confidence
        The level of the adoption rate's interval (0.95 by default; docs/intervals.md).

    Returns
    -------
    polars.DataFrame
        One row per persona (the ``by`` segment) x use case with at least one
        adopter, sorted: ``persona, use_case``; the catalog's ``problem, why_us,
        alternatives, expected_frequency`` (String; the persona's own values,
        else those given for every persona); ``adopters, too_new, evaluable``
        (Int64); ``adoption_rate`` (adopters / users of the segment active in
        the horizon), ``median_rate``, ``median_interval_days`` (Float64);
        ``modal_band`` (String); ``forgettable_share, ci_low, ci_high``
        (Float64, 95% Wilson interval; null with no evaluable adopter);
        ``forgettable`` (``"true"``, ``"false"`` or ``"insufficient_data"``;
        null for ``(unmapped)``, which is not a use case), ``frequency_mismatch``
        (Boolean: modal band differs from the expected frequency's band; null
        without either) and ``verdict`` (String, one of :data:`VERDICTS`):
        ``"forgettable"`` (in the zone, and a finding), ``"rare as expected"``
        (in the zone, but the catalog expects the use case less often than
        ``threshold``: quarterly or yearly by default, see
        :data:`EXPECTED_RATES`), ``"not forgettable"``, ``"insufficient data"``
        or ``"not a use case"`` (``(unmapped)``, never judged).
        Last, ``adoption_rate_low, adoption_rate_high`` (Float64: the exact
        interval of ``adoption_rate``) and ``small_sample`` (Boolean: fewer than
        30 users active in the horizon or fewer than 30 evaluable adopters, the
        bases of the two shares).

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.metrics.use_cases import use_case_map
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "a", "a"],
    ...     "timestamp": [dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 11), dt.datetime(2024, 1, 31)],
    ...     "event": ["open"] * 3,
    ... })
    >>> use_case_map(events, min_users=1).select("use_case", "adopters", "modal_band", "verdict").rows()
    [('(any)', 1, 'monthly', 'not forgettable')]
    """
    opts = check_options(
        by=by, as_of=as_of, window=window, horizon=horizon, min_exposure=min_exposure, threshold=threshold, bands=bands
    )
    check_map_options(majority, min_users)
    confidence = check_confidence(confidence)
    _check_segment(by, MAP_SCHEMA, function="use_case_map")
    log, cat, day = prepare_inputs(data, catalog, opts)
    counts = _empty_counts() if day is None else segment_counts(log, cat, opts, day)
    table = _map_from_counts(
        counts, cat, threshold=opts.threshold, majority=majority, min_users=min_users, confidence=confidence
    )
    return name_segment(table, by, internal=SEG)


def _verdicts(*, threshold: float, majority: float, min_users: int) -> tuple[pl.Expr, pl.Expr]:
    """Return the map's ``verdict`` and ``forgettable`` columns (docs/use-cases.md, rules 9 and 14)."""
    expected_rare = [freq for freq, rate in EXPECTED_RATES.items() if rate < threshold]
    verdict = (
        pl.when(pl.col("use_case") == UNMAPPED_USE_CASE)
        .then(pl.lit("not a use case"))  # the events no rule matches: a gap in the catalog, never a finding
        .when(pl.col("evaluable") < min_users)
        .then(pl.lit("insufficient data"))
        .when(pl.col("forgettable_share") <= majority)
        .then(pl.lit("not forgettable"))
        .when(pl.col("expected_frequency").is_in(expected_rare))
        .then(pl.lit("rare as expected"))
        .otherwise(pl.lit("forgettable"))
    )
    forgettable = (
        pl.when(pl.col("verdict") == "not a use case")
        .then(pl.lit(None, dtype=pl.String))
        .when(pl.col("verdict") == "insufficient data")
        .then(pl.lit("insufficient_data"))
        .when(pl.col("verdict").is_in(["forgettable", "rare as expected"]))
        .then(pl.lit("true"))
        .otherwise(pl.lit("false"))
    )
    return verdict, forgettable


def _map_from_counts(
    counts: pl.DataFrame,
    catalog: Catalog | None,
    *,
    threshold: float,
    majority: float,
    min_users: int,
    confidence: float = CONFIDENCE,
) -> pl.DataFrame:
    active = counts.filter(pl.col("use_case") == ANY_USE_CASE).select(SEG, pl.col("adopters").alias("__active"))
    n = pl.col("evaluable").cast(pl.Float64)
    share = pl.col("forgettable_share")
    low, high = _wilson(share, n)
    best = pl.max_horizontal([pl.col(f"__{b}") for b in BANDS])
    modal: Any = pl.when(pl.col("evaluable") == 0).then(pl.lit(None, dtype=pl.String))
    for band in BANDS:  # ties go to the more frequent band
        modal = modal.when(pl.col(f"__{band}") == best).then(pl.lit(band))
    table = (
        counts.join(active, on=SEG, how="left")
        .with_columns(
            adoption_rate=pl.col("adopters") / pl.col("__active"),
            forgettable_share=pl.when(pl.col("evaluable") > 0).then(pl.col("__forgettable") / n),
            modal_band=modal.otherwise(pl.lit(None, dtype=pl.String)),
        )
        .with_columns(
            ci_low=pl.when(pl.col("evaluable") > 0).then(low), ci_high=pl.when(pl.col("evaluable") > 0).then(high)
        )
    )
    profiles = resolve_profiles(catalog, table.select(SEG, "use_case"))
    table = table.join(profiles, on=[SEG, "use_case"], how="left").with_columns(
        frequency_mismatch=pl.when(
            pl.col("expected_frequency").is_not_null() & pl.col("modal_band").is_not_null()
        ).then(
            ~pl.concat_str("expected_frequency", pl.lit(":"), "modal_band").is_in(
                [f"{freq}:{band}" for freq, bands in EXPECTED_BANDS.items() for band in bands]
            )
        )
    )
    verdict, forgettable = _verdicts(threshold=threshold, majority=majority, min_users=min_users)
    table = table.with_columns(verdict=verdict).with_columns(forgettable=forgettable)
    # a small sample under either share: the adoption base (users active in the horizon) or the evaluable adopters
    table = table.with_columns(small_sample=pl.col("evaluable") < SMALL_SAMPLE)
    table = with_proportion_interval(table, "adopters", "__active", prefix="adoption_rate", confidence=confidence)
    out = table.select([pl.col(name).cast(dtype) for name, dtype in MAP_SCHEMA.items()])
    return out.sort(SEG, "use_case")


P = ParamSpec("P")


def _rows_of(
    metric: Callable[P, pl.DataFrame],
) -> Callable[[Callable[[pl.DataFrame], pl.DataFrame]], Callable[P, pl.DataFrame]]:
    """Make a function with ``metric``'s signature that returns the rows ``select`` keeps of its output.

    The options are ``metric``'s own (one signature, no keyword forwarded by hand);
    ``help()`` and the docs show them.
    """

    def decorate(select: Callable[[pl.DataFrame], pl.DataFrame]) -> Callable[P, pl.DataFrame]:
        @functools.wraps(select)
        def rows(*args: P.args, **kwargs: P.kwargs) -> pl.DataFrame:
            return select(metric(*args, **kwargs))

        rows.__signature__ = inspect.signature(metric)  # type: ignore[attr-defined]
        return rows

    return decorate


@_rows_of(use_case_map)
def forgettable_zone(table: pl.DataFrame) -> pl.DataFrame:  # noqa: D417 - the parameters are use_case_map's
    """List the segments in the forgettable zone: the :func:`use_case_map` rows with ``forgettable == "true"``.

    The findings (``verdict == "forgettable"``) come first; then, apart, the
    segments that are rarely used as the catalog expects (``verdict == "rare
    as expected"``: their ``expected_frequency`` is rarer than ``threshold``,
    e.g. a yearly tax return). ``(unmapped)`` is never listed: it is not a use case.

    Parameters
    ----------
    data, catalog, by, as_of, window, horizon, min_exposure, threshold, majority, min_users, bands
        As for :func:`use_case_map`.

    Returns
    -------
    polars.DataFrame
        The columns of :func:`use_case_map`: the ``"forgettable"`` verdicts, then
        the ``"rare as expected"`` ones, each largest ``evaluable`` first (then
        by persona and use case).

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.metrics.use_cases import forgettable_zone
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "c", "b", "b"],
    ...     "timestamp": [dt.datetime(2024, 1, 1)] * 2 + [dt.datetime(2024, 3, 1), dt.datetime(2024, 3, 31)],
    ...     "event": ["open"] * 4,
    ... })
    >>> zone = forgettable_zone(events, min_users=3)  # a and c: 0 active days in the last 90
    >>> zone.select("use_case", "evaluable", "forgettable_share").rows()
    [('(any)', 3, 0.6666666666666666)]
    """
    order = pl.col("verdict").replace_strict(VERDICTS, range(len(VERDICTS)), return_dtype=pl.Int64)
    segment = table.columns[0]  # the map's segment column, named after its by
    return table.filter(pl.col("forgettable") == "true").sort(
        [order, pl.col("evaluable"), pl.col(segment), pl.col("use_case")],
        descending=[False, True, False, False],
    )


def drifting_users(
    data: UsageLog | Source,
    catalog: Catalog | Any | None = None,
    *,
    by: str | None = HABITS.by,
    as_of: dt.date | str | None = None,
    window: int = HABITS.window,
    horizon: int = HABITS.horizon,
    min_exposure: int = HABITS.min_exposure,
    threshold: float = HABITS.threshold,
) -> pl.DataFrame:
    """List drifting users: evaluable adopters below ``threshold`` now who were at or above it before.

    A user drifts in a use case when their rate in the current window is below
    ``threshold`` while their rate in the previous window (``as_of - 2W + 1 ..
    as_of - W``, measured over an exposure of at least ``min_exposure`` days)
    was at least ``threshold``.

    Parameters
    ----------
    data, catalog, by, as_of, window, horizon, min_exposure, threshold
        As for :func:`use_case_map`.

    Returns
    -------
    polars.DataFrame
        ``user`` (the log's user type), ``persona`` (the ``by`` segment),
        ``use_case``, ``previous_rate``, ``current_rate`` (Float64),
        ``last_active`` (Date) and ``days_since`` (Int64, ``as_of -
        last_active``); sorted by persona, use case, previous rate (highest
        first) and user.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.metrics.use_cases import drifting_users
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "a", "a", "b"],
    ...     "timestamp": [dt.datetime(2024, 1, 20), dt.datetime(2024, 2, 1), dt.datetime(2024, 2, 10),
    ...                   dt.datetime(2024, 3, 31)],
    ...     "event": ["open"] * 4,
    ... })
    >>> drifting_users(events, window=45, min_exposure=10).select("user", "previous_rate", "days_since").rows()
    [('a', 3.3333333333333335, 50)]
    """
    opts = check_options(
        by=by, as_of=as_of, window=window, horizon=horizon, min_exposure=min_exposure, threshold=threshold
    )
    _check_segment(by, DRIFTING_SCHEMA, function="drifting_users")
    log, cat, day = prepare_inputs(data, catalog, opts)
    if day is None:
        return name_segment(_empty(log, DRIFTING_SCHEMA), by, internal=SEG)
    rates = adopter_rates(log, cat, opts, day)
    drifting = rates.filter(
        ~nw.col("too_new") & (nw.col("rate") < opts.threshold) & (nw.col("previous_rate") >= opts.threshold)
    ).select(
        "user",
        SEG,
        "use_case",
        "previous_rate",
        nw.col("rate").alias("current_rate"),
        "last_active",
        (day_number(day) - nw.col("last_active")).cast(nw.Int64).alias("days_since"),
    )
    schema = _user_schema(log, DRIFTING_SCHEMA) | {"last_active": pl.Int32()}
    out = collect(drifting, schema).with_columns(pl.col("last_active").cast(pl.Date))
    out = sort_rows(out, [SEG, "use_case", "previous_rate", "user"], descending=[False, False, True, False])
    return name_segment(out, by, internal=SEG)


def unmapped_events(data: UsageLog | Source, catalog: Catalog | Any | None, *, top: int | None = 20) -> pl.DataFrame:
    """List the most frequent events that no catalog rule matches, to extend the catalog with.

    Parameters
    ----------
    data
        A :class:`~stickiness.UsageLog`, or anything :func:`~stickiness.read_log` reads.
    catalog
        A :class:`~stickiness.catalog.Catalog` or anything
        :func:`~stickiness.catalog.read_catalog` reads (None: every event is unmapped).
    top
        How many events to list (default 20; None: all).

    Returns
    -------
    polars.DataFrame
        ``event`` (String), ``events`` (Int64: rows of the log after removing
        exact duplicates) and ``users`` (Int64: distinct users), most events first
        (ties by event name), over the whole log.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.metrics.use_cases import unmapped_events
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "b", "b"],
    ...     "timestamp": [dt.datetime(2024, 1, 1)] * 3,
    ...     "event": ["search", "logout", "help"],
    ... })
    >>> unmapped_events(events, {"event": ["search"], "use_case": ["browse"]}).rows()
    [('help', 1, 1), ('logout', 1, 1)]
    """
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise InvalidOptionError(f"top={top!r}: use a whole number >= 1 of events to list (20 by default), or None.")
    log = as_log(data)
    cat = as_catalog(catalog)
    events = event_codes(log)
    if cat is None:
        unmapped = events
    else:
        mapping = cat.use_cases_of(events.get_column("event"))
        names = mapping.filter(pl.col("use_case") == UNMAPPED_USE_CASE).select("event")
        unmapped = events.join(names, on="event", how="inner")
    # on the log's integer codes: a filter, then a group-by on a small integer
    codes = unmapped.get_column("__e").to_list()
    lazy = lift(log, activity=coded_activity(log), names=unmapped)
    lazy["activity"] = lazy["activity"].select("__u", "__e", "events")
    table = (
        lazy["activity"]
        .filter(nw.col("__e").is_in(codes))
        .group_by("__e")
        .agg(nw.col("events").sum().alias("events"), nw.col("__u").n_unique().alias("users"))
        .join(lazy["names"], on="__e", how="inner")
    )
    out = collect(table, UNMAPPED_SCHEMA).sort(["events", "event"], descending=[True, False])
    return out if top is None else out.head(top)
