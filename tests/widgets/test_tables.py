"""Finished tables (issue 17): labels, formats, units, long tables summarised, empty ones as a sentence.

Expected values are written by hand from the rules in docs/outputs.md ("Tables"), never read back from
the function: a label is the one of stickiness_widgets.tables.COLUMNS, a count gets thousands separators,
a share one decimal and a percent sign, a date ISO form, a flag yes/no, a missing value a dash.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import get_args

import polars as pl
import pytest
import stickiness_widgets as sw
from stickiness_widgets.tables import COLUMNS, Kind, Table

import stickiness.schemas as schemas
from stickiness import Ledger
from stickiness.models.forgettable import FITS_SCHEMA, SUMMARY_SCHEMA, USERS_SCHEMA


def body(html: str) -> str:
    return html.split('<tbody class="gt_table_body">', 1)[1].split("</tbody>", 1)[0]


def cells(html: str) -> list[str]:
    """The text of every body cell, in order."""
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", body(html), re.S)]


def headings(html: str) -> list[str]:
    """The text of every column heading, in order."""
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r'<th class="gt_col_heading[^>]*>(.*?)</th>', html)]


def body_rows(html: str) -> int:
    return body(html).count("<tr>")


def test_every_column_of_the_kit_s_outputs_has_a_label_and_a_kind() -> None:
    names = set(schemas.INACTIVE_COLUMNS)
    for name in schemas.__all__:
        value = getattr(schemas, name)
        if isinstance(value, dict):
            names |= set(value)
    names |= set(USERS_SCHEMA) | set(SUMMARY_SCHEMA) | set(FITS_SCHEMA)
    missing = sorted(names - set(COLUMNS))
    assert missing == []
    assert [name for name, (label, kind) in COLUMNS.items() if not label.strip() or kind not in get_args(Kind)] == []


def test_labels_units_and_no_dtype_row_or_shape_line() -> None:
    frame = pl.DataFrame(
        {
            "day": [dt.date(2025, 1, 31)],
            "dau": [1_234_567],
            "stickiness": [0.12345],
            "median_rate": [3.26],
            "median_interval_days": [12.0],
            "complete": [True],
        }
    )
    html = sw.table(frame, "active_users").html

    assert headings(html) == [
        "Day",
        "DAU",
        "Stickiness (DAU/MAU)",
        "Median rate (days per 30)",
        "Median interval (days)",
        "Complete period",
    ]
    # 1234567 with separators; 0.12345 = 12.345% -> one decimal; 3.26 -> one decimal; 12.0 days -> "12"
    assert cells(html) == ["2025-01-31", "1,234,567", "12.3%", "3.3", "12", "yes"]
    for polars_text in ("shape:", "i64", "f64", "bool", "date", "…"):
        assert polars_text not in re.sub(r"<[^>]+>", "", html.split("</style>")[-1]).replace("Day", "")


def test_missing_values_dates_from_day_numbers_and_unknown_columns() -> None:
    frame = pl.DataFrame(
        {
            # dormancy keeps days since 1970-01-01 as integers: day 20_000 is 1970-01-01 + 20,000 days = 2024-10-04
            # (54 years to 2024-01-01 = 19,723 days with 13 leap days; + 277 days = 4 October, 2024 being leap)
            "last_active": pl.Series([20_000], dtype=pl.Int32),
            "forgettable_share": [None],
            "plan": ["pro"],  # a segment column: its name is its label
            "n": pl.Series([4_321], dtype=pl.UInt32),  # unknown, integer: a count
        },
        schema_overrides={"forgettable_share": pl.Float64},
    )
    html = sw.table(frame).html
    assert headings(html) == ["Last active", "Forgettable share", "plan", "n"]
    assert cells(html) == ["2024-10-04", "–", "pro", "4,321"]


def test_formats_override_a_column_kind() -> None:
    pivot = pl.DataFrame({"period": [dt.date(2025, 3, 1)], "agent": [0.5], "renter": [0.25]})
    html = sw.table(pivot, "repeat_rate", formats={"agent": "share", "renter": "share"}).html
    assert cells(html) == ["2025-03-01", "50.0%", "25.0%"]


def test_a_long_table_shows_its_first_rows_and_links_the_full_table() -> None:
    frame = pl.DataFrame({"users": list(range(25))})

    shown = sw.table(frame, "inactive_users", rows=10)
    assert (shown.rows, shown.shown, body_rows(shown.html)) == (25, 10, 10)
    assert cells(shown.html)[:10] == [str(n) for n in range(10)]
    # 25 rows - 10 shown = 15 more, in tables/inactive_users.csv beside the page
    assert 'and 15 more rows: the full table is <a href="tables/inactive_users.csv">tables/inactive_users.csv</a>.' in (
        shown.html
    )

    in_folder = sw.table(frame, "inactive_users", rows=10, folder="stickiness-report", csv="dormancy").html
    assert '<a href="stickiness-report/tables/dormancy.csv">stickiness-report/tables/dormancy.csv</a>' in in_folder
    assert "and 15 more rows, not shown." in sw.table(frame, "inactive_users", rows=10, folder=None).html
    assert "more rows" not in sw.table(frame, "inactive_users", rows=25).html


@pytest.mark.parametrize(
    ("name", "empty", "sentence"),
    [
        ("forgettable_zone", None, "No segment is in the forgettable zone."),
        ("unmapped_events", None, "Every event is mapped to a use case."),
        ("one_and_done", None, "No row in the one and done table."),
        (None, None, "The table is empty."),
        ("forgettable_zone", "Nothing to fix.", "Nothing to fix."),
    ],
)
def test_an_empty_table_says_so_in_a_sentence(name: str | None, empty: str | None, sentence: str) -> None:
    shown = sw.table(pl.DataFrame(schema={"persona": pl.String, "users": pl.Int64}), name, empty=empty)
    assert shown.html == f'<p class="stickiness-empty">{sentence}</p>'
    assert (shown.sentence, repr(shown), shown.rows) == (sentence, sentence, 0)


def test_the_ledger_is_a_finished_table() -> None:
    ledger = Ledger(
        rows_read=10_500,
        rows_used=10_000,
        set_aside={"null_user": 0, "duplicate": 500},
        users=1_200,
        users_without_segment=3,
        notes=("times read as UTC",),
    )
    html = sw.table(ledger).html
    # rows read = rows used + set aside: 10,500 = 10,000 + 500; a reason with no row is not listed
    assert cells(html) == [
        "rows read",
        "10,500",
        "",
        "rows used",
        "10,000",
        "used by the metrics",
        "set aside",
        "500",
        "",
        "duplicate",
        "500",
        "an exact copy (same user, time and event) of a row already counted",
        "users",
        "1,200",
        "",
    ]
    assert '<td style="padding-left: 1.5em"' in html  # the reason sits under "set aside"
    assert "Row ledger" in html and "rows read = rows used + rows set aside" in html
    assert "3 users are not in the users table: segment &#x27;(unknown)&#x27;" in html or (
        "3 users are not in the users table: segment '(unknown)'" in html
    )
    assert "times read as UTC" in html


def test_a_table_loads_nothing_and_runs_no_script() -> None:
    frame = pl.DataFrame({"persona": ["a"], "use_case": ["b"], "share": [0.5]})
    html = sw.table(frame, "frequency_spectrum").html
    assert not re.search(r"https?://|@import|<script|<link|url\(", html)


def test_ids_are_unique_within_a_page() -> None:
    frame = pl.DataFrame({"users": [1]})
    first, second = sw.table(frame, "x").html, sw.table(frame, "x").html
    assert re.search(r'id="([^"]+)"', first).group(1) != re.search(r'id="([^"]+)"', second).group(1)  # type: ignore[union-attr]


def test_the_display_is_the_html() -> None:
    shown = sw.table(pl.DataFrame({"users": [1, 2]}), "x")
    assert isinstance(shown, Table) and shown._repr_html_() == shown.html
    assert repr(shown) == "<table: 2 rows shown>"
    assert repr(sw.table(pl.DataFrame({"users": [1, 2]}), "x", rows=1)) == "<table: 1 rows shown, 1 more not shown>"


def test_what_cannot_be_shown_is_a_clear_error_naming_the_keyword() -> None:
    from stickiness import InvalidOptionError, UnsupportedSourceError

    frame = pl.DataFrame({"users": [1]})
    with pytest.raises(UnsupportedSourceError, match=r"got a LazyFrame: \.collect\(\) it first"):
        sw.table(frame.lazy())  # type: ignore[arg-type]
    with pytest.raises(InvalidOptionError, match=r"rows=0: .* 1 or more"):
        sw.table(frame, rows=0)
    with pytest.raises(InvalidOptionError, match=r"formats=\{'users': 'percent'\}: each kind is one of count, share"):
        sw.table(frame, formats={"users": "percent"})  # type: ignore[dict-item]


def test_cells_break_between_words_or_after_an_identifier_s_underscore() -> None:
    frame = pl.DataFrame(
        {"use_case": ["manage_listings", "browse_homes", "<b>a.bcdefghijk</b>", "v1.5 plan"], "users": [1, 2, 3, 4]}
    )
    html = sw.table(frame, "x").html
    # in a word of 13 characters or more, a <wbr> after "_", "." or "/" between a letter or digit and a letter
    # ("a.b"; not "</b", after "<"); a shorter word whole (browse_homes: 12); never inside "1.5"; the text escaped
    assert re.findall(r"<td[^>]*>(.*?)</td>", body(html))[::2] == [
        "manage_<wbr>listings",
        "browse_homes",
        "&lt;b&gt;a.<wbr>bcdefghijk&lt;/b&gt;",
        "v1.5 plan",
    ]
    assert "overflow-wrap: normal" in html and "anywhere" not in html
    assert "font-size: 11px" not in html and "stickiness-print" not in html  # narrow: printed as it is


def test_a_short_table_too_wide_for_the_paper_prints_turned() -> None:
    # the scorecards' NPS table: 12 columns whose labels ("Responses", "Detractors", ...) are wider than A4's text
    frame = pl.DataFrame(
        {
            "persona": ["agent", "home_buyer"],
            "responses": [240, 1390],
            "blank": [0, 0],
            "promoters": [127, 141],
            "passives": [75, 134],
            "detractors": [38, 115],
            "promoter_share": [0.529, 0.362],
            "detractor_share": [0.158, 0.295],
            "nps": [37.08, 6.67],
            "sufficient": [True, False],
            "ci_low": [0.1, None],
            "ci_high": [0.2, 0.3],
        }
    )
    html = sw.table(frame, "nps").html
    # the turned copy hidden on screen by its own style (kept where a sanitiser drops <style>), shown in print
    screen, printed = html.split('<div class="stickiness-print" style="display: none">')
    assert '<div class="stickiness-screen">' in screen
    assert "@media print { .stickiness-screen { display: none !important; } .stickiness-print { display: block" in html
    assert headings(screen)[:3] == ["Persona", "Responses", "Blank"]
    # on paper: a row per column (its label), a column per persona, the values written as on screen
    assert headings(printed) == ["", "agent", "home_buyer"]
    assert cells(printed)[:6] == ["Responses", "240", "1,390", "Blank", "0", "0"]
    assert cells(printed)[-9:] == [
        *("Enough users", "yes", "no"),
        *("95% interval, low", "10.0%", "–"),
        *("95% interval, high", "20.0%", "30.0%"),
    ]
    assert "font-size: 11px !important" in printed  # 8.25 pt: 8 pt or more
