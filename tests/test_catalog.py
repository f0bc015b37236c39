"""Tests of the use-case catalog (docs/use-cases.md, "The use-case catalog"): sources, shapes and errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from stickiness import StickinessError, UsageLog, read_log
from stickiness.catalog import Catalog, read_catalog
from stickiness.metrics.use_cases import use_case_map, use_case_rates

from .conftest import NOW, frame

PROFILE_COLUMNS = ["persona", "use_case", "problem", "why_us", "alternatives", "expected_frequency"]
FREQUENCIES = ("daily", "weekly", "monthly", "quarterly", "yearly")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def pairs(catalog: Catalog) -> set[tuple[str, str]]:
    return set(catalog.rules.select("event", "use_case").rows())


def small_log() -> UsageLog:
    """a (agent) and b (buyer) both browse and check a home value."""
    t = dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC)
    rows = [
        ("a", t, "search_run"),
        ("b", t, "listing_viewed"),
        ("a", t, "estimate_viewed"),
        ("b", t, "estimate_viewed"),
    ]
    users = pl.DataFrame({"user_id": ["a", "b"], "persona": ["agent", "buyer"]})
    return read_log(frame(rows), users=users, now=NOW)


def profile(catalog: object, persona: str, use_case: str) -> dict[str, object]:
    """The qualitative columns the use-case map shows for (persona, use_case) of the small log."""
    out = use_case_map(small_log(), catalog, min_exposure=1)
    rows = out.filter((pl.col("persona") == persona) & (pl.col("use_case") == use_case))
    assert rows.height == 1, (persona, use_case, out)
    row = rows.row(0, named=True)
    return {k: row[k] for k in ("problem", "why_us", "alternatives", "expected_frequency")}


def blank(value: object) -> bool:
    return value in (None, "")


MINIMAL = "event,use_case\nsearch_run,browse_homes\nlisting_*,browse_homes\nestimate_viewed,home_value\n"
MINIMAL_PAIRS = {("search_run", "browse_homes"), ("listing_*", "browse_homes"), ("estimate_viewed", "home_value")}


# --- CSV -----------------------------------------------------------------------------------------------------


def test_minimal_csv_has_two_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "use_cases.csv", MINIMAL)
    catalog = read_catalog(path)
    assert isinstance(catalog, Catalog)
    assert catalog.rules.columns == ["event", "use_case"]
    assert pairs(catalog) == MINIMAL_PAIRS
    assert catalog.profiles.columns == PROFILE_COLUMNS
    assert catalog.profiles.height == 0
    assert pairs(read_catalog(str(path))) == MINIMAL_PAIRS
    # the path is accepted by the metrics too: listing_viewed matches listing_*
    rates = use_case_rates(small_log(), path, min_exposure=1)
    assert set(rates.select("user", "use_case").rows()) == {
        ("a", "browse_homes"),
        ("a", "home_value"),
        ("a", "(any)"),
        ("b", "browse_homes"),
        ("b", "home_value"),
        ("b", "(any)"),
    }
    assert profile(path, "agent", "browse_homes") == dict.fromkeys(
        ("problem", "why_us", "alternatives", "expected_frequency")
    )


def test_csv_qualitative_columns_on_rule_rows_without_persona(tmp_path: Path) -> None:
    # no persona column: the profile holds for every persona
    path = write(
        tmp_path,
        "use_cases.csv",
        "event,use_case,problem,why_us,alternatives,expected_frequency\n"
        "search_run,browse_homes,Find a home,Every listing,Other portals,weekly\n"
        "listing_*,browse_homes,Find a home,Every listing,Other portals,weekly\n"
        "estimate_viewed,home_value,Know what my home is worth,Fresh estimates,,monthly\n",
    )
    catalog = read_catalog(path)
    assert pairs(catalog) == MINIMAL_PAIRS
    for persona in ("agent", "buyer"):
        assert profile(catalog, persona, "browse_homes") == {
            "problem": "Find a home",
            "why_us": "Every listing",
            "alternatives": "Other portals",
            "expected_frequency": "weekly",
        }
        value = profile(path, persona, "home_value")
        assert (value["problem"], value["expected_frequency"]) == ("Know what my home is worth", "monthly")
        assert blank(value["alternatives"])


def test_csv_qualitative_columns_on_rule_rows_with_persona(tmp_path: Path) -> None:
    # an empty persona means every persona; a named one only that persona
    path = write(
        tmp_path,
        "use_cases.csv",
        "event,use_case,persona,problem,why_us,alternatives,expected_frequency\n"
        "search_run,browse_homes,,Find a home,Every listing,Other portals,weekly\n"
        "listing_*,browse_homes,,Find a home,Every listing,Other portals,weekly\n"
        "estimate_viewed,home_value,agent,Price a listing,Fresh estimates,Appraisers,monthly\n",
    )
    catalog = read_catalog(path)
    assert pairs(catalog) == MINIMAL_PAIRS
    assert profile(catalog, "agent", "browse_homes")["expected_frequency"] == "weekly"
    assert profile(catalog, "buyer", "browse_homes")["problem"] == "Find a home"
    assert profile(catalog, "agent", "home_value") == {
        "problem": "Price a listing",
        "why_us": "Fresh estimates",
        "alternatives": "Appraisers",
        "expected_frequency": "monthly",
    }
    buyer_value = profile(catalog, "buyer", "home_value")  # the rule applies to every persona, the profile not
    assert all(blank(v) for v in buyer_value.values()), buyer_value


def test_csv_persona_row_overrides_the_every_persona_row(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "use_cases.csv",
        "event,use_case,persona,problem,why_us,alternatives,expected_frequency\n"
        "search_run,browse_homes,,Find a home,Every listing,Other portals,weekly\n"
        "listing_*,browse_homes,agent,Find comps for clients,Same search as buyers,Agency database,daily\n"
        "estimate_viewed,home_value,,,,,\n",
    )
    catalog = read_catalog(path)
    assert pairs(catalog) == MINIMAL_PAIRS
    assert profile(catalog, "agent", "browse_homes")["expected_frequency"] == "daily"
    assert profile(catalog, "agent", "browse_homes")["problem"] == "Find comps for clients"
    assert profile(catalog, "buyer", "browse_homes")["expected_frequency"] == "weekly"
    assert all(blank(v) for v in profile(catalog, "buyer", "home_value").values())


# --- YAML and dict -------------------------------------------------------------------------------------------

YAML = """\
use_cases:
  browse_homes:
    events: [search_run, "listing_*"]
    expected_frequency: weekly        # default for every persona
    personas:
      buyer: {problem: "Find a home", why_us: "Every listing", alternatives: "Other portals", expected_frequency: daily}
  home_value:
    events: [estimate_viewed]
