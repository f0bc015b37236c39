# %% [markdown]
# # Active users and stickiness
#
# **How many people use the product, and how often do they come back?**
#
# - **DAU** (daily active users) is the number of users with at least one event on a day; **WAU** counts the
#   users active in the 7 days ending on that day, and **MAU** those active in the `mau_window` (30) days ending
#   on it.
# - **Stickiness = DAU / MAU**: the share of the month's users who use the product on a typical day. 50% means
#   the average monthly user is active about 15 days a month; 10% means about 3 days.
# - The monthly table gives, per calendar month, the mean DAU, the month's distinct users and their ratio.
#
# How to read it: compare stickiness across personas (the kind of customer matters more than the total), and
# watch the trend rather than single days; days whose window starts before the log are shaded as incomplete, and
# a last day that looks partial (the log stops early that day) gets a grey stripe.
# Definitions with worked examples: `docs/metrics.md`.

# %% tags=["parameters"]
events = None  # the usage log: CSV, Parquet (file, glob or folder) or NDJSON path; None runs on the demo data
users = None  # users table with a segment column such as persona (CSV or Parquet); None: no segments
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
out = None  # folder for tables/, charts/ and ledger.json; None: named after the notebook (quickstart-report)
spreadsheet_safe = True  # CSV text cells a spreadsheet would run as formulas get a leading apostrophe (docs/outputs.md)
xlsx = True  # write report.xlsx: every table on its own sheet, with the ledger and these settings
pptx = True  # write report.pptx: a title slide with the summary, then one slide per chart

# %% Read the log
import stickiness as st
import stickiness_widgets as sw
from stickiness_notebooks import export_report, open_inputs, report_folder, template_settings

out = report_folder(out)  # None: in JupyterLab, named after this notebook (x.ipynb -> x-report/)

log, _, by = open_inputs(  # read_log with these options; the demo data when events is None
    events,
    out=out,  # the ledger is saved there first; with no usable row the run stops here, with the ledger
    users=users,
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
print(f"{log.ledger.rows_used:,} of {log.ledger.rows_read:,} rows used; days {log.first_day} to {log.as_of} ({tz})")
sw.table(log.ledger)  # rows read = rows used + rows set aside, by reason

# %% Daily active users and stickiness
daily = st.active_users(log, window=mau_window, by=by)
active_chart = sw.active_users_chart(daily, by=by, unit=log.unit)
active_chart

# %% The latest complete day
# a last day that looks partial (the log stops early that day: `partial_day`, docs/metrics.md) is left out
latest = daily.filter(daily["day"] == daily.filter(~daily["partial_day"])["day"].max())
sw.table(latest, "active_users", folder=out)

# %% [markdown]
# ## Per calendar month
#
# A month's stickiness is its mean DAU divided by the number of users active at least once in that month.
# The first and last months may be partial (`complete` is false; also for the month of a partial last day).

# %% Monthly active users
monthly = st.monthly_active_users(log, by=by)
monthly_chart = sw.monthly_active_users_chart(monthly, by=by, unit=log.unit)
monthly_chart

# %% Monthly table
sw.table(monthly, "monthly_active_users", folder=out)

# %% [markdown]
# ## Explore
#
# Change the window, the persona or the date range; the explorer re-runs the metric and redraws the chart
# (it needs a running kernel, so it is a note in the HTML report).

# %% Explorer
sw.explore_active_users(log, by=by, window=mau_window)

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
    settings=template_settings("active_users", globals()),
    log=log,
    tables={"active_users": daily, "monthly_active_users": monthly},
    charts={"active_users": active_chart, "monthly_active_users": monthly_chart},
)


# %% Summary tags=["summary"]
# The findings in plain words and the next steps, from the tables just written (stickiness.report_findings):
# report.html and report.pdf open with this cell's output.
from stickiness_notebooks import report_summary

summary = report_summary(out, globals())
summary
