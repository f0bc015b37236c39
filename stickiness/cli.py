"""The ``stickiness`` command: ``report`` on a usage log, ``new`` to start a notebook, ``demo`` for demo data.

``report`` runs a notebook template headless (the Jupyter layer, imported only
then) into ``DIR/report.html``, ``report.pdf``, ``tables/``, ``charts/`` and
``ledger.json``; ``--no-notebook`` computes the tables and charts directly,
without Jupyter. Run ``stickiness report --help`` for the options.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from stickiness import __version__
from stickiness._errors import StickinessError
from stickiness._progress import describe_input, step
from stickiness.active_users import active_users, monthly_active_users
from stickiness.catalog import Catalog, read_catalog
from stickiness.dormancy import inactive_users
from stickiness.ledger import Ledger
from stickiness.lifecycle import lifecycle
from stickiness.log import NULL_IDS, UsageLog, read_log
from stickiness.retention import retention
from stickiness.use_cases import drifting_users, frequency_spectrum, unmapped_events, use_case_map

__all__ = ["FLAGS", "for_command_line", "main"]

T = TypeVar("T")


def _step(label: str, func: Callable[[], T]) -> T:
    """Run one step of a report, telling the user what it does and how long it took (ticking on a terminal)."""
    return step(label, func, stream=sys.stderr)


#: The command-line flag of each keyword that messages name as a fix (read_log's and the metrics' options).
FLAGS: dict[str, str] = {
    "user": "--user-col",
    "time": "--time-col",
    "event": "--event-col",
    "users": "--users",
    "users_key": "--users-key",
    "time_unit": "--time-unit",
    "tz": "--tz",
    "start": "--start",
    "as_of": "--as-of",
    "mixed_offsets": "--mixed-offsets",
    "null_ids": "--keep-null-like-ids",
    "encoding": "--encoding",
    "engine": "--engine",
    "by": "--by",
    "window": "--mau-window",  # --habit-window when the message is about the use-case horizon (below)
    "horizon": "--horizon",
    "min_exposure": "--min-exposure",
    "threshold": "--threshold",
    "majority": "--majority",
    "min_users": "--min-users",
    "period": "--period",
    "days": "--inactive-days",
}
#: Keyword values that are a flag of their own.
_SWITCHES = {("event", "None"): "--no-event-col", ("null_ids", "()"): "--keep-null-like-ids"}
_KEYWORD = re.compile(
    r"(?<![\w.\-])(?P<key>" + "|".join(sorted(FLAGS, key=len, reverse=True)) + r")="
    r"(?P<value>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\(\)|[\w:/+\-]+(?:\.\w+)*)?"
)


def for_command_line(message: str) -> str:
    """Rewrite the keyword fixes a message names (``time='ts'``) as the command's flags (``--time-col ts``).

    Messages are written for Python, where the error is raised; the command shows them
    with the flag that does the same, through :data:`FLAGS`.

    >>> for_command_line("no time column found. Name it with time='your_column'.")
    'no time column found. Name it with --time-col your_column.'
    >>> for_command_line("pass event=None, time_unit='s' or null_ids=(); see read_log(..., users='u.csv')")
    'pass --no-event-col, --time-unit s or --keep-null-like-ids; see --users u.csv'
    """
    message = re.sub(r"read_log\(\.\.\., ([^)]*)\)", r"\1", message)
    habits = "horizon=" in message  # the use-case window is --habit-window; the MAU window --mau-window

    def flag(match: re.Match[str]) -> str:
        key, value = match["key"], match["value"] or ""
        if (key, value) in _SWITCHES:
            return _SWITCHES[key, value]
        name = "--habit-window" if key == "window" and habits else FLAGS[key]
        if value[:1] in ("'", '"'):
            value = shlex.quote(value[1:-1])
        return f"{name} {value}" if value else name

    return _KEYWORD.sub(flag, message)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stickiness",
        description="How often each kind of customer uses each part of your product.",
    )
    parser.add_argument("--version", action="version", version=f"stickiness {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    report = commands.add_parser(
        "report",
        help="run a notebook template on a usage log: report.html and .pdf, tables, charts and the row ledger",
        description=(
            "Run a notebook template headless on a usage log and write DIR/report.html (one self-contained page), "
            "DIR/report.pdf, DIR/report.ipynb, DIR/tables/*.csv, DIR/charts/*.png|svg and DIR/ledger.json."
        ),
    )
    report.add_argument("events", nargs="?", help="usage log: CSV, Parquet (file, glob or folder) or NDJSON")
    report.add_argument("--demo", action="store_true", help="use the built-in demo log and users table")
    report.add_argument("--users", help="users table with segment columns (e.g. persona)")
    report.add_argument(
        "--by", help="users-table column to break metrics down by (default: persona, when the users table has it)"
    )
    report.add_argument("--tz", default="UTC", help="analysis time zone, an IANA name (default: UTC)")
    report.add_argument("--start", help="first day to analyse, YYYY-MM-DD (default: first day of the log)")
    report.add_argument("--as-of", help="last day to analyse, YYYY-MM-DD (default: last day of the log)")
    report.add_argument("--mau-window", type=int, default=30, help="MAU window in days (default: 30)")
    habits = report.add_argument_group("use cases (docs/use-cases.md)")
    habits.add_argument("--use-cases", help="use-case catalog: CSV (event, use_case, ...) or YAML")
    habits.add_argument("--profiles", help="per persona x use case: problem, why_us, alternatives, expected_frequency")
    habits.add_argument("--habit-window", type=int, default=90, help="window W for rates, in days (default: 90)")
    habits.add_argument("--horizon", type=int, default=365, help="horizon H for adopters, in days (default: 365)")
    habits.add_argument("--min-exposure", type=int, default=30, help="days of exposure to be evaluable (default: 30)")
    habits.add_argument("--threshold", type=float, default=1.0, help="forgettable below this many days/30 (default: 1)")
    habits.add_argument(
        "--majority", type=float, default=0.5, help="forgettable share that flags a segment (default: 0.5)"
    )
    habits.add_argument("--min-users", type=int, default=30, help="evaluable adopters needed to flag (default: 30)")
    lifecycle = report.add_argument_group("retention and lifecycle (docs/retention.md)")
    lifecycle.add_argument(
        "--period", choices=["month", "week", "day"], default="month", help="retention period (default: month)"
    )
    lifecycle.add_argument(
        "--inactive-days", type=int, default=30, help="inactivity list: no activity in this many days (default: 30)"
    )
    cards = report.add_argument_group("scorecards, with --template scorecards (docs/scorecards.md)")
    cards.add_argument("--accounts", help="accounts table: customer, mrr, labour, communication, hard_costs, ...")
    cards.add_argument("--responses", help="NPS survey answers: customer, time, score (0-10)")
    cards.add_argument("--transactions", help="transactions: customer, time, revenue (lifetime value)")
    report.add_argument("--user-col", default="auto", help="the log's user column (default: detect)")
    report.add_argument("--time-col", default="auto", help="the log's time column (default: detect)")
    report.add_argument("--event-col", default="auto", help="the log's event column (default: detect)")
    report.add_argument("--no-event-col", action="store_true", help="the log has no event column")
    report.add_argument("--users-key", default="auto", help="the users table's user column (default: detect)")
    report.add_argument(
        "--keep-null-like-ids",
        action="store_true",
        help="keep NULL, null, None, NaN, NA, N/A and \\N as ids and event names (default: missing values)",
    )
    report.add_argument(
        "--time-unit",
        choices=["s", "ms", "us", "ns"],
        help="read times as epoch numbers in this unit (default: numbers are epoch times of a unit told by their size)",
    )
    report.add_argument(
        "--mixed-offsets",
        choices=["error", "assume_tz"],
        default="error",
        help="times with and without UTC offset in one column: fail (default) or read the latter in --tz",
    )
    report.add_argument(
        "--engine", choices=["polars", "duckdb", "pyspark"], default="polars", help="engine (default: polars)"
    )
    report.add_argument(
        "--template", default="quickstart", help="notebook template to run (default: quickstart; see 'stickiness new')"
    )
    report.add_argument("--no-pdf", action="store_true", help="skip report.pdf (it needs chromium)")
    report.add_argument(
        "--no-notebook",
        action="store_true",
        help="compute the quickstart's tables, charts and ledger directly, without Jupyter (no report.html)",
    )
    report.add_argument("--no-charts", action="store_true", help="with --no-notebook: tables and the ledger only")
    report.add_argument("--out", required=True, help="output folder (created if missing)")

    new = commands.add_parser(
        "new",
        help="copy a notebook template, ready to edit",
        description="Write a notebook template as an .ipynb to open in JupyterLab. With no TEMPLATE, list them.",
    )
    new.add_argument("template", nargs="?", help="template name (run 'stickiness new' to list them)")
    new.add_argument("path", nargs="?", help="notebook to write (default: ./TEMPLATE.ipynb)")
    new.add_argument("--force", action="store_true", help="replace the notebook if it exists")

    demo = commands.add_parser("demo", help="write the built-in demo log, users table and use-case catalog")
    demo.add_argument("--out", required=True, help="output folder (created if missing)")
    demo.add_argument("--seed", type=int, default=7, help="random seed (default: 7)")
    return parser


def _read(args: argparse.Namespace) -> UsageLog:
    options: dict[str, Any] = {
        "tz": args.tz,
        "start": args.start,
        "as_of": args.as_of,
        "time_unit": args.time_unit,
        "mixed_offsets": args.mixed_offsets,
        "engine": args.engine,
    }
    if args.demo:
        from stickiness.demo import demo_events, demo_users

        return read_log(demo_events(), users=demo_users(), **options)
    return read_log(
        args.events,
        users=args.users,
        user=args.user_col,
        time=args.time_col,
        event=None if args.no_event_col else args.event_col,
        users_key=args.users_key,
        null_ids=() if args.keep_null_like_ids else NULL_IDS,
        **options,
    )


def _report(args: argparse.Namespace) -> int:
    if bool(args.events) == bool(args.demo):
        print("error: give a usage log (EVENTS) or --demo, not both and not neither.", file=sys.stderr)
        return 2
    if args.no_charts and not args.no_notebook:
        print("error: --no-charts applies to --no-notebook (a template always draws its charts).", file=sys.stderr)
        return 2
    return _report_direct(args) if args.no_notebook else _report_notebook(args)


#: Template parameters set from the command line's options of the same name.
_PARAMETERS = (
    "users",
    "use_cases",
    "profiles",
    "by",
    "tz",
    "start",
    "as_of",
    "user_col",
    "time_col",
    "event_col",
    "time_unit",
    "mixed_offsets",
    "users_key",
    "keep_null_like_ids",
    "engine",
    "mau_window",
    "habit_window",
    "horizon",
    "min_exposure",
    "threshold",
    "majority",
    "min_users",
    "period",
    "inactive_days",
    "accounts",
    "responses",
    "transactions",
)
_PATHS = ("events", "users", "use_cases", "profiles", "accounts", "responses", "transactions")


def _template_parameters(args: argparse.Namespace, known: set[str]) -> dict[str, Any]:
    """Map the options to the template's parameters, and report options the template has no parameter for."""
    values: dict[str, Any] = {"events": None if args.demo else args.events}
    values |= {name: getattr(args, name) for name in _PARAMETERS}
    if args.no_event_col:
        values["event_col"] = None
    for name in _PATHS:  # the kernel runs in the output folder: make paths absolute
        if values.get(name) is not None:
            values[name] = str(Path(values[name]).resolve())
    defaults = _parser().parse_args(["report", "--demo", "--out", "."])
    ignored = [name for name in values if name not in known and values[name] not in (None, getattr(defaults, name))]
    if ignored:
        print(
            f"note: template {args.template!r} has no parameter {', '.join(ignored)}: ignored "
            "(run 'stickiness report --template quickstart' for everything).",
            file=sys.stderr,
        )
    return {name: value for name, value in values.items() if name in known}


