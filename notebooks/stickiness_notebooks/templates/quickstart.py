# %% [markdown]
# # Quickstart: how sticky is the product, and what is being forgotten?
#
# This notebook answers the kit's question in one pass over a usage log:
#
# 1. **The row ledger**: every row of the log is either used or set aside for a stated reason.
# 2. **Active users**: DAU, WAU and MAU per day, and **stickiness = DAU / MAU**, the share of the month's users
#    who use the product on a typical day.
# 3. **The frequency spectrum**: per persona and use case, how many users sit in each habit band
#    (daily, weekly, monthly, occasional, lapsed).
# 4. **The use-case map and the forgettable zone**: the segments where most users use a use case less than once
#    a month, and so are likely to forget it.
# 5. **Retention and lifecycle**: churn and retention per period, who is new, returning, back or gone, and the
#    users gone quiet for longer than their own rhythm.
#
# Every number is defined in the kit's docs (`docs/metrics.md`, `docs/use-cases.md`) so that it can be
# reproduced by hand.

# %% [markdown] tags=["author"]
# Set the parameters in the next cell (or pass them with `stickiness report`), then run all cells. With no log
# given, the notebook runs on the built-in demo data. The summary is the last cell; report.html opens with it.

# %% tags=["parameters"]
events = None  # the usage log: CSV, Parquet (file, glob or folder) or NDJSON path; None runs on the demo data
users = None  # users table with a segment column such as persona (CSV or Parquet); None: no segments
use_cases = None  # use-case catalog: CSV or YAML mapping events to use cases; None: the whole product as one
profiles = None  # per persona x use case: problem, why_us, alternatives, expected_frequency (CSV); optional
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
account_col = None  # users-table column naming each user's account: count accounts, not users (docs/accounts.md)
user_tz_col = "auto"  # users-table column of each user's time zone ("auto": tz, time_zone, timezone; None: all in tz)
week_start = "monday"  # the day weekly periods start on: "monday" (ISO weeks), "sunday", or any day name
keep_null_like_ids = False  # True keeps user ids such as NA, NULL, None, \N as ids (default: set aside, counted)
encoding = "utf-8"  # text encoding of CSV and JSON inputs, e.g. "latin-1" or "cp1252"
engine = "polars"  # "polars", "duckdb" or "pyspark" (docs/engines.md)
memory_limit = None  # bound the memory the engine uses, e.g. "2GB" (DuckDB spills to disk past it; docs/engines.md)
mau_window = 30  # MAU window in days
habit_window = 90  # window W over which each user's rate (active days per 30) is measured
horizon = 365  # horizon H: a user adopted a use case if they used it in the last H days (and typical intervals)
min_exposure = 30  # days a user must have been around to be judged
threshold = 1.0  # forgettable below this many active days per 30
majority = 0.5  # share of forgettable users that puts a segment in the forgettable zone
min_users = 30  # evaluable users a segment needs before it is judged
period = "month"  # retention and lifecycle period: "month", "week" (from week_start) or "day"
inactive_days = 30  # the inactivity list: users with no activity in the last this many days
out = None  # folder for tables/, charts/ and ledger.json; None: named after the notebook (quickstart-report)
spreadsheet_safe = True  # CSV text cells a spreadsheet would run as formulas get a leading apostrophe (docs/outputs.md)
xlsx = True  # write report.xlsx: every table on its own sheet, with the ledger and these settings
pptx = True  # write report.pptx: a title slide with the summary, then one slide per chart

# %% Read the log
import stickiness as st
import stickiness_widgets as sw
from stickiness_notebooks import export_report, open_inputs, report_folder, template_settings

out = report_folder(out)  # None: in JupyterLab, named after this notebook (x.ipynb -> x-report/)

log, catalog, by = open_inputs(  # read_log with these options; the demo data when events is None
    events,
    out=out,  # the ledger is saved there first; with no usable row the run stops here, with the ledger
    users=users,
    use_cases=use_cases,
    profiles=profiles,
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
    account=account_col,  # None: per user
    user_tz=user_tz_col,
    week_start=week_start,
    keep_null_like_ids=keep_null_like_ids,
    encoding=encoding,
    engine=engine,
    memory_limit=memory_limit,
)
segment = st.segment_column(by)  # the outputs name their segment column after by (docs/metrics.md, Segments)
print(f"{log.ledger.rows_used:,} of {log.ledger.rows_read:,} rows used; days {log.first_day} to {log.as_of} ({tz})")
sw.table(log.ledger)  # rows read = rows used + rows set aside, by reason

