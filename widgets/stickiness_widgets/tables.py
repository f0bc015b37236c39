"""Finished tables: the kit's result tables (and the row ledger) as a reader sees them, with great_tables.

:func:`table` turns a polars frame from :mod:`stickiness` into an HTML table for
JupyterLab, nbconvert's HTML and the PDF: a human label per known column
(:data:`COLUMNS`, the one mapping of the kit's output columns, stickiness/schemas.py),
thousands separators, percentages for shares and rates, dates as dates, units in
the labels (days, days per 30), no dtype row and no clipped column. A long table
shows its first rows and says how many more there are and where the full table is
(``tables/NAME.csv``, a relative link); an empty one says so in a sentence.

great_tables writes plain HTML and CSS (no script, no web font): the table renders
offline everywhere the report goes.

>>> import polars as pl
>>> shown = table(pl.DataFrame({"dau": [1234], "stickiness": [0.125]}), "active_users")
>>> "DAU" in shown.html, "1,234" in shown.html, "12.5%" in shown.html, "f32" in shown.html
(True, True, True, False)
"""

from __future__ import annotations

import html
import itertools
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, get_args

import polars as pl

from stickiness import InvalidOptionError, Ledger, UnsupportedSourceError
from stickiness.ledger import REASONS

if TYPE_CHECKING:
    from great_tables import GT
    from great_tables._text import Html

__all__ = ["COLUMNS", "EMPTY", "Kind", "Table", "table"]

#: How a column's values are written: ``count`` (integer, thousands separators), ``share`` (a fraction shown as a
#: percentage), ``rate`` (days per 30, one decimal), ``days`` (a number of days), ``number`` (two decimals),
#: ``money`` (two decimals, separators), ``date``, ``flag`` (yes / no), ``text`` (as it is).
Kind = Literal["count", "share", "rate", "days", "number", "money", "date", "flag", "text"]

_PER_30: Final = "(days per 30)"

