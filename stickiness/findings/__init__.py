"""A report's findings in plain words, decided once: the summary, the command's printed lines and the chart titles.

:func:`report_findings` reads the tables a report computed (whatever is present)
and returns a :class:`Findings` value: per topic the numbers behind it (a small
frame) and one sentence, the next steps, and each chart's :class:`Headline`.
:func:`scorecard_findings` does the same for the scorecards (health, NPS, customer
fit, lifetime value). :func:`chart_headline` words every chart's title, the one
place where a title is decided: the charts (``stickiness_widgets``) only draw it.
Every verdict comes from the tables (``verdict``, ``sufficient``, ``complete``,
``partial_day``, ``status``, ``state``): nothing is re-derived here.

Stickiness, as the summary states it, is the **trailing 7-day mean of daily
DAU / MAU** on the last complete day: the share of the month's users active on a
typical day of the last week. It is the figure the active-users chart's line ends
at; one day's DAU / MAU and the monthly mean are named apart where they appear.

The package: :mod:`~stickiness.findings._model` (the values and the words they
share), :mod:`~stickiness.findings.report` (the report's summary),
:mod:`~stickiness.findings.headlines` (the titles, and the dispatch by chart name),
:mod:`~stickiness.findings.adoption`, :mod:`~stickiness.findings.cohorts` and
:mod:`~stickiness.findings.scorecards` (those charts' titles, and the scorecards' summary).

>>> import datetime as dt, polars as pl
>>> days = [dt.date(2024, 1, d) for d in range(1, 8)]
>>> daily = pl.DataFrame({"day": days, "dau": [2] * 7, "wau": [4] * 7, "mau": [4] * 7,
...     "stickiness": [0.5] * 6 + [0.25], "complete": [True] * 7})
>>> report_findings({"active_users": daily}).topic("stickiness").numbers["week_mean"][0]  # (6 x 0.5 + 0.25) / 7
0.4642857142857143
"""

from __future__ import annotations

from stickiness.findings._model import (
    CHANGE_DAYS,
    MOST_NAMED,
    WEEK,
    Finding,
    FindingOptions,
    Findings,
    Headline,
)
from stickiness.findings._model import percent as percent  # importable here as before the package
from stickiness.findings._model import period_name as period_name
from stickiness.findings._model import segment_of as segment_of
from stickiness.findings.headlines import CHART_NAMES, chart_headline
from stickiness.findings.report import report_findings
from stickiness.findings.scorecards import scorecard_findings

__all__ = [
    "CHANGE_DAYS",
    "CHART_NAMES",
    "MOST_NAMED",
    "WEEK",
    "Finding",
    "FindingOptions",
    "Findings",
    "Headline",
    "chart_headline",
    "report_findings",
    "scorecard_findings",
]
