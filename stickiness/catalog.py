"""The use-case catalog: which events serve which use case, and what each persona uses it for.

The contract (docs/use-cases.md):

- a rule maps an ``event`` (an exact name or a glob pattern, matched with
  :func:`fnmatch.fnmatchcase`, case-sensitive) to a ``use_case``; an event
  belongs to **every** use case with a matching rule;
- an event matched by no rule belongs to ``"(unmapped)"``; every event also
  belongs to ``"(any)"`` (the product as a whole);
- optional qualitative columns ``problem``, ``why_us``, ``alternatives`` and
  ``expected_frequency`` (``daily``, ``weekly``, ``monthly``, ``quarterly``,
  ``yearly``) describe a persona x use case; a null persona means every persona;
- a row with an event and a blank ``use_case`` (a starter catalog not filled in yet,
  :func:`stickiness.starter_catalog`) is set aside and counted
  (:attr:`Catalog.without_use_case`): its events stay unmapped; other columns are ignored.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from stickiness._csv import unescape_table
from stickiness._read_errors import explained
from stickiness._sources import scan_source, suffix_of
from stickiness.exceptions import ColumnNotFoundError, InputFileError, InvalidOptionError, UnsupportedSourceError

__all__ = [
    "ANY_USE_CASE",
    "FREQUENCIES",
    "PROFILE_COLUMNS",
    "UNMAPPED_USE_CASE",
    "Catalog",
    "as_catalog",
    "read_catalog",
]

#: The use case every event belongs to: the product as a whole.
ANY_USE_CASE = "(any)"
#: The use case of an event that no rule matches.
UNMAPPED_USE_CASE = "(unmapped)"
#: Allowed values of ``expected_frequency``.
FREQUENCIES: tuple[str, ...] = ("daily", "weekly", "monthly", "quarterly", "yearly")
#: The qualitative columns of a profile, in output order.
TEXT_COLUMNS: tuple[str, ...] = ("problem", "why_us", "alternatives", "expected_frequency")
#: Columns of :attr:`Catalog.profiles`.
PROFILE_COLUMNS: tuple[str, ...] = ("persona", "use_case", *TEXT_COLUMNS)

_GLOB = re.compile(r"[*?\[]")
_RULES_SCHEMA = {"event": pl.String, "use_case": pl.String}
_PROFILES_SCHEMA = dict.fromkeys(PROFILE_COLUMNS, pl.String)
_YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Catalog:
    """A use-case catalog, as read by :func:`read_catalog`.

    Attributes
    ----------
    rules
        ``event`` (an exact event name or a glob pattern) and ``use_case``, both
        String, one row per distinct rule.
    profiles
        ``persona`` (String; null means every persona), ``use_case``,
        ``problem``, ``why_us``, ``alternatives`` and ``expected_frequency``
        (all String, nullable): at most one row per persona x use case.
    without_use_case
        The events (or patterns) of rows whose ``use_case`` was blank, set aside:
        no rule comes from them, so their events are unmapped unless another row maps them.
    """

    rules: pl.DataFrame
    profiles: pl.DataFrame
    without_use_case: tuple[str, ...] = ()

    @property
    def use_cases(self) -> tuple[str, ...]:
        """The catalog's use cases, sorted (without ``(any)`` and ``(unmapped)``)."""
        return tuple(sorted(self.rules["use_case"].unique().to_list()))

    @property
    def note(self) -> str | None:
        """Say how many rows without a use_case were set aside (None when every row has one).

        >>> from stickiness.catalog import read_catalog
        >>> read_catalog({"event": ["search", "export_csv", "login"], "use_case": ["browse", None, ""]}).note
        "2 rows of the catalog have an event but no use_case (e.g. ['export_csv', 'login']): set aside, so their events stay unmapped unless another row maps them. Fill in their use_case to map them."
        """  # noqa: E501
        if not self.without_use_case:
            return None
        n = len(self.without_use_case)
        rows = "1 row of the catalog has" if n == 1 else f"{n:,} rows of the catalog have"
        return (
            f"{rows} an event but no use_case (e.g. {list(self.without_use_case[:3])}): set aside, so their events "
            "stay unmapped unless another row maps them. Fill in their use_case to map them."
        )

    def use_cases_of(self, events: Iterable[str]) -> pl.DataFrame:
        """Map event names to their use cases.

        Parameters
        ----------
        events
            Event names (duplicates are fine: each distinct name is matched once).

        Returns
        -------
        polars.DataFrame
            ``event, use_case`` (String): one row per event and use case it
            belongs to, including ``"(unmapped)"`` for events no rule matches
            and ``"(any)"`` for every event; sorted.

        Examples
        --------
        >>> from stickiness.catalog import read_catalog
        >>> catalog = read_catalog({"use_cases": {"browse": {"events": ["search", "listing_*"]}}})
        >>> catalog.use_cases_of(["search", "listing_viewed", "logout"]).rows()
        [('listing_viewed', '(any)'), ('listing_viewed', 'browse'), ('logout', '(any)'), ('logout', '(unmapped)'), ('search', '(any)'), ('search', 'browse')]
        """  # noqa: E501
        names = sorted({e for e in events if e is not None})
        exact: dict[str, list[str]] = {}
        globs: list[tuple[re.Pattern[str], str]] = []
        for pattern, use_case in self.rules.select("event", "use_case").iter_rows():
            if _GLOB.search(pattern):
                globs.append((re.compile(fnmatch.translate(pattern)), use_case))
            else:
                exact.setdefault(pattern, []).append(use_case)
        pairs_event: list[str] = []
        pairs_use_case: list[str] = []
        for name in names:  # distinct event names: few
            found = set(exact.get(name, ()))
            found.update(use_case for regex, use_case in globs if regex.match(name))
            found.discard(ANY_USE_CASE)
            for use_case in sorted(found) or [UNMAPPED_USE_CASE]:
                pairs_event.append(name)
                pairs_use_case.append(use_case)
            pairs_event.append(name)
            pairs_use_case.append(ANY_USE_CASE)
        return (
            pl.DataFrame({"event": pairs_event, "use_case": pairs_use_case}, schema=_RULES_SCHEMA)
            .unique()
            .sort("event", "use_case")
        )

    def __repr__(self) -> str:
        blank = f", {len(self.without_use_case)} rows without a use_case set aside" if self.without_use_case else ""
        return (
            f"Catalog({self.rules.height} rules, {len(self.use_cases)} use cases, {self.profiles.height} profiles"
            f"{blank})"
        )


