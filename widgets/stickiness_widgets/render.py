"""Offline chart rendering in Jupyter: the ``"stickiness"`` altair renderer.

Why a renderer of our own: altair 6's default renderer loads Vega from a CDN
(no network, no chart), and its ``mimetype`` renderer emits a Vega-Lite 6
mimetype that JupyterLab 4 cannot draw and nbformat rejects. JupyterLab 4.6
bundles a Vega-Lite **v5** renderer, so this one emits, for every chart:

- ``application/vnd.vegalite.v5+json``: the spec without its ``$schema`` (which
  names Vega-Lite 6), drawn interactively by JupyterLab with no network;
- ``image/svg+xml``: the chart drawn by vl-convert (Vega-Lite v5, offline),
  which nbconvert's HTML export and other front ends without Vega use;
- ``text/plain``: the chart's title.

The charts of this package use Vega-Lite features that v5 and v6 share, and the
tests compile and render each of them with both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

import altair as alt

from stickiness_widgets.theme import register_theme

__all__ = ["RENDERER", "VEGALITE_V5_MIMETYPE", "convert", "enable_offline", "mimebundle", "untruncated", "vegalite_v5"]

#: Name of the registered altair renderer.
RENDERER: Final = "stickiness"
#: The mimetype JupyterLab 4 draws with its bundled Vega-Lite 5.
VEGALITE_V5_MIMETYPE: Final = "application/vnd.vegalite.v5+json"
#: vl-convert's error when it measures text that holds half of a UTF-16 surrogate pair (see :func:`convert`).
_SPLIT_PAIR: Final = "Failed to deserialize text info"
#: The properties that make Vega shorten a text to a width (0: never).
_LIMITS: Final = frozenset({"labelLimit", "titleLimit", "limit"})
#: Where the spec holds data rows, whose columns may carry any name (``limit`` included).
_DATA_KEYS: Final = frozenset({"datasets", "values"})
_UNLIMITED: Final = {
    "axis": {"labelLimit": 0, "titleLimit": 0},
    "legend": {"labelLimit": 0, "titleLimit": 0},
    "header": {"labelLimit": 0, "titleLimit": 0},
    "title": {"limit": 0},
}
_T = TypeVar("_T")


def vegalite_v5() -> str:
    """Return the newest Vega-Lite 5 version that vl-convert ships (e.g. ``"5.21"``).

    Examples
    --------
    >>> vegalite_v5().startswith("5.")
    True
    """
    import vl_convert

    fives = [v for v in vl_convert.get_vegalite_versions() if v.startswith("5.")]
    if not fives:  # pragma: no cover - every vl-convert release so far ships v5
        raise RuntimeError("this vl-convert has no Vega-Lite 5: pip install 'vl-convert-python>=1.7,<2'")
    return max(fives, key=lambda v: tuple(int(part) for part in v.split(".")))


def convert(function: Callable[..., _T], spec: Mapping[str, Any], **options: Any) -> _T:
    """Call a vl-convert ``function`` (``vegalite_to_svg``, ``_png``, ``_pdf``) on ``spec``, whatever names it shows.

    Vega shortens a long label to its width limit by trying ever shorter prefixes;
    a prefix that ends inside an emoji (half of a UTF-16 surrogate pair) makes
    vl-convert fail. Such a chart is drawn again with no width limits
    (:func:`untruncated`): long names are shown whole rather than not at all.

    Examples
    --------
    >>> import vl_convert
    >>> name = "🚀" * 60  # too wide for a legend label: Vega would shorten it
    >>> spec = {"data": {"values": [{"k": name}]}, "mark": "point", "encoding": {"color": {"field": "k"}}}
    >>> name in convert(vl_convert.vegalite_to_svg, spec)
    True
    """
    try:
        return function(spec, **options)
    except ValueError as error:
        if _SPLIT_PAIR not in str(error):
            raise
    return function(untruncated(spec), **options)


def untruncated(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy of ``spec`` in which no label, title or text is shortened to a width (every limit 0).

    Examples
    --------
    >>> untruncated({"mark": {"type": "text", "limit": 80}, "data": {"values": [{"limit": 3}]}})["mark"]
    {'type': 'text', 'limit': 0}
    """
    out: dict[str, Any] = _unlimited(spec)
    config = dict(out.get("config", {}))
    for part, limits in _UNLIMITED.items():
        config[part] = {**config.get(part, {}), **limits}
    out["config"] = config
    return out


def _unlimited(node: Any) -> Any:
    if isinstance(node, Mapping):
        return {
            key: 0 if key in _LIMITS else (value if key in _DATA_KEYS else _unlimited(value))
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_unlimited(value) for value in node]
    return node


def mimebundle(
    spec: Mapping[str, Any], *, embed_options: Mapping[str, Any] | None = None, **_: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the Jupyter display data and metadata for a Vega-Lite ``spec``; the renderer's function.

    ``embed_options`` (set with ``alt.renderers.set_embed_options(...)``, e.g.
    ``renderer="svg"``) go to JupyterLab's vega-embed as display metadata.

    Examples
    --------
    >>> import altair as alt
    >>> spec = alt.Chart(alt.InlineData(values=[{"x": 1}]), title="one point").mark_point().encode(x="x:Q").to_dict()
    >>> data, metadata = mimebundle(spec)
    >>> sorted(data), "$schema" in data[VEGALITE_V5_MIMETYPE], data["text/plain"]
    (['application/vnd.vegalite.v5+json', 'image/svg+xml', 'text/plain'], False, '<altair chart: one point>')
    """
    import vl_convert

    v5 = {key: value for key, value in spec.items() if key != "$schema"}
    data = {
        VEGALITE_V5_MIMETYPE: v5,
        "image/svg+xml": convert(vl_convert.vegalite_to_svg, v5, vl_version=vegalite_v5()),
        "text/plain": f"<altair chart: {_title(spec)}>",
    }
    metadata = {VEGALITE_V5_MIMETYPE: {"embed_options": dict(embed_options)}} if embed_options else {}
    return data, metadata


def _title(spec: Mapping[str, Any]) -> str:
    title = spec.get("title")
    if isinstance(title, Mapping):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(map(str, title))
    return str(title) if title else "untitled"


def enable_offline() -> None:
    """Register and enable the ``"stickiness"`` altair renderer, and register the ``"stickiness"`` theme.

    ``import stickiness_widgets`` calls it, so charts display with no network
    in JupyterLab 4 and in nbconvert's HTML. Calling it again does no harm; call
    it to switch back after enabling another renderer. It changes global
    altair state (the active renderer) and nothing else.

    Examples
    --------
    >>> import altair as alt
    >>> enable_offline()
    >>> alt.renderers.active
    'stickiness'
    """
    register_theme()
    alt.renderers.register(RENDERER, mimebundle)
    alt.renderers.enable(RENDERER)
