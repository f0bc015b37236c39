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

from typing import Final

__all__ = ["compact"]

_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"


def compact(png: bytes) -> bytes:
    """Return ``png`` re-encoded losslessly and smaller (or unchanged when that is not possible).

    Without pyoxipng installed (it comes with ``stickiness[jupyter]``), or for
    bytes that are not a PNG, the input is returned as it is.

    Examples
    --------
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
