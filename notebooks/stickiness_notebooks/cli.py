"""The ``stickiness`` command: ``report`` on a usage log, ``new`` to start a notebook, ``demo`` for demo data.

``catalog`` writes a starter use-case catalog of a log (:func:`stickiness.starter_catalog`) as CSV.

``report`` runs a notebook template headless (the Jupyter layer, imported only
then) into ``DIR/report.html``, ``report.pdf``, ``report.xlsx``, ``report.pptx``,
``tables/``, ``charts/`` and ``ledger.json``; ``--no-notebook`` computes the tables and charts directly,
without Jupyter. Run ``stickiness report --help`` for the options.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import shlex
import signal
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, NoReturn, TypeVar, get_args, get_origin, get_type_hints

import polars as pl

from stickiness import __version__, by_account, segment_column, starter_catalog
from stickiness._csv import escape_formulas, read_table, write_table
from stickiness._engine import check_memory_limit
from stickiness._output import DEMO_NAMES, staged_folder
from stickiness._progress import describe_input, step
from stickiness._text import printable, use_case_label
from stickiness.catalog import Catalog, read_catalog
from stickiness.exceptions import InvalidOptionError, OutputFolderError, StickinessError
from stickiness.findings import Findings, report_findings
from stickiness.ledger import Ledger
from stickiness.log import NULL_IDS, UsageLog, read_log
from stickiness.options import (
    READ,
    ActivityOptions,
    DormancyOptions,
    HabitOptions,
    PeriodOptions,
    ReadOptions,
    ZoneOptions,
)
from stickiness_notebooks import spec
from stickiness_notebooks.handoff import SLIDES, WORKBOOK
from stickiness_notebooks.summary import read_tables, summary_lines

__all__ = ["FLAGS", "for_command_line", "main"]

T = TypeVar("T")


def _step(label: str, func: Callable[[], T]) -> T:
    """Run one step of a report, telling the user what it does and how long it took (ticking on a terminal)."""
    return step(label, func, stream=sys.stderr)


def _number(
    kind: type[int] | type[float], low: float, high: float | None, *, open_ends: str = ""
) -> Callable[[str], Any]:
    """Make an argparse type: a whole number (int) or a number in ``low..high``; ``open_ends`` drops "low"/"high".

    argparse puts the flag in front of the message: ``argument --mau-window: 0 is out of range: ...``.
    """
    above = "above" if "low" in open_ends else "from"
    below = "below" if "high" in open_ends else ("to" if above == "from" else "and at most")
    noun = "a whole number" if kind is int else "a number"
    wanted = f"{noun} {above} {low:g}" + (f" {below} {high:g}" if high is not None else " or more")

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {noun}: give {wanted}.") from None
        too_low = value <= low if "low" in open_ends else value < low
        too_high = high is not None and (value >= high if "high" in open_ends else value > high)
        if too_low or too_high or value != value:  # value != value: nan
            raise argparse.ArgumentTypeError(f"{text} is out of range: give {wanted}.")
        return value

    parse.__name__ = kind.__name__
    return parse


def _folder(text: str) -> str:
    """Check --out for argparse: any non-blank path (checked further when the run starts: stickiness._output)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("give the name of a folder to write, e.g. --out report (got an empty name).")
    return text


def _size(text: str) -> str:
    """Check --memory-limit for argparse: a size such as 500MB or 2GB, by read_log's own rule; kept as given.

    >>> _size("2GB")
    '2GB'
    """
    try:
        check_memory_limit(text)
    except InvalidOptionError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a memory limit: give a size such as 500MB, 2GB or 1.5GiB "
            "(leave the flag out for no limit)."
        ) from None
    return text


#: The options the command line shares with the library: each flag's default, help and accepted range are those
#: of a field of an option bundle (stickiness.options), and its dest (``mau_window``, ...) is the templates'
#: parameter of the same name.
OPTION_FLAGS: dict[str, tuple[type[Any], str]] = {
    "--tz": (ReadOptions, "tz"),
    "--encoding": (ReadOptions, "encoding"),
    "--mixed-offsets": (ReadOptions, "mixed_offsets"),
    "--engine": (ReadOptions, "engine"),
    "--memory-limit": (ReadOptions, "memory_limit"),
    "--mau-window": (ActivityOptions, "window"),
    "--habit-window": (HabitOptions, "window"),
    "--horizon": (HabitOptions, "horizon"),
    "--min-exposure": (HabitOptions, "min_exposure"),
    "--threshold": (HabitOptions, "threshold"),
    "--majority": (ZoneOptions, "majority"),
    "--min-users": (ZoneOptions, "min_users"),
    "--period": (PeriodOptions, "period"),
    "--week-start": (PeriodOptions, "week_start"),
    "--inactive-days": (DormancyOptions, "days"),
}
#: Flags whose values a field's type alone does not check: the checker of each.
_CHECKS: dict[str, Callable[[str], Any]] = {"--memory-limit": _size}