#: Every column of the kit's output tables (stickiness/schemas.py, the models' tables, the ledger): its label,
#: with its unit, and how its values are written. Labels only here: charts, tables and docs read them from one place.
COLUMNS: Final[Mapping[str, tuple[str, Kind]]] = {
    # who and what
    "user": ("User", "text"),
    "persona": ("Persona", "text"),
    "use_case": ("Use case", "text"),
    "event": ("Event", "text"),
    "from_state": ("From state", "text"),
    "to_state": ("To state", "text"),
    # habits over time (docs/habits-over-time.md)
    "from_band": ("From band", "text"),
    "to_band": ("To band", "text"),
    "period_end": ("Period end", "date"),
    "reached": ("Reached the band", "count"),
    "median_days_to_habit": ("Median days to habit", "days"),
    "p25_days_to_habit": ("Days to habit, 25th percentile", "days"),
    "p75_days_to_habit": ("Days to habit, 75th percentile", "days"),
    "state": ("State", "text"),
    "status": ("Status", "text"),
    "band": ("Habit band", "text"),
    "modal_band": ("Most common band", "text"),
    "verdict": ("Verdict", "text"),
    "forgettable": ("Forgettable", "text"),
    "weakest": ("Weakest component", "text"),
    "problem": ("Problem", "text"),
    "why_us": ("Why us", "text"),
    "alternatives": ("Alternatives", "text"),
    "expected_frequency": ("Expected frequency", "text"),
    "model": ("Model", "text"),
    "parameters": ("Parameters", "text"),
    "error": ("Error", "text"),
    # when
    "day": ("Day", "date"),
    "month": ("Month", "date"),
    "period": ("Period", "date"),
    "cohort": ("Cohort", "date"),
    "first_use": ("First use", "date"),
    "first_active": ("First active", "date"),
    "last_active": ("Last active", "date"),
    "first_day": ("First active day", "date"),
    "last_day": ("Last active day", "date"),
    "first_purchase": ("First purchase", "date"),
    "last_purchase": ("Last purchase", "date"),
    # how many
    "dau": ("DAU", "count"),
    "wau": ("WAU", "count"),
    "mau": ("MAU", "count"),
    "mean_dau": ("Mean DAU", "number"),
    "days": ("Days", "count"),
    "users": ("Users", "count"),
    "events": ("Events", "count"),
    "active": ("Active users", "count"),
    "active_before": ("Active the period before", "count"),
    "new": ("New", "count"),
    "returning": ("Returning", "count"),
    "resurrecting": ("Resurrecting", "count"),
    "dormant": ("Dormant", "count"),
    # growth states (docs/growth-states.md)
    "current": ("Current", "count"),
    "reactivated": ("Reactivated", "count"),
    "resurrected": ("Resurrected", "count"),
    "at_risk_wau": ("At risk (WAU)", "count"),
    "at_risk_mau": ("At risk (MAU)", "count"),
    "retained": ("Retained", "count"),
    "churned": ("Churned", "count"),
    "repeat": ("Repeat users", "count"),
    "repeat_users": ("Repeat users", "count"),
    "one_and_done": ("One and done", "count"),
    "cohorts": ("Cohorts", "count"),
    "cohort_users": ("Cohort users", "count"),
    "partial_cells": ("Partial cells", "count"),
    "offset": ("Periods since start", "count"),
    "adopters": ("Adopters", "count"),
    "too_new": ("Too new", "count"),
    "evaluable": ("Evaluable users", "count"),
    "leavers": ("Leavers", "count"),
    "customers": ("Customers", "count"),
    "scored": ("Scored", "count"),
    "healthy": ("Healthy", "count"),
    "at_risk": ("At risk", "count"),
    "critical": ("Critical", "count"),
    "not_in_accounts": ("Not in accounts", "count"),
    "responses": ("Responses", "count"),
    "blank": ("Blank", "count"),
    "promoters": ("Promoters", "count"),
    "passives": ("Passives", "count"),
    "detractors": ("Detractors", "count"),
    "transactions": ("Transactions", "count"),
    "purchases": ("Purchases", "count"),
    "repeat_customers": ("Repeat customers", "count"),
    "use_cases_used": ("Use cases used", "count"),
    "use_cases_available": ("Use cases available", "count"),
    "predicted": ("Predicted", "count"),
    "above_threshold": ("Above threshold", "count"),
    "falling_in": ("Falling in", "count"),
    "recent_days": ("Recent active days", "count"),
    "rows": ("Rows", "count"),
    # shares and rates (fractions, shown as percentages)
    "stickiness": ("Stickiness (DAU/MAU)", "share"),
    "share": ("Share", "share"),
    "adoption_rate": ("Adoption rate", "share"),
    "forgettable_share": ("Forgettable share", "share"),
    "ci_low": ("95% interval, low", "share"),
    "ci_high": ("95% interval, high", "share"),
    "retention_rate": ("Retention rate", "share"),
    "churn_rate": ("Churn rate", "share"),
    "repeat_rate": ("Repeat rate", "share"),
    "returning_share": ("Returning share", "share"),
    "one_and_done_share": ("One-and-done share", "share"),
    "leaver_share": ("Share of leavers", "share"),
    "retained_share": ("Share of retained", "share"),
    "healthy_share": ("Healthy share", "share"),
    "at_risk_share": ("At-risk share", "share"),
    "critical_share": ("Critical share", "share"),
    "promoter_share": ("Promoter share", "share"),
    "detractor_share": ("Detractor share", "share"),
    "mrr_share": ("Share of MRR", "share"),
    "profitability": ("Profitability", "share"),
    "repeat_purchase_share": ("Repeat-purchase share", "share"),
    "repeat_value_share": ("Repeat-value share", "share"),
    "share_of_wallet": ("Share of wallet", "share"),
    "p_alive": ("P(alive)", "share"),
    "mean_p_alive": ("Mean P(alive)", "share"),
    "falling_in_share": ("Falling-in share", "share"),
    # habits, in active days per 30 days, and intervals in days
    "rate": (f"Rate {_PER_30}", "rate"),
    "median_rate": (f"Median rate {_PER_30}", "rate"),
    "previous_rate": (f"Previous rate {_PER_30}", "rate"),
    "current_rate": (f"Current rate {_PER_30}", "rate"),
    "recent_rate": (f"Recent rate {_PER_30}", "rate"),
    "expected_rate": (f"Expected rate {_PER_30}", "rate"),
    "active_days": ("Active days", "count"),
    "exposure": ("Exposure (days)", "days"),
    "days_since": ("Days since last active", "days"),
    "interval_days": ("Typical interval (days)", "days"),
    "median_interval_days": ("Median interval (days)", "days"),
    "median_days": ("Median time to first use (days)", "days"),
    "mean_days": ("Mean time to first use (days)", "days"),
    "T": ("Observed for (days)", "days"),  # the repeat-use models' T: days from a user's first day to the end
    "expected_days": ("Expected active days", "number"),
    "mean_expected_days": ("Mean expected active days", "number"),
    # scores and ratios
    "quick_ratio": ("Quick ratio", "number"),
    "lift": ("Lift", "number"),
    "score": ("Health score", "number"),
    "mean_score": ("Mean score", "number"),
    "median_score": ("Median score", "number"),
    "frequency": ("Frequency score", "number"),
    "recency": ("Recency score", "number"),
    "breadth": ("Breadth score", "number"),
    "nps": ("NPS", "number"),
    "log_likelihood": ("Log-likelihood", "number"),
    # money (in the input's currency)
    "mrr": ("MRR", "money"),
    "costs": ("Costs", "money"),
    "profit": ("Profit", "money"),
    "value": ("Value", "money"),
    "repeat_value": ("Repeat value", "money"),
    "average_purchase": ("Average purchase", "money"),
    "category_spend": ("Category spend", "money"),
    "mean_value": ("Mean value", "money"),
    "median_value": ("Median value", "money"),
    # yes or no
    "complete": ("Complete period", "flag"),
    "partial_day": ("Partial day", "flag"),
    "sufficient": ("Enough users", "flag"),
    "frequency_mismatch": ("Frequency mismatch", "flag"),
    "in_accounts": ("In accounts", "flag"),
    "will_be_forgettable": ("Will be forgettable", "flag"),
    "will_fall_in": ("Will fall in", "flag"),
    # the ledger's table
    "reason": ("Reason", "text"),
    "meaning": ("Meaning", "text"),
    # the intervals on the ratios (docs/intervals.md)
    "stickiness_low": ("Stickiness, 95% low", "share"),
    "stickiness_high": ("Stickiness, 95% high", "share"),
    "share_low": ("Share, 95% low", "share"),
    "share_high": ("Share, 95% high", "share"),
    "adoption_rate_low": ("Adoption rate, 95% low", "share"),
    "adoption_rate_high": ("Adoption rate, 95% high", "share"),
    "retention_rate_low": ("Retention rate, 95% low", "share"),
    "retention_rate_high": ("Retention rate, 95% high", "share"),
    "churn_rate_low": ("Churn rate, 95% low", "share"),
    "churn_rate_high": ("Churn rate, 95% high", "share"),
    "small_sample": ("Small sample (< 30 users)", "flag"),
}

