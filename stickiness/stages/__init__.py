"""The stage store: intermediate frames kept on a :class:`~stickiness.UsageLog`, declared in one table.

A metric that depends on several options is computed in *stages*, each keyed by
the options it depends on, so that calling it again with another option redoes
only the stages that depend on that option. :data:`STAGES` declares every stage
once: its key fields, how many results of it a log keeps and the stages it reads.
Each log holds its own :class:`StageStore` (``log.stages``); nothing is global,
so dropping the log drops what it held.

One memory budget covers everything a store holds: when the results held pass
it, the least recently used are dropped, whatever their stage. The default
budget is ``STICKINESS_CACHE_MB`` megabytes (:data:`DEFAULT_BUDGET_MB` when the
variable is not set), read when the log is read.
"""

from __future__ import annotations

import dataclasses
import os
import reprlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar

import polars as pl

from stickiness.exceptions import InvalidOptionError, StageError

__all__ = ["BUDGET_VARIABLE", "DEFAULT_BUDGET_MB", "STAGES", "Stage", "StageStore", "size_of"]

T = TypeVar("T")

#: The environment variable holding a new store's budget, in megabytes (2**20 bytes).
BUDGET_VARIABLE = "STICKINESS_CACHE_MB"
#: The budget when ``STICKINESS_CACHE_MB`` is not set: enough for the explorers' stages on 100M events.
DEFAULT_BUDGET_MB = 4096
_MB = 2**20
#: What a value that holds no frame (an offset, a code) counts for.
_SMALL = 64


@dataclass(frozen=True)
class Stage:
    """One declared stage.

    Attributes
    ----------
    name
        What the stage modules ask the store for.
    key
        The names of the options a result depends on: ``get`` and ``held`` take them as keywords.
    keep
        How many results of the stage a log keeps (the latest used).
    depends_on
        The stages whose results this one reads (clearing one clears the stages depending on it).
    what
        What a result holds, for the reader of the table.
    """

    name: str
    key: tuple[str, ...]
    keep: int
    depends_on: tuple[str, ...]
    what: str


_CODES = ("event_codes", "user_offset", "user_codes", "coded_activity")
_EVENTS = "active_events"  # a frozenset of event names, or None for every event

#: Every stage a log can hold, by name.
STAGES: Mapping[str, Stage] = MappingProxyType(
    {
        stage.name: stage
        for stage in (
            Stage("event_codes", (), 1, (), "event, __e: the distinct events, sorted, numbered from 0"),
            Stage("user_offset", (), 1, (), "the smallest integer user id when ids are coded by subtraction, or None"),
            Stage("user_codes", (), 1, ("user_offset",), "user, __u: the distinct users with their codes"),
            Stage("coded_activity", (), 1, _CODES[:3], "__u, __d, __e, events: the activity as integer codes"),
            Stage("active_days", (_EVENTS,), 2, _CODES, "__u, user, day, __next: the distinct active (user, day) rows"),
            Stage("dau", ("by", _EVENTS), 4, ("active_days",), "__segment, day, dau: every observed day's DAU"),
            Stage(
                "sorted_user_periods",
                ("period", "by", _EVENTS),
                4,
                ("active_days", "user_offset", "user_codes"),
                "each user's active periods with the first, previous and next (sorted by user on polars)",
            ),
            Stage(
                "period_counts",
                ("period", "by", _EVENTS),
                4,
                ("active_days", "sorted_user_periods"),
                "retention's and lifecycle's counts per (segment, cohort, period)",
            ),
            Stage(
                "habits",
                ("mapping", "end", "horizon"),
                2,
                (*_CODES, "active_days"),
                "per adopter x use case: first use, last active day, typical interval and the recent active days; "
                "the product's habits (no catalog) are the (any) rows of any held habits with the same end and "
                "horizon (StageStore.held)",
            ),
            Stage(
                "rates",
                ("habits", "by", "window", "min_exposure", "bands"),
                3,
                ("habits", "user_offset", "user_codes"),
                "one row per adopter x use case: active days now and in the previous window, rate, band",
            ),
            Stage("segment_counts", ("rates", "threshold"), 16, ("rates",), "adopters and band counts per segment"),
        )
    }
)


