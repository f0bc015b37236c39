"""Explain why an input file could not be read: which file, which line, and the fix.

polars stops on a malformed file with a message about its own parser (and, for an
unbalanced quote, megabytes of the file). Only then, on that error path, the files
are looked at again with Python's ``csv`` and ``json`` modules, a bounded number of
lines, to name the file, the line and what to change; that becomes an
:class:`~stickiness.InputFileError`. A polars error that no file explains is left as it is.
"""

from __future__ import annotations

import csv
import functools
import glob
import inspect
import io
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, TypeVar

import polars as pl

from stickiness._encoding import check_encoding, first_invalid_utf8, is_native, open_bytes
from stickiness._engine import check_memory_limit, within_memory
from stickiness._sources import file_format, folder_files, json_problem, suffix_of
from stickiness.exceptions import InputFileError, StickinessError

__all__ = ["READ_ERRORS", "explain", "explain_read_errors", "explained"]

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

#: What polars (or the system) raises when a file cannot be read.
READ_ERRORS: tuple[type[BaseException], ...] = (
    pl.exceptions.ComputeError,
    pl.exceptions.SchemaError,
    pl.exceptions.SchemaFieldNotFoundError,
    pl.exceptions.ShapeError,
    PermissionError,
    IsADirectoryError,
)
#: Lines looked at, at most, to find a malformed row (the error path stays quick on a huge file).
DIAGNOSE_LINES = 2_000_000
#: Largest ``.json`` file parsed whole to tell one pretty-printed object from broken NDJSON.
_WHOLE_JSON = 64 << 20
#: Words of polars' messages about a file it cannot parse (as opposed to an error in a computation).
_POLARS_READ_ERRORS = (  # the first three are about CSV rows
    "CSV malformed",
    "could not parse",
    "more fields than defined",
    "invalid utf-8",
    "schema names differ",
    "schema lengths differ",
    "NDJSON",
    "at character",
    "out of specification",
)
_FIX_CSV = (
    "Fix or remove that row: a field holding the separator, a quote or a line break must be in double quotes, "
    'with each quote inside doubled ("say ""hi""")'
)


def explain_read_errors(func: F) -> F:
    """Decorate ``read_log`` so that a polars read error its files explain becomes an :class:`InputFileError`.

    The files are the ``source`` and ``users`` arguments; the error names the file, the line and the fix.
    """
    signature = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            limit = kwargs.get("memory_limit")
            with within_memory(check_memory_limit(limit) if isinstance(limit, str) else None):  # the engine's reads
                return func(*args, **kwargs)
        except READ_ERRORS as err:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            given = bound.arguments
            inputs = [("log", given.get("source")), ("users table", given.get("users"))]
            better = explain(inputs, encoding=str(given.get("encoding", "utf-8")), error=err)
            if better is None:
                raise
            raise better from err

    return wrapper  # type: ignore[return-value]


def explained(inputs: list[tuple[str, Any]], read: Callable[[], T], *, encoding: str | None = "utf-8") -> T:
    """Return ``read()``; a read error that one of ``inputs`` explains becomes an :class:`InputFileError`.

    ``encoding=None``: the caller has no encoding option, so a file that is not UTF-8 is
    to be saved as UTF-8.
    """
    try:
        return read()
    except READ_ERRORS as err:
        better = explain(inputs, encoding=encoding, error=err)
        if better is None:
            raise
        raise better from err


def explain(
    inputs: list[tuple[str, Any]], *, encoding: str | None = "utf-8", error: BaseException | None = None
) -> InputFileError | None:
    """Return an :class:`InputFileError` for the first problem found in the files of ``inputs``, or None.

    ``inputs`` are ``(role, source)`` pairs, e.g. ``("log", "events.csv")``; sources that
    are not local paths are skipped. When no file shows a problem (it lies beyond the
    lines looked at) but ``error`` is one of polars' file-reading errors, the error
    names the input and quotes polars' message, cut short.
    """
    try:
        codec = check_encoding(encoding or "utf-8")
    except StickinessError:
        codec = "utf-8"
    for role, source in inputs:
        if not isinstance(source, (str, os.PathLike)):
            continue
        try:
            kind, suffix = file_format(Path(source), role=role)
        except (StickinessError, OSError):
            continue
        files = _files(Path(source))
        try:
            problem = _problem(kind, suffix, files, encoding=codec, option=encoding is not None)
        except OSError as err:  # a file that cannot be opened: that is the problem
            problem = f"file {str(err.filename)!r} cannot be read: {err.strerror}. Check the file and its permissions"
        if problem:
            return InputFileError(f"the {role} {problem}")
    paths = [(role, source) for role, source in inputs if isinstance(source, (str, os.PathLike))]
    if error is not None and paths and any(marker in str(error) for marker in _POLARS_READ_ERRORS):
        role, source = paths[0] if len(paths) == 1 else ("log or users table", " / ".join(str(p) for _, p in paths))
        csv_like = any(marker in str(error) for marker in _POLARS_READ_ERRORS[:3])
        return InputFileError(
            f"the {role} {str(source)!r} cannot be read: {_cap(' '.join(str(error).split()), 160)}. "
            f"No problem shows in its first {DIAGNOSE_LINES:,} lines: look further on."
            + (f" {_FIX_CSV}." if csv_like else "")
        )
    return None