#: The sentence an empty table shows, by table name (others: "No row in the NAME table.").
EMPTY: Final[Mapping[str, str]] = {
    "forgettable_zone": "No segment is in the forgettable zone.",
    "rare_as_expected": "No segment is rarely used as its catalog expects.",
    "drifting_users": "No user is drifting: nobody's rate fell below the threshold.",
    "unmapped_events": "Every event is mapped to a use case.",
    "inactive_users": "No user has gone inactive.",
    "dormancy": "No user has gone quiet for longer than their own rhythm.",
    "customers_to_contact": "No customer needs a call: none is critical or at risk.",
    "customers_to_depart": "No account costs more to serve than it brings.",
    "predictions": "No prediction: no use case had enough repeat users to fit a model.",
    "leave_points": "No use case stands out where users leave.",
}

#: Rows a table shows before it is summarised (the rest: "and N more rows", with a link to the full table).
ROWS: Final = 20
#: Each table's element id: unique in a page (great_tables scopes its CSS to it) and the same in every run.
_IDS = itertools.count(1)
#: Text in the cells of missing values.
_MISSING: Final = "–"
#: A table's text size, in CSS px (9.75 pt), and on paper for a table too wide in it (8.25 pt: 8 pt or more).
FONT: Final = 13
SMALL_FONT: Final = 11
#: The width a printed table must fit, in CSS px (1/96 inch): the report's text width on A4 (210 mm less two
#: 12 mm margins = 703 px; Letter's is 725 px), less a little (stickiness_notebooks.pdf.PRINT_WIDTH is the same).
PRINT_WIDTH: Final = 680
#: Rows up to which a table too wide for the paper even in SMALL_FONT prints turned (a column per row);
#: a longer one prints in SMALL_FONT as it is.
TURN_ROWS: Final = 8
#: A cell's left and right padding with its borders, in CSS px (great_tables' 5 px each side).
_PADDING: Final = 12
#: Widths of narrow and wide characters, in em (sans-serif); others: digits 0.64, capitals 0.72, else 0.58.
_EM: Final[Mapping[str, float]] = {
    **dict.fromkeys(" .,:;'|!il()[]", 0.3),
    **dict.fromkeys("fjrt-", 0.4),
    **dict.fromkeys("mwMW%", 0.9),
}
#: On screen a table shows as it is; on paper, a turned copy of it (a short table too wide for the paper). The
#: copy is also hidden by its own style attribute: where a page drops <style> (an untrusted notebook's output
#: is sanitised), the table shows once, as it is.
_SCREEN_OR_PRINT: Final = (
    "@media print { .stickiness-screen { display: none !important; } .stickiness-print { display: block !important; } }"
)


