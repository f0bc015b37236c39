# %% [markdown]
# # Customer scorecards
#
# **Which customers are healthy, which need a call, which are worth growing, and which will drift away?**
#
# Five scorecards, each from its own table (definitions and worked examples: `docs/scorecards.md` and
# `docs/predictions.md`):
#
# - **health**: a score from 0 to 100 per customer from how often, how recently and how broadly they use the
#   product (and optional columns of the accounts table), in bands: healthy, at risk, critical. Needs only the
#   usage log; the customers to contact are the critical and at-risk ones, the most urgent first;
# - **NPS** from survey answers, per segment and over time, with its confidence interval; groups with fewer
#   than `nps_min_responses` answers are marked, not hidden;
# - **customer fit**: each account's profitability (profit / mrr) from the accounts table, and its state: grow,
#   keep, or depart (profitability below `depart_below`);
# - **lifetime value** from transactions: the revenue per customer, repeat customers and share of wallet;
# - **predictions**: a repeat-use model (BG/NBD) per use case gives each user's chance of still being a
#   customer (P(alive)) and their expected active days in the next `prediction_horizon` days; a user whose
#   expected rate falls below `threshold` active days per 30 is *predicted forgettable*.
#
# How to read it: each section opens with a chart whose title states the finding; the tables beneath list
# the customers to act on. A section whose table is not given (`accounts`, `responses`, `transactions`) is
# skipped with a note. With no log given, the notebook runs on the demo data and its demo tables. The summary
# (the findings in plain words and the next steps) is the last cell; report.html opens with it.

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
accounts = None  # accounts table, one row per customer: mrr, cost columns, extras; None: demo accounts or skipped
accounts_key = "auto"  # the accounts table's customer column; "auto" finds user_id, customer_id, account_id, ...
responses = None  # NPS survey answers, one row per answer (score 0-10); None: demo answers on the demo data or skipped
transactions = None  # transactions (customer, time, revenue); None: demo payments on the demo data or skipped
habit_window = 90  # window W over which each customer's rate (active days per 30) is measured
horizon = 365  # horizon H: customers active in the last H days are scored
min_exposure = 30  # days a customer must have been around to be scored
health_extra = None  # accounts columns scored too, e.g. {"support_tickets": "lower"}; None: none (demo: tickets)
health_weights = None  # component weights, e.g. {"frequency": 0.4, "recency": 0.3, "breadth": 0.3}; None: these
health_bands = None  # band cut-offs, e.g. {"healthy": 70, "at_risk": 40}; None: these
mrr_col = "mrr"  # the accounts table's monthly recurring revenue column
cost_cols = ["labour", "communication", "hard_costs"]  # the accounts table's monthly cost columns (summed)
depart_below = 0.30  # profitability below this: depart
grow_above = 0.60  # profitability from this (and a usage rate from grow_rate): grow
grow_rate = 4.0  # active days per 30 a customer needs to be one to grow (weekly use)
nps_score_col = "score"  # the answers' score column
nps_time_col = "auto"  # the answers' time column, for NPS over time ("auto" finds timestamp, time, ...)
nps_period = "month"  # NPS over time per "week", "month", "quarter" or "year"; None: per segment only
nps_min_responses = 30  # answers a group needs before its NPS is read as a finding
revenue_col = "revenue"  # the transactions' revenue column
transactions_time_col = "auto"  # the transactions' time column ("auto" finds timestamp, time, ...)
category_spend_col = None  # the transactions' category spend column (for share of wallet); None: none
predict = True  # fit the repeat-use models and predict who will be forgettable (needs scipy)
prediction_horizon = 30  # days ahead the models predict active days for
threshold = 1.0  # forgettable below this many active days per 30
out = None  # folder for tables/, charts/ and ledger.json; None: named after the notebook (quickstart-report)
spreadsheet_safe = True  # CSV text cells a spreadsheet would run as formulas get a leading apostrophe (docs/outputs.md)
xlsx = True  # write report.xlsx: every table on its own sheet, with the ledger and these settings
pptx = True  # write report.pptx: a title slide with the summary, then one slide per chart

