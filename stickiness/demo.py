"""Built-in demo data: a seeded usage log for *Nestly*, a fictional property app.

Nestly serves four personas (``agent``, ``home_buyer``, ``homeowner``,
``renter``) through five use cases whose natural frequencies differ by orders of
magnitude:

* ``manage_listings`` -- agents work their listings and CRM almost every weekday
  (a **daily** habit);
* ``browse_homes`` -- buyers browse listings about twice a week (**weekly**);
* ``home_value`` -- homeowners check their home-value estimate a couple of times
  a month (**monthly**);
* ``find_rental`` -- renters search rentals in a short burst around their yearly
  lease renewal (**occasional**, yearly);
* ``buy_home`` -- mortgage maths, tours and offers: a once-every-few-years job
  (**occasional**, so its users sit in the "forgettable zone").

Every persona x use case pair is planted with one habit band (see
:func:`planted_bands`). Measured as *active days per 30 days over the last 90
days of the log*, each pair lands well inside its band for the large majority
of its users who are still active. Users sign up throughout the period (more
and more over time), each has a random lifetime after which they stop (some are
one-and-done), and about 0.2% of the rows are exact duplicates (double-fired
events). Everything else is clean.

Timestamps are timezone-aware UTC; the audience is drawn as living near UTC, so
the hours are plausible as they stand (agents in office hours, consumers at
lunch and in the evening).

The generator is vectorized (numpy + polars) and deterministic for a given seed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl

from stickiness.exceptions import InvalidOptionError

__all__ = [
    "DEFAULT_END",
    "DEFAULT_SEED",
    "DEFAULT_START",
    "DEFAULT_USERS",
    "demo_catalog",
    "demo_events",
    "demo_use_case_profiles",
    "demo_users",
    "planted_bands",
    "write_demo",
]

#: First day of the default demo log.
DEFAULT_START = date(2025, 1, 1)
#: Last day of the default demo log (a fixed date, so the demo never drifts).
DEFAULT_END = date(2026, 6, 30)
#: Default seed of the demo generator.
DEFAULT_SEED = 7
#: Default number of users.
DEFAULT_USERS = 2000

_DUPLICATE_SHARE = 0.002  # share of rows that are exact (double-fired) duplicates
_ONE_AND_DONE_SHARE = 0.08  # users who show up on one day and never return
_SIGNUP_GROWTH = 3.0  # daily signups at the end of the period / at the start
_MAX_EVENTS_PER_SESSION = 15
_EPOCH = date(1970, 1, 1)
_ISO_FORMAT = "%Y-%m-%dT%H:%M:%S%.3fZ"  # how write_demo writes timestamps

_Ints = npt.NDArray[np.int64]
_Bools = npt.NDArray[np.bool_]
_Floats = npt.NDArray[np.float64]


# --------------------------------------------------------------------------- #
# The fictional product                                                        #
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class _UseCase:
    name: str
    events: tuple[str, ...]  # the first one opens every session of this use case
    weights: tuple[float, ...]  # how the later events of a session are drawn
    extra_events: float  # mean number of events after the first, per active day


@dataclass(frozen=True)
class _Persona:
    name: str
    share: float  # share of users
    pro_share: float  # share on the paid plan
    mean_lifetime_days: float  # exponential lifetime after signup
    hours: tuple[tuple[float, float, float], ...]  # (hour, spread, weight) bumps, UTC


@dataclass(frozen=True)
class _Habit:
    persona: str
    use_case: str
    band: str  # daily / weekly / monthly / occasional
    expected_frequency: str  # daily / weekly / monthly / quarterly / yearly
    kind: str  # "rate": independent days; "periodic": every ~period days
    # kind == "rate": per-user active days per 30 days ~ U(low, high);
    # weekend days are weekend_factor times as likely as weekdays.
    low: float = 0.0
    high: float = 0.0
    weekend_factor: float = 1.0
    # kind == "periodic": one occasion every U(period_low, period_high) days,
    # +-jitter days, skipped with skip_prob, followed up lag days later with
    # follow_prob (lag ~ U{1..follow_lag}).
    period_low: int = 0
    period_high: int = 0
    jitter: int = 0
    skip_prob: float = 0.0
    follow_prob: float = 0.0
    follow_lag: int = 1
    problem: str = ""
    why_us: str = ""
    alternatives: str = ""


_USE_CASES: tuple[_UseCase, ...] = (
    _UseCase(
        "manage_listings",
        ("listing_updated", "crm_note_added", "lead_contacted"),
        (0.30, 0.45, 0.25),
        3.5,
    ),
    _UseCase(
        "browse_homes",
        ("search_run", "listing_viewed", "listing_saved"),
        (0.25, 0.65, 0.10),
        4.0,
    ),
    _UseCase("home_value", ("estimate_viewed", "estimate_shared"), (0.80, 0.20), 1.2),
    _UseCase(
        "find_rental",
        ("rental_search_run", "rental_viewed", "rental_application_started"),
        (0.30, 0.60, 0.10),
        5.0,
    ),
    _UseCase(
        "buy_home",
        ("mortgage_calculated", "tour_booked", "offer_submitted"),
        (0.60, 0.30, 0.10),
        2.0,
    ),
)

_PERSONAS: tuple[_Persona, ...] = (
    # name, share of users, share on pro, mean lifetime (days), (hour, spread, weight) bumps
    _Persona("agent", 0.15, 0.70, 1000, ((10.0, 2.0, 1.0), (15.0, 2.0, 1.0), (19.0, 1.5, 0.3))),
    _Persona("home_buyer", 0.30, 0.10, 300, ((12.5, 1.0, 0.4), (20.5, 1.8, 1.0), (9.0, 1.5, 0.2))),
    _Persona("homeowner", 0.35, 0.08, 700, ((7.5, 1.0, 0.4), (20.0, 1.8, 1.0), (13.0, 1.5, 0.2))),
    _Persona("renter", 0.20, 0.05, 700, ((12.5, 1.0, 0.5), (21.0, 1.5, 1.0), (17.5, 1.0, 0.2))),
)

# The first habit listed for a persona is its primary use case: the one it
# signed up for, active on the signup day.
_HABITS: tuple[_Habit, ...] = (
    _Habit(
        persona="agent",
        use_case="manage_listings",
        band="daily",
        expected_frequency="daily",
        kind="rate",
        low=22.5,
        high=25.0,
        weekend_factor=0.45,
        problem="Keeping every listing current and every lead followed up, deal after deal.",
        why_us="Listings, showings and lead notes in one place; edits go live in minutes.",
        alternatives="A standalone CRM, spreadsheets, the agency's back office, texting leads.",
    ),
    _Habit(
        persona="agent",
        use_case="browse_homes",
        band="weekly",
        expected_frequency="weekly",
        kind="rate",
        low=6.0,
        high=12.0,
        weekend_factor=0.5,
        problem="Finding comparable homes and fresh inventory to send to active clients.",
        why_us="The same search buyers see, with saved searches that alert on new listings.",
        alternatives="The agency's own database, competitor portals, colleagues' off-market tips.",
    ),
    _Habit(
        persona="agent",
        use_case="home_value",
        band="monthly",
        expected_frequency="monthly",
        kind="periodic",
        period_low=11,
        period_high=18,
        jitter=3,
        skip_prob=0.1,
        follow_prob=0.3,
        follow_lag=5,
        problem="Walking into a listing appointment with a credible price range.",
        why_us="An instant estimate with recent nearby sales that can be shared with the seller.",
        alternatives="A comparable-sales analysis by hand, a paid valuation.",
    ),
    _Habit(
        persona="home_buyer",
        use_case="browse_homes",
        band="weekly",
        expected_frequency="weekly",
        kind="rate",
        low=7.0,
        high=13.0,
        weekend_factor=1.6,
        problem="Seeing every new home that fits the budget before someone else books it.",
        why_us="Fast map search, honest photos and instant alerts when a match is listed.",
        alternatives="Other listing portals, agents' emails, driving around for for-sale boards.",
    ),
    _Habit(
        persona="home_buyer",
        use_case="buy_home",
        band="occasional",
        expected_frequency="yearly",
        kind="periodic",
        period_low=200,
        period_high=400,
        jitter=10,
        follow_prob=0.5,
        follow_lag=6,
        problem="Working out what is affordable, touring the shortlist and making an offer.",
        why_us="Mortgage calculator, tour booking and offer forms right next to the listing.",
        alternatives="A bank's mortgage calculator, phoning the listing agent, a mortgage broker.",
    ),
    _Habit(
        persona="homeowner",
        use_case="home_value",
        band="monthly",
        expected_frequency="monthly",
        kind="periodic",
        period_low=11,
        period_high=20,
        jitter=3,
        skip_prob=0.1,
        follow_prob=0.25,
        follow_lag=6,
        problem="Knowing what the house is worth today, and whether the equity has grown.",
        why_us="An estimate refreshed every month, with the nearby sales that moved it.",
        alternatives="Other portals' estimates, asking a local agent, house-price indices.",
    ),
    _Habit(
        persona="homeowner",
        use_case="browse_homes",
        band="occasional",
        expected_frequency="quarterly",
        kind="periodic",
        period_low=80,
        period_high=140,
        jitter=10,
        skip_prob=0.2,
        problem="Keeping an eye on what the neighbours' homes list and sell for.",
        why_us="Local listings and sold prices on the same map as their own estimate.",
        alternatives="Local news, neighbourhood gossip, for-sale boards on the street.",
    ),
    _Habit(
        persona="renter",
        use_case="browse_homes",
        band="monthly",
        expected_frequency="monthly",
        kind="periodic",
        period_low=11,
        period_high=20,
        jitter=3,
        skip_prob=0.1,
        follow_prob=0.25,
        follow_lag=6,
        problem="Dreaming about, and saving up for, a first home of their own.",
        why_us="For-sale homes one tap away from the rentals they already search here.",
        alternatives="Other listing portals, first-time-buyer blogs and newsletters.",
    ),
    _Habit(
        persona="renter",
        use_case="find_rental",
        band="occasional",
        expected_frequency="yearly",
        kind="periodic",
        period_low=330,
        period_high=400,
        follow_prob=0.5,
        follow_lag=10,
        problem="Finding the next place before the lease runs out, usually in a hurry.",
        why_us="Verified rental listings with one-tap applications and no broker fee.",
        alternatives="Classified sites, letting agents, social media groups, word of mouth.",
    ),
)


# --------------------------------------------------------------------------- #
# Public API                                                                   #
# --------------------------------------------------------------------------- #


def demo_events(
    *,
    users: int = DEFAULT_USERS,
    start: date = DEFAULT_START,
    end: date = DEFAULT_END,
    seed: int = DEFAULT_SEED,
) -> pl.DataFrame:
    """Generate the demo usage log of the fictional property app Nestly.

    Parameters
    ----------
    users
        Number of users to simulate (they sign up throughout the period).
    start, end
        First and last day of the log (inclusive).
    seed
        Seed of ``numpy.random.default_rng``; the same arguments always give the
        same log.

    Returns
    -------
    polars.DataFrame
        One row per event, sorted by time: ``user_id`` (``String``, e.g.
        ``"u00001"``), ``timestamp`` (``Datetime("us", "UTC")``) and ``event``
        (``String``; map events to use cases with :func:`demo_catalog`). About
        0.2% of the rows are exact duplicates (double-fired events). With the
        defaults: 2,000 users over 18 months, a few hundred thousand rows.

    Examples
    --------
    >>> from stickiness.demo import demo_events
    >>> events = demo_events(users=200, seed=1)
    >>> events.columns
    ['user_id', 'timestamp', 'event']
    >>> events.schema["timestamp"]
    Datetime(time_unit='us', time_zone='UTC')
    >>> events.equals(demo_events(users=200, seed=1))
    True
    """
    check_demo_args(users, start, end)
    rng = np.random.default_rng(seed)
    cohort = draw_users(rng, users, start, end)
    return _draw_events(rng, cohort, start, end)


def demo_users(
    *,
    users: int = DEFAULT_USERS,
    start: date = DEFAULT_START,
    end: date = DEFAULT_END,
    seed: int = DEFAULT_SEED,
) -> pl.DataFrame:
    """Return the users behind :func:`demo_events` called with the same arguments.

    Parameters
    ----------
    users, start, end, seed
        As for :func:`demo_events`; pass the same values to get the same users.

    Returns
    -------
    polars.DataFrame
        One row per user, sorted by ``user_id`` (ids follow signup order):
        ``user_id`` (``String``), ``persona`` (``String``: ``agent``,
        ``home_buyer``, ``homeowner`` or ``renter``), ``signup_date``
        (``Date``, the day of the user's first event) and ``plan``
        (``String``: ``free`` or ``pro``).

    Examples
    --------
    >>> from stickiness.demo import demo_users
    >>> people = demo_users(users=200, seed=1)
    >>> people.height, people.columns
    (200, ['user_id', 'persona', 'signup_date', 'plan'])
    >>> sorted(people["persona"].unique())
    ['agent', 'home_buyer', 'homeowner', 'renter']
    """
    check_demo_args(users, start, end)
    rng = np.random.default_rng(seed)
    cohort = draw_users(rng, users, start, end)
    signup_day = (cohort.signup + (start - _EPOCH).days).astype(np.int32)
    return pl.DataFrame(
        {
            "user_id": cohort.ids,
            "persona": pl.Series([p.name for p in _PERSONAS]).gather(cohort.persona),
            "signup_date": pl.Series(signup_day).cast(pl.Date),
            "plan": np.where(cohort.pro, "pro", "free"),
        },
        schema={
            "user_id": pl.String,
            "persona": pl.String,
            "signup_date": pl.Date,
            "plan": pl.String,
        },
    )


def demo_catalog() -> pl.DataFrame:
    """Return the event -> use case map of the demo product.

    Returns
    -------
    polars.DataFrame
        Columns ``event`` and ``use_case`` (both ``String``); every event
        :func:`demo_events` can emit appears exactly once.

    Examples
    --------
    >>> from stickiness.demo import demo_catalog
    >>> catalog = demo_catalog()
    >>> catalog.filter(catalog["event"] == "estimate_viewed")["use_case"].item()
    'home_value'
    """
    return pl.DataFrame(
        {
            "event": [e for uc in _USE_CASES for e in uc.events],
            "use_case": [uc.name for uc in _USE_CASES for _ in uc.events],
        },
        schema={"event": pl.String, "use_case": pl.String},
    )


def demo_use_case_profiles() -> pl.DataFrame:
    """Return what each persona uses each use case for, in words.

    Returns
    -------
    polars.DataFrame
        One row per persona x use case pair of the demo: ``persona``,
        ``use_case``, ``problem`` (the job to be done), ``why_us`` (why Nestly
        rather than something else), ``alternatives`` (what else they could
        use) and ``expected_frequency`` (one of ``daily``, ``weekly``,
        ``monthly``, ``quarterly``, ``yearly``: how often the job comes up).

    Examples
    --------
    >>> from stickiness.demo import demo_use_case_profiles
    >>> profiles = demo_use_case_profiles()
    >>> profiles.columns
    ['persona', 'use_case', 'problem', 'why_us', 'alternatives', 'expected_frequency']
    """
    return pl.DataFrame(
        {
            "persona": [h.persona for h in _HABITS],
            "use_case": [h.use_case for h in _HABITS],
            "problem": [h.problem for h in _HABITS],
            "why_us": [h.why_us for h in _HABITS],
            "alternatives": [h.alternatives for h in _HABITS],
            "expected_frequency": [h.expected_frequency for h in _HABITS],
        },
        schema=dict.fromkeys(
            ["persona", "use_case", "problem", "why_us", "alternatives", "expected_frequency"],
            pl.String,
        ),
    )


def planted_bands() -> pl.DataFrame:
    """Return the habit band each persona x use case pair was generated with.

    Bands are measured as active days per 30 days: ``daily`` (>= 20),
    ``weekly`` (4 to < 20), ``monthly`` (1 to < 4) and ``occasional`` (< 1).

    Returns
    -------
    polars.DataFrame
        Columns ``persona``, ``use_case`` and ``band`` (all ``String``), one row
        per pair present in the demo.

    Examples
    --------
    >>> from stickiness.demo import planted_bands
    >>> bands = planted_bands()
    >>> bands.filter(bands["use_case"] == "manage_listings")["band"].item()
    'daily'
    """
    return pl.DataFrame(
        {
            "persona": [h.persona for h in _HABITS],
            "use_case": [h.use_case for h in _HABITS],
            "band": [h.band for h in _HABITS],
        },
        schema={"persona": pl.String, "use_case": pl.String, "band": pl.String},
    )


def write_demo(directory: str | os.PathLike[str], *, seed: int = DEFAULT_SEED) -> dict[str, Path]:
    """Write the default demo data set as CSV files.

    Parameters
    ----------
    directory
        Folder to write into; created (with its parents) if missing. Existing
        files of the same names are overwritten.
    seed
        Seed passed to :func:`demo_events` and :func:`demo_users`.

    Returns
    -------
    dict of str to pathlib.Path
        ``{"events": ..., "users": ..., "use_cases": ...}``:

        * ``events.csv`` -- ``user_id,timestamp,event`` with ISO-8601 UTC
          timestamps such as ``2025-03-04T14:22:31.123Z``;
        * ``users.csv`` -- ``user_id,persona,signup_date,plan``;
        * ``use_cases.csv`` -- the catalog (``event,use_case``, as
          :func:`demo_catalog`);
        * ``use_case_profiles.csv`` -- per persona and use case: ``problem,
          why_us, alternatives, expected_frequency`` (:func:`demo_use_case_profiles`).

    Examples
    --------
    >>> import tempfile
    >>> from stickiness.demo import write_demo
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     paths = write_demo(folder)
    ...     sorted(paths), paths["events"].name
    (['events', 'profiles', 'use_cases', 'users'], 'events.csv')
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "events": folder / "events.csv",
        "users": folder / "users.csv",
        "use_cases": folder / "use_cases.csv",
        "profiles": folder / "use_case_profiles.csv",
    }
    iso = pl.col("timestamp").dt.strftime(_ISO_FORMAT)
    events = demo_events(seed=seed).with_columns(iso)
    events.write_csv(paths["events"])
    demo_users(seed=seed).write_csv(paths["users"])
    demo_catalog().write_csv(paths["use_cases"])
    demo_use_case_profiles().write_csv(paths["profiles"])
    return paths