def _report_notebook(args: argparse.Namespace) -> int:
    """Run the template headless, then print the ledger and the headline figures from what it wrote."""
    try:
        from stickiness_notebooks import TemplateCellError, template_notebook, write_report
        from stickiness_notebooks.run import parameter_names
    except ImportError as err:
        print(
            f"error: the notebook report needs the Jupyter layer ({err}): pip install 'stickiness[jupyter]'; "
            "or add --no-notebook for the tables and ledger alone.",
            file=sys.stderr,
        )
        return 2
    out = Path(args.out)
    source = "the demo log" if args.demo else args.events
    print(f"stickiness report: template {args.template!r} on {source} -> {out}/", file=sys.stderr)
    parameters = _template_parameters(args, parameter_names(template_notebook(args.template)))
    try:
        files = write_report(args.template, out, parameters, pdf=not args.no_pdf)
    except TemplateCellError as err:
        print(f"\nerror: {for_command_line(str(err))}", file=sys.stderr)
        if err.ename == "EmptyLogError":
            return 1
        return 2 if err.ename in _INPUT_ERRORS else 3
    _print_outputs(out, args)
    pdf = f", {files.pdf.name}" if files.pdf else ""
    print(f"\nWrote {files.html} (open it in any browser; it needs no network){pdf}, {files.notebook.name}")
    if files.pdf_error:
        print(f"note: no report.pdf: {files.pdf_error}", file=sys.stderr)
    return 0