def size_of(value: object) -> int:
    """Bytes a held value counts for: its polars frames' ``estimated_size()``; anything else counts small.

    >>> size_of(pl.DataFrame({"a": [1, 2, 3]}))
    24
    >>> size_of(None)
    64
    """
    if isinstance(value, pl.DataFrame):
        return int(value.estimated_size())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(size_of(getattr(value, field.name)) for field in dataclasses.fields(value))
    if isinstance(value, tuple | list):
        return sum(size_of(item) for item in value)
    return _SMALL


@dataclass(frozen=True)
class _Held:
    value: Any
    size: int


def budget_from_environment() -> int:
    """Return the budget in bytes from ``STICKINESS_CACHE_MB``, or :data:`DEFAULT_BUDGET_MB` when it is not set."""
    text = os.environ.get(BUDGET_VARIABLE, "").strip()
    if not text:
        return DEFAULT_BUDGET_MB * _MB
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = -1.0
    if not megabytes >= 0:  # also refuses nan
        raise InvalidOptionError(
            f"{BUDGET_VARIABLE}={text!r}: the stage store's memory budget must be a number of megabytes >= 0, "
            f"e.g. {BUDGET_VARIABLE}=2048 (0 keeps nothing); unset it for the default, {DEFAULT_BUDGET_MB}."
        )
    return int(megabytes * _MB)


