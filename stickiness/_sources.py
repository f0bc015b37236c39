"""Turn any supported input into a polars LazyFrame, without reading it yet.

Files are *scanned* (nothing is loaded until a query runs), so logs larger than
memory work. CSV is read with every column as text: the kit parses times itself
(so a bad value is counted, not fatal) and user ids keep their leading zeros.

A log in Spark (a Spark DataFrame, or a path read with ``engine="pyspark"``) is
read and reduced in Spark by the engine package (``stickiness/_engine/_spark.py``).
"""

from __future__ import annotations

import glob
import json
import os
import re
import tempfile
import weakref
from pathlib import Path
from typing import Any

import polars as pl

from stickiness._encoding import CHUNK, check_encoding, is_native, open_bytes, transcode
from stickiness._engine import is_spark_frame, to_polars
from stickiness.exceptions import InputFileError, UnsupportedSourceError
from stickiness.typing import Source

__all__ = ["CSV_SUFFIXES", "NDJSON_SUFFIXES", "PARQUET_SUFFIXES", "Source", "file_format", "scan_source"]


#: The file endings of each format the readers know.
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")
NDJSON_SUFFIXES = (".ndjson", ".jsonl", ".json")
_SUPPORTED = (
    "CSV (.csv, .tsv, .txt, also gzipped: .csv.gz), Parquet (.parquet, .pq; file, glob or folder), "
    "NDJSON (.ndjson, .jsonl), JSON (.json: NDJSON or one array of objects)"
)


def scan_source(source: Source, *, role: str = "log", encoding: str = "utf-8") -> pl.LazyFrame:
    """Return a lazy polars frame over ``source``.

    Parameters
    ----------
    source
        A path (file, glob or folder of Parquet or CSV files), or a polars, pandas or
        pyarrow frame.
    role
        What the source is (``"log"`` or ``"users table"``), used in error messages.
    encoding
        The text encoding of CSV and JSON files (default ``"utf-8"``). Files in
        another encoding are transcoded to a temporary UTF-8 copy, deleted when the
        returned frame is.

    Examples
    --------
    >>> import polars as pl
    >>> scan_source(pl.DataFrame({"user_id": ["a"]})).collect().rows()
    [('a',)]
    """
    codec = check_encoding(encoding)
    if isinstance(source, pl.LazyFrame):
        return source
    if isinstance(source, pl.DataFrame):
        return source.lazy()
    if isinstance(source, (str, os.PathLike)):
        return _scan_path(Path(source), role=role, encoding=codec)
    if is_spark_frame(source):
        return to_polars(source).lazy()  # a users table: small, collected whole
    module = type(source).__module__.split(".")[0]
    if module == "pandas":
        return pl.from_pandas(source).lazy()
    if module == "pyarrow":
        frame = pl.from_arrow(source)
        if isinstance(frame, pl.Series):
            frame = frame.to_frame()
        return frame.lazy()
    if module == "narwhals":
        return _scan_narwhals(source)
    raise UnsupportedSourceError(
        f"cannot read the {role} from a {type(source).__name__}. "
        f"Pass a file path ({_SUPPORTED}) or a polars, pandas, pyarrow or Spark frame."
    )


def _scan_narwhals(source: Any) -> pl.LazyFrame:
    import narwhals as nw

    native = nw.to_native(source)
    return scan_source(native)


def suffix_of(path: Path) -> str:
    """Return the ending that tells a file's format, lower case; ``.csv`` for ``events.csv.gz``.

    >>> suffix_of(Path("logs/events.CSV.gz"))
    '.csv'
    """
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes[-1:] == [".gz"] and len(suffixes) > 1 and suffixes[-2] in CSV_SUFFIXES:
        return suffixes[-2]
    return suffixes[-1] if suffixes else ""


