"""Customer health: a weighted 0-100 score per customer from usage and account columns, its bands, who to call.

Definitions (the contract: docs/scorecards.md, "Health score"), per customer, with
A = ``as_of`` and W = ``window``, from the use-case rates of
:func:`stickiness.metrics.use_cases.use_case_rates` (the ``(any)`` row):

- *frequency* = ``min(rate, rate_cap) / rate_cap``, rate = 30 x active days in the window / exposure;
- *recency* = ``max(0, 1 - days_since / recency_days)``, days_since = A - last active day (0 when never active);
- *breadth* = use cases used in the window / use cases available to the customer's persona (needs a catalog);
- each *extra* accounts column: its value clipped to [low, high] and scaled to [0, 1], flipped when lower is better;
- *score* = 100 x sum(w x c) / sum(w) over the components that are not null; *band*: healthy, at_risk, critical.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

import narwhals as nw
import polars as pl

from stickiness._columns import AUTO
from stickiness._engine import collect, lift
from stickiness._habit_options import check_options
from stickiness._sources import Source
from stickiness.catalog import ANY_USE_CASE, Catalog, as_catalog
from stickiness.exceptions import InvalidOptionError, InvalidValueError
from stickiness.log import UsageLog, as_log
from stickiness.metrics.use_cases import use_case_rates
from stickiness.options import DEFAULT_HEALTH_BANDS, DEFAULT_WEIGHTS, HABITS, HEALTH
from stickiness.schemas import HEALTH_COLUMNS, SCORE_COLUMNS, SUMMARY_COLUMNS
from stickiness.scorecards._health_options import (
    COMPONENTS,
    HEALTH_BANDS,
    ExtraSpec,
    HealthOptions,
    check_health_options,
)
from stickiness.scorecards._tables import (
    ROW,
    TOLERANCE,
    column,
    key_column,
    numbers,
    read_table,
    rows_named,
)
from stickiness.stages.segments import (
    attach_segment,
    check_segment_name,
    name_segment,
    segment_column,
    use_case_segments,
)

__all__ = [
    "COMPONENTS",
    "DEFAULT_HEALTH_BANDS",
    "DEFAULT_WEIGHTS",
    "HEALTH_BANDS",
    "HEALTH_COLUMNS",
    "SUMMARY_COLUMNS",
    "customers_to_contact",
    "health_score",
    "health_summary",
]

#: The segment column's name inside the computation (the catalog's profiles key their segments ``persona``);
#: outputs name it after ``by``.
SEG = "persona"


def health_score(
    data: UsageLog | Source,
    catalog: Catalog | Any | None = None,
    *,
    accounts: Source | None = None,
    account: str = AUTO,
    extra: Mapping[str, ExtraSpec] | None = None,
    weights: Mapping[str, float] | None = None,
    bands: Mapping[str, float] | None = None,
    by: str | None = HABITS.by,
    as_of: dt.date | str | None = None,
    window: int = HABITS.window,
    horizon: int = HABITS.horizon,
    min_exposure: int = HABITS.min_exposure,
    rate_cap: float = HEALTH.rate_cap,
    recency_days: int = HEALTH.recency_days,
) -> pl.DataFrame:
    """Score each customer's health from 0 to 100: usage frequency, recency, breadth and account columns.

    Parameters
    ----------
    data
        A :class:`~stickiness.UsageLog`, or anything :func:`~stickiness.read_log` reads.
    catalog
        A :class:`~stickiness.catalog.Catalog` or anything
        :func:`~stickiness.catalog.read_catalog` reads, for *breadth*. The use
        cases available to a persona are those its catalog profiles list (its
        own rows and the rows for every persona); a persona with none listed
        has every use case of the catalog. None: no breadth component.
    accounts, account
        Optional accounts table (path or frame), one row per customer, and its
        key column (default ``"auto"``: ``user_id``, ``distinct_id``,
        ``userId``, ``customer_id``, ``account_id``, ``account``). Its customers
        are all scored, also those with no usage in the horizon (as customers
        with no activity); customers of the log absent from it have null extra
        components and ``in_accounts = False``.
    extra
        Accounts columns to score, each ``"higher"`` or ``"lower"`` (which way
        is better), scaled between the column's minimum and maximum over the
        accounts table, or ``(direction, low, high)`` with fixed bounds, e.g.
        ``{"support_tickets": ("lower", 0, 10), "csat": "higher"}``.
    weights
        Weight of each component (default ``{"frequency": 0.4, "recency": 0.3,
        "breadth": 0.3}``; components not named weigh 0; every extra column
        needs one). They need not sum to 1.
    bands
        Lower cut-offs of the bands on the score (default ``{"healthy": 70,
        "at_risk": 40}``; critical is below ``at_risk``).
    by, as_of, window, horizon, min_exposure
        As for :func:`~stickiness.metrics.use_cases.use_case_rates`: the segment
        column, the day of the measurement, the current window W, the
        horizon H (customers active in it are scored) and the exposure below
        which a customer is ``too_new`` (not scored); the defaults are
        :data:`~stickiness.options.HABITS`'.
    rate_cap
        The rate (active days per 30 days) at and above which frequency is 1
        (weekly use or more by default).
    recency_days
        Days since the last active day at which recency reaches 0.

    Returns
    -------
    polars.DataFrame
        One row per customer (active in the horizon, or in the accounts
        table), sorted by persona and user: ``user`` (the log's user type),
        ``persona`` (the ``by`` segment), ``in_accounts`` (Boolean; null
        without an accounts table), ``too_new`` (Boolean), ``last_active``
        (Date; null if never active), ``days_since``, ``active_days``,
        ``exposure`` (Int64), ``rate`` (Float64), ``use_cases_used``,
        ``use_cases_available`` (Int64; null without a catalog), the components
        ``frequency``, ``recency``, ``breadth`` (Float64 in [0, 1]); for each
        extra column X, ``X`` (its value) and ``X_component`` (Float64); then
        ``score`` (Float64, 0-100; null when too new), ``band`` (``healthy``,
        ``at_risk``, ``critical``; null when not scored) and ``weakest`` (the
        weighted component with the lowest value).

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.scorecards import health_score
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "a", "a", "b"],
    ...     "timestamp": [dt.date(2024, 1, 1), dt.date(2024, 3, 20), dt.date(2024, 3, 30), dt.date(2024, 3, 1)],
    ...     "event": ["open"] * 4,
    ... })
    >>> out = health_score(events, window=30, min_exposure=1, rate_cap=2.0, recency_days=58)
    >>> out.select("user", "rate", "frequency", "recency", "score", "band").rows()
    [('a', 2.0, 1.0, 1.0, 100.0, 'healthy'), ('b', 1.0, 0.5, 0.5, 50.0, 'at_risk')]
    """
    opts = check_health_options(
        weights=weights,
        extra=extra,
        bands=bands,
        rate_cap=rate_cap,
        recency_days=recency_days,
        has_accounts=accounts is not None,
    )
    usage = check_options(by=by, as_of=as_of, window=window, horizon=horizon, min_exposure=min_exposure)
    log = as_log(data)
    schema = _schema(log, opts)
    check_segment_name(by, [name for name in schema if name != SEG], function="health_score")
    cat = as_catalog(catalog)
    rates = use_case_rates(
        log, cat, by=by, as_of=usage.as_of, window=window, horizon=horizon, min_exposure=min_exposure
    ).rename({segment_column(by): SEG})
    table = None if accounts is None else _accounts(accounts, account, opts, log.user_dtype)
    day = usage.as_of or log.as_of
    if day is None:
        if table is not None and table.height:
            raise InvalidValueError(
                f"the log has no usable rows, so the {table.height:,} customers of the accounts table cannot be "
                f"scored on usage. Ledger:\n{log.ledger}"
            )
        return name_segment(pl.DataFrame(schema=schema), by, internal=SEG)
    customers = _customers(log, rates, table, by=by, as_of=day, window=window)
    customers = _with_breadth(customers, rates, cat)
    scored = _score(customers, opts, as_of=day)
    out = scored.select([pl.col(n).cast(t) for n, t in schema.items()]).sort(SEG, "user")
    return name_segment(out, by, internal=SEG)


def _schema(log: UsageLog, opts: HealthOptions) -> dict[str, pl.DataType]:
    extras: dict[str, pl.DataType] = {}
    for e in opts.extras:
        extras |= {e.column: pl.Float64(), f"{e.column}_component": pl.Float64()}
    return {**HEALTH_COLUMNS, "user": log.user_dtype, **extras, **SCORE_COLUMNS}


def _accounts(source: Source, account: str, opts: HealthOptions, user_type: pl.DataType) -> pl.DataFrame:
    """``user`` (the log's type) and the extra columns (Float64), one row per customer."""
    role = "accounts table"
    table = read_table(source, role=role)
    key = key_column(table, account, option="account", role=role)
    for e in opts.extras:
        column(table, e.column, option="extra", role=role, fix="Name the extra columns as they are in the table.")
    values = [
        numbers(table, e.column, option=f"extra[{e.column!r}]", role=role, nulls=True, negative=True)
        for e in opts.extras
    ]
    keyed = table.select(ROW, key, pl.col(key).cast(user_type, strict=False).alias("user")).with_columns(values)
    missing = pl.col("user").is_null() | (pl.col("user").cast(pl.String).str.strip_chars() == "")
    if keyed.select(missing.any()).item():
        raise InvalidValueError(
            f"the {role}'s column {key!r} (account=) is empty, or not a {user_type} id like the log's users, "
            f"on {rows_named(keyed, missing, key)}. Fill or drop those rows."
        )
    dupes = pl.col("user").is_duplicated()
    if keyed.select(dupes.any()).item():
        raise InvalidValueError(
            f"the {role} has customers on more than one row ({rows_named(keyed, dupes, key)}). Keep one row "
            "per customer (e.g. sum or average their values first)."
        )
    return keyed.select("user", *[e.column for e in opts.extras])


def _customers(
    log: UsageLog, rates: pl.DataFrame, table: pl.DataFrame | None, *, by: str | None, as_of: dt.date, window: int
) -> pl.DataFrame:
    """One row per customer: the ``(any)`` rates of the active ones, plus the accounts with no activity."""
    active = rates.filter(pl.col("use_case") == ANY_USE_CASE).select(
        "user", SEG, "last_active", "active_days", "exposure", "too_new"
    )
    if table is None:
        return active.with_columns(in_accounts=pl.lit(None, dtype=pl.Boolean))
    idle = table.select("user").join(active.select("user"), on="user", how="anti")
    lazy = lift(log, activity=log.activity, idle=idle)
    last_day = (
        lazy["activity"]
        .filter(nw.col("day") <= as_of)
        .join(lazy["idle"], on="user", how="semi")
        .group_by("user")
        .agg(nw.col("day").max().alias("last_active"))
    )
    last = collect(last_day, {"user": log.user_dtype, "last_active": pl.Date()})
    segments = use_case_segments(log, by, name=SEG)
    segmented: pl.DataFrame = attach_segment(
        nw.from_native(idle.join(last, on="user", how="left")),
        None if segments is None else nw.from_native(segments),
        name=SEG,
    ).to_native()
    idle = segmented.select(
        "user",
        SEG,
        "last_active",
        active_days=pl.lit(0, dtype=pl.Int64),
        exposure=pl.lit(window, dtype=pl.Int64),
        too_new=pl.lit(False),
    )
    return (
        pl.concat([active, idle.select([pl.col(n).cast(t) for n, t in active.schema.items()])])
        .join(table, on="user", how="left")
        .with_columns(in_accounts=pl.col("user").is_in(table["user"].implode()))
    )


def available_use_cases(catalog: Catalog, personas: Collection[str]) -> pl.DataFrame:
    """``persona, use_case``: the use cases each persona is expected to use (breadth's denominator).

    A persona's use cases are those its catalog profiles list (its own rows and
    the rows for every persona); a persona with none listed has all of them.
    """
    use_cases = pl.DataFrame({"use_case": catalog.use_cases}, schema={"use_case": pl.String})
    segments = pl.DataFrame({"persona": sorted(set(personas))}, schema={"persona": pl.String})
    profiles = catalog.profiles.select("persona", "use_case").join(use_cases, on="use_case", how="semi")
    own = profiles.filter(pl.col("persona").is_not_null()).join(segments, on="persona", how="semi")
    shared = segments.join(profiles.filter(pl.col("persona").is_null()).select("use_case"), how="cross")
    listed = pl.concat([own, shared]).unique()
    unlisted = segments.join(listed, on="persona", how="anti").join(use_cases, how="cross")
    return pl.concat([listed, unlisted])


def _with_breadth(customers: pl.DataFrame, rates: pl.DataFrame, catalog: Catalog | None) -> pl.DataFrame:
    if catalog is None:
        return customers.with_columns(
            use_cases_used=pl.lit(None, dtype=pl.Int64), use_cases_available=pl.lit(None, dtype=pl.Int64)
        )
    available = available_use_cases(catalog, customers["persona"].unique().to_list())
    used = (
        rates.filter(pl.col("active_days") > 0)
        .join(available, on=["persona", "use_case"], how="semi")
        .group_by("user")
        .agg(use_cases_used=pl.len().cast(pl.Int64))
    )
    offered = available.group_by("persona").agg(use_cases_available=pl.len().cast(pl.Int64))
    return (
        customers.join(used, on="user", how="left")
        .join(offered, on="persona", how="left")
        .with_columns(pl.col("use_cases_used").fill_null(0))
    )


def _score(customers: pl.DataFrame, opts: HealthOptions, *, as_of: dt.date) -> pl.DataFrame:
    days_since = (pl.lit(as_of) - pl.col("last_active")).dt.total_days()
    rate = 30 * pl.col("active_days") / pl.col("exposure")
    frame = customers.with_columns(days_since=days_since, rate=rate).with_columns(
        frequency=pl.min_horizontal(pl.col("rate"), pl.lit(opts.rate_cap)) / opts.rate_cap,
        recency=(1 - pl.col("days_since") / opts.recency_days).clip(lower_bound=0).fill_null(0.0),
        breadth=pl.col("use_cases_used") / pl.col("use_cases_available"),
    )
    names = {c: c for c in COMPONENTS}
    for e in opts.extras:
        low = pl.lit(e.low) if e.low is not None else pl.col(e.column).min()
        high = pl.lit(e.high) if e.high is not None else pl.col(e.column).max()
        scaled = (pl.col(e.column).clip(low, high) - low) / (high - low)
        component = scaled if e.higher else 1 - scaled
        frame = frame.with_columns(pl.when(high > low).then(component).alias(f"{e.column}_component"))
        names[e.column] = f"{e.column}_component"
    weighted = [(pl.col(names[n]), w) for n, w in opts.weights.items() if w > 0]
    numerator = pl.sum_horizontal([(c * w).fill_null(0.0) for c, w in weighted])
    denominator = pl.sum_horizontal([pl.when(c.is_not_null()).then(pl.lit(w)).otherwise(0.0) for c, w in weighted])
    score = pl.when(~pl.col("too_new") & (denominator > 0)).then((100 * numerator / denominator).clip(0, 100))
    band = (
        pl.when(pl.col("score") >= opts.healthy - TOLERANCE)
        .then(pl.lit(HEALTH_BANDS[0]))
        .when(pl.col("score") >= opts.at_risk - TOLERANCE)
        .then(pl.lit(HEALTH_BANDS[1]))
        .when(pl.col("score").is_not_null())
        .then(pl.lit(HEALTH_BANDS[2]))
    )
    order = [n for n, w in opts.weights.items() if w > 0]
    lowest = pl.concat_list([c.fill_null(float("inf")) for c, _ in weighted]).list.arg_min()
    weakest = pl.when(pl.col("score").is_not_null()).then(
        lowest.replace_strict(dict(enumerate(order)), return_dtype=pl.String)
    )
    return frame.with_columns(score=score).with_columns(band=band, weakest=weakest)


def _check_scores(scores: pl.DataFrame, function: str) -> str:
    """Return the segment column of ``scores`` (health_score's: between ``user`` and ``in_accounts``)."""
    needed = ["user", "<by>", "in_accounts", "too_new", "score", "band"]
    if (
        not isinstance(scores, pl.DataFrame)
        or scores.columns[:1] != ["user"]
        or scores.columns[2:3] != ["in_accounts"]
        or not {"too_new", "score", "band"} <= set(scores.columns)
    ):
        raise InvalidValueError(
            f"{function}() takes the output of health_score(): a frame with the columns {needed}, the segment "
            f"column (named after by) second. Call {function}(health_score(log, catalog, ...))."
        )
    return scores.columns[1]


def health_summary(scores: pl.DataFrame) -> pl.DataFrame:
    """Per persona: how many customers are healthy, at risk and critical, and their scores.

    Parameters
    ----------
    scores
        The output of :func:`health_score`.

    Returns
    -------
    polars.DataFrame
        One row per persona, sorted: ``persona``, ``customers`` (rows),
        ``too_new``, ``scored`` (customers with a score), ``healthy``,
        ``at_risk``, ``critical`` (Int64), their shares of ``scored``
        (Float64, null when none is scored), ``mean_score``, ``median_score``
        (Float64) and ``not_in_accounts`` (Int64: customers absent from the
        accounts table; 0 without one).

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.scorecards import health_score, health_summary
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "a", "a", "b"],
    ...     "timestamp": [dt.date(2024, 1, 1), dt.date(2024, 3, 20), dt.date(2024, 3, 30), dt.date(2024, 3, 1)],
    ...     "event": ["open"] * 4,
    ... })
    >>> scores = health_score(events, window=30, min_exposure=1, rate_cap=2.0, recency_days=58)
    >>> health_summary(scores).select("persona", "scored", "healthy", "at_risk", "mean_score").rows()
    [('(all)', 2, 1, 1, 75.0)]
    """
    segment = _check_scores(scores, "health_summary")
    scored = pl.col("score").is_not_null()
    n_scored = scored.sum()
    counts = {band: (pl.col("band") == band).sum() for band in HEALTH_BANDS}
    shares = {f"{band}_share": pl.when(n_scored > 0).then(count / n_scored) for band, count in counts.items()}
    out = (
        scores.rename({segment: SEG})
        .group_by(SEG)
        .agg(
            customers=pl.len(),
            too_new=pl.col("too_new").sum(),
            scored=n_scored,
            **counts,
            **shares,
            mean_score=pl.col("score").mean(),
            median_score=pl.col("score").median(),
            not_in_accounts=pl.col("in_accounts").not_().sum(),  # null (no accounts table) counts 0
        )
    )
    out = out.select([pl.col(n).cast(t) for n, t in SUMMARY_COLUMNS.items()]).sort(SEG)
    return out.rename({SEG: segment})


def customers_to_contact(scores: pl.DataFrame, *, bands: Collection[str] = ("critical", "at_risk")) -> pl.DataFrame:
    """List the customers to call: those in the given bands, the most urgent first.

    Parameters
    ----------
    scores
        The output of :func:`health_score`.
    bands
        The bands to list (default ``("critical", "at_risk")``).

    Returns
    -------
    polars.DataFrame
        The rows of ``scores`` in ``bands``, with the same columns, sorted by
        band (critical first), score (lowest first), persona and user.

    Examples
    --------
    >>> import polars as pl, datetime as dt
    >>> from stickiness.scorecards import customers_to_contact, health_score
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "a", "a", "b"],
    ...     "timestamp": [dt.date(2024, 1, 1), dt.date(2024, 3, 20), dt.date(2024, 3, 30), dt.date(2024, 3, 1)],
    ...     "event": ["open"] * 4,
    ... })
    >>> scores = health_score(events, window=30, min_exposure=1, rate_cap=2.0, recency_days=58)
    >>> customers_to_contact(scores).select("user", "score", "band", "weakest").rows()
    [('b', 50.0, 'at_risk', 'frequency')]
    """
    segment = _check_scores(scores, "customers_to_contact")
    chosen = [bands] if isinstance(bands, str) else list(bands)
    unknown = sorted(set(chosen) - set(HEALTH_BANDS))
    if unknown or not chosen:
        raise InvalidOptionError(f"bands={bands!r}: list one or more of {list(HEALTH_BANDS)}.")
    order = pl.col("band").replace_strict({b: i for i, b in enumerate(reversed(HEALTH_BANDS))}, default=None)
    return (
        scores.filter(pl.col("band").is_in(chosen))
        .with_columns(__order=order)
        .sort("__order", "score", segment, "user")
        .drop("__order")
    )
