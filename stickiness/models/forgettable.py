"""Predict who will be in the forgettable zone: expected active days in the next 30 days below the threshold.

Per use case (the product as a whole, ``"(any)"``, without a catalog), a
repeat-use model (BG/NBD by default, or Pareto/NBD) is fitted by maximum
likelihood on every user's active days of that use case up to ``as_of``, in days.
For each user it gives P(alive) and the expected active days in the next
``horizon_days`` days; the user *will be forgettable* when that, as a rate per 30
days, is below ``threshold`` (the kit's forgettable threshold: active days per 30).
The contract is docs/predictions.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

import polars as pl

from stickiness._sources import Source
from stickiness.catalog import Catalog, as_catalog
from stickiness.exceptions import InvalidOptionError, ModelFitError
from stickiness.log import UsageLog, as_log
from stickiness.models._fit import MIN_REPEAT_USERS, RepeatUseModel, check_min_repeat_users
from stickiness.models._scipy import require_scipy
from stickiness.models.bg_nbd import fit_bg_nbd
from stickiness.models.pareto_nbd import fit_pareto_nbd
from stickiness.models.summary import MEASURES, calibration_day, summarise
from stickiness.options import HABITS, PREDICTION, positive, whole
from stickiness.stages.segments import ALL_SEGMENT, check_segment_name, name_segment, segment_source

__all__ = ["MODELS", "ForgettablePrediction", "predict_forgettable"]

SEG = "persona"  # the output's segment column: it holds the ``by`` segment, as in the use-case metrics
#: The repeat-use models ``model=`` names, and their fit functions.
MODELS: Mapping[str, Callable[..., RepeatUseModel]] = MappingProxyType(
    {"bg_nbd": fit_bg_nbd, "pareto_nbd": fit_pareto_nbd}
)

USERS_SCHEMA: dict[str, pl.DataType] = {
    "user": pl.String(),  # replaced by the log's user dtype
    SEG: pl.String(),
    "use_case": pl.String(),
    **MEASURES,
    "recent_days": pl.Int64(),
    "recent_rate": pl.Float64(),
    "p_alive": pl.Float64(),
    "expected_days": pl.Float64(),
    "expected_rate": pl.Float64(),
    "will_be_forgettable": pl.Boolean(),
    "will_fall_in": pl.Boolean(),
}
SUMMARY_SCHEMA: dict[str, pl.DataType] = {
    SEG: pl.String(),
    "use_case": pl.String(),
    "users": pl.Int64(),
    "repeat_users": pl.Int64(),
    "predicted": pl.Int64(),
    "mean_p_alive": pl.Float64(),
    "mean_expected_days": pl.Float64(),
    "forgettable": pl.Int64(),
    "forgettable_share": pl.Float64(),
    "above_threshold": pl.Int64(),
    "falling_in": pl.Int64(),
    "falling_in_share": pl.Float64(),
}
FITS_SCHEMA: dict[str, pl.DataType] = {
    "use_case": pl.String(),
    "model": pl.String(),
    "users": pl.Int64(),
    "repeat_users": pl.Int64(),
    "log_likelihood": pl.Float64(),
    "parameters": pl.String(),
    "error": pl.String(),
}


@dataclass(frozen=True, eq=False)
class ForgettablePrediction:
    """What :func:`predict_forgettable` returns.

    Attributes
    ----------
    users
        One row per user x use case (every user with an active day of the use case
        up to ``as_of``): ``user, persona, use_case, first_day, last_day, frequency,
        recency, T`` (days), ``recent_days`` and ``recent_rate`` (active days in the
        last ``horizon_days`` days up to ``as_of``, and that per 30 days), ``p_alive``,
        ``expected_days`` and ``expected_rate`` (expected active days in the next
        ``horizon_days`` days, and that per 30 days), ``will_be_forgettable``
        (expected_rate < threshold) and ``will_fall_in`` (recent_rate >= threshold and
        will_be_forgettable). The predictions are null where the use case's model
        could not be fitted (``fits.error`` says why).
    summary
        One row per persona x use case: ``users``, ``repeat_users`` (frequency > 0),
        ``predicted`` (users with a prediction), ``mean_p_alive``,
        ``mean_expected_days``, ``forgettable`` (users predicted forgettable),
        ``forgettable_share`` (forgettable / predicted), ``above_threshold`` (predicted
        users with recent_rate >= threshold), ``falling_in`` (of those, predicted
        forgettable) and ``falling_in_share`` (falling_in / above_threshold); shares
        are null when their denominator is 0.
    fits
        One row per use case: ``use_case, model, users, repeat_users,
        log_likelihood, parameters`` (e.g. ``"r=0.2426, alpha=4.414, a=0.7929, b=2.426"``,
        time in days) and ``error`` (null, or why the model could not be fitted).
    models
        The fitted model of each use case (time in days).
    as_of, horizon_days, threshold
        The options the prediction used.
    """

    users: pl.DataFrame
    summary: pl.DataFrame
    fits: pl.DataFrame
    models: Mapping[str, RepeatUseModel]
    as_of: dt.date | None
    horizon_days: int
    threshold: float


def predict_forgettable(
    data: UsageLog | Source,
    catalog: Catalog | Any | None = None,
    *,
    by: str | None = HABITS.by,
    as_of: dt.date | str | None = None,
    horizon_days: int = PREDICTION.horizon_days,
    threshold: float = HABITS.threshold,
    model: Literal["bg_nbd", "pareto_nbd"] = "bg_nbd",
    min_repeat_users: int = MIN_REPEAT_USERS,
) -> ForgettablePrediction:
    """Predict, per user and use case, whether they will use it less than ``threshold`` days per 30.

    Parameters
    ----------
    data
        A :class:`~stickiness.UsageLog`, or anything :func:`~stickiness.read_log` reads.
    catalog
        A use-case catalog (anything :func:`~stickiness.read_catalog` reads); one model
        is fitted per use case, on that use case's active days. None: only ``"(any)"``.
    by
        The users-table column that defines segments (default ``"persona"``; without a
        users table every user is in ``"(all)"``). The models are fitted per use case
        across segments; ``by`` only groups the output.
    as_of
        The end of the calibration period: the prediction is for the ``horizon_days``
        days after it (default: the log's ``as_of``; not later).
    horizon_days
        The prediction window in days, a whole number >= 1.
    threshold
        The forgettable threshold in active days per 30 days (by default as in
        :func:`~stickiness.use_case_map`).
    model
        ``"bg_nbd"`` (default) or ``"pareto_nbd"``.
    min_repeat_users
        Fewest users with a repeat active day a use case needs to be fitted (default 10).

    Returns
    -------
    ForgettablePrediction
        ``users``, ``summary``, ``fits`` and ``models`` (see there for the columns).

    Raises
    ------
    ModelFitError
        No use case could be fitted (without a catalog: the product as a whole could not).
    InvalidOptionError
        An option out of range.

    Examples
    --------
    >>> import stickiness as st
    >>> from stickiness.demo import demo_catalog, demo_events, demo_users
    >>> log = st.read_log(demo_events(users=200), users=demo_users(users=200))
    >>> prediction = predict_forgettable(log)
    >>> prediction.summary.select("persona", "users", "predicted").rows()
    [('agent', 33, 33), ('home_buyer', 56, 56), ('homeowner', 70, 70), ('renter', 41, 41)]
    """
    require_scipy()
    if model not in MODELS:
        raise InvalidOptionError(f"model={model!r} is not a repeat-use model. Use one of {sorted(MODELS)}.")
    whole(
        horizon_days,
        "horizon_days",
        f"the prediction window, {PREDICTION.horizon_days} by default",
        minimum=1,
        unit=" of days",
    )
    positive(threshold, "threshold", f"active days per 30 days, {HABITS.threshold:g} by default")
    check_min_repeat_users(min_repeat_users)
    log = as_log(data)
    check_segment_name(
        by, [name for name in (*USERS_SCHEMA, *SUMMARY_SCHEMA) if name != SEG], function="predict_forgettable"
    )
    segment_by = segment_source(log, by)
    end = calibration_day(log, as_of)
    recent_from = None if end is None else end - dt.timedelta(days=horizon_days - 1)
    table = summarise(
        log, as_catalog(catalog), end=end, unit=1.0, by=segment_by, recent_from=recent_from or dt.date(1970, 1, 1)
    )
    if segment_by is None:
        table = table.with_columns(pl.lit(ALL_SEGMENT).alias(SEG))
    else:
        table = table.rename({segment_by: SEG}) if segment_by != SEG else table

    fit = MODELS[model]
    models: dict[str, RepeatUseModel] = {}
    fits: list[dict[str, Any]] = []
    parts: list[pl.DataFrame] = []
    for use_case in sorted(table["use_case"].unique().to_list()):  # one fit per use case: few
        part = table.filter(pl.col("use_case") == use_case)
        row: dict[str, Any] = {
            "use_case": use_case,
            "model": model,
            "users": part.height,
            "repeat_users": int((part["frequency"] > 0).sum()),
        }
        try:
            fitted = fit(part, min_repeat_users=min_repeat_users)
            predicted = fitted.predict(part, horizon_days).rename({"expected_uses": "expected_days"})
        except ModelFitError as err:
            fits.append(row | {"log_likelihood": None, "parameters": None, "error": str(err)})
            parts.append(part.with_columns(p_alive=pl.lit(None, pl.Float64), expected_days=pl.lit(None, pl.Float64)))
            continue
        models[use_case] = fitted
        params = ", ".join(f"{k}={v:.4g}" for k, v in fitted.params.items())
        fits.append(row | {"log_likelihood": fitted.log_likelihood, "parameters": params, "error": None})
        parts.append(predicted)
    fits_frame = pl.DataFrame(fits, schema=FITS_SCHEMA) if fits else pl.DataFrame(schema=FITS_SCHEMA)
    if fits and not models:
        errors = "\n".join(f"- {f['use_case']}: {f['error']}" for f in fits)
        raise ModelFitError(f"no use case could be fitted with {model}:\n{errors}")

    users = _users(log, parts, horizon_days=horizon_days, threshold=threshold)
    return ForgettablePrediction(
        users=name_segment(users, by, internal=SEG),
        summary=name_segment(_summary(users, float(threshold)), by, internal=SEG),
        fits=fits_frame,
        models=MappingProxyType(models),
        as_of=end,
        horizon_days=horizon_days,
        threshold=float(threshold),
    )


def _users(log: UsageLog, parts: list[pl.DataFrame], *, horizon_days: int, threshold: float) -> pl.DataFrame:
    schema = USERS_SCHEMA | {"user": log.user_dtype}
    if not parts:
        return pl.DataFrame(schema=schema)
    per_30 = 30 / horizon_days
    frame = pl.concat(parts, how="vertical_relaxed").with_columns(
        recent_rate=pl.col("recent_days") * per_30, expected_rate=pl.col("expected_days") * per_30
    )
    forgettable = pl.col("expected_rate") < threshold
    frame = frame.with_columns(
        will_be_forgettable=forgettable, will_fall_in=(pl.col("recent_rate") >= threshold) & forgettable
    )
    return frame.select([pl.col(name).cast(dtype) for name, dtype in schema.items()]).sort(SEG, "use_case", "user")


def _summary(users: pl.DataFrame, threshold: float) -> pl.DataFrame:
    predicted = pl.col("p_alive").is_not_null()
    counts = users.group_by(SEG, "use_case").agg(
        users=pl.len(),
        repeat_users=(pl.col("frequency") > 0).sum(),
        predicted=predicted.sum(),
        mean_p_alive=pl.col("p_alive").mean(),
        mean_expected_days=pl.col("expected_days").mean(),
        forgettable=pl.col("will_be_forgettable").sum(),
        above_threshold=(predicted & (pl.col("recent_rate") >= threshold)).sum(),
        falling_in=pl.col("will_fall_in").sum(),
    )
    shares = counts.with_columns(
        forgettable_share=_share("forgettable", "predicted"), falling_in_share=_share("falling_in", "above_threshold")
    )
    return shares.select([pl.col(name).cast(dtype) for name, dtype in SUMMARY_SCHEMA.items()]).sort(SEG, "use_case")


def _share(part: str, whole: str) -> pl.Expr:
    return pl.when(pl.col(whole) > 0).then(pl.col(part) / pl.col(whole))
