"""Segment, use-case and event names are data, never syntax: every chart draws them and shows them verbatim.

A persona such as ``O'Brien team`` or ``the "pro" plan``, a use case called ``</script>``, a 500-character
name or a segment column called ``the "plan".tier [0]`` must draw in every chart (Vega-Lite reads field names
as paths and pastes titles into expressions), keep its exact text in the chart's data, its legend, its
tooltips and screen-reader labels, and travel through the offline HTML export without closing its script.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("altair", reason="the charts need the jupyter extra: pip install 'stickiness[jupyter]'")
pytest.importorskip("vl_convert", reason="the charts need the jupyter extra: pip install 'stickiness[jupyter]'")
pytest.importorskip("scipy", reason="the prediction chart needs the models extra: pip install 'stickiness[models]'")

import polars as pl
import stickiness_widgets as sw
import vl_convert
from hypothesis import given, settings
from hypothesis import strategies as st
from stickiness_widgets.export import chart_spec, vega_scripts
from stickiness_widgets.render import convert, mimebundle, vegalite_v5

import stickiness
from stickiness.demo import demo_catalog, demo_events, demo_use_case_profiles, demo_users
from stickiness.models import predict_forgettable
from stickiness.scorecards import fit_matrix, health_score, health_summary, lifetime_value, lifetime_value_summary, nps
from stickiness.scorecards.demo import demo_accounts, demo_payments, demo_responses
from tests.widgets.test_charts import NEWEST_V6, OLDEST_V5

#: Every public chart function (save_chart writes files): a new one cannot skip these tests.
CHARTS = sorted(
    name
    for name in sw.__all__
    if name.endswith("_chart") and getattr(sw, name).__module__.startswith("stickiness_widgets.charts.")
)

#: The segment column's name: a Vega-Lite path (dots, brackets), quotes, a backslash.
BY = 'the "plan".tier [0] \\ O\'B'
LONG = "L" + "o" * 498 + "!"  # 500 characters
#: The demo's personas renamed: quotes, path syntax, a backslash, emoji, markup, a closing script tag, 500 characters.
PERSONAS = {
    "agent": "O'Brien team",
    "home_buyer": 'the "pro" plan',
    "homeowner": "plan.tier[0] \\ back\\",
    "renter": "🚀 émoji 🧑‍💻 <b>x</b> </script><!-- & -->",
}
#: The demo's use cases renamed.
USE_CASES = {
    "manage_listings": "'single' quoted",
    "browse_homes": 'say "hi".now',
    "home_value": "value[of] a.home",
    "find_rental": "\\back\\slash",
    "buy_home": "</script><script>alert(1)</script>",
}
#: Some of the demo's events renamed (the adoption chart without a catalog draws events).
EVENTS = {"search_run": "search.run[1] 'it\"s' \\", "listing_viewed": LONG}
NAMES = (*PERSONAS.values(), *USE_CASES.values(), *EVENTS.values())
#: An internal field name (``~`` and hex) must never reach a title, a legend or a screen-reader label.
INTERNAL = re.compile(r"~[0-9a-f]{6,}")
WEIGHTS = {"frequency": 0.35, "recency": 0.25, "breadth": 0.25, "support_tickets": 0.15}
USERS = 300  # a small demo: enough users per segment for every chart, fast to render


def _renamed(frame: pl.DataFrame, column: str, names: Mapping[str, str]) -> pl.DataFrame:
    return frame.with_columns(pl.col(column).replace(dict(names)))


@pytest.fixture(scope="module")
def frames() -> dict[str, Any]:
    return _frames()


@functools.cache
def _frames() -> dict[str, Any]:
    """The metric outputs of a demo log whose segment column, personas, use cases and events have hostile names."""
    users = _renamed(demo_users(users=USERS), "persona", PERSONAS).rename({"persona": BY})
    events = _renamed(demo_events(users=USERS), "event", EVENTS)
    catalog_rules = _renamed(_renamed(demo_catalog(), "event", EVENTS), "use_case", USE_CASES)
    profiles = _renamed(_renamed(demo_use_case_profiles(), "persona", PERSONAS), "use_case", USE_CASES)
    log = stickiness.read_log(events, users=users)
    catalog = stickiness.read_catalog(catalog_rules, profiles=profiles)
    accounts = demo_accounts()
    scores = health_score(log, catalog, accounts=accounts, extra={"support_tickets": "lower"}, weights=WEIGHTS, by=BY)
    values = lifetime_value(demo_payments(), time="paid_on", by=BY, users=log)
    return {
        "active_users": stickiness.active_users(log, by=BY),
        "monthly": stickiness.monthly_active_users(log, by=BY),
        "spectrum": stickiness.frequency_spectrum(log, catalog, by=BY),
        "map": stickiness.use_case_map(log, catalog, by=BY, min_users=1),
        "retention": stickiness.retention(log, by=BY),
        "cohorts": stickiness.cohort_matrix(log, by=BY),
        "lifecycle": stickiness.lifecycle(log, by=BY),
        "power_users": stickiness.power_users(log, by=BY),
        "power_by_use_case": stickiness.power_users_by_use_case(log, catalog, by=BY),
        "growth": stickiness.growth_states(log, by=BY),
        "habit_mix": stickiness.habit_mix(log, catalog, by=BY, window=30, min_exposure=7),
        "band_migration": stickiness.band_migration(log, catalog, by=BY),
        "adoption": stickiness.feature_adoption(log, by=None),  # events as use cases
        "leave": stickiness.where_users_leave(log, catalog, by=BY),
        "prediction": predict_forgettable(log, catalog, by=BY).summary,
        "health": health_summary(scores),
        "nps": nps(demo_responses(), by=BY, users=log, period="month", time="submitted_at", min_responses=5),
        "fit": fit_matrix(accounts, usage=log),
        "value_summary": lifetime_value_summary(values, by=BY),
    }


#: How each chart function is called on the frames, told the segment column ``by`` where it takes one.
BUILDERS: dict[str, Callable[[dict[str, Any], str], Any]] = {
    "active_users_chart": lambda f, by: sw.active_users_chart(f["active_users"], by=by),
    "adoption_chart": lambda f, by: sw.adoption_chart(f["adoption"]),
    "cohort_chart": lambda f, by: sw.cohort_chart(f["cohorts"], by=by),
    "fit_matrix_chart": lambda f, by: sw.fit_matrix_chart(f["fit"]),
    "forgettable_zone_chart": lambda f, by: sw.forgettable_zone_chart(f["map"]),
    "growth_states_chart": lambda f, by: sw.growth_states_chart(f["growth"], by=by),
    "habit_mix_chart": lambda f, by: sw.habit_mix_chart(f["habit_mix"], by=by),
    "band_migration_chart": lambda f, by: sw.band_migration_chart(f["band_migration"], by=by),
    "health_chart": lambda f, by: sw.health_chart(f["health"]),
    "leave_points_chart": lambda f, by: sw.leave_points_chart(f["leave"]),
    "lifecycle_chart": lambda f, by: sw.lifecycle_chart(f["lifecycle"], by=by),
    "lifetime_value_chart": lambda f, by: sw.lifetime_value_chart(f["value_summary"], by=by),
    "monthly_active_users_chart": lambda f, by: sw.monthly_active_users_chart(f["monthly"], by=by),
    "nps_chart": lambda f, by: sw.nps_chart(f["nps"], by=by),
    "power_user_chart": lambda f, by: sw.power_user_chart(f["power_users"], by=by),
    "power_users_by_use_case_chart": lambda f, by: sw.power_users_by_use_case_chart(f["power_by_use_case"], by=by),
    "predictions_chart": lambda f, by: sw.predictions_chart(f["prediction"]),
    "retention_chart": lambda f, by: sw.retention_chart(f["retention"], by=by),
    "retention_curve_chart": lambda f, by: sw.retention_curve_chart(f["cohorts"], by=by),
    "spectrum_chart": lambda f, by: sw.spectrum_chart(f["spectrum"]),
    "use_case_map_chart": lambda f, by: sw.use_case_map_chart(f["map"]),
}

#: The names each chart draws as text (axis labels, legends, headers, titles); a long one may be cut off with "…".
SHOWN: dict[str, tuple[str, ...]] = {
    "active_users_chart": tuple(PERSONAS.values()),
    "adoption_chart": tuple(EVENTS.values()),
    "cohort_chart": tuple(PERSONAS.values()),
    "fit_matrix_chart": (),  # accounts, not segments
    "forgettable_zone_chart": tuple(PERSONAS.values()),
    "growth_states_chart": tuple(PERSONAS.values()),
    "habit_mix_chart": tuple(PERSONAS.values()),
    "band_migration_chart": tuple(PERSONAS.values()),
    "health_chart": tuple(PERSONAS.values()),
    "leave_points_chart": tuple(PERSONAS.values()),
    "lifecycle_chart": tuple(PERSONAS.values()),
    "lifetime_value_chart": tuple(PERSONAS.values()),
    "monthly_active_users_chart": tuple(PERSONAS.values()),
    "nps_chart": tuple(PERSONAS.values()),
    "power_user_chart": tuple(PERSONAS.values()),
    "power_users_by_use_case_chart": tuple(USE_CASES.values()),  # every persona pooled
    "predictions_chart": tuple(PERSONAS.values()),
    "retention_chart": tuple(PERSONAS.values()),
    "retention_curve_chart": tuple(PERSONAS.values()),
    "spectrum_chart": (*PERSONAS.values(), *USE_CASES.values()),
    "use_case_map_chart": (*PERSONAS.values(), *USE_CASES.values()),
}
#: The charts whose legend is titled with the segment column's name.
LEGEND_TITLED = {"active_users_chart", "monthly_active_users_chart", "retention_curve_chart"}


@pytest.fixture(scope="module")
def specs(frames: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: BUILDERS[name](frames, BY).to_dict() for name in CHARTS}


# --------------------------------------------------------------------------- #
# Reading a spec and its drawing                                              #
# --------------------------------------------------------------------------- #


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, Mapping):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _data_strings(spec: Mapping[str, Any]) -> set[str]:
    """Every text value in the spec's inline data (named datasets and inline ``values``)."""
    rows: list[Any] = [row for values in spec.get("datasets", {}).values() for row in values]
    rows += [row for node in _walk(spec) if isinstance(node, Mapping) for row in node.get("values", []) or []]
    return {value for row in rows if isinstance(row, Mapping) for value in row.values() if isinstance(value, str)}