def _option(group: argparse._ActionsContainer, flag: str) -> None:
    """Add ``flag`` with the default, help and range of its option bundle's field (:data:`OPTION_FLAGS`)."""
    bundle, name = OPTION_FLAGS[flag]
    about = next(field for field in dataclasses.fields(bundle) if field.name == name)
    default, kind = about.default, get_type_hints(bundle)[name]
    shown = f"{default:g}" if isinstance(default, float) else ("none" if default is None else default)
    text = f"{about.metadata['help']} (default: {shown})"
    if get_origin(kind) is Literal:
        group.add_argument(flag, choices=get_args(kind), default=default, help=text)
    elif kind in (int, float):
        low, high, ends = about.metadata["low"], about.metadata.get("high"), about.metadata.get("open", "")
        group.add_argument(flag, type=_number(kind, low, high, open_ends=ends), default=default, help=text)
    else:
        group.add_argument(flag, type=_CHECKS.get(flag, str), default=default, help=text)


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
    "memory_limit": "--memory-limit",
    "by": "--by",
    "account": "--account-col",
    "window": "--mau-window",  # --habit-window when the message is about the use-case horizon (below)
    "horizon": "--horizon",
    "min_exposure": "--min-exposure",
    "threshold": "--threshold",
    "majority": "--majority",
    "min_users": "--min-users",
    "period": "--period",
    "days": "--inactive-days",
    "user_tz": "--user-tz-col",
    "week_start": "--week-start",
}
#: Keyword values that are a flag of their own.
_SWITCHES = {
    ("event", "None"): "--no-event-col",
    ("null_ids", "()"): "--keep-null-like-ids",
    ("user_tz", "None"): "--user-tz-col none",
}
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


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line naming the option and the fix, not the whole usage."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n(run '{self.prog} --help' for every option)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
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
            "DIR/report.pdf, DIR/report.ipynb, DIR/report.xlsx, DIR/report.pptx, DIR/tables/*.csv, "
            "DIR/charts/*.png|svg and DIR/ledger.json."
        ),
    )
    report.add_argument("events", nargs="?", help="usage log: CSV, Parquet (file, glob or folder) or NDJSON")
    report.add_argument("--demo", action="store_true", help="use the built-in demo log and users table")
    report.add_argument("--users", help="users table with segment columns (e.g. persona)")
    report.add_argument(
        "--by", help="users-table column to break metrics down by (default: persona, when the users table has it)"
    )
    report.add_argument(
        "--account-col",
        help="users-table column naming each user's account: the report counts accounts, not users "
        "(users without one are set aside as no_account; docs/accounts.md)",
    )
    _option(report, "--tz")
    report.add_argument("--start", help="first day to analyse, YYYY-MM-DD (default: first day of the log)")
    report.add_argument("--as-of", help="last day to analyse, YYYY-MM-DD (default: last day of the log)")
    _option(report, "--mau-window")
    habits = report.add_argument_group("use cases (docs/use-cases.md)")
    habits.add_argument("--use-cases", help="use-case catalog: CSV (event, use_case, ...) or YAML")
    habits.add_argument("--profiles", help="per persona x use case: problem, why_us, alternatives, expected_frequency")
    for flag in ("--habit-window", "--horizon", "--min-exposure", "--threshold", "--majority", "--min-users"):
        _option(habits, flag)
    lifecycle = report.add_argument_group("retention and lifecycle (docs/retention.md)")
    _option(lifecycle, "--period")
    _option(lifecycle, "--week-start")
    _option(lifecycle, "--inactive-days")
    cards = report.add_argument_group("scorecards, with --template scorecards (docs/scorecards.md)")
    cards.add_argument("--accounts", help="accounts table: customer, mrr, labour, communication, hard_costs, ...")
    cards.add_argument("--responses", help="NPS survey answers: customer, time, score (0-10)")
    cards.add_argument("--transactions", help="transactions: customer, time, revenue (lifetime value)")
    _log_flags(report)
    report.add_argument("--no-event-col", action="store_true", help="the log has no event column")
    report.add_argument("--users-key", default="auto", help="the users table's user column (default: detect)")
    report.add_argument(
        "--user-tz-col",
        type=_zone_column,
        default=READ.user_tz,
        help="the users table's column of each user's time zone (IANA names): a day is then a date in the user's "
        "own zone; 'none' reads every day in --tz (default: auto, a column named tz, time_zone or timezone)",
    )
    report.add_argument(
        "--template", default="quickstart", help="notebook template to run (default: quickstart; see 'stickiness new')"
    )
    report.add_argument("--no-pdf", action="store_true", help="skip report.pdf (it needs chromium)")
    report.add_argument(
        "--paper",
        choices=["a4", "letter"],
        type=str.lower,
        help="paper of report.pdf (default: the locale's: letter where LC_PAPER, LC_ALL or LANG names the US, "
        "Canada, Mexico, the Philippines, Chile, Colombia, Venezuela and a few others; A4 elsewhere; docs/api.md)",
    )
    report.add_argument(
        "--no-xlsx",
        dest="xlsx",
        action="store_false",
        help="skip report.xlsx (every table on its own formatted sheet, with the ledger and the run settings)",
    )
    report.add_argument(
        "--no-pptx",
        dest="pptx",
        action="store_false",
        help="skip report.pptx (a title slide with the summary, then one slide per chart)",
    )
    report.add_argument(
        "--keep-code",
        action="store_true",
        help="keep the notebook's code in report.html and report.pdf (default: the findings, tables and charts only)",
    )
    report.add_argument(
        "--no-spreadsheet-safe",
        dest="spreadsheet_safe",
        action="store_false",
        help="write CSV text cells verbatim, for programs (default: a text cell starting with = + - @ tab or CR "
        "gets a leading ' so that spreadsheets show it as text; docs/outputs.md)",
    )
    report.add_argument(
        "--no-notebook",
        action="store_true",
        help="compute the quickstart's tables, charts and ledger directly, without Jupyter (no report.html)",
    )
    report.add_argument("--no-charts", action="store_true", help="with --no-notebook: tables and the ledger only")
    report.add_argument(
        "--out", type=_folder, required=True, help="output folder, created if missing and replaced whole by each run"
    )

    new = commands.add_parser(
        "new",
        help="copy a notebook template, ready to edit",
        description="Write a notebook template as an .ipynb to open in JupyterLab. With no TEMPLATE, list them.",
    )
    new.add_argument("template", nargs="?", help="template name (run 'stickiness new' to list them)")
    new.add_argument("path", nargs="?", help="notebook to write (default: ./TEMPLATE.ipynb)")
    new.add_argument("--force", action="store_true", help="replace the notebook if it exists")

    demo = commands.add_parser("demo", help="write the built-in demo log, users table and use-case catalog")
    demo.add_argument(
        "--out", type=_folder, required=True, help="output folder, created if missing and replaced whole by each run"
    )
    demo.add_argument("--seed", type=_number(int, 0, 2**32 - 1), default=7, help="random seed (default: 7)")

    catalog = commands.add_parser(
        "catalog",
        help="write a starter use-case catalog of a log: every event, its count and users, a use_case to fill in",
        description=(
            "Write a starter use-case catalog as CSV (to standard output, or --out FILE): every event of the log "
            "with its count (events) and distinct users, a blank use_case column to fill in, and a guess from "
            "common words of the event's name (only a guess: copy it into use_case where it is right). "
            "Rows left blank are set aside when the catalog is read (--use-cases). docs/use-cases.md"
        ),
    )
    catalog.add_argument("events", nargs="?", help="usage log: CSV, Parquet (file, glob or folder) or NDJSON")
    catalog.add_argument("--demo", action="store_true", help="use the built-in demo log")
    _option(catalog, "--tz")
    catalog.add_argument("--start", help="first day to count, YYYY-MM-DD (default: first day of the log)")
    catalog.add_argument("--as-of", help="last day to count, YYYY-MM-DD (default: last day of the log)")
    _log_flags(catalog)
    catalog.add_argument(
        "--no-spreadsheet-safe",
        dest="spreadsheet_safe",
        action="store_false",
        help="write event names verbatim (default: a name starting with = + - @ tab or CR gets a leading ' so that "
        "spreadsheets show it as text; read_catalog takes it off again)",
    )
    catalog.add_argument("--out", type=_file, help="CSV file to write, whole or not at all (default: standard output)")
    # read like the report's log, with no users table and an event column (a catalog maps events)
    catalog.set_defaults(users=None, users_key="auto", no_event_col=False, user_tz_col=None, week_start="monday")
    return parser


