"""The power-user chart (stickiness_widgets.power_user_chart): spec (snapshot), Vega-Lite 5 and 6, its title drawn."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("altair", reason="the charts need the jupyter extra: pip install 'stickiness[jupyter]'")
pytest.importorskip("vl_convert", reason="the charts need the jupyter extra: pip install 'stickiness[jupyter]'")

import polars as pl
import stickiness_widgets as sw
import vl_convert
from stickiness_widgets.render import vegalite_v5

import stickiness
from stickiness import ColumnNotFoundError
from stickiness.demo import demo_events, demo_users
from tests.widgets._drawn import drawn_text, numbers
from tests.widgets.test_charts import OLDEST_V5, VERSIONS, structure


def _curve(segment: str, users: dict[int, int], window: int = 7) -> pl.DataFrame:
    """A curve as power_users gives it: every k = 1 .. window, share = users / the segment's MAU."""
    counts = [users.get(k, 0) for k in range(1, window + 1)]
    shares = [count / sum(counts) for count in counts]
    return pl.DataFrame({"plan": segment, "active_days": range(1, window + 1), "users": counts, "share": shares})


# window 7, power users 5+ days. pro: 2 users on 1 day, 1 on 5, 1 on 7: 2 of 4 = 50.0%; free: 3 on 1 day, 1 on 6: 25.0%
HAND = pl.concat([_curve("pro", {1: 2, 5: 1, 7: 1}), _curve("free", {1: 3, 6: 1})])
HAND_TITLE = "50.0% of pro's MAU were active 5+ days of 7, 25.0% of free's"


@pytest.fixture(scope="module")
def specs() -> dict[str, dict[str, Any]]:
    log = stickiness.read_log(demo_events(users=300), users=demo_users(users=300))
    return {
        "hand": sw.power_user_chart(HAND).to_dict(),  # to_dict validates against altair's Vega-Lite 5 schema
        "demo_by_persona": sw.power_user_chart(stickiness.power_users(log, by="persona")).to_dict(),
        "demo_window_7": sw.power_user_chart(stickiness.power_users(log, window=7)).to_dict(),
    }


def test_the_title_is_the_cores_headline(specs: dict[str, dict[str, Any]]) -> None:
    assert specs["hand"]["title"]["text"] == HAND_TITLE
    assert specs["demo_window_7"]["title"]["text"].endswith("of MAU were active 5+ days of 7")


@pytest.mark.parametrize("name", ["hand", "demo_by_persona", "demo_window_7"])
def test_the_titles_numbers_are_drawn(name: str, specs: dict[str, dict[str, Any]]) -> None:
    spec = specs[name]
    drawn = numbers(drawn_text(spec, OLDEST_V5))  # the drawing without the title and subtitle
    stated = {number for number in numbers(spec["title"]["text"]) if number.endswith("%")}
    assert stated and stated <= drawn, (stated, drawn)


def test_one_histogram_per_segment_the_highest_share_first(specs: dict[str, dict[str, Any]]) -> None:
    blocks = specs["hand"]["vconcat"]
    assert [block["title"]["text"] for block in blocks] == ["pro", "free"]
    svg = vl_convert.vegalite_to_svg(specs["hand"], vl_version=OLDEST_V5)
    assert "50.0% of MAU active 5+ days" in svg and "25.0% of MAU active 5+ days" in svg
    assert "title" not in specs["demo_window_7"]["vconcat"][0]  # one curve, no segment to name


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", ["hand", "demo_by_persona"])
def test_compiles_without_warnings(
    name: str, version: str, specs: dict[str, dict[str, Any]], capfd: pytest.CaptureFixture[str]
) -> None:
    vega = vl_convert.vegalite_to_vega(specs[name], vl_version=version, show_warnings=True)
    assert vega["marks"]
    assert "WARN" not in capfd.readouterr().err


def test_renders_with_the_offline_vega_lite_5(specs: dict[str, dict[str, Any]]) -> None:
    assert vegalite_v5().startswith("5.")
    assert "<svg" in vl_convert.vegalite_to_svg(specs["demo_by_persona"], vl_version=vegalite_v5())


def test_spec_structure(specs: dict[str, dict[str, Any]], snapshot: Any) -> None:
    assert structure(specs["hand"]) == snapshot


def test_an_empty_curve_says_so_and_a_wrong_frame_is_a_clear_error() -> None:
    title = sw.power_user_chart(HAND.clear()).to_dict()["title"]["text"]
    assert "Power users" in title
    with pytest.raises(ColumnNotFoundError, match=r"stickiness\.power_users"):
        sw.power_user_chart(HAND.drop("share"))
