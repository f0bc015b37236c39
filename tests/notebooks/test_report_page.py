"""report.html reads as a report (issue 17): the summary first, its numbers the tables', no author text, no code,
no local path, the run settings in an appendix; and in a real browser the summary is what the reader sees first."""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import nbformat
import polars as pl
import pytest
from stickiness_notebooks import report_html, write_report

from stickiness import unescape_table
from tests.conftest import CHROMIUM

#: The page's data: URIs (the charts' SVG in base64) hold no text to read.
DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")
#: A code cell's input on the page (the stylesheet names the class too: an element is looked for).
CODE = re.compile(r'<div class="[^"]*jp-InputArea-editor')


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The quickstart on the demo data, written as stickiness report writes it (no PDF: the browser test prints)."""
    out = tmp_path_factory.mktemp("page") / "report"
    write_report("quickstart", out, {}, pdf=False, progress=False)
    return out


def _text(page: str) -> str:
    """The page's visible text, roughly: scripts, styles and data URIs dropped, tags as spaces."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = DATA_URI.sub(" ", page)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).replace("&#39;", "'").replace("&amp;", "&")


def _table(report: Path, name: str) -> pl.DataFrame:
    return unescape_table(pl.read_csv(report / "tables" / f"{name}.csv", try_parse_dates=True))


def test_the_page_opens_with_the_summary_whose_numbers_are_the_tables(report: Path) -> None:
    page = (report / "report.html").read_text(encoding="utf-8")
    main = page[page.index("<main>") :]
    # the title (the notebook's first heading) above the summary, then the sections
    assert main.index("<h1>Quickstart: how sticky") < main.index('class="stickiness-summary"')
    summary_at, first_section = main.index('class="stickiness-summary"'), main.index("This notebook answers")
    assert summary_at < first_section
    summary = _text(main[summary_at:first_section])
    # stickiness: each persona's mean of the last 7 days' DAU / MAU in tables/active_users.csv (the oracle: plain
    # Python over the table's rows, the last day not partial)
    daily = _table(report, "active_users").filter(~pl.col("partial_day"))
    for persona in daily["persona"].unique().to_list():
        values = daily.filter(pl.col("persona") == persona).sort("day").tail(7)["stickiness"].to_list()
        assert f"{persona} {statistics.fmean(values):.1%}" in summary, persona
    # churn per persona in the latest complete month of tables/retention.csv
    retained = _table(report, "retention").filter(pl.col("complete") & pl.col("sufficient"))
    latest = retained.filter(pl.col("period") == retained["period"].max())
    assert latest.height == 4
    for persona, churn, rate in latest.select("persona", "churn_rate", "retention_rate").iter_rows():
        assert f"{persona} churn {churn:.1%} (retention {rate:.1%})" in summary
    # the users with no activity in the last 30 days: tables/inactive_users.csv's rows
    assert f"{_table(report, 'inactive_users').height:,} users have had no activity" in summary
    assert "Next steps" in summary


def test_the_page_has_no_author_text_no_code_and_no_local_path(report: Path) -> None:
    page = (report / "report.html").read_text(encoding="utf-8")
    text = _text(page)
    assert "Set the parameters" not in text
    assert not re.search(r"<h2[^>]*>\s*Export", page)
    assert not CODE.search(page) and "export_report(" not in text and "import stickiness" not in text
    readable = DATA_URI.sub(" ", page)
    for folder in {str(report), str(report.resolve()), str(report.parent), str(Path.home())}:
        assert folder not in readable, folder
    assert not re.search(r"(?<![\w.])/(tmp|home|root|work|Users)/", readable)


def test_the_run_settings_are_in_full_in_an_appendix_at_the_end(report: Path) -> None:
    page = (report / "report.html").read_text(encoding="utf-8")
    appendix = page.index('class="stickiness-appendix"')
    assert appendix > page.index("Retention and lifecycle")  # after the last section
    settings = _text(page[appendix:])
    assert "Appendix: run settings" in settings and "<details" not in page[appendix:]
    for option in ("mau_window 30", "habit_window 90", "threshold 1.0", "period 'month'", "days analysed"):
        assert option in settings, option
    assert "Row ledger" in settings and "rows read 444,573" in settings


def test_keep_code_keeps_the_code(report: Path, tmp_path: Path) -> None:
    notebook = nbformat.read(report / "report.ipynb", as_version=4)
    page = report_html(notebook, tmp_path / "with-code.html", keep_code=True).read_text(encoding="utf-8")
    assert CODE.search(page) and "open_inputs" in page


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs Debian's chromium at {CHROMIUM}")
def test_in_a_browser_the_summary_is_at_the_top(report: Path, browser: object) -> None:
    from tests.browser.conftest import Watch, offline_page

    watch = Watch()
    url = (report / "report.html").as_uri()
    page = offline_page(browser, watch, width=1280, height=900, hosts=(), allow=(url,))  # type: ignore[arg-type]
    page.goto(url)
    summary = page.locator("section.stickiness-summary")
    summary.wait_for(state="visible")
    box = summary.bounding_box()
    assert box is not None and box["y"] < 300  # under the title, before any section
    assert "Stickiness (DAU / MAU" in summary.inner_text()
    heading = page.get_by_text("This notebook answers", exact=False).first.bounding_box()
    assert heading is not None and heading["y"] > box["y"] + box["height"] - 1
    assert watch.blocked == [] and watch.errors == []


def test_inputs_are_named_without_their_folder(tmp_path: Path) -> None:
    """A log given by its absolute path: the appendix names the file; outputs printing the path lose the folder."""
    logs = tmp_path / "private" / "logs"
    notebook = nbformat.v4.new_notebook(
        metadata={"papermill": {"parameters": {"events": str(logs / "events.csv"), "out": "."}}}
    )
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "events = None  # the log\nmau_window = 30  # days", metadata={"tags": ["parameters"]}
        ),
        nbformat.v4.new_code_cell(
            "print(events)",
            outputs=[nbformat.v4.new_output("stream", name="stdout", text=f"read {logs / 'events.csv'}\n")],
        ),
        nbformat.v4.new_markdown_cell("Set the parameters above.", metadata={"tags": ["author"]}),
    ]
    page = report_html(notebook, tmp_path / "report.html").read_text(encoding="utf-8")
    assert str(logs) not in page and str(tmp_path) not in page
    assert "read events.csv" in page  # the output, without the folder
    settings = _text(page[page.index('class="stickiness-appendix"') :])
    assert "events 'events.csv'" in settings and "mau_window 30" in settings  # every parameter, the cell's too
    assert "Set the parameters" not in page


@pytest.mark.parametrize(("flags", "kept"), [([], False), (["--keep-code"], True)])
def test_keep_code_reaches_write_report(
    flags: list[str], kept: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import stickiness_notebooks
    from stickiness_notebooks.cli import main

    seen: dict[str, object] = {}

    def stop(*args: object, **options: object) -> None:
        seen.update(options)
        raise KeyboardInterrupt  # stop before any kernel: the command says --out is as it was (exit 130)

    monkeypatch.setattr(stickiness_notebooks, "write_report", stop)
    assert main(["report", "--demo", *flags, "--out", str(tmp_path / "r")]) == 130
    assert seen["keep_code"] is kept
    assert "left as it was" in capsys.readouterr().err