class StageStore:
    """The stage results a log holds: declared in :data:`STAGES`, within one memory budget, safe across threads.

    Parameters
    ----------
    budget
        Bytes the held results may take in all (:func:`size_of`); None reads ``STICKINESS_CACHE_MB``.
        Past it the least recently used results are dropped, whatever their stage.

    Examples
    --------
    >>> store = StageStore(budget=2**20)
    >>> store.get("event_codes", lambda: pl.DataFrame({"event": ["a"], "__e": [0]}))["event"].to_list()
    ['a']
    >>> store.get("event_codes", lambda: pl.DataFrame())["event"].to_list()  # held: not computed again
    ['a']
    >>> store
    StageStore: 1 result, 0.0 MB held of a 1.0 MB budget
      event_codes: 1 of 1 kept, 0.0 MB
    >>> store.clear()
    >>> len(store)
    0
    """

    def __init__(self, budget: int | None = None) -> None:
        self._budget = budget_from_environment() if budget is None else budget
        # Re-entrant: a stage's compute asks for the stages it reads. Computes run one at a time, so two
        # threads asking for the same result compute it once.
        self._lock = threading.RLock()
        self._held: OrderedDict[tuple[str, tuple[Hashable, ...]], _Held] = OrderedDict()  # least recent first
        self._bytes = 0
        self._computing: list[str] = []
        self._asked: set[tuple[str, str]] = set()

    def get(self, stage: str, compute: Callable[[], T], /, **key: Hashable) -> T:
        """Return ``stage``'s result for ``key`` (its declared fields, as keywords), computing it if not held.

        >>> store = StageStore(budget=2**20)
        >>> store.get("dau", lambda: 1, by=None, active_events=None)
        1
        >>> store.get("dau", lambda: 2, by=None)
        Traceback (most recent call last):
        ...
        stickiness.exceptions.StageError: stage 'dau' is keyed by ('by', 'active_events'), not ('by',): ...
        """
        entry = (stage, self._values(stage, key, complete=True))
        with self._lock:
            if self._computing:
                self._asked.add((self._computing[-1], stage))
            held = self._held.get(entry)
            if held is not None:
                self._held.move_to_end(entry)
                return held.value  # type: ignore[no-any-return]
            self._computing.append(stage)
            try:
                value = compute()
            finally:
                self._computing.pop()
            self._add(entry, value)
            return value

    def held(self, stage: str, /, **fields: Hashable) -> list[Any]:
        """Return the results of ``stage`` held for keys with these field values, most recently used first.

        Reading them does not count as a use. The product's habits are derived this way
        from any catalog's habits with the same ``end`` and ``horizon`` (see :data:`STAGES`).

        >>> store = StageStore(budget=2**20)
        >>> _ = store.get("habits", lambda: "catalog", mapping=("a", "b"), end=10, horizon=365)
        >>> store.held("habits", end=10, horizon=365), store.held("habits", end=11)
        (['catalog'], [])
        """
        self._values(stage, fields, complete=False)
        wanted = [(STAGES[stage].key.index(name), value) for name, value in fields.items()]
        with self._lock:
            return [
                held.value
                for (name, key), held in reversed(self._held.items())
                if name == stage and all(key[index] == value for index, value in wanted)
            ]

    def clear(self, stage: str | None = None) -> None:
        """Drop every held result, or those of ``stage`` and of the stages depending on it."""
        with self._lock:
            dropped = set(STAGES) if stage is None else _dependents(self._check(stage))
            for entry in [entry for entry in self._held if entry[0] in dropped]:
                self._bytes -= self._held.pop(entry).size

    @property
    def budget(self) -> int:
        """Bytes the held results may take; setting it drops the least recently used ones past it."""
        return self._budget

    @budget.setter
    def budget(self, budget: int) -> None:
        with self._lock:
            self._budget = budget
            self._fit()

    @property
    def nbytes(self) -> int:
        """Bytes the held results take (:func:`size_of`)."""
        return self._bytes

    @property
    def asked(self) -> frozenset[tuple[str, str]]:
        """(stage, stage it asked for while computing) pairs seen so far: checked against ``depends_on`` by tests."""
        return frozenset(self._asked)

    def count(self, stage: str) -> int:
        """How many results of ``stage`` are held."""
        self._check(stage)
        with self._lock:
            return sum(name == stage for name, _ in self._held)

    def __len__(self) -> int:
        return len(self._held)

    def __repr__(self) -> str:
        with self._lock:
            results = list(self._held.items())
        count = f"{len(results)} result{'' if len(results) == 1 else 's'}"
        lines = [f"StageStore: {count}, {_mb(self._bytes)} held of a {_mb(self._budget)} budget"]
        for stage in STAGES.values():
            mine = [(key, held) for (name, key), held in results if name == stage.name]
            if mine:
                size = sum(held.size for _, held in mine)
                lines.append(f"  {stage.name}: {len(mine)} of {stage.keep} kept, {_mb(size)}")
                lines.extend(f"    {_key_text(stage, key)}: {_mb(held.size)}" for key, held in mine if stage.key)
        return "\n".join(lines)

    def _add(self, entry: tuple[str, tuple[Hashable, ...]], value: object) -> None:
        held = _Held(value, size_of(value))
        self._held[entry] = held
        self._bytes += held.size
        mine = [other for other in self._held if other[0] == entry[0]]
        for other in mine[: max(len(mine) - STAGES[entry[0]].keep, 0)]:
            self._bytes -= self._held.pop(other).size
        self._fit()

    def _fit(self) -> None:
        """Drop the least recently used results until the rest fit the budget (a result larger than it is not kept).

        A budget of 0 keeps nothing, not even empty frames.
        """
        while self._held and (self._bytes > self._budget or self._budget == 0):
            self._bytes -= self._held.popitem(last=False)[1].size

    def _check(self, stage: str) -> Stage:
        if stage not in STAGES:
            raise StageError(
                f"no stage {stage!r}: the stages are {sorted(STAGES)}; declare a new one in stickiness.stages.STAGES."
            )
        return STAGES[stage]

    def _values(self, stage: str, key: Mapping[str, Hashable], *, complete: bool) -> tuple[Hashable, ...]:
        """Return the key's values in declared order; raise a StageError when the fields are not the declared ones."""
        fields = self._check(stage).key
        unknown = set(key) - set(fields)
        if unknown or (complete and len(key) != len(fields)):
            raise StageError(
                f"stage {stage!r} is keyed by {fields}, not {tuple(key)}: "
                "pass its key fields as keywords, as declared in stickiness.stages.STAGES."
            )
        return tuple(key[name] for name in fields if name in key)


def _dependents(stage: Stage) -> set[str]:
    """``stage`` and every stage that reads it, directly or through others."""
    found = {stage.name}
    while True:
        more = {other.name for other in STAGES.values() if found & set(other.depends_on)} - found
        if not more:
            return found
        found |= more


def _key_text(stage: Stage, key: Iterable[Hashable]) -> str:
    short = reprlib.Repr()  # keys can hold a whole catalog mapping: show their start
    short.maxstring, short.maxother, short.maxtuple, short.maxfrozenset, short.maxlevel = 30, 30, 4, 4, 2
    return ", ".join(f"{name}={short.repr(value)}" for name, value in zip(stage.key, key, strict=True))


def _mb(size: int) -> str:
    return f"{size / _MB:.1f} MB"