def _files(path: Path) -> list[Path]:
    """List the files of a path, glob or folder, without empty part files (as they are read)."""
    text = str(path)
    if path.is_dir():
        files = folder_files(path)
    elif any(ch in text for ch in "*?["):
        files = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
    else:
        return [path] if path.is_file() else []
    return [file for file in files if file.stat().st_size] if len(files) > 1 else files


def _problem(kind: str, suffix: str, files: list[Path], *, encoding: str, option: bool = True) -> str | None:
    """Describe the first problem of ``files`` (of one input), or None."""
    text = kind not in ("parquet", "parquet_dir")
    if text and is_native(encoding):
        for file in files:
            found = _not_utf8(file, option=option)
            if found:
                return found
    different = _different_schemas(files, text=text, separator="\t" if suffix == ".tsv" else ",", encoding=encoding)
    if different:
        return different
    for file in files:
        if kind in ("csv", "csv_dir"):
            found = _csv_problem(file, separator="\t" if suffix_of(file) == ".tsv" else ",", encoding=encoding)
        elif kind in ("ndjson", "json"):
            found = _json_problem(file, encoding=encoding)
        else:
            found = _parquet_problem(file)
        if found:
            return f"file {str(file)!r} {found}"
    return None


def _not_utf8(file: Path, *, option: bool = True) -> str | None:
    found = first_invalid_utf8(file)
    if found is None:
        return None
    offset, line, byte = found
    with open_bytes(file) as raw:
        start = raw.read(2)
    if not option:
        hint = "Save it as UTF-8 (most editors and spreadsheets: 'Save as' with encoding UTF-8)."
    elif start in (b"\xff\xfe", b"\xfe\xff"):
        hint = "It starts with a UTF-16 byte-order mark: pass encoding='utf-16'."
    else:
        hint = "Pass the file's encoding, e.g. encoding='latin-1' (or encoding='cp1252' for Windows exports)."
    return (
        f"file {str(file)!r} is not UTF-8 text: byte 0x{byte:02X} on line {line:,} (byte offset {offset:,}) "
        f"is not valid UTF-8. {hint}"
    )


def _text(file: Path, encoding: str) -> IO[str]:
    """``file`` as text for the csv and json modules: no newline translation, undecodable bytes replaced."""
    codec = "utf-8-sig" if is_native(encoding) else encoding
    return io.TextIOWrapper(open_bytes(file), encoding=codec, errors="replace", newline="")


def _header(file: Path, *, separator: str, encoding: str) -> list[str]:
    with _text(file, encoding) as text:
        return next((row for row in csv.reader(text, delimiter=separator) if row), [])


def _different_schemas(files: list[Path], *, text: bool, separator: str, encoding: str) -> str | None:
    """Name two files of one input whose columns differ, and the columns, or None."""
    if len(files) < 2:
        return None
    schemas: list[dict[str, str]] = []
    for file in files:
        if text and suffix_of(file) in (".csv", ".tsv", ".txt"):
            schemas.append({name: "" for name in _header(file, separator=separator, encoding=encoding)})
        elif not text:
            schemas.append({name: str(dtype) for name, dtype in pl.read_parquet_schema(file).items()})
        else:
            return None
    first = schemas[0]
    for file, schema in zip(files[1:], schemas[1:], strict=True):
        if schema == first and (not text or list(schema) == list(first)):
            continue
        parts = _schema_differences(first, schema)
        order = " (names and order)" if text else " and types"
        return _cap(
            f"files {str(files[0])!r} and {str(file)!r} have different columns ({'; '.join(parts)}). "
            f"Give every file the same columns{order}, or read files of one shape: one file, or a glob such as "
            f"{str(file.parent / ('*' + suffix_of(file)))!r}.",
            600,
        )
    return None


