"""The worked example of docs/retention.md: five users from January to mid-April 2024."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import strategies as st

from stickiness import UsageLog, read_log

from .conftest import NOW

D = dt.date
#: (user, day, event), as in the table of docs/retention.md.
ROWS = [
    ("a", D(2024, 1, 5), "search"),
    ("a", D(2024, 1, 20), "buy"),
    ("a", D(2024, 2, 3), "buy"),
    ("a", D(2024, 4, 2), "search"),
    ("b", D(2024, 1, 10), "search"),
    ("c", D(2024, 2, 14), "search"),
    ("c", D(2024, 2, 21), "search"),
    ("c", D(2024, 3, 1), "buy"),
    ("d", D(2024, 3, 8), "view"),
    ("d", D(2024, 4, 10), "buy"),
    ("e", D(2024, 1, 31), "buy"),
    ("e", D(2024, 3, 3), "buy"),
]
CATALOG = {"event": ["search", "view", "buy"], "use_case": ["browse", "browse", "purchase"]}
FIRST, AS_OF = D(2024, 1, 1), D(2024, 4, 15)
JAN, FEB, MAR, APR = D(2024, 1, 1), D(2024, 2, 1), D(2024, 3, 1), D(2024, 4, 1)


def example_log(engine: str, users: pl.DataFrame | None = None) -> UsageLog:
    events = pl.DataFrame(ROWS, schema=["user_id", "timestamp", "event"], orient="row")
    return read_log(events, users=users, start=FIRST, as_of=AS_OF, engine=engine, now=NOW)


# --- generated logs, shared by the reference tests -------------------------------------------------------------

ZONES = ["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"]
START = dt.datetime(2024, 1, 20, tzinfo=dt.UTC)
SEGMENT_OF = {"u1": "agent", "u2": "agent", "u3": "buyer", "u4": "owner"}
#: Generated logs per engine: DuckDB runs each query for ~0.1 s whatever its size, so it checks fewer
#: (test_engines_agree_on_the_demo compares the two engines on a larger log). The worked example, the
#: schemas and the generated logs run on every engine; the other hand-made edge cases on polars. PySpark
#: takes about a second per query, so it checks two generated logs (tests/test_engines.py compares all
#: three engines on the demo).
EXAMPLES = {"polars": 30, "duckdb": 4, "pyspark": 2}

events_strategy = st.lists(
    st.tuples(
        st.sampled_from(["u1", "u2", "u3", "u4", "u5", "u6"]),
        st.integers(min_value=0, max_value=110 * 24 * 60).map(lambda m: START + dt.timedelta(minutes=m)),
        st.sampled_from(["open", "search", "buy"]),
    ),
    min_size=1,
    max_size=50,
)
