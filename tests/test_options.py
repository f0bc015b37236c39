"""The option bundles (every default once, with its help) and the one family of checks."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from stickiness import options
from stickiness.exceptions import InvalidOptionError

BUNDLES = [
    value
    for name, value in vars(options).items()
    if isinstance(value, type) and dataclasses.is_dataclass(value) and name.endswith("Options")
]


def test_every_bundle_is_frozen_and_every_field_has_a_help() -> None:
    assert len(BUNDLES) >= 10
    for bundle in BUNDLES:
        instance = bundle()
        field = dataclasses.fields(bundle)[0]
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(instance, field.name, None)
        for each in dataclasses.fields(bundle):
            assert each.metadata.get("help", "").strip(), f"{bundle.__name__}.{each.name} has no help"


def test_the_defaults_the_docs_state() -> None:
    # docs/use-cases.md: W = 90, H = 365, exposure 30, threshold 1 active day per 30; zone: majority 0.5 of >= 30
    assert (options.HABITS.window, options.HABITS.horizon, options.HABITS.min_exposure) == (90, 365, 30)
    assert options.HABITS.threshold == 1.0
    assert (options.ZONE.majority, options.ZONE.min_users) == (0.5, 30)
    assert options.ACTIVITY.window == 30
    assert options.PERIOD.period == "month"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: options.whole_days(0, "limit", "h"),
            r"limit=0: use a whole number of days >= 1 and at most 3650 \(h\)",
        ),
        (lambda: options.whole_days(3651, "horizon", "h"), "horizon=3651: use a whole number of days"),
        (lambda: options.whole_days(2.5, "window", "h"), "window=2.5"),
        (lambda: options.whole_days(True, "window", "h"), "window=True"),
        (lambda: options.whole(0, "min_users", "h", minimum=1), r"min_users=0: use a whole number >= 1 \(h\)\.$"),
        (lambda: options.positive(0, "k", "h"), r"k=0: use a number > 0 \(h\)"),
        (lambda: options.positive(float("nan"), "k", "h"), "k=nan"),
        (lambda: options.positive(31, "threshold", "h", maximum=30), "threshold=31: use a number > 0 and at most 30"),
        (lambda: options.share(0, "majority", "h"), "majority=0: use a share strictly between 0 and 1"),
        (lambda: options.share(1.0, "majority", "h"), "majority=1.0"),
        (lambda: options.number(-1, "x", "h", low=0), r"x=-1: use a number >= 0 \(h\)"),
        (lambda: options.as_date("2024-13-01", "as_of"), "as_of='2024-13-01' is not a date. Use 'YYYY-MM-DD'"),
    ],
)
def test_checks_name_the_keyword_the_value_and_the_fix(call: object, message: str) -> None:
    with pytest.raises(InvalidOptionError, match=message):
        call()  # type: ignore[operator]


def test_checks_return_the_value() -> None:
    assert options.whole_days(3650, "horizon", "h") == 3650  # the upper bound is allowed
    assert options.whole(0, "min_exposure", "h", minimum=0) == 0
    assert options.positive(30, "threshold", "h", maximum=30) == 30.0
    assert options.share(0.999, "majority", "h") == 0.999
    assert options.as_date(dt.datetime(2024, 5, 1, 23, 59), "as_of") == dt.date(2024, 5, 1)
    assert options.as_date(None, "as_of") is None
