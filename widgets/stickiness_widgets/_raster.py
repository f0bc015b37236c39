"""Charts drawn on two cores: Vega in a worker process, the PNGs shared, within a pixel budget.

vl-convert's Vega, its rasteriser and oxipng all hold Python's GIL while they run
(measured: a Python thread beside them gets under 10% of its time), so threads draw
nothing in parallel. :class:`VegaWorker` starts one plain Python process that runs
this file as a script: it imports only vl-convert and oxipng (none of altair, polars
or this package), starts Vega's engine (about 0.3 s) while the caller builds the first
chart's spec, and draws each spec file as an SVG file. Each PNG is then rasterised
from its SVG by whichever process is free: the caller once it has built every spec, the
worker whenever no spec waits for it. A PNG is claimed by creating a file next to the
specs (``O_EXCL``: one process wins), so none is drawn twice (docs/benchmarks.md, issue 17).

PNGs are drawn at ``scale`` pixels per chart pixel (2 by default) unless that would
pass :data:`PNG_PIXELS`; then the scale is lowered, never below 1 (:func:`png_scale`).

This module imports nothing from its package: the worker runs it as a script.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import queue
import re
import subprocess
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import Any, Final

__all__ = ["PNG_PIXELS", "VegaWorker", "claim", "compact", "png_scale", "rasterise", "svg_size"]

#: The most pixels a PNG gets (unless a chart is larger at one PNG pixel per chart pixel): 4 million,
#: a 16:9 slide filled at 200 ppi. A 21-panel chart had 8 to 12 million at scale 2, for nobody:
#: report.pptx fits it to 5.7 inches of height, where 4 million pixels still give over 500 ppi.
PNG_PIXELS: Final = 4_000_000

#: The root element's size, as vl-convert writes it: ``<svg ... width="910" height="2438" ...>``.
_SIZE: Final = re.compile(r"<svg\b[^>]*?\swidth=\"([0-9.]+)\"[^>]*?\sheight=\"([0-9.]+)\"")
_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
#: Runs this file as the worker (``runpy``: the package, and altair with it, is not imported).
_START: Final = "import runpy, sys; runpy.run_path(sys.argv[1], run_name='__main__')"


def svg_size(svg: str) -> tuple[float, float] | None:
    """Return the width and height of an SVG drawing from its root element (None when it gives none).

    >>> svg_size('<svg xmlns="http://www.w3.org/2000/svg" class="marks" width="910" height="2438" viewBox="0 0 9 9">')
    (910.0, 2438.0)
    """
    found = _SIZE.search(svg[:2000])
    return (float(found.group(1)), float(found.group(2))) if found else None


def png_scale(width: float, height: float, scale: float, max_pixels: int | None = PNG_PIXELS) -> float:
    """Return the PNG's pixels per chart pixel: ``scale``, lowered to keep the PNG within ``max_pixels``.

    The scale never drops below 1 (each chart pixel keeps at least one PNG pixel, so
    text stays as sharp as the chart draws it), nor rises above ``scale``. Rounding up
    to whole pixels stays within the budget: ``(w + 1) * (h + 1) * s**2 <= max_pixels``.

    >>> png_scale(800, 600, 2.0)  # 1,600 x 1,200 = 1.9 million pixels: within 4 million
    2.0
    >>> round(png_scale(910, 2438, 2.0), 3)  # sqrt(4e6 / (911 * 2439)) = 1.342: 1,221 x 3,271 pixels
    1.342
    >>> png_scale(3000, 3000, 2.0), png_scale(910, 2438, 2.0, None)  # never below 1; None: no budget
    (1.0, 2.0)
    """
    if max_pixels is None or scale <= 1:
        return scale
    fits = math.sqrt(max_pixels / ((width + 1) * (height + 1)))
    return max(1.0, min(scale, fits))


def compact(png: bytes) -> bytes:
    """Return ``png`` re-encoded losslessly and smaller with oxipng (or unchanged when that is not possible).

    Level 0 and no row filter: the cheapest setting that still pays (:mod:`stickiness_widgets._png`).
    Without pyoxipng installed, or for bytes that are not a PNG, the input is returned as it is.

    >>> import vl_convert
    >>> spec = {"data": {"values": [{"x": 1}]}, "mark": "point", "encoding": {"x": {"field": "x", "type": "ordinal"}}}
    >>> png = vl_convert.vegalite_to_png(spec)
    >>> small = compact(png)
    >>> small[:8] == png[:8] and len(small) < len(png)
    True
    """
    if not png.startswith(_SIGNATURE):
        return png
    try:
        import oxipng
    except ImportError:  # pragma: no cover - the jupyter extra installs it
        return png
    try:
        out: bytes = oxipng.optimize_from_memory(png, level=0, filter=[oxipng.RowFilter.NoOp])
    except oxipng.PngError:  # a broken file: leave it as it is
        return png
    return out if len(out) < len(png) else png


def rasterise(svg: str, path: Path, *, scale: float, ppi: float | None, max_pixels: int | None = PNG_PIXELS) -> None:
    """Write the PNG of ``svg`` to ``path``: ``scale`` within ``max_pixels`` (:func:`png_scale`), compacted.

    ``ppi`` is the resolution recorded in the file (default ``72 * scale``, with the
    scale used: the image keeps the chart's size when placed in a document).
    """
    import vl_convert

    size = svg_size(svg)
    used = scale if size is None else png_scale(*size, scale, max_pixels)
    resolution = ppi or 72 * used
    # vl-convert draws scale * ppi / 72 pixels per chart pixel
    png = vl_convert.svg_to_png(svg, scale=used * 72 / resolution, ppi=resolution)
    Path(path).write_bytes(compact(png))


def claim(mark: Path) -> bool:
    """Create ``mark`` if no process has: True for the one process that did (it draws that PNG)."""
    try:
        os.close(os.open(mark, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def _answer(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def _serve() -> None:
    """Serve as the worker: draw each spec file's SVG as it comes; between specs, rasterise an unclaimed PNG."""
    import vl_convert

    vl_convert.vegalite_to_svg({"mark": "point"})  # Vega's engine starts while the caller builds the first spec
    jobs: queue.Queue[dict[str, Any] | None] = queue.Queue()

    def read() -> None:
        for line in sys.stdin:
            jobs.put(json.loads(line))
        jobs.put(None)

    threading.Thread(target=read, daemon=True).start()
    pngs: list[dict[str, Any]] = []  # drawn here, PNG wanted: the newest first (the caller takes the oldest)
    while True:
        try:
            job = jobs.get_nowait()
        except queue.Empty:
            if pngs:  # no spec waits: help with the PNGs
                _png_job(pngs.pop())
                continue
            job = jobs.get()
        if job is None:
            break
        try:
            with open(job["spec"], encoding="utf-8") as source:
                svg = vl_convert.vegalite_to_svg(source.read())
            with open(job["svg"], "w", encoding="utf-8") as out:
                out.write(svg)
        except Exception as error:
            _answer(svg=job["svg"], error=repr(error))
            continue
        _answer(svg=job["svg"], error=None)
        if job.get("png"):
            pngs.append(job)
    while pngs:  # no more specs: the PNGs left, as the caller does them
        _png_job(pngs.pop())


def _png_job(job: dict[str, Any]) -> None:
    if not claim(Path(job["claim"])):  # the caller has it
        return
    try:
        with open(job["svg"], encoding="utf-8") as source:
            svg = source.read()
        rasterise(svg, Path(job["png"]), scale=job["scale"], ppi=job["ppi"], max_pixels=job["max_pixels"])
    except Exception as error:
        _answer(png=job["png"], error=repr(error))
        return
    _answer(png=job["png"], error=None)


class VegaWorker:
    """A worker process that draws Vega-Lite spec files as SVG files, and PNGs nobody has claimed.

    :meth:`submit` jobs, then iterate :meth:`answers` for what the worker did:
    ``{"svg": file, "error": None or a message}`` for each spec, ``{"png": file,
    "error": ...}`` for each PNG it claimed; ``None`` ends them early when the
    worker stops (what it had not done is the caller's). Use as a context manager:
    leaving the block stops the worker. When no worker can start, :attr:`running`
    is false and the caller draws everything.
    """

    def __init__(self) -> None:
        self._answers: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._worker: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None
        try:
            self._worker = subprocess.Popen(
                [sys.executable, "-c", _START, __file__],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
            )
        except OSError:  # no interpreter to start: the caller draws
            return
        # answers are read as they come, so that the worker never blocks on a full pipe
        self._reader = threading.Thread(target=self._read, args=(self._worker,), daemon=True)
        self._reader.start()

    @property
    def running(self) -> bool:
        """Whether jobs go to the worker."""
        return self._worker is not None

    def __enter__(self) -> VegaWorker:
        return self

    def _read(self, worker: subprocess.Popen[str]) -> None:
        try:
            for line in worker.stdout if worker.stdout is not None else ():
                with contextlib.suppress(ValueError):  # a line that is not an answer (a library's message)
                    answer = json.loads(line)
                    if isinstance(answer, dict):
                        self._answers.put(answer)
        finally:
            self._answers.put(None)  # the worker ended

    def submit(self, job: dict[str, Any]) -> bool:
        """Send ``job`` (``spec`` and ``svg`` files; ``png``, ``claim``, ``scale``, ``ppi``, ``max_pixels`` for a PNG).

        Returns False when the worker cannot take it.
        """
        if self._worker is None or self._worker.stdin is None or self._worker.stdin.closed:
            return False
        try:
            self._worker.stdin.write(json.dumps(job) + "\n")
            self._worker.stdin.flush()
        except OSError:  # the worker died: the rest is drawn by the caller
            self._worker.kill()
            return False
        return True

    def close(self) -> None:
        """Send no more jobs: the worker ends once its specs are drawn and no PNG is left unclaimed."""
        if self._worker is not None and self._worker.stdin is not None and not self._worker.stdin.closed:
            with contextlib.suppress(OSError):  # it is gone: nothing was left to send
                self._worker.stdin.close()

    def answer(self, *, wait: bool) -> dict[str, Any] | None:
        """Return the worker's next answer; None when it has stopped. Without ``wait``, raise queue.Empty if none."""
        return self._answers.get() if wait else self._answers.get_nowait()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._worker is None:
            return
        if kind is not None:  # the caller failed: its jobs are not wanted
            self._worker.kill()
        self.close()
        self._worker.wait()
        if self._reader is not None:
            self._reader.join()  # it has read to the end: its pipe can close
        if self._worker.stdout is not None:
            self._worker.stdout.close()


if __name__ == "__main__":
    _serve()
