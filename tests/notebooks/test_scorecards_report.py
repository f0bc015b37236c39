"""The scorecards report opens with a summary (issue 17), like the other templates': its numbers are the tables'.

The scorecards template run headless on the demo data; the summary in report.html, in the
executed notebook's summary cell and on report.pptx's title slide is checked against the
numbers worked out here from the CSVs it wrote (stickiness.scorecard_findings words them).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from pptx import Presentation
from stickiness_notebooks import write_report

from stickiness import unescape_table

#: The page's data: URIs (the charts' SVG in base64) hold no text to read.
DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scorecards template on the demo data, as stickiness report writes it (no PDF)."""
    out = tmp_path_factory.mktemp("scorecards") / "report"
    write_report("scorecards", out, {"predict": False}, pdf=False, progress=False)
    return out


def _csv(report: Path, name: str) -> pl.DataFrame:
    return unescape_table(pl.read_csv(report / "tables" / f"{name}.csv", try_parse_dates=True))


def _text(page: str) -> str:
    """The page's visible text, roughly: scripts, styles and data URIs dropped, tags as spaces."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = DATA_URI.sub(" ", page)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).replace("&#39;", "'").replace("&amp;", "&")


def _expected(report: Path) -> list[str]:
    """Phrases the summary must hold, each worked out here from the written CSVs."""
    phrases = []
    health = _csv(report, "health_summary")
    segment = health.columns[0]
    for row in health.filter(pl.col("scored") > 0).iter_rows(named=True):
        phrases.append(
            f"{row[segment]} {row['at_risk_share']:.1%} at risk and {row['critical_share']:.1%} critical "
            f"({row['at_risk']:,} and {row['critical']:,} of {row['scored']:,} scored)"
        )
    nps = _csv(report, "nps")
    for row in nps.iter_rows(named=True):
        phrases.append(f"{row[nps.columns[0]]} {row['nps']:.0f} (95% interval {row['ci_low']:.0f} to ")
    fit = _csv(report, "fit_matrix")
    counts = dict(fit.group_by("state").len().iter_rows())
    phrases.append(
        f"of {fit.height:,} accounts, {counts.get('grow', 0):,} to grow, {counts.get('keep', 0):,} to keep and "
        f"{counts.get('depart', 0):,} to depart"
    )
    values = _csv(report, "lifetime_value")
    median, mean = values["value"].median(), values["value"].mean()
    assert isinstance(median, float) and isinstance(mean, float)
    phrases.append(f"median {median:,.0f}, mean {mean:,.0f} over {values.height:,} customers")
    contact, depart = _csv(report, "customers_to_contact").height, _csv(report, "customers_to_depart").height
    assert contact and depart  # the demo has accounts to contact and to depart
    phrases.append(f"Contact the {contact:,} accounts in tables/customers_to_contact.csv")
    phrases.append(f"Review the {depart:,} accounts in tables/customers_to_depart.csv")
    return phrases


def test_the_page_opens_with_the_summary_whose_numbers_are_the_tables(report: Path) -> None:
    page = (report / "report.html").read_text(encoding="utf-8")
    main = page[page.index("<main>") :]
    summary_at, first_section = main.index('class="stickiness-summary"'), main.index("Which customers are healthy")
    assert main.index("<h1>Customer scorecards") < summary_at < first_section
    summary = _text(main[summary_at:first_section])
    for phrase in _expected(report):
        assert phrase in summary, phrase
    assert "Next steps" in summary


def test_the_title_slide_carries_the_summary(report: Path) -> None:
    slide = Presentation(str(report / "report.pptx")).slides[0]
    text = "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
    flat = re.sub(r"\s+", " ", text)
    for phrase in _expected(report):
        assert phrase in flat, phrase
    assert "Next step 1: Contact the " in flat


def test_the_notebook_summary_cell_is_the_findings(report: Path) -> None:
    import nbformat

    notebook = nbformat.read(report / "report.ipynb", as_version=4)
    cell: Any = next(c for c in notebook.cells if "summary" in c.metadata.get("tags", []))
    markdown = cell.outputs[0]["data"]["text/markdown"]
    assert markdown.startswith("## Summary") and "- Health (the share of scored customers in each band)" in markdown
