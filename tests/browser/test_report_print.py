"""The demo report prints ready to hand on (issue 17): text 8 pt or more, no scrollbar, the chosen paper, full pages.

The page is opened with every request but its own file aborted: it loads nothing (no web font, no script).

One quickstart report of the demo log is written with ``paper="a4"`` (and printed again on Letter). In
Debian's chromium, with print media emulated at each paper's text width (the page less the report's
12 mm side margins), every chart's and table's text is at least 8 pt (CSS px x 0.75, times the scale
the chart is shown at) and nothing is wider than its box. The PDF's page size is read from its
MediaBox; each page is drawn to PNG by chromium's own PDF viewer (pdfium) and measured: no page but
the last is more than half blank below its content.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Watch, offline_page
from tests.conftest import CHROMIUM

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"needs Debian's chromium at {CHROMIUM}: apt-get install -y chromium"
)

#: CSS pixels per millimetre (96 per inch).
PX_PER_MM = 96 / 25.4
#: The report's side margins (nbconvert/report/index.html.j2: @page { margin: 14mm 12mm }).
SIDE_MARGIN_MM = 12
#: Each paper: its width in mm and its MediaBox in PostScript points (1/72 inch): A4 210 x 297 mm =
#: 595.3 x 841.9 pt; Letter 8.5 x 11 in = 612 x 792 pt.
PAPERS = {"a4": (210.0, (595.3, 841.9)), "letter": (215.9, (612.0, 792.0))}
#: Smallest text on paper, in points.
MIN_PT = 8.0

#: Per chart: its drawn width (its SVG's width attribute), the width it is shown at, and its smallest text
#: size in CSS px; per table cell, its computed font size; and every element wider than its box.
MEASURE = """() => {
  const charts = [...document.querySelectorAll("figure svg.marks")].map((svg) => {
    const sizes = [...svg.querySelectorAll("text")].filter((t) => t.textContent.trim())
      .map((t) => parseFloat(t.getAttribute("font-size") || getComputedStyle(t).fontSize));
    return { drawn: parseFloat(svg.getAttribute("width")), shown: svg.getBoundingClientRect().width,
             smallest: Math.min(...sizes), label: svg.closest("figure").getAttribute("aria-label") };
  });
  const cells = [...document.querySelectorAll("table td, table th")].filter((c) => c.textContent.trim())
    .map((c) => parseFloat(getComputedStyle(c).fontSize));
  const wide = [...document.querySelectorAll("body *")].filter((e) => {
    const style = getComputedStyle(e);
    const scrolls = ["auto", "scroll"].includes(style.overflowX);
    return (scrolls && e.scrollWidth > e.clientWidth + 1) || e.getBoundingClientRect().right > innerWidth + 1;
  }).map((e) => `${e.tagName}.${e.className} ${e.scrollWidth}>${e.clientWidth}`);
  return { charts, cells, wide, page: document.documentElement.scrollWidth };
}"""


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A quickstart report of the demo log on A4, plus ``letter.pdf``: the same page printed on Letter."""
    from stickiness_notebooks import write_report
    from stickiness_notebooks.pdf import html_to_pdf

    folder = tmp_path_factory.mktemp("print") / "report"
    files = write_report("quickstart", folder, paper="a4", progress=False)
    assert files.pdf is not None, files.pdf_error
    html_to_pdf(files.html, folder / "letter.pdf", paper="letter")
    yield folder