def _legend_titles(spec: Mapping[str, Any]) -> list[Any]:
    legends = [node.get("legend") for node in _walk(spec) if isinstance(node, Mapping)]
    return [legend.get("title") for legend in legends if isinstance(legend, Mapping)]


def _drawn_text(svg: str) -> str:
    """The SVG's text and its screen-reader labels (Vega writes each mark's description, built like its tooltip)."""
    root = ET.fromstring(svg)  # XML entities decoded: the text as a reader sees it
    labels = [node.get("aria-label", "") for node in root.iter()]
    return "\n".join([*(text for text in root.itertext() if text.strip()), *labels])


def _shows(text: str, name: str) -> bool:
    """``name`` is drawn, whole or cut off by a label limit (at least its first 8 characters, then "…")."""
    return name in text or any(name.startswith(cut[:-1]) for cut in re.findall(r"[^\n]{8,}?…", text) if cut)


def _svg(spec: Mapping[str, Any], version: str) -> str:
    """The chart drawn as the exports and the Jupyter renderer draw it."""
    return str(convert(vl_convert.vegalite_to_svg, spec, vl_version=version))


@pytest.fixture(scope="module")
def drawn(specs: dict[str, dict[str, Any]]) -> Callable[[str, str], str]:
    """The drawn text of a chart in a Vega-Lite version, drawn once (about 0.1-0.5 s a chart)."""
    cache: dict[tuple[str, str], str] = {}

    def text(name: str, version: str) -> str:
        if (name, version) not in cache:
            cache[name, version] = _drawn_text(_svg(specs[name], version))
        return cache[name, version]

    return text


