"""Tests of the starter catalog (docs/use-cases.md, "A catalog to start from"): counts, guesses, round trip."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st_

import stickiness as st
from stickiness import EmptyLogError, InvalidOptionError
from stickiness.catalog import UNMAPPED_USE_CASE, read_catalog
from stickiness.starter import STARTER_SCHEMA, guess_use_cases

from .conftest import NOW, frame

T = dt.datetime(2024, 3, 1, 10, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)

#: A hand-made log: (user, time, event).
ROWS = [
    ("a", T, "login"),
    ("a", T, "login"),  # an exact copy of the row above: set aside (duplicate), not counted
    ("a", T + DAY, "login"),
    ("b", T, "login"),
    ("b", T + dt.timedelta(hours=1), "exportCSV"),
    ("c", T + 2 * DAY, "report.viewed"),
    ("c", T + 2 * DAY + dt.timedelta(hours=2), "report.viewed"),
    ("c", T + 3 * DAY, "heartbeat"),
    ("d", T + 3 * DAY, "=cmd|' /C calc'!A0"),  # a name a spreadsheet would run
]
#: By hand: login: a on day 1, a on day 2, b on day 1 = 3 events (the duplicate removed), users {a, b} = 2;
#: report.viewed: c twice = 2 events, 1 user; exportCSV, heartbeat and the formula: 1 event, 1 user each.
#: Most events first, ties by event name ("=" < "e" < "h" in code-point order).
EXPECTED = [
    ("login", None, "sign in", "login", 3, 2),
    ("report.viewed", None, "reporting", "report", 2, 1),
    ("=cmd|' /C calc'!A0", None, None, None, 1, 1),
    ("exportCSV", None, "export", "export", 1, 1),
    ("heartbeat", None, None, None, 1, 1),
]


def test_counts_and_users_per_event_by_hand(engine: str) -> None:  # on each engine (tests/conftest.py)
    log = st.read_log(frame(ROWS), now=NOW, engine=engine)
    starter = st.starter_catalog(log)
    assert starter.schema == pl.Schema(STARTER_SCHEMA)
    assert starter.rows() == EXPECTED
    assert log.ledger.set_aside["duplicate"] == 1  # the copy is the ledger's, not the catalog's


def test_a_log_with_no_usable_row_is_an_empty_log_error() -> None:
    rows = [(None, T, "login")]
    with pytest.raises(EmptyLogError, match="no usable rows"):
        st.starter_catalog(frame(rows))


@pytest.mark.parametrize(
    ("name", "guess", "word"),
    [
        # the separators _ - . / space and camelCase split a name into words
        ("login", "sign in", "login"),
        ("User Signed-In", "sign in", "signed_in"),
        ("SignIn", "sign in", "sign_in"),
        ("auth/logon", "sign in", "auth"),
        ("signup_completed", "sign up", "signup"),
        ("searchQuery", "search", "search"),
        ("query.run", "search", "query"),
        ("filters_applied", "search", "filters"),
        ("csv-export", "export", "export"),
        ("fileDownloaded", "export", "downloaded"),
        ("HTMLExport", "export", "export"),  # an acronym before a word: HTML | Export
        ("share_link", "collaborate", "share"),
        ("sharing.enabled", "collaborate", "sharing"),  # share -> sharing: the final e dropped
        ("InviteSent", "collaborate", "invite"),
        ("dashboard viewed", "reporting", "dashboard"),
        ("settings/updated", "settings", "settings"),
        ("preferences_saved", "settings", "preferences"),
        ("csv_upload", "import", "upload"),
        ("data.imported", "import", "imported"),
        ("project_created", "create", "created"),
        ("new_project", "create", "new"),
        ("addItem", "create", "add"),
        ("checkout-completed", "billing", "checkout"),
        ("PaymentFailed", "billing", "payment"),
        # the first entry of GUESSES wins: export before reporting, collaborate before reporting
        ("report_exported", "export", "exported"),
        ("share_dashboard", "collaborate", "share"),
        ("search_saved_new", "search", "search"),
        # whole words only: a word inside another is no match
        ("important_flag", None, None),  # import inside important
        ("payload_sent", None, None),  # pay inside payload
        ("newsletter_opened", None, None),  # new inside newsletter
        ("news_read", None, None),  # new takes no ending
        ("address_changed", None, None),  # add inside address
        ("page_view", None, None),
        ("Ünïcode_Export", "export", "export"),
    ],
)
def test_guesses_from_the_words_of_a_name(name: str, guess: str | None, word: str | None) -> None:
    guessed, matched = guess_use_cases(pl.col("event"))
    row = pl.DataFrame({"event": [name]}).select(guess=guessed, word=matched).row(0)
    assert row == (guess, word)


def test_a_starter_filled_in_reads_as_a_catalog(tmp_path: Path) -> None:
    log = st.read_log(frame(ROWS), now=NOW)
    path = st.write_table(st.starter_catalog(log), tmp_path / "use_cases.csv")  # spreadsheet-safe
    assert "'=cmd" in path.read_text()  # the formula is written as text
    # the analyst fills in three rows (one copies its guess, one takes its own name, one maps the formula) and
    # leaves two blank, as a spreadsheet would save it: every cell text
    filled = pl.read_csv(path, infer_schema=False).with_columns(
        use_case=pl.when(pl.col("event") == "login")
        .then(pl.col("guess"))
        .when(pl.col("event") == "report.viewed")
        .then(pl.lit("reports"))
        .when(pl.col("event") == "'=cmd|' /C calc'!A0")
        .then(pl.lit("hostile"))
    )
    filled.write_csv(path)
    catalog = read_catalog(path)
    rules = set(catalog.rules.rows())
    assert rules == {("login", "sign in"), ("report.viewed", "reports"), ("=cmd|' /C calc'!A0", "hostile")}
    assert catalog.without_use_case == ("exportCSV", "heartbeat")  # in the file's order, most events first
    assert catalog.note is not None and catalog.note.startswith("2 rows of the catalog have an event but no use_case")
    assert "2 rows without a use_case set aside" in repr(catalog)
    # the rows left blank are unmapped, the others in their use cases
    found = st.use_case_map(log, catalog, by=None, min_exposure=0, min_users=1)
    assert set(found["use_case"]) == {"sign in", "reports", "hostile", UNMAPPED_USE_CASE, "(any)"}
    unmapped = st.unmapped_events(log, catalog)
    assert unmapped.rows() == [("exportCSV", 1, 1), ("heartbeat", 1, 1)]


def test_a_starter_not_filled_in_says_to_fill_it_in(tmp_path: Path) -> None:
    path = st.write_table(st.starter_catalog(frame(ROWS)), tmp_path / "use_cases.csv")
    with pytest.raises(InvalidOptionError, match=r"no rules.*All its 5 rows with an event have no use_case.*fill in"):
        read_catalog(path)


def test_extra_columns_and_blank_rows_of_a_frame_catalog() -> None:
    catalog = read_catalog(
        pl.DataFrame(
            {
                "event": ["search", "export_csv", "help"],
                "use_case": ["browse", "  ", None],  # blank after stripping, and missing
                "owner": ["ann", "bob", "cy"],  # a column of the analyst's own: ignored
            }
        )
    )
    assert catalog.rules.rows() == [("search", "browse")]
    assert catalog.without_use_case == ("export_csv", "help")


@settings(max_examples=40, deadline=None)
@given(
    st_.lists(
        st_.tuples(
            st_.sampled_from(["u1", "u2", "u3", "u4"]),
            st_.integers(0, 5),  # hours after T: some rows are exact copies of others
            st_.sampled_from(["login", "search_run", "exportPDF", "x", "=1+1"]),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_counts_match_a_plain_python_count(rows: list[tuple[str, int, str]]) -> None:
    # by definition: events = the event's distinct (user, time, event) rows, users = its distinct users
    distinct = set(rows)
    expected = {
        event: (sum(1 for row in distinct if row[2] == event), len({row[0] for row in distinct if row[2] == event}))
        for event in {row[2] for row in distinct}
    }
    log = frame([(user, T + dt.timedelta(hours=hour), event) for user, hour, event in rows])
    starter = st.starter_catalog(st.read_log(log, now=NOW))
    assert {event: (n, users) for event, n, users in starter.select("event", "events", "users").rows()} == expected
    order = sorted(expected, key=lambda event: (-expected[event][0], event))
    assert starter["event"].to_list() == order