@dataclass(frozen=True)
class Table:
    """A finished table: its HTML (what notebooks and the report show) and how many rows it has and shows.

    ``sentence`` is set (and the HTML is that sentence) when the table is empty.
    """

    html: str
    rows: int
    shown: int
    sentence: str | None = None

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        if self.sentence:
            return self.sentence
        more = f", {self.rows - self.shown:,} more not shown" if self.rows > self.shown else ""
        return f"<table: {self.shown:,} rows shown{more}>"


def label(column: str) -> str:
    """Return a column's human label: :data:`COLUMNS`'s, else the name as it is (a segment or a pivot's value).

    >>> label("median_rate"), label("plan")
    ('Median rate (days per 30)', 'plan')
    """
    known = COLUMNS.get(column)
    return known[0] if known else column


def kind(column: str, dtype: pl.DataType) -> Kind:
    """Return how a column is written: :data:`COLUMNS`'s kind, else one read from its type.

    >>> kind("churn_rate", pl.Float64()), kind("power", pl.Float64()), kind("n", pl.UInt32())
    ('share', 'number', 'count')
    """
    if column in COLUMNS:
        return COLUMNS[column][1]
    if dtype.is_integer():
        return "count"
    if dtype.is_float():
        return "number"
    if dtype.is_temporal():
        return "date"
    return "flag" if dtype == pl.Boolean() else "text"


def empty_sentence(name: str | None) -> str:
    """Return the sentence an empty table ``name`` shows.

    >>> empty_sentence("forgettable_zone")
    'No segment is in the forgettable zone.'
    >>> empty_sentence("one_and_done"), empty_sentence(None)
    ('No row in the one and done table.', 'The table is empty.')
    """
    if name is None:
        return "The table is empty."
    return EMPTY.get(name) or f"No row in the {name.replace('_', ' ')} table."