"""
AS_DICT = {
    "use_cases": {
        "browse_homes": {
            "events": ["search_run", "listing_*"],
            "expected_frequency": "weekly",
            "personas": {
                "buyer": {
                    "problem": "Find a home",
                    "why_us": "Every listing",
                    "alternatives": "Other portals",
                    "expected_frequency": "daily",
                }
            },
        },
        "home_value": {"events": ["estimate_viewed"]},
    }
}


def _check_yaml_shape(catalog: object) -> None:
    assert profile(catalog, "buyer", "browse_homes") == {
        "problem": "Find a home",
        "why_us": "Every listing",
        "alternatives": "Other portals",
        "expected_frequency": "daily",
    }
    agent = profile(catalog, "agent", "browse_homes")  # the use case's default
    assert agent["expected_frequency"] == "weekly"
    assert blank(agent["problem"])
    assert all(blank(v) for v in profile(catalog, "agent", "home_value").values())


def test_yaml(tmp_path: Path) -> None:
    pytest.importorskip("yaml", reason="YAML catalogs need pyyaml: pip install pyyaml")
    path = write(tmp_path, "use_cases.yaml", YAML)
    catalog = read_catalog(path)
    assert pairs(catalog) == MINIMAL_PAIRS
    _check_yaml_shape(catalog)
    _check_yaml_shape(path)


def test_dict_of_the_yaml_shape() -> None:
    catalog = read_catalog(AS_DICT)
    assert isinstance(catalog, Catalog)
    assert pairs(catalog) == MINIMAL_PAIRS
    buyer = catalog.profiles.filter((pl.col("persona") == "buyer") & (pl.col("use_case") == "browse_homes"))
    assert buyer.select(PROFILE_COLUMNS).rows() == [
        ("buyer", "browse_homes", "Find a home", "Every listing", "Other portals", "daily")
    ]
    _check_yaml_shape(catalog)
    _check_yaml_shape(AS_DICT)  # the metrics take the dict directly


# --- frames --------------------------------------------------------------------------------------------------


def test_frame_with_two_columns() -> None:
    rules = pl.DataFrame({"event": ["search_run", "listing_*", "estimate_viewed"], "use_case": ["b", "b", "v"]})
    catalog = read_catalog(rules)
    assert pairs(catalog) == {("search_run", "b"), ("listing_*", "b"), ("estimate_viewed", "v")}
    assert catalog.profiles.height == 0
    assert set(use_case_rates(small_log(), rules, min_exposure=1)["use_case"]) == {"b", "v", "(any)"}


def test_frame_with_profiles() -> None:
    rules = pl.DataFrame({"event": ["search_run", "listing_*", "estimate_viewed"], "use_case": ["b", "b", "v"]})
    profiles = pl.DataFrame(
        {
            "persona": ["agent", "buyer"],
            "use_case": ["b", "v"],
            "problem": ["Comps", "Worth"],
            "why_us": ["Search", None],
            "alternatives": ["Database", None],
            "expected_frequency": ["weekly", "yearly"],
        }
    )
    catalog = read_catalog(rules, profiles=profiles)
    assert set(catalog.profiles.select(PROFILE_COLUMNS).rows()) == set(profiles.rows())
    assert profile(catalog, "agent", "b")["problem"] == "Comps"
    assert profile(catalog, "buyer", "v")["expected_frequency"] == "yearly"
    assert all(blank(v) for v in profile(catalog, "buyer", "b").values())


def test_frame_with_qualitative_columns_on_rule_rows() -> None:
    rules = pl.DataFrame(
        {
            "event": ["search_run", "listing_*", "estimate_viewed"],
            "use_case": ["browse_homes", "browse_homes", "home_value"],
            "persona": [None, None, "agent"],
            "expected_frequency": ["weekly", "weekly", "monthly"],
        }
    )
    catalog = read_catalog(rules)
    assert pairs(catalog) == MINIMAL_PAIRS
    assert profile(catalog, "buyer", "browse_homes")["expected_frequency"] == "weekly"
    assert profile(catalog, "agent", "home_value")["expected_frequency"] == "monthly"
    assert blank(profile(catalog, "buyer", "home_value")["expected_frequency"])


# --- errors --------------------------------------------------------------------------------------------------


def test_missing_columns_lists_the_columns_found(tmp_path: Path) -> None:
    path = write(tmp_path, "use_cases.csv", "name,usecase\nsearch_run,browse_homes\n")
    with pytest.raises(StickinessError) as err:
        read_catalog(path)
    message = str(err.value)
    assert "event" in message and "use_case" in message
    assert "name" in message and "usecase" in message  # the columns found
    with pytest.raises(StickinessError) as err:
        read_catalog(pl.DataFrame({"event": ["x"], "case": ["y"]}))
    assert "use_case" in str(err.value) and "case" in str(err.value)


def test_bad_expected_frequency_lists_the_allowed_values(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "use_cases.csv",
        "event,use_case,expected_frequency\nsearch_run,browse_homes,often\n",
    )
    for source in (path, {"use_cases": {"browse_homes": {"events": ["search_run"], "expected_frequency": "often"}}}):
        with pytest.raises(StickinessError) as err:
            read_catalog(source)
        message = str(err.value)
        assert "often" in message and "expected_frequency" in message
        assert all(f in message for f in FREQUENCIES), message


def test_bad_expected_frequency_in_profiles() -> None:
    rules = pl.DataFrame({"event": ["search_run"], "use_case": ["b"]})
    profiles = pl.DataFrame({"persona": ["agent"], "use_case": ["b"], "expected_frequency": ["weekly-ish"]})
    with pytest.raises(StickinessError) as err:
        read_catalog(rules, profiles=profiles)
    assert "weekly-ish" in str(err.value)
    assert all(f in str(err.value) for f in FREQUENCIES)


@pytest.mark.parametrize(
    "kind",
    ["csv", "frame", "dict"],
)
def test_empty_catalog_is_an_error(tmp_path: Path, kind: str) -> None:
    source: object = {
        "csv": write(tmp_path, "use_cases.csv", "event,use_case\n"),
        "frame": pl.DataFrame(schema={"event": pl.String, "use_case": pl.String}),
        "dict": {"use_cases": {}},
    }[kind]
    with pytest.raises(StickinessError):
        read_catalog(source)
