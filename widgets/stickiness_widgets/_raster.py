"""PNGs drawn beside the charts: a small worker process rasterises SVGs and compacts the PNGs.

vl-convert's Vega, its rasteriser and oxipng all hold Python's GIL while they run
(measured: a Python thread beside them gets under 10% of its time), so threads draw
nothing in parallel. :class:`Rasteriser` starts one plain Python process that imports
only vl-convert and oxipng (about 0.1 s and 40 MB, none of altair or polars) and turns
SVG files into PNG files while this process draws the next chart with Vega. On two
cores the chart step takes about the time of Vega alone (docs/benchmarks.md, issue 17).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import Final

from stickiness_widgets._png import compact

__all__ = ["Rasteriser", "rasterise"]

#: The worker: one JSON job a line (svg, png, scale, ppi), one JSON answer a line.
_WORKER: Final = r"""
import json, sys
import vl_convert
try:
    import oxipng
except ImportError:
    oxipng = None
for line in sys.stdin:
    job = json.loads(line)
    try:
        with open(job["svg"], encoding="utf-8") as source:
            png = vl_convert.svg_to_png(source.read(), scale=job["scale"], ppi=job["ppi"])
        if oxipng is not None:
            small = oxipng.optimize_from_memory(png, level=0, filter=[oxipng.RowFilter.NoOp])
            png = small if len(small) < len(png) else png
        with open(job["png"], "wb") as out:
            out.write(png)
        print(json.dumps({"png": job["png"], "error": None}), flush=True)
    except Exception as error:
        print(json.dumps({"png": job["png"], "error": repr(error)}), flush=True)
"""


def rasterise(svg: str, path: Path, *, scale: float, ppi: float) -> None:
    """Write the PNG of ``svg`` to ``path``, in this process (what the worker does in its own)."""
    import vl_convert

    path.write_bytes(compact(vl_convert.svg_to_png(svg, scale=scale, ppi=ppi)))


class Rasteriser:
    """A worker process that writes PNGs from SVG files; falls back to this process if it cannot run.

    Use as a context manager: :meth:`submit` jobs, and leaving the block waits for
    them all (a job the worker could not do is done again here, so a PNG is never
    missing).
    """

    def __init__(self) -> None:
        self._jobs: dict[str, tuple[Path, Path, float, float]] = {}
        self._worker: subprocess.Popen[str] | None = None
        try:
            self._worker = subprocess.Popen(
                [sys.executable, "-c", _WORKER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
            )
        except OSError:  # no interpreter to start: draw here
            self._worker = None

    def __enter__(self) -> Rasteriser:
        return self

    def submit(self, svg_file: Path, png: Path, *, scale: float, ppi: float) -> None:
        """Have the PNG of the SVG in ``svg_file`` written to ``png``."""
        self._jobs[str(png)] = (svg_file, png, scale, ppi)
        job = {"svg": str(svg_file), "png": str(png), "scale": scale, "ppi": ppi}
        if self._worker is not None and self._worker.stdin is not None:
            try:
                self._worker.stdin.write(json.dumps(job) + "\n")
                self._worker.stdin.flush()
                return
            except OSError:  # the worker died: the rest is drawn here
                self._worker = None
        rasterise(svg_file.read_text(encoding="utf-8"), png, scale=scale, ppi=ppi)
        del self._jobs[str(png)]

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        done: set[str] = set()
        if self._worker is not None:
            output, _ = self._worker.communicate()
            done = {a["png"] for a in map(json.loads, output.splitlines()) if a.get("error") is None}
        if kind is not None:
            return
        for name, (svg_file, png, scale, ppi) in self._jobs.items():
            if name not in done:
                rasterise(svg_file.read_text(encoding="utf-8"), png, scale=scale, ppi=ppi)