def table(
    frame: pl.DataFrame | Ledger,
    name: str | None = None,
    *,
    folder: str | None = ".",
    csv: str | None = None,
    rows: int = ROWS,
    empty: str | None = None,
    formats: Mapping[str, Kind] | None = None,
    title: str | None = None,
) -> Table:
    """Return ``frame`` as a finished table: labels, formats and units, its first ``rows`` rows, or a sentence.

    Parameters
    ----------
    frame
        A result table of the kit (any polars frame: unknown columns keep their name and are written by
        type), or a row ledger (``log.ledger``).
    name
        What the table is (``"forgettable_zone"``, ``"inactive_users"``, ...): the empty sentence
        (:data:`EMPTY`) and the name of the full table's file.
    folder
        The report folder the export writes ``tables/`` to, relative to the page or notebook (a template's
        ``out``); None: a summarised table gives no link.
    csv
        The file of the full table in ``FOLDER/tables/``, without ``.csv``; default: ``name``.
    rows
        Rows shown; a longer table shows them and says "and N more rows: the full table is tables/NAME.csv".
    empty
        The sentence an empty table shows; default: :data:`EMPTY`'s, else one naming the table.
    formats
        Kinds for columns :data:`COLUMNS` does not know or that a view writes otherwise, e.g. a pivot's
        segment columns holding shares: ``{"power": "share"}``.
    title
        A title above the table.

    Examples
    --------
    >>> import polars as pl
    >>> zone = pl.DataFrame({"persona": ["admin"], "forgettable_share": [0.6]})
    >>> table(zone.clear(), "forgettable_zone")
    No segment is in the forgettable zone.
    >>> long = table(pl.DataFrame({"users": range(25)}), "inactive_users", rows=10)
    >>> long.shown, long.rows, 'and 15 more rows: the full table is <a href="tables/inactive_users.csv">' in long.html
    (10, 25, True)
    """
    if isinstance(frame, Ledger):
        return _ledger(frame)
    _check(frame, rows, formats)
    if frame.is_empty():
        sentence = empty or empty_sentence(name)
        return Table(f'<p class="stickiness-empty">{html.escape(sentence)}</p>', 0, 0, sentence)
    shown = frame.head(rows)
    kinds = {column: (formats or {}).get(column) or kind(column, shown[column].dtype) for column in shown.columns}
    shown = _dates(shown, kinds)
    texts = {column: _texts(shown[column], written) for column, written in kinds.items()}
    least = least_width(texts, kinds)
    gt = _finished(shown, kinds, name, small=least > PRINT_WIDTH)
    note = _more(frame.height - shown.height, _link(folder, csv or name)) if frame.height > shown.height else None
    if title:
        gt = gt.tab_header(title=title)
    if note is not None:
        gt = gt.tab_source_note(note)
    if least * SMALL_FONT / FONT <= PRINT_WIDTH or shown.height > TURN_ROWS:
        return Table(gt.as_raw_html(), frame.height, shown.height)
    # too wide for the paper even in the small font, and short: on paper each row becomes a column
    turned_frame, turned_kinds = _turned(texts, kinds)
    turned = _finished(turned_frame, turned_kinds, name, small=True).cols_align(
        "right", columns=turned_frame.columns[1:]
    )
    if title:
        turned = turned.tab_header(title=title)
    if note is not None:
        turned = turned.tab_source_note(note)
    page = (
        f"<style>{_SCREEN_OR_PRINT}</style>"
        f'<div class="stickiness-screen">{gt.as_raw_html()}</div>'
        f'<div class="stickiness-print" style="display: none">{turned.as_raw_html()}</div>'
    )
    return Table(page, frame.height, shown.height)


def _check(frame: object, rows: int, formats: Mapping[str, str] | None) -> None:
    """Raise a clear error for what :func:`table` cannot show, naming the keyword to fix."""
    if not isinstance(frame, pl.DataFrame):
        raise UnsupportedSourceError(
            f"table() shows a polars DataFrame (a metric's output) or log.ledger; got a {type(frame).__name__}"
            + (": .collect() it first." if isinstance(frame, pl.LazyFrame) else ".")
        )
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 1:
        raise InvalidOptionError(f"rows={rows!r}: give the number of rows to show, 1 or more (e.g. rows=20).")
    wrong = {column: written for column, written in (formats or {}).items() if written not in get_args(Kind)}
    if wrong:
        raise InvalidOptionError(f"formats={wrong!r}: each kind is one of {', '.join(get_args(Kind))}.")


