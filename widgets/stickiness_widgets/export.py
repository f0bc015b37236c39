"""Export charts with no network: PNG, SVG, PDF and self-contained interactive HTML.

Everything is drawn by vl-convert (Vega and Vega-Lite compiled into a Python
extension), so exports work offline and need no browser. HTML pages inline
vl-convert's JavaScript bundle (Vega, Vega-Lite and vega-embed) once and load
nothing from anywhere else.
"""

from __future__ import annotations

import functools
import html
import json
import queue
import re
import tempfile
import textwrap
from collections import deque
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Final, TypeAlias

import altair as alt

from stickiness import InvalidOptionError, UnsupportedSourceError
from stickiness_widgets._raster import PNG_PIXELS, VegaWorker, claim, rasterise, svg_size
from stickiness_widgets.render import convert
from stickiness_widgets.theme import WIDTH

__all__ = [
    "FORMATS",
    "PNG_PIXELS",
    "ChartLike",
    "ChartWriter",
    "chart_spec",
    "charts_to_html",
    "save_chart",
    "svg_size",
    "vega_scripts",
    "write_charts",
]

#: The file formats :func:`save_chart` writes, by suffix.
FORMATS: Final = ("png", "svg", "pdf", "html")

#: An altair chart, or a Vega-Lite spec as a dict.
ChartLike: TypeAlias = alt.TopLevelMixin | Mapping[str, Any]

_COMPOSITE = ("width", "vconcat", "hconcat", "concat", "facet", "repeat", "spec")
_EMBED_OPTIONS: Final = {  # no "open in the Vega editor" (it needs the network)
    "renderer": "svg",
    "actions": {"export": True, "source": False, "compiled": False, "editor": False},
}
#: vl-convert's default snippet: puts the libraries on ``window`` for the page's own script.
_GLOBALS: Final = "window.vegaEmbed = vegaEmbed; window.vegaLite = vegaLite; window.vega = vega;"
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def chart_spec(chart: ChartLike, *, validate: bool = True) -> dict[str, Any]:
    """Return the chart's Vega-Lite spec, with a default width of 720 px when a single view sets none.

    ``validate=False`` skips altair's check of an altair chart against the Vega-Lite
    schema: for charts already checked (this package's own, which its tests validate),
    as the check took a third of the Python time of a 21-panel report's charts.

    Examples
    --------
    >>> import altair as alt
    >>> chart_spec(alt.Chart(alt.InlineData(values=[{"x": 1}])).mark_point())["width"]
    720
    """
    if isinstance(chart, alt.TopLevelMixin):
        spec = chart.to_dict(validate=validate)
    elif isinstance(chart, Mapping):
        spec = dict(chart)
    else:
        raise UnsupportedSourceError(f"got a {type(chart).__name__}: pass an altair chart or a Vega-Lite spec (dict).")
    if not any(key in spec for key in _COMPOSITE):
        spec["width"] = WIDTH
    return _wrapped_subtitle(spec)


#: Characters in one line of a subtitle (13 px text over a 720 px chart); longer lines are wrapped.
_SUBTITLE_LINE: Final = 110


def _wrapped_subtitle(spec: dict[str, Any]) -> dict[str, Any]:
    """Return ``spec`` with its subtitle lines wrapped at word boundaries to :data:`_SUBTITLE_LINE` characters.

    Vega never wraps a title: a subtitle listing 30 segments made a chart 15,000 pixels
    wide (and its PNG slow to draw and compress). Only the line breaks change.

    >>> spec = _wrapped_subtitle({"title": {"text": "t", "subtitle": "a, " * 50 + "b."}})
    >>> [len(line) <= _SUBTITLE_LINE for line in spec["title"]["subtitle"]]
    [True, True]
    """
    title = spec.get("title")
    if not isinstance(title, Mapping) or not title.get("subtitle"):
        return spec
    lines = title["subtitle"] if isinstance(title["subtitle"], list) else [title["subtitle"]]
    wrapped = [part for line in lines for part in textwrap.wrap(str(line), _SUBTITLE_LINE) or [""]]
    if wrapped == lines:
        return spec
    return {**spec, "title": {**title, "subtitle": wrapped}}


def _check_scale(scale: float, ppi: float | None) -> None:
    if not isinstance(scale, int | float) or isinstance(scale, bool) or not scale > 0:
        raise InvalidOptionError(f"scale={scale!r}: pass a positive number (2.0, the default, suits slides).")
    if ppi is not None and (not isinstance(ppi, int | float) or isinstance(ppi, bool) or not ppi > 0):
        raise InvalidOptionError(f"ppi={ppi!r}: pass a positive number of pixels per inch, or None.")


