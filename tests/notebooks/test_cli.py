from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from stickiness_notebooks.cli import _forgettable_summary, _retention_summary, _summary, _unmapped_line, main

import stickiness as st
from stickiness._text import display_width, printable, use_case_label
from stickiness.ledger import Ledger
from tests.test_output import hashes, previous_report
from tests.test_text import ACTING, names

#: The interval columns appended to the stickiness tables (docs/intervals.md).
INTERVAL = ["stickiness_low", "stickiness_high", "small_sample"]


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
    assert daily.columns == ["persona", "day", "dau", "wau", "mau", "stickiness", "complete", "partial_day", *INTERVAL]
    assert set(daily["persona"]) == {"agent", "(unknown)"}
    ledger = json.loads((out / "ledger.json").read_text())
    assert ledger["rows_read"] == 5 and ledger["rows_used"] == 2
    assert ledger["set_aside"]["duplicate"] == 1 and ledger["set_aside"]["null_user"] == 1
    assert ledger["set_aside"]["unparseable_time"] == 1
    printed = capsys.readouterr()
    assert "Row ledger" in printed.out and "duplicate" in printed.out
    assert "reading the log" in printed.err
    monthly = pl.read_csv(out / "tables" / "monthly_active_users.csv")
    assert monthly.columns == ["persona", "month", "days", "mean_dau", "mau", "stickiness", "complete", *INTERVAL]


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
    assert daily.columns == [*["day", "dau", "wau", "mau", "stickiness", "complete", "partial_day"], *INTERVAL]


def test_report_errors_are_one_clear_line(log_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(log_csv), "--user-col", "who", "--no-notebook", "--out", str(tmp_path / "o")]) == 2
    assert "error: --user-col who: the log has no column 'who'" in capsys.readouterr().err
    assert main(["report", "--out", str(tmp_path / "o")]) == 2
    assert main(["report", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "o")]) == 2


