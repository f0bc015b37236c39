"""Lossless PNG compaction for the PNGs vl-convert writes (about 5 times smaller), with oxipng.

vl-convert encodes 8-bit RGBA with fast compression. :func:`compact` hands the
file to oxipng (the ``pyoxipng`` package: a maintained Rust optimiser), at its
cheapest setting that still pays: level 0 (no compression trials) and no row
filter. It keeps the reductions (RGBA to RGB when every pixel is opaque, to a
palette when the chart has few colours), which give most of the gain. Measured
on the quickstart's seven charts (docs/benchmarks.md, issue 17): 4.2 MB as
vl-convert writes them, 0.77 MB compacted, 0.07 s of CPU a chart; oxipng's
level 1 saves another 11% for five times the time, and the hand-written
recompressor this replaces took longer than drawing the chart.
"""

from __future__ import annotations

# defined beside the PNG worker, which runs that module alone (without this package)
from stickiness_widgets._raster import compact

__all__ = ["compact"]
