# %% [markdown]
# # Retention and lifecycle
#
# **Who stays, who leaves, who comes back, and what did they last do before leaving?**
#
# - **Retention and churn**, per `period` (a calendar month by default): churn is the share of the previous
#   period's active users who are not active in this one; retention is returning (active − new) / the previous
#   period's active users, which also counts users coming back after a gap (so it can exceed 100%). Rates resting
#   on fewer than `min_users` users active before are marked `sufficient = false`.
# - **Cohorts**: users grouped by their first active period, and the share of each cohort still counted 1, 2, 3...
#   periods later (the heatmap), averaged over the cohorts into one **retention curve**.
# - **Lifecycle**: each period's active users split into returning, resurrecting (back after a gap) and new, with
#   the dormant ones (active the period before, not in this one) below zero. The **quick ratio**, (new +
#   resurrecting) / dormant, is above 1 when the active base grows.
# - **One-and-done** users came on a single day and never returned; the **repeat rate** is the share of a period's
#   active users who had been active before.
# - **Rhythm-aware dormancy** judges each user against their own typical interval between active days: a weekly
#   user quiet for three weeks is *at risk*, a quarterly one is not. The **inactivity list** is the re-engagement
#   list of users with no activity in the last `inactive_days` days.
# - **Feature adoption**: the share of each persona's active users who used each use case, per period; **where
#   users leave**: the last steps of users who then left, ranked by how much more common they are than among users
#   who stayed (the lift).
#
# How to read it: periods that are not fully observed (the log starts or ends inside them) are drawn pale or
# hollow and marked `complete = false` in the tables: compare complete periods only. Definitions with a worked
# example: `docs/retention.md`.

# %% tags=["parameters"]
events = None  # the usage log: CSV, Parquet (file, glob or folder) or NDJSON path; None runs on the demo data
users = None  # users table with a segment column such as persona (CSV or Parquet); None: no segments
use_cases = None  # use-case catalog: CSV or YAML mapping events to use cases; None: each event is its own
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
period = "month"  # "month", "week" (from week_start) or "day": the period of retention, cohorts, lifecycle
cohort_mode = "on"  # cohorts: "on" (active in exactly that period) or "on_or_after" (in it or any later one)
active_events = None  # events that count as activity, e.g. ["purchase"]; None: any event
signup = None  # users-table column of signup dates (new: signed up in the period); None: first active period
min_age = 0  # one-and-done: count only users first active at least this many days before as_of
k = 2.0  # dormancy: at risk when the days since the last activity exceed k x the user's typical interval
limit = 90  # days without activity after which a user is dormant (and, for where users leave, has left)
horizon = 365  # typical intervals between active days are measured over the last this many days
inactive_days = 30  # the inactivity list: users with no activity in the last this many days
min_users = 30  # retention: users active in the period before that a rate needs to be judged (sufficient)
leave_window = 90  # where users leave: compare the users active in this many days before as_of - limit
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
period_options = {"period": period, "by": by, "active_events": active_events}
print(f"{log.ledger.rows_used:,} of {log.ledger.rows_read:,} rows used; days {log.first_day} to {log.as_of} ({tz})")
sw.table(log.ledger)  # rows read = rows used + rows set aside, by reason

# %% [markdown]
# ## Retention and churn
#
# Churn is the share of the previous period's active users who did not come back in this one; retention counts
# every active user who is not new (`returning`), so it includes users back after a gap and can exceed 100% − churn,
# even 100%. The first period has no rate: nothing before it is observed.

# %% Retention and churn
retention = st.retention(log, **period_options, min_users=min_users)
retention_chart = sw.retention_chart(retention, period=period, unit=log.unit)
retention_chart

# %% [markdown]
# ## Cohorts and the retention curve
#
# Each row of the heatmap is a cohort (the users whose first active period it is, with their number); each column
# the periods since. Read down a column to see whether newer cohorts keep users better than older ones. The curve
# averages the cohorts, weighted by size; its later points rest on fewer, older cohorts (the tooltip says how
# many). The first cohort also holds the users who were active before the log starts.

# %% Cohort matrix
cohorts = st.cohort_matrix(log, mode=cohort_mode, **period_options)
cohort_chart = sw.cohort_chart(cohorts, period=period, unit=log.unit)
cohort_chart

# %% Retention curve
curve_chart = sw.retention_curve_chart(cohorts, period=period)
curve_chart

# %% [markdown]
# ## Lifecycle and the quick ratio
#
# Bars above zero are the period's active users (returning, resurrecting, new), below zero the users who went
# dormant. A quick ratio below 1 means more users left than arrived or came back: the active base shrinks even if
# new users keep arriving.

