"""Progress of the command's steps on standard error, and the size of its input.

A step prints ``  reading the log ...`` and, when it ends, its time: ``  reading the
log ... 2.3 s``. On a terminal, a small thread redraws the line every second
(``  reading the log ... 12 s``) so that a long step shows it is alive; elsewhere
(CI, pipes, files) the label is printed once and the time at the end, as before.
Core module: no Jupyter, no new dependency.
"""

from __future__ import annotations

import glob
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO, TypeVar

import polars as pl

__all__ = ["describe_input", "step", "ticking"]

T = TypeVar("T")


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


def _fits(line: str, stream: TextIO) -> bool:
    """Whether ``line`` fits on one row of the terminal: a wrapped line cannot be redrawn with a carriage return."""
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):  # no file descriptor (a test's stream), or not a terminal
        return True
    return columns <= 0 or len(line) < columns


class _Line:
    """One line on ``stream``: the label, then redrawn elapsed times; writes are serialised by a lock."""

    def __init__(self, label: str, stream: TextIO) -> None:
        self.label = label
        self.stream = stream
        self.lock = threading.Lock()
        self.width = 0  # length of the last redraw, 0 while only the label is shown
        self.stream.write(f"  {label} ...")
        self.stream.flush()

    def redraw(self, text: str) -> None:
        with self.lock:
            line = f"  {self.label} ... {text}"
            self.stream.write("\r" + line.ljust(self.width))
            self.stream.flush()
            self.width = len(line)

    def finish(self, seconds: float) -> None:
        with self.lock:
            if self.width:
                line = f"  {self.label} ... {seconds:.1f} s"
                self.stream.write("\r" + line.ljust(self.width) + "\n")
            else:
                self.stream.write(f" {seconds:.1f} s\n")
            self.stream.flush()


@contextmanager
def ticking(label: str, *, stream: TextIO | None = None, interval: float = 1.0) -> Iterator[None]:
    """Show ``  label ...`` on ``stream`` (default: standard error) while the block runs, then its time.

    On a terminal, the line is redrawn every ``interval`` seconds with the time so
    far (``  label ... 12 s``), unless it would not fit on one row; otherwise
    nothing is written until the block ends.
    If the block raises, the ticker stops, no time is printed (the line stays open
    for the error message) and the exception propagates.

    >>> import io
    >>> with ticking("counting", stream=io.StringIO()):
    ...     pass
    """
    out = sys.stderr if stream is None else stream
    line = _Line(label, out)
    began = time.perf_counter()
    stop = threading.Event()
    ticker: threading.Thread | None = None
    if _is_tty(out) and _fits(f"  {label} ... 99999.9 s", out):

        def tick() -> None:
            while not stop.wait(interval):
                line.redraw(f"{int(time.perf_counter() - began)} s")

        ticker = threading.Thread(target=tick, name=f"stickiness progress: {label}", daemon=True)
        ticker.start()
    try:
        yield
    finally:
        stop.set()
        if ticker is not None:
            ticker.join()
    line.finish(time.perf_counter() - began)  # only reached when the block succeeded


def step(label: str, func: Callable[[], T], *, stream: TextIO | None = None, interval: float = 1.0) -> T:
    """Run ``func`` inside :func:`ticking` and return its result."""
    with ticking(label, stream=stream, interval=interval):
        return func()


def _size(n_bytes: int) -> str:
    if n_bytes >= 10**9:
        return f"{n_bytes / 10**9:,.1f} GB"
    if n_bytes >= 10**6:
        return f"{n_bytes / 10**6:,.1f} MB"
    if n_bytes >= 10**3:
        return f"{n_bytes / 10**3:,.1f} kB"
    return f"{n_bytes} bytes"


def _files(text: str, suffixes: tuple[str, ...]) -> list[Path]:
    """List the files of a path, a glob or a folder (at any depth) that end in one of ``suffixes``."""
    path = Path(text)
    found: Iterator[Path]
    if path.is_dir():
        found = path.rglob("*")
    elif any(ch in text for ch in "*?["):
        found = (Path(p) for p in glob.glob(text, recursive=True))
    else:
        found = iter([path])
    return sorted(p for p in found if p.suffix.lower() in suffixes and p.is_file())


def describe_input(source: object) -> str:
    """Return a short description of a log file's size, read cheaply, or ``""``.

    Parquet (file, glob or folder): the row count from the files' metadata (no
    data is read) and the number of files; CSV and NDJSON: the size on disk. Any
    other source (a frame, a URL), or a path that cannot be described, gives ``""``:
    reading the log then reports the problem.

    >>> describe_input("missing.csv")
    ''
    """
    if not isinstance(source, (str, os.PathLike)):
        return ""
    text = os.fspath(source)
    if "://" in text:
        return ""
    from stickiness._sources import CSV_SUFFIXES, NDJSON_SUFFIXES, PARQUET_SUFFIXES

    try:
        for kind, suffixes in (("Parquet", PARQUET_SUFFIXES), ("CSV", CSV_SUFFIXES), ("NDJSON", NDJSON_SUFFIXES)):
            files = _files(text, suffixes)
            if not files:
                continue
            count = f"{len(files):,} {kind} file{'s' if len(files) != 1 else ''}"
            if kind == "Parquet":
                rows = pl.scan_parquet(files).select(pl.len()).collect().item()  # footers only
                return f"{rows:,} rows in {count}"
            return f"{_size(sum(p.stat().st_size for p in files))} in {count}"
    except Exception:  # advisory only: a file that cannot be described is left to read_log to report
        return ""
    return ""
