"""Integer user ids take arithmetic codes (stickiness/stages/codes.py); text ids a dictionary. Both must agree.

The metric suites check the text path against plain-Python references; here every
metric of the core report must give the same table for a log whose user ids are
integers (small or negative ids, and ids spanning more than 2**32 values, which fall
back to the dictionary) as for the same log with the ids written as text.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stickiness as sk

START = dt.datetime(2024, 1, 1)
CATALOG = pl.DataFrame({"event": ["open", "search", "buy"], "use_case": ["browse", "browse", "purchase"]})

id_sets = st.sampled_from(
    [
        [0, 1, 2, 3, 4, 5],
        [-7, -3, 0, 12, 40, 41],
        [5, 2**33, 2**40, 2**40 + 1, 3, 9],  # spans more than 2**32: the dictionary path
    ]
)
rows = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=5),
        st.integers(min_value=0, max_value=200 * 24 * 60).map(lambda m: START + dt.timedelta(minutes=m)),
        st.sampled_from(["open", "search", "buy", "other"]),
    ),
    min_size=1,
    max_size=60,
)


def _reports(log: sk.UsageLog) -> dict[str, pl.DataFrame]:
    return {
        "active_users": sk.active_users(log, by="persona"),
        "active_users_events": sk.active_users(log, active_events={"buy"}),
        "monthly": sk.monthly_active_users(log, by="persona"),
        "spectrum": sk.frequency_spectrum(log, CATALOG, min_exposure=1),
        "map": sk.use_case_map(log, CATALOG, min_exposure=1, min_users=1),
        "rates": sk.use_case_rates(log, CATALOG, min_exposure=1),
        "drifting": sk.drifting_users(log, CATALOG, min_exposure=1),
        "retention": sk.retention(log, by="persona"),
        "lifecycle": sk.lifecycle(log, by="persona"),
        "dormancy": sk.dormancy(log, CATALOG),
        "inactive": sk.inactive_users(log, days=7),
        "unmapped": sk.unmapped_events(log, CATALOG),
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ids=id_sets, events=rows)
def test_integer_ids_give_the_tables_of_text_ids(ids: list[int], events: list[tuple[int, dt.datetime, str]]) -> None:
    frame = pl.DataFrame(
        {
            "user_id": [ids[u] for u, _, _ in events],
            "timestamp": [t for _, t, _ in events],
            "event": [e for *_, e in events],
        },
        schema={"user_id": pl.Int64, "timestamp": pl.Datetime("us"), "event": pl.String},
    )
    users = pl.DataFrame({"user_id": ids[:4], "persona": ["a", "b", "a", "b"]})  # two users without a persona
    as_int = _reports(sk.read_log(frame, users=users))
    as_text = _reports(
        sk.read_log(frame.with_columns(pl.col("user_id").cast(pl.String)), users=users.cast({"user_id": pl.String}))
    )
    for name, table in as_int.items():
        text = as_text[name]
        if "user" in table.columns:
            table = table.with_columns(pl.col("user").cast(pl.String))
        sort = [c for c in table.columns if table.schema[c] != pl.List]
        assert table.sort(sort).equals(text.sort(sort)), name


def test_a_blank_segment_is_unknown_in_every_metric() -> None:
    """docs/metrics.md: a user with an empty segment value is in "(unknown)", like a user absent from the table."""
    frame = pl.DataFrame(
        {
            "user_id": [1, 2, 3],
            "timestamp": [START, START, START + dt.timedelta(days=40)],
            "event": ["open", "open", "buy"],
        }
    )
    users = pl.DataFrame({"user_id": [1, 2], "persona": ["agent", "  "]})  # 2 blank, 3 absent
    log = sk.read_log(frame, users=users)
    assert set(sk.active_users(log, by="persona")["persona"]) == {"agent", "(unknown)"}
    assert set(sk.monthly_active_users(log, by="persona")["persona"]) == {"agent", "(unknown)"}
    assert set(sk.retention(log, by="persona")["persona"]) == {"agent", "(unknown)"}
    assert set(sk.frequency_spectrum(log, min_exposure=1)["persona"]) == {"agent", "(unknown)"}
    unknown = sk.active_users(log, by="persona").filter(pl.col("persona") == "(unknown)", pl.col("day") == START.date())
    assert unknown["dau"].to_list() == [1]  # user 2, blank; user 3 is active 40 days later
