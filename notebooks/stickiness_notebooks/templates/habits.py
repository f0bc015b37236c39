# %% [markdown]
# # Habits over time
#
# **Who comes back most days, and how do users move between using the product, being at risk and leaving?**
#
# - **The power-user curve**: of the users active in the `mau_window` (30) days to the last day, how many were
#   active on exactly 1, 2, ... 30 of those days. The bars add up to MAU. A product used out of habit has a hump
#   at the right; one used now and then piles up at 1 day. **Power users** are active on 20 or more days of 30
#   (the daily band, scaled to the window: 19 of 28, 5 of 7). Per persona, and per use case of the catalog.
# - **The habit mix**: the frequency spectrum (daily, weekly, monthly, occasional, lapsed) recomputed at the end
#   of each month, as shares of the evaluable adopters of each use case; **band migration**: how many users moved
#   from each band 30 days ago to each band now; **time to habit**: how many days after their first use users
#   reached the weekly band.
# - **Growth states** (Duolingo's growth model): on each day every user seen so far is in one state: *new*
#   (first active day), *current* (also active in the 6 days before), *reactivated* (back after 7 to 29 days
#   away), *resurrected* (back after 30 days or more), *at risk WAU* (not today, but in the last 7 days), *at
#   risk MAU* (not in the last 7 days, but in the last 30) or *dormant* (not in the last 30 days). DAU, WAU and
#   MAU are sums of states; the day-over-day **transition rates** (current to current, CURR; new to current,
#   NURR; ...) are what a product team moves.
#
# How to read it: a curve that moves right over time, and a growing current state, mean habits are forming; a
# large at-risk band with few reactivations means users slip away unnoticed. `active_events` restricts every
# count to the key action (e.g. a purchase). Definitions with worked examples: `docs/power-users.md`,
# `docs/habits-over-time.md` and `docs/growth-states.md`.

# %% tags=["parameters"]
events = None  # the usage log: CSV, Parquet (file, glob or folder) or NDJSON path; None runs on the demo data
users = None  # users table with a segment column such as persona (CSV or Parquet); None: no segments
use_cases = None  # use-case catalog: CSV or YAML mapping events to use cases; None: each event is its own
by = None  # users-table column to break results down by; None: "persona" when the users table has it
tz = "UTC"  # the analysis time zone (IANA name): a day is a calendar date there
start = None  # first day to analyse, "YYYY-MM-DD"; None: the log's first day
as_of = None  # last day to analyse, "YYYY-MM-DD"; None: the log's last day
user_col = "auto"  # the log's user column; "auto" finds user_id, user, customer_id, ...
time_col = "auto"  # the log's time column; "auto" finds timestamp, time, date, ...
event_col = "auto"  # the log's event column; None when the log has none (every row is a use)
time_unit = None  # "s" or "ms" when times are epoch numbers
mixed_offsets = "error"  # times with and without a UTC offset in one column: "error" or "assume_tz"
users_key = "auto"  # the users table's user column; "auto": the log's user column name, else detected
keep_null_like_ids = False  # True keeps user ids such as NA, NULL, None, \N as ids (default: set aside, counted)
encoding = "utf-8"  # text encoding of CSV and JSON inputs, e.g. "latin-1" or "cp1252"
engine = "polars"  # "polars", "duckdb" or "pyspark" (docs/engines.md)
memory_limit = None  # bound the memory the engine uses, e.g. "2GB" (DuckDB spills to disk past it; docs/engines.md)
account_col = None  # users-table column naming each user's account: count accounts, not users (docs/accounts.md)
user_tz_col = "auto"  # users-table column of each user's time zone ("auto": tz, time_zone, timezone; None: all in tz)
week_start = "monday"  # the day weekly periods start on: "monday" (ISO weeks), "sunday", or any day name
mau_window = 30  # the power-user window in days (the MAU window; 7 and 28 are common)
active_events = None  # events that count as activity, e.g. ["purchase"]; None: any event
habit_window = 90  # window W over which each user's rate (active days per 30) is measured
horizon = 365  # horizon H: a user adopted a use case if they used it in the last H days
min_exposure = 30  # days a user must have been around to be judged
mix_period = "month"  # the habit mix's period ends: "month" (month ends) or "week" (Sundays)
migration_days = 30  # band migration compares the bands this many days before the last day with the last day's
habit_band = "weekly"  # time to habit: the least frequent band that counts as a habit ("daily" or "weekly")
out = None  # folder for tables/, charts/ and ledger.json; None: named after the notebook (habits-report)
spreadsheet_safe = True  # CSV text cells a spreadsheet would run as formulas get a leading apostrophe (docs/outputs.md)
xlsx = True  # write report.xlsx: every table on its own sheet, with the ledger and these settings
pptx = True  # write report.pptx: a title slide with the summary, then one slide per chart

