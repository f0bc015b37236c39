"""What every chart function does last: the title (its finding), the theme, and the empty-frame chart."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

import altair as alt

from stickiness.findings import Headline
from stickiness_widgets.charts._fields import pixels
from stickiness_widgets.theme import GREY, WIDTH, apply_theme

__all__ = ["Title", "empty_chart", "finish", "percent"]

#: A chart title option: None (the finding, worked out from the data), a text, or altair title parameters.
Title: TypeAlias = str | alt.TitleParams | None


def percent(value: float | None, digits: int = 1) -> str:
    """Format a share as a percentage.

    Examples
    --------
    >>> percent(0.3194), percent(1.0, 0), percent(None)
    ('31.9%', '100%', 'n/a')
    """
    return "n/a" if value is None else f"{100 * value:.{digits}f}%"


def finish(chart: Any, *, title: Title, finding: str | Headline, notes: Sequence[str] = ()) -> alt.typing.ChartType:
    """Put the title on ``chart`` and apply the theme.

    ``finding`` is the default title text: a chart's :class:`stickiness.Headline`,
    from the core (:func:`stickiness.chart_headline`), whose note (which figure the
    title states) leads the subtitle; ``notes`` follow it (how to read the chart).
    A text ``title`` replaces the finding and keeps the notes;
    :class:`altair.TitleParams` replace both.
    """
    if isinstance(finding, Headline):
        notes = [finding.note, *notes] if finding.note else list(notes)
        finding = finding.text
    if isinstance(title, alt.TitleParams):
        params = title
    else:
        params = alt.TitleParams(text=finding if title is None else title, subtitle=list(notes) or alt.Undefined)
    themed = apply_theme(chart)  # a shallow copy: the chart's data are not copied
    themed.title = params
    return themed


def empty_chart(*, title: Title, what: str, hint: str) -> alt.typing.ChartType:
    """Return a chart that says there is nothing to draw: the chart functions' answer to a frame with no rows.

    Examples
    --------
    >>> spec = empty_chart(title=None, what="Frequency spectrum", hint="no adopters").to_dict()
    >>> spec["title"]["text"]
    'Frequency spectrum: no data'
    """
    message = alt.InlineData(values=[{"message": f"No rows to chart: {hint}."}])
    chart = (
        alt.Chart(message)
        .mark_text(fontSize=14, color=GREY, align="left", baseline="middle")
        .encode(text=alt.Text("message:N"), x=pixels("x", 0), y=pixels("y", 30))
        .properties(width=WIDTH, height=60)
    )
    return finish(chart, title=title, finding=f"{what}: no data")