def resolve_profiles(catalog: Catalog | None, segments: pl.DataFrame) -> pl.DataFrame:
    """Add the qualitative columns to ``segments`` (``persona, use_case``, String).

    A value given for the persona wins; otherwise the value given for every
    persona (null persona) of the use case; otherwise null.
    """
    keys = segments.select(pl.col("persona").cast(pl.String), pl.col("use_case").cast(pl.String))
    if catalog is None or catalog.profiles.height == 0:
        return keys.with_columns([pl.lit(None, dtype=pl.String).alias(c) for c in TEXT_COLUMNS])
    profiles = catalog.profiles
    own = profiles.filter(pl.col("persona").is_not_null())
    default = profiles.filter(pl.col("persona").is_null()).drop("persona")
    joined = keys.join(own, on=["persona", "use_case"], how="left").join(
        default, on="use_case", how="left", suffix="__default"
    )
    return joined.select(
        "persona",
        "use_case",
        *[pl.coalesce(c, f"{c}__default").alias(c) for c in TEXT_COLUMNS],
    )


def read_catalog(source: Any, *, profiles: Any = None) -> Catalog:
    """Read a use-case catalog.

    Parameters
    ----------
    source
        A CSV path with the columns ``event`` and ``use_case`` (and optionally
        ``persona``, ``problem``, ``why_us``, ``alternatives``,
        ``expected_frequency`` on the rule rows; an empty persona means every
        persona), a YAML path (needs ``pip install pyyaml``), a dict of the
        YAML's shape (``{"use_cases": {name: {"events": [...], ...}}}``), a
        polars (or pandas / pyarrow) frame with those columns, or a
        :class:`Catalog`.
    profiles
        Optional separate profiles table (CSV path or frame): ``use_case``,
        optionally ``persona`` and the qualitative columns. Its values take
        precedence over those given on the rule rows.

    Returns
    -------
    Catalog

    Raises
    ------
    ColumnNotFoundError
        The rules have no ``event`` or ``use_case`` column.
    InvalidOptionError
        The catalog has no rule (every row without a use case included), an
        ``expected_frequency`` is not one of the allowed values, or two rows give
        different values for the same persona x use case.

    Notes
    -----
    Columns other than those above are ignored, and a row with an event but a blank
    ``use_case`` is set aside and counted in :attr:`Catalog.without_use_case`, so a
    starter catalog (:func:`stickiness.starter_catalog`) reads as it is filled in.
    A CSV is read back as the kit writes tables: a text cell written with a leading
    ``'`` (spreadsheet-safe, :func:`stickiness.write_table`) loses it.

    Examples
    --------
    >>> import polars as pl
    >>> from stickiness.catalog import read_catalog
    >>> catalog = read_catalog(pl.DataFrame({"event": ["search_run", "listing_*"], "use_case": ["browse"] * 2}))
    >>> catalog.rules.rows()
    [('search_run', 'browse'), ('listing_*', 'browse')]
    """
    blank: tuple[str, ...] = ()
    if isinstance(source, Catalog):
        rules, rule_profiles, blank = source.rules, source.profiles, source.without_use_case
    elif isinstance(source, Mapping):
        rules, rule_profiles, blank = _from_dict(source)
    elif isinstance(source, (str, os.PathLike)) and suffix_of(Path(source)) in _YAML_SUFFIXES:
        rules, rule_profiles, blank = _from_dict(_load_yaml(Path(source)))
    else:
        rules, rule_profiles, blank = _from_frame(_read_frame(source, role="catalog"), role="catalog")
    if rules.height == 0:
        unfilled = (
            f" {'Its 1 row' if len(blank) == 1 else f'All its {len(blank):,} rows'} with an event "
            f"{'has' if len(blank) == 1 else 'have'} no use_case (e.g. {list(blank[:3])}): fill in the use_case "
            "column (a starter catalog from 'stickiness catalog' comes with it blank)."
            if blank
            else ""
        )
        raise InvalidOptionError(
            "the use-case catalog has no rules. Give at least one row with an event (or pattern) and a use_case, "
            f"e.g. a CSV 'event,use_case' with the row 'search_run,browse_homes'.{unfilled}"
        )
    table = rule_profiles
    if profiles is not None:
        extra = _profiles_from_frame(_read_frame(profiles, role="profiles table"), role="profiles table")
        table = _merge_profiles(extra, rule_profiles)
    return Catalog(rules=rules, profiles=_check_profiles(table), without_use_case=blank)