def _schema_differences(first: dict[str, str], second: dict[str, str]) -> list[str]:
    """Say how two files' columns (name -> type, ``""`` when unknown) differ: names, types, else their order."""
    parts = []
    if only := [c for c in first if c not in second]:
        parts.append(f"only in the first: {only}")
    if only := [c for c in second if c not in first]:
        parts.append(f"only in the second: {only}")
    if types := [f"{c} {first[c]} vs {second[c]}" for c in first if c in second and first[c] != second[c]]:
        parts.append(f"different types: {', '.join(types)}")
    return parts or [f"the same columns in another order: {list(first)} vs {list(second)}"]


def _records(text: IO[str], separator: str) -> Iterator[tuple[int, list[str], str]]:
    """Yield ``(first line, fields, raw text)`` of each CSV record, strictly parsed."""
    raw: list[str] = []

    def lines() -> Iterator[str]:
        for line in text:
            raw.append(line)
            yield line

    reader = csv.reader(lines(), delimiter=separator, strict=True)
    end = 0
    while True:
        start = end + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise _CsvError(start, str(err), "".join(raw)) from None
        end = reader.line_num
        yield start, fields, "".join(raw)
        raw.clear()


class _CsvError(Exception):
    def __init__(self, line: int, reason: str, raw: str) -> None:
        super().__init__(reason)
        self.line, self.reason, self.raw = line, reason, raw


def _csv_problem(file: Path, *, separator: str, encoding: str) -> str | None:
    """Describe the first malformed row of a CSV file (too many fields, a quote out of place), or return None."""
    header: int | None = None
    try:
        with _text(file, encoding) as text:
            for line, fields, raw in _records(text, separator):
                if line > DIAGNOSE_LINES:
                    return None
                if not fields:
                    continue
                if raw.count('"') % 2:
                    return f"has an unbalanced quote on line {line:,}: {_snippet(raw)}. {_FIX_CSV}."
                if header is None:
                    header = len(fields)
                elif len(fields) > header:
                    return (
                        f"has {len(fields)} fields on line {line:,} where the header has {header}: "
                        f"{_snippet(raw)}. {_FIX_CSV}."
                    )
    except _CsvError as err:
        # otherwise 'unexpected end of data' or 'field larger than field limit': a quote that is never closed
        what = "text after a closing quote" if "expected after" in err.reason else "a quote that is never closed"
        return f"has {what} on line {err.line:,}: {_snippet(err.raw)}. {_FIX_CSV}."
    return None


def _json_problem(file: Path, *, encoding: str) -> str | None:
    """Describe the first line of an NDJSON file that is not one JSON object (or a JSON array's problem), or None."""
    with _text(file, encoding) as text:
        head = text.read(4096).lstrip("\ufeff \t\r\n")[:1]
    if head == "[" and suffix_of(file) == ".json":
        return f"is not a JSON array of objects: {json_problem(file)}"
    if head == "{" and suffix_of(file) == ".json" and file.stat().st_size < _WHOLE_JSON and _one_object(file):
        return (
            "holds one JSON object over several lines: neither NDJSON (one object per line) nor an array of "
            "objects ([{...}, {...}]). Export the rows as one of these."
        )
    with _text(file, encoding) as text:
        for number, line in enumerate(text, start=1):  # the error path only, and bounded
            if number > DIAGNOSE_LINES:
                return None
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except ValueError as err:
                reason = getattr(err, "msg", str(err))
                return (
                    f"has a broken line {number:,} ({reason}): {_snippet(line)}. Fix or remove that line: "
                    "NDJSON has one JSON object per line"
                    + (" (a file holding one JSON array is read when its name ends in .json)" if head == "[" else "")
                    + "."
                )
            if not isinstance(value, dict):
                return (
                    f"has a JSON {type(value).__name__} on line {number:,}, not an object: {_snippet(line)}. "
                    "NDJSON has one JSON object per line."
                )
    return None


def _one_object(file: Path) -> bool:
    """Whether ``file`` is one JSON object (pretty-printed over several lines)."""
    try:
        return isinstance(json.loads(file.read_bytes()), dict)
    except ValueError:
        return False


def _parquet_problem(file: Path) -> str | None:
    with file.open("rb") as raw:
        start = raw.read(4)
        raw.seek(max(file.stat().st_size - 4, 0))
        end = raw.read(4)
    if start == end == b"PAR1":
        return None
    return (
        "is not a whole Parquet file (it does not start and end with 'PAR1'): it may be cut short or in another "
        "format. Write it again, or point at the right file."
    )


def _snippet(raw: str) -> str:
    return repr(_cap(raw.rstrip("\r\n"), 80))


def _cap(text: str, limit: int = 200) -> str:
    """``text`` cut to ``limit`` characters: a message never echoes a file at length."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