def save_chart(
    chart: ChartLike,
    path: str | Path,
    *,
    scale: float = 2.0,
    ppi: float | None = None,
    max_pixels: int | None = PNG_PIXELS,
) -> Path:
    """Write ``chart`` to ``path``, in the format its suffix names: ``.png``, ``.svg``, ``.pdf`` or ``.html``.

    Parameters
    ----------
    chart
        An altair chart (or a Vega-Lite spec). A single view without a width
        gets 720 px; the chart functions of this package set their own sizes.
    path
        The file to write (its folder must exist). ``.html`` writes one
        self-contained interactive page, like :func:`charts_to_html`.
    scale
        PNG only: pixels per chart pixel (default 2.0: sharp on slides and
        high-density screens), lowered for a large chart to keep the PNG
        within ``max_pixels``, never below 1.
    ppi
        PNG only: the resolution recorded in the file (default ``72 * scale``,
        with the scale used, so the image keeps the chart's size when placed in
        a document). It does not change the pixel count.
    max_pixels
        PNG only: the most pixels the PNG gets, unless the chart is larger at
        one pixel per chart pixel (default :data:`PNG_PIXELS`, 4 million;
        None: ``scale`` whatever the size).

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import altair as alt, tempfile, pathlib
    >>> chart = alt.Chart(alt.InlineData(values=[{"x": 1}]), title="one").mark_point().encode(x="x:Q")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     save_chart(chart, pathlib.Path(folder) / "one.svg").read_text()[:4]
    '<svg'
    """
    _check_scale(scale, ppi)
    _check_pixels(max_pixels)
    path = Path(path)
    kind = path.suffix.lower().lstrip(".")
    if kind not in FORMATS:
        raise InvalidOptionError(
            f"cannot tell the format of {str(path)!r}: end the file name with one of "
            f"{', '.join('.' + f for f in FORMATS)}."
        )
    _Drawing(chart_spec(chart)).write(path, kind, scale=scale, ppi=ppi, max_pixels=max_pixels)
    return path


class _Drawing:
    """One chart's drawings: Vega runs once for its SVG, and the PNG is rasterised from that SVG.

    ``vegalite_to_png`` would run Vega again to make the same SVG (vl-convert draws a PNG
    by rasterising its SVG with resvg: the bytes are identical); PNGs are then compacted
    losslessly (:func:`stickiness_widgets._png.compact`).
    """

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec
        self._svg: str | None = None

    def svg(self) -> str:
        import vl_convert

        if self._svg is None:
            self._svg = convert(vl_convert.vegalite_to_svg, self.spec)
        return self._svg

    def write(
        self,
        path: Path,
        kind: str,
        *,
        scale: float = 2.0,
        ppi: float | None = None,
        max_pixels: int | None = PNG_PIXELS,
    ) -> None:
        import vl_convert

        if kind == "png":
            rasterise(self.svg(), path, scale=scale, ppi=ppi, max_pixels=max_pixels)
        elif kind == "svg":
            path.write_text(self.svg(), encoding="utf-8")
        elif kind == "pdf":
            path.write_bytes(convert(vl_convert.vegalite_to_pdf, self.spec))
        else:
            path.write_text(_page({"chart": self.spec}, title=_title(self.spec), heading=None, intro=None), "utf-8")


def _check_pixels(max_pixels: int | None) -> None:
    if max_pixels is not None and (not isinstance(max_pixels, int) or isinstance(max_pixels, bool) or max_pixels < 1):
        raise InvalidOptionError(
            f"max_pixels={max_pixels!r}: pass a whole number of pixels (e.g. 4_000_000), or None for no limit."
        )


def _formats(formats: Iterable[str]) -> list[str]:
    if isinstance(formats, str):
        formats = [formats]
    chosen = [str(f).lower().lstrip(".") for f in formats]
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        raise InvalidOptionError(
            f"formats={tuple(formats)!r}: choose among {', '.join(map(repr, FORMATS))} (e.g. formats=('png', 'svg'))."
        )
    return list(dict.fromkeys(chosen))