# %% Read the log
import stickiness as st
import stickiness_widgets as sw
from stickiness.findings import FindingOptions
from stickiness.findings.power_users import power_users_finding
from stickiness_notebooks import export_report, open_inputs, report_folder, template_settings

out = report_folder(out)  # None: in JupyterLab, named after this notebook (x.ipynb -> x-report/)

log, catalog, by = open_inputs(  # read_log with these options; the demo data when events is None
    events,
    out=out,  # the ledger is saved there first; with no usable row the run stops here, with the ledger
    users=users,
    use_cases=use_cases,
    by=by,
    user=user_col,
    time=time_col,
    event=event_col,
    tz=tz,
    start=start,
    as_of=as_of,
    time_unit=time_unit,
    mixed_offsets=mixed_offsets,
    users_key=users_key,
    keep_null_like_ids=keep_null_like_ids,
    encoding=encoding,
    engine=engine,
    memory_limit=memory_limit,
    account=account_col,  # None: per user
    user_tz=user_tz_col,
    week_start=week_start,
)
segment = st.segment_column(by)  # the outputs name their segment column after by (docs/metrics.md, Segments)
print(f"{log.ledger.rows_used:,} of {log.ledger.rows_read:,} rows used; days {log.first_day} to {log.as_of} ({tz})")
sw.table(log.ledger)  # rows read = rows used + rows set aside, by reason

# %% [markdown]
# ## The power-user curve
#
# Each histogram is one persona's users active in the `mau_window` days to the last day, by the number of those
# days they were active on; the coloured bars are the power users, and each histogram states their share. Read
# the shape: most users at 1 or 2 days means the product is visited now and then; a second hump at the right is
# a core of daily users. The sentence below the chart says the same in words, persona by persona.

# %% Power users
power_users = st.power_users(log, window=mau_window, by=by, active_events=active_events)
power_users_chart = sw.power_user_chart(power_users, by=by, unit=log.unit)
power_users_chart

# %% Power users in words
finding = power_users_finding(power_users, FindingOptions(mau_window=mau_window, unit=log.unit))  # the summary's line
print(finding.sentence if finding else "Nobody was active in the window.")
if finding:  # per segment: its users in the window (MAU), the share and the number of power users
    sw.table(finding.numbers, folder=None, formats={"power": "share"}, title="Power users per segment")

# %% [markdown]
# ## The power-user curve per use case
#
# The same curve for each use case of the catalog (without one, each event is its own use case), every persona
# together: a use case whose users come back most days is a habit; one whose users come once a month is
# remembered only when the need comes back. `sw.power_users_by_use_case_chart(power_users_by_use_case,
# segment="agent")` draws one persona's curves. `(unmapped)`, the events no catalog rule matches, is left out.

# %% Power users by use case
power_users_by_use_case = st.power_users_by_use_case(log, catalog, window=mau_window, by=by)
power_users_by_use_case_chart = sw.power_users_by_use_case_chart(power_users_by_use_case, by=segment, unit=log.unit)
power_users_by_use_case_chart

# %% [markdown]
# ## The habit mix
#
# The frequency spectrum at the end of each month: of each use case's evaluable adopters (users who used it in
# the last `horizon` days and have been around `min_exposure` days), the share in each band by their rate over
# the `habit_window` days to that day. The last period ends on the last day. Read whether the daily and weekly
# bands grow from month to month; each share has a 95% interval in `tables/habit_mix.csv` (`share_low`,
# `share_high`), and `small_sample` marks shares of fewer than 30 users.

