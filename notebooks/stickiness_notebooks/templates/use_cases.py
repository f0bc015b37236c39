# %% [markdown]
# # The use-case map and the frequency spectrum
#
# **How often does each kind of customer use each part of the product?**
#
# A *use case* is a job the product does for a customer (searching for homes, valuing a home, ...); the catalog
# maps the log's events to use cases. For each persona and use case:
#
# - every user who used it in the last `horizon` days is an **adopter**; an adopter's **rate** is their number of
#   active days with it per 30 days over the last `habit_window` days (pro-rated for users who arrived later);
# - the rate puts each adopter in a **habit band**: daily (20 or more days per 30), weekly (4 to 20), monthly
#   (1 to 4), occasional (above 0, below 1) or lapsed (0);
# - the **typical interval** is the median number of days between an adopter's uses.
#
# How to read it: the spectrum shows the habit mix of each segment; the map sets it beside the catalog's
# problem, why the product is better, and the alternatives, and flags a frequency that does not match the
# expected one. Definitions and worked examples: `docs/use-cases.md`.

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

# %% The frequency spectrum
habit_options = {"by": by, "window": habit_window, "horizon": horizon, "min_exposure": min_exposure}
spectrum = st.frequency_spectrum(log, catalog, **habit_options)
spectrum_chart = sw.spectrum_chart(spectrum)
spectrum_chart

# %% [markdown]
# ## The use-case map
#
# One row per persona and use case: the catalog's qualitative columns, adoption, the median rate and interval,
# the modal band, and whether the measured frequency matches the expected one.

# %% Use-case map
usecase_map = st.use_case_map(log, catalog, **habit_options)
map_chart = sw.use_case_map_chart(usecase_map, unit=log.unit)
map_chart

# %% Use-case map table
usecase_map.select(
    segment,
    "use_case",
    "adopters",
    "adoption_rate",
    "median_rate",
    "median_interval_days",
    "modal_band",
    "expected_frequency",
    "frequency_mismatch",
    "problem",
    "why_us",
    "alternatives",
)

# %% [markdown]
# ## Events in no use case
#
# Events that no catalog rule matches are counted under `(unmapped)`; extend the catalog to place them.

# %% Unmapped events
unmapped = st.unmapped_events(log, catalog) if catalog is not None else None
sw.table(unmapped, "unmapped_events", folder=out) if unmapped is not None else None

# %% [markdown]
# ## Explore
#
# Pick a persona and a use case, change the window or the threshold; the explorer redraws the spectrum and the
# map (it needs a running kernel, so it is a note in the HTML report).

# %% Explorer
sw.explore_use_cases(log, catalog, by=by, window=habit_window, horizon=horizon, min_exposure=min_exposure)

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
    settings=template_settings("use_cases", globals()),
    log=log,
    tables={"frequency_spectrum": spectrum, "use_case_map": usecase_map, "unmapped_events": unmapped},
    charts={"frequency_spectrum": spectrum_chart, "use_case_map": map_chart},
)


# %% Summary tags=["summary"]
# The findings in plain words and the next steps, from the tables just written (stickiness.report_findings):
# report.html and report.pdf open with this cell's output.
from stickiness_notebooks import report_summary

summary = report_summary(out, globals())
summary