@pytest.fixture(scope="module")
def scorecards(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scorecards template's report.html on the demo data: the widest tables of the templates (12 columns)."""
    from stickiness_notebooks import write_report

    folder = tmp_path_factory.mktemp("print") / "scorecards"
    write_report("scorecards", folder, pdf=False, progress=False)
    return folder


def text_width(paper: str) -> int:
    """The printed text width in CSS px: A4 (210 - 2 x 12) mm = 703 px; Letter (215.9 - 24) mm = 725 px."""
    return round((PAPERS[paper][0] - 2 * SIDE_MARGIN_MM) * PX_PER_MM)


def printed(browser: Any, folder: Path, paper: str, script: str) -> Any:
    """Lay out ``folder``'s report.html as report.pdf does (print media, the paper's text width), charts drawn;
    return what ``script`` finds there. Any request but the page itself is aborted and recorded, and fails."""
    watch, uri = Watch(), (folder / "report.html").as_uri()
    page = offline_page(browser, watch, width=text_width(paper), hosts=(), allow=(uri,))
    try:
        page.emulate_media(media="print")
        page.goto(uri)
        page.wait_for_selector("html[data-charts=drawn]", timeout=60_000)
        found = page.evaluate(script)
    finally:
        page.context.close()
    assert watch.blocked == [] and watch.errors == [], watch.report()
    return found


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_printed_text_is_8_pt_or_more_and_nothing_scrolls(browser: Any, report: Path, paper: str) -> None:
    found = printed(browser, report, paper, MEASURE)  # the tables and charts load nothing (no web font)

    assert len(found["charts"]) >= 6  # the quickstart's charts, drawn
    small = [
        (chart["label"], round(chart["smallest"] * chart["shown"] / chart["drawn"] * 0.75, 2))
        for chart in found["charts"]
        if chart["smallest"] * chart["shown"] / chart["drawn"] * 0.75 < MIN_PT
    ]
    assert small == []
    assert found["cells"] and min(found["cells"]) * 0.75 >= MIN_PT
    assert found["wide"] == []
    assert found["page"] <= text_width(paper)


def media_box(pdf: Path) -> set[tuple[float, float]]:
    """The page sizes (width, height in points) of every page's MediaBox."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf.read_bytes())
    return {(round(float(x1) - float(x0), 1), round(float(y1) - float(y0), 1)) for x0, y0, x1, y1 in boxes}


def page_count(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))


@pytest.mark.parametrize(("paper", "name"), [("a4", "report.pdf"), ("letter", "letter.pdf")])
def test_the_pdf_is_on_the_chosen_paper(report: Path, paper: str, name: str) -> None:
    (width, height) = PAPERS[paper][1]
    sizes = media_box(report / name)
    assert len(sizes) == 1
    ((got_width, got_height),) = sizes
    assert abs(got_width - width) < 1 and abs(got_height - height) < 1


def sheet(png: bytes) -> Any:
    """The drawn PDF page in a screenshot of chromium's viewer, as grey levels (None while nothing is drawn)."""
    import numpy as np
    from PIL import Image

    grey = np.asarray(Image.open(io.BytesIO(png)).convert("L")).astype(int)
    paper = grey > 245
    columns = np.flatnonzero(paper.mean(axis=0) > 0.5)
    if columns.size == 0:
        return None
    # the page's side margin (12 mm, never inked) is light for the page's whole height: its longest light run is
    # the page (the viewer may show a part of the page before or after it, beyond a grey gap)
    rows = np.flatnonzero(paper[:, columns[0] + 3])
    if rows.size == 0:
        return None
    runs = np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)
    longest = max(runs, key=len)
    return grey[longest[0] : longest[-1] + 1, columns[0] : columns[-1] + 1]


def blank_below(page: Any) -> tuple[float, float]:
    """The share of a drawn PDF page below its last line of ink, and its height / width as measured."""
    import numpy as np

    inked = np.flatnonzero((page < 235).any(axis=1))
    share = 1.0 if inked.size == 0 else 1 - (inked[-1] + 1) / page.shape[0]
    return share, page.shape[0] / page.shape[1]


def drawn_page(viewer: Any) -> tuple[bytes, Any]:
    """Wait until the viewer shows a page and it no longer changes; return the screenshot and the page."""
    previous = b""
    for _ in range(40):
        png = viewer.screenshot()
        found = sheet(png)
        if found is not None and png == previous:
            return png, found
        previous = png
        viewer.wait_for_timeout(500)
    raise AssertionError("chromium's PDF viewer drew no page in 20 s")


@pytest.mark.parametrize(("paper", "name"), [("a4", "report.pdf"), ("letter", "letter.pdf")])
def test_no_page_but_the_last_is_half_blank(browser: Any, report: Path, paper: str, name: str) -> None:
    pdf = report / name
    pages = page_count(pdf)
    page = browser.new_page(viewport={"width": 800, "height": 1100})
    blank, drawn, shapes = [], set(), []
    try:
        for number in range(1, pages + 1):
            page.goto("about:blank")
            # chromium's PDF viewer, one whole page in view, no toolbar
            page.goto(f"{pdf.as_uri()}#page={number}&toolbar=0&view=Fit")
            png, found = drawn_page(page)
            drawn.add(png)
            share, shape = blank_below(found)
            blank.append(round(share, 2))
            shapes.append(round(shape, 3))
    finally:
        page.close()
    assert pages >= 3 and len(drawn) == pages  # each page drawn, and a different one each time
    ratio = PAPERS[paper][1][1] / PAPERS[paper][1][0]  # the sheet measured is the paper's shape: one page
    assert all(abs(shape - ratio) < 0.02 for shape in shapes), shapes
    # a page of text ends ~12% above the sheet's edge (its 14 mm bottom margin and the last line's spacing)
    assert [share for share in blank[:-1] if share > 0.5] == [], blank


#: Per label of the use-case map (its figure's title starts "Adoption from"): the label's box and the visible
#: part of the card under its centre (the cell's rect less half its white stroke, the gap between cards).
MAP_LABELS = """() => {
  const figure = [...document.querySelectorAll("figure")]
    .find((f) => (f.getAttribute("aria-label") || "").startsWith("Adoption from"));
  const svg = figure?.querySelector("svg.marks");
  if (!svg) return null;
  const cells = [...svg.querySelector("g.mark-rect.role-mark").querySelectorAll("path")].map((path) => {
    const box = path.getBoundingClientRect();
    const inset = parseFloat(path.getAttribute("stroke-width") || "0") / 2;
    return { left: box.left + inset, right: box.right - inset, top: box.top + inset, bottom: box.bottom - inset };
  });
  const labels = [...svg.querySelectorAll("g.mark-text.role-mark text")].filter((t) => t.textContent.trim());
  return { cells: cells.length, labels: labels.map((t) => {
    const box = t.getBoundingClientRect();
    const [x, y] = [(box.left + box.right) / 2, (box.top + box.bottom) / 2];
    const card = cells.find((c) => c.left <= x && x <= c.right && c.top <= y && y <= c.bottom);
    const inside = !!card && box.left >= card.left - 0.5 && box.right <= card.right + 0.5
      && box.top >= card.top - 0.5 && box.bottom <= card.bottom + 0.5;
    return { text: t.textContent, width: box.width, card: card ? card.right - card.left : null, inside };
  }) };
}"""