def _log_flags(parser: argparse.ArgumentParser) -> None:
    """Add the flags that say how to read a log's columns and text (``report`` and ``catalog`` share them)."""
    parser.add_argument("--user-col", default="auto", help="the log's user column (default: detect)")
    parser.add_argument("--time-col", default="auto", help="the log's time column (default: detect)")
    parser.add_argument("--event-col", default="auto", help="the log's event column (default: detect)")
    parser.add_argument(
        "--keep-null-like-ids",
        action="store_true",
        help="keep NULL, null, None, NaN, NA, N/A and \\N as ids and event names (default: missing values)",
    )
    parser.add_argument(
        "--time-unit",
        choices=["s", "ms", "us", "ns"],
        help="read times as epoch numbers in this unit (default: numbers are epoch times of a unit told by their size)",
    )
    for flag in ("--encoding", "--mixed-offsets", "--engine", "--memory-limit"):
        _option(parser, flag)


def _zone_column(text: str) -> str | None:
    """Read --user-tz-col for argparse: a column name, ``auto``, or ``none`` (no column: every day in --tz).

    >>> _zone_column("none") is None, _zone_column("home_zone")
    (True, 'home_zone')
    """
    if not text.strip():
        raise argparse.ArgumentTypeError("give the users table's time-zone column, 'auto' or 'none' (got nothing).")
    return None if text.strip().lower() == "none" else text