#: Errors in a template's cell that mean the input or an option is wrong (exit 2), not the kit (exit 3).
_INPUT_ERRORS = frozenset(
    {
        "StickinessError",
        "ColumnNotFoundError",
        "AmbiguousColumnError",
        "MixedTimeZoneError",
        "InvalidOptionError",
        "UnsupportedSourceError",
        "UsersTableError",
        "FileNotFoundError",
    }
)


def _print_outputs(out: Path, args: argparse.Namespace) -> None:
    """Print the ledger, the latest day's active users and the forgettable zone from the files written."""
    ledger = Ledger.from_dict(json.loads((out / "ledger.json").read_text()))
    print("\nRow ledger\n" + for_command_line(str(ledger)) + "\n")
    tables = out / "tables"
    if (tables / "active_users.csv").exists():
        daily = pl.read_csv(tables / "active_users.csv", try_parse_dates=True)
        by = daily.columns[0] if daily.columns[0] != "day" else None
        print(_summary(daily, by=by, window=args.mau_window))
    if (tables / "retention.csv").exists():
        retained = pl.read_csv(tables / "retention.csv", try_parse_dates=True)
        print(_retention_summary(retained, by=retained.columns[0] if retained.columns[0] != "period" else None))
    if (tables / "use_case_map.csv").exists():
        usecase_map = pl.read_csv(tables / "use_case_map.csv", infer_schema_length=None)
        print(_forgettable_summary(usecase_map, args))