def write_charts(
    charts: Mapping[str, ChartLike],
    directory: str | Path,
    *,
    formats: Iterable[str] = ("png", "svg"),
    validate: bool = True,
    max_pixels: int | None = PNG_PIXELS,
) -> list[Path]:
    """Write each chart as ``directory/<name>.<format>`` for every format; create the folder if needed.

    Parameters
    ----------
    charts
        Charts by name; a name is a file stem (letters, digits, ``_``, ``-``, ``.``).
    directory
        The folder to write into.
    formats
        Any of ``"png"``, ``"svg"``, ``"pdf"``, ``"html"`` (default PNG and SVG).
    validate
        Check altair charts against the Vega-Lite schema (:func:`chart_spec`).
    max_pixels
        The most pixels a PNG gets (:func:`save_chart`; PNGs are drawn at scale 2 within it).

    Returns
    -------
    list[pathlib.Path]
        The files written, chart by chart, in the order of ``formats``.

    Examples
    --------
    >>> import altair as alt, tempfile
    >>> point = alt.Chart(alt.InlineData(values=[{"x": 1}]), title="one").mark_point().encode(x="x:Q")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     [p.name for p in write_charts({"a": point, "b": point}, folder, formats=("svg",))]
    ['a.svg', 'b.svg']
    """
    kinds = _formats(formats)
    for name in charts:  # every name is checked before anything is drawn
        _check_name(name)
    # a worker process draws with Vega when there is something to draw beside
    beside = len(charts) > 1
    with ChartWriter(directory, formats=kinds, validate=validate, max_pixels=max_pixels, worker=beside) as writer:
        for name, chart in charts.items():
            writer.add(name, chart)
    return writer.paths


def _check_name(name: object) -> None:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidOptionError(
            f"chart name {name!r}: use letters, digits, '_', '-' or '.' (it becomes the file name)."
        )


