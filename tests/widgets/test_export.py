"""Exports: PNG, SVG, PDF and self-contained HTML, written offline by vl-convert."""

from __future__ import annotations

import doctest
import re
import struct
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("altair", reason="the exports need the jupyter extra: pip install 'stickiness[jupyter]'")
pytest.importorskip("vl_convert", reason="the exports need the jupyter extra: pip install 'stickiness[jupyter]'")

import altair as alt
import numpy as np
import polars as pl
import stickiness_widgets as sw
import vl_convert
from stickiness_widgets import _png, export
from stickiness_widgets.export import chart_spec

from stickiness import InvalidOptionError, UnsupportedSourceError

TITLE = "2 of 3 segments are in the forgettable zone"
EXTERNAL = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


@pytest.fixture(scope="module")
def chart() -> Any:
    """A small forgettable-zone chart (hand-made map rows: exports need no demo data)."""
    rows = [
        ("home_buyer", "buy_home", 191, 0.93, 0.89, 0.96, "true"),
        ("renter", "find_rental", 162, 0.95, 0.91, 0.97, "true"),
        ("agent", "browse_homes", 229, 0.14, 0.10, 0.19, "false"),
    ]
    frame = pl.DataFrame(
        rows,
        schema=["persona", "use_case", "evaluable", "forgettable_share", "ci_low", "ci_high", "forgettable"],
        orient="row",
    ).with_columns(
        pl.lit(None, pl.String).alias("problem"),
        pl.lit(None, pl.String).alias("why_us"),
        pl.lit(None, pl.String).alias("alternatives"),
        pl.lit(None, pl.String).alias("expected_frequency"),
        pl.col("evaluable").alias("adopters"),
        pl.lit(0).alias("too_new"),
        pl.lit(1.0).alias("adoption_rate"),
        pl.lit(0.5).alias("median_rate"),
        pl.lit(30.0).alias("median_interval_days"),
        pl.lit("lapsed").alias("modal_band"),
        pl.lit(False).alias("frequency_mismatch"),
    )
    return sw.forgettable_zone_chart(frame)


