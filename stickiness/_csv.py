"""Spreadsheet-safe CSV: text cells that a spreadsheet would run as a formula get a leading single quote.

Excel, LibreOffice and Google Sheets run a cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return as a formula (CSV injection; OWASP's guidance is
to prefix such cells with ``'``). A user id, persona or event name comes from the
analyst's data, so every table the kit writes goes through :func:`write_table`.
Only text cells (and column names) are changed; numbers, dates and booleans are
written as they are, so ``-3`` in a numeric column stays the number ``-3``.

The rule is invertible: a text cell that starts with any number of ``'`` followed by
one of those characters gets one more ``'``, and :func:`unescape_table` removes one
``'`` from exactly those cells (docs/outputs.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import polars as pl

__all__ = ["FORMULA_START", "escape_formulas", "read_table", "unescape_table", "write_table"]

#: The characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_CLASS: Final = "[=+\\-@\\t\\r]"
#: Cells to escape: any run of quotes, then a formula character (so that unescaping is exact).
_ESCAPE: Final = f"^'*{_CLASS}"
#: Cells that were escaped: at least one quote, then a formula character.
_ESCAPED: Final = f"^'+{_CLASS}"
_TEXT: Final = (pl.String, pl.Categorical, pl.Enum)
#: Rows :func:`read_table` infers column types from before reading the whole file for them.
_INFER_ROWS: Final = 10_000


def _text_columns(frame: pl.DataFrame) -> list[str]:
    return [name for name, dtype in frame.schema.items() if isinstance(dtype, _TEXT)]


def _escape_name(name: str) -> str:
    return "'" + name if pl.Series([name]).str.contains(_ESCAPE).item() else name


def escape_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with every formula-like text cell and column name prefixed with ``'``.

    >>> escape_formulas(pl.DataFrame({"user": ["=1+2", "ann", "'-x"], "n": [-1, 2, 3]})).rows()
    [("'=1+2", -1), ('ann', 2), ("''-x", 3)]
    """
    escaped = [
        pl.when(pl.col(name).cast(pl.String).str.contains(_ESCAPE))
        .then(pl.lit("'") + pl.col(name).cast(pl.String))
        .otherwise(pl.col(name).cast(pl.String))
        .alias(name)
        for name in _text_columns(frame)
    ]
    return frame.with_columns(escaped).rename(_escape_name)


def unescape_table(frame: pl.DataFrame) -> pl.DataFrame:
    """Undo :func:`write_table`'s prefix on a table read back: one leading ``'`` off each escaped text cell and name.

    Read the CSV with text columns as text (e.g. ``pl.read_csv(path, infer_schema_length=0)``
    or the default inference: an escaped cell keeps its column text).

    >>> unescape_table(pl.DataFrame({"'=user": ["'=1+2", "ann", "''-x", "'plain"]})).to_dict(as_series=False)
    {'=user': ['=1+2', 'ann', "'-x", "'plain"]}
    """
    restored = [
        pl.when(pl.col(name).str.contains(_ESCAPED)).then(pl.col(name).str.slice(1)).otherwise(pl.col(name)).alias(name)
        for name, dtype in frame.schema.items()
        if dtype == pl.String
    ]
    return frame.with_columns(restored).rename(
        lambda name: name[1:] if pl.Series([name]).str.contains(_ESCAPED).item() else name
    )


def write_table(frame: pl.DataFrame, path: str | Path, *, spreadsheet_safe: bool = True) -> Path:
    """Write ``frame`` as CSV to ``path``, spreadsheet-safe unless ``spreadsheet_safe=False``; return the path.

    Parameters
    ----------
    frame
        The table.
    path
        The CSV file to write (its folder must exist).
    spreadsheet_safe
        Prefix text cells (and column names) that start with ``=``, ``+``, ``-``,
        ``@``, a tab or a carriage return with ``'``, so that Excel shows them as
        text instead of running them (default). ``False`` writes the values
        verbatim, for programs that read the CSV.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> frame = pl.DataFrame({"user": ["=HYPERLINK(1)", "-ann"], "days": [-2, 3]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     print(write_table(frame, pathlib.Path(folder) / "t.csv").read_text(), end="")
    user,days
    '=HYPERLINK(1),-2
    '-ann,3
    """
    target = Path(path)
    (escape_formulas(frame) if spreadsheet_safe else frame).write_csv(target)
    return target


def read_table(path: str | Path) -> pl.DataFrame:
    """Read a table :func:`write_table` wrote: dates parsed, text cells and names unescaped.

    Column types are inferred from the first 10,000 rows; a file whose types show
    only later (a column of whole numbers with a decimal after that, or one empty in
    those rows) is read again with every row inferred. Reading every row's types with date parsing costs about
    a second per 100,000 rows, hence the two steps.

    Examples
    --------
    >>> import datetime as dt, tempfile, pathlib
    >>> frame = pl.DataFrame({"user": ["-ann", "bo"], "day": [dt.date(2024, 1, 2), None]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     read_table(write_table(frame, pathlib.Path(folder) / "t.csv")).equals(frame)
    True
    """
    try:
        frame = pl.read_csv(path, try_parse_dates=True, infer_schema_length=_INFER_ROWS)
    except pl.exceptions.ComputeError:  # a type that shows after the inferred rows: infer from them all
        frame = pl.read_csv(path, try_parse_dates=True, infer_schema_length=None)
    else:
        # a column empty in the inferred rows was typed as text whatever follows (dates, numbers): from them all
        text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
        head = frame.head(_INFER_ROWS)
        if frame.height > _INFER_ROWS and text and head.select(pl.col(text).is_null().all()).row(0).count(True):
            frame = pl.read_csv(path, try_parse_dates=True, infer_schema_length=None)
    return unescape_table(frame)
