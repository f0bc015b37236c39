"""Turn any supported input into a polars LazyFrame, without reading it yet.

Files are *scanned* (nothing is loaded until a query runs), so logs larger than
memory work. CSV is read with every column as text: the kit parses times itself
(so a bad value is counted, not fatal) and user ids keep their leading zeros.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import polars as pl

from stickiness._errors import UnsupportedSourceError

__all__ = ["Source", "scan_source"]

#: What :func:`stickiness.read_log` accepts as a log or a users table.
Source = Any  # str | os.PathLike | pl.DataFrame | pl.LazyFrame | pandas.DataFrame | pyarrow.Table

_CSV = (".csv", ".tsv", ".txt")
_PARQUET = (".parquet", ".pq")
_NDJSON = (".ndjson", ".jsonl", ".json")
_SUPPORTED = "CSV (.csv, .tsv, .txt), Parquet (.parquet, .pq; file, glob or folder), NDJSON (.ndjson, .jsonl)"


def scan_source(source: Source, *, role: str = "log") -> pl.LazyFrame:
    """Return a lazy polars frame over ``source``.

    Parameters
    ----------
    source
        A path (file, glob or folder of Parquet files), or a polars, pandas or
        pyarrow frame.
    role
        What the source is (``"log"`` or ``"users table"``), used in error messages.
    """
    if isinstance(source, pl.LazyFrame):
        return source
    if isinstance(source, pl.DataFrame):
        return source.lazy()
    if isinstance(source, (str, os.PathLike)):
        return _scan_path(Path(source), role=role)
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
        f"Pass a file path ({_SUPPORTED}) or a polars, pandas or pyarrow frame."
    )


def _scan_narwhals(source: Any) -> pl.LazyFrame:
    import narwhals as nw

    native = nw.to_native(source)
    return scan_source(native)


def _scan_path(path: Path, *, role: str) -> pl.LazyFrame:
    text = str(path)
    is_glob = any(ch in text for ch in "*?[")
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file())
        suffixes = {p.suffix.lower() for p in files}
        if files and suffixes <= set(_PARQUET):
            return pl.scan_parquet(path / "**" / "*.parquet", hive_partitioning=True)
        if files and suffixes <= set(_CSV):
            return _scan_csv(str(path / "**" / f"*{next(iter(suffixes))}"))
        raise UnsupportedSourceError(
            f"the {role} folder {text!r} does not hold only Parquet or only CSV files "
            f"(found {sorted(suffixes) or 'no files'}). Point at one file, a glob, or a folder of Parquet files."
        )
    if not is_glob and not path.exists():
        raise FileNotFoundError(f"the {role} file {text!r} does not exist. Check the path.")
    suffix = path.suffix.lower()
    if suffix in _CSV:
        return _scan_csv(text, separator="\t" if suffix == ".tsv" else ",")
    if suffix in _PARQUET:
        return pl.scan_parquet(text)
    if suffix in _NDJSON:
        return pl.scan_ndjson(text)
    raise UnsupportedSourceError(
        f"cannot tell the format of the {role} {text!r} from its ending {suffix!r}. Supported: {_SUPPORTED}."
    )


def _scan_csv(text: str, *, separator: str = ",") -> pl.LazyFrame:
    # Every column as text: type inference on a sample fails on a later odd row,
    # and would turn user id "007" into 7. Times are parsed by stickiness._time.
    return pl.scan_csv(text, separator=separator, infer_schema=False)