@pytest.fixture(scope="module")
def page_path(chart: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    second = alt.Chart(alt.InlineData(values=[{"x": 1}]), title="</script><script>alert(1)</script>").mark_point()
    return sw.charts_to_html(
        {"zone": chart, "second": second.encode(x="x:Q")},
        tmp_path_factory.mktemp("html") / "report.html",
        title="Nestly <habits>",
        intro="Who forgets us.\n\nAnd who does not & why.",
    )


@pytest.fixture(scope="module")
def page(page_path: Path) -> str:
    return page_path.read_text(encoding="utf-8")


def _png_size(data: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture(scope="module")
def png(chart: Any, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = sw.save_chart(chart, tmp_path_factory.mktemp("png") / "zone.png")
    assert path.name == "zone.png"
    return path.read_bytes()


def _ppi(data: bytes) -> int:
    start = data.index(b"pHYs") + 4
    (per_metre,) = struct.unpack(">I", data[start : start + 4])
    return round(int(per_metre) * 0.0254)


def test_png(chart: Any, png: bytes, tmp_path: Path) -> None:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    once = sw.save_chart(chart, tmp_path / "once.png", scale=1.0).read_bytes()
    assert _png_size(png) == tuple(2 * n for n in _png_size(once))  # scale 2 by default
    assert (_ppi(png), _ppi(once)) == (144, 72)  # 72 x scale: placed in a document, both keep the chart's size


def test_ppi_changes_the_recorded_resolution_not_the_pixels(chart: Any, png: bytes, tmp_path: Path) -> None:
    data = sw.save_chart(chart, tmp_path / "print.png", ppi=300).read_bytes()
    assert _png_size(data) == _png_size(png) and _ppi(data) == 300


def test_svg(chart: Any, tmp_path: Path) -> None:
    root = ET.parse(sw.save_chart(chart, tmp_path / "zone.SVG")).getroot()
    assert root.tag.endswith("svg") and TITLE in "".join(root.itertext())


def test_pdf(chart: Any, tmp_path: Path) -> None:
    assert sw.save_chart(chart, tmp_path / "zone.pdf").read_bytes().startswith(b"%PDF")


def test_html_of_one_chart(chart: Any, tmp_path: Path) -> None:
    text = sw.save_chart(chart, tmp_path / "zone.html").read_text(encoding="utf-8")
    assert f"<title>{TITLE}</title>" in text and TITLE in text
    assert not EXTERNAL.search(text)


def test_unknown_suffix_and_bad_options(chart: Any, tmp_path: Path) -> None:
    with pytest.raises(InvalidOptionError, match=r"\.png, \.svg, \.pdf, \.html"):
        sw.save_chart(chart, tmp_path / "zone.jpeg")
    with pytest.raises(InvalidOptionError, match="scale"):
        sw.save_chart(chart, tmp_path / "zone.png", scale=0)
    with pytest.raises(InvalidOptionError, match="ppi"):
        sw.save_chart(chart, tmp_path / "zone.png", ppi=-1)
    with pytest.raises(UnsupportedSourceError, match="altair chart"):
        sw.save_chart("zone", tmp_path / "zone.png")  # type: ignore[arg-type]


def test_default_width_for_a_single_view_without_one() -> None:
    bare = alt.Chart(alt.InlineData(values=[{"x": 1}])).mark_point().encode(x="x:Q")
    assert chart_spec(bare)["width"] == 720
    assert chart_spec(bare.properties(width=300))["width"] == 300
    assert "width" not in chart_spec(alt.vconcat(bare, bare))
    assert chart_spec({"mark": "point"})["width"] == 720  # a plain Vega-Lite spec too


def test_write_charts(chart: Any, tmp_path: Path) -> None:
    paths = sw.write_charts({"zone": chart}, tmp_path / "new" / "charts")
    assert paths == [tmp_path / "new" / "charts" / "zone.png", tmp_path / "new" / "charts" / "zone.svg"]
    assert paths[0].read_bytes().startswith(b"\x89PNG") and ET.parse(paths[1]).getroot().tag.endswith("svg")
    point = alt.Chart(alt.InlineData(values=[{"x": 1}])).mark_point().encode(x="x:Q")
    more = sw.write_charts({"a": point, "b.v2": point}, tmp_path, formats=[".PDF", "svg", "pdf"])
    assert [p.name for p in more] == ["a.pdf", "a.svg", "b.v2.pdf", "b.v2.svg"]
    with pytest.raises(InvalidOptionError, match="chart name"):
        sw.write_charts({"../zone": chart}, tmp_path)
    with pytest.raises(InvalidOptionError, match="formats="):
        sw.write_charts({"zone": chart}, tmp_path, formats=("gif",))


def test_html_page_is_self_contained(page: str) -> None:
    assert not EXTERNAL.search(page)
    assert page.count('<script type="module">') == 2  # the bundle once, then the charts
    assert page.count("vegaEmbed(") == 1  # one call in a loop over the charts
    assert '"renderer": "svg"' in page


def test_html_page_has_the_specs_and_the_text(page: str) -> None:
    assert TITLE in page and '"forgettable_share"' in page
    assert "<title>Nestly &lt;habits&gt;</title>" in page and "<h1>Nestly &lt;habits&gt;</h1>" in page
    assert '<p class="intro">Who forgets us.</p>' in page and "And who does not &amp; why." in page
    assert page.count("<figure") == 2


def test_html_page_cannot_be_broken_by_chart_text(page: str) -> None:
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, flags=re.DOTALL | re.IGNORECASE)
    assert len(scripts) == 2  # no script closed early by a title
    assert "alert(1)" in scripts[1] and "</script" not in scripts[1].lower()


def test_html_page_draws_offline_in_chromium(page_path: Path, browser: Any) -> None:
    context = browser.new_context()
    try:
        tab = context.new_page()
        requests: list[str] = []
        messages: list[str] = []
        tab.on("request", lambda request: requests.append(request.url))
        tab.on("console", lambda message: messages.append(message.text) if message.type != "log" else None)
        tab.on("pageerror", lambda error: messages.append(str(error)))
        tab.goto(page_path.as_uri())
        tab.wait_for_function("document.querySelectorAll('figure svg.marks').length === 2", timeout=20_000)
        texts = tab.evaluate("Array.from(document.querySelectorAll('figure svg.marks')).map(s => s.textContent)")
    finally:
        context.close()
    assert TITLE in texts[0] and "alert(1)" in texts[1]
    assert [url for url in requests if not url.startswith("file://")] == []
    assert messages == []


def _decode(png: bytes) -> np.ndarray[Any, Any]:
    """A plain PNG decoder (all five filters; grey, RGB, palette, any bit depth), to check compaction is lossless.

    Returns RGBA pixels, so that two encodings of one image compare equal.
    """
    chunks, pos = {}, 8
    data = b""
    while pos < len(png):
        (size,) = struct.unpack(">I", png[pos : pos + 4])
        kind, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + size]
        chunks[kind] = body
        data += body if kind == b"IDAT" else b""
        pos += 12 + size
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert interlace == 0
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    stride = (width * channels * depth + 7) // 8
    step = max(1, channels * depth // 8)  # bytes per pixel, for the filters
    raw = zlib.decompress(data)
    out = np.zeros((height, stride), dtype=np.int64)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        row = np.frombuffer(raw, dtype=np.uint8, count=stride, offset=y * (stride + 1) + 1).astype(np.int64)
        up = out[y - 1] if y else np.zeros(stride, dtype=np.int64)
        for x in range(stride):
            left = out[y, x - step] if x >= step else 0
            upper_left = up[x - step] if x >= step and y else 0
            predictor = [0, left, up[x], (left + up[x]) // 2, _paeth(left, up[x], upper_left)][kind]
            out[y, x] = (row[x] + predictor) % 256
    bits = np.unpackbits(out.astype(np.uint8), axis=1).reshape(height, stride * 8 // depth, depth)
    samples = (bits * (1 << np.arange(depth - 1, -1, -1))).sum(axis=2)[:, : width * channels]
    samples = samples.reshape(height, width, channels)
    if colour == 3:
        palette = np.frombuffer(chunks[b"PLTE"], dtype=np.uint8).reshape(-1, 3).astype(np.int64)
        alpha = np.full(len(palette), 255, dtype=np.int64)
        given = np.frombuffer(chunks.get(b"tRNS", b""), dtype=np.uint8)
        alpha[: len(given)] = given
        index = samples[..., 0]
        return np.concatenate([palette[index], alpha[index][..., None]], axis=2)
    scaled = samples * (255 // ((1 << depth) - 1))
    if colour in (0, 4):  # grey (and alpha)
        grey = np.repeat(scaled[..., :1], 3, axis=2)
        opaque = scaled[..., 1:] if colour == 4 else np.full((height, width, 1), 255)
        return np.concatenate([grey, opaque], axis=2)
    if colour == 2:
        return np.concatenate([scaled, np.full((height, width, 1), 255)], axis=2)
    return scaled


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def test_png_compaction_is_lossless_and_smaller() -> None:
    spec = {
        "data": {"values": [{"x": i, "y": (i * 7) % 5} for i in range(12)]},
        "mark": {"type": "line", "point": True},
        "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"}},
        "width": 60,
        "height": 40,
    }
    png = vl_convert.vegalite_to_png(spec)
    small = _png.compact(png)
    assert len(small) < len(png)
    assert np.array_equal(_decode(small), _decode(png))
    assert _png.compact(b"not a png") == b"not a png"


def test_docstring_examples() -> None:
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    for module in (export, _png):
        assert doctest.testmod(module, optionflags=flags).failed == 0


def test_write_charts_draws_pngs_beside_as_save_chart_does(chart: Any, tmp_path: Path) -> None:
    # two charts: the PNGs come from the worker process (stickiness_widgets._raster), byte for byte save_chart's
    paths = sw.write_charts({"a": chart, "b": chart}, tmp_path / "out", formats=("png",))
    alone = sw.save_chart(chart, tmp_path / "alone.png").read_bytes()
    assert [p.name for p in paths] == ["a.png", "b.png"]
    assert paths[0].read_bytes() == alone and paths[1].read_bytes() == alone
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.png", "b.png"]  # no SVG left behind


def test_pngs_are_drawn_here_when_the_worker_cannot_start(
    chart: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.executable", str(tmp_path / "no-such-python"))
    paths = sw.write_charts({"a": chart, "b": chart}, tmp_path / "out")
    alone = sw.save_chart(chart, tmp_path / "alone.png").read_bytes()
    assert [p.name for p in paths] == ["a.png", "a.svg", "b.png", "b.svg"]
    assert paths[0].read_bytes() == alone and paths[2].read_bytes() == alone


def _personas21() -> Any:
    """Retention of 21 personas over 12 months: 21 small multiples, as the ratings log of issue 17 draws them.

    (The active-users chart of 21 personas was this test's tall chart until it drew small multiples of its 5
    coloured personas only: docs/charts.md, "Many segments".)
    """
    import datetime as dt

    months = pl.DataFrame({"period": pl.date_range(dt.date(2024, 1, 1), dt.date(2024, 12, 1), "1mo", eager=True)})
    personas = pl.DataFrame({"persona": [f"persona {i:02d}" for i in range(21)]})
    frame = personas.join(months, how="cross").with_columns(
        active_before=pl.lit(10),
        active=pl.lit(10),
        new=pl.lit(2),
        retained=pl.lit(8),
        churned=pl.lit(2),
        retention_rate=pl.lit(0.8),
        churn_rate=pl.lit(0.2),
        complete=pl.lit(True),
    )
    return sw.retention_chart(frame, by="persona")


def test_a_21_panel_png_stays_within_the_pixel_budget_and_keeps_its_title(chart: Any, tmp_path: Path) -> None:
    from PIL import Image

    tall = _personas21()
    paths = sw.write_charts({"tall": tall, "zone": chart}, tmp_path)  # two charts: drawn by the worker process
    width, height = export.svg_size((tmp_path / "tall.svg").read_text(encoding="utf-8")) or (0, 0)
    assert width * height * 4 > export.PNG_PIXELS  # at scale 2 it would pass the budget (4 million pixels)
    with Image.open(tmp_path / "tall.png") as image:
        size, grey = image.size, np.asarray(image.convert("L"))
    assert size[0] * size[1] <= export.PNG_PIXELS
    scale = size[0] / width
    assert 1 < scale < 2 and abs(size[1] / height - scale) < 0.01  # the whole chart, not cut, nor stretched
    # the title: dark text (#222) in the band above the first panel (16 px of padding, then 18 px text)
    assert (grey[round(16 * scale) : round(40 * scale)] < 80).sum() > 50
    title = tall.to_dict(validate=False)["title"]["text"]
    assert title in "".join(ET.parse(tmp_path / "tall.svg").getroot().itertext())
    # an ordinary chart keeps scale 2, and max_pixels=None lifts the budget
    assert _png_size(paths[2].read_bytes()) == _png_size(sw.save_chart(chart, tmp_path / "alone.png").read_bytes())
    with Image.open(sw.save_chart(tall, tmp_path / "unlimited.png", max_pixels=None)) as unlimited:
        assert unlimited.size == (round(2 * width), round(2 * height))


def test_bad_max_pixels(chart: Any, tmp_path: Path) -> None:
    for bad in (0, 2.5, True, "4e6"):
        with pytest.raises(InvalidOptionError, match="max_pixels"):
            sw.save_chart(chart, tmp_path / "zone.png", max_pixels=bad)  # type: ignore[arg-type]


def test_a_chart_the_worker_cannot_draw_is_drawn_here(tmp_path: Path) -> None:
    # a legend label Vega shortens inside an emoji: vl-convert fails in the worker; convert() redraws it here
    name = "🚀" * 60
    spec = {"data": {"values": [{"k": name}]}, "mark": "point", "encoding": {"color": {"field": "k"}}}
    paths = sw.write_charts({"a": spec, "b": spec}, tmp_path)
    assert [p.name for p in paths] == ["a.png", "a.svg", "b.png", "b.svg"]
    assert all(name in (tmp_path / f"{n}.svg").read_text(encoding="utf-8") for n in "ab")
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in paths[::2])


def test_chart_writer_draws_as_charts_come(chart: Any, tmp_path: Path) -> None:
    with sw.ChartWriter(tmp_path, formats=("png",), validate=False) as writer:
        writer.add("one", chart)
        writer.add("two", chart)
        with pytest.raises(InvalidOptionError, match="given twice"):
            writer.add("one", chart)
    assert [p.name for p in writer.paths] == ["one.png", "two.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.png", "two.png"]  # no spec or SVG left behind
    alone = sw.save_chart(chart, tmp_path.parent / "alone.png").read_bytes()
    assert (tmp_path / "one.png").read_bytes() == alone == (tmp_path / "two.png").read_bytes()


def test_charts_are_drawn_here_when_the_worker_dies(chart: Any, tmp_path: Path) -> None:
    with sw.ChartWriter(tmp_path) as writer:
        writer.add("a", chart)
        writer._worker._worker.kill()  # type: ignore[union-attr]  # as if it crashed: "a" was sent, "b" cannot be
        writer.add("b", chart)
    alone = sw.save_chart(chart, tmp_path.parent / "alone.png").read_bytes()
    assert (tmp_path / "a.png").read_bytes() == alone == (tmp_path / "b.png").read_bytes()
    assert TITLE in (tmp_path / "a.svg").read_text(encoding="utf-8") and (tmp_path / "b.svg").exists()