def _dates(frame: pl.DataFrame, kinds: Mapping[str, Kind]) -> pl.DataFrame:
    """Cast the date columns to dates: day numbers (some tables keep days since 1970 as integers) and times."""
    casts = [
        pl.col(column).cast(pl.Date)
        for column, dtype in frame.schema.items()
        if kinds[column] == "date" and (dtype.is_integer() or isinstance(dtype, pl.Datetime))
    ]
    return frame.with_columns(casts) if casts else frame


def _finished(frame: pl.DataFrame, kinds: Mapping[str, Kind], name: str | None, *, small: bool = False) -> GT:
    """Return the great_tables table of ``frame``: labels, one format per kind, the kit's look.

    ``small``: the table prints in :data:`SMALL_FONT` (a table too wide for the paper in :data:`FONT`).
    """
    from great_tables import GT
    from great_tables import html as gt_html

    # an id per table, the same in every run: great_tables scopes its CSS to it (a random one would change the page)
    table_id = f"stickiness-{name or 'table'}-{next(_IDS)}"
    gt = GT(frame, id=table_id)
    gt = gt.cols_label(cases={column: gt_html(breakable(label(column))) for column in frame.columns})
    text = [column for column, written in kinds.items() if written == "text"]
    if text:
        gt = gt.fmt(_breakable_cell, columns=text)
    by_kind: dict[Kind, list[str]] = {}
    for column, written in kinds.items():
        by_kind.setdefault(written, []).append(column)
    for written, columns in by_kind.items():
        gt = _format(gt, written, columns)
    return (
        gt.sub_missing(missing_text=_MISSING)
        .cols_align("right", columns=[c for c, k in kinds.items() if k not in ("text", "date", "flag")])
        .tab_options(
            table_font_size=f"{FONT}px",
            table_margin_left="0",
            column_labels_font_weight="bold",
            source_notes_font_size=f"{FONT}px",
            container_padding_y="4px",
            data_row_padding="3px",
            table_font_names=["var(--jp-content-font-family)", "system-ui", "sans-serif"],
        )
        .opt_css(_words(table_id) + (_small(table_id) if small else ""))
    )


#: Where a long identifier may break: after ``_``, ``.`` or ``/`` between a letter or digit and a letter
#: (``manage_|listings``, ``example.|com``), never inside a number (``3.5``).
_JOINS: Final = re.compile(r"(?<=[^\W_])([_./])(?=[^\W\d_])")
#: A word this long or longer may break at its joins; a shorter one (``home_buyer``) stays whole.
_LONG: Final = 13
_LONG_WORD: Final = re.compile(rf"\S{{{_LONG},}}")


def breakable(text: str) -> str:
    """Return ``text`` as HTML that breaks only between words, or after ``_``/``.``/``/`` in a long identifier.

    A narrow column then wraps ``manage_listings`` as ``manage_`` / ``listings`` rather than at any
    letter (``manage_lis`` / ``tings``): the ``<wbr>`` is a break the browser takes only when the word does
    not fit. Words shorter than 13 characters (``browse_homes``) stay whole.

    >>> breakable("manage_listings & v1.5"), breakable("browse_homes"), breakable("<b>")
    ('manage_<wbr>listings &amp; v1.5', 'browse_homes', '&lt;b&gt;')
    """
    return _LONG_WORD.sub(lambda word: _JOINS.sub(r"\1<wbr>", word.group()), html.escape(text))


def _breakable_cell(value: object) -> str:
    """Return a text cell's HTML: :func:`breakable` (great_tables writes a formatter's output as HTML)."""
    return breakable(str(value))


def _words(table_id: str) -> str:
    """Return the CSS that keeps words whole in the table ``table_id``, on screen and in print.

    A cell wraps between words only (a page's ``overflow-wrap: anywhere`` would split ``forgett-able``
    at any letter to squeeze a column); numbers stay on one line; column labels wrap between words.
    """
    scope = f"#{table_id} .gt_table"
    return (
        f"{scope} td, {scope} th {{ overflow-wrap: normal !important; word-break: normal !important; }}\n"
        f"{scope} td.gt_right {{ white-space: nowrap !important; }}\n"
        f"{scope} .gt_col_heading {{ white-space: normal !important; }}\n"
    )