# %% Read the log
import stickiness_widgets as sw
from IPython.display import display
from stickiness import segment_column
from stickiness.scorecards import (
    customers_to_contact,
    customers_to_depart,
    fit_matrix,
    fit_summary,
    health_score,
    health_summary,
    lifetime_value,
    lifetime_value_summary,
    nps,
)
from stickiness_notebooks import export_report, open_inputs, report_folder, template_settings

out = report_folder(out)  # None: in JupyterLab, named after this notebook (x.ipynb -> x-report/)

demo = events is None
if demo:  # no log given: open_inputs reads the demo log; these are its scorecard tables (docs/scorecards.md)
    from stickiness.scorecards.demo import demo_accounts, demo_payments, demo_responses

    accounts = demo_accounts() if accounts is None else accounts
    responses = demo_responses() if responses is None else responses
    transactions = demo_payments() if transactions is None else transactions
    nps_time_col = "submitted_at" if nps_time_col == "auto" else nps_time_col
    transactions_time_col = "paid_on" if transactions_time_col == "auto" else transactions_time_col
    category_spend_col = category_spend_col or "category_spend"
    if health_extra is None and health_weights is None:
        health_extra = {"support_tickets": "lower"}
        health_weights = {"frequency": 0.35, "recency": 0.25, "breadth": 0.25, "support_tickets": 0.15}
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
segment = segment_column(by)  # the outputs name their segment column after by (docs/metrics.md, Segments)
charts = {}  # every chart drawn, for the export cell
print(f"{log.ledger.rows_used:,} of {log.ledger.rows_read:,} rows used; days {log.first_day} to {log.as_of} ({tz})")
sw.table(log.ledger)  # rows read = rows used + rows set aside, by reason

# %% [markdown]
# ## Health
#
# Each customer active in the horizon (and every customer of the accounts table, active or not) gets a score
# from frequency, recency and breadth of use; too-new customers are listed but not scored. The chart gives the
# share of each persona in each band; the table lists the customers to contact, the most urgent first, with
# their weakest component: the thing to talk about.

# %% Health
scores = health_score(
    log,
    catalog,
    accounts=accounts,
    account=accounts_key,
    extra=health_extra,
    weights=health_weights,
    bands=health_bands,
    by=by,
    window=habit_window,
    horizon=horizon,
    min_exposure=min_exposure,
)
health = health_summary(scores)
charts["health"] = sw.health_chart(health)
charts["health"]

# %% Customers to contact
to_contact = customers_to_contact(scores)
print(f"{to_contact.height:,} customers to contact (critical first, then the lowest score)")
contact_view = to_contact.select("user", segment, "band", "score", "weakest", "last_active", "days_since", "rate")
sw.table(contact_view, "customers_to_contact", folder=out)

# %% [markdown]
# ## NPS
#
# Promoters (9-10) minus detractors (0-6), as a share of the answers, from -100 to 100. Read the interval: two
# segments whose intervals overlap may not differ. Hollow points have too few answers to read as a finding.

# %% NPS
if responses is None:
    nps_table = nps_over_time = None
    print("No survey answers (responses=None): the NPS section is skipped.")
else:
    nps_options = {
        "score": nps_score_col,
        "by": by,
        "users": log if by else None,
        "tz": tz,
        "min_responses": nps_min_responses,
    }
    nps_table = nps(responses, **nps_options)
    charts["nps"] = sw.nps_chart(nps_table)
    nps_over_time = nps(responses, **nps_options, period=nps_period, time=nps_time_col) if nps_period else None
    if nps_over_time is not None:
        charts["nps_over_time"] = sw.nps_chart(nps_over_time)
        display(charts["nps"], charts["nps_over_time"])
    else:
        display(charts["nps"])
# the NPS interval is in NPS points (-100 to 100), not a share: 27.7, not 2,770.0%
nps_points = {"ci_low": "number", "ci_high": "number"}
sw.table(nps_table, "nps", folder=out, formats=nps_points) if nps_table is not None else None