def test_the_use_case_maps_labels_fit_their_printed_cards(browser: Any, report: Path) -> None:
    """Narrowed for print (about 85 px a card on A4), every label of the map stays inside its card."""
    found = printed(browser, report, "a4", MAP_LABELS)

    assert found is not None, "the report has no use-case map"
    labels = found["labels"]
    # the demo map has cells (13 of 4 personas x 6 use cases), each with at least its adoption and its band
    assert found["cells"] >= 10 and len(labels) >= 2 * found["cells"]
    assert max(label["card"] for label in labels) < 124  # narrowed: the test measures the printed size
    assert [label for label in labels if not label["inside"]] == []


#: Every line break inside a shown table's cell that is not between words, as "TEXT (BEFORE | AFTER)": each
#: drawn character's line is read from its own box (Range.getClientRects); a line may end at a space or after
#: the "_", ".", "/" or "-" of an identifier or compound word, nowhere else. And every shown table that is
#: wider than the page's text or scrolls.
WORDS = """() => {
  const shown = [...document.querySelectorAll(".gt_table")].filter((t) => t.getClientRects().length > 0);
  const splits = [];
  for (const cell of shown.flatMap((t) => [...t.querySelectorAll("td, th")])) {
    const drawn = [];
    let offset = 0;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent;
      for (let i = 0; i < text.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const box = range.getClientRects()[0];
        if (box && box.width > 0 && !/\\s/.test(text[i])) drawn.push({ at: offset + i, top: box.top, h: box.height });
      }
      offset += text.length;
    }
    const text = cell.textContent;
    for (let k = 1; k < drawn.length; k++) {
      const [before, after] = [drawn[k - 1], drawn[k]];
      if (after.top < before.top + before.h / 2) continue;  // the same line
      if (/\\s/.test(text.slice(before.at, after.at + 1)) || /[_./-]/.test(text[before.at])) continue;
      splits.push(`${text.trim()} (${text.slice(0, before.at + 1).trim()} | ${text.slice(after.at).trim()})`);
    }
  }
  const wide = shown.filter((t) => {
    const box = t.getBoundingClientRect(), holder = t.parentElement;
    return box.left < -1 || box.right > innerWidth + 1 || holder.scrollWidth > holder.clientWidth + 1;
  }).map((t) => `${t.parentElement.id}: ${Math.round(t.getBoundingClientRect().width)} px`);
  const lines = shown.flatMap((t) => [...t.querySelectorAll("td, th")]).filter((c) => c.textContent.trim()).length;
  return { tables: shown.length, cells: lines, splits, wide };
}"""


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("template", ["quickstart", "scorecards"])
def test_printed_tables_break_between_words_and_fit_the_page(
    browser: Any, request: pytest.FixtureRequest, template: str, paper: str
) -> None:
    """Printed at the paper's text width, no table cell breaks inside a word, and no table is wider than the text.

    The page is laid out as report.pdf lays it out: print media, as wide as the paper less the 12 mm side
    margins (the PDF's page box). The quickstart's forgettable-zone table (9 columns) and the scorecards'
    tables (the NPS table has 12) are the widest of the templates; a short table too wide for the paper prints
    turned, a column per row. Before the fix, ``overflow-wrap: anywhere`` split "Forgett|able share",
    "Perso|na" and "home|owner" in the quickstart's table.
    """
    folder = request.getfixturevalue("report" if template == "quickstart" else "scorecards")
    found = printed(browser, folder, paper, WORDS)
    # the quickstart: the ledger, the rarely-used-as-expected segments, the inactive users; the scorecards: 8
    assert found["tables"] >= (3 if template == "quickstart" else 6) and found["cells"] > 50
    assert found["splits"] == []
    assert found["wide"] == []


def test_the_nps_interval_prints_in_nps_points(scorecards: Path) -> None:
    """The NPS table's 95% interval is in NPS points (-100 to 100), written as numbers: never "2,770.1%"."""
    import polars as pl

    page = (scorecards / "report.html").read_text(encoding="utf-8")
    nps = pl.read_csv(scorecards / "tables" / "nps.csv").head(1)
    low, high = nps["ci_low"][0], nps["ci_high"][0]
    assert -100 <= low <= high <= 100
    # two decimals, as every "number" column; a minus sign is U+2212 in great_tables' numbers
    for value in (low, high):
        assert f">{value:,.2f}<".replace("-", "\u2212") in page
    assert not re.search(r">\u2212?\d{1,3}(?:,\d{3})+\.\d%<", page)  # no share of 1,000% or more