def _small(table_id: str) -> str:
    """Return the CSS that prints the table ``table_id`` in :data:`SMALL_FONT` (8.25 pt: still 8 pt or more)."""
    scope = f"#{table_id} .gt_table"
    return f"@media print {{ {scope}, {scope} td, {scope} th {{ font-size: {SMALL_FONT}px !important; }} }}\n"


def _texts(values: pl.Series, written: Kind) -> list[str | None]:
    """Return ``values`` as the table writes them (great_tables' own formats, as :func:`_format` applies them)."""
    from great_tables import vals

    fmt: Any = vals  # its formatters are re-exported without __all__: mypy's strict re-export check misses them
    formatted: list[str]
    items = values.to_list()
    present = [item for item in items if item is not None]
    if written == "count":
        formatted = fmt.fmt_integer(present)
    elif written == "share":
        formatted = fmt.fmt_percent(present, decimals=1)
    elif written == "rate":
        formatted = fmt.fmt_number(present, decimals=1)
    elif written == "days":
        formatted = fmt.fmt_number(present, decimals=1, drop_trailing_zeros=True)
    elif written in ("number", "money"):
        formatted = fmt.fmt_number(present, decimals=2)
    elif written == "date":
        formatted = fmt.fmt_date(present, date_style="iso")
    elif written == "flag":
        formatted = ["yes" if item else "no" for item in present]
    else:
        formatted = [str(item) for item in present]
    written_out = iter(formatted)
    return [None if item is None else next(written_out) for item in items]


def _text_width(text: str, *, bold: bool = False) -> float:
    """Return the estimated width of ``text`` in CSS px at :data:`FONT` (sans-serif: about 0.6 em a letter)."""
    em = sum(_EM.get(char, 0.64 if char.isdigit() else 0.72 if char.isupper() else 0.58) for char in text)
    return em * FONT * (1.08 if bold else 1.0)


def least_width(texts: Mapping[str, list[str | None]], kinds: Mapping[str, Kind]) -> float:
    """Return the estimated narrowest width of a table, in CSS px at :data:`FONT`: its columns' longest words.

    A column is as narrow as its longest word: of its label (bold), and of its cells (a text cell breaks
    between words and after a long identifier's ``_``/``.``/``/``; other cells do not break), plus its
    padding. The estimate decides whether a table prints in :data:`SMALL_FONT`, or turned (:func:`table`);
    the browser test (tests/browser/test_report_print.py) measures what the browser makes of it.

    >>> kinds = {"use_case": "text", "users": "count"}
    >>> short = least_width({"use_case": ["browse_homes"], "users": ["1,234"]}, kinds)
    >>> long = least_width({"use_case": ["browse_homes_and_listings"], "users": ["1,234,567,890"]}, kinds)
    >>> short == least_width({"use_case": ["browse_homes browse"], "users": ["1,234"]}, kinds) < long
    True
    >>> least_width({"use_case": ["manage_listings"]}, {"use_case": "text"}) < short  # "listings" < "browse_homes"
    True
    """
    total = 0.0
    for column, written in kinds.items():
        heading = max((_text_width(word, bold=True) for word in label(column).split()), default=0.0)
        pieces = [piece for text in texts[column] if text for piece in _breaks(text, written)]
        body = max((_text_width(piece) for piece in pieces), default=0.0)
        total += max(heading, body) + _PADDING
    return total


def _breaks(text: str, written: Kind) -> list[str]:
    """Return the pieces a cell may break into: words and identifiers' parts in text, the whole elsewhere."""
    if written != "text":
        return [text]
    joined = (_JOINS.sub(r"\1 ", word) if len(word) >= _LONG else word for word in text.split())
    return [piece for word in joined for piece in word.split()]