# %% Lifecycle
lifecycle = st.lifecycle(log, signup=signup, **period_options)
lifecycle_chart = sw.lifecycle_chart(lifecycle, period=period, unit=log.unit)
lifecycle_chart

# %% [markdown]
# ## One-and-done users and repeat use
#
# One-and-done users had a single active day and never came back: a high share means the first experience does
# not bring people back. The repeat rate of a period is the share of its active users who had been active before
# (or came back within it).

# %% One-and-done
one_and_done = st.one_and_done(log, by=by, active_events=active_events, min_age=min_age)
sw.table(one_and_done, "one_and_done", folder=out)

# %% Repeat rate
repeat_rate = st.repeat_rate(log, **period_options)
repeat_view = repeat_rate.pivot(on=by, index="period", values="repeat_rate") if by else repeat_rate
segment_rates = dict.fromkeys(repeat_view.columns[1:], "share") if by else None  # a column per segment: rates
sw.table(repeat_view, "repeat_rate", folder=out, formats=segment_rates)

# %% [markdown]
# ## Rhythm-aware dormancy and the inactivity list
#
# Each user's typical interval is the median gap between their active days over the last `horizon` days. A user is
# **dormant** past `limit` days without activity, **at risk** when quiet for more than `k` times their interval,
# otherwise **on rhythm** (or **no rhythm** with a single active day). The inactivity list holds the users with no
# activity in the last `inactive_days` days, most recently lapsed first: the ones still within reach.

# %% Dormancy
dormancy = st.dormancy(log, catalog, by=by, k=k, limit=limit, horizon=horizon)
statuses = dormancy.group_by(segment, "use_case", "status").len("users")
status_view = statuses.pivot(on="status", index=[segment, "use_case"], values="users").fill_null(0)
sw.table(status_view.sort(segment, "use_case"), "dormancy", folder=out)

# %% Inactivity list
inactive = st.inactive_users(log, days=inactive_days, by=by, k=k, limit=limit, horizon=horizon)
print(f"{inactive.height:,} users with no activity in the last {inactive_days} days")
inactive_counts = inactive.group_by(segment, "status").len("users")
sw.table(inactive_counts.sort(segment, "users", descending=[False, True]), "inactive_users", folder=None)

# %% Most recently lapsed
sw.table(inactive, "inactive_users", folder=out, rows=10)

# %% [markdown]
# ## Feature adoption
#
# The share of each persona's active users who used each use case in the period (without a catalog, each event is
# its own use case). A falling line is a feature being abandoned; time to first use says how soon adopters find it.

# %% Feature adoption
adoption = st.feature_adoption(log, catalog, period=period, by=by)
adoption_chart = sw.adoption_chart(adoption, period=period, unit=log.unit)
adoption_chart

# %% Time to first use
first_use = st.time_to_first_use(log, catalog, by=by)
sw.table(first_use, "time_to_first_use", folder=out)

# %% [markdown]
# ## Where users leave
#
# Users active in the `leave_window` days before `as_of − limit` are split into those who then left (no activity
# since) and those who stayed. A step with a lift above 1 is more common as the last step of users who left: a
# place to look for friction. Steps with few users are greyed out: their lift is noise.

# %% Where users leave
leave_points = st.where_users_leave(log, catalog, by=by, limit=limit, window=leave_window)
leave_chart = sw.leave_points_chart(leave_points, unit=log.unit)
leave_chart

# %% [markdown] tags=["author"]
# ## Export
#
# Writes the tables (CSV), the charts (PNG and SVG), the row ledger (JSON), `report.xlsx` (every table, the
# ledger and the settings) and `report.pptx` (a summary slide, one slide per chart) to `out`; `inactive_users.csv`
# is the re-engagement list.

# %% Export tags=["author"]
written = export_report(
    out,
    spreadsheet_safe=spreadsheet_safe,
    xlsx=xlsx,
    pptx=pptx,
    settings=template_settings("retention", globals()),
    log=log,
    tables={
        "retention": retention,
        "cohorts": cohorts,
        "lifecycle": lifecycle,
        "one_and_done": one_and_done,
        "repeat_rate": repeat_rate,
        "dormancy": dormancy,
        "inactive_users": inactive,
        "adoption": adoption,
        "time_to_first_use": first_use,
        "leave_points": leave_points,
    },
    charts={
        "retention": retention_chart,
        "cohorts": cohort_chart,
        "retention_curve": curve_chart,
        "lifecycle": lifecycle_chart,
        "adoption": adoption_chart,
        "leave_points": leave_chart,
    },
)


# %% Summary tags=["summary"]
# The findings in plain words and the next steps, from the tables just written (stickiness.report_findings):
# report.html and report.pdf open with this cell's output.
from stickiness_notebooks import report_summary

summary = report_summary(out, globals())
summary