# --------------------------------------------------------------------------- #
# Sources                                                                      #
# --------------------------------------------------------------------------- #


def _read_frame(source: Any, *, role: str) -> pl.DataFrame:
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if suffix_of(path) in (".csv", ".tsv", ".txt"):
            if not path.is_file():
                raise UnsupportedSourceError(f"the {role} file {str(path)!r} does not exist. Check the path.")
            separator = "\t" if suffix_of(path) == ".tsv" else ","
            try:
                read = explained(
                    [(role, path)], lambda: pl.read_csv(path, infer_schema=False, separator=separator), encoding=None
                )
                # blank lines are not rules; a cell the kit wrote spreadsheet-safe ('=x) is read as its value (=x)
                return unescape_table(read.filter(~pl.all_horizontal(pl.all().is_null())))
            except pl.exceptions.NoDataError as err:
                raise InvalidOptionError(
                    f"the {role} file {str(path)!r} is empty. Give a header 'event,use_case' and at least one rule."
                ) from err
    try:
        return explained([(role, source)], lambda: scan_source(source, role=role).collect(), encoding=None)
    except pl.exceptions.NoDataError as err:
        raise InvalidOptionError(f"the {role} is empty. Give a header 'event,use_case' and at least one rule.") from err


def _load_yaml(path: Path) -> Mapping[str, Any]:
    try:
        import yaml  # type: ignore[import-untyped]
    except ImportError as err:
        raise ImportError(
            "reading a YAML catalog needs PyYAML, which is not installed. Install it with `pip install pyyaml` "
            "(or pass a CSV, a dict or a polars frame)."
        ) from err
    if not path.is_file():
        raise UnsupportedSourceError(f"the catalog file {str(path)!r} does not exist. Check the path.")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputFileError(
            f"the catalog file {str(path)!r} is not UTF-8 text (byte {err.start:,} is 0x{err.object[err.start]:02X}). "
            "Save it as UTF-8 (most editors: 'Save with encoding')."
        ) from None
    try:
        # safe_load builds only plain values: a '!!python/...' tag is refused, never run
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise InputFileError(_yaml_problem(path, err)) from None
    if not isinstance(loaded, Mapping):
        raise InvalidOptionError(
            f"the YAML catalog {str(path)!r} is empty or not a mapping. Start it with 'use_cases:' and one entry "
            "per use case with its 'events'."
        )
    return loaded


def as_catalog(catalog: Any) -> Catalog | None:
    """Return a ``catalog=`` argument as a :class:`Catalog`: None and a Catalog as given, anything else read.

    The one place the kit's functions (metrics, scorecards, models, explorers) turn the
    ``catalog`` they were given into a :class:`Catalog`; anything
    :func:`read_catalog` reads is read by it.

    Examples
    --------
    >>> as_catalog(None) is None
    True
    >>> catalog = as_catalog({"event": ["search"], "use_case": ["browse"]})
    >>> catalog.use_cases, as_catalog(catalog) is catalog
    (('browse',), True)
    """
    if catalog is None or isinstance(catalog, Catalog):
        return catalog
    return read_catalog(catalog)