def folder_files(path: Path) -> list[Path]:
    """List the data files of a folder at any depth, sorted, skipping hidden ones (``.x``, ``_SUCCESS``).

    Hidden names are what Spark, Hadoop and editors leave beside the data (``_SUCCESS``,
    ``.part-0.crc``, ``.DS_Store``); they are not part of the log.
    """
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file() and not any(part.startswith((".", "_")) for part in p.relative_to(path).parts)
    )


def file_format(path: Path, *, role: str, local: bool = True) -> tuple[str, str]:
    """Return a path's ``(format, suffix)``.

    The format is ``"parquet"``, ``"csv"``, ``"ndjson"``, ``"json"``, or a folder's ``"parquet_dir"``
    or ``"csv_dir"``. Only ``local`` paths are listed and checked for existence.
    """
    text = str(path)
    if local and path.is_dir():
        files = folder_files(path)
        suffixes = {suffix_of(p) for p in files}
        if files and suffixes <= set(PARQUET_SUFFIXES):
            return "parquet_dir", ".parquet"
        if files and suffixes <= set(CSV_SUFFIXES):
            return "csv_dir", ".tsv" if suffixes == {".tsv"} else ".csv"
        if not files:
            raise InputFileError(
                f"the {role} folder {text!r} holds no data files. Point at the folder that holds the "
                "Parquet or CSV files, or at one file."
            )
        raise UnsupportedSourceError(
            f"the {role} folder {text!r} does not hold only Parquet or only CSV files "
            f"(found {sorted(suffixes)}). Point at one file, a glob such as {str(path / '*.csv')!r}, "
            "or a folder of files of one format."
        )
    if local and not any(ch in text for ch in "*?[") and not path.exists():
        raise FileNotFoundError(f"the {role} file {text!r} does not exist. Check the path.")
    suffix = suffix_of(path)
    if suffix == ".json":
        return "json", suffix
    for kind, endings in (("csv", CSV_SUFFIXES), ("parquet", PARQUET_SUFFIXES), ("ndjson", NDJSON_SUFFIXES)):
        if suffix in endings:
            return kind, suffix
    raise UnsupportedSourceError(
        f"cannot tell the format of the {role} {text!r} from its ending {suffix!r}. Supported: {_SUPPORTED}."
    )


def text_files(path: Path, *, role: str) -> list[Path]:
    """List the files a path to text (CSV, JSON) names: itself, the files a glob matches, or a folder's files."""
    text = str(path)
    if path.is_dir():
        files = folder_files(path)
    elif any(ch in text for ch in "*?["):
        files = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
        if not files:
            raise FileNotFoundError(f"no file matches the {role} pattern {text!r}. Check the path.")
    else:
        files = [path]
    if len(files) > 1:  # an empty part file (Spark writes them for empty partitions) holds no rows: skip it
        files = [file for file in files if not os.access(file, os.R_OK) or file.stat().st_size] or files[:1]
    for file in files:
        _check_readable(file, role=role)
    return files


def _check_readable(path: Path, *, role: str) -> None:
    if not os.access(path, os.R_OK):
        raise InputFileError(
            f"the {role} file {str(path)!r} cannot be read: permission denied. "
            f"Give your user read access (e.g. chmod a+r {str(path)!r}) or copy the file somewhere readable."
        )
    if path.stat().st_size == 0:
        raise InputFileError(
            f"the {role} file {str(path)!r} is empty (0 bytes), not even a header row. "
            "Check the export, or point at the right file."
        )