class ChartWriter:
    """Write charts as they are drawn, as ``directory/<name>.<format>``: Vega runs in a worker process beside.

    :meth:`add` builds a chart's Vega-Lite spec here (altair) and hands it to a
    worker process that draws its SVG with Vega (:class:`stickiness_widgets._raster.VegaWorker`),
    while this process goes on with the next chart; leaving the ``with`` block
    rasterises each PNG from its SVG as the worker finishes it (the worker takes
    some too, whenever no spec waits for it), then waits for the last. Vega, its
    engine's start and the rasterising thus run on two cores. A
    chart the worker cannot draw (or every chart, when no worker can start) is drawn
    here, so no file is ever missing. :func:`write_charts` uses it; the report
    opens one before drawing its first chart.

    Parameters
    ----------
    directory
        The folder to write into (created if needed).
    formats, validate, max_pixels
        As for :func:`write_charts`.
    worker
        Draw with Vega in a worker process (default); False: in this process.

    Examples
    --------
    >>> import altair as alt, tempfile
    >>> point = alt.Chart(alt.InlineData(values=[{"x": 1}]), title="one").mark_point().encode(x="x:Q")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     with ChartWriter(folder, formats=("svg", "png")) as writer:
    ...         writer.add("one", point)
    ...     [p.name for p in writer.paths]
    ['one.svg', 'one.png']
    """

    def __init__(
        self,
        directory: str | Path,
        *,
        formats: Iterable[str] = ("png", "svg"),
        validate: bool = True,
        max_pixels: int | None = PNG_PIXELS,
        worker: bool = True,
    ) -> None:
        self._kinds = _formats(formats)
        _check_pixels(max_pixels)
        self._folder = Path(directory)
        self._folder.mkdir(parents=True, exist_ok=True)
        self._validate, self._max_pixels = validate, max_pixels
        #: The files written (or to be written when the block ends), chart by chart, in the order of ``formats``.
        self.paths: list[Path] = []
        self._names: set[str] = set()
        self._drawn = "png" in self._kinds or "svg" in self._kinds  # the formats drawn from the SVG
        self._scratch = tempfile.TemporaryDirectory(prefix="stickiness-charts-")  # specs, and SVGs not kept
        self._worker = VegaWorker() if worker and self._drawn else None
        self._sent: list[str] = []  # the charts handed to the worker

    def __enter__(self) -> ChartWriter:
        return self

    def add(self, name: str, chart: ChartLike) -> None:
        """Write ``chart`` as ``<name>.<format>`` (its SVG and PNG by the time the ``with`` block ends)."""
        _check_name(name)
        if name in self._names:
            raise InvalidOptionError(f"chart name {name!r} is given twice: each chart needs its own file name.")
        self._names.add(name)
        spec = chart_spec(chart, validate=self._validate)
        self.paths += [self._folder / f"{name}.{kind}" for kind in self._kinds]
        drawing = _Drawing(spec)
        if self._drawn and not self._submit(name, spec):
            self._svg_file(name).write_text(drawing.svg(), encoding="utf-8")
            self._png(name)
        for kind in self._kinds:
            if kind not in ("png", "svg"):
                drawing.write(self._folder / f"{name}.{kind}", kind)

    def _scratch_file(self, name: str, suffix: str) -> Path:
        return Path(self._scratch.name) / f"{name}{suffix}"

    def _svg_file(self, name: str) -> Path:
        return self._folder / f"{name}.svg" if "svg" in self._kinds else self._scratch_file(name, ".svg")

    def _submit(self, name: str, spec: Mapping[str, Any]) -> bool:
        """Hand the chart to the worker; False when there is none."""
        if self._worker is None or not self._worker.running:
            return False
        spec_file = self._scratch_file(name, ".json")
        spec_file.write_text(json.dumps(spec), encoding="utf-8")
        png = self._folder / f"{name}.png" if "png" in self._kinds else None
        job: dict[str, Any] = {"spec": str(spec_file), "svg": str(self._svg_file(name)), "png": png and str(png)}
        job.update(claim=str(self._scratch_file(name, ".claim")), scale=2.0, ppi=None, max_pixels=self._max_pixels)
        if not self._worker.submit(job):
            return False
        self._sent.append(name)
        return True

    def _png(self, name: str) -> None:
        """Rasterise the chart's PNG from its SVG, here."""
        if "png" in self._kinds:
            svg = self._svg_file(name).read_text(encoding="utf-8")
            rasterise(svg, self._folder / f"{name}.png", scale=2.0, ppi=None, max_pixels=self._max_pixels)

    def _redraw(self, name: str) -> None:
        """Draw the chart's SVG here from its spec file, then its PNG (the worker could not).

        E.g. a label Vega cut inside an emoji, which :func:`~stickiness_widgets.render.convert` retries.
        """
        spec = json.loads(self._scratch_file(name, ".json").read_text(encoding="utf-8"))
        self._svg_file(name).write_text(_Drawing(spec).svg(), encoding="utf-8")
        self._png(name)

    def _collect(self) -> None:
        """Make the PNGs as the worker's SVGs come, sharing them with the worker; draw here what it could not."""
        if self._worker is None:
            return
        self._worker.close()  # no more specs
        owed = set(self._sent)  # SVGs the worker is drawing
        left = set(self._sent) if "png" in self._kinds else set()  # PNGs not written yet
        ready: deque[str] = deque()  # SVGs drawn, oldest first: their PNG is the first free process's
        while owed or left:
            try:
                answer = self._worker.answer(wait=not ready)
            except queue.Empty:  # nothing new: take the oldest PNG, unless the worker has
                name = ready.popleft()
                if claim(self._scratch_file(name, ".claim")):
                    self._png(name)
                    left.discard(name)
                continue
            if answer is None:  # the worker stopped: what it had not done is done here
                for name in sorted(owed | left):
                    if name in owed:
                        self._redraw(name)
                    else:
                        self._png(name)
                return
            self._record(answer, owed, left, ready)

    def _record(self, answer: dict[str, Any], owed: set[str], left: set[str], ready: deque[str]) -> None:
        """Take in one answer of the worker: an SVG drawn (or not: drawn here), or a PNG it claimed."""
        name = Path(answer.get("svg") or answer["png"]).stem
        if "svg" in answer:
            owed.discard(name)
            if answer["error"] is not None:
                self._redraw(name)
                left.discard(name)
            elif name in left:
                ready.append(name)
            return
        if answer["error"] is not None:
            self._png(name)
        left.discard(name)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            if kind is None:
                self._collect()
        finally:
            if self._worker is not None:
                self._worker.__exit__(kind, error, trace)
            self._scratch.cleanup()


def charts_to_html(
    charts: Mapping[str, ChartLike],
    path: str | Path,
    *,
    title: str = "stickiness report",
    intro: str | None = None,
) -> Path:
    """Write one self-contained interactive HTML page with every chart, for offline viewing and sharing.

    The page inlines vl-convert's JavaScript bundle (Vega, Vega-Lite, vega-embed)
    once and draws each chart with vega-embed's SVG renderer, with tooltips and
    the "save as PNG/SVG" menu. It loads nothing from the network: no external
    ``src`` or ``href``. About 1 MB plus the charts' data.

    Parameters
    ----------
    charts
        Charts by name, in page order (the name becomes the chart's anchor).
    path
        The ``.html`` file to write.
    title
        The page's heading and ``<title>``.
    intro
        Plain text shown under the heading (blank lines separate paragraphs).

    Returns
    -------
    pathlib.Path
        The path written.
    """
    specs = {name: chart_spec(chart) for name, chart in charts.items()}
    path = Path(path)
    path.write_text(_page(specs, title=title, heading=title, intro=intro), encoding="utf-8")
    return path