# %% Habit mix
habit_options = {"by": by, "window": habit_window, "horizon": horizon, "min_exposure": min_exposure}
habit_mix = st.habit_mix(log, catalog, period=mix_period, **habit_options)
habit_mix_chart = sw.habit_mix_chart(habit_mix, by=segment, unit=log.unit)
habit_mix_chart

# %% [markdown]
# ## Band migration
#
# Where each user of a use case was `migration_days` days before the last day (rows) and where they are now
# (columns). `new` users were not evaluable adopters then (new, or back after the horizon); `gone` ones are no
# longer adopters now. The rows add up to the earlier spectrum and the columns to the last one; cells right of
# the diagonal are users who now use the use case less often.

# %% Band migration
band_migration = st.band_migration(log, catalog, period_days=migration_days, **habit_options)
band_migration_chart = sw.band_migration_chart(band_migration, by=segment, unit=log.unit)
band_migration_chart

# %% [markdown]
# ## Time to habit
#
# Of the users who could be measured, how many reached the `habit_band` band or a more frequent one, and the
# median (and quartiles) of the days from their first use until they did. A short time to habit means the use
# case proves itself quickly; a low share reached means most users never make it a habit.

# %% Time to habit
time_to_habit = st.time_to_habit(log, catalog, band=habit_band, **habit_options)
sw.table(time_to_habit, "time_to_habit", folder=out)

# %% [markdown]
# ## Growth states
#
# Every user seen so far, stacked by state, day by day: the active states at the bottom (their sum is DAU), then
# at risk (not today: in WAU, then in MAU) and dormant on top. A growing dormant band is normal (everyone who ever
# tried the product stays in it); watch the active and at-risk bands. The title reads the last day.

# %% Growth states
growth_states = st.growth_states(log, by=by, active_events=active_events)
growth_states_chart = sw.growth_states_chart(growth_states, by=by, unit=log.unit)
growth_states_chart

# %% [markdown]
# ## Transition rates
#
# How users moved from the day before to the last day: `users` in `from_state` on the day before and in
# `to_state` on the last day, and `rate`, their share of `from_state`. Duolingo's named rates are rows of it:
# **CURR** is current → current (of the users active recently, the share active again today), **NURR** new →
# current, **RURR** reactivated → current, **SURR** resurrected → current; at_risk_wau → current or reactivated
# is the share of at-risk users won back. A falling CURR is the earliest sign of a habit weakening. The whole
# table, every day, is `tables/growth_transitions.csv`.

# %% Transition rates
growth_transitions = st.growth_transitions(log, by=by, active_events=active_events)
last_moves = growth_transitions.filter(growth_transitions["day"] == growth_transitions["day"].max())
sw.table(last_moves.filter(last_moves["users"] > 0), "growth_transitions", folder=out)

# %% [markdown] tags=["author"]
# ## Export
#
# Writes the tables (CSV), the charts (PNG and SVG), the row ledger (JSON), `report.xlsx` (every table, the
# ledger and the settings) and `report.pptx` (a summary slide, one slide per chart) to `out`.

# %% Export tags=["author"]
written = export_report(
    out,
    spreadsheet_safe=spreadsheet_safe,
    xlsx=xlsx,
    pptx=pptx,
    settings=template_settings("habits", globals()),
    log=log,
    tables={
        "power_users": power_users,
        "power_users_by_use_case": power_users_by_use_case,
        "growth_states": growth_states,
        "growth_transitions": growth_transitions,
        "habit_mix": habit_mix,
        "band_migration": band_migration,
        "time_to_habit": time_to_habit,
    },
    charts={
        "power_users": power_users_chart,
        "power_users_by_use_case": power_users_by_use_case_chart,
        "growth_states": growth_states_chart,
        "habit_mix": habit_mix_chart,
        "band_migration": band_migration_chart,
    },
)


# %% Summary tags=["summary"]
# The findings in plain words and the next steps, from the tables just written (stickiness.report_findings):
# report.html and report.pdf open with this cell's output.
from stickiness_notebooks import report_summary

summary = report_summary(out, globals())
summary