def _check_not_utf16(path: Path, *, role: str) -> None:
    """Refuse a UTF-16 file read as UTF-8: polars would read its header as garbled column names."""
    with open_bytes(path) as raw:
        start = raw.read(256)
    if start[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in start:
        raise InputFileError(
            f"the {role} file {str(path)!r} is not UTF-8 text: it looks like UTF-16 (a byte-order mark or "
            "zero bytes between the letters). Pass encoding='utf-16'."
        )


def _check_line_endings(path: Path, *, shown: Path, role: str) -> None:
    """Refuse a CSV whose lines end in CR alone (old Mac): polars would read the whole file as its header."""
    with open_bytes(path) as raw:
        start = raw.read(CHUNK)
    if b"\r" in start and b"\n" not in start:
        raise InputFileError(
            f"the {role} file {str(shown)!r} ends its lines with a carriage return alone (old Mac style), "
            "so it reads as one line. Save it with Windows (CRLF) or Unix (LF) line endings."
        )


def _scan_path(path: Path, *, role: str, encoding: str) -> pl.LazyFrame:
    text = str(path)
    kind, suffix = file_format(path, role=role)
    if kind == "parquet_dir":
        for file in folder_files(path):
            _check_readable(file, role=role)
        return pl.scan_parquet(path / "**" / "*.parquet", hive_partitioning=True)
    if kind == "parquet":
        if not any(ch in text for ch in "*?["):
            _check_readable(path, role=role)
        return pl.scan_parquet(text)
    files = text_files(path, role=role)
    if is_native(encoding):
        for file in files:
            _check_not_utf16(file, role=role)
    copies = None if is_native(encoding) else _utf8_copies(files, encoding=encoding, role=role)
    frame = _scan_text(files, files if copies is None else copies.files, kind=kind, suffix=suffix, role=role)
    if copies is not None:  # the UTF-8 copies live as long as the frame that reads them
        weakref.finalize(frame, copies.folder.cleanup)
    return frame


def _scan_text(files: list[Path], read: list[Path], *, kind: str, suffix: str, role: str) -> pl.LazyFrame:
    """Scan the text ``files`` of one input (CSV, TSV, NDJSON or JSON) from ``read``, their UTF-8 versions."""
    if kind == "json":  # each file NDJSON or one array: read one by one
        parts = [_scan_json(copy, shown=file, role=role) for copy, file in zip(read, files, strict=True)]
        return parts[0] if len(parts) == 1 else pl.concat(parts, how="vertical")
    if kind == "ndjson":
        return pl.scan_ndjson(read)
    for copy, file in zip(read, files, strict=True):
        _check_line_endings(copy, shown=file, role=role)
    return _scan_csv(read, separator="\t" if suffix == ".tsv" else ",")


class _Copies:
    """UTF-8 copies of text files, in a temporary folder deleted by :meth:`folder.cleanup`."""

    def __init__(self, folder: tempfile.TemporaryDirectory[str], files: list[Path]) -> None:
        self.folder = folder
        self.files = files


def _utf8_copies(files: list[Path], *, encoding: str, role: str) -> _Copies:
    """Transcode ``files`` from ``encoding`` into UTF-8 copies in a new temporary folder (streamed, chunk by chunk)."""
    folder = tempfile.TemporaryDirectory(prefix="stickiness-utf8-")
    copies = []
    try:
        for i, file in enumerate(files):
            copy = Path(folder.name) / f"{i:06d}{suffix_of(file)}"
            transcode(file, copy, encoding=encoding, role=role)
            copies.append(copy)
    except BaseException:
        folder.cleanup()
        raise
    return _Copies(folder, copies)


def _scan_json(path: Path, *, shown: Path, role: str) -> pl.LazyFrame:
    """Scan a ``.json`` file: NDJSON (one object per line), or one JSON array of objects (read whole, eagerly)."""
    with path.open("rb") as raw:
        start = raw.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start == b"{":
        return pl.scan_ndjson(path)
    if start != b"[":
        raise InputFileError(
            f"the {role} file {str(shown)!r} is neither NDJSON (one JSON object per line) nor a JSON array of "
            "objects ([{...}, {...}]). Export the log as one of these, or as CSV or Parquet."
        )
    try:
        frame = pl.read_json(path)
    except pl.exceptions.ComputeError as err:
        raise InputFileError(
            f"the {role} file {str(shown)!r} is not a JSON array of objects: {json_problem(path)}. "
            "Fix the file, or export the log as NDJSON (one object per line), CSV or Parquet."
        ) from err
    if frame.width == 0:
        raise InputFileError(f"the {role} file {str(shown)!r} is an empty JSON array: it holds no rows.")
    return frame.lazy()


def json_problem(path: Path) -> str:
    """Describe where ``path`` stops being one JSON array of objects (read whole: JSON arrays are)."""
    try:
        value = json.loads(path.read_bytes())
    except ValueError as err:  # JSONDecodeError, or UnicodeDecodeError for a file that is not UTF-8
        return _short(str(err))
    if not isinstance(value, list):
        return f"it holds one JSON {type(value).__name__}, not an array"
    bad = next((i for i, item in enumerate(value) if not isinstance(item, dict)), None)
    if bad is None:
        return "its objects do not share one shape"
    return f"item {bad + 1} is a JSON {type(value[bad]).__name__}, not an object"


def _short(text: str, limit: int = 200) -> str:
    """``text`` on one line, at most ``limit`` characters: messages never echo a file's content at length."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _scan_csv(files: list[Path], *, separator: str = ",") -> pl.LazyFrame:
    # Every column as text: type inference on a sample fails on a later odd row,
    # and would turn user id "007" into 7. Times are parsed by stickiness._time.
    frame = pl.scan_csv(files, separator=separator, infer_schema=False)
    return _without_blank_lines(frame, files, separator=separator)


def _without_blank_lines(frame: pl.LazyFrame, files: list[Path], *, separator: str) -> pl.LazyFrame:
    """Drop the rows polars makes of blank lines; keep rows of only separators (``,,``), which are rows.

    polars reads a blank line as a row of nulls in every column, and so a line of
    only separators: the two cannot be told apart in the parsed frame. So when a
    file has a blank line (a quick byte search), every all-null row is dropped and as
    many all-null rows are put back as there are lines of only separators outside
    quoted fields (counted on the raw lines). Which rows are dropped does not matter:
    all-null rows are alike.
    """
    if not any(_has_blank_line(file) for file in files):
        return frame
    separator_only = sum(_separator_only_lines(file, separator=separator) for file in files)
    schema = frame.collect_schema()
    kept = frame.filter(~pl.all_horizontal(pl.all().is_null()))
    if not separator_only:
        return kept
    nulls = pl.LazyFrame({name: pl.Series(name, [None] * separator_only, dtype=schema[name]) for name in schema})
    return pl.concat([kept, nulls], how="vertical")


def _has_blank_line(path: Path) -> bool:
    """Whether ``path`` has an empty line (LF LF, or LF CR LF), searched a chunk at a time."""
    tail = b""
    with open_bytes(path) as raw:
        while chunk := raw.read(CHUNK):
            window = tail + chunk
            if b"\n\n" in window or b"\n\r\n" in window:
                return True
            tail = window[-2:]
    return False


def _separator_only_lines(path: Path, *, separator: str) -> int:
    """Count the lines of ``path`` that hold only separators (``,,``) and are not inside a quoted field.

    The file is read as raw lines (no quoting); a line is inside a quoted field when
    an odd number of quote characters came before it.
    """
    raw = pl.scan_csv(
        path,
        has_header=False,
        separator="\x1f" if separator != "\x1f" else "\x1e",
        quote_char=None,
        schema={"line": pl.String},
        truncate_ragged_lines=True,
    )
    marks = (
        raw.with_row_index("__i")
        .select(
            odd=pl.col("line").str.count_matches('"', literal=True).fill_null(0) % 2 == 1,
            only=pl.col("line").str.contains(f"^{re.escape(separator)}+\r?$").fill_null(False),
        )
        .filter(pl.col("odd") | pl.col("only"))
        .collect(engine="streaming")
    )
    inside = pl.col("odd").cast(pl.UInt32).cum_sum() % 2 == 1
    return int(marks.select((pl.col("only") & ~inside).sum()).item())