# --------------------------------------------------------------------------- #
# The hand-picked names, on every chart                                      #
# --------------------------------------------------------------------------- #


def test_every_chart_is_drawn_here() -> None:
    assert set(BUILDERS) == set(CHARTS) == set(SHOWN), "add the new chart function to BUILDERS and SHOWN"


@pytest.mark.parametrize("version", [OLDEST_V5, "v5", NEWEST_V6])
@pytest.mark.parametrize("name", CHARTS)
def test_chart_draws_hostile_names(name: str, version: str, drawn: Callable[[str, str], str]) -> None:
    # JupyterLab 4 draws with its bundled Vega-Lite 5.6 (oldest here: 5.8); the SVG fallbacks use the newest 5
    text = drawn(name, vegalite_v5() if version == "v5" else version)
    assert len(text.splitlines()) > 10, "the chart is drawn (axes, labels, marks), not left empty"
    missing = [shown for shown in SHOWN[name] if not _shows(text, shown)]
    assert not missing, f"{name} does not show {missing}"
    assert not INTERNAL.search(text), f"an internal field name is shown: {INTERNAL.search(text)}"


@pytest.mark.parametrize("name", CHARTS)
def test_chart_data_carry_names_verbatim(name: str, specs: dict[str, dict[str, Any]]) -> None:
    strings = _data_strings(specs[name])
    missing = [shown for shown in SHOWN[name] if shown not in strings]
    assert not missing, f"the data of {name} lack {missing}"


