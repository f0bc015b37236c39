"""Output folders written whole or not at all (stickiness._output) and spreadsheet-safe CSV (stickiness._csv).

Permissions: the tests run as root, where chmod does not stop writes, so "no permission" is tested with
``os.access`` patched, and an unwritable place with a parent that is a file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stickiness_notebooks.cli import main

import stickiness
from stickiness import InvalidOptionError, OutputFolderError, unescape_table, write_table
from stickiness._csv import FORMULA_START
from stickiness._output import lock_path, staged_folder
from stickiness.demo import demo_events

# --- helpers --------------------------------------------------------------------------------------------------


def hashes(folder: Path) -> dict[str, str]:
    """Every file (and folder) under ``folder``, with a hash of its bytes: equal dicts mean an unchanged folder."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
        for p in sorted(folder.rglob("*"))
    }


def previous_report(out: Path) -> dict[str, str]:
    """Make ``out`` look like an earlier run's report folder; return its hashes."""
    (out / "tables").mkdir(parents=True)
    (out / "charts").mkdir()
    (out / "report.html").write_text("<!DOCTYPE html><p>the earlier report</p>")
    (out / "ledger.json").write_text('{"rows_read": 1}')
    (out / "tables" / "active_users.csv").write_text("day,dau\n2024-01-01,1\n")
    (out / "charts" / "active_users.png").write_bytes(b"\x89PNG earlier")
    return hashes(out)


def siblings(out: Path) -> list[str]:
    """What a run left beside ``out``: its lock, staging, aside or failed folders."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith((f".{out.name}.", f"{out.name}.")))


def exit_code(argv: list[str]) -> int:
    """``main(argv)``, with argparse's own exit (a bad option) returned as its code."""
    try:
        return main(argv)
    except SystemExit as done:
        return int(done.code or 0)


@pytest.fixture
def log_csv(tmp_path: Path) -> Path:
    path = tmp_path / "input" / "events.csv"
    path.parent.mkdir()
    path.write_text("user_id,timestamp,event\na,2024-05-01T10:00:00Z,open\nb,2024-05-02T10:00:00Z,open\n")
    return path


def direct(log: Path, out: Path, *more: str) -> list[str]:
    return ["report", str(log), "--no-notebook", "--no-charts", *more, "--out", str(out)]


# --- the staged folder ----------------------------------------------------------------------------------------


def test_a_committed_run_replaces_the_folder_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    previous_report(out)
    with staged_folder(out) as folder:
        assert folder.path.parent == tmp_path and folder.path.name.startswith(".out.staging-")
        assert lock_path(out).exists() and json.loads(lock_path(out).read_text())["pid"] == os.getpid()
        (folder.path / "ledger.json").write_text("new")
        assert folder.commit() == out
    assert hashes(out) == {"ledger.json": hashlib.sha256(b"new").hexdigest()}  # nothing of the earlier run
    assert siblings(out) == []  # no lock, staging or aside folder left


@pytest.mark.parametrize("stop", [RuntimeError("boom"), KeyboardInterrupt()])
def test_a_failed_or_interrupted_run_leaves_the_folder_as_it_was(tmp_path: Path, stop: BaseException) -> None:
    out = tmp_path / "out"
    before = previous_report(out)
    with pytest.raises(type(stop)), staged_folder(out, keep_failed=isinstance(stop, RuntimeError)) as folder:
        (folder.path / "ledger.json").write_text("half")
        raise stop
    assert hashes(out) == before
    # an error keeps what the run wrote, for debugging; an interrupt keeps nothing
    assert siblings(out) == (["out.failed"] if isinstance(stop, RuntimeError) else [])


