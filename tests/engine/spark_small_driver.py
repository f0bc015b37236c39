"""Run the core report in a local Spark whose driver accepts small results only, and compare with polars.

Run by tests/engine/test_spark_driver.py in a subprocess (``spark.driver.maxResultSize`` is fixed
when the JVM starts, so the tests' shared session cannot be reused). Usage:
``python tests/engine/spark_small_driver.py MAX_RESULT_SIZE EVENTS``; prints one JSON line with the
activity table's size in bytes (in polars), whether collecting it to the driver fails on the limit,
and the names of the outputs that differ from polars (none expected).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from typing import Any

import numpy as np
import polars as pl
from polars.testing import assert_frame_equal

import stickiness as st
from stickiness._engine import SPARK_LOCAL

NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def synthetic_log(events: int, *, seed: int = 3) -> pl.DataFrame:
    """A log of ``events`` rows over 2024 with text timestamps (parsed on the executors), ~events/8 users."""
    rng = np.random.default_rng(seed)
    users = rng.integers(0, max(events // 8, 1), events)
    seconds = rng.integers(0, 366 * 86_400, events)
    names = np.array(["open", "search", "share", "export", "invite"])
    times = pl.from_epoch(pl.Series(seconds + 1_704_067_200), time_unit="s")  # 2024-01-01 UTC onwards
    return pl.DataFrame(
        {
            "user_id": pl.Series(users).cast(pl.String),
            "timestamp": times.dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "event": names[rng.integers(0, len(names), events)],
        }
    )


def core_report(log: st.UsageLog, catalog: Any) -> dict[str, pl.DataFrame]:
    """Every table of the core report (docs/metrics.md), keyed by name."""
    return {
        "active_users": st.active_users(log),
        "monthly_active_users": st.monthly_active_users(log),
        "frequency_spectrum": st.frequency_spectrum(log, catalog, by=None),
        "use_case_map": st.use_case_map(log, catalog, by=None),
        "forgettable_zone": st.forgettable_zone(log, catalog, by=None),
        "drifting_users": st.drifting_users(log, catalog, by=None),
        "retention": st.retention(log),
        "lifecycle": st.lifecycle(log),
        "growth_states": st.growth_states(log),
        "growth_transitions": st.growth_transitions(log),
        "inactive_users": st.inactive_users(log, by=None),
    }


def main(max_result_size: str, events: int) -> None:
    from pyspark.sql import SparkSession

    builder = SparkSession.builder
    # The executors' Python must have polars and stickiness (docs/engines.md): here, this interpreter.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    for key, value in {**SPARK_LOCAL, "spark.driver.maxResultSize": max_result_size}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    frame = synthetic_log(events)
    catalog = st.read_catalog(
        pl.DataFrame({"event": ["open", "search", "share", "export", "invite"], "use_case": ["use"] * 3 + ["team"] * 2})
    )
    on_polars = st.read_log(frame, now=NOW)
    on_spark = st.read_log(spark.createDataFrame(frame.to_arrow()), engine="pyspark", now=NOW)
    differ = [] if on_spark.ledger == on_polars.ledger else ["ledger"]
    expected, got = core_report(on_polars, catalog), core_report(on_spark, catalog)
    for name, table in expected.items():
        keys = table.columns
        try:  # floats to 1e-9: sums of shares may be added in another order
            assert_frame_equal(got[name].sort(keys, nulls_last=True), table.sort(keys, nulls_last=True), rel_tol=1e-9)
        except AssertionError:
            differ.append(name)
    size = int(on_polars.activity.estimated_size())  # type: ignore[union-attr]
    try:  # the limit must bite: the activity table itself cannot come to the driver
        on_spark.activity.collect("polars")  # type: ignore[union-attr]
        bites = False
    except Exception as err:  # py4j's error type depends on the Spark version
        bites = "maxResultSize" in str(err)
    print(json.dumps({"activity_bytes": size, "limit_bites": bites, "differ": differ}))
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