@pytest.mark.parametrize("name", sorted(LEGEND_TITLED))
def test_segment_column_name_titles_the_legend(
    name: str, specs: dict[str, dict[str, Any]], drawn: Callable[[str, str], str]
) -> None:
    assert BY in _legend_titles(specs[name])
    assert BY in drawn(name, OLDEST_V5)


@pytest.mark.parametrize("name", ["active_users_chart", "cohort_chart", "lifecycle_chart", "retention_chart"])
def test_tooltips_show_names_verbatim(name: str, drawn: Callable[[str, str], str]) -> None:
    """A mark's screen-reader label is built like its tooltip ("title: value; ..."): both show the names as they are."""
    labels = drawn(name, OLDEST_V5)
    if name == "active_users_chart":  # one tooltip line per segment, titled with its name
        assert all(f"{persona}: " in labels for persona in PERSONAS.values())
    else:  # the segment column's name titles its value
        assert any(f"{BY}: {persona}" in labels for persona in PERSONAS.values())


# --------------------------------------------------------------------------- #
# Offline HTML                                                                #
# --------------------------------------------------------------------------- #


def _inlined_charts(page: str) -> Any:
    match = re.search(r"const charts = (.*?);\nconst options = ", page, flags=re.DOTALL)
    assert match, "the page inlines its charts"
    return json.loads(match.group(1))


def test_html_page_keeps_names_inside_their_script(specs: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    path = sw.charts_to_html({name: specs[name] for name in CHARTS}, tmp_path / "names.html", title=PERSONAS["renter"])
    page = path.read_text(encoding="utf-8")
    # the bundle and the charts: two scripts, each closed once; no text of the data opens a comment
    assert page.count("<script") == 2
    assert len(re.findall(r"</script", page, flags=re.IGNORECASE)) == 2
    assert "<!--" not in page
    assert _inlined_charts(page) == [[f"chart-{i}", chart_spec(specs[name])] for i, name in enumerate(CHARTS, 1)]
    assert f"<h1>{html.escape(PERSONAS['renter'])}</h1>" in page


def test_vega_scripts_of_the_report_keep_names_inside_their_script(specs: dict[str, dict[str, Any]]) -> None:
    """The offline report (stickiness_notebooks.html) draws its charts with these scripts."""
    charts = [("chart-1", specs["spectrum_chart"])]
    scripts = vega_scripts(charts)
    assert len(re.findall(r"</script", scripts, flags=re.IGNORECASE)) == 2
    assert "<!--" not in scripts
    assert _inlined_charts(scripts) == [list(chart) for chart in charts]


def test_report_page_escapes_names_in_figure_labels(specs: dict[str, dict[str, Any]]) -> None:
    pytest.importorskip("nbformat", reason="the report needs the notebooks extra")
    from stickiness_notebooks.html import VEGALITE, _chart_html

    figure = _chart_html("chart-1", {VEGALITE: specs["spectrum_chart"], "image/svg+xml": "<svg></svg>"})
    assert "</script" not in figure and "<b>" not in figure
    label = re.search(r'aria-label="([^"]*)"', figure)
    assert label and html.unescape(label.group(1)) == specs["spectrum_chart"]["title"]["text"]


def test_offline_report_keeps_names_as_text(specs: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    """The report page (nbconvert's HTML of the notebook): charts inlined intact, no name read as markup."""
    nbformat = pytest.importorskip("nbformat", reason="the report needs the notebooks extra")
    pytest.importorskip("nbconvert", reason="the report needs the notebooks extra")
    from stickiness_notebooks.html import report_html

    names = [specs["spectrum_chart"], specs["active_users_chart"]]
    outputs = [nbformat.v4.new_output("display_data", data=mimebundle(spec)[0]) for spec in names]
    outputs.append(nbformat.v4.new_output("stream", name="stdout", text="\n".join(NAMES)))
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("charts", outputs=outputs)])
    page = report_html(notebook, tmp_path / "report.html", title=PERSONAS["renter"]).read_text(encoding="utf-8")
    assert [spec for _, spec in _inlined_charts(page)] == [
        {key: value for key, value in spec.items() if key != "$schema"} for spec in names
    ]
    for markup in ("<b>x</b>", "</script><!--", "<script>alert(1)"):
        assert markup not in page, f"{markup!r} reached the page as markup"