# %% [markdown]
# ## Active users and stickiness
#
# **DAU** is the number of users active on a day, **MAU** those active in the 30 days ending on it, and
# **stickiness = DAU / MAU**. A stickiness of 20% means the average monthly user comes back about 6 days a month.
# Days whose window starts before the log are drawn shaded: their MAU is incomplete. A last day that looks partial
# (the log stops early that day) gets a grey stripe and is not headlined (`partial_day`, `docs/metrics.md`).

# %% Active users
active_users = st.active_users(log, window=mau_window, by=by)
monthly_active_users = st.monthly_active_users(log, by=by)
active_users_chart = sw.active_users_chart(active_users, by=by, unit=log.unit)
active_users_chart

# %% Monthly active users
monthly_active_users_chart = sw.monthly_active_users_chart(monthly_active_users, by=by, unit=log.unit)
monthly_active_users_chart

# %% [markdown]
# ## Power users
#
# The **power-user curve**: how many of the users active in the `mau_window` days to the last day were active on
# exactly 1, 2, ... of those days (they add up to MAU). A product used out of habit has a hump at the right; one
# used now and then piles up at 1 day. Coloured bars are power users: active on 20 or more days of 30 (the daily
# band, scaled to the window). With a catalog, `power_users_by_use_case` gives the same curve per use case
# (`docs/power-users.md`).

# %% Power users
power_users = st.power_users(log, window=mau_window, by=by)
power_users_chart = sw.power_user_chart(power_users, by=by, unit=log.unit)
power_users_chart

# %% [markdown]
# ## The frequency spectrum
#
# Each user who used a use case in the last `horizon` days gets a rate: active days with it per 30 days over
# the last `habit_window` days. The rate puts them in a habit band: **daily** (20 or more), **weekly** (4 to 20),
# **monthly** (1 to 4), **occasional** (above 0, below 1) or **lapsed** (0). Read each bar as the habit mix of
# one persona's use of one use case.

# %% Frequency spectrum
habit_options = {"by": by, "window": habit_window, "horizon": horizon, "min_exposure": min_exposure}
frequency_spectrum = st.frequency_spectrum(
    log, catalog, **habit_options, threshold=threshold, majority=majority, min_users=min_users
)
frequency_spectrum_chart = sw.spectrum_chart(frequency_spectrum, majority=majority, min_users=min_users, by=segment)
frequency_spectrum_chart

# %% [markdown]
# ## Habits over time
#
# The **habit mix** is the same spectrum at the end of each month, as shares of the evaluable adopters (the last
# one is the spectrum above): read whether the daily and weekly bands grow. `band_migration` counts the users who
# moved between bands in the last 30 days (`new`: not an evaluable adopter before, `gone`: no longer one), and
# `time_to_habit` how many days after their first use users reached the weekly band (`docs/habits-over-time.md`).

# %% Habit mix
habit_mix = st.habit_mix(log, catalog, **habit_options)
habit_mix_chart = sw.habit_mix_chart(habit_mix, by=segment, unit=log.unit)
habit_mix_chart

# %% [markdown]
# ## The use-case map and the forgettable zone
#
# The map puts each persona and use case side by side with the catalog's problem, why the product is better,
# and the alternatives, next to the measured frequency. A segment is in the **forgettable zone** when more than
# `majority` of its evaluable users use the use case less than `threshold` days per 30: they are likely to
# forget the product exists when the problem comes back. The bars show the share with its 95% interval.
# Segments the catalog expects to be used less often than that (quarterly, yearly) are listed apart, as
# **rarely used, as expected** (orange): no surprise. `(unmapped)`, the events no catalog rule matches, is not a
# use case and is never listed; `(any)` in the tables is the product as a whole.