# --------------------------------------------------------------------------- #
# The generator                                                                #
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class _Cohort:
    ids: pl.Series  # user_id strings, index = user number
    persona: _Ints  # persona index per user
    signup: _Ints  # signup day (0 = start)
    last: _Ints  # last day the user can be active (inclusive)
    pro: _Bools  # on the paid plan


def check_demo_args(users: int, start: date, end: date) -> None:
    """Check the demo generators' shared arguments (the usage and the accounts demo)."""
    if isinstance(users, bool) or not isinstance(users, (int, np.integer)) or users < 1:
        msg = f"users={users!r} is not a positive whole number; pass e.g. users=2000."
        raise InvalidOptionError(msg)
    if (
        not isinstance(start, date)
        or not isinstance(end, date)
        or isinstance(start, datetime)
        or isinstance(end, datetime)
        or end <= start
    ):
        msg = (
            f"start={start!r}, end={end!r} is not a valid period; pass two datetime.date "
            "values (not datetimes) with start before end, e.g. start=date(2025, 1, 1)."
        )
        raise InvalidOptionError(msg)


def draw_users(rng: np.random.Generator, n: int, start: date, end: date) -> _Cohort:
    """Draw the users. Both public generators start from this, in this order."""
    n_days = (end - start).days + 1
    # Signups grow exponentially: density proportional to exp(g * t), g = ln(growth).
    g = np.log(_SIGNUP_GROWTH)
    u = rng.random(n)
    signup = np.floor(n_days * np.log1p(u * (_SIGNUP_GROWTH - 1.0)) / g).astype(np.int64)
    signup = np.sort(np.clip(signup, 0, n_days - 1))  # ids follow signup order

    shares = np.array([p.share for p in _PERSONAS])
    persona = rng.choice(len(_PERSONAS), size=n, p=shares / shares.sum())

    mean_life = np.array([p.mean_lifetime_days for p in _PERSONAS])[persona]
    lifetime = np.ceil(rng.exponential(mean_life)).astype(np.int64)
    lifetime = np.maximum(lifetime, 1)
    lifetime[rng.random(n) < _ONE_AND_DONE_SHARE] = 1
    last = np.minimum(signup + lifetime - 1, n_days - 1)

    pro = rng.random(n) < np.array([p.pro_share for p in _PERSONAS])[persona]

    width = max(5, len(str(n)))
    number = pl.int_range(1, n + 1).cast(pl.String).str.zfill(width)
    ids = pl.select(pl.lit("u") + number).to_series()
    return _Cohort(ids=ids.alias("user_id"), persona=persona, signup=signup, last=last, pro=pro)


