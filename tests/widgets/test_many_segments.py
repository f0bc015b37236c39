"""Charts of 21 segments (more than the palette's 8 colours): one colour means one thing, subtitles stay short."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("altair", reason="the charts need the jupyter extra: pip install 'stickiness[jupyter]'")

import polars as pl
import stickiness_widgets as sw
from stickiness_widgets.export import chart_spec
from stickiness_widgets.theme import OKABE_ITO, OTHER_SEGMENTS

import stickiness as st
from stickiness.demo import demo_catalog, demo_events, demo_users
from stickiness.scorecards import nps
from stickiness.scorecards.demo import demo_responses

SEGMENTS = [f"persona {i:02d}" for i in range(21)]
DAYS = [dt.date(2024, 3, 1) + dt.timedelta(days=d) for d in range(10)]
#: Hand-made ends: every persona at 30% but persona 03 (10%, the lowest) and persona 17 (90%, the highest);
#: MAU 10 but personas 10, 11 and 12 (100, 90, 80: the largest). Coloured: those five; grey: the other 16.
LOW, HIGH, LARGEST = "persona 03", "persona 17", {"persona 10": 100, "persona 11": 90, "persona 12": 80}
COLOURED = ["persona 03", "persona 10", "persona 11", "persona 12", "persona 17"]  # in name order
OTHER = "other personas (16)"  # 21 - 5


def _stickiness(name: str) -> float:
    return {LOW: 0.1, HIGH: 0.9}.get(name, 0.3)


def _daily() -> pl.DataFrame:
    rows = [
        {"persona": name, "day": day, "dau": 3, "wau": 5, "mau": LARGEST.get(name, 10)}
        for name in SEGMENTS
        for day in DAYS
    ]
    return pl.DataFrame(rows).with_columns(
        stickiness=pl.col("persona").map_elements(_stickiness, return_dtype=pl.Float64), complete=pl.lit(True)
    )


def _monthly() -> pl.DataFrame:
    months = [dt.date(2024, 1, 1), dt.date(2024, 2, 1)]
    rows = [
        {"persona": name, "month": month, "days": 31, "mean_dau": 3.0, "mau": LARGEST.get(name, 10)}
        for name in SEGMENTS
        for month in months
    ]
    return pl.DataFrame(rows).with_columns(
        stickiness=pl.col("persona").map_elements(_stickiness, return_dtype=pl.Float64), complete=pl.lit(True)
    )


def _scales(spec: Any) -> Iterator[dict[str, Any]]:
    """Every colour scale of a spec (a scale whose range is a list of "#rrggbb" colours), at any depth."""
    if isinstance(spec, dict):
        scale = spec.get("scale")
        colours = scale.get("range") if isinstance(scale, dict) and "domain" in scale else None
        if isinstance(colours, list) and all(isinstance(c, str) and c.startswith("#") for c in colours):
            yield scale
        for value in spec.values():
            yield from _scales(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from _scales(value)


def _meanings(spec: dict[str, Any]) -> dict[str, set[str]]:
    """Each colour of the figure's scales and the domain values it is drawn for.

    Vega pairs them by position and cycles the range when the domain is longer (the 9th of 21 segments got
    the 1st colour again).
    """
    meanings: dict[str, set[str]] = {}
    for scale in _scales(spec):
        colours = scale["range"]
        for i, value in enumerate(scale["domain"]):
            meanings.setdefault(colours[i % len(colours)].lower(), set()).add(str(value))
    return meanings


@pytest.mark.parametrize(
    ("draw", "frame"), [(sw.active_users_chart, _daily), (sw.monthly_active_users_chart, _monthly)]
)
def test_21_segments_get_five_colours_and_one_named_grey(draw: Any, frame: Any) -> None:
    spec = chart_spec(draw(frame()))
    segment_scales = [s for s in _scales(spec) if OTHER in s["domain"]]
    assert segment_scales, "no scale names the grey group"
    for scale in segment_scales:
        assert scale["domain"] == [*COLOURED, OTHER]
        assert scale["range"] == [*OKABE_ITO[:5], OTHER_SEGMENTS]
    meanings = _meanings(spec)
    assert {colour: names for colour, names in meanings.items() if len(names) > 1} == {}
    # the title names the lowest and the highest, which are coloured
    assert LOW in spec["title"]["text"] and HIGH in spec["title"]["text"]
    # every segment is still drawn and in the tooltips: the data keep all 21
    values = max(spec["datasets"].values(), key=len)  # the rows drawn (the others: the colours' lookup)
    assert {row["persona"] for row in values} == set(SEGMENTS)
    assert len(values) == len(frame())


def test_the_grey_group_is_named_in_the_drawn_legend() -> None:
    vl_convert = pytest.importorskip("vl_convert")
    svg = vl_convert.vegalite_to_svg(chart_spec(sw.active_users_chart(_daily())))
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert labels.count(OTHER) == 1
    # a coloured persona: its legend entry and its small multiple's heading; a grey one: neither
    assert labels.count("persona 10") == 2 and "persona 05" not in labels
    assert "Active users: DAU, WAU, MAU of the 5 personas coloured above (the other 16: in the table)" in labels


def test_up_to_8_segments_keep_one_colour_each() -> None:
    eight = _daily().filter(pl.col("persona").is_in(SEGMENTS[:8]))
    (scale,) = [s for s in _scales(chart_spec(sw.active_users_chart(eight))) if SEGMENTS[0] in s["domain"]]
    assert scale["domain"] == SEGMENTS[:8] and scale["range"] == list(OKABE_ITO)


@pytest.fixture(scope="module")
def log21() -> st.EventLog:
    users = demo_users(users=420, seed=3)
    personas = users.with_row_index("i").with_columns(
        persona=pl.format("persona {}", (pl.col("i") % 21).cast(pl.String).str.zfill(2))
    )
    return st.read_log(demo_events(users=420, seed=3), users=personas.drop("i"))


def test_every_report_chart_of_21_personas_gives_each_colour_one_meaning(log21: st.EventLog) -> None:
    catalog = demo_catalog()
    usecase_map = st.use_case_map(log21, catalog, by="persona", min_users=3)
    charts = {
        "active_users": sw.active_users_chart(st.active_users(log21, by="persona")),
        "monthly": sw.monthly_active_users_chart(st.monthly_active_users(log21, by="persona")),
        "spectrum": sw.spectrum_chart(st.frequency_spectrum(log21, catalog, by="persona", min_users=3)),
        "use_case_map": sw.use_case_map_chart(usecase_map),
        "forgettable_zone": sw.forgettable_zone_chart(usecase_map),
        "retention": sw.retention_chart(st.retention(log21, by="persona")),
        "lifecycle": sw.lifecycle_chart(st.lifecycle(log21, by="persona")),
        # not a report chart, but one line per segment too (the retention template)
        "retention_curve": sw.retention_curve_chart(st.cohort_matrix(log21, by="persona")),
        # small multiples per segment, labelled: one colour for all beyond the palette's 8
        "nps_by_month": sw.nps_chart(
            nps(demo_responses(), by="persona", users=log21, period="month", time="submitted_at")
        ),
    }
    for name, chart in charts.items():
        spec = chart_spec(chart, validate=True)
        twice = {c: v for c, v in _meanings(spec).items() if len(v) > 1}
        assert twice == {}, f"{name}: a colour stands for several things: {twice}"
        if name in {"active_users", "monthly", "retention_curve"}:  # the charts coloured per segment
            grouped = [s for s in _scales(spec) if OTHER in s["domain"]]  # the colour and fill channels
            assert grouped and all(len(s["domain"]) == 6 and s["range"][-1] == OTHER_SEGMENTS for s in grouped)


def _map21() -> tuple[pl.DataFrame, int]:
    """A use-case map of 21 personas x 4 use cases: every use case but (any) in the zone (21 x 3 = 63 segments).

    Persona i has 100 + i evaluable adopters in every cell: the largest are persona 20's three
    segments, then persona 19's (use cases in name order).
    """
    demo = st.use_case_map(st.read_log(demo_events(users=200), users=demo_users(users=200)), demo_catalog())
    agent = demo.filter(pl.col("persona") == "agent")
    assert sorted(agent.get_column("use_case")) == ["(any)", "browse_homes", "home_value", "manage_listings"]
    zone = pl.col("use_case") != "(any)"
    rows = pl.concat(
        agent.with_columns(
            persona=pl.lit(name),
            evaluable=pl.lit(100 + i, dtype=agent.schema["evaluable"]),
            forgettable=pl.when(zone).then(pl.lit("true")).otherwise(pl.lit("false")),
            verdict=pl.when(zone).then(pl.lit("forgettable")).otherwise(pl.lit("not forgettable")),
        )
        for i, name in enumerate(SEGMENTS)
    )
    return rows, 63


def test_the_map_subtitle_names_five_segments_and_counts_the_rest() -> None:
    frame, flagged = _map21()
    subtitle = chart_spec(sw.use_case_map_chart(frame))["title"]["subtitle"]
    assert len(subtitle) <= 6, subtitle  # wrapped at 110 characters; all 63 names took 25 lines
    text = " ".join(subtitle)
    assert f"forgettable zone, {flagged} segments" in text
    assert f"and {flagged - 5} more in the use-case map's table" in text  # 63 - 5 = 58
    largest = "persona 20 × browse_homes, persona 20 × home_value, persona 20 × manage_listings, "
    assert largest + "persona 19 × browse_homes, persona 19 × home_value;" in text
    assert "persona 00" not in text


def test_a_map_with_up_to_five_forgettable_segments_names_them_all() -> None:
    frame, _ = _map21()
    five = frame.filter(pl.col("persona").is_in(SEGMENTS[:2]))  # 2 x 3 = 6 flagged: one too many
    assert "and 1 more" in " ".join(chart_spec(sw.use_case_map_chart(five))["title"]["subtitle"])
    four = frame.filter(pl.col("persona").is_in(SEGMENTS[:2]) & (pl.col("use_case") != "manage_listings"))
    text = " ".join(chart_spec(sw.use_case_map_chart(four))["title"]["subtitle"])
    assert "more" not in text and text.count(" × ") == 4


def test_names_stay_data_with_many_segments() -> None:
    """A segment column named plan.tier (a path to Vega-Lite) and a segment named as the grey group."""
    vl_convert = pytest.importorskip("vl_convert")
    # persona 00 renamed to the name the grey group would take: the group is then named apart
    clash = "other plan.tiers (16)"
    frame = _daily().with_columns(pl.col("persona").replace("persona 00", clash)).rename({"persona": "plan.tier"})
    spec = chart_spec(sw.active_users_chart(frame, by="plan.tier"))
    (scale, *_) = [s for s in _scales(spec) if len(s["domain"]) == 6]
    assert scale["domain"] == [*COLOURED, clash + ", in grey"]
    svg = vl_convert.vegalite_to_svg(spec)
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert clash + ", in grey" in labels and "persona 10" in labels  # the legend: the grey group, a coloured persona


def _matrix21() -> pl.DataFrame:
    """A cohort matrix of 21 personas: one January cohort each, month 1 observed; sizes and shares as _daily's."""
    rows = [
        (
            name,
            JAN,
            offset,
            JAN if offset == 0 else FEB,
            size,
            size if offset == 0 else round(size * share),
            share,
            True,
        )
        for name in SEGMENTS
        for size, share1 in [(LARGEST.get(name, 10), _stickiness(name))]
        for offset, share in ((0, 1.0), (1, share1))
    ]
    columns = ["persona", "cohort", "offset", "period", "cohort_users", "users", "share", "complete"]
    return pl.DataFrame(rows, schema=columns, orient="row")