def _file(text: str) -> str:
    """Check ``catalog --out`` for argparse: a file path (not blank, not a folder); its folder is checked on writing."""
    if not text.strip():
        raise argparse.ArgumentTypeError("give the name of a CSV file to write, e.g. --out use_cases.csv.")
    if Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a folder: give a file to write, e.g. --out use_cases.csv.")
    if not Path(text).resolve().parent.is_dir():  # checked before the log is read
        raise argparse.ArgumentTypeError(f"the folder of {text!r} does not exist: create it, or write elsewhere.")
    return text


def _read(args: argparse.Namespace) -> UsageLog:
    """Read the log as the options say; with ``--account-col``, counted per account (:func:`stickiness.by_account`)."""
    log = _read_users_log(args)
    account = getattr(args, "account_col", None)  # the catalog command reads no users table
    if account is None:
        return log
    return by_account(log, account, null_ids=() if args.keep_null_like_ids else NULL_IDS)


def _read_users_log(args: argparse.Namespace) -> UsageLog:
    options: dict[str, Any] = {
        "tz": args.tz,
        "start": args.start,
        "as_of": args.as_of,
        "time_unit": args.time_unit,
        "mixed_offsets": args.mixed_offsets,
        "engine": args.engine,
        "encoding": args.encoding,
        "memory_limit": args.memory_limit,
        "user_tz": args.user_tz_col,
        "week_start": args.week_start,
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
    return _stoppable(_report_direct if args.no_notebook else _report_notebook, args)


def _stoppable(command: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a command that writes ``--out``; on Ctrl-C or SIGTERM say that ``--out`` is as it was (exit 130 / 143)."""
    try:
        return command(args)
    except KeyboardInterrupt as err:  # the staging folder is already gone (stickiness._output)
        print(f"\nstopped: {args.out} is left as it was; nothing of this run was kept.", file=sys.stderr)
        return 128 + int(getattr(err, "signum", signal.SIGINT))


#: Template parameters set from the command line's options of the same name.
_PARAMETERS = (
    "users",
    "use_cases",
    "profiles",
    "by",
    "start",
    "as_of",
    "user_col",
    "time_col",
    "event_col",
    "time_unit",
    "users_key",
    "keep_null_like_ids",
    "account_col",
    "user_tz_col",
    *(flag[2:].replace("-", "_") for flag in OPTION_FLAGS),  # tz, encoding, ..., mau_window, ..., inactive_days
    "accounts",
    "responses",
    "transactions",
    "spreadsheet_safe",
    "xlsx",
    "pptx",
)
_PATHS = spec.PATH_PARAMETERS


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
    source = "the demo log" if args.demo else args.events
    print(f"stickiness report: template {args.template!r} on {source} -> {args.out}/", file=sys.stderr)
    parameters = _template_parameters(args, parameter_names(template_notebook(args.template)))
    failure: TemplateCellError | None = None
    # written whole or not at all: the template runs in a staging folder, swapped in only when every cell ran
    with staged_folder(args.out, option="--out", keep_failed=True) as output:
        try:
            files = write_report(
                args.template, output.path, parameters, pdf=not args.no_pdf, paper=args.paper, keep_code=args.keep_code
            )
        except TemplateCellError as err:
            failure = err
        else:
            output.commit()
    if failure is not None:
        kept = output.failed or output.path
        print(f"\nerror: {for_command_line(str(failure.moved(kept / 'report.ipynb')))}", file=sys.stderr)
        print(f"{output.target} is left as it was; this run's files are in {kept}/", file=sys.stderr)
        if failure.ename == "EmptyLogError":
            return 1
        return 2 if failure.ename in _INPUT_ERRORS else 3
    out = output.target
    files = files.moved(out)
    _print_outputs(out, args)
    extra = [p.name for p in (files.pdf, out / WORKBOOK, out / SLIDES) if p is not None and p.exists()]
    extra.append(files.notebook.name)
    print(f"\nWrote {files.html} (open it in any browser; it needs no network), {', '.join(extra)}")
    if files.pdf_error:
        print(f"note: no report.pdf: {files.pdf_error}", file=sys.stderr)
    return 0


#: Errors in a template's cell that mean the input or an option is wrong (exit 2), not the kit (exit 3):
#: every error of the kit's own (StickinessError and the classes beside it) but an empty log (exit 1), and a missing
#: file.
_KIT_ERRORS: list[type[StickinessError]] = [StickinessError, *StickinessError.__subclasses__()]
_INPUT_ERRORS = frozenset(
    error.__name__
    for error in _KIT_ERRORS
    if error.__module__ == StickinessError.__module__ and error.__name__ != "EmptyLogError"
) | {"FileNotFoundError"}


def _print_outputs(out: Path, args: argparse.Namespace) -> None:
    """Print the ledger, the latest day's active users and the forgettable zone from the files written."""
    ledger = Ledger.from_dict(json.loads((out / "ledger.json").read_text()))
    print("\nRow ledger\n" + for_command_line(str(ledger)) + "\n")
    tables = out / "tables"
    if (tables / "active_users.csv").exists():  # read back as written: the spreadsheet-safe prefix undone
        daily = read_table(tables / "active_users.csv")
        by = daily.columns[0] if daily.columns[0] != "day" else None
        print(_summary(daily, by=by, window=args.mau_window, unit=ledger.unit))
    if (tables / "retention.csv").exists():
        retained = read_table(tables / "retention.csv")
        by = retained.columns[0] if retained.columns[0] != "period" else None
        print(_retention_summary(retained, by=by, min_users=args.min_users, unit=ledger.unit))
    if (tables / "use_case_map.csv").exists():
        usecase_map = read_table(tables / "use_case_map.csv")
        # the map's segment column comes first, named after the by the template used
        print(_forgettable_summary(usecase_map, args, segment=usecase_map.columns[0], unit=ledger.unit))
    findings = _findings(read_tables(out), args, catalog=bool(args.use_cases or args.demo), unit=ledger.unit)
    print(_next_steps(findings))


def _report_direct(args: argparse.Namespace) -> int:
    source = "the demo log" if args.demo else args.events
    print(f"stickiness report: {source} -> {args.out}/", file=sys.stderr)
    # written whole or not at all: tables, charts and ledger go to a staging folder, swapped in at the end
    with staged_folder(args.out, option="--out") as output:
        written = _write_direct(args, output.path)
        if written is None:
            output.keep_failed = True  # the ledger says why no row is usable: keep it beside --out
        else:
            output.commit()
    out = output.target
    if written is None:
        kept = output.failed or output.path
        print(
            f"error: no usable rows in {source}; the ledger above says why. Wrote {kept / 'ledger.json'}; "
            f"{out} is left as it was.",
            file=sys.stderr,
        )
        return 1
    n_tables = sum(1 for p in written if p.suffix == ".csv")
    n_charts = sum(1 for p in written if p.suffix == ".png")
    handed = "".join(f"{out / p.name}, " for p in written if p.name in (WORKBOOK, SLIDES))
    print(
        f"\nWrote {n_tables} tables to {out / 'tables'}/, {n_charts} charts (PNG and SVG) to {out / 'charts'}/, "
        f"{handed}and {out / 'ledger.json'}"
    )
    return 0


def _write_direct(args: argparse.Namespace, out: Path) -> list[Path] | None:
    """Compute the quickstart's tables (and charts) into ``out``, as :data:`spec.QUICKSTART` lists them.

    Returns the files written, or None when the log has no usable row.
    """
    tables = out / "tables"
    tables.mkdir(parents=True, exist_ok=True)
    size = "" if args.demo else describe_input(args.events)  # Parquet metadata or file sizes: nothing is read
    log = _step(f"reading the log ({size})" if size else "reading the log", lambda: _read(args))
    log.ledger.write_json(out / "ledger.json")
    print("\nRow ledger\n" + for_command_line(str(log.ledger)) + "\n")
    if log.is_empty:
        return None
    catalog = _catalog(args)  # None: the whole product is one use case
    # as open_inputs: by persona when the users table has one and --by is not given
    by = spec.report_by(log, args.by)
    # the outputs' segment column, named after by; the unit the log counts words the charts (docs/accounts.md)
    values = {**vars(args), "by": by, "segment": segment_column(by), "unit": log.unit}
    frames: dict[str, pl.DataFrame] = {}  # every table, for report.xlsx (summary tables: small beside the log)
    written: list[Path] = []
    for item in spec.QUICKSTART:
        frame = _compute(item, log, catalog, values)
        if frame is None:  # a step that needs a catalog, without one
            continue
        written.append(_table(frame, tables / f"{item.table}.csv", args))
        if item.table == "unmapped_events" and frame.height:
            print(_unmapped_line(frame))
        frames[item.table] = frame  # every table: the charts, the findings and report.xlsx read them
    charts: dict[str, Any] = {}
    if not args.no_charts:
        charts, paths = _step("charts", lambda: _charts(frames, values, directory=out / "charts"))
        written += paths
    findings = _findings(frames, args, catalog=catalog is not None, unit=log.unit)
    print(_summary(frames["active_users"], by=values["by"], window=args.mau_window, unit=log.unit))
    print(_retention_summary(frames["retention"], by=values["by"], min_users=args.min_users, unit=log.unit))
    print(_forgettable_summary(frames["use_case_map"], args, segment=values["segment"], unit=log.unit))
    print(_next_steps(findings))
    written += _handoff(args, out, log, frames, charts, summary_lines(findings))
    return written


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    """Return the run's options as report.xlsx's Settings sheet lists them (the log first; None: the demo log)."""
    skipped = {"command", "events", "demo", "out"}
    return {"events": None if args.demo else args.events, **{k: v for k, v in vars(args).items() if k not in skipped}}


def _handoff(
    args: argparse.Namespace,
    out: Path,
    log: UsageLog,
    frames: dict[str, pl.DataFrame],
    charts: dict[str, Any],
    summary: list[str],
) -> list[Path]:
    """Write report.xlsx and report.pptx unless --no-xlsx / --no-pptx; a missing library is a note, not an error."""
    if not (args.xlsx or args.pptx):
        return []
    from stickiness_notebooks.handoff import write_handoff

    try:
        return _step(
            "report.xlsx and report.pptx",
            lambda: write_handoff(
                out,
                log=log,
                tables=frames,
                charts=charts,
                summary=summary,
                settings=_settings(args),
                xlsx=args.xlsx,
                pptx=args.pptx,
            ),
        )
    except ImportError as err:
        print(
            f" skipped ({err.name} is not installed): pip install 'stickiness[jupyter]', or pass --no-xlsx --no-pptx",
            file=sys.stderr,
        )
        return []


def _compute(item: spec.Step, log: UsageLog, catalog: Catalog | None, values: dict[str, Any]) -> pl.DataFrame | None:
    """Compute one step of the report, with its progress line when it has one."""
    if item.label is None:
        return spec.compute(item, log, catalog, values)
    return _step(item.label, lambda: spec.compute(item, log, catalog, values))


def _table(frame: pl.DataFrame, path: Path, args: argparse.Namespace) -> Path:
    """Write one table as CSV, spreadsheet-safe unless --no-spreadsheet-safe (docs/outputs.md)."""
    return write_table(frame, path, spreadsheet_safe=args.spreadsheet_safe)


def _charts(
    frames: dict[str, pl.DataFrame], values: dict[str, Any], *, directory: Path
) -> tuple[dict[str, Any], list[Path]]:
    """Draw every chart of the report whose table was written and write its PNG and SVG (none without the layer).

    Returns the charts (report.pptx places them) and the files written.
    """
    try:
        import stickiness_widgets as sw
    except ImportError:
        print(
            " skipped: install the Jupyter layer for charts: pip install 'stickiness[jupyter]'", end="", file=sys.stderr
        )
        return {}, []
    charts: dict[str, Any] = {}
    # opened first: its Vega worker starts while the first chart is drawn; the kit's charts skip altair's schema
    # check (a third of the Python time of a 21-panel report; tests/widgets/test_charts.py validates every chart)
    with sw.ChartWriter(directory, formats=("png", "svg"), validate=False) as writer:
        for item in spec.QUICKSTART:
            for chart in item.charts if item.table in frames else ():
                charts[chart.name] = spec.draw(chart, frames[item.table], values)
                writer.add(chart.name, charts[chart.name])
    return charts, writer.paths


def _catalog(args: argparse.Namespace) -> Catalog | None:
    if args.use_cases:
        catalog = read_catalog(args.use_cases, profiles=args.profiles)
        if catalog.note:
            print(f"note: {catalog.note}", file=sys.stderr)
        return catalog
    if args.demo:
        from stickiness.demo import demo_catalog, demo_use_case_profiles

        return read_catalog(demo_catalog(), profiles=demo_use_case_profiles())
    return None


#: Terminal columns of a name in a printed summary: longer names are cut with "…" (the tables keep them whole).
_NAME_WIDTH = 24


def _unmapped_line(unmapped: pl.DataFrame) -> str:
    """Return the five most frequent events in no use case on one line (names escaped and cut: they are data)."""
    listed = report_findings({"unmapped_events": unmapped}, catalog=True).topic("catalog").numbers
    top = ", ".join(f"{printable(e, 40, pad=False)} ({n:,})" for e, n in listed.head(5).iter_rows())
    return f"Events in no use case (extend the catalog; all in tables/unmapped_events.csv): {top}"


def _zone_lines(rows: pl.DataFrame, segment: str, unit: str = "user") -> list[str]:
    return [
        f"  {printable(row[segment], _NAME_WIDTH)} {use_case_label(row['use_case'], _NAME_WIDTH)} "
        f"{row['forgettable_share']:>6.1%} (95% CI {row['ci_low']:.1%}-{row['ci_high']:.1%}) "
        f"of {row['evaluable']:,} {unit}s"
        + (f", expected {row['expected_frequency']}" if row["expected_frequency"] else "")
        for row in rows.iter_rows(named=True)
    ]


def _forgettable_summary(
    usecase_map: pl.DataFrame, args: argparse.Namespace, *, segment: str, unit: str = "user"
) -> str:
    """Print the forgettable zone's findings, then apart the "rare as expected" ones (docs/use-cases.md, rule 14).

    Which rows are listed is the core's finding (:func:`stickiness.report_findings`);
    ``segment`` is the map's segment column (named after ``by``: docs/metrics.md, Segments).
    """
    options = {"majority": args.majority, "threshold": args.threshold, "habit_window": args.habit_window}
    listed = report_findings({"use_case_map": usecase_map}, **options).topic("forgettable").numbers
    zone = listed.filter(pl.col("verdict") == "forgettable")
    expected = listed.filter(pl.col("verdict") == "rare as expected")
    header = (
        f"\nForgettable zone: segments where more than {args.majority:.0%} of evaluable adopters use the use case "
        f"less than {args.threshold:g} day per 30 (window {args.habit_window} days)"
    )
    lines = [header, *(_zone_lines(zone, segment, unit) or ["  none"])]
    if expected.height:
        lines.append(
            f"Rarely used, as expected: the catalog expects these less often than {args.threshold:g} day per 30 "
            "(not a finding)"
        )
        lines.extend(_zone_lines(expected, segment, unit))
    return "\n".join(lines)


def _retention_summary(retained: pl.DataFrame, *, by: str | None, min_users: int, unit: str = "user") -> str:
    """Print the last complete period's retention and churn per segment (docs/retention.md).

    The period and the rows are the core's finding (:func:`stickiness.report_findings`): rows
    with fewer than ``min_users`` users active before (``sufficient`` false) are named, not
    headlined; a rate above 100% is marked and explained.
    """
    latest = report_findings({"retention": retained}, min_users=min_users).topic("retention").numbers
    if latest.height == 0:
        return f"\nRetention: no complete period with {unit}s active in the period before yet"
    shown, few = latest.filter(pl.col("sufficient")), latest.filter(~pl.col("sufficient"))
    lines = [
        f"\nRetention in the period starting {latest['period'][0]!s} "
        "(retention = returning / active before, returning = active - new)"
    ]
    above = []
    for row in shown.iter_rows(named=True):
        label = printable(row[by], 20) if by else f"{'all ' + unit + 's':<20}"
        star = "*" if row["retention_rate"] > 1 else " "
        if star == "*":
            above.append(f"{row['returning'] - row['retained']:,} in {label.rstrip()}")
        lines.append(
            f"  {label} active before {row['active_before']:>7,}  returning {row['returning']:>7,}  "
            f"retention {row['retention_rate']:>6.1%}{star} churn {row['churn_rate']:>6.1%}"
        )
    if above:
        lines.append(
            f"  * above 100%: returning also counts {unit}s back after a gap (active in this period, not new, not "
            f"active in the one before): {', '.join(above)}. See docs/retention.md."
        )
    if few.height:
        names = f" ({', '.join(printable(name, 40, pad=False) for name in few[by].to_list())})" if by else ""
        lines.append(
            f"  Not headlined{names}: fewer than {min_users} {unit}s active in the period before, too few to judge "
            "(sufficient = false in retention.csv; --min-users sets the minimum)."
        )
    return "\n".join(lines)


def _summary(daily: pl.DataFrame, *, by: str | None, window: int, unit: str = "user") -> str:
    """Print the last complete day's active users; the day, and a partial last day's note, are the core's finding.

    Stickiness as the report states it is the trailing 7-day mean of DAU / MAU (stickiness.findings);
    one day's DAU / MAU is printed beside it. ``unit`` is what the log counts (``"account"``: docs/accounts.md).
    """
    finding = report_findings({"active_users": daily}, mau_window=window).topic("stickiness")
    latest = finding.numbers
    lines = [f"Active {unit}s on {latest['day'][0]!s} (MAU over {window} days), stickiness the 7-day mean of DAU/MAU"]
    for row in latest.iter_rows(named=True):
        label = printable(row[by], 20) if by else f"{'all ' + unit + 's':<20}"
        ratio = "-" if row["stickiness"] is None else f"{row['stickiness']:.1%}"
        mean = "-" if row["week_mean"] is None else f"{row['week_mean']:.1%}"
        flag = "" if row["complete"] else "  (incomplete: window starts before the log)"
        lines.append(
            f"  {label} DAU {row['dau']:>7,}  WAU {row['wau']:>7,}  MAU {row['mau']:>7,}  DAU/MAU {ratio:>6}  "
            f"stickiness {mean:>6}{flag}"
        )
    lines.extend(f"  {note}" for note in finding.notes if "looks partial" in note)
    return "\n".join(lines)


def _next_steps(findings: Findings) -> str:
    """Print what changed, the drifting users, the catalog note and the next steps, from the findings."""
    lines = [
        "",
        *(f.sentence for f in findings.topics if f.topic in {"changes", "drifting", "inactive", "catalog"}),
    ]
    if findings.next_steps:
        lines += ["", "Next steps", *(f"  {n}. {step}" for n, step in enumerate(findings.next_steps, 1))]
    return "\n".join(lines)


def _findings(
    tables: dict[str, pl.DataFrame], args: argparse.Namespace, *, catalog: bool, unit: str = "user"
) -> Findings:
    """Return the report's findings from its tables, with the run's options and the log's ``unit``."""
    return report_findings(
        tables,
        mau_window=args.mau_window,
        habit_window=args.habit_window,
        threshold=args.threshold,
        majority=args.majority,
        min_users=args.min_users,
        period=args.period,
        inactive_days=args.inactive_days,
        catalog=catalog,
        unit=unit,
    )


def _demo(args: argparse.Namespace) -> int:
    return _stoppable(_write_demo, args)


def _starter(args: argparse.Namespace) -> int:
    """Write the starter catalog of the log (``stickiness catalog``) to standard output or ``--out``."""
    if bool(args.events) == bool(args.demo):
        print("error: give a usage log (EVENTS) or --demo, not both and not neither.", file=sys.stderr)
        return 2
    log = _read(args)
    # standard output is the catalog: the ledger goes to standard error
    print("Row ledger\n" + for_command_line(str(log.ledger)) + "\n", file=sys.stderr)
    if log.is_empty:
        print("error: no usable rows in the log; the ledger above says why. Nothing written.", file=sys.stderr)
        return 1
    table = starter_catalog(log)
    text = (escape_formulas(table) if args.spreadsheet_safe else table).write_csv()
    if args.out is None:
        sys.stdout.write(text)
        where = "standard output"
    else:
        where = _write_whole(Path(args.out), text)
    guessed = table.filter(pl.col("guess").is_not_null()).height
    source = "--demo" if args.demo else shlex.quote(args.events)
    print(
        f"stickiness catalog: {table.height:,} events ({guessed:,} with a guess) -> {where}\n"
        "Fill in use_case: the guess column is only a guess from a word of the event's name; copy it where it is "
        "right. Rows left without a use_case are set aside when the catalog is read, so their events stay "
        f"unmapped. Then: stickiness report {source} --use-cases {shlex.quote(args.out or 'use_cases.csv')} "
        "--out report",
        file=sys.stderr,
    )
    return 0


def _write_whole(path: Path, text: str) -> str:
    """Write ``text`` to ``path`` whole or not at all (a file beside it, renamed over it); return the path written."""
    folder = path.resolve().parent
    try:
        with tempfile.NamedTemporaryFile("w", dir=folder, prefix=f".{path.name}.", suffix=".tmp", delete=False) as file:
            temporary = Path(file.name)
        try:
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    except OSError as err:  # no permission, a full disk, --out naming a folder made meanwhile
        raise OutputFolderError(
            f"--out {str(path)!r} cannot be written ({err.strerror or err}). Give a file in a folder you can write to."
        ) from None
    return str(path)


def _write_demo(args: argparse.Namespace) -> int:
    from stickiness.demo import write_demo

    with staged_folder(args.out, names=DEMO_NAMES, option="--out") as output:
        paths = write_demo(output.path, seed=args.seed)
        out = output.commit()
    for name, path in paths.items():
        print(f"wrote {name:<9} {out / path.name}")
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
    print(
        f"wrote {path}: open it in JupyterLab (jupyter lab {path}), set the parameters cell, and run all cells; "
        f"its export cell writes to {path.with_name(path.stem + '-report')}/ (stickiness_notebooks.report_folder)."
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``stickiness`` command; returns the exit code."""
    args = _parser().parse_args(argv)
    commands = {"report": _report, "new": _new, "demo": _demo, "catalog": _starter}
    try:
        return commands[args.command](args)
    except (StickinessError, FileNotFoundError, ImportError) as err:
        print(f"\nerror: {for_command_line(str(err))}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