def _report_direct(args: argparse.Namespace) -> int:
    out = Path(args.out)
    tables = out / "tables"
    tables.mkdir(parents=True, exist_ok=True)
    source = "the demo log" if args.demo else args.events
    print(f"stickiness report: {source} -> {out}/", file=sys.stderr)
    size = "" if args.demo else describe_input(args.events)  # Parquet metadata or file sizes: nothing is read
    log = _step(f"reading the log ({size})" if size else "reading the log", lambda: _read(args))
    log.ledger.write_json(out / "ledger.json")
    print("\nRow ledger\n" + for_command_line(str(log.ledger)) + "\n")
    if log.is_empty:
        print(
            f"error: no usable rows in {source}; the ledger above says why. Wrote {out / 'ledger.json'}.",
            file=sys.stderr,
        )
        return 1
    # as in the templates: by persona when the users table has one and --by is not given
    args = argparse.Namespace(
        **{**vars(args), "by": args.by or ("persona" if "persona" in log.segment_columns else None)}
    )
    daily = _step("active users", lambda: active_users(log, window=args.mau_window, by=args.by))
    monthly = _step("monthly active users", lambda: monthly_active_users(log, by=args.by))
    daily.write_csv(tables / "active_users.csv")
    monthly.write_csv(tables / "monthly_active_users.csv")
    written = [tables / "active_users.csv", tables / "monthly_active_users.csv"]
    frames = {"active_users": daily, "monthly_active_users": monthly}
    # as in the quickstart: without a catalog, the whole product is one use case
    frames |= _use_case_tables(log, _catalog(args), args, tables)
    written += [tables / f"{name}.csv" for name in ("frequency_spectrum", "use_case_map", "drifting_users")]
    frames |= _retention_tables(log, args, tables)
    written += [tables / f"{name}.csv" for name in ("retention", "lifecycle", "inactive_users")]
    if not args.no_charts:
        written += _step("charts", lambda: _charts(frames, by=args.by, args=args, directory=out / "charts"))
    print(_summary(daily, by=args.by, window=args.mau_window))
    print(_retention_summary(frames["retention"], by=args.by))
    print(_forgettable_summary(frames["use_case_map"], args))
    n_tables = sum(1 for p in written if p.suffix == ".csv")
    n_charts = sum(1 for p in written if p.suffix == ".png")
    print(
        f"\nWrote {n_tables} tables to {tables}/, {n_charts} charts (PNG and SVG) to {out / 'charts'}/, "
        f"and {out / 'ledger.json'}"
    )
    return 0


