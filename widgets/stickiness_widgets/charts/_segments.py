"""Which segments a chart colours: every one while the palette lasts, else the few that matter and one grey.

A colour must mean one thing within a figure, and the Okabe-Ito palette has 8
colours: cycling it over 21 personas would give three personas the same blue. So
a chart with more segments than :data:`~stickiness_widgets.theme.OKABE_ITO` has
colours colours at most :data:`MOST_COLOURED` of them, chosen from the data
(docs/charts.md, "Many segments"):

1. the segments the title names (its "from ... (a) to ... (b)"): the
   :class:`~stickiness.findings.Headline`'s ``segments``, decided by the core with the
   title, never re-derived here;
2. then the largest by users (the ``size`` column: MAU), ties by name,

and draws the others in one grey named, in the legend, ``other personas (16)``.
Tooltips and tables keep every segment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

import altair as alt
import polars as pl

from stickiness_widgets.charts._data import inline
from stickiness_widgets.charts._fields import field
from stickiness_widgets.theme import OKABE_ITO, OTHER_SEGMENTS

__all__ = ["COLOURED", "GROUP", "MOST_COLOURED", "SegmentColours", "segment_colours"]

#: Most segments coloured when a chart has more segments than the palette has colours.
MOST_COLOURED: Final = 5
#: The data column holding each row's legend entry (its segment, or the grey group's name).
GROUP: Final = "colour_group"
#: The data column saying whether the row's segment has its own colour (the grey ones are drawn first, below).
COLOURED: Final = "coloured"


_Chart = TypeVar("_Chart", alt.Chart, alt.FacetChart)


@dataclass(frozen=True)
class SegmentColours:
    """The colour scale of a chart's segments: ``domain[i]`` is drawn in ``range[i]``.

    ``groups`` maps every segment to its legend entry; ``other`` is the grey
    group's name (None when every segment has its own colour).
    """

    domain: list[str]
    range: list[str]
    groups: dict[str, str]
    other: str | None
    #: The segments in plural ("personas"), to word titles.
    noun: str = "segments"

    def lookup(self, chart: _Chart, by: str) -> _Chart:
        """Return ``chart`` given the :data:`GROUP` and :data:`COLOURED` fields of each row's segment.

        Looked up in a table of one row per segment (in the spec once), not added to every row of the data.
        """
        table = pl.DataFrame(
            {by: list(self.groups), GROUP: list(self.groups.values())}, schema={by: pl.String, GROUP: pl.String}
        ).with_columns((pl.col(GROUP) != pl.lit(self.other or "")).alias(COLOURED))
        key = field(by)
        return chart.transform_lookup(
            lookup=key, from_=alt.LookupData(data=inline(table), key=key, fields=[GROUP, COLOURED])
        )


def segment_colours(
    sizes: pl.DataFrame, *, segment: str, size: str, noun: str, named: Sequence[str] = ()
) -> SegmentColours:
    """Return the colours of the segments in ``sizes`` (one row each, with its ``size``): ``named`` ones first.

    Up to 8 segments: one Okabe-Ito colour each, in name order. More: the segments the
    title names (``named``: its :class:`~stickiness.findings.Headline`'s ``segments``, as
    the core decided them), then the largest by ``size``, ties by name (see the module).

    Examples
    --------
    >>> sizes = pl.DataFrame({"p": [f"p{i:02d}" for i in range(10)], "mau": [10, 50, 40, 30, 20, 60, 5, 5, 1, 1]})
    >>> colours = segment_colours(sizes, segment="p", size="mau", noun="p", named=("p08", "p09"))
    >>> colours.domain  # p08 and p09: the title's; then p05, p01, p02: the most users
    ['p01', 'p02', 'p05', 'p08', 'p09', 'other ps (5)']
    >>> colours.groups["p00"]
    'other ps (5)'
    """
    names = sizes.get_column(segment).cast(pl.String).sort().to_list()
    if len(names) <= len(OKABE_ITO):
        return SegmentColours(names, list(OKABE_ITO), {name: name for name in names}, None)
    present = set(names)
    first = [name for name in dict.fromkeys(named) if name in present][:MOST_COLOURED]
    largest = sizes.with_columns(pl.col(segment).cast(pl.String)).filter(~pl.col(segment).is_in(first))
    ranked = largest.sort([size, segment], descending=[True, False], nulls_last=True).get_column(segment)
    coloured = sorted({*first, *ranked.head(max(MOST_COLOURED - len(first), 0)).to_list()})
    plural = noun if noun.endswith("s") else noun + "s"
    other = f"other {plural} ({len(names) - len(coloured)})"
    while other in names:  # a segment of that very name keeps its name: the grey group is told apart
        other += ", in grey"
    groups = {name: name if name in coloured else other for name in names}
    return SegmentColours([*coloured, other], [*OKABE_ITO[: len(coloured)], OTHER_SEGMENTS], groups, other, plural)