def _hour_cdf() -> _Floats:
    """Cumulative hour-of-day distribution (UTC), one row per persona."""
    centre = np.arange(24) + 0.5
    rows = []
    for persona in _PERSONAS:
        weight = np.full(24, 0.01)
        for hour, spread, w in persona.hours:
            weight += w * np.exp(-0.5 * ((centre - hour) / spread) ** 2)
        rows.append(np.cumsum(weight) / weight.sum())
    return np.array(rows)


def _event_cdf() -> _Floats:
    """Cumulative distribution over each use case's events (padded with 1.0)."""
    width = max(len(uc.events) for uc in _USE_CASES)
    cdf = np.ones((len(_USE_CASES), width))
    for i, uc in enumerate(_USE_CASES):
        w = np.asarray(uc.weights, dtype=float)
        cdf[i, : len(w)] = np.cumsum(w) / w.sum()
    cdf[:, -1] = 1.0
    return cdf


def _habit_days(
    rng: np.random.Generator,
    habit: _Habit,
    cohort: _Cohort,
    members: _Ints,
    n_days: int,
    weekend: _Bools,
    primary: bool,
) -> _Ints:
    """Return ``user * n_days + day`` for each day a member practises ``habit``."""
    signup = cohort.signup[members]
    last = cohort.last[members]
    m = len(members)
    if habit.kind == "rate":
        rate = rng.uniform(habit.low, habit.high, m)  # active days per 30 days
        p_weekday = rate * 7.0 / (30.0 * (5.0 + 2.0 * habit.weekend_factor))
        factor = np.where(weekend, habit.weekend_factor, 1.0)
        prob = np.minimum(p_weekday[:, None] * factor[None, :], 1.0)
        days = np.arange(n_days)
        hit = rng.random((m, n_days)) < prob
        hit &= (days[None, :] >= signup[:, None]) & (days[None, :] <= last[:, None])
        rows, day = np.nonzero(hit)
    else:
        k = n_days // habit.period_low + 2
        period = rng.integers(habit.period_low, habit.period_high + 1, m)
        phase = np.zeros(m, dtype=np.int64) if primary else rng.integers(0, period)
        jitter = rng.integers(-habit.jitter, habit.jitter + 1, (m, k))
        if primary:
            jitter[:, 0] = 0  # the signup day opens the first occasion
        occasion = signup[:, None] + phase[:, None] + np.arange(k)[None, :] * period[:, None]
        occasion += jitter
        keep = rng.random((m, k)) >= habit.skip_prob
        follow = occasion + rng.integers(1, habit.follow_lag + 1, (m, k))
        follow_keep = keep & (rng.random((m, k)) < habit.follow_prob)
        grid = np.broadcast_to(np.arange(m)[:, None], (m, k))
        rows = np.concatenate([grid[keep], grid[follow_keep]])
        day = np.concatenate([occasion[keep], follow[follow_keep]])
        valid = (day >= signup[rows]) & (day <= last[rows])
        rows, day = rows[valid], day[valid]
    keys = members[rows] * n_days + day
    if primary:
        keys = np.concatenate([keys, members * n_days + signup])
    return np.unique(keys)


