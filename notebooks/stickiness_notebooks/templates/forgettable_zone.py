# %% [markdown]
# # The forgettable zone and the users drifting into it
#
# **Which customers use a part of the product so rarely that they will forget it, and who is drifting there?**
#
# A product used less than once a month is easy to forget: when the problem comes back, the customer reaches
# for an alternative. For each persona and use case, an evaluable adopter is **forgettable** when their rate is
# below `threshold` active days per 30 over the last `habit_window` days. A segment is in the **forgettable
# zone** when more than `majority` of its evaluable adopters are forgettable, with at least `min_users` of them;
# the share comes with a 95% (Wilson) interval. The zone lists the findings (verdict `forgettable`) apart from the
# segments **rarely used, as expected** (verdict `rare as expected`: the catalog expects them less often than the
# threshold, e.g. quarterly or yearly). `(unmapped)`, the events no catalog rule matches, is not a use case and is
# never listed; `(any)` in the tables is the product as a whole.
#
# **Drifting users** were above the threshold in the previous window and are below it now: the people to reach
# before they forget. The last cell exports them as a CRM list, with the catalog's pitch for the use case.
# Definitions and worked examples: `docs/use-cases.md`.

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
habit_window = 90  # window W over which each user's rate (active days per 30) is measured
horizon = 365  # horizon H: a user adopted a use case if they used it in the last H days
min_exposure = 30  # days a user must have been around to be judged
threshold = 1.0  # forgettable below this many active days per 30
majority = 0.5  # share of forgettable users that puts a segment in the forgettable zone
min_users = 30  # evaluable users a segment needs before it is judged
crm_columns = ["problem", "why_us"]  # catalog columns to add to each CRM row (the pitch for re-engaging)
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

# %% The forgettable zone
habit_options = {"by": by, "window": habit_window, "horizon": horizon, "min_exposure": min_exposure}
usecase_map = st.use_case_map(
    log, catalog, **habit_options, threshold=threshold, majority=majority, min_users=min_users
)
zone_chart = sw.forgettable_zone_chart(usecase_map, majority=majority)
zone_chart

# %% Segments in the zone
zone = st.forgettable_zone(log, catalog, **habit_options, threshold=threshold, majority=majority, min_users=min_users)
findings = zone.filter(zone["verdict"] == "forgettable").drop("problem", "why_us", "alternatives")
rare_as_expected = zone.filter(zone["verdict"] == "rare as expected").drop("problem", "why_us", "alternatives")
print(f"{findings.height} segments in the forgettable zone; {rare_as_expected.height} rarely used, as expected")
# the columns a reader needs to judge a segment; the CSV has them all
zone_view = [segment, "use_case", "expected_frequency", "evaluable", "forgettable_share", "ci_low", "ci_high"]
zone_view += ["median_rate", "modal_band"]
sw.table(findings.select(zone_view), "forgettable_zone", folder=out)

# %% Rarely used, as expected
# in the zone, as the catalog's expected_frequency says: no surprise
sw.table(rare_as_expected.select(zone_view), "rare_as_expected", folder=out, csv="forgettable_zone")

# %% [markdown]
# ## Drifting users
#
# Users whose rate fell from at least `threshold` in the previous window to below it in the current one, most
# recently active first: `previous_rate` and `current_rate` are active days per 30.

# %% Drifting users
drifting = st.drifting_users(log, catalog, threshold=threshold, **habit_options)
print(f"{drifting.height:,} users drifting into the forgettable zone")
drifting_counts = drifting.group_by(segment, "use_case").len("users").sort("users", descending=True)
sw.table(drifting_counts, "drifting_users", folder=out)

# %% [markdown]
# ## Explore
#
# Move the threshold and the majority, or pick a persona; the explorer redraws the zone and lists the drifting
# users (it needs a running kernel, so it is a note in the HTML report).

# %% Explorer
sw.explore_forgettable_zone(
    log,
    catalog,
    by=by,
    window=habit_window,
    threshold=threshold,
    majority=majority,
    min_users=min_users,
    horizon=horizon,
    min_exposure=min_exposure,
)

# %% [markdown] tags=["author"]
# ## Export, with the CRM list
#
# Writes the tables, the chart, the ledger, `report.xlsx` and `report.pptx` to `out`, and
# `out/tables/crm_drifting_users.csv`: one row per drifting user and use case, with the `crm_columns` of the
# catalog (why they used the product, why it is better) so that a re-engagement message can say it.

# %% Export tags=["author"]
pitch = usecase_map.select(segment, "use_case", *[c for c in crm_columns if c in usecase_map.columns])
crm = drifting.join(pitch, on=[segment, "use_case"], how="left").sort("days_since")
written = export_report(
    out,
    spreadsheet_safe=spreadsheet_safe,
    xlsx=xlsx,
    pptx=pptx,
    settings=template_settings("forgettable_zone", globals()),
    log=log,
    tables={
        "use_case_map": usecase_map,
        "forgettable_zone": zone,
        "drifting_users": drifting,
        "crm_drifting_users": crm,
    },
    charts={"forgettable_zone": zone_chart},
)
print(f"CRM list: {crm.height:,} rows in {out}/tables/crm_drifting_users.csv")


# %% Summary tags=["summary"]
# The findings in plain words and the next steps, from the tables just written (stickiness.report_findings):
# report.html and report.pdf open with this cell's output.
from stickiness_notebooks import report_summary

summary = report_summary(out, globals())
summary
