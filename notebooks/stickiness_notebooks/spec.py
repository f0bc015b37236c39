"""The reports as data: which tables and charts a report writes, from which metric, with which options.

Each :class:`Step` is one table of the report (``tables/TABLE.csv``): the
:mod:`stickiness` function that computes it, which report parameter feeds each of
its keywords, and the charts drawn from it (``charts/NAME.png`` and ``.svg``).
``stickiness report --no-notebook`` (:mod:`stickiness_notebooks.cli`) and the
quickstart template's export cell both iterate :data:`QUICKSTART`, so a metric
added to the report is one line here.

A report parameter is a name of the quickstart's parameters cell (``mau_window``,
``habit_window``, ...), which is also the command line's option (``--mau-window``),
plus ``by``, the users-table column the report settled on, and ``segment``, the
outputs' segment column named after it (:func:`stickiness.segment_column`), and ``unit``, what the log
counts (``log.unit``: ``"user"``, or ``"account"`` with ``account_col``), which words the charts.

>>> [step.table for step in QUICKSTART][:3]
['active_users', 'monthly_active_users', 'power_users']
>>> arguments(QUICKSTART[0].options, {"mau_window": 28, "by": "plan"})
{'window': 28, 'by': 'plan'}
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import FunctionType
from typing import Any, Literal

import polars as pl

import stickiness as st
from stickiness import Catalog, UsageLog

__all__ = ["QUICKSTART", "Chart", "Step", "arguments", "chart_names", "compute", "draw", "report_by", "report_outputs"]

#: The report parameters that name input files. A headless run's kernel works in the report folder, so its callers
#: make them absolute: ``stickiness report`` from the current folder, a notebook's report from the notebook's folder.
PATH_PARAMETERS: tuple[str, ...] = ("events", "users", "use_cases", "profiles", "accounts", "responses", "transactions")

#: How a step's metric takes the use-case catalog: not at all, as given (None: the whole product as one use
#: case), or only when there is one (no catalog: no table).
CatalogUse = Literal["none", "optional", "required"]


@dataclass(frozen=True)
class Chart:
    """One chart of a report, ``charts/NAME.png`` and ``.svg``: ``stickiness_widgets.DRAW(table, **options)``.

    ``options`` maps each keyword of the chart function to the report parameter that gives it.
    In a template the chart is the variable ``NAME_chart``.
    """

    name: str
    draw: str
    options: Mapping[str, str] = field(default_factory=dict)

    @property
    def variable(self) -> str:
        """The template's variable holding this chart."""
        return f"{self.name}_chart"


@dataclass(frozen=True)
class Step:
    """One table of a report, ``tables/TABLE.csv``: ``stickiness.METRIC(log[, catalog], **options)``.

    ``options`` maps each keyword of the metric to the report parameter that gives it;
    ``label`` is the progress line of ``stickiness report --no-notebook`` (None: too quick
    to announce); ``section`` the part of the report it belongs to. In a template the
    table is the variable ``TABLE``.
    """

    table: str
    metric: str
    options: Mapping[str, str]
    section: str
    label: str | None
    catalog: CatalogUse = "none"
    charts: tuple[Chart, ...] = ()


#: The use-case keywords every use-case table shares, and the report parameters giving them.
_HABITS = {"by": "by", "window": "habit_window", "horizon": "horizon", "min_exposure": "min_exposure"}
_ZONE = {"majority": "majority"}
#: ... and the keywords of the forgettable verdict, which the spectrum and the map both carry.
_VERDICT = {**_HABITS, "threshold": "threshold", **_ZONE, "min_users": "min_users"}

#: The charts that count people take their noun from ``unit``, the log's unit (``"user"``, or ``"account"`` for a log
#: of stickiness.by_account; docs/accounts.md): the report passes it from the log, never guessed from a table.
_UNIT = {"unit": "unit"}

