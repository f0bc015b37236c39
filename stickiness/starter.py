"""A catalog to start from: every event of a log with its count and users, and a guessed use case.

:func:`starter_catalog` lists each event once, most frequent first, with a blank
``use_case`` for the analyst to fill in and a ``guess`` taken from common words in
the event's name (:data:`GUESSES`). A guess is only a suggestion: it is never
copied into ``use_case``, and :func:`~stickiness.read_catalog` reads only
``use_case`` (rows left blank are set aside and counted, their events unmapped).
The rules are in docs/use-cases.md ("A catalog to start from").
"""

from __future__ import annotations

import narwhals as nw
import polars as pl

from stickiness._engine import collect, lift
from stickiness._sources import Source
from stickiness.log import UsageLog, as_log

__all__ = ["GUESSES", "STARTER_SCHEMA", "guess_use_cases", "starter_catalog"]

#: Columns of :func:`starter_catalog`, in order.
STARTER_SCHEMA: dict[str, pl.DataType] = {
    "event": pl.String(),
    "use_case": pl.String(),
    "guess": pl.String(),
    "guessed_from": pl.String(),
    "events": pl.Int64(),
    "users": pl.Int64(),
}

#: The guesses, in the order they are tried (the first that matches a word of the name wins): a use case and
#: the words that suggest it. A word also matches with the endings s, es, d, ed, ing, er, ers (and a final
#: e dropped before ing: ``share`` -> ``sharing``), but for those in :data:`_EXACT` (``news`` is no ``new``);
#: ``log_in`` matches the two words ``log`` ``in`` in a row.
GUESSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sign in", ("login", "logon", "log_in", "log_on", "logged_in", "signin", "sign_in", "signed_in", "sso", "auth")),
    ("sign up", ("signup", "sign_up", "signed_up", "register", "registration", "onboard", "onboarding")),
    ("billing", ("pay", "paid", "payment", "checkout", "check_out", "billing", "invoice", "subscribe", "purchase")),
    ("export", ("export", "download", "print")),
    ("import", ("import", "upload")),
    ("collaborate", ("share", "invite", "comment", "mention", "collaborate")),
    ("settings", ("settings", "setting", "preference", "prefs", "config", "configure", "configuration")),
    ("search", ("search", "query", "queries", "queried", "find", "filter", "lookup", "look_up")),
    ("reporting", ("report", "dashboard", "chart", "analytics", "insight")),
    ("create", ("create", "new", "add")),
)

_ENDINGS = "(?:s|es|d|ed|ing|er|ers)?"
#: Words matched only as they are.
_EXACT = frozenset({"new"})


def _word_pattern(words: tuple[str, ...]) -> str:
    """Return a regex matching one of ``words`` (with an ending) as a whole word of a name split by :func:`_words`."""
    forms = [word if word in _EXACT else f"{word}{_ENDINGS}" for word in words]
    forms += [f"{word[:-1]}ing" for word in words if word.endswith("e") and word not in _EXACT]
    return "_(" + "|".join(forms) + ")_"


def _words(event: pl.Expr) -> pl.Expr:
    """``_word_word_``: the name's words, lower case, split at camelCase and at anything not a letter or digit."""
    camel = event.str.replace_all(r"(\p{Ll}|\p{N})(\p{Lu})", "${1}_${2}").str.replace_all(
        r"(\p{Lu})(\p{Lu}\p{Ll})", "${1}_${2}"
    )  # exportPDF -> export_PDF, HTMLExport -> HTML_Export
    return pl.lit("_") + camel.str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]+", "_") + pl.lit("_")


def guess_use_cases(events: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Return the guessed use case of each event name and the word it was guessed from (both null: no guess).

    The first entry of :data:`GUESSES` with a word in the name wins, so ``report_exported``
    is an export and ``share_dashboard`` a collaboration.

    Examples
    --------
    >>> import polars as pl
    >>> names = pl.DataFrame({"event": ["UserLoggedIn", "report.exported", "search-run", "heartbeat"]})
    >>> guess, word = guess_use_cases(pl.col("event"))
    >>> names.select(guess=guess, word=word).rows()
    [('sign in', 'logged_in'), ('export', 'exported'), ('search', 'search'), (None, None)]
    """
    words = _words(events)
    guess: pl.Expr = pl.lit(None, dtype=pl.String)
    matched: pl.Expr = pl.lit(None, dtype=pl.String)
    for use_case, names in reversed(GUESSES):  # built from the last, so the first entry is tried first
        pattern = _word_pattern(names)
        found = words.str.contains(pattern)
        guess = pl.when(found).then(pl.lit(use_case)).otherwise(guess)
        matched = pl.when(found).then(words.str.extract(pattern, 1)).otherwise(matched)
    return guess, matched


def starter_catalog(data: UsageLog | Source) -> pl.DataFrame:
    """List every event of a log, with its count, its users and a guessed use case: a catalog to fill in.

    Parameters
    ----------
    data
        A :class:`~stickiness.UsageLog`, or anything :func:`~stickiness.read_log` reads.

    Returns
    -------
    polars.DataFrame
        One row per event, most events first (ties by event name), with the columns
        of :data:`STARTER_SCHEMA`: ``event`` (String), ``use_case`` (String, blank:
        for the analyst to fill in), ``guess`` (String: a use case suggested by a
        word of the name, :data:`GUESSES`; null when none), ``guessed_from`` (the
        word), ``events`` (Int64: rows of the log after removing exact duplicates,
        as in :func:`~stickiness.unmapped_events`) and ``users`` (Int64: distinct
        users), over the whole log.

    Raises
    ------
    EmptyLogError
        The log has no usable row (its ledger says why).

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> events = pl.DataFrame({
    ...     "user_id": ["a", "a", "b", "b"],
    ...     "timestamp": [dt.datetime(2024, 1, d) for d in (1, 2, 1, 3)],
    ...     "event": ["sign_in", "sign_in", "sign_in", "exportPDF"],
    ... })
    >>> starter_catalog(events).rows()
    [('sign_in', None, 'sign in', 'sign_in', 3, 2), ('exportPDF', None, 'export', 'export', 1, 1)]
    """
    log = as_log(data).require_rows()
    activity = lift(log, activity=log.activity)["activity"]
    # one group-by over the activity (user, day, event, events); only the per-event counts come back
    counts = activity.group_by("event").agg(
        nw.col("events").sum().alias("events"), nw.col("user").n_unique().alias("users")
    )
    table = collect(counts, {"event": pl.String(), "events": pl.Int64(), "users": pl.Int64()})
    guess, matched = guess_use_cases(pl.col("event"))
    return (
        table.with_columns(use_case=pl.lit(None, dtype=pl.String), guess=guess, guessed_from=matched)
        .select(list(STARTER_SCHEMA))
        .cast(STARTER_SCHEMA)  # type: ignore[arg-type]
        .sort(["events", "event"], descending=[True, False])
    )