def _title(spec: Mapping[str, Any]) -> str:
    title = spec.get("title")
    text = title.get("text") if isinstance(title, Mapping) else title
    if isinstance(text, list):
        text = " ".join(map(str, text))
    return str(text) if text else "chart"


@functools.cache
def _bundle() -> str:
    """vl-convert's Vega + Vega-Lite + vega-embed bundle (it sets ``window.vegaEmbed``), safe inside <script>."""
    import vl_convert

    return re.sub(r"</(script)", r"<\\/\1", vl_convert.javascript_bundle(_GLOBALS), flags=re.IGNORECASE)


def _json(value: Any) -> str:
    """JSON for an inline script: ``<`` escaped, so no text in a spec can close the script or open a comment."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


_STYLE = """
body { margin: 0; background: #fafafa; color: #222; font-family: "Helvetica Neue", Helvetica, Arial, sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 32px 24px 64px; }
h1 { font-size: 28px; font-weight: 600; margin: 0 0 12px; }
p.intro { font-size: 16px; line-height: 1.5; color: #444; max-width: 760px; }
figure { margin: 28px 0; padding: 16px; background: white; border: 1px solid #e4e4e4; border-radius: 6px;
         overflow-x: auto; }
.vega-embed { display: block; }
"""

_SCRIPT = """
const charts = %s;
const options = %s;
const fit = %s;
// A spec with every width (views, facets, x steps, mark widths and x offsets, x positions in pixels) and every
// view's fixed height times k, so the chart keeps its shape; row steps (one row of text each), the heights of
// marks (they fill those rows) and the data are left alone.
const VIEW = { width: true, continuousWidth: true, discreteWidth: true, height: true, continuousHeight: true };
const MARK = { width: true, dx: true };
const times = (value, k) => Math.max(1, Math.floor(value * k));
const scaled = (value, k, key, inMark = false) => {
  if (Array.isArray(value)) return value.map((item) => scaled(item, k, undefined, inMark));
  if (value === null || typeof value !== "object") {
    if (!(inMark ? MARK : VIEW)[key] || typeof value !== "number") return value;
    return key === "dx" ? value * k : times(value, k);
  }
  const out = {};
  for (const [name, item] of Object.entries(value)) {
    if (name === "data" || name === "datasets") out[name] = item;
    else if (key === "width" && name === "step" && typeof item === "number") out[name] = times(item, k);
    else if ((key === "x" || key === "x2") && name === "value" && typeof item === "number") out[name] = times(item, k);
    else out[name] = scaled(item, k, name, inMark || name === "mark");
  }
  return out;
};
// A spec whose title and subtitle lines wrap at the words to about `width` pixels (a character is taken as
// 0.6 of the font size: wide for the kit's sans-serif, so a line rarely overruns).
const wrapLine = (line, chars) => {
  const lines = [];
  let current = "";
  for (const word of String(line).split(" ")) {
    if (current && current.length + 1 + word.length > chars) {
      lines.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  return current ? [...lines, current] : lines;
};
const wrapText = (text, chars) => [].concat(text).flatMap((line) => wrapLine(line, chars));
// ... and whose legends below or above the plot, in one row, take two columns.
const twoColumns = (value, key) => {
  if (Array.isArray(value)) return value.map((item) => twoColumns(item));
  if (value === null || typeof value !== "object") return value;
  if (key === "legend" && ["bottom", "top"].includes(value.orient) && value.columns === undefined) {
    return { ...value, columns: 2 };
  }
  const out = {};
  for (const [name, item] of Object.entries(value)) {
    out[name] = name === "data" || name === "datasets" ? item : twoColumns(item, name);
  }
  return out;
};
function wrapped(given, width) {
  const spec = twoColumns(given);
  const title = spec.title;
  if (!title) return spec;
  const config = spec.config?.title ?? {};
  const chars = (size) => Math.max(20, Math.floor(width / (size * 0.6)));
  const parts = typeof title === "object" && !Array.isArray(title) ? { ...title } : { text: title };
  if (typeof parts.text === "string" || Array.isArray(parts.text)) {
    parts.text = wrapText(parts.text, chars(parts.fontSize ?? config.fontSize ?? 13));
  }
  if (typeof parts.subtitle === "string" || Array.isArray(parts.subtitle)) {
    parts.subtitle = wrapText(parts.subtitle, chars(parts.subtitleFontSize ?? config.subtitleFontSize ?? 10));
  }
  return { ...spec, title: parts };
}
// the width the chart is drawn at (its SVG's own, whatever CSS shows it at)
const drawnWidth = (target) => parseFloat(target.querySelector("svg")?.getAttribute("width") ?? "0");
// Draw a chart no wider than `fit` pixels (its text then prints at its own size): its titles wrap, then the
// drawn width is about fixed parts (axes, legends) + k * the views' widths, so a draw at k = 1/2 tells both.
const embed = (target, spec) => window.vegaEmbed(target, spec, options);
async function draw(target, given) {
  let result = await embed(target, given);
  if (!fit || drawnWidth(target) <= fit) return;
  const spec = wrapped(given, fit);  // a long title sets the width whatever the views': it wraps first
  result.finalize();
  result = await embed(target, spec);
  const full = drawnWidth(target);
  if (full <= fit) return;
  result.finalize();
  result = await embed(target, scaled(spec, 0.5));
  const half = drawnWidth(target);
  const views = 2 * (full - half);
  const k = views > 0 ? Math.min(1, Math.max(0.3, (fit - (full - views)) / views)) : 1;
  result.finalize();
  result = await embed(target, scaled(spec, k));
  const drawn = drawnWidth(target);
  if (drawn <= fit || k <= 0.3 || k === 0.5 || drawn === half) return;
  // still too wide (the widths are not quite linear in k): one step along the line through the two last draws
  const slope = (drawn - half) / (k - 0.5);
  result.finalize();
  await embed(target, scaled(spec, Math.max(0.3, k - (drawn - fit) / slope)));
}
Promise.allSettled(charts.map(async ([id, spec]) => {
  const target = document.getElementById(id);
  // A static picture of the chart (data-fallback-for) stays until the interactive one is drawn.
  const fallback = document.querySelector(`[data-fallback-for="${id}"]`);
  try {
    await draw(target, spec);
    fallback?.remove();
  } catch (error) {
    if (!fallback) target.textContent = "This chart could not be drawn: " + error;
  }
})).then(() => { document.documentElement.dataset.charts = "drawn"; });
"""


def vega_scripts(charts: Iterable[tuple[str, Mapping[str, Any]]], *, fit: int | None = None) -> str:
    """Return the ``<script>`` tags that draw each ``(element id, Vega-Lite spec)`` into that element, offline.

    The Vega, Vega-Lite and vega-embed bundle is inlined once (about 1 MB); each chart
    is drawn with the SVG renderer, and an element whose chart fails says why. With
    ``fit``, a chart drawn wider than ``fit`` pixels is drawn again with narrower views
    (axes, legends and text keep their size), so that a printed page need not shrink it.
    When every chart is drawn, ``<html>`` gets ``data-charts="drawn"``.

    >>> vega_scripts([("chart-1", {"mark": "point"})]).count("<script")
    2
    """
    script = _SCRIPT % (_json([[element, spec] for element, spec in charts]), _json(_EMBED_OPTIONS), _json(fit))
    return f'<script type="module">\n{_bundle()}\n</script>\n<script type="module">{script}</script>'


def _page(specs: Mapping[str, Mapping[str, Any]], *, title: str, heading: str | None, intro: str | None) -> str:
    ids = {name: f"chart-{i}" for i, name in enumerate(specs, start=1)}
    figures = "\n".join(
        f'<figure id="{html.escape(ids[name])}" aria-label="{html.escape(_title(spec), quote=True)}" '
        f'data-name="{html.escape(name, quote=True)}"></figure>'
        for name, spec in specs.items()
    )
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", intro or "") if p.strip()]
    intro_html = "\n".join(f'<p class="intro">{html.escape(p)}</p>' for p in paragraphs)
    heading_html = f"<h1>{html.escape(heading)}</h1>" if heading else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="stickiness_widgets">
<title>{html.escape(title)}</title>
<style>{_STYLE}</style>
</head>
<body>
<main>
{heading_html}
{intro_html}
<noscript>This page draws its charts with JavaScript: allow scripts to see them.</noscript>
{figures}
</main>
{vega_scripts([(ids[name], spec) for name, spec in specs.items()])}
</body>
</html>
"""
