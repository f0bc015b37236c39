"""Every template executed headless (papermill, a real kernel) on the demo data and on the CDNOW log.

Each run's report.html is checked to be self-contained (no external src/href) and to hold every chart, and
the tables the template exported are checked against the same metrics computed directly here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from pptx import Presentation
from stickiness_notebooks import TEMPLATES, ReportFiles, TemplateCellError, run_template, write_report

import stickiness as st
from stickiness import InvalidOptionError
from stickiness.demo import demo_catalog, demo_events, demo_use_case_profiles, demo_users
from tests.conftest import SHARED
from tests.notebooks.test_handoff import read_xlsx

CDNOW = SHARED / "data" / "cdnow" / "CDNOW_master.txt"
VEGALITE = "application/vnd.vegalite.v5+json"
#: A CSS url() that is not a data: URI or an in-page anchor.
CSS_URL = re.compile(r"""url\(\s*["']?(?!data:|#)""", re.IGNORECASE)
#: Tag attributes that make a browser load something.
LOADING = frozenset({"src", "href", "srcset", "poster", "data", "action", "xlink:href"})
#: A link from a table to its full CSV in the report's own folder (docs/outputs.md, "Tables in the report"): a
#: link the reader follows, not a resource the page loads.
TABLE_LINK = re.compile(r"tables/[A-Za-z0-9_]+\.csv")
#: A chart's figure in the report (nbconvert sorts attributes, so match the class anywhere in the tag).
FIGURE = re.compile(r'<figure[^>]*class="stickiness-chart"')


class _References(HTMLParser):
    """Collect every reference of a page to something outside it: tag attributes and CSS urls."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            own_table = tag == "a" and name == "href" and value and TABLE_LINK.fullmatch(value)
            if name in LOADING and value and not value.startswith(("data:", "#")) and not own_table:
                self.found.append(f"<{tag} {name}={value[:60]}>")
            if name == "style" and value and CSS_URL.search(value):
                self.found.append(f"<{tag} style={value[:60]}>")

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found += [data[m.start() : m.start() + 60] for m in CSS_URL.finditer(data)]


def external_references(page: str) -> list[str]:
    """The places in ``page`` that reference a resource outside it (empty for a self-contained page)."""
    parser = _References()
    parser.feed(page)
    return parser.found


def test_the_external_reference_check_finds_what_it_should() -> None:
    assert external_references('<script src="https://cdn.example/x.js"></script>')
    assert external_references("<link href='style.css'>")
    assert external_references("<style>a { background: url(http://x/y.png) }</style>")
    assert external_references('<div style="background: url(https://x/y.png)"></div>')
    assert not external_references('<img src="data:image/png;base64,AAA"><a href="#top">top</a>')
    # a summarised table links its full CSV in the report's folder; any other link is still found
    assert not external_references('<a href="tables/inactive_users.csv">tables/inactive_users.csv</a>')
    assert external_references('<a href="../tables/x.csv">x</a>')
    assert external_references('<link href="tables/x.csv">')
    # script code that merely mentions href is not a reference (vega's bundle does)
    assert not external_references('<script>a.href=t; b.src = "x"</script><style>a { color: red }</style>')


@pytest.fixture(scope="module")
def demo_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ReportFiles]:
    """Each template run once on the demo data (the quickstart also printed to PDF)."""
    root = tmp_path_factory.mktemp("demo-reports")
    return {name: write_report(name, root / name, pdf=name == "quickstart", progress=False) for name in TEMPLATES}


@pytest.fixture(scope="module")
def demo_log() -> st.UsageLog:
    return st.read_log(demo_events(), users=demo_users())


@pytest.fixture(scope="module")
def demo_catalog_() -> st.Catalog:
    return st.read_catalog(demo_catalog(), profiles=demo_use_case_profiles())


def _chart_outputs(notebook: Path) -> list[dict[str, object]]:
    executed = nbformat.read(notebook, as_version=4)
    return [o["data"][VEGALITE] for c in executed.cells for o in c.get("outputs", []) if VEGALITE in o.get("data", {})]


def _title(spec: dict[str, object]) -> str:
    title = spec["title"]
    text = title["text"] if isinstance(title, dict) else title
    return " ".join(text) if isinstance(text, list) else str(text)


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_demo_report_is_one_self_contained_page_with_every_chart(
    name: str, demo_reports: dict[str, ReportFiles]
) -> None:
    files = demo_reports[name]
    page = files.html.read_text(encoding="utf-8")
    assert external_references(page) == []
    assert "<link" not in page and "require.min.js" not in page and "mathjax" not in page.lower()
    charts = _chart_outputs(files.notebook)
    assert charts, "every template draws at least one chart"
    # one figure per chart, each with its spec for the inlined vega bundle and a static SVG until it is drawn
    assert len(FIGURE.findall(page)) == len(charts)
    for number, spec in enumerate(charts, start=1):
        assert f'id="chart-{number}"' in page and f'data-fallback-for="chart-{number}"' in page
        assert json.dumps(_title(spec))[1:-1] in page
    assert page.count("<script") == 2 and page.count("window.vegaEmbed(target") == 1  # bundle inlined once
    assert "Appendix: run settings" in page and "def " not in page  # settings listed (issue 17: at the end), no code
    assert "stickiness-ledger" in page and "rows read" in page  # the row ledger, as a table
    assert "Traceback" not in page


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_demo_report_folder_has_tables_charts_and_ledger(
    name: str, demo_reports: dict[str, ReportFiles], demo_log: st.UsageLog
) -> None:
    folder = demo_reports[name].html.parent
    assert json.loads((folder / "ledger.json").read_text()) == demo_log.ledger.to_dict()
    tables = sorted(p.stem for p in (folder / "tables").glob("*.csv"))
    charts = sorted(p.name for p in (folder / "charts").glob("*"))
    assert tables and charts
    for chart in charts:
        data = (folder / "charts" / chart).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" if chart.endswith(".png") else b"<svg" in data[:500]
    # the export cell's files to hand on: a sheet per table (then the ledger and the settings), a slide per chart
    book = read_xlsx(folder / "report.xlsx")
    written = {p.stem for p in (folder / "tables").glob("*.csv")}
    assert set(list(book)[:-2]) == written and list(book)[-2:] == ["Ledger", "Settings"]
    settings = {book["Settings"].row(r)[0]: book["Settings"].row(r)[1] for r in range(1, 60) if book["Settings"].row(r)}
    assert settings["events"] == "the built-in demo log" and settings["xlsx"] == "True"  # the parameters cell's
    pngs = [p for p in (folder / "charts").glob("*.png")]
    assert len(Presentation(str(folder / "report.pptx")).slides) == 1 + len(pngs)


def test_quickstart_tables_match_the_metrics_computed_directly(
    demo_reports: dict[str, ReportFiles], demo_log: st.UsageLog, demo_catalog_: st.Catalog
) -> None:
    tables = demo_reports["quickstart"].html.parent / "tables"
    daily = pl.read_csv(tables / "active_users.csv", try_parse_dates=True)
    assert_frame_equal(daily, st.active_users(demo_log, by="persona"), check_dtypes=False)
    usecase_map = pl.read_csv(tables / "use_case_map.csv", infer_schema_length=None)
    expected = st.use_case_map(demo_log, demo_catalog_).with_columns(pl.col("forgettable").cast(pl.String))
    assert_frame_equal(
        usecase_map.select("persona", "use_case", "evaluable", "forgettable_share"),
        expected.select("persona", "use_case", "evaluable", "forgettable_share"),
        check_dtypes=False,
    )


def test_forgettable_zone_template_exports_the_crm_list(
    demo_reports: dict[str, ReportFiles], demo_log: st.UsageLog, demo_catalog_: st.Catalog
) -> None:
    crm = pl.read_csv(demo_reports["forgettable_zone"].html.parent / "tables" / "crm_drifting_users.csv")
    drifting = st.drifting_users(demo_log, demo_catalog_)
    assert crm.height == drifting.height > 0
    assert {"user", "persona", "use_case", "current_rate", "problem", "why_us"} <= set(crm.columns)
    assert crm["problem"].null_count() < crm.height  # the catalog's pitch is joined in


def test_explorers_become_a_note_in_the_report(demo_reports: dict[str, ReportFiles]) -> None:
    for name in ("active_users", "use_cases", "forgettable_zone"):
        executed = nbformat.read(demo_reports[name].notebook, as_version=4)
        assert "widgets" in executed.metadata  # the notebook keeps the explorer's state
        page = demo_reports[name].html.read_text()
        assert "An interactive explorer is here in the notebook" in page
        assert "widget-view+json" not in page and "jupyter-widgets" not in page


def test_quickstart_pdf_is_printed(demo_reports: dict[str, ReportFiles]) -> None:
    files = demo_reports["quickstart"]
    if files.pdf is None:
        pytest.fail(f"no PDF: {files.pdf_error}")
    data = files.pdf.read_bytes()
    assert data[:5] == b"%PDF-" and len(data) > 50_000
    assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 3  # several pages of report


# --- the real CDNOW log ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cdnow_csv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    if not CDNOW.exists():
        pytest.skip(f"the CDNOW log is not at {CDNOW} (shared data not mounted)")
    path = tmp_path_factory.mktemp("cdnow") / "cdnow.csv"
    with CDNOW.open() as lines, path.open("w") as out:
        next(lines)
        out.write("customer_id,date\n")
        for line in lines:
            customer, day = line.split()[:2]
            out.write(f"{customer},{day}\n")
    yield path


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_every_template_runs_on_the_cdnow_log(name: str, cdnow_csv: Path, tmp_path: Path) -> None:
    parameters = {"events": str(cdnow_csv), "time_col": "date", "event_col": None}
    files = write_report(name, tmp_path, parameters, pdf=False, progress=False)
    page = files.html.read_text(encoding="utf-8")
    assert external_references(page) == []
    assert len(FIGURE.findall(page)) == len(_chart_outputs(files.notebook)) > 0
    ledger = json.loads((tmp_path / "ledger.json").read_text())
    with CDNOW.open() as lines:
        assert ledger["rows_read"] == sum(1 for _ in lines) - 1  # less the header
    assert ledger["rows_used"] + ledger["rows_set_aside"] == ledger["rows_read"]
    if (tmp_path / "tables" / "use_case_map.csv").exists():
        # the whole product as one use case: a direct count over the file (docs/cdnow.md)
        usecase_map = pl.read_csv(tmp_path / "tables" / "use_case_map.csv", infer_schema_length=None)
        assert usecase_map.select("segment", "use_case").row(0) == ("(all)", "(any)")  # no users table: by=None
        assert usecase_map["adopters"][0] == 8332


# --- failures ---------------------------------------------------------------------------------------------------


def test_a_failing_cell_is_named_and_the_partial_notebook_kept(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text("user_id,timestamp,event\na,2024-05-01T10:00:00Z,open\n")
    with pytest.raises(TemplateCellError) as caught:
        run_template(
            "active_users", tmp_path / "report.ipynb", {"events": str(events), "user_col": "who"}, progress=False
        )
    err = caught.value
    assert (err.title, err.ename) == ("Read the log", "ColumnNotFoundError")
    assert "no column 'who'" in err.evalue and str(tmp_path / "report.ipynb") in str(err)
    partial = nbformat.read(tmp_path / "report.ipynb", as_version=4)
    errors = [o for c in partial.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert len(errors) == 1 and errors[0]["ename"] == "ColumnNotFoundError"


def test_an_unknown_parameter_is_an_error_before_any_kernel_starts(tmp_path: Path) -> None:
    with pytest.raises(InvalidOptionError, match=r"no parameter .windw.*mau_window"):
        run_template("active_users", tmp_path / "r.ipynb", {"windw": 14})
    assert not (tmp_path / "r.ipynb").exists()


def test_the_templates_memory_limit_reaches_read_log(tmp_path: Path) -> None:
    # a bad value proves the parameter is read_log's: the template's first cell stops on read_log's own check
    with pytest.raises(TemplateCellError) as caught:
        run_template("active_users", tmp_path / "report.ipynb", {"memory_limit": "lots"}, progress=False)
    err = caught.value
    assert (err.title, err.ename) == ("Read the log", "InvalidOptionError")
    assert "memory_limit='lots'" in err.evalue