def test_the_failed_folder_is_replaced_by_the_next_failure_and_removed_by_a_success(tmp_path: Path) -> None:
    out = tmp_path / "out"
    for attempt in ("first", "second"):
        with pytest.raises(RuntimeError), staged_folder(out, keep_failed=True) as folder:
            (folder.path / "ledger.json").write_text(attempt)
            raise RuntimeError(attempt)
        assert folder.failed == tmp_path / "out.failed"
        assert (tmp_path / "out.failed" / "ledger.json").read_text() == attempt
    with staged_folder(out) as folder:
        (folder.path / "ledger.json").write_text("good")
        folder.commit()
    assert (out / "ledger.json").read_text() == "good" and siblings(out) == []


def test_a_run_that_never_commits_is_a_failed_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with staged_folder(out) as folder:
        (folder.path / "ledger.json").write_text("x")
    assert not out.exists() and siblings(out) == []


def test_a_second_run_into_a_folder_being_written_fails_at_once(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with staged_folder(out, option="--out"):
        with pytest.raises(OutputFolderError) as caught, staged_folder(out, option="--out"):
            pass
        message = str(caught.value)
        assert f"--out {out}: another run is writing this folder (pid {os.getpid()}" in message
        assert f"its lock file is {lock_path(out)}" in message and f"delete {lock_path(out)}" in message
    assert not lock_path(out).exists()  # released by the first run


def test_a_stale_lock_is_taken_over_with_a_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(gone.stdout)  # a process that has ended: its pid is (almost surely) not reused this soon
    import socket

    lock_path(out).write_text(json.dumps({"pid": pid, "host": socket.gethostname(), "started": "2026-01-01T00:00:00"}))
    with staged_folder(out) as folder:
        folder.commit()
    assert f"took over the lock {lock_path(out)}" in capsys.readouterr().err
    assert out.is_dir() and not lock_path(out).exists()


def test_a_swap_cut_short_is_put_back_by_the_next_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A process killed between the two renames leaves OUT under its aside name: the next run restores it."""
    out = tmp_path / "out"
    before = previous_report(out)
    out.rename(tmp_path / ".out.old-0123abcd")  # as the first rename leaves it
    (tmp_path / ".out.staging-89abcdef").mkdir()  # and the killed run's staging folder
    with pytest.raises(RuntimeError), staged_folder(out):
        raise RuntimeError("this run fails too")
    assert hashes(out) == before and siblings(out) == []
    err = capsys.readouterr().err
    assert "put back" in err and "deleted .out.staging-89abcdef" in err


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("", "--out : give the name of a folder to write"),
        ("   ", "give the name of a folder to write"),
        ("/", "is the root folder"),
    ],
)
def test_an_empty_or_root_out_is_refused(out: str, message: str) -> None:
    with pytest.raises(OutputFolderError, match=message), staged_folder(out, option="--out"):
        pass


def test_out_that_is_a_file_or_under_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(OutputFolderError, match="is a file, not a folder"), staged_folder(tmp_path / "notes.txt"):
        pass
    with (
        pytest.raises(OutputFolderError, match="a part of that path is a file"),
        staged_folder(tmp_path / "notes.txt" / "sub" / "out"),
    ):
        pass
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_out_in_a_folder_without_write_permission_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # as root, chmod 0o555 would not stop the writes: patch the permission check the code relies on
    real = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != tmp_path and real(path, mode))
    with (
        pytest.raises(OutputFolderError, match=rf"cannot write in {tmp_path} \(no permission\)"),
        staged_folder(tmp_path / "out", option="--out"),
    ):
        pass
    assert list(tmp_path.iterdir()) == []


def test_the_current_folder_and_foreign_files_are_never_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutputFolderError, match="is the folder you are in"), staged_folder(".", option="--out"):
        pass
    out = tmp_path / "analysis"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "data").mkdir()
    (out / "ledger.json").write_text("{}")
    foreign = r"holds files a run does not write \(data/, notes.txt\)"
    with pytest.raises(OutputFolderError, match=foreign), staged_folder(out, option="out"):
        pass
    assert (out / "notes.txt").read_text() == "mine" and siblings(out) == []


# --- the command: report and demo ------------------------------------------------------------------------------


def test_a_failing_report_leaves_the_previous_report_byte_for_byte(
    log_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report"
    assert exit_code(direct(log_csv, out)) == 0
    before = hashes(out)
    assert "tables/retention.csv" in before
    # bad input: exit 2
    assert exit_code(direct(log_csv, out, "--user-col", "who")) == 2
    assert hashes(out) == before and siblings(out) == []

    # an exception after some tables were written (the report calls its metrics by name: stickiness_notebooks.spec)
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("a bug in lifecycle")

    monkeypatch.setattr(stickiness, "lifecycle", broken)
    with pytest.raises(RuntimeError, match="a bug in lifecycle"):
        main(direct(log_csv, out))
    assert hashes(out) == before and siblings(out) == []

    # Ctrl-C in the middle: exit 130, and the same
    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(stickiness, "lifecycle", interrupted)
    capsys.readouterr()
    assert main(direct(log_csv, out)) == 130
    assert f"stopped: {out} is left as it was" in capsys.readouterr().err
    assert hashes(out) == before and siblings(out) == []


def test_a_second_report_into_the_same_folder_exits_2_at_once(
    log_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report"
    started, release = threading.Event(), threading.Event()
    real = stickiness.lifecycle

    def slow(*args: Any, **kwargs: Any) -> Any:
        started.set()
        assert release.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(stickiness, "lifecycle", slow)
    codes: list[int] = []
    first = threading.Thread(target=lambda: codes.append(main(direct(log_csv, out))))
    first.start()
    try:
        assert started.wait(60), "the first run did not reach lifecycle"
        clock = time.monotonic()
        assert exit_code(direct(log_csv, out)) == 2
        assert time.monotonic() - clock < 5  # at once, not after the first run
        err = capsys.readouterr().err
        assert "another run is writing this folder" in err and str(lock_path(out)) in err
    finally:
        release.set()
        first.join(120)
    assert codes == [0] and (out / "tables" / "lifecycle.csv").exists() and siblings(out) == []


def test_sigterm_removes_the_staging_folder_and_keeps_the_report(log_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    before = previous_report(out)
    flag = tmp_path / "started"
    script = (
        "import sys, time, pathlib, stickiness, stickiness_notebooks.cli as cli\n"
        "def slow(*a, **k):\n"
        f"    pathlib.Path({str(flag)!r}).touch(); time.sleep(60)\n"
        "stickiness.lifecycle = slow\n"
        f"sys.exit(cli.main({direct(log_csv, out)!r}))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    run = subprocess.Popen([sys.executable, "-c", script], env=env, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(600):
            if flag.exists() or run.poll() is not None:
                break
            time.sleep(0.1)
        assert flag.exists(), run.stderr.read() if run.stderr else ""
        run.send_signal(signal.SIGTERM)
        _, err = run.communicate(timeout=60)
    finally:
        run.kill()
    assert run.returncode == 128 + signal.SIGTERM, err
    assert "is left as it was" in err and "Traceback" not in err
    assert hashes(out) == before and siblings(out) == []


@pytest.mark.parametrize("where", ["empty", "file", "under a file", "no permission"])
def test_report_out_errors_exit_2_with_a_message(
    where: str, log_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a_file").write_text("x")
    out = {"empty": "", "file": str(tmp_path / "a_file"), "under a file": str(tmp_path / "a_file" / "out")}.get(
        where, str(tmp_path / "locked" / "out")
    )
    if where == "no permission":  # tests run as root: chmod would not stop the write
        (tmp_path / "locked").mkdir()
        real = os.access
        monkeypatch.setattr(os, "access", lambda p, mode: Path(p).name != "locked" and real(p, mode))
    assert exit_code([*direct(log_csv, Path(out))[:-1], out]) == 2
    err = capsys.readouterr().err
    expected = {
        "empty": "argument --out: give the name of a folder to write",
        "file": f"--out {out} is a file, not a folder",
        "under a file": "a part of that path is a file",
        "no permission": "(no permission)",
    }[where]
    assert expected in err and "Traceback" not in err
    assert (tmp_path / "a_file").read_text() == "x"


def test_demo_writes_its_folder_whole_and_keeps_foreign_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo"
    assert exit_code(["demo", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "events.csv",
        "use_case_profiles.csv",
        "use_cases.csv",
        "users.csv",
    ]
    assert exit_code(["demo", "--out", str(out), "--seed", "8"]) == 0  # its own folder: replaced
    (out / "analysis.ipynb").write_text("{}")
    assert exit_code(["demo", "--out", str(out)]) == 2
    assert "holds files a run does not write (analysis.ipynb)" in capsys.readouterr().err
    assert exit_code(["demo", "--out", str(tmp_path / "d2"), "--seed", "-5"]) == 2
    assert "argument --seed: -5 is out of range" in capsys.readouterr().err


# --- absurd numeric options ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "value", "wanted"),
    [
        ("--mau-window", "0", "a whole number from 7 to 3650"),
        ("--mau-window", "-5", "a whole number from 7 to 3650"),
        ("--mau-window", "1000000", "a whole number from 7 to 3650"),
        ("--mau-window", "thirty", "a whole number from 7 to 3650"),
        ("--habit-window", "0", "a whole number from 1 to 3650"),
        ("--horizon", "1000000", "a whole number from 1 to 3650"),
        ("--min-exposure", "-1", "a whole number from 0 to 3650"),
        ("--inactive-days", "0", "a whole number from 1 to 3650"),
        ("--threshold", "0", "a number above 0 and at most 30"),
        ("--threshold", "nan", "a number above 0 and at most 30"),
        ("--threshold", "31", "a number above 0 and at most 30"),
        ("--majority", "1", "a number above 0 below 1"),
        ("--majority", "0", "a number above 0 below 1"),
        ("--min-users", "0", "a whole number from 1 or more"),
    ],
)
def test_absurd_numeric_options_exit_2_naming_the_flag_and_range(
    flag: str, value: str, wanted: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert exit_code(["report", "--demo", "--no-notebook", flag, value, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert f"argument {flag}: " in err and wanted in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("call", "keyword"),
    [
        (lambda log: stickiness.active_users(log, window=0), "window=0"),
        (lambda log: stickiness.active_users(log, window=1_000_000), "window=1000000"),
        (lambda log: stickiness.inactive_users(log, days=-5), "days=-5"),
        (lambda log: stickiness.inactive_users(log, days=1_000_000), "days=1000000"),
        (lambda log: stickiness.use_case_map(log, window=1_000_000, horizon=1_000_000), "window=1000000"),
        (lambda log: stickiness.use_case_map(log, min_exposure=1_000_000), "min_exposure=1000000"),
        (lambda log: stickiness.use_case_map(log, threshold=31.0), "threshold=31.0"),
        (lambda log: stickiness.use_case_map(log, majority=1.0), "majority=1.0"),
        (lambda log: stickiness.drifting_users(log, horizon=0), "horizon=0"),
    ],
)
def test_absurd_options_in_python_name_the_keyword(call: Any, keyword: str) -> None:
    log = stickiness.read_log(demo_events(users=20))
    with pytest.raises(InvalidOptionError, match=keyword):
        call(log)


# --- spreadsheet-safe CSV --------------------------------------------------------------------------------------

#: Text that spreadsheets read as formulas, and text that merely looks close.
_TRICKY = st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'", "''", " ", "\n", '"', ",", "a", "é", "1"])
_TEXT = st.lists(st.one_of(_TRICKY, st.text(max_size=4)), max_size=5).map("".join)


def _cells(raw: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(raw.decode(), newline="")) for cell in row]


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.one_of(_TEXT, st.none()), min_size=1, max_size=8),
    name=_TEXT.filter(lambda n: n not in ("", "number") and '"' not in n),  # polars keeps a header's "" doubled
)
def test_written_text_reads_back_exactly_and_never_starts_a_formula(values: list[str | None], name: str) -> None:
    frame = pl.DataFrame(
        {name: values, "number": [-(i + 1) for i in range(len(values))]}, schema={name: pl.String, "number": pl.Int64}
    )
    with tempfile.TemporaryDirectory() as folder:
        raw = write_table(frame, Path(folder) / "t.csv").read_bytes()
    # no text cell (nor the header) a spreadsheet would run; the numeric column holds plain negative numbers
    rows = list(csv.reader(io.StringIO(raw.decode(), newline="")))
    assert [row[1] for row in rows] == ["number", *(str(n) for n in frame["number"])]
    for text, *_ in rows:
        assert not text.startswith(FORMULA_START), text
    back = pl.read_csv(io.BytesIO(raw), schema_overrides={"number": pl.Int64}, infer_schema_length=0)
    back = unescape_table(back.with_columns(pl.col("number").cast(pl.Int64)))
    assert back.columns == [name, "number"]
    assert back[name].to_list() == values
    assert back["number"].to_list() == frame["number"].to_list()  # negative numbers stay numbers


def test_write_table_escapes_text_cells_only(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "user": ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx", "'=x", "ann", None],
            "days_since": [-1, 2, 3, 4, 5, 6, 7, 8, 9],
            "rate": [-0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
        }
    )
    path = write_table(frame, tmp_path / "t.csv")
    back = pl.read_csv(path)
    # hand-written: one ' before each formula-like cell, one more before a quoted one, nothing else changed
    assert back["user"].to_list() == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "''=x",
        "ann",
        None,
    ]
    assert back["days_since"].to_list()[0] == -1 and back["rate"].to_list()[0] == -0.5
    assert pl.read_csv(write_table(frame, tmp_path / "raw.csv", spreadsheet_safe=False))["user"][0].startswith("=")


def test_report_tables_are_spreadsheet_safe_unless_switched_off(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = tmp_path / "events.csv"
    events.write_text(
        "user_id,timestamp,event\n"
        "=cmd|' /C calc'!A0,2024-05-01T10:00:00Z,open\n"
        "-1,2024-05-02T10:00:00Z,@open\n"
        "ann,2024-06-20T10:00:00Z,open\n"
    )
    users = tmp_path / "users.csv"
    users.write_text("user_id,persona\n=cmd|' /C calc'!A0,+agent\n-1,+agent\nann,buyer\n")
    argv = ["report", str(events), "--users", str(users), "--no-notebook", "--no-charts"]
    assert exit_code([*argv, "--out", str(tmp_path / "safe")]) == 0
    inactive = pl.read_csv(tmp_path / "safe" / "tables" / "inactive_users.csv")
    assert set(inactive["user"]) == {"'=cmd|' /C calc'!A0", "'-1"} and set(inactive["persona"]) == {"'+agent"}
    assert (inactive["days_since"] > 0).all()  # numbers stay numbers
    for table in (tmp_path / "safe" / "tables").glob("*.csv"):
        assert not any(c.startswith(FORMULA_START) and not _number(c) for c in _cells(table.read_bytes())), table
    # the notebook path prints its summary from the tables read back: the names as they are, not escaped
    from stickiness_notebooks.cli import _parser, _print_outputs

    capsys.readouterr()
    _print_outputs(tmp_path / "safe", _parser().parse_args([*argv, "--out", "x"]))
    printed = capsys.readouterr().out
    assert "+agent" in printed and "'+agent" not in printed
    assert exit_code([*argv, "--no-spreadsheet-safe", "--out", str(tmp_path / "raw")]) == 0
    raw = pl.read_csv(tmp_path / "raw" / "tables" / "inactive_users.csv")
    assert set(raw["user"].cast(pl.String)) == {"=cmd|' /C calc'!A0", "-1"}


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


# --- export_report in Python -----------------------------------------------------------------------------------


@pytest.fixture
def small_log() -> Iterator[stickiness.UsageLog]:
    yield stickiness.read_log(demo_events(users=30))


def test_export_report_writes_its_folder_whole_and_honours_the_lock(
    tmp_path: Path, small_log: stickiness.UsageLog, capsys: pytest.CaptureFixture[str]
) -> None:
    export = pytest.importorskip("stickiness_notebooks.export", reason="needs pip install 'stickiness[jupyter]'")
    out = tmp_path / "stickiness-report"
    before = previous_report(out)
    table = pl.DataFrame({"user": ["=x"], "n": [-1]})
    busy = r"out='.*stickiness-report': another run is writing"
    with staged_folder(out), pytest.raises(OutputFolderError, match=busy):  # another run holds the folder
        export.export_report(out, log=small_log, tables={"t": table})
    assert hashes(out) == before
    written = export.export_report(out, log=small_log, tables={"t": table})
    assert written["tables"] == [out / "tables" / "t.csv"] and written["ledger"] == [out / "ledger.json"]
    # the earlier report is gone whole; the workbook and the deck are written by default (docs/outputs.md)
    assert sorted(hashes(out)) == ["ledger.json", "report.pptx", "report.xlsx", "tables", "tables/t.csv"]
    assert (out / "tables" / "t.csv").read_text() == "user,n\n'=x,-1\n"
    export.export_report(out, log=small_log, tables={"t": table}, spreadsheet_safe=False)
    assert (out / "tables" / "t.csv").read_text() == "user,n\n=x,-1\n"
    assert f"to {out}/" in capsys.readouterr().out


def test_write_report_honours_the_lock_before_any_kernel_starts(tmp_path: Path) -> None:
    notebooks = pytest.importorskip("stickiness_notebooks", reason="needs pip install 'stickiness[jupyter]'")
    out = tmp_path / "report"
    before = previous_report(out)
    clock = time.monotonic()
    with staged_folder(out), pytest.raises(OutputFolderError, match=r"out='.*report': another run is writing"):
        notebooks.write_report("quickstart", out, pdf=False, progress=False)
    assert time.monotonic() - clock < 5 and hashes(out) == before


def test_no_spreadsheet_safe_reaches_the_templates(log_csv: Path) -> None:
    pytest.importorskip("stickiness_notebooks", reason="needs pip install 'stickiness[jupyter]'")
    from stickiness_notebooks import TEMPLATES, template_notebook
    from stickiness_notebooks.cli import _parser, _template_parameters
    from stickiness_notebooks.run import parameter_names

    for name in TEMPLATES:  # every template takes the switch, so it is never "ignored"
        assert "spreadsheet_safe" in parameter_names(template_notebook(name)), name
    known = parameter_names(template_notebook("quickstart"))
    args = _parser().parse_args(["report", str(log_csv), "--no-spreadsheet-safe", "--out", "o"])
    assert _template_parameters(args, known)["spreadsheet_safe"] is False
    args = _parser().parse_args(["report", str(log_csv), "--out", "o"])
    assert _template_parameters(args, known)["spreadsheet_safe"] is True


def test_read_table_reads_types_that_show_only_after_the_inferred_rows(tmp_path: Path) -> None:
    # 10,000 rows of whole numbers and empty dates, then a decimal and a date: the first 10,000 rows alone
    # would type rate as integers (failing on 2.5) and day as text (it is empty there), so read_table infers
    # from every row; the formula cell written escaped ('=1+2) comes back unescaped
    import datetime as dt

    path = tmp_path / "t.csv"
    path.write_text("user,rate,day\n" + "u,1,\n" * 10_000 + "'=1+2,2.5,2024-03-01\n")
    back = stickiness.read_table(path)
    assert back.schema == {"user": pl.String, "rate": pl.Float64, "day": pl.Date}
    assert back.row(-1) == ("=1+2", 2.5, dt.date(2024, 3, 1))
    assert back.row(0) == ("u", 1.0, None)
    # the empty dates alone (no decimal to fail on) are typed from every row too
    path.write_text("user,day\n" + "u,\n" * 10_000 + "v,2024-03-01\n")
    assert stickiness.read_table(path).schema == {"user": pl.String, "day": pl.Date}
