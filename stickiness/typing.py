"""The kit's public type aliases: what a source can be, and the values an option or an output column takes.

Annotate code that calls the kit with them, e.g.::

    from stickiness.typing import Engine, Period, Source

    def weekly_report(events: Source, engine: Engine = "polars", period: Period = "week") -> None: ...

Each ``Literal`` lists every value its option accepts (``typing.get_args`` gives them
as a tuple); the kit's own signatures use these aliases, so a checker such as mypy
flags a misspelt value before the kit's own check does.

Examples
--------
>>> from typing import get_args
>>> get_args(Engine)
('polars', 'duckdb', 'pyspark')
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias

__all__ = [
    "Band",
    "CohortMode",
    "Direction",
    "Engine",
    "FitState",
    "HealthBand",
    "MixedOffsets",
    "NpsPeriod",
    "Period",
    "Source",
    "TimeUnit",
    "WeekStart",
    "ZeroMrr",
]

#: Anything the kit reads as a table: a CSV, Parquet or NDJSON path (file, glob or folder), or a polars,
#: pandas, pyarrow or Spark frame. Kept as ``Any``: the frame libraries are optional, and a path is text.
Source: TypeAlias = Any
#: Where metrics run (``read_log(engine=)``).
Engine: TypeAlias = Literal["polars", "duckdb", "pyspark"]
#: The periods of retention, lifecycle and adoption (``period=``).
Period: TypeAlias = Literal["day", "week", "month"]
#: The day a week starts on, for weekly periods (``read_log(week_start=)``).
WeekStart: TypeAlias = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
#: The periods of :func:`stickiness.scorecards.nps` (``period=``): also quarters and years.
NpsPeriod: TypeAlias = Literal["day", "week", "month", "quarter", "year"]
#: The unit of epoch numbers in a time column (``read_log(time_unit=)``).
TimeUnit: TypeAlias = Literal["s", "ms", "us", "ns"]
#: What ``read_log(mixed_offsets=)`` does with a text time column that mixes values with and without an offset.
MixedOffsets: TypeAlias = Literal["error", "assume_tz"]
#: Which users a cohort counts in a period (``cohort_matrix(mode=)``).
CohortMode: TypeAlias = Literal["on", "on_or_after"]
#: The habit bands of the use-case metrics, from the most to the least frequent (``band`` columns).
Band: TypeAlias = Literal["daily", "weekly", "monthly", "occasional", "lapsed"]
#: The health bands of :func:`stickiness.scorecards.health_score` (its ``band`` column).
HealthBand: TypeAlias = Literal["healthy", "at_risk", "critical"]
#: Whether a higher or a lower value of an extra health column is healthier (``health_score(extra=)``).
Direction: TypeAlias = Literal["higher", "lower"]
#: The states of :func:`stickiness.scorecards.fit_matrix` (its ``state`` column).
FitState: TypeAlias = Literal["keep", "grow", "depart"]
#: What ``fit_matrix(zero_mrr=)`` does with an account whose mrr is 0.
ZeroMrr: TypeAlias = Literal["error", "depart"]