def _charts(
    frames: dict[str, pl.DataFrame], *, by: str | None, args: argparse.Namespace, directory: Path
) -> list[Path]:
    """Write a PNG and an SVG of every metric's chart, when the Jupyter layer is installed.

    The core never imports chart code; the command does, only here and only if present.
    """
    try:
        import stickiness_widgets as sw
    except ImportError:
        print(
            " skipped: install the Jupyter layer for charts: pip install 'stickiness[jupyter]'", end="", file=sys.stderr
        )
        return []
    charts: dict[str, Any] = {
        "active_users": sw.active_users_chart(frames["active_users"], by=by),
        "monthly_active_users": sw.monthly_active_users_chart(frames["monthly_active_users"], by=by),
    }
    spectrum = frames["frequency_spectrum"]
    charts["frequency_spectrum"] = sw.spectrum_chart(spectrum, majority=args.majority, min_users=args.min_users)
    charts["use_case_map"] = sw.use_case_map_chart(frames["use_case_map"])
    charts["forgettable_zone"] = sw.forgettable_zone_chart(frames["use_case_map"], majority=args.majority)
    charts["retention"] = sw.retention_chart(frames["retention"])
    charts["lifecycle"] = sw.lifecycle_chart(frames["lifecycle"])
    return sw.write_charts(charts, directory, formats=("png", "svg"))


def _catalog(args: argparse.Namespace) -> Catalog | None:
    if args.use_cases:
        return read_catalog(args.use_cases, profiles=args.profiles)
    if args.demo:
        from stickiness.demo import demo_catalog, demo_use_case_profiles

        return read_catalog(demo_catalog(), profiles=demo_use_case_profiles())
    return None


def _retention_tables(log: UsageLog, args: argparse.Namespace, tables: Path) -> dict[str, pl.DataFrame]:
    """Write retention, lifecycle and the inactivity list to ``tables``; return the first two for the charts."""
    retained = _step("retention", lambda: retention(log, by=args.by, period=args.period))
    cycle = _step("lifecycle", lambda: lifecycle(log, by=args.by, period=args.period))
    inactive = _step("inactive users", lambda: inactive_users(log, days=args.inactive_days, by=args.by))
    retained.write_csv(tables / "retention.csv")
    cycle.write_csv(tables / "lifecycle.csv")
    inactive.write_csv(tables / "inactive_users.csv")
    return {"retention": retained, "lifecycle": cycle}


def _use_case_tables(
    log: UsageLog, catalog: Catalog | None, args: argparse.Namespace, tables: Path
) -> dict[str, pl.DataFrame]:
    """Write the use-case tables to ``tables`` and return the spectrum and the use-case map."""
    common: dict[str, Any] = {
        "by": args.by,
        "window": args.habit_window,
        "horizon": args.horizon,
        "min_exposure": args.min_exposure,
    }
    spectrum = _step("frequency spectrum", lambda: frequency_spectrum(log, catalog, **common))
    usecase_map = _step(
        "use-case map",
        lambda: use_case_map(
            log, catalog, threshold=args.threshold, majority=args.majority, min_users=args.min_users, **common
        ),
    )
    drifting = _step("drifting users", lambda: drifting_users(log, catalog, threshold=args.threshold, **common))
    spectrum.write_csv(tables / "frequency_spectrum.csv")
    usecase_map.write_csv(tables / "use_case_map.csv")
    drifting.write_csv(tables / "drifting_users.csv")
    if catalog is None:  # the whole product is one use case: no event is unmapped
        return {"frequency_spectrum": spectrum, "use_case_map": usecase_map}
    unmapped = unmapped_events(log, catalog)
    unmapped.write_csv(tables / "unmapped_events.csv")  # as the quickstart: with a catalog, even when empty
    if unmapped.height:
        top = ", ".join(f"{e} ({n:,})" for e, n in unmapped.select("event", "events").head(5).iter_rows())
        print(f"Events in no use case (extend the catalog; all in tables/unmapped_events.csv): {top}")
    return {"frequency_spectrum": spectrum, "use_case_map": usecase_map}


