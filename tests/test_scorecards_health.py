"""Health score (docs/scorecards.md, "Health score"): the worked example, the plain-Python reference on generated
logs and accounts, the output schema on tiny and empty inputs, every class of bad input, and the demo figures."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stickiness import ColumnNotFoundError, InvalidOptionError, UsageLog, read_catalog, read_log
from stickiness.scorecards import InvalidValueError, customers_to_contact, health_score, health_summary
from stickiness.scorecards.health import HEALTH_COLUMNS, SCORE_COLUMNS, SUMMARY_COLUMNS

from . import reference_scorecards as ref
from .conftest import NOW

D = dt.date
OPTIONS = {"window": 30, "horizon": 60, "min_exposure": 10, "rate_cap": 4.0, "recency_days": 30}
EVENTS = [
    ("a", D(2024, 1, 10), "search"),
    *[("a", D(2024, 3, d), "search") for d in (2, 9, 16, 23, 30)],
    ("a", D(2024, 3, 30), "mortgage"),
    ("b", D(2024, 2, 1), "search"),
    ("b", D(2024, 3, 10), "search"),
    ("c", D(2024, 2, 5), "estimate"),
    ("c", D(2024, 3, 16), "estimate"),
    ("c", D(2024, 3, 25), "estimate"),
    ("d", D(2024, 3, 21), "search"),
    ("e", D(2024, 3, 25), "estimate"),
]
USERS = pl.DataFrame({"user_id": ["a", "b", "c", "e"], "persona": ["buyer", "buyer", "owner", "owner"]})
RULES = [("search", "browse"), ("estimate", "value"), ("mortgage", "buy")]
PROFILES = [("buyer", "browse"), ("buyer", "buy"), ("owner", "value")]
# A profile row is kept by the catalog when it describes the pair (here: its expected frequency).
PROFILES_TABLE = pl.DataFrame(
    {"persona": [p for p, _ in PROFILES], "use_case": [c for _, c in PROFILES], "expected_frequency": ["weekly"] * 3}
)
ACCOUNTS = pl.DataFrame({"customer_id": ["a", "b", "c", "f"], "tickets": [2, 8, 0, 5]})
WEIGHTS = {"frequency": 0.4, "recency": 0.3, "breadth": 0.3, "tickets": 0.2}


def catalog() -> object:
    return read_catalog(
        pl.DataFrame({"event": [e for e, _ in RULES], "use_case": [c for _, c in RULES]}),
        profiles=PROFILES_TABLE,
    )


def log(engine: str = "polars") -> UsageLog:
    events = pl.DataFrame(EVENTS, schema=["user_id", "timestamp", "event"], orient="row")
    return read_log(events, users=USERS, engine=engine, now=NOW)  # type: ignore[arg-type]


def keyed(out: pl.DataFrame) -> dict[str, dict[str, object]]:
    return {r["user"]: r for r in out.iter_rows(named=True)}


def test_worked_example(engine: str) -> None:
    out = health_score(log(engine), catalog(), **OPTIONS)  # type: ignore[arg-type]
    assert dict(out.schema) == {**HEALTH_COLUMNS, **SCORE_COLUMNS}
    rows = keyed(out)
    assert list(rows) == ["d", "a", "b", "c", "e"]  # sorted by persona ((unknown), buyer, owner), then user
    expected = {  # active days, exposure, rate, frequency, days since, recency, used, available, score, band
        "a": (5, 30, 5.0, 1.0, 0, 1.0, 2, 2, 100.0, "healthy"),
        "b": (1, 30, 1.0, 0.25, 20, 1 / 3, 1, 2, 35.0, "critical"),
        "c": (2, 30, 2.0, 0.5, 5, 5 / 6, 1, 1, 75.0, "healthy"),
        "d": (1, 10, 3.0, 0.75, 9, 0.7, 1, 3, 61.0, "at_risk"),
    }
    for user, (active, exposure, rate, frequency, since, recency, used, offered, score, band) in expected.items():
        r = rows[user]
        assert (r["active_days"], r["exposure"], r["days_since"], r["use_cases_used"], r["use_cases_available"]) == (
            active,
            exposure,
            since,
            used,
            offered,
        ), user
        assert (r["rate"], r["frequency"], r["recency"]) == (pytest.approx(rate), frequency, pytest.approx(recency))
        assert r["breadth"] == pytest.approx(used / offered)
        assert (r["score"], r["band"], r["too_new"], r["in_accounts"]) == (pytest.approx(score), band, False, None)
    e = rows["e"]
    assert (e["too_new"], e["exposure"], e["score"], e["band"], e["weakest"]) == (True, 6, None, None, None)
    assert rows["d"]["persona"] == "(unknown)"


def test_worked_example_with_accounts() -> None:
    out = health_score(
        log(), catalog(), accounts=ACCOUNTS, extra={"tickets": ("lower", 0, 10)}, weights=WEIGHTS, **OPTIONS
    )  # type: ignore[arg-type]
    assert out.columns == [*HEALTH_COLUMNS, "tickets", "tickets_component", *SCORE_COLUMNS]
    rows = keyed(out)
    expected = {  # tickets component, score, band, weakest, in accounts
        "a": (0.8, 116 / 1.2, "healthy", "tickets", True),
        "b": (0.2, 39 / 1.2, "critical", "tickets", True),
        "c": (1.0, 95 / 1.2, "healthy", "frequency", True),
        "f": (0.5, 10 / 1.2, "critical", "frequency", True),
        "d": (None, 61.0, "at_risk", "breadth", False),
        "e": (None, None, None, None, False),
    }
    for user, (component, score, band, weakest, in_accounts) in expected.items():
        r = rows[user]
        assert r["tickets_component"] == (None if component is None else pytest.approx(component)), user
        assert r["score"] == (None if score is None else pytest.approx(score)), user
        assert (r["band"], r["weakest"], r["in_accounts"]) == (band, weakest, in_accounts), user
    f = rows["f"]  # in the accounts, never in the log
    assert (f["persona"], f["last_active"], f["days_since"], f["active_days"], f["exposure"], f["too_new"]) == (
        "(unknown)",
        None,
        None,
        0,
        30,
        False,
    )
    assert (f["frequency"], f["recency"], f["breadth"], f["tickets"]) == (0.0, 0.0, 0.0, 5.0)

    summary = health_summary(out)
    assert dict(summary.schema) == SUMMARY_COLUMNS
    assert summary.select(
        "persona", "customers", "too_new", "scored", "healthy", "at_risk", "critical", "not_in_accounts"
    ).rows() == [
        ("(unknown)", 2, 0, 2, 0, 1, 1, 1),
        ("buyer", 2, 0, 2, 1, 0, 1, 0),
        ("owner", 2, 1, 1, 1, 0, 0, 1),
    ]
    buyer = summary.row(1, named=True)
    assert (buyer["healthy_share"], buyer["critical_share"]) == (0.5, 0.5)
    assert buyer["mean_score"] == pytest.approx((116 + 39) / 2.4)
    contact = customers_to_contact(out)
    assert contact.columns == out.columns
    assert contact["user"].to_list() == ["f", "b", "d"]
    assert customers_to_contact(out, bands=["at_risk"])["user"].to_list() == ["d"]
    assert customers_to_contact(out, bands="healthy")["user"].to_list() == ["c", "a"]  # lowest score first

    data_bounds = keyed(
        health_score(log(), catalog(), accounts=ACCOUNTS, extra={"tickets": "lower"}, weights=WEIGHTS, **OPTIONS)
    )  # type: ignore[arg-type]
    assert {u: data_bounds[u]["tickets_component"] for u in "abcf"} == {"a": 0.75, "b": 0.0, "c": 1.0, "f": 0.375}


def test_without_a_catalog_breadth_is_left_out_and_the_weights_rescaled() -> None:
    rows = keyed(health_score(log(), **OPTIONS))  # type: ignore[arg-type]
    assert rows["b"]["breadth"] is None
    assert rows["b"]["use_cases_available"] is None
    assert rows["b"]["score"] == pytest.approx(100 * (0.4 * 0.25 + 0.3 / 3) / 0.7)  # 28.57
    assert rows["a"]["score"] == pytest.approx(100.0)


def test_options_change_the_components() -> None:
    rows = keyed(health_score(log(), catalog(), **{**OPTIONS, "rate_cap": 2.0, "recency_days": 10}))  # type: ignore[arg-type]
    assert rows["c"]["frequency"] == 1.0  # rate 2.0 at cap 2
    assert rows["b"]["recency"] == 0.0  # 20 days >= 10
    only = keyed(
        health_score(log(), catalog(), weights={"recency": 1}, bands={"healthy": 90, "at_risk": 50}, **OPTIONS)
    )  # type: ignore[arg-type]
    assert (only["c"]["score"], only["c"]["band"]) == (pytest.approx(100 * 5 / 6), "at_risk")
    assert only["c"]["weakest"] == "recency"  # the only weighted component
    by_plan = health_score(
        read_log(
            pl.DataFrame(EVENTS, schema=["user_id", "timestamp", "event"], orient="row"),
            users=USERS.with_columns(plan=pl.Series(["pro", "free", "pro", "free"])),
            now=NOW,
        ),
        by="plan",
        **OPTIONS,  # type: ignore[arg-type]
    )
    assert dict(by_plan.select("user", "plan").rows()) == {
        "a": "pro",
        "b": "free",
        "c": "pro",
        "d": "(unknown)",
        "e": "free",
    }
    earlier = keyed(health_score(log(), catalog(), as_of="2024-03-20", **OPTIONS))  # type: ignore[arg-type]
    assert earlier["a"]["days_since"] == 4  # Mar 16
    assert "e" not in earlier


def test_empty_log_gives_the_documented_columns() -> None:
    empty = read_log(pl.DataFrame(schema={"user_id": pl.String, "timestamp": pl.Date, "event": pl.String}), now=NOW)
    out = health_score(empty, catalog())
    assert out.height == 0
    assert dict(out.schema) == {**HEALTH_COLUMNS, **SCORE_COLUMNS}
    assert health_summary(out).height == 0
    assert dict(health_summary(out).schema) == SUMMARY_COLUMNS
    assert customers_to_contact(out).height == 0
    with pytest.raises(InvalidValueError, match="no usable rows, so the 4 customers of the accounts table"):
        health_score(empty, accounts=ACCOUNTS)


# --- bad input ----------------------------------------------------------------------------------------------------


def test_bad_accounts_name_the_column_and_rows() -> None:
    kwargs = {"extra": {"tickets": "lower"}, "weights": WEIGHTS}
    with pytest.raises(
        InvalidValueError,
        match=r"'tickets' \(extra\['tickets'\]=\) holds values that are not numbers: row 2 \('many'\)",
    ):
        health_score(log(), accounts=ACCOUNTS.with_columns(tickets=pl.Series(["1", "many", "2", "3"])), **kwargs)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"customers on more than one row \(rows 1 \('a'\), 2 \('a'\)"):
        health_score(log(), accounts=ACCOUNTS.with_columns(customer_id=pl.Series(["a", "a", "c", "f"])), **kwargs)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"'customer_id' \(account=\) is empty.*on row 3"):
        health_score(log(), accounts=ACCOUNTS.with_columns(customer_id=pl.Series(["a", "b", " ", "f"])), **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ColumnNotFoundError, match=r"extra='ticket'.*Did you mean 'tickets'"):
        health_score(log(), accounts=ACCOUNTS, extra={"ticket": "lower"}, weights={"ticket": 1})
    with pytest.raises(ColumnNotFoundError, match=r"no customer id column found.*Name it with account="):
        health_score(log(), accounts=ACCOUNTS.rename({"customer_id": "who"}))
    blanks = keyed(
        health_score(log(), accounts=ACCOUNTS.with_columns(tickets=pl.Series([2, None, 0, 5])), **kwargs, **OPTIONS)
    )  # type: ignore[arg-type]
    assert blanks["b"]["tickets_component"] is None  # a blank value: left out for b
    assert blanks["b"]["score"] == pytest.approx(100 * (0.1 + 0.1) / 0.7)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weights": {"frequency": -1}}, r"weights\['frequency'\]=-1"),
        ({"weights": {"frequency": 0, "recency": 0}}, "at least one weight must be > 0"),
        ({"weights": {"speed": 1}}, r"weights names \['speed'\]"),
        ({"bands": {"healthy": 40, "at_risk": 70}}, "healthy must be above at_risk"),
        ({"bands": {"healthy": 170}}, r"bands\['healthy'\]=170"),
        ({"bands": {"good": 80}}, "give the lower cut-offs of 'healthy' and 'at_risk'"),
        ({"rate_cap": 0}, "rate_cap=0"),
        ({"recency_days": 0}, "recency_days=0"),
        ({"extra": {"tickets": "lower"}}, "pass accounts= as well"),
        ({"extra": {"tickets": "fewer"}, "accounts": ACCOUNTS}, r"extra\['tickets'\]='fewer'"),
        ({"extra": {"tickets": ("lower", 5, 1)}, "accounts": ACCOUNTS, "weights": WEIGHTS}, "low < high"),
        ({"extra": {"tickets": "lower"}, "accounts": ACCOUNTS}, r"need a weight each: pass weights="),
        ({"extra": {"tickets": "lower"}, "accounts": ACCOUNTS, "weights": {"frequency": 1}}, r"have no weight"),
        ({"extra": {"score": "lower"}, "accounts": ACCOUNTS}, "name of an output column"),
        ({"window": 0}, "window=0"),
        ({"as_of": "2025-01-01"}, "after the log's last day"),
        ({"by": "plan"}, "by='plan'"),
    ],
)
def test_bad_options(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises((InvalidOptionError, ColumnNotFoundError), match=message):
        health_score(log(), catalog(), **kwargs)  # type: ignore[arg-type]


def test_summaries_take_scores_only() -> None:
    with pytest.raises(InvalidValueError, match=r"health_summary\(\) takes the output of health_score"):
        health_summary(USERS)
    with pytest.raises(InvalidValueError, match=r"customers_to_contact\(\) takes the output of health_score"):
        customers_to_contact(USERS)
    with pytest.raises(InvalidOptionError, match=r"bands=\['lost'\]"):
        customers_to_contact(health_score(log()), bands=["lost"])


# --- against the reference --------------------------------------------------------------------------------------

START = D(2024, 1, 1)
NAMES = ["u1", "u2", "u3", "u4", "u5", "u6"]
EVENT_NAMES = ["search", "estimate", "mortgage", "share"]
SEGMENT_OF = {"u1": "buyer", "u2": "buyer", "u3": "owner", "u4": "renter"}  # u5, u6: (unknown)

generated_events = st.lists(
    st.tuples(st.sampled_from(NAMES[:5]), st.integers(0, 119), st.sampled_from(EVENT_NAMES)), min_size=1, max_size=40
)
generated_accounts = st.dictionaries(
    st.sampled_from(NAMES),
    st.fixed_dictionaries({"tickets": st.one_of(st.none(), st.integers(0, 12)), "csat": st.integers(1, 5)}),
    max_size=6,
)
generated_weights = st.fixed_dictionaries(
    {n: st.sampled_from([0.0, 0.1, 0.25, 1.0]) for n in ("frequency", "recency", "breadth", "tickets", "csat")}
).filter(lambda w: w["frequency"] + w["recency"] > 0)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    generated_events,
    st.one_of(st.none(), generated_accounts),
    generated_weights,
    st.booleans(),
    st.sampled_from([(30, 60, 10), (20, 40, 0), (45, 120, 30)]),
    st.sampled_from([1.0, 4.0, 12.0]),
    st.sampled_from([7, 30, 90]),
)
def test_matches_the_reference(
    events: list[tuple[str, int, str]],
    accounts: dict[str, dict[str, int | None]] | None,
    weights: dict[str, float],
    with_catalog: bool,
    usage: tuple[int, int, int],
    rate_cap: float,
    recency_days: int,
) -> None:
    window, horizon, min_exposure = usage
    rows = [(u, START + dt.timedelta(days=k), e) for u, k, e in events]
    users = pl.DataFrame({"user_id": list(SEGMENT_OF), "persona": list(SEGMENT_OF.values())})
    the_log = read_log(pl.DataFrame(rows, schema=["user_id", "timestamp", "event"], orient="row"), users=users, now=NOW)
    extra = {"tickets": "lower", "csat": ("higher", 1, 5)} if accounts is not None else None
    if accounts is None:
        weights = {k: v for k, v in weights.items() if k in ("frequency", "recency", "breadth")}
    table = None
    if accounts is not None:
        table = pl.DataFrame(
            {
                "user_id": list(accounts),
                "tickets": [a["tickets"] for a in accounts.values()],
                "csat": [a["csat"] for a in accounts.values()],
            },
            schema={"user_id": pl.String, "tickets": pl.Int64, "csat": pl.Int64},
        )
    rules = [*RULES, ("sh*", "browse")]
    cat = read_catalog(
        pl.DataFrame({"event": [e for e, _ in rules], "use_case": [c for _, c in rules]}),
        profiles=PROFILES_TABLE,
    )
    out = health_score(
        the_log,
        cat if with_catalog else None,
        accounts=table,
        extra=extra,
        weights=weights,
        window=window,
        horizon=horizon,
        min_exposure=min_exposure,
        rate_cap=rate_cap,
        recency_days=recency_days,
    )
    expected = ref.health(
        rows,
        rules=rules if with_catalog else None,
        profiles=PROFILES,
        segment_of=SEGMENT_OF,
        accounts=accounts,
        extra=extra,
        weights=weights,
        window=window,
        horizon=horizon,
        min_exposure=min_exposure,
        rate_cap=rate_cap,
        recency_days=recency_days,
    )
    got = keyed(out)
    assert set(got) == set(expected)
    for user, row in expected.items():
        for name in (
            "persona",
            "in_accounts",
            "too_new",
            "last_active",
            "days_since",
            "active_days",
            "exposure",
            "band",
            "weakest",
        ):
            assert got[user][name] == row[name], (user, name)
        for name in ("rate", "frequency", "recency", "breadth", "score", *(extra or {})):
            column = name if name in got[user] and name not in (extra or {}) else f"{name}_component"
            value = row[name]
            assert got[user][column] == (None if value is None else pytest.approx(value)), (user, name)
        if got[user]["score"] is not None:
            assert 0 <= got[user]["score"] <= 100
    summary = health_summary(out)
    assert summary["customers"].sum() == out.height
    assert (summary["healthy"] + summary["at_risk"] + summary["critical"]).to_list() == summary["scored"].to_list()