def _yaml_problem(path: Path, err: Any) -> str:
    """Say where a YAML catalog is broken, or which tag it uses (tags are refused), and how to fix it."""
    mark = getattr(err, "problem_mark", None)
    where = f" on line {mark.line + 1:,}, column {mark.column + 1}" if mark is not None else ""
    problem = str(getattr(err, "problem", None) or err)
    if "constructor for the tag" in problem:
        tag = problem.split("tag", 1)[1].strip(" '\"").replace("tag:yaml.org,2002:", "!!")
        return (
            f"the catalog file {str(path)!r} uses the YAML tag {tag!r}{where}: tags are not allowed in a catalog "
            "(it is read as plain data, so nothing was run). Remove the tag; a catalog holds only text, lists and "
            "mappings."
        )
    return (
        f"the catalog file {str(path)!r} is not valid YAML{where}: {_cap(' '.join(problem.split()), 120)}. "
        "Fix that line (indent nested entries by spaces, not tabs; quote text holding ': ' or '#')."
    )


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _from_dict(source: Mapping[str, Any]) -> tuple[pl.DataFrame, pl.DataFrame, tuple[str, ...]]:
    if "use_cases" not in source:
        if "event" in source and "use_case" in source:  # a dict of columns
            return _from_frame(pl.DataFrame(dict(source)), role="catalog")
        raise InvalidOptionError(
            f"the catalog dict has keys {sorted(map(str, source))} but no 'use_cases'. Use the YAML shape "
            "{'use_cases': {'browse_homes': {'events': ['search_run', 'listing_*']}}}."
        )
    use_cases = source["use_cases"] or {}
    if not isinstance(use_cases, Mapping):
        raise InvalidOptionError(
            "the catalog's 'use_cases' must be a mapping from use-case name to its 'events' "
            "(and optional 'expected_frequency', 'personas')."
        )
    rule_rows: list[tuple[str, str]] = []
    profile_rows: list[dict[str, str | None]] = []
    for name, spec in use_cases.items():
        entry_rules, entry_profiles = _entry_rows(name, spec)
        rule_rows += entry_rules
        profile_rows += entry_profiles
    rules = pl.DataFrame(rule_rows, schema=_RULES_SCHEMA, orient="row").unique(maintain_order=True)
    profiles = pl.DataFrame(profile_rows, schema=_PROFILES_SCHEMA)
    return rules, _merge_profiles(profiles), ()


def _entry_rows(name: Any, spec: Any) -> tuple[list[tuple[str, str]], list[dict[str, str | None]]]:
    """Return one use case's rules (pattern, use case) and profile rows, from its entry under 'use_cases'."""
    use_case = _text(name)
    if use_case is None:
        raise InvalidOptionError("the catalog has a use case without a name. Name every entry under 'use_cases'.")
    spec = spec or {}
    if not isinstance(spec, Mapping):
        raise InvalidOptionError(
            f"use case {use_case!r}: expected a mapping with 'events' (a list of event names or patterns)."
        )
    events = spec.get("events") or []
    if isinstance(events, str):
        events = [events]
    rules = [(pattern, use_case) for pattern in map(_text, events) if pattern is not None]
    default = {c: _text(spec.get(c)) for c in TEXT_COLUMNS}
    profiles = (
        [{"persona": None, "use_case": use_case, **default}] if any(v is not None for v in default.values()) else []
    )
    return rules, profiles + _persona_rows(use_case, spec.get("personas") or {})


def _persona_rows(use_case: str, personas: Any) -> list[dict[str, str | None]]:
    """Return the profile rows of one use case's 'personas' mapping (persona name -> its texts)."""
    if not isinstance(personas, Mapping):
        raise InvalidOptionError(
            f"use case {use_case!r}: 'personas' must map persona names to their problem, why_us, "
            "alternatives and expected_frequency."
        )
    rows: list[dict[str, str | None]] = []
    for persona, values in personas.items():
        values = values or {}
        if not isinstance(values, Mapping):
            raise InvalidOptionError(
                f"use case {use_case!r}, persona {persona!r}: expected a mapping with problem, why_us, "
                "alternatives and expected_frequency."
            )
        rows.append(
            {"persona": _text(persona), "use_case": use_case, **{c: _text(values.get(c)) for c in TEXT_COLUMNS}}
        )
    return rows


