"""report.xlsx and report.pptx, opened with their formats' own structure (docs/outputs.md).

One demo report (``stickiness report --demo --no-notebook``, in process) is shared by the
module. The workbook is read from its XML (no spreadsheet reader is installed in the test
environment: openpyxl and fastexcel are not dependencies), the deck with python-pptx. Every
expected value comes from ``tables/*.csv`` and ``ledger.json``, read back independently.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import polars as pl
import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.oxml.ns import qn
from stickiness_notebooks.cli import main
from stickiness_notebooks.spec import QUICKSTART, chart_names, draw
from stickiness_widgets.export import chart_spec

import stickiness as st
from stickiness import schemas

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
#: Text columns whose values read as another type from a CSV, by table (stickiness.schemas).
_TEXT = {
    "frequency_spectrum": [c for c, kind in schemas.SPECTRUM_SCHEMA.items() if kind == pl.String],
    "use_case_map": [c for c, kind in schemas.MAP_SCHEMA.items() if kind == pl.String],
}
#: Excel's day 0 for serial dates (1900 system, past the 1900 leap-year bug).
_EPOCH = dt.date(1899, 12, 30)


@dataclass
class Sheet:
    """One worksheet as read from the XML: cells by (row, column), each with its number format, and the pane."""

    cells: dict[tuple[int, int], tuple[Any, str]]
    frozen_rows: int
    formulas: int
    widths: dict[int, float]  # set column widths, by column (from 0)

    def row(self, r: int) -> list[Any]:
        width = max((c for (row, c) in self.cells if row == r), default=-1) + 1
        return [self.cells.get((r, c), (None, ""))[0] for c in range(width)]

    def column(self, c: int) -> list[Any]:
        last = max(r for (r, _) in self.cells)
        return [self.cells.get((r, c), (None, ""))[0] for r in range(1, last + 1)]

    def formats(self, c: int) -> set[str]:
        return {fmt for (r, col), (_, fmt) in self.cells.items() if col == c and r > 0}


def _index(ref: str) -> tuple[int, int]:
    letters, digits = re.fullmatch(r"([A-Z]+)(\d+)", ref).groups()  # type: ignore[union-attr]
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - 64
    return int(digits) - 1, column - 1


def read_xlsx(path: Path) -> dict[str, Sheet]:
    """Read every sheet of an .xlsx: values typed (text, number, bool; dates by their format), in sheet order."""
    with zipfile.ZipFile(path) as book:
        xml = {name: ET.fromstring(book.read(name)) for name in book.namelist() if name.endswith(".xml")}
        rels = book.read("xl/_rels/workbook.xml.rels")
    targets = {rel.get("Id"): rel.get("Target") for rel in ET.fromstring(rels)}
    strings = ["".join(t.text or "" for t in si.iter(f"{{{_NS['m']}}}t")) for si in xml["xl/sharedStrings.xml"]]
    styles = xml["xl/styles.xml"]
    codes = {f.get("numFmtId"): f.get("formatCode") for f in styles.iterfind("m:numFmts/m:numFmt", _NS)}
    formats = [codes.get(xf.get("numFmtId"), "General") for xf in styles.iterfind("m:cellXfs/m:xf", _NS)]
    sheets = {}
    for entry in xml["xl/workbook.xml"].iterfind("m:sheets/m:sheet", _NS):
        page = xml["xl/" + targets[entry.get(f"{{{_NS['r']}}}id")]]
        pane = page.find(".//m:pane", _NS)
        frozen = int(pane.get("ySplit", 0)) if pane is not None and pane.get("state") == "frozen" else 0
        cells = {}
        for cell in page.iterfind(".//m:c", _NS):
            fmt = formats[int(cell.get("s", 0))]
            cells[_index(cell.get("r", ""))] = (_value(cell, strings, fmt), fmt)
        widths = {  # one <col> may span several columns of the same width
            n - 1: float(col.get("width", 0))
            for col in page.iterfind(".//m:col", _NS)
            for n in range(int(col.get("min", 0)), int(col.get("max", 0)) + 1)
        }
        sheets[entry.get("name", "")] = Sheet(cells, frozen, len(page.findall(".//m:f", _NS)), widths)
    return sheets


def _value(cell: ET.Element, strings: list[str], fmt: str) -> Any:
    text = cell.findtext("m:v", None, _NS)
    kind = cell.get("t", "n")
    if text is None:
        return None
    if kind == "s":
        return strings[int(text)]
    if kind == "b":
        return text == "1"
    if kind in ("str", "inlineStr"):
        return text
    number = float(text)
    if "yy" in fmt:  # a date format: the serial day number
        return _EPOCH + dt.timedelta(days=number)
    return number


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("handoff") / "report"
    assert main(["report", "--demo", "--no-notebook", "--out", str(out)]) == 0
    yield out


@pytest.fixture(scope="module")
def sheets(report: Path) -> dict[str, Sheet]:
    return read_xlsx(report / "report.xlsx")


def _csv(report: Path, name: str) -> pl.DataFrame:
    """A table as the CSV holds it (types inferred, text columns kept text by the schemas, the quote undone)."""
    table = pl.read_csv(report / "tables" / f"{name}.csv", try_parse_dates=True, infer_schema_length=None)
    texts = [c for c in table.columns if c in _TEXT.get(name, ())]  # e.g. the spectrum's "forgettable": "false"
    return st.unescape_table(table.with_columns(pl.col(texts).cast(pl.String)))


# --- report.xlsx -------------------------------------------------------------------------------------------------


def test_one_sheet_per_table_in_report_order_then_ledger_and_settings(report: Path, sheets: dict[str, Sheet]) -> None:
    written = [step.table for step in QUICKSTART if (report / "tables" / f"{step.table}.csv").exists()]
    assert written == [step.table for step in QUICKSTART]  # the demo has a catalog: every step writes its table
    assert list(sheets) == [*written, "Ledger", "Settings"]


def test_every_sheet_holds_its_csv(report: Path, sheets: dict[str, Sheet]) -> None:
    for name in list(sheets)[:-2]:
        table = _csv(report, name)
        sheet = sheets[name]
        if table.height == 0:  # the demo catalog maps every event: unmapped_events is empty
            assert sheet.row(0)[0].startswith(f"No rows: {name} is empty"), name
            continue
        assert sheet.row(0) == table.columns, name
        assert sheet.frozen_rows == 1, name
        assert sorted(sheet.widths) == list(range(table.width)), name  # every column's width set (fitted)
        assert sheet.formulas == 0, name
        for c, column in enumerate(table.columns):
            got, want = sheet.column(c), table[column].to_list()
            assert len(got) == len(want), (name, column)
            if table[column].dtype.is_float():
                assert got == [None if v is None else pytest.approx(v, rel=1e-12) for v in want], (name, column)
            elif table[column].dtype.is_integer():
                assert got == [None if v is None else float(v) for v in want], (name, column)
            else:  # text, dates (by their date format), booleans
                assert got == want, (name, column)


def test_number_formats(sheets: dict[str, Sheet]) -> None:
    def formats(name: str, column: str) -> set[str]:
        return sheets[name].formats(sheets[name].row(0).index(column))

    # shares and rates of 1 are percentages (hand-listed from the schemas' meanings, docs/metrics.md) ...
    percent = {
        "active_users": ["stickiness", "stickiness_low", "stickiness_high"],
        "monthly_active_users": ["stickiness", "stickiness_low", "stickiness_high"],
        "frequency_spectrum": ["share", "forgettable_share", "share_low", "share_high"],
        "use_case_map": ["adoption_rate", "forgettable_share", "ci_low", "ci_high", "adoption_rate_low"],
        "retention": ["retention_rate", "churn_rate", "retention_rate_high", "churn_rate_low"],
    }
    for name, columns in percent.items():
        for column in columns:
            assert formats(name, column) == {"0.0%"}, (name, column)
    # ... not the active days per 30, nor days
    for name, column in [("drifting_users", "previous_rate"), ("use_case_map", "median_rate")]:
        assert formats(name, column) == {"#,##0.00"}, (name, column)
    assert formats("active_users", "mau") == {"#,##0"}
    assert formats("active_users", "day") == {"yyyy-mm-dd;@"}
    assert formats("lifecycle", "dormant") == {"#,##0"}  # negative counts, in plain black


def test_ledger_and_settings_sheets(report: Path, sheets: dict[str, Sheet]) -> None:
    ledger = json.loads((report / "ledger.json").read_text())
    rows = {sheets["Ledger"].row(r)[0]: sheets["Ledger"].row(r)[1] for r in range(1, 20) if sheets["Ledger"].row(r)}
    assert rows["rows read"] == ledger["rows_read"] and rows["rows used"] == ledger["rows_used"]
    assert rows["rows set aside"] == ledger["rows_set_aside"] == sum(ledger["set_aside"].values())
    for reason, count in ledger["set_aside"].items():
        assert rows[f"set aside: {reason}"] == count, reason
    assert rows["users"] == ledger["users"]
    assert ledger["set_aside"]["duplicate"] > 0  # the demo log has duplicates: a non-trivial check
    settings = {
        sheets["Settings"].row(r)[0]: sheets["Settings"].row(r)[1] for r in range(1, 80) if sheets["Settings"].row(r)
    }
    assert settings["events"] == "the built-in demo log"
    active = _csv(report, "active_users")
    assert settings["first day"] == str(active["day"].min()) and settings["last day (as of)"] == str(
        active["day"].max()
    )
    assert settings["mau_window"] == "30" and settings["period"] == "month" and settings["engine"] == "polars"
    assert settings["xlsx"] == "True" and settings["spreadsheet_safe"] == "True"


# --- report.pptx -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def deck(report: Path) -> Any:
    return Presentation(str(report / "report.pptx"))


def _texts(slide: Any) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def test_title_slide_has_the_log_dates_and_summary_numbers(report: Path, deck: Any) -> None:
    assert (deck.slide_width, deck.slide_height) == (12_192_000, 6_858_000)  # 13.333 x 7.5 in: 16:9
    text = "\n".join(_texts(deck.slides[0]))
    active = _csv(report, "active_users")
    assert "Stickiness report" in text
    assert f"the built-in demo log, {active['day'].min()} to {active['day'].max()}" in text
    # the summary's numbers are the tables': each persona's stickiness, the mean of DAU/MAU over the 7 days to
    # the last whole day (stickiness.report_findings), worked out here from the CSV ...
    whole = active.filter(~pl.col("partial_day"))
    last = whole["day"].max()
    week = (
        whole.filter(pl.col("day") > last - dt.timedelta(days=7)).group_by("persona").agg(pl.col("stickiness").mean())
    )
    assert week.height == 4
    assert f"as the mean of the 7 days to {last}" in text
    for persona, ratio in week.iter_rows():
        assert f"{persona} {ratio:.1%}" in text, persona
    # ... and the last complete month's churn and retention
    retention = _csv(report, "retention").filter(pl.col("complete"))
    latest = retention.filter(pl.col("period") == retention["period"].max())
    for persona, churn, rate in latest.select("persona", "churn_rate", "retention_rate").iter_rows():
        assert f"{persona} churn {churn:.1%} (retention {rate:.1%})" in text, persona
    assert "Next step 1: " in text  # the next steps follow the findings


def test_one_slide_per_chart_in_report_order(report: Path, deck: Any) -> None:
    names = chart_names(QUICKSTART)
    assert sorted(p.stem for p in (report / "charts").glob("*.png")) == sorted(names)
    assert len(deck.slides) == 1 + len(names)
    # each slide is titled with its chart's own title (its finding), drawn again here from the CSVs
    values = {"by": "persona", "segment": "persona", "majority": 0.5, "min_users": 30, "period": "month"}
    charts = [(chart, step.table) for step in QUICKSTART for chart in step.charts]
    for slide, (chart, table) in zip(list(deck.slides)[1:], charts, strict=True):
        title = chart_spec(draw(chart, _csv(report, table), values))["title"]
        assert _texts(slide)[0] == (title["text"] if isinstance(title, dict) else title), chart.name
        lines = title.get("subtitle", "") if isinstance(title, dict) else ""
        subtitle = " ".join(lines) if isinstance(lines, list) else lines
        if subtitle:  # how to read the chart: under the title, and whole in the speaker notes
            assert _texts(slide)[1] == slide.notes_slide.notes_text_frame.text == subtitle, chart.name


def _chart(deck: Any, name: str) -> Any:
    slide = deck.slides[1 + chart_names(QUICKSTART).index(name)]
    charts = [shape.chart for shape in slide.shapes if shape.has_chart]
    assert len(charts) == 1, name
    return charts[0]


def _values(chart: Any) -> dict[str, list[float | None]]:
    return {series.name: list(series.values) for series in chart.plots[0].series}


def test_native_line_chart_of_active_users(report: Path, deck: Any) -> None:
    chart = _chart(deck, "active_users")
    assert chart.chart_type == XL_CHART_TYPE.LINE
    table = _csv(report, "active_users")
    days = sorted(table["day"].unique())
    assert list(chart.plots[0].categories) == [d.isoformat() for d in days]
    want = {
        p: table.filter(pl.col("persona") == p).sort("day")["stickiness"].to_list() for p in table["persona"].unique()
    }
    assert _values(chart) == {p: [pytest.approx(v) if v is not None else None for v in vs] for p, vs in want.items()}
    # shares reach 100% (agent's first days): the axis ends at 100%, not at the 120% an automatic scale draws
    assert max(v for vs in want.values() for v in vs if v is not None) == 1.0
    assert (chart.value_axis.minimum_scale, chart.value_axis.maximum_scale) == (0.0, 1.0)


def test_native_column_chart_of_monthly_stickiness(report: Path, deck: Any) -> None:
    chart = _chart(deck, "monthly_active_users")
    assert chart.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
    table = _csv(report, "monthly_active_users")
    months = sorted(table["month"].unique())
    assert list(chart.plots[0].categories) == [m.strftime("%b %Y") for m in months]  # "Jan 2025": never repeated
    for persona, values in _values(chart).items():
        assert values == pytest.approx(table.filter(pl.col("persona") == persona).sort("month")["stickiness"].to_list())
    # monthly stickiness peaks at 80.4% in the demo (agent, 2026-02): above 80%, the axis is capped at 100%
    assert table["stickiness"].max() > 0.8
    assert (chart.value_axis.minimum_scale, chart.value_axis.maximum_scale) == (0.0, 1.0)


def test_native_stacked_bars_of_the_spectrum(report: Path, deck: Any) -> None:
    chart = _chart(deck, "frequency_spectrum")
    assert chart.chart_type == XL_CHART_TYPE.BAR_STACKED_100
    table = _csv(report, "frequency_spectrum")
    pairs = table.select("persona", "use_case").unique(maintain_order=True)
    categories = chart.plots[0].categories
    assert [c.label for c in categories.levels[0]] == pairs["use_case"].to_list()  # inner level: the use cases
    assert [c.label for c in categories.levels[1]] == pairs["persona"].unique(maintain_order=True).to_list()
    assert list(_values(chart)) == list(st.BANDS)  # one series per habit band, in band order
    # the first segment x use case on top, as the report draws it (a bar chart's default is at the bottom),
    # and the value axis at the bottom: it crosses the reversed category axis at its last category
    assert chart.category_axis.reverse_order is True
    assert chart.value_axis._element.find(qn("c:crosses")).get("val") == "max"
    for band, values in _values(chart).items():
        assert values == pytest.approx(
            pairs.join(table.filter(pl.col("band") == band), on=["persona", "use_case"], how="left")["share"].to_list()
        ), band


def test_native_charts_of_retention_and_lifecycle(report: Path, deck: Any) -> None:
    retention = _chart(deck, "retention")
    assert retention.chart_type == XL_CHART_TYPE.LINE
    table = _csv(report, "retention")
    for persona in table["persona"].unique():
        rows = table.filter(pl.col("persona") == persona).sort("period")
        for rate in ("retention", "churn"):
            got = _values(retention)[f"{persona} {rate}"]
            assert got == [None if v is None else pytest.approx(v) for v in rows[f"{rate}_rate"].to_list()]
    # retention reaches 100% in the demo (a persona's whole first month returns): the axis ends at 100%, not 120%
    assert table["retention_rate"].max() > 0.8
    assert (retention.value_axis.minimum_scale, retention.value_axis.maximum_scale) == (0.0, 1.0)
    lifecycle = _chart(deck, "lifecycle")
    assert lifecycle.chart_type == XL_CHART_TYPE.COLUMN_STACKED
    table = _csv(report, "lifecycle")  # nested: persona by persona, each with its periods
    ordered = pl.concat(table.filter(pl.col("persona") == p) for p in table["persona"].unique(maintain_order=True))
    assert _values(lifecycle) == {
        s: [float(v) for v in ordered[s]] for s in ("new", "returning", "resurrecting", "dormant")
    }
    assert min(_values(lifecycle)["dormant"]) < 0  # dormant users stack below zero, as the chart draws them


def test_image_slides_hold_the_reports_png(report: Path, deck: Any) -> None:
    for name in ("use_case_map", "forgettable_zone"):  # scatter and dot plots: no native equivalent
        slide = deck.slides[1 + chart_names(QUICKSTART).index(name)]
        pictures = [shape for shape in slide.shapes if shape.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1, name
        assert pictures[0].image.blob == (report / "charts" / f"{name}.png").read_bytes(), name
        assert pictures[0].left >= 0 and pictures[0].left + pictures[0].width <= deck.slide_width, name


# --- options and data that looks like formulas ------------------------------------------------------------------


def test_no_xlsx_no_pptx_and_formula_like_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = tmp_path / "events.csv"
    events.write_text(
        'user_id,timestamp,event\n=HYPERLINK("http://x"),2024-05-01T10:00:00Z,open\n@ops,2024-05-02T10:00:00Z,open\n'
        "x,2024-05-10T10:00:00Z,open\n"  # the log ends on May 10: the two others are inactive for 8 and 9 days
    )
    base = ["report", str(events), "--no-notebook", "--no-charts", "--inactive-days", "3"]
    assert main([*base, "--out", str(tmp_path / "both")]) == 0
    wrote = capsys.readouterr().out.split("\nWrote ")[-1]
    assert "report.xlsx" in wrote and "report.pptx" in wrote
    inactive = read_xlsx(tmp_path / "both" / "report.xlsx")["inactive_users"]
    # text as text: no formula in the workbook, and no spreadsheet-safe quote either (the CSV has one)
    assert inactive.formulas == 0
    assert sorted(inactive.column(0)) == ['=HYPERLINK("http://x")', "@ops"]
    assert len(Presentation(str(tmp_path / "both" / "report.pptx")).slides) == 1  # --no-charts: the title slide
    assert main([*base, "--no-xlsx", "--no-pptx", "--out", str(tmp_path / "neither")]) == 0
    assert "report." not in capsys.readouterr().out.split("\nWrote ")[-1]
    assert sorted(p.name for p in (tmp_path / "neither").iterdir()) == ["ledger.json", "tables"]


def test_a_long_table_is_cut_with_a_note_and_names_fit_a_sheet(tmp_path: Path) -> None:
    from stickiness_notebooks.handoff import write_workbook

    from stickiness.ledger import Ledger

    five = pl.DataFrame({"user": ["a", "b", "c", "d", "e"], "days": [1, 2, 3, 4, 5]})
    long_name = "customers_to_contact_this_week_first"  # 36 characters: cut to Excel's 31
    tables = {"inactive_users": five, long_name: five.head(1), "empty": five.clear()}
    ledger = Ledger(rows_read=7, rows_used=5, set_aside={"duplicate": 2}, users=5)
    book = read_xlsx(write_workbook(tmp_path / "r.xlsx", tables, ledger=ledger, settings={}, max_rows=3))
    assert list(book) == ["inactive_users", long_name[:31], "empty", "Ledger", "Settings"]
    cut = book["inactive_users"]
    # the first 3 rows of 5 (a, b, c), and beside the header (column C is the table's width + 1 = 3) the note
    assert cut.column(0)[:3] == ["a", "b", "c"] and cut.column(1)[:3] == [1.0, 2.0, 3.0]
    assert cut.row(0) == ["user", "days", None, "The first 3 of 5 rows: tables/inactive_users.csv holds them all."]
    assert max(r for r, _ in cut.cells) == 3  # header + 3 rows
    assert book["empty"].row(0) == ["No rows: empty is empty for this log and these options."]
    ledger_rows = {book["Ledger"].row(r)[0]: book["Ledger"].row(r)[1] for r in range(1, 6)}
    assert ledger_rows == {"rows read": 7, "rows used": 5, "rows set aside": 2, "set aside: duplicate": 2, "users": 5}


# --- many segments: more series than colours ------------------------------------------------------------------


def _png(path: Path) -> Path:
    """A 2 x 1 PNG, written by hand (signature, IHDR, IDAT, IEND), to stand for a chart's image."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 2, 1, 8, 2, 0, 0, 0)  # 2 x 1, 8-bit RGB
    pixels = zlib.compress(b"\x00" + b"\xff\x00\x00" * 2)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))
    return path