JAN, FEB = dt.date(2024, 1, 1), dt.date(2024, 2, 1)
#: chart function, frame, the chart's name for chart_headline, the module that calls it
_PER_SEGMENT = [
    (sw.active_users_chart, _daily, "active_users", "active_users"),
    (sw.monthly_active_users_chart, _monthly, "monthly_active_users", "monthly"),
    (sw.retention_curve_chart, _matrix21, "retention_curve", "cohorts"),
]


def _coloured(spec: dict[str, Any]) -> list[str]:
    (scale, *_) = [s for s in _scales(spec) if s["range"][-1:] == [OTHER_SEGMENTS]]
    return scale["domain"][:-1]


@pytest.mark.parametrize(("draw", "frame", "chart", "module"), _PER_SEGMENT)
def test_the_coloured_segments_are_the_headlines_then_the_largest(
    draw: Any, frame: Any, chart: str, module: str
) -> None:
    table = frame()
    headline = st.chart_headline(chart, table, by="persona")
    # the title names persona 03 (10%) and persona 17 (90%); then the 3 largest: personas 10, 11, 12
    assert headline.segments == (LOW, HIGH)
    coloured = _coloured(chart_spec(draw(table)))
    assert set(headline.segments) <= set(coloured)
    assert coloured == COLOURED


@pytest.mark.parametrize(("draw", "frame", "chart", "module"), _PER_SEGMENT)
def test_the_colours_are_read_from_the_headline_not_re_derived(
    draw: Any, frame: Any, chart: str, module: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever segments the core's Headline names are coloured, in its order, before the largest."""
    charts = __import__(f"stickiness_widgets.charts.{module}", fromlist=["chart_headline"])
    named = ("persona 05", "persona 00", "persona 20")  # neither an end nor among the largest

    def headline(*args: Any, **kwargs: Any) -> st.findings.Headline:
        return st.findings.Headline("A title", segments=named)

    monkeypatch.setattr(charts, "chart_headline", headline)
    coloured = _coloured(chart_spec(draw(frame())))
    # the three named, then the 2 largest (personas 10 and 11), in name order
    assert coloured == ["persona 00", "persona 05", "persona 10", "persona 11", "persona 20"]