def test_report_on_a_log_with_no_usable_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.csv").write_text("user_id,timestamp,event\n,2024-05-01,open\n")
    assert main(["report", str(tmp_path / "bad.csv"), "--no-notebook", "--out", str(tmp_path / "o")]) == 1
    # a failed run: --out is not made; its ledger is kept beside it, in o.failed/, and the message says where
    assert not (tmp_path / "o").exists()
    assert json.loads((tmp_path / "o.failed" / "ledger.json").read_text())["set_aside"]["null_user"] == 1
    err = capsys.readouterr().err
    assert "no usable rows" in err and str(tmp_path / "o.failed" / "ledger.json") in err


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
        [
            sys.executable,
            "-m",
            "stickiness_notebooks.cli",
            "report",
            "--demo",
            "--by",
            "persona",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Active users on 2026-06-30" in done.stdout and "Forgettable zone" in done.stdout
    assert "Row ledger" in done.stdout and "duplicate" in done.stdout
    assert f"Wrote {tmp_path / 'report.html'}" in done.stdout
    assert "report.xlsx, report.pptx" in done.stdout.split("\nWrote ")[-1]  # written by the template's export cell
    assert (tmp_path / "report.xlsx").read_bytes()[:2] == (tmp_path / "report.pptx").read_bytes()[:2] == b"PK"
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
    # docs/use-cases.md: the bands, then the segment's forgettable verdict
    verdict = ["evaluable", "forgettable_share", "forgettable", "verdict"]
    interval = ["share_low", "share_high", "small_sample"]  # appended (docs/intervals.md)
    assert spectrum.columns == ["persona", "use_case", "band", "users", "share", *verdict, *interval]
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
    # the demo's segments in the zone are expected yearly or quarterly: listed apart, not as findings
    zone, expected = out.split("Forgettable zone")[1].split("Rarely used, as expected")
    assert "find_rental" not in zone and "find_rental" in expected and "expected yearly" in expected
    assert "(unmapped)" not in out.split("Forgettable zone")[1]


def test_report_writes_every_chart_as_png_and_svg(tmp_path: Path) -> None:
    pytest.importorskip("stickiness_widgets", reason="charts need the Jupyter layer: pip install 'stickiness[jupyter]'")
    assert main(["report", "--demo", "--by", "persona", "--no-notebook", "--out", str(tmp_path)]) == 0
    # as the quickstart: with a catalog, the unmapped events are written even when there are none
    assert pl.read_csv(tmp_path / "tables" / "unmapped_events.csv").columns == ["event", "events", "users"]
    names = ["active_users", "monthly_active_users", "frequency_spectrum", "use_case_map", "forgettable_zone"]
    for name in [*names, "retention", "lifecycle"]:
        assert (tmp_path / "charts" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert b"<svg" in (tmp_path / "charts" / f"{name}.svg").read_bytes()[:500], name


def test_report_draws_the_period_it_computed(tmp_path: Path) -> None:
    pytest.importorskip("stickiness_widgets", reason="charts need the Jupyter layer: pip install 'stickiness[jupyter]'")
    # Mon 1 and Tue 2 Apr 2024: one ISO week, dated Mon 1 Apr, which is also the 1st of a month, so the dates
    # alone cannot tell a week from a month: the charts must draw the week the metrics computed
    events = tmp_path / "events.csv"
    events.write_text("user_id,timestamp,event\na,2024-04-01T10:00:00Z,open\nb,2024-04-02T10:00:00Z,open\n")
    out = tmp_path / "out"
    assert main(["report", str(events), "--period", "week", "--no-notebook", "--out", str(out)]) == 0
    periods = pl.read_csv(out / "tables" / "retention.csv", try_parse_dates=True)["period"].to_list()
    assert periods == [dt.date(2024, 4, 1)]
    for chart, finding in [("retention", "no week follows one"), ("lifecycle", "one week only")]:
        svg = (out / "charts" / f"{chart}.svg").read_text()
        text = " ".join(piece for piece in ET.fromstring(svg).itertext() if piece.strip())
        assert finding in text, chart  # a chart guessing from the dates would say "no month" and "one month"


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
    out = tmp_path / "o"
    previous = previous_report(out)
    assert main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert 'the cell "Read the log"' in err and "ColumnNotFoundError" in err and "no column 'who'" in err
    assert "--user-col who: the log" in err and "user='who'" not in err  # the fix in the command's terms
    # the partial notebook is kept beside --out, which is left byte for byte as it was
    kept = tmp_path / "o.failed" / "report.ipynb"
    assert str(kept) in err and kept.exists() and f"{out} is left as it was" in err
    assert hashes(out) == previous
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.csv", "o", "o.failed", "users.csv"]


def test_report_on_a_log_with_no_usable_rows_in_a_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("stickiness_notebooks", reason="the notebook report needs pip install 'stickiness[jupyter]'")
    (tmp_path / "bad.csv").write_text("user_id,timestamp,event\n,2024-05-01,open\n")
    argv = ["report", str(tmp_path / "bad.csv"), "--template", "active_users", "--no-pdf"]
    assert main([*argv, "--out", str(tmp_path / "o")]) == 1
    assert json.loads((tmp_path / "o.failed" / "ledger.json").read_text())["set_aside"]["null_user"] == 1
    assert "no usable rows" in capsys.readouterr().err


def test_report_says_which_options_a_template_ignores(log_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("stickiness_notebooks", reason="the notebook report needs pip install 'stickiness[jupyter]'")
    from stickiness_notebooks import template_notebook
    from stickiness_notebooks.cli import _parser, _template_parameters
    from stickiness_notebooks.run import parameter_names

    args = _parser().parse_args(
        ["report", str(log_csv), "--template", "active_users", "--threshold", "2", "--out", "o"]
    )
    values = _template_parameters(args, parameter_names(template_notebook("active_users")))
    assert "template 'active_users' has no parameter threshold: ignored" in capsys.readouterr().err
    assert "threshold" not in values and values["events"] == str(log_csv.resolve())


def test_no_charts_needs_no_notebook(log_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(log_csv), "--no-charts", "--out", str(tmp_path / "o")]) == 2
    assert "--no-charts applies to --no-notebook" in capsys.readouterr().err


def test_no_notebook_report_loads_no_notebook_machinery(log_csv: Path, tmp_path: Path) -> None:
    """``--no-notebook`` runs without nbformat, papermill or jupytext: the package's names load on first use."""
    code = (
        "import sys; from stickiness_notebooks.cli import main; "
        f"code = main(['report', {str(log_csv)!r}, '--no-notebook', '--out', {str(tmp_path / 'r')!r}]); "
        "print(code, [m for m in ('nbformat', 'papermill', 'jupytext', 'nbconvert') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "0 []", done.stderr


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


# --- names are data: what the terminal shows (docs/api.md, "The printed summary") ------------------------------

ZONE_ARGS = argparse.Namespace(majority=0.5, threshold=1.0, habit_window=90)


def _inert(printed: str) -> None:
    """No character that acts on a terminal, except the summary's own line breaks."""
    assert not (ACTING - {"\n"}) & set(printed)


def _daily(segments: list[str]) -> pl.DataFrame:
    n = len(segments)
    return pl.DataFrame(
        {
            "persona": segments,
            "day": [dt.date(2024, 5, 2)] * n,
            "dau": [3] * n,
            "wau": [4] * n,
            "mau": list(range(10, 10 + n)),
            "stickiness": [0.3] * n,
            "complete": [True] * n,
        }
    )


def _zone_map(rows: list[tuple[str, str, str]]) -> pl.DataFrame:
    n = len(rows)
    return pl.DataFrame(
        {
            "persona": [p for p, _, _ in rows],
            "use_case": [u for _, u, _ in rows],
            "expected_frequency": [None] * n,
            "evaluable": list(range(40, 40 + n)),
            "forgettable_share": [0.75] * n,
            "ci_low": [0.6] * n,
            "ci_high": [0.86] * n,
            "verdict": [v for _, _, v in rows],
        },
        schema_overrides={"expected_frequency": pl.String},
    )


@settings(max_examples=40, deadline=None)
@given(persona=names, use_case=names, event=names)
def test_printed_names_are_escaped_and_the_columns_stay_aligned(persona: str, use_case: str, event: str) -> None:
    daily = _summary(_daily(["a", persona]), by="persona", window=30)
    _inert(daily)
    assert printable(persona, 20) + " DAU " in daily
    # the column after the name starts at the same place on every row, however long or wide the name
    rows = daily.splitlines()[1:]
    assert len({display_width(line[: line.rindex(" DAU ")]) for line in rows}) == 1

    retained = pl.DataFrame(
        {
            "persona": ["a", persona],
            "period": [dt.date(2024, 5, 1)] * 2,
            "complete": [True, True],
            "active_before": [10, 12],
            "active": [5, 3],
            "new": [0, 0],
            "retained": [5, 3],
            "retention_rate": [0.5, 0.25],
            "churn_rate": [0.5, 0.75],
        }
    )
    printed = _retention_summary(retained, by="persona", min_users=1)
    _inert(printed)
    assert printable(persona, 20) + " active before" in printed

    zone = _forgettable_summary(
        _zone_map([("a", "b", "forgettable"), (persona, use_case, "forgettable")]), ZONE_ARGS, segment="persona"
    )
    _inert(zone)
    assert f"  {printable(persona, 24)} {use_case_label(use_case, 24)}  75.0% (95% CI" in zone
    rows = zone.splitlines()[2:]
    assert len({display_width(line[: line.rindex(" 75.0% (95% CI")]) for line in rows}) == 1

    unmapped = _unmapped_line(pl.DataFrame({"event": [event], "events": [7], "users": [2]}))
    _inert(unmapped)
    assert unmapped.endswith(f": {printable(event, 40, pad=False)} (7)")

    ledger = str(Ledger(rows_read=1, rows_used=1, set_aside={}, users=1, notes=(f"ids such as {event!r}",)))
    _inert(ledger)


def test_forgettable_summary_lists_findings_apart_from_the_expected_and_never_unmapped() -> None:
    rows = [
        ("(all)", "(any)", "forgettable"),
        ("(all)", "(unmapped)", "not a use case"),
        ("(all)", "file_taxes", "rare as expected"),
        ("(all)", "reports", "not forgettable"),
    ]
    table = _zone_map(rows).with_columns(expected_frequency=pl.Series([None, None, "yearly", "monthly"]))
    printed = _forgettable_summary(table, ZONE_ARGS, segment="persona")
    zone, expected = printed.split("Rarely used, as expected")
    assert "the product as a whole" in zone and "(any)" not in printed  # (any) is shown as what it means
    assert "file_taxes" in expected and "expected yearly" in expected and "file_taxes" not in zone
    assert "(unmapped)" not in printed and "reports" not in printed
    none = _forgettable_summary(table.filter(pl.col("verdict") != "forgettable"), ZONE_ARGS, segment="persona")
    assert none.splitlines()[2] == "  none"


def test_report_prints_hostile_names_inert(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    persona, event = '\x1b[2J\x1b[31mO\'Brien "pro" team\u202e', "evil\rname\x07" + "x" * 500
    days = [f"2024-05-{d:02d}T10:00:00Z" for d in range(1, 29)]
    pl.DataFrame({"user_id": ["u1"] * 28, "timestamp": days, "event": [event] * 28}).write_csv(tmp_path / "e.csv")
    pl.DataFrame({"user_id": ["u1"], "persona": [persona]}).write_csv(tmp_path / "u.csv")
    pl.DataFrame({"event": ["other"], "use_case": ["browse"]}).write_csv(tmp_path / "c.csv")
    argv = ["report", str(tmp_path / "e.csv"), "--users", str(tmp_path / "u.csv"), "--use-cases"]
    argv += [str(tmp_path / "c.csv"), "--no-notebook", "--no-charts", "--out", str(tmp_path / "out")]
    assert main(argv) == 0
    out = capsys.readouterr().out
    _inert(out)
    assert printable(persona, 20) in out and printable(event, 40, pad=False) in out
    # the tables keep the names whole
    assert pl.read_csv(tmp_path / "out" / "tables" / "unmapped_events.csv")["event"].to_list() == [event]


# --- one typical interval per user: --horizon reaches the inactivity list on both paths (issue 14, item 9) ------


@pytest.fixture
def like_02264(tmp_path: Path) -> Path:
    """A customer like CDNOW's 02264 (4 purchase days, 2 of them in the last 365 days, 1 in the last 180)."""
    path = tmp_path / "purchases.csv"
    days = ["1997-01-10", "1997-02-24", "1997-09-18", "1998-02-14"]
    path.write_text("user_id,timestamp\n" + "".join(f"c02264,{d}\n" for d in days) + "other,1998-06-30\n")
    return path


def _inactive(out: Path) -> dict[str, object]:
    table = pl.read_csv(out / "tables" / "inactive_users.csv")
    return table.filter(pl.col("user") == "c02264").select("interval_days", "status").row(0, named=True)


def test_horizon_reaches_the_inactivity_list(like_02264: Path, tmp_path: Path) -> None:
    argv = ["report", str(like_02264), "--no-event-col", "--no-notebook", "--no-charts"]
    assert main([*argv, "--out", str(tmp_path / "h365")]) == 0
    assert main([*argv, "--horizon", "180", "--out", str(tmp_path / "h180")]) == 0
    # 365 days: Sep 18 and Feb 14 are in the horizon, one gap of 149 days; 180 days: Feb 14 alone, no interval
    assert _inactive(tmp_path / "h365") == {"interval_days": 149.0, "status": "dormant"}  # 136 days > 90
    assert _inactive(tmp_path / "h180") == {"interval_days": None, "status": "dormant"}


def test_horizon_reaches_the_quickstart_template(like_02264: Path, tmp_path: Path) -> None:
    pytest.importorskip("stickiness_notebooks", reason="the notebook report needs pip install 'stickiness[jupyter]'")
    argv = ["report", str(like_02264), "--no-event-col", "--horizon", "180"]
    assert main([*argv, "--no-pdf", "--out", str(tmp_path / "nb")]) == 0
    assert _inactive(tmp_path / "nb") == {"interval_days": None, "status": "dormant"}


# --- the printed retention summary: rates above 100% explained, small segments not headlined (issue 14) --------


@pytest.fixture
def resurrecting_log(tmp_path: Path) -> Path:
    """40 'big' users and 3 'tiny' ones over January to March 2024, with users back after a gap in March."""
    lines = ["user_id,timestamp,event"]
    lines += [f"u{i},2024-01-05T10:00:00Z,open" for i in range(40)]  # January: all 40
    lines += [f"u{i},2024-02-05T10:00:00Z,open" for i in range(30)]  # February: u0-u29
    lines += [f"u{i},2024-03-05T10:00:00Z,open" for i in range(32)]  # March: u0-u29 and u30, u31 back after a gap
    lines += [f"t{i},2024-01-06T10:00:00Z,open" for i in range(3)]  # tiny: t0-t2 in January,
    lines += ["t0,2024-02-06T10:00:00Z,open"] + [f"t{i},2024-03-06T10:00:00Z,open" for i in range(3)]  # t0 in Feb
    lines += ["u0,2024-03-31T10:00:00Z,open"]  # the log ends on Mar 31: March is complete
    (tmp_path / "personas.csv").write_text(
        "user_id,persona\n" + "".join(f"u{i},big\n" for i in range(40)) + "".join(f"t{i},tiny\n" for i in range(3))
    )
    path = tmp_path / "resurrecting.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_retention_summary_explains_rates_above_100_and_skips_small_segments(
    resurrecting_log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from stickiness_notebooks.cli import _parser, _print_outputs

    users = ["--users", str(tmp_path / "personas.csv")]
    argv = ["report", str(resurrecting_log), *users, "--no-notebook", "--no-charts", "--out", str(tmp_path / "o")]
    assert main(argv) == 0
    direct = capsys.readouterr().out
    table = pl.read_csv(tmp_path / "o" / "tables" / "retention.csv", try_parse_dates=True)
    march = table.filter(pl.col("period").cast(pl.String) == "2024-03-01").sort("persona")
    # big: CS 30 (u0-u29 in Feb), CE 32, CN 0: returning 32, 32/30 = 106.7%; tiny: CS 1 (t0), returning 3 = 300%
    assert march.select("persona", "active_before", "retained", "returning", "sufficient").rows() == [
        ("big", 30, 30, 32, True),
        ("tiny", 1, 1, 3, False),
    ]
    assert march["retention_rate"].to_list() == [32 / 30, 3 / 1]
    # the retention block (what changed, below it, gives every segment's stickiness: not a retention headline)
    summary = direct[direct.index("Retention in the period starting 2024-03-01") :].split("\n\n")[0]
    assert "big                  active before      30  returning      32  retention 106.7%* churn   0.0%" in summary
    assert "above 100%: returning also counts users back after a gap" in summary and ": 2 in big." in summary
    assert "tiny " not in summary and "300.0%" not in summary  # not headlined ...
    assert "Not headlined (tiny): fewer than 30 users active in the period before" in summary  # ... but named
    # the template path prints from the CSVs it wrote: the same lines
    _print_outputs(tmp_path / "o", _parser().parse_args(argv))
    printed = capsys.readouterr().out
    assert printed[printed.index("Active users on") :] == direct[direct.index("Active users on") :].split("\nWrote ")[0]


# --- a partial last day: the summary headlines the last complete day (docs/metrics.md) --------------------------


def test_summary_headlines_the_last_complete_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import date, timedelta

    from stickiness_notebooks.cli import _parser, _print_outputs

    # 40 users a day from April 1 to May 30 2024; the log stops at 05:00 on May 31, with 6 users
    days = [date(2024, 4, 1) + timedelta(days=n) for n in range(60)]
    lines = [f"u{u},{d}T12:00:00Z,open" for d in days for u in range(40)]
    lines += [f"u{u},2024-05-31T04:00:00Z,open" for u in range(6)]
    path = tmp_path / "partial.csv"
    path.write_text("user_id,timestamp,event\n" + "\n".join(lines) + "\n")
    argv = ["report", str(path), "--no-notebook", "--no-charts", "--out", str(tmp_path / "o")]
    assert main(argv) == 0
    direct = capsys.readouterr().out
    daily = pl.read_csv(tmp_path / "o" / "tables" / "active_users.csv", try_parse_dates=True)
    assert daily.columns == [*["day", "dau", "wau", "mau", "stickiness", "complete", "partial_day"], *INTERVAL]
    assert daily.filter(pl.col("partial_day")).select("day", "dau", "complete").rows() == [
        (date(2024, 5, 31), 6, False)
    ]
    # May 30: DAU 40, MAU 40 (the same 40 users every day): 100%, not May 31's 6 / 40 = 15%
    assert "Active users on 2024-05-30 (MAU over 30 days)" in direct
    assert "all users            DAU      40  WAU      40  MAU      40  DAU/MAU 100.0%" in direct
    assert "The last day, 2024-05-31, looks partial (DAU 6," in direct and "15.0%" not in direct
    monthly = pl.read_csv(tmp_path / "o" / "tables" / "monthly_active_users.csv", try_parse_dates=True)
    assert monthly["complete"].to_list() == [True, False]  # May holds the partial day
    # the template path prints from the CSVs it wrote: the same lines
    _print_outputs(tmp_path / "o", _parser().parse_args(argv))
    printed = capsys.readouterr().out
    assert printed[printed.index("Active users on") :] == direct[direct.index("Active users on") :].split("\nWrote ")[0]


def test_retention_summary_reads_a_table_without_the_new_columns() -> None:
    from datetime import date

    from stickiness_notebooks.cli import _retention_summary

    # an older retention.csv: CS 26, all 26 retained, 27 active and not new (1 back after a gap): 27 / 26 = 103.8%
    older = pl.DataFrame(
        {
            "period": [date(2024, 3, 1)],
            "active_before": [26],
            "active": [30],
            "new": [3],
            "retained": [26],
            "churned": [0],
            "retention_rate": [27 / 26],
            "churn_rate": [0.0],
            "complete": [True],
        }
    )
    text = _retention_summary(older, by=None, min_users=20)
    assert "returning      27  retention 103.8%*" in text and ": 1 in all users." in text
    assert "Not headlined: fewer than 30" in _retention_summary(older, by=None, min_users=30)


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
        ("memory_limit='lots': give a size", "--memory-limit lots: give a size"),
        ("first_time='x', runtime=3, start_day", "first_time='x', runtime=3, start_day"),  # not keywords
    ],
)
def test_one_table_translates_keyword_fixes_to_flags(message: str, expected: str) -> None:
    from stickiness_notebooks.cli import for_command_line

    assert for_command_line(message) == expected


# --- every read option reaches the templates (the default, notebook path) --------------------------------------


def test_read_options_reach_the_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("stickiness_notebooks", reason="the notebook report needs pip install 'stickiness[jupyter]'")
    # a Latin-1 export whose users table names its key 'who', with one user id 'NA' (a real id here)
    rows = [f"{user},2024-05-{day:02d}T10:00:00Z,caf\xe9" for user in ("José", "NA") for day in (1, 2, 3)]
    (tmp_path / "events.csv").write_bytes(("user_id,timestamp,event\n" + "\n".join(rows) + "\n").encode("latin-1"))
    (tmp_path / "users.csv").write_bytes("who,persona\nJosé,pro\nNA,free\n".encode("latin-1"))
    argv = ["report", str(tmp_path / "events.csv"), "--users", str(tmp_path / "users.csv"), "--no-pdf"]
    argv += ["--users-key", "who", "--keep-null-like-ids", "--encoding", "latin-1", "--out", str(tmp_path / "o")]
    argv += ["--memory-limit", "300MB"]  # read_log's, through the template's parameter (no figure changes)
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "has no parameter" not in err  # every option above is a parameter of the quickstart
    ledger = json.loads((tmp_path / "o" / "ledger.json").read_text())
    # 6 rows, all used: 'NA' is an id (--keep-null-like-ids), both users found in the users table (--users-key)
    assert (ledger["rows_read"], ledger["rows_used"], ledger["users"]) == (6, 6, 2)
    assert ledger["users_without_segment"] == 0
    personas = pl.read_csv(tmp_path / "o" / "tables" / "active_users.csv")["persona"].unique().sort().to_list()
    assert personas == ["free", "pro"]  # José read as Latin-1 matched the users table's José


def test_a_bad_flag_is_one_error_line_not_the_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--demo", "--mau-window", "0", "--out", "o"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert "usage:" not in err
    assert err.splitlines() == [
        "stickiness report: error: argument --mau-window: 0 is out of range: give a whole number from 7 to 3650.",
        "(run 'stickiness report --help' for every option)",
    ]


# --- --memory-limit: read_log(memory_limit=) on both paths (docs/api.md, docs/engines.md) -------------------------


def _tables(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((folder / "tables").glob("*.csv"))}


def test_memory_limit_reaches_read_log_and_changes_no_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("duckdb")
    import stickiness_notebooks.cli as cli

    logs: list[tuple[object, st.UsageLog]] = []

    def spy(*args: object, **kwargs: object) -> st.UsageLog:
        log = st.read_log(*args, **kwargs)  # type: ignore[arg-type]
        logs.append((kwargs.get("memory_limit"), log))
        return log

    monkeypatch.setattr(cli, "read_log", spy)
    argv = ["report", "--demo", "--engine", "duckdb", "--no-notebook", "--no-charts"]
    assert main([*argv, "--memory-limit", "300MB", "--out", str(tmp_path / "bounded")]) == 0
    assert main([*argv, "--out", str(tmp_path / "free")]) == 0
    (given, bounded), (default, free) = logs
    # the flag reaches read_log as given, and its session holds the bound: 300MB = 300 x 10**6 bytes
    assert (given, default) == ("300MB", None)
    assert (bounded.session.engine, bounded.session.memory_limit) == ("duckdb", 300 * 10**6)
    assert free.session.memory_limit is None
    tables = _tables(tmp_path / "bounded")
    assert {"active_users.csv", "use_case_map.csv", "retention.csv", "inactive_users.csv"} <= set(tables)
    assert tables == _tables(tmp_path / "free")  # the limit bounds memory, never a figure
    assert (tmp_path / "bounded" / "ledger.json").read_text() == (tmp_path / "free" / "ledger.json").read_text()


@pytest.mark.parametrize("value", ["lots", "0", "2 parsecs", ""])
def test_a_bad_memory_limit_is_one_error_line_naming_the_flag(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for path in ("--no-notebook", "--no-pdf"):  # checked before either path reads anything or starts a kernel
        with pytest.raises(SystemExit) as exit_info:
            main(["report", "--demo", "--memory-limit", value, path, "--out", str(tmp_path / "o")])
        err = capsys.readouterr().err
        assert exit_info.value.code == 2
        assert err.splitlines() == [
            f"stickiness report: error: argument --memory-limit: {value!r} is not a memory limit: give a size such "
            "as 500MB, 2GB or 1.5GiB (leave the flag out for no limit).",
            "(run 'stickiness report --help' for every option)",
        ]
    assert not (tmp_path / "o").exists()


def test_memory_limit_is_a_parameter_of_every_template(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("stickiness_notebooks", reason="the notebook report needs pip install 'stickiness[jupyter]'")
    from stickiness_notebooks import TEMPLATES, template_notebook
    from stickiness_notebooks.cli import _parser, _template_parameters
    from stickiness_notebooks.run import parameter_names

    for name in TEMPLATES:
        args = _parser().parse_args(["report", "--demo", "--template", name, "--memory-limit", "1.5GiB", "--out", "o"])
        values = _template_parameters(args, parameter_names(template_notebook(name)))
        assert values["memory_limit"] == "1.5GiB", name
        assert "memory_limit" not in capsys.readouterr().err, name  # not named as an option the template ignores