# %% [markdown]
# ## Customer fit
#
# Each account's profitability (mrr less its costs, over mrr) against how much it uses the product. Grow the
# profitable accounts that use it weekly; keep the others; the accounts below `depart_below` cost more to serve
# than they are worth at their price: renegotiate, move them to a cheaper plan, or let them go.

# %% Customer fit
if accounts is None:
    fit = fit_states = to_depart = None
    print("No accounts table (accounts=None): the customer-fit section is skipped.")
else:
    fit = fit_matrix(
        accounts,
        account=accounts_key,
        mrr=mrr_col,
        costs=cost_cols,
        depart_below=depart_below,
        grow_above=grow_above,
        usage=log,
        grow_rate=grow_rate,
        window=habit_window,
    )
    fit_states = fit_summary(fit)
    to_depart = customers_to_depart(fit)
    charts["fit_matrix"] = sw.fit_matrix_chart(
        fit, depart_below=depart_below, grow_above=grow_above, grow_rate=grow_rate
    )
    display(charts["fit_matrix"])
sw.table(fit_states, "fit_summary", folder=None) if fit_states is not None else None

# %% Customers to depart
sw.table(to_depart, "customers_to_depart", folder=out) if to_depart is not None else None

# %% [markdown]
# ## Lifetime value
#
# The revenue each customer has brought so far (purchases on different days; same-day transactions merge),
# how many bought more than once, and, with a category spend column, their share of wallet.

# %% Lifetime value
if transactions is None:
    values = value_summary = None
    print("No transactions (transactions=None): the lifetime-value section is skipped.")
else:
    values = lifetime_value(
        transactions,
        revenue=revenue_col,
        time=transactions_time_col,
        category_spend=category_spend_col,
        by=by,
        users=log if by else None,
        tz=tz,
    )
    value_summary = lifetime_value_summary(values, by=by)
    charts["lifetime_value"] = sw.lifetime_value_chart(values)
    display(charts["lifetime_value"])
sw.table(value_summary, "value_summary", folder=None) if value_summary is not None else None

# %% [markdown]
# ## Predictions
#
# Per use case, a BG/NBD model fitted on every user's active days gives P(alive), the chance the user has not
# left for good, and the expected active days in the next `prediction_horizon` days. A user whose expected
# rate is below `threshold` active days per 30 is predicted forgettable; *falling in* are those above it now.

# %% Predictions
predictions = None
if predict:
    try:
        from stickiness.models import ModelFitError, predict_forgettable
    except ImportError as missing:  # scipy is the models extra
        print(f"The models need scipy ({missing}): pip install 'stickiness[models]'. Predictions are skipped.")
    else:
        try:
            prediction = predict_forgettable(log, catalog, by=by, horizon_days=prediction_horizon, threshold=threshold)
        except ModelFitError as failed:
            print(f"No repeat-use model could be fitted: {failed}")
        else:
            predictions = prediction.users.select(
                "user",
                segment,
                "use_case",
                "p_alive",
                "expected_days",
                "expected_rate",
                "recent_rate",
                "will_be_forgettable",
                "will_fall_in",
            )
            charts["predictions"] = sw.predictions_chart(prediction)
            display(charts["predictions"], sw.table(prediction.fits, "fits", folder=None))
else:
    print("predict=False: the predictions are skipped.")
sw.table(predictions.sort("p_alive"), "predictions", folder=out) if predictions is not None else None

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
    settings=template_settings("scorecards", globals()),
    log=log,
    tables={
        "health": scores,
        "health_summary": health,
        "customers_to_contact": to_contact,
        "nps": nps_table,
        "nps_over_time": nps_over_time,
        "fit_matrix": fit,
        "customers_to_depart": to_depart,
        "lifetime_value": values,
        "predictions": predictions,
    },
    charts=charts,
)


# %% Summary tags=["summary"]
# The findings in plain words and the next steps, from the tables just written (stickiness.scorecard_findings):
# report.html and report.pdf open with this cell's output.
from stickiness_notebooks import report_summary

summary = report_summary(out, globals())
summary