def _normalise(frame: pl.DataFrame) -> pl.DataFrame:
    """Match column names case- and space-insensitively; strip text; empty text is null."""
    renames: dict[str, str] = {}
    for name in frame.columns:
        key = name.strip().lower().replace(" ", "_").replace("-", "_")
        if key in ("event", "use_case", *PROFILE_COLUMNS) and key not in renames.values():
            renames[name] = key
    frame = frame.rename(renames).select(list(renames.values()))
    return frame.with_columns(
        [pl.col(c).cast(pl.String).str.strip_chars().replace("", None).alias(c) for c in frame.columns]
    )


def _from_frame(frame: pl.DataFrame, *, role: str) -> tuple[pl.DataFrame, pl.DataFrame, tuple[str, ...]]:
    """Return the rules, the profiles and the events of rows without a use case (set aside) of a catalog table."""
    found = frame.columns
    table = _normalise(frame)
    missing = [c for c in ("event", "use_case") if c not in table.columns]
    if missing:
        raise ColumnNotFoundError(
            f"the {role} has no column {' or '.join(repr(c) for c in missing)}. Columns found: {found}. "
            "A catalog needs 'event' (an event name or glob pattern) and 'use_case'."
        )
    # a starter catalog is filled in a row at a time: a row not filled in yet maps nothing, and is counted
    blank = table.filter(pl.col("event").is_not_null() & pl.col("use_case").is_null())
    rules = table.filter(pl.col("event").is_not_null() & pl.col("use_case").is_not_null())
    rules = rules.select("event", "use_case").unique(maintain_order=True)
    return rules, _profiles_from_frame(table.drop("event"), role=role), tuple(blank["event"].to_list())


def _profiles_from_frame(frame: pl.DataFrame, *, role: str) -> pl.DataFrame:
    table = _normalise(frame)
    if "use_case" not in table.columns:
        raise ColumnNotFoundError(
            f"the {role} has no column 'use_case'. Columns found: {frame.columns}. Profiles need 'use_case' and "
            f"optionally 'persona', {', '.join(repr(c) for c in TEXT_COLUMNS)}."
        )
    table = table.filter(pl.col("use_case").is_not_null())
    table = table.with_columns(
        [pl.lit(None, dtype=pl.String).alias(c) for c in PROFILE_COLUMNS if c not in table.columns]
    ).select(PROFILE_COLUMNS)
    table = table.filter(pl.any_horizontal([pl.col(c).is_not_null() for c in TEXT_COLUMNS]))
    return _merge_profiles(table)


def _merge_profiles(first: pl.DataFrame, second: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per (persona, use_case): values of ``first`` win over ``second``; conflicts within one are errors."""
    rank = pl.int_range(pl.len()).alias("__source")
    sources = [first.with_columns(__rank=pl.lit(0))]
    if second is not None:
        sources.append(second.with_columns(__rank=pl.lit(1)))
    combined = pl.concat(sources, how="vertical").with_columns(rank)
    keys = ["persona", "use_case"]
    for column in TEXT_COLUMNS:
        values = combined.filter(pl.col(column).is_not_null()).select([*keys, "__rank", column]).unique()
        clash = values.filter(pl.len().over([*keys, "__rank"]) > 1)
        if clash.height:
            persona, use_case = clash.row(0)[:2]
            found = sorted(clash.filter(pl.col("use_case") == use_case)[column].unique().to_list())
            who = "every persona" if persona is None else f"persona {persona!r}"
            raise InvalidOptionError(
                f"the catalog gives {column} for use case {use_case!r} and {who} more than one value ({found}). "
                "Give one value per persona x use case."
            )
    merged = (
        combined.sort("__rank", "__source")
        .group_by(keys, maintain_order=True)
        .agg([pl.col(c).drop_nulls().first().alias(c) for c in TEXT_COLUMNS])
    )
    return merged.select(PROFILE_COLUMNS).cast(_PROFILES_SCHEMA)  # type: ignore[arg-type]


def _check_profiles(profiles: pl.DataFrame) -> pl.DataFrame:
    profiles = profiles.with_columns(pl.col("expected_frequency").str.to_lowercase())
    bad = profiles.filter(pl.col("expected_frequency").is_not_null() & ~pl.col("expected_frequency").is_in(FREQUENCIES))
    if bad.height:
        values = sorted(bad["expected_frequency"].unique().to_list())
        raise InvalidOptionError(
            f"expected_frequency {values} is not allowed (use case {bad['use_case'][0]!r}). "
            f"Use one of {list(FREQUENCIES)}, or leave it empty."
        )
    return profiles.sort("use_case", "persona", nulls_last=False)
