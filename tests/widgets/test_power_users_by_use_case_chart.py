"""The power-user curve per use case (stickiness_widgets.power_users_by_use_case_chart): one segment or all pooled.

Hand-made curves with the arithmetic in comments; the title is the core's headline and its numbers are drawn;
Vega-Lite 5 and 6 render it; a segment the frame does not hold is a clear error.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("altair", reason="the charts need the jupyter extra: pip install 'stickiness[jupyter]'")
pytest.importorskip("vl_convert", reason="the charts need the jupyter extra: pip install 'stickiness[jupyter]'")

import polars as pl
import stickiness_widgets as sw
import vl_convert
from stickiness_widgets.charts import ChartDataError
from stickiness_widgets.render import vegalite_v5

import stickiness
from stickiness.demo import demo_catalog, demo_events, demo_users
from stickiness.findings.power_users import use_case_curves
from tests.widgets._drawn import drawn_text, numbers
from tests.widgets.test_charts import OLDEST_V5, VERSIONS


def _curve(plan: str, use_case: str, users: dict[int, int], window: int = 7) -> pl.DataFrame:
    """One (segment, use case) curve as power_users_by_use_case gives it: every k, share of its users."""
    counts = [users.get(k, 0) for k in range(1, window + 1)]
    return pl.DataFrame(
        {
            "plan": plan,
            "use_case": use_case,
            "active_days": range(1, window + 1),
            "users": counts,
            "share": [count / sum(counts) for count in counts],
        }
    )


# window 7, power users on 5+ days.
# search: pro 1 user on 1 day, 1 on 7; free 2 on 1 day, 1 on 5: pooled 3 + 0 ... of 5, power 2 of 5 = 40.0%
#         (pro alone: 1 of 2 = 50.0%; free alone: 1 of 3 = 33.3%)
# export: pro 1 on 2 days; free 1 on 6 days, 3 on 1: pooled power 1 of 5 = 20.0% (pro 0.0%, free 1 of 4 = 25.0%)
# (unmapped): pro 4 on 7 days: never drawn
HAND = pl.concat(
    [
        _curve("pro", "search", {1: 1, 7: 1}),
        _curve("free", "search", {1: 2, 5: 1}),
        _curve("pro", "export", {2: 1}),
        _curve("free", "export", {6: 1, 1: 3}),
        _curve("pro", "(unmapped)", {7: 4}),
    ]
)


def _blocks(spec: dict[str, Any]) -> list[str]:
    return [block["title"]["text"] for block in spec["vconcat"]]


def test_all_segments_pooled() -> None:
    spec = sw.power_users_by_use_case_chart(HAND).to_dict()
    assert spec["title"]["text"] == "40.0% of search's users were active 5+ days of 7, 20.0% of export's"
    assert _blocks(spec) == ["search", "export"]  # the highest share first; (unmapped) is not a use case
    pooled = use_case_curves(HAND)
    assert pooled.filter(pl.col("use_case") == "search")["users"].to_list() == [3, 0, 0, 0, 1, 0, 1]


def test_one_segment() -> None:
    pro = sw.power_users_by_use_case_chart(HAND, segment="pro").to_dict()
    assert pro["title"]["text"] == "pro: 50.0% of search's users were active 5+ days of 7, 0.0% of export's"
    free = sw.power_users_by_use_case_chart(HAND, segment="free").to_dict()
    assert free["title"]["text"] == "free: 33.3% of search's users were active 5+ days of 7, 25.0% of export's"
    assert _blocks(free) == ["search", "export"]


def test_a_segment_the_frame_lacks_is_a_clear_error() -> None:
    with pytest.raises(ChartDataError, match=r"segment='team'.*'plan'.*free, pro"):
        sw.power_users_by_use_case_chart(HAND, segment="team")


def test_an_empty_frame_says_so() -> None:
    spec = sw.power_users_by_use_case_chart(HAND.clear()).to_dict()
    assert spec["title"]["text"] == "Power users by use case: no data"


@pytest.fixture(scope="module")
def demo_spec() -> dict[str, Any]:
    log = stickiness.read_log(demo_events(users=300), users=demo_users(users=300))
    table = stickiness.power_users_by_use_case(log, stickiness.read_catalog(demo_catalog()))
    return sw.power_users_by_use_case_chart(table).to_dict()


@pytest.mark.parametrize("spec_name", ["hand", "demo"])
def test_the_titles_numbers_are_drawn(spec_name: str, demo_spec: dict[str, Any]) -> None:
    spec = sw.power_users_by_use_case_chart(HAND).to_dict() if spec_name == "hand" else demo_spec
    drawn = numbers(drawn_text(spec, OLDEST_V5))
    stated = {number for number in numbers(spec["title"]["text"]) if number.endswith("%")}
    assert stated and stated <= drawn, (stated, drawn)


@pytest.mark.parametrize("version", VERSIONS)
def test_compiles_without_warnings(version: str, demo_spec: dict[str, Any], capfd: pytest.CaptureFixture[str]) -> None:
    assert vl_convert.vegalite_to_vega(demo_spec, vl_version=version, show_warnings=True)["marks"]
    assert "WARN" not in capfd.readouterr().err


def test_renders_with_the_offline_vega_lite_5(demo_spec: dict[str, Any]) -> None:
    svg = vl_convert.vegalite_to_svg(demo_spec, vl_version=vegalite_v5())
    assert "<svg" in svg and "browse_homes" in svg