#: The quickstart report: ``stickiness report`` (either path) and ``templates/quickstart.py``, in this order.
QUICKSTART: tuple[Step, ...] = (
    Step(
        "active_users",
        "active_users",
        {"window": "mau_window", "by": "by"},
        "active users",
        "active users",
        charts=(Chart("active_users", "active_users_chart", {"by": "by", **_UNIT}),),
    ),
    Step(
        "monthly_active_users",
        "monthly_active_users",
        {"by": "by"},
        "active users",
        "monthly active users",
        charts=(Chart("monthly_active_users", "monthly_active_users_chart", {"by": "by", **_UNIT}),),
    ),
    # the users active on exactly k of the MAU window's days: they sum to active_users' MAU on as_of
    Step(
        "power_users",
        "power_users",
        {"window": "mau_window", "by": "by"},
        "active users",
        "power users",
        charts=(Chart("power_users", "power_user_chart", {"by": "by", **_UNIT}),),
    ),
    Step(
        "frequency_spectrum",
        "frequency_spectrum",
        _VERDICT,
        "use cases",
        "frequency spectrum",
        "optional",
        (Chart("frequency_spectrum", "spectrum_chart", {**_ZONE, "min_users": "min_users", "by": "segment"}),),
    ),
    Step(
        "use_case_map",
        "use_case_map",
        _VERDICT,
        "use cases",
        "use-case map",
        "optional",
        (
            Chart("use_case_map", "use_case_map_chart", {"by": "segment", **_UNIT}),
            Chart("forgettable_zone", "forgettable_zone_chart", {**_ZONE, "by": "segment"}),
        ),
    ),
    Step(
        "drifting_users",
        "drifting_users",
        {**_HABITS, "threshold": "threshold"},
        "use cases",
        "drifting users",
        "optional",
    ),
    # per use case of the catalog (without one, the whole product is power_users)
    Step(
        "power_users_by_use_case",
        "power_users_by_use_case",
        {"window": "mau_window", "by": "by"},
        "use cases",
        "power users by use case",
        "required",
        # every segment together, one histogram per use case (sw.power_users_by_use_case_chart(segment=...): one)
        (Chart("power_users_by_use_case", "power_users_by_use_case_chart", {"by": "segment", **_UNIT}),),
    ),
    # with a catalog, written even when empty; without one, the whole product is one use case: nothing is unmapped
    Step("unmapped_events", "unmapped_events", {}, "use cases", None, "required"),
    # habits over time (docs/habits-over-time.md): the spectrum at each month end, moves between two days, time to
    # the weekly band; one pass over the log for the three
    Step(
        "habit_mix",
        "habit_mix",
        _HABITS,
        "use cases",
        "habit mix",
        "optional",
        (Chart("habit_mix", "habit_mix_chart", {"by": "segment", **_UNIT}),),
    ),
    Step(
        "band_migration",
        "band_migration",
        _HABITS,
        "use cases",
        "band migration",
        "optional",
        (Chart("band_migration", "band_migration_chart", {"by": "segment", **_UNIT}),),
    ),
    Step("time_to_habit", "time_to_habit", _HABITS, "use cases", "time to habit", "optional"),
    Step(
        "retention",
        "retention",
        {"by": "by", "period": "period", "min_users": "min_users"},
        "retention and lifecycle",
        "retention",
        charts=(Chart("retention", "retention_chart", {"period": "period", **_UNIT}),),
    ),
    Step(
        "lifecycle",
        "lifecycle",
        {"by": "by", "period": "period"},
        "retention and lifecycle",
        "lifecycle",
        charts=(Chart("lifecycle", "lifecycle_chart", {"period": "period", **_UNIT}),),
    ),
    # each user's daily state in Duolingo's growth model (docs/growth-states.md)
    Step(
        "growth_states",
        "growth_states",
        {"by": "by"},
        "retention and lifecycle",
        "growth states",
        charts=(Chart("growth_states", "growth_states_chart", {"by": "by", **_UNIT}),),
    ),
    # the same horizon as the use-case tables: one typical interval per user in one report
    Step(
        "inactive_users",
        "inactive_users",
        {"days": "inactive_days", "by": "by", "horizon": "horizon"},
        "retention and lifecycle",
        "inactive users",
    ),
)


