"""Intermediate frames kept on a :class:`~stickiness.UsageLog`, so a metric called again redoes only what changed.

A metric that depends on several options is computed in stages, each keyed by
the options it depends on; each stage's result (a materialized polars frame) is
kept on the log, the latest few per stage. Nothing is global: dropping the log
drops them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar, cast

from stickiness.log import UsageLog

__all__ = ["cached"]

T = TypeVar("T")


def cached(log: UsageLog, stage: str, key: Hashable, compute: Callable[[], T], *, keep: int) -> T:
    """Return ``stage``'s result for ``key`` kept on ``log``, or compute it and keep the ``keep`` latest."""
    kept: OrderedDict[Hashable, object] = log._cache.setdefault(stage, OrderedDict())
    if key in kept:
        kept.move_to_end(key)
        return cast(T, kept[key])
    value = compute()
    kept[key] = value
    while len(kept) > keep:
        kept.popitem(last=False)
    return value