def _personas(n: int) -> pl.DataFrame:
    """An active_users table of ``n`` personas over 3 days (stickiness 0.1 i): one series per persona."""
    days = [dt.date(2024, 1, d) for d in (1, 2, 3)]
    return pl.DataFrame(
        [(f"persona {i:02d}", day, 1, 1, 10, 0.1 * (i % 10), True) for i in range(n) for day in days],
        schema=["persona", "day", "dau", "wau", "mau", "stickiness", "complete"],
        orient="row",
    )


def test_more_series_than_colours_gives_the_png_not_a_native_chart(tmp_path: Path) -> None:
    from stickiness_notebooks.handoff import NATIVE_SERIES, SlideChart, write_slides
    from stickiness_widgets.theme import OKABE_ITO

    assert NATIVE_SERIES == len(OKABE_ITO) == 8  # the palette's colours, kept in step by hand (no import: the CLI)
    png = _png(tmp_path / "chart.png")
    slides = [
        SlideChart("active_users", "8 personas", "", _personas(8), png),  # 8 series: native
        SlideChart("active_users", "9 personas", "", _personas(9), png),  # 9 series: colours would repeat
        SlideChart("active_users", "21 personas", "", _personas(21), png),
        # retention: 2 series per persona (retention, churn): 5 personas are 10 series
        SlideChart("retention", "5 personas", "", _retention(5), png),
        SlideChart("retention", "4 personas", "", _retention(4), png),  # 8 series: native
    ]
    path = write_slides(tmp_path / "r.pptx", title="t", settings={}, dates="d", summary=[], charts=slides)
    deck = Presentation(str(path))
    natives = [[s.chart for s in slide.shapes if s.has_chart] for slide in list(deck.slides)[1:]]
    pictures = [[s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE] for slide in list(deck.slides)[1:]]
    assert [len(n) for n in natives] == [1, 0, 0, 0, 1]
    assert [len(p) for p in pictures] == [0, 1, 1, 1, 0]
    assert all(p[0].image.blob == png.read_bytes() for p in pictures if p)
    assert len(natives[0][0].plots[0].series) == 8 and len(natives[4][0].plots[0].series) == 8


def _retention(n: int) -> pl.DataFrame:
    months = [dt.date(2024, 1, 1), dt.date(2024, 2, 1)]
    return pl.DataFrame(
        [(f"persona {i}", m, 10, 10, 0, 9, 1, 9, 0.9, 0.1, True, True) for i in range(n) for m in months],
        schema=["persona", *list(schemas.RETENTION_SCHEMA)[:11]],  # the counts and rates, not their intervals
        orient="row",
    )