def _turned(texts: Mapping[str, list[str | None]], kinds: Mapping[str, Kind]) -> tuple[pl.DataFrame, dict[str, Kind]]:
    """Return a short, wide table turned: a row per column (its label), a column per row (named by its keys).

    The row's keys are its leading text columns (``homeowner × browse_homes``), else its number; the
    values are already written as the table writes them.
    """
    columns = list(kinds)
    keys = list(itertools.takewhile(lambda column: kinds[column] == "text", columns))[:2]
    rows = len(texts[columns[0]])
    names: list[str] = []
    for row in range(rows):  # the rows shown, TURN_ROWS at most: a heading each
        name = " × ".join(texts[key][row] or _MISSING for key in keys) or f"Row {row + 1}"
        while name in names:
            name += " "  # a repeated key: the column names of a frame are unique (the label is the same)
        names.append(name)
    values = [column for column in columns if column not in keys]
    cells = {name: [texts[column][row] for column in values] for row, name in enumerate(names)}
    frame = pl.DataFrame(
        {"": [label(column) for column in values], **cells}, schema=dict.fromkeys(["", *names], pl.String)
    )
    turned: dict[str, Kind] = dict.fromkeys(frame.columns, "text")
    return frame, turned


def _format(gt: GT, written: Kind, columns: list[str]) -> GT:
    """Apply one kind's format to ``columns``."""
    if written == "count":
        return gt.fmt_integer(columns)
    if written == "share":
        return gt.fmt_percent(columns, decimals=1)
    if written == "rate":
        return gt.fmt_number(columns, decimals=1)
    if written == "days":
        return gt.fmt_number(columns, decimals=1, drop_trailing_zeros=True)
    if written in ("number", "money"):
        return gt.fmt_number(columns, decimals=2)
    if written == "date":
        return gt.fmt_date(columns, date_style="iso")
    if written == "flag":
        return gt.fmt_tf(columns, tf_style="yes-no")
    return gt


def _link(folder: str | None, stem: str | None) -> str | None:
    """Return the relative link to the full table, ``FOLDER/tables/STEM.csv`` (None without both)."""
    if folder is None or not stem:
        return None
    return posixpath.normpath(posixpath.join(folder, "tables", f"{stem}.csv"))


def _more(hidden: int, link: str | None) -> Html:
    """Return the note under a summarised table: how many rows are not shown, and where they are."""
    from great_tables import html as gt_html

    if link is None:
        return gt_html(f"and {hidden:,} more rows, not shown.")
    target = html.escape(link, quote=True)
    return gt_html(f'and {hidden:,} more rows: the full table is <a href="{target}">{html.escape(link)}</a>.')


def _ledger(ledger: Ledger) -> Table:
    """Return the row ledger as a finished table: rows read, used, set aside (by reason) and users; notes below."""
    from great_tables import html as gt_html
    from great_tables import loc, style

    reasons = [reason for reason, rows in ledger.set_aside.items() if rows]
    frame = pl.DataFrame(
        {
            "": ["rows read", "rows used", "set aside", *reasons, f"{ledger.unit}s"],
            "rows": [ledger.rows_read, ledger.rows_used, ledger.rows_set_aside]
            + [ledger.set_aside[r] for r in reasons]
            + [ledger.users],
            "meaning": ["", "used by the metrics", ""] + [REASONS.get(r, "") for r in reasons] + [""],
        },
        schema={"": pl.String, "rows": pl.Int64, "meaning": pl.String},
    )
    gt = (
        _finished(frame, {"": "text", "rows": "count", "meaning": "text"}, "ledger")
        .tab_header(title=gt_html("<b>Row ledger</b>"), subtitle="rows read = rows used + rows set aside")
        .opt_align_table_header("left")
    )
    if reasons:  # the reasons sit under "set aside", indented
        gt = gt.tab_style(style.css("padding-left: 1.5em"), loc.body(columns="", rows=list(range(3, 3 + len(reasons)))))
    notes = list(ledger.notes)
    if ledger.users_without_segment:
        notes.insert(0, f"{ledger.users_without_segment:,} users are not in the users table: segment '(unknown)'")
    for note in notes:
        gt = gt.tab_source_note(note)
    return Table(gt.as_raw_html(), frame.height, frame.height)
