from __future__ import annotations

import io
import os
import re
import threading
import time
from pathlib import Path

import polars as pl
import pytest
from stickiness_notebooks.cli import main

from stickiness._progress import describe_input, step, ticking


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def _progress_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("stickiness progress")]


def test_the_ticker_redraws_the_line_on_a_terminal() -> None:
    stream = FakeTTY()
    with ticking("reading the log", stream=stream, interval=0.01):
        time.sleep(0.1)
    text = stream.getvalue()
    assert text.startswith("  reading the log ...")
    assert text.count("\r  reading the log ... 0 s") >= 2  # redrawn while it ran
    # the last redraw is the final time, on the same line, and ends it
    assert re.search(r"\r  reading the log \.\.\. \d+\.\d s *\n$", text)
    assert text.count("\n") == 1
    assert not _progress_threads()


def test_the_final_time_is_drawn_over_the_last_redraw() -> None:
    stream = FakeTTY()
    with ticking("x", stream=stream, interval=0.01):
        time.sleep(0.05)
    last = stream.getvalue().rsplit("\r", 1)[-1]
    assert re.fullmatch(r"  x \.\.\. 0\.\d s\n", last)


def test_a_quick_step_on_a_terminal_prints_as_elsewhere() -> None:
    stream = FakeTTY()
    assert step("quick", lambda: 42, stream=stream, interval=60.0) == 42
    assert re.fullmatch(r"  quick \.\.\. 0\.0 s\n", stream.getvalue())


def test_not_a_terminal_prints_the_label_once_and_the_time() -> None:
    stream = io.StringIO()
    with ticking("active users", stream=stream, interval=0.01):
        time.sleep(0.05)
    assert re.fullmatch(r"  active users \.\.\. \d+\.\d s\n", stream.getvalue())
    assert "\r" not in stream.getvalue()


def test_an_error_stops_the_ticker_and_propagates() -> None:
    stream = FakeTTY()

    def fails() -> None:
        time.sleep(0.05)
        raise ValueError("bad column")

    with pytest.raises(ValueError, match="bad column"):
        step("reading the log", fails, stream=stream, interval=0.01)
    assert not _progress_threads()
    written = stream.getvalue()
    time.sleep(0.05)
    assert stream.getvalue() == written  # nothing redrawn after the error
    assert not written.endswith("\n")  # no time: the line is left for the error message


def test_an_error_on_a_pipe_prints_no_time() -> None:
    stream = io.StringIO()
    with pytest.raises(KeyError), ticking("lifecycle", stream=stream, interval=0.01):
        raise KeyError("x")
    assert stream.getvalue() == "  lifecycle ..."


def test_the_size_of_a_parquet_folder_comes_from_the_metadata(tmp_path: Path) -> None:
    folder = tmp_path / "events"
    (folder / "month=1").mkdir(parents=True)
    frame = pl.DataFrame({"user_id": [1, 2, 3], "timestamp": ["2024-01-01"] * 3, "event": ["a"] * 3})
    frame.write_parquet(folder / "part-0.parquet")
    pl.concat([frame] * 1000).write_parquet(folder / "month=1" / "part-1.parquet")
    assert describe_input(folder) == "3,003 rows in 2 Parquet files"
    assert describe_input(str(folder / "part-0.parquet")) == "3 rows in 1 Parquet file"
    assert describe_input(str(folder / "**" / "*.parquet")) == "3,003 rows in 2 Parquet files"


def test_the_size_of_a_csv_is_its_size_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("user_id,timestamp,event\n" + "a,2024-05-01T10:00:00Z,open\n" * 50_000)
    assert describe_input(path) == "1.4 MB in 1 CSV file"
    (tmp_path / "small.ndjson").write_text('{"user_id": "a"}\n')
    assert describe_input(tmp_path / "small.ndjson") == "17 bytes in 1 NDJSON file"


def test_what_cannot_be_described_is_left_to_read_log(tmp_path: Path) -> None:
    assert describe_input(tmp_path / "missing.parquet") == ""
    assert describe_input(tmp_path / "events.xlsx") == ""
    assert describe_input("s3://bucket/events.parquet") == ""
    assert describe_input(pl.DataFrame({"a": [1]})) == ""
    (tmp_path / "broken.parquet").write_text("not parquet")
    assert describe_input(tmp_path / "broken.parquet") == ""


def test_report_names_the_size_before_reading(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "events"
    folder.mkdir()
    day = pl.datetime_range(pl.datetime(2024, 1, 1), pl.datetime(2024, 3, 1), "1d", time_zone="UTC", eager=True)
    for part in range(2):
        pl.DataFrame({"user_id": [part] * day.len(), "timestamp": day, "event": ["open"] * day.len()}).write_parquet(
            folder / f"part-{part}.parquet"
        )
    assert main(["report", str(folder), "--no-notebook", "--no-charts", "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert re.search(r"^  reading the log \(122 rows in 2 Parquet files\) \.\.\. \d+\.\d s$", err, re.MULTILINE)
    assert re.search(r"^  active users \.\.\. \d+\.\d s$", err, re.MULTILINE)


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_a_line_wider_than_the_terminal_is_not_redrawn() -> None:
    import fcntl
    import struct
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 30, 0, 0))  # 24 rows, 30 columns
    try:
        with os.fdopen(slave, "w", closefd=False) as terminal:
            with ticking("short", stream=terminal, interval=0.01):
                time.sleep(0.05)
            with ticking("a label far too long for thirty columns", stream=terminal, interval=0.01):
                time.sleep(0.05)
        os.set_blocking(master, False)
        written = ""
        deadline = time.monotonic() + 5  # the pty may hand the last line over a moment after it was written
        while written.count("\n") < 2 and time.monotonic() < deadline:
            try:
                written += os.read(master, 65536).decode()
            except BlockingIOError:
                time.sleep(0.01)
    finally:
        os.close(master)
        os.close(slave)
    short, long = written.split("a label", 1)
    assert "\r  short ... 0 s" in short  # a real terminal: redrawn
    assert "... 0 s" not in long and re.search(r"thirty columns \.\.\. 0\.\d s", long)
