"""Tests of ``stickiness catalog`` (docs/api.md, Command line): the starter catalog on stdout or --out, exit codes."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest
from stickiness_notebooks.cli import main

from stickiness.catalog import read_catalog

LOG = (
    "who,when,what\n"
    "a,2024-05-01 10:00,sign_in\n"
    "a,2024-05-01 10:00,sign_in\n"  # a duplicate: set aside
    "a,2024-05-02 10:00,sign_in\n"
    "b,2024-05-02 11:00,=HYPERLINK(1)\n"
    "b,2024-05-02 12:00,sign_in\n"
)
COLUMNS = ["--user-col", "who", "--time-col", "when", "--event-col", "what"]
#: By hand: sign_in: a on 05-01 and 05-02 and b = 3 events, 2 users; the formula: 1 event of b.
EXPECTED = [("sign_in", None, "sign in", "sign_in", 3, 2), ("=HYPERLINK(1)", None, None, None, 1, 1)]


@pytest.fixture
def log_csv(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(LOG)
    return path


def _read(text: str) -> pl.DataFrame:
    return pl.read_csv(io.StringIO(text), schema_overrides={"use_case": pl.String, "guess": pl.String})


def test_writes_the_starter_to_standard_output(log_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", str(log_csv), *COLUMNS]) == 0
    printed = capsys.readouterr()
    assert printed.out.splitlines()[:2] == [
        "event,use_case,guess,guessed_from,events,users",
        "sign_in,,sign in,sign_in,3,2",
    ]
    assert "'=HYPERLINK(1),,,,1,1" in printed.out  # spreadsheet-safe
    assert "Row ledger" in printed.err and "duplicate" in printed.err
    assert "2 events (1 with a guess) -> standard output" in printed.err
    assert "Fill in use_case" in printed.err


def test_out_file_is_read_back_by_use_cases(log_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "use_cases.csv"
    assert main(["catalog", str(log_csv), *COLUMNS, "--out", str(out)]) == 0
    assert capsys.readouterr().out == ""
    written = pl.read_csv(out, infer_schema=False)
    assert written["event"].to_list() == ["sign_in", "'=HYPERLINK(1)"]
    written.with_columns(use_case=pl.when(pl.col("event") == "sign_in").then(pl.lit("sign in"))).write_csv(out)
    catalog = read_catalog(out)
    assert catalog.rules.rows() == [("sign_in", "sign in")]
    assert catalog.without_use_case == ("=HYPERLINK(1)",)
    # the report reads it and says what was set aside
    report = ["report", str(log_csv), *COLUMNS, "--use-cases", str(out), "--no-notebook", "--no-charts"]
    assert main([*report, "--out", str(tmp_path / "report")]) == 0
    err = capsys.readouterr().err
    assert "note: 1 row of the catalog has an event but no use_case (e.g. ['=HYPERLINK(1)'])" in err


def test_verbatim_names_with_no_spreadsheet_safe(log_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", str(log_csv), *COLUMNS, "--no-spreadsheet-safe"]) == 0
    assert _read(capsys.readouterr().out).rows() == EXPECTED


def test_the_demo_log(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "--demo"]) == 0
    table = _read(capsys.readouterr().out)
    assert table.columns == ["event", "use_case", "guess", "guessed_from", "events", "users"]
    assert table["events"].is_sorted(descending=True) and table["use_case"].null_count() == table.height


def test_a_failed_write_leaves_the_file_as_it_was(
    log_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "use_cases.csv"
    out.write_text("event,use_case\nsign_in,mine\n")

    def fail(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("stickiness_notebooks.cli.os.replace", fail)
    with pytest.raises(KeyboardInterrupt):
        main(["catalog", str(log_csv), *COLUMNS, "--out", str(out)])
    assert out.read_text() == "event,use_case\nsign_in,mine\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["events.csv", "use_cases.csv"]  # no temporary left


def test_an_unwritable_file_exits_2_naming_out(
    log_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(*args: object) -> None:  # as a folder without write permission does (the tests may run as root)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("stickiness_notebooks.cli.os.replace", refuse)
    out = tmp_path / "use_cases.csv"
    assert main(["catalog", str(log_csv), *COLUMNS, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"error: --out {str(out)!r} cannot be written (Permission denied)" in err
    assert sorted(path.name for path in tmp_path.iterdir()) == ["events.csv"]  # no temporary file left


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--user-col", "nobody"], "--user-col"),
        (["--tz", "Mars/Olympus"], "--tz"),
        (["--memory-limit", "lots"], "argument --memory-limit: 'lots' is not a memory limit"),
        (["--time-unit", "days"], "argument --time-unit: invalid choice"),
        (["--out", ""], "argument --out: give the name of a CSV file"),
        (["--out", "."], "argument --out: '.' is a folder"),
        (
            ["--out", "no/such/folder/use_cases.csv"],
            "argument --out: the folder of 'no/such/folder/use_cases.csv' does not exist",
        ),
    ],
)
def test_bad_input_exits_2_naming_the_flag(
    log_csv: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(log_csv.parent)
    try:
        code = main(["catalog", str(log_csv), *COLUMNS, *argv])
    except SystemExit as exit_info:  # argparse's own checks
        code = exit_info.code  # type: ignore[assignment]
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err and "usage:" not in err


def test_a_log_and_demo_together_or_neither_exit_2(log_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog"]) == 2
    assert main(["catalog", str(log_csv), "--demo"]) == 2
    assert "give a usage log (EVENTS) or --demo" in capsys.readouterr().err


def test_no_usable_rows_exits_1_with_the_ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "events.csv"
    path.write_text("user_id,timestamp,event\n,2024-05-01,open\n")
    out = tmp_path / "use_cases.csv"
    assert main(["catalog", str(path), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "null_user" in err or "missing user" in err
    assert "no usable rows" in err and not out.exists()