def test_long_emoji_names_are_drawn_whole(tmp_path: Path) -> None:
    """Vega shortens a long label by trying prefixes; one ending inside an emoji broke vl-convert: now drawn whole."""
    name = "🧑‍💻🚀" * 30
    day = dt.date(2024, 1, 1)
    frame = pl.DataFrame(
        {
            BY: [name, "b"],
            "day": [day, day],
            "dau": [1, 2],
            "wau": [1, 2],
            "mau": [2, 4],
            "stickiness": [0.5, 0.5],
            "complete": [True, True],
        }
    )
    chart = sw.active_users_chart(frame, by=BY)
    assert name in _drawn_text(mimebundle(chart.to_dict())[0]["image/svg+xml"])
    for kind in ("svg", "png", "pdf"):
        assert sw.save_chart(chart, tmp_path / f"emoji.{kind}").stat().st_size > 0


def test_a_missing_segment_is_named_unknown() -> None:
    """A null segment (a users table with a blank) is drawn as the core names it, not a crash."""
    day = dt.date(2024, 1, 1)
    frame = pl.DataFrame(
        {
            BY: ["a", None],
            "day": [day, day],
            "dau": [1, 2],
            "wau": [1, 2],
            "mau": [2, 4],
            "stickiness": [0.5, 0.5],
            "complete": [True, True],
        }
    )
    spec = sw.active_users_chart(frame, by=BY).to_dict()
    assert stickiness.UNKNOWN_SEGMENT in _drawn_text(_svg(spec, vegalite_v5()))


# --------------------------------------------------------------------------- #
# Control characters and generated names                                     #
# --------------------------------------------------------------------------- #


def test_control_characters_are_drawn_as_control_pictures() -> None:
    """XML cannot hold most control characters (one in an SVG aborts vl-convert): they are drawn as pictures."""
    day = dt.date(2024, 1, 1)
    frame = pl.DataFrame(
        {
            "plan\x01": ["a\x00b", "c\x1bd"],
            "day": [day, day],
            "dau": [1, 2],
            "wau": [1, 2],
            "mau": [2, 4],
            "stickiness": [0.5, 0.5],
            "complete": [True, True],
        }
    )
    spec = sw.active_users_chart(frame, by="plan\x01").to_dict()
    assert {"a␀b", "c␛d"} <= _data_strings(spec)
    text = _drawn_text(_svg(spec, vegalite_v5()))
    assert "a␀b" in text and "c␛d" in text


#: Names with the characters that are syntax somewhere: quotes, path syntax, escapes, markup, emoji, long runs.
_FRAGMENTS = ["'", '"', ".", "[", "]", "\\", "<", ">", "&", "</script>", "<!--", "🚀", "${x}", "datum.x", " ", "\n"]
hostile_names = st.lists(
    st.one_of(
        st.sampled_from(_FRAGMENTS),
        st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=6),
        st.integers(min_value=100, max_value=500).map(lambda n: "x" * n),
    ),
    min_size=1,
    max_size=5,
).map("".join)


def _substituted(frame: pl.DataFrame, names: Mapping[str, str], column: tuple[str, str]) -> pl.DataFrame:
    """The frame with its text values renamed (``names``) and the segment column renamed, if it has it."""
    texts = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    frame = frame.with_columns(pl.col(texts).replace(dict(names)))
    return frame.rename({column[0]: column[1]}) if column[0] in frame.columns else frame


@settings(max_examples=25, deadline=None)
@given(
    drawn=st.lists(hostile_names, min_size=len(PERSONAS) + 1, max_size=len(PERSONAS) + 1, unique=True),
    chart=st.sampled_from([name for name in CHARTS if name != "fit_matrix_chart"]),
)
def test_generated_names_draw_verbatim(drawn: list[str], chart: str) -> None:
    """Generated names in place of the personas and of the segment column's name, on a chart drawn at random."""
    by, personas = drawn[0], dict(zip(PERSONAS.values(), drawn[1:], strict=True))
    renamed = {key: _substituted(frame, personas, (BY, by)) for key, frame in _frames().items()}
    spec = BUILDERS[chart](renamed, by).to_dict()
    text = _drawn_text(_svg(spec, OLDEST_V5))  # Vega-Lite 5.8: the strictest about titles
    shown = [personas[name] for name in SHOWN[chart] if name in personas]
    assert set(shown) <= _data_strings(spec), "the data carry the names verbatim"
    assert len(text.splitlines()) > 10, "the chart is drawn, not left empty"
    assert not INTERNAL.search(text), "no internal field name is shown"
    if chart in LEGEND_TITLED:
        assert by in _legend_titles(spec), "the legend is titled with the segment column's name"
    if chart in {"cohort_chart", "lifecycle_chart", "retention_chart"} and "\n" not in by:
        # a mark's screen-reader label is built like its tooltip: "<column name>: <segment>; ..."
        assert any(f"{by}: {name}" in text for name in shown), "the tooltip title is the column's name, verbatim"