def _draw_events(rng: np.random.Generator, cohort: _Cohort, start: date, end: date) -> pl.DataFrame:
    """Draw the log of ``cohort``: active days, then events, times and duplicates."""
    n_days = (end - start).days + 1
    start_day = (start - _EPOCH).days
    weekend = (np.arange(n_days) + start.weekday()) % 7 >= 5
    persona_index = {p.name: i for i, p in enumerate(_PERSONAS)}
    uc_index = {uc.name: i for i, uc in enumerate(_USE_CASES)}

    # 1. Active (user, day) pairs per use case.
    keys, ucs = [], []
    seen: set[str] = set()
    for habit in _HABITS:
        members = np.flatnonzero(cohort.persona == persona_index[habit.persona])
        primary = habit.persona not in seen
        seen.add(habit.persona)
        k = _habit_days(rng, habit, cohort, members, n_days, weekend, primary)
        keys.append(k)
        ucs.append(np.full(len(k), uc_index[habit.use_case], dtype=np.int64))
    key = np.concatenate(keys)
    s_uc = np.concatenate(ucs)
    s_user = key // n_days
    s_day = key % n_days
    n_sessions = len(key)

    # 2. Events per active day: the use case's opening event, then a few more.
    extra = np.array([uc.extra_events for uc in _USE_CASES])[s_uc]
    n_ev = np.minimum(1 + rng.poisson(extra), _MAX_EVENTS_PER_SESSION)
    first = np.cumsum(n_ev) - n_ev  # row of each session's first event
    total = int(n_ev.sum())
    row_session = np.repeat(np.arange(n_sessions), n_ev)
    position = np.arange(total) - first[row_session]
    row_uc = s_uc[row_session]
    local = (rng.random(total)[:, None] >= _event_cdf()[row_uc]).sum(axis=1)
    local[position == 0] = 0
    offsets = np.cumsum([0] + [len(uc.events) for uc in _USE_CASES])[:-1]
    event_id = offsets[row_uc] + local

    # 3. Times: a session start at a plausible hour, then 5 s + ~40 s between events.
    hour_cdf = _hour_cdf()[cohort.persona[s_user]]
    hour = np.minimum((rng.random(n_sessions)[:, None] >= hour_cdf).sum(axis=1), 23)
    start_ms = hour * 3_600_000 + rng.integers(0, 3_600_000, n_sessions)
    gap = (5_000 + rng.exponential(40_000.0, total)).astype(np.int64)
    gap[position == 0] = 0
    elapsed = np.cumsum(gap)
    elapsed -= elapsed[first][row_session]
    duration = elapsed[first + n_ev - 1]
    start_ms = np.minimum(start_ms, 86_399_000 - duration)
    day_ms = (start_day + s_day) * 86_400_000 + start_ms
    ts_us = (day_ms[row_session] + elapsed) * 1000
    row_user = s_user[row_session]

    # 4. Sort by time, then double-fire ~0.2% of the rows (kept next to the original).
    order = np.lexsort((event_id, row_user, ts_us))
    n_dup = round(total * _DUPLICATE_SHARE)
    dup = rng.choice(total, size=n_dup, replace=False)
    order = order[np.sort(np.concatenate([np.arange(total), dup]))]

    names = pl.Series([e for uc in _USE_CASES for e in uc.events], dtype=pl.String)
    micros = pl.Series(ts_us[order], dtype=pl.Int64)
    return pl.DataFrame(
        {
            "user_id": cohort.ids.gather(row_user[order]),
            "timestamp": micros.cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
            "event": names.gather(event_id[order]),
        }
    )
