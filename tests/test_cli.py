from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from stickiness.cli import main


@pytest.fixture
def log_csv(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(
        "user_id,timestamp,event\n"
        "a,2024-05-01T10:00:00Z,open\n"
        "a,2024-05-01T10:00:00Z,open\n"
        "b,2024-05-02T10:00:00Z,open\n"
        ",2024-05-02T10:00:00Z,open\n"
        "a,not a time,open\n"
    )
    (tmp_path / "users.csv").write_text("user_id,persona\na,agent\n")
    return path


def test_report_writes_tables_and_ledger(log_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    users = ["--users", str(tmp_path / "users.csv"), "--by", "persona"]
    assert main(["report", str(log_csv), *users, "--no-notebook", "--out", str(out)]) == 0
    daily = pl.read_csv(out / "tables" / "active_users.csv", try_parse_dates=True)
    assert daily.columns == ["persona", "day", "dau", "wau", "mau", "stickiness", "complete"]
    assert set(daily["persona"]) == {"agent", "(unknown)"}
    ledger = json.loads((out / "ledger.json").read_text())
    assert ledger["rows_read"] == 5 and ledger["rows_used"] == 2
    assert ledger["set_aside"]["duplicate"] == 1 and ledger["set_aside"]["null_user"] == 1
    assert ledger["set_aside"]["unparseable_time"] == 1
    printed = capsys.readouterr()
    assert "Row ledger" in printed.out and "duplicate" in printed.out
    assert "reading the log" in printed.err
    monthly = pl.read_csv(out / "tables" / "monthly_active_users.csv")
    assert monthly.columns == ["persona", "month", "days", "mean_dau", "mau", "stickiness", "complete"]


def test_report_without_by_has_the_contract_columns(log_csv: Path, tmp_path: Path) -> None:
    assert (
        main(
            [
                "report",
                str(log_csv),
                "--tz",
                "Europe/Berlin",
                "--as-of",
                "2024-05-02",
                "--mau-window",
                "28",
                "--no-notebook",
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 0
    )
    daily = pl.read_csv(tmp_path / "o" / "tables" / "active_users.csv")
    assert daily.columns == ["day", "dau", "wau", "mau", "stickiness", "complete"]


def test_report_errors_are_one_clear_line(log_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(log_csv), "--user-col", "who", "--no-notebook", "--out", str(tmp_path / "o")]) == 2
    assert "error: --user-col who: the log has no column 'who'" in capsys.readouterr().err
    assert main(["report", "--out", str(tmp_path / "o")]) == 2
    assert main(["report", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "o")]) == 2


def test_report_on_a_log_with_no_usable_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.csv").write_text("user_id,timestamp,event\n,2024-05-01,open\n")
    assert main(["report", str(tmp_path / "bad.csv"), "--no-notebook", "--out", str(tmp_path / "o")]) == 1
    assert json.loads((tmp_path / "o" / "ledger.json").read_text())["set_aside"]["null_user"] == 1
    assert "no usable rows" in capsys.readouterr().err


def test_demo_command_writes_files_that_report_reads(tmp_path: Path) -> None:
    assert main(["demo", "--out", str(tmp_path / "demo")]) == 0
    paths = sorted(p.name for p in (tmp_path / "demo").iterdir())
    assert {"events.csv", "users.csv"} <= set(paths)
    code = main(
        [
            "report",
            str(tmp_path / "demo" / "events.csv"),
            "--users",
            str(tmp_path / "demo" / "users.csv"),
            "--by",
            "persona",
            "--no-notebook",
            "--out",
            str(tmp_path / "r"),
        ]
    )
    assert code == 0
    assert (tmp_path / "r" / "tables" / "active_users.csv").exists()


def test_installed_command_runs_the_demo_report(tmp_path: Path) -> None:
    """What ``make demo`` runs: the quickstart template headless, into report.html, .pdf, tables and charts."""
    pytest.importorskip("stickiness_notebooks", reason="the notebook report needs pip install 'stickiness[jupyter]'")
    done = subprocess.run(
        [sys.executable, "-m", "stickiness.cli", "report", "--demo", "--by", "persona", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Active users on 2026-06-30" in done.stdout and "Forgettable zone" in done.stdout
    assert "Row ledger" in done.stdout and "duplicate" in done.stdout
    assert f"Wrote {tmp_path / 'report.html'}" in done.stdout
    assert "Executing" in done.stderr and "100%" in done.stderr  # the progress bar
    assert json.loads((tmp_path / "ledger.json").read_text())["set_aside"]["duplicate"] > 0
    assert (tmp_path / "report.pdf").read_bytes()[:5] == b"%PDF-"
    names = ["active_users", "monthly_active_users", "frequency_spectrum", "use_case_map", "forgettable_zone"]
    for name in names:
        assert (tmp_path / "charts" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert (tmp_path / "tables" / f"{name}.csv").exists() or name == "forgettable_zone"


def test_report_with_a_use_case_catalog(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--out", str(tmp_path / "d")]) == 0
    d = tmp_path / "d"
    # a catalog missing one use case, so some events are unmapped
    catalog = pl.read_csv(d / "use_cases.csv").filter(pl.col("use_case") != "home_value")
    catalog.write_csv(tmp_path / "catalog.csv")
    argv = [
        "report",
        str(d / "events.csv"),
        "--users",
        str(d / "users.csv"),
        "--use-cases",
        str(tmp_path / "catalog.csv"),
    ]
    assert (
        main(
            [
                *argv,
                "--profiles",
                str(d / "use_case_profiles.csv"),
                "--no-charts",
                "--no-notebook",
                "--out",
                str(tmp_path / "r"),
            ]
        )
        == 0
    )
    tables = tmp_path / "r" / "tables"
    spectrum = pl.read_csv(tables / "frequency_spectrum.csv")
    assert spectrum.columns == ["persona", "use_case", "band", "users", "share"]
    usecase_map = pl.read_csv(tables / "use_case_map.csv")
    assert {"persona", "use_case", "problem", "why_us", "alternatives", "forgettable", "ci_low"} <= set(
        usecase_map.columns
    )
    assert "(unmapped)" in set(usecase_map["use_case"]) and "(any)" in set(usecase_map["use_case"])
    drifting = pl.read_csv(tables / "drifting_users.csv")
    assert drifting.columns == [
        "user",
        "persona",
        "use_case",
        "previous_rate",
        "current_rate",
        "last_active",
        "days_since",
    ]
    unmapped = pl.read_csv(tables / "unmapped_events.csv")
    assert set(unmapped["event"]) == {"estimate_viewed", "estimate_shared"}
    out = capsys.readouterr().out
    assert "Forgettable zone" in out and "find_rental" in out and "Events in no use case" in out


def test_report_writes_every_chart_as_png_and_svg(tmp_path: Path) -> None:
    pytest.importorskip("stickiness_widgets", reason="charts need the Jupyter layer: pip install 'stickiness[jupyter]'")
    assert main(["report", "--demo", "--by", "persona", "--no-notebook", "--out", str(tmp_path)]) == 0
    # as the quickstart: with a catalog, the unmapped events are written even when there are none
    assert pl.read_csv(tmp_path / "tables" / "unmapped_events.csv").columns == ["event", "events", "users"]
    names = ["active_users", "monthly_active_users", "frequency_spectrum", "use_case_map", "forgettable_zone"]
    for name in [*names, "retention", "lifecycle"]:
        assert (tmp_path / "charts" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert b"<svg" in (tmp_path / "charts" / f"{name}.svg").read_bytes()[:500], name


# --- the notebook report (the default): a template run headless -----------------------------------------------


def test_report_runs_a_template_into_one_page_with_the_same_tables(
    log_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("stickiness_notebooks", reason="the notebook report needs pip install 'stickiness[jupyter]'")
    users = ["--users", str(tmp_path / "users.csv"), "--as-of", "2024-05-02"]
    assert main(["report", str(log_csv), *users, "--no-pdf", "--out", str(tmp_path / "nb")]) == 0
    printed = capsys.readouterr()
    assert "template 'quickstart'" in printed.err and "writing report.html" in printed.err
    assert "Row ledger" in printed.out and "Active users on 2024-05-02" in printed.out
    assert (tmp_path / "nb" / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert not (tmp_path / "nb" / "report.pdf").exists()
    # the direct path (no Jupyter) computes the same tables and ledger
    assert main(["report", str(log_csv), *users, "--no-notebook", "--out", str(tmp_path / "d")]) == 0
    names = sorted(p.name for p in (tmp_path / "nb" / "tables").glob("*.csv"))
    assert names == sorted(p.name for p in (tmp_path / "d" / "tables").glob("*.csv"))
    assert {"active_users.csv", "use_case_map.csv", "retention.csv", "lifecycle.csv", "inactive_users.csv"} <= set(
        names
    )
    for name in names:
        notebook = pl.read_csv(tmp_path / "nb" / "tables" / name)
        direct = pl.read_csv(tmp_path / "d" / "tables" / name)
        assert notebook.equals(direct), name
    assert sorted(p.name for p in (tmp_path / "nb" / "charts").glob("*")) == sorted(
        p.name for p in (tmp_path / "d" / "charts").glob("*")
    )
    assert (tmp_path / "nb" / "ledger.json").read_text() == (tmp_path / "d" / "ledger.json").read_text()


def test_report_names_the_failing_cell_and_keeps_the_partial_notebook(
    log_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("stickiness_notebooks", reason="the notebook report needs pip install 'stickiness[jupyter]'")
    argv = ["report", str(log_csv), "--template", "active_users", "--user-col", "who", "--no-pdf"]
    assert main([*argv, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert 'the cell "Read the log"' in err and "ColumnNotFoundError" in err and "no column 'who'" in err
    assert "--user-col who: the log" in err and "user='who'" not in err  # the fix in the command's terms
    assert str(tmp_path / "o" / "report.ipynb") in err and (tmp_path / "o" / "report.ipynb").exists()


def test_report_on_a_log_with_no_usable_rows_in_a_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("stickiness_notebooks", reason="the notebook report needs pip install 'stickiness[jupyter]'")
    (tmp_path / "bad.csv").write_text("user_id,timestamp,event\n,2024-05-01,open\n")
    argv = ["report", str(tmp_path / "bad.csv"), "--template", "active_users", "--no-pdf"]
    assert main([*argv, "--out", str(tmp_path / "o")]) == 1
    assert json.loads((tmp_path / "o" / "ledger.json").read_text())["set_aside"]["null_user"] == 1
    assert "no usable rows" in capsys.readouterr().err


def test_report_says_which_options_a_template_ignores(log_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("stickiness_notebooks", reason="the notebook report needs pip install 'stickiness[jupyter]'")
    from stickiness_notebooks import template_notebook
    from stickiness_notebooks.run import parameter_names

    from stickiness.cli import _parser, _template_parameters

    args = _parser().parse_args(
        ["report", str(log_csv), "--template", "active_users", "--threshold", "2", "--out", "o"]
    )
    values = _template_parameters(args, parameter_names(template_notebook("active_users")))
    assert "template 'active_users' has no parameter threshold: ignored" in capsys.readouterr().err
    assert "threshold" not in values and values["events"] == str(log_csv.resolve())


def test_no_charts_needs_no_notebook(log_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(log_csv), "--no-charts", "--out", str(tmp_path / "o")]) == 2
    assert "--no-charts applies to --no-notebook" in capsys.readouterr().err


def test_new_lists_the_templates_and_writes_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nbformat = pytest.importorskip("nbformat", reason="templates need pip install 'stickiness[jupyter]'")
    assert main(["new"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in ("quickstart", "active_users", "use_cases", "forgettable_zone"))
    target = tmp_path / "weekly.ipynb"
    assert main(["new", "forgettable_zone", str(target)]) == 0
    assert nbformat.read(target, as_version=4).metadata["stickiness"]["template"] == "forgettable_zone"
    assert main(["new", "quickstart", str(target)]) == 2  # kept
    assert "--force" in capsys.readouterr().err
    assert main(["new", "quickstart", str(target), "--force"]) == 0
    assert nbformat.read(target, as_version=4).metadata["stickiness"]["template"] == "quickstart"
    assert main(["new", "retention_typo", str(tmp_path / "x.ipynb")]) == 2
    assert "no template named 'retention_typo'" in capsys.readouterr().err


# --- messages name the fix as a flag ------------------------------------------------------------------------


def test_a_missing_time_column_suggests_the_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "e.csv").write_text("user_id,when,event\na,2024-05-01,open\n")
    assert main(["report", str(tmp_path / "e.csv"), "--no-notebook", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "Name it with --time-col your_column." in err and "time=" not in err
    assert (
        main(["report", str(tmp_path / "e.csv"), "--time-col", "when", "--no-notebook", "--out", str(tmp_path / "o")])
        == 0
    )


def test_ambiguous_columns_and_wrong_units_name_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "e.csv").write_text("user_id,User_ID,timestamp,event\na,b,1709856000,open\n")
    assert main(["report", str(tmp_path / "e.csv"), "--no-notebook", "--out", str(tmp_path / "o")]) == 2
    assert "e.g. --user-col user_id" in capsys.readouterr().err
    argv = ["report", str(tmp_path / "e.csv"), "--user-col", "user_id", "--no-notebook", "--out", str(tmp_path / "o")]
    assert main([*argv, "--time-unit", "ms"]) == 2
    err = capsys.readouterr().err
    assert "--time-unit ms puts every event of 'timestamp' on 1970-01-20" in err and "use --time-unit s." in err


def test_users_key_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "e.csv").write_text("user_id,timestamp,event\na,2024-05-01T10:00:00Z,open\n")
    (tmp_path / "u.csv").write_text("account,who,persona\nx,a,agent\n")
    argv = ["report", str(tmp_path / "e.csv"), "--users", str(tmp_path / "u.csv"), "--no-notebook"]
    assert main([*argv, "--out", str(tmp_path / "o")]) == 2
    assert "Name it with --users-key your_column." in capsys.readouterr().err
    assert main([*argv, "--users-key", "who", "--by", "persona", "--out", str(tmp_path / "o2")]) == 0
    daily = pl.read_csv(tmp_path / "o2" / "tables" / "active_users.csv")
    assert daily["persona"].unique().to_list() == ["agent"]


def test_null_like_ids_and_the_flag_that_keeps_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "e.csv").write_text(
        "user_id,timestamp,event\n"
        "a,2024-05-01T10:00:00Z,open\n"
        "NA,2024-05-01T10:00:00Z,open\n"  # a null user, named in the notes
        " a ,2024-05-02T10:00:00Z,open\n"  # user a, trimmed
    )
    argv = ["report", str(tmp_path / "e.csv"), "--no-notebook", "--no-charts"]
    assert main([*argv, "--out", str(tmp_path / "o")]) == 0
    ledger = json.loads((tmp_path / "o" / "ledger.json").read_text())
    assert ledger["set_aside"]["null_user"] == 1 and ledger["users"] == 1  # ' a ' is a
    out = capsys.readouterr().out
    assert "1 'NA'; pass --keep-null-like-ids to keep them" in out
    assert "null_ids=()" in " ".join(ledger["notes"])  # the file keeps the Python wording
    assert main([*argv, "--keep-null-like-ids", "--out", str(tmp_path / "o2")]) == 0
    assert json.loads((tmp_path / "o2" / "ledger.json").read_text())["users"] == 2


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("pass time='col'", "pass --time-col col"),
        ("pass event=None.", "pass --no-event-col."),
        ("user='my col' is missing", "--user-col 'my col' is missing"),
        (
            "as_of=2031-01-01 is after today; pass as_of=2024-05-03.",
            "--as-of 2031-01-01 is after today; pass --as-of 2024-05-03.",
        ),
        ("mixed_offsets='assume_tz'", "--mixed-offsets assume_tz"),
        ("tz='Mars/Olympus' is not", "--tz Mars/Olympus is not"),
        ("window=3: the MAU window", "--mau-window 3: the MAU window"),
        ("horizon=30 is shorter than window=90", "--horizon 30 is shorter than --habit-window 90"),
        ("pass time_unit= to choose", "pass --time-unit to choose"),
        ("users_key='id' and min_users=0", "--users-key id and --min-users 0"),
        ("first_time='x', runtime=3, start_day", "first_time='x', runtime=3, start_day"),  # not keywords
    ],
)
def test_one_table_translates_keyword_fixes_to_flags(message: str, expected: str) -> None:
    from stickiness.cli import for_command_line

    assert for_command_line(message) == expected