def _forgettable_summary(usecase_map: pl.DataFrame, args: argparse.Namespace) -> str:
    zone = usecase_map.filter(pl.col("forgettable").cast(pl.String) == "true").sort("evaluable", descending=True)
    header = (
        f"\nForgettable zone: segments where more than {args.majority:.0%} of evaluable adopters use the use case "
        f"less than {args.threshold:g} day per 30 (window {args.habit_window} days)"
    )
    if zone.height == 0:
        return header + "\n  none"
    lines = [header]
    for row in zone.iter_rows(named=True):
        lines.append(
            f"  {row['persona']:<16} {row['use_case']:<20} {row['forgettable_share']:>6.1%} "
            f"(95% CI {row['ci_low']:.1%}-{row['ci_high']:.1%}) of {row['evaluable']:,} users"
        )
    return "\n".join(lines)


def _retention_summary(retained: pl.DataFrame, *, by: str | None) -> str:
    """Summarise the last complete period's retention and churn per segment (docs/retention.md)."""
    done = retained.filter(pl.col("complete") & pl.col("retention_rate").is_not_null())
    if done.height == 0:
        return "\nRetention: no complete period with users active in the period before yet"
    last = done["period"].max()
    lines = [f"\nRetention in the period starting {last!s} (retention = (active - new) / active before)"]
    for row in done.filter(pl.col("period") == last).sort("churn_rate").iter_rows(named=True):
        label = f"{row[by]:<20}" if by else f"{'all users':<20}"
        lines.append(
            f"  {label} active before {row['active_before']:>7,}  retention {row['retention_rate']:>6.1%}  "
            f"churn {row['churn_rate']:>6.1%}"
        )
    return "\n".join(lines)


def _summary(daily: pl.DataFrame, *, by: str | None, window: int) -> str:
    last_day = daily["day"].max()
    latest = daily.filter(pl.col("day") == last_day)
    lines = [f"Active users on {last_day!s} (MAU over {window} days)"]
    for row in latest.sort("mau", descending=True).iter_rows(named=True):
        label = f"{row[by]:<20}" if by else f"{'all users':<20}"
        ratio = "-" if row["stickiness"] is None else f"{row['stickiness']:.1%}"
        flag = "" if row["complete"] else "  (incomplete: window starts before the log)"
        lines.append(
            f"  {label} DAU {row['dau']:>7,}  WAU {row['wau']:>7,}  MAU {row['mau']:>7,}  DAU/MAU {ratio:>6}{flag}"
        )
    return "\n".join(lines)


def _demo(args: argparse.Namespace) -> int:
    from stickiness.demo import write_demo

    paths = write_demo(args.out, seed=args.seed)
    for name, path in paths.items():
        print(f"wrote {name:<9} {path}")
    return 0


def _new(args: argparse.Namespace) -> int:
    try:
        from stickiness_notebooks import TEMPLATES, new_notebook
    except ImportError as err:
        print(f"error: templates need the Jupyter layer ({err}): pip install 'stickiness[jupyter]'", file=sys.stderr)
        return 2
    if args.template is None:
        print("Templates (stickiness new TEMPLATE [PATH]):")
        for template in TEMPLATES.values():
            print(f"  {template.name:<18} {template.summary}")
        return 0
    try:
        path = new_notebook(args.template, args.path, overwrite=args.force)
    except FileExistsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {path}: open it in JupyterLab (jupyter lab {path}), set the parameters cell, and run all cells.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``stickiness`` command; returns the exit code."""
    args = _parser().parse_args(argv)
    commands = {"report": _report, "new": _new, "demo": _demo}
    try:
        return commands[args.command](args)
    except (StickinessError, FileNotFoundError, ImportError) as err:
        print(f"\nerror: {for_command_line(str(err))}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