# %% Use-case map
use_case_map = st.use_case_map(
    log, catalog, **habit_options, threshold=threshold, majority=majority, min_users=min_users
)
use_case_map_chart = sw.use_case_map_chart(use_case_map, by=segment, unit=log.unit)
use_case_map_chart

# %% Forgettable zone
zone = st.forgettable_zone(log, catalog, **habit_options, threshold=threshold, majority=majority, min_users=min_users)
forgettable_zone_chart = sw.forgettable_zone_chart(use_case_map, majority=majority, by=segment)
forgettable_zone_chart

# %% Segments in the forgettable zone
findings = zone.filter(zone["verdict"] == "forgettable").drop("problem", "why_us", "alternatives")
rare_as_expected = zone.filter(zone["verdict"] == "rare as expected").drop("problem", "why_us", "alternatives")
print(f"{findings.height} segments in the forgettable zone; {rare_as_expected.height} rarely used, as expected")
# the columns a reader needs to judge a segment; the CSV has them all
zone_view = [segment, "use_case", "expected_frequency", "evaluable", "forgettable_share", "ci_low", "ci_high"]
zone_view += ["median_rate", "modal_band"]
sw.table(findings.select(zone_view), "forgettable_zone", folder=out, csv="use_case_map")  # every verdict

# %% Rarely used, as expected
# in the zone, as the catalog's expected_frequency says: no surprise
sw.table(rare_as_expected.select(zone_view), "rare_as_expected", folder=out, csv="use_case_map")

# %% [markdown]
# ## Retention and lifecycle
#
# **Churn** is the share of last period's active users who are not active this period; **retention** is
# returning (active − new) / last period's active users, so it also counts users who come back after a gap and can
# exceed 100%; with fewer than `min_users` users active before, a rate is marked `sufficient = false`. The lifecycle
# splits each period's active users into returning, resurrecting (back after a gap) and new, with the users who
# went dormant below zero; the **quick ratio**, (new + resurrecting) / dormant, is above 1 when the active base
# grows. The inactivity list holds the users with no activity in the last `inactive_days` days, each judged
# against their own rhythm (`at_risk`: quiet for more than twice their usual interval; `dormant`: more than 90
# days). Partial periods are drawn pale or hollow. More in the "Retention and lifecycle" template and
# `docs/retention.md`.

# %% Retention and churn
retention = st.retention(log, by=by, period=period, min_users=min_users)  # sufficient: min_users before
retention_chart = sw.retention_chart(retention, period=period, unit=log.unit)
retention_chart

# %% Lifecycle
lifecycle = st.lifecycle(log, by=by, period=period)
lifecycle_chart = sw.lifecycle_chart(lifecycle, period=period, unit=log.unit)
lifecycle_chart

# %% Inactivity list
inactive_users = st.inactive_users(log, days=inactive_days, by=by, horizon=horizon)  # the use-case tables' horizon
print(f"{inactive_users.height:,} users with no activity in the last {inactive_days} days")
inactive_counts = inactive_users.group_by(segment, "status").len("users")
sw.table(inactive_counts.sort(segment, "users", descending=[False, True]), "inactive_users", folder=None)

# %% [markdown] tags=["author"]
# ## Export
#
# Writes the tables (CSV), the charts (PNG and SVG), the row ledger (JSON), `report.xlsx` (every table, the
# ledger and the settings) and `report.pptx` (a summary slide, one slide per chart) to `out`. `stickiness report`
# also turns this notebook into one self-contained `report.html` (and `report.pdf`).

# %% Export tags=["author"]
from stickiness_notebooks.spec import QUICKSTART, report_outputs

# the report's tables and charts as stickiness_notebooks/spec.py lists them (as `stickiness report --no-notebook`):
# the ones above as computed (and edited) here, the others (drifting users, unmapped events) computed from the spec
written = export_report(
    out,
    spreadsheet_safe=spreadsheet_safe,
    xlsx=xlsx,
    pptx=pptx,
    settings=template_settings("quickstart", globals()),
    log=log,
    **report_outputs(QUICKSTART, globals()),
)


# %% Summary tags=["summary"]
# The findings in plain words and the next steps, from the tables just written (stickiness.report_findings):
# report.html and report.pdf open with this cell's output.
from stickiness_notebooks import report_summary

summary = report_summary(out, globals())
summary