def report_by(log: UsageLog, by: str | None) -> str | None:
    """Return the segment column a report breaks down by: ``by``, else ``"persona"`` when the users table has it.

    >>> from stickiness.demo import demo_events, demo_users
    >>> report_by(st.read_log(demo_events(users=20), users=demo_users(users=20)), None)
    'persona'
    """
    return by or ("persona" if "persona" in log.segment_columns else None)


def arguments(options: Mapping[str, str], values: Mapping[str, Any]) -> dict[str, Any]:
    """Return a step's or a chart's keywords, each set to its report parameter's value in ``values``.

    >>> arguments({"days": "inactive_days"}, {"inactive_days": 14, "horizon": 365})
    {'days': 14}
    """
    return {keyword: values[parameter] for keyword, parameter in options.items()}


def compute(step: Step, log: UsageLog, catalog: Catalog | None, values: Mapping[str, Any]) -> pl.DataFrame | None:
    """Compute one step's table, or None for a step that needs a catalog when there is none.

    >>> from stickiness.demo import demo_events
    >>> log = st.read_log(demo_events(users=30))
    >>> compute(QUICKSTART[0], log, None, {"mau_window": 30, "by": None}).columns[:3]
    ['day', 'dau', 'wau']
    >>> compute(QUICKSTART[7], log, None, {}) is None
    True
    """
    if step.catalog == "required" and catalog is None:
        return None
    inputs = (log,) if step.catalog == "none" else (log, catalog)
    table: pl.DataFrame = getattr(st, step.metric)(*inputs, **arguments(step.options, values))
    return table


def draw(chart: Chart, table: pl.DataFrame, values: Mapping[str, Any]) -> Any:
    """Draw one chart from its step's table (the Jupyter layer is imported here, only when a chart is drawn).

    >>> from stickiness.demo import demo_events
    >>> table = compute(QUICKSTART[1], st.read_log(demo_events(users=30)), None, {"by": None})
    >>> type(draw(QUICKSTART[1].charts[0], table, {"by": None})).__name__
    'LayerChart'
    """
    widgets = importlib.import_module("stickiness_widgets")
    values = {"unit": "user", **values}  # a report of a log as read counts users (no unit given: as before)
    return getattr(widgets, chart.draw)(table, **arguments(chart.options, values))


def chart_names(report: tuple[Step, ...]) -> list[str]:
    """Return the report's chart names, in order.

    >>> chart_names(QUICKSTART)[:2]
    ['active_users', 'monthly_active_users']
    """
    return [chart.name for step in report for chart in step.charts]


def _not_a_chart(value: Any) -> bool:
    """Tell a variable that holds no chart: unset, or a function of the same name (``from ... import *``)."""
    return value is None or isinstance(value, pl.DataFrame | FunctionType)


def report_outputs(report: tuple[Step, ...], values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Return a template's ``tables`` and ``charts`` for :func:`~stickiness_notebooks.export_report`, by the spec.

    ``values`` is the notebook's namespace (``globals()``): ``log``, ``catalog``, ``by`` and
    the parameters. A table already computed by a cell (a polars frame in the variable
    ``TABLE``) and a chart already drawn (``NAME_chart``) are taken as they are, edits
    included; the others are computed here, so a step added to the spec reaches every
    path. A step without its table (no catalog) writes neither the table nor its charts.

    >>> from stickiness.demo import demo_events
    >>> values = {"log": st.read_log(demo_events(users=30)), "catalog": None, "by": None, "mau_window": 30}
    >>> got = report_outputs(QUICKSTART[:1], values)  # no cell computed them: both come from the spec
    >>> list(got["tables"]), list(got["charts"])
    (['active_users'], ['active_users'])
    """
    tables: dict[str, pl.DataFrame | None] = {}
    charts: dict[str, Any] = {}
    values = {**values, "unit": values["log"].unit}  # what the log counts words the charts (docs/accounts.md)
    for step in report:
        table = values.get(step.table)
        if not isinstance(table, pl.DataFrame):
            table = compute(step, values["log"], values["catalog"], values)
        tables[step.table] = table
        if table is None:
            continue
        for chart in step.charts:
            drawn = values.get(chart.variable)
            charts[chart.name] = draw(chart, table, values) if _not_a_chart(drawn) else drawn
    return {"tables": tables, "charts": charts}
