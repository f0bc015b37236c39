"""Spark for real: the core report runs with a driver that cannot hold the activity table.

docs/engines.md's cluster recipe (``read_log(spark_frame, engine="pyspark")`` then the metrics)
in a local Spark whose ``spark.driver.maxResultSize`` is far below the activity table's size: every
table must come back equal to polars, and collecting the activity itself must fail on the limit
(so the test would catch a stage that brings the table to the driver).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

JOB = Path(__file__).with_name("spark_small_driver.py")


def test_the_core_report_runs_with_a_driver_smaller_than_the_activity_table() -> None:
    pytest.importorskip("pyspark", reason="pyspark is an optional engine: pip install 'stickiness[spark]'")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("the pyspark engine needs Java 17 or newer: apt-get install openjdk-17-jre")
    done = subprocess.run(
        [sys.executable, str(JOB), "1m", "100000"], capture_output=True, text=True, timeout=900, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["activity_bytes"] > 2**21  # the limit (1 MiB) is well below the activity table (2 MiB or more)
    assert result["limit_bites"], "collecting the activity table should fail on spark.driver.maxResultSize"
    assert result["differ"] == []
